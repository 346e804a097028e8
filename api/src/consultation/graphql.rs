//! GraphQL types and queries of consultations.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, NaiveDate, Utc};

use super::{
    ConsultationState,
    entity::{ConsultationKind, Model},
    service::{self, ConsultationFilter},
};
use crate::{
    draft::{
        graphql::{Draft, DraftVersion, agency_arg},
        service as drafts,
    },
    error::{AppError, GqlResultExt},
    graphql::{
        app,
        relay::{self, Conn, NodeType, PageRequest, TotalCount, connection_cost},
    },
    thai::{self, Digits, Lang},
};

/// A public consultation (การรับฟังความคิดเห็น) on a draft: announced dates, open from the start
/// of the first day to the end of the last day, Bangkok time.
pub struct Consultation(pub Model);

#[Object]
impl Consultation {
    pub async fn id(&self) -> ID {
        relay::global_id(NodeType::Consultation, self.0.id)
    }

    async fn kind(&self) -> ConsultationKind {
        self.0.kind
    }

    /// Scheduled, open or closed, from the clock.
    async fn status(&self, ctx: &Context<'_>) -> ConsultationState {
        self.0.period().state(app(ctx).now())
    }

    async fn is_open(&self, ctx: &Context<'_>) -> bool {
        self.0.period().state(app(ctx).now()) == ConsultationState::Open
    }

    /// First day, Asia/Bangkok.
    async fn first_day(&self) -> NaiveDate {
        self.0.first_day
    }

    /// Last day, Asia/Bangkok: comments are accepted until the end of it.
    async fn last_day(&self) -> NaiveDate {
        self.0.last_day
    }

    /// Midnight at the start of the first day, Bangkok.
    async fn opens_at(&self) -> DateTime<Utc> {
        self.0.opens_at
    }

    /// Midnight at the end of the last day, Bangkok: from this instant nothing is accepted.
    async fn closes_at(&self) -> DateTime<Utc> {
        self.0.closes_at
    }

    /// Calendar days, both ends included.
    async fn length_days(&self) -> i64 {
        self.0.period().length_days()
    }

    /// Calendar days left to comment, today included (Bangkok): the whole length before it
    /// opens, 1 on the last day, 0 once closed.
    async fn days_remaining(&self, ctx: &Context<'_>) -> i64 {
        self.0.period().days_remaining(app(ctx).now())
    }

    /// The minimum length policy required when it was opened.
    async fn policy_floor_days(&self) -> i32 {
        self.0.policy_floor_days
    }

    /// Shorter than the policy minimum?
    async fn is_shorter_than_policy(&self) -> bool {
        self.0.period().length_days() < i64::from(self.0.policy_floor_days)
    }

    /// The public justification for a consultation shorter than the policy minimum.
    async fn shorter_than_policy_reason(&self) -> Option<&str> {
        self.0.shorter_than_policy_reason.as_deref()
    }

    /// The period as a reader expects it: `๑ ธันวาคม ๒๕๖๙ – ๑๕ ธันวาคม ๒๕๖๙`.
    async fn period_text(
        &self,
        #[graphql(default_with = "Lang::Th")] lang: Lang,
        #[graphql(default_with = "Digits::Thai")] digits: Digits,
    ) -> String {
        format!(
            "{} – {}",
            thai::format_date(self.0.first_day, lang, digits),
            thai::format_date(self.0.last_day, lang, digits)
        )
    }

    async fn draft(&self, ctx: &Context<'_>) -> async_graphql::Result<Draft> {
        drafts::get(&app(ctx).db, self.0.draft_id)
            .await
            .and_then(|d| d.ok_or_else(|| AppError::internal("consultation without its draft")))
            .map(Draft)
            .gql()
    }

    /// The version consulted on, if the consultation is on a text.
    async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DraftVersion>> {
        let Some(id) = self.0.version_id else {
            return Ok(None);
        };
        Ok(drafts::version(&app(ctx).db, id)
            .await
            .gql()?
            .map(DraftVersion))
    }
}

/// Filters of `consultations`.
#[derive(Debug, Default, InputObject)]
pub struct ConsultationFilterInput {
    pub status: Option<ConsultationState>,
    pub kind: Option<ConsultationKind>,
    /// The lead agency of the draft: an agency ID or slug.
    pub agency: Option<String>,
}

pub async fn consultation_connection(
    ctx: &Context<'_>,
    filter: ConsultationFilter,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<Conn<Consultation>> {
    let app = app(ctx);
    let page = PageRequest::new(first, after.as_deref()).gql()?;
    let now = app.now();
    let rows = service::list(&app.db, &filter, page, now).await.gql()?;
    let total = TotalCount::new(move |db| {
        let filter = filter.clone();
        async move { service::count(&db, &filter, now).await }
    });
    Ok(relay::connection(rows, total, |c| c.id, Consultation))
}

#[derive(Default)]
pub struct ConsultationQuery;

#[Object]
impl ConsultationQuery {
    /// Consultations, newest first.
    #[graphql(complexity = "connection_cost(first, child_complexity)")]
    async fn consultations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ConsultationFilterInput>,
    ) -> async_graphql::Result<Conn<Consultation>> {
        let input = filter.unwrap_or_default();
        let agency_id = match &input.agency {
            Some(a) => Some(agency_arg(ctx, a, "filter.agency").await?),
            None => None,
        };
        let filter = ConsultationFilter {
            state: input.status,
            kind: input.kind,
            draft_id: None,
            agency_id,
        };
        consultation_connection(ctx, filter, first, after).await
    }

    async fn consultation(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<Consultation>> {
        let row = relay::decode_typed_id(&id, NodeType::Consultation, "id").gql()?;
        Ok(service::get(&app(ctx).db, row)
            .await
            .gql()?
            .map(Consultation))
    }
}
