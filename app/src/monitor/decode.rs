//! Turning one serial line into something a maker can read: its level, the thingflash
//! event it carries, and an explanation (cause + fix) when it reports a problem.
//! Recognises thingflash event lines, ESP32 ROM boot output, panics and backtraces,
//! ESP-IDF `esp-tls` and mbedtls-rs errors, Arduino ESP8266 BearSSL and PubSubClient
//! output. A few rules need context (what happened earlier since boot); the
//! [`Decoder`] keeps that.

use std::borrow::Cow;

use serde::Serialize;
use thingflash_protocol::event::{CredsProblem, Event};

use super::rules::{self, Meaning, lookup};
use super::symbols::Symbolizer;

/// How a line should be shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Detail.
    Debug,
    /// Ordinary output.
    Info,
    /// A stage succeeded.
    Success,
    /// Something to look at.
    Warn,
    /// A failure.
    Error,
}

/// Where a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// A thingflash event line.
    Event,
    /// The ESP32 boot ROM.
    Rom,
    /// A panic or backtrace.
    Panic,
    /// ESP-IDF / esp-tls / mbedtls-rs log output.
    EspIdf,
    /// Arduino (BearSSL, PubSubClient).
    Arduino,
    /// Anything else.
    Plain,
}

/// Cause and fix, in plain words. Boxed: most lines have none, and a retained log
/// holds up to a million lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Explanation(Box<ExplanationText>);

/// The text of an [`Explanation`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExplanationText {
    /// One line: what happened.
    pub title: Cow<'static, str>,
    /// Why, for this board.
    pub cause: Cow<'static, str>,
    /// What to do.
    pub fix: Cow<'static, str>,
}

impl std::ops::Deref for Explanation {
    type Target = ExplanationText;
    fn deref(&self) -> &ExplanationText {
        &self.0
    }
}

impl std::ops::DerefMut for Explanation {
    fn deref_mut(&mut self) -> &mut ExplanationText {
        &mut self.0
    }
}

impl Explanation {
    fn from_meaning(title: impl Into<Cow<'static, str>>, m: &'static Meaning) -> Self {
        Self::new(title, m.cause, m.fix)
    }

    /// An explanation from its three parts.
    pub fn new(
        title: impl Into<Cow<'static, str>>,
        cause: impl Into<Cow<'static, str>>,
        fix: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self(Box::new(ExplanationText {
            title: title.into(),
            cause: cause.into(),
            fix: fix.into(),
        }))
    }
}

/// One decoded line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decoded {
    /// The line as received (without its line ending).
    pub text: String,
    /// How to show it.
    pub level: Level,
    /// Where it came from.
    pub source: Source,
    /// The thingflash event it carries.
    #[serde(skip)]
    pub event: Option<Box<Event<'static>>>,
    /// What it means, when it reports a problem or a notable state.
    pub explanation: Option<Explanation>,
    /// For a backtrace address: function and location.
    pub symbol: Option<String>,
}

impl Decoded {
    fn plain(text: &str, level: Level, source: Source) -> Self {
        Self {
            text: text.to_string(),
            level,
            source,
            event: None,
            explanation: None,
            symbol: None,
        }
    }
}

/// Context carried from line to line.
#[derive(Default)]
pub struct Decoder {
    in_panic: bool,
    time_set: bool,
    symbols: Option<Symbolizer>,
    /// The symbols came from the firmware thingflash embeds (for this chip), chosen
    /// because the board's boot event named that ELF; not from the user.
    embedded: Option<crate::bundle::Chip>,
}

const POLICY_TITLE: &str = "connection dropped after TLS, before MQTT CONNACK";
const POLICY_CAUSE: &str = "TLS succeeded, then AWS IoT hung up without answering CONNECT: that is how it refuses a certificate whose policy does not allow iot:Connect for this client id, or a certificate that is INACTIVE or not attached to the thing";
const POLICY_FIX: &str = "in the AWS IoT console: make the certificate ACTIVE, attach a policy allowing iot:Connect on client/<client id> (thingflash's provisioning creates one), and attach the certificate to the thing; the client id must equal the thing name if the policy uses thing variables";

