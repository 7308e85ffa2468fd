//! The app driven through actions, without a terminal, over the in-memory store: every change
//! must be in the store before the next frame, failures must show, nothing typed may be lost.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::scale::Answer;
use aiready::report::{self, Format};
use aiready::store::{MemoryStore, SessionStore};
use aiready::tui::action::Action;
use aiready::tui::app::{App, MessageKind};
use aiready::tui::popups::Popup;
use aiready::tui::popups::export::{ExportField, ExportPlaces, ExportState};
use aiready::tui::screens::Screen;
use aiready::tui::screens::setup::Field;
use common::{app, seed, type_text};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;
use std::time::Duration;

const ID: &str = "2026-01-01-acme-000001";

fn cursor(app: &App) -> usize {
    match app.screen() {
        Screen::Workshop(ws) => ws.cursor,
        other => panic!("not on the workshop screen: {other:?}"),
    }
}

fn current_id(app: &App) -> String {
    let open = app.open.as_ref().unwrap();
    let at = open.nav.questions[cursor(app)];
    app.question(at).unwrap().id.clone()
}

fn opened(store: &MemoryStore) -> App<'static> {
    let mut app = app(store);
    app.dispatch(Action::OpenSession(ID.into()));
    assert!(matches!(app.screen(), Screen::Workshop(_)));
    app
}

#[test]
fn a_new_session_is_created_from_the_setup_and_opened() {
    let store = MemoryStore::new();
    let mut app = app(&store);
    app.dispatch(Action::New);
    assert!(matches!(app.screen(), Screen::Setup(_)));
    // Saving without a name is refused with a message, and nothing is created.
    app.dispatch(Action::Confirm);
    match app.screen() {
        Screen::Setup(s) => assert!(s.error.as_deref().unwrap().contains("name")),
        other => panic!("{other:?}"),
    }
    type_text(&mut app, "Acme support bot");
    app.dispatch(Action::NextField);
    type_text(&mut app, "Acme");
    app.dispatch(Action::AddItem);
    type_text(&mut app, "Ana");
    app.dispatch(Action::NextField);
    type_text(&mut app, "ML");
    app.dispatch(Action::Confirm);
    assert!(matches!(app.screen(), Screen::Workshop(_)));
    let list = store.list().unwrap();
    assert_eq!(list.len(), 1);
    let saved = list[0].session.as_ref().unwrap();
    assert_eq!(saved.name, "Acme support bot");
    assert_eq!(saved.organisation, "Acme");
    assert_eq!(saved.participants[0].name, "Ana");
    assert_eq!(saved.participants[0].role, "ML");
    assert!(store.is_locked(&saved.id));
}

#[test]
fn an_answer_is_saved_and_moves_on_in_one_key() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    let mut answered = Vec::new();
    for answer in [Answer::Implemented, Answer::AdHoc, Answer::Operating] {
        answered.push((current_id(&app), answer));
        let before = cursor(&app);
        let key = app
            .action_for_key(KeyEvent::new(
                KeyCode::Char(answer.short().chars().next().unwrap()),
                KeyModifiers::NONE,
            ))
            .unwrap();
        app.dispatch(key);
        assert_eq!(cursor(&app), before + 1);
    }
    let saved = store.load(ID).unwrap();
    for (id, answer) in answered {
        assert_eq!(saved.answer(&id), Some(answer), "{id}");
    }
    assert!(app.save_error.is_none());
}

#[test]
fn notes_are_saved_after_a_pause_and_on_closing() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    let id = current_id(&app);
    app.dispatch(Action::EditNotes);
    type_text(&mut app, "Policy exists\nbut q is typed");
    // Typed keys are text in the editor, not commands.
    assert!(app.running());
    app.dispatch(Action::Tick(Duration::from_millis(500)));
    assert_eq!(
        store.load(ID).unwrap().record(&id).map(|r| r.notes.clone()),
        None
    );
    app.dispatch(Action::Tick(Duration::from_millis(1100)));
    assert_eq!(
        store.load(ID).unwrap().record(&id).unwrap().notes,
        "Policy exists\nbut q is typed"
    );
    type_text(&mut app, ".");
    app.dispatch(Action::Back);
    assert_eq!(
        store.load(ID).unwrap().record(&id).unwrap().notes,
        "Policy exists\nbut q is typed."
    );
}

#[test]
fn quitting_while_typing_keeps_the_notes() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    let id = current_id(&app);
    app.dispatch(Action::EditNotes);
    type_text(&mut app, "half a thought");
    app.dispatch(Action::ForceQuit);
    assert!(!app.running());
    assert_eq!(
        store.load(ID).unwrap().record(&id).unwrap().notes,
        "half a thought"
    );
}

#[test]
fn not_applicable_asks_for_a_reason() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    let id = current_id(&app);
    app.dispatch(Action::Answer(Answer::NotApplicable));
    assert!(matches!(app.popup(), Some(Popup::Notes(e)) if e.justify));
    app.dispatch(Action::Back);
    assert_eq!(app.message.as_ref().unwrap().kind, MessageKind::Warn);
    assert_eq!(cursor(&app), 0);
    app.dispatch(Action::EditNotes);
    type_text(&mut app, "No training on customer data.");
    app.dispatch(Action::Back);
    let saved = store.load(ID).unwrap();
    assert_eq!(saved.answer(&id), Some(Answer::NotApplicable));
    assert_eq!(
        saved.record(&id).unwrap().notes,
        "No training on customer data."
    );
}

#[test]
fn a_failed_save_is_shown_and_nothing_is_lost() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    let first = current_id(&app);
    store.fail_saves(true);
    app.dispatch(Action::Answer(Answer::Designed));
    let problem = app.save_error.clone().expect("the failure is shown");
    assert!(problem.contains("no space left"), "{problem}");
    // The answer stays in memory.
    assert_eq!(
        app.open.as_ref().unwrap().session.answer(&first),
        Some(Answer::Designed)
    );
    assert_eq!(store.load(ID).unwrap().answer(&first), None);
    store.fail_saves(false);
    let second = current_id(&app);
    app.dispatch(Action::Answer(Answer::AdHoc));
    assert!(app.save_error.is_none());
    let saved = store.load(ID).unwrap();
    assert_eq!(saved.answer(&first), Some(Answer::Designed));
    assert_eq!(saved.answer(&second), Some(Answer::AdHoc));
}

#[test]
fn a_session_open_elsewhere_is_read_only() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let (_session, _lock) = store.open(ID).unwrap();
    let mut app = opened(&store);
    assert!(app.open.as_ref().unwrap().read_only());
    let saves = store.save_count();
    app.dispatch(Action::Answer(Answer::Operating));
    assert!(app.message.as_ref().unwrap().text.contains("Read-only"));
    assert_eq!(store.save_count(), saves);
    assert!(store.load(ID).unwrap().records.is_empty());
}

#[test]
fn votes_show_the_spread_and_the_median_can_be_agreed() {
    let store = MemoryStore::new();
    seed(
        &store,
        ID,
        "Acme",
        &[("Ana", "ML"), ("Ben", "security"), ("Chi", "legal")],
    );
    let mut app = opened(&store);
    let id = current_id(&app);
    app.dispatch(Action::Votes);
    app.dispatch(Action::Answer(Answer::Implemented));
    app.dispatch(Action::Answer(Answer::AdHoc));
    app.dispatch(Action::Answer(Answer::Designed));
    let saved = store.load(ID).unwrap();
    assert_eq!(saved.vote_spread(&id), Some(2));
    assert_eq!(saved.answer(&id), None);
    app.dispatch(Action::Confirm);
    assert_eq!(store.load(ID).unwrap().answer(&id), Some(Answer::Designed));
}

