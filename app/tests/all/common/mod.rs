//! Test support: real peers (openssl, moto_server) found on PATH, and a fixture set of
//! certificates and keys that openssl makes in a temporary folder at test time.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod lx106;
pub mod own;
pub mod rom8266;
pub mod signer;
pub mod throttle;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub use thingflash_testkit::{openssl, peer, run};

/// The passphrase of the encrypted fixtures.
pub const PASS: &str = "correct horse battery";

/// Certificates and keys in every form the issue lists, made by openssl.
pub struct Fixtures {
    pub dir: tempfile::TempDir,
}

impl Fixtures {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let o = |args: &[&str]| openssl(d, args);
        std::fs::write(
            d.join("client.ext"),
            "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
        )
        .unwrap();
        std::fs::write(d.join("ca.ext"), "basicConstraints=critical,CA:TRUE\n").unwrap();
        std::fs::write(
            d.join("server.ext"),
            "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        // A private CA standing in for AWS's issuing CA.
        o(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "issuer.key",
            "-out",
            "issuer.pem",
            "-days",
            "3650",
            "-subj",
            "/CN=Fixture Issuing CA",
        ]);
        // Keys: RSA PKCS#1, RSA PKCS#8, EC P-256 SEC1, EC P-256 PKCS#8, EC P-384 PKCS#8.
        o(&["genrsa", "-traditional", "-out", "rsa-pkcs1.key", "2048"]);
        o(&[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            "rsa-pkcs1.key",
            "-out",
            "rsa-pkcs8.key",
        ]);
        o(&[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "p256-sec1.key",
        ]);
        o(&[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            "p256-sec1.key",
            "-out",
            "p256-pkcs8.key",
        ]);
        o(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
            "-out",
            "p384-pkcs8.key",
        ]);
        o(&["genrsa", "-traditional", "-out", "other-rsa.key", "2048"]);
        // Device certificates, AWS console names.
        for (key, cert, ext, days) in [
            (
                "rsa-pkcs1.key",
                "rsa-certificate.pem.crt",
                "client.ext",
                "365",
            ),
            (
                "p256-sec1.key",
                "p256-certificate.pem.crt",
                "client.ext",
                "365",
            ),
            (
                "p384-pkcs8.key",
                "p384-certificate.pem.crt",
                "client.ext",
                "365",
            ),
            ("rsa-pkcs1.key", "rsa-expired.pem.crt", "client.ext", "-1"),
            ("rsa-pkcs1.key", "rsa-expiring.pem.crt", "client.ext", "10"),
            ("rsa-pkcs1.key", "rsa-ca-true.pem.crt", "ca.ext", "365"),
            (
                "rsa-pkcs1.key",
                "rsa-server-only.pem.crt",
                "server.ext",
                "365",
            ),
        ] {
            let csr = format!("{cert}.csr");
            o(&[
                "req",
                "-new",
                "-key",
                key,
                "-subj",
                "/CN=fixture-thing",
                "-out",
                &csr,
            ]);
            o(&[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "issuer.pem",
                "-CAkey",
                "issuer.key",
                "-CAcreateserial",
                "-days",
                days,
                "-extfile",
                ext,
                "-out",
                cert,
            ]);
        }
        // Encrypted keys: PKCS#8 (PBES2/AES-256) and legacy PEM (AES-128, 3DES).
        o(&[
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-in",
            "rsa-pkcs1.key",
            "-passout",
            &format!("pass:{PASS}"),
            "-out",
            "rsa-enc-pkcs8.key",
        ]);
        o(&[
            "rsa",
            "-in",
            "rsa-pkcs1.key",
            "-aes128",
            "-traditional",
            "-passout",
            &format!("pass:{PASS}"),
            "-out",
            "rsa-enc-legacy.key",
        ]);
        o(&[
            "ec",
            "-in",
            "p256-sec1.key",
            "-des3",
            "-passout",
            &format!("pass:{PASS}"),
            "-out",
            "p256-enc-legacy.key",
        ]);
        // Public key, as AWS's -public.pem.key.
        o(&[
            "pkey",
            "-in",
            "rsa-pkcs1.key",
            "-pubout",
            "-out",
            "rsa-public.pem.key",
        ]);
        // CRLF copies.
        for (from, to) in [
            ("rsa-certificate.pem.crt", "rsa-crlf.pem.crt"),
            ("rsa-pkcs1.key", "rsa-crlf.key"),
        ] {
            let text = std::fs::read_to_string(d.join(from)).unwrap();
            std::fs::write(d.join(to), text.replace('\n', "\r\n")).unwrap();
        }
        // DER copies.
        o(&[
            "x509",
            "-in",
            "rsa-certificate.pem.crt",
            "-outform",
            "DER",
            "-out",
            "rsa-certificate.der",
        ]);
        o(&[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            "p256-sec1.key",
            "-outform",
            "DER",
            "-out",
            "p256-pkcs8.der",
        ]);
        // A key with one flipped byte deep inside (private exponent / CRT values).
        let mut der = o(&[
            "rsa",
            "-in",
            "rsa-pkcs1.key",
            "-traditional",
            "-outform",
            "DER",
        ]);
        let at = der.len() - 40;
        der[at] ^= 0x01;
        std::fs::write(d.join("rsa-flipped.der"), der).unwrap();
        Self { dir }
    }

    /// The ready set of `cert` and `key` (files of this fixture set).
    pub fn credential_set(&self, cert: &str, key: &str) -> thingflash::credentials::CredentialSet {
        let files: Vec<_> = [cert, key]
            .iter()
            .flat_map(|n| thingflash::credentials::read_path(&self.path(n)).unwrap())
            .collect();
        let now = time::OffsetDateTime::now_utc();
        let a = thingflash::credentials::analyse(&files, &[], now, None);
        thingflash::credentials::CredentialSet::from_analysis(&a).unwrap()
    }

    /// The RSA device certificate and its PKCS#1 key: the set most tests flash.
    pub fn rsa_set(&self) -> thingflash::credentials::CredentialSet {
        self.credential_set("rsa-certificate.pem.crt", "rsa-pkcs1.key")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn openssl(&self, args: &[&str]) -> Vec<u8> {
        openssl(self.dir.path(), args)
    }
}

