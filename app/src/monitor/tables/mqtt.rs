//! MQTT result codes as a maker's board or the AWS IoT console shows them.
//!
//! Sources (names and numbers transcribed from these; causes and fixes are ours):
//! - PubSubClient `state()`: knolleary/pubsubclient v2.8, commit 2d228f2f862a95846c65a8518c79f48dfc8f188c
//!   (2020-05-20), `src/PubSubClient.h` lines 45-54; where each state is set: `src/PubSubClient.cpp`
//!   `connect()` (lines 260, 272, 275, 280), `readPacket()` (325), `loop()` (375), `disconnect()` (664),
//!   `connected()` (692). Defaults: `MQTT_SOCKET_TIMEOUT` 15 s, `MQTT_KEEPALIVE` 15 s,
//!   `MQTT_MAX_PACKET_SIZE` 256 bytes.
//! - MQTT 3.1.1 CONNACK return codes: OASIS MQTT Version 3.1.1 (OASIS Standard, 29 October 2014),
//!   section 3.2.2.3, Table 3.1.
//! - MQTT 5 reason codes and the packets that carry them: OASIS MQTT Version 5.0 (OASIS Standard,
//!   7 March 2019), section 2.4, Table 2-6 (read from a transcription in the code index and checked
//!   against espressif/esp-mqtt `mqtt5_client.c` at 5a9ba05aa3ca18aaf9d133af03e7e41f5c336847, which
//!   prints the same names).
//! - What AWS IoT Core means by a reason code: AWS IoT Core developer guide `mqtt.html` ("MQTT reason
//!   codes", "AWS IoT differences from MQTT specifications"), as copied in dev.classmethod.jp
//!   (2022-12-03); AWS limits as collected in `shared/reference/aws-iot-requirements.md` (128 KB
//!   payload, 7 slashes / 256 bytes per topic, 1 CONNECT per second per client id, keep-alive 30-1200 s).
//! - AWS disconnect reasons: AWS IoT Core developer guide `life-cycle-events.html` (docs corpus, English
//!   and zh_cn renderings; the stored copies end after `THROTTLED`). `WEBSOCKET_TTL_EXPIRATION` and
//!   `CUSTOMAUTH_TTL_EXPIRATION` are taken from the AWS IoT API enum `DisconnectReasonValue`
//!   (AWS SDK for C++ 1.11.643, `aws-cpp-sdk-iot/.../DisconnectReasonValue.h`), which lists the same
//!   values plus these two; neither occurs with X.509 certificates over MQTT.

use super::{Entry, e};

const PUBSUB: &str = "PubSubClient 2.8 (Arduino, any ESP)";
const MQTT3: &str = "MQTT 3.1.1 CONNACK (any client, any broker)";
const MQTT5: &str = "MQTT 5 (AWS IoT Core, any client)";
const MQTT5_ANY: &str = "MQTT 5 (any broker; AWS IoT Core does not send it)";
const LIFECYCLE: &str =
    "AWS IoT Core lifecycle event ($aws/events/presence/disconnected/<clientId>)";
const LIFECYCLE_API: &str = "AWS IoT Core lifecycle event / DisconnectReasonValue (WebSocket or custom-authorizer connections only)";

const POLICY_FIX: &str = "in AWS IoT, attach a policy that allows iot:Connect for this client id to the certificate, make sure the certificate is ACTIVE and attached to the thing";
const CLIENT_ID_FIX: &str = "give every board its own client id (two boards with one id kick each other off); with thing policies the client id must equal the thing name";

