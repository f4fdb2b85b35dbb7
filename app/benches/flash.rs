//! Bundle and flash budgets, printed (no assertions on time), against esp32-mock-bootloader
//! and esptool in the same run:
//! - bundle build (plan + merged image) < 200 ms;
//! - a full flash takes no longer than `esptool write-flash` of the same segments (ratio <= 1.0);
//! - bytes on the wire for a full flash <= 70% of the raw image (compression);
//! - a credentials-only reflash sends <= 16 KiB of flash data.
//!
//! Bytes on the wire are counted by a relay between the flasher and the mock's pty, so they
//! include SLIP framing and commands, and are counted the same way for both tools.
//!
//! Run: `PATH=.venv/bin:$PATH cargo bench -p thingflash --bench flash` (peers on PATH).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "../tests/all/common/mod.rs"]
mod common;

use common::{Cable, Mock};

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use thingflash::bundle::{self, FlashSize};
use thingflash::chip::Chip;
use thingflash::flash::{self, After, Before, Event, FlashOptions};
use thingflash_protocol::config::DeviceConfig;
use thingflash_testkit::Samples;
use zeroize::Zeroizing;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let fx = common::Fixtures::new();
    let creds = fx.rsa_set();
    let config = DeviceConfig {
        wifi_ssid: "lab".into(),
        wifi_password: Zeroizing::new("correct horse".into()),
        host: "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com".into(),
        client_id: "bench".into(),
        ..DeviceConfig::default()
    };
    let request = |chip| bundle::Request {
        chip,
        flash_size: FlashSize::Mb4,
        credentials: bundle::DeviceCreds::Set(&creds),
        config: &config,
        firmware_elf: None,
    };

    // 1. Bundle build.
    for chip in Chip::thingflash_chips() {
        let samples = Samples::of(20, || {
            let plan = bundle::plan(&request(chip)).unwrap();
            std::hint::black_box(plan.merged().len());
        });
        println!(
            "bundle {chip}: plan + merged image median {:?}, max {:?} over {} runs (budget 200 ms)",
            samples.median(),
            samples.max(),
            samples.len()
        );
    }

    let plan = bundle::plan(&request(Chip::Esp32c3)).unwrap();
    let raw_bytes = plan.total_bytes();
    for s in &plan.segments {
        std::fs::write(dir.path().join(format!("{}.bin", s.name)), &s.data).unwrap();
    }

    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut our_wire = 0;
    let mut their_wire = 0;
    let mut creds_flash_data = 0;
    let mut creds_wire = 0;
    for _ in 0..5 {
        // 2. thingflash, full flash, a fresh mock each time.
        let mock = Mock::start("esp32c3");
        let relay = Cable::to(&mock);
        let opts = FlashOptions {
            before: Before::NoReset,
            after: After::NoReset,
            force: true,
            ..FlashOptions::new(&relay.port)
        };
        let t = Instant::now();
        flash::run(
            &opts,
            &mut |chip, size| {
                bundle::plan(&bundle::Request {
                    flash_size: size,
                    ..request(chip)
                })
            },
            &mut |_| {},
        )
        .unwrap();
        ours.push(t.elapsed());
        our_wire = relay.sent();

        // 4. credentials-only on the same mock: flash data is what is sent between the
        // first progress event and the end.
        let start = Arc::new(AtomicUsize::new(usize::MAX));
        let before_all = relay.sent();
        let s2 = start.clone();
        let sent = relay.sent.clone();
        flash::run(
            &FlashOptions {
                credentials_only: true,
                ..opts.clone()
            },
            &mut |chip, size| {
                bundle::plan(&bundle::Request {
                    flash_size: size,
                    ..request(chip)
                })
            },
            &mut |e| {
                if matches!(e, Event::Progress(_)) && s2.load(Ordering::Relaxed) == usize::MAX {
                    s2.store(sent.load(Ordering::Relaxed), Ordering::Relaxed);
                }
            },
        )
        .unwrap();
        creds_flash_data = relay.sent() - start.load(Ordering::Relaxed);
        creds_wire = relay.sent() - before_all;
        drop(mock);

        // 3. esptool write-flash of the same segments into a fresh mock, same relay setup.
        let mock = Mock::start("esp32c3");
        let relay = Cable::to(&mock);
        let mut args: Vec<String> = [
            "--chip",
            "esp32c3",
            "--port",
            &relay.port,
            "--before",
            "no-reset",
            "--after",
            "no-reset",
            "write-flash",
            "--force",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for s in &plan.segments {
            args.push(format!("{:#x}", s.addr));
            args.push(
                dir.path()
                    .join(format!("{}.bin", s.name))
                    .display()
                    .to_string(),
            );
        }
        let t = Instant::now();
        let ok = Command::new("esptool")
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("esptool on PATH")
            .success();
        theirs.push(t.elapsed());
        assert!(ok, "esptool write-flash failed: esptool {}", args.join(" "));
        their_wire = relay.sent();
    }
    let (o, t) = (Samples::from(ours).median(), Samples::from(theirs).median());
    println!(
        "full flash of {raw_bytes} B (4 segments, stub, compressed, MD5-verified) into esp32-mock-bootloader: thingflash median {o:?}, esptool write-flash median {t:?}: ratio {:.2} (budget <= 1.0)",
        o.as_secs_f64() / t.as_secs_f64()
    );
    println!(
        "bytes on the wire, full flash (stub upload, commands and SLIP included): thingflash {our_wire} B = {:.0}% of the raw image, esptool {their_wire} B = {:.0}% (budget <= 70%)",
        100.0 * our_wire as f64 / raw_bytes as f64,
        100.0 * their_wire as f64 / raw_bytes as f64
    );
    println!(
        "credentials-only reflash: {creds_flash_data} B of flash data on the wire ({creds_wire} B with connect and stub upload) for the {} B partition (budget <= 16 KiB of flash data)",
        bundle::CREDENTIALS_SIZE
    );
    let _ = std::io::stdout().flush();
    std::process::exit(0);
}
