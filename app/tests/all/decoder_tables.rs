//! Every entry of every decoder table, written as a line in the format its source prints
//! it (the library's printf formats, named on each block), must decode to that entry's
//! explanation. A table entry the decoder cannot reach is a failing test here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use thingflash::monitor::tables::{
    Versions, bearssl, esp32, esp8266, mbedtls, mqtt, net, transcribed,
};
use thingflash::monitor::{Decoder, Explanation};

fn explain(line: &str) -> Explanation {
    Decoder::new()
        .decode(line)
        .explanation
        .unwrap_or_else(|| panic!("no explanation for {line:?}"))
}

/// Collects failures so one run lists every unreachable entry, not just the first.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    fn check(&mut self, line: &str, ok: impl FnOnce(&Explanation) -> bool) {
        match Decoder::new().decode(line).explanation {
            Some(e) if ok(&e) => {}
            Some(e) => self.0.push(format!("{line:?} -> {} [{}]", e.title, e.rule)),
            None => self.0.push(format!("{line:?} -> nothing")),
        }
    }
    fn done(self, what: &str, entries: usize) {
        assert!(
            self.0.is_empty(),
            "{what}: {} of {entries} entries not explained:\n{}",
            self.0.len(),
            self.0.join("\n")
        );
        eprintln!("{what}: all {entries} entries explained");
    }
}

#[test]
fn every_mbedtls_code_in_arduino_and_esp_idf_notation() {
    let mut f = Failures::default();
    for m in mbedtls::MBEDTLS_ERRORS {
        let code = i64::from(m.code);
        // A V2 meaning that a V3 entry shares the number with is named in the cause.
        let shared = m.versions == Versions::V2
            && mbedtls::MBEDTLS_ERRORS
                .iter()
                .any(|o| o.code == m.code && o.versions != Versions::V2);
        let ok = |e: &Explanation| {
            e.rule.starts_with("mbedtls-code") || e.rule == "arduino-ssl-client"
        } && if shared {
            e.cause.contains(m.entry.name)
        } else {
            e.title.contains(m.entry.name)
        };
        // ssl_client.cpp `_handle_error`: `[%s():%d]: (%d) %s` with mbedtls_strerror's text.
        f.check(
            &format!(
                "[  6213][E][ssl_client.cpp:37] _handle_error(): [start_ssl_client():273]: ({}) {}",
                -code, m.text
            ),
            ok,
        );
        // ESP-IDF esp-tls: `mbedtls_ssl_handshake returned -0x%x`.
        f.check(
            &format!(
                "E (5210) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x{:x}",
                m.code
            ),
            ok,
        );
    }
    f.done("mbedTLS codes", mbedtls::MBEDTLS_ERRORS.len());
}

#[test]
fn every_x509_verify_flag_as_esp_idf_prints_its_info() {
    let mut f = Failures::default();
    for (bit, text, entry) in mbedtls::X509_VERIFY_FLAGS {
        f.check(
            &format!("E (5240) esp-tls-mbedtls: verification info: ! {text}"),
            |e| e.title.contains(entry.name),
        );
        let e = explain(&format!(
            "[tf1] tls.failed code=-0x2700 verify=0x{bit:08X} detail=x"
        ));
        assert!(e.title.contains(entry.name), "{bit:#x}: {}", e.title);
    }
    f.done("X.509 verify flags", mbedtls::X509_VERIFY_FLAGS.len());
}

#[test]
fn every_bearssl_code_alert_and_text() {
    let mut f = Failures::default();
    for (n, entry) in bearssl::BEARSSL_ERRORS {
        f.check(&format!("getLastSSLError = {n}"), |e| {
            // 256 and 512 are also 256 + alert 0 and 512 + alert 0: the alert is named.
            e.title.contains(entry.name)
                || (matches!(n, 256 | 512) && e.title.contains("close_notify"))
        });
    }
    // 256 + alert received, 512 + alert sent (bearssl_ssl.h).
    for (alert, entry) in bearssl::TLS_ALERTS {
        for (base, dir) in [(256, "received"), (512, "sent")] {
            f.check(
                &format!("Last SSL error code: {}", base + u32::from(*alert)),
                |e| e.title.contains(entry.name) && e.title.contains(dir),
            );
        }
    }
    // getLastSSLError's texts: the classic sketch prints them after "SSL error: ".
    let texts: Vec<_> = bearssl::BEARSSL_TEXTS
        .iter()
        .filter(|(n, t)| *n != 0 && t.len() > 12)
        .collect();
    for (n, text) in &texts {
        let name = bearssl::BEARSSL_ERRORS
            .iter()
            .find(|(c, _)| c == n)
            .map(|(_, e)| e.name)
            .unwrap();
        // Texts several codes share, or one that contains another, name either.
        let twins: Vec<&str> = bearssl::BEARSSL_TEXTS
            .iter()
            .filter(|(_, t)| t.contains(*text) || text.contains(t))
            .filter_map(|(c, _)| bearssl::BEARSSL_ERRORS.iter().find(|(x, _)| x == c))
            .map(|(_, e)| e.name)
            .collect();
        f.check(&format!("SSL error: {text}"), |e| {
            e.title.contains(name) || twins.iter().any(|t| e.title.contains(t))
        });
    }
    f.done(
        "BearSSL codes, alerts and texts",
        bearssl::BEARSSL_ERRORS.len() + 2 * bearssl::TLS_ALERTS.len() + texts.len(),
    );
}

