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

use super::explanation::Explanation;

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

/// Brokers other than AWS IoT by name, as logs show them (lower case).
pub const BROKER_NAMES: &[&str] = &[
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
];

/// A broker on this machine or the LAN, or the plain MQTT port (lower case).
const LOCAL: &[&str] = &["localhost", "127.0.0.1", "192.168."];

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

    /// The broker a log line shows, if it shows one. A broker's name counts anywhere; an
    /// address on the LAN or port 1883 only in a line about connecting (the board's own
    /// address, `IP address: 192.168.1.5`, says nothing of the broker).
    pub fn of_line(line: &str) -> Option<Self> {
        let lower = line.to_ascii_lowercase();
        if lower.contains(".amazonaws.com") {
            return Some(Self::Aws);
        }
        if BROKER_NAMES.iter().any(|w| lower.contains(w)) {
            return Some(Self::Other);
        }
        // The board's own address and its network's say nothing of the broker.
        let own_network = [
            "wifi",
            "ip address",
            "got ip",
            "sta ip",
            "ip:",
            " ip ",
            "ip=",
            "dhcp",
            "gw:",
            "mask",
        ]
        .iter()
        .any(|w| lower.contains(w));
        if own_network {
            return None;
        }
        let plain_port = lower.contains(":1883") || lower.contains("port 1883");
        let about_broker = ["mqtt", "broker", "server", "connection from", "connect"]
            .iter()
            .any(|w| lower.contains(w));
        let local = LOCAL.iter().any(|w| lower.contains(w)) || private_ipv4(&lower);
        let about_connecting = about_broker;
        (plain_port || about_connecting && local).then_some(Self::Other)
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

/// What another broker's user is told when a whole cause or fix was AWS's alone.
pub const OTHER_CAUSE: &str = "the broker refused or dropped the client: the usual reasons are a username and password it does not accept (or none sent), an ACL that does not allow this client id or topic, a client certificate its CA did not sign, or a TLS port reached without TLS (1883 is plain MQTT, 8883 TLS)";
/// See [`OTHER_CAUSE`].
pub const OTHER_FIX: &str = "read the broker's own log at the moment of the attempt (mosquitto: run it with -v, or its log file): it names the reason; check the username and password, the ACL for this client id and topics, the CA file the board trusts (the one that signed the broker's certificate), and that the port matches TLS or plain MQTT";

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

/// Words that make a clause AWS IoT Core's alone (after [`AS_BROKER`] has made "AWS IoT
/// hung up" read "the broker hung up").
const AWS_ONLY: &[&str] = &[
    "aws",
    "amazon",
    "iot:",
    "-ats",
    "thing name",
    "policy",
    "policies",
    "inactive",
    "thing variables",
    "describe-endpoint",
    "x-amzn",
];

/// AWS IoT named as the server a board talks to, said of any broker; the phrases that
/// name AWS's own console and settings stay (and their clauses go).
const AS_BROKER: &[(&str, &str)] = &[("AWS IoT's ", "the broker's "), ("AWS IoT ", "the broker ")];
const AWS_PLACES: &[&str] = &["console", "Settings", "policy", "polic", "Core", "Device"];

/// How an AWS-only clause starts, and how another broker's does.
const AWS_LEADS: &[&str] = &[
    "aws:",
    "aws iot:",
    "on aws iot",
    "with aws iot",
    "for aws iot",
];
const OTHER_LEADS: &[&str] = &["other brokers:", "mosquitto:", "other broker:"];

/// `text` with the clauses that do not fit `broker` left out (clauses end at "; " or at a
/// sentence's ". "; a parenthesis that is AWS's alone goes too; numbered steps are
/// numbered again). Unknown keeps all. `None` when nothing of it fits: the caller says
/// [`OTHER_CAUSE`] or [`OTHER_FIX`].
pub fn for_broker(text: &str, broker: Broker) -> Option<Cow<'_, str>> {
    // Most texts hold nothing to leave out: tell so without cutting them (this runs on
    // every explained line once the broker is known).
    let concerned: &[&str] = match broker {
        Broker::Unknown => return Some(Cow::Borrowed(text)),
        Broker::Aws => &["ther broker", "osquitto:", "Mosquitto:"],
        Broker::Other => &[
            "AWS",
            "aws",
            "Amazon",
            "amazon",
            "iot:",
            "-ats",
            "olic",
            "thing",
            "INACTIVE",
            "inactive",
            "x-amzn",
            "describe-endpoint",
        ],
    };
    if !concerned.iter().any(|w| super::text::has(text, w)) {
        return Some(Cow::Borrowed(text));
    }
    let source: Cow<'_, str> = if broker == Broker::Other {
        as_broker(text)
    } else {
        Cow::Borrowed(text)
    };
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
    let mut kept: Vec<String> = Vec::new();
    let mut dropped = false;
    for clause in clauses(&source) {
        let clause = drop_parentheses(clause, &fits, &mut dropped);
        if fits(&clause) {
            kept.push(clause.into_owned());
        } else {
            dropped = true;
        }
    }
    if !dropped {
        return Some(source);
    }
    let mut out = renumber(&kept).concat();
    let trimmed = out.trim_end().trim_end_matches([';', ',', ':']).len();
    out.truncate(trimmed);
    let last_sentence_ended = kept.last().is_some_and(|c| c.trim_end().ends_with('.'));
    if last_sentence_ended && !out.ends_with('.') {
        out.push('.');
    }
    // Only connecting words left ("check in order:").
    if out.trim().chars().filter(|c| c.is_alphanumeric()).count() < 12
        || out.trim().ends_with("order")
    {
        return None;
    }
    Some(Cow::Owned(out))
}

