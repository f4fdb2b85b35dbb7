//! The monitor against recorded-format logs (golden files + snapshots), through full
//! connect / fail / reconnect sequences, over a real pseudo-terminal (split lines,
//! garbage, unplug and replug), and symbolising against a real ELF.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;

use crate::common::Board;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use thingflash::cli::render_line;
use thingflash::monitor::reader::{self, MonitorConfig, MonitorMsg};
use thingflash::monitor::{self, BoardStatus, Decoded, Decoder, Level, Light, Step};

fn logs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/logs")
}

fn decode_file(name: &str) -> Vec<Decoded> {
    let bytes = std::fs::read(logs_dir().join(name)).unwrap();
    monitor::decode_text(&String::from_utf8_lossy(&bytes))
}

fn status_of(lines: &[Decoded]) -> BoardStatus {
    let mut s = BoardStatus::default();
    let now = Instant::now();
    for l in lines {
        s.apply(l, now);
    }
    s
}

fn lights(s: &BoardStatus) -> Vec<(&'static str, Light)> {
    Step::ALL
        .iter()
        .map(|st| (st.label(), s.light(*st)))
        .collect()
}

#[test]
fn golden_logs_decode_as_snapshotted() {
    let mut names: Vec<String> = std::fs::read_dir(logs_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".log"))
        .collect();
    names.sort();
    assert!(names.len() >= 8, "golden logs missing: {names:?}");
    for name in names {
        let text: String = decode_file(&name)
            .iter()
            .map(|d| render_line(d, false))
            .collect();
        insta::assert_snapshot!(name.trim_end_matches(".log").to_string(), text);
    }
}

#[test]
fn connect_ok_lights_every_stage() {
    let s = status_of(&decode_file("thingflash-connect-ok.log"));
    assert!(
        lights(&s).iter().all(|(_, l)| *l == Light::Ok),
        "{:?}",
        lights(&s)
    );
    assert_eq!((s.messages_out, s.messages_in, s.boots), (2, 1, 1));
    assert_eq!(s.ip.as_deref(), Some("192.168.1.23"));
    assert_eq!(s.heap_min, Some(30112));
    assert!(s.last_error.is_none());
}

#[test]
fn clock_not_set_shows_time_and_tls_red_with_the_clock_explained() {
    let s = status_of(&decode_file("thingflash-clock-not-set.log"));
    assert_eq!(s.light(Step::Time), Light::Failed);
    assert_eq!(s.light(Step::Tls), Light::Failed);
    let e = &s.last_error.as_ref().unwrap().explanation;
    assert!(e.title.contains("BADCERT_FUTURE"), "{e:?}");
    assert!(e.cause.contains("clock was never set"), "{e:?}");
    assert_eq!(s.reconnects, 1);
}

#[test]
fn policy_hangup_then_not_authorized() {
    let lines = decode_file("thingflash-policy-hangup.log");
    let hangup = lines
        .iter()
        .find(|d| d.text.contains("before_connack"))
        .unwrap();
    assert!(
        hangup
            .explanation
            .as_ref()
            .unwrap()
            .fix
            .contains("iot:Connect")
    );
    let s = status_of(&lines);
    assert_eq!(s.light(Step::Tls), Light::Ok);
    assert_eq!(s.light(Step::Mqtt), Light::Failed);
    assert!(
        s.last_error
            .as_ref()
            .unwrap()
            .explanation
            .title
            .contains("Not authorized")
    );
}

#[test]
fn reconnect_after_failure_clears_the_red_light() {
    let mut lines = decode_file("thingflash-policy-hangup.log");
    lines.extend(monitor::decode_text(
        "[tf1] retry stage=mqtt attempt=3 delay_ms=8000\n[tf1] tls.start host=h port=8883\n[tf1] tls.ok version=TLSv1.3 cipher=x ms=800\n[tf1] mqtt.connecting client_id=c keepalive=60\n[tf1] mqtt.connack reason=0x00 session=0 ms=90\n",
    ));
    let s = status_of(&lines);
    assert_eq!(s.light(Step::Mqtt), Light::Ok);
    assert_eq!(s.reconnects, 2);
    // The last error stays visible until the user clears it: it explains the earlier failure.
    assert!(s.last_error.is_some());
}

