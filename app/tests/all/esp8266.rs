//! The ESP8266 of the classic AWS IoT guide, without a board: thingflash's own ROM
//! client against esp32-mock-bootloader `--chip esp8266` (with the flasher stub; esptool
//! loads and reads back the flash, littlefs-python mounts the file system with the
//! ESP8266 core's configuration), and against the strict fake ROM in
//! `common/rom8266.rs` (no stub: ROM mode, where the ROM's erase miscount must not
//! touch a byte outside the file system).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::common::own::{lfs, noise, openssl_ders, settle, sha};
use crate::common::rom8266::{FakeRom, pattern};
use crate::common::{Fixtures, Mock, peer, run};
use thingflash::credentials::CredentialSet;
use thingflash::esp8266::{self, Region};
use thingflash::flash::{self, After, Before, Event, FlashError, FlashOptions};
use thingflash::fs::{self as tfs, FsKind};
use thingflash::own;
use thingflash::target::{NamePreset, Target};

const FLASH: usize = 4 << 20;

fn opts(port: &str) -> FlashOptions {
    FlashOptions {
        before: Before::NoReset,
        after: After::NoReset,
        ..FlashOptions::new(port)
    }
}

fn request<'a>(
    target: Target,
    layout: &str,
    format: bool,
    c: &'a CredentialSet,
    sketch: Option<&'a [u8]>,
    stub: bool,
) -> flash::esp8266::Request<'a> {
    flash::esp8266::Request {
        own: own::Options {
            target,
            files: NamePreset::ClassicDer.files(),
            format,
            table_offset: 0x8000,
            region: Some(Region::from(esp8266::layout(layout).unwrap())),
        },
        creds: c,
        sketch,
        stub,
    }
}

fn run_8266(
    port: &str,
    req: &flash::esp8266::Request<'_>,
) -> (
    Result<flash::esp8266::Esp8266Report, FlashError>,
    Vec<Event>,
) {
    let mut events = Vec::new();
    let r = flash::esp8266::run(&opts(port), req, &mut |e| events.push(e));
    (r, events)
}

/// What littlefs-python, configured as the ESP8266 core mounts it, finds in a region.
fn lfs_list(image: &[u8], block: u32) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("img.bin");
    std::fs::write(&p, image).unwrap();
    serde_json::from_slice(&lfs(&[
        "list",
        p.to_str().unwrap(),
        &block.to_string(),
        "esp8266",
    ]))
    .unwrap()
}

/// A LittleFS image littlefs-python makes, with the user's files.
fn user_image(dir: &Path, size: u32, block: u32) -> (Vec<u8>, BTreeMap<String, String>) {
    let files = dir.join("files");
    std::fs::create_dir_all(files.join("www")).unwrap();
    let config = br#"{"interval":30,"topic":"greenhouse/telemetry"}"#;
    std::fs::write(files.join("config.json"), config).unwrap();
    let page = noise(40_000, 5);
    std::fs::write(files.join("www/index.html"), &page).unwrap();
    let out = dir.join("fs.bin");
    lfs(&[
        "make",
        &size.to_string(),
        &block.to_string(),
        files.to_str().unwrap(),
        out.to_str().unwrap(),
    ]);
    let want = BTreeMap::from([
        ("/config.json".to_string(), sha(config)),
        ("/www/index.html".to_string(), sha(&page)),
    ]);
    (std::fs::read(out).unwrap(), want)
}

/// A sketch-shaped image: the ESP8266 header (magic, 1 segment, DIO, 4 MB/40 MHz, eboot's
/// entry point in IRAM), then data.
fn sketch() -> Vec<u8> {
    let mut s = noise(300_001, 9);
    s[..8].copy_from_slice(&[0xE9, 0x01, 0x02, 0x40, 0x00, 0xf0, 0x10, 0x40]);
    s
}

fn esptool(mock: &Mock, args: &[&str]) {
    run(Command::new(peer("esptool"))
        .args(["--chip", "esp8266", "--port", &mock.port])
        .args(["--before", "no-reset", "--after", "no-reset"])
        .args(args));
}

