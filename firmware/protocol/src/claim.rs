//! Fleet provisioning by claim, as the board speaks it to AWS IoT (the MQTT API of AWS IoT
//! fleet provisioning, JSON format): the topics, the two requests the board publishes and
//! the answers it reads. The board connects with the batch's claim certificate, subscribes
//! to the `accepted` and `rejected` topics first, publishes its own request
//! (`CreateCertificateFromCsr`: the key stays on the board), then asks the template to
//! provision the thing with the ownership token it got, and finally connects as itself.
//!
//! The JSON here is the small part of JSON these payloads use, read strictly: a top-level
//! object whose string and number members are kept (escapes decoded), nested objects and
//! arrays checked and skipped. Anything else is refused, never a panic.

use alloc::string::String;
use alloc::vec::Vec;

/// Where the board sends its request.
pub const CREATE_FROM_CSR: &str = "$aws/certificates/create-from-csr/json";

/// The topic of a template's provisioning requests.
pub fn provision_topic(template: &str) -> String {
    alloc::format!("$aws/provisioning-templates/{template}/provision/json")
}

/// The answer topics of a request topic: `(accepted, rejected)`.
pub fn answers(request: &str) -> (String, String) {
    (
        alloc::format!("{request}/accepted"),
        alloc::format!("{request}/rejected"),
    )
}

/// The `create-from-csr` request for a PEM CSR.
pub fn csr_request(csr_pem: &str) -> String {
    let mut s = String::from("{\"certificateSigningRequest\":");
    string(&mut s, csr_pem);
    s.push('}');
    s
}

/// The `provision` request: the ownership token and the template's parameters.
pub fn provision_request(token: &str, parameters: &[(&str, &str)]) -> String {
    let mut s = String::from("{\"certificateOwnershipToken\":");
    string(&mut s, token);
    s.push_str(",\"parameters\":{");
    for (i, (k, v)) in parameters.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        string(&mut s, k);
        s.push(':');
        string(&mut s, v);
    }
    s.push_str("}}");
    s
}

fn string(out: &mut String, v: &str) {
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&alloc::format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The DER of a PEM certificate (the one `create-from-csr` answers with).
pub fn certificate_der(pem: &str) -> Option<Vec<u8>> {
    let begin = "-----BEGIN CERTIFICATE-----";
    let end = "-----END CERTIFICATE-----";
    let start = pem.find(begin)? + begin.len();
    let stop = start + pem[start..].find(end)?;
    let body: String = pem[start..stop]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    crate::b64::decode(&body, crate::b64::STANDARD)
}

/// A PEM certificate request for a DER one (what `create-from-csr` takes).
pub fn csr_pem(der: &[u8]) -> String {
    let mut b64 = crate::b64::encode(der, crate::b64::STANDARD);
    // PEM keeps the padding `encode` leaves out.
    for _ in 0..(3 - der.len() % 3) % 3 {
        b64.push('=');
    }
    let mut pem = String::from("-----BEGIN CERTIFICATE REQUEST-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(core::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE REQUEST-----\n");
    pem
}

/// An answer AWS sent, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// `create-from-csr/accepted`.
    Certificate {
        /// Its id.
        id: String,
        /// The certificate, PEM.
        pem: String,
        /// What `provision` takes to prove this connection got it.
        token: String,
    },
    /// `provision/accepted`.
    Provisioned {
        /// The thing the template made.
        thing: String,
    },
    /// A `rejected` answer: AWS's error body.
    Rejected(Rejection),
}

/// AWS's error body on a `rejected` topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// HTTP-like status (400, 403, 500...).
    pub status: u16,
    /// AWS's code, e.g. `InvalidCertificateOwnershipToken`.
    pub code: String,
    /// AWS's message.
    pub message: String,
}

/// Why an answer could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// Not the JSON these answers are.
    #[error("the answer is not a JSON object")]
    NotJson,
    /// A member the answer always has is missing.
    #[error("the answer lacks its {0}")]
    Missing(&'static str),
}

