//! A fleet run: one worker per port, each board identified by its MAC before anything
//! else, its thing and certificate made in AWS IoT (the policy once per run), then the one
//! operation ([`crate::job`]) with its target, and every step in the journal. AWS calls
//! from all workers go through one rate limiter (the SDK retries throttling with backoff
//! on top). A certificate that does not reach its board is deactivated and deleted, so
//! AWS keeps no orphan; a board the journal says is done is skipped.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_sdk_iot::types::{AttributePayload, CertificateStatus};
use sha2::{Digest, Sha256};

use super::journal::{self, BoardState, Entry, Journal, JournalError};
use super::manifest::{Binding, Manifest, normalise_mac};
use super::report::ReportRow;
use crate::credentials::{self, InputFile};
use crate::flash::{self, BoardInfo, FlashOptions};
use crate::job::{self, BoardKey, DeviceSettings};
use crate::provision::{self, KeyType, ProvisionError, map_sdk_error, policy};
use crate::target::{NamePreset, Target};

/// Everything a fleet run needs besides the ports.
pub struct Plan {
    /// Which thing each board becomes.
    pub manifest: Manifest,
    /// What runs on the boards.
    pub target: Target,
    /// thingflash's firmware settings; the client id becomes each board's thing name, and
    /// an empty endpoint the account's ATS endpoint.
    pub device: DeviceSettings,
    /// The credential files' names (own firmware).
    pub names: NamePreset,
    /// A custom file list (own firmware).
    pub file_list: Option<String>,
    /// Where the partition table is (own firmware).
    pub table_offset: u32,
    /// Make a file system where there is none (own firmware).
    pub format: bool,
    /// Where the ESP8266 sketch's file system is (its flash layout, or offset and size).
    pub layout: Option<job::Layout>,
    /// Where each board's key is made: on the board (thingflash's firmware), here with AWS
    /// signing its CSR, or by AWS.
    pub key: FleetKey,
    /// Provisioning by claim: every board gets the batch's claim and provisions itself
    /// when it first connects; the station makes no AWS call (it needs no credentials).
    pub claim: Option<super::claim::Claim>,
    /// The policy attached to every certificate (made once when missing).
    pub policy: String,
    /// Which AWS account and region, as for `thingflash aws provision`.
    pub account: provision::Account,
    /// The journal: appended to, and read first to resume.
    pub journal: PathBuf,
    /// AWS calls per second, all workers together.
    pub calls_per_second: f64,
    /// After the write, wait this long for the board to report MQTT connected (targets
    /// whose firmware prints thingflash's event lines; others ignore it).
    pub wait_connected: Option<Duration>,
}

/// Where a fleet's keys are made.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum FleetKey {
    /// On the board (thingflash's firmware): it prints its request, AWS signs it, the key
    /// never leaves the chip.
    #[default]
    Board,
    /// On this computer, in memory, with AWS signing its CSR: AWS never sees the key.
    #[value(name = "ec-p256")]
    #[serde(rename = "ec-p256")]
    EcP256,
    /// By AWS (`CreateKeysAndCertificate`).
    #[value(name = "rsa-2048")]
    #[serde(rename = "rsa-2048")]
    Rsa2048,
}

impl FleetKey {
    /// The word the report and the command line use.
    pub fn word(self) -> &'static str {
        match self {
            FleetKey::Board => "board",
            FleetKey::EcP256 => "ec-p256",
            FleetKey::Rsa2048 => "rsa-2048",
        }
    }

    /// A key made off the board: of which type.
    fn made_off_board(self) -> Option<KeyType> {
        match self {
            FleetKey::Board => None,
            FleetKey::EcP256 => Some(KeyType::EcP256),
            FleetKey::Rsa2048 => Some(KeyType::Rsa2048),
        }
    }

    /// This choice for `target`: a key on the board is for thingflash's firmware; other
    /// firmware gets one made here.
    pub fn for_target(self, target: Target) -> Self {
        match self {
            FleetKey::Board if !target.needs_device_config() => FleetKey::EcP256,
            other => other,
        }
    }

    /// The default for a target: on the board where its firmware makes one.
    pub fn default_for(target: Target) -> Self {
        if target.needs_device_config() {
            FleetKey::Board
        } else {
            FleetKey::EcP256
        }
    }
}

/// What the station says as it goes.
#[derive(Clone, Debug)]
pub enum BoardEvent {
    /// A worker started on a port: a board is being identified there.
    Started {
        /// The port.
        port: String,
    },
    /// A board answered on a port.
    Identified {
        /// The port.
        port: String,
        /// What it is.
        board: BoardInfo,
    },
    /// A board's manifest row: the thing it becomes.
    Bound {
        /// The port.
        port: String,
        /// The board's MAC.
        mac: String,
        /// The thing.
        thing: String,
    },
    /// A board started a step.
    Step {
        /// The port.
        port: String,
        /// The board's MAC.
        mac: String,
        /// The step, in words.
        step: &'static str,
    },
    /// A board is finished, one way or the other.
    Finished(Box<ReportRow>),
}

