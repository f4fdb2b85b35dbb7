//! thingflash firmware for ESP32-C3 (default feature `esp32c3`) and ESP32-C6 (`esp32c6`),
//! on WiFi (default feature `wifi`) or, for Espressif's QEMU, on its emulated Ethernet MAC
//! (`--no-default-features --features esp32c3,emulator`: see `emulator.rs`; that image
//! refuses to run on a chip).
//!
//! Needs: flash laid out by thingflash: a partition table with the `esp_secure_cert`
//! partition (type 0x3F) holding the root CA(s), the device config record (WiFi, endpoint,
//! client id, topics) and the device certificate, and either a key made on a computer
//! in that partition or the `tf_key` partition (type 0x40) where the board keeps the key
//! it made itself. Build both chips reproducibly with
//! `scripts/build-firmware` from the repository root; `cargo run --release` here flashes and
//! monitors with espflash.
//!
//! What it does, each step reported as one `[tf1]` event line: boot; its own key: made on
//! the first boot from the chip's true random source (`key.new`), kept in `tf_key`, a
//! damaged one reported (`key.error`) and never replaced silently; while it has no
//! certificate, its CSR (`csr.ready`) every few seconds; by claim (a batch's claim
//! certificate and a provisioning template in its settings): AWS IoT's fleet-provisioning
//! flow for its own certificate, stored in place of the claim before it resets as itself;
//! find and check the credentials partition (never a half-written one; a slow retry while it is missing);
//! join WiFi (reason codes on failure) and get an address by DHCP; set the clock by SNTP
//! before any TLS; resolve the endpoint; mutual TLS with mbedTLS (certificate dates checked
//! against that clock, SNI, ALPN on 443); MQTT 5 with telemetry and commands; reconnect
//! with backoff and jitter after any failure. A watchdog resets a board that hangs.
#![no_std]
#![no_main]

#[cfg(all(feature = "wifi", feature = "emulator"))]
compile_error!(
    "`wifi` and `emulator` are two networks; build with one: `--no-default-features --features esp32c3,emulator` for the emulator"
);
#[cfg(not(any(feature = "wifi", feature = "emulator")))]
compile_error!("choose a network: feature `wifi` (a board) or `emulator` (Espressif's QEMU)");
#[cfg(all(feature = "emulator", feature = "esp32c6"))]
compile_error!("Espressif's QEMU has no ESP32-C6 machine: build the emulator image for esp32c3");

extern crate alloc;

#[cfg(feature = "emulator")]
mod emulator;
#[cfg(feature = "wifi")]
mod wifi;
#[cfg(feature = "emulator")]
use emulator as net;
#[cfg(feature = "wifi")]
use wifi as net;

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use core::net::{IpAddr, SocketAddr};

use embassy_executor::Spawner;
use embassy_net::dns::DnsQueryType;
use embassy_net::tcp::client::{TcpClient, TcpClientState};
use embassy_net::udp::{PacketMetadata, UdpSocket};
use embassy_net::{Runner, Stack, StackResources};
use embassy_time::{Duration, Instant, Timer, with_timeout};
use esp_backtrace as _;
use esp_hal::clock::CpuClock;
use esp_hal::rng::{Rng, Trng, TrngSource};
use esp_hal::timer::timg::{MwdtStage, TimerGroup};
use esp_println::println;
use esp_storage::FlashStorage;
use mbedtls_rs::{Session, Tls, TlsReference};
use static_cell::StaticCell;
use thingflash_connection::backoff::Backoff;
use thingflash_connection::clock::{WallClock, rfc3339};
use thingflash_connection::mqtt::{self, Connector, Settings};
use thingflash_connection::tls::{TlsSetup, install_clock};
use thingflash_connection::{Flow, Platform};
use thingflash_protocol::config::DeviceConfig;
use thingflash_protocol::credentials;
use thingflash_protocol::device_key::{self, DeviceKey, KeyState};
use thingflash_protocol::event::ClaimStep;
use thingflash_protocol::event::{CredsProblem, Event, KeyProblem, Stage};
use thingflash_protocol::{claim, tlv, x509};

esp_bootloader_esp_idf::esp_app_desc!();

#[cfg(feature = "esp32c6")]
const CHIP: &str = "esp32c6";
#[cfg(not(feature = "esp32c6"))]
const CHIP: &str = "esp32c3";

const FW: &str = env!("CARGO_PKG_VERSION");

