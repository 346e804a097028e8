//! Taking part, over HTTP, on every backend: accounts and sessions, comments and replies,
//! questions, moderation, the consultation deadline, idempotency and concurrent counts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Open, TestApp, codes, open_consultation, rows};
use rubfang_api::config::Config;
use serde_json::{Value, json};

const STAFF: &str = "staff@otp.example";
const OTHER_STAFF: &str = "staff@mdes.example";
const SOMCHAI: &str = "somchai@rubfang.example";
const MALEE: &str = "malee@rubfang.example";
const ADMIN: &str = "admin@rubfang.example";

const POST: &str = "mutation($i: PostCommentInput!) { postComment(input: $i) {
    id body stance status authorName isOfficial depth sectionId } }";
const REPLY: &str = "mutation($i: ReplyInput!) { replyToComment(input: $i) {
    id depth isOfficial officialAgency { slug } } }";
const STATS: &str = "query($id: ID!) { section(id: $id) { commentStats {
    comments agree disagree neutral } } }";

fn comment_input(open: &Open, section: usize, body: &str, stance: Option<&str>) -> Value {
    json!({ "i": {
        "consultationId": open.consultation,
        "sectionId": open.sections[section],
        "body": body,
        "stance": stance,
    }})
}

async fn post_comment(app: &TestApp, token: &str, input: Value) -> Value {
    app.gql_as(token, POST, input).await
}

async fn section_stats(app: &TestApp, section: &str) -> Value {
    app.data(STATS, json!({ "id": section })).await["section"]["commentStats"].clone()
}

async fn register(app: &TestApp, email: &str, password: &str) -> Value {
    app.gql(
        "mutation($i: RegisterInput!) { register(input: $i) { token me { email displayName
            pseudonym emailVerified respondentCategory role } } }",
        json!({ "i": {
            "email": email,
            "password": password,
            "displayName": "ผู้ทดสอบ",
            "respondentCategory": "ACADEMIC",
            "province": "เชียงใหม่",
            "consentVersion": rubfang_api::account::CONSENT_VERSION,
        }}),
    )
    .await
}

fn field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("")
}

on_every_backend!(
    a_registered_citizen_logs_in_and_sees_their_own_account,
    registration_refuses_bad_input_naming_the_field_and_writes_nothing,
    a_wrong_password_or_a_bad_token_is_refused_and_logout_ends_the_session,
    the_session_cookie_works_only_on_json_requests,
    a_password_reset_mail_sets_a_new_password_and_ends_old_sessions,
    citizens_comment_on_sections_and_the_counts_follow,
    comments_show_the_display_name_or_the_pseudonym_never_the_email,
    a_retried_comment_with_the_same_idempotency_key_is_stored_once,
    concurrent_comments_are_all_counted,
    replies_nest_to_a_bounded_depth_and_agency_replies_are_official,
    an_edit_keeps_the_earlier_text_and_a_withdrawal_keeps_the_record,
    hostile_markup_is_stored_inert,
    flagged_comments_reach_the_queue_and_hiding_is_public_without_the_text,
    questions_are_answered_once_and_counted_per_option,
    an_agency_publishes_a_draft_and_runs_its_consultation,
    every_mutation_refuses_the_roles_that_must_not_use_it,
    comment_after_deadline_is_rejected_with_consultation_closed,
    api_keys_read_but_never_write,
    participants_are_counted_by_respondent_category,
    the_site_shows_counts_comments_and_official_replies,
    role_grants_stay_within_the_granting_agency,
    an_extension_cannot_overlap_the_next_consultation,
    followers_hear_when_a_consultation_opens,
);

on_every_backend!(config = verification_required; commenting_waits_for_a_verified_email);
on_every_backend!(config = tight_limits;
    a_flooded_address_gets_exactly_its_quota_while_another_is_served,
    every_operation_of_a_batch_counts_against_the_quota,
);
on_every_backend!(config = two_comments_a_day; the_daily_quota_holds_in_the_database);
on_every_backend!(config = no_edit_window; edits_after_the_window_are_refused);

fn verification_required(c: &mut Config) {
    c.participation.require_verified_email = true;
}

fn tight_limits(c: &mut Config) {
    use rubfang_api::ratelimit::{LimitedAction, Quota, parse_trusted_proxies};
    c.rate_limits
        .set(LimitedAction::Comment, Quota::parse("3/h:3").unwrap());
    c.rate_limits.set(
        LimitedAction::GraphqlRequest,
        Quota::parse("40/h:40").unwrap(),
    );
    c.rate_limits.trusted_proxies = parse_trusted_proxies("127.0.0.1/32,::1").unwrap();
}

fn two_comments_a_day(c: &mut Config) {
    c.participation.comments_per_day = 2;
}

fn no_edit_window(c: &mut Config) {
    c.participation.edit_window = std::time::Duration::ZERO;
}

async fn a_registered_citizen_logs_in_and_sees_their_own_account(app: TestApp) -> TestApp {
    let body = register(&app, "  New.Person@Example.org ", "ม้าลายลายพาดกลอน").await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let me = &body["data"]["register"]["me"];
    assert_eq!(me["email"], "new.person@example.org");
    assert_eq!(me["emailVerified"], false);
    assert_eq!(me["role"], "CITIZEN");
    assert_eq!(me["respondentCategory"], "ACADEMIC");
    assert!(
        me["pseudonym"]
            .as_str()
            .unwrap()
            .starts_with("ผู้แสดงความคิดเห็น #")
    );

    // The password is stored as an argon2id hash, never as written.
    let db = app.db.connect().await;
    use sea_orm::{ConnectionTrait, Statement};
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT password_hash FROM accounts WHERE email = 'new.person@example.org'",
        ))
        .await
        .unwrap()
        .unwrap();
    let hash: String = row.try_get("", "password_hash").unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("ม้าลาย"));

    // A verification mail went out, with a link on the public URL.
    let mail = app.mailer.recent();
    let last = mail.last().unwrap();
    assert_eq!(last.to, "new.person@example.org");
    assert!(
        last.body.contains("http://rubfang.test/verify?token=rfe_"),
        "{}",
        last.body
    );

    let login = app
        .data(
            "mutation { login(email: \"NEW.PERSON@example.org\", password: \"ม้าลายลายพาดกลอน\") { token me { email } } }",
            json!({}),
        )
        .await;
    let token = login["login"]["token"].as_str().unwrap();
    assert!(token.starts_with("rfs_"));
    let me = app
        .data_as(token, "{ me { email displayName province } }", json!({}))
        .await;
    assert_eq!(me["me"]["email"], "new.person@example.org");
    assert_eq!(me["me"]["province"], "เชียงใหม่");
    // Anonymous: no account.
    assert_eq!(
        app.data("{ me { email } }", json!({})).await["me"],
        Value::Null
    );
    app
}

async fn registration_refuses_bad_input_naming_the_field_and_writes_nothing(
    app: TestApp,
) -> TestApp {
    let before = rows(&app, "accounts").await;
    for (email, password, field_name) in [
        ("not-an-email", "a-long-enough-password", "email"),
        ("a@example.org", "short", "password"),
        ("somebody@example.org", "somebody@example.org", "password"),
        ("x@example.org", "", "password"),
    ] {
        let body = register(&app, email, password).await;
        assert_eq!(codes(&body), ["VALIDATION"], "{email}: {body:#}");
        assert_eq!(field(&body), field_name, "{email}: {body:#}");
    }
    let body = app
        .gql(
            "mutation($i: RegisterInput!) { register(input: $i) { token } }",
            json!({ "i": {
                "email": "c@example.org", "password": "a-long-enough-password",
                "displayName": "C", "respondentCategory": "BUSINESS", "consentVersion": "1999-01-01",
            }}),
        )
        .await;
    assert_eq!(codes(&body), ["VALIDATION"]);
    assert_eq!(field(&body), "consentVersion");
    let body = app
        .gql(
            "mutation($i: RegisterInput!) { register(input: $i) { token } }",
            json!({ "i": {
                "email": "d@example.org", "password": "a-long-enough-password",
                "displayName": "   ", "respondentCategory": "BUSINESS",
                "consentVersion": rubfang_api::account::CONSENT_VERSION,
            }}),
        )
        .await;
    assert_eq!(field(&body), "displayName", "{body:#}");
    assert_eq!(rows(&app, "accounts").await, before);

    // The same address twice (in any case) is a conflict.
    let body = register(&app, "SOMCHAI@rubfang.example", "a-long-enough-password").await;
    assert_eq!(codes(&body), ["CONFLICT"], "{body:#}");
    assert_eq!(rows(&app, "accounts").await, before);
    app
}

