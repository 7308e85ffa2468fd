//! Format 2 content end to end: a question shared by two categories is asked once and counted
//! in both, shown in both navigations; answers kept under a retired id are reported with the
//! question that replaced it; the audit guide and primary identifiers reach the report.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::content::{self, Bank, Source};
use aiready::domain::framework::Category;
use aiready::domain::questionnaire::QuestionBank;
use aiready::domain::scale::Answer;
use aiready::domain::scoring;
use aiready::domain::session::Session;
use aiready::report::{self, Format, Options};
use aiready::store::{MemoryStore, SessionStore};
use aiready::tui::action::Action;
use aiready::tui::app::App;
use aiready::tui::keymap::Keymap;
use aiready::tui::session::Nav;
use aiready::tui::theme::{Theme, ThemeName};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// One format 2 question; `extra` holds optional fields such as `also_in`.
fn question(id: &str, prompt: &str, extra: &str) -> String {
    format!(
        r#"Question(
            id: "{id}",
            prompt: "{prompt}",
            guidance: "Guidance for {id}.",
            good_looks_like: "Good for {id}.",
            evidence: ["Evidence for {id}"],
            type1_evidence: "Type 1 for {id}: the procedure and one record.",
            type2_evidence: "Type 2 for {id}: every event in the period; sample 25.",
            frequency: PerEvent,
            tested_by: [Inquiry, Inspection],
            typical_exception: "Exception for {id}: one record without approval.",
            weight: 2,
            critical: false,
            maps_to: (
                tsc: (primary: "C1.2", why: "Disposal of confidential data for {id}.", secondary: ["P4.3"]),
                owasp: (primary: "LLM02", why: "Leftover copies leak for {id}."),
            ),
            remediation: "Fix {id}.",
            {extra}
        )"#
    )
}

fn questionnaire(id: &str, category: &str, questions: &[String]) -> Source {
    Source {
        name: format!("{id}.ron"),
        text: format!(
            r#"Questionnaire(
    format: 2,
    id: "{id}",
    title: "{category}",
    category: {category},
    version: "2.0.0",
    description: "Test content.",
    sections: [Section(stage: Disposal, questions: [{}])],
)"#,
            questions.join(",\n")
        ),
    }
}

fn bank() -> QuestionBank {
    let sources = [
        questionnaire(
            "confidentiality",
            "Confidentiality",
            &[question(
                "conf-dsp-10",
                "Is confidential data deleted from every AI store when it must go?",
                r#"also_in: [Privacy], replaces: ["conf-dsp-01", "prv-dsp-01"],"#,
            )],
        ),
        questionnaire(
            "privacy",
            "Privacy",
            &[question(
                "prv-dsp-10",
                "Are erasure requests answered within the legal deadline?",
                "",
            )],
        ),
    ];
    content::load_sources(&sources).unwrap()
}

fn session(bank: &QuestionBank) -> Session {
    let mut s = Session::new("s".into(), "Shared".into(), bank, Timestamp::UNIX_EPOCH);
    s.set_answer(
        "conf-dsp-10",
        Some(Answer::Operating),
        Timestamp::UNIX_EPOCH,
    );
    s.set_answer("prv-dsp-10", Some(Answer::AdHoc), Timestamp::UNIX_EPOCH);
    // An answer given to a question the bank has retired.
    s.set_answer("prv-dsp-01", Some(Answer::Designed), Timestamp::UNIX_EPOCH);
    s
}

#[test]
fn a_shared_question_is_counted_in_each_category_once_answered() {
    let bank = bank();
    let session = session(&bank);
    let results = scoring::score(&bank, &session);
    let score = |c: Category| results.category(c).and_then(|r| r.score);
    assert_eq!(score(Category::Confidentiality), Some(100.0));
    // Privacy: the shared question (100) and its own (25).
    assert_eq!(score(Category::Privacy), Some(62.5));
    assert_eq!(results.completion.applicable, 2);
    assert_eq!(results.orphaned, ["prv-dsp-01"]);
}

