//! Every schema change of rubfang, in order: append-only, reversible, the same on SQLite and
//! PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_agencies;
mod m20261122_000002_create_drafts;
mod m20261122_000003_create_consultations;
mod m20261122_000004_create_accounts;
mod m20261122_000005_create_participation;
mod m20261122_000006_create_follows;
mod m20261122_000007_create_search_outbox;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_agencies::Migration),
            Box::new(m20261122_000002_create_drafts::Migration),
            Box::new(m20261122_000003_create_consultations::Migration),
            Box::new(m20261122_000004_create_accounts::Migration),
            Box::new(m20261122_000005_create_participation::Migration),
            Box::new(m20261122_000006_create_follows::Migration),
            Box::new(m20261122_000007_create_search_outbox::Migration),
        ]
    }
}
