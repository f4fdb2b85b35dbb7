//! Every chip thingflash flashes, the ESP8266 included, as one value: its names, the id
//! its image header carries, its family (which decides the flashing protocol and where a
//! file system is found) and what it can run. The flash code, the targets, the monitor and
//! the window ask the chip; none of them compares chip names as text. Depends on nothing
//! else of the app.

use serde::{Serialize, Serializer};

/// The ESP8266 ROM's banner speed (26 MHz crystal, ROM clocked for 40 MHz).
pub const ESP8266_ROM_BAUD: u32 = 74_880;

/// The speed thingflash's firmware prints its event lines at (the ROM and ESP-IDF's
/// console default, so the boot banner reads at the same speed).
pub const FIRMWARE_BAUD: u32 = 115_200;

/// A chip of the ESP32 family or the ESP8266.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Chip {
    /// ESP32 (Xtensa LX6, dual core).
    Esp32,
    /// ESP32-S2 (Xtensa LX7, single core, USB OTG).
    Esp32s2,
    /// ESP32-S3 (Xtensa LX7, dual core, USB).
    Esp32s3,
    /// ESP32-C2 / ESP8684 (RISC-V).
    Esp32c2,
    /// ESP32-C3 (RISC-V, WiFi 4, BLE 5).
    Esp32c3,
    /// ESP32-C5 (RISC-V, dual-band WiFi 6).
    Esp32c5,
    /// ESP32-C6 (RISC-V, WiFi 6, BLE 5, 802.15.4).
    Esp32c6,
    /// ESP32-C61 (RISC-V, WiFi 6).
    Esp32c61,
    /// ESP32-H2 (RISC-V, 802.15.4 and BLE, no WiFi).
    Esp32h2,
    /// ESP32-H4 (RISC-V, 802.15.4 and BLE, no WiFi).
    Esp32h4,
    /// ESP32-P4 (RISC-V, no radio).
    Esp32p4,
    /// ESP32-S31.
    Esp32s31,
    /// ESP8266 and ESP8285 (Xtensa L106).
    Esp8266,
}

/// The two families: they differ in how they are flashed and in where a sketch's data
/// lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// ESP32 and its successors: espflash, an ESP-IDF partition table.
    Esp32,
    /// ESP8266 (and ESP8285): thingflash's own ROM client, a flash layout.
    Esp8266,
}

/// One row of the chip table: the facts, as data.
struct Row {
    chip: Chip,
    /// The name esptool and espflash use.
    name: &'static str,
    /// The name on the package.
    label: &'static str,
    /// `esp_image_header_t.chip_id` (the ESP8266's image format has none).
    image_id: Option<u16>,
    family: Family,
    /// thingflash's own firmware is built for it.
    runs_thingflash: bool,
}

const fn row(
    chip: Chip,
    name: &'static str,
    label: &'static str,
    image_id: Option<u16>,
    family: Family,
    runs_thingflash: bool,
) -> Row {
    Row {
        chip,
        name,
        label,
        image_id,
        family,
        runs_thingflash,
    }
}

use Family::{Esp32 as F32, Esp8266 as F8266};

/// Image ids: ESP-IDF `components/bootloader_support/include/esp_app_format.h`
/// (`esp_chip_id_t`), as esptool's `IMAGE_CHIP_ID` per chip.
const TABLE: [Row; 13] = [
    row(Chip::Esp32, "esp32", "ESP32", Some(0), F32, false),
    row(Chip::Esp32s2, "esp32s2", "ESP32-S2", Some(2), F32, false),
    row(Chip::Esp32s3, "esp32s3", "ESP32-S3", Some(9), F32, false),
    row(Chip::Esp32c2, "esp32c2", "ESP32-C2", Some(12), F32, false),
    row(Chip::Esp32c3, "esp32c3", "ESP32-C3", Some(5), F32, true),
    row(Chip::Esp32c5, "esp32c5", "ESP32-C5", Some(23), F32, false),
    row(Chip::Esp32c6, "esp32c6", "ESP32-C6", Some(13), F32, true),
    row(
        Chip::Esp32c61,
        "esp32c61",
        "ESP32-C61",
        Some(20),
        F32,
        false,
    ),
    row(Chip::Esp32h2, "esp32h2", "ESP32-H2", Some(16), F32, false),
    row(Chip::Esp32h4, "esp32h4", "ESP32-H4", Some(28), F32, false),
    row(Chip::Esp32p4, "esp32p4", "ESP32-P4", Some(18), F32, false),
    row(
        Chip::Esp32s31,
        "esp32s31",
        "ESP32-S31",
        Some(32),
        F32,
        false,
    ),
    row(Chip::Esp8266, "esp8266", "ESP8266", None, F8266, false),
];