#[test]
fn the_timer_adds_time_to_the_section() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    let section = app.current_section().unwrap();
    app.dispatch(Action::Tick(Duration::from_secs(61)));
    assert_eq!(
        store
            .load(ID)
            .unwrap()
            .time_spent_on(section.category, section.stage),
        61
    );
    assert_eq!(app.section_seconds(), 61);
}

#[test]
fn flag_action_and_agenda_are_saved() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    let id = current_id(&app);
    app.dispatch(Action::Flag);
    app.dispatch(Action::EditAction);
    type_text(&mut app, "Write the approval procedure");
    app.dispatch(Action::NextField);
    type_text(&mut app, "Ben");
    app.dispatch(Action::NextField);
    type_text(&mut app, "2027-13-01");
    app.dispatch(Action::Confirm);
    // A bad date is refused and the form stays open.
    assert!(matches!(app.popup(), Some(Popup::Action(f)) if f.form.error.is_some()));
    for _ in 0.."13-01".len() {
        app.dispatch(Action::Input(ratatui_textarea::Input {
            key: ratatui_textarea::Key::Backspace,
            ..Default::default()
        }));
    }
    type_text(&mut app, "12-15");
    app.dispatch(Action::NextField);
    type_text(&mut app, "TICKET-1; policy.pdf");
    app.dispatch(Action::Confirm);
    let section = app.current_section().unwrap();
    app.dispatch(Action::EditAgenda);
    type_text(&mut app, "15");
    app.dispatch(Action::Confirm);
    let saved = store.load(ID).unwrap();
    let record = saved.record(&id).unwrap();
    assert!(record.discuss_later);
    assert_eq!(record.action.what, "Write the approval procedure");
    assert_eq!(record.action.owner, "Ben");
    assert_eq!(record.action.due.unwrap().to_string(), "2027-12-15");
    assert_eq!(record.action.evidence, ["TICKET-1", "policy.pdf"]);
    assert_eq!(
        saved.planned_minutes(section.category, section.stage),
        Some(15)
    );
}

#[test]
fn navigation_search_jump_and_parking_lot() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    app.dispatch(Action::Answer(Answer::Operating));
    app.dispatch(Action::Prev);
    assert_eq!(cursor(&app), 0);
    app.dispatch(Action::NextUnanswered);
    assert_eq!(cursor(&app), 1);
    app.dispatch(Action::NextSection);
    let second = app.open.as_ref().unwrap().nav.sections[1].start;
    assert_eq!(cursor(&app), second);
    app.dispatch(Action::JumpSection);
    app.dispatch(Action::Up);
    app.dispatch(Action::Confirm);
    assert_eq!(cursor(&app), 0);
    // Search finds a question by words of its prompt.
    let target = app.open.as_ref().unwrap().nav.questions[5];
    let prompt = app.question(target).unwrap().prompt.clone();
    let words: String = prompt
        .split_whitespace()
        .take(6)
        .collect::<Vec<_>>()
        .join(" ");
    app.dispatch(Action::Search);
    type_text(&mut app, &words);
    app.dispatch(Action::Confirm);
    assert_eq!(
        app.question(app.open.as_ref().unwrap().nav.questions[cursor(&app)])
            .unwrap()
            .prompt,
        prompt
    );
    // The parking lot lists flagged questions and jumps to them.
    app.dispatch(Action::Flag);
    let flagged = cursor(&app);
    app.dispatch(Action::Prev);
    app.dispatch(Action::ParkingLot);
    app.dispatch(Action::Confirm);
    assert_eq!(cursor(&app), flagged);
}

#[test]
fn results_open_from_the_workshop_and_go_back() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    app.dispatch(Action::Answer(Answer::Operating));
    app.dispatch(Action::Results);
    assert!(matches!(app.screen(), Screen::Results(_)));
    assert!(app.open.as_ref().unwrap().results.overall.is_some());
    app.dispatch(Action::Back);
    assert!(matches!(app.screen(), Screen::Workshop(_)));
    app.dispatch(Action::Help);
    assert!(matches!(app.screen(), Screen::Help(_)));
    app.dispatch(Action::Back);
    app.dispatch(Action::Back);
    assert!(matches!(app.screen(), Screen::Home(_)));
    // Leaving the session releases it.
    assert!(!store.is_locked(ID));
}

#[test]
fn setup_changes_scope_later() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    let before = app.open.as_ref().unwrap().nav.questions.len();
    app.dispatch(Action::EditSetup);
    // Walk to the first scoping question and answer it no.
    common::focus_setup_field(&mut app, |f| matches!(f, Field::Scoping(0)));
    app.dispatch(Action::Toggle);
    app.dispatch(Action::Confirm);
    assert!(matches!(app.screen(), Screen::Workshop(_)));
    let after = app.open.as_ref().unwrap().nav.questions.len();
    assert!(after < before, "{after} < {before}");
    let key = app.bank.profile.questions[0].key.clone();
    assert_eq!(store.load(ID).unwrap().scoping.get(&key), Some(&false));
}

#[test]
fn sessions_are_deleted_only_after_confirmation() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = app(&store);
    app.dispatch(Action::Delete);
    app.dispatch(Action::Back);
    assert_eq!(store.list().unwrap().len(), 1);
    app.dispatch(Action::Delete);
    app.dispatch(Action::Confirm);
    assert!(store.list().unwrap().is_empty());
}

#[test]
fn keys_translate_by_context() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    assert_eq!(
        app.action_for_key(key('k')),
        Some(Action::Answer(Answer::Unknown))
    );
    assert_eq!(app.action_for_key(key('q')), Some(Action::Quit));
    app.dispatch(Action::EditNotes);
    assert!(matches!(
        app.action_for_key(key('q')),
        Some(Action::Input(_))
    ));
    assert_eq!(
        app.action_for_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        Some(Action::ForceQuit)
    );
}

/// Ana votes 3 and Ben 1 on the first question; then the setup opens on Ana's name.
fn votes_then_setup_on_ana(store: &MemoryStore) -> (App<'static>, String) {
    seed(store, ID, "Acme", &[("Ana", "ML"), ("Ben", "security")]);
    let mut app = opened(store);
    let id = current_id(&app);
    app.dispatch(Action::Votes);
    app.dispatch(Action::Answer(Answer::Implemented));
    app.dispatch(Action::Answer(Answer::AdHoc));
    app.dispatch(Action::Back);
    app.dispatch(Action::EditSetup);
    common::focus_setup_field(&mut app, |f| matches!(f, Field::ParticipantName(0)));
    (app, id)
}

#[test]
fn renaming_a_participant_in_the_setup_keeps_their_votes() {
    let store = MemoryStore::new();
    let (mut app, id) = votes_then_setup_on_ana(&store);
    type_text(&mut app, "lia");
    app.dispatch(Action::Confirm);
    assert!(matches!(app.screen(), Screen::Workshop(_)));
    let saved = store.load(ID).unwrap();
    assert_eq!(saved.participants[0].name, "Analia");
    let votes = &saved.record(&id).unwrap().votes;
    assert_eq!(votes.get("Analia"), Some(&Answer::Implemented));
    assert_eq!(votes.get("Ben"), Some(&Answer::AdHoc));
    assert!(!votes.contains_key("Ana"), "{votes:?}");
}

