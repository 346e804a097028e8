//! The search outbox: every change that affects search writes a row here in the same transaction
//! as the change; the indexer drains it into the search engine. `search_state` keeps the
//! indexer's watermark for consultations that open or close with the passing of time.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SearchOutbox {
    Table,
    Id,
    /// `draft` (the draft and the sections of its current version) or `comment`.
    Entity,
    EntityId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SearchState {
    Table,
    Name,
    Value,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SearchOutbox::Table)
                    .col(big_pk_auto(SearchOutbox::Id))
                    .col(string_len(SearchOutbox::Entity, 16))
                    .col(big_integer(SearchOutbox::EntityId))
                    .col(timestamp_with_time_zone(SearchOutbox::CreatedAt))
                    .check(Expr::col(SearchOutbox::Entity).is_in(["draft", "comment"]))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SearchState::Table)
                    .col(string_len(SearchState::Name, 64).primary_key())
                    .col(string(SearchState::Value))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SearchState::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SearchOutbox::Table).to_owned())
            .await
    }
}
