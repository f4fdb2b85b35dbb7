//! Network codes an ESP32 board prints while it joins WiFi and opens a socket: WiFi
//! disconnect reasons, lwIP `err_t`, and the socket `errno` values (plus lwIP's
//! getaddrinfo/gethostbyname codes, which share the errno slot in many logs).
//!
//! Sources (names and numbers transcribed, wording our own):
//! - espressif/esp-idf master @ 102122904ade11fd1ae373848f34ffd7dfb18aeb (2026-07-23):
//!   `components/esp_wifi/include/esp_wifi_types_generic.h` (`wifi_err_reason_t`); tags
//!   v4.4 and v5.0 of `components/esp_wifi/include/esp_wifi_types.h` for the older names
//!   and for `WIFI_REASON_INVALID_PMKID = 53`; `components/esp-tls/esp_tls.c` and
//!   `components/tcp_transport/transport_ssl.c` for how errno is printed.
//! - espressif/esp-lwip @ a45be9e438f6cf9c54ec150581819c3b95d5af6b (2.1.2-esp):
//!   `src/include/lwip/err.h` (`err_enum_t`), `src/api/err.c` (err_t to errno mapping),
//!   `src/include/lwip/netdb.h` (`EAI_*`, `HOST_NOT_FOUND` .. `TRY_AGAIN`).
//! - espressif/newlib-esp32 @ ff0b7d937917fd4847d9eb1a12d709a1cb651938
//!   (esp-4.1.0_20230208): `newlib/libc/include/sys/errno.h` (numbers) and
//!   `newlib/libc/string/strerror.c` (the text `strerror()` prints, quoted in `cause`);
//!   numbers cross-checked against picolibc/picolibc @ 27ccdee5cd94de3b4c2b2fa9a3348d34bbd3a94d
//!   `libc/include/sys/errno.h` (ESP-IDF 6.x builds with picolibc by default).

use super::{Entry, e};

const WIFI: &str =
    "all ESP32 chips with WiFi (ESP-IDF, Arduino ESP32): WIFI_EVENT_STA_DISCONNECTED reason";
const WIFI_80211: &str = "all ESP32 chips with WiFi (ESP-IDF 5.1+, Arduino ESP32 core 3.x): WIFI_EVENT_STA_DISCONNECTED reason";
const LWIP: &str = "lwIP err_t, all ESP32 chips (ESP-IDF esp-lwip, Arduino ESP32)";
const SOCK: &str = "socket errno, all ESP32 chips (ESP-IDF newlib/picolibc, Arduino ESP32)";
const DNS: &str = "lwIP netdb, all ESP32 chips (ESP-IDF, Arduino ESP32)";

const CLOSER: &str = "move the board closer to the access point";
const PASSWORD: &str = "check the WiFi password";
const PERSONAL: &str = "use a WPA2 or WPA3 personal network";
const RARE: &str = "reconnect; nothing to change unless it repeats";

