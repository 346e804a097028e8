//! The state machine that walks classified lines and builds a `ParsedLaw`.
//!
//! The document is cut in two first: the main text (title, promulgation formula, headings,
//! sections) ends at the countersignature (`ผู้รับสนอง...`), or for pre-1932 Acts at the dating
//! line, or at the first end-matter marker. Everything after it is end matter: closing block,
//! the rationale, appended amending instruments, editors' notes and footnotes.

use super::{
    AmendingAct, Footnote, Heading, HeadingLevel, InstrumentKind, Line, ParseError, ParsedLaw,
    ProvisionUnit, Section, SectionNumber,
    classify::{
        LabelMatch, Sep, amendment_title_end, ends_with_reference, footnote_start, instrument_kind,
        is_bare_instrument_word, is_countersign, is_editor_note, is_formula_line,
        is_old_style_ending, is_unnumbered_heading, match_heading, match_label, rationale_block,
        rationale_text, starts_with_reference, strip_draft,
    },
    digits::is_digit,
    lines::{SrcLine, split_lines, split_trailing_markers, strip_footnote_markers},
};

pub(crate) fn parse_text(text: &str) -> Result<ParsedLaw, ParseError> {
    let lines = split_lines(text);
    if lines.iter().all(SrcLine::is_blank) {
        return Err(ParseError::Empty);
    }
    let unit = choose_unit(&lines);
    let main_end = find_main_end(&lines, unit);
    let main = parse_main(&lines, main_end, unit);
    if main.sections.is_empty() {
        return Err(ParseError::NoSections);
    }
    let mut post = parse_post(&lines, main_end, unit);

    let mut preamble = main.preamble;
    let title = extract_title(&preamble);
    if post.rationale.is_none()
        && let Some((text, numbers)) = draft_rationale(&preamble, title.first_line)
    {
        preamble.retain(|l| !numbers.contains(&l.number));
        post.rationale = Some(text);
        post.rationale_lines = numbers;
    }
    Ok(ParsedLaw {
        kind: instrument_kind(&title.text),
        title: title.text,
        is_draft: title.is_draft,
        unit,
        preamble,
        headings: main.headings,
        sections: main.sections,
        closing: post.closing,
        rationale: post.rationale,
        rationale_lines: post.rationale_lines,
        amendments: post.amendments,
        footnotes: post.footnotes,
    })
}

fn to_line(l: &SrcLine<'_>) -> Line {
    Line {
        number: l.number,
        text: l.text.clone(),
    }
}

