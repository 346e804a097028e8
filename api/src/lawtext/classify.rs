//! Line classifier: recognises section labels, headings, titles and the end-matter markers of Thai law text.
//!
//! Everything here looks at one line (and, for labels broken across lines, the next one or two)
//! and says what it could be. Whether a candidate is accepted depends on context and is decided
//! by the state machine in `parser.rs`.

use super::{
    HeadingLevel, InstrumentKind, ProvisionUnit,
    digits::{is_digit, take_number},
    lines::{
        SrcLine, clean, is_space, split_trailing_markers, strip_footnote_markers, take_marker,
    },
    number::{SectionNumber, is_thai_letter, take_insert, take_suffix},
};

/// How the label is separated from the body text that follows on the same line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sep {
    /// Nothing follows: the body starts on the next line.
    EndOfLine,
    /// NBSP, two or more spaces, or a footnote marker: how promulgated texts set labels.
    Strong,
    /// A single space (or nothing): also how a wrapped cross-reference looks, so it needs context.
    Weak,
}

#[derive(Debug, Clone)]
pub(crate) struct LabelMatch {
    pub number: SectionNumber,
    pub label: String,
    pub markers: Vec<String>,
    /// Source lines the label spans (1 to 3: `มาตรา` / `๔๑` / `ทวิ[๑๒]`).
    pub consumed: usize,
    /// Body text after the label on its last line, cleaned.
    pub rest: String,
    pub sep: Sep,
}

/// The following line if it is inside the region and not blank.
fn next_nonblank<'a, 'b>(
    lines: &'b [SrcLine<'a>],
    i: usize,
    end: usize,
) -> Option<&'b SrcLine<'a>> {
    (i < end)
        .then(|| lines.get(i))
        .flatten()
        .filter(|l| !l.is_blank())
}

