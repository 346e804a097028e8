//! `search(query, filter, first, after)`: drafts, sections and comments ranked together, with
//! safe highlighted snippets, facet counts and offset cursors.

use std::collections::HashMap;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, Union};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::ActiveEnum;

use super::{Filter, IndexKind, SearchRequest, parse_query};
use crate::{
    account::RespondentCategory,
    comment::{Stance, graphql::Comment, service as comments},
    draft::{
        graphql::{Draft, Section},
        service as drafts,
    },
    error::{AppError, AppResult, GqlResultExt},
    graphql::{
        app, rate_limit,
        relay::{self, NodeType},
    },
    ratelimit::LimitedAction,
};

/// Meilisearch answers at most this many hits into a result list (`pagination.maxTotalHits`).
const MAX_DEPTH: usize = 10_000;
const MAX_FIRST: usize = 100;
const DEFAULT_FIRST: usize = 20;

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchType {
    Draft,
    Section,
    Comment,
}

impl SearchType {
    fn index(self) -> IndexKind {
        match self {
            SearchType::Draft => IndexKind::Drafts,
            SearchType::Section => IndexKind::Sections,
            SearchType::Comment => IndexKind::Comments,
        }
    }

    /// As GraphQL spells it.
    fn name(self) -> &'static str {
        match self {
            SearchType::Draft => "DRAFT",
            SearchType::Section => "SECTION",
            SearchType::Comment => "COMMENT",
        }
    }

    fn of(index: IndexKind) -> SearchType {
        match index {
            IndexKind::Drafts => SearchType::Draft,
            IndexKind::Sections => SearchType::Section,
            IndexKind::Comments => SearchType::Comment,
        }
    }
}

/// The state of a draft's latest consultation.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchConsultationStatus {
    /// Never put to consultation.
    None,
    /// Announced, not yet open.
    Upcoming,
    Open,
    Closed,
}

impl SearchConsultationStatus {
    fn value(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Upcoming => "upcoming",
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }
}

/// Every condition given must hold. Conditions on attributes a type does not have leave that
/// type out: a `stance` finds only comments, a `consultationStatus` only drafts and sections.
#[derive(InputObject, Default)]
pub struct SearchFilter {
    /// Only these types (all when absent or empty).
    types: Option<Vec<SearchType>>,
    /// The lead agency (an `Agency` ID).
    agency: Option<ID>,
    /// One draft (a `Draft` ID): the draft, its sections, the comments on it.
    draft: Option<ID>,
    consultation_status: Option<SearchConsultationStatus>,
    /// Buddhist Era year (e.g. 2569): of the draft's latest version, or of a comment's writing.
    year: Option<i32>,
    stance: Option<Stance>,
    respondent_category: Option<RespondentCategory>,
    /// Only the lead agency's own replies (`true`) or only the public's comments (`false`).
    official: Option<bool>,
}

impl SearchFilter {
    fn parse(self) -> AppResult<Filter> {
        let mut equals: Vec<(&'static str, String)> = Vec::new();
        if let Some(agency) = &self.agency {
            let id = relay::decode_typed_id(agency, NodeType::Agency, "filter.agency")?;
            equals.push(("agency_id", id.to_string()));
        }
        if let Some(draft) = &self.draft {
            let id = relay::decode_typed_id(draft, NodeType::Draft, "filter.draft")?;
            equals.push(("draft_id", id.to_string()));
        }
        if let Some(status) = self.consultation_status {
            equals.push(("consultation_status", status.value().to_owned()));
        }
        if let Some(year) = self.year {
            if !(2400..=2800).contains(&year) {
                return Err(AppError::validation(
                    "filter.year",
                    format!("{year} is not a Buddhist Era year (e.g. 2569)"),
                ));
            }
            equals.push(("year", year.to_string()));
        }
        if let Some(stance) = self.stance {
            equals.push(("stance", stance.to_value()));
        }
        if let Some(category) = self.respondent_category {
            equals.push(("respondent_category", category.to_value()));
        }
        if let Some(official) = self.official {
            equals.push(("official", official.to_string()));
        }
        Ok(Filter {
            indexes: self
                .types
                .unwrap_or_default()
                .into_iter()
                .map(SearchType::index)
                .collect(),
            equals,
        })
    }
}

#[derive(Union)]
pub enum SearchNode {
    Draft(Draft),
    Section(Section),
    Comment(Comment),
}

#[derive(SimpleObject)]
pub struct SearchEdge {
    cursor: String,
    #[graphql(name = "type")]
    kind: SearchType,
    node: SearchNode,
    /// A snippet of the best-matching field as safe HTML: the text escaped, matches in
    /// `<mark>`, never splitting a Thai grapheme cluster; `…` where it was cropped.
    highlight: String,
}

#[derive(SimpleObject)]
pub struct SearchFacetValue {
    /// As the filter takes it: an enum name, an ID or a year.
    value: String,
    count: u64,
}

#[derive(SimpleObject)]
pub struct SearchFacet {
    /// `type`, `agency`, `consultationStatus`, `year`, `stance` or `respondentCategory`.
    attribute: String,
    /// Most frequent first.
    values: Vec<SearchFacetValue>,
}

#[derive(SimpleObject)]
pub struct SearchPageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

#[derive(SimpleObject)]
pub struct SearchConnection {
    /// Matches in all (exact on the embedded engine; Meilisearch's estimate).
    total_count: u64,
    facets: Vec<SearchFacet>,
    edges: Vec<SearchEdge>,
    page_info: SearchPageInfo,
    /// `embedded` or `meilisearch`.
    engine: String,
}

fn cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("search:{offset}"))
}