/// Regulations number their provisions with ข้อ; Acts, decrees and the Constitution with มาตรา.
/// The title decides; text without a recognisable title falls back to whichever word labels lines.
fn choose_unit(lines: &[SrcLine<'_>]) -> ProvisionUnit {
    let kind = lines
        .iter()
        .filter(|l| !l.is_blank())
        .take(80)
        .find_map(|l| instrument_kind(&l.text));
    if matches!(
        kind,
        Some(InstrumentKind::MinisterialRegulation | InstrumentKind::OtherRule)
    ) {
        return ProvisionUnit::Clause;
    }
    let has = |unit: ProvisionUnit| {
        (0..lines.len()).any(|i| match_label(lines, i, lines.len(), unit).is_some())
    };
    if kind.is_none() && !has(ProvisionUnit::Section) && has(ProvisionUnit::Clause) {
        ProvisionUnit::Clause
    } else {
        ProvisionUnit::Section
    }
}

fn find_main_end(lines: &[SrcLine<'_>], unit: ProvisionUnit) -> usize {
    let n = lines.len();
    let Some(first_label) = (0..n).find(|&i| match_label(lines, i, n, unit).is_some()) else {
        return n;
    };
    if let Some(k) = (first_label..n).find(|&k| is_countersign(&lines[k].text)) {
        return k;
    }
    (first_label..n)
        .find(|&k| {
            let t = &lines[k].text;
            let block_start = k == 0 || lines[k - 1].is_blank();
            is_old_style_ending(t)
                || is_editor_note(t)
                || (block_start && rationale_block(lines, k, n).is_some())
                || (block_start && footnote_start(t).is_some_and(|(_, v, _)| v == 1))
                || (block_start && amendment_title_end(lines, k, n).is_some())
        })
        .unwrap_or(n)
}

#[derive(Default)]
struct MainPart {
    preamble: Vec<Line>,
    headings: Vec<Heading>,
    sections: Vec<Section>,
}

struct SectionBuilder {
    label: LabelMatch,
    heading: Option<usize>,
    body: Vec<String>,
    lines: Vec<usize>,
}

impl SectionBuilder {
    fn start(label: LabelMatch, heading: Option<usize>, lines: &[SrcLine<'_>], i: usize) -> Self {
        let numbers = lines
            .get(i..i + label.consumed)
            .unwrap_or_default()
            .iter()
            .map(|l| l.number)
            .collect();
        let body = if label.rest.is_empty() {
            Vec::new()
        } else {
            vec![label.rest.clone()]
        };
        SectionBuilder {
            label,
            heading,
            body,
            lines: numbers,
        }
    }

    fn push(&mut self, l: &SrcLine<'_>) {
        self.body.push(l.text.clone());
        self.lines.push(l.number);
    }

    fn finish(self) -> Section {
        Section {
            label: self.label.label,
            number: self.label.number,
            footnote_markers: self.label.markers,
            heading: self.heading,
            text: self.body.join("\n"),
            lines: self.lines,
        }
    }
}

/// Whether a label candidate really opens a section, given what came before it.
///
/// Numbers must strictly increase: cross-references wrapped to the start of a line
/// (`มาตรา ๒๑ หรือมาตรา ๒๘ ต้องระวางโทษ...`) almost always point backwards, so this alone
/// rejects most of them. The rest are caught by how the line reads: a reference continues
/// with หรือ/และ/วรรค..., and the line before it ends in `ตามมาตรา ๒๐`-style wording.
fn accept_label(
    m: &LabelMatch,
    last: Option<SectionNumber>,
    prev_text: Option<&str>,
    unit: ProvisionUnit,
) -> bool {
    if last.is_some_and(|p| m.number <= p) {
        return false;
    }
    if m.sep == Sep::Weak && starts_with_reference(&m.rest) {
        return false;
    }
    match prev_text {
        None => true,
        Some(prev) if ends_with_reference(prev, unit) => {
            m.sep != Sep::Weak && SectionNumber::is_successor(last, m.number)
        }
        Some(_) => true,
    }
}

/// Headings in promulgated text always follow a blank line; pasted drafts may not, so a
/// heading right after text is accepted unless that text wraps mid-reference
/// (`...ตาม` / `หมวด ๓ ...`) or the "title" is a whole sentence.
fn accept_heading(title: &str, prev_text: Option<&str>, unit: ProvisionUnit) -> bool {
    match prev_text {
        None => true,
        Some(prev) => !ends_with_reference(prev, unit) && title.chars().count() <= 80,
    }
}

enum TitleState {
    Idle,
    /// A numbered heading without a title on its line: the next text line is its title,
    /// even after blank lines (`หมวด` / `๒` / blank / `การยกเว้น`).
    Awaiting(usize),
    /// Title started; further lines belong to it until a blank line.
    Collecting(usize),
}

fn prev_text<'a>(lines: &'a [SrcLine<'_>], i: usize, start: usize) -> Option<&'a str> {
    if i <= start {
        return None;
    }
    lines
        .get(i - 1)
        .filter(|l| !l.is_blank())
        .map(|l| l.text.as_str())
}

fn parse_main(lines: &[SrcLine<'_>], end: usize, unit: ProvisionUnit) -> MainPart {
    let mut out = MainPart::default();
    let mut open: Vec<usize> = Vec::new();
    let mut cur: Option<SectionBuilder> = None;
    let mut title = TitleState::Idle;
    let mut started = false;
    let mut last: Option<SectionNumber> = None;
    let mut i = 0;
    while i < end {
        let Some(line) = lines.get(i) else { break };
        if line.is_blank() {
            if let TitleState::Collecting(_) = title {
                title = TitleState::Idle;
            }
            i += 1;
            continue;
        }
        let prev = prev_text(lines, i, 0);

        if let Some(m) = match_label(lines, i, end, unit)
            && accept_label(&m, last, prev, unit)
        {
            out.sections.extend(cur.take().map(SectionBuilder::finish));
            last = Some(m.number);
            let consumed = m.consumed;
            cur = Some(SectionBuilder::start(m, open.last().copied(), lines, i));
            title = TitleState::Idle;
            started = true;
            i += consumed;
            continue;
        }

        if let Some(h) = match_heading(lines, i, end)
            && accept_heading(&h.title, prev, unit)
        {
            out.sections.extend(cur.take().map(SectionBuilder::finish));
            close_for(&mut open, &out.headings, h.level);
            let idx = out.headings.len();
            out.headings.push(Heading {
                level: h.level,
                number: Some(h.number),
                title: h.title.clone(),
                parent: open.last().copied(),
                lines: line_numbers(lines, i, h.consumed),
            });
            open.push(idx);
            title = if h.title.is_empty() {
                TitleState::Awaiting(idx)
            } else {
                TitleState::Collecting(idx)
            };
            started = true;
            i += h.consumed;
            continue;
        }

        if is_unnumbered_heading(&line.text) && !matches!(title, TitleState::Awaiting(_)) {
            // บทเฉพาะกาล and friends stand at the top of the outline: they end every open
            // หมวด/ส่วน, and the sections after them belong to them alone.
            out.sections.extend(cur.take().map(SectionBuilder::finish));
            open.clear();
            let idx = out.headings.len();
            out.headings.push(Heading {
                level: HeadingLevel::Unnumbered,
                number: None,
                title: strip_footnote_markers(&line.text).trim().to_string(),
                parent: None,
                lines: vec![line.number],
            });
            open.push(idx);
            title = TitleState::Idle;
            started = true;
            i += 1;
            continue;
        }

        match title {
            TitleState::Awaiting(h) | TitleState::Collecting(h) => {
                if let Some(head) = out.headings.get_mut(h) {
                    if !head.title.is_empty() {
                        head.title.push(' ');
                    }
                    head.title.push_str(&strip_footnote_markers(&line.text));
                    head.lines.push(line.number);
                }
                title = TitleState::Collecting(h);
            }
            TitleState::Idle => {
                if let Some(sec) = cur.as_mut() {
                    sec.push(line);
                } else if !started {
                    out.preamble.push(to_line(line));
                } else if let Some(head) = out.headings.last_mut() {
                    // Text between a heading and its first section (an explanatory note).
                    head.lines.push(line.number);
                }
            }
        }
        i += 1;
    }
    out.sections.extend(cur.take().map(SectionBuilder::finish));
    out
}

/// Closes the open headings a new heading of `level` cannot sit under.
///
/// Nesting is learnt from the document rather than fixed: the 1921 Railway Act puts
/// หมวด inside ส่วน, the reverse of modern drafting. A level already open is a sibling
/// (close it and everything under it); a level new to the stack nests under the innermost
/// heading, unless it outranks the outermost one in the usual order (a ภาค after
/// top-level หมวด), in which case it starts a new top level.
fn close_for(open: &mut Vec<usize>, headings: &[Heading], level: HeadingLevel) {
    let level_of = |k: &usize| headings.get(*k).map(|h| h.level);
    if let Some(pos) = open.iter().position(|k| level_of(k) == Some(level)) {
        open.truncate(pos);
    } else if open
        .first()
        .and_then(level_of)
        .is_some_and(|outer| level < outer)
    {
        open.clear();
    }
}

fn line_numbers(lines: &[SrcLine<'_>], i: usize, count: usize) -> Vec<usize> {
    lines
        .get(i..i + count)
        .unwrap_or_default()
        .iter()
        .filter(|l| !l.is_blank())
        .map(|l| l.number)
        .collect()
}

#[derive(Default)]
struct PostPart {
    closing: Vec<Line>,
    rationale: Option<String>,
    rationale_lines: Vec<usize>,
    amendments: Vec<AmendingAct>,
    footnotes: Vec<Footnote>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PostState {
    /// Countersignature, schedules, annexes, the main rationale.
    Closing,
    /// Inside the amending instrument at this index.
    Amendment(usize),
    /// After an editors' sign-off: only their dates follow until the footnotes.
    Trailer,
}

fn parse_post(lines: &[SrcLine<'_>], start: usize, unit: ProvisionUnit) -> PostPart {
    let n = lines.len();
    let footnotes_at = (start..n)
        .find(|&k| {
            footnote_start(&lines[k].text).is_some() && (k == start || lines[k - 1].is_blank())
        })
        .unwrap_or(n);

    let mut out = PostPart::default();
    // Source indices of each amendment's lines, for splitting its sections afterwards.
    let mut amendment_lines: Vec<Vec<usize>> = Vec::new();
    let mut state = PostState::Closing;
    let mut i = start;
    while i < footnotes_at {
        let Some(line) = lines.get(i) else { break };
        if line.is_blank() {
            i += 1;
            continue;
        }
        let block_start = i == start || lines[i - 1].is_blank();
        if block_start && let Some(title_end) = amendment_title_end(lines, i, footnotes_at) {
            let idx = out.amendments.len();
            out.amendments.push(new_amendment(lines, i, title_end));
            amendment_lines.push((i..=title_end).collect());
            state = PostState::Amendment(idx);
            i = title_end + 1;
            continue;
        }
        if is_editor_note(&line.text) {
            state = PostState::Trailer;
            out.closing.push(to_line(line));
            i += 1;
            continue;
        }
        match state {
            PostState::Closing => {
                if out.rationale.is_none()
                    && block_start
                    && let Some(block_end) = rationale_block(lines, i, footnotes_at)
                {
                    let block = lines.get(i..block_end).unwrap_or_default();
                    out.rationale = Some(rationale_text(&join_spaced(block)));
                    out.rationale_lines = block.iter().map(|l| l.number).collect();
                    i = block_end;
                    continue;
                }
                out.closing.push(to_line(line));
            }
            PostState::Amendment(idx) => {
                if let (Some(a), Some(idxs)) =
                    (out.amendments.get_mut(idx), amendment_lines.get_mut(idx))
                {
                    a.lines.push(to_line(line));
                    idxs.push(i);
                }
            }
            PostState::Trailer => out.closing.push(to_line(line)),
        }
        i += 1;
    }

    for (a, idxs) in out.amendments.iter_mut().zip(&amendment_lines) {
        split_amendment(lines, a, idxs, unit);
    }
    out.footnotes = parse_footnotes(lines, footnotes_at, &mut out.closing);
    out
}

fn new_amendment(lines: &[SrcLine<'_>], first: usize, last: usize) -> AmendingAct {
    let block = lines.get(first..=last).unwrap_or_default();
    let (title_lines, marker) = match block.split_last() {
        Some((last_line, head)) => {
            let (text, markers) = split_trailing_markers(&last_line.text);
            let mut t: Vec<String> = head.iter().map(|l| l.text.clone()).collect();
            t.push(text.to_string());
            (t, markers.into_iter().last())
        }
        None => (Vec::new(), None),
    };
    let title = join_title(title_lines.iter().map(|t| t.trim_start_matches('*')));
    AmendingAct {
        kind: instrument_kind(&title),
        title,
        footnote_marker: marker,
        lines: block.iter().map(to_line).collect(),
        sections: Vec::new(),
        rationale: None,
    }
}

/// Finds the sections and the rationale of one amending instrument. `idxs` are the source
/// indices of its lines, title first; they are contiguous apart from blank lines.
fn split_amendment(
    lines: &[SrcLine<'_>],
    a: &mut AmendingAct,
    idxs: &[usize],
    unit: ProvisionUnit,
) {
    let (Some(&first), Some(&last)) = (idxs.first(), idxs.last()) else {
        return;
    };
    let end = last + 1;
    let mut cur: Option<SectionBuilder> = None;
    let mut last_num: Option<SectionNumber> = None;
    let mut i = first;
    while i < end {
        let Some(line) = lines.get(i) else { break };
        if line.is_blank() {
            i += 1;
            continue;
        }
        if i > first
            && lines[i - 1].is_blank()
            && let Some(block_end) = rationale_block(lines, i, end)
        {
            a.sections.extend(cur.take().map(SectionBuilder::finish));
            let block = lines.get(i..block_end).unwrap_or_default();
            a.rationale = Some(rationale_text(&join_spaced(block)));
            i = block_end;
            continue;
        }
        if i > first {
            if let Some(m) = match_label(lines, i, end, unit)
                && accept_label(&m, last_num, prev_text(lines, i, first), unit)
            {
                a.sections.extend(cur.take().map(SectionBuilder::finish));
                last_num = Some(m.number);
                let consumed = m.consumed;
                cur = Some(SectionBuilder::start(m, None, lines, i));
                i += consumed;
                continue;
            }
            if let Some(sec) = cur.as_mut() {
                sec.push(line);
            }
        }
        i += 1;
    }
    a.sections.extend(cur.take().map(SectionBuilder::finish));
}

fn parse_footnotes(lines: &[SrcLine<'_>], start: usize, closing: &mut Vec<Line>) -> Vec<Footnote> {
    let mut notes: Vec<Footnote> = Vec::new();
    for l in lines.get(start..).unwrap_or_default() {
        if l.is_blank() {
            continue;
        }
        if let Some((marker, number, rest)) = footnote_start(&l.text) {
            notes.push(Footnote {
                marker: marker.to_string(),
                number: Some(number),
                text: rest.trim().to_string(),
                lines: vec![l.number],
            });
        } else if let Some(note) = notes.last_mut() {
            if !note.text.is_empty() {
                note.text.push(' ');
            }
            note.text.push_str(&l.text);
            note.lines.push(l.number);
        } else {
            closing.push(to_line(l));
        }
    }
    notes
}

fn join_spaced(block: &[SrcLine<'_>]) -> String {
    block
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Joins title lines with single spaces, except that a bare instrument word on its own line
/// is glued to the name that follows (`พระราชบัญญัติ` + `ข้อมูลข่าวสารของราชการ`), and so is
/// a bare `ร่าง` to the instrument word.
fn join_title<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut glue = false;
    for p in parts {
        let p = strip_footnote_markers(p);
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        if !out.is_empty() && !glue {
            out.push(' ');
        }
        out.push_str(p);
        // `ร่าง` alone on a line belongs to the instrument word after it: ร่างพระราชบัญญัติ.
        glue = is_bare_instrument_word(p) || p == "ร่าง";
    }
    out
}

struct Title {
    text: String,
    is_draft: bool,
    /// Index into the preamble of the title's first line.
    first_line: Option<usize>,
}

/// Finds the title in the preamble: the first block (lines not separated by blank lines)
/// that starts with an instrument word. The scraped files repeat the instrument word or the
/// short title as a running header above the real title; such a one-line block is skipped
/// when the next block starts with the same text.
fn extract_title(preamble: &[Line]) -> Title {
    let mut blocks: Vec<&[Line]> = Vec::new();
    let mut start = 0;
    for k in 1..=preamble.len() {
        let gap = match (preamble.get(k - 1), preamble.get(k)) {
            (Some(a), Some(b)) => b.number != a.number + 1,
            _ => true,
        };
        if gap {
            blocks.push(preamble.get(start..k).unwrap_or_default());
            start = k;
        }
    }
    let opens_title = |b: &[Line]| {
        let Some(first) = b.first() else { return false };
        let t = first.text.trim_start_matches('*');
        instrument_kind(t).is_some()
            || (t == "ร่าง" && b.get(1).is_some_and(|l| instrument_kind(&l.text).is_some()))
    };
    let Some(mut bi) = blocks.iter().position(|b| opens_title(b)) else {
        return Title {
            text: String::new(),
            is_draft: false,
            first_line: None,
        };
    };
    if let (Some(this), Some(next)) = (blocks.get(bi), blocks.get(bi + 1))
        && let (1, Some(a), Some(b)) = (this.len(), this.first(), next.first())
        && b.text.starts_with(&a.text)
        && opens_title(next)
    {
        bi += 1;
    }
    let block = blocks.get(bi).copied().unwrap_or_default();
    let mut parts: Vec<&str> = Vec::new();
    for (k, l) in block.iter().enumerate() {
        if !parts.is_empty() && is_formula_line(&l.text) {
            break;
        }
        parts.push(&l.text);
        // A year ends the title, unless the year belongs to an event named in it and the
        // title's own year follows (`...ปฏิวัติ เมื่อวันที่ ๒๐ ตุลาคม พ.ศ. ๒๕๐๑` / `พ.ศ. ๒๕๐๒`).
        let next_is_year = block.get(k + 1).is_some_and(|n| starts_with_era(&n.text));
        if ends_with_year(&l.text) && !next_is_year {
            break;
        }
    }
    let text = join_title(parts.iter().copied());
    let is_draft = strip_draft(&text).1;
    let first_line = block
        .first()
        .and_then(|f| preamble.iter().position(|l| l.number == f.number));
    Title {
        text,
        is_draft,
        first_line,
    }
}

const ERAS: &[&str] = &["พ.ศ.", "พุทธศักราช", "พระพุทธศักราช", "ร.ศ.", "รัตนโกสินทรศก"];

fn starts_with_era(text: &str) -> bool {
    ERAS.iter().any(|era| text.starts_with(era))
}

/// `พ.ศ. ๒๕๔๐`, `พุทธศักราช ๒๔๘๔`, or a draft's `พ.ศ. ....`: the title is complete.
fn ends_with_year(text: &str) -> bool {
    ERAS.iter().any(|era| {
        text.rfind(era).is_some_and(|pos| {
            let after = text[pos + era.len()..].trim();
            !after.is_empty()
                && after
                    .chars()
                    .all(|c| is_digit(c) || matches!(c, '.' | '…' | ' ' | '[' | ']'))
        })
    })
}

/// A draft bill sent for comment usually opens with `บันทึกหลักการและเหตุผล`, whose
/// `เหตุผล` part is the rationale. Returns its text and source lines (heading included).
fn draft_rationale(preamble: &[Line], title_at: Option<usize>) -> Option<(String, Vec<usize>)> {
    let limit = title_at.unwrap_or(preamble.len());
    let head = preamble
        .get(..limit)?
        .iter()
        .position(|l| split_trailing_markers(&l.text).0 == "เหตุผล")?;
    let body = preamble.get(head + 1..limit)?;
    if body.is_empty() {
        return None;
    }
    let text = body
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let numbers = preamble
        .get(head..limit)?
        .iter()
        .map(|l| l.number)
        .collect();
    Some((text, numbers))
}
