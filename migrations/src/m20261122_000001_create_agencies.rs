//! Agencies (หน่วยงาน): the state bodies that draft laws and hold consultations.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Agencies {
    Table,
    Id,
    Slug,
    NameTh,
    NameEn,
    ParentId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Agencies::Table)
                    .col(big_pk_auto(Agencies::Id))
                    .col(string_len_uniq(Agencies::Slug, 100))
                    .col(text(Agencies::NameTh))
                    .col(text_null(Agencies::NameEn))
                    // The parent ministry (กระทรวง); a ministry itself has none.
                    .col(big_integer_null(Agencies::ParentId))
                    .col(timestamp_with_time_zone(Agencies::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_agencies_parent")
                            .from(Agencies::Table, Agencies::ParentId)
                            .to(Agencies::Table, Agencies::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Agencies::Table).to_owned())
            .await
    }
}
