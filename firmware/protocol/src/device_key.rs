//! A key born on the board. thingflash's firmware makes an EC P-256 key on its first boot
//! (from the chip's true random source), keeps it in a partition of its own that the app
//! never reads or writes, and prints a PKCS#10 certificate request (CSR) for it as a
//! `csr.ready` event, so that a certificate can be made for the key without the key ever
//! leaving the chip. This module is that record, the key's encodings for mbedTLS and the
//! CSR; the same `no_std` code runs on the board and, in the tests, on the host.
//!
//! The record (one flash sector at the start of the `tf_key` partition):
//!
//! ```text
//! 0   4  magic "TFK1"
//! 4   1  version (1)
//! 5   1  algorithm (1: EC P-256)
//! 6   2  zero
//! 8   32 private scalar, big-endian
//! 40  65 public key, SEC1 uncompressed (04 || X || Y)
//! 105 3  zero
//! 108 4  CRC-32 (zlib, seed 0xFFFFFFFF as the esp_secure_cert records) of bytes 0..108
//! ```
//!
//! An erased sector (all 0xFF) is [`KeyState::Blank`]: the firmware makes a key. Anything
//! else that is not a whole, consistent record is [`KeyState::Damaged`]: the firmware
//! reports it and makes no second key silently (its certificate would stop working).

use alloc::string::String;
use alloc::vec::Vec;

use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use zeroize::Zeroizing;

/// The key partition's label in the partition table.
pub const PARTITION_LABEL: &str = "tf_key";
/// Its type: 0x40, the first of the types ESP-IDF leaves to applications (0x40-0xFE);
/// `esp_secure_cert` uses 0x3F.
pub const PARTITION_TYPE: u8 = 0x40;
/// Its subtype.
pub const PARTITION_SUBTYPE: u8 = 0x00;
/// Its size: one flash sector.
pub const PARTITION_SIZE: u32 = 0x1000;

/// The record's length; the rest of the sector stays erased.
pub const RECORD_LEN: usize = 112;
const MAGIC: &[u8; 4] = b"TFK1";
const VERSION: u8 = 1;
const ALG_P256: u8 = 1;

/// The longest common name a CSR carries (AWS thing names are at most 128 characters).
pub const MAX_CN: usize = 128;

/// Why a key record cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Shorter than a record.
    #[error("the key partition is shorter than a key record")]
    Short,
    /// Not a thingflash key record.
    #[error("the key partition holds something other than a thingflash key record")]
    Foreign,
    /// A version or algorithm this firmware does not know.
    #[error("the key record is of a version or algorithm this firmware does not know")]
    Unknown,
    /// The CRC does not match: half-written or damaged.
    #[error("the key record's checksum does not match: it is damaged or half-written")]
    Checksum,
    /// The numbers are not a P-256 key, or the public key is not the private key's.
    #[error("the key record does not hold a consistent P-256 key")]
    Inconsistent,
}

/// What the key partition holds.
#[derive(Debug)]
pub enum KeyState {
    /// Erased: no key yet.
    Blank,
    /// A key.
    Present(DeviceKey),
    /// Something that is not a usable key: reported, never replaced silently.
    Damaged(KeyError),
}

/// The board's private key. Its bytes are wiped when it is dropped; it has no `Display`,
/// and its `Debug` shows only the public key.
pub struct DeviceKey {
    secret: p256::SecretKey,
}

impl core::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DeviceKey")
            .field("public", &Hex(&self.public_sec1()))
            .finish_non_exhaustive()
    }
}

struct Hex<'a>(&'a [u8]);

impl core::fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// The esp_secure_cert records' CRC, so that one checksum means one thing in this crate.
fn crc(bytes: &[u8]) -> u32 {
    crate::tlv::crc32(bytes)
}

impl DeviceKey {
    /// Make a key from random bytes: `fill` is called until its 32 bytes are a valid
    /// P-256 scalar (all but a 2^-32 fraction are). On the board `fill` is the TRNG.
    pub fn generate(mut fill: impl FnMut(&mut [u8])) -> Self {
        loop {
            let mut bytes = Zeroizing::new([0u8; 32]);
            fill(&mut bytes[..]);
            if let Ok(secret) = p256::SecretKey::from_slice(&bytes[..]) {
                return Self { secret };
            }
        }
    }

