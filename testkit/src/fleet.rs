//! A strict fake of AWS IoT's fleet-provisioning MQTT API, beside mosquitto: no local
//! emulator has these topics (moto has no MQTT; LocalStack's is paid and marks them
//! unimplemented). Written from AWS's documentation (fleet-provision-api.html,
//! provision-wo-cert.html) and what it does not say kept apart:
//!
//! - it terminates mutual TLS as AWS does (the test CA's server certificate for
//!   `localhost`, a client certificate required); a revoked certificate, one the fake
//!   issued that is not active yet, or one whose policy does not allow `iot:Connect`, is
//!   closed before CONNACK (AWS's way);
//! - a connection with the claim certificate may only subscribe to the answer topics and
//!   publish the two requests; anything else ends the connection (the claim policy);
//! - `create-from-csr`: the request verified (`openssl req -verify`), its own key signed by
//!   the test CA, the certificate PENDING_ACTIVATION with an ownership token of limited
//!   lifetime (1 h at AWS, settable here);
//! - `provision`: the token must be known and unexpired (else 400
//!   `InvalidCertificateOwnershipToken`, AWS's documented body), the template must exist
//!   (404) and be enabled, the template's parameters given, a pre-provisioning hook's
//!   allow-list pass (403 `AccessDenied`, as a hook's refusal is); then the thing is made
//!   and the certificate ACTIVE;
//! - answers go only to the connection that asked, and only on a topic it subscribed to
//!   (AWS drops an answer nobody subscribed to), in the documented shapes
//!   (`{statusCode, errorCode, errorMessage}` when rejected).
//!
//! Not documented by AWS, chosen here: the error code of a disabled template (400
//! `InvalidRequest`), of a missing parameter (400 `InvalidParameters`) and of an invalid
//! request (400 `InvalidCsr`). Every other packet is mosquitto's (plain TCP behind).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::Pki;

/// A template as the fake knows it: `ThingName` is the prefix and the `Mac` parameter.
#[derive(Clone, Debug)]
pub struct Template {
    /// Provisioning is refused while false (AWS leaves a template disabled unless it is
    /// created with `enabled: true`).
    pub enabled: bool,
    /// The thing name's prefix (`shelf-` + the board's `Mac`).
    pub thing_prefix: String,
}

/// A certificate the fake issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Made by `create-from-csr`, not provisioned yet.
    PendingActivation,
    /// Provisioned.
    Active,
}

#[derive(Default)]
struct State {
    templates: HashMap<String, Template>,
    claims: HashSet<Vec<u8>>,
    revoked: HashSet<Vec<u8>>,
    no_connect: HashSet<Vec<u8>>,
    issued: HashMap<Vec<u8>, (String, Status)>,
    tokens: HashMap<String, (Vec<u8>, Instant)>,
    things: Vec<(String, String)>,
    allow: Option<Vec<String>>,
    token_lifetime: Option<Duration>,
    serial: u64,
    log: Vec<String>,
}

/// The fake, on a port of 127.0.0.1, in front of a plain mosquitto.
pub struct FleetFake {
    /// Its TLS port.
    pub port: u16,
    state: Arc<Mutex<State>>,
}

