//! The window: panels only. What it shows comes from `credentials`, `bundle`, `flash`,
//! `monitor`, `ports` and `provision`; workers (port watcher, flasher, serial reader, AWS
//! calls) talk to the single
//! owner of the state, [`ThingflashApp`], over channels and call `request_repaint`, so
//! the UI never waits on I/O and does not repaint while idle.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use eframe::egui;
use serde::{Deserialize, Serialize};
use thingflash_protocol::config::DeviceConfig;
use zeroize::Zeroizing;

use crate::bundle;
use crate::credentials::{
    self, Analysis, CredentialsError, InputFile, Kind, Role, Severity, endpoint,
};
use crate::flash::{self, After, Before, BoardInfo, FlashOptions};
use crate::monitor::log::{FilteredView, LogBuffer};
use crate::monitor::reader::{self, MonitorConfig, MonitorHandle, MonitorMsg};
use crate::monitor::{BoardStatus, Decoded, Decoder, Level, Light, Step};
use crate::ports::{self, PortInfo};
use crate::provision;

/// Open the window, with `files` already loaded, and run until it is closed.
pub fn run(files: Vec<std::path::PathBuf>) -> eframe::Result {
    let mut viewport = egui::ViewportBuilder::default();
    if let Ok(icon) =
        eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icons/thingflash.png"))
    {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport: viewport
            .with_title("thingflash")
            .with_app_id("thingflash")
            .with_inner_size([1100.0, 720.0])
            .with_min_inner_size([760.0, 520.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "thingflash",
        options,
        Box::new(|cc| {
            let mut app = ThingflashApp::new(cc);
            if !files.is_empty() {
                app.add_paths(files);
            }
            Ok(Box::new(app))
        }),
    )
}

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
}

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
        }
    }
}

const SETTINGS_KEY: &str = "thingflash-settings";

/// The AWS provisioning dialog.
struct ProvisionDialog {
    open: bool,
    profiles: Vec<provision::profiles::Profile>,
    profile: String,
    region: String,
    thing: String,
    key_type: provision::KeyType,
    lines: Vec<String>,
    job: Option<ProvisionJob>,
    result: Option<Result<provision::Provisioned, String>>,
}

struct ProvisionJob {
    rx: Receiver<ProvisionMsg>,
    cancel: Option<tokio::sync::oneshot::Sender<()>>,
}

struct FlashJob {
    rx: Receiver<FlashMsg>,
    credentials_only: bool,
}

enum FlashMsg {
    Event(flash::Event),
    Finished(Result<flash::Report, String>),
}

/// What the Flash section shows.
#[derive(Default)]
struct FlashView {
    job: Option<FlashJob>,
    stage: String,
    progress: Option<flash::Progress>,
    board: Option<BoardInfo>,
    result: Option<Result<String, String>>,
    /// A full flash succeeded in this session, so the board holds thingflash's layout.
    flashed: bool,
    /// Flash even when the chip revision is outside the images' range (not persisted).
    force: bool,
}

enum ProvisionMsg {
    Progress(provision::Progress),
    Finished(Result<provision::Provisioned, String>),
}

