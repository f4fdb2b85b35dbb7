//! The flash plan: thingflash's partition table, the credentials partition, and the
//! bootloader and app image made from the firmware ELF, as addressed segments; and the
//! merged image (the segments with the gaps erased, as `esptool merge-bin` makes it).
//! Pure data in, bytes out: no serial port here.

use std::io::Write as _;
use std::panic::AssertUnwindSafe;

use espflash::flasher::{FlashData, FlashSettings};
use espflash::image_format::idf::IdfBootloaderFormat;
use espflash::target::XtalFrequency;
use serde::Serialize;
use thingflash_protocol::config::DeviceConfig;
use thingflash_protocol::credentials as device_credentials;
use thingflash_protocol::tlv;
use zeroize::Zeroizing;

use crate::chip::Chip;
use crate::credentials::CredentialSet;

/// thingflash's partition table. The app partition is larger than ESP-IDF's stock 1 MB
/// factory partition because WiFi + TLS + MQTT firmware is about 1 MB already; the
/// credentials partition follows Espressif's `esp_secure_cert` convention (type 0x3F,
/// 8 KiB at 0xD000, before the app), so C firmware using `esp_secure_cert_mgr` finds it
/// too. It ends at 2 MB, so it fits every ESP32-C3/C6 module.
pub const PARTITION_TABLE_CSV: &str = "\
# Name,          Type, SubType, Offset,  Size
nvs,             data, nvs,     0x9000,  0x3000
tf_key,          0x40, 0x00,    0xC000,  0x1000
esp_secure_cert, 0x3F, 0x00,    0xD000,  0x2000
phy_init,        data, phy,     0xF000,  0x1000
factory,         app,  factory, 0x10000, 0x1F0000
";

/// Where the partition table lives.
pub const TABLE_OFFSET: u32 = 0x8000;
/// Bytes of the partition table area (ESP-IDF reads at most 0xC00: 95 entries + MD5).
pub const TABLE_LEN: u32 = 0xC00;
/// Where the key the board makes for itself lives (`tf_key`, one sector): written only as
/// erased, so that the board makes a new key; never read by the app.
pub const KEY_OFFSET: u32 = 0xC000;
/// Name of the segment that erases it.
pub const KEY_SEGMENT: &str = thingflash_protocol::device_key::PARTITION_LABEL;
/// Where the credentials partition lives.
pub const CREDENTIALS_OFFSET: u32 = 0xD000;
/// Its size.
pub const CREDENTIALS_SIZE: u32 = tlv::DEFAULT_PARTITION_SIZE as u32;
/// Where the app lives.
pub const APP_OFFSET: u32 = 0x10000;
/// The app partition's size.
pub const APP_PARTITION_SIZE: u32 = 0x1F_0000;
/// The first byte after the last partition: the smallest flash the plan fits.
pub const FLASH_END: u32 = APP_OFFSET + APP_PARTITION_SIZE;

/// Flash chip sizes the plan can be written into (the header of the bootloader says which).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, clap::ValueEnum)]
pub enum FlashSize {
    /// 2 MB.
    #[value(name = "2MB")]
    Mb2,
    /// 4 MB, what most ESP32-C3/C6 modules have.
    #[default]
    #[value(name = "4MB")]
    Mb4,
    /// 8 MB.
    #[value(name = "8MB")]
    Mb8,
    /// 16 MB.
    #[value(name = "16MB")]
    Mb16,
}

impl FlashSize {
    /// Bytes.
    pub fn bytes(self) -> u32 {
        match self {
            FlashSize::Mb2 => 2 << 20,
            FlashSize::Mb4 => 4 << 20,
            FlashSize::Mb8 => 8 << 20,
            FlashSize::Mb16 => 16 << 20,
        }
    }

    fn espflash(self) -> espflash::flasher::FlashSize {
        use espflash::flasher::FlashSize as F;
        match self {
            FlashSize::Mb2 => F::_2Mb,
            FlashSize::Mb4 => F::_4Mb,
            FlashSize::Mb8 => F::_8Mb,
            FlashSize::Mb16 => F::_16Mb,
        }
    }

    /// The size a detected flash chip can be used as: the largest supported size that
    /// fits, or `None` when it is smaller than the plan.
    pub fn from_bytes(bytes: u32) -> Option<Self> {
        [
            FlashSize::Mb16,
            FlashSize::Mb8,
            FlashSize::Mb4,
            FlashSize::Mb2,
        ]
        .into_iter()
        .find(|s| s.bytes() <= bytes)
    }
}

