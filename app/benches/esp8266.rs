//! ESP8266 figures, printed (no assertions on time):
//! - with the flasher stub, against esp32-mock-bootloader `--chip esp8266`: the bytes of
//!   flash data on the wire and the write time for the credentials added to a 4M2M
//!   LittleFS holding 100 KB of user files, then `esptool write-flash` of the same blocks
//!   into the same mock (its stub, its compression) through the same kind of relay;
//! - in ROM mode, against the strict fake ROM (tests/common/rom8266.rs): the bytes a new
//!   4M2M LittleFS and a new 1M64 SPIFFS put on the wire (only the used blocks).
//!
//! Run: `PATH=.venv/bin:$PATH cargo bench -p thingflash --bench esp8266` (peers on PATH).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "../tests/all/common/mod.rs"]
mod common;

use std::process::Command;
use std::time::Instant;

use common::own::{noise, settle};
use common::rom8266::{FakeRom, pattern};
use common::{Cable, Fixtures, Mock, peer, run};
use thingflash::credentials::CredentialSet;
use thingflash::esp8266::{Region, layout};
use thingflash::flash::{self, After, Before, Event, FlashOptions};
use thingflash::fs::{self, FsKind};
use thingflash::own;
use thingflash::target::{NamePreset, Target};

use thingflash_testkit::ms;

fn request<'a>(
    target: Target,
    region: &Region,
    format: bool,
    c: &'a CredentialSet,
    stub: bool,
) -> flash::esp8266::Request<'a> {
    flash::esp8266::Request {
        own: own::Options {
            target,
            files: NamePreset::ClassicDer.files(),
            format,
            table_offset: 0x8000,
            region: Some(region.clone()),
        },
        creds: c,
        sketch: None,
        stub,
    }
}

fn opts(port: &str) -> FlashOptions {
    FlashOptions {
        before: Before::NoReset,
        after: After::NoReset,
        ..FlashOptions::new(port)
    }
}

fn main() {
    let fx = Fixtures::new();
    let c = fx.rsa_set();
    let region = Region::from(layout("4M2M").unwrap());
    let mut user = vec![("/config.json".to_string(), br#"{"interval":30}"#.to_vec())];
    for i in 0..4 {
        user.push((format!("/www/data{i}.bin"), noise(25_000, i + 3)));
    }
    let base = fs::format(region.size, &region.params(FsKind::LittleFs), &user).unwrap();

    // 1. With the stub, on the mock: thingflash, then esptool writing the same blocks.
    let dir = tempfile::tempdir().unwrap();
    let mut full = vec![0xFFu8; 4 << 20];
    full[region.offset as usize..region.end() as usize].copy_from_slice(&base);
    let image = dir.path().join("full.bin");
    std::fs::write(&image, &full).unwrap();
    let mock = Mock::start("esp8266");
    let esptool = |port: &str| {
        let mut cmd = Command::new(peer("esptool"));
        cmd.args([
            "--chip", "esp8266", "--port", port, "--before", "no-reset", "--after", "no-reset",
        ]);
        cmd
    };
    run(esptool(&mock.port).args([
        "write-flash",
        "--flash-size",
        "keep",
        "0x0",
        image.to_str().unwrap(),
    ]));
    settle();

    let cable = Cable::to(&mock);
    let req = request(Target::Esp8266Littlefs, &region, false, &c, true);
    let (mut write_start, mut write_end) = (None, None);
    let (mut sent_start, mut sent_end) = (0, 0);
    let started = Instant::now();
    let report = flash::esp8266::run(&opts(&cable.port), &req, &mut |e| match &e {
        Event::Planned { .. } => {
            write_start = Some(Instant::now());
            sent_start = cable.sent();
        }
        Event::ReadingPartition { .. } if write_start.is_some() => {
            write_end = Some(Instant::now());
            sent_end = cable.sent();
        }
        _ => {}
    })
    .unwrap();
    let total = started.elapsed();
    assert!(report.stub && report.verified.is_some());
    let write = write_end.unwrap() - write_start.unwrap();
    println!(
        "stub, 4M2M LittleFS + 100 KB of user files: {} range(s), {} KiB of blocks; {} B of flash data compressed ({} B on the wire while writing, {} B in the whole run)",
        report.placement.ranges.len(),
        report.fs_bytes / 1024,
        report.wire_bytes,
        sent_end - sent_start,
        cable.sent()
    );
    println!(
        "stub: write {} (after reading the file system), whole run {} (connect, stub upload, read, write, read back)",
        ms(write),
        ms(total)
    );
    drop(cable);
    settle();

    let cable = Cable::to(&mock);
    let mut args: Vec<String> = Vec::new();
    for (i, (at, data)) in report.placement.segments().iter().enumerate() {
        let p = dir.path().join(format!("range{i}.bin"));
        std::fs::write(&p, data).unwrap();
        args.push(format!("{at:#x}"));
        args.push(p.display().to_string());
    }
    let t = Instant::now();
    run(esptool(&cable.port)
        .args(["write-flash", "--flash-size", "keep"])
        .args(&args));
    let esptool_time = t.elapsed();
    println!(
        "esptool write-flash of the same blocks: {} (connect and stub upload included), {} B on the wire; thingflash write / esptool = {:.2}, thingflash whole run (with its read and read-back) / esptool = {:.2} (budget <= 1.0)",
        ms(esptool_time),
        cable.sent(),
        write.as_secs_f64() / esptool_time.as_secs_f64(),
        total.as_secs_f64() / esptool_time.as_secs_f64()
    );
    drop(cable);

    // 2. ROM mode on the strict fake: only the blocks a new file system uses.
    for (name, target, lay) in [
        ("LittleFS 4M2M", Target::Esp8266Littlefs, "4M2M"),
        ("SPIFFS 1M64", Target::Esp8266Spiffs, "1M64"),
    ] {
        let region = Region::from(layout(lay).unwrap());
        let rom = FakeRom::start(pattern(4 << 20));
        let req = request(target, &region, true, &c, false);
        let t = Instant::now();
        let r = flash::esp8266::run(&opts(&rom.port), &req, &mut |_| {}).unwrap();
        println!(
            "ROM mode, new {name} ({} region): {} B of flash data on the wire, {} of blocks written, {} on the fake (a pty: no baud limit)",
            thingflash::partitions::human_size(region.size),
            r.wire_bytes,
            thingflash::partitions::human_size(r.fs_bytes as u32),
            ms(t.elapsed())
        );
    }
}
