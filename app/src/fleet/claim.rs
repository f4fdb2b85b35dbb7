//! Provisioning by claim: a batch's provisioning template and claim certificate, made once
//! with the user's AWS credentials (`fleet setup-aws`), kept in a folder a station without
//! AWS credentials can use (`fleet run --claim FOLDER`: every board gets the claim and
//! provisions itself when it first connects, with a key it makes), and revoked when the
//! batch is done (`fleet close`).
//!
//! The folder: `batch.json` (the template, the claim certificate's id and ARN, the
//! policies, the endpoint and region), `claim-certificate.pem.crt` and
//! `claim-private.pem.key` (the claim's key; the boards' own keys never leave them).

use std::path::{Path, PathBuf};

use aws_sdk_iot::types::{CertificateStatus, ProvisioningHook, TemplateType};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::provision::{self, Account, KeyType, ProvisionError, Resource, map_sdk_error, policy};

/// What a batch is, as `batch.json` keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// The fleet-provisioning template.
    pub template: String,
    /// Every thing is `<thing_prefix><MAC>`.
    pub thing_prefix: String,
    /// The device policy the template attaches.
    pub policy: String,
    /// The claim certificate's policy.
    pub claim_policy: String,
    /// The claim certificate's id.
    pub claim_certificate_id: String,
    /// Its ARN.
    pub claim_certificate_arn: String,
    /// The account's ATS endpoint the boards connect to.
    pub endpoint: String,
    /// The region.
    pub region: String,
}

/// What `fleet setup-aws` makes.
#[derive(Clone, Debug)]
pub struct SetupRequest {
    /// The template's name (1-36 of `[0-9A-Za-z_-]`).
    pub template: String,
    /// Every thing is `<thing_prefix><MAC>`.
    pub thing_prefix: String,
    /// The device policy (made when missing).
    pub policy: String,
    /// The topic prefix the device policy allows.
    pub topic_prefix: String,
    /// The IAM role AWS IoT provisions with (trusting iot.amazonaws.com, with
    /// AWSIoTThingsRegistration).
    pub role_arn: String,
    /// A pre-provisioning hook (a Lambda that checks an allow-list), when there is one.
    pub hook_arn: Option<String>,
    /// The claim's key: made here (AWS signs its CSR) or by AWS.
    pub claim_key: KeyType,
    /// Which account and region.
    pub account: Account,
    /// The batch's folder (made; must not hold a batch already).
    pub dir: PathBuf,
}

/// A batch loaded for a station.
pub struct Claim {
    /// What it is.
    pub batch: Batch,
    /// The claim certificate, PEM.
    pub certificate_pem: String,
    /// The claim's key, PEM. Wiped on drop.
    pub key_pem: Zeroizing<String>,
}

const BATCH: &str = "batch.json";
const CERT: &str = "claim-certificate.pem.crt";
const KEY: &str = "claim-private.pem.key";

/// Why a batch folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// A file is missing or unreadable.
    #[error("cannot read {path}: {detail}; give the folder `thingflash fleet setup-aws` wrote")]
    Read {
        /// The file.
        path: String,
        /// What the system said.
        detail: String,
    },
    /// `batch.json` is not one.
    #[error(
        "{path} is not a batch description ({detail}); give the folder `thingflash fleet setup-aws` wrote"
    )]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// The folder holds a batch already.
    #[error(
        "{path} holds a batch already; give a new folder (a batch's claim is revoked with `thingflash fleet close`)"
    )]
    Exists {
        /// The file.
        path: String,
    },
}

impl Claim {
    /// Read a batch folder.
    pub fn load(dir: &Path) -> Result<Self, BatchError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|e| BatchError::Read {
                path: path.display().to_string(),
                detail: e.to_string(),
            })
        };
        let batch = serde_json::from_str(&read(BATCH)?).map_err(|e| BatchError::Invalid {
            path: dir.join(BATCH).display().to_string(),
            detail: e.to_string(),
        })?;
        Ok(Self {
            batch,
            certificate_pem: read(CERT)?,
            key_pem: Zeroizing::new(read(KEY)?),
        })
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, ProvisionError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ProvisionError::Batch(e.to_string()))
}

