//! Every screen drawn into a test terminal at 120x40 and at the smallest supported size, 80x24,
//! plus the message shown below it. Volatile values (the session id) are redacted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::scale::Answer;
use aiready::report::Format;
use aiready::store::MemoryStore;
use aiready::tui::action::Action;
use aiready::tui::app::App;
use aiready::tui::popups::export::ExportPlaces;
use common::{app, seed, type_text};
use std::path::PathBuf;

const ID: &str = "2026-01-01-acme-support-bot-5f3c2a";

/// The screen as text, one line per row, trailing spaces trimmed.
fn draw(app: &App<'_>, width: u16, height: u16) -> String {
    common::screen_text(app, width, height).replace(ID, "[session id]")
}

/// Snapshots a screen at both sizes.
fn both(name: &str, app: &App<'_>) {
    insta::assert_snapshot!(format!("{name}_120x40"), draw(app, 120, 40));
    insta::assert_snapshot!(format!("{name}_80x24"), draw(app, 80, 24));
}

fn workshop_store() -> MemoryStore {
    let store = MemoryStore::new();
    seed(
        &store,
        ID,
        "Acme support bot",
        &[("Ana", "ML"), ("Ben", "security"), ("Chi", "legal")],
    );
    store
}

/// A workshop in progress: a few answers, votes that disagree, notes and an action.
fn workshop() -> (MemoryStore, App<'static>) {
    let store = workshop_store();
    let mut app = app(&store);
    app.dispatch(Action::OpenSession(ID.into()));
    app.dispatch(Action::Answer(Answer::Implemented));
    app.dispatch(Action::Answer(Answer::AdHoc));
    app.dispatch(Action::Answer(Answer::Unknown));
    app.dispatch(Action::Votes);
    app.dispatch(Action::Answer(Answer::Implemented));
    app.dispatch(Action::Answer(Answer::AdHoc));
    app.dispatch(Action::Answer(Answer::Designed));
    app.dispatch(Action::Confirm);
    app.dispatch(Action::EditNotes);
    type_text(
        &mut app,
        "Approval exists for the base set only; fine-tune sets are not tracked.",
    );
    app.dispatch(Action::Back);
    app.dispatch(Action::EditAction);
    type_text(
        &mut app,
        "Approve each fine-tune set before use, one ticket per set",
    );
    app.dispatch(Action::NextField);
    type_text(&mut app, "Ben");
    app.dispatch(Action::NextField);
    type_text(&mut app, "2027-01-15");
    app.dispatch(Action::NextField);
    type_text(&mut app, "TICKET-123");
    app.dispatch(Action::Confirm);
    app.dispatch(Action::Flag);
    app.dispatch(Action::EditAgenda);
    type_text(&mut app, "15");
    app.dispatch(Action::Confirm);
    app.message = None;
    (store, app)
}

#[test]
fn home_empty() {
    let store = MemoryStore::new();
    both("home_empty", &app(&store));
}

#[test]
fn home_with_sessions_and_delete_confirmation() {
    let (store, _) = workshop();
    seed(&store, "2026-01-01-second-000002", "Second system", &[]);
    let mut app = app(&store);
    both("home_list", &app);
    app.dispatch(Action::Delete);
    both("home_confirm_delete", &app);
}

#[test]
fn setup_new_session() {
    let store = MemoryStore::new();
    let mut app = app(&store);
    app.dispatch(Action::New);
    type_text(&mut app, "Acme support bot");
    app.dispatch(Action::NextField);
    type_text(&mut app, "Acme");
    app.dispatch(Action::AddItem);
    type_text(&mut app, "Ana");
    app.dispatch(Action::NextField);
    type_text(&mut app, "ML");
    both("setup_new", &app);
}

#[test]
fn workshop_fresh() {
    let store = workshop_store();
    let mut app = app(&store);
    app.dispatch(Action::OpenSession(ID.into()));
    both("workshop_fresh", &app);
}

#[test]
fn workshop_in_progress() {
    let (_store, mut app) = workshop();
    // Still on the question with votes, notes and the action.
    both("workshop_answered", &app);
    app.dispatch(Action::Votes);
    both("workshop_votes", &app);
    app.dispatch(Action::Back);
    app.dispatch(Action::ToggleDetails);
    both("workshop_folded", &app);
    app.dispatch(Action::ToggleDetails);
    app.dispatch(Action::Presenter);
    both("workshop_presenter", &app);
}

