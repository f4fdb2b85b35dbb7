//! Handshake-to-CONNACK time of the firmware's connection code on the host (mbedtls-rs TLS +
//! rust-mqtt, RSA-2048 device key) against a local mosquitto with `require_certificate true`,
//! next to `mosquitto_pub` with the same certificates in the same run (a whole process:
//! start, TLS, CONNECT, one PUBLISH, DISCONNECT), and the desktop's stack (rustls) running
//! the same session. Printed, not asserted.
//!
//! Run: `cargo bench -p thingflash-connection --bench handshake`
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::Command;
use std::time::Instant;

use thingflash_testkit::Samples;

use support::*;
use thingflash_protocol::event::Event;
use thingflash_testkit::peer;

fn main() {
    clock_now();
    let pki = Pki::new();
    let broker = Broker::open(&pki, "server", "");
    let device = Device::new(&pki, "ca.der", "rsa.der", "rsa-key.der");
    let mut ours = Vec::new();
    let mut desktop = Vec::new();
    let mut theirs = Vec::new();
    for i in 0..15 {
        let t = Instant::now();
        let (lines, _) = attempt_desktop(
            &broker,
            &device,
            "localhost",
            &format!("desktop-{i}"),
            |e| matches!(e, Event::MqttConnack { .. }),
        );
        desktop.push(t.elapsed());
        assert!(
            lines.iter().any(|l| l.contains("mqtt.connack reason=0x00")),
            "{lines:?}"
        );

        let t = Instant::now();
        let (lines, _) = attempt(
            &broker,
            &device,
            "localhost",
            &format!("thingflash-{i}"),
            |e| matches!(e, Event::MqttConnack { .. }),
        );
        ours.push(t.elapsed());
        assert!(
            lines.iter().any(|l| l.contains("mqtt.connack reason=0x00")),
            "{lines:?}"
        );

        let t = Instant::now();
        let ok = Command::new(peer("mosquitto_pub"))
            .args([
                "-h",
                "localhost",
                "-p",
                &broker.port.to_string(),
                "--cafile",
            ])
            .arg(pki.path("ca.pem"))
            .arg("--cert")
            .arg(pki.path("rsa.pem"))
            .arg("--key")
            .arg(pki.path("rsa.key"))
            .args([
                "-V",
                "mqttv5",
                "-i",
                &format!("pub-{i}"),
                "-t",
                "bench",
                "-m",
                "x",
            ])
            .status()
            .unwrap()
            .success();
        theirs.push(t.elapsed());
        assert!(ok, "mosquitto_pub failed");
    }
    let (o, d, t) = (
        Samples::from(ours.clone()).median(),
        Samples::from(desktop.clone()).median(),
        Samples::from(theirs.clone()).median(),
    );
    println!(
        "the same from the desktop stack (tokio + rustls, the firmware's MQTT session): median {d:?}; ratio to mosquitto_pub {:.2} (budget <= 1.2)",
        d.as_secs_f64() / t.as_secs_f64()
    );
    println!(
        "TCP + TLS (RSA-2048 client cert) + MQTT CONNECT to CONNACK against local mosquitto: thingflash connection code (mbedtls-rs, release build) median {o:?}; mosquitto_pub (whole process) median {t:?}; ratio {:.2} over {} runs each",
        o.as_secs_f64() / t.as_secs_f64(),
        ours.len()
    );
}
