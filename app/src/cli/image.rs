//! `thingflash image`: the credentials partition for your own firmware, as a file.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::job::{self, ImageRequest, Layout};
use crate::partitions;
use crate::target::{NamePreset, Target};

use super::args::refused;
use super::partitions::table_from_file;
use super::print::listing;
use super::{failed, load, offset, usage_error};

/// `image`.
#[derive(clap::Args, Debug)]
pub struct Args {
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

/// Run it.
pub fn run(args: &Args, out: &mut impl Write) -> ExitCode {
    let a = match load(&args.files) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let table = match &args.partitions {
        Some(p) => match table_from_file(p, partitions::DEFAULT_OFFSET) {
            Ok(t) => Some(t),
            Err(e) => return failed(&e),
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
    let started = std::time::Instant::now();
    let made = job::offline_image(&ImageRequest {
        analysis: &a,
        target: args.target,
        names: args.names,
        file_list: args.file_list.clone(),
        size: args.size,
        layout: args.layout.clone().map(Layout::Named),
        table,
        base,
    });
    let img = match made {
        Ok(i) => i,
        Err(r) => return refused(&a, &r),
    };
    let took = started.elapsed();
    if let Err(e) =
        crate::credentials::convert::write_file(&args.out, img.placement.image(), true, args.force)
    {
        return failed(&e);
    }
    let _ = write!(
        out,
        "{}",
        listing(
            &format!(
                "{} ({}, {})",
                args.out.display(),
                img.kind,
                partitions::human_size(img.partition.size)
            ),
            &img.placement.after
        )
    );
    if img.formatted {
        let _ = writeln!(
            out,
            "a new {} image, built in {} ms",
            img.kind,
            took.as_millis()
        );
    }
    let at = if img.partition.offset > 0 {
        format!("{:#x}", img.partition.offset)
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