impl Decoder {
    /// A decoder without firmware symbols.
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder that symbolises backtrace addresses with this firmware ELF.
    pub fn with_symbols(symbols: Symbolizer) -> Self {
        Self {
            symbols: Some(symbols),
            ..Self::default()
        }
    }

    /// After a boot event: when the board runs the firmware thingflash embeds (same ELF
    /// digest), symbolise its backtraces with that ELF; forget embedded symbols when it
    /// runs something else. Symbols the user gave are never replaced.
    fn pick_embedded_symbols(&mut self, chip: &str, elf: Option<&str>) {
        if self.symbols.is_some() && self.embedded.is_none() {
            return;
        }
        let matching = crate::bundle::Chip::ALL
            .into_iter()
            .find(|c| c.name() == chip && Some(c.firmware_elf_id()) == elf);
        if matching == self.embedded {
            return;
        }
        self.embedded = None;
        self.symbols = None;
        if let Some(c) = matching
            && let Ok(s) = Symbolizer::from_bytes(c.firmware_elf())
        {
            self.symbols = Some(s);
            self.embedded = Some(c);
        }
    }

    /// Whether backtraces are being symbolised (with the user's ELF or the embedded one).
    pub fn has_symbols(&self) -> bool {
        self.symbols.is_some()
    }

    /// Decode one line (without its line ending).
    pub fn decode(&mut self, line: &str) -> Decoded {
        if line.contains("[tf") {
            match Event::parse(line) {
                Ok(ev) => return self.event(line, ev.into_owned()),
                Err(thingflash_protocol::event::EventError::Version(v)) => {
                    let mut d = Decoded::plain(line, Level::Warn, Source::Event);
                    d.explanation = Some(Explanation::new(
                        "event from a newer firmware",
                        format!("the board speaks event grammar version {v}"),
                        "update thingflash to read it",
                    ));
                    return d;
                }
                Err(_) => {}
            }
        }
        if let Some(d) = self.panic(line) {
            return d;
        }
        if let Some(d) = rom(line) {
            // A reset starts the board without a clock; other ROM lines change nothing.
            if line.trim_start().starts_with("rst:") {
                self.time_set = false;
                self.in_panic = false;
            }
            return d;
        }
        if let Some(d) = esp_idf(line) {
            return with_endpoint_check(d);
        }
        if let Some(d) = arduino(line) {
            return d;
        }
        let level = match line.as_bytes() {
            [b'E', b' ', b'(', ..] => Level::Error,
            [b'W', b' ', b'(', ..] => Level::Warn,
            [b'D' | b'V', b' ', b'(', ..] => Level::Debug,
            _ => Level::Info,
        };
        Decoded::plain(line, level, Source::Plain)
    }

