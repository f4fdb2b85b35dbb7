//! The journal: one JSON line per board and step, appended and flushed to the disk before
//! the next step starts, so that a run cut anywhere (a crash, a pulled cable, SIGKILL,
//! Ctrl-C) can be resumed: each board ends provisioned exactly once, and a certificate
//! made but never written is found and removed. It holds no key and no password.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// One step of one board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum Entry {
    /// The board on a port answered: its MAC is its identity from now on.
    Identified {
        /// 12 hex digits.
        mac: String,
        /// Where it was seen.
        port: String,
        /// The port's USB serial number, where it has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        usb_serial: Option<String>,
        /// Its chip.
        chip: String,
    },
    /// A certificate is about to be asked for: a run cut before the answer is recorded
    /// leaves one in AWS that only this entry (and its time) can find.
    Requested {
        /// The board.
        mac: String,
        /// Its thing.
        thing: String,
        /// When, in milliseconds since 1970.
        at_ms: u64,
    },
    /// A certificate exists in AWS for the board (not yet on it).
    Certificate {
        /// The board.
        mac: String,
        /// Its thing.
        thing: String,
        /// The certificate id.
        id: String,
        /// Its ARN.
        arn: String,
    },
    /// The certificate is attached to the policy and the thing.
    Attached {
        /// The board.
        mac: String,
        /// The certificate id.
        id: String,
    },
    /// The credentials are on the board, read back and checked.
    Done {
        /// The board.
        mac: String,
        /// Its thing.
        thing: String,
        /// The certificate on it.
        id: String,
    },
    /// A certificate that never reached its board was deactivated and deleted.
    Removed {
        /// The board.
        mac: String,
        /// The certificate id.
        id: String,
    },
    /// The board failed at a step.
    Failed {
        /// The board.
        mac: String,
        /// The step it failed at.
        at: String,
        /// Why, in words.
        error: String,
    },
}

impl Entry {
    /// The board the entry is about.
    pub fn mac(&self) -> &str {
        match self {
            Entry::Identified { mac, .. }
            | Entry::Requested { mac, .. }
            | Entry::Certificate { mac, .. }
            | Entry::Attached { mac, .. }
            | Entry::Done { mac, .. }
            | Entry::Removed { mac, .. }
            | Entry::Failed { mac, .. } => mac,
        }
    }
}

/// Where a board stands after the entries so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BoardState {
    /// Its thing, once a certificate was made for it.
    pub thing: Option<String>,
    /// A certificate made for it and not removed: (id, ARN).
    pub certificate: Option<(String, String)>,
    /// It was provisioned (the certificate in `certificate` is the one on it).
    pub done: bool,
    /// A certificate was asked for at this time (ms since 1970) and the answer was never
    /// recorded.
    pub requested_ms: Option<u64>,
}

/// Every certificate id the journal names (to tell a station's own from an orphan).
pub fn known_certificates(states: &HashMap<String, BoardState>) -> Vec<String> {
    states
        .values()
        .filter_map(|b| b.certificate.as_ref().map(|(id, _)| id.clone()))
        .collect()
}

/// The journal file, open for appending.
pub struct Journal {
    file: std::fs::File,
}

/// Why the journal cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Reading or writing failed.
    #[error("cannot use the journal {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// A line is not a journal entry.
    #[error(
        "line {line} of the journal {path} is not a journal entry: the file was edited or is not thingflash's journal"
    )]
    Damaged {
        /// The file.
        path: String,
        /// The line.
        line: usize,
    },
}

impl Journal {
    /// Open (or make) the journal for appending. A last line cut short by a crash is cut
    /// off first: its step did not finish, and what follows must start on a line of its own.
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        let io = |source| JournalError::Io {
            path: path.display().to_string(),
            source,
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(io)?;
        let text = std::fs::read(path).map_err(io)?;
        if !text.is_empty() && !text.ends_with(b"\n") {
            let keep = text.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            file.set_len(keep as u64).map_err(io)?;
        }
        Ok(Self { file })
    }

    /// Append one entry and put it on the disk before returning.
    pub fn append(&mut self, e: &Entry) -> std::io::Result<()> {
        let mut line = serde_json::to_string(e).map_err(std::io::Error::other)?;
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        self.file.sync_data()
    }
}

/// Every board's state after the journal's entries. A missing file is an empty journal;
/// a last line cut short by a crash is ignored (its step did not finish).
pub fn replay(path: &Path) -> Result<HashMap<String, BoardState>, JournalError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(JournalError::Io {
                path: path.display().to_string(),
                source,
            });
        }
    };
    let mut boards: HashMap<String, BoardState> = HashMap::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        let entry: Entry = match serde_json::from_str(l) {
            Ok(e) => e,
            Err(_) if i + 1 == lines.len() && !text.ends_with('\n') => break,
            Err(_) => {
                return Err(JournalError::Damaged {
                    path: path.display().to_string(),
                    line: i + 1,
                });
            }
        };
        let b = boards.entry(entry.mac().to_string()).or_default();
        match entry {
            Entry::Requested { thing, at_ms, .. } => {
                b.thing = Some(thing);
                b.requested_ms = Some(at_ms);
            }
            Entry::Certificate { thing, id, arn, .. } => {
                b.thing = Some(thing);
                b.certificate = Some((id, arn));
                b.requested_ms = None;
                b.done = false;
            }
            Entry::Done { thing, id, .. } => {
                b.thing = Some(thing);
                b.done = b.certificate.as_ref().is_some_and(|(c, _)| *c == id);
            }
            Entry::Removed { id, .. } => {
                if b.certificate.as_ref().is_some_and(|(c, _)| *c == id) {
                    b.certificate = None;
                }
                // A removed orphan settles a request whose answer was lost.
                b.requested_ms = None;
            }
            Entry::Identified { .. } | Entry::Attached { .. } | Entry::Failed { .. } => {}
        }
    }
    Ok(boards)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_run_replays_to_what_each_board_needs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut j = Journal::open(&path).unwrap();
        let cert = |mac: &str, id: &str| Entry::Certificate {
            mac: mac.into(),
            thing: format!("t-{mac}"),
            id: id.into(),
            arn: format!("arn:{id}"),
        };
        j.append(&cert("a", "c1")).unwrap();
        j.append(&Entry::Done {
            mac: "a".into(),
            thing: "t-a".into(),
            id: "c1".into(),
        })
        .unwrap();
        j.append(&cert("b", "c2")).unwrap();
        j.append(&Entry::Requested {
            mac: "c".into(),
            thing: "t-c".into(),
            at_ms: 1_700_000_000_000,
        })
        .unwrap();
        drop(j);
        // A line cut short by the crash.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"step\":\"done\",\"mac\":\"b\"")
            .unwrap();
        let s = replay(&path).unwrap();
        // Resuming cuts the partial line off and appends after the last whole one.
        let mut j = Journal::open(&path).unwrap();
        j.append(&Entry::Removed {
            mac: "b".into(),
            id: "c2".into(),
        })
        .unwrap();
        let resumed = replay(&path).unwrap();
        assert_eq!(resumed["b"].certificate, None);
        assert!(s["a"].done);
        assert!(!s["b"].done);
        assert_eq!(s["b"].certificate, Some(("c2".into(), "arn:c2".into())));
        // A request whose answer was never recorded is known by its time.
        assert_eq!(s["c"].requested_ms, Some(1_700_000_000_000));
        assert_eq!(s["c"].certificate, None);
        assert!(replay(&dir.path().join("none")).unwrap().is_empty());
    }
}
