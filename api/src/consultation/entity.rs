//! The `consultations` table.

use sea_orm::entity::prelude::*;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ConsultationKind {
    /// On the principles, before drafting (รับฟังความคิดเห็นหลักการ).
    #[sea_orm(string_value = "principles")]
    Principles,
    /// On a draft law (ร่างกฎหมาย).
    #[sea_orm(string_value = "draft")]
    Draft,
    /// On a subordinate rule (กฎหมายลำดับรอง).
    #[sea_orm(string_value = "subordinate_rule")]
    SubordinateRule,
    /// The post-enactment evaluation consultation (ประเมินผลสัมฤทธิ์).
    #[sea_orm(string_value = "evaluation")]
    Evaluation,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub draft_id: i64,
    pub version_id: Option<i64>,
    pub kind: ConsultationKind,
    pub first_day: Date,
    pub last_day: Date,
    pub opens_at: DateTimeUtc,
    pub closes_at: DateTimeUtc,
    pub policy_floor_days: i32,
    pub shorter_than_policy_reason: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// `consultation_changes`: every extension or early close, with its public reason.
pub mod change {
    use sea_orm::entity::prelude::*;

    #[derive(
        Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
    )]
    #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
    pub enum ChangeKind {
        /// ขยายระยะเวลา
        #[sea_orm(string_value = "extended")]
        Extended,
        /// ปิดก่อนกำหนด
        #[sea_orm(string_value = "closed_early")]
        ClosedEarly,
    }

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "consultation_changes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub consultation_id: i64,
        pub kind: ChangeKind,
        pub reason: String,
        pub previous_last_day: Date,
        pub previous_closes_at: DateTimeUtc,
        pub new_last_day: Date,
        pub new_closes_at: DateTimeUtc,
        pub actor_id: i64,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
