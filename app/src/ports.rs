//! Serial ports a board may be on, with the USB bridge named (Espressif USB-JTAG,
//! CP210x, CH340, FTDI), a hint when none is found, and why a port would not open, told
//! from the error's kind (never its text, which is in the OS's language).

use serde::Serialize;

/// One port.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortInfo {
    /// Path or name, e.g. `/dev/ttyACM0`, `COM3`.
    pub name: String,
    /// USB vendor and product id.
    pub usb: Option<(u16, u16)>,
    /// Product string from the device.
    pub product: Option<String>,
    /// Serial number string.
    pub serial: Option<String>,
    /// The bridge, when recognised.
    pub bridge: Option<&'static str>,
}

impl PortInfo {
    /// One line for a picker.
    pub fn label(&self) -> String {
        let mut s = self.name.clone();
        if let Some(b) = self.bridge {
            s.push_str(&format!(" - {b}"));
        } else if let Some(p) = &self.product {
            s.push_str(&format!(" - {p}"));
        }
        if let Some((v, p)) = self.usb {
            s.push_str(&format!(" ({v:04x}:{p:04x})"));
        }
        s
    }
}

/// Name the USB bridge from its vendor and product id.
pub fn bridge(vid: u16, pid: u16) -> Option<&'static str> {
    Some(match (vid, pid) {
        (0x303a, 0x1001) => "Espressif USB-JTAG/serial (ESP32-C3/C6 built-in USB)",
        (0x303a, _) => "Espressif USB",
        (0x10c4, 0xea60 | 0xea70) => "Silicon Labs CP210x",
        (0x1a86, 0x7523 | 0x55d4 | 0x55d3) => "WCH CH340/CH9102",
        (0x0403, 0x6001 | 0x6010 | 0x6011 | 0x6014 | 0x6015) => "FTDI",
        _ => return None,
    })
}

/// How a port is named on this system, for the "type it" hint.
#[cfg(windows)]
pub const PORT_EXAMPLE: &str = "or type it, e.g. COM3";
/// How a port is named on this system, for the "type it" hint.
#[cfg(not(windows))]
pub const PORT_EXAMPLE: &str = "or type it, e.g. /dev/ttyUSB0";

/// What to say when no port is found.
pub const NO_PORT_HINT: &str = "no serial port found: plug the board in with a data cable (many USB cables only charge); on Windows install the CP210x or CH340 driver if the board uses one; on Linux add yourself to the dialout group";

/// Why a port would not open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenFailure {
    /// No such port (unplugged, resetting, mistyped).
    Missing,
    /// Another program has it open.
    Busy,
    /// The user may not open it (Linux: not in the dialout group).
    PermissionDenied,
    /// Anything else; the error's own text is all there is to say.
    Other,
}

/// Why opening `port` failed.
pub fn open_failure(port: &str, e: &serialport::Error) -> OpenFailure {
    open_failure_on(e.kind(), cfg!(windows), || {
        list().iter().any(|p| p.name.eq_ignore_ascii_case(port))
    })
}

/// [`open_failure`] for an error kind on a system, `listed` telling whether the OS still
/// lists the port.
fn open_failure_on(
    kind: serialport::ErrorKind,
    windows: bool,
    listed: impl FnOnce() -> bool,
) -> OpenFailure {
    use serialport::ErrorKind as K;
    use std::io::ErrorKind as Io;
    match kind {
        K::Io(Io::NotFound) => OpenFailure::Missing,
        K::Io(Io::PermissionDenied) => OpenFailure::PermissionDenied,
        // On Unix serialport reports EBUSY (the port's exclusive lock is taken) as NoDevice.
        K::NoDevice if !windows => OpenFailure::Busy,
        // On Windows both ERROR_FILE_NOT_FOUND and ERROR_ACCESS_DENIED become NoDevice,
        // and Windows denies a COM port that another program holds: a port it still
        // lists is busy, one it does not list is gone.
        K::NoDevice if listed() => OpenFailure::Busy,
        K::NoDevice => OpenFailure::Missing,
        _ => OpenFailure::Other,
    }
}

/// Every serial port the OS reports, USB ones first.
pub fn list() -> Vec<PortInfo> {
    let mut out: Vec<PortInfo> = serialport::available_ports()
        .unwrap_or_default()
        .into_iter()
        .map(|p| match p.port_type {
            serialport::SerialPortType::UsbPort(u) => PortInfo {
                name: p.port_name,
                usb: Some((u.vid, u.pid)),
                bridge: bridge(u.vid, u.pid),
                product: u.product,
                serial: u.serial_number,
            },
            _ => PortInfo {
                name: p.port_name,
                usb: None,
                product: None,
                serial: None,
                bridge: None,
            },
        })
        .collect();
    out.sort_by_key(|p| (p.usb.is_none(), p.name.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_failures_by_kind_on_each_system() {
        use serialport::ErrorKind as K;
        use std::io::ErrorKind as Io;
        let cases = [
            (K::Io(Io::NotFound), false, false, OpenFailure::Missing),
            (
                K::Io(Io::PermissionDenied),
                false,
                true,
                OpenFailure::PermissionDenied,
            ),
            (K::NoDevice, false, true, OpenFailure::Busy),
            (K::NoDevice, false, false, OpenFailure::Busy),
            (K::NoDevice, true, true, OpenFailure::Busy),
            (K::NoDevice, true, false, OpenFailure::Missing),
            (K::Io(Io::NotFound), true, false, OpenFailure::Missing),
            (K::InvalidInput, false, true, OpenFailure::Other),
            (K::Unknown, true, true, OpenFailure::Other),
        ];
        for (kind, windows, listed, want) in cases {
            assert_eq!(
                open_failure_on(kind, windows, || listed),
                want,
                "{kind:?} windows={windows} listed={listed}"
            );
        }
    }

    #[test]
    fn bridges() {
        assert!(bridge(0x303a, 0x1001).unwrap().contains("USB-JTAG"));
        assert!(bridge(0x10c4, 0xea60).unwrap().contains("CP210x"));
        assert!(bridge(0x1a86, 0x7523).unwrap().contains("CH340"));
        assert_eq!(bridge(0x1234, 0x5678), None);
    }
}
