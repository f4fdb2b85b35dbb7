//! Shared by the mosquitto tests and the handshake benchmark: the host's platform and
//! connector, the board's TLS instance and clock; the certificates and the broker come
//! from `thingflash-testkit`, as the app's tests take them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use embedded_io_adapters::tokio_1::FromTokio;
use mbedtls_rs::{Session, Tls, TlsReference};
use rand::{Rng as _, TryCryptoRng, TryRng};
use thingflash_connection::clock::WallClock;
use thingflash_connection::desktop::{DesktopConnector, DesktopTls};
use thingflash_connection::mqtt::{self, Connector, End, Settings};
use thingflash_connection::tls::{self, TlsSetup};
use thingflash_connection::{Flow, Platform};
use thingflash_protocol::config::DeviceConfig;
use thingflash_protocol::credentials::DeviceCredentials;
use thingflash_protocol::event::{Event, Stage};
use tokio::net::TcpStream;

// ---- one TLS instance and one clock per process; scenarios take turns ----

pub static SERIAL: Mutex<()> = Mutex::new(());

pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn mono() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_millis() as u64
}

pub static CLOCK: WallClock = WallClock::new(mono);

pub fn clock_now() {
    let unix_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    CLOCK.set_unix_ms(unix_ms);
}

pub struct OsRng;

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

pub fn new_tls() -> Tls<'static> {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| tls::install_clock(&CLOCK));
    Tls::new(Box::leak(Box::new(OsRng))).expect("one Tls at a time")
}

// ---- peers, certificates and the broker: shared with the app's tests ----

pub use thingflash_testkit::{Broker, Pki};

// ---- the platform and connector of the host ----

pub struct Host<F: FnMut(&Event<'_>) -> bool> {
    pub lines: Vec<String>,
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
    pub fn new(stop_after: F) -> Self {
        Self {
            lines: Vec::new(),
            stop_after,
        }
    }

    /// The events, read back from their lines with the protocol crate's parser.
    pub fn events(&self) -> Vec<Event<'_>> {
        self.lines
            .iter()
            .map(|l| Event::parse(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
            .collect()
    }
}

pub struct TcpTls<'a> {
    pub addr: SocketAddr,
    pub setup: &'a TlsSetup,
    pub tls: TlsReference<'a>,
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

pub fn config(client_id: &str) -> DeviceConfig {
    DeviceConfig {
        wifi_ssid: "lab".into(),
        host: "localhost".into(),
        client_id: client_id.into(),
        telemetry_interval_s: 1,
        keepalive_s: 30,
        ..DeviceConfig::default()
    }
}

pub struct Device {
    ca: Vec<u8>,
    cert: Vec<u8>,
    key: Vec<u8>,
}

impl Device {
    pub fn new(pki: &Pki, ca: &str, cert: &str, key: &str) -> Self {
        Self {
            ca: pki.der(ca),
            cert: pki.der(cert),
            key: pki.der(key),
        }
    }

    /// A device from its bytes: root CA, certificate and key (DER).
    pub fn from_parts(ca: Vec<u8>, cert: Vec<u8>, key: Vec<u8>) -> Self {
        Self { ca, cert, key }
    }

    pub fn credentials(&self) -> DeviceCredentials<'_> {
        DeviceCredentials {
            ca_certs: vec![&self.ca],
            device_cert: &self.cert,
            private_key: &self.key,
            config: config("unused"),
        }
    }

    pub fn setup(&self, host: &str, port: u16) -> TlsSetup {
        let dc = DeviceCredentials {
            ca_certs: vec![&self.ca],
            device_cert: &self.cert,
            private_key: &self.key,
            config: config("unused"),
        };
        TlsSetup::new(&dc, host, port).unwrap()
    }
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// One connection attempt (TLS + session), ending at the first of `stop_after`.
pub fn attempt(
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

/// One attempt through the desktop stack, as `attempt` runs one through the board's.
pub fn attempt_desktop(
    broker: &Broker,
    device: &Device,
    sni: &str,
    client_id: &str,
    stop_after: impl FnMut(&Event<'_>) -> bool,
) -> (Vec<String>, Option<End>) {
    let tls = DesktopTls::new(&device.credentials(), sni, broker.port).unwrap();
    let mut host = Host::new(stop_after);
    let mut c = DesktopConnector {
        addr: broker.addr(),
        tls: &tls,
        limit: Duration::from_secs(5),
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

pub fn parse(lines: &[String]) -> Vec<Event<'_>> {
    lines.iter().map(|l| Event::parse(l).unwrap()).collect()
}

pub fn tls_failed(lines: &[String]) -> (i32, u32) {
    parse(lines)
        .into_iter()
        .find_map(|e| match e {
            Event::TlsFailed { code, verify, .. } => Some((code, verify)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no tls.failed in {lines:#?}"))
}

/// The start of most scenarios: the turn, the clock set, certificates, a broker serving
/// `server_cert` (with `extra` config), and a device with the given files.
pub fn scenario(
    server_cert: &str,
    extra: &str,
    files: (&str, &str, &str),
) -> (MutexGuard<'static, ()>, Pki, Broker, Device) {
    let guard = serial();
    clock_now();
    let pki = Pki::new();
    let broker = Broker::open(&pki, server_cert.trim_end_matches(".pem"), extra);
    let device = Device::new(&pki, files.0, files.1, files.2);
    (guard, pki, broker, device)
}
