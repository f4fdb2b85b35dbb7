//! The station (`thingflash fleet`) against esp32-mock-bootloader boards (one per chip:
//! the mock derives its MAC from the chip, so two chips are two boards) and moto_server
//! for AWS IoT. moto makes keys and certificates as AWS does (`--key-type rsa-2048`); its
//! CreateCertificateFromCsr signs a key of its own, so the CSR path's pairing shows only
//! on AWS itself (the station refuses the mismatch, as `aws provision` does).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{Mock, Moto, fleet_command, rt};

/// `thingflash fleet <verb>` for these ports, with the manifest and journal in `dir`.
fn fleet(verb: &str, dir: &Path, moto: &Moto, ports: &[&str]) -> Output {
    fleet_via(verb, dir, &moto.url, ports)
}

/// [`fleet`] with AWS at `aws` (moto, or a proxy in front of it).
fn fleet_via(verb: &str, dir: &Path, aws: &str, ports: &[&str]) -> Output {
    fleet_command(verb, dir, aws, ports).output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A station's folder with this manifest.
fn station_dir(manifest: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("manifest.csv"), manifest).unwrap();
    dir
}

/// The report's rows as (mac, thing, result).
fn report(dir: &Path) -> Vec<(String, String, String)> {
    let csv = std::fs::read_to_string(dir.join("report.csv")).unwrap();
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("mac,port,usb_serial,chip,thing")
    );
    lines
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[0].to_string(), c[4].to_string(), c[8].to_string())
        })
        .collect()
}

