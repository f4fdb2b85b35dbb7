//! Provisioning budget, printed (no assertions on time): one full run (credentials check,
//! endpoint, RSA-2048 certificate, thing, policy, both attachments) against a local
//! moto_server: < 2 s.
//!
//! Run: `PATH=.venv/bin:$PATH cargo bench -p thingflash --bench provision` (moto_server on PATH).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use thingflash::provision::{KeyType, Request, provision};

fn main() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut moto = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server on PATH");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto_server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    // The SDK reads credentials from the environment of this process only.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut samples = Vec::new();
    for i in 0..7 {
        let req = Request {
            thing: format!("bench-{i}"),
            policy: None,
            topic_prefix: "thingflash".into(),
            account: thingflash::provision::Account {
                region: Some("us-east-1".into()),
                endpoint_url: Some(format!("http://127.0.0.1:{port}")),
                ..Default::default()
            },
            key_type: KeyType::Rsa2048,
            board_csr: None,
        };
        let t = Instant::now();
        rt.block_on(provision(&req, |_| {})).expect(
            "provisioning against moto (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY to any value)",
        );
        samples.push(t.elapsed());
    }
    let _ = moto.kill();
    let _ = moto.wait();
    let first = samples[0];
    let samples = thingflash_testkit::Samples::from(samples);
    println!(
        "provision (RSA-2048, 6 AWS calls + STS) against local moto: first {first:?}, median {:?}, max {:?} over {} runs (budget 2 s)",
        samples.median(),
        samples.max(),
        samples.len()
    );
}
