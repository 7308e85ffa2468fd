//! The HTML report parsed as a browser would (scraper, html5ever): self-contained, the sections
//! of the Markdown report in the same order with a table of contents, the heatmap and chart
//! drawn by aiready, a print stylesheet, and text people typed inert wherever it lands.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::session::Session;
use aiready::report::{self, Format, Options};
use common::fixture_session as fixture;
use common::report_cli::{aiready, stderr, stdout, with_session};
use scraper::{Html, Selector};

fn html(session: &Session, options: &Options) -> String {
    report::render(Format::Html, fixture::bank(), session, options).unwrap()
}

fn select(doc: &Html, css: &str) -> Vec<String> {
    let selector = Selector::parse(css).unwrap();
    doc.select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

fn count(doc: &Html, css: &str) -> usize {
    doc.select(&Selector::parse(css).unwrap()).count()
}

#[test]
fn the_page_is_self_contained() {
    let text = html(&fixture::session(), &fixture::options());
    let doc = Html::parse_document(&text);
    for css in [
        "script", "link", "img", "iframe", "object", "embed", "base", "form",
    ] {
        assert_eq!(count(&doc, css), 0, "{css}");
    }
    assert_eq!(count(&doc, "style"), 1);
    let all = Selector::parse("*").unwrap();
    for element in doc.select(&all) {
        for (name, value) in element.value().attrs() {
            assert!(!name.starts_with("on"), "event handler {name}");
            assert_ne!(name, "src", "external resource {value}");
            if name == "href" {
                assert!(
                    value.starts_with('#')
                        || value.starts_with("https://")
                        || value.starts_with("http://")
                        || value.starts_with("mailto:"),
                    "{value}"
                );
            }
        }
    }
    assert!(!text.contains("url("), "no resource in the stylesheet");
    assert!(!text.contains("@import"));
    // The table of contents points at sections that exist.
    let toc = Selector::parse("nav.toc a").unwrap();
    let targets: Vec<&str> = doc
        .select(&toc)
        .map(|a| a.value().attr("href").unwrap())
        .collect();
    assert!(targets.len() >= 20);
    for target in targets {
        let id = target.trim_start_matches('#');
        assert_eq!(count(&doc, &format!("section#{id}")), 1, "{target}");
    }
}

#[test]
fn sections_follow_the_markdown_report() {
    for session in [fixture::session(), {
        let mut s = fixture::session();
        s.target = aiready::domain::session::Target::Type1;
        s
    }] {
        let md = report::render(
            Format::Markdown,
            fixture::bank(),
            &session,
            &fixture::options(),
        )
        .unwrap();
        let md_sections: Vec<String> = md
            .lines()
            .filter_map(|l| l.strip_prefix("## "))
            .map(|h| h.replace('\\', ""))
            .collect();
        let doc = Html::parse_document(&html(&session, &fixture::options()));
        let html_sections: Vec<String> = select(&doc, "section > h2");
        assert_eq!(html_sections, md_sections);
        let toc: Vec<String> = select(&doc, "nav.toc li");
        assert_eq!(toc, md_sections);
        // Every appendix question is there.
        let questions = count(&doc, "#appendix .question");
        assert_eq!(questions, fixture::bank().questions().count());
    }
}

#[test]
fn the_heatmap_has_a_number_and_a_colour_range_in_every_cell_and_the_chart_is_svg() {
    let session = fixture::session();
    let doc = Html::parse_document(&html(&session, &fixture::options()));
    let cells = Selector::parse("table.heat tbody td").unwrap();
    let mut scored = 0;
    for cell in doc.select(&cells) {
        let text: String = cell.text().collect();
        let class = cell.value().attr("class").unwrap_or_default();
        if class.is_empty() {
            continue; // the category name
        }
        let number = text.split(' ').next().unwrap().parse::<u32>();
        match class {
            "band-type2" => assert!(number.clone().unwrap() >= 85, "{text}"),
            "band-type1" => assert!((70..85).contains(&number.clone().unwrap()), "{text}"),
            "band-below" => assert!(number.clone().unwrap() < 70, "{text}"),
            "band-none" => assert!(number.is_err(), "{text}"),
            other => panic!("unexpected class {other}"),
        }
        if number.is_ok() {
            scored += 1;
        }
    }
    assert!(scored > 10, "{scored} scored cells");
    // One bar per scored category, as long as its score.
    let bars = Selector::parse("svg.chart rect").unwrap();
    let rects: Vec<_> = doc.select(&bars).collect();
    let scored_categories = select(
        &doc,
        "#summary tbody td.num.band-type2, #summary tbody td.num.band-type1, #summary tbody td.num.band-below",
    );
    assert_eq!(rects.len(), scored_categories.len());
    for (rect, score) in rects.iter().zip(&scored_categories) {
        let width: u32 = rect.value().attr("width").unwrap().parse().unwrap();
        assert_eq!(width, score.parse::<u32>().unwrap() * 4);
    }
}

#[test]
fn the_print_stylesheet_breaks_pages_repeats_headers_and_prints_link_addresses() {
    let text = html(&fixture::session(), &fixture::options());
    let css = text
        .split("<style>")
        .nth(1)
        .unwrap()
        .split("</style>")
        .next()
        .unwrap();
    let print = css
        .split("@media print")
        .nth(1)
        .expect("a print stylesheet");
    assert!(print.contains("@page"));
    assert!(print.contains("section.major { break-before: page"));
    assert!(css.contains("thead { display: table-header-group; }"));
    assert!(css.contains("overflow-wrap: anywhere"));
    assert!(print.contains("content: \" <\" attr(href) \">\""));
    let doc = Html::parse_document(&text);
    let majors: Vec<String> = select(&doc, "section.major > h2");
    assert_eq!(
        majors,
        [
            "Scope",
            "Executive summary",
            "Top gaps",
            "SOC 2 control matrix",
            "Appendix: every question"
        ]
    );
    // Every table has a header row that repeats.
    assert_eq!(count(&doc, "table"), count(&doc, "table > thead"));
}

#[test]
fn text_people_typed_stays_text_and_only_web_and_mail_addresses_link() {
    let mut session = fixture::hostile_session();
    session.name = "\"><script>alert(1)</script><a href=\"javascript:alert(2)\">x</a>".into();
    for r in session.records.values_mut().filter(|r| r.answer.is_some()) {
        r.action.evidence = vec![
            "javascript:alert(3)".into(),
            "https://wiki.acme.example/x?a=1&b=\"2\"".into(),
            "mailto:dpo@acme.example".into(),
            "<img src=x onerror=alert(4)>".into(),
        ];
        r.notes = "x\" onmouseover=\"alert(5)\nsee https://t.example/a'b".into();
    }
    let text = html(&session, &fixture::options());
    let doc = Html::parse_document(&text);
    assert_eq!(count(&doc, "script"), 0);
    assert_eq!(count(&doc, "img"), 0);
    let all = Selector::parse("*").unwrap();
    for element in doc.select(&all) {
        for (name, value) in element.value().attrs() {
            assert!(!name.starts_with("on"), "{name}={value}");
            assert!(
                !value.to_lowercase().contains("javascript:"),
                "{name}={value}"
            );
        }
    }
    // The name reads as typed.
    assert_eq!(
        select(&doc, "h1")[0],
        format!("SOC 2 readiness report: {}", session.name)
    );
    // Links: only http(s) and mailto, showing the address they go to.
    let links = Selector::parse("a.url").unwrap();
    let mut hrefs: Vec<&str> = doc
        .select(&links)
        .map(|a| {
            let href = a.value().attr("href").unwrap();
            assert_eq!(a.text().collect::<String>(), href);
            href
        })
        .collect();
    hrefs.sort_unstable();
    hrefs.dedup();
    assert_eq!(
        hrefs,
        [
            "http://evil",
            "https://t.example/a'b",
            "https://wiki.acme.example/x?a=1&b=",
            "mailto:dpo@acme.example"
        ]
    );
    let evidence = select(&doc, "#appendix .question li li");
    assert!(evidence.contains(&"javascript:alert(3)".to_string()));
    assert!(evidence.contains(&"<img src=x onerror=alert(4)>".to_string()));
}

#[test]
fn anonymized_pages_have_no_names() {
    let options = Options {
        anonymize: true,
        ..fixture::options()
    };
    let text = html(&fixture::session(), &options);
    let doc = Html::parse_document(&text);
    let words: String = doc.root_element().text().collect::<Vec<_>>().join(" ");
    let words: Vec<&str> = words.split(|c: char| !c.is_alphanumeric()).collect();
    for name in fixture::NAMES {
        for part in name.split(' ') {
            assert!(!words.contains(&part), "{part}");
        }
    }
    assert!(!text.contains("Fiona"), "not even in the metadata");
    assert!(words.contains(&"Facilitator"));
}

#[test]
fn the_command_line_writes_html_with_the_built_in_or_a_users_template() {
    let dir = with_session(&fixture::session());
    let out = aiready(
        &["export", fixture::ID, "-f", "html", "-o", "r.html"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let written = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(written.starts_with("<!DOCTYPE html>"));

    // A user's template gets the same escaping; a misspelt field is named with its line.
    std::fs::write(
        dir.path().join("mine.html.j2"),
        "<h1>{{ session.name }}</h1>{{ \"<b>\" }}|{{ summary.overall }}\n",
    )
    .unwrap();
    let out = aiready(
        &[
            "export",
            fixture::ID,
            "-f",
            "html",
            "--template",
            "mine.html.j2",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("<h1>Acme support bot</h1>&lt;b&gt;|"));
    std::fs::write(dir.path().join("bad.html.j2"), "line\n{{ session.nmae }}\n").unwrap();
    let out = aiready(
        &[
            "export",
            fixture::ID,
            "-f",
            "html",
            "--template",
            "bad.html.j2",
        ],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("bad.html.j2"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("line 2, column 4"),
        "{}",
        stderr(&out)
    );

    // report.html.j2 in the config directory replaces the built-in template for HTML only.
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config/report.html.j2"),
        "mine: {{ session.id }}\n",
    )
    .unwrap();
    let out = aiready(&["export", fixture::ID, "-f", "html"], dir.path());
    assert_eq!(stdout(&out), format!("mine: {}\n", fixture::ID));
    let out = aiready(&["export", fixture::ID], dir.path());
    assert!(stdout(&out).contains("# SOC 2 readiness report"));
}
