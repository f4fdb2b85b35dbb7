//! "Many boards": the station in the window. On the left the run's form (the manifest,
//! what runs on the boards, the AWS account, the key, which ports) and Start; on the right
//! the boards as a table (port, chip, MAC, thing, stage, result) with the counts, the rate
//! and the time left. The run is the library's fleet station on a worker; this panel
//! builds its plan from the form and shows its events. The journal and the report live
//! beside the manifest, so opening the same manifest again resumes a cut run.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use eframe::egui;
use serde::{Deserialize, Serialize};

use super::state::{Action, ThingflashApp};
use super::worker::Worker;
use crate::flash::FlashOptions;
use crate::fleet::manifest::{Manifest, ManifestError};
use crate::fleet::progress::Result as Ended;
use crate::fleet::{self, BoardEvent, PortSource, Progress};
use crate::provision;

/// How long a board has to report MQTT connected when the form asks to wait.
const WAIT_CONNECTED: Duration = Duration::from_secs(90);

/// The form, kept between runs (no secret in it: the WiFi password is the window's, typed
/// in each session).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FleetSettings {
    /// The manifest last opened.
    pub manifest: Option<PathBuf>,
    /// AWS profile (empty: the standard chain).
    pub profile: String,
    /// AWS region (empty: the profile's).
    pub region: String,
    /// The policy attached to every certificate.
    pub policy: String,
    /// Where each board's key is made (on the board falls back to here for firmware
    /// other than thingflash's).
    pub key: fleet::FleetKey,
    /// Take every board plugged in from now on, else the ports ticked.
    pub every_board: bool,
    /// Wait for each board to report MQTT connected (thingflash's firmware).
    pub wait_connected: bool,
    /// Provision by claim: boards get a batch's claim and provision themselves; this
    /// computer needs no AWS credentials.
    pub by_claim: bool,
    /// The batch folder (`thingflash fleet setup-aws --out`).
    pub claim_batch: Option<PathBuf>,
}

impl Default for FleetSettings {
    fn default() -> Self {
        Self {
            manifest: None,
            profile: String::new(),
            region: String::new(),
            policy: provision::policy::DEFAULT_POLICY_NAME.into(),
            key: fleet::FleetKey::Board,
            every_board: true,
            wait_connected: false,
            by_claim: false,
            claim_batch: None,
        }
    }
}

/// The view's state.
#[derive(Default)]
pub(super) struct FleetView {
    /// The manifest read, or why it cannot be used.
    manifest: Option<Result<Manifest, Vec<ManifestError>>>,
    /// The ports ticked (when not every board).
    pub(super) chosen: BTreeSet<String>,
    /// Flash chips of a revision the firmware does not declare (asked each session, never
    /// saved).
    pub(super) force: bool,
    run: Option<Run>,
    progress: Option<Progress>,
    /// The last run's one-line outcome, or its error and fix.
    outcome: Option<Result<String, (String, String)>>,
    /// The claim batch read, or why it cannot be used.
    batch: Option<Result<fleet::claim::Batch, String>>,
}

struct Run {
    worker: Worker<Msg>,
    stop: Arc<AtomicBool>,
    /// Watching for boards (runs until stopped) rather than the ports ticked.
    watching: bool,
}

enum Msg {
    Event(BoardEvent),
    Done(Result<String, (String, String)>),
}

/// Where the boards are, as the form says.
pub(super) enum Boards {
    /// Every USB serial port, from now on, until stopped.
    EveryBoard,
    /// These ports, once.
    Ports(Vec<String>),
}

impl FleetView {
    /// Read the manifest at `path` (its refusals are shown in the form).
    pub(super) fn load(&mut self, path: &Path) {
        self.manifest = Some(match std::fs::read_to_string(path) {
            Ok(text) => Manifest::parse(&text),
            Err(e) => Err(vec![ManifestError {
                line: 0,
                message: format!("cannot read {}: {e}", path.display()),
                fix: "choose a CSV file you can read (File > Save As CSV in a spreadsheet)".into(),
            }]),
        });
    }

    /// Read the claim batch in `dir` (what the form shows of it; the claim's key is read
    /// again when a run starts).
    pub(super) fn load_batch(&mut self, dir: &Path) {
        self.batch = Some(
            fleet::claim::Claim::load(dir)
                .map(|c| c.batch)
                .map_err(|e| e.to_string()),
        );
    }

    /// Whether a run is under way.
    pub(super) fn running(&self) -> bool {
        self.run.is_some()
    }

