//! The connection test: the stages the board runs (DNS, TCP, TLS, MQTT CONNECT, SUBSCRIBE,
//! PUBLISH), run from this computer with the same certificate, key, root CAs, endpoint and
//! client id, before anything is flashed. TLS is the desktop stack of the connection crate
//! and the MQTT session is the firmware's own (`thingflash_connection::mqtt::session`);
//! every event it reports is explained by the monitor's decoder, so a failure here reads
//! as it would on the board. No GUI types.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use thingflash_connection::desktop::{DesktopConnector, DesktopTls, FailureKind, TlsFailure};
use thingflash_connection::mqtt::{self, End, Settings};
use thingflash_connection::{Flow, Platform};
use thingflash_protocol::config::DeviceConfig;
use thingflash_protocol::credentials::DeviceCredentials;
use thingflash_protocol::event::Event;

use crate::credentials::CredentialSet as Credentials;
use crate::monitor::{Decoder, Explanation};

/// What to test.
#[derive(Clone, Debug)]
pub struct Request {
    /// The endpoint host (`...-ats.iot.<region>.amazonaws.com`).
    pub host: String,
    /// 8883, or 443 (ALPN `x-amzn-mqtt-ca`).
    pub port: u16,
    /// The MQTT client id (the thing name on AWS).
    pub client_id: String,
    /// Topics are `<prefix>/<client id>/...`, as the firmware's.
    pub topic_prefix: String,
    /// How long each network step may take.
    pub limit: Duration,
    /// Offer ALPN `x-amzn-mqtt-ca` (`None`: on port 443, as the board does).
    pub alpn: Option<bool>,
    /// A claim certificate for this fleet-provisioning template: after TLS, connect and
    /// subscribe to the provisioning answers as a board would (nothing is provisioned),
    /// instead of the thing's topics.
    pub claim_template: Option<String>,
}

/// One of the board's stages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// The endpoint's name resolves.
    Dns,
    /// A TCP connection to the port.
    Tcp,
    /// The TLS handshake with the device certificate.
    Tls,
    /// MQTT CONNECT and its CONNACK.
    Connect,
    /// SUBSCRIBE to the command topic and its SUBACK.
    Subscribe,
    /// PUBLISH of one telemetry message.
    Publish,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 6] = [
        Stage::Dns,
        Stage::Tcp,
        Stage::Tls,
        Stage::Connect,
        Stage::Subscribe,
        Stage::Publish,
    ];

    /// How the report names it.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Dns => "DNS",
            Stage::Tcp => "TCP",
            Stage::Tls => "TLS",
            Stage::Connect => "MQTT CONNECT",
            Stage::Subscribe => "SUBSCRIBE",
            Stage::Publish => "PUBLISH",
        }
    }
}

/// How one stage went.
#[derive(Clone, Debug, Serialize)]
pub struct StageReport {
    /// Which.
    pub stage: Stage,
    /// Passed.
    pub ok: bool,
    /// How long it took.
    pub ms: u32,
    /// What happened, in a few words.
    pub detail: String,
    /// For a failure: what it means and what to do (the monitor's explanation); for a
    /// stage that passed, a warning (a legacy endpoint). This computer's clock against the
    /// certificate's dates is the credentials check's, which refuses before any test.
    pub explanation: Option<Explanation>,
}

/// The whole test.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Each stage that ran, in order; a failed one ends the list.
    pub stages: Vec<StageReport>,
    /// The port the TLS stages used (443 when 8883 was blocked and 443 answered).
    pub port: u16,
    /// The firmware's event lines, as the board would print them.
    pub events: Vec<String>,
    /// A claim check: its last stage is Subscribe (a claim publishes nothing here).
    pub claim: bool,
}

impl Report {
    /// Whether every stage passed.
    pub fn passed(&self) -> bool {
        let stages = if self.claim {
            Stage::ALL.len() - 1
        } else {
            Stage::ALL.len()
        };
        self.stages.len() == stages && self.stages.iter().all(|s| s.ok)
    }
}