    fn event(&mut self, line: &str, ev: Event<'static>) -> Decoded {
        let (level, explanation) = match &ev {
            Event::Boot { chip, elf, .. } => {
                self.time_set = false;
                self.in_panic = false;
                self.pick_embedded_symbols(chip, elf.as_deref());
                (Level::Info, None)
            }
            Event::CredsOk { .. } => (Level::Success, None),
            Event::CredsError { reason, detail } => {
                let (cause, fix): (&str, &str) = match reason {
                    CredsProblem::NoPartition => (
                        "the partition table has no esp_secure_cert partition",
                        "flash with thingflash (full flash, not credentials-only)",
                    ),
                    CredsProblem::Blank => (
                        "the credentials partition is empty",
                        "flash the credentials with thingflash",
                    ),
                    CredsProblem::Corrupt | CredsProblem::Incomplete => (
                        "the credentials partition is damaged or was only partly written",
                        "flash the credentials again with thingflash; the firmware never uses a half-written partition",
                    ),
                    CredsProblem::Missing => (
                        "a certificate, key or the config is missing",
                        "flash the credentials again",
                    ),
                    CredsProblem::Config => (
                        "the device config is invalid",
                        "check the settings and flash again",
                    ),
                    CredsProblem::Unusable => (
                        "the key or certificate cannot be loaded by the TLS library",
                        "run thingflash check on your files and flash again",
                    ),
                };
                (
                    Level::Error,
                    Some(Explanation::new(
                        format!("credentials problem: {}", reason.as_str()),
                        format!("{cause} ({detail})"),
                        fix,
                    )),
                )
            }
            Event::WifiConnecting { .. }
            | Event::TimeSyncing { .. }
            | Event::TlsStart { .. }
            | Event::MqttConnecting { .. } => (Level::Info, None),
            Event::WifiConnected { .. } | Event::DnsOk { .. } | Event::TlsOk { .. } => {
                (Level::Success, None)
            }
            Event::WifiFailed { reason, .. } | Event::WifiDisconnected { reason } => {
                let e = match lookup(rules::WIFI_REASONS, *reason) {
                    Some(m) => {
                        Explanation::from_meaning(format!("WiFi: {} (reason {reason})", m.name), m)
                    }
                    None => Explanation::new(
                        format!("WiFi disconnected (reason {reason})"),
                        "the access point or the radio ended the link",
                        "check the network name, password and signal",
                    ),
                };
                (Level::Error, Some(e))
            }
            Event::TimeOk { .. } => {
                self.time_set = true;
                (Level::Success, None)
            }
            Event::TimeFailed { server, .. } => (
                Level::Error,
                Some(Explanation::new(
                    "the clock could not be set",
                    format!(
                        "no answer from the NTP server {server}; without the time, TLS cannot check certificates, so the board waits"
                    ),
                    "check that the network lets UDP port 123 out, or set an NTP server your network allows",
                )),
            ),
            Event::DnsFailed { host, .. } => (
                Level::Error,
                Some(Explanation::new(
                    "the endpoint name did not resolve",
                    format!("DNS found no address for {host}"),
                    "check the endpoint spelling (copy it from the AWS IoT console, Settings) and the network's DNS",
                )),
            ),
            Event::TlsFailed { code, verify, .. } => (Level::Error, Some(self.tls(*code, *verify))),
            Event::MqttConnack { reason: 0, .. } => (Level::Success, None),
            Event::MqttConnack { reason, .. } => {
                (Level::Error, Some(mqtt_reason("CONNACK", *reason)))
            }
            Event::MqttSubscribed { reason, .. } if *reason >= 0x80 => {
                (Level::Error, Some(mqtt_reason("SUBACK", *reason)))
            }
            Event::MqttSubscribed { .. }
            | Event::MqttPublished { .. }
            | Event::MqttMessage { .. } => (Level::Success, None),
            Event::MqttClosed {
                before_connack: true,
                ..
            } => (
                Level::Error,
                Some(Explanation::new(POLICY_TITLE, POLICY_CAUSE, POLICY_FIX)),
            ),
            Event::MqttClosed {
                reason: Some(r),
                before_connack: false,
            } => (Level::Error, Some(mqtt_reason("DISCONNECT", *r))),
            Event::MqttClosed { .. } => (
                Level::Warn,
                Some(Explanation::new(
                    "the MQTT connection closed",
                    "the connection ended without a reason code (network loss, or AWS's maximum connection time)",
                    "nothing to do: the board reconnects with backoff",
                )),
            ),
            Event::Mem { heap_min, .. } if *heap_min < 8 * 1024 => (
                Level::Warn,
                Some(Explanation::new(
                    "memory is nearly exhausted",
                    format!(
                        "the free heap went as low as {heap_min} bytes; TLS may fail or the board may reset"
                    ),
                    "use an EC P-256 certificate (smaller handshake) or reduce the TLS buffers",
                )),
            ),
            Event::Mem { .. } => (Level::Debug, None),
            Event::Retry { .. } => (Level::Warn, None),
        };
        let d = Decoded {
            text: line.to_string(),
            level,
            source: Source::Event,
            event: Some(Box::new(ev)),
            explanation,
            symbol: None,
        };
        if matches!(
            d.event.as_deref(),
            Some(Event::TlsStart { .. } | Event::DnsOk { .. })
        ) {
            with_endpoint_check(d)
        } else {
            d
        }
    }

