//! Writing and reading comments, their revisions, flags and moderation. The only code that
//! touches those tables.
//!
//! Every write checks the consultation is open inside its transaction, against the instant the
//! transaction runs, so nothing is accepted after `closes_at`; and each begins with its write to
//! the per-account daily quota, so on SQLite the transaction holds the write lock before it reads
//! (a read-then-write transaction could otherwise fail to upgrade under concurrent writers).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr, TransactionTrait,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
};

use super::{
    HideReason, Stance,
    entity::{comment, daily_quota, flag, moderation, revision},
    writer::{CommentWriter, Job},
};
use crate::{
    account::{RespondentCategory, Viewer, entity::account},
    config::ParticipationConfig,
    consultation::{bangkok, entity as consultation, start_of_day_bangkok},
    draft::entity::draft,
    error::{AppError, AppResult},
    facts::Facts,
    graphql::relay::{Page, PageRequest},
    question::entity::answer,
    sanitize::CommentBody,
};

/// A client-chosen key that makes a retried write return what the first attempt made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> AppResult<Self> {
        let key = raw.trim();
        if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AppError::validation(
                "idempotencyKey",
                "an idempotency key is 1 to 128 visible ASCII characters (a UUID is a good choice)",
            ));
        }
        Ok(Self(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new comment, its inputs parsed.
#[derive(Clone, Debug)]
pub struct NewComment {
    pub consultation_id: i64,
    pub section_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub body: CommentBody,
    pub stance: Option<Stance>,
    pub idempotency_key: Option<IdempotencyKey>,
}

/// The day (Bangkok) a quota is counted against, and when it resets.
fn quota_day(now: DateTime<Utc>) -> (NaiveDate, std::time::Duration) {
    let local = now.with_timezone(&bangkok());
    let day = local.date_naive();
    let next = start_of_day_bangkok(day.succ_opt().unwrap_or(day));
    let left = (next - now).to_std().unwrap_or_default();
    (day, left)
}

/// Counts one use of `action` today against the account's daily quota, atomically (an upsert),
/// so the quota holds however many instances serve the platform. Must run inside the caller's
/// transaction, so a refused or failed write gives the use back.
pub async fn charge_daily_quota(
    txn: &impl ConnectionTrait,
    account_id: i64,
    action: &str,
    limit: u32,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (day, left) = quota_day(now);
    let stmt = Query::insert()
        .into_table(daily_quota::Entity)
        .columns([
            daily_quota::Column::AccountId,
            daily_quota::Column::Day,
            daily_quota::Column::Action,
            daily_quota::Column::Used,
        ])
        .values_panic([account_id.into(), day.into(), action.into(), 1i32.into()])
        .on_conflict(
            OnConflict::columns([
                daily_quota::Column::AccountId,
                daily_quota::Column::Day,
                daily_quota::Column::Action,
            ])
            .value(
                daily_quota::Column::Used,
                Expr::col((daily_quota::Entity, daily_quota::Column::Used)).add(1),
            )
            .to_owned(),
        )
        .returning_col(daily_quota::Column::Used)
        .to_owned();
    let row = txn
        .query_one(&stmt)
        .await?
        .ok_or_else(|| AppError::internal("the quota upsert returned no row"))?;
    let used: i32 = row.try_get("", "used")?;
    if used as i64 > limit as i64 {
        return Err(AppError::RateLimited { retry_after: left });
    }
    Ok(())
}

/// Gives back one use of today's quota (a write refused after it was counted).
pub async fn refund_daily_quota(
    txn: &impl ConnectionTrait,
    account_id: i64,
    action: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (day, _) = quota_day(now);
    daily_quota::Entity::update_many()
        .col_expr(
            daily_quota::Column::Used,
            Expr::col(daily_quota::Column::Used).sub(1),
        )
        .filter(daily_quota::Column::AccountId.eq(account_id))
        .filter(daily_quota::Column::Day.eq(day))
        .filter(daily_quota::Column::Action.eq(action))
        .exec(txn)
        .await?;
    Ok(())
}

/// The consultation, if it accepts writes now.
pub async fn open_consultation(
    txn: &impl ConnectionTrait,
    consultation_id: i64,
    now: DateTime<Utc>,
) -> AppResult<consultation::Model> {
    let c = consultation::Entity::find_by_id(consultation_id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("consultation"))?;
    c.state_at(now).accepting_writes()?;
    Ok(c)
}

pub async fn draft_of(
    db: &impl ConnectionTrait,
    c: &consultation::Model,
) -> AppResult<draft::Model> {
    draft::Entity::find_by_id(c.draft_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("draft"))
}

/// Checks a section belongs to what a consultation is about: the version it consults on if it
/// names one, otherwise any version of its draft.
pub async fn check_section(
    db: &impl ConnectionTrait,
    facts: &Facts,
    (draft_id, version_id): (i64, Option<i64>),
    section_id: i64,
) -> AppResult<()> {
    let belongs = match facts.section_version(db, section_id).await? {
        None => return Err(AppError::not_found("section")),
        Some(v) if version_id.is_some() => Some(v) == version_id,
        Some(v) => facts.version_draft(db, v).await? == Some(draft_id),
    };
    if belongs {
        Ok(())
    } else {
        Err(AppError::validation(
            "sectionId",
            "this section is not part of the draft under consultation",
        ))
    }
}

async fn by_idempotency_key(
    db: &impl ConnectionTrait,
    author_id: i64,
    key: &IdempotencyKey,
) -> AppResult<Option<comment::Model>> {
    Ok(comment::Entity::find()
        .filter(comment::Column::AuthorId.eq(author_id))
        .filter(comment::Column::IdempotencyKey.eq(key.as_str()))
        .one(db)
        .await?)
}

/// A retry returns the comment the first attempt made; the same key on a different comment is
/// a client bug, refused.
fn replay(existing: comment::Model, new: &NewComment) -> AppResult<comment::Model> {
    let same = existing.consultation_id == new.consultation_id
        && existing.section_id == new.section_id.or(existing.section_id)
        && existing.parent_id == new.parent_id
        && ((existing.body == new.body.as_html() && existing.stance == new.stance)
            || existing.edited_at.is_some());
    if same {
        Ok(existing)
    } else {
        Err(AppError::Conflict(
            "this idempotency key was already used for a different comment".into(),
        ))
    }
}

pub fn require_verified(viewer: &Viewer, rules: &ParticipationConfig) -> AppResult<()> {
    if rules.require_verified_email && !viewer.email_verified {
        return Err(AppError::Forbidden(
            "verify your e-mail address before taking part (see the link we sent)".into(),
        ));
    }
    Ok(())
}

/// Posts a comment or a reply. Returns once it is committed.
pub async fn post(
    db: &DatabaseConnection,
    writer: Option<&CommentWriter>,
    facts: &Facts,
    viewer: &Viewer,
    new: NewComment,
    rules: &ParticipationConfig,
) -> AppResult<comment::Model> {
    require_verified(viewer, rules)?;
    // What does not change (the section's draft, the lead agency, the thread) is checked
    // before the write; only the quota, the deadline and the insert run inside it. A retry
    // with a used idempotency key is caught by the unique index, so the common case reads
    // nothing first.
    let placed = match place(db, facts, viewer, &new, rules).await {
        Ok(p) => p,
        Err(e) => return replay_or(db, viewer, &new, e).await,
    };
    let result = match writer {
        // SQLite: group commit through the writer task.
        Some(w) => {
            w.write(|reply| Job {
                account_id: viewer.account_id,
                daily_limit: daily_limit(viewer, rules),
                consultation_id: new.consultation_id,
                has_key: new.idempotency_key.is_some(),
                row: new_row(viewer, &new, placed, Utc::now()),
                reply,
            })
            .await
        }
        None => db
            .transaction::<_, comment::Model, PostError>(|txn| {
                let new = new.clone();
                let viewer = viewer.clone();
                let rules = rules.clone();
                Box::pin(async move { insert_comment(txn, &viewer, &new, placed, &rules).await })
            })
            .await
            .map_err(|e| match e {
                sea_orm::TransactionError::Connection(e) => PostError::App(e.into()),
                sea_orm::TransactionError::Transaction(e) => e,
            }),
    };
    match result {
        Ok(c) => Ok(c),
        Err(PostError::KeyTaken) => {
            // A concurrent retry with the same key won; return what it made.
            let key = new
                .idempotency_key
                .as_ref()
                .ok_or_else(|| AppError::internal("key taken without a key"))?;
            let existing = by_idempotency_key(db, viewer.account_id, key)
                .await?
                .ok_or_else(|| AppError::internal("idempotency key taken but not found"))?;
            replay(existing, &new)
        }
        // A retry after the deadline or over the quota still gets the comment it made.
        Err(PostError::App(e)) => replay_or(db, viewer, &new, e).await,
    }
}

/// Agencies answer many comments in a large consultation; their daily quota is far higher.
fn daily_limit(viewer: &Viewer, rules: &ParticipationConfig) -> u32 {
    if viewer.role.is_agency() {
        rules.comments_per_day.saturating_mul(100)
    } else {
        rules.comments_per_day
    }
}

fn new_row(
    viewer: &Viewer,
    new: &NewComment,
    placed: Placement,
    now: DateTime<Utc>,
) -> comment::ActiveModel {
    comment::ActiveModel {
        consultation_id: Set(new.consultation_id),
        section_id: Set(placed.section_id),
        parent_id: Set(new.parent_id),
        depth: Set(placed.depth),
        author_id: Set(viewer.account_id),
        body: Set(new.body.as_html().to_owned()),
        stance: Set(new.stance),
        official_agency_id: Set(placed.official),
        created_at: Set(now),
        edited_at: Set(None),
        withdrawn_at: Set(None),
        hidden_at: Set(None),
        hidden_reason: Set(None),
        idempotency_key: Set(new.idempotency_key.as_ref().map(|k| k.0.clone())),
        ..Default::default()
    }
}

/// The comment a retried request made, or else the error.
async fn replay_or(
    db: &DatabaseConnection,
    viewer: &Viewer,
    new: &NewComment,
    error: AppError,
) -> AppResult<comment::Model> {
    if let Some(key) = &new.idempotency_key
        && matches!(
            error,
            AppError::ConsultationClosed(_) | AppError::RateLimited { .. }
        )
        && let Some(existing) = by_idempotency_key(db, viewer.account_id, key).await?
    {
        return replay(existing, new);
    }
    Err(error)
}

#[derive(Debug)]
pub(super) enum PostError {
    App(AppError),
    /// The idempotency key was taken by a concurrent request.
    KeyTaken,
}

impl std::fmt::Display for PostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::App(e) => e.fmt(f),
            Self::KeyTaken => f.write_str("idempotency key taken"),
        }
    }
}

