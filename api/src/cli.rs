//! The `rubfang` command line: every flag also readable from a `RUBFANG_` environment variable.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;

use crate::{
    account::Role,
    config::{
        ApiLimits, Config, DatabaseConfig, MailConfig, ParticipationConfig, PolicyConfig,
        RateLimitConfig, SearchConfig,
    },
    draft::{DraftStatus, InstrumentKind},
    error::AppError,
    ratelimit::{LimitedAction, Quota, parse_trusted_proxies},
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
    /// Meilisearch server, e.g. `http://127.0.0.1:7700`. Unset: the embedded search engine,
    /// its index under the data directory.
    #[arg(long, env = "RUBFANG_MEILI_URL", global = true)]
    pub meili_url: Option<String>,
    /// Meilisearch master (or admin) key.
    #[arg(
        long,
        env = "RUBFANG_MEILI_MASTER_KEY",
        global = true,
        hide_env_values = true
    )]
    pub meili_master_key: Option<String>,
    /// Prefix of rubfang's Meilisearch index names.
    #[arg(
        long,
        env = "RUBFANG_MEILI_INDEX_PREFIX",
        default_value = "rubfang_",
        global = true
    )]
    pub meili_index_prefix: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, then serve the site and the GraphQL API.
    Serve(Box<ServeArgs>),
    /// Apply, roll back or list database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Import a Thai law text (UTF-8) as a draft with its sections.
    Import(ImportArgs),
    /// Load the demo data (only into an empty database).
    SeedDemo,
    /// Give a registered account a role, e.g. the first platform admin.
    GrantRole(GrantRoleArgs),
    /// Rebuild the search index from the database (empties it first).
    Reindex,
    /// Search engine tasks.
    Search {
        #[command(subcommand)]
        action: SearchAction,
    },
    /// Benchmark data: bench accounts with sessions and many comments (for `bench/`).
    #[command(hide = true)]
    BenchSeed(BenchSeedArgs),
}

#[derive(Debug, Subcommand)]
pub enum SearchAction {
    /// Create the indexes and apply `search-config/` (the server also does this at start-up).
    Setup,
    /// Print the engine, whether it answers, and the outbox backlog.
    Status,
}

#[derive(Debug, Args)]
pub struct BenchSeedArgs {
    /// Comments to write on the draft's open consultation.
    #[arg(long, default_value_t = 1_000_000)]
    pub comments: u64,
    /// Verified citizen accounts to create, each with a session.
    #[arg(long, default_value_t = 2_000)]
    pub accounts: u32,
    /// Where to write the session tokens, one a line.
    #[arg(long)]
    pub tokens_out: PathBuf,
    /// The draft whose open consultation gets the comments.
    #[arg(long, default_value = "cycling-act")]
    pub draft_slug: String,
}

#[derive(Debug, Args)]
pub struct GrantRoleArgs {
    /// The account's e-mail address.
    #[arg(long)]
    pub email: String,
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// Agency slug, for agency roles.
    #[arg(long)]
    pub agency: Option<String>,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum RoleArg {
    Citizen,
    AgencyStaff,
    AgencyAdmin,
    PlatformAdmin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Citizen => Role::Citizen,
            RoleArg::AgencyStaff => Role::AgencyStaff,
            RoleArg::AgencyAdmin => Role::AgencyAdmin,
            RoleArg::PlatformAdmin => Role::PlatformAdmin,
        }
    }
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
    /// Where users reach the site: links in mail; `https://` makes the session cookie Secure.
    #[arg(
        long,
        env = "RUBFANG_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub public_url: String,
    /// Require a verified e-mail address to comment and answer. Default: on, off with --demo.
    #[arg(long, env = "RUBFANG_REQUIRE_VERIFIED_EMAIL")]
    pub require_verified_email: Option<bool>,
    /// Comments per account per day (Bangkok), enforced in the database across instances.
    #[arg(long, env = "RUBFANG_COMMENTS_PER_DAY", default_value_t = ParticipationConfig::default().comments_per_day)]
    pub comments_per_day: u32,
    /// Minutes after posting during which a comment can still be edited.
    #[arg(long, env = "RUBFANG_EDIT_WINDOW_MINUTES", default_value_t = 15)]
    pub edit_window_minutes: u64,
    /// Maximum characters (not bytes) of a comment or answer.
    #[arg(long, env = "RUBFANG_COMMENT_MAX_CHARS", default_value_t = ParticipationConfig::default().max_comment_chars)]
    pub comment_max_chars: usize,
    /// SMTP server for outgoing mail, e.g. `smtps://user:pass@smtp.example.org`; unset: the log.
    #[arg(long, env = "RUBFANG_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of outgoing mail.
    #[arg(
        long,
        env = "RUBFANG_MAIL_FROM",
        default_value = "rubfang <no-reply@localhost>"
    )]
    pub mail_from: String,
    /// Reverse proxies whose `X-Forwarded-For` is believed, e.g. `10.0.0.0/8,::1`.
    #[arg(long, env = "RUBFANG_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,
    #[command(flatten)]
    pub rates: RateArgs,
}