    /// The public key, SEC1 uncompressed (65 bytes).
    pub fn public_sec1(&self) -> [u8; 65] {
        let point = self.secret.public_key().to_encoded_point(false);
        let mut out = [0u8; 65];
        out.copy_from_slice(point.as_bytes());
        out
    }

    /// The record to store in the key partition.
    pub fn record(&self) -> Zeroizing<[u8; RECORD_LEN]> {
        let mut r = Zeroizing::new([0u8; RECORD_LEN]);
        r[0..4].copy_from_slice(MAGIC);
        r[4] = VERSION;
        r[5] = ALG_P256;
        r[8..40].copy_from_slice(&self.secret.to_bytes());
        r[40..105].copy_from_slice(&self.public_sec1());
        let sum = crc(&r[..108]);
        r[108..112].copy_from_slice(&sum.to_le_bytes());
        r
    }

    /// The key as mbedTLS reads it: SEC1 `ECPrivateKey` DER with the curve and the public
    /// key. Wiped when dropped.
    pub fn private_der(&self) -> Zeroizing<Vec<u8>> {
        let mut inner = Zeroizing::new(Vec::with_capacity(121));
        der(&mut inner, 0x02, &[1]);
        der(&mut inner, 0x04, &self.secret.to_bytes());
        let mut params = Vec::new();
        der(&mut params, 0x06, OID_P256);
        der(&mut inner, 0xA0, &params);
        let mut bits = Vec::with_capacity(66);
        bits.push(0);
        bits.extend_from_slice(&self.public_sec1());
        let mut public = Vec::new();
        der(&mut public, 0x03, &bits);
        der(&mut inner, 0xA1, &public);
        let mut out = Zeroizing::new(Vec::with_capacity(inner.len() + 2));
        der(&mut out, 0x30, &inner);
        out
    }

    /// The `SubjectPublicKeyInfo` DER: what a certificate for this key carries.
    pub fn spki(&self) -> Vec<u8> {
        spki(&self.public_sec1())
    }

    /// A PKCS#10 request with subject `CN=cn` (at most [`MAX_CN`] characters, cut to that),
    /// signed with ECDSA-SHA256 (deterministic, RFC 6979: no randomness needed).
    pub fn csr(&self, cn: &str) -> Vec<u8> {
        let cn = match cn.char_indices().nth(MAX_CN) {
            Some((at, _)) => &cn[..at],
            None => cn,
        };
        // CertificationRequestInfo: version 0, subject, SPKI, no attributes.
        let mut atv = Vec::new();
        der(&mut atv, 0x06, OID_CN);
        der(&mut atv, 0x0C, cn.as_bytes());
        let mut seq = Vec::new();
        der(&mut seq, 0x30, &atv);
        let mut set = Vec::new();
        der(&mut set, 0x31, &seq);
        let mut info = Vec::new();
        der(&mut info, 0x02, &[0]);
        der(&mut info, 0x30, &set);
        info.extend_from_slice(&self.spki());
        der(&mut info, 0xA0, &[]);
        let mut tbs = Vec::new();
        der(&mut tbs, 0x30, &info);
        let signature: Signature = SigningKey::from(&self.secret).sign(&tbs);
        let (r, s) = signature.split_bytes();
        let mut rs = Vec::new();
        der_uint(&mut rs, &r);
        der_uint(&mut rs, &s);
        let mut sig_value = Vec::new();
        der(&mut sig_value, 0x30, &rs);
        let mut bits = Vec::with_capacity(sig_value.len() + 1);
        bits.push(0);
        bits.extend_from_slice(&sig_value);
        let mut alg = Vec::new();
        der(&mut alg, 0x06, OID_ECDSA_SHA256);
        let mut body = tbs;
        der(&mut body, 0x30, &alg);
        der(&mut body, 0x03, &bits);
        let mut out = Vec::with_capacity(body.len() + 3);
        der(&mut out, 0x30, &body);
        out
    }
}

