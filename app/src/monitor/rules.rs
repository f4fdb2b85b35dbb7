//! The decoder's knowledge, as tables: mbedTLS 3.x error codes, X.509 verify flags, TLS
//! alerts, BearSSL's `getLastSSLError` numbers, PubSubClient states, MQTT 5 reason codes,
//! WiFi disconnect reasons and ESP32 ROM reset reasons. Each entry says what happened in
//! a maker's words and what to do. Sources: `shared/reference/tls-errors.md`.

/// A plain-language reading of a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Meaning {
    /// Short name (the library's identifier or a label).
    pub name: &'static str,
    /// What it means for this board.
    pub cause: &'static str,
    /// What to do.
    pub fix: &'static str,
}

const fn m(name: &'static str, cause: &'static str, fix: &'static str) -> Meaning {
    Meaning { name, cause, fix }
}

const CLOCK_FIX: &str = "the board must set its clock by SNTP before TLS; check that the WiFi network lets UDP port 123 out";
const POLICY_FIX: &str = "in AWS IoT, attach a policy that allows iot:Connect for this client id to the certificate, make sure the certificate is ACTIVE and attached to the thing";
const ROOT_FIX: &str = "use Amazon Root CA 1 (RSA) or 3 (ECC) with the -ats endpoint; thingflash bundles both when you drop no root CA";

