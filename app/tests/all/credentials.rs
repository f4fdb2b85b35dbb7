//! Credentials against real peers: openssl makes every fixture and is the reference for
//! DER output; moto_server issues a certificate the way AWS IoT does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use crate::common::{Fixtures, Moto, PASS, peer, run};
use thingflash::credentials::{self, Analysis, InputFile, Kind, Role, Severity, convert};
use time::OffsetDateTime;

fn load(fx: &Fixtures, names: &[&str]) -> Vec<InputFile> {
    names
        .iter()
        .flat_map(|n| credentials::read_path(&fx.path(n)).unwrap())
        .collect()
}

fn analyse_at(fx: &Fixtures, names: &[&str], now: OffsetDateTime, pass: Option<&str>) -> Analysis {
    credentials::analyse(&load(fx, names), &[], now, pass)
}

fn analyse(fx: &Fixtures, names: &[&str]) -> Analysis {
    analyse_at(fx, names, OffsetDateTime::now_utc(), None)
}

fn codes(a: &Analysis, severity: Severity) -> Vec<&'static str> {
    let mut v: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.severity == severity)
        .map(|f| f.code.as_str())
        .collect();
    v.sort_unstable();
    v
}

fn convert_with(
    fx: &Fixtures,
    names: &[&str],
    pkcs8: bool,
    pass: Option<&str>,
) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let a = analyse_at(fx, names, OffsetDateTime::now_utc(), pass);
    let out = tempfile::tempdir().unwrap();
    convert::write_der(
        &a,
        out.path(),
        convert::ConvertOptions {
            pkcs8,
            ..Default::default()
        },
    )
    .unwrap();
    let read = |n: &str| std::fs::read(out.path().join(n)).unwrap();
    (read("cert.der"), read("key.der"), read("ca.der"))
}

#[test]
fn der_output_matches_openssl_for_every_key_form() {
    let fx = Fixtures::new();
    let cert_ref = fx.openssl(&["x509", "-in", "rsa-certificate.pem.crt", "-outform", "DER"]);
    let rsa_ref = fx.openssl(&[
        "rsa",
        "-in",
        "rsa-pkcs1.key",
        "-traditional",
        "-outform",
        "DER",
    ]);
    for key in ["rsa-pkcs1.key", "rsa-pkcs8.key", "rsa-crlf.key"] {
        let (cert, k, _) = convert_with(&fx, &["rsa-certificate.pem.crt", key], false, None);
        assert_eq!(cert, cert_ref, "cert.der from {key}");
        assert_eq!(k, rsa_ref, "PKCS#1 key.der from {key}");
        let (_, k8, _) = convert_with(&fx, &["rsa-certificate.pem.crt", key], true, None);
        let k8_ref = fx.openssl(&["pkcs8", "-topk8", "-nocrypt", "-in", key, "-outform", "DER"]);
        assert_eq!(k8, k8_ref, "PKCS#8 key.der from {key}");
    }
    let p256_ref = fx.openssl(&["ec", "-in", "p256-sec1.key", "-outform", "DER"]);
    let p256_k8_ref = fx.openssl(&[
        "pkcs8",
        "-topk8",
        "-nocrypt",
        "-in",
        "p256-sec1.key",
        "-outform",
        "DER",
    ]);
    for key in ["p256-sec1.key", "p256-pkcs8.key", "p256-pkcs8.der"] {
        let (_, k, _) = convert_with(&fx, &["p256-certificate.pem.crt", key], false, None);
        assert_eq!(k, p256_ref, "SEC1 key.der from {key}");
        let (_, k8, _) = convert_with(&fx, &["p256-certificate.pem.crt", key], true, None);
        assert_eq!(k8, p256_k8_ref, "PKCS#8 key.der from {key}");
    }
    let p384_ref = fx.openssl(&["ec", "-in", "p384-pkcs8.key", "-outform", "DER"]);
    let (_, k, _) = convert_with(
        &fx,
        &["p384-certificate.pem.crt", "p384-pkcs8.key"],
        false,
        None,
    );
    assert_eq!(k, p384_ref, "SEC1 key.der from P-384 PKCS#8");
}