/// How long to wait before reading a missing or damaged partition again.
const CREDS_RETRY: Duration = Duration::from_secs(10);
/// NTP servers used when the config names none.
const DEFAULT_NTP: [&str; 2] = ["pool.ntp.org", "time.google.com"];
/// mbedTLS's `MBEDTLS_ERR_NET_CONNECT_FAILED`.
const NET_CONNECT_FAILED: i32 = -0x0044;
/// mbedTLS's `MBEDTLS_ERR_SSL_TIMEOUT`.
const SSL_TIMEOUT: i32 = -0x6800;

/// A handshake or TCP connect that takes longer than this is abandoned and retried.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// The main stack's high-water mark, by painting: fill the unused part with a pattern at
/// boot, later count how much of it is still intact. The executor and every task of ours
/// run on this stack (the radio's own threads have heap-allocated stacks).
mod stack {
    unsafe extern "C" {
        static _stack_end_cpu0: u32;
    }

    const PAINT: u32 = 0xC0FF_EE11;
    /// Stay clear of the stack guard word esp-hal keeps near the bottom.
    const GUARD_MARGIN: usize = 256;

    fn bottom() -> usize {
        (&raw const _stack_end_cpu0) as usize + GUARD_MARGIN
    }

    /// Paint from the bottom of the stack to just below the caller's frame.
    pub fn paint() {
        let sp: usize;
        // SAFETY: reads the stack pointer register, nothing else.
        unsafe { core::arch::asm!("mv {}, sp", out(reg) sp) };
        let top = sp - 512;
        critical_section::with(|_| {
            let mut a = bottom() & !3;
            while a < top {
                // SAFETY: `a` lies between the bottom of the main stack (above its guard)
                // and 512 bytes below the current frame: memory no live frame uses, and
                // interrupts are off so no handler frame is pushed there meanwhile.
                unsafe { core::ptr::write_volatile(a as *mut u32, PAINT) };
                a += 4;
            }
        });
    }

    /// Bytes at the bottom of the stack never used since [`paint`].
    pub fn free() -> u32 {
        let mut a = bottom() & !3;
        let mut n = 0u32;
        // SAFETY: reads of the painted region of the main stack, which stays mapped RAM.
        while unsafe { core::ptr::read_volatile(a as *const u32) } == PAINT {
            n += 4;
            a += 4;
        }
        n
    }
}

/// mbedTLS's `x509.c` calls `memchr`; the ESP32-C6 ROM does not provide it (the C3's does).
#[cfg(feature = "esp32c6")]
#[unsafe(no_mangle)]
extern "C" fn memchr(s: *const u8, c: i32, n: usize) -> *const u8 {
    if s.is_null() {
        return core::ptr::null();
    }
    // SAFETY: C's contract for memchr: `s` points to at least `n` readable bytes.
    let bytes = unsafe { core::slice::from_raw_parts(s, n) };
    match bytes.iter().position(|b| *b == c as u8) {
        Some(i) => bytes[i..].as_ptr(),
        None => core::ptr::null(),
    }
}

/// The first 16 hex digits of the SHA-256 of this firmware's ELF. espflash writes the
/// digest into the app descriptor when it makes the image, after compilation, so it is
/// read through `black_box` rather than folded from the all-zero initial value.
fn elf_id() -> String {
    let desc = core::hint::black_box(&ESP_APP_DESC);
    desc.app_elf_sha256()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn mono_ms() -> u64 {
    Instant::now().as_millis()
}

static CLOCK: WallClock = WallClock::new(mono_ms);

fn say(e: &Event<'_>) {
    println!("{e}");
}

fn heap_free() -> u32 {
    esp_alloc::HEAP.free() as u32
}

/// The lowest the free heap has been since boot: the allocator's own high-water mark of
/// use (`internal-heap-stats`), so a peak inside the TLS handshake counts.
fn heap_min() -> u32 {
    let stats = esp_alloc::HEAP.stats();
    stats.size.saturating_sub(stats.max_usage) as u32
}

/// The board as the connection code sees it.
struct Board {
    rng: Rng,
}

impl Platform for Board {
    fn now_ms(&self) -> u64 {
        mono_ms()
    }
    async fn sleep_ms(&mut self, ms: u64) {
        Timer::after_millis(ms).await
    }
    fn random_u32(&mut self) -> u32 {
        self.rng.random()
    }
    fn rssi(&self) -> Option<i16> {
        net::rssi()
    }
    fn heap_free(&self) -> Option<u32> {
        Some(heap_free())
    }
    fn emit(&mut self, event: &Event<'_>) -> Flow {
        say(event);
        Flow::Continue
    }
}

/// The hardware RNG for mbedTLS. It is a true RNG while the radio runs, which it does
/// before any TLS.
struct HwRng(Rng);

impl rand_core::TryRng for HwRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.0.random())
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(u64::from(self.0.random()) << 32 | u64::from(self.0.random()))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0.read(dst);
        Ok(())
    }
}

