//! Getting bytes in: bounded file reads, the AWS "connect device" zip, and splitting PEM
//! text (LF or CRLF, junk around it, several blocks, legacy encryption headers) or raw
//! DER into blobs to classify. Nothing here decides what a blob is.

use std::io::Read;
use std::path::Path;

use base64::Engine as _;
use zeroize::Zeroizing;

use super::CredentialsError;

/// Largest file thingflash reads. Certificates and keys are a few KiB; anything bigger
/// was dropped by mistake, and is refused before it is read.
pub const MAX_FILE_SIZE: u64 = 1 << 20;
/// Most entries read from one zip archive.
pub const MAX_ZIP_ENTRIES: usize = 64;

/// One dropped file (or one zip entry), read into memory. Wiped on drop: it may hold a key.
#[derive(Clone)]
pub struct InputFile {
    /// What the user knows it as: the file name, or `archive.zip/entry`.
    pub name: String,
    /// Its bytes.
    pub bytes: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for InputFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "InputFile({}, {} bytes)", self.name, self.bytes.len())
    }
}

impl InputFile {
    /// Wrap bytes that are already in memory (for example a dropped file's contents).
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Self {
            name: name.into(),
            bytes: Zeroizing::new(bytes),
        }
    }
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Read one path: a file, or a zip archive expanded into its entries. Files over
/// [`MAX_FILE_SIZE`] are refused from their metadata, without reading them.
pub fn read_path(path: &Path) -> Result<Vec<InputFile>, CredentialsError> {
    let name = display_name(path);
    let io = |source| CredentialsError::Read {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if meta.is_dir() {
        return Err(CredentialsError::IsDirectory { name });
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(CredentialsError::TooLarge {
            name,
            size: meta.len(),
        });
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(meta.len() as usize));
    // Bounded even if the file grows while we read it.
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(CredentialsError::TooLarge {
            name,
            size: bytes.len() as u64,
        });
    }
    expand(InputFile { name, bytes })
}

/// A zip archive becomes its entries; anything else stays as it is.
pub fn expand(file: InputFile) -> Result<Vec<InputFile>, CredentialsError> {
    if !file.bytes.starts_with(b"PK\x03\x04") {
        return Ok(vec![file]);
    }
    let bad_zip = |e: zip::result::ZipError| CredentialsError::Zip {
        name: file.name.clone(),
        detail: e.to_string(),
    };
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(file.bytes.as_slice())).map_err(bad_zip)?;
    let mut out = Vec::new();
    for i in 0..archive.len().min(MAX_ZIP_ENTRIES) {
        let entry = archive.by_index(i).map_err(bad_zip)?;
        if entry.is_dir() {
            continue;
        }
        let name = format!("{}/{}", file.name, entry.name());
        if entry.size() > MAX_FILE_SIZE {
            return Err(CredentialsError::TooLarge {
                name,
                size: entry.size(),
            });
        }
        let mut bytes = Zeroizing::new(Vec::new());
        // The declared size can lie (zip bombs): bound the read itself.
        entry
            .take(MAX_FILE_SIZE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| CredentialsError::Zip {
                name: name.clone(),
                detail: e.to_string(),
            })?;
        if bytes.len() as u64 > MAX_FILE_SIZE {
            return Err(CredentialsError::TooLarge {
                name,
                size: bytes.len() as u64,
            });
        }
        out.push(InputFile { name, bytes });
    }
    Ok(out)
}

/// A legacy OpenSSL `Proc-Type: 4,ENCRYPTED` header's cipher and IV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DekInfo {
    /// Cipher name as written, e.g. `AES-256-CBC`.
    pub cipher: String,
    /// The IV, which is also the key-derivation salt.
    pub iv: Vec<u8>,
}

/// One blob to classify.
#[derive(Clone)]
pub struct Blob {
    /// 0-based position of the PEM block in its file (0 for DER).
    pub index: usize,
    /// The PEM label, if it came from PEM (informational: classification uses content).
    pub label: Option<String>,
    /// Legacy encryption header, when present.
    pub dek: Option<DekInfo>,
    /// The decoded bytes.
    pub der: Zeroizing<Vec<u8>>,
}

/// A PEM block that could not be decoded: its label (what it claimed to be) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadBlock {
    /// The label of its BEGIN line, when that line was complete.
    pub label: Option<String>,
    /// What is wrong, in words.
    pub reason: String,
}

/// What kind of file the bytes look like before any parsing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Contains PEM blocks.
    Pem(Vec<Result<Blob, BadBlock>>),
    /// Starts like DER (an ASN.1 SEQUENCE).
    Der(Blob),
    /// A picture, an archive or other binary that is no certificate.
    Foreign(&'static str),
    /// Text with no PEM block in it.
    Text,
    /// Empty.
    Empty,
}

impl Blob {
    /// A DER blob with no PEM wrapping.
    pub fn der(der: Vec<u8>) -> Self {
        Self {
            index: 0,
            label: None,
            dek: None,
            der: Zeroizing::new(der),
        }
    }
}

impl PartialEq for Blob {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
            && self.label == other.label
            && self.dek == other.dek
            && *self.der == *other.der
    }
}
impl Eq for Blob {}

impl std::fmt::Debug for Blob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Blob(#{}, {:?}, {} bytes)",
            self.index,
            self.label,
            self.der.len()
        )
    }
}

