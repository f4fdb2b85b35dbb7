//! The window, driven headless through egui_kittest: files dropped as drop events,
//! labels found through AccessKit, the serial monitor fed over a real pseudo-terminal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::{Board, Fixtures, Mock, PASS};
use egui_kittest::Harness;
use egui_kittest::Node;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use thingflash::gui::{Settings, ThingflashApp};
use thingflash::monitor::{Light, Step};
use thingflash::ports::Scan;

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
        .with_size(thingflash::gui::DEFAULT_SIZE)
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
    done: impl FnMut(&ThingflashApp) -> bool,
) {
    run_until_for(h, what, Duration::from_secs(10), done)
}

fn run_until_for(
    h: &mut Harness<'_, ThingflashApp>,
    what: &str,
    limit: Duration,
    mut done: impl FnMut(&ThingflashApp) -> bool,
) {
    let deadline = Instant::now() + limit;
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
    // A wrong passphrase says so, and the field stays for another try.
    let field = h.get_by_label("Key passphrase");
    field.focus();
    field.type_text("wrong");
    h.run_steps(2);
    h.key_press(eframe::egui::Key::Enter);
    h.run_steps(3);
    assert!(
        h.get_all_by_label_contains("the passphrase given does not decrypt")
            .count()
            >= 1
    );
    let field = h.get_by_label("Key passphrase");
    field.focus();
    for _ in 0.."wrong".len() {
        h.key_press(eframe::egui::Key::Backspace);
    }
    let field = h.get_by_label("Key passphrase");
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
    // The flow moved on to the board; the settings are one click away.
    open_step(&mut h, "3. Connection settings");
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
    let b = h.state().flash_blockers();
    assert_eq!(b.len(), 1, "{b:?}");
    assert!(b[0].contains("serial port"), "{b:?}");
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
    // The raw log is one click away, and holds the board's lines.
    h.get_by_label_contains("Raw log (").click();
    h.run_steps(2);
    h.get_by_label_contains("mqtt.connack");
    board.send(&std::fs::read(logs.join("thingflash-clock-not-set.log")).unwrap());
    run_until(&mut h, "TLS failure", |app| {
        app.status().last_error.is_some()
    });
    h.get_by_label_contains("Last problem: TLS error -0x2700");
    h.get_by_label_contains("the clock was never set");
    h.get_by_label("TLS: failed");
}

/// Pick what runs on the board in step 2's combo.
fn choose_target(h: &mut Harness<'_, ThingflashApp>, label: &str) {
    h.get_by_label("Runs on the board").click();
    h.run_steps(2);
    h.get_by_label(label).click();
    h.run_steps(3);
}

fn type_into(h: &mut Harness<'_, ThingflashApp>, label: &str, text: &str) {
    let f = h.get_by_label(label);
    f.focus();
    f.type_text(text);
    h.run_steps(2);
}

/// Open a step of the flow by clicking its header.
fn open_step(h: &mut Harness<'_, ThingflashApp>, title: &str) {
    button(h, title).click();
    h.run_steps(2);
}

fn button<'a>(h: &'a Harness<'_, ThingflashApp>, label: &'a str) -> Node<'a> {
    h.get_by_role_and_label(eframe::egui::accesskit::Role::Button, label)
}

#[test]
fn flash_against_the_mock_then_reprovision_then_watch_the_board() {
    let fx = Fixtures::new();
    let mock = Mock::start("esp32c3");
    let mut h = harness();
    drop_files(
        &mut h,
        &[fx.path("rsa-certificate.pem.crt"), fx.path("rsa-pkcs1.key")],
    );
    // The flow: step 2 is open once the credentials are done, then step 3, then 4.
    type_into(&mut h, "Port path", &mock.port);
    type_into(&mut h, "WiFi network", "workshop");
    type_into(&mut h, "WiFi password", "correct horse");
    type_into(
        &mut h,
        "Endpoint",
        "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com",
    );
    assert_eq!(h.state().flash_blockers(), Vec::<String>::new());
    // Never seen running thingflash: only a full flash is offered.
    assert!(!button(&h, "Re-provision credentials only").is_enabled_for_test());

    // A pseudo-terminal cannot pulse DTR/RTS, and the mock reports chip revision v0.0.
    h.get_by_label_contains("The port cannot reset the board")
        .click();
    h.get_by_label_contains("Flash even if the chip revision")
        .click();
    h.run_steps(2);
    button(&h, "Flash").click();
    h.run_steps(1);
    assert!(h.state().flashing());
    run_until_for(&mut h, "flash finished", Duration::from_secs(60), |app| {
        app.flash_result().is_some()
    });
    let result = h.state().flash_result().cloned().unwrap();
    let text = result.unwrap_or_else(|e| panic!("flash failed: {e}"));
    assert!(
        text.starts_with("Flashed firmware and credentials"),
        "{text}"
    );
    h.get_by_label_contains("Flashed firmware and credentials");
    h.get_by_label_contains("Press RESET on the board");
    // esp32-mock-bootloader ends its session 3 s after the last FLASH_END: wait that out,
    // or it resets in the middle of the reads and the reprovision below.
    crate::common::own::settle();
    let p = h.state().flash_progress().cloned().unwrap();
    assert_eq!((p.done, p.index, p.count), (p.total, 3, 4));

    // The window went back to watching the port; let go of it to read the flash.
    run_until(&mut h, "monitor reopened", |app| {
        app.monitor_state() != "closed for flashing"
    });
    button(&h, "Close monitor").click();
    h.run_steps(2);
    let part = |m: &Mock| m.read_flash(thingflash::bundle::CREDENTIALS_OFFSET, 0x2000);
    let first = part(&mock);
    let creds = thingflash_protocol::credentials::read(&first).unwrap();
    assert_eq!(creds.config.wifi_ssid, "workshop");
    assert_eq!(
        creds.config.host,
        "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com"
    );
    assert_eq!(creds.config.wifi_password.as_str(), "correct horse");
    let app_before = mock.read_flash(thingflash::bundle::APP_OFFSET, 0x1000);

    // The board now runs thingflash: new WiFi, credentials only.
    open_step(&mut h, "3. Connection settings");
    let f = h.get_by_label("WiFi network");
    f.focus();
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, eframe::egui::Key::A);
    h.run_steps(1);
    type_into(&mut h, "WiFi network", "home");
    assert!(button(&h, "Re-provision credentials only").is_enabled_for_test());
    button(&h, "Re-provision credentials only").click();
    h.run_steps(1);
    run_until_for(
        &mut h,
        "credentials flashed",
        Duration::from_secs(60),
        |app| !app.flashing() && app.flash_result().is_some(),
    );
    let text = h.state().flash_result().cloned().unwrap().unwrap();
    assert!(text.starts_with("Flashed the credentials"), "{text}");
    run_until(&mut h, "monitor reopened", |app| {
        app.monitor_state() != "closed for flashing"
    });
    button(&h, "Close monitor").click();
    h.run_steps(2);
    let second = thingflash_protocol::credentials::read(&part(&mock))
        .unwrap()
        .config;
    assert_eq!(second.wifi_ssid, "home");
    assert_eq!(
        mock.read_flash(thingflash::bundle::APP_OFFSET, 0x1000),
        app_before
    );

    // The board boots and connects; the status panel follows.
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyBOARD");
    let mut board = Board::plug(&link);
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
}

