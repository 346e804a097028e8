//! GraphQL of accounts: register, log in and out, verify e-mail, reset a password, API keys,
//! roles, and `me`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::{
    CONSENT_TEXT_EN, CONSENT_TEXT_TH, CONSENT_VERSION, Credential, DisplayName, Email, Password,
    RespondentCategory, Role,
    entity::{account, api_key, email_token::Purpose, follow},
    password,
    service::{self, Followed, NewAccount},
};
use crate::{
    agency::graphql::Agency,
    agency::service as agencies,
    draft::{
        graphql::{Draft, agency_arg},
        service as drafts,
    },
    error::{AppError, AppResult, GqlResultExt},
    graphql::{
        app, meta, rate_limit,
        relay::{self, NodeType},
    },
    mailer::Mail,
    ratelimit::{LimitKey, LimitedAction},
    sanitize,
};

/// Loads the accounts behind a page of comments in one query instead of one each.
pub struct AccountLoader(pub sea_orm::DatabaseConnection);

impl async_graphql::dataloader::Loader<i64> for AccountLoader {
    type Value = account::Model;
    type Error = std::sync::Arc<String>;

    async fn load(
        &self,
        keys: &[i64],
    ) -> Result<std::collections::HashMap<i64, account::Model>, Self::Error> {
        service::get_many(&self.0, keys)
            .await
            .map(|rows| rows.into_iter().map(|a| (a.id, a)).collect())
            .map_err(|e| std::sync::Arc::new(e.to_string()))
    }
}

/// The account with this id, through the request-spanning batch loader.
pub async fn load_account(ctx: &Context<'_>, id: i64) -> AppResult<Option<account::Model>> {
    crate::graphql::load::<AccountLoader, _>(ctx, id).await
}

/// The session cookie (HttpOnly, SameSite=Lax) the site uses; API clients send the same token
/// as `Authorization: Bearer`.
pub const SESSION_COOKIE: &str = "rubfang_session";

/// The account of the viewer: everything about it, for its owner only.
pub struct Me(pub account::Model);