#[test]
fn with_the_stub_the_users_files_are_kept_and_everything_is_read_back() {
    let fx = Fixtures::new();
    let c = fx.rsa_set();
    let region = Region::from(esp8266::layout("4M2M").unwrap());
    let dir = tempfile::tempdir().unwrap();
    let (fs_image, user) = user_image(dir.path(), region.size, region.block);
    // The board as the Arduino IDE left it: something at 0x0 and the sketch's data
    // folder uploaded to 0x200000.
    let mut board = vec![0xFF; FLASH];
    board[..0x2_0000].copy_from_slice(&noise(0x2_0000, 1));
    board[region.offset as usize..region.offset as usize + fs_image.len()]
        .copy_from_slice(&fs_image);
    let full = dir.path().join("board.bin");
    std::fs::write(&full, &board).unwrap();
    let mock = Mock::start("esp8266");
    esptool(
        &mock,
        &[
            "write-flash",
            "--flash-size",
            "keep",
            "0x0",
            full.to_str().unwrap(),
        ],
    );
    settle();

    let sketch = sketch();
    let req = request(
        Target::Esp8266Littlefs,
        "4M2M",
        false,
        &c,
        Some(&sketch),
        true,
    );
    let (r, events) = run_8266(&mock.port, &req);
    let report = r.unwrap_or_else(|e| panic!("{e}"));
    assert!(report.stub, "the stub ran");
    assert_eq!(report.board.chip, thingflash::chip::Chip::Esp8266);
    assert_eq!(
        report.board.flash_bytes,
        Some(4 << 20),
        "from the flash chip's id"
    );
    assert!(report.board.mac.is_some());
    assert!(!report.placement.formatted);
    assert_eq!(report.placement.before.len(), 2);
    assert_eq!(report.verified.as_ref().map(Vec::len), Some(5));
    assert!(events.iter().any(|e| matches!(e, Event::Verified { .. })));
    assert!(!events.iter().any(|e| matches!(e, Event::Notice { .. })));
    assert!(
        report.fs_bytes <= 48 * 1024,
        "{} bytes of the file system rewritten",
        report.fs_bytes
    );

    settle();
    let out = dir.path().join("read.bin");
    esptool(
        &mock,
        &[
            "read-flash",
            "0x0",
            &FLASH.to_string(),
            out.to_str().unwrap(),
        ],
    );
    let after = std::fs::read(&out).unwrap();
    // The sketch at 0x0, the file system holding the user's files and the credentials
    // exactly as openssl writes them, and nothing else changed.
    assert_eq!(&after[..sketch.len()], &sketch[..]);
    let fs_range = region.offset as usize..region.end() as usize;
    let mut want = openssl_ders(&fx);
    want.extend(user);
    assert_eq!(lfs_list(&after[fs_range.clone()], region.block), want);
    let padded = sketch.len().div_ceil(4096) * 4096;
    assert_eq!(
        &after[padded..fs_range.start],
        &board[padded..fs_range.start]
    );
    assert_eq!(&after[fs_range.end..], &board[fs_range.end..]);
}

