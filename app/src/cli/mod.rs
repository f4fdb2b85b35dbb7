//! The command line: the same operations as the window, for scripts and stations, one
//! file per subcommand. Thin: parse arguments, build the library's request, print its
//! events. Exit codes: 0 done, 1 a blocking problem, 2 a usage error (clap's own, or a
//! file that cannot be opened).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::credentials::{self, Analysis, CredentialsError};

mod args;
mod aws;
mod bundle;
mod check;
mod connect;
mod convert;
mod decode;
mod flash;
mod fleet;
mod image;
mod monitor;
mod partitions;
mod ports;
mod print;

pub use print::{Printer, render, render_line};

/// Environment variable holding the passphrase of an encrypted private key (never a
/// command-line argument: those are visible to every user of the machine).
pub const PASSPHRASE_ENV: &str = "THINGFLASH_KEY_PASSPHRASE";

/// Environment variable holding the WiFi password (the safer way to pass it).
pub const WIFI_PASSWORD_ENV: &str = "THINGFLASH_WIFI_PASSWORD";

/// thingflash: from the certificate files AWS IoT gave you to an ESP board publishing
/// over MQTT. Without a subcommand, opens the window.
#[derive(Parser, Debug)]
#[command(name = "thingflash", version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do; none opens the window.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Files to load into the window's credentials step (what a file manager passes when
    /// files are dropped on the app's icon).
    pub files: Vec<PathBuf>,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Say what each file is and whether the set is ready to flash.
    /// Exit status 0: ready, 1: a problem blocks flashing, 2: usage error.
    Check(check::Args),
    /// Write cert.der, key.der and ca.der (what the classic ESP8266 guide makes with openssl).
    Convert(convert::Args),
    /// Build the merged flash image (bootloader, partition table, credentials, firmware)
    /// without a board: what `flash` would write, for esptool or a factory.
    Bundle(bundle::Args),
    /// Put the credentials on a board for its target (thingflash's firmware, or your own),
    /// read them back and verify.
    Flash(flash::Args),
    /// Many boards at once: each becomes its own thing in AWS IoT (from a manifest), with
    /// a journal that resumes a cut run and a report of every board.
    #[command(subcommand)]
    Fleet(fleet::Command),
    /// List serial ports, with the USB bridge named.
    Ports(ports::Args),
    /// Show a board's live serial log, decoded and explained. Ctrl-C exits.
    Monitor(monitor::Args),
    /// AWS: create things, certificates and policies with your AWS credentials.
    #[command(subcommand)]
    Aws(aws::Command),
    /// Show a board's partition table (or a table file's), and which partition each
    /// target writes.
    Partitions(partitions::Args),
    /// Write the file-system or esp_secure_cert image for your own firmware to a file,
    /// without a board: for esptool, or an IDE's upload tool.
    Image(image::Args),
    /// Test the certificate, key, root CA, endpoint and policy from this computer, before
    /// flashing: DNS, TCP, TLS, MQTT CONNECT, SUBSCRIBE and PUBLISH, as the board runs them.
    Connect(connect::Args),
    /// Decode a saved serial log: every line, with an explanation where one applies.
    Decode(decode::Args),
}

/// Run a subcommand.
pub fn run(command: Command) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match command {
        Command::Check(a) => check::run(&a, &mut out),
        Command::Convert(a) => convert::run(&a, &mut out),
        Command::Bundle(a) => bundle::run(&a, &mut out),
        Command::Flash(a) => flash::run(&a, &mut out),
        Command::Fleet(c) => fleet::run(c, &mut out),
        Command::Ports(a) => ports::run(&a, &mut out),
        Command::Monitor(a) => monitor::run(a, &mut out),
        Command::Aws(c) => aws::run(c, &mut out),
        Command::Partitions(a) => partitions::run(&a, &mut out),
        Command::Image(a) => image::run(&a, &mut out),
        Command::Connect(a) => connect::run(&a, &mut out),
        Command::Decode(a) => decode::run(&a, &mut out),
    }
}

fn usage_error(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("thingflash: {e}");
    ExitCode::from(2)
}

/// A failure that blocks: said on stderr, exit status 1.
fn failed(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("thingflash: {e}");
    ExitCode::from(1)
}

/// Read every path; a file that cannot be opened is a usage error, a file that is
/// unsuitable (too large, a folder, a damaged zip) becomes a finding.
fn load(files: &[PathBuf]) -> Result<Analysis, CredentialsError> {
    let mut inputs = Vec::new();
    let mut unreadable = Vec::new();
    for path in files {
        match credentials::read_path(path) {
            Ok(mut f) => inputs.append(&mut f),
            Err(e @ CredentialsError::Read { .. }) => return Err(e),
            Err(e) => unreadable.push(e),
        }
    }
    let passphrase = std::env::var(PASSPHRASE_ENV)
        .ok()
        .map(zeroize::Zeroizing::new);
    Ok(credentials::analyse(
        &inputs,
        &unreadable,
        time::OffsetDateTime::now_utc(),
        passphrase.as_deref().map(String::as_str),
    ))
}

/// `--table-offset` and the like: hex (`0x8000`) or decimal.
fn offset(s: &str) -> Result<u32, String> {
    crate::own::parse_offset(s).ok_or_else(|| format!("{s:?} is not an offset (0x8000 or 32768)"))
}

/// The decoder `decode` and `monitor` explain with: the firmware's symbols when given, and
/// the broker the board talks to (`--endpoint`; without it, the hosts the log shows).
fn decoder(
    elf: Option<&std::path::Path>,
    endpoint: Option<&str>,
) -> Result<crate::monitor::Decoder, crate::monitor::symbols::SymbolsError> {
    use crate::monitor::{Decoder, symbols::Symbolizer};
    let d = match elf {
        Some(path) => Decoder::with_symbols(Symbolizer::load(path)?),
        None => Decoder::new(),
    };
    Ok(d.with_endpoint(endpoint.unwrap_or_default()))
}
