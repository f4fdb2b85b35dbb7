//! The telemetry message and the answers to commands: small JSON objects written by hand
//! (no serializer on the board), and the command parser.

use alloc::format;
use alloc::string::String;

/// What the board reports every interval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Telemetry<'a> {
    /// Seconds since boot.
    pub uptime_s: u64,
    /// WiFi signal, dBm.
    pub rssi: Option<i16>,
    /// Free heap, bytes.
    pub heap_free: Option<u32>,
    /// Firmware version.
    pub fw: &'a str,
    /// Message counter since boot.
    pub seq: u32,
}

fn opt<T: core::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| String::from("null"), |v| format!("{v}"))
}

/// JSON-escape `s` (quotes, backslash, control characters).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

impl Telemetry<'_> {
    /// `{"seq":3,"uptime_s":120,"rssi":-61,"heap_free":81234,"fw":"0.1.0"}`
    pub fn to_json(&self) -> String {
        format!(
            "{{\"seq\":{},\"uptime_s\":{},\"rssi\":{},\"heap_free\":{},\"fw\":\"{}\"}}",
            self.seq,
            self.uptime_s,
            opt(self.rssi),
            opt(self.heap_free),
            escape(self.fw)
        )
    }
}

/// A command sent to `<prefix>/<client id>/cmd`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `ping`: answer `pong`.
    Ping,
    /// `status`: answer with a telemetry message now.
    Status,
    /// Anything else.
    Unknown,
}

impl Command {
    /// Parse a payload: the bare word, or JSON `{"cmd":"ping"}`.
    pub fn parse(payload: &[u8]) -> Self {
        let text = core::str::from_utf8(payload).unwrap_or("").trim();
        let word = if text.starts_with('{') {
            text.split("\"cmd\"")
                .nth(1)
                .and_then(|rest| rest.split('"').nth(1))
                .unwrap_or("")
        } else {
            text
        };
        match word {
            "ping" => Command::Ping,
            "status" => Command::Status,
            _ => Command::Unknown,
        }
    }

    /// The answer published to `<prefix>/<client id>/reply`.
    pub fn answer(self, telemetry: &Telemetry<'_>) -> String {
        match self {
            Command::Ping => format!("{{\"reply\":\"pong\",\"seq\":{}}}", telemetry.seq),
            Command::Status => telemetry.to_json(),
            Command::Unknown => {
                String::from("{\"error\":\"unknown command\",\"known\":[\"ping\",\"status\"]}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telemetry_is_json() {
        let t = Telemetry {
            uptime_s: 120,
            rssi: Some(-61),
            heap_free: None,
            fw: "0.1.0\"x",
            seq: 3,
        };
        assert_eq!(
            t.to_json(),
            r#"{"seq":3,"uptime_s":120,"rssi":-61,"heap_free":null,"fw":"0.1.0\"x"}"#
        );
    }

    #[test]
    fn commands_parse_bare_and_json() {
        assert_eq!(Command::parse(b"ping"), Command::Ping);
        assert_eq!(Command::parse(b" status\n"), Command::Status);
        assert_eq!(Command::parse(br#"{"cmd": "ping"}"#), Command::Ping);
        assert_eq!(Command::parse(b"\xff\xfe"), Command::Unknown);
        assert_eq!(Command::parse(b"reboot"), Command::Unknown);
    }
}
