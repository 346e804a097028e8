//! Agencies (หน่วยงานของรัฐ): who drafts laws and holds consultations.

pub mod entity;
pub mod graphql;
pub mod service;