impl std::error::Error for PostError {}

impl<E: Into<AppError>> From<E> for PostError {
    fn from(e: E) -> Self {
        Self::App(e.into())
    }
}

/// Posts inside the caller's transaction (the demo seed). Same checks as [`post`], without
/// the idempotency replay.
pub async fn post_in(
    txn: &impl ConnectionTrait,
    viewer: &Viewer,
    new: &NewComment,
    rules: &ParticipationConfig,
) -> AppResult<comment::Model> {
    let placed = place(txn, &Facts::default(), viewer, new, rules).await?;
    insert_comment(txn, viewer, new, placed, rules)
        .await
        .map_err(|e| match e {
            PostError::App(e) => e,
            PostError::KeyTaken => AppError::Conflict("idempotency key taken".into()),
        })
}

/// Where a new comment goes, worked out from what does not change while it is written.
#[derive(Clone, Copy, Debug)]
struct Placement {
    section_id: Option<i64>,
    depth: i16,
    official: Option<i64>,
}

async fn place(
    db: &impl ConnectionTrait,
    facts: &Facts,
    viewer: &Viewer,
    new: &NewComment,
    rules: &ParticipationConfig,
) -> AppResult<Placement> {
    let (draft_id, version_id) = facts
        .consultation(db, new.consultation_id)
        .await?
        .ok_or_else(|| AppError::not_found("consultation"))?;
    let lead_agency = facts
        .lead_agency(db, draft_id)
        .await?
        .ok_or_else(|| AppError::not_found("draft"))?;
    // A platform admin may moderate anywhere but speaks for no agency.
    let official =
        (viewer.role.is_agency() && viewer.agency_id == Some(lead_agency)).then_some(lead_agency);
    let (section_id, depth) = match new.parent_id {
        Some(parent_id) => {
            let parent = comment::Entity::find_by_id(parent_id)
                .one(db)
                .await?
                .filter(|p| p.consultation_id == new.consultation_id)
                .ok_or_else(|| AppError::not_found("comment"))?;
            if parent.hidden_at.is_some() || parent.withdrawn_at.is_some() {
                return Err(AppError::validation(
                    "commentId",
                    "this comment was hidden or withdrawn; it takes no replies",
                ));
            }
            if parent.depth >= rules.max_reply_depth {
                return Err(AppError::validation(
                    "commentId",
                    format!(
                        "replies nest at most {} deep; reply higher up the thread",
                        rules.max_reply_depth
                    ),
                ));
            }
            if new.stance.is_some() {
                return Err(AppError::validation(
                    "stance",
                    "a reply carries no stance; comment on the section to state one",
                ));
            }
            (parent.section_id, parent.depth + 1)
        }
        None => {
            if let Some(s) = new.section_id {
                check_section(db, facts, (draft_id, version_id), s).await?;
            }
            if official.is_some() && new.stance.is_some() {
                return Err(AppError::validation(
                    "stance",
                    "the lead agency does not take a stance on its own draft",
                ));
            }
            (new.section_id, 0)
        }
    };
    Ok(Placement {
        section_id,
        depth,
        official,
    })
}