#[test]
fn a_shared_question_appears_in_each_navigation() {
    let bank = bank();
    let session = session(&bank);
    let nav = Nav::build(&bank, &session);
    let shown: Vec<(Category, String)> = nav
        .questions
        .iter()
        .map(|q| {
            let section = nav.sections[q.nav_section];
            let id = bank.questionnaires[q.questionnaire].sections[q.section].questions[q.index]
                .id
                .clone();
            (section.category, id)
        })
        .collect();
    assert_eq!(
        shown,
        [
            (Category::Confidentiality, "conf-dsp-10".to_string()),
            (Category::Privacy, "prv-dsp-10".to_string()),
            (Category::Privacy, "conf-dsp-10".to_string()),
        ]
    );
}

#[test]
fn the_report_names_replacements_and_shows_the_audit_guide() {
    let bank = bank();
    let session = session(&bank);
    let options = Options {
        generated: Timestamp::UNIX_EPOCH,
        ..Options::now()
    };
    let text = report::render(Format::Markdown, &bank, &session, &options).unwrap();
    let orphan_row = text
        .lines()
        .find(|l| l.starts_with("| prv-dsp-01 |"))
        .unwrap_or_else(|| panic!("no orphan row in:\n{text}"));
    assert!(
        orphan_row.starts_with("| prv-dsp-01 | conf-dsp-10 | 2 Designed |"),
        "{orphan_row}"
    );
    for expected in [
        "    - Also counts in: Privacy",
        "    - Primary, SOC 2 C1.2: Disposal of confidential data for conf-dsp-10.",
        "    - Primary, OWASP LLM02: Leftover copies leak for conf-dsp-10.",
        "    - Type 1 evidence: Type 1 for conf-dsp-10: the procedure and one record.",
        "    - Type 2 evidence: Type 2 for conf-dsp-10: every event in the period; sample 25.",
        "    - Frequency and test: per event or change; inquiry and inspection",
        "    - Typical exception: Exception for conf-dsp-10: one record without approval.",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // The shared question is listed once in the appendix.
    assert_eq!(text.matches("**conf-dsp-10**").count(), 1);
}

/// The workshop screen as text.
fn draw(app: &App<'_>) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 50)).unwrap();
    terminal
        .draw(|frame| frame.render_widget(app, frame.area()))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// The app over `bank` with the test session open on its first question.
fn open_app<'b>(bank: &'b Bank<'b>) -> App<'b> {
    let store = MemoryStore::new();
    drop(store.create(&session(bank)).unwrap());
    let mut app = App::new(
        bank,
        Box::new(store),
        Keymap::defaults().unwrap(),
        Theme::new(ThemeName::Dark, false),
        Box::new(common::t0),
    );
    app.dispatch(Action::OpenSession("s".into()));
    app
}

#[test]
fn the_workshop_marks_shared_questions_and_shows_the_audit_guide() {
    let bank = bank();
    let bank = Bank::Loaded(&bank);
    let mut app = open_app(&bank);
    let screen = draw(&app);
    assert!(
        screen.contains("CONFIDENTIALITY > Disposal  shared "),
        "{screen}"
    );
    assert!(screen.contains("Also counts in   Privacy"), "{screen}");
    for expected in [
        "Type 1           Type 1 for conf-dsp-10: the procedure and one record.",
        "Type 2           Type 2 for conf-dsp-10: every event in the period; sample 25.",
        "Tested           per event or change; by inquiry and inspection",
        "Exception        Exception for conf-dsp-10: one record without approval.",
        "Maps to          C1.2 + P4.3  LLM02",
    ] {
        assert!(
            screen.contains(expected),
            "missing {expected:?} in:\n{screen}"
        );
    }
    // The same question again, in Privacy's part of the navigation.
    app.dispatch(Action::Next);
    app.dispatch(Action::Next);
    let screen = draw(&app);
    assert!(screen.contains("PRIVACY > Disposal"), "{screen}");
    assert!(
        screen.contains("Also counts in   Confidentiality"),
        "{screen}"
    );
    assert!(screen.contains("conf-dsp-10"), "{screen}");
}

#[test]
fn search_lists_a_shared_question_once() {
    let bank = bank();
    let bank = Bank::Loaded(&bank);
    let mut app = open_app(&bank);
    app.dispatch(Action::Search);
    common::type_text(&mut app, "conf-dsp-10");
    let screen = draw(&app);
    assert!(screen.contains("1 match"), "{screen}");
}
