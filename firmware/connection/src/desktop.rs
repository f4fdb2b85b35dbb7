//! The board's connection run from a desktop: TCP through tokio and TLS through rustls
//! behind the same [`Connector`] the firmware uses, so that [`crate::mqtt`]'s session (the
//! board's own code) runs over it unchanged. rustls rather than mbedTLS because building
//! mbedTLS needs cmake and libclang, which a fresh machine with rustup and a C compiler
//! does not have. Handshake failures are reported as the firmware reports them (the
//! mbedTLS code and X.509 verify flags of the same verdict), so one decoder explains both;
//! the tests run each broker scenario through both stacks and compare.

use alloc::borrow::Cow;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec;
use core::pin::Pin;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::task::{Context, Poll};
use std::net::SocketAddr;
use std::time::Duration;

use embedded_io_adapters::tokio_1::FromTokio;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{AlertDescription, CertificateError, ClientConfig, RootCertStore};
use thingflash_protocol::config::AWS_MQTT_ALPN;
use thingflash_protocol::credentials::DeviceCredentials;
use thingflash_protocol::event::{Event, Stage};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::Platform;
use crate::mqtt::Connector;

/// mbedTLS's "certificate verification failed", the code the board reports.
pub const ERR_X509_CERT_VERIFY_FAILED: i32 = -0x2700;
/// mbedTLS's "the peer sent a fatal alert".
pub const ERR_SSL_FATAL_ALERT_MESSAGE: i32 = -0x7780;
/// mbedTLS's "connection reset by the peer" (a transport failure during the handshake).
pub const ERR_NET_CONN_RESET: i32 = -0x0050;

// The X.509 verify flags mbedTLS sets (`MBEDTLS_X509_BADCERT_*`).
const BADCERT_EXPIRED: u32 = 0x01;
const BADCERT_CN_MISMATCH: u32 = 0x04;
const BADCERT_NOT_TRUSTED: u32 = 0x08;
const BADCERT_FUTURE: u32 = 0x200;
const BADCERT_OTHER: u32 = 0x0100;

/// Why the desktop's TLS could not be set up or the handshake failed, in the board's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFailure {
    /// Which failure it is, for callers to explain (never matched by its words).
    pub kind: FailureKind,
    /// The mbedTLS code of the same verdict (0: the transport failed).
    pub code: i32,
    /// The X.509 verify flags of the same verdict.
    pub verify: u32,
    /// What went wrong, in words.
    pub detail: String,
    /// The fatal alert the server sent, by its TLS name (`certificate_expired`), when the
    /// failure is one.
    pub alert: Option<String>,
}

/// The kinds of [`TlsFailure`] a caller explains differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// The handshake ran and failed; `code` and `verify` say how, as the board's would.
    Handshake,
    /// The server closed the connection at the client hello without sending a byte: what
    /// a listener that does not speak TLS does (a plain MQTT port such as 1883).
    NotTls,
    /// The device certificate is X.509 version 1, which rustls cannot present.
    DeviceCertVersion1,
    /// The device certificate or key cannot be used (damaged, or not a pair).
    DeviceCertOrKey,
    /// Anything else in setting up (a root CA that does not parse, a bad host name).
    Setup,
}

fn failure(code: i32, verify: u32, detail: impl Into<String>) -> TlsFailure {
    kind_failure(FailureKind::Handshake, code, verify, detail)
}

fn kind_failure(
    kind: FailureKind,
    code: i32,
    verify: u32,
    detail: impl Into<String>,
) -> TlsFailure {
    TlsFailure {
        kind,
        code,
        verify,
        detail: detail.into(),
        alert: None,
    }
}

fn setup(detail: impl Into<String>) -> TlsFailure {
    kind_failure(FailureKind::Setup, 0, 0, detail)
}

