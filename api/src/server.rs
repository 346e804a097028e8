//! The HTTP server: routes, the GraphQL endpoint with its request limits, health checks, and
//! the `Application` that tests and production start the same way.

use std::{
    future::Future,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use async_graphql::BatchRequest;
use poem::{
    Body, Endpoint, EndpointExt, IntoResponse, Request, Response, Route, Server, get, handler,
    http::{StatusCode, header},
    listener::{Acceptor, Listener, TcpAcceptor, TcpListener},
    web::{Data, Json},
};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use crate::{
    account::{Credential, RequestMeta, Viewer, graphql::SESSION_COOKIE, service as accounts},
    config::{ApiLimits, Config},
    db, demo,
    draft::service::{self as drafts, TextCache},
    error::{AppError, AppResult},
    graphql::{self, AppContext, AppSchema, build_schema},
    mailer::Mailer,
    ratelimit::{self, LimitKey, LimitedAction, RateLimiter, TrustedProxy},
};

/// Memory for version texts kept between requests.
const TEXT_CACHE_BYTES: usize = 64 * 1024 * 1024;

struct State {
    schema: AppSchema,
    db: DatabaseConnection,
    texts: Arc<TextCache>,
    bench_routes: bool,
    limits: ApiLimits,
    sdl: String,
    limiter: Arc<RateLimiter>,
    trusted_proxies: Vec<TrustedProxy>,
    mailer: Arc<Mailer>,
    search: Arc<crate::search::Search>,
}

/// The platform, bound to its port, ready to run.
pub struct Application {
    acceptor: TcpAcceptor,
    addr: SocketAddr,
    state: Arc<State>,
}

impl Application {
    /// Connects, migrates, seeds the demo data if asked and the database is empty, and binds.
    pub async fn build(config: Config) -> AppResult<Self> {
        let db = db::connect(&config.database).await?;
        db::migrate_up(&db).await?;
        if config.demo && demo::seed_if_empty(&db, &config.policy).await? {
            tracing::info!("demo data loaded");
        }
        let texts = Arc::new(TextCache::new(TEXT_CACHE_BYTES));
        let limiter = Arc::new(RateLimiter::new(&config.rate_limits));
        let mailer = Arc::new(Mailer::new(&config.mail)?);
        let participation = config.participation.clone();
        if participation.require_verified_email && !mailer.is_smtp() {
            tracing::warn!(
                "e-mail verification is required but no SMTP server is set (RUBFANG_SMTP_URL): \
                 verification mails go only to the log, at debug level"
            );
        }
        let write_gate = Arc::new(db::WriteGate::open(&config.database).await?);
        let search = Arc::new(crate::search::Search::open(
            &config.search,
            db.clone(),
            texts.clone(),
        )?);
        let context = AppContext {
            db: db.clone(),
            texts: texts.clone(),
            policy: config.policy.clone(),
            participation,
            limiter: limiter.clone(),
            mailer: mailer.clone(),
            public_url: config.public_url.trim_end_matches('/').to_owned(),
            comment_writer: write_gate
                .dedicated()
                .map(|w| crate::comment::writer::CommentWriter::start(w.clone())),
            write_gate,
            facts: Arc::default(),
            search: search.clone(),
        };
        let schema = build_schema(context, &config.limits);
        let acceptor = TcpListener::bind(config.bind)
            .into_acceptor()
            .await
            .map_err(|e| {
                AppError::validation("bind", format!("cannot listen on {}: {e}", config.bind))
            })?;
        let addr = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .unwrap_or(config.bind);
        let sdl = schema.sdl();
        Ok(Self {
            acceptor,
            addr,
            state: Arc::new(State {
                schema,
                db,
                texts,
                bench_routes: config.bench_routes,
                limits: config.limits,
                sdl,
                limiter,
                trusted_proxies: config.rate_limits.trusted_proxies.clone(),
                mailer,
                search,
            }),
        })
    }

    /// The search engine and its indexer (tests drain the outbox through it).
    pub fn search(&self) -> Arc<crate::search::Search> {
        self.state.search.clone()
    }

    /// The address actually bound (port 0 becomes a real port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The mailer, whose recent messages an operator (or a test) can read.
    pub fn mailer(&self) -> Arc<Mailer> {
        self.state.mailer.clone()
    }

    /// Serves until ctrl-c or SIGTERM, then finishes requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes, then finishes requests in flight (up to 10 s).
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send) -> std::io::Result<()> {
        let web = rubfang_web::routes(Arc::new(InProcess(self.state.clone())));
        let app = Route::new()
            .at("/graphql", get(console).post(graphql_post))
            .at("/graphql/schema.graphql", get(schema_sdl))
            .at("/healthz", get(healthz))
            .at("/livez", get(livez))
            .at("/bench/bare/:slug", get(bench_bare))
            .nest("/", web)
            .data(self.state.clone())
            .around(log_request);
        tracing::info!(addr = %self.addr, "rubfang listening");
        // Forget rate-limit state of clients back at full allowance, so memory stays bounded.
        let limiter = self.state.limiter.clone();
        let housekeeping = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                limiter.housekeeping();
            }
        });
        let indexer = tokio::spawn(self.state.search.indexer.clone().run());
        let served = Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(app, shutdown, Some(Duration::from_secs(10)))
            .await;
        housekeeping.abort();
        indexer.abort();
        served
    }
}

