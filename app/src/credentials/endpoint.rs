//! The AWS IoT endpoint as the user types it: reduced to the bare host the firmware
//! needs, with an explanation for every thing that had to be taken off or is wrong.

use serde::Serialize;

use super::{Code, Finding, Severity};
use thingflash_protocol::config::is_hostname;

/// The result of reading an endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// The host to connect to, when one could be read.
    pub host: Option<String>,
    /// A port that was written after the host.
    pub port: Option<u16>,
    /// The AWS region, for an AWS IoT host.
    pub region: Option<String>,
    /// What the user should know.
    pub findings: Vec<Finding>,
}

fn finding(severity: Severity, code: Code, message: String, fix: &str) -> Finding {
    Finding {
        severity,
        code,
        file: None,
        message,
        fix: fix.to_string(),
    }
}

fn not_a_host(input: &str, port: Option<u16>, mut findings: Vec<Finding>) -> Endpoint {
    findings.push(finding(
        Severity::Error,
        Code::EndpointInvalid,
        format!("'{input}' is not a host name"),
        "give only the host, like a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com",
    ));
    Endpoint {
        host: None,
        port,
        region: None,
        findings,
    }
}

/// Read an endpoint as typed (or pasted).
///
/// ```
/// use thingflash::credentials::endpoint::check_endpoint;
/// let e = check_endpoint("mqtts://a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com:8883/");
/// assert_eq!(e.host.as_deref(), Some("a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com"));
/// assert_eq!(e.region.as_deref(), Some("eu-west-1"));
/// ```
pub fn check_endpoint(input: &str) -> Endpoint {
    let mut findings = Vec::new();
    let mut text = input.trim();
    if text.is_empty() {
        return Endpoint {
            host: None,
            port: None,
            region: None,
            findings: vec![finding(
                Severity::Error,
                Code::EndpointMissing,
                "no endpoint given".into(),
                "copy it from the AWS IoT console (Settings > Device data endpoint); it looks like a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com",
            )],
        };
    }
    if let Some((scheme, rest)) = text.split_once("://") {
        findings.push(finding(
            Severity::Info,
            Code::EndpointScheme,
            format!("removed '{scheme}://': the board needs the host name only"),
            "nothing to do; type just the host next time",
        ));
        text = rest;
    }
    if let Some((host, path)) = text.split_once('/') {
        if !path.is_empty() {
            findings.push(finding(
                Severity::Info,
                Code::EndpointPath,
                format!("removed the path '/{path}': MQTT has no paths"),
                "nothing to do",
            ));
        }
        text = host;
    }
    let mut port = None;
    if let Some((host, p)) = text.rsplit_once(':') {
        match p.parse::<u16>() {
            Ok(n) => {
                port = Some(n);
                let note = match n {
                    8883 => "port 8883 is what thingflash uses by default",
                    443 => {
                        "port 443 needs ALPN x-amzn-mqtt-ca; choose 443 in the MQTT port setting"
                    }
                    _ => "AWS IoT takes MQTT with certificates on 8883, or 443 with ALPN",
                };
                findings.push(finding(
                    if matches!(n, 8883 | 443) {
                        Severity::Info
                    } else {
                        Severity::Warning
                    },
                    Code::EndpointPort,
                    format!("removed ':{n}' from the host: the port is a separate setting"),
                    note,
                ));
                text = host;
            }
            Err(_) => return not_a_host(input, None, findings),
        }
    }
    let host = text.trim_end_matches('.').to_ascii_lowercase();
    if !is_hostname(&host) {
        return not_a_host(input, port, findings);
    }
    let labels: Vec<&str> = host.split('.').collect();
    let aws = host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn");
    let mut region = None;
    if aws {
        // <prefix>[-ats].iot.<region>.amazonaws.com[.cn]
        let iot_at = labels.iter().position(|l| *l == "iot");
        match iot_at {
            Some(1) if labels.len() >= 5 => {
                region = Some(labels[2].to_string());
                if !labels[0].ends_with("-ats") {
                    findings.push(finding(
                        Severity::Error,
                        Code::EndpointNotAts,
                        format!("'{host}' is a legacy (VeriSign) endpoint, which AWS no longer supports"),
                        "use the -ats endpoint: `aws iot describe-endpoint --endpoint-type iot:Data-ATS`, or the console's Settings page",
                    ));
                }
            }
            _ => findings.push(finding(
                Severity::Error,
                Code::EndpointNotIot,
                format!("'{host}' is an AWS host but not an AWS IoT data endpoint"),
                "copy the device data endpoint from the AWS IoT console (Settings); it looks like a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com",
            )),
        }
    } else {
        findings.push(finding(
            Severity::Info,
            Code::EndpointCustom,
            format!("'{host}' is not an AWS IoT endpoint"),
            "fine for a custom domain or your own broker; make sure the root CA you drop verifies that server",
        ));
    }
    Endpoint {
        host: Some(host),
        port,
        region,
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(e: &Endpoint) -> Vec<&'static str> {
        e.findings.iter().map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn clean_ats_endpoint_has_no_findings() {
        let e = check_endpoint("a3qj468example-ats.iot.us-west-2.amazonaws.com");
        assert!(e.findings.is_empty(), "{:?}", e.findings);
        assert_eq!(e.region.as_deref(), Some("us-west-2"));
    }

    #[test]
    fn legacy_and_foreign_hosts() {
        assert_eq!(
            codes(&check_endpoint(
                "a3qj468example.iot.us-west-2.amazonaws.com"
            )),
            ["endpoint-not-ats"]
        );
        assert_eq!(
            codes(&check_endpoint("s3.amazonaws.com")),
            ["endpoint-not-iot"]
        );
        assert_eq!(codes(&check_endpoint("broker.local")), ["endpoint-custom"]);
        assert_eq!(
            codes(&check_endpoint("has space.com")),
            ["endpoint-invalid"]
        );
        assert_eq!(codes(&check_endpoint("")), ["endpoint-missing"]);
        assert_eq!(codes(&check_endpoint("x.com:http")), ["endpoint-invalid"]);
    }

    #[test]
    fn decorations_are_removed_and_explained() {
        let e = check_endpoint("  mqtt://A1-ATS.iot.eu-west-1.amazonaws.com:443/topic ");
        assert_eq!(
            e.host.as_deref(),
            Some("a1-ats.iot.eu-west-1.amazonaws.com")
        );
        assert_eq!(e.port, Some(443));
        assert_eq!(
            codes(&e),
            ["endpoint-scheme", "endpoint-path", "endpoint-port"]
        );
    }
}
