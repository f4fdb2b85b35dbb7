//! The command line: the same operations as the window, for scripts and factories.
//! Thin: parse arguments, call the library, print. Exit codes: 0 done, 1 a blocking
//! problem, 2 a usage error (clap's own, or a file that cannot be opened).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::bundle::{self, Chip, FlashSize};
use crate::credentials::{self, Analysis, CredentialsError, Kind, Role, convert};
use crate::flash::{self, After, Before};
use crate::monitor;
use crate::monitor::reader::MonitorConfig;
use crate::provision;

mod own;

/// Environment variable holding the passphrase of an encrypted private key (never a
/// command-line argument: those are visible to every user of the machine).
pub const PASSPHRASE_ENV: &str = "THINGFLASH_KEY_PASSPHRASE";

/// Environment variable holding the WiFi password (the safer way to pass it).
pub const WIFI_PASSWORD_ENV: &str = "THINGFLASH_WIFI_PASSWORD";

fn mqtt_port(s: &str) -> Result<u16, String> {
    match s {
        "8883" => Ok(8883),
        "443" => Ok(443),
        _ => Err("AWS IoT takes MQTT over TLS on 8883, or on 443 with ALPN".into()),
    }
}

/// What goes onto the board besides the firmware: the files and the settings.
#[derive(clap::Args, Debug)]
pub struct BoardSettings {
    /// Certificate, key, root CA or AWS zip files (classified as `thingflash check` does).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// AWS IoT data endpoint, e.g. a1b2c3-ats.iot.eu-west-1.amazonaws.com (thingflash
    /// firmware; your own firmware has its own).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// WiFi network name (thingflash firmware).
    #[arg(long)]
    pub wifi_ssid: Option<String>,
    /// WiFi password ('' for an open network). Prefer the environment variable: arguments
    /// are visible to every user of the machine.
    #[arg(long, env = WIFI_PASSWORD_ENV, hide_env_values = true)]
    pub wifi_password: Option<String>,
    /// MQTT client id (your thing name); default: the certificate's CN when it is not
    /// AWS's generic one.
    #[arg(long)]
    pub client_id: Option<String>,
    /// Topic prefix: the board publishes to <prefix>/<client-id>/telemetry.
    #[arg(long, default_value = "thingflash")]
    pub topic_prefix: String,
    /// MQTT port: 8883, or 443 (ALPN x-amzn-mqtt-ca) where 8883 is blocked.
    #[arg(long, default_value_t = 8883, value_parser = mqtt_port)]
    pub mqtt_port: u16,
    /// Seconds between telemetry messages.
    #[arg(long, default_value_t = 60)]
    pub telemetry_interval: u32,
    /// Firmware ELF to flash instead of the included one (advanced).
    #[arg(long)]
    pub firmware: Option<PathBuf>,
}