#[test]
fn every_error_line_in_the_golden_logs_is_explained() {
    for entry in std::fs::read_dir(logs_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !name.ends_with(".log") {
            continue;
        }
        for d in decode_file(&name) {
            if d.level == Level::Error && d.source != monitor::Source::Panic {
                assert!(
                    d.explanation.is_some(),
                    "{name}: unexplained error line {:?}",
                    d.text
                );
            }
        }
    }
}

#[inline(never)]
pub fn thingflash_symbolizer_probe(x: u32) -> u32 {
    x.wrapping_mul(2_654_435_761).rotate_left(7)
}

#[test]
fn backtrace_addresses_are_symbolised_from_an_elf() {
    use object::{Object as _, ObjectSymbol as _};
    assert_eq!(
        thingflash_symbolizer_probe(1),
        thingflash_symbolizer_probe(1)
    );
    let exe = std::env::current_exe().unwrap();
    let data = std::fs::read(&exe).unwrap();
    let file = object::File::parse(&*data).unwrap();
    let sym = file
        .symbols()
        .find(|s| {
            s.name()
                .is_ok_and(|n| n.contains("thingflash_symbolizer_probe"))
                && s.address() != 0
        })
        .expect("probe symbol in the test binary");
    let addr = sym.address();
    let symbols = monitor::symbols::Symbolizer::load(&exe).unwrap();
    let mut d = Decoder::with_symbols(symbols);
    let log = format!(
        "====================== PANIC ======================\npanicked at x\nBacktrace:\n0x{addr:08x}\n"
    );
    let decoded: Vec<Decoded> = log.lines().map(|l| d.decode(l)).collect();
    let sym = decoded[3].symbol.as_deref().expect("symbolised");
    assert!(sym.contains("thingflash_symbolizer_probe"), "{sym}");
    assert!(sym.contains("monitor.rs"), "{sym}");
}

#[test]
fn the_embedded_firmwares_backtraces_are_symbolised_once_its_boot_event_names_it() {
    use object::{Object as _, ObjectSymbol as _};
    use thingflash::chip::Chip;
    for chip in Chip::thingflash_chips() {
        let file = object::File::parse(thingflash::firmware::elf(chip).unwrap()).unwrap();
        let sym = file
            .symbols()
            .find(|s| {
                s.name()
                    .is_ok_and(|n| n.contains("19thingflash_firmware3say"))
                    && s.address() != 0
            })
            .expect("the firmware's `say` in its symbol table");
        let addr = sym.address() + 4;
        let panic = |d: &mut Decoder| {
            let log = format!(
                "====================== PANIC ======================\npanicked at x\nBacktrace:\n0x{addr:08x}\n"
            );
            let decoded: Vec<Decoded> = log.lines().map(|l| d.decode(l)).collect();
            decoded[3].symbol.clone()
        };
        let boot = |elf: &str| {
            format!(
                "[tf1] boot fw=0.1.0 chip={} mac=24:0a:c4:1f:67:7d reset=PowerOn elf={elf}",
                chip.name()
            )
        };

        let mut d = Decoder::new();
        assert_eq!(panic(&mut d), None, "no symbols before a boot event");
        d.decode(&boot(thingflash::firmware::elf_id(chip).unwrap()));
        assert!(d.has_symbols());
        let sym = panic(&mut d).expect("symbolised with the embedded ELF");
        assert!(sym.contains("thingflash_firmware::say"), "{chip}: {sym}");

        // Another firmware on the board: its addresses mean nothing in our ELF.
        d.decode(&boot("0123456789abcdef"));
        assert!(!d.has_symbols());
        assert_eq!(panic(&mut d), None);
    }
}

fn wait_for(
    rx: &mpsc::Receiver<MonitorMsg>,
    what: &str,
    mut f: impl FnMut(&MonitorMsg) -> bool,
) -> Vec<Decoded> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut lines = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let msg = rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("timed out waiting for {what}; got {lines:#?}"));
        let done = f(&msg);
        if let MonitorMsg::Lines(l) = msg {
            lines.extend(l);
        }
        if done {
            return lines;
        }
    }
}

