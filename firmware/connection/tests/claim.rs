//! Fleet provisioning by claim, the firmware's own code on the host: mutual TLS through
//! the same TLS library and configuration as the board (mbedtls-rs) with the batch's claim
//! certificate, the MQTT flow against `thingflash_testkit::fleet::FleetFake` (a strict fake
//! of AWS's fleet-provisioning topics, mosquitto behind it), the board's own key and
//! request made by the protocol crate's `DeviceKey`, and the reconnect as itself with the
//! certificate it got. Every event line is parsed back before it is asserted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use support::*;
use thingflash_connection::claim::{self, ClaimEnd, ClaimSettings, Claimed};
use thingflash_connection::mqtt::{Connector as _, End};
use thingflash_protocol::device_key::DeviceKey;
use thingflash_protocol::event::{ClaimStep, Event};
use thingflash_testkit::fleet::{FleetFake, Template};

const MAC: &str = "240ac4900001";

struct Scene {
    _guard: std::sync::MutexGuard<'static, ()>,
    pki: Pki,
    _broker: Broker,
    fake: FleetFake,
    key: DeviceKey,
}

fn scene() -> Scene {
    let guard = serial();
    clock_now();
    let pki = Pki::new();
    let broker = Broker::plain(&pki);
    let fake = FleetFake::with_claim(&pki, broker.port, "shelf", "shelf-");
    let key = DeviceKey::generate(|b| {
        use std::io::Read as _;
        std::fs::File::open("/dev/urandom")
            .unwrap()
            .read_exact(b)
            .unwrap();
    });
    Scene {
        _guard: guard,
        pki,
        _broker: broker,
        fake,
        key,
    }
}

fn csr_pem(key: &DeviceKey) -> String {
    thingflash_protocol::claim::csr_pem(&key.csr(MAC))
}

/// Run the claim with `device`'s certificate and key through the fake.
fn run_claim(s: &Scene, device: &Device) -> (Vec<String>, Result<Claimed, ClaimEnd>) {
    let tls = new_tls();
    let setup = device.setup("localhost", s.fake.port);
    let mut host = Host::new(|_| false);
    let mut c = TcpTls {
        addr: ([127, 0, 0, 1], s.fake.port).into(),
        setup: &setup,
        tls: tls.reference(),
    };
    let settings = ClaimSettings {
        client_id: MAC.into(),
        template: "shelf".into(),
        parameters: vec![("Mac".into(), MAC.into())],
        keepalive_s: 60,
    };
    let csr = csr_pem(&s.key);
    let r = rt().block_on(async {
        tokio::time::timeout(Duration::from_secs(60), async {
            match c.connect(&mut host).await {
                Ok(t) => claim::claim(t, &settings, &csr, &mut host).await,
                Err(_) => Err(ClaimEnd::Closed {
                    before_connack: true,
                }),
            }
        })
        .await
        .expect("claim timed out")
    });
    (host.lines, r)
}

fn claim_device(s: &Scene) -> Device {
    Device::from_parts(
        s.pki.der("ca.der"),
        s.pki.der("p256.der"),
        s.pki.der("p256-key.der"),
    )
}

#[test]
fn a_board_claims_its_certificate_for_its_own_key_and_connects_as_itself() {
    let s = scene();
    let (lines, r) = run_claim(&s, &claim_device(&s));
    let claimed = r.unwrap_or_else(|e| panic!("{e:?}\n{lines:#?}"));
    assert_eq!(claimed.thing, format!("shelf-{MAC}"));
    let names: Vec<&str> = parse(&lines).iter().map(Event::name).collect();
    let mut it = names.iter();
    for want in [
        "claim.start",
        "mqtt.connack",
        "mqtt.subscribed",
        "mqtt.published",
        "mqtt.message",
        "claim.cert",
        "mqtt.published",
        "mqtt.message",
    ] {
        assert!(it.any(|n| *n == want), "no {want} in order in {names:?}");
    }
    // The certificate is for the key the board keeps.
    let der = thingflash_protocol::claim::certificate_der(&claimed.certificate_pem).unwrap();
    assert_eq!(
        thingflash_protocol::x509::public_key(&der),
        Some(&s.key.public_sec1()[..])
    );
    assert_eq!(s.fake.things().len(), 1);
    // Then as itself, its own key and the certificate it claimed: through to CONNACK.
    let me = Device::from_parts(s.pki.der("ca.der"), der, s.key.private_der().to_vec());
    let broker_port = s.fake.port;
    let (lines, end) = attempt_at(broker_port, &me, &format!("shelf-{MAC}"), |e| {
        matches!(e, Event::MqttConnack { .. })
    });
    assert_eq!(end, Some(End::Stopped), "{lines:#?}");
}

