//! `thingflash aws`: AWS IoT resources with the user's AWS credentials.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::provision;

use super::usage_error;

/// AWS subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a thing, its certificate and key, a least-privilege policy, attach them,
    /// and write the certificate, key and endpoint into --out.
    Provision {
        /// Thing name (also the MQTT client id).
        #[arg(long)]
        thing: String,
        /// Policy name (created if missing, reused if present).
        #[arg(long)]
        policy: Option<String>,
        /// Which AWS account and region.
        #[command(flatten)]
        account: provision::Account,
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

pub fn run(command: Command, out: &mut impl Write) -> ExitCode {
    let Command::Provision {
        thing,
        policy,
        account,
        key_type,
        topic_prefix,
        out: dir,
    } = command;
    let req = provision::Request {
        thing,
        policy,
        topic_prefix,
        account,
        key_type,
        board_csr: None,
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