fn lock(s: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

impl FleetFake {
    /// Start in front of mosquitto's plain listener `upstream`, with `pki`'s `server`
    /// certificate and its CA.
    pub fn start(pki: &Pki, upstream: u16) -> Self {
        use rustls::pki_types::pem::PemObject as _;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_file(pki.path("ca.pem")).unwrap())
            .unwrap();
        let verifier = rustls::server::WebPkiClientVerifier::builder(Arc::new(roots))
            .build()
            .unwrap();
        let chain = vec![CertificateDer::from_pem_file(pki.path("server.pem")).unwrap()];
        let key = PrivateKeyDer::from_pem_file(pki.path("server.key")).unwrap();
        let config = rustls::ServerConfig::builder()
            .with_client_cert_verifier(verifier)
            .with_single_cert(chain, key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let signer = pki.dir().to_path_buf();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((tcp, _)) = listener.accept().await else {
                        continue;
                    };
                    let (acceptor, state, signer) =
                        (acceptor.clone(), shared.clone(), signer.clone());
                    tokio::spawn(async move {
                        let _ = connection(tcp, acceptor, state, upstream, &signer).await;
                    });
                }
            });
        });
        Self { port, state }
    }

    /// The usual scene: an enabled template `template` naming things `<prefix><Mac>`, and
    /// the PKI's P-256 device certificate (`p256.pem`, `p256.key`) as the batch's claim.
    pub fn with_claim(pki: &Pki, upstream: u16, template: &str, prefix: &str) -> Self {
        let fake = Self::start(pki, upstream);
        fake.template(
            template,
            Template {
                enabled: true,
                thing_prefix: prefix.to_string(),
            },
        );
        fake.claim(pki.der("p256.der"));
        fake
    }

    /// Add a template.
    pub fn template(&self, name: &str, template: Template) {
        lock(&self.state)
            .templates
            .insert(name.to_string(), template);
    }

    /// The batch's claim certificate (DER): its connections get the claim policy.
    pub fn claim(&self, der: Vec<u8>) {
        lock(&self.state).claims.insert(der);
    }

    /// Revoke a certificate (DER), as `UpdateCertificate REVOKED` does.
    pub fn revoke(&self, der: Vec<u8>) {
        lock(&self.state).revoked.insert(der);
    }

    /// A certificate (DER) whose policy does not allow `iot:Connect` for its client id:
    /// AWS closes the connection before CONNACK.
    pub fn deny_connect(&self, der: Vec<u8>) {
        lock(&self.state).no_connect.insert(der);
    }

    /// A pre-provisioning hook that allows only these `Mac` parameters.
    pub fn allow_only(&self, macs: &[&str]) {
        lock(&self.state).allow = Some(macs.iter().map(|m| m.to_string()).collect());
    }

    /// Ownership tokens expire this long after they were given (AWS: 1 h).
    pub fn token_lifetime(&self, d: Duration) {
        lock(&self.state).token_lifetime = Some(d);
    }

    /// The things provisioned: (name, certificate id).
    pub fn things(&self) -> Vec<(String, String)> {
        lock(&self.state).things.clone()
    }

    /// Every request and answer, in order (`topic -> answer topic`), for a test's message.
    pub fn log(&self) -> Vec<String> {
        lock(&self.state).log.clone()
    }
}

/// One MQTT control packet: the first byte and the rest.
struct Packet {
    first: u8,
    body: Vec<u8>,
}

async fn read_packet<R: AsyncReadExt + Unpin>(r: &mut R) -> Option<Packet> {
    let first = r.read_u8().await.ok()?;
    let mut len = 0usize;
    for shift in 0..4 {
        let b = r.read_u8().await.ok()?;
        len |= usize::from(b & 0x7F) << (7 * shift);
        if b & 0x80 == 0 {
            let mut body = vec![0; len];
            r.read_exact(&mut body).await.ok()?;
            return Some(Packet { first, body });
        }
    }
    None
}

fn encode(first: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![first];
    let mut n = body.len();
    loop {
        let mut b = (n & 0x7F) as u8;
        n >>= 7;
        if n > 0 {
            b |= 0x80;
        }
        out.push(b);
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(body);
    out
}

fn take_str(b: &[u8], at: &mut usize) -> Option<String> {
    let n = usize::from(u16::from_be_bytes([*b.get(*at)?, *b.get(*at + 1)?]));
    let s = std::str::from_utf8(b.get(*at + 2..*at + 2 + n)?).ok()?;
    *at += 2 + n;
    Some(s.to_string())
}

fn take_varint(b: &[u8], at: &mut usize) -> Option<usize> {
    let mut n = 0;
    for shift in 0..4 {
        let x = *b.get(*at)?;
        *at += 1;
        n |= usize::from(x & 0x7F) << (7 * shift);
        if x & 0x80 == 0 {
            return Some(n);
        }
    }
    None
}

/// An MQTT 5 PUBLISH at QoS 0.
fn publish(topic: &str, payload: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&(topic.len() as u16).to_be_bytes());
    body.extend_from_slice(topic.as_bytes());
    body.push(0); // no properties
    body.extend_from_slice(payload);
    encode(0x30, &body)
}

fn rejected(status: u16, code: &str, message: &str) -> serde_json::Value {
    serde_json::json!({ "statusCode": status, "errorCode": code, "errorMessage": message })
}

