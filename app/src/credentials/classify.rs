//! What a blob is, decided by its content alone (never by file name or PEM label):
//! certificate, private key (PKCS#1, PKCS#8, SEC1), encrypted key, public key, CSR.
//! Keys are loaded with a real crypto library so that a corrupted key is caught, and
//! normalised to the DER forms openssl writes.

use ::time::OffsetDateTime;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P384_SHA384_ASN1_SIGNING, ECDSA_P521_SHA512_ASN1_SIGNING,
    EcdsaKeyPair, KeyPair as _, RsaKeyPair,
};
use der::asn1::{AnyRef, ObjectIdentifier};
use der::{Decode as _, Encode as _};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use x509_parser::prelude::*;
use zeroize::Zeroizing;

use super::input::{Blob, DekInfo};

const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// A key algorithm, as a maker would name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum KeyType {
    /// RSA with a modulus of `bits`.
    Rsa {
        /// Modulus size.
        bits: u32,
    },
    /// ECDSA on NIST P-256.
    EcP256,
    /// ECDSA on NIST P-384.
    EcP384,
    /// ECDSA on NIST P-521.
    EcP521,
    /// An EC curve AWS IoT does not take.
    EcOther,
    /// Ed25519.
    Ed25519,
    /// Anything else.
    Other,
}

impl std::fmt::Display for KeyType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyType::Rsa { bits } => write!(f, "RSA-{bits}"),
            KeyType::EcP256 => f.write_str("EC P-256"),
            KeyType::EcP384 => f.write_str("EC P-384"),
            KeyType::EcP521 => f.write_str("EC P-521"),
            KeyType::EcOther => f.write_str("EC (unsupported curve)"),
            KeyType::Ed25519 => f.write_str("Ed25519"),
            KeyType::Other => f.write_str("unknown algorithm"),
        }
    }
}

fn curve_key_type(curve: Option<&ObjectIdentifier>) -> KeyType {
    match curve {
        Some(c) if *c == OID_P256 => KeyType::EcP256,
        Some(c) if *c == OID_P384 => KeyType::EcP384,
        Some(c) if *c == OID_P521 => KeyType::EcP521,
        _ => KeyType::EcOther,
    }
}

/// Facts about a certificate.
#[derive(Clone, Debug, Serialize)]
pub struct CertInfo {
    /// The certificate, DER (what `openssl x509 -outform DER` writes).
    #[serde(skip)]
    pub der: Vec<u8>,
    /// Subject common name, or the whole subject when it has no CN.
    pub subject_cn: String,
    /// Full subject.
    pub subject: String,
    /// Full issuer.
    pub issuer: String,
    /// Start of validity.
    #[serde(with = "::time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// End of validity.
    #[serde(with = "::time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// The X.509 version (1 or 3; 2 is never seen): a v1 certificate carries no
    /// extensions, as `openssl x509 -req` makes it without `-extfile`.
    pub version: u32,
    /// basicConstraints CA:TRUE.
    pub is_ca: bool,
    /// Subject equals issuer.
    pub self_issued: bool,
    /// Extended key usage, when the extension is present: (clientAuth, serverAuth).
    pub eku: Option<(bool, bool)>,
    /// The public key's algorithm.
    pub key_type: KeyType,
    /// SHA-256 of the SubjectPublicKeyInfo, hex.
    pub spki_sha256: String,
    /// The subjectPublicKey bits (RSAPublicKey DER or EC point), to match a private key.
    #[serde(skip)]
    pub public_key: Vec<u8>,
    /// What its signature covers and the signature itself, to check it against an
    /// issuer in the same set (a changed character shows up here).
    #[serde(skip)]
    pub signed: Signed,
}

