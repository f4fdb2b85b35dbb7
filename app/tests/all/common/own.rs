//! Helpers shared by the own-firmware tests (ESP32 family and ESP8266): the credentials
//! as openssl writes them, littlefs-python, and the mock's session timing.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use super::{Fixtures, peer, run};

/// Bytes that look like data and differ from run to run of nothing: a fixed LCG.
pub fn noise(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect()
}

pub fn lfs(args: &[&str]) -> Vec<u8> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/lfs.py");
    run(Command::new(peer("python3")).arg(script).args(args))
}

pub fn sha(data: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The credentials the way openssl writes them: the classic guide's three DER files.
pub fn openssl_ders(fx: &Fixtures) -> BTreeMap<String, String> {
    let ca = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/ca/AmazonRootCA1.pem");
    BTreeMap::from([
        (
            "/cert.der".to_string(),
            sha(&fx.openssl(&["x509", "-in", "rsa-certificate.pem.crt", "-outform", "DER"])),
        ),
        (
            "/private.der".to_string(),
            sha(&fx.openssl(&[
                "rsa",
                "-in",
                "rsa-pkcs1.key",
                "-traditional",
                "-outform",
                "DER",
            ])),
        ),
        (
            "/ca.der".to_string(),
            sha(&fx.openssl(&["x509", "-in", ca.to_str().unwrap(), "-outform", "DER"])),
        ),
    ])
}

/// esp32-mock-bootloader ends a client's session 3 s after its last FLASH_END, whoever
/// talks to it then: the next client would find the stub gone half way. Between
/// clients (esptool, thingflash) the tests wait for that.
pub fn settle() {
    std::thread::sleep(std::time::Duration::from_millis(3300));
}
