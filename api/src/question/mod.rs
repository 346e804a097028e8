//! Questions an agency asks in a consultation (on the draft or on one section) and the public's
//! answers: stance, single or multiple choice, free text.

pub mod entity;
pub mod graphql;
pub mod service;

use sea_orm::entity::prelude::*;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum QuestionKind {
    /// เห็นด้วย / ไม่เห็นด้วย / ไม่แสดงความเห็น: its three options are created with it.
    #[sea_orm(string_value = "stance")]
    Stance,
    #[sea_orm(string_value = "single_choice")]
    SingleChoice,
    #[sea_orm(string_value = "multiple_choice")]
    MultipleChoice,
    #[sea_orm(string_value = "free_text")]
    FreeText,
}

/// The options of a stance question, in order.
pub const STANCE_OPTIONS: [&str; 3] = ["เห็นด้วย", "ไม่เห็นด้วย", "ไม่แสดงความเห็น"];
