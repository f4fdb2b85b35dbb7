//! Step 2, the board: the serial port (picked from the ports seen, or typed), what runs on
//! the board (thingflash's firmware or the user's own, and where that reads its files),
//! for an ESP8266 the sketch's flash layout, its serial speed and the sketch itself), and
//! the chip detected when flashing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use eframe::egui;

use super::state::{Action, ThingflashApp};
use super::worker::Worker;
use crate::esp8266::{LAYOUTS, Layout, flash_sizes, layouts_for, suggested_for};
use crate::partitions::human_size;
use crate::ports;
use crate::target::{NamePreset, Target};

/// The ports the watcher sees and the one typed by hand.
pub(super) struct PortsView {
    pub(super) ports: Vec<ports::PortInfo>,
    /// Boards' USB bridges the OS sees without a port (a missing driver).
    pub(super) unserved: Vec<ports::Unserved>,
    /// A port typed by hand.
    pub(super) typed: String,
    watcher: Option<Worker<ports::Scan>>,
    stop: Arc<AtomicBool>,
}

impl PortsView {
    /// Start watching: boards come and go, so the ports are listed off the UI thread and
    /// only changes are sent.
    pub(super) fn watch(ctx: &egui::Context) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let watcher = Worker::spawn("port-watcher", ctx, move |out| {
            let mut last = None;
            while !stopped.load(Ordering::Relaxed) {
                let now = ports::scan();
                if last.as_ref() != Some(&now) {
                    if !out.send(now.clone()) {
                        return;
                    }
                    last = Some(now);
                }
                std::thread::sleep(Duration::from_millis(1500));
            }
        });
        Self {
            ports: Vec::new(),
            unserved: Vec::new(),
            typed: String::new(),
            // Without a watcher the port can still be typed.
            watcher: watcher.ok(),
            stop,
        }
    }

    /// Stop watching and show `scan` from now on.
    pub(super) fn freeze(&mut self, scan: ports::Scan) {
        self.stop.store(true, Ordering::Relaxed);
        self.watcher = None;
        self.ports = scan.ports;
        self.unserved = scan.unserved;
    }

    /// Take the latest scan.
    pub(super) fn poll(&mut self) {
        if let Some(scan) = self.watcher.as_mut().and_then(|w| w.drain().pop()) {
            self.ports = scan.ports;
            self.unserved = scan.unserved;
        }
    }
}

impl Drop for PortsView {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Draw the step; returns what the user did.
pub(super) fn show(ui: &mut egui::Ui, app: &mut ThingflashApp) -> Option<Action> {
    let selected = app
        .settings
        .serial_port
        .clone()
        .unwrap_or_else(|| "choose a port".into());
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Serial port");
        egui::ComboBox::from_id_salt("port")
            .selected_text(selected)
            .width(260.0)
            .show_ui(ui, |ui| {
                for p in &app.ports.ports {
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
    // A bridge without a port says which driver to install; the generic hint only when
    // nothing at all is seen.
    for u in &app.ports.unserved {
        ui.add(
            egui::Label::new(egui::RichText::new(u.to_string()).color(ui.visuals().warn_fg_color))
                .wrap(),
        );
    }
    if app.ports.ports.is_empty() && app.ports.unserved.is_empty() {
        ui.weak(ports::NO_PORT_HINT);
    }
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Port path");
        let r = ui
            .add(egui::TextEdit::singleline(&mut app.ports.typed).hint_text(ports::PORT_EXAMPLE))
            .labelled_by(l.id);
        if r.changed() {
            let t = app.ports.typed.trim();
            app.settings.serial_port = (!t.is_empty()).then(|| t.to_string());
        }
    });
    target_picker(ui, &mut app.settings.target);
    ui.add(egui::Label::new(egui::RichText::new(app.settings.target.effect()).weak()).wrap());
    let needs = app.settings.target.needs();
    if needs.flash_layout {
        esp8266(ui, app);
    }
    if needs.file_names {
        files(ui, app);
    }
    if needs.partition_table {
        match app.flash.firmware.as_ref().map(|fw| fw.source.clone()) {
            Some(source) => {
                let name = std::path::Path::new(&source)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                ui.horizontal_wrapped(|ui| {
                    ui.label(format!("Your firmware, flashed first: {name}"))
                        .on_hover_text(&source);
                    if ui.small_button("Remove").clicked() {
                        app.flash.firmware = None;
                    }
                });
            }
            None => {
                ui.add(
                    egui::Label::new(
                        egui::RichText::new(
                            "To flash your firmware in the same run, drop its .merged.bin or flasher_args.json here.",
                        )
                        .weak(),
                    )
                    .wrap(),
                );
            }
        }
    }
    elf(ui, app);
    let mut action = None;
    if needs.partition_table {
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("Partition table at");
            ui.add(
                egui::TextEdit::singleline(&mut app.flash.table_offset)
                    .hint_text("0x8000")
                    .desired_width(80.0),
            )
            .labelled_by(l.id);
            let busy = app.flash.reading_table() || app.flashing();
            if ui
                .add_enabled(
                    !busy && app.settings.serial_port.is_some(),
                    egui::Button::new("Read the partition table"),
                )
                .on_disabled_hover_text("choose the port first")
                .clicked()
            {
                action = Some(Action::ReadTable);
            }
            if app.flash.reading_table() {
                ui.spinner();
            }
        });
        if let Err(e) = app.flash.table_offset() {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        if let Some(t) = &app.flash.table {
            table(ui, t, app.settings.target);
        }
    }
    if let Some(b) = &app.flash.board {
        ui.label(format!("Detected: {}", b.summary()));
    }
    action
}

/// "Runs on the board": the target, for one board and for the fleet alike.
pub(super) fn target_picker(ui: &mut egui::Ui, target: &mut Target) {
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Runs on the board");
        egui::ComboBox::from_id_salt("target")
            .selected_text(target.label())
            .width(250.0)
            .show_ui(ui, |ui| {
                for t in Target::ALL {
                    ui.selectable_value(target, t, t.label());
                }
            })
            .response
            .labelled_by(l.id);
    });
}

