//! Waiting for a board to reach a stage: the serial reader and the status the window
//! shows, until that stage's light is green, a stage failed twice (the firmware retries
//! transient failures by itself, so a second failure at one stage is not passing), or the
//! time is up. The fleet uses it for "wait until the board reports MQTT connected".

use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use super::Decoder;
use super::reader::{self, MonitorConfig, MonitorMsg};
use super::status::{BoardStatus, Light, Step};

/// Why the wait ended without the stage.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// A stage failed twice; what the decoder made of the last error line.
    #[error("the board failed at {step} twice: {title}")]
    Failed {
        /// The stage's label (`TLS`, `MQTT`...).
        step: &'static str,
        /// What happened, from the explanation of the line that failed.
        title: String,
        /// What to do.
        fix: String,
        /// The line.
        line: String,
    },
    /// Time up: the furthest stage reached, and the last problem seen, if any.
    #[error("the board did not reach {wanted} in {seconds} s (it got as far as {reached}){last}")]
    TimedOut {
        /// The stage waited for.
        wanted: &'static str,
        /// The last green stage, or `power-on` for none.
        reached: &'static str,
        /// Seconds waited.
        seconds: u64,
        /// `: ` and the last problem's title, or nothing.
        last: String,
        /// What to do.
        fix: String,
    },
}

impl WaitError {
    /// What to do.
    pub fn fix(&self) -> &str {
        match self {
            WaitError::Failed { fix, .. } | WaitError::TimedOut { fix, .. } => fix,
        }
    }
}

/// Read `cfg.port` until `step` is green. Returns the status as it stood then.
pub fn until(
    cfg: MonitorConfig,
    decoder: Decoder,
    step: Step,
    timeout: Duration,
) -> Result<BoardStatus, WaitError> {
    let (tx, rx) = channel();
    let handle = reader::spawn(cfg, decoder, tx, || {});
    let started = Instant::now();
    let mut status = BoardStatus::default();
    let mut failures = [0u8; Step::ALL.len()];
    let outcome = loop {
        let left = timeout.saturating_sub(started.elapsed());
        if left.is_zero() {
            break Err(timed_out(&status, step, timeout));
        }
        let lines = match rx.recv_timeout(left) {
            Ok(MonitorMsg::Lines(lines)) => lines,
            Ok(_) => continue,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break Err(timed_out(&status, step, timeout)),
        };
        let now = Instant::now();
        let mut failed_twice = None;
        for d in &lines {
            let before = Step::ALL.map(|s| status.light(s));
            status.apply(d, now);
            for (i, s) in Step::ALL.into_iter().enumerate() {
                if before[i] != Light::Failed && status.light(s) == Light::Failed {
                    failures[i] = failures[i].saturating_add(1);
                    if failures[i] >= 2 {
                        failed_twice = Some(s);
                    }
                }
            }
        }
        if status.light(step) == Light::Ok {
            break Ok(status);
        }
        if let Some(s) = failed_twice {
            let (title, fix, line) = match &status.last_error {
                Some(e) => (
                    e.explanation.title.to_string(),
                    e.explanation.fix.to_string(),
                    e.line.clone(),
                ),
                None => (
                    format!("the {} stage failed", s.label()),
                    "watch the board's log in the window's status panel for the reason".into(),
                    String::new(),
                ),
            };
            break Err(WaitError::Failed {
                step: s.label(),
                title,
                fix,
                line,
            });
        }
    };
    handle.stop();
    outcome
}

fn timed_out(status: &BoardStatus, wanted: Step, timeout: Duration) -> WaitError {
    let reached = Step::ALL
        .into_iter()
        .take_while(|s| status.light(*s) == Light::Ok)
        .last()
        .map_or("power-on", Step::label);
    let (last, fix) = match &status.last_error {
        Some(e) => (
            format!(": {}", e.explanation.title),
            e.explanation.fix.to_string(),
        ),
        None if status.boots == 0 => (
            String::new(),
            "the board printed no thingflash event: check it runs thingflash's firmware (a reset after the write) and that nothing else holds its port".into(),
        ),
        None => (
            String::new(),
            "open the board in the window (Watch) to follow it; its WiFi network or the endpoint may be out of reach".into(),
        ),
    };
    WaitError::TimedOut {
        wanted: wanted.label(),
        reached,
        seconds: timeout.as_secs(),
        last,
        fix,
    }
}
