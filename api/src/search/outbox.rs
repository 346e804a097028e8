//! The outbox: a row per change that affects search, written in the transaction of the change
//! itself, so a committed change is never missed and a search outage never blocks or fails a
//! write. The indexer reads rows oldest first and deletes them once the engine has applied them.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::OnConflict,
};

use crate::error::AppResult;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "search_outbox")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub entity: String,
        pub entity_id: i64,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod state {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "search_state")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub name: String,
        pub value: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// What changed. A draft stands for itself and the sections of its current version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    Draft(i64),
    Comment(i64),
}

impl Subject {
    fn parts(self) -> (&'static str, i64) {
        match self {
            Subject::Draft(id) => ("draft", id),
            Subject::Comment(id) => ("comment", id),
        }
    }

    fn from_row(row: &entity::Model) -> Option<Subject> {
        match row.entity.as_str() {
            "draft" => Some(Subject::Draft(row.entity_id)),
            "comment" => Some(Subject::Comment(row.entity_id)),
            _ => None,
        }
    }
}

/// Records changes; call inside the transaction that makes them.
pub async fn enqueue(db: &impl ConnectionTrait, subjects: &[Subject]) -> AppResult<()> {
    if subjects.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    for chunk in subjects.chunks(1000) {
        let rows = chunk.iter().map(|s| {
            let (entity, id) = s.parts();
            entity::ActiveModel {
                entity: Set(entity.to_owned()),
                entity_id: Set(id),
                created_at: Set(now),
                ..Default::default()
            }
        });
        entity::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// The oldest pending rows: their ids and the distinct subjects they name.
pub async fn next_batch(
    db: &impl ConnectionTrait,
    limit: u64,
) -> AppResult<(Vec<i64>, Vec<Subject>)> {
    let rows = entity::Entity::find()
        .order_by_asc(entity::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let ids = rows.iter().map(|r| r.id).collect();
    let mut subjects: Vec<Subject> = rows.iter().filter_map(Subject::from_row).collect();
    subjects.sort_unstable();
    subjects.dedup();
    Ok((ids, subjects))
}

pub async fn remove(db: &impl ConnectionTrait, ids: &[i64]) -> AppResult<()> {
    for chunk in ids.chunks(1000) {
        entity::Entity::delete_many()
            .filter(entity::Column::Id.is_in(chunk.to_vec()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Rows up to `through` (a rebuild covers them).
pub async fn remove_through(db: &impl ConnectionTrait, through: i64) -> AppResult<()> {
    entity::Entity::delete_many()
        .filter(entity::Column::Id.lte(through))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn last_id(db: &impl ConnectionTrait) -> AppResult<i64> {
    Ok(entity::Entity::find()
        .order_by_desc(entity::Column::Id)
        .one(db)
        .await?
        .map_or(0, |r| r.id))
}

/// Rows waiting, and the age of the oldest.
pub async fn backlog(db: &impl ConnectionTrait) -> AppResult<(u64, Option<DateTime<Utc>>)> {
    let count = entity::Entity::find().count(db).await?;
    let oldest = entity::Entity::find()
        .order_by_asc(entity::Column::Id)
        .one(db)
        .await?
        .map(|r| r.created_at);
    Ok((count, oldest))
}

pub async fn get_state(db: &impl ConnectionTrait, name: &str) -> AppResult<Option<String>> {
    Ok(state::Entity::find_by_id(name.to_owned())
        .one(db)
        .await?
        .map(|s| s.value))
}

pub async fn set_state(db: &impl ConnectionTrait, name: &str, value: &str) -> AppResult<()> {
    state::Entity::insert(state::ActiveModel {
        name: Set(name.to_owned()),
        value: Set(value.to_owned()),
    })
    .on_conflict(
        OnConflict::column(state::Column::Name)
            .update_column(state::Column::Value)
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}
