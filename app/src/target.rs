//! What runs on the board, and so where its credentials go: one [`Target`] value per kind
//! of firmware. Everything that differs between them (which chips, which partition,
//! which files in which form) is answered here, so the flash code, the CLI and the window
//! ask the target instead of testing for a chip or a firmware.

use serde::{Deserialize, Serialize};

pub use crate::chip::Family;
use crate::fs::FsKind;
use crate::partitions::{Partition, Table};

/// The firmware on the board.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// thingflash's own firmware (ESP32-C3/C6): the whole flash is written.
    #[default]
    Thingflash,
    /// ESP-IDF firmware that reads Espressif's `esp_secure_cert` partition
    /// (esp-aws-iot, esp_secure_cert_mgr): only that partition is written.
    EspSecureCert,
    /// An Arduino sketch that reads its credentials from LittleFS.
    ArduinoLittlefs,
    /// An Arduino sketch that reads its credentials from SPIFFS.
    ArduinoSpiffs,
    /// An ESP8266 Arduino sketch that reads its credentials from SPIFFS (the classic AWS
    /// IoT guide). The region comes from the sketch's flash layout.
    #[value(name = "esp8266-spiffs")]
    Esp8266Spiffs,
    /// An ESP8266 Arduino sketch that reads its credentials from LittleFS.
    #[value(name = "esp8266-littlefs")]
    Esp8266Littlefs,
}

