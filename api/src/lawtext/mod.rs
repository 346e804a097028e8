//! TEMPORARY interface stand-in until the parser lands (replaced wholesale).
#![allow(dead_code, unused_variables)]

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstrumentKind {
    Act,
    EmergencyDecree,
    RoyalDecree,
    MinisterialRegulation,
    Constitution,
    OtherRule,
}
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadingLevel {
    Part,
    Title,
    Chapter,
    Division,
    Unnumbered,
}
#[derive(Debug)]
pub enum ParseError {
    Empty,
    Binary,
    NotUtf8 {
        likely_encoding: Option<&'static str>,
        byte_offset: usize,
    },
    NoSections,
}
impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}
impl std::error::Error for ParseError {}
#[derive(Clone, Debug)]
pub struct Line {
    pub number: usize,
    pub text: String,
}
#[derive(Clone, Debug)]
pub struct Heading {
    pub level: HeadingLevel,
    pub number: Option<String>,
    pub title: String,
    pub parent: Option<usize>,
    pub lines: Vec<usize>,
}
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SectionNumber {
    pub main: u32,
    pub insert: Option<u32>,
    pub suffix: u8,
}
impl SectionNumber {
    pub fn sort_key(&self) -> String {
        String::new()
    }
    pub fn key(&self) -> String {
        String::new()
    }
}
#[derive(Clone, Debug)]
pub struct Section {
    pub label: String,
    pub number: SectionNumber,
    pub heading: Option<usize>,
    pub text: String,
    pub lines: Vec<usize>,
}
#[derive(Clone, Debug)]
pub struct AmendingAct {
    pub title: String,
    pub lines: Vec<Line>,
    pub sections: Vec<Section>,
}
#[derive(Clone, Debug)]
pub struct Footnote {
    pub marker: String,
    pub text: String,
}
#[derive(Clone, Debug)]
pub struct ParsedLaw {
    pub title: String,
    pub kind: Option<InstrumentKind>,
    pub preamble: Vec<Line>,
    pub headings: Vec<Heading>,
    pub sections: Vec<Section>,
    pub closing: Vec<Line>,
    pub rationale: Option<String>,
    pub amendments: Vec<AmendingAct>,
    pub footnotes: Vec<Footnote>,
}
pub fn parse(text: &str) -> Result<ParsedLaw, ParseError> {
    Err(ParseError::Empty)
}
pub fn parse_bytes(bytes: &[u8]) -> Result<ParsedLaw, ParseError> {
    Err(ParseError::Empty)
}
