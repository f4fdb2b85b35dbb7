//! The run's report: one row per board, as CSV (for a spreadsheet) and JSON lines (for a
//! program): MAC, port, chip, thing, certificate id and SHA-256 (of the certificate's
//! DER), target, result, seconds, and for a failure the error and its fix. No key.

use std::io::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// One board's line.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportRow {
    /// 12 hex digits.
    pub mac: String,
    /// The port it was on.
    pub port: String,
    /// The USB bridge's serial number, where the port has one.
    pub usb_serial: String,
    /// Its chip.
    pub chip: String,
    /// Its thing.
    pub thing: String,
    /// The certificate on it.
    pub certificate_id: String,
    /// SHA-256 of the certificate's DER, hex.
    pub certificate_sha256: String,
    /// What runs on it.
    pub target: String,
    /// `provisioned`, `skipped` (it was already), or `failed`.
    pub result: String,
    /// Seconds the board took.
    pub seconds: f64,
    /// Why it failed.
    pub error: String,
    /// What to do.
    pub fix: String,
    /// Where its key was made: `board` (it never left the board), `ec-p256` (here, in
    /// memory; AWS signed its CSR) or `rsa-2048` (by AWS).
    pub key: String,
}

const HEADER: &str = "mac,port,usb_serial,chip,thing,certificate_id,certificate_sha256,target,result,seconds,error,fix,key";

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Write the report as `<stem>.csv` and `<stem>.jsonl` beside `path` (whatever its
/// extension); the paths written.
pub fn write(path: &Path, rows: &[ReportRow]) -> std::io::Result<Vec<std::path::PathBuf>> {
    let csv_path = path.with_extension("csv");
    let jsonl_path = path.with_extension("jsonl");
    let mut csv = std::fs::File::create(&csv_path)?;
    writeln!(csv, "{HEADER}")?;
    let mut jsonl = std::fs::File::create(&jsonl_path)?;
    for r in rows {
        let cells = [
            r.mac.as_str(),
            &r.port,
            &r.usb_serial,
            &r.chip,
            &r.thing,
            &r.certificate_id,
            &r.certificate_sha256,
            &r.target,
            &r.result,
            &format!("{:.1}", r.seconds),
            &r.error,
            &r.fix,
            &r.key,
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        writeln!(csv, "{}", line.join(","))?;
        writeln!(
            jsonl,
            "{}",
            serde_json::to_string(r).map_err(std::io::Error::other)?
        )?;
    }
    csv.sync_data()?;
    jsonl.sync_data()?;
    Ok(vec![csv_path, jsonl_path])
}

/// A report's rows, from its JSON lines.
pub fn read(path: &Path) -> std::io::Result<Vec<ReportRow>> {
    std::fs::read_to_string(path.with_extension("jsonl"))?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(std::io::Error::other))
        .collect()
}