/// Read the key partition (its first [`RECORD_LEN`] bytes or more).
pub fn read(sector: &[u8]) -> KeyState {
    let Some(r) = sector.get(..RECORD_LEN) else {
        return KeyState::Damaged(KeyError::Short);
    };
    if r.iter().all(|b| *b == 0xFF) {
        return KeyState::Blank;
    }
    if &r[0..4] != MAGIC {
        return KeyState::Damaged(KeyError::Foreign);
    }
    let stored = u32::from_le_bytes([r[108], r[109], r[110], r[111]]);
    if crc(&r[..108]) != stored {
        return KeyState::Damaged(KeyError::Checksum);
    }
    if r[4] != VERSION || r[5] != ALG_P256 {
        return KeyState::Damaged(KeyError::Unknown);
    }
    let Ok(secret) = p256::SecretKey::from_slice(&r[8..40]) else {
        return KeyState::Damaged(KeyError::Inconsistent);
    };
    let key = DeviceKey { secret };
    if key.public_sec1()[..] != r[40..105] {
        return KeyState::Damaged(KeyError::Inconsistent);
    }
    KeyState::Present(key)
}

const OID_CN: &[u8] = &[0x55, 0x04, 0x03];
const OID_EC: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
const OID_ECDSA_SHA256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02];

/// The `SubjectPublicKeyInfo` DER of a SEC1 P-256 public key.
pub fn spki(public_sec1: &[u8]) -> Vec<u8> {
    let mut alg = Vec::new();
    der(&mut alg, 0x06, OID_EC);
    der(&mut alg, 0x06, OID_P256);
    let mut algorithm = Vec::new();
    der(&mut algorithm, 0x30, &alg);
    let mut bits = Vec::with_capacity(public_sec1.len() + 1);
    bits.push(0);
    bits.extend_from_slice(public_sec1);
    let mut body = algorithm;
    der(&mut body, 0x03, &bits);
    let mut out = Vec::with_capacity(body.len() + 2);
    der(&mut out, 0x30, &body);
    out
}

/// Append one DER element.
fn der(out: &mut Vec<u8>, tag: u8, contents: &[u8]) {
    out.push(tag);
    let n = contents.len();
    match n {
        0..=0x7F => out.push(n as u8),
        0x80..=0xFF => out.extend_from_slice(&[0x81, n as u8]),
        _ => out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(contents);
}

/// Append a non-negative INTEGER from big-endian bytes: leading zeros dropped, one added
/// when the top bit is set.
fn der_uint(out: &mut Vec<u8>, be: &[u8]) {
    let start = be.iter().position(|b| *b != 0).unwrap_or(be.len() - 1);
    let digits = &be[start..];
    let mut v = Vec::with_capacity(digits.len() + 1);
    if digits[0] & 0x80 != 0 {
        v.push(0);
    }
    v.extend_from_slice(digits);
    der(out, 0x02, &v);
}

/// A CSR as the `csr.ready` event carries it: base64url without padding (every character
/// is bare in the event grammar), with its length and CRC so that a line cut on the serial
/// line is told from a whole one.
pub struct CsrText {
    /// The DER's length.
    pub len: u32,
    /// CRC-32 of the DER, as [`crc`] computes it.
    pub crc: u32,
    /// base64url, no padding.
    pub der: String,
}

/// Encode a CSR for its event.
pub fn csr_text(csr_der: &[u8]) -> CsrText {
    CsrText {
        len: csr_der.len() as u32,
        crc: crc(csr_der),
        der: base64url(csr_der),
    }
}

/// Why a `csr.ready` line does not give a whole CSR.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CsrTextError {
    /// Not base64url.
    #[error("the request is not base64url text: the line was damaged on the serial line")]
    Encoding,
    /// Fewer or more bytes than the line says: cut on the way.
    #[error(
        "the request has {got} bytes where the board said {said}: the line was cut on the serial line"
    )]
    Length {
        /// Bytes decoded.
        got: u32,
        /// Bytes the board announced.
        said: u32,
    },
    /// The bytes changed on the way.
    #[error("the request's checksum does not match: the line was damaged on the serial line")]
    Checksum,
}