/// Reads a provision label (`มาตรา ๑๕/๑[๓]`, `มาตรา\n๔๑\nทวิ[๑๒]`, `ข้อ 3`) starting at line `i`.
pub(crate) fn match_label(
    lines: &[SrcLine<'_>],
    i: usize,
    end: usize,
    unit: ProvisionUnit,
) -> Option<LabelMatch> {
    let after_word = lines.get(i)?.raw.strip_prefix(unit.word())?;
    // `ข้อความ` and `มาตราส่วน` are words, not labels.
    if after_word
        .chars()
        .next()
        .is_some_and(|c| !is_space(c) && !is_digit(c))
    {
        return None;
    }
    let mut consumed = 1;
    let mut s = after_word.trim_start_matches(is_space);
    if s.trim_end_matches(is_space).is_empty() {
        let next = next_nonblank(lines, i + consumed, end)?;
        if !next.raw.starts_with(is_digit) {
            return None;
        }
        s = next.raw;
        consumed += 1;
    }
    let (main, r) = take_number(s)?;
    let mut label = s[..s.len() - r.len()].to_string();
    let mut number = SectionNumber::new(main);
    s = r;
    if let Some((ins, r)) = take_insert(s) {
        label.push_str(&s[..s.len() - r.len()]);
        number.insert = Some(ins);
        s = r;
    }
    if number.insert.is_none() {
        let t = s.trim_start_matches(is_space);
        let mut suffix = take_suffix(t).map(|(v, r)| (v, &t[..t.len() - r.len()], r));
        if suffix.is_none() && t.trim_end_matches(is_space).is_empty() {
            // `มาตรา ๔๑` / `ทวิ[๑๒]`: the suffix was wrapped onto the next line.
            if let Some(next) = next_nonblank(lines, i + consumed, end)
                && let Some((v, r)) = take_suffix(next.raw)
            {
                suffix = Some((v, &next.raw[..next.raw.len() - r.len()], r));
                consumed += 1;
            }
        }
        if let Some((value, word, r)) = suffix {
            label.push(' ');
            label.push_str(word);
            number.suffix = value;
            s = r;
            if let Some((ins, r)) = take_insert(s) {
                label.push_str(&s[..s.len() - r.len()]);
                number.insert = Some(ins);
                s = r;
            }
        }
    }
    let mut markers = Vec::new();
    loop {
        let t = s.trim_start_matches(is_space);
        match take_marker(t) {
            Some((m, _, r)) => {
                markers.push(m.to_string());
                s = r;
            }
            None => break,
        }
    }
    let sep = separator(s, !markers.is_empty());
    // Drafts sometimes write `มาตรา 5.` or `ข้อ ๓)`; the punctuation belongs to the label.
    let rest =
        clean(s.trim_start_matches(|c: char| is_space(c) || matches!(c, '.' | ':' | ')' | '-')));
    Some(LabelMatch {
        number,
        label,
        markers,
        consumed,
        rest,
        sep,
    })
}

fn separator(s: &str, had_marker: bool) -> Sep {
    if s.trim_matches(is_space).is_empty() {
        return Sep::EndOfLine;
    }
    let mut chars = s.chars();
    let first = chars.next();
    let second = chars.next();
    match (first, second) {
        (Some('\u{00A0}' | '\t'), _) => Sep::Strong,
        (Some(a), Some(b)) if is_space(a) && is_space(b) => Sep::Strong,
        _ if had_marker => Sep::Strong,
        _ => Sep::Weak,
    }
}

/// Words a wrapped cross-reference continues with (`มาตรา ๒๑ หรือมาตรา ๒๘ ต้องระวางโทษ...`)
/// and that never open a real section.
const REFERENCE_STARTS: &[&str] = &[
    "มาตรา",
    "หรือ",
    "และ",
    "วรรค",
    "(",
    "ยกเว้น",
    "ประกอบ",
    "แห่ง",
    "ถึง",
    "ให้หมายถึง",
    "ต้องระวางโทษ",
    "มาใช้บังคับ",
    "ไม่ใช้บังคับ",
    "แล้วแต่กรณี",
    "ของ",
    "ซึ่ง",
    ",",
];

pub(crate) fn starts_with_reference(rest: &str) -> bool {
    REFERENCE_STARTS.iter().any(|w| rest.starts_with(w))
}

/// Words after which a line wraps mid-reference (`...ไม่ปฏิบัติตาม` / `มาตรา ๒๑ ...`).
const REFERENCE_ENDS: &[&str] = &[
    "มาตรา",
    "ตาม",
    "และ",
    "หรือ",
    "แห่ง",
    "ถึง",
    "ประกอบ",
    "กับ",
    ",",
];

/// True when `prev` ends in the middle of a cross-reference, so a following line starting
/// with `มาตรา N` is most likely its continuation.
pub(crate) fn ends_with_reference(prev: &str, unit: ProvisionUnit) -> bool {
    let t = strip_trailing_label(prev.trim_end_matches(is_space));
    if t.ends_with(unit.word()) {
        return true;
    }
    let t = prev.trim_end_matches(is_space);
    REFERENCE_ENDS.iter().any(|w| t.ends_with(w))
}

/// `"...ตามมาตรา ๖๕ โสฬส"` → `"...ตามมาตรา"`; lines not ending in a number are returned as is.
fn strip_trailing_label(s: &str) -> &str {
    let Some(last_digit) = s.rfind(is_digit) else {
        return s;
    };
    // Only a number, an optional insert and an optional suffix word may follow the last digit.
    let tail = &s[last_digit..];
    let tail_ok = tail
        .chars()
        .skip(1)
        .all(|c| is_space(c) || is_thai_letter(c) || c == '/')
        && tail.chars().filter(|c| is_thai_letter(*c)).count() <= 12;
    if !tail_ok {
        return s;
    }
    let head = s[..last_digit].trim_end_matches(|c: char| is_digit(c) || c == '/');
    head.trim_end_matches(is_space)
}

pub(crate) struct HeadingMatch {
    pub level: HeadingLevel,
    pub number: String,
    pub title: String,
    pub consumed: usize,
}

const HEADING_WORDS: &[(&str, HeadingLevel)] = &[
    ("บรรพ", HeadingLevel::Book),
    ("ภาค", HeadingLevel::Part),
    ("ลักษณะ", HeadingLevel::Title),
    ("หมวด", HeadingLevel::Chapter),
    ("ส่วน", HeadingLevel::Division),
];

/// Reads a numbered heading (`หมวด ๑`, `ส่วนที่ ๒ บททั่วไป`, `หมวด\n๓`, `หมวด ๑/๑`, `หมวด ๒ ทวิ`).
/// A number is required: `ลักษณะต้องห้าม` and `ภาคทัณฑ์` open ordinary sentences.
pub(crate) fn match_heading(lines: &[SrcLine<'_>], i: usize, end: usize) -> Option<HeadingMatch> {
    let raw = lines.get(i)?.raw;
    let (after, level) = HEADING_WORDS
        .iter()
        .find_map(|(w, level)| raw.strip_prefix(w).map(|r| (r, *level)))?;
    let after = after.strip_prefix("ที่").unwrap_or(after);
    let mut s = after.trim_start_matches(is_space);
    if s.len() == after.len() && !s.starts_with(is_digit) && !s.is_empty() {
        return None;
    }
    let mut consumed = 1;
    if s.trim_end_matches(is_space).is_empty() {
        let next = next_nonblank(lines, i + 1, end)?;
        s = next.raw;
        consumed = 2;
    }
    let (_, r) = take_number(s)?;
    let mut number = s[..s.len() - r.len()].to_string();
    let mut rest = r;
    if let Some((_, r)) = take_insert(rest) {
        number.push_str(&rest[..rest.len() - r.len()]);
        rest = r;
    }
    let t = rest.trim_start_matches(is_space);
    if let Some((_, r)) = take_suffix(t) {
        number.push(' ');
        number.push_str(&t[..t.len() - r.len()]);
        rest = r;
    }
    // `หมวด ๑๒๓บาท` is not a heading; a heading number ends at a space, a marker or the line end.
    if rest
        .chars()
        .next()
        .is_some_and(|c| !is_space(c) && c != '[' && c != '.')
    {
        return None;
    }
    let title = clean(&strip_footnote_markers(rest.trim_start_matches('.')));
    Some(HeadingMatch {
        level,
        number,
        title,
        consumed,
    })
}

/// Headings that carry no number. Matched on the whole line only.
const UNNUMBERED_HEADINGS: &[&str] = &[
    "บทเฉพาะกาล",
    "บทกำหนดโทษ",
    "บททั่วไป",
    "บทบัญญัติทั่วไป",
    "ข้อความเบื้องต้น",
    "บทนิยาม",
    "บทสุดท้าย",
    "บทส่งท้าย",
];

pub(crate) fn is_unnumbered_heading(text: &str) -> bool {
    let (t, _) = split_trailing_markers(text);
    UNNUMBERED_HEADINGS.contains(&t)
}

/// Reads the instrument kind from the start of a title (`ร่าง` and a leading `*` are skipped).
pub(crate) fn instrument_kind(title: &str) -> Option<InstrumentKind> {
    let t = strip_draft(title.trim_start_matches('*')).0;
    const KINDS: &[(&str, InstrumentKind)] = &[
        ("พระราชบัญญัติ", InstrumentKind::Act),
        ("พระราชกำหนด", InstrumentKind::EmergencyDecree),
        ("พระราชกฤษฎีกา", InstrumentKind::RoyalDecree),
        ("กฎกระทรวง", InstrumentKind::MinisterialRegulation),
        ("รัฐธรรมนูญ", InstrumentKind::Constitution),
        ("ประมวล", InstrumentKind::Code),
        ("ระเบียบ", InstrumentKind::OtherRule),
        ("ประกาศ", InstrumentKind::OtherRule),
        ("ข้อบังคับ", InstrumentKind::OtherRule),
        ("ข้อบัญญัติ", InstrumentKind::OtherRule),
        ("ข้อกำหนด", InstrumentKind::OtherRule),
        ("เทศบัญญัติ", InstrumentKind::OtherRule),
        ("คำสั่ง", InstrumentKind::OtherRule),
        ("กฎ", InstrumentKind::OtherRule),
    ];
    KINDS
        .iter()
        .find(|(w, _)| t.starts_with(w))
        .map(|(_, k)| *k)
}

/// `("พระราชบัญญัติ...", true)` for `"ร่าง พระราชบัญญัติ..."` / `"ร่างพระราชบัญญัติ..."`.
pub(crate) fn strip_draft(t: &str) -> (&str, bool) {
    match t.strip_prefix("ร่าง") {
        Some(r) if !r.starts_with(is_thai_letter) || instrument_word_start(r) => {
            (r.trim_start_matches(is_space), true)
        }
        _ => (t, false),
    }
}

fn instrument_word_start(s: &str) -> bool {
    [
        "พระราช",
        "กฎ",
        "รัฐธรรมนูญ",
        "ระเบียบ",
        "ประกาศ",
        "ข้อบังคับ",
        "ประมวล",
    ]
    .iter()
    .any(|w| s.starts_with(w))
}

/// A bare instrument word on a line of its own (`พระราชบัญญัติ`), written glued to the name.
pub(crate) fn is_bare_instrument_word(text: &str) -> bool {
    let t = strip_draft(text).0;
    !t.is_empty() && instrument_kind(t).is_some() && !t.contains(' ') && t.chars().count() <= 16
}

/// Lines that begin the promulgation formula, so a title block ends before them.
const FORMULA_STARTS: &[&str] = &[
    "ภูมิพลอดุลยเดช",
    "ให้ไว้ ณ",
    "ตราไว้ ณ",
    "พระบาทสมเด็จ",
    "สมเด็จพระ",
    "ในพระปรมาภิไธย",
    "มีพระบรมราชโองการ",
    "โดยที่",
    "จึงทรง",
    "ศุภมัสดุ",
    "เป็นปีที่",
];

pub(crate) fn is_formula_line(text: &str) -> bool {
    FORMULA_STARTS.iter().any(|w| text.starts_with(w))
}

/// `ผู้รับสนองพระบรมราชโองการ` / `ผู้รับสนองพระราชโองการ`: the countersignature that closes an Act.
pub(crate) fn is_countersign(text: &str) -> bool {
    text.starts_with("ผู้รับสนอง")
}

/// Acts from before the countersignature era end with a dating line instead.
pub(crate) fn is_old_style_ending(text: &str) -> bool {
    text.starts_with("ประกาศมา ณ")
        || text.starts_with("ให้ไว้ ณ วันที่")
        || text.starts_with("ตราไว้ ณ วันที่")
        || (text.contains("ตรัสเหนือเกล้า") && text.contains("แต่วันที่"))
}

/// The Council of State editors' sign-off (`ปุณิกา/ธนบดี/จัดทำ`), printed before the footnotes.
pub(crate) fn is_editor_note(text: &str) -> bool {
    const ROLES: &[&str] = &[
        "/จัดทำ",
        "/ผู้จัดทำ",
        "/ตรวจ",
        "/ผู้ตรวจ",
        "/ตรวจทาน",
        "/แก้ไข",
        "/ปรับปรุง",
        "/เพิ่มเติม",
        "/พิมพ์",
    ];
    text.chars().count() <= 80 && ROLES.iter().any(|r| text.ends_with(r))
}

/// Instrument words an appended amending instrument's title starts with.
const AMENDMENT_STARTS: &[&str] = &[
    "พระราชบัญญัติ",
    "พระราชกำหนด",
    "พระราชกฤษฎีกา",
    "ประกาศ",
    "คำสั่ง",
    "กฎกระทรวง",
    "รัฐธรรมนูญ",
    "ประมวล",
];

/// Longest amending title seen: Acts with five-office names wrap over six lines.
const MAX_TITLE_LINES: usize = 8;

/// If a block starting at `i` is the title of an appended instrument, returns the index of the
/// title's last line (the one carrying the footnote marker that cites its Royal Gazette issue).
pub(crate) fn amendment_title_end(lines: &[SrcLine<'_>], i: usize, end: usize) -> Option<usize> {
    let first = lines.get(i)?;
    let t = first.text.trim_start_matches('*');
    if !AMENDMENT_STARTS.iter().any(|w| t.starts_with(w)) {
        return None;
    }
    (i..end.min(i + MAX_TITLE_LINES))
        .take_while(|&k| lines.get(k).is_some_and(|l| !l.is_blank()))
        .find(|&k| {
            lines
                .get(k)
                .is_some_and(|l| !split_trailing_markers(&l.text).1.is_empty())
        })
}

/// `หมายเหตุ :- เหตุผลในการประกาศใช้...` (the word เหตุผล may be on a following line of the block).
/// Returns the end (exclusive) of the block.
pub(crate) fn rationale_block(lines: &[SrcLine<'_>], i: usize, end: usize) -> Option<usize> {
    let first = lines.get(i)?;
    if !first.text.starts_with("หมายเหตุ") {
        return None;
    }
    let block_end = (i..end)
        .find(|&k| lines.get(k).is_none_or(|l| l.is_blank()))
        .unwrap_or(end);
    lines
        .get(i..block_end.min(i + 3))?
        .iter()
        .any(|l| l.text.contains("เหตุผล"))
        .then_some(block_end)
}

/// Strips `หมายเหตุ :- เหตุผลในการประกาศใช้พระราชบัญญัติฉบับนี้ คือ` and returns the reason itself.
pub(crate) fn rationale_text(joined: &str) -> String {
    let t = joined.strip_prefix("หมายเหตุ").unwrap_or(joined);
    let t = t.trim_start_matches(|c: char| is_space(c) || matches!(c, ':' | '-' | '–'));
    let t = match t.strip_prefix("เหตุผลในการประกาศใช้") {
        // The formula names the instrument, then says คือ ("namely").
        Some(r) => match r.find("คือ") {
            Some(pos) if pos < 120 => &r[pos + "คือ".len()..],
            _ => t,
        },
        None => t,
    };
    t.trim_matches(is_space).to_string()
}

/// `[๑] ราชกิจจานุเบกษา ...` at the start of a line.
pub(crate) fn footnote_start(text: &str) -> Option<(&str, u32, &str)> {
    take_marker(text)
}
