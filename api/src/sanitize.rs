//! The one ammonia policy for user-written text: comment bodies become a small
//! allowlisted HTML subset that is safe to store and serve as-is, and short
//! fields (display names, reasons) become escaped plain text.
//!
//! Everything typed by the public goes through here before it is stored, so the
//! rest of the API can treat stored HTML as trusted. Keeping the policy in one
//! place means tightening it is a one-file change.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};
use unicode_normalization::UnicodeNormalization;

/// Limit on the visible characters of a comment unless the caller asks for another.
pub const DEFAULT_MAX_CHARS: usize = 10_000;

// Markup and entities may outweigh the visible text this many times before we
// refuse to parse at all: generous for a link-heavy comment, yet it keeps a
// megabyte of `<b><b><b>` away from the HTML parser.
const RAW_INPUT_FACTOR: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the text is empty once markup and control characters are removed")]
    Empty,
    #[error("the text is {actual} characters long; the limit is {max} characters")]
    TooLong { max: usize, actual: usize },
}

/// A comment body that has been through the whole pipeline: sanitised HTML,
/// ready to store and to serve without further escaping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentBody {
    html: String,
    plain_chars: usize,
}

impl CommentBody {
    /// Normalises, sanitises and length-checks a comment as typed by a user.
    ///
    /// The error carries no field name: the GraphQL layer knows which input
    /// field (e.g. `body`) it passed in and attaches it when reporting.
    pub fn parse(raw: &str, max_chars: usize) -> Result<CommentBody, BodyError> {
        reject_oversized_raw(raw, max_chars)?;
        let text = normalise_text(raw, LineBreaks::Keep);
        let text = text.trim();

        // Most comments come from a plain textarea; running those through an
        // HTML parser would collapse the author's line breaks, so they get
        // their paragraphs built here instead. Without a `<` there is no
        // markup to interpret, and escaping makes the result inert.
        let html = if looks_like_markup(text) {
            POLICY.clean(text).to_string()
        } else {
            plain_text_to_html(text)
        };
        let html = html.trim();

        let visible = visible_text(html);
        let visible = visible.trim();
        if visible.chars().all(is_blank) {
            return Err(BodyError::Empty);
        }
        // Counted after sanitising so markup, entities and dropped tags never
        // eat into the author's allowance, and in chars because Thai takes
        // three bytes each in UTF-8.
        let plain_chars = visible.chars().count();
        if plain_chars > max_chars {
            return Err(BodyError::TooLong {
                max: max_chars,
                actual: plain_chars,
            });
        }
        Ok(CommentBody {
            html: html.to_owned(),
            plain_chars,
        })
    }

    pub fn as_html(&self) -> &str {
        &self.html
    }

    pub fn into_html(self) -> String {
        self.html
    }

    /// Characters of visible text: what the author is limited on, not the
    /// length of the stored HTML.
    pub fn char_count(&self) -> usize {
        self.plain_chars
    }
}

