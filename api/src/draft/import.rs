//! Importing a Thai law text as a draft: the `rubfang import` command now, the agencies' upload
//! later. Parses first; writes everything in one transaction or nothing.

use std::fmt::Write as _;

use chrono::Utc;
use sea_orm::{DatabaseConnection, TransactionTrait};

use super::{
    DraftStatus, InstrumentKind,
    service::{self, NewDraft},
};
use crate::{
    agency::service::{self as agencies, NewAgency},
    error::{AppError, AppResult},
    lawtext::{self, ParsedLaw},
};

/// The keeper of the consolidated law texts, used when an import names no agency.
const DEFAULT_AGENCY: NewAgency<'static> = NewAgency {
    slug: "ocs",
    name_th: "สำนักงานคณะกรรมการกฤษฎีกา",
    name_en: Some("Office of the Council of State"),
    parent_id: None,
};

#[derive(Clone, Debug)]
pub struct ImportRequest {
    pub agency_slug: Option<String>,
    pub kind: Option<InstrumentKind>,
    pub status: DraftStatus,
    pub slug: Option<String>,
    pub dry_run: bool,
}

/// What the import found and, unless a dry run, what it wrote.
#[derive(Debug)]
pub struct ImportReport {
    pub parsed: ParsedLaw,
    pub kind: InstrumentKind,
    /// `(id, slug)` of the draft written.
    pub draft: Option<(i64, String)>,
}

/// Parses `bytes` and, unless `dry_run`, writes the draft with its first version.
pub async fn import(
    db: &DatabaseConnection,
    bytes: &[u8],
    request: ImportRequest,
) -> AppResult<ImportReport> {
    let parsed =
        lawtext::parse_bytes(bytes).map_err(|e| AppError::validation("file", e.to_string()))?;
    let kind = match (request.kind, parsed.kind) {
        (Some(k), _) => k,
        (None, Some(k)) => k.into(),
        (None, None) => {
            return Err(AppError::validation(
                "type",
                format!(
                    "cannot tell the type of instrument from the title `{}`; give it with --type",
                    parsed.title
                ),
            ));
        }
    };
    if request.dry_run {
        return Ok(ImportReport {
            parsed,
            kind,
            draft: None,
        });
    }

    let txn = db.begin().await?;
    crate::db::claim_write_lock(&txn).await?;
    let agency = match &request.agency_slug {
        Some(slug) => match agencies::by_slug(&txn, slug).await? {
            Some(a) => a,
            None => {
                let known = agencies::all_slugs(&txn).await?;
                return Err(AppError::validation(
                    "agency",
                    format!(
                        "no agency `{slug}`; known agencies: {}",
                        if known.is_empty() {
                            "(none)".into()
                        } else {
                            known.join(", ")
                        }
                    ),
                ));
            }
        },
        None => match agencies::by_slug(&txn, DEFAULT_AGENCY.slug).await? {
            Some(a) => a,
            None => agencies::create(&txn, DEFAULT_AGENCY).await?,
        },
    };
    let title = if parsed.title.trim().is_empty() {
        return Err(AppError::validation(
            "file",
            "the text has no title before its first section",
        ));
    } else {
        parsed.title.clone()
    };
    let (draft, _) = service::create_from_parsed(
        &txn,
        NewDraft {
            slug: request.slug,
            kind,
            title_th: title,
            title_en: None,
            lead_agency_id: agency.id,
            rationale: parsed.rationale.clone(),
            status: request.status,
            security_exempt_reason: None,
        },
        &parsed,
        Some(Utc::now()),
    )
    .await?;
    txn.commit().await?;
    Ok(ImportReport {
        parsed,
        kind,
        draft: Some((draft.id, draft.slug)),
    })
}

impl ImportReport {
    /// A human summary for the terminal.
    pub fn summary(&self) -> String {
        let p = &self.parsed;
        let mut out = String::new();
        let _ = writeln!(out, "title:       {}", p.title);
        let _ = writeln!(
            out,
            "type:        {:?} ({})",
            self.kind,
            self.kind.thai_name()
        );
        let count =
            |level: lawtext::HeadingLevel| p.headings.iter().filter(|h| h.level == level).count();
        let _ = writeln!(
            out,
            "headings:    {} (บรรพ {}, ภาค {}, ลักษณะ {}, หมวด {}, ส่วน {}, unnumbered {})",
            p.headings.len(),
            count(lawtext::HeadingLevel::Book),
            count(lawtext::HeadingLevel::Part),
            count(lawtext::HeadingLevel::Title),
            count(lawtext::HeadingLevel::Chapter),
            count(lawtext::HeadingLevel::Division),
            count(lawtext::HeadingLevel::Unnumbered),
        );
        let first = p.sections.first().map_or("-", |s| s.label.as_str());
        let last = p.sections.last().map_or("-", |s| s.label.as_str());
        let _ = writeln!(
            out,
            "sections:    {} (มาตรา {first} … มาตรา {last})",
            p.sections.len()
        );
        let _ = writeln!(out, "preamble:    {} lines", p.preamble.len());
        let _ = writeln!(out, "closing:     {} lines", p.closing.len());
        let _ = writeln!(
            out,
            "rationale:   {}",
            if p.rationale.is_some() {
                "found (หมายเหตุ)"
            } else {
                "none"
            }
        );
        let _ = writeln!(out, "footnotes:   {}", p.footnotes.len());
        let _ = writeln!(
            out,
            "amendments:  {} appended amending Act(s), kept apart, not imported",
            p.amendments.len()
        );
        for a in &p.amendments {
            let _ = writeln!(
                out,
                "             - {} ({} sections)",
                a.title,
                a.sections.len()
            );
        }
        match &self.draft {
            Some((id, slug)) => {
                let _ = writeln!(out, "written:     draft #{id}, slug `{slug}`, version 1");
            }
            None => {
                let _ = writeln!(out, "written:     nothing (dry run)");
            }
        }
        out
    }
}
