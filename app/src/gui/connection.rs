//! Step 3, connection settings: WiFi, the AWS IoT endpoint (checked as it is typed),
//! client id, topics, port and telemetry interval, and the connection test's stages. The
//! password is kept in memory only.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use eframe::egui;

use super::state::{Action, Settings, ThingflashApp};
use super::worker::Worker;
use crate::credentials::{Analysis, CredentialSet, Severity, endpoint};
use crate::monitor::Decoder;
use crate::probe::{self, Report, StageReport};

/// The connection test: its worker, the stages heard so far, the last report.
#[derive(Default)]
pub(super) struct ProbeView {
    job: Option<(Worker<ProbeMsg>, Arc<AtomicBool>)>,
    pub(super) stages: Vec<StageReport>,
    pub(super) report: Option<Report>,
    /// Why it could not start.
    pub(super) error: Option<String>,
    /// After a passing test, stay connected as a virtual board (not persisted).
    pub(super) stay: bool,
    /// The virtual board is running.
    pub(super) staying: bool,
    /// Its lines' decoder, kept from line to line (a decoder carries what earlier lines
    /// said: the clock set, a crash report open).
    decoder: Decoder,
}

enum ProbeMsg {
    Stage(StageReport),
    /// The test is over; the virtual board follows when asked for and the test passed.
    Done(Report),
    /// A line the virtual board printed.
    Line(String),
    /// The virtual board stopped (or could not start).
    Stopped(Result<(), String>),
}

impl ProbeView {
    /// Run the test on its thread, then the virtual board when asked for and it passed.
    /// `telemetry_s` is how often the virtual board publishes: its session looks at a
    /// stop request at its next event, so a short interval keeps "Stop" prompt.
    fn start(
        &mut self,
        ctx: &egui::Context,
        req: probe::Request,
        creds: CredentialSet,
        telemetry_s: u32,
    ) {
        let cancel = Arc::new(AtomicBool::new(false));
        let stop = cancel.clone();
        let stay = self.stay;
        let host = req.host.clone();
        let spawned = Worker::spawn("connection-test", ctx, move |out| {
            let report = probe::run(&req, &creds, stop.clone(), &mut |s| {
                out.send(ProbeMsg::Stage(s.clone()));
            });
            let passed = report.passed();
            out.send(ProbeMsg::Done(report));
            if stay && passed && !stop.load(Ordering::Relaxed) {
                let r = probe::stay(&req, &creds, telemetry_s, stop, &mut |line| {
                    out.send(ProbeMsg::Line(line.to_string()));
                });
                out.send(ProbeMsg::Stopped(r));
            }
        });
        match spawned {
            Ok(w) => {
                self.job = Some((w, cancel));
                self.stages.clear();
                self.report = None;
                self.error = None;
                self.decoder = Decoder::new().with_endpoint(&host);
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Why the test cannot start now; `None` when it can.
    pub(super) fn blocker(&self, analysis: Option<&Analysis>, s: &Settings) -> Option<String> {
        let Some(a) = analysis else {
            return Some("drop the certificate files first".into());
        };
        if let Some(r) = a.blocking_reasons().into_iter().next() {
            return Some(r);
        }
        let e = endpoint::check_endpoint(&s.endpoint);
        if e.host.is_none() {
            return Some(
                e.findings
                    .first()
                    .map(|f| format!("{} ({})", f.message, f.fix))
                    .unwrap_or_else(|| "enter the endpoint in step 3".into()),
            );
        }
        if s.client_id.trim().is_empty() {
            return Some("enter the client id (the thing name) in step 3".into());
        }
        self.running()
            .then(|| "a connection test is running".into())
    }

    /// Test the connection the settings describe with the dropped credentials; what stops
    /// it from starting goes to `error`.
    pub(super) fn start_test(
        &mut self,
        ctx: &egui::Context,
        analysis: Option<&Analysis>,
        s: &Settings,
    ) {
        self.error = self.blocker(analysis, s);
        let creds = match analysis.map(CredentialSet::from_analysis) {
            _ if self.error.is_some() => return,
            Some(Ok(c)) => c,
            Some(Err(e)) => return self.error = Some(e.to_string()),
            None => return,
        };
        let e = endpoint::check_endpoint(&s.endpoint);
        let Some(host) = e.host else {
            return;
        };
        let req = probe::Request {
            host,
            port: e.port.unwrap_or(s.mqtt_port),
            client_id: s.client_id.trim().to_string(),
            topic_prefix: s.topic_prefix.clone(),
            limit: Duration::from_secs(10),
            alpn: None,
            claim_template: None,
        };
        self.start(ctx, req, creds, s.telemetry_s.clamp(1, 5));
    }

    /// Ask the test (or the virtual board) to stop.
    pub(super) fn stop(&self) {
        if let Some((_, cancel)) = &self.job {
            cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Whether the test or the virtual board runs.
    pub(super) fn running(&self) -> bool {
        self.job.is_some()
    }

    /// Take what the test said; the virtual board's lines, decoded as a board's would be.
    pub(super) fn poll(&mut self) -> Vec<crate::monitor::Decoded> {
        let Some((worker, _)) = &mut self.job else {
            return Vec::new();
        };
        let mut done = false;
        let mut lines = Vec::new();
        for msg in worker.drain() {
            match msg {
                ProbeMsg::Stage(s) => self.stages.push(s),
                ProbeMsg::Done(r) => {
                    self.stages = r.stages.clone();
                    // The virtual board follows a passing test when asked for.
                    self.staying = self.stay && r.passed();
                    done = !self.staying;
                    self.report = Some(r);
                }
                ProbeMsg::Line(l) => lines.push(self.decoder.decode_owned(l)),
                ProbeMsg::Stopped(r) => {
                    self.staying = false;
                    self.error = r.err();
                    done = true;
                }
            }
        }
        if done {
            self.job = None;
        }
        lines
    }
}

/// Draw the step; returns what the user did.
pub(super) fn show(ui: &mut egui::Ui, app: &mut ThingflashApp) -> Option<Action> {
    if !app.settings.target.needs().device_config {
        ui.label("Your firmware keeps its own WiFi and endpoint settings: thingflash writes only the certificate, the key and the root CA. The endpoint below is still used by the connection test.");
    }
    let s = &mut app.settings;
    // The fields take what the column leaves beside the labels (about 130 px), so the
    // step never widens the column: the status panel keeps its place whatever is open.
    let field = (ui.available_width() - 150.0).clamp(160.0, 320.0);
    egui::Grid::new("settings")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            let l = ui.label("WiFi network");
            ui.add(egui::TextEdit::singleline(&mut s.wifi_ssid).desired_width(field))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("WiFi password");
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut *app.wifi_password)
                        .desired_width(field - 70.0)
                        .password(!app.show_password),
                )
                .labelled_by(l.id);
                ui.checkbox(&mut app.show_password, "Show");
            });
            ui.end_row();
            let l = ui.label("Endpoint");
            ui.add(egui::TextEdit::singleline(&mut s.endpoint).desired_width(field))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Client id");
            ui.add(egui::TextEdit::singleline(&mut s.client_id).desired_width(field))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Topic prefix");
            ui.add(egui::TextEdit::singleline(&mut s.topic_prefix).desired_width(field))
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
    let stages = &app.probe.stages;
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
