//! An embassy-net driver for the OpenCores Ethernet MAC ("ethoc") that Espressif's QEMU
//! gives its emulated ESP32-C3 when started with `-nic user,model=open_eth`: registers at
//! 0x600CD000, 128 buffer descriptors at 0x600CD400, interrupt matrix source 0 (the WiFi
//! MAC's, which the emulator does not model). It is the network of the firmware's
//! `emulator` build; the board build uses the radio instead.
//!
//! This crate owns the register and descriptor handling and nothing that touches memory
//! directly: the firmware supplies a [`Bus`] that maps it onto MMIO and static buffers, and
//! the host tests supply a model of QEMU's MAC (`hw/net/opencores_eth.c`).
//!
//! How the model behaves, and the rule each behaviour gives this driver:
//! - It sends a frame at once, on any write into the descriptor window, if the current TX
//!   descriptor is ready (RD) and longer than 4 bytes: one TX descriptor, its buffer pointer
//!   written once at start, each frame copied into the buffer before its length and RD.
//! - It drops a frame that arrives while the current RX descriptor is still full (and raises
//!   BUSY): a ring of several RX descriptors, handed back as soon as a frame is read, and the
//!   drops counted.
//! - It appends 4 zero bytes (an FCS it does not compute) to every received frame, unless the
//!   frame was cut at the maximum length or padded: padding is turned off (MODER.PAD), the 4
//!   bytes are taken off, and a cut frame is dropped.
//! - Reset (MODER.RST) is not self-clearing, and the register keeps whatever is written.
#![no_std]

use core::cell::RefCell;
use core::task::{Context, Waker};

use critical_section::Mutex;
use embassy_net_driver::{Capabilities, HardwareAddress, LinkState};

/// Register offsets from the MAC's base address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reg {
    /// Mode: enables, reset, padding.
    Moder = 0x00,
    /// Interrupt sources; write 1 to clear.
    IntSource = 0x04,
    /// Interrupt mask.
    IntMask = 0x08,
    /// Minimum and maximum frame lengths.
    PacketLen = 0x18,
    /// Number of TX descriptors; the RX descriptors follow them.
    TxBdNum = 0x20,
    /// MAC address bytes 2..=5 (byte 5 in the low byte).
    MacAddr0 = 0x40,
    /// MAC address bytes 0 and 1 (byte 1 in the low byte).
    MacAddr1 = 0x44,
}

/// MODER bits.
pub mod moder {
    /// Receive enable.
    pub const RXEN: u32 = 1 << 0;
    /// Transmit enable.
    pub const TXEN: u32 = 1 << 1;
    /// Promiscuous.
    pub const PRO: u32 = 1 << 5;
    /// Reset (held while set).
    pub const RST: u32 = 1 << 11;
    /// CRC enable.
    pub const CRCEN: u32 = 1 << 13;
    /// Pad short frames (received ones too, which would hide the FCS bytes' position).
    pub const PAD: u32 = 1 << 15;
    /// The value after reset: how the driver knows it is talking to the model.
    pub const RESET_VALUE: u32 = PAD | CRCEN;
    /// What this driver runs the MAC with.
    pub const RUN: u32 = CRCEN | TXEN | RXEN;
}

/// INT_SOURCE / INT_MASK bits.
pub mod int {
    /// A frame was sent.
    pub const TXB: u32 = 1 << 0;
    /// A frame was received.
    pub const RXB: u32 = 1 << 2;
    /// A frame was dropped: the RX ring was full.
    pub const BUSY: u32 = 1 << 4;
}

/// Descriptor word 0 bits (length in bits 31..16).
pub mod desc {
    /// TX: ready to send (cleared by the MAC once sent).
    pub const TX_RD: u32 = 1 << 15;
    /// RX: empty, owned by the MAC (cleared once it holds a frame).
    pub const RX_E: u32 = 1 << 15;
    /// Raise an interrupt when done.
    pub const IRQ: u32 = 1 << 14;
    /// Last descriptor of its ring.
    pub const WR: u32 = 1 << 13;
    /// TX: pad a short frame to the minimum length.
    pub const TX_PAD: u32 = 1 << 12;
    /// TX: append the CRC.
    pub const TX_CRC: u32 = 1 << 11;
    /// Where the length starts.
    pub const LEN_SHIFT: u32 = 16;
}

/// Which word of a buffer descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Word {
    /// Length and flags.
    Flags = 0,
    /// The buffer's address as the MAC sees it.
    Pointer = 1,
}