/// thingflash: from the certificate files AWS IoT gave you to an ESP32 board
/// publishing over MQTT. Without a subcommand, opens the window.
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
    Check {
        /// Certificate, key, root CA or AWS zip files (any names, PEM or DER).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Write cert.der, key.der and ca.der (what the classic ESP8266 guide makes with openssl).
    Convert {
        /// Certificate, key, root CA or AWS zip files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Folder to write into (created if needed).
        #[arg(long)]
        out: PathBuf,
        /// Write the key as PKCS#8 instead of PKCS#1 (RSA) / SEC1 (EC).
        #[arg(long)]
        pkcs8: bool,
        /// Name the key private.der, as the classic ESP8266 guide's sketch reads it
        /// (/cert.der, /private.der, /ca.der).
        #[arg(long)]
        guide_names: bool,
        /// Also write secrets.h: AWS_CERT_CA, AWS_CERT_CRT and AWS_CERT_PRIVATE as
        /// escaped C strings in PROGMEM, for sketches that keep credentials in the source.
        #[arg(long)]
        secrets_h: bool,
        /// Replace existing files.
        #[arg(long)]
        force: bool,
    },
    /// Build the merged flash image (bootloader, partition table, credentials, firmware)
    /// without a board: what `flash` would write, for esptool or a factory.
    Bundle {
        /// Files and settings.
        #[command(flatten)]
        settings: BoardSettings,
        /// The board's chip.
        #[arg(long, value_enum)]
        chip: Chip,
        /// Flash size of the board (goes into the bootloader header).
        #[arg(long, value_enum, default_value_t)]
        flash_size: FlashSize,
        /// The merged image to write (flash it at 0x0). Holds the private key: kept 0600.
        #[arg(long)]
        out: PathBuf,
        /// Also write the credentials partition alone (flash it at 0xD000).
        #[arg(long)]
        partition_out: Option<PathBuf>,
        /// Replace existing files.
        #[arg(long)]
        force: bool,
    },
    /// Flash the firmware and the credentials to a board, verify, and reset it.
    Flash {
        /// Files and settings.
        #[command(flatten)]
        settings: BoardSettings,
        /// Serial port, e.g. /dev/ttyACM0 or COM3.
        #[arg(long)]
        port: String,
        /// The chip expected; default: the one detected.
        #[arg(long, value_enum)]
        chip: Option<Chip>,
        /// Baud rate for the transfer.
        #[arg(long, default_value_t = 921_600)]
        baud: u32,
        /// How to enter the loader: pulse DTR/RTS, or nothing (board already in download mode).
        #[arg(long, value_enum, default_value_t)]
        before: Before,
        /// Reset into the firmware afterwards, or leave the chip in the loader.
        #[arg(long, value_enum, default_value_t)]
        after: After,
        /// Rewrite only the credentials partition (the board must already run thingflash).
        #[arg(long)]
        credentials_only: bool,
        /// Skip the MD5 check of what was written.
        #[arg(long)]
        no_verify: bool,
        /// Where the credentials go: what runs on the board.
        #[command(flatten)]
        own: own::OwnArgs,
        /// Flash even if the chip revision is outside what the images declare.
        #[arg(long)]
        force: bool,
        /// One JSON object per event.
        #[arg(long)]
        json: bool,
    },
    /// List serial ports, with the USB bridge named.
    Ports {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Show a board's live serial log, decoded and explained. Ctrl-C exits.
    Monitor {
        /// Serial port, e.g. /dev/ttyACM0 or COM3.
        #[arg(long)]
        port: String,
        /// Baud rate.
        #[arg(long, default_value_t = 115_200)]
        baud: u32,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
        /// Firmware ELF for symbolising backtraces.
        #[arg(long)]
        elf: Option<PathBuf>,
        /// Reset the board after opening the port (by default the monitor never resets it).
        #[arg(long)]
        reset: bool,
        /// The boot ROM's speed when it differs from --baud: 74880 for an ESP8266, whose
        /// ROM prints its banner at 74880 before the sketch prints at its own speed. The
        /// monitor starts there and switches to --baud after the ROM's `~ld`.
        #[arg(long)]
        boot_baud: Option<u32>,
    },
    /// AWS: create things, certificates and policies with your AWS credentials.
    #[command(subcommand)]
    Aws(AwsCommand),
    /// Show a board's partition table (or a table file's), and which partition each
    /// target writes.
    Partitions(own::PartitionsArgs),
    /// Write the file-system or esp_secure_cert image for your own firmware to a file,
    /// without a board: for esptool, or an IDE's upload tool.
    Image(own::ImageArgs),
    /// Test the certificate, key, root CA, endpoint and policy from this computer, before
    /// flashing: DNS, TCP, TLS, MQTT CONNECT, SUBSCRIBE and PUBLISH, as the board runs them.
    Connect(ConnectArgs),
    /// Decode a saved serial log: every line, with an explanation where one applies.
    Decode {
        /// The log file; `-` or nothing reads standard input.
        file: Option<PathBuf>,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
        /// Firmware ELF for symbolising backtraces.
        #[arg(long)]
        elf: Option<PathBuf>,
    },
}

/// `connect`.
#[derive(clap::Args, Debug)]
pub struct ConnectArgs {
    /// Certificate, key, root CA or AWS zip files (as for `check`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The AWS IoT endpoint (`aws iot describe-endpoint --endpoint-type iot:Data-ATS`).
    #[arg(long)]
    pub endpoint: String,
    /// 8883, or 443 (ALPN x-amzn-mqtt-ca). 8883 falls back to 443 when it is blocked.
    #[arg(long, default_value_t = 8883)]
    pub port: u16,
    /// The MQTT client id: the thing name on AWS.
    #[arg(long)]
    pub client_id: String,
    /// Topic prefix: the firmware's topics are <prefix>/<client id>/telemetry and /cmd.
    #[arg(long, default_value = "thingflash")]
    pub topic_prefix: String,
    /// Seconds each network step may take.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
    /// After the test, stay connected as a virtual board: telemetry every
    /// --telemetry-s seconds and answers to `ping` and `status` on the command topic, as
    /// the firmware does (watch it in the AWS console's MQTT test client). Ctrl-C stops it
    /// with a clean DISCONNECT.
    #[arg(long)]
    pub stay: bool,
    /// Seconds between the virtual board's telemetry messages.
    #[arg(long, default_value_t = 5)]
    pub telemetry_s: u32,
}

/// `connect`: every stage, pass or fail, and the fix for the one that failed.
fn connect(args: &ConnectArgs, out: &mut impl std::io::Write) -> ExitCode {
    let a = match load(&args.files) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let creds = match crate::bundle::Credentials::from_analysis(&a) {
        Ok(c) => c,
        Err(e) => {
            let _ = out.write_all(render(&a).as_bytes());
            eprintln!("thingflash: {e}");
            return ExitCode::from(1);
        }
    };
    let endpoint = credentials::endpoint::check_endpoint(&args.endpoint);
    let Some(host) = endpoint.host else {
        let why = endpoint
            .findings
            .first()
            .map(|f| format!("{} ({})", f.message, f.fix))
            .unwrap_or_else(|| "give the endpoint host".into());
        return usage_error(&why);
    };
    // The DNS stage reports a legacy or non-IoT endpoint itself.
    for f in endpoint
        .findings
        .iter()
        .filter(|f| !crate::probe::ENDPOINT_WARNINGS.contains(&f.code))
    {
        eprintln!("note: {} ({})", f.message, f.fix);
    }
    let req = crate::probe::Request {
        host,
        port: endpoint.port.unwrap_or(args.port),
        client_id: args.client_id.clone(),
        topic_prefix: args.topic_prefix.clone(),
        limit: std::time::Duration::from_secs(args.timeout.max(1)),
        alpn: None,
    };
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let report = crate::probe::run(&req, &creds, cancel, &mut |s| {
        if !args.json {
            let _ = writeln!(
                out,
                "{:<13} {}  {:>5} ms  {}",
                s.stage.name(),
                if s.ok { "ok  " } else { "FAIL" },
                s.ms,
                s.detail
            );
            if let Some(e) = &s.explanation {
                let _ = writeln!(
                    out,
                    "              {}\n              cause: {}\n              fix:   {}",
                    e.title, e.cause, e.fix
                );
            }
        }
    });
    if args.json {
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string(&report).unwrap_or_default()
        );
    } else if report.passed() {
        let _ = writeln!(
            out,
            "all stages passed on port {}: these credentials, this endpoint and this client id work from here",
            report.port
        );
    }
    if !report.passed() {
        return ExitCode::from(1);
    }
    if !args.stay {
        return ExitCode::SUCCESS;
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    if let Err(e) =
        ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::Relaxed))
    {
        eprintln!("thingflash: cannot catch Ctrl-C ({e}); stop the virtual board with kill");
    }
    let _ = writeln!(
        out,
        "virtual board {} on {}: telemetry every {} s to {}/{}/telemetry, commands on .../cmd; Ctrl-C stops",
        req.client_id, req.host, args.telemetry_s, req.topic_prefix, req.client_id
    );
    let _ = out.flush();
    let r = crate::probe::stay(&req, &creds, args.telemetry_s, stop, &mut |line| {
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    });
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("thingflash: {e}");
            ExitCode::from(1)
        }
    }
}