// ----- export ---------------------------------------------------------------------------------

/// Exports go to `dir` (standing in for the current directory); templates come from `config`.
fn export_here(app: &mut App<'_>, dir: &Path, config: Option<&Path>) {
    app.export_places = ExportPlaces {
        dir: dir.to_path_buf(),
        home: None,
        config_dir: config.map(Path::to_path_buf),
    };
}

fn popup<'a>(app: &'a App<'_>) -> &'a ExportState {
    app.export().expect("the export popup is open")
}

fn key(app: &App<'_>, c: char) -> Action {
    app.action_for_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
        .unwrap_or_else(|| panic!("{c} is not bound here"))
}

fn backspace(app: &mut App<'_>, times: usize) {
    for _ in 0..times {
        app.dispatch(Action::Input(ratatui_textarea::Input {
            key: ratatui_textarea::Key::Backspace,
            ..Default::default()
        }));
    }
}

fn h2_headings(text: &str) -> Vec<String> {
    use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
    let mut headings = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) => current = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = current.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => headings.extend(current.take()),
            _ => {}
        }
    }
    headings
}

#[test]
fn export_from_the_workshop_writes_markdown_into_the_current_folder() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    seed(&store, ID, "Acme support bot", &[]);
    let mut app = opened(&store);
    export_here(&mut app, dir.path(), None);
    app.dispatch(Action::Answer(Answer::Implemented));
    // X opens the popup from the question screen.
    let export = key(&app, 'X');
    assert_eq!(export, Action::Export);
    app.dispatch(export);
    let session = store.load(ID).unwrap();
    let expected = report::default_file_name(&session, Format::Markdown);
    assert_eq!(expected, format!("{ID}-report.md"));
    assert_eq!(popup(&app).path_text(), expected);
    assert_eq!(popup(&app).format, Format::Markdown);
    app.dispatch(Action::Confirm);
    assert!(app.export().is_none(), "the popup closes after writing");
    let path = dir.path().join(&expected);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("Acme support bot"));
    assert!(text.lines().any(|l| l.starts_with("## ")));
    assert!(!h2_headings(&text).is_empty());
    // The status line says where, with the full path.
    let message = app.message.clone().unwrap();
    assert_eq!(message.kind, MessageKind::Info);
    assert!(
        message.text.contains(&path.display().to_string()),
        "{}",
        message.text
    );
    assert!(path.is_absolute());
    // The workshop is where it was, and the session is still held for writing.
    assert!(matches!(app.screen(), Screen::Workshop(_)));
    assert!(store.is_locked(ID));
}

#[test]
fn the_format_keys_change_the_default_name_and_every_format_parses() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[("Ana", "ML"), ("Ben", "security")]);
    let mut app = opened(&store);
    export_here(&mut app, dir.path(), None);
    app.dispatch(Action::Answer(Answer::AdHoc));

    app.dispatch(Action::Export);
    app.dispatch(key(&app, 'j'));
    assert_eq!(popup(&app).format, Format::Json);
    assert_eq!(popup(&app).path_text(), format!("{ID}-report.json"));
    // Anonymize: the third field, switched with Space.
    app.dispatch(Action::PrevField);
    assert_eq!(popup(&app).focus, ExportField::Anonymize);
    app.dispatch(key(&app, ' '));
    assert!(popup(&app).anonymize);
    app.dispatch(Action::Confirm);
    let json = std::fs::read_to_string(dir.path().join(format!("{ID}-report.json"))).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(value.get("format_version").is_some());
    assert!(!json.contains("\"Ana\""), "names are replaced");

    app.dispatch(Action::Export);
    app.dispatch(key(&app, 'c'));
    assert_eq!(popup(&app).path_text(), format!("{ID}-report.csv"));
    app.dispatch(Action::Confirm);
    let csv_path = dir.path().join(format!("{ID}-report.csv"));
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    assert!(reader.headers().unwrap().len() >= 10);
    assert!(reader.records().all(|r| r.is_ok()));

    // Space on the format field cycles through every format back to Markdown.
    app.dispatch(Action::Export);
    app.dispatch(key(&app, 'j'));
    for _ in 1..Format::ALL.len() {
        app.dispatch(key(&app, ' '));
    }
    assert_eq!(popup(&app).format, Format::Markdown);
    assert_eq!(popup(&app).path_text(), format!("{ID}-report.md"));
}

#[test]
fn html_workbook_and_oscal_are_written_from_the_popup() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[("Ana", "ML")]);
    let mut app = opened(&store);
    export_here(&mut app, dir.path(), None);
    app.dispatch(Action::Answer(Answer::AdHoc));
    for (k, format, file, starts) in [
        ('h', Format::Html, "report.html", &b"<!DOCTYPE html>"[..]),
        ('x', Format::Xlsx, "report.xlsx", &b"PK"[..]),
        (
            'o',
            Format::OscalAr,
            "oscal-ar.json",
            &b"{\n  \"assessment-results\""[..],
        ),
        (
            'p',
            Format::OscalPoam,
            "oscal-poam.json",
            &b"{\n  \"plan-of-action-and-milestones\""[..],
        ),
    ] {
        app.dispatch(Action::Export);
        app.dispatch(key(&app, k));
        assert_eq!(popup(&app).format, format);
        assert_eq!(popup(&app).path_text(), format!("{ID}-{file}"));
        app.dispatch(Action::Confirm);
        assert!(app.export().is_none(), "{format} written");
        let bytes = std::fs::read(dir.path().join(format!("{ID}-{file}"))).unwrap();
        assert!(bytes.starts_with(starts), "{format}");
    }
    // An existing workbook waits for "overwrite?" and is then replaced with the new bytes.
    let path = dir.path().join(format!("{ID}-report.xlsx"));
    std::fs::write(&path, "old").unwrap();
    app.dispatch(Action::Export);
    app.dispatch(key(&app, 'x'));
    app.dispatch(Action::Confirm);
    assert!(popup(&app).overwrite.is_some());
    app.dispatch(Action::Confirm);
    assert!(std::fs::read(&path).unwrap().starts_with(b"PK"));
}

#[test]
fn a_typed_file_name_is_kept_when_the_format_changes() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    export_here(&mut app, dir.path(), None);
    app.dispatch(Action::Export);
    app.dispatch(Action::NextField);
    assert_eq!(popup(&app).focus, ExportField::Path);
    // On the file name, letters are text, not format keys.
    assert!(matches!(key(&app, 'j'), Action::Input(_)));
    let typed = popup(&app).path_text().len();
    backspace(&mut app, typed);
    type_text(&mut app, "reports/acme.md");
    app.dispatch(Action::PrevField);
    app.dispatch(key(&app, 'c'));
    assert_eq!(popup(&app).path_text(), "reports/acme.md");
    // The folder does not exist: the error shows, the popup keeps every choice.
    app.dispatch(Action::Confirm);
    let state = popup(&app);
    assert!(state.error.is_some());
    assert_eq!(state.path_text(), "reports/acme.md");
    assert_eq!(state.format, Format::Csv);
    std::fs::create_dir(dir.path().join("reports")).unwrap();
    app.dispatch(Action::Confirm);
    assert!(app.export().is_none());
    assert!(dir.path().join("reports/acme.md").is_file());
}

