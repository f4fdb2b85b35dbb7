//! The ESP8266 Arduino core's flash layouts: where a sketch's file system lives. The
//! ESP8266 has no partition table; the region comes from the "Flash Size" menu the sketch
//! was built with (`-eesz`), which ends up as `_FS_start`/`_FS_end` in its linker script
//! and cannot be read back from the board. The user picks the layout (or gives an offset
//! and size); everything else (block size, the partition the planning code writes)
//! follows from it here.

use serde::Serialize;

use crate::fs::{FsKind, Params, spiffs};
use crate::partitions::Partition;

/// Where the sketch sees the flash in its address space (`_FS_start - 0x40200000` is the
/// flash offset).
pub const FLASH_MAP_BASE: u32 = 0x4020_0000;

/// One entry of the core's "Flash Size" menu, as its linker script
/// (`tools/sdk/ld/eagle.flash.<name>.ld`) places the file system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Layout {
    /// The menu's id (`eesz`): `4M2M`, `1M64`, ...
    pub name: &'static str,
    /// The flash chip the layout is for.
    pub flash: u32,
    /// File-system offset in flash.
    pub start: u32,
    /// File-system end (exclusive); the EEPROM sector, RF calibration and WiFi settings
    /// follow, and are never written.
    pub end: u32,
    /// The file system's block (4 KiB under 512 KB, else 8 KiB).
    pub block: u32,
}

const K: u32 = 1024;
const M: u32 = 1024 * 1024;

/// Every layout with a file system, in the order the core's menu lists them by flash size,
/// from the linker scripts of esp8266/Arduino 3.1 (`tools/sdk/ld/eagle.flash.*.ld`, made by
/// `tools/boards.txt.py`).
pub const LAYOUTS: [Layout; 22] = [
    l("512K32", 512 * K, 0x73000, 0x7B000, 4096),
    l("512K64", 512 * K, 0x6B000, 0x7B000, 4096),
    l("512K128", 512 * K, 0x5B000, 0x7B000, 4096),
    l("1M64", M, 0xEB000, 0xFB000, 4096),
    l("1M128", M, 0xDB000, 0xFB000, 4096),
    l("1M144", M, 0xD7000, 0xFB000, 4096),
    l("1M160", M, 0xD3000, 0xFB000, 4096),
    l("1M192", M, 0xCB000, 0xFB000, 4096),
    l("1M256", M, 0xBB000, 0xFB000, 4096),
    l("1M512", M, 0x7B000, 0xFB000, 8192),
    l("2M64", 2 * M, 0x1F0000, 0x1FB000, 4096),
    l("2M128", 2 * M, 0x1E0000, 0x1FB000, 4096),
    l("2M256", 2 * M, 0x1C0000, 0x1FB000, 4096),
    l("2M512", 2 * M, 0x180000, 0x1FA000, 8192),
    l("2M1M", 2 * M, 0x100000, 0x1FA000, 8192),
    l("4M1M", 4 * M, 0x300000, 0x3FA000, 8192),
    l("4M2M", 4 * M, 0x200000, 0x3FA000, 8192),
    l("4M3M", 4 * M, 0x100000, 0x3FA000, 8192),
    l("8M6M", 8 * M, 0x200000, 0x7FA000, 8192),
    l("8M7M", 8 * M, 0x100000, 0x7FA000, 8192),
    l("16M14M", 16 * M, 0x200000, 0xFFA000, 8192),
    l("16M15M", 16 * M, 0x100000, 0xFFA000, 8192),
];

const fn l(name: &'static str, flash: u32, start: u32, end: u32, block: u32) -> Layout {
    Layout {
        name,
        flash,
        start,
        end,
        block,
    }
}

/// The layout of the core's most common 4 MB boards (d1_mini, nodemcuv2).
pub const DEFAULT: &str = "4M2M";

