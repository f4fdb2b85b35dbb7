//! The driver against a model of QEMU's MAC, written from `hw/net/opencores_eth.c` of
//! Espressif's QEMU (esp-develop 9.2.2): the same register semantics, the synchronous send on
//! a descriptor write, the 4 bytes appended to received frames, the drop at a full ring, the
//! address filter. It is strict where the driver could go wrong: a DMA to an address that is
//! not one of the driver's buffers fails the test. The real peer is the emulator itself (the
//! separate harness, `scripts/emulator`).

extern crate std;

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Wake;
use std::vec;
use std::vec::Vec;

use super::*;
use embassy_net_driver::{Driver, RxToken as _, TxToken as _};

const MODEL_MAC: [u8; 6] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
/// Where the model pretends the driver's buffers live (a DRAM address on the C3).
const DRAM: u32 = 0x3FC9_0000;
const MINFL: usize = 0x40;
const MAXFL: usize = 0x600;

struct State {
    regs: [u32; 21],
    desc: [[u32; 2]; DESCRIPTORS],
    tx_desc: usize,
    rx_desc: usize,
    buffers: Vec<Vec<u8>>,
    sent: Vec<Vec<u8>>,
    irq: bool,
}

/// The model, shared by the driver (as its bus) and the test (to inject and inspect).
#[derive(Clone)]
struct Model(std::rc::Rc<RefCell<State>>);

fn reg_index(reg: Reg) -> usize {
    reg as usize / 4
}

impl Model {
    fn new() -> Self {
        let mut s = State {
            regs: [0; 21],
            desc: [[0; 2]; DESCRIPTORS],
            tx_desc: 0,
            rx_desc: 0x40,
            buffers: vec![vec![0u8; BUF_LEN]; DESCRIPTORS],
            sent: Vec::new(),
            irq: false,
        };
        reset(&mut s);
        Self(std::rc::Rc::new(RefCell::new(s)))
    }

    /// A machine without the MAC (a real chip): the reserved addresses read 0.
    fn absent() -> Self {
        let m = Self::new();
        m.0.borrow_mut().regs = [0; 21];
        m
    }

    fn reg(&self, reg: Reg) -> u32 {
        self.0.borrow().regs[reg_index(reg)]
    }

    fn irq(&self) -> bool {
        self.0.borrow().irq
    }

    fn sent(&self) -> Vec<Vec<u8>> {
        self.0.borrow().sent.clone()
    }

    /// slirp hands the NIC a frame. Returns false when the NIC cannot receive (RXEN off):
    /// QEMU queues it then, outside the model.
    fn deliver(&self, frame: &[u8]) -> bool {
        let mut s = self.0.borrow_mut();
        if s.regs[0] & moder::RXEN == 0 || s.regs[reg_index(Reg::TxBdNum)] >= 0x80 {
            return false;
        }
        let moder = s.regs[0];
        let miss = if frame[..6] == [0xff; 6] {
            moder & (1 << 3) != 0
        } else if frame[0] & 1 != 0 {
            true // multicast: no hash bits set by this driver
        } else {
            let a0 = s.regs[reg_index(Reg::MacAddr0)].to_be_bytes();
            let a1 = s.regs[reg_index(Reg::MacAddr1)].to_be_bytes();
            frame[..6] != [a1[2], a1[3], a0[0], a0[1], a0[2], a0[3]]
        };
        if miss && moder & moder::PRO == 0 {
            return true;
        }
        let i = s.rx_desc;
        if s.desc[i][0] & desc::RX_E == 0 {
            let src = s.regs[1] | int::BUSY;
            int_source_write(&mut s, src);
            return true;
        }
        let mut copy = frame.len().min(MAXFL);
        let mut fcs: usize = if copy < frame.len() { 0 } else { 4 };
        let buf = buffer_index(s.desc[i][1]);
        s.buffers[buf][..copy].copy_from_slice(&frame[..copy]);
        if moder & moder::PAD != 0 && copy < MINFL {
            // QEMU: the padding eats into the 4 FCS bytes it appends, down to none.
            fcs = fcs.saturating_sub(MINFL - copy);
            s.buffers[buf][copy..MINFL].fill(0);
            copy = MINFL;
        }
        s.buffers[buf][copy..copy + fcs].fill(0);
        copy += fcs;
        s.desc[i][0] = (s.desc[i][0] & 0xffff) | ((copy as u32) << 16);
        let tx_bd = s.regs[reg_index(Reg::TxBdNum)] as usize;
        s.rx_desc = if s.desc[i][0] & desc::WR != 0 || i == 0x7f {
            tx_bd
        } else {
            i + 1
        };
        s.desc[i][0] &= !desc::RX_E;
        if s.desc[i][0] & desc::IRQ != 0 {
            let src = s.regs[1] | int::RXB;
            int_source_write(&mut s, src);
        }
        true
    }
}

