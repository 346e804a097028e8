//! Search: one contract, two backends.
//!
//! - [`embedded`]: tantivy with charabia's Thai word segmentation, stored under the data
//!   directory. The default; nothing to install.
//! - [`meili`]: Meilisearch through `meilisearch-sdk`, for production and several instances.
//!
//! Both read the settings in `search-config/` ([`settings`]) and answer a [`SearchRequest`] with
//! the same [`SearchResults`]: hits with safe HTML snippets ([`highlight`]), facet counts and an
//! exact or estimated total. Writes never reach a backend directly: they leave a row in the
//! outbox ([`outbox`]) in their own transaction, and the [`indexer`] brings the index up to date.

pub mod analyzer;
pub mod documents;
pub mod embedded;
pub mod graphql;
pub mod highlight;
pub mod indexer;
pub mod meili;
pub mod outbox;
pub mod settings;

use std::{collections::BTreeMap, sync::Arc};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use self::settings::{IndexKind, SearchSettings};
use crate::error::{AppError, AppResult};

/// One document of one index. Attributes an index does not have are left out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchDoc {
    /// The row's id; unique within its index.
    pub id: i64,
    /// `drafts`, `sections` or `comments`: the index's name.
    #[serde(rename = "type")]
    pub kind: String,
    pub draft_id: i64,
    pub agency_id: i64,
    /// Buddhist Era year: of the draft's latest version for drafts and sections, of writing for
    /// comments.
    pub year: i32,

    // What is searched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft_title: Option<String>,

    // What is filtered and counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consultation_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instrument: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consultation_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stance: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respondent_category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub official: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<i64>,
}

impl SearchDoc {
    pub fn index(&self) -> Option<IndexKind> {
        IndexKind::from_name(&self.kind)
    }

    /// A searchable attribute's text.
    pub fn text(&self, attribute: &str) -> Option<&str> {
        match attribute {
            "title" => self.title.as_deref(),
            "title_en" => self.title_en.as_deref(),
            "rationale" => self.rationale.as_deref(),
            "agency_name" => self.agency_name.as_deref(),
            "label" => self.label.as_deref(),
            "heading" => self.heading.as_deref(),
            "body" => self.body.as_deref(),
            "draft_title" => self.draft_title.as_deref(),
            _ => None,
        }
    }

    /// A filterable attribute's value, as the filter and the facet counts spell it.
    pub fn facet(&self, attribute: &str) -> Option<String> {
        let n = |v: Option<i64>| v.map(|v| v.to_string());
        match attribute {
            "type" => Some(self.kind.clone()),
            "agency_id" => Some(self.agency_id.to_string()),
            "draft_id" => Some(self.draft_id.to_string()),
            "year" => Some(self.year.to_string()),
            "version_id" => n(self.version_id),
            "consultation_id" => n(self.consultation_id),
            "section_id" => n(self.section_id),
            "instrument" => self.instrument.clone(),
            "status" => self.status.clone(),
            "consultation_status" => self.consultation_status.clone(),
            "stance" => self.stance.clone(),
            "respondent_category" => self.respondent_category.clone(),
            "official" => self.official.map(|b| b.to_string()),
            _ => None,
        }
    }
}

/// A change to the index, worked out from the database by [`documents`].
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    Upsert(Box<SearchDoc>),
    Delete {
        index: IndexKind,
        id: i64,
    },
    /// Sections of a draft that are not in `keep_version` (a newer version replaced them, or
    /// the draft is gone when `keep_version` is `None`).
    DeleteSectionsExcept {
        draft_id: i64,
        keep_version: Option<i64>,
    },
}

/// Attribute = value conditions, all of which must hold. An index that cannot filter on one of
/// them (comments have no consultation status, drafts no stance) has no hit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Empty: every index.
    pub indexes: Vec<IndexKind>,
    pub equals: Vec<(&'static str, String)>,
}