/// mbedTLS 3.6 high-level codes (the part of a code above 0x7F), positive values.
pub const MBEDTLS_HIGH: &[(u16, Meaning)] = &[
    (
        0x2700,
        m(
            "X509_CERT_VERIFY_FAILED",
            "the server's certificate did not verify",
            "read the verify flags that follow",
        ),
    ),
    (
        0x7780,
        m(
            "SSL_FATAL_ALERT_MESSAGE",
            "the server sent a fatal TLS alert",
            "read the alert number: 42/46/48 mean the device certificate was refused",
        ),
    ),
    (
        0x7880,
        m(
            "SSL_PEER_CLOSE_NOTIFY",
            "the server closed the connection",
            POLICY_FIX,
        ),
    ),
    (
        0x7280,
        m(
            "SSL_CONN_EOF",
            "the connection ended unexpectedly",
            POLICY_FIX,
        ),
    ),
    (
        0x7580,
        m(
            "SSL_NO_APPLICATION_PROTOCOL",
            "the server accepted none of the ALPN protocols offered",
            "on port 443 the board must offer ALPN x-amzn-mqtt-ca; or use port 8883",
        ),
    ),
    (
        0x7800,
        m(
            "SSL_UNRECOGNIZED_NAME",
            "the server serves no host by the SNI name sent",
            "check the endpoint: copy it again from the AWS IoT console (Settings)",
        ),
    ),
    (
        0x5D80,
        m(
            "SSL_CERTIFICATE_VERIFICATION_WITHOUT_HOSTNAME",
            "TLS started without a host name (SNI)",
            "a firmware bug: the endpoint host must be set before the handshake",
        ),
    ),
    (
        0x7600,
        m(
            "SSL_PRIVATE_KEY_REQUIRED",
            "the board has no private key loaded",
            "reflash the credentials with thingflash",
        ),
    ),
    (
        0x7680,
        m(
            "SSL_CA_CHAIN_REQUIRED",
            "the board has no root CA loaded",
            "reflash the credentials with thingflash",
        ),
    ),
    (
        0x7A00,
        m(
            "SSL_BAD_CERTIFICATE",
            "a certificate in the handshake could not be processed",
            "reflash the credentials; if it persists, the certificate may be too large for the TLS buffer",
        ),
    ),
    (
        0x6E00,
        m(
            "SSL_HANDSHAKE_FAILURE",
            "no TLS version, cipher suite or curve in common with the server",
            "use an RSA-2048 or EC P-256 certificate; AWS IoT needs TLS 1.2 or 1.3",
        ),
    ),
    (
        0x6E80,
        m(
            "SSL_BAD_PROTOCOL_VERSION",
            "the server refused the TLS version",
            "AWS IoT needs TLS 1.2 or newer",
        ),
    ),
    (
        0x7F00,
        m(
            "SSL_ALLOC_FAILED",
            "the board ran out of memory during TLS",
            "free heap before TLS, or use an EC P-256 certificate (smaller handshake)",
        ),
    ),
    (
        0x6A00,
        m(
            "SSL_BUFFER_TOO_SMALL",
            "a TLS record did not fit in the buffer",
            "increase the TLS buffer size in the firmware",
        ),
    ),
    (
        0x6800,
        m(
            "SSL_TIMEOUT",
            "the TLS handshake timed out",
            "check the network; a firewall may block port 8883 (try 443)",
        ),
    ),
    (
        0x7700,
        m(
            "SSL_UNEXPECTED_MESSAGE",
            "the server sent an unexpected message",
            "check that the endpoint is an MQTT endpoint and the port is 8883 or 443",
        ),
    ),
    (
        0x7200,
        m(
            "SSL_INVALID_RECORD",
            "an invalid TLS record arrived",
            "check the port: the server may not be speaking TLS there",
        ),
    ),
    (
        0x7180,
        m(
            "SSL_INVALID_MAC",
            "a TLS record failed its integrity check",
            "a network problem or memory corruption; retry",
        ),
    ),
    (
        0x7300,
        m(
            "SSL_DECODE_ERROR",
            "a TLS message could not be parsed",
            "check the port and endpoint",
        ),
    ),
    (
        0x6D00,
        m(
            "SSL_PK_TYPE_MISMATCH",
            "the key type does not fit the negotiated cipher",
            "the device key and certificate must be a pair (thingflash checks this before flashing)",
        ),
    ),
    (
        0x6C00,
        m(
            "SSL_INTERNAL_ERROR",
            "mbedTLS hit an internal error",
            "retry; report it if it repeats",
        ),
    ),
    (
        0x6600,
        m(
            "SSL_ILLEGAL_PARAMETER",
            "a TLS message field was inconsistent",
            "retry; check the endpoint",
        ),
    ),
    (
        0x7080,
        m(
            "SSL_FEATURE_UNAVAILABLE",
            "a TLS feature the server needs is not built in",
            "use an RSA-2048 or EC P-256 certificate",
        ),
    ),
    (
        0x2180,
        m(
            "X509_INVALID_FORMAT",
            "a certificate in flash is not valid DER",
            "reflash the credentials with thingflash",
        ),
    ),
    (
        0x2400,
        m(
            "X509_INVALID_DATE",
            "a certificate date could not be read",
            "reflash the credentials",
        ),
    ),
    (
        0x2780,
        m(
            "X509_CERT_UNKNOWN_FORMAT",
            "a certificate is neither DER nor PEM",
            "reflash the credentials",
        ),
    ),
    (
        0x2880,
        m(
            "X509_ALLOC_FAILED",
            "out of memory while parsing a certificate",
            "free heap before TLS",
        ),
    ),
    (
        0x3000,
        m(
            "X509_FATAL_ERROR",
            "certificate chain too long or verify callback failed",
            "use the Amazon root CA directly",
        ),
    ),
    (
        0x3D00,
        m(
            "PK_KEY_INVALID_FORMAT",
            "the private key in flash cannot be parsed",
            "reflash the credentials with thingflash",
        ),
    ),
    (
        0x3C80,
        m(
            "PK_UNKNOWN_PK_ALG",
            "the private key's algorithm is not supported",
            "use an RSA-2048 or EC P-256 key",
        ),
    ),
    (
        0x3A00,
        m(
            "PK_UNKNOWN_NAMED_CURVE",
            "the key's curve is not supported",
            "use an EC P-256 or P-384 key",
        ),
    ),
    (
        0x3C00,
        m(
            "PK_PASSWORD_REQUIRED",
            "the private key is encrypted",
            "flash the key decrypted (thingflash decrypts it with your passphrase)",
        ),
    ),
    (
        0x3F80,
        m(
            "PK_ALLOC_FAILED",
            "out of memory loading the key",
            "free heap before TLS",
        ),
    ),
    (
        0x1080,
        m(
            "PEM_NO_HEADER_FOOTER_PRESENT",
            "a PEM certificate or key is damaged",
            "reflash the credentials",
        ),
    ),
];