impl Target {
    /// What a write of the credentials is called in progress lines.
    pub fn written(self) -> &'static str {
        match self {
            Target::EspSecureCert => "esp_secure_cert",
            Target::Thingflash => "config",
            _ => "file system",
        }
    }

    /// The partition of the board's table this target's credentials go into; `Err` says
    /// which partition is missing, what the table has, and how to add it.
    pub fn partition(self, table: &Table) -> Result<&Partition, String> {
        let listed = || {
            let names: Vec<String> = (table.partitions.iter())
                .map(|p| format!("{} ({})", p.label, p.kind()))
                .collect();
            names.join(", ")
        };
        match self {
            Target::EspSecureCert => table.secure_cert().ok_or_else(|| {
                format!(
                    "the board's partition table has no esp_secure_cert partition (type 0x3F); it has {}. Add `esp_secure_cert, 0x3F, , , 0x2000` to your partitions.csv and flash the firmware again, or pick the target your firmware is",
                    listed()
                )
            }),
            _ => table.file_system().ok_or_else(|| {
                format!(
                    "the board's partition table has no file-system partition (label `spiffs`, type data/spiffs); it has {}. Choose an Arduino partition scheme with SPIFFS or LittleFS (Tools > Partition Scheme, e.g. \"Default 4MB with spiffs\") and flash the sketch again",
                    listed()
                )
            }),
        }
    }

    /// Every target, in the order the window offers them.
    pub const ALL: [Target; 6] = [
        Target::Thingflash,
        Target::EspSecureCert,
        Target::ArduinoLittlefs,
        Target::ArduinoSpiffs,
        Target::Esp8266Spiffs,
        Target::Esp8266Littlefs,
    ];

    /// The name on the command line.
    pub fn cli_name(self) -> &'static str {
        match self {
            Target::Thingflash => "thingflash",
            Target::EspSecureCert => "esp-secure-cert",
            Target::ArduinoLittlefs => "arduino-littlefs",
            Target::ArduinoSpiffs => "arduino-spiffs",
            Target::Esp8266Spiffs => "esp8266-spiffs",
            Target::Esp8266Littlefs => "esp8266-littlefs",
        }
    }

    /// What the window calls it.
    pub fn label(self) -> &'static str {
        match self {
            Target::Thingflash => "thingflash firmware (ESP32-C3/C6)",
            Target::EspSecureCert => "ESP-IDF app reading esp_secure_cert",
            Target::ArduinoLittlefs => "Arduino sketch reading LittleFS files",
            Target::ArduinoSpiffs => "Arduino sketch reading SPIFFS files",
            Target::Esp8266Spiffs => {
                "ESP8266 sketch reading SPIFFS files (the classic AWS IoT guide)"
            }
            Target::Esp8266Littlefs => "ESP8266 sketch reading LittleFS files",
        }
    }

    /// One sentence on what flashing does for this target.
    pub fn effect(self) -> &'static str {
        match self {
            Target::Thingflash => {
                "Writes thingflash's firmware, its partition table and the credentials: the whole board is replaced."
            }
            Target::EspSecureCert => {
                "Writes the CA, certificate and key into the board's esp_secure_cert partition, wherever the table puts it. Nothing else is touched."
            }
            Target::ArduinoLittlefs | Target::ArduinoSpiffs => {
                "Reads the board's file-system partition, adds or replaces only the credential files, and writes back the sectors that changed. Your other files stay."
            }
            Target::Esp8266Spiffs | Target::Esp8266Littlefs => {
                "Reads the file system where the sketch's flash layout puts it, adds or replaces only the credential files, and writes back the blocks that changed. Your other files stay; nothing outside the file system is touched."
            }
        }
    }

    /// The file system, for the targets that write files.
    pub fn fs(self) -> Option<FsKind> {
        match self {
            Target::ArduinoLittlefs | Target::Esp8266Littlefs => Some(FsKind::LittleFs),
            Target::ArduinoSpiffs | Target::Esp8266Spiffs => Some(FsKind::Spiffs),
            Target::Thingflash | Target::EspSecureCert => None,
        }
    }

    /// Whether this firmware kind can run on `chip` (a station refuses other boards before
    /// it makes anything for them).
    pub fn runs_on(self, chip: crate::chip::Chip) -> bool {
        chip.family() == self.family() && (!self.needs_device_config() || chip.runs_thingflash())
    }

    /// The chips it runs on.
    pub fn family(self) -> Family {
        match self {
            Target::Esp8266Spiffs | Target::Esp8266Littlefs => Family::Esp8266,
            _ => Family::Esp32,
        }
    }

    /// The target for the same firmware kind on the other family, if there is one: what to
    /// suggest when the board turns out to be the other chip.
    pub fn on_family(self, family: Family) -> Option<Target> {
        let t = match (self.fs(), family) {
            (Some(FsKind::LittleFs), Family::Esp8266) => Target::Esp8266Littlefs,
            (Some(FsKind::Spiffs), Family::Esp8266) => Target::Esp8266Spiffs,
            (Some(FsKind::LittleFs), Family::Esp32) => Target::ArduinoLittlefs,
            (Some(FsKind::Spiffs), Family::Esp32) => Target::ArduinoSpiffs,
            (None, Family::Esp32) => self,
            (None, Family::Esp8266) => return None,
        };
        Some(t)
    }

    /// Whether the user's own firmware is on the board (the credentials go beside it).
    pub fn is_own_firmware(self) -> bool {
        self != Target::Thingflash
    }

    /// Whether the board has an ESP-IDF partition table that says where this target's
    /// data goes (the ESP32 family's own-firmware targets; the ESP8266 has a flash layout
    /// instead).
    pub fn uses_partition_table(self) -> bool {
        self.is_own_firmware() && self.family() == Family::Esp32
    }

    /// What a shell asks of the user for this target: the sections the window shows and the
    /// options the command line takes.
    pub fn needs(self) -> Needs {
        let own = self.is_own_firmware();
        let esp8266 = self.family() == Family::Esp8266;
        Needs {
            device_config: self.needs_device_config(),
            file_names: self.fs().is_some(),
            flash_layout: esp8266,
            partition_table: self.uses_partition_table(),
            rom_mode: esp8266,
            chip_revision_check: !esp8266,
            credentials_only: !own,
            symbols_hint: own,
            boot_baud: esp8266.then_some(crate::chip::ESP8266_ROM_BAUD),
            reports_stages: !own,
        }
    }

    /// What the target writes before its credentials, when the user gives a file.
    pub fn image_kind(self) -> ImageKind {
        match (self.family(), self.needs_device_config()) {
            (Family::Esp8266, _) => ImageKind::Sketch,
            (Family::Esp32, true) => ImageKind::Elf,
            (Family::Esp32, false) => ImageKind::Firmware,
        }
    }

    /// What the options of this target are, for a refusal of another target's option.
    pub fn options_hint(self) -> &'static str {
        match (self.family(), self.needs_device_config()) {
            (Family::Esp8266, _) => {
                "an ESP8266 target takes the file names, the flash layout (or offset and size), the sketch image, format and ROM mode"
            }
            (Family::Esp32, true) => {
                "thingflash's firmware takes the WiFi and MQTT settings, the chip, credentials-only and a firmware ELF"
            }
            (Family::Esp32, false) => {
                "an ESP32-family own-firmware target takes the file names, the partition table offset, format and your firmware image"
            }
        }
    }

    /// Whether the target needs the WiFi and MQTT settings (only thingflash's firmware
    /// reads them from flash; other firmware has its own).
    pub fn needs_device_config(self) -> bool {
        self == Target::Thingflash
    }
}

