//! What the index should hold, read from the database: the changes that bring the index in line
//! with the current rows of some subjects. Always derived from the rows as they are now, so
//! applying the same subjects twice, or out of order, converges on the same index.
//!
//! Never indexed: e-mail addresses, display names, provinces or any other account data (a
//! comment carries only its author's respondent category), comment revisions, hidden or
//! withdrawn comments.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Utc};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{Change, IndexKind, SearchDoc, index_text, outbox::Subject};
use crate::{
    account::entity::account,
    agency::entity as agency,
    comment::entity::comment,
    consultation::{ConsultationState, entity as consultation},
    draft::{
        entity::draft,
        graphql::heading_display,
        service::{self as drafts, TextCache},
    },
    error::AppResult,
};

/// The Buddhist Era year of an instant, in Thailand.
fn be_year(at: DateTime<Utc>) -> i32 {
    at.with_timezone(&crate::consultation::bangkok()).year() + 543
}

fn enum_value<E: ActiveEnum<Value = String>>(e: &E) -> String {
    e.to_value()
}

/// The changes for `subjects`, in order.
pub async fn changes(
    db: &impl ConnectionTrait,
    texts: &TextCache,
    subjects: &[Subject],
    now: DateTime<Utc>,
) -> AppResult<Vec<Change>> {
    let mut out = Vec::new();
    let mut comment_ids = Vec::new();
    for subject in subjects {
        match *subject {
            Subject::Draft(id) => draft_changes(db, texts, id, now, &mut out).await?,
            Subject::Comment(id) => comment_ids.push(id),
        }
    }
    for chunk in comment_ids.chunks(2000) {
        comment_changes(db, chunk, &mut out).await?;
    }
    Ok(out)
}

/// `none`, `upcoming`, `open` or `closed`: the state of the draft's latest consultation.
async fn consultation_status(
    db: &impl ConnectionTrait,
    draft_id: i64,
    now: DateTime<Utc>,
) -> AppResult<&'static str> {
    let latest = consultation::Entity::find()
        .filter(consultation::Column::DraftId.eq(draft_id))
        .order_by_desc(consultation::Column::OpensAt)
        .one(db)
        .await?;
    Ok(match latest.map(|c| c.state_at(now)) {
        None => "none",
        Some(ConsultationState::Scheduled) => "upcoming",
        Some(ConsultationState::Open) => "open",
        Some(ConsultationState::Closed) => "closed",
    })
}

async fn draft_changes(
    db: &impl ConnectionTrait,
    texts: &TextCache,
    draft_id: i64,
    now: DateTime<Utc>,
    out: &mut Vec<Change>,
) -> AppResult<()> {
    let Some(d) = draft::Entity::find_by_id(draft_id).one(db).await? else {
        out.push(Change::Delete {
            index: IndexKind::Drafts,
            id: draft_id,
        });
        out.push(Change::DeleteSectionsExcept {
            draft_id,
            keep_version: None,
        });
        return Ok(());
    };
    let agency_name = agency::Entity::find_by_id(d.lead_agency_id)
        .one(db)
        .await?
        .map(|a| a.name_th);
    let version = drafts::current_version(db, d.id).await?;
    let status = consultation_status(db, d.id, now).await?;
    let year = be_year(
        version
            .as_ref()
            .and_then(|v| v.published_at)
            .unwrap_or(d.created_at),
    );
    let instrument = enum_value(&d.kind);
    let draft_status = enum_value(&d.status);
    out.push(Change::Upsert(Box::new(SearchDoc {
        id: d.id,
        kind: IndexKind::Drafts.name().to_owned(),
        draft_id: d.id,
        agency_id: d.lead_agency_id,
        year,
        title: Some(index_text(&d.title_th)),
        title_en: d.title_en.as_deref().map(index_text),
        rationale: d.rationale.as_deref().map(index_text),
        agency_name: agency_name.as_deref().map(index_text),
        instrument: Some(instrument.clone()),
        status: Some(draft_status.clone()),
        consultation_status: Some(status.to_owned()),
        updated_at: Some(d.updated_at.timestamp()),
        ..Default::default()
    })));
    let Some(version) = version else {
        out.push(Change::DeleteSectionsExcept {
            draft_id,
            keep_version: None,
        });
        return Ok(());
    };
    let text = drafts::version_text(db, texts, version.id).await?;
    for s in &text.sections {
        let heading = text
            .heading_path(s.heading_id)
            .into_iter()
            .map(heading_display)
            .collect::<Vec<_>>()
            .join(" › ");
        out.push(Change::Upsert(Box::new(SearchDoc {
            id: s.id,
            kind: IndexKind::Sections.name().to_owned(),
            draft_id: d.id,
            agency_id: d.lead_agency_id,
            year,
            // `มาตรา ๑๕/๑ 15/1`: found by either digits.
            label: Some(index_text(&format!(
                "{} {} {}",
                version.provision_unit.thai_word(),
                s.label,
                crate::thai::thai_digits_to_arabic(&s.label)
            ))),
            heading: (!heading.is_empty()).then(|| index_text(&heading)),
            body: Some(index_text(&s.body)),
            draft_title: Some(index_text(&d.title_th)),
            version_id: Some(version.id),
            instrument: Some(instrument.clone()),
            status: Some(draft_status.clone()),
            consultation_status: Some(status.to_owned()),
            position: Some(s.position),
            ..Default::default()
        })));
    }
    out.push(Change::DeleteSectionsExcept {
        draft_id,
        keep_version: Some(version.id),
    });
    Ok(())
}

