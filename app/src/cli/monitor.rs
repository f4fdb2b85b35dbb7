//! `thingflash monitor`: a board's live serial log, decoded and explained.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::monitor;
use crate::monitor::reader::{MonitorConfig, MonitorMsg};

use super::{decoder, render_line, usage_error};

/// `monitor`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Serial port, e.g. /dev/ttyACM0 or COM3.
    #[arg(long)]
    pub port: String,
    /// Baud rate.
    #[arg(long, default_value_t = crate::chip::FIRMWARE_BAUD)]
    pub baud: u32,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
    /// Firmware ELF for symbolising backtraces.
    #[arg(long)]
    pub elf: Option<PathBuf>,
    /// The broker the board connects to (an AWS IoT endpoint, or another broker's host):
    /// the advice fits it. Without it, the hosts the log shows decide.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Reset the board after opening the port (by default the monitor never resets it).
    #[arg(long)]
    pub reset: bool,
    /// The boot ROM's speed when it differs from --baud: 74880 for an ESP8266, whose
    /// ROM prints its banner at 74880 before the sketch prints at its own speed. The
    /// monitor starts there and switches to --baud after the ROM's `~ld`.
    #[arg(long)]
    pub boot_baud: Option<u32>,
}

/// Run it until Ctrl-C.
pub fn run(args: Args, out: &mut impl Write) -> ExitCode {
    let d = match decoder(args.elf.as_deref(), args.endpoint.as_deref()) {
        Ok(d) => d,
        Err(e) => return usage_error(&e),
    };
    let cfg = MonitorConfig {
        port: args.port,
        baud: args.baud,
        reset: args.reset,
        boot_baud: args.boot_baud,
    };
    let json = args.json;
    let (tx, rx) = std::sync::mpsc::channel();
    let stop_tx = tx.clone();
    // Ctrl-C ends the loop below; the reader thread is stopped and joined on the way out.
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = stop_tx.send(MonitorMsg::StopRequested);
    }) {
        return usage_error(&format!("cannot install the Ctrl-C handler: {e}"));
    }
    let handle = monitor::reader::spawn(cfg, d, tx, || {});
    while let Ok(msg) = rx.recv() {
        let text = match msg {
            MonitorMsg::StopRequested => break,
            MonitorMsg::Connected { port } => format!("-- connected to {port} (Ctrl-C exits)\n"),
            MonitorMsg::Disconnected { reason } => format!("-- {reason}\n"),
            MonitorMsg::Notice(text) => format!("-- {text}\n"),
            MonitorMsg::Lines(lines) => lines.iter().map(|l| render_line(l, json)).collect(),
        };
        if out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            break;
        }
    }
    handle.stop();
    ExitCode::SUCCESS
}