async fn insert_comment(
    txn: &impl ConnectionTrait,
    viewer: &Viewer,
    new: &NewComment,
    placed: Placement,
    rules: &ParticipationConfig,
) -> Result<comment::Model, PostError> {
    let now = Utc::now();
    charge_daily_quota(
        txn,
        viewer.account_id,
        "comment",
        daily_limit(viewer, rules),
        now,
    )
    .await?;
    // The deadline, at the instant of the write.
    open_consultation(txn, new.consultation_id, now).await?;
    match new_row(viewer, new, placed, now).insert(txn).await {
        Ok(m) => {
            crate::search::outbox::enqueue(txn, &[crate::search::outbox::Subject::Comment(m.id)])
                .await?;
            Ok(m)
        }
        Err(e)
            if new.idempotency_key.is_some()
                && matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) =>
        {
            Err(PostError::KeyTaken)
        }
        Err(e) => Err(e.into()),
    }
}

/// The comment, if its author may still change it: theirs, visible, within the edit window,
/// while the consultation is open.
async fn own_changeable(
    txn: &impl ConnectionTrait,
    viewer: &Viewer,
    comment_id: i64,
    now: DateTime<Utc>,
) -> AppResult<comment::Model> {
    if !crate::db::lock_row::<comment::Entity>(txn, comment::Column::Id, comment_id).await? {
        return Err(AppError::not_found("comment"));
    }
    let c = comment::Entity::find_by_id(comment_id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("comment"))?;
    if c.author_id != viewer.account_id {
        return Err(AppError::Forbidden(
            "only its author may change a comment".into(),
        ));
    }
    if c.withdrawn_at.is_some() || c.hidden_at.is_some() {
        return Err(AppError::Conflict(
            "this comment was withdrawn or hidden and can no longer change".into(),
        ));
    }
    open_consultation(txn, c.consultation_id, now).await?;
    Ok(c)
}