#[Object]
impl Me {
    async fn id(&self) -> ID {
        relay::global_id(NodeType::Account, self.0.id)
    }
    /// Never shown to anyone else.
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn email_verified(&self) -> bool {
        self.0.email_verified_at.is_some()
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// Stable for the account's life.
    async fn pseudonym(&self) -> &str {
        &self.0.pseudonym
    }
    /// Comments show the pseudonym instead of the display name.
    async fn show_pseudonym(&self) -> bool {
        self.0.show_pseudonym
    }
    /// What the public sees as the author of this account's comments.
    async fn public_name(&self) -> &str {
        self.0.public_name()
    }
    async fn respondent_category(&self) -> RespondentCategory {
        self.0.respondent_category
    }
    async fn province(&self) -> Option<&str> {
        self.0.province.as_deref()
    }
    async fn role(&self) -> Role {
        self.0.role
    }
    async fn agency(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Agency>> {
        let Some(id) = self.0.agency_id else {
            return Ok(None);
        };
        Ok(agencies::get(&app(ctx).db, id).await.gql()?.map(Agency))
    }
    async fn consent_version(&self) -> &str {
        &self.0.consent_version
    }
    async fn consent_at(&self) -> DateTime<Utc> {
        self.0.consent_at
    }
    /// Drafts and agencies followed: their consultations are announced by mail.
    async fn follows(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Follow>> {
        Ok(service::follows(&app(ctx).db, self.0.id)
            .await
            .gql()?
            .into_iter()
            .map(Follow)
            .collect())
    }

    async fn api_keys(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ApiKey>> {
        Ok(service::api_keys(&app(ctx).db, self.0.id)
            .await
            .gql()?
            .into_iter()
            .map(ApiKey)
            .collect())
    }
}

/// Something an account follows: a draft, or every draft of an agency.
pub struct Follow(follow::Model);

#[Object]
impl Follow {
    async fn draft(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Draft>> {
        let Some(id) = self.0.draft_id else {
            return Ok(None);
        };
        Ok(drafts::get(&app(ctx).db, id).await.gql()?.map(Draft))
    }

    async fn agency(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Agency>> {
        let Some(id) = self.0.agency_id else {
            return Ok(None);
        };
        Ok(agencies::get(&app(ctx).db, id).await.gql()?.map(Agency))
    }

    async fn since(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A draft (by ID) or an agency (by ID or slug): exactly one.
async fn followed_arg(
    ctx: &Context<'_>,
    draft_id: Option<ID>,
    agency: Option<String>,
) -> async_graphql::Result<Followed> {
    match (draft_id, agency) {
        (Some(d), None) => {
            let id = relay::decode_typed_id(&d, NodeType::Draft, "draftId").gql()?;
            drafts::get(&app(ctx).db, id)
                .await
                .gql()?
                .ok_or_else(|| AppError::not_found("draft"))
                .gql()?;
            Ok(Followed::Draft(id))
        }
        (None, Some(a)) => Ok(Followed::Agency(agency_arg(ctx, &a, "agency").await?)),
        _ => Err(AppError::validation(
            "draftId",
            "give either a draftId or an agency, not both and not neither",
        ))
        .gql(),
    }
}

async fn set_follow(
    ctx: &Context<'_>,
    draft_id: Option<ID>,
    agency: Option<String>,
    follow: bool,
) -> async_graphql::Result<bool> {
    let viewer = meta(ctx).writer().gql()?.clone();
    let what = followed_arg(ctx, draft_id, agency).await?;
    let db = &app(ctx).db;
    if follow {
        service::follow(db, viewer.account_id, what).await.gql()?;
    } else {
        service::unfollow(db, viewer.account_id, what).await.gql()?;
    }
    Ok(true)
}

/// A researcher's API key, without its secret.
pub struct ApiKey(api_key::Model);

#[Object]
impl ApiKey {
    async fn id(&self) -> ID {
        relay::global_id(NodeType::ApiKey, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The first characters of the key, to tell keys apart.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Send as `Authorization: Bearer <token>`; the site also receives it as a cookie.
    token: String,
    expires_at: DateTime<Utc>,
    me: Me,
}

/// The role an account now has (nothing else about it).
#[derive(SimpleObject)]
pub struct GrantedRole {
    role: Role,
    agency: Option<Agency>,
}

#[derive(SimpleObject)]
pub struct CreatedApiKey {
    /// Shown once: store it now. rubfang keeps only its hash.
    key: String,
    api_key: ApiKey,
}

/// The personal-data notice a registrant accepts.
#[derive(SimpleObject)]
pub struct ConsentNotice {
    version: &'static str,
    text_th: &'static str,
    text_en: &'static str,
}

#[derive(InputObject)]
pub struct RegisterInput {
    email: String,
    /// At least 10 characters, not the e-mail address.
    password: String,
    display_name: String,
    respondent_category: RespondentCategory,
    province: Option<String>,
    /// Show the pseudonym with comments instead of the display name.
    #[graphql(default)]
    show_pseudonym: bool,
    /// The version of the consent notice accepted (`personalDataConsent.version`).
    consent_version: String,
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The logged-in account, or null.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Me>> {
        let Some(viewer) = &meta(ctx).viewer else {
            return Ok(None);
        };
        Ok(service::get(&app(ctx).db, viewer.account_id)
            .await
            .gql()?
            .map(Me))
    }

    /// The notice registrants accept, with its version.
    async fn personal_data_consent(&self) -> ConsentNotice {
        ConsentNotice {
            version: CONSENT_VERSION,
            text_th: CONSENT_TEXT_TH,
            text_en: CONSENT_TEXT_EN,
        }
    }
}

fn session_cookie(ctx: &Context<'_>, token: &str, max_age_secs: i64) {
    let secure = if app(ctx).secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    ctx.append_http_header(
        "Set-Cookie",
        format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
        ),
    );
}

fn send_mail(ctx: &Context<'_>, to: &str, subject: &str, body: String) {
    // The write is committed; a mail failure is logged and the user can ask again.
    app(ctx).mailer.dispatch(Mail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        body,
    });
}

/// Mails an account (notifications). Sent after the caller's commit; a failure is logged.
pub async fn notify_account(ctx: &Context<'_>, account_id: i64, subject: &str, body: String) {
    match service::get(&app(ctx).db, account_id).await {
        Ok(Some(account)) => send_mail(ctx, &account.email, subject, body),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "cannot read the account to notify"),
    }
}

async fn start_session(ctx: &Context<'_>, account: account::Model) -> AppResult<AuthPayload> {
    let (token, session) = service::create_session(&app(ctx).db, account.id, Utc::now()).await?;
    session_cookie(ctx, &token, service::SESSION_DAYS * 86_400);
    Ok(AuthPayload {
        token,
        expires_at: session.expires_at,
        me: Me(account),
    })
}

async fn send_verification(ctx: &Context<'_>, account: &account::Model) -> AppResult<()> {
    let token =
        service::create_email_token(&app(ctx).db, account.id, Purpose::Verify, Utc::now()).await?;
    let url = format!("{}/verify?token={token}", app(ctx).public_url);
    send_mail(
        ctx,
        &account.email,
        "ยืนยันอีเมล รับฟัง / Verify your e-mail for rubfang",
        format!(
            "ยืนยันอีเมลของท่านเพื่อร่วมแสดงความคิดเห็น:\n{url}\n\nConfirm your address to take part:\n{url}\n\nverification token: {token}\n"
        ),
    );
    Ok(())
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Creates a citizen account and logs it in. A verification link is mailed.
    async fn register(
        &self,
        ctx: &Context<'_>,
        input: RegisterInput,
    ) -> async_graphql::Result<AuthPayload> {
        async {
            rate_limit(ctx, LimitedAction::Register)?;
            let email = Email::parse(&input.email)?;
            let password = Password::parse(&input.password, &email)?;
            let display_name = DisplayName::parse(&input.display_name)?;
            if input.consent_version != CONSENT_VERSION {
                return Err(AppError::validation(
                    "consentVersion",
                    format!(
                        "the consent notice is now version {CONSENT_VERSION}; read it (personalDataConsent) and accept that version"
                    ),
                ));
            }
            let province = input
                .province
                .as_deref()
                .map(|p| sanitize::plain_text(p, 64))
                .transpose()
                .map_err(|e| AppError::validation("province", format!("province: {e}")))?;
            let password_hash = password::hash(password.expose().to_owned()).await?;
            let account = service::create(
                &app(ctx).db,
                NewAccount {
                    email,
                    password_hash,
                    display_name,
                    show_pseudonym: input.show_pseudonym,
                    category: input.respondent_category,
                    province,
                    consent_version: CONSENT_VERSION.to_owned(),
                    verified: false,
                },
            )
            .await?;
            send_verification(ctx, &account).await?;
            start_session(ctx, account).await
        }
        .await
        .gql()
    }

    /// Logs in; the token works as a bearer token and is also set as the session cookie.
    /// Attempts are limited per address and per account.
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> async_graphql::Result<AuthPayload> {
        async {
            rate_limit(ctx, LimitedAction::Login)?;
            let refused = || AppError::Forbidden("wrong e-mail address or password".into());
            let Ok(email) = Email::parse(&email) else {
                return Err(refused());
            };
            let db = &app(ctx).db;
            let Some(account) = service::by_email(db, &email).await? else {
                // As long as a real check, so timing does not tell which addresses exist.
                let _ = password::verify(password, password::dummy_hash().await?.to_owned()).await;
                return Err(refused());
            };
            app(ctx)
                .limiter
                .check(LimitedAction::Login, &[LimitKey::Account(account.id)], 1)
                .map_err(|retry_after| AppError::RateLimited { retry_after })?;
            if !password::verify(password, account.password_hash.clone()).await? {
                return Err(refused());
            }
            start_session(ctx, account).await
        }
        .await
        .gql()
    }

    /// Ends the current session (and clears the cookie).
    async fn logout(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        async {
            let viewer = meta(ctx).viewer()?;
            if let Credential::Session { session_id } = viewer.credential {
                service::end_session(&app(ctx).db, session_id).await?;
            }
            session_cookie(ctx, "", 0);
            Ok(true)
        }
        .await
        .gql()
    }

    /// Confirms the e-mail address with the token from the verification mail.
    async fn verify_email(&self, ctx: &Context<'_>, token: String) -> async_graphql::Result<Me> {
        async {
            let db = &app(ctx).db;
            let now = Utc::now();
            let account_id =
                service::use_email_token(db, token.trim(), Purpose::Verify, now).await?;
            service::mark_verified(db, account_id, now).await?;
            service::get(db, account_id)
                .await?
                .map(Me)
                .ok_or_else(|| AppError::not_found("account"))
        }
        .await
        .gql()
    }

    /// Mails a new verification link to the logged-in account.
    async fn resend_verification(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        async {
            rate_limit(ctx, LimitedAction::Register)?;
            let viewer = meta(ctx).writer()?;
            let account = service::get(&app(ctx).db, viewer.account_id)
                .await?
                .ok_or_else(|| AppError::not_found("account"))?;
            if account.email_verified_at.is_some() {
                return Err(AppError::Conflict(
                    "this e-mail address is already verified".into(),
                ));
            }
            send_verification(ctx, &account).await?;
            Ok(true)
        }
        .await
        .gql()
    }

    /// Mails a password-reset link if the address has an account. Always answers true, so it
    /// does not tell which addresses exist.
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        email: String,
    ) -> async_graphql::Result<bool> {
        async {
            rate_limit(ctx, LimitedAction::Login)?;
            let Ok(email) = Email::parse(&email) else {
                return Ok(true);
            };
            let db = &app(ctx).db;
            if let Some(account) = service::by_email(db, &email).await? {
                let token = service::create_email_token(db, account.id, Purpose::Reset, Utc::now()).await?;
                let url = format!("{}/reset-password?token={token}", app(ctx).public_url);
                send_mail(
                    ctx,
                    &account.email,
                    "ตั้งรหัสผ่านใหม่ รับฟัง / Reset your rubfang password",
                    format!("ตั้งรหัสผ่านใหม่ (ใช้ได้ 1 ชั่วโมง):\n{url}\n\nReset your password (valid for 1 hour):\n{url}\n\nreset token: {token}\n"),
                );
            }
            Ok(true)
        }
        .await
        .gql()
    }

    /// Sets a new password with the token from the reset mail; every session of the account
    /// ends.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        token: String,
        new_password: String,
    ) -> async_graphql::Result<bool> {
        async {
            let db = &app(ctx).db;
            let now = Utc::now();
            // The link stays usable until a good password is given.
            let pending = service::check_email_token(db, token.trim(), Purpose::Reset, now).await?;
            let account = service::get(db, pending.account_id)
                .await?
                .ok_or_else(|| AppError::not_found("account"))?;
            let email = Email::parse(&account.email)?;
            let password = Password::parse(&new_password, &email)?;
            let hash = password::hash(password.expose().to_owned()).await?;
            let account_id =
                service::use_email_token(db, token.trim(), Purpose::Reset, now).await?;
            service::set_password(db, account_id, hash).await?;
            // Following the link proves the address.
            service::mark_verified(db, account_id, now).await?;
            Ok(true)
        }
        .await
        .gql()
    }

    /// Creates an API key for reading with higher quotas. The key is shown once.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> async_graphql::Result<CreatedApiKey> {
        async {
            let viewer = meta(ctx).writer()?;
            rate_limit(ctx, LimitedAction::Register)?;
            let name = sanitize::plain_text(&name, 100)
                .map_err(|e| AppError::validation("name", format!("key name: {e}")))?;
            let (key, model) =
                service::create_api_key(&app(ctx).db, viewer.account_id, name, Utc::now()).await?;
            Ok(CreatedApiKey {
                key,
                api_key: ApiKey(model),
            })
        }
        .await
        .gql()
    }

    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<bool> {
        async {
            let viewer = meta(ctx).writer()?;
            let key_id = relay::decode_typed_id(&id, NodeType::ApiKey, "id")?;
            service::revoke_api_key(&app(ctx).db, viewer.account_id, key_id, Utc::now()).await?;
            Ok(true)
        }
        .await
        .gql()
    }

    /// Follows a draft, or every draft of an agency: when a consultation opens on it, a notice
    /// is mailed (to verified addresses).
    async fn follow(
        &self,
        ctx: &Context<'_>,
        draft_id: Option<ID>,
        agency: Option<String>,
    ) -> async_graphql::Result<bool> {
        set_follow(ctx, draft_id, agency, true).await
    }

    async fn unfollow(
        &self,
        ctx: &Context<'_>,
        draft_id: Option<ID>,
        agency: Option<String>,
    ) -> async_graphql::Result<bool> {
        set_follow(ctx, draft_id, agency, false).await
    }

    /// Sets the role of the account with this e-mail address. Platform admins may grant any role; agency admins may grant
    /// agency roles within their own agency, or take them back.
    async fn grant_role(
        &self,
        ctx: &Context<'_>,
        email: String,
        role: Role,
        agency: Option<String>,
    ) -> async_graphql::Result<GrantedRole> {
        let forbidden = || {
            AppError::Forbidden(
                "only platform admins, or agency admins within their own agency, may grant roles"
                    .into(),
            )
        };
        // Who may grant is settled before anything is looked up, so the answer never tells a
        // caller whether an address has an account.
        let viewer = meta(ctx).writer().gql()?;
        if !matches!(viewer.role, Role::PlatformAdmin | Role::AgencyAdmin) {
            return Err(forbidden()).gql();
        }
        let agency_id = match &agency {
            Some(a) => Some(agency_arg(ctx, a, "agency").await?),
            None => None,
        };
        async {
            let db = &app(ctx).db;
            let current = service::by_email(db, &Email::parse(&email)?).await?;
            let allowed = match (viewer.role, &current) {
                (Role::PlatformAdmin, _) => true,
                (Role::AgencyAdmin, Some(current)) => {
                    let own = viewer.agency_id;
                    let in_own = current.agency_id.is_some() && current.agency_id == own;
                    match role {
                        // Bring a citizen into the agency, or change a role within it.
                        Role::AgencyStaff | Role::AgencyAdmin => {
                            agency_id == own && (in_own || current.role == Role::Citizen)
                        }
                        // Take an agency role back.
                        Role::Citizen => in_own,
                        Role::PlatformAdmin => false,
                    }
                }
                _ => false,
            };
            if !allowed {
                return Err(forbidden());
            }
            let current = current.ok_or_else(|| AppError::not_found("account"))?;
            let updated = service::set_role(db, current.id, role, agency_id).await?;
            let agency = match updated.agency_id {
                Some(id) => agencies::get(db, id).await?.map(Agency),
                None => None,
            };
            Ok(GrantedRole {
                role: updated.role,
                agency,
            })
        }
        .await
        .gql()
    }
}
