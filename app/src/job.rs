//! THE operation: put these credentials on this board for this target. [`prepare`] takes
//! everything once (the ready credential set, the target and its options, the settings
//! thingflash's firmware reads, the one client-id rule) and refuses, before any byte is
//! written, whatever cannot work; [`Job::run`] then talks to the board with one dispatch
//! on the target, reports one event stream ([`Event`]: connecting, the chip and MAC
//! identified, reading, the plan, write progress, read-back and verification) and returns
//! one [`Outcome`]. The window, the command line and the fleet build a [`Request`] and
//! show the events; none of them decides how a target is flashed.

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use thingflash_protocol::config::DeviceConfig;
use zeroize::Zeroizing;

use crate::bundle::{self, BundleError, FlashSize, Plan};
use crate::chip::{Chip, Family};
use crate::credentials::{Analysis, CredentialSet, default_client_id, endpoint};
use crate::esp8266::Region;
use crate::flash::{self, FlashError, FlashOptions};
use crate::own::{self, FirmwareImage};
use crate::partitions::Table;
use crate::target::{FileSpec, NamePreset, Target, parse_file_list};

pub use crate::flash::Event;

/// The settings thingflash's firmware reads from its credentials partition.
#[derive(Clone, Default)]
pub struct DeviceSettings {
    /// Fleet provisioning by claim: the template the board provisions itself with (its
    /// credentials then hold the claim certificate); empty: its own certificate.
    pub claim_template: String,
    /// WiFi network name.
    pub wifi_ssid: String,
    /// WiFi password ('' for an open network). Wiped on drop; never printed.
    pub wifi_password: Zeroizing<String>,
    /// The AWS IoT endpoint as typed (checked here).
    pub endpoint: String,
    /// The MQTT client id; empty: the certificate's CN when it can be a thing name.
    pub client_id: String,
    /// Topic prefix.
    pub topic_prefix: String,
    /// 8883 or 443.
    pub mqtt_port: u16,
    /// Seconds between telemetry messages.
    pub telemetry_s: u32,
}

impl std::fmt::Debug for DeviceSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DeviceSettings(ssid {:?}, password <redacted>, endpoint {:?}, client id {:?})",
            self.wifi_ssid, self.endpoint, self.client_id
        )
    }
}

/// Where an ESP8266 sketch's file system is: a layout of the core's Flash Size menu, or
/// an offset and size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// A layout name (`4M2M`).
    Named(String),
    /// Offset and size in bytes.
    Custom {
        /// Offset.
        offset: u32,
        /// Size.
        size: u32,
    },
}

impl Default for Layout {
    fn default() -> Self {
        Layout::Named(crate::esp8266::DEFAULT.into())
    }
}

/// Something written before the credentials, in the same run.
#[derive(Clone, Default)]
pub enum Image {
    /// Nothing.
    #[default]
    None,
    /// A firmware ELF to flash instead of thingflash's included one (advanced).
    Elf(Arc<[u8]>),
    /// The user's ESP32-family firmware: a merged image or ESP-IDF's flasher_args.json
    /// (shared: the window keeps it between runs and checks a request every frame).
    Firmware(Arc<FirmwareImage>),
    /// The user's ESP8266 sketch (`.bin`), written at 0x0.
    Sketch(Arc<[u8]>),
}

