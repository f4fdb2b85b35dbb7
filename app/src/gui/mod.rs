//! The window: a guided flow (credentials, board, connection settings, flash, watch) on
//! the left, each step showing at a glance whether it is done, needs attention or waits,
//! with the current step open; the action bar (Flash) always in view below the steps;
//! the board's status as large pipeline lights on the right.
//!
//! "Many boards" swaps both columns for the station (`fleet`): its form on the left, the
//! boards' table on the right.
//!
//! One file per panel (`credentials`, `board`, `connection`, `flash`, `watch`,
//! `provision`, `fleet`), each drawing from the state it is given and returning the [`Action`]
//! the user took; `state` owns everything and carries actions out; `steps` derives each
//! step's state. Workers (port watcher, flasher, serial reader, AWS calls) talk to the
//! state over channels and call `request_repaint`, so the UI never waits on I/O and
//! does not repaint while idle.

mod board;
mod connection;
mod credentials;
mod flash;
mod fleet;
mod provision;
mod state;
pub mod steps;
mod watch;
mod worker;

use eframe::egui;

pub use fleet::FleetSettings;
use state::{Action, SETTINGS_KEY};
pub use state::{Settings, ThingflashApp};
use steps::StepId;

/// The one green, for lights, done steps and a successful flash.
const GREEN: egui::Color32 = egui::Color32::from_rgb(0x3C, 0xB3, 0x71);

/// The window's default size; the flow is checked at this size and at 1366 x 768.
pub const DEFAULT_SIZE: [f32; 2] = [1100.0, 720.0];

/// Least height kept for the action bar under the steps, so it never scrolls away; a bar
/// that grew (progress, an outcome, a file summary) keeps the height it had last frame.
const ACTION_BAR: f32 = 150.0;

/// Open the window, with `files` already loaded, and run until it is closed.
///
/// The renderer is wgpu with the system's first choice (DX12 on Windows, Vulkan on Linux).
/// Where that device cannot be made (VMs and Wine without a usable DX12 device: "Parent
/// device is lost"), the window opens again on OpenGL rather than not at all. Under Wine
/// it starts on OpenGL: Wine's DX12 (vkd3d) can abort the process while adapters are
/// listed, before an error could be returned. A backend chosen with `WGPU_BACKEND` is
/// respected and not second-guessed.
pub fn run(files: Vec<std::path::PathBuf>) -> eframe::Result {
    let chosen = std::env::var_os("WGPU_BACKEND").is_some();
    let first_choice = (!chosen && under_wine()).then_some(eframe::wgpu::Backends::GL);
    let first = open(files.clone(), first_choice);
    match first {
        Err(eframe::Error::Wgpu(e)) if !chosen && first_choice.is_none() => {
            eprintln!("thingflash: the graphics device did not start ({e}); trying OpenGL");
            open(files, Some(eframe::wgpu::Backends::GL))
        }
        other => other,
    }
}

/// Whether this is Wine rather than Windows: Wine's ntdll exports `wine_get_version`.
#[cfg(windows)]
#[allow(unsafe_code)] // Win32 FFI: two lookups with constant NUL-terminated names.
fn under_wine() -> bool {
    use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleA, GetProcAddress};
    // SAFETY: both names are NUL-terminated constants; ntdll is mapped in every process
    // and a null module handle is checked before use.
    unsafe {
        let ntdll = GetModuleHandleA(c"ntdll.dll".as_ptr().cast());
        !ntdll.is_null() && GetProcAddress(ntdll, c"wine_get_version".as_ptr().cast()).is_some()
    }
}

#[cfg(not(windows))]
fn under_wine() -> bool {
    false
}

