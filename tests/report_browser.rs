//! The HTML report in a real browser: headless Chromium prints the fixture report to PDF and
//! takes a screenshot; the PDF must have a sane number of pages (the action plan does not take
//! a page a row) and, where poppler's pdftotext is installed, extractable text in the order of
//! the report. Skipped, with a message, when Chromium is not installed (`apt-get install
//! chromium poppler-utils`). Set AIREADY_KEEP_BROWSER_OUTPUT=DIR to keep the PDF and PNG.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::report::{self, Format};
use common::fixture_session as fixture;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The first Chromium found on the PATH.
fn chromium() -> Option<PathBuf> {
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .find_map(|name| which(name))
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Runs headless Chromium on a file with extra arguments; it must exit successfully.
fn run_chromium(browser: &Path, profile: &Path, page: &Path, args: &[String]) {
    let out = Command::new(browser)
        .args([
            "--headless",
            // Tests may run as root, where Chromium's sandbox cannot start.
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            // The report opens no connection, and neither should the browser.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The number of pages of a PDF: its `/Type /Page` objects (not `/Pages`).
fn page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    let mut count = 0;
    for marker in ["/Type /Page", "/Type/Page"] {
        count += text
            .match_indices(marker)
            .filter(|(at, m)| !text[at + m.len()..].starts_with('s'))
            .count();
    }
    count
}

#[test]
fn chromium_prints_the_report_to_a_sane_pdf_with_extractable_text() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no Chromium found on the PATH (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let keep = std::env::var_os("AIREADY_KEEP_BROWSER_OUTPUT").map(PathBuf::from);
    let out_dir = keep.clone().unwrap_or_else(|| dir.path().to_path_buf());
    std::fs::create_dir_all(&out_dir).unwrap();
    let session = fixture::session();
    let html =
        report::render(Format::Html, fixture::bank(), &session, &fixture::options()).unwrap();
    let page = out_dir.join("report.html");
    std::fs::write(&page, &html).unwrap();
    let pdf_path = out_dir.join("report.pdf");
    let png_path = out_dir.join("report.png");
    let profile = dir.path().join("profile");
    run_chromium(
        &browser,
        &profile,
        &page,
        &[format!("--print-to-pdf={}", pdf_path.display())],
    );
    run_chromium(
        &browser,
        &profile,
        &page,
        &[
            format!("--screenshot={}", png_path.display()),
            "--window-size=1200,1600".to_string(),
        ],
    );
    let png = std::fs::read(&png_path).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a screenshot with content"
    );

    let pdf = std::fs::read(&pdf_path).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let pages = page_count(&pdf);
    let applicable = session.applicable_questions(fixture::bank()).len();
    let actions = csv::Reader::from_reader(
        report::render(Format::Csv, fixture::bank(), &session, &fixture::options())
            .unwrap()
            .as_bytes(),
    )
    .records()
    .count();
    eprintln!("{pages} pages for {applicable} questions and {actions} actions");
    // The appendix lists every question with its audit guide (about three a page); the rest of
    // the report takes a few dozen pages. A page per question or per action row is far above.
    assert!(
        (10..applicable).contains(&pages),
        "{pages} pages for {applicable} questions"
    );

    let Some(pdftotext) = which("pdftotext") else {
        eprintln!("text extraction skipped: pdftotext not found (apt-get install poppler-utils)");
        return;
    };
    let text_of = |first: usize, last: usize| -> String {
        let out = Command::new(&pdftotext)
            .args(["-layout", "-f", &first.to_string(), "-l", &last.to_string()])
            .arg(&pdf_path)
            .arg("-")
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let all = text_of(1, pages);
    for expected in [
        "SOC 2 readiness report: Acme support bot",
        "Executive summary",
        "Heatmap",
        "Action plan",
        "SOC 2 control matrix",
        "Appendix: every question",
        fixture::NAMES[0],
    ] {
        assert!(
            all.contains(expected),
            "{expected:?} is not in the PDF text"
        );
    }
    // The action plan: the pages from its heading to the next section's.
    let page_of = |heading: &str| {
        (1..=pages)
            .find(|p| text_of(*p, *p).lines().any(|l| l.trim() == heading))
            .unwrap_or_else(|| panic!("no page starts the section {heading}"))
    };
    let (start, end) = (page_of("Action plan"), page_of("Follow-ups"));
    let plan_pages = end - start + 1;
    eprintln!("the action plan of {actions} rows takes {plan_pages} pages");
    assert!(
        plan_pages * 4 <= actions.max(8),
        "{plan_pages} pages for {actions} action rows"
    );
    // Main sections start on a new page.
    for heading in ["Executive summary", "Appendix: every question"] {
        let first_line = text_of(page_of(heading), page_of(heading))
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or_default()
            .to_string();
        assert_eq!(first_line, heading, "{heading} starts its page");
    }
}
