//! Section numbers (`มาตรา ๑๕/๑`, `มาตรา ๓ ทวิ`, `มาตรา ๖๕ อัฏฐ/๑`): parsing, ordering and stable keys.

use std::{cmp::Ordering, fmt};

use super::digits::{arabic_to_thai_digits, take_number};

/// Latin-derived ordinal suffixes used when a section is inserted after an existing one
/// (older drafting style; newer Acts use `/๑`). Index in the table is not the value:
/// the value is the second field, because ทวิ ("second") is 2.
///
/// Variant spellings seen in Thai law are listed as separate rows with the same value.
const SUFFIXES: &[(&str, u8)] = &[
    ("ทวิ", 2),
    ("ตรี", 3),
    ("จัตวา", 4),
    ("เบญจ", 5),
    ("เบ็ญจ", 5),
    ("ฉ", 6),
    ("สัตต", 7),
    ("อัฏฐ", 8),
    ("นว", 9),
    ("ทศ", 10),
    ("เอกาทศ", 11),
    ("ทวาทศ", 12),
    ("เตรส", 13),
    ("จตุทศ", 14),
    ("ปัณรส", 15),
    ("ปัณณรส", 15),
    ("โสฬส", 16),
    ("สัตตรส", 17),
    ("อัฏฐารส", 18),
    ("เอกูนวีสติ", 19),
    ("วีสติ", 20),
    ("เอกวีสติ", 21),
    ("ทวาวีสติ", 22),
    ("ทววีสติ", 22),
    ("เตวีสติ", 23),
    ("จตุวีสติ", 24),
    ("ปัญจวีสติ", 25),
    ("ฉัพพีสติ", 26),
    ("สัตตวีสติ", 27),
    ("อัฏฐวีสติ", 28),
    ("เอกูนตึงสติ", 29),
    ("ตึงสติ", 30),
];

/// The number of a section as a comparable value.
///
/// Order is `main`, then `suffix`, then `insert`: the Petroleum Income Tax Act has
/// `มาตรา ๖๕ อัฏฐ`, `มาตรา ๖๕ อัฏฐ/๑`, `มาตรา ๖๕ นว` in that order, so an insert
/// belongs to the suffixed section it follows, not the other way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SectionNumber {
    pub main: u32,
    /// The `/๑` part, if any.
    pub insert: Option<u32>,
    /// 0 for none, 2 for ทวิ, 3 for ตรี ... (see [`suffix_word`]).
    pub suffix: u8,
}

impl SectionNumber {
    pub fn new(main: u32) -> Self {
        SectionNumber {
            main,
            insert: None,
            suffix: 0,
        }
    }

    /// Zero-padded key whose string order equals the numeric order:
    /// `main(6).suffix(2).insert(4)`, e.g. `"000015.00.0001"` for ๑๕/๑ and
    /// `"000003.02.0000"` for ๓ ทวิ.
    pub fn sort_key(&self) -> String {
        format!(
            "{:06}.{:02}.{:04}",
            self.main,
            self.suffix,
            self.insert.unwrap_or(0)
        )
    }

    /// Stable, Arabic-digit key for matching the same section across versions:
    /// `"15"`, `"15/1"`, `"3-2"` (ทวิ), `"65-8/1"` (อัฏฐ/๑).
    pub fn key(&self) -> String {
        let mut k = self.main.to_string();
        if self.suffix > 0 {
            k.push('-');
            k.push_str(&self.suffix.to_string());
        }
        if let Some(ins) = self.insert {
            k.push('/');
            k.push_str(&ins.to_string());
        }
        k
    }

    /// The label as Thai drafting writes it: `"๑๕/๑"`, `"๓ ทวิ"`, `"๖๕ อัฏฐ/๑"`.
    pub fn thai_label(&self) -> String {
        let mut s = arabic_to_thai_digits(&self.main.to_string());
        if let Some(word) = suffix_word(self.suffix) {
            s.push(' ');
            s.push_str(word);
        }
        if let Some(ins) = self.insert {
            s.push('/');
            s.push_str(&arabic_to_thai_digits(&ins.to_string()));
        }
        s
    }