#[test]
fn an_existing_file_is_replaced_only_after_yes() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    export_here(&mut app, dir.path(), None);
    let path = dir.path().join(format!("{ID}-report.md"));
    let old = b"keep me\r\nexactly\n".to_vec();
    std::fs::write(&path, &old).unwrap();

    app.dispatch(Action::Export);
    app.dispatch(Action::Confirm);
    assert!(popup(&app).overwrite.is_some(), "asks before replacing");
    assert_eq!(app.context().0, aiready::tui::keymap::Context::Confirm);
    assert_eq!(std::fs::read(&path).unwrap(), old);
    // n keeps the file byte for byte; the popup stays open.
    app.dispatch(key(&app, 'n'));
    assert_eq!(std::fs::read(&path).unwrap(), old);
    assert!(popup(&app).overwrite.is_none());
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("Nothing was written")
    );

    app.dispatch(Action::Confirm);
    assert!(popup(&app).overwrite.is_some());
    app.dispatch(key(&app, 'y'));
    assert!(app.export().is_none());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("## "), "{text}");
    assert!(!text.contains("keep me"));
}

#[test]
fn a_place_that_cannot_be_written_shows_an_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    // A file where the folder should be.
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, "a file").unwrap();
    export_here(&mut app, &blocker, None);
    app.dispatch(Action::Export);
    app.dispatch(Action::Confirm);
    let problem = popup(&app)
        .error
        .clone()
        .expect("the error shows in the popup");
    assert!(problem.contains("blocker is a file"), "{problem}");
    let message = app.message.clone().unwrap();
    assert_eq!(message.kind, MessageKind::Error);
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "a file");
    // Esc closes the popup; the session is untouched.
    app.dispatch(Action::Back);
    assert!(app.export().is_none());
    assert!(matches!(app.screen(), Screen::Workshop(_)));
    assert!(app.save_error.is_none());

    // A file the system refuses to create, whoever runs the test (root included): its name is
    // longer than any file system allows (255 bytes). The popup names the file and the reason.
    let folder = dir.path().join("refused");
    std::fs::create_dir(&folder).unwrap();
    export_here(&mut app, &folder, None);
    app.dispatch(Action::Export);
    app.dispatch(Action::NextField);
    assert_eq!(popup(&app).focus, ExportField::Path);
    let typed = popup(&app).path_text().len();
    backspace(&mut app, typed);
    let name = format!("{}.md", "n".repeat(300));
    type_text(&mut app, &name);
    app.dispatch(Action::Confirm);
    let problem = popup(&app)
        .error
        .clone()
        .expect("the refused write shows in the popup");
    assert!(problem.contains("cannot write"), "{problem}");
    assert!(problem.contains(&name), "{problem}");
    assert!(problem.contains("Nothing was written"), "{problem}");
    assert_eq!(app.message.clone().unwrap().kind, MessageKind::Error);
    // No report and no temporary file is left behind; the choices stay for another try.
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
    assert_eq!(popup(&app).path_text(), name);
    app.dispatch(Action::Back);
    assert!(app.export().is_none());
    assert!(app.save_error.is_none());
}

/// A session whose reports go to a temporary folder, with `template` as the user's report
/// template in a temporary config folder (the folders go when the guard is dropped).
struct WithTemplate {
    dir: tempfile::TempDir,
    _config: tempfile::TempDir,
    _store: MemoryStore,
}

fn with_template(template: &str) -> (WithTemplate, App<'static>) {
    let dir = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    std::fs::write(config.path().join("report.md.j2"), template).unwrap();
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    export_here(&mut app, dir.path(), Some(config.path()));
    let guard = WithTemplate {
        dir,
        _config: config,
        _store: store,
    };
    (guard, app)
}

#[test]
fn a_broken_template_in_the_config_folder_is_named() {
    let (kept, mut app) = with_template("{% if %}broken");
    let dir = &kept.dir;
    app.dispatch(Action::Export);
    app.dispatch(Action::Confirm);
    let problem = popup(&app).error.clone().unwrap();
    assert!(problem.contains("report.md.j2"), "{problem}");
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
    // JSON needs no template.
    app.dispatch(Action::ExportFormat(Format::Json));
    app.dispatch(Action::Confirm);
    assert!(app.export().is_none());
    assert!(dir.path().join(format!("{ID}-report.json")).is_file());
}

#[test]
fn a_template_in_the_config_folder_replaces_the_built_in_one() {
    let (kept, mut app) = with_template("# Custom {{ session.name }}\n");
    let dir = &kept.dir;
    app.dispatch(Action::Export);
    app.dispatch(Action::Confirm);
    let text = std::fs::read_to_string(dir.path().join(format!("{ID}-report.md"))).unwrap();
    assert!(text.starts_with("# Custom"), "{text}");
}

#[test]
fn export_from_the_list_reads_the_session_without_taking_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    seed(&store, ID, "Acme listed", &[]);
    let mut app = app(&store);
    export_here(&mut app, dir.path(), None);
    let export = key(&app, 'x');
    assert_eq!(export, Action::Export);
    app.dispatch(export);
    assert!(!store.is_locked(ID));
    assert_eq!(popup(&app).path_text(), format!("{ID}-report.md"));
    app.dispatch(Action::Confirm);
    let text = std::fs::read_to_string(dir.path().join(format!("{ID}-report.md"))).unwrap();
    assert!(text.contains("Acme listed"));
    assert!(matches!(app.screen(), Screen::Home(_)));
    assert!(app.open.is_none());
    // With no sessions at all there is nothing to export, and it says so.
    let empty = MemoryStore::new();
    let mut app = common::app(&empty);
    app.dispatch(Action::Export);
    assert!(app.export().is_none());
    assert!(app.message.is_some());
}

#[test]
fn export_from_the_results_and_help_over_the_popup() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    export_here(&mut app, dir.path(), None);
    app.dispatch(Action::Results);
    app.dispatch(key(&app, 'x'));
    assert!(app.export().is_some());
    // Help opens over the popup and gives it back.
    app.dispatch(key(&app, '?'));
    assert!(matches!(app.screen(), Screen::Help(_)));
    assert!(app.active_export().is_none());
    app.dispatch(Action::Back);
    assert!(app.active_export().is_some());
    app.dispatch(Action::Confirm);
    assert!(dir.path().join(format!("{ID}-report.md")).is_file());
    assert!(matches!(app.screen(), Screen::Results(_)));
}

// ----- leaving with changes a failed save did not write ----------------------------------------

use aiready::tui::app::Exit;
use aiready::tui::keymap::Context;

/// A session opened with one answer saved, then the disk "fills up" and a second answer is
/// only in memory.
fn failing_after_one_answer(store: &MemoryStore) -> (App<'static>, String, String) {
    seed(store, ID, "Acme", &[]);
    let mut app = opened(store);
    let first = current_id(&app);
    app.dispatch(Action::Answer(Answer::Designed));
    store.fail_saves(true);
    let second = current_id(&app);
    app.dispatch(Action::Answer(Answer::Operating));
    assert!(app.save_error.is_some());
    (app, first, second)
}

