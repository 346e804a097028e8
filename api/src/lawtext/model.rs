//! The parsed shape of a Thai law: title, preamble, headings, sections, closing, amendments, footnotes.

use super::SectionNumber;

/// Everything found in one input. Every non-blank source line ends up in exactly one of
/// `preamble`, `headings[].lines`, `sections[].lines`, `closing`, `rationale_lines`,
/// `amendments[].lines` or `footnotes[].lines` (amendment sections are a view into
/// `amendments[].lines`, not extra owners).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedLaw {
    /// Title lines joined with single spaces; a bare instrument word on its own line
    /// (`พระราชบัญญัติ`) is joined to the next line without a space, as Thai writes it.
    /// Footnote markers are removed. Empty if no title could be recognised.
    pub title: String,
    pub kind: Option<InstrumentKind>,
    /// The title starts with ร่าง (a draft pasted from a working document).
    pub is_draft: bool,
    /// The word that numbers provisions: มาตรา for Acts, ข้อ for regulations.
    pub unit: ProvisionUnit,
    /// Title, promulgation formula and anything else before the first heading or section.
    pub preamble: Vec<Line>,
    /// Document order.
    pub headings: Vec<Heading>,
    /// Sections of the main text only, in document order (strictly increasing numbers).
    pub sections: Vec<Section>,
    /// Countersignature, schedules and annexes after the main text, editors' sign-off lines.
    pub closing: Vec<Line>,
    /// The reason text of the main instrument (`หมายเหตุ :- เหตุผลใน... คือ <this>`).
    pub rationale: Option<String>,
    /// Source lines the rationale was read from (they are not repeated in `closing`).
    pub rationale_lines: Vec<usize>,
    pub amendments: Vec<AmendingAct>,
    pub footnotes: Vec<Footnote>,
}

/// A non-blank source line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the input.
    pub number: usize,
    /// Trimmed (including NBSP and zero-width spaces), inner whitespace runs collapsed to one space.
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstrumentKind {
    /// พระราชบัญญัติ (including organic Acts, พระราชบัญญัติประกอบรัฐธรรมนูญ).
    Act,
    /// พระราชกำหนด
    EmergencyDecree,
    /// พระราชกฤษฎีกา
    RoyalDecree,
    /// กฎกระทรวง
    MinisterialRegulation,
    /// รัฐธรรมนูญ
    Constitution,
    /// ประมวลกฎหมาย / ประมวลรัษฎากร
    Code,
    /// ระเบียบ, ประกาศ, ข้อบังคับ, คำสั่ง, กฎ ...
    OtherRule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProvisionUnit {
    /// มาตรา
    Section,
    /// ข้อ
    Clause,
}

impl ProvisionUnit {
    pub fn word(self) -> &'static str {
        match self {
            ProvisionUnit::Section => "มาตรา",
            ProvisionUnit::Clause => "ข้อ",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HeadingLevel {
    /// บรรพ (Civil and Commercial Code)
    Book,
    /// ภาค
    Part,
    /// ลักษณะ
    Title,
    /// หมวด
    Chapter,
    /// ส่วน
    Division,
    /// A heading without a number: บทเฉพาะกาล, บทกำหนดโทษ, บททั่วไป, ข้อความเบื้องต้น ...
    Unnumbered,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: HeadingLevel,
    /// As written, whitespace normalised: `"๑"`, `"๑/๑"`, `"๒ ทวิ"`.
    pub number: Option<String>,
    /// Title lines joined with single spaces (may be empty if the source has none).
    pub title: String,
    /// Index into `ParsedLaw::headings` of the enclosing heading.
    pub parent: Option<usize>,
    /// Source line numbers: the heading line(s), its title, and any stray text before the next section.
    pub lines: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// As written, whitespace normalised, without the unit word and footnote markers: `"๑๕/๑"`, `"๓ ทวิ"`.
    pub label: String,
    pub number: SectionNumber,
    /// Footnote markers written on the label (`มาตรา ๒[๑]` gives `["[๑]"]`).
    pub footnote_markers: Vec<String>,
    /// Innermost heading the section sits under (index into `ParsedLaw::headings`).
    pub heading: Option<usize>,
    /// Body lines joined with `'\n'`, starting with the text after the label on the label line.
    /// Footnote markers inside the body are kept as written (they refer to sub-items);
    /// use [`super::strip_footnote_markers`] for clean text.
    pub text: String,
    /// Source line numbers consumed, label line(s) included.
    pub lines: Vec<usize>,
}

/// An amending instrument appended after the main text (`พระราชบัญญัติ... (ฉบับที่ ๒) พ.ศ. ...[๑๒]`),
/// or another footnoted instrument printed there (revolutionary council orders, approval notices).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendingAct {
    /// Title lines joined like [`ParsedLaw::title`], marker and leading `*` removed.
    pub title: String,
    pub kind: Option<InstrumentKind>,
    /// The footnote marker on the title (`"[๑๒]"`), linking to its Royal Gazette reference.
    pub footnote_marker: Option<String>,
    /// Every source line of this block, title included.
    pub lines: Vec<Line>,
    /// Its own sections (usually the commencement and transitional ones).
    pub sections: Vec<Section>,
    pub rationale: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Footnote {
    /// As written: `"[๑]"`.
    pub marker: String,
    /// The marker's value in Arabic digits.
    pub number: Option<u32>,
    /// Text after the marker, continuation lines joined with single spaces.
    pub text: String,
    pub lines: Vec<usize>,
}
