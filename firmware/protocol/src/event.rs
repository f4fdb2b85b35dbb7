//! The serial event-line grammar: one line per thing that happens on the board, readable
//! on any serial terminal and parsed by the app.
//!
//! ```text
//! line    = prefix SP name *(SP field)
//! prefix  = "[tf" version "]"            ; version is 1 for this crate
//! name    = 1*(a-z / 0-9 / "." / "_")    ; e.g. wifi.connected
//! field   = key "=" value
//! key     = 1*(a-z / 0-9 / "_")
//! value   = bare / quoted
//! bare    = 1*(A-Z / a-z / 0-9 / "." / "_" / ":" / "/" / "+" / "-" / "@" / "," / "%")
//! quoted  = DQUOTE *(char / "\\" / "\"" / "\n" / "\r" / "\t" / "\xHH") DQUOTE
//! ```
//!
//! Examples, exactly as the firmware prints them:
//!
//! ```
//! use thingflash_protocol::event::{Event, Stage};
//! let line = r#"[tf1] wifi.connected ip=192.168.1.23 rssi=-61"#;
//! let ev = Event::parse(line)?;
//! assert!(matches!(ev, Event::WifiConnected { rssi: -61, .. }));
//! assert_eq!(ev.to_string(), line);
//!
//! let line = r#"[tf1] tls.failed code=-0x2700 verify=0x00000008 detail="X509 - Certificate verification failed""#;
//! assert!(matches!(Event::parse(line)?, Event::TlsFailed { code: -0x2700, verify: 0x08, .. }));
//!
//! // A QoS 1 PUBLISH the broker refused (0x87 not authorized).
//! let line = "[tf1] mqtt.puback topic=thingflash/bench-1/telemetry reason=0x87";
//! assert!(matches!(Event::parse(line)?, Event::MqttPuback { reason: 0x87, .. }));
//!
//! let line = "[tf1] mqtt.closed phase=before_connack";
//! assert!(matches!(Event::parse(line)?, Event::MqttClosed { reason: None, before_connack: true }));
//!
//! // `elf` (the firmware ELF's SHA-256, 16 hex digits) came later; lines without it parse.
//! let line = "[tf1] boot fw=0.1.0 chip=esp32c3 mac=24:0a:c4:1f:67:7d reset=PowerOn elf=9c1155fad6f8fd59";
//! assert!(matches!(Event::parse(line)?, Event::Boot { elf: Some(_), .. }));
//! let old = "[tf1] boot fw=0.1.0 chip=esp32c3 mac=24:0a:c4:1f:67:7d reset=PowerOn";
//! assert!(matches!(Event::parse(old)?, Event::Boot { elf: None, .. }));
//!
//! let line = "[tf1] retry stage=tls attempt=3 delay_ms=8000";
//! assert!(matches!(Event::parse(line)?, Event::Retry { stage: Stage::Tls, attempt: 3, delay_ms: 8000 }));
//! # Ok::<(), thingflash_protocol::event::EventError>(())
//! ```
//!
//! Lines from a newer firmware (`[tf2]`) are refused with [`EventError::Version`] so the
//! app can say "update thingflash"; unknown event names and unknown fields of known
//! events are tolerated by [`Line::parse`] so that additions do not break older apps.
//!
//! No event carries a secret: there is no field for a private key or a WiFi password,
//! and the boot and credentials events describe the credentials by their public facts.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Grammar version written by this crate.
pub const VERSION: u8 = 1;
/// The start of every line this crate writes.
pub const PREFIX: &str = "[tf1]";
/// Longest line the parser accepts; longer input is not ours.
pub const MAX_LINE: usize = 1024;
/// Most fields a line may carry.
pub const MAX_FIELDS: usize = 24;

/// Why a line is not a (known) event.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// The line has no `[tfN]` prefix: it is ordinary log output.
    #[error("not a thingflash event line")]
    NoPrefix,
    /// A newer (or older) grammar.
    #[error(
        "event line version {0} is not understood by this app (it reads version {VERSION}): update thingflash"
    )]
    Version(u32),
    /// Longer than [`MAX_LINE`].
    #[error("event line longer than {MAX_LINE} bytes")]
    TooLong,
    /// Malformed.
    #[error("malformed event line at byte {at}: {what}")]
    Syntax {
        /// Byte offset in the line.
        at: usize,
        /// What was expected.
        what: &'static str,
    },
    /// Well-formed, but an event name this app does not know.
    #[error("unknown event '{0}' (from a newer firmware?)")]
    Unknown(String),
    /// A required field is absent.
    #[error("event '{event}' lacks field '{field}'")]
    Missing {
        /// Event name.
        event: &'static str,
        /// Field name.
        field: &'static str,
    },
    /// A field's value has the wrong shape.
    #[error("event '{event}' has a bad value for '{field}'")]
    BadValue {
        /// Event name.
        event: &'static str,
        /// Field name.
        field: &'static str,
    },
}

/// The step of the connection a retry or measurement belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Reading the credentials partition.
    Creds,
    /// Joining WiFi and DHCP.
    Wifi,
    /// SNTP.
    Time,
    /// Resolving the endpoint.
    Dns,
    /// The TLS handshake.
    Tls,
    /// MQTT connect and session.
    Mqtt,
}

impl Stage {
    /// Every stage in connection order.
    pub const ALL: [Stage; 6] = [
        Stage::Creds,
        Stage::Wifi,
        Stage::Time,
        Stage::Dns,
        Stage::Tls,
        Stage::Mqtt,
    ];

    /// The token used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Creds => "creds",
            Stage::Wifi => "wifi",
            Stage::Time => "time",
            Stage::Dns => "dns",
            Stage::Tls => "tls",
            Stage::Mqtt => "mqtt",
        }
    }

    fn from_token(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// What is wrong with the credentials partition, as the board sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CredsProblem {
    /// No `esp_secure_cert` partition in the partition table.
    NoPartition,
    /// The partition is erased.
    Blank,
    /// Bad CRC, truncated or half-written.
    Corrupt,
    /// No integrity record.
    Incomplete,
    /// A required record is absent (device cert, key, CA or config).
    Missing,
    /// The config record is invalid.
    Config,
    /// The key or certificate cannot be loaded.
    Unusable,
    /// The device certificate is not for the key the board made.
    Mismatch,
}

impl CredsProblem {
    const ALL: [CredsProblem; 8] = [
        CredsProblem::NoPartition,
        CredsProblem::Blank,
        CredsProblem::Corrupt,
        CredsProblem::Incomplete,
        CredsProblem::Missing,
        CredsProblem::Config,
        CredsProblem::Unusable,
        CredsProblem::Mismatch,
    ];

