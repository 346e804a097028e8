//! Test harness: a fresh database per test (a SQLite file, or a new PostgreSQL database when
//! `TEST_DATABASE_URL` is set) and the real application on port 0, reached over HTTP.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::{
    future::Future,
    net::SocketAddr,
    sync::atomic::{AtomicU32, Ordering},
};

use rubfang_api::{
    Application,
    config::{
        ApiLimits, Config, DatabaseConfig, MailConfig, ParticipationConfig, PolicyConfig,
        RateLimitConfig, SearchConfig,
    },
    mailer::Mailer,
};
use sea_orm::{ConnectionTrait, Database};
use secrecy::SecretString;
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that exists for one test only.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// (admin URL, database name) to drop at the end.
    pg: Option<(String, String)>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// None when the backend is not configured here (PostgreSQL without `TEST_DATABASE_URL`).
    pub async fn create(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                Some(TestDb {
                    url,
                    _dir: Some(dir),
                    pg: None,
                })
            }
            Backend::Postgres => {
                let admin = std::env::var("TEST_DATABASE_URL").ok()?;
                let name = format!(
                    "rubfang_t_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .subsec_nanos()
                );
                let conn = Database::connect(&admin)
                    .await
                    .expect("TEST_DATABASE_URL reachable");
                conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .unwrap();
                conn.close().await.unwrap();
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                Some(TestDb {
                    url: format!("{base}/{name}"),
                    _dir: None,
                    pg: Some((admin, name)),
                })
            }
        }
    }

    pub fn config(&self) -> DatabaseConfig {
        DatabaseConfig {
            url: SecretString::from(self.url.clone()),
            max_connections: 5,
        }
    }

    pub async fn connect(&self) -> sea_orm::DatabaseConnection {
        rubfang_api::db::connect(&self.config()).await.unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            // Drop runs outside any runtime we may block; use a small one of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(conn) = Database::connect(&admin).await {
                        let _ = conn
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// The running platform.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub db: TestDb,
    pub mailer: std::sync::Arc<Mailer>,
    pub search: std::sync::Arc<rubfang_api::search::Search>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

pub fn config(db: &TestDb, demo: bool) -> Config {
    Config {
        database: db.config(),
        bind: "127.0.0.1:0".parse().unwrap(),
        demo,
        policy: PolicyConfig::default(),
        limits: ApiLimits::default(),
        bench_routes: false,
        public_url: "http://rubfang.test".into(),
        // Tests that need verification or limits turn them on.
        participation: ParticipationConfig {
            require_verified_email: false,
            ..ParticipationConfig::default()
        },
        rate_limits: RateLimitConfig::unlimited(),
        mail: MailConfig::default(),
        search: search_config(),
    }
}

/// The embedded engine in memory, or Meilisearch when `RUBFANG_MEILI_URL` is set (each test
/// app under index names of its own, so tests never see each other's documents).
pub fn search_config() -> SearchConfig {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let prefix = format!(
        "rubfang_test_{}_{}_",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    SearchConfig::from_parts(
        std::env::var("RUBFANG_MEILI_URL").ok().as_deref(),
        std::env::var("RUBFANG_MEILI_MASTER_KEY").ok().as_deref(),
        &prefix,
        None,
    )
}

impl TestApp {
    pub async fn start(db: TestDb, config: Config) -> TestApp {
        let app = Application::build(config)
            .await
            .expect("application starts");
        let addr = app.addr();
        let mailer = app.mailer();
        let search = app.search();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            app.run_until(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        TestApp {
            addr,
            client: reqwest::Client::new(),
            db,
            mailer,
            search,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Waits for the engine to be set up (and the first index built), then drains the outbox:
    /// afterwards every write so far is searchable.
    pub async fn search_catch_up(&self) {
        for _ in 0..3000 {
            if self.search.indexer.health().await.ready {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(
            self.search.indexer.health().await.ready,
            "search engine never got ready"
        );
        self.search
            .indexer
            .catch_up()
            .await
            .expect("the outbox drains");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// POSTs one GraphQL operation and returns the whole response body.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        let (status, body) = self
            .post_json(&json!({ "query": query, "variables": variables }))
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// The `data` of a response that must have no errors.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.gql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    pub async fn post_json(&self, body: &Value) -> (u16, Value) {
        self.post_raw(&body.to_string()).await
    }

    pub async fn post_raw(&self, body: &str) -> (u16, Value) {
        let res = self
            .client
            .post(self.url("/graphql"))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap())
    }

    /// POSTs one operation with `Authorization: Bearer <token>`; returns status and body.
    pub async fn gql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let (status, body) = self
            .post_with(
                &json!({ "query": query, "variables": variables }).to_string(),
                &[("authorization", &format!("Bearer {token}"))],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// The `data` of an authenticated operation that must have no errors.
    pub async fn data_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = self.gql_as(token, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// POSTs a raw body with extra headers.
    pub async fn post_with(&self, body: &str, headers: &[(&str, &str)]) -> (u16, Value) {
        let mut req = self
            .client
            .post(self.url("/graphql"))
            .header("content-type", "application/json")
            .body(body.to_owned());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap())
    }

    /// Logs in a demo account; returns its bearer token.
    pub async fn login(&self, email: &str) -> String {
        let data = self
            .data(
                "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
                json!({ "e": email, "p": rubfang_api::demo::DEMO_PASSWORD }),
            )
            .await;
        data["login"]["token"].as_str().unwrap().to_owned()
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let res = self.client.get(self.url(path)).send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// The `extensions.code` of every error in a response.
pub fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("<none>")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Rows in a table, read straight from the database (to prove a refused write changed nothing).
pub async fn rows(app: &TestApp, table: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let db = app.db.connect().await;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// Runs `test` against a fresh platform with the demo data on `backend`, or says why it was
/// skipped.
pub async fn with_demo<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = TestApp>,
{
    let Some(db) = TestDb::create(backend).await else {
        eprintln!("skipped on {backend:?}: set TEST_DATABASE_URL to run it there");
        return;
    };
    let cfg = config(&db, true);
    let app = TestApp::start(db, cfg).await;
    test(app).await.stop().await;
}

/// Like [`with_demo`], with the configuration changed by `tweak` first.
pub async fn with_config<F, Fut>(backend: Backend, tweak: fn(&mut Config), test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = TestApp>,
{
    let Some(db) = TestDb::create(backend).await else {
        eprintln!("skipped on {backend:?}: set TEST_DATABASE_URL to run it there");
        return;
    };
    let mut cfg = config(&db, true);
    tweak(&mut cfg);
    let app = TestApp::start(db, cfg).await;
    test(app).await.stop().await;
}

/// Declares each listed `async fn(TestApp) -> TestApp` as a test on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_every_backend {
    (config = $tweak:ident; $($name:ident),* $(,)?) => {$(
        mod $name {
            use super::common::{Backend, with_config};

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                with_config(Backend::Sqlite, super::$tweak, super::$name).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                with_config(Backend::Postgres, super::$tweak, super::$name).await;
            }
        }
    )*};
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::common::{Backend, with_demo};

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                with_demo(Backend::Sqlite, super::$name).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                with_demo(Backend::Postgres, super::$name).await;
            }
        }
    )*};
}

/// The demo's open consultation (on the draft `cycling-act`) and the ids of its sections.
pub struct Open {
    pub consultation: String,
    pub sections: Vec<String>,
    pub draft: String,
}

pub async fn open_consultation(app: &TestApp) -> Open {
    let data = app
        .data(
            r#"{ draft(slug: "cycling-act") { id
                consultations { edges { node { id isOpen } } }
                currentVersion { sections(first: 50) { edges { node { id } } } } } }"#,
            json!({}),
        )
        .await;
    let consultation = data["draft"]["consultations"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sections = data["draft"]["currentVersion"]["sections"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    Open {
        consultation,
        sections,
        draft: data["draft"]["id"].as_str().unwrap().to_owned(),
    }
}

/// `/healthz` as JSON.
pub async fn health(app: &TestApp) -> Value {
    app.client
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
