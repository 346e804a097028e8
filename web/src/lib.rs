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
        return Err(Box::new(
            (StatusCode::INTERNAL_SERVER_ERROR, Html(body)).into_response(),
        ));
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
    if let Some(c) = draft
        .pointer("/consultations/edges/0/node")
        .filter(|c| c["isOpen"].as_bool() == Some(true))
    {
        body.push_str(&format!(
            "<p class=\"open\">เปิดรับฟังความคิดเห็น {} · เหลืออีก {} วัน</p>",
            escape(str_at(c, "/periodText")),
            html::thai_digits(&c["daysRemaining"].to_string()),
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
            "<section class=\"section\"><h3>{unit} {}</h3><p>{}</p></section>",
            escape(str_at(s, "/label")),
            html::paragraphs(str_at(s, "/text")),
        ));
    }
    Html(page(str_at(draft, "/title"), &body)).into_response()
}