    /// The token used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            CredsProblem::NoPartition => "no_partition",
            CredsProblem::Blank => "blank",
            CredsProblem::Corrupt => "corrupt",
            CredsProblem::Incomplete => "incomplete",
            CredsProblem::Missing => "missing",
            CredsProblem::Config => "config",
            CredsProblem::Unusable => "unusable",
            CredsProblem::Mismatch => "mismatch",
        }
    }

    fn from_token(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// What is wrong with the key the board keeps (`key.error`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyProblem {
    /// The partition table has no key partition (a table older than keys made on the
    /// board), and the credentials hold no key either.
    NoPartition,
    /// The key record is damaged or not a key: reported, never replaced silently.
    Damaged,
    /// The new key could not be written or read back.
    Write,
}

impl KeyProblem {
    const ALL: [KeyProblem; 3] = [
        KeyProblem::NoPartition,
        KeyProblem::Damaged,
        KeyProblem::Write,
    ];

    /// The token used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyProblem::NoPartition => "no_partition",
            KeyProblem::Damaged => "damaged",
            KeyProblem::Write => "write",
        }
    }

    fn from_token(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// The step of fleet provisioning by claim an event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClaimStep {
    /// `create-from-csr`: the certificate for the board's request.
    Create,
    /// `provision`: the template makes the thing and activates the certificate.
    Provision,
    /// The board stores its certificate and drops the claim.
    Store,
}

impl ClaimStep {
    const ALL: [ClaimStep; 3] = [ClaimStep::Create, ClaimStep::Provision, ClaimStep::Store];

    /// The token used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStep::Create => "create",
            ClaimStep::Provision => "provision",
            ClaimStep::Store => "store",
        }
    }

    fn from_token(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// The names `boot`'s `reset` field takes, from the SoC reset-reason numbers of the
/// ESP32-C3 and ESP32-C6 (ESP-IDF `components/soc/<chip>/include/soc/reset_reasons.h`).
pub const RESET_NAMES: &[&str] = &[
    "PowerOn",
    "Software",
    "DeepSleep",
    "Sdio",
    "Watchdog",
    "Brownout",
    "ClockGlitch",
    "PowerGlitch",
    "EfuseCrc",
    "UsbUart",
    "UsbJtag",
    "Jtag",
    "Unknown",
];

/// The grammar's name for a SoC reset-reason number (`esp_hal`'s `SocResetReason as u32`,
/// the same numbers on the C3 and C6): what `boot` prints as `reset=`.
pub fn reset_name(code: u32) -> &'static str {
    match code {
        0x01 => "PowerOn",
        0x03 | 0x0C => "Software",
        0x05 => "DeepSleep",
        0x06 => "Sdio",
        // Main (timer-group) watchdogs 0/1, RTC watchdog, super watchdog: core, CPU, system.
        0x07 | 0x08 | 0x09 | 0x0B | 0x0D | 0x10 | 0x11 | 0x12 => "Watchdog",
        0x0F => "Brownout",
        0x13 => "ClockGlitch",
        0x17 => "PowerGlitch",
        0x14 => "EfuseCrc",
        0x15 => "UsbUart",
        0x16 => "UsbJtag",
        0x18 => "Jtag",
        _ => "Unknown",
    }
}

