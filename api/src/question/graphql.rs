//! GraphQL of questions: the `Question` type with its options and answer counts, and the
//! mutations to ask and to answer.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::{
    QuestionKind,
    entity::question,
    service::{self, NewAnswer, NewQuestion},
};
use crate::{
    comment::service::IdempotencyKey,
    error::{AppError, GqlResultExt},
    graphql::{
        app, meta, rate_limit,
        relay::{self, NodeType},
    },
    ratelimit::LimitedAction,
};

/// A question the agency asks, on the draft or on one section.
pub struct Question(pub question::Model);

impl Question {
    pub async fn load(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<Question>> {
        Ok(service::get(&app(ctx).db, id).await.gql()?.map(Question))
    }
}

#[derive(SimpleObject)]
pub struct QuestionOption {
    id: ID,
    label: String,
    /// Answers that chose it, counted in SQL.
    answers: u64,
}

#[Object]
impl Question {
    pub async fn id(&self) -> ID {
        relay::global_id(NodeType::Question, self.0.id)
    }

    async fn kind(&self) -> QuestionKind {
        self.0.kind
    }

    async fn prompt(&self) -> &str {
        &self.0.prompt
    }

    /// 1-based order in the consultation.
    async fn position(&self) -> i32 {
        self.0.position
    }

    async fn section_id(&self) -> Option<ID> {
        self.0
            .section_id
            .map(|s| relay::global_id(NodeType::Section, s))
    }

    /// The options with how many answers chose each (empty for free text).
    async fn options(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<QuestionOption>> {
        let db = &app(ctx).db;
        let counts = service::option_counts(db, self.0.id).await.gql()?;
        Ok(service::options(db, self.0.id)
            .await
            .gql()?
            .into_iter()
            .map(|o| QuestionOption {
                id: relay::global_id(NodeType::QuestionOption, o.id),
                answers: counts
                    .iter()
                    .find(|(id, _)| *id == o.id)
                    .map_or(0, |(_, n)| *n),
                label: o.label,
            })
            .collect())
    }

    /// How many accounts answered.
    async fn answer_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        service::answer_count(&app(ctx).db, self.0.id).await.gql()
    }
}

/// Batches `Section.questions` of one request into one query.
pub struct SectionQuestionsLoader(pub sea_orm::DatabaseConnection);

impl async_graphql::dataloader::Loader<i64> for SectionQuestionsLoader {
    type Value = Vec<question::Model>;
    type Error = std::sync::Arc<String>;

    async fn load(
        &self,
        keys: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<question::Model>>, Self::Error> {
        let rows = service::for_sections(&self.0, keys)
            .await
            .map_err(|e| std::sync::Arc::new(e.to_string()))?;
        let mut out: std::collections::HashMap<i64, Vec<question::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for q in rows {
            if let Some(list) = q.section_id.and_then(|s| out.get_mut(&s)) {
                list.push(q);
            }
        }
        Ok(out)
    }
}

/// The questions on one section, batched with the other sections of the request.
pub async fn section_questions(
    ctx: &Context<'_>,
    section_id: i64,
) -> async_graphql::Result<Vec<Question>> {
    Ok(
        crate::graphql::load::<SectionQuestionsLoader, _>(ctx, section_id)
            .await
            .gql()?
            .unwrap_or_default()
            .into_iter()
            .map(Question)
            .collect(),
    )
}

/// The questions of a consultation, filtered by section if asked.
pub async fn questions(
    ctx: &Context<'_>,
    consultation_id: Option<i64>,
    section: Option<Option<i64>>,
) -> async_graphql::Result<Vec<Question>> {
    Ok(service::list(&app(ctx).db, consultation_id, section)
        .await
        .gql()?
        .into_iter()
        .map(Question)
        .collect())
}

#[derive(InputObject)]
pub struct AskQuestionInput {
    consultation_id: ID,
    /// Omit for a question on the draft as a whole.
    section_id: Option<ID>,
    kind: QuestionKind,
    prompt: String,
    /// For SINGLE_CHOICE and MULTIPLE_CHOICE: 2 to 20 labels.
    #[graphql(default)]
    options: Vec<String>,
}

#[derive(InputObject)]
pub struct AnswerQuestionInput {
    question_id: ID,
    /// Chosen options (one for STANCE and SINGLE_CHOICE).
    #[graphql(default)]
    option_ids: Vec<ID>,
    /// The answer to a FREE_TEXT question.
    text: Option<String>,
    idempotency_key: Option<String>,
}

#[derive(SimpleObject)]
pub struct AnswerReceipt {
    question: Question,
    /// Option IDs chosen.
    option_ids: Vec<ID>,
    /// The sanitised text of a free-text answer.
    text: Option<String>,
}

#[derive(Default)]
pub struct QuestionMutation;

#[Object]
impl QuestionMutation {
    /// Attaches a question to a consultation (or one of its sections). Staff of the lead agency
    /// only, until the consultation closes.
    async fn ask_question(
        &self,
        ctx: &Context<'_>,
        input: AskQuestionInput,
    ) -> async_graphql::Result<Question> {
        async {
            let viewer = meta(ctx).writer()?;
            let new = NewQuestion {
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
                kind: input.kind,
                prompt: input.prompt,
                options: input.options,
            };
            service::ask(&app(ctx).db, &app(ctx).facts, viewer, new)
                .await
                .map(Question)
        }
        .await
        .gql()
    }

    /// Answers a question while the consultation is open; once per account, final.
    async fn answer_question(
        &self,
        ctx: &Context<'_>,
        input: AnswerQuestionInput,
    ) -> async_graphql::Result<AnswerReceipt> {
        async {
            let viewer = meta(ctx).writer()?;
            rate_limit(ctx, LimitedAction::Answer)?;
            let app = app(ctx);
            let question_id =
                relay::decode_typed_id(&input.question_id, NodeType::Question, "questionId")?;
            let option_ids = input
                .option_ids
                .iter()
                .map(|o| relay::decode_typed_id(o, NodeType::QuestionOption, "optionIds"))
                .collect::<Result<Vec<_>, _>>()?;
            let new = NewAnswer {
                question_id,
                option_ids,
                text: input.text,
                idempotency_key: input
                    .idempotency_key
                    .as_deref()
                    .map(IdempotencyKey::parse)
                    .transpose()?,
            };
            let answer =
                service::answer(&app.db, &app.write_gate, viewer, new, &app.participation).await?;
            let question = service::get(&app.db, answer.question_id)
                .await?
                .ok_or_else(|| AppError::not_found("question"))?;
            let chosen = service::choices(&app.db, answer.id).await?;
            Ok(AnswerReceipt {
                question: Question(question),
                option_ids: chosen
                    .into_iter()
                    .map(|o| relay::global_id(NodeType::QuestionOption, o))
                    .collect(),
                text: answer.body,
            })
        }
        .await
        .gql()
    }
}
