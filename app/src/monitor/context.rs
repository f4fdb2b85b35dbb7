//! What the decoder knows of the broker a board talks to, and the advice that follows from
//! it: AWS IoT Core's causes (policies, Amazon's root CAs, ATS endpoints, thing names) for
//! an AWS endpoint, other brokers' (username and password, ACLs, their own CA, 1883 is
//! plain MQTT and 8883 TLS) for everything else. The endpoint the user typed decides;
//! without one, the hosts and ports the log shows do.
//!
//! The advice texts in the tables mark what holds for one kind of broker only: a clause
//! that starts "AWS:", "AWS IoT:" or "On AWS IoT" (or names AWS's own things: a policy's
//! iot: actions, Amazon's root CAs, -ats endpoints) is AWS's; one that starts "Other
//! brokers:" or "Mosquitto:" is theirs. [`for_broker`] keeps the clauses that fit.

use std::borrow::Cow;

use super::decode::Explanation;

/// Where the board connects, as far as the decoder knows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Broker {
    /// Nothing says: every clause is kept.
    #[default]
    Unknown,
    /// AWS IoT Core.
    Aws,
    /// Any other broker: a local mosquitto, test.mosquitto.org, HiveMQ, Azure, Google...
    Other,
}

/// Hosts and words of brokers other than AWS IoT, as logs show them (lower case).
pub const OTHER_BROKERS: &[&str] = &[
    "mosquitto",
    "hivemq",
    "emqx",
    "io.adafruit.com",
    "googleapis.com",
    "azure-devices.net",
    "thingspeak",
    "cloudmqtt",
    "eclipseprojects.io",
    "iot.eclipse.org",
    "flespi",
    "shiftr.io",
    "beebotte",
    "localhost",
    "127.0.0.1",
    "192.168.",
    ":1883",
    " 1883",
    "port 1883",
];

impl Broker {
    /// The broker an endpoint (host, URL or host:port, as typed) names.
    pub fn of_endpoint(endpoint: &str) -> Self {
        let e = endpoint.trim().to_ascii_lowercase();
        if e.is_empty() {
            Self::Unknown
        } else if e.contains(".amazonaws.com") {
            Self::Aws
        } else {
            Self::Other
        }
    }

    /// The broker a log line shows, if it shows one.
    pub fn of_line(line: &str) -> Option<Self> {
        let lower = line.to_ascii_lowercase();
        if lower.contains(".amazonaws.com") {
            Some(Self::Aws)
        } else if OTHER_BROKERS.iter().any(|w| lower.contains(w)) || private_ipv4(&lower) {
            Some(Self::Other)
        } else {
            None
        }
    }
}

/// Whether a line names a private IPv4 address (10.x, 172.16-31.x): a broker on the LAN.
fn private_ipv4(lower: &str) -> bool {
    lower.match_indices("10.").any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        !before.is_some_and(|c| c.is_ascii_digit() || c == '.')
            && lower[i + 3..].starts_with(|c: char| c.is_ascii_digit())
            && lower[i + 3..].matches('.').count() >= 2
    }) || lower.match_indices("172.").any(|(i, _)| {
        let rest = &lower[i + 4..];
        let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
        n.parse::<u8>().is_ok_and(|n| (16..=31).contains(&n))
    })
}

/// Words that make a clause AWS IoT Core's alone.
const AWS_ONLY: &[&str] = &[
    "aws",
    "amazon",
    "iot:",
    "-ats",
    "thing name",
    "policy",
    "policies",
    "certificate active",
    "inactive",
    "thing variables",
    "describe-endpoint",
];

/// How an AWS-only clause starts, and how another broker's does.
const AWS_LEADS: &[&str] = &["aws:", "aws iot:", "on aws iot", "with aws iot", "for aws iot"];
const OTHER_LEADS: &[&str] = &["other brokers:", "mosquitto:", "other broker:"];

/// What another broker's user is told when a whole cause or fix was AWS's alone.
pub const OTHER_CAUSE: &str = "the broker refused or dropped the client; with a broker other than AWS IoT the usual reasons are a username and password it does not accept (or none sent), an ACL that does not allow this client id or topic, a client certificate its CA did not sign, or a TLS port reached without TLS (1883 is plain MQTT, 8883 TLS)";
/// See [`OTHER_CAUSE`].
pub const OTHER_FIX: &str = "read the broker's own log at the moment of the attempt (mosquitto: run it with -v, or its log file): it names the reason; check the username and password, the ACL for this client id and topics, the CA file the board trusts (the broker's CA, not Amazon's), and that the port matches TLS or plain MQTT";

