//! Keys born on the board: thingflash's firmware provisioned so that its private key
//! exists nowhere but on the chip. The one operation ([`crate::job`]) twice around AWS IoT:
//! first the firmware and its settings with no key and no certificate (the board makes
//! its key on its first boot and prints its request, `csr.ready`), then, once AWS signed
//! that request (`CreateCertificateFromCsr`), only the certificate. Between the two the
//! request is read from the serial line and checked, and the certificate AWS returns is
//! held against it before anything is written. The window, the command line and the fleet
//! all run this.

use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use thingflash_protocol::event::Event as BoardEvent;

use crate::credentials::Analysis;
use crate::credentials::csr::{BoardCsr, CsrError};
use crate::flash::{self, FlashError, FlashOptions};
use crate::job::{self, BoardKey, DeviceSettings, Image, Refusal};
use crate::monitor::reader::{self, MonitorConfig, MonitorMsg};
use crate::monitor::wait::{self, WaitError};
use crate::monitor::{Decoder, Step as Light};
use crate::provision::{self, ProvisionError, Provisioned};
use crate::target::Target;

/// How long a board has to print its request after it was flashed: its first boot makes
/// the key (well under a second) and it repeats the request every 10 s.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(45);

/// Why the board's request could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// Nothing usable in time.
    #[error("the board printed no certificate request on {port} in {seconds} s{seen}")]
    None {
        /// The port.
        port: String,
        /// Seconds waited.
        seconds: u64,
        /// What it printed instead, if anything of note: `: ` and a summary.
        seen: String,
    },
    /// The board said why it has no key.
    #[error("{title}")]
    Key {
        /// What the decoder made of its `key.error`.
        title: String,
        /// What to do.
        fix: String,
    },
    /// Every copy of the request seen was damaged or not valid.
    #[error(transparent)]
    Bad(#[from] CsrError),
}

impl RequestError {
    /// What to do.
    pub fn fix(&self) -> String {
        match self {
            RequestError::None { .. } => "check the board runs thingflash's firmware (it resets into it after the flash; press RESET if the port cannot reset it) and that nothing else holds its port".into(),
            RequestError::Key { fix, .. } => fix.clone(),
            RequestError::Bad(e) => e.fix().into(),
        }
    }
}

/// Read the board's request from its serial line: the first whole `csr.ready` whose
/// length, CRC and signature check out. A damaged copy is skipped (the board repeats it);
/// a `key.error` ends the wait with the board's reason.
pub fn read_request(cfg: MonitorConfig, timeout: Duration) -> Result<BoardCsr, RequestError> {
    let port = cfg.port.clone();
    let (tx, rx) = channel();
    let handle = reader::spawn(cfg, Decoder::default(), tx, || {});
    let started = Instant::now();
    let mut last_bad = None;
    let mut seen = String::new();
    let outcome = loop {
        let left = timeout.saturating_sub(started.elapsed());
        let lines = match rx.recv_timeout(left) {
            Ok(MonitorMsg::Lines(lines)) => lines,
            Ok(_) => continue,
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                break Err(match last_bad.take() {
                    Some(e) => RequestError::Bad(e),
                    None => RequestError::None {
                        port,
                        seconds: timeout.as_secs(),
                        seen,
                    },
                });
            }
        };
        let mut found = None;
        for d in lines {
            match d.event.as_deref() {
                Some(BoardEvent::CsrReady { der, len, crc, .. }) => {
                    match BoardCsr::from_event(der, *len, *crc) {
                        Ok(csr) => {
                            found = Some(Ok(csr));
                            break;
                        }
                        Err(e) => last_bad = Some(e),
                    }
                }
                Some(BoardEvent::KeyError { .. }) => {
                    let (title, fix) = d
                        .explanation
                        .as_ref()
                        .map(|e| (e.title.to_string(), e.fix.to_string()))
                        .unwrap_or_else(|| (d.text.clone(), String::new()));
                    found = Some(Err(RequestError::Key { title, fix }));
                    break;
                }
                Some(BoardEvent::CredsOk { .. }) => {
                    seen = ": it started with a certificate already (its credentials hold a key made elsewhere)".into();
                }
                _ => {
                    if let Some(e) = &d.explanation
                        && d.level == crate::monitor::Level::Error
                    {
                        seen = format!(": it printed \"{}\" ({})", d.text, e.title);
                    }
                }
            }
        }
        if let Some(f) = found {
            break f;
        }
    };
    handle.stop();
    outcome
}

/// What one board needs besides its port.
#[derive(Clone)]
pub struct Request {
    /// Files dropped: only their root CAs are used (Amazon's when there are none).
    pub analysis: Analysis,
    /// WiFi and MQTT settings; the client id is the thing's name.
    pub device: DeviceSettings,
    /// A firmware ELF instead of the included one.
    pub image: Image,
    /// The thing, policy and account, as for `aws provision` (its `board_csr` is filled
    /// in from the board).
    pub provision: provision::Request,
    /// Erase the key the board keeps, so that it makes a new one.
    pub new_key: bool,
    /// After writing the certificate, wait this long for MQTT connected.
    pub wait_connected: Option<Duration>,
}

