//! File-system images for the user's own firmware: LittleFS and SPIFFS partitions as the
//! Arduino cores (ESP32 and ESP8266) and ESP-IDF mount them, read, changed and built in
//! memory. Nothing here touches a port: the flash code reads a partition, hands the bytes
//! here, and writes back the sectors that differ.

mod littlefs;
pub mod spiffs;

use serde::Serialize;
use sha2::Digest as _;

/// Which file system a partition holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FsKind {
    /// LittleFS (`LittleFS.begin()`).
    #[value(name = "littlefs")]
    LittleFs,
    /// SPIFFS (`SPIFFS.begin()`).
    Spiffs,
}

impl std::fmt::Display for FsKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FsKind::LittleFs => "LittleFS",
            FsKind::Spiffs => "SPIFFS",
        })
    }
}

/// How a core configures its file system: the values that must match for the board to
/// mount an image we write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    /// The kind.
    pub kind: FsKind,
    /// Erase block (LittleFS block, SPIFFS logical block).
    pub block_size: u32,
    /// Longest file name (LittleFS `name_max`; SPIFFS `SPIFFS_OBJ_NAME_LEN`, NUL included).
    pub name_max: u32,
    /// SPIFFS only: the on-disk layout options.
    pub spiffs: spiffs::Layout,
}

impl Params {
    /// The ESP32 family: Arduino-ESP32 and ESP-IDF (esp_littlefs, ESP-IDF SPIFFS), 4 KiB
    /// blocks. LittleFS names stay within 32 so that the ESP8266 core could mount the
    /// same image.
    pub fn esp32(kind: FsKind) -> Self {
        Self {
            kind,
            block_size: 4096,
            name_max: 32,
            spiffs: spiffs::Layout::ESP_IDF,
        }
    }
}

/// What a partition holds now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Found {
    /// Every byte erased.
    Blank,
    /// A file system of this kind.
    Kind(FsKind),
    /// Something else (another file system, data, a damaged image).
    Unknown,
}

/// Look at a partition image, with the core's parameters (the kind in `params` does not
/// matter: both kinds are tried).
pub fn detect(image: &[u8], params: &Params) -> Found {
    if image.iter().all(|b| *b == 0xFF) {
        return Found::Blank;
    }
    if littlefs::looks_like(image, params) {
        Found::Kind(FsKind::LittleFs)
    } else if spiffs::looks_like(image, &params.spiffs, params.block_size) {
        Found::Kind(FsKind::Spiffs)
    } else {
        Found::Unknown
    }
}

/// Why an image cannot be read or changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FsError {
    /// The image is not of the kind asked for.
    #[error("the partition does not hold this kind of file system")]
    NotThisKind,
    /// It is that kind, but cannot be read.
    #[error("the file system in the partition is damaged: {0}")]
    Damaged(String),
    /// The files do not fit.
    #[error(
        "the files do not fit in the partition: free some space on the board, or choose a partition table with a larger file-system partition"
    )]
    NoSpace,
    /// A file name the file system cannot store.
    #[error("the file name cannot be stored: {0}")]
    BadName(String),
}

/// One file in a listing: path, size and the start of its SHA-256, so that "unchanged"
/// is visible at a glance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileEntry {
    /// Absolute path.
    pub path: String,
    /// Bytes.
    pub len: usize,
    /// First 8 hex digits of the content's SHA-256.
    pub sha256: String,
}

impl FileEntry {
    fn of(path: &str, data: &[u8]) -> Self {
        let d = sha2::Sha256::digest(data);
        Self {
            path: path.to_string(),
            len: data.len(),
            sha256: d[..4].iter().map(|b| format!("{b:02x}")).collect(),
        }
    }
}

/// Every file of the image with its bytes, sorted by path.
pub fn files(image: &[u8], params: &Params) -> Result<Vec<(String, Vec<u8>)>, FsError> {
    match params.kind {
        FsKind::LittleFs => littlefs::files(image, params),
        FsKind::Spiffs => spiffs::read(image, &params.spiffs, params.block_size),
    }
}

/// The listing of `files`.
pub fn listing(files: &[(String, Vec<u8>)]) -> Vec<FileEntry> {
    files.iter().map(|(p, d)| FileEntry::of(p, d)).collect()
}

/// The image with `changes` added or replacing files of the same path; every other file
/// is kept byte for byte.
pub fn update(
    image: &[u8],
    params: &Params,
    changes: &[(String, Vec<u8>)],
) -> Result<Vec<u8>, FsError> {
    check_names(params, changes)?;
    match params.kind {
        FsKind::LittleFs => littlefs::update(image, params, changes),
        FsKind::Spiffs => {
            // SPIFFS is rebuilt whole: its magic is checked in every block at mount, so
            // the region is written whole anyway. Files keep their order.
            let mut all = spiffs::read(image, &params.spiffs, params.block_size)?;
            for (path, data) in changes {
                match all.iter_mut().find(|(p, _)| p == path) {
                    Some(slot) => slot.1.clone_from(data),
                    None => all.push((path.clone(), data.clone())),
                }
            }
            spiffs::write(image.len() as u32, &params.spiffs, params.block_size, &all)
        }
    }
}