/// Where the window's snapshots of one kind go, and how near they must be. The per-pixel
/// threshold absorbs anti-aliasing differences between llvmpipe versions; a changed word
/// fails dozens of pixels beyond it (measured: "options" -> "opts", 46).
fn snapshot_options(folder: &str) -> egui_kittest::SnapshotOptions {
    egui_kittest::SnapshotOptions::new()
        .output_path(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/snapshots")
                .join(folder),
        )
        .threshold(0.6)
        .max_failed_pixels(10)
}

/// Snapshot images of the main states, from fixed credentials (tests/data/window) and a
/// fixed port list, so that only rendering can change them. Update after an intended UI
/// change with `UPDATE_SNAPSHOTS=1 cargo test -p thingflash --test all -- gui::snapshots`.
#[test]
fn snapshots_of_the_main_states() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/window");
    let opts = snapshot_options("window");
    let mut results = egui_kittest::SnapshotResults::new();
    for dark in [false, true] {
        let mut h = Harness::builder()
            .with_size(thingflash::gui::DEFAULT_SIZE)
            .with_theme(if dark {
                eframe::egui::Theme::Dark
            } else {
                eframe::egui::Theme::Light
            })
            .wgpu()
            .build_eframe(|cc| {
                let mut app =
                    ThingflashApp::with_settings(cc.egui_ctx.clone(), Settings::default());
                app.freeze_ports(vec![thingflash::ports::PortInfo {
                    name: "/dev/ttyACM0".into(),
                    usb: Some((0x303a, 0x1001)),
                    product: Some("USB JTAG/serial debug unit".into()),
                    serial: None,
                    bridge: thingflash::ports::bridge(0x303a, 0x1001),
                }]);
                app
            });
        let theme = if dark { "dark" } else { "light" };
        h.run_steps(3);
        results.add(h.try_snapshot_options(format!("start-{theme}"), &opts));

        drop_files(
            &mut h,
            &[
                data.join("device-certificate.pem.crt"),
                data.join("other-private.pem.key"),
            ],
        );
        results.add(h.try_snapshot_options(format!("wrong-key-{theme}"), &opts));

        drop_files(&mut h, &[data.join("device-private.pem.key")]);
        results.add(h.try_snapshot_options(format!("board-{theme}"), &opts));
        type_into(&mut h, "Port path", "/dev/ttyACM0");
        results.add(h.try_snapshot_options(format!("connection-{theme}"), &opts));
        type_into(&mut h, "WiFi network", "greenhouse");
        type_into(&mut h, "WiFi password", "correct horse");
        type_into(
            &mut h,
            "Endpoint",
            "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com",
        );
        h.run_steps(3);
        results.add(h.try_snapshot_options(format!("ready-{theme}"), &opts));
        // Step 5: a board that connected, from its log.
        let log = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/logs/thingflash-connect-ok.log"),
        )
        .unwrap();
        h.state_mut().load_log(&log);
        open_step(&mut h, "5. Watch");
        h.run_steps(3);
        results.add(h.try_snapshot_options(format!("watch-{theme}"), &opts));
        // Step 2 for a board that runs the user's own Arduino sketch.
        open_step(&mut h, "2. Board");
        choose_target(&mut h, "Arduino sketch reading LittleFS files");
        results.add(h.try_snapshot_options(format!("own-firmware-{theme}"), &opts));
        // Step 2 for the classic guide's ESP8266: its flash layout instead of a table.
        choose_target(
            &mut h,
            "ESP8266 sketch reading SPIFFS files (the classic AWS IoT guide)",
        );
        results.add(h.try_snapshot_options(format!("esp8266-{theme}"), &opts));
        // The same step on a 1366 x 768 laptop: the flow column keeps its share and the
        // pipeline stays whole.
        h.set_size(eframe::egui::vec2(1366.0, 768.0));
        h.run_steps(3);
        results.add(h.try_snapshot_options(format!("esp8266-1366x768-{theme}"), &opts));
        choose_target(&mut h, "thingflash firmware (ESP32-C3/C6)");
        results.add(h.try_snapshot_options(format!("ready-1366x768-{theme}"), &opts));
    }
    results.unwrap();
}

