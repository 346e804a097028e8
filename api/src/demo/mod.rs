//! Demo data written for rubfang: three agencies, a draft Act open for comment, a draft whose
//! short consultation has closed, and a law in force. The laws are fictional; the texts go
//! through the same parser as any upload.

use chrono::{Duration, Utc};
use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::{
    account::{
        DisplayName, Email, RespondentCategory, Role, Viewer, password,
        service::{self as accounts, NewAccount},
    },
    agency::service::{self as agencies, NewAgency},
    comment::{
        Stance,
        service::{self as comments, NewComment},
    },
    config::PolicyConfig,
    consultation::{
        ConsultationPeriod, bangkok,
        entity::ConsultationKind,
        service::{self as consultations, NewConsultation},
    },
    draft::{
        DraftStatus, InstrumentKind,
        service::{self as drafts, NewDraft},
    },
    error::{AppError, AppResult},
    lawtext,
    question::QuestionKind,
    sanitize::CommentBody,
};

pub const OPEN_DRAFT_SLUG: &str = "cycling-act";

/// The password of every demo account (documented in the README; demo only).
pub const DEMO_PASSWORD: &str = "rubfang-demo-2569";

/// Demo accounts: (e-mail, display name, category, role, agency slug).
pub const DEMO_ACCOUNTS: [(&str, &str, RespondentCategory, Role, Option<&str>); 5] = [
    (
        "admin@rubfang.example",
        "ผู้ดูแลระบบ",
        RespondentCategory::StateAgency,
        Role::PlatformAdmin,
        None,
    ),
    (
        "staff@otp.example",
        "เจ้าหน้าที่ สนข.",
        RespondentCategory::StateAgency,
        Role::AgencyStaff,
        Some("otp"),
    ),
    (
        "staff@mdes.example",
        "เจ้าหน้าที่ ดศ.",
        RespondentCategory::StateAgency,
        Role::AgencyStaff,
        Some("mdes"),
    ),
    (
        "somchai@rubfang.example",
        "สมชาย ใจดี",
        RespondentCategory::Individual,
        Role::Citizen,
        None,
    ),
    (
        "malee@rubfang.example",
        "มาลี รักษ์เมือง",
        RespondentCategory::CivilSociety,
        Role::Citizen,
        None,
    ),
];

/// Loads the demo data if the database holds no agency yet. Returns whether it did.
pub async fn seed_if_empty(db: &DatabaseConnection, policy: &PolicyConfig) -> AppResult<bool> {
    if agencies::count(db).await? > 0 {
        return Ok(false);
    }
    let txn = db.begin().await?;
    seed(&txn, policy).await?;
    txn.commit().await?;
    Ok(true)
}

