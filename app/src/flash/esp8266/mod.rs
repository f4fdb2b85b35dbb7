//! Flashing an ESP8266: connect through thingflash's own ROM client ([`rom`]), tell the
//! chip, start the flasher stub, read the file system where the sketch's flash layout
//! puts it, write the sketch (when given) and only the blocks of the file system that
//! change, then read them back and mount the result. Without the stub (the ROM refused
//! it) the flash cannot be read: only a new file system is written, in ROM mode, with the
//! ROM's erase miscount worked around so no sector outside the region is erased, and the
//! result is reported as unverified. The planning is [`crate::own`]'s and
//! [`crate::esp8266`]'s; this is the I/O around it.

pub mod rom;
pub mod slip;

use std::time::{Duration, Instant};

use serde::Serialize;

use super::own::{md5_of, read_back, read_partition};
use super::{
    After, Before, BoardInfo, Event, FlashError, FlashOptions, Progress, ReadFlash, open_error,
};
use crate::credentials::CredentialSet;
use crate::esp8266::{self, Region};
use crate::fs::FileEntry;
use crate::own::{self, OwnError, Placement};
use rom::{Loader, RomError};

/// One run for an ESP8266 sketch.
pub struct Request<'a> {
    /// Target, files, format; `region` must be set.
    pub own: own::Options,
    /// The credentials.
    pub creds: &'a CredentialSet,
    /// The sketch (`.bin` from "Export compiled Binary"), written at 0x0 first.
    pub sketch: Option<&'a [u8]>,
    /// Upload the flasher stub (off: ROM mode, as if the ROM refused it).
    pub stub: bool,
}

/// What a run did.
#[derive(Debug, Serialize)]
pub struct Esp8266Report {
    /// The board.
    pub board: BoardInfo,
    /// The file system's region.
    pub region: Region,
    /// The stub ran (reads, MD5, compression); without it nothing was verified.
    pub stub: bool,
    /// What the file system held and holds.
    pub placement: Placement,
    /// Bytes of the sketch written.
    pub sketch_bytes: usize,
    /// Bytes of the file system written (whole sectors).
    pub fs_bytes: usize,
    /// Flash data bytes that went over the wire (compressed with the stub).
    pub wire_bytes: usize,
    /// Time spent writing and verifying (after connecting).
    pub write_time: Duration,
    /// The listing read back after writing; `None` in ROM mode (nothing can be read).
    pub verified: Option<Vec<FileEntry>>,
}

fn own_error(e: OwnError) -> FlashError {
    FlashError::Own(Box::new(e))
}

fn rom_error(port: &str, e: RomError) -> FlashError {
    match e {
        RomError::Corrupt(detail) => FlashError::Verify {
            port: port.to_string(),
            detail,
        },
        e => FlashError::Interrupted {
            port: port.to_string(),
            detail: e.to_string(),
        },
    }
}

/// Open the port and reach the loader: an ESP8266, or an error naming what is there.
pub fn connect(opts: &FlashOptions) -> Result<(Loader, BoardInfo, &'static str), FlashError> {
    let serial = serialport::new(&opts.port, rom::ROM_BAUD)
        .timeout(Duration::from_millis(50))
        .open_native()
        .map_err(|e| open_error(&opts.port, e))?;
    let reset = match opts.before {
        Before::Default => rom::Reset::Classic,
        Before::NoReset => rom::Reset::None,
    };
    let mut loader =
        Loader::connect(Box::new(serial), reset).map_err(|e| FlashError::Esp8266NoSync {
            port: opts.port.clone(),
            detail: e.to_string(),
        })?;
    let chip = match loader.detect() {
        Ok(c) => c,
        Err(RomError::NotEsp8266 { magic, chip_id }) => {
            let by_id = chip_id
                .and_then(|id| u16::try_from(id).ok())
                .and_then(crate::chip::Chip::from_image_id);
            let found = by_id
                .or_else(|| {
                    espflash::target::Chip::from_magic(magic)
                        .ok()
                        .and_then(crate::chip::Chip::from_espflash)
                })
                .map(|c| c.label().to_string())
                .unwrap_or_else(|| "ESP32-family chip".into());
            return Err(FlashError::NotEsp8266 { found });
        }
        Err(e) => return Err(rom_error(&opts.port, e)),
    };
    let board = BoardInfo {
        chip: crate::chip::Chip::Esp8266,
        revision: None,
        flash_bytes: None,
        mac: chip.mac.clone(),
    };
    Ok((loader, board, chip.name))
}

