//! An HTTP proxy in front of moto_server that answers every `nth` AWS IoT request with
//! AWS's throttling error (HTTP 400, `x-amzn-ErrorType: ThrottlingException`) and counts
//! the requests: what a busy account does to a station. STS (`POST /`) is passed through,
//! as it answers in its own XML protocol.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Throttle {
    pub url: String,
    /// Requests seen, throttled ones included.
    pub requests: Arc<AtomicUsize>,
    /// Requests answered with the throttling error.
    pub throttled: Arc<AtomicUsize>,
}

/// A request or response: the head's lines and the body.
pub fn read_message(r: &mut BufReader<TcpStream>) -> Option<(Vec<String>, Vec<u8>)> {
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            break;
        }
        head.push(line);
    }
    let header = |name: &str| {
        head.iter().find_map(|h| {
            let (k, v) = h.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let mut body = Vec::new();
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            r.read_line(&mut size).ok()?;
            let n = usize::from_str_radix(size.trim(), 16).ok()?;
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk).ok()?;
            body.extend_from_slice(&chunk[..n]);
            if n == 0 {
                break;
            }
        }
        head.retain(|h| !h.to_ascii_lowercase().starts_with("transfer-encoding"));
        head.push(format!("Content-Length: {}", body.len()));
    } else if let Some(n) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(n, 0);
        r.read_exact(&mut body).ok()?;
    }
    Some((head, body))
}

pub fn write_message(w: &mut TcpStream, head: &[String], body: &[u8]) -> std::io::Result<()> {
    let mut out = head.join("\r\n").into_bytes();
    out.extend_from_slice(b"\r\n\r\n");
    out.extend_from_slice(body);
    w.write_all(&out)
}

impl Throttle {
    pub fn start(upstream: &str, nth: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_string();
        let (requests, throttled) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (rq, th) = (requests.clone(), throttled.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (upstream, rq, th) = (upstream.clone(), rq.clone(), th.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(client.try_clone().unwrap());
                    let mut client = client;
                    while let Some((head, body)) = read_message(&mut reader) {
                        let n = rq.fetch_add(1, Ordering::SeqCst) + 1;
                        let sts = head.first().is_some_and(|l| l.starts_with("POST / "));
                        if !sts && n % nth == 0 {
                            th.fetch_add(1, Ordering::SeqCst);
                            let body = br#"{"message":"Rate exceeded"}"#;
                            let head = [
                                "HTTP/1.1 400 Bad Request".to_string(),
                                "Content-Type: application/json".into(),
                                "x-amzn-ErrorType: ThrottlingException".into(),
                                format!("Content-Length: {}", body.len()),
                            ];
                            if write_message(&mut client, &head, body).is_err() {
                                return;
                            }
                            continue;
                        }
                        let Ok(up) = TcpStream::connect(&upstream) else {
                            return;
                        };
                        let mut up_w = up.try_clone().unwrap();
                        if write_message(&mut up_w, &head, &body).is_err() {
                            return;
                        }
                        let Some((rhead, rbody)) = read_message(&mut BufReader::new(up)) else {
                            return;
                        };
                        if write_message(&mut client, &rhead, &rbody).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Self {
            url,
            requests,
            throttled,
        }
    }
}
