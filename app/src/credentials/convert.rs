//! Writing the DER files of the classic ESP8266 guide (`cert.der`, `key.der`, `ca.der`)
//! from an analysed set: byte-identical to what openssl writes for the same input.
//! Existing files are never replaced without `force`; key files are created 0600.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{Analysis, CredentialsError};

/// How to write.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConvertOptions {
    /// Write the key as PKCS#8 (`openssl pkcs8 -topk8 -nocrypt`) instead of the
    /// traditional form (PKCS#1 for RSA, SEC1 for EC).
    pub pkcs8: bool,
    /// Replace existing files.
    pub force: bool,
}

/// One file to write.
struct Output<'a> {
    name: String,
    bytes: &'a [u8],
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
            bytes: &cert.der,
            secret: false,
        },
        Output {
            name: "key.der".into(),
            bytes: key_bytes,
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
            bytes: root,
            secret: false,
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
        write_file(&path, o.bytes, o.secret, opts.force)?;
        written.push(path);
    }
    Ok(written)
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
