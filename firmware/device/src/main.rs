//! thingflash firmware for ESP32-C3 (default feature `esp32c3`) and ESP32-C6 (`esp32c6`).
//!
//! Needs: flash laid out by thingflash: a partition table with the `esp_secure_cert`
//! partition (type 0x3F) holding the device certificate, key, root CA(s) and the device
//! config record. Build with `cargo build --release` (C3), or
//! `cargo build --release --no-default-features --features esp32c6 --target riscv32imac-unknown-none-elf`;
//! `cargo run --release` flashes and monitors with espflash.
//!
//! This build is the first stage of the firmware: it boots, prints the boot event, finds
//! and checks the credentials partition (never accepting a half-written one) and reports
//! the result as event lines, retrying slowly while it is missing or damaged. WiFi, SNTP,
//! TLS and MQTT are not in it yet.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec;
use esp_backtrace as _;
use esp_hal::main;
use esp_hal::time::{Duration, Instant};
use esp_println::println;
use esp_storage::FlashStorage;
use thingflash_protocol::credentials;
use thingflash_protocol::event::{CredsProblem, Event};
use thingflash_protocol::{tlv, x509};

esp_bootloader_esp_idf::esp_app_desc!();

#[cfg(feature = "esp32c6")]
const CHIP: &str = "esp32c6";
#[cfg(not(feature = "esp32c6"))]
const CHIP: &str = "esp32c3";

/// How long to wait before reading a missing or damaged partition again.
const RETRY: Duration = Duration::from_secs(10);

enum Problem {
    NoPartition,
    Read,
}

/// Walk the partition table by raw type and label (the typed lookup can panic on
/// application-defined types such as 0x3F) and read the credentials partition.
fn read_partition(flash: &mut FlashStorage<'_>) -> Result<vec::Vec<u8>, Problem> {
    let mut table = [0u8; esp_bootloader_esp_idf::partitions::PARTITION_TABLE_MAX_LEN];
    let pt = esp_bootloader_esp_idf::partitions::read_partition_table(flash, &mut table)
        .map_err(|_| Problem::Read)?;
    let entry = pt
        .iter()
        .find(|p| p.raw_type() == tlv::PARTITION_TYPE && p.label_as_str() == tlv::PARTITION_LABEL)
        .ok_or(Problem::NoPartition)?;
    let len = (entry.len() as usize).min(tlv::MAX_PARTITION_SIZE);
    let mut buf = vec![0u8; len];
    flash
        .read(entry.offset(), &mut buf)
        .map_err(|_| Problem::Read)?;
    Ok(buf)
}

fn report(flash: &mut FlashStorage<'_>) -> bool {
    let image = match read_partition(flash) {
        Ok(b) => b,
        Err(p) => {
            let (reason, detail) = match p {
                Problem::NoPartition => (
                    CredsProblem::NoPartition,
                    String::from("no esp_secure_cert partition in the table"),
                ),
                Problem::Read => (
                    CredsProblem::Corrupt,
                    String::from("the flash could not be read"),
                ),
            };
            println!(
                "{}",
                Event::CredsError {
                    reason,
                    detail: detail.into()
                }
            );
            return false;
        }
    };
    match credentials::read(&image) {
        Ok(c) => {
            let Some(cert) = x509::summarize(c.device_cert) else {
                let detail = "the device certificate is not valid DER";
                println!(
                    "{}",
                    Event::CredsError {
                        reason: CredsProblem::Unusable,
                        detail: detail.into()
                    }
                );
                return false;
            };
            println!(
                "{}",
                Event::CredsOk {
                    cn: cert.cn.into(),
                    not_after: cert.not_after.into(),
                    endpoint: c.config.host.as_str().into(),
                    client_id: c.config.client_id.as_str().into(),
                    cas: c.ca_certs.len().min(255) as u8,
                    key: cert.key.into(),
                }
            );
            true
        }
        Err(e) => {
            println!(
                "{}",
                Event::CredsError {
                    reason: e.problem(),
                    detail: format!("{e}").into()
                }
            );
            false
        }
    }
}

#[main]
fn main() -> ! {
    let peripherals = esp_hal::init(esp_hal::Config::default());
    esp_alloc::heap_allocator!(size: 72 * 1024);
    let mut flash = FlashStorage::new(peripherals.FLASH);

    let mac = esp_hal::efuse::base_mac_address();
    let reset = esp_hal::system::reset_reason();
    println!(
        "{}",
        Event::Boot {
            fw: env!("CARGO_PKG_VERSION").into(),
            chip: CHIP.into(),
            mac: format!("{mac}").into(),
            reset: format!("{reset:?}").into(),
        }
    );
    loop {
        if report(&mut flash) {
            println!(
                "thingflash: credentials are in place; this firmware build stops here (networking is not built yet)"
            );
        }
        let start = Instant::now();
        while start.elapsed() < RETRY {}
    }
}
