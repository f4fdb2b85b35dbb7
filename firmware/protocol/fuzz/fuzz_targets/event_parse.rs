//! Any text as a serial line: parse, and whatever parses must print back to a line
//! that parses to the same event.
#![no_main]
use libfuzzer_sys::fuzz_target;
use thingflash_protocol::event::Event;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(ev) = Event::parse(&text) {
        let line = ev.to_string();
        assert_eq!(Event::parse(&line).as_ref(), Ok(&ev));
    }
});
