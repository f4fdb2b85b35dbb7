//! Credentials for the user's own firmware, planned without a port: which partition of
//! the board's table they go into, what the partition becomes (files added or replaced
//! in its file system, or esp_secure_cert records), which sectors change, and how to
//! check the read-back. Also the user's firmware image (a merged `.bin` or ESP-IDF's
//! `flasher_args.json`) when it is flashed in the same run. The flash code does the I/O.

use std::path::Path;

use serde::Serialize;
use thingflash_protocol::tlv::{self, PartitionWriter, TlvType};
use zeroize::Zeroizing;

use crate::credentials::CredentialSet;
use crate::fs::{self, FileEntry, Found, FsError, FsKind, Params};
use crate::partitions::{Partition, Table, TableError, human_size};
use crate::target::{FileSpec, Target};

/// Flash sector: the unit that is erased and so the unit that is written.
pub const SECTOR: usize = 4096;

/// What to write for a target.
#[derive(Clone, Debug)]
pub struct Options {
    /// The firmware on the board. Not [`Target::Thingflash`].
    pub target: Target,
    /// The files, for the file-system targets.
    pub files: Vec<FileSpec>,
    /// Create a new file system when the partition holds none of the chosen kind. The
    /// partition's old contents are lost: only on the user's word.
    pub format: bool,
    /// Where the partition table is.
    pub table_offset: u32,
    /// ESP8266 targets: the file system's region (from the sketch's flash layout).
    pub region: Option<crate::esp8266::Region>,
}

/// Why the credentials cannot be placed. Each of these writes nothing.
#[derive(Debug, thiserror::Error)]
pub enum OwnError {
    /// The table is missing or damaged.
    #[error(transparent)]
    Table(#[from] TableError),
    /// No partition for this target.
    #[error("{0}")]
    NoPartition(String),
    /// Encrypted partitions read back as ciphertext.
    #[error(
        "the {label} partition is encrypted (flash encryption): thingflash cannot read or write it over the serial port. Have your firmware store the credentials, or turn flash encryption off on a development board"
    )]
    Encrypted {
        /// The label.
        label: String,
    },
    /// The partition ends past the flash chip.
    #[error(
        "the {label} partition ends at {end:#x}, past the board's {flash} flash: the table was made for a larger board. Flash your firmware with a table for this board first"
    )]
    PastFlash {
        /// The label.
        label: String,
        /// Its end.
        end: u64,
        /// The flash size, readable.
        flash: String,
    },
    /// Blank partition, and formatting was not asked for.
    #[error(
        "the {label} partition is empty (erased): there is no {kind} file system on it yet. Create one with --format (in the window: tick \"Create the file system\"); nothing on the board is lost, the partition holds nothing"
    )]
    Blank {
        /// The label.
        label: String,
        /// The kind wanted.
        kind: FsKind,
    },
    /// The partition holds something else than the kind chosen.
    #[error(
        "the {label} partition holds {found}, not {wanted}. Writing {wanted} there would make your sketch reformat the partition at boot, and every file on it would be gone. Pick the file system your sketch mounts{hint}; only if its files do not matter, replace it with --format"
    )]
    WrongKind {
        /// The label.
        label: String,
        /// What is there.
        found: String,
        /// What was chosen.
        wanted: FsKind,
        /// A suggestion, when the other kind was found.
        hint: String,
    },
    /// The file system is there but damaged.
    #[error(
        "the {kind} file system in {label} cannot be read ({reason}); thingflash does not write into it, so nothing on it is lost. If your sketch mounts it fine, report this; to start over, use --format"
    )]
    Damaged {
        /// The label.
        label: String,
        /// The kind.
        kind: FsKind,
        /// What is wrong.
        reason: String,
    },
    /// The files do not fit.
    #[error(
        "the credential files ({need} with what is already there) do not fit in the {label} partition ({have}): remove files from it, or use a partition table with a larger file-system partition"
    )]
    TooSmall {
        /// The label.
        label: String,
        /// Bytes needed, readable.
        need: String,
        /// Partition size, readable.
        have: String,
    },
    /// A file name the file system cannot hold.
    #[error(transparent)]
    Name(FsError),
    /// The key lives in the chip (DS peripheral, eFuse): a key record would be ignored.
    #[error(
        "the board's esp_secure_cert partition keeps its key in the chip's {what}: a private key written beside it would not be used. Keep that key and register its certificate with AWS instead, or erase the partition with --format if this board should use a file key"
    )]
    KeyInHardware {
        /// Which peripheral.
        what: &'static str,
    },
    /// The records do not fit, or the existing partition is damaged.
    #[error("the esp_secure_cert partition cannot be written: {0}")]
    SecureCert(String),
    /// The read-back differs.
    #[error(
        "the {label} partition does not read back as written ({what}): the board's flash or the connection is unreliable. Flash again; if it repeats, try a lower --baud or another cable"
    )]
    Verify {
        /// The label.
        label: String,
        /// What differs.
        what: String,
    },
    /// A firmware image that cannot be used.
    #[error("cannot use the firmware image {path}: {why}")]
    Image {
        /// The file.
        path: String,
        /// Why.
        why: String,
    },
}

