//! Searching log lines fast: a substring by its first byte, and a number where a
//! library prints one. Every part of the decoder runs these on every line.

/// Whether `needle` occurs in `hay`: a `memchr` for its first byte, then a compare.
/// `str::contains` sets up a searcher on every call, which costs more than the search on
/// a 60-byte log line; the decoder asks this of every line.
pub fn has(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = n.split_first() else {
        return true;
    };
    memchr::memchr_iter(first, h).any(|i| h.get(i + 1..i + n.len()) == Some(rest))
}

/// Where `needle` first occurs in `hay` (see [`has`]).
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = n.split_first() else {
        return Some(0);
    };
    memchr::memchr_iter(first, h).find(|&i| h.get(i + 1..i + n.len()) == Some(rest))
}

/// The signed hex or decimal number at the start of `s` (after spaces).
pub fn number_at(s: &str) -> Option<i64> {
    let s = s.trim_start();
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let v = if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        let end = hex
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(hex.len());
        i64::from_str_radix(hex.get(..end.min(16))?, 16).ok()?
    } else {
        let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        s.get(..end.min(18))?.parse().ok()?
    };
    Some(if neg { -v } else { v })
}
