//! The citizen site: pages rendered on the server from GraphQL documents (under `queries/`)
//! executed in process. The site never touches the database; if it needs something, the API
//! gets it first, so researchers get it too.

use std::sync::Arc;

use poem::{
    Endpoint, EndpointExt, IntoResponse, Response, Route, get, handler,
    http::StatusCode,
    web::{Data, Html, Path},
};
use serde_json::{Value, json};

mod html;

use html::{escape, page};

/// Runs a GraphQL document against the API in the same process.
#[async_trait::async_trait]
pub trait GraphqlExecutor: Send + Sync + 'static {
    /// The whole GraphQL response (`data` and `errors`) as JSON.
    async fn execute(&self, document: &str, variables: Value) -> Value;
}

type Executor = Arc<dyn GraphqlExecutor>;

/// The site's routes, to be nested at `/`.
pub fn routes(executor: Executor) -> impl Endpoint {
    Route::new()
        .at("/", get(landing))
        .at("/drafts/:slug", get(draft_page))
        .at("/sections/:id", get(section_page))
        .at("/search", get(search_page))
        .at("/verify", get(verify_page))
        .at("/reset-password", get(reset_form).post(reset_submit))
        .data(executor)
}

/// A small in-house GraphQL console for `GET /graphql`: it needs nothing from the network, so it
/// works on an air-gapped server.
pub fn console_page() -> Html<&'static str> {
    Html(include_str!("console.html"))
}

