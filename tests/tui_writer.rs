//! The app saving in the background, as it does over the file store: the memory store told to
//! save on the writer's thread, with its saves held back at a gate to stand for a slow disk.
//! The next frame never waits for a save; failures still show; quitting, leaving and a request
//! to terminate wait for the writer; the notes editor says "saved" only once it is true; a
//! panic of the screen's thread still writes what it handed over.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::scale::Answer;
use aiready::domain::scoring;
use aiready::store::{MemoryStore, SaveGate, SessionStore};
use aiready::tui::action::Action;
use aiready::tui::app::{App, Exit};
use aiready::tui::popups::Popup;
use aiready::tui::screens::Screen;
use common::{app, screen_text, seed, type_text};
use std::time::Duration;

const ID: &str = "2026-01-01-acme-000001";

/// A stored session opened in the app, saved in the background.
fn opened(store: &MemoryStore) -> App<'static> {
    store.save_in_background(true);
    seed(store, ID, "Acme", &[("Ana", "ML")]);
    let mut app = app(store);
    app.dispatch(Action::OpenSession(ID.into()));
    assert!(matches!(app.screen(), Screen::Workshop(_)));
    app
}

fn current_id(app: &App) -> String {
    let Screen::Workshop(ws) = app.screen() else {
        panic!("not on the workshop screen")
    };
    let at = app.open.as_ref().unwrap().nav.questions[ws.cursor];
    app.question(at).unwrap().id.clone()
}

/// Holds saves back, answers the current question and waits until its save is at the gate;
/// returns the gate and the question answered.
fn answer_held(app: &mut App, store: &MemoryStore, answer: Answer) -> (SaveGate, String) {
    let gate = store.hold_saves();
    let answered = current_id(app);
    app.dispatch(Action::Answer(answer));
    gate.wait_for(1);
    (gate, answered)
}

/// The answer to a question in the store.
fn saved_answer(store: &MemoryStore, question: &str) -> Option<Answer> {
    store.load(ID).unwrap().answer(question)
}

/// Lets the saves at the gate through from another thread once `count` wait there, while the
/// test's thread is blocked waiting for the writer.
fn release_when_waiting(gate: SaveGate, count: usize) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        gate.wait_for(count);
        drop(gate);
    })
}

#[test]
fn the_next_frame_is_drawn_while_the_save_is_still_running() {
    let store = MemoryStore::new();
    let mut app = opened(&store);
    let first = current_id(&app);
    let gate = store.hold_saves();
    let key = app
        .action_for_key(ratatui::crossterm::event::KeyEvent::from(
            ratatui::crossterm::event::KeyCode::Char('3'),
        ))
        .unwrap();
    app.dispatch(key);
    // The save is under way and cannot finish until the gate opens...
    gate.wait_for(1);
    assert!(app.saving());
    assert_eq!(saved_answer(&store, &first), None);
    // ...and the next frame is there already, on the next question, the answer scored.
    let second = current_id(&app);
    assert_ne!(first, second);
    let screen = screen_text(&app, 120, 40);
    assert!(screen.contains("question 2 of"), "{screen}");
    let open = app.open.as_ref().unwrap();
    assert_eq!(open.session.answer(&first), Some(Answer::Implemented));
    assert_eq!(open.results, scoring::score(app.bank, &open.session));
    // Nothing failed, so nothing says so.
    assert!(!screen.contains("NOT SAVED"), "{screen}");
    gate.let_one_through();
    app.wait_for_saves();
    assert!(!app.saving());
    assert!(app.save_error.is_none());
    assert!(app.unsaved_changes.is_empty());
    assert_eq!(saved_answer(&store, &first), Some(Answer::Implemented));
}

#[test]
fn answers_given_while_a_save_runs_are_written_together_by_the_next_save() {
    let store = MemoryStore::new();
    let mut app = opened(&store);
    let gate = store.hold_saves();
    let saves = store.save_count();
    let mut answered = Vec::new();
    for answer in [
        Answer::Implemented,
        Answer::AdHoc,
        Answer::Operating,
        Answer::Designed,
    ] {
        answered.push((current_id(&app), answer));
        app.dispatch(Action::Answer(answer));
        gate.wait_for(1);
    }
    gate.let_one_through();
    gate.let_one_through();
    app.wait_for_saves();
    // The first answer's save, then one save for the three that came while it ran.
    assert_eq!(store.save_count(), saves + 2);
    let saved = store.load(ID).unwrap();
    for (id, answer) in answered {
        assert_eq!(saved.answer(&id), Some(answer), "{id}");
    }
    assert!(app.unsaved_changes.is_empty());
    drop(gate);
}

