//! A run as a station's operator follows it: one line per board (port, chip, MAC, thing,
//! stage, result), the counts, the rate and the time left. Folded from the station's
//! [`BoardEvent`]s, so the window's table and the command line's summary say the same.

use std::time::{Duration, Instant};

use super::report::ReportRow;
use super::station::BoardEvent;

/// How a board ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Result {
    /// Provisioned in this run.
    Provisioned,
    /// Done in an earlier run (the journal says so).
    Skipped,
    /// Written with a batch's claim: it provisions itself when it first connects.
    Written,
    /// Failed: the line's error and fix say why.
    Failed,
}

impl Result {
    /// The word the report uses.
    pub fn word(self) -> &'static str {
        match self {
            Result::Provisioned => "provisioned",
            Result::Skipped => "skipped",
            Result::Written => "written",
            Result::Failed => "failed",
        }
    }

    /// From the report's word.
    pub fn from_word(word: &str) -> Option<Self> {
        [
            Result::Provisioned,
            Result::Skipped,
            Result::Written,
            Result::Failed,
        ]
        .into_iter()
        .find(|r| r.word() == word)
    }
}

/// One board in the table.
#[derive(Clone, Debug)]
pub struct BoardLine {
    /// Its port.
    pub port: String,
    /// Its chip, once identified.
    pub chip: String,
    /// Its MAC, once identified.
    pub mac: String,
    /// The thing it becomes, once its manifest row is found.
    pub thing: String,
    /// What it is doing now, or did last.
    pub stage: String,
    /// How it ended, once it did.
    pub result: Option<Result>,
    /// Why it failed.
    pub error: String,
    /// What to do about it.
    pub fix: String,
    started: Instant,
    /// Seconds it took, once finished.
    pub seconds: f64,
}

/// Boards per result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Provisioned in this run.
    pub provisioned: usize,
    /// Done before.
    pub skipped: usize,
    /// Written with a claim (they provision themselves).
    pub written: usize,
    /// Failed.
    pub failed: usize,
    /// Still under way.
    pub under_way: usize,
}

impl Counts {
    /// The counts of a finished run's report rows.
    pub fn of_rows(rows: &[ReportRow]) -> Self {
        let mut c = Counts::default();
        for r in rows {
            c.add(Result::from_word(&r.result));
        }
        c
    }

    fn add(&mut self, r: Option<Result>) {
        match r {
            Some(Result::Provisioned) => self.provisioned += 1,
            Some(Result::Skipped) => self.skipped += 1,
            Some(Result::Written) => self.written += 1,
            Some(Result::Failed) => self.failed += 1,
            None => self.under_way += 1,
        }
    }

    /// Finished, one way or the other.
    pub fn finished(&self) -> usize {
        self.provisioned + self.skipped + self.written + self.failed
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} provisioned, ", self.provisioned)?;
        if self.written > 0 {
            write!(
                f,
                "{} written with the claim (they provision themselves when they connect), ",
                self.written
            )?;
        }
        write!(
            f,
            "{} skipped (done before), {} failed",
            self.skipped, self.failed
        )?;
        if self.under_way > 0 {
            write!(f, ", {} under way", self.under_way)?;
        }
        Ok(())
    }
}

/// The run so far.
#[derive(Clone, Debug)]
pub struct Progress {
    lines: Vec<BoardLine>,
    started: Instant,
    expected: Option<usize>,
}

impl Progress {
    /// A run that started at `now` and is expected to take `expected` boards (the
    /// manifest's rows, the ports named, or the count asked for), when that is known.
    pub fn new(expected: Option<usize>, now: Instant) -> Self {
        Self {
            lines: Vec::new(),
            started: now,
            expected,
        }
    }

    /// Every board seen, in the order they started.
    pub fn lines(&self) -> &[BoardLine] {
        &self.lines
    }

    /// The board on `port` now: the last line for it that has not finished.
    fn current(&mut self, port: &str) -> Option<&mut BoardLine> {
        self.lines
            .iter_mut()
            .rev()
            .find(|l| l.port == port && l.result.is_none())
    }

    /// The board on `port`, a new line when its last board has finished.
    fn line(&mut self, port: &str, now: Instant) -> &mut BoardLine {
        if self.current(port).is_none() {
            self.lines.push(BoardLine {
                port: port.to_string(),
                chip: String::new(),
                mac: String::new(),
                thing: String::new(),
                stage: "identifying the board".into(),
                result: None,
                error: String::new(),
                fix: String::new(),
                started: now,
                seconds: 0.0,
            });
        }
        let i = self
            .lines
            .iter()
            .rposition(|l| l.port == port && l.result.is_none())
            .unwrap_or(0);
        &mut self.lines[i]
    }

