//! Seeding for `bench/comments.sh` (the hidden `rubfang bench-seed` command): many verified
//! citizen accounts with a session each, and a large body of comments on the open consultation
//! of a demo draft, written with multi-row inserts. This is seeding, not measuring: rows go in
//! directly, past the checks of `comment::service::post`.

use std::{
    fmt::Write as _,
    path::Path,
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use crate::{
    account::{
        CONSENT_VERSION, RespondentCategory, Role,
        entity::{account, session},
        password,
        service::SESSION_DAYS,
        token::{self, TokenKind},
    },
    comment::{Stance, entity::comment},
    consultation::{ConsultationState, entity as consultation},
    draft::{entity::section, service as drafts},
    error::{AppError, AppResult},
    sanitize::CommentBody,
};

/// Rows per multi-row insert. Comments bind 14 values a row (14,000 a statement) and accounts
/// 13: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const COMMENT_CHUNK: usize = 1_000;
const ACCOUNT_CHUNK: usize = 500;
/// Comments per transaction.
const COMMENTS_PER_TXN: u64 = 50_000;

const EMAIL_DOMAIN: &str = "bench.example";

/// The password of every bench account (they are used through session tokens only).
const BENCH_PASSWORD: &str = "rubfang-bench-not-a-secret";

/// Comment texts as citizens write them; sanitised once, reused for every row.
const BODIES: [&str; 8] = [
    "เห็นด้วยที่ให้มีทางจักรยานแยกจากถนน แต่ควรกำหนดความกว้างขั้นต่ำให้ชัดเจน\n\nเสนอให้ระบุไม่น้อยกว่า ๑.๕ เมตร และมีแนวกันชนระหว่างทางจักรยานกับช่องทางเดินรถ",
    "ไม่เห็นด้วยที่ให้องค์กรปกครองส่วนท้องถิ่นรับภาระค่าใช้จ่ายทั้งหมด ควรมีงบประมาณสนับสนุนจากส่วนกลาง โดยเฉพาะเทศบาลขนาดเล็กที่มีรายได้น้อย",
    "โดยรวมสนับสนุนร่างนี้ และขอให้เปิดรับฟังความคิดเห็นในพื้นที่ต่างจังหวัดด้วย เพราะสภาพถนนและการเดินทางในชนบทแตกต่างจากกรุงเทพมหานครมาก",
    "ควรกำหนดให้อาคารสำนักงานและห้างสรรพสินค้าขนาดใหญ่จัดที่จอดจักรยานที่มีหลังคาและระบบล็อกที่ปลอดภัย อย่างน้อยร้อยละห้าของที่จอดรถยนต์",
    "ขอให้ระบุบทลงโทษสำหรับผู้ขับขี่รถยนต์ที่จอดกีดขวางทางจักรยานให้ชัดเจน มิฉะนั้นทางจักรยานที่สร้างขึ้นจะใช้งานไม่ได้จริง\n\nตัวอย่างเช่น ถนนสาทรและถนนพระรามที่ ๔ ในปัจจุบัน",
    "ผมใช้จักรยานเดินทางไปทำงานทุกวันเป็นเวลาห้าปี ปัญหาหลักคือความร้อนและไม่มีที่อาบน้ำในที่ทำงาน ร่างนี้ควรส่งเสริมให้นายจ้างจัดสิ่งอำนวยความสะดวกเหล่านี้ด้วย",
    "มาตรานี้ใช้ถ้อยคำกว้างเกินไป คำว่า \"ทางจักรยาน\" ควรมีนิยามในมาตรา ๓ ให้ครอบคลุมทั้งช่องทางบนถนนและทางที่แยกออกจากถนนโดยเด็ดขาด",
    "เป็นกลาง เห็นว่าหลักการดี แต่กังวลเรื่องการบังคับใช้ในทางปฏิบัติ ควรมีการประเมินผลหลังบังคับใช้สามปีและเผยแพร่รายงานต่อสาธารณะ",
];

/// What `bench-seed` wrote.
#[derive(Debug, Clone)]
pub struct BenchSeedReport {
    pub backend: &'static str,
    pub draft_slug: String,
    pub consultation_id: i64,
    pub sections: usize,
    pub accounts: u32,
    pub sessions: u32,
    pub comments: u64,
    /// Comments of the consultation after seeding (the demo's own included).
    pub comments_in_consultation: u64,
    pub accounts_elapsed: Duration,
    pub comments_elapsed: Duration,
    pub elapsed: Duration,
}

impl BenchSeedReport {
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let rate = self.comments as f64 / self.comments_elapsed.as_secs_f64().max(1e-9);
        let _ = writeln!(
            out,
            "bench seed ({}): draft {} consultation {} ({} sections)",
            self.backend, self.draft_slug, self.consultation_id, self.sections
        );
        let _ = writeln!(
            out,
            "  accounts: {} with {} sessions in {:.1} s",
            self.accounts,
            self.sessions,
            self.accounts_elapsed.as_secs_f64()
        );
        let _ = writeln!(
            out,
            "  comments: {} in {:.1} s ({:.0} rows/s); the consultation now holds {}",
            self.comments,
            self.comments_elapsed.as_secs_f64(),
            rate,
            self.comments_in_consultation
        );
        let _ = writeln!(out, "  total: {:.1} s", self.elapsed.as_secs_f64());
        out
    }
}

