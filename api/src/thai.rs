//! Thai text helpers shared by the parser, the API and the pages: digits and Buddhist Era dates.

use chrono::{Datelike, NaiveDate};

pub use crate::lawtext::{arabic_to_thai_digits, thai_digits_to_arabic};

/// Which digits a reader wants to see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum Digits {
    /// ๐๑๒๓๔๕๖๗๘๙
    Thai,
    /// 0123456789
    Arabic,
}

/// The language of a rendered date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum Lang {
    /// Thai, Buddhist Era (CE + 543)
    Th,
    /// English, Common Era
    En,
}

const THAI_MONTHS: [&str; 12] = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
];

/// An instant as a reader in Thailand expects it, Bangkok time: `๓ ธันวาคม ๒๕๖๙ ๑๔:๐๕ น.`
/// (Thai, BE) or `3 December 2026 14:05` (English, CE).
pub fn format_instant(at: chrono::DateTime<chrono::Utc>, lang: Lang, digits: Digits) -> String {
    let local = at.with_timezone(&crate::consultation::bangkok());
    let time = local.format("%H:%M").to_string();
    let time = match digits {
        Digits::Thai => arabic_to_thai_digits(&time),
        Digits::Arabic => time,
    };
    let date = format_date(local.date_naive(), lang, digits);
    match lang {
        Lang::Th => format!("{date} {time} น."),
        Lang::En => format!("{date} {time}"),
    }
}

/// A date as a reader expects it: `๑๕ ธันวาคม ๒๕๖๙` (Thai, BE) or `15 December 2026` (English, CE).
pub fn format_date(date: NaiveDate, lang: Lang, digits: Digits) -> String {
    let text = match lang {
        Lang::Th => format!(
            "{} {} {}",
            date.day(),
            THAI_MONTHS[date.month0() as usize],
            date.year() + 543
        ),
        Lang::En => date.format("%-d %B %Y").to_string(),
    };
    match digits {
        Digits::Thai => arabic_to_thai_digits(&text),
        Digits::Arabic => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_buddhist_era_in_thai_and_common_era_in_english() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 15).unwrap_or_default();
        assert_eq!(format_date(d, Lang::Th, Digits::Thai), "๑๕ ธันวาคม ๒๕๖๙");
        assert_eq!(format_date(d, Lang::Th, Digits::Arabic), "15 ธันวาคม 2569");
        assert_eq!(format_date(d, Lang::En, Digits::Arabic), "15 December 2026");
    }

    #[test]
    fn instants_are_shown_in_bangkok_time_across_midnight() {
        use chrono::TimeZone;
        // 18:30 UTC on 31 December is 01:30 on 1 January in Bangkok: a new year, in BE too.
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 12, 31, 18, 30, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(
            format_instant(at, Lang::Th, Digits::Thai),
            "๑ มกราคม ๒๕๗๐ ๐๑:๓๐ น."
        );
        assert_eq!(
            format_instant(at, Lang::En, Digits::Arabic),
            "1 January 2027 01:30"
        );
    }
}
