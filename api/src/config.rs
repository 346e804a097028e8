//! Typed configuration, read once at start-up from CLI flags with `RUBFANG_` environment
//! fallbacks (see `cli.rs`). Defaults run the embedded setup: SQLite under `./data/`.

use std::{net::SocketAddr, path::PathBuf};

use secrecy::{ExposeSecret, SecretString};

pub use crate::ratelimit::RateLimitConfig;

#[derive(Clone, Debug)]
pub struct Config {
    pub database: DatabaseConfig,
    pub bind: SocketAddr,
    /// Seed the demo data when the database is empty.
    pub demo: bool,
    pub policy: PolicyConfig,
    pub limits: ApiLimits,
    /// Serve the benchmark-only routes under `/bench/`.
    pub bench_routes: bool,
    /// Where users reach the site (links in mail; `https` makes the session cookie `Secure`).
    pub public_url: String,
    pub participation: ParticipationConfig,
    pub rate_limits: RateLimitConfig,
    pub mail: MailConfig,
    pub search: SearchConfig,
}

/// Which search engine serves `search`.
#[derive(Clone, Debug)]
pub enum SearchConfig {
    /// tantivy in this process, its index in `dir` (in memory when `None`: tests).
    Embedded { dir: Option<PathBuf> },
    /// A Meilisearch server (production, several instances).
    Meilisearch {
        url: String,
        master_key: Option<SecretString>,
        /// Prepended to the index names, so deployments can share a server.
        index_prefix: String,
    },
}

impl SearchConfig {
    /// From `RUBFANG_MEILI_URL` / `RUBFANG_MEILI_MASTER_KEY` when the URL is set, else the
    /// embedded engine under `data_dir/search`.
    pub fn from_parts(
        meili_url: Option<&str>,
        meili_key: Option<&str>,
        index_prefix: &str,
        data_dir: Option<&std::path::Path>,
    ) -> SearchConfig {
        match meili_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => SearchConfig::Meilisearch {
                url: url.to_owned(),
                master_key: meili_key
                    .filter(|k| !k.is_empty())
                    .map(|k| SecretString::from(k.to_owned())),
                index_prefix: index_prefix.to_owned(),
            },
            None => SearchConfig::Embedded {
                dir: data_dir.map(|d| d.join("search")),
            },
        }
    }
}

/// The rules of taking part: who may comment and how much.
#[derive(Clone, Debug)]
pub struct ParticipationConfig {
    /// Commenting and answering need a verified e-mail address (on in production, off with
    /// `--demo`).
    pub require_verified_email: bool,
    /// Comments per account per Bangkok day, enforced in the database so it holds across
    /// instances.
    pub comments_per_day: u32,
    /// How long after posting its author may still edit a comment.
    pub edit_window: std::time::Duration,
    /// Replies nest at most this deep (a top-level comment is depth 0).
    pub max_reply_depth: i16,
    /// Characters (not bytes) in one comment or answer.
    pub max_comment_chars: usize,
}

impl Default for ParticipationConfig {
    fn default() -> Self {
        Self {
            require_verified_email: true,
            comments_per_day: 100,
            edit_window: std::time::Duration::from_secs(15 * 60),
            max_reply_depth: 3,
            max_comment_chars: crate::sanitize::DEFAULT_MAX_CHARS,
        }
    }
}

/// Outgoing mail: SMTP when a URL is set, otherwise the log.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// e.g. `smtps://user:pass@smtp.example.org:465`; may hold a password.
    pub smtp_url: Option<SecretString>,
    pub from: String,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "rubfang <no-reply@localhost>".into(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct DatabaseConfig {
    /// `sqlite://...` or `postgres://...`; may hold a password.
    pub url: SecretString,
    pub max_connections: u32,
}

impl DatabaseConfig {
    /// The default: a SQLite file under the data directory.
    pub fn sqlite_in(data_dir: &std::path::Path) -> Self {
        Self {
            url: SecretString::from(format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("rubfang.db").display()
            )),
            max_connections: 8,
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.url.expose_secret().starts_with("sqlite:")
    }

    /// The SQLite file this configuration points at, if any.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let url = self.url.expose_secret();
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next().unwrap_or(rest);
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }
}

/// Rules set by Cabinet resolution or OCS guidance: configurable, never hard-coded (LEGAL.md).
#[derive(Clone, Debug)]
pub struct PolicyConfig {
    /// The minimum consultation length in days; shorter needs a public justification.
    pub consultation_min_days: u32,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            consultation_min_days: 15,
        }
    }
}

/// Limits on the shape of GraphQL requests, so no query can make the server do unbounded work.
#[derive(Clone, Debug)]
pub struct ApiLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
    /// Operations in one batched (JSON array) request.
    pub max_batch: usize,
    /// Bytes in one request body.
    pub max_body_bytes: usize,
}

impl Default for ApiLimits {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_complexity: 20_000,
            max_batch: 10,
            max_body_bytes: 256 * 1024,
        }
    }
}

/// The largest `first` any connection accepts, and the page size when `first` is omitted.
pub const MAX_PAGE_SIZE: usize = 500;
pub const DEFAULT_PAGE_SIZE: usize = 20;
