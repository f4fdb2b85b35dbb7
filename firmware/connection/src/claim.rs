//! Fleet provisioning by claim, on an established transport opened with the batch's claim
//! certificate: subscribe to the answers first, publish the board's own request
//! (`create-from-csr`: the key stays on the board), then the template's `provision` with
//! the ownership token and the board's parameters; each step an event line. The caller
//! stores the certificate, drops the claim and connects as itself. The topics and
//! payloads are `thingflash_protocol::claim`'s.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::num::NonZero;

use embassy_futures::select::{Either, select};
use embedded_io_async::{Read, Write};
use rust_mqtt::buffer::AllocBuffer;
use rust_mqtt::client::event::Event as MqttEvent;
use rust_mqtt::client::options::{
    ConnectOptions, DisconnectOptions, PublicationOptions, SubscriptionOptions, TopicReference,
};
use rust_mqtt::client::{Client, MqttError};
use rust_mqtt::config::KeepAlive;
use rust_mqtt::types::{MqttString, TopicFilter, TopicName};
use thingflash_protocol::claim::{self, Answer};
use thingflash_protocol::event::{ClaimStep, Event};

use crate::Platform;

/// How long AWS has to answer each request.
pub const ANSWER_TIMEOUT_MS: u64 = 30_000;

/// What the claim needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimSettings {
    /// The client id of the claim connection (the board's MAC: unique per board, as AWS
    /// requires of client ids).
    pub client_id: String,
    /// The provisioning template.
    pub template: String,
    /// The template's parameters (`Mac`: the board's MAC, 12 hex digits).
    pub parameters: Vec<(String, String)>,
    /// Keep-alive, seconds.
    pub keepalive_s: u16,
}

/// What the claim got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    /// The board's certificate, PEM.
    pub certificate_pem: String,
    /// Its id.
    pub certificate_id: String,
    /// The thing the template made.
    pub thing: String,
}

/// Why the claim did not finish (each already reported as an event).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimEnd {
    /// AWS refused a step.
    Rejected(ClaimStep),
    /// A step did not finish: no answer in time, an unreadable answer.
    Failed(ClaimStep),
    /// The connection was refused or closed (a revoked claim certificate is closed before
    /// CONNACK).
    Closed {
        /// Before any CONNACK.
        before_connack: bool,
    },
}

// The session's own client type: one copy of rust-mqtt's code in the firmware, not two.
type ClaimClient<'a, 'c, T> = crate::mqtt::MqttClient<'a, 'c, T>;

fn mqtt_str(s: &str) -> Option<MqttString<'_>> {
    MqttString::try_from(s).ok()
}

fn failed<P: Platform>(p: &mut P, step: ClaimStep, detail: &str) -> ClaimEnd {
    p.emit(&Event::ClaimFailed {
        step,
        detail: Cow::Borrowed(detail),
    });
    ClaimEnd::Failed(step)
}

/// The session's report of a close (`mqtt.closed`), as the claim's end.
fn closed<P: Platform, const N: usize>(p: &mut P, e: &MqttError<'_, N>, before: bool) -> ClaimEnd {
    crate::mqtt::closed(p, e, before);
    ClaimEnd::Closed {
        before_connack: before,
    }
}

/// Run the claim over `transport` with the board's request `csr_pem`.
pub async fn claim<T, P>(
    transport: T,
    s: &ClaimSettings,
    csr_pem: &str,
    p: &mut P,
) -> Result<Claimed, ClaimEnd>
where
    T: Read + Write,
    P: Platform,
{
    let mut buffer = AllocBuffer;
    let mut client: ClaimClient<'_, '_, T> = Client::new(&mut buffer);
    let provision = open(&mut client, transport, s, p).await?;

    // 1. The board's own request.
    let request = claim::csr_request(csr_pem);
    let answer = ask(
        &mut client,
        p,
        claim::CREATE_FROM_CSR,
        &request,
        ClaimStep::Create,
    )
    .await?;
    let (certificate_id, certificate_pem, token) = match answer {
        Answer::Certificate { id, pem, token } => (id, pem, token),
        other => return Err(reject(p, ClaimStep::Create, other)),
    };
    p.emit(&Event::ClaimCert {
        id: Cow::Borrowed(&certificate_id),
    });

    // 2. The template makes the thing and activates the certificate.
    let params: Vec<(&str, &str)> = s
        .parameters
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let request = claim::provision_request(&token, &params);
    let answer = ask(&mut client, p, &provision, &request, ClaimStep::Provision).await?;
    let thing = match answer {
        Answer::Provisioned { thing } => thing,
        other => return Err(reject(p, ClaimStep::Provision, other)),
    };
    let _ = client.disconnect(&DisconnectOptions::new()).await;
    Ok(Claimed {
        certificate_pem,
        certificate_id,
        thing,
    })
}

/// Check a claim certificate and its policy without provisioning anything: connect with
/// it and subscribe to the answer topics (what a revoked claim, or a policy without the
/// provisioning topics, fails), then disconnect. The connection test's claim stages.
pub async fn check<T, P>(transport: T, s: &ClaimSettings, p: &mut P) -> Result<(), ClaimEnd>
where
    T: Read + Write,
    P: Platform,
{
    let mut buffer = AllocBuffer;
    let mut client: ClaimClient<'_, '_, T> = Client::new(&mut buffer);
    open(&mut client, transport, s, p).await?;
    let _ = client.disconnect(&DisconnectOptions::new()).await;
    Ok(())
}

