//! Recognisers for what other firmware prints, line by line, each backed by a table in
//! [`super::tables`]: ESP32-family ROM banners and panics, ESP8266 ROM banners and
//! exceptions, crash and boot lines of both, mbedTLS codes as Arduino's `ssl_client`
//! and ESP-IDF print them (hex or decimal, signed or not), BearSSL numbers and texts,
//! PubSubClient states however a sketch prints them, MQTT 5 reason codes, AWS IoT
//! lifecycle disconnect reasons, socket errnos, WiFi reasons and `esp_err_t` names.
//!
//! Lines are first [`clean`]ed of what pasting adds (ANSI colours, `> ` quotes, code
//! fences, line numbers, terminal timestamps). Each recogniser is cheap to reject: a
//! byte or word test comes before any table is searched, so the decoder keeps its
//! throughput with the full tables loaded.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::Anchored;
use aho_corasick::automaton::Automaton as _;
use aho_corasick::dfa::DFA;

use super::explanation::{Explanation, Level, Source};
use super::tables::{
    Entry, MbedtlsError, Versions, bearssl, e, esp32, esp8266, mbedtls, mqtt, net, transcribed,
};

pub(crate) use super::text::{find, has, number_at};

/// What a recogniser found.
pub(super) struct Found {
    pub level: Level,
    pub source: Source,
    pub explanation: Explanation,
}

fn found(level: Level, source: Source, explanation: Explanation) -> Option<Found> {
    Some(Found {
        level,
        source,
        explanation,
    })
}

/// The line without what pasting or a terminal added: ANSI colour codes, markdown
/// quote marks (`> `), a code fence, a leading line number (`12: `, `12 | `), and a
/// terminal's timestamp (`12:34:56.789 -> `, `[2026-12-01 10:00:00] `).
pub fn clean(line: &str) -> Cow<'_, str> {
    let b = line.as_bytes();
    let has_ansi = memchr::memchr(0x1B, b).is_some();
    let first = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .map(|i| b[i]);
    let decorated = matches!(first, Some(b'>' | b'`' | b'[' | b'0'..=b'9' | b'|'));
    if !has_ansi && !decorated {
        return Cow::Borrowed(line);
    }
    let s: Cow<'_, str> = if has_ansi {
        Cow::Owned(strip_ansi(line))
    } else {
        Cow::Borrowed(line)
    };
    // A fence line alone (```, ```text) carries nothing; a one-line fence
    // (```E (5210) esp-tls: ...```) carries the line inside it.
    if let Some(inner) = s.trim().strip_prefix("```") {
        let inner = inner.strip_suffix("```").unwrap_or(inner).trim();
        let language_tag = !inner.contains(' ')
            && inner
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+#-_".contains(c));
        if inner.is_empty() || language_tag {
            return Cow::Borrowed("");
        }
        return Cow::Owned(clean(inner).into_owned());
    }
    let start = s.trim_start();
    let mut t = start;
    loop {
        let before = t.len();
        // `> ` quote marks, possibly nested (`> > `, `>> `); `>>>stack>>>` is not one.
        let marks = t.bytes().take_while(|b| *b == b'>' || *b == b' ').count();
        if marks > 0 && t.as_bytes()[..marks].windows(2).any(|w| w == b"> ") {
            t = &t[marks..];
        } else if t == ">" {
            t = "";
        }
        t = strip_line_number(t);
        t = strip_timestamp(t);
        if t.len() == before {
            break;
        }
    }
    if t.len() == start.len() {
        return s;
    }
    Cow::Owned(t.to_string())
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                // Parameters and intermediates, then one final byte in @..~.
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// `12: `, `12 | `, `12\t` at the start (at most 5 digits: an 8-digit hex address
/// followed by a colon is a stack dump, not a line number).
fn strip_line_number(t: &str) -> &str {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 5 {
        return t;
    }
    let rest = &t[digits..];
    for sep in [": ", " | ", "| ", "\t", ". "] {
        if let Some(r) = rest.strip_prefix(sep) {
            return r.trim_start();
        }
    }
    t
}

/// A terminal's timestamp: `HH:MM:SS[.mmm] -> ` (Arduino IDE), `HH:MM:SS[.mmm] > `,
/// or a bracketed date and/or time.
fn strip_timestamp(t: &str) -> &str {
    fn time_len(s: &str) -> usize {
        let b = s.as_bytes();
        let ok = b.len() >= 8
            && b[0].is_ascii_digit()
            && b[1].is_ascii_digit()
            && b[2] == b':'
            && b[3].is_ascii_digit()
            && b[4].is_ascii_digit()
            && b[5] == b':'
            && b[6].is_ascii_digit()
            && b[7].is_ascii_digit();
        if !ok {
            return 0;
        }
        let mut n = 8;
        if b.get(8) == Some(&b'.') || b.get(8) == Some(&b',') {
            n += 1 + b[9..].iter().take_while(|c| c.is_ascii_digit()).count();
        }
        n
    }
    fn date_len(s: &str) -> usize {
        let b = s.as_bytes();
        let ok = b.len() >= 10
            && b[..4].iter().all(u8::is_ascii_digit)
            && b[4] == b'-'
            && b[5..7].iter().all(u8::is_ascii_digit)
            && b[7] == b'-'
            && b[8..10].iter().all(u8::is_ascii_digit);
        if ok { 10 } else { 0 }
    }
    fn stamp_len(s: &str) -> usize {
        let d = date_len(s);
        if d > 0 {
            let after = &s[d..];
            let sep = after.starts_with(' ') || after.starts_with('T');
            let t = if sep { time_len(&after[1..]) } else { 0 };
            return if t > 0 { d + 1 + t } else { d };
        }
        time_len(s)
    }
    if let Some(inner) = t.strip_prefix('[') {
        let n = stamp_len(inner);
        if n > 0
            && let Some(r) = inner[n..].strip_prefix(']')
        {
            return r.trim_start();
        }
        return t;
    }
    let n = stamp_len(t);
    if n == 0 {
        return t;
    }
    let r = t[n..].trim_start();
    for arrow in ["-> ", "->", "> ", "| "] {
        if let Some(r) = r.strip_prefix(arrow) {
            return r;
        }
    }
    // A bare time then text only when the text follows a space.
    if t[n..].starts_with(' ') { r } else { t }
}

/// The milliseconds-since-boot a log prefix carries: Arduino's `[  1234][E]` or
/// ESP-IDF's `E (1234) tag:`. Used to give a repeating pattern its period.
pub fn timestamp_ms(t: &str) -> Option<u64> {
    let b = t.as_bytes();
    if b.first() == Some(&b'[') {
        let close = t.find(']')?;
        let inner = t[1..close].trim();
        if !inner.is_empty()
            && inner.bytes().all(|c| c.is_ascii_digit())
            && t[close..].starts_with("][")
        {
            return inner.parse().ok();
        }
    }
    if b.len() > 4
        && matches!(b[0], b'E' | b'W' | b'I' | b'D' | b'V')
        && b[1] == b' '
        && b[2] == b'('
    {
        let close = t.find(')')?;
        return t[3..close].parse().ok();
    }
    None
}

/// The number after `marker` (case-sensitive).
pub(super) fn number_after(line: &str, marker: &str) -> Option<i64> {
    number_at(&line[find(line, marker)? + marker.len()..])
}

fn entry_expl(
    rule: &'static str,
    title: impl Into<Cow<'static, str>>,
    entry: &'static Entry,
) -> Explanation {
    Explanation::entry(rule, title, entry)
}

// ---------------------------------------------------------------------------------
// mbedTLS

fn mbedtls_parts(part: u16) -> impl Iterator<Item = &'static MbedtlsError> {
    mbedtls::MBEDTLS_ERRORS
        .iter()
        .filter(move |m| m.code == part)
}

/// The entry for one part: the 3.x meaning first, with the 2.x one when it differs.
fn mbedtls_part(part: u16) -> Option<(&'static MbedtlsError, Option<&'static MbedtlsError>)> {
    let mut v3 = None;
    let mut v2 = None;
    for m in mbedtls_parts(part) {
        match m.versions {
            Versions::Both => return Some((m, None)),
            Versions::V3 => v3 = Some(m),
            Versions::V2 => v2 = Some(m),
        }
    }
    match (v3, v2) {
        (Some(a), b) => Some((a, b)),
        (None, Some(b)) => Some((b, None)),
        (None, None) => None,
    }
}

