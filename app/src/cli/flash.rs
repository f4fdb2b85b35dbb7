//! `thingflash flash`: the one operation on one board, for any target.

use std::io::Write;
use std::process::ExitCode;

use crate::chip::Chip;
use crate::flash::{After, Before, FlashOptions};
use crate::job;

use super::args::{BoardSettings, TargetArgs, refused, request};
use super::{Printer, failed, usage_error};

/// `flash`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files and settings.
    #[command(flatten)]
    pub settings: BoardSettings,
    /// Serial port, e.g. /dev/ttyACM0 or COM3.
    #[arg(long)]
    pub port: String,
    /// The chip expected (thingflash's firmware); default: the one detected.
    #[arg(long, value_enum)]
    pub chip: Option<Chip>,
    /// Baud rate for the transfer.
    #[arg(long, default_value_t = 921_600)]
    pub baud: u32,
    /// How to enter the loader: pulse DTR/RTS, or nothing (board already in download mode).
    #[arg(long, value_enum, default_value_t)]
    pub before: Before,
    /// Reset into the firmware afterwards, or leave the chip in the loader.
    #[arg(long, value_enum, default_value_t)]
    pub after: After,
    /// Rewrite only the credentials partition (the board must already run thingflash).
    #[arg(long)]
    pub credentials_only: bool,
    /// Skip the MD5 check of what was written.
    #[arg(long)]
    pub no_verify: bool,
    /// Where the credentials go: what runs on the board.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Flash even if the chip revision is outside what the images declare.
    #[arg(long)]
    pub force: bool,
    /// One JSON object per event.
    #[arg(long)]
    pub json: bool,
}

/// Run it.
pub fn run(args: &Args, out: &mut impl Write) -> ExitCode {
    let a = match super::load(&args.settings.files) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let mut req = match request(&a, &args.settings, &args.target) {
        Ok(r) => r,
        Err(code) => return code,
    };
    req.credentials_only = args.credentials_only;
    req.chip = args.chip;
    let job = match job::prepare(&req) {
        Ok(j) => j,
        Err(r) => return refused(&a, &r),
    };
    let link = FlashOptions {
        baud: args.baud,
        before: args.before,
        after: args.after,
        verify: !args.no_verify,
        force: args.force,
        ..FlashOptions::new(args.port.clone())
    };
    let mut printer = Printer::new(args.json);
    let outcome = job.run(&link, &mut |e| printer.print(&e, out));
    match outcome {
        Ok(o) => {
            if args.json {
                let _ = writeln!(out, "{}", serde_json::to_string(&o).unwrap_or_default());
            } else {
                let next = match args.after {
                    After::HardReset => format!(
                        "The board is restarting: `thingflash monitor --port {}` shows its log.",
                        args.port
                    ),
                    After::NoReset => "Press RESET on the board to start it.".into(),
                };
                let _ = writeln!(out, "done: {} {next}", o.summary());
            }
            ExitCode::SUCCESS
        }
        Err(e) => failed(&e),
    }
}
