//! Step 4, flash: the action bar that is always in view (the large Flash button, the
//! credentials-only reflash, progress and the outcome, and why Flash cannot be clicked
//! yet, in place), and the step's own options with, for the user's own firmware, the
//! partition's files before and after.

use std::sync::Arc;

use eframe::egui;

use super::state::{Action, ThingflashApp};
use super::worker::Worker;
use crate::flash::{self, BoardInfo, FlashOptions};
use crate::fs::FileEntry;
use crate::job::{self, Event, Outcome, Refusal, RefusalKind};
use crate::own::FirmwareImage;
use crate::partitions::Table;

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

enum FlashMsg {
    Event(job::Event),
    /// A step of a board that makes its own key, between its writes.
    Stage(String),
    Finished(Result<Outcome, String>),
    /// A board that made its own key is provisioned: what to say.
    Provisioned(Result<String, String>),
}

/// What the Flash section shows.
#[derive(Default)]
pub(super) struct FlashView {
    job: Option<Worker<FlashMsg>>,
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
    table_job: Option<Worker<Result<(BoardInfo, Table), String>>>,
    /// What the last run said the user should know (ESP8266 ROM mode).
    pub(super) notice: Option<String>,
    /// The ESP8266 sketch dropped in, written first.
    pub(super) sketch: Option<Sketch>,
    /// Write without the flasher stub (ROM mode: nothing read, nothing verified).
    pub(super) no_stub: bool,
}

impl FlashView {
    /// Run the prepared operation on the flasher thread.
    pub(super) fn start(&mut self, ctx: &egui::Context, job: job::Job, link: FlashOptions) {
        self.files = None;
        let spawned = Worker::spawn("flasher", ctx, move |out| {
            let events = out.clone();
            let r = job.run(&link, &mut |e| {
                events.send(FlashMsg::Event(e));
            });
            out.send(FlashMsg::Finished(r.map_err(|e| e.to_string())));
        });
        self.started(spawned);
    }

    /// Provision a board that makes its own key ([`crate::board_key`]): its firmware, its
    /// request read from its serial line, the certificate from AWS, only that written.
    pub(super) fn start_board(
        &mut self,
        ctx: &egui::Context,
        req: crate::board_key::Request,
        link: FlashOptions,
    ) {
        use crate::board_key::Step;
        self.files = None;
        let spawned = Worker::spawn("flasher", ctx, move |out| {
            let events = out.clone();
            let r = crate::board_key::run(&req, &link, &mut |step| {
                let _ = match step {
                    Step::Flashing(e) | Step::WritingCertificate(e) => {
                        events.send(FlashMsg::Event(e))
                    }
                    Step::Endpoint => events.send(FlashMsg::Stage(
                        "asking AWS IoT for the account's endpoint".into(),
                    )),
                    Step::ReadingRequest => events.send(FlashMsg::Stage(
                        "reading the board's certificate request (it makes its key on this first boot)"
                            .into(),
                    )),
                    Step::Aws(crate::provision::Progress::Step(s)) => {
                        events.send(FlashMsg::Stage(format!("AWS IoT: {s}")))
                    }
                    Step::Aws(crate::provision::Progress::Done(_)) => true,
                    Step::Connecting => events.send(FlashMsg::Stage(
                        "waiting for the board to report MQTT connected".into(),
                    )),
                };
            });
            out.send(FlashMsg::Provisioned(
                r.map(|o| {
                    format!(
                        "{} is provisioned with a key the board made; the key never left it. Certificate {} written and read back.",
                        o.provisioned.thing, o.provisioned.certificate_id
                    )
                })
                .map_err(|e| match e.fix() {
                    Some(fix) => format!("{e} (fix: {fix})"),
                    None => e.to_string(),
                }),
            ));
        });
        self.started(spawned);
    }

    /// A run's worker is under way (or could not start: its error is the result).
    fn started(&mut self, spawned: Result<Worker<FlashMsg>, String>) {
        match spawned {
            Ok(w) => {
                self.job = Some(w);
                self.stage = "starting".into();
                self.progress = None;
                self.result = None;
                self.notice = None;
            }
            Err(e) => self.result = Some(Err(e)),
        }
    }

