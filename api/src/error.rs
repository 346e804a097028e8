//! The one error type of rubfang, and how it reaches GraphQL clients (a stable `extensions.code`).

use std::time::Duration;

use async_graphql::ErrorExtensions;

/// Everything a service can refuse or fail with. Variants mean something to a client; causes
/// that do not are `Internal` and are logged, never shown.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("{0}")]
    Forbidden(String),
    #[error("authentication required")]
    Unauthenticated,
    #[error("{message}")]
    Validation { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    #[error("too many requests; retry after {} s", retry_after.as_secs().max(1))]
    RateLimited { retry_after: Duration },
    /// Writes outside the consultation's period; the message says whether not yet or no more.
    #[error("{0}")]
    ConsultationClosed(String),
    /// The search engine did not answer; the rest of the platform works.
    #[error("search is unavailable right now ({0}); try again shortly")]
    SearchUnavailable(String),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound { what: what.into() }
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(cause.into())
    }

    /// The stable code clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "NOT_FOUND",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Validation { .. } => "VALIDATION",
            Self::Conflict(_) => "CONFLICT",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::ConsultationClosed(_) => "CONSULTATION_CLOSED",
            Self::SearchUnavailable(_) => "SEARCH_UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
        }
    }

    /// Logs an internal cause with its whole chain; the client only sees "internal error".
    fn log_if_internal(&self) {
        if let Self::Internal(cause) = self {
            let mut chain = cause.to_string();
            let mut source = cause.source();
            while let Some(s) = source {
                chain.push_str(": ");
                chain.push_str(&s.to_string());
                source = s.source();
            }
            tracing::error!(error = %chain, "internal error");
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        // A unique index refusing a row is a conflict the client can act on (a slug taken by a
        // concurrent request), not a fault.
        match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                Self::Conflict("this already exists (it was written concurrently); reload".into())
            }
            _ => Self::internal(err),
        }
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        self.log_if_internal();
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", self.code());
            match self {
                Self::Validation { field, .. } => ext.set("field", field.as_str()),
                Self::RateLimited { retry_after } => {
                    ext.set("retryAfter", retry_after.as_secs().max(1))
                }
                _ => {}
            }
        })
    }
}

/// `?` on a service result inside a resolver: keeps the code. (A bare `?` would go through
/// async-graphql's blanket `Display` conversion and lose it.)
pub trait GqlResultExt<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> GqlResultExt<T> for Result<T, AppError> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| e.extend())
    }
}

pub type AppResult<T> = Result<T, AppError>;