async fn seed(txn: &impl sea_orm::ConnectionTrait, policy: &PolicyConfig) -> AppResult<()> {
    let mot = agencies::create(
        txn,
        NewAgency {
            slug: "mot",
            name_th: "กระทรวงคมนาคม",
            name_en: Some("Ministry of Transport"),
            parent_id: None,
        },
    )
    .await?;
    let otp = agencies::create(
        txn,
        NewAgency {
            slug: "otp",
            name_th: "สำนักงานนโยบายและแผนการขนส่งและจราจร",
            name_en: Some("Office of Transport and Traffic Policy and Planning"),
            parent_id: Some(mot.id),
        },
    )
    .await?;
    let des = agencies::create(
        txn,
        NewAgency {
            slug: "mdes",
            name_th: "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
            name_en: Some("Ministry of Digital Economy and Society"),
            parent_id: None,
        },
    )
    .await?;

    let now = Utc::now();
    let today = now.with_timezone(&bangkok()).date_naive();

    // A draft Act open for comment: 30 days, opened five days ago.
    let (cycling, v1) = create(
        txn,
        include_str!("cycling-draft.txt"),
        NewDraft {
            slug: Some(OPEN_DRAFT_SLUG.into()),
            kind: InstrumentKind::Act,
            title_th: "ร่างพระราชบัญญัติส่งเสริมการใช้จักรยานเพื่อการเดินทาง พ.ศ. ....".into(),
            title_en: Some("Draft Cycling for Transport Promotion Act B.E. ....".into()),
            lead_agency_id: otp.id,
            rationale: Some(
                "โดยที่ปัจจุบันการเดินทางในเขตเมืองพึ่งพายานยนต์ส่วนบุคคลเป็นหลัก ก่อให้เกิดปัญหาการจราจร \
                 มลพิษทางอากาศ และอุบัติเหตุ แต่ยังไม่มีกฎหมายที่กำหนดหน้าที่ของหน่วยงานในการจัดทางจักรยาน\
                 และที่จอดจักรยาน สมควรมีกฎหมายว่าด้วยการส่งเสริมการใช้จักรยานเพื่อการเดินทาง \
                 จึงจำเป็นต้องตราพระราชบัญญัตินี้ (ข้อมูลตัวอย่าง · demo data)"
                    .into(),
            ),
            status: DraftStatus::InConsultation,
            security_exempt_reason: None,
        },
    )
    .await?;
    let cycling_consultation = consultations::create(
        txn,
        NewConsultation {
            draft_id: cycling.id,
            version_id: Some(v1),
            kind: ConsultationKind::Draft,
            period: ConsultationPeriod::new(
                today - Duration::days(5),
                today + Duration::days(24),
                policy.consultation_min_days,
                None,
            )?,
            policy_floor_days: policy.consultation_min_days,
        },
    )
    .await?;

    // A draft whose consultation closed a month ago; it was shorter than the policy floor, with
    // the public justification the rules require.
    let (open_data, v1) = create(
        txn,
        include_str!("open-data-draft.txt"),
        NewDraft {
            slug: Some("open-data-act".into()),
            kind: InstrumentKind::Act,
            title_th: "ร่างพระราชบัญญัติข้อมูลเปิดภาครัฐ พ.ศ. ....".into(),
            title_en: Some("Draft Open Government Data Act B.E. ....".into()),
            lead_agency_id: des.id,
            rationale: Some(
                "โดยที่ข้อมูลที่หน่วยงานของรัฐจัดเก็บเป็นทรัพยากรสาธารณะ การเปิดเผยข้อมูลในรูปแบบที่นำไปใช้ต่อได้\
                 จะช่วยให้ประชาชนตรวจสอบการทำงานของรัฐและสร้างนวัตกรรมได้ (ข้อมูลตัวอย่าง · demo data)"
                    .into(),
            ),
            status: DraftStatus::UnderReview,
            security_exempt_reason: None,
        },
    )
    .await?;
    let short_days = 10.min(i64::from(policy.consultation_min_days.max(2)) - 1);
    let last = today - Duration::days(30);
    consultations::create(
        txn,
        NewConsultation {
            draft_id: open_data.id,
            version_id: Some(v1),
            kind: ConsultationKind::Draft,
            period: ConsultationPeriod::new(
                last - Duration::days(short_days - 1),
                last,
                policy.consultation_min_days,
                Some(
                    "ต้องเสนอร่างต่อคณะรัฐมนตรีให้ทันรอบการพิจารณางบประมาณ และได้รับฟังความคิดเห็น\
                     ในหลักการแล้วเป็นเวลาสามสิบวัน",
                ),
            )?,
            policy_floor_days: policy.consultation_min_days,
        },
    )
    .await?;

    // A law in force.
    create(
        txn,
        include_str!("footpath-act.txt"),
        NewDraft {
            slug: Some("footpath-safety-act-2566".into()),
            kind: InstrumentKind::Act,
            title_th: "พระราชบัญญัติความปลอดภัยของผู้ใช้ทางเท้า พ.ศ. ๒๕๖๖".into(),
            title_en: Some("Footpath Users Safety Act B.E. 2566 (2023)".into()),
            lead_agency_id: mot.id,
            rationale: None,
            status: DraftStatus::InForce,
            security_exempt_reason: None,
        },
    )
    .await?;
    seed_participation(
        txn,
        &cycling_consultation,
        v1_sections(txn, &cycling).await?,
    )
    .await
}

async fn v1_sections(
    txn: &impl sea_orm::ConnectionTrait,
    draft: &crate::draft::entity::draft::Model,
) -> AppResult<Vec<i64>> {
    let version = drafts::current_version(txn, draft.id)
        .await?
        .ok_or_else(|| AppError::internal("demo draft without a version"))?;
    drafts::section_ids(txn, version.id).await
}

