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
        ATTACH_PARENT_PROCESS, AttachConsole, GetStdHandle, STD_ERROR_HANDLE, STD_INPUT_HANDLE,
        STD_OUTPUT_HANDLE, SetStdHandle,
    };

    /// A GUI-subsystem program starts with no console. When it was started from one (cmd,
    /// PowerShell), attach to that console: `check` and the other subcommands print where
    /// the user typed them, and Ctrl-C there reaches `monitor` and `connect --stay` (a
    /// program with no console never gets it, so with its output redirected it could only be
    /// killed). Handles already redirected to a file or pipe are put back after attaching, so
    /// the output still goes there. From Explorer there is no parent console and the call
    /// fails harmlessly. Rust's std asks for the standard handles on each write.
    #[allow(unsafe_code)] // Win32 FFI: handle values only, no pointers.
    pub fn attach_to_parent() {
        let kinds = [STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE];
        // SAFETY: plain Win32 calls on the process's own standard handles; no memory is passed.
        unsafe {
            let before = kinds.map(|k| GetStdHandle(k));
            if AttachConsole(ATTACH_PARENT_PROCESS) == 0 {
                return;
            }
            for (kind, handle) in kinds.into_iter().zip(before) {
                let set = !handle.is_null() && handle as isize != -1;
                if set {
                    SetStdHandle(kind, handle);
                }
            }
        }
    }
}
