//! Step 4, flash: the action bar that is always in view (the large Flash button, the
//! credentials-only reflash, progress and the outcome, and why Flash cannot be clicked
//! yet, in place), and the step's own options with, for the user's own firmware, the
//! partition's files before and after.

use eframe::egui;

use super::state::{Action, FlashView, PartitionFiles, ThingflashApp};
use crate::job::Event;

impl FlashView {
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
    ui.horizontal(|ui| {
        let ready = blockers.is_empty();
        let text = egui::RichText::new("Flash").strong().size(18.0);
        let button = egui::Button::new(text).min_size(egui::vec2(150.0, 40.0));
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
        if app.probing() {
            let label = if app.staying() {
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
    if app.flash.job.is_some() || app.flash.progress.is_some() {
        let (fraction, text) = match &app.flash.progress {
            Some(p) => (p.fraction(), p.line()),
            None => (0.0, app.flash.stage.clone()),
        };
        ui.add(
            egui::ProgressBar::new(fraction)
                .text(text)
                .animate(app.flash.job.is_some()),
        );
    }
    if app.flash.job.is_some() {
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
    let stages = app.probe_stages();
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
    } else if let Some(r) = app.probe_report().filter(|r| r.passed()) {
        let total: u32 = r.stages.iter().map(|s| s.ms).sum();
        ui.colored_label(
            super::GREEN,
            format!(
                "Connection test: all {} stages passed in {total} ms on port {}",
                r.stages.len(),
                r.port
            ),
        );
    } else if app.probing() {
        ui.weak(format!("Connection test: {} stage(s) done", stages.len()));
    }
    if app.staying() {
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