/// moto_server on a free loopback port, stopped on drop.
pub struct Moto {
    child: Child,
    pub url: String,
}

impl Moto {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    pub fn start_with(env: &[(&str, &str)]) -> Self {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let child = Command::new(peer("moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "moto_server did not start on {url}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Self { child, url }
    }
}

impl Moto {
    /// An AWS IoT client for this moto with these credentials (moto takes any).
    pub fn iot_as(&self, key: &str, secret: &str) -> aws_sdk_iot::Client {
        let conf = aws_sdk_iot::Config::builder()
            .behavior_version(aws_sdk_iot::config::BehaviorVersion::latest())
            .region(aws_sdk_iot::config::Region::new("us-east-1"))
            .endpoint_url(&self.url)
            .credentials_provider(aws_sdk_iot::config::Credentials::new(
                key, secret, None, None, "test",
            ))
            .build();
        aws_sdk_iot::Client::from_conf(conf)
    }

    /// Every certificate in this moto: (id, status).
    pub fn certificates(&self) -> Vec<(String, String)> {
        rt().block_on(async {
            self.iot()
                .list_certificates()
                .send()
                .await
                .unwrap()
                .certificates()
                .iter()
                .map(|c| {
                    (
                        c.certificate_id().unwrap_or_default().to_string(),
                        c.status()
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_default(),
                    )
                })
                .collect()
        })
    }

