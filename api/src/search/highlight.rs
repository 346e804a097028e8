//! Highlighted snippets as safe HTML, the same for both backends.
//!
//! A backend says which byte ranges of a text matched; this module crops the text around them,
//! moves every mark out to whole grapheme clusters (Meilisearch 1.50 marks `สมุดบัญช` in
//! `สมุดบัญชี`, leaving the vowel ี outside, which renders as a broken cluster), escapes
//! everything, and wraps the marks in `<mark>`. Nothing else of the text can become markup.

use unicode_segmentation::UnicodeSegmentation;

/// What Meilisearch is asked to put around a match: private-use characters that the sanitiser
/// never lets into stored text, so they cannot be forged by a comment.
pub const PRE: char = '\u{E000}';
pub const POST: char = '\u{E001}';
/// What Meilisearch puts where it cropped.
pub const CROP: char = '\u{2026}';

/// Snippets are about this many characters long.
pub const SNIPPET_CHARS: usize = 200;

/// Splits text marked with [`PRE`]/[`POST`] into the plain text and the marked byte ranges.
pub fn parse_marked(marked: &str) -> (String, Vec<(usize, usize)>) {
    let mut plain = String::with_capacity(marked.len());
    let mut ranges = Vec::new();
    let mut open = None;
    for c in marked.chars() {
        match c {
            PRE => open = Some(plain.len()),
            POST => {
                if let Some(start) = open.take() {
                    ranges.push((start, plain.len()));
                }
            }
            c => plain.push(c),
        }
    }
    if let Some(start) = open {
        ranges.push((start, plain.len()));
    }
    (plain, ranges)
}

/// Whether `c` is a Thai vowel written before the consonant it follows in speech (เ แ โ ใ ไ):
/// a mark starting at the consonant takes it too.
fn is_thai_leading_vowel(c: char) -> bool {
    ('\u{0E40}'..='\u{0E44}').contains(&c)
}

/// Moves every range out to whole grapheme clusters (and a Thai leading vowel before it), then
/// sorts and merges them.
pub fn repair(text: &str, ranges: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let bounds: Vec<usize> = text
        .grapheme_indices(true)
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let floor = |x: usize| match bounds.binary_search(&x) {
        Ok(_) => x,
        Err(i) => bounds[i.saturating_sub(1)],
    };
    let ceil = |x: usize| match bounds.binary_search(&x) {
        Ok(_) => x,
        Err(i) => bounds.get(i).copied().unwrap_or(text.len()),
    };
    let mut fixed: Vec<(usize, usize)> = ranges
        .iter()
        .filter(|(s, e)| s < e && *s < text.len())
        .map(|&(s, e)| {
            let mut s = floor(s.min(text.len()));
            let e = ceil(e.min(text.len()));
            if let Some(prev) = text[..s].chars().next_back()
                && is_thai_leading_vowel(prev)
            {
                s -= prev.len_utf8();
            }
            (s, e)
        })
        .collect();
    fixed.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(fixed.len());
    for (s, e) in fixed {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            PRE | POST => {}
            c => out.push(c),
        }
    }
}

/// The window of about `max_chars` characters around the first match, on grapheme boundaries
/// and, where one is near, on a space.
fn window(text: &str, ranges: &[(usize, usize)], max_chars: usize) -> (usize, usize) {
    if text.chars().count() <= max_chars {
        return (0, text.len());
    }
    let graphemes: Vec<usize> = text.grapheme_indices(true).map(|(i, _)| i).collect();
    let first = ranges.first().map_or(0, |r| r.0);
    let at = graphemes.partition_point(|&i| i < first);
    // A fifth of the window before the match, the rest after.
    let mut start_g = at.saturating_sub(max_chars / 5);
    // Prefer starting after a space close by.
    for g in start_g..at.min(start_g + 20) {
        if text[graphemes[g]..].starts_with(char::is_whitespace) {
            start_g = g + 1;
            break;
        }
    }
    let end_g = (start_g + max_chars).min(graphemes.len());
    let start = graphemes.get(start_g).copied().unwrap_or(text.len());
    let end = graphemes.get(end_g).copied().unwrap_or(text.len());
    (start, end)
}

