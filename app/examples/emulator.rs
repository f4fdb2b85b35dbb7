//! The emulator harness (`scripts/emulator`, never part of the test command): the included
//! firmware, built with feature `emulator`, end to end on Espressif's QEMU `esp32c3` machine
//! with its OpenCores Ethernet MAC on slirp's user network.
//!
//! Needs: its own network and mount namespace (`scripts/emulator` starts it under
//! `unshare`, so it may bind ports 53 and 123 and give slirp its own resolv.conf), Espressif's
//! `qemu-system-riscv32` (`--qemu`), the emulator image's ELF (`--elf`), and the peers
//! dnsmasq, chronyd, mosquitto, openssl, ip and mount. Missing ones fail loudly.
//!
//! What it sets up: mosquitto with client certificates (as the connection tests do) and
//! AWS's fleet fake for a refusal, dnsmasq answering the broker's name and the firmware's
//! default NTP servers with the host (10.0.2.2 from the guest), chronyd serving time. Each
//! scenario flashes a fresh 4 MB image made by the library (`bundle::plan`) and reads the
//! board's event lines as the monitor does:
//! - `happy`: boot, creds.ok, an address by DHCP, time set, TLS up, MQTT connected,
//!   telemetry seen by `mosquitto_sub`, a `ping` command answered; the broker stopped
//!   (retries with backoff) and started again (connected again);
//! - `wrong-ca`: a root CA that did not sign the broker: the handshake's failure, explained;
//! - `policy`: a certificate whose policy refuses `iot:Connect`: closed before CONNACK,
//!   explained.
//!
//! Figures: the heap's low-water mark through the handshake (the firmware's `mem` event,
//! the allocator's own maximum), the main stack's unused bytes, and the time from power-on to
//! the first telemetry, in emulator instructions' time (`-icount shift=3`) and wall time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use thingflash::bundle::{self, DeviceCreds, FlashSize};
use thingflash::chip::Chip;
use thingflash::credentials::CredentialSet;
use thingflash::monitor::Decoder;
use thingflash_protocol::config::DeviceConfig;
use thingflash_protocol::event::Event;
use thingflash_testkit::fleet::FleetFake;
use thingflash_testkit::{Broker, EMULATOR_BROKER, Pki, peer, run};

/// The client id, the CN of the PKI's P-256 device certificate.
const THING: &str = "thingflash-p256";
/// The emulator's flash: QEMU takes 2, 4, 8 or 16 MB images.
const FLASH: usize = 4 << 20;
/// How long a step may take, in wall time (TLS on an emulated CPU is slow on a loaded host).
const STEP: Duration = Duration::from_secs(90);

struct Args {
    qemu: PathBuf,
    elf: PathBuf,
    out: PathBuf,
}