impl Image {
    /// Read the file given for `target`: what it must be follows from the target. `elf`
    /// says the user gave it as a thingflash firmware ELF rather than their own firmware's
    /// image or sketch; the wrong one for the target is refused before it is read.
    pub fn read(target: Target, path: &Path, elf: bool) -> Result<Image, Refusal> {
        let kind = target.image_kind();
        if elf != (kind == ImageKind::Elf) {
            return Err(if elf {
                Refusal::new(
                    RefusalKind::Option,
                    format!(
                        "a thingflash firmware ELF is only for thingflash's firmware, not for the target {}",
                        target.cli_name()
                    ),
                    "give your own firmware's merged image, flasher_args.json or sketch .bin as the image instead",
                )
            } else {
                Refusal::new(
                    RefusalKind::Option,
                    "your own firmware's image is not written with thingflash's firmware, which replaces the whole flash",
                    "choose the target your firmware reads its credentials with, or give a thingflash firmware ELF",
                )
            });
        }
        let unreadable = |e: std::io::Error| {
            Refusal::new(
                RefusalKind::Image,
                format!("cannot read {}: {e}", path.display()),
                "check the path and that the file is readable",
            )
        };
        match kind {
            ImageKind::Elf => Ok(Image::Elf(std::fs::read(path).map_err(unreadable)?.into())),
            ImageKind::Firmware => own::read_firmware(path)
                .map(|f| Image::Firmware(Arc::new(f)))
                .map_err(|e| {
                    Refusal::new(
                        RefusalKind::Image,
                        e.to_string(),
                        "give a merged image (*.merged.bin) or ESP-IDF's build/flasher_args.json",
                    )
                }),
            ImageKind::Sketch => {
                let bytes = std::fs::read(path).map_err(unreadable)?;
                Ok(Image::Sketch(bytes.into()))
            }
        }
    }
}

pub use crate::target::ImageKind;

/// Why `target` cannot be put on a board with this chip, before anything is made for it
/// (a station asks right after it identified the board); `None` when it can.
pub fn refuse_chip(target: Target, chip: crate::chip::Chip) -> Option<Refusal> {
    (!target.runs_on(chip)).then(|| {
        Refusal::new(
            RefusalKind::Option,
            format!(
                "this board is an {}, which {} does not run on",
                chip.label(),
                target.label()
            ),
            "plug it into a station whose target fits its chip (an ESP8266 target for an ESP8266; thingflash's firmware runs on the ESP32-C3 and C6)",
        )
    })
}

/// Everything a run needs, as the user gave it.
#[derive(Clone)]
pub struct Request<'a> {
    /// The checked files.
    pub analysis: &'a Analysis,
    /// What runs on the board.
    pub target: Target,
    /// thingflash's firmware: what it reads from flash.
    pub device: DeviceSettings,
    /// The file names (file-system targets).
    pub names: NamePreset,
    /// A custom file list instead of the preset (`cert=/a.der,key=/b.der`).
    pub file_list: Option<String>,
    /// Create a new file system when the partition holds none (erases it).
    pub format: bool,
    /// Where the board's partition table is (ESP32-family own firmware).
    pub table_offset: u32,
    /// The ESP8266 file system's place.
    pub layout: Option<Layout>,
    /// Written first.
    pub image: Image,
    /// ESP8266: upload the flasher stub (off: ROM mode).
    pub stub: bool,
    /// thingflash's firmware: rewrite only the credentials partition.
    pub credentials_only: bool,
    /// thingflash's firmware: the chip expected; `None` takes the detected one.
    pub chip: Option<Chip>,
    /// thingflash's firmware: the board makes and keeps its own key (no key is written);
    /// the certificate once AWS made it from the board's request.
    pub board_key: BoardKey,
}

/// Where thingflash's firmware gets its private key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum BoardKey {
    /// From the files: a key made on a computer, written with its certificate.
    #[default]
    Files,
    /// The board makes its own key on its first boot and keeps it; nothing of it is
    /// written. `cert_der`: the certificate AWS made from the board's request, once there
    /// is one (none in the first write, which gives the board its firmware and settings).
    Board {
        /// The certificate for the board's key (DER).
        cert_der: Option<Vec<u8>>,
        /// Erase the key the board keeps, so that it makes a new one.
        new_key: bool,
    },
}

impl<'a> Request<'a> {
    /// A request with the defaults for `target`.
    pub fn new(analysis: &'a Analysis, target: Target) -> Self {
        Self {
            analysis,
            target,
            device: DeviceSettings {
                topic_prefix: "thingflash".into(),
                mqtt_port: 8883,
                telemetry_s: 60,
                ..DeviceSettings::default()
            },
            names: NamePreset::default(),
            file_list: None,
            format: false,
            table_offset: crate::partitions::DEFAULT_OFFSET,
            layout: None,
            image: Image::None,
            stub: true,
            credentials_only: false,
            chip: None,
            board_key: BoardKey::Files,
        }
    }
}

