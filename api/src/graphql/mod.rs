//! The GraphQL schema: the domains' queries merged, the `Node` interface, and the limits that
//! keep any query's cost bounded.

mod execute;
pub mod json;
pub mod relay;

pub use execute::{execute, execute_batch};

use std::sync::Arc;

use async_graphql::{
    Context, EmptyMutation, EmptySubscription, ID, Interface, MergedObject, Object, Schema,
};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::{
    agency::{
        graphql::{Agency, AgencyQuery},
        service as agencies,
    },
    config::{ApiLimits, PolicyConfig},
    consultation::{
        graphql::{Consultation, ConsultationQuery},
        service as consultations,
    },
    draft::{
        graphql::{Draft, DraftQuery, DraftVersion, Heading, Section},
        service::{self as drafts, TextCache},
    },
    error::GqlResultExt,
};

/// What every resolver may use, attached to the schema once.
pub struct AppContext {
    pub db: DatabaseConnection,
    pub texts: Arc<TextCache>,
    pub policy: PolicyConfig,
}

impl AppContext {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

pub fn app<'a>(ctx: &Context<'a>) -> &'a AppContext {
    ctx.data_unchecked::<AppContext>()
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
        })
    }
}

#[derive(MergedObject, Default)]
pub struct QueryRoot(NodeQuery, AgencyQuery, DraftQuery, ConsultationQuery);

pub type AppSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

pub fn build_schema(context: AppContext, limits: &ApiLimits) -> AppSchema {
    Schema::build(QueryRoot::default(), EmptyMutation, EmptySubscription)
        .data(context)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .finish()
}

/// The schema's SDL, as committed in `api/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(QueryRoot::default(), EmptyMutation, EmptySubscription)
        .finish()
        .sdl()
}
