//! Step 5, watch: the pipeline WiFi -> IP -> time -> TLS -> MQTT -> publishing as large
//! lights, the last problem and its fix in words, patterns across lines, and the raw
//! log (opened on demand, filtered, saved). The step's own contents are the monitor's
//! port controls.

use std::time::Instant;

use eframe::egui;

use super::state::{Action, ThingflashApp};
use crate::monitor::{Decoded, Level, Light, Step};

/// The monitor controls (the step's contents in the left column).
pub(super) fn controls(ui: &mut egui::Ui, app: &mut ThingflashApp) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        if app.monitor.is_none() {
            let enabled = app.settings.serial_port.is_some() && app.flash.job.is_none();
            if ui
                .add_enabled(enabled, egui::Button::new("Open monitor"))
                .on_disabled_hover_text("choose the board's serial port first (step 2)")
                .clicked()
                && let Some(p) = app.settings.serial_port.clone()
            {
                action = Some(Action::OpenMonitor(p));
            }
        } else if ui.button("Close monitor").clicked() {
            action = Some(Action::CloseMonitor);
        }
        ui.weak(&app.monitor_state);
    });
    if ui
        .button("Open a saved log...")
        .on_hover_text("Explain a log saved from a serial terminal or pasted from a forum thread")
        .clicked()
        && let Some(path) = rfd::FileDialog::new().pick_file()
    {
        action = Some(Action::OpenLog(path));
    }
    action
}

fn light_color(ui: &egui::Ui, light: Light) -> (egui::Color32, &'static str) {
    match light {
        Light::Off => (ui.visuals().weak_text_color(), "waiting"),
        Light::Working => (egui::Color32::from_rgb(0xE0, 0xA0, 0x20), "working"),
        Light::Ok => (super::GREEN, "ok"),
        Light::Failed => (ui.visuals().error_fg_color, "failed"),
    }
}

/// The central area: pipeline, last problem, patterns, raw log.
pub(super) fn show(ui: &mut egui::Ui, app: &mut ThingflashApp) -> Option<Action> {
    let mut action = None;
    ui.heading("Status");
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        for (i, step) in Step::ALL.into_iter().enumerate() {
            if i > 0 {
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(22.0, 44.0), egui::Sense::hover());
                let y = rect.top() + 14.0;
                ui.painter().arrow(
                    egui::pos2(rect.left() + 2.0, y),
                    egui::vec2(rect.width() - 6.0, 0.0),
                    egui::Stroke::new(1.5, ui.visuals().weak_text_color()),
                );
            }
            let (color, word) = light_color(ui, app.status.light(step));
            ui.vertical(|ui| {
                ui.set_width(66.0);
                let (rect, r) =
                    ui.allocate_exact_size(egui::vec2(66.0, 28.0), egui::Sense::hover());
                ui.painter().circle_filled(rect.center(), 12.0, color);
                // The light as one accessible text: "MQTT: ok".
                let text = format!("{}: {word}", step.label());
                r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, text.clone()));
                ui.vertical_centered(|ui| {
                    ui.strong(step.label());
                    ui.colored_label(color, word);
                });
            });
        }
    });
    ui.horizontal_wrapped(|ui| {
        let s = &app.status;
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
        // A pasted log's boot happened whenever it was recorded: counting up from the
        // paste would be a made-up figure.
        if let Some(up) = s.uptime(Instant::now()).filter(|_| app.live()) {
            ui.label(format!("up {}s", up.as_secs()));
        }
    });
    ui.add_space(6.0);
    match &app.status.last_error {
        Some(e) => {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(
                    egui::RichText::new(format!("Last problem: {}", e.explanation.title))
                        .strong()
                        .size(16.0)
                        .color(ui.visuals().error_fg_color),
                );
                ui.label(format!("Why: {}", e.explanation.cause));
                ui.label(egui::RichText::new(format!("Fix: {}", e.explanation.fix)).strong());
            });
        }
        None if app.log.is_empty() => {
            ui.weak("Nothing from the board yet. After flashing, thingflash opens the monitor and explains every step here; for a board that already runs, open the monitor in step 5.");
        }
        None => {}
    }
    for p in &app.status.patterns() {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.strong(format!("Seen across lines: {}", p.explanation.title));
            ui.label(format!("Why: {}", p.explanation.cause));
            ui.label(format!("Fix: {}", p.explanation.fix));
        });
    }
    ui.add_space(6.0);
    let header = format!("Raw log ({} lines)", app.log.len());
    let r = egui::CollapsingHeader::new(header)
        .id_salt("raw-log")
        .open(Some(app.log_open))
        .show(ui, |ui| {
            if let Some(a) = log_panel(ui, app) {
                action = Some(a);
            }
        });
    if r.header_response.clicked() {
        app.log_open = !app.log_open;
    }
    action
}

fn log_panel(ui: &mut egui::Ui, app: &mut ThingflashApp) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        let l = ui.label("Filter");
        ui.text_edit_singleline(&mut app.log_filter)
            .labelled_by(l.id);
        ui.checkbox(&mut app.autoscroll, "Follow");
        if ui.button("Save...").clicked()
            && let Some(path) = rfd::FileDialog::new()
                .set_file_name("thingflash-serial.log")
                .save_file()
        {
            action = Some(Action::SaveLog(path));
        }
        if ui.button("Clear log").clicked() {
            action = Some(Action::ClearLog);
        }
    });
    // Filtering a large log is cached until the filter or the log changes.
    let filtering = !app.log_filter.is_empty();
    if filtering {
        app.filtered.update(&app.log, &app.log_filter);
    }
    let count = if filtering {
        app.filtered.len()
    } else {
        app.log.len()
    };
    let row_height = ui.text_style_height(&egui::TextStyle::Monospace) + 2.0;
    egui::ScrollArea::both()
        .auto_shrink([false, false])
        .stick_to_bottom(app.autoscroll)
        .show_rows(ui, row_height, count, |ui, range| {
            for i in range {
                let d = if filtering {
                    app.filtered.get(&app.log, i)
                } else {
                    app.log.get(i)
                };
                if let Some(d) = d {
                    log_row(ui, d);
                }
            }
        });
    action
}

fn log_row(ui: &mut egui::Ui, d: &Decoded) {
    let color = match d.level {
        Level::Error => ui.visuals().error_fg_color,
        Level::Warn => ui.visuals().warn_fg_color,
        Level::Success => super::GREEN,
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
