//! Reading and creating agencies. The only code that touches the `agencies` table.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use super::entity::{self, Column, Entity as Agencies, Model as Agency};
use crate::{
    error::{AppError, AppResult},
    graphql::relay::{Page, PageRequest},
};

/// What it takes to create an agency.
#[derive(Clone, Debug)]
pub struct NewAgency<'a> {
    pub slug: &'a str,
    pub name_th: &'a str,
    pub name_en: Option<&'a str>,
    pub parent_id: Option<i64>,
}

pub async fn create(db: &impl ConnectionTrait, new: NewAgency<'_>) -> AppResult<Agency> {
    let slug = crate::slug::parse(new.slug, "slug")?;
    if new.name_th.trim().is_empty() {
        return Err(AppError::validation(
            "nameTh",
            "an agency needs a Thai name",
        ));
    }
    if by_slug(db, &slug).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "an agency with slug `{slug}` already exists"
        )));
    }
    Ok(entity::ActiveModel {
        slug: Set(slug),
        name_th: Set(new.name_th.trim().to_owned()),
        name_en: Set(new.name_en.map(|s| s.trim().to_owned())),
        parent_id: Set(new.parent_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<Option<Agency>> {
    Ok(Agencies::find_by_id(id).one(db).await?)
}

pub async fn by_slug(db: &impl ConnectionTrait, slug: &str) -> AppResult<Option<Agency>> {
    Ok(Agencies::find()
        .filter(Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// Agencies in the order they were registered.
pub async fn list(db: &impl ConnectionTrait, page: PageRequest) -> AppResult<Page<Agency>> {
    let mut query = Agencies::find().order_by_asc(Column::Id);
    if let Some(after) = page.after {
        query = query.filter(Column::Id.gt(after));
    }
    let rows = query.limit(page.fetch_limit()).all(db).await?;
    Ok(Page::from_rows(rows, page))
}

pub async fn count(db: &impl ConnectionTrait) -> AppResult<u64> {
    Ok(Agencies::find().count(db).await?)
}

/// Every agency's slug, for error messages that list the valid choices.
pub async fn all_slugs(db: &impl ConnectionTrait) -> AppResult<Vec<String>> {
    Ok(Agencies::find()
        .order_by_asc(Column::Slug)
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.slug)
        .collect())
}