/// Why a layout cannot be used.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    /// Not a menu entry.
    #[error(
        "{0:?} is not an ESP8266 flash layout. Use the name from the Arduino IDE's Tools > Flash Size menu ({names}), or give the region with --fs-offset and --fs-size",
        names = names()
    )]
    Unknown(String),
    /// A custom region that is not whole sectors, or runs into the SDK's sectors.
    #[error("a file system at {offset:#x} of {size} bytes cannot be used: {why}")]
    BadRegion {
        /// Offset.
        offset: u32,
        /// Size.
        size: u32,
        /// Why.
        why: String,
    },
    /// The layout is for a bigger flash chip than the board's.
    #[error(
        "the {name} layout is for {wanted} of flash, but this board has {found}: the sketch cannot have been built with it. Pick the layout the sketch was built with (Tools > Flash Size); for {found} boards: {choices}"
    )]
    TooBigForBoard {
        /// The layout.
        name: String,
        /// Its flash, readable.
        wanted: String,
        /// The board's, readable.
        found: String,
        /// The layouts for the board's size.
        choices: String,
    },
}

fn names() -> String {
    LAYOUTS
        .iter()
        .map(|l| l.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Look a layout up by its menu id (any case: `4m2m` is `4M2M`).
pub fn layout(name: &str) -> Result<Layout, LayoutError> {
    LAYOUTS
        .iter()
        .find(|l| l.name.eq_ignore_ascii_case(name.trim()))
        .copied()
        .ok_or_else(|| LayoutError::Unknown(name.to_string()))
}

/// The layout to start from for a flash size: the core's default on 4 MB boards, else the
/// menu's first for that size; `None` for a size no layout is for.
pub fn suggested_for(flash: u32) -> Option<&'static Layout> {
    let default = LAYOUTS.iter().find(|l| l.name == DEFAULT);
    default
        .filter(|l| l.flash == flash)
        .or_else(|| LAYOUTS.iter().find(|l| l.flash == flash))
}

/// The flash sizes the layouts are for, smallest first.
pub fn flash_sizes() -> impl Iterator<Item = u32> {
    LAYOUTS
        .iter()
        .enumerate()
        .filter(|(i, l)| *i == 0 || LAYOUTS[i - 1].flash != l.flash)
        .map(|(_, l)| l.flash)
}

/// The layouts for a flash size, for suggestions.
pub fn layouts_for(flash: u32) -> impl Iterator<Item = &'static Layout> {
    LAYOUTS.iter().filter(move |l| l.flash == flash)
}

/// Whether `bytes` is an ESP8266 flash image, as Arduino's "Export Compiled Binary"
/// writes it for 0x0: the image magic 0xE9, then an entry point in the ESP8266's
/// instruction RAM (0x40100000..0x40110000, where eboot or the SDK's loader start). No
/// ESP32-family chip has instruction RAM there, so their images (entry at 0x4008...,
/// 0x4037..., 0x4080...) are told apart by the same test.
pub fn is_sketch_image(bytes: &[u8]) -> bool {
    let Some(h) = bytes.get(..8) else {
        return false;
    };
    let entry = u32::from_le_bytes([h[4], h[5], h[6], h[7]]);
    h[0] == 0xE9 && (0x4010_0000..0x4011_0000).contains(&entry)
}

/// The file-system region: a menu layout or an offset and size the user gives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Region {
    /// The layout's name, or `custom`.
    pub name: String,
    /// Offset in flash.
    pub offset: u32,
    /// Size.
    pub size: u32,
    /// The file system's block.
    pub block: u32,
    /// The flash size the layout is for (custom regions: none).
    pub flash: Option<u32>,
}

impl From<Layout> for Region {
    fn from(l: Layout) -> Self {
        Self {
            name: l.name.to_string(),
            offset: l.start,
            size: l.end - l.start,
            block: l.block,
            flash: Some(l.flash),
        }
    }
}

