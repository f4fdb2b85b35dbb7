//! Arguments `flash` and `bundle` share: the files, the settings thingflash's firmware
//! reads, and the target with its options; and the one place they become a
//! [`job::Request`].

use std::path::PathBuf;
use std::process::ExitCode;

use crate::credentials::Analysis;
use crate::job::{self, DeviceSettings, Image, Layout, Refusal, RefusalKind};
use crate::target::{NamePreset, Target};

use super::{WIFI_PASSWORD_ENV, offset, render, usage_error};

fn mqtt_port(s: &str) -> Result<u16, String> {
    match s {
        "8883" => Ok(8883),
        "443" => Ok(443),
        _ => Err("AWS IoT takes MQTT over TLS on 8883, or on 443 with ALPN".into()),
    }
}

/// What goes onto the board besides the firmware: the files and the settings.
#[derive(clap::Args, Debug)]
pub struct BoardSettings {
    /// Certificate, key, root CA or AWS zip files (classified as `thingflash check` does).
    /// With `flash --thing`, none are needed (a root CA file is used when given).
    pub files: Vec<PathBuf>,
    /// AWS IoT data endpoint, e.g. a1b2c3-ats.iot.eu-west-1.amazonaws.com (thingflash
    /// firmware; your own firmware has its own).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// WiFi network name (thingflash firmware).
    #[arg(long)]
    pub wifi_ssid: Option<String>,
    /// WiFi password ('' for an open network). Prefer the environment variable: arguments
    /// are visible to every user of the machine.
    #[arg(long, env = WIFI_PASSWORD_ENV, hide_env_values = true)]
    pub wifi_password: Option<String>,
    /// MQTT client id (your thing name); default: the certificate's CN when it can be a
    /// thing name.
    #[arg(long)]
    pub client_id: Option<String>,
    /// Topic prefix: the board publishes to <prefix>/<client-id>/telemetry.
    #[arg(long, default_value = "thingflash")]
    pub topic_prefix: String,
    /// MQTT port: 8883, or 443 (ALPN x-amzn-mqtt-ca) where 8883 is blocked.
    #[arg(long, default_value_t = 8883, value_parser = mqtt_port)]
    pub mqtt_port: u16,
    /// Seconds between telemetry messages.
    #[arg(long, default_value_t = 60)]
    pub telemetry_interval: u32,
    /// Firmware ELF to flash instead of the included one (advanced).
    #[arg(long)]
    pub firmware: Option<PathBuf>,
}

/// What runs on the board, and where its credentials go.
#[derive(clap::Args, Debug, Clone)]
pub struct TargetArgs {
    /// What runs on the board: thingflash's firmware (the default: the whole flash is
    /// written), or your own firmware, which keeps everything but its credentials.
    #[arg(long, value_enum, default_value_t)]
    pub target: Target,
    /// File names for the Arduino targets.
    #[arg(long, value_enum, default_value_t)]
    pub names: NamePreset,
    /// Your own file list instead of a preset: cert=/cert.der,key=/private.der,ca=/ca.der
    /// (.der names are written as DER, others as PEM; add :pem or :der to choose).
    #[arg(long, value_name = "LIST")]
    pub file_list: Option<String>,
    /// Create a new file system (or esp_secure_cert partition) when the partition holds
    /// none of the chosen kind. Whatever the partition held is lost.
    #[arg(long)]
    pub format: bool,
    /// Where the board's partition table is.
    #[arg(long, value_parser = offset, default_value = "0x8000")]
    pub table_offset: u32,
    /// Your firmware, flashed in the same run: a merged image (`*.merged.bin`, written at
    /// 0x0) or ESP-IDF's build/flasher_args.json. The credentials then go into the
    /// partition its table defines.
    /// ESP8266 targets: the sketch's `.bin` ("Export compiled Binary"), written at 0x0.
    #[arg(long, value_name = "FILE")]
    pub image: Option<PathBuf>,
    /// ESP8266 targets: the flash layout the sketch was built with (the Arduino IDE's
    /// Tools > Flash Size: 4M2M, 4M1M, 4M3M, 2M1M, 1M64, ...; default 4M2M).
    #[arg(long, value_name = "LAYOUT")]
    pub layout: Option<String>,
    /// ESP8266 targets: the file system's offset, instead of a layout (with --fs-size).
    #[arg(long, value_parser = offset, requires = "fs_size", conflicts_with = "layout")]
    pub fs_offset: Option<u32>,
    /// ESP8266 targets: the file system's size in bytes (with --fs-offset).
    #[arg(long, value_parser = offset, requires = "fs_offset")]
    pub fs_size: Option<u32>,
    /// ESP8266 targets: do not upload the flasher stub; write with the ROM's own commands
    /// (nothing can be read or verified, so only --format can write).
    #[arg(long)]
    pub no_stub: bool,
}

