//! For a Windows build: the icon Explorer and the taskbar show, and the version resource
//! (file properties, installers), compiled with mingw's `windres` and linked into the exe.
//! Other targets: nothing. The target is read from Cargo's environment, not `cfg!`,
//! because this script runs on the build machine (Linux, when cross-building).

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../assets/icons/thingflash.ico");
    println!("cargo:rerun-if-env-changed=WINDRES");
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os != "windows" || target_env != "gnu" {
        return;
    }
    if let Err(e) = windows_resources() {
        // A build that cannot carry its icon is still a working program: say so loudly
        // (scripts/build-windows checks the resource is there) rather than fail it.
        println!("cargo:warning=no icon or version resource in the exe: {e}");
    }
}

fn windows_resources() -> Result<(), String> {
    let out = PathBuf::from(env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let icon = manifest.join("../assets/icons/thingflash.ico");
    let version = env::var("CARGO_PKG_VERSION").map_err(|e| e.to_string())?;
    let mut parts: Vec<u16> = version
        .split(['.', '-', '+'])
        .take(3)
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    parts.resize(4, 0);
    let numeric = parts
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(",");
    // windres reads the path in a C string: forward slashes need no escaping.
    let icon_path = icon.display().to_string().replace('\\', "/");
    let rc = format!(
        r#"1 ICON "{icon_path}"
1 VERSIONINFO
FILEVERSION {numeric}
PRODUCTVERSION {numeric}
FILEOS 0x40004
FILETYPE 0x1
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "CompanyName", "thingflash developers"
      VALUE "FileDescription", "thingflash: flash an ESP board that talks to AWS IoT Core"
      VALUE "FileVersion", "{version}"
      VALUE "InternalName", "thingflash"
      VALUE "LegalCopyright", "thingflash developers"
      VALUE "OriginalFilename", "thingflash.exe"
      VALUE "ProductName", "thingflash"
      VALUE "ProductVersion", "{version}"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
"#
    );
    let rc_path = out.join("thingflash.rc");
    std::fs::write(&rc_path, rc).map_err(|e| format!("cannot write {}: {e}", rc_path.display()))?;
    let obj = out.join("thingflash-resources.o");
    let windres = env::var("WINDRES").unwrap_or_else(|_| "x86_64-w64-mingw32-windres".into());
    let status = Command::new(&windres)
        .arg("-O")
        .arg("coff")
        .arg("-i")
        .arg(&rc_path)
        .arg("-o")
        .arg(&obj)
        .status()
        .map_err(|e| {
            format!(
                "cannot run {windres} ({e}); install mingw-w64 (Debian: binutils-mingw-w64-x86-64)"
            )
        })?;
    if !status.success() {
        return Err(format!("{windres} failed ({status})"));
    }
    // An object file, linked only into the binaries (the library has no use for it).
    println!("cargo:rustc-link-arg-bins={}", obj.display());
    Ok(())
}
