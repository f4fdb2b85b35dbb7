//! The least-privilege IoT policy thingflash creates, and AWS's naming rules. One policy
//! serves every thing: it uses thing policy variables, so each certificate may only
//! connect as the thing it is attached to and only use that thing's own topics.

use super::ProvisionError;

/// Policy name used when none is given.
pub const DEFAULT_POLICY_NAME: &str = "thingflash-device";

/// AWS: thing names are 1-128 of `[a-zA-Z0-9:_-]`.
pub fn validate_thing_name(name: &str) -> Result<(), ProvisionError> {
    let ok = (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(ProvisionError::ThingName(name.to_string()))
    }
}

/// AWS: policy names are 1-128 of `[\w+=,.@-]`.
pub fn validate_policy_name(name: &str) -> Result<(), ProvisionError> {
    let ok = (1..=128).contains(&name.len())
        && name.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'=' | b',' | b'.' | b'@' | b'-')
        });
    if ok {
        Ok(())
    } else {
        Err(ProvisionError::PolicyName(name.to_string()))
    }
}

/// The policy document for `region`, `account` and the device's topic prefix:
/// connect only as the attached thing, publish under `<prefix>/<thing>/`, subscribe to
/// and receive `<prefix>/<thing>/cmd`.
pub fn document(region: &str, account: &str, topic_prefix: &str) -> String {
    let arn = |kind: &str, rest: &str| format!("arn:aws:iot:{region}:{account}:{kind}/{rest}");
    let thing = "${iot:Connection.Thing.ThingName}";
    let base = if topic_prefix.is_empty() {
        thing.to_string()
    } else {
        format!("{topic_prefix}/{thing}")
    };
    let doc = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iot:Connect",
                "Resource": arn("client", thing),
                "Condition": { "Bool": { "iot:Connection.Thing.IsAttached": "true" } }
            },
            { "Effect": "Allow", "Action": "iot:Publish", "Resource": arn("topic", &format!("{base}/*")) },
            { "Effect": "Allow", "Action": "iot:Subscribe", "Resource": arn("topicfilter", &format!("{base}/cmd")) },
            { "Effect": "Allow", "Action": "iot:Receive", "Resource": arn("topic", &format!("{base}/cmd")) }
        ]
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// The claim certificate's policy for provisioning by claim with `template`: connect, and
/// nothing but the two requests and their answers (AWS's fleet-provisioning topics).
pub fn claim_document(region: &str, account: &str, template: &str) -> String {
    let arn = |kind: &str, rest: &str| format!("arn:aws:iot:{region}:{account}:{kind}/{rest}");
    let csr = "$aws/certificates/create-from-csr/*";
    let provision = format!("$aws/provisioning-templates/{template}/provision/*");
    let doc = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            { "Effect": "Allow", "Action": "iot:Connect", "Resource": "*" },
            {
                "Effect": "Allow",
                "Action": ["iot:Publish", "iot:Receive"],
                "Resource": [arn("topic", csr), arn("topic", &provision)]
            },
            {
                "Effect": "Allow",
                "Action": "iot:Subscribe",
                "Resource": [arn("topicfilter", csr), arn("topicfilter", &provision)]
            }
        ]
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// A fleet-provisioning template: the thing is `<thing_prefix><Mac>` (the firmware sends
/// its MAC as `Mac`) with the MAC as an attribute, the certificate from the board's request
/// made ACTIVE, the device policy `policy` attached.
pub fn template_body(thing_prefix: &str, policy: &str) -> String {
    let doc = serde_json::json!({
        "Parameters": { "Mac": { "Type": "String" } },
        "Resources": {
            "thing": {
                "Type": "AWS::IoT::Thing",
                "Properties": {
                    "ThingName": { "Fn::Join": ["", [thing_prefix, { "Ref": "Mac" }]] },
                    "AttributePayload": { "mac": { "Ref": "Mac" } }
                }
            },
            "certificate": {
                "Type": "AWS::IoT::Certificate",
                "Properties": {
                    "CertificateId": { "Ref": "AWS::IoT::Certificate::Id" },
                    "Status": "ACTIVE"
                }
            },
            "policy": {
                "Type": "AWS::IoT::Policy",
                "Properties": { "PolicyName": policy }
            }
        }
    });
    serde_json::to_string(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_claim_policy_allows_only_the_provisioning_topics() {
        let doc: serde_json::Value =
            serde_json::from_str(&super::claim_document("eu-west-1", "123456789012", "shelf"))
                .unwrap();
        let text = doc.to_string();
        assert!(text.contains("topicfilter/$aws/certificates/create-from-csr/*"));
        assert!(text.contains("topic/$aws/provisioning-templates/shelf/provision/*"));
        assert!(!text.contains("thingflash/"), "no device topics: {text}");
        let body: serde_json::Value =
            serde_json::from_str(&super::template_body("shelf-", "thingflash-device")).unwrap();
        assert_eq!(body["Parameters"]["Mac"]["Type"], "String");
        assert!(
            super::template_body("a", "b").len() < 10_240,
            "AWS's limit for a body"
        );
    }

    use super::*;

    #[test]
    fn names() {
        assert!(validate_thing_name("bench-sensor_1:a").is_ok());
        for bad in ["", "has space", "slash/no", &"x".repeat(129)] {
            assert!(validate_thing_name(bad).is_err(), "{bad}");
        }
        assert!(validate_policy_name("thingflash-device").is_ok());
        assert!(validate_policy_name("a b").is_err());
    }

    #[test]
    fn policy_is_least_privilege() {
        let d = document("eu-west-1", "123456789012", "thingflash");
        let v: serde_json::Value = serde_json::from_str(&d).unwrap();
        let s = v["Statement"].as_array().unwrap();
        assert_eq!(s.len(), 4);
        assert_eq!(
            s[0]["Resource"],
            "arn:aws:iot:eu-west-1:123456789012:client/${iot:Connection.Thing.ThingName}"
        );
        assert_eq!(
            s[0]["Condition"]["Bool"]["iot:Connection.Thing.IsAttached"],
            "true"
        );
        assert_eq!(
            s[2]["Resource"],
            "arn:aws:iot:eu-west-1:123456789012:topicfilter/thingflash/${iot:Connection.Thing.ThingName}/cmd"
        );
        assert!(!d.contains("\"*\""), "no wildcard resources");
    }
}
