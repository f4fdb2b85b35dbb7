//! Credentials for the user's own firmware, against real peers and no board:
//! esp32-mock-bootloader (the ROM loader and its flash) for every ESP32-family chip it
//! offers that espflash flashes, esptool (write-flash, read-flash, verify-flash,
//! merge-bin), littlefs-python with each Arduino core's littlefs configuration, openssl
//! for the expected bytes, and Espressif's configure_esp_secure_cert.py.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::common::own::{lfs, noise, openssl_ders, settle, sha};
use crate::common::{Cable, Fixtures, Mock, peer, run};
use thingflash::credentials::CredentialSet;
use thingflash::flash::{self, After, Before, Event, FlashError, FlashOptions};
use thingflash::fs::FsKind;
use thingflash::own::{self, OwnError};
use thingflash::partitions::TableError;
use thingflash::target::{NamePreset, Target};

const FLASH: usize = 4 << 20;
const FS_AT: u32 = 0x29_0000;
const FS_SIZE: u32 = 0x16_0000;

/// espressif/arduino-esp32 `tools/partitions/default.csv`.
const ARDUINO_DEFAULT: &str = "\
nvs,      data, nvs,     0x9000,  0x5000,
otadata,  data, ota,     0xe000,  0x2000,
app0,     app,  ota_0,   0x10000, 0x140000,
app1,     app,  ota_1,   0x150000,0x140000,
spiffs,   data, spiffs,  0x290000,0x160000,
coredump, data, coredump,0x3F0000,0x10000,
";

fn table(csv: &str) -> Vec<u8> {
    esp_idf_part::PartitionTable::try_from_str(csv.replace(",,", ",0x00,"))
        .unwrap()
        .to_bin()
        .unwrap()
}

/// A bootloader-shaped blob: the image header with the chip's id, then noise.
fn bootloader(chip: &str) -> (u32, Vec<u8>) {
    let id = thingflash::chip::Chip::from_name(chip)
        .and_then(thingflash::chip::Chip::image_id)
        .unwrap();
    let mut b = noise(0x5000, 7);
    b[0] = 0xE9;
    b[12..14].copy_from_slice(&id.to_le_bytes());
    let at = if matches!(chip, "esp32" | "esp32s2") {
        0x1000
    } else {
        0
    };
    (at, b)
}

/// The user's files: a config and about 100 KB of other data.
fn user_files(dir: &Path) {
    std::fs::create_dir_all(dir.join("www")).unwrap();
    std::fs::write(
        dir.join("config.json"),
        br#"{"wifi":"lab","interval":30,"name":"greenhouse"}"#,
    )
    .unwrap();
    for i in 0..4 {
        std::fs::write(dir.join(format!("www/data{i}.bin")), noise(25_000, i)).unwrap();
    }
}

fn lfs_image(dir: &Path, size: u32) -> Vec<u8> {
    let out = dir.join("fs.bin");
    lfs(&[
        "make",
        &size.to_string(),
        "4096",
        dir.join("files").to_str().unwrap(),
        out.to_str().unwrap(),
    ]);
    std::fs::read(out).unwrap()
}

/// What littlefs-python, configured as `core` mounts it, finds: path -> sha256.
fn lfs_list(image: &[u8], core: &str) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("img.bin");
    std::fs::write(&p, image).unwrap();
    serde_json::from_slice(&lfs(&["list", p.to_str().unwrap(), "4096", core])).unwrap()
}

fn files_in(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (rel, path) in [("/config.json", "config.json")]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .chain((0..4).map(|i| (format!("/www/data{i}.bin"), format!("www/data{i}.bin"))))
    {
        out.insert(rel, sha(&std::fs::read(dir.join(path)).unwrap()));
    }
    out
}

fn opts(port: &str) -> FlashOptions {
    FlashOptions {
        before: Before::NoReset,
        after: After::NoReset,
        ..FlashOptions::new(port)
    }
}

fn own_opts(target: Target, format: bool) -> own::Options {
    own::Options {
        target,
        files: NamePreset::ClassicDer.files(),
        format,
        table_offset: 0x8000,
        region: None,
    }
}