/// mbedTLS low-level codes (0x02..=0x7F).
pub const MBEDTLS_LOW: &[(u16, Meaning)] = &[
    (
        0x0050,
        m(
            "NET_CONN_RESET",
            "the server reset the connection",
            POLICY_FIX,
        ),
    ),
    (
        0x004C,
        m(
            "NET_RECV_FAILED",
            "reading from the network failed",
            "check the WiFi link",
        ),
    ),
    (
        0x004E,
        m(
            "NET_SEND_FAILED",
            "sending to the network failed",
            "check the WiFi link",
        ),
    ),
    (
        0x0044,
        m(
            "NET_CONNECT_FAILED",
            "the TCP connection to the endpoint failed",
            "check the endpoint and that port 8883 (or 443) is open on this network",
        ),
    ),
    (
        0x0052,
        m(
            "NET_UNKNOWN_HOST",
            "the endpoint name did not resolve",
            "check the endpoint spelling and the network's DNS",
        ),
    ),
    (
        0x0060,
        m(
            "ASN1_OUT_OF_DATA",
            "an ASN.1 structure is cut off",
            "reflash the credentials",
        ),
    ),
    (
        0x0062,
        m(
            "ASN1_UNEXPECTED_TAG",
            "an ASN.1 structure has an unexpected tag",
            "reflash the credentials",
        ),
    ),
    (
        0x0064,
        m(
            "ASN1_INVALID_LENGTH",
            "an ASN.1 length is invalid",
            "reflash the credentials",
        ),
    ),
    (
        0x006A,
        m(
            "ASN1_ALLOC_FAILED",
            "out of memory while parsing",
            "free heap before TLS",
        ),
    ),
];

/// X.509 verify flags (bits of `mbedtls_ssl_get_verify_result()`).
pub const VERIFY_FLAGS: &[(u32, Meaning)] = &[
    (
        0x01,
        m(
            "BADCERT_EXPIRED",
            "a certificate has expired (or the board's clock is far in the future)",
            CLOCK_FIX,
        ),
    ),
    (
        0x02,
        m(
            "BADCERT_REVOKED",
            "a certificate is revoked",
            "contact the server operator",
        ),
    ),
    (
        0x04,
        m(
            "BADCERT_CN_MISMATCH",
            "the server's certificate is not for the host name the board used",
            "check the endpoint: typo or wrong region; it must end in .iot.<region>.amazonaws.com",
        ),
    ),
    (
        0x08,
        m(
            "BADCERT_NOT_TRUSTED",
            "the server's certificate is not signed by the root CA on the board",
            ROOT_FIX,
        ),
    ),
    (
        0x40,
        m(
            "BADCERT_MISSING",
            "the server sent no certificate",
            "check the endpoint and port",
        ),
    ),
    (
        0x80,
        m(
            "BADCERT_SKIP_VERIFY",
            "verification was skipped",
            "nothing to do",
        ),
    ),
    (
        0x0100,
        m(
            "BADCERT_OTHER",
            "the verify callback rejected the certificate",
            "check the firmware's verify callback",
        ),
    ),
    (
        0x0200,
        m(
            "BADCERT_FUTURE",
            "a certificate is not valid yet: the board's clock is behind (probably never set)",
            CLOCK_FIX,
        ),
    ),
    (
        0x0800,
        m(
            "BADCERT_KEY_USAGE",
            "a certificate's key usage forbids this use",
            "use the certificates AWS IoT issued",
        ),
    ),
    (
        0x1000,
        m(
            "BADCERT_EXT_KEY_USAGE",
            "a certificate's extended key usage forbids this use",
            "use the certificates AWS IoT issued",
        ),
    ),
    (
        0x4000,
        m(
            "BADCERT_BAD_MD",
            "a certificate is signed with a hash the board does not accept",
            "use Amazon Root CA 1 or 3",
        ),
    ),
    (
        0x8000,
        m(
            "BADCERT_BAD_PK",
            "a certificate is signed with an algorithm the board does not accept",
            "use Amazon Root CA 1 (RSA) and 3 (ECC) together",
        ),
    ),
    (
        0x01_0000,
        m(
            "BADCERT_BAD_KEY",
            "a certificate's key is unacceptable (curve or size)",
            "use Amazon Root CA 1 or 3",
        ),
    ),
];

