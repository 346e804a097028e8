//! Opening the database (SQLite by default, PostgreSQL in production) and running migrations.

use std::time::Duration;

use rubfang_migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};
use secrecy::ExposeSecret;

use crate::{
    config::DatabaseConfig,
    error::{AppError, AppResult},
};

/// Connects, creating the SQLite file and its folder if missing. SQLite runs in WAL mode with
/// foreign keys on; a writer waits for a lock rather than failing at once.
pub async fn connect(config: &DatabaseConfig) -> AppResult<DatabaseConnection> {
    if let Some(path) = config.sqlite_path()
        && let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| {
            AppError::validation(
                "database_url",
                format!("cannot create the data directory {}: {e}", dir.display()),
            )
        })?;
    }
    let mut options = ConnectOptions::new(config.url.expose_secret().to_owned());
    options
        .max_connections(config.max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                // Every commit reaches the disk before it is acknowledged: a comment is a legal
                // record. Comments are group-committed, so this costs one sync per batch.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // 64 MiB of page cache and memory-mapped reads per connection: the comment
                // tables' indexes stay in memory at a million rows.
                .pragma("cache_size", "-65536")
                .pragma("mmap_size", "268435456")
        });
    Database::connect(options)
        .await
        .map_err(|e| AppError::internal(format!("cannot open the database: {e}")))
}

pub async fn migrate_up(db: &DatabaseConnection) -> AppResult<()> {
    Migrator::up(db, None).await?;
    Ok(())
}

pub async fn migrate_down(db: &DatabaseConnection, steps: u32) -> AppResult<()> {
    Migrator::down(db, Some(steps)).await?;
    Ok(())
}

/// Each migration's name and whether it is applied.
pub async fn migration_status(db: &DatabaseConnection) -> AppResult<Vec<(String, bool)>> {
    let applied: Vec<String> = Migrator::get_applied_migrations(db)
        .await?
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    Ok(Migrator::migrations()
        .iter()
        .map(|m| {
            let name = m.name().to_owned();
            let done = applied.contains(&name);
            (name, done)
        })
        .collect())
}

/// Is the database reachable? (`/healthz`)
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}

pub fn backend_name(db: &DatabaseConnection) -> &'static str {
    match db.get_database_backend() {
        DbBackend::Sqlite => "sqlite",
        DbBackend::Postgres => "postgresql",
        _ => "other",
    }
}

/// Takes the write lock on one row before anything else in a transaction. On PostgreSQL the row
/// lock serialises concurrent changes to that row (two moderators, an edit racing a
/// withdrawal, an extension racing an early close); on SQLite a transaction that writes first
/// holds the database's write lock from the start, so it cannot fail later to upgrade a read
/// snapshot that another writer has overtaken. Returns whether the row exists.
pub async fn lock_row<E>(
    txn: &impl sea_orm::ConnectionTrait,
    id_column: E::Column,
    id: i64,
) -> AppResult<bool>
where
    E: sea_orm::EntityTrait,
{
    use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
    let done = E::update_many()
        .col_expr(id_column, Expr::col(id_column))
        .filter(id_column.eq(id))
        .exec(txn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Takes the database's write lock at the start of a transaction that reads before it writes.
/// On SQLite a deferred transaction that read first cannot upgrade to writing once another
/// connection has committed ("database is locked", which no busy timeout cures); writing first
/// makes it wait its turn instead. PostgreSQL needs nothing.
pub async fn claim_write_lock(txn: &impl sea_orm::ConnectionTrait) -> AppResult<()> {
    if txn.get_database_backend() == sea_orm::DbBackend::Sqlite {
        txn.execute_unprepared("UPDATE search_state SET value = value WHERE 1 = 0")
            .await?;
    }
    Ok(())
}

/// SQLite has one writer at a time. When transactions on several pooled connections contend
/// for it, the losers sleep in SQLite's busy handler (milliseconds at a time), and each write
/// lands on a connection whose page cache another connection's write has just invalidated.
/// So the hot write paths (comments, answers) go through one dedicated connection: its pool of
/// one is the queue, in process and in order, and its cache stays warm. On PostgreSQL there is
/// no gate: writes use the shared pool and the database orders them.
#[derive(Debug, Default)]
pub struct WriteGate(Option<DatabaseConnection>);

impl WriteGate {
    /// Opens the dedicated writer for a SQLite database; none for PostgreSQL.
    pub async fn open(config: &DatabaseConfig) -> AppResult<Self> {
        if !config.is_sqlite() {
            return Ok(Self(None));
        }
        let single = DatabaseConfig {
            url: config.url.clone(),
            max_connections: 1,
        };
        Ok(Self(Some(connect(&single).await?)))
    }

    /// The dedicated connection, on SQLite.
    pub fn dedicated(&self) -> Option<&DatabaseConnection> {
        self.0.as_ref()
    }

    /// The connection to write through: the dedicated one, or else `shared`.
    pub fn writer<'a>(&'a self, shared: &'a DatabaseConnection) -> &'a DatabaseConnection {
        self.0.as_ref().unwrap_or(shared)
    }
}