/// The partition a target writes, from the board's table.
pub fn choose_partition(target: Target, table: &Table) -> Result<&Partition, OwnError> {
    let p = target.partition(table).map_err(OwnError::NoPartition)?;
    if p.encrypted {
        return Err(OwnError::Encrypted {
            label: p.label.clone(),
        });
    }
    Ok(p)
}

/// Check that the partition lies within the board's flash.
pub fn check_fits_flash(p: &Partition, flash_bytes: Option<u32>) -> Result<(), OwnError> {
    match flash_bytes {
        Some(size) if p.end() > u64::from(size) => Err(OwnError::PastFlash {
            label: p.label.clone(),
            end: p.end(),
            flash: human_size(size),
        }),
        _ => Ok(()),
    }
}

/// What the partition becomes.
#[derive(Serialize)]
pub struct Placement {
    /// The target.
    pub target: Target,
    /// The partition written.
    pub partition: Partition,
    /// What it held: blank, a file system, or unknown bytes.
    pub found: Found,
    /// A new file system was created (the user asked).
    pub formatted: bool,
    /// The listing before (files, or esp_secure_cert records).
    pub before: Vec<FileEntry>,
    /// The listing after.
    pub after: Vec<FileEntry>,
    /// Absolute `(offset, len)` of what is written, in the order written: sectors that
    /// were erased first, then those the old contents used, so a write cut short leaves
    /// the old directory pointing at old data.
    pub ranges: Vec<(u32, u32)>,
    #[serde(skip)]
    old: Zeroizing<Vec<u8>>,
    #[serde(skip)]
    new: Zeroizing<Vec<u8>>,
    #[serde(skip)]
    expected: Vec<(String, Zeroizing<Vec<u8>>)>,
    #[serde(skip)]
    params: Option<Params>,
}

impl std::fmt::Debug for Placement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Placement({} at {:#x}, {} range(s), contents <redacted>)",
            self.partition.label,
            self.partition.offset,
            self.ranges.len()
        )
    }
}

impl Placement {
    /// The whole new partition image (it holds the key: wiped on drop).
    pub fn image(&self) -> &[u8] {
        &self.new
    }

    /// The partition as it was.
    pub fn old_image(&self) -> &[u8] {
        &self.old
    }

    /// `(absolute offset, bytes)` of each range to write.
    pub fn segments(&self) -> Vec<(u32, &[u8])> {
        self.ranges
            .iter()
            .map(|&(at, len)| {
                let rel = (at - self.partition.offset) as usize;
                (at, &self.new[rel..rel + len as usize])
            })
            .collect()
    }

    /// Bytes to write.
    pub fn changed_bytes(&self) -> usize {
        self.ranges.iter().map(|r| r.1 as usize).sum()
    }

    /// Whether the range at `index` (in write order) held data the old contents used.
    pub fn range_was_in_use(&self, index: usize) -> bool {
        self.ranges.get(index).is_some_and(|&(at, len)| {
            let rel = (at - self.partition.offset) as usize;
            self.old[rel..rel + len as usize].iter().any(|b| *b != 0xFF)
        })
    }

