//! Own-firmware budgets, printed (no assertions on time), against esp32-mock-bootloader and
//! esptool in the same run:
//! - the partition image for credentials added to a 1.4 MB LittleFS partition holding
//!   100 KB of user files is built in < 50 ms (also SPIFFS and esp_secure_cert);
//! - writing it sends at most 64 KiB of flash data, counted on the wire by a relay
//!   between thingflash and the mock (SLIP framing and commands included);
//! - the write takes no longer than `esptool write-flash` of the same changed sectors
//!   into the same mock.
//!
//! Run: `PATH=.venv/bin:$PATH cargo bench -p thingflash --bench own` (peers on PATH).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "../tests/all/common/mod.rs"]
mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Cable, Fixtures, Mock, peer, run};
use thingflash::flash::{self, After, Before, Event, FlashOptions};
use thingflash::fs::{self, FsKind, Params};
use thingflash::own;
use thingflash::partitions::Partition;
use thingflash::target::{NamePreset, Target};

const FS_AT: u32 = 0x29_0000;
const FS_SIZE: u32 = 0x16_0000;
const TABLE: &str = "nvs,data,nvs,0x9000,0x5000\notadata,data,ota,0xe000,0x2000\napp0,app,ota_0,0x10000,0x140000\napp1,app,ota_1,0x150000,0x140000\nspiffs,data,spiffs,0x290000,0x160000\ncoredump,data,coredump,0x3F0000,0x10000\n";

use thingflash_testkit::{Samples, ms};

fn user_files() -> Vec<(String, Vec<u8>)> {
    let mut x = 1u32;
    let mut noise = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (x >> 16) as u8
            })
            .collect()
    };
    let mut files = vec![("/config.json".to_string(), br#"{"interval":30}"#.to_vec())];
    for i in 0..4 {
        files.push((format!("/www/data{i}.bin"), noise(25_000)));
    }
    files
}

fn main() {
    let fx = Fixtures::new();
    let c = fx.rsa_set();
    let spiffs_part = |size| Partition {
        label: "spiffs".into(),
        ty: 1,
        subtype: 0x82,
        offset: FS_AT,
        size,
        encrypted: false,
        readonly: false,
    };
    let opts = |target| own::Options {
        target,
        files: NamePreset::ClassicDer.files(),
        format: false,
        table_offset: 0x8000,
        region: None,
    };

    // 1. Image builds.
    let lfs_base = fs::format(FS_SIZE, &Params::esp32(FsKind::LittleFs), &user_files()).unwrap();
    let spiffs_base = fs::format(FS_SIZE, &Params::esp32(FsKind::Spiffs), &user_files()).unwrap();
    let secure = Partition {
        label: "esp_secure_cert".into(),
        ty: 0x3F,
        subtype: 0,
        offset: 0xD000,
        size: 0x2000,
        encrypted: false,
        readonly: false,
    };
    let blank = vec![0xFFu8; 0x2000];
    let mut changed = 0;
    for (name, target, part, base) in [
        (
            "LittleFS 1.4 MB + 100 KB user files",
            Target::ArduinoLittlefs,
            spiffs_part(FS_SIZE),
            &lfs_base,
        ),
        (
            "SPIFFS 1.4 MB + 100 KB user files",
            Target::ArduinoSpiffs,
            spiffs_part(FS_SIZE),
            &spiffs_base,
        ),
        (
            "esp_secure_cert 8 KiB",
            Target::EspSecureCert,
            secure.clone(),
            &blank,
        ),
    ] {
        let mut times = Vec::new();
        for _ in 0..15 {
            let t = Instant::now();
            let p = own::place(&opts(target), &part, base, &c).unwrap();
            times.push(t.elapsed());
            if target == Target::ArduinoLittlefs {
                changed = p.changed_bytes();
            }
        }
        println!(
            "image build, {name}: median {} (budget 50 ms)",
            ms(Samples::from(times).median())
        );
    }
    println!("LittleFS: {} KiB of the partition change", changed / 1024);

    // 2. On the wire, against the mock: thingflash, then esptool writing the same sectors.
    let dir = tempfile::tempdir().unwrap();
    let table = esp_idf_part::PartitionTable::try_from_str(TABLE)
        .unwrap()
        .to_bin()
        .unwrap();
    let mut full = vec![0xFFu8; 4 << 20];
    full[0x8000..0x8000 + table.len()].copy_from_slice(&table);
    full[FS_AT as usize..(FS_AT + FS_SIZE) as usize].copy_from_slice(&lfs_base);
    let image = dir.path().join("full.bin");
    std::fs::write(&image, &full).unwrap();
    let mock = Mock::start("esp32c3");
    let esptool = |args: &[&str]| {
        let mut cmd = Command::new(peer("esptool"));
        cmd.args([
            "--chip", "esp32c3", "--port", &mock.port, "--before", "no-reset", "--after",
            "no-reset",
        ]);
        cmd.args(args);
        cmd
    };
    run(&mut esptool(&[
        "write-flash",
        "--flash-size",
        "keep",
        "0x0",
        image.to_str().unwrap(),
    ]));
    // esp32-mock-bootloader ends a session 3 s after its last FLASH_END.
    std::thread::sleep(Duration::from_millis(3300));

    let cable = Cable::to(&mock);
    let req = flash::own::Request {
        own: opts(Target::ArduinoLittlefs),
        creds: &c,
        firmware: None,
    };
    let o = FlashOptions {
        before: Before::NoReset,
        after: After::NoReset,
        ..FlashOptions::new(&cable.port)
    };
    let (mut write_start, mut write_end) = (None, None);
    let (mut sent_start, mut sent_end) = (0, 0);
    let started = Instant::now();
    let report = flash::own::run(&o, &req, &mut |e| match &e {
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
    let write = write_end.unwrap() - write_start.unwrap();
    println!(
        "thingflash: {} range(s), {} KiB of sectors; {} B of flash data on the wire (budget 65536 B), {} B in the whole run",
        report.placement.ranges.len(),
        report.partition_bytes / 1024,
        sent_end - sent_start,
        cable.sent()
    );
    println!(
        "thingflash: write {} (after the read of the partition), whole run {}",
        ms(write),
        ms(total)
    );
    drop(cable);
    std::thread::sleep(Duration::from_millis(3300));

    // esptool: the same sectors, as files at their offsets, through the same kind of relay.
    let cable = Cable::to(&mock);
    let mut args: Vec<String> = Vec::new();
    for (i, (at, data)) in report.placement.segments().iter().enumerate() {
        let p = dir.path().join(format!("range{i}.bin"));
        std::fs::write(&p, data).unwrap();
        args.push(format!("{at:#x}"));
        args.push(p.display().to_string());
    }
    let t = Instant::now();
    let mut cmd = Command::new(peer("esptool"));
    cmd.args([
        "--chip",
        "esp32c3",
        "--port",
        &cable.port,
        "--before",
        "no-reset",
        "--after",
        "no-reset",
    ]);
    run(cmd
        .args(["write-flash", "--flash-size", "keep"])
        .args(&args));
    let esptool_time = t.elapsed();
    println!(
        "esptool write-flash of the same sectors: {} (connect included), {} B on the wire; thingflash write / esptool = {:.2} (budget <= 1.0)",
        ms(esptool_time),
        cable.sent(),
        write.as_secs_f64() / esptool_time.as_secs_f64()
    );
}
