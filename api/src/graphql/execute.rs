//! Runs GraphQL requests and gives every error a stable `extensions.code`, including those
//! async-graphql raises itself while parsing and validating (complexity, depth, unknown fields).
//!
//! This is done around execution rather than in an async-graphql extension: any extension makes
//! async-graphql build resolve info for every single field, which costs a few percent on large
//! reads.

use async_graphql::{BatchRequest, BatchResponse, Request, Response, ServerError};

use super::AppSchema;

fn with_code(mut err: ServerError, code: &str) -> ServerError {
    let ext = err.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code);
    }
    err
}

/// The code of an error no resolver coded: errors without a path were raised before execution,
/// by validation; the rest come from coercing arguments and variables.
fn uncoded(err: ServerError) -> ServerError {
    if !err.path.is_empty() {
        return with_code(err, "BAD_USER_INPUT");
    }
    // These two messages are async-graphql's own; a test pins them.
    let code = match err.message.as_str() {
        "Query is too complex." => "QUERY_TOO_COMPLEX",
        "Query is nested too deep." => "QUERY_TOO_DEEP",
        _ => "GRAPHQL_VALIDATION_FAILED",
    };
    with_code(err, code)
}

/// Parses (once: the document is kept for execution), executes, and codes every error.
pub async fn execute(schema: &AppSchema, mut request: Request) -> Response {
    if let Err(err) = request.parsed_query() {
        return Response::from_errors(vec![with_code(err, "GRAPHQL_PARSE_FAILED")]);
    }
    let mut response = schema.execute(request).await;
    response.errors = response.errors.into_iter().map(uncoded).collect();
    response
}

pub async fn execute_batch(schema: &AppSchema, batch: BatchRequest) -> BatchResponse {
    match batch {
        BatchRequest::Single(request) => BatchResponse::Single(execute(schema, request).await),
        BatchRequest::Batch(requests) => {
            let mut responses = Vec::with_capacity(requests.len());
            for request in requests {
                responses.push(execute(schema, request).await);
            }
            BatchResponse::Batch(responses)
        }
    }
}