/// The whole GUI state; eframe owns it.
pub struct ThingflashApp {
    ctx: egui::Context,
    files: Vec<InputFile>,
    unreadable: Vec<CredentialsError>,
    passphrase: Zeroizing<String>,
    analysis: Option<Analysis>,
    settings: Settings,
    wifi_password: Zeroizing<String>,
    show_password: bool,
    ports: Vec<PortInfo>,
    ports_rx: Receiver<Vec<PortInfo>>,
    ports_stop: Arc<AtomicBool>,
    monitor: Option<(MonitorHandle, Receiver<MonitorMsg>)>,
    monitor_state: String,
    status: BoardStatus,
    log: LogBuffer,
    log_filter: String,
    filtered: FilteredView,
    autoscroll: bool,
    notice: Option<String>,
    provision: ProvisionDialog,
    flash: FlashView,
    port_text: String,
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
                    let now = ports::list();
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
            ports_rx,
            ports_stop,
            monitor: None,
            monitor_state: "not connected".into(),
            status: BoardStatus::default(),
            log: LogBuffer::new(crate::monitor::log::DEFAULT_CAPACITY),
            log_filter: String::new(),
            filtered: FilteredView::default(),
            autoscroll: true,
            notice: None,
            flash: FlashView::default(),
            port_text: String::new(),
            provision: ProvisionDialog {
                open: false,
                profiles: Vec::new(),
                profile: String::new(),
                region: String::new(),
                thing: String::new(),
                key_type: provision::KeyType::EcP256,
                lines: Vec::new(),
                job: None,
                result: None,
            },
        }
    }

    /// Stop watching for boards and show `ports` instead (screenshots and tests, where the
    /// machine's own ports would make the picture differ from machine to machine).
    pub fn freeze_ports(&mut self, ports: Vec<PortInfo>) {
        self.ports_stop.store(true, Ordering::Relaxed);
        while self.ports_rx.try_recv().is_ok() {}
        self.ports = ports;
    }

    /// Add files by path (drop or file dialog) and re-check the set.
    pub fn add_paths(&mut self, paths: impl IntoIterator<Item = std::path::PathBuf>) {
        for path in paths {
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

    fn reanalyse(&mut self) {
        let pass = (!self.passphrase.is_empty()).then_some(self.passphrase.as_str());
        let a = credentials::analyse(
            &self.files,
            &self.unreadable,
            time::OffsetDateTime::now_utc(),
            pass,
        );
        if self.settings.client_id.is_empty()
            && let Some(c) = a.device_cert()
            && thingflash_protocol::config::validate_client_id(&c.subject_cn).is_ok()
            && !c.subject_cn.contains(' ')
        {
            self.settings.client_id = c.subject_cn.clone();
        }
        self.analysis = Some(a);
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
            },
            Decoder::new(),
            tx,
            move || wake.request_repaint(),
        );
        self.settings.serial_port = Some(port.clone());
        self.monitor_state = format!("opening {port}");
        self.monitor = Some((handle, rx));
    }

    fn device_config(&self) -> Result<DeviceConfig, String> {
        let e = endpoint::check_endpoint(&self.settings.endpoint);
        let host = e.host.ok_or_else(|| {
            e.findings
                .first()
                .map(|f| format!("{} ({})", f.message, f.fix))
                .unwrap_or_else(|| "enter the endpoint".into())
        })?;
        let c = DeviceConfig {
            wifi_ssid: self.settings.wifi_ssid.clone(),
            wifi_password: Zeroizing::new(self.wifi_password.to_string()),
            host,
            port: self.settings.mqtt_port,
            client_id: self.settings.client_id.clone(),
            topic_prefix: self.settings.topic_prefix.clone(),
            ntp_servers: Vec::new(),
            telemetry_interval_s: self.settings.telemetry_s,
            keepalive_s: 60,
        };
        c.validate().map_err(|e| e.to_string())?;
        Ok(c)
    }

    /// Why Flash cannot be clicked now, in order; empty when it could be.
    pub fn flash_blockers(&self) -> Vec<String> {
        let mut out = Vec::new();
        match &self.analysis {
            None => out.push("drop the certificate files first".to_string()),
            Some(a) => out.extend(a.blocking_reasons()),
        }
        if let Err(e) = self.device_config() {
            out.push(e);
        }
        if self.settings.serial_port.is_none() {
            out.push("choose the board's serial port".into());
        }
        if self.flash.job.is_some() {
            out.push("a flash is running".into());
        }
        out
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

    /// Flash the board on the chosen port (everything, or only the credentials).
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
        let (Some(analysis), Some(port)) = (&self.analysis, self.settings.serial_port.clone())
        else {
            return;
        };
        let creds = match bundle::Credentials::from_analysis(analysis) {
            Ok(c) => c,
            Err(e) => {
                self.flash.result = Some(Err(e.to_string()));
                return;
            }
        };
        let config = match self.device_config() {
            Ok(c) => c,
            Err(e) => {
                self.flash.result = Some(Err(e));
                return;
            }
        };
        // The flasher needs the port to itself.
        self.monitor = None;
        self.monitor_state = "closed for flashing".into();
        let opts = FlashOptions {
            baud: self.settings.flash_baud,
            before: if self.settings.no_reset {
                Before::NoReset
            } else {
                Before::Default
            },
            after: if self.settings.no_reset {
                After::NoReset
            } else {
                After::HardReset
            },
            force: self.flash.force,
            credentials_only,
            ..FlashOptions::new(port)
        };
        let (tx, rx) = channel();
        let wake = self.ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("flasher".into())
            .spawn(move || {
                let events = tx.clone();
                let ping = wake.clone();
                let result = flash::run(
                    &opts,
                    &mut |chip, flash_size| {
                        bundle::plan(&bundle::Request {
                            chip,
                            flash_size,
                            credentials: &creds,
                            config: &config,
                            firmware_elf: None,
                        })
                    },
                    &mut |e| {
                        let _ = events.send(FlashMsg::Event(e));
                        ping.request_repaint();
                    },
                );
                let _ = tx.send(FlashMsg::Finished(result.map_err(|e| e.to_string())));
                wake.request_repaint();
            });
        match spawned {
            Ok(_) => {
                self.flash.job = Some(FlashJob {
                    rx,
                    credentials_only,
                });
                self.flash.stage = "starting".into();
                self.flash.progress = None;
                self.flash.result = None;
            }
            Err(e) => self.flash.result = Some(Err(format!("cannot start the flasher: {e}"))),
        }
    }

    fn poll_flash(&mut self) {
        let mut finished = None;
        if let Some(job) = &self.flash.job {
            while let Ok(msg) = job.rx.try_recv() {
                match msg {
                    FlashMsg::Event(flash::Event::Connecting { port }) => {
                        self.flash.stage = format!("connecting to {port}")
                    }
                    FlashMsg::Event(flash::Event::Connected(b)) => {
                        self.flash.stage = format!("connected: {}", b.summary());
                        self.flash.board = Some(b);
                    }
                    FlashMsg::Event(flash::Event::ReadingTable) => {
                        self.flash.stage = "reading the board's partition table".into()
                    }
                    FlashMsg::Event(flash::Event::Progress(p)) => {
                        self.flash.stage = if p.verifying {
                            format!("verifying {}", p.segment)
                        } else {
                            format!("writing {}", p.segment)
                        };
                        self.flash.progress = Some(p);
                    }
                    FlashMsg::Event(flash::Event::Done(_)) => {}
                    FlashMsg::Finished(r) => finished = Some((r, job.credentials_only)),
                }
            }
        }
        let Some((r, credentials_only)) = finished else {
            return;
        };
        self.flash.job = None;
        self.flash.result = Some(match r {
            Ok(report) => {
                if !credentials_only {
                    self.flash.flashed = true;
                }
                let bytes: usize = report.written.iter().map(|w| w.2).sum();
                let next = if self.settings.no_reset {
                    "Press RESET on the board to start it."
                } else {
                    "The board is restarting; its log follows below."
                };
                Ok(format!(
                    "Flashed {} ({} KiB in {:.1} s{}). {next}",
                    if credentials_only {
                        "the credentials"
                    } else {
                        "firmware and credentials"
                    },
                    bytes.div_ceil(1024),
                    report.write_time.as_secs_f64(),
                    if report.verified { ", verified" } else { "" },
                ))
            }
            Err(e) => Err(e),
        });
        // Watch the board start (or report what went wrong) right away.
        if let Some(port) = self.settings.serial_port.clone() {
            self.status = BoardStatus::default();
            self.connect_monitor(port);
        }
    }

    fn poll_workers(&mut self) {
        self.poll_flash();
        while let Ok(p) = self.ports_rx.try_recv() {
            if !self.ports_stop.load(Ordering::Relaxed) {
                self.ports = p;
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

    fn take_dropped(&mut self, ctx: &egui::Context) {
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

    fn board_panel(&mut self, ui: &mut egui::Ui) {
        ui.heading("Board");
        let selected = self
            .settings
            .serial_port
            .clone()
            .unwrap_or_else(|| "choose a port".into());
        let label = ui.label("Serial port");
        egui::ComboBox::from_id_salt("port")
            .selected_text(selected)
            .show_ui(ui, |ui| {
                for p in &self.ports {
                    ui.selectable_value(
                        &mut self.settings.serial_port,
                        Some(p.name.clone()),
                        p.label(),
                    );
                }
            })
            .response
            .labelled_by(label.id);
        if self.ports.is_empty() {
            ui.weak(ports::NO_PORT_HINT);
        }
        if let Some(b) = &self.flash.board {
            ui.label(format!("Detected: {}", b.summary()));
        }
        ui.horizontal(|ui| {
            let l = ui.label("Port path");
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut self.port_text)
                        .hint_text("or type it, e.g. /dev/ttyUSB0"),
                )
                .labelled_by(l.id);
            if r.changed() {
                let t = self.port_text.trim();
                self.settings.serial_port = (!t.is_empty()).then(|| t.to_string());
            }
        });
        ui.horizontal(|ui| {
            let connected = self.monitor.is_some();
            if !connected {
                let enabled = self.settings.serial_port.is_some() && self.flash.job.is_none();
                if ui
                    .add_enabled(enabled, egui::Button::new("Open monitor"))
                    .clicked()
                    && let Some(p) = self.settings.serial_port.clone()
                {
                    self.connect_monitor(p);
                }
            } else if ui.button("Close monitor").clicked() {
                self.monitor = None;
                self.monitor_state = "not connected".into();
            }
            ui.weak(&self.monitor_state);
        });
    }

    fn credentials_panel(&mut self, ui: &mut egui::Ui) {
        ui.heading("Credentials");
        let hovering = ui.ctx().input(|i| !i.raw.hovered_files.is_empty());
        egui::Frame::group(ui.style())
            .fill(if hovering {
                ui.visuals().selection.bg_fill.gamma_multiply(0.3)
            } else {
                ui.visuals().faint_bg_color
            })
            .show(ui, |ui| {
                ui.set_min_height(70.0);
                ui.vertical_centered(|ui| {
                    ui.add_space(12.0);
                    ui.label("Drop the AWS certificate files here");
                    ui.weak("-certificate.pem.crt, -private.pem.key, AmazonRootCA1.pem or the connect-device zip");
                });
            });
        ui.horizontal(|ui| {
            if ui.button("Browse...").on_hover_text("Choose the files AWS IoT gave you").clicked()
                && let Some(paths) = rfd::FileDialog::new().set_title("AWS IoT certificate files").pick_files()
            {
                self.add_paths(paths);
            }
            if ui.button("Clear").on_hover_text("Forget the files").clicked() {
                self.files.clear();
                self.unreadable.clear();
                self.analysis = None;
            }
            let can_export = self.analysis.as_ref().is_some_and(|a| !a.blocked());
            if ui
                .add_enabled(can_export, egui::Button::new("Export DER..."))
                .on_hover_text("cert.der, key.der and ca.der, as the classic ESP8266 guide made them with openssl")
                .clicked()
                && let (Some(a), Some(dir)) = (&self.analysis, rfd::FileDialog::new().pick_folder())
            {
                self.notice = Some(match credentials::convert::write_der(a, &dir, Default::default()) {
                    Ok(paths) => format!("wrote {} files into {}", paths.len(), dir.display()),
                    Err(e) => e.to_string(),
                });
            }
        });
        let Some(a) = &self.analysis else { return };
        let encrypted = a
            .items
            .iter()
            .any(|i| matches!(i.kind, Kind::EncryptedKey { .. }) || matches!(&i.kind, Kind::BrokenKey { reason, .. } if reason.contains("passphrase")));
        if encrypted {
            let label = ui.label("Key passphrase");
            let r = ui
                .add(egui::TextEdit::singleline(&mut *self.passphrase).password(true))
                .labelled_by(label.id);
            if r.lost_focus() || (r.changed() && ui.input(|i| i.key_pressed(egui::Key::Enter))) {
                self.reanalyse();
            }
        }
        let Some(a) = &self.analysis else { return };
        for item in &a.items {
            ui.group(|ui| {
                let role = match item.role {
                    Role::DeviceCertificate => "Device certificate".to_string(),
                    Role::PrivateKey => "Private key".to_string(),
                    Role::RootCa => "Root CA".to_string(),
                    Role::Ignored => format!("Not used: {}", item.kind.short()),
                };
                ui.strong(role);
                ui.label(&item.source);
                match &item.kind {
                    Kind::Certificate(c) => {
                        if let Some(name) = item.known_root {
                            ui.label(name);
                        }
                        ui.label(format!("CN {}", c.subject_cn));
                        ui.weak(format!("issuer {}", c.issuer));
                        ui.label(format!("expires {} - {}", c.not_after.date(), c.key_type));
                    }
                    Kind::PrivateKey(k) => {
                        ui.label(format!("{} ({})", k.key_type, k.format));
                    }
                    _ => {}
                }
            });
        }
        if a.using_bundled_roots {
            ui.label("Using the bundled Amazon Root CA 1 and 3 (no root CA dropped).");
        }
        for f in &a.findings {
            let color = match f.severity {
                Severity::Error => ui.visuals().error_fg_color,
                Severity::Warning => ui.visuals().warn_fg_color,
                Severity::Info => ui.visuals().weak_text_color(),
            };
            ui.colored_label(color, f.to_string());
        }
        if a.device_cert().is_some() && a.private_key().is_none() && !encrypted {
            ui.label("Drop the private key too: the file ending in -private.pem.key.");
        }
    }

    fn settings_panel(&mut self, ui: &mut egui::Ui) {
        ui.heading("Settings");
        egui::Grid::new("settings")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                let l = ui.label("WiFi network");
                ui.text_edit_singleline(&mut self.settings.wifi_ssid)
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label("WiFi password");
                ui.horizontal(|ui| {
                    ui.add(
                        egui::TextEdit::singleline(&mut *self.wifi_password)
                            .password(!self.show_password),
                    )
                    .labelled_by(l.id);
                    ui.checkbox(&mut self.show_password, "Show");
                });
                ui.end_row();
                let l = ui.label("Endpoint");
                ui.text_edit_singleline(&mut self.settings.endpoint)
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label("Client id");
                ui.text_edit_singleline(&mut self.settings.client_id)
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label("Topic prefix");
                ui.text_edit_singleline(&mut self.settings.topic_prefix)
                    .labelled_by(l.id);
                ui.end_row();
                ui.label("MQTT port");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut self.settings.mqtt_port, 8883, "8883");
                    ui.radio_value(&mut self.settings.mqtt_port, 443, "443 (ALPN)");
                });
                ui.end_row();
                let l = ui.label("Telemetry every (s)");
                ui.add(egui::DragValue::new(&mut self.settings.telemetry_s).range(1..=86_400))
                    .labelled_by(l.id);
                ui.end_row();
            });
        if !self.settings.endpoint.is_empty() {
            for f in endpoint::check_endpoint(&self.settings.endpoint).findings {
                let color = match f.severity {
                    Severity::Error => ui.visuals().error_fg_color,
                    Severity::Warning => ui.visuals().warn_fg_color,
                    Severity::Info => ui.visuals().weak_text_color(),
                };
                ui.colored_label(color, format!("{} - {}", f.message, f.fix));
            }
        }
    }

    fn flash_panel(&mut self, ui: &mut egui::Ui) {
        ui.heading("Flash");
        let blockers = self.flash_blockers();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(blockers.is_empty(), {
                    // The one primary action: coloured once it can be clicked.
                    let b = egui::Button::new(egui::RichText::new("Flash").strong())
                        .min_size(egui::vec2(120.0, 32.0));
                    if blockers.is_empty() {
                        b.fill(ui.visuals().selection.bg_fill)
                    } else {
                        b
                    }
                })
                .on_disabled_hover_text(blockers.join("\n"))
                .clicked()
            {
                self.start_flash(false);
            }
            let creds_blocker = self.credentials_only_blocker();
            if ui
                .add_enabled(
                    creds_blocker.is_none(),
                    egui::Button::new("Re-provision credentials only"),
                )
                .on_hover_text("Rewrite only the 8 KiB credentials partition: new certificate, WiFi or endpoint in seconds")
                .on_disabled_hover_text(creds_blocker.unwrap_or_default())
                .clicked()
            {
                self.start_flash(true);
            }
        });
        if let Some(first) = blockers.first() {
            ui.weak(format!("Not ready: {first}"));
        }
        egui::CollapsingHeader::new("Flash options").show(ui, |ui| {
            ui.checkbox(
                &mut self.settings.no_reset,
                "The port cannot reset the board (enter download mode by hand: hold BOOT, press RESET)",
            );
            ui.checkbox(
                &mut self.flash.force,
                "Flash even if the chip revision is older than the firmware declares",
            );
            ui.horizontal(|ui| {
                let l = ui.label("Flashing speed");
                egui::ComboBox::from_id_salt("flash-baud")
                    .selected_text(self.settings.flash_baud.to_string())
                    .show_ui(ui, |ui| {
                        for b in [115_200, 460_800, 921_600] {
                            ui.selectable_value(&mut self.settings.flash_baud, b, b.to_string());
                        }
                    })
                    .response
                    .labelled_by(l.id);
            });
        });
        if self.flash.job.is_some() || self.flash.progress.is_some() {
            let (fraction, text) = match &self.flash.progress {
                Some(p) => (p.fraction(), p.line()),
                None => (0.0, self.flash.stage.clone()),
            };
            ui.add(
                egui::ProgressBar::new(fraction)
                    .text(text)
                    .animate(self.flash.job.is_some()),
            );
        }
        if self.flash.job.is_some() {
            ui.label(&self.flash.stage);
        }
        match &self.flash.result {
            Some(Ok(text)) => {
                ui.colored_label(egui::Color32::from_rgb(0x3C, 0xB3, 0x71), text);
            }
            Some(Err(text)) => {
                ui.colored_label(ui.visuals().error_fg_color, format!("Flash failed: {text}"));
            }
            None => {}
        }
    }

    fn status_panel(&self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            for step in Step::ALL {
                let light = self.status.light(step);
                let (color, word) = match light {
                    Light::Off => (ui.visuals().weak_text_color(), "waiting"),
                    Light::Working => (egui::Color32::from_rgb(0xE0, 0xA0, 0x20), "working"),
                    Light::Ok => (egui::Color32::from_rgb(0x3C, 0xB3, 0x71), "ok"),
                    Light::Failed => (ui.visuals().error_fg_color, "failed"),
                };
                // Painted, not a glyph: the bundled fonts have no bullet character.
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
                ui.painter().circle_filled(rect.center(), 5.0, color);
                ui.label(format!("{}: {word}", step.label()));
                ui.add_space(8.0);
            }
        });
        ui.horizontal_wrapped(|ui| {
            let s = &self.status;
            if let Some(fw) = &s.firmware {
                ui.label(format!(
                    "firmware {fw} on {}",
                    s.chip.as_deref().unwrap_or("?")
                ));
            }
            if let Some(ip) = &s.ip {
                ui.label(format!("IP {ip}"));
            }
            if let Some(r) = s.rssi {
                ui.label(format!("RSSI {r} dBm"));
            }
            ui.label(format!(
                "reconnects {} - messages out {} / in {}",
                s.reconnects, s.messages_out, s.messages_in
            ));
            if let Some(up) = s.uptime(Instant::now()) {
                ui.label(format!("up {}s", up.as_secs()));
            }
        });
        if let Some(e) = &self.status.last_error {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("Last error: {}", e.explanation.title),
                );
                ui.label(format!("Why: {}", e.explanation.cause));
                ui.label(format!("Fix: {}", e.explanation.fix));
            });
        }
    }

    fn log_panel(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.strong("Live log");
            let l = ui.label("Filter");
            ui.text_edit_singleline(&mut self.log_filter)
                .labelled_by(l.id);
            ui.checkbox(&mut self.autoscroll, "Follow");
            if ui.button("Save...").clicked()
                && let Some(path) = rfd::FileDialog::new()
                    .set_file_name("thingflash-serial.log")
                    .save_file()
            {
                self.notice = Some(match self.log.save(&path) {
                    Ok(()) => format!("saved the log to {}", path.display()),
                    Err(e) => format!("cannot save the log: {e}"),
                });
            }
            if ui.button("Clear log").clicked() {
                self.log.clear();
            }
        });
        // Filtering a large log is cached until the filter or the log changes.
        let filtering = !self.log_filter.is_empty();
        if filtering {
            self.filtered.update(&self.log, &self.log_filter);
        }
        let count = if filtering {
            self.filtered.len()
        } else {
            self.log.len()
        };
        let row_height = ui.text_style_height(&egui::TextStyle::Monospace) + 2.0;
        egui::ScrollArea::both()
            .auto_shrink([false, false])
            .stick_to_bottom(self.autoscroll)
            .show_rows(ui, row_height, count, |ui, range| {
                for i in range {
                    let d = if filtering {
                        self.filtered.get(&self.log, i)
                    } else {
                        self.log.get(i)
                    };
                    if let Some(d) = d {
                        log_row(ui, d);
                    }
                }
            });
    }

    fn provision_window(&mut self, ctx: &egui::Context) {
        if !self.provision.open {
            return;
        }
        let mut open = true;
        egui::Window::new("Create a thing in AWS IoT")
            .open(&mut open)
            .resizable(true)
            .default_width(520.0)
            .show(ctx, |ui| {
                let d = &mut self.provision;
                ui.label("thingflash creates the thing, its certificate and key, a least-privilege policy, and fills in the endpoint. Your AWS credentials come from the usual places (environment, ~/.aws, SSO).");
                egui::Grid::new("prov").num_columns(2).show(ui, |ui| {
                    let l = ui.label("AWS profile");
                    egui::ComboBox::from_id_salt("profile")
                        .selected_text(if d.profile.is_empty() { "default chain" } else { d.profile.as_str() })
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut d.profile, String::new(), "default chain");
                            for p in &d.profiles {
                                if ui.selectable_value(&mut d.profile, p.name.clone(), &p.name).clicked()
                                    && let Some(r) = &p.region
                                {
                                    d.region = r.clone();
                                }
                            }
                        })
                        .response
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Region");
                    ui.text_edit_singleline(&mut d.region).labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Thing name");
                    ui.text_edit_singleline(&mut d.thing).labelled_by(l.id);
                    ui.end_row();
                    ui.label("Key");
                    ui.horizontal(|ui| {
                        ui.radio_value(&mut d.key_type, provision::KeyType::EcP256, "EC P-256 (made here)");
                        ui.radio_value(&mut d.key_type, provision::KeyType::Rsa2048, "RSA-2048 (made by AWS)");
                    });
                    ui.end_row();
                });
                let name_ok = provision::policy::validate_thing_name(&d.thing);
                if let Err(e) = &name_ok
                    && !d.thing.is_empty()
                {
                    ui.colored_label(ui.visuals().error_fg_color, e.to_string());
                }
                ui.horizontal(|ui| {
                    let running = d.job.is_some();
                    if ui.add_enabled(!running && name_ok.is_ok(), egui::Button::new("Create")).clicked() {
                        d.lines.clear();
                        d.result = None;
                        let req = provision::Request {
                            thing: d.thing.clone(),
                            policy: None,
                            topic_prefix: self.settings.topic_prefix.clone(),
                            profile: (!d.profile.is_empty()).then(|| d.profile.clone()),
                            region: (!d.region.is_empty()).then(|| d.region.clone()),
                            endpoint_url: std::env::var("THINGFLASH_AWS_ENDPOINT_URL").ok(),
                            key_type: d.key_type,
                        };
                        d.job = Some(start_provisioning(req, self.ctx.clone()));
                    }
                    if running
                        && ui.button("Cancel").clicked()
                        && let Some(job) = &mut d.job
                        && let Some(c) = job.cancel.take()
                    {
                        let _ = c.send(());
                    }
                });
                for l in &d.lines {
                    ui.monospace(l);
                }
                match &d.result {
                    Some(Ok(p)) => {
                        ui.label(format!("Done: {} is ready; its certificate and key were added to the credentials and the endpoint {} filled in.", p.thing, p.endpoint));
                        if ui.button("Save certificate and key to a folder...").clicked()
                            && let Some(dir) = rfd::FileDialog::new().pick_folder()
                        {
                            self.notice = Some(match provision::save(p, &dir) {
                                Ok(paths) => format!("saved {} files into {}", paths.len(), dir.display()),
                                Err(e) => e.to_string(),
                            });
                        }
                    }
                    Some(Err(e)) => {
                        ui.colored_label(ui.visuals().error_fg_color, e);
                    }
                    None => {}
                }
            });
        if !open {
            self.provision.open = false;
        }
    }
}

