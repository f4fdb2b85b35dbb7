//! The tables transcribed as data (`transcribed/*.tsv`): one library's codes and log lines
//! a file, each file naming at its top the repository, path, commit and lines it was read
//! from. Columns: `code` (empty for a log line), `name` (the source's identifier, or the
//! fixed text of a log line with its conversions removed), `text` (what the library prints
//! for it), `cause`, `fix`.
//!
//! Three ways a line finds its row, each from how the library prints it: an identifier
//! (`LWMQTT_NETWORK_FAILED_CONNECT`, `MQTTBadResponse`) as a whole word; a log line's fixed
//! text or a library's message text anywhere in the line, with the spacing, case and
//! quoting a paste changes tolerated; and a number after the words a library prints before
//! it (`Mounting SPIFFS failed! Error: -10025`), listed in [`NUMBER_FORMATS`].

use std::collections::HashMap;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::Entry;

/// Each file and its text.
pub const FILES: &[(&str, &str)] = &[
    (
        "adafruit-mqtt",
        include_str!("transcribed/adafruit-mqtt.tsv"),
    ),
    ("arduino-net", include_str!("transcribed/arduino-net.tsv")),
    ("asyncmqtt", include_str!("transcribed/asyncmqtt.tsv")),
    (
        "aws-cloudwatch",
        include_str!("transcribed/aws-cloudwatch.tsv"),
    ),
    (
        "aws-iot-sdk-v3",
        include_str!("transcribed/aws-iot-sdk-v3.tsv"),
    ),
    ("axtls", include_str!("transcribed/axtls.tsv")),
    ("coremqtt", include_str!("transcribed/coremqtt.tsv")),
    ("esp-idf-boot", include_str!("transcribed/esp-idf-boot.tsv")),
    ("esp-idf-net", include_str!("transcribed/esp-idf-net.tsv")),
    ("esp-mqtt", include_str!("transcribed/esp-mqtt.tsv")),
    ("esp-tls-idf", include_str!("transcribed/esp-tls-idf.tsv")),
    ("esphome", include_str!("transcribed/esphome.tsv")),
    ("fatfs", include_str!("transcribed/fatfs.tsv")),
    ("flash-tools", include_str!("transcribed/flash-tools.tsv")),
    ("littlefs", include_str!("transcribed/littlefs.tsv")),
    ("lwmqtt", include_str!("transcribed/lwmqtt.tsv")),
    (
        "micropython-net",
        include_str!("transcribed/micropython-net.tsv"),
    ),
    ("mongoose-os", include_str!("transcribed/mongoose-os.tsv")),
    (
        "mosquitto-log",
        include_str!("transcribed/mosquitto-log.tsv"),
    ),
    ("ota", include_str!("transcribed/ota.tsv")),
    ("spiffs", include_str!("transcribed/spiffs.tsv")),
    ("tasmota", include_str!("transcribed/tasmota.tsv")),
];

