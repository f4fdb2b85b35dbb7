//! Any bytes as a device config record: decode never panics, and what decodes
//! re-encodes to a record that decodes the same.
#![no_main]
use libfuzzer_sys::fuzz_target;
use thingflash_protocol::config::DeviceConfig;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = DeviceConfig::decode(data) {
        let again = c.encode().expect("a decoded config is valid");
        assert_eq!(DeviceConfig::decode(&again).as_ref(), Ok(&c));
    }
});