    fn tls(&self, code: i32, verify: u32) -> Explanation {
        if code == -0x3000 && verify == u32::MAX {
            // What mbedTLS with a wall-clock hook answers when the hook has no time:
            // verification fails closed with every flag set.
            return Explanation::new(
                "TLS error -0x3000: certificate dates cannot be checked, the board's clock is not set",
                "mbedTLS checks every certificate's dates against the clock; without a time it rejects them all",
                "let the board reach an NTP server (UDP port 123) before TLS: look for time.failed above; open the firewall for NTP or set an NTP server your network allows",
            );
        }
        let mut e = mbedtls(code);
        if verify != 0 {
            let flags: Vec<&'static Meaning> = rules::VERIFY_FLAGS
                .iter()
                .filter(|(bit, _)| verify & bit != 0)
                .map(|(_, m)| m)
                .collect();
            if let Some(first) = flags.first() {
                let names: Vec<&str> = flags.iter().map(|m| m.name).collect();
                e.title = format!("{} ({})", e.title, names.join(", ")).into();
                e.cause = flags
                    .iter()
                    .map(|m| m.cause)
                    .collect::<Vec<_>>()
                    .join("; ")
                    .into();
                e.fix = first.fix.into();
            }
        }
        let clock_flag = verify & (0x01 | 0x200) != 0;
        if clock_flag && !self.time_set {
            e.cause = format!(
                "{}; no time.ok was seen since boot, so the clock was never set",
                e.cause
            )
            .into();
        }
        e
    }

    fn panic(&mut self, line: &str) -> Option<Decoded> {
        let t = line.trim();
        if t.contains("PANIC") && t.starts_with("====") || t.starts_with("Guru Meditation Error") {
            self.in_panic = true;
            let mut d = Decoded::plain(line, Level::Error, Source::Panic);
            d.explanation = Some(Explanation::new(
                "the firmware crashed",
                "a panic or CPU exception; the board restarts",
                "the lines below say where; send them with a bug report",
            ));
            return Some(d);
        }
        if !self.in_panic {
            return None;
        }
        if t.is_empty()
            || t.starts_with("panicked at")
            || t.starts_with("Backtrace")
            || t.starts_with("Exception")
        {
            return Some(self.symbolise_line(line, t));
        }
        if let Some(addr) = parse_addr(t) {
            let mut d = Decoded::plain(line, Level::Error, Source::Panic);
            d.symbol = self.symbols.as_ref().and_then(|s| s.describe(addr));
            return Some(d);
        }
        if t.starts_with("ESP-ROM") || t.starts_with("rst:") || t.starts_with("===") {
            self.in_panic = false;
            return None;
        }
        Some(self.symbolise_line(line, t))
    }

    fn symbolise_line(&self, line: &str, t: &str) -> Decoded {
        let mut d = Decoded::plain(line, Level::Error, Source::Panic);
        // `Exception 'Load access fault' mepc=0x42001234, mtval=0x00000000`
        if let Some(i) = t.find("mepc=")
            && let Some(addr) = parse_addr(&t[i + 5..])
        {
            d.symbol = self.symbols.as_ref().and_then(|s| s.describe(addr));
        }
        d
    }
}

/// `0x42001234` at the start of `s` (optionally followed by `:` or more text).
fn parse_addr(s: &str) -> Option<u64> {
    let hex = s.strip_prefix("0x")?;
    let end = hex
        .find(|c: char| !c.is_ascii_hexdigit())
        .unwrap_or(hex.len());
    if !(6..=8).contains(&end) {
        return None;
    }
    u64::from_str_radix(&hex[..end], 16).ok()
}

/// A legacy (non-ATS) AWS IoT host in the line: `<prefix>.iot.<region>.amazonaws.com`.
fn legacy_aws_host(line: &str) -> Option<&str> {
    line.split(|c: char| c.is_whitespace() || matches!(c, '=' | '"' | ':' | '/'))
        .find(|w| {
            w.contains(".iot.")
                && w.contains(".amazonaws.com")
                && !w.split('.').next().is_some_and(|p| p.ends_with("-ats"))
        })
}