/// Which part of a request is refused: the shells match on this, never on the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefusalKind {
    /// The files are not a ready set.
    Credentials,
    /// The endpoint.
    Endpoint,
    /// The WiFi settings.
    Wifi,
    /// The client id.
    ClientId,
    /// Another device setting (topic prefix, port, interval).
    Settings,
    /// The custom file list.
    FileList,
    /// The ESP8266 layout or region.
    Layout,
    /// The partition table offset.
    TableOffset,
    /// The image written first.
    Image,
    /// An option this target does not take.
    Option,
}

/// Why a request cannot run: what is wrong, and apart from it what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    /// Which part.
    pub kind: RefusalKind,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub fix: String,
}

impl Refusal {
    /// A refusal of `kind`: what is wrong, and apart from it what to do.
    pub fn new(kind: RefusalKind, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            fix: fix.into(),
        }
    }

    /// One line: the problem, then the fix.
    pub fn line(&self) -> String {
        if self.fix.is_empty() {
            self.message.clone()
        } else {
            format!("{} ({})", self.message, self.fix)
        }
    }
}

/// The client id a run will use: the one typed, or the certificate's when it can be a
/// thing name. The one rule for the window, the command line and the fleet.
pub fn client_id(analysis: Option<&Analysis>, typed: &str) -> Option<String> {
    let typed = typed.trim();
    if typed.is_empty() {
        analysis.and_then(default_client_id)
    } else {
        Some(typed.to_string())
    }
}

/// The device config thingflash's firmware reads, checked.
pub fn device_config(
    analysis: Option<&Analysis>,
    s: &DeviceSettings,
) -> Result<DeviceConfig, Refusal> {
    let e = endpoint::check_endpoint(&s.endpoint);
    let Some(host) = e.host else {
        return Err(match e.findings.first() {
            Some(f) => Refusal::new(RefusalKind::Endpoint, f.message.clone(), f.fix.clone()),
            None => Refusal::new(
                RefusalKind::Endpoint,
                "the endpoint is missing",
                "copy it from AWS IoT > Settings (xxxx-ats.iot.<region>.amazonaws.com)",
            ),
        });
    };
    let Some(client_id) = client_id(analysis, &s.client_id) else {
        return Err(Refusal::new(
            RefusalKind::ClientId,
            "the client id is missing: the certificate's name cannot be a thing name",
            "type the thing name as the client id (AWS policies usually expect it)",
        ));
    };
    let c = DeviceConfig {
        wifi_ssid: s.wifi_ssid.clone(),
        wifi_password: Zeroizing::new(s.wifi_password.to_string()),
        host,
        port: s.mqtt_port,
        client_id,
        topic_prefix: s.topic_prefix.clone(),
        ntp_servers: Vec::new(),
        telemetry_interval_s: s.telemetry_s,
        keepalive_s: 60,
        claim_template: s.claim_template.clone(),
    };
    c.validate().map_err(|e| {
        use thingflash_protocol::config::ConfigError as C;
        let kind = match e {
            C::Ssid { .. } | C::Password { .. } => RefusalKind::Wifi,
            C::ClientId(_) => RefusalKind::ClientId,
            _ => RefusalKind::Settings,
        };
        Refusal::new(kind, e.to_string(), "correct it in the settings")
    })?;
    Ok(c)
}

/// A prepared run: nothing in it can be refused any more but by the board.
pub struct Job {
    target: Target,
    kind: Kind,
}

/// What thingflash's firmware is given.
enum ThingflashCreds {
    /// A key made on a computer and its certificate.
    Set(CredentialSet),
    /// The board's own key: root CAs, and the certificate once there is one.
    Board {
        cert_der: Option<Vec<u8>>,
        root_ca_ders: Vec<Vec<u8>>,
        new_key: bool,
    },
}

impl ThingflashCreds {
    fn device(&self) -> bundle::DeviceCreds<'_> {
        match self {
            ThingflashCreds::Set(c) => bundle::DeviceCreds::Set(c),
            ThingflashCreds::Board {
                cert_der,
                root_ca_ders,
                new_key,
            } => bundle::DeviceCreds::Board {
                cert_der: cert_der.as_deref(),
                root_ca_ders,
                new_key: *new_key,
            },
        }
    }
}