/// The flow reached the way a user reaches it, at `size`: `at` is called at each step
/// with the step's title and its primary control's label.
fn walk_the_flow(size: [f32; 2], mut at: impl FnMut(&mut Harness<'_, ThingflashApp>, &str, &str)) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/window");
    let mut h = Harness::builder().with_size(size).build_eframe(|cc| {
        let mut app = ThingflashApp::with_settings(cc.egui_ctx.clone(), Settings::default());
        app.freeze_ports(Vec::new());
        app
    });
    h.run_steps(3);
    at(&mut h, "1. Credentials", "Add files...");
    drop_files(
        &mut h,
        &[
            data.join("device-certificate.pem.crt"),
            data.join("device-private.pem.key"),
        ],
    );
    at(&mut h, "2. Board", "Serial port");
    type_into(&mut h, "Port path", "/dev/ttyACM0");
    at(&mut h, "3. Connection settings", "WiFi network");
    type_into(&mut h, "WiFi network", "greenhouse");
    type_into(
        &mut h,
        "Endpoint",
        "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com",
    );
    at(&mut h, "4. Flash", "Flash");
    open_step(&mut h, "5. Watch");
    at(&mut h, "5. Watch", "Open monitor");
}

#[test]
fn the_primary_action_is_in_view_at_every_step_at_1366x768_and_the_default_size() {
    for size in [[1366.0, 768.0], thingflash::gui::DEFAULT_SIZE] {
        let viewport = eframe::egui::Rect::from_min_size(
            eframe::egui::Pos2::ZERO,
            eframe::egui::vec2(size[0], size[1]),
        );
        walk_the_flow(size, |h, step, primary| {
            assert_eq!(
                thingflash::gui::steps::open(h.state()).title(),
                step,
                "{size:?}: the flow should be at {step}"
            );
            for label in [primary, "Flash"] {
                let node = h
                    .query_all_by_label(label)
                    .find(|n| n.accesskit_node().role() != eframe::egui::accesskit::Role::Label)
                    .unwrap_or_else(|| panic!("{size:?} {step}: no control '{label}'"));
                let r = node.rect();
                assert!(
                    viewport.contains_rect(r),
                    "{size:?} {step}: '{label}' at {r:?} is outside the window {viewport:?}"
                );
            }
        });
    }
}

#[test]
fn every_control_has_an_accessible_label_and_tab_follows_the_steps() {
    use eframe::egui::accesskit::Role;
    walk_the_flow(thingflash::gui::DEFAULT_SIZE, |h, step, _| {
        for role in [
            Role::Button,
            Role::TextInput,
            Role::CheckBox,
            Role::RadioButton,
            Role::ComboBox,
            Role::SpinButton,
        ] {
            for node in h.query_all_by_role(role) {
                let label = node.accesskit_node().label().unwrap_or_default();
                assert!(
                    !label.trim().is_empty(),
                    "{step}: a {role:?} without a label: {node:?}"
                );
            }
        }
    });
    // Tab from the start: the step headers come in order, the open step's controls
    // between its header and the next one.
    let mut h = harness();
    h.run_steps(2);
    let mut seen = Vec::new();
    for _ in 0..12 {
        h.key_press(eframe::egui::Key::Tab);
        h.run_steps(1);
        if let Some(n) = h.query_by(|n| n.is_focused()) {
            seen.push(n.accesskit_node().label().unwrap_or_default());
        }
    }
    let pos = |l: &str| {
        seen.iter()
            .position(|s| s == l)
            .unwrap_or_else(|| panic!("'{l}' never focused: {seen:?}"))
    };
    assert!(pos("1. Credentials") < pos("Add files..."), "{seen:?}");
    assert!(pos("Add files...") < pos("2. Board"), "{seen:?}");
    assert!(pos("2. Board") < pos("3. Connection settings"), "{seen:?}");
    assert!(pos("3. Connection settings") < pos("4. Flash"), "{seen:?}");
    assert!(pos("4. Flash") < pos("5. Watch"), "{seen:?}");
}

/// Enter with nothing focused is the primary action: with every step done it starts
/// Flash (here against a port that does not exist, so it fails and says why).
#[test]
fn enter_starts_flash_when_every_step_is_done() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/window");
    let dir = tempfile::tempdir().unwrap();
    let port = dir.path().join("ttyNONE");
    let mut h = harness();
    drop_files(
        &mut h,
        &[
            data.join("device-certificate.pem.crt"),
            data.join("device-private.pem.key"),
        ],
    );
    // Enter while a field has the focus types, it does not flash.
    type_into(&mut h, "Port path", port.to_str().unwrap());
    h.key_press(eframe::egui::Key::Enter);
    h.run_steps(2);
    assert!(h.state().flash_result().is_none());
    type_into(&mut h, "WiFi network", "greenhouse");
    type_into(
        &mut h,
        "Endpoint",
        "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com",
    );
    h.key_press(eframe::egui::Key::Escape); // let go of the field
    h.run_steps(2);
    assert!(h.state().flash_blockers().is_empty());
    h.key_press(eframe::egui::Key::Enter);
    h.run_steps(1);
    run_until(&mut h, "flash finished", |app| app.flash_result().is_some());
    let err = h.state().flash_result().cloned().unwrap().unwrap_err();
    assert!(
        err.contains("ttyNONE") || err.to_lowercase().contains("port"),
        "{err}"
    );
}