fn buffer_index(addr: u32) -> usize {
    let off = addr
        .checked_sub(DRAM)
        .expect("DMA below the driver's buffers") as usize;
    assert_eq!(
        off % BUF_LEN,
        0,
        "DMA into the middle of a buffer: {addr:#x}"
    );
    let i = off / BUF_LEN;
    assert!(
        i < DESCRIPTORS,
        "DMA beyond the driver's buffers: {addr:#x}"
    );
    i
}

fn reset(s: &mut State) {
    s.regs = [0; 21];
    s.regs[0] = 0xa000;
    s.regs[3] = 0x12;
    s.regs[4] = 0xc;
    s.regs[5] = 0x12;
    s.regs[reg_index(Reg::PacketLen)] = 0x0040_0600;
    s.regs[7] = 0xf003f;
    s.regs[reg_index(Reg::TxBdNum)] = 0x40;
    s.regs[10] = 0x64;
    let m = MODEL_MAC;
    s.regs[reg_index(Reg::MacAddr1)] = u32::from_be_bytes([0, 0, m[0], m[1]]);
    s.regs[reg_index(Reg::MacAddr0)] = u32::from_be_bytes([m[2], m[3], m[4], m[5]]);
    s.tx_desc = 0;
    s.rx_desc = 0x40;
}

fn update_irq(s: &mut State) {
    s.irq = s.regs[1] & s.regs[2] != 0;
}

fn int_source_write(s: &mut State, value: u32) {
    s.regs[1] = value;
    update_irq(s);
}

fn check_start_xmit(s: &mut State) {
    let i = s.tx_desc;
    let flags = s.desc[i][0];
    if s.regs[0] & moder::TXEN != 0
        && s.regs[reg_index(Reg::TxBdNum)] > 0
        && flags & desc::TX_RD != 0
        && (flags >> 16) as usize > 4
    {
        let len = (flags >> 16) as usize;
        let mut tx_len = len;
        if flags & desc::TX_PAD != 0 && tx_len < MINFL {
            tx_len = MINFL;
        }
        tx_len = tx_len.min(MAXFL);
        let buf = buffer_index(s.desc[i][1]);
        let mut frame = s.buffers[buf][..len.min(tx_len)].to_vec();
        frame.resize(tx_len, 0);
        s.sent.push(frame);
        s.tx_desc = if flags & desc::WR != 0 {
            0
        } else {
            (i + 1) % s.regs[reg_index(Reg::TxBdNum)] as usize
        };
        s.desc[i][0] &= !(desc::TX_RD | 0x1ff);
        if flags & desc::IRQ != 0 {
            let src = s.regs[1] | int::TXB;
            int_source_write(s, src);
        }
    }
}

impl Bus for Model {
    fn read(&self, reg: Reg) -> u32 {
        self.0.borrow().regs[reg_index(reg)]
    }

    fn write(&self, reg: Reg, value: u32) {
        let s = &mut *self.0.borrow_mut();
        match reg {
            Reg::Moder => {
                let set = value & !s.regs[0];
                if set & moder::RST != 0 {
                    reset(s);
                }
                s.regs[0] = value;
                if set & moder::RXEN != 0 {
                    s.rx_desc = s.regs[reg_index(Reg::TxBdNum)] as usize;
                }
                if set & moder::TXEN != 0 {
                    s.tx_desc = 0;
                    check_start_xmit(s);
                }
            }
            Reg::IntSource => {
                s.regs[1] &= !value;
                update_irq(s);
            }
            Reg::IntMask => {
                s.regs[2] = value;
                update_irq(s);
            }
            Reg::TxBdNum => {
                if value < 0x80 {
                    s.regs[reg_index(reg)] = value;
                }
            }
            _ => s.regs[reg_index(reg)] = value,
        }
    }

    fn read_desc(&self, index: usize, word: Word) -> u32 {
        self.0.borrow().desc[index][word as usize]
    }

    fn write_desc(&self, index: usize, word: Word, value: u32) {
        let s = &mut *self.0.borrow_mut();
        s.desc[index][word as usize] = value;
        check_start_xmit(s);
    }

    fn buffer_addr(&self, index: usize) -> u32 {
        DRAM + (index * BUF_LEN) as u32
    }

    fn with_buffer<R>(&self, index: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
        let mut b = self.0.borrow().buffers[index].clone();
        let r = f(&mut b);
        self.0.borrow_mut().buffers[index] = b;
        r
    }
}

/// A frame to this NIC (or broadcast), of `len` bytes, numbered by `tag`.
fn frame(dst: [u8; 6], len: usize, tag: u8) -> Vec<u8> {
    let mut f = vec![tag; len];
    f[..6].copy_from_slice(&dst);
    f[6..12].copy_from_slice(&[0x52, 0x55, 0x0a, 0x00, 0x02, 0x02]);
    f[12..14].copy_from_slice(&[0x08, 0x00]);
    f
}

