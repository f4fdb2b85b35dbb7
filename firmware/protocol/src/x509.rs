//! Just enough X.509 for the board to describe its own certificate in the `creds.ok`
//! event: subject CN, validity end and key type. A bounded DER walk, no allocation
//! beyond the returned strings, no panics on any input. Full validation stays with the
//! TLS library and, before flashing, with the app.

use alloc::format;
use alloc::string::String;

/// What the board reports about a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertSummary {
    /// Subject common name (empty when the subject has none).
    pub cn: String,
    /// End of validity, RFC 3339 UTC (`2049-12-31T23:59:59Z`).
    pub not_after: String,
    /// Start of validity, RFC 3339 UTC.
    pub not_before: String,
    /// `rsa-2048`, `ec-p256`, `ec-p384`, `ec-p521` or `other`.
    pub key: String,
}

/// One DER element: (tag, contents, rest).
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 {
            return None;
        }
        let (bytes, tail) = rest.split_at_checked(n)?;
        rest = tail;
        bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    let (contents, rest) = rest.split_at_checked(len)?;
    Some((tag, contents, rest))
}

fn expect(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (t, c, r) = element(input)?;
    (t == tag).then_some((c, r))
}

const SEQUENCE: u8 = 0x30;
const OID_CN: &[u8] = &[0x55, 0x04, 0x03];
const OID_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
const OID_EC: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x22];
const OID_P521: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x23];

fn time(input: &[u8]) -> Option<(String, &[u8])> {
    let (tag, c, rest) = element(input)?;
    let digits = core::str::from_utf8(c).ok()?;
    let (year, body) = match tag {
        0x17 if c.len() == 13 => {
            let yy: u32 = digits.get(..2)?.parse().ok()?;
            (
                if yy >= 50 { 1900 + yy } else { 2000 + yy },
                digits.get(2..12)?,
            )
        }
        0x18 if c.len() == 15 => (digits.get(..4)?.parse().ok()?, digits.get(4..14)?),
        _ => return None,
    };
    if !body.bytes().all(|b| b.is_ascii_digit()) || !digits.ends_with('Z') {
        return None;
    }
    let f = |i: usize| body.get(i..i + 2);
    Some((
        format!(
            "{year:04}-{}-{}T{}:{}:{}Z",
            f(0)?,
            f(2)?,
            f(4)?,
            f(6)?,
            f(8)?
        ),
        rest,
    ))
}

fn common_name(mut name: &[u8]) -> Option<String> {
    while !name.is_empty() {
        let (set, rest) = expect(name, 0x31)?;
        name = rest;
        let mut set = set;
        while !set.is_empty() {
            let (attr, rest) = expect(set, SEQUENCE)?;
            set = rest;
            let (oid, value) = expect(attr, 0x06)?;
            if oid == OID_CN {
                let (_, v, _) = element(value)?;
                return Some(String::from(core::str::from_utf8(v).ok()?));
            }
        }
    }
    Some(String::new())
}

fn key_type(spki: &[u8]) -> Option<String> {
    let (alg, rest) = expect(spki, SEQUENCE)?;
    let (oid, params) = expect(alg, 0x06)?;
    if oid == OID_RSA {
        let (bits, _) = expect(rest, 0x03)?;
        let (rsa, _) = expect(bits.get(1..)?, SEQUENCE)?;
        let (modulus, _) = expect(rsa, 0x02)?;
        let m = modulus
            .iter()
            .position(|b| *b != 0)
            .map_or(&[][..], |i| &modulus[i..]);
        let top = u32::from(*m.first()?);
        let n = (m.len() as u32 - 1) * 8 + (32 - top.leading_zeros());
        return Some(format!("rsa-{n}"));
    }
    if oid == OID_EC {
        let (curve, _) = expect(params, 0x06)?;
        return Some(String::from(match curve {
            c if c == OID_P256 => "ec-p256",
            c if c == OID_P384 => "ec-p384",
            c if c == OID_P521 => "ec-p521",
            _ => "ec-other",
        }));
    }
    Some(String::from("other"))
}

/// The public key a DER certificate carries: its `SubjectPublicKeyInfo`'s BIT STRING
/// (SEC1 for an EC key), to hold against the key the board keeps.
pub fn public_key(der: &[u8]) -> Option<&[u8]> {
    let (cert, _) = expect(der, SEQUENCE)?;
    let (tbs, _) = expect(cert, SEQUENCE)?;
    let mut rest = tbs;
    if rest.first() == Some(&0xA0) {
        rest = element(rest)?.2;
    }
    rest = element(rest)?.2; // serial
    rest = expect(rest, SEQUENCE)?.1; // signature algorithm
    rest = expect(rest, SEQUENCE)?.1; // issuer
    rest = expect(rest, SEQUENCE)?.1; // validity
    rest = expect(rest, SEQUENCE)?.1; // subject
    let (spki, _) = expect(rest, SEQUENCE)?;
    let (_, bits) = expect(spki, SEQUENCE)?;
    let (bits, _) = expect(bits, 0x03)?;
    match bits.split_first() {
        Some((0, key)) => Some(key),
        _ => None,
    }
}

/// Read the facts from a DER certificate; `None` when it is not one.
pub fn summarize(der: &[u8]) -> Option<CertSummary> {
    let (cert, _) = expect(der, SEQUENCE)?;
    let (tbs, _) = expect(cert, SEQUENCE)?;
    let mut rest = tbs;
    if rest.first() == Some(&0xA0) {
        rest = element(rest)?.2; // [0] version
    }
    rest = element(rest)?.2; // serial
    rest = expect(rest, SEQUENCE)?.1; // signature algorithm
    rest = expect(rest, SEQUENCE)?.1; // issuer
    let (validity, after_validity) = expect(rest, SEQUENCE)?;
    let (not_before, v) = time(validity)?;
    let (not_after, _) = time(v)?;
    let (subject, after_subject) = expect(after_validity, SEQUENCE)?;
    let (spki, _) = expect(after_subject, SEQUENCE)?;
    Some(CertSummary {
        cn: common_name(subject)?,
        not_after,
        not_before,
        key: key_type(spki)?,
    })
}