/// The firmware ELF whose symbols name the functions in crash reports.
fn elf(ui: &mut egui::Ui, app: &mut ThingflashApp) {
    match &app.elf {
        Some(path) => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let full = path.display().to_string();
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("Crash reports named from: {name}"))
                    .on_hover_text(full);
                if ui.small_button("Remove").clicked() {
                    app.elf = None;
                }
            });
        }
        None if app.settings.target.needs().symbols_hint => {
            ui.add(
                egui::Label::new(
                    egui::RichText::new(
                        "Drop the firmware's .elf too, and crash reports in the log name the function and line (the Arduino IDE leaves it in the sketch's build folder, ESP-IDF in build/).",
                    )
                    .weak(),
                )
                .wrap(),
            );
        }
        None => {}
    }
}

/// The speeds a sketch's `Serial.begin()` commonly uses.
const SKETCH_BAUDS: [u32; 8] = [
    9600, 19_200, 38_400, 57_600, 74_880, 115_200, 230_400, 921_600,
];

fn layout_label(l: &Layout) -> String {
    format!("{}: {}", l.name, human_size(l.end - l.start))
}

/// The ESP8266's choices: the layout the sketch was built with (its file system's place),
/// the sketch's serial speed, and the sketch image to write first.
fn esp8266(ui: &mut egui::Ui, app: &mut ThingflashApp) {
    let custom = super::state::CUSTOM_LAYOUT;
    let current = LAYOUTS.iter().find(|l| l.name == app.settings.layout);
    // Two menus, as the core's one menu groups them: the flash chip, then how much of
    // it the file system takes.
    let flash = current.map_or(4 << 20, |l| l.flash);
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Flash size");
        egui::ComboBox::from_id_salt("flash-size")
            .selected_text(match current {
                Some(l) => human_size(l.flash),
                None => "custom".into(),
            })
            .show_ui(ui, |ui| {
                for size in flash_sizes() {
                    let on = current.is_some_and(|l| l.flash == size);
                    if ui.selectable_label(on, human_size(size)).clicked()
                        && let Some(l) = suggested_for(size)
                    {
                        app.settings.layout = l.name.to_string();
                    }
                }
            })
            .response
            .labelled_by(l.id);
        let l = ui.label("File system (Tools > Flash Size)");
        egui::ComboBox::from_id_salt("layout")
            .selected_text(match current {
                Some(l) => layout_label(l),
                None => "custom offset and size".into(),
            })
            .width(200.0)
            .show_ui(ui, |ui| {
                for l in layouts_for(flash) {
                    ui.selectable_value(
                        &mut app.settings.layout,
                        l.name.to_string(),
                        layout_label(l),
                    );
                }
                ui.selectable_value(
                    &mut app.settings.layout,
                    custom.to_string(),
                    "custom offset and size",
                );
            })
            .response
            .labelled_by(l.id);
    });
    if app.settings.layout == custom {
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("File system at");
            ui.add(
                egui::TextEdit::singleline(&mut app.settings.fs_offset)
                    .hint_text("0x200000")
                    .desired_width(90.0),
            )
            .labelled_by(l.id);
            let l = ui.label("size");
            ui.add(
                egui::TextEdit::singleline(&mut app.settings.fs_size)
                    .hint_text("0x1FA000")
                    .desired_width(90.0),
            )
            .labelled_by(l.id);
        });
    }
    match app.esp8266_region() {
        Ok(r) => {
            ui.weak(format!(
                "File system at {:#x}..{:#x} ({}), {} KiB blocks; nothing outside it is written.",
                r.offset,
                r.end(),
                human_size(r.size),
                r.block / 1024
            ));
        }
        Err(e) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
    }
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("The sketch's serial speed");
        egui::ComboBox::from_id_salt("sketch-baud")
            .selected_text(app.settings.baud.to_string())
            .show_ui(ui, |ui| {
                for b in SKETCH_BAUDS {
                    ui.selectable_value(&mut app.settings.baud, b, b.to_string());
                }
            })
            .response
            .labelled_by(l.id)
            .on_hover_text(
                "Serial.begin() in the sketch; the ROM's boot banner is read at 74880 first",
            );
    });
    match app
        .flash
        .sketch
        .as_ref()
        .map(|s| (s.source.clone(), s.bytes.len()))
    {
        Some((source, len)) => {
            let name = std::path::Path::new(&source)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            ui.horizontal_wrapped(|ui| {
                ui.label(format!(
                    "Your sketch, written at 0x0 first: {name} ({})",
                    human_size(len as u32)
                ))
                .on_hover_text(&source);
                if ui.small_button("Remove").clicked() {
                    app.flash.sketch = None;
                }
            });
        }
        None => {
            ui.add(
                egui::Label::new(
                    egui::RichText::new(
                        "To flash your sketch in the same run, drop its .bin here (Sketch > Export Compiled Binary).",
                    )
                    .weak(),
                )
                .wrap(),
            );
        }
    }
}

