//! Any bytes dropped as a file: classification and the set analysis never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use thingflash::credentials::{self, InputFile};

fuzz_target!(|data: &[u8]| {
    let files = [InputFile::from_bytes("fuzz", data.to_vec())];
    let _ = credentials::analyse(&files, &[], time::OffsetDateTime::UNIX_EPOCH, Some("pass"));
});
