//! The "Create a thing in AWS IoT" dialog: profile, region, thing name and key type in,
//! [`Action::Provision`] out; the run itself is a worker thread with its own tokio
//! runtime that reports each AWS step over a channel.

use std::sync::mpsc::{Receiver, channel};

use eframe::egui;

use super::state::{Action, ThingflashApp};
use crate::provision;

/// The dialog's state.
pub(super) struct ProvisionDialog {
    pub(super) open: bool,
    pub(super) profiles: Vec<provision::profiles::Profile>,
    pub(super) profile: String,
    pub(super) region: String,
    pub(super) thing: String,
    pub(super) key_type: provision::KeyType,
    pub(super) lines: Vec<String>,
    pub(super) job: Option<ProvisionJob>,
    pub(super) result: Option<Result<provision::Provisioned, String>>,
}

impl Default for ProvisionDialog {
    fn default() -> Self {
        Self {
            open: false,
            profiles: Vec::new(),
            profile: String::new(),
            region: String::new(),
            thing: String::new(),
            key_type: provision::KeyType::EcP256,
            lines: Vec::new(),
            job: None,
            result: None,
        }
    }
}

/// A provisioning run in progress.
pub(super) struct ProvisionJob {
    pub(super) rx: Receiver<ProvisionMsg>,
    pub(super) cancel: Option<tokio::sync::oneshot::Sender<()>>,
}

/// What the provisioning worker reports.
pub(super) enum ProvisionMsg {
    Progress(provision::Progress),
    Finished(Result<provision::Provisioned, String>),
}

/// Draw the dialog when it is open.
pub(super) fn show(ctx: &egui::Context, app: &mut ThingflashApp) -> Option<Action> {
    if !app.provision.open {
        return None;
    }
    let mut open = true;
    let mut action = None;
    let topic_prefix = app.settings.topic_prefix.clone();
    egui::Window::new("Create a thing in AWS IoT")
        .open(&mut open)
        .resizable(true)
        .default_width(520.0)
        .show(ctx, |ui| {
            let d = &mut app.provision;
            ui.label("thingflash creates the thing, its certificate and key, a least-privilege policy, and fills in the endpoint. Your AWS credentials come from the usual places (environment, ~/.aws, SSO).");
            egui::Grid::new("prov").num_columns(2).show(ui, |ui| {
                let l = ui.label("AWS profile");
                egui::ComboBox::from_id_salt("profile")
                    .selected_text(if d.profile.is_empty() {
                        "default chain"
                    } else {
                        d.profile.as_str()
                    })
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut d.profile, String::new(), "default chain");
                        for p in &d.profiles {
                            if ui
                                .selectable_value(&mut d.profile, p.name.clone(), &p.name)
                                .clicked()
                                && let Some(r) = &p.region
                            {
                                d.region = r.clone();
                            }
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label("Region");
                ui.text_edit_singleline(&mut d.region).labelled_by(l.id);
                ui.end_row();
                let l = ui.label("Thing name");
                ui.text_edit_singleline(&mut d.thing).labelled_by(l.id);
                ui.end_row();
                ui.label("Key");
                ui.horizontal(|ui| {
                    ui.radio_value(
                        &mut d.key_type,
                        provision::KeyType::EcP256,
                        "EC P-256 (made here)",
                    );
                    ui.radio_value(
                        &mut d.key_type,
                        provision::KeyType::Rsa2048,
                        "RSA-2048 (made by AWS)",
                    );
                });
                ui.end_row();
            });
            let name_ok = provision::policy::validate_thing_name(&d.thing);
            if let Err(e) = &name_ok
                && !d.thing.is_empty()
            {
                ui.colored_label(ui.visuals().error_fg_color, e.to_string());
            }
            ui.horizontal(|ui| {
                let running = d.job.is_some();
                if ui
                    .add_enabled(!running && name_ok.is_ok(), egui::Button::new("Create"))
                    .clicked()
                {
                    action = Some(Action::Provision(provision::Request {
                        thing: d.thing.clone(),
                        policy: None,
                        topic_prefix: topic_prefix.clone(),
                        profile: (!d.profile.is_empty()).then(|| d.profile.clone()),
                        region: (!d.region.is_empty()).then(|| d.region.clone()),
                        endpoint_url: std::env::var("THINGFLASH_AWS_ENDPOINT_URL").ok(),
                        key_type: d.key_type,
                    }));
                }
                if running && ui.button("Cancel").clicked() {
                    action = Some(Action::CancelProvision);
                }
            });
            for l in &d.lines {
                ui.monospace(l);
            }
            match &d.result {
                Some(Ok(p)) => {
                    ui.label(format!("Done: {} is ready; its certificate and key were added to the credentials and the endpoint {} filled in.", p.thing, p.endpoint));
                    if ui.button("Save certificate and key to a folder...").clicked()
                        && let Some(dir) = rfd::FileDialog::new().pick_folder()
                    {
                        action = Some(Action::SaveProvisioned(dir));
                    }
                }
                Some(Err(e)) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                None => {}
            }
        });
    if !open {
        app.provision.open = false;
    }
    action
}

/// Run a provisioning request on its own thread; cancelling stops it between AWS calls
/// and says what was already created.
pub(super) fn start(req: provision::Request, ctx: egui::Context) -> ProvisionJob {
    let (tx, rx) = channel();
    let (cancel_tx, cancel_rx) = tokio::sync::oneshot::channel::<()>();
    let _ = std::thread::Builder::new().name("aws-provision".into()).spawn(move || {
        let send = |m: ProvisionMsg| {
            let _ = tx.send(m);
            ctx.request_repaint();
        };
        let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt,
            Err(e) => return send(ProvisionMsg::Finished(Err(e.to_string()))),
        };
        let mut made: Vec<provision::Resource> = Vec::new();
        let result = rt.block_on(async {
            tokio::select! {
                r = provision::provision(&req, |p| {
                    if let provision::Progress::Done(r) = &p {
                        made.push(r.clone());
                    }
                    send(ProvisionMsg::Progress(p));
                }) => r.map_err(|e| e.to_string()),
                _ = cancel_rx => {
                    let list: Vec<String> = made.iter().filter(|r| r.created).map(|r| format!("{} {}", r.kind, r.id)).collect();
                    Err(if list.is_empty() {
                        "cancelled; nothing was created in AWS".to_string()
                    } else {
                        format!("cancelled; already created in AWS: {}", list.join(", "))
                    })
                }
            }
        });
        send(ProvisionMsg::Finished(result));
    });
    ProvisionJob {
        rx,
        cancel: Some(cancel_tx),
    }
}