/// Whether `filter` is one of the answer topics the claim policy allows.
fn claim_filter(filter: &str) -> bool {
    let answer = |rest: &str| rest == "accepted" || rest == "rejected";
    if let Some(rest) = filter.strip_prefix("$aws/certificates/create-from-csr/json/") {
        return answer(rest);
    }
    filter
        .strip_prefix("$aws/provisioning-templates/")
        .and_then(|t| t.split_once("/provision/json/"))
        .is_some_and(|(_, rest)| answer(rest))
}

async fn connection(
    tcp: TcpStream,
    acceptor: tokio_rustls::TlsAcceptor,
    state: Arc<Mutex<State>>,
    upstream: u16,
    signer: &Path,
) -> Option<()> {
    let tls = acceptor.accept(tcp).await.ok()?;
    let peer = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| c.to_vec())?;
    let is_claim = {
        let s = lock(&state);
        if s.revoked.contains(&peer) || s.no_connect.contains(&peer) {
            return None;
        }
        if matches!(s.issued.get(&peer), Some((_, Status::PendingActivation))) {
            return None;
        }
        s.claims.contains(&peer)
    };
    let up = TcpStream::connect(("127.0.0.1", upstream)).await.ok()?;
    let (mut from_client, to_client) = tokio::io::split(tls);
    let (mut from_up, mut to_up) = up.into_split();
    let to_client = Arc::new(tokio::sync::Mutex::new(to_client));
    let down = to_client.clone();
    let relay = tokio::spawn(async move {
        let mut buf = vec![0; 4096];
        loop {
            match from_up.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if down.lock().await.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = down.lock().await.shutdown().await;
    });
    let mut subscribed: HashSet<String> = HashSet::new();
    while let Some(p) = read_packet(&mut from_client).await {
        let kind = p.first >> 4;
        if !is_claim {
            to_up.write_all(&encode(p.first, &p.body)).await.ok()?;
            continue;
        }
        match kind {
            // SUBSCRIBE: the answer topics only, granted here.
            8 => {
                let mut at = 2;
                let props = take_varint(&p.body, &mut at)?;
                at += props;
                let mut granted = Vec::new();
                while at < p.body.len() {
                    let filter = take_str(&p.body, &mut at)?;
                    at += 1; // options
                    if !claim_filter(&filter) {
                        lock(&state).log.push(format!(
                            "claim policy: SUBSCRIBE {filter} refused, connection closed"
                        ));
                        relay.abort();
                        return None;
                    }
                    subscribed.insert(filter);
                    granted.push(0u8);
                }
                let mut body = p.body[..2].to_vec();
                body.push(0);
                body.extend_from_slice(&granted);
                to_client
                    .lock()
                    .await
                    .write_all(&encode(0x90, &body))
                    .await
                    .ok()?;
            }
            // PUBLISH: the two requests only, answered here.
            3 => {
                let qos = (p.first >> 1) & 3;
                let mut at = 0;
                let topic = take_str(&p.body, &mut at)?;
                if qos > 0 {
                    let pid = p.body.get(at..at + 2)?.to_vec();
                    at += 2;
                    to_client
                        .lock()
                        .await
                        .write_all(&encode(0x40, &pid))
                        .await
                        .ok()?;
                }
                let props = take_varint(&p.body, &mut at)?;
                at += props;
                let payload = p.body.get(at..)?.to_vec();
                let Some((answer_topic, answer)) = answer(&state, &topic, &payload, signer) else {
                    lock(&state).log.push(format!(
                        "claim policy: PUBLISH {topic} refused, connection closed"
                    ));
                    relay.abort();
                    return None;
                };
                lock(&state).log.push(format!("{topic} -> {answer_topic}"));
                // Only to this connection, and only if it subscribed first.
                if subscribed.contains(&answer_topic) {
                    let packet = publish(&answer_topic, answer.to_string().as_bytes());
                    to_client.lock().await.write_all(&packet).await.ok()?;
                }
            }
            // CONNECT, PINGREQ, DISCONNECT: mosquitto's.
            1 | 12 | 14 => to_up.write_all(&encode(p.first, &p.body)).await.ok()?,
            _ => {
                relay.abort();
                return None;
            }
        }
    }
    relay.abort();
    Some(())
}