impl rand_core::TryCryptoRng for HwRng {}

enum Problem {
    NoPartition,
    Read,
}

/// Where a partition is: (offset, length), found in the partition table by raw type and
/// label (the typed lookup can panic on application-defined types such as 0x3F).
fn find_partition(
    flash: &mut FlashStorage<'_>,
    kind: u8,
    label: &str,
) -> Result<(u32, u32), Problem> {
    let mut table = [0u8; esp_bootloader_esp_idf::partitions::PARTITION_TABLE_MAX_LEN];
    let pt = esp_bootloader_esp_idf::partitions::read_partition_table(flash, &mut table)
        .map_err(|_| Problem::Read)?;
    let entry = pt
        .iter()
        .find(|p| p.raw_type() == kind && p.label_as_str() == label)
        .ok_or(Problem::NoPartition)?;
    Ok((entry.offset(), entry.len()))
}

/// Read the credentials partition.
fn read_partition(flash: &mut FlashStorage<'_>) -> Result<vec::Vec<u8>, Problem> {
    let (offset, len) = find_partition(flash, tlv::PARTITION_TYPE, tlv::PARTITION_LABEL)?;
    let mut buf = vec![0u8; (len as usize).min(tlv::MAX_PARTITION_SIZE)];
    flash.read(offset, &mut buf).map_err(|_| Problem::Read)?;
    Ok(buf)
}

