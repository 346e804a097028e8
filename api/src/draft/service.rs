//! Reading and writing drafts, their versions, headings and sections. The only code that touches
//! those tables.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait, sea_query::Query,
};

use super::{
    DraftStatus, HeadingLevel, InstrumentKind,
    entity::{draft, heading, section, version},
};
use crate::{
    account::Viewer,
    consultation::entity as consultation,
    error::{AppError, AppResult},
    graphql::relay::{Page, PageRequest},
    lawtext::ParsedLaw,
};

/// Filters of `drafts(filter:)`.
#[derive(Clone, Debug, Default)]
pub struct DraftFilter {
    pub kind: Option<InstrumentKind>,
    pub agency_id: Option<i64>,
    pub status: Option<DraftStatus>,
    /// Only drafts with (`true`) or without (`false`) a consultation open at `now`.
    pub consultation_open: Option<bool>,
}

impl DraftFilter {
    fn condition(&self, now: DateTime<Utc>) -> Condition {
        let mut cond = Condition::all();
        if let Some(kind) = self.kind {
            cond = cond.add(draft::Column::Kind.eq(kind));
        }
        if let Some(agency) = self.agency_id {
            cond = cond.add(draft::Column::LeadAgencyId.eq(agency));
        }
        if let Some(status) = self.status {
            cond = cond.add(draft::Column::Status.eq(status));
        }
        if let Some(open) = self.consultation_open {
            let open_now = Query::select()
                .column(consultation::Column::DraftId)
                .from(consultation::Entity)
                .and_where(consultation::Column::OpensAt.lte(now))
                .and_where(consultation::Column::ClosesAt.gt(now))
                .to_owned();
            cond = cond.add(if open {
                draft::Column::Id.in_subquery(open_now)
            } else {
                draft::Column::Id.not_in_subquery(open_now)
            });
        }
        cond
    }
}

/// Newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &DraftFilter,
    page: PageRequest,
    now: DateTime<Utc>,
) -> AppResult<Page<draft::Model>> {
    let mut query = draft::Entity::find()
        .filter(filter.condition(now))
        .order_by_desc(draft::Column::Id);
    if let Some(after) = page.after {
        query = query.filter(draft::Column::Id.lt(after));
    }
    let rows = query.limit(page.fetch_limit()).all(db).await?;
    Ok(Page::from_rows(rows, page))
}

