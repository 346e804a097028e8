//! Accounts (ผู้ใช้), their sessions, researchers' API keys and the one-time e-mail tokens.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_create_agencies::Agencies;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Accounts {
    Table,
    Id,
    Email,
    EmailVerifiedAt,
    PasswordHash,
    DisplayName,
    Pseudonym,
    ShowPseudonym,
    RespondentCategory,
    Province,
    ConsentVersion,
    ConsentAt,
    Role,
    AgencyId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    AccountId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    AccountId,
    Name,
    Prefix,
    KeyHash,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum EmailTokens {
    Table,
    Id,
    AccountId,
    Purpose,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

const CATEGORIES: [&str; 5] = [
    "individual",
    "business",
    "civil_society",
    "state_agency",
    "academic",
];
const ROLES: [&str; 4] = ["citizen", "agency_staff", "agency_admin", "platform_admin"];

fn account_fk(name: &str, table: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, Alias::new("account_id"))
        .to(Accounts::Table, Accounts::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Accounts::Table)
                    .col(big_pk_auto(Accounts::Id))
                    // Stored lower-cased; never published, never exported.
                    .col(string_len_uniq(Accounts::Email, 254))
                    .col(timestamp_with_time_zone_null(Accounts::EmailVerifiedAt))
                    .col(string_len(Accounts::PasswordHash, 255))
                    .col(string_len(Accounts::DisplayName, 100))
                    // Stable for the account's life: what the public sees when the author
                    // prefers not to show a name.
                    .col(string_len_uniq(Accounts::Pseudonym, 64))
                    .col(boolean(Accounts::ShowPseudonym).default(false))
                    .col(
                        string_len(Accounts::RespondentCategory, 32)
                            .check(Expr::col(Accounts::RespondentCategory).is_in(CATEGORIES)),
                    )
                    .col(string_len_null(Accounts::Province, 64))
                    .col(string_len(Accounts::ConsentVersion, 32))
                    .col(timestamp_with_time_zone(Accounts::ConsentAt))
                    .col(
                        string_len(Accounts::Role, 32)
                            .default("citizen")
                            .check(Expr::col(Accounts::Role).is_in(ROLES)),
                    )
                    .col(big_integer_null(Accounts::AgencyId))
                    .col(timestamp_with_time_zone(Accounts::CreatedAt))
                    // Agency roles are bound to an agency; the others to none.
                    .check(
                        Expr::col(Accounts::Role)
                            .is_in(["agency_staff", "agency_admin"])
                            .eq(Expr::col(Accounts::AgencyId).is_not_null()),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_accounts_agency")
                            .from(Accounts::Table, Accounts::AgencyId)
                            .to(Agencies::Table, Agencies::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(big_pk_auto(Sessions::Id))
                    .col(big_integer(Sessions::AccountId))
                    // SHA-256 of the token: a leaked table does not hand out sessions.
                    .col(string_len_uniq(Sessions::TokenHash, 64))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .foreign_key(&mut account_fk("fk_sessions_account", Sessions::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(big_pk_auto(ApiKeys::Id))
                    .col(big_integer(ApiKeys::AccountId))
                    .col(string_len(ApiKeys::Name, 100))
                    // The first characters, shown in lists so the owner can tell keys apart.
                    .col(string_len(ApiKeys::Prefix, 16))
                    .col(string_len_uniq(ApiKeys::KeyHash, 64))
                    .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                    .foreign_key(&mut account_fk("fk_api_keys_account", ApiKeys::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EmailTokens::Table)
                    .col(big_pk_auto(EmailTokens::Id))
                    .col(big_integer(EmailTokens::AccountId))
                    .col(
                        string_len(EmailTokens::Purpose, 16)
                            .check(Expr::col(EmailTokens::Purpose).is_in(["verify", "reset"])),
                    )
                    .col(string_len_uniq(EmailTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(EmailTokens::CreatedAt))
                    .col(timestamp_with_time_zone(EmailTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(EmailTokens::UsedAt))
                    .foreign_key(&mut account_fk(
                        "fk_email_tokens_account",
                        EmailTokens::Table,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, table, col) in [
            (
                "idx_sessions_account",
                Sessions::Table.into_iden(),
                Sessions::AccountId.into_iden(),
            ),
            (
                "idx_api_keys_account",
                ApiKeys::Table.into_iden(),
                ApiKeys::AccountId.into_iden(),
            ),
            (
                "idx_accounts_agency",
                Accounts::Table.into_iden(),
                Accounts::AgencyId.into_iden(),
            ),
        ] {
            manager
                .create_index(Index::create().name(name).table(table).col(col).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            EmailTokens::Table.into_iden(),
            ApiKeys::Table.into_iden(),
            Sessions::Table.into_iden(),
            Accounts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