#[test]
fn quit_after_a_failed_save_asks_and_a_retry_that_works_quits() {
    let store = MemoryStore::new();
    let (mut app, _, second) = failing_after_one_answer(&store);
    for quit in [Action::Quit, Action::ForceQuit] {
        app.dispatch(quit);
        assert!(
            app.running(),
            "a quit with unsaved changes does not end the program"
        );
        assert!(matches!(app.popup(), Some(Popup::Unsaved(_))));
        assert_eq!(app.context().0, Context::Unsaved);
        // What is unsaved is named.
        assert!(
            app.unsaved_changes
                .iter()
                .any(|c| c.contains(&second) && c.contains("4 Operating")),
            "{:?}",
            app.unsaved_changes
        );
    }
    // Only one popup, however often q is pressed.
    assert_eq!(
        app.layers
            .iter()
            .filter(|l| matches!(l.popup(), Some(Popup::Unsaved(_))))
            .count(),
        1
    );
    // A retry that fails again says so and stays.
    app.dispatch(Action::RetrySave);
    assert!(app.running());
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("still not saved")
    );
    // Esc goes back to the session, with nothing lost.
    app.dispatch(Action::Back);
    assert!(app.popup().is_none());
    assert_eq!(
        app.open.as_ref().unwrap().session.answer(&second),
        Some(Answer::Operating)
    );
    // The disk has room again: retry saves and quits.
    app.dispatch(Action::Quit);
    store.fail_saves(false);
    app.dispatch(Action::RetrySave);
    assert!(!app.running());
    assert_eq!(app.exit, Exit::Saved);
    assert_eq!(
        store.load(ID).unwrap().answer(&second),
        Some(Answer::Operating)
    );
}

#[test]
fn quitting_without_saving_needs_a_second_yes_and_reports_what_was_lost() {
    let store = MemoryStore::new();
    let (mut app, first, second) = failing_after_one_answer(&store);
    app.dispatch(Action::Quit);
    app.dispatch(Action::Discard);
    assert!(app.running(), "one key is not enough");
    assert_eq!(app.context().0, Context::Confirm);
    // "No" goes back to the choices.
    app.dispatch(Action::Back);
    assert_eq!(app.context().0, Context::Unsaved);
    app.dispatch(Action::Discard);
    app.dispatch(Action::Confirm);
    assert!(!app.running());
    let Exit::Discarded {
        changes, reason, ..
    } = &app.exit
    else {
        panic!("{:?}", app.exit)
    };
    assert!(reason.contains("no space left"), "{reason}");
    assert!(changes.iter().any(|c| c.contains(&second)), "{changes:?}");
    assert!(
        !changes.iter().any(|c| c.contains(&first)),
        "saved: {changes:?}"
    );
    let report = app.exit.report().unwrap();
    assert!(
        report.contains("Discarded") && report.contains(&second),
        "{report}"
    );
    assert!(!app.exit.saved());
    // The store keeps the last save.
    assert_eq!(
        store.load(ID).unwrap().answer(&first),
        Some(Answer::Designed)
    );
    assert_eq!(store.load(ID).unwrap().answer(&second), None);
}

#[test]
fn a_rescue_copy_holds_every_change_and_falls_back_to_the_temp_folder() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    let (mut app, first, second) = failing_after_one_answer(&store);
    // The current folder cannot be written: a file stands where it should be.
    let blocker = dir.path().join("here");
    std::fs::write(&blocker, "not a folder").unwrap();
    export_here(&mut app, &blocker, None);
    app.dispatch(Action::Quit);
    app.dispatch(Action::Rescue);
    assert!(!app.running());
    let Exit::Rescued { path, changes, .. } = app.exit.clone() else {
        panic!("{:?}", app.exit)
    };
    assert!(path.starts_with(std::env::temp_dir()), "{}", path.display());
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let rescued = aiready::store::decode(&text).unwrap();
    assert_eq!(rescued, app.open.as_ref().unwrap().session);
    assert_eq!(rescued.answer(&first), Some(Answer::Designed));
    assert_eq!(rescued.answer(&second), Some(Answer::Operating));
    assert!(changes.iter().any(|c| c.contains(&second)));
    assert!(
        app.exit
            .report()
            .unwrap()
            .contains(&path.display().to_string())
    );
}

#[test]
fn a_rescue_copy_goes_where_it_is_typed_and_a_bad_place_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    let (mut app, _, second) = failing_after_one_answer(&store);
    export_here(&mut app, dir.path(), None);
    app.dispatch(Action::Quit);
    app.dispatch(Action::EditPath);
    assert_eq!(app.context(), (Context::Form, true));
    let typed = match app.popup() {
        Some(Popup::Unsaved(state)) => state.path_text().chars().count(),
        other => panic!("{other:?}"),
    };
    backspace(&mut app, typed);
    type_text(&mut app, "missing/folder/copy.ron");
    app.dispatch(Action::Confirm);
    app.dispatch(Action::Rescue);
    // Nothing written, the popup says why and stays.
    assert!(app.running());
    match app.popup() {
        Some(Popup::Unsaved(state)) => {
            let problem = state.error.clone().unwrap();
            assert!(problem.contains("No rescue copy"), "{problem}");
        }
        other => panic!("{other:?}"),
    }
    app.dispatch(Action::EditPath);
    backspace(&mut app, "missing/folder/copy.ron".len());
    type_text(&mut app, "copy.ron");
    app.dispatch(Action::Confirm);
    app.dispatch(Action::Rescue);
    assert!(!app.running());
    let text = std::fs::read_to_string(dir.path().join("copy.ron")).unwrap();
    let rescued = aiready::store::decode(&text).unwrap();
    assert_eq!(rescued.answer(&second), Some(Answer::Operating));
}

#[test]
fn going_back_to_the_list_after_a_failed_save_asks_too() {
    let store = MemoryStore::new();
    let (mut app, _, second) = failing_after_one_answer(&store);
    app.dispatch(Action::Back);
    assert!(matches!(app.screen(), Screen::Workshop(_)));
    match app.popup() {
        Some(Popup::Unsaved(state)) => {
            assert_eq!(state.leaving, aiready::tui::popups::unsaved::Leaving::Home)
        }
        other => panic!("{other:?}"),
    }
    store.fail_saves(false);
    app.dispatch(Action::RetrySave);
    assert!(matches!(app.screen(), Screen::Home(_)));
    assert!(app.running());
    assert_eq!(
        store.load(ID).unwrap().answer(&second),
        Some(Answer::Operating)
    );
    assert!(!store.is_locked(ID));
}

#[test]
fn terminate_saves_or_writes_a_rescue_copy() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    let (mut app, _, second) = failing_after_one_answer(&store);
    export_here(&mut app, dir.path(), None);
    let exit = app.terminate();
    assert!(!app.running());
    let Exit::Rescued { path, .. } = exit else {
        panic!("{exit:?}")
    };
    assert!(path.starts_with(dir.path()));
    let rescued = aiready::store::decode(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(rescued.answer(&second), Some(Answer::Operating));

    // With a working store, terminating saves what is in flight.
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    let id = current_id(&app);
    app.dispatch(Action::EditNotes);
    type_text(&mut app, "typed just before the hang-up");
    assert_eq!(app.terminate(), Exit::Saved);
    assert_eq!(
        store.load(ID).unwrap().record(&id).unwrap().notes,
        "typed just before the hang-up"
    );
}

