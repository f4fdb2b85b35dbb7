//! The device config record: what the board needs besides its certificates (WiFi, the
//! AWS IoT endpoint, MQTT identity and topics), stored in the `USER_DATA_1` record of
//! the credentials partition.
//!
//! Encoding (all integers little-endian):
//!
//! ```text
//! "TFCF"  version:u8  reserved:u8 (0)
//! then fields, each  tag:u8  len:u16  value[len]
//! ```
//!
//! A reader skips tags it does not know (so a newer app can add fields for newer
//! firmware), rejects a different major `version`, duplicated tags and anything out of
//! bounds. The same [`DeviceConfig::validate`] runs in the app before writing and on the
//! board after reading, so both sides agree on what is acceptable.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use zeroize::Zeroizing;

/// Leading bytes of a config record.
pub const CONFIG_MAGIC: [u8; 4] = *b"TFCF";
/// The format version this crate writes and reads.
pub const CONFIG_VERSION: u8 = 1;
/// Largest encoded record accepted.
pub const MAX_CONFIG_LEN: usize = 2048;
/// AWS IoT: client id at most 128 bytes.
pub const MAX_CLIENT_ID_LEN: usize = 128;
/// AWS IoT: topic at most 256 bytes.
pub const MAX_TOPIC_LEN: usize = 256;
/// AWS IoT: at most 7 slashes (8 levels) in a topic.
pub const MAX_TOPIC_SLASHES: usize = 7;
/// At most this many NTP servers.
pub const MAX_NTP_SERVERS: usize = 3;
/// AWS IoT keep-alive range, seconds.
pub const KEEPALIVE_RANGE: core::ops::RangeInclusive<u16> = 30..=1200;
/// Telemetry interval range, seconds.
pub const TELEMETRY_RANGE: core::ops::RangeInclusive<u32> = 1..=86_400;
/// The ALPN protocol AWS IoT needs for MQTT with X.509 on port 443.
pub const AWS_MQTT_ALPN: &str = "x-amzn-mqtt-ca";

mod tag {
    pub const SSID: u8 = 1;
    pub const PASSWORD: u8 = 2;
    pub const HOST: u8 = 3;
    pub const PORT: u8 = 4;
    pub const CLIENT_ID: u8 = 5;
    pub const TOPIC_PREFIX: u8 = 6;
    pub const NTP: u8 = 7;
    pub const TELEMETRY_S: u8 = 8;
    pub const KEEPALIVE_S: u8 = 9;
    pub const CLAIM_TEMPLATE: u8 = 10;
}