/// The board's own key: read from `tf_key`, or made on the first boot (the partition
/// erased) from the chip's true random source, stored, and read back before it is used.
/// A damaged record is reported and left alone: a second key made silently would orphan
/// the certificate AWS holds for the first. `None` also when the table has no `tf_key`
/// (an older layout: the credentials carry a key made on a computer).
fn board_key(flash: &mut FlashStorage<'_>, trng: &Trng) -> Option<&'static DeviceKey> {
    let (offset, _) = find_partition(
        flash,
        device_key::PARTITION_TYPE,
        device_key::PARTITION_LABEL,
    )
    .ok()?;
    let mut record = [0u8; device_key::RECORD_LEN];
    if flash.read(offset, &mut record).is_err() {
        say(&Event::KeyError {
            reason: KeyProblem::Damaged,
            detail: "the key partition could not be read".into(),
        });
        return None;
    }
    let key = match device_key::read(&record) {
        KeyState::Present(key) => key,
        KeyState::Damaged(e) => {
            say(&Event::KeyError {
                reason: KeyProblem::Damaged,
                detail: format!("{e}").into(),
            });
            return None;
        }
        KeyState::Blank => {
            let started = mono_ms();
            let key = DeviceKey::generate(|buf| trng.read(buf));
            let stored = flash
                .erase(offset, offset + device_key::PARTITION_SIZE)
                .and_then(|()| flash.write_nor(offset, &key.record()[..]));
            let mut back = [0u8; device_key::RECORD_LEN];
            let same = stored.is_ok()
                && flash.read(offset, &mut back).is_ok()
                && matches!(device_key::read(&back),
                    KeyState::Present(k) if k.public_sec1() == key.public_sec1());
            back.fill(0);
            if !same {
                say(&Event::KeyError {
                    reason: KeyProblem::Write,
                    detail: "the new key did not read back from flash".into(),
                });
                return None;
            }
            say(&Event::KeyNew {
                alg: "ec-p256".into(),
                ms: (mono_ms() - started) as u32,
            });
            key
        }
    };
    record.fill(0);
    Some(Box::leak(Box::new(key)))
}

fn creds_error(reason: CredsProblem, detail: &str) {
    say(&Event::CredsError {
        reason,
        detail: detail.into(),
    });
}

/// What the board connects with: the credentials partition, and the key it made itself
/// when that partition carries none.
struct Loaded {
    image: &'static [u8],
    /// The board's own key, as mbedTLS reads it.
    board_key: Option<&'static [u8]>,
}

/// Read and check the credentials partition, reporting `creds.ok` or `creds.error`; with
/// the board's own key and no certificate yet, its CSR (`csr.ready`) instead.
fn load(flash: &mut FlashStorage<'_>, key: Option<&'static DeviceKey>) -> Option<Loaded> {
    let image = match read_partition(flash) {
        Ok(b) => b,
        Err(Problem::NoPartition) => {
            creds_error(
                CredsProblem::NoPartition,
                "no esp_secure_cert partition in the table",
            );
            return None;
        }
        Err(Problem::Read) => {
            creds_error(CredsProblem::Corrupt, "the flash could not be read");
            return None;
        }
    };
    let parts = match credentials::read_parts(&image) {
        Ok(p) => p,
        Err(e) => {
            creds_error(e.problem(), &format!("{e}"));
            return None;
        }
    };
    let board_key = match (parts.private_key, key) {
        (Some(_), _) => None,
        (None, Some(k)) => Some(k),
        (None, None) => {
            if find_partition(
                flash,
                device_key::PARTITION_TYPE,
                device_key::PARTITION_LABEL,
            )
            .is_err()
            {
                say(&Event::KeyError {
                    reason: KeyProblem::NoPartition,
                    detail: "no tf_key partition in the table".into(),
                });
            }
            creds_error(
                CredsProblem::Missing,
                "no private key: the credentials hold none and the board has no key of its own",
            );
            return None;
        }
    };
    let Some(cert_der) = parts.device_cert else {
        if let Some(k) = board_key {
            // Waiting for its certificate: the request, again every few seconds, for
            // whoever reads the serial line (thingflash, after flashing).
            let text = device_key::csr_text(&k.csr(&parts.config.client_id));
            say(&Event::CsrReady {
                cn: parts.config.client_id.as_str().into(),
                len: text.len,
                crc: text.crc,
                der: text.der.into(),
            });
        } else {
            creds_error(CredsProblem::Missing, "no device certificate");
        }
        return None;
    };
    let Some(cert) = x509::summarize(cert_der) else {
        creds_error(
            CredsProblem::Unusable,
            "the device certificate is not valid DER",
        );
        return None;
    };
    if let Some(k) = board_key
        && x509::public_key(cert_der) != Some(&k.public_sec1()[..])
    {
        creds_error(
            CredsProblem::Mismatch,
            "the device certificate is not for the key this board made",
        );
        return None;
    }
    say(&Event::CredsOk {
        cn: cert.cn.into(),
        not_after: cert.not_after.into(),
        endpoint: parts.config.host.as_str().into(),
        client_id: parts.config.client_id.as_str().into(),
        cas: parts.ca_certs.len().min(255) as u8,
        key: cert.key.into(),
    });
    drop(parts);
    Some(Loaded {
        image: Box::leak(image.into_boxed_slice()),
        // Kept for the life of the firmware, as the TLS setup that borrows it.
        board_key: board_key.map(|k| -> &'static [u8] { Box::leak(Box::new(k.private_der())) }),
    })
}

#[embassy_executor::task]
async fn net_task(mut runner: Runner<'static, net::Device>) {
    runner.run().await
}

#[embassy_executor::task]
async fn watchdog_task(mut wdt: esp_hal::timer::timg::Wdt<esp_hal::peripherals::TIMG1<'static>>) {
    loop {
        wdt.feed();
        Timer::after_secs(5).await;
    }
}

async fn resolve(stack: Stack<'static>, host: &str) -> Option<IpAddr> {
    match stack.dns_query(host, DnsQueryType::A).await {
        Ok(addrs) if !addrs.is_empty() => {
            let ip = IpAddr::from(addrs[0]);
            say(&Event::DnsOk {
                host: host.into(),
                ip: format!("{ip}").into(),
            });
            Some(ip)
        }
        Ok(_) => {
            say(&Event::DnsFailed {
                host: host.into(),
                detail: "no address".into(),
            });
            None
        }
        Err(e) => {
            say(&Event::DnsFailed {
                host: host.into(),
                detail: dns_detail(e).into(),
            });
            None
        }
    }
}

/// What a failed lookup means, in the words of the grammar's `detail`.
fn dns_detail(e: embassy_net::dns::Error) -> &'static str {
    use embassy_net::dns::Error;
    match e {
        Error::InvalidName => "not a valid host name",
        Error::NameTooLong => "host name too long",
        // embassy-net folds a timeout, NXDOMAIN and a server error into this one.
        Error::Failed => "no answer with an address from the network's DNS server",
    }
}

/// What a failed SNTP exchange means (sntpc's error, in the words of the grammar's
/// `detail`): a network fault, or an answer the client rightly refused.
fn sntp_detail(e: sntpc::Error) -> &'static str {
    use sntpc::Error;
    match e {
        Error::Network => "network error sending or receiving",
        Error::KissOfDeath(_) => "the server refused to serve (kiss-o'-death)",
        Error::UnsynchronizedClock => "the server's own clock is not synchronised",
        Error::ResponseAddressMismatch => "an answer from another address",
        Error::IncorrectOriginTimestamp => "an answer to another request",
        _ => "an answer that is not a valid SNTPv4 reply",
    }
}