/// The board's platform, on this computer. For the test it records the event lines and
/// stops the session once SUBACK and the first telemetry are through; for the virtual
/// board it hands each line on as it happens and runs until cancelled.
struct Desk<'a> {
    started: Instant,
    cancel: &'a AtomicBool,
    seed: u32,
    /// The test's lines (the virtual board's go to `sink` instead).
    events: Vec<String>,
    /// What the test waits for before it ends the session (none for the virtual board).
    watch: Option<Watch>,
    sink: Option<&'a mut dyn FnMut(&str)>,
}

/// How long the test waits, after the PUBACK, for its telemetry to come back.
const READ_BACK_WAIT: Duration = Duration::from_secs(2);

/// The test's progress through SUBSCRIBE, PUBLISH and the read-back.
#[derive(Default)]
struct Watch {
    telemetry_topic: String,
    command_suback: bool,
    /// The read-back subscription was refused (no message will come).
    echo_refused: bool,
    /// When the PUBACK came, and whether it refused the message.
    puback: Option<(Instant, bool)>,
    echoed: bool,
}

impl Watch {
    fn hear(&mut self, event: &Event<'_>) {
        match event {
            Event::MqttSubscribed { topic, reason } if *topic == self.telemetry_topic => {
                self.echo_refused = *reason >= 0x80;
            }
            Event::MqttSubscribed { .. } => self.command_suback = true,
            Event::MqttPuback { reason, .. } => {
                self.puback = Some((Instant::now(), *reason >= 0x80));
            }
            Event::MqttMessage { topic, .. } if *topic == self.telemetry_topic => {
                self.echoed = true;
            }
            _ => {}
        }
    }

    /// Every step has its answer (or the read-back has had its time).
    fn done(&self) -> bool {
        let Some((at, refused)) = self.puback else {
            return false;
        };
        self.command_suback
            && (self.echoed || self.echo_refused || refused || at.elapsed() >= READ_BACK_WAIT)
    }
}

impl<'a> Desk<'a> {
    fn new(cancel: &'a AtomicBool, sink: Option<&'a mut dyn FnMut(&str)>) -> Self {
        Self {
            started: Instant::now(),
            cancel,
            seed: 0x9E37_79B9,
            events: Vec::new(),
            watch: None,
            sink,
        }
    }
}

impl Platform for Desk<'_> {
    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }
    async fn sleep_ms(&mut self, ms: u64) {
        // In slices, so a stop during a reconnect wait is not held up by it.
        let until = Instant::now() + Duration::from_millis(ms);
        while !self.stop_requested() && Instant::now() < until {
            let left = until.saturating_duration_since(Instant::now());
            tokio::time::sleep(left.min(Duration::from_millis(100))).await;
        }
    }
    fn random_u32(&mut self) -> u32 {
        // Backoff jitter only (xorshift): nothing secret comes from it.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 17;
        self.seed ^= self.seed << 5;
        self.seed
    }
    fn rssi(&self) -> Option<i16> {
        None
    }
    fn heap_free(&self) -> Option<u32> {
        None
    }
    fn emit(&mut self, event: &Event<'_>) -> Flow {
        let line = event.to_string();
        match &mut self.sink {
            Some(sink) => sink(&line),
            None => self.events.push(line),
        }
        if let Some(watch) = &mut self.watch {
            watch.hear(event);
        }
        match self.stop_requested() {
            true => Flow::Stop,
            false => Flow::Continue,
        }
    }
    fn stop_requested(&self) -> bool {
        self.cancel.load(Ordering::Relaxed) || self.watch.as_ref().is_some_and(Watch::done)
    }
}

fn explain(line: &str) -> Option<Explanation> {
    Decoder::new().decode(line).explanation
}

fn ms(since: Instant) -> u32 {
    since.elapsed().as_millis().min(u128::from(u32::MAX)) as u32
}

/// Run the test. `on_stage` hears each stage as it ends (the window shows them one by
/// one); `cancel` stops it at the next step.
pub fn run(
    req: &Request,
    creds: &Credentials,
    cancel: Arc<AtomicBool>,
    on_stage: &mut dyn FnMut(&StageReport),
) -> Report {
    let mut report = Report {
        stages: Vec::new(),
        port: req.port,
        events: Vec::new(),
        claim: req.claim_template.is_some(),
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let s = StageReport {
                stage: Stage::Dns,
                ok: false,
                ms: 0,
                detail: format!("cannot start the network runtime: {e}"),
                explanation: None,
            };
            on_stage(&s);
            report.stages.push(s);
            return report;
        }
    };
    rt.block_on(run_async(req, creds, &cancel, &mut report, on_stage));
    report
}

