//! Property tests: every encoder round-trips through its decoder, and no input, however
//! hostile, makes a decoder panic.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use proptest::prelude::*;
use std::borrow::Cow;
use thingflash_protocol::config::DeviceConfig;
use thingflash_protocol::event::{ClaimStep, CredsProblem, Event, KeyProblem, Line, Stage};
use thingflash_protocol::tlv::{self, Partition, PartitionWriter, TlvType};

fn text() -> impl Strategy<Value = String> {
    // Any Unicode, weighted towards the characters that need quoting.
    prop_oneof![
        "[ -~]{0,40}",
        any::<String>().prop_map(|s| s.chars().take(40).collect()),
        "[a-z0-9.:/+@,%-]{1,20}",
    ]
}

fn cow(s: String) -> Cow<'static, str> {
    Cow::Owned(s)
}

fn stage() -> impl Strategy<Value = Stage> {
    prop::sample::select(Stage::ALL.to_vec())
}

fn event() -> impl Strategy<Value = Event<'static>> {
    prop_oneof![
        // `reset` is one of the grammar's names; any other value is refused (tested in
        // the crate: Debug renderings must never pass).
        (
            text(),
            text(),
            text(),
            prop::sample::select(thingflash_protocol::event::RESET_NAMES.to_vec()),
            proptest::option::of(text())
        )
            .prop_map(|(a, b, c, d, e)| Event::Boot {
                fw: cow(a),
                chip: cow(b),
                mac: cow(c),
                reset: Cow::Borrowed(d),
                elf: e.map(cow),
            }),
        (text(), text(), text(), text(), any::<u8>(), text()).prop_map(|(a, b, c, d, n, k)| {
            Event::CredsOk {
                cn: cow(a),
                not_after: cow(b),
                endpoint: cow(c),
                client_id: cow(d),
                cas: n,
                key: cow(k),
            }
        }),
        (
            prop::sample::select(vec![
                CredsProblem::NoPartition,
                CredsProblem::Blank,
                CredsProblem::Corrupt,
                CredsProblem::Incomplete,
                CredsProblem::Missing,
                CredsProblem::Config,
                CredsProblem::Unusable,
                CredsProblem::Mismatch
            ]),
            text()
        )
            .prop_map(|(reason, d)| Event::CredsError {
                reason,
                detail: cow(d)
            }),
        (text(), any::<u32>()).prop_map(|(alg, ms)| Event::KeyNew { alg: cow(alg), ms }),
        (
            prop::sample::select(vec![
                KeyProblem::NoPartition,
                KeyProblem::Damaged,
                KeyProblem::Write
            ]),
            text()
        )
            .prop_map(|(reason, d)| Event::KeyError {
                reason,
                detail: cow(d)
            }),
        text().prop_map(|t| Event::ClaimStart { template: cow(t) }),
        text().prop_map(|t| Event::ClaimCert { id: cow(t) }),
        (text(), any::<u32>()).prop_map(|(t, ms)| Event::ClaimDone { thing: cow(t), ms }),
        (
            prop::sample::select(vec![
                ClaimStep::Create,
                ClaimStep::Provision,
                ClaimStep::Store
            ]),
            any::<u16>(),
            text(),
            text()
        )
            .prop_map(|(step, status, code, message)| Event::ClaimRejected {
                step,
                status,
                code: cow(code),
                message: cow(message)
            }),
        (
            prop::sample::select(vec![
                ClaimStep::Create,
                ClaimStep::Provision,
                ClaimStep::Store
            ]),
            text()
        )
            .prop_map(|(step, d)| Event::ClaimFailed {
                step,
                detail: cow(d)
            }),
        (text(), any::<u32>(), any::<u32>(), "[A-Za-z0-9_-]{0,600}").prop_map(
            |(cn, len, crc, der)| Event::CsrReady {
                cn: cow(cn),
                len,
                crc,
                der: cow(der)
            }
        ),
        (text(), any::<u32>()).prop_map(|(s, attempt)| Event::WifiConnecting {
            ssid: cow(s),
            attempt
        }),
        (text(), any::<i16>()).prop_map(|(ip, rssi)| Event::WifiConnected { ip: cow(ip), rssi }),
        (any::<u16>(), text()).prop_map(|(reason, d)| Event::WifiFailed {
            reason,
            detail: cow(d)
        }),
        any::<u16>().prop_map(|reason| Event::WifiDisconnected { reason }),
        text().prop_map(|s| Event::TimeSyncing { server: cow(s) }),
        (text(), text(), any::<u32>()).prop_map(|(u, s, ms)| Event::TimeOk {
            utc: cow(u),
            server: cow(s),
            ms
        }),
        (text(), text()).prop_map(|(s, d)| Event::TimeFailed {
            server: cow(s),
            detail: cow(d)
        }),
        (text(), text()).prop_map(|(h, ip)| Event::DnsOk {
            host: cow(h),
            ip: cow(ip)
        }),
        (text(), text()).prop_map(|(h, d)| Event::DnsFailed {
            host: cow(h),
            detail: cow(d)
        }),
        (text(), any::<u16>(), proptest::option::of(text())).prop_map(|(h, port, a)| {
            Event::TlsStart {
                host: cow(h),
                port,
                alpn: a.map(cow),
            }
        }),
        (text(), text(), any::<u32>()).prop_map(|(v, c, ms)| Event::TlsOk {
            version: cow(v),
            cipher: cow(c),
            ms
        }),
        (any::<i32>(), any::<u32>(), text()).prop_map(|(code, verify, d)| Event::TlsFailed {
            code,
            verify,
            detail: cow(d)
        }),
        (text(), any::<u16>()).prop_map(|(c, keepalive)| Event::MqttConnecting {
            client_id: cow(c),
            keepalive
        }),
        (any::<u8>(), any::<bool>(), any::<u32>()).prop_map(|(reason, session_present, ms)| {
            Event::MqttConnack {
                reason,
                session_present,
                ms,
            }
        }),
        (text(), any::<u8>()).prop_map(|(t, reason)| Event::MqttSubscribed {
            topic: cow(t),
            reason
        }),
        (text(), any::<u32>()).prop_map(|(t, bytes)| Event::MqttPublished {
            topic: cow(t),
            bytes
        }),
        (text(), any::<u8>()).prop_map(|(t, reason)| Event::MqttPuback {
            topic: cow(t),
            reason
        }),
        (text(), any::<u32>()).prop_map(|(t, bytes)| Event::MqttMessage {
            topic: cow(t),
            bytes
        }),
        (proptest::option::of(any::<u8>()), any::<bool>()).prop_map(|(reason, before_connack)| {
            Event::MqttClosed {
                reason,
                before_connack,
            }
        }),
        (stage(), any::<u32>(), any::<u32>(), any::<u32>()).prop_map(|(at, a, b, c)| Event::Mem {
            at,
            heap_free: a,
            heap_min: b,
            stack_free: c
        }),
        (stage(), any::<u32>(), any::<u32>()).prop_map(|(stage, attempt, delay_ms)| Event::Retry {
            stage,
            attempt,
            delay_ms
        }),
    ]
}

