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
        for (name, cn, ext, days) in [
            ("server", "localhost", "server.ext", "30"),
            ("thing-ok", "thing-ok", "client.ext", "30"),
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

impl Broker {
    pub fn start(pki: &Pki, extra: &str) -> Self {
        let port = free_port();
        let acl = pki.path(&format!("acl-{port}"));
        std::fs::write(
            &acl,
            "user thing-ok\ntopic readwrite thingflash/thing-ok/#\n",
        )
        .unwrap();
        let conf = pki.path(&format!("mosquitto-{port}.conf"));
        std::fs::write(
            &conf,
            format!(
                "user root\nlistener {port} 127.0.0.1\ncafile {}\ncertfile {}\nkeyfile {}\nrequire_certificate true\nuse_identity_as_username true\nacl_file {}\nallow_anonymous false\n{extra}\n",
                pki.path("ca.pem").display(),
                pki.path("server.pem").display(),
                pki.path("server.key").display(),
                acl.display()
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