/// Why rustls will not present the device certificate and key, by the error's kind.
fn device_cert_unusable(e: &rustls::Error) -> TlsFailure {
    use rustls::Error as E;
    let kind = FailureKind::DeviceCertOrKey;
    match e {
        E::InvalidCertificate(CertificateError::Other(other))
            if matches!(
                other.0.downcast_ref::<webpki::Error>(),
                Some(webpki::Error::UnsupportedCertVersion)
            ) =>
        {
            kind_failure(
                FailureKind::DeviceCertVersion1,
                0,
                0,
                "the device certificate is X.509 version 1; a TLS client here presents only version 3 certificates",
            )
        }
        E::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => kind_failure(
            kind,
            0,
            0,
            "the private key is not the device certificate's key",
        ),
        E::InvalidCertificate(CertificateError::BadEncoding) => {
            kind_failure(kind, 0, 0, "the device certificate does not parse")
        }
        _ => kind_failure(kind, 0, 0, "the device certificate or key cannot be used"),
    }
}

/// A rustls error as the firmware would have reported the same refusal.
pub fn board_verdict(e: &rustls::Error) -> TlsFailure {
    use rustls::Error as E;
    let cert = |verify: u32, words: &str| failure(ERR_X509_CERT_VERIFY_FAILED, verify, words);
    match e {
        E::InvalidCertificate(c) => match c {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                cert(BADCERT_EXPIRED, "server certificate expired")
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => cert(
                BADCERT_FUTURE,
                "server certificate not yet valid (clock behind?)",
            ),
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                cert(
                    BADCERT_CN_MISMATCH,
                    "server certificate is not for this host name",
                )
            }
            CertificateError::UnknownIssuer => cert(
                BADCERT_NOT_TRUSTED,
                "server certificate not signed by a trusted root CA",
            ),
            _ => cert(BADCERT_OTHER, "server certificate rejected"),
        },
        E::AlertReceived(a) => TlsFailure {
            alert: Some(alert_name(*a)),
            ..failure(
                ERR_SSL_FATAL_ALERT_MESSAGE,
                0,
                alloc::format!("the server sent the fatal alert {}", alert_name(*a)),
            )
        },
        E::PeerIncompatible(_) => failure(
            0,
            0,
            "the server and this computer share no TLS version or cipher suite",
        ),
        E::NoCertificatesPresented => failure(0, 0, "the server presented no certificate"),
        E::PeerMisbehaved(_)
        | E::InvalidMessage(_)
        | E::InappropriateMessage { .. }
        | E::InappropriateHandshakeMessage { .. } => failure(
            0,
            0,
            "the server's answer breaks the TLS protocol (something other than a TLS server answers, or a proxy is in the way)",
        ),
        // rustls's own words for the rest can hold its type names; say it plainly.
        _ => failure(0, 0, "the TLS handshake failed"),
    }
}

