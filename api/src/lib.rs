//! rubfang (รับฟัง): public consultation on draft laws and the evaluation of laws in force.
//! The library behind the `rubfang` binary: configuration, domains, the GraphQL API and the
//! HTTP server.

pub mod account;
pub mod agency;
pub mod benchseed;
pub mod cli;
pub mod comment;
pub mod config;
pub mod consultation;
pub mod db;
pub mod demo;
pub mod draft;
pub mod error;
pub mod facts;
pub mod graphql;
pub mod lawtext;
pub mod mailer;
pub mod question;
pub mod ratelimit;
pub mod sanitize;
pub mod search;
pub mod server;
pub mod slug;
pub mod thai;

pub use server::Application;
