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

/// What one `fleet run` took.
struct Run {
    wall: Duration,
    summary: String,
    /// The station's own CPU time (user + system).
    station_cpu: f64,
    /// The mocks' CPU time: on a machine with fewer cores than boards, theirs (Python,
    /// one process per board) is what the parallel run waits on.
    mocks_cpu: f64,
}

fn children_cpu() -> f64 {
    use nix::sys::resource::{UsageWho, getrusage};
    let u = getrusage(UsageWho::RUSAGE_CHILDREN).unwrap();
    let secs = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    secs(u.user_time()) + secs(u.system_time())
}

fn process_cpu(pid: i32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let f: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    // /proc counts in USER_HZ, which Linux fixes at 100 for user space.
    let tick = 100.0;
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / tick
}

/// One `fleet run` over `boards` fresh mocks.
fn station(moto: &Moto, boards: usize, tag: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("manifest.csv"),
        format!("thing\n{tag}-{{mac}}\n"),
    )
    .unwrap();
    let mocks: Vec<Mock> = (0..boards)
        .map(|i| Mock::start_with_mac("esp32c3", &format!("240ac4{:02x}{:04x}", tag.len(), i)))
        .collect();
    // Started and idle: only the run's share of their CPU counts.
    std::thread::sleep(Duration::from_millis(300));
    let mocks_before: f64 = mocks.iter().map(|m| process_cpu(m.pid())).sum();
    let ports: Vec<&str> = mocks.iter().map(|m| m.port.as_str()).collect();
    let mut c = common::fleet_command("run", dir.path(), &moto.url, &ports);
    c.args(["--aws-rate", "100"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let cpu_before = children_cpu();
    let t = Instant::now();
    let mut child = c.spawn().unwrap();
    // Each progress line with its time since the start: where a board's time goes.
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut lines = Vec::new();
    for line in std::io::BufRead::lines(stderr).map_while(Result::ok) {
        lines.push(format!("{:>6} ms  {line}", t.elapsed().as_millis()));
    }
    let out = child.wait_with_output().unwrap();
    let wall = t.elapsed();
    let station_cpu = children_cpu() - cpu_before;
    let mocks_cpu = mocks.iter().map(|m| process_cpu(m.pid())).sum::<f64>() - mocks_before;
    let summary = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(out.status.success(), "{summary}\n{}", lines.join("\n"));
    if std::env::var_os("FLEET_BENCH_TRACE").is_some() {
        println!("{}", lines.join("\n"));
    }
    Run {
        wall,
        summary,
        station_cpu,
        mocks_cpu,
    }
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
    let one = station(&moto, 1, "one");
    let eight = station(&moto, 8, "eight");
    for (n, r) in [(1, &one), (8, &eight)] {
        println!(
            "fleet, {n} board(s) in parallel: {:.2} s wall; the station's CPU {:.2} s ({:.0} ms a board), the mocks' CPU {:.2} s ({})",
            r.wall.as_secs_f64(),
            r.station_cpu,
            r.station_cpu * 1000.0 / n as f64,
            r.mocks_cpu,
            r.summary
        );
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let ratio = eight.wall.as_secs_f64() / one.wall.as_secs_f64();
    // The least the 8-board run can take here: one board's time, or all the CPU the
    // station and the mocks need spread over this machine's cores, whichever is more.
    let floor = (eight.station_cpu + eight.mocks_cpu) / cores as f64;
    println!(
        "ratio 8 boards / 1 board: {ratio:.2} (budget <= 1.5); on {cores} cores the CPU the 8 mocks and the station need takes at least {floor:.2} s, a ratio of {:.2} before any waiting",
        floor.max(one.wall.as_secs_f64()) / one.wall.as_secs_f64()
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