/// PubSubClient `client.state()`, as sketches print it (`failed, rc=-2`).
pub const PUBSUB_STATES: &[(i32, Entry)] = &[
    (
        -4,
        e(
            "MQTT_CONNECTION_TIMEOUT",
            PUBSUB,
            "the broker did not answer in time: after CONNECT no CONNACK arrived within the socket timeout (15 s by default), or later a keep-alive PINGREQ went unanswered. AWS IoT refuses a CONNECT by closing the connection without a CONNACK, so right after connecting this is usually the policy or the client id",
            "check, in order: the policy on the certificate allows iot:Connect for this client id; AWS IoT: the certificate is ACTIVE and attached to the thing; no other board or script uses the same client id; then the WiFi link",
        ),
    ),
    (
        -3,
        e(
            "MQTT_CONNECTION_LOST",
            PUBSUB,
            "the connection was up and then went away. AWS IoT closes it when the board publishes or subscribes to a topic its policy does not allow, when another connection takes the same client id, or after 1.5x the keep-alive without traffic; a WiFi drop looks the same",
            "check, in order: if it drops right after a publish or subscribe, the policy must allow that topic (iot:Publish, iot:Subscribe, iot:Receive); give every board its own client id; call client.loop() often; then check the WiFi signal",
        ),
    ),
    (
        -2,
        e(
            "MQTT_CONNECT_FAILED",
            PUBSUB,
            "the network client could not open the connection, so no MQTT was sent: the name did not resolve, the TCP connection to the port failed, or the TLS handshake failed",
            "check, in order: 1) the endpoint: copy it from AWS IoT Settings (xxxx-ats.iot.<region>.amazonaws.com, no mqtt:// or https://) and check WiFi is up; 2) port 8883 is not blocked: try a phone hotspot, or port 443 with ALPN x-amzn-mqtt-ca; 3) TLS: read the TLS client's own error: ESP8266 BearSSL prints it with espClient.getLastSSLError(), ESP32 prints the mbedTLS code in a _handle_error line (Core Debug Level Error) or espClient.lastError(buf, size); 4) the clock: set it by SNTP (configTime) before connecting; 5) the root CA: Amazon Root CA 1 with the -ats endpoint; 6) the device certificate and private key are loaded (setCertificate/setPrivateKey on ESP32, setClientRSACert on ESP8266)",
        ),
    ),
    (
        -1,
        e(
            "MQTT_DISCONNECTED",
            PUBSUB,
            "not connected: nothing was tried yet, disconnect() was called, or connect() gave up before it read a CONNACK (the client id, user name or will did not fit the packet buffer, 256 bytes by default, or the reply was not a CONNACK)",
            "call connect(); if it keeps returning false with state -1, shorten the client id and will or raise client.setBufferSize()",
        ),
    ),
    (
        0,
        e(
            "MQTT_CONNECTED",
            PUBSUB,
            "connected: the broker accepted the CONNECT",
            "nothing to fix",
        ),
    ),
    (
        1,
        e(
            "MQTT_CONNECT_BAD_PROTOCOL",
            PUBSUB,
            "the broker refused the MQTT protocol version (CONNACK 1)",
            "keep MQTT_VERSION at MQTT_VERSION_3_1_1 (the default); AWS IoT accepts 3.1.1",
        ),
    ),
    (
        2,
        e(
            "MQTT_CONNECT_BAD_CLIENT_ID",
            PUBSUB,
            "the broker rejected the client id (CONNACK 2)",
            "use a non-empty client id of at most 128 bytes, unique per board; with thing policies it must equal the thing name",
        ),
    ),
    (
        3,
        e(
            "MQTT_CONNECT_UNAVAILABLE",
            PUBSUB,
            "the broker was reached but its MQTT service is unavailable (CONNACK 3)",
            "retry later with a growing delay",
        ),
    ),
    (
        4,
        e(
            "MQTT_CONNECT_BAD_CREDENTIALS",
            PUBSUB,
            "the broker rejected the user name or password (CONNACK 4)",
            "AWS IoT with certificates takes no user name or password: call connect(clientId) only",
        ),
    ),
    (
        5,
        e(
            "MQTT_CONNECT_UNAUTHORIZED",
            PUBSUB,
            "the broker says this client may not connect (CONNACK 5). AWS IoT usually closes the connection instead of sending it, so against AWS the sketch more often shows -4 or -3",
            POLICY_FIX,
        ),
    ),
];