/// Adds the non-ATS endpoint explanation to a line that names one and has none yet.
fn with_endpoint_check(mut d: Decoded) -> Decoded {
    if d.explanation.is_none()
        && let Some(host) = legacy_aws_host(&d.text)
    {
        d.level = d.level.max(Level::Warn);
        d.explanation = Some(Explanation::new(
            "legacy (non-ATS) AWS IoT endpoint",
            format!(
                "{host} is a VeriSign endpoint; AWS no longer supports them and Amazon's root CAs do not verify it"
            ),
            "use the -ats endpoint (AWS IoT console, Settings; or `aws iot describe-endpoint --endpoint-type iot:Data-ATS`)",
        ));
    }
    d
}

fn mqtt_reason(packet: &str, reason: u8) -> Explanation {
    match lookup(rules::MQTT5, reason) {
        Some(m) => Explanation::from_meaning(
            format!("MQTT {packet} reason 0x{reason:02X}: {}", m.name),
            m,
        ),
        None => Explanation::new(
            format!("MQTT {packet} reason 0x{reason:02X}"),
            "the broker refused with a reason code thingflash does not know",
            "look the code up in the MQTT 5 specification, section 2.4",
        ),
    }
}

/// Explain an mbedTLS 3.x error code (negative), splitting high and low parts.
pub fn mbedtls(code: i32) -> Explanation {
    let n = code.unsigned_abs();
    let (high, low) = ((n & 0xFF80) as u16, (n & 0x7F) as u16);
    let hm = lookup(rules::MBEDTLS_HIGH, high);
    let lm = lookup(rules::MBEDTLS_LOW, low);
    let sign = if code < 0 { "-" } else { "" };
    match (hm, lm) {
        (Some(h), Some(l)) => Explanation::new(
            format!("TLS error {sign}0x{n:04X}: {} + {}", h.name, l.name),
            format!("{}; {}", h.cause, l.cause),
            h.fix,
        ),
        (Some(m), None) | (None, Some(m)) => {
            Explanation::from_meaning(format!("TLS error {sign}0x{n:04X}: {}", m.name), m)
        }
        (None, None) => Explanation::new(
            format!("TLS error {sign}0x{n:04X}"),
            "an mbedTLS error thingflash has no explanation for",
            "look it up in mbedTLS 3.6 include/mbedtls/*.h (2.x codes mean different things)",
        ),
    }
}

fn rom(line: &str) -> Option<Decoded> {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix("rst:0x") {
        let name_start = rest.find('(')? + 1;
        let name_end = name_start + rest[name_start..].find(')')?;
        let reason = &rest[name_start..name_end];
        let mut d = Decoded::plain(line, Level::Info, Source::Rom);
        if rest.contains("DOWNLOAD") {
            d.level = Level::Warn;
            d.explanation = Some(Explanation::new(
                "the chip is in download mode",
                "it booted into the ROM loader (BOOT held, or a flashing tool asked for it), so the firmware does not run",
                "press RESET without holding BOOT (thingflash resets the board after flashing)",
            ));
            return Some(d);
        }
        let meaning = rules::RESET_REASONS
            .iter()
            .find(|(key, _)| reason.contains(key))
            .map(|(_, m)| m);
        if let Some(m) = meaning {
            if m.name != "power-on"
                && !m.name.starts_with("USB")
                && m.name != "wake from deep sleep"
            {
                d.level = Level::Warn;
            }
            d.explanation = Some(Explanation::from_meaning(
                format!("reset: {} ({reason})", m.name),
                m,
            ));
        } else {
            d.explanation = Some(Explanation::new(
                format!("reset: {reason}"),
                "the chip was reset",
                "read the lines before the reset",
            ));
        }
        return Some(d);
    }
    if t.starts_with("invalid header: 0x") {
        let mut d = Decoded::plain(line, Level::Error, Source::Rom);
        d.explanation = Some(Explanation::new(
            "no valid firmware in flash",
            "the bootloader found empty flash (0xffffffff) or a damaged image",
            "flash the board with thingflash (a full flash, not credentials-only)",
        ));
        return Some(d);
    }
    if t.starts_with("waiting for download") {
        let mut d = Decoded::plain(line, Level::Warn, Source::Rom);
        d.explanation = Some(Explanation::new(
            "waiting for download",
            "the chip is in download mode and waits for a flashing tool",
            "flash with thingflash, or press RESET without holding BOOT",
        ));
        return Some(d);
    }
    if t.starts_with("ESP-ROM:")
        || t.starts_with("Build:")
        || t.starts_with("SPIWP:")
        || t.starts_with("mode:")
        || t.starts_with("load:0x")
        || t.starts_with("entry 0x")
    {
        return Some(Decoded::plain(line, Level::Debug, Source::Rom));
    }
    None
}