/// One session through the fake (as `attempt` does against a broker).
fn attempt_at(
    port: u16,
    device: &Device,
    client_id: &str,
    stop_after: impl FnMut(&Event<'_>) -> bool,
) -> (Vec<String>, Option<End>) {
    let tls = new_tls();
    let setup = device.setup("localhost", port);
    let mut host = Host::new(stop_after);
    let mut c = TcpTls {
        addr: ([127, 0, 0, 1], port).into(),
        setup: &setup,
        tls: tls.reference(),
    };
    let end = rt().block_on(async {
        tokio::time::timeout(Duration::from_secs(30), async {
            match c.connect(&mut host).await {
                Ok(t) => Some(
                    thingflash_connection::mqtt::session(
                        t,
                        &thingflash_connection::mqtt::Settings::new(&config(client_id), "test"),
                        &mut host,
                    )
                    .await,
                ),
                Err(_) => None,
            }
        })
        .await
        .expect("session timed out")
    });
    (host.lines, end)
}

fn rejection(lines: &[String]) -> (ClaimStep, u16, String) {
    parse(lines)
        .into_iter()
        .find_map(|e| match e {
            Event::ClaimRejected {
                step, status, code, ..
            } => Some((step, status, code.into_owned())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no claim.rejected in {lines:#?}"))
}

#[test]
fn an_expired_ownership_token_is_rejected_as_aws_words_it() {
    let s = scene();
    s.fake.token_lifetime(Duration::ZERO);
    let (lines, r) = run_claim(&s, &claim_device(&s));
    assert_eq!(
        r,
        Err(ClaimEnd::Rejected(ClaimStep::Provision)),
        "{lines:#?}"
    );
    assert_eq!(
        rejection(&lines),
        (
            ClaimStep::Provision,
            400,
            "InvalidCertificateOwnershipToken".into()
        )
    );
    assert!(s.fake.things().is_empty());
}

#[test]
fn a_disabled_template_and_a_refusing_hook_are_rejections_of_the_provision_step() {
    let s = scene();
    s.fake.template(
        "shelf",
        Template {
            enabled: false,
            thing_prefix: "shelf-".into(),
        },
    );
    let (lines, r) = run_claim(&s, &claim_device(&s));
    assert_eq!(
        r,
        Err(ClaimEnd::Rejected(ClaimStep::Provision)),
        "{lines:#?}"
    );
    assert_eq!(rejection(&lines).1, 400);
    s.fake.template(
        "shelf",
        Template {
            enabled: true,
            thing_prefix: "shelf-".into(),
        },
    );
    s.fake.allow_only(&["240ac4ffffff"]);
    let (lines, r) = run_claim(&s, &claim_device(&s));
    assert_eq!(
        r,
        Err(ClaimEnd::Rejected(ClaimStep::Provision)),
        "{lines:#?}"
    );
    assert_eq!(
        rejection(&lines),
        (ClaimStep::Provision, 403, "AccessDenied".into())
    );
}

#[test]
fn a_revoked_claim_certificate_is_closed_before_connack() {
    let s = scene();
    s.fake.revoke(s.pki.der("p256.der"));
    let (lines, r) = run_claim(&s, &claim_device(&s));
    assert!(
        matches!(
            r,
            Err(ClaimEnd::Closed {
                before_connack: true
            })
        ),
        "{r:?} {lines:#?}"
    );
}

#[test]
fn the_claim_certificate_cannot_be_used_as_a_thing() {
    // The claim policy: anything but the answers and the two requests ends the connection.
    let s = scene();
    let (lines, end) = attempt_at(s.fake.port, &claim_device(&s), "thingflash-p256", |e| {
        matches!(e, Event::MqttSubscribed { .. })
    });
    // Connected, then closed at its first subscription (the command topic): never granted.
    assert!(
        matches!(
            end,
            Some(End::Closed {
                before_connack: false,
                ..
            })
        ),
        "{end:?} {lines:#?}"
    );
    assert!(
        !lines.iter().any(|l| l.contains("mqtt.subscribed")),
        "{lines:#?}"
    );
    assert!(
        s.fake
            .log()
            .iter()
            .any(|l| l.starts_with("claim policy: SUBSCRIBE")),
        "{:#?}",
        s.fake.log()
    );
}