fn start_provisioning(req: provision::Request, ctx: egui::Context) -> ProvisionJob {
    let (tx, rx) = channel();
    let (cancel_tx, cancel_rx) = tokio::sync::oneshot::channel::<()>();
    let _ = std::thread::Builder::new().name("aws-provision".into()).spawn(move || {
        let send = |m: ProvisionMsg| {
            let _ = tx.send(m);
            ctx.request_repaint();
        };
        let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt,
            Err(e) => return send(ProvisionMsg::Finished(Err(e.to_string()))),
        };
        let mut made: Vec<provision::Resource> = Vec::new();
        let result = rt.block_on(async {
            tokio::select! {
                r = provision::provision(&req, |p| {
                    if let provision::Progress::Done(r) = &p {
                        made.push(r.clone());
                    }
                    send(ProvisionMsg::Progress(p));
                }) => r.map_err(|e| e.to_string()),
                _ = cancel_rx => {
                    let list: Vec<String> = made.iter().filter(|r| r.created).map(|r| format!("{} {}", r.kind, r.id)).collect();
                    Err(if list.is_empty() {
                        "cancelled; nothing was created in AWS".to_string()
                    } else {
                        format!("cancelled; already created in AWS: {}", list.join(", "))
                    })
                }
            }
        });
        send(ProvisionMsg::Finished(result));
    });
    ProvisionJob {
        rx,
        cancel: Some(cancel_tx),
    }
}

