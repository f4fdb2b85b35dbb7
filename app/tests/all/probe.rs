//! The connection test (`thingflash connect`) against mosquitto 2 with client certificates
//! (`require_certificate true`, `use_identity_as_username true`, an ACL for the thing's
//! topics), `clientid_prefixes` for a refused client id, a wrong root CA, a server
//! certificate for another name, a port with nothing listening and a port that accepts TCP
//! but never speaks TLS. mosquitto 2.0's ACL file never refuses a SUBSCRIBE (it only
//! withholds the messages), so the refused subscription runs against its dynamic-security
//! plugin, which answers SUBACK 0x87 as AWS does. openssl makes every certificate. Each scenario's report must name the right stage and cause.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::run;
use thingflash::probe::{self, Report, Stage};
use thingflash_testkit::{Broker, Pki, free_port};

fn creds(pki: &Pki, ca: &str, thing: &str) -> thingflash::credentials::CredentialSet {
    let files: Vec<_> = [
        ca.to_string(),
        format!("{thing}.pem"),
        format!("{thing}.key"),
    ]
    .iter()
    .flat_map(|n| thingflash::credentials::read_path(&pki.path(n)).unwrap())
    .collect();
    let a = thingflash::credentials::analyse(&files, &[], time::OffsetDateTime::now_utc(), None);
    thingflash::credentials::CredentialSet::from_analysis(&a).unwrap()
}

/// The connection test with a limit a loaded CI machine cannot reach (the test command
/// runs the whole suite on 2 cores: a TLS 1.2 second opinion once missed 2 s there).
fn test(port: u16, client_id: &str, c: &thingflash::credentials::CredentialSet) -> Report {
    test_within(port, client_id, c, Duration::from_secs(10))
}

fn test_within(
    port: u16,
    client_id: &str,
    c: &thingflash::credentials::CredentialSet,
    limit: Duration,
) -> Report {
    let req = probe::Request {
        host: "localhost".into(),
        port,
        client_id: client_id.into(),
        topic_prefix: "thingflash".into(),
        limit,
        alpn: None,
        claim_template: None,
    };
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut heard = Vec::new();
    let r = probe::run(&req, c, cancel, &mut |s| heard.push(s.stage));
    assert_eq!(
        heard,
        r.stages.iter().map(|s| s.stage).collect::<Vec<_>>(),
        "every stage was reported as it ended"
    );
    r
}

fn failed(r: &Report) -> (Stage, String, String) {
    let s = r
        .stages
        .iter()
        .find(|s| !s.ok)
        .unwrap_or_else(|| panic!("nothing failed: {r:#?}"));
    let e = s.explanation.as_ref();
    (
        s.stage,
        s.detail.clone(),
        e.map(|e| format!("{} | {} | {}", e.title, e.cause, e.fix))
            .unwrap_or_default(),
    )
}

#[test]
fn every_stage_passes_for_a_thing_the_broker_allows() {
    let pki = Pki::new();
    let broker = Broker::with_acl(&pki, "server", "");
    let c = creds(&pki, "ca.pem", "thing-ok");
    let r = test(broker.port, "thing-ok", &c);
    assert!(r.passed(), "{r:#?}");
    let names: Vec<&str> = r.stages.iter().map(|s| s.stage.name()).collect();
    assert_eq!(
        names,
        ["DNS", "TCP", "TLS", "MQTT CONNECT", "SUBSCRIBE", "PUBLISH"]
    );
    // The firmware's own event lines, as the board prints them.
    assert!(
        r.events.iter().any(|l| l.starts_with("[tf1] tls.ok")),
        "{r:#?}"
    );
    assert!(
        r.events
            .iter()
            .any(|l| l.starts_with("[tf1] mqtt.connack reason=0x00"))
    );
    // Telemetry at QoS 1, acknowledged, and read back on a subscription to it.
    let publish = &r.stages[5].detail;
    assert!(
        publish.starts_with("PUBACK 0x00 for thingflash/thing-ok/telemetry"),
        "{publish}"
    );
    assert!(publish.contains("came back"), "{publish}");
    assert!(
        r.events
            .iter()
            .any(|l| l.starts_with("[tf1] mqtt.message topic=thingflash/thing-ok/telemetry")),
        "{r:#?}"
    );
}

