//! Writing a [`Plan`] to a board: open the port, connect to the ROM loader (with the
//! flasher stub, so data goes compressed), check chip, revision and flash size, write every
//! segment in one pass, verify each by MD5 and reset into the app. Blocking: callers run it
//! on a worker thread and receive [`Event`]s through a callback (the GUI forwards them over
//! a channel, the CLI prints them). [`own`] writes credentials beside the user's own
//! firmware instead.

pub mod esp8266;
pub mod own;

use std::time::{Duration, Instant};

use espflash::connection::{Connection, ResetAfterOperation, ResetBeforeOperation};
use espflash::flasher::Flasher;
use espflash::target::ProgressCallbacks;
use serde::Serialize;

use crate::bundle::{self, BundleError, FlashSize, Plan, RevisionRange};
use crate::chip::Chip;

/// How to get the chip into its ROM loader before flashing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Before {
    /// Pulse DTR/RTS (USB bridges and the built-in USB-JTAG/serial).
    #[default]
    Default,
    /// Do nothing: the board is already in download mode (BOOT held at reset).
    NoReset,
}

/// What to do with the chip after flashing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum After {
    /// Reset into the new firmware.
    #[default]
    HardReset,
    /// Leave the chip in the loader.
    NoReset,
}

/// Options for one flash run.
#[derive(Clone, Debug)]
pub struct FlashOptions {
    /// Serial port.
    pub port: String,
    /// Baud rate for the transfer (the connection starts at 115200).
    pub baud: u32,
    /// Reset before.
    pub before: Before,
    /// Reset after.
    pub after: After,
    /// Verify each segment by MD5 after writing.
    pub verify: bool,
    /// Flash even when the chip revision is outside what the images declare.
    pub force: bool,
    /// Write only the credentials partition (the board must hold thingflash's table).
    pub credentials_only: bool,
    /// The chip the user asked for; `None` takes the detected one.
    pub chip: Option<Chip>,
}

impl FlashOptions {
    /// Defaults for `port`.
    pub fn new(port: impl Into<String>) -> Self {
        Self {
            port: port.into(),
            baud: 921_600,
            before: Before::Default,
            after: After::HardReset,
            verify: true,
            force: false,
            credentials_only: false,
            chip: None,
        }
    }
}

/// What the loader told us about the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BoardInfo {
    /// The chip.
    pub chip: Chip,
    /// Revision `major * 100 + minor`, when the chip reports it.
    pub revision: Option<u16>,
    /// Flash size in bytes, when detected.
    pub flash_bytes: Option<u32>,
    /// Base MAC address.
    pub mac: Option<String>,
}

impl BoardInfo {
    /// `ESP32-C3 rev v0.4, 4 MB flash, MAC aa:bb:..`
    pub fn summary(&self) -> String {
        let mut s = self.chip.label().to_string();
        if let Some(r) = self.revision {
            s.push_str(&format!(" rev v{}.{}", r / 100, r % 100));
        }
        if let Some(b) = self.flash_bytes {
            s.push_str(&format!(", {} MB flash", b >> 20));
        }
        if let Some(m) = &self.mac {
            s.push_str(&format!(", MAC {m}"));
        }
        s
    }
}

/// Where a write stands. Sizes are the plan's bytes (before compression).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Progress {
    /// Segment being written.
    pub segment: &'static str,
    /// Its index among the segments written in this run (0-based).
    pub index: usize,
    /// How many segments this run writes.
    pub count: usize,
    /// Bytes of this segment done.
    pub segment_done: usize,
    /// Bytes in this segment.
    pub segment_total: usize,
    /// Bytes done over the whole run.
    pub done: usize,
    /// Bytes in the whole run.
    pub total: usize,
    /// Since the write started.
    pub elapsed: Duration,
    /// Checking this segment's MD5.
    pub verifying: bool,
}

impl Progress {
    /// Fraction done, 0..=1.
    pub fn fraction(&self) -> f32 {
        if self.total == 0 {
            1.0
        } else {
            self.done as f32 / self.total as f32
        }
    }