    /// Check a read-back of the whole partition: it must be the bytes meant, and mount
    /// with every file (the user's and the credentials) as meant. The listing read back.
    pub fn verify(&self, readback: &[u8]) -> Result<Vec<FileEntry>, OwnError> {
        let label = self.partition.label.clone();
        let fail = |what: String| OwnError::Verify {
            label: label.clone(),
            what,
        };
        if readback.len() != self.new.len() {
            return Err(fail(format!(
                "{} bytes instead of {}",
                readback.len(),
                self.new.len()
            )));
        }
        if let Some(sector) = readback
            .chunks(SECTOR)
            .zip(self.new.chunks(SECTOR))
            .position(|(a, b)| a != b)
        {
            return Err(fail(format!(
                "sector {:#x} differs",
                self.partition.offset as usize + sector * SECTOR
            )));
        }
        let got = match &self.params {
            Some(params) => fs::files(readback, params).map_err(|e| fail(e.to_string()))?,
            None => secure_cert_records(readback).map_err(fail)?,
        };
        if got.len() != self.expected.len() {
            return Err(fail(format!(
                "{} files instead of {}",
                got.len(),
                self.expected.len()
            )));
        }
        for ((path, data), (want_path, want)) in got.iter().zip(&self.expected) {
            if path != want_path || data[..] != want[..] {
                return Err(fail(format!("{want_path} differs")));
            }
        }
        Ok(fs::listing(&got))
    }
}

/// Plan the write of `creds` into `current`, the partition's bytes as read from the board.
pub fn place(
    opts: &Options,
    partition: &Partition,
    current: &[u8],
    creds: &CredentialSet,
) -> Result<Placement, OwnError> {
    place_over(opts, partition, current, current, creds)
}

/// Plan the write of `creds` into `base` (the contents the user's firmware image brings
/// for the partition), to be written over `on_board` (what the board holds there now):
/// the sectors that differ from the board are written.
pub fn place_over(
    opts: &Options,
    partition: &Partition,
    base: &[u8],
    on_board: &[u8],
    creds: &CredentialSet,
) -> Result<Placement, OwnError> {
    let c = match opts.target.fs() {
        Some(kind) => place_files(opts, kind, partition, base, creds),
        None => place_secure_cert(opts, partition, base, creds),
    }?;
    // What is written is what differs from the board, whatever the base was.
    let on_board = if on_board.len() == base.len() {
        on_board
    } else {
        base
    };
    Ok(finish(opts.target, partition, c, on_board))
}

/// What the partition will hold, before the write is planned around the board's bytes.
struct Contents {
    found: Found,
    formatted: bool,
    before: Vec<FileEntry>,
    after: Vec<FileEntry>,
    new: Vec<u8>,
    expected: Vec<(String, Zeroizing<Vec<u8>>)>,
    params: Option<Params>,
}