/// TLS alert descriptions.
pub const TLS_ALERTS: &[(u8, Meaning)] = &[
    (
        0,
        m(
            "close_notify",
            "the server closed the connection in an orderly way",
            POLICY_FIX,
        ),
    ),
    (
        10,
        m(
            "unexpected_message",
            "a protocol error",
            "retry; report it if it repeats",
        ),
    ),
    (
        20,
        m(
            "bad_record_mac",
            "a record failed its integrity check",
            "retry",
        ),
    ),
    (
        40,
        m(
            "handshake_failure",
            "no common TLS version, cipher suite or curve",
            "use an RSA-2048 or EC P-256 certificate; TLS 1.2+",
        ),
    ),
    (
        42,
        m(
            "bad_certificate",
            "the server refused the device certificate",
            "check that the private key belongs to the certificate (thingflash check)",
        ),
    ),
    (
        43,
        m(
            "unsupported_certificate",
            "the server does not accept this kind of device certificate",
            "use a certificate issued or registered in AWS IoT",
        ),
    ),
    (
        44,
        m(
            "certificate_revoked",
            "the device certificate is revoked",
            "create a new certificate in AWS IoT",
        ),
    ),
    (
        45,
        m(
            "certificate_expired",
            "the device certificate has expired",
            "create a new certificate in AWS IoT",
        ),
    ),
    (
        46,
        m(
            "certificate_unknown",
            "the server does not recognise the device certificate (inactive or not registered)",
            "activate the certificate in AWS IoT, or register its CA",
        ),
    ),
    (
        48,
        m(
            "unknown_ca",
            "the device certificate's CA is not registered with AWS IoT",
            "register the CA in AWS IoT, or use a certificate AWS IoT created",
        ),
    ),
    (49, m("access_denied", "access denied", POLICY_FIX)),
    (50, m("decode_error", "a malformed message", "retry")),
    (
        51,
        m(
            "decrypt_error",
            "a signature check failed",
            "check that the private key belongs to the certificate",
        ),
    ),
    (
        70,
        m(
            "protocol_version",
            "the TLS version is not allowed by the endpoint's security policy",
            "use TLS 1.2 or 1.3",
        ),
    ),
    (
        71,
        m(
            "insufficient_security",
            "the cipher is too weak for the endpoint's policy",
            "use an RSA-2048 or EC P-256 certificate",
        ),
    ),
    (
        80,
        m(
            "internal_error",
            "the server had an internal error",
            "retry later",
        ),
    ),
    (
        109,
        m(
            "missing_extension",
            "a required TLS extension (e.g. SNI) is missing",
            "the board must send the endpoint as SNI",
        ),
    ),
    (
        112,
        m(
            "unrecognized_name",
            "the server serves no host by that SNI name",
            "check the endpoint",
        ),
    ),
    (
        116,
        m(
            "certificate_required",
            "the server wanted a device certificate and got none",
            "reflash the credentials",
        ),
    ),
    (
        120,
        m(
            "no_application_protocol",
            "ALPN name not accepted",
            "on port 443 use ALPN x-amzn-mqtt-ca, or port 8883",
        ),
    ),
];