    /// Bytes per second so far.
    pub fn rate(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 { self.done as f64 / s } else { 0.0 }
    }

    /// Time left at the rate so far.
    pub fn eta(&self) -> Option<Duration> {
        let rate = self.rate();
        (rate > 0.0).then(|| Duration::from_secs_f64((self.total - self.done) as f64 / rate))
    }

    /// `app 412/1024 KiB, total 40%, 210 KiB/s, 3 s left`
    pub fn line(&self) -> String {
        let kib = |b: usize| b.div_ceil(1024);
        let mut s = format!(
            "{} {}/{} KiB, total {:.0}%, {} KiB/s",
            self.segment,
            kib(self.segment_done),
            kib(self.segment_total),
            self.fraction() * 100.0,
            (self.rate() / 1024.0).round()
        );
        if self.verifying {
            s.push_str(", verifying");
        } else if let Some(eta) = self.eta() {
            s.push_str(&format!(", {} s left", eta.as_secs()));
        }
        s
    }
}

/// What happens during a run, in order.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Opening the port and syncing with the loader.
    Connecting {
        /// The port.
        port: String,
    },
    /// The loader answered.
    Connected(BoardInfo),
    /// Reading the board's partition table (credentials-only).
    ReadingTable,
    /// Bytes are going out.
    Progress(Progress),
    /// Everything is written (and verified when asked).
    Done(Report),
    /// Reading a partition (own firmware: before changing it, and after, to check it).
    ReadingPartition {
        /// Its label.
        label: String,
        /// Offset.
        offset: u32,
        /// Bytes.
        size: u32,
    },
    /// What the partition will hold (own firmware), before anything is written.
    Planned {
        /// Its label.
        label: String,
        /// Files (or records) it holds now.
        before: Vec<crate::fs::FileEntry>,
        /// Files it will hold.
        after: Vec<crate::fs::FileEntry>,
        /// A new file system is created.
        formatted: bool,
        /// Bytes to write (whole sectors).
        bytes: usize,
    },
    /// Something the user should know about this run (ESP8266 ROM mode: nothing can be
    /// verified).
    Notice {
        /// The sentence.
        message: String,
    },
    /// The partition read back holds every file as meant (own firmware).
    Verified {
        /// Its label.
        label: String,
        /// What it holds.
        files: Vec<crate::fs::FileEntry>,
    },
}

/// The outcome of a successful run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The board.
    pub board: BoardInfo,
    /// `(name, address, bytes)` of every segment written.
    pub written: Vec<(&'static str, u32, usize)>,
    /// Time spent writing (after connecting).
    pub write_time: Duration,
    /// Whether each segment's MD5 was checked.
    pub verified: bool,
}