enum Kind {
    Thingflash {
        creds: ThingflashCreds,
        config: DeviceConfig,
        elf: Option<Arc<[u8]>>,
        credentials_only: bool,
        chip: Option<Chip>,
    },
    Own {
        creds: CredentialSet,
        own: own::Options,
        firmware: Option<Arc<FirmwareImage>>,
    },
    Esp8266 {
        creds: CredentialSet,
        own: own::Options,
        sketch: Option<Arc<[u8]>>,
        stub: bool,
    },
}

/// Check a request and make it a [`Job`]; every refusal at once, in the order of the
/// window's steps (credentials, settings or files, layout, image).
pub fn prepare(req: &Request<'_>) -> Result<Job, Vec<Refusal>> {
    let mut refused = Vec::new();
    // A board that keeps its own key needs no key file; every other run needs the set.
    let creds = match req.board_key {
        BoardKey::Files => ready_set(req.analysis, &mut refused),
        BoardKey::Board { .. } => None,
    };
    let kind = match (req.target.family(), req.target.needs_device_config()) {
        (Family::Esp32, true) => prepare_thingflash(req, creds, &mut refused),
        (Family::Esp32, false) => prepare_own(req, creds, &mut refused),
        (Family::Esp8266, _) => prepare_esp8266(req, creds, &mut refused),
    };
    match kind {
        Some(kind) if refused.is_empty() => Ok(Job {
            target: req.target,
            kind,
        }),
        _ => Err(refused),
    }
}

/// The ready set, or its refusal added to `out`.
fn ready_set(a: &Analysis, out: &mut Vec<Refusal>) -> Option<CredentialSet> {
    CredentialSet::from_analysis(a)
        .map_err(|e| {
            out.push(Refusal::new(
                RefusalKind::Credentials,
                e.to_string(),
                e.fix(),
            ))
        })
        .ok()
}

fn refuse<T>(out: &mut Vec<Refusal>, r: Refusal) -> Option<T> {
    out.push(r);
    None
}

fn not_for(target: Target, what: &str) -> Refusal {
    Refusal::new(
        RefusalKind::Option,
        format!("{what} is not for the target {}", target.cli_name()),
        target.options_hint(),
    )
}

fn prepare_thingflash(
    req: &Request<'_>,
    creds: Option<CredentialSet>,
    out: &mut Vec<Refusal>,
) -> Option<Kind> {
    let creds = match &req.board_key {
        BoardKey::Files => ThingflashCreds::Set(creds?),
        BoardKey::Board { cert_der, new_key } => {
            if req.credentials_only && cert_der.is_none() {
                out.push(Refusal::new(
                    RefusalKind::Credentials,
                    "a credentials-only write for a board that keeps its own key needs the certificate made from its request",
                    "run the whole provisioning (it flashes, reads the board's request and gets the certificate), not a credentials-only write",
                ));
            }
            // The root CAs dropped with the files, else Amazon's.
            let roots = req.analysis.root_ca_ders();
            ThingflashCreds::Board {
                cert_der: cert_der.clone(),
                root_ca_ders: if roots.is_empty() {
                    crate::credentials::bundled_root_ders()
                } else {
                    roots
                },
                new_key: *new_key,
            }
        }
    };
    let config = match device_config(Some(req.analysis), &req.device) {
        Ok(c) => Some(c),
        Err(e) => refuse(out, e),
    };
    if req.layout.is_some() {
        out.push(not_for(req.target, "an ESP8266 flash layout"));
    }
    let elf = match &req.image {
        Image::None => None,
        Image::Elf(e) => Some(e.clone()),
        _ => return refuse(out, not_for(req.target, "a firmware image or sketch")),
    };
    if let Some(chip) = req.chip
        && !chip.runs_thingflash()
    {
        out.push(Refusal::new(
            RefusalKind::Option,
            format!("thingflash's firmware does not run on the {chip}"),
            "pick an ESP32-C3 or ESP32-C6, or a target for your own firmware",
        ));
    }
    Some(Kind::Thingflash {
        creds,
        config: config?,
        elf,
        credentials_only: req.credentials_only,
        chip: req.chip,
    })
}