/// A literal key as it stands in a line: keys that begin mid-sentence get text before them.
fn as_printed(key: &str) -> String {
    if key.starts_with(' ') {
        format!("partition 0{key}")
    } else {
        key.to_string()
    }
}

/// The first entry of a literal table whose key occurs in `line`, as the decoder picks.
fn first_key<'a>(
    table: &'a [(&'a str, thingflash::monitor::tables::Entry)],
    line: &str,
) -> &'a str {
    table
        .iter()
        .find(|(k, _)| line.contains(k))
        .map(|(_, e)| e.name)
        .unwrap()
}

#[test]
fn every_esp8266_exception_reset_boot_mode_and_crash_line() {
    let mut f = Failures::default();
    for (n, entry) in esp8266::EXCEPTION_CAUSES {
        // core_esp8266_postmortem.cpp: `Exception (%d):`; the SDK: `Fatal exception %d(%s):`.
        f.check(&format!("Exception ({n}):"), |e| {
            e.title.contains(entry.name)
        });
        f.check(&format!("Fatal exception {n}({}):", entry.name), |e| {
            e.title.contains(entry.name)
        });
    }
    for (n, entry) in esp8266::ROM_RST_CAUSES {
        f.check(
            &format!("ets Jan  8 2013,rst cause:{n}, boot mode:(3,6)"),
            |e| e.title.contains(entry.name),
        );
    }
    for (m, entry) in esp8266::BOOT_MODES.iter().filter(|(m, _)| *m != 3) {
        f.check(
            &format!("ets Jan  8 2013,rst cause:2, boot mode:({m},6)"),
            |e| e.title.contains(entry.name),
        );
    }
    for (_, text, entry) in esp8266::RESET_REASONS {
        f.check(&format!("Reset reason: {text}"), |e| {
            e.title.contains(entry.name)
        });
    }
    let mut crash = Failures::default();
    for (key, _) in esp8266::CRASH_LINES {
        let want = first_key(esp8266::CRASH_LINES, key);
        crash.check(&as_printed(key), |e| e.rule == want);
    }
    crash.done("ESP8266 crash lines", esp8266::CRASH_LINES.len());
    f.done(
        "ESP8266 exceptions, resets, boot modes",
        2 * esp8266::EXCEPTION_CAUSES.len()
            + esp8266::ROM_RST_CAUSES.len()
            + esp8266::RESET_REASONS.len(),
    );
}

