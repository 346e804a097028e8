//! The tables of drafts: `drafts`, `draft_versions`, `headings`, `sections`.

pub mod draft {
    use sea_orm::entity::prelude::*;

    use crate::draft::{DraftStatus, InstrumentKind};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "drafts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub slug: String,
        pub kind: InstrumentKind,
        pub title_th: String,
        pub title_en: Option<String>,
        pub lead_agency_id: i64,
        pub rationale: Option<String>,
        pub status: DraftStatus,
        pub security_exempt: bool,
        pub security_exempt_reason: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod version {
    use sea_orm::entity::prelude::*;

    use crate::draft::ProvisionUnit;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "draft_versions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub draft_id: i64,
        pub number: i32,
        pub title_th: String,
        pub provision_unit: ProvisionUnit,
        pub preamble: String,
        pub change_note: Option<String>,
        pub published_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod heading {
    use sea_orm::entity::prelude::*;

    use crate::draft::HeadingLevel;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "headings")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub version_id: i64,
        pub position: i32,
        pub level: HeadingLevel,
        pub number: Option<String>,
        pub title: String,
        pub parent_id: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod section {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sections")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub version_id: i64,
        pub position: i32,
        pub label: String,
        pub section_key: String,
        pub sort_key: String,
        pub heading_id: Option<i64>,
        pub body: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
