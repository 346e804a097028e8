//! The search contract. Every scenario runs on SQLite and PostgreSQL, against the embedded
//! engine, or against Meilisearch when `RUBFANG_MEILI_URL` (and `RUBFANG_MEILI_MASTER_KEY`) are
#![allow(clippy::unwrap_used, clippy::expect_used)]
//! set: the same assertions hold for both engines.

mod common;

use std::path::PathBuf;

use common::{TestApp, codes};
use serde_json::{Value, json};

const SEARCH: &str = r#"query($q: String!, $f: SearchFilter, $first: Int, $after: String) {
    search(query: $q, filter: $f, first: $first, after: $after) {
        totalCount engine
        facets { attribute values { value count } }
        pageInfo { hasNextPage endCursor }
        edges { cursor type highlight node {
            __typename
            ... on Draft { id slug title }
            ... on Section { id label text }
            ... on Comment { id body stance }
        } } } }"#;

const POST: &str = "mutation($i: PostCommentInput!) { postComment(input: $i) { id } }";

fn engine_note() {
    if std::env::var("RUBFANG_MEILI_URL").is_err() {
        eprintln!(
            "search contract on the embedded engine; set RUBFANG_MEILI_URL and \
             RUBFANG_MEILI_MASTER_KEY to run it against Meilisearch too"
        );
    }
}

async fn search(app: &TestApp, q: &str, filter: Value) -> Value {
    let body = app
        .gql(SEARCH, json!({ "q": q, "f": filter, "first": 100 }))
        .await;
    assert!(body.get("errors").is_none(), "{q}: {body}");
    body["data"]["search"].clone()
}

fn edges(result: &Value) -> Vec<Value> {
    result["edges"].as_array().cloned().unwrap_or_default()
}