#[test]
fn a_station_makes_each_board_its_thing_once_and_a_resumed_run_skips_them() {
    let dir = station_dir("thing,mac,attributes,groups\nkitchen-{mac},,room=kitchen,sensors\n");
    let moto = Moto::start();
    let (c3, c6) = (Mock::start("esp32c3"), Mock::start("esp32c6"));
    let out = fleet("run", dir.path(), &moto, &[&c3.port, &c6.port]);
    assert!(out.status.success(), "{}", text(&out));
    let rows = report(dir.path());
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_ne!(rows[0].0, rows[1].0, "two boards, two MACs");
    for (mac, thing, result) in &rows {
        assert_eq!(mac.len(), 12, "{mac}");
        assert_eq!(thing, &format!("kitchen-{mac}"));
        assert_eq!(result, "provisioned", "{}", text(&out));
    }
    // In AWS: two things with their attribute and group, two ACTIVE certificates, each
    // attached to its thing.
    let iot = moto.iot();
    rt().block_on(async {
        for (_, thing, _) in &rows {
            let t = iot.describe_thing().thing_name(thing).send().await.unwrap();
            assert_eq!(
                t.attributes()
                    .and_then(|a| a.get("room"))
                    .map(String::as_str),
                Some("kitchen")
            );
            let p = iot
                .list_thing_principals()
                .thing_name(thing)
                .send()
                .await
                .unwrap();
            assert_eq!(p.principals().len(), 1, "{thing}");
        }
        let g = iot
            .list_things_in_thing_group()
            .thing_group_name("sensors")
            .send()
            .await
            .unwrap();
        assert_eq!(g.things().len(), 2);
    });
    let certs = moto.certificates();
    assert_eq!(certs.len(), 2);
    assert!(certs.iter().all(|(_, s)| s == "ACTIVE"), "{certs:?}");
    // The journal holds every step and no secret.
    let journal = std::fs::read_to_string(dir.path().join("journal.jsonl")).unwrap();
    assert_eq!(journal.matches("\"step\":\"done\"").count(), 2, "{journal}");
    for secret in ["PRIVATE KEY", "correct horse"] {
        assert!(!journal.contains(secret), "{secret} in the journal");
        let jsonl = std::fs::read_to_string(dir.path().join("report.jsonl")).unwrap();
        assert!(!jsonl.contains(secret), "{secret} in the report");
    }
    // The report holds against AWS; a certificate deactivated since is named.
    let verify = |dir: &Path| {
        Command::new(env!("CARGO_BIN_EXE_thingflash"))
            .args(["fleet", "verify"])
            .arg(dir.join("report.jsonl"))
            .args(["--endpoint-url", &moto.url, "--region", "us-east-1"])
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .unwrap()
    };
    let v = verify(dir.path());
    assert!(v.status.success(), "{}", text(&v));
    assert!(
        text(&v).contains("2 boards checked, 0 drifted"),
        "{}",
        text(&v)
    );
    // Again, as after a cut: every board is skipped, nothing new in AWS.
    let again = fleet("resume", dir.path(), &moto, &[&c3.port, &c6.port]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(report(dir.path()).iter().all(|(_, _, r)| r == "skipped"));
    assert_eq!(moto.certificates().len(), 2);
    let (first, _) = &moto.certificates()[0];
    rt().block_on(async {
        iot.update_certificate()
            .certificate_id(first)
            .new_status(aws_sdk_iot::types::CertificateStatus::Inactive)
            .send()
            .await
            .unwrap();
    });
    let v = verify(dir.path());
    assert_eq!(v.status.code(), Some(1), "{}", text(&v));
    assert!(
        text(&v).contains(&format!("the certificate {first} is INACTIVE")),
        "{}",
        text(&v)
    );
}

#[test]
fn a_board_the_target_cannot_run_is_refused_before_anything_is_made_for_it() {
    let dir = station_dir("thing\nbench-{mac}\n");
    let moto = Moto::start();
    let (c3, esp8266) = (Mock::start("esp32c3"), Mock::start("esp8266"));
    let out = fleet("run", dir.path(), &moto, &[&c3.port, &esp8266.port]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let rows = report(dir.path());
    let results: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    assert_eq!(results, ["provisioned", "failed"], "{}", text(&out));
    let csv = std::fs::read_to_string(dir.path().join("report.csv")).unwrap();
    assert!(
        csv.contains("which thingflash firmware (ESP32-C3/C6) does not run on"),
        "{csv}"
    );
    // Nothing in AWS for the ESP8266: one certificate, one thing.
    assert_eq!(moto.certificates().len(), 1);
}

#[test]
fn a_run_killed_mid_way_resumes_with_every_board_done_once_and_no_orphan() {
    use std::io::BufRead as _;
    let dir = station_dir("thing\nline-{mac}\n");
    let moto = Moto::start();
    let (c3, c6) = (Mock::start("esp32c3"), Mock::start("esp32c6"));
    // The command `fleet` runs, started in the background: SIGKILL it as soon as a
    // board's certificate exists in AWS and its write begins.
    let mut c = fleet_command("run", dir.path(), &moto.url, &[&c3.port, &c6.port]);
    c.stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null());
    let mut child = c.spawn().unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    for line in stderr.lines() {
        if line.unwrap().contains("writing the credentials") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The mocks end a cut client's session on their own; wait until they listen again.
    crate::common::own::settle();
    let out = fleet("resume", dir.path(), &moto, &[&c3.port, &c6.port]);
    assert!(out.status.success(), "{}", text(&out));
    let rows = report(dir.path());
    assert!(
        rows.iter()
            .all(|(_, _, r)| r == "provisioned" || r == "skipped"),
        "{rows:?}"
    );
    // Exactly one certificate per board, each on its thing: the one the cut left
    // unwritten was deactivated and deleted.
    let certs = moto.certificates();
    assert_eq!(certs.len(), 2, "{certs:?}\n{}", text(&out));
    rt().block_on(async {
        for (_, thing, _) in &rows {
            let p = moto
                .iot()
                .list_thing_principals()
                .thing_name(thing)
                .send()
                .await
                .unwrap();
            assert_eq!(p.principals().len(), 1, "{thing}");
        }
    });
}

#[test]
fn a_certificate_made_but_never_written_is_removed_when_the_run_resumes() {
    let dir = station_dir("thing\nbench-{mac6}\n");
    let moto = Moto::start();
    let c3 = Mock::start("esp32c3");
    let board = thingflash::flash::identify(&thingflash::flash::FlashOptions {
        before: thingflash::flash::Before::NoReset,
        after: thingflash::flash::After::NoReset,
        ..thingflash::flash::FlashOptions::new(c3.port.clone())
    })
    .unwrap();
    let mac: String = board.mac.unwrap().replace(':', "");
    // What a run cut right after CreateKeysAndCertificate leaves: the certificate in AWS,
    // its id in the journal, nothing on the board.
    let (id, arn) = rt().block_on(async {
        let c = moto
            .iot()
            .create_keys_and_certificate()
            .set_as_active(true)
            .send()
            .await
            .unwrap();
        (
            c.certificate_id().unwrap().to_string(),
            c.certificate_arn().unwrap().to_string(),
        )
    });
    std::fs::write(
        dir.path().join("journal.jsonl"),
        format!(
            "{{\"step\":\"certificate\",\"mac\":\"{mac}\",\"thing\":\"bench-{}\",\"id\":\"{id}\",\"arn\":\"{arn}\"}}\n",
            &mac[6..]
        ),
    )
    .unwrap();
    let out = fleet("resume", dir.path(), &moto, &[&c3.port]);
    assert!(out.status.success(), "{}", text(&out));
    let certs = moto.certificates();
    assert!(
        certs.iter().all(|(c, _)| *c != id),
        "the orphan {id} is still in AWS: {certs:?}"
    );
    assert_eq!(certs.len(), 1, "one certificate: the one on the board");
    assert_eq!(report(dir.path())[0].2, "provisioned");
}

#[test]
fn a_manifest_with_bad_rows_is_refused_before_any_board_or_aws_call() {
    let dir =
        station_dir("thing,mac\none,24:0a:c4:00:00:01\none,24:0a:c4:00:00:02\nkitchen-{serial},\n");
    let out = Command::new(env!("CARGO_BIN_EXE_thingflash"))
        .args(["fleet", "run", "--manifest"])
        .arg(dir.path().join("manifest.csv"))
        .args(["--port", "/dev/null", "--journal"])
        .arg(dir.path().join("journal.jsonl"))
        .arg("--report")
        .arg(dir.path().join("report"))
        .output()
        .unwrap();
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("line 3: the thing name 'one' is on line 2 too"),
        "{t}"
    );
    assert!(t.contains("line 4: unknown placeholder {serial}"), "{t}");
    assert!(t.contains("fix:"), "{t}");
    assert!(
        !dir.path().join("journal.jsonl").exists(),
        "nothing started"
    );
}

#[test]
fn boards_of_one_chip_are_told_apart_by_their_mac_not_their_port() {
    let dir = tempfile::tempdir().unwrap();
    // One board bound by its MAC, the others by the pattern.
    std::fs::write(
        dir.path().join("manifest.csv"),
        "thing,mac,attributes,groups\ndesk-{mac6},,,\nthe-boss,24:0a:c4:00:00:02,role=boss,\n",
    )
    .unwrap();
    let moto = Moto::start();
    let boards: Vec<Mock> = ["240ac4000001", "240ac4000002", "240ac4000003"]
        .iter()
        .map(|m| Mock::start_with_mac("esp32c3", m))
        .collect();
    let ports: Vec<&str> = boards.iter().map(|b| b.port.as_str()).collect();
    let out = fleet("run", dir.path(), &moto, &ports);
    assert!(out.status.success(), "{}", text(&out));
    let mut things: Vec<(String, String)> = report(dir.path())
        .into_iter()
        .map(|(mac, thing, _)| (mac, thing))
        .collect();
    things.sort();
    assert_eq!(
        things,
        [
            ("240ac4000001".to_string(), "desk-000001".to_string()),
            ("240ac4000002".to_string(), "the-boss".to_string()),
            ("240ac4000003".to_string(), "desk-000003".to_string()),
        ]
    );
    // The ports in another order: the same boards are the same things, all done.
    let reversed: Vec<&str> = ports.iter().rev().copied().collect();
    let again = fleet("resume", dir.path(), &moto, &reversed);
    assert!(again.status.success(), "{}", text(&again));
    assert!(report(dir.path()).iter().all(|(_, _, r)| r == "skipped"));
    assert_eq!(moto.certificates().len(), 3);
}

#[test]
fn a_watching_station_takes_each_board_as_it_is_plugged_in() {
    let dir = station_dir("thing\nbench-{mac6}\n");
    let plugged = dir.path().join("ports.txt");
    std::fs::write(&plugged, "").unwrap();
    let moto = Moto::start();
    let mut c = fleet_command("run", dir.path(), &moto.url, &[]);
    c.args(["--watch", "--boards", "2", "--ports-from"])
        .arg(&plugged)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let station = c.spawn().unwrap();
    // The boards are plugged in one after the other while the station runs.
    let first = Mock::start_with_mac("esp32c3", "240ac4100001");
    std::fs::write(&plugged, format!("{}\n", first.port)).unwrap();
    std::thread::sleep(std::time::Duration::from_secs(2));
    let second = Mock::start_with_mac("esp32c6", "240ac4100002");
    std::fs::write(&plugged, format!("{}\n{}\n", first.port, second.port)).unwrap();
    let out = station.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let mut things: Vec<String> = report(dir.path()).into_iter().map(|r| r.1).collect();
    things.sort();
    assert_eq!(things, ["bench-100001", "bench-100002"], "{}", text(&out));
    assert_eq!(moto.certificates().len(), 2);
}

#[test]
fn a_throttled_account_slows_the_station_down_and_every_board_is_still_done_once() {
    let dir = station_dir("thing,mac,attributes,groups\nline-{mac6},,,line\n");
    let moto = Moto::start();
    // One AWS IoT call in ten refused with ThrottlingException.
    let proxy = crate::common::throttle::Throttle::start(&moto.url, 10);
    let boards: Vec<Mock> = ["240ac4200001", "240ac4200002", "240ac4200003"]
        .iter()
        .map(|m| Mock::start_with_mac("esp32c3", m))
        .collect();
    let ports: Vec<&str> = boards.iter().map(|b| b.port.as_str()).collect();
    let out = fleet_via("run", dir.path(), &proxy.url, &ports);
    assert!(out.status.success(), "{}", text(&out));
    let throttled = proxy.throttled.load(std::sync::atomic::Ordering::SeqCst);
    let requests = proxy.requests.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        throttled >= 1,
        "the proxy throttled nothing in {requests} requests"
    );
    assert!(
        report(dir.path())
            .iter()
            .all(|(_, _, r)| r == "provisioned"),
        "{}",
        text(&out)
    );
    // Each board once: three certificates, each thing with one.
    assert_eq!(moto.certificates().len(), 3);
    eprintln!("{requests} requests through the proxy, {throttled} throttled and retried");
}

