//! Drawing the workshop screen at 200x60 over a generated 5,000-question bank with half the
//! questions answered; the target is under 2 ms a frame.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::questionnaire::QuestionBank;
use aiready::domain::scale::Answer;
use aiready::domain::session::{Participant, Session};
use aiready::store::{MemoryStore, SessionStore};
use aiready::tui::action::Action;
use aiready::tui::app::App;
use aiready::tui::keymap::Keymap;
use aiready::tui::theme::{Theme, ThemeName};
use criterion::{Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

const QUESTIONS: usize = 5_000;

fn app_with_session(bank: &QuestionBank) -> App<'_> {
    let store = MemoryStore::new();
    let now = Timestamp::from_second(1_767_225_600).unwrap();
    let mut session = Session::new("bench-0001".into(), "Bench".into(), bank, now);
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
    app.dispatch(Action::OpenSession("bench-0001".into()));
    // Somewhere in the middle of the bank.
    for _ in 0..5 {
        app.dispatch(Action::NextSection);
    }
    app
}

fn render(c: &mut Criterion) {
    let bank = common::large_bank(QUESTIONS);
    let mut app = app_with_session(&bank);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    c.bench_function("workshop screen 200x60, 5000 questions", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| frame.render_widget(black_box(&app), frame.area()))
                .unwrap();
        })
    });
    app.dispatch(Action::Results);
    c.bench_function("results dashboard 200x60, 5000 questions", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| frame.render_widget(black_box(&app), frame.area()))
                .unwrap();
        })
    });
    // Every gap, one tab on.
    app.dispatch(Action::NextField);
    c.bench_function("results gaps list 200x60, 5000 questions", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| frame.render_widget(black_box(&app), frame.area()))
                .unwrap();
        })
    });
    c.bench_function("results gaps list, next row, 5000 questions", |b| {
        b.iter(|| {
            app.dispatch(Action::Down);
        })
    });
    app.dispatch(Action::Back);
    c.bench_function("answer and save, 5000 questions", |b| {
        b.iter(|| {
            app.dispatch(Action::Answer(Answer::Designed));
            app.dispatch(Action::Prev);
        })
    });
}

criterion_group!(benches, render);
criterion_main!(benches);
