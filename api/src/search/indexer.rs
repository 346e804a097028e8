//! The indexer: drains the outbox into the search engine in batches, retries with backoff while
//! the engine is down, and keeps the consultation status of drafts current as consultations
//! open and close with time. Several instances may run it at once: every batch is derived from
//! the rows as they are now, so doing one twice is harmless.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use serde::Serialize;

use super::{SearchBackend, documents, outbox};
use crate::{draft::service::TextCache, error::AppResult};

/// Outbox rows per batch.
const BATCH: u64 = 2_000;
/// The indexer commits at most once per this interval: under a flood of comments each commit
/// then carries many, and the engine's commits and merges stay off the writers' cores. Search
/// trails writes by about this much.
const COMMIT_EVERY: Duration = Duration::from_secs(1);
/// How often an idle indexer looks for new rows (other instances' writes included).
const IDLE_POLL: Duration = Duration::from_millis(200);
/// How often consultations that opened or closed are looked for.
const STATUS_EVERY: Duration = Duration::from_secs(30);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// The PostgreSQL advisory lock key of the indexer ("rubf").
const ADVISORY_LOCK: i64 = 0x7275_6266;
const WATERMARK: &str = "consultation_status_watermark";

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexerHealth {
    pub backend: &'static str,
    pub ready: bool,
    pub backlog: u64,
    pub oldest_pending_seconds: Option<i64>,
    pub last_error: Option<String>,
    pub failures_in_a_row: u32,
}

pub struct Indexer {
    db: DatabaseConnection,
    backend: Arc<dyn SearchBackend>,
    texts: Arc<TextCache>,
    failures: AtomicU32,
    last_error: Mutex<Option<String>>,
    ready: std::sync::atomic::AtomicBool,
    serial: tokio::sync::Mutex<()>,
}

/// What a rebuild did.
#[derive(Clone, Debug, Default)]
pub struct RebuildReport {
    pub drafts: usize,
    pub sections: usize,
    pub comments: usize,
    pub elapsed: Duration,
}

impl Indexer {
    pub fn new(
        db: DatabaseConnection,
        backend: Arc<dyn SearchBackend>,
        texts: Arc<TextCache>,
    ) -> Arc<Indexer> {
        Arc::new(Indexer {
            db,
            backend,
            texts,
            failures: AtomicU32::new(0),
            last_error: Mutex::new(None),
            ready: std::sync::atomic::AtomicBool::new(false),
            serial: tokio::sync::Mutex::new(()),
        })
    }