/// A value that is rejected, with what to do about it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The record does not start with `TFCF`.
    #[error(
        "the device config record is not a thingflash config (bad magic): reflash the credentials"
    )]
    BadMagic,
    /// A record from another major version.
    #[error(
        "the device config record has version {found}, this side reads version {CONFIG_VERSION}: update the app and the firmware together"
    )]
    Version {
        /// The version found.
        found: u8,
    },
    /// Bytes end inside a field.
    #[error("the device config record is cut off: reflash the credentials")]
    Truncated,
    /// The record is larger than any valid config.
    #[error("the device config record is {len} bytes, more than the {MAX_CONFIG_LEN} allowed")]
    TooLong {
        /// Its length.
        len: usize,
    },
    /// A field appears twice.
    #[error("the device config record repeats field {tag}: reflash the credentials")]
    Duplicate {
        /// The repeated tag.
        tag: u8,
    },
    /// A required field is absent.
    #[error("the device config has no {0}: fill it in and flash again")]
    Missing(&'static str),
    /// A text field is not UTF-8.
    #[error("the {0} is not valid UTF-8 text")]
    NotUtf8(&'static str),
    /// WiFi network name is empty or longer than 32 bytes.
    #[error("the WiFi network name must be 1 to 32 bytes (it is {len})")]
    Ssid {
        /// Its length.
        len: usize,
    },
    /// WiFi password of the wrong shape.
    #[error(
        "the WiFi password must be 8 to 63 characters, or 64 hex digits, or empty for an open network (it has {len} characters)"
    )]
    Password {
        /// Its length (never the password).
        len: usize,
    },
    /// The endpoint is not a bare host name.
    #[error(
        "the endpoint '{0}' is not a host name: give only the host, like a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com"
    )]
    Host(String),
    /// Port zero.
    #[error("the MQTT port must be 8883, or 443 (with ALPN x-amzn-mqtt-ca)")]
    Port,
    /// Bad client id.
    #[error("the client id {0}")]
    ClientId(&'static str),
    /// Bad topic prefix.
    #[error("the topic prefix {0}")]
    TopicPrefix(&'static str),
    /// A composed topic breaks an AWS limit.
    #[error("the topic '{topic}' breaks an AWS IoT limit: {why}")]
    Topic {
        /// The composed topic.
        topic: String,
        /// Which limit.
        why: &'static str,
    },
    /// Bad NTP server.
    #[error("the NTP server '{0}' is not a host name or IPv4 address")]
    Ntp(String),
    /// Too many NTP servers.
    #[error("at most {MAX_NTP_SERVERS} NTP servers can be given")]
    TooManyNtp,
    /// Keep-alive out of AWS range.
    #[error("the MQTT keep-alive must be 30 to 1200 seconds (AWS IoT's range), not {0}")]
    KeepAlive(u16),
    /// Telemetry interval out of range.
    #[error("the telemetry interval must be 1 to 86400 seconds, not {0}")]
    Telemetry(u32),
    /// Not an AWS provisioning template name.
    #[error(
        "the provisioning template name '{0}' is not one AWS IoT allows: 1 to 36 letters, digits, '-' or '_'"
    )]
    ClaimTemplate(String),
}

/// Everything the firmware needs besides certificates.
///
/// `Debug` never prints the WiFi password, and the password is wiped from memory when
/// the config is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceConfig {
    /// WiFi network name (1..=32 bytes).
    pub wifi_ssid: String,
    /// WiFi passphrase; empty for an open network.
    pub wifi_password: Zeroizing<String>,
    /// AWS IoT data endpoint host, e.g. `a1b2c3-ats.iot.eu-west-1.amazonaws.com`.
    pub host: String,
    /// 8883, or 443 with ALPN `x-amzn-mqtt-ca`.
    pub port: u16,
    /// MQTT client id; AWS thing policies expect it to equal the thing name.
    pub client_id: String,
    /// Topics are `<prefix>/<client id>/telemetry` and `<prefix>/<client id>/cmd`.
    pub topic_prefix: String,
    /// NTP servers; empty means the firmware's defaults.
    pub ntp_servers: Vec<String>,
    /// Seconds between telemetry messages.
    pub telemetry_interval_s: u32,
    /// MQTT keep-alive in seconds.
    pub keepalive_s: u16,
    /// Fleet provisioning by claim: the template the board provisions itself with, using
    /// the claim certificate the credentials partition holds; empty: the certificate is
    /// the board's own.
    pub claim_template: String,
}

impl fmt::Debug for DeviceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceConfig")
            .field("wifi_ssid", &self.wifi_ssid)
            .field(
                "wifi_password",
                &if self.wifi_password.is_empty() {
                    "<none>"
                } else {
                    "<redacted>"
                },
            )
            .field("host", &self.host)
            .field("port", &self.port)
            .field("client_id", &self.client_id)
            .field("topic_prefix", &self.topic_prefix)
            .field("ntp_servers", &self.ntp_servers)
            .field("telemetry_interval_s", &self.telemetry_interval_s)
            .field("keepalive_s", &self.keepalive_s)
            .field("claim_template", &self.claim_template)
            .finish()
    }
}

