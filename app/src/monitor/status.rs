//! The board status the user reads at a glance: a light per stage (WiFi, IP, time, TLS,
//! MQTT, publishing), the last error with its explanation, counters and uptime. Plain
//! data built from decoded lines; the GUI only draws it.

use std::time::{Duration, Instant};

use serde::Serialize;
use thingflash_protocol::event::Event;

use super::decode::{Decoded, Explanation, Level, Source};
use super::patterns::{Pattern, Patterns};

/// The state of one stage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Light {
    /// Not reached yet.
    #[default]
    Off,
    /// In progress.
    Working,
    /// Done.
    Ok,
    /// Failed (see the last error).
    Failed,
}

/// The stages shown, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Step {
    /// Joined the WiFi network.
    Wifi,
    /// Got an address.
    Ip,
    /// Clock set by SNTP.
    Time,
    /// TLS handshake done.
    Tls,
    /// MQTT connected (CONNACK 0).
    Mqtt,
    /// Telemetry published.
    Publishing,
}

impl Step {
    /// All steps in order.
    pub const ALL: [Step; 6] = [
        Step::Wifi,
        Step::Ip,
        Step::Time,
        Step::Tls,
        Step::Mqtt,
        Step::Publishing,
    ];

    /// Label for the panel.
    pub fn label(self) -> &'static str {
        match self {
            Step::Wifi => "WiFi",
            Step::Ip => "IP",
            Step::Time => "Time",
            Step::Tls => "TLS",
            Step::Mqtt => "MQTT",
            Step::Publishing => "Publishing",
        }
    }
}

/// The last problem seen.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LastError {
    /// The line that reported it.
    pub line: String,
    /// What it means.
    pub explanation: Explanation,
}

/// Everything the status panel shows.
#[derive(Clone, Debug, Default, Serialize)]
pub struct BoardStatus {
    lights: [Light; 6],
    /// Firmware version from the boot event.
    pub firmware: Option<String>,
    /// Chip from the boot event.
    pub chip: Option<String>,
    /// IP address.
    pub ip: Option<String>,
    /// WiFi signal, dBm.
    pub rssi: Option<i16>,
    /// The UTC time the board set.
    pub utc: Option<String>,
    /// The last error and its explanation.
    pub last_error: Option<LastError>,
    /// Boots seen.
    pub boots: u32,
    /// Reconnect attempts (retry events).
    pub reconnects: u32,
    /// Messages received.
    pub messages_in: u64,
    /// Messages published.
    pub messages_out: u64,
    /// Lowest free heap reported.
    pub heap_min: Option<u32>,
    #[serde(skip)]
    booted_at: Option<Instant>,
    #[serde(skip)]
    tracker: Patterns,
    #[serde(skip)]
    lines_seen: usize,
    #[serde(skip)]
    started: Option<Instant>,
}

impl BoardStatus {
    /// The light of a step.
    pub fn light(&self, step: Step) -> Light {
        self.lights[step as usize]
    }

    fn set(&mut self, step: Step, light: Light) {
        self.lights[step as usize] = light;
    }

    /// Turn off this step and every later one (a new attempt starts there).
    fn reset_from(&mut self, step: Step) {
        for s in &mut self.lights[step as usize..] {
            *s = Light::Off;
        }
    }

    /// What the sequence of lines shows (boot loops, reconnect loops, ...), with the
    /// latest counts; built when asked (once a frame), not on every line.
    pub fn patterns(&self) -> Vec<Pattern> {
        self.tracker.summary()
    }

    /// Time since the last boot event.
    pub fn uptime(&self, now: Instant) -> Option<Duration> {
        self.booted_at.map(|b| now.saturating_duration_since(b))
    }

    /// Update from one decoded line, received at `now`.
    pub fn apply(&mut self, d: &Decoded, now: Instant) {
        self.lines_seen += 1;
        let started = *self.started.get_or_insert(now);
        self.tracker.push(
            self.lines_seen,
            d,
            Some(now.saturating_duration_since(started)),
        );
        if let Some(ev) = d.event.as_deref() {
            self.apply_event(ev, now);
        } else if d.source == Source::Rom
            && d.explanation.as_ref().is_some_and(|e| {
                matches!(
                    &*e.rule,
                    "esp32-rom-reset" | "esp8266-rom-reset" | "esp32-rom-download-mode"
                )
            })
        {
            // A reset: everything starts again.
            self.reset_from(Step::Wifi);
            self.booted_at = Some(now);
        }
        if d.level == Level::Error
            && let Some(e) = &d.explanation
        {
            self.last_error = Some(LastError {
                line: d.text.clone(),
                explanation: e.clone(),
            });
        }
    }

