//! Relay plumbing shared by every domain: opaque global IDs, keyset cursors, page arguments and
//! the cost of a connection in the complexity budget.

use std::{future::Future, pin::Pin, sync::Arc};

use async_graphql::{Context, ID, Object, connection::CursorType};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::DatabaseConnection;

use crate::{
    config::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE},
    error::{AppError, AppResult, GqlResultExt},
};

/// The kinds of object reachable through `node(id)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeType {
    Agency,
    Draft,
    DraftVersion,
    Heading,
    Section,
    Consultation,
    Comment,
    Question,
    QuestionOption,
    Account,
    ApiKey,
}

impl NodeType {
    const ALL: [NodeType; 11] = [
        Self::Agency,
        Self::Draft,
        Self::DraftVersion,
        Self::Heading,
        Self::Section,
        Self::Consultation,
        Self::Comment,
        Self::Question,
        Self::QuestionOption,
        Self::Account,
        Self::ApiKey,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Agency => "Agency",
            Self::Draft => "Draft",
            Self::DraftVersion => "DraftVersion",
            Self::Heading => "Heading",
            Self::Section => "Section",
            Self::Consultation => "Consultation",
            Self::Comment => "Comment",
            Self::Question => "Question",
            Self::QuestionOption => "QuestionOption",
            Self::Account => "Account",
            Self::ApiKey => "ApiKey",
        }
    }
}

/// `Draft:12` → an opaque, URL-safe ID.
pub fn global_id(kind: NodeType, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name())))
}

/// Any global ID back to its type and row id; `field` names the argument in the error.
pub fn decode_global_id(id: &str, field: &str) -> AppResult<(NodeType, i64)> {
    let invalid = || AppError::validation(field, format!("`{id}` is not a valid rubfang ID"));
    let bytes = URL_SAFE_NO_PAD.decode(id.trim()).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (name, raw) = text.split_once(':').ok_or_else(invalid)?;
    let kind = NodeType::ALL
        .into_iter()
        .find(|k| k.name() == name)
        .ok_or_else(invalid)?;
    let row = raw.parse::<i64>().map_err(|_| invalid())?;
    Ok((kind, row))
}

/// A global ID that must be of one type (an argument such as `draft(id:)`).
pub fn decode_typed_id(id: &str, expected: NodeType, field: &str) -> AppResult<i64> {
    match decode_global_id(id, field)? {
        (kind, row) if kind == expected => Ok(row),
        (kind, _) => Err(AppError::validation(
            field,
            format!(
                "expected a {} ID, got a {} ID",
                expected.name(),
                kind.name()
            ),
        )),
    }
}

/// A keyset cursor: the sort key of the last row seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor(pub i64);

impl CursorType for Cursor {
    type Error = AppError;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let invalid = || AppError::validation("after", format!("`{s}` is not a valid cursor"));
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        text.strip_prefix("k:")
            .and_then(|k| k.parse().ok())
            .map(Cursor)
            .ok_or_else(invalid)
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("k:{}", self.0))
    }
}

/// What a service needs to fetch one page: rows after `after` (in the connection's order),
/// at most `limit` of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<i64>,
    pub limit: usize,
}

impl PageRequest {
    /// Checks `first` (1..=MAX_PAGE_SIZE, default DEFAULT_PAGE_SIZE) and decodes `after`.
    pub fn new(first: Option<i32>, after: Option<&str>) -> AppResult<Self> {
        let limit = match first {
            None => DEFAULT_PAGE_SIZE,
            Some(n) if n >= 1 && n as usize <= MAX_PAGE_SIZE => n as usize,
            Some(n) => {
                return Err(AppError::validation(
                    "first",
                    format!("first must be between 1 and {MAX_PAGE_SIZE}, got {n}"),
                ));
            }
        };
        let after = after.map(Cursor::decode_cursor).transpose()?.map(|c| c.0);
        Ok(Self { after, limit })
    }

    /// One row more than the page, to learn whether there is a next page.
    pub fn fetch_limit(&self) -> u64 {
        self.limit as u64 + 1
    }
}

/// One page of rows from a service.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next: bool,
    pub has_previous: bool,
}

impl<T> Page<T> {
    /// From `fetch_limit()` rows: drops the extra one and remembers it was there.
    pub fn from_rows(mut rows: Vec<T>, request: PageRequest) -> Self {
        let has_next = rows.len() > request.limit;
        rows.truncate(request.limit);
        Self {
            items: rows,
            has_next,
            has_previous: request.after.is_some(),
        }
    }
}

