//! The firmware thingflash includes: one ELF per chip it runs on (built by
//! `scripts/build-firmware`, embedded at compile time), and the id its boot event reports
//! for it. The flash plan makes images from these; the monitor names crash addresses with
//! them when the board says it runs one.

use std::sync::OnceLock;

use crate::chip::Chip;

static FIRMWARE_ESP32C3: &[u8] = include_bytes!("../../assets/firmware/thingflash-esp32c3.elf");
static FIRMWARE_ESP32C6: &[u8] = include_bytes!("../../assets/firmware/thingflash-esp32c6.elf");

/// The included firmware's ELF for `chip`; `None` where thingflash's firmware does not run.
pub fn elf(chip: Chip) -> Option<&'static [u8]> {
    match chip {
        Chip::Esp32c3 => Some(FIRMWARE_ESP32C3),
        Chip::Esp32c6 => Some(FIRMWARE_ESP32C6),
        _ => None,
    }
}

/// What the firmware reports as `elf=` in its boot event: the first 16 hex digits of the
/// SHA-256 of its ELF (espflash writes that digest into the app descriptor).
pub fn elf_id(chip: Chip) -> Option<&'static str> {
    use sha2::Digest as _;
    static IDS: [OnceLock<String>; Chip::ALL.len()] = [const { OnceLock::new() }; Chip::ALL.len()];
    let elf = elf(chip)?;
    Some(IDS[chip as usize].get_or_init(|| {
        sha2::Sha256::digest(elf)[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }))
}

/// The chip whose included firmware has this boot-event id.
pub fn chip_of(name: &str, id: &str) -> Option<Chip> {
    let chip = Chip::from_name(name)?;
    (elf_id(chip) == Some(id)).then_some(chip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_is_an_elf_for_every_chip_the_firmware_runs_on_and_no_other() {
        for c in Chip::ALL {
            assert_eq!(elf(c).is_some(), c.runs_thingflash(), "{c}");
            assert_eq!(elf_id(c).is_some(), c.runs_thingflash(), "{c}");
        }
        let id = elf_id(Chip::Esp32c3).unwrap();
        assert_eq!(id.len(), 16);
        assert_eq!(chip_of("esp32c3", id), Some(Chip::Esp32c3));
        assert_eq!(chip_of("esp32c6", id), None);
    }
}