/// Why a flash run failed. Each message says what to do; nothing was claimed written.
#[derive(Debug, thiserror::Error)]
pub enum FlashError {
    /// No such port.
    #[error(
        "{port} is not there: plug the board in with a data cable, then pick its port (`thingflash ports` lists them)"
    )]
    PortMissing {
        /// The port.
        port: String,
    },
    /// Permission denied on the port.
    #[error(
        "{port}: permission denied. On Linux add yourself to the dialout group (`sudo usermod -aG dialout $USER`, then log out and in) or install a udev rule for the board"
    )]
    PermissionDenied {
        /// The port.
        port: String,
    },
    /// Someone else has the port open.
    #[error(
        "{port} is busy: another program has it open (the Arduino IDE's serial monitor, PuTTY, screen, minicom, another thingflash). Close it and flash again"
    )]
    PortBusy {
        /// The port.
        port: String,
    },
    /// The port would not open for another reason.
    #[error("cannot open {port}: {detail}")]
    PortOpen {
        /// The port.
        port: String,
        /// What the OS said.
        detail: String,
    },
    /// The ROM loader did not answer.
    #[error(
        "the board on {port} did not answer the flashing handshake ({detail}). Put it in download mode: hold BOOT, press and release RESET, release BOOT, then flash again (with --before no-reset if the port cannot reset it)"
    )]
    NoSync {
        /// The port.
        port: String,
        /// What espflash saw.
        detail: String,
    },
    /// The ESP8266 loader did not answer.
    #[error(
        "the board on {port} did not answer the ESP8266 loader's handshake ({detail}). Put it in download mode: hold FLASH (GPIO0) down, press and release RESET, release FLASH, then flash again with --before no-reset (in the window: \"The port cannot reset the board\"). ESP-01 and bare modules have no buttons: tie GPIO0 to GND while powering up"
    )]
    Esp8266NoSync {
        /// The port.
        port: String,
        /// What was seen.
        detail: String,
    },
    /// An ESP8266 target, another chip on the port.
    #[error(
        "this board is an {found}, not an ESP8266: pick the ESP32-family target for your sketch (arduino-littlefs or arduino-spiffs; in the window \"Arduino sketch reading ... files\")"
    )]
    NotEsp8266 {
        /// The chip found.
        found: String,
    },
    /// An ESP32-family target, an ESP8266 on the port.
    #[error(
        "this board is an ESP8266: pick an ESP8266 target (esp8266-spiffs for the classic AWS IoT guide's sketch, or esp8266-littlefs; in the window \"ESP8266 sketch reading ...\") and the flash layout the sketch was built with"
    )]
    IsEsp8266,
    /// ROM mode without a stub cannot read the board's files.
    #[error(
        "the ESP8266 on {port} is running without the flasher stub, so its flash cannot be read and the files already in its file system cannot be kept. Flash again without --no-stub (if the board refused the stub, power-cycle it into download mode and retry), or, if nothing on it matters, add --format to write a new file system holding only the credentials"
    )]
    Esp8266CannotRead {
        /// The port.
        port: String,
    },
    /// The board is another chip than the plan is for.
    #[error(
        "this board is an {found}, but the firmware chosen is for {expected}: pick {found} as the chip (or leave the chip unset to use the detected one)"
    )]
    WrongChip {
        /// The chip asked for.
        expected: Chip,
        /// The chip found.
        found: String,
    },
    /// The firmware does not run on this chip.
    #[error(
        "this board is an {found}; thingflash's firmware runs on the ESP32-C3 and ESP32-C6 only"
    )]
    UnsupportedChip {
        /// The chip found.
        found: String,
    },
    /// The flash chip is smaller than the plan.
    #[error("the board has {found} KiB of flash; thingflash's layout needs {needed} KiB")]
    FlashTooSmall {
        /// Detected KiB.
        found: u32,
        /// Needed KiB.
        needed: u32,
    },
    /// The chip revision is outside the images' range.
    #[error("this chip is revision v{}.{}; the bootloader and firmware declare {range}. It may not boot. Flash anyway with --force (like esptool's --force), or use a newer board", .found / 100, .found % 100)]
    ChipRevision {
        /// Found revision.
        found: u16,
        /// What the images accept.
        range: RevisionRange,
    },
    /// Credentials-only, but the board's table is not thingflash's.
    #[error("cannot rewrite only the credentials: {0}. Do a full flash first")]
    IncompatibleTable(String),
    /// The plan could not be made.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// The ESP8266 flash layout does not fit this board.
    #[error(transparent)]
    Layout(#[from] crate::esp8266::LayoutError),
    /// The transfer broke off.
    #[error(
        "the write to {port} broke off ({detail}): nothing is claimed written. Check the cable and the port, then flash again; a half-written board does not start the firmware until a full write succeeds"
    )]
    Interrupted {
        /// The port.
        port: String,
        /// What espflash saw.
        detail: String,
    },
    /// The credentials cannot go onto this board (own firmware); nothing was written.
    #[error(transparent)]
    Own(Box<crate::own::OwnError>),
    /// The user's firmware image is for another chip.
    #[error(
        "the firmware image was built for {image}, but this board is an {found}: build or export it for {found} (Arduino: Tools > Board), or connect the board it was built for"
    )]
    ImageForOtherChip {
        /// The image's chip.
        image: String,
        /// The board's chip.
        found: String,
    },
    /// A write into the user's partition broke off.
    #[error(
        "the write to {port} broke off ({detail}). State: {state}. Check the cable and the port, then run the same flash again"
    )]
    PartitionInterrupted {
        /// The port.
        port: String,
        /// What espflash saw.
        detail: String,
        /// What the partition holds now, as far as can be told.
        state: String,
    },
    /// The MD5 read back differs.
    #[error(
        "the flash on {port} does not read back what was written ({detail}): try a lower --baud or another cable, then flash again"
    )]
    Verify {
        /// The port.
        port: String,
        /// What espflash saw.
        detail: String,
    },
}

