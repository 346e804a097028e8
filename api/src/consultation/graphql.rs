//! GraphQL types and queries of consultations.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::{
    ConsultationPeriod, ConsultationState,
    entity::{ConsultationKind, Model, change::ChangeKind},
    service::{self, ConsultationFilter, NewConsultation},
};
use crate::{
    comment::{
        graphql::{
            CategoryCount, Comment, CommentStatsOut, ModerationLog, comment_connection,
            participants, stats as comment_stats,
        },
        service::CommentScope,
    },
    draft::{
        graphql::{Draft, DraftVersion, agency_arg},
        service as drafts,
    },
    error::{AppError, GqlResultExt},
    graphql::{
        app, meta,
        relay::{self, Conn, NodeType, PageRequest, TotalCount, connection_cost},
    },
    question::graphql::{Question, questions},
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
        self.0.state_at(app(ctx).now())
    }

    async fn is_open(&self, ctx: &Context<'_>) -> bool {
        self.0.state_at(app(ctx).now()) == ConsultationState::Open
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
        let now = app(ctx).now();
        match self.0.state_at(now) {
            ConsultationState::Closed => 0,
            _ => self.0.period().days_remaining(now),
        }
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

    /// Extensions and early closes, each with its public reason, oldest first.
    async fn changes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ConsultationChange>> {
        Ok(service::changes(&app(ctx).db, self.0.id)
            .await
            .gql()?
            .into_iter()
            .map(|c| ConsultationChange {
                kind: c.kind,
                reason: c.reason,
                previous_last_day: c.previous_last_day,
                new_last_day: c.new_last_day,
                new_closes_at: c.new_closes_at,
                at: c.created_at,
            })
            .collect())
    }

    /// Top-level comments of the consultation, oldest first; `wholeDraftOnly` keeps those on
    /// the draft as a whole (no section).
    #[graphql(complexity = "connection_cost(first, child_complexity)")]
    async fn comments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(default)] whole_draft_only: bool,
    ) -> async_graphql::Result<Conn<Comment>> {
        let scope = CommentScope::Consultation {
            id: self.0.id,
            whole_draft_only,
        };
        comment_connection(ctx, scope, first, after).await
    }

    /// Comments and stances across the consultation, counted in SQL.
    async fn comment_stats(&self, ctx: &Context<'_>) -> async_graphql::Result<CommentStatsOut> {
        comment_stats(ctx, Some(self.0.id), None).await
    }

    /// Distinct participants (commenters and answerers; agency replies excluded) by respondent
    /// category.
    async fn participants_by_category(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<CategoryCount>> {
        participants(ctx, self.0.id).await
    }

    /// The agency's questions; `wholeDraftOnly` keeps those not on a section.
    async fn questions(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] whole_draft_only: bool,
    ) -> async_graphql::Result<Vec<Question>> {
        questions(ctx, Some(self.0.id), whole_draft_only.then_some(None)).await
    }

    /// How many comments are hidden and why, and every moderation action, without the text.
    async fn moderation_log(&self) -> ModerationLog {
        ModerationLog(self.0.id)
    }
}

/// An extension or early close (ขยายระยะเวลา / ปิดก่อนกำหนด).
#[derive(SimpleObject)]
pub struct ConsultationChange {
    kind: ChangeKind,
    reason: String,
    previous_last_day: NaiveDate,
    new_last_day: NaiveDate,
    new_closes_at: DateTime<Utc>,
    at: DateTime<Utc>,
}

#[derive(InputObject)]
pub struct OpenConsultationInput {
    draft_id: ID,
    kind: ConsultationKind,
    /// Inclusive Bangkok dates; the first day may be today at the earliest.
    first_day: NaiveDate,
    last_day: NaiveDate,
    /// Required (and published) when shorter than the policy minimum.
    shorter_than_policy_reason: Option<String>,
    /// The version consulted on; default: the current version.
    version_id: Option<ID>,
}