/// Logs each request by method, path and status, never its query string: links in mail carry
/// one-time tokens there.
async fn log_request<E: Endpoint>(next: Arc<E>, req: Request) -> poem::Result<Response> {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = std::time::Instant::now();
    let result = next.call(req).await.map(IntoResponse::into_response);
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    match &result {
        Ok(r) if r.status().is_server_error() => {
            tracing::warn!(%method, %path, status = r.status().as_u16(), ms, "request")
        }
        Ok(r) => tracing::debug!(%method, %path, status = r.status().as_u16(), ms, "request"),
        Err(e) => tracing::info!(%method, %path, status = e.status().as_u16(), ms, "request"),
    }
    result
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

/// The site's in-process GraphQL client.
struct InProcess(Arc<State>);

#[async_trait::async_trait]
impl rubfang_web::GraphqlExecutor for InProcess {
    async fn execute(&self, document: &str, variables: Value) -> Value {
        let request = async_graphql::Request::new(document)
            .variables(async_graphql::Variables::from_json(variables));
        let response = graphql::execute(&self.0.schema, request).await;
        serde_json::to_value(&response).unwrap_or_else(|e| {
            json!({ "errors": [{ "message": e.to_string(), "extensions": { "code": "INTERNAL" } }] })
        })
    }
}

fn request_error(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        Json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })),
    )
        .into_response()
}

fn unauthenticated(message: &str) -> Response {
    let mut r = request_error(
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
        message.to_owned(),
    );
    if let Ok(v) = "Bearer".parse() {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

/// The viewer of a request: a bearer token (session or API key) or the session cookie.
/// A bad bearer token is refused outright; a stale cookie just means anonymous. The cookie
/// counts only on `application/json` requests, which a cross-site form cannot send (CSRF).
async fn authenticate(state: &State, req: &Request) -> Result<Option<Viewer>, Response> {
    let now = chrono::Utc::now();
    if let Some(auth) = req.headers().get(header::AUTHORIZATION) {
        let auth = auth.to_str().unwrap_or("");
        let Some(token) = auth
            .strip_prefix("Bearer ")
            .or_else(|| auth.strip_prefix("bearer "))
        else {
            return Err(unauthenticated(
                "use `Authorization: Bearer <token>` with a session token or an API key",
            ));
        };
        return match accounts::viewer_for_token(&state.db, token.trim(), now).await {
            Ok(Some(v)) => Ok(Some(v)),
            Ok(None) => Err(unauthenticated(
                "the bearer token is invalid, expired or revoked; log in again",
            )),
            Err(e) => Err(request_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                e.code(),
                e.to_string(),
            )),
        };
    }
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    let cookie = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_owned());
    match cookie {
        Some(token) if is_json && !token.is_empty() => {
            Ok(accounts::viewer_for_token(&state.db, &token, now)
                .await
                .ok()
                .flatten()
                .filter(|v| matches!(v.credential, Credential::Session { .. })))
        }
        _ => Ok(None),
    }
}

