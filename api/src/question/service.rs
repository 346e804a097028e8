//! Asking questions and answering them. The only code that touches the question tables.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr, TransactionTrait,
};

use super::{
    QuestionKind, STANCE_OPTIONS,
    entity::{answer, choice, option, question},
};
use crate::{
    account::Viewer,
    comment::service::{
        IdempotencyKey, charge_daily_quota, check_section, draft_of, non_negative,
        open_consultation, require_verified,
    },
    config::ParticipationConfig,
    consultation::{ConsultationState, entity as consultation},
    error::{AppError, AppResult},
    facts::Facts,
    sanitize::{self, CommentBody},
};

/// A question as the agency writes it.
#[derive(Clone, Debug)]
pub struct NewQuestion {
    pub consultation_id: i64,
    pub section_id: Option<i64>,
    pub kind: QuestionKind,
    pub prompt: String,
    pub options: Vec<String>,
}

/// Adds a question to a consultation that has not closed. Agency staff of the lead agency only.
pub async fn ask(
    db: &DatabaseConnection,
    facts: &std::sync::Arc<Facts>,
    viewer: &Viewer,
    new: NewQuestion,
) -> AppResult<question::Model> {
    let prompt = sanitize::plain_text(&new.prompt, 2_000)
        .map_err(|e| AppError::validation("prompt", format!("question: {e}")))?;
    let labels: Vec<String> = match new.kind {
        QuestionKind::Stance | QuestionKind::FreeText => {
            if !new.options.is_empty() {
                return Err(AppError::validation(
                    "options",
                    "stance and free-text questions take no options of their own",
                ));
            }
            if new.kind == QuestionKind::Stance {
                STANCE_OPTIONS.iter().map(|s| (*s).to_owned()).collect()
            } else {
                Vec::new()
            }
        }
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice => {
            if new.options.len() < 2 || new.options.len() > 20 {
                return Err(AppError::validation(
                    "options",
                    format!(
                        "a choice question needs 2 to 20 options; got {}",
                        new.options.len()
                    ),
                ));
            }
            let mut labels = Vec::with_capacity(new.options.len());
            for (i, o) in new.options.iter().enumerate() {
                let label = sanitize::plain_text(o, 300).map_err(|e| {
                    AppError::validation("options", format!("option {}: {e}", i + 1))
                })?;
                if labels.contains(&label) {
                    return Err(AppError::validation(
                        "options",
                        format!("option {} repeats `{label}`", i + 1),
                    ));
                }
                labels.push(label);
            }
            labels
        }
    };
    let viewer = viewer.clone();
    let facts = facts.clone();
    Ok(db
        .transaction::<_, question::Model, AppError>(|txn| {
            Box::pin(async move {
                // Serialises questions of one consultation (their positions).
                if !crate::db::lock_row::<consultation::Entity>(
                    txn,
                    consultation::Column::Id,
                    new.consultation_id,
                )
                .await?
                {
                    return Err(AppError::not_found("consultation"));
                }
                let c = consultation::Entity::find_by_id(new.consultation_id)
                    .one(txn)
                    .await?
                    .ok_or_else(|| AppError::not_found("consultation"))?;
                let d = draft_of(txn, &c).await?;
                viewer.require_manages(d.lead_agency_id, "ask questions in this consultation")?;
                if c.state_at(Utc::now()) == ConsultationState::Closed {
                    return Err(AppError::ConsultationClosed(
                        "the consultation is closed; no more questions can be asked".into(),
                    ));
                }
                if let Some(s) = new.section_id {
                    check_section(txn, &facts, (c.draft_id, c.version_id), s).await?;
                }
                insert(txn, c.id, new.section_id, new.kind, prompt, labels).await
            })
        })
        .await?)
}

