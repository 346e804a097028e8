//! The tables of comments: `comments`, `comment_revisions`, `comment_flags`,
//! `moderation_actions`, and the per-account `daily_quotas`.

pub mod comment {
    use sea_orm::entity::prelude::*;

    use crate::comment::{HideReason, Stance};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "comments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub consultation_id: i64,
        pub section_id: Option<i64>,
        pub parent_id: Option<i64>,
        pub depth: i16,
        pub author_id: i64,
        pub body: String,
        pub stance: Option<Stance>,
        pub official_agency_id: Option<i64>,
        pub created_at: DateTimeUtc,
        pub edited_at: Option<DateTimeUtc>,
        pub withdrawn_at: Option<DateTimeUtc>,
        pub hidden_at: Option<DateTimeUtc>,
        pub hidden_reason: Option<HideReason>,
        pub idempotency_key: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod revision {
    use sea_orm::entity::prelude::*;

    use crate::comment::Stance;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "comment_revisions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub comment_id: i64,
        pub body: String,
        pub stance: Option<Stance>,
        pub written_at: DateTimeUtc,
        pub replaced_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod flag {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "comment_flags")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub comment_id: i64,
        pub account_id: i64,
        pub reason: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod moderation {
    use sea_orm::entity::prelude::*;

    use crate::comment::HideReason;

    #[derive(
        Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, async_graphql::Enum,
    )]
    #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
    pub enum ModerationAction {
        #[sea_orm(string_value = "hide")]
        Hide,
        #[sea_orm(string_value = "restore")]
        Restore,
    }

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "moderation_actions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub comment_id: i64,
        pub consultation_id: i64,
        pub moderator_id: i64,
        pub action: ModerationAction,
        pub reason: HideReason,
        pub note: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod daily_quota {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "daily_quotas")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub account_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub day: Date,
        #[sea_orm(primary_key, auto_increment = false)]
        pub action: String,
        pub used: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