/// The files a file-system target writes: the custom list when one is typed, else the
/// preset.
pub fn files(names: NamePreset, list: Option<&str>) -> Result<Vec<FileSpec>, Refusal> {
    match list.map(str::trim) {
        None | Some("") => Ok(names.files()),
        Some(list) => parse_file_list(list).map_err(|e| {
            Refusal::new(
                RefusalKind::FileList,
                format!("cannot read the file list {:?}: {}", e.given, e.why),
                "write it as cert=/cert.der,key=/private.der,ca=/ca.der (a .der name is written as DER, any other as PEM; add :pem or :der to choose)",
            )
        }),
    }
}

fn file_specs(req: &Request<'_>, out: &mut Vec<Refusal>) -> Option<Vec<FileSpec>> {
    files(req.names, req.file_list.as_deref())
        .map_err(|e| out.push(e))
        .ok()
}

fn thingflash_only(req: &Request<'_>, out: &mut Vec<Refusal>) {
    if req.credentials_only {
        out.push(not_for(req.target, "credentials-only"));
    }
    if req.board_key != BoardKey::Files {
        out.push(not_for(req.target, "a key made on the board"));
    }
    if req.chip.is_some() {
        out.push(not_for(req.target, "a chip choice"));
    }
}

fn prepare_own(
    req: &Request<'_>,
    creds: Option<CredentialSet>,
    out: &mut Vec<Refusal>,
) -> Option<Kind> {
    thingflash_only(req, out);
    let files = file_specs(req, out);
    if req.layout.is_some() || !req.stub {
        out.push(Refusal::new(
            RefusalKind::Option,
            "a flash layout and ROM mode are for the ESP8266 targets (esp8266-spiffs, esp8266-littlefs)",
            "ESP32-family boards have a partition table: leave them out",
        ));
    }
    if !req.table_offset.is_multiple_of(0x1000) {
        out.push(Refusal::new(
            RefusalKind::TableOffset,
            format!("{:#x} is not a partition table offset", req.table_offset),
            "use 0x8000 (ESP-IDF's default), or the multiple of 0x1000 your build sets",
        ));
    }
    let firmware = match &req.image {
        Image::None => None,
        Image::Firmware(f) => Some(f.clone()),
        _ => return refuse(out, not_for(req.target, "a firmware ELF or ESP8266 sketch")),
    };
    Some(Kind::Own {
        creds: creds?,
        own: own::Options {
            target: req.target,
            files: files?,
            format: req.format,
            table_offset: req.table_offset,
            region: None,
        },
        firmware,
    })
}

/// The ESP8266 file system's region for a layout choice.
pub fn region(layout: &Layout) -> Result<Region, Refusal> {
    let r = match layout {
        Layout::Named(name) => crate::esp8266::layout(name).map(Region::from),
        Layout::Custom { offset, size } => Region::custom(*offset, *size),
    };
    r.map_err(|e| {
        Refusal::new(
            RefusalKind::Layout,
            e.to_string(),
            "pick the layout of the Arduino IDE's Tools > Flash Size the sketch was built with",
        )
    })
}

fn prepare_esp8266(
    req: &Request<'_>,
    creds: Option<CredentialSet>,
    out: &mut Vec<Refusal>,
) -> Option<Kind> {
    thingflash_only(req, out);
    let files = file_specs(req, out);
    let region = match region(&req.layout.clone().unwrap_or_default()) {
        Ok(r) => Some(r),
        Err(e) => refuse(out, e),
    };
    let sketch = match &req.image {
        Image::None => None,
        Image::Sketch(s) => {
            if let Some(r) = &region
                && let Err(e) = flash::esp8266::check_sketch(s, r)
            {
                out.push(Refusal::new(
                    RefusalKind::Image,
                    e.to_string(),
                    "export the sketch's binary for an ESP8266 board (Sketch > Export Compiled Binary)",
                ));
            }
            Some(s.clone())
        }
        _ => return refuse(out, not_for(req.target, "an ESP32-family image or ELF")),
    };
    Some(Kind::Esp8266 {
        creds: creds?,
        own: own::Options {
            target: req.target,
            files: files?,
            format: req.format,
            table_offset: crate::partitions::DEFAULT_OFFSET,
            region: Some(region?),
        },
        sketch,
        stub: req.stub,
    })
}