#[test]
fn encrypted_keys_are_explained_then_decrypted_like_openssl() {
    let fx = Fixtures::new();
    let pass = format!("pass:{PASS}");
    for (cert, key, reference) in [
        (
            "rsa-certificate.pem.crt",
            "rsa-enc-pkcs8.key",
            ["rsa", "-traditional"],
        ),
        (
            "rsa-certificate.pem.crt",
            "rsa-enc-legacy.key",
            ["rsa", "-traditional"],
        ),
        (
            "p256-certificate.pem.crt",
            "p256-enc-legacy.key",
            ["ec", "-noout"],
        ),
    ] {
        let locked = analyse(&fx, &[cert, key]);
        assert_eq!(codes(&locked, Severity::Error), ["key-encrypted"], "{key}");
        let wrong = analyse_at(&fx, &[cert, key], OffsetDateTime::now_utc(), Some("nope"));
        assert_eq!(
            codes(&wrong, Severity::Error),
            ["key-wrong-passphrase"],
            "{key}"
        );
        let (_, k, _) = convert_with(&fx, &[cert, key], false, Some(PASS));
        let mut args = vec![
            reference[0],
            "-in",
            key,
            "-passin",
            &pass,
            "-outform",
            "DER",
        ];
        if reference[1] == "-traditional" {
            args.push("-traditional");
        }
        assert_eq!(k, fx.openssl(&args), "decrypted {key}");
    }
}

#[test]
fn roles_come_from_content_not_names() {
    let fx = Fixtures::new();
    // Rename everything to misleading names.
    let d = fx.dir.path();
    std::fs::copy(d.join("rsa-pkcs1.key"), d.join("AmazonRootCA1.pem")).unwrap();
    std::fs::copy(
        d.join("rsa-certificate.pem.crt"),
        d.join("thing-private.pem.key"),
    )
    .unwrap();
    std::fs::copy(d.join("issuer.pem"), d.join("thing-certificate.pem.crt")).unwrap();
    let a = analyse(
        &fx,
        &[
            "AmazonRootCA1.pem",
            "thing-private.pem.key",
            "thing-certificate.pem.crt",
        ],
    );
    let role = |name: &str| a.items.iter().find(|i| i.source == name).unwrap().role;
    assert_eq!(role("AmazonRootCA1.pem"), Role::PrivateKey);
    assert_eq!(role("thing-private.pem.key"), Role::DeviceCertificate);
    assert_eq!(role("thing-certificate.pem.crt"), Role::RootCa);
    assert!(!a.blocked(), "{:#?}", a.findings);
}

#[test]
fn each_problem_gets_its_finding() {
    let fx = Fixtures::new();
    let e = |names: &[&str]| codes(&analyse(&fx, names), Severity::Error);
    let w = |names: &[&str]| codes(&analyse(&fx, names), Severity::Warning);
    assert_eq!(
        e(&["rsa-certificate.pem.crt", "rsa-pkcs1.key"]),
        Vec::<&str>::new()
    );
    assert_eq!(
        e(&["rsa-certificate.pem.crt", "p256-sec1.key"]),
        ["key-mismatch"]
    );
    assert_eq!(
        e(&["rsa-certificate.pem.crt", "other-rsa.key"]),
        ["key-mismatch"]
    );
    assert_eq!(
        e(&["rsa-certificate.pem.crt", "rsa-public.pem.key"]),
        ["public-key-instead"]
    );
    assert_eq!(e(&["rsa-certificate.pem.crt"]), ["missing-key"]);
    assert_eq!(e(&["rsa-pkcs1.key"]), ["missing-certificate"]);
    assert_eq!(
        e(&["rsa-certificate.pem.crt", "rsa-flipped.der"]),
        ["key-unusable"]
    );
    assert_eq!(
        e(&["rsa-expired.pem.crt", "rsa-pkcs1.key"]),
        ["cert-expired"]
    );
    assert_eq!(
        w(&["rsa-expiring.pem.crt", "rsa-pkcs1.key"]),
        ["cert-expiring"]
    );
    assert_eq!(e(&["rsa-ca-true.pem.crt", "rsa-pkcs1.key"]), ["cert-is-ca"]);
    assert_eq!(
        e(&["rsa-server-only.pem.crt", "rsa-pkcs1.key"]),
        ["cert-no-client-auth"]
    );
    assert_eq!(
        w(&["rsa-certificate.pem.crt", "rsa-pkcs1.key", "issuer.pem"]),
        ["root-ca-foreign"]
    );
    // A faked clock before the certificate's start.
    let past = OffsetDateTime::now_utc() - time::Duration::days(2);
    let a = analyse_at(
        &fx,
        &["rsa-certificate.pem.crt", "rsa-pkcs1.key"],
        past,
        None,
    );
    assert_eq!(codes(&a, Severity::Error), ["cert-not-yet-valid"]);
}

