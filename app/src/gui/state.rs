//! The window's state and its one owner, [`ThingflashApp`]: the files, settings and
//! secrets typed in, what the workers report (port watcher, flasher, serial reader, AWS
//! calls, each over a channel that calls `request_repaint`), and the [`Action`]s the
//! panels return. Panels draw; this module does.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use eframe::egui;
use serde::{Deserialize, Serialize};
use thingflash_protocol::config::DeviceConfig;
use zeroize::Zeroizing;

use super::provision::{ProvisionDialog, ProvisionMsg};
use super::worker::Worker;
use crate::credentials::{self, Analysis, CredentialSet, CredentialsError, InputFile, endpoint};
use crate::flash::{self, After, Before, BoardInfo, FlashOptions};
use crate::fs::FileEntry;
use crate::job::{self, DeviceSettings, Image, ImageKind, Refusal, RefusalKind};
use crate::monitor::log::{FilteredView, LogBuffer};
use crate::monitor::reader::{self, MonitorConfig, MonitorHandle, MonitorMsg};
use crate::monitor::{BoardStatus, Decoder};
use crate::own::{self, FirmwareImage};
use crate::partitions::Table;
use crate::ports::{self, PortInfo};
use crate::provision;
use crate::target::{NamePreset, Target};

/// Settings kept between runs. Deliberately without the WiFi password or any key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// WiFi network name.
    pub wifi_ssid: String,
    /// Endpoint as typed.
    pub endpoint: String,
    /// MQTT client id (empty: from the certificate).
    pub client_id: String,
    /// Topic prefix.
    pub topic_prefix: String,
    /// 8883 or 443.
    pub mqtt_port: u16,
    /// Seconds between telemetry messages.
    pub telemetry_s: u32,
    /// Last serial port used.
    pub serial_port: Option<String>,
    /// Monitor baud rate.
    pub baud: u32,
    /// Flashing baud rate.
    pub flash_baud: u32,
    /// The port cannot reset the board (or it is already in download mode): no DTR/RTS.
    pub no_reset: bool,
    /// What runs on the board.
    pub target: Target,
    /// File names for the Arduino targets.
    pub names: NamePreset,
    /// A custom file list (`cert=/a.der,key=/b.der,ca=/c.der`); empty: the preset.
    pub file_list: String,
    /// The ESP8266 sketch's flash layout (the Arduino "Flash Size" menu id), or `custom`.
    pub layout: String,
    /// A custom ESP8266 file-system offset and size, as typed.
    pub fs_offset: String,
    /// See `fs_offset`.
    pub fs_size: String,
}

/// The layout choice that means "the offset and size typed below".
pub(super) const CUSTOM_LAYOUT: &str = "custom";

impl Default for Settings {
    fn default() -> Self {
        Self {
            wifi_ssid: String::new(),
            endpoint: String::new(),
            client_id: String::new(),
            topic_prefix: "thingflash".into(),
            mqtt_port: 8883,
            telemetry_s: 60,
            serial_port: None,
            baud: 115_200,
            flash_baud: 921_600,
            no_reset: false,
            target: Target::Thingflash,
            names: NamePreset::ClassicDer,
            file_list: String::new(),
            layout: crate::esp8266::DEFAULT.into(),
            fs_offset: String::new(),
            fs_size: String::new(),
        }
    }
}

pub(super) const SETTINGS_KEY: &str = "thingflash-settings";

pub(super) enum FlashMsg {
    Event(job::Event),
    Finished(Result<job::Outcome, String>),
}

/// The ESP8266 sketch to write at 0x0 in the same run.
#[derive(Clone)]
pub(super) struct Sketch {
    pub(super) source: String,
    pub(super) bytes: Arc<[u8]>,
}

/// The file list of the target partition, as the flash run reported it.
#[derive(Clone, Debug, Default)]
pub struct PartitionFiles {
    /// The partition's label.
    pub label: String,
    /// Before the write.
    pub before: Vec<FileEntry>,
    /// After (planned, then as read back).
    pub after: Vec<FileEntry>,
    /// Read back and checked.
    pub verified: bool,
}

/// What the Flash section shows.
#[derive(Default)]
pub(super) struct FlashView {
    pub(super) job: Option<Worker<FlashMsg>>,
    pub(super) stage: String,
    pub(super) progress: Option<flash::Progress>,
    pub(super) board: Option<BoardInfo>,
    pub(super) result: Option<Result<String, String>>,
    /// A full flash succeeded in this session, so the board holds thingflash's layout.
    pub(super) flashed: bool,
    /// Flash even when the chip revision is outside the images' range (not persisted).
    pub(super) force: bool,
    /// Create a new file system when the partition has none (not persisted: it erases).
    pub(super) format: bool,
    /// The user's firmware image to flash first.
    pub(super) firmware: Option<Arc<FirmwareImage>>,
    /// The target partition's files, before and after.
    pub(super) files: Option<PartitionFiles>,
    /// Where the board's partition table is, as typed (empty: 0x8000).
    pub(super) table_offset: String,
    /// The board's partition table, once read (by "Read the partition table" or a flash).
    pub(super) table: Option<Table>,
    /// A table read in progress.
    pub(super) table_job: Option<Receiver<Result<(BoardInfo, Table), String>>>,
    /// What the last run said the user should know (ESP8266 ROM mode).
    pub(super) notice: Option<String>,
    /// The ESP8266 sketch dropped in, written first.
    pub(super) sketch: Option<Sketch>,
    /// Write without the flasher stub (ROM mode: nothing read, nothing verified).
    pub(super) no_stub: bool,
}

