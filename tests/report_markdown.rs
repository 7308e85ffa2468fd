//! The Markdown report: a snapshot of the fixture, its structure as a CommonMark + GFM parser
//! sees it (also with hostile text and web addresses), and completeness.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::session::{Session, Target};
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

/// How a reader sees a one-line field: lines trimmed and joined with " / ", blank lines as " ¶ ".
fn shown(text: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in text.replace("\r\n", "\n").split(['\n', '\r']) {
        let line = line.trim();
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { " ¶ " } else { " / " });
        }
        out.push_str(line);
        blank = false;
    }
    out
}

/// Every piece of text somebody typed into the session.
fn typed_text(s: &Session) -> Vec<String> {
    let mut out = vec![
        s.name.clone(),
        s.organisation.clone(),
        s.system.clone(),
        s.facilitator.clone(),
    ];
    for p in &s.participants {
        out.push(p.name.clone());
        out.push(p.role.clone());
    }
    for r in s.records.values() {
        out.push(r.notes.clone());
        out.push(r.action.owner.clone());
        out.extend(r.action.evidence.iter().cloned());
        out.extend(r.votes.keys().cloned());
    }
    out
}

/// The web addresses in what was typed, found independently of the report code: in each word,
/// from http:// or https:// up to a quote or angle bracket, without the punctuation that ends
/// a sentence or an unmatched closing bracket.
fn typed_addresses(s: &Session) -> Vec<String> {
    let mut out = Vec::new();
    for text in typed_text(s) {
        for word in text.split_whitespace() {
            let Some(start) = word.find("http://").or_else(|| word.find("https://")) else {
                continue;
            };
            let url = word[start..]
                .split(['"', '<', '>'])
                .next()
                .unwrap_or_default();
            let mut url = url
                .trim_end_matches(['.', ',', ';', ':', '!', '?', '\''])
                .to_string();
            while url.ends_with(')') && url.matches(')').count() > url.matches('(').count() {
                url.pop();
            }
            out.push(url);
        }
    }
    out
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
    /// (href, link text) of every link.
    links: Vec<(String, String)>,
    /// Every run of text a reader sees, outside code (consecutive text events joined).
    texts: Vec<String>,
    /// The metadata block at the top.
    metadata: Option<String>,
    block_quotes: usize,
    code_blocks: Vec<String>,
    code_spans: Vec<String>,
}

fn outline(text: &str) -> Outline {
    let mut o = Outline::default();
    let mut heading: Option<(HeadingLevel, String)> = None;
    let mut cell: Option<String> = None;
    let mut link: Option<String> = None;
    let mut after_text = false;
    for event in Parser::new_ext(text, gfm()) {
        let is_text = matches!(event, Event::Text(_));
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
            Event::Start(Tag::Link { dest_url, .. }) => {
                o.links.push((dest_url.to_string(), String::new()));
                link = Some(String::new());
            }
            Event::End(TagEnd::Link) => {
                if let (Some(l), Some(text)) = (o.links.last_mut(), link.take()) {
                    l.1 = text;
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                o.links.push((dest_url.to_string(), "image".to_string()))
            }
            Event::Start(Tag::MetadataBlock(_)) => o.metadata = Some(String::new()),
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
            Event::Text(t) if o.metadata.as_ref().is_some_and(|m| m.is_empty()) => {
                o.metadata = Some(t.to_string());
            }
            Event::Text(t) => {
                match o.texts.last_mut() {
                    Some(last) if after_text => last.push_str(&t),
                    _ => o.texts.push(t.to_string()),
                }
                if let Some(s) = link.as_mut() {
                    s.push_str(&t);
                }
                if let Some(s) = heading.as_mut() {
                    s.1.push_str(&t);
                }
                if let Some(s) = cell.as_mut() {
                    s.push_str(&t);
                }
            }
            _ => {}
        }
        after_text = is_text;
    }
    o
}

/// The parser options that match GitHub: tables, strikethrough, task lists, footnotes, and the
/// metadata block at the top that GitHub and pandoc read.
fn gfm() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

const H2: [&str; 21] = [
    "Scope",
    "About this report",
    "Methodology",
    "Criteria and content",
    "Observation period",
    "Document control",
    "Session",
    "Executive summary",
    "Category scores",
    "Heatmap",
    "Top gaps",
    "Action plan",
    "Follow-ups",
    "Disagreements",
    "SOC 2 control matrix",
    "Evidence request list",
    "NIST AI RMF matrix",
    "ISO/IEC 42001 matrix",
    "Time per section",
    "Appendix: every question",
    "Answers to questions no longer in the questionnaires",
];

