//! The `rubfang` command line: every flag also readable from a `RUBFANG_` environment variable.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;

use crate::{
    config::{ApiLimits, Config, DatabaseConfig, PolicyConfig},
    draft::{DraftStatus, InstrumentKind},
};

#[derive(Debug, Parser)]
#[command(
    name = "rubfang",
    version,
    about = "รับฟัง: public consultation on draft laws"
)]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Database URL: `sqlite://path?mode=rwc` or `postgres://user:pass@host/db`.
    /// Default: a SQLite file under the data directory.
    #[arg(
        long,
        env = "RUBFANG_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Where rubfang keeps its files (the default SQLite database, later the search index).
    #[arg(
        long,
        env = "RUBFANG_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// Database pool size.
    #[arg(
        long,
        env = "RUBFANG_DATABASE_MAX_CONNECTIONS",
        default_value_t = 8,
        global = true
    )]
    pub database_max_connections: u32,
    /// Log filter (tracing `EnvFilter` syntax), e.g. `info` or `rubfang_api=debug`.
    #[arg(long, env = "RUBFANG_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Minimum consultation length in days (policy floor); shorter needs a public justification.
    #[arg(
        long,
        env = "RUBFANG_CONSULTATION_MIN_DAYS",
        default_value_t = 15,
        global = true
    )]
    pub consultation_min_days: u32,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, then serve the site and the GraphQL API.
    Serve(ServeArgs),
    /// Apply, roll back or list database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Import a Thai law text (UTF-8) as a draft with its sections.
    Import(ImportArgs),
    /// Load the demo data (only into an empty database).
    SeedDemo,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "RUBFANG_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Seed the demo data when the database is empty.
    #[arg(long, env = "RUBFANG_DEMO")]
    pub demo: bool,
    /// Maximum GraphQL query depth.
    #[arg(long, env = "RUBFANG_GRAPHQL_MAX_DEPTH", default_value_t = ApiLimits::default().max_depth)]
    pub graphql_max_depth: usize,
    /// Maximum GraphQL query complexity (a connection costs `first` × its selection).
    #[arg(long, env = "RUBFANG_GRAPHQL_MAX_COMPLEXITY", default_value_t = ApiLimits::default().max_complexity)]
    pub graphql_max_complexity: usize,
    /// Maximum operations in one batched GraphQL request.
    #[arg(long, env = "RUBFANG_GRAPHQL_MAX_BATCH", default_value_t = ApiLimits::default().max_batch)]
    pub graphql_max_batch: usize,
    /// Maximum GraphQL request body in bytes.
    #[arg(long, env = "RUBFANG_GRAPHQL_MAX_BODY_BYTES", default_value_t = ApiLimits::default().max_body_bytes)]
    pub graphql_max_body_bytes: usize,
    /// Serve benchmark-only routes under /bench/ (for `bench/`; leave off in production).
    #[arg(long, env = "RUBFANG_BENCH_ROUTES", hide = true)]
    pub bench_routes: bool,
}

#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Roll back the last `steps` migrations.
    Down {
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The law text, UTF-8 (`-` reads standard input).
    pub file: PathBuf,
    /// Slug of the lead agency (must exist; default: the Office of the Council of State, created
    /// if missing).
    #[arg(long)]
    pub agency: Option<String>,
    /// Instrument type; read from the title when not given.
    #[arg(long = "type", value_enum)]
    pub kind: Option<InstrumentKind>,
    /// Lifecycle status of the imported draft.
    #[arg(long, value_enum, default_value = "drafting")]
    pub status: DraftStatus,
    /// URL slug; derived from the type and year when not given.
    #[arg(long)]
    pub slug: Option<String>,
    /// Parse and report, write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

impl CommonArgs {
    pub fn database(&self) -> DatabaseConfig {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => DatabaseConfig {
                url: SecretString::from(url.clone()),
                max_connections: self.database_max_connections,
            },
            _ => DatabaseConfig {
                max_connections: self.database_max_connections,
                ..DatabaseConfig::sqlite_in(&self.data_dir)
            },
        }
    }

    pub fn policy(&self) -> PolicyConfig {
        PolicyConfig {
            consultation_min_days: self.consultation_min_days,
        }
    }

    /// The configuration of the server; commands that do not serve use its database and policy.
    pub fn config(&self, serve: Option<&ServeArgs>) -> Config {
        let limits = serve
            .map(|s| ApiLimits {
                max_depth: s.graphql_max_depth,
                max_complexity: s.graphql_max_complexity,
                max_batch: s.graphql_max_batch,
                max_body_bytes: s.graphql_max_body_bytes,
            })
            .unwrap_or_default();
        Config {
            database: self.database(),
            bind: serve
                .map(|s| s.bind)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            demo: serve.is_some_and(|s| s.demo),
            bench_routes: serve.is_some_and(|s| s.bench_routes),
            policy: self.policy(),
            limits,
        }
    }
}