/// Where a library prints a code as a number: the table, the words just before the
/// number (lower case, spacing as [`normalise`] leaves it), and a word the line must also
/// hold ("" for none). From each file's `# printed-as:` lines. Arduino-ESP32's
/// `Mounting SPIFFS failed! Error: -1` is not here: its number is an `esp_err_t`.
pub const NUMBER_FORMATS: &[NumberFormat] = &[
    NumberFormat::new("spiffs", "spiffs: mount failed, ", ""),
    NumberFormat::new("spiffs", "spiffs: format failed, ", ""),
    NumberFormat::new("littlefs", "esp_littlefs: mount failed, ", ""),
    NumberFormat::new("littlefs", "esp_littlefs: format failed, ", ""),
    NumberFormat::new("fatfs", "f_mount failed (", ""),
    NumberFormat::new("fatfs", "f_mount failed: (", ""),
    NumberFormat::new("fatfs", "failed to mount card (", ""),
    NumberFormat::new("fatfs", "f_mkfs failed (", ""),
    NumberFormat::new("fatfs", "f_mkfs failed: (", ""),
    NumberFormat::new("aws-iot-sdk-v3", "error(", ") connecting to "),
    NumberFormat::new("aws-iot-sdk-v3", "returned error : ", "aws_iot"),
    NumberFormat::new("aws-iot-sdk-v3", "returned error ", "aws_iot"),
    NumberFormat::new("aws-iot-sdk-v3", "error subscribing : ", ""),
    NumberFormat::new("aws-iot-sdk-v3", "manual reconnect failed - ", ""),
    NumberFormat::new("aws-iot-sdk-v3", "an error occurred in the loop ", ""),
    NumberFormat::new(
        "aws-iot-sdk-v3",
        "unable to set auto reconnect to true - ",
        "",
    ),
    NumberFormat::new("lwmqtt", "lasterror: ", ""),
    NumberFormat::new("lwmqtt", "lasterror(): ", ""),
    NumberFormat::new("lwmqtt", "lasterror = ", ""),
    NumberFormat::new("lwmqtt", "lasterror=", ""),
    NumberFormat::new("lwmqtt", "returncode: ", ""),
    NumberFormat::new("lwmqtt", "returncode(): ", ""),
    NumberFormat::new("asyncmqtt", "disconnected from mqtt. reason: ", ""),
    NumberFormat::new("asyncmqtt", "disconnected from mqtt, reason: ", ""),
    NumberFormat::new("asyncmqtt", "disconnect reason: ", "mqtt"),
    NumberFormat::new(
        "coremqtt",
        "connection with mqtt broker failed with status ",
        "",
    ),
    NumberFormat::new("tasmota", "mqt: tls connection error: ", "").only(&["BR_", "ERR_"]),
    NumberFormat::new("tasmota", ", rc ", "connect failed to").only(&["MQTT_"]),
    NumberFormat::new("micropython-net", "oserror: [errno ", ""),
    NumberFormat::new("micropython-net", "oserror: (", ""),
    NumberFormat::new("micropython-net", "oserror: ", ""),
    NumberFormat::new("micropython-net", "mqttexception: ", ""),
    NumberFormat::new("ota", "http_update_failed error (", "").only(&["HTTP_UE_"]),
    NumberFormat::new("ota", "http_update_faild error (", "").only(&["HTTP_UE_"]),
];

/// See [`NUMBER_FORMATS`].
pub struct NumberFormat {
    /// The file the number is looked up in.
    pub table: &'static str,
    /// The words just before it.
    pub before: &'static str,
    /// A word the line must hold as well.
    pub with: &'static str,
    /// The rows the number may name, by how their names start (empty: any): one file can
    /// hold two numberings (Tasmota's rc and its TLS error).
    pub only: &'static [&'static str],
}

impl NumberFormat {
    const fn new(table: &'static str, before: &'static str, with: &'static str) -> Self {
        Self {
            table,
            before,
            with,
            only: &[],
        }
    }

    const fn only(mut self, prefixes: &'static [&'static str]) -> Self {
        self.only = prefixes;
        self
    }

    /// Whether a row can be what this format's number names.
    pub fn names(&self, row: &Row) -> bool {
        row.table == self.table
            && (self.only.is_empty() || self.only.iter().any(|p| row.entry.name.starts_with(p)))
    }
}

/// One row, read.
pub struct Row {
    /// The file it comes from (its name without `.tsv`).
    pub table: &'static str,
    /// The number, for a code.
    pub code: Option<i64>,
    /// What the source says of it, as an explanation reads it.
    pub entry: Entry,
    /// What the library prints for it (may be empty).
    pub text: &'static str,
    /// Nothing is wrong (`SPIFFS_OK`, "New connection from ..."): shown, not explained.
    pub informational: bool,
}

/// Every row of every file, and the indexes to find them.
pub struct Tables {
    /// The rows, file by file.
    pub rows: Vec<Row>,
    identifiers: HashMap<&'static str, usize>,
    /// Log-line fragments and message texts, normalised (see [`normalise`]).
    fragments: Option<AhoCorasick>,
    /// For each fragment, its row.
    fragment_rows: Vec<usize>,
    /// The fragments, normalised, in pattern order (the words before a number follow
    /// them in the automaton).
    fragment_texts: Vec<String>,
    /// Each fragment, normalised, to its row: a quoted text is looked up whole.
    exact: HashMap<String, usize>,
}

/// The rows, read once.
pub static TABLES: LazyLock<Tables> = LazyLock::new(read);

/// Whether `s` is a source identifier rather than words: `SPIFFS_ERR_FULL`,
/// `MQTTBadResponse`, `FR_NO_FILESYSTEM`.
pub fn is_identifier(s: &str) -> bool {
    let b = s.as_bytes();
    // CamelCase (a capital after a small letter) or with an underscore; a word in capitals
    // alone (`UNKNOWN`, `FAILURE`) is a word, not a name.
    let camel = b
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
    s.len() >= 6
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        && b.first().is_some_and(u8::is_ascii_alphabetic)
        && (s.contains('_') || camel)
}