/// The answer to a request on `topic`, or `None` when the claim policy refuses the topic.
fn answer(
    state: &Mutex<State>,
    topic: &str,
    payload: &[u8],
    signer: &Path,
) -> Option<(String, serde_json::Value)> {
    let request: serde_json::Value = serde_json::from_slice(payload).unwrap_or_default();
    if topic == "$aws/certificates/create-from-csr/json" {
        let ok = format!("{topic}/accepted");
        let no = format!("{topic}/rejected");
        let csr = request["certificateSigningRequest"].as_str().unwrap_or("");
        let mut s = lock(state);
        s.serial += 1;
        let n = s.serial;
        drop(s);
        let Some(der) = sign(signer, csr, n) else {
            return Some((
                no,
                rejected(
                    400,
                    "InvalidCsr",
                    "The certificate signing request is not valid.",
                ),
            ));
        };
        let id = format!("{:064x}", u128::from(n) * 0x9E37_79B9_7F4A_7C15);
        let token = format!(
            "token-{n}-{:x}",
            Instant::now().elapsed().as_nanos() ^ 0x5DEE_CE66
        );
        let pem = pem(&der);
        let mut s = lock(state);
        let lifetime = s.token_lifetime.unwrap_or(Duration::from_secs(3600));
        s.issued
            .insert(der.clone(), (id.clone(), Status::PendingActivation));
        s.tokens
            .insert(token.clone(), (der, Instant::now() + lifetime));
        return Some((
            ok,
            serde_json::json!({
                "certificateId": id,
                "certificatePem": pem,
                "certificateOwnershipToken": token,
            }),
        ));
    }
    let template = topic
        .strip_prefix("$aws/provisioning-templates/")?
        .strip_suffix("/provision/json")?
        .to_string();
    let ok = format!("{topic}/accepted");
    let no = format!("{topic}/rejected");
    let mut s = lock(state);
    let token = request["certificateOwnershipToken"].as_str().unwrap_or("");
    if token.is_empty() {
        return Some((
            no,
            rejected(
                400,
                "InvalidCertificateOwnershipToken",
                "Certificate ownership token cannot be empty.",
            ),
        ));
    }
    let Some((der, expires)) = s.tokens.get(token).cloned() else {
        return Some((
            no,
            rejected(
                400,
                "InvalidCertificateOwnershipToken",
                "Certificate ownership token is invalid.",
            ),
        ));
    };
    if Instant::now() > expires {
        s.tokens.remove(token);
        // AWS deletes a certificate not activated within the token's hour.
        s.issued.remove(&der);
        return Some((
            no,
            rejected(
                400,
                "InvalidCertificateOwnershipToken",
                "Certificate ownership token has expired.",
            ),
        ));
    }
    let Some(t) = s.templates.get(&template).cloned() else {
        return Some((
            no,
            rejected(
                404,
                "ResourceNotFound",
                &format!("Template {template} not found."),
            ),
        ));
    };
    if !t.enabled {
        return Some((
            no,
            rejected(
                400,
                "InvalidRequest",
                &format!("Template {template} is disabled."),
            ),
        ));
    }
    let Some(mac) = request["parameters"]["Mac"].as_str().map(str::to_string) else {
        return Some((
            no,
            rejected(
                400,
                "InvalidParameters",
                "Parameter Mac is required by the template.",
            ),
        ));
    };
    if s.allow.as_ref().is_some_and(|a| !a.contains(&mac)) {
        return Some((
            no,
            rejected(
                403,
                "AccessDenied",
                "The pre provisioning hook denied the request.",
            ),
        ));
    }
    let thing = format!("{}{mac}", t.thing_prefix);
    let id = s
        .issued
        .get(&der)
        .map(|(id, _)| id.clone())
        .unwrap_or_default();
    s.issued.insert(der, (id.clone(), Status::Active));
    s.tokens.remove(token);
    s.things.push((thing.clone(), id));
    Some((
        ok,
        serde_json::json!({ "thingName": thing, "deviceConfiguration": {} }),
    ))
}

/// Verify and sign a PEM request with the test CA; its DER, or `None` when AWS would
/// refuse it.
fn sign(dir: &Path, csr_pem: &str, n: u64) -> Option<Vec<u8>> {
    let name = format!("claim-{n}");
    let csr = format!("{name}.csr.pem");
    std::fs::write(dir.join(&csr), csr_pem).ok()?;
    super::pki::sign_request(dir, &csr, "PEM", &name)
}

fn pem(der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}