/// "AWS IoT" as the server a board talks to, said of any broker.
fn as_broker(text: &str) -> Cow<'_, str> {
    if !text.contains("AWS IoT") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("AWS IoT") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let replaced = AS_BROKER.iter().find(|(from, _)| {
            after.starts_with(from)
                && !AWS_PLACES
                    .iter()
                    .any(|p| after[from.len()..].starts_with(p))
        });
        match replaced {
            Some((from, to)) => {
                // Start of a sentence or clause: a capital.
                let start = out.trim_end().is_empty() || out.trim_end().ends_with(['.', ':', ';']);
                if start {
                    let mut t = to.to_string();
                    t[..1].make_ascii_uppercase();
                    out.push_str(&t);
                } else {
                    out.push_str(to);
                }
                rest = &after[from.len()..];
            }
            None => {
                out.push_str("AWS IoT");
                rest = &after["AWS IoT".len()..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// A text cut into clauses, each with what ends it: after "; ", and after ". " that ends
/// a sentence (not "e.g. ", "i.e. ", "etc. ", "vs. ").
fn clauses(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = s.as_bytes();
    let mut i = 0;
    // Inside parentheses a "; " belongs to them (`(AWS: 8883; plain 1883)`).
    let mut depth = 0i32;
    while i + 1 < b.len() {
        match b[i] {
            b'(' => depth += 1,
            b')' => depth = (depth - 1).max(0),
            _ => {}
        }
        let end_here = depth == 0
            && ((b[i] == b';' && b[i + 1] == b' ')
                || (b[i] == b'.' && b[i + 1] == b' ' && !abbreviation(&s[..i])));
        if end_here {
            out.push(&s[start..i + 2]);
            start = i + 2;
            i += 2;
        } else {
            i += 1;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

fn abbreviation(before: &str) -> bool {
    ["e.g", "i.e", "etc", "vs", "approx", "cf"]
        .iter()
        .any(|a| before.ends_with(a))
}

/// Clauses that start with a step number (`2) `) numbered again from 1, in order.
fn renumber(clauses: &[String]) -> Vec<String> {
    let mut n = 0;
    clauses
        .iter()
        .map(|c| {
            let lead = c.len() - c.trim_start().len();
            let t = &c[lead..];
            let digits = t.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 && t[digits..].starts_with(") ") {
                n += 1;
                format!("{}{n}{}", &c[..lead], &t[digits..])
            } else if let Some(at) = c.find(" 1) ").filter(|_| n == 0) {
                // "check in order: 1) ..." opens the list.
                n = 1;
                c[..at + 4].to_string() + &c[at + 4..]
            } else {
                c.clone()
            }
        })
        .collect()
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
        assert_eq!(
            Broker::of_endpoint("test.mosquitto.org:8883"),
            Broker::Other
        );
        assert_eq!(Broker::of_endpoint(""), Broker::Unknown);
    }

    #[test]
    fn lines_name_their_broker() {
        for (line, b) in [
            (
                "Connecting to xxx-ats.iot.us-east-1.amazonaws.com:8883",
                Some(Broker::Aws),
            ),
            (
                "MQTT: Connect FAILED to 192.168.178.94:1883, rc 5",
                Some(Broker::Other),
            ),
            (
                "Attempting connection to broker.hivemq.com",
                Some(Broker::Other),
            ),
            (
                "1655652464: New connection from 10.0.0.5:51778 on port 1883.",
                Some(Broker::Other),
            ),
            ("WiFi connected", None),
            ("WiFi connected, IP 192.168.1.57", None),
            ("Connecting to 192.168.0.92:1883", Some(Broker::Other)),
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