impl Chip {
    /// Every chip, in the table's order.
    pub const ALL: [Chip; 13] = [
        Chip::Esp32,
        Chip::Esp32s2,
        Chip::Esp32s3,
        Chip::Esp32c2,
        Chip::Esp32c3,
        Chip::Esp32c5,
        Chip::Esp32c6,
        Chip::Esp32c61,
        Chip::Esp32h2,
        Chip::Esp32h4,
        Chip::Esp32p4,
        Chip::Esp32s31,
        Chip::Esp8266,
    ];

    fn row(self) -> &'static Row {
        // The table is in `ALL`'s order (a test holds it there).
        let r = &TABLE[self as usize];
        debug_assert!(r.chip == self);
        r
    }

    /// The name esptool and espflash use (`esp32c3`).
    pub fn name(self) -> &'static str {
        self.row().name
    }

    /// The name on the package (`ESP32-C3`).
    pub fn label(self) -> &'static str {
        self.row().label
    }

    /// The chip id in an ESP-IDF image header; `None` for the ESP8266.
    pub fn image_id(self) -> Option<u16> {
        self.row().image_id
    }

    /// Its family.
    pub fn family(self) -> Family {
        self.row().family
    }

    /// Whether thingflash's own firmware runs on it.
    pub fn runs_thingflash(self) -> bool {
        self.row().runs_thingflash
    }

    /// The chips thingflash's own firmware runs on.
    pub fn thingflash_chips() -> impl Iterator<Item = Chip> {
        Self::ALL.into_iter().filter(|c| c.runs_thingflash())
    }

    /// The chip with this esptool name (`esp32c3`, also `ESP32-C3`).
    pub fn from_name(name: &str) -> Option<Chip> {
        let want: String = name
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .flat_map(char::to_lowercase)
            .collect();
        Self::ALL.into_iter().find(|c| c.name() == want)
    }

    /// The chip an image header's id names.
    pub fn from_image_id(id: u16) -> Option<Chip> {
        Self::ALL.into_iter().find(|c| c.image_id() == Some(id))
    }

    /// The chip as espflash knows it (the ESP8266 is not one of espflash's chips).
    pub fn espflash(self) -> Option<espflash::target::Chip> {
        use strum::IntoEnumIterator as _;
        espflash::target::Chip::iter().find(|c| c.to_string() == self.name())
    }

    /// The chip espflash detected.
    pub fn from_espflash(chip: espflash::target::Chip) -> Option<Chip> {
        Self::from_name(&chip.to_string())
    }
}

impl std::fmt::Display for Chip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// In reports and JSON a chip is its esptool name.
impl Serialize for Chip {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_the_enums_order() {
        for (i, c) in Chip::ALL.into_iter().enumerate() {
            assert_eq!(TABLE[i].chip, c);
            assert_eq!(c as usize, i);
        }
    }

    #[test]
    fn names_round_trip_and_labels_read_as_printed() {
        for c in Chip::ALL {
            assert_eq!(Chip::from_name(c.name()), Some(c));
            assert_eq!(Chip::from_name(c.label()), Some(c));
            assert_eq!(c.to_string(), c.label());
            if let Some(id) = c.image_id() {
                assert_eq!(Chip::from_image_id(id), Some(c));
            }
        }
        assert_eq!(Chip::from_name("esp32-c3"), Some(Chip::Esp32c3));
        assert_eq!(Chip::from_name("atmega328"), None);
    }

    #[test]
    fn every_espflash_chip_is_one_of_ours() {
        use strum::IntoEnumIterator as _;
        for e in espflash::target::Chip::iter() {
            let c = Chip::from_espflash(e).unwrap_or_else(|| panic!("{e} is not in the table"));
            assert_eq!(c.espflash(), Some(e));
            assert_eq!(c.family(), Family::Esp32);
        }
        assert_eq!(Chip::Esp8266.espflash(), None);
    }

    #[test]
    fn image_ids_are_espflash_ones() {
        use strum::IntoEnumIterator as _;
        for e in espflash::target::Chip::iter() {
            let c = Chip::from_espflash(e).unwrap();
            assert_eq!(c.image_id(), Some(e.id()), "{e}");
        }
    }

    #[test]
    fn the_included_firmware_runs_on_the_c3_and_c6() {
        assert_eq!(
            Chip::thingflash_chips().collect::<Vec<_>>(),
            [Chip::Esp32c3, Chip::Esp32c6]
        );
    }
}
