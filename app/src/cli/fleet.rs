//! `thingflash fleet`: the station. Every board on the ports given becomes the thing its
//! manifest row names, with a certificate made for it in AWS IoT, then the one operation
//! for its target; a line per board and step, a report at the end, and a journal that
//! makes a second run resume where a cut one stopped.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::flash::{After, Before, FlashOptions};
use crate::fleet::{self, BoardEvent, manifest::Manifest};
use crate::job::DeviceSettings;
use crate::provision::Account;

use super::args::TargetArgs;
use super::{WIFI_PASSWORD_ENV, usage_error};

/// `fleet`.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Provision the board on every port given.
    Run(Args),
    /// The same, after a cut run: the journal must exist; boards it says are done are
    /// skipped, a certificate made but never written is removed from AWS first.
    Resume(Args),
    /// Check a run's report against AWS IoT now: every provisioned board's thing exists,
    /// its certificate is ACTIVE and attached. Exit status 1 when anything drifted.
    Verify(VerifyArgs),
    /// Provisioning by claim, once per batch with your AWS credentials: the device policy,
    /// an enabled fleet-provisioning template (each thing `<prefix><MAC>`), a claim
    /// certificate whose policy allows only the provisioning topics; written into --out for
    /// stations without AWS credentials (`fleet run --claim FOLDER`).
    SetupAws(SetupArgs),
    /// Revoke a batch's claim certificate: boards not yet provisioned can no longer use it.
    Close(CloseArgs),
}

/// What `fleet setup-aws` takes.
#[derive(clap::Args, Debug)]
pub struct SetupArgs {
    /// The provisioning template's name (1-36 letters, digits, '-' or '_').
    #[arg(long)]
    pub template: String,
    /// Every thing is named <PREFIX><MAC> (the MAC as 12 hex digits).
    #[arg(long, default_value = "thing-")]
    pub thing_prefix: String,
    /// The IAM role AWS IoT provisions with: it trusts iot.amazonaws.com and has the
    /// AWSIoTThingsRegistration managed policy.
    #[arg(long)]
    pub role_arn: String,
    /// A pre-provisioning hook: a Lambda that allows or refuses each board (an allow-list
    /// of MACs, a use-once check).
    #[arg(long)]
    pub hook_arn: Option<String>,
    /// The device policy the template attaches (made when missing).
    #[arg(long, default_value = crate::provision::policy::DEFAULT_POLICY_NAME)]
    pub policy: String,
    /// Topic prefix the device policy allows.
    #[arg(long, default_value = "thingflash")]
    pub topic_prefix: String,
    /// The claim's key: ec-p256 (made here, AWS signs its CSR) or rsa-2048 (made by AWS).
    #[arg(long, value_enum, default_value_t)]
    pub claim_key: crate::provision::KeyType,
    /// The batch's folder (made; it holds the claim's key: keep it as you keep a password).
    #[arg(long)]
    pub out: PathBuf,
    /// Which AWS account and region.
    #[command(flatten)]
    pub aws: Account,
}

/// What `fleet close` takes.
#[derive(clap::Args, Debug)]
pub struct CloseArgs {
    /// The batch's folder.
    pub batch: PathBuf,
    /// Which AWS account and region.
    #[command(flatten)]
    pub aws: Account,
}