/// A changed comment, its search entry queued for update in the same transaction.
async fn reindexed(txn: &impl ConnectionTrait, c: comment::Model) -> AppResult<comment::Model> {
    crate::search::outbox::enqueue(txn, &[crate::search::outbox::Subject::Comment(c.id)]).await?;
    Ok(c)
}

/// Edits a comment within the edit window; the text it replaces is kept as a revision.
pub async fn edit(
    db: &DatabaseConnection,
    viewer: &Viewer,
    comment_id: i64,
    body: CommentBody,
    // `None` keeps the stance; `Some(None)` clears it.
    stance: Option<Option<Stance>>,
    rules: &ParticipationConfig,
) -> AppResult<comment::Model> {
    let window = rules.edit_window;
    let viewer = viewer.clone();
    Ok(db
        .transaction::<_, comment::Model, AppError>(|txn| {
            Box::pin(async move {
                let now = Utc::now();
                let c = own_changeable(txn, &viewer, comment_id, now).await?;
                let deadline = c.created_at
                    + chrono::Duration::from_std(window).unwrap_or(chrono::Duration::zero());
                if now >= deadline {
                    return Err(AppError::Forbidden(format!(
                        "comments can be edited for {} minutes after posting; withdraw it and post again instead",
                        window.as_secs() / 60
                    )));
                }
                let stance = stance.unwrap_or(c.stance);
                if c.parent_id.is_some() && stance.is_some() {
                    return Err(AppError::validation("stance", "a reply carries no stance"));
                }
                if c.official_agency_id.is_some() && stance.is_some() {
                    return Err(AppError::validation(
                        "stance",
                        "the lead agency does not take a stance on its own draft",
                    ));
                }
                revision::ActiveModel {
                    comment_id: Set(c.id),
                    body: Set(c.body.clone()),
                    stance: Set(c.stance),
                    written_at: Set(c.edited_at.unwrap_or(c.created_at)),
                    replaced_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                let mut row: comment::ActiveModel = c.into();
                row.body = Set(body.into_html());
                row.stance = Set(stance);
                row.edited_at = Set(Some(now));
                reindexed(txn, row.update(txn).await?).await
            })
        })
        .await?)
}

/// Withdraws a comment: kept in the record, shown as withdrawn.
pub async fn withdraw(
    db: &DatabaseConnection,
    viewer: &Viewer,
    comment_id: i64,
) -> AppResult<comment::Model> {
    let viewer = viewer.clone();
    Ok(db
        .transaction::<_, comment::Model, AppError>(|txn| {
            Box::pin(async move {
                let now = Utc::now();
                let c = own_changeable(txn, &viewer, comment_id, now).await?;
                let mut row: comment::ActiveModel = c.into();
                row.withdrawn_at = Set(Some(now));
                reindexed(txn, row.update(txn).await?).await
            })
        })
        .await?)
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<Option<comment::Model>> {
    Ok(comment::Entity::find_by_id(id).one(db).await?)
}

/// Comments by id that are visible now (neither hidden nor withdrawn), in one query.
pub async fn visible_by_ids(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<Vec<comment::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(comment::Entity::find()
        .filter(comment::Column::Id.is_in(ids.to_vec()))
        .filter(comment::Column::HiddenAt.is_null())
        .filter(comment::Column::WithdrawnAt.is_null())
        .all(db)
        .await?)
}

pub async fn revisions(
    db: &impl ConnectionTrait,
    comment_id: i64,
) -> AppResult<Vec<revision::Model>> {
    Ok(revision::Entity::find()
        .filter(revision::Column::CommentId.eq(comment_id))
        .order_by_asc(revision::Column::Id)
        .all(db)
        .await?)
}

/// Which comments a public list shows.
#[derive(Clone, Copy, Debug)]
pub enum CommentScope {
    /// Top-level comments on one section.
    Section(i64),
    /// Top-level comments of a consultation; `whole_draft_only` keeps those on no section.
    Consultation { id: i64, whole_draft_only: bool },
    /// Replies to one comment.
    Replies(i64),
}

impl CommentScope {
    fn condition(self) -> Condition {
        // Hidden comments leave public lists; withdrawn ones stay, shown as withdrawn.
        let cond = Condition::all().add(comment::Column::HiddenAt.is_null());
        match self {
            Self::Section(s) => cond
                .add(comment::Column::SectionId.eq(s))
                .add(comment::Column::ParentId.is_null()),
            Self::Consultation {
                id,
                whole_draft_only,
            } => {
                let c = cond
                    .add(comment::Column::ConsultationId.eq(id))
                    .add(comment::Column::ParentId.is_null());
                if whole_draft_only {
                    c.add(comment::Column::SectionId.is_null())
                } else {
                    c
                }
            }
            Self::Replies(parent) => cond.add(comment::Column::ParentId.eq(parent)),
        }
    }
}

/// Oldest first, as the discussion unfolded.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: CommentScope,
    page: PageRequest,
) -> AppResult<Page<comment::Model>> {
    let mut q = comment::Entity::find()
        .filter(scope.condition())
        .order_by_asc(comment::Column::Id);
    if let Some(after) = page.after {
        q = q.filter(comment::Column::Id.gt(after));
    }
    let rows = q.limit(page.fetch_limit()).all(db).await?;
    Ok(Page::from_rows(rows, page))
}

pub async fn count(db: &impl ConnectionTrait, scope: CommentScope) -> AppResult<u64> {
    Ok(comment::Entity::find()
        .filter(scope.condition())
        .count(db)
        .await?)
}

/// Comment totals and stances, counted in SQL over what the public can see.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CommentStats {
    pub comments: u64,
    pub agree: u64,
    pub disagree: u64,
    pub neutral: u64,
}

