//! Cross-checks against Espressif's own tooling (`esp-secure-cert-tool` from PyPI): what
//! we write, their parser reads back with valid CRCs; what their generator writes, our
//! parser reads back to the same contents. The tool and openssl are peers the test
//! command installs; if one is missing these tests fail, they never skip.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use std::path::{Path, PathBuf};
use std::process::Command;
use thingflash_protocol::tlv::{self, Integrity, Partition, PartitionWriter, TlvType};

/// Find a peer program on PATH, or fail with what to run.
fn peer(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("peer `{name}` is not on PATH: run scripts/test, which installs every peer")
        })
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

/// A CA, a device certificate signed by it and the device key, made by openssl.
struct Fixtures {
    dir: tempfile::TempDir,
}

impl Fixtures {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let openssl = peer("openssl");
        let d = dir.path();
        run(Command::new(&openssl).current_dir(d).args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "30",
            "-subj",
            "/CN=Test Root CA",
        ]));
        run(Command::new(&openssl).current_dir(d).args([
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "dev.key",
            "-out",
            "dev.csr",
            "-subj",
            "/CN=thing-1",
        ]));
        run(Command::new(&openssl).current_dir(d).args([
            "x509",
            "-req",
            "-in",
            "dev.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "dev.pem",
            "-days",
            "30",
        ]));
        for (pem, der, kind) in [
            ("ca.pem", "ca.der", "x509"),
            ("dev.pem", "dev.der", "x509"),
            ("dev.key", "key.der", "pkcs8"),
        ] {
            let mut c = Command::new(&openssl);
            c.current_dir(d)
                .arg(kind)
                .args(["-in", pem, "-outform", "DER", "-out", der]);
            if kind == "pkcs8" {
                c.args(["-topk8", "-nocrypt"]);
            }
            run(&mut c);
        }
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn bytes(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }
}

fn pem_with_nul(bytes: Vec<u8>) -> Vec<u8> {
    let mut v = bytes;
    v.push(0);
    v
}

/// Run Espressif's CRC-checking TLV dump and return its report.
fn espressif_tlv_report(image: &Path) -> String {
    let python = peer("python3");
    run(Command::new(python).args([
        "-c",
        "import sys; from esp_secure_cert.tlv_parser import process_tlv_entries; process_tlv_entries(sys.argv[1])",
        image.to_str().unwrap(),
    ]))
}

#[test]
fn espressif_parses_what_we_write() {
    let fx = Fixtures::new();
    let (ca, dev, key) = (fx.bytes("ca.der"), fx.bytes("dev.der"), fx.bytes("key.der"));
    let second_ca = dev.clone(); // any certificate: checks that several CA records survive
    let mut w = PartitionWriter::new(tlv::DEFAULT_PARTITION_SIZE);
    w.push(TlvType::CA_CERT, 0, 0, &ca).unwrap();
    w.push(TlvType::CA_CERT, 1, 0, &second_ca).unwrap();
    w.push(TlvType::DEV_CERT, 0, 0, &dev).unwrap();
    w.push(TlvType::PRIV_KEY, 0, 0, &key).unwrap();
    w.push(TlvType::USER_DATA_1, 0, 0, b"TFCF\x01\x00config")
        .unwrap();
    let image = w.finish().unwrap();
    let out = tempfile::tempdir().unwrap();
    let bin = out.path().join("esp_secure_cert.bin");
    std::fs::write(&bin, &image).unwrap();

    // 1. Every record's CRC checks out in Espressif's parser, and it saw all six.
    let report = espressif_tlv_report(&bin);
    assert!(
        !report.contains("INVALID"),
        "Espressif's parser rejected a CRC:\n{report}"
    );
    assert_eq!(
        report.matches("✓ VALID").count(),
        6,
        "expected 6 records:\n{report}"
    );

    // 2. `configure_esp_secure_cert.py --parse_bin` extracts the same bytes.
    let tool = peer("configure_esp_secure_cert.py");
    run(Command::new(peer("python3"))
        .current_dir(out.path())
        .arg(tool)
        .args(["--parse_bin", "esp_secure_cert.bin"]));
    let contents = out.path().join("esp_secure_cert_parsed_data/contents");
    let read = |n: &str| std::fs::read(contents.join(n)).unwrap_or_else(|e| panic!("{n}: {e}"));
    assert_eq!(read("cacert_0_0.der"), ca);
    assert_eq!(read("cacert_0_1.der"), second_ca);
    assert_eq!(read("devcert_1_0.der"), dev);
    assert_eq!(read("privkey_2_0.der"), key);
    let csv = std::fs::read_to_string(
        out.path()
            .join("esp_secure_cert_parsed_data/esp_secure_cert_parsed.csv"),
    )
    .unwrap();
    let user = csv
        .lines()
        .find(|l| l.starts_with("ESP_SECURE_CERT_USER_DATA_1_TLV,0,"))
        .unwrap_or_else(|| panic!("no user data row:\n{csv}"));
    let value = user.split(',').nth(2).unwrap();
    let expected_hex: String = b"TFCF\x01\x00config"
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    assert!(
        value == expected_hex || value == "TFCF\u{1}\u{0}config",
        "user data row: {user}"
    );
}

