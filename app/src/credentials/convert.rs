//! Writing an analysed set out for other firmware: the DER files of the classic ESP8266
//! guide (`cert.der`, `key.der` or the guide's `private.der`, `ca.der`), byte-identical
//! to what openssl writes for the same input, and a `secrets.h` for sketches that keep
//! their credentials in the source. Existing files are never replaced without `force`;
//! files holding the key are created 0600.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use zeroize::Zeroizing;

use super::{Analysis, CredentialsError};

/// How to write.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConvertOptions {
    /// Write the key as PKCS#8 (`openssl pkcs8 -topk8 -nocrypt`) instead of the
    /// traditional form (PKCS#1 for RSA, SEC1 for EC).
    pub pkcs8: bool,
    /// Replace existing files.
    pub force: bool,
    /// Name the key `private.der`, as the classic guide's sketch reads it
    /// (`/cert.der`, `/private.der`, `/ca.der`), instead of `key.der`.
    pub guide_names: bool,
    /// Also write `secrets.h`: the three as escaped C strings in PROGMEM.
    pub secrets_h: bool,
}

/// One file to write.
struct Output {
    name: String,
    bytes: Zeroizing<Vec<u8>>,
    secret: bool,
}

/// Write the files into `dir` (created if needed). Returns the paths written. Nothing is
/// written when the set has a blocking finding, or when any target exists without `force`.
pub fn write_der(
    analysis: &Analysis,
    dir: &Path,
    opts: ConvertOptions,
) -> Result<Vec<PathBuf>, CredentialsError> {
    if let Some(f) = analysis
        .findings
        .iter()
        .find(|f| f.severity == super::Severity::Error)
    {
        return Err(CredentialsError::Blocked(format!(
            "{}; fix: {}",
            f.message, f.fix
        )));
    }
    let (Some(cert), Some(key)) = (analysis.device_cert(), analysis.private_key()) else {
        return Err(CredentialsError::Blocked(
            "the set has no device certificate and key".into(),
        ));
    };
    let roots = analysis.root_ca_ders();
    let key_bytes: &[u8] = if opts.pkcs8 {
        &key.pkcs8_der
    } else {
        &key.traditional_der
    };
    let mut outputs = vec![
        Output {
            name: "cert.der".into(),
            bytes: Zeroizing::new(cert.der.clone()),
            secret: false,
        },
        Output {
            name: if opts.guide_names {
                "private.der"
            } else {
                "key.der"
            }
            .into(),
            bytes: Zeroizing::new(key_bytes.to_vec()),
            secret: true,
        },
    ];
    for (i, root) in roots.iter().enumerate() {
        outputs.push(Output {
            name: if i == 0 {
                "ca.der".into()
            } else {
                format!("ca{}.der", i + 1)
            },
            bytes: Zeroizing::new(root.clone()),
            secret: false,
        });
    }
    if opts.secrets_h {
        outputs.push(Output {
            name: "secrets.h".into(),
            bytes: secrets_h(
                &cert.subject_cn,
                &cert.der,
                key_bytes,
                opts.pkcs8,
                key.key_type,
                &roots,
            ),
            secret: true,
        });
    }
    std::fs::create_dir_all(dir).map_err(|source| CredentialsError::Write {
        path: dir.display().to_string(),
        source,
    })?;
    // Check every target first so that a refusal leaves nothing half-written.
    if !opts.force
        && let Some(existing) = outputs
            .iter()
            .map(|o| dir.join(&o.name))
            .find(|p| p.exists())
    {
        return Err(CredentialsError::Exists {
            path: existing.display().to_string(),
        });
    }
    let mut written = Vec::new();
    for o in outputs {
        let path = dir.join(&o.name);
        write_file(&path, &o.bytes, o.secret, opts.force)?;
        written.push(path);
    }
    Ok(written)
}