/// MQTT 3.1.1 CONNACK return codes (the byte after the session-present flag).
pub const MQTT3_CONNACK: &[(u8, Entry)] = &[
    (
        0,
        e(
            "Connection Accepted",
            MQTT3,
            "the broker accepted the connection",
            "nothing to fix",
        ),
    ),
    (
        1,
        e(
            "Connection Refused, unacceptable protocol version",
            MQTT3,
            "the broker does not support the MQTT version the board asked for",
            "use MQTT 3.1.1 (protocol level 4); AWS IoT accepts it",
        ),
    ),
    (
        2,
        e(
            "Connection Refused, identifier rejected",
            MQTT3,
            "the client id is valid UTF-8 but the broker will not take it",
            "use a non-empty client id of at most 128 bytes, unique per board; with thing policies it must equal the thing name",
        ),
    ),
    (
        3,
        e(
            "Connection Refused, Server unavailable",
            MQTT3,
            "the network connection works but the MQTT service is unavailable",
            "retry later with a growing delay",
        ),
    ),
    (
        4,
        e(
            "Connection Refused, bad user name or password",
            MQTT3,
            "the user name or password is malformed or wrong",
            "AWS IoT with certificates takes no user name or password; send none",
        ),
    ),
    (
        5,
        e(
            "Connection Refused, not authorized",
            MQTT3,
            "the broker does not let this client connect; AWS IoT usually closes the connection without a CONNACK instead",
            POLICY_FIX,
        ),
    ),
];

