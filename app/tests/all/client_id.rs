//! One client-id rule: the window and the command line take the same id from the same
//! certificate (its CN when that can be a thing name), and neither takes AWS's generic
//! "AWS IoT Certificate" or a name with a space.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::Fixtures;
use thingflash::gui::{Settings, ThingflashApp};

/// A device certificate with this CN, signed by the fixtures' issuing CA, and its key.
fn cert_with_cn(fx: &Fixtures, name: &str, cn: &str) -> (PathBuf, PathBuf) {
    let (key, csr, cert) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.pem"),
    );
    fx.openssl(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        &key,
    ]);
    let subj = format!("/CN={cn}");
    fx.openssl(&["req", "-new", "-key", &key, "-subj", &subj, "-out", &csr]);
    fx.openssl(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        "issuer.pem",
        "-CAkey",
        "issuer.key",
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        "client.ext",
        "-out",
        &cert,
    ]);
    (fx.path(&cert), fx.path(&key))
}

fn window_client_id(cert: &Path, key: &Path) -> String {
    let mut app =
        ThingflashApp::with_settings(eframe::egui::Context::default(), Settings::default());
    app.freeze_ports(Vec::new());
    app.add_paths([cert.to_path_buf(), key.to_path_buf()]);
    app.settings().client_id.clone()
}

/// The client id `bundle` wrote, or `None` when it refused for want of one.
fn cli_client_id(fx: &Fixtures, cert: &Path, key: &Path) -> Option<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_thingflash"))
        .arg("bundle")
        .args([cert, key])
        .args(["--chip", "esp32c3", "--wifi-ssid", "lab"])
        .args([
            "--endpoint",
            "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com",
        ])
        .arg("--out")
        .arg(fx.path("client-id.bin"))
        .arg("--force")
        .env("THINGFLASH_WIFI_PASSWORD", "correct horse")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
        assert!(stderr.contains("client id"), "{stderr}");
        return None;
    }
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("client id: "))
        .unwrap_or_else(|| panic!("no client id line: {stdout}"));
    Some(line.split(',').next().unwrap().to_string())
}

#[test]
fn the_window_and_the_cli_take_one_client_id_from_one_certificate() {
    let fx = Fixtures::new();
    for (name, cn, want) in [
        ("spaced", "kitchen sensor", None),
        ("generic", "AWS IoT Certificate", None),
        ("usable", "kitchen-sensor-1", Some("kitchen-sensor-1")),
    ] {
        let (cert, key) = cert_with_cn(&fx, name, cn);
        let window = window_client_id(&cert, &key);
        let cli = cli_client_id(&fx, &cert, &key);
        assert_eq!(cli.as_deref(), want, "{cn}: the command line");
        assert_eq!(window, want.unwrap_or(""), "{cn}: the window");
    }
}