/// The ACL file lets `thing-readonly` read its telemetry topic but not publish there:
/// mosquitto answers the QoS 1 PUBLISH with PUBACK 0x87, as AWS IoT answers an MQTT 5
/// client whose policy lacks `iot:Publish`.
#[test]
fn a_policy_without_publish_on_the_telemetry_topic_fails_publish_with_the_statement_to_add() {
    let pki = Pki::new();
    let broker = Broker::with_acl(&pki, "server", "");
    let c = creds(&pki, "ca.pem", "thing-readonly");
    let r = test(broker.port, "thing-readonly", &c);
    let (stage, detail, expl) = failed(&r);
    assert_eq!(stage, Stage::Publish, "{r:#?}");
    assert_eq!(
        detail,
        "PUBACK 0x87 for thingflash/thing-readonly/telemetry"
    );
    assert!(expl.contains("iot:Publish"), "{expl}");
    assert!(
        expl.contains("topic/thingflash/thing-readonly/telemetry"),
        "{expl}"
    );
    assert!(r.stages[..5].iter().all(|s| s.ok), "{r:#?}");
}

/// Subscribing to the telemetry topic is refused: the test still passes (a board does not
/// need it) and says why the message was not read back.
#[test]
fn a_refused_read_back_subscription_passes_publish_and_says_so() {
    let pki = Pki::new();
    let broker = Broker::dynsec(
        &pki,
        &dynsec_denying("subscribeLiteral", "thingflash/thing-ok/telemetry"),
    );
    let c = creds(&pki, "ca.pem", "thing-ok");
    let r = test(broker.port, "thing-ok", &c);
    assert!(r.passed(), "{r:#?}");
    let publish = &r.stages[5].detail;
    // Nobody else subscribed either: mosquitto accepts it with 0x10, no matching subscribers.
    assert!(publish.starts_with("PUBACK 0x10"), "{publish}");
    assert!(publish.contains("accepted, nobody subscribed"), "{publish}");
    assert!(
        publish.contains("not read back: the policy does not allow subscribing to it (SUBACK 0x87"),
        "{publish}"
    );
}

#[test]
fn a_root_ca_that_does_not_sign_the_server_fails_tls_with_the_boards_explanation() {
    let pki = Pki::new();
    let broker = Broker::with_acl(&pki, "server", "");
    let c = creds(&pki, "other-ca.pem", "thing-ok");
    let (stage, detail, expl) = failed(&test(broker.port, "thing-ok", &c));
    assert_eq!(stage, Stage::Tls);
    assert!(
        detail.contains("not signed by a trusted root CA"),
        "{detail}"
    );
    assert!(expl.contains("-0x2700"), "{expl}");
}

#[test]
fn a_server_certificate_for_another_name_fails_tls_as_a_name_mismatch() {
    let pki = Pki::new();
    let broker = Broker::with_acl(&pki, "server-other", "");
    let c = creds(&pki, "ca.pem", "thing-ok");
    let (stage, detail, expl) = failed(&test(broker.port, "thing-ok", &c));
    assert_eq!(stage, Stage::Tls);
    assert!(
        detail.contains("not for this host name (server localhost:"),
        "{detail}"
    );
    assert!(expl.contains("-0x2700"), "{expl}");
}

/// The dynamic-security plugin's JSON: `thing-ok` may do anything but `denied` on `topic`.
fn dynsec_denying(denied: &str, topic: &str) -> String {
    format!(
        r#"{{"defaultACLAccess": {{"publishClientSend": true, "publishClientReceive": true, "subscribe": true, "unsubscribe": true}},
  "clients": [{{"username": "thing-ok", "roles": [{{"rolename": "limited"}}]}}],
  "groups": [],
  "roles": [{{"rolename": "limited", "acls": [{{"acltype": "{denied}", "topic": "{topic}", "allow": false}}]}}]}}"#
    )
}

