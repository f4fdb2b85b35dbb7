//! A certificate request a board made for the key it keeps (`csr.ready`): decoded from its
//! event line (length and CRC checked, so a line cut on the serial line is refused),
//! parsed, its self-signature verified, and its public key kept so that the certificate
//! AWS makes from it can be held against the board's key before anything is written.

use thingflash_protocol::device_key::{self, CsrTextError};
use x509_parser::prelude::FromDer as _;

/// A board's request, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardCsr {
    /// The request, DER.
    pub der: Vec<u8>,
    /// Its subject's CN (the client id the board was given).
    pub cn: String,
    /// The key's public half, SEC1 (what a certificate for it must carry).
    pub public_key: Vec<u8>,
}

/// Why a `csr.ready` line is not a usable request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CsrError {
    /// Cut or damaged on the serial line.
    #[error(transparent)]
    Line(#[from] CsrTextError),
    /// Whole, but not a PKCS#10 request.
    #[error("the board's request is not a PKCS#10 certificate request")]
    NotARequest,
    /// Not an EC P-256 key: not what thingflash's firmware makes.
    #[error("the board's request is not for an EC P-256 key")]
    NotP256,
    /// Its signature does not verify: not made with the key it names.
    #[error("the board's request is not signed by the key it names")]
    BadSignature,
}

impl CsrError {
    /// What to do.
    pub fn fix(&self) -> &'static str {
        match self {
            CsrError::Line(_) => {
                "nothing: the board prints its request again every few seconds; if every copy is damaged, use a shorter USB cable or another port"
            }
            _ => {
                "flash thingflash's firmware again: its request is made by the key it keeps on the chip"
            }
        }
    }
}

const OID_P256: &str = "1.2.840.10045.3.1.7";

impl BoardCsr {
    /// From the fields of a `csr.ready` event.
    pub fn from_event(der_text: &str, len: u32, crc: u32) -> Result<Self, CsrError> {
        Self::from_der(device_key::csr_from_text(der_text, len, crc)?)
    }

    /// From the request's DER: parsed, its signature verified.
    pub fn from_der(der: Vec<u8>) -> Result<Self, CsrError> {
        use x509_parser::certification_request::X509CertificationRequest;
        let (_, req) =
            X509CertificationRequest::from_der(&der).map_err(|_| CsrError::NotARequest)?;
        let info = &req.certification_request_info;
        let spki = &info.subject_pki;
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok())
            .map(|o| o.to_id_string());
        if curve.as_deref() != Some(OID_P256) {
            return Err(CsrError::NotP256);
        }
        let public_key = spki.subject_public_key.data.to_vec();
        let verified = aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1,
            &public_key,
        )
        .verify(info.raw, &req.signature_value.data)
        .is_ok();
        if !verified {
            return Err(CsrError::BadSignature);
        }
        let cn = info
            .subject
            .iter_common_name()
            .next()
            .and_then(|c| c.as_str().ok())
            .unwrap_or_default()
            .to_string();
        Ok(Self {
            der,
            cn,
            public_key,
        })
    }

    /// The request as PEM, as `CreateCertificateFromCsr` takes it.
    pub fn pem(&self) -> String {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&self.der);
        let mut pem = String::from("-----BEGIN CERTIFICATE REQUEST-----\n");
        for line in b64.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(line));
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE REQUEST-----\n");
        pem
    }

    /// Whether a certificate (DER) is for the key this request is for.
    pub fn certifies(&self, cert_der: &[u8]) -> bool {
        thingflash_protocol::x509::public_key(cert_der) == Some(&self.public_key[..])
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use thingflash_protocol::device_key::{DeviceKey, csr_text};

    fn key(seed: u8) -> DeviceKey {
        let mut n = seed;
        DeviceKey::generate(|b| {
            for x in b.iter_mut() {
                n = n.wrapping_mul(73).wrapping_add(41);
                *x = n;
            }
        })
    }

    #[test]
    fn a_request_from_the_board_reads_back_with_its_key_and_name() {
        let k = key(7);
        let t = csr_text(&k.csr("greenhouse-7"));
        let csr = BoardCsr::from_event(&t.der, t.len, t.crc).unwrap();
        assert_eq!(csr.cn, "greenhouse-7");
        assert_eq!(csr.public_key, k.public_sec1());
        assert!(
            csr.pem()
                .starts_with("-----BEGIN CERTIFICATE REQUEST-----\nMI")
        );
    }

    #[test]
    fn a_request_whose_bytes_changed_is_refused() {
        let k = key(1);
        // The last byte is the signature's: the DER stays whole, the signature breaks.
        let mut sig = k.csr("bench-1");
        let n = sig.len();
        sig[n - 1] ^= 0x01;
        assert_eq!(BoardCsr::from_der(sig), Err(CsrError::BadSignature));
        // A changed name under the same signature.
        let mut name = k.csr("bench-1");
        let at = name.windows(7).position(|w| w == b"bench-1").unwrap();
        name[at + 6] = b'2';
        assert_eq!(BoardCsr::from_der(name), Err(CsrError::BadSignature));
        assert_eq!(
            BoardCsr::from_der(b"not der".to_vec()),
            Err(CsrError::NotARequest)
        );
    }
}
