//! `thingflash convert`: the DER files (and `secrets.h`) other firmware reads.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::credentials::convert;

use super::{load, render, usage_error};

/// `convert`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Certificate, key, root CA or AWS zip files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Folder to write into (created if needed).
    #[arg(long)]
    pub out: PathBuf,
    /// Write the key as PKCS#8 instead of PKCS#1 (RSA) / SEC1 (EC).
    #[arg(long)]
    pub pkcs8: bool,
    /// Name the key private.der, as the classic ESP8266 guide's sketch reads it
    /// (/cert.der, /private.der, /ca.der).
    #[arg(long)]
    pub guide_names: bool,
    /// Also write secrets.h: AWS_CERT_CA, AWS_CERT_CRT and AWS_CERT_PRIVATE as
    /// escaped C strings in PROGMEM, for sketches that keep credentials in the source.
    #[arg(long)]
    pub secrets_h: bool,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
}

/// Run it.
pub fn run(args: &Args, out: &mut impl Write) -> ExitCode {
    let a = match load(&args.files) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let opts = convert::ConvertOptions {
        pkcs8: args.pkcs8,
        force: args.force,
        guide_names: args.guide_names,
        secrets_h: args.secrets_h,
    };
    match convert::write_der(&a, &args.out, opts) {
        Ok(paths) => {
            for p in paths {
                let _ = writeln!(out, "wrote {}", p.display());
            }
            if a.using_bundled_roots {
                let _ = writeln!(
                    out,
                    "ca.der is the bundled Amazon Root CA 1 (no root CA was given)"
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = out.write_all(render(&a).as_bytes());
            eprintln!("thingflash: {e}");
            ExitCode::from(1)
        }
    }
}
