//! The manifest: which thing each board becomes. A CSV with a header row and the columns
//! `thing` (a name, or a pattern such as `kitchen-{mac}`), `mac` (bind the row to one
//! board; empty for a pattern row), `attributes` (`room=kitchen;floor=2`) and `groups`
//! (`sensors;kitchen`). Rows bound to a MAC win; one pattern row serves every other board.
//! Every row is checked before anything is written, and every refusal says why.

use crate::chip::Chip;
use crate::provision::policy;

/// A pattern's placeholders: the board's MAC (12 hex digits, no separators), its last six
/// digits, and the chip's short name.
pub const PLACEHOLDERS: &[&str] = &["mac", "mac6", "chip"];

/// One row, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The row's line in the file (1 is the header).
    pub line: usize,
    /// The thing name or pattern.
    pub thing: String,
    /// The board it is for (12 hex digits, lower case), when bound to one.
    pub mac: Option<String>,
    /// Thing attributes.
    pub attributes: Vec<(String, String)>,
    /// Thing groups.
    pub groups: Vec<String>,
}

/// What a board becomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The thing name (also the MQTT client id).
    pub thing: String,
    /// Its attributes.
    pub attributes: Vec<(String, String)>,
    /// Its groups.
    pub groups: Vec<String>,
}

/// The rows, checked.
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    bound: Vec<Row>,
    pattern: Option<Row>,
}

/// Why the manifest cannot be used: where, what, and what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if *line == 0 { String::new() } else { format!("line {line}: ") })]
pub struct ManifestError {
    /// The line (0: the file as a whole).
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub fix: String,
}

fn refuse(line: usize, message: impl Into<String>, fix: impl Into<String>) -> ManifestError {
    ManifestError {
        line,
        message: message.into(),
        fix: fix.into(),
    }
}

/// A MAC as `aabbccddeeff`, from `aa:bb:cc:dd:ee:ff`, `AA-BB-...` or bare digits.
pub fn normalise_mac(mac: &str) -> Option<String> {
    let hex: String = mac
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | '.'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (hex.len() == 12 && hex.chars().all(|c| c.is_ascii_hexdigit())).then_some(hex)
}

/// The placeholders a pattern names, or why it is malformed.
fn placeholders(pattern: &str) -> Result<Vec<&str>, String> {
    let mut found = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(format!("'}}' without '{{' in '{pattern}'"));
        }
        let after = &rest[open + 1..];
        let close = after
            .find(['{', '}'])
            .filter(|&c| after[c..].starts_with('}'))
            .ok_or_else(|| format!("'{{' without '}}' in '{pattern}'"))?;
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!("unknown placeholder {{{name}}} in '{pattern}'"));
        }
        found.push(name);
        rest = &after[close + 1..];
    }
    Ok(found)
}

/// `pattern` with the board's values in.
fn expand(pattern: &str, mac: &str, chip: Chip) -> String {
    pattern
        .replace("{mac6}", &mac[6..])
        .replace("{mac}", mac)
        .replace("{chip}", chip.name())
}

