//! Credentials kept in C, C++ and Arduino sources: every form makers use, rebuilt at
//! test time around certificates and keys that openssl makes, then read back through
//! `check`/`convert` and compared byte for byte with openssl's own DER. `xxd -i` makes
//! the byte-array form; the C compiler checks that an exported `secrets.h` holds exactly
//! the PEM openssl writes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use crate::common::{Fixtures, peer, run};
use base64::Engine as _;
use thingflash::credentials::{self, Analysis, InputFile, Kind, Role, Severity, convert};
use time::OffsetDateTime;

fn analyse_bytes(files: &[(&str, Vec<u8>)]) -> Analysis {
    let inputs: Vec<InputFile> = files
        .iter()
        .flat_map(|(n, b)| {
            credentials::input::expand(InputFile::from_bytes(*n, b.clone())).unwrap()
        })
        .collect();
    credentials::analyse(&inputs, &[], OffsetDateTime::now_utc(), None)
}

fn errors(a: &Analysis) -> Vec<&'static str> {
    a.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.code.as_str())
        .collect()
}

fn read(fx: &Fixtures, name: &str) -> String {
    std::fs::read_to_string(fx.path(name)).unwrap()
}

/// The DER that `convert` writes for a set, as (cert.der, key.der).
fn converted(a: &Analysis) -> (Vec<u8>, Vec<u8>) {
    let out = tempfile::tempdir().unwrap();
    convert::write_der(a, out.path(), Default::default()).unwrap();
    (
        std::fs::read(out.path().join("cert.der")).unwrap(),
        std::fs::read(out.path().join("key.der")).unwrap(),
    )
}

/// openssl's DER of the RSA fixture: certificate, and the key as `key.der` holds it.
fn openssl_rsa(fx: &Fixtures) -> (Vec<u8>, Vec<u8>) {
    (
        fx.openssl(&["x509", "-in", "rsa-certificate.pem.crt", "-outform", "DER"]),
        fx.openssl(&[
            "rsa",
            "-in",
            "rsa-pkcs1.key",
            "-traditional",
            "-outform",
            "DER",
        ]),
    )
}

fn pem_lines(pem: &str) -> Vec<&str> {
    pem.lines().filter(|l| !l.trim().is_empty()).collect()
}

/// `#define NAME "-----BEGIN ...----- \r\n" \` with one escaped line per string and a
/// space before `\r\n` on the BEGIN/END lines.
fn define_form(name: &str, pem: &str) -> String {
    let lines = pem_lines(pem);
    let mut s = format!("#define {name} ");
    for (i, l) in lines.iter().enumerate() {
        let space = if l.starts_with("-----") { " " } else { "" };
        let cont = if i + 1 < lines.len() {
            " \\\n    "
        } else {
            "\n"
        };
        s.push_str(&format!("\"{l}{space}\\r\\n\"{cont}"));
    }
    s
}

/// `const char* name = \` then `"...\n" \` lines.
fn pointer_form(name: &str, pem: &str) -> String {
    let lines = pem_lines(pem);
    let mut s = format!("const char* {name} = \\\n");
    for (i, l) in lines.iter().enumerate() {
        let end = if i + 1 < lines.len() { " \\" } else { ";" };
        s.push_str(&format!("\"{l}\\n\"{end}\n"));
    }
    s
}

/// `static const char name[] PROGMEM = R"delim(...)delim";`
fn raw_form(name: &str, pem: &str, delim: &str) -> String {
    format!("static const char {name}[] PROGMEM = R\"{delim}(\n{pem}){delim}\";\n")
}

/// The base64 body alone in a `const String`, as old ESP8266 sketches kept it.
fn bare_form(name: &str, pem: &str, split: bool) -> String {
    let body: Vec<&str> = pem_lines(pem)
        .into_iter()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    if split {
        let quoted: Vec<String> = body.iter().map(|l| format!("  \"{l}\"")).collect();
        format!("const String {name} =\n{};\n", quoted.join("\n"))
    } else {
        format!("const String {name} = \"{}\";\n", body.concat())
    }
}

const HEADER: &str = "// AWS IoT credentials\n#include <pgmspace.h>\n/* the old one: \"-----BEGIN CERTIFICATE-----\" */\n";

