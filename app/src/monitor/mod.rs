//! Monitor: the live serial log turned into events, plain-language explanations and a
//! board status. `reader` owns the port (a worker thread), `lines` assembles bytes into
//! lines, `decode` explains each line (thingflash's own events there, other firmware's
//! output in `families`, both over the reference `tables`), `patterns` finds what only a
//! sequence of lines shows, `status` keeps the stage lights, `log` bounds what is kept.
//! No GUI types.

pub(crate) mod codeless;
pub mod context;
pub mod decode;
pub mod explanation;
mod families;
pub mod lines;
pub mod log;
pub mod patterns;
pub mod reader;
pub mod status;
pub mod symbols;
pub mod tables;
pub mod text;
pub mod wait;

pub use context::Broker;
pub use decode::{Decoded, Decoder, Explanation, Level, Source};
pub use families::clean;
pub use status::{BoardStatus, Light, Step};

/// Decode a whole text (a saved log) line by line.
pub fn decode_text(text: &str) -> Vec<Decoded> {
    decode_text_with(&mut Decoder::new(), text)
}

/// [`decode_text`] with a decoder of the caller's (one that has the firmware's symbols).
pub fn decode_text_with(d: &mut Decoder, text: &str) -> Vec<Decoded> {
    let mut assembler = lines::LineAssembler::new();
    let mut pieces = Vec::new();
    assembler.push(text.as_bytes(), &mut pieces);
    assembler.finish(&mut pieces);
    pieces
        .into_iter()
        .filter_map(|p| match p {
            lines::Piece::Line(l) => Some(d.decode_owned(l)),
            lines::Piece::NoiseDetected => None,
        })
        .collect()
}