/// A small deterministic generator (SplitMix64): `Send`, so the future stays `Send`, and the
/// same seed gives the same data set.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform enough in `0..n` for seeding (`n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn internal(what: &str) -> impl FnOnce(std::io::Error) -> AppError + '_ {
    move |e| AppError::internal(format!("{what}: {e}"))
}

/// Seeds `accounts` bench accounts with a session each (tokens written one a line to
/// `tokens_out`) and `comments` comments on the open consultation of the draft `draft_slug`.
/// Needs the demo data (`rubfang seed-demo`) or any draft with an open consultation.
pub async fn seed(
    db: &DatabaseConnection,
    draft_slug: &str,
    comments: u64,
    accounts: u32,
    tokens_out: &Path,
) -> AppResult<BenchSeedReport> {
    let started = Instant::now();
    let now = Utc::now();
    let backend = crate::db::backend_name(db);

    // The open consultation and its sections.
    let draft = drafts::by_slug(db, draft_slug).await?.ok_or_else(|| {
        AppError::validation(
            "draft-slug",
            format!("no draft `{draft_slug}`; run `rubfang seed-demo` first"),
        )
    })?;
    let cons = consultation::Entity::find()
        .filter(consultation::Column::DraftId.eq(draft.id))
        .order_by_desc(consultation::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .find(|c| c.state_at(now) == ConsultationState::Open)
        .ok_or_else(|| {
            AppError::validation(
                "draft-slug",
                format!("the draft `{draft_slug}` has no open consultation"),
            )
        })?;
    let version_id = match cons.version_id {
        Some(v) => v,
        None => {
            drafts::current_version(db, draft.id)
                .await?
                .ok_or_else(|| AppError::internal("the draft has no version"))?
                .id
        }
    };
    let sections: Vec<i64> = section::Entity::find()
        .select_only()
        .column(section::Column::Id)
        .filter(section::Column::VersionId.eq(version_id))
        .order_by_asc(section::Column::Position)
        .into_tuple()
        .all(db)
        .await?;
    if accounts == 0 {
        return Err(AppError::validation("accounts", "at least one account"));
    }
    let taken = account::Entity::find()
        .filter(account::Column::Email.ends_with(format!("@{EMAIL_DOMAIN}")))
        .count(db)
        .await?;
    if taken > 0 {
        return Err(AppError::Conflict(format!(
            "the database already holds {taken} bench accounts; bench-seed runs on a fresh one"
        )));
    }

    // Accounts: one argon2 hash for all of them.
    let accounts_started = Instant::now();
    let password_hash = password::hash(BENCH_PASSWORD.to_owned()).await?;
    let txn = db.begin().await?;
    let numbers: Vec<u32> = (1..=accounts).collect();
    for chunk in numbers.chunks(ACCOUNT_CHUNK) {
        let rows = chunk.iter().map(|&n| account::ActiveModel {
            email: Set(format!("bench-{n}@{EMAIL_DOMAIN}")),
            email_verified_at: Set(Some(now)),
            password_hash: Set(password_hash.clone()),
            display_name: Set(format!("ผู้ทดสอบ {n}")),
            // Not of the shape `service::pseudonym` draws (6 characters), so never a collision.
            pseudonym: Set(format!("ผู้แสดงความคิดเห็น #BENCH-{n}")),
            show_pseudonym: Set(n.is_multiple_of(3)),
            respondent_category: Set(match n % 10 {
                0 => RespondentCategory::Business,
                1 => RespondentCategory::CivilSociety,
                2 => RespondentCategory::Academic,
                _ => RespondentCategory::Individual,
            }),
            province: Set(Some("กรุงเทพมหานคร".into())),
            consent_version: Set(CONSENT_VERSION.into()),
            consent_at: Set(now),
            role: Set(Role::Citizen),
            agency_id: Set(None),
            created_at: Set(now),
            ..Default::default()
        });
        account::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
    }
    let account_ids: Vec<i64> = account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .filter(account::Column::Email.ends_with(format!("@{EMAIL_DOMAIN}")))
        .order_by_asc(account::Column::Id)
        .into_tuple()
        .all(&txn)
        .await?;

    // One session each; only the hashes are stored, the tokens go to the file.
    let mut tokens = String::with_capacity(account_ids.len() * 48);
    for chunk in account_ids.chunks(ACCOUNT_CHUNK) {
        let mut rows = Vec::with_capacity(chunk.len());
        for &account_id in chunk {
            let t = token::generate(TokenKind::Session);
            rows.push(session::ActiveModel {
                account_id: Set(account_id),
                token_hash: Set(token::hash(&t)),
                created_at: Set(now),
                expires_at: Set(now + chrono::Duration::days(SESSION_DAYS)),
                ..Default::default()
            });
            tokens.push_str(&t);
            tokens.push('\n');
        }
        session::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    std::fs::write(tokens_out, tokens).map_err(internal("writing the tokens file"))?;
    let accounts_elapsed = accounts_started.elapsed();
    eprintln!(
        "bench-seed: {} accounts and sessions in {:.1} s; tokens in {}",
        account_ids.len(),
        accounts_elapsed.as_secs_f64(),
        tokens_out.display()
    );

    // Comments.
    let comments_started = Instant::now();
    let max_chars = crate::sanitize::DEFAULT_MAX_CHARS;
    let bodies: Vec<String> = BODIES
        .iter()
        .map(|b| {
            CommentBody::parse(b, max_chars)
                .map(CommentBody::into_html)
                .map_err(|e| AppError::internal(format!("bench comment body: {e}")))
        })
        .collect::<AppResult<_>>()?;
    // Spread over the time the consultation has been open, oldest first as ids grow.
    let from = cons.opens_at;
    let span_ms = (now - from).num_milliseconds().max(1);
    let mut rng = SplitMix64(0x0072_7562_6661_6e67);
    let mut written = 0u64;
    while written < comments {
        let batch_end = (written + COMMENTS_PER_TXN).min(comments);
        let txn = db.begin().await?;
        while written < batch_end {
            let chunk_end = (written + COMMENT_CHUNK as u64).min(batch_end);
            let rows: Vec<comment::ActiveModel> = (written..chunk_end)
                .map(|i| {
                    comment_row(
                        &mut rng,
                        &cons,
                        &sections,
                        &account_ids,
                        &bodies,
                        created_at(from, span_ms, i, comments),
                    )
                })
                .collect();
            comment::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await?;
            written = chunk_end;
        }
        txn.commit().await?;
        let secs = comments_started.elapsed().as_secs_f64();
        eprintln!(
            "bench-seed: {written}/{comments} comments, {secs:.1} s ({:.0} rows/s)",
            written as f64 / secs.max(1e-9)
        );
    }
    // Fresh planner statistics, as a database that has been running would have.
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            db.execute_unprepared("ANALYZE").await?;
            db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                .await?;
        }
        _ => {
            db.execute_unprepared("ANALYZE").await?;
        }
    }
    let comments_elapsed = comments_started.elapsed();
    let comments_in_consultation = comment::Entity::find()
        .filter(comment::Column::ConsultationId.eq(cons.id))
        .count(db)
        .await?;

    Ok(BenchSeedReport {
        backend,
        draft_slug: draft_slug.to_owned(),
        consultation_id: cons.id,
        sections: sections.len(),
        accounts: u32::try_from(account_ids.len()).unwrap_or(u32::MAX),
        sessions: u32::try_from(account_ids.len()).unwrap_or(u32::MAX),
        comments,
        comments_in_consultation,
        accounts_elapsed,
        comments_elapsed,
        elapsed: started.elapsed(),
    })
}

