//! Backtrace addresses to function names and source lines, read from the firmware ELF's
//! symbols and DWARF (what espflash's monitor does), so a panic says where it happened.

use std::path::Path;

/// A loaded firmware ELF.
pub struct Symbolizer {
    loader: addr2line::Loader,
    // addr2line reads from a path: an ELF held in memory goes to a temporary file that
    // lives as long as this value.
    _file: Option<tempfile::NamedTempFile>,
}

impl std::fmt::Debug for Symbolizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Symbolizer")
    }
}

/// Why an ELF could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("cannot read symbols from {path}: {detail}")]
pub struct SymbolsError {
    path: String,
    detail: String,
}

impl Symbolizer {
    /// Load an ELF file.
    pub fn load(path: &Path) -> Result<Self, SymbolsError> {
        let loader = addr2line::Loader::new(path).map_err(|e| SymbolsError {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        Ok(Self {
            loader,
            _file: None,
        })
    }

    /// Load an ELF held in memory (the firmware thingflash embeds).
    pub fn from_bytes(elf: &[u8]) -> Result<Self, SymbolsError> {
        use std::io::Write as _;
        let fail = |detail: String| SymbolsError {
            path: "embedded firmware".into(),
            detail,
        };
        let mut file = tempfile::NamedTempFile::new().map_err(|e| fail(e.to_string()))?;
        file.write_all(elf).map_err(|e| fail(e.to_string()))?;
        let mut s = Self::load(file.path())?;
        s._file = Some(file);
        Ok(s)
    }

    /// `function at file:line` for an address, when the ELF knows it.
    pub fn describe(&self, addr: u64) -> Option<String> {
        let function = self
            .loader
            .find_symbol(addr)
            .map(|s| addr2line::demangle_auto(s.into(), None).into_owned());
        let location = self
            .loader
            .find_location(addr)
            .ok()
            .flatten()
            .and_then(|l| {
                let file = l.file?;
                let short = file.rsplit(['/', '\\']).take(2).collect::<Vec<_>>();
                let short = short.into_iter().rev().collect::<Vec<_>>().join("/");
                Some(match l.line {
                    Some(line) => format!("{short}:{line}"),
                    None => short,
                })
            });
        match (function, location) {
            (Some(f), Some(l)) => Some(format!("{f} at {l}")),
            (Some(f), None) => Some(f),
            (None, Some(l)) => Some(l),
            (None, None) => None,
        }
    }
}