fn started(rx: usize) -> (Model, OpenEth<'static, Model>) {
    let model = Model::new();
    let signal: &'static Signal = Box::leak(Box::new(Signal::new()));
    let eth = OpenEth::new(model.clone(), signal, rx).expect("the model's MAC starts");
    (model, eth)
}

use std::boxed::Box;

#[test]
fn start_resets_the_mac_and_lays_out_one_tx_descriptor_and_the_rx_ring() {
    let (model, eth) = started(8);
    assert_eq!(model.reg(Reg::Moder), moder::RUN);
    assert_eq!(model.reg(Reg::TxBdNum), 1);
    assert_eq!(model.reg(Reg::IntMask), int::RXB | int::BUSY);
    assert_eq!(eth.mac(), MODEL_MAC);
    let s = model.0.borrow();
    assert_eq!(s.desc[0], [desc::WR, DRAM]);
    for i in 1..=8 {
        let wrap = if i == 8 { desc::WR } else { 0 };
        assert_eq!(
            s.desc[i],
            [desc::RX_E | desc::IRQ | wrap, DRAM + (i * BUF_LEN) as u32]
        );
    }
    assert_eq!(
        s.rx_desc, 1,
        "RXEN rising points the MAC at descriptor TX_BD_NUM"
    );
    assert!(s.sent.is_empty(), "setting up sends nothing");
    assert!(!s.irq);
}

#[test]
fn a_machine_without_the_mac_is_refused_with_what_to_do() {
    let signal = Signal::new();
    let err = OpenEth::new(Model::absent(), &signal, 8)
        .err()
        .expect("refused");
    assert_eq!(err, Error::NoMac { moder: 0 });
    let text = std::format!("{err}");
    assert!(text.contains("runs only in Espressif's QEMU"), "{text}");
    assert!(text.contains("model=open_eth"), "{text}");
}

#[test]
fn a_mac_this_driver_left_running_before_a_software_reset_starts_again() {
    let (model, mut eth) = started(4);
    eth.send(60, |b| b.fill(1));
    let signal = Signal::new();
    let again = OpenEth::new(model.clone(), &signal, 4).expect("starts again");
    assert_eq!(again.mac(), MODEL_MAC);
    assert_eq!(model.0.borrow().rx_desc, 1);
}

#[test]
fn ring_sizes_outside_the_descriptor_table_are_refused() {
    let signal = Signal::new();
    for n in [0, 1, 128, 500] {
        assert_eq!(
            OpenEth::new(Model::new(), &signal, n).err(),
            Some(Error::Ring(n)),
            "{n}"
        );
    }
    assert!(OpenEth::new(Model::new(), &signal, 127).is_ok());
}

#[test]
fn a_frame_is_sent_once_byte_for_byte_when_its_descriptor_is_written() {
    let (model, mut eth) = started(4);
    let f = frame([0xff; 6], 342, 7);
    eth.send(f.len(), |b| b.copy_from_slice(&f));
    assert_eq!(model.sent(), vec![f.clone()]);
    assert_eq!(model.0.borrow().desc[0][0] & desc::TX_RD, 0);
    eth.send(f.len(), |b| b.copy_from_slice(&f));
    assert_eq!(model.sent().len(), 2);
    assert_eq!(eth.stats().tx, 2);
}

#[test]
fn a_short_frame_is_padded_and_a_long_one_cut_at_the_mtu() {
    let (model, mut eth) = started(4);
    eth.send(42, |b| b.fill(3));
    eth.send(4000, |b| {
        assert_eq!(b.len(), MTU);
        b.fill(4)
    });
    let sent = model.sent();
    assert_eq!(sent[0].len(), MINFL);
    assert_eq!(&sent[0][..42], &[3u8; 42][..]);
    assert_eq!(sent[1].len(), MTU);
}

#[test]
fn a_frame_the_mac_does_not_take_is_withdrawn_not_sent_later() {
    let (model, mut eth) = started(4);
    model.write(Reg::Moder, moder::RXEN | moder::CRCEN); // TX off
    eth.send(100, |b| b.fill(9));
    assert!(model.sent().is_empty());
    assert_eq!(eth.stats().tx_refused, 1);
    // Any later descriptor write (an RX hand-back) would have sent a stale ready frame.
    model.write(Reg::Moder, moder::RUN);
    model.write_desc(2, Word::Flags, rx_empty(2, 4));
    assert!(model.sent().is_empty());
}

