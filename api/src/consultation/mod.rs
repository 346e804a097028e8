//! Consultations (การรับฟังความคิดเห็น): when the public may comment on a draft, and the rules on
//! their length.

pub mod entity;
pub mod graphql;
mod period;
pub mod service;

pub use period::{ConsultationPeriod, ConsultationState, bangkok, start_of_day_bangkok};