fn ids_of(result: &Value, typename: &str) -> Vec<String> {
    edges(result)
        .iter()
        .filter(|e| e["node"]["__typename"] == typename)
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

fn facet(result: &Value, attribute: &str) -> Vec<(String, u64)> {
    result["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["attribute"] == attribute)
        .map(|f| {
            f["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    (
                        v["value"].as_str().unwrap().to_owned(),
                        v["count"].as_u64().unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Thai marks that attach to the character before them (vowels above and below, tone marks):
/// a mark boundary just before one has split a grapheme cluster.
fn is_thai_combining(c: char) -> bool {
    matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}')
}

/// The highlight is safe HTML: no tag but `<mark>`, marks balanced, no cluster split.
fn assert_safe_highlight(html: &str) {
    let without = html.replace("<mark>", "").replace("</mark>", "");
    assert!(!without.contains('<') && !without.contains('>'), "{html}");
    assert_eq!(
        html.matches("<mark>").count(),
        html.matches("</mark>").count(),
        "{html}"
    );
    for (i, _) in html.match_indices("</mark>") {
        let next = html[i + "</mark>".len()..].chars().next();
        assert!(
            !next.is_some_and(is_thai_combining),
            "a mark ends inside a grapheme cluster: {html}"
        );
    }
    for (i, _) in html.match_indices("<mark>") {
        let next = html[i + "<mark>".len()..].chars().next();
        assert!(
            !next.is_some_and(is_thai_combining),
            "a mark starts inside a grapheme cluster: {html}"
        );
    }
}

async fn open_consultation(app: &TestApp) -> (String, Vec<String>, String) {
    let open = common::open_consultation(app).await;
    (open.consultation, open.sections, open.draft)
}

async fn post(
    app: &TestApp,
    token: &str,
    consultation: &str,
    section: &str,
    body: &str,
    stance: Option<&str>,
) -> String {
    let r = app
        .gql_as(
            token,
            POST,
            json!({ "i": { "consultationId": consultation, "sectionId": section, "body": body, "stance": stance } }),
        )
        .await;
    r["data"]["postComment"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_owned()
}

fn corpus_dir() -> Option<PathBuf> {
    let base = std::env::var("RUBFANG_CORPUS_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus").into());
    let dir = PathBuf::from(base).join("thai-law");
    dir.is_dir().then_some(dir)
}

/// Thai letters (consonants and vowels), which a space-splitting engine would glue to a word.
fn is_thai_letter(c: char) -> bool {
    ('\u{0E01}'..='\u{0E4E}').contains(&c)
}

/// Real Acts: words inside unspaced Thai sentences are found, and marked whole.
async fn thai_words_inside_unspaced_sentences(app: TestApp) -> TestApp {
    engine_note();
    let Some(dir) = corpus_dir() else {
        eprintln!("skipped: the Thai-law corpus is not installed (set RUBFANG_CORPUS_DIR)");
        return app;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let db = app.db.connect().await;
    let mut slugs = Vec::new();
    for (n, path) in files.iter().take(12).enumerate() {
        let report = rubfang_api::draft::import::import(
            &db,
            &std::fs::read(path).unwrap(),
            rubfang_api::draft::import::ImportRequest {
                agency_slug: None,
                kind: None,
                status: rubfang_api::draft::DraftStatus::InForce,
                slug: Some(format!("corpus-{n}")),
                dry_run: false,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        drop(report);
        slugs.push(format!("corpus-{n}"));
    }
    app.search_catch_up().await;

    // Every section of the imported Acts, read back through the API.
    let mut sections: Vec<(String, String, String)> = Vec::new(); // (draft id, section id, text)
    for slug in &slugs {
        let data = app
            .data(
                r#"query($s: String!) { draft(slug: $s) { id currentVersion {
                    sections(first: 500) { edges { node { id text } } } } } }"#,
                json!({ "s": slug }),
            )
            .await;
        let draft = data["draft"]["id"].as_str().unwrap().to_owned();
        for e in data["draft"]["currentVersion"]["sections"]["edges"]
            .as_array()
            .unwrap()
        {
            sections.push((
                draft.clone(),
                e["node"]["id"].as_str().unwrap().to_owned(),
                e["node"]["text"].as_str().unwrap().to_owned(),
            ));
        }
    }
    assert!(sections.len() > 200, "{} sections", sections.len());

    // The embedded engine also matches Thai words as characters inside a run, so it finds a
    // word however the dictionary segmenter cut the sentence around it; Meilisearch finds only
    // whole segments (the README says so). Both must find words inside unspaced sentences.
    let embedded = app.search.embedded.is_some();
    let mut checked = 0;
    for word in ["ใบอนุญาต", "พนักงานเจ้าหน้าที่", "ค่าธรรมเนียม", "รัฐมนตรี", "ประกาศ"]
    {
        // Sections where the word occurs only inside unspaced text: a Thai letter right
        // before and right after every occurrence. No space-delimited token is the word.
        let only_mid: Vec<&(String, String, String)> = sections
            .iter()
            .filter(|(_, _, text)| {
                let hits: Vec<usize> = text.match_indices(word).map(|(i, _)| i).collect();
                !hits.is_empty()
                    && hits.iter().all(|&i| {
                        text[..i].chars().next_back().is_some_and(is_thai_letter)
                            && text[i + word.len()..]
                                .chars()
                                .next()
                                .is_some_and(is_thai_letter)
                    })
            })
            .collect();
        if only_mid.is_empty() {
            continue;
        }
        for (_, _, text) in &only_mid {
            assert!(!text.split_whitespace().any(|t| t == word));
        }
        // Every section the engine finds for the word, all pages.
        let mut found_ids = std::collections::HashSet::new();
        let mut after: Option<String> = None;
        loop {
            let body = app
                .gql(SEARCH, json!({ "q": word, "f": { "types": ["SECTION"] }, "first": 100, "after": after }))
                .await;
            let r = &body["data"]["search"];
            for e in edges(r) {
                assert_safe_highlight(e["highlight"].as_str().unwrap());
            }
            for id in ids_of(r, "Section") {
                found_ids.insert(id);
            }
            if r["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = r["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        let mid_found: Vec<&&(String, String, String)> = only_mid
            .iter()
            .filter(|(_, id, _)| found_ids.contains(id))
            .collect();
        // Recall over every imported section that contains the word (by plain substring, an
        // independent count).
        let containing: Vec<&String> = sections
            .iter()
            .filter(|(_, _, t)| t.contains(word))
            .map(|(_, id, _)| id)
            .collect();
        let recalled = containing
            .iter()
            .filter(|id| found_ids.contains(**id))
            .count();
        let recall = recalled as f64 / containing.len() as f64;
        eprintln!(
            "{}: `{word}`: {recalled}/{} sections containing it found (recall {recall:.3}); \
             {}/{} where it is only mid-sentence",
            app.search.backend.name(),
            containing.len(),
            mid_found.len(),
            only_mid.len()
        );
        let Some((draft, section, text)) = mid_found.first().map(|s| (&s.0, &s.1, &s.2)) else {
            panic!(
                "`{word}`: none of {} mid-sentence sections found",
                only_mid.len()
            );
        };
        if embedded {
            assert_eq!(mid_found.len(), only_mid.len(), "`{word}`");
            assert!(recall >= 0.99, "`{word}`: recall {recall:.3}");
        } else {
            assert!(recall >= 0.5, "`{word}`: recall {recall:.3}");
        }
        // Found within its draft, the word marked whole.
        let result = search(&app, word, json!({ "draft": draft, "types": ["SECTION"] })).await;
        let hit = edges(&result)
            .into_iter()
            .find(|e| e["node"]["id"] == section.as_str())
            .unwrap_or_else(|| {
                panic!(
                    "`{word}` not found in {section} ({})",
                    &text[..text.len().min(300)]
                )
            });
        let highlight = hit["highlight"].as_str().unwrap();
        assert!(
            highlight.contains(&format!("<mark>{word}</mark>"))
                || highlight.contains(&format!("{word}</mark>")),
            "`{word}` not marked whole in {highlight}"
        );
        checked += 1;
    }
    assert!(
        checked >= 3,
        "only {checked} words had a mid-sentence-only section"
    );
    app
}

/// Synonyms from search-config apply both ways; Latin words tolerate a typo; facets count.
async fn synonyms_typos_filters_and_facets(app: TestApp) -> TestApp {
    engine_note();
    app.search_catch_up().await;
    // The demo drafts are titled ร่างพระราชบัญญัติ...; the abbreviation finds them.
    let abbreviated = search(&app, "พ.ร.บ. จักรยาน", json!({ "types": ["DRAFT"] })).await;
    let full = search(&app, "พระราชบัญญัติ จักรยาน", json!({ "types": ["DRAFT"] })).await;
    let slugs = |r: &Value| -> Vec<String> {
        edges(r)
            .iter()
            .map(|e| e["node"]["slug"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(slugs(&full).contains(&"cycling-act".to_owned()), "{full}");
    assert_eq!(slugs(&abbreviated), slugs(&full), "{abbreviated}");

    // Typos in Latin words: one letter missing (6 letters), two swapped (9 letters).
    for q in ["cyclng", "trasnport promotion"] {
        let typo = search(&app, q, json!({})).await;
        assert!(
            edges(&typo)
                .iter()
                .any(|e| e["node"]["slug"] == "cycling-act"),
            "{q}: {typo}"
        );
    }
    // Short words get no typo: `zct` does not find `act`.
    assert_eq!(search(&app, "zct", json!({})).await["totalCount"], 0);

    // Comments with stances, then facets and filters.
    let (consultation, sections, draft) = open_consultation(&app).await;
    let somchai = app.login("somchai@rubfang.example").await;
    let malee = app.login("malee@rubfang.example").await;
    post(
        &app,
        &somchai,
        &consultation,
        &sections[1],
        "ทางจักรยานควรมีไฟส่องสว่างทุกจุด",
        Some("AGREE"),
    )
    .await;
    post(
        &app,
        &malee,
        &consultation,
        &sections[1],
        "ทางจักรยานในเมืองแคบเกินไป",
        Some("DISAGREE"),
    )
    .await;
    post(
        &app,
        &malee,
        &consultation,
        &sections[2],
        "ทางจักรยานต้องไม่กีดขวางทางเท้า",
        Some("AGREE"),
    )
    .await;
    app.search_catch_up().await;

    let all = search(&app, "ทางจักรยาน", json!({})).await;
    let types = facet(&all, "type");
    let total: u64 = types.iter().map(|(_, n)| n).sum();
    assert_eq!(all["totalCount"].as_u64().unwrap(), total, "{all}");
    assert!(
        types.iter().any(|(t, n)| t == "COMMENT" && *n >= 3),
        "{types:?}"
    );
    let stance = facet(&all, "stance");
    assert!(
        stance.contains(&("AGREE".to_owned(), 2))
            || stance.iter().any(|(s, n)| s == "AGREE" && *n >= 2),
        "{stance:?}"
    );

    let agree = search(&app, "ทางจักรยาน", json!({ "stance": "AGREE" })).await;
    assert!(edges(&agree).len() >= 2);
    for e in edges(&agree) {
        assert_eq!(e["type"], "COMMENT");
        assert_eq!(e["node"]["stance"], "AGREE");
    }
    let only_draft = search(
        &app,
        "ทางจักรยาน",
        json!({ "draft": draft, "types": ["COMMENT"] }),
    )
    .await;
    assert_eq!(
        only_draft["totalCount"].as_u64().unwrap(),
        edges(&only_draft).len() as u64
    );
    // Consultation status applies to drafts and sections only.
    let open = search(&app, "จักรยาน", json!({ "consultationStatus": "OPEN" })).await;
    assert!(!edges(&open).is_empty());
    for e in edges(&open) {
        assert_ne!(e["type"], "COMMENT");
    }
    let closed_cycling = search(
        &app,
        "จักรยาน",
        json!({ "consultationStatus": "CLOSED", "draft": draft }),
    )
    .await;
    assert_eq!(closed_cycling["totalCount"], 0, "{closed_cycling}");

    // Pages: two of one, then the rest, never the same hit twice.
    let first = app
        .data(SEARCH, json!({ "q": "ทางจักรยาน", "first": 2 }))
        .await["search"]
        .clone();
    assert_eq!(edges(&first).len(), 2);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let second = app
        .data(
            SEARCH,
            json!({ "q": "ทางจักรยาน", "first": 2, "after": first["pageInfo"]["endCursor"] }),
        )
        .await["search"]
        .clone();
    let a: Vec<String> = edges(&first)
        .iter()
        .map(|e| e["node"]["id"].to_string())
        .collect();
    for e in edges(&second) {
        assert!(!a.contains(&e["node"]["id"].to_string()));
    }
    app
}

/// Markup in a comment never comes back live; hidden and withdrawn comments leave the index;
/// account data is not searchable.
async fn highlights_are_safe_and_removed_comments_leave(app: TestApp) -> TestApp {
    engine_note();
    let (consultation, sections, _) = open_consultation(&app).await;
    let somchai = app.login("somchai@rubfang.example").await;
    let hostile = post(
        &app,
        &somchai,
        &consultation,
        &sections[0],
        "<b>สมุดบัญชีเงินฝาก</b> &lt;img src=x onerror=alert(1)&gt; <script>alert(1)</script> \"quoted\" & more",
        None,
    )
    .await;
    let to_hide = post(
        &app,
        &somchai,
        &consultation,
        &sections[0],
        "เบอร์โทรของผมคือศูนย์แปดหนึ่งสองสามสี่ ขอให้ติดต่อกลับเรื่องทางม้าลาย",
        None,
    )
    .await;
    let to_withdraw = post(
        &app,
        &somchai,
        &consultation,
        &sections[0],
        "ความเห็นนี้ขอถอนเรื่องสะพานลอยคนข้าม",
        None,
    )
    .await;
    app.search_catch_up().await;

    let r = search(&app, "สมุดบัญชี", json!({ "types": ["COMMENT"] })).await;
    let hit = edges(&r)
        .into_iter()
        .find(|e| e["node"]["id"] == hostile.as_str())
        .unwrap_or_else(|| panic!("{r}"));
    let html = hit["highlight"].as_str().unwrap();
    assert_safe_highlight(html);
    assert!(html.contains("<mark>สมุดบัญชี"), "{html}");
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{html}"
    );
    assert!(
        !html.contains("script"),
        "script content is dropped on write: {html}"
    );
    assert!(html.contains("&amp; more"), "{html}");

    assert_eq!(search(&app, "ทางม้าลาย", json!({})).await["totalCount"], 1);
    assert_eq!(search(&app, "สะพานลอย", json!({})).await["totalCount"], 1);
    let staff = app.login("staff@otp.example").await;
    let hidden = app
        .gql_as(
            &staff,
            "mutation($id: ID!) { hideComment(commentId: $id, reason: PERSONAL_DATA, note: \"เบอร์โทรศัพท์\") { status } }",
            json!({ "id": to_hide }),
        )
        .await;
    assert!(hidden.get("errors").is_none(), "{hidden}");
    let withdrawn = app
        .gql_as(
            &somchai,
            "mutation($id: ID!) { withdrawComment(commentId: $id) { status } }",
            json!({ "id": to_withdraw }),
        )
        .await;
    assert!(withdrawn.get("errors").is_none(), "{withdrawn}");
    app.search_catch_up().await;
    assert_eq!(search(&app, "ทางม้าลาย", json!({})).await["totalCount"], 0);
    assert_eq!(search(&app, "สะพานลอย", json!({})).await["totalCount"], 0);

    // The author's e-mail address and display name are not in any index.
    for q in ["somchai@rubfang.example", "somchai", "rubfang.example"] {
        let r = search(&app, q, json!({ "types": ["COMMENT"] })).await;
        assert_eq!(r["totalCount"], 0, "{q}: {r}");
    }
    app
}

/// While the engine is down, writes still succeed and wait in the outbox; once it is back the
/// indexer catches up and nothing is lost.
async fn the_outbox_catches_up_after_an_outage(app: TestApp) -> TestApp {
    engine_note();
    app.search_catch_up().await;
    let (consultation, sections, _) = open_consultation(&app).await;
    let malee = app.login("malee@rubfang.example").await;

    // The outage: the embedded engine's writer fails; Meilisearch is replaced by a server that
    // does not answer (a port nothing listens on) for the indexer that runs during it.
    let down_indexer = match &app.search.embedded {
        Some(engine) => {
            engine.fail_writes(true);
            app.search.indexer.clone()
        }
        None => {
            let settings =
                std::sync::Arc::new(rubfang_api::search::SearchSettings::load().unwrap());
            let dead = rubfang_api::search::meili::MeiliSearch::new(
                "http://127.0.0.1:9",
                Some("x"),
                "rubfang_dead_",
                settings,
            )
            .unwrap();
            rubfang_api::search::indexer::Indexer::new(
                app.db.connect().await,
                std::sync::Arc::new(dead),
                std::sync::Arc::new(rubfang_api::draft::service::TextCache::new(1 << 20)),
            )
        }
    };
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(
            post(
                &app,
                &malee,
                &consultation,
                &sections[3],
                &format!("ระหว่างระบบค้นหาขัดข้อง ความเห็นที่ {n} เรื่องลานจอดจักรยาน"),
                None,
            )
            .await,
        );
    }
    assert!(down_indexer.catch_up().await.is_err(), "the engine is down");
    let health = common::health(&app).await;
    assert_eq!(
        health["status"], "ok",
        "search down is not the platform down: {health}"
    );
    assert!(
        health["search"]["backlog"].as_u64().unwrap() >= 5,
        "{health}"
    );
    assert_eq!(health["search"]["backend"], app.search.backend.name());

    if let Some(engine) = &app.search.embedded {
        engine.fail_writes(false);
    }
    app.search_catch_up().await;
    let r = search(&app, "ลานจอดจักรยาน", json!({ "types": ["COMMENT"] })).await;
    let found = ids_of(&r, "Comment");
    for id in &ids {
        assert!(found.contains(id), "{id} lost: {r}");
    }
    let health = common::health(&app).await;
    assert_eq!(health["search"]["backlog"], 0, "{health}");
    app
}

/// A rebuild from the database gives the same answers.
async fn a_rebuild_gives_the_same_results(app: TestApp) -> TestApp {
    app.search_catch_up().await;
    let before = search(&app, "จักรยาน", json!({})).await;
    let report = app.search.indexer.rebuild().await.unwrap();
    assert!(
        report.drafts >= 3 && report.sections > 20 && report.comments >= 3,
        "{report:?}"
    );
    let after = search(&app, "จักรยาน", json!({})).await;
    assert_eq!(before["totalCount"], after["totalCount"]);
    let ids = |r: &Value| -> std::collections::BTreeSet<String> {
        edges(r)
            .iter()
            .map(|e| e["node"]["id"].to_string())
            .collect()
    };
    assert_eq!(ids(&before), ids(&after));
    app
}

/// A consultation that closes with the passing of time, with no write to say so, is picked up
/// by the indexer's status refresh.
async fn statuses_follow_the_clock(app: TestApp) -> TestApp {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    app.search_catch_up().await;
    let open = search(
        &app,
        "จักรยาน",
        json!({ "types": ["DRAFT"], "consultationStatus": "OPEN" }),
    )
    .await;
    assert!(
        edges(&open)
            .iter()
            .any(|e| e["node"]["slug"] == "cycling-act"),
        "{open}"
    );
    // Time passes: the consultation's closing instant is now behind us (written straight to
    // the table, as the clock would, with no outbox row).
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let db = app.db.connect().await;
    let draft = rubfang_api::draft::service::by_slug(&db, "cycling-act")
        .await
        .unwrap()
        .unwrap();
    use rubfang_api::consultation::entity as consultation;
    consultation::Entity::update_many()
        .col_expr(
            consultation::Column::ClosesAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::milliseconds(5)),
        )
        .filter(consultation::Column::DraftId.eq(draft.id))
        .exec(&db)
        .await
        .unwrap();
    // The indexer's own 30-second refresh may have got there first; either queues the draft.
    let queued = app
        .search
        .indexer
        .refresh_statuses(chrono::Utc::now())
        .await
        .unwrap();
    assert!(queued <= 1, "{queued}");
    app.search_catch_up().await;
    let closed = search(
        &app,
        "จักรยาน",
        json!({ "types": ["DRAFT"], "consultationStatus": "CLOSED" }),
    )
    .await;
    assert!(
        edges(&closed)
            .iter()
            .any(|e| e["node"]["slug"] == "cycling-act"),
        "{closed}"
    );
    let still_open = search(
        &app,
        "จักรยาน",
        json!({ "types": ["DRAFT"], "consultationStatus": "OPEN" }),
    )
    .await;
    assert!(
        !edges(&still_open)
            .iter()
            .any(|e| e["node"]["slug"] == "cycling-act"),
        "{still_open}"
    );
    // Nothing else changed since: the next refresh queues nothing.
    assert_eq!(
        app.search
            .indexer
            .refresh_statuses(chrono::Utc::now())
            .await
            .unwrap(),
        0
    );
    app
}

/// Bad queries get errors naming the problem.
async fn bad_queries_are_refused_clearly(app: TestApp) -> TestApp {
    let field = |body: &Value| {
        body["errors"][0]["extensions"]["field"]
            .as_str()
            .map(str::to_owned)
    };
    let empty = app.gql(SEARCH, json!({ "q": "   " })).await;
    assert_eq!(codes(&empty), ["VALIDATION"]);
    assert_eq!(field(&empty).as_deref(), Some("query"));
    let long = app.gql(SEARCH, json!({ "q": "ก".repeat(201) })).await;
    assert_eq!(codes(&long), ["VALIDATION"]);
    assert!(
        long["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("201"),
        "{long}"
    );
    let cursor = app
        .gql(SEARCH, json!({ "q": "จักรยาน", "after": "not-a-cursor" }))
        .await;
    assert_eq!(field(&cursor).as_deref(), Some("after"));
    let first = app
        .gql(SEARCH, json!({ "q": "จักรยาน", "first": 1000 }))
        .await;
    assert_eq!(field(&first).as_deref(), Some("first"));
    // A draft ID where an agency ID belongs.
    let (_, _, draft) = open_consultation(&app).await;
    let wrong = app
        .gql(SEARCH, json!({ "q": "จักรยาน", "f": { "agency": draft } }))
        .await;
    assert_eq!(field(&wrong).as_deref(), Some("filter.agency"));
    let year = app
        .gql(SEARCH, json!({ "q": "จักรยาน", "f": { "year": 2026 } }))
        .await;
    assert!(
        year["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Buddhist Era"),
        "{year}"
    );
    app
}

/// The site's search page: a plain form, results with their marks, refusals shown with the form.
async fn the_site_searches(app: TestApp) -> TestApp {
    app.search_catch_up().await;
    let (status, html) = app.get("/search?q=%E0%B8%97%E0%B8%B2%E0%B8%87%E0%B8%88%E0%B8%B1%E0%B8%81%E0%B8%A3%E0%B8%A2%E0%B8%B2%E0%B8%99").await;
    assert_eq!(status, 200);
    assert!(html.contains("<mark>จักรยาน</mark>"), "{html}");
    assert!(html.contains("href=\"/sections/"), "{html}");
    assert!(
        html.contains("type=SECTION"),
        "a link narrows to sections: {html}"
    );
    let (status, html) = app
        .get("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "{html}");
    let long = "%E0%B8%81".repeat(201);
    let (status, html) = app.get(&format!("/search?q={long}")).await;
    assert_eq!(status, 400);
    assert!(html.contains("201 characters"), "{html}");
    let (status, home) = app.get("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("action=\"/search\""));
    app
}

fn three_searches_a_minute(config: &mut rubfang_api::config::Config) {
    config.rate_limits.set(
        rubfang_api::ratelimit::LimitedAction::Search,
        rubfang_api::ratelimit::Quota::parse("3/m:3").unwrap(),
    );
}

async fn searches_are_rate_limited(app: TestApp) -> TestApp {
    app.search_catch_up().await;
    for _ in 0..3 {
        assert!(
            app.gql(SEARCH, json!({ "q": "จักรยาน" }))
                .await
                .get("errors")
                .is_none()
        );
    }
    let limited = app.gql(SEARCH, json!({ "q": "จักรยาน" })).await;
    assert_eq!(codes(&limited), ["RATE_LIMITED"]);
    app
}

on_every_backend!(
    thai_words_inside_unspaced_sentences,
    synonyms_typos_filters_and_facets,
    highlights_are_safe_and_removed_comments_leave,
    the_outbox_catches_up_after_an_outage,
    a_rebuild_gives_the_same_results,
    bad_queries_are_refused_clearly,
    the_site_searches,
    statuses_follow_the_clock,
);

on_every_backend!(config = three_searches_a_minute; searches_are_rate_limited);
