//! The Markdown report: a snapshot of the fixture, its structure as a CommonMark parser sees it
//! (also with hostile text), and completeness.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::session::Session;
use aiready::report::{self, Format, Template};
use common::fixture_session::{self as fixture, HOSTILE};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

fn markdown(session: &Session) -> String {
    report::render(
        Format::Markdown,
        fixture::bank(),
        session,
        &fixture::options(),
    )
    .unwrap()
}

#[test]
fn snapshot_of_the_fixture_report() {
    // The version changes with every release; the report around it should not.
    let text = markdown(&fixture::session()).replace(env!("CARGO_PKG_VERSION"), "[version]");
    insta::assert_snapshot!(text);
}

/// What a reader sees: headings, table shapes and anything that is not plain text.
#[derive(Debug, Default)]
struct Outline {
    headings: Vec<(HeadingLevel, String)>,
    /// Per table: the cell count of each row, header first.
    tables: Vec<Vec<usize>>,
    /// Text of every table cell, in order.
    cells: Vec<String>,
    html: Vec<String>,
    links: Vec<String>,
    block_quotes: usize,
    code_blocks: Vec<String>,
    code_spans: Vec<String>,
}

fn outline(text: &str) -> Outline {
    let mut o = Outline::default();
    let mut heading: Option<(HeadingLevel, String)> = None;
    let mut cell: Option<String> = None;
    for event in Parser::new_ext(text, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, String::new())),
            Event::End(TagEnd::Heading(_)) => o.headings.extend(heading.take()),
            Event::Start(Tag::Table(_)) => o.tables.push(Vec::new()),
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                if let Some(t) = o.tables.last_mut() {
                    t.push(0);
                }
            }
            Event::Start(Tag::TableCell) => {
                if let Some(n) = o.tables.last_mut().and_then(|t| t.last_mut()) {
                    *n += 1;
                }
                cell = Some(String::new());
            }
            Event::End(TagEnd::TableCell) => o.cells.extend(cell.take()),
            Event::Html(h) | Event::InlineHtml(h) => o.html.push(h.to_string()),
            Event::Start(Tag::Link { dest_url, .. }) => o.links.push(dest_url.to_string()),
            Event::Start(Tag::Image { dest_url, .. }) => o.links.push(dest_url.to_string()),
            Event::Start(Tag::BlockQuote(_)) => o.block_quotes += 1,
            Event::Start(Tag::CodeBlock(kind)) => o.code_blocks.push(match kind {
                CodeBlockKind::Fenced(info) => info.to_string(),
                CodeBlockKind::Indented => "indented".to_string(),
            }),
            Event::Code(c) => {
                o.code_spans.push(c.to_string());
                if let Some(s) = heading.as_mut() {
                    s.1.push_str(&c);
                }
                if let Some(s) = cell.as_mut() {
                    s.push_str(&c);
                }
            }
            Event::Text(t) => {
                if let Some(s) = heading.as_mut() {
                    s.1.push_str(&t);
                }
                if let Some(s) = cell.as_mut() {
                    s.push_str(&t);
                }
            }
            _ => {}
        }
    }
    o
}

const H2: [&str; 16] = [
    "Session",
    "Scope",
    "Executive summary",
    "Category scores",
    "Heatmap",
    "Top gaps",
    "Action plan",
    "Follow-ups",
    "Disagreements",
    "SOC 2 control matrix",
    "Time per section",
    "Appendix: every question",
    "Answers to questions no longer in the questionnaires",
    "Content versions",
    "",
    "",
];

/// The designed outline: one title, the fixed level-2 sections, then in the appendix a
/// level-3 heading per questionnaire and a level-4 heading per section.
fn expected_headings(session: &Session) -> Vec<(HeadingLevel, String)> {
    let bank = fixture::bank();
    let mut out = vec![(
        HeadingLevel::H1,
        format!("SOC 2 readiness report: {}", session.name),
    )];
    for h in H2.iter().filter(|h| !h.is_empty()) {
        out.push((HeadingLevel::H2, (*h).to_string()));
        if *h == "Appendix: every question" {
            for qn in &bank.questionnaires {
                let suffix = if session.in_scope(qn.category) {
                    ""
                } else {
                    " (out of scope)"
                };
                out.push((HeadingLevel::H3, format!("{}{suffix}", qn.category.title())));
                for sec in &qn.sections {
                    out.push((
                        HeadingLevel::H4,
                        format!("{}: {}", qn.category.title(), sec.stage.title()),
                    ));
                }
            }
        }
    }
    out
}

fn assert_structure(session: &Session, text: &str) -> Outline {
    let o = outline(text);
    assert_eq!(o.headings, expected_headings(session));
    assert!(o.tables.len() >= 10, "{} tables", o.tables.len());
    for (i, rows) in o.tables.iter().enumerate() {
        let header = rows[0];
        assert!(header >= 2, "table {i} has {header} columns");
        for (r, n) in rows.iter().enumerate() {
            assert_eq!(
                *n, header,
                "table {i} row {r} has {n} cells, header {header}"
            );
        }
    }
    assert!(o.html.is_empty(), "raw HTML: {:?}", o.html);
    assert!(o.links.is_empty(), "links: {:?}", o.links);
    assert_eq!(o.block_quotes, 0);
    assert_eq!(o.code_blocks, ["mermaid"]);
    for span in &o.code_spans {
        assert!(
            span.chars().all(|c| c == '=' || c == '.'),
            "code span {span:?}"
        );
    }
    o
}