impl Region {
    /// A region the user gives: whole 4 KiB sectors, block by the core's rule (8 KiB from
    /// 512 KB up).
    pub fn custom(offset: u32, size: u32) -> Result<Self, LayoutError> {
        let bad = |why: &str| LayoutError::BadRegion {
            offset,
            size,
            why: why.to_string(),
        };
        let block = if size < 512 * K { 4096 } else { 8192 };
        if size == 0 || !size.is_multiple_of(block) {
            return Err(bad(&format!(
                "its size must be a whole number of {block}-byte blocks (the core's block for this size)"
            )));
        }
        if !offset.is_multiple_of(4096) {
            return Err(bad("it must start on a 4 KiB sector"));
        }
        if offset < 0x1000 {
            return Err(bad(
                "the sketch starts at 0x0; the file system comes after it",
            ));
        }
        if offset.checked_add(size).is_none_or(|end| end > 16 * M) {
            return Err(bad("it ends past the largest ESP8266 flash (16 MB)"));
        }
        Ok(Self {
            name: "custom".into(),
            offset,
            size,
            block,
            flash: None,
        })
    }

    /// The end (exclusive).
    pub fn end(&self) -> u64 {
        u64::from(self.offset) + u64::from(self.size)
    }

    /// Check the region against the board's flash size (when the board told it).
    pub fn check_board(&self, board_flash: Option<u32>) -> Result<(), LayoutError> {
        let Some(found) = board_flash else {
            return Ok(());
        };
        let wanted = self.flash.unwrap_or(0);
        if wanted > found || self.end() > u64::from(found) {
            let choices = layouts_for(found).map(|l| l.name).collect::<Vec<_>>();
            return Err(LayoutError::TooBigForBoard {
                name: self.name.clone(),
                wanted: crate::partitions::human_size(wanted.max(self.end() as u32)),
                found: crate::partitions::human_size(found),
                choices: if choices.is_empty() {
                    "none of the menu's layouts; give --fs-offset and --fs-size".into()
                } else {
                    choices.join(", ")
                },
            });
        }
        Ok(())
    }

    /// The region as the partition the planning code writes.
    pub fn partition(&self) -> Partition {
        Partition {
            label: format!("file system ({})", self.name),
            ty: 0x01,
            subtype: 0x82,
            offset: self.offset,
            size: self.size,
            encrypted: false,
            readonly: false,
        }
    }

