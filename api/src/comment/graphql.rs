//! GraphQL of comments: the `Comment` type, lists and counts on sections and consultations,
//! and the mutations to post, reply, edit, withdraw, flag and moderate.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::{
    CommentStatus, HideReason, Stance,
    entity::{comment, moderation, moderation::ModerationAction},
    service::{self, CommentScope, CommentStats, IdempotencyKey, NewComment},
};
use crate::{
    account::{
        RespondentCategory,
        graphql::{load_account, notify_account},
    },
    agency::{graphql::Agency, service as agencies},
    error::{AppError, AppResult, GqlResultExt},
    graphql::{
        app, meta, rate_limit,
        relay::{self, Conn, NodeType, PageRequest, TotalCount, connection_cost},
    },
    ratelimit::LimitedAction,
    sanitize::{self, CommentBody},
    thai::{self, Digits, Lang},
};

/// A comment (ความคิดเห็น) on a section or on the draft as a whole, or a reply in a thread.
pub struct Comment(pub comment::Model);

impl Comment {
    pub async fn load(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<Comment>> {
        let row = service::get(&app(ctx).db, id).await.gql()?;
        // A hidden comment is not public; its moderators find it in their queue.
        Ok(row.filter(|c| c.hidden_at.is_none()).map(Comment))
    }
}

#[Object]
impl Comment {
    pub async fn id(&self) -> ID {
        relay::global_id(NodeType::Comment, self.0.id)
    }

    /// Sanitised HTML (a small allowlist of tags; links are nofollow). Null once withdrawn or
    /// hidden.
    async fn body(&self) -> Option<&str> {
        (self.0.status() == CommentStatus::Visible).then_some(self.0.body.as_str())
    }

    async fn status(&self) -> CommentStatus {
        self.0.status()
    }

    async fn stance(&self) -> Option<Stance> {
        self.0.stance
    }

    /// The display name or, by the author's choice, their pseudonym. Never the e-mail.
    async fn author_name(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(load_account(ctx, self.0.author_id)
            .await
            .gql()?
            .map(|a| a.public_name().to_owned())
            .unwrap_or_default())
    }