/// The signed part of a certificate and what is needed to check it.
#[derive(Clone, Debug)]
pub struct Signed {
    /// The DER of the TBSCertificate.
    pub tbs: Vec<u8>,
    /// The signature algorithm's OID (dotted).
    pub algorithm: String,
    /// The signature bits.
    pub signature: Vec<u8>,
    /// The raw DER of the subject and issuer names.
    pub subject: Vec<u8>,
    /// See `subject`.
    pub issuer: Vec<u8>,
    /// subjectKeyIdentifier and authorityKeyIdentifier's keyIdentifier, when present.
    pub subject_key_id: Option<Vec<u8>>,
    /// See `subject_key_id`.
    pub authority_key_id: Option<Vec<u8>>,
    /// The SubjectPublicKeyInfo's algorithm OID and curve (for EC), for checking what
    /// this certificate signs.
    pub key_algorithm: KeyType,
}

/// A private key that loaded.
#[derive(Clone, Serialize)]
pub struct KeyInfo {
    /// Algorithm.
    pub key_type: KeyType,
    /// The form it came in: `pkcs1`, `pkcs8`, `sec1`.
    pub format: &'static str,
    /// Whether it was decrypted with a passphrase.
    pub was_encrypted: bool,
    /// Public key bits derived from the private key (RSAPublicKey DER or EC point).
    #[serde(skip)]
    pub public_key: Vec<u8>,
    /// The traditional form: PKCS#1 for RSA (`openssl rsa -traditional -outform DER`),
    /// SEC1 with parameters and public key for EC (`openssl ec -outform DER`).
    #[serde(skip)]
    pub traditional_der: Zeroizing<Vec<u8>>,
    /// PKCS#8 (`openssl pkcs8 -topk8 -nocrypt -outform DER`).
    #[serde(skip)]
    pub pkcs8_der: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for KeyInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyInfo({}, {}, <redacted>)", self.key_type, self.format)
    }
}

/// What a blob turned out to be.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Kind {
    /// An X.509 certificate.
    Certificate(Box<CertInfo>),
    /// A private key that parsed and passed a crypto load.
    PrivateKey(KeyInfo),
    /// A private key that parsed but failed the crypto load (corrupt, or unsupported).
    BrokenKey {
        /// Algorithm, as far as it could be read.
        key_type: KeyType,
        /// What the crypto library said.
        reason: String,
    },
    /// An encrypted private key that the passphrase given does not decrypt.
    WrongPassphrase {
        /// `pkcs8` or `legacy-pem`.
        scheme: &'static str,
    },
    /// An encrypted private key.
    EncryptedKey {
        /// `pkcs8` or `legacy-pem`.
        scheme: &'static str,
        /// The cipher, when known.
        cipher: String,
    },
    /// A public key (what AWS calls `-public.pem.key`).
    PublicKey {
        /// Algorithm.
        key_type: KeyType,
    },
    /// Something that claims to be (or is shaped like) a certificate but is broken:
    /// a changed or lost character, or a signature that no longer verifies.
    DamagedCertificate {
        /// What is broken.
        reason: String,
    },
    /// EC domain parameters (the `-----BEGIN EC PARAMETERS-----` block openssl writes
    /// before an EC key): nothing to use, nothing wrong.
    Parameters,
    /// A certificate signing request.
    Csr {
        /// Subject.
        subject: String,
    },
    /// Not a certificate or key.
    Unknown {
        /// Why.
        reason: String,
    },
}