fn data_or_error(response: &Value) -> Result<&Value, Box<Response>> {
    if let Some(errors) = response.get("errors").and_then(Value::as_array)
        && !errors.is_empty()
    {
        let messages: Vec<String> = errors
            .iter()
            .filter_map(|e| e.get("message").and_then(Value::as_str))
            .map(escape)
            .collect();
        let body = page(
            "ข้อผิดพลาด · Error",
            &format!("<h1>ข้อผิดพลาด</h1><p>{}</p>", messages.join("<br>")),
        );
        // A malformed id in the address is the visitor's mistake: not found, not a fault.
        let not_found = errors.iter().all(|e| {
            matches!(
                e.pointer("/extensions/code").and_then(Value::as_str),
                Some("VALIDATION" | "NOT_FOUND")
            )
        });
        let status = if not_found {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        return Err(Box::new((status, Html(body)).into_response()));
    }
    response
        .get("data")
        .ok_or_else(|| Box::new((StatusCode::INTERNAL_SERVER_ERROR, "no data").into_response()))
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

#[handler]
async fn landing(Data(executor): Data<&Executor>) -> Response {
    let response = executor
        .execute(include_str!("queries/landing.graphql"), json!({}))
        .await;
    let data = match data_or_error(&response) {
        Ok(d) => d,
        Err(r) => return *r,
    };
    let mut body = String::from(
        "<h1>รับฟัง <small>rubfang</small></h1>\
         <p>อ่านร่างกฎหมายทีละมาตรา และแสดงความคิดเห็นต่อหน่วยงานผู้รับผิดชอบ \
         · Read draft laws section by section and tell the agency what you think.</p>\
         <h2>เปิดรับฟังความคิดเห็นอยู่ · Open for comment</h2><ul class=\"cards\">",
    );
    body.insert_str(body.find("<h2>").unwrap_or(0), &search_form("", ""));
    let empty = Vec::new();
    let open = data
        .pointer("/open/edges")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    if open.is_empty() {
        body.push_str("<li>ขณะนี้ไม่มีการรับฟังความคิดเห็นที่เปิดอยู่ · None open right now.</li>");
    }
    for edge in open {
        let n = &edge["node"];
        body.push_str(&format!(
            "<li><a href=\"/drafts/{slug}\">{title}</a><br><span class=\"meta\">{agency} · {period} · \
             เหลืออีก {days} วัน</span></li>",
            slug = escape(str_at(n, "/draft/slug")),
            title = escape(str_at(n, "/draft/title")),
            agency = escape(str_at(n, "/draft/leadAgency/nameTh")),
            period = escape(str_at(n, "/periodText")),
            days = html::thai_digits(&n["daysRemaining"].to_string()),
        ));
    }
    body.push_str("</ul><h2>ร่างกฎหมายล่าสุด · Recent drafts</h2><ul>");
    for edge in data
        .pointer("/recent/edges")
        .and_then(Value::as_array)
        .unwrap_or(&empty)
    {
        let n = &edge["node"];
        body.push_str(&format!(
            "<li><a href=\"/drafts/{}\">{}</a> <span class=\"meta\">{}</span></li>",
            escape(str_at(n, "/slug")),
            escape(str_at(n, "/title")),
            escape(str_at(n, "/leadAgency/nameTh")),
        ));
    }
    body.push_str(
        "</ul><p class=\"meta\">นักวิจัย · Researchers: <a href=\"/graphql\">GraphQL API</a> \
         (<a href=\"/graphql/schema.graphql\">schema</a>)</p>",
    );
    Html(page("รับฟัง · rubfang", &body)).into_response()
}

/// The search box: a plain form, so it works without JavaScript.
fn search_form(q: &str, kind: &str) -> String {
    let option = |value: &str, label: &str| {
        format!(
            "<option value=\"{value}\"{}>{label}</option>",
            if value == kind { " selected" } else { "" }
        )
    };
    format!(
        "<form class=\"search\" action=\"/search\" method=\"get\" role=\"search\">\
         <label for=\"q\">ค้นหา · Search</label> \
         <input id=\"q\" name=\"q\" type=\"search\" value=\"{}\" maxlength=\"200\" \
         placeholder=\"เช่น ใบอนุญาต, ทางจักรยาน, พ.ร.บ.\"> \
         <select name=\"type\" aria-label=\"ประเภท · Type\">{}{}{}{}</select> \
         <button type=\"submit\">ค้นหา</button></form>",
        escape(q),
        option("", "ทั้งหมด · All"),
        option("DRAFT", "ร่างกฎหมาย · Drafts"),
        option("SECTION", "มาตรา · Sections"),
        option("COMMENT", "ความคิดเห็น · Comments"),
    )
}

/// A highlight from the API is safe HTML (escaped text, `<mark>` only, checked by the search
/// contract tests); anything else in it is shown as text all the same.
fn highlight_html(html: &str) -> String {
    let rest = html.replace("<mark>", "").replace("</mark>", "");
    if rest.contains('<') || rest.contains('>') {
        escape(html)
    } else {
        html.to_owned()
    }
}

fn type_th(kind: &str) -> &'static str {
    match kind {
        "DRAFT" => "ร่างกฎหมาย",
        "SECTION" => "มาตรา",
        _ => "ความคิดเห็น",
    }
}

#[derive(serde::Deserialize)]
struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    after: Option<String>,
}

