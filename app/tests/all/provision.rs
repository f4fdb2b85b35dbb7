//! AWS provisioning against moto_server on 127.0.0.1 (started here, stopped on drop):
//! the CLI end to end, and what exists afterwards read back with separate SDK calls.
//!
//! Two limits of moto 5.2 shape these tests (real AWS behaves differently):
//! - CreateCertificateFromCsr ignores the CSR's key and certifies a fresh RSA key, so the
//!   EC P-256 flow must be *refused* by thingflash's key check against moto; the CSR
//!   itself is verified with openssl instead.
//! - moto's SigV4 check fails for GET requests and requests with a query string from
//!   the Rust SDK (and from boto3: DescribeEndpoint, CreateKeysAndCertificate), so a
//!   genuine IAM denial from moto is only reachable on a plain POST such as CreateThing;
//!   the access-denied test sends one and maps moto's real refusal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{Moto, peer, rt, run};

fn cli(moto: &Moto, home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thingflash"))
        .arg("aws")
        .arg("provision")
        .args(args)
        .args(["--endpoint-url", &moto.url])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn rsa_provisioning_creates_attaches_and_writes_files_that_pass_check() {
    let moto = Moto::start();
    let home = tempfile::tempdir().unwrap();
    let out_dir = home.path().join("out");
    let out = cli(
        &moto,
        home.path(),
        &[
            "--thing",
            "bench-1",
            "--key-type",
            "rsa-2048",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("bench-1-endpoint.json")).unwrap())
            .unwrap();
    let endpoint = json["endpoint"].as_str().unwrap();
    assert!(
        endpoint.contains("-ats.iot.us-east-1.amazonaws.com"),
        "{endpoint}"
    );
    let cert_arn = json["certificate_arn"].as_str().unwrap().to_string();
    let cert_id = json["certificate_id"].as_str().unwrap().to_string();
    assert!(
        !json.to_string().contains("PRIVATE KEY"),
        "the JSON must not hold the key"
    );

    // Read everything back with separate SDK calls.
    let c = moto.iot();
    rt().block_on(async {
        c.describe_thing()
            .thing_name("bench-1")
            .send()
            .await
            .unwrap();
        let cert = c
            .describe_certificate()
            .certificate_id(&cert_id)
            .send()
            .await
            .unwrap();
        assert_eq!(
            cert.certificate_description().unwrap().status(),
            Some(&aws_sdk_iot::types::CertificateStatus::Active)
        );
        let principals = c
            .list_thing_principals()
            .thing_name("bench-1")
            .send()
            .await
            .unwrap();
        assert_eq!(principals.principals(), std::slice::from_ref(&cert_arn));
        let policies = c
            .list_attached_policies()
            .target(&cert_arn)
            .send()
            .await
            .unwrap();
        let names: Vec<_> = policies
            .policies()
            .iter()
            .filter_map(|p| p.policy_name())
            .collect();
        assert_eq!(names, ["thingflash-device"]);
        let doc = c
            .get_policy()
            .policy_name("thingflash-device")
            .send()
            .await
            .unwrap();
        let doc = doc.policy_document().unwrap();
        assert!(
            doc.contains(
                "arn:aws:iot:us-east-1:123456789012:client/${iot:Connection.Thing.ThingName}"
            ),
            "{doc}"
        );
    });

    // The files are a set `thingflash check` accepts, and the key is private.
    let check = Command::new(env!("CARGO_BIN_EXE_thingflash"))
        .arg("check")
        .arg(out_dir.join("bench-1-certificate.pem.crt"))
        .arg(out_dir.join("bench-1-private.pem.key"))
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(out_dir.join("bench-1-private.pem.key"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn rerunning_reuses_the_thing_and_policy() {
    let moto = Moto::start();
    let home = tempfile::tempdir().unwrap();
    let a = cli(
        &moto,
        home.path(),
        &[
            "--thing",
            "t2",
            "--key-type",
            "rsa-2048",
            "--out",
            home.path().join("a").to_str().unwrap(),
        ],
    );
    assert_eq!(a.status.code(), Some(0), "{}", text(&a));
    let b = cli(
        &moto,
        home.path(),
        &[
            "--thing",
            "t2",
            "--key-type",
            "rsa-2048",
            "--out",
            home.path().join("b").to_str().unwrap(),
        ],
    );
    assert_eq!(b.status.code(), Some(0), "{}", text(&b));
    let b = text(&b);
    assert!(b.contains("reused  thing t2"), "{b}");
    assert!(b.contains("reused  policy thingflash-device"), "{b}");
    // Same folder again: refused, nothing overwritten.
    let c = cli(
        &moto,
        home.path(),
        &[
            "--thing",
            "t2",
            "--key-type",
            "rsa-2048",
            "--out",
            home.path().join("b").to_str().unwrap(),
        ],
    );
    assert_eq!(c.status.code(), Some(1));
    assert!(text(&c).contains("already exists"), "{}", text(&c));
    let client = moto.iot();
    rt().block_on(async {
        let policies = client.list_policies().send().await.unwrap();
        assert_eq!(policies.policies().len(), 1, "no duplicate policies");
        let principals = client
            .list_thing_principals()
            .thing_name("t2")
            .send()
            .await
            .unwrap();
        assert_eq!(
            principals.principals().len(),
            3,
            "one new certificate per run"
        );
    });
}

#[test]
fn ec_p256_csr_is_valid_and_a_certificate_for_another_key_is_refused() {
    // Our CSR: openssl verifies its signature and sees our public key in it.
    let (key_pem, csr_pem) = thingflash::provision::make_csr("ec-thing").unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("csr.pem"), &csr_pem).unwrap();
    std::fs::write(dir.path().join("key.pem"), key_pem.as_bytes()).unwrap();
    run(Command::new(peer("openssl"))
        .current_dir(dir.path())
        .args(["req", "-in", "csr.pem", "-verify", "-noout"]));
    let from_csr = run(Command::new(peer("openssl"))
        .current_dir(dir.path())
        .args(["req", "-in", "csr.pem", "-pubkey", "-noout"]));
    let from_key = run(Command::new(peer("openssl"))
        .current_dir(dir.path())
        .args(["pkey", "-in", "key.pem", "-pubout"]));
    assert_eq!(from_csr, from_key);
    let subject = run(Command::new(peer("openssl"))
        .current_dir(dir.path())
        .args(["req", "-in", "csr.pem", "-subject", "-noout"]));
    assert!(String::from_utf8_lossy(&subject).contains("CN = ec-thing"));

    // moto certifies a different key: thingflash refuses it and deletes the certificate.
    let moto = Moto::start();
    let home = tempfile::tempdir().unwrap();
    let out = cli(
        &moto,
        home.path(),
        &[
            "--thing",
            "ec-thing",
            "--out",
            home.path().join("o").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(
        t.contains("does not belong to the key sent in the CSR"),
        "{t}"
    );
    assert!(t.contains("deactivated and deleted"), "{t}");
    assert!(!home.path().join("o").exists(), "no files for a failed run");
    let client = moto.iot();
    rt().block_on(async {
        assert!(
            client
                .list_certificates()
                .send()
                .await
                .unwrap()
                .certificates()
                .is_empty(),
            "no orphan certificate"
        );
        assert!(
            client
                .describe_thing()
                .thing_name("ec-thing")
                .send()
                .await
                .is_err(),
            "no thing made"
        );
    });
}

#[test]
fn access_denied_names_the_missing_iam_action() {
    // The first three requests are unauthenticated: enough to create a user with no IoT rights.
    let moto = Moto::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "3")]);
    let script = "import boto3,json,sys\n\
        iam=boto3.client('iam',endpoint_url=sys.argv[1],region_name='us-east-1',aws_access_key_id='testing',aws_secret_access_key='testing')\n\
        iam.create_user(UserName='maker')\n\
        iam.put_user_policy(UserName='maker',PolicyName='p',PolicyDocument=json.dumps({'Version':'2012-10-17','Statement':[{'Effect':'Allow','Action':'s3:ListBucket','Resource':'*'}]}))\n\
        k=iam.create_access_key(UserName='maker')['AccessKey']\n\
        print(k['AccessKeyId'],k['SecretAccessKey'])";
    let keys = String::from_utf8(run(
        Command::new(peer("python3")).args(["-c", script, &moto.url])
    ))
    .unwrap();
    let (key, secret) = keys.trim().split_once(' ').unwrap();
    let client = moto.iot_as(key, secret);
    let done = [thingflash::provision::Resource {
        kind: "certificate",
        id: "arn:aws:iot:us-east-1:123456789012:cert/abc".into(),
        created: true,
    }];
    let sdk_err = rt()
        .block_on(client.create_thing().thing_name("denied-thing").send())
        .unwrap_err();
    let err = thingflash::provision::map_sdk_error("iot:CreateThing", sdk_err, &done);
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            thingflash::provision::ProvisionError::AccessDenied {
                action: "iot:CreateThing",
                ..
            }
        ),
        "{msg}"
    );
    assert!(
        msg.contains("lacks the IAM permission iot:CreateThing"),
        "{msg}"
    );
    // What already exists is named, so nothing is silently orphaned.
    assert!(
        msg.contains(
            "Already created in AWS: certificate arn:aws:iot:us-east-1:123456789012:cert/abc"
        ),
        "{msg}"
    );
}

#[test]
fn missing_credentials_say_what_to_do() {
    let moto = Moto::start();
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_thingflash"))
        .args([
            "aws",
            "provision",
            "--thing",
            "t",
            "--out",
            "o",
            "--region",
            "us-east-1",
            "--endpoint-url",
            &moto.url,
        ])
        .env_clear()
        .env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(t.contains("no AWS credentials found"), "{t}");
    assert!(t.contains("aws configure"), "{t}");
    let bad_name = cli(&moto, home.path(), &["--thing", "bad name", "--out", "o"]);
    assert_eq!(bad_name.status.code(), Some(1));
    assert!(text(&bad_name).contains("is not allowed"));
}