#[test]
fn a_board_that_dies_mid_write_is_reported_its_certificate_removed_and_a_resume_finishes_it() {
    use std::io::BufRead as _;
    let dir = station_dir("thing\nline-{mac6}\n");
    let moto = Moto::start();
    let mut dying = Mock::start_with_mac("esp32c3", "240ac4300001");
    let steady = Mock::start_with_mac("esp32c6", "240ac4300002");
    let mut c = fleet_command("run", dir.path(), &moto.url, &[&dying.port, &steady.port]);
    c.stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null());
    let mut station = c.spawn().unwrap();
    let stderr = std::io::BufReader::new(station.stderr.take().unwrap());
    let mut lines = stderr.lines();
    // The board on the first port loses power while its credentials are written.
    for line in lines.by_ref() {
        let line = line.unwrap();
        if line.starts_with(&dying.port) && line.contains("writing the credentials") {
            dying.kill();
            break;
        }
    }
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = station.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{rest:#?}");
    let rows = report(dir.path());
    let failed: Vec<_> = rows.iter().filter(|r| r.2 == "failed").collect();
    assert_eq!(failed.len(), 1, "{rows:?}");
    assert_eq!(failed[0].0, "240ac4300001");
    let csv = std::fs::read_to_string(dir.path().join("report.csv")).unwrap();
    assert!(csv.contains("write:"), "{csv}");
    // Its certificate went again: only the other board's is in AWS.
    assert_eq!(moto.certificates().len(), 1, "{rest:#?}");
    // Plugged in again (the same board, on a new port): the resume finishes it.
    let back = Mock::start_with_mac("esp32c3", "240ac4300001");
    let out = fleet("resume", dir.path(), &moto, &[&back.port, &steady.port]);
    assert!(out.status.success(), "{}", text(&out));
    let rows = report(dir.path());
    let results: Vec<(&str, &str)> = rows.iter().map(|r| (r.0.as_str(), r.2.as_str())).collect();
    assert!(
        results.contains(&("240ac4300001", "provisioned")),
        "{results:?}"
    );
    assert!(
        results.contains(&("240ac4300002", "skipped")),
        "{results:?}"
    );
    assert_eq!(moto.certificates().len(), 2);
}