/// Markup starts with `<` followed by a tag name, `/` or `!`; a bare `<` as in
/// "x < 5" is plain text and keeps its line breaks.
fn looks_like_markup(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

/// Plain-text helper for short fields (display names, reasons): NFC, control
/// characters removed, line breaks and tabs turned into spaces, trimmed. Markup
/// is neither interpreted nor escaped here: the text is stored as written and
/// escaped on output, like every other plain field.
///
/// The length limit applies to the characters the user typed, not to the
/// escaped form.
pub fn plain_text(raw: &str, max_chars: usize) -> Result<String, BodyError> {
    plain(raw, max_chars, LineBreaks::ToSpace)
}

/// Like [`plain_text`] for longer fields whose line breaks matter (a draft's rationale): the
/// same normalisation, line breaks kept.
pub fn plain_paragraphs(raw: &str, max_chars: usize) -> Result<String, BodyError> {
    plain(raw, max_chars, LineBreaks::Keep)
}

fn plain(raw: &str, max_chars: usize, line_breaks: LineBreaks) -> Result<String, BodyError> {
    reject_oversized_raw(raw, max_chars)?;
    let text = normalise_text(raw, line_breaks);
    let text = text.trim();
    if text.chars().all(is_blank) {
        return Err(BodyError::Empty);
    }
    let actual = text.chars().count();
    if actual > max_chars {
        return Err(BodyError::TooLong {
            max: max_chars,
            actual,
        });
    }
    Ok(text.to_owned())
}

// Built once: the builder is immutable after this and `clean` takes `&self`.
// Ammonia asserts (panics) at clean time if a tag is both allowed and in
// `clean_content_tags`, so the tests exercising `parse` double as a check on
// this configuration.
static POLICY: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut policy = Builder::empty();
    policy
        // Enough for argument and quotation in a consultation comment. No
        // headings, images, tables or spans: nothing that lets one comment
        // restyle the page or load third-party content.
        .tags(HashSet::from([
            "p",
            "br",
            "em",
            "strong",
            "i",
            "b",
            "ul",
            "ol",
            "li",
            "blockquote",
            "a",
        ]))
        // Other disallowed tags are unwrapped and their text kept. These hold
        // code or embedded documents rather than prose, so their contents
        // would only show up as junk text; ammonia's default is just script
        // and style.
        .clean_content_tags(HashSet::from([
            "script",
            "style",
            "noscript",
            "template",
            "iframe",
            "object",
            "embed",
            "applet",
            "noembed",
            "noframes",
            "xmp",
            "plaintext",
            "svg",
            "math",
            "title",
            "textarea",
        ]))
        // Builder::empty() still carries the default per-tag and generic
        // (`lang`, `title`) attributes; replace both.
        .tag_attributes(HashMap::from([("a", HashSet::from(["href"]))]))
        .generic_attributes(HashSet::new())
        .url_schemes(HashSet::from(["http", "https"]))
        // A relative link means nothing once the comment is shown on another
        // page, an e-mail digest or an export.
        .url_relative(UrlRelative::Deny)
        // User links must not pass on our search ranking (nofollow ugc) nor get
        // a handle on our window (noopener). Ammonia replaces any `rel` the
        // author wrote.
        .link_rel(Some("nofollow ugc noopener"))
        .strip_comments(true);
    policy
});

#[derive(Clone, Copy, PartialEq, Eq)]
enum LineBreaks {
    Keep,
    ToSpace,
}

fn reject_oversized_raw(raw: &str, max_chars: usize) -> Result<(), BodyError> {
    let limit = max_chars.saturating_mul(RAW_INPUT_FACTOR);
    // A char is at least one byte, so anything this short needs no counting.
    if raw.len() <= limit {
        return Ok(());
    }
    let actual = raw.chars().count();
    if actual > limit {
        return Err(BodyError::TooLong {
            max: max_chars,
            actual,
        });
    }
    Ok(())
}

/// Removes invisible and layout-changing characters, then NFC-normalises.
///
/// Removal goes first because dropping a character can bring two combining
/// marks together; normalising afterwards leaves them in canonical order.
/// Nothing normalises to or from the removed characters, so this is the same
/// as NFC, then removal, then NFC again.
fn normalise_text(raw: &str, line_breaks: LineBreaks) -> String {
    let newline = match line_breaks {
        LineBreaks::Keep => '\n',
        LineBreaks::ToSpace => ' ',
    };
    let mut kept = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // Windows and old Mac line endings, so paragraph splitting and
            // counting see one kind of line break.
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                kept.push(newline);
            }
            '\n' => kept.push(newline),
            '\t' => kept.push(' '),
            c if is_removed(c) => {}
            c => kept.push(c),
        }
    }
    // NFC so that text that looks the same is stored the same, whichever
    // keyboard or OS produced it: Thai tone marks and below-vowels typed in
    // either order end up in one canonical order, which search and duplicate
    // detection depend on.
    let composed: String = kept.nfc().collect();
    compose_thai_sara_am(composed)
}

