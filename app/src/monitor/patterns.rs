//! What only a sequence of lines shows, explained once with its count and period: a
//! board that resets again and again (brown-out, watchdog, crash loops), a connection
//! that fails the same way on every attempt, one that is made and dropped within
//! seconds (a duplicate client id, a policy), and TLS that succeeds only for the server
//! to hang up before MQTT answers (a policy or an inactive certificate).
//!
//! Fed one decoded line at a time, in order; the period comes from the lines' own
//! timestamps (`[  1234][E]`, `E (1234)`) or, when live, from the arrival times.

use std::time::Duration;

use serde::Serialize;
use thingflash_protocol::event::Event;

use super::decode::{Decoded, Explanation, Level};
use super::families::timestamp_ms;

/// How many repeats make a pattern.
const REPEATS: usize = 3;
/// Lines used kept per pattern (the first ones and the latest).
const KEEP_LINES: usize = 16;

/// One pattern seen across lines.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pattern {
    /// Stable id: `boot-loop`, `crash-loop`, `reconnect-loop`, `connect-drop-loop`,
    /// `tls-then-close`.
    pub rule: &'static str,
    /// How often it happened.
    pub count: usize,
    /// The numbers of the lines it used, as the caller counted them (the first
    /// [`KEEP_LINES`]).
    pub lines: Vec<usize>,
    /// Average time between repeats, when the lines or their arrival carry time.
    pub period_ms: Option<u64>,
    /// What it means.
    pub explanation: Explanation,
}

#[derive(Clone, Debug, Default)]
struct Series {
    lines: Vec<usize>,
    count: usize,
    first_ms: Option<u64>,
    last_ms: Option<u64>,
    reported: bool,
    /// The title of the latest occurrence's explanation (its buffer is reused: this
    /// runs on every failing line).
    last: String,
}

impl Series {
    fn hit(&mut self, index: usize, at_ms: Option<u64>, e: Option<&Explanation>) {
        self.count += 1;
        if self.lines.len() < KEEP_LINES {
            self.lines.push(index);
        }
        if let Some(ms) = at_ms {
            self.first_ms.get_or_insert(ms);
            self.last_ms = Some(ms);
        }
        if let Some(e) = e {
            self.last.clear();
            self.last.push_str(&e.title);
        }
    }

    /// A hit whose reason is `title` (a crash that caused this reset).
    fn hit_titled(&mut self, index: usize, at_ms: Option<u64>, title: &str) {
        self.hit(index, at_ms, None);
        self.last.clear();
        self.last.push_str(title);
    }

    fn period(&self) -> Option<u64> {
        let (a, b) = (self.first_ms?, self.last_ms?);
        (self.count > 1 && b > a).then(|| (b - a) / (self.count as u64 - 1))
    }
}

/// The tracker.
#[derive(Clone, Debug, Default)]
pub struct Patterns {
    /// Resets by their reason (the explanation's title): a loop is the same reason again.
    resets: Vec<(String, Series)>,
    /// Resets that came right after a crash.
    crash_resets: Series,
    crashed_since_reset: bool,
    crashes: Series,
    failures: Series,
    drops: Series,
    tls_close: Series,
    /// The broker the last line's advice fitted (the patterns' advice fits it too).
    broker: super::Broker,
    /// The current attempt: TLS done, MQTT connected.
    tls_ok: bool,
    connected: bool,
}

fn every(period: Option<u64>) -> String {
    match period {
        Some(ms) if ms >= 1000 => format!(", about every {:.0} s", ms as f64 / 1000.0),
        Some(ms) => format!(", about every {ms} ms"),
        None => String::new(),
    }
}

/// Whether a line reports a reset (either family's ROM banner, or a thingflash boot).
fn is_reset(d: &Decoded) -> bool {
    matches!(d.event.as_deref(), Some(Event::Boot { .. }))
        || d.explanation
            .as_ref()
            .is_some_and(|e| matches!(&*e.rule, "esp32-rom-reset" | "esp8266-rom-reset"))
}

fn is_crash(d: &Decoded) -> bool {
    d.explanation.as_ref().is_some_and(|e| {
        matches!(
            &*e.rule,
            "esp32-panic" | "esp8266-exception" | "panic" | "esp32-brownout"
        ) || super::families::has(&e.rule, "wdt")
            || super::families::has(&e.rule, "watchdog")
    })
}