/// What a finished run did, for every target.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Outcome {
    /// thingflash's firmware and its credentials (or the credentials alone).
    Thingflash {
        /// The writes.
        report: flash::Report,
        /// Only the credentials partition was written.
        credentials_only: bool,
    },
    /// Credentials beside the user's ESP32-family firmware.
    Own(Box<flash::own::OwnReport>),
    /// Credentials in an ESP8266 sketch's file system.
    Esp8266(Box<flash::esp8266::Esp8266Report>),
}

impl Outcome {
    /// The board's partition table, when the run read it.
    pub fn table(&self) -> Option<&Table> {
        match self {
            Outcome::Own(r) => Some(&r.table),
            _ => None,
        }
    }

    /// Whether the board now runs thingflash's firmware from this run.
    pub fn flashed_thingflash(&self) -> bool {
        matches!(
            self,
            Outcome::Thingflash {
                credentials_only: false,
                ..
            }
        )
    }

    /// One paragraph: what was written where and how it was checked (what happens next is
    /// the shell's to say: the window watches the board, the command line does not).
    pub fn summary(&self) -> String {
        // Amounts written, rounded up as the window and the command line have always shown them.
        let kib = |bytes: usize| format!("{} KiB", bytes.div_ceil(1024));
        match self {
            Outcome::Thingflash {
                report,
                credentials_only,
            } => format!(
                "Flashed {} ({} in {:.1} s{}).",
                if *credentials_only {
                    "the credentials"
                } else {
                    "firmware and credentials"
                },
                kib(report.written.iter().map(|w| w.2).sum::<usize>()),
                report.write_time.as_secs_f64(),
                if report.verified { ", verified" } else { "" },
            ),
            Outcome::Own(r) => format!(
                "Wrote {} into {} in {:.1} s{}, read back and checked: {} file(s).",
                kib(r.partition_bytes),
                r.placement.partition.label,
                r.write_time.as_secs_f64(),
                if r.firmware_bytes > 0 {
                    format!(" after {} of your firmware", kib(r.firmware_bytes))
                } else {
                    String::new()
                },
                r.verified.len(),
            ),
            Outcome::Esp8266(r) => format!(
                "Wrote {} into the file system ({} at {:#x}){} in {:.1} s, {} on the wire, {}.",
                kib(r.fs_bytes),
                r.region.name,
                r.region.offset,
                if r.sketch_bytes > 0 {
                    format!(" after {} of your sketch", kib(r.sketch_bytes))
                } else {
                    String::new()
                },
                r.write_time.as_secs_f64(),
                kib(r.wire_bytes),
                match &r.verified {
                    Some(files) => format!("read back and checked: {} file(s)", files.len()),
                    None => "NOT verified: without the flasher stub the ROM cannot read flash back; watch the sketch's log to see it mount the files".into(),
                },
            ),
        }
    }
}

impl Job {
    /// The device config thingflash's firmware will read, for the thingflash target.
    pub fn device_config(&self) -> Option<&DeviceConfig> {
        match &self.kind {
            Kind::Thingflash { config, .. } => Some(config),
            _ => None,
        }
    }

    /// thingflash's flash plan for a chip and flash size, without a board (`bundle`).
    pub fn plan(&self, chip: Chip, flash_size: FlashSize) -> Result<Plan, BundleError> {
        match &self.kind {
            Kind::Thingflash {
                creds, config, elf, ..
            } => bundle::plan(&bundle::Request {
                chip,
                flash_size,
                credentials: creds.device(),
                config,
                firmware_elf: elf.as_deref(),
            }),
            // Other targets keep the board's firmware: there is no whole-flash plan.
            _ => Err(BundleError::NotWholeFlash {
                target: self.target.cli_name(),
            }),
        }
    }