#[test]
fn fixture_report_has_the_designed_outline_and_consistent_tables() {
    let s = fixture::session();
    assert_structure(&s, &markdown(&s));
}

#[test]
fn hostile_text_stays_plain_text() {
    let s = fixture::hostile_session();
    let text = markdown(&s);
    let o = assert_structure(&s, &text);
    // The reader sees exactly what was typed, with line breaks shown as " / ".
    let shown = |t: &str| {
        t.split(['\n', '\r'])
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" / ")
    };
    for cell in [&s.organisation, &s.system, &s.facilitator, &s.name] {
        assert!(
            o.cells.contains(&shown(cell)),
            "{cell:?} not shown as typed"
        );
    }
    for h in HOSTILE {
        assert!(
            o.cells.iter().any(|c| c.contains(&shown(h))),
            "{h:?} not found as plain text in any cell"
        );
    }
}

/// The text a reader sees, as a CommonMark parser reads it: line breaks inside a block as `\n`,
/// every block on its own line, table cells ended by a tab.
fn visible_text(text: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(text, Options::ENABLE_TABLES) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::End(TagEnd::TableCell) => out.push('\t'),
            Event::Start(_) | Event::End(_) if !out.ends_with(['\n', '\t']) => out.push('\n'),
            _ => {}
        }
    }
    out
}

/// The fixture's votes on its first four questions, written out from the fixture session.
const VOTES: [&str; 4] = [
    "Votes: Ana Alvarez 3, Ben Okafor 1, Chi Nakamura 2",
    "Votes: Ana Alvarez 4, Ben Okafor 4, Chi Nakamura 3",
    "Votes: Ana Alvarez 4, Ben Okafor 0, Chi Nakamura ?",
    "Votes: Ana Alvarez 2, Ben Okafor 2, Chi Nakamura N/A",
];

#[test]
fn every_note_evidence_item_and_action_appears() {
    let s = fixture::session();
    let text = markdown(&s);
    // Checked against what a reader sees, so that text escaped twice (a visible backslash)
    // or not at all (markup taking effect) fails as surely as text left out.
    let visible = visible_text(&text);
    let bank = fixture::bank();
    let mut checked = 0;
    for (id, r) in &s.records {
        let in_bank = bank.question(id).is_some();
        for line in r.notes.lines() {
            assert!(visible.contains(line), "note of {id}: {line}");
            checked += 1;
        }
        for e in &r.evidence {
            assert!(visible.contains(e.as_str()), "evidence of {id}: {e}");
            checked += 1;
        }
        if !r.action_owner.is_empty() {
            let due = r.due.map(|d| d.to_string()).unwrap_or_default();
            let needle = if in_bank {
                format!("Action: {}, due {due}\n", r.action_owner)
            } else {
                // A table row: the owner's cell, then the due date's.
                format!("\t{}\t{due}\t", r.action_owner)
            };
            assert!(visible.contains(&needle), "action of {id}: {needle}");
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} items checked");
    // The multi-line note keeps its lines, the last one starting with a dash as typed.
    assert!(
        visible
            .contains("Notes: Reviewed in the workshop.\nSecond line of the note\n- with a dash\n"),
        "{visible}"
    );
    for votes in VOTES {
        assert!(visible.contains(&format!("{votes}\n")), "{votes}");
    }
    // Each item of a question's entry stands on its own line.
    for line in text.lines() {
        for item in [
            "- Flagged for later discussion",
            "- Evidence:",
            "- Notes:",
            "- Votes:",
        ] {
            if let Some(pos) = line.find(item) {
                assert!(line[..pos].trim().is_empty(), "run-on line: {line}");
            }
        }
    }
    assert!(text.contains(fixture::ORPHAN));
}

#[test]
fn a_custom_template_replaces_the_built_in_one_and_still_escapes() {
    let mut s = fixture::session();
    s.organisation = "<script>x</script>".into();
    let mut options = fixture::options();
    options.template = Some(Template {
        name: "mine.j2".into(),
        source: "Org: {{ session.organisation }}; gaps {{ summary.gaps }}\n".into(),
    });
    let text = report::render(Format::Markdown, fixture::bank(), &s, &options).unwrap();
    assert!(
        text.starts_with("Org: \\<script\\>x\\</script\\>; gaps "),
        "{text}"
    );
}

#[test]
fn a_broken_template_is_reported_with_its_name() {
    let mut options = fixture::options();
    options.template = Some(Template {
        name: "broken.j2".into(),
        source: "{% for x in %}\n".into(),
    });
    let err = report::render(
        Format::Markdown,
        fixture::bank(),
        &fixture::session(),
        &options,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("broken.j2"), "{err}");
    options.template = Some(Template {
        name: "typo.j2".into(),
        source: "{{ session.nmae }}\n".into(),
    });
    let err = report::render(
        Format::Markdown,
        fixture::bank(),
        &fixture::session(),
        &options,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("typo.j2"), "{err}");
}