#[test]
fn a_received_frame_comes_out_without_the_four_bytes_the_model_appends() {
    let (model, mut eth) = started(4);
    for len in [60, 61, 62, 63, 64, 65, 342, MTU] {
        let f = frame(MODEL_MAC, len, len as u8);
        assert!(model.deliver(&f));
        let got = eth.receive_with(|b| b.to_vec()).expect("a frame");
        assert_eq!(got, f, "a frame of {len} bytes");
    }
    assert_eq!(eth.receive_with(|b| b.len()), None);
    assert_eq!(eth.stats().rx, 8);
}

#[test]
fn regression_padding_on_would_hide_where_a_short_frame_ends() {
    // With MODER.PAD (its reset value) a 62-byte frame arrives as 64 bytes with 2 zero
    // bytes, not 4: taking off 4 would cut the frame. The driver turns padding off.
    let (model, _eth) = started(4);
    assert_eq!(model.reg(Reg::Moder) & moder::PAD, 0);
}

#[test]
fn the_ring_wraps_and_frames_come_out_in_order() {
    let (model, mut eth) = started(3);
    let mut out = Vec::new();
    for round in 0..5u8 {
        for k in 0..3u8 {
            assert!(model.deliver(&frame(MODEL_MAC, 100, round * 3 + k)));
        }
        while let Some(tag) = eth.receive_with(|b| b[20]) {
            out.push(tag);
        }
    }
    assert_eq!(out, (0..15).collect::<Vec<u8>>());
}

#[test]
fn a_full_ring_drops_the_next_frame_and_the_drop_is_counted() {
    let (model, mut eth) = started(2);
    let signal_view = eth.signal;
    for tag in 0..3 {
        model.deliver(&frame(MODEL_MAC, 100, tag));
    }
    assert!(model.irq());
    let raised = on_interrupt(&model, signal_view);
    assert_eq!(raised, int::RXB | int::BUSY);
    assert!(!model.irq(), "the handler clears the level");
    assert_eq!(eth.stats().dropped, 1);
    assert_eq!(eth.receive_with(|b| b[20]), Some(0));
    assert_eq!(eth.receive_with(|b| b[20]), Some(1));
    assert_eq!(eth.receive_with(|b| b[20]), None, "the third was dropped");
    // The ring was handed back: the next frame lands.
    model.deliver(&frame(MODEL_MAC, 100, 3));
    assert_eq!(eth.receive_with(|b| b[20]), Some(3));
}

#[test]
fn frames_for_another_nic_are_filtered_and_broadcasts_kept() {
    let (model, mut eth) = started(4);
    model.deliver(&frame([0x52, 0x54, 0, 0, 0, 1], 100, 1));
    model.deliver(&frame([0x01, 0x00, 0x5e, 0, 0, 1], 100, 2));
    model.deliver(&frame([0xff; 6], 100, 3));
    assert_eq!(eth.receive_with(|b| b[20]), Some(3));
    assert_eq!(eth.receive_with(|b| b[20]), None);
}

#[test]
fn a_frame_cut_at_the_maximum_length_is_dropped_not_passed_on_short() {
    let (model, mut eth) = started(4);
    model.deliver(&frame(MODEL_MAC, 2000, 1));
    model.deliver(&frame(MODEL_MAC, 100, 2));
    assert_eq!(eth.receive_with(|b| b[20]), Some(2));
    assert_eq!(eth.stats().bad, 1);
}

struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn the_stack_waits_for_the_interrupt_and_is_woken_by_it() {
    let (model, mut eth) = started(4);
    let count = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let waker = Waker::from(count.clone());
    let mut cx = Context::from_waker(&waker);
    assert!(eth.receive(&mut cx).is_none());
    let f = frame(MODEL_MAC, 200, 5);
    model.deliver(&f);
    assert_eq!(count.0.load(Ordering::SeqCst), 0);
    on_interrupt(&model, eth.signal);
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    let (rx, tx) = eth.receive(&mut cx).expect("a frame after the wake");
    assert_eq!(rx.consume(|b| b.to_vec()), f);
    // The TX token lent beside it sends an answer.
    let answer = frame([0xff; 6], 70, 6);
    tx.consume(answer.len(), |b| b.copy_from_slice(&answer));
    assert_eq!(model.sent(), vec![answer]);
    assert!(eth.receive(&mut cx).is_none());
    assert!(matches!(eth.link_state(&mut cx), LinkState::Up));
    assert_eq!(eth.capabilities().max_transmission_unit, MTU);
    assert!(matches!(eth.hardware_address(), HardwareAddress::Ethernet(m) if m == MODEL_MAC));
}

#[test]
fn transmit_is_always_ready_because_the_model_sends_synchronously() {
    let (model, mut eth) = started(4);
    let waker = Waker::from(Arc::new(CountingWaker(AtomicUsize::new(0))));
    let mut cx = Context::from_waker(&waker);
    for n in 0..10u8 {
        let tx = eth.transmit(&mut cx).expect("ready");
        tx.consume(80, |b| b.fill(n));
    }
    assert_eq!(model.sent().len(), 10);
}
