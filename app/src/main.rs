//! `thingflash`: opens the window, or runs a CLI subcommand when given one.
//!
//! On Windows it is a GUI-subsystem program, so double-clicking it opens no console window
//! behind the app; a subcommand started from a terminal attaches to that terminal's console
//! so its output appears there.
// Release builds only: a debug build keeps its console for panics and logs.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]
use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    #[cfg(windows)]
    console::attach_to_parent();
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

#[cfg(windows)]
mod console {
    use windows_sys::Win32::System::Console::{
        ATTACH_PARENT_PROCESS, AttachConsole, GetStdHandle, STD_ERROR_HANDLE, STD_OUTPUT_HANDLE,
    };

    /// A GUI-subsystem program starts with no console. When it was started from one (cmd,
    /// PowerShell) and its output is not redirected, attach to that console so `--help`,
    /// `check` and the other subcommands print where the user typed them. Output redirected
    /// to a file or pipe already has valid handles and is left alone; from Explorer there
    /// is no parent console and the call fails harmlessly. Rust's std asks for the standard
    /// handles on each write, so it picks up the attached console.
    #[allow(unsafe_code)] // Win32 FFI: two calls, no pointers.
    pub fn attach_to_parent() {
        // SAFETY: plain Win32 calls with constant arguments; no memory is passed.
        unsafe {
            let unset = |h: isize| h == 0 || h == -1;
            if unset(GetStdHandle(STD_OUTPUT_HANDLE) as isize)
                && unset(GetStdHandle(STD_ERROR_HANDLE) as isize)
            {
                AttachConsole(ATTACH_PARENT_PROCESS);
            }
        }
    }
}
