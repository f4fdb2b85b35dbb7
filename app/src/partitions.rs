//! The board's partition table: a bounded parser for the binary table ESP-IDF's
//! bootloader reads (at 0x8000 unless the firmware moved it), the lookups the credential
//! targets need (the `spiffs` data partition, `esp_secure_cert`), and CSV tables for
//! building images without a board. Bytes read from a board go through [`parse`] only:
//! it checks every entry's magic, the MD5 entry and the bounds, and never panics.

use md5::{Digest as _, Md5};
use serde::Serialize;

/// Where ESP-IDF and the Arduino cores put the table.
pub const DEFAULT_OFFSET: u32 = 0x8000;
/// Bytes ESP-IDF reads: 95 entries of 32 bytes plus the MD5 entry, padded.
pub const TABLE_LEN: usize = 0xC00;
const ENTRY_LEN: usize = 32;
const ENTRY_MAGIC: [u8; 2] = [0xAA, 0x50];
const MD5_MAGIC: [u8; 2] = [0xEB, 0xEB];

/// Partition type `data`.
pub const TYPE_DATA: u8 = 0x01;
/// `data` subtypes that hold a file system (ESP-IDF's partition-table docs).
pub const SUBTYPE_FAT: u8 = 0x81;
/// `data/spiffs`: what the Arduino cores mount, with SPIFFS or LittleFS alike.
pub const SUBTYPE_SPIFFS: u8 = 0x82;
/// `data/littlefs`.
pub const SUBTYPE_LITTLEFS: u8 = 0x83;
/// Espressif's `esp_secure_cert` partition type.
pub const TYPE_SECURE_CERT: u8 = 0x3F;

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Partition {
    /// Label, up to 16 bytes.
    pub label: String,
    /// Type byte (0 app, 1 data, 0x3F esp_secure_cert, 0x40.. custom).
    #[serde(rename = "type")]
    pub ty: u8,
    /// Subtype byte.
    pub subtype: u8,
    /// Flash offset.
    pub offset: u32,
    /// Size in bytes.
    pub size: u32,
    /// Flash encryption is on for this partition: its bytes on the wire are ciphertext.
    pub encrypted: bool,
    /// Marked read-only.
    pub readonly: bool,
}

impl Partition {
    /// `data/spiffs`, `app/ota_0`, `0x3f/0x00`: how ESP-IDF's CSV names the kind.
    pub fn kind(&self) -> String {
        let ty = match self.ty {
            0x00 => "app",
            0x01 => "data",
            0x02 => "bootloader",
            0x03 => "partition_table",
            _ => return format!("{:#04x}/{:#04x}", self.ty, self.subtype),
        };
        let sub = match (self.ty, self.subtype) {
            (0x00, 0x00) => "factory".to_string(),
            (0x00, s @ 0x10..=0x1F) => format!("ota_{}", s - 0x10),
            (0x00, 0x20) => "test".to_string(),
            (0x01, 0x00) => "ota".to_string(),
            (0x01, 0x01) => "phy".to_string(),
            (0x01, 0x02) => "nvs".to_string(),
            (0x01, 0x03) => "coredump".to_string(),
            (0x01, 0x04) => "nvs_keys".to_string(),
            (0x01, 0x05) => "efuse".to_string(),
            (0x01, 0x06) => "undefined".to_string(),
            (0x01, 0x80) => "esphttpd".to_string(),
            (0x01, SUBTYPE_FAT) => "fat".to_string(),
            (0x01, SUBTYPE_SPIFFS) => "spiffs".to_string(),
            (0x01, SUBTYPE_LITTLEFS) => "littlefs".to_string(),
            (_, s) => format!("{s:#04x}"),
        };
        format!("{ty}/{sub}")
    }

    /// The first byte after the partition.
    pub fn end(&self) -> u64 {
        u64::from(self.offset) + u64::from(self.size)
    }

    /// Whether this partition can hold a file system the Arduino cores mount.
    pub fn holds_files(&self) -> bool {
        self.ty == TYPE_DATA && matches!(self.subtype, SUBTYPE_SPIFFS | SUBTYPE_LITTLEFS)
    }