    /// How the ESP8266 core mounts a file system of this kind in this region
    /// (`cores/esp8266/spiffs/spiffs_config.h`, the core's vendored littlefs config).
    pub fn params(&self, kind: FsKind) -> Params {
        Params {
            kind,
            block_size: self.block,
            name_max: 32,
            spiffs: spiffs::Layout::ESP8266,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(entry: u32) -> Vec<u8> {
        let mut h = vec![0xE9, 1, 2, 0x40];
        h.extend_from_slice(&entry.to_le_bytes());
        h.extend_from_slice(&[0; 16]);
        h
    }

    #[test]
    fn flash_sizes_and_the_layout_each_starts_from() {
        let sizes: Vec<u32> = flash_sizes().collect();
        assert_eq!(sizes, [512 * K, M, 2 * M, 4 * M, 8 * M, 16 * M]);
        let names: Vec<&str> = sizes
            .iter()
            .map(|s| suggested_for(*s).map(|l| l.name).unwrap_or("-"))
            .collect();
        assert_eq!(names, ["512K32", "1M64", "2M64", "4M2M", "8M6M", "16M14M"]);
        assert!(suggested_for(3 * M).is_none());
    }

    #[test]
    fn sketch_images_are_told_from_esp32_family_images() {
        // eboot's entry (what Arduino's sketch .bin starts with) and a NONOS SDK image.
        assert!(is_sketch_image(&image(0x4010_f000)));
        assert!(is_sketch_image(&image(0x4010_0004)));
        // ESP32 (0x4008...), ESP32-C3/S3 (0x4037...), ESP32-C6 (0x4080...), and no magic.
        for entry in [0x4008_0400, 0x4037_c000, 0x4080_0000] {
            assert!(!is_sketch_image(&image(entry)), "{entry:#x}");
        }
        let mut elf = image(0x4010_f000);
        elf[0] = 0x7F;
        assert!(!is_sketch_image(&elf));
        assert!(!is_sketch_image(&[0xE9, 1, 2]));
    }

    /// The core's own rule (`flash_map()` in `tools/boards.txt.py`): the FS ends where the
    /// EEPROM, RF-calibration and WiFi sectors begin (20 KiB from the end), rounded down to
    /// whole blocks; on 1 MB and smaller chips it is counted back from there, on larger
    /// ones it starts at `flash - fs`.
    fn core_rule(flash_kb: u32, fs_kb: u32) -> (u32, u32, u32) {
        let end = (flash_kb - 12 - 4 - 4) * 1024;
        let start = if flash_kb <= 1024 {
            end - fs_kb * 1024
        } else {
            (flash_kb - fs_kb) * 1024
        };
        let block = if fs_kb < 512 { 4096 } else { 8192 };
        (start, block * ((end - start) / block) + start, block)
    }

    fn fs_kb(name: &str) -> u32 {
        let (_, fs) = name
            .split_once('M')
            .or_else(|| name.split_once('K'))
            .unwrap();
        match fs.strip_suffix('M') {
            Some(m) => m.parse::<u32>().unwrap() * 1024,
            None => fs.parse().unwrap(),
        }
    }

    macro_rules! layout_test {
        ($($test:ident: $name:literal => ($start:literal, $end:literal, $block:literal),)*) => {$(
            #[test]
            fn $test() {
                let l = layout($name).unwrap();
                // The linker script's values...
                assert_eq!((l.start, l.end, l.block), ($start, $end, $block));
                // ...are the core's rule applied to the menu's sizes.
                assert_eq!(core_rule(l.flash / 1024, fs_kb(l.name)), (l.start, l.end, l.block));
                assert!(l.end <= l.flash - 20 * 1024);
                let r = Region::from(l);
                assert!(r.size.is_multiple_of(r.block));
                assert_eq!(r.params(FsKind::LittleFs).block_size, $block);
            }
        )*};
    }

    // One per linker script: `_FS_start`/`_FS_end` minus 0x40200000, and `_FS_block`.
    layout_test! {
        layout_512k32: "512K32" => (0x73000, 0x7B000, 4096),
        layout_512k64: "512K64" => (0x6B000, 0x7B000, 4096),
        layout_512k128: "512K128" => (0x5B000, 0x7B000, 4096),
        layout_1m64: "1M64" => (0xEB000, 0xFB000, 4096),
        layout_1m128: "1M128" => (0xDB000, 0xFB000, 4096),
        layout_1m144: "1M144" => (0xD7000, 0xFB000, 4096),
        layout_1m160: "1M160" => (0xD3000, 0xFB000, 4096),
        layout_1m192: "1M192" => (0xCB000, 0xFB000, 4096),
        layout_1m256: "1M256" => (0xBB000, 0xFB000, 4096),
        layout_1m512: "1M512" => (0x7B000, 0xFB000, 8192),
        layout_2m64: "2M64" => (0x1F0000, 0x1FB000, 4096),
        layout_2m128: "2M128" => (0x1E0000, 0x1FB000, 4096),
        layout_2m256: "2M256" => (0x1C0000, 0x1FB000, 4096),
        layout_2m512: "2M512" => (0x180000, 0x1FA000, 8192),
        layout_2m1m: "2M1M" => (0x100000, 0x1FA000, 8192),
        layout_4m1m: "4M1M" => (0x300000, 0x3FA000, 8192),
        layout_4m2m: "4M2M" => (0x200000, 0x3FA000, 8192),
        layout_4m3m: "4M3M" => (0x100000, 0x3FA000, 8192),
        layout_8m6m: "8M6M" => (0x200000, 0x7FA000, 8192),
        layout_8m7m: "8M7M" => (0x100000, 0x7FA000, 8192),
        layout_16m14m: "16M14M" => (0x200000, 0xFFA000, 8192),
        layout_16m15m: "16M15M" => (0x100000, 0xFFA000, 8192),
    }

    #[test]
    fn every_layout_has_its_test_and_the_default_is_listed() {
        assert_eq!(LAYOUTS.len(), 22);
        assert!(layout(DEFAULT).is_ok());
        assert_eq!(layout(" 4m2m ").unwrap().name, "4M2M");
        assert!(matches!(layout("4M"), Err(LayoutError::Unknown(_))));
    }

    #[test]
    fn a_layout_for_a_bigger_chip_is_refused_with_the_boards_choices() {
        let r = Region::from(layout("4M2M").unwrap());
        assert!(r.check_board(Some(4 * M)).is_ok());
        assert!(r.check_board(None).is_ok());
        let e = r.check_board(Some(M)).unwrap_err().to_string();
        assert!(e.contains("1M64, 1M128"), "{e}");
    }

    #[test]
    fn custom_regions_follow_the_cores_block_rule() {
        let r = Region::custom(0x200000, 0x1FA000).unwrap();
        assert_eq!(r.block, 8192);
        assert_eq!(Region::custom(0xEB000, 0x10000).unwrap().block, 4096);
        assert!(Region::custom(0x200000, 0x1001).is_err());
        assert!(Region::custom(0x200800, 0x10000).is_err());
        assert!(Region::custom(0, 0x10000).is_err());
        assert!(Region::custom(0xFF0000, 0x20000).is_err());
        assert!(
            Region::custom(0x200000, 0x1FB000).is_err(),
            "not whole 8 KiB blocks"
        );
    }
}

/// Flash sector: what the ROM erases at a time.
const SECTOR: u32 = 4096;
/// Sectors in a 64 KiB block: the unit the ROM's erase arithmetic counts from.
const SECTORS_PER_BLOCK: u32 = 16;

/// Sectors `(first, count)` that the ESP8266 ROM erases for a FLASH_BEGIN of `erase_size`
/// bytes at `offset`. Its `SPIEraseArea` miscounts: when the area stays inside one 64 KiB
/// block it erases twice the sectors asked, otherwise it erases the sectors up to the
/// block boundary twice over (esptool issue #33, `ESP8266ROM.get_erase_size`).
pub fn rom_erased(offset: u32, erase_size: u32) -> (u32, u32) {
    let first = offset / SECTOR;
    let total = erase_size.div_ceil(SECTOR);
    let head = SECTORS_PER_BLOCK - first % SECTORS_PER_BLOCK;
    let count = if total <= head {
        2 * total
    } else {
        total + head
    };
    (first, count)
}

/// The erase size to send so that the ROM erases exactly `sectors` sectors from sector
/// `first`, or `None` when no size does (an odd count that stays within twice the
/// sectors left in its 64 KiB block).
pub fn rom_erase_size(first: u32, sectors: u32) -> Option<u32> {
    let head = SECTORS_PER_BLOCK - first % SECTORS_PER_BLOCK;
    if sectors.is_multiple_of(2) && sectors <= 2 * head {
        Some(sectors / 2 * SECTOR)
    } else if sectors > 2 * head {
        Some((sectors - head) * SECTOR)
    } else {
        None
    }
}

/// One FLASH_BEGIN in ROM mode: the sectors it erases and writes, and the erase size that
/// makes the ROM erase exactly those.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RomWrite {
    /// First sector.
    pub first: u32,
    /// Sectors.
    pub sectors: u32,
    /// The FLASH_BEGIN erase size.
    pub erase_size: u32,
}

impl RomWrite {
    /// Byte offset.
    pub fn offset(&self) -> u32 {
        self.first * SECTOR
    }
    /// Bytes written (whole sectors).
    pub fn len(&self) -> u32 {
        self.sectors * SECTOR
    }
    /// Whether it writes nothing.
    pub fn is_empty(&self) -> bool {
        self.sectors == 0
    }
}

/// Plan the ROM-mode writes that cover `ranges` (byte `(offset, len)`) such that the ROM
/// erases nothing outside `zone` (byte `(offset, len)`, the area this write owns, whose
/// every byte the caller knows: a run the ROM cannot erase exactly is widened by a sector
/// of the zone, written with what the zone should hold there). `None` when a range cannot
/// be written without erasing outside the zone.
pub fn rom_writes(ranges: &[(u32, u32)], zone: (u32, u32)) -> Option<Vec<RomWrite>> {
    let zone_first = zone.0 / SECTOR;
    let zone_end = (zone.0 + zone.1) / SECTOR;
    let mut runs: Vec<(u32, u32)> = ranges
        .iter()
        .filter(|r| r.1 > 0)
        .map(|&(at, len)| {
            let first = at / SECTOR;
            (first, (at + len).div_ceil(SECTOR))
        })
        .collect();
    if runs.iter().any(|&(s, e)| s < zone_first || e > zone_end) {
        return None;
    }
    loop {
        runs.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(runs.len());
        for (s, e) in runs.drain(..) {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        let mut widened = false;
        for run in &mut merged {
            if rom_erase_size(run.0, run.1 - run.0).is_some() {
                continue;
            }
            // An odd run: one more sector makes it even, and within twice its head.
            if run.1 < zone_end {
                run.1 += 1;
            } else if run.0 > zone_first {
                run.0 -= 1;
            } else {
                return None;
            }
            widened = true;
        }
        runs = merged;
        if !widened {
            break;
        }
    }
    runs.into_iter()
        .map(|(s, e)| {
            rom_erase_size(s, e - s).map(|erase_size| RomWrite {
                first: s,
                sectors: e - s,
                erase_size,
            })
        })
        .collect()
}

#[cfg(test)]
mod rom_tests {
    use super::*;

    #[test]
    fn the_roms_miscount_as_esptool_documents_it() {
        // Inside one block: twice the sectors. Crossing: plus the head.
        assert_eq!(rom_erased(0x200000, 0x1000), (0x200, 2));
        assert_eq!(rom_erased(0x20F000, 0x3000), (0x20F, 4));
        // esptool's `get_erase_size` makes the ROM erase what is asked when it can.
        for (offset, size) in [(0x0, 0x5_0000), (0x200000, 0x2000), (0x20E000, 0x8000)] {
            let n = size / SECTOR;
            let e = rom_erase_size(offset / SECTOR, n).unwrap();
            assert_eq!(rom_erased(offset, e), (offset / SECTOR, n));
        }
        // A single sector can never be erased alone.
        for first in 0..32 {
            assert_eq!(rom_erase_size(first, 1), None);
        }
    }

    #[test]
    fn every_count_that_has_an_exact_size_gets_it() {
        for first in 0..48 {
            for n in 1..80 {
                if let Some(e) = rom_erase_size(first, n) {
                    assert_eq!(rom_erased(first * SECTOR, e), (first, n), "{first} {n}");
                }
            }
        }
    }

    #[test]
    fn planned_writes_never_erase_outside_the_zone() {
        // A small deterministic generator: runs of sectors inside a 1M64-sized zone.
        let zone = (0xEB000, 0x10000);
        let mut seed = 0x2545_F491_u32;
        for _ in 0..2000 {
            let mut ranges = Vec::new();
            for _ in 0..(seed % 4 + 1) {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let first = seed % 16;
                let n = 1 + (seed >> 8) % (16 - first);
                ranges.push((zone.0 + first * SECTOR, n * SECTOR));
            }
            let plan = rom_writes(&ranges, zone).expect("a 16-sector zone always has room");
            let mut erased = std::collections::BTreeSet::new();
            for w in &plan {
                let (first, count) = rom_erased(w.offset(), w.erase_size);
                assert_eq!((first, count), (w.first, w.sectors), "{ranges:x?}");
                erased.extend(first..first + count);
            }
            for &(at, len) in &ranges {
                for s in at / SECTOR..(at + len) / SECTOR {
                    assert!(erased.contains(&s), "sector {s:#x} not written");
                }
            }
            assert!(erased.iter().all(|s| (0xEB..0xFB).contains(s)));
        }
    }

    #[test]
    fn eight_kib_blocks_need_no_widening() {
        let zone = (0x200000, 0x1FA000);
        let ranges = [(0x200000, 0x4000), (0x346000, 0x6000)];
        let plan = rom_writes(&ranges, zone).unwrap();
        assert_eq!(plan.iter().map(RomWrite::len).sum::<u32>(), 0xA000);
        assert!(rom_writes(&[(0x1FF000, 0x2000)], zone).is_none());
    }
}