#[test]
fn arduino_sketch_target_flashes_the_mock_and_lists_the_files() {
    use std::process::Command;
    let fx = Fixtures::new();
    let mock = Mock::start("esp32s3");
    // The board: Arduino's default table and a LittleFS partition (made by
    // littlefs-python) holding the sketch's own config.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("files")).unwrap();
    std::fs::write(dir.path().join("files/config.json"), br#"{"interval":30}"#).unwrap();
    let fs = dir.path().join("fs.bin");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/lfs.py");
    crate::common::run(
        Command::new(crate::common::peer("python3"))
            .arg(script)
            .args(["make", "0x160000", "4096"])
            .arg(dir.path().join("files"))
            .arg(&fs),
    );
    let csv = "nvs,data,nvs,0x9000,0x5000\notadata,data,ota,0xe000,0x2000\napp0,app,ota_0,0x10000,0x140000\napp1,app,ota_1,0x150000,0x140000\nspiffs,data,spiffs,0x290000,0x160000\ncoredump,data,coredump,0x3F0000,0x10000\n";
    let table = esp_idf_part::PartitionTable::try_from_str(csv)
        .unwrap()
        .to_bin()
        .unwrap();
    std::fs::write(dir.path().join("table.bin"), table).unwrap();
    crate::common::run(
        Command::new(crate::common::peer("esptool"))
            .args([
                "--chip", "esp32s3", "--port", &mock.port, "--before", "no-reset", "--after",
                "no-reset",
            ])
            .args(["write-flash", "--flash-size", "keep", "0x8000"])
            .arg(dir.path().join("table.bin"))
            .arg("0x290000")
            .arg(&fs),
    );
    // esp32-mock-bootloader ends a session 3 s after its last FLASH_END.
    std::thread::sleep(Duration::from_millis(3300));

    let mut h = harness();
    drop_files(
        &mut h,
        &[fx.path("rsa-certificate.pem.crt"), fx.path("rsa-pkcs1.key")],
    );
    type_into(&mut h, "Port path", &mock.port);
    open_step(&mut h, "2. Board");
    choose_target(&mut h, "Arduino sketch reading LittleFS files");
    assert_eq!(
        h.state().settings().target,
        thingflash::target::Target::ArduinoLittlefs
    );
    // Its own firmware keeps WiFi and the endpoint: nothing else is asked for.
    assert_eq!(h.state().flash_blockers(), Vec::<String>::new());
    h.get_by_label("Credential files");
    h.get_by_label_contains("Create the file system if there is none");
    assert_eq!(
        h.get_all_by_label_contains("Your other files stay").count(),
        2,
        "in the step and beside Flash"
    );
    open_step(&mut h, "4. Flash");
    h.get_by_label_contains("The port cannot reset the board")
        .click();
    h.run_steps(2);
    button(&h, "Flash").click();
    h.run_steps(1);
    run_until_for(&mut h, "flash finished", Duration::from_secs(90), |app| {
        app.flash_result().is_some()
    });
    let text = h
        .state()
        .flash_result()
        .cloned()
        .unwrap()
        .unwrap_or_else(|e| panic!("flash failed: {e}"));
    assert!(
        text.contains("into spiffs") && text.contains("4 file(s)"),
        "{text}"
    );
    h.get_by_label_contains("4 file(s) in spiffs, 3 new: the list is in step 4");
    open_step(&mut h, "4. Flash");
    h.get_by_label_contains("Files in spiffs (read back from the board)");
    for f in ["/ca.der", "/cert.der", "/config.json", "/private.der"] {
        h.get_by_label(f);
    }
    assert_eq!(h.get_all_by_label("new").count(), 3);
    h.get_by_label("kept");
    // The board's table, read in the same run, with the partition written marked.
    assert_eq!(h.state().board_table().map(|t| t.partitions.len()), Some(6));
    open_step(&mut h, "2. Board");
    h.get_by_label("spiffs <- credentials");
    if let Some(out) = std::env::var_os("THINGFLASH_SCREENSHOT") {
        h.render().unwrap().save(out).unwrap();
    }
}

#[test]
fn esp8266_classic_guide_flashes_the_mock_with_its_layout_and_sketch() {
    let fx = Fixtures::new();
    let mock = Mock::start("esp8266");
    let dir = tempfile::tempdir().unwrap();
    // A sketch image as "Export Compiled Binary" names it: the ESP8266 header with eboot's
    // entry point, then its bytes.
    let mut sketch = crate::common::own::noise(200_003, 7);
    sketch[..8].copy_from_slice(&[0xE9, 0x01, 0x02, 0x40, 0x00, 0xf0, 0x10, 0x40]);
    let sketch_path = dir.path().join("aws_iot.ino.bin");
    std::fs::write(&sketch_path, &sketch).unwrap();

    let mut h = harness();
    drop_files(
        &mut h,
        &[
            fx.path("rsa-certificate.pem.crt"),
            fx.path("rsa-pkcs1.key"),
            sketch_path.clone(),
        ],
    );
    type_into(&mut h, "Port path", &mock.port);
    open_step(&mut h, "2. Board");
    choose_target(
        &mut h,
        "ESP8266 sketch reading SPIFFS files (the classic AWS IoT guide)",
    );
    assert_eq!(
        h.state().settings().target,
        thingflash::target::Target::Esp8266Spiffs
    );
    // The layout the core's menu defaults to on 4 MB boards, and the sketch dropped.
    h.get_by_label("Flash size");
    h.get_by_label("File system (Tools > Flash Size)");
    h.get_by_label_contains("File system at 0x200000..0x3fa000");
    h.get_by_label_contains("Your sketch, written at 0x0 first: aws_iot.ino.bin");
    h.get_by_label("The sketch's serial speed");
    // No partition table on an ESP8266.
    assert!(h.query_by_label("Read the partition table").is_none());
    // A custom region that is not whole blocks blocks Flash with the reason.
    // Another flash size starts from that size's first layout.
    h.get_by_label("Flash size").click();
    h.run_steps(2);
    h.get_by_label("1 MiB").click();
    h.run_steps(2);
    assert_eq!(h.state().settings().layout, "1M64");
    h.get_by_label("Flash size").click();
    h.run_steps(2);
    h.get_by_label("4 MiB").click();
    h.run_steps(2);
    assert_eq!(h.state().settings().layout, "4M2M");
    h.get_by_label("File system (Tools > Flash Size)").click();
    h.run_steps(2);
    h.get_by_label("custom offset and size").click();
    h.run_steps(2);
    assert_eq!(h.state().settings().layout, "custom");
    type_into(&mut h, "File system at", "0x300000");
    type_into(&mut h, "size", "0x1800");
    let blockers = h.state().flash_blockers();
    assert!(
        blockers.iter().any(|b| b.contains("blocks")),
        "{blockers:?}"
    );
    h.get_by_label("size").focus();
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, eframe::egui::Key::A);
    h.run_steps(1);
    type_into(&mut h, "size", "0xFA000");
    assert_eq!(h.state().flash_blockers(), Vec::<String>::new());
    h.get_by_label_contains("File system at 0x300000..0x3fa000");
    // The mock's flash is empty: the file system is created.
    h.get_by_label_contains("Create the file system if there is none")
        .click();
    open_step(&mut h, "4. Flash");
    h.get_by_label_contains("The port cannot reset the board")
        .click();
    h.run_steps(2);
    button(&h, "Flash").click();
    h.run_steps(1);
    run_until_for(&mut h, "flash finished", Duration::from_secs(120), |app| {
        app.flash_result().is_some()
    });
    let text = h
        .state()
        .flash_result()
        .cloned()
        .unwrap()
        .unwrap_or_else(|e| panic!("flash failed: {e}"));
    assert!(
        text.contains("(custom at 0x300000)")
            && text.contains("of your sketch")
            && text.contains("read back and checked: 3 file(s)"),
        "{text}"
    );
    h.get_by_label_contains("3 file(s) in file system (custom), 3 new");
    // The window went back to watching the port, at the ROM's 74880 first; let go of it.
    run_until(&mut h, "monitor reopened", |app| {
        app.monitor_state() != "closed for flashing"
    });
    button(&h, "Close monitor").click();
    h.run_steps(2);
    crate::common::own::settle();
    assert_eq!(mock.read_flash(0, sketch.len()), sketch);
    if let Some(out) = std::env::var_os("THINGFLASH_SCREENSHOT") {
        h.render().unwrap().save(out).unwrap();
    }
}

/// A window of `size` showing `scan` as the machine's ports, with the window's
/// certificate and key dropped in: the board step open.
fn with_credentials(size: [f32; 2], scan: Scan) -> Harness<'static, ThingflashApp> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/window");
    let mut h = Harness::builder().with_size(size).build_eframe(move |cc| {
        let mut app = ThingflashApp::with_settings(cc.egui_ctx.clone(), Settings::default());
        app.freeze_scan(scan);
        app
    });
    h.run_steps(3);
    drop_files(
        &mut h,
        &[
            data.join("device-certificate.pem.crt"),
            data.join("device-private.pem.key"),
        ],
    );
    h
}

