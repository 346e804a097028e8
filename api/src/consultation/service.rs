//! Reading and opening consultations. The only code that touches the `consultations` table.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait, sea_query::Query,
};

use super::{
    ConsultationPeriod, ConsultationState, bangkok,
    entity::{
        self, Column, ConsultationKind, Entity as Consultations, Model as Consultation,
        change::{self, ChangeKind},
    },
};
use crate::{
    account::Viewer,
    draft::{entity::draft, service as drafts},
    error::{AppError, AppResult},
    graphql::relay::{Page, PageRequest},
};

impl Consultation {
    /// Scheduled, open or closed at `now`, from the stored instants (which an early close
    /// moves).
    pub fn state_at(&self, now: DateTime<Utc>) -> ConsultationState {
        if now < self.opens_at {
            ConsultationState::Scheduled
        } else if now < self.closes_at {
            ConsultationState::Open
        } else {
            ConsultationState::Closed
        }
    }

    pub fn period(&self) -> ConsultationPeriod {
        ConsultationPeriod::from_stored(
            self.first_day,
            self.last_day,
            self.shorter_than_policy_reason.clone(),
        )
    }
}

/// Filters of `consultations(filter:)`.
#[derive(Clone, Debug, Default)]
pub struct ConsultationFilter {
    pub state: Option<ConsultationState>,
    pub kind: Option<ConsultationKind>,
    pub draft_id: Option<i64>,
    /// The lead agency of the draft.
    pub agency_id: Option<i64>,
}

impl ConsultationFilter {
    fn condition(&self, now: DateTime<Utc>) -> Condition {
        let mut cond = Condition::all();
        match self.state {
            Some(ConsultationState::Scheduled) => cond = cond.add(Column::OpensAt.gt(now)),
            Some(ConsultationState::Open) => {
                cond = cond
                    .add(Column::OpensAt.lte(now))
                    .add(Column::ClosesAt.gt(now))
            }
            Some(ConsultationState::Closed) => cond = cond.add(Column::ClosesAt.lte(now)),
            None => {}
        }
        if let Some(kind) = self.kind {
            cond = cond.add(Column::Kind.eq(kind));
        }
        if let Some(draft) = self.draft_id {
            cond = cond.add(Column::DraftId.eq(draft));
        }
        if let Some(agency) = self.agency_id {
            cond = cond.add(
                Column::DraftId.in_subquery(
                    Query::select()
                        .column(draft::Column::Id)
                        .from(draft::Entity)
                        .and_where(draft::Column::LeadAgencyId.eq(agency))
                        .to_owned(),
                ),
            );
        }
        cond
    }
}

/// Newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &ConsultationFilter,
    page: PageRequest,
    now: DateTime<Utc>,
) -> AppResult<Page<Consultation>> {
    let mut query = Consultations::find()
        .filter(filter.condition(now))
        .order_by_desc(Column::Id);
    if let Some(after) = page.after {
        query = query.filter(Column::Id.lt(after));
    }
    let rows = query.limit(page.fetch_limit()).all(db).await?;
    Ok(Page::from_rows(rows, page))
}

