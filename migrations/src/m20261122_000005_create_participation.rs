//! Participation: changes to a consultation's period, questions and answers, section comments
//! with their revisions, flags and the public moderation log, and per-account daily quotas.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261122_000002_create_drafts::Sections, m20261122_000003_create_consultations::Consultations,
    m20261122_000004_create_accounts::Accounts,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ConsultationChanges {
    Table,
    Id,
    ConsultationId,
    Kind,
    Reason,
    PreviousLastDay,
    PreviousClosesAt,
    NewLastDay,
    NewClosesAt,
    ActorId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Questions {
    Table,
    Id,
    ConsultationId,
    SectionId,
    Position,
    Kind,
    Prompt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum QuestionOptions {
    Table,
    Id,
    QuestionId,
    Position,
    Label,
}

#[derive(DeriveIden)]
enum Answers {
    Table,
    Id,
    QuestionId,
    ConsultationId,
    AccountId,
    Body,
    IdempotencyKey,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AnswerChoices {
    Table,
    AnswerId,
    OptionId,
}

#[derive(DeriveIden)]
enum Comments {
    Table,
    Id,
    ConsultationId,
    SectionId,
    ParentId,
    Depth,
    AuthorId,
    Body,
    Stance,
    OfficialAgencyId,
    CreatedAt,
    EditedAt,
    WithdrawnAt,
    HiddenAt,
    HiddenReason,
    IdempotencyKey,
}

#[derive(DeriveIden)]
enum CommentRevisions {
    Table,
    Id,
    CommentId,
    Body,
    Stance,
    WrittenAt,
    ReplacedAt,
}

#[derive(DeriveIden)]
enum CommentFlags {
    Table,
    Id,
    CommentId,
    AccountId,
    Reason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ModerationActions {
    Table,
    Id,
    CommentId,
    ConsultationId,
    ModeratorId,
    Action,
    Reason,
    Note,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DailyQuotas {
    Table,
    AccountId,
    Day,
    Action,
    Used,
}

const STANCES: [&str; 3] = ["agree", "disagree", "neutral"];
const QUESTION_KINDS: [&str; 4] = ["stance", "single_choice", "multiple_choice", "free_text"];
const HIDE_REASONS: [&str; 7] = [
    "off_topic",
    "abusive",
    "personal_data",
    "spam",
    "duplicate",
    "unlawful",
    "other",
];

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: DynIden,
    cols: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(col);
    }
    if unique {
        stmt.unique();
    }
    manager.create_index(stmt.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict};
        manager
            .create_table(
                Table::create()
                    .table(ConsultationChanges::Table)
                    .col(big_pk_auto(ConsultationChanges::Id))
                    .col(big_integer(ConsultationChanges::ConsultationId))
                    .col(string_len(ConsultationChanges::Kind, 16).check(
                        Expr::col(ConsultationChanges::Kind).is_in(["extended", "closed_early"]),
                    ))
                    .col(text(ConsultationChanges::Reason))
                    .col(date(ConsultationChanges::PreviousLastDay))
                    .col(timestamp_with_time_zone(
                        ConsultationChanges::PreviousClosesAt,
                    ))
                    .col(date(ConsultationChanges::NewLastDay))
                    .col(timestamp_with_time_zone(ConsultationChanges::NewClosesAt))
                    .col(big_integer(ConsultationChanges::ActorId))
                    .col(timestamp_with_time_zone(ConsultationChanges::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_consultation_changes_consultation",
                        (
                            ConsultationChanges::Table,
                            ConsultationChanges::ConsultationId,
                        ),
                        (Consultations::Table, Consultations::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_consultation_changes_actor",
                        (ConsultationChanges::Table, ConsultationChanges::ActorId),
                        (Accounts::Table, Accounts::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Questions::Table)
                    .col(big_pk_auto(Questions::Id))
                    .col(big_integer(Questions::ConsultationId))
                    .col(big_integer_null(Questions::SectionId))
                    .col(integer(Questions::Position))
                    .col(
                        string_len(Questions::Kind, 16)
                            .check(Expr::col(Questions::Kind).is_in(QUESTION_KINDS)),
                    )
                    .col(text(Questions::Prompt))
                    .col(timestamp_with_time_zone(Questions::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_questions_consultation",
                        (Questions::Table, Questions::ConsultationId),
                        (Consultations::Table, Consultations::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_questions_section",
                        (Questions::Table, Questions::SectionId),
                        (Sections::Table, Sections::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(QuestionOptions::Table)
                    .col(big_pk_auto(QuestionOptions::Id))
                    .col(big_integer(QuestionOptions::QuestionId))
                    .col(integer(QuestionOptions::Position))
                    .col(text(QuestionOptions::Label))
                    .foreign_key(&mut fk(
                        "fk_question_options_question",
                        (QuestionOptions::Table, QuestionOptions::QuestionId),
                        (Questions::Table, Questions::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Answers::Table)
                    .col(big_pk_auto(Answers::Id))
                    .col(big_integer(Answers::QuestionId))
                    .col(big_integer(Answers::ConsultationId))
                    .col(big_integer(Answers::AccountId))
                    .col(text_null(Answers::Body))
                    .col(string_len_null(Answers::IdempotencyKey, 128))
                    .col(timestamp_with_time_zone(Answers::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_answers_question",
                        (Answers::Table, Answers::QuestionId),
                        (Questions::Table, Questions::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_answers_consultation",
                        (Answers::Table, Answers::ConsultationId),
                        (Consultations::Table, Consultations::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_answers_account",
                        (Answers::Table, Answers::AccountId),
                        (Accounts::Table, Accounts::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AnswerChoices::Table)
                    .col(big_integer(AnswerChoices::AnswerId))
                    .col(big_integer(AnswerChoices::OptionId))
                    .primary_key(
                        Index::create()
                            .col(AnswerChoices::AnswerId)
                            .col(AnswerChoices::OptionId),
                    )
                    .foreign_key(&mut fk(
                        "fk_answer_choices_answer",
                        (AnswerChoices::Table, AnswerChoices::AnswerId),
                        (Answers::Table, Answers::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_answer_choices_option",
                        (AnswerChoices::Table, AnswerChoices::OptionId),
                        (QuestionOptions::Table, QuestionOptions::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Comments::Table)
                    .col(big_pk_auto(Comments::Id))
                    .col(big_integer(Comments::ConsultationId))
                    // None: on the draft as a whole.
                    .col(big_integer_null(Comments::SectionId))
                    .col(big_integer_null(Comments::ParentId))
                    .col(small_integer(Comments::Depth).default(0))
                    .col(big_integer(Comments::AuthorId))
                    // Sanitised HTML (one ammonia policy, on write).
                    .col(text(Comments::Body))
                    .col(
                        string_len_null(Comments::Stance, 16)
                            .check(Expr::col(Comments::Stance).is_in(STANCES)),
                    )
                    // Set on a reply written for the agency that leads the draft.
                    .col(big_integer_null(Comments::OfficialAgencyId))
                    .col(timestamp_with_time_zone(Comments::CreatedAt))
                    .col(timestamp_with_time_zone_null(Comments::EditedAt))
                    .col(timestamp_with_time_zone_null(Comments::WithdrawnAt))
                    .col(timestamp_with_time_zone_null(Comments::HiddenAt))
                    .col(
                        string_len_null(Comments::HiddenReason, 32)
                            .check(Expr::col(Comments::HiddenReason).is_in(HIDE_REASONS)),
                    )
                    .col(string_len_null(Comments::IdempotencyKey, 128))
                    .check(
                        Expr::col(Comments::HiddenAt)
                            .is_null()
                            .eq(Expr::col(Comments::HiddenReason).is_null()),
                    )
                    .foreign_key(&mut fk(
                        "fk_comments_consultation",
                        (Comments::Table, Comments::ConsultationId),
                        (Consultations::Table, Consultations::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_comments_section",
                        (Comments::Table, Comments::SectionId),
                        (Sections::Table, Sections::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_comments_parent",
                        (Comments::Table, Comments::ParentId),
                        (Comments::Table, Comments::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_comments_author",
                        (Comments::Table, Comments::AuthorId),
                        (Accounts::Table, Accounts::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CommentRevisions::Table)
                    .col(big_pk_auto(CommentRevisions::Id))
                    .col(big_integer(CommentRevisions::CommentId))
                    .col(text(CommentRevisions::Body))
                    .col(string_len_null(CommentRevisions::Stance, 16))
                    .col(timestamp_with_time_zone(CommentRevisions::WrittenAt))
                    .col(timestamp_with_time_zone(CommentRevisions::ReplacedAt))
                    .foreign_key(&mut fk(
                        "fk_comment_revisions_comment",
                        (CommentRevisions::Table, CommentRevisions::CommentId),
                        (Comments::Table, Comments::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CommentFlags::Table)
                    .col(big_pk_auto(CommentFlags::Id))
                    .col(big_integer(CommentFlags::CommentId))
                    .col(big_integer(CommentFlags::AccountId))
                    .col(text(CommentFlags::Reason))
                    .col(timestamp_with_time_zone(CommentFlags::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_comment_flags_comment",
                        (CommentFlags::Table, CommentFlags::CommentId),
                        (Comments::Table, Comments::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_comment_flags_account",
                        (CommentFlags::Table, CommentFlags::AccountId),
                        (Accounts::Table, Accounts::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ModerationActions::Table)
                    .col(big_pk_auto(ModerationActions::Id))
                    .col(big_integer(ModerationActions::CommentId))
                    .col(big_integer(ModerationActions::ConsultationId))
                    .col(big_integer(ModerationActions::ModeratorId))
                    .col(
                        string_len(ModerationActions::Action, 16)
                            .check(Expr::col(ModerationActions::Action).is_in(["hide", "restore"])),
                    )
                    .col(
                        string_len(ModerationActions::Reason, 32)
                            .check(Expr::col(ModerationActions::Reason).is_in(HIDE_REASONS)),
                    )
                    .col(text(ModerationActions::Note))
                    .col(timestamp_with_time_zone(ModerationActions::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_moderation_actions_comment",
                        (ModerationActions::Table, ModerationActions::CommentId),
                        (Comments::Table, Comments::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_moderation_actions_moderator",
                        (ModerationActions::Table, ModerationActions::ModeratorId),
                        (Accounts::Table, Accounts::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DailyQuotas::Table)
                    .col(big_integer(DailyQuotas::AccountId))
                    .col(date(DailyQuotas::Day))
                    .col(string_len(DailyQuotas::Action, 32))
                    .col(integer(DailyQuotas::Used))
                    .primary_key(
                        Index::create()
                            .col(DailyQuotas::AccountId)
                            .col(DailyQuotas::Day)
                            .col(DailyQuotas::Action),
                    )
                    .foreign_key(&mut fk(
                        "fk_daily_quotas_account",
                        (DailyQuotas::Table, DailyQuotas::AccountId),
                        (Accounts::Table, Accounts::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        // (name, table, columns, unique)
        let indexes: Vec<(&str, DynIden, Vec<DynIden>, bool)> = vec![
            (
                "idx_comments_section",
                Comments::Table.into_iden(),
                vec![Comments::SectionId.into_iden(), Comments::Id.into_iden()],
                false,
            ),
            (
                "idx_comments_consultation",
                Comments::Table.into_iden(),
                vec![
                    Comments::ConsultationId.into_iden(),
                    Comments::Id.into_iden(),
                ],
                false,
            ),
            (
                "idx_comments_parent",
                Comments::Table.into_iden(),
                vec![Comments::ParentId.into_iden(), Comments::Id.into_iden()],
                false,
            ),
            (
                "idx_comments_author",
                Comments::Table.into_iden(),
                vec![Comments::AuthorId.into_iden(), Comments::Id.into_iden()],
                false,
            ),
            // A retried request finds the comment it already made.
            (
                "uq_comments_idempotency",
                Comments::Table.into_iden(),
                vec![
                    Comments::AuthorId.into_iden(),
                    Comments::IdempotencyKey.into_iden(),
                ],
                true,
            ),
            (
                "uq_answers_question_account",
                Answers::Table.into_iden(),
                vec![
                    Answers::QuestionId.into_iden(),
                    Answers::AccountId.into_iden(),
                ],
                true,
            ),
            (
                "idx_answers_consultation",
                Answers::Table.into_iden(),
                vec![Answers::ConsultationId.into_iden()],
                false,
            ),
            (
                "idx_answer_choices_option",
                AnswerChoices::Table.into_iden(),
                vec![AnswerChoices::OptionId.into_iden()],
                false,
            ),
            (
                "idx_questions_consultation",
                Questions::Table.into_iden(),
                vec![Questions::ConsultationId.into_iden()],
                false,
            ),
            (
                "idx_question_options_question",
                QuestionOptions::Table.into_iden(),
                vec![QuestionOptions::QuestionId.into_iden()],
                false,
            ),
            (
                "uq_comment_flags_comment_account",
                CommentFlags::Table.into_iden(),
                vec![
                    CommentFlags::CommentId.into_iden(),
                    CommentFlags::AccountId.into_iden(),
                ],
                true,
            ),
            (
                "idx_comment_revisions_comment",
                CommentRevisions::Table.into_iden(),
                vec![CommentRevisions::CommentId.into_iden()],
                false,
            ),
            (
                "idx_moderation_actions_consultation",
                ModerationActions::Table.into_iden(),
                vec![ModerationActions::ConsultationId.into_iden()],
                false,
            ),
            (
                "idx_consultation_changes_consultation",
                ConsultationChanges::Table.into_iden(),
                vec![ConsultationChanges::ConsultationId.into_iden()],
                false,
            ),
        ];
        for (name, table, cols, unique) in indexes {
            index(manager, name, table, cols, unique).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            DailyQuotas::Table.into_iden(),
            ModerationActions::Table.into_iden(),
            CommentFlags::Table.into_iden(),
            CommentRevisions::Table.into_iden(),
            Comments::Table.into_iden(),
            AnswerChoices::Table.into_iden(),
            Answers::Table.into_iden(),
            QuestionOptions::Table.into_iden(),
            Questions::Table.into_iden(),
            ConsultationChanges::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