#[test]
fn the_esp8266_board_step_and_flash_fit_at_1366x768_and_the_default_size() {
    for size in [[1366.0, 768.0], thingflash::gui::DEFAULT_SIZE] {
        let viewport = eframe::egui::Rect::from_min_size(
            eframe::egui::Pos2::ZERO,
            eframe::egui::vec2(size[0], size[1]),
        );
        let mut h = with_credentials(size, Scan::default());
        choose_target(
            &mut h,
            "ESP8266 sketch reading SPIFFS files (the classic AWS IoT guide)",
        );
        for label in [
            "Flash size",
            "File system (Tools > Flash Size)",
            "The sketch's serial speed",
            "Credential files",
            "Flash",
        ] {
            let node = h
                .query_all_by_label(label)
                .find(|n| n.accesskit_node().role() != eframe::egui::accesskit::Role::Label)
                .unwrap_or_else(|| panic!("{size:?}: no control '{label}'"));
            let r = node.rect();
            assert!(
                viewport.contains_rect(r),
                "{size:?}: '{label}' at {r:?} is outside the window {viewport:?}"
            );
        }
    }
}

/// Every target's board step at both sizes, as a user sees it after dropping the files
/// and choosing the port: the pictures in the README, and the columns in their place
/// (the pipeline whole through "Publishing", Flash in view) whatever the target.
#[test]
fn every_target_at_1100x720_and_1366x768() {
    use thingflash::target::Target;
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/window");
    let opts = snapshot_options("targets");
    let mut results = egui_kittest::SnapshotResults::new();
    for size in [thingflash::gui::DEFAULT_SIZE, [1366.0, 768.0]] {
        let viewport = eframe::egui::Rect::from_min_size(
            eframe::egui::Pos2::ZERO,
            eframe::egui::vec2(size[0], size[1]),
        );
        for target in Target::ALL {
            let mut h = Harness::builder()
                .with_size(size)
                .with_theme(eframe::egui::Theme::Light)
                .wgpu()
                .build_eframe(move |cc| {
                    let settings = Settings {
                        target,
                        ..Settings::default()
                    };
                    let mut app = ThingflashApp::with_settings(cc.egui_ctx.clone(), settings);
                    app.freeze_ports(Vec::new());
                    app
                });
            h.run_steps(3);
            drop_files(
                &mut h,
                &[
                    data.join("device-certificate.pem.crt"),
                    data.join("device-private.pem.key"),
                ],
            );
            type_into(&mut h, "Port path", "/dev/ttyUSB0");
            open_step(&mut h, "2. Board");
            h.run_steps(3);
            let name = format!("{}-{}x{}", target.cli_name(), size[0], size[1]);
            for label in ["Publishing", "Flash", "Runs on the board"] {
                let node = h
                    .query_all_by_label(label)
                    .next()
                    .unwrap_or_else(|| panic!("{name}: nothing labelled '{label}'"));
                let r = node.rect();
                assert!(
                    viewport.contains_rect(r),
                    "{name}: '{label}' at {r:?} is outside the window {viewport:?}"
                );
            }
            results.add(h.try_snapshot_options(&name, &opts));
        }
    }
    results.unwrap();
}

#[test]
fn a_bridge_without_a_port_names_its_driver_in_the_board_step() {
    use thingflash::ports::{UsbDevice, unserved};
    // What Windows reports for a CP2102 board with no driver: the device, no Ports node.
    let devices = [UsbDevice {
        usb: (0x10c4, 0xea60),
        has_port: false,
    }];
    let scan = Scan {
        ports: Vec::new(),
        unserved: unserved(&devices, true),
    };
    let h = with_credentials(thingflash::gui::DEFAULT_SIZE, scan);
    h.get_by_label_contains("Silicon Labs CP210x (10c4:ea60) is plugged in but has no serial port");
    h.get_by_label_contains("CP210x USB to UART Bridge VCP");
    // The generic "no serial port found" would contradict it.
    assert!(
        h.query_by_label_contains("no serial port found").is_none(),
        "the generic hint is shown beside the driver hint"
    );
}

#[test]
fn test_connection_runs_every_stage_against_mosquitto_and_shows_them() {
    use thingflash_testkit::{Broker, Pki};
    let pki = Pki::new();
    let broker = Broker::with_acl(&pki, "server", "");
    let mut h = harness();
    drop_files(
        &mut h,
        &[
            pki.path("ca.pem"),
            pki.path("thing-ok.pem"),
            pki.path("thing-ok.key"),
        ],
    );
    assert!(!button(&h, "Test connection").is_enabled_for_test());
    assert!(
        h.state()
            .probe_blocker()
            .is_some_and(|b| b.contains("endpoint")),
        "{:?}",
        h.state().probe_blocker()
    );
    open_step(&mut h, "3. Connection settings");
    type_into(&mut h, "Endpoint", &format!("localhost:{}", broker.port));
    // The client id comes from the certificate's thing name.
    assert_eq!(h.state().settings().client_id, "thing-ok");
    assert_eq!(h.state().probe_blocker(), None);
    button(&h, "Test connection").click();
    h.run_steps(1);
    run_until(&mut h, "connection test done", |app| {
        app.probe_report().is_some()
    });
    let r = h.state().probe_report().cloned().unwrap();
    assert!(r.passed(), "{r:#?}");
    h.get_by_label_contains("Connection test: all 6 stages passed");
    // Step 3 is still open: the stages are listed there.
    h.get_by_label("Connection test from this computer");
    for detail in [
        "localhost -> 127.0.0.1",
        "server verified, client certificate sent",
        "CONNACK 0x00 for client id thing-ok",
        "SUBACK 0x00 for thingflash/thing-ok/cmd",
        "PUBACK 0x00 for thingflash/thing-ok/telemetry",
    ] {
        h.get_by_label_contains(detail);
    }
    // Then as a virtual board: its event lines light the status panel, as a board's do.
    h.get_by_label_contains("stay connected as a virtual board")
        .click();
    h.run_steps(1);
    button(&h, "Test connection").click();
    h.run_steps(1);
    run_until(&mut h, "virtual board publishing", |app| {
        app.staying() && app.status().messages_out > 0
    });
    h.get_by_label_contains("Virtual board connected");
    button(&h, "Stop the virtual board").click();
    h.run_steps(1);
    run_until(&mut h, "virtual board stopped", |app| !app.probing());
    h.get_by_label_contains("stay connected as a virtual board")
        .click();
    h.run_steps(1);

    // A broker that refuses the client id: the failed stage is named in the bar.
    drop(broker);
    let refusing = Broker::with_acl(&pki, "server", "clientid_prefixes factory-");
    let f = h.get_by_label("Endpoint");
    f.focus();
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, eframe::egui::Key::A);
    h.run_steps(1);
    type_into(&mut h, "Endpoint", &format!("localhost:{}", refusing.port));
    button(&h, "Test connection").click();
    h.run_steps(1);
    run_until(&mut h, "second test done", |app| {
        app.probe_report().is_some()
    });
    h.get_by_label_contains("Connection test: MQTT CONNECT failed");
}

