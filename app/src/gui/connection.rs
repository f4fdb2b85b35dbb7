//! Step 3, connection settings: WiFi, the AWS IoT endpoint (checked as it is typed),
//! client id, topics, port and telemetry interval, and the connection test's stages. The
//! password is kept in memory only.

use eframe::egui;

use super::state::{Action, ThingflashApp};
use crate::credentials::{Severity, endpoint};

/// Draw the step; returns what the user did.
pub(super) fn show(ui: &mut egui::Ui, app: &mut ThingflashApp) -> Option<Action> {
    if !app.settings.target.needs().device_config {
        ui.label("Your firmware keeps its own WiFi and endpoint settings: thingflash writes only the certificate, the key and the root CA. The endpoint below is still used by the connection test.");
    }
    let s = &mut app.settings;
    egui::Grid::new("settings")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            let l = ui.label("WiFi network");
            ui.text_edit_singleline(&mut s.wifi_ssid).labelled_by(l.id);
            ui.end_row();
            let l = ui.label("WiFi password");
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut *app.wifi_password)
                        .password(!app.show_password),
                )
                .labelled_by(l.id);
                ui.checkbox(&mut app.show_password, "Show");
            });
            ui.end_row();
            let l = ui.label("Endpoint");
            ui.text_edit_singleline(&mut s.endpoint).labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Client id");
            ui.text_edit_singleline(&mut s.client_id).labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Topic prefix");
            ui.text_edit_singleline(&mut s.topic_prefix)
                .labelled_by(l.id);
            ui.end_row();
            ui.label("MQTT port");
            ui.horizontal(|ui| {
                ui.radio_value(&mut s.mqtt_port, 8883, "8883");
                ui.radio_value(&mut s.mqtt_port, 443, "443 (ALPN)");
            });
            ui.end_row();
            let l = ui.label("Telemetry every (s)");
            ui.add(egui::DragValue::new(&mut s.telemetry_s).range(1..=86_400))
                .labelled_by(l.id);
            ui.end_row();
        });
    ui.checkbox(
        &mut app.probe.stay,
        "Test connection: then stay connected as a virtual board",
    )
    .on_hover_text(
        "After a passing test, this computer runs the firmware's session: telemetry, answers to ping and status. Watch it in the AWS console's MQTT test client",
    );
    probe_stages(ui, app);
    if !app.settings.endpoint.is_empty() {
        for f in endpoint::check_endpoint(&app.settings.endpoint).findings {
            let color = match f.severity {
                Severity::Error => ui.visuals().error_fg_color,
                Severity::Warning => ui.visuals().warn_fg_color,
                Severity::Info => ui.visuals().weak_text_color(),
            };
            ui.colored_label(color, format!("{} - {}", f.message, f.fix));
        }
    }
    None
}

/// The connection test's stages, each pass or fail, the failed one with its explanation.
fn probe_stages(ui: &mut egui::Ui, app: &ThingflashApp) {
    let stages = app.probe_stages();
    if stages.is_empty() {
        return;
    }
    ui.separator();
    ui.strong("Connection test from this computer");
    egui::Grid::new("probe-stages")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            for s in stages {
                ui.label(s.stage.name());
                if s.ok {
                    ui.colored_label(super::GREEN, "ok");
                } else {
                    ui.colored_label(ui.visuals().error_fg_color, "failed");
                }
                // Wrapped: a long detail (the PUBLISH stage's read-back) must not widen
                // the left column and push the status panel out of the window.
                ui.add(egui::Label::new(format!("{} ({} ms)", s.detail, s.ms)).wrap());
                ui.end_row();
            }
        });
    // The failure's explanation first; else a passing stage's warning (a legacy endpoint).
    let failed = stages.iter().find(|s| !s.ok);
    let shown = failed
        .and_then(|s| s.explanation.as_ref())
        .or_else(|| stages.iter().find_map(|s| s.explanation.as_ref()));
    if let Some(e) = shown {
        ui.add(egui::Label::new(format!("{}: {}", e.title, e.cause)).wrap());
        ui.add(egui::Label::new(egui::RichText::new(format!("Fix: {}", e.fix)).strong()).wrap());
    }
}