    /// Take one event of the station.
    pub fn apply(&mut self, e: &BoardEvent, now: Instant) {
        match e {
            BoardEvent::Started { port } => {
                self.line(port, now);
            }
            BoardEvent::Identified { port, board } => {
                let line = self.line(port, now);
                line.chip = board.chip.name().to_string();
                line.mac = board.mac.clone().unwrap_or_default();
            }
            BoardEvent::Bound { port, mac, thing } => {
                let line = self.line(port, now);
                line.mac.clone_from(mac);
                line.thing.clone_from(thing);
            }
            BoardEvent::Step { port, step, .. } => {
                self.line(port, now).stage = (*step).to_string();
            }
            BoardEvent::Finished(row) => {
                let line = self.line(&row.port, now);
                line.result = Some(Result::from_word(&row.result).unwrap_or(Result::Failed));
                line.stage = match line.result {
                    Some(Result::Failed) => "stopped".into(),
                    _ => "done".into(),
                };
                for (to, from) in [
                    (&mut line.mac, &row.mac),
                    (&mut line.chip, &row.chip),
                    (&mut line.thing, &row.thing),
                ] {
                    if !from.is_empty() {
                        to.clone_from(from);
                    }
                }
                line.error.clone_from(&row.error);
                line.fix.clone_from(&row.fix);
                line.seconds = row.seconds;
            }
        }
    }

    /// Boards per result, the ones under way included.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for l in &self.lines {
            c.add(l.result);
        }
        c
    }

    /// Boards finished per minute since the run started; none before the first finished.
    pub fn per_minute(&self, now: Instant) -> Option<f64> {
        let done = self.counts().finished();
        let minutes = now.saturating_duration_since(self.started).as_secs_f64() / 60.0;
        (done > 0 && minutes > 0.0).then(|| done as f64 / minutes)
    }

    /// At the rate so far, how long the boards still expected take.
    pub fn time_left(&self, now: Instant) -> Option<Duration> {
        let left = self.expected?.saturating_sub(self.counts().finished());
        if left == 0 {
            return None;
        }
        let rate = self.per_minute(now)?;
        Some(Duration::from_secs_f64(left as f64 / rate * 60.0))
    }

    /// How long the board on this line has taken so far (or took).
    pub fn elapsed(line: &BoardLine, now: Instant) -> f64 {
        match line.result {
            Some(_) => line.seconds,
            None => now.saturating_duration_since(line.started).as_secs_f64(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::chip::Chip;
    use crate::flash::BoardInfo;

    fn finished(port: &str, mac: &str, result: &str) -> BoardEvent {
        BoardEvent::Finished(Box::new(ReportRow {
            port: port.into(),
            mac: mac.into(),
            result: result.into(),
            seconds: 3.0,
            ..ReportRow::default()
        }))
    }

    #[test]
    fn a_port_that_serves_two_boards_in_turn_has_two_lines() {
        let t0 = Instant::now();
        let mut p = Progress::new(Some(4), t0);
        p.apply(&BoardEvent::Started { port: "a".into() }, t0);
        p.apply(
            &BoardEvent::Identified {
                port: "a".into(),
                board: BoardInfo {
                    chip: Chip::Esp32c3,
                    revision: None,
                    flash_bytes: None,
                    mac: Some("aa:bb:cc:00:00:01".into()),
                },
            },
            t0,
        );
        p.apply(
            &BoardEvent::Bound {
                port: "a".into(),
                mac: "aabbcc000001".into(),
                thing: "kitchen-aabbcc000001".into(),
            },
            t0,
        );
        p.apply(&finished("a", "aabbcc000001", "provisioned"), t0);
        p.apply(&BoardEvent::Started { port: "a".into() }, t0);
        p.apply(&BoardEvent::Started { port: "b".into() }, t0);
        p.apply(&finished("b", "", "failed"), t0);
        let lines = p.lines();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].thing, "kitchen-aabbcc000001");
        assert_eq!(lines[0].chip, Chip::Esp32c3.name());
        assert_eq!(lines[0].result, Some(Result::Provisioned));
        assert_eq!(lines[1].result, None);
        assert_eq!(lines[2].result, Some(Result::Failed));
        let c = p.counts();
        assert_eq!((c.provisioned, c.failed, c.under_way), (1, 1, 1));
        assert_eq!(
            c.to_string(),
            "1 provisioned, 0 skipped (done before), 1 failed, 1 under way"
        );
    }

    #[test]
    fn rate_and_time_left_follow_the_boards_finished() {
        let t0 = Instant::now();
        let mut p = Progress::new(Some(10), t0);
        assert_eq!(p.per_minute(t0 + Duration::from_secs(30)), None);
        assert_eq!(p.time_left(t0 + Duration::from_secs(30)), None);
        for port in ["a", "b"] {
            p.apply(&BoardEvent::Started { port: port.into() }, t0);
            p.apply(&finished(port, "", "provisioned"), t0);
        }
        // Two boards in the first minute: 2 a minute, 8 left, 4 minutes.
        let at = t0 + Duration::from_secs(60);
        assert_eq!(p.per_minute(at), Some(2.0));
        assert_eq!(p.time_left(at), Some(Duration::from_secs(240)));
        // Unknown total: no time left, still a rate.
        let open = Progress::new(None, t0);
        assert_eq!(open.time_left(at), None);
    }

    #[test]
    fn every_report_word_reads_back() {
        for r in [
            Result::Provisioned,
            Result::Skipped,
            Result::Written,
            Result::Failed,
        ] {
            assert_eq!(Result::from_word(r.word()), Some(r));
        }
        assert_eq!(Result::from_word("maybe"), None);
    }
}