/// BearSSL `BR_ERR_*` numbers as ESP8266 Arduino's `getLastSSLError` reports them.
pub const BEARSSL: &[(i32, Meaning)] = &[
    (
        -1000,
        m(
            "OOM",
            "the ESP8266 ran out of memory for TLS buffers",
            "call setBufferSizes(512, 512) on the client, or free heap",
        ),
    ),
    (
        31,
        m(
            "BR_ERR_IO",
            "the connection was closed during TLS",
            POLICY_FIX,
        ),
    ),
    (
        29,
        m(
            "BR_ERR_NO_CLIENT_AUTH",
            "the server refused the client certificate",
            "check the certificate and key pair and that the certificate is active",
        ),
    ),
    (
        16,
        m(
            "BR_ERR_BAD_CIPHER_SUITE",
            "no cipher suite in common",
            "use an RSA-2048 or EC P-256 certificate",
        ),
    ),
    (
        26,
        m(
            "BR_ERR_INVALID_ALGORITHM",
            "an unsupported curve or signature algorithm",
            "use RSA-2048 or EC P-256",
        ),
    ),
    (
        53,
        m(
            "BR_ERR_X509_TIME_UNKNOWN",
            "the certificate check has no time: the clock was never set",
            "set the clock with configTime() and wait for it before connecting",
        ),
    ),
    (
        54,
        m(
            "BR_ERR_X509_EXPIRED",
            "Certificate is expired or not yet valid: almost always the ESP's clock was never set",
            "set the clock with configTime() and wait for time(nullptr) > 1600000000 before connecting",
        ),
    ),
    (
        55,
        m(
            "BR_ERR_X509_DN_MISMATCH",
            "the chain's issuer and subject names do not link",
            ROOT_FIX,
        ),
    ),
    (
        56,
        m(
            "BR_ERR_X509_BAD_SERVER_NAME",
            "the server's certificate is not for the host name used",
            "check the endpoint spelling and region",
        ),
    ),
    (
        58,
        m(
            "BR_ERR_X509_NOT_CA",
            "a certificate in the chain is not a CA",
            ROOT_FIX,
        ),
    ),
    (
        60,
        m(
            "BR_ERR_X509_WEAK_PUBLIC_KEY",
            "a public key is too small",
            "use RSA-2048 or larger",
        ),
    ),
    (
        62,
        m(
            "BR_ERR_X509_NOT_TRUSTED",
            "Chain could not be linked to a trust anchor: the root CA is wrong or missing",
            ROOT_FIX,
        ),
    ),
    (
        34,
        m(
            "BR_ERR_X509_TRUNCATED",
            "a certificate is cut off",
            "check the certificate file; convert it again",
        ),
    ),
    (
        33,
        m(
            "BR_ERR_X509_INVALID_VALUE",
            "a certificate is damaged",
            "convert the certificate again (thingflash convert)",
        ),
    ),
];

/// PubSubClient `state()` values, as printed by the classic sketch ("failed, rc=-2").
pub const PUBSUB: &[(i32, Meaning)] = &[
    (
        -4,
        m(
            "MQTT_CONNECTION_TIMEOUT",
            "the server did not answer in the keep-alive time",
            "check the network; raise the keep-alive",
        ),
    ),
    (
        -3,
        m(
            "MQTT_CONNECTION_LOST",
            "the connection was lost",
            "check WiFi; if it follows a publish, the policy may not allow that topic",
        ),
    ),
    (
        -2,
        m(
            "MQTT_CONNECT_FAILED",
            "the network connection failed (TLS did not complete)",
            "read the TLS error (getLastSSLError); usually clock, root CA or certificate",
        ),
    ),
    (
        -1,
        m(
            "MQTT_DISCONNECTED",
            "the client is disconnected",
            "connect again",
        ),
    ),
    (
        1,
        m(
            "MQTT_CONNECT_BAD_PROTOCOL",
            "the server does not accept this MQTT version",
            "use MQTT 3.1.1",
        ),
    ),
    (
        2,
        m(
            "MQTT_CONNECT_BAD_CLIENT_ID",
            "the client id was rejected",
            "use a unique client id; with thing policies it must equal the thing name",
        ),
    ),
    (
        3,
        m(
            "MQTT_CONNECT_UNAVAILABLE",
            "the server is unavailable",
            "retry later",
        ),
    ),
    (
        4,
        m(
            "MQTT_CONNECT_BAD_CREDENTIALS",
            "bad user name or password",
            "AWS IoT with certificates takes no user name or password",
        ),
    ),
    (
        5,
        m("MQTT_CONNECT_UNAUTHORIZED", "not authorised", POLICY_FIX),
    ),
];