/// Connect with the claim certificate and subscribe to both requests' answers (AWS
/// answers on this connection only, and drops an answer nobody subscribed to); the
/// template's provision topic.
async fn open<T, P>(
    client: &mut ClaimClient<'_, '_, T>,
    transport: T,
    s: &ClaimSettings,
    p: &mut P,
) -> Result<String, ClaimEnd>
where
    T: Read + Write,
    P: Platform,
{
    let started = p.now_ms();
    let keepalive = NonZero::new(s.keepalive_s).unwrap_or(NonZero::<u16>::MIN.saturating_add(59));
    p.emit(&Event::ClaimStart {
        template: Cow::Borrowed(&s.template),
    });
    p.emit(&Event::MqttConnecting {
        client_id: Cow::Borrowed(&s.client_id),
        keepalive: keepalive.get(),
    });
    let Some(id) = mqtt_str(&s.client_id) else {
        return Err(failed(
            p,
            ClaimStep::Create,
            "the client id is not MQTT text",
        ));
    };
    let options = ConnectOptions::new()
        .clean_start()
        .keep_alive(KeepAlive::Seconds(keepalive));
    match client.connect(transport, &options, Some(id)).await {
        Ok(c) => {
            p.emit(&Event::MqttConnack {
                reason: 0,
                session_present: c.session_present,
                ms: p.now_ms().saturating_sub(started) as u32,
            });
        }
        Err(MqttError::Disconnect { reason, .. }) => {
            p.emit(&Event::MqttConnack {
                reason: reason.value(),
                session_present: false,
                ms: p.now_ms().saturating_sub(started) as u32,
            });
            return Err(ClaimEnd::Closed {
                before_connack: false,
            });
        }
        Err(e) => return Err(closed(p, &e, true)),
    }

    let provision = claim::provision_topic(&s.template);
    let mut answer_topics = Vec::new();
    for request in [claim::CREATE_FROM_CSR, provision.as_str()] {
        let (ok, no) = claim::answers(request);
        answer_topics.push(ok);
        answer_topics.push(no);
    }
    for topic in &answer_topics {
        let Some(filter) = mqtt_str(topic).and_then(TopicFilter::new) else {
            return Err(failed(
                p,
                ClaimStep::Create,
                "an answer topic is not MQTT text",
            ));
        };
        if let Err(e) = client.subscribe(filter, &SubscriptionOptions::new()).await {
            return Err(closed(p, &e, false));
        }
        // One subscription in flight at a time: wait for its SUBACK.
        loop {
            let header = match client.poll_header().await {
                Ok(h) => h,
                Err(e) => return Err(closed(p, &e, false)),
            };
            match client.poll_body(header).await {
                Ok(MqttEvent::Suback(ack)) => {
                    p.emit(&Event::MqttSubscribed {
                        topic: Cow::Borrowed(topic),
                        reason: ack.reason_code.value(),
                    });
                    if ack.reason_code.value() >= 0x80 {
                        return Err(failed(
                            p,
                            ClaimStep::Create,
                            "the broker refused a subscription to an answer topic: the claim policy must allow it",
                        ));
                    }
                    break;
                }
                Ok(_) => continue,
                Err(e) => return Err(closed(p, &e, false)),
            }
        }
    }

    Ok(provision)
}

/// A `rejected` answer (or a wrong one) reported as its step's refusal.
fn reject<P: Platform>(p: &mut P, step: ClaimStep, answer: Answer) -> ClaimEnd {
    match answer {
        Answer::Rejected(r) => {
            p.emit(&Event::ClaimRejected {
                step,
                status: r.status,
                code: Cow::Owned(r.code),
                message: Cow::Owned(r.message),
            });
            ClaimEnd::Rejected(step)
        }
        _ => failed(p, step, "the answer is not the one this step expects"),
    }
}

/// Publish `payload` to `topic` and wait for the answer on its `accepted` or `rejected`
/// topic.
async fn ask<T, P>(
    client: &mut ClaimClient<'_, '_, T>,
    p: &mut P,
    topic: &str,
    payload: &str,
    step: ClaimStep,
) -> Result<Answer, ClaimEnd>
where
    T: Read + Write,
    P: Platform,
{
    let Some(name) = mqtt_str(topic).and_then(TopicName::new) else {
        return Err(failed(p, step, "the request topic is not MQTT text"));
    };
    let options = PublicationOptions::new(TopicReference::Name(name.as_borrowed()));
    if let Err(e) = client.publish(&options, payload.into()).await {
        return Err(closed(p, &e, false));
    }
    p.emit(&Event::MqttPublished {
        topic: Cow::Borrowed(topic),
        bytes: payload.len() as u32,
    });
    let (accepted, rejected) = claim::answers(topic);
    let deadline = p.now_ms() + ANSWER_TIMEOUT_MS;
    loop {
        let now = p.now_ms();
        if now >= deadline {
            return Err(failed(p, step, "AWS IoT sent no answer in 30 s"));
        }
        let header = match select(client.poll_header(), p.sleep_ms(deadline - now)).await {
            Either::First(Ok(h)) => h,
            Either::First(Err(e)) => return Err(closed(p, &e, false)),
            Either::Second(()) => continue,
        };
        let publish = match client.poll_body(header).await {
            Ok(MqttEvent::Publish(publish)) => publish,
            Ok(_) => continue,
            Err(e) => return Err(closed(p, &e, false)),
        };
        let on = match &publish.topic {
            TopicReference::Name(n) | TopicReference::Mapping(n, _) => {
                String::from(n.as_ref().as_str())
            }
            TopicReference::Alias(_) => continue,
        };
        p.emit(&Event::MqttMessage {
            topic: Cow::Borrowed(&on),
            bytes: publish.message.len() as u32,
        });
        if on != accepted && on != rejected {
            continue;
        }
        return claim::read_answer(&on, &publish.message)
            .map_err(|_| failed(p, step, "AWS IoT's answer could not be read"));
    }
}