    /// Run on the board `link` reaches. Blocking: shells call it on a worker thread.
    pub fn run(
        &self,
        link: &FlashOptions,
        on_event: &mut dyn FnMut(Event),
    ) -> Result<Outcome, FlashError> {
        match &self.kind {
            Kind::Thingflash {
                creds,
                config,
                elf,
                credentials_only,
                chip,
            } => {
                let opts = FlashOptions {
                    credentials_only: *credentials_only,
                    chip: *chip,
                    ..link.clone()
                };
                let mut make_plan = |chip, flash_size| {
                    bundle::plan(&bundle::Request {
                        chip,
                        flash_size,
                        credentials: creds.device(),
                        config,
                        firmware_elf: elf.as_deref(),
                    })
                };
                flash::run(&opts, &mut make_plan, on_event).map(|report| Outcome::Thingflash {
                    report,
                    credentials_only: *credentials_only,
                })
            }
            Kind::Own {
                creds,
                own,
                firmware,
            } => {
                let req = flash::own::Request {
                    own: own.clone(),
                    creds,
                    firmware: firmware.as_deref(),
                };
                flash::own::run(link, &req, on_event).map(|r| Outcome::Own(Box::new(r)))
            }
            Kind::Esp8266 {
                creds,
                own,
                sketch,
                stub,
            } => {
                let req = flash::esp8266::Request {
                    own: own.clone(),
                    creds,
                    sketch: sketch.as_deref(),
                    stub: *stub,
                };
                flash::esp8266::run(link, &req, on_event).map(|r| Outcome::Esp8266(Box::new(r)))
            }
        }
    }
}

/// An image of the credentials partition for the user's own firmware, made without a
/// board (`thingflash image`): for esptool or an IDE's upload tool.
pub struct ImageRequest<'a> {
    /// The checked files.
    pub analysis: &'a Analysis,
    /// The firmware that will read it (not thingflash's: `bundle` makes its image).
    pub target: Target,
    /// File names.
    pub names: NamePreset,
    /// A custom file list.
    pub file_list: Option<String>,
    /// The partition's size, when given.
    pub size: Option<u32>,
    /// ESP8266: the sketch's layout.
    pub layout: Option<Layout>,
    /// ESP32 family: the board's partition table, to take the partition from.
    pub table: Option<Table>,
    /// An image read from the board to add to (its other files are kept).
    pub base: Option<Vec<u8>>,
}

/// What [`offline_image`] made.
pub struct OfflineImage {
    /// The partition it is for (offset 0 when no table or layout gave one).
    pub partition: crate::partitions::Partition,
    /// Its contents, before and after.
    pub placement: own::Placement,
    /// A new file system or partition was made (nothing was there).
    pub formatted: bool,
    /// What it is: the file system's name, or `esp_secure_cert`.
    pub kind: String,
}

