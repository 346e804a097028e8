//! Unit tests on small inline Thai snippets: label forms, headings, end matter, drafts and bad input.

use super::super::{
    HeadingLevel, InstrumentKind, ParseError, ParsedLaw, ProvisionUnit, SectionNumber,
    arabic_to_thai_digits, parse, parse_bytes, strip_footnote_markers, thai_digits_to_arabic,
};

const NBSP: &str = "\u{00A0}";

fn labels(law: &ParsedLaw) -> Vec<&str> {
    law.sections.iter().map(|s| s.label.as_str()).collect()
}

fn ok(text: &str) -> ParsedLaw {
    match parse(text) {
        Ok(law) => law,
        Err(e) => panic!("parse failed: {e}\n{text}"),
    }
}

/// A promulgated-style Act around `body` (title, formula, sections, countersignature).
fn act(body: &str) -> String {
    format!(
        "พระราชบัญญัติ\n\n\nพระราชบัญญัติ\nทดลอง\nพ.ศ. ๒๕๖๗\n{NBSP}{NBSP} \n\n\
         ภูมิพลอดุลยเดช ป.ร.\nให้ไว้ ณ วันที่ ๑ มกราคม พ.ศ. ๒๕๖๗\n\n\
         โดยที่เป็นการสมควรมีกฎหมายว่าด้วยการทดลอง\n\n{body}\n{NBSP}\n\
         ผู้รับสนองพระบรมราชโองการ\nนาย ก. ข.\nนายกรัฐมนตรี\n"
    )
}

#[test]
fn title_kind_and_preamble() {
    let law = ok(&act(&format!("มาตรา ๑{NBSP} พระราชบัญญัตินี้เรียกว่า ทดลอง")));
    assert_eq!(law.title, "พระราชบัญญัติทดลอง พ.ศ. ๒๕๖๗");
    assert_eq!(law.kind, Some(InstrumentKind::Act));
    assert!(!law.is_draft);
    assert_eq!(law.unit, ProvisionUnit::Section);
    assert_eq!(
        law.preamble.first().map(|l| l.text.as_str()),
        Some("พระราชบัญญัติ")
    );
    assert!(law.preamble.iter().any(|l| l.text.starts_with("โดยที่")));
    assert_eq!(labels(&law), ["๑"]);
    assert_eq!(law.sections[0].text, "พระราชบัญญัตินี้เรียกว่า ทดลอง");
    assert_eq!(law.closing.len(), 3);
}

#[test]
fn inserted_sections_and_keys() {
    let law = ok(&act(&format!(
        "มาตรา ๑๕{NBSP} ก\n\nมาตรา ๑๕/๑[๒]{NBSP} ข\n\nมาตรา ๑๕/๒{NBSP} ค\n\nมาตรา ๑๖{NBSP} ง"
    )));
    assert_eq!(labels(&law), ["๑๕", "๑๕/๑", "๑๕/๒", "๑๖"]);
    let s = &law.sections[1];
    assert_eq!(s.number.insert, Some(1));
    assert_eq!(s.number.key(), "15/1");
    assert_eq!(s.number.sort_key(), "000015.00.0001");
    assert_eq!(s.footnote_markers, ["[๒]"]);
    assert_eq!(s.text, "ข");
}

#[test]
fn latin_ordinal_suffixes() {
    let law = ok(&act(&format!(
        "มาตรา ๓{NBSP} ก\n\nมาตรา ๓ ทวิ{NBSP} ข\n\nมาตรา ๓ ตรี[๔]{NBSP} ค\n\nมาตรา ๓ จัตวา\nง\n\nมาตรา ๔{NBSP} จ"
    )));
    assert_eq!(labels(&law), ["๓", "๓ ทวิ", "๓ ตรี", "๓ จัตวา", "๔"]);
    assert_eq!(law.sections[1].number.suffix, 2);
    assert_eq!(law.sections[1].number.key(), "3-2");
    assert_eq!(law.sections[3].text, "ง");
}

