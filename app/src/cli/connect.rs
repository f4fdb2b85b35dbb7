//! `thingflash connect`: the board's connection stages run from this computer, and the
//! virtual board after a passing test.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::credentials::{self, CredentialSet};

use super::{load, render, usage_error};

/// `connect`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Certificate, key, root CA or AWS zip files (as for `check`).
    #[arg(required_unless_present = "claim")]
    pub files: Vec<PathBuf>,
    /// The AWS IoT endpoint (`aws iot describe-endpoint --endpoint-type iot:Data-ATS`);
    /// with --claim, the batch's.
    #[arg(long, required_unless_present = "claim")]
    pub endpoint: Option<String>,
    /// 8883, or 443 (ALPN x-amzn-mqtt-ca). 8883 falls back to 443 when it is blocked.
    #[arg(long, default_value_t = 8883)]
    pub port: u16,
    /// The MQTT client id: the thing name on AWS.
    #[arg(long, required_unless_present = "claim")]
    pub client_id: Option<String>,
    /// Check a provisioning-by-claim batch (`fleet setup-aws`'s folder) instead: connect
    /// with its claim certificate and subscribe to the provisioning answers as a board
    /// would; nothing is provisioned.
    #[arg(long, conflicts_with_all = ["files", "stay"])]
    pub claim: Option<PathBuf>,
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
pub fn run(args: &Args, out: &mut impl Write) -> ExitCode {
    let batch = match &args.claim {
        Some(dir) => match crate::fleet::claim::Claim::load(dir) {
            Ok(c) => Some(c),
            Err(e) => return usage_error(&e),
        },
        None => None,
    };
    let a = match &batch {
        // The claim's certificate and key, as the boards get them.
        Some(c) => credentials::analyse(
            &[
                credentials::InputFile::from_bytes(
                    "claim-certificate.pem.crt",
                    c.certificate_pem.as_bytes().to_vec(),
                ),
                credentials::InputFile::from_bytes(
                    "claim-private.pem.key",
                    c.key_pem.as_bytes().to_vec(),
                ),
            ],
            &[],
            time::OffsetDateTime::now_utc(),
            None,
        ),
        None => match load(&args.files) {
            Ok(a) => a,
            Err(e) => return usage_error(&e),
        },
    };
    let given = args
        .endpoint
        .clone()
        .or_else(|| batch.as_ref().map(|c| c.batch.endpoint.clone()))
        .unwrap_or_default();
    let client_id = args
        .client_id
        .clone()
        .unwrap_or_else(|| "thingflash-claim-check".into());
    let creds = match CredentialSet::from_analysis(&a) {
        Ok(c) => c,
        Err(e) => {
            let _ = out.write_all(render(&a).as_bytes());
            eprintln!("thingflash: {e}");
            return ExitCode::from(1);
        }
    };
    let endpoint = credentials::endpoint::check_endpoint(&given);
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
        client_id: client_id.clone(),
        topic_prefix: args.topic_prefix.clone(),
        limit: std::time::Duration::from_secs(args.timeout.max(1)),
        alpn: None,
        claim_template: batch.as_ref().map(|c| c.batch.template.clone()),
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
    } else if report.passed() && batch.is_some() {
        let _ = writeln!(
            out,
            "the claim works from here on port {}: a board with it can ask for its certificate (nothing was provisioned)",
            report.port
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