/// The signed hex or decimal number after `marker`, e.g. `returned -0x2700`.
fn number_after(line: &str, marker: &str) -> Option<i64> {
    let rest = line[line.find(marker)? + marker.len()..].trim_start();
    let (neg, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let value = if let Some(hex) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        let end = hex
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(hex.len());
        i64::from_str_radix(&hex[..end], 16).ok()?
    } else {
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        rest[..end].parse().ok()?
    };
    Some(if neg { -value } else { value })
}

fn esp_idf(line: &str) -> Option<Decoded> {
    if !line.contains("tls") {
        return None;
    }
    let level = match line.as_bytes() {
        [b'E', b' ', b'(', ..] => Level::Error,
        [b'W', b' ', b'(', ..] => Level::Warn,
        _ => Level::Info,
    };
    // mbedtls-rs: `MbedtlsError(-9984 / 0x2700)`
    if let Some(code) = number_after(line, "MbedtlsError(") {
        let mut d = Decoded::plain(line, Level::Error, Source::EspIdf);
        d.explanation = Some(mbedtls(i32::try_from(code).ok()?));
        return Some(d);
    }
    if line.contains("mbedtls_") && line.contains("returned") {
        let code = number_after(line, "returned")?;
        let mut d = Decoded::plain(line, Level::Error, Source::EspIdf);
        d.explanation = Some(mbedtls(i32::try_from(code).ok()?));
        return Some(d);
    }
    if line.contains("Failed to verify peer certificate") {
        let mut d = Decoded::plain(line, Level::Error, Source::EspIdf);
        d.explanation = Some(Explanation::new(
            "the server's certificate did not verify",
            "the root CA on the board does not match the server, the endpoint is not an -ats one, or the clock is not set",
            "use Amazon Root CA 1 with the -ats endpoint and set the clock (SNTP) before connecting",
        ));
        return Some(d);
    }
    if line.contains("esp-tls") && line.contains("Failed to open new connection") {
        let mut d = Decoded::plain(line, Level::Error, Source::EspIdf);
        d.explanation = Some(Explanation::new(
            "the TLS connection could not be opened",
            "esp-tls gave up on this connection attempt",
            "the error just above says why (DNS, TCP, or a TLS code)",
        ));
        return Some(d);
    }
    if line.contains("verification info:") || line.contains("esp-tls") {
        let mut d = Decoded::plain(line, level, Source::EspIdf);
        if line.contains("validity starts in the future") {
            d.explanation = Some(Explanation::from_meaning(
                "certificate not valid yet",
                lookup(rules::VERIFY_FLAGS, 0x200)?,
            ));
        } else if line.contains("validity has expired") {
            d.explanation = Some(Explanation::from_meaning(
                "certificate expired",
                lookup(rules::VERIFY_FLAGS, 0x01)?,
            ));
        } else if line.contains("not correctly signed by the trusted CA") {
            d.explanation = Some(Explanation::from_meaning(
                "untrusted server certificate",
                lookup(rules::VERIFY_FLAGS, 0x08)?,
            ));
        } else if line.contains("Common Name (CN) does not match") {
            d.explanation = Some(Explanation::from_meaning(
                "wrong host name",
                lookup(rules::VERIFY_FLAGS, 0x04)?,
            ));
        }
        return Some(d);
    }
    None
}