async fn run_async(
    req: &Request,
    creds: &Credentials,
    cancel: &AtomicBool,
    report: &mut Report,
    on_stage: &mut dyn FnMut(&StageReport),
) {
    let mut push = |report: &mut Report, s: StageReport| {
        on_stage(&s);
        report.stages.push(s);
    };
    // 1. DNS.
    let t = Instant::now();
    let lookup = tokio::net::lookup_host((req.host.as_str(), req.port));
    let addrs: Vec<SocketAddr> = match tokio::time::timeout(req.limit, lookup).await {
        Ok(Ok(a)) => a.collect(),
        Ok(Err(e)) => {
            // As the board reports it, so the monitor's explanation applies.
            let line = Event::DnsFailed {
                host: req.host.as_str().into(),
                detail: e.to_string().into(),
            }
            .to_string();
            let detail = format!("{} does not resolve ({e})", req.host);
            push(report, fail(Stage::Dns, t, detail, explain(&line)));
            return;
        }
        Err(_) => {
            let detail = format!(
                "no DNS answer for {} within {} s",
                req.host,
                req.limit.as_secs()
            );
            push(report, fail(Stage::Dns, t, detail, None));
            return;
        }
    };
    let Some(&first) = addrs.first() else {
        push(
            report,
            fail(Stage::Dns, t, format!("{} has no address", req.host), None),
        );
        return;
    };
    let mut dns = pass(Stage::Dns, t, format!("{} -> {}", req.host, first.ip()));
    dns.explanation = legacy_endpoint(&req.host);
    push(report, dns);
    if cancel.load(Ordering::Relaxed) {
        return;
    }

    // 2. TCP; when 8883 is blocked, 443 with ALPN is what AWS IoT offers instead. The
    // connection made here is the one TLS runs over.
    let t = Instant::now();
    let mut port = req.port;
    let tcp = match tcp(SocketAddr::new(first.ip(), port), req.limit).await {
        Ok(stream) => {
            let detail = format!("{}:{port} accepts connections", first.ip());
            Ok((stream, detail))
        }
        Err(why) if port == 8883 => match tcp(SocketAddr::new(first.ip(), 443), req.limit).await {
            Ok(stream) => {
                port = 443;
                let detail =
                    format!("8883 {why}; 443 answers: continuing on 443 with ALPN x-amzn-mqtt-ca");
                Ok((stream, detail))
            }
            Err(_) => Err(why),
        },
        Err(why) => Err(why),
    };
    let stream = match tcp {
        Ok((stream, detail)) => {
            push(report, pass(Stage::Tcp, t, detail));
            stream
        }
        Err(why) => {
            let e = Explanation::new(
                format!("port {} {why}", req.port),
                "a firewall or the network blocks it, or nothing listens there",
                "open outgoing TCP 8883 on this network, or use port 443 (AWS IoT accepts MQTT there with ALPN x-amzn-mqtt-ca)",
            );
            let detail = format!("{}:{} {why}", first.ip(), req.port);
            push(report, fail(Stage::Tcp, t, detail, Some(e)));
            return;
        }
    };
    report.port = port;
    if cancel.load(Ordering::Relaxed) {
        return;
    }

    // 3. TLS and 4-6. MQTT, with the firmware's own code reporting the firmware's events.
    let dc = DeviceCredentials {
        ca_certs: creds.root_ca_ders.iter().map(Vec::as_slice).collect(),
        device_cert: &creds.cert_der,
        private_key: &creds.key_pkcs8_der,
        config: DeviceConfig::default(),
    };
    let mut desk = Desk::new(cancel, None);
    let t = Instant::now();
    let alpn = req.alpn.unwrap_or(port == 443);
    let tls = match DesktopTls::with_alpn(&dc, &req.host, port, alpn) {
        Ok(tls) => tls,
        Err(f) => {
            let why = tls_explanation(&f, port);
            push(report, fail(Stage::Tls, t, f.detail, why));
            return;
        }
    };
    let addr = SocketAddr::new(first.ip(), port);
    let transport = match tls.transport(stream, req.limit, &mut desk).await {
        Ok(tr) => {
            let detail = "server verified, client certificate sent".to_string();
            push(report, pass(Stage::Tls, t, detail));
            tr
        }
        Err(f) => {
            // The tls.failed line the board would print, for the monitor's explanation.
            let line = desk.events.last().cloned().unwrap_or_default();
            report.events.append(&mut desk.events);
            // The name and port the certificate was checked against: what a name mismatch
            // or a wrong endpoint comes down to.
            let detail = format!("{} (server {}:{port})", f.detail, req.host);
            let why = tls_explanation(&f, port).or_else(|| explain(&line));
            push(report, fail(Stage::Tls, t, detail, why));
            return;
        }
    };
    report.events.append(&mut desk.events);
    if let Some(template) = &req.claim_template {
        let settings = thingflash_connection::claim::ClaimSettings {
            client_id: req.client_id.clone(),
            template: template.clone(),
            parameters: Vec::new(),
            keepalive_s: 60,
        };
        let t = Instant::now();
        let end = tokio::time::timeout(
            req.limit * 2,
            thingflash_connection::claim::check(transport, &settings, &mut desk),
        )
        .await;
        report.events.extend(desk.events.iter().cloned());
        claim_stages(report, &mut push, &desk.events, end.is_ok(), t, template);
        return;
    }
    let config = DeviceConfig {
        client_id: req.client_id.clone(),
        topic_prefix: req.topic_prefix.clone(),
        host: req.host.clone(),
        port,
        ..DeviceConfig::default()
    };
    let mut settings = Settings::new(&config, env!("CARGO_PKG_VERSION"));
    // Read the telemetry back when the policy lets the thing subscribe to it.
    settings.echo = true;
    desk.watch = Some(Watch {
        telemetry_topic: settings.telemetry_topic.clone(),
        ..Watch::default()
    });
    let t = Instant::now();
    let limit = req.limit * 2 + READ_BACK_WAIT;
    let end = tokio::time::timeout(limit, mqtt::session(transport, &settings, &mut desk)).await;
    report.events.extend(desk.events.iter().cloned());
    // Closed before CONNACK: in TLS 1.3 that is also how a refused device certificate
    // looks. A TLS 1.2 handshake hears the refusal as an alert that names it.
    let refused = match end {
        Ok(End::Closed {
            before_connack: true,
            ..
        }) => certificate_refusal(&dc, req, addr, alpn).await,
        _ => None,
    };
    mqtt_stages(
        report,
        &mut push,
        &desk.events,
        end.ok(),
        t,
        &settings,
        refused,
    );
}