fn split_list(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

impl Manifest {
    /// Read and check a manifest; every refusal at once.
    pub fn parse(text: &str) -> Result<Self, Vec<ManifestError>> {
        let mut errors = Vec::new();
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let Some((_, header)) = lines.next() else {
            return Err(vec![refuse(
                0,
                "the manifest is empty",
                "write a header row `thing,mac,attributes,groups` and one row per board, or one pattern row such as `kitchen-{mac},,,`",
            )]);
        };
        let columns: Vec<String> = csv_cells(header)
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let at = |name: &str| columns.iter().position(|c| c == name);
        let Some(thing_at) = at("thing") else {
            return Err(vec![refuse(
                1,
                "the header has no `thing` column",
                "start the file with the header row `thing,mac,attributes,groups`",
            )]);
        };
        let (mac_at, attr_at, group_at) = (at("mac"), at("attributes"), at("groups"));
        let mut manifest = Manifest::default();
        for (i, raw) in lines {
            let line = i + 1;
            let Some(cells) = csv_cells(raw) else {
                errors.push(refuse(
                    line,
                    "a quoted cell is not closed on its line",
                    "close the quote (\"...\"), or save the sheet again as CSV; a cell cannot span lines",
                ));
                continue;
            };
            let cell = |c: Option<usize>| {
                c.and_then(|c| cells.get(c))
                    .map(String::as_str)
                    .unwrap_or("")
            };
            let thing = cell(Some(thing_at)).to_string();
            let mut attributes = Vec::new();
            for pair in split_list(cell(attr_at)) {
                match pair.split_once('=') {
                    Some((k, v)) if !k.trim().is_empty() => {
                        attributes.push((k.trim().to_string(), v.trim().to_string()))
                    }
                    _ => errors.push(refuse(
                        line,
                        format!("the attribute '{pair}' is not name=value"),
                        "write attributes as name=value pairs separated by ';' (room=kitchen;floor=2)",
                    )),
                }
            }
            let mac = match cell(mac_at) {
                "" => None,
                m => match normalise_mac(m) {
                    Some(m) => Some(m),
                    None => {
                        errors.push(refuse(
                            line,
                            format!("'{m}' is not a MAC address"),
                            "write the board's MAC as six hex pairs (24:0a:c4:12:34:56), or leave it empty for a pattern row",
                        ));
                        continue;
                    }
                },
            };
            let row = Row {
                line,
                thing,
                mac,
                attributes,
                groups: split_list(cell(group_at)),
            };
            if row.thing.is_empty() {
                errors.push(refuse(
                    line,
                    "the thing name is empty",
                    "give every row a thing name or a pattern such as kitchen-{mac}",
                ));
                continue;
            }
            let names = match placeholders(&row.thing) {
                Ok(n) => n,
                Err(e) => {
                    errors.push(refuse(
                        line,
                        e,
                        "use only {mac}, {mac6} or {chip} in a pattern",
                    ));
                    continue;
                }
            };
            // The name AWS will see, with a sample board's values for a pattern.
            let sample = expand(&row.thing, "240ac4123456", Chip::Esp32c3);
            if policy::validate_thing_name(&sample).is_err() {
                errors.push(refuse(
                    line,
                    format!("'{}' does not make a valid thing name", row.thing),
                    "use 1-128 letters, digits, ':', '_' or '-' (and the placeholders)",
                ));
                continue;
            }
            match (&row.mac, names.is_empty()) {
                (Some(_), _) => manifest.bound.push(row),
                (None, true) => errors.push(refuse(
                    line,
                    format!("the row '{}' names neither a board (mac) nor a placeholder", row.thing),
                    "give the row the board's MAC, or make it a pattern with {mac} so that every board gets its own name",
                )),
                (None, false) if !names.iter().any(|n| *n == "mac" || *n == "mac6") => errors.push(refuse(
                    line,
                    format!("the pattern '{}' gives every board of a chip the same name", row.thing),
                    "put {mac} (or {mac6}) in the pattern",
                )),
                (None, false) => match &manifest.pattern {
                    Some(first) => errors.push(refuse(
                        line,
                        format!("a second pattern row (the first is on line {})", first.line),
                        "keep one pattern row; bind other rows to their board's MAC",
                    )),
                    None => manifest.pattern = Some(row),
                },
            }
        }
        // Two rows for one board, or one thing for two boards.
        for (i, a) in manifest.bound.iter().enumerate() {
            for b in &manifest.bound[i + 1..] {
                if a.mac == b.mac {
                    errors.push(refuse(
                        b.line,
                        format!(
                            "the board {} has a row already (line {})",
                            b.mac.as_deref().unwrap_or_default(),
                            a.line
                        ),
                        "keep one row per board",
                    ));
                }
                if a.thing == b.thing {
                    errors.push(refuse(
                        b.line,
                        format!("the thing name '{}' is on line {} too", b.thing, a.line),
                        "give every board its own thing name",
                    ));
                }
            }
        }
        if manifest.bound.is_empty() && manifest.pattern.is_none() && errors.is_empty() {
            errors.push(refuse(
                0,
                "the manifest has no rows",
                "add one row per board, or one pattern row such as kitchen-{mac},,,",
            ));
        }
        if errors.is_empty() {
            Ok(manifest)
        } else {
            Err(errors)
        }
    }

    /// How many boards the manifest lists when it has no pattern row (then it serves no
    /// other board); `None` with a pattern row, which serves any number.
    pub fn listed(&self) -> Option<usize> {
        self.pattern.is_none().then_some(self.bound.len())
    }

    /// What the manifest says, in one line: `12 boards listed, and every other board
    /// becomes kitchen-{mac}; groups: sensors`.
    pub fn describe(&self) -> String {
        let mut s = match (self.bound.len(), &self.pattern) {
            (0, Some(p)) => format!("every board becomes {}", p.thing),
            (n, Some(p)) => format!(
                "{n} board{} listed, and every other board becomes {}",
                if n == 1 { "" } else { "s" },
                p.thing
            ),
            (n, None) => format!("{n} board{} listed", if n == 1 { "" } else { "s" }),
        };
        let groups = self.groups();
        if !groups.is_empty() {
            s.push_str(&format!("; groups: {}", groups.join(", ")));
        }
        s
    }

    /// Every thing group a row names, once.
    pub fn groups(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .bound
            .iter()
            .chain(&self.pattern)
            .flat_map(|r| r.groups.iter().cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// What the board with this MAC becomes; `Err` when no row serves it.
    pub fn bind(&self, mac: &str, chip: Chip) -> Result<Binding, ManifestError> {
        let row = self
            .bound
            .iter()
            .find(|r| r.mac.as_deref() == Some(mac))
            .or(self.pattern.as_ref())
            .ok_or_else(|| {
                refuse(
                    0,
                    format!("no row of the manifest is for the board {mac}"),
                    "add a row with its MAC, or a pattern row such as kitchen-{mac},,,",
                )
            })?;
        Ok(Binding {
            thing: expand(&row.thing, mac, chip),
            attributes: row.attributes.clone(),
            groups: row.groups.clone(),
        })
    }
}

/// Where a station keeps the journal and the report of a manifest when none are named:
/// beside it, named after it (`NAME-journal.jsonl`, `NAME-report.csv/.jsonl`), so that the
/// same manifest opened again resumes its run.
pub fn run_files(manifest: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let stem = manifest
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "fleet".into());
    let dir = manifest.parent().unwrap_or(std::path::Path::new("."));
    (
        dir.join(format!("{stem}-journal.jsonl")),
        dir.join(format!("{stem}-report")),
    )
}

/// The cells of one CSV line (RFC 4180): spreadsheets quote the cells they export
/// (`"kitchen-{mac}","",...`), and a quoted cell may hold commas and doubled quotes.
/// Each cell trimmed; `None` when a quote is left open.
fn csv_cells(line: &str) -> Option<Vec<String>> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.trim().is_empty() => {
                cell.clear();
                quoted = true;
            }
            (false, ',') => cells.push(std::mem::take(&mut cell).trim().to_string()),
            (false, c) => cell.push(c),
        }
    }
    if quoted {
        return None;
    }
    cells.push(cell.trim().to_string());
    Some(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_row_names_every_board_and_a_bound_row_wins() {
        let m = Manifest::parse(
            "thing,mac,attributes,groups\nkitchen-{mac6},,room=kitchen,sensors\nhall,24:0A:C4:00:00:01,,\n",
        )
        .unwrap();
        let b = m.bind("240ac4123456", Chip::Esp32c3).unwrap();
        assert_eq!(b.thing, "kitchen-123456");
        assert_eq!(b.attributes, [("room".to_string(), "kitchen".to_string())]);
        assert_eq!(b.groups, ["sensors"]);
        assert_eq!(m.bind("240ac4000001", Chip::Esp32c6).unwrap().thing, "hall");
    }

    #[test]
    fn every_bad_row_is_refused_with_its_line_and_fix() {
        let errors = Manifest::parse(
            "thing,mac,attributes,groups\n\
             kitchen-{serial},,,\n\
             kitchen-{mac,,,\n\
             one,24:0a:c4:00:00:01,,\n\
             two,24:0a:c4:00:00:01,,\n\
             one,24:0a:c4:00:00:02,,\n\
             fixed,,,\n\
             same-{chip},,,\n\
             bad name!,24:0a:c4:00:00:03,,\n\
             x,zz,,\n\
             y,24:0a:c4:00:00:04,room,\n",
        )
        .unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 7, 8, 9, 10, 11, 5, 6], "{errors:#?}");
        assert!(
            errors
                .iter()
                .all(|e| !e.fix.is_empty() && !e.message.contains("Some("))
        );
    }

    #[test]
    fn a_spreadsheets_quoted_cells_read_as_plain_ones() {
        let m = Manifest::parse(
            "thing,mac,attributes,groups\n\"desk-{mac6}\",\"\",\"room=lab\",\"\"\n",
        )
        .unwrap();
        let b = m.bind("240ac4123456", Chip::Esp32c3).unwrap();
        assert_eq!(b.thing, "desk-123456");
        assert_eq!(b.attributes, [("room".to_string(), "lab".to_string())]);
    }

    #[test]
    fn a_quoted_cell_keeps_its_commas_and_doubled_quotes() {
        assert_eq!(
            csv_cells(r#"desk-1, "a=1;note=""left, by the door""" ,x"#).unwrap(),
            ["desk-1", r#"a=1;note="left, by the door""#, "x"]
        );
        let m = Manifest::parse(
            "thing,mac,attributes,groups\n\"desk-{mac6}\",,\"room=lab, east wing\",\"a;b\"\n",
        )
        .unwrap();
        let b = m.bind("240ac4123456", Chip::Esp32c3).unwrap();
        assert_eq!(
            b.attributes,
            [("room".to_string(), "lab, east wing".to_string())]
        );
        assert_eq!(b.groups, ["a", "b"]);
    }

    #[test]
    fn a_quote_left_open_is_refused_with_its_line() {
        let e = Manifest::parse("thing,mac\n\"desk-1,240ac4000001\n").unwrap_err();
        assert_eq!(e[0].line, 2);
        assert!(
            e[0].message.contains("quoted cell is not closed"),
            "{}",
            e[0]
        );
    }

    #[test]
    fn a_second_pattern_is_refused() {
        let e = Manifest::parse("thing\na-{mac}\nb-{mac}\n").unwrap_err();
        assert_eq!(e[0].line, 3);
    }
}