#[test]
fn the_wrong_file_system_is_never_written_and_the_chip_families_are_told_apart() {
    let fx = Fixtures::new();
    let c = fx.rsa_set();
    let region = Region::from(esp8266::layout("4M2M").unwrap());
    let dir = tempfile::tempdir().unwrap();
    let (fs_image, _) = user_image(dir.path(), region.size, region.block);
    let p = dir.path().join("fs.bin");
    std::fs::write(&p, &fs_image).unwrap();
    let mock = Mock::start("esp8266");
    esptool(
        &mock,
        &[
            "write-flash",
            "--flash-size",
            "keep",
            "0x200000",
            p.to_str().unwrap(),
        ],
    );
    settle();
    // The sketch mounts SPIFFS, the board holds LittleFS: refused, nothing written.
    let req = request(Target::Esp8266Spiffs, "4M2M", false, &c, None, true);
    let e = run_8266(&mock.port, &req).0.unwrap_err();
    assert!(
        matches!(&e, FlashError::Own(o) if matches!(**o, own::OwnError::WrongKind { .. })),
        "{e}"
    );
    // The right kind, but the layout of another sketch: the region holds no file system.
    let req = request(Target::Esp8266Littlefs, "4M1M", false, &c, None, true);
    let e = run_8266(&mock.port, &req).0.unwrap_err();
    assert!(matches!(&e, FlashError::Own(_)), "{e}");
    // A layout for a bigger flash than the chip's id says.
    let req = request(Target::Esp8266Littlefs, "16M14M", false, &c, None, true);
    let e = run_8266(&mock.port, &req).0.unwrap_err().to_string();
    assert!(e.contains("4M2M"), "the board's layouts are suggested: {e}");
    settle();
    let out = dir.path().join("read.bin");
    esptool(
        &mock,
        &[
            "read-flash",
            "0x200000",
            &fs_image.len().to_string(),
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(
        std::fs::read(&out).unwrap(),
        fs_image,
        "nothing was written"
    );

    // An ESP32-family target on an ESP8266 says so; and the other way round.
    settle();
    let o = own::Options {
        target: Target::ArduinoLittlefs,
        files: NamePreset::ClassicDer.files(),
        format: false,
        table_offset: 0x8000,
        region: None,
    };
    let req = flash::own::Request {
        own: o,
        creds: &c,
        firmware: None,
    };
    let e = flash::own::run(&opts(&mock.port), &req, &mut |_| {}).unwrap_err();
    assert!(matches!(e, FlashError::IsEsp8266), "{e}");
    let c3 = Mock::start("esp32c3");
    let req = request(Target::Esp8266Spiffs, "4M2M", false, &c, None, true);
    let e = run_8266(&c3.port, &req).0.unwrap_err();
    assert!(
        matches!(&e, FlashError::NotEsp8266 { found } if found.to_lowercase().contains("c3")),
        "{e}"
    );
}

/// The strict fake ROM: no stub, so only a new file system can be written, every byte
/// outside the region stays, and the region mounts as the ESP8266 core mounts it.
#[test]
fn rom_mode_writes_only_the_used_blocks_and_nothing_outside_the_region() {
    let fx = Fixtures::new();
    let c = fx.rsa_set();
    let board = pattern(FLASH);
    let rom = FakeRom::start(board.clone());

    // Without the stub nothing can be read: the user's files cannot be kept, so without
    // --format nothing is written.
    let req = request(Target::Esp8266Littlefs, "4M2M", false, &c, None, true);
    let (r, events) = run_8266(&rom.port, &req);
    assert!(
        matches!(r, Err(FlashError::Esp8266CannotRead { .. })),
        "{r:?}"
    );
    assert!(events.iter().any(|e| matches!(e, Event::Notice { .. })));
    assert_eq!(rom.flash(), board, "nothing written");

    let req = request(Target::Esp8266Littlefs, "4M2M", true, &c, None, true);
    let (r, _) = run_8266(&rom.port, &req);
    let report = r.unwrap_or_else(|e| panic!("{e}"));
    assert!(!report.stub);
    assert!(
        report.verified.is_none(),
        "ROM mode verifies nothing and says so"
    );
    assert_eq!(
        report.board.flash_bytes,
        Some(4 << 20),
        "RDID through the SPI registers"
    );
    {
        let st = rom.state.lock().unwrap();
        assert!(st.errors.is_empty(), "protocol errors: {:?}", st.errors);
        assert!(
            st.refused.is_empty(),
            "commands the ROM lacks were sent: {:x?}",
            st.refused
        );
        // The issue's budget for this write; the figure goes to the test output.
        eprintln!(
            "ROM mode, 4M2M LittleFS: {} B of flash data on the wire",
            st.data_bytes
        );
        assert_eq!(st.data_bytes, report.wire_bytes);
        assert!(
            st.data_bytes <= 48 * 1024,
            "{} bytes of flash data",
            st.data_bytes
        );
        let region = &report.region;
        assert!(
            st.erased
                .iter()
                .all(|s| (region.offset / 4096..(region.end() / 4096) as u32).contains(s)),
            "a sector outside the region was erased"
        );
    }
    let after = rom.flash();
    let r = report.region.offset as usize..report.region.end() as usize;
    assert_eq!(&after[..r.start], &board[..r.start]);
    assert_eq!(&after[r.end..], &board[r.end..]);
    assert_eq!(lfs_list(&after[r], report.region.block), openssl_ders(&fx));
}

#[test]
fn rom_mode_spiffs_with_4k_blocks_and_a_sketch_erase_exactly_what_they_write() {
    let fx = Fixtures::new();
    let c = fx.rsa_set();
    let board = pattern(FLASH);
    let rom = FakeRom::start(board.clone());
    let sketch = sketch();
    // 1M64: a 64 KiB SPIFFS at 0xEB000, in the middle of a 64 KiB block, 4 KiB blocks.
    let req = request(
        Target::Esp8266Spiffs,
        "1M64",
        true,
        &c,
        Some(&sketch),
        false,
    );
    let (r, events) = run_8266(&rom.port, &req);
    let report = r.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Notice { message } if message.contains("--no-stub")))
    );
    let st = rom.state.lock().unwrap();
    assert!(st.errors.is_empty(), "{:?}", st.errors);
    assert!(st.refused.is_empty(), "{:x?}", st.refused);
    drop(st);
    let after = rom.flash();
    let region = report.region.offset as usize..report.region.end() as usize;
    let sketch_end = sketch.len().div_ceil(4096) * 4096;
    assert_eq!(&after[..sketch.len()], &sketch[..]);
    // Between the sketch and the file system, and after it, nothing moved (the sketch's
    // odd sector count was evened with erased bytes inside its own area only).
    assert!(after[sketch.len()..sketch_end].iter().all(|b| *b == 0xFF));
    let gap_start = sketch_end + 4096;
    assert_eq!(
        &after[gap_start..region.start],
        &board[gap_start..region.start]
    );
    assert_eq!(&after[region.end..], &board[region.end..]);
    // No independent SPIFFS reader exists: thingflash's own, with the ESP8266 layout.
    let params = report.region.params(FsKind::Spiffs);
    let files: BTreeMap<String, String> = tfs::files(&after[region], &params)
        .unwrap()
        .into_iter()
        .map(|(p, d)| (p, sha(&d)))
        .collect();
    assert_eq!(files, openssl_ders(&fx));
}

