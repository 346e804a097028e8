//! The public read API over HTTP, with the demo data, on every backend.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestApp, codes};
use serde_json::{Value, json};

const THAI_1_TO_15: [&str; 15] = [
    "๑", "๒", "๓", "๔", "๕", "๖", "๗", "๘", "๙", "๑๐", "๑๑", "๑๒", "๑๓", "๑๔", "๑๕",
];

fn labels(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["label"].as_str().unwrap().to_owned())
        .collect()
}

on_every_backend!(
    demo_draft_sections_come_back_in_order_with_their_headings,
    sections_paginate_with_cursors_and_a_total_count,
    a_page_larger_than_the_maximum_is_refused_with_validation,
    a_bad_cursor_is_refused_naming_the_argument,
    drafts_filter_by_type_agency_status_and_open_consultation,
    consultations_report_their_period_in_bangkok_days,
    node_resolves_every_type_and_rejects_bad_ids,
    aliases_count_toward_complexity,
    deep_queries_are_refused,
    batches_are_capped_and_each_operation_is_answered,
    malformed_requests_get_clear_codes,
    health_landing_and_draft_pages_are_served,
    the_heading_tree_holds_every_section_once,
    the_error_wire_format_is_stable,
);

async fn demo_draft_sections_come_back_in_order_with_their_headings(app: TestApp) -> TestApp {
    let data = app
        .data(
            r#"{ draft(slug: "cycling-act") {
                title type status leadAgency { slug nameTh parent { slug } }
                currentVersion { number sections(first: 100) {
                    totalCount
                    edges { node { label labelArabic key text headingPath { level number title display } } }
                } }
            } }"#,
            json!({}),
        )
        .await;
    let draft = &data["draft"];
    assert_eq!(draft["type"], "ACT");
    assert_eq!(draft["status"], "IN_CONSULTATION");
    assert_eq!(draft["leadAgency"]["slug"], "otp");
    assert_eq!(draft["leadAgency"]["parent"]["slug"], "mot");
    let sections = &draft["currentVersion"]["sections"];
    assert_eq!(sections["totalCount"], 15);
    assert_eq!(labels(sections), THAI_1_TO_15);
    let edges = sections["edges"].as_array().unwrap();
    assert_eq!(edges[14]["node"]["labelArabic"], "15");
    assert_eq!(edges[14]["node"]["key"], "15");
    assert!(
        edges[0]["node"]["text"]
            .as_str()
            .unwrap()
            .contains("พระราชบัญญัติส่งเสริมการใช้จักรยาน")
    );
    // Sections 1-4 come before the first chapter.
    assert_eq!(edges[0]["node"]["headingPath"], json!([]));
    assert_eq!(
        edges[4]["node"]["headingPath"],
        json!([{ "level": "CHAPTER", "number": "๑", "title": "คณะกรรมการส่งเสริมการใช้จักรยานเพื่อการเดินทาง",
                 "display": "หมวด ๑ คณะกรรมการส่งเสริมการใช้จักรยานเพื่อการเดินทาง" }])
    );
    assert_eq!(
        edges[12]["node"]["headingPath"][0]["display"],
        "หมวด ๓ บทกำหนดโทษ"
    );
    assert_eq!(edges[14]["node"]["headingPath"][0]["level"], "UNNUMBERED");
    assert_eq!(edges[14]["node"]["headingPath"][0]["title"], "บทเฉพาะกาล");
    app
}

async fn sections_paginate_with_cursors_and_a_total_count(app: TestApp) -> TestApp {
    let query = r#"query($after: String) { draft(slug: "cycling-act") { currentVersion {
        sections(first: 4, after: $after) {
            totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
            edges { cursor node { label } }
        } } } }"#;
    let mut after = Value::Null;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let data = app.data(query, json!({ "after": after })).await;
        let conn = &data["draft"]["currentVersion"]["sections"];
        assert_eq!(conn["totalCount"], 15);
        assert_eq!(conn["pageInfo"]["hasPreviousPage"], pages > 0);
        seen.extend(labels(conn));
        pages += 1;
        if conn["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = conn["pageInfo"]["endCursor"].clone();
        assert!(pages < 10, "pagination does not end");
    }
    assert_eq!(pages, 4);
    assert_eq!(seen, THAI_1_TO_15);
    app
}