pub async fn count(
    db: &impl ConnectionTrait,
    filter: &ConsultationFilter,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    Ok(Consultations::find()
        .filter(filter.condition(now))
        .count(db)
        .await?)
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<Option<Consultation>> {
    Ok(Consultations::find_by_id(id).one(db).await?)
}

/// What it takes to record a consultation; the period is already checked against the policy.
#[derive(Clone, Debug)]
pub struct NewConsultation {
    pub draft_id: i64,
    pub version_id: Option<i64>,
    pub kind: ConsultationKind,
    pub period: ConsultationPeriod,
    pub policy_floor_days: u32,
}

pub async fn create(db: &impl ConnectionTrait, new: NewConsultation) -> AppResult<Consultation> {
    let p = &new.period;
    // The draft's consultation status is searched on.
    crate::search::outbox::enqueue(db, &[crate::search::outbox::Subject::Draft(new.draft_id)])
        .await?;
    Ok(entity::ActiveModel {
        draft_id: Set(new.draft_id),
        version_id: Set(new.version_id),
        kind: Set(new.kind),
        first_day: Set(p.first_day()),
        last_day: Set(p.last_day()),
        opens_at: Set(p.opens_at()),
        closes_at: Set(p.closes_at()),
        policy_floor_days: Set(new.policy_floor_days as i32),
        shorter_than_policy_reason: Set(p.shorter_than_policy_reason().map(str::to_owned)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A public reason for a change to a consultation: plain text, a few words at least.
fn reason_text(raw: &str) -> AppResult<String> {
    let text = crate::sanitize::plain_text(raw, 2_000)
        .map_err(|e| AppError::validation("reason", format!("reason: {e}")))?;
    if text.chars().count() < 10 {
        return Err(AppError::validation(
            "reason",
            "the reason is published; write at least 10 characters",
        ));
    }
    Ok(text)
}

/// Opens (announces) a consultation on a draft. Staff of the draft's lead agency only. The
/// first day may not be in the past, and consultations of one draft may not overlap.
pub async fn open(
    db: &DatabaseConnection,
    viewer: &Viewer,
    new: NewConsultation,
    now: DateTime<Utc>,
) -> AppResult<Consultation> {
    let viewer = viewer.clone();
    Ok(db
        .transaction::<_, Consultation, AppError>(|txn| {
            Box::pin(async move {
                // Every change to a draft's consultations takes the draft's row first, so two
                // of them cannot both pass the overlap check.
                if !crate::db::lock_row::<draft::Entity>(txn, draft::Column::Id, new.draft_id).await?
                {
                    return Err(AppError::not_found("draft"));
                }
                let d = drafts::get(txn, new.draft_id)
                    .await?
                    .ok_or_else(|| AppError::not_found("draft"))?;
                viewer.require_manages(d.lead_agency_id, "open a consultation on this draft")?;
                let today = now.with_timezone(&bangkok()).date_naive();
                if new.period.first_day() < today {
                    return Err(AppError::validation(
                        "firstDay",
                        format!(
                            "the first day ({}) is in the past; a consultation opens today ({today}) at the earliest",
                            new.period.first_day()
                        ),
                    ));
                }
                let version_id = match new.version_id {
                    Some(v) => {
                        let version = drafts::version(txn, v)
                            .await?
                            .filter(|v| v.draft_id == d.id)
                            .ok_or_else(|| {
                                AppError::validation("versionId", "this version is not of this draft")
                            })?;
                        Some(version.id)
                    }
                    None => drafts::current_version(txn, d.id).await?.map(|v| v.id),
                };
                let overlapping = Consultations::find()
                    .filter(Column::DraftId.eq(d.id))
                    .filter(Column::OpensAt.lt(new.period.closes_at()))
                    .filter(Column::ClosesAt.gt(new.period.opens_at()))
                    .count(txn)
                    .await?;
                if overlapping > 0 {
                    return Err(AppError::Conflict(
                        "this draft already has a consultation during these dates; extend it instead".into(),
                    ));
                }
                create(txn, NewConsultation { version_id, ..new }).await
            })
        })
        .await?)
}

/// The consultation with its lead agency checked against the viewer.
async fn managed(
    txn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i64,
    doing: &str,
) -> AppResult<Consultation> {
    if !crate::db::lock_row::<Consultations>(txn, Column::Id, id).await? {
        return Err(AppError::not_found("consultation"));
    }
    let c = get(txn, id)
        .await?
        .ok_or_else(|| AppError::not_found("consultation"))?;
    crate::db::lock_row::<draft::Entity>(txn, draft::Column::Id, c.draft_id).await?;
    let d = drafts::get(txn, c.draft_id)
        .await?
        .ok_or_else(|| AppError::not_found("draft"))?;
    viewer.require_manages(d.lead_agency_id, doing)?;
    Ok(c)
}

async fn record_change(
    txn: &impl ConnectionTrait,
    viewer: &Viewer,
    c: Consultation,
    kind: ChangeKind,
    reason: String,
    (new_last_day, new_closes_at): (NaiveDate, DateTime<Utc>),
    now: DateTime<Utc>,
) -> AppResult<Consultation> {
    change::ActiveModel {
        consultation_id: Set(c.id),
        kind: Set(kind),
        reason: Set(reason),
        previous_last_day: Set(c.last_day),
        previous_closes_at: Set(c.closes_at),
        new_last_day: Set(new_last_day),
        new_closes_at: Set(new_closes_at),
        actor_id: Set(viewer.account_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    // An early close moves only the closing instant: the announced last day stays on record.
    let mut row: entity::ActiveModel = c.into();
    if kind == ChangeKind::Extended {
        row.last_day = Set(new_last_day);
    }
    row.closes_at = Set(new_closes_at);
    let row = row.update(txn).await?;
    crate::search::outbox::enqueue(txn, &[crate::search::outbox::Subject::Draft(row.draft_id)])
        .await?;
    Ok(row)
}

/// Moves the last day later, with a public reason. Only before it closes.
pub async fn extend(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
    new_last_day: NaiveDate,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<Consultation> {
    let reason = reason_text(reason)?;
    let viewer = viewer.clone();
    Ok(db
        .transaction::<_, Consultation, AppError>(|txn| {
            Box::pin(async move {
                let c = managed(txn, &viewer, id, "extend this consultation").await?;
                if c.state_at(now) == ConsultationState::Closed {
                    return Err(AppError::ConsultationClosed(
                        "the consultation is closed; open a new one instead of extending it".into(),
                    ));
                }
                if new_last_day <= c.last_day {
                    return Err(AppError::validation(
                        "lastDay",
                        format!(
                            "an extension moves the last day later than {}; {new_last_day} is not",
                            c.last_day
                        ),
                    ));
                }
                let period = ConsultationPeriod::from_stored(c.first_day, new_last_day, None);
                if period.length_days() > 366 {
                    return Err(AppError::validation(
                        "lastDay",
                        "a consultation may last at most 366 days",
                    ));
                }
                let closes_at = period.closes_at();
                let overlapping = Consultations::find()
                    .filter(Column::DraftId.eq(c.draft_id))
                    .filter(Column::Id.ne(c.id))
                    .filter(Column::OpensAt.lt(closes_at))
                    .filter(Column::ClosesAt.gt(c.opens_at))
                    .count(txn)
                    .await?;
                if overlapping > 0 {
                    return Err(AppError::Conflict(
                        "the extension would overlap another consultation of this draft".into(),
                    ));
                }
                record_change(
                    txn,
                    &viewer,
                    c,
                    ChangeKind::Extended,
                    reason,
                    (new_last_day, closes_at),
                    now,
                )
                .await
            })
        })
        .await?)
}

/// Closes an open consultation now, with a public reason. What was accepted stays as it is.
pub async fn close_early(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<Consultation> {
    let reason = reason_text(reason)?;
    let viewer = viewer.clone();
    Ok(db
        .transaction::<_, Consultation, AppError>(|txn| {
            Box::pin(async move {
                let c = managed(txn, &viewer, id, "close this consultation").await?;
                match c.state_at(now) {
                    ConsultationState::Open => {}
                    ConsultationState::Closed => {
                        return Err(AppError::ConsultationClosed(
                            "the consultation is already closed".into(),
                        ));
                    }
                    ConsultationState::Scheduled => {
                        return Err(AppError::Conflict(
                            "the consultation has not opened yet; it cannot be closed early".into(),
                        ));
                    }
                }
                let today = now.with_timezone(&bangkok()).date_naive();
                record_change(
                    txn,
                    &viewer,
                    c,
                    ChangeKind::ClosedEarly,
                    reason,
                    (today, now),
                    now,
                )
                .await
            })
        })
        .await?)
}

pub async fn changes(db: &impl ConnectionTrait, id: i64) -> AppResult<Vec<change::Model>> {
    Ok(change::Entity::find()
        .filter(change::Column::ConsultationId.eq(id))
        .order_by_asc(change::Column::Id)
        .all(db)
        .await?)
}
