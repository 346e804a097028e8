//! The consultation period: announced as Bangkok dates, enforced as instants, checked against
//! the policy floor (LEGAL.md: 15 days by default, shorter only with a public justification).

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};

use crate::error::{AppError, AppResult};

/// Asia/Bangkok: UTC+7 all year (no daylight saving since 1920).
const BANGKOK: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+7 is a valid offset"),
};

pub fn bangkok() -> FixedOffset {
    BANGKOK
}

/// The longest consultation we accept: a year, leap day included.
const MAX_DAYS: i64 = 366;
/// A justification must say something.
const MIN_REASON_CHARS: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum ConsultationState {
    /// Announced, not yet open.
    Scheduled,
    /// Accepting comments.
    Open,
    /// Past its last day; nothing more is accepted.
    Closed,
}

impl ConsultationState {
    /// Writes (comments, replies, edits, answers) are taken only while open.
    pub fn accepting_writes(self) -> AppResult<()> {
        match self {
            Self::Open => Ok(()),
            Self::Scheduled => Err(AppError::ConsultationClosed(
                "the consultation has not opened yet".into(),
            )),
            Self::Closed => Err(AppError::ConsultationClosed(
                "the consultation is closed; nothing more is accepted".into(),
            )),
        }
    }
}

/// A valid consultation period. The only way to make one is [`ConsultationPeriod::new`], so a
/// stored period always respects the floor or carries its reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsultationPeriod {
    first_day: NaiveDate,
    last_day: NaiveDate,
    shorter_than_policy_reason: Option<String>,
}

