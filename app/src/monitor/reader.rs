//! The serial reader: a worker thread that opens the port without resetting the board,
//! reads, assembles and decodes lines, and sends them to whoever shows them. When the
//! port goes away (board reset on USB-JTAG, cable unplugged) it says so and reopens it by
//! itself until stopped.

use std::io::Read as _;
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
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("permission denied") {
        format!(
            "{port}: permission denied. On Linux add yourself to the dialout group (`sudo usermod -aG dialout $USER`, then log out and in)"
        )
    } else if lower.contains("busy") || lower.contains("locked") {
        format!(
            "{port} is busy: close other serial monitors (Arduino IDE, screen, minicom) and try again"
        )
    } else if lower.contains("no such file") || lower.contains("not found") {
        format!("{port} is not there (board unplugged or resetting); waiting for it to come back")
    } else {
        format!("{port}: {text}")
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
            while !flag.load(Ordering::Relaxed) {
                // No DTR/RTS changes on open: on ESP boards they are wired to EN and BOOT,
                // and toggling them would reset the board.
                let port = serialport::new(&cfg.port, cfg.baud)
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
                            let lines: Vec<Decoded> = pieces
                                .drain(..)
                                .map(|p| match p {
                                    Piece::Line(l) => decoder.decode_owned(l),
                                    Piece::NoiseDetected => Decoded {
                                        text: "(noise on the line)".into(),
                                        level: Level::Warn,
                                        source: Source::Plain,
                                        event: None,
                                        explanation: Some(Explanation::new(
                                            "wrong baud rate?",
                                            NOISE_HINT,
                                            "choose 115200 (or 74880 for an ESP8266 boot log)",
                                        )),
                                        symbol: None,
                                    },
                                })
                                .collect();
                            if !lines.is_empty() && !send(MonitorMsg::Lines(lines)) {
                                return;
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
