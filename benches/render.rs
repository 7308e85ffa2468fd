//! The workshop at 200x60 over a generated 5,000-question bank with half the questions answered:
//! drawing the workshop screen (target under 2 ms a frame) and the results dashboard, recording
//! an answer with everything it sets off, and from an answer key to the next frame (target under
//! 2 ms) while the file store saves in the background.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::content::Bank;
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
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

const QUESTIONS: usize = 5_000;
const ID: &str = "bench-0001";

/// The app with a half-answered session open, saving to a file store in `dir`.
fn app_with_session<'b>(bank: &'b Bank<'b>, dir: &Path) -> App<'b> {
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
    drop(store.create(&session).expect("the session is created"));
    let mut app = App::new(
        bank,
        Box::new(store),
        Keymap::defaults().unwrap(),
        Theme::new(ThemeName::Dark, false),
        Box::new(move || now),
    );
    app.dispatch(Action::OpenSession(ID.into()));
    assert!(app.save_error.is_none(), "{:?}", app.save_error);
    // Somewhere in the middle of the bank.
    for _ in 0..5 {
        app.dispatch(Action::NextSection);
    }
    app
}

fn render(c: &mut Criterion) {
    let bank = common::large_bank(QUESTIONS);
    let bank = Bank::Loaded(&bank);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut app = app_with_session(&bank, dir.path());
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    c.bench_function("draw_workshop_200x60_5000", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| frame.render_widget(black_box(&app), frame.area()))
                .unwrap();
        })
    });
    app.dispatch(Action::Results);
    c.bench_function("draw_results_200x60_5000", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| frame.render_widget(black_box(&app), frame.area()))
                .unwrap();
        })
    });
    // Every gap, one tab on.
    app.dispatch(Action::NextField);
    c.bench_function("draw_results_gaps_200x60_5000", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| frame.render_widget(black_box(&app), frame.area()))
                .unwrap();
        })
    });
    c.bench_function("results_gaps_next_row_5000", |b| {
        b.iter(|| {
            app.dispatch(Action::Down);
        })
    });
    app.dispatch(Action::Back);

    // One answer: the update, the re-score and the atomic save of the session file (the file
    // store in a temporary directory, as the program saves) waited for, then back to the
    // question.
    let answer = |app: &mut App<'_>| {
        app.dispatch(Action::Answer(Answer::Designed));
        app.wait_for_saves();
        if let Some(problem) = &app.save_error {
            panic!("the save failed: {problem}");
        }
        app.dispatch(Action::Prev);
    };
    let answered = || {
        let saved = FileStore::new(dir.path())
            .load(ID)
            .expect("the session loads");
        saved
            .records
            .values()
            .filter(|r| r.answer.is_some())
            .count()
    };
    let before = answered();
    // An open question, so that the first answer shows in the file.
    app.dispatch(Action::NextUnanswered);
    answer(&mut app);
    assert_eq!(answered(), before + 1, "the answer is saved in the file");
    c.bench_function("answer_rescore_and_save_file_5000", |b| {
        b.iter(|| answer(&mut app))
    });
}

/// From an answer key to the next frame in the workshop, saving to the file store as the program
/// does: the key looked up in the key map, the action dispatched (answer, re-score of the
/// question, the change handed to the writer, which encodes and writes the file on its own
/// thread) and a 120x40 frame drawn. Only the answer key and its frame are timed; the step back
/// to the same question after each one is not. With `settle`, every key comes once the writer
/// wrote the one before (a pause between answers; the wait is not timed); without, keys follow
/// each other as fast as they are handled while saves run beside them, and the writer writes
/// only the newest state. Either way the file holds every answer at the end.
fn key_to_frame(c: &mut Criterion, name: &str, bank: &QuestionBank, settle: bool) {
    let loaded = Bank::Loaded(bank);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut app = app_with_session(&loaded, dir.path());
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let keys = [KeyCode::Char('3'), KeyCode::Char('1')]
        .map(|code| KeyEvent::new(code, KeyModifiers::NONE));
    c.bench_function(name, |b| {
        b.iter_custom(|iterations| {
            let mut timed = Duration::ZERO;
            for n in 0..iterations {
                let start = Instant::now();
                let action = app.action_for_key(keys[(n % 2) as usize]);
                app.dispatch(action.expect("an answer key in the workshop"));
                terminal
                    .draw(|frame| frame.render_widget(&app, frame.area()))
                    .unwrap();
                timed += start.elapsed();
                if settle {
                    app.wait_for_saves();
                }
                if let Some(problem) = &app.save_error {
                    panic!("the save failed: {problem}");
                }
                app.dispatch(Action::Prev);
                terminal
                    .draw(|frame| frame.render_widget(&app, frame.area()))
                    .unwrap();
            }
            timed
        })
    });
    // Where the session was left is written with the next save; ask for one.
    app.dispatch(Action::Save);
    app.wait_for_saves();
    assert!(app.save_error.is_none(), "{:?}", app.save_error);
    let saved = FileStore::new(dir.path())
        .load(ID)
        .expect("the session loads");
    let open = app.open.as_ref().expect("the session is open");
    assert_eq!(saved, open.session, "the file holds the newest state");
    assert_eq!(
        open.results,
        aiready::domain::scoring::score(bank, &open.session),
        "the scores equal a full scoring"
    );
}

fn key_to_frame_benches(c: &mut Criterion) {
    let builtin = aiready::content::builtin().expect("the built-in questionnaires");
    key_to_frame(c, "key_to_frame_builtin", builtin, true);
    let large = common::large_bank(QUESTIONS);
    key_to_frame(c, "key_to_frame_5000", &large, true);
    key_to_frame(c, "key_to_frame_back_to_back_5000", &large, false);
}

criterion_group!(benches, render, key_to_frame_benches);
criterion_main!(benches);
