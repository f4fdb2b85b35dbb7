//! Credentials budgets, printed as figures (no assertions on time):
//! - classify + validate a typical 3-file set (device cert, key, Amazon Root CA 1): < 5 ms
//! - reject a 100 MB junk file: < 100 ms, bounded memory
//!
//! Run: `cargo bench -p thingflash --bench credentials` (needs openssl on PATH for the
//! device certificate and key).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::{Duration, Instant};

use thingflash::credentials::{self, InputFile};

fn openssl(dir: &std::path::Path, args: &[&str]) {
    let ok = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl on PATH");
    assert!(
        ok.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

fn time_it(label: &str, budget: Duration, iterations: u32, mut f: impl FnMut()) {
    f(); // warm up
    let mut samples: Vec<Duration> = (0..iterations)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    samples.sort();
    let median = samples[samples.len() / 2];
    let p95 = samples[samples.len() * 95 / 100];
    println!("{label}: median {median:?}, p95 {p95:?} over {iterations} runs (budget {budget:?})");
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(
        d,
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "30", "-subj", "/CN=CA",
        ],
    );
    openssl(d, &["genrsa", "-traditional", "-out", "device.key", "2048"]);
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "device.key",
            "-subj",
            "/CN=bench",
            "-out",
            "device.csr",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "device.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "30",
            "-out",
            "device.crt",
        ],
    );
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/ca/AmazonRootCA1.pem");
    let paths = [d.join("device.crt"), d.join("device.key"), root];

    time_it(
        "read + classify + validate 3 files (RSA-2048)",
        Duration::from_millis(5),
        200,
        || {
            let files: Vec<InputFile> = paths
                .iter()
                .flat_map(|p| credentials::read_path(p).unwrap())
                .collect();
            let a = credentials::analyse(&files, &[], time::OffsetDateTime::now_utc(), None);
            assert!(!a.blocked());
        },
    );

    // The same set as a secrets.h: C strings, one escaped line each.
    let c_string = |name: &str, pem: &str| {
        let mut s = format!("static const char {name}[] PROGMEM =\n");
        for l in pem.lines() {
            s.push_str(&format!("  \"{l}\\n\"\n"));
        }
        s + ";\n"
    };
    let mut secrets = String::from("#include <pgmspace.h>\n");
    for (name, p) in ["AWS_CERT_CRT", "AWS_CERT_PRIVATE", "AWS_CERT_CA"]
        .iter()
        .zip(&paths)
    {
        secrets.push_str(&c_string(name, &std::fs::read_to_string(p).unwrap()));
    }
    let secrets = [InputFile::from_bytes("secrets.h", secrets.into_bytes())];
    time_it(
        "classify + validate a secrets.h (cert, key, CA as C strings)",
        Duration::from_millis(5),
        200,
        || {
            let a = credentials::analyse(&secrets, &[], time::OffsetDateTime::now_utc(), None);
            assert!(!a.blocked());
        },
    );
    // A sketch at the 1 MiB bound with no credential in it: the lexer's worst ordinary case.
    let sketch: String = "void loop() { client.publish(\"topic\", \"{\\\"t\\\":1}\"); } // tick\n"
        .repeat((1 << 20) / 64);
    let sketch = [InputFile::from_bytes("sketch.ino", sketch.into_bytes())];
    time_it(
        "look through a 1 MiB sketch without credentials",
        Duration::from_millis(50),
        20,
        || {
            let _ = credentials::analyse(&sketch, &[], time::OffsetDateTime::now_utc(), None);
        },
    );

    let junk = d.join("junk.bin");
    std::fs::File::create(&junk)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    time_it(
        "reject a 100 MB file from disk",
        Duration::from_millis(100),
        200,
        || {
            assert!(credentials::read_path(&junk).is_err());
        },
    );

    // The same junk already in memory (a drop that delivers bytes, not a path): the
    // classifier looks at the first bytes and a bounded sample, never the whole buffer.
    let bytes = vec![0x5Au8; 100 * 1024 * 1024];
    let files = [InputFile::from_bytes("junk.bin", bytes)];
    time_it(
        "classify 100 MB of junk in memory",
        Duration::from_millis(100),
        5,
        || {
            let _ = credentials::analyse(&files, &[], time::OffsetDateTime::now_utc(), None);
        },
    );
}