/// AWS subcommands.
#[derive(Subcommand, Debug)]
pub enum AwsCommand {
    /// Create a thing, its certificate and key, a least-privilege policy, attach them,
    /// and write the certificate, key and endpoint into --out.
    Provision {
        /// Thing name (also the MQTT client id).
        #[arg(long)]
        thing: String,
        /// Policy name (created if missing, reused if present).
        #[arg(long)]
        policy: Option<String>,
        /// AWS profile from ~/.aws/config; default: the standard credential chain.
        #[arg(long)]
        profile: Option<String>,
        /// AWS region; default: the profile's.
        #[arg(long)]
        region: Option<String>,
        /// Another endpoint for the AWS APIs (tests, mocks).
        #[arg(long)]
        endpoint_url: Option<String>,
        /// Key type: ec-p256 (made here, never leaves this machine) or rsa-2048 (made by AWS).
        #[arg(long, value_enum, default_value_t = provision::KeyType::EcP256)]
        key_type: provision::KeyType,
        /// Topic prefix the policy allows (the firmware publishes to <prefix>/<thing>/telemetry).
        #[arg(long, default_value = "thingflash")]
        topic_prefix: String,
        /// Folder for <thing>-certificate.pem.crt, <thing>-private.pem.key and <thing>-endpoint.json.
        #[arg(long)]
        out: PathBuf,
    },
}