/// C0/C1 controls break JSON consumers, terminals and CSV exports. Bidi
/// embeddings, overrides and isolates let a comment render in a different
/// order from its stored text (the "Trojan Source" trick). A BOM in the middle
/// of text is only ever noise. Zero-width space, ZWJ and ZWNJ are kept: Thai
/// writers use U+200B as a word-break hint, and the joiners matter in emoji
/// and other scripts.
fn is_removed(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Sara am (U+0E33) decomposes to nikhahit + sara aa only by *compatibility*,
/// so NFC leaves a typed nikhahit + sara aa alone (and NFKC would go the other
/// way). Both render the same, so fold the two-character spelling into the
/// standard one, including when a tone mark was typed in between
/// (น + ํ + ้ + า becomes น + ้ + ำ, the usual encoding of น้ำ).
fn compose_thai_sara_am(text: String) -> String {
    const NIKHAHIT: char = '\u{0E4D}';
    const SARA_AA: char = '\u{0E32}';
    const SARA_AM: char = '\u{0E33}';
    let is_tone_mark = |c: char| ('\u{0E48}'..='\u{0E4B}').contains(&c);

    if !text.contains(NIKHAHIT) {
        return text;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i..] {
            [NIKHAHIT, SARA_AA, ..] => {
                out.push(SARA_AM);
                i += 2;
            }
            [NIKHAHIT, tone, SARA_AA, ..] if is_tone_mark(tone) => {
                out.push(tone);
                out.push(SARA_AM);
                i += 3;
            }
            _ => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

/// Whitespace plus the zero-width characters we keep: a comment made only of
/// these shows nothing, so it counts as empty.
fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}')
}

/// Blank lines separate paragraphs; single line breaks stay line breaks.
fn plain_text_to_html(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 16);
    let mut in_paragraph = false;
    for line in text.split('\n') {
        let line = line.trim_end();
        if line.is_empty() {
            if in_paragraph {
                html.push_str("</p>");
                in_paragraph = false;
            }
            continue;
        }
        html.push_str(if in_paragraph { "<br>" } else { "<p>" });
        in_paragraph = true;
        escape_text(line, &mut html);
    }
    if in_paragraph {
        html.push_str("</p>");
    }
    html
}

/// Escapes exactly as ammonia's serialiser does for text nodes, so stored HTML
/// looks the same whichever path produced it and sanitising it again is a
/// no-op.
fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{A0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
}

/// Text content of HTML produced by this module (ammonia's serialiser or
/// `plain_text_to_html`). Not a general HTML parser: it relies on that output
/// having no comments, no raw-text elements and only double-quoted attribute
/// values, which is what makes a quote-aware tag skipper exact here.
/// The text of stored comment HTML as a reader sees it, each tag a space (so words of two
/// paragraphs never run together): what search indexes.
pub fn html_to_text(html: &str) -> String {
    let mut spaced = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut in_quotes = false;
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => in_tag = true,
            (false, c) => spaced.push(c),
            (true, '"') => in_quotes = !in_quotes,
            (true, '>') if !in_quotes => {
                in_tag = false;
                if !spaced.ends_with(' ') {
                    spaced.push(' ');
                }
            }
            (true, _) => {}
        }
    }
    decode_entities(spaced.trim())
}

fn visible_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut in_quotes = false;
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => in_tag = true,
            (false, c) => text.push(c),
            (true, '"') => in_quotes = !in_quotes,
            (true, '>') if !in_quotes => in_tag = false,
            (true, _) => {}
        }
    }
    decode_entities(&text)
}

