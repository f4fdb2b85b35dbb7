//! Turning one serial line into something a maker can read: its level, the thingflash
//! event it carries, and an explanation (cause + fix) when it reports a problem.
//! Recognises thingflash event lines, ESP32 ROM boot output, panics and backtraces,
//! ESP-IDF `esp-tls` and mbedtls-rs errors, Arduino ESP8266 BearSSL and PubSubClient
//! output. A few rules need context (what happened earlier since boot); the
//! [`Decoder`] keeps that.

use std::borrow::Cow;

use serde::Serialize;
use thingflash_protocol::event::{CredsProblem, Event, KeyProblem};

pub use super::explanation::{Explanation, ExplanationText, Level, Source};

use super::codeless;
use super::context::{self, Broker};
use super::families;
use super::symbols::Symbolizer;

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
    /// The broker the decoder knew of when it read the line (its advice fits it).
    #[serde(skip)]
    pub broker: Broker,
}

impl Decoded {
    /// A decoded line whose text the caller fills in ([`Decoder::decode`] does, once, so
    /// that an owned line is moved rather than copied).
    fn plain(level: Level, source: Source) -> Self {
        Self {
            text: String::new(),
            level,
            source,
            event: None,
            explanation: None,
            symbol: None,
            broker: Broker::Unknown,
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
    embedded: Option<crate::chip::Chip>,
    /// The ESP-IDF log tag of the last line a table explained, so the rest of its
    /// multi-line report is shown as detail.
    explained_tag: Option<String>,
    /// The broker the board talks to: from the endpoint the user gave, else from the
    /// hosts and ports the log shows.
    broker: Broker,
    /// `broker` came from the user, not from the log.
    broker_given: bool,
    /// What the log has shown that decides a failure's likely causes.
    seen: codeless::Seen,
    /// The board is connected with a claim certificate, provisioning itself.
    claiming: bool,
    /// The last thingflash event since the board booted thingflash's firmware: where it
    /// stopped, when its own watchdog resets it.
    last_event: Option<&'static str>,
}

/// Where thingflash's firmware was when its watchdog fired, from the last event it printed.
fn stopped_after(event: &str) -> &'static str {
    match event.split('.').next().unwrap_or_default() {
        "boot" | "creds" | "key" | "csr" => {
            "before WiFi was up: the radio did not start (in an emulator, which has no radio, the firmware stops here)"
        }
        "wifi" => "while joining the WiFi network",
        "time" => "while setting the clock by SNTP",
        "dns" | "tls" => "in the TLS handshake",
        "mqtt" | "mem" => "in the MQTT session",
        "claim" => "while provisioning itself by claim",
        _ => "after that event",
    }
}

/// The tag of an ESP-IDF log line: `task_wdt` in `E (25312) task_wdt: ...`.
fn idf_tag(t: &str) -> Option<&str> {
    let b = t.as_bytes();
    if b.len() < 5
        || !matches!(b[0], b'E' | b'W' | b'I' | b'D' | b'V')
        || b[1] != b' '
        || b[2] != b'('
    {
        return None;
    }
    let rest = &t[families::find(t, ") ")? + 2..];
    Some(&rest[..memchr::memchr(b':', rest.as_bytes())?])
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

    /// The same decoder, told which endpoint the board connects to (as the user typed
    /// it): the advice fits that broker whatever the log shows.
    pub fn with_endpoint(mut self, endpoint: &str) -> Self {
        self.broker = Broker::of_endpoint(endpoint);
        self.broker_given = self.broker != Broker::Unknown;
        self
    }

    /// The same decoder, told which chip family the board is (the window's target): a
    /// failure's advice names that family's debug switches before the log shows it.
    pub fn with_family(mut self, family: crate::chip::Family) -> Self {
        match family {
            crate::chip::Family::Esp8266 => self.seen.esp8266 = true,
            crate::chip::Family::Esp32 => self.seen.esp32 = true,
        }
        self
    }

    /// The broker the decoder's advice fits now.
    pub fn broker(&self) -> Broker {
        self.broker
    }

    /// After a boot event: when the board runs the firmware thingflash embeds (same ELF
    /// digest), symbolise its backtraces with that ELF; forget embedded symbols when it
    /// runs something else. Symbols the user gave are never replaced.
    fn pick_embedded_symbols(&mut self, chip: &str, elf: Option<&str>) {
        if self.symbols.is_some() && self.embedded.is_none() {
            return;
        }
        let matching = elf.and_then(|id| crate::firmware::chip_of(chip, id));
        if matching == self.embedded {
            return;
        }
        self.embedded = None;
        self.symbols = None;
        if let Some(c) = matching
            && let Some(elf) = crate::firmware::elf(c)
            && let Ok(s) = Symbolizer::from_bytes(elf)
        {
            self.symbols = Some(s);
            self.embedded = Some(c);
        }
    }

    /// Whether backtraces are being symbolised (with the user's ELF or the embedded one).
    pub fn has_symbols(&self) -> bool {
        self.symbols.is_some()
    }

    /// Decode one line (without its line ending), as received or as pasted: ANSI
    /// colours, quote marks, line numbers and terminal timestamps are looked past.
    pub fn decode(&mut self, line: &str) -> Decoded {
        let mut d = self.decode_text(line);
        d.text = line.to_string();
        d
    }

    /// [`Self::decode`] for a line the caller owns: the line is moved into the result.
    pub fn decode_owned(&mut self, line: String) -> Decoded {
        let mut d = self.decode_text(&line);
        d.text = line;
        d
    }

    fn decode_text(&mut self, line: &str) -> Decoded {
        let clean = families::clean(line);
        let mut d = self.decode_clean(line, &clean);
        d.broker = self.broker;
        if let Some(e) = &mut d.explanation {
            // A TLS failure on the plain MQTT port is that, whatever the code says.
            let tls = ["mbedtls", "bearssl", "axtls", "esp-tls", "arduino-ssl"]
                .iter()
                .any(|r| e.rule.starts_with(r))
                || matches!(d.event.as_deref(), Some(Event::TlsFailed { .. }));
            if tls && self.seen.plain_port {
                e.cause = format!("{}; otherwise: {}", codeless::PLAIN_PORT_CAUSE, e.cause).into();
                e.fix = format!("{}; otherwise: {}", codeless::PLAIN_PORT_FIX, e.fix).into();
            }
            context::adapt(e, self.broker);
        }
        if let Some(e) = &mut d.explanation
            && e.rule.is_empty()
        {
            e.rule = Cow::Borrowed(match d.source {
                Source::Event => "thingflash-event",
                Source::Rom => "esp32-rom",
                Source::Panic => "panic",
                Source::EspIdf => "esp-idf",
                Source::Arduino => "arduino",
                Source::Plain => "plain",
            });
        }
        d
    }

    fn decode_clean(&mut self, line: &str, t: &str) -> Decoded {
        use families::words::{ALERT, AWS_HOST, EVENT, FAIL, OTHER_HOST, TLS};
        // One pass finds every word any rule looks for; most lines hold none.
        let w = families::scan(t);
        self.seen.learn(t, &w);
        if !self.broker_given
            && w.has(AWS_HOST | OTHER_HOST)
            && let Some(b) = Broker::of_line(t)
        {
            self.broker = b;
        }
        if w.has(EVENT) {
            match Event::parse(t) {
                Ok(ev) => return self.event(line, ev.into_owned()),
                Err(thingflash_protocol::event::EventError::Version(v)) => {
                    let mut d = Decoded::plain(Level::Warn, Source::Event);
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
        if let Some(d) = self.panic(t) {
            return d;
        }
        if let Some(mut d) = rom(t) {
            // A reset starts the board without a clock; other ROM lines change nothing.
            let t = t.trim_start();
            if t.starts_with("rst:") || t.contains("rst cause:") {
                self.time_set = false;
                self.in_panic = false;
                if let Some(last) = self.last_event.take()
                    && let Some(e) = &mut d.explanation
                    && families::rom_reset_number(t) == Some(TG1WDT_SYS_RST)
                {
                    // thingflash's firmware runs its own watchdog on timer group 1: this
                    // reset is that one, not ESP-IDF's interrupt watchdog.
                    *e = Explanation::new(
                        "reset by thingflash's own watchdog (timer group 1, 60 s)",
                        format!(
                            "thingflash's firmware feeds a 60 s watchdog from its own task every 5 s; the chip was reset because its executor ran no task for a minute. The last event before it was `{last}`: it stopped {}",
                            stopped_after(last)
                        ),
                        "read the lines around that event; if it repeats at the same place, report it with this log and the board (the firmware's ELF names the functions of a backtrace)",
                    )
                    .with_rule("thingflash-watchdog");
                }
            }
            return d;
        }
        if let Some(f) = families::recognise_scanned(t.trim_start(), &w) {
            self.explained_tag = idf_tag(t).map(str::to_string);
            if f.source == Source::Panic && f.level == Level::Error {
                // The lines that open an ESP8266 crash report: what follows (registers,
                // the stack dump) belongs to it.
                self.in_panic = self.in_panic
                    || matches!(
                        f.explanation.rule.as_ref(),
                        "esp8266-exception"
                            | "esp8266-cut-here"
                            | "esp8266-user-exception"
                            | "esp8266-soft-wdt"
                            | "esp8266-stack-dump"
                    );
            }
            let mut d = Decoded::plain(f.level, f.source);
            if f.source == Source::Panic {
                // `Fatal exception:28 ... epc1:0x40201a3c` after a reboot, `Stack
                // smashing detected at 0x...`: where it happened, when the ELF knows it.
                d.symbol = self.describe_code(t);
            }
            d.explanation = Some(f.explanation);
            return with_endpoint_check(d, line);
        }
        // The rest of a multi-line ESP-IDF report (`E (25312) task_wdt:  - IDLE0 (CPU 0)`)
        // after its first line was explained: detail of that report, not a new error.
        if self.explained_tag.is_some()
            && let Some(tag) = idf_tag(t)
            && self.explained_tag.as_deref() == Some(tag)
        {
            return Decoded::plain(Level::Info, Source::EspIdf);
        }
        self.explained_tag = None;
        if w.has(TLS)
            && let Some(d) = esp_idf(t)
        {
            return with_endpoint_check(d, line);
        }
        if w.has(ALERT)
            && let Some(d) = arduino(t)
        {
            return d;
        }
        // The transcribed libraries' tables, after the rules written for their families.
        if let Some(f) = families::transcribed_line(t.trim_start(), &w) {
            let mut d = Decoded::plain(f.level, f.source);
            d.explanation = Some(f.explanation);
            return with_endpoint_check(d, line);
        }
        if w.has(FAIL) && codeless::is_codeless_failure(&t.to_ascii_lowercase()) {
            let mut d = Decoded::plain(Level::Error, Source::Plain);
            d.explanation = Some(codeless::explain(self.seen, self.broker));
            return d;
        }
        let level = match t.as_bytes() {
            [b'E', b' ', b'(', ..] => Level::Error,
            [b'W', b' ', b'(', ..] => Level::Warn,
            [b'D' | b'V', b' ', b'(', ..] => Level::Debug,
            _ => Level::Info,
        };
        let d = Decoded::plain(level, Source::Plain);
        if w.has(AWS_HOST) {
            with_endpoint_check(d, line)
        } else {
            d
        }
    }

    fn event(&mut self, line: &str, ev: Event<'static>) -> Decoded {
        if self.last_event.is_some() {
            self.last_event = Some(ev.name());
        }
        let (level, explanation) = match &ev {
            Event::Boot { chip, elf, .. } => {
                self.time_set = false;
                self.claiming = false;
                self.last_event = Some("boot");
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
                    CredsProblem::Mismatch => (
                        "the board held the certificate's public key against the key it made, and they differ: a certificate made for another board, or from a request this board did not print",
                        "provision the board again with thingflash: it reads the board's own request (csr.ready) and writes the certificate AWS makes from it",
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
            Event::KeyNew { .. } => (Level::Success, None),
            Event::ClaimStart { .. } => {
                self.claiming = true;
                (Level::Info, None)
            }
            Event::ClaimCert { .. } => (Level::Success, None),
            Event::ClaimDone { .. } => {
                self.claiming = false;
                (Level::Success, None)
            }
            Event::ClaimRejected {
                step,
                status,
                code,
                message,
            } => (
                Level::Error,
                Some(match super::tables::fleet::rejection(*status, code) {
                    Some(e) => {
                        let mut x = Explanation::entry(
                            "fleet-provisioning",
                            format!(
                                "AWS refused the board's {} request: {status} {code}",
                                step.as_str()
                            ),
                            e,
                        );
                        if !message.is_empty() {
                            x.cause = format!("{} (AWS said: {message})", x.cause).into();
                        }
                        x
                    }
                    None => Explanation::new(
                        format!(
                            "AWS refused the board's {} request: {status} {code}",
                            step.as_str()
                        ),
                        format!("AWS IoT answered on the rejected topic: {message}"),
                        "the message says why; the board retries with backoff",
                    ),
                }),
            ),
            Event::ClaimFailed { step, detail } => (
                Level::Error,
                Some(match step {
                    thingflash_protocol::event::ClaimStep::Store => Explanation::new(
                        "the board could not store the certificate it claimed",
                        format!(
                            "writing its credentials partition failed ({detail}); it keeps its claim and asks again after a reset"
                        ),
                        "reset the board on a steady power supply; if it repeats, flash it again at a station",
                    ),
                    _ => Explanation::new(
                        format!("the board's {} request got no usable answer", step.as_str()),
                        format!(
                            "{detail}: AWS answers only on topics the connection could subscribe to, so a claim policy without Subscribe and Receive on the answer topics looks like silence"
                        ),
                        "let the claim policy allow iot:Subscribe on topicfilter/$aws/certificates/create-from-csr/* and $aws/provisioning-templates/<template>/provision/*, and iot:Receive and iot:Publish on the same topics (thingflash fleet setup-aws writes it so)",
                    ),
                }),
            ),
            Event::KeyError { reason, detail } => {
                let (cause, fix): (&str, &str) = match reason {
                    KeyProblem::NoPartition => (
                        "the partition table is older than keys made on the board, and the credentials hold no key",
                        "flash thingflash's firmware again (a full flash writes the current partition table), then provision the board",
                    ),
                    KeyProblem::Damaged => (
                        "the board's own key record is damaged; the firmware makes no second key by itself, because the certificate AWS holds is for the first",
                        "to start over with a new key: thingflash flash --new-key (it erases the key), provision the board again, and revoke its old certificate in AWS IoT",
                    ),
                    KeyProblem::Write => (
                        "the board could not make or store its key (the random source did not start, or the flash write did not read back)",
                        "reset the board on a steady power supply; if it repeats, erase the flash (esptool erase-flash) and flash again",
                    ),
                };
                (
                    Level::Error,
                    Some(Explanation::new(
                        format!("board key problem: {}", reason.as_str()),
                        format!("{cause} ({detail})"),
                        fix,
                    )),
                )
            }
            Event::CsrReady { cn, .. } => (
                Level::Info,
                Some(Explanation::new(
                    "the board holds its own key and waits for a certificate",
                    format!(
                        "it made its key on the chip and prints a certificate request for {cn} every few seconds; the key never leaves the board"
                    ),
                    "let thingflash provision it (the window's Flash with the key made on the board, thingflash flash --thing NAME, or a fleet run): it gets the certificate from AWS IoT and writes it",
                )),
            ),
            Event::WifiConnecting { .. }
            | Event::TimeSyncing { .. }
            | Event::TlsStart { .. }
            | Event::MqttConnecting { .. } => (Level::Info, None),
            Event::WifiConnected { .. } | Event::DnsOk { .. } | Event::TlsOk { .. } => {
                (Level::Success, None)
            }
            Event::WifiFailed { reason, .. } | Event::WifiDisconnected { reason } => {
                (Level::Error, Some(families::wifi_reason(*reason)))
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
            Event::MqttPuback { reason, .. } if *reason >= 0x80 => {
                (Level::Error, Some(mqtt_reason("PUBACK", *reason)))
            }
            Event::MqttSubscribed { .. }
            | Event::MqttPuback { .. }
            | Event::MqttPublished { .. }
            | Event::MqttMessage { .. } => (Level::Success, None),
            Event::MqttClosed {
                before_connack: true,
                ..
            } if self.claiming => (
                Level::Error,
                Some(Explanation::new(
                    "the claim certificate was refused",
                    "TLS succeeded with the batch's claim certificate, then AWS IoT hung up before CONNACK: the claim certificate is revoked (thingflash fleet close), inactive, or its policy does not allow iot:Connect",
                    "a board in the field needs a claim certificate that is ACTIVE with the claim policy: make a new batch's (thingflash fleet setup-aws) and flash it, or provision the board at a station with your AWS credentials",
                )),
            ),
            Event::MqttClosed {
                before_connack: true,
                ..
            } => (
                Level::Error,
                Some(if self.broker == Broker::Other {
                    Explanation::new(
                        "connection dropped after TLS, before MQTT CONNACK",
                        context::OTHER_CAUSE,
                        context::OTHER_FIX,
                    )
                } else {
                    Explanation::new(POLICY_TITLE, POLICY_CAUSE, POLICY_FIX)
                }),
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
            text: String::new(),
            level,
            source: Source::Event,
            event: Some(Box::new(ev)),
            explanation,
            symbol: None,
            broker: Broker::Unknown,
        };
        if matches!(
            d.event.as_deref(),
            Some(Event::TlsStart { .. } | Event::DnsOk { .. })
        ) {
            with_endpoint_check(d, line)
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
            let flags = families::verify_flags(verify);
            if let Some((_, _, first)) = flags.first() {
                let names: Vec<&str> = flags.iter().map(|(_, _, m)| m.name).collect();
                e.title = format!("{} ({})", e.title, names.join(", ")).into();
                e.cause = flags
                    .iter()
                    .map(|(_, _, m)| m.cause)
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

    fn panic(&mut self, t: &str) -> Option<Decoded> {
        let t = t.trim();
        if t.starts_with("====") && families::has(t, "PANIC")
            || t.starts_with("Guru Meditation Error")
        {
            self.in_panic = true;
            let mut d = Decoded::plain(Level::Error, Source::Panic);
            d.explanation = Some(
                families::panic_cause(t)
                    .or_else(|| families::recognise(t).map(|f| f.explanation))
                    .unwrap_or_else(|| {
                        Explanation::new(
                            "the firmware crashed",
                            "a panic or CPU exception; the board restarts",
                            "the lines below say where; send them with a bug report",
                        )
                        .with_rule("panic")
                    }),
            );
            return Some(d);
        }
        if !self.in_panic {
            return None;
        }
        // `Exception 'Load access fault' mepc=...` (RISC-V); the ESP8266's `Exception (28):`
        // is a table line, explained below.
        if t.is_empty()
            || t.starts_with("panicked at")
            || t.starts_with("Backtrace")
            || (t.starts_with("Exception") && !t.starts_with("Exception ("))
        {
            return Some(self.symbolise_line(t));
        }
        if let Some(addr) = parse_addr(t) {
            let mut d = Decoded::plain(Level::Error, Source::Panic);
            d.symbol = self.symbols.as_ref().and_then(|s| s.describe(addr));
            return Some(d);
        }
        if t.starts_with("ESP-ROM")
            || t.starts_with("rst:")
            || t.starts_with("===")
            || t.contains("rst cause:")
            || t.starts_with("ets ")
        {
            self.in_panic = false;
            return None;
        }
        // Register dumps and the ESP8266's own lines inside a crash: the address near
        // zero, the stack frame markers.
        if let Some(f) = families::recognise(t) {
            let mut d = Decoded::plain(f.level.max(Level::Warn), Source::Panic);
            d.explanation = Some(f.explanation);
            d.symbol = self.describe_code(t);
            return Some(d);
        }
        Some(self.symbolise_line(t))
    }

    fn symbolise_line(&self, t: &str) -> Decoded {
        let mut d = Decoded::plain(Level::Error, Source::Panic);
        // `Exception 'Load access fault' mepc=0x42001234, mtval=0x00000000`
        if let Some(i) = t.find("mepc=")
            && let Some(addr) = parse_addr(&t[i + 5..])
        {
            d.symbol = self.symbols.as_ref().and_then(|s| s.describe(addr));
        } else {
            // An ESP8266 stack line (`3fffff70:  3fffdad0 00000000 3ffee75c 40203f19`),
            // `epc1=0x40201a3c ...`, `last failed alloc call: 40201A3C(1024)`.
            d.symbol = self.describe_code(t);
        }
        d
    }

    /// The code addresses in a crash line that the ELF knows, named: one alone, or each
    /// after its address when the line has several (a stack line holds four words).
    fn describe_code(&self, t: &str) -> Option<String> {
        let symbols = self.symbols.as_ref()?;
        let mut named: Vec<(u64, String)> = Vec::new();
        for addr in code_words(t) {
            if named.iter().any(|(a, _)| *a == addr) {
                continue;
            }
            if let Some(what) = symbols.describe(addr) {
                named.push((addr, what));
            }
        }
        match named.len() {
            0 => None,
            1 if code_words(t).count() == 1 => named.pop().map(|(_, what)| what),
            _ => Some(
                named
                    .iter()
                    .map(|(a, what)| format!("{a:#010x}: {what}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        }
    }
}

/// Words of exactly eight hex digits (with or without `0x`) that lie where ESP chips map
/// code: 0x40000000..0x43000000 (the ESP8266's IRAM at 0x4010...., its flash-mapped
/// sketch at 0x4020...., the ESP32 family's IRAM and flash windows). Stack positions
/// (0x3fff....) and data words fall outside; an address the ELF does not hold is
/// dropped by the caller.
fn code_words(t: &str) -> impl Iterator<Item = u64> + '_ {
    t.split(|c: char| !c.is_ascii_hexdigit() && c != 'x' && c != 'X')
        .filter_map(|w| {
            let hex = w
                .strip_prefix("0x")
                .or_else(|| w.strip_prefix("0X"))
                .unwrap_or(w);
            (hex.len() == 8)
                .then(|| u64::from_str_radix(hex, 16).ok())
                .flatten()
        })
        .filter(|a| (0x4000_0000..0x4300_0000).contains(a))
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
fn with_endpoint_check(mut d: Decoded, line: &str) -> Decoded {
    if d.explanation.is_none()
        && families::has(line, ".amazonaws.com")
        && let Some(host) = legacy_aws_host(line)
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
    families::mqtt5_reason(packet, reason)
}

/// Explain an mbedTLS error code (negative), splitting high and low parts.
pub fn mbedtls(code: i32) -> Explanation {
    families::mbedtls(i64::from(code))
}

/// The reset reason a watchdog of timer group 1 gives on the ESP32-C3 and C6, the chips
/// thingflash's firmware runs on (their ROMs' `rst:0x8`).
const TG1WDT_SYS_RST: u8 = 0x8;

fn rom(t: &str) -> Option<Decoded> {
    let t = t.trim_start();
    if t.starts_with("rst:0x") {
        let f = families::esp32_rom_reset(t)?;
        let mut d = Decoded::plain(f.level, f.source);
        d.explanation = Some(f.explanation);
        return Some(d);
    }
    if t.starts_with("ESP-ROM:")
        || t.starts_with("Build:")
        || t.starts_with("SPIWP:")
        || t.starts_with("mode:")
        // A segment of 0xFF (`load:0xffffffff,len:-1`) is not a plain load: its table line
        // explains it.
        || t.starts_with("load:0x") && !t.starts_with("load:0xffffffff")
        || t.starts_with("entry 0x")
    {
        return Some(Decoded::plain(Level::Debug, Source::Rom));
    }
    None
}

/// esp-tls lines the tables do not cover: `line` as received, `t` cleaned.
fn esp_idf(t: &str) -> Option<Decoded> {
    let level = match t.as_bytes() {
        [b'E', b' ', b'(', ..] => Level::Error,
        [b'W', b' ', b'(', ..] => Level::Warn,
        _ => Level::Info,
    };
    if t.contains("Failed to verify peer certificate") {
        let mut d = Decoded::plain(Level::Error, Source::EspIdf);
        d.explanation = Some(Explanation::new(
            "the server's certificate did not verify",
            "the root CA on the board does not match the server, the endpoint is not an -ats one, or the clock is not set",
            "use Amazon Root CA 1 with the -ats endpoint and set the clock (SNTP) before connecting",
        ));
        return Some(d);
    }
    if t.contains("esp-tls") && t.contains("Failed to open new connection") {
        let mut d = Decoded::plain(Level::Error, Source::EspIdf);
        d.explanation = Some(Explanation::new(
            "the TLS connection could not be opened",
            "esp-tls gave up on this connection attempt",
            "the error just above says why (DNS, TCP, or a TLS code)",
        ));
        return Some(d);
    }
    if t.contains("verification info:") || t.contains("esp-tls") {
        // esp-tls's other lines, from its transcribed table; the rest are detail.
        if let Some(f) = families::transcribed_line(t.trim_start(), &families::scan(t)) {
            let mut d = Decoded::plain(f.level, Source::EspIdf);
            d.explanation = Some(f.explanation);
            return Some(d);
        }
        return Some(Decoded::plain(level, Source::EspIdf));
    }
    None
}

/// BearSSL's fatal-alert quirk on the ESP8266: `getLastSSLError` looks the alert number up
/// as if it were an error code and prints that code's text. Undo it to name the alert.
fn arduino(t: &str) -> Option<Decoded> {
    use super::tables::bearssl::{
        BEARSSL_RECV_ALERT_PREFIX as RECV, BEARSSL_SENT_ALERT_PREFIX as SENT, BEARSSL_TEXTS,
        TLS_ALERTS,
    };
    let i = t.find(RECV).or_else(|| t.find(SENT))?;
    let received = t[i..].starts_with(RECV);
    let text = t[i + if received { RECV.len() } else { SENT.len() }..].trim();
    let alert = BEARSSL_TEXTS
        .iter()
        .filter(|(n, txt)| *n >= 0 && !txt.is_empty() && text.starts_with(txt))
        .max_by_key(|(_, txt)| txt.len())
        .and_then(|(n, _)| u8::try_from(*n).ok());
    let dir = if received {
        "from the server"
    } else {
        "sent to the server"
    };
    let mut d = Decoded::plain(Level::Error, Source::Arduino);
    d.explanation = Some(
        match alert.and_then(|n| TLS_ALERTS.iter().find(|(a, _)| *a == n)) {
            Some((n, entry)) => Explanation::entry(
                "bearssl-alert-text",
                format!(
                    "TLS alert {n} ({}) {dir} (BearSSL printed the wrong text for it)",
                    entry.name
                ),
                entry,
            ),
            None => Explanation::new(
                format!("fatal TLS alert {dir}"),
                "the TLS peer ended the handshake; this core prints no number for the alert",
                "print the number too (client.getLastSSLError() returns it: 256 + the alert received) and check the certificate, key and endpoint",
            )
            .with_rule("bearssl-alert-text"),
        },
    );
    Some(d)
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
        // The C3 ROM's name, the ESP32's, and a respelling of them.
        for line in [
            "rst:0xf (BROWNOUT_RST),boot:0xc (SPI_FAST_FLASH_BOOT)",
            "rst:0xf (RTCWDT_BROWN_OUT_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)",
            "rst:0xf (BROWN_OUT_RST),boot:0xc (SPI_FAST_FLASH_BOOT)",
        ] {
            assert!(explain(line).cause.contains("voltage"), "{line}");
        }
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