/// Per-action rate limits, each `<count>/<s|m|h|d>[:<burst>]` (e.g. `60/m:20`), per client
/// address (IPv6 by /64) and per account.
#[derive(Debug, Args)]
pub struct RateArgs {
    /// GraphQL operations per address (default 600/m:120).
    #[arg(long, env = "RUBFANG_RATE_GRAPHQL_REQUEST", value_parser = Quota::parse)]
    pub rate_graphql_request: Option<Quota>,
    /// GraphQL operations per API key's account (default 6000/m:600).
    #[arg(long, env = "RUBFANG_RATE_API_KEY_REQUEST", value_parser = Quota::parse)]
    pub rate_api_key_request: Option<Quota>,
    /// Comments and replies (default 30/h:10).
    #[arg(long, env = "RUBFANG_RATE_COMMENT", value_parser = Quota::parse)]
    pub rate_comment: Option<Quota>,
    /// Answers to questions (default 120/h:60).
    #[arg(long, env = "RUBFANG_RATE_ANSWER", value_parser = Quota::parse)]
    pub rate_answer: Option<Quota>,
    /// Registrations (default 5/h).
    #[arg(long, env = "RUBFANG_RATE_REGISTER", value_parser = Quota::parse)]
    pub rate_register: Option<Quota>,
    /// Login attempts and reset requests (default 20/h:10).
    #[arg(long, env = "RUBFANG_RATE_LOGIN", value_parser = Quota::parse)]
    pub rate_login: Option<Quota>,
    /// Flags on comments (default 30/h:10).
    #[arg(long, env = "RUBFANG_RATE_FLAG", value_parser = Quota::parse)]
    pub rate_flag: Option<Quota>,
    /// Bulk exports (default 10/h:3).
    #[arg(long, env = "RUBFANG_RATE_EXPORT", value_parser = Quota::parse)]
    pub rate_export: Option<Quota>,
    /// Search queries per address and per account (default 120/m:30).
    #[arg(long, env = "RUBFANG_RATE_SEARCH", value_parser = Quota::parse)]
    pub rate_search: Option<Quota>,
}

impl RateArgs {
    fn config(&self, trusted: &str) -> Result<RateLimitConfig, AppError> {
        let mut config = RateLimitConfig::default();
        for (action, quota) in [
            (LimitedAction::GraphqlRequest, self.rate_graphql_request),
            (LimitedAction::ApiKeyRequest, self.rate_api_key_request),
            (LimitedAction::Comment, self.rate_comment),
            (LimitedAction::Answer, self.rate_answer),
            (LimitedAction::Register, self.rate_register),
            (LimitedAction::Login, self.rate_login),
            (LimitedAction::Flag, self.rate_flag),
            (LimitedAction::Export, self.rate_export),
            (LimitedAction::Search, self.rate_search),
        ] {
            if let Some(q) = quota {
                config.set(action, q);
            }
        }
        config.trusted_proxies = parse_trusted_proxies(trusted)
            .map_err(|e| AppError::validation("trusted-proxies", e.to_string()))?;
        Ok(config)
    }
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

    pub fn search(&self) -> SearchConfig {
        SearchConfig::from_parts(
            self.meili_url.as_deref(),
            self.meili_master_key.as_deref(),
            &self.meili_index_prefix,
            Some(&self.data_dir),
        )
    }

    pub fn policy(&self) -> PolicyConfig {
        PolicyConfig {
            consultation_min_days: self.consultation_min_days,
        }
    }

    /// The configuration of the server; commands that do not serve use its database and policy.
    pub fn config(&self, serve: Option<&ServeArgs>) -> Result<Config, AppError> {
        let limits = serve
            .map(|s| ApiLimits {
                max_depth: s.graphql_max_depth,
                max_complexity: s.graphql_max_complexity,
                max_batch: s.graphql_max_batch,
                max_body_bytes: s.graphql_max_body_bytes,
            })
            .unwrap_or_default();
        let demo = serve.is_some_and(|s| s.demo);
        let participation = serve
            .map(|s| ParticipationConfig {
                // The demo has no mail server to verify through.
                require_verified_email: s.require_verified_email.unwrap_or(!demo),
                comments_per_day: s.comments_per_day,
                edit_window: std::time::Duration::from_secs(s.edit_window_minutes * 60),
                max_comment_chars: s.comment_max_chars,
                ..ParticipationConfig::default()
            })
            .unwrap_or_default();
        let rate_limits = match serve {
            Some(s) => s.rates.config(&s.trusted_proxies)?,
            None => RateLimitConfig::default(),
        };
        let mail = match serve {
            Some(s) => MailConfig {
                smtp_url: s
                    .smtp_url
                    .as_ref()
                    .filter(|u| !u.trim().is_empty())
                    .map(|u| SecretString::from(u.clone())),
                from: s.mail_from.clone(),
            },
            None => MailConfig::default(),
        };
        Ok(Config {
            database: self.database(),
            bind: serve
                .map(|s| s.bind)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            demo,
            bench_routes: serve.is_some_and(|s| s.bench_routes),
            policy: self.policy(),
            limits,
            public_url: serve
                .map_or_else(|| "http://127.0.0.1:8080".into(), |s| s.public_url.clone()),
            participation,
            rate_limits,
            mail,
            search: self.search(),
        })
    }
}
