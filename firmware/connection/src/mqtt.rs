//! The MQTT 5 session (rust-mqtt) over an established transport: connect with the client
//! id and report the CONNACK reason code, subscribe to the command topic, publish
//! telemetry at QoS 1 at the configured interval and report each PUBACK's reason, answer
//! each command, keep the connection alive; and [`run`], the reconnect loop with backoff
//! around it. Each step is an event line.

use alloc::borrow::Cow;
use alloc::string::String;
use core::future::Future;
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
use thingflash_protocol::config::DeviceConfig;
use thingflash_protocol::event::{Event, Stage};

use crate::backoff::Backoff;
use crate::telemetry::{Command, Telemetry};
use crate::{Flow, Platform};

/// What the session needs from the device config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// MQTT client id (the thing name on AWS).
    pub client_id: String,
    /// Keep-alive, seconds (AWS accepts 30..=1200).
    pub keepalive_s: u16,
    /// Milliseconds between telemetry messages.
    pub telemetry_interval_ms: u64,
    /// `<prefix>/<client id>/telemetry`
    pub telemetry_topic: String,
    /// `<prefix>/<client id>/cmd`
    pub command_topic: String,
    /// `<prefix>/<client id>/reply`
    pub reply_topic: String,
    /// Firmware version, reported in telemetry.
    pub fw: String,
    /// Also subscribe to the telemetry topic and report the messages that come back: the
    /// connection test's read-back. The board leaves it off (it would hear itself).
    pub echo: bool,
}

impl Settings {
    /// From the device config, with the firmware version.
    pub fn new(config: &DeviceConfig, fw: &str) -> Self {
        Self {
            client_id: config.client_id.clone(),
            keepalive_s: config.keepalive_s,
            telemetry_interval_ms: u64::from(config.telemetry_interval_s) * 1000,
            telemetry_topic: config.telemetry_topic(),
            command_topic: config.command_topic(),
            reply_topic: config.reply_topic(),
            fw: String::from(fw),
            echo: false,
        }
    }
}

/// How a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The broker answered CONNACK with an error reason (0x87 not authorized, ...).
    Refused {
        /// The reason code.
        reason: u8,
    },
    /// The connection closed: with the broker's DISCONNECT reason, or none when the
    /// network went away.
    Closed {
        /// DISCONNECT reason code, if the broker sent one.
        reason: Option<u8>,
        /// It closed before any CONNACK (how AWS refuses a policy or an inactive certificate).
        before_connack: bool,
    },
    /// The platform asked to stop.
    Stopped,
}

impl End {
    /// Whether the session got as far as a successful CONNACK.
    pub fn reached_connack(&self) -> bool {
        matches!(
            self,
            End::Closed {
                before_connack: false,
                ..
            }
        )
    }
}

// Two subscriptions may be in flight (the command topic and the read-back); one QoS 1
// PUBLISH at a time.
pub(crate) type MqttClient<'a, 'c, T> = Client<'a, 'c, T, AllocBuffer, 2, 1, 1, 0, 1, 0, 0>;

/// Report how a connection closed (`mqtt.closed`) and say so as an [`End`].
pub(crate) fn closed<P: Platform, const N: usize>(
    p: &mut P,
    e: &MqttError<'_, N>,
    before: bool,
) -> End {
    let reason = match e {
        MqttError::Disconnect { reason, .. } => Some(reason.value()),
        _ => None,
    };
    p.emit(&Event::MqttClosed {
        reason,
        before_connack: before,
    });
    End::Closed {
        reason,
        before_connack: before,
    }
}

fn mqtt_str(s: &str) -> Option<MqttString<'_>> {
    MqttString::try_from(s).ok()
}