impl Kind {
    /// A short role-like name for lists.
    pub fn short(&self) -> &'static str {
        match self {
            Kind::Certificate(_) => "certificate",
            Kind::PrivateKey(_) => "private key",
            Kind::BrokenKey { .. } => "damaged private key",
            Kind::EncryptedKey { .. } => "encrypted private key",
            Kind::WrongPassphrase { .. } => "encrypted private key (wrong passphrase)",
            Kind::PublicKey { .. } => "public key",
            Kind::DamagedCertificate { .. } => "damaged certificate",
            Kind::Parameters => "EC parameters",
            Kind::Csr { .. } => "certificate signing request",
            Kind::Unknown { .. } => "not a certificate or key",
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Classify a DER blob. `passphrase` is tried on encrypted keys. A blob that is
/// nothing known but says (by its PEM label) or looks (by its first bytes) like a
/// certificate or key is reported as damaged, not as unknown.
pub fn classify(blob: &Blob, passphrase: Option<&str>) -> Kind {
    if let Some(dek) = &blob.dek {
        return legacy_encrypted(blob, dek, passphrase);
    }
    match classify_der(&blob.der, passphrase, false) {
        Kind::Unknown { reason } => {
            damaged(blob.label.as_deref(), &blob.der).unwrap_or(Kind::Unknown { reason })
        }
        kind => kind,
    }
}

/// What a blob that does not parse claims to be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Claim {
    Certificate,
    PrivateKey,
}

fn claim_of_label(label: &str) -> Option<Claim> {
    match label {
        "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => Some(Claim::Certificate),
        "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" => Some(Claim::PrivateKey),
        _ => None,
    }
}

/// The first bytes of DER that do not parse: a certificate starts
/// `SEQUENCE { SEQUENCE { [0] { INTEGER 2 } ...`, a key `SEQUENCE { INTEGER 0|1 ...`.
fn claim_of_der(der: &[u8]) -> Option<Claim> {
    // Skip one SEQUENCE header (short or long length form).
    fn inner(d: &[u8]) -> Option<&[u8]> {
        if d.first() != Some(&0x30) {
            return None;
        }
        let len = *d.get(1)?;
        let skip = if len & 0x80 == 0 {
            2
        } else {
            2 + usize::from(len & 0x7F)
        };
        d.get(skip..)
    }
    let body = inner(der)?;
    if inner(body).is_some_and(|tbs| tbs.starts_with(&[0xA0, 0x03, 0x02, 0x01])) {
        return Some(Claim::Certificate);
    }
    (body.starts_with(&[0x02, 0x01, 0x00]) || body.starts_with(&[0x02, 0x01, 0x01]))
        .then_some(Claim::PrivateKey)
}

/// The kind for a blob that parses as nothing but claims to be a certificate or key.
pub(crate) fn damaged(label: Option<&str>, der: &[u8]) -> Option<Kind> {
    let claim = match label {
        Some(l) => claim_of_label(l)?,
        None => claim_of_der(der)?,
    };
    let why = match X509Certificate::from_der(der) {
        Err(e) if claim == Claim::Certificate => format!(" ({e})"),
        _ => String::new(),
    };
    Some(match claim {
        Claim::Certificate => Kind::DamagedCertificate {
            reason: format!("its structure is broken{why}: a character was changed, added or lost"),
        },
        Claim::PrivateKey => Kind::BrokenKey {
            key_type: KeyType::Other,
            reason: "its structure is broken: a character was changed, added or lost".into(),
        },
    })
}

/// A PEM block whose body could not even be decoded, by what its label claims.
pub fn bad_block(label: Option<&str>, reason: String) -> Kind {
    match label.and_then(claim_of_label) {
        Some(Claim::Certificate) => Kind::DamagedCertificate { reason },
        Some(Claim::PrivateKey) => Kind::BrokenKey {
            key_type: KeyType::Other,
            reason,
        },
        None if label == Some("EC PARAMETERS") => Kind::Parameters,
        None => Kind::Unknown { reason },
    }
}

fn classify_der(der: &[u8], passphrase: Option<&str>, was_encrypted: bool) -> Kind {
    if let Ok((rest, cert)) = X509Certificate::from_der(der)
        && rest.is_empty()
    {
        // RFC 5280 4.1.1.2: the signed and the outer algorithm must be the same. Only the
        // signed one is covered by the signature, so a change to the other shows here.
        if cert.tbs_certificate.signature != cert.signature_algorithm {
            return Kind::DamagedCertificate {
                reason: "its two signature-algorithm fields disagree: a character was changed"
                    .into(),
            };
        }
        return Kind::Certificate(Box::new(cert_info(der, &cert)));
    }
    if let Ok(info) = pkcs8::PrivateKeyInfo::from_der(der) {
        return pkcs8_key(&info, was_encrypted);
    }
    if let Ok(enc) = pkcs8::EncryptedPrivateKeyInfo::from_der(der) {
        let cipher = enc.encryption_algorithm.oid().to_string();
        let cipher = match &enc.encryption_algorithm {
            pkcs8::pkcs5::EncryptionScheme::Pbes2(p) => p.encryption.oid().to_string(),
            _ => cipher,
        };
        let Some(pass) = passphrase else {
            return Kind::EncryptedKey {
                scheme: "pkcs8",
                cipher: cipher_name(&cipher),
            };
        };
        return match enc.decrypt(pass.as_bytes()) {
            Ok(doc) => classify_der(doc.as_bytes(), None, true),
            Err(_) => Kind::WrongPassphrase { scheme: "pkcs8" },
        };
    }
    if let Ok(spki) = spki::SubjectPublicKeyInfoRef::from_der(der) {
        let curve = spki
            .algorithm
            .parameters
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        let key_type = match spki.algorithm.oid {
            o if o == OID_RSA => rsa_bits_of_public(spki.subject_public_key.raw_bytes()),
            o if o == OID_EC => curve_key_type(curve.as_ref()),
            o if o == OID_ED25519 => KeyType::Ed25519,
            _ => KeyType::Other,
        };
        return Kind::PublicKey { key_type };
    }
    if pkcs1::RsaPrivateKey::from_der(der).is_ok() {
        return rsa_key(der, "pkcs1", was_encrypted);
    }
    if let Ok(k) = pkcs1::RsaPublicKey::from_der(der) {
        return Kind::PublicKey {
            key_type: KeyType::Rsa {
                bits: bit_len(k.modulus.as_bytes()),
            },
        };
    }
    if let Ok(k) = sec1::EcPrivateKey::from_der(der) {
        let curve = k.parameters.and_then(|p| p.named_curve());
        return ec_key(k.private_key, curve, k.public_key, "sec1", was_encrypted);
    }
    if ObjectIdentifier::from_der(der).is_ok() {
        return Kind::Parameters;
    }
    if let Ok(csr) = x509_parser::certification_request::X509CertificationRequest::from_der(der) {
        return Kind::Csr {
            subject: csr.1.certification_request_info.subject.to_string(),
        };
    }
    Kind::Unknown {
        reason: "DER data that is not a certificate, key or CSR".into(),
    }
}

fn cipher_name(oid: &str) -> String {
    match oid {
        "2.16.840.1.101.3.4.1.2" => "AES-128-CBC".into(),
        "2.16.840.1.101.3.4.1.22" => "AES-192-CBC".into(),
        "2.16.840.1.101.3.4.1.42" => "AES-256-CBC".into(),
        "1.2.840.113549.3.7" => "DES-EDE3-CBC".into(),
        other => other.into(),
    }
}

fn bit_len(be: &[u8]) -> u32 {
    let trimmed: &[u8] = {
        let start = be.iter().position(|b| *b != 0).unwrap_or(be.len());
        &be[start..]
    };
    match trimmed.first() {
        None => 0,
        Some(first) => (trimmed.len() as u32 - 1) * 8 + (8 - first.leading_zeros()),
    }
}

fn rsa_bits_of_public(rsa_public_der: &[u8]) -> KeyType {
    match pkcs1::RsaPublicKey::from_der(rsa_public_der) {
        Ok(k) => KeyType::Rsa {
            bits: bit_len(k.modulus.as_bytes()),
        },
        Err(_) => KeyType::Other,
    }
}

fn cert_info(der: &[u8], cert: &X509Certificate<'_>) -> CertInfo {
    let subject = cert.subject().to_string();
    let subject_cn = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| subject.clone());
    let spki = cert.public_key();
    let key_type = match spki.algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.1" => rsa_bits_of_public(&spki.subject_public_key.data),
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .and_then(|o| ObjectIdentifier::new(&o.to_id_string()).ok());
            curve_key_type(curve.as_ref())
        }
        "1.3.101.112" => KeyType::Ed25519,
        _ => KeyType::Other,
    };
    let eku = cert.extended_key_usage().ok().flatten().map(|e| {
        (
            e.value.client_auth || e.value.any,
            e.value.server_auth || e.value.any,
        )
    });
    CertInfo {
        der: der.to_vec(),
        subject_cn,
        issuer: cert.issuer().to_string(),
        self_issued: cert.subject() == cert.issuer(),
        subject,
        not_before: cert.validity().not_before.to_datetime(),
        not_after: cert.validity().not_after.to_datetime(),
        // The DER field counts from 0: v1 is 0, v3 is 2.
        version: cert.version().0 + 1,
        is_ca: cert.is_ca(),
        eku,
        key_type,
        spki_sha256: hex(&Sha256::digest(spki.raw)),
        public_key: spki.subject_public_key.data.to_vec(),
        signed: Signed {
            tbs: cert.tbs_certificate.as_ref().to_vec(),
            algorithm: cert.signature_algorithm.algorithm.to_id_string(),
            signature: cert.signature_value.data.to_vec(),
            subject: cert.subject().as_raw().to_vec(),
            issuer: cert.issuer().as_raw().to_vec(),
            subject_key_id: cert
                .extensions()
                .iter()
                .find_map(|e| match e.parsed_extension() {
                    ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
                    _ => None,
                }),
            authority_key_id: cert
                .extensions()
                .iter()
                .find_map(|e| match e.parsed_extension() {
                    ParsedExtension::AuthorityKeyIdentifier(a) => {
                        a.key_identifier.as_ref().map(|k| k.0.to_vec())
                    }
                    _ => None,
                }),
            key_algorithm: key_type,
        },
    }
}

