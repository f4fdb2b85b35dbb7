//! The key born on the board, on the host: making the key and its request (budget: under
//! 50 ms together on the host). Printed, never asserted. The board's own time is what
//! `key.new ms=` reports on a board or in the emulator.
//!
//! Run: `cargo bench -p thingflash-protocol --bench device_key`.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use thingflash_protocol::device_key::{DeviceKey, csr_text};

fn main() {
    let mut fill = |b: &mut [u8]| {
        use std::io::Read as _;
        std::fs::File::open("/dev/urandom")
            .unwrap()
            .read_exact(b)
            .unwrap();
    };
    let (mut key_t, mut csr_t, mut both) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..50 {
        let t = Instant::now();
        let key = DeviceKey::generate(&mut fill);
        let k = t.elapsed();
        let c0 = Instant::now();
        let csr = key.csr("greenhouse-sensor-7");
        let text = csr_text(&csr);
        std::hint::black_box(text.der.len());
        let c = c0.elapsed();
        key_t.push(k);
        csr_t.push(c);
        both.push(k + c);
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    println!(
        "key: median {:.2?}; request (sign + encode): median {:.2?}; both: median {:.2?}, worst {:.2?} (budget < 50 ms)",
        median(&mut key_t),
        median(&mut csr_t),
        median(&mut both),
        both.iter().max().unwrap()
    );
}
