//! The contract between a thingflash board and the thingflash desktop app.
//!
//! Everything both sides must agree on lives here, in one `no_std` + `alloc` crate that
//! builds for the ESP32-C3/C6 targets and for the host:
//!
//! - [`tlv`]: Espressif's `esp_secure_cert` partition format, in which the app writes the
//!   device certificate, private key, root CA(s) and config, and from which the firmware
//!   reads them. Byte-compatible with Espressif's tools.
//! - [`config`]: the device config record (WiFi, endpoint, MQTT identity and topics)
//!   stored in a user-data record of that partition, validated identically on both sides.
//! - [`event`]: the one-line-per-event serial grammar the firmware prints and the app
//!   parses.
//! - [`credentials`]: reading a whole credentials partition into what the firmware needs.
//! - [`x509`]: the certificate facts the board reports (CN, expiry, key type).
//! - [`device_key`]: the key the firmware makes on the board, its record and its CSR.
//! - [`claim`]: fleet provisioning by claim as the board speaks it to AWS IoT.
#![no_std]
#![cfg_attr(not(test), warn(missing_docs))]

extern crate alloc;

mod b64;
pub mod claim;
pub mod config;
pub mod credentials;
pub mod device_key;
pub mod event;
pub mod tlv;
pub mod x509;
