//! BearSSL error numbers and texts as the ESP8266 Arduino core reports them, and the TLS
//! alert registry read from an ESP board's side.
//!
//! Sources (numbers and texts are transcribed, the readings are ours):
//! - Numbers: esp8266/Arduino `tools/sdk/include/bearssl/bearssl_ssl.h` (lines 99-225,
//!   `BR_ERR_*`; 4280-4302, `BR_ALERT_*`) and `bearssl_x509.h` (lines 130-223,
//!   `BR_ERR_X509_*`), the headers the core ships: BearSSL fork earlephilhower/bearssl-esp8266
//!   at `b024386` in core release 3.1.2 (tag, commit 210897e) and at `5166f2b` on master
//!   (f946290, 2026-03-23). Both have the same `BR_ERR_*` numbers, and so does upstream
//!   BearSSL (`inc/bearssl_ssl.h`, `inc/bearssl_x509.h`, mirror bonifaido/BearSSL 37ea074):
//!   the fork changes no error code.
//! - Texts: esp8266/Arduino `libraries/ESP8266WiFi/src/WiFiClientSecureBearSSL.cpp`,
//!   `WiFiClientSecureCtx::getLastSSLError` (the `switch` is identical in 3.1.2 and on
//!   master; 2.7.4 has the same strings without the alert prefixes). The only code the core
//!   adds is `-1000`, set when its own `_oom_err` flag is up.
//! - `BR_ERR_SEND_FATAL_ALERT` / `BR_ERR_RECV_FATAL_ALERT`: bearssl-esp8266
//!   `src/ssl/ssl_hs_common.t0` (`process-alert-byte`: `256 + fail`; `fail-alert`:
//!   `alert 512 + fail`, used only in `ssl_hs_server.t0`).
//! - Alerts: RFC 5246 section 7.2, RFC 8446 section 6, RFC 6066 section 9, RFC 7301,
//!   RFC 7507, RFC 4279, RFC 9146 and the IANA "TLS Alerts" registry; names as the defining
//!   RFC spells them for TLS 1.2, the version BearSSL speaks.
//!
//! # Fatal alerts: 256 + alert (received), 512 + alert (sent)
//!
//! When the peer sends a fatal alert, BearSSL fails with `256 + description` (so 298 is a
//! received `bad_certificate`, 42); when BearSSL itself aborts with an alert it fails with
//! `512 + description` (BearSSL does that only as a server, `WiFiServerSecure`; as a client
//! it fails with the plain `BR_ERR_*` reason instead).
//! - Core 2.x (up to 2.7.4) returns that number unchanged from `getLastSSLError()` and
//!   prints `Unknown error code.` for it.
//! - Core 3.x (since esp8266/Arduino#7681, 2020-10) clears the 256 or 512 bit, returns the
//!   bare alert number, and prints `SSL received fatal alert - ` or `SSL sent fatal alert - `
//!   followed by the text of the `BR_ERR_*` code that happens to share the alert's number:
//!   alert 42 prints "SSL received fatal alert - Decoding error: expected constructed element,
//!   but is primitive." Alerts with no such twin (70, 80, 112, 120, ...) print
//!   `Unknown error code.` after the prefix. After either prefix, read the number as an alert
//!   ([`TLS_ALERTS`]), never as a [`BEARSSL_ERRORS`] code.

use super::{Entry, e};

/// Where the `BR_ERR_*` codes occur.
const BR: &str = "ESP8266 Arduino core (BearSSL)";
/// Codes only a BearSSL TLS server sets.
const BR_SERVER: &str = "ESP8266 Arduino core (BearSSL), as a TLS server (WiFiServerSecure)";
/// Codes BearSSL defines but the ESP8266 core never produces.
const BR_UNUSED: &str = "ESP8266 Arduino core (BearSSL): defined, not produced by WiFiClientSecure";
/// Alerts, as an ESP board meets them.
const TLS12: &str = "TLS 1.2 (RFC 5246), any board; ESP8266 BearSSL";
const TLS13: &str = "TLS 1.3 (RFC 8446), any board; not ESP8266 BearSSL (TLS 1.2 at most)";

const TIME_FIX: &str = "set the clock before connecting: call configTime() so SNTP runs, wait until time(nullptr) > 1600000000, or pass the time with setX509Time()";
const ROOT_FIX: &str = "load Amazon Root CA 1 (RSA) as the trust anchor with setTrustAnchors() and use the -ats endpoint; add Amazon Root CA 3 for ECC";
const NET_FIX: &str = "check the host name and port (8883, or 443 with ALPN); a captive portal, proxy or another service on that port does not speak TLS";
const POLICY_FIX: &str = "in AWS IoT, attach a policy that allows iot:Connect for this client id to the certificate, make sure the certificate is ACTIVE and attached to the thing";
const CERT_FIX: &str = "check that the device certificate is registered and ACTIVE in AWS IoT and that the private key belongs to it (thingflash check)";
const KEY_FIX: &str =
    "use an RSA-2048 or EC P-256 device key and a certificate AWS IoT issued or registered";
const RETRY_FIX: &str = "retry; if it repeats, check the WiFi signal and the power supply";
const UPDATE_FIX: &str =
    "update the ESP8266 core and the TLS/MQTT libraries; report it if it repeats";
