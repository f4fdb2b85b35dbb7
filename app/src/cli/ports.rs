//! `thingflash ports`: the serial ports, with each USB bridge named, and the bridges the
//! OS sees without a port.

use std::io::Write;
use std::process::ExitCode;

/// `ports`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// Run it.
pub fn run(args: &Args, out: &mut impl Write) -> ExitCode {
    let scan = crate::ports::scan();
    let text = if args.json {
        serde_json::to_string_pretty(&scan.ports).unwrap_or_default() + "\n"
    } else {
        scan.text()
    };
    let _ = out.write_all(text.as_bytes());
    ExitCode::SUCCESS
}