#[test]
fn every_esp32_family_reset_boot_mode_panic_crash_line_and_error_name() {
    let mut f = Failures::default();
    for (chips, n, entry) in esp32::ROM_RESET_REASONS {
        let line = format!(
            "rst:0x{n:x} ({}),boot:0x13 (SPI_FAST_FLASH_BOOT)",
            entry.name
        );
        f.check(&line, |e| e.title.contains(entry.name) && !chips.is_empty());
    }
    for (mode, entry) in esp32::BOOT_MODES {
        let line = format!("rst:0x1 (POWERON_RESET),boot:0x13 ({mode})");
        f.check(&line, |e| {
            if mode.starts_with("DOWNLOAD") {
                e.title.contains("download mode")
            } else {
                *mode == "SPI_FAST_FLASH_BOOT" || e.cause.contains(entry.cause)
            }
        });
    }
    for (n, entry) in esp32::ESP_RESET_REASONS {
        f.check(
            &format!("I (312) app: reset reason {n}: {}", entry.name),
            |e| e.title.contains(entry.name),
        );
    }
    for (key, entry) in esp32::PANIC_CAUSES {
        // panic.c: `Guru Meditation Error: Core %d panic'ed (%s). `
        f.check(
            &format!("Guru Meditation Error: Core  0 panic'ed ({key}). Exception was unhandled."),
            |e| e.title.contains(entry.name),
        );
    }
    let mut crash = Failures::default();
    for (key, _) in esp32::CRASH_LINES {
        let want = first_key(esp32::CRASH_LINES, key);
        crash.check(&as_printed(key), |e| {
            e.rule == want || e.rule == "esp32-panic"
        });
    }
    crash.done("ESP32 crash lines", esp32::CRASH_LINES.len());
    for (code, entry) in esp32::ESP_ERRORS.iter().filter(|(c, _)| *c != 0) {
        // esp_err.c: `ESP_ERROR_CHECK failed: esp_err_t 0x%x (%s)`.
        f.check(
            &format!(
                "ESP_ERROR_CHECK failed: esp_err_t 0x{code:x} ({})",
                entry.name
            ),
            |e| {
                e.title.contains(entry.name)
                    || esp32::ESP_ERRORS
                        .iter()
                        .any(|(c, o)| c == code && e.title.contains(o.name))
            },
        );
    }
    f.done(
        "ESP32 resets, boot modes, panics, esp_err_t",
        esp32::ROM_RESET_REASONS.len()
            + esp32::BOOT_MODES.len()
            + esp32::ESP_RESET_REASONS.len()
            + esp32::PANIC_CAUSES.len()
            + esp32::ESP_ERRORS.len(),
    );
}

#[test]
fn every_wifi_reason_errno_and_lwip_error() {
    let mut f = Failures::default();
    for (n, entry) in net::WIFI_REASONS {
        let first = net::WIFI_REASONS
            .iter()
            .find(|(x, _)| x == n)
            .unwrap()
            .1
            .name;
        let short = first.trim_start_matches("WIFI_REASON_");
        f.check(
            &format!("[WiFi-event] Disconnected from AP, reason: {n}"),
            |e| e.title.contains(short) && (first == entry.name || e.rule == "wifi-reason"),
        );
        f.check(
            &format!("I (9400) wifi:state: run -> init, reason:{n}"),
            |e| e.title.contains(short),
        );
    }
    for (n, entry) in net::ERRNO {
        let line = if *n >= 200 {
            format!(
                "E (8123) esp-tls: couldn't get hostname: getaddrinfo() returns {n}, addrinfo=0x0"
            )
        } else {
            // NetworkClient.cpp: `connect on fd %d, errno: %d, "%s"`.
            format!(
                "[  5120][E][NetworkClient.cpp:319] connect(): connect on fd 48, errno: {n}, \"x\""
            )
        };
        f.check(&line, |e| e.title.contains(entry.name));
    }
    for (n, entry) in net::LWIP_ERR.iter().filter(|(n, _)| *n != 0) {
        f.check(&format!("E (700) transport: lwip error: {n}"), |e| {
            e.title.contains(entry.name)
        });
    }
    f.done(
        "WiFi reasons, errnos, lwIP errors",
        2 * net::WIFI_REASONS.len() + net::ERRNO.len() + net::LWIP_ERR.len() - 1,
    );
}

#[test]
fn every_pubsubclient_state_mqtt_reason_and_aws_disconnect_reason() {
    let mut f = Failures::default();
    for (n, entry) in mqtt::PUBSUB_STATES {
        for line in [
            format!("Attempting MQTT connection...failed, rc={n} try again in 5 seconds"),
            format!("MQTT connect failed, state={n}"),
            format!("client.state(): {n}"),
        ] {
            f.check(&line, |e| e.title.contains(entry.name));
        }
    }
    for (code, packets, entry) in mqtt::MQTT5_REASONS.iter().filter(|(c, _, _)| *c >= 0x80) {
        let packet = packets.split(", ").next().unwrap();
        f.check(
            &format!("W (4893) mqtt5_client: MQTT5 return code is {code}"),
            |e| e.title.contains(entry.name),
        );
        f.check(&format!("{packet} 0x{code:02X} ({code})"), |e| {
            e.title.contains(entry.name)
        });
        let e = explain(&format!("[tf1] mqtt.connack reason=0x{code:02X} session=0"));
        assert!(e.title.contains(entry.name), "{}", e.title);
    }
    for (code, entry) in mqtt::MQTT3_CONNACK.iter().filter(|(c, _)| *c > 0) {
        f.check(
            &format!("MQTT connection refused, reason code: {code}"),
            |e| e.title.contains(entry.name),
        );
    }
    for (key, entry) in mqtt::AWS_DISCONNECT_REASONS {
        f.check(
            &format!(
                "{{\"clientId\":\"thing-1\",\"eventType\":\"disconnected\",\"disconnectReason\":\"{key}\"}}"
            ),
            |e| e.title.contains(key) && !entry.fix.is_empty(),
        );
    }
    f.done(
        "PubSubClient states, MQTT reasons, AWS disconnect reasons",
        3 * mqtt::PUBSUB_STATES.len()
            + mqtt::MQTT5_REASONS.len()
            + mqtt::AWS_DISCONNECT_REASONS.len(),
    );
}

