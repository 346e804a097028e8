//! Follows: an account that wants to hear when a draft, or any draft of an agency, opens for
//! comment (the notice to stakeholders of the Act's sections 14-15).

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261122_000001_create_agencies::Agencies, m20261122_000002_create_drafts::Drafts,
    m20261122_000004_create_accounts::Accounts,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Follows {
    Table,
    Id,
    AccountId,
    AgencyId,
    DraftId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Follows::Table)
                    .col(big_pk_auto(Follows::Id))
                    .col(big_integer(Follows::AccountId))
                    .col(big_integer_null(Follows::AgencyId))
                    .col(big_integer_null(Follows::DraftId))
                    .col(timestamp_with_time_zone(Follows::CreatedAt))
                    // Exactly one of the two.
                    .check(
                        Expr::col(Follows::AgencyId)
                            .is_null()
                            .ne(Expr::col(Follows::DraftId).is_null()),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_follows_account")
                            .from(Follows::Table, Follows::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_follows_agency")
                            .from(Follows::Table, Follows::AgencyId)
                            .to(Agencies::Table, Agencies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_follows_draft")
                            .from(Follows::Table, Follows::DraftId)
                            .to(Drafts::Table, Drafts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("uq_follows_account_agency", Follows::AgencyId),
            ("uq_follows_account_draft", Follows::DraftId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Follows::Table)
                        .col(Follows::AccountId)
                        .col(col)
                        .unique()
                        .to_owned(),
                )
                .await?;
        }
        for (name, col) in [
            ("idx_follows_agency", Follows::AgencyId),
            ("idx_follows_draft", Follows::DraftId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Follows::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Follows::Table).to_owned())
            .await
    }
}
