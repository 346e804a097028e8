//! Instruments and their drafts: the draft, its published versions, and each version's headings
//! and sections (มาตรา).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_create_agencies::Agencies;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Drafts {
    Table,
    Id,
    Slug,
    Kind,
    TitleTh,
    TitleEn,
    LeadAgencyId,
    Rationale,
    Status,
    SecurityExempt,
    SecurityExemptReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum DraftVersions {
    Table,
    Id,
    DraftId,
    Number,
    TitleTh,
    ProvisionUnit,
    Preamble,
    ChangeNote,
    PublishedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Headings {
    Table,
    Id,
    VersionId,
    Position,
    Level,
    Number,
    Title,
    ParentId,
}

#[derive(DeriveIden)]
pub(crate) enum Sections {
    Table,
    Id,
    VersionId,
    Position,
    Label,
    SectionKey,
    SortKey,
    HeadingId,
    Body,
}

const KINDS: [&str; 7] = [
    "act",
    "emergency_decree",
    "royal_decree",
    "ministerial_regulation",
    "other_rule",
    "constitution",
    "code",
];
const STATUSES: [&str; 8] = [
    "drafting",
    "in_consultation",
    "under_review",
    "in_legislature",
    "enacted",
    "in_force",
    "repealed",
    "withdrawn",
];
const HEADING_LEVELS: [&str; 6] = ["book", "part", "title", "chapter", "division", "unnumbered"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Drafts::Table)
                    .col(big_pk_auto(Drafts::Id))
                    .col(string_len_uniq(Drafts::Slug, 120))
                    .col(string_len(Drafts::Kind, 32).check(Expr::col(Drafts::Kind).is_in(KINDS)))
                    .col(text(Drafts::TitleTh))
                    .col(text_null(Drafts::TitleEn))
                    .col(big_integer(Drafts::LeadAgencyId))
                    .col(text_null(Drafts::Rationale))
                    .col(
                        string_len(Drafts::Status, 32)
                            .check(Expr::col(Drafts::Status).is_in(STATUSES)),
                    )
                    .col(boolean(Drafts::SecurityExempt).default(false))
                    .col(text_null(Drafts::SecurityExemptReason))
                    .col(timestamp_with_time_zone(Drafts::CreatedAt))
                    .col(timestamp_with_time_zone(Drafts::UpdatedAt))
                    // The Act allows the exemption only with a recorded reason.
                    .check(
                        Expr::col(Drafts::SecurityExempt)
                            .eq(false)
                            .or(Expr::col(Drafts::SecurityExemptReason).is_not_null()),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_drafts_lead_agency")
                            .from(Drafts::Table, Drafts::LeadAgencyId)
                            .to(Agencies::Table, Agencies::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_drafts_lead_agency")
                    .table(Drafts::Table)
                    .col(Drafts::LeadAgencyId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DraftVersions::Table)
                    .col(big_pk_auto(DraftVersions::Id))
                    .col(big_integer(DraftVersions::DraftId))
                    .col(
                        integer(DraftVersions::Number)
                            .check(Expr::col(DraftVersions::Number).gt(0)),
                    )
                    .col(text(DraftVersions::TitleTh))
                    // What its provisions are called: มาตรา in Acts, ข้อ in regulations.
                    .col(string_len(DraftVersions::ProvisionUnit, 16).check(
                        Expr::col(DraftVersions::ProvisionUnit).is_in(["section", "clause"]),
                    ))
                    .col(text(DraftVersions::Preamble))
                    .col(text_null(DraftVersions::ChangeNote))
                    .col(timestamp_with_time_zone_null(DraftVersions::PublishedAt))
                    .col(timestamp_with_time_zone(DraftVersions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_draft_versions_draft")
                            .from(DraftVersions::Table, DraftVersions::DraftId)
                            .to(Drafts::Table, Drafts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_draft_versions_number")
                    .table(DraftVersions::Table)
                    .col(DraftVersions::DraftId)
                    .col(DraftVersions::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Headings::Table)
                    .col(big_pk_auto(Headings::Id))
                    .col(big_integer(Headings::VersionId))
                    .col(integer(Headings::Position))
                    .col(
                        string_len(Headings::Level, 16)
                            .check(Expr::col(Headings::Level).is_in(HEADING_LEVELS)),
                    )
                    .col(string_len_null(Headings::Number, 32))
                    .col(text(Headings::Title))
                    .col(big_integer_null(Headings::ParentId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_headings_version")
                            .from(Headings::Table, Headings::VersionId)
                            .to(DraftVersions::Table, DraftVersions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_headings_parent")
                            .from(Headings::Table, Headings::ParentId)
                            .to(Headings::Table, Headings::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_headings_position")
                    .table(Headings::Table)
                    .col(Headings::VersionId)
                    .col(Headings::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sections::Table)
                    .col(big_pk_auto(Sections::Id))
                    .col(big_integer(Sections::VersionId))
                    .col(integer(Sections::Position))
                    // As written, Thai digits kept: "๑๕/๑", "๓ ทวิ".
                    .col(string_len(Sections::Label, 64))
                    // Stable across versions of one draft while the number is unchanged: "15/1".
                    .col(string_len(Sections::SectionKey, 64))
                    .col(string_len(Sections::SortKey, 64))
                    .col(big_integer_null(Sections::HeadingId))
                    .col(text(Sections::Body))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sections_version")
                            .from(Sections::Table, Sections::VersionId)
                            .to(DraftVersions::Table, DraftVersions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sections_heading")
                            .from(Sections::Table, Sections::HeadingId)
                            .to(Headings::Table, Headings::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_sections_position")
                    .table(Sections::Table)
                    .col(Sections::VersionId)
                    .col(Sections::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_sections_key")
                    .table(Sections::Table)
                    .col(Sections::VersionId)
                    .col(Sections::SectionKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Sections::Table.into_iden(),
            Headings::Table.into_iden(),
            DraftVersions::Table.into_iden(),
            Drafts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
