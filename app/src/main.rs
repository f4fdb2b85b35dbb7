//! `thingflash`: opens the window, or runs a CLI subcommand when given one.
use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = thingflash::cli::Cli::parse();
    match cli.command {
        Some(command) => thingflash::cli::run(command),
        None => open_window(cli.files),
    }
}

#[cfg(feature = "gui")]
fn open_window(files: Vec<std::path::PathBuf>) -> ExitCode {
    match thingflash::gui::run(files) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("thingflash: cannot open the window: {e}");
            eprintln!("  (on a machine without a display, use the subcommands: thingflash --help)");
            ExitCode::from(1)
        }
    }
}

#[cfg(not(feature = "gui"))]
fn open_window(_files: Vec<std::path::PathBuf>) -> ExitCode {
    eprintln!("thingflash was built without the window (feature `gui`); see thingflash --help");
    ExitCode::from(2)
}
