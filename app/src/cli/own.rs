//! The command line for the user's own firmware: `flash --target ...`, `partitions` and
//! `image`. Thin: the work is in [`crate::own`], [`crate::flash::own`] and [`crate::fs`].

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::flash::{self, Event};
use crate::fs::{FileEntry, Found};
use crate::own::{self, FirmwareImage};
use crate::partitions::{self, Partition, Table};
use crate::target::{CredentialSet, Family, FileSpec, NamePreset, Target, parse_file_list};

use super::{load, render, usage_error};

/// Where the credentials go, for `flash`.
#[derive(clap::Args, Debug, Clone)]
pub struct OwnArgs {
    /// What runs on the board: thingflash's firmware (the default: the whole flash is
    /// written), or your own firmware, which keeps everything but its credentials.
    #[arg(long, value_enum, default_value_t)]
    pub target: Target,
    /// File names for the Arduino targets.
    #[arg(long, value_enum, default_value_t)]
    pub names: NamePreset,
    /// Your own file list instead of a preset: cert=/cert.der,key=/private.der,ca=/ca.der
    /// (.der names are written as DER, others as PEM; add :pem or :der to choose).
    #[arg(long, value_name = "LIST")]
    pub file_list: Option<String>,
    /// Create a new file system (or esp_secure_cert partition) when the partition holds
    /// none of the chosen kind. Whatever the partition held is lost.
    #[arg(long)]
    pub format: bool,
    /// Where the board's partition table is.
    #[arg(long, value_parser = offset, default_value = "0x8000")]
    pub table_offset: u32,
    /// Your firmware, flashed in the same run: a merged image (`*.merged.bin`, written at
    /// 0x0) or ESP-IDF's build/flasher_args.json. The credentials then go into the
    /// partition its table defines.
    /// ESP8266 targets: the sketch's `.bin` ("Export compiled Binary"), written at 0x0.
    #[arg(long, value_name = "FILE")]
    pub image: Option<PathBuf>,
    /// ESP8266 targets: the flash layout the sketch was built with (the Arduino IDE's
    /// Tools > Flash Size: 4M2M, 4M1M, 4M3M, 2M1M, 1M64, ...; default 4M2M).
    #[arg(long, value_name = "LAYOUT")]
    pub layout: Option<String>,
    /// ESP8266 targets: the file system's offset, instead of a layout (with --fs-size).
    #[arg(long, value_parser = offset, requires = "fs_size", conflicts_with = "layout")]
    pub fs_offset: Option<u32>,
    /// ESP8266 targets: the file system's size in bytes (with --fs-offset).
    #[arg(long, value_parser = offset, requires = "fs_offset")]
    pub fs_size: Option<u32>,
    /// ESP8266 targets: do not upload the flasher stub; write with the ROM's own commands
    /// (nothing can be read or verified, so only --format can write).
    #[arg(long)]
    pub no_stub: bool,
}

/// The ESP8266 file-system region the arguments give.
pub fn region(args: &OwnArgs) -> Result<crate::esp8266::Region, crate::esp8266::LayoutError> {
    use crate::esp8266::{DEFAULT, Region, layout};
    match (args.fs_offset, args.fs_size) {
        (Some(at), Some(size)) => Region::custom(at, size),
        _ => layout(args.layout.as_deref().unwrap_or(DEFAULT)).map(Region::from),
    }
}

fn offset(s: &str) -> Result<u32, String> {
    own::parse_offset(s).ok_or_else(|| format!("{s:?} is not an offset (0x8000 or 32768)"))
}

fn specs(args_names: NamePreset, list: Option<&str>) -> Result<Vec<FileSpec>, ExitCode> {
    match list {
        Some(l) => parse_file_list(l).map_err(|e| usage_error(&e)),
        None => Ok(args_names.files()),
    }
}

fn credential_set(files: &[PathBuf]) -> Result<CredentialSet, ExitCode> {
    let a = load(files).map_err(|e| usage_error(&e))?;
    CredentialSet::from_analysis(&a).ok_or_else(|| {
        eprint!("{}", render(&a));
        eprintln!("thingflash: the files above are not ready: fix what is listed first");
        ExitCode::from(1)
    })
}

