//! The firmware's connection code on the host against mosquitto with `require_certificate
//! true`, through the same TLS library and configuration as the board (mbedtls-rs, dates
//! checked against the SNTP clock). openssl makes every certificate; each scenario's event
//! lines are parsed back with the protocol crate's parser before they are asserted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use support::*;
use thingflash_connection::backoff::Backoff;
use thingflash_connection::mqtt::{self, End, Settings};
use thingflash_connection::tls;
use thingflash_protocol::event::{Event, Stage};

// ---- scenarios ----

fn connects_publishes_and_answers(key: &str) {
    let (cert, key_der) = (format!("{key}.der"), format!("{key}-key.der"));
    let (_g, pki, broker, device) = scenario("server.pem", "", ("ca.der", &cert, &key_der));
    let client_id = format!("thingflash-{key}");
    let sub = broker.subscribe(&pki, &format!("thingflash/{client_id}/#"), 3);

    // Send a command once the device has subscribed; stop after its answer.
    let cmd_topic = format!("thingflash/{client_id}/cmd");
    let mut replied = 0;
    let (lines, end) = attempt(&broker, &device, "localhost", &client_id, |e| {
        if let Event::MqttSubscribed { .. } = e {
            broker.publish(&pki, &cmd_topic, "ping");
        }
        if let Event::MqttPublished { topic, .. } = e
            && topic.ends_with("/reply")
        {
            replied += 1;
        }
        replied == 1
    });
    assert_eq!(end, Some(End::Stopped), "{lines:#?}");
    let events = parse(&lines);
    let names: Vec<&str> = events.iter().map(Event::name).collect();
    let expect = [
        "tls.start",
        "tls.ok",
        "mqtt.connecting",
        "mqtt.connack",
        "mqtt.published",
        "mqtt.subscribed",
        "mqtt.message",
        "mqtt.published",
    ];
    let mut it = names.iter();
    for want in expect {
        assert!(it.any(|n| *n == want), "no {want} in order in {names:?}");
    }
    assert!(events.iter().any(|e| matches!(
        e,
        Event::MqttConnack {
            reason: 0,
            session_present: false,
            ..
        }
    )));
    assert!(events.iter().any(|e| matches!(e,
        Event::MqttSubscribed { reason: 0, topic } if topic == &cmd_topic)));
    assert!(events.iter().any(|e| matches!(e,
        Event::MqttMessage { topic, bytes: 4 } if topic == &cmd_topic)));
    // Telemetry goes at QoS 1: the broker's PUBACK is reported with its reason.
    let telemetry_topic = format!("thingflash/{client_id}/telemetry");
    assert!(
        events.iter().any(|e| matches!(e,
        Event::MqttPuback { reason: 0, topic } if topic == &telemetry_topic)),
        "{lines:#?}"
    );

    // The broker delivered telemetry, the command and the answer to another client.
    let out = sub.wait_with_output().unwrap();
    let got = String::from_utf8_lossy(&out.stdout);
    assert!(
        got.contains("\"uptime_s\""),
        "no telemetry at the broker: {got}"
    );
    assert!(
        got.contains("\"reply\":\"pong\""),
        "no answer at the broker: {got}"
    );
}

#[test]
fn rsa_2048_device_connects_publishes_and_answers_a_command() {
    connects_publishes_and_answers("rsa");
}

#[test]
fn p256_device_connects_publishes_and_answers_a_command() {
    connects_publishes_and_answers("p256");
}

#[test]
fn wrong_root_ca_fails_verification_with_not_trusted() {
    let (_g, _pki, broker, device) =
        scenario("server.pem", "", ("other-ca.der", "rsa.der", "rsa-key.der"));
    let (lines, end) = attempt(&broker, &device, "localhost", "thingflash-x", |_| false);
    assert_eq!(end, None);
    let (code, verify) = tls_failed(&lines);
    assert_eq!(code, tls::ERR_X509_CERT_VERIFY_FAILED);
    assert_eq!(verify & 0x08, 0x08, "verify flags {verify:#x}");
}