#[test]
fn suffix_then_insert_orders_after_suffix() {
    let a = SectionNumber::parse("๖๕ อัฏฐ").unwrap();
    let b = SectionNumber::parse("๖๕ อัฏฐ/๑").unwrap();
    let c = SectionNumber::parse("๖๕ นว").unwrap();
    assert!(a < b && b < c);
    assert_eq!(b.key(), "65-8/1");
    assert_eq!(b.thai_label(), "๖๕ อัฏฐ/๑");
    assert_eq!(SectionNumber::parse("65-8/1"), Some(b));
    assert_eq!(
        SectionNumber::parse("มาตรา 15/1").map(|n| n.key()),
        Some("15/1".into())
    );
    assert!(SectionNumber::parse("๑๕ ฉบับ").is_none());
    assert!(a.sort_key() < b.sort_key() && b.sort_key() < c.sort_key());
}

#[test]
fn label_broken_across_lines() {
    let law = ok(&act(&format!(
        "มาตรา\n๑๕{NBSP} ก\n\nมาตรา\n๑๕/๑\nข\n\nมาตรา ๑๖\nทวิ[๓]{NBSP}\nค\n\nมาตรา\n๑๗ ง"
    )));
    assert_eq!(labels(&law), ["๑๕", "๑๕/๑", "๑๖ ทวิ", "๑๗"]);
    assert_eq!(law.sections[1].lines.len(), 3);
    assert_eq!(law.sections[1].text, "ข");
    assert_eq!(law.sections[2].footnote_markers, ["[๓]"]);
}

#[test]
fn wrapped_suffix_word_on_next_line() {
    let law = ok(&act(&format!(
        "มาตรา ๔๑{NBSP} ก\n\nมาตรา ๔๑\nทวิ[๑๒]{NBSP}\nข\n\nมาตรา ๔๑\nตรี[๑๓]{NBSP}\nค"
    )));
    assert_eq!(labels(&law), ["๔๑", "๔๑ ทวิ", "๔๑ ตรี"]);
}

#[test]
fn wrapped_cross_references_are_not_sections() {
    let law = ok(&act(&format!(
        "มาตรา ๒๐{NBSP} ก\n\n\
         มาตรา ๒๑{NBSP} ผู้ใดไม่ปฏิบัติตามมาตรา ๒๐\nมาตรา ๒๒ หรือมาตรา ๒๓ ต้องระวางโทษ\n\n\
         มาตรา ๒๒{NBSP} ผู้ใดฝ่าฝืน\nมาตรา ๕ มาตรา ๖ ต้องระวางโทษ\n\n\
         มาตรา ๒๓{NBSP} ง"
    )));
    assert_eq!(labels(&law), ["๒๐", "๒๑", "๒๒", "๒๓"]);
    assert!(law.sections[1].text.ends_with("ต้องระวางโทษ"));
}

#[test]
fn preamble_reference_is_not_a_section() {
    let text = format!(
        "พระราชบัญญัติทดลอง พ.ศ. ๒๕๖๗\n\nพระราชบัญญัตินี้มีบทบัญญัติบางประการเกี่ยวกับการจำกัดสิทธิ ซึ่งมาตรา ๒๖ ประกอบกับมาตรา ๓๓\n\
         มาตรา ๓๔ และมาตรา ๓๕ ของรัฐธรรมนูญบัญญัติให้กระทำได้\n\nมาตรา ๑{NBSP} ก"
    );
    let law = ok(&text);
    assert_eq!(labels(&law), ["๑"]);
    assert_eq!(law.preamble.len(), 3);
}