fn listing(title: &str, files: &[FileEntry]) -> String {
    let mut s = format!("{title}:\n");
    if files.is_empty() {
        s.push_str("  (nothing)\n");
    }
    for f in files {
        s.push_str(&format!(
            "  {:<28} {:>9} B  sha256 {}\n",
            f.path, f.len, f.sha256
        ));
    }
    s
}

/// Prints a run's events as they come: a JSON line each, or text with one progress line
/// per segment per tenth of the total.
pub struct Printer {
    json: bool,
    shown: std::collections::HashSet<(usize, u32, bool)>,
}

impl Printer {
    /// A printer for `--json` or text.
    pub fn new(json: bool) -> Self {
        Self {
            json,
            shown: std::collections::HashSet::new(),
        }
    }

    /// Print one event.
    pub fn print(&mut self, e: &Event, out: &mut impl Write) {
        if self.json {
            let _ = writeln!(out, "{}", serde_json::to_string(e).unwrap_or_default());
            return;
        }
        let line = match e {
            Event::Progress(p) => {
                let key = (p.index, (p.fraction() * 10.0) as u32, p.verifying);
                self.shown.insert(key).then(|| p.line())
            }
            other => event_line(other),
        };
        if let Some(line) = line {
            let _ = write!(
                out,
                "{line}{}",
                if line.ends_with('\n') { "" } else { "\n" }
            );
        }
    }
}

/// The text line for an event (progress lines come from [`Printer`], which thins them).
fn event_line(e: &Event) -> Option<String> {
    match e {
        Event::Connecting { port } => Some(format!("connecting to {port}")),
        Event::Connected(b) => Some(format!("connected: {}", b.summary())),
        Event::ReadingTable => Some("reading the board's partition table".into()),
        Event::Notice { message } => Some(format!("note: {message}")),
        Event::Progress(p) => Some(p.line()),
        Event::Done(r) => Some(format!(
            "done: {} segment(s), {} B in {:.1} s{}",
            r.written.len(),
            r.written.iter().map(|w| w.2).sum::<usize>(),
            r.write_time.as_secs_f64(),
            if r.verified { ", verified by MD5" } else { "" }
        )),
        Event::ReadingPartition {
            label,
            offset,
            size,
        } => Some(format!(
            "reading {label} ({} at {offset:#x})",
            partitions::human_size(*size)
        )),
        Event::Planned {
            label,
            before,
            after,
            formatted,
            bytes,
        } => Some(format!(
            "{}{}{label}: {} to write{}",
            listing(&format!("{label} now"), before),
            listing(&format!("{label} after"), after),
            partitions::human_size(*bytes as u32),
            if *formatted {
                " (a new file system)"
            } else {
                ""
            }
        )),
        Event::Verified { label, files } => Some(format!(
            "read back {label}: {} file(s), every one as meant",
            files.len()
        )),
    }
}

