//! `thingflash flash`: the one operation on one board, for any target.

use std::io::Write;
use std::process::ExitCode;

use crate::board_key::{self, Step};
use crate::chip::Chip;
use crate::flash::{After, Before, FlashOptions};
use crate::job::{self, DeviceSettings, Image};
use crate::provision;
use crate::target::Target;

use super::args::{BoardSettings, TargetArgs, refused, request};
use super::{Printer, WIFI_PASSWORD_ENV, failed, usage_error};

/// `flash`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files and settings.
    #[command(flatten)]
    pub settings: BoardSettings,
    /// Serial port, e.g. /dev/ttyACM0 or COM3.
    #[arg(long)]
    pub port: String,
    /// The chip expected (thingflash's firmware); default: the one detected.
    #[arg(long, value_enum)]
    pub chip: Option<Chip>,
    /// Baud rate for the transfer.
    #[arg(long, default_value_t = 921_600)]
    pub baud: u32,
    /// How to enter the loader: pulse DTR/RTS, or nothing (board already in download mode).
    #[arg(long, value_enum, default_value_t)]
    pub before: Before,
    /// Reset into the firmware afterwards, or leave the chip in the loader.
    #[arg(long, value_enum, default_value_t)]
    pub after: After,
    /// Rewrite only the credentials partition (the board must already run thingflash).
    #[arg(long)]
    pub credentials_only: bool,
    /// Skip the MD5 check of what was written.
    #[arg(long)]
    pub no_verify: bool,
    /// Where the credentials go: what runs on the board.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Flash even if the chip revision is outside what the images declare.
    #[arg(long)]
    pub force: bool,
    /// One JSON object per event.
    #[arg(long)]
    pub json: bool,
    /// Provision this thing with a key the board makes itself (thingflash's firmware): no
    /// files are needed. The board prints its certificate request, AWS IoT signs it with
    /// your AWS credentials, and only the certificate is written: the key never leaves
    /// the chip.
    #[arg(long, conflicts_with = "credentials_only")]
    pub thing: Option<String>,
    /// With --thing: the policy attached to the certificate (made when missing).
    #[arg(long, requires = "thing")]
    pub policy: Option<String>,
    /// With --thing: erase the key the board keeps, so that it makes a new one (its old
    /// certificate stops working: revoke it in AWS IoT).
    #[arg(long, requires = "thing")]
    pub new_key: bool,
    /// With --thing: then wait up to SECONDS for the board to report MQTT connected.
    #[arg(long, requires = "thing", value_name = "SECONDS")]
    pub wait_connected: Option<u64>,
    /// With --thing: which AWS account and region.
    #[command(flatten)]
    pub aws: provision::Account,
}

/// Run it.
pub fn run(args: &Args, out: &mut impl Write) -> ExitCode {
    if args.settings.files.is_empty() && args.thing.is_none() {
        return usage_error(
            &"give the certificate files AWS gave you, or --thing NAME to provision with a key the board makes itself",
        );
    }
    let a = match super::load(&args.settings.files) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    if let Some(thing) = &args.thing {
        return board(args, &a, thing, out);
    }
    let mut req = match request(&a, &args.settings, &args.target) {
        Ok(r) => r,
        Err(code) => return code,
    };
    req.credentials_only = args.credentials_only;
    req.chip = args.chip;
    let job = match job::prepare(&req) {
        Ok(j) => j,
        Err(r) => return refused(&a, &r),
    };
    let link = FlashOptions {
        baud: args.baud,
        before: args.before,
        after: args.after,
        verify: !args.no_verify,
        force: args.force,
        ..FlashOptions::new(args.port.clone())
    };
    let mut printer = Printer::new(args.json);
    let outcome = job.run(&link, &mut |e| printer.print(&e, out));
    match outcome {
        Ok(o) => {
            if args.json {
                let _ = writeln!(out, "{}", serde_json::to_string(&o).unwrap_or_default());
            } else {
                let next = match args.after {
                    After::HardReset => format!(
                        "The board is restarting: `thingflash monitor --port {}` shows its log.",
                        args.port
                    ),
                    After::NoReset => "Press RESET on the board to start it.".into(),
                };
                let _ = writeln!(out, "done: {} {next}", o.summary());
            }
            ExitCode::SUCCESS
        }
        Err(e) => failed(&e),
    }
}