/// Run `thingflash fleet run` on `ports` with `more` arguments; `at_line` sees each line
/// of its progress as it comes.
fn fleet_watching_lines(
    dir: &Path,
    moto: &Moto,
    ports: &[&str],
    more: &[&str],
    mut at_line: impl FnMut(&str),
) -> (std::process::ExitStatus, Vec<String>) {
    use std::io::BufRead as _;
    let mut c = fleet_command("run", dir, &moto.url, ports);
    c.args(more)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null());
    let mut station = c.spawn().unwrap();
    let stderr = std::io::BufReader::new(station.stderr.take().unwrap());
    let mut seen = Vec::new();
    for line in stderr.lines() {
        let line = line.unwrap();
        at_line(&line);
        seen.push(line);
    }
    (station.wait().unwrap(), seen)
}

#[test]
fn a_cable_cut_mid_write_is_reported_and_a_resume_on_a_new_cable_finishes_the_board() {
    use crate::common::Cable;
    let dir = station_dir("thing\nbench-{mac6}\n");
    let moto = Moto::start();
    let mock = Mock::start_with_mac("esp32c3", "240ac4400001");
    let cable = Cable::to(&mock);
    let port = cable.port.clone();
    let (status, seen) = fleet_watching_lines(dir.path(), &moto, &[&port], &[], |line| {
        if line.contains("writing the credentials") {
            // The cable is pulled 16 KiB into the write; the board keeps its power.
            cable.cut_after(16 * 1024);
        }
    });
    assert_eq!(status.code(), Some(1), "{seen:#?}");
    let rows = report(dir.path());
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].2, "failed", "{rows:?}");
    let csv = std::fs::read_to_string(dir.path().join("report.csv")).unwrap();
    assert!(csv.contains("write:"), "{csv}");
    // The certificate it never received is not left in AWS.
    assert!(moto.certificates().is_empty(), "{seen:#?}");
    drop(cable);
    // Plugged in again with another cable: the resume writes it whole.
    let again = Cable::to(&mock);
    let out = fleet("resume", dir.path(), &moto, &[&again.port]);
    assert!(out.status.success(), "{}", text(&out));
    let rows = report(dir.path());
    assert_eq!(rows[0].2, "provisioned", "{rows:?}");
    let certs = moto.certificates();
    assert_eq!(certs.len(), 1, "{certs:?}");
    assert_eq!(certs[0].1, "ACTIVE");
}