fn aws(command: AwsCommand, out: &mut impl std::io::Write) -> ExitCode {
    let AwsCommand::Provision {
        thing,
        policy,
        profile,
        region,
        endpoint_url,
        key_type,
        topic_prefix,
        out: dir,
    } = command;
    let req = provision::Request {
        thing,
        policy,
        topic_prefix,
        profile,
        region,
        endpoint_url,
        key_type,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return usage_error(&e),
    };
    let result = runtime.block_on(provision::provision(&req, |p| {
        let line = match p {
            provision::Progress::Step(s) => format!("... {s}\n"),
            provision::Progress::Done(r) => {
                format!(
                    "    {} {} {}\n",
                    if r.created { "created" } else { "reused " },
                    r.kind,
                    r.id
                )
            }
        };
        let _ = out.write_all(line.as_bytes());
    }));
    let p = match result {
        Ok(p) => p,
        Err(e) => {
            eprintln!("thingflash: {e}");
            return ExitCode::from(1);
        }
    };
    match provision::save(&p, &dir) {
        Ok(paths) => {
            let _ = writeln!(out, "endpoint: {}", p.endpoint);
            for path in paths {
                let _ = writeln!(out, "wrote {}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("thingflash: the AWS resources were created, but saving failed: {e}");
            eprintln!(
                "  certificate {} is attached to thing {}; its private key is lost: deactivate the certificate in AWS IoT",
                p.certificate_id, p.thing
            );
            ExitCode::from(1)
        }
    }
}

/// How one decoded line is printed by `decode` and `monitor`.
pub fn render_line(d: &monitor::Decoded, json: bool) -> String {
    if json {
        return serde_json::to_string(d).unwrap_or_default() + "\n";
    }
    let mut s = format!("{}\n", d.text);
    if let Some(sym) = &d.symbol {
        s.push_str(&format!("  => in {sym}\n"));
    }
    if let Some(e) = &d.explanation {
        s.push_str(&format!(
            "  => {}\n     cause: {}\n     fix:   {}\n",
            e.title, e.cause, e.fix
        ));
    }
    s
}

fn decoder(
    elf: Option<&std::path::Path>,
) -> Result<monitor::Decoder, monitor::symbols::SymbolsError> {
    Ok(match elf {
        Some(path) => monitor::Decoder::with_symbols(monitor::symbols::Symbolizer::load(path)?),
        None => monitor::Decoder::new(),
    })
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

fn date(t: time::OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// The human-readable report `thingflash check` prints.
pub fn render(a: &Analysis) -> String {
    let mut s = String::new();
    for item in &a.items {
        let what = match item.role {
            Role::DeviceCertificate => "device certificate",
            Role::PrivateKey => "private key",
            Role::RootCa => "root CA",
            Role::Ignored => item.kind.short(),
        };
        let unused = if item.role == Role::Ignored
            && matches!(item.kind, Kind::Certificate(_) | Kind::PrivateKey(_))
        {
            " (not used)"
        } else {
            ""
        };
        s.push_str(&format!("{}: {what}{unused}\n", item.source));
        if !item.also_in.is_empty() {
            s.push_str(&format!("  also in:    {}\n", item.also_in.join(", ")));
        }
        match &item.kind {
            Kind::Certificate(c) => {
                if let Some(name) = item.known_root {
                    s.push_str(&format!("  recognised: {name}\n"));
                }
                s.push_str(&format!("  subject CN: {}\n", c.subject_cn));
                s.push_str(&format!("  issuer:     {}\n", c.issuer));
                s.push_str(&format!(
                    "  valid:      {} to {}\n",
                    date(c.not_before),
                    date(c.not_after)
                ));
                s.push_str(&format!("  key:        {}\n", c.key_type));
            }
            Kind::PrivateKey(k) => {
                let enc = if k.was_encrypted { ", decrypted" } else { "" };
                s.push_str(&format!(
                    "  key:        {} ({}{enc})\n",
                    k.key_type, k.format
                ));
            }
            Kind::BrokenKey { key_type, .. } | Kind::PublicKey { key_type } => {
                s.push_str(&format!("  key:        {key_type}\n"));
            }
            Kind::EncryptedKey { scheme, cipher } => {
                s.push_str(&format!("  encrypted:  {scheme}, {cipher}\n"))
            }
            Kind::WrongPassphrase { scheme } => s.push_str(&format!(
                "  encrypted:  {scheme}, the passphrase does not decrypt it\n"
            )),
            Kind::Csr { subject } => s.push_str(&format!("  subject:    {subject}\n")),
            Kind::DamagedCertificate { .. } | Kind::Parameters | Kind::Unknown { .. } => {}
        }
    }
    if !a.findings.is_empty() {
        s.push('\n');
    }
    for f in &a.findings {
        s.push_str(&format!("{f}\n"));
    }
    let count = |sev| a.findings.iter().filter(|f| f.severity == sev).count();
    let (e, w) = (
        count(credentials::Severity::Error),
        count(credentials::Severity::Warning),
    );
    s.push_str(&format!(
        "\n{e} error{}, {w} warning{}: {}\n",
        if e == 1 { "" } else { "s" },
        if w == 1 { "" } else { "s" },
        if a.blocked() {
            "flashing is blocked"
        } else {
            "ready to flash"
        }
    ));
    s
}

fn usage_error(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("thingflash: {e}");
    ExitCode::from(2)
}

/// Run a subcommand.
pub fn run(command: Command) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match command {
        Command::Check { files, json } => {
            let a = match load(&files) {
                Ok(a) => a,
                Err(e) => return usage_error(&e),
            };
            let text = if json {
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
        Command::Convert {
            files,
            out: dir,
            pkcs8,
            guide_names,
            secrets_h,
            force,
        } => {
            let a = match load(&files) {
                Ok(a) => a,
                Err(e) => return usage_error(&e),
            };
            let opts = convert::ConvertOptions {
                pkcs8,
                force,
                guide_names,
                secrets_h,
            };
            match convert::write_der(&a, &dir, opts) {
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
        Command::Connect(args) => connect(&args, &mut out),
        Command::Decode { file, json, elf } => {
            let mut d = match decoder(elf.as_deref()) {
                Ok(d) => d,
                Err(e) => return usage_error(&e),
            };
            let input: Box<dyn std::io::Read> = match file.as_deref() {
                None => Box::new(std::io::stdin().lock()),
                Some(p) if p.as_os_str() == "-" => Box::new(std::io::stdin().lock()),
                Some(p) => match std::fs::File::open(p) {
                    Ok(f) => Box::new(f),
                    Err(e) => return usage_error(&format!("cannot read {}: {e}", p.display())),
                },
            };
            decode_stream(input, &mut d, json, &mut out)
        }
        Command::Aws(command) => aws(command, &mut out),
        Command::Bundle {
            settings,
            chip,
            flash_size,
            out: path,
            partition_out,
            force,
        } => bundle_command(
            &settings,
            chip,
            flash_size,
            &path,
            partition_out.as_deref(),
            force,
            &mut out,
        ),
        Command::Flash {
            settings,
            port,
            chip,
            baud,
            before,
            after,
            credentials_only,
            no_verify,
            own,
            force,
            json,
        } => {
            let own_firmware = own.target.is_own_firmware();
            if own_firmware && (credentials_only || chip.is_some()) {
                return usage_error(
                    &"--credentials-only and --chip are for thingflash's firmware; with --target for your own firmware only the credentials are written, on whatever chip is found",
                );
            }
            let opts = flash::FlashOptions {
                port,
                baud,
                before,
                after,
                verify: !no_verify,
                force,
                credentials_only,
                chip,
            };
            if own_firmware {
                return own::flash(&settings.files, &own, &opts, json, &mut out);
            }
            flash_command(&settings, &opts, json, &mut out)
        }
        Command::Partitions(args) => own::partitions(&args, &mut out),
        Command::Image(args) => own::image(&args, &mut out),
        Command::Ports { json } => {
            let scan = crate::ports::scan();
            let text = if json {
                serde_json::to_string_pretty(&scan.ports).unwrap_or_default() + "\n"
            } else {
                scan.text()
            };
            let _ = out.write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Command::Monitor {
            port,
            baud,
            json,
            elf,
            reset,
            boot_baud,
        } => {
            let d = match decoder(elf.as_deref()) {
                Ok(d) => d,
                Err(e) => return usage_error(&e),
            };
            let cfg = MonitorConfig {
                port,
                baud,
                reset,
                boot_baud,
            };
            monitor_port(cfg, json, d, &mut out)
        }
    }
}

/// Stream a log through the decoder, line by line, in bounded memory.
fn decode_stream(
    mut input: impl std::io::Read,
    d: &mut monitor::Decoder,
    json: bool,
    out: &mut impl std::io::Write,
) -> ExitCode {
    let mut assembler = monitor::lines::LineAssembler::new();
    let mut pieces = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut session = DecodeSession {
        decoder: d,
        patterns: monitor::patterns::Patterns::new(),
        line: 0,
        json,
    };
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return usage_error(&e),
        };
        assembler.push(&buf[..n], &mut pieces);
        if !session.write(&mut pieces, out) {
            return ExitCode::SUCCESS;
        }
    }
    assembler.finish(&mut pieces);
    if session.write(&mut pieces, out) {
        session.finish(out);
    }
    ExitCode::SUCCESS
}

/// A saved or pasted log being decoded: line numbers and the patterns across lines.
struct DecodeSession<'a> {
    decoder: &'a mut monitor::Decoder,
    patterns: monitor::patterns::Patterns,
    line: usize,
    json: bool,
}

fn render_pattern(p: &monitor::patterns::Pattern, json: bool) -> String {
    if json {
        #[derive(serde::Serialize)]
        struct Record<'a> {
            pattern: &'a monitor::patterns::Pattern,
        }
        return serde_json::to_string(&Record { pattern: p }).unwrap_or_default() + "\n";
    }
    let lines: Vec<String> = p.lines.iter().map(usize::to_string).collect();
    format!(
        "  => pattern: {}\n     cause: {}\n     fix:   {}\n     lines: {}\n",
        p.explanation.title,
        p.explanation.cause,
        p.explanation.fix,
        lines.join(", ")
    )
}

impl DecodeSession<'_> {
    /// Returns false when the output is closed (`| head`).
    fn write(
        &mut self,
        pieces: &mut Vec<monitor::lines::Piece>,
        out: &mut impl std::io::Write,
    ) -> bool {
        for p in pieces.drain(..) {
            let text = match p {
                monitor::lines::Piece::Line(l) => {
                    self.line += 1;
                    let d = self.decoder.decode_owned(l);
                    let mut text = if self.json {
                        #[derive(serde::Serialize)]
                        struct Record<'a> {
                            line: usize,
                            #[serde(flatten)]
                            decoded: &'a monitor::Decoded,
                        }
                        serde_json::to_string(&Record {
                            line: self.line,
                            decoded: &d,
                        })
                        .unwrap_or_default()
                            + "\n"
                    } else {
                        render_line(&d, false)
                    };
                    if let Some(p) = self.patterns.push(self.line, &d, None) {
                        text.push_str(&render_pattern(&p, self.json));
                    }
                    text
                }
                monitor::lines::Piece::NoiseDetected => {
                    format!("(noise: {})\n", monitor::lines::NOISE_HINT)
                }
            };
            if out.write_all(text.as_bytes()).is_err() {
                return false;
            }
        }
        true
    }

    /// The patterns with their final counts, once the whole excerpt was read.
    fn finish(&mut self, out: &mut impl std::io::Write) {
        let summary = self.patterns.summary();
        if summary.is_empty() {
            return;
        }
        let mut text = if self.json {
            String::new()
        } else {
            "\npatterns across the whole log:\n".to_string()
        };
        for p in &summary {
            text.push_str(&render_pattern(p, self.json));
        }
        let _ = out.write_all(text.as_bytes());
    }
}

fn monitor_port(
    cfg: MonitorConfig,
    json: bool,
    d: monitor::Decoder,
    out: &mut impl std::io::Write,
) -> ExitCode {
    let (tx, rx) = std::sync::mpsc::channel();
    let stop_tx = tx.clone();
    // Ctrl-C ends the loop below; the reader thread is stopped and joined on the way out.
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = stop_tx.send(monitor::reader::MonitorMsg::Disconnected {
            reason: "\u{3}".into(),
        });
    }) {
        return usage_error(&format!("cannot install the Ctrl-C handler: {e}"));
    }
    let handle = monitor::reader::spawn(cfg, d, tx, || {});
    while let Ok(msg) = rx.recv() {
        let text = match msg {
            monitor::reader::MonitorMsg::Disconnected { reason } if reason == "\u{3}" => break,
            monitor::reader::MonitorMsg::Connected { port } => {
                format!("-- connected to {port} (Ctrl-C exits)\n")
            }
            monitor::reader::MonitorMsg::Disconnected { reason } => format!("-- {reason}\n"),
            monitor::reader::MonitorMsg::Notice(text) => format!("-- {text}\n"),
            monitor::reader::MonitorMsg::Lines(lines) => {
                lines.iter().map(|l| render_line(l, json)).collect()
            }
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

/// Everything `bundle` and `flash` need from the command line, checked.
struct Prepared {
    credentials: bundle::Credentials,
    config: thingflash_protocol::config::DeviceConfig,
    firmware: Option<Vec<u8>>,
}

/// Load the files and settings; on failure, the exit code (after saying why).
fn prepare(s: &BoardSettings) -> Result<Prepared, ExitCode> {
    let a = load(&s.files).map_err(|e| usage_error(&e))?;
    let credentials = match bundle::Credentials::from_analysis(&a) {
        Ok(c) => c,
        Err(e) => {
            eprint!("{}", render(&a));
            eprintln!("thingflash: {e}");
            return Err(ExitCode::from(1));
        }
    };
    let Some(password) = s.wifi_password.clone() else {
        return Err(usage_error(&format!(
            "give the WiFi password in {WIFI_PASSWORD_ENV} (or --wifi-password; '' for an open network)"
        )));
    };
    let (Some(endpoint), Some(wifi_ssid)) = (&s.endpoint, &s.wifi_ssid) else {
        return Err(usage_error(
            &"thingflash's firmware needs --endpoint and --wifi-ssid (with --target for your own firmware, they are not needed)",
        ));
    };
    let endpoint = credentials::endpoint::check_endpoint(endpoint);
    let Some(host) = endpoint.host else {
        let why = endpoint
            .findings
            .first()
            .map(|f| format!("{} ({})", f.message, f.fix))
            .unwrap_or_else(|| "give the AWS IoT endpoint".into());
        return Err(usage_error(&why));
    };
    let client_id = match s
        .client_id
        .clone()
        .or_else(|| bundle::default_client_id(&a))
    {
        Some(id) => id,
        None => {
            return Err(usage_error(
                &"give --client-id: the certificate's name is AWS's generic one, and AWS policies usually expect the thing name",
            ));
        }
    };
    let config = thingflash_protocol::config::DeviceConfig {
        wifi_ssid: wifi_ssid.clone(),
        wifi_password: zeroize::Zeroizing::new(password),
        host,
        port: s.mqtt_port,
        client_id,
        topic_prefix: s.topic_prefix.clone(),
        telemetry_interval_s: s.telemetry_interval,
        ..Default::default()
    };
    if let Err(e) = config.validate() {
        return Err(usage_error(&e));
    }
    let firmware = match &s.firmware {
        Some(p) => Some(
            std::fs::read(p)
                .map_err(|e| usage_error(&format!("cannot read {}: {e}", p.display())))?,
        ),
        None => None,
    };
    Ok(Prepared {
        credentials,
        config,
        firmware,
    })
}

fn bundle_command(
    s: &BoardSettings,
    chip: Chip,
    flash_size: FlashSize,
    path: &std::path::Path,
    partition_out: Option<&std::path::Path>,
    force: bool,
    out: &mut impl std::io::Write,
) -> ExitCode {
    let p = match prepare(s) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let started = std::time::Instant::now();
    let plan = match bundle::plan(&bundle::Request {
        chip,
        flash_size,
        credentials: &p.credentials,
        config: &p.config,
        firmware_elf: p.firmware.as_deref(),
    }) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("thingflash: {e}");
            return ExitCode::from(1);
        }
    };
    let merged = plan.merged();
    let took = started.elapsed();
    // Both files hold the private key.
    if let Err(e) = convert::write_file(path, &merged, true, force) {
        eprintln!("thingflash: {e}");
        return ExitCode::from(1);
    }
    if let Some(part) = partition_out
        && let Some(seg) = plan.credentials()
        && let Err(e) = convert::write_file(part, &seg.data, true, force)
    {
        eprintln!("thingflash: {e}");
        return ExitCode::from(1);
    }
    let _ = writeln!(
        out,
        "{} image for {chip}, {} flash:",
        path.display(),
        flash_size_name(flash_size)
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
    let _ = writeln!(
        out,
        "{} B in all ({} B with the gaps), built in {} ms. Flash it at 0x0, e.g. `esptool --chip {} write-flash 0x0 {}`",
        plan.total_bytes(),
        merged.len(),
        took.as_millis(),
        chip.name(),
        path.display()
    );
    ExitCode::SUCCESS
}

fn flash_size_name(f: FlashSize) -> String {
    format!("{} MB", f.bytes() >> 20)
}

fn flash_command(
    s: &BoardSettings,
    opts: &flash::FlashOptions,
    json: bool,
    out: &mut impl std::io::Write,
) -> ExitCode {
    let p = match prepare(s) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut make_plan = |chip: Chip, flash_size: FlashSize| {
        bundle::plan(&bundle::Request {
            chip,
            flash_size,
            credentials: &p.credentials,
            config: &p.config,
            firmware_elf: p.firmware.as_deref(),
        })
    };
    let mut printer = own::Printer::new(json);
    let mut on_event = |e: flash::Event| printer.print(&e, out);
    match flash::run(opts, &mut make_plan, &mut on_event) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("thingflash: {e}");
            ExitCode::from(1)
        }
    }
}
