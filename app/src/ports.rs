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

/// A USB-serial bridge a board may carry, and what gives it a serial port on each system.
#[derive(Debug)]
pub struct Bridge {
    /// USB vendor id.
    pub vid: u16,
    /// Its product ids; empty for every product of the vendor.
    pub pids: &'static [u16],
    /// Its name in a picker.
    pub name: &'static str,
    /// What to install on Windows when Windows sees it but lists no COM port for it.
    pub windows_fix: &'static str,
    /// What to do on Linux when the kernel sees it but made no tty for it.
    pub linux_fix: &'static str,
}

/// brltty (a braille display daemon that desktop Ubuntu installs) has udev rules for the
/// CP210x, CH340 and FTDI ids: it takes the USB interface from the kernel's serial driver
/// right after the tty appears.
const BRLTTY: &str = "brltty (a braille display service Ubuntu installs) takes boards with this chip: `sudo apt remove brltty`, then unplug the board and plug it in again";

/// The bridges ESP boards carry, most specific first. Sources: the vendors' USB ids
/// (Espressif's USB-JTAG/serial is 303a:1001 in the ESP32-C3/C6 technical reference
/// manuals; Linux's cp210x, ch341, cdc-acm and ftdi_sio id tables for the others).
pub const BRIDGES: &[Bridge] = &[
    Bridge {
        vid: 0x303a,
        pids: &[0x1001],
        name: "Espressif USB-JTAG/serial (ESP32-C3/C6 built-in USB)",
        windows_fix: "Windows 10 and 11 drive it with their own USB serial driver: in Device Manager pick 'Update driver' on 'USB JTAG/serial debug unit' and let Windows search; older Windows needs the driver from Espressif's ESP-IDF Tools installer",
        linux_fix: "the kernel's cdc_acm driver has not claimed it: `sudo modprobe cdc_acm`, then unplug the board and plug it in again",
    },
    Bridge {
        vid: 0x303a,
        pids: &[],
        name: "Espressif USB",
        windows_fix: "Windows 10 and 11 drive it with their own USB serial driver: in Device Manager pick 'Update driver' on it and let Windows search",
        linux_fix: "the kernel's cdc_acm driver has not claimed it: `sudo modprobe cdc_acm`, then unplug the board and plug it in again",
    },
    Bridge {
        vid: 0x10c4,
        pids: &[0xea60, 0xea70],
        name: "Silicon Labs CP210x",
        windows_fix: "install Silicon Labs' 'CP210x USB to UART Bridge VCP' driver (silabs.com), then unplug the board and plug it in again",
        linux_fix: BRLTTY,
    },
    Bridge {
        vid: 0x1a86,
        pids: &[0x7523, 0x5523],
        name: "WCH CH340",
        windows_fix: "install WCH's CH341SER driver (wch-ic.com, 'CH341SER.EXE'), then unplug the board and plug it in again",
        linux_fix: BRLTTY,
    },
    Bridge {
        vid: 0x1a86,
        pids: &[0x55d4, 0x55d3],
        name: "WCH CH9102/CH343",
        windows_fix: "install WCH's CH343SER driver (wch-ic.com, 'CH343SER.EXE'), then unplug the board and plug it in again",
        linux_fix: "the kernel's cdc_acm driver has not claimed it (it shows up as /dev/ttyACM*): `sudo modprobe cdc_acm`, then unplug the board and plug it in again",
    },
    Bridge {
        vid: 0x0403,
        pids: &[0x6001, 0x6010, 0x6011, 0x6014, 0x6015],
        name: "FTDI",
        windows_fix: "install FTDI's VCP driver (ftdichip.com, 'VCP Drivers'), then unplug the board and plug it in again",
        linux_fix: BRLTTY,
    },
];

/// The bridge with this vendor and product id, when it is one an ESP board carries.
pub fn find_bridge(vid: u16, pid: u16) -> Option<&'static Bridge> {
    BRIDGES
        .iter()
        .find(|b| b.vid == vid && (b.pids.is_empty() || b.pids.contains(&pid)))
}

/// Name the USB bridge from its vendor and product id.
pub fn bridge(vid: u16, pid: u16) -> Option<&'static str> {
    find_bridge(vid, pid).map(|b| b.name)
}

/// A USB device the OS sees, and whether any of its interfaces became a serial port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsbDevice {
    /// Vendor and product id.
    pub usb: (u16, u16),
    /// Whether the OS made a serial port of it (Windows: a node in the Ports class;
    /// Linux: a tty under one of its interfaces).
    pub has_port: bool,
}

