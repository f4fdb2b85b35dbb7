//! The connection test's budget, printed (no assertions on time): the whole test (DNS, TCP,
//! TLS, CONNECT, SUBSCRIBE, PUBLISH) against a local mosquitto with client certificates in
//! under 1 s, and its handshake to CONNACK next to `mosquitto_pub` with the same
//! certificates in the same run (budget <= 1.2x).
//!
//! Run: `PATH=.venv/bin:$PATH:/usr/sbin cargo bench -p thingflash --bench connect`
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "../tests/all/common/mod.rs"]
mod common;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use thingflash_testkit::Samples;

use thingflash::probe::{self, Stage};
use thingflash_testkit::{Broker, Pki};

fn main() {
    let pki = Pki::new();
    let broker = Broker::with_acl(&pki, "server", "");
    let files: Vec<_> = ["ca.pem", "thing-ok.pem", "thing-ok.key"]
        .iter()
        .flat_map(|n| thingflash::credentials::read_path(&pki.path(n)).unwrap())
        .collect();
    let a = thingflash::credentials::analyse(&files, &[], time::OffsetDateTime::now_utc(), None);
    let creds = thingflash::credentials::CredentialSet::from_analysis(&a).unwrap();
    let req = probe::Request {
        host: "localhost".into(),
        port: broker.port,
        client_id: "thing-ok".into(),
        topic_prefix: "thingflash".into(),
        limit: Duration::from_secs(5),
        alpn: None,
        claim_template: None,
    };
    let (mut whole, mut to_connack, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..15 {
        let t = Instant::now();
        let r = probe::run(&req, &creds, Arc::new(AtomicBool::new(false)), &mut |_| {});
        whole.push(t.elapsed());
        assert!(r.passed(), "{r:#?}");
        // TCP + TLS + CONNECT to CONNACK, as the stages measured them.
        let ms: u32 = r
            .stages
            .iter()
            .filter(|s| matches!(s.stage, Stage::Tcp | Stage::Tls | Stage::Connect))
            .map(|s| s.ms)
            .sum();
        to_connack.push(Duration::from_millis(u64::from(ms)));

        let t = Instant::now();
        let ok = Command::new(common::peer("mosquitto_pub"))
            .args([
                "-h",
                "localhost",
                "-p",
                &broker.port.to_string(),
                "-V",
                "mqttv5",
            ])
            .arg("--cafile")
            .arg(pki.path("ca.pem"))
            .arg("--cert")
            .arg(pki.path("thing-ok.pem"))
            .arg("--key")
            .arg(pki.path("thing-ok.key"))
            .args([
                "-i",
                &format!("pub-{i}"),
                "-t",
                "thingflash/thing-ok/telemetry",
                "-m",
                "x",
            ])
            .status()
            .unwrap()
            .success();
        theirs.push(t.elapsed());
        assert!(ok, "mosquitto_pub failed");
    }
    let (w, c, t) = (
        Samples::from(whole.clone()).median(),
        Samples::from(to_connack.clone()).median(),
        Samples::from(theirs.clone()).median(),
    );
    println!(
        "connection test, all six stages against local mosquitto: median {w:?} (budget < 1 s) over {} runs",
        whole.len()
    );
    println!(
        "TCP + TLS + CONNECT to CONNACK: median {c:?}; mosquitto_pub with the same certificates (whole process, one PUBLISH) median {t:?}; ratio {:.2} (budget <= 1.2)",
        c.as_secs_f64() / t.as_secs_f64()
    );
}