fn place_files(
    opts: &Options,
    kind: FsKind,
    partition: &Partition,
    current: &[u8],
    creds: &CredentialSet,
) -> Result<Contents, OwnError> {
    let params = match &opts.region {
        Some(region) => region.params(kind),
        None => Params::esp32(kind),
    };
    let label = partition.label.clone();
    let changes: Vec<(String, Vec<u8>)> = creds
        .files(&opts.files)
        .into_iter()
        .map(|(p, d)| (p, d.to_vec()))
        .collect();
    let found = fs::detect(current, &params);
    let (before_files, formatted) = match found {
        Found::Kind(k) if k == kind => match fs::files(current, &params) {
            Ok(files) => (files, false),
            Err(_) if opts.format => (Vec::new(), true),
            Err(e) => {
                return Err(OwnError::Damaged {
                    label,
                    kind,
                    reason: e.to_string(),
                });
            }
        },
        _ if opts.format => (Vec::new(), true),
        Found::Blank => return Err(OwnError::Blank { label, kind }),
        Found::Kind(other) => {
            return Err(OwnError::WrongKind {
                label,
                found: format!("a {other} file system"),
                wanted: kind,
                hint: format!(
                    " (this one holds {other}: choose the {other} target if your sketch calls {other}.begin())"
                ),
            });
        }
        Found::Unknown => {
            return Err(OwnError::WrongKind {
                label,
                found: "data that is neither LittleFS nor SPIFFS".into(),
                wanted: kind,
                hint: String::new(),
            });
        }
    };
    let built = if formatted {
        fs::format(partition.size, &params, &changes)
    } else {
        fs::update(current, &params, &changes)
    };
    let new = built.map_err(|e| match e {
        FsError::NoSpace => {
            let need: usize = before_files.iter().chain(&changes).map(|f| f.1.len()).sum();
            OwnError::TooSmall {
                label: partition.label.clone(),
                need: human_size(need as u32),
                have: human_size(partition.size),
            }
        }
        FsError::BadName(_) => OwnError::Name(e),
        other => OwnError::Damaged {
            label: partition.label.clone(),
            kind,
            reason: other.to_string(),
        },
    })?;
    let mut expected: Vec<(String, Zeroizing<Vec<u8>>)> = before_files
        .iter()
        .filter(|(p, _)| !changes.iter().any(|c| &c.0 == p))
        .map(|(p, d)| (p.clone(), Zeroizing::new(d.clone())))
        .chain(
            changes
                .iter()
                .map(|(p, d)| (p.clone(), Zeroizing::new(d.clone()))),
        )
        .collect();
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    let after = fs::listing(
        &expected
            .iter()
            .map(|(p, d)| (p.clone(), d.to_vec()))
            .collect::<Vec<_>>(),
    );
    Ok(Contents {
        found,
        formatted,
        before: fs::listing(&before_files),
        after,
        new,
        expected,
        params: Some(params),
    })
}

fn finish(target: Target, partition: &Partition, c: Contents, current: &[u8]) -> Placement {
    let new = Zeroizing::new(c.new);
    // Sector by sector: the erased ones first, so that a cut leaves the old metadata
    // pointing at old data.
    let mut sectors: Vec<(usize, usize)> = fs::changed_ranges(current, &new, SECTOR)
        .into_iter()
        .flat_map(|(at, len)| {
            (at..at + len)
                .step_by(SECTOR)
                .map(move |s| (s, SECTOR.min(at + len - s)))
        })
        .collect();
    sectors.sort_by_key(|&(at, len)| (current[at..at + len].iter().any(|b| *b != 0xFF), at));
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for (at, len) in sectors {
        let abs = partition.offset + at as u32;
        match ranges.last_mut() {
            Some((start, l)) if *start + *l == abs => *l += len as u32,
            _ => ranges.push((abs, len as u32)),
        }
    }
    Placement {
        target,
        partition: partition.clone(),
        found: c.found,
        formatted: c.formatted,
        before: c.before,
        after: c.after,
        ranges,
        old: Zeroizing::new(current.to_vec()),
        new,
        expected: c.expected,
        params: c.params,
    }
}

/// The records of an esp_secure_cert partition as a listing: `dev_cert/0` and so on.
fn secure_cert_records(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    match tlv::Partition::parse(bytes) {
        Ok(p) => Ok(p
            .records
            .iter()
            .filter(|r| r.tlv_type != TlvType::INTEGRITY)
            .map(|r| {
                (
                    format!("{}/{}", r.tlv_type.name(), r.subtype),
                    r.value.to_vec(),
                )
            })
            .collect()),
        Err(tlv::TlvError::Blank) => Ok(Vec::new()),
        Err(e) => Err(e.to_string()),
    }
}