#[test]
fn workshop_popups() {
    let (_store, mut app) = workshop();
    app.dispatch(Action::EditNotes);
    type_text(&mut app, "First line\nsecond line");
    both("popup_notes", &app);
    app.dispatch(Action::Back);
    app.dispatch(Action::EditAction);
    both("popup_action", &app);
    app.dispatch(Action::Back);
    app.dispatch(Action::Search);
    type_text(&mut app, "training data");
    both("popup_search", &app);
    app.dispatch(Action::Back);
    app.dispatch(Action::JumpSection);
    both("popup_jump", &app);
    app.dispatch(Action::Back);
    app.dispatch(Action::ParkingLot);
    both("popup_parking_lot", &app);
}

#[test]
fn results_dashboard() {
    let (_store, mut app) = workshop();
    app.dispatch(Action::Results);
    both("results", &app);
    // Every stage keeps its heatmap column at the smallest size (scrolled down to it).
    for _ in 0..14 {
        app.dispatch(Action::Down);
    }
    let small = draw(&app, 80, 24);
    for stage in [
        "Govern", "Collect", "Store", "Train", "Share", "Monitor", "Dispose",
    ] {
        assert!(small.contains(stage), "{stage}:\n{small}");
    }
    for tab in [
        "results_gaps",
        "results_follow_ups",
        "results_disagreements",
        "results_actions",
    ] {
        app.dispatch(Action::NextField);
        both(tab, &app);
    }
}

#[test]
fn help_screen() {
    let (_store, mut app) = workshop();
    app.dispatch(Action::Help);
    both("help", &app);
}

#[test]
fn a_failed_save_shows_in_the_status_line() {
    let (store, mut app) = workshop();
    store.fail_saves(true);
    app.dispatch(Action::Answer(Answer::Operating));
    insta::assert_snapshot!("save_failed_120x40", draw(&app, 120, 40));
}

#[test]
fn too_small_terminal_shows_a_message_and_recovers() {
    let (_store, app) = workshop();
    insta::assert_snapshot!("too_small_79x24", draw(&app, 79, 24));
    insta::assert_snapshot!("too_small_60x15", draw(&app, 60, 15));
    // The same app at a supported size draws the workshop again.
    assert!(draw(&app, 80, 24).contains("SECURITY"));
}

#[test]
fn export_popup() {
    let (_store, mut app) = workshop();
    // A fixed folder keeps the shown path repeatable; nothing is written in this test.
    app.export_places = ExportPlaces {
        dir: PathBuf::from("/home/dana/reports"),
        home: None,
        config_dir: None,
    };
    app.dispatch(Action::Export);
    both("popup_export", &app);
    app.dispatch(Action::ExportFormat(Format::Csv));
    app.dispatch(Action::NextField);
    both("popup_export_csv_file", &app);
}

#[test]
fn export_popup_over_the_list_asks_before_overwriting() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = workshop();
    let mut app = app(&store);
    app.export_places = ExportPlaces {
        dir: dir.path().to_path_buf(),
        home: None,
        config_dir: None,
    };
    std::fs::write(dir.path().join(format!("{ID}-report.md")), "old").unwrap();
    app.dispatch(Action::Export);
    app.dispatch(Action::Confirm);
    let temp = dir.path().display().to_string();
    for (width, height) in [(120, 40), (80, 24)] {
        insta::assert_snapshot!(
            format!("popup_export_overwrite_{width}x{height}"),
            redact_folder(&draw(&app, width, height), &temp)
        );
    }
}