fn open(
    files: Vec<std::path::PathBuf>,
    backends: Option<eframe::wgpu::Backends>,
) -> eframe::Result {
    let mut viewport = egui::ViewportBuilder::default();
    if let Ok(icon) =
        eframe::icon_data::from_png_bytes(include_bytes!("../../../assets/icons/thingflash.png"))
    {
        viewport = viewport.with_icon(icon);
    }
    let mut options = eframe::NativeOptions {
        viewport: viewport
            .with_title("thingflash")
            .with_app_id("thingflash")
            .with_inner_size(DEFAULT_SIZE)
            .with_min_inner_size([760.0, 520.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    if let (Some(backends), eframe::egui_wgpu::WgpuSetup::CreateNew(setup)) =
        (backends, &mut options.wgpu_options.wgpu_setup)
    {
        // In place: a rebuilt configuration would change the surface settings too.
        setup.instance_descriptor.backends = backends;
    }
    eframe::run_native(
        "thingflash",
        options,
        Box::new(|cc| {
            let mut app = ThingflashApp::new(cc);
            if !files.is_empty() {
                app.add_paths(files);
            }
            Ok(Box::new(app))
        }),
    )
}
/// The left column: every step's header, the open step's contents, then the action
/// bar, which keeps its place below whatever the step shows.
fn flow(ui: &mut egui::Ui, app: &mut ThingflashApp) -> Vec<Action> {
    let mut actions = Vec::new();
    let open = steps::open(app);
    let bar_id = egui::Id::unique("action-bar-height");
    let bar = ui
        .ctx()
        .data(|d| d.get_temp::<f32>(bar_id))
        .unwrap_or(ACTION_BAR)
        .max(ACTION_BAR);
    let scroll_height = (ui.available_height() - bar).max(120.0);
    egui::ScrollArea::vertical()
        .max_height(scroll_height)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for step in StepId::ALL {
                let (st, summary) = steps::state(app, step);
                let is_open = step == open;
                if steps::header(ui, step, st, &summary, is_open) {
                    actions.push(Action::OpenStep((!is_open).then_some(step)));
                }
                if is_open {
                    ui.indent(step.title(), |ui| {
                        let a = match step {
                            StepId::Credentials => credentials::show(ui, app),
                            StepId::Board => board::show(ui, app),
                            StepId::Connection => connection::show(ui, app),
                            StepId::Flash => flash::options(ui, app),
                            StepId::Watch => watch::controls(ui, app),
                        };
                        actions.extend(a);
                    });
                }
                ui.add_space(6.0);
            }
        });
    let top = ui.cursor().top();
    ui.separator();
    actions.extend(flash::bar(ui, app));
    // Measured, not guessed: the next frame keeps room for the bar as it is now.
    let used = (ui.cursor().top() - top + 8.0).max(ACTION_BAR);
    if (used - bar).abs() > 1.0 {
        ui.ctx().data_mut(|d| d.insert_temp(bar_id, used));
        ui.ctx().request_repaint();
    }
    actions
}

impl eframe::App for ThingflashApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.poll_workers();
        self.take_dropped(&ctx);
        if ctx.input(|i| i.modifiers.command && i.key_pressed(egui::Key::Q)) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        if (self.flashing() || self.fleet.running())
            && ctx.input(|i| i.viewport().close_requested())
        {
            // Quitting now would cut the write off; the board would not start until the
            // next complete flash. Finish first.
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.notice = Some(if self.fleet.running() {
                "boards are being provisioned: stop the run and wait for the boards under way, then quit".into()
            } else {
                "a flash is running: wait for it to finish, then quit".into()
            });
        }
        let mut actions = Vec::new();
        egui::Panel::top("top").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading("thingflash");
                let many = self.settings.many_boards;
                // Switching views while a run is under way would hide it, not stop it.
                let busy = self.flashing() || self.fleet.running();
                ui.add_enabled_ui(!busy, |ui| {
                    if ui.selectable_label(!many, "One board").clicked() && many {
                        actions.push(Action::ManyBoards(false));
                    }
                    if ui.selectable_label(many, "Many boards").clicked() && !many {
                        actions.push(Action::ManyBoards(true));
                    }
                });
                if !many && ui.button("Create a thing in AWS...").clicked() {
                    actions.push(Action::OpenProvision);
                }
                if let Some(n) = &self.notice {
                    ui.label(n);
                }
            });
        });
        // The flow never takes more than its share: a target with more options (the
        // ESP8266's layout menus) wraps its rows instead of pushing the status panel off
        // the right edge, so the columns keep their place whatever the target.
        let widest = (ui.available_width() * 0.45).max(380.0);
        let left = egui::Panel::left("flow")
            .resizable(true)
            .default_size(470.0_f32.min(widest))
            .size_range(360.0..=widest);
        if self.settings.many_boards {
            left.show(ui, |ui| actions.extend(fleet::form(ui, self)));
            egui::CentralPanel::default().show(ui, |ui| fleet::table(ui, self));
        } else {
            left.show(ui, |ui| actions.extend(flow(ui, self)));
            egui::CentralPanel::default().show(ui, |ui| actions.extend(watch::show(ui, self)));
        }
        actions.extend(provision::show(&ctx, self));
        // Enter, with nothing focused, is the primary action: Flash when it can run.
        let enter =
            ctx.input(|i| i.key_pressed(egui::Key::Enter)) && ctx.memory(|m| m.focused().is_none());
        if enter && !self.settings.many_boards && self.flash_blockers().is_empty() {
            actions.push(Action::Flash {
                credentials_only: false,
            });
        }
        for a in actions {
            self.apply(a);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, SETTINGS_KEY, &self.settings);
    }
}
