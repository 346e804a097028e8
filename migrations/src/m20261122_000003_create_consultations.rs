//! Consultations (การรับฟังความคิดเห็น): a period during which the public comments on a draft.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000002_create_drafts::{DraftVersions, Drafts};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Consultations {
    Table,
    Id,
    DraftId,
    VersionId,
    Kind,
    FirstDay,
    LastDay,
    OpensAt,
    ClosesAt,
    PolicyFloorDays,
    ShorterThanPolicyReason,
    CreatedAt,
}

const KINDS: [&str; 4] = ["principles", "draft", "subordinate_rule", "evaluation"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Consultations::Table)
                    .col(big_pk_auto(Consultations::Id))
                    .col(big_integer(Consultations::DraftId))
                    .col(big_integer_null(Consultations::VersionId))
                    .col(
                        string_len(Consultations::Kind, 32)
                            .check(Expr::col(Consultations::Kind).is_in(KINDS)),
                    )
                    // The announced dates, Asia/Bangkok, inclusive.
                    .col(date(Consultations::FirstDay))
                    .col(date(Consultations::LastDay))
                    // The same period as instants: opens at the start of the first day and
                    // closes at the end of the last day, Bangkok time.
                    .col(timestamp_with_time_zone(Consultations::OpensAt))
                    .col(timestamp_with_time_zone(Consultations::ClosesAt))
                    // The policy floor in force when it was opened, so a later change of policy
                    // never rewrites whether this one was short.
                    .col(integer(Consultations::PolicyFloorDays))
                    .col(text_null(Consultations::ShorterThanPolicyReason))
                    .col(timestamp_with_time_zone(Consultations::CreatedAt))
                    .check(Expr::col(Consultations::ClosesAt).gt(Expr::col(Consultations::OpensAt)))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_consultations_draft")
                            .from(Consultations::Table, Consultations::DraftId)
                            .to(Drafts::Table, Drafts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_consultations_version")
                            .from(Consultations::Table, Consultations::VersionId)
                            .to(DraftVersions::Table, DraftVersions::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_consultations_draft")
                    .table(Consultations::Table)
                    .col(Consultations::DraftId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_consultations_closes_at")
                    .table(Consultations::Table)
                    .col(Consultations::ClosesAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Consultations::Table).to_owned())
            .await
    }
}