/// sntpc over an embassy-net UDP socket.
struct Udp<'a>(UdpSocket<'a>);

impl sntpc::NtpUdpSocket for Udp<'_> {
    async fn send_to(&self, buf: &[u8], addr: SocketAddr) -> sntpc::Result<usize> {
        let SocketAddr::V4(v4) = addr else {
            return Err(sntpc::Error::Network);
        };
        self.0
            .send_to(buf, v4)
            .await
            .map(|()| buf.len())
            .map_err(|_| sntpc::Error::Network)
    }
    async fn recv_from(&self, buf: &mut [u8]) -> sntpc::Result<(usize, SocketAddr)> {
        let (n, meta) = self
            .0
            .recv_from(buf)
            .await
            .map_err(|_| sntpc::Error::Network)?;
        Ok((
            n,
            SocketAddr::new(IpAddr::from(meta.endpoint.addr), meta.endpoint.port),
        ))
    }
}

/// Timestamps for the request: the board has no time yet, so it sends zero; the server's
/// transmit time is what sets the clock.
#[derive(Clone, Copy)]
struct Unset;

impl sntpc::NtpTimestampGenerator for Unset {
    fn init(&mut self) {}
    fn timestamp_sec(&self) -> u64 {
        0
    }
    fn timestamp_subsec_micros(&self) -> u32 {
        0
    }
}

/// Set the clock by SNTP, trying each server, backing off between rounds. TLS does not
/// start before this returns.
async fn sync_time(stack: Stack<'static>, servers: &[String], rng: &mut Rng) {
    let mut backoff = Backoff::new(2_000, 120_000);
    loop {
        for server in servers {
            say(&Event::TimeSyncing {
                server: server.as_str().into(),
            });
            let Some(ip) = resolve(stack, server).await else {
                continue;
            };
            let mut rx_meta = [PacketMetadata::EMPTY; 4];
            let mut rx = [0u8; 256];
            let mut tx_meta = [PacketMetadata::EMPTY; 4];
            let mut tx = [0u8; 256];
            let mut socket = UdpSocket::new(stack, &mut rx_meta, &mut rx, &mut tx_meta, &mut tx);
            if socket.bind(0).is_err() {
                continue;
            }
            let udp = Udp(socket);
            let started = mono_ms();
            let result = with_timeout(
                Duration::from_secs(5),
                sntpc::get_time(
                    SocketAddr::new(ip, 123),
                    &udp,
                    sntpc::NtpContext::new(Unset),
                ),
            )
            .await;
            match result {
                Ok(Ok(t)) => {
                    let frac_ms = (u64::from(t.seconds_fraction) * 1000) >> 32;
                    CLOCK.set_unix_ms(t.seconds * 1000 + frac_ms);
                    say(&Event::TimeOk {
                        utc: rfc3339(t.seconds).into(),
                        server: server.as_str().into(),
                        ms: (mono_ms() - started) as u32,
                    });
                    return;
                }
                Ok(Err(e)) => say(&Event::TimeFailed {
                    server: server.as_str().into(),
                    detail: sntp_detail(e).into(),
                }),
                Err(_) => say(&Event::TimeFailed {
                    server: server.as_str().into(),
                    detail: "no answer in 5 s".into(),
                }),
            }
        }
        let (attempt, delay_ms) = backoff.next(rng.random());
        say(&Event::Retry {
            stage: Stage::Time,
            attempt,
            delay_ms,
        });
        Timer::after_millis(u64::from(delay_ms)).await;
    }
}

const TCP_BUF: usize = 4096;
type Tcp = TcpClient<'static, 1, TCP_BUF, TCP_BUF>;

/// DNS, TCP and TLS to the endpoint.
struct Endpoint {
    stack: Stack<'static>,
    tcp: &'static Tcp,
    setup: &'static TlsSetup,
    tls: TlsReference<'static>,
    host: String,
    port: u16,
}