#[handler]
async fn search_page(
    Data(executor): Data<&Executor>,
    poem::web::Query(params): poem::web::Query<SearchParams>,
) -> Response {
    let kind = match params.kind.as_str() {
        k @ ("DRAFT" | "SECTION" | "COMMENT") => k,
        _ => "",
    };
    let mut body = format!(
        "<p><a href=\"/\">← หน้าแรก</a></p><h1>ค้นหา · Search</h1>{}",
        search_form(&params.q, kind)
    );
    if params.q.trim().is_empty() {
        body.push_str("<p class=\"meta\">พิมพ์คำที่ต้องการค้นหา · Type what to look for.</p>");
        return Html(page("ค้นหา · Search", &body)).into_response();
    }
    let filter = if kind.is_empty() {
        json!(null)
    } else {
        json!({ "types": [kind] })
    };
    let response = executor
        .execute(
            include_str!("queries/search.graphql"),
            json!({ "q": params.q, "filter": filter, "after": params.after }),
        )
        .await;
    // A query the API refuses (too long, say) is shown with the form, not as a broken page.
    if let Some(message) = response
        .pointer("/errors/0/message")
        .and_then(Value::as_str)
    {
        body.push_str(&format!("<p class=\"error\">{}</p>", escape(message)));
        return (StatusCode::BAD_REQUEST, Html(page("ค้นหา · Search", &body))).into_response();
    }
    let result = &response["data"]["search"];
    let total = result["totalCount"].as_u64().unwrap_or(0);
    body.push_str(&format!(
        "<p class=\"meta\">พบ {} รายการ · {} found</p>",
        html::thai_digits(&total.to_string()),
        total
    ));
    let empty = Vec::new();
    if let Some(types) = result["facets"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["attribute"] == "type"))
    {
        let links: Vec<String> = types["values"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .map(|v| {
                let value = str_at(v, "/value");
                format!(
                    "<a href=\"/search?q={}&amp;type={}\">{} {}</a>",
                    url_encode(&params.q),
                    escape(value),
                    type_th(value),
                    html::thai_digits(&v["count"].to_string())
                )
            })
            .collect();
        body.push_str(&format!("<p class=\"facets\">{}</p>", links.join(" · ")));
    }
    body.push_str("<ol class=\"results\">");
    for edge in result["edges"].as_array().unwrap_or(&empty) {
        let n = &edge["node"];
        let kind = str_at(edge, "/type");
        let (href, title) = match str_at(n, "/__typename") {
            "Draft" => (
                format!("/drafts/{}", escape(str_at(n, "/slug"))),
                escape(str_at(n, "/title")),
            ),
            "Section" => (
                format!("/sections/{}", escape(str_at(n, "/id"))),
                format!(
                    "{} {} · {}",
                    if str_at(n, "/version/provisionUnit") == "CLAUSE" {
                        "ข้อ"
                    } else {
                        "มาตรา"
                    },
                    escape(str_at(n, "/label")),
                    escape(str_at(n, "/version/draft/title"))
                ),
            ),
            _ => (
                n["sectionId"]
                    .as_str()
                    .map(|s| format!("/sections/{}", escape(s)))
                    .unwrap_or_default(),
                format!(
                    "{} · {}",
                    escape(str_at(n, "/authorName")),
                    escape(str_at(n, "/createdAtText"))
                ),
            ),
        };
        let link = if href.is_empty() {
            title
        } else {
            format!("<a href=\"{href}\">{title}</a>")
        };
        body.push_str(&format!(
            "<li><span class=\"meta\">{}</span> {link}<br><span class=\"snippet\">{}</span></li>",
            type_th(kind),
            highlight_html(str_at(edge, "/highlight")),
        ));
    }
    body.push_str("</ol>");
    if result["pageInfo"]["hasNextPage"] == true {
        body.push_str(&format!(
            "<p><a href=\"/search?q={}&amp;type={}&amp;after={}\">ถัดไป · Next →</a></p>",
            url_encode(&params.q),
            kind,
            url_encode(str_at(result, "/pageInfo/endCursor")),
        ));
    }
    Html(page(&format!("{} · ค้นหา", params.q), &body)).into_response()
}

