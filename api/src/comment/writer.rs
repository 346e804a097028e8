//! Group commit of comments on SQLite. SQLite takes one writer at a time, and each statement
//! costs a hop to the driver's thread; one transaction per comment spends most of its time on
//! `BEGIN`, the deadline read and `COMMIT`. Here one task owns the write connection and writes
//! the comments waiting at that moment in one transaction: per comment only the quota upsert
//! and the insert, per batch one deadline read per consultation and one commit. Every comment
//! is still checked on its own (deadline at the instant of the batch, quota, idempotency key),
//! a refused one leaves no trace (SQLite rolls back just the failed statement; a refused
//! quota is given back), and each request is answered only after the commit.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, SqlErr,
    TransactionTrait,
};
use tokio::sync::{mpsc, oneshot};

use super::{
    entity::comment,
    service::{PostError, charge_daily_quota, refund_daily_quota},
};
use crate::{
    consultation::{ConsultationState, entity as consultation},
    error::AppError,
};

/// Comments written in one transaction at most.
const MAX_BATCH: usize = 128;

/// One comment to write.
pub(super) struct Job {
    pub account_id: i64,
    pub daily_limit: u32,
    pub consultation_id: i64,
    pub has_key: bool,
    pub row: comment::ActiveModel,
    pub reply: oneshot::Sender<Result<comment::Model, PostError>>,
}

/// The handle requests send their comments through.
#[derive(Clone, Debug)]
pub struct CommentWriter {
    jobs: mpsc::Sender<Job>,
}

impl CommentWriter {
    /// Starts the writer task on `db` (a dedicated connection).
    pub fn start(db: DatabaseConnection) -> Self {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(db, queue));
        Self { jobs }
    }

    pub(super) async fn write(
        &self,
        job: impl FnOnce(oneshot::Sender<Result<comment::Model, PostError>>) -> Job,
    ) -> Result<comment::Model, PostError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(job(reply))
            .await
            .map_err(|_| PostError::App(AppError::internal("the comment writer has stopped")))?;
        answer.await.map_err(|_| {
            PostError::App(AppError::internal("the comment writer dropped a comment"))
        })?
    }
}

async fn run(db: DatabaseConnection, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        write_batch(&db, batch).await;
    }
}

async fn write_batch(db: &DatabaseConnection, batch: Vec<Job>) {
    let now = Utc::now();
    // Reads come first in a batch: take the write lock before them, so the batch waits its
    // turn behind other writers (the indexer) instead of failing to upgrade.
    let begun = match db.begin().await {
        Ok(t) => crate::db::claim_write_lock(&t).await.map(|()| t),
        Err(e) => Err(e.into()),
    };
    let txn = match begun {
        Ok(t) => t,
        Err(e) => {
            let message = e.to_string();
            for job in batch {
                let _ = job
                    .reply
                    .send(Err(PostError::App(AppError::internal(message.clone()))));
            }
            return;
        }
    };
    let mut states = HashMap::new();
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        let result = write_one(&txn, &job, now, &mut states).await;
        results.push((job.reply, result));
    }
    let committed = txn.commit().await.map_err(|e| e.to_string());
    for (reply, result) in results {
        let result = match (&committed, result) {
            (Ok(()), r) => r,
            (Err(e), Ok(_)) => Err(PostError::App(AppError::internal(e.clone()))),
            (Err(_), Err(e)) => Err(e),
        };
        let _ = reply.send(result);
    }
}

async fn write_one(
    txn: &DatabaseTransaction,
    job: &Job,
    now: DateTime<Utc>,
    states: &mut HashMap<i64, Option<ConsultationState>>,
) -> Result<comment::Model, PostError> {
    let state = match states.get(&job.consultation_id) {
        Some(s) => *s,
        None => {
            let s = consultation::Entity::find_by_id(job.consultation_id)
                .one(txn)
                .await?
                .map(|c| c.state_at(now));
            states.insert(job.consultation_id, s);
            s
        }
    };
    state
        .ok_or_else(|| AppError::not_found("consultation"))?
        .accepting_writes()?;
    if let Err(e) = charge_daily_quota(txn, job.account_id, "comment", job.daily_limit, now).await {
        if matches!(e, AppError::RateLimited { .. }) {
            refund_daily_quota(txn, job.account_id, "comment", now).await?;
        }
        return Err(e.into());
    }
    let mut row = job.row.clone();
    row.created_at = sea_orm::ActiveValue::Set(now);
    match row.insert(txn).await {
        Ok(m) => {
            crate::search::outbox::enqueue(txn, &[crate::search::outbox::Subject::Comment(m.id)])
                .await?;
            Ok(m)
        }
        Err(e) => {
            refund_daily_quota(txn, job.account_id, "comment", now).await?;
            if job.has_key && matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
                Err(PostError::KeyTaken)
            } else {
                Err(e.into())
            }
        }
    }
}
