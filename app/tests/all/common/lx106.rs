//! Debian's lx106 toolchain (gcc-xtensa-lx106, binutils-xtensa-lx106): the test sketch
//! built into a real ESP8266 ELF with DWARF, and binutils' nm and addr2line to check
//! against.

use std::path::{Path, PathBuf};

/// The test sketch (tests/data/esp8266-sketch/sketch.c) compiled by Debian's lx106 GCC,
/// linked where the Arduino core puts a sketch: a real Xtensa ELF with DWARF.
pub fn sketch(dir: &Path) -> PathBuf {
    use std::process::Command;
    let src_dir = dir.join("esp8266-sketch");
    std::fs::create_dir_all(&src_dir).unwrap();
    let src = src_dir.join("sketch.c");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/esp8266-sketch/sketch.c"),
        &src,
    )
    .unwrap();
    let elf = src_dir.join("sketch.ino.elf");
    super::run(
        Command::new(super::peer("xtensa-lx106-elf-gcc"))
            .args([
                "-g",
                "-O1",
                "-fno-inline",
                "-mlongcalls",
                "-mtext-section-literals",
            ])
            .args(["-nostdlib", "-ffreestanding"])
            .args([
                "-Wl,-Ttext=0x40201010",
                "-Wl,--section-start=.iram1.text=0x40100000",
            ])
            .arg("-o")
            .arg(&elf)
            .arg(&src),
    );
    elf
}

/// Function addresses from binutils' nm.
pub fn symbols(elf: &Path) -> std::collections::HashMap<String, u64> {
    let out = super::run(std::process::Command::new(super::peer("xtensa-lx106-elf-nm")).arg(elf));
    String::from_utf8(out)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let addr = u64::from_str_radix(w.next()?, 16).ok()?;
            let kind = w.next()?;
            let name = w.next()?;
            (kind == "T").then(|| (name.to_string(), addr))
        })
        .collect()
}

/// What binutils' addr2line says of an address: function, and `dir/file:line` as
/// thingflash shortens it.
pub fn addr2line(elf: &Path, addr: u64) -> (String, String) {
    let out = super::run(
        std::process::Command::new(super::peer("xtensa-lx106-elf-addr2line"))
            .args(["-f", "-e"])
            .arg(elf)
            .arg(format!("{addr:#x}")),
    );
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    let function = lines.next().unwrap().to_string();
    let location = lines.next().unwrap();
    let short: Vec<&str> = location.rsplit('/').take(2).collect();
    (function, format!("{}/{}", short[1], short[0]))
}