/// Whether the board on the port is an ESP8266 (for an ESP32-family connect that could
/// not name the chip). Only a clear answer counts.
pub fn is_esp8266(opts: &FlashOptions) -> bool {
    connect(opts).is_ok()
}

/// The sketch's image must start with the ESP8266 image magic and end before the file
/// system.
pub fn check_sketch(sketch: &[u8], region: &Region) -> Result<(), FlashError> {
    let why = if !crate::esp8266::is_sketch_image(sketch) {
        Some("it is not an ESP8266 flash image (magic 0xE9, entry point in the ESP8266's IRAM): export it with Sketch > Export Compiled Binary for an ESP8266 board (the .bin, not the .elf or a .zip)".to_string())
    } else if sketch.len() as u64 > u64::from(region.offset) {
        Some(format!(
            "it is {} bytes and would run into the file system at {:#x}: pick the flash layout the sketch was built with",
            sketch.len(),
            region.offset
        ))
    } else {
        None
    };
    match why {
        Some(why) => Err(own_error(OwnError::Image {
            path: "the sketch".into(),
            why,
        })),
        None => Ok(()),
    }
}

/// Write the credentials where the sketch reads them (and the sketch first, when given).
pub fn run(
    opts: &FlashOptions,
    req: &Request<'_>,
    on_event: &mut dyn FnMut(Event),
) -> Result<Esp8266Report, FlashError> {
    let Some(region) = req.own.region.clone() else {
        return Err(own_error(OwnError::NoPartition(
            "no flash layout was given for the ESP8266: pick the one the sketch was built with (Tools > Flash Size; 4M2M on most 4 MB boards)".into(),
        )));
    };
    if let Some(s) = req.sketch {
        check_sketch(s, &region)?;
    }
    on_event(Event::Connecting {
        port: opts.port.clone(),
    });
    let (mut loader, mut board, name) = connect(opts)?;
    let port = opts.port.as_str();
    let stub = req.stub && loader.run_stub().map_err(|e| rom_error(port, e))?;
    loader.attach().map_err(|e| rom_error(port, e))?;
    board.flash_bytes = loader.flash_id().ok().and_then(rom::flash_size_from_id);
    on_event(Event::Connected(board.clone()));
    if !stub {
        on_event(Event::Notice {
            message: format!(
                "The {name}'s ROM is being used without the flasher stub ({}): its flash cannot be read, so nothing written can be verified, and the write is slower.",
                if req.stub {
                    "the board did not accept it"
                } else {
                    "--no-stub"
                }
            ),
        });
    }
    region.check_board(board.flash_bytes)?;
    if stub {
        let size = board
            .flash_bytes
            .or(region.flash)
            .unwrap_or(region.end() as u32);
        loader
            .set_flash_size(size)
            .map_err(|e| rom_error(port, e))?;
        if opts.baud > rom::ROM_BAUD {
            loader
                .change_baud(opts.baud)
                .map_err(|e| rom_error(port, e))?;
        }
    }

    let partition = region.partition();
    let (on_board, placement) = if stub {
        on_event(Event::ReadingPartition {
            label: partition.label.clone(),
            offset: partition.offset,
            size: partition.size,
        });
        let on_board = read_partition(
            &mut RomReader {
                loader: &mut loader,
                port,
            },
            &partition,
        )?;
        let placement =
            own::place(&req.own, &partition, &on_board, req.creds).map_err(own_error)?;
        (Some(on_board), placement)
    } else {
        if !req.own.format {
            return Err(FlashError::Esp8266CannotRead {
                port: port.to_string(),
            });
        }
        // The board's bytes are unknown: plan over an erased region, then write every
        // block the new file system uses, whole.
        let blank = vec![0xFF; region.size as usize];
        let placement = own::place(&req.own, &partition, &blank, req.creds).map_err(own_error)?;
        (None, placement)
    };
    on_event(Event::Planned {
        label: partition.label.clone(),
        before: placement.before.clone(),
        after: placement.after.clone(),
        formatted: placement.formatted,
        bytes: placement.changed_bytes(),
    });

    // What goes out: (name, offset, bytes, erase size for ROM mode).
    let mut writes: Vec<(&'static str, u32, Vec<u8>, u32)> = Vec::new();
    if let Some(s) = req.sketch {
        let mut padded = s.to_vec();
        padded.resize(s.len().div_ceil(4096) * 4096, 0xFF);
        push_writes(
            &mut writes,
            "sketch",
            &[(0, padded.len() as u32)],
            (0, region.offset),
            0,
            &padded,
            stub,
        )?;
    }
    let fs_ranges: Vec<(u32, u32)> = if stub {
        placement.ranges.clone()
    } else {
        used_blocks(placement.image(), region.offset, region.block)
    };
    push_writes(
        &mut writes,
        "file system",
        &fs_ranges,
        (region.offset, region.size),
        region.offset,
        placement.image(),
        stub,
    )?;

    let started = Instant::now();
    let total: usize = writes.iter().map(|w| w.2.len()).sum();
    let count = writes.len();
    let mut done = 0usize;
    for (index, (segment, at, data, erase)) in writes.iter().enumerate() {
        let mut seg_done = 0usize;
        let mut tick = |n: usize| {
            seg_done += n;
            done += n;
            on_event(Event::Progress(Progress {
                segment,
                index,
                count,
                segment_done: seg_done,
                segment_total: data.len(),
                done,
                total,
                elapsed: started.elapsed(),
                verifying: false,
            }));
        };
        let r = if stub {
            loader.write_stub(*at, data, &mut tick)
        } else {
            loader.write_rom(*at, data, *erase, &mut tick)
        };
        if let Err(e) = r {
            return Err(interrupted(port, e, segment, &placement));
        }
    }
    loader.finish().map_err(|e| rom_error(port, e))?;

    let verified = match &on_board {
        Some(before) => {
            on_event(Event::ReadingPartition {
                label: partition.label.clone(),
                offset: partition.offset,
                size: partition.size,
            });
            let mut reader = RomReader {
                loader: &mut loader,
                port,
            };
            let back = read_back(&mut reader, &placement, before)?;
            let files = placement.verify(&back).map_err(own_error)?;
            if let Some(s) = req.sketch
                && reader.md5(0, s.len() as u32)? != md5_of(s)
            {
                return Err(FlashError::Verify {
                    port: port.to_string(),
                    detail: "the sketch's MD5 on the board differs from the file".into(),
                });
            }
            on_event(Event::Verified {
                label: partition.label.clone(),
                files: files.clone(),
            });
            Some(files)
        }
        None => None,
    };
    if opts.after == After::HardReset {
        // A pty or a board without RTS wired cannot be reset this way; the user presses
        // RESET (the window and the CLI say so when nothing boots).
        let _ = loader.hard_reset();
    }
    Ok(Esp8266Report {
        board,
        region,
        stub,
        sketch_bytes: req.sketch.map_or(0, <[u8]>::len),
        fs_bytes: fs_ranges.iter().map(|r| r.1 as usize).sum(),
        wire_bytes: loader.flash_data_sent,
        write_time: started.elapsed(),
        verified,
        placement,
    })
}

/// Ranges `(absolute offset, len)` of the whole file-system blocks that hold anything:
/// what a new file system needs written when the old bytes are unknown (littlefs erases a
/// free block before it uses it, and appends to a block only after its own commits, so
/// its blocks go whole).
fn used_blocks(image: &[u8], base: u32, block: u32) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for (i, b) in image.chunks(block as usize).enumerate() {
        if b.iter().all(|x| *x == 0xFF) {
            continue;
        }
        let at = base + i as u32 * block;
        match out.last_mut() {
            Some((s, l)) if *s + *l == at => *l += b.len() as u32,
            _ => out.push((at, b.len() as u32)),
        }
    }
    out
}

