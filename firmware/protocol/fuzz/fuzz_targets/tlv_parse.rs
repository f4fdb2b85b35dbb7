//! Any bytes as a credentials partition: the parser and the firmware's reader must
//! return an error or records, never panic or read out of bounds.
#![no_main]
use libfuzzer_sys::fuzz_target;
use thingflash_protocol::{credentials, tlv};

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = tlv::Partition::parse(data) {
        assert!(p.used_len <= data.len());
    }
    let _ = credentials::read(data);
});
