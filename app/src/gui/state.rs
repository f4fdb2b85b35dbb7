//! The window's state and its one owner, [`ThingflashApp`]: the settings and secrets typed
//! in, each panel's view state (which runs that panel's worker), and the [`Action`]s the
//! panels return. Panels draw; this module does: it builds the one operation's request
//! from the settings and carries actions out.

use std::time::Instant;

use eframe::egui;
use serde::{Deserialize, Serialize};
use thingflash_protocol::config::DeviceConfig;
use zeroize::Zeroizing;

use super::board::PortsView;
use super::connection::ProbeView;
use super::credentials::{CredentialsView, Dropped};
use super::flash::FlashView;
pub use super::flash::PartitionFiles;
use super::provision::{Made, ProvisionDialog};
use super::watch::WatchView;
use crate::credentials::{Analysis, InputFile};
use crate::flash::{self, After, Before, FlashOptions};
use crate::job::{self, DeviceSettings, Image, ImageKind, Refusal, RefusalKind};
use crate::monitor::reader::MonitorConfig;
use crate::monitor::{BoardStatus, Decoder};
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
    /// The window shows "Many boards" (the station) rather than one board.
    pub many_boards: bool,
    /// The station's form.
    pub fleet: super::fleet::FleetSettings,
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
            baud: crate::chip::FIRMWARE_BAUD,
            flash_baud: 921_600,
            no_reset: false,
            target: Target::Thingflash,
            names: NamePreset::ClassicDer,
            file_list: String::new(),
            layout: crate::esp8266::DEFAULT.into(),
            fs_offset: String::new(),
            fs_size: String::new(),
            many_boards: false,
            fleet: super::fleet::FleetSettings::default(),
        }
    }
}

impl Settings {
    /// The settings thingflash's firmware reads, as typed.
    pub(super) fn device(&self, wifi_password: &Zeroizing<String>) -> DeviceSettings {
        DeviceSettings {
            wifi_ssid: self.wifi_ssid.clone(),
            wifi_password: wifi_password.clone(),
            endpoint: self.endpoint.clone(),
            client_id: self.client_id.clone(),
            topic_prefix: self.topic_prefix.clone(),
            mqtt_port: self.mqtt_port,
            claim_template: String::new(),
            telemetry_s: self.telemetry_s,
        }
    }

    /// How to reach the board on `port`, with the window's flashing options.
    pub(super) fn link(&self, port: String, force: bool) -> FlashOptions {
        let (before, after) = if self.no_reset {
            (Before::NoReset, After::NoReset)
        } else {
            (Before::Default, After::HardReset)
        };
        FlashOptions {
            baud: self.flash_baud,
            before,
            after,
            force,
            ..FlashOptions::new(port)
        }
    }

    /// How the serial monitor reads `port`.
    fn monitor(&self, port: String) -> MonitorConfig {
        MonitorConfig {
            port,
            baud: self.baud,
            reset: false,
            // The ESP8266's ROM prints at 74880 before the sketch prints at its own
            // speed; the reader follows the board between the two.
            boot_baud: self.target.needs().boot_baud,
        }
    }

    /// The ESP8266 layout chosen, or the offset and size typed.
    pub(super) fn layout_choice(&self) -> Result<job::Layout, String> {
        if self.layout != CUSTOM_LAYOUT {
            return Ok(job::Layout::Named(self.layout.clone()));
        }
        let number = |what: &str, t: &str| {
            crate::own::parse_offset(t.trim()).ok_or_else(|| {
                format!("type the file system's {what} (hex like 0x200000, or decimal)")
            })
        };
        Ok(job::Layout::Custom {
            offset: number("offset", &self.fs_offset)?,
            size: number("size", &self.fs_size)?,
        })
    }
}

pub(super) const SETTINGS_KEY: &str = "thingflash-settings";

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
    Provision(Box<provision::Request>),
    /// Check the account for a key made on the board (the board is provisioned by Flash).
    UseBoardKey(Box<provision::Request>),
    /// Use certificate files again rather than a key made on the board.
    DropBoardKey,
    /// Stop a provisioning run.
    CancelProvision,
    /// Save the provisioned certificate and key into this folder.
    SaveProvisioned(std::path::PathBuf),
    /// Show this step's contents (or follow the flow again with `None`).
    OpenStep(Option<super::steps::StepId>),
    /// Show one board (false) or the station (true).
    ManyBoards(bool),
    /// Read this manifest for the station.
    OpenManifest(std::path::PathBuf),
    /// Read this claim batch folder for the station.
    OpenBatch(std::path::PathBuf),
    /// Start the station's run.
    StartFleet,
    /// Stop taking new boards.
    StopFleet,
}