/// Base address of the registers in the emulated ESP32-C3.
pub const REGS_BASE: usize = 0x600C_D000;
/// Base address of the 128 buffer descriptors (8 bytes each).
pub const DESC_BASE: usize = 0x600C_D400;
/// Descriptors the MAC has in all (TX and RX together).
pub const DESCRIPTORS: usize = 128;
/// Size of each frame buffer: a full frame and the 4 bytes the MAC appends (ESP-IDF's size).
pub const BUF_LEN: usize = 1600;
/// The largest Ethernet frame without FCS (IP MTU 1500 + 14).
pub const MTU: usize = 1514;
/// Bytes the model appends to each received frame.
const FCS_LEN: usize = 4;
/// The one TX descriptor; the RX ring follows it.
const TX_INDEX: usize = 0;

/// What the driver needs from the machine: the MAC's registers and descriptors, and the
/// frame buffers the MAC reads and writes by DMA. Buffer `0` is the TX buffer, `1..=n` the RX
/// ring's, matching the descriptor of the same index.
pub trait Bus {
    /// Read a register.
    fn read(&self, reg: Reg) -> u32;
    /// Write a register.
    fn write(&self, reg: Reg, value: u32);
    /// Read a word of descriptor `index`.
    fn read_desc(&self, index: usize, word: Word) -> u32;
    /// Write a word of descriptor `index`.
    fn write_desc(&self, index: usize, word: Word, value: u32);
    /// The address the MAC uses for buffer `index`.
    fn buffer_addr(&self, index: usize) -> u32;
    /// Lend buffer `index` (`BUF_LEN` bytes). Called only while its descriptor is the
    /// CPU's: RX after the MAC filled it, TX before RD is set.
    fn with_buffer<R>(&self, index: usize, f: impl FnOnce(&mut [u8]) -> R) -> R;
}

/// Why the driver did not start.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// MODER did not read as the model's reset value (or as this driver leaves it).
    #[error(
        "no OpenCores Ethernet MAC at 0x600CD000 (MODER reads {moder:#x}): this is the emulator build, which runs only in Espressif's QEMU started with `-nic user,model=open_eth`"
    )]
    NoMac {
        /// What MODER read.
        moder: u32,
    },
    /// The RX ring size does not fit the descriptor table.
    #[error("an RX ring of {0} descriptors does not fit the MAC's 127 (at least 2)")]
    Ring(usize),
}

/// Counters, for the firmware's report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Frames received and handed to the stack.
    pub rx: u32,
    /// Frames sent.
    pub tx: u32,
    /// Frames the MAC dropped at a full ring (BUSY interrupts seen).
    pub dropped: u32,
    /// Frames received but not usable (cut at the maximum length, or shorter than a header).
    pub bad: u32,
    /// Frames the MAC did not take (RD still set after the write).
    pub tx_refused: u32,
}

/// Where the interrupt handler finds the waiting receiver. One per MAC, shared by the driver
/// and the handler (a `static` in the firmware).
pub struct Signal {
    waker: Mutex<RefCell<Option<Waker>>>,
    dropped: Mutex<RefCell<u32>>,
}

impl Signal {
    /// An empty signal.
    pub const fn new() -> Self {
        Self {
            waker: Mutex::new(RefCell::new(None)),
            dropped: Mutex::new(RefCell::new(0)),
        }
    }

    fn register(&self, waker: &Waker) {
        critical_section::with(|cs| {
            let mut slot = self.waker.borrow_ref_mut(cs);
            if !slot.as_ref().is_some_and(|w| w.will_wake(waker)) {
                *slot = Some(waker.clone());
            }
        });
    }

    fn wake(&self) {
        if let Some(w) = critical_section::with(|cs| self.waker.borrow_ref_mut(cs).take()) {
            w.wake();
        }
    }

    fn dropped(&self) -> u32 {
        critical_section::with(|cs| *self.dropped.borrow_ref(cs))
    }
}

impl Default for Signal {
    fn default() -> Self {
        Self::new()
    }
}

/// The interrupt handler's work: clear what the MAC raised, count drops, wake the receiver.
/// Returns the INT_SOURCE bits it cleared.
pub fn on_interrupt(bus: &impl Bus, signal: &Signal) -> u32 {
    let raised = bus.read(Reg::IntSource);
    bus.write(Reg::IntSource, raised);
    if raised & int::BUSY != 0 {
        critical_section::with(|cs| *signal.dropped.borrow_ref_mut(cs) += 1);
    }
    if raised & (int::RXB | int::BUSY) != 0 {
        signal.wake();
    }
    raised
}