async fn comment_changes(
    db: &impl ConnectionTrait,
    ids: &[i64],
    out: &mut Vec<Change>,
) -> AppResult<()> {
    let rows = comment::Entity::find()
        .filter(comment::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?;
    let consultation_ids: HashSet<i64> = rows.iter().map(|c| c.consultation_id).collect();
    let consultations: HashMap<i64, i64> = consultation::Entity::find()
        .filter(consultation::Column::Id.is_in(consultation_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.draft_id))
        .collect();
    let mut draft_ids: Vec<i64> = consultations.values().copied().collect();
    draft_ids.sort_unstable();
    draft_ids.dedup();
    let agencies: HashMap<i64, i64> = drafts::by_ids(db, &draft_ids)
        .await?
        .into_iter()
        .map(|d| (d.id, d.lead_agency_id))
        .collect();
    let author_ids: HashSet<i64> = rows.iter().map(|c| c.author_id).collect();
    let categories: HashMap<i64, String> = account::Entity::find()
        .filter(account::Column::Id.is_in(author_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, enum_value(&a.respondent_category)))
        .collect();
    let mut found = HashSet::new();
    for c in rows {
        found.insert(c.id);
        let placed = consultations
            .get(&c.consultation_id)
            .and_then(|draft_id| Some((*draft_id, *agencies.get(draft_id)?)));
        let (Some((draft_id, agency_id)), true) =
            (placed, c.hidden_at.is_none() && c.withdrawn_at.is_none())
        else {
            out.push(Change::Delete {
                index: IndexKind::Comments,
                id: c.id,
            });
            continue;
        };
        out.push(Change::Upsert(Box::new(SearchDoc {
            id: c.id,
            kind: IndexKind::Comments.name().to_owned(),
            draft_id,
            agency_id,
            year: be_year(c.created_at),
            body: Some(index_text(&crate::sanitize::html_to_text(&c.body))),
            consultation_id: Some(c.consultation_id),
            section_id: c.section_id,
            stance: c.stance.as_ref().map(enum_value),
            respondent_category: categories.get(&c.author_id).cloned(),
            official: Some(c.official_agency_id.is_some()),
            created_at: Some(c.created_at.timestamp()),
            ..Default::default()
        })));
    }
    for id in ids {
        if !found.contains(id) {
            out.push(Change::Delete {
                index: IndexKind::Comments,
                id: *id,
            });
        }
    }
    Ok(())
}

/// Every draft, for a rebuild.
pub async fn all_draft_ids(db: &impl ConnectionTrait) -> AppResult<Vec<i64>> {
    Ok(draft::Entity::find()
        .order_by_asc(draft::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect())
}

/// Comment ids after `after`, in order, for a rebuild in pages.
pub async fn comment_ids_after(
    db: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> AppResult<Vec<i64>> {
    use sea_orm::QuerySelect;
    Ok(comment::Entity::find()
        .select_only()
        .column(comment::Column::Id)
        .filter(comment::Column::Id.gt(after))
        .filter(comment::Column::HiddenAt.is_null())
        .filter(comment::Column::WithdrawnAt.is_null())
        .order_by_asc(comment::Column::Id)
        .limit(limit)
        .into_tuple::<i64>()
        .all(db)
        .await?)
}

/// Drafts whose latest consultation opened or closed in `(since, until]`: their status changed
/// with the passing of time, with no write to say so.
pub async fn drafts_with_status_change(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> AppResult<Vec<i64>> {
    use sea_orm::Condition;
    let mut ids: Vec<i64> = consultation::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(consultation::Column::OpensAt.gt(since))
                        .add(consultation::Column::OpensAt.lte(until)),
                )
                .add(
                    Condition::all()
                        .add(consultation::Column::ClosesAt.gt(since))
                        .add(consultation::Column::ClosesAt.lte(until)),
                ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.draft_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}