#[test]
fn amazon_roots_are_recognised_and_bundled_when_missing() {
    let fx = Fixtures::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/ca");
    for n in [
        "AmazonRootCA1.pem",
        "AmazonRootCA3.pem",
        "AmazonRootCA2.pem",
    ] {
        std::fs::copy(root.join(n), fx.path(n)).unwrap();
    }
    let a = analyse(
        &fx,
        &[
            "rsa-certificate.pem.crt",
            "rsa-pkcs1.key",
            "AmazonRootCA1.pem",
            "AmazonRootCA3.pem",
        ],
    );
    let known: Vec<_> = a.items.iter().filter_map(|i| i.known_root).collect();
    assert_eq!(known, ["Amazon Root CA 1", "Amazon Root CA 3"]);
    assert!(!a.using_bundled_roots);
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    let a = analyse(
        &fx,
        &[
            "rsa-certificate.pem.crt",
            "rsa-pkcs1.key",
            "AmazonRootCA2.pem",
        ],
    );
    assert_eq!(codes(&a, Severity::Warning), ["root-ca-reserved"]);
    // No root given: the bundled CA 1 is ca.der, byte-identical to openssl's conversion.
    let (_, _, ca) = convert_with(
        &fx,
        &["rsa-certificate.pem.crt", "rsa-pkcs1.key"],
        false,
        None,
    );
    let ca1 = root.join("AmazonRootCA1.pem");
    let reference = fx.openssl(&["x509", "-in", ca1.to_str().unwrap(), "-outform", "DER"]);
    assert_eq!(ca, reference);
}

#[test]
fn junk_never_panics_and_is_named() {
    let fx = Fixtures::new();
    let d = fx.dir.path();
    std::fs::write(d.join("photo.png"), b"\x89PNG\r\n\x1a\nrest of a picture").unwrap();
    std::fs::write(d.join("notes.txt"), "remember to buy milk\n").unwrap();
    std::fs::write(d.join("cut.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n").unwrap();
    let big = std::fs::File::create(d.join("huge.bin")).unwrap();
    big.set_len(100 * 1024 * 1024).unwrap();
    assert!(matches!(
        credentials::read_path(&d.join("huge.bin")),
        Err(credentials::CredentialsError::TooLarge { .. })
    ));
    let a = analyse(
        &fx,
        &[
            "photo.png",
            "notes.txt",
            "cut.pem",
            "rsa-certificate.pem.crt",
            "rsa-pkcs1.key",
        ],
    );
    // The cut-off certificate is named as damaged; beside a good one it is only ignored.
    assert_eq!(
        codes(&a, Severity::Warning),
        ["cert-damaged", "not-credentials", "not-credentials"]
    );
    assert!(!a.blocked());
}

#[test]
fn aws_connect_zip_is_read() {
    let fx = Fixtures::new();
    let zip_path = fx.path("connect_device_package.zip");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        for (name, file) in [
            ("thing.cert.pem", "rsa-certificate.pem.crt"),
            ("thing.private.key", "rsa-pkcs1.key"),
            ("thing.public.key", "rsa-public.pem.key"),
        ] {
            z.start_file(name, opts).unwrap();
            std::io::Write::write_all(&mut z, &std::fs::read(fx.path(file)).unwrap()).unwrap();
        }
        z.start_file("start.sh", opts).unwrap();
        std::io::Write::write_all(&mut z, b"#!/bin/sh\necho hi\n").unwrap();
        z.finish().unwrap();
    }
    let a = analyse(&fx, &["connect_device_package.zip"]);
    assert!(!a.blocked(), "{:#?}", a.findings);
    assert_eq!(
        codes(&a, Severity::Info),
        ["public-key-unneeded", "root-ca-bundled"]
    );
}