fn config() -> impl Strategy<Value = DeviceConfig> {
    (
        "[ -~]{1,32}",
        prop_oneof![Just(String::new()), "[ -~]{8,63}", "[0-9a-f]{64}"],
        "[a-z0-9]{1,14}-ats\\.iot\\.[a-z]{2}-[a-z]{4}-[1-3]\\.amazonaws\\.com",
        prop::sample::select(vec![8883u16, 443]),
        "[A-Za-z0-9_:-]{1,64}",
        prop_oneof![Just(String::new()), "[a-z]{1,10}(/[a-z]{1,10}){0,3}"],
        prop::collection::vec("[a-z]{1,10}\\.[a-z]{2,5}", 0..=3),
        1u32..=86_400,
        30u16..=1200,
        prop_oneof![Just(String::new()), "[A-Za-z0-9_-]{1,36}"],
    )
        .prop_map(
            |(ssid, pw, host, port, id, prefix, ntp, tele, ka, claim)| DeviceConfig {
                wifi_ssid: ssid,
                wifi_password: pw.into(),
                host,
                port,
                client_id: id,
                topic_prefix: prefix,
                ntp_servers: ntp,
                telemetry_interval_s: tele,
                keepalive_s: ka,
                claim_template: claim,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn events_round_trip(ev in event()) {
        let line = ev.to_string();
        prop_assert!(!line.contains('\n') && !line.contains('\r'), "{}", line);
        prop_assert!(line.len() < 4096);
        let back = Event::parse(&line).map(Event::into_owned);
        prop_assert_eq!(back, Ok(ev));
    }

    #[test]
    fn event_parser_never_panics(s in any::<String>()) {
        let _ = Event::parse(&s);
        let _ = Line::parse(&s);
    }

    #[test]
    fn event_parser_never_panics_near_grammar(s in "\\[tf1\\] [a-z.]{1,16}( [a-z_]{1,8}=(\"[^\"]{0,10}\"?|[a-z0-9x-]{0,8}))*.{0,4}") {
        let _ = Event::parse(&s);
    }

    #[test]
    fn config_round_trips(c in config()) {
        let bytes = c.encode().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(DeviceConfig::decode(&bytes), Ok(c));
    }

    #[test]
    fn config_decoder_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = DeviceConfig::decode(&bytes);
        let mut framed = b"TFCF\x01\x00".to_vec();
        framed.extend_from_slice(&bytes);
        let _ = DeviceConfig::decode(&framed);
    }

    #[test]
    fn tlv_round_trips(records in prop::collection::vec((0u8..=60, 0u8..=16, prop::collection::vec(any::<u8>(), 0..300)), 0..8)) {
        let mut w = PartitionWriter::new(tlv::DEFAULT_PARTITION_SIZE);
        for (t, s, v) in &records {
            // The integrity type is the writer's own; skip it as a user record.
            if *t != TlvType::INTEGRITY.0 {
                w.push(TlvType(*t), *s, 0, v).map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
        }
        let image = w.finish().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(image.len(), tlv::DEFAULT_PARTITION_SIZE);
        let p = Partition::parse_strict(&image).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let got: Vec<_> = p.records.iter().map(|r| (r.tlv_type.0, r.subtype, r.value.to_vec())).collect();
        let want: Vec<_> = records.into_iter().filter(|(t, _, _)| *t != TlvType::INTEGRITY.0).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn x509_summary_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..1500)) {
        let _ = thingflash_protocol::x509::summarize(&bytes);
        let mut seq = vec![0x30, 0x82, 0x05, 0x00, 0x30, 0x82, 0x04, 0x00];
        seq.extend_from_slice(&bytes);
        let _ = thingflash_protocol::x509::summarize(&seq);
    }

    #[test]
    fn tlv_parser_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = Partition::parse(&bytes);
        let mut with_magic = tlv::MAGIC.to_le_bytes().to_vec();
        with_magic.extend_from_slice(&bytes);
        let _ = Partition::parse(&with_magic);
        let _ = thingflash_protocol::credentials::read(&with_magic);
    }
}

proptest! {
    #[test]
    fn claim_answers_never_panic(topic in "[$a-z/-]{0,60}", body in any::<Vec<u8>>()) {
        let _ = thingflash_protocol::claim::read_answer(&topic, &body);
    }

    #[test]
    fn claim_answers_near_json_never_panic(body in r#"\{("[a-zA-Z]{1,12}":("[ -~]{0,20}"|[0-9]{1,4}|\{\}|\[[0-9,]*\]|null),?){0,6}\}?"#) {
        for topic in ["$aws/certificates/create-from-csr/json/accepted", "$aws/provisioning-templates/t/provision/json/rejected"] {
            let _ = thingflash_protocol::claim::read_answer(topic, body.as_bytes());
        }
    }
}