#[test]
fn a_policy_without_subscribe_on_the_command_topic_fails_subscribe_with_the_statement_to_add() {
    let pki = Pki::new();
    let broker = Broker::dynsec(
        &pki,
        &dynsec_denying("subscribeLiteral", "thingflash/thing-ok/cmd"),
    );
    let c = creds(&pki, "ca.pem", "thing-ok");
    let r = test(broker.port, "thing-ok", &c);
    let (stage, detail, expl) = failed(&r);
    assert_eq!(stage, Stage::Subscribe, "{r:#?}");
    assert!(detail.contains("0x87"), "{detail}");
    assert!(expl.contains("iot:Subscribe"), "{expl}");
    assert!(
        expl.contains("topicfilter/thingflash/thing-ok/cmd"),
        "{expl}"
    );
    // Everything before it passed: the refusal is the policy's, not the connection's.
    assert!(
        r.stages
            .iter()
            .take_while(|s| s.stage != Stage::Subscribe)
            .all(|s| s.ok)
    );
}

#[test]
fn a_client_id_the_broker_refuses_fails_connect_with_its_reason() {
    let pki = Pki::new();
    let broker = Broker::with_acl(&pki, "server", "clientid_prefixes factory-");
    let c = creds(&pki, "ca.pem", "thing-ok");
    let (stage, detail, expl) = failed(&test(broker.port, "thing-ok", &c));
    assert_eq!(stage, Stage::Connect);
    assert!(detail.contains("CONNACK 0x87"), "{detail}");
    assert!(!expl.is_empty());
}

#[test]
fn nothing_listening_fails_tcp_and_a_silent_port_times_out_in_tls() {
    let pki = Pki::new();
    let c = creds(&pki, "ca.pem", "thing-ok");
    let closed = free_port();
    let (stage, detail, expl) = failed(&test(closed, "thing-ok", &c));
    assert_eq!(stage, Stage::Tcp);
    assert!(detail.contains("refuses connections"), "{detail}");
    assert!(expl.contains("443"), "{expl}");

    // Accepts TCP, never answers TLS.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let (s, _) = silent.accept().unwrap();
        std::thread::sleep(Duration::from_secs(4));
        drop(s);
    });
    let t = Instant::now();
    let (stage, detail, _) = failed(&test_within(port, "thing-ok", &c, Duration::from_secs(2)));
    assert_eq!(stage, Stage::Tls);
    assert!(detail.contains("no TLS answer within 2 s"), "{detail}");
    assert!(t.elapsed() < Duration::from_secs(4), "the limit holds");
    held.join().unwrap();
}

/// No Rust type name, `Debug` value or rustls wording reaches the report.
fn assert_plain_words(text: &str) {
    for tell in [
        "Other(",
        "OtherError",
        "Error(",
        "{",
        "::",
        "UnsupportedCertVersion",
    ] {
        assert!(!text.contains(tell), "{tell:?} in {text}");
    }
}

#[test]
fn an_x509_version_1_device_certificate_is_named_with_how_to_make_a_version_3_one() {
    let pki = Pki::new();
    let broker = Broker::with_acl(&pki, "server", "");
    let c = creds(&pki, "ca.pem", "thing-v1");
    let (stage, detail, expl) = failed(&test(broker.port, "thing-v1", &c));
    assert_eq!(stage, Stage::Tls);
    assert!(detail.contains("X.509 version 1"), "{detail}");
    assert!(expl.contains("-extfile"), "{expl}");
    assert_plain_words(&format!("{detail} {expl}"));
    // The credentials step says so before any test is run.
    let files: Vec<_> = ["thing-v1.pem", "thing-v1.key"]
        .iter()
        .flat_map(|n| thingflash::credentials::read_path(&pki.path(n)).unwrap())
        .collect();
    let a = thingflash::credentials::analyse(&files, &[], time::OffsetDateTime::now_utc(), None);
    let v1 = a
        .findings
        .iter()
        .find(|f| f.code == thingflash::credentials::Code::CertV1)
        .unwrap_or_else(|| panic!("no cert-v1 finding: {:#?}", a.findings));
    assert!(v1.fix.contains("-extfile"), "{}", v1.fix);
    // A version 3 certificate from the same CA has no such finding.
    let files: Vec<_> = ["thing-ok.pem", "thing-ok.key"]
        .iter()
        .flat_map(|n| thingflash::credentials::read_path(&pki.path(n)).unwrap())
        .collect();
    let a = thingflash::credentials::analyse(&files, &[], time::OffsetDateTime::now_utc(), None);
    assert!(
        !a.findings
            .iter()
            .any(|f| f.code == thingflash::credentials::Code::CertV1),
        "{:#?}",
        a.findings
    );
}

