//! Drafts (ร่างกฎหมาย) of instruments, their versions, and each version's headings and sections.

pub mod entity;
pub mod graphql;
pub mod import;
pub mod service;
mod types;

pub use types::{DraftStatus, HeadingLevel, InstrumentKind, ProvisionUnit};