#[test]
fn bearssl_debug_lines_are_explained() {
    let mut f = Failures::default();
    for (key, _) in bearssl::BSSL_DEBUG_LINES {
        let want = first_key(bearssl::BSSL_DEBUG_LINES, key);
        f.check(key, |e| e.rule == want);
    }
    f.done("BearSSL debug lines", bearssl::BSSL_DEBUG_LINES.len());
}

#[test]
fn every_entry_has_name_cause_fix_and_where_it_applies() {
    use thingflash::monitor::tables::Entry;
    let mut all: Vec<&Entry> = Vec::new();
    all.extend(mbedtls::MBEDTLS_ERRORS.iter().map(|m| &m.entry));
    all.extend(mbedtls::X509_VERIFY_FLAGS.iter().map(|x| &x.2));
    all.extend(bearssl::BEARSSL_ERRORS.iter().map(|x| &x.1));
    all.extend(bearssl::TLS_ALERTS.iter().map(|x| &x.1));
    all.extend(bearssl::BSSL_DEBUG_LINES.iter().map(|x| &x.1));
    all.extend(esp8266::EXCEPTION_CAUSES.iter().map(|x| &x.1));
    all.extend(esp8266::ROM_RST_CAUSES.iter().map(|x| &x.1));
    all.extend(esp8266::RESET_REASONS.iter().map(|x| &x.2));
    all.extend(esp8266::BOOT_MODES.iter().map(|x| &x.1));
    all.extend(esp8266::CRASH_LINES.iter().map(|x| &x.1));
    all.extend(esp32::ROM_RESET_REASONS.iter().map(|x| &x.2));
    all.extend(esp32::BOOT_MODES.iter().map(|x| &x.1));
    all.extend(esp32::ESP_RESET_REASONS.iter().map(|x| &x.1));
    all.extend(esp32::PANIC_CAUSES.iter().map(|x| &x.1));
    all.extend(esp32::CRASH_LINES.iter().map(|x| &x.1));
    all.extend(esp32::ESP_ERRORS.iter().map(|x| &x.1));
    all.extend(net::WIFI_REASONS.iter().map(|x| &x.1));
    all.extend(net::LWIP_ERR.iter().map(|x| &x.1));
    all.extend(net::ERRNO.iter().map(|x| &x.1));
    all.extend(mqtt::PUBSUB_STATES.iter().map(|x| &x.1));
    all.extend(mqtt::MQTT3_CONNACK.iter().map(|x| &x.1));
    all.extend(mqtt::MQTT5_REASONS.iter().map(|x| &x.2));
    all.extend(mqtt::AWS_DISCONNECT_REASONS.iter().map(|x| &x.1));
    for e in &all {
        assert!(
            !e.name.is_empty() && !e.cause.is_empty() && !e.fix.is_empty() && !e.applies.is_empty(),
            "{e:?}"
        );
    }
    eprintln!(
        "{} table entries, each with cause, fix and where it applies",
        all.len()
    );
    // The classic failures read right.
    assert!(explain("getLastSSLError = 54").fix.contains("configTime"));
    assert!(
        explain("getLastSSLError = 62")
            .title
            .contains("BR_ERR_X509_NOT_TRUSTED")
    );
    assert!(
        explain("[tf1] mqtt.connack reason=0x87 session=0")
            .fix
            .contains("iot:Connect")
    );
}