/// Where the status panel starts, for every target with every step open, at both sizes:
/// one place per size, so choosing a target or opening a step never moves the columns.
#[test]
fn the_columns_keep_their_place_whatever_the_target_and_the_open_step() {
    use thingflash::target::Target;
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/window");
    for size in [thingflash::gui::DEFAULT_SIZE, [1366.0, 768.0]] {
        let mut seen = std::collections::BTreeMap::new();
        for target in Target::ALL {
            let mut h = Harness::builder().with_size(size).build_eframe(move |cc| {
                let settings = Settings {
                    target,
                    ..Settings::default()
                };
                let mut app = ThingflashApp::with_settings(cc.egui_ctx.clone(), settings);
                app.freeze_ports(Vec::new());
                app
            });
            h.run_steps(3);
            let mut at = |h: &mut Harness<'_, ThingflashApp>, what: &str| {
                h.run_steps(3);
                let x = h.get_by_label("Status").rect().min.x.round() as i32;
                seen.entry(x)
                    .or_insert_with(Vec::new)
                    .push(format!("{} {what}", target.cli_name()));
            };
            at(&mut h, "start");
            drop_files(
                &mut h,
                &[
                    data.join("device-certificate.pem.crt"),
                    data.join("device-private.pem.key"),
                ],
            );
            at(&mut h, "files dropped");
            type_into(&mut h, "Port path", "/dev/ttyUSB0");
            at(&mut h, "port typed");
            for step in [
                "1. Credentials",
                "2. Board",
                "3. Connection settings",
                "4. Flash",
                "5. Watch",
            ] {
                open_step(&mut h, step);
                at(&mut h, step);
            }
        }
        assert_eq!(seen.len(), 1, "{size:?}: the status panel moved: {seen:#?}");
    }
}

/// The status panel explains a log for the broker typed in step 3, as `thingflash decode
/// --endpoint` does: a board on test.mosquitto.org is not told about AWS policies.
#[test]
fn the_status_panel_advises_for_the_endpoint_typed() {
    let log = "Attempting MQTT connection...failed, rc=5 try again in 5 seconds\n";
    let said = |endpoint: &str| {
        let mut h = Harness::builder()
            .with_size(thingflash::gui::DEFAULT_SIZE)
            .build_eframe(|cc| {
                let mut app =
                    ThingflashApp::with_settings(cc.egui_ctx.clone(), Settings::default());
                app.freeze_ports(Vec::new());
                app
            });
        h.run_steps(2);
        open_step(&mut h, "3. Connection settings");
        type_into(&mut h, "Endpoint", endpoint);
        h.state_mut().load_log(log);
        h.run_steps(2);
        let e = &h.state().status().last_error.as_ref().unwrap().explanation;
        format!("{} {} {}", e.title, e.cause, e.fix)
    };
    let other = said("test.mosquitto.org");
    assert!(
        !other.contains("iot:") && !other.contains("policy"),
        "{other}"
    );
    assert!(other.contains("username and password"), "{other}");
    let aws = said("a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com");
    assert!(aws.contains("iot:Connect"), "{aws}");
}

/// The target chosen in step 2 says which chip prints the log: a failure without a code
/// names that chip's debug switches, before the log has shown the chip.
#[test]
fn the_status_panel_advises_for_the_target_chosen() {
    use thingflash::target::Target;
    let said = |target: Target| {
        let mut h = Harness::builder()
            .with_size(thingflash::gui::DEFAULT_SIZE)
            .build_eframe(move |cc| {
                let settings = Settings {
                    target,
                    ..Settings::default()
                };
                let mut app = ThingflashApp::with_settings(cc.egui_ctx.clone(), settings);
                app.freeze_ports(Vec::new());
                app
            });
        h.run_steps(2);
        h.state_mut().load_log("Connection failed!\n");
        h.run_steps(2);
        let e = &h.state().status().last_error.as_ref().unwrap().explanation;
        format!("{} {}", e.cause, e.fix)
    };
    let esp8266 = said(Target::Esp8266Spiffs);
    assert!(esp8266.contains("setDebugOutput"), "{esp8266}");
    assert!(!esp8266.contains("Core Debug Level"), "{esp8266}");
    let esp32 = said(Target::ArduinoLittlefs);
    assert!(esp32.contains("Core Debug Level"), "{esp32}");
    assert!(!esp32.contains("setDebugOutput"), "{esp32}");
}

/// The station's window at its start: fleet mode, a manifest, the ports of two mock
/// boards, AWS at moto with a credentials file of the test's own.
fn station(
    dir: &Path,
    moto: &crate::common::Moto,
    ports: &[&str],
) -> Harness<'static, ThingflashApp> {
    let manifest = dir.join("bench.csv");
    std::fs::write(
        &manifest,
        "thing,mac,attributes,groups\nlab-{mac},,room=lab,sensors\n",
    )
    .unwrap();
    let keys = dir.join("credentials");
    std::fs::write(
        &keys,
        "[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
    let settings = Settings {
        wifi_ssid: "lab".into(),
        no_reset: true,
        many_boards: true,
        fleet: thingflash::gui::FleetSettings {
            manifest: Some(manifest),
            region: "us-east-1".into(),
            // moto signs a CSR with a key of its own; the station refuses that pairing.
            key: thingflash::fleet::FleetKey::Rsa2048,
            every_board: false,
            ..Default::default()
        },
        ..Settings::default()
    };
    let account = thingflash::provision::Account {
        endpoint_url: Some(moto.url.clone()),
        credentials_file: Some(keys),
        ..Default::default()
    };
    let ports: Vec<_> = ports
        .iter()
        .map(|p| thingflash::ports::PortInfo {
            name: p.to_string(),
            usb: None,
            product: None,
            serial: None,
            bridge: None,
        })
        .collect();
    let mut h = Harness::builder()
        .with_size(thingflash::gui::DEFAULT_SIZE)
        .build_eframe(move |cc| {
            let mut app = ThingflashApp::with_settings(cc.egui_ctx.clone(), settings);
            app.use_aws(account);
            app.freeze_ports(ports);
            app
        });
    h.run_steps(3);
    h
}

