//! A strict fake of the ESP8266 ROM loader on a pseudo-terminal, written from esptool's
//! description of the real ROM (`esptool/loader.py`, `targets/esp8266.py`, esptool issue
//! #33 on `SPIEraseArea`), because the only peer, esp32-mock-bootloader, is lenient for
//! the ESP8266: it answers with four status bytes, accepts commands the ROM does not have,
//! and its FLASH_BEGIN erases nothing. This one:
//! - answers with the ROM's two status bytes, and refuses every command the ROM lacks
//!   (SPI_SET_PARAMS, SPI_ATTACH, CHANGE_BAUDRATE, the deflate commands, MD5, flash
//!   read, erase, GET_SECURITY_INFO) with status `01 05`;
//! - answers each SYNC ten times (the ROM sends eight, some chips more);
//! - erases at FLASH_BEGIN exactly as the ROM miscounts: inside one 64 KiB block twice
//!   the sectors asked, across a boundary the sectors up to it once more;
//! - programs like NOR flash (bits only clear), so writing over sectors it did not erase
//!   corrupts them, as on a chip;
//! - takes MEM_BEGIN/MEM_DATA (checksums checked) but never starts an uploaded stub: no
//!   `OHAI`, the ROM goes on answering, as when a board will not run the stub;
//! - checks lengths, block sizes, sequence numbers and checksums.
#![allow(dead_code)]

use std::io::{Read as _, Write as _};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What the fake saw and holds.
#[derive(Default)]
pub struct State {
    pub flash: Vec<u8>,
    /// Every sector erased, in order.
    pub erased: Vec<u32>,
    /// Opcodes refused as unsupported.
    pub refused: Vec<u8>,
    /// FLASH_DATA payload bytes received.
    pub data_bytes: usize,
    /// Protocol errors (bad checksum, length, sequence): a strict ROM answers them with a
    /// failure, and the test fails on any.
    pub errors: Vec<String>,
    begin: Option<(u32, u32, u32, u32)>, // offset, blocks, block size, next seq
    regs: std::collections::HashMap<u32, u32>,
}

pub struct FakeRom {
    pub port: String,
    pub state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A flash image that is not erased anywhere: a pattern, so that any byte erased or
/// written by mistake shows.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).rotate_left(7) as u8 & 0x7F)
        .collect()
}

const MAGIC: u32 = 0xFFF0_C101;

impl FakeRom {
    pub fn start(flash: Vec<u8>) -> Self {
        let (pty, port) = super::raw_pty();
        let state = Arc::new(Mutex::new(State {
            flash,
            ..State::default()
        }));
        let mut regs = std::collections::HashMap::new();
        // MAC 5c:cf:7f:12:34:56 in the OTP words esptool reads.
        regs.insert(0x3FF0_0050, 0x5600_0000);
        regs.insert(0x3FF0_0054, 0x0000_1234);
        regs.insert(0x3FF0_005C, 0x005C_CF7F);
        regs.insert(0x4000_1000, MAGIC);
        state.lock().unwrap().regs = regs;
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        let master = std::fs::File::from(pty.master);
        // The slave stays open for the fake's life so the pty never hangs up.
        let slave = pty.slave;
        let thread = std::thread::spawn(move || {
            let _slave = slave;
            serve(master, &st, &sp);
        });
        Self {
            port,
            state,
            stop,
            thread: Some(thread),
        }
    }

    pub fn flash(&self) -> Vec<u8> {
        self.state.lock().unwrap().flash.clone()
    }
}

impl Drop for FakeRom {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn slip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0xC0];
    for &b in data {
        match b {
            0xC0 => out.extend([0xDB, 0xDC]),
            0xDB => out.extend([0xDB, 0xDD]),
            b => out.push(b),
        }
    }
    out.push(0xC0);
    out
}

fn word(d: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([d[4 * i], d[4 * i + 1], d[4 * i + 2], d[4 * i + 3]])
}

fn serve(mut port: std::fs::File, state: &Mutex<State>, stop: &AtomicBool) {
    use std::os::fd::AsFd as _;
    let mut frame = Vec::new();
    let (mut in_frame, mut esc) = (false, false);
    let mut buf = [0u8; 8192];
    while !stop.load(Ordering::Relaxed) {
        let mut pfd = [nix::poll::PollFd::new(
            port.as_fd(),
            nix::poll::PollFlags::POLLIN,
        )];
        match nix::poll::poll(&mut pfd, nix::poll::PollTimeout::from(50u16)) {
            Ok(0) => continue,
            Ok(_) => {}
            Err(_) => return,
        }
        let n = match port.read(&mut buf) {
            Ok(0) | Err(_) => {
                std::thread::sleep(std::time::Duration::from_millis(10));
                continue;
            }
            Ok(n) => n,
        };
        for &b in &buf[..n] {
            if !in_frame {
                if b == 0xC0 {
                    in_frame = true;
                    frame.clear();
                }
                continue;
            }
            if esc {
                esc = false;
                frame.push(match b {
                    0xDC => 0xC0,
                    0xDD => 0xDB,
                    other => {
                        state
                            .lock()
                            .unwrap()
                            .errors
                            .push(format!("bad escape {other:#x}"));
                        other
                    }
                });
                continue;
            }
            match b {
                0xC0 if frame.is_empty() => {}
                0xC0 => {
                    in_frame = false;
                    for reply in handle(&frame, state) {
                        if port.write_all(&slip(&reply)).is_err() {
                            return;
                        }
                    }
                    let _ = port.flush();
                }
                0xDB => esc = true,
                b => frame.push(b),
            }
        }
    }
}

