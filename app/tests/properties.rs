//! No input makes the credentials step panic: arbitrary bytes, arbitrary PEM-looking
//! text, and arbitrary endpoint text.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use proptest::prelude::*;
use thingflash::credentials::{self, InputFile, endpoint::check_endpoint};
fn analyse(bytes: Vec<u8>) {
    let files = [InputFile::from_bytes("fuzz.bin", bytes)];
    let _ = credentials::analyse(&files, &[], time::OffsetDateTime::now_utc(), Some("pass"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        analyse(bytes.clone());
        let mut der = vec![0x30, 0x82, 0x04, 0x00];
        der.extend_from_slice(&bytes);
        analyse(der);
    }

    #[test]
    fn pem_shaped_text(label in "[A-Z ]{0,20}", body in "[A-Za-z0-9+/=\r\n:,-]{0,400}", tail in ".{0,40}") {
        let text = format!("junk\n-----BEGIN {label}-----\n{body}\n-----END {label}-----\n{tail}");
        analyse(text.into_bytes());
    }

    #[test]
    fn endpoints(s in ".{0,80}") {
        let e = check_endpoint(&s);
        if let Some(h) = e.host {
            prop_assert!(thingflash_protocol::config::is_hostname(&h));
        }
    }
}