#[test]
fn the_station_in_the_window_provisions_the_boards_ticked_and_tables_each() {
    let dir = tempfile::tempdir().unwrap();
    let moto = crate::common::Moto::start();
    let c3 = Mock::start_with_mac("esp32c3", "24ec4a000a01");
    let c6 = Mock::start_with_mac("esp32c6", "24ec4a000a02");
    let mut h = station(dir.path(), &moto, &[&c3.port, &c6.port]);
    h.get_by_label("every board becomes lab-{mac}; groups: sensors");
    // Nothing ticked: Start waits, and says why.
    assert!(!button(&h, "Start").is_enabled_for_test());
    h.get_by_label("tick the boards' ports, or take every board plugged in");
    h.get_by_label("The boards on these ports:");
    for p in [&c3.port, &c6.port] {
        h.get_by_label_contains(p).click();
        h.run_steps(2);
    }
    // The mocks say revision v0.0, older than the firmware declares.
    h.get_by_label("Flash chips of a revision the firmware does not declare")
        .click();
    h.run_steps(2);
    assert!(button(&h, "Start").is_enabled_for_test());
    button(&h, "Start").click();
    h.run_steps(2);
    assert!(h.state().station_running());
    run_until_for(&mut h, "the station's run", Duration::from_secs(120), |a| {
        !a.station_running()
    });
    h.get_by_label_contains("2 boards: 2 provisioned, 0 skipped (done before), 0 failed");
    for mac in ["24ec4a000a01", "24ec4a000a02"] {
        h.get_by_label(&format!("lab-{mac}"));
    }
    assert_eq!(
        h.query_all_by_label("provisioned").count(),
        2,
        "one result per board"
    );
    // The report and the journal beside the manifest, as for `fleet run`.
    let report = std::fs::read_to_string(dir.path().join("bench-report.csv")).unwrap();
    assert_eq!(report.lines().count(), 3, "{report}");
    assert!(dir.path().join("bench-journal.jsonl").exists());
    // AWS has each thing with its one certificate.
    let things = crate::common::rt().block_on(async {
        moto.iot()
            .list_things()
            .send()
            .await
            .unwrap()
            .things()
            .iter()
            .filter_map(|t| t.thing_name().map(str::to_string))
            .collect::<Vec<_>>()
    });
    assert_eq!(things.len(), 2, "{things:?}");
    // A second run of the same manifest skips both: the journal beside it resumes.
    button(&h, "Start").click();
    h.run_steps(2);
    run_until_for(&mut h, "the second run", Duration::from_secs(60), |a| {
        !a.station_running()
    });
    h.get_by_label_contains("2 boards: 0 provisioned, 2 skipped (done before), 0 failed");
}

#[test]
fn snapshots_of_the_station_form_and_a_refused_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("classroom.csv");
    std::fs::write(
        &manifest,
        "thing,mac,attributes,groups\ndesk-1,24:0a:c4:00:00:01,row=1,classroom\ndesk-2,240ac4000002,row=1,classroom\nspare-{mac6},,,\n",
    )
    .unwrap();
    let settings = Settings {
        wifi_ssid: "classroom".into(),
        many_boards: true,
        fleet: thingflash::gui::FleetSettings {
            manifest: Some(manifest.clone()),
            every_board: false,
            ..Default::default()
        },
        ..Settings::default()
    };
    let mut h = Harness::builder()
        .with_size(thingflash::gui::DEFAULT_SIZE)
        .build_eframe(move |cc| {
            let mut app = ThingflashApp::with_settings(cc.egui_ctx.clone(), settings);
            app.freeze_ports(
                ["/dev/ttyUSB0", "/dev/ttyUSB1", "/dev/ttyACM0"]
                    .into_iter()
                    .map(|name| thingflash::ports::PortInfo {
                        name: name.into(),
                        usb: Some((0x1a86, 0x7523)),
                        product: Some("USB Serial".into()),
                        serial: None,
                        bridge: thingflash::ports::bridge(0x1a86, 0x7523),
                    })
                    .collect(),
            );
            app
        });
    h.run_steps(3);
    h.get_by_label(
        "2 boards listed, and every other board becomes spare-{mac6}; groups: classroom",
    );
    h.get_by_label_contains("/dev/ttyUSB1").click();
    h.run_steps(3);
    h.snapshot_options("form", &snapshot_options("fleet"));
    h.set_size(eframe::egui::vec2(1366.0, 768.0));
    h.run_steps(3);
    h.snapshot_options("form-1366x768", &snapshot_options("fleet"));
    h.set_size(eframe::egui::vec2(1100.0, 720.0));
    h.run_steps(3);
    // Two rows for one thing, and a pattern with a placeholder that does not exist: both
    // refused before anything is written, each with its line and its fix.
    std::fs::write(
        &manifest,
        "thing,mac,attributes,groups\ndesk-1,24:0a:c4:00:00:01,,\ndesk-1,24:0a:c4:00:00:02,,\nlab-{serial},,,\n",
    )
    .unwrap();
    h.state_mut().open_manifest(manifest);
    h.run_steps(3);
    assert!(!button(&h, "Start").is_enabled_for_test());
    h.get_by_label("correct the manifest: the lines refused are listed under its name");
    h.snapshot_options("refused", &snapshot_options("fleet"));
}

