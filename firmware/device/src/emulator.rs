//! The emulator's network, in place of the radio (feature `emulator`): the OpenCores
//! Ethernet MAC that Espressif's QEMU gives its `esp32c3` machine with
//! `-nic user,model=open_eth`. Owns the guard that keeps this image off real chips, the MAC's
//! MMIO and DMA buffers, its interrupt (the WiFi MAC's source, which it takes over), and the
//! heap the radio would have used, held back so the TLS handshake runs with a board's
//! headroom. The interface reports through the same events as WiFi (`wifi.connected` with its
//! DHCP address), so the monitor reads an emulator run like a board's.

use alloc::format;
use alloc::vec::Vec;
use core::cell::UnsafeCell;

use embassy_time::Timer;
use esp_println::println;
use thingflash_protocol::event::Event;

use crate::say;

use esp_hal::peripherals::{Interrupt, WIFI};
use thingflash_openeth::{BUF_LEN, Bus, DESC_BASE, OpenEth, REGS_BASE, Reg, Signal, Word};

/// RX descriptors: enough for the 4 KiB TCP window plus ARP and DNS in flight (the MAC
/// drops a frame that finds the ring full).
const RX_COUNT: usize = 8;

/// The heap esp-radio takes for a station with its default settings: 47 to 57 KiB by its
/// documentation ("Expected heap memory usage", esp-radio 1.0.0-beta.1); the upper figure.
pub const RADIO_HEAP: usize = 57 * 1024;

/// What embassy-net drives.
pub type Device = OpenEth<'static, Mmio>;

/// A register of Espressif's QEMU that reads "QEMU" (0x600263F8); reserved on a chip.
const QEMU_MAGIC_ADDR: usize = 0x6002_63F8;
const QEMU_MAGIC: u32 = 0x5145_4D55;

static SIGNAL: Signal = Signal::new();

// mbedTLS's C code calls printf, snprintf and vsnprintf: the radio's printf library provides
// them, as in the board build. Its console output (putchar, puts) goes nowhere, as the board
// build's does: the firmware speaks only in event lines.
use esp_wifi_sys_esp32c3 as _;

#[unsafe(no_mangle)]
extern "C" fn _putchar(_c: u8) {}

#[unsafe(no_mangle)]
extern "C" fn putchar(c: i32) -> i32 {
    c
}

#[unsafe(no_mangle)]
extern "C" fn puts(_s: *const core::ffi::c_char) -> i32 {
    0
}

/// The TX buffer and the RX ring's, word-aligned for the MAC's DMA.
#[repr(C, align(4))]
struct Buffers(UnsafeCell<[[u8; BUF_LEN]; 1 + RX_COUNT]>);

// SAFETY: one core; a buffer is touched only while its descriptor belongs to the CPU, by the
// one driver that owns the descriptors.
unsafe impl Sync for Buffers {}

static BUFFERS: Buffers = Buffers(UnsafeCell::new([[0; BUF_LEN]; 1 + RX_COUNT]));

/// The MAC's registers and descriptors at their fixed addresses.
#[derive(Clone, Copy)]
pub struct Mmio;

impl Bus for Mmio {
    fn read(&self, reg: Reg) -> u32 {
        // SAFETY: a 32-bit register of the MAC, present (the guard checked the machine).
        unsafe { core::ptr::read_volatile((REGS_BASE + reg as usize) as *const u32) }
    }
    fn write(&self, reg: Reg, value: u32) {
        // SAFETY: as `read`.
        unsafe { core::ptr::write_volatile((REGS_BASE + reg as usize) as *mut u32, value) }
    }
    fn read_desc(&self, index: usize, word: Word) -> u32 {
        let addr = DESC_BASE + index * 8 + word as usize * 4;
        // SAFETY: a word of one of the 128 descriptors (index checked by the driver's ring).
        unsafe { core::ptr::read_volatile(addr as *const u32) }
    }
    fn write_desc(&self, index: usize, word: Word, value: u32) {
        let addr = DESC_BASE + index * 8 + word as usize * 4;
        // SAFETY: as `read_desc`.
        unsafe { core::ptr::write_volatile(addr as *mut u32, value) }
    }
    fn buffer_addr(&self, index: usize) -> u32 {
        // SAFETY: only the address is taken.
        unsafe { (*BUFFERS.0.get())[index].as_ptr() as u32 }
    }
    fn with_buffer<R>(&self, index: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
        // SAFETY: the driver lends a buffer only while its descriptor is the CPU's, so the
        // MAC does not write it meanwhile, and only one buffer is lent at a time per index.
        let buf = unsafe { &mut (*BUFFERS.0.get())[index] };
        f(buf)
    }
}

/// No radio, no signal strength.
pub fn rssi() -> Option<i16> {
    None
}

/// The emulated link is up for as long as the emulator runs.
pub fn linked() -> bool {
    true
}

/// Whether this runs in Espressif's QEMU.
pub fn in_emulator() -> bool {
    // SAFETY: a read of a peripheral register address that is mapped on the chip and in
    // the emulator (reserved on the chip: it reads as something other than the magic).
    unsafe { core::ptr::read_volatile(QEMU_MAGIC_ADDR as *const u32) == QEMU_MAGIC }
}

#[esp_hal::handler]
fn mac_interrupt() {
    thingflash_openeth::on_interrupt(&Mmio, &SIGNAL);
}

/// Start the MAC and its interrupt; the WiFi peripheral is taken so nothing else claims the
/// interrupt source the emulator reuses. `None`, said, when there is no MAC (QEMU started
/// without `-nic user,model=open_eth`).
pub fn start(_wifi: WIFI<'static>) -> Option<Device> {
    match OpenEth::new(Mmio, &SIGNAL, RX_COUNT) {
        Ok(eth) => {
            esp_hal::interrupt::bind_handler(Interrupt::WIFI_MAC, mac_interrupt);
            Some(eth)
        }
        Err(e) => {
            say(&Event::WifiFailed {
                reason: 0,
                detail: format!("{e}").into(),
            });
            None
        }
    }
}

/// On a chip: say what this image is, again every few seconds for a monitor attached late,
/// and never touch the flash or the network.
pub async fn refuse() -> ! {
    loop {
        println!(
            "thingflash: this is the emulator build of the firmware; it runs only in Espressif's QEMU. Flash the board build (thingflash flash) instead."
        );
        Timer::after_secs(10).await;
    }
}

/// Take the radio's heap out of play for good, where the board would start the radio.
pub fn hold_radio_heap() -> usize {
    let held: Vec<u8> = Vec::with_capacity(RADIO_HEAP);
    let n = held.capacity();
    core::mem::forget(held);
    n
}
