//! Bundle and flash against real peers: esptool (merge-bin, image-info, read-flash),
//! Espressif's esp_secure_cert tool, and esp32-mock-bootloader (a ROM loader with a
//! virtual flash on a pseudo-terminal). No board is attached.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use crate::common::{Fixtures, Mock, peer, run};
use thingflash::bundle::{self, FlashSize, Plan};
use thingflash::chip::Chip;
use thingflash::credentials;
use thingflash::credentials::CredentialSet as Credentials;
use thingflash::flash::{self, After, Before, Event, FlashError, FlashOptions};
use thingflash_protocol::config::DeviceConfig;
use zeroize::Zeroizing;

const HOST: &str = "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com";

fn config(ssid: &str) -> DeviceConfig {
    DeviceConfig {
        wifi_ssid: ssid.into(),
        wifi_password: Zeroizing::new("correct horse".into()),
        host: HOST.into(),
        client_id: "sensor-1".into(),
        ..DeviceConfig::default()
    }
}

fn plan_for(c: &Credentials, cfg: &DeviceConfig, chip: Chip, size: FlashSize) -> Plan {
    bundle::plan(&bundle::Request {
        chip,
        flash_size: size,
        credentials: thingflash::bundle::DeviceCreds::Set(c),
        config: cfg,
        firmware_elf: None,
    })
    .unwrap()
}

/// What `flash::run` calls once it knows the chip and flash size.
fn planner<'a>(
    c: &'a Credentials,
    cfg: &'a DeviceConfig,
) -> impl FnMut(Chip, FlashSize) -> Result<Plan, bundle::BundleError> + 'a {
    move |chip, flash_size| {
        bundle::plan(&bundle::Request {
            chip,
            flash_size,
            credentials: thingflash::bundle::DeviceCreds::Set(c),
            config: cfg,
            firmware_elf: None,
        })
    }
}

fn opts(mock: &Mock) -> FlashOptions {
    FlashOptions {
        before: Before::NoReset,
        after: After::NoReset,
        // The mock reports chip revision v0.0; the bundled bootloader declares v0.3+.
        force: true,
        ..FlashOptions::new(&mock.port)
    }
}

fn flash_with(
    o: &FlashOptions,
    c: &Credentials,
    cfg: &DeviceConfig,
) -> (Result<flash::Report, FlashError>, Vec<Event>) {
    let mut events = Vec::new();
    let r = flash::run(o, &mut planner(c, cfg), &mut |e| events.push(e));
    (r, events)
}

fn assert_reads_back(mock: &Mock, plan: &Plan) {
    let merged = plan.merged();
    let back = mock.read_flash(0, merged.len());
    for s in &plan.segments {
        let at = s.addr as usize;
        assert!(
            back[at..at + s.data.len()] == s.data[..],
            "{} at {:#x} does not read back as written",
            s.name,
            s.addr
        );
    }
    assert!(
        back == merged[..],
        "the gaps between segments are not erased"
    );
}

