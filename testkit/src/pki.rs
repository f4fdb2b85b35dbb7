//! Certificates made by openssl in a temporary folder: two CAs (one nobody trusts), server
//! certificates for localhost (valid, expired) and for another name, and device
//! certificates in the forms the tests need. Every `NAME.pem` has its `NAME.key`.

use std::path::{Path, PathBuf};

use super::openssl;

/// The PKI's folder and what is in it.
pub struct Pki {
    dir: tempfile::TempDir,
}

/// The broker's name in the emulator harness, as a literal for `concat!`.
macro_rules! emulator_broker {
    () => {
        "broker.thingflash.test"
    };
}

/// The broker's name in the emulator harness (the `.test` top-level domain is reserved for
/// tests, so it never resolves anywhere else).
pub const EMULATOR_BROKER: &str = emulator_broker!();

/// Extensions of a localhost server certificate; also for [`EMULATOR_BROKER`], the name the
/// emulated board resolves to the host.
const SERVER_EXT: &str = concat!(
    "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,DNS:",
    emulator_broker!(),
    ",IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
);

/// Extensions of a server certificate for a name the tests never connect to.
const OTHER_EXT: &str =
    "basicConstraints=CA:FALSE\nsubjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth\n";
/// Extensions of a device certificate, as AWS IoT issues them.
const CLIENT_EXT: &str = "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n";

/// One certificate: (name, CN, issuer, extensions or none for X.509 v1, key, days).
type Cert = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
);

const CERTS: &[Cert] = &[
    (
        "server",
        "localhost",
        "ca",
        Some(SERVER_EXT),
        "server",
        "30",
    ),
    (
        "server-expired",
        "localhost",
        "ca",
        Some(SERVER_EXT),
        "server",
        "-1",
    ),
    // Signed by the right CA, but for a name the tests do not connect to.
    (
        "server-other",
        "other.example",
        "ca",
        Some(OTHER_EXT),
        "server",
        "30",
    ),
    ("thing-ok", "thing-ok", "ca", Some(CLIENT_EXT), "rsa", "30"),
    // A broker's ACL lets it read its telemetry topic but not publish there.
    (
        "thing-readonly",
        "thing-readonly",
        "ca",
        Some(CLIENT_EXT),
        "rsa",
        "30",
    ),
    // Expired yesterday: what a broker refuses with certificate_expired.
    (
        "thing-expired",
        "thing-expired",
        "ca",
        Some(CLIENT_EXT),
        "rsa",
        "-1",
    ),
    // Made without -extfile: X.509 version 1, as many tutorials' commands make it.
    ("thing-v1", "thing-v1", "ca", None, "rsa", "30"),
    ("rsa", "thingflash-rsa", "ca", Some(CLIENT_EXT), "rsa", "30"),
    (
        "p256",
        "thingflash-p256",
        "ca",
        Some(CLIENT_EXT),
        "p256",
        "30",
    ),
    // Signed by the CA nobody trusts.
    (
        "rogue",
        "thingflash-rogue",
        "other-ca",
        Some(CLIENT_EXT),
        "rsa",
        "30",
    ),
];

impl Pki {
    /// Make every certificate (a second or so: four RSA keys and one P-256 key).
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let o = |args: &[&str]| {
            openssl(d, args);
        };
        for ca in ["ca", "other-ca"] {
            let (key, pem, subj) = (
                format!("{ca}.key"),
                format!("{ca}.pem"),
                format!("/CN=Test {ca}"),
            );
            o(&[
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &pem,
                "-days", "30", "-subj", &subj,
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
        for &(name, cn, ca, ext, key, days) in CERTS {
            let (key, csr, pem) = (
                format!("{key}.key"),
                format!("{name}.csr"),
                format!("{name}.pem"),
            );
            if key != format!("{name}.key") {
                std::fs::copy(d.join(&key), d.join(format!("{name}.key"))).unwrap();
            }
            let subj = format!("/CN={cn}");
            o(&["req", "-new", "-key", &key, "-subj", &subj, "-out", &csr]);
            let (ca_pem, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
            let mut args = vec![
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                &ca_pem,
                "-CAkey",
                &ca_key,
                "-CAcreateserial",
                "-days",
                days,
                "-out",
                &pem,
            ];
            let ext_file = format!("{name}.ext");
            if let Some(ext) = ext {
                std::fs::write(d.join(&ext_file), ext).unwrap();
                args.extend(["-extfile", &ext_file]);
            }
            o(&args);
        }
        for pem in ["ca", "other-ca", "rsa", "p256", "rogue", "thing-v1"] {
            let (i, out) = (format!("{pem}.pem"), format!("{pem}.der"));
            o(&["x509", "-in", &i, "-outform", "DER", "-out", &out]);
        }
        for key in ["rsa", "p256"] {
            let (i, out) = (format!("{key}.key"), format!("{key}-key.der"));
            o(&[
                "pkcs8", "-topk8", "-nocrypt", "-in", &i, "-outform", "DER", "-out", &out,
            ]);
        }
        Self { dir }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A file in it.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A file's bytes.
    pub fn der(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }

    /// Sign a CSR (DER) with the trusted CA as AWS IoT signs a device's: a client
    /// certificate for the CSR's own key and subject. `name` names the files it leaves;
    /// the certificate's DER is returned.
    pub fn sign_csr(&self, csr_der: &[u8], name: &str) -> Vec<u8> {
        let csr = format!("{name}.csr.der");
        std::fs::write(self.dir().join(&csr), csr_der).unwrap();
        sign_request(self.dir(), &csr, "DER", name).expect("openssl refused the request")
    }
}

impl Default for Pki {
    fn default() -> Self {
        Self::new()
    }
}

/// Verify the request in `dir/csr` (`form`: `PEM` or `DER`) as AWS does and sign its own
/// key with `dir`'s trusted CA (`ca.pem`, `ca.key`): a client certificate's DER, or `None`
/// when openssl finds the request invalid (its signature is not its key's). A serial of
/// its own for every certificate, not `-CAcreateserial`: openssl rewrites that one file for
/// each, and two signings at once fail (measured: 20 of 80).
pub fn sign_request(dir: &Path, csr: &str, form: &str, name: &str) -> Option<Vec<u8>> {
    use std::process::Command;
    static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let openssl = super::peer("openssl");
    let verified = Command::new(&openssl)
        .current_dir(dir)
        .args(["req", "-inform", form, "-in", csr, "-verify", "-noout"])
        .output()
        .ok()?;
    if !verified.status.success() {
        return None;
    }
    let ext = format!("{name}.ext");
    std::fs::write(dir.join(&ext), CLIENT_EXT).ok()?;
    let serial = format!(
        "0x{:x}{:04x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |t| t.as_nanos() as u64),
        SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed) & 0xFFFF
    );
    let der = format!("{name}.der");
    let signed = Command::new(&openssl)
        .current_dir(dir)
        .args([
            "x509",
            "-req",
            "-inform",
            form,
            "-in",
            csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            &serial,
            "-days",
            "30",
            "-extfile",
            &ext,
            "-outform",
            "DER",
            "-out",
            &der,
        ])
        .output()
        .ok()?;
    signed.status.success().then_some(())?;
    std::fs::read(dir.join(der)).ok()
}