fn client_of(state: &State, req: &Request) -> IpAddr {
    let peer = req
        .remote_addr()
        .as_socket_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let joined = forwarded.join(",");
    ratelimit::client_addr(
        peer,
        (!forwarded.is_empty()).then_some(joined.as_str()),
        &state.trusted_proxies,
    )
}

fn too_many(retry_after: Duration) -> Response {
    let secs = retry_after.as_secs().max(1);
    let mut r = (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({ "errors": [{
            "message": format!("too many requests; retry after {secs} s"),
            "extensions": { "code": "RATE_LIMITED", "retryAfter": secs }
        }] })),
    )
        .into_response();
    if let Ok(v) = secs.to_string().parse() {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

/// `POST /graphql`: one operation, or a JSON array of at most `max_batch` of them.
#[handler]
async fn graphql_post(req: &Request, Data(state): Data<&Arc<State>>, body: Body) -> Response {
    let limits = &state.limits;
    let bytes = match body.into_bytes_limit(limits.max_body_bytes).await {
        Ok(b) => b,
        Err(poem::error::ReadBodyError::PayloadTooLarge) => {
            return request_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                format!("the request body is over {} bytes", limits.max_body_bytes),
            );
        }
        Err(e) => {
            return request_error(StatusCode::BAD_REQUEST, "BAD_REQUEST", e.to_string());
        }
    };
    let is_batch = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let parsed = if is_batch {
        serde_json::from_slice::<Vec<async_graphql::Request>>(&bytes).map(BatchRequest::Batch)
    } else {
        serde_json::from_slice::<async_graphql::Request>(&bytes).map(BatchRequest::Single)
    };
    let batch = match parsed {
        Ok(b) => b,
        Err(e) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                format!(
                    "the body is not a GraphQL request (JSON with `query`, or an array of them): {e}"
                ),
            );
        }
    };
    if let BatchRequest::Batch(ops) = &batch {
        if ops.is_empty() {
            return request_error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the batch holds no operation".into(),
            );
        }
        if ops.len() > limits.max_batch {
            return request_error(
                StatusCode::BAD_REQUEST,
                "BATCH_TOO_LARGE",
                format!(
                    "a batch may hold at most {} operations; this one holds {}",
                    limits.max_batch,
                    ops.len()
                ),
            );
        }
    }
    let client = client_of(state, req);
    // Every operation of a batch counts, so batching cannot multiply the quota.
    let operations = match &batch {
        BatchRequest::Single(_) => 1,
        BatchRequest::Batch(ops) => ops.len() as u32,
    };
    // Requests with an API key are counted per key holder, at the researchers' quota; all
    // others per address, before any token is looked up (bad tokens cost a flood nothing).
    let has_api_key = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains(crate::account::token::TokenKind::ApiKey.prefix()));
    if !has_api_key
        && let Err(retry_after) = state.limiter.check(
            LimitedAction::GraphqlRequest,
            &[LimitKey::address(client)],
            operations,
        )
    {
        return too_many(retry_after);
    }
    let viewer = match authenticate(state, req).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let limited = match &viewer {
        Some(v) if matches!(v.credential, Credential::ApiKey { .. }) => state.limiter.check(
            LimitedAction::ApiKeyRequest,
            &[LimitKey::Account(v.account_id)],
            operations,
        ),
        Some(v) => state.limiter.check(
            LimitedAction::GraphqlRequest,
            &[LimitKey::Account(v.account_id)],
            operations,
        ),
        None => Ok(()),
    };
    if let Err(retry_after) = limited {
        return too_many(retry_after);
    }
    let meta = RequestMeta { client, viewer };
    let batch = match batch {
        BatchRequest::Single(r) => BatchRequest::Single(r.data(meta)),
        BatchRequest::Batch(rs) => {
            BatchRequest::Batch(rs.into_iter().map(|r| r.data(meta.clone())).collect())
        }
    };
    let response = graphql::execute_batch(&state.schema, batch).await;
    match graphql::json::to_vec(&response) {
        Ok(json) => {
            let mut builder = Response::builder().content_type("application/json");
            for (name, value) in response.http_headers_iter() {
                builder = builder.header(name, value);
            }
            builder.body(json)
        }
        Err(e) => request_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            format!("cannot encode the response: {e}"),
        ),
    }
}

