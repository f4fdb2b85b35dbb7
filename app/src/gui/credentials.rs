//! Step 1, credentials: the drop area, one card per item (what it is, where it came from,
//! where else it was found), the passphrase when a key is encrypted, and every finding
//! with its fix.

use eframe::egui;

use super::state::{Action, ThingflashApp};
use crate::credentials::{Kind, Role, Severity};

/// Draw the step; returns what the user did.
pub(super) fn show(ui: &mut egui::Ui, app: &mut ThingflashApp) -> Option<Action> {
    let mut action = None;
    let hovering = ui.ctx().input(|i| !i.raw.hovered_files.is_empty());
    egui::Frame::group(ui.style())
        .fill(if hovering {
            ui.visuals().selection.bg_fill.gamma_multiply(0.3)
        } else {
            ui.visuals().faint_bg_color
        })
        .show(ui, |ui| {
            ui.set_min_height(64.0);
            ui.vertical_centered(|ui| {
                ui.add_space(8.0);
                ui.label("Drop the AWS certificate files here");
                ui.weak("-certificate.pem.crt, -private.pem.key, AmazonRootCA1.pem, the connect-device zip, or a secrets.h");
                if ui
                    .button("Add files...")
                    .on_hover_text("Choose the files AWS IoT gave you")
                    .clicked()
                    && let Some(paths) = rfd::FileDialog::new()
                        .set_title("AWS IoT certificate files")
                        .pick_files()
                {
                    action = Some(Action::AddPaths(paths));
                }
            });
        });
    let Some(a) = &app.analysis else {
        return action;
    };
    ui.horizontal(|ui| {
        if ui
            .button("Clear")
            .on_hover_text("Forget the files")
            .clicked()
        {
            action = Some(Action::ClearFiles);
        }
        if ui
            .add_enabled(!a.blocked(), egui::Button::new("Export DER..."))
            .on_hover_text(
                "cert.der, key.der and ca.der, as the classic ESP8266 guide made them with openssl",
            )
            .clicked()
            && let Some(dir) = rfd::FileDialog::new().pick_folder()
        {
            action = Some(Action::ExportDer(dir));
        }
        if ui
            .add_enabled(!a.blocked(), egui::Button::new("Export secrets.h..."))
            .on_hover_text("secrets.h (AWS_CERT_CA, AWS_CERT_CRT, AWS_CERT_PRIVATE as PROGMEM strings) and /cert.der, /private.der, /ca.der, for a sketch that keeps its credentials in the source or reads them from its file system")
            .clicked()
            && let Some(dir) = rfd::FileDialog::new().pick_folder()
        {
            action = Some(Action::ExportForSketch(dir));
        }
    });
    let encrypted = a.items.iter().any(|i| {
        matches!(
            i.kind,
            Kind::EncryptedKey { .. } | Kind::WrongPassphrase { .. }
        )
    });
    if encrypted {
        let label = ui.label("Key passphrase");
        let r = ui
            .add(egui::TextEdit::singleline(&mut *app.passphrase).password(true))
            .labelled_by(label.id);
        if r.lost_focus() || (r.changed() && ui.input(|i| i.key_pressed(egui::Key::Enter))) {
            action = Some(Action::Reanalyse);
        }
    }
    let Some(a) = &app.analysis else {
        return action;
    };
    for item in &a.items {
        ui.group(|ui| {
            ui.set_width(ui.available_width());
            let role = match item.role {
                Role::DeviceCertificate => "Device certificate".to_string(),
                Role::PrivateKey => "Private key".to_string(),
                Role::RootCa => "Root CA".to_string(),
                Role::Ignored => format!("Not used: {}", item.kind.short()),
            };
            ui.horizontal(|ui| {
                ui.strong(role);
                ui.label(&item.source);
            });
            if !item.also_in.is_empty() {
                ui.weak(format!("also in: {}", item.also_in.join(", ")));
            }
            match &item.kind {
                Kind::Certificate(c) => {
                    if let Some(name) = item.known_root {
                        ui.label(name);
                    } else {
                        ui.label(format!("CN {}", c.subject_cn));
                    }
                    ui.weak(format!("expires {} - {}", c.not_after.date(), c.key_type));
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
    for f in a.findings.iter().filter(|f| f.severity != Severity::Info) {
        let color = match f.severity {
            Severity::Error => ui.visuals().error_fg_color,
            _ => ui.visuals().warn_fg_color,
        };
        ui.colored_label(color, f.to_string());
    }
    action
}