    /// Whether this is Espressif's `esp_secure_cert` partition.
    pub fn is_secure_cert(&self) -> bool {
        self.ty == TYPE_SECURE_CERT || self.label == "esp_secure_cert"
    }
}

/// A parsed table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Table {
    /// Where it was read from.
    pub offset: u32,
    /// The rows, in table order.
    pub partitions: Vec<Partition>,
    /// Whether the table carried an MD5 entry (ESP-IDF writes one unless disabled).
    pub md5_checked: bool,
}

/// Why a table cannot be used. Nothing is written after any of these.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// All erased.
    #[error(
        "there is no partition table at {offset:#x}: the flash there is erased. Flash your firmware first (or drop its merged .bin or flasher_args.json here), or give the table's offset if your firmware moved it"
    )]
    Blank {
        /// Where we looked.
        offset: u32,
    },
    /// Something other than a table.
    #[error(
        "the bytes at {offset:#x} are not a partition table (entry {index} does not start with AA 50). Give the right offset if your firmware moved its table (ESP-IDF's CONFIG_PARTITION_TABLE_OFFSET)"
    )]
    NotATable {
        /// Where we looked.
        offset: u32,
        /// The first bad entry.
        index: usize,
    },
    /// The MD5 entry does not match the entries.
    #[error(
        "the partition table at {offset:#x} is damaged: its MD5 does not match its entries. The bootloader will refuse it too; flash your firmware again to rewrite it"
    )]
    Md5Mismatch {
        /// Where we looked.
        offset: u32,
    },
    /// The bytes ended before the table did.
    #[error("the partition table at {offset:#x} is cut short: read it again")]
    Truncated {
        /// Where we looked.
        offset: u32,
    },
    /// Two rows overlap, or a row runs past the address space.
    #[error(
        "the partition table at {offset:#x} is damaged: {label} ({start:#x}..{end:#x}) overlaps another partition or runs off the flash"
    )]
    Overlap {
        /// Where we looked.
        offset: u32,
        /// The row.
        label: String,
        /// Its start.
        start: u32,
        /// Its end.
        end: u64,
    },
    /// A CSV table that esp-idf-part refused.
    #[error(
        "the partition CSV cannot be read: {0}. Check it against ESP-IDF's partition-table format"
    )]
    Csv(String),
}

/// Parse a binary table read from `offset`. Reads at most [`TABLE_LEN`] bytes.
pub fn parse(bytes: &[u8], offset: u32) -> Result<Table, TableError> {
    let bytes = &bytes[..bytes.len().min(TABLE_LEN)];
    if bytes.iter().all(|b| *b == 0xFF) {
        return Err(TableError::Blank { offset });
    }
    let mut partitions = Vec::new();
    let mut md5_checked = false;
    let mut index = 0;
    loop {
        let at = index * ENTRY_LEN;
        let Some(entry) = bytes.get(at..at + ENTRY_LEN) else {
            // The 0xC00 area is full of entries with no terminator: more than ESP-IDF
            // reads. A short read is a truncated table.
            if bytes.len() < TABLE_LEN {
                return Err(TableError::Truncated { offset });
            }
            break;
        };
        match [entry[0], entry[1]] {
            ENTRY_MAGIC => {}
            MD5_MAGIC => {
                let want = &entry[16..32];
                if Md5::digest(&bytes[..at]).as_slice() != want {
                    return Err(TableError::Md5Mismatch { offset });
                }
                md5_checked = true;
                break;
            }
            [0xFF, 0xFF] if index > 0 => break,
            _ => return Err(TableError::NotATable { offset, index }),
        }
        let word =
            |i: usize| u32::from_le_bytes([entry[i], entry[i + 1], entry[i + 2], entry[i + 3]]);
        let label = &entry[12..28];
        let label = &label[..label.iter().position(|b| *b == 0).unwrap_or(label.len())];
        let flags = word(28);
        partitions.push(Partition {
            label: String::from_utf8_lossy(label).into_owned(),
            ty: entry[2],
            subtype: entry[3],
            offset: word(4),
            size: word(8),
            encrypted: flags & 1 != 0,
            readonly: flags & 2 != 0,
        });
        index += 1;
    }
    let table = Table {
        offset,
        partitions,
        md5_checked,
    };
    table.check_overlaps()?;
    Ok(table)
}