/// Explain an mbedTLS error code (2.x or 3.x; negative as the C code returns it,
/// positive as some logs print it), split into its high- and low-level parts as
/// `mbedtls_strerror` does.
pub fn mbedtls(code: i64) -> Explanation {
    let n = code.unsigned_abs();
    let shown = format!("-0x{n:04X} ({})", -(n as i64));
    if n == 0 || n > 0xFFFF {
        return Explanation::new(
            format!("TLS error {shown}"),
            "not an mbedTLS error code (they lie between -0x0001 and -0xFFFF)",
            "read the lines around it",
        )
        .with_rule("mbedtls-code");
    }
    let (high, low) = ((n & 0xFF80) as u16, (n & 0x7F) as u16);
    let hp = (high != 0).then(|| mbedtls_part(high)).flatten();
    let lp = (low != 0).then(|| mbedtls_part(low)).flatten();
    let describe = |(m, other): (&'static MbedtlsError, Option<&'static MbedtlsError>)| {
        let mut cause = m.entry.cause.to_string();
        if let Some(o) = other {
            cause.push_str(&format!(
                " (on mbedTLS 2.x, e.g. ESP-IDF 4 or Arduino ESP32 core 1/2, this number is {}: {})",
                o.entry.name, o.entry.cause
            ));
        }
        cause
    };
    let e = match (hp, lp) {
        (Some(h), Some(l)) => Explanation::new(
            format!("TLS error {shown}: {} + {}", h.0.entry.name, l.0.entry.name),
            format!(
                "{} — {}; underneath: {}",
                h.0.text,
                describe(h),
                describe(l)
            ),
            h.0.entry.fix,
        )
        .with_applies(h.0.entry.applies),
        (Some(m), None) | (None, Some(m)) => Explanation::new(
            format!("TLS error {shown}: {}", m.0.entry.name),
            format!("{} — {}", m.0.text, describe(m)),
            m.0.entry.fix,
        )
        .with_applies(m.0.entry.applies),
        (None, None) => Explanation::new(
            format!("TLS error {shown}"),
            "a number mbedTLS 2.28 and 3.6 do not define: probably not an mbedTLS code",
            "read the lines around it; the library that printed it may use its own codes",
        ),
    };
    e.with_rule("mbedtls-code")
}

/// Every X.509 verify flag set in `flags`, as (name, text, entry).
pub fn verify_flags(flags: u32) -> Vec<&'static (u32, &'static str, Entry)> {
    mbedtls::X509_VERIFY_FLAGS
        .iter()
        .filter(|(bit, _, _)| flags & bit != 0)
        .collect()
}

/// mbedTLS codes as other firmware prints them.
fn mbedtls_line(t: &str) -> Option<Found> {
    // Arduino ESP32 `ssl_client.cpp`: `_handle_error(): [start_ssl_client():273]: (-9984) X509 - ...`
    // or, without MBEDTLS_ERROR_C, `]: code -9984`.
    if has(t, "_handle_error") {
        let code = find(t, "]: (")
            .and_then(|i| number_at(&t[i + 4..]))
            .or_else(|| number_after(t, "]: code "))?;
        return found(
            Level::Error,
            Source::Arduino,
            mbedtls(code).with_rule("arduino-ssl-client"),
        );
    }
    // mbedtls-rs: `MbedtlsError(-9984 / 0x2700)`.
    if let Some(code) = number_after(t, "MbedtlsError(") {
        return found(Level::Error, Source::EspIdf, mbedtls(code));
    }
    // ESP-IDF esp-tls and most C code: `mbedtls_ssl_handshake returned -0x2700`.
    if has(t, "mbedtls") && has(t, "returned") {
        let code = number_after(t, "returned")?;
        return found(Level::Error, Source::EspIdf, mbedtls(code));
    }
    // Mongoose OS (`mg_ssl_if_mbed_err 0x3ffcb998 SSL error: -9984`) and other ports of
    // mbedTLS that print the code in decimal after "SSL error".
    if has(t, "mbed_err") || has(t, "mbedtls_err") {
        let code = number_after(t, "SSL error: ").or_else(|| number_after(t, "error: "))?;
        return found(Level::Error, Source::EspIdf, mbedtls(code));
    }
    // `X509 - Certificate verification failed ...` texts with a code in parentheses:
    // `(-0x2700)` or `(-9984)`, as several libraries print mbedtls_strerror.
    if let Some(i) = find(t, "(-") {
        let code = number_at(&t[i + 1..])?;
        let part_text = has(&t[i..], " - ");
        if part_text && (0x80..=0xFFFF).contains(&code.unsigned_abs()) {
            return found(Level::Error, Source::EspIdf, mbedtls(code));
        }
    }
    None
}

/// ESP-IDF's `mbedtls_x509_crt_verify_info` lines: `! The certificate validity has expired`.
fn verify_info_line(t: &str) -> Option<Found> {
    let i = find(t, "! ")?;
    let text = t[i + 2..].trim();
    let (bit, _, entry) = mbedtls::X509_VERIFY_FLAGS
        .iter()
        .find(|(_, txt, _)| !txt.is_empty() && text.starts_with(txt))?;
    found(
        Level::Error,
        Source::EspIdf,
        entry_expl(
            "x509-verify-info",
            format!("certificate check: {} (flag 0x{bit:X})", entry.name),
            entry,
        ),
    )
}

// ---------------------------------------------------------------------------------
// ROM banners and panics

/// ESP32-family ROM: `rst:0x10 (RTCWDT_RTC_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)`.
/// The reset number of an ESP32-family ROM's `rst:0x8 (TG1WDT_SYS_RST),boot:0xc ...` line.
pub(super) fn rom_reset_number(t: &str) -> Option<u8> {
    let rest = t.strip_prefix("rst:0x")?;
    u8::from_str_radix(rest[..rest.find([' ', '('])?].trim(), 16).ok()
}

pub(super) fn esp32_rom_reset(t: &str) -> Option<Found> {
    let rest = t.strip_prefix("rst:0x")?;
    let open = rest.find('(')? + 1;
    let close = open + rest[open..].find(')')?;
    let name = &rest[open..close];
    let number = rom_reset_number(t);
    let boot = rest[close..].find("boot:").and_then(|b| {
        let after = &rest[close + b..];
        let o = after.find('(')? + 1;
        let c = after.rfind(')')?;
        (o <= c).then(|| &after[o..c])
    });
    if boot.is_some_and(|b| b.starts_with("DOWNLOAD")) {
        return found(
            Level::Warn,
            Source::Rom,
            Explanation::new(
                "the chip is in download mode",
                "it booted into the ROM loader because the BOOT strapping pin (GPIO0 on ESP32/S2/S3, GPIO9 on C2/C3/C6/H2) was low at reset: BOOT held, something wired to that pin (a relay, a sensor, a pull-down) holding it low, or a flashing tool asked for it, so the firmware does not run",
                "press RESET without holding BOOT (thingflash resets the board after flashing); if it keeps coming back, free the BOOT pin: it must be high (its pull-up) at reset, so move what is wired to it to another pin",
            )
            .with_rule("esp32-rom-download-mode"),
        );
    }
    let entry = esp32::ROM_RESET_REASONS
        .iter()
        .find(|(_, n, e)| e.name == name && number.is_none_or(|x| x == *n))
        .or_else(|| {
            esp32::ROM_RESET_REASONS
                .iter()
                .find(|(_, _, e)| e.name == name)
        })
        .or_else(|| {
            // Spelled with the underscores elsewhere (BROWN_OUT_RST for BROWNOUT_RST).
            let bare = |s: &'static str| s.bytes().filter(|c| *c != b'_');
            let name_bare = || name.bytes().filter(|c| *c != b'_');
            esp32::ROM_RESET_REASONS
                .iter()
                .find(|(_, _, e)| bare(e.name).eq(name_bare()))
        })
        .map(|(_, _, e)| e);
    let mut expl = match entry {
        Some(e) => entry_expl("esp32-rom-reset", format!("reset: {name}"), e),
        None => Explanation::new(
            format!("reset: {name}"),
            "the chip was reset",
            "read the lines before the reset",
        )
        .with_rule("esp32-rom-reset"),
    };
    if let Some(b) = boot
        && let Some((_, m)) = esp32::BOOT_MODES.iter().find(|(k, _)| *k == b)
        && b != "SPI_FAST_FLASH_BOOT"
    {
        expl.cause = format!("{}; boot mode {b}: {}", expl.cause, m.cause).into();
    }
    let calm = matches!(
        name,
        "POWERON_RESET"
            | "POWERON"
            | "CHIP_POWER_ON"
            | "USB_UART_CHIP_RESET"
            | "USB_JTAG_CHIP_RESET"
            | "USB_UART_CORE_RST"
            | "USB_UART_HPSYS"
            | "CHIP_USB_UART_RESET"
            | "CHIP_USB_JTAG_RESET"
            | "DEEPSLEEP_RESET"
            | "DSLEEP"
            | "SLEEP_WAKEUP"
            | "RTC_SW_SYS_RST"
            | "SW_RESET"
            | "SW_SYS_RESET"
    ) || has(name, "USB");
    found(
        if calm { Level::Info } else { Level::Warn },
        Source::Rom,
        expl,
    )
}