/// Percent-encodes a query-string value.
fn url_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[handler]
async fn draft_page(Data(executor): Data<&Executor>, Path(slug): Path<String>) -> Response {
    let response = executor
        .execute(
            include_str!("queries/draft.graphql"),
            json!({ "slug": slug }),
        )
        .await;
    let data = match data_or_error(&response) {
        Ok(d) => d,
        Err(r) => return *r,
    };
    let draft = &data["draft"];
    if draft.is_null() {
        let body = page(
            "ไม่พบ · Not found",
            "<h1>ไม่พบร่างกฎหมายนี้</h1><p>No such draft. <a href=\"/\">หน้าแรก · Home</a></p>",
        );
        return (StatusCode::NOT_FOUND, Html(body)).into_response();
    }
    let mut body = format!(
        "<p><a href=\"/\">← หน้าแรก</a></p><h1>{}</h1><p class=\"meta\">{}</p>",
        escape(str_at(draft, "/title")),
        escape(str_at(draft, "/leadAgency/nameTh")),
    );
    if let Some(c) = draft.pointer("/consultations/edges/0/node") {
        if c["isOpen"].as_bool() == Some(true) {
            body.push_str(&format!(
                "<p class=\"open\">เปิดรับฟังความคิดเห็น {} · เหลืออีก {} วัน</p>",
                escape(str_at(c, "/periodText")),
                html::thai_digits(&c["daysRemaining"].to_string()),
            ));
        } else {
            body.push_str(&format!(
                "<p class=\"meta\">รับฟังความคิดเห็น {} (ปิดแล้ว)</p>",
                escape(str_at(c, "/periodText")),
            ));
        }
        body.push_str(&format!(
            "<p class=\"meta\">ความคิดเห็นทั้งหมด {}{}</p>",
            html::thai_digits(&c["commentStats"]["comments"].to_string()),
            moderation_summary(&c["moderationLog"]),
        ));
    }
    let rationale = str_at(draft, "/rationale");
    if !rationale.is_empty() {
        body.push_str(&format!(
            "<h2>หลักการและเหตุผล</h2><p>{}</p>",
            html::paragraphs(rationale)
        ));
    }
    let unit = match str_at(draft, "/currentVersion/provisionUnit") {
        "CLAUSE" => "ข้อ",
        _ => "มาตรา",
    };
    let mut last_path = String::new();
    let empty = Vec::new();
    for edge in draft
        .pointer("/currentVersion/sections/edges")
        .and_then(Value::as_array)
        .unwrap_or(&empty)
    {
        let s = &edge["node"];
        let path: Vec<&str> = s["headingPath"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .map(|h| str_at(h, "/display"))
            .collect();
        let path = path.join(" › ");
        if path != last_path && !path.is_empty() {
            body.push_str(&format!("<h2>{}</h2>", escape(&path)));
        }
        last_path = path;
        body.push_str(&format!(
            "<section class=\"section\"><h3>{unit} {}</h3><p>{}</p>\
             <p class=\"meta\"><a href=\"/sections/{}\">{}</a></p></section>",
            escape(str_at(s, "/label")),
            html::paragraphs(str_at(s, "/text")),
            escape(str_at(s, "/id")),
            stats_line(&s["commentStats"]),
        ));
    }
    Html(page(str_at(draft, "/title"), &body)).into_response()
}

/// `ความคิดเห็น ๓ · เห็นด้วย ๑ · ไม่เห็นด้วย ๑`
fn stats_line(stats: &Value) -> String {
    let n = |k: &str| html::thai_digits(&stats[k].as_u64().unwrap_or(0).to_string());
    format!(
        "ความคิดเห็น {} · เห็นด้วย {} · ไม่เห็นด้วย {}",
        n("comments"),
        n("agree"),
        n("disagree")
    )
}

fn hide_reason_th(reason: &str) -> &'static str {
    match reason {
        "OFF_TOPIC" => "ไม่เกี่ยวข้องกับร่าง",
        "ABUSIVE" => "ถ้อยคำไม่สุภาพ",
        "PERSONAL_DATA" => "มีข้อมูลส่วนบุคคล",
        "SPAM" => "สแปมหรือโฆษณา",
        "DUPLICATE" => "ซ้ำ",
        "UNLAWFUL" => "ผิดกฎหมาย",
        _ => "อื่น ๆ",
    }
}