/// The whole GUI state; eframe owns it.
pub struct ThingflashApp {
    pub(super) ctx: egui::Context,
    pub(super) creds: CredentialsView,
    pub(super) settings: Settings,
    pub(super) wifi_password: Zeroizing<String>,
    pub(super) show_password: bool,
    pub(super) ports: PortsView,
    pub(super) watch: WatchView,
    /// The step the user opened; `None` follows the flow (the first step not done).
    pub(super) open_step: Option<super::steps::StepId>,
    pub(super) notice: Option<String>,
    pub(super) provision: ProvisionDialog,
    pub(super) flash: FlashView,
    /// The firmware's ELF the user dropped, to name the functions in its crash reports.
    pub(super) elf: Option<std::path::PathBuf>,
    /// The connection test from this computer.
    pub(super) probe: ProbeView,
    /// The board makes its own key: provisioned in AWS at flash time.
    pub(super) board_key: Option<BoardPlan>,
    /// What every AWS call of the window adds to the profile and region chosen: another
    /// endpoint (`THINGFLASH_AWS_ENDPOINT_URL`, a local mock) or credentials file.
    pub(super) aws: provision::Account,
    /// The station ("Many boards").
    pub(super) fleet: super::fleet::FleetView,
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
        Self {
            ports: PortsView::watch(&ctx),
            ctx,
            creds: CredentialsView::default(),
            settings,
            wifi_password: Zeroizing::new(String::new()),
            show_password: false,
            watch: WatchView::default(),
            open_step: None,
            notice: None,
            flash: FlashView::default(),
            provision: ProvisionDialog::default(),
            elf: None,
            probe: ProbeView::default(),
            board_key: None,
            aws: provision::Account {
                endpoint_url: std::env::var("THINGFLASH_AWS_ENDPOINT_URL").ok(),
                ..provision::Account::default()
            },
            fleet: super::fleet::FleetView::default(),
        }
        .with_manifest()
    }

    /// The manifest and claim batch of the last session, read again.
    fn with_manifest(mut self) -> Self {
        if let Some(p) = self.settings.fleet.manifest.clone() {
            self.fleet.load(&p);
        }
        if let Some(d) = self.settings.fleet.claim_batch.clone() {
            self.fleet.load_batch(&d);
        }
        self
    }

    /// Make every AWS call of the window with this account's endpoint and credentials file
    /// (a local mock and its keys, in tests); the profile and region stay the forms'.
    pub fn use_aws(&mut self, account: provision::Account) {
        self.aws = account;
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
        self.ports.freeze(scan);
    }

    /// Add files by path (drop or file dialog) and re-check the set: an ELF names the
    /// functions in crash reports, a sketch or firmware image is flashed first, anything
    /// else is a credential.
    pub fn add_paths(&mut self, paths: impl IntoIterator<Item = std::path::PathBuf>) {
        for path in paths {
            let dropped = match Dropped::read(&path) {
                Ok(d) => d,
                Err(e) => {
                    self.notice = Some(e);
                    continue;
                }
            };
            self.notice = dropped.notice(&path).or(self.notice.take());
            match dropped {
                Dropped::Elf(p) => self.elf = Some(p),
                Dropped::Sketch(s) => self.flash.sketch = Some(s),
                Dropped::Firmware(fw) => self.flash.firmware = Some(fw),
                Dropped::Credential => self.creds.add_path(&path),
            }
        }
        self.creds.analyse(&mut self.settings.client_id);
    }

    /// Add files whose bytes are in memory.
    pub fn add_files(&mut self, files: impl IntoIterator<Item = InputFile>) {
        files.into_iter().for_each(|f| self.creds.add_file(f));
        self.creds.analyse(&mut self.settings.client_id);
    }

    /// Read a manifest for the station, as "Open a manifest..." does.
    pub fn open_manifest(&mut self, path: std::path::PathBuf) {
        self.apply(Action::OpenManifest(path));
    }

    /// Whether the station ("Many boards") is running.
    pub fn station_running(&self) -> bool {
        self.fleet.running()
    }

    /// The settings as they stand (what is saved between runs).
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The current analysis.
    pub fn analysis(&self) -> Option<&Analysis> {
        self.creds.analysis.as_ref()
    }

    /// What the serial monitor is doing, in words.
    pub fn monitor_state(&self) -> &str {
        &self.watch.monitor_state
    }

    /// The board status.
    pub fn status(&self) -> &BoardStatus {
        &self.watch.status
    }

    /// Explain a saved or pasted log as if the board had just printed it: the status
    /// lights, the last problem, the patterns and the raw log follow it.
    pub fn load_log(&mut self, text: &str) {
        let now = Instant::now();
        for d in crate::monitor::decode_text_with(&mut self.decoder(), text) {
            self.watch.show_line(d, now);
        }
    }

    /// A decoder with the dropped ELF's symbols (when it still loads), for the endpoint
    /// typed.
    fn decoder(&self) -> Decoder {
        self.elf
            .as_deref()
            .and_then(|p| crate::monitor::symbols::Symbolizer::load(p).ok())
            .map(Decoder::with_symbols)
            .unwrap_or_default()
            // The endpoint typed in step 3 decides whose advice the status panel gives, the
            // target which chip's.
            .with_endpoint(&self.settings.endpoint)
            .with_family(self.settings.target.family())
    }

    /// Start reading a serial port.
    pub fn connect_monitor(&mut self, port: String) {
        let cfg = self.settings.monitor(port.clone());
        self.watch.open_monitor(&self.ctx, cfg, self.decoder());
        self.settings.serial_port = Some(port);
    }

    /// The device config the firmware will read, or why it cannot be made.
    pub(super) fn device_config(&self) -> Result<DeviceConfig, String> {
        let device = self.settings.device(&self.wifi_password);
        job::device_config(self.analysis(), &device).map_err(|r| r.line())
    }

    /// The one operation's request, as the window's settings give it; `Err` holds what
    /// the window's own fields say (no files yet, a number typed that does not read).
    pub fn job_request(&self) -> Result<job::Request<'_>, Vec<Refusal>> {
        // A key made on the board needs no files (a root CA dropped is used).
        let a = match (&self.board_key, self.analysis()) {
            (_, Some(a)) => a,
            (Some(b), None) => &b.no_files,
            (None, None) => {
                let drop = "drop the certificate files first";
                return Err(vec![Refusal::new(RefusalKind::Credentials, drop, "")]);
            }
        };
        let s = &self.settings;
        let needs = s.target.needs();
        let mut typed = Vec::new();
        let mut req = job::Request::new(a, s.target);
        req.device = s.device(&self.wifi_password);
        if let Some(b) = &self.board_key {
            req.device.client_id = b.request.thing.clone();
            req.board_key = job::BoardKey::Board {
                cert_der: None,
                new_key: false,
            };
        }
        req.names = s.names;
        req.file_list = Some(s.file_list.clone());
        req.format = self.flash.format;
        match self.flash.table_offset() {
            Ok(o) => req.table_offset = o,
            Err(e) if needs.partition_table => {
                typed.push(Refusal::new(RefusalKind::TableOffset, e, ""))
            }
            Err(_) => {}
        }
        if needs.flash_layout {
            match s.layout_choice() {
                Ok(l) => req.layout = Some(l),
                Err(e) => typed.push(Refusal::new(RefusalKind::Layout, e, "")),
            }
        }
        req.stub = !(needs.rom_mode && self.flash.no_stub);
        req.image = match s.target.image_kind() {
            ImageKind::Firmware => self
                .flash
                .firmware
                .clone()
                .map_or(Image::None, Image::Firmware),
            ImageKind::Sketch => {
                (self.flash.sketch.as_ref()).map_or(Image::None, |s| Image::Sketch(s.bytes.clone()))
            }
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
        let port = self.settings.serial_port.is_some();
        self.flash.blockers(self.job_request(), port)
    }

    /// Why "Re-provision credentials only" cannot be clicked, or `None` when it can.
    pub fn credentials_only_blocker(&self) -> Option<String> {
        if let Some(first) = self.flash_blockers().into_iter().next() {
            return Some(first);
        }
        let runs_thingflash = self.flash.flashed || self.watch.status.firmware.is_some();
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

    /// What the running flash is doing, in words.
    pub fn flash_stage(&self) -> &str {
        &self.flash.stage
    }

    /// Whether a flash is running.
    pub fn flashing(&self) -> bool {
        self.flash.running()
    }

    /// Flash the board on the chosen port (everything, or only the credentials): the one
    /// operation, prepared here and run on the flasher thread.
    pub fn start_flash(&mut self, credentials_only: bool) {
        let blocked = if credentials_only {
            self.credentials_only_blocker()
        } else {
            self.flash_blockers().into_iter().next()
        };
        let prepared = match (blocked, self.job_request()) {
            (Some(why), _) => Err(why),
            (None, Err(typed)) => Err(typed
                .iter()
                .map(Refusal::line)
                .collect::<Vec<_>>()
                .join("; ")),
            (None, Ok(mut req)) => {
                req.credentials_only = credentials_only;
                job::prepare(&req).map_err(|r| r.first().map(Refusal::line).unwrap_or_default())
            }
        };
        // A port is among the blockers, so a prepared job always has one.
        match (prepared, self.settings.serial_port.clone()) {
            (Ok(job), Some(port)) => {
                // The flasher has the port to itself.
                self.watch.close_monitor("closed for flashing");
                let link = self.settings.link(port, self.flash.force);
                match (&self.board_key, credentials_only) {
                    // The whole provisioning: firmware, the board's request, AWS, the
                    // certificate (the job above checked everything it can refuse).
                    (Some(b), false) => {
                        let req = b.run_request(
                            self.analysis(),
                            self.settings.device(&self.wifi_password),
                        );
                        self.flash.start_board(&self.ctx, req, link);
                    }
                    _ => self.flash.start(&self.ctx, job, link),
                }
            }
            (Err(why), _) => self.flash.result = Some(Err(why)),
            (Ok(_), None) => {}
        }
    }

    /// The ESP8266 file-system region: the chosen layout, or the offset and size typed.
    pub fn esp8266_region(&self) -> Result<crate::esp8266::Region, String> {
        job::region(&self.settings.layout_choice()?).map_err(|r| r.message)
    }

    /// The board's partition table, when read.
    pub fn board_table(&self) -> Option<&Table> {
        self.flash.table.as_ref()
    }

    /// The target partition's files from the last flash run.
    pub fn partition_files(&self) -> Option<&PartitionFiles> {
        self.flash.files.as_ref()
    }

    /// Why the connection test cannot start now; `None` when it can.
    pub fn probe_blocker(&self) -> Option<String> {
        self.probe.blocker(self.analysis(), &self.settings)
    }

    /// The last finished connection test.
    pub fn probe_report(&self) -> Option<&crate::probe::Report> {
        self.probe.report.as_ref()
    }

    /// Whether a connection test (or the virtual board after it) is running.
    pub fn probing(&self) -> bool {
        self.probe.running()
    }

    /// Whether the virtual board is connected and publishing.
    pub fn staying(&self) -> bool {
        self.probe.staying
    }

    /// Whether a board (a serial monitor or the virtual board) is feeding the status
    /// panel live; a loaded log is not, so its boot has no age to count.
    pub fn live(&self) -> bool {
        self.watch.monitoring() || self.probe.staying
    }

    fn start_read_table(&mut self) {
        let Some(port) = self.settings.serial_port.clone() else {
            return self.notice = Some("choose the board's serial port first".into());
        };
        match self.flash.table_offset() {
            Ok(offset) => {
                self.watch
                    .close_monitor("closed to read the partition table");
                let mut link = self.settings.link(port, self.flash.force);
                link.after = After::NoReset;
                self.flash.read_table(&self.ctx, link, offset);
            }
            Err(e) => self.notice = Some(e),
        }
    }

    /// Take what every worker said since the last frame.
    pub(super) fn poll_workers(&mut self) {
        self.ports.poll();
        self.fleet.poll();
        if self.flash.poll(self.settings.no_reset) {
            // Watch the board start (or report what went wrong) right away.
            if let Some(port) = self.settings.serial_port.clone() {
                self.watch.status = BoardStatus::default();
                self.connect_monitor(port);
            }
        }
        let now = Instant::now();
        for d in self.probe.poll() {
            // The virtual board's lines go to the status panel and the log as a board's.
            self.watch.show_line(d, now);
        }
        if let Some(e) = self.flash.poll_table() {
            self.notice = Some(e);
        }
        if let Some(n) = self.watch.poll() {
            self.notice = Some(n);
        }
        match self.provision.poll() {
            Some(Made::Files(files, endpoint, thing)) => {
                // Straight into the credentials step.
                self.board_key = None;
                self.add_files(files);
                self.settings.endpoint = endpoint;
                self.settings.client_id = thing;
            }
            Some(Made::Board(req, endpoint)) => {
                // Nothing to save: the dialog's work is done, Flash does the rest.
                self.provision.open = false;
                self.notice = Some(format!(
                    "{}: flash the board; it makes its key and AWS IoT signs its request",
                    req.thing
                ));
                self.settings.endpoint = endpoint;
                self.settings.client_id = req.thing.clone();
                self.board_key = Some(BoardPlan::new(*req));
            }
            None => {}
        }
    }

    /// Take the files dropped on the window.
    pub(super) fn take_dropped(&mut self, ctx: &egui::Context) {
        let (mut paths, files) = super::credentials::dropped(ctx);
        if self.settings.many_boards {
            // On the station a CSV is the manifest.
            let csv = |p: &std::path::PathBuf| {
                p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"))
            };
            if let Some(m) = paths.iter().rfind(|p| csv(p)).cloned() {
                self.apply(Action::OpenManifest(m));
            }
            paths.retain(|p| !csv(p));
        }
        if !paths.is_empty() {
            self.add_paths(paths);
        }
        if !files.is_empty() {
            self.add_files(files);
        }
    }

    /// Carry out what a panel returned.
    pub(super) fn apply(&mut self, action: Action) {
        match action {
            Action::AddPaths(paths) => self.add_paths(paths),
            Action::ManyBoards(on) => self.settings.many_boards = on,
            Action::OpenManifest(path) => {
                self.fleet.load(&path);
                self.settings.fleet.manifest = Some(path);
            }
            Action::OpenBatch(dir) => {
                self.fleet.load_batch(&dir);
                self.settings.fleet.claim_batch = Some(dir);
            }
            Action::StartFleet => {
                if let Some((plan, boards, link, report)) = super::fleet::request(self) {
                    self.fleet.start(plan, boards, link, report, &self.ctx);
                }
            }
            Action::StopFleet => self.fleet.stop(),
            Action::ClearFiles => self.creds.clear(),
            Action::Reanalyse => self.creds.analyse(&mut self.settings.client_id),
            Action::ExportDer(dir) => self.notice = self.creds.export(&dir, false),
            Action::ExportForSketch(dir) => self.notice = self.creds.export(&dir, true),
            Action::OpenMonitor(port) => self.connect_monitor(port),
            Action::CloseMonitor => self.watch.close_monitor("not connected"),
            Action::Flash { credentials_only } => {
                // Follow the flow again: flash progress, then the board's status.
                self.open_step = None;
                self.start_flash(credentials_only);
            }
            Action::SaveLog(path) => {
                self.notice = Some(match self.watch.log.save(&path) {
                    Ok(()) => format!("saved the log to {}", path.display()),
                    Err(e) => format!("cannot save the log: {e}"),
                });
            }
            Action::ClearLog => self.watch.log.clear(),
            Action::OpenLog(path) => match std::fs::read(&path) {
                Ok(bytes) => {
                    self.load_log(&String::from_utf8_lossy(&bytes));
                    self.watch.log_open = true;
                }
                Err(e) => self.notice = Some(format!("cannot read {}: {e}", path.display())),
            },
            Action::ReadTable => self.start_read_table(),
            Action::TestConnection => {
                let a = self.creds.analysis.as_ref();
                self.probe.start_test(&self.ctx, a, &self.settings)
            }
            Action::StopTest => self.probe.stop(),
            Action::OpenProvision => {
                self.provision.open = true;
                self.provision.profiles = provision::profiles::list();
            }
            Action::Provision(req) => self.provision.start(*req, &self.ctx),
            Action::UseBoardKey(req) => self.provision.start_board(*req, &self.ctx),
            Action::DropBoardKey => self.board_key = None,
            Action::CancelProvision => self.provision.cancel(),
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

/// A board that makes its own key: the request to provision it with (thing, policy,
/// account), and an empty set of files for the one operation's checks when none were
/// dropped.
pub(super) struct BoardPlan {
    pub(super) request: provision::Request,
    no_files: Analysis,
}

impl BoardPlan {
    fn new(request: provision::Request) -> Self {
        Self {
            request,
            no_files: crate::credentials::analyse(&[], &[], time::OffsetDateTime::now_utc(), None),
        }
    }

    /// What Flash runs: the board's key, with the root CAs of the files dropped, if any.
    fn run_request(
        &self,
        files: Option<&Analysis>,
        device: DeviceSettings,
    ) -> crate::board_key::Request {
        crate::board_key::Request {
            analysis: files.unwrap_or(&self.no_files).clone(),
            device,
            image: job::Image::None,
            provision: self.request.clone(),
            new_key: false,
            wait_connected: None,
        }
    }
}
