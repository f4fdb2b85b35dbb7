//! A strict fake of the AWS IoT control-plane calls moto gets wrong or lacks, in front of
//! moto: `CreateCertificateFromCsr` (`POST /certificates`), and the fleet-provisioning
//! templates (`POST /provisioning-templates`, `GET /provisioning-templates/{name}`), which
//! moto does not implement. For the templates, what AWS's API reference says: the name is
//! 1-36 of `[0-9A-Za-z_-]`, the body at most 10,240 characters and a JSON object, a
//! provisioning role required, `enabled` false unless given, a name taken answers 409
//! `ResourceAlreadyExistsException`, an unknown one 404 `ResourceNotFoundException`. moto signs a key of its own; AWS
//! signs the request's. This proxy, in front of moto, verifies the request as AWS does
//! (`openssl req -verify`: a request not signed by its own key is refused with
//! `InvalidRequestException`), signs the request's own key with an openssl CA, and
//! registers the certificate in moto (`RegisterCertificateWithoutCA`), so that every later
//! call (policy, thing, status, delete) is moto's own. Everything else passes through.

use std::io::BufReader;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::throttle::{read_message, write_message};

pub struct CsrSigner {
    pub url: String,
    /// Requests signed.
    pub signed: Arc<AtomicUsize>,
    /// Provisioning templates made: name -> the request's JSON.
    pub templates: Arc<std::sync::Mutex<std::collections::HashMap<String, serde_json::Value>>>,
}

/// A template call, answered here: (status, error type, body); `None` when the request is
/// not one.
fn template_call(
    head: &[String],
    body: &[u8],
    templates: &std::sync::Mutex<std::collections::HashMap<String, serde_json::Value>>,
) -> Option<(String, Option<&'static str>, serde_json::Value)> {
    let line = head.first()?;
    let mut t = templates.lock().unwrap_or_else(|e| e.into_inner());
    let bad = |m: &str| {
        Some((
            "400 Bad Request".to_string(),
            Some("InvalidRequestException"),
            serde_json::json!({ "message": m }),
        ))
    };
    if line.starts_with("POST /provisioning-templates ") {
        let req: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let name = req["templateName"].as_str().unwrap_or("");
        let ok_name = (1..=36).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok_name {
            return bad("templateName does not match [0-9A-Za-z_-]{1,36}");
        }
        let tb = req["templateBody"].as_str().unwrap_or("");
        if tb.len() > 10_240
            || !serde_json::from_str::<serde_json::Value>(tb).is_ok_and(|v| v.is_object())
        {
            return bad("templateBody is not a JSON object of at most 10240 characters");
        }
        if req["provisioningRoleArn"].as_str().unwrap_or("").is_empty() {
            return bad("provisioningRoleArn is required");
        }
        if t.contains_key(name) {
            return Some((
                "409 Conflict".into(),
                Some("ResourceAlreadyExistsException"),
                serde_json::json!({ "message": format!("Template {name} already exists") }),
            ));
        }
        let mut stored = req.clone();
        if stored["enabled"].is_null() {
            stored["enabled"] = serde_json::json!(false);
        }
        t.insert(name.to_string(), stored);
        let arn = format!("arn:aws:iot:us-east-1:123456789012:provisioningtemplate/{name}");
        return Some((
            "200 OK".into(),
            None,
            serde_json::json!({ "templateArn": arn, "templateName": name, "defaultVersionId": 1 }),
        ));
    }
    let name = line
        .strip_prefix("GET /provisioning-templates/")?
        .split([' ', '?'])
        .next()?;
    match t.get(name) {
        Some(req) => Some(("200 OK".into(), None, req.clone())),
        None => Some((
            "404 Not Found".into(),
            Some("ResourceNotFoundException"),
            serde_json::json!({ "message": format!("Template {name} not found") }),
        )),
    }
}