    fn fail(&mut self, step: Step) {
        self.reset_from(step);
        self.set(step, Light::Failed);
    }

    fn apply_event(&mut self, ev: &Event<'static>, now: Instant) {
        use Light::{Ok, Working};
        match ev {
            Event::Boot { fw, chip, .. } => {
                *self = Self {
                    boots: self.boots + 1,
                    reconnects: self.reconnects,
                    messages_in: self.messages_in,
                    messages_out: self.messages_out,
                    last_error: self.last_error.take(),
                    // Patterns span boots: a boot loop is made of them.
                    tracker: std::mem::take(&mut self.tracker),
                    lines_seen: self.lines_seen,
                    started: self.started,
                    ..Self::default()
                };
                self.firmware = Some(fw.to_string());
                self.chip = Some(chip.to_string());
                self.booted_at = Some(now);
            }
            Event::CredsOk { .. } => {}
            Event::CredsError { .. } | Event::KeyError { .. } => self.fail(Step::Wifi),
            Event::KeyNew { .. } | Event::CsrReady { .. } => {}
            Event::ClaimStart { .. } | Event::ClaimCert { .. } | Event::ClaimDone { .. } => {}
            // The claim stands in the place of the MQTT stage until the board is itself.
            Event::ClaimRejected { .. } | Event::ClaimFailed { .. } => self.fail(Step::Mqtt),
            Event::WifiConnecting { .. } => {
                self.reset_from(Step::Wifi);
                self.set(Step::Wifi, Working);
            }
            Event::WifiConnected { ip, rssi } => {
                self.set(Step::Wifi, Ok);
                self.set(Step::Ip, Ok);
                self.ip = Some(ip.to_string());
                self.rssi = Some(*rssi);
            }
            Event::WifiFailed { .. } | Event::WifiDisconnected { .. } => {
                self.fail(Step::Wifi);
                self.ip = None;
            }
            Event::TimeSyncing { .. } => {
                self.reset_from(Step::Time);
                self.set(Step::Time, Working);
            }
            Event::TimeOk { utc, .. } => {
                self.set(Step::Time, Ok);
                self.utc = Some(utc.to_string());
            }
            Event::TimeFailed { .. } => self.fail(Step::Time),
            Event::DnsOk { .. } => {}
            Event::DnsFailed { .. } => self.fail(Step::Tls),
            Event::TlsStart { .. } => {
                self.reset_from(Step::Tls);
                self.set(Step::Tls, Working);
            }
            Event::TlsOk { .. } => self.set(Step::Tls, Ok),
            Event::TlsFailed { .. } => self.fail(Step::Tls),
            Event::MqttConnecting { .. } => {
                self.reset_from(Step::Mqtt);
                self.set(Step::Mqtt, Working);
            }
            Event::MqttConnack { reason: 0, .. } => self.set(Step::Mqtt, Ok),
            Event::MqttConnack { .. } => self.fail(Step::Mqtt),
            Event::MqttSubscribed { .. } => {}
            Event::MqttPublished { .. } => {
                self.messages_out += 1;
                self.set(Step::Publishing, Ok);
            }
            // A refused QoS 1 PUBLISH: the policy does not let this topic through.
            Event::MqttPuback { reason, .. } if *reason >= 0x80 => self.fail(Step::Publishing),
            Event::MqttPuback { .. } => {}
            Event::MqttMessage { .. } => self.messages_in += 1,
            Event::MqttClosed { before_connack, .. } => {
                if *before_connack {
                    self.fail(Step::Mqtt);
                } else {
                    self.reset_from(Step::Tls);
                }
            }
            Event::Mem { heap_min, .. } => {
                self.heap_min = Some(self.heap_min.map_or(*heap_min, |m| m.min(*heap_min)));
            }
            // The stage that failed keeps its red light until it is retried.
            Event::Retry { .. } => self.reconnects += 1,
        }
    }
}
