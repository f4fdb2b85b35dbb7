//! The ESP8266's serial loader, spoken directly: espflash dropped the ESP8266, so this is
//! thingflash's own client. It syncs with the ROM, tells the chip by its magic register,
//! uploads the flasher stub (esp-flasher-stub, Apache-2.0 OR MIT, `assets/stub/`) and then
//! reads, checks and writes flash through it; when the stub cannot run it writes with the
//! ROM's own commands, reproducing the ROM's erase miscount so nothing outside the
//! target region is erased. The protocol is esptool's (`esptool/loader.py`,
//! `targets/esp8266.py`): SLIP frames, `00 op len chk data` requests, `01 op len value
//! data` responses whose last two bytes (after any data) are the status.

use std::collections::VecDeque;
use std::io::{Read as _, Write as _};
use std::time::{Duration, Instant};

use super::slip;

/// Opcodes.
mod op {
    pub const FLASH_BEGIN: u8 = 0x02;
    pub const FLASH_DATA: u8 = 0x03;
    pub const FLASH_END: u8 = 0x04;
    pub const MEM_BEGIN: u8 = 0x05;
    pub const MEM_END: u8 = 0x06;
    pub const MEM_DATA: u8 = 0x07;
    pub const SYNC: u8 = 0x08;
    pub const WRITE_REG: u8 = 0x09;
    pub const READ_REG: u8 = 0x0A;
    pub const SPI_SET_PARAMS: u8 = 0x0B;
    pub const CHANGE_BAUDRATE: u8 = 0x0F;
    pub const FLASH_DEFL_BEGIN: u8 = 0x10;
    pub const FLASH_DEFL_DATA: u8 = 0x11;
    pub const FLASH_DEFL_END: u8 = 0x12;
    pub const SPI_FLASH_MD5: u8 = 0x13;
    pub const READ_FLASH: u8 = 0xD2;
}

/// The ROM's baud rate (26 MHz crystal; its boot text runs at 74880).
pub const ROM_BAUD: u32 = 115_200;
/// What `0x40001000` reads on an ESP8266.
pub const ESP8266_MAGIC: u32 = 0xFFF0_C101;
const MAGIC_REG: u32 = 0x4000_1000;
/// OTP words holding the MAC and the ESP8285 bits.
const EFUSE: [u32; 4] = [0x3FF0_0050, 0x3FF0_0054, 0x3FF0_0058, 0x3FF0_005C];
/// SPI0, for the flash chip's JEDEC id.
const SPI_CMD: u32 = 0x6000_0200;
const SPI_USR: u32 = 0x6000_021C;
const SPI_USR1: u32 = 0x6000_0220;
const SPI_USR2: u32 = 0x6000_0224;
const SPI_W0: u32 = 0x6000_0240;
/// FLASH_DATA block in ROM mode.
pub const ROM_BLOCK: usize = 0x400;
/// Block with the stub (compressed data).
const STUB_BLOCK: usize = 0x4000;
/// MEM_DATA block for the stub upload.
const RAM_BLOCK: usize = 0x1800;
const SECTOR: u32 = 0x1000;
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);
const SYNC_TIMEOUT: Duration = Duration::from_millis(100);

/// `max(3 s, seconds_per_mb * bytes / 1e6)`, as esptool scales erase and MD5 waits.
fn per_mb(seconds: f64, bytes: usize) -> Duration {
    Duration::from_secs_f64((seconds * bytes as f64 / 1e6).max(3.0))
}

/// XOR of the data seeded with 0xEF: the data commands' checksum.
pub fn checksum(data: &[u8]) -> u32 {
    u32::from(data.iter().fold(0xEF_u8, |a, b| a ^ b))
}

/// The stub, as esptool's package carries it.
const STUB_JSON: &str = include_str!("../../../../assets/stub/esp8266.json");

/// The flasher stub's segments.
struct Stub {
    entry: u32,
    segments: Vec<(u32, Vec<u8>)>,
}

fn load_stub() -> Result<Stub, String> {
    use base64::Engine as _;
    let v: serde_json::Value = serde_json::from_str(STUB_JSON).map_err(|e| e.to_string())?;
    let num = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| format!("the stub has no {k}"))
    };
    let bytes = |k: &str| {
        let s = v
            .get(k)
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| format!("the stub has no {k}"))?;
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(|e| e.to_string())
    };
    // bss is not uploaded: the stub clears it itself.
    Ok(Stub {
        entry: num("entry")?,
        segments: vec![
            (num("text_start")?, bytes("text")?),
            (num("data_start")?, bytes("data")?),
        ],
    })
}