#[handler]
fn console() -> impl IntoResponse {
    rubfang_web::console_page()
}

#[handler]
fn schema_sdl(Data(state): Data<&Arc<State>>) -> impl IntoResponse {
    state
        .sdl
        .clone()
        .with_content_type("text/plain; charset=utf-8")
}

/// Readiness: the database answers.
#[handler]
async fn healthz(Data(state): Data<&Arc<State>>) -> Response {
    let database = db::backend_name(&state.db);
    // Search trailing behind (or down) degrades search only; the platform stays up, so the
    // status answers for the database alone and the search part reports itself.
    let search = state.search.indexer.health().await;
    if db::ping(&state.db).await {
        Json(json!({ "status": "ok", "database": database, "search": search })).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "database": database, "search": search })),
        )
            .into_response()
    }
}

/// Liveness: the process serves HTTP; touches nothing else.
#[handler]
fn livez() -> &'static str {
    "ok"
}

/// Benchmark ceiling (off unless `--bench-routes`): the same data as the GraphQL read of a
/// whole current version, fetched through the same services and cache, serialised directly.
#[handler]
async fn bench_bare(
    Data(state): Data<&Arc<State>>,
    poem::web::Path(slug): poem::web::Path<String>,
) -> Response {
    if !state.bench_routes {
        return StatusCode::NOT_FOUND.into_response();
    }
    let result = async {
        let draft = drafts::by_slug(&state.db, &slug)
            .await?
            .ok_or_else(|| AppError::not_found("draft"))?;
        let version = drafts::current_version(&state.db, draft.id)
            .await?
            .ok_or_else(|| AppError::not_found("version"))?;
        drafts::version_text(&state.db, &state.texts, version.id).await
    }
    .await;
    let text = match result {
        Ok(t) => t,
        Err(e) => return request_error(StatusCode::NOT_FOUND, e.code(), e.to_string()),
    };
    // Borrowed structs, serialised straight to bytes: the fastest honest way to send this data.
    #[derive(serde::Serialize)]
    struct HeadingOut<'a> {
        title: &'a str,
    }
    #[derive(serde::Serialize)]
    struct NodeOut<'a> {
        label: &'a str,
        text: &'a str,
        #[serde(rename = "headingPath")]
        heading_path: Vec<HeadingOut<'a>>,
    }
    #[derive(serde::Serialize)]
    struct EdgeOut<'a> {
        node: NodeOut<'a>,
    }
    let edges: Vec<EdgeOut<'_>> = text
        .sections
        .iter()
        .map(|s| EdgeOut {
            node: NodeOut {
                label: &s.label,
                text: &s.body,
                heading_path: text
                    .heading_path(s.heading_id)
                    .iter()
                    .map(|h| HeadingOut { title: &h.title })
                    .collect(),
            },
        })
        .collect();
    let mut body = br#"{"data":{"draft":{"currentVersion":{"sections":{"edges":"#.to_vec();
    if let Err(e) = serde_json::to_writer(&mut body, &edges) {
        return request_error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", e.to_string());
    }
    body.extend_from_slice(b"}}}}}");
    Response::builder()
        .content_type("application/json")
        .body(body)
}
