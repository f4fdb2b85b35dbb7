//! thingflash's integration tests, one binary (as ripgrep keeps them): a module per area,
//! each against real peers (openssl, esptool, esp32-mock-bootloader, mosquitto,
//! moto_server, littlefs-python, egui_kittest), with the helpers in `common` once. One
//! binary links the app once instead of once per area.

mod board_key;
mod client_id;
mod common;
mod corpus;
mod credential_sources;
mod credentials;
mod decoder_tables;
mod esp8266;
mod flash;
mod fleet;
mod gui;
mod monitor;
mod own_firmware;
mod probe;
mod properties;
mod provision;