fn open_error(port: &str, e: serialport::Error) -> FlashError {
    use crate::ports::OpenFailure;
    let failure = crate::ports::open_failure(port, &e);
    let port = port.to_string();
    match failure {
        OpenFailure::Busy => FlashError::PortBusy { port },
        OpenFailure::Missing => FlashError::PortMissing { port },
        OpenFailure::PermissionDenied => FlashError::PermissionDenied { port },
        OpenFailure::Other => FlashError::PortOpen {
            port,
            detail: e.to_string(),
        },
    }
}

fn detail(e: &espflash::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

fn connect_error(port: &str, e: espflash::Error) -> FlashError {
    match e {
        // espflash only raises it for a chip it was asked for, which is one of ours.
        espflash::Error::ChipMismatch(expected, found) => match Chip::from_name(&expected) {
            Some(expected) => FlashError::WrongChip {
                expected,
                found: Chip::from_name(&found).map_or(found, |c| c.label().to_string()),
            },
            None => FlashError::NoSync {
                port: port.to_string(),
                detail: format!("the loader is an {found}, not the {expected} asked for"),
            },
        },
        e => FlashError::NoSync {
            port: port.to_string(),
            detail: detail(&e),
        },
    }
}

fn write_error(port: &str, e: espflash::Error) -> FlashError {
    let port = port.to_string();
    match e {
        espflash::Error::VerifyFailed | espflash::Error::DigestMismatch(..) => FlashError::Verify {
            port,
            detail: detail(&e),
        },
        e => FlashError::Interrupted {
            port,
            detail: detail(&e),
        },
    }
}

/// USB identity for espflash's reset strategy (the built-in USB-JTAG/serial resets
/// differently from a UART bridge); blank for ports that are not USB.
fn usb_info(port: &str) -> serialport::UsbPortInfo {
    serialport::available_ports()
        .unwrap_or_default()
        .into_iter()
        .find(|p| p.port_name == port)
        .and_then(|p| match p.port_type {
            serialport::SerialPortType::UsbPort(u) => Some(u),
            _ => None,
        })
        .unwrap_or(serialport::UsbPortInfo {
            vid: 0,
            pid: 0,
            serial_number: None,
            manufacturer: None,
            product: None,
        })
}

/// Who is on the port: the chip, its revision, flash size and MAC, read from its loader
/// without writing anything (a fleet binds each board to its MAC before any step).
pub fn identify(opts: &FlashOptions) -> Result<BoardInfo, FlashError> {
    match connect(opts) {
        Ok((_, board)) => Ok(board),
        Err(FlashError::IsEsp8266) => esp8266::connect(opts).map(|(_, board, _)| board),
        Err(e) => Err(e),
    }
}

/// Connect to the board's loader, with the stub.
fn connect(opts: &FlashOptions) -> Result<(Flasher, BoardInfo), FlashError> {
    let serial = serialport::new(&opts.port, 115_200)
        .timeout(Duration::from_secs(3))
        .open_native()
        .map_err(|e| open_error(&opts.port, e))?;
    let before = match opts.before {
        Before::Default => ResetBeforeOperation::DefaultReset,
        Before::NoReset => ResetBeforeOperation::NoReset,
    };
    let after = match opts.after {
        After::HardReset => ResetAfterOperation::HardReset,
        After::NoReset => ResetAfterOperation::NoReset,
    };
    let connection = Connection::new(serial, usb_info(&opts.port), after, before, 115_200);
    let mut flasher = Flasher::connect(
        connection,
        true,
        opts.verify,
        false,
        opts.chip.and_then(Chip::espflash),
        Some(opts.baud),
    )
    .map_err(|e| match e {
        // espflash names only the ESP32 family: see whether the ROM is an ESP8266's.
        espflash::Error::ChipDetectError(_) if esp8266::is_esp8266(opts) => FlashError::IsEsp8266,
        e => connect_error(&opts.port, e),
    })?;
    let info = flasher
        .device_info()
        .map_err(|e| connect_error(&opts.port, e))?;
    let chip = Chip::from_espflash(info.chip).ok_or_else(|| FlashError::UnsupportedChip {
        found: info.chip.to_string(),
    })?;
    let board = BoardInfo {
        chip,
        revision: info.revision.map(|(a, b)| (a * 100 + b) as u16),
        flash_bytes: Some(info.flash_size.size()),
        mac: info.mac_address,
    };
    Ok((flasher, board))
}

/// Turns espflash's per-segment chunk counts into bytes of the plan.
struct Tracker<'a> {
    sizes: Vec<(&'static str, usize)>,
    index: Option<usize>,
    chunks: usize,
    started: Instant,
    on_event: &'a mut dyn FnMut(Event),
}

impl Tracker<'_> {
    fn emit(&mut self, chunk: usize, verifying: bool) {
        let Some(i) = self.index else { return };
        let Some(&(name, len)) = self.sizes.get(i) else {
            return;
        };
        let segment_done = (len * chunk.min(self.chunks))
            .checked_div(self.chunks)
            .unwrap_or(len);
        let before: usize = self.sizes[..i].iter().map(|s| s.1).sum();
        let p = Progress {
            segment: name,
            index: i,
            count: self.sizes.len(),
            segment_done,
            segment_total: len,
            done: before + segment_done,
            total: self.sizes.iter().map(|s| s.1).sum(),
            elapsed: self.started.elapsed(),
            verifying,
        };
        (self.on_event)(Event::Progress(p));
    }
}

