//! Comments (ความคิดเห็น) on a section or on a draft as a whole: stances, threaded replies,
//! official agency replies, edits with history, withdrawal, flags and public moderation.

pub mod entity;
pub mod graphql;
pub mod service;
pub mod writer;

use sea_orm::entity::prelude::*;

/// Whether the commenter agrees with the section (or the draft).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Stance {
    /// เห็นด้วย
    #[sea_orm(string_value = "agree")]
    Agree,
    /// ไม่เห็นด้วย
    #[sea_orm(string_value = "disagree")]
    Disagree,
    /// ไม่แสดงความเห็น / เป็นกลาง
    #[sea_orm(string_value = "neutral")]
    Neutral,
}

/// Why a comment was hidden: published (counted) in the public moderation log.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum HideReason {
    /// ไม่เกี่ยวข้องกับร่างกฎหมาย
    #[sea_orm(string_value = "off_topic")]
    OffTopic,
    /// ถ้อยคำหยาบคาย ดูหมิ่น
    #[sea_orm(string_value = "abusive")]
    Abusive,
    /// เปิดเผยข้อมูลส่วนบุคคล
    #[sea_orm(string_value = "personal_data")]
    PersonalData,
    /// สแปมหรือโฆษณา
    #[sea_orm(string_value = "spam")]
    Spam,
    /// ซ้ำกับความคิดเห็นอื่นของผู้เขียนเดียวกัน
    #[sea_orm(string_value = "duplicate")]
    Duplicate,
    /// ผิดกฎหมาย
    #[sea_orm(string_value = "unlawful")]
    Unlawful,
    /// อื่น ๆ (ระบุในบันทึก)
    #[sea_orm(string_value = "other")]
    Other,
}

/// The visible state of a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum CommentStatus {
    Visible,
    /// Withdrawn by its author: kept in the record, shown as withdrawn without its text.
    Withdrawn,
    /// Hidden by a moderator with a recorded reason.
    Hidden,
}

impl entity::comment::Model {
    pub fn status(&self) -> CommentStatus {
        if self.hidden_at.is_some() {
            CommentStatus::Hidden
        } else if self.withdrawn_at.is_some() {
            CommentStatus::Withdrawn
        } else {
            CommentStatus::Visible
        }
    }
}