#[test]
fn a_failed_background_save_shows_and_the_next_one_writes_everything() {
    let store = MemoryStore::new();
    let mut app = opened(&store);
    let first = current_id(&app);
    store.fail_saves(true);
    app.dispatch(Action::Answer(Answer::Designed));
    // The failure is known once the writer is done; the loop's next tick takes it in.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while app.save_error.is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
        app.dispatch(Action::Tick(Duration::from_millis(1)));
    }
    let problem = app.save_error.clone().expect("the failure is shown");
    assert!(problem.contains("no space left"), "{problem}");
    let screen = screen_text(&app, 120, 40);
    assert!(screen.contains("NOT SAVED"), "{screen}");
    assert!(
        app.unsaved_changes.iter().any(|c| c.contains(&first)),
        "{:?}",
        app.unsaved_changes
    );
    store.fail_saves(false);
    let second = current_id(&app);
    app.dispatch(Action::Answer(Answer::AdHoc));
    app.wait_for_saves();
    assert!(app.save_error.is_none());
    assert!(app.unsaved_changes.is_empty());
    let saved = store.load(ID).unwrap();
    assert_eq!(saved.answer(&first), Some(Answer::Designed));
    assert_eq!(saved.answer(&second), Some(Answer::AdHoc));
}

#[test]
fn quit_waits_for_a_pending_save_and_asks_when_it_failed() {
    let store = MemoryStore::new();
    let mut app = opened(&store);
    let (gate, answered) = answer_held(&mut app, &store, Answer::Operating);
    // The disk fills up while the save waits; quit must see the failure, not the start.
    store.fail_saves(true);
    let releaser = release_when_waiting(gate, 1);
    app.dispatch(Action::Quit);
    releaser.join().unwrap();
    assert!(app.running(), "a quit with an unsaved change does not end");
    assert!(matches!(app.popup(), Some(Popup::Unsaved(_))));
    assert!(
        app.unsaved_changes.iter().any(|c| c.contains(&answered)),
        "{:?}",
        app.unsaved_changes
    );
    // A retry waits for its own save too.
    store.fail_saves(false);
    app.dispatch(Action::RetrySave);
    assert!(!app.running());
    assert_eq!(app.exit, Exit::Saved);
    assert_eq!(saved_answer(&store, &answered), Some(Answer::Operating));
}

#[test]
fn quit_after_a_save_that_works_ends_only_once_it_is_written() {
    let store = MemoryStore::new();
    let mut app = opened(&store);
    let (gate, answered) = answer_held(&mut app, &store, Answer::Operating);
    let releaser = release_when_waiting(gate, 1);
    app.dispatch(Action::Quit);
    releaser.join().unwrap();
    assert!(!app.running());
    assert_eq!(app.exit, Exit::Saved);
    assert_eq!(saved_answer(&store, &answered), Some(Answer::Operating));
}

#[test]
fn leaving_the_session_holds_its_lock_until_the_writer_is_done() {
    let store = MemoryStore::new();
    let mut app = opened(&store);
    let (gate, answered) = answer_held(&mut app, &store, Answer::Designed);
    assert!(store.is_locked(ID));
    let releaser = release_when_waiting(gate, 1);
    app.dispatch(Action::Back);
    releaser.join().unwrap();
    assert!(matches!(app.screen(), Screen::Home(_)));
    assert!(!store.is_locked(ID), "released after the last write");
    assert_eq!(saved_answer(&store, &answered), Some(Answer::Designed));
}

#[test]
fn notes_say_saved_only_after_the_save_that_carried_them() {
    let store = MemoryStore::new();
    let mut app = opened(&store);
    let id = current_id(&app);
    app.dispatch(Action::EditNotes);
    let gate = store.hold_saves();
    type_text(&mut app, "Approved by the board");
    app.dispatch(Action::Tick(Duration::from_millis(1600)));
    gate.wait_for(1);
    let screen = screen_text(&app, 120, 40);
    assert!(screen.contains("(saving)"), "{screen}");
    assert!(!screen.contains("(saved)"), "{screen}");
    gate.let_one_through();
    app.wait_for_saves();
    let screen = screen_text(&app, 120, 40);
    assert!(screen.contains("(saved)"), "{screen}");
    assert_eq!(
        store.load(ID).unwrap().record(&id).unwrap().notes,
        "Approved by the board"
    );
    // A save that fails is never "saved".
    store.fail_saves(true);
    type_text(&mut app, ".");
    app.dispatch(Action::Tick(Duration::from_millis(1600)));
    gate.let_one_through();
    app.wait_for_saves();
    let screen = screen_text(&app, 120, 40);
    assert!(screen.contains("NOT SAVED"), "{screen}");
    assert!(!screen.contains("(saved)"), "{screen}");
    drop(gate);
}