const FOREIGN_MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x7FELF", "a program (ELF)"),
    (b"MZ", "a Windows program"),
    (b"\x1F\x8B", "a gzip archive"),
    (b"PK\x03\x04", "a zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\xE9", "an ESP firmware image"),
];

/// Look at the bytes and split them into blobs.
pub fn shape(bytes: &[u8]) -> Shape {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Shape::Empty;
    }
    if let Some(blocks) = pem_blocks(bytes) {
        return Shape::Pem(blocks);
    }
    if bytes.first() == Some(&0x30) {
        return Shape::Der(Blob {
            index: 0,
            label: None,
            dek: None,
            der: Zeroizing::new(bytes.to_vec()),
        });
    }
    if let Some((_, what)) = FOREIGN_MAGIC
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
    {
        return Shape::Foreign(what);
    }
    let sample = &bytes[..bytes.len().min(4096)];
    let printable = sample
        .iter()
        .filter(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
        .count();
    if printable * 10 >= sample.len() * 9 {
        Shape::Text
    } else {
        Shape::Foreign("binary data")
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Every `-----BEGIN X-----` .. `-----END X-----` block, or `None` if there is none.
fn pem_blocks(bytes: &[u8]) -> Option<Vec<Result<Blob, BadBlock>>> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    find(bytes, BEGIN)?;
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Some(at) = find(rest, BEGIN) {
        let after = &rest[at + BEGIN.len()..];
        let index = out.len();
        let Some(label_end) = find(after, b"-----") else {
            out.push(Err(BadBlock {
                label: None,
                reason: "a PEM header line is cut off".into(),
            }));
            break;
        };
        let label = String::from_utf8_lossy(&after[..label_end])
            .trim()
            .to_string();
        let body_start = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = find(body_start, end_marker.as_bytes()) else {
            out.push(Err(BadBlock {
                reason: format!(
                    "the PEM block '{label}' has no '-----END {label}-----' line: the file is cut off"
                ),
                label: Some(label),
            }));
            break;
        };
        out.push(
            decode_body(index, label.clone(), &body_start[..end]).map_err(|reason| BadBlock {
                label: Some(label),
                reason,
            }),
        );
        rest = &body_start[end + end_marker.len()..];
    }
    Some(out)
}

fn decode_body(index: usize, label: String, body: &[u8]) -> Result<Blob, String> {
    let text = String::from_utf8_lossy(body);
    let mut dek = None;
    let mut encrypted = false;
    let mut b64 = Zeroizing::new(String::with_capacity(text.len()));
    for line in text.lines().map(str::trim) {
        if let Some((key, value)) = line.split_once(':') {
            match key.trim() {
                "Proc-Type" => encrypted = value.contains("ENCRYPTED"),
                "DEK-Info" => {
                    let (cipher, iv) = value.trim().split_once(',').unwrap_or((value.trim(), ""));
                    let iv = hex_decode(iv.trim()).ok_or("the DEK-Info header has a bad IV")?;
                    dek = Some(DekInfo {
                        cipher: cipher.trim().to_string(),
                        iv,
                    });
                }
                _ => {}
            }
            continue;
        }
        b64.push_str(line);
    }
    if encrypted && dek.is_none() {
        return Err(format!(
            "the '{label}' block is marked ENCRYPTED but has no DEK-Info header"
        ));
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .map_err(|e| {
            format!("the '{label}' block is not valid base64 ({e}): the file is damaged")
        })?;
    Ok(Blob {
        index,
        label: Some(label),
        dek,
        der: Zeroizing::new(der),
    })
}

pub(crate) fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_with_crlf_junk_and_two_blocks() {
        let text = b"Bag Attributes\r\n-----BEGIN CERTIFICATE-----\r\nAAEC\r\n-----END CERTIFICATE-----\r\nnoise\n-----BEGIN X-----\nAwQ=\n-----END X-----\n";
        let Shape::Pem(blocks) = shape(text) else {
            panic!()
        };
        assert_eq!(blocks.len(), 2);
        assert_eq!(*blocks[0].as_ref().unwrap().der, [0, 1, 2]);
        assert_eq!(blocks[1].as_ref().unwrap().label.as_deref(), Some("X"));
        assert_eq!(*blocks[1].as_ref().unwrap().der, [3, 4]);
    }

    #[test]
    fn legacy_encrypted_header() {
        let text = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAEC\n-----END RSA PRIVATE KEY-----\n";
        let Shape::Pem(blocks) = shape(text) else {
            panic!()
        };
        let dek = blocks[0].as_ref().unwrap().dek.clone().unwrap();
        assert_eq!(dek.cipher, "AES-128-CBC");
        assert_eq!(dek.iv.len(), 16);
    }

    #[test]
    fn cut_off_and_foreign() {
        let Shape::Pem(blocks) = shape(b"-----BEGIN CERTIFICATE-----\nAAEC\n") else {
            panic!()
        };
        assert!(blocks[0].is_err());
        assert_eq!(
            shape(b"\x89PNG\r\n\x1a\n...."),
            Shape::Foreign("a PNG image")
        );
        assert_eq!(shape(b"hello world\n"), Shape::Text);
        assert_eq!(shape(b" \n"), Shape::Empty);
    }
}
