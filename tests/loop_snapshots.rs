//! The screens of the workshop loop drawn into a test terminal at 120x40 and at the smallest
//! supported size, 80x24: answering pre-work, merging it from the setup, the triage agenda,
//! accepting the consensus, the agenda's pace in the header and a following window.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::prework::{Prework, PreworkAnswer};
use aiready::domain::scale::Answer;
use aiready::domain::session::Session;
use aiready::store::MemoryStore;
use aiready::store::prework as files;
use aiready::tui::action::Action;
use aiready::tui::app::App;
use common::{app, seed, t0, type_text};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui_textarea::{Input, Key};
use std::path::Path;
use std::time::Duration;

const ID: &str = "2026-01-01-acme-support-bot-5f3c2a";

/// The screen as text, one line per row, trailing spaces trimmed; temporary paths redacted.
fn draw(app: &App<'_>, width: u16, height: u16, dir: &Path) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| frame.render_widget(app, frame.area()))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..height {
        let mut line = String::new();
        for x in 0..width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.replace(ID, "[session id]")
        .replace(&dir.display().to_string(), "[dir]")
}

/// Snapshots a screen at both sizes.
fn both(name: &str, app: &App<'_>, dir: &Path) {
    insta::assert_snapshot!(format!("{name}_120x40"), draw(app, 120, 40, dir));
    insta::assert_snapshot!(format!("{name}_80x24"), draw(app, 80, 24, dir));
}

fn session(store: &MemoryStore) -> Session {
    seed(
        store,
        ID,
        "Acme support bot",
        &[("Ana", "ML"), ("Ben", "security"), ("Chi", "legal")],
    )
}

/// Pre-work of the three participants on the first questions, written into `dir`.
fn pre_work(dir: &Path, session: &Session) {
    let bank = aiready::content::builtin().unwrap();
    let ids: Vec<String> = session
        .applicable_questions(bank)
        .iter()
        .take(6)
        .map(|q| q.id.clone())
        .collect();
    let plan: [(&str, [Option<Answer>; 6], &str); 3] = [
        (
            "Ana",
            [
                Some(Answer::Operating),
                Some(Answer::Implemented),
                Some(Answer::Unknown),
                Some(Answer::Designed),
                Some(Answer::AdHoc),
                None,
            ],
            "Approval exists for the base set only.",
        ),
        (
            "Ben",
            [
                Some(Answer::AdHoc),
                Some(Answer::Implemented),
                Some(Answer::Designed),
                Some(Answer::Designed),
                Some(Answer::AdHoc),
                Some(Answer::NotApplicable),
            ],
            "",
        ),
        (
            "Chi",
            [
                Some(Answer::Designed),
                Some(Answer::Implemented),
                Some(Answer::Designed),
                Some(Answer::Implemented),
                None,
                None,
            ],
            "Legal has not seen the data-set licences.",
        ),
    ];
    for (who, answers, note) in plan {
        let participant = session.participants.iter().find(|p| p.name == who).unwrap();
        let mut prework = Prework::new(session, bank, participant, None, t0()).unwrap();
        for (id, answer) in ids.iter().zip(answers) {
            if answer.is_some() {
                prework.answers.insert(
                    id.clone(),
                    PreworkAnswer {
                        answer,
                        notes: String::new(),
                    },
                );
            }
        }
        if !note.is_empty() {
            prework.answers.entry(ids[0].clone()).or_default().notes = note.into();
        }
        files::create(&dir.join(files::file_name(ID, who)), &prework, false).unwrap();
    }
}

/// A session with the pre-work merged, on the setup screen with the merge preview shown.
fn merge_preview(dir: &Path) -> (MemoryStore, App<'static>) {
    let store = MemoryStore::new();
    let session = session(&store);
    pre_work(dir, &session);
    let mut app = app(&store);
    app.dispatch(Action::OpenSession(ID.into()));
    app.dispatch(Action::EditSetup);
    app.dispatch(Action::MergePrework);
    app.dispatch(Action::Input(Input {
        key: Key::Backspace,
        ..Input::default()
    }));
    type_text(&mut app, &dir.display().to_string());
    (store, app)
}

fn merged(dir: &Path) -> (MemoryStore, App<'static>) {
    let (store, mut app) = merge_preview(dir);
    app.dispatch(Action::Confirm);
    app.dispatch(Action::Confirm);
    app.dispatch(Action::Back);
    app.message = None;
    (store, app)
}

#[test]
fn merge_popup() {
    let dir = tempfile::tempdir().unwrap();
    let (_store, mut app) = merge_preview(dir.path());
    both("merge_form", &app, dir.path());
    app.dispatch(Action::Confirm);
    both("merge_preview", &app, dir.path());
}

#[test]
fn triage_agenda() {
    let dir = tempfile::tempdir().unwrap();
    let (_store, mut app) = merged(dir.path());
    app.dispatch(Action::Triage);
    both("triage", &app, dir.path());
    app.dispatch(Action::Consensus);
    both("consensus", &app, dir.path());
    app.dispatch(Action::Confirm);
    app.dispatch(Action::EditAgenda);
    type_text(&mut app, "90");
    app.dispatch(Action::Confirm);
    app.message = None;
    both("triage_planned", &app, dir.path());
    // The question screen following the agenda, with its pace in the header.
    app.dispatch(Action::Confirm);
    app.dispatch(Action::Tick(Duration::from_secs(300)));
    app.dispatch(Action::Answer(Answer::Designed));
    app.dispatch(Action::Tick(Duration::from_secs(200)));
    app.message = None;
    both("workshop_on_the_agenda", &app, dir.path());
}

#[test]
fn answering_pre_work() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    let session = session(&store);
    pre_work(dir.path(), &session);
    let mut app = app(&store);
    app.open_prework(&dir.path().join(files::file_name(ID, "Ana")));
    app.message = None;
    both("prework_question", &app, dir.path());
}

#[test]
fn opening_pre_work_from_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    session(&store);
    let mut app = app(&store);
    app.dispatch(Action::OpenPrework);
    type_text(&mut app, "maya.prework.ron");
    both("open_prework", &app, dir.path());
}

#[test]
fn a_window_following_the_facilitator() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _app) = merged(dir.path());
    let mut screen = app(&store);
    screen.follow_session(ID);
    both("following", &screen, dir.path());
}