/// What the user did in a panel that the state must carry out.
pub(super) enum Action {
    /// Read these files into the credentials.
    AddPaths(Vec<std::path::PathBuf>),
    /// Forget every file.
    ClearFiles,
    /// Check the set again (a passphrase was typed).
    Reanalyse,
    /// Write cert.der, key.der and ca.der into this folder.
    ExportDer(std::path::PathBuf),
    /// Write secrets.h and the classic guide's cert.der, private.der, ca.der there.
    ExportForSketch(std::path::PathBuf),
    /// Open the serial monitor on this port.
    OpenMonitor(String),
    /// Close it.
    CloseMonitor,
    /// Flash everything, or only the credentials partition.
    Flash { credentials_only: bool },
    /// Read the board's partition table.
    ReadTable,
    /// Run the connection test from this computer.
    TestConnection,
    /// Stop it.
    StopTest,
    /// Save the raw log to this file.
    SaveLog(std::path::PathBuf),
    /// Read a saved or pasted log into the status and the raw log.
    OpenLog(std::path::PathBuf),
    /// Empty the raw log.
    ClearLog,
    /// Open the AWS dialog.
    OpenProvision,
    /// Start provisioning in AWS.
    Provision(provision::Request),
    /// Stop a provisioning run.
    CancelProvision,
    /// Save the provisioned certificate and key into this folder.
    SaveProvisioned(std::path::PathBuf),
    /// Show this step's contents (or follow the flow again with `None`).
    OpenStep(Option<super::steps::StepId>),
}

/// The whole GUI state; eframe owns it.
pub struct ThingflashApp {
    pub(super) ctx: egui::Context,
    pub(super) files: Vec<InputFile>,
    pub(super) unreadable: Vec<CredentialsError>,
    pub(super) passphrase: Zeroizing<String>,
    pub(super) analysis: Option<Analysis>,
    pub(super) settings: Settings,
    pub(super) wifi_password: Zeroizing<String>,
    pub(super) show_password: bool,
    pub(super) ports: Vec<PortInfo>,
    /// Boards' USB bridges the OS sees without a port (a missing driver).
    pub(super) unserved: Vec<ports::Unserved>,
    pub(super) ports_rx: Receiver<ports::Scan>,
    pub(super) ports_stop: Arc<AtomicBool>,
    pub(super) monitor: Option<(MonitorHandle, Receiver<MonitorMsg>)>,
    pub(super) monitor_state: String,
    pub(super) status: BoardStatus,
    pub(super) log: LogBuffer,
    pub(super) log_filter: String,
    /// The step the user opened; `None` follows the flow (the first step not done).
    pub(super) open_step: Option<super::steps::StepId>,
    /// Whether the raw log is shown.
    pub(super) log_open: bool,
    pub(super) filtered: FilteredView,
    pub(super) autoscroll: bool,
    pub(super) notice: Option<String>,
    pub(super) provision: ProvisionDialog,
    pub(super) flash: FlashView,
    pub(super) port_text: String,
    /// The firmware's ELF the user dropped, to name the functions in its crash reports.
    pub(super) elf: Option<std::path::PathBuf>,
    /// The connection test from this computer.
    pub(super) probe: ProbeView,
}

/// The connection test: its worker, the stages heard so far, the last report.
#[derive(Default)]
pub(super) struct ProbeView {
    pub(super) job: Option<(Receiver<ProbeMsg>, Arc<AtomicBool>)>,
    pub(super) stages: Vec<crate::probe::StageReport>,
    pub(super) report: Option<crate::probe::Report>,
    /// Why it could not start.
    pub(super) error: Option<String>,
    /// After a passing test, stay connected as a virtual board (not persisted).
    pub(super) stay: bool,
    /// The virtual board is running.
    pub(super) staying: bool,
    /// Its lines' decoder, kept from line to line (a decoder carries what earlier lines
    /// said: the clock set, a crash report open).
    pub(super) decoder: Decoder,
}

pub(super) enum ProbeMsg {
    Stage(crate::probe::StageReport),
    /// The test is over; the virtual board follows when asked for and the test passed.
    Done(crate::probe::Report),
    /// A line the virtual board printed.
    Line(String),
    /// The virtual board stopped (or could not start).
    Stopped(Result<(), String>),
}