/// What a TLS failure of a kind the board's decoder does not know means, and what to do;
/// `None` for a handshake verdict, which the monitor's explanation of the board's
/// `tls.failed` line covers.
fn tls_explanation(f: &TlsFailure, port: u16) -> Option<Explanation> {
    Some(match f.kind {
        FailureKind::Handshake | FailureKind::Setup => return None,
        FailureKind::NotTls => Explanation::new(
            format!("port {port} does not speak TLS"),
            "the server closed the connection at the TLS hello without answering it: a plain MQTT listener (1883 on most brokers) does this",
            "use the broker's TLS port: 8883 on AWS IoT (or 443 with ALPN x-amzn-mqtt-ca); on your own mosquitto, a listener with cafile, certfile and keyfile",
        ),
        FailureKind::DeviceCertVersion1 => Explanation::new(
            "the device certificate is X.509 version 1",
            "it was made without extensions (`openssl x509 -req` without -extfile); the connection test presents only version 3 certificates, which AWS IoT issues",
            crate::credentials::V1_FIX,
        ),
        FailureKind::DeviceCertOrKey => Explanation::new(
            "the device certificate and key cannot be used",
            f.detail.clone(),
            "drop the certificate and the private key AWS IoT gave together for this thing (the step 1 findings say which file is wrong)",
        ),
    })
}