#[test]
fn bundle_cli_output_equals_esptool_merge_bin_and_every_image_is_valid() {
    let fx = Fixtures::new();
    let out = tempfile::tempdir().unwrap();
    let img = out.path().join("image.bin");
    let part = out.path().join("creds.bin");
    let status = Command::new(env!("CARGO_BIN_EXE_thingflash"))
        .args(["bundle", "--chip", "esp32c3", "--endpoint", HOST])
        .args(["--wifi-ssid", "lab", "--client-id", "sensor-1"])
        .arg(fx.path("rsa-certificate.pem.crt"))
        .arg(fx.path("rsa-pkcs1.key"))
        .arg("--out")
        .arg(&img)
        .arg("--partition-out")
        .arg(&part)
        .env("THINGFLASH_WIFI_PASSWORD", "correct horse")
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let stdout = String::from_utf8_lossy(&status.stdout);
    assert!(
        !stdout.contains("correct horse"),
        "the password was printed"
    );
    {
        use std::os::unix::fs::PermissionsExt as _;
        for f in [&img, &part] {
            let mode = std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} holds the key but is {mode:o}", f.display());
        }
    }

    // The same inputs through the library give the segments; esptool merges them.
    let plan = plan_for(
        &fx.credential_set("rsa-certificate.pem.crt", "rsa-pkcs1.key"),
        &config("lab"),
        Chip::Esp32c3,
        FlashSize::Mb4,
    );
    let mut args = vec![
        "--chip".to_string(),
        "esp32c3".into(),
        "merge-bin".into(),
        "-o".into(),
        out.path().join("esptool.bin").display().to_string(),
    ];
    for s in &plan.segments {
        let f = out.path().join(format!("{}.bin", s.name));
        std::fs::write(&f, &s.data).unwrap();
        args.push(format!("{:#x}", s.addr));
        args.push(f.display().to_string());
    }
    run(Command::new(peer("esptool")).args(&args));
    let ours = std::fs::read(&img).unwrap();
    let theirs = std::fs::read(out.path().join("esptool.bin")).unwrap();
    assert_eq!(ours.len(), theirs.len());
    assert!(
        ours == theirs,
        "merged image differs from esptool merge-bin"
    );
    // The credentials partition inside the image is the one written alone.
    let alone = std::fs::read(&part).unwrap();
    let at = bundle::CREDENTIALS_OFFSET as usize;
    assert!(ours[at..at + alone.len()] == alone[..]);

    // esptool accepts the bootloader and the app image.
    for (name, want) in [
        ("bootloader", "ESP32-C3"),
        ("app", "Project name: thingflash-firmware"),
    ] {
        let info = String::from_utf8(run(Command::new(peer("esptool")).args([
            "image-info",
            out.path().join(format!("{name}.bin")).to_str().unwrap(),
        ])))
        .unwrap();
        for needle in ["Checksum: ", "(valid)", want] {
            assert!(info.contains(needle), "{name}: no '{needle}' in\n{info}");
        }
        assert!(!info.contains("invalid"), "{name}:\n{info}");
    }

    // Espressif's own tool reads the credentials partition.
    run(Command::new(peer("python3"))
        .current_dir(out.path())
        .arg(peer("configure_esp_secure_cert.py"))
        .args(["--parse_bin", "creds.bin"]));
    let contents = out.path().join("esp_secure_cert_parsed_data/contents");
    let read = |n: &str| std::fs::read(contents.join(n)).unwrap_or_else(|e| panic!("{n}: {e}"));
    let dev = fx.openssl(&["x509", "-in", "rsa-certificate.pem.crt", "-outform", "DER"]);
    let key = fx.openssl(&[
        "pkcs8",
        "-topk8",
        "-nocrypt",
        "-in",
        "rsa-pkcs1.key",
        "-outform",
        "DER",
    ]);
    assert_eq!(read("devcert_1_0.der"), dev);
    assert_eq!(read("privkey_2_0.der"), key);
    assert_eq!(
        read("cacert_0_0.der"),
        credentials::bundled_root_ders()[0],
        "no CA dropped: Amazon Root CA 1 goes first"
    );
}

#[test]
fn bundle_cli_refuses_to_overwrite_and_to_run_without_a_password() {
    let fx = Fixtures::new();
    let out = tempfile::tempdir().unwrap();
    let img = out.path().join("image.bin");
    std::fs::write(&img, b"keep me").unwrap();
    let cmd = |pw: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_thingflash"));
        c.args(["bundle", "--chip", "esp32c6", "--endpoint", HOST])
            .args(["--wifi-ssid", "lab", "--client-id", "sensor-1"])
            .arg(fx.path("p256-certificate.pem.crt"))
            .arg(fx.path("p256-sec1.key"))
            .arg("--out")
            .arg(&img)
            .env_remove("THINGFLASH_WIFI_PASSWORD");
        if let Some(pw) = pw {
            c.env("THINGFLASH_WIFI_PASSWORD", pw);
        }
        c.output().unwrap()
    };
    let no_pw = cmd(None);
    assert_eq!(no_pw.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_pw.stderr).contains("THINGFLASH_WIFI_PASSWORD"));
    let exists = cmd(Some("pw123456"));
    assert_eq!(exists.status.code(), Some(1));
    assert_eq!(std::fs::read(&img).unwrap(), b"keep me");
}