const SERVER_CHAIN_FIX: &str = "check the endpoint (your-prefix-ats.iot.<region>.amazonaws.com, port 8883); on a clean network with the right endpoint this does not happen";

/// Every `BR_ERR_*` constant of `bearssl_ssl.h` and `bearssl_x509.h` (`BR_ERR_OK`, 0, left
/// out) and the core's own `-1000`, as `getLastSSLError()` returns them. For 256+ and 512+
/// numbers see the module documentation.
pub const BEARSSL_ERRORS: &[(i32, Entry)] = &[
    (
        -1000,
        e(
            "OOM",
            "ESP8266 Arduino core (WiFiClientSecure `_oom_err`)",
            "the ESP8266 ran out of memory for the TLS context or its buffers (about 20 KB with the default 16 KB receive buffer)",
            "free heap before connecting (fewer global Strings and buffers, print ESP.getFreeHeap()); smaller buffers via setBufferSizes() only work where probeMaxFragmentLength() returns true",
        ),
    ),
    (
        1,
        e(
            "BR_ERR_BAD_PARAM",
            BR,
            "a library handed BearSSL a bad value, often an empty or unparsed certificate or key",
            "check that the certificate, key and CA loaded (X509List and PrivateKey not empty); update the libraries",
        ),
    ),
    (
        2,
        e(
            "BR_ERR_BAD_STATE",
            BR,
            "TLS was used in the wrong order, e.g. writing while received data was still waiting",
            "use one WiFiClientSecure per connection, read incoming data before writing; update the MQTT library",
        ),
    ),
    (
        3,
        e(
            "BR_ERR_UNSUPPORTED_VERSION",
            BR,
            "the server answered with a TLS version BearSSL does not speak (it knows TLS 1.0 to 1.2)",
            "the endpoint must allow TLS 1.2: keep the default AWS IoT security policy and do not narrow setSSLVersion()",
        ),
    ),
    (
        4,
        e(
            "BR_ERR_BAD_VERSION",
            BR,
            "a record arrived with another TLS version than the one agreed: the other end is probably not the TLS server",
            NET_FIX,
        ),
    ),
    (
        5,
        e(
            "BR_ERR_BAD_LENGTH",
            BR,
            "a record had an impossible length: the data is not TLS",
            NET_FIX,
        ),
    ),
    (
        6,
        e(
            "BR_ERR_TOO_LARGE",
            BR,
            "a record did not fit the receive buffer (set too small with setBufferSizes()), or the certificate chain to send did not fit the send buffer",
            "keep the receive buffer at 16384 unless probeMaxFragmentLength() succeeds; raise the send buffer if the certificate chain is long",
        ),
    ),
    (
        7,
        e(
            "BR_ERR_BAD_MAC",
            BR,
            "a received record failed its integrity check: data was damaged on the way",
            RETRY_FIX,
        ),
    ),
    (
        8,
        e(
            "BR_ERR_NO_RANDOM",
            BR,
            "BearSSL had no random seed; the core normally seeds it from the ESP8266's hardware random generator",
            UPDATE_FIX,
        ),
    ),
    (
        9,
        e(
            "BR_ERR_UNKNOWN_TYPE",
            BR,
            "a record of unknown type arrived: the other end does not speak TLS",
            NET_FIX,
        ),
    ),
    (
        10,
        e(
            "BR_ERR_UNEXPECTED",
            BR,
            "a message arrived that does not fit this point of the handshake",
            NET_FIX,
        ),
    ),
    (
        12,
        e(
            "BR_ERR_BAD_CCS",
            BR,
            "the server's ChangeCipherSpec message was malformed",
            NET_FIX,
        ),
    ),
    (
        13,
        e(
            "BR_ERR_BAD_ALERT",
            BR,
            "the server sent a malformed alert",
            NET_FIX,
        ),
    ),
    (
        14,
        e(
            "BR_ERR_BAD_HANDSHAKE",
            BR,
            "a handshake message from the server could not be decoded",
            NET_FIX,
        ),
    ),
    (
        15,
        e(
            "BR_ERR_OVERSIZED_ID",
            BR,
            "the server sent a session id longer than 32 bytes: not a normal TLS server",
            NET_FIX,
        ),
    ),
    (
        16,
        e(
            "BR_ERR_BAD_CIPHER_SUITE",
            BR,
            "the server picked a cipher suite the board did not offer (or the sketch offered one BearSSL lacks)",
            "remove setCiphers()/setCiphersLessSecure() and keep the default list; use an RSA-2048 or EC P-256 certificate",
        ),
    ),
    (
        17,
        e(
            "BR_ERR_BAD_COMPRESSION",
            BR,
            "the server picked a compression the board did not offer",
            NET_FIX,
        ),
    ),
    (
        18,
        e(
            "BR_ERR_BAD_FRAGLEN",
            BR,
            "the server's answer to the smaller-buffer request (max fragment length) does not match what the board asked for",
            "use the default buffers, or call setBufferSizes() only after probeMaxFragmentLength() returned true for that size",
        ),
    ),
    (
        19,
        e(
            "BR_ERR_BAD_SECRENEG",
            BR,
            "the server's secure renegotiation data did not check out",
            NET_FIX,
        ),
    ),
    (
        20,
        e(
            "BR_ERR_EXTRA_EXTENSION",
            BR,
            "the server sent a TLS extension the board never asked for",
            NET_FIX,
        ),
    ),
    (
        21,
        e(
            "BR_ERR_BAD_SNI",
            BR,
            "the server's reply to the host name (SNI) extension was malformed",
            NET_FIX,
        ),
    ),
    (
        22,
        e(
            "BR_ERR_BAD_HELLO_DONE",
            BR,
            "the server's ServerHelloDone was malformed",
            NET_FIX,
        ),
    ),
    (
        23,
        e(
            "BR_ERR_LIMIT_EXCEEDED",
            BR,
            "something from the server exceeds BearSSL's limits, e.g. a public key that is too large",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        24,
        e(
            "BR_ERR_BAD_FINISHED",
            BR,
            "the handshake's final check failed: the two sides saw different handshakes",
            RETRY_FIX,
        ),
    ),
    (
        25,
        e(
            "BR_ERR_RESUME_MISMATCH",
            BR,
            "a resumed session came back with another TLS version or cipher suite",
            "drop the saved session (do not call setSession(), or start a new Session) and connect afresh",
        ),
    ),
    (
        26,
        e(
            "BR_ERR_INVALID_ALGORITHM",
            BR,
            "an unsupported curve, signature or hash algorithm: often a device key on a curve BearSSL lacks, or an EC key with the basic-SSL build",
            "use an RSA-2048 or EC P-256 device key; do not build with BEARSSL_SSL_BASIC",
        ),
    ),
    (
        27,
        e(
            "BR_ERR_BAD_SIGNATURE",
            BR,
            "the server's handshake signature did not verify against its certificate",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        28,
        e(
            "BR_ERR_WRONG_KEY_USAGE",
            BR,
            "the server's key is not allowed for the chosen cipher suite, or a key given with setKnownKey() does not fit",
            "keep the default cipher list; check the key passed to setKnownKey(), or use setTrustAnchors() instead",
        ),
    ),
    (
        29,
        e(
            "BR_ERR_NO_CLIENT_AUTH",
            BR_SERVER,
            "the board, acting as TLS server with client certificates required, got no certificate from the client or one that did not validate; an ESP connecting to AWS IoT never reports this",
            "check the certificate the connecting client presents and the trust anchor set with setClientTrustAnchor()",
        ),
    ),
    (
        31,
        e(
            "BR_ERR_IO",
            BR_UNUSED,
            "an I/O error or early close on the socket; only BearSSL's own I/O layer sets it, which WiFiClientSecure does not use, so a dropped connection shows as 0 (OK) instead",
            POLICY_FIX,
        ),
    ),
    (
        32,
        e(
            "BR_ERR_X509_OK",
            BR,
            "not an error: certificate validation succeeded (getLastSSLError prints \"Unknown error code.\" for it)",
            "read the lines around it for the real failure",
        ),
    ),
    (
        33,
        e(
            "BR_ERR_X509_INVALID_VALUE",
            BR,
            "a certificate the server sent has an invalid field",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        34,
        e(
            "BR_ERR_X509_TRUNCATED",
            BR,
            "a certificate the server sent is cut off",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        35,
        e(
            "BR_ERR_X509_EMPTY_CHAIN",
            BR,
            "the server sent no certificate at all",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        36,
        e(
            "BR_ERR_X509_INNER_TRUNC",
            BR,
            "a certificate the server sent is malformed (an inner element overruns its container)",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        37,
        e(
            "BR_ERR_X509_BAD_TAG_CLASS",
            BR,
            "a certificate the server sent uses an unsupported ASN.1 tag class",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        38,
        e(
            "BR_ERR_X509_BAD_TAG_VALUE",
            BR,
            "a certificate the server sent uses an unsupported ASN.1 tag",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        39,
        e(
            "BR_ERR_X509_INDEFINITE_LENGTH",
            BR,
            "a certificate the server sent uses an indefinite length, which DER forbids",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        40,
        e(
            "BR_ERR_X509_EXTRA_ELEMENT",
            BR,
            "a certificate the server sent has an extra element",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        41,
        e(
            "BR_ERR_X509_UNEXPECTED",
            BR,
            "a certificate the server sent has an unexpected element",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        42,
        e(
            "BR_ERR_X509_NOT_CONSTRUCTED",
            BR,
            "a certificate the server sent has a primitive element where a constructed one belongs",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        43,
        e(
            "BR_ERR_X509_NOT_PRIMITIVE",
            BR,
            "a certificate the server sent has a constructed element where a primitive one belongs",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        44,
        e(
            "BR_ERR_X509_PARTIAL_BYTE",
            BR,
            "a certificate the server sent has a BIT STRING that is not whole bytes",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        45,
        e(
            "BR_ERR_X509_BAD_BOOLEAN",
            BR,
            "a certificate the server sent has a malformed BOOLEAN",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        46,
        e(
            "BR_ERR_X509_OVERFLOW",
            BR,
            "a certificate the server sent has a value out of range",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        47,
        e(
            "BR_ERR_X509_BAD_DN",
            BR,
            "a certificate the server sent has a malformed name (DN)",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        48,
        e(
            "BR_ERR_X509_BAD_TIME",
            BR,
            "a certificate the server sent has a malformed validity date",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        49,
        e(
            "BR_ERR_X509_UNSUPPORTED",
            BR,
            "a certificate in the chain uses a feature BearSSL cannot ignore",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        50,
        e(
            "BR_ERR_X509_LIMIT_EXCEEDED",
            BR,
            "a key or signature in the chain is larger than BearSSL handles (over RSA-4096)",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        51,
        e(
            "BR_ERR_X509_WRONG_KEY_TYPE",
            BR,
            "the server's certificate holds another key type than the cipher suite needs (RSA vs EC)",
            "keep the default cipher list; load Amazon Root CA 1 and 3 so both RSA and ECC chains validate",
        ),
    ),
    (
        52,
        e(
            "BR_ERR_X509_BAD_SIGNATURE",
            BR,
            "a signature in the server's chain is invalid: a trust anchor with the right name but the wrong key, or a damaged chain",
            ROOT_FIX,
        ),
    ),
    (
        53,
        e(
            "BR_ERR_X509_TIME_UNKNOWN",
            BR,
            "the certificate check has no time: the clock was never set",
            TIME_FIX,
        ),
    ),
    (
        54,
        e(
            "BR_ERR_X509_EXPIRED",
            BR,
            "a certificate is expired or not yet valid: almost always the ESP's clock was never set (it starts in 1970); with the clock right, a certificate really expired: the server's, or a CA certificate built into the sketch or a library",
            "set the clock before connecting: call configTime() so SNTP runs, wait until time(nullptr) > 1600000000, or pass the time with setX509Time(); if the clock is right, update the expired certificate (a root CA hard-coded in the sketch or a library is the usual one)",
        ),
    ),
    (
        55,
        e(
            "BR_ERR_X509_DN_MISMATCH",
            BR,
            "the chain's issuer and subject names do not link",
            ROOT_FIX,
        ),
    ),
    (
        56,
        e(
            "BR_ERR_X509_BAD_SERVER_NAME",
            BR,
            "the server's certificate is not for the host name the sketch connected to",
            "connect with the endpoint name exactly as AWS IoT shows it (Settings > Device data endpoint), not a custom or misspelt name",
        ),
    ),
    (
        57,
        e(
            "BR_ERR_X509_CRITICAL_EXTENSION",
            BR,
            "a certificate in the chain has a critical extension BearSSL does not know",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        58,
        e(
            "BR_ERR_X509_NOT_CA",
            BR,
            "a certificate in the chain is not allowed to sign others (not a CA, or path too long)",
            ROOT_FIX,
        ),
    ),
    (
        59,
        e(
            "BR_ERR_X509_FORBIDDEN_KEY_USAGE",
            BR,
            "the server certificate's key usage forbids what the cipher suite needs",
            "keep the default cipher list; check the endpoint",
        ),
    ),
    (
        60,
        e(
            "BR_ERR_X509_WEAK_PUBLIC_KEY",
            BR,
            "a public key in the chain is too small",
            SERVER_CHAIN_FIX,
        ),
    ),
    (
        62,
        e(
            "BR_ERR_X509_NOT_TRUSTED",
            BR,
            "the server's chain could not be linked to a trust anchor: the root CA is wrong or missing",
            ROOT_FIX,
        ),
    ),
    (
        256,
        e(
            "BR_ERR_RECV_FATAL_ALERT",
            BR,
            "the server sent a fatal TLS alert; the number minus 256 is the alert (256 alone is a fatal close_notify)",
            "look the alert up: 298 = 42 bad_certificate, 302 = 46 certificate_unknown, 304 = 48 unknown_ca, 376 = 120 no_application_protocol",
        ),
    ),
    (
        512,
        e(
            "BR_ERR_SEND_FATAL_ALERT",
            BR_SERVER,
            "the board, acting as TLS server, aborted the handshake with a fatal alert; the number minus 512 is the alert it sent",
            "look the alert up: 552 = 40 handshake_failure (no common cipher suite), 582 = 70 protocol_version, 632 = 120 no_application_protocol",
        ),
    ),
];

/// What `getLastSSLError()` prints for a code it knows nothing about (also for 32, 256+
/// and 512+ numbers in core 2.x, and after the alert prefix for alerts without a twin).
pub const BEARSSL_UNKNOWN_TEXT: &str = "Unknown error code.";
/// Prefix core 3.x puts before the text when the peer sent a fatal alert.
pub const BEARSSL_RECV_ALERT_PREFIX: &str = "SSL received fatal alert - ";
/// Prefix core 3.x puts before the text when BearSSL sent a fatal alert.
pub const BEARSSL_SENT_ALERT_PREFIX: &str = "SSL sent fatal alert - ";

/// The exact text ESP8266 Arduino's `getLastSSLError()` writes for each code (no prefix).
pub const BEARSSL_TEXTS: &[(i32, &str)] = &[
    (0, "OK"),
    (
        -1000,
        "Unable to allocate memory for SSL structures and buffers.",
    ),
    (1, "Caller-provided parameter is incorrect."),
    (
        2,
        "Operation requested by the caller cannot be applied with the current context state (e.g. reading data while outgoing data is waiting to be sent).",
    ),
    (3, "Incoming protocol or record version is unsupported."),
    (
        4,
        "Incoming record version does not match the expected version.",
    ),
    (5, "Incoming record length is invalid."),
    (
        6,
        "Incoming record is too large to be processed, or buffer is too small for the handshake message to send.",
    ),
    (
        7,
        "Decryption found an invalid padding, or the record MAC is not correct.",
    ),
    (
        8,
        "No initial entropy was provided, and none can be obtained from the OS.",
    ),
    (9, "Incoming record type is unknown."),
    (
        10,
        "Incoming record or message has wrong type with regards to the current engine state.",
    ),
    (
        12,
        "ChangeCipherSpec message from the peer has invalid contents.",
    ),
    (
        13,
        "Alert message from the peer has invalid contents (odd length).",
    ),
    (14, "Incoming handshake message decoding failed."),
    (
        15,
        "ServerHello contains a session ID which is larger than 32 bytes.",
    ),
    (
        16,
        "Server wants to use a cipher suite that we did not claim to support. This is also reported if we tried to advertise a cipher suite that we do not support.",
    ),
    (
        17,
        "Server wants to use a compression that we did not claim to support.",
    ),
    (18, "Server's max fragment length does not match client's."),
    (19, "Secure renegotiation failed."),
    (
        20,
        "Server sent an extension type that we did not announce, or used the same extension type several times in a single ServerHello.",
    ),
    (
        21,
        "Invalid Server Name Indication contents (when used by the server, this extension shall be empty).",
    ),
    (
        22,
        "Invalid ServerHelloDone from the server (length is not 0).",
    ),
    (
        23,
        "Internal limit exceeded (e.g. server's public key is too large).",
    ),
    (
        24,
        "Finished message from peer does not match the expected value.",
    ),
    (
        25,
        "Session resumption attempt with distinct version or cipher suite.",
    ),
    (
        26,
        "Unsupported or invalid algorithm (ECDHE curve, signature algorithm, hash function).",
    ),
    (
        27,
        "Invalid signature in ServerKeyExchange or CertificateVerify message.",
    ),
    (
        28,
        "Peer's public key does not have the proper type or is not allowed for the requested operation.",
    ),
    (
        29,
        "Client did not send a certificate upon request, or the client certificate could not be validated.",
    ),
    (31, "I/O error or premature close on transport stream."),
    (33, "Invalid value in an ASN.1 structure."),
    (34, "Truncated certificate or other ASN.1 object."),
    (35, "Empty certificate chain (no certificate at all)."),
    (
        36,
        "Decoding error: inner element extends beyond outer element size.",
    ),
    (
        37,
        "Decoding error: unsupported tag class (application or private).",
    ),
    (38, "Decoding error: unsupported tag value."),
    (39, "Decoding error: indefinite length."),
    (40, "Decoding error: extraneous element."),
    (41, "Decoding error: unexpected element."),
    (
        42,
        "Decoding error: expected constructed element, but is primitive.",
    ),
    (
        43,
        "Decoding error: expected primitive element, but is constructed.",
    ),
    (
        44,
        "Decoding error: BIT STRING length is not multiple of 8.",
    ),
    (45, "Decoding error: BOOLEAN value has invalid length."),
    (46, "Decoding error: value is off-limits."),
    (47, "Invalid distinguished name."),
    (48, "Invalid date/time representation."),
    (
        49,
        "Certificate contains unsupported features that cannot be ignored.",
    ),
    (50, "Key or signature size exceeds internal limits."),
    (51, "Key type does not match that which was expected."),
    (52, "Signature is invalid."),
    (53, "Validation time is unknown."),
    (54, "Certificate is expired or not yet valid."),
    (55, "Issuer/Subject DN mismatch in the chain."),
    (56, "Expected server name was not found in the chain."),
    (57, "Unknown critical extension in certificate."),
    (58, "Not a CA, or path length constraint violation."),
    (59, "Key Usage extension prohibits intended usage."),
    (60, "Public key found in certificate is too small."),
    (62, "Chain could not be linked to a trust anchor."),
];

/// Every alert in the IANA TLS Alerts registry, read as "the server sent this to the
/// board". Reserved numbers keep the `_RESERVED` name RFC 5246 / RFC 8446 give them;
/// `decompression_failure` (30), `no_renegotiation` (100), `certificate_unobtainable` (111)
/// and `bad_certificate_hash_value` (114) keep their TLS 1.2 names (TLS 1.3 reserves them).
pub const TLS_ALERTS: &[(u8, Entry)] = &[
    (
        0,
        e(
            "close_notify",
            TLS12,
            "the server closed the connection in an orderly way; right after MQTT CONNECT this is AWS IoT refusing the client (policy or certificate)",
            POLICY_FIX,
        ),
    ),
    (
        10,
        e(
            "unexpected_message",
            TLS12,
            "the server got a message it did not expect at that point",
            "retry; if it repeats, update the core and report it",
        ),
    ),
    (
        20,
        e(
            "bad_record_mac",
            TLS12,
            "the server could not verify a record from the board: data was damaged on the way",
            RETRY_FIX,
        ),
    ),
    (
        21,
        e(
            "decryption_failed_RESERVED",
            "SSL 3.0 / TLS 1.0 only (reserved since TLS 1.1)",
            "an old-style decryption failure; a current server never sends it",
            "retry; check that a current TLS server answers on that port",
        ),
    ),
    (
        22,
        e(
            "record_overflow",
            TLS12,
            "the server got a record longer than allowed",
            "update the core; do not change the send buffer to more than 16384",
        ),
    ),
    (
        30,
        e(
            "decompression_failure",
            "TLS 1.2 (RFC 5246); reserved in TLS 1.3",
            "the server could not decompress a record (TLS compression is not used today)",
            UPDATE_FIX,
        ),
    ),
    (
        40,
        e(
            "handshake_failure",
            TLS12,
            "the server found no TLS version, cipher suite or curve in common with the board",
            "keep the default cipher list and TLS 1.2; use an RSA-2048 or EC P-256 device certificate",
        ),
    ),
    (
        41,
        e(
            "no_certificate_RESERVED",
            "SSL 3.0 only (reserved in TLS)",
            "the server says no certificate was sent (SSL 3.0 wording)",
            CERT_FIX,
        ),
    ),
    (
        42,
        e(
            "bad_certificate",
            TLS12,
            "the server refused the device certificate: damaged, or the private key does not belong to it",
            CERT_FIX,
        ),
    ),
    (
        43,
        e(
            "unsupported_certificate",
            TLS12,
            "the server does not accept this kind of device certificate",
            KEY_FIX,
        ),
    ),
    (
        44,
        e(
            "certificate_revoked",
            TLS12,
            "the server says the device certificate is revoked",
            "create a new certificate in AWS IoT and flash it",
        ),
    ),
    (
        45,
        e(
            "certificate_expired",
            TLS12,
            "the server says the device certificate has expired",
            "create a new certificate in AWS IoT and flash it",
        ),
    ),
    (
        46,
        e(
            "certificate_unknown",
            TLS12,
            "the server does not accept the device certificate (inactive, not registered, or its CA unknown)",
            "activate the certificate in AWS IoT, or register its CA; check it is the certificate you flashed",
        ),
    ),
    (
        47,
        e(
            "illegal_parameter",
            TLS12,
            "the server found a field in the board's handshake out of range",
            UPDATE_FIX,
        ),
    ),
    (
        48,
        e(
            "unknown_ca",
            TLS12,
            "the server does not know the CA that issued the device certificate",
            "register that CA in AWS IoT, or use a certificate AWS IoT created",
        ),
    ),
    (
        49,
        e(
            "access_denied",
            TLS12,
            "the server accepted the certificate but refuses access",
            POLICY_FIX,
        ),
    ),
    (
        50,
        e(
            "decode_error",
            TLS12,
            "the server could not parse a message from the board",
            UPDATE_FIX,
        ),
    ),
    (
        51,
        e(
            "decrypt_error",
            TLS12,
            "a signature check failed on the server: usually the private key does not match the device certificate",
            "flash the private key that belongs to the certificate (thingflash check)",
        ),
    ),
    (
        52,
        e(
            "too_many_cids_requested",
            "DTLS 1.3 (RFC 9146 connection ids); never over TCP",
            "a DTLS peer asked for too many connection ids",
            "nothing for an MQTT board; this alert belongs to DTLS",
        ),
    ),
    (
        60,
        e(
            "export_restriction_RESERVED",
            "SSL 3.0 / TLS 1.0 only (reserved)",
            "an export-cipher refusal from the 1990s; a current server never sends it",
            UPDATE_FIX,
        ),
    ),
    (
        70,
        e(
            "protocol_version",
            TLS12,
            "the endpoint's security policy does not allow the board's TLS version",
            "use TLS 1.2 (BearSSL's maximum); in AWS IoT, use a domain configuration whose security policy allows TLS 1.2",
        ),
    ),
    (
        71,
        e(
            "insufficient_security",
            TLS12,
            "the board's cipher suites are too weak for the endpoint's policy",
            "keep the default cipher list (not setCiphersLessSecure()); use an RSA-2048 or EC P-256 certificate",
        ),
    ),
    (
        80,
        e(
            "internal_error",
            TLS12,
            "the server had an internal error",
            "retry later",
        ),
    ),
    (
        86,
        e(
            "inappropriate_fallback",
            "TLS (RFC 7507), any board",
            "the server caught a retry at a lower TLS version than both sides support",
            "do not lower the TLS version after a failure; fix the first error instead",
        ),
    ),
    (
        90,
        e(
            "user_canceled",
            TLS12,
            "the server cancelled the handshake",
            "retry; read the alert that follows, if any",
        ),
    ),
    (
        100,
        e(
            "no_renegotiation",
            "TLS 1.2 (RFC 5246); reserved in TLS 1.3; BearSSL treats it as fatal",
            "the server refused to renegotiate the session",
            "reconnect instead of renegotiating",
        ),
    ),
    (
        109,
        e(
            "missing_extension",
            TLS13,
            "the board's handshake lacks an extension the server requires",
            "send the endpoint as SNI (connect by host name, not IP address); update the TLS library",
        ),
    ),
    (
        110,
        e(
            "unsupported_extension",
            TLS12,
            "the board's handshake holds an extension the server does not allow there",
            UPDATE_FIX,
        ),
    ),
    (
        111,
        e(
            "certificate_unobtainable",
            "TLS 1.2 (RFC 6066); reserved in TLS 1.3",
            "the server could not fetch a certificate from a URL the board gave",
            "send the certificate itself, not a URL",
        ),
    ),
    (
        112,
        e(
            "unrecognized_name",
            "TLS (RFC 6066), any board",
            "the server serves no host by the SNI name the board sent: wrong endpoint, or the name is missing",
            "connect by the endpoint host name exactly as AWS IoT shows it (Settings > Device data endpoint)",
        ),
    ),
    (
        113,
        e(
            "bad_certificate_status_response",
            "TLS (RFC 6066), any board",
            "the server rejected a certificate status (OCSP) response",
            UPDATE_FIX,
        ),
    ),
    (
        114,
        e(
            "bad_certificate_hash_value",
            "TLS 1.2 (RFC 6066); reserved in TLS 1.3",
            "a certificate fetched from a URL did not match its hash",
            "send the certificate itself, not a URL",
        ),
    ),
    (
        115,
        e(
            "unknown_psk_identity",
            "TLS with pre-shared keys (RFC 4279)",
            "the server does not know the board's pre-shared key identity (AWS IoT does not use PSK)",
            "use X.509 certificates for AWS IoT",
        ),
    ),
    (
        116,
        e(
            "certificate_required",
            TLS13,
            "the server wanted a device certificate and got none",
            "load the device certificate and key before connecting (setClientRSACert() or setClientECCert())",
        ),
    ),
    (
        117,
        e(
            "general_error",
            "TLS 1.3 (RFC 8446 update), any board",
            "the server failed without a more specific alert",
            "retry; read the server side (AWS IoT logs) if it repeats",
        ),
    ),
    (
        120,
        e(
            "no_application_protocol",
            "TLS (RFC 7301), any board",
            "the server does not accept the ALPN name (or got none): on port 443 AWS IoT needs ALPN x-amzn-mqtt-ca for certificate login",
            "connect on port 8883, or on 443 send ALPN x-amzn-mqtt-ca",
        ),
    ),
    (
        121,
        e(
            "ech_required",
            "TLS 1.3 with Encrypted Client Hello; not ESP8266 BearSSL",
            "the server requires Encrypted Client Hello",
            "nothing on AWS IoT; use an ECH-capable TLS client for that server",
        ),
    ),
];

/// Literal text the core's `DEBUG_BSSL` macro prints with Tools > Debug port and Debug level
/// "SSL" (`"BSSL:" fmt`, from `WiFiClientSecureBearSSL.cpp` and `CertStoreBearSSL.cpp`,
/// 2.7.4 to master). Each key is a substring of the line, the `%s` part left off; the line
/// often starts in the middle of the sketch's own output ("Attempting MQTT connection...BSSL:").
pub const BSSL_DEBUG_LINES: &[(&str, Entry)] = &[
    (
        "insecure_end_chain: Received cert FP doesn't match",
        e(
            "bssl-fingerprint-mismatch",
            BR,
            "the server's certificate does not have the SHA-1 fingerprint the sketch set with setFingerprint(): the server renewed its certificate (they do every few months), so the fingerprint in the sketch is outdated",
            "put the server's current fingerprint in the sketch, or better use setTrustAnchors() with the server's root CA, which survives renewals (AWS: Amazon Root CA 1)",
        ),
    ),
    (
        "no authentication method is setup",
        e(
            "bssl-no-auth-method",
            BR,
            "WiFiClientSecure was given no way to check the server: no trust anchor (root CA), no fingerprint and no setInsecure(), so BearSSL refuses to connect",
            "call setTrustAnchors() with the server's root CA (AWS: Amazon Root CA 1), or setFingerprint(), before connect(); setInsecure() only for a test",
        ),
    ),
    (
        "BSSL:Couldn't connect. Error = '",
        e(
            "bssl-connect-error",
            BR,
            "the TLS handshake failed; the quoted text is getLastSSLError()",
            "read the quoted text: it is one of the BearSSL errors",
        ),
    ),
    (
        "BSSL:_wait_for_handshake: failed",
        e(
            "bssl-handshake-failed",
            BR,
            "the TLS handshake did not complete",
            "read the Error = '...' line that follows",
        ),
    ),
    (
        "BSSL:_connectSSL: start connection",
        e(
            "bssl-start",
            BR,
            "TCP is up; the TLS handshake starts",
            "nothing to do",
        ),
    ),
    (
        "BSSL:Connected!",
        e(
            "bssl-connected",
            BR,
            "the TLS handshake succeeded",
            "nothing to do; if MQTT fails now, the cause is the AWS IoT policy or client id",
        ),
    ),
    (
        "BSSL:_connectSSL: OOM error",
        e(
            "bssl-oom",
            BR,
            "not enough heap for the TLS context and buffers (getLastSSLError gives -1000)",
            "free heap before connecting; print ESP.getFreeHeap() just before connect()",
        ),
    ),
    (
        "BSSL:_connectSSL: Can't install x509 validator",
        e(
            "bssl-oom-validator",
            BR,
            "not enough heap for the certificate checker (getLastSSLError gives -1000)",
            "free heap before connecting",
        ),
    ),
    (
        "BSSL:_installClientX509Validator: OOM for ",
        e(
            "bssl-oom-validator-alloc",
            BR,
            "the certificate checker could not be allocated",
            "free heap before connecting",
        ),
    ),
    (
        "BSSL:Connection *will* fail, no authentication method is setup",
        e(
            "bssl-no-auth",
            BR,
            "the sketch set no way to check the server: no trust anchor, fingerprint, known key or setInsecure()",
            "call setTrustAnchors() with Amazon Root CA 1 before connect()",
        ),
    ),
    (
        "Attempting to use EC ",
        e(
            "bssl-ec-in-basic",
            BR,
            "an EC key or certificate was used with the basic-SSL build, which has no EC",
            "build without BEARSSL_SSL_BASIC, or use an RSA key",
        ),
    ),
    (
        "BSSL:_connectSSL: Can't reset client",
        e(
            "bssl-reset-failed",
            BR,
            "BearSSL refused to start the handshake (bad parameters or memory)",
            "check the host name and loaded certificates; free heap",
        ),
    ),
    (
        "BSSL:connect: Name lo",
        e(
            "bssl-dns-failed",
            BR,
            "the endpoint's host name did not resolve (core 2.x prints \"Name loopup failure\")",
            "check the endpoint spelling and region, and that the WiFi network has DNS",
        ),
    ),
    (
        "BSSL:connect: Unable to connect TCP socket",
        e(
            "bssl-tcp-failed",
            BR,
            "the TCP connection to the endpoint failed before TLS",
            "check the port (8883) and that the network lets it out",
        ),
    ),
    (
        "BSSL:_run_until: Timeout",
        e(
            "bssl-timeout",
            BR,
            "the server did not answer in time",
            "check the network; raise setTimeout() if the link is slow",
        ),
    ),
    (
        "BSSL:_run_until: Not connected",
        e(
            "bssl-not-connected",
            BR,
            "TLS was used with no connection",
            "check connected() before reading or writing",
        ),
    ),
    (
        "BSSL:_run_until: Fatal protocol state",
        e(
            "bssl-protocol-state",
            BR,
            "BearSSL reached a state it cannot leave (write blocked by unread data)",
            "read incoming data before writing; update the MQTT library",
        ),
    ),
    (
        "BSSL:read: Not connected",
        e(
            "bssl-read-closed",
            BR,
            "a read found the connection closed",
            "read the lines before: the server or WiFi dropped the connection",
        ),
    ),
    (
        "BSSL:read: failed",
        e(
            "bssl-read-failed",
            "ESP8266 Arduino core (BearSSL) up to 3.1.2",
            "a read returned no data",
            "usually harmless; if the connection then drops, read the lines before",
        ),
    ),
    (
        "BSSL:write: ",
        e(
            "bssl-write-no-connection",
            BR,
            "a write happened before the handshake completed or after the connection closed",
            "check connected() before writing",
        ),
    ),
    (
        "BSSL:insecure_end_chain: Received cert FP doesn't match",
        e(
            "bssl-fingerprint-mismatch",
            BR,
            "the server certificate's SHA-1 fingerprint is not the one set with setFingerprint(); AWS rotates its certificates",
            "use setTrustAnchors() with Amazon Root CA 1 instead of a fingerprint",
        ),
    ),
    (
        "BSSL:insecure_end_chain: ",
        e(
            "bssl-insecure-chain",
            BR,
            "the fingerprint or self-signed check on the server certificate failed",
            "use setTrustAnchors() with Amazon Root CA 1",
        ),
    ),
    (
        "BSSL:setFingerprint: ",
        e(
            "bssl-bad-fingerprint",
            BR,
            "the fingerprint string given to setFingerprint() is malformed",
            "use setTrustAnchors() with Amazon Root CA 1 instead",
        ),
    ),
    (
        "BSSL:setCiphers: list empty",
        e(
            "bssl-no-ciphers",
            BR,
            "setCiphers() got an empty list",
            "remove setCiphers() to keep the default list",
        ),
    ),
    (
        "BSSL:probeMaxFragmentLength: ",
        e(
            "bssl-mfln-probe",
            BR,
            "probing whether the server accepts smaller TLS buffers failed",
            "keep the default buffer sizes",
        ),
    ),
    (
        "BSSL:CertStore::",
        e(
            "bssl-certstore-oom",
            BR,
            "the certificate store ran out of memory",
            "free heap, or load only Amazon Root CA 1 with setTrustAnchors()",
        ),
    ),
    (
        "BSSL:_connectSSLServer",
        e(
            "bssl-server-setup",
            BR_SERVER,
            "the board's TLS server could not start a session (memory or certificate)",
            "free heap; check the server certificate and key",
        ),
    ),
    (
        "BSSL:CERT: ",
        e(
            "bssl-cert-dump",
            BR,
            "a hex dump of the server certificate (insecure or fingerprint mode)",
            "nothing to do",
        ),
    ),
];