/// Exact texts of ESP8266 Arduino's `getLastSSLError` for the BearSSL codes whose numbers
/// collide with TLS alert numbers, so that the fatal-alert quirk can be undone.
const BEARSSL_TEXT: &[(i32, &str)] = &[
    (0, "OK"),
    (
        -1000,
        "Unable to allocate memory for SSL structures and buffers.",
    ),
    (
        29,
        "Client did not send a certificate upon request, or the client certificate could not be validated.",
    ),
    (31, "I/O error or premature close on transport stream."),
    (33, "Invalid value in an ASN.1 structure."),
    (34, "Truncated certificate or other ASN.1 object."),
    (40, "Decoding error: extraneous element."),
    (41, "Decoding error: unexpected element."),
    (
        42,
        "Decoding error: expected constructed element, but is primitive.",
    ),
    (
        43,
        "Decoding error: expected primitive element, but is constructed.",
    ),
    (
        44,
        "Decoding error: BIT STRING length is not multiple of 8.",
    ),
    (45, "Decoding error: BOOLEAN value has invalid length."),
    (46, "Decoding error: value is off-limits."),
    (47, "Invalid distinguished name."),
    (48, "Invalid date/time representation."),
    (
        49,
        "Certificate contains unsupported features that cannot be ignored.",
    ),
    (50, "Key or signature size exceeds internal limits."),
    (51, "Key type does not match that which was expected."),
    (53, "Validation time is unknown."),
    (54, "Certificate is expired or not yet valid."),
    (55, "Issuer/Subject DN mismatch in the chain."),
    (56, "Expected server name was not found in the chain."),
    (58, "Not a CA, or path length constraint violation."),
    (60, "Public key found in certificate is too small."),
    (62, "Chain could not be linked to a trust anchor."),
    (
        16,
        "Server wants to use a cipher suite that we did not claim to support. This is also reported if we tried to advertise a cipher suite that we do not support.",
    ),
    (
        26,
        "Unsupported or invalid algorithm (ECDHE curve, signature algorithm, hash function).",
    ),
];

