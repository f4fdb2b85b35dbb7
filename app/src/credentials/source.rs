//! Credentials kept inside C, C++ and Arduino source (`secrets.h`, a sketch, an `xxd -i`
//! header): the string literals and byte arrays that hold them, decoded as the compiler
//! would, each named after the variable or macro that holds it.
//!
//! This is a lexer, not a parser: it knows comments, string literals (escapes, prefixes,
//! raw strings with any delimiter), character literals, `#define`, line continuations
//! and adjacent-literal concatenation, which is all a certificate in a sketch is made of.
//! What it finds is handed back to [`super::input::shape`] like the bytes of a file.

use base64::Engine as _;
use zeroize::Zeroizing;

/// One string (adjacent literals joined) or byte array found in a source file.
pub struct Literal {
    /// The variable, macro or call that holds it (`AWS_CERT_CRT`, `setCACert(...)`).
    pub name: Option<String>,
    /// 1-based line of its first token.
    pub line: usize,
    /// Its bytes, escapes decoded (what the program sees at run time).
    pub value: Zeroizing<Vec<u8>>,
    /// It came from a brace list of numbers (`{0x30, 0x82, ...}`), not a string.
    pub array: bool,
}

impl Literal {
    /// How the user knows it: "`AWS_CERT_CRT` in secrets.h", or the line when unnamed.
    pub fn describe(&self, file: &str) -> String {
        match &self.name {
            Some(n) => format!("{n} in {file}"),
            None => format!("{file} line {}", self.line),
        }
    }

