//! The window, driven headless through egui_kittest: files dropped as drop events,
//! labels found through AccessKit, the serial monitor fed over a real pseudo-terminal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Board, Fixtures, PASS};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use thingflash::gui::{Settings, ThingflashApp};
use thingflash::monitor::{Light, Step};

#[derive(Debug)]
struct Dropped(PathBuf);

impl eframe::egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn harness() -> Harness<'static, ThingflashApp> {
    Harness::builder()
        .with_size([1100.0, 900.0])
        .build_eframe(|cc| ThingflashApp::with_settings(cc.egui_ctx.clone(), Settings::default()))
}

fn drop_files(h: &mut Harness<'_, ThingflashApp>, paths: &[PathBuf]) {
    for p in paths {
        h.input_mut()
            .dropped_files
            .push(Arc::new(Dropped(p.clone())));
    }
    h.run_steps(3);
}

/// Step the UI until `done` holds, giving worker threads time.
fn run_until(
    h: &mut Harness<'_, ThingflashApp>,
    what: &str,
    mut done: impl FnMut(&ThingflashApp) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done(h.state()) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(30));
        h.run_steps(1);
    }
    h.run_steps(2);
}

#[test]
fn dropped_files_become_cards_and_a_wrong_key_blocks_flash() {
    let fx = Fixtures::new();
    let mut h = harness();
    drop_files(
        &mut h,
        &[fx.path("rsa-certificate.pem.crt"), fx.path("p256-sec1.key")],
    );
    h.get_by_label("Device certificate");
    h.get_by_label("Private key");
    // Shown with the credentials and again as the reason Flash is not ready.
    assert_eq!(
        h.get_all_by_label_contains("does not belong to the certificate")
            .count(),
        2
    );
    h.get_by_label_contains("Using the bundled Amazon Root CA 1 and 3");
    let blockers = h.state().flash_blockers();
    assert!(blockers[0].contains("does not belong"), "{blockers:?}");
    assert!(
        !h.get_by_role_and_label(eframe::egui::accesskit::Role::Button, "Flash")
            .is_enabled_for_test()
    );
}

trait EnabledForTest {
    fn is_enabled_for_test(&self) -> bool;
}

impl EnabledForTest for egui_kittest::Node<'_> {
    fn is_enabled_for_test(&self) -> bool {
        !self.accesskit_node().is_disabled()
    }
}

#[test]
fn encrypted_key_asks_for_the_passphrase_then_decrypts() {
    let fx = Fixtures::new();
    let mut h = harness();
    drop_files(
        &mut h,
        &[
            fx.path("rsa-certificate.pem.crt"),
            fx.path("rsa-enc-pkcs8.key"),
        ],
    );
    assert!(
        h.get_all_by_label_contains("this private key is encrypted")
            .count()
            >= 1
    );
    let field = h.get_by_label("Key passphrase");
    field.focus();
    field.type_text(PASS);
    h.run_steps(2);
    h.key_press(eframe::egui::Key::Enter);
    h.run_steps(3);
    let a = h.state().analysis().unwrap();
    assert!(!a.blocked(), "{:#?}", a.findings);
    assert!(a.private_key().unwrap().was_encrypted);
}

#[test]
fn settings_typed_in_clear_every_settings_blocker() {
    let fx = Fixtures::new();
    let mut h = harness();
    drop_files(
        &mut h,
        &[fx.path("rsa-certificate.pem.crt"), fx.path("rsa-pkcs1.key")],
    );
    for (label, text) in [
        ("WiFi network", "workshop"),
        ("WiFi password", "correct horse"),
        (
            "Endpoint",
            "mqtts://a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com:8883",
        ),
    ] {
        let f = h.get_by_label(label);
        f.focus();
        f.type_text(text);
        h.run_steps(2);
    }
    // The endpoint's scheme and port were explained, not rejected.
    h.get_by_label_contains("removed 'mqtts://'");
    // The client id came from the certificate's CN.
    assert_eq!(
        h.state().flash_blockers().len(),
        2,
        "{:?}",
        h.state().flash_blockers()
    );
    let b = h.state().flash_blockers();
    assert!(b[0].contains("serial port"), "{b:?}");
    assert!(b[1].contains("not built into this version"), "{b:?}");
}

#[test]
fn monitor_panel_follows_a_board_from_boot_to_mqtt_then_explains_a_tls_failure() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyBOARD");
    let mut board = Board::plug(&link);
    let mut h = harness();
    h.state_mut()
        .connect_monitor(link.to_string_lossy().into_owned());
    run_until(&mut h, "monitor connected", |app| {
        app.monitor_state().starts_with("connected to")
    });
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/logs");
    board.send(&std::fs::read(logs.join("thingflash-connect-ok.log")).unwrap());
    run_until(&mut h, "MQTT connected", |app| {
        app.status().light(Step::Publishing) == Light::Ok
    });
    h.get_by_label("MQTT: ok");
    h.get_by_label("Publishing: ok");
    h.get_by_label_contains("IP 192.168.1.23");
    board.send(&std::fs::read(logs.join("thingflash-clock-not-set.log")).unwrap());
    run_until(&mut h, "TLS failure", |app| {
        app.status().last_error.is_some()
    });
    h.get_by_label_contains("Last error: TLS error -0x2700");
    h.get_by_label_contains("the clock was never set");
    h.get_by_label("TLS: failed");
}