#[test]
fn every_source_form_is_read_named_and_converts_like_openssl() {
    let fx = Fixtures::new();
    let (cert_ref, key_ref) = openssl_rsa(&fx);
    let cert = read(&fx, "rsa-certificate.pem.crt");
    let key = read(&fx, "rsa-pkcs1.key");
    let key8 = read(&fx, "rsa-pkcs8.key");
    let forms: Vec<(&str, String, [&str; 2])> = vec![
        (
            "define",
            format!(
                "{HEADER}{}\n{}",
                define_form("AWS_CERT", &cert),
                define_form("AWS_KEY", &key)
            ),
            ["AWS_CERT", "AWS_KEY"],
        ),
        (
            "pointer",
            format!(
                "{HEADER}{}{}",
                pointer_form("certificate_pem_crt", &cert),
                pointer_form("private_pem_key", &key8)
            ),
            ["certificate_pem_crt", "private_pem_key"],
        ),
        (
            "raw",
            format!(
                "{HEADER}{}{}",
                raw_form("AWS_CERT_CRT", &cert, "EOF"),
                raw_form("AWS_CERT_PRIVATE", &key, "KEY")
            ),
            ["AWS_CERT_CRT", "AWS_CERT_PRIVATE"],
        ),
        (
            "bare-base64",
            format!(
                "{}{}",
                bare_form("certificatePemCrt", &cert, false),
                bare_form("privatePemKey", &key, true)
            ),
            ["certificatePemCrt", "privatePemKey"],
        ),
    ];
    for (form, text, names) in forms {
        let file = format!("{form}.h");
        let a = analyse_bytes(&[(&file, text.clone().into_bytes())]);
        assert!(!a.blocked(), "{form}: {:#?}\n{text}", a.findings);
        let sources: Vec<&str> = a
            .items
            .iter()
            .filter(|i| i.role != Role::Ignored)
            .map(|i| i.source.as_str())
            .collect();
        assert_eq!(
            sources,
            names.map(|n| format!("{n} in {file}")),
            "{form}: where each came from"
        );
        assert_eq!(converted(&a), (cert_ref.clone(), key_ref.clone()), "{form}");
        // The same file through the CLI says ready.
        let path = fx.path(&file);
        std::fs::write(&path, &text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_thingflash"))
            .args(["check", path.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{form}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn several_credentials_in_one_secrets_h_with_crlf_and_comments_between() {
    let fx = Fixtures::new();
    let (cert_ref, key_ref) = openssl_rsa(&fx);
    let text = format!(
        "{HEADER}// root\n{}\n/* device */\n{}\n// key\n{}\nconst char* WIFI_SSID = \"home\";\n",
        define_form("AWS_CERT_CA", &read(&fx, "issuer.pem")),
        define_form("AWS_CERT_CRT", &read(&fx, "rsa-certificate.pem.crt")),
        define_form("AWS_CERT_PRIVATE", &read(&fx, "rsa-pkcs1.key")),
    )
    .replace('\n', "\r\n");
    let a = analyse_bytes(&[("secrets.h", text.into_bytes())]);
    assert!(!a.blocked(), "{:#?}", a.findings);
    let role_of = |name: &str| {
        a.items
            .iter()
            .find(|i| i.source == format!("{name} in secrets.h"))
            .map(|i| i.role)
    };
    assert_eq!(role_of("AWS_CERT_CA"), Some(Role::RootCa));
    assert_eq!(role_of("AWS_CERT_CRT"), Some(Role::DeviceCertificate));
    assert_eq!(role_of("AWS_CERT_PRIVATE"), Some(Role::PrivateKey));
    assert_eq!(converted(&a), (cert_ref, key_ref));
}

#[test]
fn ec_key_with_its_parameters_block_first_as_c_strings() {
    let fx = Fixtures::new();
    // `ecparam -genkey` without -noout writes EC PARAMETERS, then EC PRIVATE KEY.
    fx.openssl(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-out",
        "ec-params.key",
    ]);
    fx.openssl(&[
        "req",
        "-new",
        "-key",
        "ec-params.key",
        "-subj",
        "/CN=ec-device",
        "-out",
        "ec.csr",
    ]);
    fx.openssl(&[
        "x509",
        "-req",
        "-in",
        "ec.csr",
        "-CA",
        "issuer.pem",
        "-CAkey",
        "issuer.key",
        "-CAcreateserial",
        "-days",
        "365",
        "-extfile",
        "client.ext",
        "-out",
        "ec.pem",
    ]);
    let key = read(&fx, "ec-params.key");
    assert!(key.starts_with("-----BEGIN EC PARAMETERS-----"), "{key}");
    let text = format!(
        "{}{}",
        pointer_form("cert", &read(&fx, "ec.pem")),
        pointer_form("key", &key)
    );
    let a = analyse_bytes(&[("ec.h", text.into_bytes())]);
    assert!(!a.blocked(), "{:#?}", a.findings);
    assert!(
        a.findings.iter().all(|f| f.severity == Severity::Info),
        "the parameters block is not worth a warning: {:#?}",
        a.findings
    );
    let (cert, key_der) = converted(&a);
    assert_eq!(
        cert,
        fx.openssl(&["x509", "-in", "ec.pem", "-outform", "DER"])
    );
    assert_eq!(
        key_der,
        fx.openssl(&["ec", "-in", "ec-params.key", "-outform", "DER"])
    );
}

#[test]
fn xxd_arrays_are_read_like_the_der_files_they_came_from() {
    let fx = Fixtures::new();
    let (cert_ref, key_ref) = openssl_rsa(&fx);
    std::fs::write(fx.path("cert.der"), &cert_ref).unwrap();
    std::fs::write(fx.path("private.der"), &key_ref).unwrap();
    let xxd = |f: &str| {
        run(Command::new(peer("xxd"))
            .current_dir(fx.dir.path())
            .args(["-i", f]))
    };
    let mut header = xxd("cert.der");
    header.extend(xxd("private.der"));
    let a = analyse_bytes(&[("certs.h", header)]);
    assert!(!a.blocked(), "{:#?}", a.findings);
    assert_eq!(a.device_cert().unwrap().der, cert_ref);
    assert!(a.items.iter().any(|i| i.source == "cert_der in certs.h"));
    assert!(a.items.iter().any(|i| i.source == "private_der in certs.h"));
    assert_eq!(converted(&a), (cert_ref, key_ref));
}

#[test]
fn the_same_credential_in_several_files_or_forms_is_one_item() {
    let fx = Fixtures::new();
    let zip = {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        for (name, file) in [
            ("thing.cert.pem", "rsa-certificate.pem.crt"),
            ("thing.private.key", "rsa-pkcs1.key"),
        ] {
            z.start_file(name, opts).unwrap();
            std::io::Write::write_all(&mut z, read(&fx, file).as_bytes()).unwrap();
        }
        z.finish().unwrap();
        buf.into_inner()
    };
    let (cert_der, _) = openssl_rsa(&fx);
    let a = analyse_bytes(&[
        ("connect_device_package.zip", zip),
        (
            "x-certificate.pem.crt",
            read(&fx, "rsa-certificate.pem.crt").into_bytes(),
        ),
        ("cert.der", cert_der),
        // The same key as PKCS#8: another form, the same key.
        ("x-private.pem.key", read(&fx, "rsa-pkcs8.key").into_bytes()),
        (
            "secrets.h",
            define_form("AWS_CERT_CRT", &read(&fx, "rsa-certificate.pem.crt")).into_bytes(),
        ),
    ]);
    assert!(!a.blocked(), "{:#?}", a.findings);
    let warnings: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .collect();
    assert!(
        warnings.is_empty(),
        "no 'another certificate': {warnings:#?}"
    );
    let certs: Vec<_> = a
        .items
        .iter()
        .filter(|i| matches!(i.kind, Kind::Certificate(_)))
        .collect();
    assert_eq!(certs.len(), 1);
    assert_eq!(
        certs[0].also_in,
        [
            "x-certificate.pem.crt",
            "cert.der",
            "AWS_CERT_CRT in secrets.h"
        ]
    );
    let key = a.items.iter().find(|i| i.role == Role::PrivateKey).unwrap();
    assert_eq!(key.also_in, ["x-private.pem.key"]);
}

/// Replace the base64 character at `at` of the certificate's body inside a C string.
fn with_changed_char(pem: &str, at: usize) -> Option<String> {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let body_start = pem.find('\n')? + 1;
    let mut bytes = pem.as_bytes().to_vec();
    let pos = body_start + at;
    let c = *bytes.get(pos)?;
    if !B64.contains(&c) {
        return None;
    }
    let idx = B64.iter().position(|&b| b == c)?;
    bytes[pos] = B64[(idx + 17) % 64];
    String::from_utf8(bytes).ok()
}

fn decoded_der(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok()
}

#[test]
fn a_certificate_with_one_changed_character_is_named_damaged_never_missing() {
    let fx = Fixtures::new();
    let cert = read(&fx, "rsa-certificate.pem.crt");
    let key = define_form("AWS_CERT_PRIVATE", &read(&fx, "rsa-pkcs1.key"));
    let issuer = read(&fx, "issuer.pem");
    let original = decoded_der(&cert).unwrap();
    let (mut tried, mut structural, mut caught_with_issuer) = (0, 0, 0);
    // Every 7th position of the body: the header, the names, the key, the signature.
    for at in (0..cert.len()).step_by(7) {
        let Some(changed) = with_changed_char(&cert, at) else {
            continue;
        };
        let Some(der) = decoded_der(&changed) else {
            continue;
        };
        if der == original {
            continue; // only padding bits changed: the same certificate
        }
        tried += 1;
        let secrets = format!("{}\n{key}", define_form("AWS_CERT_CRT", &changed));
        let a = analyse_bytes(&[("secrets.h", secrets.clone().into_bytes())]);
        let e = errors(&a);
        assert!(
            !e.contains(&"missing-certificate") && !e.contains(&"key-mismatch"),
            "position {at}: {e:?}"
        );
        if a.device_cert().is_none() {
            structural += 1;
            assert!(
                e.contains(&"cert-damaged"),
                "position {at}: {:#?}",
                a.findings
            );
            let f = a
                .findings
                .iter()
                .find(|f| f.code == thingflash::credentials::Code::CertDamaged)
                .unwrap();
            assert_eq!(f.file.as_deref(), Some("AWS_CERT_CRT in secrets.h"));
        }
        // With the issuer in the set, the signature catches every change.
        let a = analyse_bytes(&[
            ("secrets.h", secrets.into_bytes()),
            ("issuer.pem", issuer.clone().into_bytes()),
        ]);
        assert!(
            errors(&a).contains(&"cert-damaged"),
            "position {at} with the issuer: {:#?}",
            a.findings
        );
        caught_with_issuer += 1;
    }
    eprintln!(
        "{tried} changed characters: {structural} broke the structure, all {caught_with_issuer} caught with the issuer"
    );
    // About 170 positions are sampled; a few land on line ends or padding bits.
    assert!(tried > 100, "{tried}");
    assert!(structural > 0, "some changes break the structure");
    assert_eq!(caught_with_issuer, tried);
}

#[test]
fn a_damaged_key_in_a_c_string_is_named_damaged() {
    let fx = Fixtures::new();
    let key = read(&fx, "p256-sec1.key");
    // The first body character holds the outer SEQUENCE's tag and length.
    let lines: Vec<&str> = key.lines().collect();
    let mut broken = lines[1].to_string();
    broken.replace_range(0..2, "AA");
    let damaged = key.replacen(lines[1], &broken, 1);
    let text = format!(
        "{}{}",
        pointer_form("cert", &read(&fx, "p256-certificate.pem.crt")),
        pointer_form("key", &damaged)
    );
    let a = analyse_bytes(&[("secrets.h", text.into_bytes())]);
    let f = a
        .findings
        .iter()
        .find(|f| f.code == thingflash::credentials::Code::KeyUnusable)
        .unwrap();
    assert_eq!(f.file.as_deref(), Some("key in secrets.h"));
    assert!(f.message.contains("structure is broken"), "{}", f.message);
    assert!(!errors(&a).contains(&"missing-key"));
}

/// Compile a program that prints the three strings of a `secrets.h` (with a stand-in
/// `pgmspace.h`), so the C compiler is the judge of its escaping.
fn strings_the_compiler_sees(dir: &Path, secrets: &Path) -> Vec<String> {
    std::fs::write(dir.join("pgmspace.h"), "#define PROGMEM\n").unwrap();
    std::fs::write(
        dir.join("main.c"),
        "#include <stdio.h>\n#include \"secrets.h\"\nint main(void){fputs(AWS_CERT_CA,stdout);putchar(0);fputs(AWS_CERT_CRT,stdout);putchar(0);fputs(AWS_CERT_PRIVATE,stdout);return 0;}\n",
    )
    .unwrap();
    std::fs::copy(secrets, dir.join("secrets.h")).unwrap();
    run(Command::new(peer("cc")).current_dir(dir).args([
        "-std=c99", "-Wall", "-Werror", "-I.", "main.c", "-o", "print",
    ]));
    let out = run(&mut Command::new(dir.join("print")));
    String::from_utf8(out)
        .unwrap()
        .split('\0')
        .map(str::to_string)
        .collect()
}

#[test]
fn exported_secrets_h_compiles_to_openssls_pem_and_reads_back_ready() {
    let fx = Fixtures::new();
    let d = fx.dir.path();
    let out = d.join("export");
    let cli = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_thingflash"))
            .current_dir(d)
            .args(args)
            .output()
            .unwrap()
    };
    let o = cli(&[
        "convert",
        "rsa-certificate.pem.crt",
        "rsa-pkcs1.key",
        "--out",
        "export",
        "--secrets-h",
        "--guide-names",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let secrets = out.join("secrets.h");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&secrets).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "secrets.h holds the key");
    }
    // The guide's names: /cert.der, /private.der, /ca.der.
    let (cert_ref, key_ref) = openssl_rsa(&fx);
    assert_eq!(std::fs::read(out.join("private.der")).unwrap(), key_ref);
    assert_eq!(std::fs::read(out.join("cert.der")).unwrap(), cert_ref);
    assert!(out.join("ca.der").exists() && !out.join("key.der").exists());

    let build = tempfile::tempdir().unwrap();
    let strings = strings_the_compiler_sees(build.path(), &secrets);
    let roots: String = ["AmazonRootCA1.pem", "AmazonRootCA3.pem"]
        .iter()
        .map(|f| {
            let p = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../assets/ca")
                .join(f);
            String::from_utf8(run(Command::new(peer("openssl")).args([
                "x509",
                "-in",
                p.to_str().unwrap(),
            ])))
            .unwrap()
        })
        .collect();
    assert_eq!(
        strings[0], roots,
        "AWS_CERT_CA: the bundled roots, as openssl prints them"
    );
    assert_eq!(
        strings[1],
        String::from_utf8(fx.openssl(&["x509", "-in", "rsa-certificate.pem.crt"])).unwrap()
    );
    assert_eq!(
        strings[2],
        String::from_utf8(fx.openssl(&["rsa", "-in", "rsa-pkcs1.key", "-traditional"])).unwrap()
    );

    // Round trip: check says ready and names the three strings; convert gives the same DER.
    let o = cli(&["check", secrets.to_str().unwrap(), "--json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let sources: Vec<&str> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "AWS_CERT_CA in secrets.h#1",
            "AWS_CERT_CA in secrets.h#2",
            "AWS_CERT_CRT in secrets.h",
            "AWS_CERT_PRIVATE in secrets.h"
        ]
    );
    let again = cli(&["convert", secrets.to_str().unwrap(), "--out", "again"]);
    assert!(again.status.success());
    assert_eq!(std::fs::read(d.join("again/cert.der")).unwrap(), cert_ref);
    assert_eq!(std::fs::read(d.join("again/key.der")).unwrap(), key_ref);
    // Nothing is replaced without --force.
    let refused = cli(&[
        "convert",
        "rsa-certificate.pem.crt",
        "rsa-pkcs1.key",
        "--out",
        "export",
        "--secrets-h",
    ]);
    assert_eq!(refused.status.code(), Some(1));
}

#[test]
fn source_files_without_credentials_and_garbage_never_panic() {
    let a = analyse_bytes(&[
        (
            "sketch.ino",
            b"void setup() { Serial.begin(115200); }\nconst char* ssid = \"home\";\n".to_vec(),
        ),
        (
            "broken.h",
            b"#define X \"-----BEGIN CERTIFICATE-----\\n\" \"MIIB".to_vec(),
        ),
        (
            "raw.h",
            b"R\"EOF(-----BEGIN CERTIFICATE-----\nAAAA".to_vec(),
        ),
    ]);
    assert!(a.blocked());
    assert!(
        a.items
            .iter()
            .all(|i| !matches!(i.kind, Kind::Certificate(_)))
    );
    // The cut-off certificate is named for what it is.
    let f = a
        .findings
        .iter()
        .find(|f| f.code == thingflash::credentials::Code::CertDamaged)
        .unwrap();
    assert_eq!(f.file.as_deref(), Some("X in broken.h"));
}
