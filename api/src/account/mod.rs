//! Accounts (ผู้ใช้) and roles: registration with recorded consent, sessions (cookie or bearer
//! token), researchers' API keys, and the `Viewer` every request carries.

pub mod entity;
pub mod graphql;
mod input;
pub mod password;
pub mod service;
pub mod token;
mod viewer;

use sea_orm::entity::prelude::*;

pub use input::{DisplayName, Email, Password};
pub use viewer::{Credential, RequestMeta, Viewer};

/// What an account may do. Agency roles are bound to one agency.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum Role {
    /// Reads, comments, answers, flags (ประชาชน).
    #[sea_orm(string_value = "citizen")]
    Citizen,
    /// Publishes drafts, runs consultations, replies and moderates for its agency.
    #[sea_orm(string_value = "agency_staff")]
    AgencyStaff,
    /// Agency staff who may also grant agency roles within the agency.
    #[sea_orm(string_value = "agency_admin")]
    AgencyAdmin,
    /// Runs the platform; may act for any agency.
    #[sea_orm(string_value = "platform_admin")]
    PlatformAdmin,
}

impl Role {
    pub fn is_agency(self) -> bool {
        matches!(self, Self::AgencyStaff | Self::AgencyAdmin)
    }
}

/// Who is answering, as the summary report must count them (ประเภทผู้แสดงความคิดเห็น).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum RespondentCategory {
    /// บุคคลทั่วไป
    #[sea_orm(string_value = "individual")]
    Individual,
    /// ภาคธุรกิจ
    #[sea_orm(string_value = "business")]
    Business,
    /// องค์กรภาคประชาสังคม
    #[sea_orm(string_value = "civil_society")]
    CivilSociety,
    /// หน่วยงานของรัฐ
    #[sea_orm(string_value = "state_agency")]
    StateAgency,
    /// นักวิชาการ / สถาบันการศึกษา
    #[sea_orm(string_value = "academic")]
    Academic,
}

/// The personal-data notice a registrant accepts (Personal Data Protection Act B.E. 2562).
/// Changing the text means a new version: consent is recorded against the version shown.
pub const CONSENT_VERSION: &str = "2026-11-01";
pub const CONSENT_TEXT_TH: &str = "รับฟังเก็บอีเมล ชื่อที่แสดง ประเภทผู้แสดงความคิดเห็น และจังหวัด (ถ้าระบุ) \
เพื่อยืนยันตัวตน ป้องกันการส่งความคิดเห็นซ้ำ และจัดทำสถิติในรายงานสรุปผลการรับฟังความคิดเห็น \
อีเมลไม่เปิดเผยต่อสาธารณะและไม่อยู่ในข้อมูลที่ส่งออก ความคิดเห็นแสดงพร้อมชื่อที่แสดงหรือนามแฝงตามที่ท่านเลือก";
pub const CONSENT_TEXT_EN: &str = "rubfang keeps your e-mail address, display name, respondent \
category and province (if given) to verify you, prevent duplicate submissions and produce the \
statistics of the consultation summary report. Your e-mail is never published nor exported; your \
comments show your display name or, if you choose, a pseudonym.";