impl Connector for Endpoint {
    type Transport =
        Session<'static, embassy_net::tcp::client::TcpConnection<'static, 1, TCP_BUF, TCP_BUF>>;

    async fn connect<P: Platform>(&mut self, p: &mut P) -> Result<Self::Transport, Stage> {
        let ip = resolve(self.stack, &self.host).await.ok_or(Stage::Dns)?;
        use embedded_nal_async::TcpConnect as _;
        let tcp = match with_timeout(
            CONNECT_TIMEOUT,
            self.tcp.connect(SocketAddr::new(ip, self.port)),
        )
        .await
        {
            Ok(Ok(c)) => c,
            // The connect is mbedTLS's net layer's step on other firmware: its code, so the
            // monitor explains a refused or unreachable endpoint as it does there.
            // embassy-net's client folds refused, unreachable and timed out into one error.
            Ok(Err(embassy_net::tcp::Error::ConnectionReset)) => {
                p.emit(&Event::TlsFailed {
                    code: NET_CONNECT_FAILED,
                    verify: 0,
                    detail: format!("TCP connect to {ip}:{} refused or unreachable", self.port)
                        .into(),
                });
                return Err(Stage::Tls);
            }
            Err(_) => {
                p.emit(&Event::TlsFailed {
                    code: NET_CONNECT_FAILED,
                    verify: 0,
                    detail: format!(
                        "TCP connect to {ip}:{} timed out after {} s",
                        self.port,
                        CONNECT_TIMEOUT.as_secs()
                    )
                    .into(),
                });
                return Err(Stage::Tls);
            }
        };
        let session =
            match with_timeout(CONNECT_TIMEOUT, self.setup.handshake(self.tls, tcp, p)).await {
                Ok(Ok(s)) => s,
                Ok(Err(_)) => return Err(Stage::Tls),
                Err(_) => {
                    p.emit(&Event::TlsFailed {
                        code: SSL_TIMEOUT,
                        verify: 0,
                        detail: format!(
                            "TLS handshake not done after {} s",
                            CONNECT_TIMEOUT.as_secs()
                        )
                        .into(),
                    });
                    return Err(Stage::Tls);
                }
            };
        let free = heap_free();
        p.emit(&Event::Mem {
            at: Stage::Tls,
            heap_free: free,
            heap_min: heap_min(),
            stack_free: stack::free(),
        });
        Ok(session)
    }
}

/// Provision the board by claim until it has its own certificate, then reset as itself:
/// connect with the claim certificate, run AWS's fleet-provisioning flow with the board's
/// own request, store the certificate in place of the claim, read it back. Failures are
/// reported and retried with backoff.
async fn claim_forever(
    endpoint: &mut Endpoint,
    config: &DeviceConfig,
    key: &DeviceKey,
    mac: &impl core::fmt::Display,
    cas: &[&[u8]],
    flash: &mut FlashStorage<'_>,
) -> ! {
    use thingflash_connection::claim::{ClaimSettings, claim};
    let mac: String = format!("{mac}")
        .chars()
        .filter(char::is_ascii_hexdigit)
        // ASCII only: char::to_lowercase would pull in Unicode's case tables (12 KiB).
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let settings = ClaimSettings {
        client_id: mac.clone(),
        template: config.claim_template.clone(),
        parameters: vec![(String::from("Mac"), mac.clone())],
        keepalive_s: config.keepalive_s,
    };
    let csr = claim::csr_pem(&key.csr(&mac));
    let mut backoff = Backoff::firmware();
    let mut board = Board { rng: Rng::new() };
    loop {
        let started = mono_ms();
        if let Ok(transport) = endpoint.connect(&mut board).await
            && let Ok(claimed) = claim(transport, &settings, &csr, &mut board).await
        {
            match store(flash, cas, config, key, &claimed) {
                Ok(()) => {
                    say(&Event::ClaimDone {
                        thing: claimed.thing.as_str().into(),
                        ms: (mono_ms() - started) as u32,
                    });
                    // Let the line leave the UART before the reset.
                    Timer::after_millis(100).await;
                    esp_hal::system::software_reset();
                }
                Err(detail) => say(&Event::ClaimFailed {
                    step: ClaimStep::Store,
                    detail: detail.into(),
                }),
            }
        }
        let (attempt, delay_ms) = backoff.next(board.rng.random());
        say(&Event::Retry {
            stage: Stage::Mqtt,
            attempt,
            delay_ms,
        });
        Timer::after_millis(u64::from(delay_ms)).await;
    }
}