/// Fragments shorter than this say too little to stand for one row ("Error:").
const MIN_FRAGMENT: usize = 14;

/// Whether a fragment is distinctive enough to stand for its row in any log: long
/// enough, and three words or more, or a source name with an underscore, or two words
/// that are not a label and its value: `Error: Unknown` would name axTLS's row in every
/// library's "error: unknown ...", `unknown protocol` is OpenSSL's reason alone.
fn distinctive(f: &str) -> bool {
    // "Connection failed" says no more in one library's table than in any sketch: such
    // lines are read as failures without a code.
    if super::is_codeless_failure(&f.to_ascii_lowercase()) {
        return false;
    }
    let words = f.split_whitespace().count();
    f.len() >= MIN_FRAGMENT
        && (words >= 3 || f.contains('_') || words == 2 && f.len() >= 16 && !f.contains(':'))
}

fn header_value<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .map(str::trim)
        .unwrap_or("")
}

/// What a row's cause or fix says when nothing is wrong: the tables' cause column starts
/// "Not an error" for a row that reports a success or a state (a new connection, a
/// certificate verified), and such a row's fix starts "Nothing".
fn says_nothing_wrong(cause: &str, fix: &str) -> bool {
    let f = fix.trim_start();
    cause.starts_with("Not an error")
        || cause.starts_with("The call succeeded")
        || f.starts_with("Nothing")
        || f.starts_with("None needed")
}

fn read() -> Tables {
    let mut rows = Vec::new();
    for (table, text) in FILES {
        let applies: &'static str = header_value(text, "# applies:");
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(code), Some(name), Some(txt), Some(cause), Some(fix)) = (
                cols.next(),
                cols.next(),
                cols.next(),
                cols.next(),
                cols.next(),
            ) else {
                continue;
            };
            let code = super::super::text::number_at(code).filter(|_| !code.trim().is_empty());
            rows.push(Row {
                table,
                code,
                informational: code == Some(0) || says_nothing_wrong(cause, fix),
                entry: Entry {
                    name,
                    applies,
                    cause,
                    fix,
                },
                text: txt,
            });
        }
    }
    let mut identifiers = HashMap::new();
    let mut fragments = Vec::new();
    let mut fragment_rows = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        // A success is never explained, so its text is not looked for.
        if r.informational {
            continue;
        }
        if is_identifier(r.entry.name) {
            identifiers.entry(r.entry.name).or_insert(i);
        } else if distinctive(r.entry.name.trim()) {
            fragments.push(normalise(r.entry.name.trim()));
            fragment_rows.push(i);
        }
        // A message text (what strerror-like tables print) finds its row too; texts that
        // are the identifier again add nothing.
        let t = r.text.trim();
        if distinctive(t) && !is_identifier(t) && !t.contains('%') {
            fragments.push(normalise(t));
            fragment_rows.push(i);
        }
    }
    let fragment_texts = fragments.clone();
    let mut exact = HashMap::new();
    for (f, &row) in fragments.iter().zip(&fragment_rows) {
        exact
            .entry(f.trim_end_matches('.').to_string())
            .or_insert(row);
    }
    // The words before a number go in the same automaton, after the fragments: one pass
    // tells both.
    fragments.extend(
        NUMBER_FORMATS
            .iter()
            .map(|f| f.before.trim_end().to_string()),
    );
    let fragments = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&fragments)
        .ok();
    Tables {
        rows,
        identifiers,
        fragments,
        fragment_rows,
        fragment_texts,
        exact,
    }
}

/// A line as the fragments are kept: ASCII lower case, typographic quotes made plain,
/// markdown's backticks and emphasis dropped, runs of white space one space.
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201E}' => '"',
            '`' | '*' => continue,
            c if c.is_whitespace() => ' ',
            c => c.to_ascii_lowercase(),
        };
        if c == ' ' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

/// Whether [`normalise`] would change more than the case of `s`: most lines need no copy.
pub fn needs_normalising(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2).any(|w| w[0] == b' ' && w[1] == b' ')
        || b.iter()
            .any(|&c| matches!(c, b'`' | b'*' | b'\t' | 0x80..=0xFF))
}

