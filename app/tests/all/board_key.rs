//! Keys born on the board (`thingflash flash --thing`): the firmware is flashed with its
//! settings and no key, the board's request is read from its serial line, AWS IoT signs
//! it, and only the certificate is written. The board is esp32-mock-bootloader behind a
//! relay (`Cable`); what its firmware prints after the write (`key.new`, `csr.ready`) is
//! made by the firmware's own `no_std` code (`DeviceKey`) on the host and played through
//! the relay, since no firmware runs in the mock. AWS is moto, with `CsrSigner` in front
//! for the one call moto gets wrong (it signs a key of its own, not the request's).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::BufRead as _;
use std::process::{Command, Stdio};

use thingflash_protocol::device_key::{DeviceKey, csr_text};
use thingflash_protocol::event::Event;

use crate::common::signer::CsrSigner;
use crate::common::{Cable, Mock, Moto, rt};

const THING: &str = "greenhouse-7";

fn os_random(buf: &mut [u8]) {
    use std::io::Read as _;
    std::fs::File::open("/dev/urandom")
        .unwrap()
        .read_exact(buf)
        .unwrap();
}

/// What the firmware prints on its first boot: its new key, then its request (twice, as
/// it repeats it).
fn first_boot(key: &DeviceKey, cn: &str) -> String {
    let t = csr_text(&key.csr(cn));
    let csr = Event::CsrReady {
        cn: cn.into(),
        len: t.len,
        crc: t.crc,
        der: t.der.into(),
    };
    format!(
        "[tf1] boot fw=0.1.0 chip=esp32c3 mac=24:0a:c4:60:00:01 reset=Software\r\n[tf1] key.new alg=ec-p256 ms=41\r\n{csr}\r\n"
    )
}

/// `thingflash flash --thing` on `port` with AWS at `aws`; `board` plays the board when
/// the app waits for its request. Returns (success, everything printed).
fn provision(port: &str, aws: &str, extra: &[&str], mut board: impl FnMut()) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_thingflash"))
        .args([
            "flash",
            "--thing",
            THING,
            "--port",
            port,
            "--wifi-ssid",
            "lab",
        ])
        .args(["--before", "no-reset", "--after", "no-reset", "--force"])
        .args(["--endpoint-url", aws, "--region", "us-east-1"])
        .args(extra)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("THINGFLASH_WIFI_PASSWORD", "correct horse")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let err = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap());
    let mut said = String::new();
    for line in std::io::BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if line.starts_with("reading the board's certificate request") {
            board();
        }
        said.push_str(&line);
        said.push('\n');
    }
    let ok = child.wait().unwrap().success();
    said.push_str(&err.join().unwrap());
    (ok, said)
}

/// The mock's credentials partition and key sector, read back with esptool once the
/// relay is unplugged (one program at a time on a port).
fn flash_of(mock: &Mock, cable: Cable) -> (Vec<u8>, Vec<u8>) {
    drop(cable);
    (
        mock.read_flash(0xD000, 0x2000),
        mock.read_flash(0xC000, 0x1000),
    )
}

#[test]
fn a_board_makes_its_key_and_only_the_certificate_for_it_is_written() {
    let moto = Moto::start();
    let signer = CsrSigner::start(&moto.url);
    let mock = Mock::start_with_mac("esp32c3", "240ac4600001");
    let cable = Cable::to(&mock);
    let key = DeviceKey::generate(os_random);
    let (ok, said) = provision(&cable.port, &signer.url, &[], || {
        cable.say(&first_boot(&key, THING))
    });
    assert!(ok, "{said}");
    assert!(
        said.contains("done: greenhouse-7 is provisioned with a key its board made"),
        "{said}"
    );
    assert_eq!(signer.signed.load(std::sync::atomic::Ordering::SeqCst), 1);
    // On the board: the certificate for its own key, the settings, no key record; its
    // key sector erased (new to the layout), never written by the app.
    let (part, key_sector) = flash_of(&mock, cable);
    let parts = thingflash_protocol::credentials::read_parts(&part).unwrap();
    assert_eq!(parts.private_key, None);
    let cert = parts.device_cert.expect("the certificate");
    assert_eq!(
        thingflash_protocol::x509::public_key(cert),
        Some(&key.public_sec1()[..])
    );
    assert_eq!(parts.config.client_id, THING);
    assert!(key_sector.iter().all(|b| *b == 0xFF));
    // In AWS: the thing with that one certificate, ACTIVE.
    let ids = moto.certificates();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let principals = rt().block_on(async {
        moto.iot()
            .list_thing_principals()
            .thing_name(THING)
            .send()
            .await
            .unwrap()
    });
    assert_eq!(principals.principals().len(), 1);
}