/// A new image of `size` bytes holding `files`.
pub fn format(size: u32, params: &Params, files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, FsError> {
    check_names(params, files)?;
    if size == 0 || !size.is_multiple_of(params.block_size) {
        return Err(FsError::Damaged(format!(
            "a partition of {size} bytes is not a whole number of {}-byte blocks",
            params.block_size
        )));
    }
    match params.kind {
        FsKind::LittleFs => littlefs::format(size, params, files),
        FsKind::Spiffs => spiffs::write(size, &params.spiffs, params.block_size, files),
    }
}

fn check_names(params: &Params, files: &[(String, Vec<u8>)]) -> Result<(), FsError> {
    for (path, _) in files {
        if !path.starts_with('/') || path.ends_with('/') || path.contains("//") {
            return Err(FsError::BadName(format!(
                "{path:?} must be an absolute file path like /cert.der"
            )));
        }
        let limit = match params.kind {
            // littlefs limits each component; SPIFFS stores the whole path, NUL included.
            FsKind::LittleFs => path.rsplit('/').map(str::len).max().unwrap_or(0),
            FsKind::Spiffs => path.len() + 1,
        };
        if limit > params.name_max as usize {
            return Err(FsError::BadName(format!(
                "{path:?} is longer than the {} characters {} allows here",
                params.name_max - u32::from(params.kind == FsKind::Spiffs),
                params.kind
            )));
        }
    }
    Ok(())
}

/// Byte ranges `(offset, len)` of whole `sector`-sized pieces where `new` differs from
/// `old`, adjacent ones joined: what has to be written.
pub fn changed_ranges(old: &[u8], new: &[u8], sector: usize) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, (a, b)) in old.chunks(sector).zip(new.chunks(sector)).enumerate() {
        if a != b {
            let at = i * sector;
            match out.last_mut() {
                Some((start, len)) if *start + *len == at => *len += b.len(),
                _ => out.push((at, b.len())),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Vec<(String, Vec<u8>)> {
        vec![
            ("/cert.der".into(), vec![0x30; 900]),
            ("/private.der".into(), vec![0x31; 1190]),
            ("/ca.der".into(), vec![0x32; 837]),
        ]
    }

    #[test]
    fn littlefs_keeps_the_users_files_and_changes_few_blocks() {
        let p = Params::esp32(FsKind::LittleFs);
        let user = vec![
            ("/config.json".to_string(), br#"{"interval":30}"#.to_vec()),
            (
                "/www/big.bin".to_string(),
                (0..100_000u32).map(|i| (i * 7) as u8).collect(),
            ),
        ];
        let before = format(0x160000, &p, &user).unwrap();
        assert_eq!(detect(&before, &p), Found::Kind(FsKind::LittleFs));
        let after = update(&before, &p, &creds()).unwrap();
        let mut want = user.clone();
        want.extend(creds());
        want.sort();
        assert_eq!(files(&after, &p).unwrap(), want);
        let changed: usize = changed_ranges(&before, &after, 4096)
            .iter()
            .map(|r| r.1)
            .sum();
        assert!(changed <= 8 * 4096, "{changed} bytes changed");
        // Writing the same files again changes at most the metadata blocks.
        let again = update(&after, &p, &creds()).unwrap();
        assert_eq!(files(&again, &p).unwrap(), want);
    }

    #[test]
    fn the_wrong_kind_is_not_mounted() {
        let lfs = format(0x20000, &Params::esp32(FsKind::LittleFs), &creds()).unwrap();
        assert_eq!(
            files(&lfs, &Params::esp32(FsKind::Spiffs)),
            Err(FsError::NotThisKind)
        );
        let spiffs = format(0x20000, &Params::esp32(FsKind::Spiffs), &creds()).unwrap();
        assert_eq!(
            detect(&spiffs, &Params::esp32(FsKind::LittleFs)),
            Found::Kind(FsKind::Spiffs)
        );
        assert_eq!(
            files(&spiffs, &Params::esp32(FsKind::LittleFs)),
            Err(FsError::NotThisKind)
        );
        assert_eq!(
            detect(&[0xFF; 8192], &Params::esp32(FsKind::Spiffs)),
            Found::Blank
        );
        assert_eq!(
            detect(&[0x00; 8192], &Params::esp32(FsKind::Spiffs)),
            Found::Unknown
        );
    }

    #[test]
    fn names_and_space_are_checked_before_anything_is_built() {
        let p = Params::esp32(FsKind::LittleFs);
        let long = vec![(format!("/{}", "a".repeat(33)), vec![1])];
        assert!(matches!(
            format(0x20000, &p, &long),
            Err(FsError::BadName(_))
        ));
        let relative = vec![("cert.der".to_string(), vec![1])];
        assert!(matches!(
            format(0x20000, &p, &relative),
            Err(FsError::BadName(_))
        ));
        let big = vec![("/big".to_string(), vec![7; 0x30000])];
        assert_eq!(format(0x20000, &p, &big), Err(FsError::NoSpace));
        let s = Params::esp32(FsKind::Spiffs);
        assert_eq!(format(0x20000, &s, &big), Err(FsError::NoSpace));
        let spiffs_long = vec![(format!("/{}", "b".repeat(31)), vec![1])];
        assert!(matches!(
            format(0x20000, &s, &spiffs_long),
            Err(FsError::BadName(_))
        ));
    }

    #[test]
    fn changed_ranges_join_neighbours() {
        let old = vec![0u8; 5 * 16];
        let mut new = old.clone();
        new[0] = 1;
        new[16] = 1;
        new[64] = 1;
        assert_eq!(changed_ranges(&old, &new, 16), vec![(0, 32), (64, 16)]);
        assert!(changed_ranges(&old, &old, 16).is_empty());
    }
}
