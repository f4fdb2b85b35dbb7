//! SPIFFS images, written and read by this project: no library writes SPIFFS and no
//! independent reader exists to test against, so both sides follow the on-disk layout of
//! pellepl/spiffs (`spiffs_nucleus.h`) as ESP-IDF's `spiffsgen.py` lays it out, and are
//! tested against each other and against golden images.
//!
//! The layout, in short: every block starts with its object-lookup (LU) page(s), one
//! 16-bit entry per page of the block (free `0xFFFF`, deleted `0`, else the object id,
//! with bit 15 for index pages), and the block's magic in the second-last LU slot. Each
//! file is an index header page (size, type, name, meta, then the page numbers of its
//! data pages), more index pages when the header's table is full, and data pages of
//! `page - 5` bytes. Flags are active-low. There is no checksum: the flags, the LU and
//! the index must agree, so the reader checks all three.

use super::FsError;

const OBJ_ID_IX_FLAG: u16 = 0x8000;
const FREE: u16 = 0xFFFF;
const DELETED: u16 = 0x0000;
const PAGE_HEADER: usize = 5;
/// Flags, active-low: a bit cleared means the state is reached.
const FLAG_USED: u8 = 0x01;
const FLAG_FINAL: u8 = 0x02;
const FLAG_INDEX: u8 = 0x04;
const FLAG_IXDELE: u8 = 0x40;
const FLAG_DELET: u8 = 0x80;
/// A written data page: used and final cleared.
const DATA_FLAGS: u8 = !(FLAG_USED | FLAG_FINAL);
/// A written index page (header or not): used, final and index cleared.
const INDEX_FLAGS: u8 = DATA_FLAGS & !FLAG_INDEX;
const TYPE_FILE: u8 = 1;
const MAGIC_BASE: u32 = 0x2014_0529;
const UNDEFINED_LEN: u32 = 0xFFFF_FFFF;

/// The compile-time options of a SPIFFS build that change the bytes on flash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Logical page (`SPIFFS_CFG_LOG_PAGE_SZ`).
    pub page_size: u32,
    /// Name field, NUL included (`SPIFFS_OBJ_NAME_LEN`).
    pub name_len: u32,
    /// Metadata bytes after the name (`SPIFFS_OBJ_META_LEN`).
    pub meta_len: u32,
    /// The block count is folded into each block's magic (`SPIFFS_USE_MAGIC_LENGTH`).
    pub magic_len: bool,
    /// The header's page table starts at an even offset (`SPIFFS_ALIGNED_OBJECT_INDEX_TABLES`).
    pub aligned: bool,
}

impl Layout {
    /// ESP-IDF's SPIFFS (what Arduino-ESP32's `SPIFFS.begin()` mounts): Kconfig defaults,
    /// 4-byte mtime meta, magic with length, unaligned tables.
    pub const ESP_IDF: Layout = Layout {
        page_size: 256,
        name_len: 32,
        meta_len: 4,
        magic_len: true,
        aligned: false,
    };

    /// The ESP8266 Arduino core (`cores/esp8266/spiffs/spiffs_config.h`): no meta, a
    /// magic without the length, aligned tables. The block size (4 or 8 KiB, from the
    /// flash layout) does not change these.
    pub const ESP8266: Layout = Layout {
        page_size: 256,
        name_len: 32,
        meta_len: 0,
        magic_len: false,
        aligned: true,
    };
}

/// The numbers that follow from a layout and a block size.
#[derive(Clone, Copy, Debug)]
struct Geometry {
    page: usize,
    pages_per_block: usize,
    lu_pages: usize,
    /// Object pages per block: LU entries in use.
    entries: usize,
    blocks: usize,
    data_per_page: usize,
    /// Offset of the header's page table.
    header_table: usize,
    /// Page-table entries in the header.
    header_entries: usize,
    /// Page-table entries in a later index page.
    index_entries: usize,
    name_len: usize,
    meta_len: usize,
}

