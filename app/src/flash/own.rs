//! Flashing for the user's own firmware on any ESP32-family chip: connect and name the
//! chip, read the partition table (from the board, or from the firmware image flashed in
//! the same run), read the target partition, write the user's image and only the sectors
//! of the partition that change, then read the partition back and check every file. The
//! planning is [`crate::own`]'s; this is the I/O around it.

use std::time::Instant;

use serde::Serialize;

use super::{
    BoardInfo, EspflashReader, Event, FlashError, FlashOptions, ReadFlash, Tracker, connect,
    read_region, write_error,
};
use crate::credentials::CredentialSet;
use crate::fs::FileEntry;
use crate::own::{self, FirmwareImage, OwnError, Placement};
use crate::partitions::{self, Partition, Table};

/// One run for the user's own firmware.
pub struct Request<'a> {
    /// Target, files, format, table offset.
    pub own: own::Options,
    /// The credentials.
    pub creds: &'a CredentialSet,
    /// The user's firmware, flashed first, when given.
    pub firmware: Option<&'a FirmwareImage>,
}

/// What a run did.
#[derive(Debug, Serialize)]
pub struct OwnReport {
    /// The board.
    pub board: BoardInfo,
    /// The table used.
    pub table: Table,
    /// What the partition held and holds.
    pub placement: Placement,
    /// Bytes of the user's firmware written.
    pub firmware_bytes: usize,
    /// Bytes of the partition written (whole sectors).
    pub partition_bytes: usize,
    /// Time spent writing and verifying (after connecting).
    pub write_time: std::time::Duration,
    /// The listing read back from the board after writing.
    pub verified: Vec<FileEntry>,
}

/// The board's table and, for file-system targets, its files: what `partitions` shows.
#[derive(Debug, Serialize)]
pub struct Inspection {
    /// The board.
    pub board: BoardInfo,
    /// Its table.
    pub table: Table,
}

fn own_error(e: OwnError) -> FlashError {
    FlashError::Own(Box::new(e))
}

fn board_table(
    flasher: &mut espflash::flasher::Flasher,
    opts: &FlashOptions,
    offset: u32,
    on_event: &mut dyn FnMut(Event),
) -> Result<Table, FlashError> {
    on_event(Event::ReadingTable);
    let bytes = read_region(flasher, &opts.port, offset, partitions::TABLE_LEN as u32)?;
    partitions::parse(&bytes, offset).map_err(|e| own_error(e.into()))
}

/// Connect and read the partition table.
pub fn inspect(
    opts: &FlashOptions,
    table_offset: u32,
    on_event: &mut dyn FnMut(Event),
) -> Result<Inspection, FlashError> {
    on_event(Event::Connecting {
        port: opts.port.clone(),
    });
    let (mut flasher, board) = connect(opts)?;
    on_event(Event::Connected(board.clone()));
    let table = board_table(&mut flasher, opts, table_offset, on_event)?;
    Ok(Inspection { board, table })
}