impl Filter {
    /// The indexes this filter can match in.
    pub fn indexes<'s>(&self, settings: &'s SearchSettings) -> Vec<&'s settings::IndexSettings> {
        settings
            .indexes
            .iter()
            .filter(|i| self.indexes.is_empty() || self.indexes.contains(&i.kind))
            .filter(|i| self.equals.iter().all(|(a, _)| i.filters_on(a)))
            .collect()
    }
}

/// The attributes whose values are counted for every search.
pub const FACETS: [&str; 6] = [
    "type",
    "agency_id",
    "consultation_status",
    "year",
    "stance",
    "respondent_category",
];

#[derive(Clone, Debug)]
pub struct SearchRequest {
    pub query: String,
    pub filter: Filter,
    pub offset: usize,
    pub limit: usize,
    /// Count facet values (costs a pass over every match; skipped when nobody asked).
    pub facets: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub index: IndexKind,
    pub id: i64,
    /// Safe HTML: text escaped, matches in `<mark>`.
    pub highlight: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    /// Exact on the embedded backend; Meilisearch's estimate (exact below 1,000 hits).
    pub total: usize,
    /// Attribute → value → documents matching.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
}

/// A search engine behind the contract.
#[async_trait]
pub trait SearchBackend: Send + Sync {
    /// `embedded` or `meilisearch`.
    fn name(&self) -> &'static str;

    /// Creates the indexes and applies `search-config/` (idempotent). True when the indexes
    /// were created empty, so the database must be indexed again.
    async fn setup(&self) -> AppResult<bool>;

    /// Applies changes in order; returns once they are searchable.
    async fn apply(&self, changes: Vec<Change>) -> AppResult<()>;

    /// Empties every index (before a rebuild).
    async fn clear(&self) -> AppResult<()>;

    /// Compacts the index after a rebuild, where the engine benefits.
    async fn optimize(&self) -> AppResult<()> {
        Ok(())
    }

    async fn search(&self, request: &SearchRequest) -> AppResult<SearchResults>;
}

/// The search engine and the indexer that feeds it, as the server holds them.
pub struct Search {
    pub backend: Arc<dyn SearchBackend>,
    pub indexer: Arc<indexer::Indexer>,
    /// Set on the embedded engine, for operators' and tests' outage switch.
    pub embedded: Option<embedded::EmbeddedSearch>,
}

impl Search {
    pub fn open(
        config: &crate::config::SearchConfig,
        db: sea_orm::DatabaseConnection,
        texts: Arc<crate::draft::service::TextCache>,
    ) -> AppResult<Search> {
        use secrecy::ExposeSecret;
        let settings = Arc::new(SearchSettings::load()?);
        let (backend, embedded): (Arc<dyn SearchBackend>, _) = match config {
            crate::config::SearchConfig::Embedded { dir } => {
                let e = embedded::EmbeddedSearch::open(dir.as_deref(), settings)?;
                (Arc::new(e.clone()), Some(e))
            }
            crate::config::SearchConfig::Meilisearch {
                url,
                master_key,
                index_prefix,
            } => (
                Arc::new(meili::MeiliSearch::new(
                    url,
                    master_key.as_ref().map(|k| k.expose_secret()),
                    index_prefix,
                    settings,
                )?),
                None,
            ),
        };
        let indexer = indexer::Indexer::new(db, backend.clone(), texts);
        Ok(Search {
            backend,
            indexer,
            embedded,
        })
    }
}

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// A query as typed: trimmed, not empty, not too long.
pub fn parse_query(raw: &str) -> AppResult<String> {
    let q = raw.trim();
    if q.is_empty() {
        return Err(AppError::validation(
            "query",
            "type something to search for",
        ));
    }
    let n = q.chars().count();
    if n > MAX_QUERY_CHARS {
        return Err(AppError::validation(
            "query",
            format!("the query is {n} characters; at most {MAX_QUERY_CHARS} are searched"),
        ));
    }
    // The highlight sentinels are not text.
    Ok(q.replace([highlight::PRE, highlight::POST], ""))
}

/// Text as indexed: without the characters the highlighter reserves.
pub fn index_text(text: &str) -> String {
    text.replace([highlight::PRE, highlight::POST], "")
}