impl Geometry {
    fn new(layout: &Layout, block_size: u32, image_len: usize) -> Result<Self, FsError> {
        let bad = |why: &str| FsError::Damaged(format!("SPIFFS cannot use this geometry: {why}"));
        let page = layout.page_size as usize;
        let block = block_size as usize;
        if !page.is_power_of_two() || !block.is_power_of_two() || page < 64 || block < 2 * page {
            return Err(bad(
                "page and block must be powers of two, a block at least two pages",
            ));
        }
        let pages_per_block = block / page;
        // spiffs_nucleus.h: at least one LU page, two bytes per page of the block.
        let lu_pages = ((pages_per_block * 2) / page).max(1);
        let entries = pages_per_block - lu_pages;
        let entries_per_lu_page = page / 2;
        if (entries % entries_per_lu_page) * 2 > page - 4 {
            return Err(bad("no room for the magic in the lookup page"));
        }
        let name_len = layout.name_len as usize;
        let meta_len = layout.meta_len as usize;
        let mut header_table = 13 + name_len + meta_len;
        if layout.aligned && header_table % 2 == 1 {
            header_table += 1;
        }
        if header_table + 2 > page {
            return Err(bad("the name and meta do not fit in a page"));
        }
        let blocks = image_len / block;
        if blocks * pages_per_block > usize::from(u16::MAX) {
            return Err(bad("more pages than 16-bit page numbers reach"));
        }
        if blocks < 2 || !image_len.is_multiple_of(block) {
            return Err(bad(
                "the partition is not a whole number of blocks (at least two)",
            ));
        }
        Ok(Self {
            page,
            pages_per_block,
            lu_pages,
            entries,
            blocks,
            data_per_page: page - PAGE_HEADER,
            header_table,
            header_entries: (page - header_table) / 2,
            index_entries: (page - 8) / 2,
            name_len,
            meta_len,
        })
    }

    fn block_len(&self) -> usize {
        self.page * self.pages_per_block
    }

    /// Global page number of entry `e` of block `b`.
    fn pix(&self, b: usize, e: usize) -> usize {
        b * self.pages_per_block + self.lu_pages + e
    }

    fn magic_at(&self, b: usize) -> usize {
        b * self.block_len() + self.lu_pages * self.page - 4
    }

    fn magic(&self, layout: &Layout, b: usize) -> u16 {
        let mut m = MAGIC_BASE ^ layout.page_size;
        if layout.magic_len {
            m ^= (self.blocks - b) as u32;
        }
        m as u16
    }

    /// Where data span `s` is listed: (index span, entry).
    fn locate(&self, s: usize) -> (usize, usize) {
        if s < self.header_entries {
            (0, s)
        } else {
            let r = s - self.header_entries;
            (1 + r / self.index_entries, r % self.index_entries)
        }
    }

    /// Byte offset of table entry `entry` in an index page of span `span`.
    fn table_entry(&self, span: usize, entry: usize) -> usize {
        if span == 0 {
            self.header_table + 2 * entry
        } else {
            8 + 2 * entry
        }
    }
}

fn u16_at(image: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(image.get(at..at + 2)?.try_into().ok()?))
}

