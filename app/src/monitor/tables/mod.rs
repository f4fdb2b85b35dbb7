//! The decoder's reference tables, each transcribed from its authoritative source (the
//! header, error table or document named at the top of every file), never from example
//! logs. Every entry says what the code means for a maker's board, what to do, and where
//! it applies (chip, framework). Where a code has several usual causes the fix lists what
//! to check, in order. `rules` and `decode` look codes up here; the tests walk every entry.

pub mod bearssl;
pub mod esp32;
pub mod esp8266;
pub mod fleet;
pub mod mbedtls;
pub mod mqtt;
pub mod net;
pub mod transcribed;

/// One code's plain-language reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The source's own identifier (`MBEDTLS_ERR_SSL_CONN_EOF`, `BR_ERR_X509_EXPIRED`, ...).
    pub name: &'static str,
    /// Where the code occurs: library version, framework, chips.
    pub applies: &'static str,
    /// What it means for this board, in a maker's words.
    pub cause: &'static str,
    /// What to do (several usual causes: what to check, in order).
    pub fix: &'static str,
}

/// Build an [`Entry`] (keeps the tables short).
pub const fn e(
    name: &'static str,
    applies: &'static str,
    cause: &'static str,
    fix: &'static str,
) -> Entry {
    Entry {
        name,
        applies,
        cause,
        fix,
    }
}

/// Which mbedTLS major versions define a code (with this meaning).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versions {
    /// mbedTLS 2.x only (2.28 LTS; ESP-IDF 4.x, Arduino ESP32 core 1.x/2.x).
    V2,
    /// mbedTLS 3.x only (3.6 LTS; ESP-IDF 5.x, Arduino ESP32 core 3.x, mbedtls-rs).
    V3,
    /// Both.
    Both,
}

/// One mbedTLS error code. Codes are negative in C; stored here as the positive value.
/// A code is either high-level (bits 7..15, modules SSL, X509, PK, ...) or low-level
/// (bits 0..6, modules MPI, ASN1, AES, ...); a code printed by a board may be the sum of
/// one of each, which is how `mbedtls_strerror` splits it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MbedtlsError {
    /// The positive value (`0x2700` for `-0x2700`).
    pub code: u16,
    /// Versions that define it with this meaning.
    pub versions: Versions,
    /// What `mbedtls_strerror` prints for it, module prefix included
    /// (`"X509 - Certificate verification failed, e.g. CRL, CA or signature check failed"`).
    pub text: &'static str,
    /// The reading.
    pub entry: Entry,
}

/// The phrases of a failed connection that carry no code (lower case).
const PHRASES: &[&str] = &[
    "connection failed",
    "connect failed",
    "connecting failed",
    "failed to connect",
    "could not connect",
    "couldn't connect",
    "unable to connect",
    "connection to server failed",
    "mqtt connection...failed",
    "mqtt connection... failed",
    "mqtt connection\u{2026}failed",
];

/// Whether the line is a failed connection without a code: one of [`PHRASES`] and after
/// it no code (`rc=-2`, `state 5`, `error: -3`; "try again in 5 seconds" is none).
pub fn is_codeless_failure(lower: &str) -> bool {
    PHRASES.iter().any(|p| match lower.find(p) {
        Some(i) => {
            let rest = &lower[i + p.len()..];
            let negative = rest
                .as_bytes()
                .windows(2)
                .any(|w| w[0] == b'-' && w[1].is_ascii_digit());
            let coded = ["rc", "state", "code", "error", "=", "reason", "status"]
                .iter()
                .any(|w| rest.contains(w));
            !negative && !coded
        }
        None => false,
    })
}
