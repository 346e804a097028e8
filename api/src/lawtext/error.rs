//! Errors returned when input cannot be read as Thai law text, with messages fit to show a user.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Nothing but whitespace.
    Empty,
    /// NUL bytes or many control characters: a binary file (PDF, DOCX, image ...).
    Binary,
    /// Not valid UTF-8. `likely_encoding` is a guess from the byte pattern.
    NotUtf8 {
        likely_encoding: Option<&'static str>,
        byte_offset: usize,
    },
    /// Larger than [`super::MAX_INPUT_BYTES`].
    TooLarge { bytes: usize, limit: usize },
    /// Text, but no section (`มาตรา ๑` / `ข้อ ๑`) could be found.
    NoSections,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Empty => f.write_str("the text is empty (only whitespace)"),
            ParseError::Binary => f.write_str(
                "the file looks binary (it contains NUL bytes or many control characters); \
                 save the law as plain UTF-8 text (not PDF or Word) and try again",
            ),
            ParseError::NotUtf8 {
                likely_encoding: Some(enc),
                byte_offset,
            } => write!(
                f,
                "the text is not valid UTF-8 (first bad byte at offset {byte_offset}); \
                 it looks like {enc}: convert it first, e.g. `iconv -f {iconv} -t UTF-8 in.txt > out.txt`",
                iconv = iconv_name(enc)
            ),
            ParseError::NotUtf8 {
                likely_encoding: None,
                byte_offset,
            } => write!(
                f,
                "the text is not valid UTF-8 (first bad byte at offset {byte_offset}) and the \
                 encoding could not be recognised; save it as UTF-8 and try again"
            ),
            ParseError::TooLarge { bytes, limit } => write!(
                f,
                "the text is too large ({bytes} bytes; the limit is {limit} bytes)"
            ),
            ParseError::NoSections => f.write_str(
                "no sections were found: a law must contain at least one numbered section \
                 such as `มาตรา ๑` (or `ข้อ ๑` for regulations)",
            ),
        }
    }
}

fn iconv_name(enc: &str) -> &str {
    match enc {
        "Windows-874" => "CP874",
        other => other,
    }
}

impl std::error::Error for ParseError {}