#[test]
fn headings_with_number_and_title_on_separate_lines() {
    let law = ok(&act(&format!(
        "มาตรา ๑{NBSP} ก\n\nหมวด ๑\nบททั่วไป\n{NBSP}\n\nมาตรา ๒{NBSP} ข\n\n\
         หมวด\n๒\n\nการยกเว้น\n{NBSP}\n\nมาตรา ๓{NBSP} ค\n\n\
         ส่วนที่ ๑ คณะกรรมการ\n\nมาตรา ๔{NBSP} ง\n\nบทเฉพาะกาล\n\nมาตรา ๕{NBSP} จ"
    )));
    let h: Vec<(HeadingLevel, Option<&str>, &str, Option<usize>)> = law
        .headings
        .iter()
        .map(|h| (h.level, h.number.as_deref(), h.title.as_str(), h.parent))
        .collect();
    assert_eq!(
        h,
        [
            (HeadingLevel::Chapter, Some("๑"), "บททั่วไป", None),
            (HeadingLevel::Chapter, Some("๒"), "การยกเว้น", None),
            (HeadingLevel::Division, Some("๑"), "คณะกรรมการ", Some(1)),
            (HeadingLevel::Unnumbered, None, "บทเฉพาะกาล", None),
        ]
    );
    let under: Vec<Option<usize>> = law.sections.iter().map(|s| s.heading).collect();
    assert_eq!(under, [None, Some(0), Some(1), Some(2), Some(3)]);
    assert_eq!(law.headings[1].lines.len(), 3);
}

#[test]
fn body_words_that_start_like_headings_stay_in_the_body() {
    let law = ok(&act(&format!(
        "มาตรา ๑{NBSP} ผู้ซึ่งมี\nลักษณะต้องห้าม\n(๑) ก\nภาคทัณฑ์\n(๒) ข"
    )));
    assert!(law.headings.is_empty());
    assert_eq!(law.sections[0].lines.len(), 5);
}

#[test]
fn end_matter_rationale_amendments_and_footnotes() {
    let text = format!(
        "{}\n\nหมายเหตุ :- เหตุผลในการประกาศใช้พระราชบัญญัติฉบับนี้ คือ\nเพื่อทดลอง\nจึงจำเป็นต้องตราพระราชบัญญัตินี้\n\n\
         พระราชบัญญัติทดลอง\n(ฉบับที่ ๒) พ.ศ. ๒๕๖๘[๒]\n\nมาตรา\n๒{NBSP} ใช้บังคับเมื่อพ้นกำหนด\n\nมาตรา ๓{NBSP} ให้ยกเลิก\n\n\
         หมายเหตุ :- เหตุผลในการประกาศใช้พระราชบัญญัติฉบับนี้ คือ แก้ไข\n\n\
         สมชาย/จัดทำ\n๑ มกราคม ๒๕๖๘\n\n\n[๑] ราชกิจจานุเบกษา\nเล่ม ๑/ตอนที่ ๑ ก/หน้า ๑\n\n[๒] ราชกิจจานุเบกษา เล่ม ๒",
        act(&format!("มาตรา ๑{NBSP} ก\n\nมาตรา ๒[๑]{NBSP} ข"))
    );
    let law = ok(&text);
    assert_eq!(labels(&law), ["๑", "๒"]);
    assert_eq!(law.sections[1].footnote_markers, ["[๑]"]);
    assert_eq!(
        law.rationale.as_deref(),
        Some("เพื่อทดลอง จึงจำเป็นต้องตราพระราชบัญญัตินี้")
    );
    assert_eq!(law.rationale_lines.len(), 3);
    assert_eq!(law.amendments.len(), 1);
    let a = &law.amendments[0];
    assert_eq!(a.title, "พระราชบัญญัติทดลอง (ฉบับที่ ๒) พ.ศ. ๒๕๖๘");
    assert_eq!(a.footnote_marker.as_deref(), Some("[๒]"));
    assert_eq!(a.kind, Some(InstrumentKind::Act));
    let a_labels: Vec<&str> = a.sections.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(a_labels, ["๒", "๓"]);
    assert_eq!(a.rationale.as_deref(), Some("แก้ไข"));
    assert_eq!(law.footnotes.len(), 2);
    assert_eq!(law.footnotes[0].marker, "[๑]");
    assert_eq!(law.footnotes[0].number, Some(1));
    assert_eq!(law.footnotes[0].text, "ราชกิจจานุเบกษา เล่ม ๑/ตอนที่ ๑ ก/หน้า ๑");
    assert!(law.closing.iter().any(|l| l.text == "สมชาย/จัดทำ"));
}