fn setup_aws(a: &SetupArgs, out: &mut impl Write) -> ExitCode {
    let req = fleet::claim::SetupRequest {
        template: a.template.clone(),
        thing_prefix: a.thing_prefix.clone(),
        policy: a.policy.clone(),
        topic_prefix: a.topic_prefix.clone(),
        role_arn: a.role_arn.clone(),
        hook_arn: a.hook_arn.clone(),
        claim_key: a.claim_key,
        account: a.aws.clone(),
        dir: a.out.clone(),
    };
    let result = fleet::claim::setup(&req, &mut |r| {
        let _ = writeln!(
            out,
            "{} {} ({})",
            r.kind,
            r.id,
            if r.created { "created" } else { "reused" }
        );
    });
    match result {
        Ok(b) => {
            let _ = writeln!(
                out,
                "batch ready in {}: template {} (enabled), claim certificate {}. Stations flash with `thingflash fleet run --claim {}`; `thingflash fleet close {}` revokes the claim.",
                a.out.display(),
                b.template,
                b.claim_certificate_id,
                a.out.display(),
                a.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(out, "fleet setup-aws: {e}");
            ExitCode::from(1)
        }
    }
}

fn close(a: &CloseArgs, out: &mut impl Write) -> ExitCode {
    match fleet::claim::close(&a.batch, &a.aws) {
        Ok(b) => {
            let _ = writeln!(
                out,
                "claim certificate {} of template {} revoked: boards not yet provisioned can no longer use it",
                b.claim_certificate_id, b.template
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(out, "fleet close: {e}");
            ExitCode::from(1)
        }
    }
}

/// What `fleet verify` takes.
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// The report (REPORT.jsonl, or REPORT as given to `fleet run`).
    pub report: PathBuf,
    /// Which AWS account and region.
    #[command(flatten)]
    pub aws: Account,
}

fn verify(a: &VerifyArgs, out: &mut impl Write) -> ExitCode {
    let rows = match fleet::report::read(&a.report) {
        Ok(r) => r,
        Err(e) => {
            return usage_error(&format!(
                "cannot read the report {}: {e}",
                a.report.with_extension("jsonl").display()
            ));
        }
    };
    match fleet::verify(&rows, &a.aws) {
        Ok(drifted) => {
            for d in &drifted {
                let _ = writeln!(
                    out,
                    "{} {}: {}
  fix: {}",
                    d.mac, d.thing, d.what, d.fix
                );
            }
            let checked = rows.iter().filter(|r| r.result != "failed").count();
            let _ = writeln!(out, "{checked} boards checked, {} drifted", drifted.len());
            if drifted.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            let _ = writeln!(out, "fleet verify: {e}");
            ExitCode::from(1)
        }
    }
}

/// What a fleet run takes.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The manifest: CSV `thing,mac,attributes,groups`, one row per board or one pattern
    /// row such as `kitchen-{mac},,room=kitchen,sensors`.
    #[arg(long, required_unless_present = "claim")]
    pub manifest: Option<PathBuf>,
    /// Provisioning by claim with this batch (`fleet setup-aws`'s folder): every board gets
    /// the claim and provisions itself when it first connects, with a key it makes; the
    /// station needs no AWS credentials. No manifest: each thing is the template's.
    #[arg(long, conflicts_with_all = ["manifest", "key_type"])]
    pub claim: Option<PathBuf>,
    /// A board's serial port; give one per board (repeat the option). With --watch: only
    /// these ports are watched.
    #[arg(long = "port", required_unless_present = "watch")]
    pub ports: Vec<String>,
    /// Take every board plugged in from now on (USB serial ports as they appear), and each
    /// port again once its board was unplugged; Ctrl-C stops after the boards under way.
    #[arg(long)]
    pub watch: bool,
    /// With --watch: stop after this many boards.
    #[arg(long, requires = "watch")]
    pub boards: Option<usize>,
    /// With --watch: the ports are the lines of this file, read again every moment,
    /// instead of the USB serial ports the system lists (boards behind a serial server,
    /// virtual boards on pseudo-terminals).
    #[arg(long, requires = "watch", value_name = "FILE")]
    pub ports_from: Option<PathBuf>,
    /// The journal (JSON lines, appended; never a key). Runs with the same journal resume.
    #[arg(long)]
    pub journal: PathBuf,
    /// The report: written as REPORT.csv and REPORT.jsonl.
    #[arg(long)]
    pub report: PathBuf,
    /// Where the credentials go: what runs on the boards.
    #[command(flatten)]
    pub target: TargetArgs,
    /// WiFi network name (thingflash's firmware).
    #[arg(long)]
    pub wifi_ssid: Option<String>,
    /// WiFi password; prefer the environment variable.
    #[arg(long, env = WIFI_PASSWORD_ENV, hide_env_values = true)]
    pub wifi_password: Option<String>,
    /// The AWS IoT endpoint the boards connect to (thingflash's firmware); default: the
    /// account's ATS endpoint.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Topic prefix (thingflash's firmware and the policy).
    #[arg(long, default_value = "thingflash")]
    pub topic_prefix: String,
    /// Where each board's key is made: board (thingflash's firmware makes it and prints
    /// its request; the key never leaves the chip; the default for it), ec-p256 (here, in
    /// memory, AWS signs its CSR; the default for other firmware) or rsa-2048 (by AWS).
    #[arg(long, value_enum)]
    pub key_type: Option<fleet::FleetKey>,
    /// The policy attached to every certificate (made when missing).
    #[arg(long, default_value = crate::provision::policy::DEFAULT_POLICY_NAME)]
    pub policy: String,
    /// Which AWS account and region.
    #[command(flatten)]
    pub aws: Account,
    /// AWS calls per second, all boards together.
    #[arg(long, default_value_t = 10.0)]
    pub aws_rate: f64,
    /// Baud rate for the transfers.
    #[arg(long, default_value_t = 921_600)]
    pub baud: u32,
    /// How to enter the loader: pulse DTR/RTS, or nothing (boards already in download mode).
    #[arg(long, value_enum, default_value_t)]
    pub before: Before,
    /// Reset into the firmware afterwards, or leave the chips in the loader.
    #[arg(long, value_enum, default_value_t)]
    pub after: After,
    /// Flash even if a chip's revision is outside what the images declare.
    #[arg(long)]
    pub force: bool,
    /// thingflash's firmware: after the write, wait up to SECONDS for each board to report
    /// MQTT connected (it must reset into the firmware: not with --after no-reset); a board
    /// that does not is reported failed with the reason its log gives.
    #[arg(long, value_name = "SECONDS")]
    pub wait_connected: Option<u64>,
}