    /// The author's respondent category (counted in reports; not identifying).
    async fn author_category(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<RespondentCategory>> {
        Ok(load_account(ctx, self.0.author_id)
            .await
            .gql()?
            .map(|a| a.respondent_category))
    }

    /// True for the viewer's own comments.
    async fn is_mine(&self, ctx: &Context<'_>) -> bool {
        meta(ctx)
            .viewer
            .as_ref()
            .is_some_and(|v| v.account_id == self.0.author_id)
    }

    /// Set on an official reply of the lead agency (คำชี้แจงของหน่วยงาน).
    async fn official_agency(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Agency>> {
        let Some(id) = self.0.official_agency_id else {
            return Ok(None);
        };
        Ok(agencies::get(&app(ctx).db, id).await.gql()?.map(Agency))
    }

    async fn is_official(&self) -> bool {
        self.0.official_agency_id.is_some()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was posted, Bangkok time: `๓ ธันวาคม ๒๕๖๙ ๑๔:๐๕ น.` by default.
    async fn created_at_text(
        &self,
        #[graphql(default_with = "Lang::Th")] lang: Lang,
        #[graphql(default_with = "Digits::Thai")] digits: Digits,
    ) -> String {
        thai::format_instant(self.0.created_at, lang, digits)
    }

    async fn edited_at(&self) -> Option<DateTime<Utc>> {
        self.0.edited_at
    }

    async fn withdrawn_at(&self) -> Option<DateTime<Utc>> {
        self.0.withdrawn_at
    }

    /// 0 for a comment, 1 for a reply to it, and so on.
    async fn depth(&self) -> i16 {
        self.0.depth
    }

    async fn section_id(&self) -> Option<ID> {
        self.0
            .section_id
            .map(|s| relay::global_id(NodeType::Section, s))
    }

    async fn consultation_id(&self) -> ID {
        relay::global_id(NodeType::Consultation, self.0.consultation_id)
    }

    async fn parent_id(&self) -> Option<ID> {
        self.0
            .parent_id
            .map(|p| relay::global_id(NodeType::Comment, p))
    }

    /// Replies, oldest first.
    #[graphql(complexity = "connection_cost(first, child_complexity)")]
    async fn replies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Comment>> {
        comment_connection(ctx, CommentScope::Replies(self.0.id), first, after).await
    }

    /// Earlier texts of an edited comment, oldest first: the record keeps every version. Only
    /// its author and the lead agency's staff see them (an author may have edited out
    /// something personal); null for everyone else.
    async fn revisions(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Vec<CommentRevision>>> {
        let Some(viewer) = &meta(ctx).viewer else {
            return Ok(None);
        };
        let allowed = viewer.account_id == self.0.author_id
            || viewer.manages(
                service::lead_agency_of_comment(&app(ctx).db, &self.0)
                    .await
                    .gql()?,
            );
        if !allowed {
            return Ok(None);
        }
        Ok(Some(
            service::revisions(&app(ctx).db, self.0.id)
                .await
                .gql()?
                .into_iter()
                .map(|r| CommentRevision {
                    body: r.body,
                    stance: r.stance,
                    written_at: r.written_at,
                    replaced_at: r.replaced_at,
                })
                .collect(),
        ))
    }
}

#[derive(SimpleObject)]
pub struct CommentRevision {
    body: String,
    stance: Option<Stance>,
    written_at: DateTime<Utc>,
    replaced_at: DateTime<Utc>,
}

/// Counts over visible comments (hidden and withdrawn ones excluded), computed in SQL.
#[derive(SimpleObject)]
pub struct CommentStatsOut {
    comments: u64,
    agree: u64,
    disagree: u64,
    neutral: u64,
}

impl From<CommentStats> for CommentStatsOut {
    fn from(s: CommentStats) -> Self {
        Self {
            comments: s.comments,
            agree: s.agree,
            disagree: s.disagree,
            neutral: s.neutral,
        }
    }
}

pub async fn comment_connection(
    ctx: &Context<'_>,
    scope: CommentScope,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<Conn<Comment>> {
    let page = PageRequest::new(first, after.as_deref()).gql()?;
    let rows = service::list(&app(ctx).db, scope, page).await.gql()?;
    let total = TotalCount::new(move |db| async move { service::count(&db, scope).await });
    Ok(relay::connection(rows, total, |c| c.id, Comment))
}

/// Batches `commentStats` of the sections on one page into one query.
pub struct SectionStatsLoader(pub sea_orm::DatabaseConnection);

impl async_graphql::dataloader::Loader<i64> for SectionStatsLoader {
    type Value = CommentStats;
    type Error = std::sync::Arc<String>;

    async fn load(
        &self,
        keys: &[i64],
    ) -> Result<std::collections::HashMap<i64, CommentStats>, Self::Error> {
        service::stats_by_section(&self.0, keys)
            .await
            .map_err(|e| std::sync::Arc::new(e.to_string()))
    }
}

/// A section's comment counts, batched with the other sections of the request.
pub async fn section_stats(
    ctx: &Context<'_>,
    section_id: i64,
) -> async_graphql::Result<CommentStatsOut> {
    let stats = crate::graphql::load::<SectionStatsLoader, _>(ctx, section_id)
        .await
        .gql()?
        .unwrap_or_default();
    Ok(stats.into())
}

pub async fn stats(
    ctx: &Context<'_>,
    consultation_id: Option<i64>,
    section_id: Option<i64>,
) -> async_graphql::Result<CommentStatsOut> {
    Ok(service::stats(&app(ctx).db, consultation_id, section_id)
        .await
        .gql()?
        .into())
}

#[derive(SimpleObject)]
pub struct CategoryCount {
    category: RespondentCategory,
    participants: u64,
}

pub async fn participants(
    ctx: &Context<'_>,
    consultation_id: i64,
) -> async_graphql::Result<Vec<CategoryCount>> {
    Ok(
        service::participants_by_category(&app(ctx).db, consultation_id)
            .await
            .gql()?
            .into_iter()
            .map(|(category, participants)| CategoryCount {
                category,
                participants,
            })
            .collect(),
    )
}

/// The public side of moderation in a consultation: how many comments are hidden and why,
/// and each action taken, without the hidden text or who wrote it.
pub struct ModerationLog(pub i64);

#[derive(SimpleObject)]
pub struct ReasonCount {
    reason: HideReason,
    count: u64,
}

#[derive(SimpleObject)]
pub struct ModerationEntry {
    action: ModerationAction,
    reason: HideReason,
    at: DateTime<Utc>,
}

#[Object]
impl ModerationLog {
    /// Comments hidden now.
    async fn hidden_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        Ok(service::hidden_by_reason(&app(ctx).db, self.0)
            .await
            .gql()?
            .iter()
            .map(|(_, n)| n)
            .sum())
    }

    async fn hidden_by_reason(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ReasonCount>> {
        Ok(service::hidden_by_reason(&app(ctx).db, self.0)
            .await
            .gql()?
            .into_iter()
            .map(|(reason, count)| ReasonCount { reason, count })
            .collect())
    }

    /// Every hide and restore, newest first.
    #[graphql(complexity = "connection_cost(first, child_complexity)")]
    async fn entries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<ModerationEntry>> {
        let page = PageRequest::new(first, after.as_deref()).gql()?;
        let rows = service::moderation_log(&app(ctx).db, self.0, page)
            .await
            .gql()?;
        let id = self.0;
        let total =
            TotalCount::new(move |db| async move { service::moderation_count(&db, id).await });
        Ok(relay::connection(
            rows,
            total,
            |m: &moderation::Model| m.id,
            |m| ModerationEntry {
                action: m.action,
                reason: m.reason,
                at: m.created_at,
            },
        ))
    }
}

/// A flagged comment in the moderators' queue, with the reasons given.
#[derive(SimpleObject)]
pub struct FlaggedComment {
    comment: Comment,
    flags: u64,
    reasons: Vec<String>,
}

#[derive(Default)]
pub struct CommentQuery;

#[Object]
impl CommentQuery {
    async fn comment(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Comment>> {
        let row = relay::decode_typed_id(&id, NodeType::Comment, "id").gql()?;
        Comment::load(ctx, row).await
    }

    /// Flagged comments still shown in a consultation, most flagged first. Staff of the lead
    /// agency only.
    async fn moderation_queue(
        &self,
        ctx: &Context<'_>,
        consultation_id: ID,
        #[graphql(default = 50)] first: i32,
    ) -> async_graphql::Result<Vec<FlaggedComment>> {
        async {
            let viewer = meta(ctx).viewer()?;
            let id =
                relay::decode_typed_id(&consultation_id, NodeType::Consultation, "consultationId")?;
            let db = &app(ctx).db;
            let c = crate::consultation::service::get(db, id)
                .await?
                .ok_or_else(|| AppError::not_found("consultation"))?;
            let d = service::draft_of(db, &c).await?;
            viewer.require_manages(d.lead_agency_id, "see the moderation queue")?;
            let limit = first.clamp(1, 500) as u64;
            let queue = service::moderation_queue(db, id, limit).await?;
            let ids: Vec<i64> = queue.iter().map(|(c, _)| c.id).collect();
            let flags = service::flags(db, &ids).await?;
            Ok(queue
                .into_iter()
                .map(|(c, n)| FlaggedComment {
                    reasons: flags
                        .iter()
                        .filter(|f| f.comment_id == c.id)
                        .map(|f| f.reason.clone())
                        .collect(),
                    comment: Comment(c),
                    flags: n,
                })
                .collect())
        }
        .await
        .gql()
    }
}

#[derive(InputObject)]
pub struct PostCommentInput {
    consultation_id: ID,
    /// The section commented on; omit to comment on the draft as a whole.
    section_id: Option<ID>,
    /// Plain text (paragraphs kept) or a little HTML: p, br, em, strong, lists, quotes, links.
    body: String,
    stance: Option<Stance>,
    /// Any unique string (a UUID): a retry with the same key returns the same comment.
    idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct ReplyInput {
    comment_id: ID,
    body: String,
    idempotency_key: Option<String>,
}

/// The per-instance comment limit, for citizens: an agency answering a large consultation is
/// not throttled like a campaign (its daily quota, in the database, still holds).
fn limit_comments(ctx: &Context<'_>, viewer: &crate::account::Viewer) -> AppResult<()> {
    if viewer.role.is_agency() {
        Ok(())
    } else {
        rate_limit(ctx, LimitedAction::Comment)
    }
}

fn body_arg(raw: &str, field: &str, max: usize) -> AppResult<CommentBody> {
    CommentBody::parse(raw, max).map_err(|e| AppError::validation(field, e.to_string()))
}

fn key_arg(raw: Option<&str>) -> AppResult<Option<IdempotencyKey>> {
    raw.map(IdempotencyKey::parse).transpose()
}

#[derive(Default)]
pub struct CommentMutation;

#[Object]
impl CommentMutation {
    /// Comments on a section or on the whole draft while the consultation is open. Answers
    /// once the comment is committed.
    async fn post_comment(
        &self,
        ctx: &Context<'_>,
        input: PostCommentInput,
    ) -> async_graphql::Result<Comment> {
        async {
            let viewer = meta(ctx).writer()?;
            limit_comments(ctx, viewer)?;
            let app = app(ctx);
            let new = NewComment {
                consultation_id: relay::decode_typed_id(
                    &input.consultation_id,
                    NodeType::Consultation,
                    "consultationId",
                )?,
                section_id: input
                    .section_id
                    .as_ref()
                    .map(|s| relay::decode_typed_id(s, NodeType::Section, "sectionId"))
                    .transpose()?,
                parent_id: None,
                body: body_arg(&input.body, "body", app.participation.max_comment_chars)?,
                stance: input.stance,
                idempotency_key: key_arg(input.idempotency_key.as_deref())?,
            };
            service::post(
                &app.db,
                app.comment_writer.as_ref(),
                &app.facts,
                viewer,
                new,
                &app.participation,
            )
            .await
            .map(Comment)
        }
        .await
        .gql()
    }

    /// Replies to a comment (threads nest a few levels). A reply by staff of the lead agency is
    /// its official reply.
    async fn reply_to_comment(
        &self,
        ctx: &Context<'_>,
        input: ReplyInput,
    ) -> async_graphql::Result<Comment> {
        async {
            let viewer = meta(ctx).writer()?;
            limit_comments(ctx, viewer)?;
            let app = app(ctx);
            let parent_id =
                relay::decode_typed_id(&input.comment_id, NodeType::Comment, "commentId")?;
            let parent = service::get(&app.db, parent_id)
                .await?
                .ok_or_else(|| AppError::not_found("comment"))?;
            let new = NewComment {
                consultation_id: parent.consultation_id,
                section_id: parent.section_id,
                parent_id: Some(parent_id),
                body: body_arg(&input.body, "body", app.participation.max_comment_chars)?,
                stance: None,
                idempotency_key: key_arg(input.idempotency_key.as_deref())?,
            };
            let reply = service::post(&app.db, app.comment_writer.as_ref(), &app.facts, viewer, new, &app.participation).await?;
            if reply.official_agency_id.is_some() && parent.author_id != viewer.account_id {
                let slug = match crate::consultation::service::get(&app.db, parent.consultation_id)
                    .await?
                {
                    Some(c) => service::draft_of(&app.db, &c).await?.slug,
                    None => String::new(),
                };
                let url = format!("{}/drafts/{slug}", app.public_url);
                notify_account(
                    ctx,
                    parent.author_id,
                    "หน่วยงานตอบความคิดเห็นของท่าน / The agency replied to your comment",
                    format!(
                        "หน่วยงานเจ้าของร่างได้ตอบความคิดเห็นของท่านแล้ว\nThe lead agency has replied to your comment.\n\n{url}\n"
                    ),
                )
                .await;
            }
            Ok(Comment(reply))
        }
        .await
        .gql()
    }

    /// Edits one's own comment within the edit window; the earlier text is kept.
    async fn edit_comment(
        &self,
        ctx: &Context<'_>,
        comment_id: ID,
        body: String,
        #[graphql(desc = "Omit to keep the stance; null clears it.")] stance: MaybeUndefined<
            Stance,
        >,
    ) -> async_graphql::Result<Comment> {
        async {
            let viewer = meta(ctx).writer()?;
            limit_comments(ctx, viewer)?;
            let app = app(ctx);
            let id = relay::decode_typed_id(&comment_id, NodeType::Comment, "commentId")?;
            let body = body_arg(&body, "body", app.participation.max_comment_chars)?;
            let stance = match stance {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(s) => Some(Some(s)),
            };
            service::edit(&app.db, viewer, id, body, stance, &app.participation)
                .await
                .map(Comment)
        }
        .await
        .gql()
    }

    /// Withdraws one's own comment while the consultation is open: it stays in the record,
    /// shown as withdrawn.
    async fn withdraw_comment(
        &self,
        ctx: &Context<'_>,
        comment_id: ID,
    ) -> async_graphql::Result<Comment> {
        async {
            let viewer = meta(ctx).writer()?;
            limit_comments(ctx, viewer)?;
            let id = relay::decode_typed_id(&comment_id, NodeType::Comment, "commentId")?;
            service::withdraw(&app(ctx).db, viewer, id)
                .await
                .map(Comment)
        }
        .await
        .gql()
    }

    /// Flags a comment for the moderators, with a reason.
    async fn flag_comment(
        &self,
        ctx: &Context<'_>,
        comment_id: ID,
        reason: String,
    ) -> async_graphql::Result<bool> {
        async {
            let viewer = meta(ctx).writer()?;
            rate_limit(ctx, LimitedAction::Flag)?;
            let id = relay::decode_typed_id(&comment_id, NodeType::Comment, "commentId")?;
            let reason = sanitize::plain_text(&reason, 500)
                .map_err(|e| AppError::validation("reason", format!("reason: {e}")))?;
            service::flag(&app(ctx).db, viewer, id, reason).await?;
            Ok(true)
        }
        .await
        .gql()
    }

    /// Hides a comment with a reason (published in the moderation log without the text).
    /// Staff of the lead agency only.
    async fn hide_comment(
        &self,
        ctx: &Context<'_>,
        comment_id: ID,
        reason: HideReason,
        #[graphql(default)] note: String,
    ) -> async_graphql::Result<Comment> {
        moderate(ctx, &comment_id, true, Some(reason), note).await
    }

    /// Shows a hidden comment again, with a note saying why; logged like hiding.
    async fn unhide_comment(
        &self,
        ctx: &Context<'_>,
        comment_id: ID,
        note: String,
    ) -> async_graphql::Result<Comment> {
        moderate(ctx, &comment_id, false, None, note).await
    }
}

async fn moderate(
    ctx: &Context<'_>,
    comment_id: &ID,
    hide: bool,
    reason: Option<HideReason>,
    note: String,
) -> async_graphql::Result<Comment> {
    async {
        let viewer = meta(ctx).writer()?;
        let id = relay::decode_typed_id(comment_id, NodeType::Comment, "commentId")?;
        let note = if note.trim().is_empty() {
            String::new()
        } else {
            sanitize::plain_text(&note, 2_000)
                .map_err(|e| AppError::validation("note", format!("note: {e}")))?
        };
        service::moderate(&app(ctx).db, viewer, id, hide, reason, note)
            .await
            .map(Comment)
    }
    .await
    .gql()
}