/// ESP8266 ROM: `ets Jan  8 2013,rst cause:2, boot mode:(3,6)`.
fn esp8266_rom(t: &str) -> Option<Found> {
    let cause = number_after(t, "rst cause:")?;
    let cause = u8::try_from(cause).ok()?;
    let mode = t
        .find("boot mode:(")
        .and_then(|i| number_at(&t[i + 11..]))
        .and_then(|m| u8::try_from(m).ok());
    let (_, rst) = esp8266::ROM_RST_CAUSES.iter().find(|(n, _)| *n == cause)?;
    let mut expl = entry_expl(
        "esp8266-rom-reset",
        format!("ESP8266 reset: {} (rst cause {cause})", rst.name),
        rst,
    );
    let mut level = if matches!(cause, 1 | 2) {
        Level::Info
    } else {
        Level::Warn
    };
    if let Some(m) = mode
        && m != 3
        && let Some((_, bm)) = esp8266::BOOT_MODES.iter().find(|(n, _)| *n == m)
    {
        expl.title = format!("{}; boot mode {m}: {}", expl.title, bm.name).into();
        expl.cause = format!("{}; {}", expl.cause, bm.cause).into();
        expl.fix = bm.fix.into();
        level = level.max(Level::Warn);
    }
    found(level, Source::Rom, expl)
}

/// ESP8266 `Exception (28):` and the SDK's `Fatal exception 28(LoadProhibitedCause):`.
fn esp8266_exception(t: &str) -> Option<Found> {
    let n = if let Some(r) = t.strip_prefix("Exception (") {
        number_at(r)?
    } else {
        number_after(t, "Fatal exception ")?
    };
    let (_, entry) = esp8266::EXCEPTION_CAUSES
        .iter()
        .find(|(c, _)| i64::from(*c) == n)?;
    found(
        Level::Error,
        Source::Panic,
        entry_expl(
            "esp8266-exception",
            format!("ESP8266 crash: exception {n} ({})", entry.name),
            entry,
        ),
    )
}

/// The cause inside `Guru Meditation Error: Core  0 panic'ed (LoadProhibited)`.
pub(super) fn panic_cause(t: &str) -> Option<Explanation> {
    let i = find(t, "panic'ed (")? + 10;
    let rest = &t[i..];
    let (_, entry) = esp32::PANIC_CAUSES
        .iter()
        .find(|(k, _)| rest.starts_with(k) && rest[k.len()..].starts_with(')'))?;
    Some(entry_expl(
        "esp32-panic",
        format!("the firmware crashed: {}", entry.name),
        entry,
    ))
}

/// `EXCVADDR: 0x00000000` (Xtensa), `MTVAL   : 0x00000000` (RISC-V), or the ESP8266's
/// `excvaddr=0x00000000`: an address near zero is a null pointer.
fn null_pointer(t: &str) -> Option<Found> {
    let addr = ["EXCVADDR:", "MTVAL", "excvaddr="].iter().find_map(|k| {
        let i = find(t, k)? + k.len();
        let rest = t[i..].trim_start().trim_start_matches(':').trim_start();
        number_at(rest)
    })?;
    if !(0..0x1000).contains(&addr) {
        return None;
    }
    found(
        Level::Error,
        Source::Panic,
        Explanation::new(
            format!("the faulting address is 0x{addr:08X}: a null pointer"),
            "the code read or wrote through a pointer that was 0 (or a field of a struct at address 0): an object that was never created, a failed allocation that was not checked, or a lookup that returned nothing",
            "decode the backtrace to find the line, then check what that pointer should have pointed to",
        )
        .with_rule("null-pointer"),
    )
}

// ---------------------------------------------------------------------------------
// Literal lines (crash, boot and debug lines of both families, the classic sketch)

const SKETCH: &str = "Arduino sketches that read their credentials from SPIFFS or LittleFS (the classic AWS IoT guide)";
const UPLOAD_FIX: &str = "write the files with thingflash (your own firmware: Arduino sketch target), or upload the data folder; check that the names in the sketch match (/cert.der, /private.der, /ca.der)";

/// Lines the classic guide's sketch and the Arduino WiFi clients print.
const SKETCH_LINES: &[(&str, Entry)] = &[
    (
        "Failed to mount file system",
        e(
            "sketch-fs-mount-failed",
            SKETCH,
            "the sketch found no file system it can mount in the flash: nothing was ever uploaded, or it is the other kind (SPIFFS vs LittleFS)",
            "write the credentials with thingflash, choosing the file system the sketch mounts; never let the sketch format it if other files matter",
        ),
    ),
    (
        "Failed to open cert",
        e(
            "sketch-file-missing",
            SKETCH,
            "the certificate file is not in the file system: the files were never uploaded, or under another name",
            UPLOAD_FIX,
        ),
    ),
    (
        "Failed to open private",
        e(
            "sketch-file-missing",
            SKETCH,
            "the private key file is not in the file system: the files were never uploaded, or under another name",
            UPLOAD_FIX,
        ),
    ),
    (
        "Failed to open ca",
        e(
            "sketch-file-missing",
            SKETCH,
            "the root CA file is not in the file system: the files were never uploaded, or under another name",
            UPLOAD_FIX,
        ),
    ),
    (
        "cert not loaded",
        e(
            "sketch-file-unusable",
            SKETCH,
            "BearSSL could not load the certificate file: it is missing, empty, or not DER/PEM",
            UPLOAD_FIX,
        ),
    ),
    (
        "private key not loaded",
        e(
            "sketch-file-unusable",
            SKETCH,
            "BearSSL could not load the private key file: it is missing, empty, or not DER/PEM",
            UPLOAD_FIX,
        ),
    ),
    (
        "ca failed",
        e(
            "sketch-file-unusable",
            SKETCH,
            "BearSSL could not load the root CA file: it is missing, empty, or not DER/PEM",
            UPLOAD_FIX,
        ),
    ),
    (
        "DNS Failed for",
        e(
            "dns-failed",
            "Arduino ESP32 (WiFiGeneric hostByName)",
            "the endpoint's name did not resolve",
            "check the endpoint spelling (copy it from the AWS IoT console, Settings), and that the WiFi network has DNS",
        ),
    ),
];

struct Literal {
    entry: &'static Entry,
    source: Source,
    level: Level,
    /// The title, cut from the cause once when the tables load.
    title: &'static str,
}

/// The words that make a recogniser worth trying. One automaton finds all of them, and
/// every literal line, in a single pass over the line: most lines are ordinary chatter,
/// and testing each recogniser's words one by one cost more than the rest of the decoder.
pub(super) mod words {
    pub const RST_CAUSE: u64 = 1 << 0;
    pub const FATAL: u64 = 1 << 1;
    pub const ESP_ERR: u64 = 1 << 2;
    pub const MBEDTLS: u64 = 1 << 3;
    pub const BANG: u64 = 1 << 4;
    pub const START_SSL: u64 = 1 << 5;
    pub const DISCONNECT_REASON: u64 = 1 << 6;
    pub const SSL: u64 = 1 << 7;
    pub const STATE: u64 = 1 << 8;
    pub const MQTT: u64 = 1 << 9;
    pub const PACKET: u64 = 1 << 10;
    pub const ERRNO: u64 = 1 << 11;
    pub const REASON: u64 = 1 << 12;
    pub const RESET_REASON: u64 = 1 << 13;
    pub const ERR: u64 = 1 << 14;
    pub const FAULT_ADDR: u64 = 1 << 15;
    // For the decoder's own rules (see `decode`).
    pub const EVENT: u64 = 1 << 16;
    pub const TLS: u64 = 1 << 17;
    pub const ALERT: u64 = 1 << 18;
    pub const AWS_HOST: u64 = 1 << 19;
    pub const QUOTE: u64 = 1 << 20;
    pub const ALERT_NUMBER: u64 = 1 << 21;
    pub const OTHER_HOST: u64 = 1 << 22;
    pub const FAIL: u64 = 1 << 23;
    pub const NET_UP: u64 = 1 << 24;
    /// One of [`TRIGGERS`]: the line may hold a transcribed log line or message.
    pub const TRIGGER: u64 = 1 << 26;
    pub const IDENT: u64 = 1 << 27;
    pub const TLS_PORT: u64 = 1 << 28;