/// `flash --thing`: the board makes its key, AWS signs its request.
fn board(
    args: &Args,
    a: &crate::credentials::Analysis,
    thing: &str,
    out: &mut impl Write,
) -> ExitCode {
    if args.target.target != Target::Thingflash {
        return usage_error(
            &"a key made on the board is for thingflash's firmware: leave --target out, or give your firmware's certificate files",
        );
    }
    let s = &args.settings;
    let Some(password) = s.wifi_password.clone() else {
        return usage_error(&format!(
            "give the WiFi password in {WIFI_PASSWORD_ENV} (or --wifi-password; '' for an open network)"
        ));
    };
    let Some(ssid) = s.wifi_ssid.clone() else {
        return usage_error(&"thingflash's firmware needs --wifi-ssid");
    };
    let image = match &s.firmware {
        Some(p) => match Image::read(Target::Thingflash, p, true) {
            Ok(i) => i,
            Err(r) => return usage_error(&r.line()),
        },
        None => Image::None,
    };
    let req = board_key::Request {
        analysis: a.clone(),
        device: DeviceSettings {
            wifi_ssid: ssid,
            wifi_password: zeroize::Zeroizing::new(password),
            // Empty: the account's ATS endpoint, asked of AWS.
            endpoint: s.endpoint.clone().unwrap_or_default(),
            client_id: thing.to_string(),
            topic_prefix: s.topic_prefix.clone(),
            mqtt_port: s.mqtt_port,
            claim_template: String::new(),
            telemetry_s: s.telemetry_interval,
        },
        image,
        provision: provision::Request {
            thing: thing.to_string(),
            policy: args.policy.clone(),
            topic_prefix: s.topic_prefix.clone(),
            account: args.aws.clone(),
            key_type: provision::KeyType::default(),
            board_csr: None,
        },
        new_key: args.new_key,
        wait_connected: args.wait_connected.map(std::time::Duration::from_secs),
    };
    let link = FlashOptions {
        baud: args.baud,
        before: args.before,
        // The board must start its firmware to make its key and print its request: with
        // --after no-reset, press RESET when the request is awaited.
        after: args.after,
        verify: !args.no_verify,
        force: args.force,
        chip: args.chip,
        ..FlashOptions::new(args.port.clone())
    };
    let mut printer = Printer::new(args.json);
    let say = |line: String, out: &mut dyn Write| {
        if !args.json {
            let _ = writeln!(out, "{line}");
        }
    };
    let outcome = board_key::run(&req, &link, &mut |step| match step {
        Step::Endpoint => say("asking AWS IoT for the account's endpoint".into(), out),
        Step::Flashing(e) => printer.print(&e, out),
        Step::ReadingRequest => say(
            format!(
                "reading the board's certificate request on {} (it makes its key on this first boot)",
                args.port
            ),
            out,
        ),
        Step::Aws(provision::Progress::Step(s)) => say(format!("AWS: {s}"), out),
        Step::Aws(provision::Progress::Done(r)) => say(
            format!(
                "AWS: {} {} ({})",
                r.kind,
                r.id,
                if r.created { "created" } else { "reused" }
            ),
            out,
        ),
        Step::WritingCertificate(e) => printer.print(&e, out),
        Step::Connecting => say("waiting for the board to report MQTT connected".into(), out),
    });
    match outcome {
        Ok(o) => {
            if args.json {
                let _ = writeln!(
                    out,
                    "{}",
                    serde_json::to_string(&o.provisioned).unwrap_or_default()
                );
            } else {
                let _ = writeln!(
                    out,
                    "done: {} is provisioned with a key its board made; the key never left it. Certificate {} (written and read back).",
                    o.provisioned.thing, o.provisioned.certificate_id
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("thingflash: {e}");
            if let Some(fix) = e.fix() {
                eprintln!("  fix: {fix}");
            }
            ExitCode::from(1)
        }
    }
}