#[test]
fn live_reader_over_a_pty_survives_split_lines_garbage_and_unplug() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyBOARD");
    let mut board = Board::plug(&link);
    let (tx, rx) = mpsc::channel();
    let handle = reader::spawn(
        MonitorConfig {
            port: link.to_string_lossy().into_owned(),
            baud: 115_200,
            reset: false,
            boot_baud: None,
        },
        Decoder::new(),
        tx,
        || {},
    );
    wait_for(&rx, "connect", |m| {
        matches!(m, MonitorMsg::Connected { .. })
    });

    // A line split across writes, with \r\n, and a UTF-8 character split in two.
    board.send(b"[tf1] wifi.connecting ssid=\"caf");
    std::thread::sleep(Duration::from_millis(50));
    board.send(&"é".as_bytes()[..1]);
    std::thread::sleep(Duration::from_millis(50));
    board.send(&"é".as_bytes()[1..]);
    board.send(b"\" attempt=1\r\n[tf1] wifi.connected ip=10.0.0.2 rssi=-40\r\n");
    let lines = wait_for(&rx, "two lines", {
        let mut n = 0;
        move |m| {
            if let MonitorMsg::Lines(l) = m {
                n += l.len();
            }
            n >= 2
        }
    });
    assert!(
        lines[0].text.contains("ssid=\"café\""),
        "{:?}",
        lines[0].text
    );
    assert!(lines[0].event.is_some() && lines[1].event.is_some());

    // Noise at the wrong baud rate.
    let noise: Vec<u8> = (0..2048u32)
        .map(|i| (i * 97 % 251) as u8)
        .filter(|b| *b != b'\n' && *b != b'\r')
        .collect();
    board.send(&noise);
    board.send(b"\n");
    let lines = wait_for(
        &rx,
        "noise hint",
        |m| matches!(m, MonitorMsg::Lines(l) if l.iter().any(|d| d.explanation.as_ref().is_some_and(|e| e.title.contains("baud")))),
    );
    assert!(!lines.is_empty());

    // Unplug: the reader reports it and keeps trying.
    drop(board);
    std::fs::remove_file(&link).unwrap();
    wait_for(&rx, "disconnect", |m| {
        matches!(m, MonitorMsg::Disconnected { .. })
    });

    // Replug (a USB-JTAG port comes back after a reset): reconnects by itself.
    let mut board = Board::plug(&link);
    wait_for(&rx, "reconnect", |m| {
        matches!(m, MonitorMsg::Connected { .. })
    });
    board.send(b"[tf1] boot fw=0.1.0 chip=esp32c3 mac=aa reset=UsbJtag\n");
    let lines = wait_for(&rx, "line after replug", |m| {
        matches!(m, MonitorMsg::Lines(_))
    });
    assert!(lines[0].text.starts_with("[tf1] boot"));
    handle.stop();
}

/// `thingflash decode - --json` with `input` on its standard input.
fn decode_json_from_stdin(input: &[u8]) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_thingflash"))
        .args(["decode", "-", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn decode_cli_reads_files_and_stdin_and_exits_zero() {
    let exe = env!("CARGO_BIN_EXE_thingflash");
    let log = logs_dir().join("arduino-esp8266-bearssl-failures.log");
    let out = std::process::Command::new(exe)
        .arg("decode")
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("configTime"), "{text}");
    let out = decode_json_from_stdin(b"[tf1] mqtt.connack reason=0x87 session=0 ms=3\n");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["level"], "error");
    assert!(
        v["explanation"]["fix"]
            .as_str()
            .unwrap()
            .contains("iot:Connect")
    );
}

#[test]
fn monitor_cli_prints_decoded_lines_and_exits_cleanly_on_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyCLI");
    let mut board = Board::plug(&link);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_thingflash"))
        .args(["monitor", "--port", link.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait on what the monitor prints, not on the clock: a loaded CI machine can take longer
    // than any fixed sleep to open the port (CI run of stop 24 sent the line before it did).
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let (line_tx, line_rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in std::io::BufRead::lines(stdout) {
            let line = line.unwrap();
            all.push_str(&line);
            all.push('\n');
            let _ = line_tx.send(line);
        }
        all
    });
    let wait_line = |what: &str| {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match line_rx.recv_timeout(left) {
                Ok(line) if line.contains(what) => return,
                Ok(_) => {}
                Err(e) => panic!("no line with {what:?} from the monitor: {e}"),
            }
        }
    };
    wait_line("-- connected to");
    board.send(b"[tf1] mqtt.connack reason=0x87 session=0 ms=3\n");
    wait_line("Not authorized");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let status = child.wait().unwrap();
    let text = reader.join().unwrap();
    assert!(status.success(), "exit {status:?}\n{text}");
    assert!(text.contains("-- connected to"), "{text}");
    assert!(text.contains("Not authorized"), "{text}");
}