fn put_u16(image: &mut [u8], at: usize, v: u16) {
    image[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

/// Whether the first blocks carry the magic this layout expects.
pub(super) fn looks_like(image: &[u8], layout: &Layout, block_size: u32) -> bool {
    let Ok(g) = Geometry::new(layout, block_size, image.len()) else {
        return false;
    };
    let blocks = g.blocks.min(3);
    let good = (0..blocks)
        .filter(|&b| u16_at(image, g.magic_at(b)) == Some(g.magic(layout, b)))
        .count();
    // SPIFFS tolerates one block whose erase was cut short.
    good + 1 >= blocks && good > 0
}

/// Every file with its bytes, sorted by name.
pub(super) fn read(
    image: &[u8],
    layout: &Layout,
    block_size: u32,
) -> Result<Vec<(String, Vec<u8>)>, FsError> {
    let g = Geometry::new(layout, block_size, image.len()).map_err(|_| FsError::NotThisKind)?;
    let bad_magic = (0..g.blocks)
        .filter(|&b| u16_at(image, g.magic_at(b)) != Some(g.magic(layout, b)))
        .count();
    if bad_magic == g.blocks || (bad_magic > 0 && !looks_like(image, layout, block_size)) {
        return Err(FsError::NotThisKind);
    }
    if bad_magic > 1 {
        return Err(FsError::Damaged(format!(
            "{bad_magic} blocks lack the SPIFFS magic; SPIFFS mounts with at most one"
        )));
    }
    let page_at = |pix: usize| image.get(pix * g.page..(pix + 1) * g.page);
    // Pass 1: every live index page, by (object id, span).
    let mut headers: Vec<(u16, usize)> = Vec::new();
    let mut index_pages: std::collections::BTreeMap<(u16, u16), usize> = Default::default();
    for b in 0..g.blocks {
        for e in 0..g.entries {
            let lu = u16_at(image, b * g.block_len() + 2 * e).unwrap_or(FREE);
            if lu == FREE || lu == DELETED || lu & OBJ_ID_IX_FLAG == 0 {
                continue;
            }
            let pix = g.pix(b, e);
            let Some(page) = page_at(pix) else { continue };
            let (id, span, flags) = (u16_at(page, 0), u16_at(page, 2), page[4]);
            if id != Some(lu) {
                continue;
            }
            // Used, final, an index page, not deleted.
            if flags & (FLAG_USED | FLAG_FINAL | FLAG_INDEX | FLAG_DELET) != FLAG_DELET {
                continue;
            }
            let obj = lu & !OBJ_ID_IX_FLAG;
            match span {
                Some(0) if flags & FLAG_IXDELE != 0 => headers.push((obj, pix)),
                Some(0) => {}
                Some(s) => {
                    index_pages.entry((obj, s)).or_insert(pix);
                }
                None => {}
            }
        }
    }
    // Pass 2: each file through its index.
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (obj, pix) in headers {
        let Some(page) = page_at(pix) else { continue };
        if page[12] != TYPE_FILE {
            continue;
        }
        let name_bytes = &page[13..13 + g.name_len];
        let name_end = name_bytes
            .iter()
            .position(|b| *b == 0)
            .unwrap_or(g.name_len);
        let name = String::from_utf8_lossy(&name_bytes[..name_end]).into_owned();
        let damaged = |why: String| FsError::Damaged(format!("{name}: {why}"));
        let size = u32::from_le_bytes([page[8], page[9], page[10], page[11]]);
        let size = if size == UNDEFINED_LEN {
            0
        } else {
            size as usize
        };
        if size > image.len() {
            return Err(damaged(format!(
                "a size of {size} bytes is larger than the partition"
            )));
        }
        let mut data = Vec::with_capacity(size);
        for s in 0..size.div_ceil(g.data_per_page) {
            let (span, entry) = g.locate(s);
            let ix_page = if span == 0 {
                Some(page)
            } else {
                index_pages
                    .get(&(obj, span as u16))
                    .and_then(|&p| page_at(p))
            };
            let ix_page =
                ix_page.ok_or_else(|| damaged(format!("index page {span} is missing")))?;
            let dpix = u16_at(ix_page, g.table_entry(span, entry)).unwrap_or(FREE) as usize;
            let in_lu = dpix % g.pages_per_block < g.lu_pages;
            let dpage = (dpix != usize::from(FREE) && !in_lu)
                .then(|| page_at(dpix))
                .flatten()
                .ok_or_else(|| damaged(format!("data page {s} is not in the index")))?;
            let flags = dpage[4];
            let live = flags & (FLAG_USED | FLAG_FINAL | FLAG_INDEX | FLAG_DELET)
                == FLAG_INDEX | FLAG_DELET;
            if !live || u16_at(dpage, 0) != Some(obj) || u16_at(dpage, 2) != Some(s as u16) {
                return Err(damaged(format!("data page {s} does not belong to it")));
            }
            let take = g.data_per_page.min(size - data.len());
            data.extend_from_slice(&dpage[PAGE_HEADER..PAGE_HEADER + take]);
        }
        if files.iter().any(|f| f.0 == name) {
            return Err(damaged("two live files have this name".into()));
        }
        files.push((name, data));
    }
    files.sort();
    Ok(files)
}

/// A new image of `size` bytes holding `files`, in spiffsgen's order: per file its index
/// header, its data pages, a further index page whenever a table fills; every block
/// carries its magic, the rest is erased.
pub(super) fn write(
    size: u32,
    layout: &Layout,
    block_size: u32,
    files: &[(String, Vec<u8>)],
) -> Result<Vec<u8>, FsError> {
    let g = Geometry::new(layout, block_size, size as usize)?;
    let mut image = vec![0xFFu8; size as usize];
    let total_pages = g.blocks * g.entries;
    // Object pages in allocation order: (block, entry).
    let mut next = 0usize;
    let mut alloc = |lu: u16, image: &mut Vec<u8>| -> Result<usize, FsError> {
        if next >= total_pages {
            return Err(FsError::NoSpace);
        }
        let (b, e) = (next / g.entries, next % g.entries);
        next += 1;
        put_u16(image, b * g.block_len() + 2 * e, lu);
        Ok(g.pix(b, e))
    };
    if files.len() >= 0x7FFE {
        return Err(FsError::NoSpace);
    }
    for (i, (name, data)) in files.iter().enumerate() {
        let obj = (i + 1) as u16;
        let ix_id = obj | OBJ_ID_IX_FLAG;
        if name.len() + 1 > g.name_len {
            return Err(FsError::BadName(format!(
                "{name:?} is longer than {} bytes",
                g.name_len - 1
            )));
        }
        let header = alloc(ix_id, &mut image)?;
        let hp = header * g.page;
        put_u16(&mut image, hp, ix_id);
        put_u16(&mut image, hp + 2, 0);
        image[hp + 4] = INDEX_FLAGS;
        // `_align`, as spiffsgen leaves it.
        image[hp + 5..hp + 8].fill(0xFF);
        let len = if data.is_empty() {
            UNDEFINED_LEN
        } else {
            data.len() as u32
        };
        image[hp + 8..hp + 12].copy_from_slice(&len.to_le_bytes());
        image[hp + 12] = TYPE_FILE;
        let name_field = hp + 13..hp + 13 + g.name_len;
        image[name_field.clone()].fill(0);
        image[name_field.start..name_field.start + name.len()].copy_from_slice(name.as_bytes());
        let meta = hp + 13 + g.name_len;
        image[meta..meta + g.meta_len].fill(0);
        image[meta + g.meta_len..hp + g.header_table].fill(0);
        let mut index_page = hp;
        for (s, chunk) in data.chunks(g.data_per_page).enumerate() {
            let (span, entry) = g.locate(s);
            if span > 0 && entry == 0 {
                let ip = alloc(ix_id, &mut image)? * g.page;
                put_u16(&mut image, ip, ix_id);
                put_u16(&mut image, ip + 2, span as u16);
                image[ip + 4] = INDEX_FLAGS;
                image[ip + 5..ip + 8].fill(0xFF);
                index_page = ip;
            }
            let dpix = alloc(obj, &mut image)?;
            let dp = dpix * g.page;
            put_u16(&mut image, dp, obj);
            put_u16(&mut image, dp + 2, s as u16);
            image[dp + 4] = DATA_FLAGS;
            image[dp + PAGE_HEADER..dp + PAGE_HEADER + chunk.len()].copy_from_slice(chunk);
            put_u16(
                &mut image,
                index_page + g.table_entry(span, entry),
                dpix as u16,
            );
        }
    }
    for b in 0..g.blocks {
        put_u16(&mut image, g.magic_at(b), g.magic(layout, b));
    }
    Ok(image)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<(String, Vec<u8>)> {
        vec![
            ("/ca.der".into(), (0..837u32).map(|i| i as u8).collect()),
            ("/cert.der".into(), vec![0x30; 251]),
            ("/empty".into(), Vec::new()),
            (
                "/long.bin".into(),
                (0..60_000u32).map(|i| (i * 31 % 251) as u8).collect(),
            ),
        ]
    }

    /// A dump of the bytes that are not erased: the golden form of an image.
    fn dump(image: &[u8]) -> String {
        let mut s = String::new();
        for (i, row) in image.chunks(16).enumerate() {
            if row.iter().all(|b| *b == 0xFF) {
                continue;
            }
            let hex: Vec<String> = row.iter().map(|b| format!("{b:02x}")).collect();
            s.push_str(&format!("{:06x}: {}\n", i * 16, hex.join(" ")));
        }
        s
    }

    #[test]
    fn esp_idf_geometry_is_the_documented_one() {
        let g = Geometry::new(&Layout::ESP_IDF, 4096, 0x160000).unwrap();
        assert_eq!((g.pages_per_block, g.lu_pages, g.entries), (16, 1, 15));
        assert_eq!(
            (
                g.data_per_page,
                g.header_table,
                g.header_entries,
                g.index_entries
            ),
            (251, 49, 103, 124)
        );
        // 1.4 MB: 352 blocks; the magic of block 0 folds in 352.
        assert_eq!(g.magic(&Layout::ESP_IDF, 0), (0x0429 ^ 352) as u16);
        assert_eq!(g.magic_at(1), 4096 + 0xFC);
        let e = Geometry::new(&Layout::ESP8266, 8192, 0x100000).unwrap();
        assert_eq!((e.entries, e.header_table, e.header_entries), (31, 46, 105));
        assert_eq!(e.magic(&Layout::ESP8266, 7), 0x0429);
    }

    #[test]
    fn round_trip_both_layouts() {
        for (layout, block) in [
            (Layout::ESP_IDF, 4096),
            (Layout::ESP8266, 8192),
            (Layout::ESP8266, 4096),
        ] {
            let img = write(0x40000, &layout, block, &files()).unwrap();
            assert!(looks_like(&img, &layout, block));
            assert_eq!(read(&img, &layout, block).unwrap(), files(), "{layout:?}");
        }
    }

    #[test]
    fn golden_small_image() {
        let img = write(
            0x4000,
            &Layout::ESP_IDF,
            4096,
            &[
                ("/cert.der".into(), vec![0xAB; 300]),
                ("/e".into(), Vec::new()),
            ],
        )
        .unwrap();
        // Block 0's LU: header of object 1, two data pages, header of object 2.
        assert_eq!(&img[..8], [0x01, 0x80, 0x01, 0x00, 0x01, 0x00, 0x02, 0x80]);
        // Every block's magic: 0x20140529 ^ 256 ^ (4 - bix), low 16 bits.
        for b in 0..4usize {
            assert_eq!(
                u16_at(&img, b * 4096 + 0xFC),
                Some((0x0429 ^ (4 - b)) as u16)
            );
        }
        // Page 1: the header (id|0x8000, span 0, flags 0xF8, size 300, type 1, the name).
        assert_eq!(&img[256..261], [0x01, 0x80, 0, 0, 0xF8]);
        assert_eq!(&img[264..269], [0x2C, 0x01, 0, 0, 1]);
        assert_eq!(&img[269..278], b"/cert.der");
        // Its table at 49: pages 2 and 3.
        assert_eq!(&img[256 + 49..256 + 53], [2, 0, 3, 0]);
        // Page 3: data span 1 holds 300 - 251 bytes, then erased.
        assert_eq!(&img[768..773], [0x01, 0x00, 0x01, 0x00, 0xFC]);
        assert_eq!(img[773 + 49 - 1], 0xAB);
        assert_eq!(img[773 + 49], 0xFF);
        insta::assert_snapshot!(dump(&img));
    }

    #[test]
    fn reader_follows_the_index_not_the_order() {
        let layout = Layout::ESP_IDF;
        let mut img = write(0x4000, &layout, 4096, &[("/a".into(), vec![1; 400])]).unwrap();
        // Move data page 2 to page 20 (block 1), as SPIFFS's GC would: copy, point the
        // index at it, mark the old one deleted.
        let (old, new) = (2usize, 20usize);
        let page: Vec<u8> = img[old * 256..(old + 1) * 256].to_vec();
        img[new * 256..(new + 1) * 256].copy_from_slice(&page);
        put_u16(&mut img, 4096 + 2 * (new - 17), 1);
        put_u16(&mut img, 2 * (old - 1), DELETED);
        img[old * 256 + 4] &= !FLAG_DELET;
        put_u16(&mut img, 256 + 49, new as u16);
        assert_eq!(
            read(&img, &layout, 4096).unwrap(),
            vec![("/a".into(), vec![1; 400])]
        );
        // A deleted file is gone.
        img[256 + 4] &= !(FLAG_DELET | FLAG_IXDELE);
        assert_eq!(read(&img, &layout, 4096).unwrap(), vec![]);
    }

    #[test]
    fn damage_is_reported_not_misread() {
        let layout = Layout::ESP_IDF;
        let img = write(0x8000, &layout, 4096, &[("/a".into(), vec![1; 600])]).unwrap();
        let mut broken = img.clone();
        broken[2 * 256 + 4] = 0xFF; // data page 0 never finalised
        assert!(matches!(
            read(&broken, &layout, 4096),
            Err(FsError::Damaged(_))
        ));
        let mut no_magic = img.clone();
        for b in 1..8 {
            put_u16(&mut no_magic, b * 4096 + 0xFC, 0xFFFF);
        }
        assert!(read(&no_magic, &layout, 4096).is_err());
        assert_eq!(
            read(&[0xFF; 0x8000], &layout, 4096),
            Err(FsError::NotThisKind)
        );
        // Every single-byte corruption gives an answer, never a panic.
        for at in (0..img.len()).step_by(7) {
            let mut c = img.clone();
            c[at] ^= 0x5A;
            let _ = read(&c, &layout, 4096);
        }
        assert_eq!(
            write(0x4000, &layout, 4096, &[("/big".into(), vec![0; 0x4000])]),
            Err(FsError::NoSpace)
        );
    }
}