/// Check `cert`'s signature with `issuer`'s public key. `None` when the algorithm is
/// one thingflash does not check (RSA-PSS, Ed25519, unusual curve and hash pairs).
pub fn signature_verifies(cert: &CertInfo, issuer: &CertInfo) -> Option<bool> {
    use aws_lc_rs::signature::{self as sig, UnparsedPublicKey, VerificationAlgorithm};
    let alg: &'static dyn VerificationAlgorithm =
        match (cert.signed.algorithm.as_str(), issuer.key_type) {
            ("1.2.840.113549.1.1.11", KeyType::Rsa { .. }) => &sig::RSA_PKCS1_2048_8192_SHA256,
            ("1.2.840.113549.1.1.12", KeyType::Rsa { .. }) => &sig::RSA_PKCS1_2048_8192_SHA384,
            ("1.2.840.113549.1.1.13", KeyType::Rsa { .. }) => &sig::RSA_PKCS1_2048_8192_SHA512,
            ("1.2.840.113549.1.1.5", KeyType::Rsa { .. }) => {
                &sig::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY
            }
            ("1.2.840.10045.4.3.2", KeyType::EcP256) => &sig::ECDSA_P256_SHA256_ASN1,
            ("1.2.840.10045.4.3.3", KeyType::EcP256) => &sig::ECDSA_P256_SHA384_ASN1,
            ("1.2.840.10045.4.3.2", KeyType::EcP384) => &sig::ECDSA_P384_SHA256_ASN1,
            ("1.2.840.10045.4.3.3", KeyType::EcP384) => &sig::ECDSA_P384_SHA384_ASN1,
            ("1.2.840.10045.4.3.4", KeyType::EcP521) => &sig::ECDSA_P521_SHA512_ASN1,
            _ => return None,
        };
    Some(
        UnparsedPublicKey::new(alg, &issuer.public_key)
            .verify(&cert.signed.tbs, &cert.signed.signature)
            .is_ok(),
    )
}

