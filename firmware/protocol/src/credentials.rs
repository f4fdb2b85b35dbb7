//! Reading a credentials partition as the firmware does: strict integrity, every role
//! present, the config record decoded and validated. The app uses the same function to
//! check a partition it has just built, so "the app wrote it" and "the board accepts it"
//! cannot drift apart.

use alloc::vec::Vec;

use crate::config::{ConfigError, DeviceConfig};
use crate::event::CredsProblem;
use crate::tlv::{Partition, PartitionWriter, TlvError, TlvType};
use zeroize::Zeroizing;

/// Record subtype thingflash uses for its config inside `USER_DATA_1`.
pub const CONFIG_RECORD: TlvType = TlvType::USER_DATA_1;

/// Why a partition cannot be used by the firmware.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    /// The partition itself is unreadable.
    #[error(transparent)]
    Partition(#[from] TlvError),
    /// A record is absent.
    #[error("the credentials partition has no {0}: flash the credentials again with thingflash")]
    Missing(&'static str),
    /// The config record is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl CredentialsError {
    /// The problem class the firmware reports in its `creds.error` event.
    pub fn problem(&self) -> CredsProblem {
        match self {
            CredentialsError::Partition(TlvError::Blank) => CredsProblem::Blank,
            CredentialsError::Partition(TlvError::IntegrityMissing) => CredsProblem::Incomplete,
            CredentialsError::Partition(_) => CredsProblem::Corrupt,
            CredentialsError::Missing(_) => CredsProblem::Missing,
            CredentialsError::Config(_) => CredsProblem::Config,
        }
    }
}

/// What the firmware needs to connect, borrowed from the partition bytes.
#[derive(Debug)]
pub struct DeviceCredentials<'a> {
    /// Root CA certificates (DER) that verify the server.
    pub ca_certs: Vec<&'a [u8]>,
    /// Device certificate (DER).
    pub device_cert: &'a [u8],
    /// Device private key (DER). Never print it.
    pub private_key: &'a [u8],
    /// The config record.
    pub config: DeviceConfig,
}

/// Build a credentials partition of `capacity` bytes: every root CA (subtypes 0, 1, ..),
/// the device certificate, the private key, the config record, then the integrity
/// record, the rest erased (`0xFF`). The config is validated first, and the result is
/// read back with [`read`] before it is returned, so a partition this function returns is
/// one the firmware accepts. The bytes hold the private key and are wiped on drop.
pub fn write(
    ca_certs: &[&[u8]],
    device_cert: &[u8],
    private_key: &[u8],
    config: &DeviceConfig,
    capacity: usize,
) -> Result<Zeroizing<Vec<u8>>, CredentialsError> {
    let (mut w, encoded) = start(ca_certs, config, capacity)?;
    w.push(TlvType::DEV_CERT, 0, 0, device_cert)?;
    w.push(TlvType::PRIV_KEY, 0, 0, private_key)?;
    w.push(CONFIG_RECORD, 0, 0, &encoded)?;
    let image = Zeroizing::new(w.finish()?);
    read(&image)?;
    Ok(image)
}

/// What every credentials partition starts with: its root CAs (subtypes 0, 1, ..), after
/// the config was validated; the config encoded, to follow the certificate.
fn start(
    ca_certs: &[&[u8]],
    config: &DeviceConfig,
    capacity: usize,
) -> Result<(PartitionWriter, Zeroizing<Vec<u8>>), CredentialsError> {
    if ca_certs.is_empty() {
        return Err(CredentialsError::Missing("root CA certificate"));
    }
    config.validate()?;
    let encoded = config.encode()?;
    let mut w = PartitionWriter::new(capacity);
    for (i, ca) in ca_certs.iter().enumerate() {
        let subtype = u8::try_from(i).map_err(|_| TlvError::PartitionFull {
            needed: usize::MAX,
            capacity,
        })?;
        w.push(TlvType::CA_CERT, subtype, 0, ca)?;
    }
    Ok((w, encoded))
}

/// Read and check a credentials partition that holds everything (key included).
pub fn read(bytes: &[u8]) -> Result<DeviceCredentials<'_>, CredentialsError> {
    let parts = read_parts(bytes)?;
    let device_cert = parts
        .device_cert
        .ok_or(CredentialsError::Missing("device certificate"))?;
    let private_key = parts
        .private_key
        .ok_or(CredentialsError::Missing("private key"))?;
    Ok(DeviceCredentials {
        ca_certs: parts.ca_certs,
        device_cert,
        private_key,
        config: parts.config,
    })
}

/// A credentials partition as written for a board that keeps its own key: the root CAs
/// and the config always; the device certificate once there is one; a private key only
/// when it was made on a computer.
#[derive(Debug)]
pub struct Parts<'a> {
    /// Root CA certificates (DER).
    pub ca_certs: Vec<&'a [u8]>,
    /// The device certificate (DER), once written.
    pub device_cert: Option<&'a [u8]>,
    /// A private key made on a computer (DER). Never print it.
    pub private_key: Option<&'a [u8]>,
    /// The config record.
    pub config: DeviceConfig,
}