/// Write the board's own certificate in place of the claim: root CAs, the certificate for
/// the board's key, the settings as the board itself (its thing's name, no template), no
/// key record; then read it back. A cut write leaves a partition that fails its integrity
/// check, never one that looks valid.
fn store(
    flash: &mut FlashStorage<'_>,
    cas: &[&[u8]],
    config: &DeviceConfig,
    key: &DeviceKey,
    claimed: &thingflash_connection::claim::Claimed,
) -> Result<(), &'static str> {
    let der = claim::certificate_der(&claimed.certificate_pem)
        .ok_or("the certificate AWS sent is not PEM")?;
    if x509::public_key(&der) != Some(&key.public_sec1()[..]) {
        return Err("the certificate AWS sent is not for this board's key");
    }
    let me = DeviceConfig {
        client_id: claimed.thing.clone(),
        claim_template: String::new(),
        ..config.clone()
    };
    let (offset, len) = find_partition(flash, tlv::PARTITION_TYPE, tlv::PARTITION_LABEL)
        .map_err(|_| "the credentials partition is not in the table")?;
    let size = (len as usize).min(tlv::MAX_PARTITION_SIZE);
    let image = credentials::write_for_board_key(cas, Some(&der), &me, size)
        .map_err(|_| "the new credentials do not fit the partition")?;
    flash
        .erase(offset, offset + len)
        .and_then(|()| flash.write_nor(offset, &image))
        .map_err(|_| "the flash write failed")?;
    let mut back = vec![0u8; image.len()];
    flash
        .read(offset, &mut back)
        .map_err(|_| "the flash could not be read back")?;
    if back != image {
        return Err("the credentials did not read back as written");
    }
    Ok(())
}