/// The `i`-th of `n` comments is written this far into the consultation.
fn created_at(from: DateTime<Utc>, span_ms: i64, i: u64, n: u64) -> DateTime<Utc> {
    let offset = (i128::from(span_ms) * i128::from(i) / i128::from(n.max(1))) as i64;
    from + chrono::Duration::milliseconds(offset)
}

fn comment_row(
    rng: &mut SplitMix64,
    cons: &consultation::Model,
    sections: &[i64],
    account_ids: &[i64],
    bodies: &[String],
    at: DateTime<Utc>,
) -> comment::ActiveModel {
    let r = rng.next();
    // One in ten on the draft as a whole, the rest over its sections.
    let section_id = if sections.is_empty() || r.is_multiple_of(10) {
        None
    } else {
        Some(sections[((r >> 8) % sections.len() as u64) as usize])
    };
    let stance = match (r >> 32) % 10 {
        0..=3 => Some(Stance::Agree),
        4..=6 => Some(Stance::Disagree),
        7 => Some(Stance::Neutral),
        _ => None,
    };
    let author = account_ids[rng.below(account_ids.len() as u64) as usize];
    let body = &bodies[((r >> 40) % bodies.len() as u64) as usize];
    comment::ActiveModel {
        consultation_id: Set(cons.id),
        section_id: Set(section_id),
        parent_id: Set(None),
        depth: Set(0),
        author_id: Set(author),
        body: Set(body.clone()),
        stance: Set(stance),
        official_agency_id: Set(None),
        created_at: Set(at),
        edited_at: Set(None),
        withdrawn_at: Set(None),
        hidden_at: Set(None),
        hidden_reason: Set(None),
        idempotency_key: Set(None),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_bodies_sanitise_and_times_stay_in_the_span() {
        for b in BODIES {
            assert!(CommentBody::parse(b, crate::sanitize::DEFAULT_MAX_CHARS).is_ok());
        }
        let from = Utc::now() - chrono::Duration::days(5);
        let span = chrono::Duration::days(5).num_milliseconds();
        assert_eq!(created_at(from, span, 0, 10), from);
        assert!(created_at(from, span, 9, 10) < from + chrono::Duration::days(5));
        let mut rng = SplitMix64(1);
        assert!((0..1000).all(|_| rng.below(7) < 7));
    }
}