/// MQTT 5 reason codes: (code, the packets that may carry it per the specification, reading).
pub const MQTT5_REASONS: &[(u8, &str, Entry)] = &[
    (
        0x00,
        "CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK, AUTH, DISCONNECT, SUBACK",
        e(
            "Success / Normal disconnection / Granted QoS 0",
            MQTT5,
            "no error: the request was accepted (in DISCONNECT: an orderly close without the will; in SUBACK: subscribed at QoS 0)",
            "nothing to fix; if a SUBACK grants QoS 0 where the board asked for QoS 1, the broker lowered it",
        ),
    ),
    (
        0x01,
        "SUBACK",
        e(
            "Granted QoS 1",
            MQTT5,
            "subscribed; messages arrive at up to QoS 1",
            "nothing to fix",
        ),
    ),
    (
        0x02,
        "SUBACK",
        e(
            "Granted QoS 2",
            MQTT5_ANY,
            "subscribed at QoS 2; AWS IoT supports only QoS 0 and 1 and never grants it",
            "nothing to fix",
        ),
    ),
    (
        0x04,
        "DISCONNECT",
        e(
            "Disconnect with Will Message",
            MQTT5,
            "the board closed the connection and asked the broker to publish its Last Will",
            "nothing to fix; the client sends this, not the broker",
        ),
    ),
    (
        0x10,
        "PUBACK, PUBREC",
        e(
            "No matching subscribers",
            MQTT5,
            "the message was accepted but nobody is subscribed to that topic",
            "nothing to fix; subscribe to the topic (for example in the AWS IoT MQTT test client) to see the messages",
        ),
    ),
    (
        0x11,
        "UNSUBACK",
        e(
            "No subscription existed",
            MQTT5,
            "the board unsubscribed from a filter it was not subscribed to",
            "nothing to fix; check the spelling of the topic filter",
        ),
    ),
    (
        0x18,
        "AUTH",
        e(
            "Continue authentication",
            MQTT5_ANY,
            "a step of an enhanced-authentication exchange",
            "nothing to fix; AWS IoT with certificates uses no AUTH packets",
        ),
    ),
    (
        0x19,
        "AUTH",
        e(
            "Re-authenticate",
            MQTT5_ANY,
            "the client starts a new enhanced-authentication exchange",
            "nothing to fix; AWS IoT with certificates uses no AUTH packets",
        ),
    ),
    (
        0x80,
        "CONNACK, PUBACK, PUBREC, SUBACK, UNSUBACK, DISCONNECT",
        e(
            "Unspecified error",
            MQTT5,
            "the broker refused without saying why",
            "on CONNACK check the policy first: in AWS IoT, attach a policy that allows iot:Connect for this client id to the certificate; otherwise read the AWS IoT logs in CloudWatch for this client id",
        ),
    ),
    (
        0x81,
        "CONNACK, DISCONNECT",
        e(
            "Malformed Packet",
            MQTT5,
            "the broker could not parse a packet from the board",
            "a bug in the MQTT library or a corrupted stream: update the library; report it with this log",
        ),
    ),
    (
        0x82,
        "CONNACK, DISCONNECT",
        e(
            "Protocol Error",
            MQTT5,
            "the board broke an MQTT rule, for example a second CONNECT on one connection or a packet sent before the CONNACK",
            "send CONNECT once per connection and nothing before the CONNACK arrives; update the MQTT library",
        ),
    ),
    (
        0x83,
        "CONNACK, PUBACK, PUBREC, SUBACK, UNSUBACK, DISCONNECT",
        e(
            "Implementation specific error",
            MQTT5,
            "the packet is valid but the broker will not accept it, for its own reason",
            "print the Reason String property if the library offers it; read the AWS IoT logs in CloudWatch",
        ),
    ),
    (
        0x84,
        "CONNACK",
        e(
            "Unsupported Protocol Version",
            MQTT5,
            "the broker does not speak the MQTT version the board asked for",
            "use MQTT 5 or 3.1.1 against an endpoint that supports it; AWS IoT Core supports both",
        ),
    ),
    (
        0x85,
        "CONNACK",
        e(
            "Client Identifier not valid",
            MQTT5,
            "the client id is a valid string but the broker will not take it",
            "use 1-128 bytes; with thing policies it must equal the thing name",
        ),
    ),
    (
        0x86,
        "CONNACK",
        e(
            "Bad User Name or Password",
            MQTT5,
            "the broker rejected the user name or password",
            "AWS IoT with certificates takes no user name or password; send none",
        ),
    ),
    (
        0x87,
        "CONNACK, PUBACK, PUBREC, SUBACK, UNSUBACK, DISCONNECT",
        e(
            "Not authorized",
            MQTT5,
            "the policy on the certificate does not allow this: on CONNACK the connection for this client id, on PUBACK or SUBACK that topic",
            "on CONNACK: in AWS IoT, attach a policy that allows iot:Connect for this client id to the certificate, make sure the certificate is ACTIVE and attached to the thing; on PUBACK/SUBACK: allow iot:Publish, iot:Subscribe and iot:Receive on that topic",
        ),
    ),
    (
        0x88,
        "CONNACK",
        e(
            "Server unavailable",
            MQTT5,
            "the broker is not available",
            "retry later with a growing delay",
        ),
    ),
    (
        0x89,
        "CONNACK, DISCONNECT",
        e(
            "Server busy",
            MQTT5,
            "the broker is busy",
            "retry later with a growing delay",
        ),
    ),
    (
        0x8A,
        "CONNACK",
        e(
            "Banned",
            MQTT5,
            "an administrator has banned this client",
            "ask whoever runs the broker or the AWS account",
        ),
    ),
    (
        0x8B,
        "DISCONNECT",
        e(
            "Server shutting down",
            MQTT5,
            "the broker is shutting down (AWS IoT: maintenance)",
            "nothing to fix; reconnect after a short delay",
        ),
    ),
    (
        0x8C,
        "CONNACK, DISCONNECT",
        e(
            "Bad authentication method",
            MQTT5,
            "the broker does not support the Authentication Method the board sent",
            "send no Authentication Method; AWS IoT with certificates needs none",
        ),
    ),
    (
        0x8D,
        "DISCONNECT",
        e(
            "Keep Alive timeout",
            MQTT5,
            "no packet from the board for 1.5x the keep-alive",
            "run the MQTT client's loop often; keep the keep-alive between 30 and 1200 s for AWS IoT; check the WiFi link",
        ),
    ),
    (
        0x8E,
        "DISCONNECT",
        e(
            "Session taken over",
            MQTT5,
            "another connection used the same client id, so AWS IoT dropped this one (lifecycle reason DUPLICATE_CLIENTID)",
            CLIENT_ID_FIX,
        ),
    ),
    (
        0x8F,
        "SUBACK, UNSUBACK, DISCONNECT",
        e(
            "Topic Filter invalid",
            MQTT5,
            "a topic filter is well formed but the broker will not take it",
            "for AWS IoT keep filters to at most 7 slashes and 256 bytes, with + and # only as whole levels",
        ),
    ),
    (
        0x90,
        "CONNACK, PUBACK, PUBREC, DISCONNECT",
        e(
            "Topic Name invalid",
            MQTT5,
            "a topic name (on CONNACK: the will topic) is well formed but the broker will not take it",
            "for AWS IoT use no wildcards in topic names, at most 7 slashes and 256 bytes, and $aws/ topics only where AWS documents them",
        ),
    ),
    (
        0x91,
        "PUBACK, PUBREC, SUBACK, UNSUBACK",
        e(
            "Packet Identifier in use",
            MQTT5,
            "the board reused a packet id that is still waiting for its acknowledgement",
            "a bug in the MQTT library: update it, or reconnect with a clean start",
        ),
    ),
    (
        0x92,
        "PUBREL, PUBCOMP",
        e(
            "Packet Identifier not found",
            MQTT5_ANY,
            "a QoS 2 exchange named a packet id the other side does not know",
            "publish at QoS 1; AWS IoT supports QoS 0 and 1 only",
        ),
    ),
    (
        0x93,
        "DISCONNECT",
        e(
            "Receive Maximum exceeded",
            MQTT5,
            "the board had more unacknowledged QoS 1 messages in flight than the broker allows",
            "wait for PUBACKs before sending more; publish less often",
        ),
    ),
    (
        0x94,
        "DISCONNECT",
        e(
            "Topic Alias invalid",
            MQTT5,
            "the board used a topic alias of 0 or above the broker's Topic Alias Maximum",
            "turn topic aliases off in the MQTT client, or respect the maximum the CONNACK announces",
        ),
    ),
    (
        0x95,
        "CONNACK, DISCONNECT",
        e(
            "Packet too large",
            MQTT5,
            "a packet was larger than the broker accepts; AWS IoT's payload limit is 128 KB",
            "send smaller payloads: split or shorten the message",
        ),
    ),
    (
        0x96,
        "DISCONNECT",
        e(
            "Message rate too high",
            MQTT5,
            "the board sends faster than the broker allows (AWS IoT: about 100 publishes per second and 512 KB/s per connection)",
            "publish less often; batch readings into fewer messages",
        ),
    ),
    (
        0x97,
        "CONNACK, PUBACK, PUBREC, SUBACK, DISCONNECT",
        e(
            "Quota exceeded",
            MQTT5,
            "a limit of the account or the connection was exceeded; AWS IoT sends it when it throttles the board",
            "slow down (fewer connects, publishes or subscriptions); check the AWS IoT quotas in Service Quotas",
        ),
    ),
    (
        0x98,
        "DISCONNECT",
        e(
            "Administrative action",
            MQTT5,
            "an administrator or an API call closed this connection",
            "check who closed it (AWS IoT console, CloudTrail); the board can reconnect",
        ),
    ),
    (
        0x99,
        "CONNACK, PUBACK, PUBREC, DISCONNECT",
        e(
            "Payload format invalid",
            MQTT5,
            "the payload does not match its Payload Format Indicator (marked as UTF-8 text but is not)",
            "send valid UTF-8, or do not set the payload-format flag for binary payloads",
        ),
    ),
    (
        0x9A,
        "CONNACK, DISCONNECT",
        e(
            "Retain not supported",
            MQTT5,
            "the broker does not accept retained messages",
            "publish without the retain flag",
        ),
    ),
    (
        0x9B,
        "CONNACK, DISCONNECT",
        e(
            "QoS not supported",
            MQTT5,
            "the board used a QoS above the broker's maximum (AWS IoT has no QoS 2)",
            "publish and subscribe at QoS 0 or 1",
        ),
    ),
    (
        0x9C,
        "CONNACK, DISCONNECT",
        e(
            "Use another server",
            MQTT5,
            "the broker asks the board to use another server for now (named in the Server Reference property)",
            "connect to the server in the Server Reference if the client supports it, otherwise retry later",
        ),
    ),
    (
        0x9D,
        "CONNACK, DISCONNECT",
        e(
            "Server moved",
            MQTT5,
            "the broker has moved for good (the new one is in the Server Reference property)",
            "update the endpoint stored on the board; copy it from AWS IoT Settings",
        ),
    ),
    (
        0x9E,
        "SUBACK, DISCONNECT",
        e(
            "Shared Subscriptions not supported",
            MQTT5,
            "the broker does not allow shared subscriptions for this client",
            "subscribe without the $share/<group>/ prefix",
        ),
    ),
    (
        0x9F,
        "CONNACK, DISCONNECT",
        e(
            "Connection rate exceeded",
            MQTT5,
            "connecting too often (AWS IoT: 1 CONNECT per second per client id)",
            "wait longer between reconnects (double the delay each time); check that only one board uses this client id",
        ),
    ),
    (
        0xA0,
        "DISCONNECT",
        e(
            "Maximum connect time",
            MQTT5,
            "the connection reached the longest time the broker allows",
            "nothing to fix; reconnect",
        ),
    ),
    (
        0xA1,
        "SUBACK, DISCONNECT",
        e(
            "Subscription Identifiers not supported",
            MQTT5,
            "the broker does not accept Subscription Identifiers",
            "subscribe without a Subscription Identifier property",
        ),
    ),
    (
        0xA2,
        "SUBACK, DISCONNECT",
        e(
            "Wildcard Subscriptions not supported",
            MQTT5,
            "the broker does not accept + or # in subscriptions",
            "subscribe to exact topics",
        ),
    ),
];