fn header<'a>(head: &'a [String], name: &str) -> Option<&'a str> {
    head.iter().find_map(|h| {
        let (k, v) = h.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn reply(client: &mut TcpStream, status: &str, error: Option<&str>, body: &[u8]) -> bool {
    let mut head = vec![
        format!("HTTP/1.1 {status}"),
        "Content-Type: application/json".to_string(),
        format!("Content-Length: {}", body.len()),
    ];
    if let Some(e) = error {
        head.push(format!("x-amzn-ErrorType: {e}"));
    }
    write_message(client, &head, body).is_ok()
}

/// One exchange with moto.
fn upstream(addr: &str, head: &[String], body: &[u8]) -> Option<(Vec<String>, Vec<u8>)> {
    let up = TcpStream::connect(addr).ok()?;
    let mut w = up.try_clone().ok()?;
    write_message(&mut w, head, body).ok()?;
    read_message(&mut BufReader::new(up))
}

/// Sign `csr_pem` as AWS would, or say why AWS would refuse it.
fn sign(pki: &thingflash_testkit::Pki, csr_pem: &str, n: usize) -> Result<String, String> {
    let name = format!("signed-{n}");
    let csr = format!("{name}.csr.pem");
    std::fs::write(pki.dir().join(&csr), csr_pem).map_err(|e| e.to_string())?;
    let der = thingflash_testkit::sign_request(pki.dir(), &csr, "PEM", &name)
        .ok_or("The certificate signing request is not valid.")?;
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|l| std::str::from_utf8(l).unwrap_or_default())
        .collect();
    Ok(format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    ))
}

impl CsrSigner {
    pub fn start(moto: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let addr = moto.trim_start_matches("http://").to_string();
        // One signature at a time: openssl keeps the CA's next serial in one file
        // (`-CAcreateserial`), which two boards signed at once would both rewrite.
        let pki = Arc::new(std::sync::Mutex::new(thingflash_testkit::Pki::new()));
        let signed = Arc::new(AtomicUsize::new(0));
        let count = signed.clone();
        let templates = Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
        let made = templates.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (addr, pki, count, made) =
                    (addr.clone(), pki.clone(), count.clone(), made.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(client.try_clone().unwrap());
                    let mut client = client;
                    while let Some((head, body)) = read_message(&mut reader) {
                        if let Some((status, error, answer)) = template_call(&head, &body, &made) {
                            if !reply(&mut client, &status, error, answer.to_string().as_bytes()) {
                                return;
                            }
                            continue;
                        }
                        let csr_call = head.first().is_some_and(|l| {
                            l.starts_with("POST /certificates?")
                                || l.starts_with("POST /certificates ")
                        });
                        if !csr_call {
                            match upstream(&addr, &head, &body) {
                                Some((h, b)) if write_message(&mut client, &h, &b).is_ok() => {
                                    continue;
                                }
                                _ => return,
                            }
                        }
                        let request: serde_json::Value =
                            serde_json::from_slice(&body).unwrap_or_default();
                        let csr = request["certificateSigningRequest"].as_str().unwrap_or("");
                        let n = count.fetch_add(1, Ordering::SeqCst);
                        let signed = {
                            let pki = pki.lock().unwrap_or_else(|e| e.into_inner());
                            sign(&pki, csr, n)
                        };
                        let pem = match signed {
                            Ok(pem) => pem,
                            Err(message) => {
                                let body = serde_json::json!({ "message": message }).to_string();
                                if !reply(
                                    &mut client,
                                    "400 Bad Request",
                                    Some("InvalidRequestException"),
                                    body.as_bytes(),
                                ) {
                                    return;
                                }
                                continue;
                            }
                        };
                        // Registered in moto: every later call about it is moto's own.
                        let register =
                            serde_json::json!({ "certificatePem": pem, "status": "ACTIVE" })
                                .to_string();
                        let mut up_head = vec![
                            "POST /certificate/register-no-ca HTTP/1.1".to_string(),
                            format!("Host: {addr}"),
                            "Content-Type: application/json".into(),
                            format!("Content-Length: {}", register.len()),
                        ];
                        for h in ["authorization", "x-amz-date"] {
                            if let Some(v) = header(&head, h) {
                                up_head.push(format!("{h}: {v}"));
                            }
                        }
                        let Some((_, rbody)) = upstream(&addr, &up_head, register.as_bytes())
                        else {
                            return;
                        };
                        let registered: serde_json::Value =
                            serde_json::from_slice(&rbody).unwrap_or_default();
                        let body = serde_json::json!({
                            "certificateArn": registered["certificateArn"],
                            "certificateId": registered["certificateId"],
                            "certificatePem": pem,
                        })
                        .to_string();
                        if !reply(&mut client, "200 OK", None, body.as_bytes()) {
                            return;
                        }
                    }
                });
            }
        });
        Self {
            url,
            signed,
            templates,
        }
    }
}
