//! Shared by the mosquitto tests and the handshake benchmark: openssl-made certificates,
//! a mosquitto broker with `require_certificate true`, and the host's platform and connector.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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

// ---- peers ----

pub fn peer(name: &str) -> PathBuf {
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

pub fn run(dir: &Path, prog: &str, args: &[&str]) -> Vec<u8> {
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
pub struct Pki {
    pub dir: tempfile::TempDir,
}

impl Pki {
    pub fn new() -> Self {
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

    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    pub fn der(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.path().join(name)).unwrap()
    }
}

pub struct Broker {
    child: Child,
    pub port: u16,
    conf: PathBuf,
}

impl Broker {
    pub fn start(pki: &Pki, server_cert: &str, extra: &str) -> Self {
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

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn restart(&mut self) {
        self.stop();
        self.child = Self::spawn(&self.conf, self.port);
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Arguments every mosquitto client here needs: the broker, the CA, a trusted client
    /// certificate, MQTT 5, a client id and a topic.
    fn client_args(&self, pki: &Pki, id: &str, topic: &str) -> Vec<String> {
        let port = self.port.to_string();
        let (ca, cert, key) = (pki.path("ca.pem"), pki.path("rsa.pem"), pki.path("rsa.key"));
        [
            "-h",
            "localhost",
            "-p",
            &port,
            "--cafile",
            &ca,
            "--cert",
            &cert,
            "--key",
            &key,
            "-i",
            id,
            "-V",
            "mqttv5",
            "-t",
            topic,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    /// mosquitto_pub with a trusted client certificate.
    pub fn publish(&self, pki: &Pki, topic: &str, message: &str) {
        let mut args = self.client_args(pki, "tester-pub", topic);
        args.extend(["-m".to_string(), message.to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(pki.dir.path(), "mosquitto_pub", &args);
    }

    /// A mosquitto_sub for `count` messages, returned once the broker has acknowledged its
    /// subscription (its `-d` output says so), so nothing the test publishes next is missed
    /// however slowly its TLS handshake runs on a loaded machine. Line-buffered through
    /// coreutils' stdbuf: into a pipe, its stdio would hold every line until it exits.
    pub fn subscribe(&self, pki: &Pki, topic: &str, count: usize) -> Child {
        let mut child = Command::new("stdbuf")
            .arg("-oL")
            .arg(peer("mosquitto_sub"))
            .args(self.client_args(pki, "tester-sub", topic))
            .args(["-d", "-C", &count.to_string(), "-W", "20"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.as_mut().unwrap();
        let mut seen = Vec::new();
        // Byte by byte: a buffered reader would keep what follows from the caller.
        let mut byte = [0u8; 1];
        while !seen.ends_with(b"received SUBACK") {
            let n = std::io::Read::read(stdout, &mut byte).unwrap();
            assert!(
                n == 1,
                "mosquitto_sub ended before subscribing: {}",
                String::from_utf8_lossy(&seen)
            );
            seen.push(byte[0]);
        }
        child
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.stop();
    }
}

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
    let broker = Broker::start(&pki, server_cert, extra);
    let device = Device::new(&pki, files.0, files.1, files.2);
    (guard, pki, broker, device)
}