/// A connection attempt that failed.
fn is_failure(d: &Decoded) -> bool {
    if let Some(ev) = d.event.as_deref() {
        return matches!(
            ev,
            Event::TlsFailed { .. }
                | Event::DnsFailed { .. }
                | Event::MqttConnack { reason: 1.., .. }
                | Event::MqttClosed {
                    before_connack: true,
                    ..
                }
        );
    }
    d.level == Level::Error
        && d.explanation.as_ref().is_some_and(|e| {
            matches!(
                &*e.rule,
                "pubsubclient-state"
                    | "arduino-start-ssl-client"
                    | "mqtt5-reason"
                    | "mqtt3-connack"
                    | "dns-failed"
                    | "socket-errno"
            )
        })
}

/// The connection was made: MQTT CONNACK 0 or a sketch's "connected".
fn is_connected(d: &Decoded) -> bool {
    if let Some(ev) = d.event.as_deref() {
        return matches!(ev, Event::MqttConnack { reason: 0, .. });
    }
    // Cheap test first: this runs on every line, and the line must end with the word.
    let tail = d.text.trim_end().as_bytes();
    if !tail
        .len()
        .checked_sub(9)
        .is_some_and(|at| tail[at..].eq_ignore_ascii_case(b"connected"))
    {
        return false;
    }
    let t = d.text.to_ascii_lowercase();
    t.contains("mqtt")
        && t.trim_end().ends_with("connected")
        && !t.contains("disconnected")
        && !t.contains("not connected")
}

fn is_tls_ok(d: &Decoded) -> bool {
    matches!(d.event.as_deref(), Some(Event::TlsOk { .. }))
        || super::families::has(&d.text, "BSSL:Connected")
}

/// The connection went away (after being made, or after TLS only).
fn is_drop(d: &Decoded) -> bool {
    if let Some(ev) = d.event.as_deref() {
        return matches!(ev, Event::MqttClosed { .. });
    }
    d.explanation.as_ref().is_some_and(|e| {
        matches!(
            &*e.rule,
            "pubsubclient-state" | "aws-disconnect-reason" | "mqtt5-reason"
        )
    }) && d.level == Level::Error
}

impl Patterns {
    /// A tracker with nothing seen.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed line number `index`; `at` is its arrival time when live. Returns a pattern
    /// the moment it is first recognised (later repeats update [`Patterns::summary`]).
    pub fn push(&mut self, index: usize, d: &Decoded, at: Option<Duration>) -> Option<Pattern> {
        let arrival = at.map(|a| a.as_millis() as u64);
        self.broker = d.broker;
        // The line's own time, read only for the few lines that count (this runs on every
        // line, and cleaning it again would double the decoder's work).
        let ms = || timestamp_ms(&super::clean(&d.text)).or(arrival);
        if is_reset(d) {
            // Milliseconds since boot restart at a reset: only arrival times give a period.
            let reason = d
                .explanation
                .as_ref()
                .map(|e| e.title.to_string())
                .unwrap_or_default();
            let at = match self.resets.iter().position(|(r, _)| *r == reason) {
                Some(i) => i,
                None => {
                    self.resets.push((reason, Series::default()));
                    self.resets.len() - 1
                }
            };
            self.resets[at]
                .1
                .hit(index, arrival, d.explanation.as_ref());
            self.tls_ok = false;
            self.connected = false;
            if std::mem::take(&mut self.crashed_since_reset) {
                let title = std::mem::take(&mut self.crashes.last);
                self.crash_resets.hit_titled(index, arrival, &title);
                self.crashes.last = title;
                if let Some(p) = self.report(Kind::Crash) {
                    return Some(p);
                }
            }
            return self.report(Kind::Boot(at));
        }
        if is_crash(d) {
            self.crashes.hit(index, arrival, d.explanation.as_ref());
            self.crashed_since_reset = true;
        }
        if is_tls_ok(d) {
            self.tls_ok = true;
            self.connected = false;
            return None;
        }
        if is_connected(d) {
            self.connected = true;
            return None;
        }
        let mut out = None;
        if is_drop(d) && (self.connected || self.tls_ok) {
            let after_connect = self.connected;
            self.tls_ok = false;
            self.connected = false;
            if after_connect {
                self.drops.hit(index, ms(), d.explanation.as_ref());
                out = self.report(Kind::Drop);
            } else {
                self.tls_close.hit(index, ms(), d.explanation.as_ref());
                out = self.report(Kind::TlsClose);
            }
        }
        if is_failure(d) {
            self.failures.hit(index, ms(), d.explanation.as_ref());
            out = out.or_else(|| self.report(Kind::Failure));
        }
        out
    }