#[test]
fn full_flash_reads_back_identical_on_c3_and_c6() {
    let fx = Fixtures::new();
    let c = fx.credential_set("rsa-certificate.pem.crt", "rsa-pkcs1.key");
    let cfg = config("lab");
    for chip in [Chip::Esp32c3, Chip::Esp32c6] {
        let mock = Mock::start(chip.name());
        let (r, events) = flash_with(&opts(&mock), &c, &cfg);
        let report = r.unwrap_or_else(|e| panic!("{chip}: {e}"));
        assert_eq!(report.board.chip, chip);
        assert!(report.verified);
        // The mock reports 4 MB; that is the size the plan was made for.
        let plan = plan_for(&c, &cfg, chip, FlashSize::Mb4);
        let names: Vec<_> = report.written.iter().map(|w| w.0).collect();
        assert_eq!(
            names,
            ["bootloader", "partition-table", "esp_secure_cert", "app"]
        );
        assert_reads_back(&mock, &plan);

        // Progress: starts at 0, ends at every byte, never goes back, verifies each segment.
        let progress: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::Progress(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(progress.first().unwrap().done, 0);
        let last = progress.last().unwrap();
        assert_eq!(
            (last.done, last.total),
            (plan.total_bytes(), plan.total_bytes())
        );
        assert!(progress.windows(2).all(|w| w[0].done <= w[1].done));
        assert_eq!(progress.iter().filter(|p| p.verifying).count(), 4);
        assert!(matches!(events.first(), Some(Event::Connecting { .. })));
        assert!(matches!(events.last(), Some(Event::Done(_))));
    }
}

#[test]
fn credentials_only_rewrites_that_partition_and_nothing_else() {
    let fx = Fixtures::new();
    let c = fx.credential_set("p256-certificate.pem.crt", "p256-sec1.key");
    let mock = Mock::start("esp32c3");
    flash_with(&opts(&mock), &c, &config("lab")).0.unwrap();
    let before = mock.read_flash(0, bundle::FLASH_END as usize / 8);

    let o = FlashOptions {
        credentials_only: true,
        ..opts(&mock)
    };
    let (r, events) = flash_with(&o, &c, &config("other-network"));
    let report = r.unwrap();
    assert_eq!(
        report.written,
        [("esp_secure_cert", bundle::CREDENTIALS_OFFSET, 8192)]
    );
    assert!(events.contains(&Event::ReadingTable));
    let after = mock.read_flash(0, before.len());
    let changed: Vec<usize> = (0..before.len())
        .filter(|&i| before[i] != after[i])
        .collect();
    let range = bundle::CREDENTIALS_OFFSET as usize
        ..(bundle::CREDENTIALS_OFFSET + bundle::CREDENTIALS_SIZE) as usize;
    assert!(!changed.is_empty(), "nothing changed");
    assert!(
        changed.iter().all(|i| range.contains(i)),
        "bytes outside the credentials partition changed: first at {:#x}",
        changed[0]
    );
    let part = &after[range];
    let read = thingflash_protocol::credentials::read(part).unwrap();
    assert_eq!(read.config.wifi_ssid, "other-network");
}

#[test]
fn credentials_only_refuses_a_board_without_thingflashs_table() {
    let fx = Fixtures::new();
    let c = fx.credential_set("rsa-certificate.pem.crt", "rsa-pkcs1.key");
    let mock = Mock::start("esp32c3");
    let o = FlashOptions {
        credentials_only: true,
        ..opts(&mock)
    };
    let (r, _) = flash_with(&o, &c, &config("lab"));
    let e = r.unwrap_err();
    assert!(matches!(e, FlashError::IncompatibleTable(_)), "{e:?}");
    assert!(e.to_string().contains("Do a full flash first"), "{e}");
    let flash = mock.read_flash(0, 0x10000);
    assert!(
        flash.iter().all(|b| *b == 0xFF),
        "a refused run wrote something"
    );
}

#[test]
fn refusals_wrong_chip_revision_and_unsupported_chip() {
    let fx = Fixtures::new();
    let c = fx.credential_set("rsa-certificate.pem.crt", "rsa-pkcs1.key");
    let cfg = config("lab");

    let c6 = Mock::start("esp32c6");
    let o = FlashOptions {
        chip: Some(Chip::Esp32c3),
        ..opts(&c6)
    };
    let e = flash_with(&o, &c, &cfg).0.unwrap_err();
    assert!(
        matches!(
            e,
            FlashError::WrongChip {
                expected: Chip::Esp32c3,
                ..
            }
        ),
        "{e:?}"
    );

    let c3 = Mock::start("esp32c3");
    let o = FlashOptions {
        force: false,
        ..opts(&c3)
    };
    let e = flash_with(&o, &c, &cfg).0.unwrap_err();
    match &e {
        FlashError::ChipRevision { found: 0, range } => assert_eq!(range.min, 3),
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("--force"), "{e}");
    assert!(c3.read_flash(0, 0x1000).iter().all(|b| *b == 0xFF));

    let s3 = Mock::start("esp32s3");
    let e = flash_with(&opts(&s3), &c, &cfg).0.unwrap_err();
    assert!(matches!(e, FlashError::UnsupportedChip { .. }), "{e:?}");
}

#[test]
fn a_board_that_dies_mid_write_gives_a_clean_error_and_a_retry_works() {
    let fx = Fixtures::new();
    let c = fx.credential_set("rsa-certificate.pem.crt", "rsa-pkcs1.key");
    let cfg = config("lab");
    let mock = Mock::start("esp32c3");
    let pid = nix::unistd::Pid::from_raw(mock.pid());
    let mut killed = false;
    let mut events = Vec::new();
    let r = flash::run(&opts(&mock), &mut planner(&c, &cfg), &mut |e| {
        if let Event::Progress(p) = &e
            && p.segment == "app"
            && p.segment_done > 0
            && !killed
        {
            nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL).unwrap();
            killed = true;
        }
        events.push(e);
    });
    assert!(killed, "the app segment never started");
    let e = r.unwrap_err();
    assert!(matches!(e, FlashError::Interrupted { .. }), "{e:?}");
    assert!(e.to_string().contains("flash again"), "{e}");
    assert!(!events.iter().any(|e| matches!(e, Event::Done(_))));

    let again = Mock::start("esp32c3");
    flash_with(&opts(&again), &c, &cfg).0.unwrap();
    assert_reads_back(&again, &plan_for(&c, &cfg, Chip::Esp32c3, FlashSize::Mb4));
}