/// Replaces a temporary folder, whole or with its start cut off (`…mp/.tmpAb12/`), by
/// `[temp dir]`.
fn redact_folder(screen: &str, folder: &str) -> String {
    let screen = screen.replace(folder, "[temp dir]");
    let mut out = String::new();
    for line in screen.lines() {
        let mut line = line.to_string();
        if let Some(start) = line.find('…')
            && let Some(len) = line[start..].find("/[session id]")
        {
            let cut = &line[start + '…'.len_utf8()..start + len];
            if !cut.is_empty() && folder.ends_with(cut) {
                line.replace_range(start..start + len, "[temp dir]");
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[test]
fn unsaved_changes_on_quit() {
    let (store, mut app) = workshop();
    app.export_places = ExportPlaces {
        dir: PathBuf::from("/home/dana"),
        home: None,
        config_dir: None,
    };
    store.fail_saves(true);
    app.dispatch(Action::Answer(Answer::Operating));
    app.dispatch(Action::EditNotes);
    common::type_text(&mut app, "Needs a second look.");
    // The pause after typing: the save is tried, and fails.
    app.dispatch(Action::Tick(std::time::Duration::from_secs(2)));
    both("popup_notes_not_saved", &app);
    app.dispatch(Action::Quit);
    both("popup_unsaved", &app);
    app.dispatch(Action::Discard);
    both("popup_unsaved_confirm", &app);
}

#[test]
fn export_popup_while_writing() {
    let (_store, mut app) = workshop();
    let config = tempfile::tempdir().unwrap();
    std::fs::write(
        config.path().join("report.md.j2"),
        "{% for i in range(100000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    app.export_places = ExportPlaces {
        dir: dir.path().to_path_buf(),
        home: None,
        config_dir: Some(config.path().to_path_buf()),
    };
    app.export_patience = std::time::Duration::ZERO;
    app.dispatch(Action::Export);
    app.dispatch(Action::Confirm);
    let temp = dir.path().display().to_string();
    for (width, height) in [(120, 40), (80, 24)] {
        insta::assert_snapshot!(
            format!("popup_export_writing_{width}x{height}"),
            redact_folder(&draw(&app, width, height), &temp)
        );
    }
    app.dispatch(Action::Back);
}

#[test]
fn help_ends_with_the_scale_and_its_keys() {
    let (_store, mut app) = workshop();
    app.dispatch(Action::Help);
    for _ in 0..200 {
        app.dispatch(Action::Down);
    }
    both("help_end", &app);
    let screen = draw(&app, 120, 40);
    assert!(screen.contains("k   Unknown"), "{screen}");
    assert!(!screen.contains("?   Unknown"), "{screen}");
}

#[test]
fn setup_questions_before_discarding_and_removing() {
    let (_store, mut app) = workshop();
    app.dispatch(Action::EditSetup);
    common::type_text(&mut app, " 2");
    app.dispatch(Action::Back);
    both("setup_ask_discard", &app);
    app.dispatch(Action::Back);
    // The first participant, who has a vote.
    for _ in 0..6 {
        app.dispatch(Action::NextField);
    }
    app.dispatch(Action::RemoveItem);
    both("setup_ask_remove", &app);
}

#[test]
fn solo_session_with_participants_shows_votes_with_unknown() {
    let store = MemoryStore::new();
    let mut session = seed(
        &store,
        ID,
        "Acme support bot",
        &[("Ana", "ML"), ("Ben", "security"), ("Chi", "legal")],
    );
    session.mode = aiready::domain::session::Mode::Solo;
    {
        let (_, lock) = aiready::store::SessionStore::open(&store, ID).unwrap();
        aiready::store::SessionStore::save(&store, &lock, &session).unwrap();
    }
    let mut app = app(&store);
    app.dispatch(Action::OpenSession(ID.into()));
    app.dispatch(Action::Votes);
    app.dispatch(Action::Answer(Answer::Operating));
    app.dispatch(Action::Answer(Answer::Unknown));
    app.dispatch(Action::Answer(Answer::AdHoc));
    both("workshop_solo_votes", &app);
}

/// A re-assessment of the workshop in progress, started from the home screen.
fn reassessment() -> (MemoryStore, App<'static>) {
    let (store, mut app) = workshop();
    app.dispatch(Action::Back);
    app.dispatch(Action::Reassess);
    app.message = None;
    (store, app)
}

#[test]
fn reassessment_screens() {
    let (_store, mut app) = reassessment();
    // The first carried-over answer, marked in the workshop.
    app.dispatch(Action::NextUnconfirmed);
    both("workshop_carried_over", &app);
    // Confirmed: on to the next one; then changed.
    app.dispatch(Action::ConfirmCarried);
    app.dispatch(Action::Answer(Answer::Operating));
    app.message = None;
    app.dispatch(Action::Results);
    both("results_since_the_previous_session", &app);
    app.dispatch(Action::Changes);
    both("popup_changes", &app);
}
