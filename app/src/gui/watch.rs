//! Step 5, watch: the pipeline WiFi -> IP -> time -> TLS -> MQTT -> publishing as large
//! lights, the last problem and its fix in words, patterns across lines, and the raw
//! log (opened on demand, filtered, saved). The step's own contents are the monitor's
//! port controls.

use std::sync::mpsc::{Receiver, channel};
use std::time::Instant;

use eframe::egui;

use super::state::{Action, ThingflashApp};
use crate::monitor::log::{FilteredView, LogBuffer};
use crate::monitor::reader::{self, MonitorConfig, MonitorHandle, MonitorMsg};
use crate::monitor::{BoardStatus, Decoded, Decoder, Level, Light, Step};

/// What the status panel shows and the serial monitor that feeds it.
pub(super) struct WatchView {
    pub(super) status: BoardStatus,
    pub(super) log: LogBuffer,
    /// The raw log's filter, as typed.
    pub(super) filter: String,
    pub(super) filtered: FilteredView,
    /// Keep the raw log at its newest line.
    pub(super) autoscroll: bool,
    /// Whether the raw log is shown.
    pub(super) log_open: bool,
    monitor: Option<(MonitorHandle, Receiver<MonitorMsg>)>,
    /// What the serial monitor is doing, in words.
    pub(super) monitor_state: String,
}

impl Default for WatchView {
    fn default() -> Self {
        Self {
            status: BoardStatus::default(),
            log: LogBuffer::new(crate::monitor::log::DEFAULT_CAPACITY),
            filter: String::new(),
            filtered: FilteredView::default(),
            autoscroll: true,
            log_open: false,
            monitor: None,
            monitor_state: "not connected".into(),
        }
    }
}

impl WatchView {
    /// One decoded line into the lights and the raw log.
    pub(super) fn show_line(&mut self, d: Decoded, now: Instant) {
        self.status.apply(&d, now);
        self.log.push(d);
    }

    /// Start reading a serial port (closing one open before).
    pub(super) fn open_monitor(&mut self, ctx: &egui::Context, cfg: MonitorConfig, d: Decoder) {
        self.monitor = None;
        let (tx, rx) = channel();
        let wake = ctx.clone();
        self.monitor_state = format!("opening {}", cfg.port);
        let handle = reader::spawn(cfg, d, tx, move || wake.request_repaint());
        self.monitor = Some((handle, rx));
    }

    /// Close the serial monitor, saying why.
    pub(super) fn close_monitor(&mut self, why: &str) {
        self.monitor = None;
        self.monitor_state = why.into();
    }

    /// Whether the serial monitor is open.
    pub(super) fn monitoring(&self) -> bool {
        self.monitor.is_some()
    }

    /// Take what the serial monitor read; a notice for the window when it has one.
    pub(super) fn poll(&mut self) -> Option<String> {
        let (_, rx) = self.monitor.as_ref()?;
        let now = Instant::now();
        let mut notice = None;
        for msg in rx.try_iter().collect::<Vec<_>>() {
            match msg {
                MonitorMsg::Connected { port } => {
                    self.monitor_state = format!("connected to {port}")
                }
                MonitorMsg::Disconnected { reason } => self.monitor_state = reason,
                MonitorMsg::Notice(text) => notice = Some(text),
                // Only a terminal's Ctrl-C sends it; the window closes the monitor itself.
                MonitorMsg::StopRequested => {}
                MonitorMsg::Lines(lines) => lines.into_iter().for_each(|d| self.show_line(d, now)),
            }
        }
        notice
    }
}

/// The monitor controls (the step's contents in the left column).
pub(super) fn controls(ui: &mut egui::Ui, app: &mut ThingflashApp) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        if !app.watch.monitoring() {
            let enabled = app.settings.serial_port.is_some() && !app.flash.running();
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
        ui.weak(&app.watch.monitor_state);
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
            let (color, word) = light_color(ui, app.watch.status.light(step));
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
        let s = &app.watch.status;
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
    match &app.watch.status.last_error {
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
        None if app.watch.log.is_empty() => {
            ui.weak("Nothing from the board yet. After flashing, thingflash opens the monitor and explains every step here; for a board that already runs, open the monitor in step 5.");
        }
        None => {}
    }
    for p in &app.watch.status.patterns() {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.strong(format!("Seen across lines: {}", p.explanation.title));
            ui.label(format!("Why: {}", p.explanation.cause));
            ui.label(format!("Fix: {}", p.explanation.fix));
        });
    }
    ui.add_space(6.0);
    let header = format!("Raw log ({} lines)", app.watch.log.len());
    let r = egui::CollapsingHeader::new(header)
        .id_salt("raw-log")
        .open(Some(app.watch.log_open))
        .show(ui, |ui| {
            if let Some(a) = log_panel(ui, app) {
                action = Some(a);
            }
        });
    if r.header_response.clicked() {
        app.watch.log_open = !app.watch.log_open;
    }
    action
}

fn log_panel(ui: &mut egui::Ui, app: &mut ThingflashApp) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        let l = ui.label("Filter");
        ui.text_edit_singleline(&mut app.watch.filter)
            .labelled_by(l.id);
        ui.checkbox(&mut app.watch.autoscroll, "Follow");
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
    let filtering = !app.watch.filter.is_empty();
    if filtering {
        app.watch.filtered.update(&app.watch.log, &app.watch.filter);
    }
    let count = if filtering {
        app.watch.filtered.len()
    } else {
        app.watch.log.len()
    };
    let row_height = ui.text_style_height(&egui::TextStyle::Monospace) + 2.0;
    egui::ScrollArea::both()
        .auto_shrink([false, false])
        .stick_to_bottom(app.watch.autoscroll)
        .show_rows(ui, row_height, count, |ui, range| {
            for i in range {
                let d = if filtering {
                    app.watch.filtered.get(&app.watch.log, i)
                } else {
                    app.watch.log.get(i)
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
