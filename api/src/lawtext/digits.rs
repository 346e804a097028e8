//! Thai (๐-๙) and Arabic (0-9) digit conversion and small number readers shared by the parser.

const THAI_ZERO: u32 = '๐' as u32;

/// Replaces every Thai digit with its Arabic counterpart; everything else is kept.
pub fn thai_digits_to_arabic(s: &str) -> String {
    s.chars()
        .map(|c| match thai_digit_value(c) {
            Some(d) => char::from(b'0' + d),
            None => c,
        })
        .collect()
}

/// Replaces every Arabic digit with its Thai counterpart; everything else is kept.
pub fn arabic_to_thai_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) if c.is_ascii_digit() => char::from_u32(THAI_ZERO + d).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn thai_digit_value(c: char) -> Option<u8> {
    let v = (c as u32).checked_sub(THAI_ZERO)?;
    // The subtraction keeps this below 10, so the narrowing cannot lose anything.
    (v < 10).then_some(v as u8)
}

/// Value of a Thai or Arabic digit.
pub(crate) fn digit_value(c: char) -> Option<u32> {
    if c.is_ascii_digit() {
        return c.to_digit(10);
    }
    thai_digit_value(c).map(u32::from)
}

pub(crate) fn is_digit(c: char) -> bool {
    digit_value(c).is_some()
}

/// Reads a run of digits at the start of `s`. Returns the value and the rest.
/// `None` when `s` does not start with a digit or the value does not fit a `u32`
/// (a 10-digit "section number" is noise, not law).
pub(crate) fn take_number(s: &str) -> Option<(u32, &str)> {
    let mut value: u32 = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        match digit_value(c) {
            Some(d) => {
                value = value.checked_mul(10)?.checked_add(d)?;
                end = i + c.len_utf8();
            }
            None => break,
        }
    }
    (end > 0).then(|| (value, &s[end..]))
}
