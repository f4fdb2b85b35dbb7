//! SLIP framing (RFC 1055) as the Espressif loaders use it: each packet between `0xC0`
//! bytes, `0xC0` sent as `DB DC` and `0xDB` as `DB DD`. The decoder takes bytes as they
//! arrive and yields whole frames; bytes outside a frame (the ROM's boot text) are dropped.

/// Frame delimiter.
pub const END: u8 = 0xC0;
const ESC: u8 = 0xDB;
const ESC_END: u8 = 0xDC;
const ESC_ESC: u8 = 0xDD;

/// `data` as one frame.
pub fn encode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 32 + 2);
    out.push(END);
    for &b in data {
        match b {
            END => out.extend_from_slice(&[ESC, ESC_END]),
            ESC => out.extend_from_slice(&[ESC, ESC_ESC]),
            b => out.push(b),
        }
    }
    out.push(END);
    out
}

/// Why a frame was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bad {
    /// `0xDB` followed by something other than `DC`/`DD`.
    Escape(u8),
    /// Longer than any packet the loaders send.
    TooLong,
}

/// Frames from a byte stream.
#[derive(Debug, Default)]
pub struct Decoder {
    frame: Vec<u8>,
    in_frame: bool,
    escaped: bool,
    broken: Option<Bad>,
}

/// The longest frame kept: a READ_FLASH data packet of 4 KiB plus headers, with room to
/// spare. Anything longer is noise.
const MAX_FRAME: usize = 64 * 1024;

impl Decoder {
    /// A decoder outside any frame.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed bytes; each complete frame (or the reason it was dropped) goes to `out`.
    pub fn push(&mut self, bytes: &[u8], out: &mut Vec<Result<Vec<u8>, Bad>>) {
        for &b in bytes {
            if !self.in_frame {
                if b == END {
                    self.in_frame = true;
                    self.frame.clear();
                    self.escaped = false;
                    self.broken = None;
                }
                continue;
            }
            if self.escaped {
                self.escaped = false;
                match b {
                    ESC_END => self.put(END),
                    ESC_ESC => self.put(ESC),
                    other => {
                        self.broken.get_or_insert(Bad::Escape(other));
                    }
                }
                continue;
            }
            match b {
                END if self.frame.is_empty() && self.broken.is_none() => {
                    // Two delimiters in a row: the second opens the frame.
                }
                END => {
                    self.in_frame = false;
                    out.push(match self.broken.take() {
                        Some(bad) => Err(bad),
                        None => Ok(std::mem::take(&mut self.frame)),
                    });
                }
                ESC => self.escaped = true,
                b => self.put(b),
            }
        }
    }

    fn put(&mut self, b: u8) {
        if self.frame.len() >= MAX_FRAME {
            self.broken.get_or_insert(Bad::TooLong);
        } else {
            self.frame.push(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8]) -> Vec<Result<Vec<u8>, Bad>> {
        let mut d = Decoder::new();
        let mut out = Vec::new();
        d.push(bytes, &mut out);
        out
    }

    #[test]
    fn escapes_round_trip() {
        let data = [0x01, 0xC0, 0xDB, 0xDC, 0xDD, 0x00];
        let wire = encode(&data);
        assert_eq!(
            wire,
            [0xC0, 0x01, 0xDB, 0xDC, 0xDB, 0xDD, 0xDC, 0xDD, 0x00, 0xC0]
        );
        assert_eq!(decode_all(&wire), vec![Ok(data.to_vec())]);
    }

    #[test]
    fn boot_text_between_frames_is_dropped_and_split_reads_join() {
        let mut wire = b"ets Jan  8 2013,rst cause:2\r\n".to_vec();
        wire.extend(encode(&[1, 2, 3]));
        wire.extend(b"noise");
        wire.extend(encode(&[4]));
        let mut d = Decoder::new();
        let mut out = Vec::new();
        for b in &wire {
            d.push(std::slice::from_ref(b), &mut out);
        }
        assert_eq!(out, vec![Ok(vec![1, 2, 3]), Ok(vec![4])]);
    }

    #[test]
    fn a_bad_escape_drops_only_its_frame() {
        let wire = [0xC0, 0x01, 0xDB, 0x00, 0xC0, 0xC0, 0x07, 0xC0];
        assert_eq!(
            decode_all(&wire),
            vec![Err(Bad::Escape(0x00)), Ok(vec![0x07])]
        );
    }
}