/// Read an answer that arrived on `topic` (one of the [`answers`] topics).
pub fn read_answer(topic: &str, payload: &[u8]) -> Result<Answer, AnswerError> {
    let text = core::str::from_utf8(payload).map_err(|_| AnswerError::NotJson)?;
    let members = object(text).ok_or(AnswerError::NotJson)?;
    let get = |k: &str| {
        members
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let need = |k: &'static str| get(k).map(String::from).ok_or(AnswerError::Missing(k));
    if topic.ends_with("/rejected") {
        return Ok(Answer::Rejected(Rejection {
            status: get("statusCode")
                .and_then(|s| s.parse().ok())
                .ok_or(AnswerError::Missing("statusCode"))?,
            code: need("errorCode")?,
            message: get("errorMessage").map(String::from).unwrap_or_default(),
        }));
    }
    if topic.starts_with(CREATE_FROM_CSR) {
        return Ok(Answer::Certificate {
            id: need("certificateId")?,
            pem: need("certificatePem")?,
            token: need("certificateOwnershipToken")?,
        });
    }
    Ok(Answer::Provisioned {
        thing: need("thingName")?,
    })
}

/// The string and number members of a top-level object (nested values are checked and
/// skipped); `None` for anything that is not one well-formed object.
fn object(text: &str) -> Option<Vec<(String, String)>> {
    let mut p = Parser {
        b: text.as_bytes(),
        i: 0,
    };
    let mut out = Vec::new();
    p.ws();
    p.eat(b'{')?;
    p.ws();
    if p.peek() == Some(b'}') {
        p.i += 1;
    } else {
        loop {
            p.ws();
            let key = p.string()?;
            p.ws();
            p.eat(b':')?;
            p.ws();
            match p.peek()? {
                b'"' => out.push((key, p.string()?)),
                b'-' | b'0'..=b'9' => out.push((key, p.number()?)),
                _ => p.skip(0)?,
            }
            p.ws();
            match p.next()? {
                b',' => continue,
                b'}' => break,
                _ => return None,
            }
        }
    }
    p.ws();
    (p.i == p.b.len()).then_some(out)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.i += 1;
        }
    }
    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut out = String::new();
        loop {
            let c = self.next()?;
            match c {
                b'"' => return Some(out),
                b'\\' => {
                    let e = self.next()?;
                    out.push(match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = self.b.get(self.i..self.i + 4)?;
                            self.i += 4;
                            let n =
                                u32::from_str_radix(core::str::from_utf8(hex).ok()?, 16).ok()?;
                            // Surrogate pairs do not occur in these answers: refused.
                            char::from_u32(n)?
                        }
                        _ => return None,
                    });
                }
                c if c < 0x20 => return None,
                _ => {
                    // A whole UTF-8 character: the input is a str, so its bytes are valid.
                    let start = self.i - 1;
                    let len = match c {
                        0x00..=0x7F => 1,
                        0xC0..=0xDF => 2,
                        0xE0..=0xEF => 3,
                        _ => 4,
                    };
                    let ch = core::str::from_utf8(self.b.get(start..start + len)?).ok()?;
                    out.push_str(ch);
                    self.i = start + len;
                }
            }
        }
    }
    /// A JSON number, checked by its grammar (`-? int frac? exp?`) rather than parsed
    /// as a float: the board has no use for floats, and their parser is 4 KiB.
    fn number(&mut self) -> Option<String> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let digits = |p: &mut Self| {
            let from = p.i;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.i += 1;
            }
            p.i > from
        };
        if self.peek() == Some(b'0') {
            self.i += 1;
        } else if !digits(self) {
            return None;
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            digits(self).then_some(())?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            digits(self).then_some(())?;
        }
        core::str::from_utf8(&self.b[start..self.i])
            .ok()
            .map(String::from)
    }
    /// Skip one value (nested at most 16 deep).
    fn skip(&mut self, depth: u8) -> Option<()> {
        if depth > 16 {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'-' | b'0'..=b'9' => self.number().map(|_| ()),
            b't' => self.word(b"true"),
            b'f' => self.word(b"false"),
            b'n' => self.word(b"null"),
            open @ (b'{' | b'[') => {
                self.i += 1;
                let close = if open == b'{' { b'}' } else { b']' };
                self.ws();
                if self.peek() == Some(close) {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.ws();
                    if open == b'{' {
                        self.string()?;
                        self.ws();
                        self.eat(b':')?;
                    }
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.next()? {
                        b',' => continue,
                        c if c == close => return Some(()),
                        _ => return None,
                    }
                }
            }
            _ => None,
        }
    }
    fn word(&mut self, w: &[u8]) -> Option<()> {
        let got = self.b.get(self.i..self.i + w.len())?;
        self.i += w.len();
        (got == w).then_some(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    // The payloads as AWS's developer guide shows them (fleet-provision-api.html).
    const ACCEPTED: &str = r#"{
        "certificateOwnershipToken": "tok-123",
        "certificateId": "abcd1234",
        "certificatePem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    }"#;

    #[test]
    fn a_certificate_answer_reads_with_its_pem_unescaped() {
        let (ok, _) = answers(CREATE_FROM_CSR);
        assert_eq!(
            read_answer(&ok, ACCEPTED.as_bytes()).unwrap(),
            Answer::Certificate {
                id: "abcd1234".into(),
                pem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".into(),
                token: "tok-123".into(),
            }
        );
    }

    #[test]
    fn a_provisioned_answer_skips_the_device_configuration() {
        let topic = answers(&provision_topic("fleet")).0;
        let body = r#"{"deviceConfiguration":{"Fallback":"false","a":[1,{"b":null}]},"thingName":"shelf-01"}"#;
        assert_eq!(
            read_answer(&topic, body.as_bytes()).unwrap(),
            Answer::Provisioned {
                thing: "shelf-01".into()
            }
        );
    }

    #[test]
    fn a_rejection_reads_with_its_status_code_and_message() {
        let topic = answers(&provision_topic("fleet")).1;
        let body = r#"{"statusCode":400,"errorCode":"InvalidCertificateOwnershipToken","errorMessage":"Certificate ownership token cannot be empty."}"#;
        assert_eq!(
            read_answer(&topic, body.as_bytes()).unwrap(),
            Answer::Rejected(Rejection {
                status: 400,
                code: "InvalidCertificateOwnershipToken".into(),
                message: "Certificate ownership token cannot be empty.".into(),
            })
        );
    }

    #[test]
    fn requests_are_json_with_their_text_escaped() {
        let r = csr_request("-----BEGIN CERTIFICATE REQUEST-----\nMII\"x\n");
        assert_eq!(
            r,
            r#"{"certificateSigningRequest":"-----BEGIN CERTIFICATE REQUEST-----\nMII\"x\n"}"#
        );
        let p = provision_request("t\\1", &[("Mac", "240ac4000001")]);
        assert_eq!(
            p,
            r#"{"certificateOwnershipToken":"t\\1","parameters":{"Mac":"240ac4000001"}}"#
        );
        // What we write, we read (the string members of the top level).
        assert_eq!(
            object(&r).unwrap()[0].1,
            "-----BEGIN CERTIFICATE REQUEST-----\nMII\"x\n"
        );
    }

    #[test]
    fn pem_bodies_round_trip_through_the_standard_alphabet() {
        for n in 0..70usize {
            let der: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            let pem = csr_pem(&der);
            let cert = pem.replace("CERTIFICATE REQUEST", "CERTIFICATE");
            assert_eq!(certificate_der(&cert).unwrap(), der, "{n}");
        }
        assert_eq!(certificate_der("no pem here"), None);
    }

    #[test]
    fn what_is_not_one_object_is_refused() {
        for bad in [
            "",
            "[]",
            "{",
            r#"{"a":}"#,
            r#"{"a":"b"} x"#,
            r#"{"a":"\q"}"#,
            r#"{"a":tru}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":-}"#,
            r#"{"a":1e}"#,
            "{\"a\":\"\u{1}\"}",
        ] {
            assert_eq!(object(bad), None, "{bad:?}");
        }
        let mut deep = String::from("{\"a\":");
        deep.push_str(&"[".repeat(40));
        deep.push_str(&"]".repeat(40));
        deep.push('}');
        assert_eq!(object(&deep), None);
        assert_eq!(
            read_answer(CREATE_FROM_CSR, br#"{"certificateId":"x"}"#),
            Err(AnswerError::Missing("certificatePem"))
        );
    }
}