/// Add the writes for `ranges` of `image` (which starts at `image_base`). In ROM mode
/// each becomes a FLASH_BEGIN the ROM erases exactly, widened within `zone` when its
/// miscount demands it.
fn push_writes(
    out: &mut Vec<(&'static str, u32, Vec<u8>, u32)>,
    name: &'static str,
    ranges: &[(u32, u32)],
    zone: (u32, u32),
    image_base: u32,
    image: &[u8],
    stub: bool,
) -> Result<(), FlashError> {
    let slice = |at: u32, len: u32| -> Vec<u8> {
        let rel = (at - image_base) as usize;
        let mut v = image
            .get(rel..(rel + len as usize).min(image.len()))
            .unwrap_or(&[])
            .to_vec();
        // Past the image (the sketch's last sector): erased bytes.
        v.resize(len as usize, 0xFF);
        v
    };
    if stub {
        for &(at, len) in ranges {
            out.push((name, at, slice(at, len), len));
        }
        return Ok(());
    }
    let plan = esp8266::rom_writes(ranges, zone).ok_or_else(|| {
        own_error(OwnError::NoPartition(format!(
            "the ESP8266 ROM cannot write the {name} at {:#x} without erasing a sector outside it, and the flasher stub is not running: flash with the stub (leave --no-stub off), or pick a layout with a larger file system",
            ranges.first().map_or(0, |r| r.0)
        )))
    })?;
    for w in plan {
        out.push((name, w.offset(), slice(w.offset(), w.len()), w.erase_size));
    }
    Ok(())
}

/// thingflash's ESP8266 client, with the port name for its errors.
struct RomReader<'a> {
    loader: &'a mut Loader,
    port: &'a str,
}

