//! TLS as the board does it, with mbedtls-rs: the root CAs, device certificate and key from
//! the credentials partition, SNI = the endpoint (mbedTLS 3.6 refuses to verify without
//! it), TLS 1.2 minimum, ALPN `x-amzn-mqtt-ca` on port 443, and certificate dates checked
//! against [`WallClock`] (unset clock: every certificate fails, as on a real stack).
//! Failures carry the mbedTLS code and the X.509 verify flags.

use alloc::borrow::Cow;
use alloc::ffi::CString;
use alloc::string::String;
use core::ffi::CStr;

use base64::Engine as _;
use embedded_io_async::{Read, Write};
use mbedtls_rs::sys::hook::timer::MbedtlsTimer;
use mbedtls_rs::sys::hook::wall_clock::MbedtlsWallClock;
use mbedtls_rs::{
    AuthMode, Certificate, ClientSessionConfig, Credentials, PrivateKey, Session, SessionConfig,
    SessionError, TlsReference, TlsVersion, X509,
};
use thingflash_protocol::config::AWS_MQTT_ALPN;
use thingflash_protocol::credentials::DeviceCredentials;
use thingflash_protocol::event::Event;

use crate::Platform;
use crate::clock::{WallClock, civil};

/// mbedTLS's X.509 "certificate verification failed" code.
pub const ERR_X509_CERT_VERIFY_FAILED: i32 = -0x2700;
/// mbedTLS's X.509 fatal error: what an unset wall clock gives (verify flags all ones).
pub const ERR_X509_FATAL_ERROR: i32 = -0x3000;

/// Why TLS could not be set up or the handshake failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFailure {
    /// mbedTLS error code (negative), or 0 for a transport error.
    pub code: i32,
    /// X.509 verify flags (`MBEDTLS_X509_BADCERT_*`), 0 when not a verification failure.
    pub verify: u32,
    /// What went wrong, for the event line.
    pub detail: String,
}

impl TlsFailure {
    fn from_session(e: SessionError, verify: u32, what: &str) -> Self {
        match e {
            SessionError::MbedTls(m) => Self {
                code: m.code(),
                verify,
                detail: String::from(what),
            },
            SessionError::Io(kind) => Self {
                code: 0,
                verify,
                detail: alloc::format!("{what}: connection {kind:?}"),
            },
        }
    }
}

impl MbedtlsWallClock for WallClock {
    fn instant(&self) -> Option<mbedtls_rs::sys::tm> {
        let c = civil(self.now_unix()?);
        Some(mbedtls_rs::sys::tm {
            tm_sec: c.second as _,
            tm_min: c.minute as _,
            tm_hour: c.hour as _,
            tm_mday: c.day as _,
            tm_mon: (c.month - 1) as _,
            tm_year: (c.year - 1900) as _,
            tm_wday: c.weekday as _,
            tm_yday: c.yearday as _,
            tm_isdst: 0,
        })
    }
}

impl MbedtlsTimer for WallClock {
    fn now(&self) -> mbedtls_rs::sys::mbedtls_ms_time_t {
        self.mono_ms() as _
    }
}

/// Give mbedTLS the clock it checks certificate dates with. Call once, before any TLS.
#[allow(unsafe_code)]
pub fn install_clock(clock: &'static WallClock) {
    // SAFETY: the hooks take `'static` references, so they stay valid for the program's
    // life; installing them before any session is what the hooks require, and replacing
    // them later only swaps which valid object is read.
    unsafe {
        mbedtls_rs::sys::hook::timer::hook_timer(Some(clock));
        mbedtls_rs::sys::hook::wall_clock::hook_wall_clock(Some(clock));
    }
}

