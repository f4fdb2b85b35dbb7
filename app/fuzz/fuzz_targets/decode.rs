//! Any bytes from a serial port: line assembly, decoding and the status model never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use thingflash::monitor::lines::{LineAssembler, Piece};
use thingflash::monitor::{BoardStatus, Decoder};

fuzz_target!(|data: &[u8]| {
    let mut assembler = LineAssembler::new();
    let mut decoder = Decoder::new();
    let mut status = BoardStatus::default();
    let mut pieces = Vec::new();
    let now = std::time::Instant::now();
    // Feed in two chunks split at a data-dependent point, like a serial read would.
    let split = data.first().map_or(0, |b| usize::from(*b) % (data.len() + 1));
    assembler.push(&data[..split], &mut pieces);
    assembler.push(&data[split..], &mut pieces);
    assembler.finish(&mut pieces);
    for p in pieces {
        if let Piece::Line(l) = p {
            let d = decoder.decode(&l);
            status.apply(&d, now);
        }
    }
});
