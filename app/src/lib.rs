//! thingflash as a library: every operation the GUI and the CLI offer, as plain code
//! with no GUI types, so that it can be tested and scripted. `gui` and `cli` are thin
//! shells over the other modules.
pub mod board_key;
pub mod bundle;
pub mod chip;
pub mod cli;
pub mod credentials;
pub mod esp8266;
pub mod firmware;
pub mod flash;
pub mod fleet;
pub mod fs;
#[cfg(feature = "gui")]
pub mod gui;
pub mod job;
pub mod monitor;
pub mod own;
pub mod partitions;
pub mod ports;
pub mod probe;
pub mod provision;
pub mod target;