#[test]
fn a_plain_mqtt_port_is_named_not_tls_with_the_tls_port_to_use() {
    let pki = Pki::new();
    let plain = Broker::plain(&pki);
    let c = creds(&pki, "ca.pem", "thing-ok");
    let (stage, detail, expl) = failed(&test(plain.port, "thing-ok", &c));
    assert_eq!(stage, Stage::Tls);
    assert!(detail.contains("does not speak TLS"), "{detail}");
    assert!(expl.contains("does not speak TLS"), "{expl}");
    assert!(expl.contains("8883"), "{expl}");
    // Not the list of AWS causes a refused handshake gets.
    assert!(!expl.contains("policy"), "{expl}");
    assert_plain_words(&format!("{detail} {expl}"));
}

#[test]
fn the_cli_prints_every_stage_and_exits_by_the_verdict() {
    let pki = Pki::new();
    let broker = Broker::with_acl(&pki, "server", "");
    let bin = env!("CARGO_BIN_EXE_thingflash");
    let args = |thing: &str| {
        let mut cmd = Command::new(bin);
        cmd.args(["connect", "--endpoint", "localhost", "--port"])
            .arg(broker.port.to_string())
            .args(["--client-id", thing, "--timeout", "3"])
            .arg(pki.path("ca.pem"))
            .arg(pki.path(&format!("{thing}.pem")))
            .arg(pki.path(&format!("{thing}.key")));
        cmd
    };
    let out = run(&mut args("thing-ok"));
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("all stages passed"), "{text}");
    // A root CA that does not sign the server: exit 1, the TLS stage named, its fix shown.
    let o = Command::new(bin)
        .args(["connect", "--endpoint", "localhost", "--port"])
        .arg(broker.port.to_string())
        .args(["--client-id", "thing-ok", "--timeout", "3"])
        .arg(pki.path("other-ca.pem"))
        .arg(pki.path("thing-ok.pem"))
        .arg(pki.path("thing-ok.key"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("TLS           FAIL"), "{text}");
    assert!(text.contains("fix:"), "{text}");
}

#[test]
fn a_name_that_does_not_resolve_fails_dns() {
    let pki = Pki::new();
    let c = creds(&pki, "ca.pem", "thing-ok");
    let req = probe::Request {
        host: "no-such-endpoint.invalid".into(),
        port: 8883,
        client_id: "thing-ok".into(),
        topic_prefix: "thingflash".into(),
        limit: Duration::from_secs(2),
        alpn: None,
        claim_template: None,
    };
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let r = probe::run(&req, &c, cancel, &mut |_| {});
    let (stage, detail, expl) = failed(&r);
    assert_eq!(stage, Stage::Dns, "{r:#?}");
    assert!(detail.contains("no-such-endpoint.invalid"), "{detail}");
    // The resolver's refusal is explained as the monitor explains the board's dns.failed;
    // a resolver that never answers gives the timeout instead.
    assert!(
        !expl.is_empty() || detail.contains("no DNS answer"),
        "{detail}"
    );
    assert_eq!(r.stages.len(), 1, "nothing runs after a failed stage");
}

