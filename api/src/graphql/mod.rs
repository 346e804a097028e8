//! The GraphQL schema: the domains' queries merged, the `Node` interface, and the limits that
//! keep any query's cost bounded.

mod execute;
pub mod json;
pub mod relay;

pub use execute::{execute, execute_batch};

use std::sync::Arc;

use async_graphql::{Context, EmptySubscription, ID, Interface, MergedObject, Object, Schema};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::{
    account::{
        RequestMeta,
        graphql::{AccountLoader, AccountMutation, AccountQuery},
    },
    agency::{
        graphql::{Agency, AgencyQuery},
        service as agencies,
    },
    comment::graphql::{Comment, CommentMutation, CommentQuery, SectionStatsLoader},
    config::{ApiLimits, ParticipationConfig, PolicyConfig},
    consultation::{
        graphql::{Consultation, ConsultationMutation, ConsultationQuery},
        service as consultations,
    },
    draft::{
        graphql::{Draft, DraftMutation, DraftQuery, DraftVersion, Heading, Section},
        service::{self as drafts, TextCache},
    },
    error::{AppError, AppResult, GqlResultExt},
    mailer::Mailer,
    question::graphql::{Question, QuestionMutation, SectionQuestionsLoader},
    ratelimit::{LimitedAction, RateLimiter},
};

/// What every resolver may use, attached to the schema once.
pub struct AppContext {
    pub db: DatabaseConnection,
    pub texts: Arc<TextCache>,
    pub policy: PolicyConfig,
    pub participation: ParticipationConfig,
    pub limiter: Arc<RateLimiter>,
    pub mailer: Arc<Mailer>,
    /// Where users reach the site, for links in mail.
    pub public_url: String,
    /// Queues the hot writes on SQLite (see `db::WriteGate`).
    pub write_gate: Arc<crate::db::WriteGate>,
    /// SQLite's group-committing comment writer; none on PostgreSQL.
    pub comment_writer: Option<crate::comment::writer::CommentWriter>,
    /// Immutable facts the hot write path would otherwise re-read.
    pub facts: Arc<crate::facts::Facts>,
    pub search: Arc<crate::search::Search>,
}

impl AppContext {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// Whether the session cookie is marked `Secure` (the site is served over https).
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

pub fn app<'a>(ctx: &Context<'a>) -> &'a AppContext {
    ctx.data_unchecked::<AppContext>()
}

/// Requests run in process (the site's own pages) carry no request data: anonymous, local.
static IN_PROCESS: RequestMeta = RequestMeta {
    client: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
    viewer: None,
};

/// Who is asking and from where.
pub fn meta<'a>(ctx: &Context<'a>) -> &'a RequestMeta {
    ctx.data_opt::<RequestMeta>().unwrap_or(&IN_PROCESS)
}

/// One value through a server-wide batch loader (see `build_schema`).
pub async fn load<L, K>(ctx: &Context<'_>, key: K) -> AppResult<Option<L::Value>>
where
    L: async_graphql::dataloader::Loader<K, Error = Arc<String>>,
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
{
    ctx.data_unchecked::<async_graphql::dataloader::DataLoader<L>>()
        .load_one(key)
        .await
        .map_err(|e| AppError::internal(e.to_string()))
}

/// Counts one `action` against the client's address and account; `RATE_LIMITED` when over.
pub fn rate_limit(ctx: &Context<'_>, action: LimitedAction) -> AppResult<()> {
    app(ctx)
        .limiter
        .check(action, &meta(ctx).limit_keys(), 1)
        .map_err(|retry_after| AppError::RateLimited { retry_after })
}

/// Anything with a global ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Agency(Agency),
    Draft(Draft),
    DraftVersion(DraftVersion),
    Heading(Heading),
    Section(Section),
    Consultation(Consultation),
    Comment(Comment),
    Question(Question),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global ID.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        use relay::NodeType as T;
        let (kind, row) = relay::decode_global_id(&id, "id").gql()?;
        let db = &app(ctx).db;
        Ok(match kind {
            T::Agency => agencies::get(db, row)
                .await
                .gql()?
                .map(|m| Node::Agency(Agency(m))),
            T::Draft => drafts::get(db, row)
                .await
                .gql()?
                .map(|m| Node::Draft(Draft(m))),
            T::DraftVersion => drafts::version(db, row)
                .await
                .gql()?
                .map(|m| Node::DraftVersion(DraftVersion(m))),
            T::Heading => Heading::load(ctx, row).await?.map(Node::Heading),
            T::Section => Section::load(ctx, row).await?.map(Node::Section),
            T::Consultation => consultations::get(db, row)
                .await
                .gql()?
                .map(|m| Node::Consultation(Consultation(m))),
            T::Comment => Comment::load(ctx, row).await?.map(Node::Comment),
            T::Question => Question::load(ctx, row).await?.map(Node::Question),
            // Not public objects.
            T::QuestionOption | T::Account | T::ApiKey => None,
        })
    }
}

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    NodeQuery,
    AgencyQuery,
    DraftQuery,
    ConsultationQuery,
    AccountQuery,
    CommentQuery,
    crate::search::graphql::SearchQuery,
);

/// Every write. Each resolver is thin: parse, check the viewer, call one service.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    AccountMutation,
    DraftMutation,
    ConsultationMutation,
    CommentMutation,
    QuestionMutation,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

pub fn build_schema(context: AppContext, limits: &ApiLimits) -> AppSchema {
    // Loaders for the whole server: concurrent lookups batch into one query; no cache, so
    // nothing read is ever stale.
    use async_graphql::dataloader::DataLoader;
    let accounts = DataLoader::new(AccountLoader(context.db.clone()), tokio::spawn);
    let section_stats = DataLoader::new(SectionStatsLoader(context.db.clone()), tokio::spawn);
    let section_questions =
        DataLoader::new(SectionQuestionsLoader(context.db.clone()), tokio::spawn);
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .data(context)
    .data(accounts)
    .data(section_stats)
    .data(section_questions)
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .finish()
}

/// The schema's SDL, as committed in `api/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .finish()
    .sdl()
}