impl Default for DeviceConfig {
    fn default() -> Self {
        Self {
            wifi_ssid: String::new(),
            wifi_password: Zeroizing::new(String::new()),
            host: String::new(),
            port: 8883,
            client_id: String::new(),
            topic_prefix: String::from("thingflash"),
            ntp_servers: Vec::new(),
            telemetry_interval_s: 60,
            keepalive_s: 60,
            claim_template: String::new(),
        }
    }
}

/// Checks a host name: letters, digits, `-` and `.`, labels of 1..=63, at most 253.
pub fn is_hostname(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Check a client id against AWS IoT and the topics built from it.
pub fn validate_client_id(id: &str) -> Result<(), ConfigError> {
    if id.is_empty() {
        return Err(ConfigError::ClientId("is empty: use the thing name"));
    }
    if id.len() > MAX_CLIENT_ID_LEN {
        return Err(ConfigError::ClientId("is longer than AWS IoT's 128 bytes"));
    }
    if id.contains(['/', '+', '#']) {
        return Err(ConfigError::ClientId(
            "contains '/', '+' or '#': it becomes part of the topic names, so use letters, digits, '-', '_' or ':'",
        ));
    }
    if id.chars().any(char::is_control) {
        return Err(ConfigError::ClientId("contains control characters"));
    }
    Ok(())
}

/// Check a fleet-provisioning template name as AWS IoT does (`CreateProvisioningTemplate`:
/// 1 to 36 characters of `[0-9A-Za-z_-]`).
pub fn validate_template_name(name: &str) -> Result<(), ConfigError> {
    let ok = (1..=36).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ConfigError::ClaimTemplate(String::from(name)))
    }
}

/// Check a topic prefix on its own (the composed topics are checked by [`DeviceConfig::validate`]).
pub fn validate_topic_prefix(prefix: &str) -> Result<(), ConfigError> {
    if prefix.is_empty() {
        return Ok(());
    }
    if prefix.contains(['+', '#']) {
        return Err(ConfigError::TopicPrefix(
            "contains '+' or '#', which are only for subscriptions",
        ));
    }
    if prefix.starts_with('$') {
        return Err(ConfigError::TopicPrefix(
            "starts with '$', which AWS IoT reserves",
        ));
    }
    if prefix.starts_with('/') || prefix.ends_with('/') || prefix.contains("//") {
        return Err(ConfigError::TopicPrefix(
            "has an empty level (a leading, trailing or double '/')",
        ));
    }
    if prefix.chars().any(char::is_control) {
        return Err(ConfigError::TopicPrefix("contains control characters"));
    }
    Ok(())
}

fn validate_password(pw: &str) -> Result<(), ConfigError> {
    let len = pw.chars().count();
    let ok = len == 0
        || ((8..=63).contains(&len) && pw.bytes().all(|b| (0x20..=0x7E).contains(&b)))
        || (len == 64 && pw.bytes().all(|b| b.is_ascii_hexdigit()));
    if ok {
        Ok(())
    } else {
        Err(ConfigError::Password { len })
    }
}

fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u8>().is_ok()
        })
}

impl DeviceConfig {
    /// The topic the board publishes telemetry to.
    pub fn telemetry_topic(&self) -> String {
        self.topic("telemetry")
    }

    /// The topic the board subscribes to for commands.
    pub fn command_topic(&self) -> String {
        self.topic("cmd")
    }

    /// The topic the board answers commands on (inside the policy's `<prefix>/<client id>/*`).
    pub fn reply_topic(&self) -> String {
        self.topic("reply")
    }

    fn topic(&self, leaf: &str) -> String {
        let mut t =
            String::with_capacity(self.topic_prefix.len() + self.client_id.len() + leaf.len() + 2);
        if !self.topic_prefix.is_empty() {
            t.push_str(&self.topic_prefix);
            t.push('/');
        }
        t.push_str(&self.client_id);
        t.push('/');
        t.push_str(leaf);
        t
    }