/// The RX ring: descriptors `1..=count`, the next one the MAC fills.
struct Rx {
    count: usize,
    next: usize,
    received: u32,
    bad: u32,
}

/// The TX side: its counters (the descriptor and buffer are always index 0).
struct Tx {
    sent: u32,
    refused: u32,
}

/// The driver. Build it once, in a `static` (it is small, but the firmware's stack is not
/// the place to find that out), and give it to `embassy_net::new`.
pub struct OpenEth<'s, B: Bus> {
    bus: B,
    signal: &'s Signal,
    mac: [u8; 6],
    rx: Rx,
    tx: Tx,
}

impl<'s, B: Bus> OpenEth<'s, B> {
    /// Check that the MAC is there, reset it, set up one TX descriptor and a ring of
    /// `rx_count` RX descriptors, and start it with the RX interrupt enabled.
    pub fn new(bus: B, signal: &'s Signal, rx_count: usize) -> Result<Self, Error> {
        if !(2..DESCRIPTORS).contains(&rx_count) {
            return Err(Error::Ring(rx_count));
        }
        let moder = bus.read(Reg::Moder);
        // Fresh from power-on, or left running by this driver before a software reset.
        if moder != moder::RESET_VALUE && moder != moder::RUN {
            return Err(Error::NoMac { moder });
        }
        bus.write(Reg::Moder, moder | moder::RST);
        // Out of reset with everything off, and padding off so a received frame always ends
        // in the model's 4 FCS bytes.
        bus.write(Reg::Moder, 0);
        bus.write(Reg::IntMask, 0);
        bus.write(Reg::IntSource, u32::MAX);
        bus.write(Reg::TxBdNum, 1);

        // The pointer first: a write to the window sends the TX descriptor if it is ready,
        // and this one is not.
        bus.write_desc(TX_INDEX, Word::Pointer, bus.buffer_addr(TX_INDEX));
        bus.write_desc(TX_INDEX, Word::Flags, desc::WR);
        for i in 1..=rx_count {
            bus.write_desc(i, Word::Pointer, bus.buffer_addr(i));
            bus.write_desc(i, Word::Flags, rx_empty(i, rx_count));
        }

        let a0 = bus.read(Reg::MacAddr0).to_be_bytes();
        let a1 = bus.read(Reg::MacAddr1).to_be_bytes();
        let mac = [a1[2], a1[3], a0[0], a0[1], a0[2], a0[3]];

        bus.write(Reg::IntMask, int::RXB | int::BUSY);
        // RXEN rising points the MAC at the first RX descriptor (index TX_BD_NUM = 1).
        bus.write(Reg::Moder, moder::RUN);
        Ok(Self {
            bus,
            signal,
            mac,
            rx: Rx {
                count: rx_count,
                next: 1,
                received: 0,
                bad: 0,
            },
            tx: Tx {
                sent: 0,
                refused: 0,
            },
        })
    }

    /// The MAC address the emulator gave the NIC (`-nic ...,mac=`).
    pub fn mac(&self) -> [u8; 6] {
        self.mac
    }

    /// The counters so far.
    pub fn stats(&self) -> Stats {
        Stats {
            rx: self.rx.received,
            tx: self.tx.sent,
            dropped: self.signal.dropped(),
            bad: self.rx.bad,
            tx_refused: self.tx.refused,
        }
    }

    /// Send one frame of `len` bytes written by `fill`. Frames longer than [`MTU`] are cut.
    pub fn send<R>(&mut self, len: usize, fill: impl FnOnce(&mut [u8]) -> R) -> R {
        transmit(&self.bus, &mut self.tx, len, fill)
    }

    /// Take the next received frame, if the MAC has filled one, and hand its descriptor back.
    pub fn receive_with<R>(&mut self, take: impl FnOnce(&mut [u8]) -> R) -> Option<R> {
        loop {
            match next_frame(&self.bus, &mut self.rx)? {
                Some(len) => return Some(receive(&self.bus, &mut self.rx, len, take)),
                None => continue,
            }
        }
    }
}

/// Word 0 of an empty RX descriptor `i` in a ring of `count`.
fn rx_empty(i: usize, count: usize) -> u32 {
    let wrap = if i == count { desc::WR } else { 0 };
    desc::RX_E | desc::IRQ | wrap
}