#[test]
fn a_certificate_for_another_key_is_refused_before_it_is_written_and_removed_from_aws() {
    // moto itself: its CreateCertificateFromCsr certifies a key of its own.
    let moto = Moto::start();
    let mock = Mock::start_with_mac("esp32c3", "240ac4600002");
    let cable = Cable::to(&mock);
    let key = DeviceKey::generate(os_random);
    let (ok, said) = provision(&cable.port, &moto.url, &[], || {
        cable.say(&first_boot(&key, THING))
    });
    assert!(!ok, "{said}");
    assert!(
        said.contains("is not for the key this board made"),
        "{said}"
    );
    let (part, _) = flash_of(&mock, cable);
    let parts = thingflash_protocol::credentials::read_parts(&part).unwrap();
    assert_eq!(
        parts.device_cert, None,
        "nothing but the settings was written"
    );
    assert!(
        moto.certificates().is_empty(),
        "the certificate stays in AWS"
    );
}

#[test]
fn a_request_cut_on_the_serial_line_is_skipped_and_the_next_whole_one_taken() {
    let moto = Moto::start();
    let signer = CsrSigner::start(&moto.url);
    let mock = Mock::start_with_mac("esp32c3", "240ac4600003");
    let cable = Cable::to(&mock);
    let key = DeviceKey::generate(os_random);
    let (ok, said) = provision(&cable.port, &signer.url, &[], || {
        let whole = first_boot(&key, THING);
        let csr_line = whole.lines().nth(2).unwrap();
        // A copy that lost its last 40 characters, then the whole one 10 s later.
        cable.say(&format!("{}\r\n", &csr_line[..csr_line.len() - 40]));
        cable.say(&whole);
    });
    assert!(ok, "{said}");
    let (part, _) = flash_of(&mock, cable);
    let cert = thingflash_protocol::credentials::read_parts(&part)
        .unwrap()
        .device_cert
        .map(<[u8]>::to_vec)
        .unwrap();
    assert_eq!(
        thingflash_protocol::x509::public_key(&cert),
        Some(&key.public_sec1()[..])
    );
}

#[test]
fn a_damaged_key_on_the_board_stops_the_run_with_its_fix_and_nothing_in_aws() {
    let moto = Moto::start();
    let signer = CsrSigner::start(&moto.url);
    let mock = Mock::start_with_mac("esp32c3", "240ac4600004");
    let cable = Cable::to(&mock);
    let (ok, said) = provision(&cable.port, &signer.url, &[], || {
        cable.say(
            "[tf1] boot fw=0.1.0 chip=esp32c3 mac=24:0a:c4:60:00:04 reset=Software\r\n\
             [tf1] key.error reason=damaged detail=\"the key record's checksum does not match: it is damaged or half-written\"\r\n",
        )
    });
    assert!(!ok, "{said}");
    assert!(said.contains("board key problem: damaged"), "{said}");
    assert!(said.contains("--new-key"), "{said}");
    assert!(moto.certificates().is_empty());
}

#[test]
fn the_key_sector_is_erased_on_a_board_new_to_it_kept_on_a_board_with_its_key_and_erased_for_a_new_key()
 {
    let moto = Moto::start();
    let signer = CsrSigner::start(&moto.url);
    let mock = Mock::start_with_mac("esp32c3", "240ac4600005");
    // Another firmware's data where the key partition goes.
    mock.write_flash(0xC000, &[0x5A; 0x1000]);
    let key = DeviceKey::generate(os_random);
    let run = |extra: &[&str]| {
        let cable = Cable::to(&mock);
        let (ok, said) = provision(&cable.port, &signer.url, extra, || {
            cable.say(&first_boot(&key, THING))
        });
        assert!(ok, "{said}");
        drop(cable);
        mock.read_flash(0xC000, 0x1000)
    };
    assert!(
        run(&[]).iter().all(|b| *b == 0xFF),
        "new to the layout: erased"
    );
    // The board made its key and stored it (as its firmware does on that first boot).
    let mut sector = vec![0xFF; 0x1000];
    sector[..thingflash_protocol::device_key::RECORD_LEN].copy_from_slice(&key.record()[..]);
    mock.write_flash(0xC000, &sector);
    assert_eq!(
        run(&[]),
        sector,
        "provisioned again: the board keeps its key"
    );
    assert!(
        run(&["--new-key"]).iter().all(|b| *b == 0xFF),
        "--new-key: erased, so that the board makes another"
    );
}
