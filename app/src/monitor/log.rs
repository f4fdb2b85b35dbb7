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
    clears: u64,
}

impl LogBuffer {
    /// A buffer keeping at most `capacity` lines (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            lines: VecDeque::with_capacity(capacity.min(4096)),
            capacity: capacity.max(1),
            dropped: 0,
            clears: 0,
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

    /// Lines ever pushed since the last clear (kept + dropped): the sequence number the
    /// next line will get.
    pub fn total(&self) -> u64 {
        self.dropped + self.lines.len() as u64
    }

    /// Forget everything.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.dropped = 0;
        self.clears += 1;
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

/// The lines of a [`LogBuffer`] that contain a text (case-insensitive, in the line or its
/// explanation's title), kept up to date incrementally: each update looks only at lines
/// that arrived since the last one, so a live log with a filter stays cheap per frame
/// however long it is. Lines are remembered by sequence number, which survives the ring
/// buffer dropping its oldest lines.
#[derive(Debug, Default)]
pub struct FilteredView {
    needle: String,
    seqs: VecDeque<u64>,
    scanned_to: u64,
    clears: u64,
}

impl FilteredView {
    /// Bring the view up to date with `log` and `filter`.
    pub fn update(&mut self, log: &LogBuffer, filter: &str) {
        let needle = filter.to_lowercase();
        if needle != self.needle || log.clears != self.clears {
            self.needle = needle;
            self.clears = log.clears;
            self.seqs.clear();
            self.scanned_to = 0;
        }
        while self.seqs.front().is_some_and(|s| *s < log.dropped) {
            self.seqs.pop_front();
        }
        for seq in self.scanned_to.max(log.dropped)..log.total() {
            let Some(d) = log.get((seq - log.dropped) as usize) else {
                break;
            };
            let hit = d.text.to_lowercase().contains(&self.needle)
                || d.explanation
                    .as_ref()
                    .is_some_and(|e| e.title.to_lowercase().contains(&self.needle));
            if hit {
                self.seqs.push_back(seq);
            }
        }
        self.scanned_to = log.total();
    }

    /// Matching lines.
    pub fn len(&self) -> usize {
        self.seqs.len()
    }

    /// No matching line.
    pub fn is_empty(&self) -> bool {
        self.seqs.is_empty()
    }

    /// The `i`-th matching line (0 = oldest kept).
    pub fn get<'a>(&self, log: &'a LogBuffer, i: usize) -> Option<&'a Decoded> {
        let seq = *self.seqs.get(i)?;
        log.get(usize::try_from(seq.checked_sub(log.dropped)?).ok()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::decode::{Level, Source};

    fn line(text: &str) -> Decoded {
        Decoded {
            text: text.into(),
            level: Level::Info,
            source: Source::Plain,
            event: None,
            explanation: None,
            symbol: None,
            broker: crate::monitor::Broker::Unknown,
        }
    }

    fn texts(v: &FilteredView, log: &LogBuffer) -> Vec<String> {
        (0..v.len())
            .map(|i| v.get(log, i).unwrap().text.clone())
            .collect()
    }

    #[test]
    fn filter_follows_new_lines_dropped_lines_and_changes() {
        let mut log = LogBuffer::new(4);
        let mut v = FilteredView::default();
        for t in ["tls a", "mqtt b", "TLS c"] {
            log.push(line(t));
        }
        v.update(&log, "tls");
        assert_eq!(texts(&v, &log), ["tls a", "TLS c"]);
        // Three more lines: the ring drops the two oldest, "tls a" among them.
        for t in ["x", "tls d", "y"] {
            log.push(line(t));
        }
        v.update(&log, "tls");
        assert_eq!(texts(&v, &log), ["TLS c", "tls d"]);
        v.update(&log, "y");
        assert_eq!(texts(&v, &log), ["y"]);
        log.clear();
        log.push(line("tls e"));
        v.update(&log, "y");
        assert!(v.is_empty());
        v.update(&log, "tls");
        assert_eq!(texts(&v, &log), ["tls e"]);
    }
}