pub(crate) fn pkcs8_key(info: &pkcs8::PrivateKeyInfo<'_>, was_encrypted: bool) -> Kind {
    match info.algorithm.oid {
        o if o == OID_RSA => rsa_key(info.private_key, "pkcs8", was_encrypted),
        o if o == OID_EC => {
            let curve = info
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            match sec1::EcPrivateKey::from_der(info.private_key) {
                Ok(k) => {
                    let curve = curve.or_else(|| k.parameters.and_then(|p| p.named_curve()));
                    ec_key(k.private_key, curve, k.public_key, "pkcs8", was_encrypted)
                }
                Err(e) => Kind::BrokenKey {
                    key_type: curve_key_type(curve.as_ref()),
                    reason: format!("the EC key inside the PKCS#8 wrapper does not parse: {e}"),
                },
            }
        }
        o if o == OID_ED25519 => Kind::BrokenKey {
            key_type: KeyType::Ed25519,
            reason: "Ed25519 keys are not accepted by AWS IoT Core".into(),
        },
        o => Kind::BrokenKey {
            key_type: KeyType::Other,
            reason: format!("a private key of algorithm {o}, which AWS IoT Core does not accept"),
        },
    }
}

fn rsa_key(pkcs1_der: &[u8], format: &'static str, was_encrypted: bool) -> Kind {
    let bits = pkcs1::RsaPrivateKey::from_der(pkcs1_der)
        .map(|k| bit_len(k.modulus.as_bytes()))
        .unwrap_or(0);
    let key_type = KeyType::Rsa { bits };
    let pair = match RsaKeyPair::from_der(pkcs1_der) {
        Ok(p) => p,
        Err(_) => {
            return Kind::BrokenKey {
                key_type,
                reason: "the RSA key's numbers do not fit together: the file is damaged".into(),
            };
        }
    };
    let pkcs8 = pkcs8::PrivateKeyInfo {
        algorithm: spki::AlgorithmIdentifierRef {
            oid: OID_RSA,
            parameters: Some(AnyRef::NULL),
        },
        private_key: pkcs1_der,
        public_key: None,
    };
    let Ok(pkcs8_der) = pkcs8.to_der() else {
        return Kind::BrokenKey {
            key_type,
            reason: "the key cannot be re-encoded".into(),
        };
    };
    Kind::PrivateKey(KeyInfo {
        key_type,
        format,
        was_encrypted,
        public_key: pair.public_key().as_ref().to_vec(),
        traditional_der: Zeroizing::new(pkcs1_der.to_vec()),
        pkcs8_der: Zeroizing::new(pkcs8_der),
    })
}