async fn a_wrong_password_or_a_bad_token_is_refused_and_logout_ends_the_session(
    app: TestApp,
) -> TestApp {
    let body = app
        .gql(
            "mutation { login(email: \"somchai@rubfang.example\", password: \"wrong-password!\") { token } }",
            json!({}),
        )
        .await;
    assert_eq!(codes(&body), ["FORBIDDEN"]);
    let unknown = app
        .gql(
            "mutation { login(email: \"nobody@rubfang.example\", password: \"wrong-password!\") { token } }",
            json!({}),
        )
        .await;
    // The same answer whether or not the address has an account.
    assert_eq!(
        unknown["errors"][0]["message"],
        body["errors"][0]["message"]
    );

    let (status, body) = app
        .post_with(
            r#"{"query":"{ me { email } }"}"#,
            &[("authorization", "Bearer rfs_not-a-real-token")],
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(codes(&body), ["UNAUTHENTICATED"]);
    let (status, _) = app
        .post_with(
            r#"{"query":"{ me { email } }"}"#,
            &[("authorization", "Basic eDp5")],
        )
        .await;
    assert_eq!(status, 401);

    let token = app.login(SOMCHAI).await;
    assert_eq!(
        app.data_as(&token, "mutation { logout }", json!({})).await["logout"],
        true
    );
    let (status, _) = app
        .post_with(
            r#"{"query":"{ me { email } }"}"#,
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await;
    assert_eq!(status, 401, "a logged-out token no longer works");
    app
}

async fn the_session_cookie_works_only_on_json_requests(app: TestApp) -> TestApp {
    let res = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(
            json!({ "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
                "variables": { "e": SOMCHAI, "p": rubfang_api::demo::DEMO_PASSWORD } })
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("rubfang_session=rfs_"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_owned();

    let me = |content_type: &'static str| {
        let pair = pair.clone();
        let app = &app;
        async move {
            let res = app
                .client
                .post(app.url("/graphql"))
                .header("content-type", content_type)
                .header("cookie", pair)
                .body(r#"{"query":"{ me { email } }"}"#)
                .send()
                .await
                .unwrap();
            res.json::<Value>().await.unwrap()["data"]["me"].clone()
        }
    };
    assert_eq!(me("application/json").await["email"], SOMCHAI);
    // A cross-site form can only send text/plain or form encodings: no session for it.
    assert_eq!(me("text/plain").await, Value::Null);
    app
}

async fn a_password_reset_mail_sets_a_new_password_and_ends_old_sessions(app: TestApp) -> TestApp {
    let old = app.login(MALEE).await;
    for email in [MALEE, "nobody@rubfang.example"] {
        let data = app
            .data(
                "mutation($e: String!) { requestPasswordReset(email: $e) }",
                json!({ "e": email }),
            )
            .await;
        assert_eq!(
            data["requestPasswordReset"], true,
            "never tells which exist"
        );
    }
    let mail = app.mailer.recent();
    assert_eq!(
        mail.iter().filter(|m| m.subject.contains("Reset")).count(),
        1
    );
    let body = &mail.last().unwrap().body;
    let token = body
        .split_whitespace()
        .find(|w| w.starts_with("rfe_"))
        .unwrap()
        .to_owned();
    // The mailed link opens a form on the site; a weak password keeps the link usable.
    let (status, form) = app.get(&format!("/reset-password?token={token}")).await;
    assert_eq!(status, 200);
    assert!(form.contains(&format!("value=\"{token}\"")));
    let res = app
        .client
        .post(app.url("/reset-password"))
        .form(&[("token", token.as_str()), ("password", "short")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    assert!(res.text().await.unwrap().contains("at least 10"));
    let weak = app
        .gql(
            "mutation($t: String!) { resetPassword(token: $t, newPassword: \"short\") }",
            json!({ "t": token }),
        )
        .await;
    assert_eq!(field(&weak), "password");
    let done = app
        .data(
            "mutation($t: String!) { resetPassword(token: $t, newPassword: \"ต้นไม้ใหญ่ให้ร่มเงา\") }",
            json!({ "t": token }),
        )
        .await;
    assert_eq!(done["resetPassword"], true);
    let again = app
        .gql(
            "mutation($t: String!) { resetPassword(token: $t, newPassword: \"another-new-one\") }",
            json!({ "t": token }),
        )
        .await;
    assert_eq!(codes(&again), ["VALIDATION"], "a reset link works once");
    let (status, _) = app
        .post_with(
            r#"{"query":"{ me { email } }"}"#,
            &[("authorization", &format!("Bearer {old}"))],
        )
        .await;
    assert_eq!(status, 401, "old sessions end with the reset");
    let login = app
        .data(
            "mutation($e: String!) { login(email: $e, password: \"ต้นไม้ใหญ่ให้ร่มเงา\") { token } }",
            json!({ "e": MALEE }),
        )
        .await;
    assert!(login["login"]["token"].as_str().is_some());
    app
}

async fn commenting_waits_for_a_verified_email(app: TestApp) -> TestApp {
    let open = open_consultation(&app).await;
    let body = register(&app, "fresh@example.org", "a-long-enough-password").await;
    let token = body["data"]["register"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = post_comment(&app, &token, comment_input(&open, 0, "ความเห็น", None)).await;
    assert_eq!(codes(&refused), ["FORBIDDEN"]);
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("verify your e-mail")
    );
    let mail = app.mailer.recent();
    let verify = mail
        .iter()
        .rev()
        .find(|m| m.to == "fresh@example.org")
        .unwrap();
    // The link in the mail, on the site.
    let link = verify
        .body
        .split_whitespace()
        .find(|w| w.starts_with("http://rubfang.test/verify?token="))
        .unwrap();
    let path = link.trim_start_matches("http://rubfang.test");
    let (status, page) = app.get(path).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("ยืนยันอีเมลแล้ว"));
    let (status, _) = app.get(path).await;
    assert_eq!(status, 400, "a verification link works once");
    let me = app
        .data_as(&token, "{ me { emailVerified } }", json!({}))
        .await;
    assert_eq!(me["me"]["emailVerified"], true);
    let ok = post_comment(&app, &token, comment_input(&open, 0, "ความเห็น", None)).await;
    assert!(ok.get("errors").is_none(), "{ok:#}");
    app
}

async fn citizens_comment_on_sections_and_the_counts_follow(app: TestApp) -> TestApp {
    let open = open_consultation(&app).await;
    let somchai = app.login(SOMCHAI).await;
    let malee = app.login(MALEE).await;
    let section = &open.sections[5];
    let before = section_stats(&app, section).await;
    assert_eq!(
        before,
        json!({ "comments": 0, "agree": 0, "disagree": 0, "neutral": 0 })
    );

    let first = post_comment(
        &app,
        &somchai,
        comment_input(
            &open,
            5,
            "เห็นด้วย\n\nเพราะทางจักรยานช่วยลดอุบัติเหตุ",
            Some("AGREE"),
        ),
    )
    .await;
    let c = &first["data"]["postComment"];
    assert_eq!(c["stance"], "AGREE");
    assert_eq!(c["status"], "VISIBLE");
    assert_eq!(c["authorName"], "สมชาย ใจดี");
    assert_eq!(c["sectionId"], *section);
    assert_eq!(c["body"], "<p>เห็นด้วย</p><p>เพราะทางจักรยานช่วยลดอุบัติเหตุ</p>");
    post_comment(
        &app,
        &malee,
        comment_input(&open, 5, "ไม่เห็นด้วย", Some("DISAGREE")),
    )
    .await;
    post_comment(&app, &malee, comment_input(&open, 5, "ข้อสังเกตเพิ่มเติม", None)).await;

    assert_eq!(
        section_stats(&app, section).await,
        json!({ "comments": 3, "agree": 1, "disagree": 1, "neutral": 0 })
    );
    let list = app
        .data(
            "query($id: ID!) { section(id: $id) { comments(first: 2) { totalCount
                edges { node { body stance authorName } } pageInfo { hasNextPage } } } }",
            json!({ "id": section }),
        )
        .await;
    let comments = &list["section"]["comments"];
    assert_eq!(comments["totalCount"], 3);
    assert_eq!(comments["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        comments["edges"][0]["node"]["stance"], "AGREE",
        "oldest first"
    );

    // The draft as a whole, without a section.
    let whole = app
        .gql_as(
            &somchai,
            POST,
            json!({ "i": { "consultationId": open.consultation, "body": "ภาพรวมดี", "stance": "NEUTRAL" } }),
        )
        .await;
    assert_eq!(whole["data"]["postComment"]["sectionId"], Value::Null);

    // Bad input is refused naming the field, and nothing is written.
    let before = rows(&app, "comments").await;
    for (input, field_name) in [
        (comment_input(&open, 5, "   ", None), "body"),
        (
            comment_input(&open, 5, "<script>alert(1)</script>", None),
            "body",
        ),
        (comment_input(&open, 5, &"ก".repeat(10_001), None), "body"),
        (
            json!({ "i": { "consultationId": open.consultation, "sectionId": open.consultation, "body": "x" } }),
            "sectionId",
        ),
        (
            json!({ "i": { "consultationId": "garbage", "body": "x" } }),
            "consultationId",
        ),
    ] {
        let body = post_comment(&app, &somchai, input).await;
        assert_eq!(codes(&body), ["VALIDATION"], "{body:#}");
        assert_eq!(field(&body), field_name, "{body:#}");
    }
    let long = post_comment(
        &app,
        &somchai,
        comment_input(&open, 5, &"ก".repeat(10_001), None),
    )
    .await;
    assert!(
        long["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("10000"),
        "{long:#}"
    );
    // A section of another draft is not part of this consultation.
    let other = app
        .data(
            r#"{ draft(slug: "open-data-act") { currentVersion { sections(first: 1) { edges { node { id } } } } } }"#,
            json!({}),
        )
        .await;
    let foreign = other["draft"]["currentVersion"]["sections"]["edges"][0]["node"]["id"].clone();
    let body = post_comment(
        &app,
        &somchai,
        json!({ "i": { "consultationId": open.consultation, "sectionId": foreign, "body": "x" } }),
    )
    .await;
    assert_eq!(codes(&body), ["VALIDATION"]);
    assert_eq!(rows(&app, "comments").await, before);
    app
}

async fn comments_show_the_display_name_or_the_pseudonym_never_the_email(app: TestApp) -> TestApp {
    let open = open_consultation(&app).await;
    let body = app
        .gql(
            "mutation($i: RegisterInput!) { register(input: $i) { token me { pseudonym } } }",
            json!({ "i": {
                "email": "private.person@example.org", "password": "a-long-enough-password",
                "displayName": "ชื่อจริง นามสกุลจริง", "respondentCategory": "INDIVIDUAL",
                "showPseudonym": true, "consentVersion": rubfang_api::account::CONSENT_VERSION,
            }}),
        )
        .await;
    let token = body["data"]["register"]["token"].as_str().unwrap();
    let pseudonym = body["data"]["register"]["me"]["pseudonym"]
        .as_str()
        .unwrap();
    let posted = post_comment(&app, token, comment_input(&open, 1, "ความเห็นส่วนตัว", None)).await;
    let id = posted["data"]["postComment"]["id"].as_str().unwrap();
    let public = app
        .gql(
            "query($id: ID!) { comment(id: $id) { authorName isMine } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(public["data"]["comment"]["authorName"], pseudonym);
    assert_eq!(public["data"]["comment"]["isMine"], false);
    let text = public.to_string();
    assert!(
        !text.contains("private.person") && !text.contains("นามสกุลจริง"),
        "{text}"
    );
    // The schema has no way to ask for another account's e-mail.
    let probe = app
        .gql(
            "query($id: ID!) { comment(id: $id) { author { email } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(codes(&probe), ["GRAPHQL_VALIDATION_FAILED"]);
    app
}

async fn a_retried_comment_with_the_same_idempotency_key_is_stored_once(app: TestApp) -> TestApp {
    let open = open_consultation(&app).await;
    let token = app.login(SOMCHAI).await;
    let before = rows(&app, "comments").await;
    let mut input = comment_input(&open, 3, "ส่งซ้ำเพราะเน็ตหลุด", Some("AGREE"));
    input["i"]["idempotencyKey"] = json!("4a1f6c1e-retry-1");
    let first = post_comment(&app, &token, input.clone()).await;
    let again = post_comment(&app, &token, input.clone()).await;
    assert_eq!(
        first["data"]["postComment"]["id"],
        again["data"]["postComment"]["id"]
    );
    // Concurrent retries of another key still make one comment.
    let mut input2 = input.clone();
    input2["i"]["idempotencyKey"] = json!("4a1f6c1e-retry-2");
    let tries: Vec<_> = (0..8)
        .map(|_| {
            let app = &app;
            let token = token.clone();
            let input = input2.clone();
            async move { post_comment(app, &token, input).await }
        })
        .collect();
    let results = futures_util::future::join_all(tries).await;
    let ids: std::collections::HashSet<String> = results
        .iter()
        .map(|r| {
            r["data"]["postComment"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{r:#}"))
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1, "{results:#?}");
    assert_eq!(rows(&app, "comments").await, before + 2);

    // The same key for a different comment is a client bug: refused, nothing written.
    input["i"]["body"] = json!("ข้อความอื่น");
    let clash = post_comment(&app, &token, input).await;
    assert_eq!(codes(&clash), ["CONFLICT"]);
    assert_eq!(rows(&app, "comments").await, before + 2);
    app
}

async fn concurrent_comments_are_all_counted(app: TestApp) -> TestApp {
    let open = open_consultation(&app).await;
    let tokens = [app.login(SOMCHAI).await, app.login(MALEE).await];
    let section = open.sections[7].clone();
    let stances = ["AGREE", "DISAGREE", "NEUTRAL", "AGREE"];
    let posts: Vec<_> = (0..24)
        .map(|i| {
            let app = &app;
            let token = tokens[i % 2].clone();
            let input = comment_input(&open, 7, &format!("ความเห็นที่ {i}"), Some(stances[i % 4]));
            async move { post_comment(app, &token, input).await }
        })
        .collect();
    let results = futures_util::future::join_all(posts).await;
    for r in &results {
        assert!(r.get("errors").is_none(), "{r:#}");
    }
    assert_eq!(
        section_stats(&app, &section).await,
        json!({ "comments": 24, "agree": 12, "disagree": 6, "neutral": 6 })
    );
    app
}

async fn replies_nest_to_a_bounded_depth_and_agency_replies_are_official(app: TestApp) -> TestApp {
    let open = open_consultation(&app).await;
    let somchai = app.login(SOMCHAI).await;
    let staff = app.login(STAFF).await;
    let root = post_comment(
        &app,
        &somchai,
        comment_input(&open, 4, "คำถามถึงหน่วยงาน", None),
    )
    .await;
    let mut parent = root["data"]["postComment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let official = app
        .gql_as(
            &staff,
            REPLY,
            json!({ "i": { "commentId": parent, "body": "หน่วยงานขอชี้แจงว่า..." } }),
        )
        .await;
    let reply = &official["data"]["replyToComment"];
    assert_eq!(reply["isOfficial"], true);
    assert_eq!(reply["officialAgency"]["slug"], "otp");
    assert_eq!(reply["depth"], 1);
    // The author hears of it by mail.
    let notice = app.mailer.recent().pop().unwrap();
    assert_eq!(notice.to, SOMCHAI);
    assert!(notice.subject.contains("replied"), "{}", notice.subject);
    // A citizen's reply is not official.
    for depth in 1..=3 {
        let r = app
            .gql_as(
                &somchai,
                REPLY,
                json!({ "i": { "commentId": parent, "body": format!("ตอบกลับชั้น {depth}") } }),
            )
            .await;
        assert_eq!(r["data"]["replyToComment"]["depth"], depth, "{r:#}");
        assert_eq!(r["data"]["replyToComment"]["isOfficial"], false);
        parent = r["data"]["replyToComment"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    }
    let too_deep = app
        .gql_as(
            &somchai,
            REPLY,
            json!({ "i": { "commentId": parent, "body": "ลึกเกินไป" } }),
        )
        .await;
    assert_eq!(codes(&too_deep), ["VALIDATION"]);
    assert!(
        too_deep["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at most 3")
    );

    let thread = app
        .data(
            "query($id: ID!) { comment(id: $id) { replies { totalCount edges { node {
                isOfficial replies { totalCount } } } } } }",
            json!({ "id": root["data"]["postComment"]["id"] }),
        )
        .await;
    assert_eq!(thread["comment"]["replies"]["totalCount"], 2);
    app
}

async fn an_edit_keeps_the_earlier_text_and_a_withdrawal_keeps_the_record(app: TestApp) -> TestApp {
    let open = open_consultation(&app).await;
    let somchai = app.login(SOMCHAI).await;
    let malee = app.login(MALEE).await;
    let posted = post_comment(
        &app,
        &somchai,
        comment_input(&open, 6, "ร่างแรก", Some("AGREE")),
    )
    .await;
    let id = posted["data"]["postComment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    const EDIT: &str = "mutation($id: ID!, $b: String!, $s: Stance) {
        editComment(commentId: $id, body: $b, stance: $s) { body stance editedAt
            revisions { body stance } } }";
    let edited = app
        .data_as(
            &somchai,
            EDIT,
            json!({ "id": id, "b": "ฉบับแก้ไข", "s": "DISAGREE" }),
        )
        .await;
    let c = &edited["editComment"];
    assert_eq!(c["body"], "<p>ฉบับแก้ไข</p>");
    assert_eq!(c["stance"], "DISAGREE");
    assert!(c["editedAt"].is_string());
    assert_eq!(
        c["revisions"],
        json!([{ "body": "<p>ร่างแรก</p>", "stance": "AGREE" }])
    );
    let stats = section_stats(&app, &open.sections[6]).await;
    assert_eq!(
        (stats["agree"].clone(), stats["disagree"].clone()),
        (json!(0), json!(1))
    );
    // An edit that leaves the stance out keeps it.
    let kept = app
        .data_as(
            &somchai,
            "mutation($id: ID!) { editComment(commentId: $id, body: \"แก้คำผิด\") { stance } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(kept["editComment"]["stance"], "DISAGREE");
    // Earlier texts are for the author and the lead agency, not the public.
    const REVISIONS: &str = "query($id: ID!) { comment(id: $id) { revisions { body } } }";
    let public = app.data(REVISIONS, json!({ "id": id })).await;
    assert_eq!(public["comment"]["revisions"], Value::Null);
    let other = app.data_as(&malee, REVISIONS, json!({ "id": id })).await;
    assert_eq!(other["comment"]["revisions"], Value::Null);
    let staff = app
        .data_as(&app.login(STAFF).await, REVISIONS, json!({ "id": id }))
        .await;
    assert_eq!(staff["comment"]["revisions"].as_array().unwrap().len(), 2);

    // Only the author edits or withdraws.
    let theirs = app
        .gql_as(&malee, EDIT, json!({ "id": id, "b": "แก้ของคนอื่น" }))
        .await;
    assert_eq!(codes(&theirs), ["FORBIDDEN"]);
    const WITHDRAW: &str =
        "mutation($id: ID!) { withdrawComment(commentId: $id) { status body withdrawnAt } }";
    assert_eq!(
        codes(&app.gql_as(&malee, WITHDRAW, json!({ "id": id })).await),
        ["FORBIDDEN"]
    );
    let withdrawn = app.data_as(&somchai, WITHDRAW, json!({ "id": id })).await;
    assert_eq!(withdrawn["withdrawComment"]["status"], "WITHDRAWN");
    assert_eq!(withdrawn["withdrawComment"]["body"], Value::Null);
    // Still listed, as withdrawn; no longer counted.
    let list = app
        .data(
            "query($id: ID!) { section(id: $id) { comments { edges { node { status body } } }
                commentStats { comments disagree } } }",
            json!({ "id": open.sections[6] }),
        )
        .await;
    assert_eq!(
        list["section"]["comments"]["edges"],
        json!([{ "node": { "status": "WITHDRAWN", "body": null } }])
    );
    assert_eq!(
        list["section"]["commentStats"],
        json!({ "comments": 0, "disagree": 0 })
    );
    let again = app
        .gql_as(&somchai, EDIT, json!({ "id": id, "b": "อีกครั้ง" }))
        .await;
    assert_eq!(codes(&again), ["CONFLICT"]);
    app
}

async fn edits_after_the_window_are_refused(app: TestApp) -> TestApp {
    let open = open_consultation(&app).await;
    let token = app.login(SOMCHAI).await;
    let posted = post_comment(&app, &token, comment_input(&open, 0, "ข้อความ", None)).await;
    let id = posted["data"]["postComment"]["id"].clone();
    let body = app
        .gql_as(
            &token,
            "mutation($id: ID!) { editComment(commentId: $id, body: \"ช้าไป\") { body } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(codes(&body), ["FORBIDDEN"]);
    assert_eq!(rows(&app, "comment_revisions").await, 0);
    app
}

async fn hostile_markup_is_stored_inert(app: TestApp) -> TestApp {
    let open = open_consultation(&app).await;
    let token = app.login(SOMCHAI).await;
    for (payload, expected) in [
        (
            "<p onclick=\"alert(1)\">ดู <a href=\"javascript:alert(1)\">ลิงก์</a></p>",
            "<p>ดู <a rel=\"nofollow ugc noopener\">ลิงก์</a></p>",
        ),
        ("<img src=x onerror=alert(1)>ข้อความ", "ข้อความ"),
        (
            "<a href=\"https://www.krisdika.go.th/\">กฤษฎีกา</a>",
            "<a href=\"https://www.krisdika.go.th/\" rel=\"nofollow ugc noopener\">กฤษฎีกา</a>",
        ),
    ] {
        let body = post_comment(&app, &token, comment_input(&open, 2, payload, None)).await;
        assert_eq!(body["data"]["postComment"]["body"], expected, "{payload}");
    }
    app
}

async fn flagged_comments_reach_the_queue_and_hiding_is_public_without_the_text(
    app: TestApp,
) -> TestApp {
    let open = open_consultation(&app).await;
    let somchai = app.login(SOMCHAI).await;
    let malee = app.login(MALEE).await;
    let staff = app.login(STAFF).await;
    let other = app.login(OTHER_STAFF).await;
    let posted = post_comment(
        &app,
        &somchai,
        comment_input(&open, 8, "ข้อความที่มีเบอร์โทร 081-234-5678 ของคนอื่น", None),
    )
    .await;
    let id = posted["data"]["postComment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    const FLAG: &str =
        "mutation($id: ID!, $r: String!) { flagComment(commentId: $id, reason: $r) }";
    assert_eq!(
        app.data_as(&malee, FLAG, json!({ "id": id, "r": "มีข้อมูลส่วนบุคคล" }))
            .await["flagComment"],
        true
    );
    let twice = app
        .gql_as(&malee, FLAG, json!({ "id": id, "r": "ซ้ำ" }))
        .await;
    assert_eq!(codes(&twice), ["CONFLICT"]);
    assert_eq!(
        codes(&app.gql(FLAG, json!({ "id": id, "r": "x" })).await),
        ["UNAUTHENTICATED"]
    );

    const QUEUE: &str =
        "query($c: ID!) { moderationQueue(consultationId: $c) { flags reasons comment { id } } }";
    let queue = app
        .data_as(&staff, QUEUE, json!({ "c": open.consultation }))
        .await;
    assert_eq!(
        queue["moderationQueue"],
        json!([{ "flags": 1, "reasons": ["มีข้อมูลส่วนบุคคล"], "comment": { "id": id } }])
    );
    assert_eq!(
        codes(
            &app.gql_as(&other, QUEUE, json!({ "c": open.consultation }))
                .await
        ),
        ["FORBIDDEN"]
    );
    assert_eq!(
        codes(
            &app.gql_as(&malee, QUEUE, json!({ "c": open.consultation }))
                .await
        ),
        ["FORBIDDEN"]
    );

    const HIDE: &str = "mutation($id: ID!) { hideComment(commentId: $id, reason: PERSONAL_DATA, note: \"เบอร์โทรศัพท์\") { status body } }";
    assert_eq!(
        codes(&app.gql_as(&other, HIDE, json!({ "id": id })).await),
        ["FORBIDDEN"]
    );
    assert_eq!(
        codes(&app.gql_as(&somchai, HIDE, json!({ "id": id })).await),
        ["FORBIDDEN"]
    );
    let hidden = app.data_as(&staff, HIDE, json!({ "id": id })).await;
    assert_eq!(
        hidden["hideComment"],
        json!({ "status": "HIDDEN", "body": null })
    );

    // Gone from public lists and from node lookups; counted, with its reason, in the log.
    let public = app
        .data(
            "query($s: ID!, $c: ID!, $id: ID!) {
                section(id: $s) { comments { totalCount } commentStats { comments } }
                comment(id: $id) { id }
                consultation(id: $c) { moderationLog { hiddenCount hiddenByReason { reason count }
                    entries { totalCount edges { node { action reason } } } } } }",
            json!({ "s": open.sections[8], "c": open.consultation, "id": id }),
        )
        .await;
    assert_eq!(public["section"]["comments"]["totalCount"], 0);
    assert_eq!(public["section"]["commentStats"]["comments"], 0);
    assert_eq!(public["comment"], Value::Null);
    let log = &public["consultation"]["moderationLog"];
    assert_eq!(log["hiddenCount"], 1);
    assert_eq!(
        log["hiddenByReason"],
        json!([{ "reason": "PERSONAL_DATA", "count": 1 }])
    );
    assert_eq!(log["entries"]["totalCount"], 1);
    assert!(!public.to_string().contains("081-234-5678"));

    let unhide = app
        .data_as(
            &staff,
            "mutation($id: ID!) { unhideComment(commentId: $id, note: \"แก้ไขแล้ว\") { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(unhide["unhideComment"]["status"], "VISIBLE");
    let log = app
        .data(
            "query($c: ID!) { consultation(id: $c) { moderationLog { hiddenCount entries { edges { node { action } } } } } }",
            json!({ "c": open.consultation }),
        )
        .await;
    assert_eq!(log["consultation"]["moderationLog"]["hiddenCount"], 0);
    assert_eq!(
        log["consultation"]["moderationLog"]["entries"]["edges"],
        json!([{ "node": { "action": "RESTORE" } }, { "node": { "action": "HIDE" } }])
    );
    // OTHER needs a note.
    let no_note = app
        .gql_as(
            &staff,
            "mutation($id: ID!) { hideComment(commentId: $id, reason: OTHER) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(field(&no_note), "note");
    app
}

async fn questions_are_answered_once_and_counted_per_option(app: TestApp) -> TestApp {
    let open = open_consultation(&app).await;
    let staff = app.login(STAFF).await;
    let somchai = app.login(SOMCHAI).await;
    let malee = app.login(MALEE).await;
    const ASK: &str = "mutation($i: AskQuestionInput!) { askQuestion(input: $i) { id kind prompt sectionId options { id label answers } } }";
    let q = app
        .data_as(
            &staff,
            ASK,
            json!({ "i": { "consultationId": open.consultation, "sectionId": open.sections[3],
                "kind": "MULTIPLE_CHOICE", "prompt": "ควรมีที่จอดจักรยานที่ใดบ้าง",
                "options": ["สถานีรถไฟฟ้า", "โรงเรียน", "ตลาด"] } }),
        )
        .await;
    let q = &q["askQuestion"];
    let qid = q["id"].as_str().unwrap().to_owned();
    let opts: Vec<String> = q["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(opts.len(), 3);
    let bad_ask = app
        .gql_as(
            &staff,
            ASK,
            json!({ "i": { "consultationId": open.consultation, "kind": "SINGLE_CHOICE",
                "prompt": "ข้อเดียว", "options": ["ก"] } }),
        )
        .await;
    assert_eq!(field(&bad_ask), "options");

    const ANSWER: &str = "mutation($i: AnswerQuestionInput!) { answerQuestion(input: $i) { optionIds question { answerCount } } }";
    app.data_as(
        &somchai,
        ANSWER,
        json!({ "i": { "questionId": qid, "optionIds": [opts[0], opts[1]], "idempotencyKey": "ans-1" } }),
    )
    .await;
    // A retry with the same key returns the first answer; without it, answering again is refused.
    let retry = app
        .data_as(
            &somchai,
            ANSWER,
            json!({ "i": { "questionId": qid, "optionIds": [opts[0], opts[1]], "idempotencyKey": "ans-1" } }),
        )
        .await;
    assert_eq!(retry["answerQuestion"]["question"]["answerCount"], 1);
    let again = app
        .gql_as(
            &somchai,
            ANSWER,
            json!({ "i": { "questionId": qid, "optionIds": [opts[2]] } }),
        )
        .await;
    assert_eq!(codes(&again), ["CONFLICT"]);
    let none = app
        .gql_as(
            &malee,
            ANSWER,
            json!({ "i": { "questionId": qid, "optionIds": [] } }),
        )
        .await;
    assert_eq!(field(&none), "options");
    let foreign = app
        .gql_as(
            &malee,
            ANSWER,
            json!({ "i": { "questionId": qid, "optionIds": [qid] } }),
        )
        .await;
    assert_eq!(field(&foreign), "optionIds");
    app.data_as(
        &malee,
        ANSWER,
        json!({ "i": { "questionId": qid, "optionIds": [opts[0]] } }),
    )
    .await;

    let counts = app
        .data(
            "query($s: ID!) { section(id: $s) { questions { answerCount options { label answers } } } }",
            json!({ "s": open.sections[3] }),
        )
        .await;
    assert_eq!(
        counts["section"]["questions"],
        json!([{ "answerCount": 2, "options": [
            { "label": "สถานีรถไฟฟ้า", "answers": 2 },
            { "label": "โรงเรียน", "answers": 1 },
            { "label": "ตลาด", "answers": 0 } ] }])
    );

    // The demo's stance question on the whole draft, and a free-text one.
    let whole = app
        .data(
            "query($c: ID!) { consultation(id: $c) { questions(wholeDraftOnly: true) { id kind options { id label } } } }",
            json!({ "c": open.consultation }),
        )
        .await;
    let stance = &whole["consultation"]["questions"][0];
    assert_eq!(stance["kind"], "STANCE");
    assert_eq!(stance["options"][0]["label"], "เห็นด้วย");
    let two = app
        .gql_as(
            &malee,
            ANSWER,
            json!({ "i": { "questionId": stance["id"], "optionIds": [stance["options"][0]["id"], stance["options"][1]["id"]] } }),
        )
        .await;
    assert_eq!(field(&two), "options", "a stance takes exactly one option");
    let free = app
        .data_as(
            &staff,
            ASK,
            json!({ "i": { "consultationId": open.consultation, "kind": "FREE_TEXT", "prompt": "ข้อเสนอแนะอื่น" } }),
        )
        .await;
    let fid = free["askQuestion"]["id"].clone();
    let text = app
        .data_as(
            &malee,
            "mutation($i: AnswerQuestionInput!) { answerQuestion(input: $i) { text } }",
            json!({ "i": { "questionId": fid, "text": "ควรมี<script>x</script>ทางจักรยานในชนบท" } }),
        )
        .await;
    assert_eq!(text["answerQuestion"]["text"], "ควรมีทางจักรยานในชนบท");
    app
}

async fn an_agency_publishes_a_draft_and_runs_its_consultation(app: TestApp) -> TestApp {
    let staff = app.login(STAFF).await;
    let somchai = app.login(SOMCHAI).await;
    let text = "ร่าง\nพระราชบัญญัติ\nทดสอบการรับฟัง\nพ.ศ. ....\n\nหมวด ๑\nบททั่วไป\n\nมาตรา ๑ พระราชบัญญัตินี้เรียกว่า \"พระราชบัญญัติทดสอบการรับฟัง พ.ศ. ....\"\n\nมาตรา ๒ พระราชบัญญัตินี้ให้ใช้บังคับตั้งแต่วันถัดจากวันประกาศในราชกิจจานุเบกษาเป็นต้นไป\n\nหมวด ๒\nการรับฟัง\n\nมาตรา ๓ ให้หน่วยงานรับฟังความคิดเห็นอย่างเปิดเผย\n";
    let before_drafts = rows(&app, "drafts").await;
    let preview = app
        .data_as(
            &staff,
            "mutation($t: String!) { previewDraft(text: $t) { title kind isDraft headings { level title }
                sections { label headingPath } } }",
            json!({ "t": text }),
        )
        .await;
    let p = &preview["previewDraft"];
    assert_eq!(p["kind"], "ACT");
    assert_eq!(p["isDraft"], true);
    assert_eq!(p["sections"].as_array().unwrap().len(), 3);
    assert_eq!(
        p["sections"][2],
        json!({ "label": "๓", "headingPath": ["การรับฟัง"] })
    );
    assert_eq!(
        rows(&app, "drafts").await,
        before_drafts,
        "a preview saves nothing"
    );
    let bad = app
        .gql_as(
            &staff,
            "mutation { previewDraft(text: \"ไม่มีมาตราเลย\") { title } }",
            json!({}),
        )
        .await;
    assert_eq!(field(&bad), "text");

    let created = app
        .data_as(
            &staff,
            "mutation($i: CreateDraftInput!) { createDraft(input: $i) { id slug leadAgency { slug }
                currentVersion { number sections { totalCount } } } }",
            json!({ "i": { "text": text, "slug": "listening-test-act" } }),
        )
        .await;
    let d = &created["createDraft"];
    assert_eq!(
        d["leadAgency"]["slug"], "otp",
        "defaults to the viewer's agency"
    );
    assert_eq!(d["currentVersion"]["sections"]["totalCount"], 3);
    let draft_id = d["id"].as_str().unwrap().to_owned();

    let v2 = app
        .data_as(
            &staff,
            "mutation($d: ID!, $t: String!) { publishVersion(draftId: $d, text: $t, changeNote: \"เพิ่มมาตรา ๔\") { number changeNote } }",
            json!({ "d": draft_id, "t": format!("{text}\nมาตรา ๔ ให้รัฐมนตรีรักษาการตามพระราชบัญญัตินี้\n") }),
        )
        .await;
    assert_eq!(v2["publishVersion"]["number"], 2);

    // Opening: today at the earliest; under the floor only with a public reason.
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
        .date_naive();
    const OPEN: &str = "mutation($i: OpenConsultationInput!) { openConsultation(input: $i) {
        id isOpen lengthDays isShorterThanPolicy shorterThanPolicyReason version { number } } }";
    let open_input = |first: chrono::NaiveDate, last: chrono::NaiveDate, reason: Option<&str>| {
        json!({ "i": { "draftId": draft_id, "kind": "DRAFT", "firstDay": first.to_string(),
            "lastDay": last.to_string(), "shorterThanPolicyReason": reason } })
    };
    let days = chrono::Duration::days;
    let consultations_before = rows(&app, "consultations").await;
    let past = app
        .gql_as(
            &staff,
            OPEN,
            open_input(today - days(1), today + days(20), None),
        )
        .await;
    assert_eq!(field(&past), "firstDay");
    let short = app
        .gql_as(&staff, OPEN, open_input(today, today + days(6), None))
        .await;
    assert_eq!(field(&short), "shorterThanPolicyReason");
    assert_eq!(rows(&app, "consultations").await, consultations_before);
    let opened = app
        .data_as(
            &staff,
            OPEN,
            open_input(
                today,
                today + days(6),
                Some("ร่างนี้ต้องเสนอคณะรัฐมนตรีภายในเดือนนี้ตามมติ"),
            ),
        )
        .await;
    let c = &opened["openConsultation"];
    assert_eq!(c["isOpen"], true);
    assert_eq!(c["lengthDays"], 7);
    assert_eq!(c["isShorterThanPolicy"], true);
    assert_eq!(c["version"]["number"], 2);
    let cid = c["id"].as_str().unwrap().to_owned();
    let overlap = app
        .gql_as(
            &staff,
            OPEN,
            open_input(today + days(3), today + days(30), None),
        )
        .await;
    assert_eq!(codes(&overlap), ["CONFLICT"]);

    const EXTEND: &str = "mutation($id: ID!, $d: NaiveDate!, $r: String!) { extendConsultation(id: $id, lastDay: $d, reason: $r) { lastDay lengthDays } }";
    let short_reason = app
        .gql_as(
            &staff,
            EXTEND,
            json!({ "id": cid, "d": (today + days(14)).to_string(), "r": "สั้น" }),
        )
        .await;
    assert_eq!(field(&short_reason), "reason");
    let earlier = app
        .gql_as(&staff, EXTEND, json!({ "id": cid, "d": (today + days(2)).to_string(), "r": "ขยายเวลาตามคำขอของภาคประชาชน" }))
        .await;
    assert_eq!(field(&earlier), "lastDay");
    let extended = app
        .data_as(&staff, EXTEND, json!({ "id": cid, "d": (today + days(14)).to_string(), "r": "ขยายเวลาตามคำขอของภาคประชาชน" }))
        .await;
    assert_eq!(extended["extendConsultation"]["lengthDays"], 15);

    // Comments are taken on the consulted version's sections.
    let sections = app
        .data(
            "query($id: ID!) { consultation(id: $id) { version { sections(first: 5) { edges { node { id } } } } } }",
            json!({ "id": cid }),
        )
        .await;
    let s = sections["consultation"]["version"]["sections"]["edges"][3]["node"]["id"].clone();
    let ok = app
        .gql_as(
            &somchai,
            POST,
            json!({ "i": { "consultationId": cid, "sectionId": s, "body": "เห็นด้วยกับมาตรา ๔" } }),
        )
        .await;
    assert!(ok.get("errors").is_none(), "{ok:#}");

    const CLOSE: &str = "mutation($id: ID!, $r: String!) { closeConsultation(id: $id, reason: $r) { isOpen status daysRemaining
        changes { kind reason } } }";
    let closed = app
        .data_as(
            &staff,
            CLOSE,
            json!({ "id": cid, "r": "ได้รับความเห็นครบถ้วนแล้วจากทุกภาคส่วน" }),
        )
        .await;
    let c = &closed["closeConsultation"];
    assert_eq!(c["isOpen"], false);
    assert_eq!(c["status"], "CLOSED");
    assert_eq!(c["daysRemaining"], 0);
    assert_eq!(
        c["changes"],
        json!([
            { "kind": "EXTENDED", "reason": "ขยายเวลาตามคำขอของภาคประชาชน" },
            { "kind": "CLOSED_EARLY", "reason": "ได้รับความเห็นครบถ้วนแล้วจากทุกภาคส่วน" },
        ])
    );
    let late = app
        .gql_as(
            &somchai,
            POST,
            json!({ "i": { "consultationId": cid, "sectionId": s, "body": "ช้าไป" } }),
        )
        .await;
    assert_eq!(codes(&late), ["CONSULTATION_CLOSED"]);
    let twice = app
        .gql_as(&staff, CLOSE, json!({ "id": cid, "r": "ปิดซ้ำอีกครั้งหนึ่ง" }))
        .await;
    assert_eq!(codes(&twice), ["CONSULTATION_CLOSED"]);
    app
}

/// Moves a consultation's closing instant (as the clock would), straight in the database.
async fn set_closes_at(
    app: &TestApp,
    consultation: &str,
    closes_at: chrono::DateTime<chrono::Utc>,
) {
    use rubfang_api::consultation::entity;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
    let (_, id) = rubfang_api::graphql::relay::decode_global_id(consultation, "id").unwrap();
    let db = app.db.connect().await;
    let row = entity::Entity::find_by_id(id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let mut row: entity::ActiveModel = row.into();
    row.closes_at = Set(closes_at);
    row.update(&db).await.unwrap();
}

async fn comment_after_deadline_is_rejected_with_consultation_closed(app: TestApp) -> TestApp {
    let open = open_consultation(&app).await;
    let token = app.login(SOMCHAI).await;
    let posted = post_comment(
        &app,
        &token,
        comment_input(&open, 0, "ทันเวลา", Some("AGREE")),
    )
    .await;
    let id = posted["data"]["postComment"]["id"].clone();
    // Closing two seconds from now; one second after that, nothing is accepted.
    let closes_at = chrono::Utc::now() + chrono::Duration::seconds(2);
    set_closes_at(&app, &open.consultation, closes_at).await;
    let mut keyed = comment_input(&open, 0, "ก่อนปิด", None);
    keyed["i"]["idempotencyKey"] = json!("just-in-time");
    let just_in = post_comment(&app, &token, keyed.clone()).await;
    assert!(just_in.get("errors").is_none(), "{just_in:#}");
    let wait = (closes_at + chrono::Duration::seconds(1) - chrono::Utc::now())
        .to_std()
        .unwrap_or_default();
    tokio::time::sleep(wait).await;

    let before = rows(&app, "comments").await;
    let late = post_comment(
        &app,
        &token,
        comment_input(&open, 0, "หลังปิด", Some("AGREE")),
    )
    .await;
    assert_eq!(codes(&late), ["CONSULTATION_CLOSED"], "{late:#}");
    // A retry of what was accepted in time still gets its comment back, not an error.
    let retry = post_comment(&app, &token, keyed).await;
    assert_eq!(
        retry["data"]["postComment"]["id"],
        just_in["data"]["postComment"]["id"]
    );
    insta::assert_json_snapshot!("consultation_closed_error", late);
    // What was accepted is never altered: no edits, no withdrawals, no replies, no answers.
    let edit = app
        .gql_as(
            &token,
            "mutation($id: ID!) { editComment(commentId: $id, body: \"แก้\") { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(codes(&edit), ["CONSULTATION_CLOSED"]);
    let withdraw = app
        .gql_as(
            &token,
            "mutation($id: ID!) { withdrawComment(commentId: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(codes(&withdraw), ["CONSULTATION_CLOSED"]);
    let reply = app
        .gql_as(
            &token,
            REPLY,
            json!({ "i": { "commentId": id, "body": "ตอบ" } }),
        )
        .await;
    assert_eq!(codes(&reply), ["CONSULTATION_CLOSED"]);
    let q = app
        .data(
            "query($c: ID!) { consultation(id: $c) { isOpen questions { id options { id } } } }",
            json!({ "c": open.consultation }),
        )
        .await;
    assert_eq!(q["consultation"]["isOpen"], false);
    let question = &q["consultation"]["questions"][0];
    let answer = app
        .gql_as(
            &token,
            "mutation($i: AnswerQuestionInput!) { answerQuestion(input: $i) { text } }",
            json!({ "i": { "questionId": question["id"], "optionIds": [question["options"][0]["id"]] } }),
        )
        .await;
    assert_eq!(codes(&answer), ["CONSULTATION_CLOSED"]);
    assert_eq!(rows(&app, "comments").await, before);
    assert_eq!(rows(&app, "comment_revisions").await, 0);
    assert_eq!(rows(&app, "answers").await, 0);
    app
}

/// One refused write: who, what, and the code expected.
struct Refusal {
    who: Option<&'static str>,
    query: String,
    variables: Value,
    code: &'static str,
}

async fn every_mutation_refuses_the_roles_that_must_not_use_it(app: TestApp) -> TestApp {
    let open = open_consultation(&app).await;
    let somchai = app.login(SOMCHAI).await;
    let mine = post_comment(&app, &somchai, comment_input(&open, 0, "ของสมชาย", None)).await;
    let comment = mine["data"]["postComment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let draft = app
        .data(r#"{ draft(slug: "cycling-act") { id } }"#, json!({}))
        .await["draft"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let question = app
        .data(
            "query($c: ID!) { consultation(id: $c) { questions { id options { id } } } }",
            json!({ "c": open.consultation }),
        )
        .await["consultation"]["questions"][0]
        .clone();
    let text = "ร่าง\nพระราชบัญญัติ\nทดสอบสิทธิ์\nพ.ศ. ....\n\nมาตรา ๑ พระราชบัญญัตินี้เรียกว่า ทดสอบ\n";
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
        .date_naive();
    let future = (today + chrono::Duration::days(40)).to_string();
    let later = (today + chrono::Duration::days(60)).to_string();
    let r = |who, query: &str, variables: Value, code| Refusal {
        who,
        query: query.to_owned(),
        variables,
        code,
    };
    let create = "mutation($i: CreateDraftInput!) { createDraft(input: $i) { id } }";
    let open_c = "mutation($i: OpenConsultationInput!) { openConsultation(input: $i) { id } }";
    let close =
        "mutation($id: ID!) { closeConsultation(id: $id, reason: \"ปิดโดยไม่มีสิทธิ์เลย\") { id } }";
    let extend = "mutation($id: ID!, $d: NaiveDate!) { extendConsultation(id: $id, lastDay: $d, reason: \"ขยายโดยไม่มีสิทธิ์\") { id } }";
    let ask = "mutation($i: AskQuestionInput!) { askQuestion(input: $i) { id } }";
    let publish = "mutation($d: ID!, $t: String!) { publishVersion(draftId: $d, text: $t) { id } }";
    let hide = "mutation($id: ID!) { hideComment(commentId: $id, reason: SPAM) { id } }";
    let unhide = "mutation($id: ID!) { unhideComment(commentId: $id, note: \"x\") { id } }";
    let grant = "mutation { grantRole(email: \"malee@rubfang.example\", role: AGENCY_ADMIN, agency: \"otp\") { role } }";
    let answer = "mutation($i: AnswerQuestionInput!) { answerQuestion(input: $i) { text } }";
    let open_vars =
        json!({ "i": { "draftId": draft, "kind": "DRAFT", "firstDay": future, "lastDay": later } });
    let ask_vars = json!({ "i": { "consultationId": open.consultation, "kind": "FREE_TEXT", "prompt": "คำถามที่ไม่มีสิทธิ์" } });
    let cases = vec![
        // Anonymous: nothing that writes.
        r(
            None,
            POST,
            comment_input(&open, 0, "ไม่ระบุตัวตน", None),
            "UNAUTHENTICATED",
        ),
        r(
            None,
            REPLY,
            json!({ "i": { "commentId": comment, "body": "x" } }),
            "UNAUTHENTICATED",
        ),
        r(
            None,
            answer,
            json!({ "i": { "questionId": question["id"], "optionIds": [question["options"][0]["id"]] } }),
            "UNAUTHENTICATED",
        ),
        r(
            None,
            "mutation($id: ID!) { flagComment(commentId: $id, reason: \"x\") }",
            json!({ "id": comment }),
            "UNAUTHENTICATED",
        ),
        r(
            None,
            create,
            json!({ "i": { "text": text, "agency": "otp" } }),
            "UNAUTHENTICATED",
        ),
        r(None, open_c, open_vars.clone(), "UNAUTHENTICATED"),
        r(
            None,
            close,
            json!({ "id": open.consultation }),
            "UNAUTHENTICATED",
        ),
        r(None, hide, json!({ "id": comment }), "UNAUTHENTICATED"),
        r(
            None,
            "mutation { createApiKey(name: \"k\") { key } }",
            json!({}),
            "UNAUTHENTICATED",
        ),
        r(None, grant, json!({}), "UNAUTHENTICATED"),
        r(None, "mutation { logout }", json!({}), "UNAUTHENTICATED"),
        // A citizen: no agency work.
        r(
            Some(SOMCHAI),
            create,
            json!({ "i": { "text": text, "agency": "otp" } }),
            "FORBIDDEN",
        ),
        r(
            Some(SOMCHAI),
            "mutation($t: String!) { previewDraft(text: $t) { title } }",
            json!({ "t": text }),
            "FORBIDDEN",
        ),
        r(
            Some(SOMCHAI),
            publish,
            json!({ "d": draft, "t": text }),
            "FORBIDDEN",
        ),
        r(Some(SOMCHAI), open_c, open_vars.clone(), "FORBIDDEN"),
        r(
            Some(SOMCHAI),
            extend,
            json!({ "id": open.consultation, "d": later }),
            "FORBIDDEN",
        ),
        r(
            Some(SOMCHAI),
            close,
            json!({ "id": open.consultation }),
            "FORBIDDEN",
        ),
        r(Some(SOMCHAI), ask, ask_vars.clone(), "FORBIDDEN"),
        r(Some(SOMCHAI), hide, json!({ "id": comment }), "FORBIDDEN"),
        r(Some(SOMCHAI), unhide, json!({ "id": comment }), "FORBIDDEN"),
        r(Some(SOMCHAI), grant, json!({}), "FORBIDDEN"),
        // Staff of another agency: not on this draft.
        r(
            Some(OTHER_STAFF),
            create,
            json!({ "i": { "text": text, "agency": "otp" } }),
            "FORBIDDEN",
        ),
        r(
            Some(OTHER_STAFF),
            publish,
            json!({ "d": draft, "t": text }),
            "FORBIDDEN",
        ),
        r(Some(OTHER_STAFF), open_c, open_vars.clone(), "FORBIDDEN"),
        r(
            Some(OTHER_STAFF),
            extend,
            json!({ "id": open.consultation, "d": later }),
            "FORBIDDEN",
        ),
        r(
            Some(OTHER_STAFF),
            close,
            json!({ "id": open.consultation }),
            "FORBIDDEN",
        ),
        r(Some(OTHER_STAFF), ask, ask_vars.clone(), "FORBIDDEN"),
        r(
            Some(OTHER_STAFF),
            hide,
            json!({ "id": comment }),
            "FORBIDDEN",
        ),
        r(Some(OTHER_STAFF), grant, json!({}), "FORBIDDEN"),
        // Staff (not admin) of the lead agency: cannot grant roles; cannot edit a citizen's words.
        r(Some(STAFF), grant, json!({}), "FORBIDDEN"),
        r(
            Some(STAFF),
            "mutation($id: ID!) { editComment(commentId: $id, body: \"แก้\") { id } }",
            json!({ "id": comment }),
            "FORBIDDEN",
        ),
        r(
            Some(STAFF),
            "mutation($id: ID!) { withdrawComment(commentId: $id) { id } }",
            json!({ "id": comment }),
            "FORBIDDEN",
        ),
    ];
    let tables = [
        "drafts",
        "draft_versions",
        "consultations",
        "consultation_changes",
        "comments",
        "comment_revisions",
        "comment_flags",
        "moderation_actions",
        "questions",
        "answers",
        "api_keys",
    ];
    let mut before = Vec::new();
    for t in tables {
        before.push(rows(&app, t).await);
    }
    let roles_before = app
        .data_as(&app.login(MALEE).await, "{ me { role } }", json!({}))
        .await;
    let mut tokens = std::collections::HashMap::new();
    for case in &cases {
        let body = match case.who {
            None => app.gql(&case.query, case.variables.clone()).await,
            Some(email) => {
                if !tokens.contains_key(email) {
                    tokens.insert(email, app.login(email).await);
                }
                app.gql_as(&tokens[email], &case.query, case.variables.clone())
                    .await
            }
        };
        assert_eq!(
            codes(&body),
            [case.code],
            "{:?} running {}: {body:#}",
            case.who,
            case.query
        );
    }
    for (t, n) in tables.iter().zip(before) {
        assert_eq!(rows(&app, t).await, n, "{t} changed");
    }
    let roles_after = app
        .data_as(&app.login(MALEE).await, "{ me { role } }", json!({}))
        .await;
    assert_eq!(roles_before, roles_after);
    // The platform admin may grant; the new agency admin may then act for the agency.
    let granted = app.data_as(&app.login(ADMIN).await, grant, json!({})).await;
    assert_eq!(granted["grantRole"]["role"], "AGENCY_ADMIN");
    app
}

async fn api_keys_read_but_never_write(app: TestApp) -> TestApp {
    let token = app.login(MALEE).await;
    let created = app
        .data_as(
            &token,
            "mutation { createApiKey(name: \"งานวิจัย\") { key apiKey { id name prefix } } }",
            json!({}),
        )
        .await;
    let key = created["createApiKey"]["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("rfk_"));
    assert!(
        key.starts_with(
            created["createApiKey"]["apiKey"]["prefix"]
                .as_str()
                .unwrap()
        )
    );
    let listed = app
        .data_as(&token, "{ me { apiKeys { name revokedAt } } }", json!({}))
        .await;
    assert_eq!(
        listed["me"]["apiKeys"],
        json!([{ "name": "งานวิจัย", "revokedAt": null }])
    );
    assert!(
        !listed.to_string().contains(&key),
        "the key is shown once only"
    );

    let read = app
        .data_as(
            &key,
            r#"{ draft(slug: "cycling-act") { title } }"#,
            json!({}),
        )
        .await;
    assert!(read["draft"]["title"].is_string());
    let open = open_consultation(&app).await;
    let write = post_comment(&app, &key, comment_input(&open, 0, "ด้วยคีย์", None)).await;
    assert_eq!(codes(&write), ["FORBIDDEN"]);
    for query in [
        "mutation { createApiKey(name: \"อีกอัน\") { key } }",
        "mutation { resendVerification }",
    ] {
        let body = app.gql_as(&key, query, json!({})).await;
        assert_eq!(codes(&body), ["FORBIDDEN"], "{query}");
    }

    app.data_as(
        &token,
        "mutation($id: ID!) { revokeApiKey(id: $id) }",
        json!({ "id": created["createApiKey"]["apiKey"]["id"] }),
    )
    .await;
    let (status, body) = app
        .post_with(
            r#"{"query":"{ me { email } }"}"#,
            &[("authorization", &format!("Bearer {key}"))],
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(codes(&body), ["UNAUTHENTICATED"]);
    app
}

async fn participants_are_counted_by_respondent_category(app: TestApp) -> TestApp {
    let open = open_consultation(&app).await;
    let somchai = app.login(SOMCHAI).await;
    post_comment(
        &app,
        &somchai,
        comment_input(&open, 0, "อีกหนึ่งความเห็น", None),
    )
    .await;
    let data = app
        .data(
            "query($c: ID!) { consultation(id: $c) { participantsByCategory { category participants }
                commentStats { comments agree disagree neutral } } }",
            json!({ "c": open.consultation }),
        )
        .await;
    let mut by: Vec<(String, u64)> = data["consultation"]["participantsByCategory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["category"].as_str().unwrap().to_owned(),
                c["participants"].as_u64().unwrap(),
            )
        })
        .collect();
    by.sort();
    // The demo: สมชาย (individual) and มาลี (civil society); the agency's reply is not counted.
    assert_eq!(
        by,
        [
            ("CIVIL_SOCIETY".to_owned(), 1),
            ("INDIVIDUAL".to_owned(), 1)
        ]
    );
    assert_eq!(
        data["consultation"]["commentStats"],
        json!({ "comments": 5, "agree": 2, "disagree": 1, "neutral": 0 })
    );
    app
}

async fn a_flooded_address_gets_exactly_its_quota_while_another_is_served(app: TestApp) -> TestApp {
    let open = open_consultation(&app).await;
    let somchai = app.login(SOMCHAI).await;
    let malee = app.login(MALEE).await;
    let post_from = |token: String, address: &'static str, n: usize| {
        let app = &app;
        let input = comment_input(&open, 0, &format!("ความเห็นจำนวนมาก {n}"), None);
        async move {
            let (status, body) = app
                .post_with(
                    &json!({ "query": POST, "variables": input }).to_string(),
                    &[
                        ("authorization", &format!("Bearer {token}")),
                        ("x-forwarded-for", address),
                    ],
                )
                .await;
            (status, body)
        }
    };
    let mut accepted = 0;
    let mut limited = 0;
    for n in 0..10 {
        let (status, body) = post_from(somchai.clone(), "203.0.113.7", n).await;
        assert_eq!(status, 200);
        if body.get("errors").is_none() {
            accepted += 1;
        } else {
            assert_eq!(codes(&body), ["RATE_LIMITED"], "{body:#}");
            assert!(
                body["errors"][0]["extensions"]["retryAfter"]
                    .as_u64()
                    .unwrap()
                    >= 1
            );
            limited += 1;
        }
    }
    assert_eq!(
        (accepted, limited),
        (3, 7),
        "exactly the quota of 3 is accepted"
    );
    // Another address (and account) is served normally.
    let (_, other) = post_from(malee.clone(), "2001:db8:1::5", 99).await;
    assert!(other.get("errors").is_none(), "{other:#}");
    // A spoofed leftmost entry does not buy a fresh budget: the proxy-written one counts, so
    // even an account with budget left is refused from the flooded address.
    let (_, spoofed) = post_from(malee.clone(), "198.51.100.1, 203.0.113.7", 100).await;
    assert_eq!(codes(&spoofed), ["RATE_LIMITED"]);

    // Whole requests over the per-address quota get HTTP 429 with Retry-After.
    let mut statuses = Vec::new();
    for _ in 0..45 {
        let res = app
            .client
            .post(app.url("/graphql"))
            .header("content-type", "application/json")
            .header("x-forwarded-for", "192.0.2.44")
            .body(r#"{"query":"{ agencies { totalCount } }"}"#)
            .send()
            .await
            .unwrap();
        statuses.push((
            res.status().as_u16(),
            res.headers().get("retry-after").is_some(),
        ));
    }
    assert_eq!(statuses.iter().filter(|(s, _)| *s == 200).count(), 40);
    assert!(
        statuses[40..].iter().all(|&(s, retry)| s == 429 && retry),
        "{statuses:?}"
    );
    app
}

async fn every_operation_of_a_batch_counts_against_the_quota(app: TestApp) -> TestApp {
    let open = open_consultation(&app).await;
    let token = app.login(SOMCHAI).await;
    let batch: Vec<Value> = (0..5)
        .map(|n| json!({ "query": POST, "variables": comment_input(&open, 1, &format!("ชุด {n}"), None) }))
        .collect();
    let (status, body) = app
        .post_with(
            &Value::Array(batch).to_string(),
            &[
                ("authorization", &format!("Bearer {token}")),
                ("x-forwarded-for", "203.0.113.9"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let results = body.as_array().unwrap();
    let accepted = results.iter().filter(|r| r.get("errors").is_none()).count();
    assert_eq!(
        accepted, 3,
        "a batch of 5 gets the quota of 3, not 5: {body:#}"
    );
    assert!(results[3..].iter().all(|r| codes(r) == ["RATE_LIMITED"]));

    // Batches spend the per-address request quota per operation too: 40 allowed, 8×5 used.
    let small = |n: usize| {
        Value::Array(
            (0..n)
                .map(|_| json!({ "query": "{ agencies { totalCount } }" }))
                .collect(),
        )
        .to_string()
    };
    // The batch above spent 5 of the address's 40 operations, not 1.
    let mut used = 5;
    while used + 5 <= 40 {
        let (status, _) = app
            .post_with(&small(5), &[("x-forwarded-for", "203.0.113.9")])
            .await;
        assert_eq!(status, 200);
        used += 5;
    }
    let (status, _) = app
        .post_with(&small(5), &[("x-forwarded-for", "203.0.113.9")])
        .await;
    assert_eq!(status, 429, "{used} operations used of 40");
    app
}

async fn the_daily_quota_holds_in_the_database(app: TestApp) -> TestApp {
    let open = open_consultation(&app).await;
    let token = app.login(SOMCHAI).await;
    // The demo already has one comment by สมชาย today.
    let second = post_comment(&app, &token, comment_input(&open, 0, "ความเห็นที่สอง", None)).await;
    assert!(second.get("errors").is_none(), "{second:#}");
    let before = rows(&app, "comments").await;
    let third = post_comment(&app, &token, comment_input(&open, 0, "ความเห็นที่สาม", None)).await;
    assert_eq!(codes(&third), ["RATE_LIMITED"]);
    let retry = third["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .unwrap();
    assert!(
        (1..=86_400).contains(&retry),
        "until Bangkok midnight: {retry}"
    );
    assert_eq!(rows(&app, "comments").await, before);
    // A refusal does not use up the quota of another account.
    let fresh = register(&app, "fresh.quota@example.org", "a-long-enough-password").await;
    let fresh = fresh["data"]["register"]["token"].as_str().unwrap();
    let other = post_comment(&app, fresh, comment_input(&open, 0, "ของอีกคน", None)).await;
    assert!(other.get("errors").is_none(), "{other:#}");
    app
}

async fn the_site_shows_counts_comments_and_official_replies(app: TestApp) -> TestApp {
    let open = open_consultation(&app).await;
    let (status, draft_page) = app.get("/drafts/cycling-act").await;
    assert_eq!(status, 200);
    // The demo has two comments on the third section, one agreeing and one not, and the
    // agency's reply.
    assert!(
        draft_page.contains("ความคิดเห็น ๓ · เห็นด้วย ๑ · ไม่เห็นด้วย ๑"),
        "{draft_page}"
    );
    let link = format!("/sections/{}", open.sections[2]);
    assert!(draft_page.contains(&link));

    // A hostile comment and a hidden one: neither shows as markup or text.
    let somchai = app.login(SOMCHAI).await;
    post_comment(
        &app,
        &somchai,
        comment_input(&open, 2, "<img src=x onerror=alert(1)><b>ตัวหนา</b>", None),
    )
    .await;
    let secret = post_comment(
        &app,
        &somchai,
        comment_input(&open, 2, "ข้อความที่จะถูกซ่อน", None),
    )
    .await;
    let staff = app.login(STAFF).await;
    app.data_as(
        &staff,
        "mutation($id: ID!) { hideComment(commentId: $id, reason: SPAM) { status } }",
        json!({ "id": secret["data"]["postComment"]["id"] }),
    )
    .await;

    let (status, page) = app.get(&link).await;
    assert_eq!(status, 200);
    assert!(page.contains("เห็นด้วยที่ให้มีทางจักรยานแยกจากถนน"), "{page}");
    assert!(
        page.contains("คำชี้แจงของสำนักงานนโยบายและแผนการขนส่งและจราจร"),
        "{page}"
    );
    assert!(page.contains("<b>ตัวหนา</b>"));
    assert!(!page.contains("onerror") && !page.contains("<img"));
    assert!(!page.contains("ข้อความที่จะถูกซ่อน"));
    let (_, draft_page) = app.get("/drafts/cycling-act").await;
    assert!(
        draft_page.contains("ซ่อนโดยผู้ดูแล ๑ (สแปมหรือโฆษณา ๑)"),
        "{draft_page}"
    );
    let (status, _) = app.get("/sections/garbage").await;
    assert_eq!(status, 404, "a malformed id in the address is not found");
    app
}

async fn role_grants_stay_within_the_granting_agency(app: TestApp) -> TestApp {
    const GRANT: &str = "mutation($e: String!, $r: Role!, $a: String) {
        grantRole(email: $e, role: $r, agency: $a) { role agency { slug } } }";
    let admin = app.login(ADMIN).await;
    // The platform admin makes มาลี an agency admin of OTP.
    let granted = app
        .data_as(
            &admin,
            GRANT,
            json!({ "e": MALEE, "r": "AGENCY_ADMIN", "a": "otp" }),
        )
        .await;
    assert_eq!(
        granted["grantRole"],
        json!({ "role": "AGENCY_ADMIN", "agency": { "slug": "otp" } })
    );
    let otp_admin = app.login(MALEE).await;

    // Within OTP: bring a citizen in, and take the role back.
    let joined = app
        .data_as(
            &otp_admin,
            GRANT,
            json!({ "e": SOMCHAI, "r": "AGENCY_STAFF", "a": "otp" }),
        )
        .await;
    assert_eq!(joined["grantRole"]["role"], "AGENCY_STAFF");
    let left = app
        .data_as(&otp_admin, GRANT, json!({ "e": SOMCHAI, "r": "CITIZEN" }))
        .await;
    assert_eq!(
        left["grantRole"],
        json!({ "role": "CITIZEN", "agency": null })
    );

    // Outside it: another agency, MDES's staff, a platform role, an unknown address. Each is
    // FORBIDDEN alike, so the answer never tells whether an address has an account.
    for (email, role, agency) in [
        (SOMCHAI, "AGENCY_STAFF", Some("mdes")),
        (OTHER_STAFF, "CITIZEN", None),
        (OTHER_STAFF, "AGENCY_STAFF", Some("otp")),
        (SOMCHAI, "PLATFORM_ADMIN", None),
        (ADMIN, "CITIZEN", None),
        ("nobody@rubfang.example", "AGENCY_STAFF", Some("otp")),
    ] {
        let body = app
            .gql_as(
                &otp_admin,
                GRANT,
                json!({ "e": email, "r": role, "a": agency }),
            )
            .await;
        assert_eq!(codes(&body), ["FORBIDDEN"], "{email} {role}: {body:#}");
    }
    // A citizen gets FORBIDDEN whether or not the address exists.
    let citizen = app.login(SOMCHAI).await;
    for email in [MALEE, "nobody@rubfang.example"] {
        let body = app
            .gql_as(&citizen, GRANT, json!({ "e": email, "r": "CITIZEN" }))
            .await;
        assert_eq!(codes(&body), ["FORBIDDEN"], "{email}");
    }
    let roles = app
        .data_as(
            &app.login(OTHER_STAFF).await,
            "{ me { role agency { slug } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        roles["me"],
        json!({ "role": "AGENCY_STAFF", "agency": { "slug": "mdes" } })
    );
    app
}

async fn an_extension_cannot_overlap_the_next_consultation(app: TestApp) -> TestApp {
    let staff = app.login(STAFF).await;
    let open = open_consultation(&app).await;
    let draft = app
        .data(
            r#"{ draft(slug: "cycling-act") { id consultations { edges { node { lastDay } } } } }"#,
            json!({}),
        )
        .await;
    let last: chrono::NaiveDate = draft["draft"]["consultations"]["edges"][0]["node"]["lastDay"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let days = chrono::Duration::days;
    // The next consultation, announced to start ten days after this one ends.
    let next = app
        .data_as(
            &staff,
            "mutation($i: OpenConsultationInput!) { openConsultation(input: $i) { id } }",
            json!({ "i": { "draftId": draft["draft"]["id"], "kind": "DRAFT",
                "firstDay": (last + days(10)).to_string(), "lastDay": (last + days(40)).to_string() } }),
        )
        .await;
    assert!(next["openConsultation"]["id"].is_string());
    const EXTEND: &str = "mutation($id: ID!, $d: NaiveDate!) { extendConsultation(id: $id,
        lastDay: $d, reason: \"ขยายเวลาเพื่อรับฟังเพิ่มเติม\") { lastDay } }";
    let overlap = app
        .gql_as(
            &staff,
            EXTEND,
            json!({ "id": open.consultation, "d": (last + days(12)).to_string() }),
        )
        .await;
    assert_eq!(codes(&overlap), ["CONFLICT"], "{overlap:#}");
    let fits = app
        .data_as(
            &staff,
            EXTEND,
            json!({ "id": open.consultation, "d": (last + days(9)).to_string() }),
        )
        .await;
    assert_eq!(
        fits["extendConsultation"]["lastDay"],
        (last + days(9)).to_string()
    );
    app
}

async fn followers_hear_when_a_consultation_opens(app: TestApp) -> TestApp {
    let staff = app.login(STAFF).await;
    let somchai = app.login(SOMCHAI).await;
    let malee = app.login(MALEE).await;
    let text = "ร่าง\nพระราชบัญญัติ\nทดสอบการแจ้งเตือน\nพ.ศ. ....\n\nมาตรา ๑ พระราชบัญญัตินี้เรียกว่า ทดสอบ\n";
    let created = app
        .data_as(
            &staff,
            "mutation($i: CreateDraftInput!) { createDraft(input: $i) { id } }",
            json!({ "i": { "text": text, "slug": "notice-test-act" } }),
        )
        .await;
    let draft = created["createDraft"]["id"].as_str().unwrap().to_owned();
    const FOLLOW: &str = "mutation($d: ID, $a: String) { follow(draftId: $d, agency: $a) }";
    app.data_as(&somchai, FOLLOW, json!({ "d": draft })).await;
    app.data_as(&somchai, FOLLOW, json!({ "d": draft })).await; // twice is fine
    app.data_as(&malee, FOLLOW, json!({ "a": "otp" })).await;
    let unverified = register(&app, "unverified@example.org", "a-long-enough-password").await;
    let unverified = unverified["data"]["register"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.data_as(&unverified, FOLLOW, json!({ "a": "otp" }))
        .await;
    for bad in [json!({}), json!({ "d": draft, "a": "otp" })] {
        let body = app.gql_as(&somchai, FOLLOW, bad).await;
        assert_eq!(codes(&body), ["VALIDATION"]);
    }
    assert_eq!(
        codes(&app.gql(FOLLOW, json!({ "a": "otp" })).await),
        ["UNAUTHENTICATED"]
    );
    let mine = app
        .data_as(
            &somchai,
            "{ me { follows { draft { slug } agency { slug } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        mine["me"]["follows"],
        json!([{ "draft": { "slug": "notice-test-act" }, "agency": null }])
    );

    let sent_before = app.mailer.recent().len();
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
        .date_naive();
    app.data_as(
        &staff,
        "mutation($i: OpenConsultationInput!) { openConsultation(input: $i) { id } }",
        json!({ "i": { "draftId": draft, "kind": "DRAFT", "firstDay": (today + chrono::Duration::days(1)).to_string(),
            "lastDay": (today + chrono::Duration::days(30)).to_string() } }),
    )
    .await;
    let mut notices: Vec<(String, String)> = app.mailer.recent()[sent_before..]
        .iter()
        .map(|m| (m.to.clone(), m.subject.clone()))
        .collect();
    notices.sort();
    assert_eq!(
        notices,
        [
            (
                MALEE.to_owned(),
                "เปิดรับฟังความคิดเห็น: ร่างพระราชบัญญัติทดสอบการแจ้งเตือน พ.ศ. ....".to_owned()
            ),
            (
                SOMCHAI.to_owned(),
                "เปิดรับฟังความคิดเห็น: ร่างพระราชบัญญัติทดสอบการแจ้งเตือน พ.ศ. ....".to_owned()
            ),
        ],
        "verified followers of the draft or its agency, each once"
    );
    app.data_as(
        &somchai,
        "mutation($d: ID) { unfollow(draftId: $d) }",
        json!({ "d": draft }),
    )
    .await;
    let mine = app
        .data_as(&somchai, "{ me { follows { since } } }", json!({}))
        .await;
    assert_eq!(mine["me"]["follows"], json!([]));
    app
}
