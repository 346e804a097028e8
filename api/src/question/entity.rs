//! The tables of questions: `questions`, `question_options`, `answers`, `answer_choices`.

pub mod question {
    use sea_orm::entity::prelude::*;

    use crate::question::QuestionKind;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "questions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub consultation_id: i64,
        pub section_id: Option<i64>,
        pub position: i32,
        pub kind: QuestionKind,
        pub prompt: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod option {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "question_options")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub question_id: i64,
        pub position: i32,
        pub label: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod answer {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "answers")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub question_id: i64,
        pub consultation_id: i64,
        pub account_id: i64,
        pub body: Option<String>,
        pub idempotency_key: Option<String>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod choice {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "answer_choices")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub answer_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub option_id: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