fn place_secure_cert(
    opts: &Options,
    partition: &Partition,
    current: &[u8],
    creds: &CredentialSet,
) -> Result<Contents, OwnError> {
    let fail = |e: tlv::TlvError| OwnError::SecureCert(e.to_string());
    let existing = match tlv::Partition::parse(current) {
        Ok(p) => p.records,
        Err(tlv::TlvError::Blank) => Vec::new(),
        Err(_) if opts.format => Vec::new(),
        Err(e) => {
            return Err(OwnError::SecureCert(format!(
                "{e}. Its current contents are not esp_secure_cert records; replace them with --format if nothing else uses this partition"
            )));
        }
    };
    if !opts.format {
        for r in &existing {
            let what = match r.tlv_type {
                TlvType::DS_DATA | TlvType::DS_CONTEXT => Some("Digital Signature peripheral"),
                t if t.0 == 5 || t.0 == 6 => Some("eFuse (HMAC/ECDSA key)"),
                _ if r.flags != 0 => Some("eFuse"),
                _ => None,
            };
            if let Some(what) = what {
                return Err(OwnError::KeyInHardware { what });
            }
        }
    }
    let records = creds.secure_cert_records();
    let mut w = PartitionWriter::new(partition.size as usize);
    for (ty, value) in &records {
        w.push(TlvType(*ty), 0, 0, value).map_err(fail)?;
    }
    // Records the firmware keeps for itself (its own user data) stay, after ours; only
    // the credential records and the integrity record are rewritten.
    let replaced = [
        TlvType::CA_CERT,
        TlvType::DEV_CERT,
        TlvType::PRIV_KEY,
        TlvType::INTEGRITY,
    ];
    if !opts.format {
        for r in existing.iter().filter(|r| !replaced.contains(&r.tlv_type)) {
            w.push(r.tlv_type, r.subtype, r.flags, r.value)
                .map_err(fail)?;
        }
    }
    let mut new = w.finish().map_err(fail)?;
    new.resize(partition.size as usize, 0xFF);
    let before = fs::listing(&secure_cert_records(current).unwrap_or_default());
    let expected: Vec<(String, Zeroizing<Vec<u8>>)> = secure_cert_records(&new)
        .map_err(OwnError::SecureCert)?
        .into_iter()
        .map(|(p, d)| (p, Zeroizing::new(d)))
        .collect();
    let after = fs::listing(
        &expected
            .iter()
            .map(|(p, d)| (p.clone(), d.to_vec()))
            .collect::<Vec<_>>(),
    );
    let found = if current.iter().all(|b| *b == 0xFF) {
        Found::Blank
    } else {
        Found::Unknown
    };
    let formatted = opts.format && !existing.is_empty();
    Ok(Contents {
        found,
        formatted,
        before,
        after,
        new,
        expected,
        params: None,
    })
}

/// The user's firmware, flashed in the same run.
#[derive(Clone)]
pub struct FirmwareImage {
    /// Where it came from.
    pub source: String,
    /// `(offset, bytes)` in flash order.
    pub segments: Vec<(u32, Vec<u8>)>,
    /// The chip it was built for, from the image header or flasher_args.json.
    pub chip_id: Option<u16>,
}

impl std::fmt::Debug for FirmwareImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "FirmwareImage({}, {} segment(s))",
            self.source,
            self.segments.len()
        )
    }
}

fn header_chip(bytes: &[u8]) -> Option<u16> {
    // The bootloader's header: at 0 on most chips, at 0x1000 on the ESP32 and S2.
    [0usize, 0x1000].iter().find_map(|&at| {
        let h = bytes.get(at..at + 24)?;
        (h[0] == 0xE9).then(|| u16::from_le_bytes([h[12], h[13]]))
    })
}

/// Read a merged image (`*.merged.bin`, `esptool merge-bin` output, written at 0) or
/// ESP-IDF's `build/flasher_args.json` with the files it lists.
pub fn read_firmware(path: &Path) -> Result<FirmwareImage, OwnError> {
    let fail = |why: String| OwnError::Image {
        path: path.display().to_string(),
        why,
    };
    let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    if path.extension().is_some_and(|e| e == "json") {
        return read_flasher_args(path, &bytes).map_err(fail);
    }
    let chip_id = header_chip(&bytes).ok_or_else(|| {
        fail("it is not a merged flash image (no bootloader image header at 0x0 or 0x1000). Export it with the Arduino IDE's Sketch > Export Compiled Binary (the .merged.bin), or drop ESP-IDF's build/flasher_args.json".into())
    })?;
    Ok(FirmwareImage {
        source: path.display().to_string(),
        segments: vec![(0, bytes)],
        chip_id: Some(chip_id),
    })
}

