//! Which ports a station works on: the ones named, the lines of a file read again every
//! moment (boards behind a serial server, virtual boards on pseudo-terminals), or every
//! USB serial port the system lists, so that a board plugged in is a port that appears.

use std::path::PathBuf;

/// Where the ports come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortSource {
    /// Exactly these.
    Named(Vec<String>),
    /// The non-empty lines of this file, as it is now.
    File(PathBuf),
    /// Every USB serial port present now; `only`, when not empty, keeps just those names.
    Usb {
        /// The ports to keep (empty: all).
        only: Vec<String>,
    },
}

impl PortSource {
    /// The ports there are now.
    pub fn present(&self) -> Vec<String> {
        match self {
            PortSource::Named(names) => names.clone(),
            // A file being rewritten reads as empty for a moment: no port, not an error.
            PortSource::File(file) => std::fs::read_to_string(file)
                .unwrap_or_default()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            PortSource::Usb { only } => crate::ports::scan()
                .ports
                .into_iter()
                .filter(|p| p.usb.is_some())
                .map(|p| p.name)
                .filter(|n| only.is_empty() || only.contains(n))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_file_lists_its_non_empty_lines_and_a_missing_one_none() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ports");
        let source = PortSource::File(file.clone());
        assert!(source.present().is_empty());
        std::fs::write(&file, "/dev/ttyUSB0\n\n  /dev/ttyACM1  \n").unwrap();
        assert_eq!(source.present(), ["/dev/ttyUSB0", "/dev/ttyACM1"]);
    }

    #[test]
    fn named_ports_are_given_back_as_named() {
        let named = PortSource::Named(vec!["COM3".into(), "COM7".into()]);
        assert_eq!(named.present(), ["COM3", "COM7"]);
    }
}
