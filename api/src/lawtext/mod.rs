//! Parser for Thai law text (Acts, the Constitution, decrees, regulations, pasted drafts) into title, preamble, headings, sections, end matter, amendments and footnotes.
//!
//! Input is what the Office of the Council of State publishes (and what agencies paste into a
//! form): irregular line breaks, NBSP padding, labels broken across lines (`มาตรา` / `๑๕/๑`),
//! Thai or Arabic digits, footnote markers (`มาตรา ๒[๑]`). The parser is a line classifier
//! (`classify.rs`) driven by a small state machine (`parser.rs`). All paths inside this module
//! are relative (`super::`) so the folder can be moved into another crate as a module.

mod classify;
mod digits;
mod error;
mod input;
mod lines;
mod model;
mod number;
mod parser;

#[cfg(test)]
mod tests;

pub use digits::{arabic_to_thai_digits, thai_digits_to_arabic};
pub use error::ParseError;
pub use input::MAX_INPUT_BYTES;
pub use lines::strip_footnote_markers;
pub use model::{
    AmendingAct, Footnote, Heading, HeadingLevel, InstrumentKind, Line, ParsedLaw, ProvisionUnit,
    Section,
};
pub use number::{SectionNumber, suffix_word};

/// Parses law text. Lines may end in `\n` or `\r\n`.
pub fn parse(text: &str) -> Result<ParsedLaw, ParseError> {
    parser::parse_text(text)
}

/// Parses bytes from a file or upload: strips a UTF-8 BOM, rejects binary data and
/// non-UTF-8 text (naming TIS-620 / Windows-874 when the bytes look like it), normalises
/// CRLF, then calls [`parse`].
pub fn parse_bytes(bytes: &[u8]) -> Result<ParsedLaw, ParseError> {
    let text = input::decode(bytes)?;
    parse(&text)
}