impl ConsultationPeriod {
    /// `first_day` and `last_day` are inclusive Bangkok dates. Under `floor_days` days, a
    /// `reason` of at least a few words is required; at or over it, none may be given.
    pub fn new(
        first_day: NaiveDate,
        last_day: NaiveDate,
        floor_days: u32,
        reason: Option<&str>,
    ) -> AppResult<Self> {
        if last_day < first_day {
            return Err(AppError::validation(
                "lastDay",
                format!("the last day ({last_day}) is before the first day ({first_day})"),
            ));
        }
        let days = (last_day - first_day).num_days() + 1;
        if days > MAX_DAYS {
            return Err(AppError::validation(
                "lastDay",
                format!("a consultation may last at most {MAX_DAYS} days; this one lasts {days}"),
            ));
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let short = days < i64::from(floor_days);
        let shorter_than_policy_reason = match (short, reason) {
            (true, None) => {
                return Err(AppError::validation(
                    "shorterThanPolicyReason",
                    format!(
                        "the consultation lasts {days} days, under the policy minimum of \
                         {floor_days}; a public justification is required"
                    ),
                ));
            }
            (true, Some(r)) if r.chars().count() < MIN_REASON_CHARS => {
                return Err(AppError::validation(
                    "shorterThanPolicyReason",
                    format!("the justification must be at least {MIN_REASON_CHARS} characters"),
                ));
            }
            (true, Some(r)) => Some(r.to_owned()),
            (false, Some(_)) => {
                return Err(AppError::validation(
                    "shorterThanPolicyReason",
                    format!(
                        "a justification is only for consultations shorter than {floor_days} \
                         days; this one lasts {days}"
                    ),
                ));
            }
            (false, None) => None,
        };
        Ok(Self {
            first_day,
            last_day,
            shorter_than_policy_reason,
        })
    }

    /// A period already stored (it was validated under the policy of its day).
    pub fn from_stored(first_day: NaiveDate, last_day: NaiveDate, reason: Option<String>) -> Self {
        Self {
            first_day,
            last_day,
            shorter_than_policy_reason: reason,
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        self.first_day
    }

    pub fn last_day(&self) -> NaiveDate {
        self.last_day
    }

    pub fn shorter_than_policy_reason(&self) -> Option<&str> {
        self.shorter_than_policy_reason.as_deref()
    }

    /// Calendar days, both ends included.
    pub fn length_days(&self) -> i64 {
        (self.last_day - self.first_day).num_days() + 1
    }

    /// Midnight at the start of the first day, Bangkok.
    pub fn opens_at(&self) -> DateTime<Utc> {
        start_of_day_bangkok(self.first_day)
    }

    /// Midnight at the end of the last day, Bangkok: the first instant at which nothing more is
    /// accepted.
    pub fn closes_at(&self) -> DateTime<Utc> {
        start_of_day_bangkok(self.last_day + Duration::days(1))
    }

    pub fn state(&self, now: DateTime<Utc>) -> ConsultationState {
        if now < self.opens_at() {
            ConsultationState::Scheduled
        } else if now < self.closes_at() {
            ConsultationState::Open
        } else {
            ConsultationState::Closed
        }
    }

    /// Calendar days left to comment, today included: the whole length before it opens, 1 on
    /// the last day, 0 once closed.
    pub fn days_remaining(&self, now: DateTime<Utc>) -> i64 {
        match self.state(now) {
            ConsultationState::Scheduled => self.length_days(),
            ConsultationState::Open => {
                let today = now.with_timezone(&bangkok()).date_naive();
                (self.last_day - today).num_days() + 1
            }
            ConsultationState::Closed => 0,
        }
    }
}

pub fn start_of_day_bangkok(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    // A fixed offset has exactly one local midnight.
    bangkok()
        .from_local_datetime(&midnight)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&(midnight - Duration::hours(7))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn fifteen_days_meet_the_floor_without_a_reason() {
        let p = ConsultationPeriod::new(day(2026, 12, 1), day(2026, 12, 15), 15, None).unwrap();
        assert_eq!(p.length_days(), 15);
        assert_eq!(p.shorter_than_policy_reason(), None);
    }

    #[test]
    fn fourteen_days_need_a_public_reason() {
        let err =
            ConsultationPeriod::new(day(2026, 12, 1), day(2026, 12, 14), 15, None).unwrap_err();
        assert_eq!(err.code(), "VALIDATION");
        assert!(err.to_string().contains("14 days"), "{err}");
        assert!(
            matches!(&err, AppError::Validation { field, .. } if field == "shorterThanPolicyReason")
        );

        let blank = ConsultationPeriod::new(day(2026, 12, 1), day(2026, 12, 14), 15, Some("   "));
        assert!(blank.is_err());
        let terse = ConsultationPeriod::new(day(2026, 12, 1), day(2026, 12, 14), 15, Some("ด่วน"));
        assert!(terse.is_err());

        let reason = "ต้องออกกฎหมายก่อนสิ้นปีงบประมาณตามคำพิพากษาศาล";
        let p =
            ConsultationPeriod::new(day(2026, 12, 1), day(2026, 12, 14), 15, Some(reason)).unwrap();
        assert_eq!(p.shorter_than_policy_reason(), Some(reason));
    }

    #[test]
    fn a_reason_on_a_long_enough_consultation_is_refused() {
        let err = ConsultationPeriod::new(
            day(2026, 12, 1),
            day(2026, 12, 31),
            15,
            Some("เหตุผลที่ไม่จำเป็นต้องมี"),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("only for consultations shorter"),
            "{err}"
        );
    }

    #[test]
    fn the_floor_is_configurable() {
        assert!(ConsultationPeriod::new(day(2026, 12, 1), day(2026, 12, 7), 7, None).is_ok());
        assert!(ConsultationPeriod::new(day(2026, 12, 1), day(2026, 12, 7), 30, None).is_err());
    }

    #[test]
    fn last_day_before_first_day_is_refused() {
        let err =
            ConsultationPeriod::new(day(2026, 12, 15), day(2026, 12, 1), 15, None).unwrap_err();
        assert!(
            matches!(&err, AppError::Validation { field, .. } if field == "lastDay"),
            "{err}"
        );
    }

    #[test]
    fn over_a_year_is_refused() {
        assert!(ConsultationPeriod::new(day(2026, 1, 1), day(2027, 1, 2), 15, None).is_err());
        assert!(ConsultationPeriod::new(day(2027, 1, 1), day(2027, 12, 31), 15, None).is_ok());
    }

    #[test]
    fn opens_at_bangkok_midnight_and_closes_at_the_end_of_the_last_day() {
        let p = ConsultationPeriod::new(day(2026, 12, 1), day(2026, 12, 15), 15, None).unwrap();
        assert_eq!(p.opens_at(), utc("2026-11-30T17:00:00Z"));
        assert_eq!(p.closes_at(), utc("2026-12-15T17:00:00Z"));
        assert_eq!(
            p.state(utc("2026-11-30T16:59:59Z")),
            ConsultationState::Scheduled
        );
        assert_eq!(
            p.state(utc("2026-11-30T17:00:00Z")),
            ConsultationState::Open
        );
        // 23:59:59 on the last day, Bangkok: still open.
        assert_eq!(
            p.state(utc("2026-12-15T16:59:59Z")),
            ConsultationState::Open
        );
        // Midnight, and one second after: closed.
        assert_eq!(
            p.state(utc("2026-12-15T17:00:00Z")),
            ConsultationState::Closed
        );
        assert_eq!(
            p.state(utc("2026-12-15T17:00:01Z")),
            ConsultationState::Closed
        );
    }

    #[test]
    fn days_remaining_counts_bangkok_calendar_days_including_today() {
        let p = ConsultationPeriod::new(day(2026, 12, 1), day(2026, 12, 15), 15, None).unwrap();
        assert_eq!(p.days_remaining(utc("2026-11-01T00:00:00Z")), 15);
        // 1 December 00:30 Bangkok is still 30 November in UTC.
        assert_eq!(p.days_remaining(utc("2026-11-30T17:30:00Z")), 15);
        // 15 December 06:00 Bangkok: the last day.
        assert_eq!(p.days_remaining(utc("2026-12-14T23:00:00Z")), 1);
        assert_eq!(p.days_remaining(utc("2026-12-15T17:00:00Z")), 0);
    }
}