/// Write the credentials where the user's firmware reads them (and that firmware first,
/// when given). Returns after the partition has been read back and checked.
pub fn run(
    opts: &FlashOptions,
    req: &Request<'_>,
    on_event: &mut dyn FnMut(Event),
) -> Result<OwnReport, FlashError> {
    on_event(Event::Connecting {
        port: opts.port.clone(),
    });
    let (mut flasher, board) = connect(opts)?;
    on_event(Event::Connected(board.clone()));

    if let Some(fw) = req.firmware
        && let Some(id) = fw.chip_id
        && board.chip.image_id() != Some(id)
    {
        return Err(FlashError::ImageForOtherChip {
            image: crate::chip::Chip::from_image_id(id)
                .map(|c| c.label())
                .unwrap_or("an unknown chip")
                .to_string(),
            found: board.chip.label().to_string(),
        });
    }

    let offset = req.own.table_offset;
    let image_table = req
        .firmware
        .and_then(|fw| fw.bytes_at(offset, partitions::TABLE_LEN));
    let table = match image_table {
        Some(bytes) => partitions::parse(bytes, offset).map_err(|e| own_error(e.into()))?,
        None => board_table(&mut flasher, opts, offset, on_event)?,
    };
    let partition: Partition = own::choose_partition(req.own.target, &table)
        .map_err(own_error)?
        .clone();
    own::check_fits_flash(&partition, board.flash_bytes).map_err(own_error)?;

    on_event(Event::ReadingPartition {
        label: partition.label.clone(),
        offset: partition.offset,
        size: partition.size,
    });
    let on_board = read_partition(
        &mut EspflashReader {
            flasher: &mut flasher,
            port: &opts.port,
        },
        &partition,
    )?;
    // A firmware image that brings contents for the partition (a merged image with the
    // sketch's data folder) is the base; otherwise the board's own files are.
    let base = req
        .firmware
        .and_then(|fw| fw.partition_contents(&partition))
        .unwrap_or_else(|| on_board.clone());
    let placement =
        own::place_over(&req.own, &partition, &base, &on_board, req.creds).map_err(own_error)?;
    on_event(Event::Planned {
        label: partition.label.clone(),
        before: placement.before.clone(),
        after: placement.after.clone(),
        formatted: placement.formatted,
        bytes: placement.changed_bytes(),
    });

    let firmware: Vec<(u32, Vec<u8>)> = req
        .firmware
        .map(|fw| fw.without(partition.offset, partition.end()))
        .unwrap_or_default();
    let name = req.own.target.written();
    let mut sizes: Vec<(&'static str, usize)> =
        firmware.iter().map(|s| ("firmware", s.1.len())).collect();
    let parts = placement.segments();
    sizes.extend(parts.iter().map(|s| (name, s.1.len())));
    let segments: Vec<espflash::image_format::Segment<'_>> = firmware
        .iter()
        .map(|(at, d)| espflash::image_format::Segment::new(*at, d))
        .chain(
            parts
                .iter()
                .map(|(at, d)| espflash::image_format::Segment::new(*at, d)),
        )
        .collect();

    let started = Instant::now();
    let mut tracker = Tracker {
        sizes,
        index: None,
        chunks: 0,
        started,
        on_event,
    };
    if !segments.is_empty()
        && let Err(e) = flasher.write_bins_to_flash(&segments, &mut tracker)
    {
        let at = tracker.index.unwrap_or(0);
        return Err(interrupted(&opts.port, e, at, firmware.len(), &placement));
    }
    let on_event = tracker.on_event;
    on_event(Event::ReadingPartition {
        label: partition.label.clone(),
        offset: partition.offset,
        size: partition.size,
    });
    let readback = read_back(
        &mut EspflashReader {
            flasher: &mut flasher,
            port: &opts.port,
        },
        &placement,
        &on_board,
    )?;
    let verified = placement.verify(&readback).map_err(own_error)?;
    on_event(Event::Verified {
        label: partition.label.clone(),
        files: verified.clone(),
    });
    let report = OwnReport {
        board,
        table,
        firmware_bytes: firmware.iter().map(|s| s.1.len()).sum(),
        partition_bytes: placement.changed_bytes(),
        write_time: started.elapsed(),
        verified,
        placement,
    };
    Ok(report)
}

/// Piece of a partition checked at once: one MD5 round trip, and when it is not erased,
/// one read.
const CHUNK: u32 = 0x1_0000;

pub(super) fn md5_of(data: &[u8]) -> u128 {
    use md5::Digest as _;
    u128::from_be_bytes(md5::Md5::digest(data).into())
}

/// Read a partition, skipping the erased parts: the stub's MD5 of each 64 KiB says
/// whether it is all `0xFF`, which a file system partition mostly is. A 1.4 MB LittleFS
/// partition holding 100 KB reads in a third of the time a full read takes.
pub(super) fn read_partition(
    reader: &mut dyn ReadFlash,
    p: &Partition,
) -> Result<Vec<u8>, FlashError> {
    let mut out = Vec::with_capacity(p.size as usize);
    let full_erased = md5_of(&[0xFF; CHUNK as usize]);
    let mut at = 0u32;
    while at < p.size {
        let len = CHUNK.min(p.size - at);
        let erased = if len == CHUNK {
            full_erased
        } else {
            md5_of(&vec![0xFF; len as usize])
        };
        if reader.md5(p.offset + at, len)? == erased {
            out.resize(out.len() + len as usize, 0xFF);
        } else {
            out.extend(reader.read(p.offset + at, len)?);
        }
        at += len;
    }
    Ok(out)
}

/// The partition after writing: the written ranges read back, the rest as it was read
/// before, and the stub's MD5 of the whole partition must match, so no byte of it goes
/// unchecked.
pub(super) fn read_back(
    reader: &mut dyn ReadFlash,
    placement: &Placement,
    before: &[u8],
) -> Result<Vec<u8>, FlashError> {
    let p = &placement.partition;
    let mut image = before.to_vec();
    for &(at, len) in &placement.ranges {
        let rel = (at - p.offset) as usize;
        let got = reader.read(at, len)?;
        image[rel..rel + got.len()].copy_from_slice(&got);
    }
    if reader.md5(p.offset, p.size)? != md5_of(&image) {
        return Err(own_error(OwnError::Verify {
            label: p.label.clone(),
            what: "its MD5 on the board differs from what was read".into(),
        }));
    }
    Ok(image)
}

/// Say what state the partition is in after a write broke off at segment `at`.
fn interrupted(
    port: &str,
    e: espflash::Error,
    at: usize,
    firmware_segments: usize,
    placement: &Placement,
) -> FlashError {
    let detail = match write_error(port, e) {
        FlashError::Interrupted { detail, .. } | FlashError::Verify { detail, .. } => detail,
        other => other.to_string(),
    };
    let label = &placement.partition.label;
    let state = if at < firmware_segments {
        format!(
            "your firmware was being written, so the board may not start until a write completes; the {label} partition was not touched yet"
        )
    } else {
        let part = at - firmware_segments;
        let in_use = (0..=part).any(|i| placement.range_was_in_use(i));
        let fs = placement.target.fs();
        if !in_use && fs == Some(crate::fs::FsKind::LittleFs) {
            format!(
                "only free blocks of {label} were being written, so its file system still holds your files exactly as before"
            )
        } else if fs == Some(crate::fs::FsKind::Spiffs) {
            // SPIFFS is rewritten whole (its magic is in every block): a cut leaves a
            // mix that does not mount. Say so plainly rather than promise a retry.
            format!(
                "SPIFFS is rewritten whole, so {label} is now part old, part new and will not mount; the next run reports it damaged, and only --format (which empties it) writes the credentials again. Keep the sketch's data folder to upload its files again"
            )
        } else {
            format!(
                "{label} may be part old, part new; thingflash reads it back first on the next run"
            )
        }
    };
    FlashError::PartitionInterrupted {
        port: port.to_string(),
        detail,
        state,
    }
}