/// Mails the followers of the draft and of its lead agency that a consultation was announced
/// (Act ss.14-15). Queued after the commit; the request does not wait for delivery.
async fn announce(ctx: &Context<'_>, c: &Model) -> crate::error::AppResult<()> {
    let app = app(ctx);
    let Some(draft) = drafts::get(&app.db, c.draft_id).await? else {
        return Ok(());
    };
    let emails =
        crate::account::service::follower_emails(&app.db, draft.id, draft.lead_agency_id).await?;
    if emails.is_empty() {
        return Ok(());
    }
    let period = c.period();
    let th = format!(
        "{} – {}",
        thai::format_date(period.first_day(), Lang::Th, Digits::Thai),
        thai::format_date(period.last_day(), Lang::Th, Digits::Thai)
    );
    let en = format!(
        "{} – {}",
        thai::format_date(period.first_day(), Lang::En, Digits::Arabic),
        thai::format_date(period.last_day(), Lang::En, Digits::Arabic)
    );
    let url = format!("{}/drafts/{}", app.public_url, draft.slug);
    let subject = format!("เปิดรับฟังความคิดเห็น: {}", draft.title_th);
    let body = format!(
        "{title}\nเปิดรับฟังความคิดเห็น {th}\n{url}\n\nOpen for comment {en}.\n\n\
         ท่านได้รับอีเมลนี้เพราะติดตามร่างกฎหมายหรือหน่วยงานนี้ · You follow this draft or agency.\n",
        title = draft.title_th
    );
    app.mailer.dispatch_all(
        emails
            .into_iter()
            .map(|to| crate::mailer::Mail {
                to,
                subject: subject.clone(),
                body: body.clone(),
            })
            .collect(),
    );
    Ok(())
}

#[derive(Default)]
pub struct ConsultationMutation;

#[Object]
impl ConsultationMutation {
    /// Announces a consultation on a draft. Staff of the lead agency only.
    async fn open_consultation(
        &self,
        ctx: &Context<'_>,
        input: OpenConsultationInput,
    ) -> async_graphql::Result<Consultation> {
        async {
            let viewer = meta(ctx).writer()?;
            let app = app(ctx);
            let floor = app.policy.consultation_min_days;
            let period = ConsultationPeriod::new(
                input.first_day,
                input.last_day,
                floor,
                input.shorter_than_policy_reason.as_deref(),
            )?;
            let new = NewConsultation {
                draft_id: relay::decode_typed_id(&input.draft_id, NodeType::Draft, "draftId")?,
                version_id: input
                    .version_id
                    .as_ref()
                    .map(|v| relay::decode_typed_id(v, NodeType::DraftVersion, "versionId"))
                    .transpose()?,
                kind: input.kind,
                period,
                policy_floor_days: floor,
            };
            let opened = service::open(&app.db, viewer, new, app.now()).await?;
            announce(ctx, &opened).await?;
            Ok(Consultation(opened))
        }
        .await
        .gql()
    }

    /// Moves the last day later, with a public reason. Staff of the lead agency only.
    async fn extend_consultation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        last_day: NaiveDate,
        reason: String,
    ) -> async_graphql::Result<Consultation> {
        async {
            let viewer = meta(ctx).writer()?;
            let id = relay::decode_typed_id(&id, NodeType::Consultation, "id")?;
            service::extend(&app(ctx).db, viewer, id, last_day, &reason, app(ctx).now())
                .await
                .map(Consultation)
        }
        .await
        .gql()
    }

    /// Closes an open consultation now, with a public reason. What was accepted stays.
    async fn close_consultation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> async_graphql::Result<Consultation> {
        async {
            let viewer = meta(ctx).writer()?;
            let id = relay::decode_typed_id(&id, NodeType::Consultation, "id")?;
            service::close_early(&app(ctx).db, viewer, id, &reason, app(ctx).now())
                .await
                .map(Consultation)
        }
        .await
        .gql()
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