    /// The manifest, when it was read and is usable.
    fn manifest(&self) -> Option<&Manifest> {
        self.manifest.as_ref().and_then(|m| m.as_ref().ok())
    }

    /// Start a run on a worker.
    pub(super) fn start(
        &mut self,
        plan: fleet::Plan,
        boards: Boards,
        link: FlashOptions,
        report: PathBuf,
        ctx: &egui::Context,
    ) {
        let expected = match &boards {
            Boards::Ports(p) => Some(p.len()),
            Boards::EveryBoard => plan.manifest.listed(),
        };
        self.progress = Some(Progress::new(expected, Instant::now()));
        self.outcome = None;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let watching = matches!(boards, Boards::EveryBoard);
        let worker = Worker::spawn("fleet", ctx, move |out| {
            let events = out.clone();
            let on_event = move |e: BoardEvent| {
                events.send(Msg::Event(e));
            };
            let outcome = match boards {
                Boards::EveryBoard => {
                    let ports = PortSource::Usb { only: Vec::new() };
                    let w = fleet::Watch {
                        ports: &ports,
                        boards: None,
                        stop: &flag,
                    };
                    fleet::watch(&plan, &link, &w, &on_event)
                }
                Boards::Ports(ports) => fleet::run(&plan, &ports, &link, &on_event),
            };
            let said = match outcome {
                Ok(o) => o.write_report(&report).map_err(|e| {
                    (
                        format!("cannot write the report {}: {e}", report.display()),
                        "make its folder writable; the journal keeps the run".into(),
                    )
                }),
                Err(e) => Err((
                    e.to_string(),
                    e.fix()
                        .unwrap_or("correct it and start again: the journal resumes the run")
                        .to_string(),
                )),
            };
            out.send(Msg::Done(said));
        });
        match worker {
            Ok(worker) => {
                self.run = Some(Run {
                    worker,
                    stop,
                    watching,
                })
            }
            Err(e) => self.outcome = Some(Err((e, "close other programs and try again".into()))),
        }
    }

    /// Stop taking new boards; the ones under way finish.
    pub(super) fn stop(&mut self) {
        if let Some(r) = &self.run {
            r.stop.store(true, Ordering::Relaxed);
        }
    }

    /// Take what the run said.
    pub(super) fn poll(&mut self) {
        let Some(run) = self.run.as_mut() else {
            return;
        };
        let now = Instant::now();
        let mut done = None;
        for m in run.worker.drain() {
            match m {
                Msg::Event(e) => {
                    if let Some(p) = self.progress.as_mut() {
                        p.apply(&e, now);
                    }
                }
                Msg::Done(r) => done = Some(r),
            }
        }
        if let Some(r) = done {
            self.run = None;
            self.outcome = Some(r);
        }
    }
}

/// What stands between the form and Start, in the form's order.
pub(super) fn blockers(app: &ThingflashApp) -> Vec<String> {
    let mut b = Vec::new();
    let f = &app.settings.fleet;
    if f.by_claim {
        match &app.fleet.batch {
            None => b.push("open the batch folder thingflash fleet setup-aws wrote".into()),
            Some(Err(_)) => {
                b.push("open a batch folder that can be read: it says why above".into())
            }
            Some(Ok(_)) => {}
        }
        if !app.settings.target.needs_device_config() {
            b.push("provisioning by claim is for thingflash's firmware: choose it".into());
        }
        if !f.every_board && app.fleet.chosen.is_empty() {
            b.push("tick the boards' ports, or take every board plugged in".into());
        }
        return b;
    }
    match &app.fleet.manifest {
        None => b.push("open the manifest (a CSV: thing,mac,attributes,groups)".into()),
        Some(Err(_)) => {
            b.push("correct the manifest: the lines refused are listed under its name".into())
        }
        Some(Ok(_)) => {}
    }
    if !f.every_board && app.fleet.chosen.is_empty() {
        b.push("tick the boards' ports, or take every board plugged in".into());
    }
    if f.policy.trim().is_empty() {
        b.push("name the policy every certificate gets".into());
    }
    b
}

