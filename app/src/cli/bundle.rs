//! `thingflash bundle`: thingflash's whole-flash image for a chip, without a board.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::bundle::FlashSize;
use crate::chip::Chip;
use crate::credentials::convert;
use crate::job;

use super::args::{BoardSettings, TargetArgs, refused, request};
use super::{failed, load, usage_error};

/// `bundle`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files and settings.
    #[command(flatten)]
    pub settings: BoardSettings,
    /// The board's chip.
    #[arg(long, value_enum)]
    pub chip: Chip,
    /// Flash size of the board (goes into the bootloader header).
    #[arg(long, value_enum, default_value_t)]
    pub flash_size: FlashSize,
    /// The merged image to write (flash it at 0x0). Holds the private key: kept 0600.
    #[arg(long)]
    pub out: PathBuf,
    /// Also write the credentials partition alone (flash it at 0xD000).
    #[arg(long)]
    pub partition_out: Option<PathBuf>,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
}

/// Run it.
pub fn run(args: &Args, out: &mut impl Write) -> ExitCode {
    let a = match load(&args.settings.files) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let req = match request(&a, &args.settings, &TargetArgs::thingflash()) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let job = match job::prepare(&req) {
        Ok(j) => j,
        Err(r) => return refused(&a, &r),
    };
    let started = std::time::Instant::now();
    let plan = match job.plan(args.chip, args.flash_size) {
        Ok(plan) => plan,
        Err(e) => return failed(&e),
    };
    let merged = plan.merged();
    let took = started.elapsed();
    // Both files hold the private key.
    if let Err(e) = convert::write_file(&args.out, &merged, true, args.force) {
        return failed(&e);
    }
    if let Some(part) = &args.partition_out
        && let Some(seg) = plan.credentials()
        && let Err(e) = convert::write_file(part, &seg.data, true, args.force)
    {
        return failed(&e);
    }
    let _ = writeln!(
        out,
        "{} image for {}, {} MB flash:",
        args.out.display(),
        args.chip,
        args.flash_size.bytes() >> 20
    );
    for seg in &plan.segments {
        let _ = writeln!(
            out,
            "  {:#08x}  {:>9} B  {}",
            seg.addr,
            seg.data.len(),
            seg.name
        );
    }
    if let Some(c) = job.device_config() {
        let _ = writeln!(
            out,
            "client id: {}, endpoint {}:{}, WiFi {}",
            c.client_id, c.host, c.port, c.wifi_ssid
        );
    }
    let _ = writeln!(
        out,
        "{} B in all ({} B with the gaps), built in {} ms. Flash it at 0x0, e.g. `esptool --chip {} write-flash 0x0 {}`",
        plan.total_bytes(),
        merged.len(),
        took.as_millis(),
        args.chip.name(),
        args.out.display()
    );
    ExitCode::SUCCESS
}
