//! Lines that say a connection failed without saying why ("Connection failed!", "MQTT
//! connect failed", "failed, try again in 5 seconds"): the likely causes in order for what
//! the log has shown so far (the broker, the chip, whether the clock was set, which TLS
//! library prints), and what to turn on so the next attempt says more.

use super::context::Broker;
use super::explanation::Explanation;

/// What the log has shown before the line, as far as the causes depend on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    /// An ESP8266 (its ROM's `rst cause:`, BearSSL's `BSSL:` lines).
    pub esp8266: bool,
    /// An ESP32-family chip (its ROM's `rst:0x`, `ESP-ROM:`, ESP-IDF or Arduino-ESP32
    /// log prefixes).
    pub esp32: bool,
    /// The clock was set (SNTP, or a date after 2020 printed).
    pub time_set: bool,
    /// The board has an IP address.
    pub network_up: bool,
    /// The last connection the log names goes to port 1883, plain MQTT.
    pub plain_port: bool,
}

impl Seen {
    /// Learn from one line (already cleaned of what pasting added), given the words the
    /// decoder's scan found in it: this runs on every line.
    pub(super) fn learn(&mut self, t: &str, w: &super::families::Scan) {
        use super::families::words::{NET_UP, OTHER_HOST, RST_CAUSE, TIME_SET, TLS_PORT};
        let b = t.as_bytes();
        if b.starts_with(b"rst:0x") || b.starts_with(b"ESP-ROM:") || b.starts_with(b"[E][") {
            self.esp32 = true;
        }
        if matches!(b, [b'E' | b'W' | b'I', b' ', b'(', ..]) {
            self.esp32 = true;
        }
        if b.starts_with(b"BSSL:") || w.has(RST_CAUSE) {
            self.esp8266 = true;
        }
        self.network_up |= w.has(NET_UP);
        if w.has(TLS_PORT) && (super::text::has(t, ":8883") || super::text::has(t, " 8883")) {
            self.plain_port = false;
        } else if w.has(OTHER_HOST)
            && (super::text::has(t, ":1883") || super::text::has(t, " 1883"))
        {
            self.plain_port = true;
        }
        self.time_set |= w.has(TIME_SET);
    }
}

pub use super::tables::is_codeless_failure;

/// A TLS failure right after the log named port 1883: what that port is.
pub const PLAIN_PORT_CAUSE: &str = "the board connects to port 1883, which brokers use for plain MQTT: a TLS handshake there gets no TLS answer, so it fails whatever the certificates";
/// See [`PLAIN_PORT_CAUSE`].
pub const PLAIN_PORT_FIX: &str = "use the broker's TLS port (8883; AWS IoT also 443 with ALPN x-amzn-mqtt-ca) with TLS, or plain MQTT (no TLS client) on 1883";

/// The causes in order and what to turn on, for what has been seen.
pub fn explain(seen: Seen, broker: Broker) -> Explanation {
    let mut causes: Vec<&str> = Vec::new();
    if !seen.network_up {
        causes.push("the board is not on the network yet (WiFi not connected, no IP address)");
    }
    match broker {
        Broker::Aws => {
            if !seen.time_set {
                causes.push("the clock was never set, so the certificate dates fail (call configTime and wait for the time before connecting)");
            }
            causes.extend([
                "the root CA is not Amazon Root CA 1, or the device certificate and key are missing or not a pair",
                "the policy does not allow iot:Connect for this client id, or the certificate is INACTIVE or not attached",
                "the endpoint is not the account's -ats endpoint, or port 8883 is blocked (443 with ALPN x-amzn-mqtt-ca is the way round)",
            ]);
        }
        Broker::Other => causes.extend([
            "the host or port is wrong, or the broker does not listen on the LAN (mosquitto 2 listens on localhost only until a listener is configured)",
            "TLS and plain MQTT are mixed up: 1883 is plain MQTT (WiFiClient), 8883 is TLS (WiFiClientSecure with the broker's CA)",
            "the broker wants a username and password, or its ACL does not allow this client id",
            "another client uses the same client id, so the broker drops one of them",
        ]),
        Broker::Unknown => {
            causes.push("the host or port is wrong, or nothing listens there (1883 is plain MQTT, 8883 is TLS)");
            if !seen.time_set {
                causes.push("with TLS: the clock was never set, so certificate dates fail (call configTime first)");
            }
            causes.extend([
                "with TLS: the CA the board trusts did not sign the server's certificate (for AWS IoT: Amazon Root CA 1), or the device certificate and key are missing",
                "the broker refused the client: credentials, ACL or policy, a client id already in use",
            ]);
        }
    }
    let numbered: Vec<String> = causes
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{}) {c}", i + 1))
        .collect();
    let mut more = Vec::new();
    if seen.esp8266 || !seen.esp32 {
        more.push("ESP8266: Tools > Debug port: Serial and Debug level: SSL (or Serial.setDebugOutput(true)), and print client.getLastSSLError()");
    }
    if seen.esp32 || !seen.esp8266 {
        more.push("ESP32 Arduino: Tools > Core Debug Level: Debug, which prints ssl_client's reason; ESP-IDF: esp_log_level_set(\"*\", ESP_LOG_DEBUG)");
    }
    more.push("PubSubClient: print client.state() after a failed connect() (its number is explained here)");
    Explanation::new(
        "the connection failed, and the line does not say why",
        format!("likely, in order: {}", numbered.join("; ")),
        format!(
            "turn on more output so the next attempt names the reason: {}",
            more.join("; ")
        ),
    )
    .with_rule("codeless-failure")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_without_a_code_are_recognised_and_with_one_they_are_not() {
        for l in [
            "Connection failed!",
            "MQTT connect failed",
            "Attempting MQTT connection...failed, try again in 5 seconds",
            "connect failed",
        ] {
            assert!(is_codeless_failure(&l.to_ascii_lowercase()), "{l}");
        }
        for l in [
            "failed, rc=-2 try again in 5 seconds",
            "connect failed: -3",
            "WiFi connected",
        ] {
            assert!(!is_codeless_failure(&l.to_ascii_lowercase()), "{l}");
        }
    }

    #[test]
    fn the_broker_orders_the_causes() {
        let aws = explain(Seen::default(), Broker::Aws);
        assert!(aws.cause.contains("iot:Connect"), "{}", aws.cause);
        let other = explain(Seen::default(), Broker::Other);
        assert!(!other.cause.contains("AWS"), "{}", other.cause);
        assert!(!other.cause.contains("policy"), "{}", other.cause);
        assert!(
            other.cause.contains("username and password"),
            "{}",
            other.cause
        );
        // The clock is not a cause once it was set.
        let set = explain(
            Seen {
                time_set: true,
                network_up: true,
                ..Seen::default()
            },
            Broker::Aws,
        );
        assert!(!set.cause.contains("clock"), "{}", set.cause);
        assert!(!set.cause.contains("not on the network"), "{}", set.cause);
    }
}