/// A board's bridge the OS sees but gives no serial port: its driver is missing (or, on
/// Linux, another program took it). What to do, for the picker and `thingflash ports`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unserved {
    /// The bridge's name.
    pub bridge: &'static str,
    /// Vendor and product id.
    pub usb: (u16, u16),
    /// What to do.
    pub fix: &'static str,
}

impl std::fmt::Display for Unserved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (v, p) = self.usb;
        write!(
            f,
            "a {} ({v:04x}:{p:04x}) is plugged in but has no serial port: {}",
            self.bridge, self.fix
        )
    }
}

/// The known bridges among `devices` that no device with the same ids served with a port
/// (a composite device is several nodes: Espressif's serial interface is one of them).
pub fn unserved(devices: &[UsbDevice], windows: bool) -> Vec<Unserved> {
    let mut out: Vec<Unserved> = Vec::new();
    for d in devices {
        let Some(b) = find_bridge(d.usb.0, d.usb.1) else {
            continue;
        };
        let served = devices.iter().any(|o| o.usb == d.usb && o.has_port);
        if served || out.iter().any(|u| u.usb == d.usb) {
            continue;
        }
        out.push(Unserved {
            bridge: b.name,
            usb: d.usb,
            fix: if windows { b.windows_fix } else { b.linux_fix },
        });
    }
    out
}

/// The ports, and the boards' bridges that have none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scan {
    /// Every serial port, USB ones first.
    pub ports: Vec<PortInfo>,
    /// Bridges seen without a port.
    pub unserved: Vec<Unserved>,
}

impl Scan {
    /// `thingflash ports`: a line per port, then a line per bridge without one; the
    /// generic hint when nothing at all is seen.
    pub fn text(&self) -> String {
        let mut out: String = self.ports.iter().map(|p| p.label() + "\n").collect();
        for u in &self.unserved {
            out.push_str(&format!("{u}\n"));
        }
        if out.is_empty() {
            out = format!("{NO_PORT_HINT}\n");
        }
        out
    }
}