/// Run one MQTT session over `transport` until it ends.
pub async fn session<T, P>(transport: T, s: &Settings, p: &mut P) -> End
where
    T: Read + Write,
    P: Platform,
{
    let mut buffer = AllocBuffer;
    let mut client: MqttClient<'_, '_, T> = Client::new(&mut buffer);
    let keepalive = NonZero::new(s.keepalive_s).unwrap_or(NonZero::<u16>::MIN.saturating_add(59));
    if p.emit(&Event::MqttConnecting {
        client_id: Cow::Borrowed(&s.client_id),
        keepalive: keepalive.get(),
    }) == Flow::Stop
    {
        return End::Stopped;
    }
    let (Some(id), Some(filter), Some(echo), Some(telemetry_name), Some(reply_name)) = (
        mqtt_str(&s.client_id),
        mqtt_str(&s.command_topic).and_then(TopicFilter::new),
        mqtt_str(&s.telemetry_topic).and_then(TopicFilter::new),
        mqtt_str(&s.telemetry_topic).and_then(TopicName::new),
        mqtt_str(&s.reply_topic).and_then(TopicName::new),
    ) else {
        // The config record was validated when it was written; this is a firmware bug.
        p.emit(&Event::MqttClosed {
            reason: None,
            before_connack: true,
        });
        return End::Closed {
            reason: None,
            before_connack: true,
        };
    };
    let started = p.now_ms();
    let options = ConnectOptions::new()
        .clean_start()
        .keep_alive(KeepAlive::Seconds(keepalive));
    match client.connect(transport, &options, Some(id)).await {
        Ok(c) => {
            let ms = p.now_ms().saturating_sub(started) as u32;
            if p.emit(&Event::MqttConnack {
                reason: 0,
                session_present: c.session_present,
                ms,
            }) == Flow::Stop
            {
                let _ = client.disconnect(&DisconnectOptions::new()).await;
                return End::Stopped;
            }
        }
        Err(MqttError::Disconnect { reason, .. }) => {
            let ms = p.now_ms().saturating_sub(started) as u32;
            p.emit(&Event::MqttConnack {
                reason: reason.value(),
                session_present: false,
                ms,
            });
            return End::Refused {
                reason: reason.value(),
            };
        }
        Err(e) => return closed(p, &e, true),
    }

    if let Err(e) = client.subscribe(filter, &SubscriptionOptions::new()).await {
        return closed(p, &e, false);
    }
    let echo_sub = match s.echo {
        true => match client.subscribe(echo, &SubscriptionOptions::new()).await {
            Ok(pid) => Some(pid),
            Err(e) => return closed(p, &e, false),
        },
        false => None,
    };

    let keepalive_ms = u64::from(keepalive.get()) * 1000;
    let mut next_telemetry = p.now_ms();
    let mut last_sent = p.now_ms();
    let mut seq: u32 = 0;
    loop {
        if p.stop_requested() {
            let _ = client.disconnect(&DisconnectOptions::new()).await;
            return End::Stopped;
        }
        let now = p.now_ms();
        if now >= next_telemetry {
            seq = seq.wrapping_add(1);
            let t = Telemetry {
                uptime_s: now / 1000,
                rssi: p.rssi(),
                heap_free: p.heap_free(),
                fw: &s.fw,
                seq,
            };
            let body = t.to_json();
            let topic = TopicReference::Name(telemetry_name.as_borrowed());
            let options = PublicationOptions::new(topic).at_least_once();
            next_telemetry = now + s.telemetry_interval_ms.max(1000);
            match client.publish(&options, body.as_str().into()).await {
                Ok(_) => {}
                // The last one's PUBACK is still outstanding (one in flight): this
                // interval's telemetry is skipped rather than queued.
                Err(MqttError::SendQuotaExceeded) => continue,
                Err(e) => return closed(p, &e, false),
            }
            last_sent = now;
            if p.emit(&Event::MqttPublished {
                topic: Cow::Borrowed(&s.telemetry_topic),
                bytes: body.len() as u32,
            }) == Flow::Stop
            {
                let _ = client.disconnect(&DisconnectOptions::new()).await;
                return End::Stopped;
            }
            continue;
        }
        // Ping when half the keep-alive passed without sending anything.
        let ping_at = last_sent + keepalive_ms / 2;
        if now >= ping_at {
            if let Err(e) = client.ping().await {
                return closed(p, &e, false);
            }
            last_sent = now;
            continue;
        }
        let wait = next_telemetry.min(ping_at) - now;
        let header = match select(client.poll_header(), p.sleep_ms(wait)).await {
            Either::First(Ok(h)) => h,
            Either::First(Err(e)) => return closed(p, &e, false),
            Either::Second(()) => continue,
        };
        let (flow, command) = match client.poll_body(header).await {
            Err(e) => return closed(p, &e, false),
            Ok(MqttEvent::Suback(ack)) => {
                let topic = match Some(ack.packet_identifier) == echo_sub {
                    true => &s.telemetry_topic,
                    false => &s.command_topic,
                };
                (
                    p.emit(&Event::MqttSubscribed {
                        topic: Cow::Borrowed(topic),
                        reason: ack.reason_code.value(),
                    }),
                    None,
                )
            }
            Ok(MqttEvent::PublishAcknowledged(ack)) => (
                p.emit(&Event::MqttPuback {
                    topic: Cow::Borrowed(&s.telemetry_topic),
                    reason: ack.reason_code.value(),
                }),
                None,
            ),
            Ok(MqttEvent::PublishRejected(rejected)) => (
                p.emit(&Event::MqttPuback {
                    topic: Cow::Borrowed(&s.telemetry_topic),
                    reason: rejected.reason_code.value(),
                }),
                None,
            ),
            Ok(MqttEvent::Publish(publish)) => {
                let topic = match &publish.topic {
                    TopicReference::Name(n) | TopicReference::Mapping(n, _) => {
                        String::from(n.as_ref().as_str())
                    }
                    TopicReference::Alias(_) => String::from("?"),
                };
                let bytes = publish.message.len() as u32;
                // Only the command topic carries commands (the read-back is telemetry).
                let command = (topic == s.command_topic).then(|| Command::parse(&publish.message));
                (
                    p.emit(&Event::MqttMessage {
                        topic: Cow::Owned(topic),
                        bytes,
                    }),
                    command,
                )
            }
            Ok(_) => (Flow::Continue, None),
        };
        if flow == Flow::Stop {
            let _ = client.disconnect(&DisconnectOptions::new()).await;
            return End::Stopped;
        }
        if let Some(command) = command {
            let t = Telemetry {
                uptime_s: p.now_ms() / 1000,
                rssi: p.rssi(),
                heap_free: p.heap_free(),
                fw: &s.fw,
                seq,
            };
            let answer = command.answer(&t);
            let topic = TopicReference::Name(reply_name.as_borrowed());
            if let Err(e) = client
                .publish(&PublicationOptions::new(topic), answer.as_str().into())
                .await
            {
                return closed(p, &e, false);
            }
            last_sent = p.now_ms();
            if p.emit(&Event::MqttPublished {
                topic: Cow::Borrowed(&s.reply_topic),
                bytes: answer.len() as u32,
            }) == Flow::Stop
            {
                let _ = client.disconnect(&DisconnectOptions::new()).await;
                return End::Stopped;
            }
        }
    }
}