/// The board's partition table, the partition the target writes marked.
fn table(ui: &mut egui::Ui, t: &crate::partitions::Table, target: Target) {
    let chosen = crate::own::choose_partition(target, t);
    egui::Grid::new("partition-table")
        .num_columns(4)
        .striped(true)
        .show(ui, |ui| {
            for p in &t.partitions {
                let mark = matches!(&chosen, Ok(c) if c.offset == p.offset);
                let label = if mark {
                    egui::RichText::new(format!("{} <- credentials", p.label)).strong()
                } else {
                    egui::RichText::new(&p.label)
                };
                ui.label(label);
                ui.monospace(p.kind());
                ui.monospace(format!("{:#x}", p.offset));
                ui.label(crate::partitions::human_size(p.size));
                ui.end_row();
            }
        });
    if let Err(e) = chosen {
        ui.colored_label(ui.visuals().error_fg_color, e.to_string());
    }
}

/// Which files the sketch reads, and whether to create the file system.
fn files(ui: &mut egui::Ui, app: &mut ThingflashApp) {
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Credential files");
        egui::ComboBox::from_id_salt("names")
            .selected_text(app.settings.names.label())
            .width(250.0)
            .show_ui(ui, |ui| {
                for n in NamePreset::ALL {
                    ui.selectable_value(&mut app.settings.names, n, n.label());
                }
            })
            .response
            .labelled_by(l.id);
    });
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Or your own names");
        ui.add(
            egui::TextEdit::singleline(&mut app.settings.file_list)
                .hint_text("cert=/cert.der,key=/private.der,ca=/ca.der")
                .desired_width(250.0),
        )
        .labelled_by(l.id);
    });
    if let Err(e) = crate::job::files(app.settings.names, Some(&app.settings.file_list)) {
        ui.colored_label(ui.visuals().error_fg_color, e.line());
    }
    ui.checkbox(
        &mut app.flash.format,
        "Create the file system if there is none (erases the partition)",
    );
}