/// How the row's library prints it, as far as the decoder reads it: its identifier in a
/// log line, its log line's fixed text, its message text, or its number in one of the
/// library's formats. `None`: the library prints nothing the decoder could tell it by.
fn as_its_library_prints(row: &transcribed::Row) -> Option<String> {
    let name = row.entry.name.trim();
    if transcribed::is_identifier(name) {
        return Some(if row.table == "aws-cloudwatch" {
            format!(r#"{{"logLevel": "ERROR", "eventType": "{name}", "status": "Failure"}}"#)
        } else {
            format!("E (5123) app: status = {name}")
        });
    }
    // The format the row's own printed text shows, else its table's first.
    let printed = transcribed::normalise(row.text);
    let formats = || transcribed::NUMBER_FORMATS.iter().filter(|f| f.names(row));
    if let Some(code) = row.code
        && let Some(f) = formats()
            .find(|f| printed.contains(f.before.trim_end()))
            .or_else(|| formats().next())
    {
        // MicroPython prints the errno's name after it: `[Errno 113] EHOSTUNREACH`.
        let line = if f.before.ends_with("[errno ") {
            format!("{}{code}] {name}", f.before)
        } else {
            format!("{}{code}", f.before)
        };
        return Some(if f.with.is_empty() || line.contains(f.with) {
            line
        } else {
            format!("{} {}", f.with, line)
        });
    }
    // A log line's text ends where its value was: give it one, as the library would.
    let value = |t: &str| {
        if t.ends_with("-0x") {
            "2700"
        } else if t.ends_with("0x") {
            "8008"
        } else if t.ends_with('=') {
            "104"
        } else {
            ""
        }
    };
    [name, row.text.trim()]
        .into_iter()
        .find(|t| {
            transcribed::TABLES
                .by_fragment(&transcribed::normalise(t))
                .is_some()
        })
        .map(|t| format!("1700000000: {t}{}", value(t)))
}

#[test]
fn every_transcribed_row_as_its_library_prints_it() {
    let tables = &*transcribed::TABLES;
    let mut f = Failures::default();
    let (mut checked, mut unreadable) = (0, Vec::new());
    for row in &tables.rows {
        let Some(line) = as_its_library_prints(row) else {
            if !row.informational {
                unreadable.push(format!("{}: {}", row.table, row.entry.name));
            }
            continue;
        };
        if row.informational {
            // A success or a state is shown, never explained as a problem.
            let d = Decoder::new().decode(&line);
            assert!(
                d.explanation
                    .as_ref()
                    .is_none_or(|e| e.cause != row.entry.cause),
                "{line:?} is a success ({}: {}) but was explained",
                row.table,
                row.entry.name
            );
            continue;
        }
        checked += 1;
        // Another table's row for the same line (esp-mqtt and esp-tls-idf both list
        // esp-tls's lines), or a family rule written for it, explains it as well.
        let fragment = !transcribed::is_identifier(row.entry.name.trim()) && row.code.is_none();
        f.check(&line, |e| {
            e.rule == row.table
                || e.title.contains(row.entry.name)
                || e.cause == row.entry.cause
                || tables
                    .rows
                    .iter()
                    .any(|r| r.entry.name == row.entry.name && r.entry.cause == e.cause)
                || fragment && !e.rule.is_empty()
        });
    }
    eprintln!(
        "transcribed rows no line can name ({}): {}",
        unreadable.len(),
        unreadable.join("; ")
    );
    f.done("transcribed tables", checked);
}

/// thingflash's firmware names a disconnect reason itself (`firmware/device/src/wifi.rs`,
/// from esp-radio's numbers): each of its names must be the one this table gives the
/// number, and the board's `wifi.failed` line must be explained as that reason.
#[test]
fn every_wifi_reason_the_included_firmware_names_agrees_with_the_table() {
    let src = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../firmware/device/src/wifi.rs"),
    )
    .unwrap();
    let pairs: Vec<(u16, &str)> = src
        .lines()
        .filter_map(|l| {
            // `(201, "WIFI_REASON_NO_AP_FOUND")`, on the arm's line or the next.
            let (left, right) = l.split_once(", \"")?;
            let n = left.rsplit('(').next()?.parse().ok()?;
            Some((n, right.split('"').next()?))
        })
        .filter(|(n, _)| *n != 0)
        .collect();
    assert!(
        pairs.len() >= 50,
        "read {} reasons from wifi.rs",
        pairs.len()
    );
    let mut f = Failures::default();
    for (n, name) in &pairs {
        let known = net::WIFI_REASONS
            .iter()
            .any(|(x, e)| x == n && e.name == *name);
        let short = name.trim_start_matches("WIFI_REASON_");
        f.check(
            &format!("[tf1] wifi.failed reason={n} detail={name}"),
            |e| known && e.title.contains(short),
        );
    }
    f.done("the included firmware's WiFi reasons", pairs.len());
}
