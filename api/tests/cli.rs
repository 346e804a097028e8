//! The `rubfang` binary: import, migrate and seed-demo, on every backend. Bad input is refused
//! with a message naming the problem, and nothing is written.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::{path::PathBuf, process::Output};

use common::{Backend, TestApp, TestDb, config};
use rubfang_api::draft::service::count_all;
use serde_json::json;

fn rubfang(db: &TestDb, args: &[&str], stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rubfang"));
    cmd.args(args)
        .env("RUBFANG_DATABASE_URL", &db.url)
        .env("RUBFANG_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn corpus_file(name: &str) -> Option<PathBuf> {
    let dir = std::env::var("RUBFANG_CORPUS_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus").to_owned());
    let path = PathBuf::from(dir).join("thai-law").join(name);
    path.exists().then_some(path)
}

async fn fresh(backend: Backend) -> Option<TestDb> {
    let db = TestDb::create(backend).await;
    if db.is_none() {
        eprintln!("skipped on {backend:?}: set TEST_DATABASE_URL to run it there");
    }
    db
}

macro_rules! cli_test {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::common::Backend;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(Backend::Postgres).await;
            }
        }
    )*};
}

cli_test!(
    importing_a_real_act_writes_its_sections_and_serves_them,
    bad_import_input_is_refused_and_writes_nothing,
    import_to_an_unknown_agency_lists_the_known_ones,
    migrations_go_down_and_up_again,
    seed_demo_loads_once,
    a_pasted_ministerial_regulation_is_split_into_clauses,
);

async fn importing_a_real_act_writes_its_sections_and_serves_them(backend: Backend) {
    let Some(path) = corpus_file("302231.txt") else {
        eprintln!(
            "skipped: the Thai law corpus is not at ../shared/corpus (set RUBFANG_CORPUS_DIR)"
        );
        return;
    };
    let Some(db) = fresh(backend).await else {
        return;
    };
    let out = rubfang(
        &db,
        &["import", path.to_str().unwrap(), "--status", "in-force"],
        None,
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}\n{}", stdout, text(&out.stderr));
    assert!(stdout.contains("พระราชบัญญัติข้อมูลข่าวสารของราชการ"), "{stdout}");
    assert!(stdout.contains("type:        Act"), "{stdout}");
    assert!(stdout.contains("written:     draft #"), "{stdout}");

    let cfg = config(&db, false);
    let app = TestApp::start(db, cfg).await;
    let data = app
        .data(
            r#"{ drafts(first: 1) { edges { node { slug status type leadAgency { slug }
                currentVersion { sections(first: 500) { totalCount edges { node { label } } } } } } } }"#,
            json!({}),
        )
        .await;
    let draft = &data["drafts"]["edges"][0]["node"];
    assert_eq!(draft["slug"], "act-2540");
    assert_eq!(draft["status"], "IN_FORCE");
    assert_eq!(draft["leadAgency"]["slug"], "ocs");
    let sections = &draft["currentVersion"]["sections"];
    let total = sections["totalCount"].as_u64().unwrap();
    assert!(total > 40, "{total}");
    assert_eq!(sections["edges"][0]["node"]["label"], "๑");
    app.stop().await;
}

async fn bad_import_input_is_refused_and_writes_nothing(backend: Backend) {
    let Some(db) = fresh(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let thai = "พระราชบัญญัติทดสอบ พ.ศ. ๒๕๖๙\nมาตรา ๑ พระราชบัญญัตินี้เรียกว่า ทดสอบ\n";
    // TIS-620 encodes Thai letters U+0E01..U+0E5B as single bytes 0xA1..0xFB.
    let tis620: Vec<u8> = thai
        .chars()
        .map(|c| match c as u32 {
            0x0E01..=0x0E5B => (c as u32 - 0x0E01 + 0xA1) as u8,
            _ => c as u8,
        })
        .collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.txt", Vec::new(), "empty"),
        ("blank.txt", b"  \n \n\t\n".to_vec(), "empty"),
        (
            "binary.bin",
            vec![0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0, 1, 2, 3],
            "binary",
        ),
        ("tis620.txt", tis620, "TIS-620"),
        (
            "nosections.txt",
            "พระราชบัญญัติทดสอบ พ.ศ. ๒๕๖๙\nข้อความที่ไม่มีมาตราใดเลย\n"
                .as_bytes()
                .to_vec(),
            "no sections",
        ),
    ];
    for (name, bytes, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let out = rubfang(&db, &["import", path.to_str().unwrap()], None);
        let stderr = text(&out.stderr);
        assert!(
            !out.status.success(),
            "{name} was accepted: {}",
            text(&out.stdout)
        );
        assert!(
            stderr.to_lowercase().contains(&expected.to_lowercase()),
            "{name}: the error should say `{expected}`: {stderr}"
        );
        assert!(
            stderr.contains("file"),
            "{name}: the error names the input: {stderr}"
        );
    }
    let missing = rubfang(&db, &["import", "/no/such/file.txt"], None);
    assert!(!missing.status.success());
    assert!(text(&missing.stderr).contains("cannot read /no/such/file.txt"));

    let conn = db.connect().await;
    assert_eq!(count_all(&conn).await.unwrap(), 0, "nothing may be written");
    let agencies = rubfang_api::agency::service::count(&conn).await.unwrap();
    assert_eq!(agencies, 0, "not even the default agency");
}