/// Why a loader command failed.
#[derive(Debug, thiserror::Error)]
pub enum RomError {
    /// The port failed.
    #[error("the serial port failed: {0}")]
    Io(#[from] std::io::Error),
    /// The port could not be set up (baud, lines).
    #[error("the serial port failed: {0}")]
    Port(#[from] serialport::Error),
    /// No answer in time.
    #[error("no answer to {what} within {secs:.1} s")]
    Timeout {
        /// The command.
        what: &'static str,
        /// How long we waited.
        secs: f64,
    },
    /// The loader did not sync.
    #[error("no answer to the sync request ({attempts} attempts)")]
    NoSync {
        /// Attempts made.
        attempts: u32,
    },
    /// The loader answered with a failure.
    #[error("{what} failed: {text} (status {code:#06x})")]
    Failed {
        /// The command.
        what: &'static str,
        /// The two status bytes, as esptool prints them.
        code: u16,
        /// What the code means.
        text: &'static str,
    },
    /// The answer was too short to hold its status.
    #[error("{what}: the answer was {len} bytes, too short for its status")]
    Short {
        /// The command.
        what: &'static str,
        /// Its length.
        len: usize,
    },
    /// A read or MD5 that did not add up.
    #[error("{0}")]
    Corrupt(String),
    /// The chip is not an ESP8266.
    #[error("the chip is not an ESP8266 (magic {magic:#010x})")]
    NotEsp8266 {
        /// What 0x40001000 read.
        magic: u32,
        /// The chip id newer ROMs report in GET_SECURITY_INFO (ESP32-C3 and later).
        chip_id: Option<u32>,
    },
}

impl RomError {
    /// The ROM refused the command as one it does not have (status 0x05, "invalid
    /// message"), as the ESP8266 ROM does for every stub-only command.
    pub fn is_unsupported(&self) -> bool {
        matches!(self, RomError::Failed { code, .. } if code & 0xFF == 0x05 && code >> 8 == 1)
    }
}

/// Status codes, as esptool's `FatalError.WithResult` names them: ROM failures are
/// `01 xx`, stub failures `Cx 00`.
const STATUS_TEXTS: [(u16, &str); 34] = [
    (0x0100, "undefined error"),
    (0x0101, "the input parameter is invalid"),
    (0x0102, "out of memory"),
    (0x0103, "failed to send a message"),
    (0x0104, "failed to receive a message"),
    (
        0x0105,
        "the command is not supported or its message is malformed",
    ),
    (0x0106, "the command ran but its result is wrong"),
    (0x0107, "checksum error"),
    (0x0108, "flash write error"),
    (0x0109, "flash read error"),
    (0x010A, "flash read length error"),
    (0x010B, "deflate failed"),
    (0x010C, "deflate Adler-32 error"),
    (0x010D, "deflate parameter error"),
    (0x010E, "invalid RAM binary size"),
    (0x010F, "invalid RAM binary address"),
    (0x0164, "invalid parameter"),
    (0x0165, "invalid format"),
    (0x0166, "description too long"),
    (0x0167, "bad encoding description"),
    (0x0169, "insufficient storage"),
    (0xC000, "bad data length"),
    (0xC100, "bad data checksum"),
    (0xC200, "bad block size"),
    (0xC300, "invalid command"),
    (0xC400, "SPI operation failed"),
    (0xC500, "SPI unlock failed"),
    (0xC600, "not in flash mode"),
    (0xC700, "inflate error"),
    (0xC800, "not enough data"),
    (0xC900, "too much data"),
    (0xCA00, "NAND program failure"),
    (0xCB00, "NAND erase failure"),
    (0xFF00, "command not implemented"),
];

fn status_text(code: u16) -> &'static str {
    STATUS_TEXTS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("unknown status", |(_, t)| t)
}

/// How to reach the loader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reset {
    /// Pulse RTS (EN) and DTR (GPIO0) the way USB-serial boards wire them.
    Classic,
    /// The board is already in download mode.
    None,
}