/// Why a fleet run could not start.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// No port to work on.
    #[error("no serial port given: name the boards' ports (--port), one per board")]
    NoPorts,
    /// The journal cannot be read or written.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// AWS refused the run's setup (credentials, region, the policy).
    #[error(transparent)]
    Aws(#[from] ProvisionError),
    /// The async runtime could not start.
    #[error("cannot start the AWS client's runtime: {0}")]
    Runtime(String),
    /// The target's settings would be refused for every board: said before any board is
    /// touched.
    #[error("{message}")]
    Refused {
        /// What is wrong.
        message: String,
        /// What to do.
        fix: String,
    },
}

impl FleetError {
    /// What to do, where the message alone does not say.
    pub fn fix(&self) -> Option<&str> {
        match self {
            FleetError::Refused { fix, .. } => Some(fix),
            _ => None,
        }
    }
}

impl From<job::Refusal> for FleetError {
    fn from(r: job::Refusal) -> Self {
        FleetError::Refused {
            message: r.message,
            fix: r.fix,
        }
    }
}

impl Outcome {
    /// Write the report (REPORT.csv and REPORT.jsonl) and say in one line what the run
    /// did and where the report is.
    pub fn write_report(&self, report: &std::path::Path) -> std::io::Result<String> {
        let written = super::report::write(report, &self.rows)?;
        Ok(format!(
            "{} boards: {}; {} AWS calls for them; report: {}",
            self.rows.len(),
            super::Counts::of_rows(&self.rows),
            self.aws_calls,
            written
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// The settings every board shares, checked once before any board is touched: thingflash's
/// firmware's WiFi and MQTT settings (each board's client id is its thing name, checked
/// with the manifest), or the credential files' names for other firmware.
fn check_settings(plan: &Plan, endpoint: &str) -> Result<(), job::Refusal> {
    if plan.key == FleetKey::Board && !plan.target.needs_device_config() {
        return Err(job::Refusal::new(
            job::RefusalKind::Option,
            format!(
                "a key made on the board is for thingflash's firmware, not the target {}",
                plan.target.cli_name()
            ),
            "give --key-type ec-p256 (made here, AWS signs its CSR) or rsa-2048 (made by AWS)",
        ));
    }
    if plan.target.needs_device_config() {
        let settings = DeviceSettings {
            // A stand-in: every thing name is checked by the manifest.
            client_id: "thing".into(),
            endpoint: if plan.device.endpoint.is_empty() {
                endpoint.to_string()
            } else {
                plan.device.endpoint.clone()
            },
            ..plan.device.clone()
        };
        job::device_config(None, &settings)?;
    }
    if plan.target.needs().file_names {
        job::files(plan.names, plan.file_list.as_deref())?;
    }
    if plan.target.needs().flash_layout {
        match &plan.layout {
            Some(l) => {
                job::region(l)?;
            }
            None => {
                return Err(job::Refusal::new(
                    job::RefusalKind::Layout,
                    "an ESP8266 target needs the sketch's flash layout",
                    "give the layout the sketch was built with (the Arduino IDE's Tools > Flash Size), or the file system's offset and size",
                ));
            }
        }
    }
    Ok(())
}

/// One shared pace for all AWS calls.
struct Limiter {
    next: Mutex<Instant>,
    gap: Duration,
    /// Calls so far.
    calls: std::sync::atomic::AtomicUsize,
}

impl Limiter {
    fn new(per_second: f64) -> Self {
        Self {
            next: Mutex::new(Instant::now()),
            gap: Duration::from_secs_f64(1.0 / per_second.max(0.1)),
            calls: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Wait for this call's turn.
    fn wait(&self) {
        self.calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let sleep = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let at = (*next).max(now);
            *next = at + self.gap;
            at - now
        };
        std::thread::sleep(sleep);
    }
}

/// What every worker shares.
struct Shared<'a> {
    plan: &'a Plan,
    iot: aws_sdk_iot::Client,
    endpoint: String,
    limiter: Limiter,
    journal: Mutex<Journal>,
    states: HashMap<String, BoardState>,
    /// Each port's USB serial number, where it has one.
    serials: HashMap<String, String>,
    on_event: &'a (dyn Fn(BoardEvent) + Sync),
}

/// A step that failed: what happened and what to do.
struct Failure {
    at: &'static str,
    error: String,
    fix: String,
}

fn fail(at: &'static str, error: impl std::fmt::Display, fix: impl Into<String>) -> Failure {
    Failure {
        at,
        error: error.to_string(),
        fix: fix.into(),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, FleetError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| FleetError::Runtime(e.to_string()))
}

/// What a fleet run did.
#[derive(Debug)]
pub struct Outcome {
    /// One row per port.
    pub rows: Vec<ReportRow>,
    /// AWS calls made for the boards (the run's setup, once, not counted).
    pub aws_calls: usize,
}

/// Provision the board on every port, in parallel.
pub fn run(
    plan: &Plan,
    ports: &[String],
    link: &FlashOptions,
    on_event: &(dyn Fn(BoardEvent) + Sync),
) -> Result<Outcome, FleetError> {
    if ports.is_empty() {
        return Err(FleetError::NoPorts);
    }
    let shared = setup(plan, on_event)?;
    let rows = std::thread::scope(|scope| {
        let workers: Vec<_> = ports
            .iter()
            .map(|port| {
                let shared = &shared;
                let link = FlashOptions {
                    port: port.clone(),
                    ..link.clone()
                };
                scope.spawn(move || board(shared, &link))
            })
            .collect();
        workers
            .into_iter()
            .zip(ports)
            .map(|(w, port)| w.join().unwrap_or_else(|_| worker_stopped(port)))
            .collect()
    });
    Ok(shared.outcome(rows))
}

/// When to stop watching for boards.
pub struct Watch<'a> {
    /// Where the ports come from (polled).
    pub ports: &'a super::PortSource,
    /// Stop once this many boards are finished (provisioned, skipped or failed).
    pub boards: Option<usize>,
    /// Stop when set (Ctrl-C): the boards under way finish first.
    pub stop: &'a std::sync::atomic::AtomicBool,
}

/// Provision every board plugged in from now on: a port that appears gets a worker; a
/// port whose board is finished is taken again only after it went away (unplugged) and
/// came back, so an operator only plugs and unplugs.
pub fn watch(
    plan: &Plan,
    link: &FlashOptions,
    w: &Watch<'_>,
    on_event: &(dyn Fn(BoardEvent) + Sync),
) -> Result<Outcome, FleetError> {
    use std::sync::atomic::Ordering;
    let shared = setup(plan, on_event)?;
    // Ports already there are boards plugged in before: taken like new ones.
    let rows = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        let mut busy: HashMap<String, std::thread::ScopedJoinHandle<'_, ReportRow>> =
            HashMap::new();
        let mut finished_here: std::collections::HashSet<String> = Default::default();
        loop {
            let present = w.ports.present();
            // A finished board's port that went away is free for the next board.
            finished_here.retain(|p| present.contains(p));
            for (port, handle) in std::mem::take(&mut busy) {
                if handle.is_finished() {
                    let row = handle.join().unwrap_or_else(|_| worker_stopped(&port));
                    rows.lock().unwrap_or_else(|e| e.into_inner()).push(row);
                    finished_here.insert(port);
                } else {
                    busy.insert(port, handle);
                }
            }
            let done = rows.lock().unwrap_or_else(|e| e.into_inner()).len();
            let enough = w.boards.is_some_and(|n| done + busy.len() >= n);
            if w.stop.load(Ordering::Relaxed) || w.boards.is_some_and(|n| done >= n) {
                break;
            }
            if !enough {
                for port in present {
                    if busy.contains_key(&port) || finished_here.contains(&port) {
                        continue;
                    }
                    let shared = &shared;
                    let link = FlashOptions {
                        port: port.clone(),
                        ..link.clone()
                    };
                    busy.insert(port, scope.spawn(move || board(shared, &link)));
                }
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        for (port, handle) in busy {
            let row = handle.join().unwrap_or_else(|_| worker_stopped(&port));
            rows.lock().unwrap_or_else(|e| e.into_inner()).push(row);
        }
    });
    let rows = rows.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(shared.outcome(rows))
}

fn worker_stopped(port: &str) -> ReportRow {
    ReportRow {
        port: port.to_string(),
        result: "failed".into(),
        error: "the worker for this port stopped unexpectedly".into(),
        fix: "run the fleet again with the same journal: it resumes".into(),
        ..ReportRow::default()
    }
}

/// Once per run: the journal read and opened; credentials, region, the endpoint, the
/// policy and the groups in AWS.
fn setup<'a>(
    plan: &'a Plan,
    on_event: &'a (dyn Fn(BoardEvent) + Sync),
) -> Result<Shared<'a>, FleetError> {
    let states = journal::replay(&plan.journal)?;
    let journal = Journal::open(&plan.journal)?;
    let (iot, endpoint) = match &plan.claim {
        Some(claim) => {
            // No AWS here: the batch says where the boards connect; its client is never used.
            let conf = aws_sdk_iot::Config::builder()
                .behavior_version(aws_sdk_iot::config::BehaviorVersion::latest())
                .region(aws_sdk_iot::config::Region::new(claim.batch.region.clone()))
                .build();
            check_settings(plan, &claim.batch.endpoint)?;
            (
                aws_sdk_iot::Client::from_conf(conf),
                claim.batch.endpoint.clone(),
            )
        }
        None => aws_setup(plan)?,
    };
    Ok(Shared {
        plan,
        iot,
        endpoint,
        limiter: Limiter::new(plan.calls_per_second),
        journal: Mutex::new(journal),
        states,
        serials: crate::ports::scan()
            .ports
            .into_iter()
            .filter_map(|p| Some((p.name, p.serial?)))
            .collect(),
        on_event,
    })
}

/// The run's AWS side, once: credentials, region, the endpoint, the settings every board
/// shares, the policy and the groups.
fn aws_setup(plan: &Plan) -> Result<(aws_sdk_iot::Client, String), FleetError> {
    runtime()?.block_on(async {
        let provision::Session {
            iot,
            region,
            account_id: account,
        } = provision::session(&plan.account).await?;
        let endpoint = provision::describe_ats(&iot, &[]).await?;
        check_settings(plan, &endpoint).map_err(FleetError::from)?;
        policy::validate_policy_name(&plan.policy)?;
        let document = policy::document(&region, &account, &plan.device.topic_prefix);
        provision::ensure_policy(&iot, &plan.policy, &document, &[]).await?;
        for g in plan.manifest.groups() {
            if iot
                .describe_thing_group()
                .thing_group_name(&g)
                .send()
                .await
                .is_err()
            {
                iot.create_thing_group()
                    .thing_group_name(&g)
                    .send()
                    .await
                    .map_err(|e| map_sdk_error("iot:CreateThingGroup", e, &[]))?;
            }
        }
        Ok::<_, FleetError>((iot, endpoint))
    })
}

/// One board, start to end: its report row.
fn board(s: &Shared<'_>, link: &FlashOptions) -> ReportRow {
    let started = Instant::now();
    (s.on_event)(BoardEvent::Started {
        port: link.port.clone(),
    });
    let mut row = ReportRow {
        port: link.port.clone(),
        target: s.plan.target.cli_name().to_string(),
        key: s.plan.key.word().to_string(),
        ..ReportRow::default()
    };
    let result = provision_board(s, link, &mut row);
    row.seconds = started.elapsed().as_secs_f64();
    match result {
        Ok(result) => row.result = result.into(),
        Err(f) => {
            if !row.mac.is_empty() {
                // Best effort: the report says it failed whether or not the journal can.
                let _ = s.record(&Entry::Failed {
                    mac: row.mac.clone(),
                    at: f.at.into(),
                    error: f.error.clone(),
                });
            }
            row.result = "failed".into();
            row.error = format!("{}: {}", f.at, f.error);
            row.fix = f.fix;
        }
    }
    (s.on_event)(BoardEvent::Finished(Box::new(row.clone())));
    row
}

impl Shared<'_> {
    fn outcome(&self, rows: Vec<ReportRow>) -> Outcome {
        Outcome {
            rows,
            aws_calls: self
                .limiter
                .calls
                .load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Append to the journal. A step whose entry cannot be written must not go on: a
    /// resume would not know what it did (a certificate made and never recorded is one AWS
    /// keeps for ever).
    fn record(&self, e: &Entry) -> Result<(), Failure> {
        let mut j = self.journal.lock().unwrap_or_else(|e| e.into_inner());
        j.append(e).map_err(|err| {
            fail(
                "journal",
                format!("cannot write the journal {}: {err}", self.plan.journal.display()),
                "free space on its disk or make it writable, then run the fleet again with the same journal: the entries written so far resume it",
            )
        })
    }

    fn step(&self, link: &FlashOptions, mac: &str, step: &'static str) {
        (self.on_event)(BoardEvent::Step {
            port: link.port.clone(),
            mac: mac.to_string(),
            step,
        });
    }

    /// A run cut between asking for a certificate and recording it leaves one that only its
    /// time can find: made within moments of the request, ACTIVE, attached to nothing, and
    /// named nowhere in the journal (with a CSR, also its CN is the thing's name). Each such
    /// certificate is removed. Another tool making unattached certificates in the same
    /// account in that very minute could be mistaken for it: the window is kept short.
    async fn remove_lost_certificates(&self, mac: &str, thing: &str, at_ms: u64) {
        let known = journal::known_certificates(&self.states);
        let from = (at_ms / 1000) as i64 - 5;
        let to = (at_ms / 1000) as i64 + 60;
        // Newest first, page by page, until the pages are older than the window: an
        // account with thousands of certificates is read only as far back as needed.
        let mut candidates = Vec::new();
        let mut marker = None;
        loop {
            self.limiter.wait();
            let Ok(page) = self
                .iot
                .list_certificates()
                .page_size(250)
                .ascending_order(false)
                .set_marker(marker.take())
                .send()
                .await
            else {
                return;
            };
            let older = page
                .certificates()
                .iter()
                .any(|c| c.creation_date().is_some_and(|d| d.secs() < from));
            candidates.extend(page.certificates().iter().cloned());
            match page.next_marker() {
                Some(m) if !older && !m.is_empty() => marker = Some(m.to_string()),
                _ => break,
            }
        }
        for c in &candidates {
            let (Some(id), Some(arn)) = (c.certificate_id(), c.certificate_arn()) else {
                continue;
            };
            let made = c.creation_date().map_or(0, |d| d.secs());
            if known.iter().any(|k| k == id)
                || !(from..=to).contains(&made)
                || c.status() != Some(&CertificateStatus::Active)
            {
                continue;
            }
            self.limiter.wait();
            let attached = self
                .iot
                .list_principal_things()
                .principal(arn)
                .send()
                .await
                .map(|p| !p.things().is_empty())
                .unwrap_or(true);
            if attached {
                continue;
            }
            // Requests (made here, or by a board) carry the thing's name as their CN.
            if self.plan.key != FleetKey::Rsa2048 {
                self.limiter.wait();
                let pem = self
                    .iot
                    .describe_certificate()
                    .certificate_id(id)
                    .send()
                    .await
                    .ok()
                    .and_then(|d| {
                        d.certificate_description()?
                            .certificate_pem()
                            .map(str::to_string)
                    });
                if !pem.is_some_and(|p| common_name_is(&p, thing)) {
                    continue;
                }
            }
            self.remove_certificate(mac, None, id, arn).await;
        }
    }

    /// Deactivate, detach and delete a certificate that is on no board.
    async fn remove_certificate(&self, mac: &str, thing: Option<&str>, id: &str, arn: &str) {
        self.limiter.wait();
        let _ = self
            .iot
            .update_certificate()
            .certificate_id(id)
            .new_status(CertificateStatus::Inactive)
            .send()
            .await;
        self.limiter.wait();
        let _ = self
            .iot
            .detach_policy()
            .policy_name(&self.plan.policy)
            .target(arn)
            .send()
            .await;
        if let Some(thing) = thing {
            self.limiter.wait();
            let _ = self
                .iot
                .detach_thing_principal()
                .thing_name(thing)
                .principal(arn)
                .send()
                .await;
        }
        self.limiter.wait();
        if self
            .iot
            .delete_certificate()
            .certificate_id(id)
            .send()
            .await
            .is_ok()
        {
            // Unrecorded, a resume tries to remove it again and finds it gone: harmless.
            let _ = self.record(&Entry::Removed {
                mac: mac.to_string(),
                id: id.to_string(),
            });
        }
    }
}

/// The steps of one board; `Ok` says `provisioned` or `skipped`.
fn provision_board(
    s: &Shared<'_>,
    link: &FlashOptions,
    row: &mut ReportRow,
) -> Result<&'static str, Failure> {
    let rt = runtime().map_err(|e| fail("start", e, "run again"))?;
    // 1. Who is on the port: the MAC binds the run from here on, never the port's name.
    let board = flash::identify(link).map_err(|e| {
        fail(
            "identify",
            &e,
            "check the board is plugged into this port and in download mode (hold BOOT while plugging it in if it does not reset by itself)",
        )
    })?;
    let mac = board.mac.as_deref().and_then(normalise_mac).ok_or_else(|| {
        fail(
            "identify",
            "the board did not give its MAC address",
            "use a board whose ROM reports its MAC (every ESP32-family chip and the ESP8266 does); check the cable",
        )
    })?;
    row.mac = mac.clone();
    row.chip = board.chip.name().to_string();
    let usb_serial = s.serials.get(&link.port).cloned();
    row.usb_serial = usb_serial.clone().unwrap_or_default();
    s.record(&Entry::Identified {
        mac: mac.clone(),
        port: link.port.clone(),
        usb_serial,
        chip: board.chip.name().to_string(),
    })?;
    (s.on_event)(BoardEvent::Identified {
        port: link.port.clone(),
        board: board.clone(),
    });
    if let Some(r) = job::refuse_chip(s.plan.target, board.chip) {
        return Err(fail("identify", r.message, r.fix));
    }
    if let Some(claim) = &s.plan.claim {
        return claimed_board(s, link, &mac, claim, row);
    }
    let binding = s
        .plan
        .manifest
        .bind(&mac, board.chip)
        .map_err(|e| fail("manifest", &e.message, e.fix))?;
    row.thing = binding.thing.clone();
    (s.on_event)(BoardEvent::Bound {
        port: link.port.clone(),
        mac: mac.clone(),
        thing: binding.thing.clone(),
    });
    // 2. What the journal knows: done boards are skipped, a certificate that never
    // reached its board is removed.
    let state = s.states.get(&mac).cloned().unwrap_or_default();
    if state.done {
        row.certificate_id = state.certificate.map(|(id, _)| id).unwrap_or_default();
        return Ok("skipped");
    }
    if let Some((id, arn)) = &state.certificate {
        s.step(
            link,
            &mac,
            "removing the certificate an earlier run made but never wrote",
        );
        rt.block_on(s.remove_certificate(&mac, state.thing.as_deref(), id, arn));
    }
    if let Some(at_ms) = state.requested_ms {
        s.step(
            link,
            &mac,
            "looking for a certificate an earlier run asked for when it was cut",
        );
        rt.block_on(s.remove_lost_certificates(&mac, &binding.thing, at_ms));
    }
    // 3. The thing; with a key made on the board, the board's firmware and settings and
    // its request; then the certificate and its attachments.
    s.step(link, &mac, "making the thing in AWS IoT");
    rt.block_on(thing_steps(s, &binding)).map_err(aws_fail)?;
    let source = match s.plan.key.made_off_board() {
        Some(key_type) => CertSource::Here(key_type),
        None => {
            s.step(
                link,
                &mac,
                "writing the firmware and its settings (the board makes its own key)",
            );
            let first = prepare_job(s, &binding, None, false)?;
            first.run(link, &mut |_| {}).map_err(|e| {
                fail(
                    "write",
                    &e,
                    "plug the board in again and run the fleet again with the same journal: it finishes the board",
                )
            })?;
            s.step(link, &mac, "reading the board's certificate request");
            let csr = crate::board_key::read_request(
                monitor_config(s, link),
                crate::board_key::REQUEST_TIMEOUT,
            )
            .map_err(|e| fail("request", &e, e.fix()))?;
            CertSource::Board(csr)
        }
    };
    s.step(link, &mac, "making its certificate in AWS IoT");
    let made = rt.block_on(certificate_steps(s, &mac, &binding, &source));
    let (id, arn, cert_pem, key_pem) = match made {
        Ok(m) => m,
        Err((f, Some((id, arn)))) => {
            // Made but not attached or not recorded: it must not stay in AWS.
            rt.block_on(s.remove_certificate(&mac, Some(&binding.thing), &id, &arn));
            return Err(f);
        }
        Err((f, None)) => return Err(f),
    };
    row.certificate_id = id.clone();
    // 4. The one operation, with this board's credentials (its certificate only, when
    // the key is the board's).
    if let Err(f) = write_board(s, link, &mac, &binding, &cert_pem, &key_pem, &source, row) {
        // The certificate is on no board: it must not stay in AWS.
        rt.block_on(s.remove_certificate(&mac, Some(&binding.thing), &id, &arn));
        row.certificate_id.clear();
        return Err(f);
    }
    // Unrecorded, a resume replaces this certificate with a new one (the journal says it
    // was made, not that it was written): the board still ends provisioned once.
    s.record(&Entry::Done {
        mac: mac.clone(),
        thing: binding.thing.clone(),
        id,
    })?;
    // 5. For firmware that says so, the board's own word that it reached AWS IoT.
    if let Some(wait) = s
        .plan
        .wait_connected
        .filter(|_| s.plan.target.needs().reports_stages)
    {
        s.step(link, &mac, "waiting for the board to report MQTT connected");
        let cfg = monitor_config(s, link);
        let decoder = crate::monitor::Decoder::default().with_family(s.plan.target.family());
        crate::monitor::wait::until(cfg, decoder, crate::monitor::Step::Mqtt, wait).map_err(
            |e| {
                // Written and recorded: the certificate is the board's; what stands between
                // it and AWS is its network, its endpoint or the policy, named here.
                fail("connect", &e, e.fix())
            },
        )?;
    }
    Ok("provisioned")
}

/// A failed AWS step, and the certificate made before it failed (to remove).
type AwsFailure = (Failure, Option<(String, String)>);

fn aws_fail(e: ProvisionError) -> Failure {
    fail(
        "aws",
        &e,
        "the message says what AWS refused; once corrected, run the fleet again with the same journal: it resumes",
    )
}

/// Where a board's certificate comes from.
enum CertSource {
    /// A key made here (AWS signs its CSR) or by AWS.
    Here(KeyType),
    /// The board's own request.
    Board(crate::credentials::csr::BoardCsr),
}

/// How the station reads a board's serial line.
fn monitor_config(s: &Shared<'_>, link: &FlashOptions) -> crate::monitor::reader::MonitorConfig {
    crate::monitor::reader::MonitorConfig {
        port: link.port.clone(),
        baud: crate::chip::FIRMWARE_BAUD,
        reset: false,
        boot_baud: s.plan.target.needs().boot_baud,
    }
}

/// The thing, its attributes (an existing thing's are updated) and its groups.
async fn thing_steps(s: &Shared<'_>, b: &Binding) -> Result<(), ProvisionError> {
    let iot = &s.iot;
    let attributes = (!b.attributes.is_empty()).then(|| {
        AttributePayload::builder()
            .set_attributes(Some(b.attributes.iter().cloned().collect()))
            .build()
    });
    // One call for a new thing; an existing one with other attributes is updated.
    s.limiter.wait();
    let created = iot
        .create_thing()
        .thing_name(&b.thing)
        .set_attribute_payload(attributes.clone())
        .send()
        .await;
    match created {
        Ok(_) => {}
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_already_exists_exception()) =>
        {
            s.limiter.wait();
            iot.update_thing()
                .thing_name(&b.thing)
                .set_attribute_payload(attributes)
                .send()
                .await
                .map_err(|e| map_sdk_error("iot:UpdateThing", e, &[]))?;
        }
        Err(e) => return Err(map_sdk_error("iot:CreateThing", e, &[])),
    }
    for g in &b.groups {
        s.limiter.wait();
        iot.add_thing_to_thing_group()
            .thing_group_name(g)
            .thing_name(&b.thing)
            .send()
            .await
            .map_err(|e| map_sdk_error("iot:AddThingToThingGroup", e, &[]))?;
    }
    Ok(())
}

