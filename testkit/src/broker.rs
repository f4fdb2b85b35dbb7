//! mosquitto 2 on a free port of 127.0.0.1, with client certificates
//! (`require_certificate true`) or, to be the wrong kind of port, without TLS at all.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{Pki, free_port, peer, run};

/// A running mosquitto; stopped when dropped.
pub struct Broker {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    conf: PathBuf,
}

/// Where Debian's mosquitto keeps its dynamic-security plugin.
const DYNSEC: &str = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";

impl Broker {
    /// TLS with the `server` certificate, a client certificate required, any client
    /// allowed; `extra` is more configuration.
    pub fn open(pki: &Pki, server: &str, extra: &str) -> Self {
        Self::launch(pki, server, &format!("allow_anonymous true\n{extra}"))
    }

    /// TLS as AWS IoT works: the certificate's CN is the user, and an ACL gives `thing-ok`
    /// its topics and `thing-readonly` only a read of its telemetry.
    pub fn with_acl(pki: &Pki, server: &str, extra: &str) -> Self {
        let acl = pki.path(&format!("acl-{}", free_port()));
        std::fs::write(
            &acl,
            "user thing-ok\ntopic readwrite thingflash/thing-ok/#\n\
             user thing-readonly\ntopic readwrite thingflash/thing-readonly/cmd\n\
             topic readwrite thingflash/thing-readonly/reply\ntopic read thingflash/thing-readonly/telemetry\n",
        )
        .unwrap();
        let security = format!(
            "use_identity_as_username true\nallow_anonymous false\nacl_file {}\n{extra}",
            acl.display()
        );
        Self::launch(pki, server, &security)
    }

    /// mosquitto's dynamic-security plugin instead of the ACL file: mosquitto 2.0's ACL
    /// file never refuses a SUBSCRIBE (it withholds the messages), the plugin answers
    /// SUBACK 0x87 as AWS does. `config` is the plugin's JSON.
    pub fn dynsec(pki: &Pki, config: &str) -> Self {
        assert!(
            Path::new(DYNSEC).exists(),
            "mosquitto's dynamic-security plugin is missing ({DYNSEC}): install mosquitto"
        );
        let json = pki.path(&format!("dynsec-{}.json", free_port()));
        std::fs::write(&json, config).unwrap();
        let security = format!(
            "use_identity_as_username true\nallow_anonymous false\nplugin {DYNSEC}\nplugin_opt_config_file {}\n",
            json.display()
        );
        Self::launch(pki, "server", &security)
    }

    /// A plain MQTT listener, no TLS: what port 1883 is on most brokers.
    pub fn plain(pki: &Pki) -> Self {
        let port = free_port();
        let conf = pki.path(&format!("mosquitto-{port}.conf"));
        std::fs::write(
            &conf,
            format!("user root\nlistener {port} 127.0.0.1\nallow_anonymous true\n"),
        )
        .unwrap();
        let child = Self::spawn(&conf, port);
        Self { child, port, conf }
    }

    fn launch(pki: &Pki, server: &str, security: &str) -> Self {
        let port = free_port();
        let conf = pki.path(&format!("mosquitto-{port}.conf"));
        std::fs::write(
            &conf,
            format!(
                // Root in CI containers: kept, so the broker can read the test's 0600 keys.
                "user root\nlistener {port} 127.0.0.1\ncafile {}\ncertfile {}\nkeyfile {}\nrequire_certificate true\n{security}\n",
                pki.path("ca.pem").display(),
                pki.path(&format!("{server}.pem")).display(),
                pki.path(&format!("{server}.key")).display(),
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

    /// Stop it (the port stays reserved for [`Self::restart`]).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Start it again on the same port.
    pub fn restart(&mut self) {
        self.stop();
        self.child = Self::spawn(&self.conf, self.port);
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Arguments every mosquitto client here needs: the broker, the CA, a trusted client
    /// certificate, MQTT 5, a client id and a topic.
    fn client_args(&self, pki: &Pki, id: &str, topic: &str) -> Vec<String> {
        let port = self.port.to_string();
        let (ca, cert, key) = (pki.path("ca.pem"), pki.path("rsa.pem"), pki.path("rsa.key"));
        let mut args: Vec<String> = ["-h", "localhost", "-p", &port, "--cafile"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.push(ca.display().to_string());
        args.extend(["--cert".into(), cert.display().to_string()]);
        args.extend(["--key".into(), key.display().to_string()]);
        args.extend(
            ["-i", id, "-V", "mqttv5", "-t", topic]
                .iter()
                .map(|s| s.to_string()),
        );
        args
    }

    /// mosquitto_pub with a trusted client certificate.
    pub fn publish(&self, pki: &Pki, topic: &str, message: &str) {
        let mut args = self.client_args(pki, "tester-pub", topic);
        args.extend(["-m".to_string(), message.to_string()]);
        run(Command::new(peer("mosquitto_pub"))
            .current_dir(pki.dir())
            .args(&args));
    }

    /// A mosquitto_sub for `count` messages, returned once the broker has acknowledged its
    /// subscription (its `-d` output says so), so nothing the test publishes next is missed
    /// however slowly its TLS handshake runs on a loaded machine. Line-buffered through
    /// coreutils' stdbuf: into a pipe, its stdio would hold every line until it exits.
    pub fn subscribe(&self, pki: &Pki, topic: &str, count: usize) -> Child {
        self.subscribe_for(pki, topic, count, Duration::from_secs(20))
    }

    /// [`Self::subscribe`], giving up after `wait` rather than 20 s (an emulated board
    /// takes longer to boot and connect than a host client).
    pub fn subscribe_for(&self, pki: &Pki, topic: &str, count: usize, wait: Duration) -> Child {
        let mut child = Command::new("stdbuf")
            .arg("-oL")
            .arg(peer("mosquitto_sub"))
            .args(self.client_args(pki, "tester-sub", topic))
            .args(["-d", "-C", &count.to_string(), "-W"])
            .arg(wait.as_secs().to_string())
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