fn alert_name(a: AlertDescription) -> String {
    let s = alloc::format!("{a:?}");
    // rustls names them in CamelCase; the TLS RFC's names are snake_case.
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The parsed credentials and names, ready for any number of handshakes.
pub struct DesktopTls {
    config: Arc<ClientConfig>,
    host: String,
    port: u16,
    alpn: bool,
}

impl DesktopTls {
    /// Trust the partition's root CAs, present its certificate and key, for `host:port`
    /// (ALPN `x-amzn-mqtt-ca` on 443, as the board does).
    pub fn new(dc: &DeviceCredentials<'_>, host: &str, port: u16) -> Result<Self, TlsFailure> {
        Self::with_alpn(dc, host, port, port == 443)
    }

    /// [`Self::new`], offering ALPN `x-amzn-mqtt-ca` or not whatever the port (a test
    /// server on another port, a proxy in front of 443).
    pub fn with_alpn(
        dc: &DeviceCredentials<'_>,
        host: &str,
        port: u16,
        alpn: bool,
    ) -> Result<Self, TlsFailure> {
        Self::build(dc, host, port, alpn, false)
    }

    /// [`Self::with_alpn`] limited to TLS 1.2. In TLS 1.3 a server checks the client's
    /// certificate after the client has finished its side of the handshake, so a refused
    /// certificate shows only as the connection closing; in TLS 1.2 the refusal is an alert
    /// during the handshake, naming why (certificate_expired, unknown_ca, ...).
    pub fn tls12_only(
        dc: &DeviceCredentials<'_>,
        host: &str,
        port: u16,
        alpn: bool,
    ) -> Result<Self, TlsFailure> {
        Self::build(dc, host, port, alpn, true)
    }

    fn build(
        dc: &DeviceCredentials<'_>,
        host: &str,
        port: u16,
        alpn: bool,
        tls12_only: bool,
    ) -> Result<Self, TlsFailure> {
        let mut roots = RootCertStore::empty();
        for ca in &dc.ca_certs {
            roots
                .add(CertificateDer::from(ca.to_vec()))
                .map_err(|_| setup("a root CA certificate does not parse"))?;
        }
        let key = PrivateKeyDer::try_from(dc.private_key.to_vec()).map_err(|_| {
            kind_failure(
                FailureKind::DeviceCertOrKey,
                0,
                0,
                "the private key does not parse",
            )
        })?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let versions: &[&rustls::SupportedProtocolVersion] = if tls12_only {
            &[&rustls::version::TLS12]
        } else {
            rustls::DEFAULT_VERSIONS
        };
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .map_err(|_| setup("this computer's TLS library offers no protocol version"))?
            .with_root_certificates(roots)
            .with_client_auth_cert(vec![CertificateDer::from(dc.device_cert.to_vec())], key)
            .map_err(|e| device_cert_unusable(&e))?;
        if alpn {
            config.alpn_protocols = vec![AWS_MQTT_ALPN.as_bytes().to_vec()];
        }
        Ok(Self {
            config: Arc::new(config),
            host: host.to_string(),
            port,
            alpn,
        })
    }

    /// Handshake over `tcp`, reporting `tls.start` and `tls.ok` / `tls.failed` as the board
    /// does, within `limit`.
    pub async fn handshake<P: Platform>(
        &self,
        tcp: TcpStream,
        limit: Duration,
        p: &mut P,
    ) -> Result<TlsStream<Wire>, TlsFailure> {
        p.emit(&Event::TlsStart {
            host: Cow::Borrowed(&self.host),
            port: self.port,
            alpn: self.alpn.then_some(Cow::Borrowed(AWS_MQTT_ALPN)),
        });
        let started = p.now_ms();
        let result = match ServerName::try_from(self.host.clone()) {
            Err(_) => Err(setup("the endpoint is not a host name")),
            Ok(name) => {
                let received = Arc::new(AtomicUsize::new(0));
                let wire = Wire {
                    tcp,
                    received: received.clone(),
                };
                let connect = TlsConnector::from(self.config.clone()).connect(name, wire);
                match tokio::time::timeout(limit, connect).await {
                    Err(_) => Err(failure(
                        0,
                        0,
                        alloc::format!(
                            "no TLS answer within {} s: something on this port accepts TCP but does not speak TLS",
                            limit.as_secs()
                        ),
                    )),
                    Ok(Ok(s)) => Ok(s),
                    Ok(Err(e)) => Err(io_verdict(&e, received.load(Ordering::Relaxed))),
                }
            }
        };
        match &result {
            Ok(s) => {
                let version = match s.get_ref().1.protocol_version() {
                    Some(rustls::ProtocolVersion::TLSv1_3) => "1.3",
                    Some(rustls::ProtocolVersion::TLSv1_2) => "1.2",
                    _ => "?",
                };
                p.emit(&Event::TlsOk {
                    version: Cow::Borrowed(version),
                    cipher: Cow::Borrowed("-"),
                    ms: p.now_ms().saturating_sub(started) as u32,
                });
            }
            Err(f) => {
                p.emit(&Event::TlsFailed {
                    code: f.code,
                    verify: f.verify,
                    detail: Cow::Borrowed(&f.detail),
                });
            }
        }
        result
    }
}

/// The session's transport over the desktop's TLS.
pub type Transport = FromTokio<TlsStream<Wire>>;

/// A TCP connection that counts the bytes it received: a server that closes at the client
/// hello having sent nothing does not speak TLS, one that sent something refused it.
pub struct Wire {
    tcp: TcpStream,
    received: Arc<AtomicUsize>,
}

impl AsyncRead for Wire {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.tcp).poll_read(cx, buf);
        let got = buf.filled().len().saturating_sub(before);
        self.received.fetch_add(got, Ordering::Relaxed);
        r
    }
}