/// One event from the board. Text fields borrow from the parsed line where they can.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// `boot`: the firmware started.
    Boot {
        /// Firmware version.
        fw: Cow<'a, str>,
        /// Chip, e.g. `esp32c3`.
        chip: Cow<'a, str>,
        /// WiFi station MAC address.
        mac: Cow<'a, str>,
        /// Reset reason, one of [`RESET_NAMES`] (see [`reset_name`]).
        reset: Cow<'a, str>,
        /// First 16 hex digits of the SHA-256 of the firmware's ELF (from its app
        /// descriptor), so the app can tell whether it holds that ELF's symbols.
        elf: Option<Cow<'a, str>>,
    },
    /// `creds.ok`: the credentials partition was read and checked.
    CredsOk {
        /// Device certificate subject CN.
        cn: Cow<'a, str>,
        /// Device certificate expiry, RFC 3339 UTC.
        not_after: Cow<'a, str>,
        /// Endpoint host.
        endpoint: Cow<'a, str>,
        /// MQTT client id.
        client_id: Cow<'a, str>,
        /// Number of root CA records.
        cas: u8,
        /// Key type, e.g. `ec-p256` or `rsa-2048`.
        key: Cow<'a, str>,
    },
    /// `creds.error`: the board cannot use its credentials.
    CredsError {
        /// What is wrong.
        reason: CredsProblem,
        /// Details for the user.
        detail: Cow<'a, str>,
    },
    /// `key.new`: the board made its own key (first boot with an empty key partition).
    KeyNew {
        /// The key's type, as `creds.ok` names it (`ec-p256`).
        alg: Cow<'a, str>,
        /// Milliseconds to make, store and read it back.
        ms: u32,
    },
    /// `key.error`: the board's own key cannot be used or made.
    KeyError {
        /// What is wrong.
        reason: KeyProblem,
        /// Details for the user.
        detail: Cow<'a, str>,
    },
    /// `claim.start`: connected with the claim certificate, asking for its own.
    ClaimStart {
        /// The provisioning template.
        template: Cow<'a, str>,
    },
    /// `claim.cert`: AWS made the board's certificate from its request.
    ClaimCert {
        /// The certificate's id.
        id: Cow<'a, str>,
    },
    /// `claim.done`: the template made the thing; the board stored its certificate, dropped
    /// the claim and connects as itself next.
    ClaimDone {
        /// The thing.
        thing: Cow<'a, str>,
        /// Milliseconds from `claim.start`.
        ms: u32,
    },
    /// `claim.rejected`: AWS refused a step (its error body).
    ClaimRejected {
        /// The step.
        step: ClaimStep,
        /// `statusCode`.
        status: u16,
        /// `errorCode`.
        code: Cow<'a, str>,
        /// `errorMessage`.
        message: Cow<'a, str>,
    },
    /// `claim.failed`: a step did not finish (no answer in time, the certificate could not
    /// be stored).
    ClaimFailed {
        /// The step.
        step: ClaimStep,
        /// What happened.
        detail: Cow<'a, str>,
    },
    /// `csr.ready`: the board holds a key but no certificate; this is its certificate
    /// request (PKCS#10 DER, base64url without padding), its length and CRC-32 so that a
    /// line cut on the serial line is told from a whole one. Never the key.
    CsrReady {
        /// The subject's CN (the client id, or the MAC).
        cn: Cow<'a, str>,
        /// Bytes of DER.
        len: u32,
        /// CRC-32 of the DER (zlib's, continued from 0xFFFFFFFF).
        crc: u32,
        /// The DER, base64url.
        der: Cow<'a, str>,
    },
    /// `wifi.connecting`.
    WifiConnecting {
        /// Network name.
        ssid: Cow<'a, str>,
        /// Attempt number, from 1.
        attempt: u32,
    },
    /// `wifi.connected`: associated and got an address by DHCP.
    WifiConnected {
        /// IPv4 address.
        ip: Cow<'a, str>,
        /// Signal strength in dBm.
        rssi: i16,
    },
    /// `wifi.failed`: could not join.
    WifiFailed {
        /// 802.11 / esp-radio disconnect reason code.
        reason: u16,
        /// The reason's name.
        detail: Cow<'a, str>,
    },
    /// `wifi.disconnected`: the link dropped after it was up.
    WifiDisconnected {
        /// 802.11 / esp-radio disconnect reason code.
        reason: u16,
    },
    /// `time.syncing`: SNTP request sent.
    TimeSyncing {
        /// NTP server.
        server: Cow<'a, str>,
    },
    /// `time.ok`: the clock is set.
    TimeOk {
        /// The UTC time set, RFC 3339.
        utc: Cow<'a, str>,
        /// NTP server that answered.
        server: Cow<'a, str>,
        /// Round trip in milliseconds.
        ms: u32,
    },
    /// `time.failed`: no usable answer; TLS will not start.
    TimeFailed {
        /// NTP server asked.
        server: Cow<'a, str>,
        /// What went wrong.
        detail: Cow<'a, str>,
    },
    /// `dns.ok`.
    DnsOk {
        /// Name looked up.
        host: Cow<'a, str>,
        /// Address found.
        ip: Cow<'a, str>,
    },
    /// `dns.failed`.
    DnsFailed {
        /// Name looked up.
        host: Cow<'a, str>,
        /// What went wrong.
        detail: Cow<'a, str>,
    },
    /// `tls.start`: TCP connected, handshake begins.
    TlsStart {
        /// SNI host.
        host: Cow<'a, str>,
        /// Port.
        port: u16,
        /// ALPN offered, if any.
        alpn: Option<Cow<'a, str>>,
    },
    /// `tls.ok`: handshake done.
    TlsOk {
        /// Protocol version, e.g. `TLSv1.2`.
        version: Cow<'a, str>,
        /// Cipher suite name.
        cipher: Cow<'a, str>,
        /// Handshake time in milliseconds.
        ms: u32,
    },
    /// `tls.failed`: handshake or record layer failed.
    TlsFailed {
        /// mbedTLS error code (negative), e.g. -0x2700.
        code: i32,
        /// X.509 verify flags (`MBEDTLS_X509_BADCERT_*`), 0 when not a verify failure.
        verify: u32,
        /// mbedTLS's text for the code.
        detail: Cow<'a, str>,
    },
    /// `mqtt.connecting`: CONNECT sent.
    MqttConnecting {
        /// Client id.
        client_id: Cow<'a, str>,
        /// Keep-alive seconds.
        keepalive: u16,
    },
    /// `mqtt.connack`: the broker answered CONNECT.
    MqttConnack {
        /// MQTT 5 reason code (0 = success).
        reason: u8,
        /// Session present flag.
        session_present: bool,
        /// CONNECT to CONNACK in milliseconds.
        ms: u32,
    },
    /// `mqtt.subscribed`.
    MqttSubscribed {
        /// Topic filter.
        topic: Cow<'a, str>,
        /// SUBACK reason code (0..=2 granted QoS).
        reason: u8,
    },
    /// `mqtt.published`.
    MqttPublished {
        /// Topic.
        topic: Cow<'a, str>,
        /// Payload bytes.
        bytes: u32,
    },
    /// `mqtt.puback`: the broker answered a QoS 1 PUBLISH (telemetry).
    MqttPuback {
        /// Topic the message was published to.
        topic: Cow<'a, str>,
        /// PUBACK reason code (0x00 accepted, 0x10 no subscribers, 0x80 and up refused).
        reason: u8,
    },
    /// `mqtt.message`: a message arrived.
    MqttMessage {
        /// Topic.
        topic: Cow<'a, str>,
        /// Payload bytes.
        bytes: u32,
    },
    /// `mqtt.closed`: the connection ended.
    MqttClosed {
        /// DISCONNECT or CONNACK reason code, when the broker sent one.
        reason: Option<u8>,
        /// True when the connection closed after TLS but before any CONNACK: AWS IoT's
        /// way of refusing a policy or an inactive certificate.
        before_connack: bool,
    },
    /// `mem`: heap and stack high-water marks.
    Mem {
        /// Where it was measured.
        at: Stage,
        /// Free heap bytes now.
        heap_free: u32,
        /// Lowest free heap bytes since boot.
        heap_min: u32,
        /// Lowest free stack bytes of the connection task.
        stack_free: u32,
    },
    /// `retry`: a stage failed and will be retried after a delay.
    Retry {
        /// The stage that failed.
        stage: Stage,
        /// Attempt number that follows.
        attempt: u32,
        /// Delay before it, milliseconds.
        delay_ms: u32,
    },
}

/// A well-formed line split into name and fields, before typing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    /// Grammar version from the prefix.
    pub version: u32,
    /// Event name.
    pub name: &'a str,
    /// Fields in line order.
    pub fields: Vec<(&'a str, Cow<'a, str>)>,
    /// Byte offset of the prefix in the input (text before it is not ours).
    pub start: usize,
}

fn is_bare(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '/' | '+' | '-' | '@' | ',' | '%')
}

fn is_key(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_'
}

fn is_name(c: u8) -> bool {
    is_key(c) || c == b'.'
}