/// Parse an ESP-IDF partition CSV (the Arduino cores' `tools/partitions/*.csv`, or a
/// project's `partitions.csv`) into the same [`Table`].
pub fn parse_csv(text: &str) -> Result<Table, TableError> {
    // ESP-IDF accepts an empty subtype for custom types (Espressif's own
    // `esp_secure_cert, 0x3F, , 0xD000, 0x2000` line); esp-idf-part wants a number.
    let text: String = text
        .lines()
        .map(|line| {
            let mut f: Vec<&str> = line.split(',').collect();
            if !line.trim_start().starts_with('#') && f.len() > 2 && f[2].trim().is_empty() {
                f[2] = " 0x00";
            }
            f.join(",") + "\n"
        })
        .collect();
    // esp-idf-part has `unwrap` paths on odd input; a user's CSV must give an error.
    let bin = std::panic::catch_unwind(|| {
        esp_idf_part::PartitionTable::try_from_str(&text).and_then(|t| t.to_bin())
    })
    .map_err(|_| TableError::Csv("it is malformed".into()))?
    .map_err(|e| TableError::Csv(e.to_string()))?;
    parse(&bin, DEFAULT_OFFSET)
}

impl Table {
    fn check_overlaps(&self) -> Result<(), TableError> {
        let mut rows: Vec<&Partition> = self.partitions.iter().collect();
        rows.sort_by_key(|p| p.offset);
        for (i, p) in rows.iter().enumerate() {
            let overlaps = rows
                .get(i + 1)
                .is_some_and(|n| u64::from(n.offset) < p.end());
            if overlaps || p.end() > u64::from(u32::MAX) + 1 {
                return Err(TableError::Overlap {
                    offset: self.offset,
                    label: p.label.clone(),
                    start: p.offset,
                    end: p.end(),
                });
            }
        }
        Ok(())
    }

    /// The row with this label.
    pub fn find(&self, label: &str) -> Option<&Partition> {
        self.partitions.iter().find(|p| p.label == label)
    }

    /// The file-system partition an Arduino sketch mounts: `SPIFFS.begin()` and
    /// `LittleFS.begin()` both look for the label `spiffs` by default; otherwise the only
    /// data partition of a file-system subtype.
    pub fn file_system(&self) -> Option<&Partition> {
        self.find("spiffs")
            .filter(|p| p.ty == TYPE_DATA)
            .or_else(|| {
                let mut fs = self.partitions.iter().filter(|p| p.holds_files());
                match (fs.next(), fs.next()) {
                    (Some(only), None) => Some(only),
                    _ => None,
                }
            })
    }

    /// Espressif's `esp_secure_cert` partition: type 0x3F or the label.
    pub fn secure_cert(&self) -> Option<&Partition> {
        self.partitions
            .iter()
            .find(|p| p.ty == TYPE_SECURE_CERT)
            .or_else(|| self.find("esp_secure_cert"))
    }

    /// The first byte after the last partition.
    pub fn end(&self) -> u64 {
        self.partitions
            .iter()
            .map(Partition::end)
            .max()
            .unwrap_or(0)
    }

    /// A fixed-width listing, as the `partitions` subcommand prints it.
    pub fn listing(&self) -> String {
        let mut s = format!(
            "partition table at {:#x}{}\n{:<16} {:<18} {:>10} {:>10}  flags\n",
            self.offset,
            if self.md5_checked {
                " (MD5 ok)"
            } else {
                " (no MD5 entry)"
            },
            "label",
            "type/subtype",
            "offset",
            "size"
        );
        for p in &self.partitions {
            let mut flags = Vec::new();
            if p.encrypted {
                flags.push("encrypted");
            }
            if p.readonly {
                flags.push("readonly");
            }
            let line = format!(
                "{:<16} {:<18} {:>#10x} {:>10}  {}",
                p.label,
                p.kind(),
                p.offset,
                human_size(p.size),
                flags.join(",")
            );
            s.push_str(line.trim_end());
            s.push('\n');
        }
        s
    }
}