    /// Whether a flash runs.
    pub(super) fn running(&self) -> bool {
        self.job.is_some()
    }

    /// Follow the run; true once it is over (its outcome, or why it failed, in `result`).
    /// `no_reset`: the board was left in download mode, so the outcome says to press RESET.
    pub(super) fn poll(&mut self, no_reset: bool) -> bool {
        let Some(job) = self.job.as_mut() else {
            return false;
        };
        let mut finished = None;
        let mut provisioned = None;
        for msg in job.drain() {
            match msg {
                FlashMsg::Provisioned(r) => provisioned = Some(r),
                FlashMsg::Event(e) => self.apply(e),
                FlashMsg::Stage(s) => {
                    self.stage = s;
                    self.progress = None;
                }
                FlashMsg::Finished(r) => finished = Some(r),
            }
        }
        if let Some(r) = provisioned {
            self.job = None;
            self.flashed |= r.is_ok();
            self.result = Some(r);
            return true;
        }
        let Some(r) = finished else {
            return false;
        };
        self.job = None;
        self.result = Some(r.map(|o| {
            if let Some(t) = o.table() {
                self.table = Some(t.clone());
            }
            self.flashed |= o.flashed_thingflash();
            let next = if no_reset {
                "Press RESET on the board to start it."
            } else {
                "The board is restarting; its log follows below."
            };
            format!("{} {next}", o.summary())
        }));
        true
    }

    /// Why Flash cannot be clicked, in the order of the flow's steps (the credentials,
    /// the port, the rest); `request` is the operation's request as the window makes it.
    pub(super) fn blockers(
        &self,
        request: Result<job::Request<'_>, Vec<Refusal>>,
        port_chosen: bool,
    ) -> Vec<String> {
        let (mut files, mut rest) = (Vec::new(), Vec::new());
        let refusals = match request {
            Ok(r) => job::prepare(&r).err().unwrap_or_default(),
            Err(typed) => typed,
        };
        for r in refusals {
            let to = if r.kind == RefusalKind::Credentials {
                &mut files
            } else {
                &mut rest
            };
            to.push(r.line());
        }
        let mut out = files;
        if !port_chosen {
            out.push("choose the board's serial port".into());
        }
        out.extend(rest);
        if self.running() {
            out.push("a flash is running".into());
        }
        out
    }
    /// Read the board's partition table on its thread.
    pub(super) fn read_table(&mut self, ctx: &egui::Context, link: FlashOptions, offset: u32) {
        let spawned = Worker::spawn("table-reader", ctx, move |out| {
            out.send(
                flash::own::inspect(&link, offset, &mut |_| {})
                    .map(|i| (i.board, i.table))
                    .map_err(|e| e.to_string()),
            );
        });
        match spawned {
            Ok(w) => self.table_job = Some(w),
            Err(e) => self.result = Some(Err(e)),
        }
    }

    /// Whether a table read runs.
    pub(super) fn reading_table(&self) -> bool {
        self.table_job.is_some()
    }

    /// Take the table read's result; why it failed, when it did.
    pub(super) fn poll_table(&mut self) -> Option<String> {
        let r = self.table_job.as_mut()?.drain().pop()?;
        self.table_job = None;
        match r {
            Ok((board, table)) => {
                self.board = Some(board);
                self.table = Some(table);
                None
            }
            Err(e) => Some(e),
        }
    }

    /// Where the partition table is: the typed offset, or 0x8000.
    pub(super) fn table_offset(&self) -> Result<u32, String> {
        let t = self.table_offset.trim();
        if t.is_empty() {
            return Ok(crate::partitions::DEFAULT_OFFSET);
        }
        crate::own::parse_offset(t)
            .filter(|o| o % 0x1000 == 0)
            .ok_or_else(|| {
                format!(
                    "{t:?} is not a partition table offset (0x8000, or another multiple of 0x1000)"
                )
            })
    }