#[esp_rtos::main]
async fn main(spawner: Spawner) -> ! {
    let peripherals = esp_hal::init(esp_hal::Config::default().with_cpu_clock(CpuClock::max()));
    stack::paint();
    // The radio takes 47 to 57 KiB of this heap (esp-radio's documentation) and a TLS 1.3
    // handshake peaks at about 68 KiB more (measured in the emulator, which holds the
    // radio's share back): 64 + 64 KiB ran out of memory in the handshake there.
    esp_alloc::heap_allocator!(#[esp_hal::ram(reclaimed)] size: 64 * 1024);
    esp_alloc::heap_allocator!(size: 128 * 1024);

    let timg0 = TimerGroup::new(peripherals.TIMG0);
    esp_rtos::start(timg0.timer0, peripherals.FROM_CPU_INTR0);
    let mut timg1 = TimerGroup::new(peripherals.TIMG1);
    timg1
        .wdt
        .set_timeout(MwdtStage::Stage0, esp_hal::time::Duration::from_secs(60));
    timg1.wdt.enable();
    spawner.spawn(watchdog_task(timg1.wdt).unwrap_or_else(|e| panic!("watchdog task: {e:?}")));

    let mac = esp_hal::efuse::base_mac_address();
    let reset = esp_hal::system::reset_reason();
    say(&Event::Boot {
        fw: FW.into(),
        chip: CHIP.into(),
        mac: format!("{mac}").into(),
        // The grammar's name, never a Debug rendering (`Some(ChipPowerOn)`).
        reset: reset
            .map_or("Unknown", |r| {
                thingflash_protocol::event::reset_name(r as u32)
            })
            .into(),
        elf: Some(elf_id().into()),
    });

    #[cfg(feature = "emulator")]
    if !emulator::in_emulator() {
        emulator::refuse().await;
    }

    // The board's own key, from the true random source (the SAR ADC's noise, enabled
    // only for this; the radio is not running yet).
    let mut flash = FlashStorage::new(peripherals.FLASH);
    let trng_source = TrngSource::new(peripherals.RNG, peripherals.ADC1);
    let key = match Trng::try_new() {
        Ok(trng) => board_key(&mut flash, &trng),
        Err(_) => {
            say(&Event::KeyError {
                reason: KeyProblem::Write,
                detail: "the true random source did not start".into(),
            });
            None
        }
    };
    let _ = trng_source.try_disable();

    // Credentials next: without them there is nothing to connect with.
    let loaded = loop {
        if let Some(l) = load(&mut flash, key) {
            break l;
        }
        Timer::after(CREDS_RETRY).await;
    };
    // `load` just accepted it; reading again cannot fail, but never panic on it.
    let creds = match credentials::read_parts(loaded.image) {
        Ok(p) => match (p.device_cert, p.private_key.or(loaded.board_key)) {
            (Some(device_cert), Some(private_key)) => credentials::DeviceCredentials {
                ca_certs: p.ca_certs,
                device_cert,
                private_key,
                config: p.config,
            },
            _ => loop {
                Timer::after(CREDS_RETRY).await;
            },
        },
        Err(_) => loop {
            Timer::after(CREDS_RETRY).await;
        },
    };
    let config = creds.config.clone();

    let mut rng = Rng::new();
    #[cfg(feature = "wifi")]
    let device = wifi::start(&spawner, peripherals.WIFI, &config);
    #[cfg(feature = "emulator")]
    let device = {
        emulator::hold_radio_heap();
        emulator::start(peripherals.WIFI)
    };
    let Some(device) = device else {
        // Reported by the network's own start.
        loop {
            Timer::after_secs(60).await;
        }
    };
    let seed = u64::from(rng.random()) << 32 | u64::from(rng.random());
    static RESOURCES: StaticCell<StackResources<4>> = StaticCell::new();
    let (stack, runner) = embassy_net::new(
        device,
        embassy_net::Config::dhcpv4(Default::default()),
        RESOURCES.init(StackResources::new()),
        seed,
    );
    spawner.spawn(net_task(runner).unwrap_or_else(|e| panic!("net task: {e:?}")));

    // DHCP: a network that never answers is reported, not waited on in silence.
    while with_timeout(Duration::from_secs(30), stack.wait_config_up())
        .await
        .is_err()
    {
        // Only while associated: until then the WiFi task reports why it is not.
        if net::linked() {
            say(&Event::WifiFailed {
                reason: 0,
                detail: "associated, but no IP address from DHCP within 30 s".into(),
            });
        }
    }
    if let Some(v4) = stack.config_v4() {
        say(&Event::WifiConnected {
            ip: format!("{}", v4.address.address()).into(),
            rssi: net::rssi().unwrap_or(0),
        });
    }

    let servers: vec::Vec<String> = if config.ntp_servers.is_empty() {
        DEFAULT_NTP.iter().map(|s| String::from(*s)).collect()
    } else {
        config.ntp_servers.clone()
    };
    sync_time(stack, &servers, &mut rng).await;

    install_clock(&CLOCK);
    static RNG: StaticCell<HwRng> = StaticCell::new();
    static TLS: StaticCell<Tls<'static>> = StaticCell::new();
    let tls = match Tls::new(RNG.init(HwRng(Rng::new()))) {
        Ok(t) => TLS.init(t),
        Err(e) => panic!("mbedTLS could not start: {e:?}"),
    };
    let setup: &'static TlsSetup = match TlsSetup::new(&creds, &config.host, config.port) {
        Ok(s) => Box::leak(Box::new(s)),
        Err(f) => {
            say(&Event::CredsError {
                reason: CredsProblem::Unusable,
                detail: format!("mbedTLS rejects the credentials: {} ({})", f.detail, f.code)
                    .into(),
            });
            loop {
                Timer::after_secs(60).await;
            }
        }
    };
    static TCP_STATE: StaticCell<TcpClientState<1, TCP_BUF, TCP_BUF>> = StaticCell::new();
    static TCP: StaticCell<Tcp> = StaticCell::new();
    let tcp = TCP.init(TcpClient::new(stack, TCP_STATE.init(TcpClientState::new())));
    let mut endpoint = Endpoint {
        stack,
        tcp,
        setup,
        tls: tls.reference(),
        host: config.host.clone(),
        port: config.port,
    };
    if !config.claim_template.is_empty() {
        // Provisioning by claim: never returns (it resets the board as itself).
        let Some(key) = key else {
            say(&Event::ClaimFailed {
                step: ClaimStep::Create,
                detail: "provisioning by claim needs the board's own key, and it has none".into(),
            });
            loop {
                Timer::after_secs(3600).await;
            }
        };
        claim_forever(
            &mut endpoint,
            &config,
            key,
            &mac,
            &creds.ca_certs,
            &mut flash,
        )
        .await;
    }
    let settings = Settings::new(&config, FW);
    let mut board = Board { rng: Rng::new() };
    mqtt::run(
        &mut endpoint,
        &settings,
        &mut Backoff::firmware(),
        &mut board,
    )
    .await;
    // `run` returns only when the platform stops it, which this board never does.
    loop {
        Timer::after_secs(3600).await;
    }
}