#[test]
fn a_board_that_makes_its_key_is_provisioned_by_the_windows_flash() {
    use thingflash_protocol::device_key::{DeviceKey, csr_text};
    let dir = tempfile::tempdir().unwrap();
    let moto = crate::common::Moto::start();
    let signer = crate::common::signer::CsrSigner::start(&moto.url);
    let mock = Mock::start_with_mac("esp32c3", "240ac4800001");
    let cable = crate::common::Cable::to(&mock);
    let key = DeviceKey::generate(|b| {
        use std::io::Read as _;
        std::fs::File::open("/dev/urandom")
            .unwrap()
            .read_exact(b)
            .unwrap();
    });
    let keys = dir.path().join("credentials");
    std::fs::write(
        &keys,
        "[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
    let account = thingflash::provision::Account {
        endpoint_url: Some(signer.url.clone()),
        credentials_file: Some(keys),
        ..Default::default()
    };
    let settings = Settings {
        wifi_ssid: "greenhouse".into(),
        serial_port: Some(cable.port.clone()),
        // A pseudo-terminal cannot pulse DTR/RTS.
        no_reset: true,
        ..Settings::default()
    };
    let mut h = Harness::builder()
        .with_size(thingflash::gui::DEFAULT_SIZE)
        .build_eframe(move |cc| {
            let mut app = ThingflashApp::with_settings(cc.egui_ctx.clone(), settings);
            app.use_aws(account);
            app.freeze_ports(Vec::new());
            app
        });
    h.run_steps(3);
    // No files: the AWS dialog, with the key made on the board (the default for
    // thingflash's firmware).
    button(&h, "Create a thing in AWS...").click();
    h.run_steps(3);
    type_into(&mut h, "Region", "us-east-1");
    type_into(&mut h, "Thing name", "greenhouse-7");
    h.get_by_label("Made on the board when you flash it: it never leaves the chip");
    button(&h, "Create").click();
    run_until_for(
        &mut h,
        "the account's endpoint",
        Duration::from_secs(30),
        |a| !a.settings().endpoint.is_empty(),
    );
    assert_eq!(h.state().settings().client_id, "greenhouse-7");
    h.get_by_label_contains("key made on the board for greenhouse-7");
    // The mock reports chip revision v0.0.
    open_step(&mut h, "4. Flash");
    h.get_by_label_contains("Flash even if the chip revision")
        .click();
    h.run_steps(2);
    assert_eq!(h.state().flash_blockers(), Vec::<String>::new());
    button(&h, "Flash").click();
    h.run_steps(1);
    let mut said = false;
    run_until_for(
        &mut h,
        "the board provisioned",
        Duration::from_secs(90),
        |a| {
            if !said
                && a.flash_stage()
                    .starts_with("reading the board's certificate request")
            {
                // What the firmware prints on its first boot, from its own code.
                let t = csr_text(&key.csr("greenhouse-7"));
                let csr = thingflash_protocol::event::Event::CsrReady {
                    cn: "greenhouse-7".into(),
                    len: t.len,
                    crc: t.crc,
                    der: t.der.into(),
                };
                cable.say(&format!("[tf1] key.new alg=ec-p256 ms=40\r\n{csr}\r\n"));
                said = true;
            }
            a.flash_result().is_some()
        },
    );
    let text = h.state().flash_result().cloned().unwrap().unwrap();
    assert!(
        text.starts_with("greenhouse-7 is provisioned with a key the board made"),
        "{text}"
    );
    h.get_by_label_contains("the key never left it");
    run_until(&mut h, "monitor reopened", |app| {
        app.monitor_state() != "closed for flashing"
    });
    button(&h, "Close monitor").click();
    h.run_steps(2);
    drop(cable);
    let part = mock.read_flash(thingflash::bundle::CREDENTIALS_OFFSET, 0x2000);
    let parts = thingflash_protocol::credentials::read_parts(&part).unwrap();
    assert_eq!(parts.private_key, None);
    assert_eq!(
        thingflash_protocol::x509::public_key(parts.device_cert.unwrap()),
        Some(&key.public_sec1()[..])
    );
}

#[test]
fn the_station_writes_a_batchs_claim_with_no_aws_credentials() {
    let pki = thingflash_testkit::Pki::new();
    let batch = tempfile::tempdir().unwrap();
    // A batch folder as `fleet setup-aws` writes it (the claim: the PKI's P-256 pair).
    std::fs::write(
        batch.path().join("batch.json"),
        serde_json::json!({
            "template": "shelf",
            "thing_prefix": "shelf-",
            "policy": "thingflash-device",
            "claim_policy": "shelf-claim",
            "claim_certificate_id": "c1a1m",
            "claim_certificate_arn": "arn:aws:iot:eu-west-1:123456789012:cert/c1a1m",
            "endpoint": "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com",
            "region": "eu-west-1"
        })
        .to_string(),
    )
    .unwrap();
    std::fs::copy(
        pki.path("p256.pem"),
        batch.path().join("claim-certificate.pem.crt"),
    )
    .unwrap();
    std::fs::copy(
        pki.path("p256.key"),
        batch.path().join("claim-private.pem.key"),
    )
    .unwrap();
    let mock = Mock::start_with_mac("esp32c3", "240ac4b00001");
    let settings = Settings {
        wifi_ssid: "lab".into(),
        no_reset: true,
        many_boards: true,
        fleet: thingflash::gui::FleetSettings {
            by_claim: true,
            claim_batch: Some(batch.path().to_path_buf()),
            every_board: false,
            ..Default::default()
        },
        ..Settings::default()
    };
    let port = mock.port.clone();
    let mut h = Harness::builder()
        .with_size(thingflash::gui::DEFAULT_SIZE)
        .build_eframe(move |cc| {
            let mut app = ThingflashApp::with_settings(cc.egui_ctx.clone(), settings);
            // No AWS at all: an endpoint nothing answers on, no credentials.
            app.use_aws(thingflash::provision::Account {
                endpoint_url: Some("http://127.0.0.1:1".into()),
                ..Default::default()
            });
            app.freeze_ports(vec![thingflash::ports::PortInfo {
                name: port,
                usb: None,
                product: None,
                serial: None,
                bridge: None,
            }]);
            app
        });
    h.run_steps(3);
    h.get_by_label_contains("template shelf: each thing shelf-<MAC>");
    h.get_by_label_contains(&mock.port).click();
    h.get_by_label("Flash chips of a revision the firmware does not declare")
        .click();
    h.run_steps(2);
    button(&h, "Start").click();
    h.run_steps(2);
    run_until_for(&mut h, "the station's run", Duration::from_secs(120), |a| {
        !a.station_running()
    });
    h.get_by_label_contains("1 written with the claim");
    h.get_by_label("shelf-240ac4b00001");
    let part = mock.read_flash(thingflash::bundle::CREDENTIALS_OFFSET, 0x2000);
    let creds = thingflash_protocol::credentials::read(&part).unwrap();
    assert_eq!(creds.config.claim_template, "shelf");
    assert!(batch.path().join("station-report.csv").exists());
}