/// `1408 KiB`, `8 KiB`, `4 MiB`.
pub fn human_size(bytes: u32) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// espressif/arduino-esp32 `tools/partitions/default.csv` (core 2.x/3.x).
    pub const ARDUINO_DEFAULT: &str = "\
# Name,   Type, SubType, Offset,  Size, Flags
nvs,      data, nvs,     0x9000,  0x5000,
otadata,  data, ota,     0xe000,  0x2000,
app0,     app,  ota_0,   0x10000, 0x140000,
app1,     app,  ota_1,   0x150000,0x140000,
spiffs,   data, spiffs,  0x290000,0x160000,
coredump, data, coredump,0x3F0000,0x10000,
";

    fn bin(csv: &str) -> Vec<u8> {
        esp_idf_part::PartitionTable::try_from_str(csv)
            .unwrap()
            .to_bin()
            .unwrap()
    }

    #[test]
    fn arduino_default_table_reads_as_its_csv_says() {
        let t = parse(&bin(ARDUINO_DEFAULT), DEFAULT_OFFSET).unwrap();
        assert!(t.md5_checked);
        assert_eq!(t.partitions.len(), 6);
        let fs = t.file_system().unwrap();
        assert_eq!(
            (fs.offset, fs.size, fs.kind().as_str()),
            (0x290000, 0x160000, "data/spiffs")
        );
        assert_eq!(t.find("app1").unwrap().kind(), "app/ota_1");
        assert_eq!(t.secure_cert(), None);
        assert_eq!(t.end(), 0x400000);
        insta::assert_snapshot!(t.listing());
    }

    #[test]
    fn secure_cert_is_found_by_type_at_any_offset() {
        let t = parse_csv(
            "nvs,data,nvs,0x9000,0x6000\nfactory,app,factory,0x10000,0x100000\ncerts,0x3F,,0x110000,0x2000,encrypted\n",
        )
        .unwrap();
        let p = t.secure_cert().unwrap();
        assert_eq!(
            (p.label.as_str(), p.offset, p.encrypted),
            ("certs", 0x110000, true)
        );
        assert_eq!(p.kind(), "0x3f/0x00");
    }

    #[test]
    fn refusals_name_what_is_wrong() {
        let good = bin(ARDUINO_DEFAULT);
        assert_eq!(
            parse(&[0xFF; TABLE_LEN], 0x8000),
            Err(TableError::Blank { offset: 0x8000 })
        );
        assert_eq!(
            parse(&[0u8; TABLE_LEN], 0x8000),
            Err(TableError::NotATable {
                offset: 0x8000,
                index: 0
            })
        );
        let mut bad_md5 = good.clone();
        bad_md5[4] ^= 1; // the first entry's offset changes; the MD5 entry does not
        assert_eq!(
            parse(&bad_md5, 0x8000),
            Err(TableError::Md5Mismatch { offset: 0x8000 })
        );
        let mut overlap = good.clone();
        // app1's offset moved into app0, and the MD5 entry recomputed to match.
        overlap[3 * 32 + 4..3 * 32 + 8].copy_from_slice(&0x20000u32.to_le_bytes());
        let md5_at = 6 * 32;
        let digest = Md5::digest(&overlap[..md5_at]);
        overlap[md5_at + 16..md5_at + 32].copy_from_slice(&digest);
        assert!(matches!(
            parse(&overlap, 0x8000),
            Err(TableError::Overlap { .. })
        ));
        assert_eq!(
            parse(&good[..40], 0x8000),
            Err(TableError::Truncated { offset: 0x8000 })
        );
        for cut in 0..good.len() {
            let _ = parse(&good[..cut], 0x8000);
        }
        assert!(matches!(
            parse_csv("spiffs, data, spiffs, zz, 0x1000"),
            Err(TableError::Csv(_))
        ));
    }

    #[test]
    fn sizes_read_like_people_say_them() {
        assert_eq!(human_size(0x160000), "1408 KiB");
        assert_eq!(human_size(0x400000), "4 MiB");
        assert_eq!(human_size(100), "100 B");
    }
}