fn ec_key(
    scalar: &[u8],
    curve: Option<ObjectIdentifier>,
    embedded_public: Option<&[u8]>,
    format: &'static str,
    was_encrypted: bool,
) -> Kind {
    let key_type = curve_key_type(curve.as_ref());
    let (alg, width) = match key_type {
        KeyType::EcP256 => (&ECDSA_P256_SHA256_ASN1_SIGNING, 32),
        KeyType::EcP384 => (&ECDSA_P384_SHA384_ASN1_SIGNING, 48),
        KeyType::EcP521 => (&ECDSA_P521_SHA512_ASN1_SIGNING, 66),
        _ => {
            return Kind::BrokenKey {
                key_type,
                reason: "an EC key on a curve other than P-256, P-384 or P-521 (or without a curve named)".into(),
            };
        }
    };
    let Some(curve) = curve else {
        return Kind::BrokenKey {
            key_type,
            reason: "the EC key names no curve".into(),
        };
    };
    let broken = |reason: String| Kind::BrokenKey { key_type, reason };
    if scalar.len() != width {
        return broken(format!(
            "the EC private value is {} bytes, {width} expected: the file is damaged",
            scalar.len()
        ));
    }
    // Build the full SEC1 form (curve + public key) and let the crypto library load it;
    // it derives the public point from the scalar and refuses a key whose stored public
    // key disagrees.
    let encode = |params: bool, public: Option<&[u8]>| {
        sec1::EcPrivateKey {
            private_key: scalar,
            parameters: params.then_some(sec1::EcParameters::NamedCurve(curve)),
            public_key: public,
        }
        .to_der()
    };
    let probe = match encode(true, embedded_public) {
        Ok(d) => Zeroizing::new(d),
        Err(e) => return broken(format!("the EC key cannot be re-encoded: {e}")),
    };
    let pair = match EcdsaKeyPair::from_private_key_der(alg, &probe) {
        Ok(p) => p,
        Err(_) => return broken("the EC key does not load: the file is damaged".into()),
    };
    let public = pair.public_key().as_ref().to_vec();
    if embedded_public.is_some_and(|p| p != public.as_slice()) {
        return broken("the EC key's stored public key does not belong to its private value: the file is damaged".into());
    }
    let (Ok(sec1_der), Ok(inner)) = (encode(true, Some(&public)), encode(false, Some(&public)))
    else {
        return broken("the EC key cannot be re-encoded".into());
    };
    let curve_any = match AnyRef::new(der::Tag::ObjectIdentifier, curve.as_bytes()) {
        Ok(a) => a,
        Err(e) => return broken(format!("the curve cannot be encoded: {e}")),
    };
    let pkcs8 = pkcs8::PrivateKeyInfo {
        algorithm: spki::AlgorithmIdentifierRef {
            oid: OID_EC,
            parameters: Some(curve_any),
        },
        private_key: &inner,
        public_key: None,
    };
    let Ok(pkcs8_der) = pkcs8.to_der() else {
        return broken("the EC key cannot be re-encoded".into());
    };
    Kind::PrivateKey(KeyInfo {
        key_type,
        format,
        was_encrypted,
        public_key: public,
        traditional_der: Zeroizing::new(sec1_der),
        pkcs8_der: Zeroizing::new(pkcs8_der),
    })
}