#[test]
fn moto_issued_certificate_and_key_pass_and_convert() {
    let moto = Moto::start();
    let script = "import boto3,json,sys\n\
        c=boto3.client('iot',endpoint_url=sys.argv[1],region_name='us-east-1',aws_access_key_id='testing',aws_secret_access_key='testing')\n\
        r=c.create_keys_and_certificate(setAsActive=True)\n\
        print(json.dumps({'cert':r['certificatePem'],'key':r['keyPair']['PrivateKey']}))";
    let out = run(Command::new(peer("python3")).args(["-c", script, &moto.url]));
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let fx = Fixtures {
        dir: tempfile::tempdir().unwrap(),
    };
    std::fs::write(
        fx.path("moto-certificate.pem.crt"),
        v["cert"].as_str().unwrap(),
    )
    .unwrap();
    std::fs::write(fx.path("moto-private.pem.key"), v["key"].as_str().unwrap()).unwrap();
    let a = analyse(&fx, &["moto-certificate.pem.crt", "moto-private.pem.key"]);
    assert!(!a.blocked(), "{:#?}", a.findings);
    assert!(matches!(
        a.private_key().unwrap().key_type,
        credentials::KeyType::Rsa { bits: 2048 }
    ));
    let (cert, key, _) = convert_with(
        &fx,
        &["moto-certificate.pem.crt", "moto-private.pem.key"],
        false,
        None,
    );
    assert_eq!(
        cert,
        fx.openssl(&["x509", "-in", "moto-certificate.pem.crt", "-outform", "DER"])
    );
    assert_eq!(
        key,
        fx.openssl(&[
            "rsa",
            "-in",
            "moto-private.pem.key",
            "-traditional",
            "-outform",
            "DER"
        ])
    );
}

fn cli(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_thingflash"))
        .current_dir(dir)
        .args(args)
        .env_remove("THINGFLASH_KEY_PASSPHRASE")
        .output()
        .unwrap()
}

