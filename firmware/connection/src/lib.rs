//! The connection logic the firmware runs once WiFi and the clock are up: TLS with the
//! board's credentials ([`tls`]), the MQTT 5 session with telemetry and commands
//! ([`mqtt`]), and the reconnect backoff ([`backoff`]). Everything is generic over the
//! transport (`embedded-io-async`) and over a small [`Platform`] (time, randomness,
//! stats, where event lines go), so the same code runs on the board and in host tests
//! against a real broker. Every step reports a `[tf1]` event line (`thingflash_protocol::event`).
#![no_std]

extern crate alloc;
#[cfg(feature = "desktop")]
extern crate std;

pub mod backoff;
pub mod claim;
pub mod clock;
#[cfg(feature = "desktop")]
pub mod desktop;
pub mod mqtt;
pub mod telemetry;
#[cfg(feature = "tls")]
pub mod tls;

use thingflash_protocol::event::Event;

/// Whether the caller wants the session to go on after an event (tests stop early).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Keep going.
    Continue,
    /// End the session cleanly after this event.
    Stop,
}

/// What the connection logic needs from the board (or the host test).
pub trait Platform {
    /// Milliseconds since start, monotonic.
    fn now_ms(&self) -> u64;
    /// Wait `ms` milliseconds.
    fn sleep_ms(&mut self, ms: u64) -> impl core::future::Future<Output = ()>;
    /// A random number (jitter; not for keys).
    fn random_u32(&mut self) -> u32;
    /// WiFi signal strength, dBm.
    fn rssi(&self) -> Option<i16>;
    /// Free heap, bytes.
    fn heap_free(&self) -> Option<u32>;
    /// Report an event (the board prints it as a line).
    fn emit(&mut self, event: &Event<'_>) -> Flow;
    /// Whether to end the session cleanly now, checked whenever the session wakes (a stop
    /// button on the host; the board runs until reset).
    fn stop_requested(&self) -> bool {
        false
    }
}
