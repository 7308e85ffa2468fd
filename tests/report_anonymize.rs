//! `--anonymize` holds: for random names (with accents and other scripts) and notes, evidence,
//! owners and session fields that mention them in any letter case, no name part and no e-mail
//! address survives in any format.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::session::{Participant, Session};
use aiready::report::{self, Format};
use calamine::{Reader, Xlsx};
use common::fixture_session as fixture;
use proptest::prelude::*;
use std::io::Cursor;

/// Name parts: ASCII, accented Latin, Greek, Cyrillic, with hyphens inside some.
fn part() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Raj",
        "Patel",
        "Chloé",
        "Dubois-Martin",
        "Zoë",
        "Ødegård",
        "Ξένια",
        "Ирина",
        "Müller",
        "O'Neil",
        "Nakamura",
        "Ana",
        "Li",
        "Björn",
        "Saoirse",
        "Dvořák",
        "Émile",
    ])
    .prop_map(str::to_string)
}

fn name() -> impl Strategy<Value = String> {
    prop::collection::vec(part(), 1..=3).prop_map(|parts| parts.join(" "))
}

/// How a mention is written in a note.
#[derive(Debug, Clone, Copy)]
enum Case {
    AsIs,
    Upper,
    Lower,
}

fn write(text: &str, case: Case) -> String {
    match case {
        Case::AsIs => text.to_string(),
        Case::Upper => text.to_uppercase(),
        Case::Lower => text.to_lowercase(),
    }
}

fn case() -> impl Strategy<Value = Case> {
    prop_oneof![Just(Case::AsIs), Just(Case::Upper), Just(Case::Lower)]
}

/// Whether `word` occurs in `text` as a whole word, in any letter case.
fn has_word(text: &str, word: &str) -> bool {
    let (text, word) = (text.to_lowercase(), word.to_lowercase());
    text.match_indices(&word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Every name part a person's name has: words, and the pieces of hyphenated words.
fn parts_of(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in name.split_whitespace() {
        out.push(w.to_string());
        out.extend(w.split('-').map(str::to_string));
    }
    out.retain(|p| p.chars().count() >= 2);
    out
}

fn session_with(people: &[String], mentions: &[(usize, bool, Case)]) -> Session {
    let mut s = fixture::session();
    s.facilitator = people[0].clone();
    s.participants = people[1..]
        .iter()
        .enumerate()
        .map(|(i, n)| Participant {
            name: n.clone(),
            role: format!("role {i}"),
        })
        .collect();
    // Votes are keyed by participant; the fixture's voters are replaced by these people.
    for r in s.records.values_mut() {
        r.votes.clear();
    }
    let ids: Vec<String> = s.records.keys().cloned().collect();
    for (i, (who, full, case)) in mentions.iter().enumerate() {
        let person = &people[who % people.len()];
        let shown = if *full {
            person.clone()
        } else {
            parts_of(person).last().cloned().unwrap_or_default()
        };
        let email = format!(
            "{}.{}@acme-{i}.example",
            parts_of(person)[0].to_lowercase(),
            i
        );
        let id = &ids[i % ids.len()];
        let r = s.record_mut(id);
        r.notes = format!(
            "Ask {} ({email}); {}, agreed.\n\nThen {} reviews.",
            write(&shown, *case),
            write(person, *case),
            write(&parts_of(person)[0], *case)
        );
        r.action
            .evidence
            .push(format!("mail from {email} to {}", write(&shown, *case)));
        r.action.owner = write(person, *case);
        if i < people.len() - 1 {
            r.votes.insert(
                people[1 + i].clone(),
                aiready::domain::scale::Answer::Designed,
            );
        }
    }
    s.organisation = format!("Acme, contact {}", people[0]);
    s
}

/// The report as text a reader sees: the file itself; for the HTML page its text and every
/// attribute value (tags and the stylesheet are markup: `<li>` is not a person called Li); for the
/// workbook every cell of every sheet as a spreadsheet reader gives it back.
fn report_text(
    format: Format,
    bank: &aiready::domain::questionnaire::QuestionBank,
    session: &Session,
    options: &report::Options,
) -> String {
    let bytes = report::render_bytes(format, bank, session, options).unwrap();
    if format == Format::Html {
        let page = scraper::Html::parse_document(&String::from_utf8(bytes).unwrap());
        let mut text = String::new();
        for node in page.tree.nodes() {
            match node.value() {
                // The stylesheet is ours, and its selectors (`p, li`) are not names.
                scraper::Node::Text(t)
                    if node
                        .parent()
                        .and_then(|p| p.value().as_element())
                        .is_none_or(|e| e.name() != "style") =>
                {
                    text.push_str(t)
                }
                scraper::Node::Element(e) => {
                    for (_, value) in e.attrs() {
                        text.push('\n');
                        text.push_str(value);
                    }
                }
                _ => {}
            }
            text.push('\n');
        }
        return text;
    }
    if format != Format::Xlsx {
        return String::from_utf8(bytes).unwrap();
    }
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        for row in range.rows() {
            for cell in row {
                text.push_str(&cell.to_string());
                text.push('\n');
            }
        }
    }
    assert!(!text.is_empty(), "the workbook has no cells");
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn no_name_part_or_address_survives_in_any_format(
        people in prop::collection::vec(name(), 2..5),
        mentions in prop::collection::vec((0..5usize, any::<bool>(), case()), 1..12),
    ) {
        // Distinct people only: two people with one name are one person to a reader.
        let mut people = people;
        people.sort();
        people.dedup();
        prop_assume!(people.len() >= 2);
        let session = session_with(&people, &mentions);
        let mut options = fixture::options();
        options.anonymize = true;
        let bank = fixture::bank();
        for format in Format::ALL {
            let text = report_text(format, bank, &session, &options);
            for person in &people {
                for part in parts_of(person) {
                    prop_assert!(!has_word(&text, &part), "{} survives in {}", part, format);
                }
            }
            prop_assert!(!text.contains("@acme-"), "an address survives in {}", format);
        }
    }
}

#[test]
fn a_fixed_example_reads_well() {
    let people = [
        "Fay Fischer".to_string(),
        "Raj Patel".to_string(),
        "Chloé Dubois".to_string(),
    ];
    let mut s = session_with(&people, &[]);
    let id = s.records.keys().next().cloned().unwrap();
    s.record_mut(&id).notes =
        "Ask Raj ... raj.patel@acme.example ... RAJ PATEL agreed; Chloé to review".into();
    let mut options = fixture::options();
    options.anonymize = true;
    let text = report::render(Format::Markdown, fixture::bank(), &s, &options).unwrap();
    assert!(
        text.contains(
            "Ask Participant A ... \\[e-mail withheld\\] ... Participant A agreed; Participant B to review"
        ),
        "{}",
        text.lines().filter(|l| l.contains("Ask ")).collect::<Vec<_>>().join("\n")
    );
    assert!(text.contains("| Participant A | role 0 |"));
    assert!(text.contains("Facilitator"));
}