/// The run's plan, ports and report from the form; `None` while something blocks it.
pub(super) fn request(app: &ThingflashApp) -> Option<(fleet::Plan, Boards, FlashOptions, PathBuf)> {
    if !blockers(app).is_empty() {
        return None;
    }
    let f = &app.settings.fleet;
    // By claim: no manifest (the template names the things), the batch's claim, the
    // journal and report in the batch's folder.
    let (manifest, claim, (journal, report)) = if f.by_claim {
        let dir = f.claim_batch.as_deref()?;
        let claim = fleet::claim::Claim::load(dir).ok()?;
        (
            fleet::manifest::Manifest::default(),
            Some(claim),
            (
                dir.join("station-journal.jsonl"),
                dir.join("station-report"),
            ),
        )
    } else {
        (
            app.fleet.manifest()?.clone(),
            None,
            fleet::manifest::run_files(f.manifest.as_deref()?),
        )
    };
    let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let plan = fleet::Plan {
        manifest,
        target: app.settings.target,
        device: app.settings.device(&app.wifi_password),
        names: app.settings.names,
        file_list: text(&app.settings.file_list),
        table_offset: app
            .flash
            .table_offset()
            .unwrap_or(crate::partitions::DEFAULT_OFFSET),
        format: false,
        layout: app
            .settings
            .target
            .needs()
            .flash_layout
            .then(|| app.settings.layout_choice().ok())
            .flatten(),
        key: f.key.for_target(app.settings.target),
        policy: f.policy.trim().to_string(),
        account: provision::Account {
            profile: text(&f.profile),
            region: text(&f.region),
            ..app.aws.clone()
        },
        journal,
        calls_per_second: 10.0,
        wait_connected: f.wait_connected.then_some(WAIT_CONNECTED),
        claim,
    };
    let boards = if f.every_board {
        Boards::EveryBoard
    } else {
        Boards::Ports(app.fleet.chosen.iter().cloned().collect())
    };
    // Each worker sets its own port.
    let link = app.settings.link(String::new(), app.fleet.force);
    Some((plan, boards, link, report))
}

/// The form, with Start at its foot.
pub(super) fn form(ui: &mut egui::Ui, app: &mut ThingflashApp) -> Vec<Action> {
    let mut actions = Vec::new();
    let running = app.fleet.running();
    // A fixed height, so Start keeps its place whatever the form shows (refusals, the
    // port list, the target's options).
    egui::ScrollArea::vertical()
        .max_height((ui.available_height() - 90.0).max(120.0))
        .min_scrolled_height((ui.available_height() - 90.0).max(120.0))
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.add_enabled_ui(!running, |ui| {
                // By claim the template names the things: no manifest.
                if !app.settings.fleet.by_claim {
                    manifest(ui, app, &mut actions);
                    ui.add_space(8.0);
                }
                ui.strong("Runs on the boards");
                super::board::target_picker(ui, &mut app.settings.target);
                ui.add(egui::Label::new(egui::RichText::new(settings_line(app)).weak()).wrap());
                ui.add_space(8.0);
                aws(ui, app, &mut actions);
                ui.add_space(8.0);
                ports(ui, app);
            });
        });
    ui.separator();
    let blockers = blockers(app);
    ui.horizontal(|ui| {
        if running {
            let watching = app.fleet.run.as_ref().is_some_and(|r| r.watching);
            let stopping = app
                .fleet
                .run
                .as_ref()
                .is_some_and(|r| r.stop.load(Ordering::Relaxed));
            ui.spinner();
            if watching
                && ui
                    .add_enabled(
                        !stopping,
                        egui::Button::new("Stop after the boards under way"),
                    )
                    .clicked()
            {
                actions.push(Action::StopFleet);
            }
            if stopping || !watching {
                ui.label("finishing the boards under way");
            }
        } else if ui
            .add_enabled(
                blockers.is_empty(),
                egui::Button::new(egui::RichText::new("Start").heading().strong())
                    .min_size(egui::vec2(140.0, 36.0)),
            )
            .clicked()
        {
            actions.push(Action::StartFleet);
        }
    });
    for b in blockers.iter().take(2) {
        ui.weak(b);
    }
    actions
}