async fn a_page_larger_than_the_maximum_is_refused_with_validation(app: TestApp) -> TestApp {
    let body = app
        .gql("{ drafts(first: 501) { totalCount } }", json!({}))
        .await;
    assert_eq!(codes(&body), ["VALIDATION"]);
    assert_eq!(body["errors"][0]["extensions"]["field"], "first");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("between 1 and 500")
    );
    let body = app
        .gql("{ drafts(first: 0) { totalCount } }", json!({}))
        .await;
    assert_eq!(codes(&body), ["VALIDATION"]);
    app
}

async fn a_bad_cursor_is_refused_naming_the_argument(app: TestApp) -> TestApp {
    let body = app
        .gql(
            r#"{ drafts(first: 2, after: "not-a-cursor") { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(codes(&body), ["VALIDATION"]);
    assert_eq!(body["errors"][0]["extensions"]["field"], "after");
    app
}

async fn drafts_filter_by_type_agency_status_and_open_consultation(app: TestApp) -> TestApp {
    let q = r#"query($f: DraftFilterInput) { drafts(first: 50, filter: $f) { totalCount edges { node { slug } } } }"#;
    let slugs = |d: &Value| -> Vec<String> {
        d["drafts"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["slug"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = app.data(q, json!({ "f": null })).await;
    assert_eq!(all["drafts"]["totalCount"], 3);
    // Newest first.
    assert_eq!(
        slugs(&all),
        ["footpath-safety-act-2566", "open-data-act", "cycling-act"]
    );

    let open = app
        .data(q, json!({ "f": { "consultationOpen": true } }))
        .await;
    assert_eq!(slugs(&open), ["cycling-act"]);
    assert_eq!(open["drafts"]["totalCount"], 1);
    let not_open = app
        .data(q, json!({ "f": { "consultationOpen": false } }))
        .await;
    assert_eq!(
        slugs(&not_open),
        ["footpath-safety-act-2566", "open-data-act"]
    );

    let in_force = app.data(q, json!({ "f": { "status": "IN_FORCE" } })).await;
    assert_eq!(slugs(&in_force), ["footpath-safety-act-2566"]);
    let by_agency = app.data(q, json!({ "f": { "agency": "mdes" } })).await;
    assert_eq!(slugs(&by_agency), ["open-data-act"]);
    let agency_id = app
        .data(r#"{ agency(slug: "mdes") { id } }"#, json!({}))
        .await;
    let by_id = app
        .data(q, json!({ "f": { "agency": agency_id["agency"]["id"] } }))
        .await;
    assert_eq!(slugs(&by_id), ["open-data-act"]);
    let decrees = app
        .data(q, json!({ "f": { "type": "ROYAL_DECREE" } }))
        .await;
    assert_eq!(decrees["drafts"]["totalCount"], 0);

    let unknown = app.gql(q, json!({ "f": { "agency": "nobody" } })).await;
    assert_eq!(codes(&unknown), ["VALIDATION"]);
    assert_eq!(unknown["errors"][0]["extensions"]["field"], "filter.agency");
    app
}

async fn consultations_report_their_period_in_bangkok_days(app: TestApp) -> TestApp {
    let data = app
        .data(
            r#"{ open: consultations(first: 10, filter: { status: OPEN }) { totalCount edges { node {
                    kind status isOpen lengthDays daysRemaining policyFloorDays isShorterThanPolicy
                    shorterThanPolicyReason firstDay lastDay opensAt closesAt periodText
                    en: periodText(lang: EN, digits: ARABIC) draft { slug } } } }
                closed: consultations(first: 10, filter: { status: CLOSED }) { totalCount edges { node {
                    status isOpen lengthDays daysRemaining isShorterThanPolicy shorterThanPolicyReason
                    draft { slug } } } }
                scheduled: consultations(filter: { status: SCHEDULED }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["open"]["totalCount"], 1);
    assert_eq!(data["closed"]["totalCount"], 1);
    assert_eq!(data["scheduled"]["totalCount"], 0);
    let open = &data["open"]["edges"][0]["node"];
    assert_eq!(open["draft"]["slug"], "cycling-act");
    assert_eq!(open["status"], "OPEN");
    assert_eq!(open["isOpen"], true);
    assert_eq!(open["lengthDays"], 30);
    // Opened five days ago (today is day 6 of 30).
    assert_eq!(open["daysRemaining"], 25);
    assert_eq!(open["policyFloorDays"], 15);
    assert_eq!(open["isShorterThanPolicy"], false);
    assert_eq!(open["shorterThanPolicyReason"], Value::Null);
    // Opens at Bangkok midnight (17:00 UTC the day before), closes at the end of the last day.
    assert!(
        open["opensAt"].as_str().unwrap().contains("T17:00:00"),
        "{open}"
    );
    assert!(
        open["closesAt"].as_str().unwrap().contains("T17:00:00"),
        "{open}"
    );
    let period = open["periodText"].as_str().unwrap();
    assert!(
        period.contains("๒๕"),
        "Thai digits and a Buddhist Era year: {period}"
    );
    assert!(!period.chars().any(|c| c.is_ascii_digit()), "{period}");
    assert!(open["en"].as_str().unwrap().contains("20"), "{open}");

    let closed = &data["closed"]["edges"][0]["node"];
    assert_eq!(closed["draft"]["slug"], "open-data-act");
    assert_eq!(closed["status"], "CLOSED");
    assert_eq!(closed["isOpen"], false);
    assert_eq!(closed["daysRemaining"], 0);
    assert_eq!(closed["lengthDays"], 10);
    assert_eq!(closed["isShorterThanPolicy"], true);
    assert!(
        closed["shorterThanPolicyReason"]
            .as_str()
            .unwrap()
            .contains("คณะรัฐมนตรี")
    );
    app
}

async fn node_resolves_every_type_and_rejects_bad_ids(app: TestApp) -> TestApp {
    let data = app
        .data(
            r#"{ draft(slug: "cycling-act") { id leadAgency { id } consultations { edges { node { id } } }
                currentVersion { id headings { id } sections(first: 1) { edges { node { id } } } } } }"#,
            json!({}),
        )
        .await;
    let d = &data["draft"];
    let v = &d["currentVersion"];
    let cases = [
        (d["id"].clone(), "Draft"),
        (d["leadAgency"]["id"].clone(), "Agency"),
        (
            d["consultations"]["edges"][0]["node"]["id"].clone(),
            "Consultation",
        ),
        (v["id"].clone(), "DraftVersion"),
        (v["headings"][0]["id"].clone(), "Heading"),
        (v["sections"]["edges"][0]["node"]["id"].clone(), "Section"),
    ];
    for (id, typename) in cases {
        let got = app
            .data(
                "query($id: ID!) { node(id: $id) { __typename id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(got["node"]["__typename"], typename);
        assert_eq!(got["node"]["id"], id);
    }
    let section_id = v["sections"]["edges"][0]["node"]["id"].clone();
    let by_id = app
        .data("query($id: ID!) { section(id: $id) { label headingPath { title } version { number } } }", json!({ "id": section_id }))
        .await;
    assert_eq!(by_id["section"]["label"], "๑");
    assert_eq!(by_id["section"]["version"]["number"], 1);

    let bad = app
        .gql(r#"{ node(id: "garbage") { id } }"#, json!({}))
        .await;
    assert_eq!(codes(&bad), ["VALIDATION"]);
    // A well-formed ID of a row that does not exist is simply null.
    let missing = app
        .data(r#"{ node(id: "RHJhZnQ6OTk5OTk") { id } }"#, json!({}))
        .await;
    assert_eq!(missing["node"], Value::Null);
    // A Section ID where a Draft ID is expected names the mismatch.
    let wrong = app
        .gql(
            "query($id: ID!) { draft(id: $id) { title } }",
            json!({ "id": section_id }),
        )
        .await;
    assert_eq!(codes(&wrong), ["VALIDATION"]);
    assert!(
        wrong["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expected a Draft ID")
    );
    app
}

async fn aliases_count_toward_complexity(app: TestApp) -> TestApp {
    // One read of a whole version is fine...
    let one = app
        .gql(r#"{ drafts(first: 1) { edges { node { currentVersion { sections(first: 500) { edges { node { label text } } } } } } } }"#, json!({}))
        .await;
    assert!(one.get("errors").is_none(), "{one}");
    // ...but the same read under many aliases is refused before any work is done.
    let aliased: String = (0..20)
        .map(|i| format!("a{i}: drafts(first: 1) {{ edges {{ node {{ currentVersion {{ sections(first: 500) {{ edges {{ node {{ label text }} }} }} }} }} }} }}"))
        .collect();
    let body = app.gql(&format!("{{ {aliased} }}"), json!({})).await;
    assert_eq!(codes(&body), ["QUERY_TOO_COMPLEX"]);
    assert_eq!(body["data"], Value::Null);
    // Nested lists multiply: drafts × versions × sections.
    let nested = app
        .gql(r#"{ drafts(first: 100) { edges { node { versions(first: 100) { edges { node { sections(first: 100) { edges { node { label } } } } } } } } } }"#, json!({}))
        .await;
    assert_eq!(codes(&nested), ["QUERY_TOO_COMPLEX"]);
    app
}

async fn deep_queries_are_refused(app: TestApp) -> TestApp {
    let mut q = String::from("id");
    for _ in 0..8 {
        q = format!("currentVersion {{ draft {{ {q} }} }}");
    }
    let body = app
        .gql(
            &format!(r#"{{ draft(slug: "cycling-act") {{ {q} }} }}"#),
            json!({}),
        )
        .await;
    assert_eq!(codes(&body), ["QUERY_TOO_DEEP"]);
    app
}

async fn batches_are_capped_and_each_operation_is_answered(app: TestApp) -> TestApp {
    let op = json!({ "query": "{ drafts { totalCount } }" });
    let (status, body) = app.post_json(&json!([op, op, op])).await;
    assert_eq!(status, 200);
    let answers = body.as_array().unwrap();
    assert_eq!(answers.len(), 3);
    assert!(
        answers
            .iter()
            .all(|a| a["data"]["drafts"]["totalCount"] == 3)
    );

    let too_many: Vec<Value> = (0..11).map(|_| op.clone()).collect();
    let (status, body) = app.post_json(&Value::Array(too_many)).await;
    assert_eq!(status, 400);
    assert_eq!(codes(&body), ["BATCH_TOO_LARGE"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at most 10")
    );

    let (status, body) = app.post_json(&json!([])).await;
    assert_eq!(status, 400);
    assert_eq!(codes(&body), ["BAD_REQUEST"]);
    app
}

async fn malformed_requests_get_clear_codes(app: TestApp) -> TestApp {
    let (status, body) = app.post_raw("this is not json").await;
    assert_eq!(status, 400);
    assert_eq!(codes(&body), ["BAD_REQUEST"]);

    let body = app.gql("{ drafts { ", json!({})).await;
    assert_eq!(codes(&body), ["GRAPHQL_PARSE_FAILED"]);
    let body = app.gql("{ drafts { noSuchField } }", json!({})).await;
    let found = codes(&body);
    assert!(
        !found.is_empty() && found.iter().all(|c| c == "GRAPHQL_VALIDATION_FAILED"),
        "{body}"
    );
    let body = app
        .gql(
            "query($n: Int) { drafts(first: $n) { totalCount } }",
            json!({ "n": "ten" }),
        )
        .await;
    let found = codes(&body);
    assert!(
        !found.is_empty() && found.iter().all(|c| c == "GRAPHQL_VALIDATION_FAILED"),
        "{body}"
    );

    let huge = format!(
        "{{\"query\": \"{{ drafts {{ totalCount }} }}\", \"x\": \"{}\"}}",
        "a".repeat(300_000)
    );
    let (status, body) = app.post_raw(&huge).await;
    assert_eq!(status, 413);
    assert_eq!(codes(&body), ["PAYLOAD_TOO_LARGE"]);
    app
}

async fn health_landing_and_draft_pages_are_served(app: TestApp) -> TestApp {
    let (status, body) = app.get("/healthz").await;
    assert_eq!(status, 200);
    let health: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["status"], "ok");
    assert!(["sqlite", "postgresql"].contains(&health["database"].as_str().unwrap()));
    assert_eq!(app.get("/livez").await, (200, "ok".to_owned()));
    assert_eq!(
        app.get("/bench/bare/cycling-act").await.0,
        404,
        "benchmark routes are off"
    );

    let (status, page) = app.get("/").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("ร่างพระราชบัญญัติส่งเสริมการใช้จักรยานเพื่อการเดินทาง"),
        "{page}"
    );
    assert!(page.contains("href=\"/drafts/cycling-act\""));

    let (status, page) = app.get("/drafts/cycling-act").await;
    assert_eq!(status, 200);
    assert!(page.contains("มาตรา ๑๕"));
    assert!(page.contains("หมวด ๒ ทางจักรยานและที่จอดจักรยาน"));
    let (status, _) = app.get("/drafts/no-such-draft").await;
    assert_eq!(status, 404);

    let (status, console) = app.get("/graphql").await;
    assert_eq!(status, 200);
    assert!(console.contains("fetch('/graphql'"));
    assert!(
        !console.contains("https://"),
        "the console loads nothing from the network"
    );
    let (status, sdl) = app.get("/graphql/schema.graphql").await;
    assert_eq!(status, 200);
    assert!(sdl.contains("type Section"));
    app
}

async fn the_heading_tree_holds_every_section_once(app: TestApp) -> TestApp {
    let data = app
        .data(
            r#"{ draft(slug: "cycling-act") { currentVersion {
                headings { level number title display children { title }
                           sections(first: 100) { totalCount edges { node { label } } } }
                sections(first: 100) { totalCount } } } }"#,
            json!({}),
        )
        .await;
    let version = &data["draft"]["currentVersion"];
    let headings = version["headings"].as_array().unwrap();
    let displays: Vec<&str> = headings
        .iter()
        .map(|h| h["display"].as_str().unwrap())
        .collect();
    assert_eq!(
        displays,
        [
            "หมวด ๑ คณะกรรมการส่งเสริมการใช้จักรยานเพื่อการเดินทาง",
            "หมวด ๒ ทางจักรยานและที่จอดจักรยาน",
            "หมวด ๓ บทกำหนดโทษ",
            "บทเฉพาะกาล"
        ]
    );
    let under: Vec<Vec<String>> = headings.iter().map(|h| labels(&h["sections"])).collect();
    assert_eq!(under[0], ["๕", "๖", "๗", "๘"]);
    assert_eq!(under[1], ["๙", "๑๐", "๑๑", "๑๒"]);
    assert_eq!(under[2], ["๑๓", "๑๔"]);
    assert_eq!(under[3], ["๑๕"]);
    app
}

async fn the_error_wire_format_is_stable(app: TestApp) -> TestApp {
    let body = app
        .gql(
            r#"{ ok: drafts(first: 1) { totalCount } bad: draft(id: "garbage") { title } }"#,
            json!({}),
        )
        .await;
    insta::assert_json_snapshot!("error_wire_format", body);
    let body = app
        .gql("{ drafts(first: 9999) { totalCount } }", json!({}))
        .await;
    insta::assert_json_snapshot!("error_wire_format_validation", body);
    app
}

#[test]
fn the_committed_schema_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let sdl = rubfang_api::graphql::sdl();
    if std::env::var("RUBFANG_UPDATE_SCHEMA").is_ok() {
        std::fs::write(path, &sdl).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == sdl,
        "api/schema.graphql differs from the schema in code; review the change and run \
         `RUBFANG_UPDATE_SCHEMA=1 cargo test -p rubfang-api --test api the_committed_schema` to update it"
    );
}
