//! The window. Panels only: what is shown comes from `credentials` (and, as they land,
//! bundle, flash and monitor). This first shell covers the credentials step.

use std::path::PathBuf;

use eframe::egui;

use crate::credentials::{self, Analysis, CredentialsError, InputFile, Kind, Role, Severity};

/// Open the window and run until it is closed.
pub fn run() -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("thingflash")
            .with_inner_size([900.0, 640.0])
            .with_min_inner_size([640.0, 480.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "thingflash",
        options,
        Box::new(|_cc| Ok(Box::new(ThingflashApp::default()))),
    )
}

/// The whole GUI state; its single owner is eframe.
#[derive(Default)]
pub struct ThingflashApp {
    files: Vec<InputFile>,
    unreadable: Vec<CredentialsError>,
    analysis: Option<Analysis>,
}

impl ThingflashApp {
    /// Add dropped or chosen files and re-check the set.
    pub fn add_paths(&mut self, paths: impl IntoIterator<Item = PathBuf>) {
        for path in paths {
            match credentials::read_path(&path) {
                Ok(mut f) => self.files.append(&mut f),
                Err(e) => self.unreadable.push(e),
            }
        }
        self.reanalyse();
    }

    /// Add files whose bytes are already in memory.
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
        self.analysis = Some(credentials::analyse(
            &self.files,
            &self.unreadable,
            time::OffsetDateTime::now_utc(),
            None,
        ));
    }

    /// The current analysis, if files were dropped.
    pub fn analysis(&self) -> Option<&Analysis> {
        self.analysis.as_ref()
    }

    fn take_dropped(&mut self, ctx: &egui::Context) {
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        if dropped.is_empty() {
            return;
        }
        let mut files = Vec::new();
        for d in dropped {
            let path = d.path().to_path_buf();
            if !path.as_os_str().is_empty() {
                self.add_paths([path]);
            } else if let Ok(bytes) = d.bytes() {
                files.push(InputFile::from_bytes(format!("{d:?}"), bytes));
            }
        }
        if !files.is_empty() {
            self.add_files(files);
        }
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
                ui.set_min_height(90.0);
                ui.vertical_centered(|ui| {
                    ui.add_space(24.0);
                    ui.label("Drop the AWS certificate files here");
                    ui.weak("-certificate.pem.crt, -private.pem.key, AmazonRootCA1.pem, or the connect-device zip");
                });
            });
        if ui
            .button("Clear")
            .on_hover_text("Forget the dropped files")
            .clicked()
        {
            *self = Self::default();
        }
        let Some(a) = &self.analysis else { return };
        for item in &a.items {
            ui.group(|ui| {
                let role = match item.role {
                    Role::DeviceCertificate => "Device certificate",
                    Role::PrivateKey => "Private key",
                    Role::RootCa => "Root CA",
                    Role::Ignored => item.kind.short(),
                };
                ui.strong(role);
                ui.label(&item.source);
                if let Kind::Certificate(c) = &item.kind {
                    ui.label(format!(
                        "CN {} - expires {}",
                        c.subject_cn,
                        c.not_after.date()
                    ));
                }
            });
        }
        for f in &a.findings {
            let color = match f.severity {
                Severity::Error => ui.visuals().error_fg_color,
                Severity::Warning => ui.visuals().warn_fg_color,
                Severity::Info => ui.visuals().text_color(),
            };
            ui.colored_label(color, f.to_string());
        }
    }
}

impl eframe::App for ThingflashApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.take_dropped(&ctx);
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| self.credentials_panel(ui));
        });
    }
}
