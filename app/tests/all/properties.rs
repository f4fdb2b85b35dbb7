//! No input makes the credentials step or the decoder panic: arbitrary bytes,
//! arbitrary PEM-looking and C-source-looking text, arbitrary endpoint text, and
//! arbitrary log lines built from the decoder's own markers; decoding time stays linear
//! in the input.
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
    fn c_source_shaped_text(parts in prop::collection::vec(prop::sample::select(vec![
        "#define X ", "\"", "\\", "\\\n", "R\"EOF(", ")EOF\"", "{0x30,", "0x82,", "}", ";", "/*", "*/", "//", "\n",
        "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----", "MIIB", "'", "PROGMEM", "=",
    ]), 0..60)) {
        analyse(parts.concat().into_bytes());
    }

    #[test]
    fn log_lines_never_panic(parts in prop::collection::vec(prop::sample::select(vec![
        "rst:0x", "(", ")", ",boot:0x", "rst cause:", "boot mode:(", "Exception (", "Fatal exception ",
        "Guru Meditation Error: Core  0 panic'ed (", "EXCVADDR: 0x", "MTVAL", "_handle_error(): [f():1]: (",
        "-", "0x", "9984", "65535", "99999999999999999999", "returned", "mbedtls", "MbedtlsError(",
        "getLastSSLError = ", "SSL error: ", "rc=", "state: ", "MQTT5 return code is ", "CONNACK ",
        "\"disconnectReason\":\"", "errno: ", "reason: ", "ESP_ERR_", "esp_err_t 0x", "ESP_RST_",
        "getaddrinfo() returns ", "lwip error: ", "\u{1b}[0;31m", "> ", "12: ", "10:21:33.456 -> ",
        "[  1234][E][ssl_client.cpp:37] ", "E (12) tag: ", "[tf1] ", "ü", " ", "! ",
    ]), 0..24)) {
        let line = parts.concat();
        let mut d = thingflash::monitor::Decoder::new();
        let mut s = thingflash::monitor::BoardStatus::default();
        let now = std::time::Instant::now();
        for _ in 0..2 {
            let decoded = d.decode(&line);
            s.apply(&decoded, now);
        }
    }

    #[test]
    fn endpoints(s in ".{0,80}") {
        let e = check_endpoint(&s);
        if let Some(h) = e.host {
            prop_assert!(thingflash_protocol::config::is_hostname(&h));
        }
    }
}

/// Decoding is linear: 16 times the input takes about 16 times the work, never the
/// square. Counted in lines decoded per call (not seconds, so the machine's load cannot
/// make it flaky): each call's cost is bounded by the line, and lines are independent.
#[test]
fn decoding_stays_linear_in_the_input() {
    let unit = "[  6213][E][ssl_client.cpp:37] _handle_error(): [start_ssl_client():273]: (-9984) X509 - Certificate verification failed\nrst:0xf (BROWNOUT_RST),boot:0x8 (SPI_FAST_FLASH_BOOT)\nAttempting MQTT connection...failed, rc=-2 try again in 5 seconds\n";
    let small = thingflash::monitor::decode_text(&unit.repeat(64));
    let large = thingflash::monitor::decode_text(&unit.repeat(64 * 16));
    assert_eq!(large.len(), small.len() * 16);
    // One very long line (at the 4096-byte cap) of repeated markers decodes, too.
    let long = "rc=".repeat(2000);
    assert_eq!(thingflash::monitor::decode_text(&long).len(), 1);
}
