//! Acceptance run over the Thai-law corpus: ordering, independent section count, line coverage, amendments kept apart.
//!
//! The corpus folder is `$RUBFANG_CORPUS_DIR/thai-law` (default `../shared/corpus/thai-law` beside the repository).
//! When it is missing the test prints why and passes, so CI without the data stays green.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::Instant,
};

use super::super::{ParsedLaw, parse_bytes};

fn corpus_dir() -> PathBuf {
    let base = std::env::var("RUBFANG_CORPUS_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus").into());
    Path::new(&base).join("thai-law")
}

fn corpus_files() -> Option<Vec<PathBuf>> {
    let dir = corpus_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!(
            "SKIP: corpus folder {} not found (set RUBFANG_CORPUS_DIR to the folder holding thai-law/)",
            dir.display()
        );
        return None;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    Some(files)
}

// ---------------------------------------------------------------------------------------------
// An independent, deliberately simple reading of the same text. It shares no code with the
// parser: its own whitespace test, digit reader, suffix list and end-of-main-text rule.
// ---------------------------------------------------------------------------------------------

fn blank(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}')
}

fn tidy(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}')
}

/// Index (0-based) of the first line after the main text.
fn simple_main_end(lines: &[&str]) -> usize {
    let first_label = lines
        .iter()
        .position(|l| tidy(l).starts_with("มาตรา"))
        .unwrap_or(0);
    let rest = || lines.iter().enumerate().skip(first_label);
    rest()
        .find(|(_, l)| tidy(l).starts_with("ผู้รับสนอง"))
        .or_else(|| {
            rest().find(|(_, l)| {
                let t = tidy(l);
                t.starts_with("ประกาศมา ณ") || t.contains("ตรัสเหนือเกล้าฯ แต่วันที่")
            })
        })
        .map_or(lines.len(), |(i, _)| i)
}

fn simple_digits(s: &str) -> (Option<u32>, &str) {
    let mut v: Option<u32> = None;
    let mut used = 0;
    for c in s.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '๐'..='๙' => c as u32 - '๐' as u32,
            _ => break,
        };
        v = Some(v.unwrap_or(0) * 10 + d);
        used += c.len_utf8();
    }
    (v, &s[used..])
}

/// Ordinal words by value; position 0 is ทวิ = 2. Longest spellings first within a tie
/// doesn't matter here because the boundary check below rejects partial words.
const WORDS: &[&str] = &[
    "ทวิ",
    "ตรี",
    "จัตวา",
    "เบญจ",
    "ฉ",
    "สัตต",
    "อัฏฐ",
    "นว",
    "ทศ",
    "เอกาทศ",
    "ทวาทศ",
    "เตรส",
    "จตุทศ",
    "ปัณรส",
    "โสฬส",
    "สัตตรส",
    "อัฏฐารส",
    "เอกูนวีสติ",
    "วีสติ",
    "เอกวีสติ",
    "ทวาวีสติ",
    "เตวีสติ",
    "จตุวีสติ",
    "ปัญจวีสติ",
    "ฉัพพีสติ",
];

fn simple_word(s: &str) -> Option<(u32, &str)> {
    let mut best: Option<(u32, &str)> = None;
    for (i, w) in WORDS.iter().enumerate() {
        if let Some(r) = s.strip_prefix(w) {
            let ok = r
                .chars()
                .next()
                .is_none_or(|c| !('\u{0E01}'..='\u{0E4F}').contains(&c));
            if ok && best.is_none_or(|(_, br)| r.len() < br.len()) {
                best = Some((i as u32 + 2, r));
            }
        }
    }
    best
}

/// Counts section labels in the main text by layout: a line starting with มาตรา and a number
/// (the number may sit on the next line, a suffix word too), that either follows a blank line
/// or is set off by NBSP / line end as promulgated labels are; and whose number is larger than
/// the last one counted (wrapped cross-references mostly point backwards).
fn simple_count(text: &str) -> (usize, usize) {
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let end = simple_main_end(&lines);
    let mut count = 0;
    let mut last: (u32, u32, u32) = (0, 0, 0);
    let mut i = 0;
    while i < end {
        let t = tidy(lines[i]);
        let Some(after) = t.strip_prefix("มาตรา") else {
            i += 1;
            continue;
        };
        let mut s: String = after.trim_start().to_string();
        let mut used = 1;
        if s.is_empty() && i + 1 < end {
            s = lines[i + 1].trim_start().to_string();
            used = 2;
        }
        let (Some(main), r) = simple_digits(&s) else {
            i += 1;
            continue;
        };
        let mut r = r.to_string();
        let mut insert = 0;
        let mut suffix = 0;
        if let Some(x) = r.strip_prefix('/') {
            let (v, rr) = simple_digits(x);
            insert = v.unwrap_or(0);
            r = rr.to_string();
        }
        let trimmed = r.trim_start_matches(' ').to_string();
        if let Some((v, rr)) = simple_word(&trimmed) {
            suffix = v;
            r = rr.to_string();
            if let Some(x) = r.strip_prefix('/') {
                let (v, rr) = simple_digits(x);
                insert = v.unwrap_or(0);
                r = rr.to_string();
            }
        } else if blank(&trimmed)
            && i + used < end
            && let Some((v, rr)) = simple_word(lines[i + used].trim_start())
        {
            suffix = v;
            r = rr.to_string();
            used += 1;
        }
        while r.starts_with('[') {
            match r.find(']') {
                Some(p) => r = r[p + 1..].to_string(),
                None => break,
            }
        }
        let after_blank = i == 0 || blank(lines[i - 1]);
        let set_off = blank(&r) || r.starts_with('\u{00A0}') || r.starts_with(" \u{00A0}");
        let key = (main, suffix, insert);
        if (after_blank || set_off) && key > last {
            count += 1;
            last = key;
            i += used;
        } else {
            i += 1;
        }
    }
    (count, end)
}

