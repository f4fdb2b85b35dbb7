//! Credentials: recognise the files AWS IoT gives a maker, check them as a set, and
//! produce the DER the firmware needs.
//!
//! The flow is `read_path` (bounded) -> [`analyse`] (classify every blob by content,
//! assign roles, collect [`Finding`]s) -> [`convert`] (DER files) or the bundle step.
//! Everything here is plain library code; the GUI and CLI only display it.

pub mod classify;
pub mod convert;
pub mod csr;
pub mod endpoint;
pub mod input;
pub mod roots;
pub mod set;
pub mod source;

use serde::Serialize;
use time::OffsetDateTime;

pub use classify::{CertInfo, KeyInfo, KeyType, Kind};
pub use input::{InputFile, MAX_FILE_SIZE, read_path};
pub use set::{CredentialSet, NotReady, default_client_id};

/// Errors reading input or writing output. Problems *with* the credentials are not
/// errors but [`Finding`]s.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A folder was given.
    #[error("{name} is a folder: drop the certificate files inside it instead")]
    IsDirectory {
        /// Its name.
        name: String,
    },
    /// A file over the size bound.
    #[error(
        "{name} is {size} bytes, far larger than any certificate or key (at most 1 MiB is read): it was probably dropped by mistake"
    )]
    TooLarge {
        /// Its name.
        name: String,
        /// Its size.
        size: u64,
    },
    /// A zip archive that cannot be read.
    #[error(
        "{name} is a damaged zip archive ({detail}): download it again from the AWS IoT console"
    )]
    Zip {
        /// Its name.
        name: String,
        /// What the zip reader said.
        detail: String,
    },
    /// Converting needs a complete, valid set.
    #[error("nothing was written: {0}")]
    Blocked(String),
    /// An output file exists.
    #[error("{path} already exists: pass --force to replace it, or choose another --out folder")]
    Exists {
        /// The path.
        path: String,
    },
    /// Writing failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The path.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
}

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Good to know.
    Info,
    /// Works, but probably not what was meant.
    Warning,
    /// Flashing would produce a board that cannot connect.
    Error,
}

/// Declares [`Code`] from one list: each variant with the kebab-case name JSON consumers
/// see, so the enum, its names and [`Code::ALL`] cannot drift apart.
macro_rules! codes {
    ($($variant:ident => $name:literal,)+) => {
        /// What a [`Finding`] is about: a stable identifier, matched by kind (never by the
        /// message's text), shown to JSON consumers as its kebab-case name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "kebab-case")]
        #[allow(missing_docs)] // each name says what it is; the finding's message says the rest
        pub enum Code {
            $($variant,)+
        }

        impl Code {
            /// Every code.
            pub const ALL: &[Code] = &[$(Code::$variant,)+];

            /// The name JSON consumers see (`key-mismatch`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)+
                }
            }
        }
    };
}

codes! {
    FileUnreadable => "file-unreadable",
    Csr => "csr",
    KeyUnusable => "key-unusable",
    KeyWrongPassphrase => "key-wrong-passphrase",
    KeyEncrypted => "key-encrypted",
    CertDamaged => "cert-damaged",
    NotCredentials => "not-credentials",
    ExtraCertificate => "extra-certificate",
    ExtraKey => "extra-key",
    MissingCertificate => "missing-certificate",
    PublicKeyInstead => "public-key-instead",
    MissingKey => "missing-key",
    PublicKeyUnneeded => "public-key-unneeded",
    KeyMismatch => "key-mismatch",
    RootCaReserved => "root-ca-reserved",
    RootCaLegacy => "root-ca-legacy",
    RootCaForeign => "root-ca-foreign",
    RootCaExpired => "root-ca-expired",
    RootCaBundled => "root-ca-bundled",
    CertNotYetValid => "cert-not-yet-valid",
    CertExpired => "cert-expired",
    CertExpiring => "cert-expiring",
    CertIsCa => "cert-is-ca",
    CertNoClientAuth => "cert-no-client-auth",
    CertV1 => "cert-v1",
    KeyTooSmall => "key-too-small",
    KeyUnsupported => "key-unsupported",
    EndpointInvalid => "endpoint-invalid",
    EndpointMissing => "endpoint-missing",
    EndpointScheme => "endpoint-scheme",
    EndpointPath => "endpoint-path",
    EndpointPort => "endpoint-port",
    EndpointNotAts => "endpoint-not-ats",
    EndpointNotIot => "endpoint-not-iot",
    EndpointCustom => "endpoint-custom",
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How to make a version 1 device certificate again as version 3 (what AWS IoT issues).
pub const V1_FIX: &str = "issue it again as version 3: `openssl x509 -req ... -extfile v3.ext` with basicConstraints=CA:FALSE, keyUsage=digitalSignature and extendedKeyUsage=clientAuth in v3.ext, then register the new certificate in AWS IoT; or let AWS IoT create one (\"Create a thing in AWS\")";

/// Something the user should know about their files, and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How much it matters.
    pub severity: Severity,
    /// A stable identifier (for tests, JSON consumers and documentation).
    pub code: Code,
    /// The file it is about, if any.
    pub file: Option<String>,
    /// What is the case.
    pub message: String,
    /// What to do.
    pub fix: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        match &self.file {
            Some(file) => write!(f, "{sev}: {file}: {}", self.message)?,
            None => write!(f, "{sev}: {}", self.message)?,
        }
        write!(f, "\n  fix: {}", self.fix)
    }
}