#[test]
fn an_export_never_keeps_the_keys_waiting() {
    // A template that takes a long while (and writes nothing until it ends).
    let (kept, mut app) = with_template(
        "{% for i in range(100000) %}{% for j in range(300) %}{% endfor %}{% endfor %}done",
    );
    let dir = &kept.dir;
    app.export_patience = Duration::ZERO;
    app.dispatch(Action::Export);
    let started = std::time::Instant::now();
    app.dispatch(Action::Confirm);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(popup(&app).busy, "the popup says it is writing");
    // Keys still act: other keys wait, Esc stops waiting, q quits.
    app.dispatch(Action::ExportFormat(Format::Csv));
    assert_eq!(popup(&app).format, Format::Markdown);
    app.dispatch(Action::Back);
    assert!(!popup(&app).busy);
    assert!(app.message.as_ref().unwrap().text.contains("not written"));
    app.dispatch(Action::Confirm);
    assert!(popup(&app).busy);
    app.dispatch(Action::Quit);
    assert!(!app.running());
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

// ----- undo and redo ---------------------------------------------------------------------------

fn message(app: &App) -> String {
    app.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

#[test]
fn every_kind_of_change_is_undone_and_redone_and_saved() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[("Ana", "ML"), ("Ben", "security")]);
    let mut app = opened(&store);
    let id = current_id(&app);
    let section = app.current_section().unwrap();
    let original = store.load(ID).unwrap();
    app.dispatch(Action::Answer(Answer::Implemented));
    app.dispatch(Action::Prev);
    app.dispatch(Action::Votes);
    app.dispatch(Action::Answer(Answer::AdHoc));
    app.dispatch(Action::Back);
    app.dispatch(Action::EditNotes);
    type_text(&mut app, "notes to undo");
    app.dispatch(Action::Back);
    app.dispatch(Action::Flag);
    app.dispatch(Action::EditAction);
    type_text(&mut app, "Ben");
    app.dispatch(Action::Confirm);
    app.dispatch(Action::EditAgenda);
    type_text(&mut app, "20");
    app.dispatch(Action::Confirm);
    app.dispatch(Action::EditSetup);
    type_text(&mut app, " renamed");
    app.dispatch(Action::Confirm);
    let changed = store.load(ID).unwrap();
    assert_eq!(changed.name, "Acme renamed");

    let expected = [
        "session setup",
        "minutes planned for",
        &format!("follow-up action of {id}"),
        &format!("{id} flagged"),
        &format!("notes on {id}"),
        &format!("Ana's vote on {id}: 1 Ad hoc"),
        &format!("answer to {id}: 3 Implemented"),
    ];
    for what in expected {
        let saves = store.save_count();
        app.dispatch(Action::Undo);
        assert!(message(&app).starts_with("Undone: "), "{}", message(&app));
        assert!(message(&app).contains(what), "{what}: {}", message(&app));
        assert!(
            store.save_count() > saves,
            "an undo is saved like any change"
        );
    }
    let back = store.load(ID).unwrap();
    assert_eq!(back.records, original.records);
    assert_eq!(back.name, original.name);
    assert_eq!(back.planned_minutes(section.category, section.stage), None);
    app.dispatch(Action::Undo);
    assert!(
        message(&app).contains("nothing to undo"),
        "{}",
        message(&app)
    );
    // The undone question is shown.
    assert_eq!(current_id(&app), id);

    for _ in expected {
        app.dispatch(Action::Redo);
        assert!(message(&app).starts_with("Redone: "), "{}", message(&app));
    }
    let again = store.load(ID).unwrap();
    assert_eq!(again.records, changed.records);
    assert_eq!(again.name, "Acme renamed");
    app.dispatch(Action::Redo);
    assert!(message(&app).contains("nothing to redo"));
}

#[test]
fn clearing_an_answer_has_its_own_key_and_can_be_undone() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    let id = current_id(&app);
    app.dispatch(Action::Answer(Answer::Operating));
    app.dispatch(Action::Prev);
    // x exports everywhere; Backspace clears.
    assert_eq!(key(&app, 'x'), Action::Export);
    let clear = app
        .action_for_key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE))
        .unwrap();
    assert_eq!(clear, Action::ClearAnswer);
    app.dispatch(clear);
    assert_eq!(store.load(ID).unwrap().answer(&id), None);
    let undo = app
        .action_for_key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL))
        .unwrap();
    assert_eq!(undo, Action::Undo);
    app.dispatch(undo);
    assert_eq!(store.load(ID).unwrap().answer(&id), Some(Answer::Operating));
    assert_eq!(key(&app, 'U'), Action::Undo);
    // In a text field Ctrl-z undoes typing, not the session.
    app.dispatch(Action::EditNotes);
    type_text(&mut app, "abc");
    let typed_undo = app
        .action_for_key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL))
        .unwrap();
    assert!(matches!(typed_undo, Action::Input(_)), "{typed_undo:?}");
    app.dispatch(typed_undo);
    assert_eq!(store.load(ID).unwrap().answer(&id), Some(Answer::Operating));
}

#[test]
fn undo_is_refused_on_a_read_only_session() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let (_session, _lock) = store.open(ID).unwrap();
    let mut app = opened(&store);
    let saves = store.save_count();
    app.dispatch(Action::Undo);
    assert!(message(&app).contains("Read-only"));
    assert_eq!(store.save_count(), saves);
}

// ----- the too-small guard, the setup's questions, votes ---------------------------------------

#[test]
fn below_the_minimum_size_only_quit_and_help_act() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    let id = current_id(&app);
    app.resize(70, 20);
    assert!(app.too_small());
    for action in [
        Action::Answer(Answer::Operating),
        Action::ClearAnswer,
        Action::EditNotes,
        Action::Next,
        Action::Back,
        Action::Undo,
        Action::Export,
    ] {
        app.dispatch(action);
    }
    assert_eq!(current_id(&app), id);
    assert!(app.popup().is_none());
    assert!(store.load(ID).unwrap().records.is_empty());
    app.dispatch(Action::Help);
    assert!(matches!(app.screen(), Screen::Help(_)));
    // Large enough again: keys act.
    app.resize(80, 24);
    app.dispatch(Action::Back);
    app.dispatch(Action::Answer(Answer::Operating));
    assert_eq!(store.load(ID).unwrap().answer(&id), Some(Answer::Operating));
    // Typing into a hidden editor is ignored too, and quit still works.
    app.dispatch(Action::EditNotes);
    app.resize(60, 15);
    type_text(&mut app, "unseen");
    app.resize(80, 24);
    match app.popup() {
        Some(Popup::Notes(notes)) => assert_eq!(notes.text(), ""),
        other => panic!("{other:?}"),
    }
    app.resize(60, 15);
    app.dispatch(Action::Quit);
    assert!(!app.running());
}

#[test]
fn esc_on_a_changed_setup_asks_before_discarding() {
    let store = MemoryStore::new();
    let mut app = app(&store);
    // Nothing typed: Esc leaves at once.
    app.dispatch(Action::New);
    app.dispatch(Action::Back);
    assert!(matches!(app.screen(), Screen::Home(_)));
    app.dispatch(Action::New);
    type_text(&mut app, "Half typed");
    app.dispatch(Action::Back);
    assert!(matches!(app.screen(), Screen::Setup(_)));
    assert_eq!(app.context().0, Context::Confirm);
    // No: back to the form, with what was typed.
    app.dispatch(Action::Back);
    assert_eq!(app.context(), (Context::Setup, true));
    // Ctrl-s saves.
    assert_eq!(
        app.action_for_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
        Some(Action::Confirm)
    );
    app.dispatch(Action::Back);
    app.dispatch(Action::Confirm);
    assert!(matches!(app.screen(), Screen::Home(_)));
    assert!(
        store.list().unwrap().is_empty(),
        "discarded, nothing created"
    );

    // The same on an open session's setup, where a toggle counts as a change.
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    app.dispatch(Action::EditSetup);
    for _ in 0..3 {
        app.dispatch(Action::NextField);
    }
    app.dispatch(Action::Toggle);
    app.dispatch(Action::Back);
    assert_eq!(app.context().0, Context::Confirm);
    app.dispatch(Action::Confirm);
    assert!(matches!(app.screen(), Screen::Workshop(_)));
    assert_eq!(
        store.load(ID).unwrap().target,
        aiready::domain::session::Target::Type2
    );
}