fn arduino(line: &str) -> Option<Decoded> {
    const RECV: &str = "SSL received fatal alert - ";
    const SENT: &str = "SSL sent fatal alert - ";
    let has_ssl = line.contains("SSL") || line.contains("ssl");
    if has_ssl && let Some(i) = line.find(RECV).or_else(|| line.find(SENT)) {
        let received = line[i..].starts_with(RECV);
        let text = line[i + if received { RECV.len() } else { SENT.len() }..].trim();
        // BearSSL looked the alert number up as if it were an error code: undo that.
        let alert = BEARSSL_TEXT
            .iter()
            .find(|(_, t)| text.starts_with(t))
            .map(|(n, _)| *n);
        let mut d = Decoded::plain(line, Level::Error, Source::Arduino);
        d.explanation = Some(match alert.and_then(|n| u8::try_from(n).ok()) {
            Some(n) => match lookup(rules::TLS_ALERTS, n) {
                Some(m) => Explanation::from_meaning(
                    format!(
                        "TLS alert {n} ({}) {} (BearSSL printed the wrong text for it)",
                        m.name,
                        if received {
                            "from the server"
                        } else {
                            "sent to the server"
                        }
                    ),
                    m,
                ),
                None => Explanation::new(
                    format!("TLS alert {n}"),
                    "the TLS peer sent an alert",
                    "check certificates and endpoint",
                ),
            },
            None => Explanation::new(
                "fatal TLS alert",
                "the TLS peer ended the handshake",
                "check certificates and endpoint",
            ),
        });
        return Some(d);
    }
    // Every BearSSL text is a sentence ending in '.'; most log lines are not.
    let sentence = line.trim_end().ends_with('.');
    if sentence
        && let Some((n, _)) = BEARSSL_TEXT
            .iter()
            .find(|(n, t)| *n != 0 && line.contains(t))
    {
        let m = lookup(rules::BEARSSL, *n)?;
        let mut d = Decoded::plain(line, Level::Error, Source::Arduino);
        d.explanation = Some(Explanation::from_meaning(
            format!("BearSSL error {n}: {}", m.name),
            m,
        ));
        return Some(d);
    }
    let lower_has = |needle: &str| line.to_ascii_lowercase().contains(needle);
    if line.contains("rc=") && (lower_has("fail") || lower_has("mqtt") || lower_has("connect")) {
        let rc = number_after(line, "rc=")?;
        let m = lookup(rules::PUBSUB, i32::try_from(rc).ok()?)?;
        let mut d = Decoded::plain(line, Level::Error, Source::Arduino);
        d.explanation = Some(Explanation::from_meaning(
            format!("PubSubClient state {rc}: {}", m.name),
            m,
        ));
        return Some(d);
    }
    if has_ssl && lower_has("ssl error") {
        // `SSL error: 62` or `Last SSL error code: -1000`
        let code = line
            .rsplit([' ', ':', '='])
            .find_map(|w| w.trim().parse::<i32>().ok())?;
        let m = lookup(rules::BEARSSL, code)?;
        let mut d = Decoded::plain(line, Level::Error, Source::Arduino);
        d.explanation = Some(Explanation::from_meaning(
            format!("BearSSL error {code}: {}", m.name),
            m,
        ));
        return Some(d);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn explain(line: &str) -> Explanation {
        Decoder::new()
            .decode(line)
            .explanation
            .unwrap_or_else(|| panic!("no explanation for {line}"))
    }

    #[test]
    fn mbedtls_codes_split_high_and_low() {
        let e = mbedtls(-0x2562);
        assert!(e.title.contains("0x2562"), "{e:?}");
        let e = mbedtls(-0x7880);
        assert!(e.fix.contains("iot:Connect"));
        let e = mbedtls(-0x4C);
        assert!(e.title.contains("NET_RECV_FAILED"));
    }

    #[test]
    fn clock_never_set_is_said_so() {
        let e = explain("[tf1] tls.failed code=-0x2700 verify=0x00000200 detail=x");
        assert!(e.cause.contains("clock was never set"), "{e:?}");
        let mut d = Decoder::new();
        d.decode("[tf1] time.ok utc=2026-11-24T11:00:00Z server=pool.ntp.org ms=40");
        let e = d
            .decode("[tf1] tls.failed code=-0x2700 verify=0x00000001 detail=x")
            .explanation
            .unwrap();
        assert!(!e.cause.contains("never set"));
    }

    #[test]
    fn bearssl_fatal_alert_quirk_is_undone() {
        let e = explain("SSL received fatal alert - Decoding error: extraneous element.");
        assert!(
            e.title.contains("TLS alert 40 (handshake_failure)"),
            "{e:?}"
        );
    }

    #[test]
    fn rom_and_idf_and_pubsub() {
        assert!(
            explain("rst:0xf (BROWN_OUT_RST),boot:0xc (SPI_FAST_FLASH_BOOT)")
                .cause
                .contains("voltage")
        );
        assert!(
            explain("rst:0x1 (POWERON),boot:0x0 (DOWNLOAD(USB/UART0/1))")
                .title
                .contains("download")
        );
        assert!(
            explain("E (5210) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x2700")
                .title
                .contains("X509_CERT_VERIFY_FAILED")
        );
        assert!(
            explain("Attempting MQTT connection...failed, rc=-2 try again in 5 seconds")
                .title
                .contains("MQTT_CONNECT_FAILED")
        );
        assert!(
            explain("Error: MbedtlsError(-9984 / 0x2700)")
                .title
                .contains("-0x2700")
        );
    }

    #[test]
    fn plain_lines_have_no_explanation() {
        let d = Decoder::new().decode("hello world");
        assert_eq!(
            (d.level, d.source, d.explanation),
            (Level::Info, Source::Plain, None)
        );
    }
}