    fn report(&mut self, kind: Kind) -> Option<Pattern> {
        let threshold = if kind == Kind::TlsClose { 1 } else { REPEATS };
        let series = self.series(kind);
        if series.reported || series.count < threshold {
            return None;
        }
        series.reported = true;
        self.pattern(kind)
    }

    fn series(&mut self, kind: Kind) -> &mut Series {
        match kind {
            Kind::Boot(i) => &mut self.resets[i].1,
            Kind::Crash => &mut self.crash_resets,
            Kind::Failure => &mut self.failures,
            Kind::Drop => &mut self.drops,
            Kind::TlsClose => &mut self.tls_close,
        }
    }

    fn pattern(&self, kind: Kind) -> Option<Pattern> {
        let s = match kind {
            Kind::Boot(i) => &self.resets.get(i)?.1,
            Kind::Crash => &self.crash_resets,
            Kind::Failure => &self.failures,
            Kind::Drop => &self.drops,
            Kind::TlsClose => &self.tls_close,
        };
        let n = s.count;
        let period = s.period();
        let last_cause = s.last.as_str();
        let (rule, explanation) = match kind {
            Kind::Crash => (
                "crash-loop",
                Explanation::new(
                    format!(
                        "crash loop: {n} crashes, each followed by a reset{}",
                        every(period)
                    ),
                    format!("the firmware crashes again after every boot (latest: {last_cause})"),
                    "fix the crash explained above: it is not the power or the flashing; decode its backtrace with the firmware's ELF",
                ),
            ),
            Kind::Boot(_) => (
                "boot-loop",
                Explanation::new(
                    format!(
                        "boot loop: {n} resets, each \"{last_cause}\"{}",
                        every(period)
                    ),
                    format!("the board keeps restarting the same way: {last_cause}"),
                    "check in order: 1) a brown-out (weak USB port or cable, no capacitor near the module: WiFi start draws 300+ mA); 2) a watchdog (a loop that never yields); 3) a crash explained above",
                ),
            ),
            Kind::Failure => (
                "reconnect-loop",
                Explanation::new(
                    format!(
                        "the connection fails again and again: {n} times{}",
                        every(period)
                    ),
                    format!("every attempt fails the same way; the latest: {last_cause}"),
                    "retrying will not help: fix the cause explained on the failing lines (its fix is above), then reset the board",
                ),
            ),
            Kind::Drop => (
                "connect-drop-loop",
                Explanation::new(
                    format!("connected, then dropped: {n} times{}", every(period)),
                    "the board connects to AWS IoT and is disconnected again within seconds, over and over",
                    "check in order: 1) another device, a second copy of the sketch or the AWS console's MQTT test client uses the same client id (AWS drops the older connection: DUPLICATE_CLIENTID); 2) the policy allows iot:Connect but not iot:Publish or iot:Subscribe on the topics the sketch uses (AWS disconnects on the first forbidden request); 3) the keep-alive is longer than the network's idle timeout",
                ),
            ),
            Kind::TlsClose => (
                "tls-then-close",
                Explanation::new(
                    format!(
                        "TLS succeeded, then the server closed the connection before MQTT answered ({n}x)"
                    ),
                    "the certificate and root CA are fine (TLS worked); AWS IoT hangs up without a CONNACK when the certificate is INACTIVE, not attached to a policy, or the policy does not allow iot:Connect for this client id",
                    "in the AWS IoT console: make the certificate ACTIVE, attach a policy allowing iot:Connect on client/<client id>, and attach the certificate to the thing; on port 443 the board must also offer ALPN x-amzn-mqtt-ca",
                ),
            ),
        };
        let mut explanation = explanation.with_rule(rule);
        super::context::adapt(&mut explanation, self.broker);
        Some(Pattern {
            rule,
            count: n,
            lines: s.lines.clone(),
            period_ms: period,
            explanation,
        })
    }

    /// Every pattern recognised so far, with its latest count and period.
    pub fn summary(&self) -> Vec<Pattern> {
        (0..self.resets.len())
            .map(Kind::Boot)
            .chain([Kind::Crash, Kind::Failure, Kind::Drop, Kind::TlsClose])
            .filter(|k| match k {
                Kind::Boot(i) => self.resets[*i].1.reported,
                Kind::Crash => self.crash_resets.reported,
                Kind::Failure => self.failures.reported,
                Kind::Drop => self.drops.reported,
                Kind::TlsClose => self.tls_close.reported,
            })
            .filter_map(|k| self.pattern(k))
            .collect()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Resets with reason number `.0` of `Patterns::resets`.
    Boot(usize),
    Crash,
    Failure,
    Drop,
    TlsClose,
}