// ---------------------------------------------------------------------------------------------

fn check(path: &Path) -> Result<ParsedLaw, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("read failed: {e}"))?;
    let law = parse_bytes(&bytes).map_err(|e| format!("parse error: {e}"))?;
    let text = String::from_utf8_lossy(&bytes);
    let mut problems: Vec<String> = Vec::new();

    // 1. Strictly increasing section numbers.
    for w in law.sections.windows(2) {
        if w[1].number <= w[0].number {
            problems.push(format!(
                "section order: {} (line {:?}) after {}",
                w[1].label,
                w[1].lines.first(),
                w[0].label
            ));
        }
    }

    // 2. Independent count.
    let (expected, main_end) = simple_count(&text);
    if expected != law.sections.len() {
        problems.push(format!(
            "section count: parser {} vs independent {}",
            law.sections.len(),
            expected
        ));
    }

    // 3. Every non-blank line exactly once.
    let mut owners: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    let mut own = |n: usize, who: &'static str| owners.entry(n).or_default().push(who);
    law.preamble.iter().for_each(|l| own(l.number, "preamble"));
    law.headings
        .iter()
        .flat_map(|h| &h.lines)
        .for_each(|&n| own(n, "heading"));
    law.sections
        .iter()
        .flat_map(|s| &s.lines)
        .for_each(|&n| own(n, "section"));
    law.closing.iter().for_each(|l| own(l.number, "closing"));
    law.rationale_lines
        .iter()
        .for_each(|&n| own(n, "rationale"));
    law.amendments
        .iter()
        .flat_map(|a| &a.lines)
        .for_each(|l| own(l.number, "amendment"));
    law.footnotes
        .iter()
        .flat_map(|f| &f.lines)
        .for_each(|&n| own(n, "footnote"));
    for (idx, line) in text.split('\n').enumerate() {
        let n = idx + 1;
        let owned = owners.remove(&n).unwrap_or_default();
        if blank(line) {
            if !owned.is_empty() {
                problems.push(format!("line {n} is blank but owned by {owned:?}"));
            }
        } else if owned.len() != 1 {
            problems.push(format!("line {n} owned by {owned:?}: {}", tidy(line)));
        }
    }
    if let Some((n, _)) = owners.iter().next() {
        problems.push(format!("line {n} does not exist but is owned"));
    }

    // 4. Amendments' sections stay out of the main list.
    for s in &law.sections {
        if s.lines.iter().any(|&n| n > main_end) {
            problems.push(format!(
                "section {} at line {:?} lies after the main text (ends line {main_end})",
                s.label,
                s.lines.first()
            ));
        }
    }
    for a in &law.amendments {
        for s in &a.sections {
            if s.lines.iter().any(|&n| n <= main_end) {
                problems.push(format!(
                    "amendment section {} inside the main text",
                    s.label
                ));
            }
        }
    }

    if problems.len() > 8 {
        let more = problems.len() - 8;
        problems.truncate(8);
        problems.push(format!("... and {more} more"));
    }
    if problems.is_empty() {
        Ok(law)
    } else {
        Err(problems.join("\n    "))
    }
}

#[test]
fn corpus_parses_exactly() {
    let Some(files) = corpus_files() else { return };
    let mut failures: Vec<String> = Vec::new();
    let mut sections = 0;
    let mut amendments = 0;
    for f in &files {
        match check(f) {
            Ok(law) => {
                sections += law.sections.len();
                amendments += law.amendments.len();
            }
            Err(why) => failures.push(format!(
                "{}: {why}",
                f.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default()
            )),
        }
    }
    let total = files.len();
    println!("{}/{total} Acts parse exactly", total - failures.len());
    println!("({sections} sections, {amendments} appended amending instruments)");
    for f in &failures {
        println!("FAIL {f}");
    }
    assert!(
        failures.is_empty(),
        "{} corpus files failed",
        failures.len()
    );
}

#[test]
fn constitution_timing() {
    let path = corpus_dir().join("774606.txt");
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("SKIP: {} not found", path.display());
        return;
    };
    let start = Instant::now();
    let runs = 20;
    let mut sections = 0;
    for _ in 0..runs {
        sections = parse_bytes(&bytes).map(|l| l.sections.len()).unwrap_or(0);
    }
    let per = start.elapsed() / runs;
    println!(
        "Constitution 774606.txt: {} KB, {sections} sections, {per:?} per parse ({} build)",
        bytes.len() / 1024,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    assert!(sections > 250);
}