pub async fn count(
    db: &impl ConnectionTrait,
    filter: &DraftFilter,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    Ok(draft::Entity::find()
        .filter(filter.condition(now))
        .count(db)
        .await?)
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<Option<draft::Model>> {
    Ok(draft::Entity::find_by_id(id).one(db).await?)
}

pub async fn by_slug(db: &impl ConnectionTrait, slug: &str) -> AppResult<Option<draft::Model>> {
    Ok(draft::Entity::find()
        .filter(draft::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// Versions of a draft, oldest first.
pub async fn versions(
    db: &impl ConnectionTrait,
    draft_id: i64,
    page: PageRequest,
) -> AppResult<Page<version::Model>> {
    let mut query = version::Entity::find()
        .filter(version::Column::DraftId.eq(draft_id))
        .order_by_asc(version::Column::Number);
    if let Some(after) = page.after {
        query = query.filter(version::Column::Number.gt(after));
    }
    let rows = query.limit(page.fetch_limit()).all(db).await?;
    Ok(Page::from_rows(rows, page))
}

pub async fn count_versions(db: &impl ConnectionTrait, draft_id: i64) -> AppResult<u64> {
    Ok(version::Entity::find()
        .filter(version::Column::DraftId.eq(draft_id))
        .count(db)
        .await?)
}

/// The latest published version.
pub async fn current_version(
    db: &impl ConnectionTrait,
    draft_id: i64,
) -> AppResult<Option<version::Model>> {
    Ok(version::Entity::find()
        .filter(version::Column::DraftId.eq(draft_id))
        .filter(version::Column::PublishedAt.is_not_null())
        .order_by_desc(version::Column::Number)
        .one(db)
        .await?)
}

pub async fn version(db: &impl ConnectionTrait, id: i64) -> AppResult<Option<version::Model>> {
    Ok(version::Entity::find_by_id(id).one(db).await?)
}

pub async fn heading(db: &impl ConnectionTrait, id: i64) -> AppResult<Option<heading::Model>> {
    Ok(heading::Entity::find_by_id(id).one(db).await?)
}

pub async fn section(db: &impl ConnectionTrait, id: i64) -> AppResult<Option<section::Model>> {
    Ok(section::Entity::find_by_id(id).one(db).await?)
}

/// Drafts by id, in one query (those that exist).
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[i64]) -> AppResult<Vec<draft::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(draft::Entity::find()
        .filter(draft::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?)
}

/// Sections by id, in one query (those that exist).
pub async fn sections_by_ids(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<Vec<section::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(section::Entity::find()
        .filter(section::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?)
}

/// The whole text of one version: its headings and sections in order. A version never changes
/// once written (a change is a new version), so it is safe to keep in memory and to share
/// between requests, and between instances it is the same everywhere.
#[derive(Debug)]
pub struct VersionText {
    pub headings: Vec<heading::Model>,
    pub sections: Vec<section::Model>,
    heading_index: HashMap<i64, usize>,
    bytes: usize,
}

impl VersionText {
    fn new(headings: Vec<heading::Model>, sections: Vec<section::Model>) -> Self {
        let heading_index = headings
            .iter()
            .enumerate()
            .map(|(i, h)| (h.id, i))
            .collect();
        let bytes = sections
            .iter()
            .map(|s| s.body.len() + s.label.len() + 64)
            .sum::<usize>()
            + headings.iter().map(|h| h.title.len() + 64).sum::<usize>();
        Self {
            headings,
            sections,
            heading_index,
            bytes,
        }
    }

    pub fn heading_by_id(&self, id: i64) -> Option<&heading::Model> {
        self.heading_index.get(&id).map(|&i| &self.headings[i])
    }

    /// From the outermost heading down to `heading_id`.
    pub fn heading_path(&self, heading_id: Option<i64>) -> Vec<&heading::Model> {
        let mut path = Vec::new();
        let mut next = heading_id;
        // Bounded by the number of headings, so a corrupt parent loop cannot spin forever.
        while let Some(h) = next.and_then(|id| self.heading_by_id(id)) {
            if path.len() > self.headings.len() {
                break;
            }
            path.push(h);
            next = h.parent_id;
        }
        path.reverse();
        path
    }

    pub fn children(&self, parent: Option<i64>) -> impl Iterator<Item = &heading::Model> {
        self.headings.iter().filter(move |h| h.parent_id == parent)
    }

    /// Indexes into `sections` of the page after position `after` (see `Page::from_rows`);
    /// indexes, not copies, so reading a whole version copies no text here.
    pub fn sections_page(&self, page: PageRequest, heading: Option<i64>) -> Page<usize> {
        let start = page.after.map_or(0, |after| {
            self.sections
                .partition_point(|s| i64::from(s.position) <= after)
        });
        let rows = (start..self.sections.len())
            .filter(|&i| heading.is_none() || self.under(self.sections[i].heading_id, heading))
            .take(page.limit + 1)
            .collect();
        Page::from_rows(rows, page)
    }

    /// Where the section with row id `id` sits in `sections`.
    pub fn section_index(&self, id: i64) -> Option<usize> {
        self.sections.iter().position(|s| s.id == id)
    }

    pub fn count_sections(&self, heading: Option<i64>) -> u64 {
        self.sections
            .iter()
            .filter(|s| heading.is_none() || self.under(s.heading_id, heading))
            .count() as u64
    }

    /// Is a section with `heading_id` inside `ancestor` (at any depth)?
    fn under(&self, heading_id: Option<i64>, ancestor: Option<i64>) -> bool {
        self.heading_path(heading_id)
            .iter()
            .any(|h| Some(h.id) == ancestor)
    }
}

/// Version texts kept in memory, bounded by size; the least recently used goes first.
#[derive(Debug)]
pub struct TextCache {
    inner: Mutex<CacheInner>,
    max_bytes: usize,
}

#[derive(Debug, Default)]
struct CacheInner {
    entries: HashMap<i64, (Arc<VersionText>, u64)>,
    clock: u64,
    bytes: usize,
}

impl TextCache {
    pub fn new(max_bytes: usize) -> Self {
        Self {
            inner: Mutex::new(CacheInner::default()),
            max_bytes,
        }
    }

    fn get(&self, version_id: i64) -> Option<Arc<VersionText>> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.clock += 1;
        let now = inner.clock;
        inner.entries.get_mut(&version_id).map(|(text, used)| {
            *used = now;
            text.clone()
        })
    }

    fn put(&self, version_id: i64, text: Arc<VersionText>) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.clock += 1;
        let now = inner.clock;
        inner.bytes += text.bytes;
        if let Some((old, _)) = inner.entries.insert(version_id, (text, now)) {
            inner.bytes -= old.bytes;
        }
        while inner.bytes > self.max_bytes && inner.entries.len() > 1 {
            let Some(oldest) = inner
                .entries
                .iter()
                .filter(|(id, _)| **id != version_id)
                .min_by_key(|(_, (_, used))| *used)
                .map(|(id, _)| *id)
            else {
                break;
            };
            if let Some((old, _)) = inner.entries.remove(&oldest) {
                inner.bytes -= old.bytes;
            }
        }
    }
}

/// The text of a version, from memory when it was read before.
pub async fn version_text(
    db: &impl ConnectionTrait,
    cache: &TextCache,
    version_id: i64,
) -> AppResult<Arc<VersionText>> {
    if let Some(text) = cache.get(version_id) {
        return Ok(text);
    }
    let headings = heading::Entity::find()
        .filter(heading::Column::VersionId.eq(version_id))
        .order_by_asc(heading::Column::Position)
        .all(db)
        .await?;
    let sections = section::Entity::find()
        .filter(section::Column::VersionId.eq(version_id))
        .order_by_asc(section::Column::Position)
        .all(db)
        .await?;
    let text = Arc::new(VersionText::new(headings, sections));
    cache.put(version_id, text.clone());
    Ok(text)
}

/// What it takes to create a draft, besides its text.
#[derive(Clone, Debug)]
pub struct NewDraft {
    pub slug: Option<String>,
    pub kind: InstrumentKind,
    pub title_th: String,
    pub title_en: Option<String>,
    pub lead_agency_id: i64,
    pub rationale: Option<String>,
    pub status: DraftStatus,
    /// National-security exemption from consultation, with its recorded reason.
    pub security_exempt_reason: Option<String>,
}

/// Creates a draft and its first version from parsed text. Call inside a transaction: either
/// everything is written or nothing is.
pub async fn create_from_parsed(
    txn: &impl ConnectionTrait,
    new: NewDraft,
    parsed: &ParsedLaw,
    published_at: Option<DateTime<Utc>>,
) -> AppResult<(draft::Model, version::Model)> {
    if new.title_th.trim().is_empty() {
        return Err(AppError::validation(
            "titleTh",
            "the draft needs a Thai title",
        ));
    }
    let slug = match new.slug {
        Some(slug) => {
            let slug = crate::slug::parse(&slug, "slug")?;
            if by_slug(txn, &slug).await?.is_some() {
                return Err(AppError::Conflict(format!(
                    "a draft with slug `{slug}` already exists"
                )));
            }
            slug
        }
        None => free_slug(txn, new.kind, &new.title_th).await?,
    };
    let now = Utc::now();
    let draft = draft::ActiveModel {
        slug: Set(slug),
        kind: Set(new.kind),
        title_th: Set(new.title_th.trim().to_owned()),
        title_en: Set(new.title_en),
        lead_agency_id: Set(new.lead_agency_id),
        rationale: Set(new.rationale),
        status: Set(new.status),
        security_exempt: Set(new.security_exempt_reason.is_some()),
        security_exempt_reason: Set(new.security_exempt_reason),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let version = insert_version(txn, &draft, 1, parsed, None, published_at).await?;
    Ok((draft, version))
}

/// Writes one version with its headings and sections.
pub async fn insert_version(
    txn: &impl ConnectionTrait,
    draft: &draft::Model,
    number: i32,
    parsed: &ParsedLaw,
    change_note: Option<String>,
    published_at: Option<DateTime<Utc>>,
) -> AppResult<version::Model> {
    if parsed.sections.is_empty() {
        return Err(AppError::validation(
            "text",
            "the text has no sections (มาตรา)",
        ));
    }
    let preamble = parsed
        .preamble
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let version = version::ActiveModel {
        draft_id: Set(draft.id),
        number: Set(number),
        title_th: Set(parsed.title.clone()),
        provision_unit: Set(parsed.unit.into()),
        preamble: Set(preamble),
        change_note: Set(change_note),
        published_at: Set(published_at),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;

    // Headings one by one: each needs its parent's id, and there are few of them.
    let mut heading_ids = Vec::with_capacity(parsed.headings.len());
    for (position, h) in parsed.headings.iter().enumerate() {
        let parent_id = h.parent.and_then(|p| heading_ids.get(p).copied());
        let row = heading::ActiveModel {
            version_id: Set(version.id),
            position: Set(position as i32),
            level: Set(HeadingLevel::from(h.level)),
            number: Set(h.number.clone()),
            title: Set(h.title.clone()),
            parent_id: Set(parent_id),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        heading_ids.push(row.id);
    }

    let mut keys = std::collections::HashSet::new();
    let rows: Vec<section::ActiveModel> = parsed
        .sections
        .iter()
        .enumerate()
        .map(|(position, s)| {
            let key = s.number.key();
            if !keys.insert(key.clone()) {
                return Err(AppError::validation(
                    "text",
                    format!("section {} appears twice", s.label),
                ));
            }
            Ok(section::ActiveModel {
                version_id: Set(version.id),
                position: Set(position as i32),
                label: Set(s.label.clone()),
                section_key: Set(key),
                sort_key: Set(s.number.sort_key()),
                heading_id: Set(s.heading.and_then(|h| heading_ids.get(h).copied())),
                body: Set(s.text.clone()),
                ..Default::default()
            })
        })
        .collect::<AppResult<_>>()?;
    // Eight bound values a row; chunks stay far below every backend's parameter limit.
    for chunk in rows.chunks(500) {
        section::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await?;
    }
    // The draft and the sections of its current version are searched.
    crate::search::outbox::enqueue(txn, &[crate::search::outbox::Subject::Draft(draft.id)]).await?;
    Ok(version)
}

/// `act-2540`, or `act-2540-2` when taken. The year is the last Buddhist Era year in the title.
async fn free_slug(
    db: &impl ConnectionTrait,
    kind: InstrumentKind,
    title: &str,
) -> AppResult<String> {
    let arabic = crate::thai::thai_digits_to_arabic(title);
    let year = arabic
        .split(|c: char| !c.is_ascii_digit())
        .rfind(|w| w.len() == 4)
        .map(str::to_owned);
    let base = match year {
        Some(y) => format!("{}-{y}", kind.slug_prefix()),
        None => kind.slug_prefix().to_owned(),
    };
    let taken: Vec<String> = draft::Entity::find()
        .filter(draft::Column::Slug.starts_with(base.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.slug)
        .collect();
    if !taken.contains(&base) {
        return Ok(base);
    }
    let n = (2..)
        .find(|n| !taken.contains(&format!("{base}-{n}")))
        .unwrap_or(2);
    Ok(format!("{base}-{n}"))
}

pub async fn count_all(db: &impl ConnectionTrait) -> AppResult<u64> {
    Ok(draft::Entity::find().count(db).await?)
}

/// Creates a draft from parsed text for an agency the viewer manages, in one transaction.
pub async fn create_for_agency(
    db: &DatabaseConnection,
    viewer: &Viewer,
    new: NewDraft,
    parsed: ParsedLaw,
) -> AppResult<draft::Model> {
    viewer.require_manages(new.lead_agency_id, "publish drafts for this agency")?;
    Ok(db
        .transaction::<_, draft::Model, AppError>(|txn| {
            Box::pin(async move {
                let (d, _) = create_from_parsed(txn, new, &parsed, Some(Utc::now())).await?;
                Ok(d)
            })
        })
        .await?)
}

/// Publishes the next version of a draft from parsed text.
pub async fn publish_version(
    db: &DatabaseConnection,
    viewer: &Viewer,
    draft_id: i64,
    parsed: ParsedLaw,
    change_note: Option<String>,
) -> AppResult<version::Model> {
    let viewer = viewer.clone();
    Ok(db
        .transaction::<_, version::Model, AppError>(|txn| {
            Box::pin(async move {
                // Serialises versions of one draft (their numbers).
                if !crate::db::lock_row::<draft::Entity>(txn, draft::Column::Id, draft_id).await? {
                    return Err(AppError::not_found("draft"));
                }
                let d = get(txn, draft_id)
                    .await?
                    .ok_or_else(|| AppError::not_found("draft"))?;
                viewer.require_manages(d.lead_agency_id, "publish versions of this draft")?;
                let number = current_version(txn, d.id).await?.map_or(0, |v| v.number) + 1;
                let v =
                    insert_version(txn, &d, number, &parsed, change_note, Some(Utc::now())).await?;
                let mut row: draft::ActiveModel = d.into();
                row.updated_at = Set(Utc::now());
                row.update(txn).await?;
                Ok(v)
            })
        })
        .await?)
}

/// The section ids of a version, in order.
pub async fn section_ids(db: &impl ConnectionTrait, version_id: i64) -> AppResult<Vec<i64>> {
    Ok(section::Entity::find()
        .select_only()
        .column(section::Column::Id)
        .filter(section::Column::VersionId.eq(version_id))
        .order_by_asc(section::Column::Position)
        .into_tuple()
        .all(db)
        .await?)
}
