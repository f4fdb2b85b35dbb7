//! `thingflash check`: what each file is, and whether the set is ready to flash.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::credentials::Analysis;

use super::{load, render, usage_error};

/// `check`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Certificate, key, root CA or AWS zip files (any names, PEM or DER).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// Run it.
pub fn run(args: &Args, out: &mut impl Write) -> ExitCode {
    let a = match load(&args.files) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let text = if args.json {
        #[derive(serde::Serialize)]
        struct Report<'a> {
            blocked: bool,
            #[serde(flatten)]
            analysis: &'a Analysis,
        }
        match serde_json::to_string_pretty(&Report {
            blocked: a.blocked(),
            analysis: &a,
        }) {
            Ok(t) => t + "\n",
            Err(e) => return usage_error(&e),
        }
    } else {
        render(&a)
    };
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = out.write_all(text.as_bytes());
    if a.blocked() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