impl ProgressCallbacks for Tracker<'_> {
    fn init(&mut self, _addr: u32, total: usize) {
        self.index = Some(self.index.map_or(0, |i| i + 1));
        self.chunks = total;
        self.emit(0, false);
    }

    fn update(&mut self, current: usize) {
        self.emit(current, false);
    }

    fn verifying(&mut self) {
        self.emit(self.chunks, true);
    }

    fn finish(&mut self, _skipped: bool) {
        self.emit(self.chunks, false);
    }
}

/// Check a partition table read from a board before rewriting only the credentials.
pub fn check_board_table(table: &[u8]) -> Result<(), FlashError> {
    match bundle::find_credentials_partition(table) {
        Ok((bundle::CREDENTIALS_OFFSET, size)) if size >= bundle::CREDENTIALS_SIZE => Ok(()),
        Ok((offset, size)) => Err(FlashError::IncompatibleTable(format!(
            "the board's esp_secure_cert partition is at {offset:#x} ({size} bytes), thingflash writes {} bytes at {:#x}",
            bundle::CREDENTIALS_SIZE,
            bundle::CREDENTIALS_OFFSET
        ))),
        Err(why) => Err(FlashError::IncompatibleTable(why)),
    }
}

/// Whether a binary partition table read from a board has thingflash's key partition
/// where thingflash keeps it.
fn has_key_partition(table: &[u8]) -> bool {
    crate::partitions::parse(table, bundle::TABLE_OFFSET)
        .ok()
        .and_then(|t| {
            t.find(thingflash_protocol::device_key::PARTITION_LABEL)
                .map(|p| p.offset)
        })
        == Some(bundle::KEY_OFFSET)
}

