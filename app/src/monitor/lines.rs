//! Raw serial bytes to text lines: UTF-8 split across reads is joined, invalid bytes
//! are replaced (never dropped silently), `\r\n` and lone `\r` end lines, very long lines
//! are cut, and a stream that is mostly noise is reported as a probable baud mismatch.

/// Longest line kept; the rest of a longer line is cut (and marked).
pub const MAX_LINE_LEN: usize = 4096;
/// Window over which the noise ratio is measured.
const NOISE_WINDOW: usize = 512;

/// What the assembler produced from a chunk of bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// A complete line, without its line ending.
    Line(String),
    /// The stream looks like the wrong baud rate.
    NoiseDetected,
}

/// Stateful line assembler.
#[derive(Default)]
pub struct LineAssembler {
    buf: Vec<u8>,
    truncated: bool,
    last_was_cr: bool,
    window_bytes: usize,
    window_noise: usize,
    noise_reported: bool,
}

const fn is_noise(b: u8) -> bool {
    // Control bytes other than tab/CR/LF/ESC, and bytes that cannot start or continue
    // UTF-8 (0xC0, 0xC1, 0xF5..) are what a wrong baud rate produces.
    (b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n' | 0x1B))
        || b == 0x7F
        || b == 0xC0
        || b == 0xC1
        || b >= 0xF5
}

/// [`is_noise`] for every byte value, looked up: the count runs over every byte of the log.
static NOISE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = is_noise(b as u8) as u8;
        b += 1;
    }
    t
};

/// How many bytes of a run are noise.
fn noise_count(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .map(|&b| usize::from(NOISE[usize::from(b)]))
        .sum()
}

/// Bytes as text: invalid UTF-8 replaced, never dropped.
fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

impl LineAssembler {
    /// A new assembler.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed bytes; complete lines come out. Runs between line endings are found with
    /// `memchr` and copied whole: this is the first thing every byte of a log meets.
    pub fn push(&mut self, bytes: &[u8], out: &mut Vec<Piece>) {
        let mut rest = bytes;
        while !rest.is_empty() {
            let end = memchr::memchr2(b'\n', b'\r', rest);
            let run = &rest[..end.unwrap_or(rest.len())];
            let eol = end.map(|i| rest[i]);
            let consumed = run.len() + usize::from(eol.is_some());
            // Noise is counted before the line is emitted, byte for byte as it arrives.
            self.count(&rest[..consumed], out);
            // Most lines arrive whole within one read: made into their string straight
            // from the input, with one allocation of their size and no copy through `buf`.
            let whole = eol.is_some() && self.buf.is_empty() && run.len() <= MAX_LINE_LEN;
            if !run.is_empty() {
                self.last_was_cr = false;
                if !whole {
                    let keep = MAX_LINE_LEN.saturating_sub(self.buf.len()).min(run.len());
                    self.buf.extend_from_slice(&run[..keep]);
                    if keep < run.len() {
                        self.truncated = true;
                    }
                }
            }
            match eol {
                Some(b'\n') if self.last_was_cr => self.last_was_cr = false,
                Some(b) => {
                    self.last_was_cr = b == b'\r';
                    let line = if whole { text(run) } else { self.take() };
                    out.push(Piece::Line(line));
                }
                None => {}
            }
            rest = &rest[consumed..];
        }
    }

    /// Emit what is buffered as a last line (at end of input).
    pub fn finish(&mut self, out: &mut Vec<Piece>) {
        if !self.buf.is_empty() {
            out.push(Piece::Line(self.take()));
        }
    }

    /// Forget a partial line and the noise statistics (after a reconnect).
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// Count noise over `bytes`, judging each full window of [`NOISE_WINDOW`] bytes.
    fn count(&mut self, mut bytes: &[u8], out: &mut Vec<Piece>) {
        while !bytes.is_empty() {
            let take = (NOISE_WINDOW - self.window_bytes).min(bytes.len());
            self.window_noise += noise_count(&bytes[..take]);
            self.window_bytes += take;
            bytes = &bytes[take..];
            if self.window_bytes == NOISE_WINDOW {
                if self.window_noise * 100 / NOISE_WINDOW >= 15 {
                    if !self.noise_reported {
                        self.noise_reported = true;
                        out.push(Piece::NoiseDetected);
                    }
                } else {
                    self.noise_reported = false;
                }
                self.window_bytes = 0;
                self.window_noise = 0;
            }
        }
    }

    /// The buffered line; `buf` keeps its capacity for the next one.
    fn take(&mut self) -> String {
        let mut line = text(&self.buf);
        self.buf.clear();
        if std::mem::take(&mut self.truncated) {
            line.push_str(" [line cut at 4096 bytes]");
        }
        line
    }
}

/// What to suggest when the stream is noise.
pub const NOISE_HINT: &str = "the serial data looks like noise: the baud rate is probably wrong. thingflash firmware and the ESP32-C3/C6 ROM use 115200; an ESP8266's boot messages use 74880";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_branch_free_count_is_the_noise_rule() {
        for b in 0..=255u8 {
            assert_eq!(noise_count(&[b]), usize::from(is_noise(b)), "{b:#04x}");
        }
    }

    fn lines(chunks: &[&[u8]]) -> Vec<Piece> {
        let mut a = LineAssembler::new();
        let mut out = Vec::new();
        for c in chunks {
            a.push(c, &mut out);
        }
        a.finish(&mut out);
        out
    }

    fn l(s: &str) -> Piece {
        Piece::Line(s.into())
    }

    #[test]
    fn crlf_cr_lf_and_split_utf8() {
        let snow = "☃".as_bytes();
        assert_eq!(
            lines(&[b"a\r", b"\nb\rc\n", &snow[..1], &snow[1..], b"\n"]),
            [l("a"), l("b"), l("c"), l("☃")]
        );
    }

    #[test]
    fn invalid_bytes_are_replaced_and_long_lines_cut() {
        assert_eq!(lines(&[b"ok\xFFok\n"]), [l("ok\u{FFFD}ok")]);
        let long = vec![b'x'; MAX_LINE_LEN + 10];
        let Piece::Line(s) = &lines(&[&long])[0] else {
            panic!()
        };
        assert!(s.ends_with("[line cut at 4096 bytes]"));
        assert_eq!(s.len(), MAX_LINE_LEN + " [line cut at 4096 bytes]".len());
    }

    #[test]
    fn noise_is_reported_once() {
        let noise: Vec<u8> = (0..4096u32).map(|i| (i * 37 % 256) as u8).collect();
        let out = lines(&[&noise]);
        assert_eq!(
            out.iter().filter(|p| **p == Piece::NoiseDetected).count(),
            1
        );
        let clean = lines(&[&b"[tf1] wifi.disconnected reason=8\n".repeat(100)]);
        assert!(!clean.contains(&Piece::NoiseDetected));
    }
}