#[test]
fn terminate_waits_for_the_writer_then_rescues_what_it_could_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    let mut app = opened(&store);
    app.export_places.dir = dir.path().to_path_buf();
    let (gate, answered) = answer_held(&mut app, &store, Answer::AdHoc);
    store.fail_saves(true);
    let releaser = release_when_waiting(gate, 1);
    let exit = app.terminate();
    releaser.join().unwrap();
    let Exit::Rescued { path, changes, .. } = exit else {
        panic!("{exit:?}")
    };
    assert!(changes.iter().any(|c| c.contains(&answered)), "{changes:?}");
    let rescued = aiready::store::decode(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(rescued.answer(&answered), Some(Answer::AdHoc));
}

#[test]
fn a_panic_of_the_screens_thread_still_writes_what_it_handed_over() {
    let store = MemoryStore::new();
    store.save_in_background(true);
    seed(&store, ID, "Acme", &[]);
    let gate = store.hold_saves();
    let theirs = store.clone();
    let (tell, answered) = std::sync::mpsc::channel();
    let screen = std::thread::spawn(move || {
        let mut app = app(&theirs);
        app.dispatch(Action::OpenSession(ID.into()));
        tell.send(current_id(&app)).unwrap();
        app.dispatch(Action::Answer(Answer::Operating));
        // The app unwinds with the save still at the gate.
        panic!("the screen's thread fails after handing over an answer");
    });
    let answered = answered.recv().unwrap();
    gate.wait_for(1);
    assert_eq!(saved_answer(&store, &answered), None);
    drop(gate);
    assert!(screen.join().is_err(), "the thread panicked");
    assert_eq!(saved_answer(&store, &answered), Some(Answer::Operating));
    assert!(!store.is_locked(ID));
}

#[test]
fn a_session_opened_after_another_says_saved_once_its_own_saves_are_written() {
    let store = MemoryStore::new();
    let mut app = opened(&store);
    // The first session's writer counts a few hand-overs.
    for answer in [
        Answer::Designed,
        Answer::Operating,
        Answer::Designed,
        Answer::Operating,
    ] {
        app.dispatch(Action::Answer(answer));
        app.wait_for_saves();
    }
    app.dispatch(Action::Back);
    assert!(matches!(app.screen(), Screen::Home(_)));
    const OTHER: &str = "2026-01-02-beta-000002";
    seed(&store, OTHER, "Beta", &[("Ben", "Security")]);
    app.dispatch(Action::OpenSession(OTHER.into()));
    assert!(matches!(app.screen(), Screen::Workshop(_)));
    app.dispatch(Action::EditNotes);
    type_text(&mut app, "Second session");
    app.dispatch(Action::Tick(Duration::from_millis(1600)));
    app.wait_for_saves();
    let screen = screen_text(&app, 120, 40);
    assert!(screen.contains("(saved)"), "{screen}");
    assert!(!screen.contains("(saving)"), "{screen}");
}

#[test]
fn a_save_finished_between_two_ticks_counts_as_saving_until_its_outcome_is_taken_in() {
    let store = MemoryStore::new();
    let mut app = opened(&store);
    let (gate, answered) = answer_held(&mut app, &store, Answer::Designed);
    gate.let_one_through();
    while saved_answer(&store, &answered) != Some(Answer::Designed) {
        std::thread::sleep(Duration::from_millis(1));
    }
    // The writer is done (or about to be), but the screen has not heard: it keeps polling
    // quickly, however long the next tick takes to come.
    for _ in 0..50 {
        assert!(app.saving(), "the outcome would wait for a slow tick");
        std::thread::sleep(Duration::from_millis(2));
    }
    app.dispatch(Action::Tick(Duration::from_millis(10)));
    assert!(!app.saving());
    assert!(app.unsaved_changes.is_empty());
    drop(gate);
}