impl ReadFlash for RomReader<'_> {
    fn md5(&mut self, offset: u32, len: u32) -> Result<u128, FlashError> {
        self.loader
            .md5(offset, len)
            .map(u128::from_be_bytes)
            .map_err(|e| rom_error(self.port, e))
    }
    fn read(&mut self, offset: u32, len: u32) -> Result<Vec<u8>, FlashError> {
        self.loader
            .read(offset, len, &mut |_| {})
            .map_err(|e| rom_error(self.port, e))
    }
}

fn interrupted(port: &str, e: RomError, segment: &str, placement: &Placement) -> FlashError {
    let state = if segment == "sketch" {
        "the sketch was being written, so the board may not start until a write completes; the file system was not touched yet".to_string()
    } else {
        match placement.target.fs() {
            Some(crate::fs::FsKind::Spiffs) => "SPIFFS is rewritten whole, so the file system is now part old, part new and will not mount: the sketch reformats it at boot unless the same flash runs again first".to_string(),
            _ => "the file system may be part old, part new; thingflash reads it back first on the next run".to_string(),
        }
    };
    FlashError::PartitionInterrupted {
        port: port.to_string(),
        detail: e.to_string(),
        state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn used_blocks_are_whole_and_joined() {
        let mut img = vec![0xFF; 8 * 8192];
        img[10] = 0;
        img[8192 + 4096] = 0; // second half of block 1
        img[5 * 8192] = 0;
        assert_eq!(
            used_blocks(&img, 0x200000, 8192),
            vec![(0x200000, 0x4000), (0x20A000, 0x2000)]
        );
    }

    #[test]
    fn a_sketch_must_be_an_esp8266_image_before_the_file_system() {
        let region = Region::from(esp8266::layout("4M2M").unwrap());
        let eboot = [0xE9, 1, 2, 0x40, 0x00, 0xf0, 0x10, 0x40];
        assert!(check_sketch(&eboot, &region).is_ok());
        assert!(check_sketch(b"PK\x03\x04", &region).is_err());
        // An ESP32-C3 app image: the magic, but its entry point is not in the ESP8266's IRAM.
        assert!(check_sketch(&[0xE9, 3, 2, 0x20, 0x00, 0xc0, 0x37, 0x40], &region).is_err());
        let mut long = eboot.to_vec();
        long.resize(0x200001, 0xE9);
        assert!(check_sketch(&long, &region).is_err());
    }
}