impl AsyncWrite for Wire {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

impl DesktopTls {
    /// [`Self::handshake`] over a connection already made, ready for the MQTT session.
    pub async fn transport<P: Platform>(
        &self,
        tcp: TcpStream,
        limit: Duration,
        p: &mut P,
    ) -> Result<Transport, TlsFailure> {
        self.handshake(tcp, limit, p).await.map(FromTokio::new)
    }
}

/// A handshake's I/O error: rustls puts its own error inside. `received`: the bytes the
/// server sent before it.
fn io_verdict(e: &std::io::Error, received: usize) -> TlsFailure {
    if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        return board_verdict(inner);
    }
    let closed = matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::BrokenPipe
    );
    if closed && received == 0 {
        return kind_failure(
            FailureKind::NotTls,
            ERR_NET_CONN_RESET,
            0,
            "the server closed the connection at the TLS client hello without a byte of TLS: this port does not speak TLS",
        );
    }
    match e.kind() {
        std::io::ErrorKind::ConnectionReset
        | std::io::ErrorKind::UnexpectedEof
        | std::io::ErrorKind::BrokenPipe => failure(
            ERR_NET_CONN_RESET,
            0,
            "the server closed the connection during the handshake",
        ),
        _ => failure(0, 0, e.to_string()),
    }
}

/// TCP to `addr`, then TLS: the desktop's [`Connector`] for [`crate::mqtt::session`] and
/// [`crate::mqtt::run`].
pub struct DesktopConnector<'a> {
    /// Where to connect.
    pub addr: SocketAddr,
    /// The TLS setup.
    pub tls: &'a DesktopTls,
    /// How long each of TCP and TLS may take.
    pub limit: Duration,
}

impl Connector for DesktopConnector<'_> {
    type Transport = Transport;

    async fn connect<P: Platform>(&mut self, p: &mut P) -> Result<Self::Transport, Stage> {
        let tcp = match tokio::time::timeout(self.limit, TcpStream::connect(self.addr)).await {
            Ok(Ok(t)) => t,
            Ok(Err(e)) => {
                p.emit(&Event::TlsFailed {
                    code: 0,
                    verify: 0,
                    detail: Cow::Owned(alloc::format!("TCP to {}: {e}", self.addr)),
                });
                return Err(Stage::Tls);
            }
            Err(_) => {
                p.emit(&Event::TlsFailed {
                    code: 0,
                    verify: 0,
                    detail: Cow::Owned(alloc::format!(
                        "TCP to {}: no answer within {} s",
                        self.addr,
                        self.limit.as_secs()
                    )),
                });
                return Err(Stage::Tls);
            }
        };
        self.tls
            .transport(tcp, self.limit, p)
            .await
            .map_err(|_| Stage::Tls)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rustls_refusals_map_to_the_boards_codes_and_flags() {
        use rustls::Error as E;
        let cases = [
            (
                E::InvalidCertificate(CertificateError::Expired),
                ERR_X509_CERT_VERIFY_FAILED,
                BADCERT_EXPIRED,
            ),
            (
                E::InvalidCertificate(CertificateError::NotValidYet),
                ERR_X509_CERT_VERIFY_FAILED,
                BADCERT_FUTURE,
            ),
            (
                E::InvalidCertificate(CertificateError::NotValidForName),
                ERR_X509_CERT_VERIFY_FAILED,
                BADCERT_CN_MISMATCH,
            ),
            (
                E::InvalidCertificate(CertificateError::UnknownIssuer),
                ERR_X509_CERT_VERIFY_FAILED,
                BADCERT_NOT_TRUSTED,
            ),
            (
                E::InvalidCertificate(CertificateError::BadSignature),
                ERR_X509_CERT_VERIFY_FAILED,
                BADCERT_OTHER,
            ),
            (
                E::AlertReceived(AlertDescription::UnknownCA),
                ERR_SSL_FATAL_ALERT_MESSAGE,
                0,
            ),
        ];
        for (e, code, verify) in cases {
            let v = board_verdict(&e);
            assert_eq!((v.code, v.verify), (code, verify), "{e:?}");
        }
        assert!(
            board_verdict(&E::AlertReceived(AlertDescription::CertificateExpired))
                .detail
                .ends_with("certificate_expired")
        );
    }
}