/// The designed outline: one title, the fixed level-2 sections (the observation period only
/// for a Type 2 target), a level-3 heading per action owner in the evidence request list, then
/// in the appendix a level-3 heading per questionnaire and a level-4 heading per section.
fn expected_headings(session: &Session) -> Vec<(HeadingLevel, String)> {
    let bank = fixture::bank();
    let mut out = vec![(
        HeadingLevel::H1,
        format!("SOC 2 readiness report: {}", session.name),
    )];
    let results = aiready::domain::scoring::score(bank, session);
    for h in H2 {
        if h == "Observation period" && session.target != Target::Type2 {
            continue;
        }
        out.push((HeadingLevel::H2, h.to_string()));
        if h == "Evidence request list" {
            // Owners of the gaps' actions, alphabetically, then the gaps without one.
            let mut owners: Vec<String> = results
                .gaps
                .iter()
                .map(|g| {
                    session
                        .record(g.question_id)
                        .map_or(String::new(), |r| r.action.owner.trim().to_string())
                })
                .collect();
            owners.sort_by_key(|o| (o.is_empty(), o.to_lowercase()));
            owners.dedup();
            for o in owners {
                let title = if o.is_empty() {
                    "No owner yet".to_string()
                } else {
                    shown(&o)
                };
                out.push((HeadingLevel::H3, title));
            }
        }
        if h == "Appendix: every question" {
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
    // The only links are the web addresses people typed, each exactly as typed.
    let typed = typed_addresses(session);
    for (href, text) in &o.links {
        assert_eq!(href, text, "a link whose text is not its address");
        assert!(typed.contains(href), "link {href:?} nobody typed");
    }
    // A backslash a reader sees is one somebody typed: with every typed word that has one
    // taken out of what the reader sees, none is left.
    let typed_words: Vec<String> = typed_text(session)
        .iter()
        .flat_map(|t| t.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .filter(|w| w.contains('\\'))
        .collect();
    for run in &o.texts {
        let mut rest = run.clone();
        for w in &typed_words {
            rest = rest.replace(w.as_str(), "");
        }
        assert!(!rest.contains('\\'), "a backslash nobody typed: {run:?}");
    }
    let metadata = o.metadata.as_deref().unwrap_or_default();
    assert!(
        metadata.starts_with("title: 'SOC 2 readiness report: "),
        "metadata: {metadata:?}"
    );
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
        for e in &r.action.evidence {
            assert!(visible.contains(e.as_str()), "evidence of {id}: {e}");
            checked += 1;
        }
        if !r.action.owner.is_empty() {
            let due = r.action.due.map(|d| d.to_string()).unwrap_or_default();
            let needle = if in_bank {
                format!("Action: {}, due {due}", r.action.owner)
            } else {
                // A table cell: the owner, then the due date.
                format!("\t{}, {due}\t", r.action.owner)
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

/// Addresses with every character that Markdown escaping used to break.
const URLS: [&str; 4] = [
    "https://wiki.acme.example/Model_Cards/v2?team=ml&year=2026#section~3",
    "http://tickets.acme.example/browse/SEC-1234?filter=a_b&sort=due*desc",
    "https://docs.acme.example/a%20b/(draft)/index.html",
    "https://drive.acme.example/file/d/1AbC_dEf~gHi/view?usp=sharing&x=[1]",
];

#[test]
fn web_addresses_become_links_to_exactly_what_was_typed() {
    let mut s = fixture::session();
    let ids: Vec<String> = s.records.keys().take(8).cloned().collect();
    for (i, id) in ids.iter().enumerate() {
        let r = s.record_mut(id);
        r.action.evidence = vec![URLS[i % URLS.len()].to_string(), format!("Ticket SEC-{i}")];
        r.notes = format!(
            "See {} for the details.\n\nSecond paragraph: C:\\share\\evidence_{i}",
            URLS[(i + 1) % URLS.len()]
        );
    }
    let text = markdown(&s);
    let o = assert_structure(&s, &text);
    let hrefs: Vec<&str> = o.links.iter().map(|(h, _)| h.as_str()).collect();
    for url in URLS {
        assert!(hrefs.contains(&url), "{url} is not a link: {hrefs:?}");
    }
    // The typed backslashes are shown as typed (assert_structure checks there are no others).
    assert!(
        o.texts.iter().any(|t| t.contains("C:\\share\\evidence_0")),
        "{:?}",
        o.texts
            .iter()
            .filter(|t| t.contains("share"))
            .collect::<Vec<_>>()
    );
}

#[test]
fn blank_lines_in_notes_are_kept_as_paragraphs() {
    let mut s = fixture::session();
    // A gap, so that the note is also in the action plan's table.
    let results = aiready::domain::scoring::score(fixture::bank(), &s);
    let id = results.gaps[0].question_id.to_string();
    s.record_mut(&id).notes = "First paragraph.\n\nSecond paragraph,\nwith a second line.".into();
    let text = markdown(&s);
    // In the appendix the note is two paragraphs inside the question's list item.
    let mut paragraphs = Vec::new();
    let mut current: Option<String> = None;
    let mut in_item = 0;
    for event in Parser::new_ext(&text, gfm()) {
        match event {
            Event::Start(Tag::Item) => in_item += 1,
            Event::End(TagEnd::Item) => in_item -= 1,
            Event::Start(Tag::Paragraph) if in_item > 0 => current = Some(String::new()),
            Event::End(TagEnd::Paragraph) => paragraphs.extend(current.take()),
            Event::Text(t) => {
                if let Some(p) = current.as_mut() {
                    p.push_str(&t);
                }
            }
            Event::HardBreak => {
                if let Some(p) = current.as_mut() {
                    p.push('\n');
                }
            }
            _ => {}
        }
    }
    assert!(
        paragraphs
            .iter()
            .any(|p| p.ends_with("Notes: First paragraph.")),
        "{paragraphs:?}"
    );
    assert!(
        paragraphs.contains(&"Second paragraph,\nwith a second line.".to_string()),
        "{paragraphs:?}"
    );
    // In a table cell, where paragraphs cannot be, the break is marked.
    assert!(text.contains("First paragraph. ¶ Second paragraph, / with a second line."));
}