/// Decodes the references our own output can contain, so each counts as the
/// one character the reader sees. Anything else is left as typed.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest
            .get(1..)
            .and_then(|after| {
                after
                    .find(';')
                    .filter(|&end| end <= 10)
                    .map(|end| (after, end))
            })
            .and_then(|(after, end)| decode_reference(&after[..end]).map(|c| (c, end + 2)));
        match decoded {
            Some((c, consumed)) => {
                out.push(c);
                rest = &rest[consumed..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_reference(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{A0}'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn html(raw: &str) -> String {
        CommentBody::parse(raw, DEFAULT_MAX_CHARS)
            .unwrap()
            .into_html()
    }

    #[test]
    fn stored_html_reads_as_text_with_paragraphs_apart() {
        let stored = html("<p>ข้อแรก</p><p>ข้อสอง &amp; <strong>x &lt; 5</strong></p>");
        assert_eq!(html_to_text(&stored), "ข้อแรก ข้อสอง & x < 5");
    }

    #[test]
    fn script_tags_and_their_content_are_removed() {
        assert_eq!(html("hi<script>alert(1)</script> there"), "hi there");
        assert_eq!(
            html("<SCRIPT src=//evil.example/x.js></SCRIPT><p>ok</p>"),
            "<p>ok</p>"
        );
    }

    #[test]
    fn event_handler_attributes_like_onerror_are_removed() {
        assert_eq!(html("<img src=x onerror=alert(1)>text"), "text");
        assert_eq!(
            html(r#"<p onclick="alert(1)" onmouseover=x>hi</p>"#),
            "<p>hi</p>"
        );
    }

    #[test]
    fn javascript_href_is_removed_but_the_link_text_stays() {
        // Ammonia drops the attribute, not the element: the `a` stays, with
        // only our rel, so it is inert text.
        assert_eq!(
            html(r#"<a href="javascript:alert(1)">click</a>"#),
            r#"<a rel="nofollow ugc noopener">click</a>"#
        );
        assert_eq!(
            html(r#"<a href=" JaVaScRiPt:alert(1)">click</a>"#),
            r#"<a rel="nofollow ugc noopener">click</a>"#
        );
        assert_eq!(
            html(r#"<a href="&#106;avascript:alert(1)">click</a>"#),
            r#"<a rel="nofollow ugc noopener">click</a>"#
        );
    }

    #[test]
    fn data_and_other_non_http_urls_are_removed() {
        for href in [
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "vbscript:msgbox(1)",
            "mailto:a@example.org",
            "ftp://example.org/",
        ] {
            assert_eq!(
                html(&format!(r#"<a href="{href}">x</a>"#)),
                r#"<a rel="nofollow ugc noopener">x</a>"#,
                "{href}"
            );
        }
    }

    #[test]
    fn relative_and_scheme_relative_urls_are_removed() {
        for href in ["/admin", "page.html", "//evil.example/x", "#top"] {
            assert_eq!(
                html(&format!(r#"<a href="{href}">x</a>"#)),
                r#"<a rel="nofollow ugc noopener">x</a>"#,
                "{href}"
            );
        }
    }

    #[test]
    fn style_and_class_attributes_are_removed() {
        assert_eq!(
            html(r#"<p style="position:fixed;top:0" class="x" id="y" title="z">hi</p>"#),
            "<p>hi</p>"
        );
    }

    #[test]
    fn style_element_content_is_dropped_not_shown_as_text() {
        assert_eq!(html("<style>body{display:none}</style>hello"), "hello");
    }

    #[test]
    fn embedded_and_raw_text_element_content_is_dropped() {
        for tag in [
            "iframe", "noscript", "svg", "math", "object", "template", "textarea", "title", "xmp",
        ] {
            assert_eq!(html(&format!("<{tag}>junk</{tag}>kept")), "kept", "{tag}");
        }
    }

    #[test]
    fn other_disallowed_tags_are_unwrapped_keeping_their_text() {
        assert_eq!(
            html("<div><h1>Title</h1><span>x</span><table><tr><td>y</td></tr></table></div>"),
            "Titlexy"
        );
        assert_eq!(
            html("<form action=https://evil.example><button>b</button></form>"),
            "b"
        );
    }

    #[test]
    fn allowed_tags_are_kept() {
        let input = "<p>a<br><em>b</em><strong>c</strong><i>d</i><b>e</b></p>\
                     <ul><li>f</li></ul><ol><li>g</li></ol><blockquote>h</blockquote>";
        assert_eq!(html(input), input);
    }

    #[test]
    fn links_get_rel_nofollow_ugc_noopener_replacing_the_authors_rel() {
        assert_eq!(
            html(
                r#"<a href="https://example.org/x?a=1&amp;b=2" rel="opener" target="_blank">x</a>"#
            ),
            r#"<a href="https://example.org/x?a=1&amp;b=2" rel="nofollow ugc noopener">x</a>"#
        );
    }

    #[test]
    fn html_comments_are_stripped() {
        assert_eq!(html("a<!-- <script>x</script> -->b"), "ab");
    }

    #[test]
    fn plain_text_blank_lines_become_paragraphs_and_newlines_become_br() {
        assert_eq!(
            html("first line\nsecond line\n\n\n  \nnext paragraph  \n"),
            "<p>first line<br>second line</p><p>next paragraph</p>"
        );
    }

    #[test]
    fn plain_text_is_escaped_not_interpreted() {
        assert_eq!(
            html("Tom & Jerry > \"cats\"\n&lt;b&gt;"),
            "<p>Tom &amp; Jerry &gt; \"cats\"<br>&amp;lt;b&amp;gt;</p>"
        );
    }

    #[test]
    fn a_bare_less_than_sign_is_plain_text() {
        let body = CommentBody::parse("x < 5 and y > 3", DEFAULT_MAX_CHARS).unwrap();
        assert_eq!(body.as_html(), "<p>x &lt; 5 and y &gt; 3</p>");
        assert_eq!(body.char_count(), 15);
    }

    #[test]
    fn crlf_and_cr_are_normalised_to_newlines() {
        assert_eq!(html("a\r\nb\rc\r\n\r\nd"), "<p>a<br>b<br>c</p><p>d</p>");
    }

    #[test]
    fn thai_tone_mark_and_lower_vowel_are_put_in_canonical_order() {
        // กุ่ typed tone-mark-first (ccc 107) then sara u (ccc 103).
        let typed = "\u{0E01}\u{0E48}\u{0E38}";
        let canonical = "\u{0E01}\u{0E38}\u{0E48}";
        assert_eq!(html(typed), format!("<p>{canonical}</p>"));
        assert_eq!(plain_text(typed, 10).unwrap(), canonical);
    }

    #[test]
    fn thai_decomposed_sara_am_is_composed() {
        // น้ำ typed as น + mai tho + nikhahit + sara aa, and as น + nikhahit + mai tho + sara aa.
        assert_eq!(html("\u{0E19}\u{0E49}\u{0E4D}\u{0E32}"), "<p>น้ำ</p>");
        assert_eq!(html("\u{0E19}\u{0E4D}\u{0E49}\u{0E32}"), "<p>น้ำ</p>");
        assert_eq!(plain_text("ทํา", 10).unwrap(), "ทำ");
        assert_eq!(
            CommentBody::parse("ทํา", 10).unwrap().char_count(),
            2,
            "counted after composing"
        );
    }

    #[test]
    fn control_characters_are_removed_and_tab_becomes_a_space() {
        assert_eq!(
            html("a\u{0}b\u{7}c\u{1B}[31md\u{7F}e\u{85}f\tg"),
            "<p>abc[31mdef g</p>"
        );
    }

    #[test]
    fn removing_a_control_character_does_not_leave_marks_out_of_order() {
        assert_eq!(
            html("\u{0E01}\u{0E48}\u{0}\u{0E38}"),
            "<p>\u{0E01}\u{0E38}\u{0E48}</p>"
        );
    }

    #[test]
    fn bidi_overrides_and_bom_are_removed_but_zero_width_space_and_joiners_are_kept() {
        let raw = "\u{FEFF}a\u{202E}b\u{202A}c\u{202B}d\u{202C}e\u{202D}f\u{2066}g\u{2067}h\u{2068}i\u{2069}j";
        assert_eq!(html(raw), "<p>abcdefghij</p>");
        let thai = "ร่าง\u{200B}กฎหมาย 👩\u{200D}💻 a\u{200C}b";
        assert_eq!(html(thai), format!("<p>{thai}</p>"));
    }

    #[test]
    fn ten_thousand_thai_characters_pass_and_one_more_fails() {
        let ok = "ก".repeat(10_000);
        assert_eq!(ok.len(), 30_000, "3 bytes a character");
        let body = CommentBody::parse(&ok, DEFAULT_MAX_CHARS).unwrap();
        assert_eq!(body.char_count(), 10_000);

        let too_long = "ก".repeat(10_001);
        assert_eq!(
            CommentBody::parse(&too_long, DEFAULT_MAX_CHARS),
            Err(BodyError::TooLong {
                max: 10_000,
                actual: 10_001
            })
        );
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        assert_eq!(CommentBody::parse("กขคงจ", 5).unwrap().char_count(), 5);
        assert_eq!(
            CommentBody::parse("กขคงจฉ", 5),
            Err(BodyError::TooLong { max: 5, actual: 6 })
        );
        assert_eq!(plain_text("กขคงจ", 5).unwrap(), "กขคงจ");
        assert_eq!(
            plain_text("😀😀😀", 2),
            Err(BodyError::TooLong { max: 2, actual: 3 })
        );
    }

    #[test]
    fn markup_and_entities_do_not_count_towards_the_length() {
        let body = CommentBody::parse(
            r#"<p><a href="https://example.org/a/long/path">ab</a> &amp; <b>c</b></p>"#,
            DEFAULT_MAX_CHARS,
        )
        .unwrap();
        assert_eq!(body.char_count(), 6, "{}", body.as_html());
        assert_eq!(
            CommentBody::parse("<b>ab</b>&amp;<i>cd</i>", 6)
                .unwrap()
                .char_count(),
            5
        );
        let plain = CommentBody::parse("a & b\nc", 6).unwrap();
        assert_eq!(plain.char_count(), 6, "the <br> is not a character");
    }

    #[test]
    fn huge_raw_input_is_rejected_before_any_html_work() {
        let raw = format!("{}x", "<b></b>".repeat(6));
        assert_eq!(raw.chars().count(), 43);
        assert_eq!(
            CommentBody::parse(&raw, 10),
            Err(BodyError::TooLong {
                max: 10,
                actual: 43
            })
        );
        // 36 characters of markup around one letter is within 4 x 10.
        let raw = format!("{}x", "<b></b>".repeat(5));
        assert_eq!(CommentBody::parse(&raw, 10).unwrap().char_count(), 1);
    }

    #[test]
    fn empty_whitespace_or_markup_only_input_is_empty() {
        for raw in [
            "",
            "   ",
            "\n\r\n\t ",
            "\u{0}\u{1}\u{202E}",
            "\u{200B}\u{00A0}\u{3000}",
            "<script>x</script>",
            "<style>p{}</style>",
            "<p> </p><br><p>&nbsp;</p>",
            "<img src=x>",
            "<!-- only a comment -->",
        ] {
            assert_eq!(
                CommentBody::parse(raw, DEFAULT_MAX_CHARS),
                Err(BodyError::Empty),
                "{raw:?}"
            );
        }
        assert_eq!(plain_text(" \t\n ", 10), Err(BodyError::Empty));
    }

    #[test]
    fn error_messages_explain_the_problem_in_characters() {
        assert_eq!(
            BodyError::TooLong {
                max: 10_000,
                actual: 10_001
            }
            .to_string(),
            "the text is 10001 characters long; the limit is 10000 characters"
        );
        assert!(BodyError::Empty.to_string().contains("empty"));
    }

    #[test]
    fn plain_text_keeps_markup_as_text_and_flattens_line_breaks() {
        assert_eq!(
            plain_text("  <b>Somchai</b> & 'Co' \"x\"\r\nline2\t!  ", 100).unwrap(),
            "<b>Somchai</b> & 'Co' \"x\" line2 !"
        );
        assert_eq!(plain_text("<b>", 3).unwrap(), "<b>");
        assert_eq!(plain_text("\u{202E}evil\u{0}", 10).unwrap(), "evil");
    }

    #[test]
    fn accessors_agree() {
        let body = CommentBody::parse("<b>สวัสดี</b>", 100).unwrap();
        assert_eq!(body.as_html(), "<b>สวัสดี</b>");
        assert_eq!(body.char_count(), 6);
        assert_eq!(body.clone().into_html(), body.as_html());
    }

    #[test]
    fn entity_decoding_for_counting_handles_our_output() {
        assert_eq!(
            decode_entities("a&amp;b&lt;&gt;&quot;&#39;&#x41;&nbsp;"),
            "a&b<>\"'A\u{A0}"
        );
        assert_eq!(decode_entities("& &unknown; &amp"), "& &unknown; &amp");
        assert_eq!(visible_text(r#"<a href="x>y" rel="z">t</a>"#), "t");
    }

    // ---- XSS corpus ----

    const ALLOWED_TAGS: [&str; 11] = [
        "p",
        "br",
        "em",
        "strong",
        "i",
        "b",
        "ul",
        "ol",
        "li",
        "blockquote",
        "a",
    ];

    /// Independent of the module's own decoder on purpose, and greedier than
    /// a browser (numeric references without `;`, case-insensitive names), so
    /// it errs towards reporting.
    fn decode_for_check(value: &str) -> String {
        let chars: Vec<char> = value.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] != '&' {
                out.push(chars[i]);
                i += 1;
                continue;
            }
            let mut j = i + 1;
            if chars.get(j) == Some(&'#') {
                j += 1;
                let hex = matches!(chars.get(j), Some('x' | 'X'));
                if hex {
                    j += 1;
                }
                let start = j;
                while j < chars.len()
                    && (if hex {
                        chars[j].is_ascii_hexdigit()
                    } else {
                        chars[j].is_ascii_digit()
                    })
                {
                    j += 1;
                }
                let digits: String = chars[start..j].iter().collect();
                let code = u32::from_str_radix(&digits, if hex { 16 } else { 10 }).ok();
                if let Some(c) = code.and_then(char::from_u32) {
                    out.push(c);
                    if chars.get(j) == Some(&';') {
                        j += 1;
                    }
                    i = j;
                    continue;
                }
            } else {
                while j < chars.len() && chars[j].is_ascii_alphanumeric() {
                    j += 1;
                }
                let name: String = chars[i + 1..j].iter().collect::<String>().to_lowercase();
                let replacement = match name.as_str() {
                    "amp" => Some("&"),
                    "lt" => Some("<"),
                    "gt" => Some(">"),
                    "quot" => Some("\""),
                    "apos" => Some("'"),
                    "nbsp" => Some(" "),
                    "colon" => Some(":"),
                    "tab" => Some("\t"),
                    "newline" => Some("\n"),
                    "lpar" => Some("("),
                    "rpar" => Some(")"),
                    "sol" => Some("/"),
                    _ => None,
                };
                if let Some(r) = replacement {
                    out.push_str(r);
                    if chars.get(j) == Some(&';') {
                        j += 1;
                    }
                    i = j;
                    continue;
                }
            }
            out.push('&');
            i += 1;
        }
        out
    }

    fn squash(s: &str) -> String {
        decode_for_check(s)
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .collect::<String>()
            .to_lowercase()
    }

    /// Describes the first piece of markup in `html` that could run script or
    /// restyle the page, or None if the HTML only uses the allowlist.
    fn executable_markup(html: &str) -> Option<String> {
        if html.to_lowercase().contains("<script") {
            return Some("<script".into());
        }
        let b = html.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'<' {
                i += 1;
                continue;
            }
            let start = i;
            i += 1;
            let is_end = match b.get(i) {
                None => return Some("'<' at end of input".into()),
                Some(b'!' | b'?') => {
                    return Some(format!("comment/doctype/PI at byte {start}"));
                }
                Some(b'/') => {
                    i += 1;
                    true
                }
                Some(c) if c.is_ascii_alphabetic() => false,
                Some(_) => return Some(format!("unescaped '<' at byte {start}")),
            };
            let name_start = i;
            while i < b.len()
                && !matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0C' | b'/' | b'>')
            {
                i += 1;
            }
            let name = html[name_start..i].to_ascii_lowercase();
            if !ALLOWED_TAGS.contains(&name.as_str()) {
                return Some(format!("tag <{}{name}>", if is_end { "/" } else { "" }));
            }
            // Attributes, until the closing '>'.
            loop {
                while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0C' | b'/') {
                    i += 1;
                }
                match b.get(i) {
                    None => return Some(format!("unterminated tag <{name}")),
                    Some(b'>') => {
                        i += 1;
                        break;
                    }
                    Some(_) => {}
                }
                let attr_start = i;
                while i < b.len()
                    && !matches!(
                        b[i],
                        b' ' | b'\t' | b'\n' | b'\r' | b'\x0C' | b'/' | b'>' | b'='
                    )
                {
                    i += 1;
                }
                let attr = html[attr_start..i].to_ascii_lowercase();
                while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0C') {
                    i += 1;
                }
                let mut value = "";
                if b.get(i) == Some(&b'=') {
                    i += 1;
                    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0C') {
                        i += 1;
                    }
                    match b.get(i) {
                        Some(&q @ (b'"' | b'\'')) => {
                            let v_start = i + 1;
                            let Some(len) = b[v_start..].iter().position(|&c| c == q) else {
                                return Some(format!("unterminated {attr} value"));
                            };
                            value = &html[v_start..v_start + len];
                            i = v_start + len + 1;
                        }
                        _ => {
                            let v_start = i;
                            while i < b.len()
                                && !matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0C' | b'>')
                            {
                                i += 1;
                            }
                            value = &html[v_start..i];
                        }
                    }
                }
                if is_end || !matches!(attr.as_str(), "href" | "rel") {
                    return Some(format!("attribute {attr}={value:?} on <{name}>"));
                }
                if attr == "href" {
                    let url = squash(value);
                    if !(url.starts_with("http:") || url.starts_with("https:")) {
                        return Some(format!("href {value:?}"));
                    }
                }
            }
            let tag = squash(&html[start..i]);
            for needle in ["javascript:", "vbscript:", "data:", "style=", "expression("] {
                if tag.contains(needle) {
                    return Some(format!("{needle} in {:?}", &html[start..i]));
                }
            }
        }
        None
    }

    #[test]
    fn checker_catches_obvious_executable_markup() {
        for bad in [
            "<img src=x onerror=alert(1)>",
            r#"<a href="javascript:alert(1)">x</a>"#,
            r#"<a href="&#106;avascript:x">x</a>"#,
            r#"<a href="&#x6A;avascript&colon;x">x</a>"#,
            "<a href=\"java\tscript:x\">x</a>",
            r#"<a href=" data:text/html,x">x</a>"#,
            r#"<a href="/relative">x</a>"#,
            r#"<a href="https://ok.example" onclick="x">x</a>"#,
            r#"<div style="x">"#,
            r#"<p style="x">"#,
            "<SCRIPT>x</SCRIPT>",
            "<svg><a href=\"https://x\">x</a></svg>",
            "<!-- x -->",
            "<p>a < b</p>",
        ] {
            assert!(executable_markup(bad).is_some(), "checker missed {bad:?}");
        }
    }

    #[test]
    fn checker_accepts_what_the_policy_is_meant_to_produce() {
        for good in [
            r#"<p>Hi <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">x</a></p>"#,
            r#"<a rel="nofollow ugc noopener">x</a>"#,
            "<ul><li>a</li></ul><ol><li>b</li></ol><blockquote><em>c</em></blockquote><br>",
            "&lt;script&gt;alert(1)&lt;/script&gt; javascript: data: style=",
        ] {
            assert_eq!(executable_markup(good), None, "{good}");
        }
    }

    /// The payload list, or `None` (with a message) where the corpus is not installed, as the
    /// law-text corpus test does: `$RUBFANG_CORPUS_DIR/xss/blns.json`, by default
    /// `../shared/corpus` beside the repository.
    fn load_corpus() -> Option<Vec<String>> {
        let dir = std::env::var("RUBFANG_CORPUS_DIR")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus").into());
        let path = std::path::Path::new(&dir).join("xss").join("blns.json");
        let json = match std::fs::read_to_string(&path) {
            Ok(json) => json,
            Err(e) => {
                eprintln!(
                    "SKIP: XSS corpus not found at {} ({e}); set RUBFANG_CORPUS_DIR to the \
                     folder holding xss/blns.json",
                    path.display()
                );
                return None;
            }
        };
        Some(
            serde_json::from_str(&json).unwrap_or_else(|e| {
                panic!("{} is not a JSON array of strings: {e}", path.display())
            }),
        )
    }

    #[test]
    fn xss_corpus_leaves_no_executable_markup() {
        let Some(corpus) = load_corpus() else {
            return;
        };
        let (mut rejected, mut stored) = (0, 0);
        let mut survived = Vec::new();
        for payload in &corpus {
            match CommentBody::parse(payload, DEFAULT_MAX_CHARS) {
                Err(BodyError::Empty | BodyError::TooLong { .. }) => rejected += 1,
                Ok(body) => {
                    stored += 1;
                    if let Some(found) = executable_markup(body.as_html()) {
                        survived.push(format!("{payload:?} -> {:?}: {found}", body.as_html()));
                    }
                }
            }
        }
        eprintln!(
            "XSS corpus: tried {} payloads, {rejected} rejected as empty/too long, {stored} stored, {} survived",
            corpus.len(),
            survived.len()
        );
        assert!(survived.is_empty(), "survivors:\n{}", survived.join("\n"));
        assert_eq!(rejected + stored, corpus.len());
        assert!(
            corpus.len() > 400,
            "corpus looks truncated: {}",
            corpus.len()
        );
    }

    #[test]
    fn stored_html_is_unchanged_when_sanitised_again() {
        // Through the policy itself, not `parse`: stored HTML with no `<` left
        // (e.g. `&gt;`) would take the plain-text path and be escaped twice.
        let mut changed = Vec::new();
        for payload in load_corpus().unwrap_or_default() {
            if let Ok(body) = CommentBody::parse(&payload, DEFAULT_MAX_CHARS) {
                let again = POLICY.clean(body.as_html()).to_string();
                if again != body.as_html() {
                    changed.push(format!("{:?} -> {again:?}", body.as_html()));
                }
            }
        }
        assert!(
            changed.is_empty(),
            "not idempotent:\n{}",
            changed.join("\n")
        );
    }
}