    /// Stems that every transcribed fragment holds at least one of, in lower or upper
    /// case (a test checks it): a line with none cannot hold one, and most log lines
    /// (ordinary chatter) are then spared the fragment search.
    pub const TRIGGERS: &[&str] = &[
        "rror",
        "RROR",
        "ail",
        "AIL",
        "nvalid",
        "NVALID",
        "ot ",
        "OT ",
        "isconnect",
        "ISCONNECT",
        "uthori",
        "UTHORI",
        "lose",
        "LOSE",
        "efuse",
        "EFUSE",
        "enied",
        "ENIED",
        "imeout",
        "IMEOUT",
        "imed out",
        "IMED OUT",
        "ost",
        "OST",
        "nknown",
        "NKNOWN",
        "ismatch",
        "ISMATCH",
        "xceed",
        "XCEED",
        "xpire",
        "XPIRE",
        "orrupt",
        "ORRUPT",
        "verflow",
        "VERFLOW",
        "ull",
        "ULL",
        "bort",
        "BORT",
        "issing",
        "ISSING",
        "annot",
        "ANNOT",
        "an't",
        "AN'T",
        "ouldn",
        "OULDN",
        "nable",
        "NABLE",
        "ad ",
        "AD ",
        "rong",
        "RONG",
        "ssl",
        "SSL",
        "tls",
        "TLS",
        "mqtt",
        "MQTT",
        "Mqtt",
        "onnect",
        "ONNECT",
        "eject",
        "EJECT",
        "llegal",
        "LLEGAL",
        "nsupported",
        "NSUPPORTED",
        "o more",
        "O MORE",
        "esources",
        "ESOURCES",
        "emory",
        "EMORY",
        "ubscri",
        "UBSCRI",
        "ublish",
        "UBLISH",
        "no ",
        "No ",
        "ropped",
        "ROPPED",
        "ncorrect",
        "NCORRECT",
        "nexpected",
        "NEXPECTED",
        "lready",
        "LREADY",
        "ounting",
        "OUNTING",
        "hecking",
        "HECKING",
        "ocal only",
        "OCAL ONLY",
        "remature",
        "REMATURE",
        "o low",
        "O LOW",
        "asn't set",
        "ASN'T SET",
        "ttp code",
        "HTTP CODE",
        "HTTP Code",
        "-> init",
        "-> INIT",
        "equired to",
        "EQUIRED TO",
        "oo long",
        "OO LONG",
        "topped",
        "TOPPED",
        "verlap",
        "VERLAP",
        "lash anyway",
        "LASH ANYWAY",
        "erial port",
        "ERIAL PORT",
        "etsockopt",
        "ETSOCKOPT",
        "ocket config",
        "OCKET CONFIG",
        "oo many",
        "OO MANY",
        "naligned",
        "NALIGNED",
        "ignature",
        "IGNATURE",
        "equires",
        "EQUIRES",
        "evision",
        "EVISION",
        "ated for",
        "ATED FOR",
        "eset by",
        "ESET BY",
        "wdt",
        "WDT",
        "ingle core",
        "INGLE CORE",
        "esp_ok",
        "ESP_OK",
        "maller than",
        "MALLER THAN",
        "ut found",
        "UT FOUND",
        "rownout",
        "ROWNOUT",
        "etry",
        "ETRY",
        "nacceptable",
        "NACCEPTABLE",
        "uthentica",
        "UTHENTICA",
        "ut of range",
        "UT OF RANGE",
        "ust be",
        "UST BE",
        "oo large",
        "OO LARGE",
        ", rc",
        ", RC",
        "NO ",
        "alformed",
        "ALFORMED",
        "iolation",
        "IOLATION",
        "lert",
        "LERT",
        "atch",
        "ATCH",
        "eof",
        "EOF",
        "nsufficient",
        "NSUFFICIENT",
        "rotect",
        "ROTECT",
        "ormat",
        "ORMAT",
        "artition",
        "ARTITION",
        "eturnCode",
        "eturncode",
        "ETURNCODE",
        "nstance",
        "NSTANCE",
        "olume",
        "OLUME",
        "umber of",
        "UMBER OF",
        "writ",
        "WRIT",
    ];
    pub const TIME_SET: u64 = 1 << 25;
    /// Every line.
    pub const ALWAYS: u64 = u64::MAX;

    /// Each word and the recogniser bit it sets.
    pub const ALL: &[(&str, u64)] = &[
        ("rst cause:", RST_CAUSE),
        ("Fatal exception ", FATAL),
        ("Exception (", FATAL),
        ("ESP_ERR", ESP_ERR),
        ("esp_err_t", ESP_ERR),
        ("_handle_error", MBEDTLS),
        ("mbed_err", MBEDTLS),
        ("MbedtlsError(", MBEDTLS),
        ("mbedtls", MBEDTLS),
        ("(-", MBEDTLS),
        ("! ", BANG),
        ("start_ssl_client", START_SSL),
        ("disconnectReason", DISCONNECT_REASON),
        ("SSL", SSL),
        ("ssl", SSL),
        ("rc", STATE),
        ("state", STATE),
        ("(error ", STATE),
        ("mqtt", MQTT),
        ("MQTT", MQTT),
        ("Mqtt", MQTT),
        ("CONNACK", PACKET),
        ("SUBACK", PACKET),
        ("PUBACK", PACKET),
        ("PUBREC", PACKET),
        ("PUBREL", PACKET),
        ("PUBCOMP", PACKET),
        ("DISCONNECT", PACKET),
        ("AUTH", PACKET),
        ("errno", ERRNO),
        ("rror: ", ERRNO),
        ("rror ", ERRNO),
        ("eason", REASON),
        ("ESP_RST_", RESET_REASON),
        ("eset reason", RESET_REASON),
        ("err", ERR),
        ("getaddrinfo", ERR),
        ("EXCVADDR", FAULT_ADDR),
        ("MTVAL", FAULT_ADDR),
        ("excvaddr", FAULT_ADDR),
        ("[tf", EVENT),
        ("tls", TLS),
        ("fatal alert - ", ALERT),
        (".amazonaws.com", AWS_HOST),
        ("alert - (unknown ", ALERT_NUMBER),
        ("8883", TLS_PORT),
        ("_", IDENT),
        ("eventType", IDENT),
        ("status", IDENT),
        ("Status", IDENT),
        ("IP address", NET_UP),
        ("IP Address", NET_UP),
        ("got ip", NET_UP),
        ("sta ip", NET_UP),
        ("STA IP", NET_UP),
        ("time set", TIME_SET),
        ("Time set", TIME_SET),
        ("SNTP synchron", TIME_SET),
        ("time synchron", TIME_SET),
        ("fail", FAIL),
        ("Fail", FAIL),
        ("FAIL", FAIL),
        ("ould not connect", FAIL),
        ("ouldn't connect", FAIL),
        ("nable to connect", FAIL),
        // Other brokers than AWS IoT (see `context::Broker::of_line`, which decides).
        ("osquitto", OTHER_HOST),
        ("hivemq", OTHER_HOST),
        ("HiveMQ", OTHER_HOST),
        ("emqx", OTHER_HOST),
        ("adafruit.com", OTHER_HOST),
        ("googleapis.com", OTHER_HOST),
        ("azure-devices.net", OTHER_HOST),
        ("thingspeak", OTHER_HOST),
        ("cloudmqtt", OTHER_HOST),
        ("eclipse", OTHER_HOST),
        ("flespi", OTHER_HOST),
        ("shiftr.io", OTHER_HOST),
        ("beebotte", OTHER_HOST),
        ("localhost", OTHER_HOST),
        ("127.0.0.1", OTHER_HOST),
        ("192.168.", OTHER_HOST),
        ("1883", OTHER_HOST),
        ("'", QUOTE),
        ("\"", QUOTE),
        ("\u{2018}", QUOTE),
        ("\u{201C}", QUOTE),
    ];
}

struct Scanner {
    /// The automaton, compiled into [`Table`] for [`scan`]'s own loop.
    table: Table,
    /// The literal lines, in table order: pattern `i < literals.len()` is literal `i`.
    literals: Vec<Literal>,
}

/// The scanner's automaton as a compact table: aho-corasick's DFA (standard semantics, so
/// every pattern ending at a byte is reported), its states renumbered densely and its
/// bytes grouped into classes that no state tells apart, so that the table stays small
/// enough for the CPU's caches. Each entry is the next state's row offset, shifted left
/// once, with the low bit set when patterns end there; `found` says which.
struct Table {
    classes: [u8; 256],
    stride: usize,
    next: Vec<u32>,
    /// Per state: the first literal ending there (`u32::MAX`: none) and the word bits.
    found: Vec<(u32, u64)>,
    start: u32,
}