impl Tables {
    /// The row an identifier in the line names (the first one known).
    pub fn by_identifier(&self, line: &str) -> Option<&Row> {
        line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.len() >= 6)
            .find_map(|w| self.identifiers.get(w))
            .and_then(|&i| self.rows.get(i))
    }

    /// The row whose log-line text or message occurs in the line (the longest); `line`
    /// as [`normalise`] leaves it, or as printed when [`needs_normalising`] says it is
    /// the same but for case.
    pub fn by_fragment(&self, line: &str) -> Option<&Row> {
        self.search(line).0
    }

    /// [`Self::by_fragment`], and whether the words one of the libraries prints before a
    /// number occur (see [`Self::by_number`]): one pass.
    pub fn search(&self, line: &str) -> (Option<&Row>, bool) {
        let Some(ac) = self.fragments.as_ref() else {
            return (None, false);
        };
        // Two letters or two digits side by side continue one word or number; a letter
        // then a digit (`0x` then `8008`) is where a value follows.
        let joined = |a: usize, b: usize| match (line.as_bytes().get(a), line.as_bytes().get(b)) {
            (Some(x), Some(y)) => {
                x.is_ascii_alphabetic() && y.is_ascii_alphabetic()
                    || x.is_ascii_digit() && y.is_ascii_digit()
            }
            _ => false,
        };
        let fragments = self.fragment_rows.len();
        let mut best: Option<aho_corasick::Match> = None;
        let mut number = false;
        for m in ac.find_overlapping_iter(line) {
            if m.pattern().as_usize() >= fragments {
                number = true;
                continue;
            }
            // A fragment that ends (or starts) inside a word or number is not that text:
            // `Error: SSL error 1` is not in `Error: SSL error 112`.
            let starts_inside = m.start() > 0 && joined(m.start() - 1, m.start());
            let whole = !(starts_inside || joined(m.end() - 1, m.end()));
            if whole && best.is_none_or(|b| m.end() - m.start() > b.end() - b.start()) {
                best = Some(m);
            }
        }
        let row = best
            .and_then(|m| self.fragment_rows.get(m.pattern().as_usize()))
            .and_then(|&i| self.rows.get(i));
        (row, number)
    }

    /// The row of `table` whose code is `code`.
    pub fn by_code(&self, table: &str, code: i64) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.table == table && r.code == Some(code))
    }

    /// The row whose whole log-line text or message is `quoted` (a library's message a
    /// sketch quotes): not a part of it, which could be any library's.
    pub fn by_exact(&self, quoted: &str) -> Option<&Row> {
        let n = normalise(quoted.trim());
        self.exact
            .get(n.trim_end_matches('.'))
            .and_then(|&i| self.rows.get(i))
    }

    /// Every log-line text and message the fragment search looks for, normalised.
    pub fn fragments(&self) -> impl Iterator<Item = &str> {
        self.fragment_texts.iter().map(String::as_str)
    }

    /// The row a number printed in one of the libraries' formats names; `line` as
    /// [`normalise`] leaves it.
    pub fn by_number(&self, line: &str) -> Option<&Row> {
        NUMBER_FORMATS.iter().find_map(|f| {
            let at = line.find(f.before)? + f.before.len();
            if !f.with.is_empty() && !line.contains(f.with) {
                return None;
            }
            let rest = line[at..].trim_start_matches([' ', '(', '[']);
            let n = super::super::text::number_at(rest)?;
            // One number, two meanings (ESP32's errno 113 is not ESP8266's): the row whose
            // name the line prints wins.
            let rows = || self.rows.iter().filter(|r| f.names(r) && r.code == Some(n));
            rows()
                .find(|r| line.contains(&r.entry.name.to_ascii_lowercase()))
                .or_else(|| rows().next())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_the_folder_is_read_and_every_row_has_its_five_columns() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/monitor/tables/transcribed");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let listed: Vec<String> = FILES.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(on_disk, listed, "FILES lists the folder's tables, in order");
        for (name, text) in FILES {
            assert!(text.contains("# source:"), "{name}: names its source");
            for (i, line) in text.lines().enumerate() {
                if line.starts_with('#') || line.trim().is_empty() {
                    continue;
                }
                assert_eq!(
                    line.split('\t').count(),
                    5,
                    "{name}:{}: five columns",
                    i + 1
                );
            }
            let rows = TABLES.rows.iter().filter(|r| r.table == *name).count();
            assert!(rows > 0, "{name}: no row read");
        }
    }
}
