//! AWS IoT fleet provisioning by claim: what the `rejected` answers a board gets mean.
//!
//! Sources (status codes and error codes transcribed; causes and fixes are ours):
//! - AWS IoT Core developer guide `fleet-provision-api.html` (the `{statusCode, errorCode,
//!   errorMessage}` shape of every `rejected` answer; an answer goes only to the connection
//!   that asked, and only once it subscribed) and `provision-wo-cert.html` (the ownership
//!   token lives one hour; a certificate not activated by then is deleted).
//! - `pre-provisioning-hook.html`: a hook that does not allow the request, fails or takes
//!   more than 5 s gets it rejected as access denied.
//! - The status codes the AWS IoT Device SDK for Embedded C's fleet provisioning library
//!   names (`AwsIotProvisioningServerStatusCode_t`, amazon-freertos 202107.00
//!   `aws_iot_provisioning_types.h`): 202 accepted, 400 invalid request or CSR, 403
//!   forbidden, 404 not found, 429 too many requests, 500 internal error.
//! - `InvalidCertificateOwnershipToken` with "Certificate ownership token cannot be empty."
//!   as posted in aws/aws-iot-device-sdk-js-v2#69.

use super::{Entry, e};

const FLEET: &str = "AWS IoT fleet provisioning by claim (MQTT API, any device SDK)";

/// `(statusCode, errorCode)` of a `rejected` answer; an empty code matches any code of
/// that status the table has no row for.
pub const REJECTIONS: &[(u16, &str, Entry)] = &[
    (
        400,
        "InvalidCertificateOwnershipToken",
        e(
            "InvalidCertificateOwnershipToken",
            FLEET,
            "AWS refused the certificate ownership token the provision request carried: it expired (a token lives one hour after create-from-csr, and the certificate is deleted with it), it was used already, or it was empty",
            "nothing on a board that retries: it asks for a new certificate and a new token; if it repeats, the board takes more than an hour between its two requests (check its network) or sends an empty token (update the firmware)",
        ),
    ),
    (
        400,
        "InvalidParameters",
        e(
            "InvalidParameters",
            FLEET,
            "the provisioning template needs parameters the board did not send (thingflash's firmware sends Mac, its MAC address)",
            "give the template's parameters defaults, or make it use Mac only (thingflash fleet setup-aws writes such a template)",
        ),
    ),
    (
        400,
        "",
        e(
            "400 (InvalidRequest)",
            FLEET,
            "AWS refused the request as invalid: a disabled provisioning template (AWS leaves one disabled unless it is created with enabled set), or a request or certificate request it cannot read",
            "enable the template (aws iot update-provisioning-template --template-name NAME --enabled, or thingflash fleet setup-aws); the message says which",
        ),
    ),
    (
        403,
        "",
        e(
            "403 (AccessDenied)",
            FLEET,
            "AWS refused the board: a pre-provisioning hook did not allow it (its allow-list lacks the board, the hook failed or took more than 5 s), or the provisioning role lacks the rights to make the thing",
            "add the board to the hook's allow-list (thingflash fleet setup-aws --allow-list) or fix the hook; check the template's provisioning role has AWSIoTThingsRegistration",
        ),
    ),
    (
        404,
        "",
        e(
            "404 (ResourceNotFound)",
            FLEET,
            "there is no provisioning template of that name in this account and region",
            "create it (thingflash fleet setup-aws), or flash the boards with the template's exact name; templates belong to one region",
        ),
    ),
    (
        429,
        "",
        e(
            "429 (ThrottlingException)",
            FLEET,
            "too many provisioning requests at once in this account",
            "nothing: boards retry with backoff; provision large batches in waves",
        ),
    ),
    (
        500,
        "",
        e(
            "500 (InternalFailure)",
            FLEET,
            "AWS IoT failed inside while provisioning",
            "nothing: the board retries with backoff; if it persists, look at AWS IoT's service health for the region",
        ),
    ),
];

/// The entry for a rejection.
pub fn rejection(status: u16, code: &str) -> Option<&'static Entry> {
    REJECTIONS
        .iter()
        .find(|(s, c, _)| *s == status && *c == code)
        .or_else(|| {
            REJECTIONS
                .iter()
                .find(|(s, c, _)| *s == status && c.is_empty())
        })
        .map(|(_, _, entry)| entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rejection_is_found_by_its_status_and_code() {
        for (status, code, entry) in REJECTIONS {
            assert_eq!(rejection(*status, code), Some(entry), "{status} {code}");
            assert!(!entry.cause.is_empty() && !entry.fix.is_empty());
        }
        // An unlisted code of a known status falls to the status' row.
        assert_eq!(
            rejection(400, "InvalidRequest").map(|e| e.name),
            Some("400 (InvalidRequest)")
        );
        assert_eq!(rejection(418, "Teapot"), None);
    }
}