    /// Follow one event of the run: the stage line, the progress, the board found, the
    /// partition's files planned and read back.
    pub(super) fn apply(&mut self, e: Event) {
        match e {
            Event::Connecting { port } => self.stage = format!("connecting to {port}"),
            Event::Connected(b) => {
                self.stage = format!("connected: {}", b.summary());
                self.board = Some(b);
            }
            Event::ReadingTable => self.stage = "reading the board's partition table".into(),
            Event::Progress(p) => {
                self.stage = if p.verifying {
                    format!("verifying {}", p.segment)
                } else {
                    format!("writing {}", p.segment)
                };
                self.progress = Some(p);
            }
            Event::Done(_) => {}
            Event::Notice { message } => self.notice = Some(message),
            Event::ReadingPartition { label, size, .. } => {
                self.stage = format!("reading {label} ({} KiB)", size / 1024)
            }
            Event::Planned {
                label,
                before,
                after,
                ..
            } => {
                self.files = Some(PartitionFiles {
                    label,
                    before,
                    after,
                    verified: false,
                })
            }
            Event::Verified { files, .. } => {
                if let Some(f) = &mut self.files {
                    f.after = files;
                    f.verified = true;
                }
            }
        }
    }
}

/// The flash options (the step's contents).
pub(super) fn options(ui: &mut egui::Ui, app: &mut ThingflashApp) -> Option<Action> {
    ui.checkbox(
        &mut app.settings.no_reset,
        "The port cannot reset the board (enter download mode by hand: hold BOOT, press RESET)",
    );
    let needs = app.settings.target.needs();
    if needs.rom_mode {
        ui.checkbox(
            &mut app.flash.no_stub,
            "Write without the flasher stub (ROM mode: slower, and nothing can be read back or verified; needs \"Create the file system\")",
        );
    }
    if needs.chip_revision_check {
        ui.checkbox(
            &mut app.flash.force,
            "Flash even if the chip revision is older than the firmware declares",
        );
    }
    ui.horizontal(|ui| {
        let l = ui.label("Flashing speed");
        egui::ComboBox::from_id_salt("flash-baud")
            .selected_text(app.settings.flash_baud.to_string())
            .show_ui(ui, |ui| {
                for b in [115_200, 460_800, 921_600] {
                    ui.selectable_value(&mut app.settings.flash_baud, b, b.to_string());
                }
            })
            .response
            .labelled_by(l.id);
    });
    if let Some(files) = app.partition_files() {
        file_list(ui, files);
    }
    None
}

/// The action bar: Flash, re-provision, progress, outcome.
pub(super) fn bar(ui: &mut egui::Ui, app: &mut ThingflashApp) -> Option<Action> {
    let mut action = None;
    let blockers = app.flash_blockers();
    // Wrapped: a target with one more button (re-provision) must not widen the column.
    ui.horizontal_wrapped(|ui| {
        let ready = blockers.is_empty();
        let text = egui::RichText::new("Flash").strong().size(18.0);
        let button = egui::Button::new(text).min_size(egui::vec2(140.0, 40.0));
        let button = if ready {
            button.fill(ui.visuals().selection.bg_fill)
        } else {
            button
        };
        let r = ui
            .add_enabled(ready, button)
            .on_disabled_hover_text(blockers.join("\n"));
        if r.clicked() {
            action = Some(Action::Flash {
                credentials_only: false,
            });
        }
        let probe_blocker = app.probe_blocker();
        if app.probe.running() {
            let label = if app.probe.staying {
                "Stop the virtual board"
            } else {
                "Stop test"
            };
            if ui.button(label).clicked() {
                action = Some(Action::StopTest);
            }
            ui.spinner();
        } else if ui
            .add_enabled(probe_blocker.is_none(), egui::Button::new("Test connection"))
            .on_hover_text(
                "From this computer, with these files, endpoint and client id: DNS, TCP, TLS, MQTT CONNECT, SUBSCRIBE and PUBLISH, as the board runs them",
            )
            .on_disabled_hover_text(probe_blocker.unwrap_or_default())
            .clicked()
        {
            action = Some(Action::TestConnection);
        }
        let creds_blocker = app.credentials_only_blocker();
        if app.settings.target.needs().credentials_only
            && ui
            .add_enabled(
                creds_blocker.is_none(),
                egui::Button::new("Re-provision credentials only"),
            )
            .on_hover_text(
                "Rewrite only the 8 KiB credentials partition: new certificate, WiFi or endpoint in seconds",
            )
            .on_disabled_hover_text(creds_blocker.unwrap_or_default())
            .clicked()
        {
            action = Some(Action::Flash {
                credentials_only: true,
            });
        }
    });
    ui.add(egui::Label::new(egui::RichText::new(app.settings.target.effect()).weak()).wrap());
    if let Some(first) = blockers.first() {
        ui.add(egui::Label::new(egui::RichText::new(format!("Not ready: {first}")).weak()).wrap());
    }
    if app.flash.running() || app.flash.progress.is_some() {
        let (fraction, text) = match &app.flash.progress {
            Some(p) => (p.fraction(), p.line()),
            None => (0.0, app.flash.stage.clone()),
        };
        ui.add(
            egui::ProgressBar::new(fraction)
                .text(text)
                .animate(app.flash.running()),
        );
    }
    if app.flash.running() {
        ui.label(&app.flash.stage);
    }
    if let Some(notice) = &app.flash.notice {
        ui.add(
            egui::Label::new(egui::RichText::new(notice).color(ui.visuals().warn_fg_color)).wrap(),
        );
    }
    probe_summary(ui, app);
    match &app.flash.result {
        Some(Ok(text)) => {
            ui.colored_label(super::GREEN, text);
        }
        Some(Err(text)) => {
            ui.colored_label(ui.visuals().error_fg_color, format!("Flash failed: {text}"));
        }
        None => {}
    }
    // One line here, so the bar stays its size; the list is in the step's contents.
    if let Some(files) = app.partition_files() {
        let new = files
            .after
            .iter()
            .filter(|f| !files.before.iter().any(|b| b.path == f.path))
            .count();
        ui.weak(format!(
            "{} file(s) in {}, {new} new: the list is in step 4",
            files.after.len(),
            files.label
        ));
    }
    action
}