/// `disconnectReason` of AWS IoT Core's disconnect lifecycle event (cloud side; the board never
/// prints these itself, but a maker may paste the event JSON from the AWS IoT MQTT test client).
pub const AWS_DISCONNECT_REASONS: &[(&str, Entry)] = &[
    (
        "AUTH_ERROR",
        e(
            "AUTH_ERROR",
            LIFECYCLE,
            "AWS IoT could not authenticate the board, or its policy does not allow what it asked for",
            POLICY_FIX,
        ),
    ),
    (
        "CLIENT_INITIATED_DISCONNECT",
        e(
            "CLIENT_INITIATED_DISCONNECT",
            LIFECYCLE,
            "the board closed the connection itself (MQTT DISCONNECT or WebSocket close); AWS IoT sends no Last Will",
            "nothing to fix, unless the sketch did not mean to disconnect",
        ),
    ),
    (
        "CLIENT_ERROR",
        e(
            "CLIENT_ERROR",
            LIFECYCLE,
            "the board broke a rule, for example a second CONNECT on one connection or a publish over the 128 KB payload limit",
            "connect once per connection; send smaller payloads",
        ),
    ),
    (
        "CONNECTION_LOST",
        e(
            "CONNECTION_LOST",
            LIFECYCLE,
            "the network connection broke (weak WiFi, high latency, the board lost power or reset)",
            "check the WiFi signal and the power supply; look for a reset reason in the board's log",
        ),
    ),
    (
        "DUPLICATE_CLIENTID",
        e(
            "DUPLICATE_CLIENTID",
            LIFECYCLE,
            "another connection used the same client id, so AWS IoT dropped the older one",
            CLIENT_ID_FIX,
        ),
    ),
    (
        "FORBIDDEN_ACCESS",
        e(
            "FORBIDDEN_ACCESS",
            LIFECYCLE,
            "AWS IoT does not let this client connect at all, for example because its IP address is denied",
            "check the account's IP or network restrictions (domain configuration, VPC endpoint policy)",
        ),
    ),
    (
        "MQTT_KEEP_ALIVE_TIMEOUT",
        e(
            "MQTT_KEEP_ALIVE_TIMEOUT",
            LIFECYCLE,
            "nothing came from the board for 1.5x its keep-alive",
            "run the MQTT client's loop often (client.loop() for PubSubClient); check the WiFi link",
        ),
    ),
    (
        "SERVER_ERROR",
        e(
            "SERVER_ERROR",
            LIFECYCLE,
            "an unexpected problem on the AWS side",
            "nothing to fix on the board; reconnect",
        ),
    ),
    (
        "SERVER_INITIATED_DISCONNECT",
        e(
            "SERVER_INITIATED_DISCONNECT",
            LIFECYCLE,
            "AWS IoT closed the connection on purpose for operational reasons (maintenance)",
            "nothing to fix; reconnect with a delay",
        ),
    ),
    (
        "API_INITIATED_DISCONNECT",
        e(
            "API_INITIATED_DISCONNECT",
            LIFECYCLE,
            "someone closed the connection with the DeleteConnection API",
            "check who called DeleteConnection; the board can reconnect",
        ),
    ),
    (
        "THROTTLED",
        e(
            "THROTTLED",
            LIFECYCLE,
            "the board exceeded an AWS IoT rate limit (connects, publishes or subscriptions)",
            "connect at most once per second per client id; publish less often",
        ),
    ),
    (
        "WEBSOCKET_TTL_EXPIRATION",
        e(
            "WEBSOCKET_TTL_EXPIRATION",
            LIFECYCLE_API,
            "a WebSocket connection reached its maximum lifetime",
            "nothing to fix; reconnect",
        ),
    ),
    (
        "CUSTOMAUTH_TTL_EXPIRATION",
        e(
            "CUSTOMAUTH_TTL_EXPIRATION",
            LIFECYCLE_API,
            "a connection authorised by a custom authorizer outlived the time-to-live the authorizer returned",
            "nothing to fix; reconnect",
        ),
    ),
];