/// Make the image: the partition from the layout, the table or the size; the credentials
/// placed as a flash run would place them.
pub fn offline_image(req: &ImageRequest<'_>) -> Result<OfflineImage, Vec<Refusal>> {
    use crate::partitions::{self, Partition};
    let mut refused = Vec::new();
    if !req.target.is_own_firmware() {
        return Err(vec![Refusal::new(
            RefusalKind::Option,
            "thingflash's firmware has a whole-flash image, not a credentials image",
            "use `thingflash bundle` for it",
        )]);
    }
    let creds = ready_set(req.analysis, &mut refused);
    let files = files(req.names, req.file_list.as_deref())
        .map_err(|e| refused.push(e))
        .ok();
    // The ESP8266 has no table: its layout gives the region and the core's parameters.
    let region = match req.target.family() {
        Family::Esp8266 => {
            if req.table.is_some() {
                refused.push(Refusal::new(
                    RefusalKind::Option,
                    "an ESP8266 has no partition table",
                    "give the sketch's layout (Tools > Flash Size) instead",
                ));
            }
            match region(&req.layout.clone().unwrap_or_default()) {
                Ok(r) => Some(r),
                Err(e) => refuse(&mut refused, e),
            }
        }
        Family::Esp32 => {
            if req.layout.is_some() {
                refused.push(Refusal::new(
                    RefusalKind::Option,
                    "a flash layout is for the ESP8266 targets",
                    "ESP32-family boards have a partition table: give it (--partitions) or the size",
                ));
            }
            None
        }
    };
    if let (Some(r), Some(size)) = (&region, req.size)
        && size != r.size
    {
        refused.push(Refusal::new(
            RefusalKind::Layout,
            format!(
                "the size {size:#x} is not the {} layout's file system ({:#x})",
                r.name, r.size
            ),
            "leave the size out: the layout gives it",
        ));
    }
    let from_table = match (&region, &req.table) {
        (Some(r), _) => Some(r.partition()),
        (None, Some(t)) => match own::choose_partition(req.target, t) {
            Ok(p) => Some(p.clone()),
            Err(e) => refuse(
                &mut refused,
                Refusal::new(
                    RefusalKind::Image,
                    e.to_string(),
                    "give the table the firmware was built with",
                ),
            ),
        },
        (None, None) => None,
    };
    let size = req
        .size
        .or(from_table.as_ref().map(|p| p.size))
        .or(req.base.as_ref().map(|b| b.len() as u32));
    let Some(size) = size else {
        refused.push(Refusal::new(
            RefusalKind::Option,
            "the partition's size is not known",
            "give the size, a partition table, a base image or (ESP8266) a layout",
        ));
        return Err(refused);
    };
    let fs = req.target.fs();
    let partition = Partition {
        size,
        ..from_table.unwrap_or(Partition {
            label: "image".into(),
            ty: if fs.is_some() {
                partitions::TYPE_DATA
            } else {
                partitions::TYPE_SECURE_CERT
            },
            subtype: partitions::SUBTYPE_SPIFFS,
            offset: 0,
            size,
            encrypted: false,
            readonly: false,
        })
    };
    let current = match &req.base {
        Some(b) if b.len() == size as usize => b.clone(),
        Some(b) => {
            refused.push(Refusal::new(
                RefusalKind::Image,
                format!(
                    "the base image holds {} bytes but the partition is {size}",
                    b.len()
                ),
                "read exactly the partition with esptool read-flash",
            ));
            return Err(refused);
        }
        None => vec![0xFF; size as usize],
    };
    let (Some(creds), Some(files)) = (creds, files) else {
        return Err(refused);
    };
    if !refused.is_empty() {
        return Err(refused);
    }
    let formatted = current.iter().all(|b| *b == 0xFF);
    let opts = own::Options {
        target: req.target,
        files,
        format: formatted,
        table_offset: partitions::DEFAULT_OFFSET,
        region,
    };
    let placement = own::place(&opts, &partition, &current, &creds).map_err(|e| {
        vec![Refusal::new(
            RefusalKind::Image,
            e.to_string(),
            "check the base image and the partition size",
        )]
    })?;
    Ok(OfflineImage {
        formatted: formatted || placement.found == crate::fs::Found::Blank,
        kind: fs.map_or_else(|| "esp_secure_cert".into(), |k| k.to_string()),
        partition,
        placement,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nothing() -> Analysis {
        crate::credentials::analyse(&[], &[], time::OffsetDateTime::now_utc(), None)
    }

    #[test]
    fn an_empty_request_is_refused_for_every_target_with_a_fix() {
        let a = nothing();
        for t in Target::ALL {
            let refused = prepare(&Request::new(&a, t)).err().unwrap();
            assert_eq!(refused[0].kind, RefusalKind::Credentials, "{t:?}");
            assert!(refused.iter().all(|r| !r.fix.is_empty()), "{refused:?}");
        }
    }

    #[test]
    fn options_of_other_targets_are_refused() {
        let a = nothing();
        let mut r = Request::new(&a, Target::ArduinoLittlefs);
        r.credentials_only = true;
        r.layout = Some(Layout::default());
        let kinds: Vec<_> = prepare(&r).err().unwrap().iter().map(|r| r.kind).collect();
        assert!(kinds.contains(&RefusalKind::Option), "{kinds:?}");
        let mut r = Request::new(&a, Target::Esp8266Spiffs);
        r.layout = Some(Layout::Named("9M9M".into()));
        let kinds: Vec<_> = prepare(&r).err().unwrap().iter().map(|r| r.kind).collect();
        assert!(kinds.contains(&RefusalKind::Layout), "{kinds:?}");
        let mut r = Request::new(&a, Target::EspSecureCert);
        r.table_offset = 0x8001;
        let kinds: Vec<_> = prepare(&r).err().unwrap().iter().map(|r| r.kind).collect();
        assert!(kinds.contains(&RefusalKind::TableOffset), "{kinds:?}");
    }

    #[test]
    fn the_device_settings_never_print_the_password() {
        let s = DeviceSettings {
            wifi_password: Zeroizing::new("hunter2-secret".into()),
            ..DeviceSettings::default()
        };
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
