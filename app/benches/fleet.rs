//! Fleet budgets, printed (no assertions on time), against esp32-mock-bootloader boards
//! (ESP32-C3s, each with its own MAC) and moto_server:
//! - 8 boards in parallel finish within 1.5 times the time of one board;
//! - at most 5 AWS calls per board after the run's setup;
//! - the station's memory stays flat in the number of boards: 1,000 simulated boards
//!   through the journal and the report, peak resident memory printed.
//!
//! Run: `PATH=.venv/bin:$PATH cargo bench -p thingflash --bench fleet` (peers on PATH).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "../tests/all/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{Mock, Moto};
use thingflash::fleet::journal::{Entry, Journal, replay};
use thingflash::fleet::report::{self, ReportRow};

/// One `fleet run` over `boards` fresh mocks: its wall time and its summary line.
fn station(moto: &Moto, boards: usize, tag: &str) -> (Duration, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.csv"), format!("thing\n{tag}-{{mac}}\n")).unwrap();
    let mocks: Vec<Mock> = (0..boards)
        .map(|i| Mock::start_with_mac("esp32c3", &format!("240ac4{:02x}{:04x}", tag.len(), i)))
        .collect();
    std::fs::rename(dir.path().join("m.csv"), dir.path().join("manifest.csv")).unwrap();
    let ports: Vec<&str> = mocks.iter().map(|m| m.port.as_str()).collect();
    let mut c = common::fleet_command("run", dir.path(), &moto.url, &ports);
    c.args(["--aws-rate", "100"]);
    let t = Instant::now();
    let out = c.output().unwrap();
    let took = t.elapsed();
    let summary = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        out.status.success(),
        "{summary}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (took, summary)
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let moto = Moto::start();
    let (one, s1) = station(&moto, 1, "one");
    let (eight, s8) = station(&moto, 8, "eight");
    println!("fleet, one board: {one:.1?} ({s1})");
    println!("fleet, 8 boards in parallel: {eight:.1?} ({s8})");
    println!(
        "ratio 8 boards / 1 board: {:.2} (budget <= 1.5)",
        eight.as_secs_f64() / one.as_secs_f64()
    );
    // 1,000 simulated boards: every step in the journal, the replay a resume makes, and the
    // report; the peak memory grows by what the report's rows hold, not more.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let before = peak_rss_kib();
    let t = Instant::now();
    let mut j = Journal::open(&path).unwrap();
    let mut rows = Vec::new();
    for i in 0..1000u32 {
        let mac = format!("240ac4{i:06x}");
        let id = format!("{:064x}", i);
        for e in [
            Entry::Identified {
                mac: mac.clone(),
                port: format!("/dev/ttyUSB{}", i % 8),
                usb_serial: None,
                chip: "esp32c3".into(),
            },
            Entry::Certificate {
                mac: mac.clone(),
                thing: format!("t-{mac}"),
                id: id.clone(),
                arn: format!("arn:aws:iot:us-east-1:123456789012:cert/{id}"),
            },
            Entry::Attached {
                mac: mac.clone(),
                id: id.clone(),
            },
            Entry::Done {
                mac: mac.clone(),
                thing: format!("t-{mac}"),
                id: id.clone(),
            },
        ] {
            j.append(&e).unwrap();
        }
        rows.push(ReportRow {
            mac,
            thing: format!("t-{i}"),
            certificate_id: id,
            result: "provisioned".into(),
            ..ReportRow::default()
        });
    }
    let states = replay(&path).unwrap();
    report::write(&dir.path().join("report"), &rows).unwrap();
    println!(
        "1000 simulated boards: journal ({} KiB, fsync per step) + replay ({} boards) + report in {:.1?}; peak resident memory {} KiB before, {} KiB after",
        std::fs::metadata(&path).unwrap().len() / 1024,
        states.len(),
        t.elapsed(),
        before,
        peak_rss_kib()
    );
}