fn read_flasher_args(path: &Path, bytes: &[u8]) -> Result<FirmwareImage, String> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not JSON ({e})"))?;
    let files = v.get("flash_files").and_then(|f| f.as_object()).ok_or(
        "it has no flash_files: use the flasher_args.json that `idf.py build` writes into build/",
    )?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut segments = Vec::new();
    for (offset, file) in files {
        let at = parse_offset(offset).ok_or_else(|| format!("{offset:?} is not an offset"))?;
        let name = file
            .as_str()
            .ok_or("a flash_files entry is not a file name")?;
        let data = std::fs::read(dir.join(name))
            .map_err(|e| format!("{name}: {e} (build the project first)"))?;
        segments.push((at, data));
    }
    segments.sort_by_key(|s| s.0);
    for pair in segments.windows(2) {
        if u64::from(pair[0].0) + pair[0].1.len() as u64 > u64::from(pair[1].0) {
            return Err(format!(
                "the files at {:#x} and {:#x} overlap",
                pair[0].0, pair[1].0
            ));
        }
    }
    let chip_id = v
        .pointer("/extra_esptool_args/chip")
        .and_then(|c| c.as_str())
        .and_then(crate::chip::Chip::from_name)
        .and_then(crate::chip::Chip::image_id)
        .or_else(|| {
            segments
                .iter()
                .find(|s| s.0 <= 0x1000)
                .and_then(|s| header_chip(&s.1))
        });
    Ok(FirmwareImage {
        source: path.display().to_string(),
        segments,
        chip_id,
    })
}

/// `0x8000`, `32768`.
pub fn parse_offset(s: &str) -> Option<u32> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

impl FirmwareImage {
    /// The image's bytes at `[at, at + len)`, when one segment covers them all.
    pub fn bytes_at(&self, at: u32, len: usize) -> Option<&[u8]> {
        self.segments.iter().find_map(|(start, data)| {
            let rel = at.checked_sub(*start)? as usize;
            data.get(rel..rel + len)
        })
    }

    /// The segments with `[start, end)` cut out: the file-system partition keeps what the
    /// board has unless the image brings its own contents for it.
    pub fn without(&self, start: u32, end: u64) -> Vec<(u32, Vec<u8>)> {
        let mut out = Vec::new();
        for (at, data) in &self.segments {
            let seg_end = u64::from(*at) + data.len() as u64;
            if seg_end <= u64::from(start) || u64::from(*at) >= end {
                out.push((*at, data.clone()));
                continue;
            }
            if *at < start {
                out.push((*at, data[..(start - at) as usize].to_vec()));
            }
            if seg_end > end {
                let from = (end - u64::from(*at)) as usize;
                out.push((end as u32, data[from..].to_vec()));
            }
        }
        out.retain(|s| !s.1.is_empty());
        out
    }

    /// The image's contents for the partition, if it has any that are not erased.
    pub fn partition_contents(&self, p: &Partition) -> Option<Vec<u8>> {
        let bytes = self.bytes_at(p.offset, p.size as usize)?;
        bytes.iter().any(|b| *b != 0xFF).then(|| bytes.to_vec())
    }

    /// The bytes written, in total.
    pub fn len(&self) -> usize {
        self.segments.iter().map(|s| s.1.len()).sum()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_cut_around_the_partition() {
        let img = FirmwareImage {
            source: "t".into(),
            segments: vec![(0, vec![1; 0x4000]), (0x8000, vec![2; 0x1000])],
            chip_id: None,
        };
        assert_eq!(
            img.without(0x1000, 0x2000)
                .iter()
                .map(|s| (s.0, s.1.len()))
                .collect::<Vec<_>>(),
            [(0, 0x1000), (0x2000, 0x2000), (0x8000, 0x1000)]
        );
        assert_eq!(img.without(0, 0x9000).len(), 0);
        assert_eq!(img.bytes_at(0x8000, 0x1000).map(<[u8]>::len), Some(0x1000));
        assert_eq!(img.bytes_at(0x8800, 0x1000), None);
        assert_eq!(parse_offset("0x290000"), Some(0x290000));
        assert_eq!(parse_offset("4096"), Some(4096));
        assert_eq!(parse_offset("zz"), None);
    }
}