/// Opens the transport for a session: DNS, TCP and TLS on the board; whatever the test
/// needs on the host. On failure it has reported the event (`dns.failed`, `tls.failed`)
/// and returns the stage that failed.
pub trait Connector {
    /// The connected transport.
    type Transport: Read + Write;
    /// Connect, reporting each step through `p`.
    fn connect<P: Platform>(
        &mut self,
        p: &mut P,
    ) -> impl Future<Output = Result<Self::Transport, Stage>>;
}

/// Connect, run a session, and on any failure wait with backoff and jitter (reported as
/// a `retry` event) and start again; the backoff starts over after a session that got a
/// CONNACK. Returns only when the platform stops it.
pub async fn run<C, P>(connector: &mut C, s: &Settings, backoff: &mut Backoff, p: &mut P)
where
    C: Connector,
    P: Platform,
{
    loop {
        let stage = match connector.connect(p).await {
            Ok(transport) => {
                let end = session(transport, s, p).await;
                if end == End::Stopped {
                    return;
                }
                if end.reached_connack() {
                    backoff.reset();
                }
                Stage::Mqtt
            }
            Err(stage) => stage,
        };
        let (attempt, delay_ms) = backoff.next(p.random_u32());
        if p.emit(&Event::Retry {
            stage,
            attempt,
            delay_ms,
        }) == Flow::Stop
        {
            return;
        }
        p.sleep_ms(u64::from(delay_ms)).await;
    }
}
