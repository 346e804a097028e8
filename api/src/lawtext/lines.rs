//! Source lines with their raw form (needed to see NBSP separators) and a cleaned form.

use super::digits::take_number;

/// Scraped law text pads with NBSP, zero-width spaces and stray BOMs; none of them carry meaning.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

pub(crate) fn trim(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Trims and collapses every whitespace run to one ASCII space.
pub(crate) fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in trim(s).chars() {
        if is_space(c) {
            pending_space = true;
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

pub(crate) struct SrcLine<'a> {
    /// 1-based.
    pub number: usize,
    /// Without the line terminator, start trimmed; end kept so separators can be inspected.
    pub raw: &'a str,
    pub text: String,
}

impl SrcLine<'_> {
    pub fn is_blank(&self) -> bool {
        self.text.is_empty()
    }
}

pub(crate) fn split_lines(text: &str) -> Vec<SrcLine<'_>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    text.split('\n')
        .enumerate()
        .map(|(i, raw)| {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            SrcLine {
                number: i + 1,
                raw: raw.trim_start_matches(is_space),
                text: clean(raw),
            }
        })
        .collect()
}

/// Reads a footnote marker `[๑]` / `[1]` at the start of `s`: the marker as written,
/// its value and the rest.
pub(crate) fn take_marker(s: &str) -> Option<(&str, u32, &str)> {
    let inner = s.strip_prefix('[')?;
    let (value, rest) = take_number(inner)?;
    let rest = rest.strip_prefix(']')?;
    let len = s.len() - rest.len();
    Some((&s[..len], value, rest))
}

/// Removes every `[digits]` marker from `s`.
pub fn strip_footnote_markers(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('[') {
        out.push_str(&rest[..pos]);
        match take_marker(&rest[pos..]) {
            Some((_, _, after)) => rest = after,
            None => {
                out.push('[');
                rest = &rest[pos + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Splits trailing markers off `s`: `"ชื่อ พ.ศ. ๒๕๔๐[๑]"` gives `("ชื่อ พ.ศ. ๒๕๔๐", ["[๑]"])`.
pub(crate) fn split_trailing_markers(s: &str) -> (&str, Vec<String>) {
    let mut end = s;
    let mut markers = Vec::new();
    loop {
        let t = end.trim_end_matches(is_space);
        let Some(open) = t.rfind('[') else { break };
        match take_marker(&t[open..]) {
            Some((m, _, "")) => {
                markers.insert(0, m.to_string());
                end = &t[..open];
            }
            _ => break,
        }
    }
    (end.trim_end_matches(is_space), markers)
}
