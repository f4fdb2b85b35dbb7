//! The firmware's connection code on the host against mosquitto with `require_certificate
//! true`, through the same TLS library and configuration as the board (mbedtls-rs, dates
//! checked against the SNTP clock). openssl makes every certificate; each scenario's event
//! lines are parsed back with the protocol crate's parser before they are asserted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use embedded_io_adapters::tokio_1::FromTokio;
use mbedtls_rs::{Session, Tls, TlsReference};
use rand::{Rng as _, TryCryptoRng, TryRng};
use thingflash_connection::backoff::Backoff;
use thingflash_connection::clock::WallClock;
use thingflash_connection::mqtt::{self, Connector, End, Settings};
use thingflash_connection::tls::{self, TlsSetup};
use thingflash_connection::{Flow, Platform};
use thingflash_protocol::config::DeviceConfig;
use thingflash_protocol::credentials::DeviceCredentials;
use thingflash_protocol::event::{Event, Stage};
use tokio::net::TcpStream;

// ---- one TLS instance and one clock per process; scenarios take turns ----

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn mono() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_millis() as u64
}

static CLOCK: WallClock = WallClock::new(mono);

fn clock_now() {
    let unix_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    CLOCK.set_unix_ms(unix_ms);
}

struct OsRng;

impl TryRng for OsRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(rand::rng().next_u32())
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(rand::rng().next_u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        rand::rng().fill_bytes(dst);
        Ok(())
    }
}

impl TryCryptoRng for OsRng {}

fn new_tls() -> Tls<'static> {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| tls::install_clock(&CLOCK));
    Tls::new(Box::leak(Box::new(OsRng))).expect("one Tls at a time")
}

// ---- peers ----

fn peer(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain([PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("peer `{name}` is not installed: run scripts/test, which installs every peer")
        })
}

fn run(dir: &Path, prog: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(peer(prog))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{prog} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Certificates made by openssl: a CA that signs the broker and the devices, a second CA
/// nobody trusts, and the variants the scenarios need.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let o = |args: &[&str]| {
            run(d, "openssl", args);
        };
        std::fs::write(
            d.join("server.ext"),
            "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        std::fs::write(
            d.join("client.ext"),
            "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
        )
        .unwrap();
        for ca in ["ca", "other-ca"] {
            o(&[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{ca}.key"),
                "-out",
                &format!("{ca}.pem"),
                "-days",
                "30",
                "-subj",
                &format!("/CN=Test {ca}"),
            ]);
        }
        o(&["genrsa", "-out", "server.key", "2048"]);
        o(&["genrsa", "-out", "rsa.key", "2048"]);
        o(&[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "p256.key",
        ]);
        let sign = |key: &str, cn: &str, ca: &str, ext: &str, days: &str, out: &str| {
            o(&[
                "req",
                "-new",
                "-key",
                key,
                "-subj",
                &format!("/CN={cn}"),
                "-out",
                "x.csr",
            ]);
            o(&[
                "x509",
                "-req",
                "-in",
                "x.csr",
                "-CA",
                &format!("{ca}.pem"),
                "-CAkey",
                &format!("{ca}.key"),
                "-CAcreateserial",
                "-days",
                days,
                "-extfile",
                ext,
                "-out",
                out,
            ]);
        };
        sign(
            "server.key",
            "localhost",
            "ca",
            "server.ext",
            "30",
            "server.pem",
        );
        sign(
            "server.key",
            "localhost",
            "ca",
            "server.ext",
            "-1",
            "server-expired.pem",
        );
        sign(
            "rsa.key",
            "thingflash-rsa",
            "ca",
            "client.ext",
            "30",
            "rsa.pem",
        );
        sign(
            "p256.key",
            "thingflash-p256",
            "ca",
            "client.ext",
            "30",
            "p256.pem",
        );
        sign(
            "rsa.key",
            "thingflash-rogue",
            "other-ca",
            "client.ext",
            "30",
            "rogue.pem",
        );
        for pem in ["ca", "other-ca", "rsa", "p256", "rogue"] {
            o(&[
                "x509",
                "-in",
                &format!("{pem}.pem"),
                "-outform",
                "DER",
                "-out",
                &format!("{pem}.der"),
            ]);
        }
        for key in ["rsa", "p256"] {
            o(&[
                "pkcs8",
                "-topk8",
                "-nocrypt",
                "-in",
                &format!("{key}.key"),
                "-outform",
                "DER",
                "-out",
                &format!("{key}-key.der"),
            ]);
        }
        Self { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn der(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.path().join(name)).unwrap()
    }
}

struct Broker {
    child: Child,
    port: u16,
    conf: PathBuf,
}

