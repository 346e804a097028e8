//! The Meilisearch backend, through `meilisearch-sdk`. Selected by `RUBFANG_MEILI_URL` and
//! `RUBFANG_MEILI_MASTER_KEY`; index names take a prefix (`RUBFANG_MEILI_INDEX_PREFIX`, default
//! `rubfang_`) so several deployments or test runs can share one server.
//!
//! A search is one federated multi-search over the indexes the filter allows, so hits of
//! drafts, sections and comments are ranked together, paginated together and their facets
//! merged. Every write waits for its task, so the indexer only forgets an outbox row once the
//! engine has really applied it.

use std::{collections::HashMap, time::Duration};

use async_trait::async_trait;
use meilisearch_sdk::{
    client::Client,
    errors::Error as MeiliError,
    search::{FederationOptions, MatchingStrategies, MergeFacets, Selectors},
    settings::Settings,
    task_info::TaskInfo,
    tasks::Task,
};

use super::{
    Change, FACETS, Hit, IndexKind, SearchBackend, SearchDoc, SearchRequest, SearchResults,
    SearchSettings, highlight,
};
use crate::error::{AppError, AppResult};

pub struct MeiliSearch {
    client: Client,
    prefix: String,
    settings: std::sync::Arc<SearchSettings>,
}

/// How long a write may take to be applied before the indexer gives up and retries.
const TASK_TIMEOUT: Duration = Duration::from_secs(120);
const TASK_POLL: Duration = Duration::from_millis(25);
/// Words around a match in a snippet.
const CROP_WORDS: usize = 30;

fn unavailable(e: MeiliError) -> AppError {
    match e {
        // Searched before the indexer's start-up set the indexes up.
        MeiliError::Meilisearch(m)
            if m.error_code == meilisearch_sdk::errors::ErrorCode::IndexNotFound =>
        {
            AppError::SearchUnavailable("the search indexes are being set up".into())
        }
        MeiliError::Meilisearch(m) => {
            AppError::internal(format!("meilisearch refused the request: {m}"))
        }
        other => AppError::SearchUnavailable(other.to_string()),
    }
}

/// A filter value, quoted for Meilisearch's filter syntax.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

impl MeiliSearch {
    pub fn new(
        url: &str,
        key: Option<&str>,
        prefix: &str,
        settings: std::sync::Arc<SearchSettings>,
    ) -> AppResult<MeiliSearch> {
        let client = Client::new(url, key).map_err(|e| {
            AppError::validation("RUBFANG_MEILI_URL", format!("not a usable address: {e}"))
        })?;
        Ok(MeiliSearch {
            client,
            prefix: prefix.to_owned(),
            settings,
        })
    }

    fn uid(&self, kind: IndexKind) -> String {
        format!("{}{}", self.prefix, kind.name())
    }

    async fn wait(&self, task: Result<TaskInfo, MeiliError>) -> AppResult<()> {
        let task = task
            .map_err(unavailable)?
            .wait_for_completion(&self.client, Some(TASK_POLL), Some(TASK_TIMEOUT))
            .await
            .map_err(unavailable)?;
        match task {
            Task::Failed { content } => Err(AppError::internal(format!(
                "meilisearch task failed: {}",
                content.error
            ))),
            _ => Ok(()),
        }
    }
}

