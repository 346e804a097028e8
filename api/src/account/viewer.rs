//! Who is asking: the `Viewer` (an account, by session or API key) and the per-request data the
//! HTTP layer attaches to every GraphQL request.

use std::net::IpAddr;

use super::Role;
use crate::{
    error::{AppError, AppResult},
    ratelimit::LimitKey,
};

/// How the viewer proved who they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    Session {
        session_id: i64,
    },
    /// API keys read with higher quotas; they never write.
    ApiKey {
        key_id: i64,
    },
}

#[derive(Clone, Debug)]
pub struct Viewer {
    pub account_id: i64,
    pub role: Role,
    pub agency_id: Option<i64>,
    pub email_verified: bool,
    pub credential: Credential,
}

impl Viewer {
    /// May act for `agency_id`: its staff and admins, and platform admins.
    pub fn manages(&self, agency_id: i64) -> bool {
        self.role == Role::PlatformAdmin
            || (self.role.is_agency() && self.agency_id == Some(agency_id))
    }

    pub fn require_manages(&self, agency_id: i64, doing: &str) -> AppResult<()> {
        if self.manages(agency_id) {
            Ok(())
        } else if self.role.is_agency() || self.role == Role::PlatformAdmin {
            Err(AppError::Forbidden(format!(
                "only staff of the lead agency may {doing}"
            )))
        } else {
            Err(AppError::Forbidden(format!(
                "only agency staff may {doing}"
            )))
        }
    }
}

/// Attached by the HTTP layer to each request.
#[derive(Clone, Debug)]
pub struct RequestMeta {
    /// The client address (from `X-Forwarded-For` only behind a trusted proxy).
    pub client: IpAddr,
    pub viewer: Option<Viewer>,
}

impl RequestMeta {
    /// The logged-in viewer, or `UNAUTHENTICATED`.
    pub fn viewer(&self) -> AppResult<&Viewer> {
        self.viewer.as_ref().ok_or(AppError::Unauthenticated)
    }

    /// A viewer allowed to write: logged in with a session (API keys are read-only).
    pub fn writer(&self) -> AppResult<&Viewer> {
        let viewer = self.viewer()?;
        match viewer.credential {
            Credential::Session { .. } => Ok(viewer),
            Credential::ApiKey { .. } => Err(AppError::Forbidden(
                "API keys are read-only; log in to write".into(),
            )),
        }
    }

    /// The keys rate limits are counted against: the address and, if logged in, the account.
    pub fn limit_keys(&self) -> Vec<LimitKey> {
        let mut keys = vec![LimitKey::address(self.client)];
        if let Some(v) = &self.viewer {
            keys.push(LimitKey::Account(v.account_id));
        }
        keys
    }
}