async fn import_to_an_unknown_agency_lists_the_known_ones(backend: Backend) {
    let Some(db) = fresh(backend).await else {
        return;
    };
    assert!(rubfang(&db, &["seed-demo"], None).status.success());
    let text_in =
        "ร่าง\nพระราชบัญญัติทดสอบ\nพ.ศ. ....\nมาตรา ๑ พระราชบัญญัตินี้เรียกว่า ทดสอบ\nมาตรา ๒ ให้ใช้บังคับทันที\n";
    let out = rubfang(
        &db,
        &["import", "-", "--agency", "nobody"],
        Some(text_in.as_bytes()),
    );
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("no agency `nobody`"), "{stderr}");
    assert!(stderr.contains("mdes, mot, otp"), "{stderr}");
    let conn = db.connect().await;
    assert_eq!(count_all(&conn).await.unwrap(), 3, "only the demo drafts");

    let out = rubfang(
        &db,
        &["import", "-", "--agency", "otp", "--slug", "test-act"],
        Some(text_in.as_bytes()),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("sections:    2 (มาตรา ๑ … มาตรา ๒)"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(count_all(&conn).await.unwrap(), 4);
    let again = rubfang(
        &db,
        &["import", "-", "--agency", "otp", "--slug", "test-act"],
        Some(text_in.as_bytes()),
    );
    assert!(
        text(&again.stderr).contains("already exists"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(count_all(&conn).await.unwrap(), 4);
}

async fn migrations_go_down_and_up_again(backend: Backend) {
    let Some(db) = fresh(backend).await else {
        return;
    };
    let up = rubfang(&db, &["migrate", "up"], None);
    assert!(up.status.success(), "{}", text(&up.stderr));
    let status = text(&up.stdout);
    assert!(!status.contains("pending"), "{status}");
    assert!(
        status.contains("applied m20261122_000001_create_agencies"),
        "{status}"
    );

    // Every migration rolls back.
    let applied = status.lines().filter(|l| l.starts_with("applied ")).count();
    assert!(applied >= 5, "{status}");
    let down = rubfang(
        &db,
        &["migrate", "down", "--steps", &applied.to_string()],
        None,
    );
    assert!(down.status.success(), "{}", text(&down.stderr));
    assert!(
        !text(&down.stdout).contains("applied"),
        "{}",
        text(&down.stdout)
    );

    let again = rubfang(&db, &["migrate", "up"], None);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let seeded = rubfang(&db, &["seed-demo"], None);
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
}

async fn seed_demo_loads_once(backend: Backend) {
    let Some(db) = fresh(backend).await else {
        return;
    };
    let first = rubfang(&db, &["seed-demo"], None);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let second = rubfang(&db, &["seed-demo"], None);
    assert!(!second.status.success());
    assert!(
        text(&second.stderr).contains("already holds data"),
        "{}",
        text(&second.stderr)
    );
}

async fn a_pasted_ministerial_regulation_is_split_into_clauses(backend: Backend) {
    let Some(db) = fresh(backend).await else {
        return;
    };
    let text_in = "ร่าง\nกฎกระทรวง\nกำหนดมาตรฐานที่จอดจักรยาน\nพ.ศ. ....\n\n\
                   อาศัยอำนาจตามความในมาตรา ๔ แห่งพระราชบัญญัติส่งเสริมการใช้จักรยาน\n\n\
                   ข้อ 1 กฎกระทรวงนี้ให้ใช้บังคับเมื่อพ้นกำหนดหกสิบวัน\n\n\
                   ข้อ 2 ที่จอดจักรยานต้องมีหลังคา\n\n\
                   ข้อ 2/1 ที่จอดจักรยานต้องมีแสงสว่างเพียงพอ\n\n\
                   ข้อ 3 ให้ใช้มาตรฐานนี้กับอาคารใหม่\n";
    let out = rubfang(
        &db,
        &["import", "-", "--slug", "bike-parking-rule"],
        Some(text_in.as_bytes()),
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("MinisterialRegulation"), "{stdout}");
    let cfg = config(&db, false);
    let app = TestApp::start(db, cfg).await;
    let data = app
        .data(
            r#"{ draft(slug: "bike-parking-rule") { type currentVersion { provisionUnit
                sections(first: 10) { edges { node { label key } } } } } }"#,
            json!({}),
        )
        .await;
    let version = &data["draft"]["currentVersion"];
    assert_eq!(data["draft"]["type"], "MINISTERIAL_REGULATION");
    assert_eq!(version["provisionUnit"], "CLAUSE");
    let keys: Vec<&str> = version["sections"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["1", "2", "2/1", "3"]);
    let (_, page) = app.get("/drafts/bike-parking-rule").await;
    assert!(page.contains("ข้อ 2/1"), "{page}");
    app.stop().await;
}
