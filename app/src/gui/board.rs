//! Step 2, the board: the serial port (picked from the ports seen, or typed), and the chip
//! detected when flashing.

use eframe::egui;

use super::state::{Action, ThingflashApp};
use crate::ports;

/// Draw the step; returns what the user did.
pub(super) fn show(ui: &mut egui::Ui, app: &mut ThingflashApp) -> Option<Action> {
    let selected = app
        .settings
        .serial_port
        .clone()
        .unwrap_or_else(|| "choose a port".into());
    ui.horizontal(|ui| {
        let label = ui.label("Serial port");
        egui::ComboBox::from_id_salt("port")
            .selected_text(selected)
            .width(260.0)
            .show_ui(ui, |ui| {
                for p in &app.ports {
                    ui.selectable_value(
                        &mut app.settings.serial_port,
                        Some(p.name.clone()),
                        p.label(),
                    );
                }
            })
            .response
            .labelled_by(label.id);
    });
    if app.ports.is_empty() {
        ui.weak(ports::NO_PORT_HINT);
    }
    ui.horizontal(|ui| {
        let l = ui.label("Port path");
        let r = ui
            .add(egui::TextEdit::singleline(&mut app.port_text).hint_text(ports::PORT_EXAMPLE))
            .labelled_by(l.id);
        if r.changed() {
            let t = app.port_text.trim();
            app.settings.serial_port = (!t.is_empty()).then(|| t.to_string());
        }
    });
    ui.label("Runs on the board: thingflash firmware (ESP32-C3 / ESP32-C6)");
    if let Some(b) = &app.flash.board {
        ui.label(format!("Detected: {}", b.summary()));
    }
    None
}