/// A TLS 1.2 handshake with the same certificate: the server's alert when it refuses it.
async fn certificate_refusal(
    dc: &DeviceCredentials<'_>,
    req: &Request,
    addr: SocketAddr,
    alpn: bool,
) -> Option<Explanation> {
    let tls = DesktopTls::tls12_only(dc, &req.host, addr.port(), alpn).ok()?;
    // The server sends its alert and closes; a client still writing its last handshake
    // flight can meet the close first (a reset discards the alert unread). A few tries
    // hear the alert.
    let mut heard = None;
    for _ in 0..3 {
        let tcp = tokio::time::timeout(req.limit, tokio::net::TcpStream::connect(addr))
            .await
            .ok()?
            .ok()?;
        let never = AtomicBool::new(false);
        let mut quiet = Desk::new(&never, None);
        let e = tls.handshake(tcp, req.limit, &mut quiet).await.err()?;
        if e.alert.is_some() {
            heard = e.alert;
            break;
        }
    }
    let alert = heard?;
    let alert = alert.as_str();
    let (cause, fix) = match alert {
        "certificate_expired" => (
            "the device certificate has expired (or is not yet valid) by the server's clock",
            "make a new certificate for the thing (thingflash's \"Create a thing in AWS\") and flash it",
        ),
        "certificate_revoked" => (
            "the device certificate was revoked",
            "make a new certificate for the thing and attach the policy to it",
        ),
        _ => (
            "the server does not accept the device certificate: on AWS IoT it is not registered in this account and region, it is INACTIVE, or its CA is not registered",
            "in the AWS IoT console (the endpoint's region): Security > Certificates, find it, make it ACTIVE and attach it to the thing and the policy; or register it",
        ),
    };
    Some(Explanation::new(
        format!("the server refused the device certificate ({alert})"),
        format!("{cause}; a TLS 1.2 handshake heard the refusal as the alert {alert}"),
        fix,
    ))
}