    /// Whether it plausibly holds a certificate or key: a PEM block, a long base64 body,
    /// or a byte array that starts like DER.
    pub fn holds_credentials(&self) -> bool {
        if self.array {
            return self.value.len() >= 64 && self.value.first() == Some(&0x30);
        }
        contains(&self.value, b"-----BEGIN ") || bare_base64(&self.value).is_some()
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A base64 body without BEGIN/END lines (an old ESP8266 sketch form), decoded, when
/// it is long enough to be a key or certificate and decodes to something DER-shaped.
pub fn bare_base64(value: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let compact: Zeroizing<Vec<u8>> = Zeroizing::new(
        value
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect(),
    );
    // The shortest credential is an EC P-256 key: 121 bytes, 164 base64 characters.
    if compact.len() < 160
        || !compact
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return None;
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(compact.as_slice())
        .ok()?;
    (der.first() == Some(&0x30)).then(|| Zeroizing::new(der))
}

#[derive(Debug, PartialEq)]
enum Tok {
    Ident(String),
    Num(String),
    Punct(u8),
    /// A string literal's decoded bytes and its line.
    Str(Zeroizing<Vec<u8>>, usize),
    /// Where one statement or directive ends (`;`, `{`, `}` or the end of a `#define`).
    Break,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}
fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Every string-literal group and numeric byte array in `text`, in order.
pub fn literals(text: &[u8]) -> Vec<Literal> {
    let toks = lex(text);
    let mut out = Vec::new();
    let mut define: Option<(usize, String)> = None; // token index of the name, name
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Break => define = None,
            Tok::Punct(b'#') => {
                if let (Some(Tok::Ident(d)), Some(Tok::Ident(name))) =
                    (toks.get(i + 1), toks.get(i + 2))
                    && d == "define"
                {
                    define = Some((i + 2, name.clone()));
                }
            }
            Tok::Str(_, line) => {
                let line = *line;
                let start = i;
                let mut value = Zeroizing::new(Vec::new());
                while let Some(Tok::Str(v, _)) = toks.get(i) {
                    value.extend_from_slice(v);
                    i += 1;
                }
                let name = match &define {
                    Some((at, name)) if *at < start => Some(name.clone()),
                    _ => name_before(&toks[..start]),
                };
                out.push(Literal {
                    name,
                    line,
                    value,
                    array: false,
                });
                continue;
            }
            Tok::Punct(b'{') => {
                if let Some((bytes, end)) = byte_array(&toks, i + 1) {
                    out.push(Literal {
                        name: name_before(&toks[..i]),
                        line: 0,
                        value: Zeroizing::new(bytes),
                        array: true,
                    });
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The name a literal or array is assigned to, looking back within its statement:
/// `const char NAME[] PROGMEM = ...`, `String NAME = F(...)`, or a call `setCACert(...)`.
fn name_before(toks: &[Tok]) -> Option<String> {
    const SKIP: &[&str] = &["PROGMEM", "F", "PSTR", "FPSTR", "String", "const", "static"];
    let mut seen_eq = false;
    for t in toks.iter().rev().take(16) {
        match t {
            Tok::Break | Tok::Str(..) => return None,
            Tok::Punct(b'=') => seen_eq = true,
            Tok::Punct(b'(') if !seen_eq => {
                // Only a call when the token before the paren is a function name.
                continue;
            }
            Tok::Punct(b'[' | b']' | b'*' | b'(' | b')' | b'&') | Tok::Num(_) => {}
            Tok::Ident(id) if SKIP.contains(&id.as_str()) => {}
            Tok::Ident(id) if seen_eq => return Some(id.clone()),
            Tok::Ident(id) => {
                // `setCACert("...")`: the call that receives the literal.
                return Some(format!("{id}(...)"));
            }
            _ => return None,
        }
    }
    None
}

/// `{ 0x30, 0x82, ... }` starting just after the brace: the bytes and the index after
/// the closing brace, when every element is a number from 0 to 255.
fn byte_array(toks: &[Tok], mut i: usize) -> Option<(Vec<u8>, usize)> {
    let mut bytes = Vec::new();
    loop {
        match toks.get(i)? {
            Tok::Num(n) => bytes.push(parse_byte(n)?),
            Tok::Punct(b'}') => return (!bytes.is_empty()).then_some((bytes, i + 1)),
            _ => return None,
        }
        i += 1;
        match toks.get(i)? {
            Tok::Punct(b',') => i += 1,
            Tok::Punct(b'}') => return Some((bytes, i + 1)),
            _ => return None,
        }
    }
}

fn parse_byte(n: &str) -> Option<u8> {
    let n = n.trim_end_matches(['u', 'U']);
    if let Some(hex) = n.strip_prefix("0x").or_else(|| n.strip_prefix("0X")) {
        u8::from_str_radix(hex, 16).ok()
    } else if n.len() > 1 && n.starts_with('0') {
        u8::from_str_radix(&n[1..], 8).ok()
    } else {
        n.parse().ok()
    }
}

fn lex(s: &[u8]) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let mut in_directive = false;
    let mut line_start = true;
    while i < s.len() {
        let b = s[i];
        match b {
            b'\n' => {
                line += 1;
                if in_directive {
                    toks.push(Tok::Break);
                    in_directive = false;
                }
                line_start = true;
                i += 1;
                continue;
            }
            b'\\' if s.get(i + 1) == Some(&b'\n') => {
                line += 1;
                i += 2;
                continue;
            }
            b'\\' if s.get(i + 1) == Some(&b'\r') && s.get(i + 2) == Some(&b'\n') => {
                line += 1;
                i += 3;
                continue;
            }
            _ if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let at_line_start = std::mem::replace(&mut line_start, false);
        if s[i..].starts_with(b"//") {
            while i < s.len() && s[i] != b'\n' {
                i += 1;
            }
        } else if s[i..].starts_with(b"/*") {
            i += 2;
            while i < s.len() && !s[i..].starts_with(b"*/") {
                line += usize::from(s[i] == b'\n');
                i += 1;
            }
            i = (i + 2).min(s.len());
        } else if b == b'"' {
            let (value, end, lines) = string(s, i + 1);
            line += lines;
            if let Some(v) = value {
                toks.push(Tok::Str(v, line - lines));
            }
            i = end;
        } else if b == b'\'' {
            i = char_literal(s, i + 1);
        } else if b == b'#' && at_line_start {
            in_directive = true;
            toks.push(Tok::Punct(b'#'));
            i += 1;
        } else if is_ident_start(b) {
            let start = i;
            while i < s.len() && is_ident(s[i]) {
                i += 1;
            }
            let word = &s[start..i];
            // Raw string: R"delim( ... )delim", with an optional encoding prefix.
            if matches!(word, b"R" | b"LR" | b"uR" | b"UR" | b"u8R") && s.get(i) == Some(&b'"') {
                let (value, end, lines) = raw_string(s, i + 1);
                line += lines;
                if let Some(v) = value {
                    toks.push(Tok::Str(v, line - lines));
                }
                i = end;
            } else if matches!(word, b"L" | b"u" | b"U" | b"u8") && s.get(i) == Some(&b'"') {
                // An encoding prefix on an ordinary literal: the next loop reads it.
            } else {
                toks.push(Tok::Ident(String::from_utf8_lossy(word).into_owned()));
            }
        } else if b.is_ascii_digit() {
            let start = i;
            while i < s.len() && (is_ident(s[i]) || s[i] == b'.' || s[i] == b'\'') {
                i += 1;
            }
            toks.push(Tok::Num(String::from_utf8_lossy(&s[start..i]).into_owned()));
        } else {
            // `;` ends a statement; braces stay tokens because byte arrays live in them
            // (`name_before` stops at them all the same).
            toks.push(if b == b';' { Tok::Break } else { Tok::Punct(b) });
            i += 1;
        }
    }
    toks
}

/// An ordinary string literal starting after its quote: decoded bytes (`None` when it is
/// cut off by a line end: not C), the index after it, and the lines it spliced.
fn string(s: &[u8], mut i: usize) -> (Option<Zeroizing<Vec<u8>>>, usize, usize) {
    let mut out = Zeroizing::new(Vec::new());
    let mut lines = 0;
    while i < s.len() {
        match s[i] {
            b'"' => return (Some(out), i + 1, lines),
            b'\n' => return (None, i, lines),
            b'\\' => {
                i += 1;
                let Some(&c) = s.get(i) else { break };
                i += 1;
                match c {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'a' => out.push(7),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'v' => out.push(11),
                    b'\n' => lines += 1, // a line splice inside the literal
                    b'\r' if s.get(i) == Some(&b'\n') => {
                        i += 1;
                        lines += 1;
                    }
                    b'x' => {
                        let start = i;
                        while i < s.len() && s[i].is_ascii_hexdigit() {
                            i += 1;
                        }
                        let digits = std::str::from_utf8(&s[start..i]).unwrap_or("");
                        // Wider than a byte is not representable in a char string; keep the low byte.
                        let v = u32::from_str_radix(digits, 16).unwrap_or(0);
                        out.push((v & 0xFF) as u8);
                    }
                    b'0'..=b'7' => {
                        let mut v = u32::from(c - b'0');
                        for _ in 0..2 {
                            match s.get(i) {
                                Some(d @ b'0'..=b'7') => {
                                    v = v * 8 + u32::from(d - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push((v & 0xFF) as u8);
                    }
                    // \\ \" \' \? and anything unknown stand for themselves.
                    other => out.push(other),
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    (None, i, lines)
}

/// A raw string after `R"`: `delim( ... )delim"`.
fn raw_string(s: &[u8], i: usize) -> (Option<Zeroizing<Vec<u8>>>, usize, usize) {
    let Some(open) = s[i..].iter().take(17).position(|&b| b == b'(') else {
        return (None, i, 0);
    };
    let delim = &s[i..i + open];
    if delim
        .iter()
        .any(|b| b.is_ascii_whitespace() || matches!(b, b'\\' | b')' | b'"'))
    {
        return (None, i, 0);
    }
    let body = i + open + 1;
    let mut close = Vec::with_capacity(delim.len() + 2);
    close.push(b')');
    close.extend_from_slice(delim);
    close.push(b'"');
    match s[body..].windows(close.len()).position(|w| w == close) {
        Some(len) => {
            let value = &s[body..body + len];
            let lines = value.iter().filter(|&&b| b == b'\n').count();
            (
                Some(Zeroizing::new(value.to_vec())),
                body + len + close.len(),
                lines,
            )
        }
        None => (None, s.len(), 0),
    }
}

/// Skip a character literal (so `'"'` does not open a string); after its opening quote.
fn char_literal(s: &[u8], mut i: usize) -> usize {
    let start = i;
    while i < s.len() && i - start < 12 {
        match s[i] {
            b'\\' => i += 2,
            b'\'' => return i + 1,
            b'\n' => return i,
            _ => i += 1,
        }
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(src: &str) -> Vec<(Option<String>, String)> {
        literals(src.as_bytes())
            .into_iter()
            .map(|l| (l.name, String::from_utf8_lossy(&l.value).into_owned()))
            .collect()
    }

    #[test]
    fn define_with_continuations_and_escapes() {
        let src = "#define AWS_CERT \"-----BEGIN X----- \\r\\n\" \\\n  \"AA\\\"BB\\\\\\n\" \\\n  \"-----END X-----\"\nint x = 1;";
        assert_eq!(
            values(src),
            [(
                Some("AWS_CERT".into()),
                "-----BEGIN X----- \r\nAA\"BB\\\n-----END X-----".into()
            )]
        );
    }

    #[test]
    fn assignment_names_and_progmem_and_raw_strings() {
        let src = r#"
// const char old[] = "commented out";
/* "also a comment" */
static const char AWS_CERT_CA[] PROGMEM = R"EOF(
line "with" quotes)
)EOF";
const char* certificate_pem_crt = \
"a\n" \
"b\n";
char c = '"'; const String s = F("x");
client.setCACert("root");
"#;
        assert_eq!(
            values(src),
            [
                (
                    Some("AWS_CERT_CA".into()),
                    "\nline \"with\" quotes)\n".into()
                ),
                (Some("certificate_pem_crt".into()), "a\nb\n".into()),
                (Some("s".into()), "x".into()),
                (Some("setCACert(...)".into()), "root".into()),
            ]
        );
    }

    #[test]
    fn octal_hex_and_prefixed_literals() {
        assert_eq!(
            values(r#"x = u8"\101\x42" L"C";"#),
            [(Some("x".into()), "ABC".into())]
        );
    }

    #[test]
    fn xxd_byte_arrays() {
        let src = "unsigned char cert_der[] = {\n  0x30, 0x82, 0x01,\n 255, 010 };\nunsigned int cert_der_len = 5;";
        let l = literals(src.as_bytes());
        assert_eq!(l.len(), 1);
        assert!(l[0].array);
        assert_eq!(l[0].name.as_deref(), Some("cert_der"));
        assert_eq!(*l[0].value, [0x30, 0x82, 0x01, 255, 8]);
    }

    #[test]
    fn unterminated_and_garbage_never_panic() {
        for src in [
            "\"abc", "R\"abc", "R\"(abc", "'", "\"\\", "\"\\x", "#define", "{0x30,", "/*",
        ] {
            let _ = literals(src.as_bytes());
        }
    }
}