/// The chip, from its OTP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChipInfo {
    /// `ESP8266EX` or `ESP8285`.
    pub name: &'static str,
    /// Station MAC.
    pub mac: Option<String>,
}

/// A connection to the ESP8266 loader.
pub struct Loader {
    port: Box<dyn serialport::SerialPort>,
    decoder: slip::Decoder,
    frames: VecDeque<Vec<u8>>,
    stub: bool,
    /// Flash data bytes sent in data commands (after compression): the wire cost of a
    /// write.
    pub flash_data_sent: usize,
}

impl std::fmt::Debug for Loader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Loader(stub: {})", self.stub)
    }
}

impl Loader {
    /// Sync with the loader on an open port (115200 baud), resetting the board into it
    /// first when `reset` says so. Seven rounds of reset and five syncs, as esptool does.
    pub fn connect(port: Box<dyn serialport::SerialPort>, reset: Reset) -> Result<Self, RomError> {
        let mut l = Self {
            port,
            decoder: slip::Decoder::new(),
            frames: VecDeque::new(),
            stub: false,
            flash_data_sent: 0,
        };
        let rounds = if reset == Reset::Classic { 7 } else { 2 };
        for round in 0..rounds {
            if reset == Reset::Classic {
                // A pty or a bridge without modem lines cannot reset: go on and sync.
                let _ = l.classic_reset(if round % 2 == 0 { 50 } else { 550 });
            }
            for _ in 0..5 {
                l.flush_input();
                if l.sync().is_ok() {
                    return Ok(l);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Err(RomError::NoSync {
            attempts: rounds * 5,
        })
    }

    /// EN low, then GPIO0 low while EN rises, then GPIO0 released: the ROM samples GPIO0
    /// at reset and enters its loader (`rst cause:2, boot mode:(1,x)`).
    fn classic_reset(&mut self, delay_ms: u64) -> Result<(), serialport::Error> {
        self.port.write_data_terminal_ready(false)?;
        self.port.write_request_to_send(true)?;
        std::thread::sleep(Duration::from_millis(100));
        self.port.write_data_terminal_ready(true)?;
        self.port.write_request_to_send(false)?;
        std::thread::sleep(Duration::from_millis(delay_ms));
        self.port.write_data_terminal_ready(false)
    }

    /// Reset into the sketch (RTS pulse), when the port can.
    pub fn hard_reset(&mut self) -> Result<(), serialport::Error> {
        self.port.write_request_to_send(true)?;
        std::thread::sleep(Duration::from_millis(100));
        self.port.write_request_to_send(false)
    }

    /// Whether the stub is running.
    pub fn has_stub(&self) -> bool {
        self.stub
    }

    fn flush_input(&mut self) {
        let _ = self.port.clear(serialport::ClearBuffer::Input);
        self.decoder = slip::Decoder::new();
        self.frames.clear();
    }

    /// The next frame, by `deadline`.
    fn frame(&mut self, deadline: Instant) -> Option<Vec<u8>> {
        let mut buf = [0u8; 4096];
        let mut out = Vec::new();
        loop {
            if let Some(f) = self.frames.pop_front() {
                return Some(f);
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            let _ = self
                .port
                .set_timeout((deadline - now).min(Duration::from_millis(50)));
            match self.port.read(&mut buf) {
                Ok(0) => std::thread::sleep(Duration::from_millis(5)),
                Ok(n) => {
                    self.decoder.push(&buf[..n], &mut out);
                    // A frame with a bad escape is dropped: the command's wait times out
                    // or a later frame answers.
                    self.frames.extend(out.drain(..).filter_map(Result::ok));
                }
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    }

    fn send(&mut self, frame: &[u8]) -> Result<(), RomError> {
        self.port.write_all(&slip::encode(frame))?;
        self.port.flush()?;
        Ok(())
    }

    /// Send a command and wait for the response with its opcode: `(value, data)`. Other
    /// frames (extra sync replies, stray answers) are passed over.
    fn command(
        &mut self,
        what: &'static str,
        opcode: u8,
        data: &[u8],
        chk: u32,
        timeout: Duration,
    ) -> Result<(u32, Vec<u8>), RomError> {
        let mut pkt = Vec::with_capacity(8 + data.len());
        pkt.extend_from_slice(&[0x00, opcode]);
        pkt.extend_from_slice(&(data.len() as u16).to_le_bytes());
        pkt.extend_from_slice(&chk.to_le_bytes());
        pkt.extend_from_slice(data);
        self.send(&pkt)?;
        let deadline = Instant::now() + timeout;
        while let Some(f) = self.frame(deadline) {
            if f.len() < 8 || f[0] != 0x01 || f[1] != opcode {
                continue;
            }
            let value = u32::from_le_bytes([f[4], f[5], f[6], f[7]]);
            return Ok((value, f[8..].to_vec()));
        }
        Err(RomError::Timeout {
            what,
            secs: timeout.as_secs_f64(),
        })
    }

    /// A command whose status is checked: the two bytes after `resp_len` bytes of data
    /// (the ESP8266 ROM and the stub send two; lenient peers send four, the rest ignored).
    fn check(
        &mut self,
        what: &'static str,
        opcode: u8,
        data: &[u8],
        chk: u32,
        resp_len: usize,
        timeout: Duration,
    ) -> Result<(u32, Vec<u8>), RomError> {
        let (value, mut body) = self.command(what, opcode, data, chk, timeout)?;
        let status = if body.len() >= resp_len + 2 {
            &body[resp_len..resp_len + 2]
        } else if body.len() >= 2 {
            &body[..2]
        } else {
            return Err(RomError::Short {
                what,
                len: body.len(),
            });
        };
        if status[0] != 0 {
            let code = u16::from_be_bytes([status[0], status[1]]);
            return Err(RomError::Failed {
                what,
                code,
                text: status_text(code),
            });
        }
        if body.len() < resp_len + 2 {
            return Err(RomError::Short {
                what,
                len: body.len(),
            });
        }
        body.truncate(resp_len);
        Ok((value, body))
    }

    fn sync(&mut self) -> Result<(), RomError> {
        let mut payload = vec![0x07, 0x07, 0x12, 0x20];
        payload.extend_from_slice(&[0x55; 32]);
        let (value, _) = self.command("sync", op::SYNC, &payload, 0, SYNC_TIMEOUT)?;
        // The ROM answers each sync eight times, some chips more; take what arrives
        // until the line is quiet so no stale reply is read as the next answer.
        let mut quiet = Instant::now() + Duration::from_millis(100);
        while self.frame(quiet).is_some() {
            quiet = Instant::now() + Duration::from_millis(100);
        }
        // A stub that is already running answers with 0 (the ROM does not).
        self.stub = value == 0;
        Ok(())
    }

    /// A 32-bit register.
    pub fn read_reg(&mut self, addr: u32) -> Result<u32, RomError> {
        self.check(
            "READ_REG",
            op::READ_REG,
            &addr.to_le_bytes(),
            0,
            0,
            DEFAULT_TIMEOUT,
        )
        .map(|(v, _)| v)
    }

    fn write_reg(&mut self, addr: u32, value: u32) -> Result<(), RomError> {
        let mut d = Vec::with_capacity(16);
        for w in [addr, value, 0xFFFF_FFFF, 0] {
            d.extend_from_slice(&w.to_le_bytes());
        }
        self.check("WRITE_REG", op::WRITE_REG, &d, 0, 0, DEFAULT_TIMEOUT)
            .map(|_| ())
    }

    /// Check the magic register: an ESP8266 or not.
    pub fn detect(&mut self) -> Result<ChipInfo, RomError> {
        let magic = self.read_reg(MAGIC_REG)?;
        if magic != ESP8266_MAGIC {
            // Newer ROMs name themselves in GET_SECURITY_INFO (flags, crypt count, seven
            // key purposes, then the chip id); the ESP8266's ROM has no such command.
            let chip_id = self
                .check("GET_SECURITY_INFO", 0x14, &[], 0, 20, DEFAULT_TIMEOUT)
                .ok()
                .map(|(_, b)| u32::from_le_bytes([b[12], b[13], b[14], b[15]]));
            return Err(RomError::NotEsp8266 { magic, chip_id });
        }
        let mut e = [0u32; 4];
        for (i, addr) in EFUSE.iter().enumerate() {
            e[i] = self.read_reg(*addr)?;
        }
        // esptool's `get_chip_description`: OTP bit 4 or bit 80 set = ESP8285.
        let is_8285 = e[0] & (1 << 4) != 0 || e[2] & (1 << 16) != 0;
        let oui = if e[3] != 0 {
            Some([(e[3] >> 16) as u8, (e[3] >> 8) as u8, e[3] as u8])
        } else {
            match (e[1] >> 16) & 0xFF {
                0 => Some([0x18, 0xFE, 0x34]),
                1 => Some([0xAC, 0xD0, 0x74]),
                _ => None,
            }
        };
        let mac = oui.map(|o| {
            let b = [
                o[0],
                o[1],
                o[2],
                (e[1] >> 8) as u8,
                e[1] as u8,
                (e[0] >> 24) as u8,
            ];
            b.iter()
                .map(|x| format!("{x:02x}"))
                .collect::<Vec<_>>()
                .join(":")
        });
        Ok(ChipInfo {
            name: if is_8285 { "ESP8285" } else { "ESP8266EX" },
            mac,
        })
    }

    /// Upload the flasher stub and start it. `Ok(false)`: the ROM refused the upload or
    /// the stub never greeted, and the ROM still answers (write in ROM mode).
    pub fn run_stub(&mut self) -> Result<bool, RomError> {
        if self.stub {
            return Ok(true);
        }
        let stub = load_stub().map_err(RomError::Corrupt)?;
        for (addr, data) in &stub.segments {
            let blocks = data.len().div_ceil(RAM_BLOCK);
            let mut begin = Vec::with_capacity(16);
            for w in [data.len() as u32, blocks as u32, RAM_BLOCK as u32, *addr] {
                begin.extend_from_slice(&w.to_le_bytes());
            }
            match self.check("MEM_BEGIN", op::MEM_BEGIN, &begin, 0, 0, DEFAULT_TIMEOUT) {
                Ok(_) => {}
                Err(RomError::Failed { .. }) => return Ok(false),
                Err(e) => return Err(e),
            }
            for (seq, chunk) in data.chunks(RAM_BLOCK).enumerate() {
                let mut d = Vec::with_capacity(16 + chunk.len());
                for w in [chunk.len() as u32, seq as u32, 0, 0] {
                    d.extend_from_slice(&w.to_le_bytes());
                }
                d.extend_from_slice(chunk);
                match self.check(
                    "MEM_DATA",
                    op::MEM_DATA,
                    &d,
                    checksum(chunk),
                    0,
                    DEFAULT_TIMEOUT,
                ) {
                    Ok(_) => {}
                    Err(RomError::Failed { .. }) => return Ok(false),
                    Err(e) => return Err(e),
                }
            }
        }
        let mut end = Vec::with_capacity(8);
        end.extend_from_slice(&0u32.to_le_bytes());
        end.extend_from_slice(&stub.entry.to_le_bytes());
        // The ROM may jump before it answers: a missing answer is not a failure.
        match self.check(
            "MEM_END",
            op::MEM_END,
            &end,
            0,
            0,
            Duration::from_millis(200),
        ) {
            Ok(_) | Err(RomError::Timeout { .. }) => {}
            Err(RomError::Failed { .. }) => return Ok(false),
            Err(e) => return Err(e),
        }
        let deadline = Instant::now() + DEFAULT_TIMEOUT;
        while let Some(f) = self.frame(deadline) {
            if f == b"OHAI" {
                self.stub = true;
                return Ok(true);
            }
        }
        // No greeting: if the ROM still answers, go on without the stub.
        self.flush_input();
        match self.sync() {
            Ok(()) => Ok(false),
            Err(_) => Err(RomError::Timeout {
                what: "the flasher stub's greeting",
                secs: DEFAULT_TIMEOUT.as_secs_f64(),
            }),
        }
    }

    /// The flash chip's JEDEC id (`RDID`, 0x9F) through the SPI0 registers. In ROM mode
    /// the flash must be attached first ([`Loader::attach`]).
    pub fn flash_id(&mut self) -> Result<u32, RomError> {
        let old_usr = self.read_reg(SPI_USR)?;
        let old_usr2 = self.read_reg(SPI_USR2)?;
        self.write_reg(SPI_USR1, 23 << 8)?; // 24 bits in
        self.write_reg(SPI_USR, (1 << 31) | (1 << 28))?; // command, MISO
        self.write_reg(SPI_USR2, (7 << 28) | 0x9F)?;
        self.write_reg(SPI_W0, 0)?;
        self.write_reg(SPI_CMD, 1 << 18)?;
        let mut done = false;
        for _ in 0..10 {
            if self.read_reg(SPI_CMD)? & (1 << 18) == 0 {
                done = true;
                break;
            }
        }
        let id = self.read_reg(SPI_W0)?;
        self.write_reg(SPI_USR, old_usr)?;
        self.write_reg(SPI_USR2, old_usr2)?;
        if !done {
            return Err(RomError::Corrupt(
                "the flash chip did not finish the id command".into(),
            ));
        }
        Ok(id)
    }

    /// Attach the SPI flash: in ROM mode a FLASH_BEGIN of nothing, as esptool does.
    pub fn attach(&mut self) -> Result<(), RomError> {
        if self.stub {
            return Ok(());
        }
        self.flash_begin(0, 0, 0, ROM_BLOCK).map(|_| ())
    }

    /// Tell the stub the flash size (it refuses addresses past it otherwise).
    pub fn set_flash_size(&mut self, size: u32) -> Result<(), RomError> {
        let mut d = Vec::with_capacity(24);
        for w in [0, size, 0x1_0000, SECTOR, 0x100, 0xFFFF] {
            d.extend_from_slice(&w.to_le_bytes());
        }
        self.check(
            "SPI_SET_PARAMS",
            op::SPI_SET_PARAMS,
            &d,
            0,
            0,
            DEFAULT_TIMEOUT,
        )
        .map(|_| ())
    }

    /// Switch both ends to `baud` (stub only).
    pub fn change_baud(&mut self, baud: u32) -> Result<(), RomError> {
        let old = self.port.baud_rate()?;
        let mut d = Vec::with_capacity(8);
        d.extend_from_slice(&baud.to_le_bytes());
        d.extend_from_slice(&old.to_le_bytes());
        self.command(
            "CHANGE_BAUDRATE",
            op::CHANGE_BAUDRATE,
            &d,
            0,
            DEFAULT_TIMEOUT,
        )?;
        self.port.set_baud_rate(baud)?;
        std::thread::sleep(Duration::from_millis(50));
        self.flush_input();
        Ok(())
    }

    fn flash_begin(
        &mut self,
        erase_size: u32,
        blocks: u32,
        offset: u32,
        block: usize,
    ) -> Result<(u32, Vec<u8>), RomError> {
        let mut d = Vec::with_capacity(20);
        for w in [erase_size, blocks, block as u32, offset] {
            d.extend_from_slice(&w.to_le_bytes());
        }
        // The ROM erases before it answers: allow for it.
        let timeout = if self.stub {
            DEFAULT_TIMEOUT
        } else {
            per_mb(40.0, erase_size as usize * 2)
        };
        if self.stub {
            d.extend_from_slice(&0u32.to_le_bytes());
        }
        self.check("FLASH_BEGIN", op::FLASH_BEGIN, &d, 0, 0, timeout)
    }

    /// ROM mode: write `data` at `offset` (a sector boundary) with a FLASH_BEGIN whose
    /// erase size is `erase_size` (the caller has worked out what the ROM erases for it:
    /// [`crate::esp8266::rom_writes`]). `progress(bytes)` after each block.
    pub fn write_rom(
        &mut self,
        offset: u32,
        data: &[u8],
        erase_size: u32,
        progress: &mut dyn FnMut(usize),
    ) -> Result<(), RomError> {
        let blocks = data.len().div_ceil(ROM_BLOCK);
        self.flash_begin(erase_size, blocks as u32, offset, ROM_BLOCK)?;
        for (seq, chunk) in data.chunks(ROM_BLOCK).enumerate() {
            let mut block = chunk.to_vec();
            block.resize(ROM_BLOCK, 0xFF);
            self.data_block("FLASH_DATA", op::FLASH_DATA, seq, &block)?;
            progress(chunk.len());
        }
        Ok(())
    }

    /// Stub: write `data` at `offset`, compressed; the stub erases exactly the sectors
    /// written.
    pub fn write_stub(
        &mut self,
        offset: u32,
        data: &[u8],
        progress: &mut dyn FnMut(usize),
    ) -> Result<(), RomError> {
        use flate2::{Compression, write::ZlibEncoder};
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        z.write_all(data)?;
        let compressed = z.finish()?;
        let blocks = compressed.len().div_ceil(STUB_BLOCK);
        let mut d = Vec::with_capacity(20);
        for w in [
            data.len() as u32,
            blocks as u32,
            STUB_BLOCK as u32,
            offset,
            0,
        ] {
            d.extend_from_slice(&w.to_le_bytes());
        }
        self.check(
            "FLASH_DEFL_BEGIN",
            op::FLASH_DEFL_BEGIN,
            &d,
            0,
            0,
            DEFAULT_TIMEOUT,
        )?;
        let per_block = data.len().div_ceil(blocks.max(1));
        let mut left = data.len();
        for (seq, chunk) in compressed.chunks(STUB_BLOCK).enumerate() {
            self.data_block("FLASH_DEFL_DATA", op::FLASH_DEFL_DATA, seq, chunk)?;
            let n = per_block.min(left);
            left -= n;
            progress(n);
        }
        Ok(())
    }

    fn data_block(
        &mut self,
        what: &'static str,
        opcode: u8,
        seq: usize,
        chunk: &[u8],
    ) -> Result<(), RomError> {
        let mut d = Vec::with_capacity(16 + chunk.len());
        for w in [chunk.len() as u32, seq as u32, 0, 0] {
            d.extend_from_slice(&w.to_le_bytes());
        }
        d.extend_from_slice(chunk);
        // The stub inflates and writes before it answers; the ROM writes 1 KiB.
        let timeout = per_mb(40.0, STUB_BLOCK * 4);
        let mut last = None;
        for _ in 0..3 {
            match self.check(what, opcode, &d, checksum(chunk), 0, timeout) {
                Ok(_) => {
                    self.flash_data_sent += chunk.len();
                    return Ok(());
                }
                // A timeout may be a lost frame: esptool tries a block three times.
                Err(e @ RomError::Timeout { .. }) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(RomError::Timeout {
            what,
            secs: timeout.as_secs_f64(),
        }))
    }

    /// Stub: close the write and stay in the loader (FLASH_DEFL_END 1). ROM mode:
    /// nothing (esptool sends no FLASH_END after a ROM write either; the reset follows).
    pub fn finish(&mut self) -> Result<(), RomError> {
        if !self.stub {
            return Ok(());
        }
        self.check(
            "FLASH_DEFL_END",
            op::FLASH_DEFL_END,
            &1u32.to_le_bytes(),
            0,
            0,
            DEFAULT_TIMEOUT,
        )
        .map(|_| ())
    }

    /// ROM mode, no reset wired: leave the loader and start the sketch (FLASH_END 1 after
    /// an empty FLASH_BEGIN, as esptool's `--after soft-reset`).
    pub fn run_sketch(&mut self) -> Result<(), RomError> {
        if self.stub {
            return Ok(());
        }
        self.flash_begin(0, 0, 0, ROM_BLOCK)?;
        self.check(
            "FLASH_END",
            op::FLASH_END,
            &1u32.to_le_bytes(),
            0,
            0,
            DEFAULT_TIMEOUT,
        )
        .map(|_| ())
    }

    /// Stub: MD5 of `len` bytes of flash at `offset`.
    pub fn md5(&mut self, offset: u32, len: u32) -> Result<[u8; 16], RomError> {
        let mut d = Vec::with_capacity(16);
        for w in [offset, len, 0, 0] {
            d.extend_from_slice(&w.to_le_bytes());
        }
        let (_, body) = self.check(
            "SPI_FLASH_MD5",
            op::SPI_FLASH_MD5,
            &d,
            0,
            16,
            per_mb(8.0, len as usize),
        )?;
        let mut out = [0u8; 16];
        out.copy_from_slice(&body);
        Ok(out)
    }

    /// Stub: read `len` bytes of flash at `offset`, checked by the MD5 the stub sends
    /// after the data. `progress(bytes)` after each packet.
    pub fn read(
        &mut self,
        offset: u32,
        len: u32,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Vec<u8>, RomError> {
        use md5::Digest as _;
        let mut d = Vec::with_capacity(16);
        // One packet in flight: the v2 stub sends one per acknowledgement anyway.
        for w in [offset, len, SECTOR, 1] {
            d.extend_from_slice(&w.to_le_bytes());
        }
        self.check("READ_FLASH", op::READ_FLASH, &d, 0, 0, DEFAULT_TIMEOUT)?;
        let mut out = Vec::with_capacity(len as usize);
        while out.len() < len as usize {
            let packet = self
                .frame(Instant::now() + DEFAULT_TIMEOUT)
                .ok_or(RomError::Timeout {
                    what: "READ_FLASH data",
                    secs: DEFAULT_TIMEOUT.as_secs_f64(),
                })?;
            if packet.len() > len as usize - out.len()
                || (packet.len() < SECTOR as usize && out.len() + packet.len() < len as usize)
            {
                return Err(RomError::Corrupt(format!(
                    "the flash read sent a {}-byte packet at {} of {len} bytes",
                    packet.len(),
                    out.len()
                )));
            }
            out.extend_from_slice(&packet);
            progress(packet.len());
            self.send(&(out.len() as u32).to_le_bytes())?;
        }
        let digest = self
            .frame(Instant::now() + DEFAULT_TIMEOUT)
            .ok_or(RomError::Timeout {
                what: "READ_FLASH digest",
                secs: DEFAULT_TIMEOUT.as_secs_f64(),
            })?;
        if digest[..] != md5::Md5::digest(&out)[..] {
            return Err(RomError::Corrupt(format!(
                "the {len} bytes read at {offset:#x} do not match the MD5 the stub computed"
            )));
        }
        Ok(out)
    }
}

/// The flash size a JEDEC id says (esptool's `DETECTED_FLASH_SIZES`), when it says one.
pub fn flash_size_from_id(id: u32) -> Option<u32> {
    let vendor = id & 0xFF;
    if vendor == 0x1F {
        // Adesto codes the size in the device id's low bits: 4 = 512 KB ... 9 = 16 MB.
        let code = (id >> 8) & 0x1F;
        return (4..=9).contains(&code).then(|| (512 * 1024) << (code - 4));
    }
    let code = (id >> 16) & 0xFF;
    let log2 = match code {
        0x12..=0x19 => code - 0x12 + 18,
        0x32..=0x39 => code - 0x32 + 18,
        _ => return None,
    };
    // 256 KB (2^18) .. 32 MB; ESP8266 flash is at most 16 MB, so larger is not addressable.
    (log2 <= 24).then(|| 1u32 << log2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_is_xor_seeded_with_0xef() {
        assert_eq!(checksum(&[]), 0xEF);
        assert_eq!(checksum(&[0xEF]), 0);
        assert_eq!(checksum(&[1, 2, 4]), 0xEF ^ 7);
    }

    #[test]
    fn the_stub_loads_from_its_asset() {
        let s = load_stub().unwrap();
        assert_eq!(s.entry, 0x4010_C504);
        assert_eq!(s.segments[0].0, 0x4010_C500);
        assert_eq!(s.segments[0].1.len(), 11456);
        assert_eq!(s.segments[1], (0x3FFF_AE6C, s.segments[1].1.clone()));
        assert_eq!(s.segments[1].1.len(), 920);
    }

    #[test]
    fn flash_sizes_from_jedec_ids() {
        // The mock's XMC id, a Winbond W25Q32 and W25Q128, GigaDevice 1 MB, Adesto 4 MB.
        assert_eq!(flash_size_from_id(0x0016_4020), Some(4 << 20));
        assert_eq!(flash_size_from_id(0x0016_40EF), Some(4 << 20));
        assert_eq!(flash_size_from_id(0x0018_40EF), Some(16 << 20));
        assert_eq!(flash_size_from_id(0x0014_40C8), Some(1 << 20));
        assert_eq!(flash_size_from_id(0x0000_071F), Some(4 << 20));
        assert_eq!(flash_size_from_id(0x0000_091F), Some(16 << 20));
        assert_eq!(flash_size_from_id(0x00FF_FFFF), None);
        assert_eq!(flash_size_from_id(0), None);
    }

    #[test]
    fn status_codes_are_named_and_unsupported_is_told_apart() {
        for (code, text) in STATUS_TEXTS {
            assert_eq!(status_text(code), text);
        }
        let e = RomError::Failed {
            what: "SPI_FLASH_MD5",
            code: 0x0105,
            text: status_text(0x0105),
        };
        assert!(e.is_unsupported());
        let stub = RomError::Failed {
            what: "x",
            code: 0xC100,
            text: status_text(0xC100),
        };
        assert!(!stub.is_unsupported());
    }
}