#[test]
fn we_parse_what_espressif_writes_from_files() {
    let fx = Fixtures::new();
    let tool = peer("configure_esp_secure_cert.py");
    run(Command::new(peer("python3"))
        .current_dir(fx.dir.path())
        .arg(tool)
        .args([
            "--private-key",
            "dev.key",
            "--device-cert",
            "dev.pem",
            "--ca-cert",
            "ca.pem",
            "--target_chip",
            "esp32c3",
            "--secure_cert_type",
            "cust_flash_tlv",
            "--skip_flash",
        ]));
    let image = fx.bytes("esp_secure_cert_data/esp_secure_cert.bin");
    let p = Partition::parse_strict(&image).unwrap();
    assert_eq!(p.integrity, Integrity::Verified);
    // Espressif writes the used bytes only; the rest of the partition stays erased.
    assert_eq!(p.used_len, image.len());
    assert_eq!(
        p.first(TlvType::CA_CERT).unwrap().value,
        pem_with_nul(fx.bytes("ca.pem"))
    );
    assert_eq!(
        p.first(TlvType::DEV_CERT).unwrap().value,
        pem_with_nul(fx.bytes("dev.pem"))
    );
    // Espressif re-serialises an EC key as traditional SEC1 PEM, NUL-terminated: the
    // same text `openssl ec` writes for it.
    run(Command::new(peer("openssl"))
        .current_dir(fx.dir.path())
        .args(["ec", "-in", "dev.key", "-out", "dev.sec1.pem"]));
    assert_eq!(
        p.first(TlvType::PRIV_KEY).unwrap().value,
        pem_with_nul(fx.bytes("dev.sec1.pem"))
    );
    assert_eq!(p.records.len(), 3);
}

#[test]
fn we_parse_what_espressif_writes_from_csv() {
    let fx = Fixtures::new();
    std::fs::write(
        fx.path("in.csv"),
        "tlv_type,tlv_subtype,data_value,data_type,priv_key_type,algorithm,key_size,efuse_id,efuse_key\n\
         ESP_SECURE_CERT_CA_CERT_TLV,0,ca.pem,file,,,,,\n\
         ESP_SECURE_CERT_CA_CERT_TLV,1,dev.pem,file,,,,,\n\
         ESP_SECURE_CERT_DEV_CERT_TLV,0,dev.pem,file,,,,,\n\
         ESP_SECURE_CERT_PRIV_KEY_TLV,0,dev.key,file,plaintext,,,,\n\
         ESP_SECURE_CERT_USER_DATA_1_TLV,0,hello from espressif,string,,,,,\n\
         ESP_SECURE_CERT_USER_DATA_2_TLV,0,DEADBEEF00,hex,,,,,\n",
    )
    .unwrap();
    let tool = peer("configure_esp_secure_cert.py");
    run(Command::new(peer("python3"))
        .current_dir(fx.dir.path())
        .arg(tool)
        .args([
            "--esp_secure_cert_csv",
            "in.csv",
            "--target_chip",
            "esp32c3",
            "--skip_flash",
        ]));
    let image = fx.bytes("esp_secure_cert_data/esp_secure_cert.bin");
    let p = Partition::parse_strict(&image).unwrap();
    let cas: Vec<_> = p
        .all(TlvType::CA_CERT)
        .map(|r| (r.subtype, r.value.to_vec()))
        .collect();
    assert_eq!(
        cas,
        vec![
            (0, pem_with_nul(fx.bytes("ca.pem"))),
            (1, pem_with_nul(fx.bytes("dev.pem")))
        ]
    );
    let user1 = p.first(TlvType::USER_DATA_1).unwrap().value;
    assert!(user1.starts_with(b"hello from espressif"), "{user1:?}");
    assert_eq!(
        p.first(TlvType::USER_DATA_2).unwrap().value,
        [0xDE, 0xAD, 0xBE, 0xEF, 0x00]
    );
    assert_eq!(p.used_len, image.len());
}

/// The board's certificate summary agrees with openssl on real certificates: the
/// Amazon roots thingflash ships, and openssl-made RSA and EC certificates.
#[test]
fn certificate_summary_matches_openssl() {
    use thingflash_protocol::x509::summarize;
    let openssl = peer("openssl");
    let roots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/ca");
    let der_of = |pem: &Path| {
        run_bytes(
            Command::new(&openssl)
                .args(["x509", "-outform", "DER", "-in"])
                .arg(pem),
        )
    };
    let ca1 = summarize(&der_of(&roots.join("AmazonRootCA1.pem"))).unwrap();
    assert_eq!(
        (ca1.cn.as_str(), ca1.not_after.as_str(), ca1.key.as_str()),
        ("Amazon Root CA 1", "2038-01-17T00:00:00Z", "rsa-2048")
    );
    let ca3 = summarize(&der_of(&roots.join("AmazonRootCA3.pem"))).unwrap();
    assert_eq!(
        (ca3.cn.as_str(), ca3.not_after.as_str(), ca3.key.as_str()),
        ("Amazon Root CA 3", "2040-05-26T00:00:00Z", "ec-p256")
    );
    let fx = Fixtures::new();
    let dev = summarize(&fx.bytes("dev.der")).unwrap();
    assert_eq!((dev.cn.as_str(), dev.key.as_str()), ("thing-1", "ec-p256"));
    // openssl prints e.g. "notAfter=Dec 24 11:33:28 2026 GMT"; compare date and time parts.
    let end = run(Command::new(&openssl)
        .args(["x509", "-noout", "-enddate", "-dateopt", "iso_8601", "-in"])
        .arg(fx.path("dev.pem")));
    let iso = end.trim().trim_start_matches("notAfter=").replace(' ', "T");
    assert_eq!(dev.not_after, iso, "{end}");
    assert!(summarize(b"not a certificate").is_none());
}

fn run_bytes(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}");
    out.stdout
}
