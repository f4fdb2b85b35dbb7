//! The serial reader: a worker thread that opens the port without resetting the board,
//! reads, assembles and decodes lines, and sends them to whoever shows them. When the
//! port goes away (board reset on USB-JTAG, cable unplugged) it says so and reopens it by
//! itself until stopped.

use std::io::Read as _;

use serialport::SerialPort as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::thread::JoinHandle;
use std::time::Duration;

use super::decode::{Decoded, Decoder, Explanation, Level, Source};
use super::lines::{LineAssembler, NOISE_HINT, Piece};

/// What the reader reports.
#[derive(Debug)]
pub enum MonitorMsg {
    /// The port is open.
    Connected {
        /// Its name.
        port: String,
    },
    /// Decoded lines, in order.
    Lines(Vec<Decoded>),
    /// Something the user should know while the port stays open.
    Notice(String),
    /// The port closed or could not be opened; the reader retries.
    Disconnected {
        /// Why, for the user.
        reason: String,
    },
    /// The user asked to stop watching (Ctrl-C in a terminal): sent by the shell that
    /// watches, never by the reader.
    StopRequested,
}

/// How to open the port.
#[derive(Clone, Debug)]
pub struct MonitorConfig {
    /// Port path, e.g. `/dev/ttyACM0`.
    pub port: String,
    /// Baud rate (115200 for thingflash firmware).
    pub baud: u32,
    /// Reset the board once after the first open, to see it boot from the start.
    pub reset: bool,
    /// The ROM's own speed when it differs from the firmware's: 74880 on the ESP8266,
    /// whose ROM prints its banner at 74880 baud and then starts the sketch at its own.
    /// The reader opens at this speed and follows the board between the two.
    pub boot_baud: Option<u32>,
}

pub use crate::chip::ESP8266_ROM_BAUD;

/// Which speed to read at when the ROM and the firmware print at different ones.
///
/// The ROM's last line before it jumps to the sketch is `~ld`: after it the sketch's
/// speed applies. A reset later on shows up as noise at the sketch's speed (the banner
/// at 74880), so noise switches to the ROM's speed, and noise there back again: the
/// side that reads clean lines wins. Two switches without a clean line in between stop
/// the switching, so a third, unknown speed shows its noise warning instead of
/// flipping for ever.
#[derive(Clone, Debug)]
pub struct BaudPlan {
    app: u32,
    boot: Option<u32>,
    at_boot: bool,
    bounces: u8,
}

impl BaudPlan {
    /// Start at the ROM's speed when there is one.
    pub fn new(app: u32, boot: Option<u32>) -> Self {
        Self {
            app,
            boot: boot.filter(|b| *b != app),
            at_boot: boot.is_some_and(|b| b != app),
            bounces: 0,
        }
    }

    /// The speed to read at now.
    pub fn current(&self) -> u32 {
        match self.boot {
            Some(b) if self.at_boot => b,
            _ => self.app,
        }
    }

    /// After a reopen: a board that went away usually comes back through its ROM.
    pub fn restart(&mut self) {
        self.at_boot = self.boot.is_some();
        self.bounces = 0;
    }

    /// A clean line arrived; the new speed when it is the ROM's hand-over to the sketch.
    pub fn on_line(&mut self, line: &str) -> Option<u32> {
        self.bounces = 0;
        if self.at_boot && self.boot.is_some() && line.trim_end() == "~ld" {
            self.at_boot = false;
            return Some(self.app);
        }
        None
    }

    /// The line turned to noise; the new speed to try, or `None` to stay (and warn).
    pub fn on_noise(&mut self) -> Option<u32> {
        self.boot?;
        if self.bounces >= 2 {
            return None;
        }
        self.bounces += 1;
        self.at_boot = !self.at_boot;
        Some(self.current())
    }
}

/// Pulse EN low through RTS (with DTR released so IO0/BOOT stays high), the wiring of
/// the auto-reset circuit on ESP boards and of the built-in USB-JTAG serial.
fn reset_board(port: &mut impl serialport::SerialPort) -> Result<(), serialport::Error> {
    port.write_data_terminal_ready(false)?;
    port.write_request_to_send(true)?;
    std::thread::sleep(Duration::from_millis(100));
    port.write_request_to_send(false)
}