/// Where a run is.
#[derive(Debug)]
pub enum Step {
    /// Asking AWS for the account's endpoint (none was typed).
    Endpoint,
    /// Writing the firmware and settings (no key, no certificate).
    Flashing(flash::Event),
    /// Reading the board's request from its serial line.
    ReadingRequest,
    /// The request is in: AWS IoT is making the certificate, the thing and the policy.
    Aws(provision::Progress),
    /// Writing the certificate (and the root CA) only.
    WritingCertificate(flash::Event),
    /// Waiting for MQTT connected.
    Connecting,
}

/// What a run did.
#[derive(Debug)]
pub struct Outcome {
    /// The thing and its certificate in AWS (no key: `key_on_board`).
    pub provisioned: Provisioned,
    /// The first write (firmware and settings).
    pub flashed: job::Outcome,
    /// The second write (the certificate).
    pub certified: job::Outcome,
}

/// Why a run stopped, and where.
#[derive(Debug, thiserror::Error)]
pub enum BoardKeyError {
    /// The settings are refused before anything is written.
    #[error("{}", .0.first().map(|r| r.message.as_str()).unwrap_or("the settings are refused"))]
    Refused(Vec<Refusal>),
    /// AWS refused (the endpoint lookup, or the certificate, thing and policy).
    #[error(transparent)]
    Aws(#[from] ProvisionError),
    /// A write failed.
    #[error(transparent)]
    Flash(#[from] FlashError),
    /// The board's request did not come.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The board did not connect (the certificate is on it).
    #[error(transparent)]
    Connect(#[from] WaitError),
    /// The async runtime could not start.
    #[error("cannot start the AWS client's runtime: {0}")]
    Runtime(String),
}

impl BoardKeyError {
    /// What to do, where the message does not say it itself (AWS's and the flasher's
    /// messages carry their fix).
    pub fn fix(&self) -> Option<String> {
        match self {
            BoardKeyError::Refused(r) => r.first().map(|r| r.fix.clone()),
            BoardKeyError::Aws(_) | BoardKeyError::Flash(_) => None,
            BoardKeyError::Request(e) => Some(e.fix()),
            BoardKeyError::Connect(e) => Some(e.fix().to_string()),
            BoardKeyError::Runtime(_) => Some("run it again".into()),
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, BoardKeyError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| BoardKeyError::Runtime(e.to_string()))
}

/// Provision the board `link` reaches with a key it makes itself.
pub fn run(
    req: &Request,
    link: &FlashOptions,
    on_step: &mut dyn FnMut(Step),
) -> Result<Outcome, BoardKeyError> {
    let rt = runtime()?;
    let mut device = DeviceSettings {
        client_id: req.provision.thing.clone(),
        ..req.device.clone()
    };
    if device.endpoint.trim().is_empty() {
        on_step(Step::Endpoint);
        device.endpoint = rt.block_on(provision::ats_endpoint(&req.provision.account))?;
    }
    let prepare = |board_key: BoardKey, credentials_only: bool| {
        let mut r = job::Request::new(&req.analysis, Target::Thingflash);
        r.device = device.clone();
        r.image = req.image.clone();
        r.board_key = board_key;
        r.credentials_only = credentials_only;
        job::prepare(&r).map_err(BoardKeyError::Refused)
    };
    // Everything that can be refused is, before a byte is written.
    let first = prepare(
        BoardKey::Board {
            cert_der: None,
            new_key: req.new_key,
        },
        false,
    )?;
    let flashed = first.run(link, &mut |e| on_step(Step::Flashing(e)))?;
    on_step(Step::ReadingRequest);
    let monitor = MonitorConfig {
        port: link.port.clone(),
        baud: crate::chip::FIRMWARE_BAUD,
        reset: false,
        boot_baud: None,
    };
    let csr = read_request(monitor.clone(), REQUEST_TIMEOUT)?;
    let preq = provision::Request {
        board_csr: Some(csr),
        ..req.provision.clone()
    };
    // A certificate for another key is refused (and removed) inside: nothing is written.
    let provisioned = rt.block_on(provision::provision(&preq, |p| on_step(Step::Aws(p))))?;
    let cert_der = pem_der(&provisioned.certificate_pem);
    let second = prepare(
        BoardKey::Board {
            cert_der,
            new_key: false,
        },
        true,
    )?;
    let certified = second.run(link, &mut |e| on_step(Step::WritingCertificate(e)))?;
    if let Some(limit) = req.wait_connected {
        on_step(Step::Connecting);
        wait::until(monitor, Decoder::default(), Light::Mqtt, limit)?;
    }
    Ok(Outcome {
        provisioned,
        flashed,
        certified,
    })
}

/// The DER of a PEM certificate.
pub fn pem_der(pem: &str) -> Option<Vec<u8>> {
    x509_parser::pem::parse_x509_pem(pem.as_bytes())
        .ok()
        .map(|(_, p)| p.contents)
}
