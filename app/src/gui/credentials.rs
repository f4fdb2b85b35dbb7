//! Step 1, credentials: the drop area, one card per item (what it is, where it came from,
//! where else it was found), the passphrase when a key is encrypted, and every finding
//! with its fix.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use eframe::egui;
use zeroize::Zeroizing;

use super::flash::Sketch;
use super::state::{Action, ThingflashApp};
use crate::credentials::{
    self, Analysis, CredentialsError, InputFile, Kind, Role, Severity, default_client_id,
};
use crate::own::FirmwareImage;

/// The files dropped in and what they make.
#[derive(Default)]
pub(super) struct CredentialsView {
    pub(super) files: Vec<InputFile>,
    pub(super) unreadable: Vec<CredentialsError>,
    pub(super) passphrase: Zeroizing<String>,
    pub(super) analysis: Option<Analysis>,
}

impl CredentialsView {
    /// Read a credential file (or a zip, or a secrets.h) into the set.
    pub(super) fn add_path(&mut self, path: &Path) {
        match credentials::read_path(path) {
            Ok(mut f) => self.files.append(&mut f),
            Err(e) => self.unreadable.push(e),
        }
    }

    /// Add a file whose bytes are in memory.
    pub(super) fn add_file(&mut self, f: InputFile) {
        match credentials::input::expand(f) {
            Ok(mut f) => self.files.append(&mut f),
            Err(e) => self.unreadable.push(e),
        }
    }

    /// Check the set again; the client id it suggests when `client_id` is still empty.
    pub(super) fn analyse(&mut self, client_id: &mut String) {
        let pass = (!self.passphrase.is_empty()).then_some(self.passphrase.as_str());
        let a = credentials::analyse(
            &self.files,
            &self.unreadable,
            time::OffsetDateTime::now_utc(),
            pass,
        );
        if client_id.is_empty()
            && let Some(id) = default_client_id(&a)
        {
            *client_id = id;
        }
        self.analysis = Some(a);
    }

    /// Write the set out for other firmware: DER files, and for a sketch also `secrets.h`
    /// and the classic guide's names; what to tell the user.
    pub(super) fn export(&self, dir: &Path, for_sketch: bool) -> Option<String> {
        let opts = credentials::convert::ConvertOptions {
            secrets_h: for_sketch,
            guide_names: for_sketch,
            ..Default::default()
        };
        let a = self.analysis.as_ref()?;
        Some(match credentials::convert::write_der(a, dir, opts) {
            Ok(paths) => format!("wrote {} files into {}", paths.len(), dir.display()),
            Err(e) => e.to_string(),
        })
    }

    /// Forget every file.
    pub(super) fn clear(&mut self) {
        self.files.clear();
        self.unreadable.clear();
        self.analysis = None;
    }
}

/// The files dropped on the window: by path, or (where the platform gives no path) by
/// their bytes.
pub(super) fn dropped(ctx: &egui::Context) -> (Vec<PathBuf>, Vec<InputFile>) {
    let mut paths = Vec::new();
    let mut files = Vec::new();
    for d in ctx.input(|i| i.raw.dropped_files.clone()) {
        let path = d.path().to_path_buf();
        if !path.as_os_str().is_empty() {
            paths.push(path);
        } else if let Ok(bytes) = d.bytes() {
            files.push(InputFile::from_bytes("dropped file", bytes));
        }
    }
    (paths, files)
}

/// What a dropped file is, read: a firmware ELF for crash reports, an ESP8266 sketch, the
/// user's firmware image, or (anything else) a credential.
pub(super) enum Dropped {
    Elf(PathBuf),
    Sketch(Sketch),
    Firmware(Arc<FirmwareImage>),
    Credential,
}

impl Dropped {
    /// Tell what `path` is and read it; `Err` says why it cannot be used.
    pub(super) fn read(path: &Path) -> Result<Self, String> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if name.ends_with(".elf") {
            crate::monitor::symbols::Symbolizer::load(path).map_err(|e| e.to_string())?;
            return Ok(Self::Elf(path.to_path_buf()));
        }
        if is_firmware_image(&name) {
            let fw = crate::own::read_firmware(path).map_err(|e| e.to_string())?;
            return Ok(Self::Firmware(Arc::new(fw)));
        }
        if name.ends_with(".bin") {
            let bytes =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            // A .bin that is not an ESP8266 sketch is left to the credential reader
            // (a DER file saved as .bin).
            if crate::esp8266::is_sketch_image(&bytes) {
                return Ok(Self::Sketch(Sketch {
                    source: path.display().to_string(),
                    bytes: bytes.into(),
                }));
            }
        }
        Ok(Self::Credential)
    }

    /// What the window says the file will be used for.
    pub(super) fn notice(&self, path: &Path) -> Option<String> {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        match self {
            Self::Elf(_) => Some(format!(
                "{}: crash reports in the monitor name its functions and lines",
                path.display()
            )),
            Self::Sketch(_) => Some(format!(
                "ESP8266 sketch {name}: written at 0x0 before the credentials"
            )),
            Self::Firmware(_) => Some(format!(
                "firmware image {}: flashed first, then the credentials",
                path.display()
            )),
            Self::Credential => None,
        }
    }
}

/// Draw the step; returns what the user did.
pub(super) fn show(ui: &mut egui::Ui, app: &mut ThingflashApp) -> Option<Action> {
    let mut action = None;
    if let Some(b) = &app.board_key {
        // No key files: the board makes its key, AWS signs its request at flash time.
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(format!(
                "Key made on the board for {}: when you flash, thingflash's firmware makes its key on the chip and prints its certificate request; AWS IoT signs it and only the certificate is written. The key never leaves the board.",
                b.request.thing
            ));
            if ui.button("Use certificate files instead").clicked() {
                action = Some(Action::DropBoardKey);
            }
        });
        ui.weak("A root CA dropped here is written with it; without one, Amazon's are.");
    }
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
    let Some(a) = &app.creds.analysis else {
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
            .add(egui::TextEdit::singleline(&mut *app.creds.passphrase).password(true))
            .labelled_by(label.id);
        if r.lost_focus() || (r.changed() && ui.input(|i| i.key_pressed(egui::Key::Enter))) {
            action = Some(Action::Reanalyse);
        }
    }
    let Some(a) = &app.creds.analysis else {
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

/// Whether a dropped file (by its lower-case name) is the user's firmware rather than a
/// credential: a merged image or ESP-IDF's flasher_args.json.
fn is_firmware_image(name: &str) -> bool {
    name.ends_with(".merged.bin") || name == "flasher_args.json"
}