/// `text` with the clauses that do not fit `broker` left out (clauses end at "; " or a
/// sentence's ". "; a parenthesis that is AWS's alone goes too). Unknown keeps all.
/// `None` when nothing of it fits: the caller says [`OTHER_CAUSE`] or [`OTHER_FIX`].
pub fn for_broker(text: &str, broker: Broker) -> Option<Cow<'_, str>> {
    if broker == Broker::Unknown {
        return Some(Cow::Borrowed(text));
    }
    let fits = |clause: &str| {
        let c = clause.trim().to_ascii_lowercase();
        let aws_lead = AWS_LEADS.iter().any(|l| c.starts_with(l));
        let other_lead = OTHER_LEADS.iter().any(|l| c.starts_with(l));
        match broker {
            Broker::Aws => !other_lead,
            Broker::Other => !aws_lead && !AWS_ONLY.iter().any(|w| c.contains(w)),
            Broker::Unknown => true,
        }
    };
    let mut out = String::with_capacity(text.len());
    let mut dropped = false;
    for sentence in split_keep(text, ". ") {
        let mut kept = Vec::new();
        for clause in split_keep(sentence, "; ") {
            let clause = drop_parentheses(clause, &fits, &mut dropped);
            if fits(&clause) {
                kept.push(clause.into_owned());
            } else {
                dropped = true;
            }
        }
        if !kept.is_empty() {
            let s = kept.join("");
            let s = s.trim_end_matches("; ");
            out.push_str(s);
            if sentence.ends_with(". ") && !s.ends_with(". ") {
                out.push_str(". ");
            }
        }
    }
    let out = out.trim_end().trim_end_matches(';').to_string();
    if !dropped {
        Some(Cow::Borrowed(text))
    } else if out.trim().is_empty() {
        None
    } else {
        Some(Cow::Owned(out))
    }
}

/// An explanation's cause and fix as they hold for `broker`: AWS's clauses gone for
/// another broker (the whole cause or fix, when it was AWS's alone, replaced by what
/// another broker's user should check), other brokers' gone for AWS.
pub fn adapt(e: &mut Explanation, broker: Broker) {
    if broker == Broker::Unknown {
        return;
    }
    let cause = match for_broker(&e.cause, broker) {
        Some(Cow::Borrowed(_)) => None,
        Some(Cow::Owned(c)) => Some(Cow::Owned(c)),
        None => Some(Cow::Borrowed(OTHER_CAUSE)),
    };
    let fix = match for_broker(&e.fix, broker) {
        Some(Cow::Borrowed(_)) => None,
        Some(Cow::Owned(f)) => Some(Cow::Owned(f)),
        None => Some(Cow::Borrowed(OTHER_FIX)),
    };
    if let Some(c) = cause {
        e.cause = c;
    }
    if let Some(f) = fix {
        e.fix = f;
    }
}

/// `s` cut after each `sep`, the separator kept with the part before it.
fn split_keep<'a>(s: &'a str, sep: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in s.match_indices(sep) {
        out.push(&s[start..i + sep.len()]);
        start = i + sep.len();
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// A clause without the parentheses that do not fit (`(AWS: 8883; plain 1883)` is kept
/// for AWS, gone for another broker).
fn drop_parentheses<'a>(
    clause: &'a str,
    fits: &impl Fn(&str) -> bool,
    dropped: &mut bool,
) -> Cow<'a, str> {
    let mut out = String::new();
    let mut rest = clause;
    let mut changed = false;
    while let Some(open) = rest.find(" (") {
        let Some(close) = rest[open..].find(')').map(|c| open + c) else {
            break;
        };
        let inner = &rest[open + 2..close];
        out.push_str(&rest[..open]);
        if fits(inner) {
            out.push_str(&rest[open..=close]);
        } else {
            changed = true;
        }
        rest = &rest[close + 1..];
    }
    if !changed {
        return Cow::Borrowed(clause);
    }
    *dropped = true;
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_names_its_broker() {
        assert_eq!(
            Broker::of_endpoint("a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com"),
            Broker::Aws
        );
        assert_eq!(Broker::of_endpoint("test.mosquitto.org:8883"), Broker::Other);
        assert_eq!(Broker::of_endpoint(""), Broker::Unknown);
    }

    #[test]
    fn lines_name_their_broker() {
        for (line, b) in [
            ("Connecting to xxx-ats.iot.us-east-1.amazonaws.com:8883", Some(Broker::Aws)),
            ("MQTT: Connect FAILED to 192.168.178.94:1883, rc 5", Some(Broker::Other)),
            ("Attempting connection to broker.hivemq.com", Some(Broker::Other)),
            ("1655652464: New connection from 10.0.0.5:51778 on port 1883.", Some(Broker::Other)),
            ("WiFi connected", None),
            ("heap 110.5 KiB", None),
        ] {
            assert_eq!(Broker::of_line(line), b, "{line}");
        }
    }

    #[test]
    fn aws_clauses_go_for_another_broker_and_stay_for_aws() {
        let fix = "Check Wi-Fi, host and port (AWS: 8883; plain 1883). Check the CA and the certificate; AWS: Amazon Root CA 1, -ats endpoint, certificate ACTIVE. Other brokers: check the broker's log.";
        let other = for_broker(fix, Broker::Other).unwrap();
        assert!(!other.contains("AWS"), "{other}");
        assert!(!other.contains("Amazon"), "{other}");
        assert!(other.contains("Check Wi-Fi, host and port"), "{other}");
        assert!(other.contains("broker's log"), "{other}");
        let aws = for_broker(fix, Broker::Aws).unwrap();
        assert!(aws.contains("Amazon Root CA 1"), "{aws}");
        assert!(!aws.contains("Other brokers"), "{aws}");
        assert_eq!(for_broker(fix, Broker::Unknown).unwrap(), fix);
    }

    #[test]
    fn a_text_that_is_aws_advice_alone_is_none_for_another_broker() {
        let fix = "attach a policy allowing iot:Connect";
        assert_eq!(for_broker(fix, Broker::Other), None);
        assert_eq!(for_broker(fix, Broker::Aws).unwrap(), fix);
    }
}