/// Write `segments` over erased flash with one esptool write-flash; the image they make.
fn load(mock: &Mock, segments: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let mut full = vec![0xFFu8; FLASH];
    for (at, data) in segments {
        full[*at as usize..*at as usize + data.len()].copy_from_slice(data);
    }
    let p = dir.path().join("full.bin");
    std::fs::write(&p, &full).unwrap();
    let write = || {
        let mut c = Command::new(peer("esptool"));
        c.args([
            "--chip", &mock.chip, "--port", &mock.port, "--before", "no-reset", "--after",
            "no-reset",
        ])
        .args(["write-flash", "--flash-size", "keep", "0x0"])
        .arg(&p);
        c
    };
    // This is the scenario's setup, not what it tests. Under load (two of these tests
    // each pushing 4 MiB through the mock's pty) esptool's closing MD5 check has once
    // read a garbled answer ("Failed to calculate md5sum (result was 6162)"); one more
    // whole write, again verified by esptool, is what a person would do.
    if !write().output().is_ok_and(|o| o.status.success()) {
        settle();
        run(&mut write());
    }
    settle();
    full
}

/// Every byte outside `[at, at + len)` equals `want` (esptool verify-flash of the two
/// sides: MD5s computed by the stub).
fn assert_outside_is(mock: &Mock, want: &[u8], at: u32, len: u32, what: &str) {
    settle();
    let dir = tempfile::tempdir().unwrap();
    let end = (at + len) as usize;
    let (lo, hi) = (dir.path().join("lo.bin"), dir.path().join("hi.bin"));
    std::fs::write(&lo, &want[..at as usize]).unwrap();
    std::fs::write(&hi, &want[end..]).unwrap();
    let out = Command::new(peer("esptool"))
        .args([
            "--chip", &mock.chip, "--port", &mock.port, "--before", "no-reset", "--after",
            "no-reset",
        ])
        .args(["verify-flash", "--flash-size", "keep", "0x0"])
        .arg(&lo)
        .arg(format!("{end:#x}"))
        .arg(&hi)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{what}: bytes outside the partition changed\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// esptool read-flash, once the last client's session is over.
fn read(mock: &Mock, at: u32, len: usize) -> Vec<u8> {
    settle();
    mock.read_flash(at, len)
}

/// The whole flash equals `want` (esptool verify-flash: MD5 on the stub).
fn assert_flash_is(mock: &Mock, want: &[u8], what: &str) {
    settle();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("want.bin");
    std::fs::write(&p, want).unwrap();
    let out = Command::new(peer("esptool"))
        .args([
            "--chip", &mock.chip, "--port", &mock.port, "--before", "no-reset", "--after",
            "no-reset",
        ])
        .args(["verify-flash", "--flash-size", "keep", "0x0"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{what}: the flash changed\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    settle();
}

fn arduino_board(dir: &Path, chip: &str, csv: &str) -> Vec<(u32, Vec<u8>)> {
    user_files(&dir.join("files"));
    vec![
        bootloader(chip),
        (0x8000, table(csv)),
        (0x10000, noise(300_000, 3)),
        (FS_AT, lfs_image(dir, FS_SIZE)),
    ]
}

fn run_own(
    port: &str,
    o: own::Options,
    c: &CredentialSet,
    fw: Option<&own::FirmwareImage>,
) -> (Result<flash::own::OwnReport, FlashError>, Vec<Event>) {
    let mut events = Vec::new();
    let req = flash::own::Request {
        own: o,
        creds: c,
        firmware: fw,
    };
    let r = flash::own::run(&opts(port), &req, &mut |e| events.push(e));
    (r, events)
}

#[test]
fn arduino_littlefs_on_every_chip_keeps_the_users_files() {
    let fx = Fixtures::new();
    let c = fx.rsa_set();
    let mut want = openssl_ders(&fx);
    // The chips esp32-mock-bootloader offers that espflash 4.7 flashes, as the issue lists.
    for chip in ["esp32", "esp32s2", "esp32s3", "esp32c3", "esp32c6"] {
        let dir = tempfile::tempdir().unwrap();
        let mock = Mock::start(chip);
        let before = load(&mock, &arduino_board(dir.path(), chip, ARDUINO_DEFAULT));
        let user = files_in(&dir.path().join("files"));
        let (r, events) = run_own(
            &mock.port,
            own_opts(Target::ArduinoLittlefs, false),
            &c,
            None,
        );
        let report = r.unwrap_or_else(|e| panic!("{chip}: {e}"));
        assert_eq!(report.board.chip.name(), chip, "detected and named");
        assert_eq!(report.placement.partition.offset, FS_AT);
        assert!(!report.placement.formatted);
        // The listing before holds the user's files; after, theirs and the credentials.
        assert_eq!(report.placement.before.len(), 5);
        assert_eq!(report.verified.len(), 8);
        assert!(events.iter().any(|e| matches!(e, Event::Planned { .. })));
        assert!(
            report.partition_bytes < (FS_SIZE as usize) / 10,
            "{chip}: {} bytes of the partition rewritten",
            report.partition_bytes
        );

        let part = read(&mock, FS_AT, FS_SIZE as usize);
        assert_outside_is(&mock, &before, FS_AT, FS_SIZE, chip);
        want.extend(user.clone());
        for core in ["esp32", "esp8266"] {
            assert_eq!(
                lfs_list(&part, core),
                want,
                "{chip}, mounted as the {core} core does"
            );
        }
        for k in user.keys() {
            want.remove(k);
        }
    }
}

#[test]
fn esp_secure_cert_at_a_non_default_offset_keeps_the_firmwares_records() {
    use thingflash_protocol::tlv::{PartitionWriter, TlvType};
    let fx = Fixtures::new();
    let c = fx.rsa_set();
    let csv = "nvs,data,nvs,0x9000,0x6000\nphy_init,data,phy,0xf000,0x1000\nfactory,app,factory,0x10000,0x200000\nesp_secure_cert,0x3F,,0x310000,0x2000\n";
    // The firmware keeps data of its own in the partition: a USER_DATA_2 record.
    let mut w = PartitionWriter::new(0x2000);
    w.push(TlvType::USER_DATA_2, 0, 0, b"firmware's own record")
        .unwrap();
    let mut existing = w.finish().unwrap();
    existing.resize(0x2000, 0xFF);
    let mock = Mock::start("esp32s3");
    let before = load(
        &mock,
        &[
            bootloader("esp32s3"),
            (0x8000, table(csv)),
            (0x10000, noise(200_000, 5)),
            (0x310000, existing),
        ],
    );
    // `partitions` reads the table from the board and says where each target writes.
    let listed = run(Command::new(env!("CARGO_BIN_EXE_thingflash")).args([
        "partitions",
        "--before",
        "no-reset",
        "--port",
        &mock.port,
    ]));
    let listed = String::from_utf8(listed).unwrap();
    assert!(listed.contains("board: ESP32-S3"), "{listed}");
    assert!(
        listed.contains("esp-secure-cert -> esp_secure_cert at 0x310000 (8 KiB)"),
        "{listed}"
    );
    assert!(
        listed.contains("arduino-littlefs -> not possible"),
        "{listed}"
    );
    let (r, _) = run_own(&mock.port, own_opts(Target::EspSecureCert, false), &c, None);
    let report = r.unwrap();
    assert_eq!(report.placement.partition.offset, 0x310000);
    let after = read(&mock, 0x310000, 0x2000);
    assert_outside_is(&mock, &before, 0x310000, 0x2000, "esp_secure_cert");

    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("part.bin"), &after).unwrap();
    run(Command::new(peer("python3"))
        .current_dir(out.path())
        .arg(peer("configure_esp_secure_cert.py"))
        .args(["--parse_bin", "part.bin"]));
    let contents = out.path().join("esp_secure_cert_parsed_data/contents");
    let read =
        |n: &str| std::fs::read_to_string(contents.join(n)).unwrap_or_else(|e| panic!("{n}: {e}"));
    let ca = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/ca/AmazonRootCA1.pem");
    let pem = |args: &[&str]| String::from_utf8(fx.openssl(args)).unwrap();
    assert_eq!(
        read("devcert_1_0.pem"),
        pem(&["x509", "-in", "rsa-certificate.pem.crt"])
    );
    assert_eq!(
        read("cacert_0_0.pem"),
        pem(&["x509", "-in", ca.to_str().unwrap()])
    );
    assert_eq!(
        read("privkey_2_0.pem"),
        pem(&["rsa", "-in", "rsa-pkcs1.key", "-traditional"])
    );
    let p = thingflash_protocol::tlv::Partition::parse_strict(&after[..]).unwrap();
    assert_eq!(
        p.first(TlvType::USER_DATA_2).unwrap().value,
        b"firmware's own record"
    );
    assert!(
        p.first(TlvType::USER_DATA_1).is_none(),
        "no thingflash config record unless asked"
    );
}

fn own_err(r: Result<flash::own::OwnReport, FlashError>) -> OwnError {
    match r {
        Err(FlashError::Own(e)) => *e,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn refusals_write_nothing_and_say_why() {
    let fx = Fixtures::new();
    let c = fx.rsa_set();
    let mock = Mock::start("esp32c3");
    let dir = tempfile::tempdir().unwrap();
    let board = arduino_board(dir.path(), "esp32c3", ARDUINO_DEFAULT);
    let (bl, tbl, app, fs) = (
        board[0].clone(),
        board[1].clone(),
        board[2].clone(),
        board[3].clone(),
    );

    // No table at all: blank flash.
    let state = load(&mock, &[]);
    let e = own_err(
        run_own(
            &mock.port,
            own_opts(Target::ArduinoLittlefs, false),
            &c,
            None,
        )
        .0,
    );
    assert!(
        matches!(e, OwnError::Table(TableError::Blank { .. })),
        "{e}"
    );
    assert_flash_is(&mock, &state, "no table");

    // A blank partition: not without --format; with it, a file system holding the credentials.
    let state = load(&mock, &[bl.clone(), tbl.clone(), app.clone()]);
    let e = own_err(
        run_own(
            &mock.port,
            own_opts(Target::ArduinoLittlefs, false),
            &c,
            None,
        )
        .0,
    );
    assert!(
        matches!(
            e,
            OwnError::Blank {
                kind: FsKind::LittleFs,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("--format"), "{e}");
    assert_flash_is(&mock, &state, "blank partition");
    let r = run_own(
        &mock.port,
        own_opts(Target::ArduinoLittlefs, true),
        &c,
        None,
    )
    .0
    .unwrap();
    assert!(r.placement.formatted);
    let after = read(&mock, FS_AT, FS_SIZE as usize);
    assert_eq!(lfs_list(&after, "esp8266"), openssl_ders(&fx));

    // LittleFS on the board, SPIFFS chosen: the sketch would reformat; refused.
    let state = load(&mock, &[bl.clone(), tbl.clone(), app.clone(), fs.clone()]);
    let e = own_err(run_own(&mock.port, own_opts(Target::ArduinoSpiffs, false), &c, None).0);
    assert!(
        matches!(
            e,
            OwnError::WrongKind {
                wanted: FsKind::Spiffs,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("LittleFS"), "{e}");
    assert_flash_is(&mock, &state, "wrong kind");

    // No file-system partition in the table.
    let no_fs = table("nvs,data,nvs,0x9000,0x6000\nfactory,app,factory,0x10000,0x300000\n");
    let state = load(&mock, &[bl.clone(), (0x8000, no_fs), app.clone()]);
    let e = own_err(
        run_own(
            &mock.port,
            own_opts(Target::ArduinoLittlefs, false),
            &c,
            None,
        )
        .0,
    );
    assert!(matches!(e, OwnError::NoPartition(_)), "{e}");
    assert_flash_is(&mock, &state, "no partition");

    // An encrypted partition.
    let enc = table(&ARDUINO_DEFAULT.replace(
        "spiffs,  0x290000,0x160000,",
        "spiffs,  0x290000,0x160000,encrypted",
    ));
    let state = load(&mock, &[bl.clone(), (0x8000, enc), app.clone(), fs.clone()]);
    let e = own_err(
        run_own(
            &mock.port,
            own_opts(Target::ArduinoLittlefs, false),
            &c,
            None,
        )
        .0,
    );
    assert!(matches!(e, OwnError::Encrypted { .. }), "{e}");
    assert_flash_is(&mock, &state, "encrypted");

    // A table whose MD5 does not match.
    let mut bad = tbl.1.clone();
    bad[4 * 32 + 8] ^= 0x01;
    let state = load(&mock, &[bl.clone(), (0x8000, bad), app.clone(), fs.clone()]);
    let e = own_err(
        run_own(
            &mock.port,
            own_opts(Target::ArduinoLittlefs, false),
            &c,
            None,
        )
        .0,
    );
    assert!(
        matches!(e, OwnError::Table(TableError::Md5Mismatch { .. })),
        "{e}"
    );
    assert_flash_is(&mock, &state, "md5");

    // A partition too small for what it holds and the credentials.
    let small_csv = ARDUINO_DEFAULT.replace(
        "spiffs,   data, spiffs,  0x290000,0x160000,",
        "spiffs,   data, spiffs,  0x290000,0x8000,",
    );
    let small_dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(small_dir.path().join("files")).unwrap();
    std::fs::write(small_dir.path().join("files/log.bin"), noise(20_000, 9)).unwrap();
    let small_fs = lfs_image(small_dir.path(), 0x8000);
    let state = load(
        &mock,
        &[
            bl.clone(),
            (0x8000, table(&small_csv)),
            app.clone(),
            (FS_AT, small_fs),
        ],
    );
    let e = own_err(
        run_own(
            &mock.port,
            own_opts(Target::ArduinoLittlefs, false),
            &c,
            None,
        )
        .0,
    );
    assert!(matches!(e, OwnError::TooSmall { .. }), "{e}");
    assert_flash_is(&mock, &state, "too small");
}

#[test]
fn a_cable_cut_mid_write_leaves_the_files_and_a_retry_completes() {
    let fx = Fixtures::new();
    let c = fx.rsa_set();
    let mock = Mock::start("esp32c3");
    let dir = tempfile::tempdir().unwrap();
    load(
        &mock,
        &arduino_board(dir.path(), "esp32c3", ARDUINO_DEFAULT),
    );
    let user = files_in(&dir.path().join("files"));

    let cable = Cable::to(&mock);
    let mut events = Vec::new();
    let req = flash::own::Request {
        own: own_opts(Target::ArduinoLittlefs, false),
        creds: &c,
        firmware: None,
    };
    let mut armed = false;
    let r = flash::own::run(&opts(&cable.port), &req, &mut |e| {
        if let Event::Progress(p) = &e
            && p.segment == "file system"
            && !armed
        {
            // A little way into the first range: the cable is pulled.
            cable.cut_after(1500);
            armed = true;
        }
        events.push(e);
    });
    assert!(armed, "the file-system write never started: {r:?}");
    let e = r.unwrap_err();
    assert!(
        matches!(e, FlashError::PartitionInterrupted { .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("run the same flash again"), "{e}");
    drop(cable);

    // The retry completes, through a new cable. It reads the partition first: what it
    // found there is the state the cut left, and every file of the user's is in it.
    settle();
    let cable = Cable::to(&mock);
    let (r, _) = run_own(
        &cable.port,
        own_opts(Target::ArduinoLittlefs, false),
        &c,
        None,
    );
    let report = r.unwrap();
    let found: BTreeMap<String, String> = report
        .placement
        .before
        .iter()
        .map(|f| (f.path.clone(), f.sha256.clone()))
        .collect();
    for (path, hash) in &user {
        assert_eq!(
            found.get(path).map(String::as_str),
            Some(&hash[..8]),
            "{path} after the cut"
        );
    }
    drop(cable);
    let mut want = openssl_ders(&fx);
    want.extend(user);
    assert_eq!(
        lfs_list(&read(&mock, FS_AT, FS_SIZE as usize), "esp8266"),
        want
    );
}

#[test]
fn a_merged_arduino_image_and_the_credentials_in_one_run() {
    let fx = Fixtures::new();
    let c = fx.rsa_set();
    let dir = tempfile::tempdir().unwrap();
    let parts = arduino_board(dir.path(), "esp32", ARDUINO_DEFAULT);
    // esptool merge-bin, as the Arduino IDE's "Export Compiled Binary" does, padded to
    // the flash size.
    let mut cmd = Command::new(peer("esptool"));
    cmd.args([
        "--chip",
        "esp32",
        "merge-bin",
        "--fill-flash-size",
        "4MB",
        "-o",
    ])
    .arg(dir.path().join("sketch.ino.merged.bin"));
    for (i, (at, data)) in parts.iter().enumerate() {
        let p = dir.path().join(format!("part{i}.bin"));
        std::fs::write(&p, data).unwrap();
        cmd.arg(format!("{at:#x}")).arg(p);
    }
    run(&mut cmd);
    let merged_path = dir.path().join("sketch.ino.merged.bin");
    let merged = std::fs::read(&merged_path).unwrap();
    let fw = own::read_firmware(&merged_path).unwrap();
    assert_eq!(fw.chip_id, Some(0));

    let mock = Mock::start("esp32");
    load(&mock, &[]);
    let (r, _) = run_own(
        &mock.port,
        own_opts(Target::ArduinoLittlefs, false),
        &c,
        Some(&fw),
    );
    let report = r.unwrap();
    assert_eq!(report.firmware_bytes, FLASH - FS_SIZE as usize);
    let part = read(&mock, FS_AT, FS_SIZE as usize);
    assert_outside_is(
        &mock,
        &merged,
        FS_AT,
        FS_SIZE,
        "the image outside the file system",
    );
    let mut want = openssl_ders(&fx);
    want.extend(files_in(&dir.path().join("files")));
    assert_eq!(lfs_list(&part, "esp32"), want);

    // An image for another chip is refused before anything is written.
    let c3 = Mock::start("esp32c3");
    let state = load(&c3, &[]);
    let (r, _) = run_own(
        &c3.port,
        own_opts(Target::ArduinoLittlefs, false),
        &c,
        Some(&fw),
    );
    assert!(
        matches!(r, Err(FlashError::ImageForOtherChip { .. })),
        "{r:?}"
    );
    assert_flash_is(&c3, &state, "image for another chip");
}

#[test]
fn image_and_partitions_commands_without_a_board() {
    let fx = Fixtures::new();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("default.csv");
    std::fs::write(&csv, ARDUINO_DEFAULT).unwrap();
    let bin = env!("CARGO_BIN_EXE_thingflash");
    let cert = fx.path("rsa-certificate.pem.crt");
    let key = fx.path("rsa-pkcs1.key");

    let listing = run(Command::new(bin).args(["partitions", "--file"]).arg(&csv));
    let text = String::from_utf8(listing).unwrap();
    assert!(
        text.contains("spiffs") && text.contains("0x290000"),
        "{text}"
    );
    assert!(
        text.contains("arduino-littlefs -> spiffs at 0x290000"),
        "{text}"
    );
    assert!(text.contains("esp-secure-cert -> not possible"), "{text}");

    // LittleFS from the table, read by littlefs-python as both cores mount it.
    let out = dir.path().join("fs.bin");
    run(Command::new(bin)
        .args(["image", "--target", "arduino-littlefs", "--partitions"])
        .arg(&csv)
        .arg("--out")
        .arg(&out)
        .arg(&cert)
        .arg(&key));
    let img = std::fs::read(&out).unwrap();
    assert_eq!(img.len(), FS_SIZE as usize);
    assert_eq!(lfs_list(&img, "esp8266"), openssl_ders(&fx));
    assert_eq!(lfs_list(&img, "esp32"), openssl_ders(&fx));
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // Added to an existing image (as read from a board): its files stay.
    let base_dir = tempfile::tempdir().unwrap();
    user_files(&base_dir.path().join("files"));
    let base = lfs_image(base_dir.path(), 0x40000);
    std::fs::write(dir.path().join("base.bin"), &base).unwrap();
    let out2 = dir.path().join("fs2.bin");
    run(Command::new(bin)
        .args([
            "image",
            "--target",
            "arduino-littlefs",
            "--names",
            "aws-pem",
            "--base",
        ])
        .arg(dir.path().join("base.bin"))
        .arg("--out")
        .arg(&out2)
        .arg(&cert)
        .arg(&key));
    let listed = lfs_list(&std::fs::read(&out2).unwrap(), "esp32");
    for (p, h) in files_in(&base_dir.path().join("files")) {
        assert_eq!(listed.get(&p), Some(&h));
    }
    let pem = fx.openssl(&["x509", "-in", "rsa-certificate.pem.crt"]);
    assert_eq!(listed.get("/certificate.pem.crt"), Some(&sha(&pem)));

    // SPIFFS: no independent reader exists; thingflash's own reader reads it back.
    let out3 = dir.path().join("spiffs.bin");
    run(Command::new(bin)
        .args([
            "image",
            "--target",
            "arduino-spiffs",
            "--size",
            "0x20000",
            "--out",
        ])
        .arg(&out3)
        .arg(&cert)
        .arg(&key));
    let img = std::fs::read(&out3).unwrap();
    let files =
        thingflash::fs::files(&img, &thingflash::fs::Params::esp32(FsKind::Spiffs)).unwrap();
    assert_eq!(
        files.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        ["/ca.der", "/cert.der", "/private.der"]
    );

    // esp_secure_cert, read by Espressif's tool.
    let out4 = dir.path().join("esp_secure_cert.bin");
    run(Command::new(bin)
        .args([
            "image",
            "--target",
            "esp-secure-cert",
            "--size",
            "0x2000",
            "--out",
        ])
        .arg(&out4)
        .arg(&cert)
        .arg(&key));
    run(Command::new(peer("python3"))
        .current_dir(dir.path())
        .arg(peer("configure_esp_secure_cert.py"))
        .args(["--parse_bin", "esp_secure_cert.bin"]));
    let dev = std::fs::read_to_string(
        dir.path()
            .join("esp_secure_cert_parsed_data/contents/devcert_1_0.pem"),
    )
    .unwrap();
    assert_eq!(dev.as_bytes(), pem);

    // Refusals are usage errors that write nothing.
    let out5 = dir.path().join("never.bin");
    let o = Command::new(bin)
        .args([
            "image",
            "--target",
            "arduino-littlefs",
            "--file-list",
            "cert=cert.der,key=/k.der",
            "--size",
            "0x20000",
            "--out",
        ])
        .arg(&out5)
        .arg(&cert)
        .arg(&key)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("cert=/cert.der"));
    assert!(!out5.exists());
}

#[test]
fn esp_idf_flasher_args_are_read_as_idf_py_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    let build = dir.path().join("build");
    std::fs::create_dir_all(build.join("bootloader")).unwrap();
    std::fs::create_dir_all(build.join("partition_table")).unwrap();
    let (_, bl) = bootloader("esp32s3");
    std::fs::write(build.join("bootloader/bootloader.bin"), &bl).unwrap();
    std::fs::write(
        build.join("partition_table/partition-table.bin"),
        table(ARDUINO_DEFAULT),
    )
    .unwrap();
    std::fs::write(build.join("my-app.bin"), noise(50_000, 4)).unwrap();
    // The shape `idf.py build` writes (ESP-IDF 5.x build/flasher_args.json).
    std::fs::write(
        build.join("flasher_args.json"),
        r#"{
    "write_flash_args" : [ "--flash_mode", "dio", "--flash_size", "4MB", "--flash_freq", "80m" ],
    "flash_settings" : { "flash_mode": "dio", "flash_size": "4MB", "flash_freq": "80m" },
    "flash_files" : {
        "0x0" : "bootloader/bootloader.bin",
        "0x10000" : "my-app.bin",
        "0x8000" : "partition_table/partition-table.bin"
    },
    "bootloader" : { "offset" : "0x0", "file" : "bootloader/bootloader.bin", "encrypted" : "false" },
    "app" : { "offset" : "0x10000", "file" : "my-app.bin", "encrypted" : "false" },
    "partition-table" : { "offset" : "0x8000", "file" : "partition_table/partition-table.bin", "encrypted" : "false" },
    "extra_esptool_args" : { "after" : "hard_reset", "before" : "default_reset", "stub" : true, "chip" : "esp32s3" }
}"#,
    )
    .unwrap();
    let fw = own::read_firmware(&build.join("flasher_args.json")).unwrap();
    assert_eq!(
        thingflash::chip::Chip::from_image_id(fw.chip_id.unwrap()),
        Some(thingflash::chip::Chip::Esp32s3)
    );
    assert_eq!(
        fw.segments.iter().map(|s| s.0).collect::<Vec<_>>(),
        [0, 0x8000, 0x10000]
    );
    // The table the credentials follow is the image's own.
    let t = thingflash::partitions::parse(fw.bytes_at(0x8000, 0xC00).unwrap(), 0x8000).unwrap();
    assert_eq!(
        own::choose_partition(Target::ArduinoLittlefs, &t)
            .unwrap()
            .offset,
        FS_AT
    );
    // The app without a partition in its way is kept whole.
    assert_eq!(fw.without(FS_AT, u64::from(FS_AT + FS_SIZE)).len(), 3);

    // Missing files and overlaps are explained.
    std::fs::remove_file(build.join("my-app.bin")).unwrap();
    let e = own::read_firmware(&build.join("flasher_args.json")).unwrap_err();
    assert!(
        e.to_string().contains("my-app.bin") && e.to_string().contains("build the project first"),
        "{e}"
    );
    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, noise(10_000, 1)).unwrap();
    let e = own::read_firmware(&junk).unwrap_err();
    assert!(e.to_string().contains("Export Compiled Binary"), "{e}");
}