fn pem_bundle(ders: &[&[u8]]) -> Option<CString> {
    let mut pem = String::new();
    for der in ders {
        pem.push_str("-----BEGIN CERTIFICATE-----\n");
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        for line in b64.as_bytes().chunks(64) {
            pem.push_str(core::str::from_utf8(line).ok()?);
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
    }
    CString::new(pem).ok()
}

/// Parsed credentials and names, ready for any number of handshakes.
pub struct TlsSetup {
    ca_chain: Certificate<'static>,
    creds: Credentials<'static>,
    host: CString,
    port: u16,
}

const ALPN: &[&CStr] = &[c"x-amzn-mqtt-ca"];

impl TlsSetup {
    /// Parse the partition's certificates and key for `host:port`.
    pub fn new(dc: &DeviceCredentials<'_>, host: &str, port: u16) -> Result<Self, TlsFailure> {
        let fail = |e: SessionError, what: &str| TlsFailure::from_session(e, 0, what);
        let bundle = pem_bundle(&dc.ca_certs).ok_or_else(|| TlsFailure {
            code: 0,
            verify: 0,
            detail: String::from("root CA bundle"),
        })?;
        let ca_chain = Certificate::new(X509::PEM(&bundle))
            .map_err(|e| fail(e.into(), "root CA certificate does not parse"))?;
        let certificate = Certificate::new(X509::DER(dc.device_cert))
            .map_err(|e| fail(e.into(), "device certificate does not parse"))?;
        let private_key = PrivateKey::new(X509::DER(dc.private_key), None)
            .map_err(|e| fail(e, "private key does not parse"))?;
        let host = CString::new(host).map_err(|_| TlsFailure {
            code: 0,
            verify: 0,
            detail: String::from("endpoint host"),
        })?;
        Ok(Self {
            ca_chain,
            creds: Credentials {
                certificate,
                private_key,
            },
            host,
            port,
        })
    }

    fn alpn(&self) -> Option<&'static [&'static CStr]> {
        (self.port == 443).then_some(ALPN)
    }

    /// Handshake over `socket`, reporting `tls.start` and `tls.ok` / `tls.failed`.
    pub async fn handshake<'t, T, P>(
        &'t self,
        tls: TlsReference<'t>,
        socket: T,
        p: &mut P,
    ) -> Result<Session<'t, T>, TlsFailure>
    where
        T: Read + Write,
        P: Platform,
    {
        let host = self.host.to_str().unwrap_or("");
        p.emit(&Event::TlsStart {
            host: Cow::Borrowed(host),
            port: self.port,
            alpn: self.alpn().map(|_| Cow::Borrowed(AWS_MQTT_ALPN)),
        });
        let started = p.now_ms();
        let config = ClientSessionConfig {
            ca_chain: Some(self.ca_chain.clone()),
            creds: Some(self.creds.clone()),
            server_name: Some(&self.host),
            auth_mode: AuthMode::Required,
            min_version: TlsVersion::Tls1_2,
            alpn_protocols: self.alpn(),
            ..ClientSessionConfig::new()
        };
        let result = match Session::new(tls, socket, &SessionConfig::Client(config)) {
            Err(e) => Err(TlsFailure::from_session(e, 0, "session setup")),
            Ok(mut session) => match session.connect().await {
                Ok(()) => Ok(session),
                Err(e) => {
                    let verify = session.tls_verification_details();
                    let code = match e {
                        SessionError::MbedTls(m) => m.code(),
                        SessionError::Io(_) => 0,
                    };
                    Err(TlsFailure::from_session(e, verify, describe(code, verify)))
                }
            },
        };
        match &result {
            Ok(session) => {
                let version = match session.tls_version() {
                    Some(TlsVersion::Tls1_3) => "1.3",
                    Some(TlsVersion::Tls1_2) => "1.2",
                    None => "?",
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

/// Words for an mbedTLS code and the verify flags that matter here.
pub fn describe(code: i32, verify: u32) -> &'static str {
    const EXPIRED: u32 = 0x01;
    const CN_MISMATCH: u32 = 0x04;
    const NOT_TRUSTED: u32 = 0x08;
    const FUTURE: u32 = 0x200;
    if code == ERR_X509_FATAL_ERROR && verify == u32::MAX {
        // The wall clock hook answered "no time": verification fails closed.
        "certificate dates cannot be checked: the clock is not set"
    } else if verify & (EXPIRED | FUTURE) == EXPIRED | FUTURE {
        "certificate dates cannot be checked: the clock is not set"
    } else if verify & EXPIRED != 0 {
        "server certificate expired"
    } else if verify & FUTURE != 0 {
        "server certificate not yet valid (clock behind?)"
    } else if verify & CN_MISMATCH != 0 {
        "server certificate is not for this host name"
    } else if verify & NOT_TRUSTED != 0 {
        "server certificate not signed by a trusted root CA"
    } else if verify != 0 {
        "server certificate rejected"
    } else {
        "handshake failed"
    }
}
