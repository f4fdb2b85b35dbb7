//! The key born on the board and its CSR, as the firmware makes them, held against
//! openssl: every CSR verifies (`openssl req -verify`) and carries the key's public key
//! and the subject asked for; openssl reads the private key the firmware hands mbedTLS
//! as the same key; and a certificate openssl's CA makes from the CSR is for that key.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use thingflash_protocol::device_key::{self, DeviceKey, KeyState};
use thingflash_protocol::x509;
use thingflash_testkit::{Pki, openssl};

/// Random bytes from the OS, as the board's TRNG gives them.
fn os_random(buf: &mut [u8]) {
    use std::io::Read as _;
    std::fs::File::open("/dev/urandom")
        .unwrap()
        .read_exact(buf)
        .unwrap();
}

#[test]
fn openssl_verifies_every_csr_and_reads_the_key_the_board_keeps() {
    let pki = Pki::new();
    let d = pki.dir();
    for i in 0..20 {
        let key = DeviceKey::generate(os_random);
        let cn = format!("kitchen-24ec4a00{i:04x}");
        let csr = key.csr(&cn);
        std::fs::write(d.join("req.der"), &csr).unwrap();
        let text = String::from_utf8(openssl(
            d,
            &[
                "req", "-inform", "DER", "-in", "req.der", "-verify", "-noout", "-subject",
            ],
        ))
        .unwrap();
        assert!(
            text.contains(&format!("CN={cn}")) || text.contains(&format!("CN = {cn}")),
            "{text}"
        );
        // The request's public key is the key's.
        openssl(
            d,
            &[
                "req",
                "-inform",
                "DER",
                "-in",
                "req.der",
                "-pubkey",
                "-noout",
                "-out",
                "req-pub.pem",
            ],
        );
        openssl(
            d,
            &[
                "pkey",
                "-pubin",
                "-in",
                "req-pub.pem",
                "-outform",
                "DER",
                "-out",
                "req-pub.der",
            ],
        );
        assert_eq!(pki.der("req-pub.der"), key.spki(), "request {i}");
        // What mbedTLS is given is the same key, as openssl reads it.
        std::fs::write(d.join("key.der"), &*key.private_der()).unwrap();
        openssl(
            d,
            &[
                "ec",
                "-inform",
                "DER",
                "-in",
                "key.der",
                "-pubout",
                "-outform",
                "DER",
                "-out",
                "key-pub.der",
            ],
        );
        assert_eq!(pki.der("key-pub.der"), key.spki(), "key {i}");
        // The CA's certificate from the request is for the board's key.
        let cert = pki.sign_csr(&csr, &format!("board-{i}"));
        assert_eq!(x509::public_key(&cert), Some(&key.public_sec1()[..]));
        assert_eq!(x509::summarize(&cert).unwrap().cn, cn);
        // And the record the board stores reads back as that key.
        let mut sector = vec![0xFF; device_key::PARTITION_SIZE as usize];
        sector[..device_key::RECORD_LEN].copy_from_slice(&key.record()[..]);
        match device_key::read(&sector) {
            KeyState::Present(k) => assert_eq!(k.public_sec1(), key.public_sec1()),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_common_name_longer_than_a_thing_name_is_cut_not_refused() {
    let pki = Pki::new();
    let key = DeviceKey::generate(os_random);
    let long = "x".repeat(300);
    let csr = key.csr(&long);
    std::fs::write(pki.dir().join("long.der"), &csr).unwrap();
    let text = String::from_utf8(openssl(
        pki.dir(),
        &[
            "req", "-inform", "DER", "-in", "long.der", "-verify", "-noout", "-subject",
        ],
    ))
    .unwrap();
    assert!(text.contains(&"x".repeat(device_key::MAX_CN)), "{text}");
    assert!(
        !text.contains(&"x".repeat(device_key::MAX_CN + 1)),
        "{text}"
    );
}
