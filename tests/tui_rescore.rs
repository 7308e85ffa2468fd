//! The open session's scores are brought up to date one question at a time after each change;
//! whatever the room does (answers, N/A, Unknown, votes, flags, undo and redo, moving about),
//! they must equal a full scoring of the session as it is.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::scale::Answer;
use aiready::domain::scoring;
use aiready::store::MemoryStore;
use aiready::tui::action::Action;
use aiready::tui::screens::Screen;
use common::{app, seed};
use proptest::prelude::*;

const ID: &str = "2026-01-01-acme-000001";

/// What the room does, one step at a time.
fn action(step: usize) -> Action {
    match step {
        0..=4 => Action::Answer(Answer::from_level(u8::try_from(step).unwrap()).unwrap()),
        5 => Action::Answer(Answer::NotApplicable),
        6 => Action::Answer(Answer::Unknown),
        7 => Action::ClearAnswer,
        8 => Action::Flag,
        9 => Action::Votes,
        10 => Action::Undo,
        11 => Action::Redo,
        12 => Action::Prev,
        13 => Action::NextSection,
        _ => Action::Next,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn scores_after_any_changes_equal_a_full_scoring(steps in prop::collection::vec(0..15usize, 1..80)) {
        let store = MemoryStore::new();
        seed(&store, ID, "Acme", &[("Ana", "ML"), ("Ben", "security"), ("Chi", "legal")]);
        let mut app = app(&store);
        app.dispatch(Action::OpenSession(ID.into()));
        prop_assert!(matches!(app.screen(), Screen::Workshop(_)));
        for step in steps {
            app.dispatch(action(step));
            // N/A asks for a reason in the notes editor; leave it as the room would.
            if app.popup().is_some() {
                app.dispatch(Action::Back);
            }
            let open = app.open.as_ref().unwrap();
            prop_assert_eq!(&open.results, &scoring::score(app.bank, &open.session), "after {:?}", action(step));
        }
        // And the store has what the app has.
        app.dispatch(Action::Save);
        let open = app.open.as_ref().unwrap();
        let stored = aiready::store::SessionStore::load(&store, ID).unwrap();
        prop_assert_eq!(&stored.records, &open.session.records);
    }
}
