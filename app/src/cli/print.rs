//! How the command line prints: the credentials report, decoded log lines, and a run's
//! events. Every subcommand prints through these, so a format is written once.

use std::io::Write;

use crate::credentials::{self, Analysis, Kind, Role};
use crate::flash::Event;
use crate::fs::FileEntry;
use crate::monitor;
use crate::partitions;

pub fn listing(title: &str, files: &[FileEntry]) -> String {
    let mut s = format!("{title}:\n");
    if files.is_empty() {
        s.push_str("  (nothing)\n");
    }
    for f in files {
        s.push_str(&format!(
            "  {:<28} {:>9} B  sha256 {}\n",
            f.path, f.len, f.sha256
        ));
    }
    s
}

/// Prints a run's events as they come: a JSON line each, or text with one progress line
/// per segment per tenth of the total.
pub struct Printer {
    json: bool,
    shown: std::collections::HashSet<(usize, u32, bool)>,
}

impl Printer {
    /// A printer for `--json` or text.
    pub fn new(json: bool) -> Self {
        Self {
            json,
            shown: std::collections::HashSet::new(),
        }
    }

    /// Print one event.
    pub fn print(&mut self, e: &Event, out: &mut impl Write) {
        if self.json {
            let _ = writeln!(out, "{}", serde_json::to_string(e).unwrap_or_default());
            return;
        }
        let line = match e {
            Event::Progress(p) => {
                let key = (p.index, (p.fraction() * 10.0) as u32, p.verifying);
                self.shown.insert(key).then(|| p.line())
            }
            other => event_line(other),
        };
        if let Some(line) = line {
            let _ = write!(
                out,
                "{line}{}",
                if line.ends_with('\n') { "" } else { "\n" }
            );
        }
    }
}

/// The text line for an event (progress lines come from [`Printer`], which thins them).
fn event_line(e: &Event) -> Option<String> {
    match e {
        Event::Connecting { port } => Some(format!("connecting to {port}")),
        Event::Connected(b) => Some(format!("connected: {}", b.summary())),
        Event::ReadingTable => Some("reading the board's partition table".into()),
        Event::Notice { message } => Some(format!("note: {message}")),
        Event::Progress(p) => Some(p.line()),
        // The run's outcome line says it, for every target.
        Event::Done(_) => None,
        Event::ReadingPartition {
            label,
            offset,
            size,
        } => Some(format!(
            "reading {label} ({} at {offset:#x})",
            partitions::human_size(*size)
        )),
        Event::Planned {
            label,
            before,
            after,
            formatted,
            bytes,
        } => Some(format!(
            "{}{}{label}: {} to write{}",
            listing(&format!("{label} now"), before),
            listing(&format!("{label} after"), after),
            partitions::human_size(*bytes as u32),
            if *formatted {
                " (a new file system)"
            } else {
                ""
            }
        )),
        Event::Verified { label, files } => Some(format!(
            "read back {label}: {} file(s), every one as meant",
            files.len()
        )),
    }
}

fn date(t: time::OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// The human-readable report `thingflash check` prints.
pub fn render(a: &Analysis) -> String {
    let mut s = String::new();
    for item in &a.items {
        let what = match item.role {
            Role::DeviceCertificate => "device certificate",
            Role::PrivateKey => "private key",
            Role::RootCa => "root CA",
            Role::Ignored => item.kind.short(),
        };
        let unused = if item.role == Role::Ignored
            && matches!(item.kind, Kind::Certificate(_) | Kind::PrivateKey(_))
        {
            " (not used)"
        } else {
            ""
        };
        s.push_str(&format!("{}: {what}{unused}\n", item.source));
        if !item.also_in.is_empty() {
            s.push_str(&format!("  also in:    {}\n", item.also_in.join(", ")));
        }
        match &item.kind {
            Kind::Certificate(c) => {
                if let Some(name) = item.known_root {
                    s.push_str(&format!("  recognised: {name}\n"));
                }
                s.push_str(&format!("  subject CN: {}\n", c.subject_cn));
                s.push_str(&format!("  issuer:     {}\n", c.issuer));
                s.push_str(&format!(
                    "  valid:      {} to {}\n",
                    date(c.not_before),
                    date(c.not_after)
                ));
                s.push_str(&format!("  key:        {}\n", c.key_type));
            }
            Kind::PrivateKey(k) => {
                let enc = if k.was_encrypted { ", decrypted" } else { "" };
                s.push_str(&format!(
                    "  key:        {} ({}{enc})\n",
                    k.key_type, k.format
                ));
            }
            Kind::BrokenKey { key_type, .. } | Kind::PublicKey { key_type } => {
                s.push_str(&format!("  key:        {key_type}\n"));
            }
            Kind::EncryptedKey { scheme, cipher } => {
                s.push_str(&format!("  encrypted:  {scheme}, {cipher}\n"))
            }
            Kind::WrongPassphrase { scheme } => s.push_str(&format!(
                "  encrypted:  {scheme}, the passphrase does not decrypt it\n"
            )),
            Kind::Csr { subject } => s.push_str(&format!("  subject:    {subject}\n")),
            Kind::DamagedCertificate { .. } | Kind::Parameters | Kind::Unknown { .. } => {}
        }
    }
    if !a.findings.is_empty() {
        s.push('\n');
    }
    for f in &a.findings {
        s.push_str(&format!("{f}\n"));
    }
    let count = |sev| a.findings.iter().filter(|f| f.severity == sev).count();
    let (e, w) = (
        count(credentials::Severity::Error),
        count(credentials::Severity::Warning),
    );
    s.push_str(&format!(
        "\n{e} error{}, {w} warning{}: {}\n",
        if e == 1 { "" } else { "s" },
        if w == 1 { "" } else { "s" },
        if a.blocked() {
            "flashing is blocked"
        } else {
            "ready to flash"
        }
    ));
    s
}

/// How one decoded line is printed by `decode` and `monitor`.
pub fn render_line(d: &monitor::Decoded, json: bool) -> String {
    if json {
        return serde_json::to_string(d).unwrap_or_default() + "\n";
    }
    let mut s = format!("{}\n", d.text);
    if let Some(sym) = &d.symbol {
        s.push_str(&format!("  => in {sym}\n"));
    }
    if let Some(e) = &d.explanation {
        s.push_str(&format!(
            "  => {}\n     cause: {}\n     fix:   {}\n",
            e.title, e.cause, e.fix
        ));
    }
    s
}