/// WiFi disconnect reasons (`wifi_err_reason_t`), as ESP-IDF prints them in `reason:N`
/// lines and Arduino in `Reason: N - NAME`. `name` is the full macro name.
pub const WIFI_REASONS: &[(u16, Entry)] = &[
    (
        1,
        e(
            "WIFI_REASON_UNSPECIFIED",
            WIFI,
            "the connection ended without a given reason",
            RARE,
        ),
    ),
    (
        2,
        e(
            "WIFI_REASON_AUTH_EXPIRE",
            WIFI,
            "authentication expired",
            CLOSER,
        ),
    ),
    (
        3,
        e(
            "WIFI_REASON_AUTH_LEAVE",
            WIFI,
            "the access point ended the session (it restarted, or kicked the board)",
            "nothing to do; the board reconnects. If it repeats, check the access point's client list and MAC filter",
        ),
    ),
    (
        4,
        e(
            "WIFI_REASON_DISASSOC_DUE_TO_INACTIVITY",
            "all ESP32 chips with WiFi (WIFI_REASON_ASSOC_EXPIRE before ESP-IDF 5.4 and an alias until 6.0; Arduino ESP32 core 2.x prints that name)",
            "association expired: the access point dropped the board for being silent",
            CLOSER,
        ),
    ),
    (
        5,
        e(
            "WIFI_REASON_ASSOC_TOOMANY",
            WIFI,
            "the access point has too many clients",
            "disconnect other devices or raise the access point's client limit",
        ),
    ),
    (
        6,
        e(
            "WIFI_REASON_CLASS2_FRAME_FROM_NONAUTH_STA",
            "all ESP32 chips with WiFi (WIFI_REASON_NOT_AUTHED before ESP-IDF 5.4 and an alias until 6.0; Arduino ESP32 core 2.x prints that name)",
            "the access point no longer knows the board (it restarted, or its session timed out)",
            "nothing to do; the board reconnects",
        ),
    ),
    (
        7,
        e(
            "WIFI_REASON_CLASS3_FRAME_FROM_NONASSOC_STA",
            "all ESP32 chips with WiFi (WIFI_REASON_NOT_ASSOCED before ESP-IDF 5.4 and an alias until 6.0; Arduino ESP32 core 2.x prints that name)",
            "the access point no longer has the board associated (it restarted, or its session timed out)",
            "nothing to do; the board reconnects",
        ),
    ),
    (
        8,
        e(
            "WIFI_REASON_ASSOC_LEAVE",
            WIFI,
            "the board left the network",
            "nothing to do",
        ),
    ),
    (
        9,
        e(
            "WIFI_REASON_ASSOC_NOT_AUTHED",
            WIFI,
            "the board tried to associate before authenticating",
            RARE,
        ),
    ),
    (
        10,
        e(
            "WIFI_REASON_DISASSOC_PWRCAP_BAD",
            WIFI,
            "the access point refused the board's transmit power capability",
            "check the WiFi country setting matches the access point's",
        ),
    ),
    (
        11,
        e(
            "WIFI_REASON_DISASSOC_SUPCHAN_BAD",
            WIFI,
            "the access point refused the board's supported channels",
            "check the WiFi country setting; channels 12-13 need a country that allows them",
        ),
    ),
    (
        12,
        e(
            "WIFI_REASON_BSS_TRANSITION_DISASSOC",
            WIFI,
            "the access point moved the board to another access point (roaming)",
            "nothing to do; the board reconnects",
        ),
    ),
    (
        13,
        e(
            "WIFI_REASON_IE_INVALID",
            WIFI,
            "the access point found a malformed field in the board's request",
            "update the firmware's ESP-IDF/Arduino core; try another security mode on the access point",
        ),
    ),
    (
        14,
        e(
            "WIFI_REASON_MIC_FAILURE",
            WIFI,
            "a message integrity check failed (WPA/TKIP)",
            "set the access point to WPA2-AES (CCMP) instead of TKIP",
        ),
    ),
    (
        15,
        e(
            "WIFI_REASON_4WAY_HANDSHAKE_TIMEOUT",
            WIFI,
            "the WiFi handshake timed out: almost always a wrong password",
            PASSWORD,
        ),
    ),
    (
        16,
        e(
            "WIFI_REASON_GROUP_KEY_UPDATE_TIMEOUT",
            WIFI,
            "the group key handshake timed out",
            "check the signal; if it repeats, check the WiFi password",
        ),
    ),
    (
        17,
        e(
            "WIFI_REASON_IE_IN_4WAY_DIFFERS",
            WIFI,
            "the security settings changed during the handshake",
            "set the access point to plain WPA2-PSK or WPA3-SAE (no mixed or transition quirks)",
        ),
    ),
    (
        18,
        e(
            "WIFI_REASON_GROUP_CIPHER_INVALID",
            WIFI,
            "the access point's group cipher is not accepted",
            "set the access point to WPA2-AES (CCMP)",
        ),
    ),
    (
        19,
        e(
            "WIFI_REASON_PAIRWISE_CIPHER_INVALID",
            WIFI,
            "the access point's pairwise cipher is not accepted",
            "set the access point to WPA2-AES (CCMP)",
        ),
    ),
    (
        20,
        e(
            "WIFI_REASON_AKMP_INVALID",
            WIFI,
            "the key management type (PSK, SAE, 802.1X) is not accepted",
            PERSONAL,
        ),
    ),
    (
        21,
        e(
            "WIFI_REASON_UNSUPP_RSN_IE_VERSION",
            WIFI,
            "the security information version is not supported",
            PERSONAL,
        ),
    ),
    (
        22,
        e(
            "WIFI_REASON_INVALID_RSN_IE_CAP",
            WIFI,
            "the security capabilities are not accepted (often management frame protection)",
            "set the access point's PMF (802.11w) to optional, not required, or enable PMF on the board",
        ),
    ),
    (
        23,
        e(
            "WIFI_REASON_802_1X_AUTH_FAILED",
            WIFI,
            "enterprise (802.1X) authentication failed",
            PERSONAL,
        ),
    ),
    (
        24,
        e(
            "WIFI_REASON_CIPHER_SUITE_REJECTED",
            WIFI,
            "the access point rejected the cipher suite",
            "set the access point to WPA2-AES (CCMP)",
        ),
    ),
    (
        25,
        e(
            "WIFI_REASON_TDLS_PEER_UNREACHABLE",
            WIFI_80211,
            "a direct (TDLS) link peer is out of reach",
            RARE,
        ),
    ),
    (
        26,
        e(
            "WIFI_REASON_TDLS_UNSPECIFIED",
            WIFI_80211,
            "a direct (TDLS) link ended",
            RARE,
        ),
    ),
    (
        27,
        e(
            "WIFI_REASON_SSP_REQUESTED_DISASSOC",
            WIFI_80211,
            "the hotspot provider ended the session",
            "check the hotspot's account or time limit",
        ),
    ),
    (
        28,
        e(
            "WIFI_REASON_NO_SSP_ROAMING_AGREEMENT",
            WIFI_80211,
            "the hotspot has no roaming agreement for this board",
            "use another network",
        ),
    ),
    (
        29,
        e(
            "WIFI_REASON_BAD_CIPHER_OR_AKM",
            WIFI_80211,
            "the cipher or key management type is not accepted",
            PERSONAL,
        ),
    ),
    (
        30,
        e(
            "WIFI_REASON_NOT_AUTHORIZED_THIS_LOCATION",
            WIFI_80211,
            "the board is not allowed to use this access point here",
            "use another network",
        ),
    ),
    (
        31,
        e(
            "WIFI_REASON_SERVICE_CHANGE_PERCLUDES_TS",
            WIFI_80211,
            "a QoS service change ended the session",
            RARE,
        ),
    ),
    (
        32,
        e(
            "WIFI_REASON_UNSPECIFIED_QOS",
            WIFI_80211,
            "the session ended for a QoS reason",
            RARE,
        ),
    ),
    (
        33,
        e(
            "WIFI_REASON_NOT_ENOUGH_BANDWIDTH",
            WIFI_80211,
            "the access point has not enough bandwidth left",
            "disconnect other devices or use a less busy access point",
        ),
    ),
    (
        34,
        e(
            "WIFI_REASON_MISSING_ACKS",
            WIFI_80211,
            "too many frames were not acknowledged: the link is poor",
            CLOSER,
        ),
    ),
    (
        35,
        e(
            "WIFI_REASON_EXCEEDED_TXOP",
            WIFI_80211,
            "the board sent for longer than its transmit slot allowed",
            RARE,
        ),
    ),
    (
        36,
        e(
            "WIFI_REASON_STA_LEAVING",
            WIFI_80211,
            "the station is leaving",
            "nothing to do",
        ),
    ),
    (
        37,
        e(
            "WIFI_REASON_END_BA",
            WIFI_80211,
            "a block-ack session ended",
            RARE,
        ),
    ),
    (
        38,
        e(
            "WIFI_REASON_UNKNOWN_BA",
            WIFI_80211,
            "a block-ack session was not known",
            RARE,
        ),
    ),
    (
        39,
        e(
            "WIFI_REASON_TIMEOUT",
            WIFI_80211,
            "the peer timed out",
            CLOSER,
        ),
    ),
    (
        46,
        e(
            "WIFI_REASON_PEER_INITIATED",
            WIFI_80211,
            "the peer ended the connection",
            "nothing to do; the board reconnects",
        ),
    ),
    (
        47,
        e(
            "WIFI_REASON_AP_INITIATED",
            WIFI_80211,
            "the access point ended the connection",
            "nothing to do; the board reconnects. If it repeats, check the access point's logs",
        ),
    ),
    (
        48,
        e(
            "WIFI_REASON_INVALID_FT_ACTION_FRAME_COUNT",
            WIFI_80211,
            "fast roaming (802.11r) failed",
            "turn off fast roaming (802.11r) on the access point",
        ),
    ),
    (
        49,
        e(
            "WIFI_REASON_INVALID_PMKID",
            WIFI_80211,
            "the cached security key (PMKID) is not valid any more",
            "reconnect; if it repeats, restart the access point",
        ),
    ),
    (
        50,
        e(
            "WIFI_REASON_INVALID_MDE",
            WIFI_80211,
            "fast roaming (802.11r) information was invalid",
            "turn off fast roaming (802.11r) on the access point",
        ),
    ),
    (
        51,
        e(
            "WIFI_REASON_INVALID_FTE",
            WIFI_80211,
            "fast roaming (802.11r) information was invalid",
            "turn off fast roaming (802.11r) on the access point",
        ),
    ),
    (
        53,
        e(
            "WIFI_REASON_INVALID_PMKID",
            "all ESP32 chips with WiFi (ESP-IDF 4.x-5.0, Arduino ESP32 core 2.x; 49 since ESP-IDF 5.1)",
            "the cached security key (PMKID) is not valid any more",
            "reconnect; if it repeats, restart the access point",
        ),
    ),
    (
        67,
        e(
            "WIFI_REASON_TRANSMISSION_LINK_ESTABLISH_FAILED",
            WIFI_80211,
            "setting up the link failed",
            RARE,
        ),
    ),
    (
        68,
        e(
            "WIFI_REASON_ALTERATIVE_CHANNEL_OCCUPIED",
            WIFI_80211,
            "the alternative channel is busy",
            RARE,
        ),
    ),
    (
        200,
        e(
            "WIFI_REASON_BEACON_TIMEOUT",
            WIFI,
            "the access point stopped answering",
            "check the access point and the signal",
        ),
    ),
    (
        201,
        e(
            "WIFI_REASON_NO_AP_FOUND",
            WIFI,
            "no network with that name was found",
            "check the network name (case matters) and that it is a 2.4 GHz network: only ESP32-C5 has a 5 GHz radio",
        ),
    ),
    (
        202,
        e(
            "WIFI_REASON_AUTH_FAIL",
            WIFI,
            "the access point rejected the board: usually a wrong password",
            PASSWORD,
        ),
    ),
    (
        203,
        e(
            "WIFI_REASON_ASSOC_FAIL",
            WIFI,
            "the access point refused the association",
            "check MAC filtering and the number of clients on the access point",
        ),
    ),
    (
        204,
        e(
            "WIFI_REASON_HANDSHAKE_TIMEOUT",
            WIFI,
            "the WiFi handshake timed out: usually a wrong password",
            PASSWORD,
        ),
    ),
    (
        205,
        e(
            "WIFI_REASON_CONNECTION_FAIL",
            WIFI,
            "the connection failed",
            "check the access point",
        ),
    ),
    (
        206,
        e(
            "WIFI_REASON_AP_TSF_RESET",
            WIFI,
            "the access point restarted (its clock reset)",
            "nothing to do; the board reconnects",
        ),
    ),
    (
        207,
        e(
            "WIFI_REASON_ROAMING",
            WIFI,
            "the board is roaming to another access point",
            "nothing to do",
        ),
    ),
    (
        208,
        e(
            "WIFI_REASON_ASSOC_COMEBACK_TIME_TOO_LONG",
            WIFI_80211,
            "the access point asked the board to come back later, too late to wait",
            "reconnect; if it repeats, set the access point's PMF (802.11w) to optional",
        ),
    ),
    (
        209,
        e(
            "WIFI_REASON_SA_QUERY_TIMEOUT",
            WIFI_80211,
            "a protected management frame check timed out",
            "reconnect; if it repeats, set the access point's PMF (802.11w) to optional",
        ),
    ),
    (
        210,
        e(
            "WIFI_REASON_NO_AP_FOUND_W_COMPATIBLE_SECURITY",
            "all ESP32 chips with WiFi (ESP-IDF 5.2+, Arduino ESP32 core 3.1+)",
            "the network's security mode is not supported",
            "use WPA2 or WPA3 personal",
        ),
    ),
    (
        211,
        e(
            "WIFI_REASON_NO_AP_FOUND_IN_AUTHMODE_THRESHOLD",
            "all ESP32 chips with WiFi (ESP-IDF 5.2+, Arduino ESP32 core 3.1+)",
            "the network is weaker than the minimum security allowed",
            "use WPA2 or WPA3 personal",
        ),
    ),
    (
        212,
        e(
            "WIFI_REASON_NO_AP_FOUND_IN_RSSI_THRESHOLD",
            "all ESP32 chips with WiFi (ESP-IDF 5.2+, Arduino ESP32 core 3.1+)",
            "the signal is too weak",
            CLOSER,
        ),
    ),
];

