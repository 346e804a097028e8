//! GraphQL types and queries of drafts: `Draft`, `DraftVersion`, `Heading`, `Section`.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::{
    DraftStatus, HeadingLevel, InstrumentKind, ProvisionUnit,
    entity::{draft, heading, section, version},
    service::{self, DraftFilter, NewDraft, VersionText},
};
use crate::{
    agency::{graphql::Agency, service as agencies},
    comment::{
        graphql::{Comment, CommentStatsOut, comment_connection, section_stats},
        service::CommentScope,
    },
    consultation::{graphql::Consultation, service::ConsultationFilter},
    error::{AppError, AppResult, GqlResultExt},
    graphql::{
        app, meta,
        relay::{self, Conn, NodeType, PageRequest, TotalCount, connection_cost},
    },
    lawtext::ParsedLaw,
    question::graphql::{Question, section_questions},
    thai,
};

/// Headings a list may hold, for the complexity budget (a heading tree is bounded by its text).
const HEADING_FANOUT: usize = 10;

/// A draft law or rule (ร่างกฎหมาย), and the law it becomes: it keeps its identity through
/// consultation, enactment and evaluation.
pub struct Draft(pub draft::Model);

#[Object]
impl Draft {
    pub async fn id(&self) -> ID {
        relay::global_id(NodeType::Draft, self.0.id)
    }

    /// Short stable name used in URLs, e.g. `act-2569`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The type of instrument.
    #[graphql(name = "type")]
    async fn kind(&self) -> InstrumentKind {
        self.0.kind
    }

    /// Title in Thai.
    async fn title(&self) -> &str {
        &self.0.title_th
    }

    /// Title in English, when there is one.
    async fn title_en(&self) -> Option<&str> {
        self.0.title_en.as_deref()
    }

    /// Principles and rationale (หลักการและเหตุผล).
    async fn rationale(&self) -> Option<&str> {
        self.0.rationale.as_deref()
    }

    async fn status(&self) -> DraftStatus {
        self.0.status
    }

    /// Exempt from consultation for national safety and security (the Act allows no other
    /// ground); the reason is recorded and public.
    async fn security_exempt(&self) -> bool {
        self.0.security_exempt
    }

    async fn security_exempt_reason(&self) -> Option<&str> {
        self.0.security_exempt_reason.as_deref()
    }