    /// Parses a label (`"๑๕/๑"`, `"3 ทวิ"`, `"๖๕ อัฏฐ/๑"`) or a key (`"15/1"`, `"3-2"`).
    /// Leading `มาตรา` and surrounding whitespace are allowed; trailing text is not.
    pub fn parse(s: &str) -> Option<SectionNumber> {
        let s = s.trim();
        let s = s.strip_prefix("มาตรา").unwrap_or(s).trim_start();
        let (main, rest) = take_number(s)?;
        let mut n = SectionNumber::new(main);
        let mut rest = rest;
        if let Some(r) = rest.strip_prefix('-') {
            let (suffix, r) = take_number(r)?;
            n.suffix = u8::try_from(suffix).ok()?;
            rest = r;
        }
        if let Some((ins, r)) = take_insert(rest) {
            n.insert = Some(ins);
            rest = r;
        }
        if n.suffix == 0
            && let Some((value, r)) = take_suffix(rest.trim_start())
        {
            n.suffix = value;
            rest = r;
            if let Some((ins, r)) = take_insert(rest) {
                n.insert = Some(ins);
                rest = r;
            }
        }
        rest.trim().is_empty().then_some(n)
    }

    /// True when `next` is what a drafter would number right after `prev`
    /// (`None` = nothing yet, so only ๑ qualifies).
    pub(crate) fn is_successor(prev: Option<SectionNumber>, next: SectionNumber) -> bool {
        let Some(p) = prev else {
            return next == SectionNumber::new(1);
        };
        let next_main =
            next.main == p.main.saturating_add(1) && next.suffix == 0 && next.insert.is_none();
        let next_insert = next.main == p.main
            && next.suffix == p.suffix
            && next.insert == Some(p.insert.unwrap_or(0).saturating_add(1));
        let next_suffix = next.main == p.main
            && next.insert.is_none()
            && next.suffix
                == if p.suffix == 0 {
                    2
                } else {
                    p.suffix.saturating_add(1)
                };
        next_main || next_insert || next_suffix
    }
}

impl Ord for SectionNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        // `None < Some(1)`, so ๑๕ sorts before ๑๕/๑; comparing the Option (not a default
        // of 0) keeps `Ord` consistent with the derived `Eq`.
        (self.main, self.suffix, self.insert).cmp(&(other.main, other.suffix, other.insert))
    }
}

impl PartialOrd for SectionNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for SectionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.thai_label())
    }
}

/// The Thai word for a suffix value (2 → ทวิ), `None` for 0 or unknown values.
pub fn suffix_word(value: u8) -> Option<&'static str> {
    SUFFIXES.iter().find(|(_, v)| *v == value).map(|(w, _)| *w)
}

/// Thai letters, vowels and tone marks: a suffix word followed by one of these is just
/// the start of a longer word (`ฉบับ` must not read as ฉ).
pub(crate) fn is_thai_letter(c: char) -> bool {
    ('\u{0E01}'..='\u{0E4F}').contains(&c)
}

/// Reads a suffix word at the start of `s` (longest match, must end at a word boundary).
pub(crate) fn take_suffix(s: &str) -> Option<(u8, &str)> {
    let mut best: Option<(usize, u8)> = None;
    for (word, value) in SUFFIXES {
        if let Some(rest) = s.strip_prefix(word) {
            let boundary = rest.chars().next().is_none_or(|c| !is_thai_letter(c));
            if boundary && best.is_none_or(|(len, _)| word.len() > len) {
                best = Some((word.len(), *value));
            }
        }
    }
    best.map(|(len, value)| (value, &s[len..]))
}

/// Reads `/digits` at the start of `s`.
pub(crate) fn take_insert(s: &str) -> Option<(u32, &str)> {
    take_number(s.strip_prefix('/')?)
}
