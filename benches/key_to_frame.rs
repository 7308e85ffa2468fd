//! From an answer key to the next frame in the workshop, with the session saved in a real data
//! directory (the file store: encode, write, fsync, rename) as the program does: the key is
//! looked up in the key map, the action dispatched (answer, re-score, save), and a 120x40 frame
//! drawn. Measured at the built-in questionnaires and at a generated 5,000-question bank, half
//! answered. Only the answer key and its frame are timed; the step back to the same question
//! that follows each one is not.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::questionnaire::QuestionBank;
use aiready::domain::scale::Answer;
use aiready::domain::session::{Participant, Session};
use aiready::store::{FileStore, SessionStore};
use aiready::tui::action::Action;
use aiready::tui::app::App;
use aiready::tui::keymap::Keymap;
use aiready::tui::theme::{Theme, ThemeName};
use criterion::{Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::{Duration, Instant};

const ID: &str = "2026-01-01-bench-000001";

/// An app on a file store in `dir`, in the workshop on a question in the middle of the bank.
fn workshop<'b>(bank: &'b QuestionBank, dir: &std::path::Path) -> App<'b> {
    let store = FileStore::new(dir);
    let now = Timestamp::from_second(1_767_225_600).unwrap();
    let mut session = Session::new(ID.into(), "Bench".into(), bank, now);
    session.participants = ["Ana", "Ben", "Chi"]
        .iter()
        .map(|n| Participant {
            name: (*n).into(),
            role: "team".into(),
        })
        .collect();
    for (i, q) in bank.questions().enumerate().filter(|(i, _)| i % 2 == 0) {
        session.set_answer(&q.id, Answer::from_level((i % 5) as u8), now);
        session.record_mut(&q.id).notes = "Checked in the workshop; evidence to follow.".into();
    }
    drop(store.create(&session).unwrap());
    let mut app = App::new(
        bank,
        Box::new(store),
        Keymap::defaults().unwrap(),
        Theme::new(ThemeName::Dark, false),
        Box::new(move || now),
    );
    app.resize(120, 40);
    app.dispatch(Action::OpenSession(ID.into()));
    assert!(app.open.is_some(), "the session did not open");
    for _ in 0..3 {
        app.dispatch(Action::NextSection);
    }
    app
}

fn key_to_frame(c: &mut Criterion, name: &str, bank: &QuestionBank) {
    let dir = tempfile::tempdir().unwrap();
    let mut app = workshop(bank, dir.path());
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let keys = [KeyCode::Char('3'), KeyCode::Char('1')]
        .map(|code| KeyEvent::new(code, KeyModifiers::NONE));
    c.bench_function(name, |b| {
        b.iter_custom(|iterations| {
            let mut timed = Duration::ZERO;
            for n in 0..iterations {
                let start = Instant::now();
                let action = app.action_for_key(keys[(n % 2) as usize]).unwrap();
                app.dispatch(action);
                terminal
                    .draw(|frame| frame.render_widget(&app, frame.area()))
                    .unwrap();
                timed += start.elapsed();
                // Back to the question just answered, untimed.
                app.dispatch(Action::Prev);
                terminal
                    .draw(|frame| frame.render_widget(&app, frame.area()))
                    .unwrap();
            }
            timed
        })
    });
    // Every answer was saved to the data directory.
    assert_eq!(app.save_error, None);
}

fn benches(c: &mut Criterion) {
    key_to_frame(
        c,
        "key_to_frame_builtin",
        aiready::content::builtin().unwrap(),
    );
    key_to_frame(c, "key_to_frame_5000", &common::large_bank(5_000));
}

criterion_group!(key, benches);
criterion_main!(key);