/// What a target asks of the user (see [`Target::needs`]): the window draws a section for
/// each, so a new target is a new row of data, not a new branch in every panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Needs {
    /// The WiFi and MQTT settings thingflash's firmware reads.
    pub device_config: bool,
    /// The credential files' names and forms.
    pub file_names: bool,
    /// The ESP8266 sketch's flash layout, its serial speed and the sketch image.
    pub flash_layout: bool,
    /// The board's partition table (its offset, reading it) and the firmware image.
    pub partition_table: bool,
    /// Writing without the flasher stub.
    pub rom_mode: bool,
    /// The chip revision check that `force` overrides.
    pub chip_revision_check: bool,
    /// Rewriting only the credentials partition.
    pub credentials_only: bool,
    /// The user's firmware ELF names crash addresses (thingflash's own is embedded).
    pub symbols_hint: bool,
    /// The boot ROM prints at another speed than the firmware (74880 on the ESP8266).
    pub boot_baud: Option<u32>,
    /// The firmware prints thingflash's event lines, so a station can wait until the
    /// board reports MQTT connected.
    pub reports_stages: bool,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The form a credential file is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// Binary DER (what BearSSL's `X509List(const uint8_t*, size_t)` and the classic
    /// guide read).
    Der,
    /// PEM text.
    Pem,
}

/// The credential a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The device certificate.
    Certificate,
    /// Its private key.
    PrivateKey,
    /// The root CA that verifies AWS.
    RootCa,
}

/// One file to write: path, role, form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileSpec {
    /// Absolute path in the file system.
    pub path: String,
    /// What it holds.
    pub role: Role,
    /// How.
    pub encoding: Encoding,
}

/// File-name presets for sketches, as the guides that most sketches come from name them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum NamePreset {
    /// The classic AWS IoT guide (copercini/esp8266-aws_iot `mqtt_x509_DER`):
    /// `/cert.der`, `/private.der`, `/ca.der`.
    #[default]
    ClassicDer,
    /// PEM files with the names AWS's console downloads:
    /// `/certificate.pem.crt`, `/private.pem.key`, `/AmazonRootCA1.pem`.
    AwsPem,
}

impl NamePreset {
    /// Every preset.
    pub const ALL: [NamePreset; 2] = [NamePreset::ClassicDer, NamePreset::AwsPem];

    /// What the window calls it.
    pub fn label(self) -> &'static str {
        match self {
            NamePreset::ClassicDer => "/cert.der, /private.der, /ca.der (DER, the classic guide)",
            NamePreset::AwsPem => {
                "/certificate.pem.crt, /private.pem.key, /AmazonRootCA1.pem (PEM)"
            }
        }
    }

    /// The files.
    pub fn files(self) -> Vec<FileSpec> {
        let (names, encoding) = match self {
            NamePreset::ClassicDer => (["/cert.der", "/private.der", "/ca.der"], Encoding::Der),
            NamePreset::AwsPem => (
                [
                    "/certificate.pem.crt",
                    "/private.pem.key",
                    "/AmazonRootCA1.pem",
                ],
                Encoding::Pem,
            ),
        };
        names
            .iter()
            .zip([Role::Certificate, Role::PrivateKey, Role::RootCa])
            .map(|(path, role)| FileSpec {
                path: (*path).to_string(),
                role,
                encoding,
            })
            .collect()
    }
}

/// A custom list could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot read the file list {given:?}: {why}. Write it as cert=/cert.der,key=/private.der,ca=/ca.der (a .der name is written as DER, any other as PEM; add :pem or :der to choose)"
)]
pub struct FileListError {
    /// What was given.
    pub given: String,
    /// What is wrong.
    pub why: String,
}