#[test]
fn image_command_builds_the_layouts_file_system_for_esptool() {
    let fx = Fixtures::new();
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_thingflash");
    let out = dir.path().join("fs.bin");
    let text = run(Command::new(bin)
        .args([
            "image",
            "--target",
            "esp8266-littlefs",
            "--layout",
            "4M1M",
            "--out",
        ])
        .arg(&out)
        .arg(fx.path("rsa-certificate.pem.crt"))
        .arg(fx.path("rsa-pkcs1.key")));
    let text = String::from_utf8(text).unwrap();
    let region = Region::from(esp8266::layout("4M1M").unwrap());
    let img = std::fs::read(&out).unwrap();
    assert_eq!(img.len(), region.size as usize);
    // Mounted by littlefs-python with the ESP8266 core's configuration (8 KiB blocks).
    assert_eq!(lfs_list(&img, region.block), openssl_ders(&fx));
    assert!(text.contains("esptool write-flash 0x300000"), "{text}");

    // SPIFFS with the ESP8266 core's layout: our reader, with the ESP8266 parameters.
    let out = dir.path().join("spiffs.bin");
    run(Command::new(bin)
        .args([
            "image",
            "--target",
            "esp8266-spiffs",
            "--layout",
            "1M64",
            "--out",
        ])
        .arg(&out)
        .arg(fx.path("rsa-certificate.pem.crt"))
        .arg(fx.path("rsa-pkcs1.key")));
    let region = Region::from(esp8266::layout("1M64").unwrap());
    let img = std::fs::read(&out).unwrap();
    let files: BTreeMap<String, String> = tfs::files(&img, &region.params(FsKind::Spiffs))
        .unwrap()
        .into_iter()
        .map(|(p, d)| (p, sha(&d)))
        .collect();
    assert_eq!(files, openssl_ders(&fx));

    // A table or a size that is not the layout's is refused, naming the fix.
    for args in [
        &["--layout", "4M2M", "--partitions", "x.csv"][..],
        &["--layout", "4M2M", "--size", "0x1000"][..],
        &["--layout", "4M9M"][..],
    ] {
        let o = Command::new(bin)
            .args(["image", "--target", "esp8266-spiffs", "--out"])
            .arg(dir.path().join("refused.bin"))
            .args(args)
            .arg(fx.path("rsa-certificate.pem.crt"))
            .arg(fx.path("rsa-pkcs1.key"))
            .output()
            .unwrap();
        assert!(!o.status.success(), "{args:?}");
        assert!(!dir.path().join("refused.bin").exists());
        assert!(!o.stderr.is_empty());
    }
}

#[test]
fn sketch_images_as_esptool_makes_them_are_told_from_esp32_family_images() {
    let dir = tempfile::tempdir().unwrap();
    // An ESP8266 image of the lx106-built test sketch, by esptool's elf2image.
    let elf = crate::common::lx106::sketch(dir.path());
    let prefix = dir.path().join("sketch-");
    run(Command::new(peer("esptool"))
        .args([
            "--chip",
            "esp8266",
            "elf2image",
            "--version",
            "1",
            "--output",
        ])
        .arg(&prefix)
        .arg(&elf));
    let image = std::fs::read(dir.path().join("sketch-0x00000.bin")).unwrap();
    assert!(esp8266::is_sketch_image(&image));
    // The ESP32-C3 and C6 firmware thingflash embeds, made into images the same way.
    for chip in ["esp32c3", "esp32c6"] {
        let out = dir.path().join(format!("{chip}.bin"));
        let elf = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../assets/firmware/thingflash-{chip}.elf"));
        run(Command::new(peer("esptool"))
            .args(["--chip", chip, "elf2image", "--output"])
            .arg(&out)
            .arg(&elf));
        let image = std::fs::read(&out).unwrap();
        assert_eq!(image[0], 0xE9, "{chip}: esptool's image magic");
        assert!(!esp8266::is_sketch_image(&image), "{chip}");
    }
}
