//! The fixture report converted with pandoc, when pandoc is installed (skipped with a message
//! otherwise): standalone HTML gets the title from the metadata block, every table and working
//! links to the addresses typed; DOCX converts; PDF converts with lualatex when it is
//! installed too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::report::{self, Format};
use common::fixture_session as fixture;
use std::path::Path;
use std::process::Command;

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn pandoc(dir: &Path, args: &[&str]) {
    let out = Command::new("pandoc")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pandoc {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const URL: &str = "https://wiki.acme.example/Model_Cards/v2?team=ml&year=2026#section~3";

#[test]
fn the_fixture_report_converts_with_pandoc() {
    if !have("pandoc") {
        eprintln!("skipped: pandoc is not installed (apt-get install pandoc to run this test)");
        return;
    }
    let mut session = fixture::session();
    let id = session.records.keys().next().cloned().unwrap();
    session
        .record_mut(&id)
        .action
        .evidence
        .push(URL.to_string());
    let text = report::render(
        Format::Markdown,
        fixture::bank(),
        &session,
        &fixture::options(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("report.md"), &text).unwrap();

    pandoc(dir.path(), &["report.md", "-s", "-o", "report.html"]);
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(
        html.contains("<title>SOC 2 readiness report: Acme support bot</title>"),
        "no title from the metadata block"
    );
    assert!(html.contains("Acme Ltd, Support chat assistant"));
    let tables_in_markdown = text
        .lines()
        .filter(|l| l.starts_with("|--") || l.starts_with("|-:") || l.starts_with("|--:"))
        .count();
    assert_eq!(html.matches("<table").count(), tables_in_markdown);
    let href = format!("href=\"{}\"", URL.replace('&', "&amp;"));
    assert!(html.contains(&href), "no working link to {URL}");
    assert!(!html.contains("\\_"), "a backslash shows in the HTML");

    pandoc(dir.path(), &["report.md", "-o", "report.docx"]);
    let docx = std::fs::metadata(dir.path().join("report.docx")).unwrap();
    assert!(docx.len() > 10_000);

    if have("lualatex") {
        pandoc(
            dir.path(),
            &[
                "report.md",
                "--pdf-engine=lualatex",
                "-V",
                "geometry:margin=2cm",
                "-o",
                "report.pdf",
            ],
        );
        let pdf = std::fs::read(dir.path().join("report.pdf")).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
    } else {
        eprintln!("PDF skipped: lualatex is not installed");
    }
}