fn log_row(ui: &mut egui::Ui, d: &Decoded) {
    let color = match d.level {
        Level::Error => ui.visuals().error_fg_color,
        Level::Warn => ui.visuals().warn_fg_color,
        Level::Success => egui::Color32::from_rgb(0x3C, 0xB3, 0x71),
        Level::Debug => ui.visuals().weak_text_color(),
        Level::Info => ui.visuals().text_color(),
    };
    ui.horizontal(|ui| {
        ui.add(egui::Label::new(egui::RichText::new(&d.text).monospace().color(color)).extend());
        if let Some(sym) = &d.symbol {
            ui.weak(format!("in {sym}"));
        }
        if let Some(e) = &d.explanation {
            ui.label(egui::RichText::new(format!("=> {}", e.title)).italics())
                .on_hover_text(format!("{}\nFix: {}", e.cause, e.fix));
        }
    });
}

impl eframe::App for ThingflashApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.poll_workers();
        self.take_dropped(&ctx);
        if ctx.input(|i| i.modifiers.command && i.key_pressed(egui::Key::Q)) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        if self.flashing() && ctx.input(|i| i.viewport().close_requested()) {
            // Quitting now would cut the write off; the board would not start until the
            // next complete flash. Finish first.
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.notice = Some("a flash is running: wait for it to finish, then quit".into());
        }
        egui::Panel::top("top").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading("thingflash");
                ui.weak("ESP32-C3 / C6 to AWS IoT Core");
                if ui.button("Create a thing in AWS...").clicked() {
                    self.provision.open = true;
                    self.provision.profiles = provision::profiles::list();
                }
                if let Some(n) = &self.notice {
                    ui.label(n);
                }
            });
        });
        egui::Panel::left("setup")
            .resizable(true)
            .default_size(400.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    self.board_panel(ui);
                    ui.separator();
                    self.credentials_panel(ui);
                    ui.separator();
                    self.settings_panel(ui);
                    ui.separator();
                    self.flash_panel(ui);
                });
            });
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("Status");
            self.status_panel(ui);
            ui.separator();
            self.log_panel(ui);
        });
        self.provision_window(&ctx);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, SETTINGS_KEY, &self.settings);
    }
}