impl Drop for ThingflashApp {
    fn drop(&mut self) {
        self.ports_stop.store(true, Ordering::Relaxed);
    }
}

impl ThingflashApp {
    /// Build the app, restoring non-secret settings from eframe's storage.
    pub fn new(cc: &eframe::CreationContext<'_>) -> Self {
        let settings: Settings = cc
            .storage
            .and_then(|s| eframe::get_value(s, SETTINGS_KEY))
            .unwrap_or_default();
        Self::with_settings(cc.egui_ctx.clone(), settings)
    }

    /// Build the app with given settings (tests).
    pub fn with_settings(ctx: egui::Context, settings: Settings) -> Self {
        let (ports_tx, ports_rx) = channel();
        let ports_stop = Arc::new(AtomicBool::new(false));
        let stop = ports_stop.clone();
        let wake = ctx.clone();
        // Boards come and go: list ports off the UI thread, send only changes.
        let _ = std::thread::Builder::new()
            .name("port-watcher".into())
            .spawn(move || {
                let mut last = None;
                while !stop.load(Ordering::Relaxed) {
                    let now = ports::scan();
                    if last.as_ref() != Some(&now) {
                        if ports_tx.send(now.clone()).is_err() {
                            return;
                        }
                        wake.request_repaint();
                        last = Some(now);
                    }
                    std::thread::sleep(Duration::from_millis(1500));
                }
            });
        Self {
            ctx,
            files: Vec::new(),
            unreadable: Vec::new(),
            passphrase: Zeroizing::new(String::new()),
            analysis: None,
            settings,
            wifi_password: Zeroizing::new(String::new()),
            show_password: false,
            ports: Vec::new(),
            unserved: Vec::new(),
            ports_rx,
            ports_stop,
            monitor: None,
            monitor_state: "not connected".into(),
            status: BoardStatus::default(),
            log: LogBuffer::new(crate::monitor::log::DEFAULT_CAPACITY),
            log_filter: String::new(),
            filtered: FilteredView::default(),
            open_step: None,
            log_open: false,
            autoscroll: true,
            notice: None,
            flash: FlashView::default(),
            port_text: String::new(),
            provision: ProvisionDialog::default(),
            elf: None,
            probe: ProbeView::default(),
        }
    }

    /// Stop watching for boards and show `ports` instead (screenshots and tests, where the
    /// machine's own ports would make the picture differ from machine to machine).
    pub fn freeze_ports(&mut self, ports: Vec<PortInfo>) {
        self.freeze_scan(ports::Scan {
            ports,
            unserved: Vec::new(),
        });
    }

    /// [`Self::freeze_ports`] with bridges that have no port, too.
    pub fn freeze_scan(&mut self, scan: ports::Scan) {
        self.ports_stop.store(true, Ordering::Relaxed);
        while self.ports_rx.try_recv().is_ok() {}
        self.ports = scan.ports;
        self.unserved = scan.unserved;
    }

