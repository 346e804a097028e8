//! GraphQL types and queries of agencies.

use async_graphql::{Context, ID, Object};

use super::{entity::Model, service};
use crate::{
    draft::{graphql::Draft, service::DraftFilter},
    error::GqlResultExt,
    graphql::{
        app,
        relay::{self, Conn, NodeType, PageRequest, TotalCount, connection_cost},
    },
};

/// A state agency (หน่วยงานของรัฐ): drafts laws and holds consultations.
pub struct Agency(pub Model);

#[Object]
impl Agency {
    pub async fn id(&self) -> ID {
        relay::global_id(NodeType::Agency, self.0.id)
    }

    /// Short stable name used in URLs and filters, e.g. `otp`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Name in Thai.
    async fn name_th(&self) -> &str {
        &self.0.name_th
    }

    /// Name in English, when the agency has one.
    async fn name_en(&self) -> Option<&str> {
        self.0.name_en.as_deref()
    }

    /// The parent ministry (กระทรวง), if any.
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Agency>> {
        let Some(parent) = self.0.parent_id else {
            return Ok(None);
        };
        Ok(service::get(&app(ctx).db, parent).await.gql()?.map(Agency))
    }

    /// Drafts this agency leads, newest first.
    #[graphql(complexity = "connection_cost(first, child_complexity)")]
    async fn drafts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Draft>> {
        let filter = DraftFilter {
            agency_id: Some(self.0.id),
            ..Default::default()
        };
        crate::draft::graphql::draft_connection(ctx, filter, first, after).await
    }
}

#[derive(Default)]
pub struct AgencyQuery;

#[Object]
impl AgencyQuery {
    /// Every agency, in the order they were registered.
    #[graphql(complexity = "connection_cost(first, child_complexity)")]
    async fn agencies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Agency>> {
        let page = PageRequest::new(first, after.as_deref()).gql()?;
        let rows = service::list(&app(ctx).db, page).await.gql()?;
        let total = TotalCount::new(|db| async move { service::count(&db).await });
        Ok(relay::connection(rows, total, |a| a.id, Agency))
    }

    /// One agency, by `id` or by `slug`.
    async fn agency(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> async_graphql::Result<Option<Agency>> {
        let db = &app(ctx).db;
        let found = match (id, slug) {
            (Some(id), None) => {
                let row = relay::decode_typed_id(&id, NodeType::Agency, "id").gql()?;
                service::get(db, row).await
            }
            (None, Some(slug)) => service::by_slug(db, &slug).await,
            _ => Err(crate::error::AppError::validation(
                "id",
                "give exactly one of `id` and `slug`",
            )),
        };
        Ok(found.gql()?.map(Agency))
    }
}