    async fn lead_agency(&self, ctx: &Context<'_>) -> async_graphql::Result<Agency> {
        agencies::get(&app(ctx).db, self.0.lead_agency_id)
            .await
            .and_then(|a| a.ok_or_else(|| AppError::internal("draft without its agency")))
            .map(Agency)
            .gql()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Every version, oldest first.
    #[graphql(complexity = "connection_cost(first, child_complexity)")]
    async fn versions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<DraftVersion>> {
        let page = PageRequest::new(first, after.as_deref()).gql()?;
        let rows = service::versions(&app(ctx).db, self.0.id, page)
            .await
            .gql()?;
        let draft_id = self.0.id;
        let total =
            TotalCount::new(move |db| async move { service::count_versions(&db, draft_id).await });
        Ok(relay::connection(
            rows,
            total,
            |v| i64::from(v.number),
            DraftVersion,
        ))
    }

    /// The latest published version.
    async fn current_version(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<DraftVersion>> {
        Ok(service::current_version(&app(ctx).db, self.0.id)
            .await
            .gql()?
            .map(DraftVersion))
    }

    /// Consultations held on this draft, newest first.
    #[graphql(complexity = "connection_cost(first, child_complexity)")]
    async fn consultations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Consultation>> {
        let filter = ConsultationFilter {
            draft_id: Some(self.0.id),
            ..Default::default()
        };
        crate::consultation::graphql::consultation_connection(ctx, filter, first, after).await
    }
}

/// One published text of a draft. A version never changes; a change is a new version.
pub struct DraftVersion(pub version::Model);

impl DraftVersion {
    async fn text(&self, ctx: &Context<'_>) -> async_graphql::Result<Arc<VersionText>> {
        let app = app(ctx);
        service::version_text(&app.db, &app.texts, self.0.id)
            .await
            .gql()
    }
}

#[Object]
impl DraftVersion {
    pub async fn id(&self) -> ID {
        relay::global_id(NodeType::DraftVersion, self.0.id)
    }

    /// 1 for the first version, then 2, 3 ...
    async fn number(&self) -> i32 {
        self.0.number
    }

    /// The title as it stands in this version.
    async fn title(&self) -> &str {
        &self.0.title_th
    }

    /// What the numbered provisions are called: SECTION (มาตรา) or CLAUSE (ข้อ).
    async fn provision_unit(&self) -> ProvisionUnit {
        self.0.provision_unit
    }

    /// The text before the first heading or section (enacting formula, preamble).
    async fn preamble(&self) -> &str {
        &self.0.preamble
    }

    /// What changed since the previous version.
    async fn change_note(&self) -> Option<&str> {
        self.0.change_note.as_deref()
    }

    /// When it was published; null while unpublished.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }

    async fn draft(&self, ctx: &Context<'_>) -> async_graphql::Result<Draft> {
        service::get(&app(ctx).db, self.0.draft_id)
            .await
            .and_then(|d| d.ok_or_else(|| AppError::internal("version without its draft")))
            .map(Draft)
            .gql()
    }

    /// The outermost headings (ภาค, ลักษณะ, หมวด ...), each with its children: the tree.
    #[graphql(complexity = "HEADING_FANOUT * child_complexity")]
    async fn headings(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Heading>> {
        let text = self.text(ctx).await?;
        Ok(Heading::list(&text, None))
    }

    /// Sections in order. With `heading`, only those under that heading (at any depth).
    #[graphql(complexity = "connection_cost(first, child_complexity)")]
    async fn sections(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        heading: Option<ID>,
    ) -> async_graphql::Result<Conn<Section>> {
        let page = PageRequest::new(first, after.as_deref()).gql()?;
        let heading = heading
            .map(|h| relay::decode_typed_id(&h, NodeType::Heading, "heading"))
            .transpose()
            .gql()?;
        let text = self.text(ctx).await?;
        Ok(section_connection(&text, page, heading))
    }
}

fn section_connection(
    text: &Arc<VersionText>,
    page: PageRequest,
    heading: Option<i64>,
) -> Conn<Section> {
    let rows = text.sections_page(page, heading);
    let total = TotalCount::known(text.count_sections(heading));
    relay::connection(
        rows,
        total,
        |&i| i64::from(text.sections[i].position),
        |index| Section {
            text: text.clone(),
            index,
        },
    )
}

/// A heading of a version: ภาค (part), ลักษณะ (title), หมวด (chapter), ส่วน (division), or an
/// unnumbered one such as บทเฉพาะกาล.
pub struct Heading {
    text: Arc<VersionText>,
    row: heading::Model,
}

impl Heading {
    fn list(text: &Arc<VersionText>, parent: Option<i64>) -> Vec<Heading> {
        text.children(parent)
            .map(|h| Heading {
                text: text.clone(),
                row: h.clone(),
            })
            .collect()
    }

    pub async fn load(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<Heading>> {
        let app = app(ctx);
        let Some(row) = service::heading(&app.db, id).await.gql()? else {
            return Ok(None);
        };
        let text = service::version_text(&app.db, &app.texts, row.version_id)
            .await
            .gql()?;
        Ok(Some(Heading { text, row }))
    }
}

#[Object]
impl Heading {
    pub async fn id(&self) -> ID {
        relay::global_id(NodeType::Heading, self.row.id)
    }

    async fn level(&self) -> HeadingLevel {
        self.row.level
    }

    /// The number as written (`๑`), null for an unnumbered heading.
    async fn number(&self) -> Option<&str> {
        self.row.number.as_deref()
    }

    /// The heading's own title, e.g. `บททั่วไป`.
    async fn title(&self) -> &str {
        &self.row.title
    }

    /// The whole heading as printed, e.g. `หมวด ๑ บททั่วไป`.
    async fn display(&self) -> String {
        heading_display(&self.row)
    }

    #[graphql(complexity = "HEADING_FANOUT * child_complexity")]
    async fn children(&self) -> Vec<Heading> {
        Heading::list(&self.text, Some(self.row.id))
    }

    /// Sections under this heading, at any depth, in order.
    #[graphql(complexity = "connection_cost(first, child_complexity)")]
    async fn sections(
        &self,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Section>> {
        let page = PageRequest::new(first, after.as_deref()).gql()?;
        Ok(section_connection(&self.text, page, Some(self.row.id)))
    }
}

pub(crate) fn heading_display(h: &heading::Model) -> String {
    let word = match h.level {
        HeadingLevel::Book => "บรรพ",
        HeadingLevel::Part => "ภาค",
        HeadingLevel::Title => "ลักษณะ",
        HeadingLevel::Chapter => "หมวด",
        HeadingLevel::Division => "ส่วน",
        HeadingLevel::Unnumbered => return h.title.clone(),
    };
    match (&h.number, h.title.is_empty()) {
        (Some(n), false) => format!("{word} {n} {}", h.title),
        (Some(n), true) => format!("{word} {n}"),
        (None, _) => format!("{word} {}", h.title),
    }
}

/// A section (มาตรา) of a version.
pub struct Section {
    text: Arc<VersionText>,
    /// Into `text.sections`: the text is shared, never copied per section.
    index: usize,
}

impl Section {
    pub async fn load(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<Section>> {
        let app = app(ctx);
        let Some(row) = service::section(&app.db, id).await.gql()? else {
            return Ok(None);
        };
        let text = service::version_text(&app.db, &app.texts, row.version_id)
            .await
            .gql()?;
        Ok(text.section_index(id).map(|index| Section { text, index }))
    }

    /// Several sections by id: one query, then each version's text (cached).
    pub async fn load_many(
        ctx: &Context<'_>,
        ids: &[i64],
    ) -> async_graphql::Result<std::collections::HashMap<i64, Section>> {
        let app = app(ctx);
        let mut out = std::collections::HashMap::with_capacity(ids.len());
        for row in service::sections_by_ids(&app.db, ids).await.gql()? {
            let text = service::version_text(&app.db, &app.texts, row.version_id)
                .await
                .gql()?;
            if let Some(index) = text.section_index(row.id) {
                out.insert(row.id, Section { text, index });
            }
        }
        Ok(out)
    }

    fn row(&self) -> &section::Model {
        &self.text.sections[self.index]
    }
}

#[Object]
impl Section {
    pub async fn id(&self) -> ID {
        relay::global_id(NodeType::Section, self.row().id)
    }

    /// The label as written, without the word มาตรา or ข้อ: `๑๕/๑`, `๓ ทวิ`.
    async fn label(&self) -> &str {
        &self.row().label
    }

    /// The label in Arabic digits: `15/1`, `3 ทวิ`.
    async fn label_arabic(&self) -> String {
        thai::thai_digits_to_arabic(&self.row().label)
    }

    /// Stays the same across versions of a draft while the section number is unchanged, so a
    /// section can be followed from one version to the next.
    async fn key(&self) -> &str {
        &self.row().section_key
    }

    /// Orders sections by number (`15` < `15/1` < `15 ทวิ` < `16`).
    async fn sort_key(&self) -> &str {
        &self.row().sort_key
    }

    /// 0-based place in the version.
    async fn position(&self) -> i32 {
        self.row().position
    }

    /// The text of the section.
    async fn text(&self) -> &str {
        &self.row().body
    }

    /// The innermost heading it sits under.
    async fn heading(&self) -> Option<Heading> {
        let row = self.text.heading_by_id(self.row().heading_id?)?.clone();
        Some(Heading {
            text: self.text.clone(),
            row,
        })
    }

    /// Headings from the outermost down to the innermost (ภาค › หมวด › ส่วน).
    async fn heading_path(&self) -> Vec<HeadingRef> {
        self.text
            .heading_path(self.row().heading_id)
            .into_iter()
            .map(|h| HeadingRef(h.clone()))
            .collect()
    }

    async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<DraftVersion> {
        service::version(&app(ctx).db, self.row().version_id)
            .await
            .and_then(|v| v.ok_or_else(|| AppError::internal("section without its version")))
            .map(DraftVersion)
            .gql()
    }

    /// Public comments on this section (top level; replies hang under each), oldest first.
    #[graphql(complexity = "connection_cost(first, child_complexity)")]
    async fn comments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Comment>> {
        comment_connection(ctx, CommentScope::Section(self.row().id), first, after).await
    }

    /// Comments and stances on this section (visible ones), counted in SQL; the sections of
    /// one request are counted together.
    #[graphql(complexity = 2)]
    async fn comment_stats(&self, ctx: &Context<'_>) -> async_graphql::Result<CommentStatsOut> {
        section_stats(ctx, self.row().id).await
    }

    /// The agency's questions on this section (batched across the sections of a request).
    #[graphql(complexity = 2)]
    async fn questions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Question>> {
        section_questions(ctx, self.row().id).await
    }
}

/// One step of a section's heading path: a heading without its subtree.
pub struct HeadingRef(heading::Model);

#[Object]
impl HeadingRef {
    async fn id(&self) -> ID {
        relay::global_id(NodeType::Heading, self.0.id)
    }

    async fn level(&self) -> HeadingLevel {
        self.0.level
    }

    async fn number(&self) -> Option<&str> {
        self.0.number.as_deref()
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    /// e.g. `หมวด ๑ บททั่วไป`
    async fn display(&self) -> String {
        heading_display(&self.0)
    }
}

/// Filters of `drafts`.
#[derive(Debug, Default, InputObject)]
pub struct DraftFilterInput {
    #[graphql(name = "type")]
    pub kind: Option<InstrumentKind>,
    /// An agency ID (or its slug).
    pub agency: Option<String>,
    pub status: Option<DraftStatus>,
    /// Only drafts with (true) or without (false) a consultation open now.
    pub consultation_open: Option<bool>,
}

pub async fn draft_connection(
    ctx: &Context<'_>,
    filter: DraftFilter,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<Conn<Draft>> {
    let app = app(ctx);
    let page = PageRequest::new(first, after.as_deref()).gql()?;
    let now = app.now();
    let rows = service::list(&app.db, &filter, page, now).await.gql()?;
    let total = TotalCount::new(move |db| {
        let filter = filter.clone();
        async move { service::count(&db, &filter, now).await }
    });
    Ok(relay::connection(rows, total, |d| d.id, Draft))
}

/// An agency argument: a global ID, or a slug for people typing queries by hand.
pub async fn agency_arg(ctx: &Context<'_>, value: &str, field: &str) -> async_graphql::Result<i64> {
    if let Ok(id) = relay::decode_typed_id(value, NodeType::Agency, field) {
        return Ok(id);
    }
    agencies::by_slug(&app(ctx).db, value)
        .await
        .gql()?
        .map(|a| a.id)
        .ok_or_else(|| AppError::validation(field, format!("no agency has ID or slug `{value}`")))
        .gql()
}

#[derive(Default)]
pub struct DraftQuery;

#[Object]
impl DraftQuery {
    /// Drafts and laws, newest first.
    #[graphql(complexity = "connection_cost(first, child_complexity)")]
    async fn drafts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<DraftFilterInput>,
    ) -> async_graphql::Result<Conn<Draft>> {
        let input = filter.unwrap_or_default();
        let agency_id = match &input.agency {
            Some(a) => Some(agency_arg(ctx, a, "filter.agency").await?),
            None => None,
        };
        let filter = DraftFilter {
            kind: input.kind,
            agency_id,
            status: input.status,
            consultation_open: input.consultation_open,
        };
        draft_connection(ctx, filter, first, after).await
    }

    /// One draft, by `id` or by `slug`.
    async fn draft(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> async_graphql::Result<Option<Draft>> {
        let db = &app(ctx).db;
        let found = match (id, slug) {
            (Some(id), None) => {
                let row = relay::decode_typed_id(&id, NodeType::Draft, "id").gql()?;
                service::get(db, row).await
            }
            (None, Some(slug)) => service::by_slug(db, &slug).await,
            _ => Err(AppError::validation(
                "id",
                "give exactly one of `id` and `slug`",
            )),
        };
        Ok(found.gql()?.map(Draft))
    }

    /// One section, by ID.
    async fn section(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Section>> {
        let row = relay::decode_typed_id(&id, NodeType::Section, "id").gql()?;
        Section::load(ctx, row).await
    }
}

/// How the parser split a pasted text, shown before anything is saved.
#[derive(SimpleObject)]
pub struct DraftPreview {
    /// The title read from the text.
    title: String,
    /// The instrument type read from the title, if it could be.
    kind: Option<InstrumentKind>,
    provision_unit: ProvisionUnit,
    /// The title begins with ร่าง.
    is_draft: bool,
    rationale: Option<String>,
    headings: Vec<PreviewHeading>,
    sections: Vec<PreviewSection>,
    /// Amending Acts found appended after the main text (kept apart, not imported).
    appended_amendments: Vec<String>,
}

#[derive(SimpleObject)]
pub struct PreviewHeading {
    level: HeadingLevel,
    number: Option<String>,
    title: String,
}

#[derive(SimpleObject)]
pub struct PreviewSection {
    label: String,
    /// Titles of the headings it sits under, outermost first.
    heading_path: Vec<String>,
    text: String,
}

fn parse_text(text: &str) -> AppResult<ParsedLaw> {
    crate::lawtext::parse(text).map_err(|e| AppError::validation("text", e.to_string()))
}

impl DraftPreview {
    fn of(p: ParsedLaw) -> Self {
        let path = |mut h: Option<usize>| {
            let mut out = Vec::new();
            while let Some(i) = h {
                let Some(heading) = p.headings.get(i) else {
                    break;
                };
                out.push(heading.title.clone());
                h = heading.parent;
            }
            out.reverse();
            out
        };
        Self {
            title: p.title.clone(),
            kind: p.kind.map(Into::into),
            provision_unit: p.unit.into(),
            is_draft: p.is_draft,
            rationale: p.rationale.clone(),
            headings: p
                .headings
                .iter()
                .map(|h| PreviewHeading {
                    level: h.level.into(),
                    number: h.number.clone(),
                    title: h.title.clone(),
                })
                .collect(),
            sections: p
                .sections
                .iter()
                .map(|s| PreviewSection {
                    label: s.label.clone(),
                    heading_path: path(s.heading),
                    text: s.text.clone(),
                })
                .collect(),
            appended_amendments: p.amendments.iter().map(|a| a.title.clone()).collect(),
        }
    }
}

#[derive(InputObject)]
pub struct CreateDraftInput {
    /// The lead agency (ID or slug); default: the viewer's own agency.
    agency: Option<String>,
    /// The full Thai text, pasted: title, headings and sections (มาตรา / ข้อ).
    text: String,
    /// Read from the title when omitted.
    #[graphql(name = "type")]
    kind: Option<InstrumentKind>,
    /// Default: the title read from the text.
    title_th: Option<String>,
    title_en: Option<String>,
    /// Default: the rationale (หมายเหตุ / เหตุผล) read from the text.
    rationale: Option<String>,
    /// URL slug; made from the type and year when omitted.
    slug: Option<String>,
}

#[derive(Default)]
pub struct DraftMutation;

#[Object]
impl DraftMutation {
    /// Shows how a pasted text splits into headings and sections, saving nothing. Agency roles
    /// only.
    async fn preview_draft(
        &self,
        ctx: &Context<'_>,
        text: String,
    ) -> async_graphql::Result<DraftPreview> {
        async {
            let viewer = meta(ctx).writer()?;
            if !(viewer.role.is_agency() || viewer.role == crate::account::Role::PlatformAdmin) {
                return Err(AppError::Forbidden(
                    "only agency staff may prepare drafts".into(),
                ));
            }
            Ok(DraftPreview::of(parse_text(&text)?))
        }
        .await
        .gql()
    }

    /// Creates a draft with its first version from pasted text. Staff of the lead agency only.
    async fn create_draft(
        &self,
        ctx: &Context<'_>,
        input: CreateDraftInput,
    ) -> async_graphql::Result<Draft> {
        let viewer = meta(ctx).writer().gql()?;
        let agency_id = match &input.agency {
            Some(a) => Some(agency_arg(ctx, a, "agency").await?),
            None => None,
        };
        async {
            let agency_id = agency_id.or(viewer.agency_id).ok_or_else(|| {
                AppError::validation("agency", "name the lead agency (ID or slug)")
            })?;
            viewer.require_manages(agency_id, "publish drafts for this agency")?;
            let parsed = parse_text(&input.text)?;
            let kind = input.kind.or(parsed.kind.map(Into::into)).ok_or_else(|| {
                AppError::validation(
                    "type",
                    format!(
                        "cannot tell the type of instrument from the title `{}`; give `type`",
                        parsed.title
                    ),
                )
            })?;
            let text_field = |field: &str, raw: &str, max: usize, lines: bool| {
                let parsed = if lines {
                    crate::sanitize::plain_paragraphs(raw, max)
                } else {
                    crate::sanitize::plain_text(raw, max)
                };
                parsed.map_err(|e| AppError::validation(field, format!("{field}: {e}")))
            };
            let title_th = text_field(
                "titleTh",
                input.title_th.as_deref().unwrap_or(&parsed.title),
                1_000,
                false,
            )?;
            let title_en = input
                .title_en
                .as_deref()
                .map(|t| text_field("titleEn", t, 1_000, false))
                .transpose()?;
            let rationale = match input.rationale.as_deref().or(parsed.rationale.as_deref()) {
                Some(r) => Some(text_field("rationale", r, 20_000, true)?),
                None => None,
            };
            let new = NewDraft {
                slug: input.slug,
                kind,
                title_th,
                title_en,
                lead_agency_id: agency_id,
                rationale,
                status: DraftStatus::Drafting,
                security_exempt_reason: None,
            };
            service::create_for_agency(&app(ctx).db, viewer, new, parsed)
                .await
                .map(Draft)
        }
        .await
        .gql()
    }

    /// Publishes a new version of a draft from pasted text; earlier versions and the comments
    /// on them stay as they were.
    async fn publish_version(
        &self,
        ctx: &Context<'_>,
        draft_id: ID,
        text: String,
        change_note: Option<String>,
    ) -> async_graphql::Result<DraftVersion> {
        async {
            let viewer = meta(ctx).writer()?;
            let id = relay::decode_typed_id(&draft_id, NodeType::Draft, "draftId")?;
            // Only those who may publish get the parser's time.
            let draft = service::get(&app(ctx).db, id)
                .await?
                .ok_or_else(|| AppError::not_found("draft"))?;
            viewer.require_manages(draft.lead_agency_id, "publish versions of this draft")?;
            let parsed = parse_text(&text)?;
            let note = change_note
                .map(|n| crate::sanitize::plain_text(&n, 2_000))
                .transpose()
                .map_err(|e| AppError::validation("changeNote", format!("change note: {e}")))?;
            service::publish_version(&app(ctx).db, viewer, id, parsed, note)
                .await
                .map(DraftVersion)
        }
        .await
        .gql()
    }
}