#[test]
fn cli_exit_codes_json_and_safe_writes() {
    let fx = Fixtures::new();
    let d = fx.dir.path();
    let ok = cli(&["check", "rsa-certificate.pem.crt", "rsa-pkcs1.key"], d);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let blocked = cli(&["check", "rsa-certificate.pem.crt", "p256-sec1.key"], d);
    assert_eq!(blocked.status.code(), Some(1));
    assert_eq!(cli(&["check"], d).status.code(), Some(2));
    assert_eq!(
        cli(&["check", "does-not-exist.pem"], d).status.code(),
        Some(2)
    );
    let json = cli(
        &[
            "check",
            "--json",
            "rsa-certificate.pem.crt",
            "p256-sec1.key",
        ],
        d,
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["blocked"], true);
    assert_eq!(v["findings"][0]["code"], "key-mismatch");
    // The key never appears in any output.
    let key_der = fx.openssl(&[
        "rsa",
        "-in",
        "rsa-pkcs1.key",
        "-traditional",
        "-outform",
        "DER",
    ]);
    let key_b64_fragment = &std::fs::read_to_string(fx.path("rsa-pkcs1.key")).unwrap()[40..80];
    for out in [&ok, &blocked, &json] {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains(key_b64_fragment));
        assert!(!out.stdout.windows(16).any(|w| w == &key_der[100..116]));
    }

    let conv = cli(
        &[
            "convert",
            "rsa-certificate.pem.crt",
            "rsa-pkcs1.key",
            "--out",
            "out",
        ],
        d,
    );
    assert_eq!(
        conv.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&conv.stderr)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(d.join("out/key.der"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    // Again without --force: refused, files untouched.
    std::fs::write(d.join("out/cert.der"), b"mine").unwrap();
    let again = cli(
        &[
            "convert",
            "rsa-certificate.pem.crt",
            "rsa-pkcs1.key",
            "--out",
            "out",
        ],
        d,
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(std::fs::read(d.join("out/cert.der")).unwrap(), b"mine");
    let forced = cli(
        &[
            "convert",
            "rsa-certificate.pem.crt",
            "rsa-pkcs1.key",
            "--out",
            "out",
            "--force",
        ],
        d,
    );
    assert_eq!(forced.status.code(), Some(0));
    assert_ne!(std::fs::read(d.join("out/cert.der")).unwrap(), b"mine");
    // A blocked set writes nothing.
    let refused = cli(
        &[
            "convert",
            "rsa-certificate.pem.crt",
            "p256-sec1.key",
            "--out",
            "out2",
        ],
        d,
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(!d.join("out2/key.der").exists());
}

/// The wording users read, reviewed through snapshots. Dates vary per run.
#[test]
fn findings_wording_snapshots() {
    let fx = Fixtures::new();
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\d{4}-\d{2}-\d{2}", "[date]");
    settings.add_filter(r"[0-9a-f]{64}", "[sha256]");
    settings.bind(|| {
        for (name, files) in [
            (
                "complete_rsa_set",
                &["rsa-certificate.pem.crt", "rsa-pkcs1.key"][..],
            ),
            (
                "mismatched_key",
                &["rsa-certificate.pem.crt", "p256-sec1.key"][..],
            ),
            (
                "public_key_instead",
                &["rsa-certificate.pem.crt", "rsa-public.pem.key"][..],
            ),
            (
                "expired_and_foreign_root",
                &["rsa-expired.pem.crt", "rsa-pkcs1.key", "issuer.pem"][..],
            ),
            (
                "encrypted_key",
                &["p256-certificate.pem.crt", "p256-enc-legacy.key"][..],
            ),
            (
                "server_only_ca_cert",
                &[
                    "rsa-server-only.pem.crt",
                    "rsa-ca-true.pem.crt",
                    "rsa-pkcs1.key",
                ][..],
            ),
            (
                "corrupt_key",
                &["rsa-certificate.pem.crt", "rsa-flipped.der"][..],
            ),
        ] {
            let a = analyse(&fx, files);
            insta::assert_snapshot!(name, thingflash::cli::render(&a));
        }
    });
}

#[test]
fn items_keep_no_secret_in_debug_output() {
    let fx = Fixtures::new();
    let a = analyse(&fx, &["rsa-certificate.pem.crt", "rsa-pkcs1.key"]);
    let key = a.private_key().unwrap();
    let debug = format!("{a:?}");
    assert!(debug.contains("<redacted>"));
    // The last bytes of a PKCS#1 key are CRT values (private); the modulus near the start
    // is public and legitimately appears in the certificate.
    let len = key.traditional_der.len();
    let pattern = format!("{:?}", &key.traditional_der[len - 40..len - 24]);
    let inner = &pattern[1..pattern.len() - 1];
    assert!(!debug.contains(inner));
    assert!(!format!("{:?}", a.items).contains(inner));
    assert!(matches!(a.items[1].kind, Kind::PrivateKey(_)));
}