impl CommentStats {
    /// Adds a `GROUP BY stance` row.
    fn add(&mut self, stance: Option<Stance>, n: i64) {
        let n = non_negative(n);
        self.comments += n;
        match stance {
            Some(Stance::Agree) => self.agree += n,
            Some(Stance::Disagree) => self.disagree += n,
            Some(Stance::Neutral) => self.neutral += n,
            None => {}
        }
    }
}

#[derive(FromQueryResult)]
struct StanceCount {
    stance: Option<Stance>,
    n: i64,
}

/// `section`: one section; otherwise the whole consultation.
pub async fn stats(
    db: &impl ConnectionTrait,
    consultation_id: Option<i64>,
    section_id: Option<i64>,
) -> AppResult<CommentStats> {
    let mut q = comment::Entity::find()
        .select_only()
        .column(comment::Column::Stance)
        .column_as(comment::Column::Id.count(), "n")
        .filter(comment::Column::HiddenAt.is_null())
        .filter(comment::Column::WithdrawnAt.is_null())
        .group_by(comment::Column::Stance);
    if let Some(c) = consultation_id {
        q = q.filter(comment::Column::ConsultationId.eq(c));
    }
    if let Some(s) = section_id {
        q = q.filter(comment::Column::SectionId.eq(s));
    }
    let rows = q.into_model::<StanceCount>().all(db).await?;
    let mut stats = CommentStats::default();
    for r in rows {
        stats.add(r.stance, r.n);
    }
    Ok(stats)
}