/// Read a custom list: `cert=/c.der,key=/k.pem,ca=/ca.der[:pem]`. The certificate and the
/// key are required, the CA is optional (some sketches keep it in the source).
pub fn parse_file_list(text: &str) -> Result<Vec<FileSpec>, FileListError> {
    let fail = |why: &str| FileListError {
        given: text.to_string(),
        why: why.to_string(),
    };
    let mut out: Vec<FileSpec> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (role, rest) = part
            .split_once('=')
            .ok_or_else(|| fail("each item is role=path"))?;
        let role = match role.trim() {
            "cert" | "certificate" => Role::Certificate,
            "key" | "private-key" => Role::PrivateKey,
            "ca" | "root-ca" => Role::RootCa,
            other => return Err(fail(&format!("unknown role {other:?} (cert, key or ca)"))),
        };
        let (path, encoding) = match rest.trim().rsplit_once(':') {
            Some((p, "der")) => (p, Encoding::Der),
            Some((p, "pem")) => (p, Encoding::Pem),
            _ if rest.trim().ends_with(".der") => (rest.trim(), Encoding::Der),
            _ => (rest.trim(), Encoding::Pem),
        };
        if !path.starts_with('/') || path.len() < 2 {
            return Err(fail(&format!(
                "{path:?} is not an absolute path like /cert.der"
            )));
        }
        if out.iter().any(|f| f.role == role) {
            return Err(fail("a role is given twice"));
        }
        if out.iter().any(|f| f.path == path) {
            return Err(fail("two roles share a path"));
        }
        out.push(FileSpec {
            path: path.to_string(),
            role,
            encoding,
        });
    }
    for (role, name) in [(Role::Certificate, "cert"), (Role::PrivateKey, "key")] {
        if !out.iter().any(|f| f.role == role) {
            return Err(fail(&format!("{name}= is missing")));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_name_the_guides_files() {
        let classic = NamePreset::ClassicDer.files();
        assert_eq!(
            classic.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
            ["/cert.der", "/private.der", "/ca.der"]
        );
        assert!(classic.iter().all(|f| f.encoding == Encoding::Der));
        let aws = NamePreset::AwsPem.files();
        assert_eq!(aws[1].path, "/private.pem.key");
        assert!(aws.iter().all(|f| f.encoding == Encoding::Pem));
    }

    #[test]
    fn custom_lists_read_roles_paths_and_forms() {
        let l = parse_file_list("cert=/certs/dev.der, key=/certs/dev.key, ca=/ca.crt:der").unwrap();
        assert_eq!(
            l[0],
            FileSpec {
                path: "/certs/dev.der".into(),
                role: Role::Certificate,
                encoding: Encoding::Der
            }
        );
        assert_eq!(l[1].encoding, Encoding::Pem);
        assert_eq!(
            (l[2].path.as_str(), l[2].encoding),
            ("/ca.crt", Encoding::Der)
        );
        assert_eq!(parse_file_list("cert=/a.der,key=/b.der").unwrap().len(), 2);
        for bad in [
            "",
            "cert=/a",
            "cert=a.der,key=/b",
            "cert=/a,key=/a",
            "cert=/a,cert=/b,key=/c",
            "pub=/p,cert=/a,key=/b",
            "cert",
        ] {
            let e = parse_file_list(bad).unwrap_err();
            assert!(e.to_string().contains("cert=/cert.der"), "{bad}: {e}");
        }
    }

    #[test]
    fn targets_answer_for_themselves() {
        for t in Target::ALL {
            assert!(!t.label().is_empty() && !t.effect().is_empty());
            assert_eq!(t.is_own_firmware(), t != Target::Thingflash);
            assert_eq!(
                t.fs().is_some(),
                t.cli_name().starts_with("arduino") || t.cli_name().starts_with("esp8266")
            );
            assert_eq!(
                t.family() == Family::Esp8266,
                t.cli_name().starts_with("esp8266")
            );
            if t.fs().is_some() {
                for f in [Family::Esp32, Family::Esp8266] {
                    let other = t.on_family(f).unwrap();
                    assert_eq!((other.fs(), other.family()), (t.fs(), f));
                }
            }
            use clap::ValueEnum as _;
            assert_eq!(Target::from_str(t.cli_name(), false), Ok(t));
        }
    }
}

/// What kind of image a target writes before its credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    /// A firmware ELF (thingflash's firmware, rebuilt).
    Elf,
    /// An ESP32-family merged image or flasher_args.json.
    Firmware,
    /// An ESP8266 sketch binary.
    Sketch,
}