#[test]
fn a_station_waits_for_mqtt_connected_and_names_why_a_board_did_not_connect() {
    use crate::common::Cable;
    let dir = station_dir("thing\nroom-{mac6}\n");
    let moto = Moto::start();
    let (good, bad) = (
        Mock::start_with_mac("esp32c3", "240ac4500001"),
        Mock::start_with_mac("esp32c6", "240ac4500002"),
    );
    let (to_good, to_bad) = (Cable::to(&good), Cable::to(&bad));
    let (good_port, bad_port) = (to_good.port.clone(), to_bad.port.clone());
    // What each board's firmware prints after its reset: one reaches MQTT, the other is
    // refused at the TLS handshake twice (its broker's certificate does not verify).
    let connects = "[tf1] boot fw=0.1.0 chip=esp32c3 mac=24:0a:c4:50:00:01 reset=PowerOn\r\n\
        [tf1] wifi.connected ip=192.168.1.23 rssi=-61\r\n\
        [tf1] time.ok utc=2026-12-07T09:12:40Z server=pool.ntp.org ms=35\r\n\
        [tf1] tls.start host=example-ats.iot.us-east-1.amazonaws.com port=8883\r\n\
        [tf1] tls.ok ms=900\r\n\
        [tf1] mqtt.connack reason=0x00 session=0 ms=95\r\n";
    let refused_once = "[tf1] tls.start host=example-ats.iot.us-east-1.amazonaws.com port=8883\r\n\
        [tf1] tls.failed code=-0x2700 verify=0x00000008 detail=\"X509 - Certificate verification failed\"\r\n\
        [tf1] retry stage=tls attempt=1 delay_ms=1000\r\n";
    let (status, seen) = fleet_watching_lines(
        dir.path(),
        &moto,
        &[&good_port, &bad_port],
        &["--wait-connected", "30"],
        |line| {
            if line.contains("waiting for the board to report MQTT connected") {
                if line.starts_with(&good_port) {
                    to_good.say(connects);
                } else {
                    to_bad.say(&format!(
                        "[tf1] boot fw=0.1.0 chip=esp32c6 mac=24:0a:c4:50:00:02 reset=PowerOn\r\n\
                         [tf1] wifi.connected ip=192.168.1.24 rssi=-60\r\n{refused_once}{refused_once}"
                    ));
                }
            }
        },
    );
    assert_eq!(status.code(), Some(1), "{seen:#?}");
    let csv = std::fs::read_to_string(dir.path().join("report.csv")).unwrap();
    let line = |mac: &str| {
        csv.lines()
            .find(|l| l.starts_with(mac))
            .unwrap()
            .to_string()
    };
    assert!(line("240ac4500001").contains(",provisioned,"), "{csv}");
    let failed = line("240ac4500002");
    assert!(failed.contains(",failed,"), "{csv}");
    // The reason is the decoder's, with the stage: not a timeout.
    assert!(
        failed.contains("connect: the board failed at TLS twice"),
        "{failed}"
    );
    // Its certificate is on the board: it stays in AWS, and a resume does not redo it.
    assert_eq!(moto.certificates().len(), 2);
    let out = fleet("resume", dir.path(), &moto, &[&good_port, &bad_port]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(moto.certificates().len(), 2);
}

#[test]
fn settings_every_board_would_refuse_stop_the_run_before_any_board_or_thing() {
    let dir = station_dir("thing\nbench-{mac}\n");
    let moto = Moto::start();
    let c3 = Mock::start("esp32c3");
    let out = fleet_command("run", dir.path(), &moto.url, &[&c3.port])
        .args(["--topic-prefix", "lab/#"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("fleet: ") && said.contains("  fix: "),
        "{said}"
    );
    // Refused once for the run: no board touched, nothing made in AWS.
    assert!(!said.contains(&c3.port), "{said}");
    assert!(moto.certificates().is_empty());
    let things = rt().block_on(async { moto.iot().list_things().send().await.unwrap() });
    assert!(things.things().is_empty(), "{things:?}");
}

/// A board that makes its own key, played through its relay: the firmware's own code on
/// the host prints what the board would (its new key and its request) when the station
/// reads the request.
struct KeyedBoard {
    mac: &'static str,
    mock: Mock,
    cable: crate::common::Cable,
    key: thingflash_protocol::device_key::DeviceKey,
}

impl KeyedBoard {
    fn start(chip: &str, mac: &'static str) -> Self {
        let mock = Mock::start_with_mac(chip, mac);
        let cable = crate::common::Cable::to(&mock);
        let key = thingflash_protocol::device_key::DeviceKey::generate(|b| {
            use std::io::Read as _;
            std::fs::File::open("/dev/urandom")
                .unwrap()
                .read_exact(b)
                .unwrap();
        });
        Self {
            mac,
            mock,
            cable,
            key,
        }
    }

    fn first_boot(&self, thing: &str) {
        let t = thingflash_protocol::device_key::csr_text(&self.key.csr(thing));
        let csr = thingflash_protocol::event::Event::CsrReady {
            cn: thing.into(),
            len: t.len,
            crc: t.crc,
            der: t.der.into(),
        };
        self.cable
            .say(&format!("[tf1] key.new alg=ec-p256 ms=40\r\n{csr}\r\n"));
    }
}

/// `fleet run --key-type board` over these boards (manifest `shelf-{mac6}`).
fn keyed_run(dir: &Path, aws: &str, boards: &[KeyedBoard]) -> (bool, Vec<String>) {
    use std::io::BufRead as _;
    let ports: Vec<&str> = boards.iter().map(|b| b.cable.port.as_str()).collect();
    let mut c = crate::common::fleet_command_keyed("run", dir, aws, &ports, "board");
    c.stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut station = c.spawn().unwrap();
    let stderr = std::io::BufReader::new(station.stderr.take().unwrap());
    let mut seen = Vec::new();
    for line in stderr.lines().map_while(Result::ok) {
        if line.contains("reading the board's certificate request")
            && let Some(b) = boards
                .iter()
                .find(|b| line.starts_with(&format!("{} ", b.cable.port)))
        {
            b.first_boot(&format!("shelf-{}", &b.mac[6..]));
        }
        seen.push(line);
    }
    let out = station.wait_with_output().unwrap();
    seen.push(String::from_utf8_lossy(&out.stdout).into_owned());
    (out.status.success(), seen)
}

#[test]
fn boards_make_their_keys_and_the_report_says_no_key_left_them() {
    let dir = station_dir("thing\nshelf-{mac6}\n");
    let moto = Moto::start();
    let signer = crate::common::signer::CsrSigner::start(&moto.url);
    let boards = [
        KeyedBoard::start("esp32c3", "240ac4700001"),
        KeyedBoard::start("esp32c6", "240ac4700002"),
    ];
    let (ok, seen) = keyed_run(dir.path(), &signer.url, &boards);
    assert!(ok, "{seen:#?}");
    let csv = std::fs::read_to_string(dir.path().join("report.csv")).unwrap();
    for b in &boards {
        let row = csv.lines().find(|l| l.starts_with(b.mac)).unwrap();
        assert!(row.contains(",provisioned,"), "{csv}");
        assert!(
            row.ends_with(",board"),
            "the report records the key never left the board: {row}"
        );
    }
    for b in boards {
        let KeyedBoard {
            mock, cable, key, ..
        } = b;
        drop(cable);
        let part = mock.read_flash(0xD000, 0x2000);
        let parts = thingflash_protocol::credentials::read_parts(&part).unwrap();
        assert_eq!(parts.private_key, None);
        assert_eq!(
            thingflash_protocol::x509::public_key(parts.device_cert.unwrap()),
            Some(&key.public_sec1()[..])
        );
    }
    assert_eq!(moto.certificates().len(), 2);
}

#[test]
fn a_certificate_for_another_key_than_the_boards_is_refused_removed_and_not_written() {
    // moto itself: it certifies a key of its own, not the board's.
    let dir = station_dir("thing\nshelf-{mac6}\n");
    let moto = Moto::start();
    let boards = [KeyedBoard::start("esp32c3", "240ac4700003")];
    let (ok, seen) = keyed_run(dir.path(), &moto.url, &boards);
    assert!(!ok, "{seen:#?}");
    let csv = std::fs::read_to_string(dir.path().join("report.csv")).unwrap();
    assert!(
        csv.contains("is for another key than the one the board made"),
        "{csv}"
    );
    assert!(moto.certificates().is_empty(), "removed again");
    let [b] = boards;
    drop(b.cable);
    let part = b.mock.read_flash(0xD000, 0x2000);
    let parts = thingflash_protocol::credentials::read_parts(&part).unwrap();
    assert_eq!(
        parts.device_cert, None,
        "nothing but the settings on the board"
    );
}

#[test]
fn a_claim_batch_is_set_up_written_to_boards_by_a_station_without_aws_credentials_and_closed() {
    use crate::common::{Cable, signer::CsrSigner};
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch-1");
    let moto = Moto::start();
    let aws = CsrSigner::start(&moto.url);
    let with_aws = |c: &mut std::process::Command| {
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.path())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .args(["--endpoint-url", &aws.url, "--region", "us-east-1"]);
    };
    // Once, with AWS credentials: the template, the claim and its policy.
    let mut setup = std::process::Command::new(env!("CARGO_BIN_EXE_thingflash"));
    setup
        .args([
            "fleet",
            "setup-aws",
            "--template",
            "shelf",
            "--thing-prefix",
            "shelf-",
        ])
        .args(["--role-arn", "arn:aws:iam::123456789012:role/provisioning"])
        .arg("--out")
        .arg(&batch);
    with_aws(&mut setup);
    let out = setup.output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let template = aws.templates.lock().unwrap().get("shelf").cloned().unwrap();
    assert_eq!(
        template["enabled"], true,
        "AWS leaves a template disabled unless told"
    );
    let body: serde_json::Value =
        serde_json::from_str(template["templateBody"].as_str().unwrap()).unwrap();
    assert_eq!(body["Parameters"]["Mac"]["Type"], "String");
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(batch.join("batch.json")).unwrap()).unwrap();
    let claim_id = b["claim_certificate_id"].as_str().unwrap().to_string();
    let policies = rt().block_on(async {
        moto.iot()
            .list_attached_policies()
            .target(b["claim_certificate_arn"].as_str().unwrap())
            .send()
            .await
            .unwrap()
    });
    assert_eq!(
        policies.policies()[0].policy_name(),
        Some("shelf-claim"),
        "{policies:?}"
    );
    // A station with no AWS credentials at all writes the claim onto a board.
    let mock = Mock::start_with_mac("esp32c3", "240ac4a00001");
    let cable = Cable::to(&mock);
    let station_dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_thingflash"))
        .args(["fleet", "run", "--claim"])
        .arg(&batch)
        .args(["--port", &cable.port, "--wifi-ssid", "lab"])
        .arg("--journal")
        .arg(station_dir.path().join("journal.jsonl"))
        .arg("--report")
        .arg(station_dir.path().join("report"))
        .args(["--before", "no-reset", "--after", "no-reset", "--force"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", station_dir.path())
        .env("THINGFLASH_WIFI_PASSWORD", "correct horse")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("1 written with the claim"),
        "{}",
        text(&out)
    );
    drop(cable);
    let part = mock.read_flash(0xD000, 0x2000);
    let creds = thingflash_protocol::credentials::read(&part).unwrap();
    assert_eq!(creds.config.claim_template, "shelf");
    assert_eq!(creds.config.client_id, "240ac4a00001");
    let claim_pem = std::fs::read_to_string(batch.join("claim-certificate.pem.crt")).unwrap();
    assert_eq!(
        Some(creds.device_cert.to_vec()),
        thingflash::board_key::pem_der(&claim_pem)
    );
    let report = std::fs::read_to_string(station_dir.path().join("report.csv")).unwrap();
    assert!(report.contains(",shelf-240ac4a00001,"), "{report}");
    // The batch is closed: its claim revoked in AWS.
    let mut close = std::process::Command::new(env!("CARGO_BIN_EXE_thingflash"));
    close.args(["fleet", "close"]).arg(&batch);
    with_aws(&mut close);
    let out = close.output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let status = rt().block_on(async {
        moto.iot()
            .describe_certificate()
            .certificate_id(&claim_id)
            .send()
            .await
            .unwrap()
    });
    assert_eq!(
        status
            .certificate_description()
            .and_then(|d| d.status())
            .map(|s| s.as_str().to_string()),
        Some("REVOKED".to_string())
    );
}