#[test]
fn the_log_is_bounded_and_saves_with_explanations() {
    let mut log = monitor::log::LogBuffer::new(3);
    for d in monitor::decode_text(
        "a\nb\n[tf1] mqtt.connack reason=0x87 session=0 ms=3\nc\n[tf1] wifi.disconnected reason=201\n",
    ) {
        log.push(d);
    }
    assert_eq!((log.len(), log.dropped()), (3, 2));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saved.log");
    log.save(&path).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.starts_with("# 2 older lines were dropped"), "{text}");
    assert!(
        text.contains("[tf1] wifi.disconnected reason=201\n#   WiFi: NO_AP_FOUND"),
        "{text}"
    );
}

#[test]
fn reset_on_a_port_without_modem_lines_is_explained_and_reading_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyRESET");
    let mut board = Board::plug(&link);
    let (tx, rx) = mpsc::channel();
    let handle = reader::spawn(
        MonitorConfig {
            port: link.to_string_lossy().into_owned(),
            baud: 115_200,
            reset: true,
            boot_baud: None,
        },
        Decoder::new(),
        tx,
        || {},
    );
    wait_for(&rx, "connect", |m| {
        matches!(m, MonitorMsg::Connected { .. })
    });
    // A pseudo-terminal has no RTS/DTR lines: the reset fails and says what to do.
    let reason = loop {
        match rx.recv_timeout(Duration::from_secs(10)).unwrap() {
            MonitorMsg::Notice(reason) => break reason,
            _ => continue,
        }
    };
    assert!(reason.contains("press its RESET button"), "{reason}");
    board.send(b"[tf1] wifi.disconnected reason=8\n");
    let lines = wait_for(&rx, "a line after the failed reset", |m| {
        matches!(m, MonitorMsg::Lines(_))
    });
    assert!(lines[0].event.is_some());
    handle.stop();
}

/// A log as makers paste it into an issue: a code fence, `> ` quotes, the Arduino IDE's
/// timestamps, ANSI colours, line numbers, CRLF. `decode --json` gives each line's rule
/// id and number, and the patterns across lines with the lines they used.
#[test]
fn decode_json_reads_a_pasted_excerpt_with_rule_ids_lines_and_patterns() {
    let pasted = concat!(
        "```\r\n",
        "> 10:21:30.101 -> Attempting MQTT connection...failed, rc=-2 try again in 5 seconds\r\n",
        "> 10:21:35.230 -> Attempting MQTT connection...failed, rc=-2 try again in 5 seconds\r\n",
        "> 10:21:40.355 -> \u{1b}[0;31m[  6213][E][ssl_client.cpp:37] _handle_error(): [start_ssl_client():273]: (-9984) X509 - Certificate verification failed, e.g. CRL, CA or signature check failed\u{1b}[0m\r\n",
        "> 10:21:40.360 -> Attempting MQTT connection...failed, rc=-2 try again in 5 seconds\r\n",
        "12: ets Jan  8 2013,rst cause:4, boot mode:(3,6)\r\n",
        "```\r\n",
    );
    let out = decode_json_from_stdin(pasted.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    let records: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let rule_of = |line: u64| {
        records
            .iter()
            .find(|r| r["line"] == line)
            .and_then(|r| r["explanation"]["rule"].as_str())
            .map(str::to_string)
    };
    assert_eq!(rule_of(1), None, "the code fence carries nothing");
    assert_eq!(rule_of(2).as_deref(), Some("pubsubclient-state"));
    assert_eq!(rule_of(4).as_deref(), Some("arduino-ssl-client"));
    assert_eq!(rule_of(6).as_deref(), Some("esp8266-rom-reset"));
    let tls = records.iter().find(|r| r["line"] == 4).unwrap();
    assert!(
        tls["explanation"]["title"]
            .as_str()
            .unwrap()
            .contains("MBEDTLS_ERR_X509_CERT_VERIFY_FAILED"),
        "{tls}"
    );
    // Three failed attempts: one reconnect-loop pattern naming its lines.
    let patterns: Vec<&serde_json::Value> =
        records.iter().filter_map(|r| r.get("pattern")).collect();
    assert!(!patterns.is_empty(), "{records:#?}");
    let p = patterns
        .iter()
        .find(|p| p["rule"] == "reconnect-loop")
        .unwrap();
    assert!(p["count"].as_u64().unwrap() >= 3);
    assert_eq!(p["lines"][0], 2);
    assert_eq!(p["explanation"]["rule"], "reconnect-loop");
}

/// The status model shows a boot loop once, with its count, and keeps counting.
#[test]
fn a_brownout_boot_loop_is_one_pattern_with_its_count() {
    let log =
        "rst:0xf (BROWNOUT_RST),boot:0x8 (SPI_FAST_FLASH_BOOT)\nBrownout detector was triggered\n"
            .repeat(5);
    let lines = monitor::decode_text(&log);
    let mut s = BoardStatus::default();
    let t0 = Instant::now();
    for (i, d) in lines.iter().enumerate() {
        s.apply(d, t0 + std::time::Duration::from_millis(800 * i as u64));
    }
    let patterns = s.patterns();
    let boot: Vec<_> = patterns.iter().filter(|p| p.rule == "boot-loop").collect();
    assert_eq!(boot.len(), 1, "{patterns:#?}");
    assert_eq!(boot[0].count, 5);
    assert!(
        boot[0].explanation.title.contains("BROWNOUT_RST"),
        "{:?}",
        boot[0].explanation.title
    );
    assert!(boot[0].explanation.fix.contains("brown-out"));
    assert_eq!(boot[0].period_ms, Some(1600));
}

/// TLS done, then closed before CONNACK, as the ESP8266 core's debug output shows it.
#[test]
fn tls_then_close_before_connack_is_named_a_policy_problem() {
    let log =
        "BSSL:Connected!\nAttempting MQTT connection...failed, rc=-4 try again in 5 seconds\n";
    let lines = monitor::decode_text(log);
    let mut p = monitor::patterns::Patterns::new();
    let found: Vec<_> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, d)| p.push(i + 1, d, None))
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, "tls-then-close");
    assert!(found[0].explanation.fix.contains("iot:Connect"));
    assert_eq!(found[0].lines, [2]);
}

