//! Accounts, sessions, API keys and e-mail tokens. The only code that touches their tables.

use chrono::{DateTime, Duration, Utc};
use rand::RngExt as _;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, SqlErr,
};

use super::{
    Credential, DisplayName, Email, RespondentCategory, Role, Viewer,
    entity::{account, api_key, email_token, follow, session},
    token::{self, TokenKind},
};
use crate::error::{AppError, AppResult};

/// How long a session lasts from login.
pub const SESSION_DAYS: i64 = 30;

/// A new account, its inputs already parsed and its password already hashed.
pub struct NewAccount {
    pub email: Email,
    pub password_hash: String,
    pub display_name: DisplayName,
    pub show_pseudonym: bool,
    pub category: RespondentCategory,
    pub province: Option<String>,
    pub consent_version: String,
    /// Demo and test set-ups create verified accounts.
    pub verified: bool,
}

fn pseudonym() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let code: String = (0..6)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("ผู้แสดงความคิดเห็น #{code}")
}

fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

pub async fn create(db: &impl ConnectionTrait, new: NewAccount) -> AppResult<account::Model> {
    let now = Utc::now();
    // A pseudonym collision (1 in ~10⁹) gets a second draw; an e-mail collision is the caller's.
    for _ in 0..3 {
        let row = account::ActiveModel {
            email: Set(new.email.as_str().to_owned()),
            email_verified_at: Set(new.verified.then_some(now)),
            password_hash: Set(new.password_hash.clone()),
            display_name: Set(new.display_name.clone().into_inner()),
            pseudonym: Set(pseudonym()),
            show_pseudonym: Set(new.show_pseudonym),
            respondent_category: Set(new.category),
            province: Set(new.province.clone()),
            consent_version: Set(new.consent_version.clone()),
            consent_at: Set(now),
            role: Set(Role::Citizen),
            agency_id: Set(None),
            created_at: Set(now),
            ..Default::default()
        };
        match row.insert(db).await {
            Ok(model) => return Ok(model),
            Err(e) if is_unique_violation(&e) => {
                if by_email(db, &new.email).await?.is_some() {
                    return Err(AppError::Conflict(
                        "an account with this e-mail address already exists; log in or reset the password".into(),
                    ));
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::internal("could not draw a free pseudonym"))
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<Option<account::Model>> {
    Ok(account::Entity::find_by_id(id).one(db).await?)
}

/// Several accounts at once (the author lookups of a page of comments, batched).
pub async fn get_many(db: &impl ConnectionTrait, ids: &[i64]) -> AppResult<Vec<account::Model>> {
    Ok(account::Entity::find()
        .filter(account::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

pub async fn by_email(
    db: &impl ConnectionTrait,
    email: &Email,
) -> AppResult<Option<account::Model>> {
    Ok(account::Entity::find()
        .filter(account::Column::Email.eq(email.as_str()))
        .one(db)
        .await?)
}

/// Starts a session; returns the token, which is shown once and stored only as a hash.
pub async fn create_session(
    db: &impl ConnectionTrait,
    account_id: i64,
    now: DateTime<Utc>,
) -> AppResult<(String, session::Model)> {
    let token = token::generate(TokenKind::Session);
    let model = session::ActiveModel {
        account_id: Set(account_id),
        token_hash: Set(token::hash(&token)),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(SESSION_DAYS)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((token, model))
}

pub async fn end_session(db: &impl ConnectionTrait, session_id: i64) -> AppResult<()> {
    session::Entity::delete_by_id(session_id).exec(db).await?;
    Ok(())
}

fn viewer_of(account: &account::Model, credential: Credential) -> Viewer {
    Viewer {
        account_id: account.id,
        role: account.role,
        agency_id: account.agency_id,
        email_verified: account.email_verified_at.is_some(),
        credential,
    }
}

/// The viewer a session token or API key stands for; `None` for an unknown, expired or revoked
/// one.
pub async fn viewer_for_token(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<Viewer>> {
    let hash = token::hash(token);
    match TokenKind::of(token) {
        Some(TokenKind::Session) => {
            // One query per request: the session with the few account fields a viewer needs.
            type Row = (i64, i64, Role, Option<i64>, Option<DateTime<Utc>>);
            let row: Option<Row> = session::Entity::find()
                .select_only()
                .column(session::Column::Id)
                .column(session::Column::AccountId)
                .column(account::Column::Role)
                .column(account::Column::AgencyId)
                .column(account::Column::EmailVerifiedAt)
                .inner_join(account::Entity)
                .filter(session::Column::TokenHash.eq(hash))
                .filter(session::Column::ExpiresAt.gt(now))
                .into_tuple()
                .one(db)
                .await?;
            Ok(row.map(
                |(session_id, account_id, role, agency_id, verified)| Viewer {
                    account_id,
                    role,
                    agency_id,
                    email_verified: verified.is_some(),
                    credential: Credential::Session { session_id },
                },
            ))
        }
        Some(TokenKind::ApiKey) => {
            let Some(k) = api_key::Entity::find()
                .filter(api_key::Column::KeyHash.eq(hash))
                .filter(api_key::Column::RevokedAt.is_null())
                .one(db)
                .await?
            else {
                return Ok(None);
            };
            Ok(get(db, k.account_id)
                .await?
                .map(|a| viewer_of(&a, Credential::ApiKey { key_id: k.id })))
        }
        _ => Ok(None),
    }
}

/// Issues a one-time e-mail token (verification or password reset).
pub async fn create_email_token(
    db: &impl ConnectionTrait,
    account_id: i64,
    purpose: email_token::Purpose,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let token = token::generate(TokenKind::Email);
    let ttl = match purpose {
        email_token::Purpose::Verify => Duration::days(7),
        email_token::Purpose::Reset => Duration::hours(1),
    };
    email_token::ActiveModel {
        account_id: Set(account_id),
        purpose: Set(purpose),
        token_hash: Set(token::hash(&token)),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

fn refused_token() -> AppError {
    AppError::validation("token", "this link is invalid, used or expired")
}

/// The unspent token, without spending it (to check the rest of a request first).
pub async fn check_email_token(
    db: &impl ConnectionTrait,
    token: &str,
    purpose: email_token::Purpose,
    now: DateTime<Utc>,
) -> AppResult<email_token::Model> {
    let row = email_token::Entity::find()
        .filter(email_token::Column::TokenHash.eq(token::hash(token)))
        .filter(email_token::Column::Purpose.eq(purpose))
        .one(db)
        .await?
        .ok_or_else(refused_token)?;
    if row.used_at.is_some() || row.expires_at <= now {
        return Err(refused_token());
    }
    Ok(row)
}

/// Spends a one-time token; returns its account. Unknown, used and expired tokens are refused
/// alike.
pub async fn use_email_token(
    db: &impl ConnectionTrait,
    token: &str,
    purpose: email_token::Purpose,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let row = check_email_token(db, token, purpose, now).await?;
    let account_id = row.account_id;
    // Conditional update: two concurrent uses of one token cannot both succeed.
    let spent = email_token::Entity::update_many()
        .col_expr(
            email_token::Column::UsedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(email_token::Column::Id.eq(row.id))
        .filter(email_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if spent.rows_affected != 1 {
        return Err(refused_token());
    }
    Ok(account_id)
}

pub async fn mark_verified(
    db: &impl ConnectionTrait,
    account_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    account::Entity::update_many()
        .col_expr(
            account::Column::EmailVerifiedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(account::Column::Id.eq(account_id))
        .filter(account::Column::EmailVerifiedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Replaces the password, ends every session and revokes every API key of the account (a reset
/// may follow a compromise).
pub async fn set_password(
    db: &impl ConnectionTrait,
    account_id: i64,
    hash: String,
) -> AppResult<()> {
    api_key::Entity::update_many()
        .col_expr(
            api_key::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(api_key::Column::AccountId.eq(account_id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    account::Entity::update_many()
        .col_expr(
            account::Column::PasswordHash,
            sea_orm::sea_query::Expr::value(hash),
        )
        .filter(account::Column::Id.eq(account_id))
        .exec(db)
        .await?;
    session::Entity::delete_many()
        .filter(session::Column::AccountId.eq(account_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Sets an account's role; agency roles need the agency.
pub async fn set_role(
    db: &impl ConnectionTrait,
    account_id: i64,
    role: Role,
    agency_id: Option<i64>,
) -> AppResult<account::Model> {
    let agency_id = if role.is_agency() {
        Some(agency_id.ok_or_else(|| {
            AppError::validation("agency", "agency roles are bound to an agency; name it")
        })?)
    } else {
        None
    };
    let existing = get(db, account_id)
        .await?
        .ok_or_else(|| AppError::not_found("account"))?;
    let mut row: account::ActiveModel = existing.into();
    row.role = Set(role);
    row.agency_id = Set(agency_id);
    Ok(row.update(db).await?)
}

/// Sets the role of the account with this e-mail address (the `grant-role` command).
pub async fn grant_by_email(
    db: &impl ConnectionTrait,
    email: &str,
    role: Role,
    agency_slug: Option<&str>,
) -> AppResult<account::Model> {
    let account = by_email(db, &Email::parse(email)?).await?.ok_or_else(|| {
        AppError::validation(
            "email",
            format!("no account has the e-mail address {email}; register first"),
        )
    })?;
    let agency = match agency_slug {
        Some(slug) => Some(
            crate::agency::service::by_slug(db, slug)
                .await?
                .ok_or_else(|| AppError::validation("agency", format!("no agency `{slug}`")))?
                .id,
        ),
        None => None,
    };
    set_role(db, account.id, role, agency).await
}

/// Creates an API key; returns it once, with its stored record.
pub async fn create_api_key(
    db: &impl ConnectionTrait,
    account_id: i64,
    name: String,
    now: DateTime<Utc>,
) -> AppResult<(String, api_key::Model)> {
    let key = token::generate(TokenKind::ApiKey);
    let model = api_key::ActiveModel {
        account_id: Set(account_id),
        name: Set(name),
        prefix: Set(key.chars().take(12).collect()),
        key_hash: Set(token::hash(&key)),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((key, model))
}

pub async fn api_keys(
    db: &impl ConnectionTrait,
    account_id: i64,
) -> AppResult<Vec<api_key::Model>> {
    Ok(api_key::Entity::find()
        .filter(api_key::Column::AccountId.eq(account_id))
        .order_by_asc(api_key::Column::Id)
        .all(db)
        .await?)
}

/// Revokes one of the account's own keys.
pub async fn revoke_api_key(
    db: &impl ConnectionTrait,
    account_id: i64,
    key_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let done = api_key::Entity::update_many()
        .col_expr(
            api_key::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(api_key::Column::Id.eq(key_id))
        .filter(api_key::Column::AccountId.eq(account_id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(AppError::not_found("API key"));
    }
    Ok(())
}

impl account::Model {
    /// What the public sees as the author: the display name, or the pseudonym if preferred.
    pub fn public_name(&self) -> &str {
        if self.show_pseudonym {
            &self.pseudonym
        } else {
            &self.display_name
        }
    }
}

/// What an account follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Followed {
    Agency(i64),
    Draft(i64),
}

/// Follows a draft or an agency; following twice is not an error.
pub async fn follow(db: &impl ConnectionTrait, account_id: i64, what: Followed) -> AppResult<()> {
    let (agency_id, draft_id) = match what {
        Followed::Agency(a) => (Some(a), None),
        Followed::Draft(d) => (None, Some(d)),
    };
    let row = follow::ActiveModel {
        account_id: Set(account_id),
        agency_id: Set(agency_id),
        draft_id: Set(draft_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    match row.insert(db).await {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

pub async fn unfollow(db: &impl ConnectionTrait, account_id: i64, what: Followed) -> AppResult<()> {
    let q = follow::Entity::delete_many().filter(follow::Column::AccountId.eq(account_id));
    let q = match what {
        Followed::Agency(a) => q.filter(follow::Column::AgencyId.eq(a)),
        Followed::Draft(d) => q.filter(follow::Column::DraftId.eq(d)),
    };
    q.exec(db).await?;
    Ok(())
}

pub async fn follows(db: &impl ConnectionTrait, account_id: i64) -> AppResult<Vec<follow::Model>> {
    Ok(follow::Entity::find()
        .filter(follow::Column::AccountId.eq(account_id))
        .order_by_asc(follow::Column::Id)
        .all(db)
        .await?)
}

/// The verified addresses of everyone following a draft or its lead agency, each once.
pub async fn follower_emails(
    db: &impl ConnectionTrait,
    draft_id: i64,
    agency_id: i64,
) -> AppResult<Vec<String>> {
    let followers = sea_orm::sea_query::Query::select()
        .column(follow::Column::AccountId)
        .from(follow::Entity)
        .cond_where(
            sea_orm::Condition::any()
                .add(follow::Column::DraftId.eq(draft_id))
                .add(follow::Column::AgencyId.eq(agency_id)),
        )
        .to_owned();
    Ok(account::Entity::find()
        .select_only()
        .column(account::Column::Email)
        .filter(account::Column::Id.in_subquery(followers))
        .filter(account::Column::EmailVerifiedAt.is_not_null())
        .order_by_asc(account::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}