/// Make a batch: the device policy, the template (enabled, with the hook when given), the
/// claim certificate with its policy; written into the batch's folder. `progress` hears
/// every resource.
pub fn setup(
    req: &SetupRequest,
    progress: &mut dyn FnMut(Resource),
) -> Result<Batch, ProvisionError> {
    thingflash_protocol::config::validate_template_name(&req.template)
        .map_err(|e| ProvisionError::Batch(e.to_string()))?;
    policy::validate_policy_name(&req.policy)?;
    let batch_file = req.dir.join(BATCH);
    if batch_file.exists() {
        return Err(ProvisionError::Batch(
            BatchError::Exists {
                path: batch_file.display().to_string(),
            }
            .to_string(),
        ));
    }
    let claim_policy = format!("{}-claim", req.template);
    runtime()?.block_on(async {
        let provision::Session {
            iot,
            region,
            account_id: account,
        } = provision::session(&req.account).await?;
        let mut done: Vec<Resource> = Vec::new();
        let mut record = |r: Resource, done: &mut Vec<Resource>| {
            progress(r.clone());
            done.push(r);
        };
        let endpoint = provision::describe_ats(&iot, &done).await?;
        let document = policy::document(&region, &account, &req.topic_prefix);
        let made = provision::ensure_policy(&iot, &req.policy, &document, &done).await?;
        record(
            Resource {
                kind: "policy",
                id: req.policy.clone(),
                created: made,
            },
            &mut done,
        );
        let hook = match &req.hook_arn {
            Some(arn) => Some(
                ProvisioningHook::builder()
                    .target_arn(arn)
                    .payload_version("2020-04-01")
                    .build()
                    .map_err(|e| ProvisionError::Batch(e.to_string()))?,
            ),
            None => None,
        };
        // Enabled on purpose: AWS leaves a template disabled unless it is said.
        let template = iot
            .create_provisioning_template()
            .template_name(&req.template)
            .template_body(policy::template_body(&req.thing_prefix, &req.policy))
            .provisioning_role_arn(&req.role_arn)
            .enabled(true)
            .r#type(TemplateType::FleetProvisioning)
            .set_pre_provisioning_hook(hook)
            .send()
            .await
            .map_err(|e| map_sdk_error("iot:CreateProvisioningTemplate", e, &done))?;
        record(
            Resource {
                kind: "provisioning template",
                id: template.template_arn().unwrap_or(&req.template).to_string(),
                created: true,
            },
            &mut done,
        );
        let claim_doc = policy::claim_document(&region, &account, &req.template);
        let made = provision::ensure_policy(&iot, &claim_policy, &claim_doc, &done).await?;
        record(
            Resource {
                kind: "policy",
                id: claim_policy.clone(),
                created: made,
            },
            &mut done,
        );
        let claim_name = format!("{}-claim", req.template);
        let (id, arn, pem, key) =
            provision::create_certificate(&iot, req.claim_key, &claim_name, &done).await?;
        if let Some(detail) = provision::pair_problem(&pem, &key) {
            let _ = iot
                .update_certificate()
                .certificate_id(&id)
                .new_status(CertificateStatus::Inactive)
                .send()
                .await;
            let _ = iot.delete_certificate().certificate_id(&id).send().await;
            return Err(ProvisionError::CertificateMismatch {
                detail,
                created: provision::Created(done),
            });
        }
        record(
            Resource {
                kind: "claim certificate",
                id: arn.clone(),
                created: true,
            },
            &mut done,
        );
        iot.attach_policy()
            .policy_name(&claim_policy)
            .target(&arn)
            .send()
            .await
            .map_err(|e| map_sdk_error("iot:AttachPolicy", e, &done))?;
        let batch = Batch {
            template: req.template.clone(),
            thing_prefix: req.thing_prefix.clone(),
            policy: req.policy.clone(),
            claim_policy,
            claim_certificate_id: id,
            claim_certificate_arn: arn,
            endpoint,
            region,
        };
        write(&req.dir, &batch, &pem, &key).map_err(ProvisionError::Files)?;
        Ok(batch)
    })
}

fn write(
    dir: &Path,
    batch: &Batch,
    pem: &str,
    key: &str,
) -> Result<(), crate::credentials::CredentialsError> {
    use crate::credentials::{CredentialsError, convert::write_file};
    std::fs::create_dir_all(dir).map_err(|source| CredentialsError::Write {
        path: dir.display().to_string(),
        source,
    })?;
    let json = serde_json::to_string_pretty(batch).unwrap_or_default() + "\n";
    write_file(&dir.join(CERT), pem.as_bytes(), false, false)?;
    write_file(&dir.join(KEY), key.as_bytes(), true, false)?;
    // Last: a folder with batch.json is a whole batch.
    write_file(&dir.join(BATCH), json.as_bytes(), false, false)
}

/// Where a station keeps the journal and the report of a claim run when none are named:
/// in the batch's folder (`station-journal.jsonl`, `station-report.csv/.jsonl`).
pub fn station_files(dir: &Path) -> (PathBuf, PathBuf) {
    (
        dir.join("station-journal.jsonl"),
        dir.join("station-report"),
    )
}

/// Revoke the batch's claim certificate: boards not yet provisioned can no longer use it.
pub fn close(dir: &Path, account: &Account) -> Result<Batch, ProvisionError> {
    let claim = Claim::load(dir).map_err(|e| ProvisionError::Batch(e.to_string()))?;
    let id = claim.batch.claim_certificate_id.clone();
    runtime()?.block_on(async {
        provision::session(account)
            .await?
            .iot
            .update_certificate()
            .certificate_id(&id)
            .new_status(CertificateStatus::Revoked)
            .send()
            .await
            .map_err(|e| map_sdk_error("iot:UpdateCertificate", e, &[]))?;
        Ok(claim.batch)
    })
}
