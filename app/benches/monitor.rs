//! Monitor budgets, printed as figures (no assertions on time):
//! - decode >= 150 MB/s of the original mixed log on one core with the full tables
//!   (921600 baud is ~0.09 MB/s); the mix of every golden log is printed too
//! - memory for 1 million retained lines: bounded, and measured here
//!
//! Run: `cargo bench -p thingflash --bench monitor`. Under a profiler:
//! `MONITOR_BENCH_MB=4 MONITOR_BENCH_ONLY_ORIGINAL=1 valgrind --tool=callgrind <bench binary>`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use thingflash::monitor::lines::{LineAssembler, Piece};
use thingflash::monitor::log::{FilteredView, LogBuffer};
use thingflash::monitor::{BoardStatus, Decoder};

/// The golden logs the mixed benchmark was first measured on (190 MB/s before the
/// complete tables): kept as a fixed mix so the figure compares like with like.
const ORIGINAL_MIX: &[&str] = &[
    "arduino-esp8266-bearssl-failures.log",
    "c3-boot-problems.log",
    "c3-panic-backtrace.log",
    "esp-idf-aws-iot-tls-failures.log",
    "host-mbedtls-rs-clock-unset.log",
    "mixed-line-endings.log",
    "thingflash-clock-not-set.log",
    "thingflash-connect-ok.log",
    "thingflash-policy-hangup.log",
    "thingflash-session-taken-over.log",
];

fn mixed_log(only: Option<&[&str]>) -> Vec<u8> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/logs");
    let mut one = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .filter(|p| only.is_none_or(|o| o.iter().any(|n| p.ends_with(n))))
        .collect();
    names.sort();
    for p in names {
        one.extend(std::fs::read(p).unwrap());
    }
    // Mostly ordinary chatter, as a real log is, with every golden log mixed in.
    for i in 0..200 {
        one.extend(
            format!("I ({i}) app: sensor reading {i} temperature=21.{i}C humidity=40%\n")
                .as_bytes(),
        );
    }
    // MONITOR_BENCH_MB sizes the input (64 MB by default; a few MB under callgrind).
    let size = std::env::var("MONITOR_BENCH_MB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(64)
        << 20;
    let mut all = Vec::with_capacity(size);
    while all.len() < size {
        all.extend_from_slice(&one);
    }
    all
}

/// Best of three runs of decode + status over `data`: (seconds, lines).
fn decode_rate(data: &[u8]) -> (f64, usize) {
    let mut best = f64::MAX;
    let mut lines = 0usize;
    for _ in 0..3 {
        let t = Instant::now();
        let mut a = LineAssembler::new();
        let mut d = Decoder::new();
        let mut s = BoardStatus::default();
        let now = Instant::now();
        let mut pieces = Vec::with_capacity(1024);
        lines = 0;
        for chunk in data.chunks(4096) {
            a.push(chunk, &mut pieces);
            for p in pieces.drain(..) {
                if let Piece::Line(l) = p {
                    let dec = d.decode_owned(l);
                    s.apply(&dec, now);
                    lines += 1;
                }
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, lines)
}

fn main() {
    // The scanner's tables are built on the first line decoded: once per process.
    let t = Instant::now();
    let _ = Decoder::new().decode("first line");
    println!(
        "decoder tables built on first use: {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    // The original mix first (the budget's reference), then every golden log of today.
    let original = mixed_log(Some(ORIGINAL_MIX));
    let (t, lines) = decode_rate(&original);
    let mb = original.len() as f64 / 1e6;
    println!(
        "decode + status, original mix, full tables: {:.1} MB in {:.3} s = {:.1} MB/s, {:.2} M lines/s (budget >= 150 MB/s)",
        mb,
        t,
        mb / t,
        lines as f64 / t / 1e6
    );
    if std::env::var_os("MONITOR_BENCH_ONLY_ORIGINAL").is_some() {
        return;
    }
    let data = mixed_log(None);
    let (best, lines) = decode_rate(&data);
    let mb = data.len() as f64 / 1e6;
    println!(
        "decode + status, every golden log (denser in errors): {:.1} MB in {:.3} s = {:.1} MB/s, {:.2} M lines/s",
        mb,
        best,
        mb / best,
        lines as f64 / best / 1e6
    );

    // Memory of 1 million retained lines: measure the heap through the decoded lines'
    // own sizes (text + explanation strings + the Decoded struct itself).
    let mut log = LogBuffer::new(1_000_000);
    let mut a = LineAssembler::new();
    let mut d = Decoder::new();
    let mut pieces = Vec::new();
    a.push(&data, &mut pieces);
    for p in pieces {
        if let Piece::Line(l) = p {
            log.push(d.decode_owned(l));
        }
    }
    let struct_bytes = std::mem::size_of::<thingflash::monitor::Decoded>();
    let heap: usize = log
        .iter()
        .map(|l| {
            l.text.capacity()
                + l.explanation.as_ref().map_or(0, |e| {
                    let owned = |c: &std::borrow::Cow<'static, str>| match c {
                        std::borrow::Cow::Owned(s) => s.capacity(),
                        std::borrow::Cow::Borrowed(_) => 0, // static table text
                    };
                    std::mem::size_of::<thingflash::monitor::decode::ExplanationText>()
                        + owned(&e.title)
                        + owned(&e.cause)
                        + owned(&e.fix)
                })
                + l.event.as_ref().map_or(0, |_| {
                    std::mem::size_of::<thingflash_protocol::event::Event<'static>>()
                })
                + l.symbol.as_ref().map_or(0, String::capacity)
        })
        .sum();
    let total = struct_bytes * log.len() + heap;
    println!(
        "retained: {} lines ({} dropped), {} B/line struct + {:.1} B/line heap = {:.0} MiB for 1M lines; hard bound {} MiB (every line at its 4096-byte cap)",
        log.len(),
        log.dropped(),
        struct_bytes,
        heap as f64 / log.len() as f64,
        total as f64 / (1 << 20) as f64,
        ((struct_bytes + 4096 + 600) * 1_000_000) >> 20
    );

    // The window's log filter: the first scan of a full log, then what one frame costs
    // after 100 new lines arrive (the old code re-scanned everything each frame).
    let mut view = FilteredView::default();
    let t = Instant::now();
    view.update(&log, "tls");
    let first = t.elapsed();
    for d in thingflash::monitor::decode_text(&"[tf1] tls.start host=h port=8883\n".repeat(100)) {
        log.push(d);
    }
    let t = Instant::now();
    view.update(&log, "tls");
    println!(
        "log filter over 1M lines: first scan {first:?}, per-frame update after 100 new lines {:?} ({} matches)",
        t.elapsed(),
        view.len()
    );
}
