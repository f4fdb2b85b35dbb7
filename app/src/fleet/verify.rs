//! `fleet verify`: a run's report held against AWS IoT as it is now. For each board the
//! report says is provisioned: its thing still exists, its certificate is still ACTIVE,
//! and the certificate is still attached to the thing. What drifted is said with what to do.

use aws_sdk_iot::types::CertificateStatus;

use super::report::ReportRow;
use super::station::FleetError;
use crate::provision::{self, ProvisionError};

/// One board whose state in AWS no longer matches the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    /// The board.
    pub mac: String,
    /// Its thing.
    pub thing: String,
    /// What changed.
    pub what: String,
    /// What to do.
    pub fix: String,
}

/// Check every provisioned row; the boards that drifted.
pub fn verify(rows: &[ReportRow], account: &provision::Account) -> Result<Vec<Drift>, FleetError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| FleetError::Runtime(e.to_string()))?;
    rt.block_on(async {
        let iot = provision::session(account).await?.iot;
        let mut drifted = Vec::new();
        for r in rows.iter().filter(|r| r.result != "failed" && !r.certificate_id.is_empty()) {
            let drift = |what: String, fix: &str| Drift {
                mac: r.mac.clone(),
                thing: r.thing.clone(),
                what,
                fix: fix.to_string(),
            };
            if iot.describe_thing().thing_name(&r.thing).send().await.is_err() {
                drifted.push(drift(
                    format!("the thing {} is gone", r.thing),
                    "run the station again for this board (delete its lines from the journal first)",
                ));
                continue;
            }
            let cert = iot
                .describe_certificate()
                .certificate_id(&r.certificate_id)
                .send()
                .await
                .ok()
                .and_then(|c| c.certificate_description().cloned());
            let Some(cert) = cert else {
                drifted.push(drift(
                    format!("the certificate {} is gone", r.certificate_id),
                    "the board cannot connect: provision it again",
                ));
                continue;
            };
            if cert.status() != Some(&CertificateStatus::Active) {
                let status = cert.status().map(|s| s.as_str().to_string()).unwrap_or_default();
                drifted.push(drift(
                    format!("the certificate {} is {status}", r.certificate_id),
                    "activate it again in the AWS IoT console (Security > Certificates), or provision the board again",
                ));
                continue;
            }
            let arn = cert.certificate_arn().unwrap_or_default();
            let attached = iot
                .list_thing_principals()
                .thing_name(&r.thing)
                .send()
                .await
                .map_err(|e| provision::map_sdk_error("iot:ListThingPrincipals", e, &[]))?
                .principals()
                .iter()
                .any(|p| p == arn);
            if !attached {
                drifted.push(drift(
                    format!("the certificate {} is no longer attached to {}", r.certificate_id, r.thing),
                    "attach it again (AWS IoT console, the thing's Certificates tab)",
                ));
            }
        }
        Ok::<_, ProvisionError>(drifted)
    })
    .map_err(FleetError::from)
}
