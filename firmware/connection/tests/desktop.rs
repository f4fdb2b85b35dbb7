//! The desktop's stack (tokio + rustls, `thingflash_connection::desktop`) against the same
//! mosquitto scenarios as the board's (mbedtls-rs): each scenario runs through both, and
//! both must reach the same verdict, reported as the same event lines (the mbedTLS code
//! and verify flags of a refused handshake, the CONNACK reason, a close before CONNACK).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::*;
use thingflash_connection::mqtt::End;
use thingflash_protocol::event::Event;

/// What a run decided: how it ended, and the refusal it reported.
#[derive(Debug, PartialEq, Eq)]
struct Verdict {
    end: Option<End>,
    tls_failed: Option<(i32, u32)>,
    connack: Option<u8>,
    puback: Option<u8>,
    reached: Vec<&'static str>,
}

fn verdict(lines: &[String], end: Option<End>) -> Verdict {
    let events = parse(lines);
    let mut reached = Vec::new();
    for name in [
        "tls.ok",
        "mqtt.connack",
        "mqtt.subscribed",
        "mqtt.published",
        "mqtt.puback",
    ] {
        if events.iter().any(|e| e.name() == name) {
            reached.push(name);
        }
    }
    Verdict {
        end,
        tls_failed: events.iter().find_map(|e| match e {
            Event::TlsFailed { code, verify, .. } => Some((*code, *verify)),
            _ => None,
        }),
        connack: events.iter().find_map(|e| match e {
            Event::MqttConnack { reason, .. } => Some(*reason),
            _ => None,
        }),
        puback: events.iter().find_map(|e| match e {
            Event::MqttPuback { reason, .. } => Some(*reason),
            _ => None,
        }),
        reached,
    }
}

/// Run the scenario through both stacks; return the desktop's verdict after checking
/// that it is the board's.
fn both(
    server_cert: &str,
    extra: &str,
    files: (&str, &str, &str),
    sni: &str,
    stop_after_puback: bool,
) -> Verdict {
    let (_g, _pki, broker, device) = scenario(server_cert, extra, files);
    let stop = |e: &Event<'_>| stop_after_puback && e.name() == "mqtt.puback";
    let (board_lines, board_end) = attempt(&broker, &device, sni, "thingflash-both", stop);
    let (desk_lines, desk_end) = attempt_desktop(&broker, &device, sni, "thingflash-both", stop);
    let board = verdict(&board_lines, board_end);
    let desktop = verdict(&desk_lines, desk_end);
    assert_eq!(
        desktop, board,
        "the stacks disagree:\nboard:   {board_lines:#?}\ndesktop: {desk_lines:#?}"
    );
    desktop
}

#[test]
fn both_stacks_connect_subscribe_and_publish() {
    for key in ["rsa", "p256"] {
        let (cert, k) = (format!("{key}.der"), format!("{key}-key.der"));
        let v = both("server.pem", "", ("ca.der", &cert, &k), "localhost", true);
        assert_eq!(v.end, Some(End::Stopped));
        assert_eq!(v.connack, Some(0));
        // 0x00, or 0x10 (accepted, no subscribers) when the board's stop comes first.
        assert!(v.puback.is_some_and(|r| r < 0x80), "{:?}", v.puback);
        assert!(
            v.reached.starts_with(&["tls.ok", "mqtt.connack"]),
            "{:?}",
            v.reached
        );
        assert!(
            v.reached.ends_with(&["mqtt.published", "mqtt.puback"]),
            "{:?}",
            v.reached
        );
    }
}

/// mosquitto's ACL file lets this client read its telemetry topic but not publish to it:
/// the QoS 1 telemetry gets PUBACK 0x87 (not authorized), as an AWS policy without
/// `iot:Publish` answers an MQTT 5 client.
#[test]
fn both_stacks_hear_a_refused_publish_as_puback_0x87() {
    let dir = tempfile::tempdir().unwrap();
    let acl = dir.path().join("acl");
    std::fs::write(
        &acl,
        "topic readwrite thingflash/thingflash-both/cmd\ntopic read thingflash/thingflash-both/telemetry\n",
    )
    .unwrap();
    let extra = format!("acl_file {}", acl.display());
    let v = both(
        "server.pem",
        &extra,
        ("ca.der", "rsa.der", "rsa-key.der"),
        "localhost",
        true,
    );
    assert_eq!(v.end, Some(End::Stopped));
    assert_eq!(v.connack, Some(0));
    assert_eq!(v.puback, Some(0x87));
}

#[test]
fn both_stacks_refuse_a_server_their_root_ca_does_not_sign() {
    let v = both(
        "server.pem",
        "",
        ("other-ca.der", "rsa.der", "rsa-key.der"),
        "localhost",
        false,
    );
    assert_eq!(v.end, None);
    let (code, verify) = v.tls_failed.unwrap();
    assert_eq!((code, verify & 0x08), (-0x2700, 0x08));
}

#[test]
fn both_stacks_refuse_a_server_certificate_for_another_name() {
    let v = both(
        "server.pem",
        "",
        ("ca.der", "rsa.der", "rsa-key.der"),
        "a1b2-ats.iot.eu-west-1.amazonaws.com",
        false,
    );
    assert_eq!(v.tls_failed, Some((-0x2700, 0x04)));
}

#[test]
fn both_stacks_refuse_an_expired_server_certificate() {
    let v = both(
        "server-expired.pem",
        "",
        ("ca.der", "rsa.der", "rsa-key.der"),
        "localhost",
        false,
    );
    assert_eq!(v.tls_failed, Some((-0x2700, 0x01)));
}

#[test]
fn both_stacks_see_an_untrusted_client_certificate_dropped_before_connack() {
    let v = both(
        "server.pem",
        "",
        ("ca.der", "rogue.der", "rsa-key.der"),
        "localhost",
        false,
    );
    assert_eq!(v.connack, None);
    assert_ne!(v.end, Some(End::Stopped));
}

#[test]
fn both_stacks_report_the_brokers_connack_refusal() {
    let v = both(
        "server.pem",
        "clientid_prefixes factory-",
        ("ca.der", "rsa.der", "rsa-key.der"),
        "localhost",
        false,
    );
    assert_eq!(v.end, Some(End::Refused { reason: 0x87 }));
}