#[test]
fn removing_a_participant_with_votes_asks_and_their_votes_go() {
    let store = MemoryStore::new();
    let (mut app, id) = votes_then_setup_on_ana(&store);
    app.dispatch(Action::RemoveItem);
    match app.screen() {
        Screen::Setup(s) => assert_eq!(
            s.asking,
            Some(aiready::tui::screens::setup::Ask::Remove { index: 0, votes: 1 })
        ),
        other => panic!("{other:?}"),
    }
    // No keeps her.
    app.dispatch(Action::Back);
    match app.screen() {
        Screen::Setup(s) => assert_eq!(s.draft.participants.len(), 2),
        other => panic!("{other:?}"),
    }
    app.dispatch(Action::RemoveItem);
    app.dispatch(Action::Confirm);
    app.dispatch(Action::Confirm);
    let saved = store.load(ID).unwrap();
    assert_eq!(saved.participants.len(), 1);
    let votes = &saved.record(&id).unwrap().votes;
    assert!(!votes.contains_key("Ana"), "{votes:?}");
    assert_eq!(votes.get("Ben"), Some(&Answer::AdHoc));
    // Undo brings her and her vote back.
    app.dispatch(Action::Undo);
    let back = store.load(ID).unwrap();
    assert_eq!(back.participants.len(), 2);
    assert_eq!(
        back.record(&id).unwrap().votes.get("Ana"),
        Some(&Answer::Implemented)
    );
}

#[test]
fn solo_sessions_with_participants_record_votes_and_without_them_hide_the_key() {
    let store = MemoryStore::new();
    let mut session = seed(&store, ID, "Solo", &[("Ana", "ML")]);
    session.mode = aiready::domain::session::Mode::Solo;
    {
        let (_, lock) = store.open(ID).unwrap();
        store.save(&lock, &session).unwrap();
    }
    let mut app = opened(&store);
    let id = current_id(&app);
    app.dispatch(Action::Votes);
    assert_eq!(app.context().0, Context::Vote);
    app.dispatch(Action::Answer(Answer::Unknown));
    assert_eq!(
        store
            .load(ID)
            .unwrap()
            .record(&id)
            .unwrap()
            .votes
            .get("Ana"),
        Some(&Answer::Unknown)
    );
    let screen = common::screen_text(&app, 120, 40);
    assert!(screen.contains("Ana (ML) Unknown"), "{screen}");
    assert!(screen.contains("1 Unknown not in the spread"), "{screen}");
    assert!(screen.contains("v votes") || screen.contains("close votes"));

    // Without participants the votes key is not offered.
    let store = MemoryStore::new();
    seed(&store, ID, "Alone", &[]);
    let mut app = opened(&store);
    let screen = common::screen_text(&app, 120, 40);
    assert!(!screen.contains("v votes"), "{screen}");
    app.dispatch(Action::Votes);
    assert_eq!(app.context().0, Context::Workshop);
    assert!(message(&app).contains("No participants"));
}

#[test]
fn the_light_theme_paints_every_cell() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[("Ana", "ML")]);
    let mut app = opened(&store);
    app.theme = aiready::tui::theme::Theme::new(aiready::tui::theme::ThemeName::Light, false);
    app.dispatch(Action::EditNotes);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|frame| frame.render_widget(&app, frame.area()))
        .unwrap();
    let buffer = terminal.backend().buffer();
    for y in 0..40 {
        for x in 0..120 {
            let bg = buffer[(x, y)].bg;
            assert_ne!(
                bg,
                ratatui::style::Color::Reset,
                "cell {x},{y} has no background"
            );
        }
    }
    // The switch is off the answer keys.
    assert_eq!(
        app.action_for_key(KeyEvent::new(KeyCode::Char('t'), KeyModifiers::CONTROL)),
        Some(Action::CycleTheme)
    );
}

// ----- what a facilitator needs on screen ------------------------------------------------------

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

#[test]
fn a_session_reopens_on_the_question_it_was_left_on() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    app.dispatch(Action::Answer(Answer::Designed));
    for _ in 0..4 {
        app.dispatch(Action::Next);
    }
    let left_on = current_id(&app);
    assert_eq!(cursor(&app), 5);
    // Back to the list and in again.
    app.dispatch(Action::Back);
    app.dispatch(Action::OpenSession(ID.into()));
    assert_eq!(current_id(&app), left_on);
    // Quit, and a new run of the program.
    app.dispatch(Action::Prev);
    let left_on = current_id(&app);
    app.dispatch(Action::Quit);
    let mut again = common::app(&store);
    again.dispatch(Action::OpenSession(ID.into()));
    assert_eq!(current_id(&again), left_on);
    assert_eq!(
        store.load(ID).unwrap().last_question.as_deref(),
        Some(left_on.as_str())
    );
}

#[test]
fn the_parking_lot_shows_what_is_answered_and_marks_resolved() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    let first = current_id(&app);
    app.dispatch(Action::Flag);
    app.dispatch(Action::Answer(Answer::Implemented));
    app.dispatch(Action::Flag);
    app.dispatch(Action::ParkingLot);
    let screen = common::screen_text(&app, 120, 40);
    assert!(
        screen.contains(&format!("[ ] {first:<12} answered 3")),
        "{screen}"
    );
    assert!(screen.contains("open"), "{screen}");
    assert_eq!(key(&app, ' '), Action::Toggle);
    app.dispatch(Action::Toggle);
    let saved = store.load(ID).unwrap();
    assert!(saved.record(&first).unwrap().resolved);
    // A resolved flag is no longer a follow-up.
    assert!(
        !app.open
            .as_ref()
            .unwrap()
            .results
            .follow_ups
            .iter()
            .any(|f| f.question_id == first)
    );
    let screen = common::screen_text(&app, 120, 40);
    assert!(screen.contains(&format!("[x] {first}")), "{screen}");
    app.dispatch(Action::Undo);
    assert!(!store.load(ID).unwrap().record(&first).unwrap().resolved);
}

#[test]
fn an_action_says_what_is_to_be_done_and_its_owner_can_be_picked() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[("Ana", "ML"), ("Ben", "security")]);
    let mut app = opened(&store);
    let id = current_id(&app);
    app.dispatch(Action::EditAction);
    type_text(&mut app, "Write the model access policy");
    app.dispatch(Action::NextField);
    let pick = app.action_for_key(ctrl('p')).unwrap();
    assert_eq!(pick, Action::Pick);
    app.dispatch(pick.clone());
    app.dispatch(pick);
    app.dispatch(Action::NextField);
    // Yesterday, for the app's clock: a date in the past is pointed out.
    type_text(&mut app, "2025-12-31");
    let screen = common::screen_text(&app, 120, 40);
    assert!(screen.contains("2025-12-31 is in the past"), "{screen}");
    app.dispatch(Action::NextField);
    app.dispatch(Action::NextField);
    // Status: in progress.
    type_text(&mut app, " ");
    app.dispatch(Action::Confirm);
    assert!(app.popup().is_none());
    assert!(message(&app).contains("in the past"), "{}", message(&app));
    let action = store.load(ID).unwrap().record(&id).unwrap().action.clone();
    assert_eq!(action.what, "Write the model access policy");
    assert_eq!(action.owner, "Ben");
    assert_eq!(
        action.status,
        aiready::domain::session::ActionStatus::InProgress
    );
    assert_eq!(
        action.status_date,
        Some(
            common::t0()
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date()
        )
    );
    // Won't do needs a reason.
    app.dispatch(Action::EditAction);
    for _ in 0..4 {
        app.dispatch(Action::NextField);
    }
    type_text(&mut app, "  ");
    app.dispatch(Action::Confirm);
    assert!(matches!(app.popup(), Some(Popup::Action(f)) if f.form.error.is_some()));
    app.dispatch(Action::NextField);
    type_text(&mut app, "covered by the vendor");
    app.dispatch(Action::Confirm);
    assert_eq!(
        store.load(ID).unwrap().record(&id).unwrap().action.status,
        aiready::domain::session::ActionStatus::WontDo("covered by the vendor".into())
    );
}