/// A safe HTML snippet of `text` with `ranges` marked.
pub fn snippet(text: &str, ranges: &[(usize, usize)], max_chars: usize) -> String {
    let ranges = repair(text, ranges);
    let (start, end) = window(text, &ranges, max_chars);
    let mut out = String::with_capacity((end - start) + 32);
    if start > 0 {
        out.push(CROP);
    }
    let mut at = start;
    for &(s, e) in &ranges {
        let (s, e) = (s.max(start), e.min(end));
        if s >= e {
            continue;
        }
        escape_into(&mut out, &text[at..s]);
        out.push_str("<mark>");
        escape_into(&mut out, &text[s..e]);
        out.push_str("</mark>");
        at = e;
    }
    escape_into(&mut out, &text[at..end]);
    if end < text.len() {
        out.push(CROP);
    }
    out
}

/// Meilisearch's formatted (cropped and marked) value as a safe snippet.
pub fn from_marked(marked: &str) -> String {
    let (plain, ranges) = parse_marked(marked);
    let trimmed_start = plain.starts_with(CROP);
    let body = plain.trim_start_matches(CROP);
    let shift = plain.len() - body.len();
    let body = body.trim_end_matches(CROP);
    let ranges: Vec<(usize, usize)> = ranges
        .into_iter()
        .map(|(s, e)| {
            (
                s.saturating_sub(shift),
                e.saturating_sub(shift).min(body.len()),
            )
        })
        .collect();
    // Already cropped by the engine: no second crop.
    let mut out = snippet(body, &ranges, usize::MAX);
    if trimmed_start {
        out.insert(0, CROP);
    }
    if body.len() + shift < plain.len() {
        out.push(CROP);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_never_splits_a_thai_grapheme_cluster() {
        // What Meilisearch 1.50 returns for the query สมุดบัญชี.
        let marked = format!("{PRE}สมุดบัญช{POST}ีเงินฝาก");
        assert_eq!(from_marked(&marked), "<mark>สมุดบัญชี</mark>เงินฝาก");
        // A start inside a cluster moves back to the cluster's start.
        let text = "กำหนดเวลา";
        let inside = text.find('ำ').unwrap();
        assert_eq!(repair(text, &[(inside, text.len())]), vec![(0, text.len())]);
        // A leading vowel goes with its consonant.
        let text = "การเกิดขึ้น";
        let k = text.find("กิด").unwrap();
        let r = repair(text, &[(k, k + "กิด".len())]);
        assert_eq!(&text[r[0].0..r[0].1], "เกิด");
    }

    #[test]
    fn everything_outside_the_marks_is_escaped() {
        let text = "<script>alert(1)</script> & \"ใบอนุญาต\"";
        let k = text.find("ใบอนุญาต").unwrap();
        let html = snippet(text, &[(k, k + "ใบอนุญาต".len())], SNIPPET_CHARS);
        assert_eq!(
            html,
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;<mark>ใบอนุญาต</mark>&quot;"
        );
        // Sentinels smuggled into text never open a mark.
        let forged = format!("a{PRE}b{POST}c");
        assert_eq!(snippet(&forged, &[], SNIPPET_CHARS), "abc");
    }

    #[test]
    fn long_texts_are_cropped_around_the_first_match() {
        let text = format!("{}ใบอนุญาต{}", "ก".repeat(500), "ข".repeat(500));
        let k = text.find("ใบอนุญาต").unwrap();
        let html = snippet(&text, &[(k, k + "ใบอนุญาต".len())], 100);
        assert!(html.starts_with(CROP) && html.ends_with(CROP), "{html}");
        assert!(html.contains("<mark>ใบอนุญาต</mark>"));
        assert!(html.chars().count() < 130, "{}", html.chars().count());
    }

    #[test]
    fn overlapping_and_unordered_ranges_merge() {
        assert_eq!(repair("abcdef", &[(3, 5), (0, 2), (1, 4)]), vec![(0, 5)]);
        assert_eq!(
            repair("abc", &[(2, 2), (5, 9)]),
            Vec::<(usize, usize)>::new()
        );
    }
}