/// The role a blob plays in the set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The device certificate.
    DeviceCertificate,
    /// The device private key.
    PrivateKey,
    /// A root CA that verifies the server.
    RootCa,
    /// Not used.
    Ignored,
}

/// One classified blob.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    /// File name (or `zip/entry`), with `#N` when the file held several PEM blocks.
    pub source: String,
    /// What it is.
    pub kind: Kind,
    /// What it is used as.
    pub role: Role,
    /// For a recognised root: its name.
    pub known_root: Option<&'static str>,
    /// Other files or forms that hold the same certificate or key (merged into this one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_in: Vec<String>,
}

impl Item {
    fn new(source: String, kind: Kind) -> Self {
        Self {
            source,
            kind,
            role: Role::Ignored,
            known_root: None,
            also_in: Vec::new(),
        }
    }
}

/// The outcome of looking at a set of files.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    /// Every blob found, in input order.
    pub items: Vec<Item>,
    /// Every finding, most severe first.
    pub findings: Vec<Finding>,
    /// No root CA was dropped, so Amazon Root CA 1 and 3 (shipped) will be used.
    pub using_bundled_roots: bool,
}

impl Analysis {
    /// Each finding that blocks flashing, as "what (fix)".
    pub fn blocking_reasons(&self) -> Vec<String> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| format!("{} ({})", f.message, f.fix))
            .collect()
    }

    /// True when a finding blocks flashing.
    pub fn blocked(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    fn role(&self, role: Role) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| i.role == role)
    }

    /// The device certificate, when one was chosen.
    pub fn device_cert(&self) -> Option<&CertInfo> {
        self.role(Role::DeviceCertificate)
            .find_map(|i| match &i.kind {
                Kind::Certificate(c) => Some(c.as_ref()),
                _ => None,
            })
    }

    /// The private key, when one was chosen.
    pub fn private_key(&self) -> Option<&KeyInfo> {
        self.role(Role::PrivateKey).find_map(|i| match &i.kind {
            Kind::PrivateKey(k) => Some(k),
            _ => None,
        })
    }

    /// Root CA certificates (DER) for the board: the dropped ones, or the bundled ones.
    pub fn root_ca_ders(&self) -> Vec<Vec<u8>> {
        if self.using_bundled_roots {
            return bundled_root_ders();
        }
        self.role(Role::RootCa)
            .filter_map(|i| match &i.kind {
                Kind::Certificate(c) => Some(c.der.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Amazon Root CA 1 and 3 as DER.
pub fn bundled_root_ders() -> Vec<Vec<u8>> {
    roots::BUNDLED
        .iter()
        .filter_map(|(_, pem)| match input::shape(pem.as_bytes()) {
            input::Shape::Pem(blocks) => blocks
                .into_iter()
                .next()
                .and_then(Result::ok)
                .map(|b| b.der.to_vec()),
            _ => None,
        })
        .collect()
}

/// Days before expiry at which a warning is given.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Classify every file and check the set, as of `now`. `passphrase` is tried on
/// encrypted keys. Files that could not be read are passed as `unreadable` so that they
/// appear among the findings.
pub fn analyse(
    files: &[InputFile],
    unreadable: &[CredentialsError],
    now: OffsetDateTime,
    passphrase: Option<&str>,
) -> Analysis {
    let mut items = Vec::new();
    let mut findings = Vec::new();
    for err in unreadable {
        findings.push(Finding {
            severity: Severity::Warning,
            code: Code::FileUnreadable,
            file: None,
            message: err.to_string(),
            fix: "drop only the files AWS IoT gave you".into(),
        });
    }
    for file in files {
        let in_zip = file.name.contains(".zip/");
        if file.bytes.len() as u64 > MAX_FILE_SIZE {
            // Bytes handed over in memory get the same bound as files read from disk.
            findings.push(Finding {
                severity: Severity::Warning,
                code: Code::FileUnreadable,
                file: Some(file.name.clone()),
                message: CredentialsError::TooLarge {
                    name: file.name.clone(),
                    size: file.bytes.len() as u64,
                }
                .to_string(),
                fix: "drop only the files AWS IoT gave you".into(),
            });
            continue;
        }
        if let Some(found) = from_source(file, passphrase) {
            items.extend(found);
            continue;
        }
        match input::shape(&file.bytes) {
            input::Shape::Pem(blocks) => items.extend(pem_items(&file.name, blocks, passphrase)),
            input::Shape::Der(blob) => items.push(Item::new(
                file.name.clone(),
                classify::classify(&blob, passphrase),
            )),
            // Scripts and readmes in AWS's zip are expected; say nothing about them.
            _ if in_zip => {}
            input::Shape::Foreign(what) => items.push(Item::new(
                file.name.clone(),
                Kind::Unknown {
                    reason: format!("this is {what}, not a certificate or key"),
                },
            )),
            input::Shape::Text => items.push(Item::new(
                file.name.clone(),
                Kind::Unknown {
                    reason: "text without any '-----BEGIN' block or C string holding one".into(),
                },
            )),
            input::Shape::Empty => items.push(Item::new(
                file.name.clone(),
                Kind::Unknown {
                    reason: "the file is empty".into(),
                },
            )),
        }
    }
    merge_duplicates(&mut items);
    check_signatures(&mut items);
    check_public_keys(&mut items);
    let using_bundled_roots = assign_roles(&mut items, &mut findings, now);
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    Analysis {
        items,
        findings,
        using_bundled_roots,
    }
}

/// One item per PEM block, named `name` or `name#N` when there are several.
fn pem_items(
    name: &str,
    blocks: Vec<Result<input::Blob, input::BadBlock>>,
    passphrase: Option<&str>,
) -> Vec<Item> {
    let many = blocks.len() > 1;
    blocks
        .into_iter()
        .enumerate()
        .map(|(i, block)| {
            let source = if many {
                format!("{name}#{}", i + 1)
            } else {
                name.to_string()
            };
            let kind = match block {
                Ok(blob) => classify::classify(&blob, passphrase),
                Err(bad) => classify::bad_block(bad.label.as_deref(), bad.reason),
            };
            Item::new(source, kind)
        })
        // openssl writes EC PARAMETERS before an EC key; it holds nothing to use.
        .filter(|item| !matches!(item.kind, Kind::Parameters))
        .collect()
}

/// Items from the string literals and byte arrays of a C, C++ or Arduino source file,
/// or `None` when the file is not text or holds no credential in a literal (a plain PEM
/// file, for instance). Each is named after its variable: "`AWS_CERT_CRT` in secrets.h".
fn from_source(file: &InputFile, passphrase: Option<&str>) -> Option<Vec<Item>> {
    let bytes = file.bytes.as_slice();
    let head = &bytes[..bytes.len().min(4096)];
    if head.contains(&0) || !bytes.iter().any(|&b| b == b'"' || b == b'{') {
        return None;
    }
    let literals: Vec<_> = source::literals(bytes)
        .into_iter()
        .filter(source::Literal::holds_credentials)
        .collect();
    if literals.is_empty() {
        return None;
    }
    let mut items = Vec::new();
    for lit in literals {
        let name = lit.describe(&file.name);
        if lit.array {
            let blob = input::Blob::der(lit.value.to_vec());
            items.push(Item::new(name, classify::classify(&blob, passphrase)));
            continue;
        }
        match input::shape(&lit.value) {
            input::Shape::Pem(blocks) => items.extend(pem_items(&name, blocks, passphrase)),
            _ => {
                if let Some(der) = source::bare_base64(&lit.value) {
                    let blob = input::Blob::der(der.to_vec());
                    items.push(Item::new(name, classify::classify(&blob, passphrase)));
                }
            }
        }
    }
    Some(items)
}

/// What makes two items the same credential, whatever form they came in.
fn identity(kind: &Kind) -> Option<(u8, &[u8])> {
    match kind {
        Kind::Certificate(c) => Some((0, c.der.as_slice())),
        // PKCS#8 is rebuilt from the key itself, so PKCS#1, SEC1 and PKCS#8 inputs agree.
        Kind::PrivateKey(k) => Some((1, k.pkcs8_der.as_slice())),
        _ => None,
    }
}

/// The same certificate or key in several files or forms (the zip and the loose files,
/// `cert.der` beside its PEM) is one item that says where else it was found.
fn merge_duplicates(items: &mut Vec<Item>) {
    let mut i = 0;
    while i < items.len() {
        let mut j = i + 1;
        while j < items.len() {
            if identity(&items[i].kind).is_some()
                && identity(&items[i].kind) == identity(&items[j].kind)
            {
                let dup = items.remove(j);
                items[i].also_in.push(dup.source);
                items[i].also_in.extend(dup.also_in);
            } else {
                j += 1;
            }
        }
        i += 1;
    }
}

/// A certificate whose issuer is in the set (a self-signed root is its own issuer) must
/// carry a signature that verifies; one that does not was changed after it was signed.
fn check_signatures(items: &mut [Item]) {
    let certs: Vec<(usize, CertInfo)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| match &item.kind {
            Kind::Certificate(c) => Some((i, c.as_ref().clone())),
            _ => None,
        })
        .collect();
    for (i, cert) in &certs {
        // Issuers by name or by key identifier: a changed character in either still
        // finds the issuer through the other.
        let issuers: Vec<&CertInfo> = certs
            .iter()
            .map(|(_, c)| c)
            .filter(|c| {
                c.signed.subject == cert.signed.issuer
                    || (cert.signed.authority_key_id.is_some()
                        && cert.signed.authority_key_id == c.signed.subject_key_id)
            })
            .collect();
        let verdicts: Vec<Option<bool>> = issuers
            .iter()
            .map(|issuer| classify::signature_verifies(cert, issuer))
            .collect();
        // Damaged only when some issuer could check it and none accepts it.
        if verdicts.contains(&Some(false)) && !verdicts.contains(&Some(true)) {
            let by = match issuers.as_slice() {
                [only] if only.der == cert.der => "its own key (it is self-signed)".to_string(),
                [only, ..] => format!("the key of its issuer '{}'", only.subject_cn),
                [] => String::new(),
            };
            items[*i].kind = Kind::DamagedCertificate {
                reason: format!(
                    "its signature does not verify with {by}: a character was changed after it was issued"
                ),
            };
        }
    }
}

/// A certificate whose public key is a few bytes away from a dropped private key's (or
/// the same bits under another algorithm) is that key's certificate, damaged: a
/// different key pair differs everywhere, and the key itself passed a crypto load.
fn check_public_keys(items: &mut [Item]) {
    let keys: Vec<Vec<u8>> = items
        .iter()
        .filter_map(|i| match &i.kind {
            Kind::PrivateKey(k) => Some(k.public_key.clone()),
            _ => None,
        })
        .collect();
    for item in items.iter_mut() {
        let Kind::Certificate(c) = &item.kind else {
            continue;
        };
        let near = keys.iter().find_map(|k| {
            let differing = c.public_key.iter().zip(k).filter(|(a, b)| a != b).count();
            (c.public_key.len() == k.len()
                && differing <= 4
                && (differing > 0 || !key_type_matches(c)))
            .then_some(differing)
        });
        if let Some(differing) = near {
            let reason = if differing == 0 {
                "its public key's algorithm field was changed (the key bits are those of the dropped private key)".to_string()
            } else {
                format!(
                    "its public key differs from the dropped private key's in {differing} byte{}: a character was changed",
                    if differing == 1 { "" } else { "s" }
                )
            };
            item.kind = Kind::DamagedCertificate { reason };
        }
    }
}

/// Whether a certificate's key algorithm is one a private key could have.
fn key_type_matches(c: &CertInfo) -> bool {
    matches!(
        c.key_type,
        KeyType::Rsa { .. } | KeyType::EcP256 | KeyType::EcP384 | KeyType::EcP521
    )
}

fn push(
    findings: &mut Vec<Finding>,
    severity: Severity,
    code: Code,
    file: Option<&str>,
    message: String,
    fix: impl Into<String>,
) {
    findings.push(Finding {
        severity,
        code,
        file: file.map(str::to_string),
        message,
        fix: fix.into(),
    });
}

fn fmt_date(t: OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// Give every item a role and check the set. Returns whether the bundled roots are used.
fn assign_roles(items: &mut [Item], findings: &mut Vec<Finding>, now: OffsetDateTime) -> bool {
    use Severity::{Error, Info, Warning};

    let has_device_cert = items
        .iter()
        .any(|i| matches!(&i.kind, Kind::Certificate(c) if !c.is_ca && !c.self_issued));
    // Per-item findings that do not depend on the rest of the set.
    for item in items.iter() {
        let file = Some(item.source.as_str());
        match &item.kind {
            Kind::BrokenKey { reason, .. } => push(
                findings,
                Error,
                Code::KeyUnusable,
                file,
                format!("this private key cannot be used: {reason}"),
                "download the key again, or create a new certificate and key in AWS IoT",
            ),
            Kind::WrongPassphrase { scheme } => push(
                findings,
                Error,
                Code::KeyWrongPassphrase,
                file,
                format!("the passphrase given does not decrypt this private key ({scheme})"),
                "type the passphrase again (it is case-sensitive; GUI: the passphrase field; CLI: THINGFLASH_KEY_PASSPHRASE)",
            ),
            Kind::EncryptedKey { scheme, cipher } => push(
                findings,
                Error,
                Code::KeyEncrypted,
                file,
                format!(
                    "this private key is encrypted ({scheme}, {cipher}); the board needs it unencrypted"
                ),
                "give the passphrase (GUI: the passphrase field; CLI: THINGFLASH_KEY_PASSPHRASE) and thingflash decrypts it",
            ),
            // Blocking when it is the only device certificate; beside a good one it is
            // an extra copy that is ignored.
            Kind::DamagedCertificate { reason } => push(
                findings,
                if has_device_cert { Warning } else { Error },
                Code::CertDamaged,
                file,
                if has_device_cert {
                    format!("ignored: this certificate is damaged: {reason}")
                } else {
                    format!("this certificate is damaged: {reason}")
                },
                "copy it again from the file AWS gave you (ending in -certificate.pem.crt, or AmazonRootCA1.pem for the root); in a sketch, compare the string with that file line by line",
            ),
            Kind::Csr { .. } => push(
                findings,
                Warning,
                Code::Csr,
                file,
                "this is a certificate signing request, not a certificate".into(),
                "have AWS IoT sign it (Create certificate > Upload CSR) and drop the certificate it returns",
            ),
            Kind::Unknown { reason } => push(
                findings,
                Warning,
                Code::NotCredentials,
                file,
                format!("ignored: {reason}"),
                "drop the -certificate.pem.crt, -private.pem.key and AmazonRootCA1.pem files",
            ),
            _ => {}
        }
    }

    // Keys and certificates.
    let keys: Vec<usize> = (0..items.len())
        .filter(|&i| matches!(items[i].kind, Kind::PrivateKey(_)))
        .collect();
    fn key_public(items: &[Item], i: usize) -> Option<&[u8]> {
        match &items[i].kind {
            Kind::PrivateKey(k) => Some(k.public_key.as_slice()),
            _ => None,
        }
    }
    fn cert(items: &[Item], i: usize) -> Option<&CertInfo> {
        match &items[i].kind {
            Kind::Certificate(c) => Some(c.as_ref()),
            _ => None,
        }
    }
    let certs: Vec<usize> = (0..items.len())
        .filter(|&i| matches!(items[i].kind, Kind::Certificate(_)))
        .collect();
    let matches_a_key = |items: &[Item], c: &CertInfo| {
        keys.iter()
            .any(|&k| key_public(items, k) == Some(c.public_key.as_slice()))
    };

    // A certificate is a root candidate when it is a CA (or self-issued) and no
    // dropped key belongs to it.
    let (roots, leaves): (Vec<usize>, Vec<usize>) = certs.iter().partition(|&&i| {
        cert(items, i).is_some_and(|c| (c.is_ca || c.self_issued) && !matches_a_key(items, c))
    });

    // Device certificate: prefer the leaf that a dropped key matches.
    let device = leaves
        .iter()
        .copied()
        .find(|&i| cert(items, i).is_some_and(|c| matches_a_key(items, c)))
        .or_else(|| leaves.first().copied());
    let key = device
        .and_then(|d| cert(items, d))
        .and_then(|c| {
            keys.iter()
                .copied()
                .find(|&k| key_public(items, k) == Some(c.public_key.as_slice()))
        })
        .or_else(|| keys.first().copied());

    for &i in &leaves {
        if Some(i) != device {
            push(
                findings,
                Warning,
                Code::ExtraCertificate,
                Some(&items[i].source),
                "another device certificate; only one is used".into(),
                "drop only the certificate that belongs to your private key",
            );
        }
    }
    for &k in &keys {
        if Some(k) != key {
            push(
                findings,
                Warning,
                Code::ExtraKey,
                Some(&items[k].source),
                "another private key; only the one matching the certificate is used".into(),
                "drop only the key that belongs to the device certificate",
            );
        }
    }
    if let Some(d) = device {
        items[d].role = Role::DeviceCertificate;
    }
    if let Some(k) = key {
        items[k].role = Role::PrivateKey;
    }

    let public_keys: Vec<&Item> = items
        .iter()
        .filter(|i| matches!(i.kind, Kind::PublicKey { .. }))
        .collect();
    let has_broken_or_encrypted = items.iter().any(|i| {
        matches!(
            i.kind,
            Kind::BrokenKey { .. } | Kind::EncryptedKey { .. } | Kind::WrongPassphrase { .. }
        )
    });
    let has_damaged_cert = items
        .iter()
        .any(|i| matches!(i.kind, Kind::DamagedCertificate { .. }));
    match (device, key) {
        // The damaged certificate has its own finding; "no certificate" would mislead.
        (None, _) if has_damaged_cert => {}
        (None, _) => push(
            findings,
            Error,
            Code::MissingCertificate,
            None,
            "no device certificate".into(),
            "drop the device certificate too: the file ending in -certificate.pem.crt",
        ),
        (Some(d), _) => check_device_cert(&items[d].source, cert(items, d), now, findings),
    }
    if key.is_none() && !has_broken_or_encrypted {
        if let Some(p) = public_keys.first() {
            push(
                findings,
                Error,
                Code::PublicKeyInstead,
                Some(&p.source),
                "this is the public key; the board needs the private key".into(),
                "AWS gave you a file ending in -private.pem.key: drop that one (the public key is not needed)",
            );
        } else {
            push(
                findings,
                Error,
                Code::MissingKey,
                None,
                "no private key".into(),
                "drop the private key too: the file ending in -private.pem.key",
            );
        }
    } else {
        for p in &public_keys {
            push(
                findings,
                Info,
                Code::PublicKeyUnneeded,
                Some(&p.source),
                "a public key; not needed (the certificate holds it)".into(),
                "nothing to do",
            );
        }
    }
    if let (Some(d), Some(k)) = (device, key)
        && let (Some(c), Kind::PrivateKey(ki)) = (cert(items, d), &items[k].kind)
        && c.public_key != ki.public_key
    {
        let detail = if c.key_type == ki.key_type {
            format!("both are {}, but they are not a pair", c.key_type)
        } else {
            format!(
                "the certificate holds an {} key, the private key is {}",
                c.key_type, ki.key_type
            )
        };
        push(
            findings,
            Error,
            Code::KeyMismatch,
            Some(&items[k].source),
            format!(
                "this private key does not belong to the certificate {}: {detail}",
                items[d].source
            ),
            "drop the -private.pem.key that was downloaded together with this certificate; if it is lost, create a new certificate in AWS IoT",
        );
    }

    // Root CAs.
    let mut used_roots = 0;
    for &i in &roots {
        let Some(c) = cert(items, i).cloned() else {
            continue;
        };
        let source = items[i].source.clone();
        if let Some(known) = roots::recognise(&c.spki_sha256) {
            items[i].known_root = Some(known.name);
            items[i].role = Role::RootCa;
            used_roots += 1;
            if !known.ats {
                push(
                    findings,
                    Warning,
                    Code::RootCaReserved,
                    Some(&source),
                    format!(
                        "{} is reserved by Amazon for future use; AWS IoT's server does not chain to it today",
                        known.name
                    ),
                    "add AmazonRootCA1.pem (RSA) or AmazonRootCA3.pem (ECC) as well",
                );
            }
        } else if roots::is_legacy_verisign(&c.subject) {
            push(
                findings,
                Warning,
                Code::RootCaLegacy,
                Some(&source),
                "the legacy VeriSign Class 3 G5 root of old guides: it does not verify AWS IoT's -ats endpoints; ignored".into(),
                "use Amazon Root CA 1 with your -ats endpoint (thingflash uses its bundled copy if you drop no other root)",
            );
        } else {
            items[i].role = Role::RootCa;
            used_roots += 1;
            push(
                findings,
                Warning,
                Code::RootCaForeign,
                Some(&source),
                format!(
                    "'{}' is not an Amazon root CA: the board will trust only this CA for the server",
                    c.subject_cn
                ),
                "right for your own broker; for AWS IoT's -ats endpoint drop AmazonRootCA1.pem instead",
            );
        }
        if now > c.not_after {
            push(
                findings,
                Error,
                Code::RootCaExpired,
                Some(&source),
                format!("this root CA expired on {}", fmt_date(c.not_after)),
                "download a current root CA (AmazonRootCA1.pem)",
            );
        }
    }
    let bundled = used_roots == 0;
    if bundled {
        push(
            findings,
            Info,
            Code::RootCaBundled,
            None,
            "no root CA dropped: the bundled Amazon Root CA 1 and Amazon Root CA 3 will be used"
                .into(),
            "nothing to do; they verify every AWS IoT -ats endpoint",
        );
    }
    bundled
}

fn check_device_cert(
    source: &str,
    c: Option<&CertInfo>,
    now: OffsetDateTime,
    findings: &mut Vec<Finding>,
) {
    use Severity::{Error, Warning};
    let Some(c) = c else { return };
    let file = Some(source);
    if now < c.not_before {
        push(
            findings,
            Error,
            Code::CertNotYetValid,
            file,
            format!(
                "the certificate is not valid until {}",
                fmt_date(c.not_before)
            ),
            "check this computer's clock; if it is right, wait or create a new certificate",
        );
    } else if now > c.not_after {
        push(
            findings,
            Error,
            Code::CertExpired,
            file,
            format!("the certificate expired on {}", fmt_date(c.not_after)),
            "create a new certificate in AWS IoT (or let thingflash provision one) and attach your policy to it",
        );
    } else if c.not_after - now < time::Duration::days(EXPIRY_WARNING_DAYS) {
        push(
            findings,
            Warning,
            Code::CertExpiring,
            file,
            format!("the certificate expires on {}", fmt_date(c.not_after)),
            "plan a new certificate; the board stops connecting on that day",
        );
    }
    if c.is_ca {
        push(
            findings,
            Error,
            Code::CertIsCa,
            file,
            "this certificate is a CA certificate, not a device certificate".into(),
            "drop the device certificate (ending in -certificate.pem.crt); CA certificates verify, they do not identify a device",
        );
    }
    if c.version < 3 {
        push(
            findings,
            Warning,
            Code::CertV1,
            file,
            format!(
                "the certificate is X.509 version {} (it carries no extensions: no key usage, no basic constraints)",
                c.version
            ),
            V1_FIX,
        );
    }
    if let Some((client, _)) = c.eku
        && !client
    {
        push(
            findings,
            Error,
            Code::CertNoClientAuth,
            file,
            "the certificate's extended key usage does not allow TLS client authentication".into(),
            "issue the device certificate with extendedKeyUsage=clientAuth (AWS IoT's own certificates have it)",
        );
    }
    match c.key_type {
        KeyType::Rsa { bits } if bits < 2048 => push(
            findings,
            Error,
            Code::KeyTooSmall,
            file,
            format!("an RSA-{bits} key; AWS IoT requires at least 2048 bits"),
            "create a new certificate with an RSA-2048 or EC P-256 key",
        ),
        KeyType::Ed25519 | KeyType::EcOther | KeyType::Other => push(
            findings,
            Error,
            Code::KeyUnsupported,
            file,
            format!("an {} key, which AWS IoT Core does not accept", c.key_type),
            "create a new certificate with an RSA-2048 or EC P-256 key",
        ),
        _ => {}
    }
}

#[cfg(test)]
mod code_tests {
    use super::Code;

    #[test]
    fn every_code_serialises_as_its_name_and_names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert_eq!(
                serde_json::to_string(c).unwrap(),
                format!("\"{}\"", c.as_str())
            );
            assert!(seen.insert(c.as_str()), "{c} twice");
        }
    }
}