/// PEM text: the label's BEGIN line, base64 in 64-column lines, the END line.
pub fn pem(label: &str, der: &[u8]) -> Zeroizing<String> {
    let b64 = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(der));
    let mut out = Zeroizing::new(format!("-----BEGIN {label}-----\n"));
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// `text` as a C string literal body: quotes, backslashes and control bytes escaped.
fn c_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // `??x` is a trigraph in older C: break it up.
            '?' => out.push_str("\\?"),
            c if c.is_ascii_graphic() || c == ' ' => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\{b:03o}"));
                }
            }
        }
    }
    out
}

/// One `static const char NAME[] PROGMEM = "..." "...";`, a literal per PEM line.
fn c_string(name: &str, pem: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(format!("static const char {name}[] PROGMEM =\n"));
    let lines: Vec<&str> = pem.split_inclusive('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        let end = if i + 1 == lines.len() { ";" } else { "" };
        out.push_str(&format!("    \"{}\"{end}\n", c_escape(line)));
    }
    out
}

/// A comment-safe one-line rendering of a name from a certificate.
fn comment_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// `secrets.h` in the layout of AWS's Arduino examples (`AWS_CERT_CA`, `AWS_CERT_CRT`,
/// `AWS_CERT_PRIVATE`), every string escaped and in PROGMEM so that it builds for the
/// ESP8266 and ESP32 Arduino cores alike (`pgmspace.h` is in both).
fn secrets_h(
    subject_cn: &str,
    cert_der: &[u8],
    key_der: &[u8],
    pkcs8: bool,
    key_type: super::KeyType,
    roots: &[Vec<u8>],
) -> Zeroizing<Vec<u8>> {
    let key_label = match (pkcs8, key_type) {
        (true, _) => "PRIVATE KEY",
        (false, super::KeyType::Rsa { .. }) => "RSA PRIVATE KEY",
        (false, _) => "EC PRIVATE KEY",
    };
    let mut ca = Zeroizing::new(String::new());
    for root in roots {
        ca.push_str(&pem("CERTIFICATE", root));
    }
    let key_pem = pem(key_label, key_der);
    let (ca, crt, key) = (
        c_string("AWS_CERT_CA", &ca),
        c_string("AWS_CERT_CRT", &pem("CERTIFICATE", cert_der)),
        c_string("AWS_CERT_PRIVATE", &key_pem),
    );
    let text = Zeroizing::new(format!(
        "// secrets.h: AWS IoT credentials for {cn}, written by thingflash.\n\
         // It holds the device's private key: keep it out of version control.\n\
         #pragma once\n\
         #include <pgmspace.h>\n\n\
         // Root CA that verifies AWS IoT's server\n{ca}\n\
         // Device certificate\n{crt}\n\
         // Device private key\n{key}",
        cn = comment_safe(subject_cn),
        ca = ca.as_str(),
        crt = crt.as_str(),
        key = key.as_str(),
    ));
    Zeroizing::new(text.as_bytes().to_vec())
}

/// Write one file: a new file directly, a replacement through a temporary file and a
/// rename so that the old contents survive a failed write. Secret files are 0600.
pub fn write_file(
    path: &Path,
    bytes: &[u8],
    secret: bool,
    force: bool,
) -> Result<(), CredentialsError> {
    let err = |source| CredentialsError::Write {
        path: path.display().to_string(),
        source,
    };
    let target = if force {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".thingflash-tmp");
        PathBuf::from(tmp)
    } else {
        path.to_path_buf()
    };
    // Windows has no mode bits: a new file gets the user profile's ACL.
    #[cfg(not(unix))]
    let _ = secret;
    let mut options = OpenOptions::new();
    options
        .write(true)
        .create_new(!force)
        .create(force)
        .truncate(force);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(if secret { 0o600 } else { 0o644 });
    }
    let mut file = options.open(&target).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CredentialsError::Exists {
                path: path.display().to_string(),
            }
        } else {
            err(e)
        }
    })?;
    #[cfg(unix)]
    if secret {
        // A pre-existing temporary file keeps its old mode: set it explicitly.
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(err)?;
    }
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(err)?;
    drop(file);
    if force {
        std::fs::rename(&target, path).map_err(err)?;
    }
    Ok(())
}