/// List the ports and look for bridges without one.
pub fn scan() -> Scan {
    Scan {
        ports: list(),
        unserved: unserved(&usb::devices(), cfg!(windows)),
    }
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

/// The USB devices the OS sees: the USB side of [`scan`], read where each OS keeps it.
mod usb {
    #[allow(unused_imports)] // Unused on systems with no reader.
    use super::UsbDevice;

    /// Every USB device present.
    #[cfg(target_os = "linux")]
    pub fn devices() -> Vec<UsbDevice> {
        from_sysfs(std::path::Path::new("/sys/bus/usb/devices"))
    }

    /// Devices under a sysfs `bus/usb/devices` directory: a device is `1-2` (with
    /// `idVendor`, `idProduct`), its interfaces `1-2:1.0`; a usb-serial driver puts a
    /// `ttyUSB0` directory in the interface, cdc-acm a `tty` directory.
    #[cfg(target_os = "linux")]
    pub(super) fn from_sysfs(root: &std::path::Path) -> Vec<UsbDevice> {
        let Ok(dir) = std::fs::read_dir(root) else {
            return Vec::new();
        };
        let names: Vec<String> = dir
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        let id = |dev: &str, file: &str| {
            let text = std::fs::read_to_string(root.join(dev).join(file)).ok()?;
            u16::from_str_radix(text.trim(), 16).ok()
        };
        let has_tty = |iface: &str| {
            std::fs::read_dir(root.join(iface)).is_ok_and(|d| {
                d.filter_map(Result::ok)
                    .any(|e| e.file_name().to_string_lossy().starts_with("tty"))
            })
        };
        let mut out: Vec<UsbDevice> = names
            .iter()
            .filter(|n| !n.contains(':'))
            .filter_map(|dev| {
                let usb = (id(dev, "idVendor")?, id(dev, "idProduct")?);
                let prefix = format!("{dev}:");
                let has_port = names.iter().any(|n| n.starts_with(&prefix) && has_tty(n));
                Some(UsbDevice { usb, has_port })
            })
            .collect();
        out.sort_by_key(|d| d.usb);
        out
    }

    /// Every USB device present: SetupAPI's device nodes under the `USB` enumerator
    /// (a composite device is a parent and a node per interface); a node whose setup
    /// class is `Ports` has a COM port.
    #[cfg(windows)]
    #[allow(unsafe_code)] // SetupAPI FFI, each buffer sized and checked below.
    pub fn devices() -> Vec<UsbDevice> {
        use windows_sys::Win32::Devices::DeviceAndDriverInstallation::{
            DIGCF_ALLCLASSES, DIGCF_PRESENT, SP_DEVINFO_DATA, SPDRP_CLASS, SPDRP_HARDWAREID,
            SetupDiDestroyDeviceInfoList, SetupDiEnumDeviceInfo, SetupDiGetClassDevsW,
            SetupDiGetDeviceRegistryPropertyW,
        };
        let enumerator: Vec<u16> = "USB\0".encode_utf16().collect();
        // SAFETY: a NUL-terminated enumerator, no class GUID, no window.
        let set = unsafe {
            SetupDiGetClassDevsW(
                std::ptr::null(),
                enumerator.as_ptr(),
                std::ptr::null_mut(),
                DIGCF_ALLCLASSES | DIGCF_PRESENT,
            )
        };
        if set == -1 {
            return Vec::new();
        }
        let property = |info: &SP_DEVINFO_DATA, which| -> Option<String> {
            let mut buf = [0u16; 512];
            let mut kind = 0u32;
            // SAFETY: the buffer's size in bytes is passed; SetupAPI writes at most that.
            let ok = unsafe {
                SetupDiGetDeviceRegistryPropertyW(
                    set,
                    info,
                    which,
                    &mut kind,
                    buf.as_mut_ptr().cast(),
                    (buf.len() * 2) as u32,
                    std::ptr::null_mut(),
                )
            };
            // The first string of a REG_SZ or REG_MULTI_SZ.
            (ok != 0).then(|| {
                let end = buf.iter().position(|&c| c == 0).unwrap_or(buf.len());
                String::from_utf16_lossy(&buf[..end])
            })
        };
        let mut out = Vec::new();
        for index in 0.. {
            let mut info = SP_DEVINFO_DATA {
                cbSize: std::mem::size_of::<SP_DEVINFO_DATA>() as u32,
                ..Default::default()
            };
            // SAFETY: `info` is initialised with its size, as SetupAPI requires.
            if unsafe { SetupDiEnumDeviceInfo(set, index, &mut info) } == 0 {
                break;
            }
            let Some(usb) = property(&info, SPDRP_HARDWAREID)
                .as_deref()
                .and_then(super::hardware_id)
            else {
                continue;
            };
            let has_port =
                property(&info, SPDRP_CLASS).is_some_and(|c| c.eq_ignore_ascii_case("Ports"));
            out.push(UsbDevice { usb, has_port });
        }
        // SAFETY: the set came from SetupDiGetClassDevsW and is not used after this.
        unsafe { SetupDiDestroyDeviceInfoList(set) };
        out
    }

    /// No reader on this system: no hint, never a wrong one.
    #[cfg(not(any(target_os = "linux", windows)))]
    pub fn devices() -> Vec<UsbDevice> {
        Vec::new()
    }
}

/// The vendor and product id in a Windows hardware id (`USB\VID_10C4&PID_EA60&REV_0100`).
#[cfg_attr(not(any(windows, test)), allow(dead_code))]
fn hardware_id(id: &str) -> Option<(u16, u16)> {
    let upper = id.to_ascii_uppercase();
    let field = |name: &str| {
        let at = upper.find(name)? + name.len();
        u16::from_str_radix(upper.get(at..at + 4)?, 16).ok()
    };
    Some((field("VID_")?, field("PID_")?))
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
        assert_eq!(bridge(0x303a, 0x4001), Some("Espressif USB"));
    }

    /// One check per table entry: its ids find it, and both fixes say what to do.
    #[test]
    fn every_bridge_is_found_by_its_ids_and_has_both_fixes() {
        for b in BRIDGES {
            let pids: &[u16] = if b.pids.is_empty() { &[0x4001] } else { b.pids };
            for &pid in pids {
                let found = find_bridge(b.vid, pid).map(|f| f.name);
                assert_eq!(found, Some(b.name), "{:04x}:{pid:04x}", b.vid);
            }
            assert!(b.windows_fix.contains("driver"), "{}", b.name);
            assert!(
                b.linux_fix.contains("sudo") && b.linux_fix.contains("plug it in again"),
                "{}",
                b.name
            );
        }
    }

    #[test]
    fn hardware_ids_from_windows() {
        assert_eq!(
            hardware_id("USB\\VID_10C4&PID_EA60&REV_0100"),
            Some((0x10c4, 0xea60))
        );
        assert_eq!(
            hardware_id("USB\\VID_303A&PID_1001&MI_00"),
            Some((0x303a, 0x1001))
        );
        assert_eq!(
            hardware_id("usb\\vid_1a86&pid_7523"),
            Some((0x1a86, 0x7523))
        );
        assert_eq!(hardware_id("USB\\ROOT_HUB30"), None);
        assert_eq!(hardware_id("USB\\VID_10C4&PID_EA"), None);
    }

    fn dev(usb: (u16, u16), has_port: bool) -> UsbDevice {
        UsbDevice { usb, has_port }
    }

    #[test]
    fn a_bridge_without_a_port_is_named_with_its_fix() {
        let devices = [
            dev((0x1d6b, 0x0002), false), // a root hub: not a board
            dev((0x10c4, 0xea60), false),
            dev((0x1a86, 0x7523), true),
        ];
        let windows = unserved(&devices, true);
        assert_eq!(windows.len(), 1);
        assert_eq!(windows[0].usb, (0x10c4, 0xea60));
        let text = windows[0].to_string();
        assert!(text.starts_with("a Silicon Labs CP210x (10c4:ea60) is plugged in but has no serial port: install Silicon Labs'"), "{text}");
        let linux = unserved(&devices, false);
        assert!(linux[0].fix.contains("brltty"), "{}", linux[0].fix);
    }

    #[test]
    fn a_composite_device_with_one_serial_interface_is_served() {
        // Windows lists Espressif's USB-JTAG/serial as a parent node (class USB), the
        // serial interface (Ports) and the JTAG interface.
        let devices = [
            dev((0x303a, 0x1001), false),
            dev((0x303a, 0x1001), true),
            dev((0x303a, 0x1001), false),
        ];
        assert_eq!(unserved(&devices, true), vec![]);
        // Two unserved CH340 boards: one hint.
        let two = [dev((0x1a86, 0x7523), false), dev((0x1a86, 0x7523), false)];
        assert_eq!(unserved(&two, false).len(), 1);
    }

    #[test]
    fn ports_text_names_ports_then_bridges_without_one() {
        let port = PortInfo {
            name: "COM3".into(),
            usb: Some((0x1a86, 0x7523)),
            product: None,
            serial: None,
            bridge: bridge(0x1a86, 0x7523),
        };
        let cp210x = unserved(&[dev((0x10c4, 0xea60), false)], true);
        let both = Scan {
            ports: vec![port],
            unserved: cp210x.clone(),
        };
        let text = both.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "COM3 - WCH CH340 (1a86:7523)");
        assert!(lines[1].contains("CP210x USB to UART Bridge VCP"), "{text}");
        assert_eq!(lines.len(), 2);
        let only_bridge = Scan {
            ports: vec![],
            unserved: cp210x,
        };
        assert!(!only_bridge.text().contains("no serial port found"));
        assert_eq!(Scan::default().text(), format!("{NO_PORT_HINT}\n"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn sysfs_devices_and_their_ttys() {
        let root = tempfile::tempdir().unwrap();
        let mk = |dev: &str, vid: &str, pid: &str| {
            let d = root.path().join(dev);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("idVendor"), format!("{vid}\n")).unwrap();
            std::fs::write(d.join("idProduct"), format!("{pid}\n")).unwrap();
        };
        // A CP2102 the cp210x driver serves: ttyUSB0 in its interface.
        mk("1-1", "10c4", "ea60");
        std::fs::create_dir_all(root.path().join("1-1:1.0/ttyUSB0")).unwrap();
        // A CH340 that brltty took: the interface is there, no tty.
        mk("1-2", "1a86", "7523");
        std::fs::create_dir_all(root.path().join("1-2:1.0")).unwrap();
        // An ESP32-C3: cdc-acm makes tty/ttyACM0 in its first interface.
        mk("1-3", "303a", "1001");
        std::fs::create_dir_all(root.path().join("1-3:1.0/tty/ttyACM0")).unwrap();
        std::fs::create_dir_all(root.path().join("1-3:1.2")).unwrap();
        // A root hub, and a directory that is no device.
        mk("usb1", "1d6b", "0002");
        std::fs::create_dir_all(root.path().join("junk")).unwrap();
        let devices = usb::from_sysfs(root.path());
        assert_eq!(
            devices,
            vec![
                dev((0x10c4, 0xea60), true),
                dev((0x1a86, 0x7523), false),
                dev((0x1d6b, 0x0002), false),
                dev((0x303a, 0x1001), true),
            ]
        );
        let hints = unserved(&devices, false);
        assert_eq!(hints.len(), 1);
        assert_eq!(hints[0].bridge, "WCH CH340");
        assert_eq!(usb::from_sysfs(&root.path().join("missing")), vec![]);
    }
}