#[test]
fn the_results_list_everything_and_go_to_the_question() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[("Ana", "ML"), ("Ben", "security")]);
    let mut app = opened(&store);
    // Twelve gaps: more than the summary shows.
    for _ in 0..12 {
        app.dispatch(Action::Answer(Answer::AdHoc));
    }
    let gaps = app.open.as_ref().unwrap().results.gaps.len();
    assert_eq!(gaps, 12);
    app.dispatch(Action::Results);
    app.dispatch(Action::NextField);
    let screen = common::screen_text(&app, 120, 40);
    assert!(screen.contains(&format!("[Gaps ({gaps})]")), "{screen}");
    for _ in 0..11 {
        app.dispatch(Action::Down);
    }
    // The last gap, out of the first screenful, is shown selected and Enter goes to it.
    let last = app.open.as_ref().unwrap().results.gaps[11]
        .question_id
        .to_string();
    let screen = common::screen_text(&app, 120, 40);
    assert!(screen.contains(&last), "{screen}");
    app.dispatch(Action::Confirm);
    assert!(matches!(app.screen(), Screen::Workshop(_)));
    assert_eq!(current_id(&app), last);

    // An overdue action, listed under its owner and marked.
    app.dispatch(Action::EditAction);
    type_text(&mut app, "Fix it");
    app.dispatch(Action::NextField);
    type_text(&mut app, "Ana");
    app.dispatch(Action::NextField);
    type_text(&mut app, "2025-06-01");
    app.dispatch(Action::Confirm);
    let open_actions = key(&app, 'A');
    assert_eq!(open_actions, Action::Actions);
    app.dispatch(open_actions);
    let screen = common::screen_text(&app, 120, 40);
    assert!(screen.contains("Ana: 1 action(s), 1 overdue"), "{screen}");
    assert!(screen.contains("OVERDUE"), "{screen}");
    assert!(screen.contains("Fix it"), "{screen}");
    app.dispatch(Action::Confirm);
    assert_eq!(current_id(&app), last);
}

#[test]
fn text_fields_clear_to_the_start_and_delete_words() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::new();
    seed(&store, ID, "Acme", &[]);
    let mut app = opened(&store);
    export_here(&mut app, dir.path(), None);
    app.dispatch(Action::Export);
    app.dispatch(Action::NextField);
    let clear = app.action_for_key(ctrl('u')).unwrap();
    app.dispatch(clear);
    assert_eq!(popup(&app).path_text(), "");
    type_text(&mut app, "my report");
    let word = app.action_for_key(ctrl('w')).unwrap();
    app.dispatch(word);
    assert_eq!(popup(&app).path_text(), "my ");
    let home = app
        .action_for_key(KeyEvent::new(KeyCode::Home, KeyModifiers::NONE))
        .unwrap();
    app.dispatch(home);
    type_text(&mut app, "x");
    assert_eq!(popup(&app).path_text(), "xmy ");
}

#[test]
fn a_reassessment_starts_from_the_home_screen_and_each_confirmation_is_saved() {
    let store = MemoryStore::new();
    seed(&store, ID, "Acme Q1", &[]);
    let mut app = opened(&store);
    for answer in [Answer::Implemented, Answer::AdHoc, Answer::Designed] {
        app.dispatch(Action::Answer(answer));
    }
    app.dispatch(Action::Back);
    let previous = store.load(ID).unwrap();
    app.dispatch(Action::Reassess);
    let new_id = app.open.as_ref().unwrap().session.id.clone();
    assert_ne!(new_id, ID);
    assert_eq!(
        store.load(ID).unwrap(),
        previous,
        "the previous session is only read"
    );
    let stored = store.load(&new_id).unwrap();
    assert_eq!(stored.started_from.as_ref().unwrap().id, ID);
    assert_eq!(stored.unconfirmed_count(), 3);
    assert!(stored.name.starts_with("Acme Q1 (re-assessed "));

    // "Next unconfirmed" goes to a carried-over answer, from anywhere.
    app.dispatch(Action::NextUnanswered);
    app.dispatch(Action::NextUnconfirmed);
    let first = current_id(&app);
    assert!(
        store.load(&new_id).unwrap().records[&first]
            .unconfirmed()
            .is_some()
    );
    // One key confirms it, saved at once, and moves to the next one to confirm.
    app.dispatch(Action::ConfirmCarried);
    let saved = store.load(&new_id).unwrap();
    assert_eq!(saved.records[&first].carried, None);
    assert_eq!(saved.records[&first].answer, Some(Answer::Implemented));
    assert_eq!(saved.unconfirmed_count(), 2);
    let second = current_id(&app);
    assert_ne!(second, first);
    assert!(saved.records[&second].unconfirmed().is_some());
    // Changing an answer ends its carry-over too.
    app.dispatch(Action::Answer(Answer::Operating));
    assert_eq!(store.load(&new_id).unwrap().unconfirmed_count(), 1);
    // Undo brings the carried-over answer back, marked as before.
    app.dispatch(Action::Undo);
    let undone = store.load(&new_id).unwrap();
    assert_eq!(undone.records[&second].answer, Some(Answer::AdHoc));
    assert!(undone.records[&second].unconfirmed().is_some());
    // Confirming where nothing is carried over changes nothing.
    app.dispatch(Action::Undo);
    app.dispatch(Action::NextUnanswered);
    app.dispatch(Action::ConfirmCarried);
    assert_eq!(store.load(&new_id).unwrap().unconfirmed_count(), 3);
    assert_eq!(app.message.as_ref().unwrap().kind, MessageKind::Info);
}

/// A list of sessions longer than the screen scrolls with the selection.
#[test]
fn a_long_list_of_sessions_scrolls_with_the_selection() {
    let store = MemoryStore::new();
    for n in 0..60 {
        seed(
            &store,
            &format!("2026-01-01-listed-{n:04}"),
            &format!("Listed {n:02}"),
            &[],
        );
    }
    let mut app = app(&store);
    let screen = common::screen_text(&app, 80, 24);
    assert!(screen.contains("> Listed 00"), "{screen}");
    for _ in 0..50 {
        app.dispatch(Action::Down);
    }
    let screen = common::screen_text(&app, 80, 24);
    assert!(screen.contains("> Listed 50"), "{screen}");
    assert!(!screen.contains("Listed 00"), "{screen}");
    // Back up to the top, which shows again.
    for _ in 0..50 {
        app.dispatch(Action::Up);
    }
    let screen = common::screen_text(&app, 80, 24);
    assert!(screen.contains("> Listed 00"), "{screen}");
}
