//! A small PKI made by openssl (a CA, another CA, a server certificate for localhost, a
//! thing's client certificate) and mosquitto 2 with client certificates and an ACL for
//! the thing's topics: the broker the connection test is tested against.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{openssl, peer};

pub struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(
            d.join("server.ext"),
            "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        std::fs::write(
            d.join("client.ext"),
            "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
        )
        .unwrap();
        for ca in ["ca", "other-ca"] {
            openssl(
                d,
                &[
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
                ],
            );
        }
        std::fs::write(
            d.join("server-other.ext"),
            "basicConstraints=CA:FALSE\nsubjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        for (name, cn, ext, days) in [
            ("server", "localhost", "server.ext", "30"),
            // Signed by the right CA, but for a name the test does not connect to.
            ("server-other", "other.example", "server-other.ext", "30"),
            ("thing-ok", "thing-ok", "client.ext", "30"),
            // The ACL lets it read its telemetry topic but not publish there.
            ("thing-readonly", "thing-readonly", "client.ext", "30"),
            // Expired yesterday: what a broker refuses with certificate_expired.
            ("thing-expired", "thing-expired", "client.ext", "-1"),
        ] {
            openssl(d, &["genrsa", "-out", &format!("{name}.key"), "2048"]);
            openssl(
                d,
                &[
                    "req",
                    "-new",
                    "-key",
                    &format!("{name}.key"),
                    "-subj",
                    &format!("/CN={cn}"),
                    "-out",
                    &format!("{name}.csr"),
                ],
            );
            openssl(
                d,
                &[
                    "x509",
                    "-req",
                    "-in",
                    &format!("{name}.csr"),
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-days",
                    days,
                    "-extfile",
                    ext,
                    "-out",
                    &format!("{name}.pem"),
                ],
            );
        }
        Self { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

pub struct Broker {
    child: Child,
    pub port: u16,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Where Debian's mosquitto keeps its dynamic-security plugin.
const DYNSEC: &str = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";

impl Broker {
    /// The broker with the server certificate for localhost and the ACL file.
    pub fn start(pki: &Pki, extra: &str) -> Self {
        Self::start_as(pki, "server", extra)
    }

    /// The broker presenting `server`.pem, with the ACL file.
    pub fn start_as(pki: &Pki, server: &str, extra: &str) -> Self {
        let acl = pki.path(&format!("acl-{server}"));
        std::fs::write(
            &acl,
            "user thing-ok\ntopic readwrite thingflash/thing-ok/#\n\
             user thing-readonly\ntopic readwrite thingflash/thing-readonly/cmd\n\
             topic readwrite thingflash/thing-readonly/reply\ntopic read thingflash/thing-readonly/telemetry\n",
        )
        .unwrap();
        Self::launch(pki, server, &format!("acl_file {}\n{extra}", acl.display()))
    }

    /// The broker with mosquitto's dynamic-security plugin instead of the ACL file:
    /// mosquitto 2.0's ACL file never refuses a SUBSCRIBE (it withholds the messages),
    /// the plugin answers SUBACK 0x87 as AWS does. `config` is the plugin's JSON.
    pub fn start_dynsec(pki: &Pki, config: &str) -> Self {
        assert!(
            std::path::Path::new(DYNSEC).exists(),
            "mosquitto's dynamic-security plugin is missing ({DYNSEC}): install mosquitto"
        );
        let json = pki.path(&format!("dynsec-{}.json", free_port()));
        std::fs::write(&json, config).unwrap();
        Self::launch(
            pki,
            "server",
            &format!(
                "plugin {DYNSEC}\nplugin_opt_config_file {}\n",
                json.display()
            ),
        )
    }

    fn launch(pki: &Pki, server: &str, security: &str) -> Self {
        let port = free_port();
        let conf = pki.path(&format!("mosquitto-{port}.conf"));
        std::fs::write(
            &conf,
            format!(
                "user root\nlistener {port} 127.0.0.1\ncafile {}\ncertfile {}\nkeyfile {}\nrequire_certificate true\nuse_identity_as_username true\nallow_anonymous false\n{security}\n",
                pki.path("ca.pem").display(),
                pki.path(&format!("{server}.pem")).display(),
                pki.path(&format!("{server}.key")).display(),
            ),
        )
        .unwrap();
        let child = Command::new(peer("mosquitto"))
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "mosquitto did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { child, port }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