#[derive(FromQueryResult)]
struct SectionStanceCount {
    section_id: Option<i64>,
    stance: Option<Stance>,
    n: i64,
}

/// The stats of many sections in one query (a whole version's page).
pub async fn stats_by_section(
    db: &impl ConnectionTrait,
    section_ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, CommentStats>> {
    let rows = comment::Entity::find()
        .select_only()
        .column(comment::Column::SectionId)
        .column(comment::Column::Stance)
        .column_as(comment::Column::Id.count(), "n")
        .filter(comment::Column::SectionId.is_in(section_ids.iter().copied()))
        .filter(comment::Column::HiddenAt.is_null())
        .filter(comment::Column::WithdrawnAt.is_null())
        .group_by(comment::Column::SectionId)
        .group_by(comment::Column::Stance)
        .into_model::<SectionStanceCount>()
        .all(db)
        .await?;
    let mut out: std::collections::HashMap<i64, CommentStats> = section_ids
        .iter()
        .map(|id| (*id, CommentStats::default()))
        .collect();
    for r in rows {
        let Some(stats) = r.section_id.and_then(|s| out.get_mut(&s)) else {
            continue;
        };
        stats.add(r.stance, r.n);
    }
    Ok(out)
}

/// Distinct participants (commenters and answerers, agency replies excluded) by respondent
/// category.
pub async fn participants_by_category(
    db: &impl ConnectionTrait,
    consultation_id: i64,
) -> AppResult<Vec<(RespondentCategory, u64)>> {
    let commenters = Query::select()
        .column(comment::Column::AuthorId)
        .from(comment::Entity)
        .and_where(comment::Column::ConsultationId.eq(consultation_id))
        .and_where(comment::Column::OfficialAgencyId.is_null())
        .to_owned();
    let answerers = Query::select()
        .column(answer::Column::AccountId)
        .from(answer::Entity)
        .and_where(answer::Column::ConsultationId.eq(consultation_id))
        .to_owned();
    let rows: Vec<(RespondentCategory, i64)> = account::Entity::find()
        .select_only()
        .column(account::Column::RespondentCategory)
        .column_as(account::Column::Id.count(), "n")
        .filter(
            Condition::any()
                .add(account::Column::Id.in_subquery(commenters))
                .add(account::Column::Id.in_subquery(answerers)),
        )
        .group_by(account::Column::RespondentCategory)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(c, n)| (c, non_negative(n)))
        .collect())
}

