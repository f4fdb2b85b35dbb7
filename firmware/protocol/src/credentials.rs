//! Reading a credentials partition as the firmware does: strict integrity, every role
//! present, the config record decoded and validated. The app uses the same function to
//! check a partition it has just built, so "the app wrote it" and "the board accepts it"
//! cannot drift apart.

use alloc::vec::Vec;

use crate::config::{ConfigError, DeviceConfig};
use crate::event::CredsProblem;
use crate::tlv::{Partition, TlvError, TlvType};

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

/// Read and check a credentials partition.
pub fn read(bytes: &[u8]) -> Result<DeviceCredentials<'_>, CredentialsError> {
    let p = Partition::parse_strict(bytes)?;
    let one = |t: TlvType, what: &'static str| {
        p.first(t)
            .map(|r| r.value)
            .ok_or(CredentialsError::Missing(what))
    };
    let device_cert = one(TlvType::DEV_CERT, "device certificate")?;
    let private_key = one(TlvType::PRIV_KEY, "private key")?;
    let config = DeviceConfig::decode(one(CONFIG_RECORD, "device config")?)?;
    let ca_certs: Vec<&[u8]> = p.all(TlvType::CA_CERT).map(|r| r.value).collect();
    if ca_certs.is_empty() {
        return Err(CredentialsError::Missing("root CA certificate"));
    }
    Ok(DeviceCredentials {
        ca_certs,
        device_cert,
        private_key,
        config,
    })
}
