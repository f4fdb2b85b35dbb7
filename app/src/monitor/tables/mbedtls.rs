//! mbedTLS error codes and X.509 verify flags, as a board running mbedTLS prints them, with
//! what each means for a board connecting to AWS IoT Core with mutual TLS and what to do.
//!
//! Transcribed from Mbed-TLS/mbedtls at two LTS tags:
//! * `v3.6.6` (commit 0bebf8b8c7f07abe3571ded48a11aa907a1ffb20): ESP-IDF 5, Arduino ESP32
//!   core 3, mbedtls-rs (which vendors 3.6.5);
//! * `v2.28.10` (commit 2fc8413bfcb51354c8e679141b17b3f1a5942561): ESP-IDF 4, Arduino ESP32
//!   core 1/2.
//!
//! Codes and names: every `#define MBEDTLS_ERR_* -0x....` in `include/mbedtls/*.h` of
//! either tag (deprecated ones still in 2.28 included). `text`: the string
//! `mbedtls_strerror` prints for the code, copied from that tag's generated
//! `library/error.c`, module prefix included. Verify-flag values come from
//! `include/mbedtls/x509.h` and their texts (what `mbedtls_x509_crt_verify_info` prints)
//! from `MBEDTLS_X509_CRT_ERROR_INFO_LIST` in `x509_crt.h` (3.6) / `x509_crt_verify_strings`
//! in `x509_crt.c` (2.28); both tags have the same 20 flags with the same texts.
//!
//! A printed code can be the sum of a high-level code (0x80..=0x7F80) and a low-level one
//! (0x01..=0x7F), e.g. -0x262E = X509_UNKNOWN_SIG_ALG (0x2600) + OID_NOT_FOUND (0x2E);
//! this table holds only pure codes. The same number can mean different things in 2.x and
//! 3.x (0x7580, 0x7800, 0x6E00, ...): such codes have one element per version.
//! Causes and fixes are this project's own words.

use super::{Entry, MbedtlsError, Versions, e};

// Where a code applies.
const BOTH: &str = "mbedTLS 2.x and 3.x (ESP-IDF, Arduino ESP32, mbedtls-rs)";
const V3_ONLY: &str = "mbedTLS 3.x (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)";
const V2_ONLY: &str = "mbedTLS 2.x (ESP-IDF 4, Arduino ESP32 core 1/2)";

// Fixes shared by several codes.
const CLOCK_FIX: &str = "the board must set its clock by SNTP before TLS; check that the WiFi network lets UDP port 123 out";
const HANGUP_FIX: &str = "check in order: 1) the certificate is ACTIVE in the AWS IoT console, registered in the same account and region as the endpoint, and attached to the thing; 2) a policy attached to the certificate allows iot:Connect for this client id (resource arn:aws:iot:<region>:<account>:client/<client id>); 3) no other device or script connects with the same client id (AWS IoT drops the older connection); 4) on port 443 the board offers ALPN x-amzn-mqtt-ca; 5) the board connects by the endpoint name, so TLS sends it as SNI";
const OOM_FIX: &str = "check in order: 1) log the free heap just before TLS starts: a handshake needs tens of kilobytes, partly in large single blocks; 2) a reconnect loop that does not free the old client leaks memory on every try (the heap falls each attempt): stop and delete it first; 3) shrink the TLS buffers (ESP-IDF: CONFIG_MBEDTLS_DYNAMIC_BUFFER, or CONFIG_MBEDTLS_ASYMMETRIC_CONTENT_LEN with a smaller CONFIG_MBEDTLS_SSL_OUT_CONTENT_LEN); 4) use an EC P-256 device certificate (smaller certificate and handshake than RSA)";
const HW_FIX: &str = "a hardware crypto fault or a driver bug: reset the board; if it repeats, turn the hardware acceleration for this algorithm off (ESP-IDF: menuconfig, Component config > mbedTLS, e.g. CONFIG_MBEDTLS_HARDWARE_AES / _SHA / _MPI) and report it with the chip and firmware version";
const BUG_FIX: &str = "a firmware bug, not a setup problem: the code passed a wrong size, a NULL pointer or an unprepared context; the log lines just before name the call. Report it with the firmware version; a reset usually recovers";
const NOT_BUILT_FIX: &str = "a firmware bug or a build missing this feature: stick to what every ESP build supports (RSA-2048 or EC P-256 keys, SHA-256, AES-GCM, TLS 1.2/1.3); if you build the firmware yourself, enable the feature in the mbedTLS configuration (ESP-IDF: menuconfig, Component config > mbedTLS)";
const ENTROPY_FIX: &str = "check in order: 1) on mbedtls-rs or other no_std firmware: the RNG hook is installed before the first TLS connection and backed by the chip's hardware RNG (on ESP32 chips it is fully random only while WiFi/Bluetooth runs or the bootloader's entropy source is on); 2) on ESP-IDF or Arduino: a custom mbedTLS configuration has not dropped the hardware entropy source (MBEDTLS_ENTROPY_HARDWARE_ALT); 3) report it with the firmware version";
const CRED_FIX: &str = "reflash the credentials with thingflash; if you embed them yourself, copy each PEM file whole (BEGIN and END lines, every line ending in a newline) and pass its length including the final NUL byte";
const SERVER_SIDE_FIX: &str = "only a board running its own TLS (or DTLS) server meets this; it is not part of connecting to AWS IoT: look at that server's configuration and the client talking to it";
const AGAIN_FIX: &str = "not a failure: mbedTLS asks to be called again; if the firmware logs it as an error and gives up, make it retry the same call";
const KEY_PASSWORD_FIX: &str = "flash the key decrypted (thingflash decrypts it with your passphrase), or decrypt it once with openssl pkey -in key.pem -out key-plain.pem; keys AWS IoT creates are not encrypted";
const DIRECT_FIX: &str = "not part of a TLS connection to AWS IoT: the firmware used this algorithm directly (for example to check an OTA signature or decrypt stored data); check the key, data and lengths it passes";
const FILE_FIX: &str = "check that the file exists on the board's file system (upload the data partition: SPIFFS/LittleFS) and that the path is right; or embed the credentials instead (thingflash flashes them to their own partition)";