impl Table {
    fn compile(dfa: &DFA, literals: usize) -> Option<Self> {
        use std::collections::HashMap;
        let start = dfa.start_state(Anchored::No).ok()?;
        let mut index: HashMap<usize, usize> = HashMap::from([(start.as_usize(), 0)]);
        let mut states = vec![start];
        let mut rows: Vec<Vec<u32>> = Vec::new();
        while let Some(&sid) = states.get(rows.len()) {
            let mut row = Vec::with_capacity(256);
            for b in 0..=255u8 {
                let next = dfa.next_state(Anchored::No, sid, b);
                let n = states.len();
                let i = *index.entry(next.as_usize()).or_insert(n);
                if i == n {
                    states.push(next);
                }
                row.push(u32::try_from(i).ok()?);
            }
            rows.push(row);
        }
        // Bytes whose column is the same in every state are one class.
        let mut classes = [0u8; 256];
        let mut columns: HashMap<Vec<u32>, u8> = HashMap::new();
        let mut representative = Vec::new();
        for b in 0..256usize {
            let column: Vec<u32> = rows.iter().map(|r| r[b]).collect();
            let n = columns.len();
            let class = *columns.entry(column).or_insert(u8::try_from(n).ok()?);
            if usize::from(class) == n {
                representative.push(b);
            }
            classes[b] = class;
        }
        let stride = representative.len();
        let found: Vec<(u32, u64)> = states
            .iter()
            .map(|&sid| {
                let mut out = (u32::MAX, 0u64);
                if dfa.is_match(sid) {
                    for k in 0..dfa.match_len(sid) {
                        let i = dfa.match_pattern(sid, k).as_usize();
                        if i < literals {
                            out.0 = out.0.min(i as u32);
                        } else if let Some((_, bit)) = words::ALL.get(i - literals) {
                            out.1 |= bit;
                        } else {
                            out.1 |= words::TRIGGER;
                        }
                    }
                }
                out
            })
            .collect();
        // Row offsets, shifted left once, must fit in 32 bits.
        u32::try_from(rows.len() * stride).ok()?.checked_mul(2)?;
        let mut next = Vec::with_capacity(rows.len() * stride);
        for row in &rows {
            for &b in &representative {
                let to = row[b] as usize;
                let matched = found[to] != (u32::MAX, 0);
                next.push(u32::try_from(to * stride).ok()? << 1 | u32::from(matched));
            }
        }
        Some(Self {
            classes,
            stride,
            next,
            found,
            start: 0,
        })
    }
}

/// What one pass over a line found.
pub(crate) struct Scan {
    /// The first literal line, in table order, whose key occurs.
    literal: Option<usize>,
    /// [`words`] bits of the recognisers worth trying.
    words: u64,
}

impl Scan {
    /// Whether any of these [`words`] occur.
    pub(super) fn has(&self, bits: u64) -> bool {
        bits == words::ALWAYS || self.words & bits != 0
    }
}

static SCANNER: LazyLock<Option<Scanner>> = LazyLock::new(|| {
    let mut keys: Vec<&'static str> = Vec::new();
    let mut literals = Vec::new();
    let mut add = |table: &'static [(&'static str, Entry)], source: Source, level: Level| {
        for (k, entry) in table {
            keys.push(k);
            literals.push(Literal {
                entry,
                source,
                level,
                title: headline(entry.cause),
            });
        }
    };
    add(esp32::CRASH_LINES, Source::Panic, Level::Error);
    add(esp8266::CRASH_LINES, Source::Panic, Level::Error);
    add(bearssl::BSSL_DEBUG_LINES, Source::Arduino, Level::Warn);
    add(SKETCH_LINES, Source::Arduino, Level::Error);
    keys.extend(words::ALL.iter().map(|(w, _)| *w));
    keys.extend(words::TRIGGERS.iter().copied());
    // The keys are short literals; building fails only past the crate's size limits.
    // A DFA: one table step per byte, which overlapping search needs to stay fast.
    // No prefilter: with one, the start state is "special" and every return to it (most
    // bytes of a line that matches nothing) calls the prefilter again.
    let dfa = DFA::builder().prefilter(false).build(&keys).ok()?;
    let table = Table::compile(&dfa, literals.len())?;
    Some(Scanner { table, literals })
});

/// One pass over the line: the literal lines and the words it holds.
pub(super) fn scan(t: &str) -> Scan {
    let mut out = Scan {
        literal: None,
        words: 0,
    };
    let Some(s) = SCANNER.as_ref() else {
        return out;
    };
    // The table walked one step per byte; a state where patterns end is marked in
    // its entry's low bit, so only those steps look further.
    let table = &s.table;
    let mut state = table.start as usize;
    for &b in t.as_bytes() {
        let Some(&e) = table
            .next
            .get(state + usize::from(table.classes[usize::from(b)]))
        else {
            break;
        };
        state = (e >> 1) as usize;
        if e & 1 != 0
            && let Some(&(literal, bits)) = table.found.get(state / table.stride)
        {
            if literal != u32::MAX {
                let l = literal as usize;
                out.literal = Some(out.literal.map_or(l, |x| x.min(l)));
            }
            out.words |= bits;
        }
    }
    out
}

/// Informational lines among the literal tables (banner pieces, "Rebooting..."),
/// shown without raising the level.
fn quiet(rule: &str) -> bool {
    rule.ends_with("-cut-here")
        || rule.ends_with("-stack-start")
        || rule.ends_with("-stack-end")
        || has(rule, "rebooting")
        || has(rule, "load-segment")
        || has(rule, "backtrace")
}