/// The speed the reader set on the pty's slave, read through the master (on Linux a
/// pty master answers termios requests with its slave's settings). termios2, because
/// 74880 is not one of the standard Bxxx speeds.
#[allow(unsafe_code)]
fn slave_speed(board: &Board) -> u32 {
    use std::os::fd::AsRawFd as _;
    nix::ioctl_read_bad!(tcgets2, nix::libc::TCGETS2, nix::libc::termios2);
    let mut t: nix::libc::termios2 = unsafe { std::mem::zeroed() };
    // SAFETY: TCGETS2 fills a termios2 through a valid pointer on an open tty fd.
    unsafe { tcgets2(board.master.as_raw_fd(), &mut t) }.unwrap();
    t.c_ospeed
}

fn wait_speed(board: &Board, want: u32, when: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while slave_speed(board) != want {
        assert!(
            Instant::now() < deadline,
            "{when}: the reader did not switch to {want} baud (still {})",
            slave_speed(board)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn esp8266_monitor_reads_the_rom_at_74880_then_the_sketch_at_its_speed() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyESP8266");
    let mut board = Board::plug(&link);
    let (tx, rx) = mpsc::channel();
    let handle = reader::spawn(
        MonitorConfig {
            port: link.to_string_lossy().into_owned(),
            baud: 115_200,
            reset: false,
            boot_baud: Some(reader::ESP8266_ROM_BAUD),
        },
        Decoder::new(),
        tx,
        || {},
    );
    wait_for(&rx, "connect", |m| {
        matches!(m, MonitorMsg::Connected { .. })
    });
    wait_speed(&board, 74_880, "on open");
    board.send(b"\r\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n\r\nload 0x4010f000, len 3460, room 16 \r\ntail 4\r\nchksum 0xcc\r\ncsum 0xcc\r\nv3d128e5c\r\n~ld\r\n");
    let lines = wait_for(
        &rx,
        "the ROM's hand-over",
        |m| matches!(m, MonitorMsg::Lines(l) if l.iter().any(|d| d.text == "~ld")),
    );
    let banner = lines
        .iter()
        .find(|d| d.text.contains("rst cause:2"))
        .expect("banner line");
    assert!(
        banner
            .explanation
            .as_ref()
            .is_some_and(|e| e.title.contains("reset")),
        "{banner:?}"
    );
    wait_speed(&board, 115_200, "after ~ld");
    board.send(b"sketch up\r\n");
    wait_for(
        &rx,
        "the sketch's line",
        |m| matches!(m, MonitorMsg::Lines(l) if l.iter().any(|d| d.text == "sketch up")),
    );

    // A reset: the banner arrives as noise at 115200 (74880-baud bits read at 115200 are
    // mostly high bytes and framing garbage), and the reader goes back to 74880.
    let noise: Vec<u8> = (0..2048u32).map(|i| (i * 97 % 251) as u8 | 0xF0).collect();
    board.send(&noise);
    wait_speed(&board, 74_880, "after noise");
    board.send(b"\r\n ets Jan  8 2013,rst cause:4, boot mode:(3,6)\r\n~ld\r\n");
    wait_speed(&board, 115_200, "after the second ~ld");
    handle.stop();
}

#[test]
fn esp8266_crash_report_is_named_with_the_sketchs_elf_as_addr2line_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let elf = crate::common::lx106::sketch(dir.path());
    let f = crate::common::lx106::symbols(&elf);
    // The crash as the core prints it (core_esp8266_postmortem.cpp): the faulting load in
    // read_sensor, return addresses into loop and _start on the stack, and an on_timer
    // address in IRAM; stack positions and data words around them.
    let fault = f["read_sensor"] + 4;
    let in_loop = f["loop"] + 0xc;
    let in_start = f["_start"] + 6;
    let in_iram = f["on_timer"] + 2;
    let log = format!(
        "\n--------------- CUT HERE FOR EXCEPTION DECODER ---------------\n\n\
         Exception (28):\n\
         epc1=0x{fault:08x} epc2=0x00000000 epc3=0x00000000 excvaddr=0x00000000 depc=0x00000000\n\n\
         >>>stack>>>\n\nctx: cont\nsp: 3ffffe20 end: 3fffffc0 offset: 0150\n\
         3fffff70:  3fffdad0 00000000 3ffee75c {in_loop:08x}  \n\
         3fffff80:  3ffe8b5c {in_iram:08x} 3fffff90 {in_start:08x} <\n\
         3fffff90:  feefeffe feefeffe 3ffee7f0 00000000  \n\
         <<<stack<<<\n\nlast failed alloc call: {:08X}(1024)\n\n\
         --------------- CUT HERE FOR EXCEPTION DECODER ---------------\n",
        f["publish"] + 3
    );
    let mut d = Decoder::with_symbols(monitor::symbols::Symbolizer::load(&elf).unwrap());
    let decoded: Vec<Decoded> = log.lines().map(|l| d.decode(l)).collect();
    let symbol_of = |prefix: &str| {
        decoded
            .iter()
            .find(|x| x.text.starts_with(prefix))
            .and_then(|x| x.symbol.clone())
            .unwrap_or_else(|| panic!("no symbol on the {prefix:?} line: {decoded:#?}"))
    };
    let expect = |addr: u64| {
        let (function, location) = crate::common::lx106::addr2line(&elf, addr);
        format!("{function} at {location}")
    };
    assert_eq!(symbol_of("epc1="), expect(fault));
    assert!(expect(fault).starts_with("read_sensor at esp8266-sketch/sketch.c:"));
    // One code word on the line: its name alone; several: each after its address.
    assert_eq!(symbol_of("3fffff70:"), expect(in_loop));
    assert_eq!(
        symbol_of("3fffff80:"),
        format!(
            "{in_iram:#010x}: {}; {in_start:#010x}: {}",
            expect(in_iram),
            expect(in_start)
        )
    );
    assert_eq!(
        symbol_of("last failed alloc call"),
        expect(f["publish"] + 3)
    );
    // A line of data words only is not given a name.
    let data = decoded
        .iter()
        .find(|x| x.text.starts_with("3fffff90:"))
        .unwrap();
    assert_eq!(data.symbol, None);
    // The report's lines keep their explanations.
    let rule = |prefix: &str| {
        decoded
            .iter()
            .find(|x| x.text.starts_with(prefix))
            .and_then(|x| x.explanation.as_ref())
            .map(|e| e.rule.to_string())
    };
    assert_eq!(rule("Exception (28)").as_deref(), Some("esp8266-exception"));
    assert_eq!(rule("ctx: cont").as_deref(), Some("esp8266-ctx-cont"));
}

#[test]
fn esp8266_soft_wdt_stack_is_named_too() {
    let dir = tempfile::tempdir().unwrap();
    let elf = crate::common::lx106::sketch(dir.path());
    let f = crate::common::lx106::symbols(&elf);
    let in_loop = f["loop"] + 0xc;
    let mut d = Decoder::with_symbols(monitor::symbols::Symbolizer::load(&elf).unwrap());
    let log = format!(
        "\n--------------- CUT HERE FOR EXCEPTION DECODER ---------------\n\nSoft WDT reset\n\n\
         >>>stack>>>\n\nctx: cont\nsp: 3ffffe20 end: 3fffffc0 offset: 01a0\n\
         3ffffe20:  00000000 3ffee75c 3ffe8b5c {in_loop:08x}  \n<<<stack<<<\n"
    );
    let decoded: Vec<Decoded> = log.lines().map(|l| d.decode(l)).collect();
    let line = decoded
        .iter()
        .find(|x| x.text.starts_with("3ffffe20:"))
        .unwrap();
    let (function, _) = crate::common::lx106::addr2line(&elf, in_loop);
    assert_eq!(function, "loop");
    assert!(
        line.symbol
            .as_deref()
            .is_some_and(|s| s.contains("loop at esp8266-sketch/sketch.c:")),
        "{line:?}"
    );
}

/// The failures any broker can give, as boards print them: PubSubClient's refusals, a
/// server certificate that does not verify, BearSSL's trust error, a CONNACK refusal, a
/// hang-up after TLS, and a failure that says nothing.
const ANY_BROKER_FAILURES: &str = "\
Attempting MQTT connection...failed, rc=5 try again in 5 seconds
Attempting MQTT connection...failed, rc=-2 try again in 5 seconds
Attempting MQTT connection...failed, rc=-4 try again in 5 seconds
[  6213][E][ssl_client.cpp:37] _handle_error(): [start_ssl_client():273]: (-9984) X509 - Certificate verification failed, e.g. CRL, CA or signature check failed
Last SSL error code: 62
[tf1] tls.ok version=TLSv1.2 cipher=TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256 ms=910
[tf1] mqtt.closed phase=before_connack
[tf1] mqtt.connack reason=0x87 session=0 ms=80
Connection failed!
";

/// Everything explained, causes and fixes.
fn advice(d: &mut Decoder, log: &str) -> String {
    monitor::decode_text_with(d, log)
        .iter()
        .filter_map(|l| l.explanation.as_ref())
        .map(|e| format!("{} | {} | {}\n", e.title, e.cause, e.fix))
        .collect()
}

#[test]
fn another_brokers_board_gets_no_aws_advice_and_an_aws_board_gets_it() {
    let aws_words = ["AWS", "Amazon", "iot:", "policy", "-ats"];
    for endpoint in [
        "test.mosquitto.org",
        "192.168.1.10:1883",
        "broker.hivemq.com",
    ] {
        let said = advice(
            &mut Decoder::new().with_endpoint(endpoint),
            ANY_BROKER_FAILURES,
        );
        for w in aws_words {
            assert!(!said.contains(w), "{endpoint}: {w:?} in\n{said}");
        }
        // What fits another broker is said instead.
        assert!(
            said.contains("username and password"),
            "{endpoint}:\n{said}"
        );
        assert!(
            said.lines().count() >= 8,
            "{endpoint}: every failure explained:\n{said}"
        );
    }
    let aws = advice(
        &mut Decoder::new().with_endpoint("a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com"),
        ANY_BROKER_FAILURES,
    );
    assert!(aws.contains("iot:Connect"), "{aws}");
    assert!(aws.contains("Amazon Root CA 1"), "{aws}");
}

#[test]
fn without_an_endpoint_the_host_the_log_connects_to_decides() {
    let log = format!("Connecting to MQTT broker test.mosquitto.org:8883\n{ANY_BROKER_FAILURES}");
    let said = advice(&mut Decoder::new(), &log);
    assert!(!said.contains("iot:"), "{said}");
    assert!(!said.contains("Amazon"), "{said}");
    let log = format!(
        "Connecting to a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com\n{ANY_BROKER_FAILURES}"
    );
    assert!(advice(&mut Decoder::new(), &log).contains("iot:Connect"));
    // The board's own address on the LAN says nothing of the broker.
    let log = format!("WiFi connected, IP 192.168.1.57\n{ANY_BROKER_FAILURES}");
    assert!(advice(&mut Decoder::new(), &log).contains("iot:Connect"));
}

#[test]
fn the_cli_decodes_for_the_endpoint_given() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("board.log");
    std::fs::write(&log, ANY_BROKER_FAILURES).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_thingflash"))
        .args(["decode", "--endpoint", "test.mosquitto.org"])
        .arg(&log)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("iot:") && !text.contains("Amazon"), "{text}");
    assert!(text.contains("username and password"), "{text}");
}

