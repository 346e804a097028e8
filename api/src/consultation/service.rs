//! Reading and opening consultations. The only code that touches the `consultations` table.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Query,
};

use super::{
    ConsultationPeriod, ConsultationState,
    entity::{self, Column, ConsultationKind, Entity as Consultations, Model as Consultation},
};
use crate::{
    draft::entity::draft,
    error::AppResult,
    graphql::relay::{Page, PageRequest},
};

impl Consultation {
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