/// `openssl s_server -alpn x-amzn-mqtt-ca` on a free port; what it printed about the
/// client's ALPN.
fn alpn_offered(
    pki: &Pki,
    c: &thingflash::credentials::CredentialSet,
    alpn: Option<bool>,
) -> String {
    use std::io::Read as _;
    let port = free_port();
    let mut server = Command::new(crate::common::peer("openssl"))
        .args(["s_server", "-accept", &port.to_string()])
        .arg("-cert")
        .arg(pki.path("server.pem"))
        .arg("-key")
        .arg(pki.path("server.key"))
        .args(["-alpn", "x-amzn-mqtt-ca"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "s_server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let req = probe::Request {
        host: "localhost".into(),
        port,
        client_id: "thing-ok".into(),
        topic_prefix: "thingflash".into(),
        limit: Duration::from_secs(1),
        alpn,
        claim_template: None,
    };
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // s_server is no MQTT broker, so the report stops after TLS; what matters is what it
    // saw offered.
    let _ = probe::run(&req, c, cancel, &mut |_| {});
    let _ = server.kill();
    let mut out = String::new();
    server
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let _ = server.wait();
    out
}

#[test]
fn alpn_x_amzn_mqtt_ca_is_offered_for_port_443_and_not_otherwise() {
    let pki = Pki::new();
    let c = creds(&pki, "ca.pem", "thing-ok");
    let offered = alpn_offered(&pki, &c, Some(true));
    assert!(
        offered.contains("ALPN protocols advertised by the client: x-amzn-mqtt-ca"),
        "{offered}"
    );
    let plain = alpn_offered(&pki, &c, None);
    assert!(!plain.contains("advertised by the client"), "{plain}");
}

#[test]
fn an_expired_device_certificate_is_named_by_the_tls_12_second_opinion() {
    let pki = Pki::new();
    let broker = Broker::with_acl(&pki, "server", "");
    // Straight from DER: the credentials check would stop an expired certificate before
    // any test, and this is what the server makes of one.
    let der = |args: &[&str]| crate::common::openssl(pki.path("").as_path(), args);
    let c = thingflash::credentials::CredentialSet::from_der_unchecked(
        der(&["x509", "-in", "thing-expired.pem", "-outform", "DER"]),
        &der(&[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            "thing-expired.key",
            "-outform",
            "DER",
        ]),
        vec![der(&["x509", "-in", "ca.pem", "-outform", "DER"])],
    )
    .unwrap();
    let r = test(broker.port, "thing-expired", &c);
    let (stage, detail, expl) = failed(&r);
    assert_eq!(stage, Stage::Connect, "{r:#?}");
    assert!(
        detail.contains("closed the connection before CONNACK"),
        "{detail}"
    );
    assert!(
        expl.contains("refused the device certificate (certificate_expired)"),
        "{expl}"
    );
}

#[test]
fn stay_runs_a_virtual_board_that_publishes_answers_ping_and_stops_on_ctrl_c() {
    use std::io::BufRead as _;
    let pki = Pki::new();
    let broker = Broker::with_acl(&pki, "server", "");
    let port = broker.port.to_string();
    let client = |cmd: &mut Command| {
        cmd.args(["-h", "localhost", "-p", &port, "-V", "mqttv5", "--cafile"])
            .arg(pki.path("ca.pem"))
            .arg("--cert")
            .arg(pki.path("thing-ok.pem"))
            .arg("--key")
            .arg(pki.path("thing-ok.key"));
    };
    // Someone watching the thing's topics, as the AWS console's MQTT test client would.
    let mut watch = Command::new(crate::common::peer("mosquitto_sub"));
    client(&mut watch);
    let watch = watch
        .args([
            "-i",
            "watcher",
            "-t",
            "thingflash/thing-ok/#",
            "-v",
            "-W",
            "20",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut board = Command::new(env!("CARGO_BIN_EXE_thingflash"))
        .args(["connect", "--endpoint", "localhost", "--port", &port])
        .args([
            "--client-id",
            "thing-ok",
            "--timeout",
            "3",
            "--stay",
            "--telemetry-s",
            "1",
        ])
        .arg(pki.path("ca.pem"))
        .arg(pki.path("thing-ok.pem"))
        .arg(pki.path("thing-ok.key"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = board.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    // The virtual board subscribed to its command topic: send it a ping.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    while !seen
        .iter()
        .any(|l: &String| l.starts_with("[tf1] mqtt.subscribed"))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => seen.push(l),
            Err(_) => panic!("the virtual board never subscribed: {seen:#?}"),
        }
    }
    let mut ping = Command::new(crate::common::peer("mosquitto_pub"));
    client(&mut ping);
    run(ping.args([
        "-i",
        "pinger",
        "-t",
        "thingflash/thing-ok/cmd",
        "-m",
        "ping",
    ]));
    // Its answer on the reply topic, then Ctrl-C.
    while !seen
        .iter()
        .any(|l| l.starts_with("[tf1] mqtt.published topic=thingflash/thing-ok/reply"))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => seen.push(l),
            Err(_) => panic!("no reply published: {seen:#?}"),
        }
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(board.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let stopped = Instant::now();
    let status = board.wait().unwrap();
    assert!(status.success(), "{status:?}: {seen:#?}");
    assert!(
        stopped.elapsed() < Duration::from_secs(5),
        "Ctrl-C took {:?}",
        stopped.elapsed()
    );
    reader.join().unwrap();
    // What the watcher saw: telemetry and the pong, at the broker.
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(watch.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    let out = watch.wait_with_output().unwrap();
    let got = String::from_utf8_lossy(&out.stdout);
    assert!(
        got.lines()
            .any(|l| l.starts_with("thingflash/thing-ok/telemetry {") && l.contains("\"uptime_s\"")),
        "{got}"
    );
    assert!(
        got.contains("thingflash/thing-ok/reply {\"reply\":\"pong\""),
        "{got}"
    );
}

/// The claim check of a batch: the firmware's own claim code over the desktop's TLS,
/// against the strict fake of AWS's fleet-provisioning topics (`testkit::fleet`).
fn claim_check(pki: &Pki, port: u16) -> Report {
    let req = probe::Request {
        host: "localhost".into(),
        port,
        client_id: "thingflash-claim-check".into(),
        topic_prefix: "thingflash".into(),
        limit: Duration::from_secs(10),
        alpn: None,
        claim_template: Some("shelf".into()),
    };
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    probe::run(&req, &creds(pki, "ca.pem", "p256"), cancel, &mut |_| {})
}

#[test]
fn a_claim_is_checked_by_connecting_and_subscribing_to_the_answers_and_a_revoked_one_is_named() {
    let pki = Pki::new();
    let broker = Broker::plain(&pki);
    let fake =
        thingflash_testkit::fleet::FleetFake::with_claim(&pki, broker.port, "shelf", "shelf-");
    let r = claim_check(&pki, fake.port);
    assert!(r.passed(), "{r:#?}");
    let stages: Vec<Stage> = r.stages.iter().map(|s| s.stage).collect();
    assert_eq!(
        stages,
        [
            Stage::Dns,
            Stage::Tcp,
            Stage::Tls,
            Stage::Connect,
            Stage::Subscribe
        ]
    );
    assert!(fake.things().is_empty(), "a check provisions nothing");
    // Revoked (`fleet close`): closed before CONNACK, and said to be the claim.
    fake.revoke(pki.der("p256.der"));
    let r = claim_check(&pki, fake.port);
    let (stage, _, explanation) = failed(&r);
    assert_eq!(stage, Stage::Connect, "{r:#?}");
    assert!(
        explanation.contains("claim certificate was refused"),
        "{explanation}"
    );
}

#[test]
fn a_certificate_whose_policy_denies_iot_connect_is_closed_before_connack_and_named() {
    let pki = Pki::new();
    let broker = Broker::plain(&pki);
    let fake = thingflash_testkit::fleet::FleetFake::start(&pki, broker.port);
    let c = creds(&pki, "ca.pem", "p256");
    let r = test(fake.port, "thingflash-p256", &c);
    assert!(r.passed(), "allowed first: {r:#?}");
    fake.deny_connect(pki.der("p256.der"));
    let r = test(fake.port, "thingflash-p256", &c);
    let (stage, _, explanation) = failed(&r);
    assert_eq!(stage, Stage::Connect, "{r:#?}");
    assert!(explanation.contains("iot:Connect"), "{explanation}");
}