/// Read and check a credentials partition whose certificate and key may be absent (the
/// board makes its own key; its certificate comes later).
pub fn read_parts(bytes: &[u8]) -> Result<Parts<'_>, CredentialsError> {
    let p = Partition::parse_strict(bytes)?;
    let config = DeviceConfig::decode(
        p.first(CONFIG_RECORD)
            .map(|r| r.value)
            .ok_or(CredentialsError::Missing("device config"))?,
    )?;
    let ca_certs: Vec<&[u8]> = p.all(TlvType::CA_CERT).map(|r| r.value).collect();
    if ca_certs.is_empty() {
        return Err(CredentialsError::Missing("root CA certificate"));
    }
    Ok(Parts {
        ca_certs,
        device_cert: p.first(TlvType::DEV_CERT).map(|r| r.value),
        private_key: p.first(TlvType::PRIV_KEY).map(|r| r.value),
        config,
    })
}

/// Build the credentials partition of a board that keeps its own key: every root CA, the
/// device certificate when there is one (none before the board's CSR was signed), the
/// config, the integrity record; no key. Validated and read back like [`write`].
pub fn write_for_board_key(
    ca_certs: &[&[u8]],
    device_cert: Option<&[u8]>,
    config: &DeviceConfig,
    capacity: usize,
) -> Result<Vec<u8>, CredentialsError> {
    let (mut w, encoded) = start(ca_certs, config, capacity)?;
    if let Some(cert) = device_cert {
        w.push(TlvType::DEV_CERT, 0, 0, cert)?;
    }
    w.push(CONFIG_RECORD, 0, 0, &encoded)?;
    let image = w.finish()?;
    let back = read_parts(&image)?;
    if back.private_key.is_some() || back.device_cert != device_cert {
        return Err(CredentialsError::Missing("device certificate"));
    }
    Ok(image)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlv::DEFAULT_PARTITION_SIZE;
    use alloc::string::String;

    fn config() -> DeviceConfig {
        DeviceConfig {
            wifi_ssid: "lab".into(),
            wifi_password: Zeroizing::new(String::from("hunter22")),
            host: "a1b2c3-ats.iot.eu-west-1.amazonaws.com".into(),
            client_id: "sensor-1".into(),
            ..DeviceConfig::default()
        }
    }

    #[test]
    fn write_then_read_gives_back_every_record() {
        let image = write(
            &[b"ca-one", b"ca-two"],
            b"device",
            b"key",
            &config(),
            DEFAULT_PARTITION_SIZE,
        )
        .unwrap();
        assert_eq!(image.len(), DEFAULT_PARTITION_SIZE);
        let back = read(&image).unwrap();
        assert_eq!(back.ca_certs, [&b"ca-one"[..], &b"ca-two"[..]]);
        assert_eq!(back.device_cert, b"device");
        assert_eq!(back.private_key, b"key");
        assert_eq!(back.config, config());
    }

    #[test]
    fn a_partition_for_a_board_key_has_no_key_and_the_certificate_once_there_is_one() {
        let before =
            write_for_board_key(&[b"ca"], None, &config(), DEFAULT_PARTITION_SIZE).unwrap();
        let parts = read_parts(&before).unwrap();
        assert_eq!((parts.device_cert, parts.private_key), (None, None));
        assert_eq!(parts.config, config());
        // Without a key of its own it is not a whole set.
        assert_eq!(
            read(&before).unwrap_err(),
            CredentialsError::Missing("device certificate")
        );
        let after = write_for_board_key(&[b"ca"], Some(b"cert"), &config(), DEFAULT_PARTITION_SIZE)
            .unwrap();
        let parts = read_parts(&after).unwrap();
        assert_eq!(parts.device_cert, Some(&b"cert"[..]));
        assert_eq!(parts.private_key, None);
    }

    #[test]
    fn write_refuses_what_the_firmware_would_refuse() {
        let mut bad = config();
        bad.host = "not a host".into();
        assert!(matches!(
            write(&[b"ca"], b"d", b"k", &bad, DEFAULT_PARTITION_SIZE),
            Err(CredentialsError::Config(_))
        ));
        assert_eq!(
            write(&[], b"d", b"k", &config(), DEFAULT_PARTITION_SIZE).unwrap_err(),
            CredentialsError::Missing("root CA certificate")
        );
        let big = alloc::vec![0u8; 9000];
        assert!(matches!(
            write(&[&big], b"d", b"k", &config(), DEFAULT_PARTITION_SIZE),
            Err(CredentialsError::Partition(TlvError::PartitionFull { .. }))
        ));
    }
}
