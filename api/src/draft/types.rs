//! Domain values of drafts, stored as strings and exposed as GraphQL enums.

use sea_orm::{DeriveActiveEnum, EnumIter, sea_query::StringLen};

use crate::lawtext;

/// The type of instrument (LEGAL.md, "Instruments").
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    clap::ValueEnum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum InstrumentKind {
    /// พระราชบัญญัติ
    #[sea_orm(string_value = "act")]
    Act,
    /// พระราชกำหนด
    #[sea_orm(string_value = "emergency_decree")]
    EmergencyDecree,
    /// พระราชกฤษฎีกา
    #[sea_orm(string_value = "royal_decree")]
    RoyalDecree,
    /// กฎกระทรวง
    #[sea_orm(string_value = "ministerial_regulation")]
    MinisterialRegulation,
    /// Other subordinate rules (กฎ): regulations, notifications, by-laws.
    #[sea_orm(string_value = "other_rule")]
    OtherRule,
    /// รัฐธรรมนูญ
    #[sea_orm(string_value = "constitution")]
    Constitution,
    /// ประมวลกฎหมาย: a code (Civil and Commercial, Criminal, Revenue ...).
    #[sea_orm(string_value = "code")]
    Code,
}

impl InstrumentKind {
    pub fn slug_prefix(self) -> &'static str {
        match self {
            Self::Act => "act",
            Self::EmergencyDecree => "emergency-decree",
            Self::RoyalDecree => "royal-decree",
            Self::MinisterialRegulation => "ministerial-regulation",
            Self::OtherRule => "rule",
            Self::Constitution => "constitution",
            Self::Code => "code",
        }
    }

    pub fn thai_name(self) -> &'static str {
        match self {
            Self::Act => "พระราชบัญญัติ",
            Self::EmergencyDecree => "พระราชกำหนด",
            Self::RoyalDecree => "พระราชกฤษฎีกา",
            Self::MinisterialRegulation => "กฎกระทรวง",
            Self::OtherRule => "กฎ",
            Self::Constitution => "รัฐธรรมนูญ",
            Self::Code => "ประมวลกฎหมาย",
        }
    }
}

impl From<lawtext::InstrumentKind> for InstrumentKind {
    fn from(kind: lawtext::InstrumentKind) -> Self {
        match kind {
            lawtext::InstrumentKind::Act => Self::Act,
            lawtext::InstrumentKind::EmergencyDecree => Self::EmergencyDecree,
            lawtext::InstrumentKind::RoyalDecree => Self::RoyalDecree,
            lawtext::InstrumentKind::MinisterialRegulation => Self::MinisterialRegulation,
            lawtext::InstrumentKind::Constitution => Self::Constitution,
            lawtext::InstrumentKind::OtherRule => Self::OtherRule,
            lawtext::InstrumentKind::Code => Self::Code,
        }
    }
}

/// Where a draft is in its life (LEGAL.md): drafting → in consultation → under review → in the
/// legislature → enacted → in force, or withdrawn / repealed.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    clap::ValueEnum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum DraftStatus {
    /// Being drafted by the agency (ยกร่าง).
    #[sea_orm(string_value = "drafting")]
    Drafting,
    /// A consultation on it is or was just held.
    #[sea_orm(string_value = "in_consultation")]
    InConsultation,
    /// After consultation: revised by the agency, the Cabinet or the Council of State.
    #[sea_orm(string_value = "under_review")]
    UnderReview,
    /// Before the National Assembly (or awaiting royal assent for a decree).
    #[sea_orm(string_value = "in_legislature")]
    InLegislature,
    /// Promulgated in the Royal Gazette, not yet in force.
    #[sea_orm(string_value = "enacted")]
    Enacted,
    /// In force; subject to periodic evaluation.
    #[sea_orm(string_value = "in_force")]
    InForce,
    /// Repealed.
    #[sea_orm(string_value = "repealed")]
    Repealed,
    /// Abandoned before enactment.
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

/// Levels of headings in Thai legislation, outermost first.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum HeadingLevel {
    /// บรรพ (book, in the codes)
    #[sea_orm(string_value = "book")]
    Book,
    /// ภาค
    #[sea_orm(string_value = "part")]
    Part,
    /// ลักษณะ
    #[sea_orm(string_value = "title")]
    Title,
    /// หมวด
    #[sea_orm(string_value = "chapter")]
    Chapter,
    /// ส่วน
    #[sea_orm(string_value = "division")]
    Division,
    /// An unnumbered heading such as บทเฉพาะกาล (transitional provisions).
    #[sea_orm(string_value = "unnumbered")]
    Unnumbered,
}

impl From<lawtext::HeadingLevel> for HeadingLevel {
    fn from(level: lawtext::HeadingLevel) -> Self {
        match level {
            lawtext::HeadingLevel::Book => Self::Book,
            lawtext::HeadingLevel::Part => Self::Part,
            lawtext::HeadingLevel::Title => Self::Title,
            lawtext::HeadingLevel::Chapter => Self::Chapter,
            lawtext::HeadingLevel::Division => Self::Division,
            lawtext::HeadingLevel::Unnumbered => Self::Unnumbered,
        }
    }
}

/// What a text's numbered provisions are called.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ProvisionUnit {
    /// มาตรา: Acts, decrees, the Constitution, codes.
    #[sea_orm(string_value = "section")]
    Section,
    /// ข้อ: ministerial regulations and other rules.
    #[sea_orm(string_value = "clause")]
    Clause,
}

impl ProvisionUnit {
    pub fn thai_word(self) -> &'static str {
        match self {
            Self::Section => "มาตรา",
            Self::Clause => "ข้อ",
        }
    }
}

impl From<lawtext::ProvisionUnit> for ProvisionUnit {
    fn from(unit: lawtext::ProvisionUnit) -> Self {
        match unit {
            lawtext::ProvisionUnit::Section => Self::Section,
            lawtext::ProvisionUnit::Clause => Self::Clause,
        }
    }
}