fn manifest(ui: &mut egui::Ui, app: &mut ThingflashApp, actions: &mut Vec<Action>) {
    ui.strong("Manifest");
    ui.horizontal_wrapped(|ui| {
        match &app.settings.fleet.manifest {
            Some(p) => {
                let name = p.file_name().unwrap_or(p.as_os_str());
                ui.label(name.to_string_lossy())
                    .on_hover_text(p.display().to_string());
            }
            None => {
                ui.weak("drop the manifest (.csv) here, or");
            }
        }
        if ui.button("Open a manifest...").clicked()
            && let Some(path) = rfd::FileDialog::new()
                .add_filter("CSV", &["csv"])
                .pick_file()
        {
            actions.push(Action::OpenManifest(path));
        }
    });
    match &app.fleet.manifest {
        Some(Ok(m)) => {
            ui.label(m.describe());
            if let Some(p) = &app.settings.fleet.manifest {
                let (journal, _) = fleet::manifest::run_files(p);
                if journal.exists() {
                    ui.weak("its journal is there: boards done before are skipped");
                }
            }
        }
        Some(Err(errors)) => {
            for e in errors.iter().take(6) {
                ui.colored_label(ui.visuals().error_fg_color, e.to_string());
                ui.weak(format!("fix: {}", e.fix));
            }
            if errors.len() > 6 {
                ui.weak(format!("and {} more", errors.len() - 6));
            }
        }
        None => {
            ui.weak("one row per board (thing,mac,...) or one pattern row such as kitchen-{mac}");
        }
    }
}

/// What every board gets besides its identity, in one line.
fn settings_line(app: &ThingflashApp) -> String {
    let s = &app.settings;
    if s.fleet.by_claim && s.target.needs().device_config {
        return format!(
            "WiFi \"{}\", the batch's endpoint; each board makes its key, provisions itself by claim and connects as its thing (step 3 of One board sets the rest)",
            s.wifi_ssid
        );
    }
    if s.target.needs().device_config {
        let endpoint = if s.endpoint.trim().is_empty() {
            "the account's endpoint".to_string()
        } else {
            s.endpoint.trim().to_string()
        };
        format!(
            "WiFi \"{}\", {endpoint}; each board's client id is its thing name (step 3 of One board sets the rest)",
            s.wifi_ssid
        )
    } else {
        format!(
            "{}; the files' names are One board's step 2",
            s.target.effect()
        )
    }
}

fn aws(ui: &mut egui::Ui, app: &mut ThingflashApp, actions: &mut Vec<Action>) {
    let f = &mut app.settings.fleet;
    ui.strong("AWS IoT");
    ui.radio_value(
        &mut f.by_claim,
        false,
        "With my AWS credentials: a thing and a certificate for each board",
    );
    ui.radio_value(
        &mut f.by_claim,
        true,
        "By claim: boards provision themselves (no AWS credentials here)",
    );
    if f.by_claim {
        ui.horizontal_wrapped(|ui| {
            match &f.claim_batch {
                Some(p) => {
                    let name = p.file_name().unwrap_or(p.as_os_str());
                    ui.label(name.to_string_lossy())
                        .on_hover_text(p.display().to_string());
                }
                None => {
                    ui.weak("the folder thingflash fleet setup-aws wrote:");
                }
            }
            if ui.button("Open a batch folder...").clicked()
                && let Some(dir) = rfd::FileDialog::new().pick_folder()
            {
                actions.push(Action::OpenBatch(dir));
            }
        });
        match &app.fleet.batch {
            Some(Ok(b)) => {
                ui.label(format!(
                    "template {}: each thing {}<MAC>; boards connect to {}",
                    b.template, b.thing_prefix, b.endpoint
                ));
            }
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            None => {}
        }
        if app.settings.target.needs().reports_stages {
            ui.checkbox(
                &mut f.wait_connected,
                "Wait until each board has provisioned itself and reports MQTT connected",
            );
        }
        return;
    }
    egui::Grid::new("fleet-aws")
        .num_columns(2)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            let l = ui.label("Profile");
            ui.add(egui::TextEdit::singleline(&mut f.profile).hint_text("default chain"))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Region");
            ui.add(egui::TextEdit::singleline(&mut f.region).hint_text("the profile's"))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Policy");
            ui.text_edit_singleline(&mut f.policy).labelled_by(l.id);
            ui.end_row();
        });
    // What the run will use, so that the radio shows the truth for this target.
    let mut key = f.key.for_target(app.settings.target);
    if app.settings.target.needs_device_config() {
        ui.radio_value(
            &mut key,
            fleet::FleetKey::Board,
            "Key made on the board: it never leaves the chip",
        );
    }
    ui.radio_value(
        &mut key,
        fleet::FleetKey::EcP256,
        "Key made on this computer, AWS signs its CSR",
    );
    ui.radio_value(&mut key, fleet::FleetKey::Rsa2048, "Key made by AWS");
    if key != f.key.for_target(app.settings.target) {
        f.key = key;
    }
    if app.settings.target.needs().reports_stages {
        ui.checkbox(
            &mut f.wait_connected,
            "Wait until each board reports MQTT connected",
        );
    }
}

