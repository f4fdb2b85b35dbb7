//! `thingflash decode`: a saved log, every line with its explanation, and the patterns
//! across lines.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::monitor;

use super::{decoder, render_line, usage_error};

/// `decode`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The log file; `-` or nothing reads standard input.
    pub file: Option<PathBuf>,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
    /// Firmware ELF for symbolising backtraces.
    #[arg(long)]
    pub elf: Option<PathBuf>,
    /// The broker the board connects to (an AWS IoT endpoint, or another broker's host):
    /// the advice fits it. Without it, the hosts the log shows decide.
    #[arg(long)]
    pub endpoint: Option<String>,
}

/// Run it.
pub fn run(args: &Args, out: &mut impl Write) -> ExitCode {
    let mut d = match decoder(args.elf.as_deref(), args.endpoint.as_deref()) {
        Ok(d) => d,
        Err(e) => return usage_error(&e),
    };
    let input: Box<dyn std::io::Read> = match args.file.as_deref() {
        None => Box::new(std::io::stdin().lock()),
        Some(p) if p.as_os_str() == "-" => Box::new(std::io::stdin().lock()),
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => Box::new(f),
            Err(e) => return usage_error(&format!("cannot read {}: {e}", p.display())),
        },
    };
    decode_stream(input, &mut d, args.json, out)
}

/// Stream a log through the decoder, line by line, in bounded memory.
fn decode_stream(
    mut input: impl std::io::Read,
    d: &mut monitor::Decoder,
    json: bool,
    out: &mut impl std::io::Write,
) -> ExitCode {
    let mut assembler = monitor::lines::LineAssembler::new();
    let mut pieces = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut session = DecodeSession {
        decoder: d,
        patterns: monitor::patterns::Patterns::new(),
        line: 0,
        json,
    };
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return usage_error(&e),
        };
        assembler.push(&buf[..n], &mut pieces);
        if !session.write(&mut pieces, out) {
            return ExitCode::SUCCESS;
        }
    }
    assembler.finish(&mut pieces);
    if session.write(&mut pieces, out) {
        session.finish(out);
    }
    ExitCode::SUCCESS
}

/// A saved or pasted log being decoded: line numbers and the patterns across lines.
struct DecodeSession<'a> {
    decoder: &'a mut monitor::Decoder,
    patterns: monitor::patterns::Patterns,
    line: usize,
    json: bool,
}

fn render_pattern(p: &monitor::patterns::Pattern, json: bool) -> String {
    if json {
        #[derive(serde::Serialize)]
        struct Record<'a> {
            pattern: &'a monitor::patterns::Pattern,
        }
        return serde_json::to_string(&Record { pattern: p }).unwrap_or_default() + "\n";
    }
    let lines: Vec<String> = p.lines.iter().map(usize::to_string).collect();
    format!(
        "  => pattern: {}\n     cause: {}\n     fix:   {}\n     lines: {}\n",
        p.explanation.title,
        p.explanation.cause,
        p.explanation.fix,
        lines.join(", ")
    )
}

impl DecodeSession<'_> {
    /// Returns false when the output is closed (`| head`).
    fn write(
        &mut self,
        pieces: &mut Vec<monitor::lines::Piece>,
        out: &mut impl std::io::Write,
    ) -> bool {
        for p in pieces.drain(..) {
            let text = match p {
                monitor::lines::Piece::Line(l) => {
                    self.line += 1;
                    let d = self.decoder.decode_owned(l);
                    let mut text = if self.json {
                        #[derive(serde::Serialize)]
                        struct Record<'a> {
                            line: usize,
                            #[serde(flatten)]
                            decoded: &'a monitor::Decoded,
                        }
                        serde_json::to_string(&Record {
                            line: self.line,
                            decoded: &d,
                        })
                        .unwrap_or_default()
                            + "\n"
                    } else {
                        render_line(&d, false)
                    };
                    if let Some(p) = self.patterns.push(self.line, &d, None) {
                        text.push_str(&render_pattern(&p, self.json));
                    }
                    text
                }
                monitor::lines::Piece::NoiseDetected => {
                    format!("(noise: {})\n", monitor::lines::NOISE_HINT)
                }
            };
            if out.write_all(text.as_bytes()).is_err() {
                return false;
            }
        }
        true
    }

    /// The patterns with their final counts, once the whole excerpt was read.
    fn finish(&mut self, out: &mut impl std::io::Write) {
        let summary = self.patterns.summary();
        if summary.is_empty() {
            return;
        }
        let mut text = if self.json {
            String::new()
        } else {
            "\npatterns across the whole log:\n".to_string()
        };
        for p in &summary {
            text.push_str(&render_pattern(p, self.json));
        }
        let _ = out.write_all(text.as_bytes());
    }
}