fn args() -> Result<Args, String> {
    let mut qemu = None;
    let mut elf = None;
    let mut out = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let v = it.next().ok_or(format!("{a} needs a value"))?;
        match a.as_str() {
            "--qemu" => qemu = Some(PathBuf::from(v)),
            "--elf" => elf = Some(PathBuf::from(v)),
            "--out" => out = Some(PathBuf::from(v)),
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    Ok(Args {
        qemu: qemu.ok_or("--qemu PATH (Espressif's qemu-system-riscv32) is required")?,
        elf: elf.ok_or("--elf PATH (the emulator build of the firmware) is required")?,
        out: out.ok_or("--out DIR (where the logs go) is required")?,
    })
}

/// The guest's network as slirp gives it, and what answers there.
struct Network {
    children: Vec<Child>,
}

impl Network {
    fn start(dir: &Path) -> Self {
        run(Command::new(peer("ip")).args(["link", "set", "lo", "up"]));
        // slirp forwards the guest's DNS (10.0.2.3) to the first nameserver here.
        let resolv = dir.join("resolv.conf");
        std::fs::write(&resolv, "nameserver 127.0.0.1\n").unwrap();
        run(Command::new(peer("mount"))
            .args(["--bind"])
            .arg(&resolv)
            .arg("/etc/resolv.conf"));
        let mut dns = Command::new(peer("dnsmasq"));
        dns.args([
            "--keep-in-foreground",
            "--no-resolv",
            "--no-hosts",
            "--listen-address=127.0.0.1",
            "--bind-interfaces",
            "--port=53",
            // In a user namespace there are no groups to change to.
            "--user=root",
            "--group=",
            "--log-queries",
        ])
        .arg(format!("--pid-file={}", dir.join("dnsmasq.pid").display()))
        .arg(format!(
            "--log-facility={}",
            dir.join("dnsmasq.log").display()
        ));
        // The firmware's default NTP servers and the broker: all the host.
        for name in [EMULATOR_BROKER, "pool.ntp.org", "time.google.com"] {
            dns.arg(format!("--address=/{name}/10.0.2.2"));
        }
        let conf = dir.join("chrony.conf");
        std::fs::write(
            &conf,
            format!(
                "port 123\nbindaddress 127.0.0.1\nallow 127.0.0.1\nlocal stratum 8\ncmdport 0\npidfile {}\n",
                dir.join("chrony.pid").display()
            ),
        )
        .unwrap();
        let chrony = Command::new(peer("chronyd"))
            // Foreground, never touching the clock, no user to drop to.
            .args(["-d", "-x", "-u", "root", "-f"])
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("chrony.log")).unwrap())
            .spawn()
            .unwrap();
        let children = vec![dns.spawn().unwrap(), chrony];
        wait_for(
            || sntp_answers() && dns_answers(),
            "dnsmasq on 127.0.0.1:53 and chronyd on 127.0.0.1:123",
        );
        Self { children }
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn wait_for(mut ready: impl FnMut() -> bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ready() {
        assert!(Instant::now() < deadline, "{what} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn sntp_answers() -> bool {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut req = [0u8; 48];
    req[0] = 0x1b;
    let mut buf = [0u8; 64];
    s.send_to(&req, "127.0.0.1:123").is_ok() && s.recv(&mut buf).is_ok_and(|n| n >= 48)
}

fn dns_answers() -> bool {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    // A query for the broker's A record.
    let mut q = vec![0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in EMULATOR_BROKER.split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    let mut buf = [0u8; 512];
    s.send_to(&q, "127.0.0.1:53").is_ok()
        && s.recv(&mut buf)
            .is_ok_and(|n| n > 4 && buf[..n].ends_with(&[10, 0, 2, 2]))
}

/// One run of the emulator, its serial output read line by line.
struct Emulator {
    child: Child,
    lines: Receiver<(Instant, String)>,
    started: Instant,
    log: std::fs::File,
    decoder: Decoder,
    seen: Vec<String>,
}

impl Emulator {
    fn launch(qemu: &Path, image: &Path, log: &Path) -> Self {
        let mut child = Command::new(qemu)
            .args([
                "-M",
                "esp32c3",
                "-icount",
                "shift=3",
                "-nographic",
                "-no-reboot",
            ])
            .arg("-drive")
            .arg(format!("file={},if=mtd,format=raw", image.display()))
            .args(["-nic", "user,model=open_eth"])
            // For a closer look, e.g. "-d trace:open_eth_* -D /tmp/qemu.log".
            .args(
                std::env::var("THINGFLASH_QEMU_ARGS")
                    .unwrap_or_default()
                    .split_whitespace(),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", qemu.display()));
        let started = Instant::now();
        let out = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).split(b'\n') {
                let Ok(line) = line else { break };
                let text = String::from_utf8_lossy(&line).trim_end().to_string();
                if tx.send((Instant::now(), text)).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            started,
            log: std::fs::File::create(log).unwrap(),
            decoder: Decoder::new(),
            seen: Vec::new(),
        }
    }

    /// Read lines until an event `want` accepts; its wall time since power-on. Every line
    /// goes to the log; a line the decoder explains is printed with its explanation.
    fn expect(
        &mut self,
        what: &str,
        mut want: impl FnMut(&Event<'_>) -> bool,
    ) -> Result<(Event<'static>, Duration), String> {
        let deadline = Instant::now() + STEP;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (at, line) = match self.lines.recv_timeout(left) {
                Ok(l) => l,
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!("no {what} within {} s", STEP.as_secs()));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(format!("the emulator exited before {what}"));
                }
            };
            writeln!(self.log, "{line}").unwrap();
            let d = self.decoder.decode_owned(line.clone());
            if line.starts_with("[tf1]") {
                println!("    {line}");
                self.seen.push(line.clone());
            }
            if let Some(x) = &d.explanation {
                println!("      => {}", x.title);
            }
            if let Some(e) = d.event
                && want(&e)
            {
                return Ok((*e, at - self.started));
            }
        }
    }

    /// The explanation the monitor gives for the last line of this event kind.
    fn explain(&mut self, name: &str) -> Option<String> {
        let line = self
            .seen
            .iter()
            .rev()
            .find(|l| Event::parse(l).is_ok_and(|e| e.name() == name))?;
        let d = Decoder::new().decode_owned(line.clone());
        d.explanation
            .map(|x| format!("{}: {} {}", x.title, x.cause, x.fix))
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh 4 MB flash holding thingflash's image for these credentials and settings.
fn image(dir: &Path, name: &str, elf: &[u8], set: &CredentialSet, port: u16) -> PathBuf {
    let config = DeviceConfig {
        wifi_ssid: "emulator".into(),
        host: EMULATOR_BROKER.into(),
        port,
        client_id: THING.into(),
        topic_prefix: "thingflash".into(),
        telemetry_interval_s: 10,
        ..DeviceConfig::default()
    };
    let plan = bundle::plan(&bundle::Request {
        chip: Chip::Esp32c3,
        flash_size: FlashSize::Mb4,
        credentials: DeviceCreds::Set(set),
        config: &config,
        firmware_elf: Some(elf),
    })
    .unwrap_or_else(|e| panic!("the library refused the image: {e}"));
    let mut flash = plan.merged();
    flash.resize(FLASH, 0xFF);
    let path = dir.join(format!("{name}.bin"));
    std::fs::write(&path, flash).unwrap();
    path
}

fn set(pki: &Pki, ca: &str) -> CredentialSet {
    CredentialSet::from_der_unchecked(
        pki.der("p256.der"),
        &pki.der("p256-key.der"),
        vec![pki.der(ca)],
    )
    .unwrap()
}

/// A mosquitto_sub, stopped if a scenario fails before it is read.
struct Sub(Option<Child>);

impl Drop for Sub {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Wait for a mosquitto_sub to get its message; the message.
fn messages(mut sub: Sub) -> Result<String, String> {
    let out = sub.0.take().unwrap().wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let got: Vec<&str> = text
        .lines()
        .filter(|l| {
            !l.starts_with("Client ") && !l.starts_with("Subscribed") && !l.trim().is_empty()
        })
        .collect();
    if out.status.success() && !got.is_empty() {
        Ok(got.join("\n"))
    } else {
        Err(format!("mosquitto_sub got nothing: {text}"))
    }
}

/// The happy path; its figures.
fn happy(a: &Args, pki: &Pki, elf: &[u8]) -> Result<String, String> {
    let mut broker = Broker::open(pki, "server", "");
    let img = image(&a.out, "happy", elf, &set(pki, "ca.der"), broker.port);
    let telemetry = Sub(Some(broker.subscribe_for(
        pki,
        &format!("thingflash/{THING}/telemetry"),
        1,
        STEP,
    )));
    let mut emu = Emulator::launch(&a.qemu, &img, &a.out.join("happy.log"));
    emu.expect("boot", |e| matches!(e, Event::Boot { .. }))?;
    emu.expect("creds.ok", |e| matches!(e, Event::CredsOk { .. }))?;
    emu.expect(
        "an address",
        |e| matches!(e, Event::WifiConnected { ip, .. } if ip == "10.0.2.15"),
    )?;
    emu.expect("time.ok", |e| matches!(e, Event::TimeOk { .. }))?;
    emu.expect("tls.ok", |e| matches!(e, Event::TlsOk { .. }))?;
    let (mem, _) = emu.expect("mem", |e| matches!(e, Event::Mem { .. }))?;
    let Event::Mem {
        heap_free,
        heap_min,
        stack_free,
        ..
    } = mem
    else {
        unreachable!()
    };
    emu.expect("CONNACK 0", |e| {
        matches!(e, Event::MqttConnack { reason: 0, .. })
    })?;
    let (_, first_telemetry) = emu.expect(
        "telemetry",
        |e| matches!(e, Event::MqttPublished { topic, .. } if topic.ends_with("/telemetry")),
    )?;
    let payload = messages(telemetry)?;
    println!("  mosquitto_sub saw: {payload}");
    let guest_first_telemetry_s = serde_json::from_str::<serde_json::Value>(&payload)
        .ok()
        .and_then(|t| t["uptime_s"].as_u64());
    emu.expect(
        "the command subscription",
        |e| matches!(e, Event::MqttSubscribed { topic, reason: 0 } if topic.ends_with("/cmd")),
    )?;
    let reply = Sub(Some(broker.subscribe_for(
        pki,
        &format!("thingflash/{THING}/reply"),
        1,
        STEP,
    )));
    broker.publish(pki, &format!("thingflash/{THING}/cmd"), "ping");
    emu.expect(
        "the ping",
        |e| matches!(e, Event::MqttMessage { topic, .. } if topic.ends_with("/cmd")),
    )?;
    println!("  reply: {}", messages(reply)?);

    println!("  -- broker stopped");
    broker.stop();
    emu.expect("the connection closing", |e| {
        matches!(e, Event::MqttClosed { .. } | Event::TlsFailed { .. })
    })?;
    emu.expect(
        "a retry with backoff",
        |e| matches!(e, Event::Retry { attempt, .. } if *attempt >= 2),
    )?;
    println!("  -- broker started again");
    broker.restart();
    emu.expect("CONNACK 0 again", |e| {
        matches!(e, Event::MqttConnack { reason: 0, .. })
    })?;
    let emulated = guest_first_telemetry_s
        .map(|s| format!("{s} s of emulated time (its uptime_s; -icount shift=3), "))
        .unwrap_or_default();
    Ok(format!(
        "\n  heap: {heap_min} B free at its low point through the handshake, {heap_free} B after it \
         (the radio's share held back)\n  main stack: {stack_free} B never used\n  \
         power-on to first telemetry: {emulated}{:.1} s wall",
        first_telemetry.as_secs_f64()
    ))
}

fn wrong_ca(a: &Args, pki: &Pki, elf: &[u8]) -> Result<String, String> {
    let broker = Broker::open(pki, "server", "");
    let img = image(
        &a.out,
        "wrong-ca",
        elf,
        &set(pki, "other-ca.der"),
        broker.port,
    );
    let mut emu = Emulator::launch(&a.qemu, &img, &a.out.join("wrong-ca.log"));
    emu.expect(
        "tls.failed with the verify flags",
        |e| matches!(e, Event::TlsFailed { verify, .. } if *verify & 0x08 != 0),
    )?;
    emu.expect("a retry", |e| matches!(e, Event::Retry { .. }))?;
    emu.explain("tls.failed")
        .map(|why| format!("; the monitor says: {why}"))
        .ok_or_else(|| "the monitor does not explain the failure".to_string())
}

fn policy(a: &Args, pki: &Pki, elf: &[u8]) -> Result<String, String> {
    let upstream = Broker::plain(pki);
    let fake = FleetFake::start(pki, upstream.port);
    fake.deny_connect(pki.der("p256.der"));
    let img = image(&a.out, "policy", elf, &set(pki, "ca.der"), fake.port);
    let mut emu = Emulator::launch(&a.qemu, &img, &a.out.join("policy.log"));
    emu.expect("tls.ok", |e| matches!(e, Event::TlsOk { .. }))?;
    emu.expect("closed before CONNACK", |e| {
        matches!(
            e,
            Event::MqttClosed {
                before_connack: true,
                ..
            }
        )
    })?;
    emu.expect("a retry", |e| matches!(e, Event::Retry { .. }))?;
    emu.explain("mqtt.closed")
        .map(|why| format!("; the monitor says: {why}"))
        .ok_or_else(|| "the monitor does not explain the close".to_string())
}

fn main() -> ExitCode {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let elf =
        std::fs::read(&a.elf).unwrap_or_else(|e| panic!("cannot read {}: {e}", a.elf.display()));
    std::fs::create_dir_all(&a.out).unwrap();
    // Absolute: dnsmasq and chronyd change directory.
    let a = Args {
        out: a.out.canonicalize().unwrap(),
        ..a
    };
    let _network = Network::start(&a.out);
    let pki = Pki::new();
    type Scenario = fn(&Args, &Pki, &[u8]) -> Result<String, String>;
    let scenarios: [(&str, Scenario); 3] = [
        (
            "happy: connect, telemetry, a command, the broker away and back",
            happy,
        ),
        ("wrong-ca: a root CA that did not sign the broker", wrong_ca),
        ("policy: a policy without iot:Connect", policy),
    ];
    let mut failed = 0;
    for (title, scenario) in scenarios {
        println!("scenario {title}");
        match scenario(&a, &pki, &elf) {
            Ok(said) => println!("  ok{said}"),
            Err(e) => {
                failed += 1;
                println!("  FAILED: {e}");
            }
        }
    }
    println!("logs in {}", a.out.display());
    if failed == 0 {
        println!("emulator harness: all {} scenarios passed", scenarios.len());
        ExitCode::SUCCESS
    } else {
        println!(
            "emulator harness: {failed} of {} scenarios FAILED",
            scenarios.len()
        );
        ExitCode::FAILURE
    }
}