fn read_table(flasher: &mut Flasher, port: &str) -> Result<Vec<u8>, FlashError> {
    read_region(flasher, port, bundle::TABLE_OFFSET, bundle::TABLE_LEN)
}

/// Read `len` bytes of flash at `offset` through the stub (MD5-checked by espflash).
fn read_region(
    flasher: &mut Flasher,
    port: &str,
    offset: u32,
    len: u32,
) -> Result<Vec<u8>, FlashError> {
    let fail = |detail: String| FlashError::Interrupted {
        port: port.to_string(),
        detail,
    };
    // espflash reads into a file; a private temporary one, removed on drop. One packet
    // in flight: with more, espflash's acknowledgements and esp32-mock-bootloader's
    // flow control disagree and the read stalls; on a board the cost is one round trip
    // per 4 KiB.
    let file = tempfile::NamedTempFile::new().map_err(|e| fail(e.to_string()))?;
    flasher
        .read_flash(offset, len, 0x1000, 1, file.path().to_path_buf())
        .map_err(|e| write_error(port, e))?;
    std::fs::read(file.path()).map_err(|e| fail(e.to_string()))
}

/// What reading a partition back needs from a loader, whichever protocol it speaks
/// (espflash for the ESP32 family, thingflash's own client for the ESP8266): the stub's
/// MD5 of a range and an MD5-checked read.
pub(crate) trait ReadFlash {
    /// MD5 of `len` bytes at `offset`, big-endian as a number.
    fn md5(&mut self, offset: u32, len: u32) -> Result<u128, FlashError>;
    /// `len` bytes at `offset`.
    fn read(&mut self, offset: u32, len: u32) -> Result<Vec<u8>, FlashError>;
}

/// espflash's flasher, with the port name for its errors.
pub(crate) struct EspflashReader<'a> {
    pub(crate) flasher: &'a mut Flasher,
    pub(crate) port: &'a str,
}

impl ReadFlash for EspflashReader<'_> {
    fn md5(&mut self, offset: u32, len: u32) -> Result<u128, FlashError> {
        self.flasher
            .checksum_md5(offset, len)
            .map_err(|e| write_error(self.port, e))
    }
    fn read(&mut self, offset: u32, len: u32) -> Result<Vec<u8>, FlashError> {
        read_region(self.flasher, self.port, offset, len)
    }
}