/// Run it.
pub fn run(command: Command, out: &mut impl Write) -> ExitCode {
    let (args, resume) = match command {
        Command::Run(a) => (a, false),
        Command::Resume(a) => (a, true),
        Command::Verify(a) => return verify(&a, out),
        Command::SetupAws(a) => return setup_aws(&a, out),
        Command::Close(a) => return close(&a, out),
    };
    if resume && !args.journal.exists() {
        return usage_error(&format!(
            "there is no journal at {}: give the journal of the run to resume, or use `fleet run`",
            args.journal.display()
        ));
    }
    let manifest = match &args.manifest {
        Some(path) => {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    return usage_error(&format!("cannot read {}: {e}", path.display()));
                }
            };
            match Manifest::parse(&text) {
                Ok(m) => m,
                Err(errors) => {
                    for e in &errors {
                        let _ = writeln!(out, "refused: {e}\n  fix: {}", e.fix);
                    }
                    return ExitCode::from(1);
                }
            }
        }
        None => Manifest::default(),
    };
    let claim = match &args.claim {
        Some(dir) => match fleet::claim::Claim::load(dir) {
            Ok(c) => Some(c),
            Err(e) => return usage_error(&e),
        },
        None => None,
    };
    let plan = fleet::Plan {
        manifest,
        target: args.target.target,
        device: DeviceSettings {
            wifi_ssid: args.wifi_ssid.clone().unwrap_or_default(),
            wifi_password: zeroize::Zeroizing::new(args.wifi_password.clone().unwrap_or_default()),
            endpoint: args.endpoint.clone().unwrap_or_default(),
            client_id: String::new(),
            topic_prefix: args.topic_prefix.clone(),
            mqtt_port: 8883,
            claim_template: String::new(),
            telemetry_s: 60,
        },
        names: args.target.names,
        file_list: args.target.file_list.clone(),
        table_offset: args.target.table_offset,
        format: args.target.format,
        layout: args.target.layout(),
        key: args
            .key_type
            .unwrap_or_else(|| fleet::FleetKey::default_for(args.target.target)),
        policy: args.policy.clone(),
        account: args.aws.clone(),
        journal: args.journal.clone(),
        calls_per_second: args.aws_rate,
        wait_connected: args.wait_connected.map(std::time::Duration::from_secs),
        claim,
    };
    let link = FlashOptions {
        baud: args.baud,
        before: args.before,
        after: args.after,
        force: args.force,
        ..FlashOptions::new("")
    };
    let on_event = |e: BoardEvent| {
        let line = match e {
            // The table's first column is for the window; a terminal waits for the chip.
            BoardEvent::Started { .. } => return,
            BoardEvent::Identified { port, board } => format!("{port}: {}", board.summary()),
            BoardEvent::Bound { port, mac, thing } => format!("{port} {mac}: becomes {thing}"),
            BoardEvent::Step { port, mac, step } => format!("{port} {mac}: {step}"),
            BoardEvent::Finished(r) => match r.result.as_str() {
                "failed" => format!("{} {}: FAILED {} (fix: {})", r.port, r.mac, r.error, r.fix),
                result => format!(
                    "{} {}: {result} as {} ({:.1} s)",
                    r.port, r.mac, r.thing, r.seconds
                ),
            },
        };
        // As they come, from every worker: one whole line each.
        eprintln!("{line}");
    };
    let outcome = if args.watch {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        // Without a handler Ctrl-C still ends the run; the journal resumes it.
        let _ = ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::Relaxed));
        let ports = match &args.ports_from {
            Some(file) => fleet::PortSource::File(file.clone()),
            None => fleet::PortSource::Usb {
                only: args.ports.clone(),
            },
        };
        let w = fleet::Watch {
            ports: &ports,
            boards: args.boards,
            stop: &stop,
        };
        eprintln!("watching for boards: plug them in (Ctrl-C stops after the boards under way)");
        fleet::watch(&plan, &link, &w, &on_event)
    } else {
        fleet::run(&plan, &args.ports, &link, &on_event)
    };
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            let _ = writeln!(out, "fleet: {e}");
            if let Some(fix) = e.fix() {
                let _ = writeln!(out, "  fix: {fix}");
            }
            return ExitCode::from(1);
        }
    };
    match outcome.write_report(&args.report) {
        Ok(summary) => {
            let _ = writeln!(out, "{summary}");
        }
        Err(e) => {
            let _ = writeln!(
                out,
                "fleet: cannot write the report {}: {e}",
                args.report.display()
            );
            return ExitCode::from(1);
        }
    }
    let counts = fleet::Counts::of_rows(&outcome.rows);
    if counts.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