/// MQTT 5 reason codes (CONNACK, DISCONNECT, SUBACK, PUBACK).
pub const MQTT5: &[(u8, Meaning)] = &[
    (
        0x80,
        m(
            "Unspecified error",
            "the broker refused without a specific reason",
            POLICY_FIX,
        ),
    ),
    (
        0x81,
        m(
            "Malformed Packet",
            "the broker could not parse a packet",
            "a firmware bug; report it",
        ),
    ),
    (
        0x82,
        m(
            "Protocol Error",
            "the broker saw a protocol violation",
            "a firmware bug; report it",
        ),
    ),
    (
        0x83,
        m(
            "Implementation specific error",
            "the broker refused for its own reason",
            "check the AWS IoT logs (CloudWatch)",
        ),
    ),
    (
        0x84,
        m(
            "Unsupported Protocol Version",
            "the broker does not speak MQTT 5",
            "use an endpoint that supports MQTT 5 (AWS IoT does)",
        ),
    ),
    (
        0x85,
        m(
            "Client Identifier not valid",
            "the client id was rejected",
            "use 1-128 characters; with thing policies it must equal the thing name",
        ),
    ),
    (
        0x86,
        m(
            "Bad User Name or Password",
            "user name or password rejected",
            "AWS IoT with certificates takes no user name or password",
        ),
    ),
    (
        0x87,
        m(
            "Not authorized",
            "the policy on the certificate does not allow this",
            POLICY_FIX,
        ),
    ),
    (
        0x88,
        m(
            "Server unavailable",
            "the broker is unavailable",
            "retry later",
        ),
    ),
    (0x89, m("Server busy", "the broker is busy", "retry later")),
    (
        0x8A,
        m(
            "Banned",
            "this client is banned",
            "check the account's policies",
        ),
    ),
    (
        0x8B,
        m(
            "Server shutting down",
            "the broker is shutting down",
            "the board reconnects by itself",
        ),
    ),
    (
        0x8D,
        m(
            "Keep Alive timeout",
            "no traffic for 1.5x the keep-alive",
            "check the WiFi link; the board reconnects by itself",
        ),
    ),
    (
        0x8E,
        m(
            "Session taken over",
            "another connection used the same client id",
            "give every board its own client id (two boards with one id kick each other off)",
        ),
    ),
    (
        0x8F,
        m(
            "Topic Filter invalid",
            "a subscription filter was rejected",
            "check the topic prefix; AWS allows at most 7 slashes",
        ),
    ),
    (
        0x90,
        m(
            "Topic Name invalid",
            "a topic was rejected",
            "check the topic prefix",
        ),
    ),
    (
        0x93,
        m(
            "Receive Maximum exceeded",
            "too many messages in flight",
            "publish less often",
        ),
    ),
    (
        0x95,
        m(
            "Packet too large",
            "a message was too large (AWS limit 128 KB)",
            "send smaller payloads",
        ),
    ),
    (
        0x96,
        m(
            "Message rate too high",
            "publishing too fast for AWS IoT's limits",
            "publish less often",
        ),
    ),
    (
        0x97,
        m(
            "Quota exceeded",
            "an account quota was exceeded",
            "check AWS IoT quotas",
        ),
    ),
    (
        0x98,
        m(
            "Administrative action",
            "an administrator disconnected this client",
            "check the AWS IoT console",
        ),
    ),
    (
        0x9F,
        m(
            "Connection rate exceeded",
            "connecting too often (AWS: 1 per second per client id)",
            "the board backs off by itself; check that only one board uses this id",
        ),
    ),
    (
        0xA0,
        m(
            "Maximum connect time",
            "the connection reached AWS IoT's maximum duration",
            "nothing to do; the board reconnects",
        ),
    ),
];

