//! Test suite: small inline snippets and the full-corpus acceptance run.
mod corpus;
mod snippets;