/// The certificate (from a key made here, by AWS, or from the board's request; one made
/// from a board's request must be for the board's key), then its attachments; its id,
/// ARN, PEM and the key's PEM (empty for a key on the board).
async fn certificate_steps(
    s: &Shared<'_>,
    mac: &str,
    b: &Binding,
    source: &CertSource,
) -> Result<(String, String, String, zeroize::Zeroizing<String>), AwsFailure> {
    let iot = &s.iot;
    let before = |e: ProvisionError| (aws_fail(e), None);
    s.record(&Entry::Requested {
        mac: mac.to_string(),
        thing: b.thing.clone(),
        at_ms: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64),
    })
    .map_err(|f| (f, None))?;
    s.limiter.wait();
    let (id, arn, pem, key) = match source {
        CertSource::Here(key_type) => provision::create_certificate(iot, *key_type, &b.thing, &[])
            .await
            .map_err(before)?,
        CertSource::Board(csr) => {
            let (id, arn, pem) = provision::certificate_from_csr(iot, &csr.pem(), &[])
                .await
                .map_err(before)?;
            (id, arn, pem, zeroize::Zeroizing::new(String::new()))
        }
    };
    let made = || Some((id.clone(), arn.clone()));
    s.record(&Entry::Certificate {
        mac: mac.to_string(),
        thing: b.thing.clone(),
        id: id.clone(),
        arn: arn.clone(),
    })
    .map_err(|f| (f, made()))?;
    if let CertSource::Board(csr) = source
        && let Some(detail) = provision::board_pair_problem(csr, &pem)
    {
        return Err((
            fail(
                "aws",
                format!("{detail}; it is removed again and nothing was written"),
                "AWS IoT signs the request's own key; a mock service may not: run against AWS itself",
            ),
            made(),
        ));
    }
    s.limiter.wait();
    iot.attach_policy()
        .policy_name(&s.plan.policy)
        .target(&arn)
        .send()
        .await
        .map_err(|e| (aws_fail(map_sdk_error("iot:AttachPolicy", e, &[])), made()))?;
    s.limiter.wait();
    iot.attach_thing_principal()
        .thing_name(&b.thing)
        .principal(&arn)
        .send()
        .await
        .map_err(|e| {
            (
                aws_fail(map_sdk_error("iot:AttachThingPrincipal", e, &[])),
                made(),
            )
        })?;
    s.record(&Entry::Attached {
        mac: mac.to_string(),
        id: id.clone(),
    })
    .map_err(|f| (f, made()))?;
    Ok((id, arn, pem, key))
}