/// Why a plan cannot be made. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// thingflash's firmware is not built for this chip.
    #[error(
        "thingflash's firmware does not run on the {chip}: it is built for {}. Flash an ESP32-C3 or ESP32-C6 board, or choose a target for your own firmware",
        crate::chip::Chip::thingflash_chips().map(|c| c.label()).collect::<Vec<_>>().join(" and ")
    )]
    NoFirmware {
        /// The chip.
        chip: Chip,
    },
    /// The target keeps the board's firmware: there is no whole-flash image to make.
    #[error(
        "the target {target} keeps the board's own firmware, so there is no whole-flash image: use `thingflash image` for its credentials partition or files"
    )]
    NotWholeFlash {
        /// The target's name.
        target: &'static str,
    },
    /// The credentials partition could not be built.
    #[error("cannot build the credentials partition: {0}")]
    Partition(#[from] device_credentials::CredentialsError),
    /// The firmware ELF could not be turned into an app image.
    #[error(
        "the firmware ELF for {chip} cannot be made into an app image: {reason}. Use the firmware included with thingflash, or rebuild yours with `scripts/build-firmware`"
    )]
    Firmware {
        /// The chip.
        chip: Chip,
        /// What espflash said.
        reason: String,
    },
}

/// What thingflash's firmware finds in its credentials partition.
#[derive(Clone, Copy)]
pub enum DeviceCreds<'a> {
    /// A key made on a computer, and its certificate.
    Set(&'a CredentialSet),
    /// The board keeps its own key: the root CAs, and the certificate AWS made from the
    /// board's request once there is one.
    Board {
        /// The certificate, once made.
        cert_der: Option<&'a [u8]>,
        /// Root CAs (DER).
        root_ca_ders: &'a [Vec<u8>],
        /// Erase the board's key so that it makes a new one.
        new_key: bool,
    },
}

/// The credentials partition for these credentials and settings, checked by the same
/// reader the firmware uses.
pub fn credentials_partition(
    creds: DeviceCreds<'_>,
    config: &DeviceConfig,
) -> Result<Zeroizing<Vec<u8>>, BundleError> {
    match creds {
        DeviceCreds::Set(creds) => {
            let cas: Vec<&[u8]> = creds.root_ca_ders.iter().map(Vec::as_slice).collect();
            Ok(device_credentials::write(
                &cas,
                &creds.cert_der,
                &creds.key_pkcs8_der,
                config,
                CREDENTIALS_SIZE as usize,
            )?)
        }
        DeviceCreds::Board {
            cert_der,
            root_ca_ders,
            ..
        } => {
            let cas: Vec<&[u8]> = root_ca_ders.iter().map(Vec::as_slice).collect();
            Ok(Zeroizing::new(device_credentials::write_for_board_key(
                &cas,
                cert_der,
                config,
                CREDENTIALS_SIZE as usize,
            )?))
        }
    }
}

/// One piece of the plan, written at `addr`.
#[derive(Clone)]
pub struct Segment {
    /// `bootloader`, `partition-table`, `esp_secure_cert` or `app`.
    pub name: &'static str,
    /// Flash address.
    pub addr: u32,
    /// The bytes (the credentials segment holds the private key: wiped on drop).
    pub data: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} @ {:#x}, {} B", self.name, self.addr, self.data.len())
    }
}

/// Name of the credentials segment.
pub const CREDENTIALS_SEGMENT: &str = "esp_secure_cert";

/// Everything to write to a board, in address order.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The chip it is for.
    pub chip: Chip,
    /// The flash size written into the bootloader header.
    pub flash_size: FlashSize,
    /// Bootloader, partition table, credentials, app; ascending addresses, no overlaps.
    pub segments: Vec<Segment>,
    /// With a [`KEY_SEGMENT`]: erase the board's key even where its table already has the
    /// key partition (a new key asked for), rather than only on a board new to it.
    pub new_key: bool,
}

/// Chip revisions an image runs on, from its header (`major * 100 + minor`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RevisionRange {
    /// Lowest revision.
    pub min: u16,
    /// Highest revision (`0xFFFF` or `9999`: no limit).
    pub max: u16,
}

impl RevisionRange {
    /// Whether `rev` is in range.
    pub fn contains(&self, rev: u16) -> bool {
        rev >= self.min && rev <= self.max
    }

    fn of_image(image: &[u8]) -> Option<Self> {
        // ESP image header: 8 B common header, then the extended header with
        // min_chip_rev_full at 15..17 and max_chip_rev_full at 17..19 (little-endian).
        let min = u16::from_le_bytes([*image.get(15)?, *image.get(16)?]);
        let max = u16::from_le_bytes([*image.get(17)?, *image.get(18)?]);
        Some(Self { min, max })
    }
}

impl std::fmt::Display for RevisionRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = |r: u16| format!("v{}.{}", r / 100, r % 100);
        if self.max >= 9999 {
            write!(f, "{} or newer", v(self.min))
        } else {
            write!(f, "{} to {}", v(self.min), v(self.max))
        }
    }
}