fn response(op: u8, value: u32, data: &[u8], status: (u8, u8)) -> Vec<u8> {
    let mut r = vec![0x01, op];
    r.extend(((data.len() + 2) as u16).to_le_bytes());
    r.extend(value.to_le_bytes());
    r.extend_from_slice(data);
    r.extend([status.0, status.1]);
    r
}

fn checksum(data: &[u8]) -> u8 {
    data.iter().fold(0xEF, |a, b| a ^ b)
}

/// What the ROM's `SPIEraseArea` erases, written from esptool issue #33's description:
/// an area inside one 64 KiB block loses twice its sectors; one that crosses a boundary
/// loses, on top of its own, the sectors from its start to the boundary.
fn rom_erase(offset: u32, size: u32) -> std::ops::Range<u32> {
    let first = offset / 4096;
    let total = size.div_ceil(4096);
    let head = 16 - first % 16;
    let extra = if total <= head { total } else { head };
    first..first + total + extra
}

fn handle(frame: &[u8], state: &Mutex<State>) -> Vec<Vec<u8>> {
    let mut st = state.lock().unwrap();
    if frame.len() < 8 || frame[0] != 0x00 {
        st.errors.push(format!(
            "not a request: {:02x?}",
            &frame[..frame.len().min(8)]
        ));
        return vec![];
    }
    let op = frame[1];
    let len = u16::from_le_bytes([frame[2], frame[3]]) as usize;
    let chk = u32::from_le_bytes([frame[4], frame[5], frame[6], frame[7]]);
    let data = &frame[8..];
    let fail = |st: &mut State, why: String, code: u8| {
        st.errors.push(why);
        vec![response(op, 0, &[], (1, code))]
    };
    if data.len() != len {
        return fail(
            &mut st,
            format!("op {op:#x}: length {len} but {} bytes", data.len()),
            0x05,
        );
    }
    let ok = |value: u32| vec![response(op, value, &[], (0, 0))];
    match op {
        0x08 => {
            let mut want = vec![0x07, 0x07, 0x12, 0x20];
            want.extend([0x55; 32]);
            if data != want {
                return fail(&mut st, "bad sync payload".into(), 0x05);
            }
            (0..10)
                .map(|_| response(op, 0x2012_0707, &[], (0, 0)))
                .collect()
        }
        0x0A if len == 4 => {
            let addr = word(data, 0);
            let mut v = st.regs.get(&addr).copied().unwrap_or(0);
            if addr == 0x6000_0200 {
                v = 0; // SPI commands complete at once
            }
            ok(v)
        }
        0x09 if len == 16 => {
            let (addr, value, mask) = (word(data, 0), word(data, 1), word(data, 2));
            let old = st.regs.get(&addr).copied().unwrap_or(0);
            st.regs.insert(addr, (old & !mask) | (value & mask));
            if addr == 0x6000_0200 && value & (1 << 18) != 0 {
                // A user command: RDID answers a 4 MB XMC chip.
                let cmd = st.regs.get(&0x6000_0224).copied().unwrap_or(0) & 0xFF;
                let w0 = if cmd == 0x9F { 0x0016_4020 } else { 0 };
                st.regs.insert(0x6000_0240, w0);
            }
            ok(0)
        }
        0x02 if len == 16 => {
            let (erase, blocks, block, offset) =
                (word(data, 0), word(data, 1), word(data, 2), word(data, 3));
            if !offset.is_multiple_of(4096) && erase > 0 {
                return fail(&mut st, format!("unaligned FLASH_BEGIN {offset:#x}"), 0x01);
            }
            if erase > 0 {
                let range = rom_erase(offset, erase);
                let end = (range.end as usize * 4096).min(st.flash.len());
                let start = (range.start as usize * 4096).min(end);
                st.flash[start..end].fill(0xFF);
                st.erased.extend(range);
            }
            st.begin = Some((offset, blocks, block, 0));
            ok(0)
        }
        0x03 | 0x07 if len >= 16 => {
            let (n, seq) = (word(data, 0) as usize, word(data, 1));
            let payload = &data[16..];
            if payload.len() != n {
                return fail(
                    &mut st,
                    format!("op {op:#x}: data length {n} but {}", payload.len()),
                    0x05,
                );
            }
            if chk & 0xFF != u32::from(checksum(payload)) {
                return fail(
                    &mut st,
                    format!("op {op:#x}: bad checksum at seq {seq}"),
                    0x07,
                );
            }
            if op == 0x07 {
                return ok(0);
            }
            let Some((offset, blocks, block, next)) = st.begin else {
                return fail(&mut st, "FLASH_DATA without FLASH_BEGIN".into(), 0x05);
            };
            if seq != next || seq >= blocks || n != block as usize {
                return fail(
                    &mut st,
                    format!(
                        "FLASH_DATA seq {seq} (expected {next} of {blocks}), {n} bytes (block {block})"
                    ),
                    0x05,
                );
            }
            let at = offset as usize + seq as usize * block as usize;
            if at + n > st.flash.len() {
                return fail(
                    &mut st,
                    format!("FLASH_DATA past the flash at {at:#x}"),
                    0x08,
                );
            }
            for (d, s) in st.flash[at..at + n].iter_mut().zip(payload) {
                *d &= *s;
            }
            st.data_bytes += n;
            st.begin = Some((offset, blocks, block, next + 1));
            ok(0)
        }
        0x04 if len == 4 => ok(0),
        0x05 if len == 16 => ok(0),
        // MEM_END: the ROM jumps to the stub; this one never runs, so nothing answers and
        // the ROM carries on.
        0x06 if len == 8 => vec![],
        0x02..=0x0A => fail(&mut st, format!("op {op:#x}: bad length {len}"), 0x05),
        other => {
            st.refused.push(other);
            vec![response(op, 0, &[], (1, 0x05))]
        }
    }
}