/// The one operation's job for this board: thingflash's firmware with the board's own key
/// (`board_cert`: `None` for the first write, the certificate for the second), or the
/// credential files of a key made off the board (`files`).
fn prepare_job(
    s: &Shared<'_>,
    b: &Binding,
    board_cert: Option<Vec<u8>>,
    credentials_only: bool,
) -> Result<job::Job, Failure> {
    prepare_with(
        s,
        b,
        &credentials::analyse(&[], &[], time::OffsetDateTime::now_utc(), None),
        |req| {
            req.board_key = BoardKey::Board {
                cert_der: board_cert,
                new_key: false,
            };
            req.credentials_only = credentials_only;
        },
    )
}

fn prepare_with(
    s: &Shared<'_>,
    b: &Binding,
    analysis: &credentials::Analysis,
    adjust: impl FnOnce(&mut job::Request<'_>),
) -> Result<job::Job, Failure> {
    let mut req = job::Request::new(analysis, s.plan.target);
    req.device = DeviceSettings {
        client_id: b.thing.clone(),
        endpoint: if s.plan.device.endpoint.is_empty() {
            s.endpoint.clone()
        } else {
            s.plan.device.endpoint.clone()
        },
        ..s.plan.device.clone()
    };
    req.names = s.plan.names;
    req.file_list = s.plan.file_list.clone();
    req.table_offset = s.plan.table_offset;
    req.format = s.plan.format;
    req.layout = s.plan.layout.clone();
    adjust(&mut req);
    job::prepare(&req).map_err(|refusals| {
        let first = refusals.into_iter().next();
        fail(
            "prepare",
            first
                .as_ref()
                .map(|r| r.message.clone())
                .unwrap_or_default(),
            first.map(|r| r.fix).unwrap_or_default(),
        )
    })
}

/// The one operation on this board with its new credentials, read back and checked.
#[allow(clippy::too_many_arguments)]
fn write_board(
    s: &Shared<'_>,
    link: &FlashOptions,
    mac: &str,
    b: &Binding,
    cert_pem: &str,
    key_pem: &str,
    source: &CertSource,
    row: &mut ReportRow,
) -> Result<(), Failure> {
    let job = match source {
        CertSource::Board(_) => {
            let der = crate::board_key::pem_der(cert_pem).unwrap_or_default();
            row.certificate_sha256 = hex(&Sha256::digest(&der));
            prepare_job(s, b, Some(der), true)?
        }
        CertSource::Here(_) => {
            let files = [
                InputFile::from_bytes(
                    format!("{}-certificate.pem.crt", b.thing),
                    cert_pem.as_bytes().to_vec(),
                ),
                InputFile::from_bytes(
                    format!("{}-private.pem.key", b.thing),
                    key_pem.as_bytes().to_vec(),
                ),
            ];
            let analysis = credentials::analyse(&files, &[], time::OffsetDateTime::now_utc(), None);
            if let Ok(set) = credentials::CredentialSet::from_analysis(&analysis) {
                row.certificate_sha256 = hex(&Sha256::digest(&set.cert_der));
            }
            prepare_with(s, b, &analysis, |_| {})?
        }
    };
    s.step(
        link,
        mac,
        match source {
            CertSource::Board(_) => "writing its certificate",
            CertSource::Here(_) => "writing the credentials",
        },
    );
    job.run(link, &mut |_| {}).map(|_| ()).map_err(|e| {
        fail(
            "write",
            &e,
            "plug the board in again and run the fleet again with the same journal: it finishes the board",
        )
    })
}

/// Whether a certificate (PEM) names `thing` as its subject's CN, as the CSRs this station
/// makes do.
fn common_name_is(pem: &str, thing: &str) -> bool {
    let Ok((_, pem)) = x509_parser::pem::parse_x509_pem(pem.as_bytes()) else {
        return false;
    };
    let Ok(cert) = pem.parse_x509() else {
        return false;
    };
    cert.subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        == Some(thing)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A board provisioned by claim: its firmware and settings with the batch's claim (its
/// template, the claim certificate and key); it makes its own key and provisions itself
/// when it first connects. `written`, or `provisioned` once it said MQTT connected.
fn claimed_board(
    s: &Shared<'_>,
    link: &FlashOptions,
    mac: &str,
    claim: &super::claim::Claim,
    row: &mut ReportRow,
) -> Result<&'static str, Failure> {
    let thing = format!("{}{mac}", claim.batch.thing_prefix);
    row.thing = thing.clone();
    (s.on_event)(BoardEvent::Bound {
        port: link.port.clone(),
        mac: mac.to_string(),
        thing: thing.clone(),
    });
    if s.states.get(mac).is_some_and(|st| st.done) {
        return Ok("skipped");
    }
    let files = [
        InputFile::from_bytes(
            "claim-certificate.pem.crt",
            claim.certificate_pem.as_bytes().to_vec(),
        ),
        InputFile::from_bytes("claim-private.pem.key", claim.key_pem.as_bytes().to_vec()),
    ];
    let analysis = credentials::analyse(&files, &[], time::OffsetDateTime::now_utc(), None);
    let binding = Binding {
        // The claim connection's client id: the board's MAC, unique as AWS requires.
        thing: mac.to_string(),
        attributes: Vec::new(),
        groups: Vec::new(),
    };
    let job = prepare_with(s, &binding, &analysis, |req| {
        req.device.claim_template = claim.batch.template.clone();
    })?;
    s.step(
        link,
        mac,
        "writing the firmware, its settings and the batch's claim",
    );
    job.run(link, &mut |_| {}).map_err(|e| {
        fail(
            "write",
            &e,
            "plug the board in again and run the fleet again with the same journal: it finishes the board",
        )
    })?;
    s.record(&Entry::Done {
        mac: mac.to_string(),
        thing,
        id: claim.batch.claim_certificate_id.clone(),
    })?;
    let Some(wait) = s.plan.wait_connected else {
        return Ok("written");
    };
    s.step(
        link,
        mac,
        "waiting for the board to provision itself by claim and report MQTT connected",
    );
    let decoder = crate::monitor::Decoder::default().with_family(s.plan.target.family());
    crate::monitor::wait::until(
        monitor_config(s, link),
        decoder,
        crate::monitor::Step::Mqtt,
        wait,
    )
    .map_err(|e| fail("connect", &e, e.fix()))?;
    Ok("provisioned")
}