#[async_trait]
impl SearchBackend for MeiliSearch {
    fn name(&self) -> &'static str {
        "meilisearch"
    }

    async fn setup(&self) -> AppResult<bool> {
        let mut created = false;
        for index in &self.settings.indexes {
            let uid = self.uid(index.kind);
            match self.client.get_index(&uid).await {
                Ok(_) => {}
                Err(MeiliError::Meilisearch(e))
                    if e.error_code == meilisearch_sdk::errors::ErrorCode::IndexNotFound =>
                {
                    self.wait(self.client.create_index(&uid, Some("id")).await)
                        .await?;
                    created = true;
                }
                Err(e) => return Err(unavailable(e)),
            }
            let settings: Settings = serde_json::from_value(index.raw.clone()).map_err(|e| {
                AppError::internal(format!("search-config/{}.json: {e}", index.kind.name()))
            })?;
            self.wait(self.client.index(&uid).set_settings(&settings).await)
                .await?;
        }
        Ok(created)
    }

    async fn apply(&self, changes: Vec<Change>) -> AppResult<()> {
        // Consecutive changes of one kind go in one request; the order between them is kept.
        let mut upserts: HashMap<IndexKind, Vec<SearchDoc>> = HashMap::new();
        let mut deletes: HashMap<IndexKind, Vec<i64>> = HashMap::new();
        let mut tasks = Vec::new();
        for change in changes {
            match change {
                Change::Upsert(doc) => {
                    if let Some(kind) = doc.index() {
                        if let Some(ids) = deletes.get_mut(&kind) {
                            ids.retain(|id| *id != doc.id);
                        }
                        upserts.entry(kind).or_default().push(*doc);
                    }
                }
                Change::Delete { index, id } => {
                    if let Some(docs) = upserts.get_mut(&index) {
                        docs.retain(|d| d.id != id);
                    }
                    deletes.entry(index).or_default().push(id);
                }
                Change::DeleteSectionsExcept {
                    draft_id,
                    keep_version,
                } => {
                    // The new version's sections go in first, then the old ones go: a search
                    // in between sees both, never neither.
                    if let Some(docs) = upserts.remove(&IndexKind::Sections) {
                        tasks.push(
                            self.client
                                .index(self.uid(IndexKind::Sections))
                                .add_or_replace(&docs, Some("id"))
                                .await,
                        );
                    }
                    let filter = match keep_version {
                        Some(v) => format!("draft_id = {draft_id} AND version_id != {v}"),
                        None => format!("draft_id = {draft_id}"),
                    };
                    let index = self.client.index(self.uid(IndexKind::Sections));
                    let mut query = meilisearch_sdk::documents::DocumentDeletionQuery::new(&index);
                    query.with_filter(&filter);
                    tasks.push(index.delete_documents_with(&query).await);
                }
            }
        }
        for (kind, docs) in upserts {
            if !docs.is_empty() {
                tasks.push(
                    self.client
                        .index(self.uid(kind))
                        .add_or_replace(&docs, Some("id"))
                        .await,
                );
            }
        }
        for (kind, ids) in deletes {
            if !ids.is_empty() {
                tasks.push(
                    self.client
                        .index(self.uid(kind))
                        .delete_documents(&ids)
                        .await,
                );
            }
        }
        // Tasks run in the order they were enqueued; waiting for each in that order waits for
        // them all.
        for task in tasks {
            self.wait(task).await?;
        }
        Ok(())
    }

    async fn clear(&self) -> AppResult<()> {
        for kind in IndexKind::ALL {
            self.wait(
                self.client
                    .index(self.uid(kind))
                    .delete_all_documents()
                    .await,
            )
            .await?;
        }
        Ok(())
    }

    async fn search(&self, request: &SearchRequest) -> AppResult<SearchResults> {
        let indexes = request.filter.indexes(&self.settings);
        if indexes.is_empty() {
            return Ok(SearchResults::default());
        }
        let handles: Vec<_> = indexes
            .iter()
            .map(|s| self.client.index(self.uid(s.kind)))
            .collect();
        let filters: Vec<String> = indexes
            .iter()
            .map(|s| {
                std::iter::once(format!("type = {}", quoted(s.kind.name())))
                    .chain(
                        request
                            .filter
                            .equals
                            .iter()
                            .map(|(a, v)| format!("{a} = {}", quoted(v))),
                    )
                    .collect::<Vec<_>>()
                    .join(" AND ")
            })
            .collect();
        let searchable: Vec<Vec<&str>> = indexes
            .iter()
            .map(|s| s.searchable.iter().map(String::as_str).collect())
            .collect();
        let crop: Vec<Vec<(&str, Option<usize>)>> = searchable
            .iter()
            .map(|attrs| attrs.iter().map(|a| (*a, Some(CROP_WORDS))).collect())
            .collect();
        let pre = highlight::PRE.to_string();
        let post = highlight::POST.to_string();
        let marker = highlight::CROP.to_string();
        let mut multi = self.client.multi_search();
        for (i, index) in handles.iter().enumerate() {
            let query = index
                .search()
                .with_query(&request.query)
                .with_filter(&filters[i])
                .with_matching_strategy(MatchingStrategies::ALL)
                .with_attributes_to_highlight(Selectors::Some(&searchable[i]))
                .with_attributes_to_crop(Selectors::Some(&crop[i]))
                .with_crop_marker(&marker)
                .with_highlight_pre_tag(&pre)
                .with_highlight_post_tag(&post)
                .build();
            multi.with_search_query(query);
        }
        let facets_by_index: HashMap<String, Vec<String>> = indexes
            .iter()
            .map(|s| {
                (
                    self.uid(s.kind),
                    FACETS
                        .iter()
                        .filter(|f| s.filters_on(f))
                        .map(|f| (*f).to_owned())
                        .collect(),
                )
            })
            .collect();
        let federated = multi.with_federation(FederationOptions {
            offset: Some(request.offset),
            limit: Some(request.limit),
            facets_by_index: request.facets.then_some(facets_by_index),
            merge_facets: request.facets.then_some(MergeFacets {
                max_values_per_facet: Some(100),
            }),
            ..Default::default()
        });
        let response = federated
            .execute::<SearchDoc>()
            .await
            .map_err(unavailable)?;
        let hits = response
            .hits
            .into_iter()
            .filter_map(|hit| {
                let kind = hit.result.index()?;
                let settings = self.settings.of(kind);
                let formatted = hit.formatted_result.unwrap_or_default();
                let text = |a: &str| formatted.get(a).and_then(|v| v.as_str()).map(str::to_owned);
                let marked = settings
                    .searchable
                    .iter()
                    .filter_map(|a| text(a))
                    .find(|t| t.contains(highlight::PRE))
                    .or_else(|| {
                        settings
                            .searchable
                            .iter()
                            .filter_map(|a| text(a))
                            .find(|t| !t.is_empty())
                    })
                    .unwrap_or_default();
                Some(Hit {
                    index: kind,
                    id: hit.result.id,
                    highlight: highlight::from_marked(&marked),
                })
            })
            .collect();
        let facets = response
            .facet_distribution
            .unwrap_or_default()
            .into_iter()
            .map(|(attribute, values)| {
                (
                    attribute,
                    values.into_iter().map(|(v, n)| (v, n as u64)).collect(),
                )
            })
            .collect();
        Ok(SearchResults {
            hits,
            total: response.estimated_total_hits,
            facets,
        })
    }
}