    /// The ALPN protocol to offer: AWS IoT needs `x-amzn-mqtt-ca` for MQTT on port 443.
    pub fn alpn(&self) -> Option<&'static str> {
        (self.port == 443).then_some(AWS_MQTT_ALPN)
    }

    /// Every check, in the order a user would fix them.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.wifi_ssid.is_empty() || self.wifi_ssid.len() > 32 {
            return Err(ConfigError::Ssid {
                len: self.wifi_ssid.len(),
            });
        }
        validate_password(&self.wifi_password)?;
        if !is_hostname(&self.host) {
            return Err(ConfigError::Host(self.host.clone()));
        }
        if self.port == 0 {
            return Err(ConfigError::Port);
        }
        validate_client_id(&self.client_id)?;
        validate_topic_prefix(&self.topic_prefix)?;
        for topic in [self.telemetry_topic(), self.command_topic()] {
            if topic.len() > MAX_TOPIC_LEN {
                return Err(ConfigError::Topic {
                    topic,
                    why: "longer than 256 bytes; shorten the prefix or the client id",
                });
            }
            if topic.matches('/').count() > MAX_TOPIC_SLASHES {
                return Err(ConfigError::Topic {
                    topic,
                    why: "more than 7 '/' separators; use fewer levels in the prefix",
                });
            }
        }
        if self.ntp_servers.len() > MAX_NTP_SERVERS {
            return Err(ConfigError::TooManyNtp);
        }
        if let Some(bad) = self
            .ntp_servers
            .iter()
            .find(|s| !is_hostname(s) && !is_ipv4(s))
        {
            return Err(ConfigError::Ntp(bad.clone()));
        }
        if !KEEPALIVE_RANGE.contains(&self.keepalive_s) {
            return Err(ConfigError::KeepAlive(self.keepalive_s));
        }
        if !TELEMETRY_RANGE.contains(&self.telemetry_interval_s) {
            return Err(ConfigError::Telemetry(self.telemetry_interval_s));
        }
        if !self.claim_template.is_empty() {
            validate_template_name(&self.claim_template)?;
        }
        Ok(())
    }

    /// Validate, then encode. The returned buffer holds the WiFi password and is wiped on drop.
    ///
    /// ```
    /// use thingflash_protocol::config::DeviceConfig;
    /// let mut c = DeviceConfig::default();
    /// c.wifi_ssid = "workshop".into();
    /// c.wifi_password = String::from("correct horse").into();
    /// c.host = "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com".into();
    /// c.client_id = "bench-sensor-1".into();
    /// let bytes = c.encode()?;
    /// assert_eq!(DeviceConfig::decode(&bytes)?, c);
    /// assert_eq!(c.telemetry_topic(), "thingflash/bench-sensor-1/telemetry");
    /// assert_eq!(c.reply_topic(), "thingflash/bench-sensor-1/reply");
    /// # Ok::<(), thingflash_protocol::config::ConfigError>(())
    /// ```
    pub fn encode(&self) -> Result<Zeroizing<Vec<u8>>, ConfigError> {
        self.validate()?;
        let mut out = Zeroizing::new(Vec::with_capacity(256));
        out.extend_from_slice(&CONFIG_MAGIC);
        out.extend_from_slice(&[CONFIG_VERSION, 0]);
        let mut field = |tag: u8, value: &[u8]| {
            // Every field was bounded by `validate`, far below u16::MAX.
            let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
            out.push(tag);
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&value[..usize::from(len)]);
        };
        field(tag::SSID, self.wifi_ssid.as_bytes());
        field(tag::PASSWORD, self.wifi_password.as_bytes());
        field(tag::HOST, self.host.as_bytes());
        field(tag::PORT, &self.port.to_le_bytes());
        field(tag::CLIENT_ID, self.client_id.as_bytes());
        field(tag::TOPIC_PREFIX, self.topic_prefix.as_bytes());
        for ntp in &self.ntp_servers {
            field(tag::NTP, ntp.as_bytes());
        }
        field(tag::TELEMETRY_S, &self.telemetry_interval_s.to_le_bytes());
        field(tag::KEEPALIVE_S, &self.keepalive_s.to_le_bytes());
        if !self.claim_template.is_empty() {
            field(tag::CLAIM_TEMPLATE, self.claim_template.as_bytes());
        }
        Ok(out)
    }

    /// Decode and validate a record.
    pub fn decode(bytes: &[u8]) -> Result<Self, ConfigError> {
        if bytes.len() > MAX_CONFIG_LEN {
            return Err(ConfigError::TooLong { len: bytes.len() });
        }
        let Some((head, mut rest)) = bytes.split_at_checked(6) else {
            return Err(if bytes.len() >= 4 && bytes[..4] != CONFIG_MAGIC {
                ConfigError::BadMagic
            } else {
                ConfigError::Truncated
            });
        };
        if head[..4] != CONFIG_MAGIC {
            return Err(ConfigError::BadMagic);
        }
        if head[4] != CONFIG_VERSION {
            return Err(ConfigError::Version { found: head[4] });
        }
        let mut c = Self::default();
        let mut seen = 0u32;
        let have = |t: u8, seen: &mut u32| -> Result<(), ConfigError> {
            let bit = 1u32 << t;
            if *seen & bit != 0 {
                return Err(ConfigError::Duplicate { tag: t });
            }
            *seen |= bit;
            Ok(())
        };
        let text = |v: &[u8], what: &'static str| -> Result<String, ConfigError> {
            core::str::from_utf8(v)
                .map(String::from)
                .map_err(|_| ConfigError::NotUtf8(what))
        };
        while !rest.is_empty() {
            let [t, l0, l1, tail @ ..] = rest else {
                return Err(ConfigError::Truncated);
            };
            let len = usize::from(u16::from_le_bytes([*l0, *l1]));
            let Some((value, tail)) = tail.split_at_checked(len) else {
                return Err(ConfigError::Truncated);
            };
            rest = tail;
            match *t {
                tag::SSID => {
                    have(*t, &mut seen)?;
                    c.wifi_ssid = text(value, "WiFi network name")?;
                }
                tag::PASSWORD => {
                    have(*t, &mut seen)?;
                    c.wifi_password = Zeroizing::new(text(value, "WiFi password")?);
                }
                tag::HOST => {
                    have(*t, &mut seen)?;
                    c.host = text(value, "endpoint")?;
                }
                tag::PORT => {
                    have(*t, &mut seen)?;
                    let [a, b] = value else {
                        return Err(ConfigError::Truncated);
                    };
                    c.port = u16::from_le_bytes([*a, *b]);
                }
                tag::CLIENT_ID => {
                    have(*t, &mut seen)?;
                    c.client_id = text(value, "client id")?;
                }
                tag::TOPIC_PREFIX => {
                    have(*t, &mut seen)?;
                    c.topic_prefix = text(value, "topic prefix")?;
                }
                tag::NTP => {
                    if c.ntp_servers.len() == MAX_NTP_SERVERS {
                        return Err(ConfigError::TooManyNtp);
                    }
                    c.ntp_servers.push(text(value, "NTP server")?);
                }
                tag::TELEMETRY_S => {
                    have(*t, &mut seen)?;
                    let [a, b, cc, d] = value else {
                        return Err(ConfigError::Truncated);
                    };
                    c.telemetry_interval_s = u32::from_le_bytes([*a, *b, *cc, *d]);
                }
                tag::KEEPALIVE_S => {
                    have(*t, &mut seen)?;
                    let [a, b] = value else {
                        return Err(ConfigError::Truncated);
                    };
                    c.keepalive_s = u16::from_le_bytes([*a, *b]);
                }
                tag::CLAIM_TEMPLATE => {
                    have(*t, &mut seen)?;
                    c.claim_template = text(value, "provisioning template name")?;
                }
                _ => {} // a field from a newer writer
            }
        }
        for (t, what) in [
            (tag::SSID, "WiFi network name"),
            (tag::HOST, "endpoint"),
            (tag::PORT, "MQTT port"),
            (tag::CLIENT_ID, "client id"),
        ] {
            if seen & (1 << t) == 0 {
                return Err(ConfigError::Missing(what));
            }
        }
        c.validate()?;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    fn good() -> DeviceConfig {
        DeviceConfig {
            wifi_ssid: "lab".into(),
            wifi_password: Zeroizing::new("hunter2hunter2".into()),
            host: "a3qj468example-ats.iot.us-west-2.amazonaws.com".into(),
            client_id: "thing-1".into(),
            ntp_servers: alloc::vec!["pool.ntp.org".into(), "192.168.1.1".into()],
            ..DeviceConfig::default()
        }
    }

    #[test]
    fn debug_never_shows_the_password() {
        let text = format!("{:?}", good());
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("<redacted>"));
    }

    #[test]
    fn round_trip() {
        let c = good();
        assert_eq!(DeviceConfig::decode(&c.encode().unwrap()).unwrap(), c);
    }

    #[test]
    fn unknown_tags_are_skipped() {
        let c = good();
        let mut bytes = c.encode().unwrap().to_vec();
        bytes.extend_from_slice(&[200, 3, 0, 1, 2, 3]);
        assert_eq!(DeviceConfig::decode(&bytes).unwrap(), c);
    }

    #[test]
    fn duplicates_and_versions_are_rejected() {
        let mut bytes = good().encode().unwrap().to_vec();
        bytes.extend_from_slice(&[tag::HOST, 1, 0, b'x']);
        assert_eq!(
            DeviceConfig::decode(&bytes),
            Err(ConfigError::Duplicate { tag: tag::HOST })
        );
        let mut bytes = good().encode().unwrap().to_vec();
        bytes[4] = 2;
        assert_eq!(
            DeviceConfig::decode(&bytes),
            Err(ConfigError::Version { found: 2 })
        );
    }

    #[test]
    fn aws_limits() {
        let mut c = good();
        c.client_id = "x".repeat(129);
        assert!(matches!(c.validate(), Err(ConfigError::ClientId(_))));
        c.client_id = "x".repeat(128);
        c.topic_prefix = "p".repeat(120);
        assert!(matches!(c.validate(), Err(ConfigError::Topic { .. })));
        c.client_id = "t".into();
        c.topic_prefix = "a/b/c/d/e/f/g".into();
        assert!(matches!(c.validate(), Err(ConfigError::Topic { .. })));
        c.topic_prefix = "a/b/c/d/e/f".into();
        assert_eq!(c.validate(), Ok(()));
        c.keepalive_s = 10;
        assert_eq!(c.validate(), Err(ConfigError::KeepAlive(10)));
    }

    #[test]
    fn hosts() {
        assert!(is_hostname("a1-ats.iot.eu-west-1.amazonaws.com"));
        for bad in [
            "",
            "mqtt://x.com",
            "x.com:8883",
            "x.com/path",
            "-a.com",
            "a..b",
            "a b",
        ] {
            assert!(!is_hostname(bad), "{bad}");
        }
    }

    #[test]
    fn passwords() {
        assert!(validate_password("").is_ok());
        assert!(validate_password("1234567").is_err());
        assert!(validate_password("12345678").is_ok());
        assert!(validate_password(&"a".repeat(64)).is_ok());
        assert!(validate_password(&"g".repeat(64)).is_err());
    }

    #[test]
    fn port_443_uses_alpn() {
        let mut c = good();
        assert_eq!(c.alpn(), None);
        c.port = 443;
        assert_eq!(c.alpn(), Some("x-amzn-mqtt-ca"));
    }
}