#[test]
fn a_failure_without_a_code_gets_causes_in_order_and_what_to_turn_on() {
    let esp8266 = "ets Jan  8 2013,rst cause:2, boot mode:(3,6)\nWiFi connected\nIP address: 192.168.1.57\nConnecting to xxx-ats.iot.us-east-1.amazonaws.com\nConnection failed!\n";
    let said = advice(&mut Decoder::new(), esp8266);
    assert!(said.contains("1) the clock was never set"), "{said}");
    assert!(said.contains("setDebugOutput"), "{said}");
    assert!(
        !said.contains("Core Debug Level"),
        "an ESP8266 has no such menu: {said}"
    );
    let esp32 = "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\nMQTT connect failed\n";
    let said = advice(&mut Decoder::new().with_endpoint("192.168.1.10"), esp32);
    assert!(said.contains("Core Debug Level"), "{said}");
    assert!(said.contains("1883 is plain MQTT"), "{said}");
    assert!(!said.contains("policy"), "{said}");
}

/// What a paste does to a line: markdown's backticks and one-line fences, doubled or
/// lost spaces, another case, typographic quotes, debug noise after it. The line is read
/// as the board printed it.
#[test]
fn pasted_lines_read_as_printed() {
    let printed = [
        (
            "1503753981: Client ESP-34E1C6F61B44 disconnected, not authorised.",
            "mosquitto-log",
        ),
        ("E (1234) SPIFFS: mount failed, -10025", "spiffs"),
        (
            "BSSL:Couldn't connect. Error = 'Certificate is expired or not yet valid.'",
            "bearssl-code",
        ),
    ];
    for (line, rule) in printed {
        let rule_of = |l: &str| {
            Decoder::new()
                .decode(l)
                .explanation
                .map(|e| e.rule.to_string())
                .unwrap_or_default()
        };
        assert_eq!(rule_of(line), rule, "{line}");
        let pastes = [
            format!("```{line}```"),
            format!("`{line}`"),
            line.replace(' ', "  "),
            line.to_uppercase(),
            // A word processor's quotes: an opening one after a space, closing ones (and
            // apostrophes) elsewhere.
            line.replace(" '", " \u{2018}").replace('\'', "\u{2019}"),
            format!("{line} [dbg 0x3ffb1c20]"),
            format!("> {line}"),
        ];
        for p in pastes {
            assert_eq!(rule_of(&p), rule, "pasted as {p:?}");
        }
    }
}