/// Flags a comment for the moderators; once per account and comment.
pub async fn flag(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    comment_id: i64,
    reason: String,
) -> AppResult<()> {
    let c = get(db, comment_id)
        .await?
        .ok_or_else(|| AppError::not_found("comment"))?;
    if c.hidden_at.is_some() {
        return Err(AppError::Conflict("this comment is already hidden".into()));
    }
    let row = flag::ActiveModel {
        comment_id: Set(comment_id),
        account_id: Set(viewer.account_id),
        reason: Set(reason),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    match row.insert(db).await {
        Ok(_) => Ok(()),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Err(
            AppError::Conflict("you have already flagged this comment".into()),
        ),
        Err(e) => Err(e.into()),
    }
}

/// The agency that leads the draft a comment is on, for permission checks.
pub async fn lead_agency_of_comment(
    db: &impl ConnectionTrait,
    c: &comment::Model,
) -> AppResult<i64> {
    let cons = consultation::Entity::find_by_id(c.consultation_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("consultation"))?;
    Ok(draft_of(db, &cons).await?.lead_agency_id)
}

/// Hides (`hide = true`) or restores a comment, recording who, why and when in the moderation
/// log. Allowed after the consultation closes: moderation does not change what was said.
pub async fn moderate(
    db: &DatabaseConnection,
    viewer: &Viewer,
    comment_id: i64,
    hide: bool,
    reason: Option<HideReason>,
    note: String,
) -> AppResult<comment::Model> {
    let viewer = viewer.clone();
    Ok(db
        .transaction::<_, comment::Model, AppError>(|txn| {
            Box::pin(async move {
                if !crate::db::lock_row::<comment::Entity>(txn, comment::Column::Id, comment_id)
                    .await?
                {
                    return Err(AppError::not_found("comment"));
                }
                let c = get(txn, comment_id)
                    .await?
                    .ok_or_else(|| AppError::not_found("comment"))?;
                let agency = lead_agency_of_comment(txn, &c).await?;
                viewer.require_manages(agency, "moderate comments on this draft")?;
                let now = Utc::now();
                let (action, reason) = if hide {
                    if c.hidden_at.is_some() {
                        return Err(AppError::Conflict("this comment is already hidden".into()));
                    }
                    let reason = reason.ok_or_else(|| {
                        AppError::validation("reason", "hiding a comment needs a reason")
                    })?;
                    (moderation::ModerationAction::Hide, reason)
                } else {
                    let Some(was) = c.hidden_reason else {
                        return Err(AppError::Conflict("this comment is not hidden".into()));
                    };
                    (moderation::ModerationAction::Restore, reason.unwrap_or(was))
                };
                if !hide && note.trim().is_empty() {
                    return Err(AppError::validation(
                        "note",
                        "restoring a comment needs a note saying why",
                    ));
                }
                if reason == HideReason::Other && note.trim().is_empty() {
                    return Err(AppError::validation(
                        "note",
                        "the reason `OTHER` needs a note saying what it is",
                    ));
                }
                moderation::ActiveModel {
                    comment_id: Set(c.id),
                    consultation_id: Set(c.consultation_id),
                    moderator_id: Set(viewer.account_id),
                    action: Set(action),
                    reason: Set(reason),
                    note: Set(note),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                let mut row: comment::ActiveModel = c.into();
                if hide {
                    row.hidden_at = Set(Some(now));
                    row.hidden_reason = Set(Some(reason));
                } else {
                    row.hidden_at = Set(None);
                    row.hidden_reason = Set(None);
                }
                reindexed(txn, row.update(txn).await?).await
            })
        })
        .await?)
}

/// Hidden comments of a consultation counted by reason: what the public log shows.
pub async fn hidden_by_reason(
    db: &impl ConnectionTrait,
    consultation_id: i64,
) -> AppResult<Vec<(HideReason, u64)>> {
    let rows: Vec<(Option<HideReason>, i64)> = comment::Entity::find()
        .select_only()
        .column(comment::Column::HiddenReason)
        .column_as(comment::Column::Id.count(), "n")
        .filter(comment::Column::ConsultationId.eq(consultation_id))
        .filter(comment::Column::HiddenAt.is_not_null())
        .group_by(comment::Column::HiddenReason)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(r, n)| r.map(|r| (r, non_negative(n))))
        .collect())
}

