//! `thingflash partitions`: a board's (or a file's) partition table, and where each
//! own-firmware target would write.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::flash;
use crate::own;
use crate::partitions::{self, Table};
use crate::target::Target;

use super::{offset, usage_error};

/// `partitions`.
#[derive(clap::Args, Debug)]
pub struct Args {
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
    for t in Target::ALL.into_iter().filter(|t| t.uses_partition_table()) {
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
pub fn run(args: &Args, out: &mut impl Write) -> ExitCode {
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