    /// [`Self::iot_as`] with the tests' usual credentials.
    pub fn iot(&self) -> aws_sdk_iot::Client {
        self.iot_as("testing", "testing")
    }
}

/// A runtime for the AWS SDK's calls in a test.
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// `thingflash fleet <verb>`: a station for thingflash's firmware on `ports`, with
/// `dir`'s manifest.csv, journal.jsonl and report, and AWS at `aws` (moto, or a proxy in
/// front of it). More arguments can follow.
pub fn fleet_command(verb: &str, dir: &Path, aws: &str, ports: &[&str]) -> Command {
    // moto makes keys as AWS does; its CreateCertificateFromCsr does not sign the
    // request's key, so the default key choices need `signer::CsrSigner` in front.
    fleet_command_keyed(verb, dir, aws, ports, "rsa-2048")
}

/// [`fleet_command`] with the keys made where `key` says (`board`, `ec-p256`, `rsa-2048`).
pub fn fleet_command_keyed(
    verb: &str,
    dir: &Path,
    aws: &str,
    ports: &[&str],
    key: &str,
) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_thingflash"));
    c.args(["fleet", verb, "--manifest"])
        .arg(dir.join("manifest.csv"))
        .arg("--journal")
        .arg(dir.join("journal.jsonl"))
        .arg("--report")
        .arg(dir.join("report"));
    for p in ports {
        c.args(["--port", p]);
    }
    c.args([
        "--target",
        "thingflash",
        "--wifi-ssid",
        "lab",
        "--key-type",
        key,
    ])
    .args(["--endpoint-url", aws, "--region", "us-east-1"])
    .args(["--before", "no-reset", "--after", "no-reset", "--force"])
    .env_clear()
    .env("PATH", std::env::var_os("PATH").unwrap_or_default())
    .env("HOME", dir)
    .env("AWS_ACCESS_KEY_ID", "testing")
    .env("AWS_SECRET_ACCESS_KEY", "testing")
    .env("AWS_EC2_METADATA_DISABLED", "true")
    .env("THINGFLASH_WIFI_PASSWORD", "correct horse");
    c
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A pseudo-terminal whose slave is reachable through a stable symlink, so that the
/// reader sees "the same port" come back after an unplug.
pub struct Board {
    pub master: std::fs::File,
}

impl Board {
    pub fn plug(link: &Path) -> Self {
        let pty = nix::pty::openpty(None, None).unwrap();
        let slave = nix::unistd::ttyname(&pty.slave).unwrap();
        let _ = std::fs::remove_file(link);
        std::os::unix::fs::symlink(&slave, link).unwrap();
        // Only the master stays open in the test; the reader opens the slave by path.
        drop(pty.slave);
        Self {
            master: std::fs::File::from(pty.master),
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).unwrap();
        self.master.flush().unwrap();
    }
}

/// esp32-mock-bootloader on a pseudo-terminal: a ROM loader with a virtual flash (all
/// 0xFF at start) that lives as long as this value.
pub struct Mock {
    child: Child,
    pub chip: String,
    pub port: String,
}

impl Mock {
    pub fn start(chip: &str) -> Self {
        Self::launch(chip, Command::new(peer("esp32-mock-bootloader")))
    }

    /// A mock of `chip` whose MAC is `mac` (12 hex digits): the mock derives its MAC from
    /// the chip alone, so several boards of one chip need their own. Its `registers`
    /// module is given the MAC before the server starts, in the mock's own Python.
    pub fn start_with_mac(chip: &str, mac: &str) -> Self {
        let script = std::fs::read_to_string(peer("esp32-mock-bootloader")).unwrap();
        let python = script
            .lines()
            .next()
            .unwrap()
            .trim_start_matches("#!")
            .trim()
            .to_string();
        let mut c = Command::new(python);
        c.args([
            "-c",
            "import sys, esp32_mock_bootloader.registers as r\n\
             mac = tuple(bytes.fromhex(sys.argv.pop(1)))\n\
             r.mac_bytes_for_chip = lambda chip: mac\n\
             from esp32_mock_bootloader.cli import main\n\
             sys.exit(main())",
            mac,
        ]);
        Self::launch(chip, c)
    }

    fn launch(chip: &str, mut command: Command) -> Self {
        use std::io::BufRead as _;
        let mut child = command
            .args(["run", "--chip", chip, "--pty"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start esp32-mock-bootloader");
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let port = lines
            .next()
            .expect("esp32-mock-bootloader printed nothing")
            .unwrap();
        assert!(port.starts_with("/dev/"), "unexpected mock output: {port}");
        // Keep draining its output so that it never blocks on a full pipe.
        std::thread::spawn(move || {
            for l in lines {
                if std::env::var_os("MOCK_DEBUG").is_some() {
                    eprintln!("MOCK: {l:?}");
                }
            }
        });
        Self {
            child,
            chip: chip.to_string(),
            port,
        }
    }

    /// Read `len` bytes of the mock's flash at `offset` with esptool.
    pub fn read_flash(&self, offset: u32, len: usize) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("read.bin");
        self.esptool(&[
            "read-flash",
            &format!("{offset:#x}"),
            &len.to_string(),
            out.to_str().unwrap(),
        ]);
        std::fs::read(out).unwrap()
    }

    /// Write `data` into the mock's flash at `offset` with esptool (what a board's own
    /// firmware, or another firmware before it, left there).
    pub fn write_flash(&self, offset: u32, data: &[u8]) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data.bin");
        std::fs::write(&file, data).unwrap();
        self.esptool(&[
            "write-flash",
            &format!("{offset:#x}"),
            file.to_str().unwrap(),
        ]);
    }