/// `flash --target <own firmware>`.
pub fn flash(
    files: &[PathBuf],
    args: &OwnArgs,
    opts: &flash::FlashOptions,
    json: bool,
    out: &mut impl Write,
) -> ExitCode {
    let creds = match credential_set(files) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let specs = match specs(args.names, args.file_list.as_deref()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if args.target.family() == crate::target::Family::Esp8266 {
        return flash_esp8266(&creds, specs, args, opts, json, out);
    }
    if args.layout.is_some() || args.fs_offset.is_some() || args.no_stub {
        return usage_error(
            &"--layout, --fs-offset and --no-stub are for the ESP8266 targets (esp8266-spiffs, esp8266-littlefs); ESP32-family boards have a partition table",
        );
    }
    let firmware: Option<FirmwareImage> = match &args.image {
        Some(p) => match own::read_firmware(p) {
            Ok(f) => Some(f),
            Err(e) => return usage_error(&e),
        },
        None => None,
    };
    let req = flash::own::Request {
        own: own::Options {
            target: args.target,
            files: specs,
            format: args.format,
            table_offset: args.table_offset,
            region: None,
        },
        creds: &creds,
        firmware: firmware.as_ref(),
    };
    let mut printer = Printer::new(json);
    let mut on_event = |e: Event| printer.print(&e, out);
    match flash::own::run(opts, &req, &mut on_event) {
        Ok(r) => {
            if json {
                let _ = writeln!(out, "{}", serde_json::to_string(&r).unwrap_or_default());
            } else {
                let _ = writeln!(
                    out,
                    "done: {} of {}{} written in {:.1} s; the sketch finds its files at next boot",
                    partitions::human_size(r.partition_bytes as u32),
                    r.placement.partition.label,
                    if r.firmware_bytes > 0 {
                        format!(
                            " and {} of firmware",
                            partitions::human_size(r.firmware_bytes as u32)
                        )
                    } else {
                        String::new()
                    },
                    r.write_time.as_secs_f64()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("thingflash: {e}");
            ExitCode::from(1)
        }
    }
}

/// `flash --target esp8266-...`.
fn flash_esp8266(
    creds: &CredentialSet,
    specs: Vec<FileSpec>,
    args: &OwnArgs,
    opts: &flash::FlashOptions,
    json: bool,
    out: &mut impl Write,
) -> ExitCode {
    let region = match region(args) {
        Ok(r) => r,
        Err(e) => return usage_error(&e),
    };
    let sketch = match &args.image {
        Some(p) => match std::fs::read(p) {
            Ok(b) => Some(b),
            Err(e) => {
                return usage_error(&format!("cannot read the sketch {}: {e}", p.display()));
            }
        },
        None => None,
    };
    let req = flash::esp8266::Request {
        own: own::Options {
            target: args.target,
            files: specs,
            format: args.format,
            table_offset: partitions::DEFAULT_OFFSET,
            region: Some(region),
        },
        creds,
        sketch: sketch.as_deref(),
        stub: !args.no_stub,
    };
    let mut printer = Printer::new(json);
    let mut on_event = |e: Event| printer.print(&e, out);
    match flash::esp8266::run(opts, &req, &mut on_event) {
        Ok(r) => {
            if json {
                let _ = writeln!(out, "{}", serde_json::to_string(&r).unwrap_or_default());
            } else {
                let _ = writeln!(
                    out,
                    "done: {} of the file system ({} at {:#x}){} written in {:.1} s, {} on the wire; {}",
                    partitions::human_size(r.fs_bytes as u32),
                    r.region.name,
                    r.region.offset,
                    if r.sketch_bytes > 0 {
                        format!(
                            " and {} of sketch",
                            partitions::human_size(r.sketch_bytes as u32)
                        )
                    } else {
                        String::new()
                    },
                    r.write_time.as_secs_f64(),
                    partitions::human_size(r.wire_bytes as u32),
                    if r.verified.is_some() {
                        "read back and checked; the sketch finds its files at next boot"
                    } else {
                        "NOT verified (ROM mode cannot read flash): watch the sketch's log to see it mount the files"
                    }
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("thingflash: {e}");
            ExitCode::from(1)
        }
    }
}

/// `partitions`.
#[derive(clap::Args, Debug)]
pub struct PartitionsArgs {
    /// Read the table from the board on this port.
    #[arg(long, conflicts_with = "file")]
    pub port: Option<String>,
    /// Read it from a file instead: a binary table (read from 0x8000), a merged image, or
    /// a partition CSV.
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Where the table is (board or merged image).
    #[arg(long, value_parser = offset, default_value = "0x8000")]
    pub table_offset: u32,
    /// Baud rate.
    #[arg(long, default_value_t = 921_600)]
    pub baud: u32,
    /// How to enter the loader.
    #[arg(long, value_enum, default_value_t)]
    pub before: flash::Before,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// A table from a file: CSV, a binary table, or a merged image holding one.
pub fn table_from_file(path: &Path, offset: u32) -> Result<Table, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text_like = bytes.iter().take(512).all(|b| b.is_ascii() && *b != 0);
    if text_like && !bytes.is_empty() {
        let text = String::from_utf8_lossy(&bytes);
        return partitions::parse_csv(&text).map_err(|e| e.to_string());
    }
    let at = if bytes.len() > offset as usize + partitions::TABLE_LEN / 2
        && bytes.first() != Some(&0xAA)
    {
        offset as usize
    } else {
        0
    };
    partitions::parse(&bytes[at.min(bytes.len())..], offset).map_err(|e| e.to_string())
}

fn targets_for(table: &Table) -> String {
    let mut s = String::new();
    for t in Target::ALL
        .into_iter()
        .filter(|t| t.is_own_firmware() && t.family() == crate::target::Family::Esp32)
    {
        let line = match own::choose_partition(t, table) {
            Ok(p) => format!(
                "{} -> {} at {:#x} ({})",
                t.cli_name(),
                p.label,
                p.offset,
                partitions::human_size(p.size)
            ),
            Err(e) => format!("{} -> not possible: {e}", t.cli_name()),
        };
        s.push_str(&line);
        s.push('\n');
    }
    s
}

/// `partitions`.
pub fn partitions(args: &PartitionsArgs, out: &mut impl Write) -> ExitCode {
    let table = match (&args.port, &args.file) {
        (_, Some(f)) => match table_from_file(f, args.table_offset) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("thingflash: {e}");
                return ExitCode::from(1);
            }
        },
        (Some(port), None) => {
            let opts = flash::FlashOptions {
                baud: args.baud,
                before: args.before,
                after: flash::After::NoReset,
                ..flash::FlashOptions::new(port.clone())
            };
            match flash::own::inspect(&opts, args.table_offset, &mut |_| {}) {
                Ok(i) => {
                    if !args.json {
                        let _ = writeln!(out, "board: {}", i.board.summary());
                    }
                    i.table
                }
                Err(e) => {
                    eprintln!("thingflash: {e}");
                    return ExitCode::from(1);
                }
            }
        }
        (None, None) => {
            return usage_error(&"give --port (a board) or --file (a table, image or CSV)");
        }
    };
    if args.json {
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&table).unwrap_or_default()
        );
    } else {
        let _ = write!(out, "{}{}", table.listing(), targets_for(&table));
    }
    ExitCode::SUCCESS
}

/// `image`.
#[derive(clap::Args, Debug)]
pub struct ImageArgs {
    /// Certificate, key, root CA or AWS zip files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The firmware that will read it: esp-secure-cert, arduino-littlefs, arduino-spiffs,
    /// esp8266-spiffs, esp8266-littlefs.
    #[arg(long, value_enum)]
    pub target: Target,
    /// File names (Arduino targets).
    #[arg(long, value_enum, default_value_t)]
    pub names: NamePreset,
    /// Your own file list instead of a preset (see `flash --help`).
    #[arg(long, value_name = "LIST")]
    pub file_list: Option<String>,
    /// Partition size, e.g. 0x160000.
    #[arg(long, value_parser = offset, required_unless_present_any = ["partitions", "base", "layout"])]
    pub size: Option<u32>,
    /// ESP8266 targets: the sketch's flash layout (Tools > Flash Size: 4M2M, 4M1M, 1M64,
    /// ...), which gives the file system's offset, size and block.
    #[arg(long)]
    pub layout: Option<String>,
    /// Take size and offset from a partition table: a CSV (the Arduino cores'
    /// tools/partitions/*.csv, your partitions.csv), a binary table or a merged image.
    #[arg(long)]
    pub partitions: Option<PathBuf>,
    /// Add the credentials to this existing image (read from the board with esptool
    /// read-flash) instead of starting empty; its other files are kept.
    #[arg(long)]
    pub base: Option<PathBuf>,
    /// The image to write (holds the private key: created 0600).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace --out if it exists.
    #[arg(long)]
    pub force: bool,
}

/// `image`.
pub fn image(args: &ImageArgs, out: &mut impl Write) -> ExitCode {
    if !args.target.is_own_firmware() {
        return usage_error(&"for thingflash's firmware, `bundle` builds the whole image");
    }
    let creds = match credential_set(&args.files) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let specs = match specs(args.names, args.file_list.as_deref()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    // The ESP8266 has no table: its layout gives the region and the core's parameters.
    let region = match (args.target.family(), &args.layout) {
        (Family::Esp8266, _) if args.partitions.is_some() => {
            return usage_error(
                &"an ESP8266 has no partition table: give --layout (the sketch's Tools > Flash Size)",
            );
        }
        (Family::Esp8266, layout) => {
            match crate::esp8266::layout(layout.as_deref().unwrap_or(crate::esp8266::DEFAULT)) {
                Ok(l) => Some(crate::esp8266::Region::from(l)),
                Err(e) => return usage_error(&e),
            }
        }
        (Family::Esp32, Some(_)) => {
            return usage_error(
                &"--layout is for the ESP8266 targets; ESP32-family boards have a partition table (--partitions)",
            );
        }
        (Family::Esp32, None) => None,
    };
    if let (Some(r), Some(size)) = (&region, args.size)
        && size != r.size
    {
        return usage_error(&format!(
            "--size {size:#x} is not the {} layout's file system ({:#x}): leave --size out",
            r.name, r.size
        ));
    }
    let from_table = match &args.partitions {
        _ if region.is_some() => region.as_ref().map(|r| r.partition()),
        Some(p) => match table_from_file(p, partitions::DEFAULT_OFFSET).and_then(|t| {
            own::choose_partition(args.target, &t)
                .cloned()
                .map_err(|e| e.to_string())
        }) {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("thingflash: {e}");
                return ExitCode::from(1);
            }
        },
        None => None,
    };
    let base = match &args.base {
        Some(b) => match std::fs::read(b) {
            Ok(bytes) => Some(bytes),
            Err(e) => return usage_error(&format!("cannot read {}: {e}", b.display())),
        },
        None => None,
    };
    let size = args
        .size
        .or(from_table.as_ref().map(|p| p.size))
        .or(base.as_ref().map(|b| b.len() as u32))
        .unwrap_or(0);
    let partition = from_table.unwrap_or(Partition {
        label: "image".into(),
        ty: if args.target.fs().is_some() {
            partitions::TYPE_DATA
        } else {
            partitions::TYPE_SECURE_CERT
        },
        subtype: partitions::SUBTYPE_SPIFFS,
        offset: 0,
        size,
        encrypted: false,
        readonly: false,
    });
    let partition = Partition { size, ..partition };
    let current = match base {
        Some(b) if b.len() == size as usize => b,
        Some(b) => {
            return usage_error(&format!(
                "--base holds {} bytes but the partition is {size}: read exactly the partition with esptool read-flash",
                b.len()
            ));
        }
        None => vec![0xFF; size as usize],
    };
    let started = std::time::Instant::now();
    let opts = own::Options {
        target: args.target,
        files: specs,
        format: current.iter().all(|b| *b == 0xFF),
        table_offset: partitions::DEFAULT_OFFSET,
        region: region.clone(),
    };
    let placement = match own::place(&opts, &partition, &current, &creds) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("thingflash: {e}");
            return ExitCode::from(1);
        }
    };
    let took = started.elapsed();
    if let Err(e) =
        crate::credentials::convert::write_file(&args.out, placement.image(), true, args.force)
    {
        eprintln!("thingflash: {e}");
        return ExitCode::from(1);
    }
    let kind = match args.target.fs() {
        Some(k) => k.to_string(),
        None => "esp_secure_cert".into(),
    };
    let _ = write!(
        out,
        "{}",
        listing(
            &format!(
                "{} ({kind}, {})",
                args.out.display(),
                partitions::human_size(size)
            ),
            &placement.after
        )
    );
    if placement.found == Found::Blank || opts.format {
        let _ = writeln!(out, "a new {kind} image, built in {} ms", took.as_millis());
    }
    let at = if partition.offset > 0 {
        format!("{:#x}", partition.offset)
    } else {
        "the partition's offset".into()
    };
    let _ = writeln!(
        out,
        "flash it at {at}, e.g. `esptool write-flash {at} {}`",
        args.out.display()
    );
    ExitCode::SUCCESS
}