/// Decode a `csr.ready` event's fields back to the CSR's DER, checking its length and CRC.
pub fn csr_from_text(der_text: &str, len: u32, crc_value: u32) -> Result<Vec<u8>, CsrTextError> {
    let bytes = from_base64url(der_text).ok_or(CsrTextError::Encoding)?;
    if bytes.len() as u32 != len {
        return Err(CsrTextError::Length {
            got: bytes.len() as u32,
            said: len,
        });
    }
    if crc(&bytes) != crc_value {
        return Err(CsrTextError::Checksum);
    }
    Ok(bytes)
}

fn base64url(bytes: &[u8]) -> String {
    crate::b64::encode(bytes, crate::b64::URL)
}

fn from_base64url(text: &str) -> Option<Vec<u8>> {
    crate::b64::decode(text, crate::b64::URL)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn counter() -> impl FnMut(&mut [u8]) {
        let mut n = 1u8;
        move |b: &mut [u8]| {
            for x in b.iter_mut() {
                *x = n;
                n = n.wrapping_mul(31).wrapping_add(7);
            }
        }
    }

    #[test]
    fn a_record_reads_back_as_the_same_key() {
        let key = DeviceKey::generate(counter());
        let mut sector = [0xFFu8; 4096];
        sector[..RECORD_LEN].copy_from_slice(&key.record()[..]);
        match read(&sector) {
            KeyState::Present(k) => assert_eq!(k.public_sec1(), key.public_sec1()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_erased_sector_is_blank_and_every_damage_is_named() {
        assert!(matches!(read(&[0xFF; 4096]), KeyState::Blank));
        assert!(matches!(
            read(&[0xFF; 20]),
            KeyState::Damaged(KeyError::Short)
        ));
        assert!(matches!(
            read(&[0u8; 4096]),
            KeyState::Damaged(KeyError::Foreign)
        ));
        let key = DeviceKey::generate(counter());
        let good = key.record();
        // Every single byte changed (and a write cut at every byte) is caught.
        for i in 0..RECORD_LEN {
            let mut r = *good;
            r[i] ^= 0x01;
            assert!(matches!(read(&r), KeyState::Damaged(_)), "byte {i}");
            let mut cut = [0xFFu8; RECORD_LEN];
            cut[..i].copy_from_slice(&good[..i]);
            if i > 0 {
                assert!(matches!(read(&cut), KeyState::Damaged(_)), "cut at {i}");
            }
        }
    }

    #[test]
    fn debug_shows_the_public_key_only() {
        let key = DeviceKey::generate(counter());
        let shown = alloc::format!("{key:?}");
        let secret: String = key
            .record()
            .get(8..40)
            .unwrap()
            .iter()
            .map(|b| alloc::format!("{b:02x}"))
            .collect();
        assert!(!shown.contains(&secret), "{shown}");
        assert!(shown.starts_with("DeviceKey { public: 04"), "{shown}");
    }

    #[test]
    fn base64url_round_trips_every_length() {
        let data: Vec<u8> = (0..=255u8).collect();
        for n in 0..data.len() {
            let text = base64url(&data[..n]);
            assert!(text.bytes().all(|c| crate::b64::URL.contains(&c)));
            assert_eq!(from_base64url(&text).unwrap(), &data[..n], "{n}");
        }
        assert!(from_base64url("A").is_none());
        assert!(from_base64url("AB=C").is_none());
    }

    #[test]
    fn a_csr_line_cut_or_changed_is_refused() {
        let key = DeviceKey::generate(counter());
        let csr = key.csr("bench-1");
        let t = csr_text(&csr);
        assert_eq!(csr_from_text(&t.der, t.len, t.crc).unwrap(), csr);
        let cut = &t.der[..t.der.len() - 7];
        assert!(matches!(
            csr_from_text(cut, t.len, t.crc),
            Err(CsrTextError::Length { .. } | CsrTextError::Encoding)
        ));
        let mut changed = t.der.clone().into_bytes();
        changed[10] = if changed[10] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(changed).unwrap();
        assert_eq!(
            csr_from_text(&changed, t.len, t.crc),
            Err(CsrTextError::Checksum)
        );
    }
}
