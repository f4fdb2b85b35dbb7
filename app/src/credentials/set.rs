//! The one ready credential set: a device certificate, its private key and the root CAs,
//! taken from an [`Analysis`] with nothing blocking, in every form a firmware reads
//! (DER, PEM, PKCS#8, esp_secure_cert records). Every flash, bundle, connection test and
//! fleet run starts from one of these; the key is wiped when it is dropped. Also the one
//! rule for the client id a certificate suggests.

use zeroize::Zeroizing;

use super::{Analysis, Finding, KeyType, Severity, convert};
use crate::target::{Encoding, Role as FileRole};

/// Why the files are not a ready set: the findings that block, each with its fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the credentials are not ready to flash: {}", self.messages())]
pub struct NotReady {
    /// The blocking findings; empty when a certificate or key is simply missing.
    pub blocking: Vec<Finding>,
}

impl NotReady {
    fn messages(&self) -> String {
        if self.blocking.is_empty() {
            return "a device certificate and its private key are both needed".into();
        }
        self.blocking
            .iter()
            .map(|f| f.message.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// What to do, apart from what is wrong.
    pub fn fix(&self) -> String {
        match self.blocking.first() {
            Some(f) => f.fix.clone(),
            None => "drop the device certificate (…-certificate.pem.crt) and its private key (…-private.pem.key) that AWS IoT gave you".into(),
        }
    }
}

/// The MQTT client id a certificate suggests: its CN when that could be a thing name
/// (AWS: letters, digits, `:`, `_`, `-`, at most 128), so never AWS's generic
/// "AWS IoT Certificate" nor any name with a space. The window and the command line both
/// ask here.
pub fn default_client_id(a: &Analysis) -> Option<String> {
    let cn = a.device_cert()?.subject_cn.as_str();
    // AWS's thing-name pattern, which every client id rule of the firmware's config also
    // accepts (it only refuses '/', '+', '#', control characters and more than 128 bytes).
    let thing_name = (1..=128).contains(&cn.len())
        && cn
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-'));
    thing_name.then(|| cn.to_string())
}

/// The credentials in the forms other firmware reads, taken from a checked analysis.
pub struct CredentialSet {
    /// Device certificate, DER.
    pub cert_der: Vec<u8>,
    /// The key in its traditional form (PKCS#1 for RSA, SEC1 for EC), DER: what
    /// `openssl rsa -outform DER` writes and the classic guide uploads.
    pub key_der: Zeroizing<Vec<u8>>,
    /// The same key as PKCS#8 DER.
    pub key_pkcs8_der: Zeroizing<Vec<u8>>,
    key_type: KeyType,
    /// Root CAs, DER; the first is the one a single `ca` file holds.
    pub root_ca_ders: Vec<Vec<u8>>,
}

impl std::fmt::Debug for CredentialSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CredentialSet(cert {} B, key <redacted>, {} root CA(s))",
            self.cert_der.len(),
            self.root_ca_ders.len()
        )
    }
}

impl CredentialSet {
    /// From an analysis with nothing blocking; otherwise what blocks it (the analysis' own
    /// findings, or the missing half of the pair).
    pub fn from_analysis(a: &Analysis) -> Result<Self, NotReady> {
        let blocking: Vec<Finding> = a
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .cloned()
            .collect();
        let (Some(cert), Some(key)) = (a.device_cert(), a.private_key()) else {
            return Err(NotReady { blocking });
        };
        if !blocking.is_empty() {
            return Err(NotReady { blocking });
        }
        Ok(Self {
            cert_der: cert.der.clone(),
            key_der: key.traditional_der.clone(),
            key_pkcs8_der: key.pkcs8_der.clone(),
            key_type: key.key_type,
            root_ca_ders: a.root_ca_ders(),
        })
    }

    /// A set from DER exactly as given, without an analysis' checks: for a connection test
    /// of these very bytes (what a broker makes of an expired certificate). `None` when the
    /// key is not a PKCS#8 private key.
    pub fn from_der_unchecked(
        cert_der: Vec<u8>,
        key_pkcs8_der: &[u8],
        root_ca_ders: Vec<Vec<u8>>,
    ) -> Option<Self> {
        let info = pkcs8::PrivateKeyInfo::try_from(key_pkcs8_der).ok()?;
        let super::Kind::PrivateKey(key) = super::classify::pkcs8_key(&info, false) else {
            return None;
        };
        Some(Self {
            cert_der,
            key_der: key.traditional_der,
            key_pkcs8_der: key.pkcs8_der,
            key_type: key.key_type,
            root_ca_ders,
        })
    }

    fn key_label(&self) -> &'static str {
        match self.key_type {
            KeyType::Rsa { .. } => "RSA PRIVATE KEY",
            _ => "EC PRIVATE KEY",
        }
    }

    /// The bytes of one file. PEM files end with a newline, as openssl writes them.
    pub fn bytes(&self, spec: &crate::target::FileSpec) -> Option<Zeroizing<Vec<u8>>> {
        let (der, label): (&[u8], &str) = match spec.role {
            FileRole::Certificate => (&self.cert_der, "CERTIFICATE"),
            FileRole::PrivateKey => (&self.key_der, self.key_label()),
            FileRole::RootCa => (self.root_ca_ders.first()?, "CERTIFICATE"),
        };
        Some(match spec.encoding {
            Encoding::Der => Zeroizing::new(der.to_vec()),
            Encoding::Pem => Zeroizing::new(convert::pem(label, der).as_bytes().to_vec()),
        })
    }

    /// `(path, bytes)` for every file of `specs` (a CA file is skipped when the set has no
    /// root CA; the analysis says so first).
    pub fn files(&self, specs: &[crate::target::FileSpec]) -> Vec<(String, Zeroizing<Vec<u8>>)> {
        specs
            .iter()
            .filter_map(|s| Some((s.path.clone(), self.bytes(s)?)))
            .collect()
    }

    /// The PEM blocks esp_secure_cert holds, NUL-terminated as Espressif's
    /// `configure_esp_secure_cert.py` writes PEM input: device certificate, CA, key.
    pub fn secure_cert_records(&self) -> Vec<(u8, Zeroizing<Vec<u8>>)> {
        let nul = |pem: Zeroizing<String>| {
            let mut v = Zeroizing::new(pem.as_bytes().to_vec());
            v.push(0);
            v
        };
        let mut out = vec![(1u8, nul(convert::pem("CERTIFICATE", &self.cert_der)))];
        if let Some(ca) = self.root_ca_ders.first() {
            out.push((0, nul(convert::pem("CERTIFICATE", ca))));
        }
        out.push((2, nul(convert::pem(self.key_label(), &self.key_der))));
        out
    }
}
