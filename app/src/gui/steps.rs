//! The flow the window follows: credentials, board, connection settings, flash, watch.
//! Each step's state (done, needs attention, waiting) and one-line summary are derived
//! from the app state, never stored, so they cannot disagree with it.

use eframe::egui;

use super::state::ThingflashApp;
use crate::credentials::Role;
use crate::monitor::{Light, Step};

/// A step of the flow, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepId {
    /// Drop the AWS files.
    Credentials,
    /// Choose the port; see the chip.
    Board,
    /// WiFi, endpoint, client id, topics.
    Connection,
    /// Write it to the board.
    Flash,
    /// Follow the board connect.
    Watch,
}

impl StepId {
    /// Every step, in order.
    pub const ALL: [StepId; 5] = [
        StepId::Credentials,
        StepId::Board,
        StepId::Connection,
        StepId::Flash,
        StepId::Watch,
    ];

    /// The heading, with its number (also its accessible label).
    pub fn title(self) -> &'static str {
        match self {
            StepId::Credentials => "1. Credentials",
            StepId::Board => "2. Board",
            StepId::Connection => "3. Connection settings",
            StepId::Flash => "4. Flash",
            StepId::Watch => "5. Watch",
        }
    }
}

/// Where a step stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepState {
    /// Nothing more to do here.
    Done,
    /// Something here blocks the next steps: the summary says what.
    Attention,
    /// Not started, or in progress.
    Waiting,
}

impl StepState {
    fn word(self) -> &'static str {
        match self {
            StepState::Done => "done",
            StepState::Attention => "needs attention",
            StepState::Waiting => "waiting",
        }
    }
}

/// A step's state and its summary line.
pub fn state(app: &ThingflashApp, step: StepId) -> (StepState, String) {
    use StepState::{Attention, Done, Waiting};
    match step {
        StepId::Credentials if app.board_key.is_some() => (
            Done,
            format!(
                "key made on the board for {} (AWS IoT signs its request when you flash)",
                app.board_key
                    .as_ref()
                    .map(|b| b.request.thing.as_str())
                    .unwrap_or_default()
            ),
        ),
        StepId::Credentials => match &app.creds.analysis {
            None => (Waiting, "drop the certificate files AWS gave you".into()),
            Some(a) => match a.blocking_reasons().into_iter().next() {
                Some(first) => (Attention, first),
                None => {
                    let cert = a
                        .device_cert()
                        .map(|c| format!("{} ({})", c.subject_cn, c.key_type))
                        .unwrap_or_default();
                    let root = if a.using_bundled_roots {
                        "bundled Amazon roots".to_string()
                    } else {
                        let n = a.items.iter().filter(|i| i.role == Role::RootCa).count();
                        format!("{n} root CA{}", if n == 1 { "" } else { "s" })
                    };
                    (Done, format!("{cert}, key, {root}"))
                }
            },
        },
        StepId::Board => match (&app.settings.serial_port, &app.flash.board) {
            (None, _) => (Waiting, "choose the board's serial port".into()),
            (Some(p), Some(b)) => (Done, format!("{} on {p}", b.summary())),
            (Some(p), None) => (Done, format!("port {p}")),
        },
        StepId::Connection if !app.settings.target.needs().device_config => (
            Done,
            "your firmware has its own WiFi and endpoint settings".into(),
        ),
        StepId::Connection => match app.device_config() {
            Ok(c) => (Done, format!("WiFi {}, {}:{}", c.wifi_ssid, c.host, c.port)),
            Err(e) if app.settings.wifi_ssid.is_empty() && app.settings.endpoint.is_empty() => {
                (Waiting, e)
            }
            Err(e) => (Attention, e),
        },
        StepId::Flash => {
            if app.flash.running() {
                (Waiting, app.flash.stage.clone())
            } else {
                match &app.flash.result {
                    Some(Ok(_)) => (Done, "flashed".into()),
                    Some(Err(e)) => (Attention, e.clone()),
                    None => (Waiting, "not flashed yet".into()),
                }
            }
        }
        StepId::Watch => {
            let failed = Step::ALL
                .into_iter()
                .any(|s| app.watch.status.light(s) == Light::Failed);
            if failed {
                let what = app
                    .watch
                    .status
                    .last_error
                    .as_ref()
                    .map(|e| e.explanation.title.to_string())
                    .unwrap_or_else(|| "a stage failed".into());
                (Attention, what)
            } else if app.watch.status.light(Step::Publishing) == Light::Ok {
                (Done, "publishing to AWS IoT".into())
            } else {
                (Waiting, app.watch.monitor_state.clone())
            }
        }
    }
}

/// The step the user is on: the first of the first four that is not done, else Watch.
pub fn current(app: &ThingflashApp) -> StepId {
    StepId::ALL[..4]
        .iter()
        .copied()
        .find(|s| state(app, *s).0 != StepState::Done)
        .unwrap_or(StepId::Watch)
}

/// The step whose contents are shown: the one the user opened, else the current one.
pub fn open(app: &ThingflashApp) -> StepId {
    app.open_step.unwrap_or_else(|| current(app))
}

/// A state's colour (shared with the status lights so that green means one thing).
pub fn color(ui: &egui::Ui, s: StepState) -> egui::Color32 {
    match s {
        StepState::Done => super::GREEN,
        StepState::Attention => ui.visuals().error_fg_color,
        StepState::Waiting => ui.visuals().weak_text_color(),
    }
}

/// One step's header row: a coloured marker, the title, its state and summary. Returns
/// whether it was clicked.
pub fn header(ui: &mut egui::Ui, step: StepId, st: StepState, summary: &str, open: bool) -> bool {
    let mut clicked = false;
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
        let c = color(ui, st);
        match st {
            StepState::Waiting => {
                ui.painter()
                    .circle_stroke(rect.center(), 6.0, egui::Stroke::new(2.0, c));
            }
            _ => {
                ui.painter().circle_filled(rect.center(), 6.5, c);
            }
        }
        let text = egui::RichText::new(step.title()).heading().strong();
        let text = if open { text } else { text.size(16.0) };
        clicked = ui
            .add(egui::Button::new(text).frame(false))
            .on_hover_text(if open {
                "the contents of this step are shown below"
            } else {
                "show this step"
            })
            .clicked();
        ui.colored_label(color(ui, st), st.word());
    });
    if !open && !summary.is_empty() {
        ui.add(egui::Label::new(egui::RichText::new(summary).weak()).truncate());
    }
    clicked
}