/// The MQTT stages, read from the session's own events.
/// The claim check's stages: CONNECT with the claim certificate, then SUBSCRIBE to the
/// four provisioning answers, from the events the firmware's own claim code reported.
fn claim_stages(
    report: &mut Report,
    push: &mut impl FnMut(&mut Report, StageReport),
    lines: &[String],
    in_time: bool,
    t: Instant,
    template: &str,
) {
    let events: Vec<(Event<'_>, &String)> = lines
        .iter()
        .filter_map(|l| Event::parse(l).ok().map(|e| (e, l)))
        .collect();
    // The decoder reads the lines after `claim.start`, so a close reads as a claim's.
    let mut decoder = Decoder::new();
    let mut why = None;
    for (_, line) in &events {
        let d = decoder.decode(line);
        if d.level == crate::monitor::Level::Error {
            why = d.explanation.or(why);
        }
    }
    let connack = events.iter().find_map(|(e, _)| match e {
        Event::MqttConnack { reason, ms, .. } => Some((*reason, *ms)),
        _ => None,
    });
    match connack {
        Some((0, ms)) => push(
            report,
            StageReport {
                stage: Stage::Connect,
                ok: true,
                ms,
                detail: "CONNACK 0x00 with the claim certificate".into(),
                explanation: None,
            },
        ),
        Some((reason, _)) => {
            let detail = format!("CONNACK {reason:#04x} with the claim certificate");
            push(report, fail(Stage::Connect, t, detail, why));
            return;
        }
        None => {
            let detail = if in_time {
                "the server closed the connection before CONNACK"
            } else {
                "no CONNACK in time"
            };
            push(report, fail(Stage::Connect, t, detail.into(), why));
            return;
        }
    }
    let granted = events
        .iter()
        .filter(|(e, _)| matches!(e, Event::MqttSubscribed { reason: 0..=2, .. }))
        .count();
    if granted == 4 {
        push(
            report,
            pass(
                Stage::Subscribe,
                t,
                format!(
                    "the four answer topics of create-from-csr and template {template} granted; nothing was provisioned"
                ),
            ),
        );
    } else {
        let detail = format!("{granted} of the four provisioning answer topics granted");
        let why = why.or_else(|| {
            Some(Explanation::new(
                "the claim policy does not allow the provisioning answers",
                "AWS answers a board's requests only on topics its connection subscribed to",
                "let the claim policy allow iot:Subscribe on topicfilter/$aws/certificates/create-from-csr/* and $aws/provisioning-templates/<template>/provision/* (thingflash fleet setup-aws writes it so)",
            ))
        });
        push(report, fail(Stage::Subscribe, t, detail, why));
    }
}

fn mqtt_stages(
    report: &mut Report,
    push: &mut impl FnMut(&mut Report, StageReport),
    lines: &[String],
    end: Option<End>,
    t: Instant,
    s: &Settings,
    refused: Option<Explanation>,
) {
    let events: Vec<(Event<'_>, &String)> = lines
        .iter()
        .filter_map(|l| Event::parse(l).ok().map(|e| (e, l)))
        .collect();
    let find = |name: &str| events.iter().find(|(e, _)| e.name() == name);
    match find("mqtt.connack") {
        Some((Event::MqttConnack { reason: 0, ms, .. }, _)) => push(
            report,
            StageReport {
                stage: Stage::Connect,
                ok: true,
                ms: *ms,
                detail: format!("CONNACK 0x00 for client id {}", s.client_id),
                explanation: None,
            },
        ),
        Some((Event::MqttConnack { reason, .. }, line)) => {
            let detail = format!("CONNACK {reason:#04x} for client id {}", s.client_id);
            push(report, fail(Stage::Connect, t, detail, explain(line)));
            return;
        }
        _ => {
            let (detail, expl) = match find("mqtt.closed") {
                Some((_, line)) => (
                    "the server closed the connection before CONNACK".to_string(),
                    explain(line),
                ),
                None => (
                    match end {
                        None => "no CONNACK in time".to_string(),
                        Some(_) => "no CONNACK".to_string(),
                    },
                    None,
                ),
            };
            push(
                report,
                fail(
                    Stage::Connect,
                    t,
                    detail,
                    refused.or(expl).or_else(|| policy(s, "iot:Connect")),
                ),
            );
            return;
        }
    }
    let closed_after = find("mqtt.closed").map(|(_, l)| l.as_str());
    let suback = |of: &str| {
        events
            .iter()
            .find(|(e, _)| matches!(e, Event::MqttSubscribed { topic, .. } if *topic == of))
    };
    match suback(&s.command_topic) {
        Some((Event::MqttSubscribed { reason, topic }, _)) if *reason < 0x80 => {
            push(
                report,
                pass(
                    Stage::Subscribe,
                    t,
                    format!("SUBACK {reason:#04x} for {topic}"),
                ),
            );
        }
        Some((Event::MqttSubscribed { reason, topic }, line)) => {
            let detail = format!("SUBACK {reason:#04x} for {topic}");
            push(
                report,
                fail(
                    Stage::Subscribe,
                    t,
                    detail,
                    refused_by_policy(s, "iot:Subscribe", line),
                ),
            );
            return;
        }
        _ => {
            let detail = match closed_after {
                Some(_) => format!(
                    "the server closed the connection after SUBSCRIBE to {}",
                    s.command_topic
                ),
                None => format!("no SUBACK for {}", s.command_topic),
            };
            push(
                report,
                fail(Stage::Subscribe, t, detail, policy(s, "iot:Subscribe")),
            );
            return;
        }
    }
    let bytes = events.iter().find_map(|(e, _)| match e {
        Event::MqttPublished { topic, bytes } if *topic == s.telemetry_topic => Some(*bytes),
        _ => None,
    });
    match find("mqtt.puback") {
        Some((Event::MqttPuback { reason, topic }, _)) if *reason < 0x80 => {
            let sent = bytes.map(|b| format!("{b} B, ")).unwrap_or_default();
            // 0x10 is a success: the broker took it and had no one to give it to.
            let nobody = match reason {
                0x10 => ", accepted, nobody subscribed",
                _ => "",
            };
            let detail = format!(
                "PUBACK {reason:#04x} for {topic} ({sent}QoS 1{nobody}); {}",
                read_back(&events, s)
            );
            push(report, pass(Stage::Publish, t, detail));
        }
        Some((Event::MqttPuback { reason, topic }, line)) => {
            let detail = format!("PUBACK {reason:#04x} for {topic}");
            push(
                report,
                fail(
                    Stage::Publish,
                    t,
                    detail,
                    refused_by_policy(s, "iot:Publish", line),
                ),
            );
        }
        _ => {
            let detail = match (closed_after, bytes) {
                (_, None) => format!("no PUBLISH to {} was sent", s.telemetry_topic),
                (Some(_), Some(_)) => format!(
                    "the server closed the connection after PUBLISH to {}",
                    s.telemetry_topic
                ),
                (None, Some(_)) => format!("no PUBACK for {} in time", s.telemetry_topic),
            };
            push(
                report,
                fail(Stage::Publish, t, detail, policy(s, "iot:Publish")),
            );
        }
    }
}

/// Whether the telemetry came back on the read-back subscription, in a few words.
fn read_back(events: &[(Event<'_>, &String)], s: &Settings) -> String {
    let topic = s.telemetry_topic.as_str();
    let echoed = events
        .iter()
        .any(|(e, _)| matches!(e, Event::MqttMessage { topic: t, .. } if *t == topic));
    let echo_suback = events.iter().find_map(|(e, _)| match e {
        Event::MqttSubscribed { topic: t, reason } if *t == topic => Some(*reason),
        _ => None,
    });
    match (echoed, echo_suback) {
        (true, _) => "the message came back on a subscription to it".into(),
        (false, Some(r)) if r >= 0x80 => format!(
            "not read back: the policy does not allow subscribing to it (SUBACK {r:#04x}; a board does not need to)"
        ),
        (false, _) => format!(
            "not read back within {} s (a policy may allow iot:Subscribe but not iot:Receive on it; a board does not need either)",
            READ_BACK_WAIT.as_secs()
        ),
    }
}

/// The endpoint check's findings the DNS stage reports (so a shell need not print them
/// again).
pub const ENDPOINT_WARNINGS: [crate::credentials::Code; 2] = [
    crate::credentials::Code::EndpointNotAts,
    crate::credentials::Code::EndpointNotIot,
];

/// The endpoint check's warning for a legacy (non-ATS) or non-IoT AWS host: it resolves,
/// but its server certificate does not chain to the Amazon roots a board is given.
pub fn legacy_endpoint(host: &str) -> Option<Explanation> {
    crate::credentials::endpoint::check_endpoint(host)
        .findings
        .into_iter()
        .find(|f| ENDPOINT_WARNINGS.contains(&f.code))
        .map(|f| {
            Explanation::new(
                f.message,
                "it resolves, but only the ATS data endpoint presents a certificate from the Amazon Root CA a board trusts; TLS will fail with \"not signed by a trusted root CA\"",
                f.fix,
            )
        })
}

/// The resource a policy statement for `action` names, as the provisioning flow writes it.
fn resource(s: &Settings, action: &str) -> String {
    match action {
        "iot:Connect" => format!("client/{}", s.client_id),
        "iot:Subscribe" => format!("topicfilter/{}", s.command_topic),
        _ => format!("topic/{}", s.telemetry_topic),
    }
}

/// What to do: the statement the provisioning flow would create for `action`.
fn statement_fix(s: &Settings, action: &str) -> String {
    format!(
        "attach a policy with {{\"Effect\": \"Allow\", \"Action\": \"{action}\", \"Resource\": \"arn:aws:iot:<region>:<account>:{}\"}} (thingflash's \"Create a thing in AWS\" makes one), and check that the certificate is ACTIVE",
        resource(s, action)
    )
}

/// What AWS IoT does when a policy does not allow `action`, with the statement the
/// provisioning flow would create.
fn policy(s: &Settings, action: &str) -> Option<Explanation> {
    Some(Explanation::new(
        format!("the policy does not allow {action}"),
        format!(
            "AWS IoT closes the connection without a reason when the certificate's policy does not allow {action} on {} (or the certificate is inactive, or not attached to the thing)",
            resource(s, action)
        ),
        statement_fix(s, action),
    ))
}

/// A refusal with a reason code (SUBACK 0x87): the monitor's meaning of the code, and
/// for the fix the one statement this step needs rather than the monitor's general advice.
fn refused_by_policy(s: &Settings, action: &str, line: &str) -> Option<Explanation> {
    match explain(line) {
        Some(mut e) => {
            e.fix = statement_fix(s, action).into();
            Some(e)
        }
        None => policy(s, action),
    }
}

async fn tcp(addr: SocketAddr, limit: Duration) -> Result<tokio::net::TcpStream, String> {
    match tokio::time::timeout(limit, tokio::net::TcpStream::connect(addr)).await {
        Ok(Ok(stream)) => Ok(stream),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            Err("refuses connections".into())
        }
        Ok(Err(e)) => Err(format!("cannot be reached ({e})")),
        Err(_) => Err(format!("does not answer within {} s", limit.as_secs())),
    }
}

fn pass(stage: Stage, t: Instant, detail: String) -> StageReport {
    StageReport {
        stage,
        ok: true,
        ms: ms(t),
        detail,
        explanation: None,
    }
}

fn fail(stage: Stage, t: Instant, detail: String, explanation: Option<Explanation>) -> StageReport {
    StageReport {
        stage,
        ok: false,
        ms: ms(t),
        detail,
        explanation,
    }
}

/// The virtual board of `connect --stay`: the firmware's own reconnect loop and session
/// (telemetry every `telemetry_s`, answers to `ping` and `status` on the command topic),
/// run from this computer until `cancel` is set, then a clean DISCONNECT. Each event line
/// goes to `on_event` as the board would print it. The stop takes effect within a tenth
/// of a second (the platform's sleeps are sliced), also during a reconnect wait.
pub fn stay(
    req: &Request,
    creds: &Credentials,
    telemetry_s: u32,
    cancel: Arc<AtomicBool>,
    on_event: &mut dyn FnMut(&str),
) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the network runtime: {e}"))?;
    rt.block_on(async {
        let lookup = tokio::net::lookup_host((req.host.as_str(), req.port));
        let addr = tokio::time::timeout(req.limit, lookup)
            .await
            .map_err(|_| {
                format!(
                    "no DNS answer for {} within {} s",
                    req.host,
                    req.limit.as_secs()
                )
            })?
            .map_err(|e| format!("{} does not resolve ({e})", req.host))?
            .next()
            .ok_or_else(|| format!("{} has no address", req.host))?;
        let dc = DeviceCredentials {
            ca_certs: creds.root_ca_ders.iter().map(Vec::as_slice).collect(),
            device_cert: &creds.cert_der,
            private_key: &creds.key_pkcs8_der,
            config: DeviceConfig::default(),
        };
        let alpn = req.alpn.unwrap_or(req.port == 443);
        let tls = DesktopTls::with_alpn(&dc, &req.host, req.port, alpn).map_err(|f| f.detail)?;
        let mut connector = DesktopConnector {
            addr,
            tls: &tls,
            limit: req.limit,
        };
        let config = DeviceConfig {
            client_id: req.client_id.clone(),
            topic_prefix: req.topic_prefix.clone(),
            host: req.host.clone(),
            port: req.port,
            telemetry_interval_s: telemetry_s.max(1),
            keepalive_s: 60,
            ..DeviceConfig::default()
        };
        let settings = Settings::new(&config, env!("CARGO_PKG_VERSION"));
        let mut board = Desk::new(&cancel, Some(on_event));
        let mut backoff = thingflash_connection::backoff::Backoff::firmware();
        mqtt::run(&mut connector, &settings, &mut backoff, &mut board).await;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::legacy_endpoint;

    #[test]
    fn an_ats_endpoint_and_a_custom_broker_get_no_endpoint_warning() {
        assert!(legacy_endpoint("a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com").is_none());
        assert!(legacy_endpoint("a1b2c3-ats.iot.cn-north-1.amazonaws.com.cn").is_none());
        assert!(legacy_endpoint("mqtt.example.org").is_none());
        assert!(legacy_endpoint("localhost").is_none());
    }

    #[test]
    fn a_legacy_endpoint_is_flagged_with_the_ats_way_to_find_the_right_one() {
        let e = legacy_endpoint("a1b2c3d4e5f6g7.iot.eu-west-1.amazonaws.com").unwrap();
        assert!(e.title.contains("legacy"), "{e:?}");
        assert!(e.fix.contains("iot:Data-ATS"), "{e:?}");
    }

    #[test]
    fn an_aws_host_that_is_no_iot_endpoint_is_flagged() {
        let e = legacy_endpoint("s3.eu-west-1.amazonaws.com").unwrap();
        assert!(e.title.contains("not an AWS IoT data endpoint"), "{e:?}");
    }
}