/// Every mbedTLS error code of 2.28 and 3.6, one element per (code, meaning): high-level
/// codes first, grouped by module, then low-level codes.
pub const MBEDTLS_ERRORS: &[MbedtlsError] = &[
    // ---------------- high-level codes (bits 7..14) ----------------
    // PEM (include/mbedtls/pem.h)
    MbedtlsError {
        code: 0x1080,
        versions: Versions::Both,
        text: "PEM - No PEM header or footer found",
        entry: e(
            "MBEDTLS_ERR_PEM_NO_HEADER_FOOTER_PRESENT",
            BOTH,
            "no '-----BEGIN ...-----' line followed by a line break was found, or the matching END line is missing: typical when a PEM string in a sketch lost its newlines (pasted as one long line, or \\n missing after the BEGIN line) or was cut short. Certificate loading reports this case as X509_CERT_UNKNOWN_FORMAT (-0x2780) and key loading as PK_KEY_INVALID_FORMAT (-0x3D00); the code itself shows where firmware reads PEM directly",
            "check in order: 1) the BEGIN and END lines are there, unchanged, each on its own line; 2) every line ends in a newline (in C end each line with \\n inside the quotes, or use a raw string R\"EOF(...)EOF\"); 3) reflash the credentials with thingflash",
        ),
    },
    MbedtlsError {
        code: 0x1100,
        versions: Versions::Both,
        text: "PEM - PEM string is not as expected",
        entry: e(
            "MBEDTLS_ERR_PEM_INVALID_DATA",
            BOTH,
            "a PEM block has its BEGIN and END lines but the text between is not valid: the base64 is damaged, or an encryption header is malformed. Usually printed with the base64 reason added: -0x112C = this plus BASE64_INVALID_CHARACTER (indented lines, a literal backslash-n, stray characters)",
            "paste the PEM again exactly as the file has it (every line in column 0, each ending in a real newline, nothing added), or reflash the credentials with thingflash",
        ),
    },
    MbedtlsError {
        code: 0x1180,
        versions: Versions::Both,
        text: "PEM - Failed to allocate memory",
        entry: e(
            "MBEDTLS_ERR_PEM_ALLOC_FAILED",
            BOTH,
            "out of memory decoding a PEM certificate or key",
            OOM_FIX,
        ),
    },
    MbedtlsError {
        code: 0x1200,
        versions: Versions::Both,
        text: "PEM - RSA IV is not in hex-format",
        entry: e(
            "MBEDTLS_ERR_PEM_INVALID_ENC_IV",
            BOTH,
            "the DEK-Info line of a password-protected PEM key has a broken IV (not hex, wrong length)",
            KEY_PASSWORD_FIX,
        ),
    },
    MbedtlsError {
        code: 0x1280,
        versions: Versions::Both,
        text: "PEM - Unsupported key encryption algorithm",
        entry: e(
            "MBEDTLS_ERR_PEM_UNKNOWN_ENC_ALG",
            BOTH,
            "a password-protected PEM key names an encryption (DEK-Info) mbedTLS does not support",
            KEY_PASSWORD_FIX,
        ),
    },
    MbedtlsError {
        code: 0x1300,
        versions: Versions::Both,
        text: "PEM - Private key password can't be empty",
        entry: e(
            "MBEDTLS_ERR_PEM_PASSWORD_REQUIRED",
            BOTH,
            "the PEM key is password-protected (Proc-Type: 4,ENCRYPTED) and no password was given; key loading reports it as PK_PASSWORD_REQUIRED (-0x3C00)",
            KEY_PASSWORD_FIX,
        ),
    },
    MbedtlsError {
        code: 0x1380,
        versions: Versions::Both,
        text: "PEM - Given private key password does not allow for correct decryption",
        entry: e(
            "MBEDTLS_ERR_PEM_PASSWORD_MISMATCH",
            BOTH,
            "the password given does not decrypt this password-protected PEM key",
            KEY_PASSWORD_FIX,
        ),
    },
    MbedtlsError {
        code: 0x1400,
        versions: Versions::Both,
        text: "PEM - Unavailable feature, e.g. hashing/encryption combination",
        entry: e(
            "MBEDTLS_ERR_PEM_FEATURE_UNAVAILABLE",
            BOTH,
            "a password-protected PEM key is encrypted with a cipher not compiled in (DES, 3DES or AES-CBC)",
            KEY_PASSWORD_FIX,
        ),
    },
    MbedtlsError {
        code: 0x1480,
        versions: Versions::Both,
        text: "PEM - Bad input parameters to function",
        entry: e(
            "MBEDTLS_ERR_PEM_BAD_INPUT_DATA",
            BOTH,
            "the PEM reader got an invalid argument (NULL buffer or context)",
            BUG_FIX,
        ),
    },
    // PKCS12 (include/mbedtls/pkcs12.h)
    MbedtlsError {
        code: 0x1E00,
        versions: Versions::Both,
        text: "PKCS12 - Given private key password does not allow for correct decryption",
        entry: e(
            "MBEDTLS_ERR_PKCS12_PASSWORD_MISMATCH",
            BOTH,
            "the password given does not decrypt the private key (PKCS#12 scheme)",
            KEY_PASSWORD_FIX,
        ),
    },
    MbedtlsError {
        code: 0x1E80,
        versions: Versions::Both,
        text: "PKCS12 - PBE ASN.1 data not as expected",
        entry: e(
            "MBEDTLS_ERR_PKCS12_PBE_INVALID_FORMAT",
            BOTH,
            "decrypting a password-protected private key: its PKCS#12 encryption parameters are malformed",
            KEY_PASSWORD_FIX,
        ),
    },
    MbedtlsError {
        code: 0x1F00,
        versions: Versions::Both,
        text: "PKCS12 - Feature not available, e.g. unsupported encryption scheme",
        entry: e(
            "MBEDTLS_ERR_PKCS12_FEATURE_UNAVAILABLE",
            BOTH,
            "decrypting a password-protected private key needs a PKCS#12 cipher or hash not compiled in",
            KEY_PASSWORD_FIX,
        ),
    },
    MbedtlsError {
        code: 0x1F80,
        versions: Versions::Both,
        text: "PKCS12 - Bad input parameters to function",
        entry: e(
            "MBEDTLS_ERR_PKCS12_BAD_INPUT_DATA",
            BOTH,
            "decrypting a password-protected private key (PKCS#12 scheme) got an invalid argument",
            KEY_PASSWORD_FIX,
        ),
    },
    // X509 (include/mbedtls/x509.h)
    MbedtlsError {
        code: 0x2080,
        versions: Versions::Both,
        text: "X509 - Unavailable feature, e.g. RSA hashing/encryption combination",
        entry: e(
            "MBEDTLS_ERR_X509_FEATURE_UNAVAILABLE",
            BOTH,
            "a certificate needs a feature this build lacks (e.g. an RSASSA-PSS signature, or reading certificates from files)",
            "use an RSA-2048 or EC P-256 device certificate signed with SHA-256 and Amazon Root CA 1 or 3; a firmware bug or a build missing this feature: stick to what every ESP build supports (RSA-2048 or EC P-256 keys, SHA-256, AES-GCM, TLS 1.2/1.3); if you build the firmware yourself, enable the feature in the mbedTLS configuration (ESP-IDF: menuconfig, Component config > mbedTLS)",
        ),
    },
    MbedtlsError {
        code: 0x2100,
        versions: Versions::Both,
        text: "X509 - Requested OID is unknown",
        entry: e(
            "MBEDTLS_ERR_X509_UNKNOWN_OID",
            BOTH,
            "the firmware built a certificate or CSR subject name from text (e.g. \"CN=...,O=...\" for fleet provisioning) using an attribute name mbedTLS does not know; 2.28 returns this, 3.x reports the case as X509_INVALID_NAME. Parsing never returns it (unknown identifiers there show as OID_NOT_FOUND added to another code)",
            "use the standard attribute names in the subject string (CN, O, OU, C, ST, L, serialNumber ...); a firmware bug, not a credentials problem",
        ),
    },
    MbedtlsError {
        code: 0x2180,
        versions: Versions::Both,
        text: "X509 - The CRT/CRL/CSR format is invalid, e.g. different type expected",
        entry: e(
            "MBEDTLS_ERR_X509_INVALID_FORMAT",
            BOTH,
            "a certificate buffer does not start like a DER certificate. Most often a PEM certificate was handed over without its final NUL byte counted in the length, so mbedTLS read the text as binary DER; also an erased or wrong flash region (all 0xFF), or a key or CSR where the certificate belongs. With an ASN1 code added (e.g. -0x21E0) the DER is cut short or damaged",
            "check in order: 1) the length passed includes the terminating NUL (ESP-IDF esp_tls: cacert_bytes / clientcert_bytes = strlen + 1; Arduino setCACert / setCertificate do it for you); 2) each slot holds the right file (device certificate *-certificate.pem.crt, root AmazonRootCA1.pem or AmazonRootCA3.pem); 3) the partition or NVS entry holding it was written: reflash the credentials with thingflash",
        ),
    },
    MbedtlsError {
        code: 0x2200,
        versions: Versions::Both,
        text: "X509 - The CRT/CRL/CSR version element is invalid",
        entry: e(
            "MBEDTLS_ERR_X509_INVALID_VERSION",
            BOTH,
            "a certificate's version field is malformed (damaged bytes)",
            CRED_FIX,
        ),
    },
    MbedtlsError {
        code: 0x2280,
        versions: Versions::Both,
        text: "X509 - The serial tag or value is invalid",
        entry: e(
            "MBEDTLS_ERR_X509_INVALID_SERIAL",
            BOTH,
            "a certificate's serial number field is malformed (damaged bytes)",
            CRED_FIX,
        ),
    },
    MbedtlsError {
        code: 0x2300,
        versions: Versions::Both,
        text: "X509 - The algorithm tag or value is invalid",
        entry: e(
            "MBEDTLS_ERR_X509_INVALID_ALG",
            BOTH,
            "a certificate's algorithm field is malformed (damaged bytes)",
            CRED_FIX,
        ),
    },
    MbedtlsError {
        code: 0x2380,
        versions: Versions::Both,
        text: "X509 - The name tag or value is invalid",
        entry: e(
            "MBEDTLS_ERR_X509_INVALID_NAME",
            BOTH,
            "a certificate's subject or issuer name is malformed (damaged bytes); in 3.x also returned when firmware builds a subject name (e.g. for a CSR) from a string with an unknown attribute or bad syntax",
            "reflash the credentials with thingflash; if you embed them yourself, copy each PEM file whole (BEGIN and END lines, every line ending in a newline) and pass its length including the final NUL byte; if the firmware makes a CSR, check its subject string",
        ),
    },
    MbedtlsError {
        code: 0x2400,
        versions: Versions::Both,
        text: "X509 - The date tag or value is invalid",
        entry: e(
            "MBEDTLS_ERR_X509_INVALID_DATE",
            BOTH,
            "a certificate's validity dates could not be read (damaged bytes)",
            CRED_FIX,
        ),
    },
    MbedtlsError {
        code: 0x2480,
        versions: Versions::Both,
        text: "X509 - The signature tag or value invalid",
        entry: e(
            "MBEDTLS_ERR_X509_INVALID_SIGNATURE",
            BOTH,
            "a certificate's signature field is malformed (damaged or cut-off bytes)",
            CRED_FIX,
        ),
    },
    MbedtlsError {
        code: 0x2500,
        versions: Versions::Both,
        text: "X509 - The extension tag or value is invalid",
        entry: e(
            "MBEDTLS_ERR_X509_INVALID_EXTENSIONS",
            BOTH,
            "a certificate extension is malformed or unsupported; -0x2562 (this plus ASN1_UNEXPECTED_TAG) means a critical extension mbedTLS does not know",
            "use certificates AWS IoT issued (or made by a standard CA tool); reflash the credentials with thingflash; if you embed them yourself, copy each PEM file whole (BEGIN and END lines, every line ending in a newline) and pass its length including the final NUL byte",
        ),
    },
    MbedtlsError {
        code: 0x2580,
        versions: Versions::Both,
        text: "X509 - CRT/CRL/CSR has an unsupported version number",
        entry: e(
            "MBEDTLS_ERR_X509_UNKNOWN_VERSION",
            BOTH,
            "a certificate has a version number other than 1, 2 or 3",
            CRED_FIX,
        ),
    },
    MbedtlsError {
        code: 0x2600,
        versions: Versions::Both,
        text: "X509 - Signature algorithm (oid) is unsupported",
        entry: e(
            "MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG",
            BOTH,
            "a certificate is signed with an algorithm this build does not know (e.g. RSASSA-PSS, Ed25519, or a hash compiled out). Usually printed with OID_NOT_FOUND added: -0x262E; it can come from the device certificate, the root CA file, or the server's chain during the handshake",
            "use an RSA-2048 or EC P-256 device certificate signed with SHA-256 (as AWS IoT creates them) and Amazon Root CA 1 or 3; if you build mbedTLS yourself, enable the hash the certificate uses",
        ),
    },
    MbedtlsError {
        code: 0x2680,
        versions: Versions::Both,
        text: "X509 - Signature algorithms do not match. (see \\c ::mbedtls_x509_crt sig_oid)",
        entry: e(
            "MBEDTLS_ERR_X509_SIG_MISMATCH",
            BOTH,
            "a certificate's two signature-algorithm fields disagree: a damaged or forged certificate",
            CRED_FIX,
        ),
    },
    MbedtlsError {
        code: 0x2700,
        versions: Versions::Both,
        text: "X509 - Certificate verification failed, e.g. CRL, CA or signature check failed",
        entry: e(
            "MBEDTLS_ERR_X509_CERT_VERIFY_FAILED",
            BOTH,
            "the board did not accept AWS IoT's server certificate; the verify flags printed with it say why",
            "read the verify flags and check in order: 1) EXPIRED or FUTURE: the board's clock: the board must set its clock by SNTP before TLS; check that the WiFi network lets UDP port 123 out; 2) NOT_TRUSTED: the root CA does not sign the server's certificate (AWS: use Amazon Root CA 1 (RSA) or 3 (ECC) with the -ats endpoint, which thingflash bundles when you drop no root CA; other brokers: load the CA that signed the broker's certificate); 3) CN_MISMATCH: the host name given to TLS is not the endpoint (typo, wrong region, or an IP address)",
        ),
    },
    MbedtlsError {
        code: 0x2780,
        versions: Versions::Both,
        text: "X509 - Format not recognized as DER or PEM",
        entry: e(
            "MBEDTLS_ERR_X509_CERT_UNKNOWN_FORMAT",
            BOTH,
            "the certificate buffer looked like PEM (it contains '-----BEGIN CERTIFICATE-----' and ends in a NUL byte) but no complete certificate block could be read: typically the PEM lost its line breaks (pasted as one line, or no newline right after the BEGIN line) or the END line is missing",
            "check in order: 1) every line of the PEM, BEGIN and END included, ends in a newline (in C end each line with \\n inside the quotes, or use a raw string R\"EOF(...)EOF\"); 2) the END CERTIFICATE line is there (the text was not cut off); 3) reflash the credentials with thingflash",
        ),
    },
    MbedtlsError {
        code: 0x2800,
        versions: Versions::Both,
        text: "X509 - Input invalid",
        entry: e(
            "MBEDTLS_ERR_X509_BAD_INPUT_DATA",
            BOTH,
            "a certificate function got an invalid argument (a NULL or empty buffer); also returned when a certificate's key usage does not allow the intended use",
            "check that the certificate buffers are set before TLS starts (an empty root CA or device certificate gives this); otherwise a firmware bug",
        ),
    },
    MbedtlsError {
        code: 0x2880,
        versions: Versions::Both,
        text: "X509 - Allocation of memory failed",
        entry: e(
            "MBEDTLS_ERR_X509_ALLOC_FAILED",
            BOTH,
            "out of memory while parsing a certificate",
            OOM_FIX,
        ),
    },
    MbedtlsError {
        code: 0x2900,
        versions: Versions::Both,
        text: "X509 - Read/write of file failed",
        entry: e(
            "MBEDTLS_ERR_X509_FILE_IO_ERROR",
            BOTH,
            "reading a certificate file (or a CA directory) from the file system failed",
            FILE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x2980,
        versions: Versions::Both,
        text: "X509 - Destination buffer is too small",
        entry: e(
            "MBEDTLS_ERR_X509_BUFFER_TOO_SMALL",
            BOTH,
            "the buffer for printing certificate information or verify reasons was too small",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3000,
        versions: Versions::Both,
        text: "X509 - A fatal error occurred, eg the chain is too long or the vrfy callback failed",
        entry: e(
            "MBEDTLS_ERR_X509_FATAL_ERROR",
            BOTH,
            "certificate verification stopped with a fatal error: the chain is longer than mbedTLS allows, the verify callback failed, or (mbedTLS with a wall-clock hook, as in mbedtls-rs firmware) the clock is not set: then every verify flag is set (0xFFFFFFFF)",
            "check in order: 1) verify flags all set: the clock is not set yet: the board must set its clock by SNTP before TLS; check that the WiFi network lets UDP port 123 out; 2) use the Amazon root CA directly rather than a long chain; 3) a custom verify callback in the firmware returned an error",
        ),
    },
    // PKCS5 (include/mbedtls/pkcs5.h)
    MbedtlsError {
        code: 0x2E00,
        versions: Versions::Both,
        text: "PKCS5 - Given private key password does not allow for correct decryption",
        entry: e(
            "MBEDTLS_ERR_PKCS5_PASSWORD_MISMATCH",
            BOTH,
            "the password given does not decrypt the private key (PKCS#5 / PBES2)",
            KEY_PASSWORD_FIX,
        ),
    },
    MbedtlsError {
        code: 0x2E80,
        versions: Versions::Both,
        text: "PKCS5 - Requested encryption or digest alg not available",
        entry: e(
            "MBEDTLS_ERR_PKCS5_FEATURE_UNAVAILABLE",
            BOTH,
            "decrypting a password-protected private key needs a cipher or hash (e.g. AES-256-CBC with HMAC-SHA256) not compiled in",
            KEY_PASSWORD_FIX,
        ),
    },
    MbedtlsError {
        code: 0x2F00,
        versions: Versions::Both,
        text: "PKCS5 - Unexpected ASN.1 data",
        entry: e(
            "MBEDTLS_ERR_PKCS5_INVALID_FORMAT",
            BOTH,
            "decrypting a password-protected private key: its PBES2 parameters are malformed",
            KEY_PASSWORD_FIX,
        ),
    },
    MbedtlsError {
        code: 0x2F80,
        versions: Versions::Both,
        text: "PKCS5 - Bad input parameters to function",
        entry: e(
            "MBEDTLS_ERR_PKCS5_BAD_INPUT_DATA",
            BOTH,
            "decrypting a password-protected private key (PKCS#5 / PBES2) got an invalid argument",
            KEY_PASSWORD_FIX,
        ),
    },
    // DHM (include/mbedtls/dhm.h)
    MbedtlsError {
        code: 0x3080,
        versions: Versions::Both,
        text: "DHM - Bad input parameters",
        entry: e(
            "MBEDTLS_ERR_DHM_BAD_INPUT_DATA",
            BOTH,
            "a Diffie-Hellman function got an invalid argument",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3100,
        versions: Versions::Both,
        text: "DHM - Reading of the DHM parameters failed",
        entry: e(
            "MBEDTLS_ERR_DHM_READ_PARAMS_FAILED",
            BOTH,
            "the server's Diffie-Hellman parameters could not be read or are too weak: finite-field Diffie-Hellman (DHE cipher suites); AWS IoT's cipher suites use ECDHE or plain RSA, so this points at another server or the firmware using DHM directly",
            "retry; if it repeats, the server offers unusable DH parameters (prefer ECDHE suites)",
        ),
    },
    MbedtlsError {
        code: 0x3180,
        versions: Versions::Both,
        text: "DHM - Making of the DHM parameters failed",
        entry: e(
            "MBEDTLS_ERR_DHM_MAKE_PARAMS_FAILED",
            BOTH,
            "making Diffie-Hellman parameters failed (server side)",
            SERVER_SIDE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3200,
        versions: Versions::Both,
        text: "DHM - Reading of the public values failed",
        entry: e(
            "MBEDTLS_ERR_DHM_READ_PUBLIC_FAILED",
            BOTH,
            "the peer's Diffie-Hellman public value was invalid: finite-field Diffie-Hellman (DHE cipher suites); AWS IoT's cipher suites use ECDHE or plain RSA, so this points at another server or the firmware using DHM directly",
            "retry; if it repeats, the server's DH setup is broken",
        ),
    },
    MbedtlsError {
        code: 0x3280,
        versions: Versions::Both,
        text: "DHM - Making of the public value failed",
        entry: e(
            "MBEDTLS_ERR_DHM_MAKE_PUBLIC_FAILED",
            BOTH,
            "making the board's Diffie-Hellman public value failed (random generator or memory): finite-field Diffie-Hellman (DHE cipher suites); AWS IoT's cipher suites use ECDHE or plain RSA, so this points at another server or the firmware using DHM directly",
            OOM_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3300,
        versions: Versions::Both,
        text: "DHM - Calculation of the DHM secret failed",
        entry: e(
            "MBEDTLS_ERR_DHM_CALC_SECRET_FAILED",
            BOTH,
            "computing the Diffie-Hellman shared secret failed (the peer's value was invalid, or out of memory): finite-field Diffie-Hellman (DHE cipher suites); AWS IoT's cipher suites use ECDHE or plain RSA, so this points at another server or the firmware using DHM directly",
            "retry; if it repeats with a server you run, check its DH parameters",
        ),
    },
    MbedtlsError {
        code: 0x3380,
        versions: Versions::Both,
        text: "DHM - The ASN.1 data is not formatted correctly",
        entry: e(
            "MBEDTLS_ERR_DHM_INVALID_FORMAT",
            BOTH,
            "Diffie-Hellman parameters (a dhparam file) are not valid ASN.1",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3400,
        versions: Versions::Both,
        text: "DHM - Allocation of memory failed",
        entry: e(
            "MBEDTLS_ERR_DHM_ALLOC_FAILED",
            BOTH,
            "out of memory in Diffie-Hellman: finite-field Diffie-Hellman (DHE cipher suites); AWS IoT's cipher suites use ECDHE or plain RSA, so this points at another server or the firmware using DHM directly",
            OOM_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3480,
        versions: Versions::Both,
        text: "DHM - Read or write of file failed",
        entry: e(
            "MBEDTLS_ERR_DHM_FILE_IO_ERROR",
            BOTH,
            "reading a Diffie-Hellman parameter file failed: finite-field Diffie-Hellman (DHE cipher suites); AWS IoT's cipher suites use ECDHE or plain RSA, so this points at another server or the firmware using DHM directly",
            FILE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3500,
        versions: Versions::V2,
        text: "DHM - DHM hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_DHM_HW_ACCEL_FAILED",
            V2_ONLY,
            "a Diffie-Hellman hardware accelerator reported a failure (deprecated code)",
            HW_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3580,
        versions: Versions::Both,
        text: "DHM - Setting the modulus and generator failed",
        entry: e(
            "MBEDTLS_ERR_DHM_SET_GROUP_FAILED",
            BOTH,
            "setting the Diffie-Hellman group (modulus and generator) failed: finite-field Diffie-Hellman (DHE cipher suites); AWS IoT's cipher suites use ECDHE or plain RSA, so this points at another server or the firmware using DHM directly",
            NOT_BUILT_FIX,
        ),
    },
    // PK (include/mbedtls/pk.h)
    MbedtlsError {
        code: 0x3880,
        versions: Versions::V2,
        text: "PK - PK hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_PK_HW_ACCEL_FAILED",
            V2_ONLY,
            "a public-key hardware accelerator reported a failure (deprecated code). In 3.x the same number means PK_BUFFER_TOO_SMALL",
            HW_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3880,
        versions: Versions::V3,
        text: "PK - The output buffer is too small",
        entry: e(
            "MBEDTLS_ERR_PK_BUFFER_TOO_SMALL",
            V3_ONLY,
            "the output buffer for a signature or an exported key was too small. In 2.x the same number means PK_HW_ACCEL_FAILED",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3900,
        versions: Versions::Both,
        text: "PK - The buffer contains a valid signature followed by more data",
        entry: e(
            "MBEDTLS_ERR_PK_SIG_LEN_MISMATCH",
            BOTH,
            "a signature was valid but followed by extra bytes",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3980,
        versions: Versions::Both,
        text: "PK - Unavailable feature, e.g. RSA disabled for RSA key",
        entry: e(
            "MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE",
            BOTH,
            "the key type is known but its support is compiled out (e.g. an RSA key in a build without RSA)",
            NOT_BUILT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3A00,
        versions: Versions::Both,
        text: "PK - Elliptic curve is unsupported (only NIST curves are supported)",
        entry: e(
            "MBEDTLS_ERR_PK_UNKNOWN_NAMED_CURVE",
            BOTH,
            "the key's elliptic curve is not supported, or not compiled into this build",
            "use an EC P-256 or P-384 key",
        ),
    },
    MbedtlsError {
        code: 0x3A80,
        versions: Versions::Both,
        text: "PK - The algorithm tag or value is invalid",
        entry: e(
            "MBEDTLS_ERR_PK_INVALID_ALG",
            BOTH,
            "the algorithm identifier of a key is malformed or carries parameters mbedTLS does not expect",
            CRED_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3B00,
        versions: Versions::Both,
        text: "PK - The pubkey tag or value is invalid (only RSA and EC are supported)",
        entry: e(
            "MBEDTLS_ERR_PK_INVALID_PUBKEY",
            BOTH,
            "a public key inside a certificate or key file is malformed or of an unsupported kind",
            CRED_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3B80,
        versions: Versions::Both,
        text: "PK - Given private key password does not allow for correct decryption",
        entry: e(
            "MBEDTLS_ERR_PK_PASSWORD_MISMATCH",
            BOTH,
            "the password given does not decrypt the private key",
            KEY_PASSWORD_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3C00,
        versions: Versions::Both,
        text: "PK - Private key password can't be empty",
        entry: e(
            "MBEDTLS_ERR_PK_PASSWORD_REQUIRED",
            BOTH,
            "the private key is password-protected (BEGIN ENCRYPTED PRIVATE KEY, or Proc-Type: 4,ENCRYPTED) and the firmware gave no password",
            KEY_PASSWORD_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3C80,
        versions: Versions::Both,
        text: "PK - Key algorithm is unsupported (only RSA and EC are supported)",
        entry: e(
            "MBEDTLS_ERR_PK_UNKNOWN_PK_ALG",
            BOTH,
            "the key's algorithm is not supported: mbedTLS reads only RSA and EC keys (not Ed25519, for example)",
            "use an RSA-2048 or EC P-256 key",
        ),
    },
    MbedtlsError {
        code: 0x3D00,
        versions: Versions::Both,
        text: "PK - Invalid key tag or value",
        entry: e(
            "MBEDTLS_ERR_PK_KEY_INVALID_FORMAT",
            BOTH,
            "the bytes given as the device private key are not a key mbedTLS can read. On its own it means no PEM private-key block was found and the bytes are not a DER key either; with an ASN1 code added (e.g. -0x3D60) the key is damaged or cut short",
            "check in order: 1) it is the private key (*-private.pem.key), not the public key (*-public.pem.key) or the certificate; 2) the PEM text is complete, BEGIN/END lines intact, every line ending in a newline; 3) the length passed includes the final NUL byte (ESP-IDF esp_tls: clientkey_bytes = strlen + 1; otherwise the PEM text is read as DER and fails); 4) reflash the credentials with thingflash",
        ),
    },
    MbedtlsError {
        code: 0x3D80,
        versions: Versions::Both,
        text: "PK - Unsupported key version",
        entry: e(
            "MBEDTLS_ERR_PK_KEY_INVALID_VERSION",
            BOTH,
            "the private key uses a format version mbedTLS cannot read (e.g. a multi-prime RSA key or a newer PKCS#8 layout)",
            "convert it once with openssl pkey -in key.pem -out key-fixed.pem, or use the key AWS IoT created with the certificate",
        ),
    },
    MbedtlsError {
        code: 0x3E00,
        versions: Versions::Both,
        text: "PK - Read/write of file failed",
        entry: e(
            "MBEDTLS_ERR_PK_FILE_IO_ERROR",
            BOTH,
            "reading a key file from the file system failed (mbedtls_pk_parse_keyfile)",
            FILE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3E80,
        versions: Versions::Both,
        text: "PK - Bad input parameters to function",
        entry: e(
            "MBEDTLS_ERR_PK_BAD_INPUT_DATA",
            BOTH,
            "a public-key function got an invalid argument (empty key, NULL buffer, unset context)",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x3F00,
        versions: Versions::Both,
        text: "PK - Type mismatch, eg attempt to encrypt with an ECDSA key",
        entry: e(
            "MBEDTLS_ERR_PK_TYPE_MISMATCH",
            BOTH,
            "a key was used for something its type cannot do: usually the device private key and certificate are of different types (an EC key with an RSA certificate or the reverse), found when the pair is checked or when signing in the handshake",
            "flash the private key that was created together with this certificate (AWS IoT's *-private.pem.key from the same download); thingflash checks the pair before flashing",
        ),
    },
    MbedtlsError {
        code: 0x3F80,
        versions: Versions::Both,
        text: "PK - Memory allocation failed",
        entry: e(
            "MBEDTLS_ERR_PK_ALLOC_FAILED",
            BOTH,
            "out of memory loading the device key or using it to sign in the handshake",
            OOM_FIX,
        ),
    },
    // RSA (include/mbedtls/rsa.h)
    MbedtlsError {
        code: 0x4080,
        versions: Versions::Both,
        text: "RSA - Bad input parameters to function",
        entry: e(
            "MBEDTLS_ERR_RSA_BAD_INPUT_DATA",
            BOTH,
            "an RSA function got an invalid argument (e.g. data longer than the key, or a key that is not fully set up)",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x4100,
        versions: Versions::Both,
        text: "RSA - Input data contains invalid padding and is rejected",
        entry: e(
            "MBEDTLS_ERR_RSA_INVALID_PADDING",
            BOTH,
            "an RSA decryption or signature had invalid padding: the wrong key, or damaged data",
            "if during the handshake: retry; otherwise the firmware used the wrong key",
        ),
    },
    MbedtlsError {
        code: 0x4180,
        versions: Versions::Both,
        text: "RSA - Something failed during generation of a key",
        entry: e(
            "MBEDTLS_ERR_RSA_KEY_GEN_FAILED",
            BOTH,
            "generating an RSA key on the board failed (random generator or memory), e.g. when making a CSR for fleet provisioning",
            "generate an EC P-256 key instead (much faster on a board), or check free heap and the RNG",
        ),
    },
    MbedtlsError {
        code: 0x4200,
        versions: Versions::Both,
        text: "RSA - Key failed to pass the validity check of the library",
        entry: e(
            "MBEDTLS_ERR_RSA_KEY_CHECK_FAILED",
            BOTH,
            "an RSA key failed its consistency check: the key is damaged, or (when the key is checked against the certificate) the RSA private key does not belong to this certificate",
            "check in order: 1) the private key is the one created together with this device certificate (thingflash checks the pair before flashing); 2) reflash the credentials with thingflash",
        ),
    },
    MbedtlsError {
        code: 0x4280,
        versions: Versions::Both,
        text: "RSA - The public key operation failed",
        entry: e(
            "MBEDTLS_ERR_RSA_PUBLIC_FAILED",
            BOTH,
            "an RSA public-key operation failed (checking a server signature with a malformed or too large key, or out of memory)",
            "check free heap; if it repeats, the server's RSA key is larger than this build supports (MBEDTLS_MPI_MAX_SIZE)",
        ),
    },
    MbedtlsError {
        code: 0x4300,
        versions: Versions::Both,
        text: "RSA - The private key operation failed",
        entry: e(
            "MBEDTLS_ERR_RSA_PRIVATE_FAILED",
            BOTH,
            "signing with the device's RSA private key failed (the handshake's CertificateVerify). Usually printed with the reason added: -0x4310 = this plus MPI_ALLOC_FAILED (out of memory)",
            "check in order: 1) free heap (an added 0x10 means out of memory): see ALLOC_FAILED; 2) the private key belongs to the certificate and is not damaged: reflash the credentials with thingflash",
        ),
    },
    MbedtlsError {
        code: 0x4380,
        versions: Versions::Both,
        text: "RSA - The PKCS#1 verification failed",
        entry: e(
            "MBEDTLS_ERR_RSA_VERIFY_FAILED",
            BOTH,
            "an RSA signature did not verify. In a handshake, certificate signatures show as verify flags instead, so this is usually the server's key-exchange signature or firmware checking a signature itself",
            "if during the handshake: retry, then check that nothing intercepts TLS on this network; if the firmware verifies its own data, the data or the public key differs",
        ),
    },
    MbedtlsError {
        code: 0x4400,
        versions: Versions::Both,
        text: "RSA - The output buffer for decryption is not large enough",
        entry: e(
            "MBEDTLS_ERR_RSA_OUTPUT_TOO_LARGE",
            BOTH,
            "an RSA decryption result did not fit the output buffer",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x4480,
        versions: Versions::Both,
        text: "RSA - The random generator failed to generate non-zeros",
        entry: e(
            "MBEDTLS_ERR_RSA_RNG_FAILED",
            BOTH,
            "the random generator failed during an RSA operation",
            ENTROPY_FIX,
        ),
    },
    MbedtlsError {
        code: 0x4500,
        versions: Versions::V2,
        text: "RSA - The implementation does not offer the requested operation, for example, because of security violations or lack of functionality",
        entry: e(
            "MBEDTLS_ERR_RSA_UNSUPPORTED_OPERATION",
            V2_ONLY,
            "the RSA implementation (for example a secure element or hardware key) does not offer the operation asked for",
            NOT_BUILT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x4580,
        versions: Versions::V2,
        text: "RSA - RSA hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_RSA_HW_ACCEL_FAILED",
            V2_ONLY,
            "the RSA hardware accelerator reported a failure (deprecated code)",
            HW_FIX,
        ),
    },
    // ECP (include/mbedtls/ecp.h)
    MbedtlsError {
        code: 0x4B00,
        versions: Versions::Both,
        text: "ECP - Operation in progress, call again with the same parameters to continue",
        entry: e(
            "MBEDTLS_ERR_ECP_IN_PROGRESS",
            BOTH,
            "a restartable (step-by-step) elliptic-curve operation is not finished yet",
            AGAIN_FIX,
        ),
    },
    MbedtlsError {
        code: 0x4B80,
        versions: Versions::V2,
        text: "ECP - The ECP hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_ECP_HW_ACCEL_FAILED",
            V2_ONLY,
            "the elliptic-curve hardware accelerator reported a failure (deprecated code)",
            HW_FIX,
        ),
    },
    MbedtlsError {
        code: 0x4C00,
        versions: Versions::Both,
        text: "ECP - The buffer contains a valid signature followed by more data",
        entry: e(
            "MBEDTLS_ERR_ECP_SIG_LEN_MISMATCH",
            BOTH,
            "an ECDSA signature was valid but followed by extra bytes",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x4C80,
        versions: Versions::Both,
        text: "ECP - Invalid private or public key",
        entry: e(
            "MBEDTLS_ERR_ECP_INVALID_KEY",
            BOTH,
            "an EC key is invalid: the private value is out of range or the public point is not on the curve (damaged key bytes, or a key for another curve)",
            CRED_FIX,
        ),
    },
    MbedtlsError {
        code: 0x4D00,
        versions: Versions::Both,
        text: "ECP - Generation of random value, such as ephemeral key, failed",
        entry: e(
            "MBEDTLS_ERR_ECP_RANDOM_FAILED",
            BOTH,
            "the random generator failed while making an ephemeral key or a signature",
            ENTROPY_FIX,
        ),
    },
    MbedtlsError {
        code: 0x4D80,
        versions: Versions::Both,
        text: "ECP - Memory allocation failed",
        entry: e(
            "MBEDTLS_ERR_ECP_ALLOC_FAILED",
            BOTH,
            "out of memory during elliptic-curve math (ECDHE key exchange or ECDSA signing with the device key)",
            OOM_FIX,
        ),
    },
    MbedtlsError {
        code: 0x4E00,
        versions: Versions::Both,
        text: "ECP - The signature is not valid",
        entry: e(
            "MBEDTLS_ERR_ECP_VERIFY_FAILED",
            BOTH,
            "an ECDSA signature did not verify. In a handshake, certificate signatures show as verify flags instead, so this is usually the server's key-exchange signature or firmware checking a signature itself",
            "if during the handshake: retry, then check that nothing intercepts TLS on this network; if the firmware verifies its own data, the data or the public key differs",
        ),
    },
    MbedtlsError {
        code: 0x4E80,
        versions: Versions::Both,
        text: "ECP - The requested feature is not available, for example, the requested curve is not supported",
        entry: e(
            "MBEDTLS_ERR_ECP_FEATURE_UNAVAILABLE",
            BOTH,
            "the elliptic curve needed (by a key, a certificate or the key exchange) is not compiled into this build",
            "use EC P-256 (secp256r1), which every ESP build has; if you build the firmware yourself, enable the curve (ESP-IDF: menuconfig, Component config > mbedTLS > elliptic curves)",
        ),
    },
    MbedtlsError {
        code: 0x4F00,
        versions: Versions::Both,
        text: "ECP - The buffer is too small to write to",
        entry: e(
            "MBEDTLS_ERR_ECP_BUFFER_TOO_SMALL",
            BOTH,
            "an elliptic-curve value did not fit the output buffer",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x4F80,
        versions: Versions::Both,
        text: "ECP - Bad input parameters to function",
        entry: e(
            "MBEDTLS_ERR_ECP_BAD_INPUT_DATA",
            BOTH,
            "elliptic-curve code got invalid input. When the firmware checks the device key against its certificate, this is how mbedTLS says the EC private key does not belong to the certificate; otherwise a point not on the curve or a firmware bug",
            "check in order: 1) the private key is the one created together with this device certificate (thingflash checks the pair before flashing); 2) reflash the credentials with thingflash",
        ),
    },
    // MD (include/mbedtls/md.h)
    MbedtlsError {
        code: 0x5080,
        versions: Versions::Both,
        text: "MD - The selected feature is not available",
        entry: e(
            "MBEDTLS_ERR_MD_FEATURE_UNAVAILABLE",
            BOTH,
            "the hash algorithm asked for (e.g. SHA-384 or SHA-512 for a certificate or cipher suite) is not compiled into this build",
            NOT_BUILT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x5100,
        versions: Versions::Both,
        text: "MD - Bad input parameters to function",
        entry: e(
            "MBEDTLS_ERR_MD_BAD_INPUT_DATA",
            BOTH,
            "a hash function got an invalid argument (unset or freed context)",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x5180,
        versions: Versions::Both,
        text: "MD - Failed to allocate memory",
        entry: e(
            "MBEDTLS_ERR_MD_ALLOC_FAILED",
            BOTH,
            "out of memory setting up a hash (or HMAC) context",
            OOM_FIX,
        ),
    },
    MbedtlsError {
        code: 0x5200,
        versions: Versions::Both,
        text: "MD - Opening or reading of file failed",
        entry: e(
            "MBEDTLS_ERR_MD_FILE_IO_ERROR",
            BOTH,
            "hashing a file failed to open or read it; boards normally never do this",
            FILE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x5280,
        versions: Versions::V2,
        text: "MD - MD hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_MD_HW_ACCEL_FAILED",
            V2_ONLY,
            "a hash hardware accelerator reported a failure (deprecated code)",
            HW_FIX,
        ),
    },
    // PKCS7 (include/mbedtls/pkcs7.h)
    MbedtlsError {
        code: 0x5300,
        versions: Versions::V3,
        text: "PKCS7 - The format is invalid, e.g. different type expected",
        entry: e(
            "MBEDTLS_ERR_PKCS7_INVALID_FORMAT",
            "mbedTLS 3.3 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "the bytes given are not PKCS#7 signed data (used for signed firmware or configuration, not for TLS)",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x5380,
        versions: Versions::V3,
        text: "PKCS7 - Unavailable feature, e.g. anything other than signed data",
        entry: e(
            "MBEDTLS_ERR_PKCS7_FEATURE_UNAVAILABLE",
            "mbedTLS 3.3 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "PKCS#7 signed data (used for signed firmware or configuration, not for TLS) uses a feature mbedTLS does not support (anything but signed data)",
            NOT_BUILT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x5400,
        versions: Versions::V3,
        text: "PKCS7 - The PKCS #7 version element is invalid or cannot be parsed",
        entry: e(
            "MBEDTLS_ERR_PKCS7_INVALID_VERSION",
            "mbedTLS 3.3 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "the version field of PKCS#7 signed data (used for signed firmware or configuration, not for TLS) is invalid",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x5480,
        versions: Versions::V3,
        text: "PKCS7 - The PKCS #7 content info is invalid or cannot be parsed",
        entry: e(
            "MBEDTLS_ERR_PKCS7_INVALID_CONTENT_INFO",
            "mbedTLS 3.3 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "the content-info part of PKCS#7 signed data (used for signed firmware or configuration, not for TLS) is malformed",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x5500,
        versions: Versions::V3,
        text: "PKCS7 - The algorithm tag or value is invalid or cannot be parsed",
        entry: e(
            "MBEDTLS_ERR_PKCS7_INVALID_ALG",
            "mbedTLS 3.3 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "an algorithm field in PKCS#7 signed data (used for signed firmware or configuration, not for TLS) is malformed",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x5580,
        versions: Versions::V3,
        text: "PKCS7 - The certificate tag or value is invalid or cannot be parsed",
        entry: e(
            "MBEDTLS_ERR_PKCS7_INVALID_CERT",
            "mbedTLS 3.3 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "a certificate inside PKCS#7 signed data (used for signed firmware or configuration, not for TLS) is malformed",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x5600,
        versions: Versions::V3,
        text: "PKCS7 - Error parsing the signature",
        entry: e(
            "MBEDTLS_ERR_PKCS7_INVALID_SIGNATURE",
            "mbedTLS 3.3 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "the signature field in PKCS#7 signed data (used for signed firmware or configuration, not for TLS) is malformed",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x5680,
        versions: Versions::V3,
        text: "PKCS7 - Error parsing the signer's info",
        entry: e(
            "MBEDTLS_ERR_PKCS7_INVALID_SIGNER_INFO",
            "mbedTLS 3.3 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "the signer information in PKCS#7 signed data (used for signed firmware or configuration, not for TLS) is malformed",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x5700,
        versions: Versions::V3,
        text: "PKCS7 - Input invalid",
        entry: e(
            "MBEDTLS_ERR_PKCS7_BAD_INPUT_DATA",
            "mbedTLS 3.3 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "a PKCS#7 function got an invalid argument",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x5780,
        versions: Versions::V3,
        text: "PKCS7 - Allocation of memory failed",
        entry: e(
            "MBEDTLS_ERR_PKCS7_ALLOC_FAILED",
            "mbedTLS 3.3 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "out of memory parsing PKCS#7 signed data (used for signed firmware or configuration, not for TLS)",
            OOM_FIX,
        ),
    },
    MbedtlsError {
        code: 0x5800,
        versions: Versions::V3,
        text: "PKCS7 - Verification Failed",
        entry: e(
            "MBEDTLS_ERR_PKCS7_VERIFY_FAIL",
            "mbedTLS 3.3 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "the signature on PKCS#7 signed data (used for signed firmware or configuration, not for TLS) did not verify: the data was changed or signed by another key",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x5880,
        versions: Versions::V3,
        text: "PKCS7 - The PKCS #7 date issued/expired dates are invalid",
        entry: e(
            "MBEDTLS_ERR_PKCS7_CERT_DATE_INVALID",
            "mbedTLS 3.3 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "a certificate in PKCS#7 signed data (used for signed firmware or configuration, not for TLS) is outside its validity dates by the board's clock",
            CLOCK_FIX,
        ),
    },
    // SSL (include/mbedtls/ssl.h)
    MbedtlsError {
        code: 0x5D80,
        versions: Versions::Both,
        text: "SSL - Attempt to verify a certificate without an expected hostname. This is usually insecure.  In TLS clients, when a client authenticates a server through its certificate, the client normally checks three things: - the certificate chain must be valid; - the chain must start from a trusted CA; - the certificate must cover the server name that is expected by the client.  Omitting any of these checks is generally insecure, and can allow a malicious server to impersonate a legitimate server.  The third check may be safely skipped in some unusual scenarios, such as networks where eavesdropping is a risk but not active attacks, or a private PKI where the client equally trusts all servers that are accredited by the root CA.  You should call mbedtls_ssl_set_hostname() with the expected server name before starting a TLS handshake on a client (unless the client is set up to only use PSK-based authentication, which does not rely on the host name). If you have determined that server name verification is not required for security in your scenario, call mbedtls_ssl_set_hostname() with \\p NULL as the server name.  This error is raised if all of the following conditions are met:  - A TLS client is configured with the authentication mode #MBEDTLS_SSL_VERIFY_REQUIRED (default). - Certificate authentication is enabled. - The client does not call mbedtls_ssl_set_hostname(). - The configuration option #MBEDTLS_SSL_CLI_ALLOW_WEAK_CERTIFICATE_VERIFICATION_WITHOUT_HOSTNAME is not enabled",
        entry: e(
            "MBEDTLS_ERR_SSL_CERTIFICATE_VERIFICATION_WITHOUT_HOSTNAME",
            "mbedTLS 3.6.3+ and 2.28.10+ (ESP-IDF and Arduino ESP32 releases built on them, mbedtls-rs with mbedTLS 3.6.5)",
            "the board verifies AWS IoT's certificate but the firmware never told TLS which host it is connecting to; since mbedTLS 3.6.3 and 2.28.10 this is refused. The same call sets SNI, which AWS IoT needs to route the connection",
            "set the host name before the handshake: connect with the endpoint name (xxxxxxxx-ats.iot.<region>.amazonaws.com), not an IP address; in your own mbedTLS code call mbedtls_ssl_set_hostname(&ssl, endpoint)",
        ),
    },
    MbedtlsError {
        code: 0x5E00,
        versions: Versions::V2,
        text: "SSL - Cache entry not found",
        entry: e(
            "MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND",
            "mbedTLS 2.28.9 and later 2.28 (ESP-IDF 4, Arduino ESP32 core 2); server side",
            "a TLS server's session cache had no entry for the session a client tried to resume (server side)",
            "nothing to do: a full handshake follows; only a board running its own TLS server meets this",
        ),
    },
    MbedtlsError {
        code: 0x5E80,
        versions: Versions::Both,
        text: "SSL - Invalid value in SSL config",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_CONFIG",
            BOTH,
            "the TLS configuration is inconsistent, e.g. the minimum TLS version above the maximum, or an empty list of cipher suites, curves or signature algorithms",
            "check the firmware's TLS settings: allow TLS 1.2 and 1.3 for AWS IoT and remove custom cipher suite, curve or signature-algorithm lists",
        ),
    },
    MbedtlsError {
        code: 0x5F00,
        versions: Versions::Both,
        text: "SSL - An operation failed due to an unexpected version or configuration",
        entry: e(
            "MBEDTLS_ERR_SSL_VERSION_MISMATCH",
            BOTH,
            "a saved TLS session or connection was made by a different mbedTLS version or configuration",
            "drop the saved session (NVS or RTC memory) after a firmware update and do a full handshake",
        ),
    },
    MbedtlsError {
        code: 0x6000,
        versions: Versions::Both,
        text: "SSL - An encrypted DTLS-frame with an unexpected CID was received",
        entry: e(
            "MBEDTLS_ERR_SSL_UNEXPECTED_CID",
            BOTH,
            "a DTLS record carried a connection ID the board did not expect",
            "only for DTLS with connection IDs; not part of AWS IoT MQTT",
        ),
    },
    MbedtlsError {
        code: 0x6480,
        versions: Versions::Both,
        text: "SSL - Internal-only message signaling that a message arrived early",
        entry: e(
            "MBEDTLS_ERR_SSL_EARLY_MESSAGE",
            BOTH,
            "internal: a DTLS message arrived before its turn",
            "nothing to do; it is never returned to the application in normal use",
        ),
    },
    MbedtlsError {
        code: 0x6500,
        versions: Versions::Both,
        text: "SSL - The asynchronous operation is not completed yet",
        entry: e(
            "MBEDTLS_ERR_SSL_ASYNC_IN_PROGRESS",
            BOTH,
            "an asynchronous private-key operation (e.g. on a secure element) has not finished yet",
            AGAIN_FIX,
        ),
    },
    MbedtlsError {
        code: 0x6580,
        versions: Versions::Both,
        text: "SSL - Internal-only message signaling that further message-processing should be done",
        entry: e(
            "MBEDTLS_ERR_SSL_CONTINUE_PROCESSING",
            BOTH,
            "internal: mbedTLS signals to itself that more processing follows",
            "nothing to do; it is never returned to the application in normal use",
        ),
    },
    MbedtlsError {
        code: 0x6600,
        versions: Versions::V2,
        text: "SSL - Couldn't set the hash for verifying CertificateVerify",
        entry: e(
            "MBEDTLS_ERR_SSL_INVALID_VERIFY_HASH",
            V2_ONLY,
            "internal: the hash for checking a CertificateVerify could not be set. In 3.x the same number means ILLEGAL_PARAMETER",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x6600,
        versions: Versions::V3,
        text: "SSL - A field in a message was incorrect or inconsistent with other fields",
        entry: e(
            "MBEDTLS_ERR_SSL_ILLEGAL_PARAMETER",
            V3_ONLY,
            "a field in a handshake message was wrong or contradicted another, e.g. the server picked an ALPN name or a parameter the board did not offer. In 2.x the same number means INVALID_VERIFY_HASH",
            "check in order: 1) on port 443 the board offers only x-amzn-mqtt-ca as ALPN; 2) the endpoint is the AWS IoT -ats data endpoint and nothing intercepts TLS; 3) retry",
        ),
    },
    MbedtlsError {
        code: 0x6680,
        versions: Versions::Both,
        text: "SSL - The alert message received indicates a non-fatal error",
        entry: e(
            "MBEDTLS_ERR_SSL_NON_FATAL",
            BOTH,
            "internal: the server sent a warning-level alert that mbedTLS ignores",
            "nothing to do; mbedTLS carries on reading",
        ),
    },
    MbedtlsError {
        code: 0x6700,
        versions: Versions::Both,
        text: "SSL - Record header looks valid but is not expected",
        entry: e(
            "MBEDTLS_ERR_SSL_UNEXPECTED_RECORD",
            BOTH,
            "a record with a valid header arrived that does not belong here (DTLS epoch handling)",
            "nothing to do: mbedTLS drops it; it does not occur on TCP to AWS IoT",
        ),
    },
    MbedtlsError {
        code: 0x6780,
        versions: Versions::Both,
        text: "SSL - The client initiated a reconnect from the same port",
        entry: e(
            "MBEDTLS_ERR_SSL_CLIENT_RECONNECT",
            BOTH,
            "a DTLS client reconnected from the same port (server side)",
            SERVER_SIDE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x6800,
        versions: Versions::Both,
        text: "SSL - The operation timed out",
        entry: e(
            "MBEDTLS_ERR_SSL_TIMEOUT",
            BOTH,
            "no data arrived from the server within the read timeout the firmware set",
            "check in order: 1) during the handshake: the network lets TCP 8883 out (else use port 443 with ALPN x-amzn-mqtt-ca) and the WiFi signal is good; 2) after connecting: a read timeout shorter than the MQTT keep-alive makes an idle link look dead; treat a read timeout as 'no message yet', not as a failure",
        ),
    },
    MbedtlsError {
        code: 0x6880,
        versions: Versions::Both,
        text: "SSL - Connection requires a write call",
        entry: e(
            "MBEDTLS_ERR_SSL_WANT_WRITE",
            BOTH,
            "not an error: the socket is non-blocking and cannot take more data right now",
            "nothing to fix when the library retries by itself; if it ends the connection, make the firmware call the same function again once the socket is writable",
        ),
    },
    MbedtlsError {
        code: 0x6900,
        versions: Versions::Both,
        text: "SSL - No data of requested type currently available on underlying transport",
        entry: e(
            "MBEDTLS_ERR_SSL_WANT_READ",
            BOTH,
            "not an error: the socket is non-blocking and the data the TLS layer needs has not arrived yet",
            "nothing to fix when the library retries by itself. If it ends the connection, the firmware treats a 'try again' as fatal: call the same function again when data arrives. A handshake stuck here until a timeout means the server never answered: check the port (8883 or 443) and the firewall",
        ),
    },
    MbedtlsError {
        code: 0x6980,
        versions: Versions::V2,
        text: "SSL - None of the common ciphersuites is usable (eg, no suitable certificate, see debug messages)",
        entry: e(
            "MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE",
            V2_ONLY,
            "a TLS server shares cipher suites with the client but can use none of them, e.g. no suitable certificate (server side)",
            SERVER_SIDE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x6A00,
        versions: Versions::Both,
        text: "SSL - A buffer is too small to receive or write a message",
        entry: e(
            "MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL",
            BOTH,
            "a TLS message did not fit in a buffer. In mbedTLS 3.x this includes the board's own certificate chain being larger than the outgoing record buffer; it is also returned when a caller's buffer (session export, keying material) is too small",
            "check in order: 1) the device certificate (plus any chain added to it) fits in CONFIG_MBEDTLS_SSL_OUT_CONTENT_LEN: send only the device certificate; 2) in your own code, give the failing call a bigger buffer",
        ),
    },
    MbedtlsError {
        code: 0x6A80,
        versions: Versions::Both,
        text: "SSL - DTLS client must retry for hello verification",
        entry: e(
            "MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED",
            BOTH,
            "a DTLS (TLS over UDP) server asked the client to retry with a cookie; AWS IoT MQTT runs over TCP",
            "only for DTLS: call the handshake again",
        ),
    },
    MbedtlsError {
        code: 0x6B00,
        versions: Versions::Both,
        text: "SSL - Unexpected message at ServerHello in renegotiation",
        entry: e(
            "MBEDTLS_ERR_SSL_WAITING_SERVER_HELLO_RENEGO",
            BOTH,
            "a TLS renegotiation got an unexpected answer",
            "AWS IoT does not renegotiate: keep renegotiation off in the firmware (the default) and reconnect",
        ),
    },
    MbedtlsError {
        code: 0x6B80,
        versions: Versions::Both,
        text: "SSL - A counter would wrap (eg, too many messages exchanged)",
        entry: e(
            "MBEDTLS_ERR_SSL_COUNTER_WRAPPING",
            BOTH,
            "a record sequence counter would overflow: an enormous number of records on one connection",
            "reconnect; it cannot happen in normal use",
        ),
    },
    MbedtlsError {
        code: 0x6C00,
        versions: Versions::Both,
        text: "SSL - Internal error (eg, unexpected failure in lower-level module)",
        entry: e(
            "MBEDTLS_ERR_SSL_INTERNAL_ERROR",
            BOTH,
            "mbedTLS hit an internal error (a lower layer failed unexpectedly)",
            "retry; report it if it repeats, with the log lines just before it",
        ),
    },
    MbedtlsError {
        code: 0x6C80,
        versions: Versions::Both,
        text: "SSL - Unknown identity received (eg, PSK identity)",
        entry: e(
            "MBEDTLS_ERR_SSL_UNKNOWN_IDENTITY",
            BOTH,
            "a pre-shared-key (PSK) identity was not recognised; AWS IoT does not use PSK, so the firmware is set up for the wrong kind of TLS",
            "use certificate authentication (device certificate and private key) for AWS IoT",
        ),
    },
    MbedtlsError {
        code: 0x6D00,
        versions: Versions::Both,
        text: "SSL - Public key type mismatch (eg, asked for RSA key exchange and presented EC key)",
        entry: e(
            "MBEDTLS_ERR_SSL_PK_TYPE_MISMATCH",
            BOTH,
            "the key type does not fit the negotiated cipher suite (for example an EC key with an RSA-only suite)",
            "the device key and certificate must be a pair (thingflash checks this before flashing)",
        ),
    },
    MbedtlsError {
        code: 0x6D80,
        versions: Versions::Both,
        text: "SSL - Session ticket has expired",
        entry: e(
            "MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED",
            BOTH,
            "a session ticket offered for resumption is too old (checked by a TLS server)",
            "nothing to do: a full handshake follows; drop the saved session if the firmware logs it as a failure",
        ),
    },
    MbedtlsError {
        code: 0x6E00,
        versions: Versions::V2,
        text: "SSL - Processing of the NewSessionTicket handshake message failed",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_HS_NEW_SESSION_TICKET",
            V2_ONLY,
            "the server's session ticket message was malformed. In 3.x the same number means HANDSHAKE_FAILURE",
            "retry; turn client session tickets off if it repeats (ESP-IDF: CONFIG_MBEDTLS_CLIENT_SSL_SESSION_TICKETS)",
        ),
    },
    MbedtlsError {
        code: 0x6E00,
        versions: Versions::V3,
        text: "SSL - The handshake negotiation failed",
        entry: e(
            "MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE",
            V3_ONLY,
            "the board and the server could not agree: no common cipher suite, curve (key share), signature algorithm or key type, or the server picked something the board did not offer. In 2.x the same number means BAD_HS_NEW_SESSION_TICKET",
            "check in order: 1) the device certificate is RSA-2048 or EC P-256 (AWS IoT creates RSA-2048); 2) the build has ECDHE with AES-GCM, curves P-256 and P-384, and SHA-256/384 signatures; 3) TLS 1.2 is allowed; 4) a custom domain configuration's TLS security policy is not stricter than the board supports",
        ),
    },
    MbedtlsError {
        code: 0x6E80,
        versions: Versions::V2,
        text: "SSL - Handshake protocol not within min/max boundaries",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION",
            V2_ONLY,
            "the TLS version the server chose is outside the board's allowed minimum and maximum",
            "allow TLS 1.2 (and 1.3 where the build has it); AWS IoT needs TLS 1.2 or newer",
        ),
    },
    MbedtlsError {
        code: 0x6E80,
        versions: Versions::V3,
        text: "SSL - Handshake protocol not within min/max boundaries",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION",
            V3_ONLY,
            "the TLS version the server chose is outside the board's allowed minimum and maximum (e.g. the firmware allows only TLS 1.3 and the endpoint's policy picked 1.2, or the reverse)",
            "allow TLS 1.2 and 1.3 (minimum 1.2); AWS IoT needs TLS 1.2 or newer. If a custom domain configuration uses a TLS 1.3-only security policy, the board must support TLS 1.3",
        ),
    },
    MbedtlsError {
        code: 0x6F00,
        versions: Versions::V2,
        text: "SSL - Processing of the compression / decompression failed",
        entry: e(
            "MBEDTLS_ERR_SSL_COMPRESSION_FAILED",
            V2_ONLY,
            "TLS record compression or decompression failed (2.x builds with compression enabled only; AWS IoT does not use it)",
            "turn TLS compression off in the firmware (it is off by default and was removed in 3.0)",
        ),
    },
    MbedtlsError {
        code: 0x6F80,
        versions: Versions::Both,
        text: "SSL - Hardware acceleration function skipped / left alone data",
        entry: e(
            "MBEDTLS_ERR_SSL_HW_ACCEL_FALLTHROUGH",
            BOTH,
            "internal: a hardware record-acceleration hook declined and left the record to software",
            "nothing to do; it is never returned to the application in normal use",
        ),
    },
    MbedtlsError {
        code: 0x7000,
        versions: Versions::Both,
        text: "SSL - A cryptographic operation is in progress. Try again later",
        entry: e(
            "MBEDTLS_ERR_SSL_CRYPTO_IN_PROGRESS",
            BOTH,
            "a restartable (step-by-step) crypto operation inside TLS is still running",
            AGAIN_FIX,
        ),
    },
    MbedtlsError {
        code: 0x7080,
        versions: Versions::Both,
        text: "SSL - The requested feature is not available",
        entry: e(
            "MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE",
            BOTH,
            "a TLS feature this connection needs is not compiled into the board's mbedTLS",
            "use an RSA-2048 or EC P-256 certificate; if you build the firmware yourself, enable TLS 1.2, ECDHE-ECDSA and ECDHE-RSA key exchange and AES-GCM in the mbedTLS configuration (ESP-IDF: menuconfig, Component config > mbedTLS)",
        ),
    },
    MbedtlsError {
        code: 0x7100,
        versions: Versions::Both,
        text: "SSL - Bad input parameters to function",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_INPUT_DATA",
            BOTH,
            "the firmware passed an invalid argument to the TLS layer (for example a host name over 255 characters, a NULL buffer, or a call in the wrong state)",
            "a firmware bug: check the values given to TLS; the log lines just before name the call",
        ),
    },
    MbedtlsError {
        code: 0x7180,
        versions: Versions::Both,
        text: "SSL - Verification of the message MAC failed",
        entry: e(
            "MBEDTLS_ERR_SSL_INVALID_MAC",
            BOTH,
            "a TLS record failed its integrity check: the data was changed on the way or the keys got out of step",
            "retry; if every connection fails this way, suspect a crypto driver fault (a hardware crypto fault or a driver bug: reset the board; if it repeats, turn the hardware acceleration for this algorithm off (ESP-IDF: menuconfig, Component config > mbedTLS, e.g. CONFIG_MBEDTLS_HARDWARE_AES / _SHA / _MPI) and report it with the chip and firmware version)",
        ),
    },
    MbedtlsError {
        code: 0x7200,
        versions: Versions::Both,
        text: "SSL - An invalid SSL record was received",
        entry: e(
            "MBEDTLS_ERR_SSL_INVALID_RECORD",
            BOTH,
            "a TLS record arrived that the board could not accept: a bad header or length, or a record larger than the board's receive buffer (CONFIG_MBEDTLS_SSL_IN_CONTENT_LEN smaller than the server's records)",
            "check in order: 1) the port speaks TLS (8883 and 443 on the -ats endpoint do; a proxy or captive portal may inject plain data); 2) the TLS receive buffer is 16384 bytes unless you know the server sends smaller records; 3) if it happens on a running connection, retry",
        ),
    },
    MbedtlsError {
        code: 0x7280,
        versions: Versions::Both,
        text: "SSL - The connection indicated an EOF",
        entry: e(
            "MBEDTLS_ERR_SSL_CONN_EOF",
            BOTH,
            "the TCP connection closed under TLS without a TLS goodbye: AWS IoT (or something in between) hung up. Right after the MQTT CONNECT this is how AWS IoT refuses a certificate that may not connect; during the handshake the server or a firewall dropped the connection",
            HANGUP_FIX,
        ),
    },
    MbedtlsError {
        code: 0x7300,
        versions: Versions::V2,
        text: "SSL - An unknown cipher was received",
        entry: e(
            "MBEDTLS_ERR_SSL_UNKNOWN_CIPHER",
            V2_ONLY,
            "an unknown cipher was received; mbedTLS 2.28 defines this but no longer returns it itself. In 3.x the same number means DECODE_ERROR",
            "treat it as a handshake failure: keep the default cipher suites (ECDHE with AES-GCM) and TLS 1.2 allowed",
        ),
    },
    MbedtlsError {
        code: 0x7300,
        versions: Versions::V3,
        text: "SSL - A message could not be parsed due to a syntactic error",
        entry: e(
            "MBEDTLS_ERR_SSL_DECODE_ERROR",
            V3_ONLY,
            "a handshake message from the server could not be parsed (malformed or truncated). In 2.x the same number means UNKNOWN_CIPHER",
            "check that the host and port are AWS IoT's (something else, a proxy or a captive portal may be answering); retry on another network",
        ),
    },
    MbedtlsError {
        code: 0x7380,
        versions: Versions::V2,
        text: "SSL - The server has no ciphersuites in common with the client",
        entry: e(
            "MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN",
            V2_ONLY,
            "a TLS server found no cipher suite in common with the client (server side)",
            SERVER_SIDE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x7400,
        versions: Versions::Both,
        text: "SSL - No RNG was provided to the SSL module",
        entry: e(
            "MBEDTLS_ERR_SSL_NO_RNG",
            BOTH,
            "TLS was started without a random number generator configured",
            "a firmware bug: give the TLS configuration a seeded random generator before the handshake (mbedtls_ssl_conf_rng; ESP-IDF and Arduino do it for you); on mbedtls-rs, hand the chip's RNG to the TLS setup",
        ),
    },
    MbedtlsError {
        code: 0x7480,
        versions: Versions::Both,
        text: "SSL - No client certification received from the client, but required by the authentication mode",
        entry: e(
            "MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE",
            BOTH,
            "a TLS server required a client certificate and the client sent none (server side). A board talking to AWS IoT that sends no certificate sees an alert or a hang-up instead",
            SERVER_SIDE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x7500,
        versions: Versions::V2,
        text: "SSL - Our own certificate(s) is/are too large to send in an SSL message",
        entry: e(
            "MBEDTLS_ERR_SSL_CERTIFICATE_TOO_LARGE",
            V2_ONLY,
            "the board's own certificate (plus any chain sent with it) does not fit in the outgoing TLS record buffer. In 3.x the same number means UNSUPPORTED_EXTENSION and this case is BUFFER_TOO_SMALL",
            "send only the device certificate (not a chain) or raise CONFIG_MBEDTLS_SSL_OUT_CONTENT_LEN; an AWS IoT device certificate alone (about 1 KB) fits easily",
        ),
    },
    MbedtlsError {
        code: 0x7500,
        versions: Versions::V3,
        text: "SSL - Client received an extended server hello containing an unsupported extension",
        entry: e(
            "MBEDTLS_ERR_SSL_UNSUPPORTED_EXTENSION",
            V3_ONLY,
            "the server's hello contained an extension the board did not ask for or does not support. In 2.x the same number means CERTIFICATE_TOO_LARGE",
            "check that the endpoint is the AWS IoT -ats data endpoint and nothing intercepts TLS on this network; retry",
        ),
    },
    MbedtlsError {
        code: 0x7580,
        versions: Versions::V2,
        text: "SSL - The own certificate is not set, but needed by the server",
        entry: e(
            "MBEDTLS_ERR_SSL_CERTIFICATE_REQUIRED",
            V2_ONLY,
            "a TLS server has no certificate of its own to send (server side in 2.28). In 3.x the same number means NO_APPLICATION_PROTOCOL",
            SERVER_SIDE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x7580,
        versions: Versions::V3,
        text: "SSL - No ALPN protocols supported that the client advertises",
        entry: e(
            "MBEDTLS_ERR_SSL_NO_APPLICATION_PROTOCOL",
            V3_ONLY,
            "no ALPN protocol in common. mbedTLS returns this only as a TLS server; a board connecting to AWS IoT on port 443 sees AWS refusing its ALPN list as -0x7780 with alert 120, and with no ALPN at all usually a hang-up after MQTT CONNECT. In 2.x the same number means CERTIFICATE_REQUIRED",
            "on port 443 offer exactly the ALPN name x-amzn-mqtt-ca for MQTT with a device certificate (ESP-IDF MQTT client: alpn_protos; Arduino: setAlpnProtocols on WiFiClientSecure / NetworkClientSecure), or use port 8883, which needs no ALPN",
        ),
    },
    MbedtlsError {
        code: 0x7600,
        versions: Versions::Both,
        text: "SSL - The own private key or pre-shared key is not set, but needed",
        entry: e(
            "MBEDTLS_ERR_SSL_PRIVATE_KEY_REQUIRED",
            BOTH,
            "the board has a device certificate but no private key loaded (or the key failed to load and the error was ignored)",
            "reflash the credentials with thingflash; in your own code load the *-private.pem.key that came with the certificate (setPrivateKey, clientkey_buf) and check the result of parsing it",
        ),
    },
    MbedtlsError {
        code: 0x7680,
        versions: Versions::Both,
        text: "SSL - No CA Chain is set, but required to operate",
        entry: e(
            "MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED",
            BOTH,
            "TLS started with server verification required but no root CA loaded",
            "reflash the credentials with thingflash (it includes Amazon Root CA 1 and 3); in your own code set the root CA (setCACert, cacert_buf) before connecting and check that it parsed",
        ),
    },
    MbedtlsError {
        code: 0x7700,
        versions: Versions::Both,
        text: "SSL - An unexpected message was received from our peer",
        entry: e(
            "MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE",
            BOTH,
            "the server sent a TLS message the board did not expect at this point of the handshake",
            "check that the host is the AWS IoT data endpoint (xxxxxxxx-ats.iot.<region>.amazonaws.com) and the port 8883 or 443; a proxy or captive portal on the network can also cause it",
        ),
    },
    MbedtlsError {
        code: 0x7780,
        versions: Versions::Both,
        text: "SSL - A fatal alert message was received from our peer",
        entry: e(
            "MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE",
            BOTH,
            "AWS IoT aborted the handshake with a fatal TLS alert. The alert number is not part of this code (mbedtls_strerror prints nothing after it); it says why. With a device certificate it is usually the server refusing that certificate",
            "find the alert number (mbedTLS debug level 1 logs 'is a fatal alert message (msg N)') and check in order: 1) 42 bad_certificate, 46 certificate_unknown or 48 unknown_ca: AWS IoT does not accept the device certificate: it must be registered in this account and region (or its CA registered), ACTIVE, and the private key must be the one created with it; 45 certificate_expired: make a new device certificate; 2) 40 handshake_failure: no common cipher suite, curve or signature algorithm: use an RSA-2048 or EC P-256 certificate and ECDHE with AES-GCM; 3) 70 protocol_version: allow TLS 1.2; 4) 112 unrecognized_name: the SNI host is not this account's endpoint; 5) 116 certificate_required: the board sent no device certificate; 6) 120 no_application_protocol: on port 443 offer ALPN x-amzn-mqtt-ca",
        ),
    },
    MbedtlsError {
        code: 0x7800,
        versions: Versions::V2,
        text: "SSL - Verification of our peer failed",
        entry: e(
            "MBEDTLS_ERR_SSL_PEER_VERIFY_FAILED",
            V2_ONLY,
            "verifying the peer failed; mbedTLS 2.28 defines this but no longer returns it itself (certificate problems show as -0x2700), so a port or wrapper raised it. In 3.x the same number means UNRECOGNIZED_NAME",
            "treat it like X509_CERT_VERIFY_FAILED: use Amazon Root CA 1 (RSA) or 3 (ECC) with the -ats endpoint; thingflash bundles both when you drop no root CA, and the board must set its clock by SNTP before TLS; check that the WiFi network lets UDP port 123 out",
        ),
    },
    MbedtlsError {
        code: 0x7800,
        versions: Versions::V3,
        text: "SSL - No server could be identified matching the client's SNI",
        entry: e(
            "MBEDTLS_ERR_SSL_UNRECOGNIZED_NAME",
            V3_ONLY,
            "no server identity matches the SNI name. mbedTLS raises this only as a TLS server (its SNI callback refused the name); when AWS IoT refuses the board's SNI the board sees -0x7780 with alert 112 instead. In 2.x the same number means PEER_VERIFY_FAILED",
            "on a board connecting to AWS IoT: set the host name to the endpoint exactly as AWS IoT console > Settings shows it; on a board running a TLS server: its SNI callback refused the name the client sent",
        ),
    },
    MbedtlsError {
        code: 0x7880,
        versions: Versions::Both,
        text: "SSL - The peer notified us that the connection is going to be closed",
        entry: e(
            "MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY",
            BOTH,
            "AWS IoT closed the connection in an orderly way (TLS close_notify). Right after the MQTT CONNECT this is how AWS IoT refuses a device: the certificate may not connect with this client id. After the link has worked for a while it means the broker ended the session: the same client id connected elsewhere, keep-alive missed, or a publish or subscribe the policy forbids",
            "check in order: 1) the certificate is ACTIVE in the AWS IoT console, registered in the same account and region as the endpoint, and attached to the thing; 2) a policy attached to the certificate allows iot:Connect for this client id (resource arn:aws:iot:<region>:<account>:client/<client id>); 3) no other device or script connects with the same client id (AWS IoT drops the older connection); 4) on port 443 the board offers ALPN x-amzn-mqtt-ca; 5) the board connects by the endpoint name, so TLS sends it as SNI; if it comes after the link has worked for a while: 6) the MQTT keep-alive is sent in time; 7) the policy allows iot:Publish, iot:Subscribe and iot:Receive on the topics used",
        ),
    },
    MbedtlsError {
        code: 0x7900,
        versions: Versions::V2,
        text: "SSL - Processing of the ClientHello handshake message failed",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_HS_CLIENT_HELLO",
            V2_ONLY,
            "a TLS server could not process a client's ClientHello (server side)",
            SERVER_SIDE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x7980,
        versions: Versions::V2,
        text: "SSL - Processing of the ServerHello handshake message failed",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO",
            V2_ONLY,
            "the server's ServerHello could not be accepted: it picked a TLS version, cipher suite, compression or extension (e.g. an ALPN name) the board did not offer",
            "check in order: 1) the board allows TLS 1.2 and offers the default cipher suites (ECDHE with AES-GCM); 2) the endpoint is the AWS IoT -ats data endpoint on port 8883 or 443; 3) nothing intercepts TLS on this network",
        ),
    },
    MbedtlsError {
        code: 0x7A00,
        versions: Versions::V2,
        text: "SSL - Processing of the Certificate handshake message failed",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE",
            V2_ONLY,
            "the server's Certificate message could not be used: malformed, or its key does not fit (an EC certificate on a curve the board does not allow, or key usage that forbids TLS server use); the verify flags say which",
            "check in order: 1) the endpoint is the AWS IoT -ats data endpoint and nothing intercepts TLS on this network; 2) the board allows curves P-256 and P-384; 3) use Amazon Root CA 1 (RSA) or 3 (ECC) with the -ats endpoint; thingflash bundles both when you drop no root CA",
        ),
    },
    MbedtlsError {
        code: 0x7A00,
        versions: Versions::V3,
        text: "SSL - Processing of the Certificate handshake message failed",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_CERTIFICATE",
            V3_ONLY,
            "the server's Certificate message could not be used: malformed, or its key does not fit (an EC certificate on a curve the board does not allow, or key usage that forbids TLS server use); the verify flags say which",
            "check in order: 1) the endpoint is the AWS IoT -ats data endpoint and nothing intercepts TLS on this network; 2) the board allows curves P-256 and P-384; 3) use Amazon Root CA 1 (RSA) or 3 (ECC) with the -ats endpoint; thingflash bundles both when you drop no root CA",
        ),
    },
    MbedtlsError {
        code: 0x7A80,
        versions: Versions::V2,
        text: "SSL - Processing of the CertificateRequest handshake message failed",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE_REQUEST",
            V2_ONLY,
            "the server's request for a client certificate was malformed or asks for something the board cannot offer",
            "retry; if it repeats, check the endpoint (it must be the AWS IoT -ats data endpoint) and whether the network intercepts TLS",
        ),
    },
    MbedtlsError {
        code: 0x7B00,
        versions: Versions::V2,
        text: "SSL - Processing of the ServerKeyExchange handshake message failed",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_HS_SERVER_KEY_EXCHANGE",
            V2_ONLY,
            "the server's key exchange message could not be used: its signature did not verify with the server certificate's key, or it names a curve or parameters the board does not allow. In 3.x the same number means RECEIVED_NEW_SESSION_TICKET",
            "check in order: 1) the board allows curve P-256 (secp256r1) and SHA-256 signatures; 2) nothing intercepts TLS on this network; 3) retry",
        ),
    },
    MbedtlsError {
        code: 0x7B00,
        versions: Versions::V3,
        text: "SSL - A TLS 1.3 NewSessionTicket message has been received",
        entry: e(
            "MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET",
            "mbedTLS 3.3 and later with TLS 1.3 (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "not a failure: a TLS 1.3 server (AWS IoT's default security policy allows TLS 1.3) sent a session ticket. mbedTLS 3.3 to 3.6.0 returns this from reads whenever session tickets are on; from 3.6.1 only when the firmware asked for it",
            "call the read again (the ticket is kept); if the firmware treats it as fatal, make it retry, turn TLS 1.3 client session tickets off (ESP-IDF: CONFIG_MBEDTLS_CLIENT_SSL_SESSION_TICKETS) or update to mbedTLS 3.6.1 or later",
        ),
    },
    MbedtlsError {
        code: 0x7B80,
        versions: Versions::V2,
        text: "SSL - Processing of the ServerHelloDone handshake message failed",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO_DONE",
            V2_ONLY,
            "the server's ServerHelloDone message was malformed. In 3.x the same number means CANNOT_READ_EARLY_DATA",
            "retry; if it repeats, check the endpoint and port and whether the network intercepts TLS",
        ),
    },
    MbedtlsError {
        code: 0x7B80,
        versions: Versions::V3,
        text: "SSL - Not possible to read early data",
        entry: e(
            "MBEDTLS_ERR_SSL_CANNOT_READ_EARLY_DATA",
            "mbedTLS 3.3 and later with TLS 1.3 early data (server side)",
            "a TLS 1.3 server cannot read early data now (server side)",
            SERVER_SIDE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x7C00,
        versions: Versions::V2,
        text: "SSL - Processing of the ClientKeyExchange handshake message failed",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE",
            V2_ONLY,
            "a TLS server could not process a client's key exchange message (server side). In 3.x the same number means RECEIVED_EARLY_DATA",
            SERVER_SIDE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x7C00,
        versions: Versions::V3,
        text: "SSL - * Early data has been received as part of an on-going handshake. This error code can be returned only on server side if and only if early data has been enabled by means of the mbedtls_ssl_conf_early_data() API. This error code can then be returned by mbedtls_ssl_handshake(), mbedtls_ssl_handshake_step(), mbedtls_ssl_read() or mbedtls_ssl_write() if early data has been received as part of the handshake sequence they triggered. To read the early data, call mbedtls_ssl_read_early_data()",
        entry: e(
            "MBEDTLS_ERR_SSL_RECEIVED_EARLY_DATA",
            "mbedTLS 3.6 with TLS 1.3 early data (server side)",
            "a TLS 1.3 server received early data during the handshake (server side, only with early data enabled)",
            SERVER_SIDE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x7C80,
        versions: Versions::V2,
        text: "SSL - Processing of the ClientKeyExchange handshake message failed in DHM / ECDH Read Public",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE_RP",
            V2_ONLY,
            "a TLS server could not read a client's key-exchange public value (server side). In 3.x the same number means CANNOT_WRITE_EARLY_DATA",
            SERVER_SIDE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x7C80,
        versions: Versions::V3,
        text: "SSL - Not possible to write early data",
        entry: e(
            "MBEDTLS_ERR_SSL_CANNOT_WRITE_EARLY_DATA",
            "mbedTLS 3.3 and later with TLS 1.3 early data",
            "TLS 1.3 early data (0-RTT) cannot be sent now: the session does not allow it or the handshake is past that point; AWS IoT clients do not use early data",
            AGAIN_FIX,
        ),
    },
    MbedtlsError {
        code: 0x7D00,
        versions: Versions::V2,
        text: "SSL - Processing of the ClientKeyExchange handshake message failed in DHM / ECDH Calculate Secret",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE_CS",
            V2_ONLY,
            "a TLS server failed to compute the shared secret from a client's key exchange (server side)",
            SERVER_SIDE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x7D80,
        versions: Versions::V2,
        text: "SSL - Processing of the CertificateVerify handshake message failed",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE_VERIFY",
            V2_ONLY,
            "a client's CertificateVerify (the signature proving it owns its certificate's key) was rejected: server side only",
            SERVER_SIDE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x7E00,
        versions: Versions::V2,
        text: "SSL - Processing of the ChangeCipherSpec handshake message failed",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_HS_CHANGE_CIPHER_SPEC",
            V2_ONLY,
            "the ChangeCipherSpec message of the handshake could not be processed (defined in 2.28 but no longer returned by the library)",
            "retry; if it repeats, check the endpoint and port and whether the network intercepts TLS",
        ),
    },
    MbedtlsError {
        code: 0x7E80,
        versions: Versions::V2,
        text: "SSL - Processing of the Finished handshake message failed",
        entry: e(
            "MBEDTLS_ERR_SSL_BAD_HS_FINISHED",
            V2_ONLY,
            "the server's Finished message did not match what the board computed: the handshake was altered on the way or the two sides derived different keys. In 3.x the same number means CACHE_ENTRY_NOT_FOUND",
            "retry; if it repeats, something on the network (a TLS-inspecting proxy or firewall) is interfering: try another network, e.g. a phone hotspot",
        ),
    },
    MbedtlsError {
        code: 0x7E80,
        versions: Versions::V3,
        text: "SSL - Cache entry not found",
        entry: e(
            "MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND",
            "mbedTLS 3.5 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs); server side",
            "a TLS server's session cache had no entry for the session a client tried to resume (server side)",
            "nothing to do: a full handshake follows; only a board running its own TLS server meets this",
        ),
    },
    MbedtlsError {
        code: 0x7F00,
        versions: Versions::Both,
        text: "SSL - Memory allocation failed",
        entry: e(
            "MBEDTLS_ERR_SSL_ALLOC_FAILED",
            BOTH,
            "the board ran out of memory during TLS: the record buffers and the handshake need tens of kilobytes",
            OOM_FIX,
        ),
    },
    MbedtlsError {
        code: 0x7F80,
        versions: Versions::Both,
        text: "SSL - Hardware acceleration function returned with error",
        entry: e(
            "MBEDTLS_ERR_SSL_HW_ACCEL_FAILED",
            BOTH,
            "a crypto call inside TLS failed. In mbedTLS 3.x this is what TLS reports when a PSA crypto call fails during key derivation, most often because psa_crypto_init() was never called (needed for TLS 1.3 and for builds with MBEDTLS_USE_PSA_CRYPTO) or PSA ran out of key slots or memory; in 2.x only a record-acceleration hook returns it",
            "check in order: 1) the firmware calls psa_crypto_init() once before the first handshake (ESP-IDF and Arduino do it for you); 2) free heap (see ALLOC_FAILED); 3) a hardware crypto fault or a driver bug: reset the board; if it repeats, turn the hardware acceleration for this algorithm off (ESP-IDF: menuconfig, Component config > mbedTLS, e.g. CONFIG_MBEDTLS_HARDWARE_AES / _SHA / _MPI) and report it with the chip and firmware version",
        ),
    },
    // HKDF (include/mbedtls/hkdf.h)
    // error.c lists this high-level value among the low-level texts, so mbedtls_strerror
    // never reaches it and prints "UNKNOWN ERROR CODE (5F80)"; `text` is error.c's string.
    MbedtlsError {
        code: 0x5F80,
        versions: Versions::Both,
        text: "HKDF - Bad input parameters to function",
        entry: e(
            "MBEDTLS_ERR_HKDF_BAD_INPUT_DATA",
            BOTH,
            "HKDF key derivation got an invalid argument (e.g. too long an output). Quirk: error.c files this code under the low-level texts although its value is high-level, so mbedtls_strerror actually prints UNKNOWN ERROR CODE (5F80) for it",
            BUG_FIX,
        ),
    },
    // CIPHER (include/mbedtls/cipher.h)
    MbedtlsError {
        code: 0x6080,
        versions: Versions::Both,
        text: "CIPHER - The selected feature is not available",
        entry: e(
            "MBEDTLS_ERR_CIPHER_FEATURE_UNAVAILABLE",
            BOTH,
            "the cipher or mode asked for is not compiled into this build",
            NOT_BUILT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x6100,
        versions: Versions::Both,
        text: "CIPHER - Bad input parameters",
        entry: e(
            "MBEDTLS_ERR_CIPHER_BAD_INPUT_DATA",
            BOTH,
            "a cipher function got an invalid argument (wrong key size, IV length or mode)",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x6180,
        versions: Versions::Both,
        text: "CIPHER - Failed to allocate memory",
        entry: e(
            "MBEDTLS_ERR_CIPHER_ALLOC_FAILED",
            BOTH,
            "out of memory setting up a cipher (for the TLS session keys or elsewhere)",
            OOM_FIX,
        ),
    },
    MbedtlsError {
        code: 0x6200,
        versions: Versions::Both,
        text: "CIPHER - Input data contains invalid padding and is rejected",
        entry: e(
            "MBEDTLS_ERR_CIPHER_INVALID_PADDING",
            BOTH,
            "decrypted data had invalid padding: the key or password was wrong or the data is damaged; with a password-protected private key this means the password does not fit",
            "if it happens while loading the private key: flash the key decrypted (thingflash decrypts it with your passphrase), or decrypt it once with openssl pkey -in key.pem -out key-plain.pem; keys AWS IoT creates are not encrypted; otherwise the firmware decrypted data with the wrong key",
        ),
    },
    MbedtlsError {
        code: 0x6280,
        versions: Versions::Both,
        text: "CIPHER - Decryption of block requires a full block",
        entry: e(
            "MBEDTLS_ERR_CIPHER_FULL_BLOCK_EXPECTED",
            BOTH,
            "block decryption got data that is not a whole number of blocks",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x6300,
        versions: Versions::Both,
        text: "CIPHER - Authentication failed (for AEAD modes)",
        entry: e(
            "MBEDTLS_ERR_CIPHER_AUTH_FAILED",
            BOTH,
            "authenticated decryption (GCM, CCM, ChaCha20-Poly1305) found the data altered or the key wrong; inside TLS this shows as SSL_INVALID_MAC, so the firmware decrypted something directly",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x6380,
        versions: Versions::Both,
        text: "CIPHER - The context is invalid. For example, because it was freed",
        entry: e(
            "MBEDTLS_ERR_CIPHER_INVALID_CONTEXT",
            BOTH,
            "a cipher context was used after it was freed or before it was set up",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x6400,
        versions: Versions::V2,
        text: "CIPHER - Cipher hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_CIPHER_HW_ACCEL_FAILED",
            V2_ONLY,
            "a cipher hardware accelerator reported a failure (deprecated code)",
            HW_FIX,
        ),
    },
    // ---------------- low-level codes (0x01..=0x7F) ----------------
    // ERROR (include/mbedtls/error.h)
    MbedtlsError {
        code: 0x0001,
        versions: Versions::Both,
        text: "ERROR - Generic error",
        entry: e(
            "MBEDTLS_ERR_ERROR_GENERIC_ERROR",
            BOTH,
            "an unspecified error: mbedTLS, a port layer or a driver had nothing more specific to report",
            "read the log lines just before it for the real cause, then retry",
        ),
    },
    MbedtlsError {
        code: 0x006E,
        versions: Versions::Both,
        text: "ERROR - This is a bug in the library",
        entry: e(
            "MBEDTLS_ERR_ERROR_CORRUPTION_DETECTED",
            BOTH,
            "mbedTLS found itself in an impossible state: a guard against memory corruption or fault injection fired",
            "suspect memory corruption: raise the stack size of the task that runs TLS (it needs several kilobytes) and look for buffer overruns elsewhere; report it if it repeats",
        ),
    },
    // BIGNUM (include/mbedtls/bignum.h)
    MbedtlsError {
        code: 0x0002,
        versions: Versions::Both,
        text: "BIGNUM - An error occurred while reading from or writing to a file",
        entry: e(
            "MBEDTLS_ERR_MPI_FILE_IO_ERROR",
            BOTH,
            "reading or writing a big number from a file failed; boards normally never do this",
            FILE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0004,
        versions: Versions::Both,
        text: "BIGNUM - Bad input parameters to function",
        entry: e(
            "MBEDTLS_ERR_MPI_BAD_INPUT_DATA",
            BOTH,
            "a big-number function got an invalid argument (e.g. a number too large for the operation)",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0006,
        versions: Versions::Both,
        text: "BIGNUM - There is an invalid character in the digit string",
        entry: e(
            "MBEDTLS_ERR_MPI_INVALID_CHARACTER",
            BOTH,
            "a number written as text (hex or decimal) contains an invalid character; only firmware that reads keys or parameters from text meets this",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0008,
        versions: Versions::Both,
        text: "BIGNUM - The buffer is too small to write to",
        entry: e(
            "MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL",
            BOTH,
            "a big number did not fit the buffer it was written to: a key larger than expected (e.g. RSA-4096 where 2048 was assumed) or a firmware bug",
            "use an RSA-2048 or EC P-256 key; otherwise a firmware bug (buffer sized for a smaller key)",
        ),
    },
    MbedtlsError {
        code: 0x000A,
        versions: Versions::Both,
        text: "BIGNUM - The input arguments are negative or result in illegal output",
        entry: e(
            "MBEDTLS_ERR_MPI_NEGATIVE_VALUE",
            BOTH,
            "a big-number operation got a negative input or would give an illegal negative result: an invalid key or a firmware bug",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x000C,
        versions: Versions::Both,
        text: "BIGNUM - The input argument for division is zero, which is not allowed",
        entry: e(
            "MBEDTLS_ERR_MPI_DIVISION_BY_ZERO",
            BOTH,
            "a big-number division by zero: an invalid key with a zero value, or a firmware bug",
            CRED_FIX,
        ),
    },
    MbedtlsError {
        code: 0x000E,
        versions: Versions::Both,
        text: "BIGNUM - The input arguments are not acceptable",
        entry: e(
            "MBEDTLS_ERR_MPI_NOT_ACCEPTABLE",
            BOTH,
            "a big-number operation had no valid answer (e.g. no modular inverse, or no prime found): a damaged RSA key, bad Diffie-Hellman parameters, or key generation that kept failing",
            CRED_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0010,
        versions: Versions::Both,
        text: "BIGNUM - Memory allocation failed",
        entry: e(
            "MBEDTLS_ERR_MPI_ALLOC_FAILED",
            BOTH,
            "out of memory during big-number arithmetic: the RSA or elliptic-curve math of the handshake (signing with the device key, checking the server's signature, the key exchange) could not get heap. Often printed added to an RSA code, e.g. -0x4310 = RSA_PRIVATE_FAILED plus this",
            OOM_FIX,
        ),
    },
    // HMAC_DRBG (include/mbedtls/hmac_drbg.h)
    MbedtlsError {
        code: 0x0003,
        versions: Versions::Both,
        text: "HMAC_DRBG - Too many random requested in single call",
        entry: e(
            "MBEDTLS_ERR_HMAC_DRBG_REQUEST_TOO_BIG",
            BOTH,
            "more random bytes were asked for in one call than the HMAC random generator allows",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0005,
        versions: Versions::Both,
        text: "HMAC_DRBG - Input too large (Entropy + additional)",
        entry: e(
            "MBEDTLS_ERR_HMAC_DRBG_INPUT_TOO_BIG",
            BOTH,
            "the HMAC random generator was given more seed data than it accepts",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0007,
        versions: Versions::Both,
        text: "HMAC_DRBG - Read/write error in file",
        entry: e(
            "MBEDTLS_ERR_HMAC_DRBG_FILE_IO_ERROR",
            BOTH,
            "reading or writing the HMAC random generator's seed file failed; boards normally never use one",
            FILE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0009,
        versions: Versions::Both,
        text: "HMAC_DRBG - The entropy source failed",
        entry: e(
            "MBEDTLS_ERR_HMAC_DRBG_ENTROPY_SOURCE_FAILED",
            BOTH,
            "seeding the HMAC random generator failed because the entropy source gave nothing",
            ENTROPY_FIX,
        ),
    },
    // OID (include/mbedtls/oid.h)
    MbedtlsError {
        code: 0x000B,
        versions: Versions::Both,
        text: "OID - output buffer is too small",
        entry: e(
            "MBEDTLS_ERR_OID_BUF_TOO_SMALL",
            BOTH,
            "the buffer for printing an identifier (OID) as text was too small",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x002E,
        versions: Versions::Both,
        text: "OID - OID is not found",
        entry: e(
            "MBEDTLS_ERR_OID_NOT_FOUND",
            BOTH,
            "an identifier (OID) in a certificate or key is unknown to this mbedTLS build: an algorithm, curve or extension it was built without. Printed added to an X509 or PK code, e.g. -0x262E = X509_UNKNOWN_SIG_ALG plus this",
            "use an RSA-2048 or EC P-256 device certificate signed with SHA-256 (as AWS IoT creates them) and Amazon Root CA 1 or 3; if you build mbedTLS yourself, enable the hash and curve the certificates use",
        ),
    },
    // CCM (include/mbedtls/ccm.h)
    MbedtlsError {
        code: 0x000D,
        versions: Versions::Both,
        text: "CCM - Bad input parameters to the function",
        entry: e(
            "MBEDTLS_ERR_CCM_BAD_INPUT",
            BOTH,
            "AES-CCM got an invalid nonce, tag or data length",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x000F,
        versions: Versions::Both,
        text: "CCM - Authenticated decryption failed",
        entry: e(
            "MBEDTLS_ERR_CCM_AUTH_FAILED",
            BOTH,
            "AES-CCM decryption found the data altered or the key wrong; inside TLS this shows as SSL_INVALID_MAC instead, so the firmware used CCM directly",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0011,
        versions: Versions::V2,
        text: "CCM - CCM hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_CCM_HW_ACCEL_FAILED",
            V2_ONLY,
            "the CCM hardware accelerator reported a failure (deprecated code). In 3.x the same number means LMS_BAD_INPUT_DATA",
            HW_FIX,
        ),
    },
    // LMS (include/mbedtls/lms.h)
    MbedtlsError {
        code: 0x0011,
        versions: Versions::V3,
        text: "LMS - Bad data has been input to an LMS function",
        entry: e(
            "MBEDTLS_ERR_LMS_BAD_INPUT_DATA",
            "mbedTLS 3.3 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "an LMS function got invalid input; LMS is for firmware signing, not TLS. In 2.x the same number means CCM_HW_ACCEL_FAILED",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0013,
        versions: Versions::V3,
        text: "LMS - Specified LMS key has utilised all of its private keys",
        entry: e(
            "MBEDTLS_ERR_LMS_OUT_OF_PRIVATE_KEYS",
            "mbedTLS 3.3 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "an LMS signing key has used up all its one-time keys; LMS is for firmware signing, not TLS. In 2.x the same number means GCM_HW_ACCEL_FAILED",
            "make a new LMS key pair; the old one can sign nothing more",
        ),
    },
    MbedtlsError {
        code: 0x0015,
        versions: Versions::V3,
        text: "LMS - LMS signature verification failed",
        entry: e(
            "MBEDTLS_ERR_LMS_VERIFY_FAILED",
            "mbedTLS 3.3 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "an LMS signature (e.g. on a firmware image) did not verify",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0017,
        versions: Versions::V3,
        text: "LMS - LMS failed to allocate space for a private key",
        entry: e(
            "MBEDTLS_ERR_LMS_ALLOC_FAILED",
            "mbedTLS 3.3 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "out of memory for an LMS private key; LMS is for firmware signing, not TLS. In 2.x the same number means BLOWFISH_HW_ACCEL_FAILED",
            OOM_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0019,
        versions: Versions::V3,
        text: "LMS - Input/output buffer is too small to contain requited data",
        entry: e(
            "MBEDTLS_ERR_LMS_BUFFER_TOO_SMALL",
            "mbedTLS 3.3 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "an LMS (hash-based signature) buffer was too small; LMS is for firmware signing, not TLS. In 2.x the same number means ARC4_HW_ACCEL_FAILED",
            DIRECT_FIX,
        ),
    },
    // GCM (include/mbedtls/gcm.h)
    MbedtlsError {
        code: 0x0012,
        versions: Versions::Both,
        text: "GCM - Authenticated decryption failed",
        entry: e(
            "MBEDTLS_ERR_GCM_AUTH_FAILED",
            BOTH,
            "AES-GCM decryption found the data altered or the key wrong; inside TLS this shows as SSL_INVALID_MAC instead, so the firmware used GCM directly (e.g. on stored data)",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0013,
        versions: Versions::V2,
        text: "GCM - GCM hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_GCM_HW_ACCEL_FAILED",
            V2_ONLY,
            "the GCM hardware accelerator reported a failure (deprecated code). In 3.x the same number means LMS_OUT_OF_PRIVATE_KEYS",
            HW_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0014,
        versions: Versions::Both,
        text: "GCM - Bad input parameters to function",
        entry: e(
            "MBEDTLS_ERR_GCM_BAD_INPUT",
            BOTH,
            "AES-GCM got an invalid IV, tag or data length",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0016,
        versions: Versions::V3,
        text: "GCM - An output buffer is too small",
        entry: e(
            "MBEDTLS_ERR_GCM_BUFFER_TOO_SMALL",
            "mbedTLS 3.1 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "an AES-GCM output buffer was too small for the result. In 2.x the same number means BLOWFISH_BAD_INPUT_DATA",
            BUG_FIX,
        ),
    },
    // BLOWFISH (include/mbedtls/blowfish.h)
    MbedtlsError {
        code: 0x0016,
        versions: Versions::V2,
        text: "BLOWFISH - Bad input data",
        entry: e(
            "MBEDTLS_ERR_BLOWFISH_BAD_INPUT_DATA",
            V2_ONLY,
            "Blowfish got an invalid argument or key size (2.28 also names this value MBEDTLS_ERR_BLOWFISH_INVALID_KEY_LENGTH, deprecated). In 3.x the same number means GCM_BUFFER_TOO_SMALL",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0017,
        versions: Versions::V2,
        text: "BLOWFISH - Blowfish hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_BLOWFISH_HW_ACCEL_FAILED",
            V2_ONLY,
            "the Blowfish hardware accelerator reported a failure (deprecated code)",
            HW_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0018,
        versions: Versions::V2,
        text: "BLOWFISH - Invalid data input length",
        entry: e(
            "MBEDTLS_ERR_BLOWFISH_INVALID_INPUT_LENGTH",
            V2_ONLY,
            "Blowfish got data whose length does not fit the mode; AWS IoT does not use Blowfish",
            DIRECT_FIX,
        ),
    },
    // ARC4 (include/mbedtls/arc4.h)
    MbedtlsError {
        code: 0x0019,
        versions: Versions::V2,
        text: "ARC4 - ARC4 hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_ARC4_HW_ACCEL_FAILED",
            V2_ONLY,
            "the RC4 hardware accelerator reported a failure (deprecated code; RC4 is not used with AWS IoT)",
            HW_FIX,
        ),
    },
    // THREADING (include/mbedtls/threading.h)
    MbedtlsError {
        code: 0x001A,
        versions: Versions::V2,
        text: "THREADING - The selected feature is not available",
        entry: e(
            "MBEDTLS_ERR_THREADING_FEATURE_UNAVAILABLE",
            V2_ONLY,
            "a threading feature was asked for that this build lacks (deprecated code, gone in 3.x)",
            NOT_BUILT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x001C,
        versions: Versions::Both,
        text: "THREADING - Bad input parameters to function",
        entry: e(
            "MBEDTLS_ERR_THREADING_BAD_INPUT_DATA",
            BOTH,
            "an mbedTLS mutex function got an invalid (NULL or freed) mutex",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x001E,
        versions: Versions::Both,
        text: "THREADING - Locking / unlocking / free failed with error code",
        entry: e(
            "MBEDTLS_ERR_THREADING_MUTEX_ERROR",
            BOTH,
            "locking or unlocking an mbedTLS mutex failed: a TLS client or the random generator is used from two tasks at once, or after it was freed",
            "use each TLS client from one task only, and do not free it while another task still reads or writes",
        ),
    },
    // AES (include/mbedtls/aes.h)
    MbedtlsError {
        code: 0x0020,
        versions: Versions::Both,
        text: "AES - Invalid key length",
        entry: e(
            "MBEDTLS_ERR_AES_INVALID_KEY_LENGTH",
            BOTH,
            "AES was given a key that is not 128, 192 or 256 bits long; TLS never does this itself",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0021,
        versions: Versions::Both,
        text: "AES - Invalid input data",
        entry: e(
            "MBEDTLS_ERR_AES_BAD_INPUT_DATA",
            BOTH,
            "AES got an invalid argument (bad mode or parameters); TLS never does this itself",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0022,
        versions: Versions::Both,
        text: "AES - Invalid data input length",
        entry: e(
            "MBEDTLS_ERR_AES_INVALID_INPUT_LENGTH",
            BOTH,
            "AES got data whose length does not fit the mode (for example not a multiple of 16 bytes in CBC/ECB); TLS never does this itself",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0023,
        versions: Versions::V2,
        text: "AES - Feature not available. For example, an unsupported AES key size",
        entry: e(
            "MBEDTLS_ERR_AES_FEATURE_UNAVAILABLE",
            V2_ONLY,
            "an AES key size or mode was asked for that this AES implementation does not offer (deprecated code, gone in 3.x)",
            NOT_BUILT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0025,
        versions: Versions::V2,
        text: "AES - AES hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_AES_HW_ACCEL_FAILED",
            V2_ONLY,
            "the AES hardware accelerator reported a failure (deprecated code: mbedTLS 2.28 itself no longer returns it, only an alternative AES implementation can)",
            HW_FIX,
        ),
    },
    // CAMELLIA (include/mbedtls/camellia.h)
    MbedtlsError {
        code: 0x0024,
        versions: Versions::Both,
        text: "CAMELLIA - Bad input data",
        entry: e(
            "MBEDTLS_ERR_CAMELLIA_BAD_INPUT_DATA",
            BOTH,
            "Camellia got an invalid argument or key size (2.28 also names this value MBEDTLS_ERR_CAMELLIA_INVALID_KEY_LENGTH, deprecated)",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0026,
        versions: Versions::Both,
        text: "CAMELLIA - Invalid data input length",
        entry: e(
            "MBEDTLS_ERR_CAMELLIA_INVALID_INPUT_LENGTH",
            BOTH,
            "Camellia got data whose length does not fit the mode; AWS IoT does not use Camellia, so the firmware called it directly",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0027,
        versions: Versions::V2,
        text: "CAMELLIA - Camellia hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_CAMELLIA_HW_ACCEL_FAILED",
            V2_ONLY,
            "the Camellia hardware accelerator reported a failure (deprecated code)",
            HW_FIX,
        ),
    },
    // XTEA (include/mbedtls/xtea.h)
    MbedtlsError {
        code: 0x0028,
        versions: Versions::V2,
        text: "XTEA - The data input has an invalid length",
        entry: e(
            "MBEDTLS_ERR_XTEA_INVALID_INPUT_LENGTH",
            V2_ONLY,
            "XTEA got data that is not a whole number of 8-byte blocks; AWS IoT does not use XTEA",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0029,
        versions: Versions::V2,
        text: "XTEA - XTEA hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_XTEA_HW_ACCEL_FAILED",
            V2_ONLY,
            "the XTEA hardware accelerator reported a failure (deprecated code; XTEA was removed in 3.0)",
            HW_FIX,
        ),
    },
    // BASE64 (include/mbedtls/base64.h)
    MbedtlsError {
        code: 0x002A,
        versions: Versions::Both,
        text: "BASE64 - Output buffer too small",
        entry: e(
            "MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL",
            BOTH,
            "a base64 decode or encode was given too small an output buffer; the PEM reader sizes its own buffer, so the firmware called base64 directly",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x002C,
        versions: Versions::Both,
        text: "BASE64 - Invalid character in input",
        entry: e(
            "MBEDTLS_ERR_BASE64_INVALID_CHARACTER",
            BOTH,
            "the body of a PEM certificate or key contains a character that is not base64: typically indentation spaces or tabs at the start of lines in a multi-line string in a sketch, a literal backslash-n typed into the text, or stray quotes, commas or non-ASCII characters from copy and paste. Printed added to PEM_INVALID_DATA as -0x112C",
            "paste the PEM again exactly as the file has it: every line starting in column 0 and ending in a real newline (in C end each line with \\n inside the quotes, or use a raw string R\"EOF(...)EOF\"); or let thingflash flash the credentials",
        ),
    },
    // MD2 (include/mbedtls/md2.h)
    MbedtlsError {
        code: 0x002B,
        versions: Versions::V2,
        text: "MD2 - MD2 hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_MD2_HW_ACCEL_FAILED",
            V2_ONLY,
            "the MD2 hardware accelerator reported a failure (deprecated code: mbedTLS 2.28 itself no longer returns it, only an alternative MD2 implementation can)",
            HW_FIX,
        ),
    },
    // MD4 (include/mbedtls/md4.h)
    MbedtlsError {
        code: 0x002D,
        versions: Versions::V2,
        text: "MD4 - MD4 hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_MD4_HW_ACCEL_FAILED",
            V2_ONLY,
            "the MD4 hardware accelerator reported a failure (deprecated code: mbedTLS 2.28 itself no longer returns it, only an alternative MD4 implementation can)",
            HW_FIX,
        ),
    },
    // MD5 (include/mbedtls/md5.h)
    MbedtlsError {
        code: 0x002F,
        versions: Versions::V2,
        text: "MD5 - MD5 hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_MD5_HW_ACCEL_FAILED",
            V2_ONLY,
            "the MD5 hardware accelerator reported a failure (deprecated code: mbedTLS 2.28 itself no longer returns it, only an alternative MD5 implementation can)",
            HW_FIX,
        ),
    },
    // PADLOCK (include/mbedtls/padlock.h)
    MbedtlsError {
        code: 0x0030,
        versions: Versions::V2,
        text: "PADLOCK - Input data should be aligned",
        entry: e(
            "MBEDTLS_ERR_PADLOCK_DATA_MISALIGNED",
            V2_ONLY,
            "the VIA PadLock AES engine (x86 only) got misaligned data; it cannot occur on an ESP chip",
            BUG_FIX,
        ),
    },
    // RIPEMD160 (include/mbedtls/ripemd160.h)
    MbedtlsError {
        code: 0x0031,
        versions: Versions::V2,
        text: "RIPEMD160 - RIPEMD160 hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_RIPEMD160_HW_ACCEL_FAILED",
            V2_ONLY,
            "the RIPEMD-160 hardware accelerator reported a failure (deprecated code: mbedTLS 2.28 itself no longer returns it, only an alternative RIPEMD-160 implementation can)",
            HW_FIX,
        ),
    },
    // DES (include/mbedtls/des.h)
    MbedtlsError {
        code: 0x0032,
        versions: Versions::Both,
        text: "DES - The data input has an invalid length",
        entry: e(
            "MBEDTLS_ERR_DES_INVALID_INPUT_LENGTH",
            BOTH,
            "DES got data that is not a whole number of 8-byte blocks; TLS to AWS IoT never uses DES, but an old password-protected PEM key (DES-EDE3-CBC) can",
            KEY_PASSWORD_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0033,
        versions: Versions::V2,
        text: "DES - DES hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_DES_HW_ACCEL_FAILED",
            V2_ONLY,
            "the DES hardware accelerator reported a failure (deprecated code)",
            HW_FIX,
        ),
    },
    // CTR_DRBG (include/mbedtls/ctr_drbg.h)
    MbedtlsError {
        code: 0x0034,
        versions: Versions::Both,
        text: "CTR_DRBG - The entropy source failed",
        entry: e(
            "MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED",
            BOTH,
            "seeding (or reseeding) the random generator failed because the entropy source gave nothing; TLS cannot make keys, so no connection is possible. ESP-IDF logs it from mbedtls_ctr_drbg_seed",
            ENTROPY_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0036,
        versions: Versions::Both,
        text: "CTR_DRBG - The requested random buffer length is too big",
        entry: e(
            "MBEDTLS_ERR_CTR_DRBG_REQUEST_TOO_BIG",
            BOTH,
            "more random bytes were asked for in one call than the random generator allows (1024)",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0038,
        versions: Versions::Both,
        text: "CTR_DRBG - The input (entropy + additional data) is too large",
        entry: e(
            "MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG",
            BOTH,
            "the random generator was given more seed or personalisation data than it accepts",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x003A,
        versions: Versions::Both,
        text: "CTR_DRBG - Read or write error in file",
        entry: e(
            "MBEDTLS_ERR_CTR_DRBG_FILE_IO_ERROR",
            BOTH,
            "reading or writing the random generator's seed file failed; boards normally never use one",
            FILE_FIX,
        ),
    },
    // SHA1 (include/mbedtls/sha1.h)
    MbedtlsError {
        code: 0x0035,
        versions: Versions::V2,
        text: "SHA1 - SHA-1 hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_SHA1_HW_ACCEL_FAILED",
            V2_ONLY,
            "the SHA-1 hardware accelerator reported a failure (deprecated code: mbedTLS 2.28 itself no longer returns it, only an alternative SHA-1 implementation can)",
            HW_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0073,
        versions: Versions::Both,
        text: "SHA1 - SHA-1 input data was malformed",
        entry: e(
            "MBEDTLS_ERR_SHA1_BAD_INPUT_DATA",
            BOTH,
            "SHA-1 got an invalid argument",
            BUG_FIX,
        ),
    },
    // SHA256 (include/mbedtls/sha256.h)
    MbedtlsError {
        code: 0x0037,
        versions: Versions::V2,
        text: "SHA256 - SHA-256 hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_SHA256_HW_ACCEL_FAILED",
            V2_ONLY,
            "the SHA-256 hardware accelerator reported a failure (deprecated code: mbedTLS 2.28 itself no longer returns it, only an alternative SHA-256 implementation can)",
            HW_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0074,
        versions: Versions::Both,
        text: "SHA256 - SHA-256 input data was malformed",
        entry: e(
            "MBEDTLS_ERR_SHA256_BAD_INPUT_DATA",
            BOTH,
            "SHA-256 (or SHA-224) got an invalid argument",
            BUG_FIX,
        ),
    },
    // SHA512 (include/mbedtls/sha512.h)
    MbedtlsError {
        code: 0x0039,
        versions: Versions::V2,
        text: "SHA512 - SHA-512 hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_SHA512_HW_ACCEL_FAILED",
            V2_ONLY,
            "the SHA-512 hardware accelerator reported a failure (deprecated code: mbedTLS 2.28 itself no longer returns it, only an alternative SHA-512 implementation can)",
            HW_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0075,
        versions: Versions::Both,
        text: "SHA512 - SHA-512 input data was malformed",
        entry: e(
            "MBEDTLS_ERR_SHA512_BAD_INPUT_DATA",
            BOTH,
            "SHA-512 (or SHA-384) got an invalid argument",
            BUG_FIX,
        ),
    },
    // ENTROPY (include/mbedtls/entropy.h)
    MbedtlsError {
        code: 0x003C,
        versions: Versions::Both,
        text: "ENTROPY - Critical entropy source failure",
        entry: e(
            "MBEDTLS_ERR_ENTROPY_SOURCE_FAILED",
            BOTH,
            "the random-number source mbedTLS seeds from returned an error, so TLS cannot make keys and no connection is possible",
            ENTROPY_FIX,
        ),
    },
    MbedtlsError {
        code: 0x003D,
        versions: Versions::Both,
        text: "ENTROPY - No strong sources have been added to poll",
        entry: e(
            "MBEDTLS_ERR_ENTROPY_NO_STRONG_SOURCE",
            BOTH,
            "only weak entropy sources are registered, so mbedTLS refuses to seed its random generator",
            ENTROPY_FIX,
        ),
    },
    MbedtlsError {
        code: 0x003E,
        versions: Versions::Both,
        text: "ENTROPY - No more sources can be added",
        entry: e(
            "MBEDTLS_ERR_ENTROPY_MAX_SOURCES",
            BOTH,
            "the firmware tried to add more entropy sources than mbedTLS allows (e.g. adding them again to an entropy context it reuses)",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x003F,
        versions: Versions::Both,
        text: "ENTROPY - Read/write error in file",
        entry: e(
            "MBEDTLS_ERR_ENTROPY_FILE_IO_ERROR",
            BOTH,
            "reading or writing the entropy seed file failed; boards normally never use one",
            FILE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0040,
        versions: Versions::Both,
        text: "ENTROPY - No sources have been added to poll",
        entry: e(
            "MBEDTLS_ERR_ENTROPY_NO_SOURCES_DEFINED",
            BOTH,
            "the entropy pool has no source at all: mbedTLS was built without a platform or hardware entropy source and the firmware added none",
            ENTROPY_FIX,
        ),
    },
    // NET (include/mbedtls/net_sockets.h)
    MbedtlsError {
        code: 0x0042,
        versions: Versions::Both,
        text: "NET - Failed to open a socket",
        entry: e(
            "MBEDTLS_ERR_NET_SOCKET_FAILED",
            BOTH,
            "the board could not open a socket: out of sockets (each reconnect that does not close the old client leaks one) or the network stack is not up yet",
            "check in order: 1) stop/close the old client before reconnecting; 2) WiFi is connected before TLS starts; 3) raise CONFIG_LWIP_MAX_SOCKETS if many connections are open at once",
        ),
    },
    MbedtlsError {
        code: 0x0043,
        versions: Versions::Both,
        text: "NET - Buffer is too small to hold the data",
        entry: e(
            "MBEDTLS_ERR_NET_BUFFER_TOO_SMALL",
            BOTH,
            "the buffer for a connecting client's address was too small (server side)",
            SERVER_SIDE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0044,
        versions: Versions::Both,
        text: "NET - The connection to the given server / port failed",
        entry: e(
            "MBEDTLS_ERR_NET_CONNECT_FAILED",
            BOTH,
            "the TCP connection to the endpoint could not be made: no route, refused, or blocked",
            "check in order: 1) WiFi is connected and has an IP; 2) the endpoint host is right (xxxxxxxx-ats.iot.<region>.amazonaws.com); 3) the network lets TCP port 8883 out (guest, school and office networks often block it: use port 443 with ALPN x-amzn-mqtt-ca instead)",
        ),
    },
    MbedtlsError {
        code: 0x0045,
        versions: Versions::Both,
        text: "NET - The context is invalid, eg because it was free()ed",
        entry: e(
            "MBEDTLS_ERR_NET_INVALID_CONTEXT",
            BOTH,
            "TLS used a socket that was already closed or never opened",
            "a firmware bug: after any TLS error tear the client down and reconnect instead of reusing it, and use each client from one task only",
        ),
    },
    MbedtlsError {
        code: 0x0046,
        versions: Versions::Both,
        text: "NET - Binding of the socket failed",
        entry: e(
            "MBEDTLS_ERR_NET_BIND_FAILED",
            BOTH,
            "binding a socket to a local port failed (server side, or the port is already in use)",
            SERVER_SIDE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0047,
        versions: Versions::Both,
        text: "NET - Polling the net context failed",
        entry: e(
            "MBEDTLS_ERR_NET_POLL_FAILED",
            BOTH,
            "waiting for the socket to become readable or writable failed",
            "check the WiFi link and that the socket is still open; if it repeats, a firmware bug",
        ),
    },
    MbedtlsError {
        code: 0x0048,
        versions: Versions::Both,
        text: "NET - Could not listen on the socket",
        entry: e(
            "MBEDTLS_ERR_NET_LISTEN_FAILED",
            BOTH,
            "listening on a socket failed (server side)",
            SERVER_SIDE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0049,
        versions: Versions::Both,
        text: "NET - Input invalid",
        entry: e(
            "MBEDTLS_ERR_NET_BAD_INPUT_DATA",
            BOTH,
            "a network function got an invalid argument (e.g. a socket number too large for select)",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x004A,
        versions: Versions::Both,
        text: "NET - Could not accept the incoming connection",
        entry: e(
            "MBEDTLS_ERR_NET_ACCEPT_FAILED",
            BOTH,
            "accepting an incoming connection failed (server side)",
            SERVER_SIDE_FIX,
        ),
    },
    MbedtlsError {
        code: 0x004C,
        versions: Versions::Both,
        text: "NET - Reading information from the socket failed",
        entry: e(
            "MBEDTLS_ERR_NET_RECV_FAILED",
            BOTH,
            "reading from the TCP socket failed with an error other than a reset: the WiFi link dropped, the connection timed out at the TCP level, or the server closed it in a way lwIP reports as not connected",
            "check in order: 1) WiFi disconnect lines just before (signal strength, power supply); 2) if it happens right after MQTT CONNECT, treat it as AWS IoT hanging up: the certificate must be ACTIVE and its policy must allow iot:Connect for this client id; 3) the MQTT keep-alive is being sent",
        ),
    },
    MbedtlsError {
        code: 0x004E,
        versions: Versions::Both,
        text: "NET - Sending information through the socket failed",
        entry: e(
            "MBEDTLS_ERR_NET_SEND_FAILED",
            BOTH,
            "writing to the TCP socket failed: the WiFi link dropped, the connection was already closed by the server, or the network stack ran out of buffers",
            "check in order: 1) WiFi disconnect lines just before (signal, power supply dips during radio bursts); 2) if the server had just closed the connection, read that reason first (e.g. after MQTT CONNECT: the AWS IoT policy and certificate); 3) free heap, since lwIP needs it for send buffers",
        ),
    },
    MbedtlsError {
        code: 0x0050,
        versions: Versions::Both,
        text: "NET - Connection was reset by peer",
        entry: e(
            "MBEDTLS_ERR_NET_CONN_RESET",
            BOTH,
            "the server (or a firewall) reset the TCP connection. Right after the MQTT CONNECT this is AWS IoT refusing the device; during the handshake it is a firewall, a wrong endpoint or port, or AWS refusing the TLS setup",
            HANGUP_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0052,
        versions: Versions::Both,
        text: "NET - Failed to get an IP address for the given hostname",
        entry: e(
            "MBEDTLS_ERR_NET_UNKNOWN_HOST",
            BOTH,
            "the endpoint name did not resolve to an address (DNS lookup failed)",
            "check in order: 1) the endpoint is spelled exactly as AWS IoT console > Settings shows it (xxxxxxxx-ats.iot.<region>.amazonaws.com, no https://, no trailing slash or space); 2) the board has an IP address and a DNS server (a static IP needs DNS set too); 3) the network reaches the internet",
        ),
    },
    // CHACHA20 (include/mbedtls/chacha20.h)
    MbedtlsError {
        code: 0x0051,
        versions: Versions::Both,
        text: "CHACHA20 - Invalid input parameter(s)",
        entry: e(
            "MBEDTLS_ERR_CHACHA20_BAD_INPUT_DATA",
            BOTH,
            "ChaCha20 got an invalid argument (key, nonce or context)",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0053,
        versions: Versions::V2,
        text: "CHACHA20 - Feature not available. For example, s part of the API is not implemented",
        entry: e(
            "MBEDTLS_ERR_CHACHA20_FEATURE_UNAVAILABLE",
            V2_ONLY,
            "a ChaCha20 feature this implementation lacks was asked for (deprecated code)",
            NOT_BUILT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0055,
        versions: Versions::V2,
        text: "CHACHA20 - Chacha20 hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_CHACHA20_HW_ACCEL_FAILED",
            V2_ONLY,
            "the ChaCha20 hardware accelerator reported a failure (deprecated code)",
            HW_FIX,
        ),
    },
    // CHACHAPOLY (include/mbedtls/chachapoly.h)
    MbedtlsError {
        code: 0x0054,
        versions: Versions::Both,
        text: "CHACHAPOLY - The requested operation is not permitted in the current state",
        entry: e(
            "MBEDTLS_ERR_CHACHAPOLY_BAD_STATE",
            BOTH,
            "ChaCha20-Poly1305 calls came in the wrong order (e.g. data before the nonce was set)",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0056,
        versions: Versions::Both,
        text: "CHACHAPOLY - Authenticated decryption failed: data was not authentic",
        entry: e(
            "MBEDTLS_ERR_CHACHAPOLY_AUTH_FAILED",
            BOTH,
            "ChaCha20-Poly1305 decryption found the data altered or the key wrong; inside TLS this shows as SSL_INVALID_MAC instead",
            DIRECT_FIX,
        ),
    },
    // POLY1305 (include/mbedtls/poly1305.h)
    MbedtlsError {
        code: 0x0057,
        versions: Versions::Both,
        text: "POLY1305 - Invalid input parameter(s)",
        entry: e(
            "MBEDTLS_ERR_POLY1305_BAD_INPUT_DATA",
            BOTH,
            "Poly1305 got an invalid argument",
            BUG_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0059,
        versions: Versions::V2,
        text: "POLY1305 - Feature not available. For example, s part of the API is not implemented",
        entry: e(
            "MBEDTLS_ERR_POLY1305_FEATURE_UNAVAILABLE",
            V2_ONLY,
            "a Poly1305 feature this implementation lacks was asked for (deprecated code)",
            NOT_BUILT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x005B,
        versions: Versions::V2,
        text: "POLY1305 - Poly1305 hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_POLY1305_HW_ACCEL_FAILED",
            V2_ONLY,
            "the Poly1305 hardware accelerator reported a failure (deprecated code)",
            HW_FIX,
        ),
    },
    // ARIA (include/mbedtls/aria.h)
    MbedtlsError {
        code: 0x0058,
        versions: Versions::V2,
        text: "ARIA - ARIA hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_ARIA_HW_ACCEL_FAILED",
            V2_ONLY,
            "the ARIA hardware accelerator reported a failure (deprecated code)",
            HW_FIX,
        ),
    },
    MbedtlsError {
        code: 0x005A,
        versions: Versions::V2,
        text: "ARIA - Feature not available. For example, an unsupported ARIA key size",
        entry: e(
            "MBEDTLS_ERR_ARIA_FEATURE_UNAVAILABLE",
            V2_ONLY,
            "an ARIA key size or mode this implementation does not offer was asked for (deprecated code)",
            NOT_BUILT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x005C,
        versions: Versions::Both,
        text: "ARIA - Bad input data",
        entry: e(
            "MBEDTLS_ERR_ARIA_BAD_INPUT_DATA",
            BOTH,
            "ARIA got an invalid argument or key size (2.28 also names this value MBEDTLS_ERR_ARIA_INVALID_KEY_LENGTH, deprecated); AWS IoT does not use ARIA",
            DIRECT_FIX,
        ),
    },
    MbedtlsError {
        code: 0x005E,
        versions: Versions::Both,
        text: "ARIA - Invalid data input length",
        entry: e(
            "MBEDTLS_ERR_ARIA_INVALID_INPUT_LENGTH",
            BOTH,
            "ARIA got data whose length does not fit the mode; AWS IoT does not use ARIA, so the firmware called it directly",
            DIRECT_FIX,
        ),
    },
    // ASN1 (include/mbedtls/asn1.h)
    MbedtlsError {
        code: 0x0060,
        versions: Versions::Both,
        text: "ASN1 - Out of data when parsing an ASN1 data structure",
        entry: e(
            "MBEDTLS_ERR_ASN1_OUT_OF_DATA",
            BOTH,
            "a certificate or key stops in the middle of a structure: the file was cut short, the length passed was too small, or the flash/NVS copy is truncated; usually printed added to an X509 or PK code (e.g. -0x3D60 for a key)",
            "check in order: 1) the length given to the parser covers the whole file (plus the final NUL for PEM); 2) the stored copy is complete (NVS entries and partitions have size limits); 3) reflash the credentials with thingflash",
        ),
    },
    MbedtlsError {
        code: 0x0062,
        versions: Versions::Both,
        text: "ASN1 - ASN1 tag was of an unexpected value",
        entry: e(
            "MBEDTLS_ERR_ASN1_UNEXPECTED_TAG",
            BOTH,
            "a certificate or key holds a different element where another was expected: the wrong kind of file (a public key, CSR or certificate where a private key belongs, or the reverse) or damaged bytes; -0x2562 (X509_INVALID_EXTENSIONS plus this) means a certificate has a critical extension mbedTLS does not know",
            "check in order: 1) each slot holds the right file (device certificate = *-certificate.pem.crt, private key = *-private.pem.key, root = AmazonRootCA1.pem or AmazonRootCA3.pem); 2) the files are complete; 3) reflash the credentials with thingflash",
        ),
    },
    MbedtlsError {
        code: 0x0064,
        versions: Versions::Both,
        text: "ASN1 - Error when trying to determine the length or invalid length",
        entry: e(
            "MBEDTLS_ERR_ASN1_INVALID_LENGTH",
            BOTH,
            "a length field in a certificate or key is impossible: the bytes are damaged or cut off; usually printed added to an X509 or PK code",
            CRED_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0066,
        versions: Versions::Both,
        text: "ASN1 - Actual length differs from expected length",
        entry: e(
            "MBEDTLS_ERR_ASN1_LENGTH_MISMATCH",
            BOTH,
            "a certificate or key element is longer or shorter than its length field says: extra or missing bytes, e.g. trailing garbage after a DER file or two files glued together; usually printed added to an X509 or PK code",
            CRED_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0068,
        versions: Versions::Both,
        text: "ASN1 - Data is invalid",
        entry: e(
            "MBEDTLS_ERR_ASN1_INVALID_DATA",
            BOTH,
            "a value inside a certificate or key is malformed (a bad integer, bit string or identifier); usually printed added to an X509 or PK code",
            CRED_FIX,
        ),
    },
    MbedtlsError {
        code: 0x006A,
        versions: Versions::Both,
        text: "ASN1 - Memory allocation failed",
        entry: e(
            "MBEDTLS_ERR_ASN1_ALLOC_FAILED",
            BOTH,
            "out of memory while parsing a certificate or key",
            OOM_FIX,
        ),
    },
    MbedtlsError {
        code: 0x006C,
        versions: Versions::Both,
        text: "ASN1 - Buffer too small when writing ASN.1 data structure",
        entry: e(
            "MBEDTLS_ERR_ASN1_BUF_TOO_SMALL",
            BOTH,
            "writing an ASN.1 structure (a CSR, a key or a certificate the board builds itself, e.g. for fleet provisioning) ran out of buffer",
            "a firmware bug: give the writer a larger buffer; it does not happen while merely connecting to AWS IoT",
        ),
    },
    // PLATFORM (include/mbedtls/platform.h)
    MbedtlsError {
        code: 0x0070,
        versions: Versions::Both,
        text: "PLATFORM - Hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_PLATFORM_HW_ACCEL_FAILED",
            BOTH,
            "a hardware crypto accelerator or secure element driver reported a failure",
            HW_FIX,
        ),
    },
    MbedtlsError {
        code: 0x0072,
        versions: Versions::Both,
        text: "PLATFORM - The requested feature is not supported by the platform",
        entry: e(
            "MBEDTLS_ERR_PLATFORM_FEATURE_UNSUPPORTED",
            BOTH,
            "the platform layer does not offer something mbedTLS was configured to use (for example a seed store or a time source)",
            NOT_BUILT_FIX,
        ),
    },
    // SHA3 (include/mbedtls/sha3.h)
    MbedtlsError {
        code: 0x0076,
        versions: Versions::V3,
        text: "SHA3 - SHA-3 input data was malformed",
        entry: e(
            "MBEDTLS_ERR_SHA3_BAD_INPUT_DATA",
            "mbedTLS 3.5 and later (ESP-IDF 5, Arduino ESP32 core 3, mbedtls-rs)",
            "SHA-3 got an invalid argument; TLS to AWS IoT does not use SHA-3",
            BUG_FIX,
        ),
    },
    // CMAC (include/mbedtls/cmac.h)
    MbedtlsError {
        code: 0x007A,
        versions: Versions::V2,
        text: "CMAC - CMAC hardware accelerator failed",
        entry: e(
            "MBEDTLS_ERR_CMAC_HW_ACCEL_FAILED",
            V2_ONLY,
            "the CMAC hardware accelerator reported a failure (deprecated code)",
            HW_FIX,
        ),
    },
];

/// X.509 verify flags (bits of `mbedtls_ssl_get_verify_result()` / `mbedtls_x509_crt_verify`'s
/// `flags`), identical in 2.28 and 3.6: (bit, text `mbedtls_x509_crt_verify_info` prints
/// for it, reading). Bits outside this list print "Unknown reason (this should not happen)".
///
/// Fail-closed clock: mbedTLS with a wall-clock hook (as in mbedtls-rs firmware) whose hook
/// has no time yet stops verification with -0x3000 (X509_FATAL_ERROR) and sets every flag
/// (0xFFFFFFFF): every text below plus "Unknown reason" would print, but the one cause is
/// the unset clock (SNTP before TLS). `decode` handles that case before reading the flags.
pub const X509_VERIFY_FLAGS: &[(u32, &str, Entry)] = &[
    (
        0x0000_0001,
        "The certificate validity has expired",
        e(
            "MBEDTLS_X509_BADCERT_EXPIRED",
            BOTH,
            "a certificate in the server's chain is past its end date by the board's clock. Amazon's roots and AWS IoT's server certificates are current, so the usual cause is the board's clock (SNTP before TLS): set wrong or far ahead; both EXPIRED and FUTURE together mean the clock gives no usable time. Otherwise the root CA file on the board is an old, expired one",
            "the board must set its clock by SNTP before TLS; check that the WiFi network lets UDP port 123 out; log the time just before connecting. If the clock is right, replace the root CA with a current Amazon Root CA 1 or 3",
        ),
    ),
    (
        0x0000_0002,
        "The certificate has been revoked (is on a CRL)",
        e(
            "MBEDTLS_X509_BADCERT_REVOKED",
            BOTH,
            "a certificate in the server's chain is on a revocation list (CRL) the firmware loaded; only happens with a CRL configured",
            "remove stale CRLs from the firmware; AWS IoT's server certificates are not revoked in normal operation",
        ),
    ),
    (
        0x0000_0004,
        "The certificate Common Name (CN) does not match with the expected CN",
        e(
            "MBEDTLS_X509_BADCERT_CN_MISMATCH",
            BOTH,
            "the server's certificate is not for the host name the board gave TLS",
            "check the endpoint: typo or wrong region; it must end in .iot.<region>.amazonaws.com. Connect by name, not IP, and give TLS the same name",
        ),
    ),
    (
        0x0000_0008,
        "The certificate is not correctly signed by the trusted CA",
        e(
            "MBEDTLS_X509_BADCERT_NOT_TRUSTED",
            BOTH,
            "the server's chain does not lead to a root CA on the board: the wrong or a damaged root CA, the legacy endpoint without -ats (its old VeriSign chain is no longer supported), or a network that intercepts TLS",
            "check in order: 1) the endpoint has -ats in its name; 2) use Amazon Root CA 1 (RSA) or 3 (ECC) with the -ats endpoint; thingflash bundles both when you drop no root CA; 3) no TLS-inspecting proxy or firewall is in the path (try a phone hotspot)",
        ),
    ),
    (
        0x0000_0010,
        "The CRL is not correctly signed by the trusted CA",
        e(
            "MBEDTLS_X509_BADCRL_NOT_TRUSTED",
            BOTH,
            "a revocation list (CRL) the firmware loaded is not signed by a trusted CA",
            "remove the CRL from the firmware or load the CA that signed it; AWS IoT connections need no CRL",
        ),
    ),
    (
        0x0000_0020,
        "The CRL is expired",
        e(
            "MBEDTLS_X509_BADCRL_EXPIRED",
            BOTH,
            "a revocation list (CRL) the firmware loaded is past its next-update date by the board's clock",
            "the board must set its clock by SNTP before TLS; check that the WiFi network lets UDP port 123 out; otherwise update or remove the CRL",
        ),
    ),
    (
        0x0000_0040,
        "Certificate was missing",
        e(
            "MBEDTLS_X509_BADCERT_MISSING",
            BOTH,
            "the server sent no certificate",
            "check the endpoint and port: the AWS IoT -ats data endpoint on 8883 or 443 always sends one",
        ),
    ),
    (
        0x0000_0080,
        "Certificate verification was skipped",
        e(
            "MBEDTLS_X509_BADCERT_SKIP_VERIFY",
            BOTH,
            "verification was turned off (authmode NONE), so the server was not checked at all",
            "nothing to do for this flag, but do not ship firmware with verification off: load Amazon Root CA 1 and 3 and require verification",
        ),
    ),
    (
        0x0000_0100,
        "Other reason (can be used by verify callback)",
        e(
            "MBEDTLS_X509_BADCERT_OTHER",
            BOTH,
            "the firmware's own verify callback rejected the certificate",
            "check the firmware's verify callback (certificate pinning or extra checks): it may pin an old AWS IoT server certificate",
        ),
    ),
    (
        0x0000_0200,
        "The certificate validity starts in the future",
        e(
            "MBEDTLS_X509_BADCERT_FUTURE",
            BOTH,
            "a certificate is not valid yet by the board's clock: the clock is behind, nearly always because it was never set and still counts from 1970 (or from boot): the board must get the time by SNTP before TLS",
            "the board must set its clock by SNTP before TLS; check that the WiFi network lets UDP port 123 out; wait for the first SNTP answer (the clock shows the current year) before connecting",
        ),
    ),
    (
        0x0000_0400,
        "The CRL is from the future",
        e(
            "MBEDTLS_X509_BADCRL_FUTURE",
            BOTH,
            "a revocation list (CRL) the firmware loaded is dated in the future by the board's clock: the clock is behind",
            CLOCK_FIX,
        ),
    ),
    (
        0x0000_0800,
        "Usage does not match the keyUsage extension",
        e(
            "MBEDTLS_X509_BADCERT_KEY_USAGE",
            BOTH,
            "a certificate's key usage forbids this use: the server's certificate is not marked for TLS server keys. AWS IoT's is, so another server (a proxy) answered or the wrong certificate was checked",
            "check that the endpoint is the AWS IoT -ats data endpoint and that nothing intercepts TLS on this network",
        ),
    ),
    (
        0x0000_1000,
        "Usage does not match the extendedKeyUsage extension",
        e(
            "MBEDTLS_X509_BADCERT_EXT_KEY_USAGE",
            BOTH,
            "a certificate's extended key usage does not allow TLS server authentication. AWS IoT's server certificate does, so another server (a proxy) answered",
            "check that the endpoint is the AWS IoT -ats data endpoint and that nothing intercepts TLS on this network",
        ),
    ),
    (
        0x0000_2000,
        "Usage does not match the nsCertType extension",
        e(
            "MBEDTLS_X509_BADCERT_NS_CERT_TYPE",
            BOTH,
            "a certificate's old Netscape certificate-type extension does not allow this use",
            "check that the endpoint is the AWS IoT -ats data endpoint and that nothing intercepts TLS on this network",
        ),
    ),
    (
        0x0000_4000,
        "The certificate is signed with an unacceptable hash.",
        e(
            "MBEDTLS_X509_BADCERT_BAD_MD",
            BOTH,
            "a certificate in the chain is signed with a hash the board's verification profile refuses: mbedTLS's default X.509 profile wants SHA-256 or stronger, so a SHA-1 signature (an old CA, some public test brokers' old certificates) fails",
            "AWS: use Amazon Root CA 1 or 3 with the -ats endpoint; other brokers: use a CA and server certificate signed with SHA-256 or stronger (the broker's current CA file); if the firmware sets its own certificate profile, allow SHA-256 and SHA-384",
        ),
    ),
    (
        0x0000_8000,
        "The certificate is signed with an unacceptable PK alg (eg RSA vs ECDSA).",
        e(
            "MBEDTLS_X509_BADCERT_BAD_PK",
            BOTH,
            "a certificate is signed with a key algorithm the board does not accept (RSA versus ECDSA)",
            "use Amazon Root CA 1 (RSA) and 3 (ECC) together",
        ),
    ),
    (
        0x0001_0000,
        "The certificate is signed with an unacceptable key (eg bad curve, RSA too short).",
        e(
            "MBEDTLS_X509_BADCERT_BAD_KEY",
            BOTH,
            "a certificate's key is unacceptable to mbedTLS's X.509 profile: an RSA key shorter than 2048 bits (an old 1024-bit CA, as some public test brokers had) or a curve the board does not allow (in TLS 1.2 also a server EC key on a curve the board did not offer)",
            "AWS: use Amazon Root CA 1 or 3; other brokers: use the broker's current CA with an RSA key of 2048 bits or more, or an EC P-256/P-384 key; allow curves P-256 and P-384 in the firmware",
        ),
    ),
    (
        0x0002_0000,
        "The CRL is signed with an unacceptable hash.",
        e(
            "MBEDTLS_X509_BADCRL_BAD_MD",
            BOTH,
            "a revocation list (CRL) is signed with a hash the board's profile refuses",
            "remove or replace the CRL; AWS IoT connections need no CRL",
        ),
    ),
    (
        0x0004_0000,
        "The CRL is signed with an unacceptable PK alg (eg RSA vs ECDSA).",
        e(
            "MBEDTLS_X509_BADCRL_BAD_PK",
            BOTH,
            "a revocation list (CRL) is signed with a key algorithm the board does not accept",
            "remove or replace the CRL; AWS IoT connections need no CRL",
        ),
    ),
    (
        0x0008_0000,
        "The CRL is signed with an unacceptable key (eg bad curve, RSA too short).",
        e(
            "MBEDTLS_X509_BADCRL_BAD_KEY",
            BOTH,
            "a revocation list (CRL) is signed with an unacceptable key (curve or size)",
            "remove or replace the CRL; AWS IoT connections need no CRL",
        ),
    ),
];