/// A title from a cause: its first clause (`the flash is empty where ...: nothing was
/// flashed` gives `the flash is empty where ...`).
fn headline(cause: &'static str) -> &'static str {
    let end = [": ", "; ", " (", ", so "]
        .iter()
        .filter_map(|sep| cause.find(sep))
        .min()
        .unwrap_or(cause.len());
    &cause[..end]
}

/// The literal line number `i` (see [`Scan::literal`]), explained.
fn literal_line(i: usize) -> Option<Found> {
    let lit = SCANNER.as_ref()?.literals.get(i)?;
    let level = if quiet(lit.entry.name) {
        Level::Info
    } else if has(lit.entry.name, "download") {
        // Waiting in the ROM loader is a state, not a failure.
        Level::Warn
    } else {
        lit.level
    };
    found(
        level,
        lit.source,
        entry_expl(lit.entry.name, lit.title, lit.entry),
    )
}

// ---------------------------------------------------------------------------------
// BearSSL, PubSubClient, MQTT, AWS, sockets, WiFi, esp_err_t

/// A BearSSL number, including 256 + alert received and 512 + alert sent.
pub(super) fn bearssl_code(code: i64) -> Option<Explanation> {
    // 256 + alert received, 512 + alert sent (256 and 512 themselves: alert 0,
    // close_notify); the alert says more than BR_ERR_RECV/SEND_FATAL_ALERT.
    let alert = match code {
        256..=511 => Some((code - 256, "received from the server")),
        512..=767 => Some((code - 512, "sent to the server")),
        _ => None,
    };
    if let Some((alert, dir)) = alert
        && let Some((_, entry)) = bearssl::TLS_ALERTS
            .iter()
            .find(|(n, _)| i64::from(*n) == alert)
    {
        return Some(entry_expl(
            "bearssl-alert",
            format!(
                "BearSSL error {code}: TLS alert {alert} ({}) {dir}",
                entry.name
            ),
            entry,
        ));
    }
    let (_, entry) = bearssl::BEARSSL_ERRORS
        .iter()
        .find(|(n, _)| i64::from(*n) == code)?;
    Some(entry_expl(
        "bearssl-code",
        format!("BearSSL error {code}: {}", entry.name),
        entry,
    ))
}

/// `getLastSSLError = 54`, `SSL error: 62`, `Last SSL error code: 298`, `SSL error code 54`.
fn bearssl_number(t: &str) -> Option<Found> {
    let lower = t.to_ascii_lowercase();
    let at = [
        "getlastsslerror",
        "ssl error code",
        "last ssl error",
        "ssl error",
    ]
    .iter()
    .find_map(|k| find(&lower, k).map(|i| i + k.len()))?;
    let rest = &t[at..];
    let digits = rest.find(|c: char| c.is_ascii_digit() || c == '-')?;
    // Only punctuation and words like "code" or "is" between the marker and the number.
    if rest[..digits].chars().any(|c| c.is_ascii_digit()) || digits > 16 {
        return None;
    }
    let code = number_at(&rest[digits..])?;
    found(Level::Error, Source::Arduino, bearssl_code(code)?)
}

/// A BearSSL `getLastSSLError` text (every one is a sentence ending in '.'), also when
/// a sketch quotes it (`Error = 'Certificate is expired or not yet valid.'`).
fn bearssl_text(t: &str) -> Option<Found> {
    // `SSL received fatal alert - <text>` carries an alert, not the code of that text:
    // the decoder's alert rule reads those.
    let end = t.trim_end().trim_end_matches(['\'', '"', '`', ')', ']']);
    if !end.ends_with('.') || has(t, "fatal alert - ") {
        return None;
    }
    let (n, _) = bearssl::BEARSSL_TEXTS
        .iter()
        .filter(|(n, txt)| *n != 0 && txt.len() > 12 && has(t, txt))
        .max_by_key(|(_, txt)| txt.len())?;
    found(Level::Error, Source::Arduino, bearssl_code(i64::from(*n))?)
}

/// PubSubClient's `state()` as sketches print it: `rc=-2`, `state=-2`, `state(): -3`, `state: 5`.
fn pubsub(t: &str) -> Option<Found> {
    let lower = t.to_ascii_lowercase();
    if !(has(&lower, "fail")
        || has(&lower, "mqtt")
        || has(&lower, "connect")
        || has(&lower, "state"))
    {
        return None;
    }
    let code = [
        "rc=",
        "rc = ",
        "rc: ",
        "state=",
        "state(): ",
        "state() = ",
        "state: ",
        "state ",
        "rc ",
        // Sketches that print state() as an error number: `...failed (error 5)`.
        "(error ",
    ]
    .iter()
    .find_map(|k| find(&lower, k).and_then(|i| number_at(&t[i + k.len()..])))?;
    let (_, entry) = mqtt::PUBSUB_STATES
        .iter()
        .find(|(n, _)| i64::from(*n) == code)?;
    let level = if code == 0 {
        Level::Success
    } else {
        Level::Error
    };
    found(
        level,
        Source::Arduino,
        entry_expl(
            "pubsubclient-state",
            format!("PubSubClient state {code}: {}", entry.name),
            entry,
        ),
    )
}

/// An MQTT 5 reason code explained, for `packet`.
pub fn mqtt5_reason(packet: &str, reason: u8) -> Explanation {
    match mqtt::MQTT5_REASONS.iter().find(|(c, _, _)| *c == reason) {
        Some((_, _, entry)) => entry_expl(
            "mqtt5-reason",
            format!("MQTT {packet} reason 0x{reason:02X}: {}", entry.name),
            entry,
        ),
        None => Explanation::new(
            format!("MQTT {packet} reason 0x{reason:02X}"),
            "a reason code the MQTT 5 specification does not define",
            "the broker or the client is not speaking MQTT 5 correctly; check both versions",
        )
        .with_rule("mqtt5-reason"),
    }
}

/// MQTT reason codes in other clients' logs: esp-mqtt's `MQTT5 return code is 135`,
/// `reason code=0x87`, and app lines like `CONNACK 0x87 (135)`.
fn mqtt_reason_line(t: &str) -> Option<Found> {
    let upper_packet = [
        "CONNACK",
        "SUBACK",
        "UNSUBACK",
        "PUBACK",
        "PUBREC",
        "PUBREL",
        "PUBCOMP",
        "DISCONNECT",
        "AUTH",
    ]
    .into_iter()
    // A packet's name as a word: `AUTH_FAIL` (a WiFi reason) is not the AUTH packet.
    .find(|p| {
        t.match_indices(p).any(|(i, _)| {
            let after = t.as_bytes().get(i + p.len());
            !after.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        })
    });
    // Cheap tests before the lowercase copy: this runs on most lines.
    if upper_packet.is_none() && !(has(t, "mqtt") || has(t, "MQTT") || has(t, "Mqtt")) {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    let code = [
        "return code is ",
        "reason code=",
        "reason code: ",
        "reason code ",
        "reason=",
        "reason: ",
        "reason code is ",
    ]
    .iter()
    .find_map(|k| find(&lower, k).and_then(|i| number_at(&t[i + k.len()..])))
    .or_else(|| {
        let p = upper_packet?;
        let rest = &t[find(t, p)? + p.len()..];
        let rest = rest.trim_start_matches([' ', ':', '=']);
        rest.starts_with("0x").then(|| number_at(rest)).flatten()
    })?;
    let reason = u8::try_from(code).ok()?;
    // MQTT 3.1.1 CONNACK return codes are 0..5; MQTT 5 refusals are 0x80 and up.
    if reason < 0x80 {
        if has(&lower, "mqtt5") || reason == 0 {
            return None;
        }
        let (_, entry) = mqtt::MQTT3_CONNACK.iter().find(|(c, _)| *c == reason)?;
        return found(
            Level::Error,
            Source::Plain,
            entry_expl(
                "mqtt3-connack",
                format!("MQTT 3.1.1 CONNACK {reason}: {}", entry.name),
                entry,
            ),
        );
    }
    found(
        Level::Error,
        Source::Plain,
        mqtt5_reason(upper_packet.unwrap_or("reason"), reason),
    )
}

/// esp-mqtt names a refusal in words: `mqtt5_client: Not authorized`,
/// `mqtt_client: Connection refused, not authorized`, then `MQTT connect failed`.
fn esp_mqtt_text(t: &str) -> Option<Found> {
    let i = t
        .find("mqtt5_client: ")
        .map(|i| i + 14)
        .or_else(|| find(t, "mqtt_client: ").map(|i| i + 13))?;
    let msg = t[i..].trim();
    if let Some((code, _, entry)) = mqtt::MQTT5_REASONS
        .iter()
        .find(|(c, _, e)| *c >= 0x80 && e.name.split(" / ").any(|n| n.eq_ignore_ascii_case(msg)))
    {
        return found(
            Level::Error,
            Source::EspIdf,
            entry_expl(
                "mqtt5-reason",
                format!("MQTT reason 0x{code:02X}: {}", entry.name),
                entry,
            ),
        );
    }
    if let Some((code, entry)) = mqtt::MQTT3_CONNACK
        .iter()
        .find(|(c, e)| *c > 0 && e.name.eq_ignore_ascii_case(msg))
    {
        return found(
            Level::Error,
            Source::EspIdf,
            entry_expl(
                "mqtt3-connack",
                format!("MQTT 3.1.1 CONNACK {code}: {}", entry.name),
                entry,
            ),
        );
    }
    msg.eq_ignore_ascii_case("MQTT connect failed")
        .then_some(())?;
    found(
        Level::Error,
        Source::EspIdf,
        Explanation::new(
            "the MQTT connection failed (esp-mqtt)",
            "the broker refused the connection or it broke before CONNACK; esp-mqtt names the reason on the line before",
            "read the line above: a refusal reason (policy, client id) or a TLS or socket error, each explained",
        )
        .with_rule("esp-mqtt-connect-failed"),
    )
}

/// AWS IoT lifecycle event JSON: `"disconnectReason":"DUPLICATE_CLIENTID"`.
fn aws_lifecycle(t: &str) -> Option<Found> {
    let i = t.find("\"disconnectReason\"")? + 18;
    let rest = t[i..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let value = &rest[..rest.find('"')?];
    let (_, entry) = mqtt::AWS_DISCONNECT_REASONS
        .iter()
        .find(|(k, _)| *k == value)?;
    let level = if value == "CLIENT_INITIATED_DISCONNECT" {
        Level::Info
    } else {
        Level::Error
    };
    found(
        level,
        Source::Plain,
        entry_expl(
            "aws-disconnect-reason",
            format!("AWS IoT disconnected the client: {value}"),
            entry,
        ),
    )
}

/// Socket errnos: `connect on fd 48, errno: 113, "Software caused connection abort"`,
/// `Socket error: 104`, `errno 128`.
fn errno(t: &str) -> Option<Found> {
    let lower = t.to_ascii_lowercase();
    let code = [
        "errno: ",
        "errno=",
        "errno ",
        "socket error: ",
        "socket error ",
    ]
    .iter()
    .find_map(|k| find(&lower, k).and_then(|i| number_at(&t[i + k.len()..])))?;
    // The table is ESP32's (newlib) numbering; a name printed with the number
    // (MicroPython's `[Errno 113] EHOSTUNREACH` on an ESP8266, Linux numbering) decides.
    let named = net::ERRNO.iter().find(|(_, e)| {
        find(t, e.name).is_some_and(|i| {
            let after = t.as_bytes().get(i + e.name.len());
            !after.is_some_and(u8::is_ascii_alphanumeric)
        })
    });
    let (_, entry) =
        named.or_else(|| net::ERRNO.iter().find(|(n, _)| i64::from(*n) == code.abs()))?;
    found(
        Level::Error,
        Source::Plain,
        entry_expl(
            "socket-errno",
            format!("socket error {} ({})", code.abs(), entry.name),
            entry,
        ),
    )
}

/// WiFi disconnect reasons: ESP-IDF's `reason:201`, Arduino's `Reason: 201`.
pub fn wifi_reason(reason: u16) -> Explanation {
    match net::WIFI_REASONS.iter().find(|(n, _)| *n == reason) {
        Some((_, entry)) => entry_expl(
            "wifi-reason",
            format!(
                "WiFi: {} (reason {reason})",
                entry.name.trim_start_matches("WIFI_REASON_")
            ),
            entry,
        ),
        None => Explanation::new(
            format!("WiFi disconnected (reason {reason})"),
            "the access point or the radio ended the link",
            "check the network name, password and signal",
        )
        .with_rule("wifi-reason"),
    }
}

fn wifi_line(t: &str) -> Option<Found> {
    let lower = t.to_ascii_lowercase();
    if !(has(&lower, "wifi") || has(&lower, "disconnect") || has(&lower, "sta_")) {
        return None;
    }
    let code = ["reason: ", "reason:", "reason=", "reason "]
        .iter()
        .find_map(|k| find(&lower, k).and_then(|i| number_at(&t[i + k.len()..])))?;
    let reason = u16::try_from(code).ok()?;
    net::WIFI_REASONS
        .iter()
        .any(|(n, _)| *n == reason)
        .then_some(())?;
    found(Level::Error, Source::Plain, wifi_reason(reason))
}

/// `esp_err_t` names (`ESP_ERR_NVS_NOT_FOUND`) and `ESP_ERROR_CHECK failed: esp_err_t 0x1102`.
fn esp_err(t: &str) -> Option<Found> {
    let entry = if let Some(i) = find(t, "ESP_ERR_") {
        let name: String = t[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        esp32::ESP_ERRORS
            .iter()
            .find(|(_, e)| e.name == name)
            .map(|(_, e)| e)
    } else {
        // Printed as unsigned hex: 0xffffffff is ESP_FAIL (-1).
        let code = i64::from(number_after(t, "esp_err_t ")? as u32 as i32);
        esp32::ESP_ERRORS
            .iter()
            .find(|(n, _)| i64::from(*n) == code)
            .map(|(_, e)| e)
    }?;
    found(
        Level::Error,
        Source::EspIdf,
        entry_expl("esp-err", format!("ESP-IDF error {}", entry.name), entry),
    )
}

/// Reset reasons as apps print them: ESP-IDF's `esp_reset_reason()` names
/// (`ESP_RST_BROWNOUT`) and the ESP8266's `ESP.getResetReason()` texts after "reset reason".
fn reset_reason_line(t: &str) -> Option<Found> {
    if let Some(i) = find(t, "ESP_RST_") {
        let name: String = t[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let (_, entry) = esp32::ESP_RESET_REASONS
            .iter()
            .find(|(_, e)| e.name == name)?;
        let level = if matches!(
            name.as_str(),
            "ESP_RST_POWERON" | "ESP_RST_SW" | "ESP_RST_DEEPSLEEP" | "ESP_RST_EXT" | "ESP_RST_USB"
        ) {
            Level::Info
        } else {
            Level::Warn
        };
        return found(
            level,
            Source::EspIdf,
            entry_expl("esp-reset-reason", format!("reset reason {name}"), entry),
        );
    }
    let lower = t.to_ascii_lowercase();
    let i = find(&lower, "reset reason")? + 12;
    let rest = t[i..].trim_start_matches([':', ' ', '=']);
    let (_, text, entry) = esp8266::RESET_REASONS
        .iter()
        .filter(|(_, txt, _)| rest.starts_with(txt))
        .max_by_key(|(_, txt, _)| txt.len())?;
    let level = if matches!(*text, "Power On" | "External System" | "Deep-Sleep Wake") {
        Level::Info
    } else {
        Level::Warn
    };
    found(
        level,
        Source::Arduino,
        entry_expl(
            "esp8266-reset-reason",
            format!("ESP8266 reset reason: {text} ({})", entry.name),
            entry,
        ),
    )
}

/// lwIP's `err_t` (`lwip err -13`, `err_t -14`) and `getaddrinfo() returns 202`.
fn lwip_line(t: &str) -> Option<Found> {
    if let Some(code) = number_after(t, "getaddrinfo() returns ") {
        let (_, entry) = net::ERRNO.iter().find(|(n, _)| i64::from(*n) == code)?;
        return found(
            Level::Error,
            Source::EspIdf,
            entry_expl(
                "lwip-dns",
                format!("DNS lookup failed: {} ({code})", entry.name),
                entry,
            ),
        );
    }
    let lower = t.to_ascii_lowercase();
    let code = [
        "err_t ",
        "err_t: ",
        "lwip err ",
        "lwip error: ",
        "lwip error ",
    ]
    .iter()
    .find_map(|k| find(&lower, k).and_then(|i| number_at(&t[i + k.len()..])))?;
    let (_, entry) = net::LWIP_ERR.iter().find(|(n, _)| i64::from(*n) == code)?;
    found(
        Level::Error,
        Source::EspIdf,
        entry_expl(
            "lwip-err",
            format!("lwIP error {code} ({})", entry.name),
            entry,
        ),
    )
}

/// Arduino ESP32 `start_ssl_client: -1` (core 2.x) or `start_ssl_client: connect failed: -1`.
fn start_ssl_client(t: &str) -> Option<Found> {
    has(t, "start_ssl_client").then_some(())?;
    has(t, "-1").then_some(())?;
    found(
        Level::Error,
        Source::Arduino,
        Explanation::new(
            "the TLS connection to the server failed (start_ssl_client)",
            "WiFiClientSecure could not set up TLS; the _handle_error line just before names the mbedTLS reason, and when there is none the TCP connection itself failed",
            "check in order: 1) an _handle_error line above (its mbedTLS code is explained); 2) the endpoint name and port 8883 (DNS, firewall); 3) that the root CA is Amazon Root CA 1 and the clock was set",
        )
        .with_rule("arduino-start-ssl-client"),
    )
}

/// axTLS's `Error: SSL error <n>` (the failure code negated: a TLS alert the server
/// sent is its alert number) and `Alert: alert - (unknown <n>)` (an alert axTLS has no
/// name for), read through the TLS alert registry and axTLS's own codes.
fn axtls_number(t: &str) -> Option<Found> {
    let lower = t.to_ascii_lowercase();
    let n = ["error: ssl error ", "alert - (unknown "]
        .iter()
        .find_map(|k| find(&lower, k).and_then(|i| number_at(&lower[i + k.len()..])))?;
    if let Some((_, entry)) = bearssl::TLS_ALERTS.iter().find(|(a, _)| i64::from(*a) == n) {
        let title = format!("TLS alert {n} ({}) from the server (axTLS)", entry.name);
        return found(
            Level::Error,
            Source::Arduino,
            entry_expl("axtls-alert", title, entry),
        );
    }
    let row = transcribed::TABLES.by_code("axtls", -n)?;
    transcribed_found(row)
}

/// The row of a transcribed table the line shows: an identifier, a number in its
/// library's format, or a log line's text or message (see [`transcribed`]).
pub(super) fn transcribed_line(t: &str, w: &Scan) -> Option<Found> {
    let tables = &*transcribed::TABLES;
    // Where an identifier can be: a name with an underscore, coreMQTT's MQTT... names, and
    // the values of AWS IoT's CloudWatch entries (`"eventType": "GetThingShadow"`).
    if w.has(words::IDENT | words::MQTT | words::REASON)
        && let Some(row) = tables.by_identifier(t)
    {
        return transcribed_found(row);
    }
    if !w.has(words::TRIGGER) {
        return None;
    }
    // Most lines need no copy: the fragments are matched whatever the case, and only a
    // line with doubled spaces, markdown or typographic quotes, or a number's words, is
    // normalised.
    let normalised = transcribed::needs_normalising(t).then(|| transcribed::normalise(t));
    let (row, number) = tables.search(normalised.as_deref().unwrap_or(t));
    // The words before a number are matched whatever the case; the number is read from
    // the normalised line.
    let by_number = || match &normalised {
        Some(n) => tables.by_number(n),
        None => tables.by_number(&transcribed::normalise(t)),
    };
    let row = if number { by_number().or(row) } else { row }?;
    transcribed_found(row)
}

fn transcribed_found(row: &'static transcribed::Row) -> Option<Found> {
    if row.informational {
        return None;
    }
    // A cause that opens with a qualifier ("ESP32 (info level): ...") has no headline
    // of its own: the line's text stands for it.
    let cause = row.entry.cause;
    let mut head = headline(cause);
    // "ESP32 2.x WiFiClientSecure: the connection failed; ..." is a qualifier, then
    // the headline.
    if let Some(rest) = cause[head.len()..].strip_prefix(": ")
        && head.split_whitespace().count() <= 5
    {
        head = headline(rest);
    }
    if head.split_whitespace().count() < 3 {
        head = row.entry.name.trim();
    }
    let title = match row.code {
        Some(code) => Cow::Owned(format!("{} ({code}): {head}", row.entry.name)),
        None => Cow::Borrowed(head),
    };
    found(
        Level::Error,
        Source::Plain,
        entry_expl(row.table, title, &row.entry),
    )
}

/// A quoted error text (`Error = 'Certificate is expired or not yet valid.'`) looked up in
/// the TLS libraries' texts (BearSSL's, mbedTLS's) before the line around it; the
/// transcribed libraries' messages come after the family rules ([`quoted_transcribed`]).
fn quoted_text(t: &str) -> Option<Found> {
    quoted(t).find_map(|q| {
        let q = q.trim();
        if q.len() < 10 {
            return None;
        }
        // Compared as pasted text reads: case, spacing and quotes aside.
        let q = transcribed::normalise(q);
        let q = q.trim_end_matches('.');
        if let Some((n, _)) = bearssl::BEARSSL_TEXTS
            .iter()
            .find(|(n, txt)| *n != 0 && transcribed::normalise(txt).trim_end_matches('.') == q)
        {
            return found(Level::Error, Source::Arduino, bearssl_code(i64::from(*n))?);
        }
        if let Some(m) = mbedtls::MBEDTLS_ERRORS.iter().find(|m| {
            let text = m.text.split_once(" - ").map_or(m.text, |(_, t)| t);
            text.len() >= 10 && has(q, &transcribed::normalise(text))
        }) {
            return found(Level::Error, Source::EspIdf, mbedtls(-i64::from(m.code)));
        }
        None
    })
}

/// A quoted message of a transcribed library (`reason: "Connection refused"`), whole: a
/// part of it could be any library's. Tried after the family rules.
fn quoted_transcribed(t: &str) -> Option<Found> {
    quoted(t)
        .filter(|q| q.trim().len() >= 10)
        .find_map(|q| transcribed::TABLES.by_exact(q).and_then(transcribed_found))
}

/// The texts between matching quotes in a line: 'single', "double", or typographic. A
/// quote opens only where a word cannot go on (`Couldn't` holds no quote).
fn quoted(t: &str) -> impl Iterator<Item = &str> {
    const PAIRS: [(char, char); 4] = [
        ('\'', '\''),
        ('"', '"'),
        ('\u{2018}', '\u{2019}'),
        ('\u{201C}', '\u{201D}'),
    ];
    let mut out = Vec::new();
    for (open, close) in PAIRS {
        let mut from = 0;
        while let Some(a) = t[from..].find(open).map(|i| i + from) {
            let inside = a + open.len_utf8();
            from = inside;
            if t[..a]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            // The closing quote: the first not followed by a letter.
            let close_at = t[inside..]
                .match_indices(close)
                .map(|(i, _)| inside + i)
                .find(|&b| {
                    !t[b + close.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric)
                });
            let Some(b) = close_at else {
                break;
            };
            out.push(&t[inside..b]);
            from = b + close.len_utf8();
        }
    }
    out.into_iter()
}

/// Every recogniser of this module, in order; the first that explains the line wins.
pub(super) fn recognise(t: &str) -> Option<Found> {
    recognise_scanned(t, &scan(t))
}

/// A recogniser: explains the line or passes.
type Rule = fn(&str) -> Option<Found>;

/// The recognisers in the order they are tried, each with the [`words`] that make it
/// worth trying (`ALWAYS`: tried on every line). The literal lines come after the first
/// [`EARLY`] of them.
const RULES: &[(u64, Rule)] = {
    use words::*;
    &[
        (RST_CAUSE, esp8266_rom),
        (FATAL, esp8266_exception),
        // Before the literal lines: `ESP_ERROR_CHECK failed: esp_err_t 0x101
        // (ESP_ERR_NO_MEM)` is best read by its error code.
        (ESP_ERR, esp_err),
        // A quoted error text is more precise than the line around it
        // (`BSSL:Couldn't connect. Error = '<text>'`).
        (QUOTE, quoted_text),
        (MBEDTLS, mbedtls_line),
        (BANG, verify_info_line),
        (START_SSL, start_ssl_client),
        (DISCONNECT_REASON, aws_lifecycle),
        (SSL, bearssl_number),
        (ALWAYS, bearssl_text),
        (STATE, pubsub),
        (MQTT, esp_mqtt_text),
        (MQTT | PACKET, mqtt_reason_line),
        (ERRNO, errno),
        (REASON, wifi_line),
        (RESET_REASON, reset_reason_line),
        (ERR, lwip_line),
        (FAULT_ADDR, null_pointer),
        (SSL | ALERT_NUMBER, axtls_number),
        (QUOTE, quoted_transcribed),
    ]
};

/// How many of [`RULES`] come before the literal lines.
const EARLY: usize = 4;

/// [`recognise`] with the line's [`scan`] already made.
pub(super) fn recognise_scanned(t: &str, w: &Scan) -> Option<Found> {
    if t.is_empty() {
        return None;
    }
    if t.starts_with("rst:0x") {
        return esp32_rom_reset(t);
    }
    let (early, late) = RULES.split_at(EARLY);
    let try_rules = |rules: &[(u64, Rule)]| {
        rules
            .iter()
            .filter(|(bits, _)| w.has(*bits))
            .find_map(|(_, rule)| rule(t))
    };
    try_rules(early)
        .or_else(|| w.literal.and_then(literal_line))
        .or_else(|| try_rules(late))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transcribed_fragment_and_number_format_holds_a_trigger() {
        let holds = |f: &str| {
            [
                f.to_string(),
                f.to_ascii_lowercase(),
                f.to_ascii_uppercase(),
            ]
            .iter()
            .all(|v| words::TRIGGERS.iter().any(|t| v.contains(t)))
        };
        let tables = &*transcribed::TABLES;
        let mut missing: Vec<String> = tables
            .fragments()
            .filter(|f| !holds(f))
            .map(str::to_string)
            .collect();
        missing.extend(
            transcribed::NUMBER_FORMATS
                .iter()
                .map(|n| n.before.trim_end())
                .filter(|f| !holds(f))
                .map(str::to_string),
        );
        assert!(missing.is_empty(), "no trigger in: {missing:#?}");
    }

    /// What aho-corasick's own overlapping search finds in `t`, folded as [`scan`] folds
    /// it: the oracle for the compiled table.
    fn reference_scan(ac: &aho_corasick::AhoCorasick, t: &str) -> (Option<usize>, u64) {
        let n = SCANNER.as_ref().unwrap().literals.len();
        let (mut literal, mut bits) = (None, 0u64);
        for m in ac.find_overlapping_iter(t) {
            let i = m.pattern().as_usize();
            if i < n {
                literal = Some(literal.map_or(i, |l: usize| l.min(i)));
            } else {
                bits |= words::ALL.get(i - n).map_or(words::TRIGGER, |w| w.1);
            }
        }
        (literal, bits)
    }

    #[test]
    fn the_compiled_table_finds_what_aho_corasick_finds() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/logs");
        let mut lines: Vec<String> = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "log") {
                let text = String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
                lines.extend(text.lines().map(str::to_string));
            }
        }
        // Every key alone, inside other text, and two keys overlapping one another.
        let keys: Vec<&str> = esp32::CRASH_LINES
            .iter()
            .chain(esp8266::CRASH_LINES)
            .chain(bearssl::BSSL_DEBUG_LINES)
            .chain(SKETCH_LINES)
            .map(|(k, _)| *k)
            .chain(words::ALL.iter().map(|(w, _)| *w))
            .chain(words::TRIGGERS.iter().copied())
            .collect();
        for (i, k) in keys.iter().enumerate() {
            lines.push((*k).to_string());
            lines.push(format!("x{k}y {}", keys[(i * 7 + 3) % keys.len()]));
            let next = keys[(i + 1) % keys.len()];
            lines.push(format!("{k}{next}"));
            let half = (0..=k.len() / 2)
                .rev()
                .find(|&i| k.is_char_boundary(i))
                .unwrap_or(0);
            lines.push(format!("{}{next}", &k[..half]));
        }
        assert!(lines.len() > 1000);
        let ac = aho_corasick::AhoCorasick::new(&keys).unwrap();
        for line in &lines {
            let got = scan(line);
            assert_eq!(
                (got.literal, got.words),
                reference_scan(&ac, line),
                "{line:?}"
            );
        }
    }

    #[test]
    fn pasted_decorations_are_removed() {
        for (raw, want) in [
            (
                "\u{1b}[0;31mE (5210) esp-tls: x\u{1b}[0m",
                "E (5210) esp-tls: x",
            ),
            ("> > rst:0x1 (POWERON_RESET)", "rst:0x1 (POWERON_RESET)"),
            ("12: Exception (28):", "Exception (28):"),
            ("  7 | Soft WDT reset", "Soft WDT reset"),
            (
                "10:21:33.456 -> Attempting MQTT connection...failed, rc=-2",
                "Attempting MQTT connection...failed, rc=-2",
            ),
            ("[2026-12-01 10:21:33] rst cause:4", "rst cause:4"),
            ("```", ""),
            ("```text", ""),
            (
                "```E (5210) esp-tls: mbedtls_ssl_handshake returned -0x2700```",
                "E (5210) esp-tls: mbedtls_ssl_handshake returned -0x2700",
            ),
            (
                "`` `rst:0x1 (POWERON_RESET)```",
                "`` `rst:0x1 (POWERON_RESET)```",
            ),
            (
                "3fffff20:  3fffdad0 00000000",
                "3fffff20:  3fffdad0 00000000",
            ),
            (
                "[  1234][E][ssl_client.cpp:37] x",
                "[  1234][E][ssl_client.cpp:37] x",
            ),
            (
                "0x42001234: main at src/main.rs:3",
                "0x42001234: main at src/main.rs:3",
            ),
        ] {
            assert_eq!(clean(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn prefixes_give_milliseconds() {
        assert_eq!(
            timestamp_ms("[  6213][E][ssl_client.cpp:37] _handle_error(): x"),
            Some(6213)
        );
        assert_eq!(timestamp_ms("E (5210) esp-tls: x"), Some(5210));
        assert_eq!(timestamp_ms("hello"), None);
    }

    #[test]
    fn mbedtls_codes_in_every_notation() {
        for code in [-0x2700_i64, -9984, 0x2700, 9984] {
            assert!(
                mbedtls(code).title.contains("X509_CERT_VERIFY_FAILED"),
                "{code}"
            );
        }
        let combined = mbedtls(-0x262E);
        assert!(combined.title.contains(" + "), "{:?}", combined.title);
    }
}