/// The length of the frame in the next RX descriptor: `None` if the MAC has not filled it,
/// `Some(None)` if it held an unusable frame (now handed back), `Some(Some(len))` otherwise.
fn next_frame(bus: &impl Bus, rx: &mut Rx) -> Option<Option<usize>> {
    let flags = bus.read_desc(rx.next, Word::Flags);
    if flags & desc::RX_E != 0 {
        return None;
    }
    let len = (flags >> desc::LEN_SHIFT) as usize;
    // The model appends the 4 bytes to every frame it did not cut at the maximum length;
    // with padding off, a frame of MTU + 4 or less is whole.
    if (14 + FCS_LEN..=MTU + FCS_LEN).contains(&len) {
        Some(Some(len - FCS_LEN))
    } else {
        rx.bad += 1;
        release(bus, rx);
        Some(None)
    }
}

fn release(bus: &impl Bus, rx: &mut Rx) {
    bus.write_desc(rx.next, Word::Flags, rx_empty(rx.next, rx.count));
    rx.next = if rx.next == rx.count { 1 } else { rx.next + 1 };
}

fn receive<R>(bus: &impl Bus, rx: &mut Rx, len: usize, take: impl FnOnce(&mut [u8]) -> R) -> R {
    let r = bus.with_buffer(rx.next, |b| take(&mut b[..len]));
    rx.received += 1;
    release(bus, rx);
    r
}

fn transmit<R>(bus: &impl Bus, tx: &mut Tx, len: usize, fill: impl FnOnce(&mut [u8]) -> R) -> R {
    let len = len.min(MTU);
    let r = bus.with_buffer(TX_INDEX, |b| fill(&mut b[..len]));
    let flags =
        ((len as u32) << desc::LEN_SHIFT) | desc::TX_RD | desc::WR | desc::TX_PAD | desc::TX_CRC;
    // This write sends it: the model reads the buffer now and clears RD.
    bus.write_desc(TX_INDEX, Word::Flags, flags);
    if bus.read_desc(TX_INDEX, Word::Flags) & desc::TX_RD != 0 {
        // Not taken (TX off): withdraw it so a later write cannot send a stale frame.
        tx.refused += 1;
        bus.write_desc(TX_INDEX, Word::Flags, desc::WR);
    } else {
        tx.sent += 1;
    }
    r
}

/// A received frame, lent to the stack.
pub struct RxToken<'a, B: Bus> {
    bus: &'a B,
    rx: &'a mut Rx,
    len: usize,
}

impl<B: Bus> embassy_net_driver::RxToken for RxToken<'_, B> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, f: F) -> R {
        receive(self.bus, self.rx, self.len, f)
    }
}

/// Room for one frame to send.
pub struct TxToken<'a, B: Bus> {
    bus: &'a B,
    tx: &'a mut Tx,
}

impl<B: Bus> embassy_net_driver::TxToken for TxToken<'_, B> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        transmit(self.bus, self.tx, len, f)
    }
}

impl<B: Bus> embassy_net_driver::Driver for OpenEth<'_, B> {
    type RxToken<'a>
        = RxToken<'a, B>
    where
        Self: 'a;
    type TxToken<'a>
        = TxToken<'a, B>
    where
        Self: 'a;

    fn receive(&mut self, cx: &mut Context<'_>) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        // Register before looking, so a frame landing in between still wakes the stack.
        self.signal.register(cx.waker());
        let len = loop {
            match next_frame(&self.bus, &mut self.rx)? {
                Some(len) => break len,
                None => continue,
            }
        };
        Some((
            RxToken {
                bus: &self.bus,
                rx: &mut self.rx,
                len,
            },
            TxToken {
                bus: &self.bus,
                tx: &mut self.tx,
            },
        ))
    }

    fn transmit(&mut self, _cx: &mut Context<'_>) -> Option<Self::TxToken<'_>> {
        // Sending is synchronous in the model: the one descriptor is always free.
        Some(TxToken {
            bus: &self.bus,
            tx: &mut self.tx,
        })
    }

    fn link_state(&mut self, _cx: &mut Context<'_>) -> LinkState {
        // The model's PHY reports the link up for as long as the emulator runs.
        LinkState::Up
    }

    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::default();
        caps.max_transmission_unit = MTU;
        caps
    }

    fn hardware_address(&self) -> HardwareAddress {
        HardwareAddress::Ethernet(self.mac)
    }
}

#[cfg(test)]
mod tests;