impl Broker {
    fn start(pki: &Pki, server_cert: &str, extra: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let conf = pki.dir.path().join(format!("mosquitto-{port}.conf"));
        std::fs::write(
            &conf,
            format!(
                "# Root in CI containers: keep it, so the broker can read the test's 0600 keys.\nuser root\nlistener {port} 127.0.0.1\ncafile {}\ncertfile {}\nkeyfile {}\nrequire_certificate true\nallow_anonymous true\n{extra}\n",
                pki.path("ca.pem"),
                pki.path(server_cert),
                pki.path("server.key")
            ),
        )
        .unwrap();
        let child = Self::spawn(&conf, port);
        Self { child, port, conf }
    }

    fn spawn(conf: &Path, port: u16) -> Child {
        let child = Command::new(peer("mosquitto"))
            .arg("-c")
            .arg(conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "mosquitto did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        child
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn restart(&mut self) {
        self.stop();
        self.child = Self::spawn(&self.conf, self.port);
    }

    fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// mosquitto_pub with a trusted client certificate.
    fn publish(&self, pki: &Pki, topic: &str, message: &str) {
        run(
            pki.dir.path(),
            "mosquitto_pub",
            &[
                "-h",
                "localhost",
                "-p",
                &self.port.to_string(),
                "--cafile",
                &pki.path("ca.pem"),
                "--cert",
                &pki.path("rsa.pem"),
                "--key",
                &pki.path("rsa.key"),
                "-i",
                "tester-pub",
                "-V",
                "mqttv5",
                "-t",
                topic,
                "-m",
                message,
            ],
        );
    }

    /// mosquitto_sub for `count` messages on `topic`, in the background.
    fn subscribe(&self, pki: &Pki, topic: &str, count: usize) -> Child {
        Command::new(peer("mosquitto_sub"))
            .args([
                "-h",
                "localhost",
                "-p",
                &self.port.to_string(),
                "--cafile",
                &pki.path("ca.pem"),
                "--cert",
                &pki.path("rsa.pem"),
                "--key",
                &pki.path("rsa.key"),
                "-i",
                "tester-sub",
                "-V",
                "mqttv5",
                "-t",
                topic,
                "-C",
                &count.to_string(),
                "-W",
                "20",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.stop();
    }
}

// ---- the platform and connector of the host ----

struct Host<F: FnMut(&Event<'_>) -> bool> {
    lines: Vec<String>,
    stop_after: F,
}

impl<F: FnMut(&Event<'_>) -> bool> Platform for Host<F> {
    fn now_ms(&self) -> u64 {
        mono()
    }
    async fn sleep_ms(&mut self, ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await
    }
    fn random_u32(&mut self) -> u32 {
        rand::rng().next_u32()
    }
    fn rssi(&self) -> Option<i16> {
        None
    }
    fn heap_free(&self) -> Option<u32> {
        None
    }
    fn emit(&mut self, event: &Event<'_>) -> Flow {
        self.lines.push(event.to_string());
        if (self.stop_after)(event) {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }
}

impl<F: FnMut(&Event<'_>) -> bool> Host<F> {
    fn new(stop_after: F) -> Self {
        Self {
            lines: Vec::new(),
            stop_after,
        }
    }

    /// The events, read back from their lines with the protocol crate's parser.
    fn events(&self) -> Vec<Event<'_>> {
        self.lines
            .iter()
            .map(|l| Event::parse(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
            .collect()
    }
}

struct TcpTls<'a> {
    addr: SocketAddr,
    setup: &'a TlsSetup,
    tls: TlsReference<'a>,
}

impl<'a> Connector for TcpTls<'a> {
    type Transport = Session<'a, FromTokio<TcpStream>>;

    async fn connect<P: Platform>(&mut self, p: &mut P) -> Result<Self::Transport, Stage> {
        let Ok(tcp) = TcpStream::connect(self.addr).await else {
            p.emit(&Event::TlsFailed {
                code: 0,
                verify: 0,
                detail: "connection refused".into(),
            });
            return Err(Stage::Tls);
        };
        self.setup
            .handshake(self.tls, FromTokio::new(tcp), p)
            .await
            .map_err(|_| Stage::Tls)
    }
}

fn config(client_id: &str) -> DeviceConfig {
    DeviceConfig {
        wifi_ssid: "lab".into(),
        host: "localhost".into(),
        client_id: client_id.into(),
        telemetry_interval_s: 1,
        keepalive_s: 30,
        ..DeviceConfig::default()
    }
}

struct Device {
    ca: Vec<u8>,
    cert: Vec<u8>,
    key: Vec<u8>,
}

impl Device {
    fn new(pki: &Pki, ca: &str, cert: &str, key: &str) -> Self {
        Self {
            ca: pki.der(ca),
            cert: pki.der(cert),
            key: pki.der(key),
        }
    }

    fn setup(&self, host: &str, port: u16) -> TlsSetup {
        let dc = DeviceCredentials {
            ca_certs: vec![&self.ca],
            device_cert: &self.cert,
            private_key: &self.key,
            config: config("unused"),
        };
        TlsSetup::new(&dc, host, port).unwrap()
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// One connection attempt (TLS + session), ending at the first of `stop_after`.
fn attempt(
    broker: &Broker,
    device: &Device,
    sni: &str,
    client_id: &str,
    stop_after: impl FnMut(&Event<'_>) -> bool,
) -> (Vec<String>, Option<End>) {
    let tls = new_tls();
    let setup = device.setup(sni, broker.port);
    let mut host = Host::new(stop_after);
    let mut c = TcpTls {
        addr: broker.addr(),
        setup: &setup,
        tls: tls.reference(),
    };
    let end = rt().block_on(async {
        tokio::time::timeout(Duration::from_secs(30), async {
            match c.connect(&mut host).await {
                Ok(t) => Some(
                    mqtt::session(t, &Settings::new(&config(client_id), "test"), &mut host).await,
                ),
                Err(_) => None,
            }
        })
        .await
        .expect("scenario timed out")
    });
    (host.lines, end)
}

fn parse(lines: &[String]) -> Vec<Event<'_>> {
    lines.iter().map(|l| Event::parse(l).unwrap()).collect()
}

fn tls_failed(lines: &[String]) -> (i32, u32) {
    parse(lines)
        .into_iter()
        .find_map(|e| match e {
            Event::TlsFailed { code, verify, .. } => Some((code, verify)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no tls.failed in {lines:#?}"))
}

// ---- scenarios ----

fn connects_publishes_and_answers(key: &str) {
    let _g = serial();
    clock_now();
    let pki = Pki::new();
    let broker = Broker::start(&pki, "server.pem", "");
    let device = Device::new(
        &pki,
        "ca.der",
        &format!("{key}.der"),
        &format!("{key}-key.der"),
    );
    let client_id = format!("thingflash-{key}");
    let sub = broker.subscribe(&pki, &format!("thingflash/{client_id}/#"), 3);
    std::thread::sleep(Duration::from_millis(300));

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
    let _g = serial();
    clock_now();
    let pki = Pki::new();
    let broker = Broker::start(&pki, "server.pem", "");
    let device = Device::new(&pki, "other-ca.der", "rsa.der", "rsa-key.der");
    let (lines, end) = attempt(&broker, &device, "localhost", "thingflash-x", |_| false);
    assert_eq!(end, None);
    let (code, verify) = tls_failed(&lines);
    assert_eq!(code, tls::ERR_X509_CERT_VERIFY_FAILED);
    assert_eq!(verify & 0x08, 0x08, "verify flags {verify:#x}");
}

#[test]
fn wrong_sni_fails_verification_with_cn_mismatch() {
    let _g = serial();
    clock_now();
    let pki = Pki::new();
    let broker = Broker::start(&pki, "server.pem", "");
    let device = Device::new(&pki, "ca.der", "rsa.der", "rsa-key.der");
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
    let _g = serial();
    clock_now();
    let pki = Pki::new();
    let broker = Broker::start(&pki, "server-expired.pem", "");
    let device = Device::new(&pki, "ca.der", "rsa.der", "rsa-key.der");
    let (lines, end) = attempt(&broker, &device, "localhost", "thingflash-x", |_| false);
    assert_eq!(end, None);
    let (code, verify) = tls_failed(&lines);
    assert_eq!(code, tls::ERR_X509_CERT_VERIFY_FAILED);
    assert_eq!(verify, 0x01, "verify flags {verify:#x}");
}

#[test]
fn clock_not_set_fails_every_certificate() {
    let _g = serial();
    CLOCK.clear();
    let pki = Pki::new();
    let broker = Broker::start(&pki, "server.pem", "");
    let device = Device::new(&pki, "ca.der", "rsa.der", "rsa-key.der");
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
    let _g = serial();
    clock_now();
    let pki = Pki::new();
    let broker = Broker::start(&pki, "server.pem", "");
    let device = Device::new(&pki, "ca.der", "rogue.der", "rsa-key.der");
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
    let _g = serial();
    clock_now();
    let pki = Pki::new();
    let broker = Broker::start(&pki, "server.pem", "clientid_prefixes factory-");
    let device = Device::new(&pki, "ca.der", "rsa.der", "rsa-key.der");
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
    let _g = serial();
    clock_now();
    let pki = Pki::new();
    let mut broker = Broker::start(&pki, "server.pem", "");
    let device = Device::new(&pki, "ca.der", "p256.der", "p256-key.der");
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