#[test]
fn waiting_for_mqtt_ends_green_or_with_how_far_the_board_got_when_time_is_up() {
    use thingflash::monitor::wait::{self, WaitError};
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("board");
    let cfg = MonitorConfig {
        port: link.display().to_string(),
        baud: 115_200,
        reset: false,
        boot_baud: None,
    };
    // A board that reaches the broker: green as soon as CONNACK 0 is read.
    let mut board = Board::plug(&link);
    board.send(
        b"[tf1] boot fw=0.1.0 chip=esp32c3 mac=24:0a:c4:1f:67:7d reset=PowerOn\r\n\
          [tf1] wifi.connected ip=10.0.0.7 rssi=-50\r\n\
          [tf1] mqtt.connack reason=0x00 session=0 ms=95\r\n",
    );
    let status = wait::until(
        cfg.clone(),
        Decoder::new(),
        Step::Mqtt,
        Duration::from_secs(20),
    )
    .unwrap();
    assert_eq!(status.light(Step::Mqtt), Light::Ok);
    drop(board);
    // One that joins the WiFi and then says nothing: time up, with the stage it reached.
    let mut board = Board::plug(&link);
    board.send(b"[tf1] wifi.connected ip=10.0.0.7 rssi=-50\r\n");
    let e = wait::until(
        cfg.clone(),
        Decoder::new(),
        Step::Mqtt,
        Duration::from_secs(2),
    )
    .unwrap_err();
    assert!(
        matches!(e, WaitError::TimedOut { reached: "IP", .. }),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        "the board did not reach MQTT in 2 s (it got as far as IP)"
    );
    drop(board);
    // One that prints nothing of thingflash's: the fix says to check what runs on it.
    let _board = Board::plug(&link);
    let e = wait::until(cfg, Decoder::new(), Step::Mqtt, Duration::from_secs(1)).unwrap_err();
    assert!(
        e.fix().contains("printed no thingflash event"),
        "{}",
        e.fix()
    );
}