/// Flash a board. `make_plan` builds the plan once the chip and flash size are known;
/// `on_event` hears every step. Returns only after the last byte is written and verified.
pub fn run(
    opts: &FlashOptions,
    make_plan: &mut dyn FnMut(Chip, FlashSize) -> Result<Plan, BundleError>,
    on_event: &mut dyn FnMut(Event),
) -> Result<Report, FlashError> {
    on_event(Event::Connecting {
        port: opts.port.clone(),
    });
    let (mut flasher, board) = connect(opts)?;
    on_event(Event::Connected(board.clone()));

    let chip = board.chip;
    if !chip.runs_thingflash() {
        return Err(FlashError::UnsupportedChip {
            found: chip.label().to_string(),
        });
    }
    if let Some(expected) = opts.chip
        && expected != chip
    {
        return Err(FlashError::WrongChip {
            expected,
            found: chip.label().to_string(),
        });
    }
    let flash_bytes = board.flash_bytes.unwrap_or(4 << 20);
    let size = FlashSize::from_bytes(flash_bytes).ok_or(FlashError::FlashTooSmall {
        found: flash_bytes / 1024,
        needed: bundle::FLASH_END / 1024,
    })?;
    let plan = make_plan(chip, size)?;

    if let Some(rev) = board.revision {
        let range = plan.revisions();
        if !range.contains(rev) && !opts.force {
            return Err(FlashError::ChipRevision { found: rev, range });
        }
    }

    let board_key = plan.segment(bundle::KEY_SEGMENT).is_some();
    let segments: Vec<&bundle::Segment> = if opts.credentials_only {
        on_event(Event::ReadingTable);
        let table = read_table(&mut flasher, &opts.port)?;
        check_board_table(&table)?;
        if board_key && !has_key_partition(&table) {
            return Err(FlashError::IncompatibleTable(
                "the board's partition table has no tf_key partition, so it keeps no key of its own: flash the whole firmware first".into(),
            ));
        }
        plan.credentials().into_iter().collect()
    } else if board_key && !plan.new_key {
        // The board keeps the key it has: its key partition is erased only when its
        // table has none yet (new to this layout: whatever is there is not a key).
        // A table that cannot be read stops the run: guessing "new" would erase the only
        // key the board has (and orphan its certificate). A blank board reads as erased
        // bytes, which parse as no table: new.
        on_event(Event::ReadingTable);
        let keeps = has_key_partition(&read_table(&mut flasher, &opts.port)?);
        plan.segments
            .iter()
            .filter(|s| !(keeps && s.name == bundle::KEY_SEGMENT))
            .collect()
    } else {
        plan.segments.iter().collect()
    };
    let out: Vec<espflash::image_format::Segment<'_>> = segments
        .iter()
        .map(|s| espflash::image_format::Segment::new(s.addr, &s.data))
        .collect();

    let started = Instant::now();
    let mut tracker = Tracker {
        sizes: segments.iter().map(|s| (s.name, s.data.len())).collect(),
        index: None,
        chunks: 0,
        started,
        on_event,
    };
    flasher
        .write_bins_to_flash(&out, &mut tracker)
        .map_err(|e| write_error(&opts.port, e))?;
    let report = Report {
        board,
        written: segments
            .iter()
            .map(|s| (s.name, s.addr, s.data.len()))
            .collect(),
        write_time: started.elapsed(),
        verified: opts.verify,
    };
    (tracker.on_event)(Event::Done(report.clone()));
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serialport::{Error, ErrorKind};

    #[test]
    fn port_open_errors_name_the_fix() {
        let busy = open_error(
            "/dev/ttyACM0",
            Error::new(ErrorKind::NoDevice, "Device or resource busy"),
        );
        assert!(matches!(busy, FlashError::PortBusy { .. }));
        assert!(busy.to_string().contains("serial monitor"));
        let denied = open_error(
            "/dev/ttyUSB0",
            Error::new(
                ErrorKind::Io(std::io::ErrorKind::PermissionDenied),
                "Permission denied",
            ),
        );
        assert!(denied.to_string().contains("dialout"));
        let gone = open_error(
            "/dev/ttyUSB9",
            Error::new(
                ErrorKind::Io(std::io::ErrorKind::NotFound),
                "No such file or directory",
            ),
        );
        assert!(matches!(gone, FlashError::PortMissing { .. }));
        let other = open_error("COM3", Error::new(ErrorKind::InvalidInput, "bad baud"));
        assert!(matches!(other, FlashError::PortOpen { .. }));
    }

    #[test]
    fn progress_rate_eta_and_line() {
        let p = Progress {
            segment: "app",
            index: 3,
            count: 4,
            segment_done: 512 * 1024,
            segment_total: 1024 * 1024,
            done: 600 * 1024,
            total: 1200 * 1024,
            elapsed: Duration::from_secs(2),
            verifying: false,
        };
        assert_eq!(p.fraction(), 0.5);
        assert_eq!(p.rate(), 300.0 * 1024.0);
        assert_eq!(p.eta(), Some(Duration::from_secs(2)));
        assert_eq!(p.line(), "app 512/1024 KiB, total 50%, 300 KiB/s, 2 s left");
    }

    #[test]
    fn board_summary_reads_like_the_chip_label() {
        let b = BoardInfo {
            chip: Chip::Esp32c3,
            revision: Some(4),
            flash_bytes: Some(4 << 20),
            mac: Some("24:0a:c4:1f:67:7d".into()),
        };
        assert_eq!(
            b.summary(),
            "ESP32-C3 rev v0.4, 4 MB flash, MAC 24:0a:c4:1f:67:7d"
        );
    }
}