/// OpenSSL's `EVP_BytesToKey` with MD5 and one round, as legacy PEM encryption uses.
fn bytes_to_key(pass: &[u8], salt: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    use md5::{Digest as _, Md5};
    let mut out = Zeroizing::new(Vec::with_capacity(len + 16));
    let mut prev: Vec<u8> = Vec::new();
    while out.len() < len {
        let mut h = Md5::new();
        h.update(&prev);
        h.update(pass);
        h.update(salt);
        prev = h.finalize().to_vec();
        out.extend_from_slice(&prev);
    }
    out.truncate(len);
    out
}

/// CBC-decrypt `buf` in place and strip PKCS#7 padding; `None` for a wrong key.
fn cbc_decrypt<D: cbc::cipher::KeyIvInit + cbc::cipher::BlockDecryptMut>(
    key: &[u8],
    iv: &[u8],
    buf: &mut [u8],
) -> Option<Vec<u8>> {
    D::new_from_slices(key, iv)
        .ok()?
        .decrypt_padded_mut::<cbc::cipher::block_padding::Pkcs7>(buf)
        .ok()
        .map(<[u8]>::to_vec)
}

fn legacy_encrypted(blob: &Blob, dek: &DekInfo, passphrase: Option<&str>) -> Kind {
    let Some(pass) = passphrase else {
        return Kind::EncryptedKey {
            scheme: "legacy-pem",
            cipher: dek.cipher.clone(),
        };
    };
    if dek.iv.len() < 8 {
        return Kind::Unknown {
            reason: "the DEK-Info IV is too short".into(),
        };
    }
    let salt = &dek.iv[..8];
    type Decrypt = fn(&[u8], &[u8], &mut [u8]) -> Option<Vec<u8>>;
    let (key_len, decrypt): (usize, Decrypt) = match dek.cipher.to_ascii_uppercase().as_str() {
        "AES-128-CBC" => (16, cbc_decrypt::<cbc::Decryptor<aes::Aes128>>),
        "AES-192-CBC" => (24, cbc_decrypt::<cbc::Decryptor<aes::Aes192>>),
        "AES-256-CBC" => (32, cbc_decrypt::<cbc::Decryptor<aes::Aes256>>),
        "DES-EDE3-CBC" => (24, cbc_decrypt::<cbc::Decryptor<des::TdesEde3>>),
        other => {
            return Kind::BrokenKey {
                key_type: KeyType::Other,
                reason: format!(
                    "the key is encrypted with {other}, which thingflash cannot decrypt: run `openssl pkey -in KEY -out plain.key` and drop plain.key"
                ),
            };
        }
    };
    let mut buf = Zeroizing::new(blob.der.to_vec());
    let plain = decrypt(
        &bytes_to_key(pass.as_bytes(), salt, key_len),
        &dek.iv,
        &mut buf,
    );
    let wrong = || Kind::WrongPassphrase {
        scheme: "legacy-pem",
    };
    let Some(plain) = plain.map(Zeroizing::new) else {
        return wrong();
    };
    match classify_der(&plain, None, true) {
        k @ (Kind::PrivateKey(_) | Kind::BrokenKey { .. }) => k,
        _ => wrong(),
    }
}