/// The connection test in one line (the stages are in step 3).
fn probe_summary(ui: &mut egui::Ui, app: &ThingflashApp) {
    let stages = &app.probe.stages;
    if let Some(f) = stages.iter().find(|s| !s.ok) {
        let title = f
            .explanation
            .as_ref()
            .map(|e| e.title.to_string())
            .unwrap_or_else(|| f.detail.clone());
        ui.add(
            egui::Label::new(
                egui::RichText::new(format!(
                    "Connection test: {} failed: {title} (the stages are in step 3)",
                    f.stage.name()
                ))
                .color(ui.visuals().error_fg_color),
            )
            .wrap(),
        );
    } else if let Some(r) = app.probe.report.as_ref().filter(|r| r.passed()) {
        let total: u32 = r.stages.iter().map(|s| s.ms).sum();
        ui.colored_label(
            super::GREEN,
            format!(
                "Connection test: all {} stages passed in {total} ms on port {}",
                r.stages.len(),
                r.port
            ),
        );
    } else if app.probe.running() {
        ui.weak(format!("Connection test: {} stage(s) done", stages.len()));
    }
    if app.probe.staying {
        ui.weak("Virtual board connected: its messages are in the status panel and the log");
    }
}

/// The partition's files after the write, each marked new, replaced or kept, and what
/// was there before.
fn file_list(ui: &mut egui::Ui, files: &PartitionFiles) {
    let title = if files.verified {
        format!("Files in {} (read back from the board)", files.label)
    } else {
        format!("Files in {} (as planned)", files.label)
    };
    egui::CollapsingHeader::new(title)
        .id_salt("partition-files")
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("files-after")
                .num_columns(3)
                .striped(true)
                .show(ui, |ui| {
                    for f in &files.after {
                        let was = files.before.iter().find(|b| b.path == f.path);
                        let what = match was {
                            None => "new",
                            Some(b) if b.sha256 == f.sha256 && b.len == f.len => "kept",
                            Some(_) => "replaced",
                        };
                        ui.monospace(&f.path);
                        ui.label(format!("{} B", f.len));
                        ui.label(what);
                        ui.end_row();
                    }
                });
            let gone: Vec<&str> = files
                .before
                .iter()
                .filter(|b| !files.after.iter().any(|a| a.path == b.path))
                .map(|b| b.path.as_str())
                .collect();
            if !gone.is_empty() {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("No longer there: {}", gone.join(", ")),
                );
            }
        });
}