#[test]
fn port_problems_are_explained() {
    let fx = Fixtures::new();
    let c = fx.credential_set("rsa-certificate.pem.crt", "rsa-pkcs1.key");
    let cfg = config("lab");
    let dir = tempfile::tempdir().unwrap();

    let o = FlashOptions::new(dir.path().join("ttyUSB-none").display().to_string());
    let e = flash::run(&o, &mut |_, _| unreachable!(), &mut |_| {}).unwrap_err();
    assert!(matches!(e, FlashError::PortMissing { .. }), "{e:?}");
    assert!(e.to_string().contains("thingflash ports"));

    // A port where nothing answers: a board not in download mode.
    let link = dir.path().join("ttySILENT");
    let _board = crate::common::Board::plug(&link);
    let o = FlashOptions {
        before: Before::NoReset,
        after: After::NoReset,
        ..FlashOptions::new(link.display().to_string())
    };
    let started = std::time::Instant::now();
    let e = flash::run(&o, &mut planner(&c, &cfg), &mut |_| {}).unwrap_err();
    assert!(matches!(e, FlashError::NoSync { .. }), "{e:?}");
    assert!(e.to_string().contains("hold BOOT"), "{e}");
    eprintln!("no-sync answer after {:?}", started.elapsed());
}

#[test]
fn flash_cli_against_the_mock_prints_json_events() {
    let fx = Fixtures::new();
    let mock = Mock::start("esp32c3");
    let out = Command::new(env!("CARGO_BIN_EXE_thingflash"))
        .args(["flash", "--port", &mock.port, "--endpoint", HOST])
        .args(["--wifi-ssid", "lab", "--client-id", "sensor-1"])
        .args([
            "--before", "no-reset", "--after", "no-reset", "--force", "--json",
        ])
        .arg(fx.path("rsa-certificate.pem.crt"))
        .arg(fx.path("rsa-pkcs1.key"))
        .env("THINGFLASH_WIFI_PASSWORD", "correct horse")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains("correct horse"));
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events[0]["event"], "connecting");
    assert_eq!(events[1]["event"], "connected");
    assert_eq!(events[1]["chip"], "esp32c3");
    // The events, then the outcome every target ends with.
    assert_eq!(events[events.len() - 2]["event"], "done");
    let outcome = events.last().unwrap();
    assert_eq!(outcome["kind"], "thingflash");
    assert_eq!(outcome["report"]["board"]["chip"], "esp32c3");
}
