//! Step 2, the board: the serial port (picked from the ports seen, or typed), what runs on
//! the board (thingflash's firmware or the user's own, and where that reads its files),
//! and the chip detected when flashing.

use eframe::egui;

use super::state::{Action, ThingflashApp};
use crate::ports;
use crate::target::{NamePreset, Target};

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
    ui.horizontal(|ui| {
        let l = ui.label("Runs on the board");
        egui::ComboBox::from_id_salt("target")
            .selected_text(app.settings.target.label())
            .width(250.0)
            .show_ui(ui, |ui| {
                // The ESP8266 targets are CLI-only until the window has its layout
                // choice (issue #15): offering them here would flash through the
                // ESP32-family path.
                for t in Target::ALL
                    .into_iter()
                    .filter(|t| t.family() == crate::target::Family::Esp32)
                {
                    ui.selectable_value(&mut app.settings.target, t, t.label());
                }
            })
            .response
            .labelled_by(l.id);
    });
    ui.add(egui::Label::new(egui::RichText::new(app.settings.target.effect()).weak()).wrap());
    if app.settings.target.fs().is_some() {
        files(ui, app);
    }
    if app.settings.target.is_own_firmware() {
        match app.flash.firmware.as_ref().map(|fw| fw.source.clone()) {
            Some(source) => {
                let name = std::path::Path::new(&source)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                ui.horizontal(|ui| {
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
    let mut action = None;
    if app.settings.target.is_own_firmware() {
        ui.horizontal(|ui| {
            let l = ui.label("Partition table at");
            ui.add(
                egui::TextEdit::singleline(&mut app.flash.table_offset)
                    .hint_text("0x8000")
                    .desired_width(80.0),
            )
            .labelled_by(l.id);
            let busy = app.flash.table_job.is_some() || app.flashing();
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
            if app.flash.table_job.is_some() {
                ui.spinner();
            }
        });
        if let Err(e) = app.table_offset() {
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
    ui.horizontal(|ui| {
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
    ui.horizontal(|ui| {
        let l = ui.label("Or your own names");
        ui.add(
            egui::TextEdit::singleline(&mut app.settings.file_list)
                .hint_text("cert=/cert.der,key=/private.der,ca=/ca.der")
                .desired_width(250.0),
        )
        .labelled_by(l.id);
    });
    if let Err(e) = app.file_specs() {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    ui.checkbox(
        &mut app.flash.format,
        "Create the file system if there is none (erases the partition)",
    );
}