/// Writes a question with its options at the end of the consultation's list. Checks are the
/// caller's; call inside a transaction.
pub async fn insert(
    txn: &impl ConnectionTrait,
    consultation_id: i64,
    section_id: Option<i64>,
    kind: QuestionKind,
    prompt: String,
    labels: Vec<String>,
) -> AppResult<question::Model> {
    let position = question::Entity::find()
        .filter(question::Column::ConsultationId.eq(consultation_id))
        .count(txn)
        .await? as i32;
    let q = question::ActiveModel {
        consultation_id: Set(consultation_id),
        section_id: Set(section_id),
        position: Set(position + 1),
        kind: Set(kind),
        prompt: Set(prompt),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    for (i, label) in labels.into_iter().enumerate() {
        option::ActiveModel {
            question_id: Set(q.id),
            position: Set(i as i32 + 1),
            label: Set(label),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(q)
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<Option<question::Model>> {
    Ok(question::Entity::find_by_id(id).one(db).await?)
}

/// The questions of a consultation; `section`: `Some(None)` those on the draft as a whole,
/// `Some(Some(id))` those on one section, `None` all.
pub async fn list(
    db: &impl ConnectionTrait,
    consultation_id: Option<i64>,
    section: Option<Option<i64>>,
) -> AppResult<Vec<question::Model>> {
    let mut q = question::Entity::find().order_by_asc(question::Column::Position);
    if let Some(c) = consultation_id {
        q = q.filter(question::Column::ConsultationId.eq(c));
    }
    match section {
        Some(Some(s)) => q = q.filter(question::Column::SectionId.eq(s)),
        Some(None) => q = q.filter(question::Column::SectionId.is_null()),
        None => {}
    }
    Ok(q.all(db).await?)
}

/// The questions on several sections at once, in order.
pub async fn for_sections(
    db: &impl ConnectionTrait,
    section_ids: &[i64],
) -> AppResult<Vec<question::Model>> {
    Ok(question::Entity::find()
        .filter(question::Column::SectionId.is_in(section_ids.iter().copied()))
        .order_by_asc(question::Column::Position)
        .all(db)
        .await?)
}

pub async fn options(db: &impl ConnectionTrait, question_id: i64) -> AppResult<Vec<option::Model>> {
    Ok(option::Entity::find()
        .filter(option::Column::QuestionId.eq(question_id))
        .order_by_asc(option::Column::Position)
        .all(db)
        .await?)
}

/// How many answers chose each option, counted in SQL.
pub async fn option_counts(
    db: &impl ConnectionTrait,
    question_id: i64,
) -> AppResult<Vec<(i64, u64)>> {
    let rows: Vec<(i64, i64)> = choice::Entity::find()
        .select_only()
        .column(choice::Column::OptionId)
        .column_as(choice::Column::AnswerId.count(), "n")
        .filter(
            choice::Column::OptionId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(option::Column::Id)
                    .from(option::Entity)
                    .and_where(option::Column::QuestionId.eq(question_id))
                    .to_owned(),
            ),
        )
        .group_by(choice::Column::OptionId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(o, n)| (o, non_negative(n)))
        .collect())
}

pub async fn answer_count(db: &impl ConnectionTrait, question_id: i64) -> AppResult<u64> {
    Ok(answer::Entity::find()
        .filter(answer::Column::QuestionId.eq(question_id))
        .count(db)
        .await?)
}

/// An answer as submitted: options by row id, or text.
#[derive(Clone, Debug)]
pub struct NewAnswer {
    pub question_id: i64,
    pub option_ids: Vec<i64>,
    pub text: Option<String>,
    pub idempotency_key: Option<IdempotencyKey>,
}

/// Answers a question, once per account. Returns the stored answer once committed; a retry
/// with the same idempotency key returns the first answer.
pub async fn answer(
    db: &DatabaseConnection,
    gate: &crate::db::WriteGate,
    viewer: &Viewer,
    new: NewAnswer,
    rules: &ParticipationConfig,
) -> AppResult<answer::Model> {
    require_verified(viewer, rules)?;
    let existing = answer::Entity::find()
        .filter(answer::Column::QuestionId.eq(new.question_id))
        .filter(answer::Column::AccountId.eq(viewer.account_id))
        .one(db)
        .await?;
    if let Some(existing) = existing {
        return match (&new.idempotency_key, &existing.idempotency_key) {
            (Some(k), Some(e)) if k.as_str() == e => Ok(existing),
            _ => Err(AppError::Conflict(
                "you have already answered this question; answers are final".into(),
            )),
        };
    }
    let viewer = viewer.clone();
    let rules = rules.clone();
    let result = gate
        .writer(db)
        .transaction::<_, answer::Model, AppError>(|txn| {
            let new = new.clone();
            Box::pin(async move {
                let now = Utc::now();
                charge_daily_quota(txn, viewer.account_id, "answer", rules.comments_per_day * 10, now)
                    .await?;
                let q = get(txn, new.question_id)
                    .await?
                    .ok_or_else(|| AppError::not_found("question"))?;
                let c = open_consultation(txn, q.consultation_id, now).await?;
                let opts = options(txn, q.id).await?;
                let mut chosen = new.option_ids.clone();
                chosen.sort_unstable();
                chosen.dedup();
                if chosen.iter().any(|id| !opts.iter().any(|o| o.id == *id)) {
                    return Err(AppError::validation(
                        "options",
                        "an option given is not one of this question's options",
                    ));
                }
                let body = match q.kind {
                    QuestionKind::FreeText => {
                        if !chosen.is_empty() {
                            return Err(AppError::validation(
                                "options",
                                "a free-text question is answered with text, not options",
                            ));
                        }
                        let raw = new.text.as_deref().unwrap_or("");
                        Some(
                            CommentBody::parse(raw, rules.max_comment_chars)
                                .map_err(|e| AppError::validation("text", e.to_string()))?
                                .into_html(),
                        )
                    }
                    QuestionKind::Stance | QuestionKind::SingleChoice => {
                        if chosen.len() != 1 {
                            return Err(AppError::validation(
                                "options",
                                format!("choose exactly one option; got {}", chosen.len()),
                            ));
                        }
                        None
                    }
                    QuestionKind::MultipleChoice => {
                        if chosen.is_empty() {
                            return Err(AppError::validation(
                                "options",
                                "choose at least one option",
                            ));
                        }
                        None
                    }
                };
                if q.kind != QuestionKind::FreeText && new.text.as_deref().is_some_and(|t| !t.trim().is_empty()) {
                    return Err(AppError::validation(
                        "text",
                        "this question is answered by choosing options; comment on the section to explain",
                    ));
                }
                let a = answer::ActiveModel {
                    question_id: Set(q.id),
                    consultation_id: Set(c.id),
                    account_id: Set(viewer.account_id),
                    body: Set(body),
                    idempotency_key: Set(new.idempotency_key.as_ref().map(|k| k.as_str().to_owned())),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await
                .map_err(|e| match e.sql_err() {
                    Some(SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(
                        "you have already answered this question; answers are final".into(),
                    ),
                    _ => e.into(),
                })?;
                for option_id in chosen {
                    choice::ActiveModel {
                        answer_id: Set(a.id),
                        option_id: Set(option_id),
                    }
                    .insert(txn)
                    .await?;
                }
                Ok(a)
            })
        })
        .await;
    match result {
        Ok(a) => Ok(a),
        Err(sea_orm::TransactionError::Transaction(AppError::Conflict(msg))) => {
            // A concurrent retry with the same key won: return its answer.
            if let Some(k) = &new.idempotency_key
                && let Some(existing) = answer::Entity::find()
                    .filter(answer::Column::QuestionId.eq(new.question_id))
                    .filter(answer::Column::AccountId.eq(viewer.account_id))
                    .one(db)
                    .await?
                && existing.idempotency_key.as_deref() == Some(k.as_str())
            {
                return Ok(existing);
            }
            Err(AppError::Conflict(msg))
        }
        Err(e) => Err(e.into()),
    }
}

/// Option ids an answer chose.
pub async fn choices(db: &impl ConnectionTrait, answer_id: i64) -> AppResult<Vec<i64>> {
    Ok(choice::Entity::find()
        .filter(choice::Column::AnswerId.eq(answer_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.option_id)
        .collect())
}