impl<'a> Line<'a> {
    /// Split a line into version, name and fields. Text before the `[tf` prefix (for
    /// example a log timestamp) is skipped; a trailing `\r` or `\n` is ignored.
    pub fn parse(text: &'a str) -> Result<Self, EventError> {
        let text = text.trim_end_matches(['\r', '\n']);
        if text.len() > MAX_LINE {
            return Err(EventError::TooLong);
        }
        let start = text.find("[tf").ok_or(EventError::NoPrefix)?;
        let b = text.as_bytes();
        let mut i = start + 3;
        let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 3 || b.get(i + digits) != Some(&b']') {
            return Err(EventError::NoPrefix);
        }
        let version: u32 = text[i..i + digits]
            .parse()
            .map_err(|_| EventError::NoPrefix)?;
        if version != u32::from(VERSION) {
            return Err(EventError::Version(version));
        }
        i += digits + 1;
        if b.get(i) != Some(&b' ') {
            return Err(EventError::Syntax {
                at: i,
                what: "a space after the prefix",
            });
        }
        i += 1;
        let name_len = b[i..].iter().take_while(|c| is_name(**c)).count();
        if name_len == 0 {
            return Err(EventError::Syntax {
                at: i,
                what: "an event name",
            });
        }
        let name = &text[i..i + name_len];
        i += name_len;
        let mut fields = Vec::new();
        loop {
            let spaces = b[i..].iter().take_while(|c| **c == b' ').count();
            i += spaces;
            if i >= b.len() {
                break;
            }
            if spaces == 0 {
                return Err(EventError::Syntax {
                    at: i,
                    what: "a space between fields",
                });
            }
            if fields.len() == MAX_FIELDS {
                return Err(EventError::Syntax {
                    at: i,
                    what: "fewer fields",
                });
            }
            let key_len = b[i..].iter().take_while(|c| is_key(**c)).count();
            if key_len == 0 || b.get(i + key_len) != Some(&b'=') {
                return Err(EventError::Syntax {
                    at: i,
                    what: "key=value",
                });
            }
            let key = &text[i..i + key_len];
            i += key_len + 1;
            let (value, next) = if b.get(i) == Some(&b'"') {
                parse_quoted(text, i)?
            } else {
                let len = text[i..]
                    .find(|c: char| !is_bare(c))
                    .unwrap_or(text.len() - i);
                if len == 0 {
                    return Err(EventError::Syntax {
                        at: i,
                        what: "a value",
                    });
                }
                (Cow::Borrowed(&text[i..i + len]), i + len)
            };
            fields.push((key, value));
            i = next;
        }
        Ok(Self {
            version,
            name,
            fields,
            start,
        })
    }

    /// The first value of a field.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_ref())
    }
}

fn parse_quoted(text: &str, open: usize) -> Result<(Cow<'_, str>, usize), EventError> {
    let body = &text[open + 1..];
    // Fast path: no escapes, borrow.
    if let Some(end) = body.find(['"', '\\'])
        && body.as_bytes()[end] == b'"'
    {
        return Ok((Cow::Borrowed(&body[..end]), open + 1 + end + 1));
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Ok((Cow::Owned(out), open + 1 + at + 1)),
            '\\' => {
                let bad = EventError::Syntax {
                    at: open + 1 + at,
                    what: "a valid escape",
                };
                match chars.next().map(|(_, c)| c) {
                    Some('\\') => out.push('\\'),
                    Some('"') => out.push('"'),
                    Some('n') => out.push('\n'),
                    Some('r') => out.push('\r'),
                    Some('t') => out.push('\t'),
                    Some('x') => {
                        let hi = chars.next().and_then(|(_, c)| c.to_digit(16));
                        let lo = chars.next().and_then(|(_, c)| c.to_digit(16));
                        let (Some(hi), Some(lo)) = (hi, lo) else {
                            return Err(bad);
                        };
                        let byte = hi * 16 + lo;
                        match char::from_u32(byte) {
                            Some(c) if byte < 0x80 => out.push(c),
                            _ => return Err(bad),
                        }
                    }
                    _ => return Err(bad),
                }
            }
            c => out.push(c),
        }
    }
    Err(EventError::Syntax {
        at: text.len(),
        what: "a closing quote",
    })
}