/// lwIP `err_t` (`err_enum_t`): what raw lwIP calls and netconn/`esp_netif` report.
pub const LWIP_ERR: &[(i8, Entry)] = &[
    (0, e("ERR_OK", LWIP, "no error", "nothing to do")),
    (
        -1,
        e(
            "ERR_MEM",
            LWIP,
            "lwIP is out of memory (becomes errno ENOMEM)",
            "free heap: close unused sockets and shrink buffers",
        ),
    ),
    (
        -2,
        e(
            "ERR_BUF",
            LWIP,
            "no network buffer was free (becomes errno ENOBUFS)",
            "send less at once, or wait and retry",
        ),
    ),
    (
        -3,
        e(
            "ERR_TIMEOUT",
            LWIP,
            "the operation timed out (becomes errno EAGAIN)",
            "check the network; raise the timeout on slow links",
        ),
    ),
    (
        -4,
        e(
            "ERR_RTE",
            LWIP,
            "no route to the address: the board has no IP or gateway yet (becomes errno EHOSTUNREACH)",
            "wait for the got-IP event before connecting",
        ),
    ),
    (
        -5,
        e(
            "ERR_INPROGRESS",
            LWIP,
            "the operation is still running (becomes errno EINPROGRESS)",
            "wait for it to finish",
        ),
    ),
    (
        -6,
        e(
            "ERR_VAL",
            LWIP,
            "an illegal value was passed (becomes errno EINVAL)",
            "check the address, port and options passed",
        ),
    ),
    (
        -7,
        e(
            "ERR_WOULDBLOCK",
            LWIP,
            "the operation would block (becomes errno EAGAIN)",
            "retry later, or use a blocking socket",
        ),
    ),
    (
        -8,
        e(
            "ERR_USE",
            LWIP,
            "the address or port is already in use (becomes errno EADDRINUSE)",
            "close the old socket first, or bind another port",
        ),
    ),
    (
        -9,
        e(
            "ERR_ALREADY",
            LWIP,
            "a connection is already being set up (becomes errno EALREADY)",
            "wait for the first connect to finish",
        ),
    ),
    (
        -10,
        e(
            "ERR_ISCONN",
            LWIP,
            "the socket is already connected (becomes errno EISCONN)",
            "nothing to do, or close it before connecting again",
        ),
    ),
    (
        -11,
        e(
            "ERR_CONN",
            LWIP,
            "the socket is not connected (becomes errno ENOTCONN)",
            "connect before sending; reconnect after a drop",
        ),
    ),
    (
        -12,
        e(
            "ERR_IF",
            LWIP,
            "the network interface failed to send",
            "check WiFi is connected; reconnect",
        ),
    ),
    (
        -13,
        e(
            "ERR_ABRT",
            LWIP,
            "the connection was aborted (becomes errno ECONNABORTED)",
            "reconnect; if it repeats, check free heap and the signal",
        ),
    ),
    (
        -14,
        e(
            "ERR_RST",
            LWIP,
            "the server reset the connection (becomes errno ECONNRESET)",
            "reconnect; for AWS IoT, a reset right after TLS means the certificate or policy was refused",
        ),
    ),
    (
        -15,
        e(
            "ERR_CLSD",
            LWIP,
            "the connection is closed (becomes errno ENOTCONN)",
            "reconnect",
        ),
    ),
    (
        -16,
        e(
            "ERR_ARG",
            LWIP,
            "an illegal argument was passed (becomes errno EIO)",
            "check the arguments of the call",
        ),
    ),
];