/// The complexity of a connection: `first` × its selection, so nested lists multiply and
/// aliases (each counted separately) add up.
pub fn connection_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let n = first
        .map(|n| n.clamp(1, MAX_PAGE_SIZE as i32) as usize)
        .unwrap_or(DEFAULT_PAGE_SIZE);
    n.saturating_mul(child_complexity).saturating_add(1)
}

type CountFuture = Pin<Box<dyn Future<Output = AppResult<u64>> + Send>>;

/// `totalCount` on every connection, counted only when a client asks for it.
#[derive(Clone)]
pub struct TotalCount(Arc<dyn Fn(DatabaseConnection) -> CountFuture + Send + Sync>);

impl TotalCount {
    pub fn new<F, Fut>(count: F) -> Self
    where
        F: Fn(DatabaseConnection) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = AppResult<u64>> + Send + 'static,
    {
        Self(Arc::new(move |db| Box::pin(count(db))))
    }

    /// A count already known (an in-memory list).
    pub fn known(n: u64) -> Self {
        Self::new(move |_| async move { Ok(n) })
    }
}

#[Object]
impl TotalCount {
    /// How many items the whole connection holds, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        let db = super::app(ctx).db.clone();
        (self.0)(db).await.gql()
    }
}

/// A page as an async-graphql connection, with cursors from `key`.
pub type Conn<Node> = async_graphql::connection::Connection<Cursor, Node, TotalCount>;

pub fn connection<T, Node>(
    page: Page<T>,
    total: TotalCount,
    key: impl Fn(&T) -> i64,
    node: impl Fn(T) -> Node,
) -> Conn<Node>
where
    Node: async_graphql::OutputType,
{
    let mut conn = Conn::with_additional_fields(page.has_previous, page.has_next, total);
    conn.edges.extend(page.items.into_iter().map(|item| {
        let cursor = Cursor(key(&item));
        async_graphql::connection::Edge::new(cursor, node(item))
    }));
    conn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip_and_reject_garbage() {
        let id = global_id(NodeType::Section, 42);
        assert_eq!(
            decode_global_id(&id, "id").unwrap(),
            (NodeType::Section, 42)
        );
        assert_eq!(decode_typed_id(&id, NodeType::Section, "id").unwrap(), 42);
        let wrong = decode_typed_id(&id, NodeType::Draft, "id").unwrap_err();
        assert!(
            wrong
                .to_string()
                .contains("expected a Draft ID, got a Section ID"),
            "{wrong}"
        );
        for bad in [
            "",
            "!!!",
            "RHJhZnQ",
            &URL_SAFE_NO_PAD.encode("Nope:1"),
            &URL_SAFE_NO_PAD.encode("Draft:x"),
        ] {
            assert_eq!(
                decode_global_id(bad, "id").unwrap_err().code(),
                "VALIDATION",
                "{bad}"
            );
        }
    }

    #[test]
    fn page_size_is_bounded() {
        assert_eq!(
            PageRequest::new(None, None).unwrap().limit,
            DEFAULT_PAGE_SIZE
        );
        assert_eq!(PageRequest::new(Some(500), None).unwrap().limit, 500);
        for bad in [0, -1, 501, i32::MAX] {
            let err = PageRequest::new(Some(bad), None).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("first must be between 1 and 500"),
                "{err}"
            );
        }
    }

    #[test]
    fn cursors_round_trip_and_bad_ones_name_the_argument() {
        let c = Cursor(17).encode_cursor();
        assert_eq!(PageRequest::new(Some(5), Some(&c)).unwrap().after, Some(17));
        let err = PageRequest::new(Some(5), Some("garbage")).unwrap_err();
        assert!(
            matches!(&err, AppError::Validation { field, .. } if field == "after"),
            "{err}"
        );
    }

    #[test]
    fn connection_cost_multiplies_by_the_page_size() {
        assert_eq!(connection_cost(Some(100), 3), 301);
        assert_eq!(connection_cost(None, 3), DEFAULT_PAGE_SIZE * 3 + 1);
        assert_eq!(connection_cost(Some(1_000_000), 1), MAX_PAGE_SIZE + 1);
    }
}