fn parse_cursor(raw: &str) -> AppResult<usize> {
    URL_SAFE_NO_PAD
        .decode(raw.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("search:")?.parse().ok())
        .ok_or_else(|| AppError::validation("after", "not a cursor of this search"))
}

/// A facet value as the filter spells it.
fn facet_value(attribute: &str, value: &str) -> Option<(String, String)> {
    let out = match attribute {
        "type" => (
            "type",
            SearchType::of(IndexKind::from_name(value)?)
                .name()
                .to_owned(),
        ),
        "agency_id" => (
            "agency",
            relay::global_id(NodeType::Agency, value.parse().ok()?).0,
        ),
        "consultation_status" => ("consultationStatus", value.to_uppercase()),
        "year" => ("year", value.to_owned()),
        "stance" => ("stance", value.to_uppercase()),
        "respondent_category" => ("respondentCategory", value.to_uppercase()),
        _ => return None,
    };
    Some((out.0.to_owned(), out.1))
}

#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Full-text search over drafts, sections and comments, in Thai (words are found inside
    /// unspaced text) and English. Synonyms such as พ.ร.บ. / พระราชบัญญัติ apply; Latin words
    /// of 5 letters or more tolerate a typo. Hidden and withdrawn comments are never found.
    #[graphql(complexity = "5 + first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        filter: Option<SearchFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<SearchConnection> {
        let query = parse_query(&query).gql()?;
        let first = match first {
            None => DEFAULT_FIRST,
            Some(n) if (0..=MAX_FIRST as i32).contains(&n) => n as usize,
            Some(n) => {
                return Err(AppError::validation(
                    "first",
                    format!("first must be between 0 and {MAX_FIRST}, got {n}"),
                ))
                .gql();
            }
        };
        let offset = after
            .as_deref()
            .map(parse_cursor)
            .transpose()
            .gql()?
            .map_or(0, |o| o + 1);
        if offset + first > MAX_DEPTH {
            return Err(AppError::validation(
                "after",
                format!("search pages reach {MAX_DEPTH} hits deep; narrow the query with a filter"),
            ))
            .gql();
        }
        let filter = filter.unwrap_or_default().parse().gql()?;
        rate_limit(ctx, LimitedAction::Search).gql()?;
        let app = app(ctx);
        let results = app
            .search
            .backend
            .search(&SearchRequest {
                query,
                filter,
                offset,
                limit: first,
                facets: ctx.look_ahead().field("facets").exists(),
            })
            .await
            .gql()?;
        // The hits' rows: one query per type. The index may trail the database by a moment:
        // what is gone, hidden or withdrawn since is left out rather than shown.
        let ids = |kind: IndexKind| -> Vec<i64> {
            results
                .hits
                .iter()
                .filter(|h| h.index == kind)
                .map(|h| h.id)
                .collect()
        };
        let mut found_drafts: HashMap<i64, Draft> =
            drafts::by_ids(&app.db, &ids(IndexKind::Drafts))
                .await
                .gql()?
                .into_iter()
                .map(|d| (d.id, Draft(d)))
                .collect();
        let mut found_sections = Section::load_many(ctx, &ids(IndexKind::Sections)).await?;
        let mut found_comments: HashMap<i64, Comment> =
            comments::visible_by_ids(&app.db, &ids(IndexKind::Comments))
                .await
                .gql()?
                .into_iter()
                .map(|c| (c.id, Comment(c)))
                .collect();
        let mut edges = Vec::with_capacity(results.hits.len());
        for (i, hit) in results.hits.into_iter().enumerate() {
            let node = match hit.index {
                IndexKind::Drafts => found_drafts.remove(&hit.id).map(SearchNode::Draft),
                IndexKind::Sections => found_sections.remove(&hit.id).map(SearchNode::Section),
                IndexKind::Comments => found_comments.remove(&hit.id).map(SearchNode::Comment),
            };
            if let Some(node) = node {
                edges.push(SearchEdge {
                    cursor: cursor(offset + i),
                    kind: SearchType::of(hit.index),
                    node,
                    highlight: hit.highlight,
                });
            }
        }
        let mut facets: Vec<SearchFacet> = results
            .facets
            .into_iter()
            .filter_map(|(attribute, values)| {
                let mut out: Vec<(String, SearchFacetValue)> = values
                    .into_iter()
                    .filter_map(|(v, count)| {
                        let (name, value) = facet_value(&attribute, &v)?;
                        Some((name, SearchFacetValue { value, count }))
                    })
                    .collect();
                out.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.1.value.cmp(&b.1.value)));
                let name = out.first()?.0.clone();
                Some(SearchFacet {
                    attribute: name,
                    values: out.into_iter().map(|(_, v)| v).collect(),
                })
            })
            .collect();
        facets.sort_by(|a, b| a.attribute.cmp(&b.attribute));
        let total = results.total as u64;
        let has_next_page = ((offset + first) as u64) < total;
        Ok(SearchConnection {
            total_count: total,
            facets,
            page_info: SearchPageInfo {
                has_next_page,
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
            engine: app.search.backend.name().to_owned(),
        })
    }
}