/// Writes one field, quoting and escaping when the value is not bare-safe.
fn write_value(f: &mut dyn fmt::Write, value: &str) -> fmt::Result {
    if !value.is_empty() && value.chars().all(is_bare) {
        return f.write_str(value);
    }
    f.write_char('"')?;
    for c in value.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c.is_ascii_control() => write!(f, "\\x{:02x}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

struct Out<'f, 'g> {
    f: &'f mut fmt::Formatter<'g>,
}

impl Out<'_, '_> {
    fn s(&mut self, key: &str, value: &str) -> Result<&mut Self, fmt::Error> {
        write!(self.f, " {key}=")?;
        write_value(self.f, value)?;
        Ok(self)
    }
    fn n(&mut self, key: &str, value: impl fmt::Display) -> Result<&mut Self, fmt::Error> {
        write!(self.f, " {key}={value}")?;
        Ok(self)
    }
    fn hex8(&mut self, key: &str, value: u8) -> Result<&mut Self, fmt::Error> {
        write!(self.f, " {key}=0x{value:02X}")?;
        Ok(self)
    }
}

impl Event<'_> {
    /// The event name on the wire.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Boot { .. } => "boot",
            Event::CredsOk { .. } => "creds.ok",
            Event::CredsError { .. } => "creds.error",
            Event::KeyNew { .. } => "key.new",
            Event::KeyError { .. } => "key.error",
            Event::CsrReady { .. } => "csr.ready",
            Event::ClaimStart { .. } => "claim.start",
            Event::ClaimCert { .. } => "claim.cert",
            Event::ClaimDone { .. } => "claim.done",
            Event::ClaimRejected { .. } => "claim.rejected",
            Event::ClaimFailed { .. } => "claim.failed",
            Event::WifiConnecting { .. } => "wifi.connecting",
            Event::WifiConnected { .. } => "wifi.connected",
            Event::WifiFailed { .. } => "wifi.failed",
            Event::WifiDisconnected { .. } => "wifi.disconnected",
            Event::TimeSyncing { .. } => "time.syncing",
            Event::TimeOk { .. } => "time.ok",
            Event::TimeFailed { .. } => "time.failed",
            Event::DnsOk { .. } => "dns.ok",
            Event::DnsFailed { .. } => "dns.failed",
            Event::TlsStart { .. } => "tls.start",
            Event::TlsOk { .. } => "tls.ok",
            Event::TlsFailed { .. } => "tls.failed",
            Event::MqttConnecting { .. } => "mqtt.connecting",
            Event::MqttConnack { .. } => "mqtt.connack",
            Event::MqttSubscribed { .. } => "mqtt.subscribed",
            Event::MqttPublished { .. } => "mqtt.published",
            Event::MqttPuback { .. } => "mqtt.puback",
            Event::MqttMessage { .. } => "mqtt.message",
            Event::MqttClosed { .. } => "mqtt.closed",
            Event::Mem { .. } => "mem",
            Event::Retry { .. } => "retry",
        }
    }

    /// The stage this event belongs to.
    pub fn stage(&self) -> Option<Stage> {
        Some(match self {
            Event::Boot { .. } => return None,
            Event::CredsOk { .. }
            | Event::CredsError { .. }
            | Event::KeyNew { .. }
            | Event::KeyError { .. }
            | Event::CsrReady { .. } => Stage::Creds,
            Event::WifiConnecting { .. }
            | Event::WifiConnected { .. }
            | Event::WifiFailed { .. }
            | Event::WifiDisconnected { .. } => Stage::Wifi,
            Event::TimeSyncing { .. } | Event::TimeOk { .. } | Event::TimeFailed { .. } => {
                Stage::Time
            }
            Event::DnsOk { .. } | Event::DnsFailed { .. } => Stage::Dns,
            Event::TlsStart { .. } | Event::TlsOk { .. } | Event::TlsFailed { .. } => Stage::Tls,
            Event::MqttConnecting { .. }
            | Event::MqttConnack { .. }
            | Event::MqttSubscribed { .. }
            | Event::MqttPublished { .. }
            | Event::MqttPuback { .. }
            | Event::MqttMessage { .. }
            | Event::MqttClosed { .. }
            | Event::ClaimStart { .. }
            | Event::ClaimCert { .. }
            | Event::ClaimDone { .. }
            | Event::ClaimRejected { .. }
            | Event::ClaimFailed { .. } => Stage::Mqtt,
            Event::Mem { at, .. } => *at,
            Event::Retry { stage, .. } => *stage,
        })
    }

    /// Parse one line. See the module docs for the grammar.
    pub fn parse(text: &str) -> Result<Event<'_>, EventError> {
        Event::from_line(Line::parse(text)?)
    }

    /// Type a well-formed line.
    pub fn from_line(line: Line<'_>) -> Result<Event<'_>, EventError> {
        let mut f = Fields {
            event: "",
            fields: line.fields,
        };
        let ev = match line.name {
            "boot" => {
                f.event = "boot";
                Event::Boot {
                    fw: f.s("fw")?,
                    chip: f.s("chip")?,
                    mac: f.s("mac")?,
                    reset: f.one_of("reset", RESET_NAMES)?,
                    elf: f.opt_s("elf"),
                }
            }
            "creds.ok" => {
                f.event = "creds.ok";
                Event::CredsOk {
                    cn: f.s("cn")?,
                    not_after: f.s("not_after")?,
                    endpoint: f.s("endpoint")?,
                    client_id: f.s("client_id")?,
                    cas: f.n("cas")?,
                    key: f.s("key")?,
                }
            }
            "creds.error" => {
                f.event = "creds.error";
                Event::CredsError {
                    reason: f.token("reason", CredsProblem::from_token)?,
                    detail: f.s("detail")?,
                }
            }
            "key.new" => {
                f.event = "key.new";
                Event::KeyNew {
                    alg: f.s("alg")?,
                    ms: f.n("ms")?,
                }
            }
            "key.error" => {
                f.event = "key.error";
                Event::KeyError {
                    reason: f.token("reason", KeyProblem::from_token)?,
                    detail: f.s("detail")?,
                }
            }
            "claim.start" => {
                f.event = "claim.start";
                Event::ClaimStart {
                    template: f.s("template")?,
                }
            }
            "claim.cert" => {
                f.event = "claim.cert";
                Event::ClaimCert { id: f.s("id")? }
            }
            "claim.done" => {
                f.event = "claim.done";
                Event::ClaimDone {
                    thing: f.s("thing")?,
                    ms: f.n("ms")?,
                }
            }
            "claim.rejected" => {
                f.event = "claim.rejected";
                Event::ClaimRejected {
                    step: f.token("step", ClaimStep::from_token)?,
                    status: f.n("status")?,
                    code: f.s("code")?,
                    message: f.opt_s("message").unwrap_or_default(),
                }
            }
            "claim.failed" => {
                f.event = "claim.failed";
                Event::ClaimFailed {
                    step: f.token("step", ClaimStep::from_token)?,
                    detail: f.s("detail")?,
                }
            }
            "csr.ready" => {
                f.event = "csr.ready";
                Event::CsrReady {
                    cn: f.s("cn")?,
                    len: f.n("len")?,
                    crc: f.hex_u32("crc")?,
                    der: f.s("der")?,
                }
            }
            "wifi.connecting" => {
                f.event = "wifi.connecting";
                Event::WifiConnecting {
                    ssid: f.s("ssid")?,
                    attempt: f.n("attempt")?,
                }
            }
            "wifi.connected" => {
                f.event = "wifi.connected";
                Event::WifiConnected {
                    ip: f.s("ip")?,
                    rssi: f.n("rssi")?,
                }
            }
            "wifi.failed" => {
                f.event = "wifi.failed";
                Event::WifiFailed {
                    reason: f.n("reason")?,
                    detail: f.s("detail")?,
                }
            }
            "wifi.disconnected" => {
                f.event = "wifi.disconnected";
                Event::WifiDisconnected {
                    reason: f.n("reason")?,
                }
            }
            "time.syncing" => {
                f.event = "time.syncing";
                Event::TimeSyncing {
                    server: f.s("server")?,
                }
            }
            "time.ok" => {
                f.event = "time.ok";
                Event::TimeOk {
                    utc: f.s("utc")?,
                    server: f.s("server")?,
                    ms: f.n("ms")?,
                }
            }
            "time.failed" => {
                f.event = "time.failed";
                Event::TimeFailed {
                    server: f.s("server")?,
                    detail: f.s("detail")?,
                }
            }
            "dns.ok" => {
                f.event = "dns.ok";
                Event::DnsOk {
                    host: f.s("host")?,
                    ip: f.s("ip")?,
                }
            }
            "dns.failed" => {
                f.event = "dns.failed";
                Event::DnsFailed {
                    host: f.s("host")?,
                    detail: f.s("detail")?,
                }
            }
            "tls.start" => {
                f.event = "tls.start";
                Event::TlsStart {
                    host: f.s("host")?,
                    port: f.n("port")?,
                    alpn: f.opt_s("alpn"),
                }
            }
            "tls.ok" => {
                f.event = "tls.ok";
                Event::TlsOk {
                    version: f.s("version")?,
                    cipher: f.s("cipher")?,
                    ms: f.n("ms")?,
                }
            }
            "tls.failed" => {
                f.event = "tls.failed";
                Event::TlsFailed {
                    code: f.hex_i32("code")?,
                    verify: f.hex_u32("verify")?,
                    detail: f.s("detail")?,
                }
            }
            "mqtt.connecting" => {
                f.event = "mqtt.connecting";
                Event::MqttConnecting {
                    client_id: f.s("client_id")?,
                    keepalive: f.n("keepalive")?,
                }
            }
            "mqtt.connack" => {
                f.event = "mqtt.connack";
                Event::MqttConnack {
                    reason: f.hex_u8("reason")?,
                    session_present: f.n::<u8>("session")? != 0,
                    ms: f.n("ms")?,
                }
            }
            "mqtt.subscribed" => {
                f.event = "mqtt.subscribed";
                Event::MqttSubscribed {
                    topic: f.s("topic")?,
                    reason: f.hex_u8("reason")?,
                }
            }
            "mqtt.published" => {
                f.event = "mqtt.published";
                Event::MqttPublished {
                    topic: f.s("topic")?,
                    bytes: f.n("bytes")?,
                }
            }
            "mqtt.puback" => {
                f.event = "mqtt.puback";
                Event::MqttPuback {
                    topic: f.s("topic")?,
                    reason: f.hex_u8("reason")?,
                }
            }
            "mqtt.message" => {
                f.event = "mqtt.message";
                Event::MqttMessage {
                    topic: f.s("topic")?,
                    bytes: f.n("bytes")?,
                }
            }
            "mqtt.closed" => {
                f.event = "mqtt.closed";
                let reason = match f.opt_s("reason") {
                    Some(v) => Some(parse_hex_u8(&v).ok_or(EventError::BadValue {
                        event: "mqtt.closed",
                        field: "reason",
                    })?),
                    None => None,
                };
                let before_connack = match f.s("phase")?.as_ref() {
                    "before_connack" => true,
                    "connected" => false,
                    _ => {
                        return Err(EventError::BadValue {
                            event: "mqtt.closed",
                            field: "phase",
                        });
                    }
                };
                Event::MqttClosed {
                    reason,
                    before_connack,
                }
            }
            "mem" => {
                f.event = "mem";
                Event::Mem {
                    at: f.token("at", Stage::from_token)?,
                    heap_free: f.n("heap_free")?,
                    heap_min: f.n("heap_min")?,
                    stack_free: f.n("stack_free")?,
                }
            }
            "retry" => {
                f.event = "retry";
                Event::Retry {
                    stage: f.token("stage", Stage::from_token)?,
                    attempt: f.n("attempt")?,
                    delay_ms: f.n("delay_ms")?,
                }
            }
            other => return Err(EventError::Unknown(String::from(other))),
        };
        Ok(ev)
    }

    /// A copy that owns its text, to keep beyond the line's lifetime.
    pub fn into_owned(self) -> Event<'static> {
        fn o(c: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(c.into_owned())
        }
        match self {
            Event::Boot {
                fw,
                chip,
                mac,
                reset,
                elf,
            } => Event::Boot {
                fw: o(fw),
                chip: o(chip),
                mac: o(mac),
                reset: o(reset),
                elf: elf.map(o),
            },
            Event::CredsOk {
                cn,
                not_after,
                endpoint,
                client_id,
                cas,
                key,
            } => Event::CredsOk {
                cn: o(cn),
                not_after: o(not_after),
                endpoint: o(endpoint),
                client_id: o(client_id),
                cas,
                key: o(key),
            },
            Event::CredsError { reason, detail } => Event::CredsError {
                reason,
                detail: o(detail),
            },
            Event::KeyNew { alg, ms } => Event::KeyNew { alg: o(alg), ms },
            Event::KeyError { reason, detail } => Event::KeyError {
                reason,
                detail: o(detail),
            },
            Event::CsrReady { cn, len, crc, der } => Event::CsrReady {
                cn: o(cn),
                len,
                crc,
                der: o(der),
            },
            Event::ClaimStart { template } => Event::ClaimStart {
                template: o(template),
            },
            Event::ClaimCert { id } => Event::ClaimCert { id: o(id) },
            Event::ClaimDone { thing, ms } => Event::ClaimDone {
                thing: o(thing),
                ms,
            },
            Event::ClaimRejected {
                step,
                status,
                code,
                message,
            } => Event::ClaimRejected {
                step,
                status,
                code: o(code),
                message: o(message),
            },
            Event::ClaimFailed { step, detail } => Event::ClaimFailed {
                step,
                detail: o(detail),
            },
            Event::WifiConnecting { ssid, attempt } => Event::WifiConnecting {
                ssid: o(ssid),
                attempt,
            },
            Event::WifiConnected { ip, rssi } => Event::WifiConnected { ip: o(ip), rssi },
            Event::WifiFailed { reason, detail } => Event::WifiFailed {
                reason,
                detail: o(detail),
            },
            Event::WifiDisconnected { reason } => Event::WifiDisconnected { reason },
            Event::TimeSyncing { server } => Event::TimeSyncing { server: o(server) },
            Event::TimeOk { utc, server, ms } => Event::TimeOk {
                utc: o(utc),
                server: o(server),
                ms,
            },
            Event::TimeFailed { server, detail } => Event::TimeFailed {
                server: o(server),
                detail: o(detail),
            },
            Event::DnsOk { host, ip } => Event::DnsOk {
                host: o(host),
                ip: o(ip),
            },
            Event::DnsFailed { host, detail } => Event::DnsFailed {
                host: o(host),
                detail: o(detail),
            },
            Event::TlsStart { host, port, alpn } => Event::TlsStart {
                host: o(host),
                port,
                alpn: alpn.map(o),
            },
            Event::TlsOk {
                version,
                cipher,
                ms,
            } => Event::TlsOk {
                version: o(version),
                cipher: o(cipher),
                ms,
            },
            Event::TlsFailed {
                code,
                verify,
                detail,
            } => Event::TlsFailed {
                code,
                verify,
                detail: o(detail),
            },
            Event::MqttConnecting {
                client_id,
                keepalive,
            } => Event::MqttConnecting {
                client_id: o(client_id),
                keepalive,
            },
            Event::MqttConnack {
                reason,
                session_present,
                ms,
            } => Event::MqttConnack {
                reason,
                session_present,
                ms,
            },
            Event::MqttSubscribed { topic, reason } => Event::MqttSubscribed {
                topic: o(topic),
                reason,
            },
            Event::MqttPublished { topic, bytes } => Event::MqttPublished {
                topic: o(topic),
                bytes,
            },
            Event::MqttMessage { topic, bytes } => Event::MqttMessage {
                topic: o(topic),
                bytes,
            },
            Event::MqttPuback { topic, reason } => Event::MqttPuback {
                topic: o(topic),
                reason,
            },
            Event::MqttClosed {
                reason,
                before_connack,
            } => Event::MqttClosed {
                reason,
                before_connack,
            },
            Event::Mem {
                at,
                heap_free,
                heap_min,
                stack_free,
            } => Event::Mem {
                at,
                heap_free,
                heap_min,
                stack_free,
            },
            Event::Retry {
                stage,
                attempt,
                delay_ms,
            } => Event::Retry {
                stage,
                attempt,
                delay_ms,
            },
        }
    }
}