/// The public side of moderation: how many comments are hidden and why (never their text).
fn moderation_summary(log: &Value) -> String {
    let hidden = log["hiddenCount"].as_u64().unwrap_or(0);
    if hidden == 0 {
        return String::new();
    }
    let reasons: Vec<String> = log["hiddenByReason"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .map(|r| {
                    format!(
                        "{} {}",
                        hide_reason_th(str_at(r, "/reason")),
                        html::thai_digits(&r["count"].to_string())
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    format!(
        " · ซ่อนโดยผู้ดูแล {} ({})",
        html::thai_digits(&hidden.to_string()),
        reasons.join(", ")
    )
}

fn stance_th(stance: &str) -> &'static str {
    match stance {
        "AGREE" => "เห็นด้วย",
        "DISAGREE" => "ไม่เห็นด้วย",
        "NEUTRAL" => "ไม่แสดงความเห็น",
        _ => "",
    }
}

/// One comment or reply. Its body is HTML that passed the sanitiser when it was written.
fn comment_html(c: &Value) -> String {
    let official = c["isOfficial"].as_bool() == Some(true);
    let who = if official {
        format!("คำชี้แจงของ{}", escape(str_at(c, "/officialAgency/nameTh")))
    } else {
        escape(str_at(c, "/authorName"))
    };
    let stance = stance_th(str_at(c, "/stance"));
    let text = match str_at(c, "/status") {
        "WITHDRAWN" => "<p class=\"meta\">ผู้เขียนถอนความคิดเห็นนี้แล้ว</p>".to_owned(),
        _ => str_at(c, "/body").to_owned(),
    };
    format!(
        "<div class=\"comment{}\"><p class=\"meta\"><strong>{who}</strong>{}{} · {}</p>{text}</div>",
        if official { " official" } else { "" },
        if stance.is_empty() { "" } else { " · " },
        stance,
        escape(str_at(c, "/createdAtText")),
    )
}

#[handler]
async fn section_page(Data(executor): Data<&Executor>, Path(id): Path<String>) -> Response {
    let response = executor
        .execute(include_str!("queries/section.graphql"), json!({ "id": id }))
        .await;
    let data = match data_or_error(&response) {
        Ok(d) => d,
        Err(r) => return *r,
    };
    let s = &data["section"];
    if s.is_null() {
        let body = page(
            "ไม่พบ · Not found",
            "<h1>ไม่พบมาตรานี้</h1><p>No such section. <a href=\"/\">หน้าแรก · Home</a></p>",
        );
        return (StatusCode::NOT_FOUND, Html(body)).into_response();
    }
    let unit = match str_at(s, "/version/provisionUnit") {
        "CLAUSE" => "ข้อ",
        _ => "มาตรา",
    };
    let empty = Vec::new();
    let path: Vec<&str> = s["headingPath"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .map(|h| str_at(h, "/display"))
        .collect();
    let mut body = format!(
        "<p><a href=\"/drafts/{slug}\">← {title}</a></p><p class=\"meta\">{path}</p>\
         <h1>{unit} {label}</h1><section class=\"section\"><p>{text}</p></section>\
         <p class=\"meta\">{stats}</p>",
        slug = escape(str_at(s, "/version/draft/slug")),
        title = escape(str_at(s, "/version/draft/title")),
        path = escape(&path.join(" › ")),
        label = escape(str_at(s, "/label")),
        text = html::paragraphs(str_at(s, "/text")),
        stats = stats_line(&s["commentStats"]),
    );
    for q in s["questions"].as_array().unwrap_or(&empty) {
        body.push_str(&format!(
            "<h2>คำถามจากหน่วยงาน</h2><p>{}</p><ul>",
            escape(str_at(q, "/prompt"))
        ));
        for o in q["options"].as_array().unwrap_or(&empty) {
            body.push_str(&format!(
                "<li>{} <span class=\"meta\">{}</span></li>",
                escape(str_at(o, "/label")),
                html::thai_digits(&o["answers"].to_string()),
            ));
        }
        body.push_str("</ul>");
    }
    body.push_str(&format!(
        "<h2>ความคิดเห็น ({})</h2>",
        html::thai_digits(&s["comments"]["totalCount"].to_string())
    ));
    let comments = s
        .pointer("/comments/edges")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    if comments.is_empty() {
        body.push_str("<p class=\"meta\">ยังไม่มีความคิดเห็น · No comments yet.</p>");
    }
    for edge in comments {
        let c = &edge["node"];
        body.push_str(&comment_html(c));
        for reply in c
            .pointer("/replies/edges")
            .and_then(Value::as_array)
            .unwrap_or(&empty)
        {
            body.push_str(&format!(
                "<div class=\"reply\">{}</div>",
                comment_html(&reply["node"])
            ));
        }
    }
    body.push_str(
        "<p class=\"meta\">แสดงความคิดเห็นผ่าน <a href=\"/graphql\">GraphQL API</a> \
         (<code>postComment</code>)</p>",
    );
    Html(page(
        &format!(
            "{unit} {} · {}",
            str_at(s, "/label"),
            str_at(s, "/version/draft/title")
        ),
        &body,
    ))
    .into_response()
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

fn first_error(response: &Value) -> Option<String> {
    response
        .pointer("/errors/0/message")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The link in the verification mail.
#[handler]
async fn verify_page(
    Data(executor): Data<&Executor>,
    poem::web::Query(q): poem::web::Query<TokenQuery>,
) -> Response {
    let response = executor
        .execute(
            "mutation($t: String!) { verifyEmail(token: $t) { displayName } }",
            json!({ "t": q.token.unwrap_or_default() }),
        )
        .await;
    let (status, body) = match first_error(&response) {
        None => (
            StatusCode::OK,
            "<h1>ยืนยันอีเมลแล้ว</h1><p>ท่านแสดงความคิดเห็นได้แล้ว · Your e-mail is verified; \
             you can now take part.</p><p><a href=\"/\">หน้าแรก · Home</a></p>"
                .to_owned(),
        ),
        Some(message) => (
            StatusCode::BAD_REQUEST,
            format!(
                "<h1>ยืนยันอีเมลไม่สำเร็จ</h1><p>{}</p><p>ขอลิงก์ใหม่ได้หลังเข้าสู่ระบบ \
                 · Log in to ask for a new link.</p>",
                escape(&message)
            ),
        ),
    };
    (status, Html(page("ยืนยันอีเมล · Verify e-mail", &body))).into_response()
}

fn reset_page(token: &str, message: Option<&str>) -> String {
    let note = message
        .map(|m| format!("<p class=\"error\">{}</p>", escape(m)))
        .unwrap_or_default();
    page(
        "ตั้งรหัสผ่านใหม่ · New password",
        &format!(
            "<h1>ตั้งรหัสผ่านใหม่ <small>New password</small></h1>{note}\
             <form method=\"post\" action=\"/reset-password\">\
             <input type=\"hidden\" name=\"token\" value=\"{}\">\
             <label>รหัสผ่านใหม่ (อย่างน้อย ๑๐ ตัวอักษร) · New password (10+ characters)<br>\
             <input type=\"password\" name=\"password\" minlength=\"10\" required \
             autocomplete=\"new-password\"></label>\
             <p><button type=\"submit\">บันทึก · Save</button></p></form>",
            escape(token)
        ),
    )
}

/// The link in the password-reset mail: a form, so the token is spent only with a good
/// password.
#[handler]
fn reset_form(poem::web::Query(q): poem::web::Query<TokenQuery>) -> Html<String> {
    Html(reset_page(&q.token.unwrap_or_default(), None))
}

#[derive(serde::Deserialize)]
struct ResetForm {
    token: String,
    password: String,
}

#[handler]
async fn reset_submit(
    Data(executor): Data<&Executor>,
    poem::web::Form(form): poem::web::Form<ResetForm>,
) -> Response {
    let response = executor
        .execute(
            "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }",
            json!({ "t": form.token, "p": form.password }),
        )
        .await;
    match first_error(&response) {
        None => Html(page(
            "ตั้งรหัสผ่านใหม่แล้ว · Password changed",
            "<h1>ตั้งรหัสผ่านใหม่แล้ว</h1><p>เข้าสู่ระบบด้วยรหัสผ่านใหม่ได้ทันที \
             · Log in with the new password.</p><p><a href=\"/\">หน้าแรก · Home</a></p>",
        ))
        .into_response(),
        Some(message) => (
            StatusCode::BAD_REQUEST,
            Html(reset_page(&form.token, Some(&message))),
        )
            .into_response(),
    }
}