impl Plan {
    /// The segment called `name`.
    pub fn segment(&self, name: &str) -> Option<&Segment> {
        self.segments.iter().find(|s| s.name == name)
    }

    /// The credentials partition.
    pub fn credentials(&self) -> Option<&Segment> {
        self.segment(CREDENTIALS_SEGMENT)
    }

    /// Bytes to write, summed over segments.
    pub fn total_bytes(&self) -> usize {
        self.segments.iter().map(|s| s.data.len()).sum()
    }

    /// Chip revisions both the bootloader and the app accept.
    pub fn revisions(&self) -> RevisionRange {
        let ranges: Vec<RevisionRange> = ["bootloader", "app"]
            .iter()
            .filter_map(|n| self.segment(n))
            .filter_map(|s| RevisionRange::of_image(&s.data))
            .collect();
        RevisionRange {
            min: ranges.iter().map(|r| r.min).max().unwrap_or(0),
            max: ranges.iter().map(|r| r.max).min().unwrap_or(u16::MAX),
        }
    }

    /// One image from address 0 to the end of the last segment, gaps erased (`0xFF`):
    /// byte-identical to `esptool merge-bin` of the same segments.
    pub fn merged(&self) -> Zeroizing<Vec<u8>> {
        let end = self
            .segments
            .iter()
            .map(|s| s.addr as usize + s.data.len())
            .max()
            .unwrap_or(0);
        let mut out = Zeroizing::new(vec![0xFF; end]);
        for s in &self.segments {
            let at = s.addr as usize;
            out[at..at + s.data.len()].copy_from_slice(&s.data);
        }
        out
    }
}

/// What goes into a plan.
pub struct Request<'a> {
    /// Target chip.
    pub chip: Chip,
    /// Flash size for the bootloader header.
    pub flash_size: FlashSize,
    /// The board's credentials.
    pub credentials: DeviceCreds<'a>,
    /// The settings.
    pub config: &'a DeviceConfig,
    /// Firmware ELF; `None` uses the included one for the chip.
    pub firmware_elf: Option<&'a [u8]>,
}

/// Build the plan.
pub fn plan(req: &Request<'_>) -> Result<Plan, BundleError> {
    let credentials = credentials_partition(req.credentials, req.config)?;
    let mut segments = firmware_segments(req.chip, req.flash_size, req.firmware_elf)?;
    segments.push(Segment {
        name: CREDENTIALS_SEGMENT,
        addr: CREDENTIALS_OFFSET,
        data: credentials,
    });
    // A board that keeps its own key gets its key partition erased (so that it makes a
    // key) when it is new to that layout or a new key is asked for; the flasher drops
    // this segment for a board whose table already has the partition.
    if let DeviceCreds::Board { .. } = req.credentials {
        segments.push(Segment {
            name: KEY_SEGMENT,
            addr: KEY_OFFSET,
            data: Zeroizing::new(vec![
                0xFF;
                thingflash_protocol::device_key::PARTITION_SIZE as usize
            ]),
        });
    }
    segments.sort_by_key(|s| s.addr);
    Ok(Plan {
        chip: req.chip,
        flash_size: req.flash_size,
        segments,
        new_key: matches!(req.credentials, DeviceCreds::Board { new_key: true, .. }),
    })
}

/// Bootloader, partition table and app image for `chip`, from espflash's image format.
pub fn firmware_segments(
    chip: Chip,
    flash_size: FlashSize,
    elf: Option<&[u8]>,
) -> Result<Vec<Segment>, BundleError> {
    let elf = match elf {
        Some(e) => e,
        None => crate::firmware::elf(chip).ok_or(BundleError::NoFirmware { chip })?,
    };
    let espflash_chip = chip.espflash().ok_or(BundleError::NoFirmware { chip })?;
    let fail = |reason: String| BundleError::Firmware { chip, reason };
    // espflash reads the table from a file; ours is a constant (tested to parse), so this
    // is the only input from outside: the ELF, which can be the user's.
    let mut table = tempfile::NamedTempFile::new().map_err(|e| fail(e.to_string()))?;
    table
        .write_all(PARTITION_TABLE_CSV.as_bytes())
        .map_err(|e| fail(e.to_string()))?;
    let flash_data = FlashData::new(
        FlashSettings::new(None, Some(flash_size.espflash()), None),
        0,
        None,
        espflash_chip,
        XtalFrequency::_40Mhz,
    );
    // espflash's image code has `unreachable!`/`unwrap` paths for malformed ELFs; a
    // user's ELF must give an error, not take the app down.
    let made = std::panic::catch_unwind(AssertUnwindSafe(|| {
        IdfBootloaderFormat::new(
            elf,
            &flash_data,
            Some(table.path()),
            None,
            Some(TABLE_OFFSET),
            None,
        )
        .map(|image| {
            image
                .flash_segments()
                .map(|s| (s.addr, s.data().to_vec()))
                .collect::<Vec<_>>()
        })
    }))
    .map_err(|_| fail("the ELF is malformed".into()))?
    .map_err(|e| fail(e.to_string()))?;
    let names = |addr: u32| match addr {
        0 => "bootloader",
        TABLE_OFFSET => "partition-table",
        _ => "app",
    };
    Ok(made
        .into_iter()
        .map(|(addr, data)| Segment {
            name: names(addr),
            addr,
            data: Zeroizing::new(data),
        })
        .collect())
}