#[test]
fn wrong_sni_fails_verification_with_cn_mismatch() {
    let (_g, _pki, broker, device) =
        scenario("server.pem", "", ("ca.der", "rsa.der", "rsa-key.der"));
    let (lines, end) = attempt(
        &broker,
        &device,
        "a1b2-ats.iot.eu-west-1.amazonaws.com",
        "thingflash-x",
        |_| false,
    );
    assert_eq!(end, None);
    let (code, verify) = tls_failed(&lines);
    assert_eq!(code, tls::ERR_X509_CERT_VERIFY_FAILED);
    assert_eq!(verify, 0x04, "verify flags {verify:#x}");
}

#[test]
fn expired_server_certificate_fails_like_a_real_stack() {
    let (_g, _pki, broker, device) = scenario(
        "server-expired.pem",
        "",
        ("ca.der", "rsa.der", "rsa-key.der"),
    );
    let (lines, end) = attempt(&broker, &device, "localhost", "thingflash-x", |_| false);
    assert_eq!(end, None);
    let (code, verify) = tls_failed(&lines);
    assert_eq!(code, tls::ERR_X509_CERT_VERIFY_FAILED);
    assert_eq!(verify, 0x01, "verify flags {verify:#x}");
}

#[test]
fn clock_not_set_fails_every_certificate() {
    let (_g, _pki, broker, device) =
        scenario("server.pem", "", ("ca.der", "rsa.der", "rsa-key.der"));
    CLOCK.clear();
    let (lines, end) = attempt(&broker, &device, "localhost", "thingflash-x", |_| false);
    clock_now();
    assert_eq!(end, None);
    // mbedTLS fails closed: a fatal X.509 error with every verify flag set.
    let (code, verify) = tls_failed(&lines);
    assert_eq!(code, tls::ERR_X509_FATAL_ERROR, "{lines:#?}");
    assert_eq!(verify, u32::MAX, "verify flags {verify:#x}");
    assert!(
        lines.iter().any(|l| l.contains("clock is not set")),
        "{lines:#?}"
    );
}

#[test]
fn untrusted_client_certificate_is_dropped_before_connack() {
    let (_g, _pki, broker, device) =
        scenario("server.pem", "", ("ca.der", "rogue.der", "rsa-key.der"));
    let (lines, end) = attempt(&broker, &device, "localhost", "thingflash-x", |_| false);
    let events = parse(&lines);
    assert!(
        !events.iter().any(|e| e.name() == "mqtt.connack"),
        "{lines:#?}"
    );
    // TLS 1.3 finishes the client's side of the handshake before the broker checks the
    // certificate, so the refusal shows as the connection closing before CONNACK (what
    // AWS does too); with TLS 1.2 it would be a failed handshake.
    match end {
        Some(End::Closed {
            reason: None,
            before_connack: true,
        }) => assert!(events.contains(&Event::MqttClosed {
            reason: None,
            before_connack: true
        })),
        None => {
            tls_failed(&lines);
        }
        other => panic!("unexpected end {other:?}: {lines:#?}"),
    }
}

#[test]
fn broker_refusing_the_client_id_reports_the_connack_reason() {
    let (_g, _pki, broker, device) = scenario(
        "server.pem",
        "clientid_prefixes factory-",
        ("ca.der", "rsa.der", "rsa-key.der"),
    );
    let (lines, end) = attempt(&broker, &device, "localhost", "thingflash-x", |_| false);
    // mosquitto answers a client id outside `clientid_prefixes` with CONNACK 0x87 Not
    // authorized, the code AWS IoT gives when the policy does not allow the client id.
    assert_eq!(end, Some(End::Refused { reason: 0x87 }), "{lines:#?}");
    assert!(
        parse(&lines)
            .iter()
            .any(|e| matches!(e, Event::MqttConnack { reason: 0x87, .. }))
    );
}