/// Socket `errno` values as ESP-IDF numbers them (newlib/picolibc `sys/errno.h`), then
/// lwIP's netdb codes (200-213) that `getaddrinfo()`/`gethostbyname()` return.
pub const ERRNO: &[(i32, Entry)] = &[
    (
        1,
        e(
            "EPERM",
            SOCK,
            "operation not permitted (strerror: \"Not owner\")",
            "check the call is allowed in this state",
        ),
    ),
    (
        2,
        e(
            "ENOENT",
            SOCK,
            "no such file (strerror: \"No such file or directory\"): a certificate file is missing from the file system",
            "upload the file system image, or flash the credentials again with thingflash",
        ),
    ),
    (
        4,
        e(
            "EINTR",
            SOCK,
            "the call was interrupted (strerror: \"Interrupted system call\")",
            "retry the call",
        ),
    ),
    (
        5,
        e(
            "EIO",
            SOCK,
            "an I/O error (strerror: \"I/O error\"); lwIP also reports a bad argument this way",
            "reconnect; check the arguments of the failing call",
        ),
    ),
    (
        9,
        e(
            "EBADF",
            SOCK,
            "the socket number is not valid (strerror: \"Bad file number\"): it was already closed",
            "do not use a socket after close(); create a new one for each connection",
        ),
    ),
    (
        11,
        e(
            "EAGAIN",
            SOCK,
            "no data yet or the socket timed out (same number as EWOULDBLOCK; newlib's strerror prints \"No more processes\")",
            "retry; for a receive timeout, check the server is sending and raise the timeout",
        ),
    ),
    (
        12,
        e(
            "ENOMEM",
            SOCK,
            "out of memory (strerror: \"Not enough space\")",
            "free heap: close unused sockets, shrink buffers; a TLS connection needs about 40 KB",
        ),
    ),
    (
        13,
        e(
            "EACCES",
            SOCK,
            "permission denied (strerror: \"Permission denied\")",
            "check the call is allowed (e.g. broadcast needs SO_BROADCAST)",
        ),
    ),
    (
        14,
        e(
            "EFAULT",
            SOCK,
            "a bad memory address was passed (strerror: \"Bad address\")",
            "check the buffers and pointers passed to the call",
        ),
    ),
    (
        16,
        e(
            "EBUSY",
            SOCK,
            "the resource is busy (strerror: \"Device or resource busy\")",
            "retry later",
        ),
    ),
    (
        22,
        e(
            "EINVAL",
            SOCK,
            "an invalid argument (strerror: \"Invalid argument\")",
            "check the address, port and options passed",
        ),
    ),
    (
        23,
        e(
            "ENFILE",
            SOCK,
            "too many open files or sockets in the system (strerror: \"Too many open files in system\")",
            "close sockets you no longer use",
        ),
    ),
    (
        24,
        e(
            "EMFILE",
            SOCK,
            "no free socket: lwIP allows only a few (10 by default) (strerror: \"File descriptor value too large\")",
            "close old connections before reconnecting; look for a socket leak on each retry",
        ),
    ),
    (
        28,
        e(
            "ENOSPC",
            SOCK,
            "no space left (strerror: \"No space left on device\")",
            "free space in the file system or partition",
        ),
    ),
    (
        32,
        e(
            "EPIPE",
            SOCK,
            "the connection is closed and the board still wrote to it (strerror: \"Broken pipe\")",
            "reconnect; check why the server closed it (for AWS IoT: certificate, policy or client id)",
        ),
    ),
    (
        34,
        e(
            "ERANGE",
            SOCK,
            "a value is out of range (strerror: \"Result too large\")",
            "check the sizes passed",
        ),
    ),
    (
        71,
        e(
            "EPROTO",
            SOCK,
            "a protocol error (strerror: \"Protocol error\")",
            "reconnect; check both sides speak the same protocol",
        ),
    ),
    (
        88,
        e(
            "ENOSYS",
            SOCK,
            "the function is not implemented in this build (strerror: \"Function not implemented\")",
            "enable the feature in the configuration, or use another call",
        ),
    ),
    (
        95,
        e(
            "EOPNOTSUPP",
            SOCK,
            "the socket does not support the operation (strerror: \"Operation not supported on socket\")",
            "check the socket type (TCP or UDP) fits the call",
        ),
    ),
    (
        104,
        e(
            "ECONNRESET",
            SOCK,
            "the server reset the connection (strerror: \"Connection reset by peer\"): AWS IoT does this when it refuses the certificate, policy or client id",
            "in AWS IoT, check the certificate is ACTIVE and attached to the thing with a policy that allows iot:Connect for this client id, and that no other board uses the same client id",
        ),
    ),
    (
        105,
        e(
            "ENOBUFS",
            SOCK,
            "no network buffer free (strerror: \"No buffer space available\")",
            "send less at once, or wait and retry; check free heap",
        ),
    ),
    (
        106,
        e(
            "EAFNOSUPPORT",
            SOCK,
            "the address family is not supported (strerror: \"Address family not supported by protocol family\"), often IPv6",
            "use an IPv4 address, or enable IPv6 in lwIP",
        ),
    ),
    (
        107,
        e(
            "EPROTOTYPE",
            SOCK,
            "wrong protocol for this socket type (strerror: \"Protocol wrong type for socket\")",
            "create a TCP socket for TCP, a UDP socket for UDP",
        ),
    ),
    (
        108,
        e(
            "ENOTSOCK",
            SOCK,
            "the number is not a socket (strerror: \"Socket operation on non-socket\")",
            "check the socket was created and not closed",
        ),
    ),
    (
        109,
        e(
            "ENOPROTOOPT",
            SOCK,
            "the socket option is not available (strerror: \"Protocol not available\")",
            "enable the option in lwIP's configuration, or drop it",
        ),
    ),
    (
        110,
        e(
            "ESHUTDOWN",
            SOCK,
            "the socket was shut down for sending (strerror: \"Can't send after socket shutdown\")",
            "open a new connection",
        ),
    ),
    (
        111,
        e(
            "ECONNREFUSED",
            SOCK,
            "the server refused the connection (strerror: \"Connection refused\"): nothing listens on that port",
            "check the endpoint and port (8883 for MQTT over TLS, 443 with ALPN)",
        ),
    ),
    (
        112,
        e(
            "EADDRINUSE",
            SOCK,
            "the address or port is in use (strerror: \"Address already in use\")",
            "close the old socket first, or bind another port",
        ),
    ),
    (
        113,
        e(
            "ECONNABORTED",
            SOCK,
            "the connection was aborted on the board's side (strerror: \"Software caused connection abort\"), often after WiFi dropped",
            "reconnect once WiFi is back; check free heap",
        ),
    ),
    (
        114,
        e(
            "ENETUNREACH",
            SOCK,
            "the network is unreachable (strerror: \"Network is unreachable\"): no IP address or gateway",
            "wait for the got-IP event before connecting; check DHCP",
        ),
    ),
    (
        115,
        e(
            "ENETDOWN",
            SOCK,
            "the network interface is down (strerror: \"Network interface is not configured\")",
            "connect WiFi first; reconnect after a drop",
        ),
    ),
    (
        116,
        e(
            "ETIMEDOUT",
            SOCK,
            "the connection timed out (strerror: \"Connection timed out\"): the server did not answer",
            "check the endpoint and port, and that the network lets that port out (some guest networks block 8883)",
        ),
    ),
    (
        117,
        e(
            "EHOSTDOWN",
            SOCK,
            "the host is down (strerror: \"Host is down\")",
            "check the server is up",
        ),
    ),
    (
        118,
        e(
            "EHOSTUNREACH",
            SOCK,
            "no route to the host (strerror: \"Host is unreachable\"): no IP or gateway yet, or WiFi dropped",
            "wait for the got-IP event before connecting; check the router",
        ),
    ),
    (
        119,
        e(
            "EINPROGRESS",
            SOCK,
            "a non-blocking connect is still running (strerror: \"Connection already in progress\")",
            "wait with select() or poll() until it finishes",
        ),
    ),
    (
        120,
        e(
            "EALREADY",
            SOCK,
            "a connect is already running on this socket (newlib's strerror prints \"Socket already connected\")",
            "wait for the first connect to finish",
        ),
    ),
    (
        121,
        e(
            "EDESTADDRREQ",
            SOCK,
            "no destination address (strerror: \"Destination address required\")",
            "connect, or pass an address with sendto()",
        ),
    ),
    (
        122,
        e(
            "EMSGSIZE",
            SOCK,
            "the message is too long (strerror: \"Message too long\")",
            "send smaller packets",
        ),
    ),
    (
        123,
        e(
            "EPROTONOSUPPORT",
            SOCK,
            "the protocol is not supported (strerror: \"Unknown protocol\")",
            "use TCP or UDP",
        ),
    ),
    (
        125,
        e(
            "EADDRNOTAVAIL",
            SOCK,
            "the address is not available on this board (strerror: \"Address not available\")",
            "bind to 0.0.0.0 or to the board's own IP",
        ),
    ),
    (
        126,
        e(
            "ENETRESET",
            SOCK,
            "the network dropped the connection (strerror: \"Connection aborted by network\")",
            "reconnect",
        ),
    ),
    (
        127,
        e(
            "EISCONN",
            SOCK,
            "the socket is already connected (strerror: \"Socket is already connected\")",
            "nothing to do, or close it before connecting again",
        ),
    ),
    (
        128,
        e(
            "ENOTCONN",
            SOCK,
            "the socket is not connected (strerror: \"Socket is not connected\"): it was closed or never connected",
            "reconnect before sending",
        ),
    ),
    (
        134,
        e(
            "ENOTSUP",
            SOCK,
            "not supported (strerror: \"Not supported\")",
            "use another call or option",
        ),
    ),
    (
        200,
        e(
            "EAI_NONAME",
            DNS,
            "DNS found no such host name",
            "check the endpoint spelling (xxxx-ats.iot.<region>.amazonaws.com) and that the board got a DNS server from DHCP",
        ),
    ),
    (
        201,
        e(
            "EAI_SERVICE",
            DNS,
            "the service or port name is not known",
            "pass the port as a number",
        ),
    ),
    (
        202,
        e(
            "EAI_FAIL",
            DNS,
            "the DNS lookup failed (no answer from the DNS server)",
            "check WiFi is connected and the DNS server works; try setting 1.1.1.1 or 8.8.8.8",
        ),
    ),
    (
        203,
        e(
            "EAI_MEMORY",
            DNS,
            "out of memory during the DNS lookup",
            "free heap before connecting",
        ),
    ),
    (
        204,
        e(
            "EAI_FAMILY",
            DNS,
            "the address family asked for is not supported",
            "ask for IPv4 (AF_INET), or enable IPv6 in lwIP",
        ),
    ),
    (
        210,
        e(
            "HOST_NOT_FOUND",
            DNS,
            "DNS found no such host name (gethostbyname)",
            "check the endpoint spelling and that the board got a DNS server from DHCP",
        ),
    ),
    (
        211,
        e(
            "NO_DATA",
            DNS,
            "the name exists but has no address of the asked type",
            "check the endpoint; ask for IPv4",
        ),
    ),
    (
        212,
        e(
            "NO_RECOVERY",
            DNS,
            "the DNS lookup failed and retrying will not help",
            "check the DNS server set on the board",
        ),
    ),
    (
        213,
        e(
            "TRY_AGAIN",
            DNS,
            "the DNS server did not answer in time",
            "retry; check WiFi and the DNS server",
        ),
    ),
];
