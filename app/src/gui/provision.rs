//! The "Create a thing in AWS IoT" dialog: profile, region, thing name and where the key
//! is made in, [`Action::Provision`] out; the run itself is a worker thread with its own
//! tokio runtime that reports each AWS step over a channel. With the key made on the board
//! (thingflash's firmware; the default for it), nothing is made yet: the account is
//! checked and its endpoint filled in, and Flash provisions the board
//! ([`crate::board_key`]).

use eframe::egui;

use super::state::{Action, ThingflashApp};
use super::worker::Worker;
use crate::credentials::InputFile;
use crate::provision;

/// The dialog's state.
pub(super) struct ProvisionDialog {
    pub(super) open: bool,
    pub(super) profiles: Vec<provision::profiles::Profile>,
    pub(super) profile: String,
    pub(super) region: String,
    pub(super) thing: String,
    pub(super) key: DialogKey,
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
            key: DialogKey::Board,
            lines: Vec::new(),
            job: None,
            result: None,
        }
    }
}

/// Where the dialog's key is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DialogKey {
    /// On the board, at flash time (thingflash's firmware).
    Board,
    /// Here or by AWS, now.
    Off(provision::KeyType),
}

/// What a finished dialog run gives the window.
pub(super) enum Made {
    /// The thing's files (key made here or by AWS), its endpoint and name.
    Files(Vec<InputFile>, String, String),
    /// The board will make its key: the request to provision it with at flash time, and
    /// the account's endpoint.
    Board(Box<provision::Request>, String),
}

/// A provisioning run in progress.
pub(super) struct ProvisionJob {
    worker: Worker<ProvisionMsg>,
    cancel: Option<tokio::sync::oneshot::Sender<()>>,
}

/// What the provisioning worker reports.
pub(super) enum ProvisionMsg {
    Progress(provision::Progress),
    Finished(Result<provision::Provisioned, String>),
    /// The account answered for a key made on the board: its endpoint.
    BoardReady(Box<provision::Request>, Result<String, String>),
}

impl ProvisionDialog {
    /// Start a run (what an earlier run said is cleared).
    pub(super) fn start(&mut self, req: provision::Request, ctx: &egui::Context) {
        self.lines.clear();
        self.result = None;
        match start(req, ctx) {
            Ok(job) => self.job = Some(job),
            Err(e) => self.result = Some(Err(e)),
        }
    }

    /// For a key made on the board: check the account and find its endpoint; the board
    /// is provisioned when it is flashed.
    pub(super) fn start_board(&mut self, req: provision::Request, ctx: &egui::Context) {
        self.lines.clear();
        self.result = None;
        self.lines
            .push("... checking the AWS account and finding its endpoint".into());
        let worker = Worker::spawn("aws-endpoint", ctx, move |out| {
            let endpoint = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
                .and_then(|rt| {
                    rt.block_on(provision::ats_endpoint(&req.account))
                        .map_err(|e| e.to_string())
                });
            out.send(ProvisionMsg::BoardReady(Box::new(req), endpoint));
        });
        match worker {
            Ok(worker) => {
                self.job = Some(ProvisionJob {
                    worker,
                    cancel: None,
                })
            }
            Err(e) => self.result = Some(Err(e)),
        }
    }

    /// Ask the run to stop between AWS calls.
    pub(super) fn cancel(&mut self) {
        if let Some(c) = self.job.as_mut().and_then(|j| j.cancel.take()) {
            let _ = c.send(());
        }
    }

    /// Take what the run said; once it finished well, the new thing's credential files
    /// (in memory: the key is saved only when the user asks), endpoint and name, or the
    /// request to provision the board with.
    pub(super) fn poll(&mut self) -> Option<Made> {
        let job = self.job.as_mut()?;
        let mut finished = None;
        for msg in job.worker.drain() {
            match msg {
                ProvisionMsg::BoardReady(req, Ok(endpoint)) => {
                    self.job = None;
                    self.lines.push(format!(
                        "... ready: the endpoint is {endpoint}. Flash the board: it makes its key, AWS IoT signs its request, and the key never leaves the chip."
                    ));
                    return Some(Made::Board(req, endpoint));
                }
                ProvisionMsg::BoardReady(_, Err(e)) => {
                    self.job = None;
                    self.result = Some(Err(e));
                    return None;
                }
                ProvisionMsg::Progress(provision::Progress::Step(s)) => {
                    self.lines.push(format!("... {s}"))
                }
                ProvisionMsg::Progress(provision::Progress::Done(r)) => self.lines.push(format!(
                    "{} {} {}",
                    if r.created { "created" } else { "reused" },
                    r.kind,
                    r.id
                )),
                ProvisionMsg::Finished(r) => finished = Some(r),
            }
        }
        let r = finished?;
        self.job = None;
        let made = r.as_ref().ok().map(|p| {
            let files = vec![
                InputFile::from_bytes(
                    format!("{}-certificate.pem.crt", p.thing),
                    p.certificate_pem.clone().into_bytes(),
                ),
                InputFile::from_bytes(
                    format!("{}-private.pem.key", p.thing),
                    p.private_key_pem.as_bytes().to_vec(),
                ),
            ];
            Made::Files(files, p.endpoint.clone(), p.thing.clone())
        });
        self.result = Some(r);
        made
    }
}

/// Draw the dialog when it is open.
pub(super) fn show(ctx: &egui::Context, app: &mut ThingflashApp) -> Option<Action> {
    if !app.provision.open {
        return None;
    }
    let mut open = true;
    let mut action = None;
    let topic_prefix = app.settings.topic_prefix.clone();
    // Only thingflash's firmware makes its own key.
    let board_firmware = app.settings.target.needs_device_config();
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
                ui.vertical(|ui| {
                    if board_firmware {
                        ui.radio_value(
                            &mut d.key,
                            DialogKey::Board,
                            "Made on the board when you flash it: it never leaves the chip",
                        );
                    } else if d.key == DialogKey::Board {
                        d.key = DialogKey::Off(provision::KeyType::EcP256);
                    }
                    ui.radio_value(
                        &mut d.key,
                        DialogKey::Off(provision::KeyType::EcP256),
                        "EC P-256 made here, now",
                    );
                    ui.radio_value(
                        &mut d.key,
                        DialogKey::Off(provision::KeyType::Rsa2048),
                        "RSA-2048 made by AWS, now",
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
                    let req = Box::new(provision::Request {
                        thing: d.thing.clone(),
                        policy: None,
                        topic_prefix: topic_prefix.clone(),
                        account: provision::Account {
                            profile: (!d.profile.is_empty()).then(|| d.profile.clone()),
                            region: (!d.region.is_empty()).then(|| d.region.clone()),
                            ..app.aws.clone()
                        },
                        key_type: match d.key {
                            DialogKey::Off(k) => k,
                            DialogKey::Board => provision::KeyType::default(),
                        },
                        board_csr: None,
                    });
                    action = Some(match d.key {
                        DialogKey::Board => Action::UseBoardKey(req),
                        DialogKey::Off(_) => Action::Provision(req),
                    });
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
fn start(req: provision::Request, ctx: &egui::Context) -> Result<ProvisionJob, String> {
    let (cancel_tx, cancel_rx) = tokio::sync::oneshot::channel::<()>();
    let worker = Worker::spawn("aws-provision", ctx, move |out| {
        let send = |m: ProvisionMsg| {
            out.send(m);
        };
        let rt = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
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
    })?;
    Ok(ProvisionJob {
        worker,
        cancel: Some(cancel_tx),
    })
}