/// Demo accounts, a question, and a few comments with an official reply on the open draft.
async fn seed_participation(
    txn: &impl sea_orm::ConnectionTrait,
    consultation: &crate::consultation::entity::Model,
    sections: Vec<i64>,
) -> AppResult<()> {
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let mut viewers = Vec::new();
    for (email, name, category, role, agency) in DEMO_ACCOUNTS {
        let account = accounts::create(
            txn,
            NewAccount {
                email: Email::parse(email)?,
                password_hash: hash.clone(),
                display_name: DisplayName::parse(name)?,
                show_pseudonym: false,
                category,
                province: Some("กรุงเทพมหานคร".into()),
                consent_version: crate::account::CONSENT_VERSION.into(),
                verified: true,
            },
        )
        .await?;
        let agency_id = match agency {
            Some(slug) => agencies::by_slug(txn, slug).await?.map(|a| a.id),
            None => None,
        };
        let account = accounts::set_role(txn, account.id, role, agency_id).await?;
        viewers.push(Viewer {
            account_id: account.id,
            role: account.role,
            agency_id: account.agency_id,
            email_verified: true,
            credential: crate::account::Credential::Session { session_id: 0 },
        });
    }
    let (staff, somchai, malee) = (&viewers[1], &viewers[3], &viewers[4]);
    let rules = crate::config::ParticipationConfig::default();
    let body = |text: &str| {
        CommentBody::parse(text, rules.max_comment_chars)
            .map_err(|e| AppError::internal(format!("demo comment: {e}")))
    };
    let section = |i: usize| sections.get(i).copied();
    let question_labels: Vec<String> = crate::question::STANCE_OPTIONS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    crate::question::service::insert(
        txn,
        consultation.id,
        None,
        QuestionKind::Stance,
        "ท่านเห็นด้วยกับหลักการของร่างพระราชบัญญัตินี้หรือไม่".into(),
        question_labels,
    )
    .await?;
    let first = comments::post_in(
        txn,
        somchai,
        &NewComment {
            consultation_id: consultation.id,
            section_id: section(2),
            parent_id: None,
            body: body("เห็นด้วยที่ให้มีทางจักรยานแยกจากถนน แต่ควรกำหนดความกว้างขั้นต่ำให้ชัดเจน\n\nเสนอให้ระบุไม่น้อยกว่า ๑.๕ เมตร")?,
            stance: Some(Stance::Agree),
            idempotency_key: None,
        },
        &rules,
    )
    .await?;
    comments::post_in(
        txn,
        staff,
        &NewComment {
            consultation_id: consultation.id,
            section_id: first.section_id,
            parent_id: Some(first.id),
            body: body("ขอบคุณสำหรับข้อเสนอ สำนักงานจะพิจารณากำหนดความกว้างขั้นต่ำในกฎกระทรวงตามมาตรานี้")?,
            stance: None,
            idempotency_key: None,
        },
        &rules,
    )
    .await?;
    comments::post_in(
        txn,
        malee,
        &NewComment {
            consultation_id: consultation.id,
            section_id: section(2),
            parent_id: None,
            body: body(
                "ไม่เห็นด้วยที่ให้องค์กรปกครองส่วนท้องถิ่นรับภาระค่าใช้จ่ายทั้งหมด ควรมีงบประมาณสนับสนุนจากส่วนกลาง",
            )?,
            stance: Some(Stance::Disagree),
            idempotency_key: None,
        },
        &rules,
    )
    .await?;
    comments::post_in(
        txn,
        malee,
        &NewComment {
            consultation_id: consultation.id,
            section_id: None,
            parent_id: None,
            body: body("โดยรวมสนับสนุนร่างนี้ และขอให้เปิดรับฟังความคิดเห็นในพื้นที่ต่างจังหวัดด้วย")?,
            stance: Some(Stance::Agree),
            idempotency_key: None,
        },
        &rules,
    )
    .await?;
    Ok(())
}

async fn create(
    txn: &impl sea_orm::ConnectionTrait,
    text: &str,
    new: NewDraft,
) -> AppResult<(crate::draft::entity::draft::Model, i64)> {
    let parsed = lawtext::parse(text)
        .map_err(|e| AppError::internal(format!("demo text {}: {e}", new.title_th)))?;
    let (draft, version) = drafts::create_from_parsed(txn, new, &parsed, Some(Utc::now())).await?;
    Ok((draft, version.id))
}