/// A running reader; dropping it stops the thread.
pub struct MonitorHandle {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MonitorHandle {
    /// Stop and wait for the thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for MonitorHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Explain an open error in the words a user needs.
pub fn open_error_hint(port: &str, e: &serialport::Error) -> String {
    use crate::ports::OpenFailure;
    match crate::ports::open_failure(port, e) {
        OpenFailure::PermissionDenied => format!(
            "{port}: permission denied. On Linux add yourself to the dialout group (`sudo usermod -aG dialout $USER`, then log out and in)"
        ),
        OpenFailure::Busy => format!(
            "{port} is busy: close other serial monitors (the Arduino IDE's, PuTTY, screen, minicom) and try again"
        ),
        OpenFailure::Missing => {
            format!(
                "{port} is not there (board unplugged or resetting); waiting for it to come back"
            )
        }
        OpenFailure::Other => format!("{port}: {e}"),
    }
}

/// What the reader shows when the line stays noisy at every speed it knows.
fn noise_line() -> Decoded {
    Decoded {
        text: "(noise on the line)".into(),
        level: Level::Warn,
        source: Source::Plain,
        event: None,
        explanation: Some(Explanation::new(
            "wrong baud rate?",
            NOISE_HINT,
            "choose the speed the firmware's Serial.begin() uses (115200 for thingflash; the ESP8266 ROM prints at 74880)",
        )),
        symbol: None,
        broker: crate::monitor::Broker::Unknown,
    }
}

/// Start reading `cfg.port`. `wake` is called after each message (the GUI passes
/// `request_repaint`). `decoder` carries firmware symbols when available.
pub fn spawn(
    cfg: MonitorConfig,
    mut decoder: Decoder,
    tx: Sender<MonitorMsg>,
    wake: impl Fn() + Send + 'static,
) -> MonitorHandle {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("serial-monitor".into())
        .spawn(move || {
            let send = |m: MonitorMsg| {
                let ok = tx.send(m).is_ok();
                wake();
                ok
            };
            let mut assembler = LineAssembler::new();
            let mut last_error = String::new();
            let mut reset_pending = cfg.reset;
            let mut plan = BaudPlan::new(cfg.baud, cfg.boot_baud);
            while !flag.load(Ordering::Relaxed) {
                plan.restart();
                // No DTR/RTS changes on open: on ESP boards they are wired to EN and BOOT,
                // and toggling them would reset the board.
                let port = serialport::new(&cfg.port, plan.current())
                    .timeout(Duration::from_millis(100))
                    .open_native();
                let mut port = match port {
                    Ok(p) => p,
                    Err(e) => {
                        let reason = open_error_hint(&cfg.port, &e);
                        if reason != last_error {
                            last_error = reason.clone();
                            if !send(MonitorMsg::Disconnected { reason }) {
                                return;
                            }
                        }
                        std::thread::sleep(Duration::from_millis(250));
                        continue;
                    }
                };
                last_error.clear();
                assembler.reset();
                if !send(MonitorMsg::Connected {
                    port: cfg.port.clone(),
                }) {
                    return;
                }
                if std::mem::take(&mut reset_pending)
                    && let Err(e) = reset_board(&mut port)
                {
                    let reason = format!(
                        "could not reset the board through {} ({e}): press its RESET button to see it boot",
                        cfg.port
                    );
                    if !send(MonitorMsg::Notice(reason)) {
                        return;
                    }
                }
                let mut buf = [0u8; 4096];
                let mut pieces = Vec::new();
                let reason = loop {
                    if flag.load(Ordering::Relaxed) {
                        return;
                    }
                    match port.read(&mut buf) {
                        Ok(0) => break "the port closed (board reset or unplugged)".to_string(),
                        Ok(n) => {
                            assembler.push(&buf[..n], &mut pieces);
                            let mut lines: Vec<Decoded> = Vec::with_capacity(pieces.len());
                            let mut switch = None;
                            for p in pieces.drain(..) {
                                match p {
                                    Piece::Line(l) => {
                                        switch = plan.on_line(&l).or(switch);
                                        lines.push(decoder.decode_owned(l));
                                    }
                                    Piece::NoiseDetected => match plan.on_noise() {
                                        Some(b) => switch = Some(b),
                                        None => lines.push(noise_line()),
                                    },
                                }
                            }
                            if !lines.is_empty() && !send(MonitorMsg::Lines(lines)) {
                                return;
                            }
                            if let Some(b) = switch {
                                // What is still buffered was read at the old speed.
                                assembler.reset();
                                if let Err(e) = port.set_baud_rate(b)
                                    && !send(MonitorMsg::Notice(format!(
                                        "could not switch {} to {b} baud ({e}): the log may show noise",
                                        cfg.port
                                    )))
                                {
                                    return;
                                }
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            break format!(
                                "the port went away ({e}): board reset or cable unplugged"
                            );
                        }
                    }
                };
                let mut tail = Vec::new();
                assembler.finish(&mut tail);
                let lines: Vec<Decoded> = tail
                    .into_iter()
                    .filter_map(|p| match p {
                        Piece::Line(l) => Some(decoder.decode_owned(l)),
                        Piece::NoiseDetected => None,
                    })
                    .collect();
                if !lines.is_empty() && !send(MonitorMsg::Lines(lines)) {
                    return;
                }
                if !send(MonitorMsg::Disconnected { reason }) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
    MonitorHandle {
        stop,
        thread: thread.ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esp8266_plan_reads_the_rom_banner_then_the_sketch() {
        let mut p = BaudPlan::new(115_200, Some(ESP8266_ROM_BAUD));
        assert_eq!(p.current(), 74_880);
        for l in [
            " ets Jan  8 2013,rst cause:2, boot mode:(3,6)",
            "load 0x4010f000, len 3460, room 16 ",
            "csum 0xaa",
        ] {
            assert_eq!(p.on_line(l), None);
        }
        assert_eq!(p.on_line("~ld"), Some(115_200));
        assert_eq!(p.current(), 115_200);
        // The sketch printing `~ld` itself changes nothing.
        assert_eq!(p.on_line("~ld"), None);
    }

    #[test]
    fn esp8266_plan_follows_a_reset_and_settles_on_the_clean_side() {
        let mut p = BaudPlan::new(115_200, Some(ESP8266_ROM_BAUD));
        assert_eq!(p.on_line("~ld"), Some(115_200));
        // A reset: the banner is noise at 115200.
        assert_eq!(p.on_noise(), Some(74_880));
        // Too late for the banner: the sketch is noise at 74880.
        assert_eq!(p.on_noise(), Some(115_200));
        // A third noise without a clean line: stay, and let the warning through.
        assert_eq!(p.on_noise(), None);
        assert_eq!(p.current(), 115_200);
        // A clean line re-arms it.
        assert_eq!(p.on_line("hello"), None);
        assert_eq!(p.on_noise(), Some(74_880));
        p.restart();
        assert_eq!(p.current(), 74_880);
    }

    #[test]
    fn one_speed_never_switches() {
        for boot in [None, Some(115_200)] {
            let mut p = BaudPlan::new(115_200, boot);
            assert_eq!(p.current(), 115_200);
            assert_eq!(p.on_line("~ld"), None);
            assert_eq!(p.on_noise(), None);
        }
    }
}