/// WiFi disconnect reasons (802.11 and ESP-IDF/esp-radio extensions).
pub const WIFI_REASONS: &[(u16, Meaning)] = &[
    (
        2,
        m(
            "AUTH_EXPIRE",
            "authentication expired",
            "move the board closer to the access point",
        ),
    ),
    (
        4,
        m(
            "ASSOC_EXPIRE",
            "association expired",
            "move the board closer to the access point",
        ),
    ),
    (
        8,
        m("ASSOC_LEAVE", "the board left the network", "nothing to do"),
    ),
    (
        15,
        m(
            "4WAY_HANDSHAKE_TIMEOUT",
            "the WiFi handshake timed out: almost always a wrong password",
            "check the WiFi password",
        ),
    ),
    (
        23,
        m(
            "802_1X_AUTH_FAILED",
            "enterprise (802.1X) authentication failed",
            "use a WPA2/WPA3 personal network",
        ),
    ),
    (
        200,
        m(
            "BEACON_TIMEOUT",
            "the access point stopped answering",
            "check the access point and the signal",
        ),
    ),
    (
        201,
        m(
            "NO_AP_FOUND",
            "no network with that name was found",
            "check the network name (case matters) and that it is a 2.4 GHz network: ESP32-C3/C6 have no 5 GHz radio",
        ),
    ),
    (
        202,
        m(
            "AUTH_FAIL",
            "the access point rejected the board: usually a wrong password",
            "check the WiFi password",
        ),
    ),
    (
        203,
        m(
            "ASSOC_FAIL",
            "the access point refused the association",
            "check MAC filtering and the number of clients on the access point",
        ),
    ),
    (
        204,
        m(
            "HANDSHAKE_TIMEOUT",
            "the WiFi handshake timed out: usually a wrong password",
            "check the WiFi password",
        ),
    ),
    (
        205,
        m(
            "CONNECTION_FAIL",
            "the connection failed",
            "check the access point",
        ),
    ),
    (
        210,
        m(
            "NO_AP_FOUND_W_COMPATIBLE_SECURITY",
            "the network's security mode is not supported",
            "use WPA2 or WPA3 personal",
        ),
    ),
    (
        211,
        m(
            "NO_AP_FOUND_IN_AUTHMODE_THRESHOLD",
            "the network is weaker than the minimum security allowed",
            "use WPA2 or WPA3 personal",
        ),
    ),
    (
        212,
        m(
            "NO_AP_FOUND_IN_RSSI_THRESHOLD",
            "the signal is too weak",
            "move the board closer to the access point",
        ),
    ),
];