struct Fields<'a> {
    event: &'static str,
    fields: Vec<(&'a str, Cow<'a, str>)>,
}

fn parse_hex_u8(v: &str) -> Option<u8> {
    u8::from_str_radix(v.strip_prefix("0x")?, 16).ok()
}

impl<'a> Fields<'a> {
    fn take(&mut self, key: &'static str) -> Option<Cow<'a, str>> {
        let i = self.fields.iter().position(|(k, _)| *k == key)?;
        Some(self.fields.swap_remove(i).1)
    }
    fn missing(&self, field: &'static str) -> EventError {
        EventError::Missing {
            event: self.event,
            field,
        }
    }
    fn bad(&self, field: &'static str) -> EventError {
        EventError::BadValue {
            event: self.event,
            field,
        }
    }
    fn s(&mut self, key: &'static str) -> Result<Cow<'a, str>, EventError> {
        self.take(key).ok_or_else(|| self.missing(key))
    }
    /// A name from the grammar (`PowerOn`, `esp32c3`): letters, digits and `_` only, so
    /// that a Rust `Debug` rendering (`Some(ChipPowerOn)`, `"x"`) is refused, not shown.
    fn name(&mut self, key: &'static str) -> Result<Cow<'a, str>, EventError> {
        let v = self.s(key)?;
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(self.bad(key));
        }
        Ok(v)
    }
    /// One of the grammar's names for this field: anything else (a Rust `Debug` rendering
    /// such as `Some(ChipPowerOn)` or `None`, a name from a newer grammar) is refused.
    fn one_of(&mut self, key: &'static str, names: &[&str]) -> Result<Cow<'a, str>, EventError> {
        let v = self.name(key)?;
        if !names.contains(&v.as_ref()) {
            return Err(self.bad(key));
        }
        Ok(v)
    }
    fn opt_s(&mut self, key: &'static str) -> Option<Cow<'a, str>> {
        self.take(key)
    }
    fn n<T: core::str::FromStr>(&mut self, key: &'static str) -> Result<T, EventError> {
        let v = self.s(key)?;
        v.parse().map_err(|_| self.bad(key))
    }
    fn token<T>(
        &mut self,
        key: &'static str,
        parse: fn(&str) -> Option<T>,
    ) -> Result<T, EventError> {
        let v = self.s(key)?;
        parse(&v).ok_or_else(|| self.bad(key))
    }
    fn hex_u8(&mut self, key: &'static str) -> Result<u8, EventError> {
        let v = self.s(key)?;
        parse_hex_u8(&v).ok_or_else(|| self.bad(key))
    }
    fn hex_u32(&mut self, key: &'static str) -> Result<u32, EventError> {
        let v = self.s(key)?;
        v.strip_prefix("0x")
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| self.bad(key))
    }
    fn hex_i32(&mut self, key: &'static str) -> Result<i32, EventError> {
        let v = self.s(key)?;
        let (neg, body) = match v.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, v.as_ref()),
        };
        let magnitude = body
            .strip_prefix("0x")
            .and_then(|h| i64::from_str_radix(h, 16).ok())
            .ok_or_else(|| self.bad(key))?;
        let value = if neg { -magnitude } else { magnitude };
        i32::try_from(value).map_err(|_| self.bad(key))
    }
}

impl fmt::Display for Event<'_> {
    /// The line, without a line ending.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX} {}", self.name())?;
        let mut o = Out { f };
        match self {
            Event::Boot {
                fw,
                chip,
                mac,
                reset,
                elf,
            } => {
                o.s("fw", fw)?
                    .s("chip", chip)?
                    .s("mac", mac)?
                    .s("reset", reset)?;
                if let Some(elf) = elf {
                    o.s("elf", elf)?;
                }
            }
            Event::CredsOk {
                cn,
                not_after,
                endpoint,
                client_id,
                cas,
                key,
            } => {
                o.s("cn", cn)?
                    .s("not_after", not_after)?
                    .s("endpoint", endpoint)?
                    .s("client_id", client_id)?
                    .n("cas", cas)?
                    .s("key", key)?;
            }
            Event::CredsError { reason, detail } => {
                o.s("reason", reason.as_str())?.s("detail", detail)?;
            }
            Event::KeyNew { alg, ms } => {
                o.s("alg", alg)?.n("ms", ms)?;
            }
            Event::KeyError { reason, detail } => {
                o.s("reason", reason.as_str())?.s("detail", detail)?;
            }
            Event::ClaimStart { template } => {
                o.s("template", template)?;
            }
            Event::ClaimCert { id } => {
                o.s("id", id)?;
            }
            Event::ClaimDone { thing, ms } => {
                o.s("thing", thing)?.n("ms", ms)?;
            }
            Event::ClaimRejected {
                step,
                status,
                code,
                message,
            } => {
                o.s("step", step.as_str())?
                    .n("status", status)?
                    .s("code", code)?
                    .s("message", message)?;
            }
            Event::ClaimFailed { step, detail } => {
                o.s("step", step.as_str())?.s("detail", detail)?;
            }
            Event::CsrReady { cn, len, crc, der } => {
                o.s("cn", cn)?.n("len", len)?;
                write!(o.f, " crc=0x{crc:08X}")?;
                o.s("der", der)?;
            }
            Event::WifiConnecting { ssid, attempt } => {
                o.s("ssid", ssid)?.n("attempt", attempt)?;
            }
            Event::WifiConnected { ip, rssi } => {
                o.s("ip", ip)?.n("rssi", rssi)?;
            }
            Event::WifiFailed { reason, detail } => {
                o.n("reason", reason)?.s("detail", detail)?;
            }
            Event::WifiDisconnected { reason } => {
                o.n("reason", reason)?;
            }
            Event::TimeSyncing { server } => {
                o.s("server", server)?;
            }
            Event::TimeOk { utc, server, ms } => {
                o.s("utc", utc)?.s("server", server)?.n("ms", ms)?;
            }
            Event::TimeFailed { server, detail } => {
                o.s("server", server)?.s("detail", detail)?;
            }
            Event::DnsOk { host, ip } => {
                o.s("host", host)?.s("ip", ip)?;
            }
            Event::DnsFailed { host, detail } => {
                o.s("host", host)?.s("detail", detail)?;
            }
            Event::TlsStart { host, port, alpn } => {
                o.s("host", host)?.n("port", port)?;
                if let Some(alpn) = alpn {
                    o.s("alpn", alpn)?;
                }
            }
            Event::TlsOk {
                version,
                cipher,
                ms,
            } => {
                o.s("version", version)?.s("cipher", cipher)?.n("ms", ms)?;
            }
            Event::TlsFailed {
                code,
                verify,
                detail,
            } => {
                let sign = if *code < 0 { "-" } else { "" };
                write!(
                    o.f,
                    " code={sign}0x{:04X} verify=0x{verify:08X}",
                    code.unsigned_abs()
                )?;
                o.s("detail", detail)?;
            }
            Event::MqttConnecting {
                client_id,
                keepalive,
            } => {
                o.s("client_id", client_id)?.n("keepalive", keepalive)?;
            }
            Event::MqttConnack {
                reason,
                session_present,
                ms,
            } => {
                o.hex8("reason", *reason)?
                    .n("session", u8::from(*session_present))?
                    .n("ms", ms)?;
            }
            Event::MqttSubscribed { topic, reason } | Event::MqttPuback { topic, reason } => {
                o.s("topic", topic)?.hex8("reason", *reason)?;
            }
            Event::MqttPublished { topic, bytes } | Event::MqttMessage { topic, bytes } => {
                o.s("topic", topic)?.n("bytes", bytes)?;
            }
            Event::MqttClosed {
                reason,
                before_connack,
            } => {
                if let Some(r) = reason {
                    o.hex8("reason", *r)?;
                }
                o.s(
                    "phase",
                    if *before_connack {
                        "before_connack"
                    } else {
                        "connected"
                    },
                )?;
            }
            Event::Mem {
                at,
                heap_free,
                heap_min,
                stack_free,
            } => {
                o.s("at", at.as_str())?
                    .n("heap_free", heap_free)?
                    .n("heap_min", heap_min)?
                    .n("stack_free", stack_free)?;
            }
            Event::Retry {
                stage,
                attempt,
                delay_ms,
            } => {
                o.s("stage", stage.as_str())?
                    .n("attempt", attempt)?
                    .n("delay_ms", delay_ms)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn quoting_round_trips_awkward_text() {
        let detail = "quote \" back\\slash \n newline \t tab \x07 bell ünïcode =";
        let ev = Event::TimeFailed {
            server: "pool.ntp.org".into(),
            detail: detail.into(),
        };
        let line = ev.to_string();
        assert!(!line.contains('\n'));
        assert_eq!(Event::parse(&line).unwrap(), ev);
    }

    /// Regression for the line the firmware printed in an ESP32-C3 emulator:
    /// `reset="Some(ChipPowerOn)"`, a Rust `Debug` value where the grammar has a name.
    #[test]
    fn boot_reset_refuses_debug_output_and_takes_every_grammar_name() {
        // The outcome only: the event borrows from a line that lives in the closure.
        let boot = |reset: &str| {
            Event::parse(&alloc::format!(
                "[tf1] boot fw=0.1.0 chip=esp32c3 mac=24:0a:c4:1f:67:7d reset={reset}"
            ))
            .map(|_| ())
        };
        for debug in [
            "\"Some(ChipPowerOn)\"",
            "\"None\"",
            "None",
            "ChipPowerOn",
            "\"\"",
            "\"Power On\"",
        ] {
            assert!(
                matches!(
                    boot(debug),
                    Err(EventError::BadValue { field: "reset", .. })
                ),
                "{debug}"
            );
        }
        // Not even a well-formed line.
        assert!(boot("\"CoreSw\"x").is_err());
        for name in RESET_NAMES {
            assert!(boot(name).is_ok(), "{name}");
        }
        for code in 0..0x20 {
            assert!(RESET_NAMES.contains(&reset_name(code)), "{code}");
        }
        assert_eq!(reset_name(1), "PowerOn");
        assert_eq!(reset_name(0x0F), "Brownout");
    }

    #[test]
    fn prefix_after_log_noise_is_found() {
        let ev = Event::parse("I (1234) app: [tf1] wifi.disconnected reason=8\r\n").unwrap();
        assert_eq!(ev, Event::WifiDisconnected { reason: 8 });
    }

    #[test]
    fn unknown_fields_are_ignored_unknown_events_named() {
        let ev = Event::parse("[tf1] wifi.disconnected reason=8 future=1").unwrap();
        assert_eq!(ev, Event::WifiDisconnected { reason: 8 });
        assert_eq!(
            Event::parse("[tf1] ota.start url=x"),
            Err(EventError::Unknown("ota.start".into()))
        );
    }

    #[test]
    fn versions_and_noise() {
        assert_eq!(Event::parse("[tf2] boot"), Err(EventError::Version(2)));
        assert_eq!(
            Event::parse("ESP-ROM:esp32c3-api1-20210207"),
            Err(EventError::NoPrefix)
        );
        assert_eq!(Event::parse("[tfx] boot"), Err(EventError::NoPrefix));
        assert!(matches!(
            Event::parse("[tf1] wifi.connected ip="),
            Err(EventError::Syntax { .. })
        ));
        assert!(matches!(
            Event::parse("[tf1] x k=\"open"),
            Err(EventError::Syntax { .. })
        ));
        assert!(matches!(
            Event::parse("[tf1] wifi.connected ip=1.2.3.4 rssi=loud"),
            Err(EventError::BadValue { field: "rssi", .. })
        ));
    }

    #[test]
    fn tls_codes_print_like_mbedtls() {
        let ev = Event::TlsFailed {
            code: -0x2700,
            verify: 0x200,
            detail: "X509 - Certificate verification failed".into(),
        };
        assert_eq!(
            ev.to_string(),
            "[tf1] tls.failed code=-0x2700 verify=0x00000200 detail=\"X509 - Certificate verification failed\""
        );
    }
}
