//! The retained log: a ring buffer of decoded lines with a fixed capacity, so that an
//! overnight run cannot exhaust memory. Every line is at most `MAX_LINE_LEN` bytes, so
//! memory is bounded by capacity x (line + decode overhead).

use std::collections::VecDeque;
use std::io::Write as _;
use std::path::Path;

use super::decode::Decoded;

/// Default number of lines kept.
pub const DEFAULT_CAPACITY: usize = 1_000_000;

/// Bounded log of decoded lines.
#[derive(Debug)]
pub struct LogBuffer {
    lines: VecDeque<Decoded>,
    capacity: usize,
    dropped: u64,
}

impl LogBuffer {
    /// A buffer keeping at most `capacity` lines (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            lines: VecDeque::with_capacity(capacity.min(4096)),
            capacity: capacity.max(1),
            dropped: 0,
        }
    }

    /// Append, dropping the oldest line when full.
    pub fn push(&mut self, line: Decoded) {
        if self.lines.len() == self.capacity {
            self.lines.pop_front();
            self.dropped += 1;
        }
        self.lines.push_back(line);
    }

    /// Lines kept.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// No line kept.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Lines dropped to stay within capacity.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Line `i` (0 = oldest kept).
    pub fn get(&self, i: usize) -> Option<&Decoded> {
        self.lines.get(i)
    }

    /// All kept lines, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Decoded> + ExactSizeIterator {
        self.lines.iter()
    }

    /// Forget everything.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.dropped = 0;
    }

    /// Write the raw lines, each followed by its explanation, to a file.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
        if self.dropped > 0 {
            writeln!(
                w,
                "# {} older lines were dropped to bound memory",
                self.dropped
            )?;
        }
        for d in &self.lines {
            writeln!(w, "{}", d.text)?;
            if let Some(e) = &d.explanation {
                writeln!(w, "#   {}: {} -> {}", e.title, e.cause, e.fix)?;
            }
        }
        w.flush()
    }
}