fn ports(ui: &mut egui::Ui, app: &mut ThingflashApp) {
    ui.strong("Boards");
    let f = &mut app.settings.fleet;
    ui.radio_value(
        &mut f.every_board,
        true,
        "Every board plugged in from now on (USB)",
    );
    ui.radio_value(&mut f.every_board, false, "The boards on these ports:");
    let every_board = f.every_board;
    if !every_board {
        ui.indent("fleet-ports", |ui| {
            if app.ports.ports.is_empty() {
                ui.weak(crate::ports::NO_PORT_HINT);
            }
            for p in &app.ports.ports {
                let mut on = app.fleet.chosen.contains(&p.name);
                if ui.checkbox(&mut on, p.label()).changed() {
                    if on {
                        app.fleet.chosen.insert(p.name.clone());
                    } else {
                        app.fleet.chosen.remove(&p.name);
                    }
                }
            }
        });
    }
    if app.settings.target.needs().chip_revision_check {
        ui.checkbox(
            &mut app.fleet.force,
            "Flash chips of a revision the firmware does not declare",
        );
    }
}

/// The boards: counts, rate and time left over the table.
pub(super) fn table(ui: &mut egui::Ui, app: &mut ThingflashApp) {
    ui.heading("Boards");
    let now = Instant::now();
    match &app.fleet.outcome {
        Some(Ok(line)) => {
            ui.colored_label(super::GREEN, line);
        }
        Some(Err((message, fix))) => {
            ui.colored_label(ui.visuals().error_fg_color, message);
            ui.label(format!("fix: {fix}"));
        }
        None => {}
    }
    let Some(progress) = &app.fleet.progress else {
        ui.weak("Start a run: every board is identified by its MAC, becomes its thing in AWS IoT with a certificate of its own, and is written and read back. Plug boards in as you go; unplug each once its line says done.");
        return;
    };
    let c = progress.counts();
    ui.horizontal_wrapped(|ui| {
        ui.label(egui::RichText::new(format!("{} provisioned", c.provisioned)).color(super::GREEN));
        ui.label(format!("{} skipped (done before)", c.skipped));
        let failed = egui::RichText::new(format!("{} failed", c.failed));
        ui.label(if c.failed > 0 {
            failed.color(ui.visuals().error_fg_color)
        } else {
            failed
        });
        ui.label(format!("{} under way", c.under_way));
        if let Some(rate) = progress.per_minute(now) {
            ui.weak(format!("{rate:.1} boards a minute"));
        }
        if let Some(left) = progress.time_left(now) {
            ui.weak(format!("about {} left", minutes(left)));
        }
    });
    egui::ScrollArea::both()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            egui::Grid::new("fleet-boards")
                .striped(true)
                .num_columns(7)
                .spacing([12.0, 4.0])
                .show(ui, |ui| {
                    for h in ["Port", "Chip", "MAC", "Thing", "Stage", "Result", "Seconds"] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    // Newest first: the boards under way and just finished are on top.
                    for line in progress.lines().iter().rev() {
                        ui.label(&line.port);
                        ui.label(&line.chip);
                        ui.monospace(&line.mac);
                        ui.label(&line.thing);
                        ui.label(&line.stage);
                        match line.result {
                            Some(Ended::Failed) => {
                                ui.colored_label(ui.visuals().error_fg_color, "failed")
                                    .on_hover_text(format!("{}\nfix: {}", line.error, line.fix));
                            }
                            Some(r) => {
                                ui.colored_label(super::GREEN, r.word());
                            }
                            None => {
                                ui.spinner();
                            }
                        }
                        ui.label(format!("{:.0}", Progress::elapsed(line, now)));
                        ui.end_row();
                        if line.result == Some(Ended::Failed) {
                            ui.label("");
                            ui.colored_label(
                                ui.visuals().error_fg_color,
                                format!("{} (fix: {})", line.error, line.fix),
                            );
                            ui.end_row();
                        }
                    }
                });
        });
    if app.fleet.running() {
        // The seconds column and the rate move on their own.
        ui.ctx().request_repaint_after(Duration::from_secs(1));
    }
}

fn minutes(d: Duration) -> String {
    let m = d.as_secs().div_ceil(60);
    if m <= 1 {
        "a minute".into()
    } else {
        format!("{m} minutes")
    }
}