#[test]
fn pasted_draft_with_arabic_digits_and_no_blank_lines() {
    let text = "ร่าง\nพระราชบัญญัติการทดลอง\nพ.ศ. ....\n\
                หมวด 1\nบททั่วไป\n\
                มาตรา 1 พระราชบัญญัตินี้เรียกว่า \u{201C}พระราชบัญญัติการทดลอง พ.ศ. ....\u{201D}\n\
                มาตรา 2 พระราชบัญญัตินี้ให้ใช้บังคับตั้งแต่วันถัดจากวันประกาศ\n\
                มาตรา 3 ในพระราชบัญญัตินี้\n\"ผู้ทดลอง\" หมายความว่า บุคคล\n\
                มาตรา 3/1 ให้นายกรัฐมนตรีรักษาการ\n";
    let law = ok(text);
    assert!(law.is_draft);
    // Thai writes ร่างพระราชบัญญัติ as one word, whatever the line breaks.
    assert_eq!(law.title, "ร่างพระราชบัญญัติการทดลอง พ.ศ. ....");
    assert_eq!(law.kind, Some(InstrumentKind::Act));
    assert_eq!(labels(&law), ["1", "2", "3", "3/1"]);
    assert_eq!(
        law.sections[2].text,
        "ในพระราชบัญญัตินี้\n\"ผู้ทดลอง\" หมายความว่า บุคคล"
    );
    assert_eq!(law.headings.len(), 1);
    assert_eq!(law.headings[0].title, "บททั่วไป");
    assert!(law.footnotes.is_empty() && law.amendments.is_empty() && law.closing.is_empty());
}

#[test]
fn draft_with_explanatory_memo_has_rationale() {
    let text = "บันทึกหลักการและเหตุผล\nประกอบร่างพระราชบัญญัติการทดลอง พ.ศ. ....\n\nหลักการ\nให้มีกฎหมายว่าด้วยการทดลอง\n\
                เหตุผล\nโดยที่สมควรมีกฎหมายว่าด้วยการทดลอง\nจึงจำเป็นต้องตราพระราชบัญญัตินี้\n\n\
                ร่างพระราชบัญญัติการทดลอง\nพ.ศ. ....\n\nมาตรา ๑ พระราชบัญญัตินี้เรียกว่า ทดลอง\n";
    let law = ok(text);
    assert_eq!(law.title, "ร่างพระราชบัญญัติการทดลอง พ.ศ. ....");
    assert!(law.is_draft);
    assert_eq!(
        law.rationale.as_deref(),
        Some("โดยที่สมควรมีกฎหมายว่าด้วยการทดลอง จึงจำเป็นต้องตราพระราชบัญญัตินี้")
    );
    assert_eq!(law.rationale_lines.len(), 3);
    assert!(law.preamble.iter().all(|l| l.text != "เหตุผล"));
}

#[test]
fn regulations_use_clauses() {
    let text = "กฎกระทรวง\nกำหนดค่าธรรมเนียม\nพ.ศ. ๒๕๖๗\n\nข้อ ๑ ในกฎกระทรวงนี้\nข้อความที่ไม่ใช่ข้อ\n\nข้อ ๒ ให้ใช้บังคับ\n";
    let law = ok(text);
    assert_eq!(law.kind, Some(InstrumentKind::MinisterialRegulation));
    assert_eq!(law.unit, ProvisionUnit::Clause);
    assert_eq!(labels(&law), ["๑", "๒"]);
    assert_eq!(law.sections[0].lines.len(), 2);
}