#[test]
fn broker_going_away_is_retried_with_backoff_until_it_is_back() {
    let (_g, _pki, mut broker, device) =
        scenario("server.pem", "", ("ca.der", "p256.der", "p256-key.der"));
    let tls = new_tls();
    let setup = device.setup("localhost", broker.port);
    let addr = broker.addr();
    let settings = Settings::new(&config("thingflash-p256"), "test");
    let broker_cell = std::cell::RefCell::new(&mut broker);
    let mut connacks = 0;
    let mut retries_while_down = 0;
    let mut host = Host::new(|e| match e {
        Event::MqttConnack { reason: 0, .. } => {
            connacks += 1;
            if connacks == 1 {
                // Pull the plug while connected.
                broker_cell.borrow_mut().stop();
            }
            connacks == 2
        }
        Event::Retry { .. } if connacks == 1 => {
            retries_while_down += 1;
            if retries_while_down == 3 {
                broker_cell.borrow_mut().restart();
            }
            false
        }
        _ => false,
    });
    let mut c = TcpTls {
        addr,
        setup: &setup,
        tls: tls.reference(),
    };
    // Short delays so the test is quick; the firmware's are 1 s to 5 min.
    let mut backoff = Backoff::new(50, 400);
    rt().block_on(async {
        tokio::time::timeout(
            Duration::from_secs(60),
            mqtt::run(&mut c, &settings, &mut backoff, &mut host),
        )
        .await
        .expect("no reconnect within 60 s")
    });
    let events = host.events();
    let first_close = events
        .iter()
        .position(|e| {
            matches!(
                e,
                Event::MqttClosed {
                    before_connack: false,
                    ..
                }
            )
        })
        .unwrap_or_else(|| {
            panic!(
                "no mqtt.closed after the broker went away: {:#?}",
                host.lines
            )
        });
    let retries: Vec<(Stage, u32, u32)> = events[first_close..]
        .iter()
        .filter_map(|e| match e {
            Event::Retry {
                stage,
                attempt,
                delay_ms,
            } => Some((*stage, *attempt, *delay_ms)),
            _ => None,
        })
        .collect();
    assert!(retries.len() >= 3, "{retries:?}");
    assert_eq!(
        retries[0].0,
        Stage::Mqtt,
        "the first retry follows the dropped session"
    );
    assert!(
        retries[1..].iter().all(|r| r.0 == Stage::Tls),
        "{retries:?}"
    );
    for (i, r) in retries.iter().enumerate() {
        assert_eq!(r.1 as usize, i + 1, "attempts count up: {retries:?}");
        let cap = (50u32 << i.min(20)).min(400);
        assert!(
            r.2 >= cap / 2 && r.2 <= cap,
            "delay {} outside [{}, {cap}]",
            r.2,
            cap / 2
        );
    }
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, Event::MqttConnack { reason: 0, .. }))
            .count(),
        2,
        "reconnected once the broker was back: {:#?}",
        host.lines
    );
}

#[test]
fn a_key_born_on_the_board_connects_with_the_certificate_made_from_its_csr() {
    use thingflash_protocol::device_key::DeviceKey;
    let guard = serial();
    clock_now();
    let pki = thingflash_testkit::Pki::new();
    let broker = thingflash_testkit::Broker::open(&pki, "server", "");
    // The firmware's own code: the key from the (here: the OS's) random source, the CSR
    // for the client id, the certificate made from it by the CA, the key as mbedTLS reads it.
    let key = DeviceKey::generate(|buf| {
        use std::io::Read as _;
        std::fs::File::open("/dev/urandom")
            .unwrap()
            .read_exact(buf)
            .unwrap();
    });
    let client_id = "thingflash-born-on-board";
    let cert = pki.sign_csr(&key.csr(client_id), "born");
    let device = Device::from_parts(pki.der("ca.der"), cert, key.private_der().to_vec());
    let (lines, end) = attempt(&broker, &device, "localhost", client_id, |e| {
        matches!(e, Event::MqttConnack { .. })
    });
    drop(guard);
    assert_eq!(end, Some(End::Stopped), "{lines:#?}");
    assert!(
        parse(&lines)
            .iter()
            .any(|e| matches!(e, Event::MqttConnack { reason: 0, .. })),
        "{lines:#?}"
    );
}