    /// esptool on this mock, already in its loader (no resets).
    fn esptool(&self, command: &[&str]) {
        run(Command::new(peer("esptool"))
            .args(["--chip", &self.chip, "--port", &self.port])
            .args(["--before", "no-reset", "--after", "no-reset"])
            .args(command));
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A pseudo-terminal pair, raw on both sides (no echo, no CR/LF rewriting of SLIP
/// frames), and the slave's path.
pub fn raw_pty() -> (nix::pty::OpenptyResult, String) {
    let pty = nix::pty::openpty(None, None).unwrap();
    let port = nix::unistd::ttyname(&pty.slave)
        .unwrap()
        .display()
        .to_string();
    for fd in [&pty.slave, &pty.master] {
        let mut t = nix::sys::termios::tcgetattr(fd).unwrap();
        nix::sys::termios::cfmakeraw(&mut t);
        nix::sys::termios::tcsetattr(fd, nix::sys::termios::SetArg::TCSANOW, &t).unwrap();
    }
    (pty, port)
}

/// A cable between thingflash and the mock: a pseudo-terminal of its own whose bytes are
/// relayed to the mock's, counted, and that can be cut part way through a write (a
/// cable pulled out), while the mock and its flash live on.
pub struct Cable {
    pub port: String,
    /// Bytes relayed from the host to the mock.
    pub sent: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// Cut once `sent` passes this many bytes (`usize::MAX`: never).
    pub cut_at: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
    /// The app's end, to print as the board would once the mock's loader is done.
    near: std::fs::File,
}

impl Cable {
    pub fn to(mock: &Mock) -> Self {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let (pty, port) = raw_pty();
        let far = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&mock.port)
            .unwrap();
        let mut t = nix::sys::termios::tcgetattr(&far).unwrap();
        nix::sys::termios::cfmakeraw(&mut t);
        nix::sys::termios::tcsetattr(&far, nix::sys::termios::SetArg::TCSANOW, &t).unwrap();
        // The slave stays open here too, so that the pty does not hang up between the
        // app's opens.
        let slave = pty.slave;
        let near = std::fs::File::from(pty.master);
        let sent = Arc::new(AtomicUsize::new(0));
        let cut_at = Arc::new(AtomicUsize::new(usize::MAX));
        let stop = Arc::new(AtomicBool::new(false));
        let pump = |from: std::fs::File, to: std::fs::File, count: bool| {
            let (sent, cut_at, stop) = (sent.clone(), cut_at.clone(), stop.clone());
            std::thread::spawn(move || {
                use std::io::{Read as _, Write as _};
                use std::os::fd::AsFd as _;
                let mut to = to;
                let mut buf = [0u8; 4096];
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let ready = {
                        let mut pfd = [nix::poll::PollFd::new(
                            from.as_fd(),
                            nix::poll::PollFlags::POLLIN,
                        )];
                        nix::poll::poll(&mut pfd, nix::poll::PollTimeout::from(50u16))
                    };
                    match ready {
                        Ok(0) => continue,
                        Ok(_) => {}
                        Err(_) => return,
                    }
                    let n = match (&from).read(&mut buf) {
                        Ok(0) | Err(_) => {
                            std::thread::sleep(std::time::Duration::from_millis(20));
                            continue;
                        }
                        Ok(n) => n,
                    };
                    if count {
                        let total = sent.fetch_add(n, Ordering::Relaxed) + n;
                        if total >= cut_at.load(Ordering::Relaxed) {
                            stop.store(true, Ordering::Relaxed);
                            return;
                        }
                    }
                    if to.write_all(&buf[..n]).is_err() {
                        return;
                    }
                }
            })
        };
        let t1 = pump(near.try_clone().unwrap(), far.try_clone().unwrap(), true);
        let said = near.try_clone().unwrap();
        let t2 = pump(far, near, false);
        // Held by the cable until it is dropped.
        std::mem::forget(slave);
        Self {
            port,
            sent,
            cut_at,
            stop,
            threads: vec![t1, t2],
            near: said,
        }
    }

    /// Print `text` to the app as the board's firmware would after its reset.
    pub fn say(&self, text: &str) {
        use std::io::Write as _;
        (&self.near).write_all(text.as_bytes()).unwrap();
    }

    /// Bytes sent to the mock so far.
    pub fn sent(&self) -> usize {
        self.sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Cut the cable `more` bytes from now.
    pub fn cut_after(&self, more: usize) {
        self.cut_at
            .store(self.sent() + more, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Drop for Cable {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
