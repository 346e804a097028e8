//! The `rubfang` binary: parses the command line, starts logging, and calls into the library.

use std::{io::Read, process::ExitCode};

use clap::Parser;
use rubfang_api::{
    Application,
    account::service as accounts,
    cli::{Cli, Command, MigrateAction, SearchAction},
    db, demo,
    draft::import::{ImportRequest, import},
    error::AppError,
    search::Search,
};
use tracing_subscriber::EnvFilter;

// Many small, short-lived allocations per request (GraphQL values, JSON); mimalloc serves them
// markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_new(&cli.common.log).unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(AppError::Validation { field, message }) => {
            eprintln!("error: {field}: {message}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            if let AppError::Internal(cause) = &e {
                eprintln!("cause: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), AppError> {
    let common = &cli.common;
    match &cli.command {
        Command::Serve(args) => {
            let app = Application::build(common.config(Some(args.as_ref()))?).await?;
            app.run_until_stopped().await.map_err(AppError::internal)
        }
        Command::Migrate { action } => {
            let db = db::connect(&common.database()).await?;
            match action {
                MigrateAction::Up => db::migrate_up(&db).await?,
                MigrateAction::Down { steps } => db::migrate_down(&db, *steps).await?,
                MigrateAction::Status => {}
            }
            for (name, applied) in db::migration_status(&db).await? {
                println!("{} {name}", if applied { "applied" } else { "pending" });
            }
            Ok(())
        }
        Command::Import(args) => {
            let bytes = if args.file.as_os_str() == "-" {
                let mut buf = Vec::new();
                std::io::stdin().read_to_end(&mut buf).map_err(|e| {
                    AppError::validation("file", format!("cannot read standard input: {e}"))
                })?;
                buf
            } else {
                std::fs::read(&args.file).map_err(|e| {
                    AppError::validation(
                        "file",
                        format!("cannot read {}: {e}", args.file.display()),
                    )
                })?
            };
            let db = db::connect(&common.database()).await?;
            db::migrate_up(&db).await?;
            let report = import(
                &db,
                &bytes,
                ImportRequest {
                    agency_slug: args.agency.clone(),
                    kind: args.kind,
                    status: args.status,
                    slug: args.slug.clone(),
                    dry_run: args.dry_run,
                },
            )
            .await?;
            print!("{}", report.summary());
            Ok(())
        }
        Command::GrantRole(args) => {
            let db = db::connect(&common.database()).await?;
            db::migrate_up(&db).await?;
            let updated = accounts::grant_by_email(
                &db,
                &args.email,
                args.role.into(),
                args.agency.as_deref(),
            )
            .await?;
            println!("{} is now {:?}", updated.email, updated.role);
            Ok(())
        }
        Command::BenchSeed(args) => {
            let db = db::connect(&common.database()).await?;
            db::migrate_up(&db).await?;
            let report = rubfang_api::benchseed::seed(
                &db,
                &args.draft_slug,
                args.comments,
                args.accounts,
                &args.tokens_out,
            )
            .await?;
            print!("{}", report.summary());
            Ok(())
        }
        Command::Reindex => {
            let search = open_search(common).await?;
            search.backend.setup().await?;
            let report = search.indexer.rebuild().await?;
            let secs = report.elapsed.as_secs_f64();
            let docs = report.drafts + report.sections + report.comments;
            println!(
                "{} search index rebuilt: {} drafts, {} sections, {} comments in {secs:.1} s ({:.0} documents/s)",
                search.backend.name(),
                report.drafts,
                report.sections,
                report.comments,
                docs as f64 / secs.max(1e-9)
            );
            Ok(())
        }
        Command::Search { action } => {
            let search = open_search(common).await?;
            match action {
                SearchAction::Setup => {
                    let created = search.backend.setup().await?;
                    println!(
                        "{} search indexes {}; settings applied from search-config/",
                        search.backend.name(),
                        if created { "created" } else { "present" }
                    );
                    if created {
                        println!("the indexes are empty: run `rubfang reindex`");
                    }
                }
                SearchAction::Status => {
                    let health = search.indexer.health().await;
                    println!(
                        "engine {}; outbox backlog {} (oldest {} s)",
                        health.backend,
                        health.backlog,
                        health.oldest_pending_seconds.unwrap_or(0)
                    );
                }
            }
            Ok(())
        }
        Command::SeedDemo => {
            let db = db::connect(&common.database()).await?;
            db::migrate_up(&db).await?;
            if demo::seed_if_empty(&db, &common.policy()).await? {
                println!("demo data loaded");
                Ok(())
            } else {
                Err(AppError::Conflict(
                    "the database already holds data; the demo loads only into an empty one".into(),
                ))
            }
        }
    }
}

async fn open_search(common: &rubfang_api::cli::CommonArgs) -> Result<Search, AppError> {
    let db = db::connect(&common.database()).await?;
    db::migrate_up(&db).await?;
    Search::open(
        &common.search(),
        db,
        std::sync::Arc::new(rubfang_api::draft::service::TextCache::new(
            64 * 1024 * 1024,
        )),
    )
}