    /// Applies one batch; the number of outbox rows it cleared.
    ///
    /// Batches never overlap: a batch read before a comment was hidden but applied after the
    /// batch that removed it would put it back. In one process a mutex orders them; across
    /// instances on PostgreSQL an advisory lock held by the batch's transaction does (an
    /// instance that finds it taken does nothing this round). SQLite serves one instance.
    pub async fn drain_once(&self, limit: u64) -> AppResult<usize> {
        let _serial = self.serial.lock().await;
        if self.db.get_database_backend() == DbBackend::Postgres {
            let txn = self.db.begin().await?;
            let locked = txn
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    format!("SELECT pg_try_advisory_xact_lock({ADVISORY_LOCK}) AS locked"),
                ))
                .await?
                .and_then(|row| row.try_get::<bool>("", "locked").ok())
                .unwrap_or(false);
            if !locked {
                txn.rollback().await?;
                return Ok(0);
            }
            let n = self.drain_in(&txn, limit).await?;
            txn.commit().await?;
            Ok(n)
        } else {
            self.drain_in(&self.db, limit).await
        }
    }

    async fn drain_in(&self, db: &impl ConnectionTrait, limit: u64) -> AppResult<usize> {
        let (ids, subjects) = outbox::next_batch(db, limit).await?;
        if ids.is_empty() {
            return Ok(0);
        }
        let changes = documents::changes(db, &self.texts, &subjects, Utc::now()).await?;
        self.backend.apply(changes).await?;
        outbox::remove(db, &ids).await?;
        Ok(ids.len())
    }

    /// Drains until the outbox is empty (tests, `rubfang reindex --catch-up`).
    pub async fn catch_up(&self) -> AppResult<usize> {
        let mut total = 0;
        loop {
            let n = self.drain_once(BATCH).await?;
            if n == 0 {
                return Ok(total);
            }
            total += n;
        }
    }

    /// Queues drafts whose consultation opened or closed since the last look.
    pub async fn refresh_statuses(&self, now: DateTime<Utc>) -> AppResult<usize> {
        let since = outbox::get_state(&self.db, WATERMARK)
            .await?
            .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
            .map(|t| t.with_timezone(&Utc));
        let Some(since) = since else {
            // First run: a rebuild (or the writes themselves) set every status as of now.
            outbox::set_state(&self.db, WATERMARK, &now.to_rfc3339()).await?;
            return Ok(0);
        };
        let drafts = documents::drafts_with_status_change(&self.db, since, now).await?;
        let subjects: Vec<outbox::Subject> =
            drafts.iter().map(|d| outbox::Subject::Draft(*d)).collect();
        outbox::enqueue(&self.db, &subjects).await?;
        outbox::set_state(&self.db, WATERMARK, &now.to_rfc3339()).await?;
        Ok(drafts.len())
    }

    /// Empties the index and indexes every draft, section and visible comment again. Outbox
    /// rows written before the rebuild started are covered by it and cleared.
    pub async fn rebuild(&self) -> AppResult<RebuildReport> {
        let _serial = self.serial.lock().await;
        let started = Instant::now();
        let covered = outbox::last_id(&self.db).await?;
        let now = Utc::now();
        self.backend.clear().await?;
        let mut report = RebuildReport::default();
        for chunk in documents::all_draft_ids(&self.db).await?.chunks(20) {
            let subjects: Vec<_> = chunk.iter().map(|d| outbox::Subject::Draft(*d)).collect();
            let changes = documents::changes(&self.db, &self.texts, &subjects, now).await?;
            for c in &changes {
                if let super::Change::Upsert(doc) = c {
                    match doc.index() {
                        Some(super::IndexKind::Drafts) => report.drafts += 1,
                        Some(super::IndexKind::Sections) => report.sections += 1,
                        _ => {}
                    }
                }
            }
            self.backend.apply(changes).await?;
        }
        let mut after = 0;
        loop {
            let ids = documents::comment_ids_after(&self.db, after, 10_000).await?;
            let Some(&last) = ids.last() else { break };
            after = last;
            let subjects: Vec<_> = ids.iter().map(|c| outbox::Subject::Comment(*c)).collect();
            let changes = documents::changes(&self.db, &self.texts, &subjects, now).await?;
            report.comments += changes
                .iter()
                .filter(|c| matches!(c, super::Change::Upsert(_)))
                .count();
            self.backend.apply(changes).await?;
        }
        self.backend.optimize().await?;
        outbox::remove_through(&self.db, covered).await?;
        outbox::set_state(&self.db, WATERMARK, &now.to_rfc3339()).await?;
        report.elapsed = started.elapsed();
        Ok(report)
    }

    fn failed(&self, e: &crate::error::AppError) -> Duration {
        let n = self.failures.fetch_add(1, Ordering::SeqCst) + 1;
        let message = match e {
            crate::error::AppError::Internal(cause) => cause.to_string(),
            other => other.to_string(),
        };
        tracing::warn!(backend = self.backend.name(), failures = n, error = %message, "search indexing failed; will retry");
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(message);
        }
        (Duration::from_millis(500) * 2u32.saturating_pow(n.min(8) - 1)).min(BACKOFF_MAX)
    }

    fn succeeded(&self) {
        if self.failures.swap(0, Ordering::SeqCst) > 0 {
            tracing::info!(backend = self.backend.name(), "search indexing recovered");
        }
        if let Ok(mut last) = self.last_error.lock() {
            *last = None;
        }
    }

    /// Sets the engine up (rebuilding the index if it was created empty), then drains the
    /// outbox for as long as the process runs. Never returns an error: it waits and retries.
    pub async fn run(self: Arc<Self>) {
        loop {
            let setup = async {
                if self.backend.setup().await? {
                    let report = self.rebuild().await?;
                    tracing::info!(
                        backend = self.backend.name(),
                        drafts = report.drafts,
                        sections = report.sections,
                        comments = report.comments,
                        seconds = report.elapsed.as_secs_f64(),
                        "search index built"
                    );
                }
                AppResult::Ok(())
            };
            match setup.await {
                Ok(()) => break,
                Err(e) => tokio::time::sleep(self.failed(&e)).await,
            }
        }
        self.ready.store(true, Ordering::SeqCst);
        self.succeeded();
        let mut last_status = Instant::now() - STATUS_EVERY;
        loop {
            if last_status.elapsed() >= STATUS_EVERY {
                last_status = Instant::now();
                if let Err(e) = self.refresh_statuses(Utc::now()).await {
                    tracing::warn!(error = %e, "could not look for consultations that opened or closed");
                }
            }
            let started = Instant::now();
            match self.drain_once(BATCH).await {
                Ok(0) => {
                    self.succeeded();
                    tokio::time::sleep(IDLE_POLL).await;
                }
                Ok(_) => {
                    self.succeeded();
                    tokio::time::sleep(COMMIT_EVERY.saturating_sub(started.elapsed())).await;
                }
                Err(e) => tokio::time::sleep(self.failed(&e)).await,
            }
        }
    }

    pub async fn health(&self) -> IndexerHealth {
        let (backlog, oldest) = outbox::backlog(&self.db).await.unwrap_or((0, None));
        IndexerHealth {
            backend: self.backend.name(),
            ready: self.ready.load(Ordering::SeqCst),
            backlog,
            oldest_pending_seconds: oldest.map(|t| (Utc::now() - t).num_seconds().max(0)),
            last_error: self.last_error.lock().ok().and_then(|l| l.clone()),
            failures_in_a_row: self.failures.load(Ordering::SeqCst),
        }
    }
}