/// ESP32-C3/C6 ROM reset reasons, matched by the name the ROM prints after `rst:0x..`.
pub const RESET_REASONS: &[(&str, Meaning)] = &[
    (
        "POWERON",
        m(
            "power-on",
            "the board was powered on (or the USB cable replugged)",
            "nothing to do",
        ),
    ),
    (
        "BROWN_OUT",
        m(
            "brown-out",
            "the supply voltage dropped: the WiFi radio's current peaks were too much for the power source",
            "use a better USB cable or port, or add a capacitor near the board's 3.3 V pin",
        ),
    ),
    (
        "WDT",
        m(
            "watchdog",
            "a watchdog reset the chip: the firmware stopped responding",
            "read the panic or backtrace above; often memory trouble during TLS",
        ),
    ),
    (
        "SW_CPU",
        m(
            "software reset",
            "the firmware restarted itself (after a panic, or on purpose)",
            "read the lines above the reset",
        ),
    ),
    (
        "SW_SYS",
        m(
            "software reset",
            "the firmware restarted the system",
            "read the lines above the reset",
        ),
    ),
    (
        "DEEPSLEEP",
        m(
            "wake from deep sleep",
            "the chip woke from deep sleep",
            "nothing to do",
        ),
    ),
    (
        "USB_UART",
        m(
            "USB reset",
            "the USB-serial bridge reset the chip (flashing tool or a terminal that toggles DTR/RTS)",
            "nothing to do",
        ),
    ),
    (
        "USB_JTAG",
        m(
            "USB reset",
            "the built-in USB-JTAG reset the chip (flashing or opening the port)",
            "nothing to do",
        ),
    ),
    (
        "GLITCH",
        m(
            "power glitch",
            "a power glitch reset the chip",
            "check the power supply",
        ),
    ),
    (
        "EFUSE",
        m(
            "eFuse error",
            "an eFuse error reset the chip",
            "the chip may be damaged",
        ),
    ),
];

/// Look a value up in a table.
pub fn lookup<K: PartialEq + Copy>(
    table: &'static [(K, Meaning)],
    key: K,
) -> Option<&'static Meaning> {
    table.iter().find(|(k, _)| *k == key).map(|(_, m)| m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn well_formed<K: Copy + PartialEq + std::fmt::Debug>(name: &str, table: &[(K, Meaning)]) {
        for (i, (k, meaning)) in table.iter().enumerate() {
            assert!(
                !meaning.name.is_empty() && !meaning.cause.is_empty() && !meaning.fix.is_empty(),
                "{name} {k:?}"
            );
            assert!(
                table[..i].iter().all(|(other, _)| other != k),
                "{name}: {k:?} appears twice"
            );
        }
    }

    #[test]
    fn every_table_entry_has_cause_and_fix_and_is_unique() {
        well_formed("mbedtls high", MBEDTLS_HIGH);
        well_formed("mbedtls low", MBEDTLS_LOW);
        well_formed("verify flags", VERIFY_FLAGS);
        well_formed("alerts", TLS_ALERTS);
        well_formed("bearssl", BEARSSL);
        well_formed("pubsub", PUBSUB);
        well_formed("mqtt5", MQTT5);
        well_formed("wifi", WIFI_REASONS);
        well_formed("reset", RESET_REASONS);
    }

    #[test]
    fn codes_are_in_their_ranges() {
        assert!(
            MBEDTLS_HIGH
                .iter()
                .all(|(c, _)| c & 0x7F == 0 && *c >= 0x80)
        );
        assert!(MBEDTLS_LOW.iter().all(|(c, _)| *c < 0x80));
        assert!(VERIFY_FLAGS.iter().all(|(f, _)| f.count_ones() == 1));
        assert!(MQTT5.iter().all(|(c, _)| *c >= 0x80));
    }

    #[test]
    fn the_classic_failures_read_right() {
        assert!(lookup(BEARSSL, 54).unwrap().fix.contains("configTime"));
        assert!(lookup(BEARSSL, 62).unwrap().cause.contains("trust anchor"));
        assert!(lookup(VERIFY_FLAGS, 0x200).unwrap().cause.contains("clock"));
        assert!(lookup(MQTT5, 0x87).unwrap().fix.contains("iot:Connect"));
        assert!(
            lookup(MQTT5, 0x8E)
                .unwrap()
                .cause
                .contains("same client id")
        );
        assert!(
            lookup(TLS_ALERTS, 120)
                .unwrap()
                .fix
                .contains("x-amzn-mqtt-ca")
        );
    }
}