#[test]
fn crlf_bom_and_nbsp_lines() {
    let text =
        format!("\u{FEFF}พระราชบัญญัติทดลอง พ.ศ. ๒๕๖๗\r\n{NBSP}{NBSP}\r\nมาตรา ๑{NBSP} ก  ข\r\n");
    let law = parse_bytes(text.as_bytes()).unwrap();
    assert_eq!(law.title, "พระราชบัญญัติทดลอง พ.ศ. ๒๕๖๗");
    assert_eq!(law.sections[0].text, "ก ข");
    assert_eq!(law.sections[0].lines, [3]);
}

#[test]
fn bad_input_gives_the_right_error() {
    assert_eq!(parse(""), Err(ParseError::Empty));
    assert_eq!(parse(&format!(" \n\t\n{NBSP}\n")), Err(ParseError::Empty));
    assert_eq!(parse_bytes(b""), Err(ParseError::Empty));
    assert_eq!(
        parse_bytes(b"%PDF-1.4\n\x00\x01\x02binary"),
        Err(ParseError::Binary)
    );
    let controls: Vec<u8> = (0..200u8)
        .map(|i| if i % 3 == 0 { 0x01 } else { b'a' })
        .collect();
    assert_eq!(parse_bytes(&controls), Err(ParseError::Binary));
    assert_eq!(
        parse("พระราชบัญญัติทดลอง\n\nข้อความธรรมดา ไม่มีมาตรา"),
        Err(ParseError::NoSections)
    );
}

#[test]
fn thai_legacy_encodings_are_named() {
    // "มาตรา ๑" in TIS-620.
    let tis: &[u8] = &[0xC1, 0xD2, 0xB5, 0xC3, 0xD2, 0x20, 0xF1, 0x0A];
    match parse_bytes(tis) {
        Err(
            e @ ParseError::NotUtf8 {
                likely_encoding: Some("TIS-620"),
                byte_offset: 0,
            },
        ) => {
            assert!(e.to_string().contains("iconv -f TIS-620 -t UTF-8"));
        }
        other => panic!("expected TIS-620, got {other:?}"),
    }
    // Windows-874 adds curly quotes at 0x93/0x94.
    let cp874: &[u8] = &[b'A', 0x93, 0xC1, 0xD2, 0xB5, 0xC3, 0xD2, 0x94];
    assert_eq!(
        parse_bytes(cp874),
        Err(ParseError::NotUtf8 {
            likely_encoding: Some("Windows-874"),
            byte_offset: 1
        })
    );
    assert!(matches!(
        parse_bytes(&[0xFF, 0xFE, b'a', 0]),
        Err(ParseError::NotUtf8 {
            likely_encoding: Some("UTF-16LE"),
            ..
        })
    ));
}

#[test]
fn error_messages_are_readable() {
    for e in [
        ParseError::Empty,
        ParseError::Binary,
        ParseError::NoSections,
        ParseError::NotUtf8 {
            likely_encoding: None,
            byte_offset: 3,
        },
        ParseError::TooLarge {
            bytes: 10,
            limit: 5,
        },
    ] {
        let msg = e.to_string();
        assert!(msg.len() > 20, "{msg}");
        let _: &dyn std::error::Error = &e;
    }
}

#[test]
fn digit_conversion_round_trips() {
    assert_eq!(
        thai_digits_to_arabic("มาตรา ๑๕/๑ พ.ศ. ๒๕๖๗"),
        "มาตรา 15/1 พ.ศ. 2567"
    );
    assert_eq!(arabic_to_thai_digits("มาตรา 15/1"), "มาตรา ๑๕/๑");
    assert_eq!(
        thai_digits_to_arabic(&arabic_to_thai_digits("0123456789")),
        "0123456789"
    );
}

#[test]
fn footnote_markers_can_be_stripped() {
    assert_eq!(
        strip_footnote_markers("(๑)[๒] ข้อความ[๓] [ก]"),
        "(๑) ข้อความ [ก]"
    );
}