    /// Add files by path (drop or file dialog) and re-check the set.
    pub fn add_paths(&mut self, paths: impl IntoIterator<Item = std::path::PathBuf>) {
        for path in paths {
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("elf"))
            {
                match crate::monitor::symbols::Symbolizer::load(&path) {
                    Ok(_) => {
                        self.notice = Some(format!(
                            "{}: crash reports in the monitor name its functions and lines",
                            path.display()
                        ));
                        self.elf = Some(path);
                    }
                    Err(e) => self.notice = Some(e.to_string()),
                }
                continue;
            }
            if let Some(sketch) = read_sketch(&path) {
                match sketch {
                    Ok(s) => {
                        self.notice = Some(format!(
                            "ESP8266 sketch {}: written at 0x0 before the credentials",
                            path.file_name().unwrap_or_default().to_string_lossy()
                        ));
                        self.flash.sketch = Some(s);
                    }
                    Err(e) => self.notice = Some(e),
                }
                continue;
            }
            if is_firmware_image(&path) {
                match own::read_firmware(&path) {
                    Ok(fw) => {
                        self.notice = Some(format!(
                            "firmware image {}: flashed first, then the credentials",
                            path.display()
                        ));
                        self.flash.firmware = Some(Arc::new(fw));
                    }
                    Err(e) => self.notice = Some(e.to_string()),
                }
                continue;
            }
            match credentials::read_path(&path) {
                Ok(mut f) => self.files.append(&mut f),
                Err(e) => self.unreadable.push(e),
            }
        }
        self.reanalyse();
    }

    /// Add files whose bytes are in memory.
    pub fn add_files(&mut self, files: impl IntoIterator<Item = InputFile>) {
        for f in files {
            match credentials::input::expand(f) {
                Ok(mut f) => self.files.append(&mut f),
                Err(e) => self.unreadable.push(e),
            }
        }
        self.reanalyse();
    }

    pub(super) fn reanalyse(&mut self) {
        let pass = (!self.passphrase.is_empty()).then_some(self.passphrase.as_str());
        let a = credentials::analyse(
            &self.files,
            &self.unreadable,
            time::OffsetDateTime::now_utc(),
            pass,
        );
        if self.settings.client_id.is_empty()
            && let Some(id) = credentials::default_client_id(&a)
        {
            self.settings.client_id = id;
        }
        self.analysis = Some(a);
    }

    /// The settings as they stand (what is saved between runs).
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The current analysis.
    pub fn analysis(&self) -> Option<&Analysis> {
        self.analysis.as_ref()
    }

    /// What the serial monitor is doing, in words.
    pub fn monitor_state(&self) -> &str {
        &self.monitor_state
    }

    /// The board status.
    pub fn status(&self) -> &BoardStatus {
        &self.status
    }

    /// Explain a saved or pasted log as if the board had just printed it: the status
    /// lights, the last problem, the patterns and the raw log follow it.
    pub fn load_log(&mut self, text: &str) {
        let now = Instant::now();
        for d in crate::monitor::decode_text_with(&mut self.decoder(), text) {
            self.status.apply(&d, now);
            self.log.push(d);
        }
    }

    /// A decoder with the dropped ELF's symbols (when it still loads).
    fn decoder(&self) -> Decoder {
        self.elf
            .as_deref()
            .and_then(|p| crate::monitor::symbols::Symbolizer::load(p).ok())
            .map(Decoder::with_symbols)
            .unwrap_or_default()
    }

    /// Start reading a serial port.
    pub fn connect_monitor(&mut self, port: String) {
        self.monitor = None;
        let (tx, rx) = channel();
        let wake = self.ctx.clone();
        let handle = reader::spawn(
            MonitorConfig {
                port: port.clone(),
                baud: self.settings.baud,
                reset: false,
                // The ESP8266's ROM prints at 74880 before the sketch prints at its own
                // speed; the reader follows the board between the two.
                boot_baud: self.settings.target.needs().boot_baud,
            },
            self.decoder(),
            tx,
            move || wake.request_repaint(),
        );
        self.settings.serial_port = Some(port.clone());
        self.monitor_state = format!("opening {port}");
        self.monitor = Some((handle, rx));
    }

    /// The settings thingflash's firmware reads, as typed.
    fn device_settings(&self) -> DeviceSettings {
        let s = &self.settings;
        DeviceSettings {
            wifi_ssid: s.wifi_ssid.clone(),
            wifi_password: self.wifi_password.clone(),
            endpoint: s.endpoint.clone(),
            client_id: s.client_id.clone(),
            topic_prefix: s.topic_prefix.clone(),
            mqtt_port: s.mqtt_port,
            telemetry_s: s.telemetry_s,
        }
    }

    /// The device config the firmware will read, or why it cannot be made.
    pub(super) fn device_config(&self) -> Result<DeviceConfig, String> {
        job::device_config(self.analysis.as_ref(), &self.device_settings()).map_err(|r| r.line())
    }

    /// The one operation's request, as the window's settings give it; `Err` holds what
    /// the window's own fields say (a number typed that does not read).
    pub fn job_request(&self) -> Result<job::Request<'_>, Vec<String>> {
        let Some(a) = &self.analysis else {
            return Err(vec!["drop the certificate files first".into()]);
        };
        let s = &self.settings;
        let needs = s.target.needs();
        let mut typed = Vec::new();
        let mut req = job::Request::new(a, s.target);
        req.device = self.device_settings();
        req.names = s.names;
        req.file_list = Some(s.file_list.clone());
        req.format = self.flash.format;
        match self.table_offset() {
            Ok(o) => req.table_offset = o,
            Err(e) if needs.partition_table => typed.push(e),
            Err(_) => {}
        }
        if needs.flash_layout {
            match self.layout_choice() {
                Ok(l) => req.layout = Some(l),
                Err(e) => typed.push(e),
            }
        }
        req.stub = !(needs.rom_mode && self.flash.no_stub);
        req.image = match s.target.image_kind() {
            ImageKind::Firmware => self
                .flash
                .firmware
                .clone()
                .map_or(Image::None, Image::Firmware),
            ImageKind::Sketch => self
                .flash
                .sketch
                .as_ref()
                .map_or(Image::None, |s| Image::Sketch(s.bytes.clone())),
            ImageKind::Elf => Image::None,
        };
        if typed.is_empty() {
            Ok(req)
        } else {
            Err(typed)
        }
    }

    /// Why Flash cannot be clicked now, in the order of the flow's steps (the first is
    /// what to do next); empty when it could be.
    pub fn flash_blockers(&self) -> Vec<String> {
        let (mut files, mut rest) = (Vec::new(), Vec::new());
        match self.job_request().map(|r| job::prepare(&r).err()) {
            Err(typed) => rest = typed,
            Ok(Some(refusals)) => {
                for r in refusals {
                    if r.kind == RefusalKind::Credentials {
                        files.push(r.line());
                    } else {
                        rest.push(r.line());
                    }
                }
            }
            Ok(None) => {}
        }
        if self.analysis.is_none() {
            files = std::mem::take(&mut rest);
        }
        let mut out = files;
        if self.settings.serial_port.is_none() {
            out.push("choose the board's serial port".into());
        }
        out.extend(rest);
        if self.flash.job.is_some() {
            out.push("a flash is running".into());
        }
        out
    }

    /// The target partition's files from the last flash run.
    pub fn partition_files(&self) -> Option<&PartitionFiles> {
        self.flash.files.as_ref()
    }

    /// Why "Re-provision credentials only" cannot be clicked, or `None` when it can.
    pub fn credentials_only_blocker(&self) -> Option<String> {
        if let Some(first) = self.flash_blockers().into_iter().next() {
            return Some(first);
        }
        let runs_thingflash = self.flash.flashed || self.status.firmware.is_some();
        (!runs_thingflash).then(|| {
            "the board must already run thingflash: flash it once, or open the monitor and reset it so that thingflash sees it boot".into()
        })
    }

    /// The flash in progress, if any: where it stands.
    pub fn flash_progress(&self) -> Option<&flash::Progress> {
        self.flash.progress.as_ref()
    }

    /// The last flash outcome: `Ok(summary)` or `Err(reason)`.
    pub fn flash_result(&self) -> Option<&Result<String, String>> {
        self.flash.result.as_ref()
    }

    /// Whether a flash is running.
    pub fn flashing(&self) -> bool {
        self.flash.job.is_some()
    }

    /// Flash the board on the chosen port (everything, or only the credentials): the one
    /// operation, prepared here and run on the flasher thread.
    pub fn start_flash(&mut self, credentials_only: bool) {
        let blocked = if credentials_only {
            self.credentials_only_blocker()
        } else {
            self.flash_blockers().into_iter().next()
        };
        if let Some(why) = blocked {
            self.flash.result = Some(Err(why));
            return;
        }
        let Some(port) = self.settings.serial_port.clone() else {
            return;
        };
        let prepared = match self.job_request() {
            Ok(mut req) => {
                req.credentials_only = credentials_only;
                job::prepare(&req).map_err(|r| r.first().map(Refusal::line).unwrap_or_default())
            }
            Err(typed) => Err(typed.join("; ")),
        };
        let job = match prepared {
            Ok(j) => j,
            Err(e) => {
                self.flash.result = Some(Err(e));
                return;
            }
        };
        let link = self.link(port);
        // The flasher has the port to itself.
        self.monitor = None;
        self.monitor_state = "closed for flashing".into();
        self.flash.files = None;
        let spawned = Worker::spawn("flasher", &self.ctx, move |out| {
            let events = out.clone();
            let r = job.run(&link, &mut |e| {
                events.send(FlashMsg::Event(e));
            });
            out.send(FlashMsg::Finished(r.map_err(|e| e.to_string())));
        });
        match spawned {
            Ok(w) => {
                self.flash.job = Some(w);
                self.flash.stage = "starting".into();
                self.flash.progress = None;
                self.flash.result = None;
                self.flash.notice = None;
            }
            Err(e) => self.flash.result = Some(Err(e)),
        }
    }

    /// How to reach the board: the port and the window's flashing options.
    fn link(&self, port: String) -> FlashOptions {
        let (before, after) = if self.settings.no_reset {
            (Before::NoReset, After::NoReset)
        } else {
            (Before::Default, After::HardReset)
        };
        FlashOptions {
            baud: self.settings.flash_baud,
            before,
            after,
            force: self.flash.force,
            ..FlashOptions::new(port)
        }
    }

    /// The ESP8266 layout chosen, or the offset and size typed.
    fn layout_choice(&self) -> Result<job::Layout, String> {
        if self.settings.layout != CUSTOM_LAYOUT {
            return Ok(job::Layout::Named(self.settings.layout.clone()));
        }
        let number = |what: &str, t: &str| {
            own::parse_offset(t.trim()).ok_or_else(|| {
                format!("type the file system's {what} (hex like 0x200000, or decimal)")
            })
        };
        Ok(job::Layout::Custom {
            offset: number("offset", &self.settings.fs_offset)?,
            size: number("size", &self.settings.fs_size)?,
        })
    }

    /// The ESP8266 file-system region: the chosen layout, or the offset and size typed.
    pub fn esp8266_region(&self) -> Result<crate::esp8266::Region, String> {
        job::region(&self.layout_choice()?).map_err(|r| r.message)
    }

    fn poll_flash(&mut self) {
        let Some(worker) = &mut self.flash.job else {
            return;
        };
        let mut finished = None;
        for msg in worker.drain() {
            match msg {
                FlashMsg::Event(e) => self.flash.apply(e),
                FlashMsg::Finished(r) => finished = Some(r),
            }
        }
        let Some(r) = finished else {
            return;
        };
        self.flash.job = None;
        self.flash.result = Some(r.map(|o| {
            if let Some(t) = o.table() {
                self.flash.table = Some(t.clone());
            }
            self.flash.flashed |= o.flashed_thingflash();
            let next = if self.settings.no_reset {
                "Press RESET on the board to start it."
            } else {
                "The board is restarting; its log follows below."
            };
            format!("{} {next}", o.summary())
        }));
        // Watch the board start (or report what went wrong) right away.
        if let Some(port) = self.settings.serial_port.clone() {
            self.status = BoardStatus::default();
            self.connect_monitor(port);
        }
    }

    /// Where the partition table is: the typed offset, or 0x8000.
    pub fn table_offset(&self) -> Result<u32, String> {
        let t = self.flash.table_offset.trim();
        if t.is_empty() {
            return Ok(crate::partitions::DEFAULT_OFFSET);
        }
        own::parse_offset(t)
            .filter(|o| o % 0x1000 == 0)
            .ok_or_else(|| {
                format!(
                    "{t:?} is not a partition table offset (0x8000, or another multiple of 0x1000)"
                )
            })
    }

    /// The board's partition table, when read.
    pub fn board_table(&self) -> Option<&Table> {
        self.flash.table.as_ref()
    }

    /// Why the connection test cannot start now; `None` when it can.
    pub fn probe_blocker(&self) -> Option<String> {
        let Some(a) = &self.analysis else {
            return Some("drop the certificate files first".into());
        };
        if let Some(r) = a.blocking_reasons().into_iter().next() {
            return Some(r);
        }
        let e = endpoint::check_endpoint(&self.settings.endpoint);
        if e.host.is_none() {
            return Some(
                e.findings
                    .first()
                    .map(|f| format!("{} ({})", f.message, f.fix))
                    .unwrap_or_else(|| "enter the endpoint in step 3".into()),
            );
        }
        if self.settings.client_id.trim().is_empty() {
            return Some("enter the client id (the thing name) in step 3".into());
        }
        self.probe
            .job
            .is_some()
            .then(|| "a connection test is running".into())
    }

    /// The connection test's stages so far (or of the last run).
    pub fn probe_stages(&self) -> &[crate::probe::StageReport] {
        &self.probe.stages
    }

    /// The last finished connection test.
    pub fn probe_report(&self) -> Option<&crate::probe::Report> {
        self.probe.report.as_ref()
    }

    /// Whether a connection test (or the virtual board after it) is running.
    pub fn probing(&self) -> bool {
        self.probe.job.is_some()
    }

    /// Whether a board (a serial monitor or the virtual board) is feeding the status
    /// panel live; a loaded log is not, so its boot has no age to count.
    pub fn live(&self) -> bool {
        self.monitor.is_some() || self.probe.staying
    }

    /// Whether the virtual board is connected and publishing.
    pub fn staying(&self) -> bool {
        self.probe.staying
    }

    fn start_probe(&mut self) {
        self.probe.error = self.probe_blocker();
        if self.probe.error.is_some() {
            return;
        }
        let creds = match self.analysis.as_ref().map(CredentialSet::from_analysis) {
            Some(Ok(c)) => c,
            Some(Err(e)) => {
                self.probe.error = Some(e.to_string());
                return;
            }
            None => return,
        };
        let e = endpoint::check_endpoint(&self.settings.endpoint);
        let Some(host) = e.host else {
            return;
        };
        let req = crate::probe::Request {
            host,
            port: e.port.unwrap_or(self.settings.mqtt_port),
            client_id: self.settings.client_id.trim().to_string(),
            topic_prefix: self.settings.topic_prefix.clone(),
            limit: Duration::from_secs(10),
            alpn: None,
        };
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = channel();
        let wake = self.ctx.clone();
        let stop = cancel.clone();
        let stay = self.probe.stay;
        // The firmware's session looks at a stop request at its next event: a short
        // telemetry interval keeps "Stop" prompt (at most this many seconds).
        let telemetry_s = self.settings.telemetry_s.clamp(1, 5);
        let spawned = std::thread::Builder::new()
            .name("connection-test".into())
            .spawn(move || {
                let events = tx.clone();
                let ping = wake.clone();
                let report = crate::probe::run(&req, &creds, stop.clone(), &mut |s| {
                    let _ = events.send(ProbeMsg::Stage(s.clone()));
                    ping.request_repaint();
                });
                let passed = report.passed();
                let _ = tx.send(ProbeMsg::Done(report));
                wake.request_repaint();
                if stay && passed && !stop.load(Ordering::Relaxed) {
                    let r = crate::probe::stay(&req, &creds, telemetry_s, stop, &mut |line| {
                        let _ = events.send(ProbeMsg::Line(line.to_string()));
                        ping.request_repaint();
                    });
                    let _ = tx.send(ProbeMsg::Stopped(r));
                    wake.request_repaint();
                }
            });
        match spawned {
            Ok(_) => {
                self.probe.job = Some((rx, cancel));
                self.probe.stages.clear();
                self.probe.report = None;
                self.probe.decoder = Decoder::new();
            }
            Err(e) => self.probe.error = Some(format!("cannot start the connection test: {e}")),
        }
    }

    fn poll_probe(&mut self) {
        let mut done = false;
        let mut lines = Vec::new();
        if let Some((rx, _)) = &self.probe.job {
            while let Ok(msg) = rx.try_recv() {
                match msg {
                    ProbeMsg::Stage(s) => self.probe.stages.push(s),
                    ProbeMsg::Done(r) => {
                        self.probe.stages = r.stages.clone();
                        // The virtual board follows a passing test when asked for.
                        self.probe.staying = self.probe.stay && r.passed();
                        done = !self.probe.staying;
                        self.probe.report = Some(r);
                    }
                    ProbeMsg::Line(l) => lines.push(l),
                    ProbeMsg::Stopped(r) => {
                        self.probe.staying = false;
                        if let Err(e) = r {
                            self.probe.error = Some(e);
                        }
                        done = true;
                    }
                }
            }
        }
        // The virtual board's lines go through the monitor's decoder into the status
        // panel and the log, as a board's would.
        if !lines.is_empty() {
            let now = Instant::now();
            for l in lines {
                let decoded = self.probe.decoder.decode_owned(l);
                self.status.apply(&decoded, now);
                self.log.push(decoded);
            }
        }
        if done {
            self.probe.job = None;
        }
    }

    fn start_read_table(&mut self) {
        let Some(port) = self.settings.serial_port.clone() else {
            self.notice = Some("choose the board's serial port first".into());
            return;
        };
        let offset = match self.table_offset() {
            Ok(o) => o,
            Err(e) => {
                self.notice = Some(e);
                return;
            }
        };
        self.monitor = None;
        self.monitor_state = "closed to read the partition table".into();
        let mut opts = self.link(port);
        opts.after = After::NoReset;
        let (tx, rx) = channel();
        let wake = self.ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("table-reader".into())
            .spawn(move || {
                let r = flash::own::inspect(&opts, offset, &mut |_| {})
                    .map(|i| (i.board, i.table))
                    .map_err(|e| e.to_string());
                let _ = tx.send(r);
                wake.request_repaint();
            });
        match spawned {
            Ok(_) => self.flash.table_job = Some(rx),
            Err(e) => self.notice = Some(format!("cannot start reading: {e}")),
        }
    }

    pub(super) fn poll_workers(&mut self) {
        self.poll_flash();
        self.poll_probe();
        if let Some(rx) = &self.flash.table_job
            && let Ok(r) = rx.try_recv()
        {
            self.flash.table_job = None;
            match r {
                Ok((board, table)) => {
                    self.flash.board = Some(board);
                    self.flash.table = Some(table);
                }
                Err(e) => self.notice = Some(e),
            }
        }
        while let Ok(scan) = self.ports_rx.try_recv() {
            if !self.ports_stop.load(Ordering::Relaxed) {
                self.ports = scan.ports;
                self.unserved = scan.unserved;
            }
        }
        if let Some((_, rx)) = &self.monitor {
            let now = Instant::now();
            while let Ok(msg) = rx.try_recv() {
                match msg {
                    MonitorMsg::Connected { port } => {
                        self.monitor_state = format!("connected to {port}")
                    }
                    MonitorMsg::Disconnected { reason } => self.monitor_state = reason,
                    MonitorMsg::Notice(text) => self.notice = Some(text),
                    // Only a terminal's Ctrl-C sends it; the window closes the monitor itself.
                    MonitorMsg::StopRequested => {}
                    MonitorMsg::Lines(lines) => {
                        for d in lines {
                            self.status.apply(&d, now);
                            self.log.push(d);
                        }
                    }
                }
            }
        }
        let mut finished = None;
        if let Some(job) = &self.provision.job {
            while let Ok(msg) = job.rx.try_recv() {
                match msg {
                    ProvisionMsg::Progress(provision::Progress::Step(s)) => {
                        self.provision.lines.push(format!("... {s}"))
                    }
                    ProvisionMsg::Progress(provision::Progress::Done(r)) => {
                        self.provision.lines.push(format!(
                            "{} {} {}",
                            if r.created { "created" } else { "reused" },
                            r.kind,
                            r.id
                        ))
                    }
                    ProvisionMsg::Finished(r) => finished = Some(r),
                }
            }
        }
        if let Some(r) = finished {
            self.provision.job = None;
            if let Ok(p) = &r {
                // Straight into the credentials step: the key stays in memory until the
                // user chooses to save it.
                self.add_files([
                    InputFile::from_bytes(
                        format!("{}-certificate.pem.crt", p.thing),
                        p.certificate_pem.clone().into_bytes(),
                    ),
                    InputFile::from_bytes(
                        format!("{}-private.pem.key", p.thing),
                        p.private_key_pem.as_bytes().to_vec(),
                    ),
                ]);
                self.settings.endpoint = p.endpoint.clone();
                self.settings.client_id = p.thing.clone();
            }
            self.provision.result = Some(r);
        }
    }

    pub(super) fn take_dropped(&mut self, ctx: &egui::Context) {
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        let mut paths = Vec::new();
        let mut files = Vec::new();
        for d in dropped {
            let path = d.path().to_path_buf();
            if !path.as_os_str().is_empty() {
                paths.push(path);
            } else if let Ok(bytes) = d.bytes() {
                files.push(InputFile::from_bytes("dropped file", bytes));
            }
        }
        if !paths.is_empty() {
            self.add_paths(paths);
        }
        if !files.is_empty() {
            self.add_files(files);
        }
    }

    /// Write the set out for other firmware (DER files, and `secrets.h` when asked).
    fn export(&mut self, dir: &std::path::Path, opts: credentials::convert::ConvertOptions) {
        if let Some(a) = &self.analysis {
            self.notice = Some(match credentials::convert::write_der(a, dir, opts) {
                Ok(paths) => format!("wrote {} files into {}", paths.len(), dir.display()),
                Err(e) => e.to_string(),
            });
        }
    }

    /// Carry out what a panel returned.
    pub(super) fn apply(&mut self, action: Action) {
        match action {
            Action::AddPaths(paths) => self.add_paths(paths),
            Action::ClearFiles => {
                self.files.clear();
                self.unreadable.clear();
                self.analysis = None;
            }
            Action::Reanalyse => self.reanalyse(),
            Action::ExportDer(dir) => self.export(&dir, Default::default()),
            Action::ExportForSketch(dir) => self.export(
                &dir,
                credentials::convert::ConvertOptions {
                    secrets_h: true,
                    guide_names: true,
                    ..Default::default()
                },
            ),
            Action::OpenMonitor(port) => self.connect_monitor(port),
            Action::CloseMonitor => {
                self.monitor = None;
                self.monitor_state = "not connected".into();
            }
            Action::Flash { credentials_only } => {
                // Follow the flow again: flash progress, then the board's status.
                self.open_step = None;
                self.start_flash(credentials_only);
            }
            Action::SaveLog(path) => {
                self.notice = Some(match self.log.save(&path) {
                    Ok(()) => format!("saved the log to {}", path.display()),
                    Err(e) => format!("cannot save the log: {e}"),
                });
            }
            Action::ClearLog => self.log.clear(),
            Action::OpenLog(path) => match std::fs::read(&path) {
                Ok(bytes) => {
                    self.load_log(&String::from_utf8_lossy(&bytes));
                    self.log_open = true;
                }
                Err(e) => self.notice = Some(format!("cannot read {}: {e}", path.display())),
            },
            Action::ReadTable => self.start_read_table(),
            Action::TestConnection => self.start_probe(),
            Action::StopTest => {
                if let Some((_, cancel)) = &self.probe.job {
                    cancel.store(true, Ordering::Relaxed);
                }
            }
            Action::OpenProvision => {
                self.provision.open = true;
                self.provision.profiles = provision::profiles::list();
            }
            Action::Provision(req) => {
                self.provision.lines.clear();
                self.provision.result = None;
                self.provision.job = Some(super::provision::start(req, self.ctx.clone()));
            }
            Action::CancelProvision => {
                if let Some(job) = &mut self.provision.job
                    && let Some(c) = job.cancel.take()
                {
                    let _ = c.send(());
                }
            }
            Action::SaveProvisioned(dir) => {
                if let Some(Ok(p)) = &self.provision.result {
                    self.notice = Some(match provision::save(p, &dir) {
                        Ok(paths) => format!("saved {} files into {}", paths.len(), dir.display()),
                        Err(e) => e.to_string(),
                    });
                }
            }
            Action::OpenStep(step) => self.open_step = step,
        }
    }
}

/// A dropped `.bin` that is an ESP8266 sketch image (not a merged ESP32-family image):
/// `None` when the file is something else, the error when it cannot be read.
fn read_sketch(path: &std::path::Path) -> Option<Result<Sketch, String>> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    if !name.ends_with(".bin") || name.ends_with(".merged.bin") {
        return None;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return Some(Err(format!("cannot read {}: {e}", path.display()))),
    };
    crate::esp8266::is_sketch_image(&bytes).then(|| {
        Ok(Sketch {
            source: path.display().to_string(),
            bytes: bytes.into(),
        })
    })
}

/// Whether a dropped file is the user's firmware rather than a credential: a merged image
/// or ESP-IDF's flasher_args.json.
pub fn is_firmware_image(path: &std::path::Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".merged.bin") || name == "flasher_args.json"
}
