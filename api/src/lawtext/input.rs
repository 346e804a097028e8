//! Turns raw bytes from a file or upload into checked UTF-8 text: BOM, binary and encoding checks.

use std::borrow::Cow;

use super::ParseError;

/// Uploads above this are refused before any work is done.
pub const MAX_INPUT_BYTES: usize = 32 * 1024 * 1024;

/// Only the start is sampled for the binary check: a real text file shows its nature early,
/// and scanning a huge upload twice would be wasted work.
const BINARY_SAMPLE: usize = 64 * 1024;

pub(crate) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, ParseError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ParseError::TooLarge {
            bytes: bytes.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    // UTF-16 is checked before the binary test because its ASCII half is full of NULs.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let enc = if bytes[0] == 0xFF {
            "UTF-16LE"
        } else {
            "UTF-16BE"
        };
        return Err(ParseError::NotUtf8 {
            likely_encoding: Some(enc),
            byte_offset: 0,
        });
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if looks_binary(bytes) {
        return Err(ParseError::Binary);
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return Err(ParseError::NotUtf8 {
                likely_encoding: guess_encoding(bytes),
                byte_offset: e.valid_up_to(),
            });
        }
    };
    if text.contains('\r') {
        Ok(Cow::Owned(text.replace("\r\n", "\n")))
    } else {
        Ok(Cow::Borrowed(text))
    }
}

fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(BINARY_SAMPLE)];
    if sample.contains(&0) {
        return true;
    }
    let controls = sample
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)) || b == 0x7F)
        .count();
    // A stray control byte or two happens in scraped text; a few percent does not.
    controls >= 8 && controls * 100 > sample.len()
}

/// TIS-620 puts Thai letters at 0xA1-0xFB; Windows-874 is TIS-620 plus punctuation
/// (curly quotes, ellipsis, dashes) at 0x80-0x9F. Both are common for Thai documents
/// exported from older Windows software.
fn guess_encoding(bytes: &[u8]) -> Option<&'static str> {
    let high: Vec<u8> = bytes.iter().copied().filter(|&b| b >= 0x80).collect();
    if high.is_empty() {
        return None;
    }
    let thai = high.iter().filter(|&&b| (0xA1..=0xFB).contains(&b)).count();
    let cp874_punct = high
        .iter()
        .filter(|&&b| matches!(b, 0x80 | 0x85 | 0x91..=0x97))
        .count();
    if (thai + cp874_punct) * 10 < high.len() * 9 || thai == 0 {
        return None;
    }
    Some(if cp874_punct > 0 {
        "Windows-874"
    } else {
        "TIS-620"
    })
}
