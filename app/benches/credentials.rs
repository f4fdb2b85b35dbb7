//! Credentials budgets, printed as figures (no assertions on time):
//! - classify + validate a typical 3-file set (device cert, key, Amazon Root CA 1): < 5 ms
//! - reject a 100 MB junk file: < 100 ms, bounded memory
//!
//! Run: `cargo bench -p thingflash --bench credentials` (needs openssl on PATH for the
//! fixture set's device certificate and key).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "../tests/all/common/mod.rs"]
mod common;

use std::time::Duration;

use thingflash::credentials::{self, InputFile};
use thingflash_testkit::Samples;

fn time_it(label: &str, budget: Duration, iterations: usize, f: impl FnMut()) {
    let s = Samples::of(iterations, f);
    let (median, p95) = (s.median(), s.quantile(95));
    println!("{label}: median {median:?}, p95 {p95:?} over {iterations} runs (budget {budget:?})");
}

fn main() {
    let fx = common::Fixtures::new();
    let d = fx.dir.path();
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/ca/AmazonRootCA1.pem");
    let paths = [
        d.join("rsa-certificate.pem.crt"),
        d.join("rsa-pkcs1.key"),
        root,
    ];

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