/// Find the `esp_secure_cert` partition in a binary partition table read from a board:
/// `(offset, size)`, or why it cannot be used. The bytes go through the bounded parser
/// of [`crate::partitions`], which checks every entry and the table's MD5.
pub fn find_credentials_partition(table: &[u8]) -> Result<(u32, u32), String> {
    let t = crate::partitions::parse(table, TABLE_OFFSET).map_err(|e| e.to_string())?;
    t.secure_cert().map(|p| (p.offset, p.size)).ok_or_else(|| {
        "the board's partition table has no esp_secure_cert partition (it holds another firmware)"
            .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_partition_table_is_what_the_constants_say() {
        let t = esp_idf_part::PartitionTable::try_from_str(PARTITION_TABLE_CSV).unwrap();
        t.validate().unwrap();
        let creds = t.find(tlv::PARTITION_LABEL).unwrap();
        assert_eq!(
            (creds.offset(), creds.size()),
            (CREDENTIALS_OFFSET, CREDENTIALS_SIZE)
        );
        assert_eq!(creds.ty(), esp_idf_part::Type::Custom(tlv::PARTITION_TYPE));
        let app = t.find("factory").unwrap();
        assert_eq!((app.offset(), app.size()), (APP_OFFSET, APP_PARTITION_SIZE));
        let end = t.partitions().iter().map(|p| p.offset() + p.size()).max();
        assert_eq!(end, Some(FLASH_END));
        assert_eq!(FlashSize::from_bytes(FLASH_END), Some(FlashSize::Mb2));
        assert_eq!(FlashSize::from_bytes(FLASH_END - 1), None);
        assert_eq!(FlashSize::from_bytes(32 << 20), Some(FlashSize::Mb16));
    }

    #[test]
    fn credentials_partition_is_found_in_our_table_only() {
        let ours = esp_idf_part::PartitionTable::try_from_str(PARTITION_TABLE_CSV)
            .unwrap()
            .to_bin()
            .unwrap();
        assert_eq!(
            find_credentials_partition(&ours),
            Ok((CREDENTIALS_OFFSET, CREDENTIALS_SIZE))
        );
        let stock = esp_idf_part::PartitionTable::try_from_str(
            "nvs, data, nvs, 0x9000, 0x6000\nfactory, app, factory, 0x10000, 0x100000\n",
        )
        .unwrap()
        .to_bin()
        .unwrap();
        assert!(
            find_credentials_partition(&stock)
                .unwrap_err()
                .contains("no esp_secure_cert")
        );
        assert!(
            find_credentials_partition(&[0xFF; 0xC00])
                .unwrap_err()
                .contains("no partition table")
        );
        assert!(
            find_credentials_partition(&[0x00; 0xC00])
                .unwrap_err()
                .contains("not a partition table")
        );
        // Any truncation of a real table is an answer, not a panic.
        for cut in 0..ours.len() {
            let _ = find_credentials_partition(&ours[..cut]);
        }
    }

    #[test]
    fn the_app_image_carries_the_elf_digest_the_boot_event_reports() {
        for chip in Chip::thingflash_chips() {
            let segs = firmware_segments(chip, FlashSize::Mb4, None).unwrap();
            let app = segs.iter().find(|s| s.name == "app").unwrap();
            let magic = 0xABCD_5432u32.to_le_bytes();
            let at = app.data.windows(4).position(|w| w == magic).unwrap();
            // esp_app_desc_t: magic, secure_version, 2 reserved words, version[32],
            // project_name[32], time[16], date[16], idf_ver[32], then app_elf_sha256.
            let digest = &app.data[at + 144..at + 152];
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(Some(hex.as_str()), crate::firmware::elf_id(chip), "{chip}");
        }
    }

    #[test]
    fn revision_ranges_read_and_print() {
        let mut header = vec![0u8; 24];
        header[15..17].copy_from_slice(&3u16.to_le_bytes());
        header[17..19].copy_from_slice(&199u16.to_le_bytes());
        let r = RevisionRange::of_image(&header).unwrap();
        assert!(r.contains(3) && r.contains(199) && !r.contains(2) && !r.contains(200));
        assert_eq!(r.to_string(), "v0.3 to v1.99");
        assert_eq!(RevisionRange::of_image(&header[..10]), None);
    }
}