/// The moderation log of a consultation, newest first.
pub async fn moderation_log(
    db: &impl ConnectionTrait,
    consultation_id: i64,
    page: PageRequest,
) -> AppResult<Page<moderation::Model>> {
    let mut q = moderation::Entity::find()
        .filter(moderation::Column::ConsultationId.eq(consultation_id))
        .order_by_desc(moderation::Column::Id);
    if let Some(after) = page.after {
        q = q.filter(moderation::Column::Id.lt(after));
    }
    let rows = q.limit(page.fetch_limit()).all(db).await?;
    Ok(Page::from_rows(rows, page))
}

pub async fn moderation_count(db: &impl ConnectionTrait, consultation_id: i64) -> AppResult<u64> {
    Ok(moderation::Entity::find()
        .filter(moderation::Column::ConsultationId.eq(consultation_id))
        .count(db)
        .await?)
}

/// Flagged comments still shown, most flagged first: the moderators' queue.
pub async fn moderation_queue(
    db: &impl ConnectionTrait,
    consultation_id: i64,
    limit: u64,
) -> AppResult<Vec<(comment::Model, u64)>> {
    let flagged: Vec<(i64, i64)> = flag::Entity::find()
        .select_only()
        .column(flag::Column::CommentId)
        .column_as(flag::Column::Id.count(), "n")
        .filter(
            flag::Column::CommentId.in_subquery(
                Query::select()
                    .column(comment::Column::Id)
                    .from(comment::Entity)
                    .and_where(comment::Column::ConsultationId.eq(consultation_id))
                    .and_where(comment::Column::HiddenAt.is_null())
                    .to_owned(),
            ),
        )
        .group_by(flag::Column::CommentId)
        .order_by_desc(Expr::col(sea_orm::sea_query::Alias::new("n")))
        .order_by_asc(flag::Column::CommentId)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    let ids: Vec<i64> = flagged.iter().map(|(id, _)| *id).collect();
    let mut comments: std::collections::HashMap<i64, comment::Model> = comment::Entity::find()
        .filter(comment::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    Ok(flagged
        .into_iter()
        .filter_map(|(id, n)| comments.remove(&id).map(|c| (c, non_negative(n))))
        .collect())
}

/// Flags of several comments, oldest first, for moderators.
pub async fn flags(db: &impl ConnectionTrait, comment_ids: &[i64]) -> AppResult<Vec<flag::Model>> {
    Ok(flag::Entity::find()
        .filter(flag::Column::CommentId.is_in(comment_ids.iter().copied()))
        .order_by_asc(flag::Column::Id)
        .all(db)
        .await?)
}

/// SQL counts come back as signed integers.
pub fn non_negative(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