impl TargetArgs {
    /// thingflash's firmware with nothing else chosen (what `bundle` builds).
    pub fn thingflash() -> Self {
        Self {
            target: Target::Thingflash,
            names: NamePreset::default(),
            file_list: None,
            format: false,
            table_offset: crate::partitions::DEFAULT_OFFSET,
            image: None,
            layout: None,
            fs_offset: None,
            fs_size: None,
            no_stub: false,
        }
    }

    /// The ESP8266 layout choice the arguments give, if any.
    pub fn layout(&self) -> Option<Layout> {
        match (self.fs_offset, self.fs_size, &self.layout) {
            (Some(offset), Some(size), _) => Some(Layout::Custom { offset, size }),
            (_, _, Some(name)) => Some(Layout::Named(name.clone())),
            _ => None,
        }
    }
}

/// Say why a request was refused and pick the exit status: 1 when the files are not a
/// ready set (their report first), 2 for the arguments.
pub fn refused(a: &Analysis, refusals: &[Refusal]) -> ExitCode {
    let files = refusals.iter().any(|r| r.kind == RefusalKind::Credentials);
    if files {
        eprint!("{}", render(a));
    }
    for r in refusals {
        eprintln!("thingflash: {}", r.message);
        eprintln!("  fix: {}", r.fix);
    }
    ExitCode::from(if files { 1 } else { 2 })
}

/// The request `flash` and `bundle` make: the settings, the target and its options.
pub fn request<'a>(
    a: &'a Analysis,
    s: &BoardSettings,
    t: &TargetArgs,
) -> Result<job::Request<'a>, ExitCode> {
    let mut req = job::Request::new(a, t.target);
    if t.target.needs_device_config() {
        // The CLI takes the WiFi password only when it is given on purpose: a missing one
        // must not silently flash an open-network config.
        let Some(password) = s.wifi_password.clone() else {
            return Err(usage_error(&format!(
                "give the WiFi password in {WIFI_PASSWORD_ENV} (or --wifi-password; '' for an open network)"
            )));
        };
        let (Some(endpoint), Some(ssid)) = (&s.endpoint, &s.wifi_ssid) else {
            return Err(usage_error(
                &"thingflash's firmware needs --endpoint and --wifi-ssid (with --target for your own firmware, they are not needed)",
            ));
        };
        req.device = DeviceSettings {
            wifi_ssid: ssid.clone(),
            wifi_password: zeroize::Zeroizing::new(password),
            endpoint: endpoint.clone(),
            client_id: s.client_id.clone().unwrap_or_default(),
            topic_prefix: s.topic_prefix.clone(),
            mqtt_port: s.mqtt_port,
            claim_template: String::new(),
            telemetry_s: s.telemetry_interval,
        };
    }
    req.names = t.names;
    req.file_list = t.file_list.clone();
    req.format = t.format;
    req.table_offset = t.table_offset;
    req.layout = t.layout();
    req.stub = !t.no_stub;
    // --firmware is a thingflash ELF, --image your own firmware's; the library says which
    // one the target takes.
    let image = match (&t.image, &s.firmware) {
        (Some(_), Some(_)) => {
            return Err(usage_error(
                &"give either --image (your firmware) or --firmware (a thingflash ELF), not both",
            ));
        }
        (Some(p), None) => Some((p, false)),
        (None, Some(p)) => Some((p, true)),
        (None, None) => None,
    };
    if let Some((path, elf)) = image {
        req.image = Image::read(t.target, path, elf).map_err(|r| usage_error(&r.line()))?;
    }
    Ok(req)
}
