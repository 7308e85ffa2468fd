//! The workshop loop driven through actions, without a terminal: pre-work answered in the app
//! and saved into its file, merged from the setup after a preview, the triage agenda and its
//! order, accepting the consensus, the agenda's time, and windows that follow the facilitator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::framework::Category;
use aiready::domain::prework::{Prework, PreworkAnswer};
use aiready::domain::scale::Answer;
use aiready::domain::session::Session;
use aiready::store::prework as files;
use aiready::store::{MemoryStore, SessionStore};
use aiready::tui::action::Action;
use aiready::tui::app::{App, MessageKind};
use aiready::tui::popups::Popup;
use aiready::tui::screens::Screen;
use aiready::tui::screens::triage::TriageState;
use common::{app, seed, t0, type_text};
use ratatui_textarea::{Input, Key};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

const ID: &str = "2026-01-01-acme-000001";

fn workshop_store() -> (MemoryStore, Session) {
    let store = MemoryStore::new();
    let session = seed(
        &store,
        ID,
        "Acme",
        &[("Ana", "ML"), ("Ben", "security"), ("Chi", "legal")],
    );
    (store, session)
}

/// The first questions the session asks, in order.
fn first_ids(session: &Session, n: usize) -> Vec<String> {
    let bank = aiready::content::builtin().unwrap();
    session
        .applicable_questions(bank)
        .iter()
        .take(n)
        .map(|q| q.id.clone())
        .collect()
}

/// Writes a participant's pre-work into `dir` with these answers.
fn prework_file(
    dir: &Path,
    session: &Session,
    who: &str,
    answers: &[(&str, Option<Answer>, &str)],
) -> PathBuf {
    let bank = aiready::content::builtin().unwrap();
    let participant = session
        .participants
        .iter()
        .find(|p| p.name == who)
        .cloned()
        .unwrap_or(aiready::domain::session::Participant {
            name: who.into(),
            role: "guest".into(),
        });
    let mut prework = Prework::new(session, bank, &participant, None, t0()).unwrap();
    for (id, answer, notes) in answers {
        prework.answers.insert(
            (*id).to_string(),
            PreworkAnswer {
                answer: *answer,
                notes: (*notes).to_string(),
            },
        );
    }
    let path = dir.join(files::file_name(&session.id, who));
    files::create(&path, &prework, false).unwrap();
    path
}

/// Pre-work of three people on the first four questions: a disagreement on the first, all
/// equal on the second, an Unknown on the third, and Ana's note on the first.
fn three_files(dir: &Path, session: &Session) -> Vec<String> {
    let ids = first_ids(session, 4);
    let q = |i: usize| ids[i].as_str();
    prework_file(
        dir,
        session,
        "Ana",
        &[
            (q(0), Some(Answer::Operating), "approved base sets only"),
            (q(1), Some(Answer::Implemented), ""),
            (q(2), Some(Answer::Unknown), ""),
        ],
    );
    prework_file(
        dir,
        session,
        "Ben",
        &[
            (q(0), Some(Answer::AdHoc), ""),
            (q(1), Some(Answer::Implemented), ""),
            (q(2), Some(Answer::Designed), ""),
        ],
    );
    prework_file(
        dir,
        session,
        "Chi",
        &[
            (q(0), Some(Answer::Designed), ""),
            (q(1), Some(Answer::Implemented), ""),
            (q(3), Some(Answer::Designed), ""),
        ],
    );
    ids
}

fn input(app: &mut App<'_>, key: Key) {
    app.dispatch(Action::Input(Input {
        key,
        ..Input::default()
    }));
}

fn opened(store: &MemoryStore) -> App<'static> {
    let mut app = app(store);
    app.dispatch(Action::OpenSession(ID.into()));
    assert!(matches!(app.screen(), Screen::Workshop(_)));
    app
}

fn cursor(app: &App) -> usize {
    match app.screen() {
        Screen::Workshop(ws) => ws.cursor,
        other => panic!("not on the workshop screen: {other:?}"),
    }
}

fn current_id(app: &App) -> String {
    let open = app.open.as_ref().unwrap();
    app.question(open.nav.questions[cursor(app)])
        .unwrap()
        .id
        .clone()
}

/// Merges the pre-work in `dir` from the setup screen; returns the preview's lines.
fn merge_from_setup(app: &mut App<'_>, dir: &Path, add_participants: bool) -> Vec<String> {
    app.dispatch(Action::EditSetup);
    app.dispatch(Action::MergePrework);
    assert!(matches!(app.popup(), Some(Popup::Merge(_))));
    // The folder field starts at "."; replace it.
    input(app, Key::Backspace);
    type_text(app, &dir.display().to_string());
    if add_participants {
        app.dispatch(Action::NextField);
        app.dispatch(Action::Toggle);
    }
    app.dispatch(Action::Confirm);
    match app.popup() {
        Some(Popup::Merge(state)) => {
            assert_eq!(state.error, None);
            state.preview.as_ref().expect("a preview").lines.clone()
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn pre_work_merged_from_the_setup_shows_a_summary_first() {
    let (store, session) = workshop_store();
    let dir = tempfile::tempdir().unwrap();
    let ids = three_files(dir.path(), &session);
    let mut app = opened(&store);
    let lines = merge_from_setup(&mut app, dir.path(), false);
    assert!(
        lines.iter().any(|l| l.starts_with("Ana  3 of ")),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.contains("3 new votes")), "{lines:?}");
    // Nothing changes until the yes.
    assert!(store.load(ID).unwrap().records.is_empty());
    app.dispatch(Action::Confirm);
    assert!(app.popup().is_none());
    assert!(matches!(app.screen(), Screen::Setup(_)));
    let saved = store.load(ID).unwrap();
    let first = saved.record(&ids[0]).unwrap();
    assert_eq!(first.votes.len(), 3);
    assert_eq!(first.answer, None);
    assert_eq!(
        first.prework_notes.get("Ana").map(String::as_str),
        Some("approved base sets only")
    );
    assert_eq!(saved.prework.len(), 3);
    // The question screen shows the attributed note.
    app.dispatch(Action::Back);
    assert_eq!(current_id(&app), ids[0]);
}

#[test]
fn a_refused_merge_says_why_in_the_popup_and_changes_nothing() {
    let (store, session) = workshop_store();
    let dir = tempfile::tempdir().unwrap();
    let ids = first_ids(&session, 1);
    prework_file(
        dir.path(),
        &session,
        "Zoe",
        &[(&ids[0], Some(Answer::Designed), "")],
    );
    let mut app = opened(&store);
    app.dispatch(Action::EditSetup);
    app.dispatch(Action::MergePrework);
    input(&mut app, Key::Backspace);
    type_text(&mut app, &dir.path().display().to_string());
    app.dispatch(Action::Confirm);
    match app.popup() {
        Some(Popup::Merge(state)) => {
            let error = state.error.as_deref().unwrap();
            assert!(
                error.contains("\"Zoe\", who is not a participant"),
                "{error}"
            );
            assert!(state.preview.is_none());
        }
        other => panic!("{other:?}"),
    }
    assert!(store.load(ID).unwrap().records.is_empty());
    // Choosing to add participants lets it through, and the setup keeps Zoe when saved.
    app.dispatch(Action::NextField);
    app.dispatch(Action::Toggle);
    app.dispatch(Action::Confirm);
    app.dispatch(Action::Confirm);
    assert!(app.popup().is_none());
    match app.screen() {
        Screen::Setup(setup) => {
            assert!(setup.draft.participants.iter().any(|p| p.name == "Zoe"));
        }
        other => panic!("{other:?}"),
    }
    app.dispatch(Action::Confirm);
    let saved = store.load(ID).unwrap();
    assert!(saved.participants.iter().any(|p| p.name == "Zoe"));
    assert_eq!(
        saved.record(&ids[0]).unwrap().votes.get("Zoe"),
        Some(&Answer::Designed)
    );
}

#[test]
fn the_triage_agenda_leads_and_next_follows_it() {
    let (store, session) = workshop_store();
    let dir = tempfile::tempdir().unwrap();
    let ids = three_files(dir.path(), &session);
    let mut app = opened(&store);
    merge_from_setup(&mut app, dir.path(), false);
    app.dispatch(Action::Confirm);
    app.dispatch(Action::Back);
    app.dispatch(Action::Triage);
    let order: Vec<usize> = match app.screen() {
        Screen::Triage(TriageState { items, .. }) => {
            assert_eq!(items[0].reason.group(), "disagreement");
            assert_eq!(items[1].reason.group(), "unknown");
            items.iter().map(|i| i.position).collect()
        }
        other => panic!("{other:?}"),
    };
    let open = app.open.as_ref().unwrap();
    let id_at = |p: usize| app.question(open.nav.questions[p]).unwrap().id.clone();
    assert_eq!(id_at(order[0]), ids[0]);
    assert_eq!(id_at(order[1]), ids[2]);
    // Enter goes to the first item; next and previous follow the agenda.
    app.dispatch(Action::Confirm);
    assert_eq!(current_id(&app), ids[0]);
    app.dispatch(Action::Next);
    assert_eq!(current_id(&app), ids[2]);
    app.dispatch(Action::Next);
    assert_eq!(cursor(&app), order[2]);
    app.dispatch(Action::Prev);
    assert_eq!(current_id(&app), ids[2]);
    // An answer moves on along the agenda too.
    app.dispatch(Action::Answer(Answer::Designed));
    assert_eq!(cursor(&app), order[2]);
    // Back in questionnaire order.
    app.dispatch(Action::Triage);
    app.dispatch(Action::QuestionnaireOrder);
    let here = cursor(&app);
    app.dispatch(Action::Next);
    assert_eq!(cursor(&app), here + 1);
}

#[test]
fn accepting_the_consensus_agrees_on_unanimous_questions_only() {
    let (store, session) = workshop_store();
    let dir = tempfile::tempdir().unwrap();
    let ids = three_files(dir.path(), &session);
    let mut app = opened(&store);
    merge_from_setup(&mut app, dir.path(), false);
    app.dispatch(Action::Confirm);
    app.dispatch(Action::Back);
    app.dispatch(Action::Triage);
    app.dispatch(Action::Consensus);
    let Some(Popup::Consensus(state)) = app.popup() else {
        panic!("{:?}", app.popup());
    };
    assert_eq!(state.min_votes, 2);
    // Four votes needed: nothing qualifies, and accepting says so.
    app.dispatch(Action::Up);
    app.dispatch(Action::Up);
    app.dispatch(Action::Confirm);
    assert_eq!(app.message.as_ref().unwrap().kind, MessageKind::Warn);
    assert!(matches!(app.popup(), Some(Popup::Consensus(_))));
    // One vote needed: Chi's lone answer counts too.
    app.dispatch(Action::Down);
    app.dispatch(Action::Down);
    app.dispatch(Action::Down);
    app.dispatch(Action::Confirm);
    assert!(app.popup().is_none());
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("Agreed 2 questions")
    );
    let saved = store.load(ID).unwrap();
    let second = saved.record(&ids[1]).unwrap();
    assert_eq!(second.answer, Some(Answer::Implemented));
    assert!(second.from_prework);
    assert!(saved.record(&ids[3]).unwrap().from_prework);
    assert_eq!(
        saved.answer(&ids[0]),
        None,
        "a disagreement is not accepted"
    );
    assert_eq!(saved.answer(&ids[2]), None, "an Unknown is not accepted");
    // A level the room sets afterwards is the room's own.
    app.dispatch(Action::Confirm);
    app.dispatch(Action::Answer(Answer::Operating));
    let saved = store.load(ID).unwrap();
    assert!(saved.record(&ids[0]).is_some_and(|r| !r.from_prework));
}

#[test]
fn the_agenda_has_a_planned_time_and_a_pace() {
    let (store, session) = workshop_store();
    let dir = tempfile::tempdir().unwrap();
    three_files(dir.path(), &session);
    let mut app = opened(&store);
    merge_from_setup(&mut app, dir.path(), false);
    app.dispatch(Action::Confirm);
    app.dispatch(Action::Back);
    app.dispatch(Action::Triage);
    app.dispatch(Action::EditAgenda);
    type_text(&mut app, "90");
    app.dispatch(Action::Confirm);
    assert_eq!(store.load(ID).unwrap().triage.minutes, Some(90));
    app.dispatch(Action::Confirm);
    app.dispatch(Action::Tick(Duration::from_secs(30)));
    app.dispatch(Action::Answer(Answer::Designed));
    app.dispatch(Action::Tick(Duration::from_secs(45)));
    // Time with the agenda followed is kept with the session, minute by minute and on quit.
    app.dispatch(Action::Quit);
    let triage = store.load(ID).unwrap().triage;
    assert_eq!(triage.spent, 75);
    assert_eq!(triage.decided, 1);
}

#[test]
fn pre_work_is_answered_in_its_own_file_over_the_questions_assigned() {
    let (store, session) = workshop_store();
    let dir = tempfile::tempdir().unwrap();
    let bank = aiready::content::builtin().unwrap();
    let ana = session.participants[0].clone();
    let only = BTreeSet::from([Category::Privacy]);
    let prework = Prework::new(&session, bank, &ana, Some(&only), t0()).unwrap();
    let path = dir.path().join(files::file_name(ID, "Ana"));
    files::create(&path, &prework, false).unwrap();
    let mut app = app(&store);
    app.open_prework(&path);
    let open = app.open.as_ref().unwrap();
    assert!(open.prework().is_some());
    let questions = open.nav.list(bank);
    assert!(!questions.is_empty());
    assert!(questions.iter().all(|q| q.belongs_to(Category::Privacy)));
    let first = current_id(&app);
    app.dispatch(Action::Answer(Answer::Designed));
    app.dispatch(Action::Answer(Answer::Unknown));
    app.dispatch(Action::Answer(Answer::NotApplicable));
    type_text(&mut app, "no EU users");
    app.dispatch(Action::Back);
    let saved = files::load(&path).unwrap();
    assert_eq!(saved.answers[&first].answer, Some(Answer::Designed));
    assert_eq!(saved.answered(), 3);
    assert!(
        saved
            .answers
            .values()
            .any(|a| a.answer == Some(Answer::NotApplicable) && a.notes == "no EU users")
    );
    // Nothing reached the session itself.
    assert!(store.load(ID).unwrap().records.is_empty());
    // Votes, results and the setup are not part of pre-work.
    app.dispatch(Action::Results);
    assert!(matches!(app.screen(), Screen::Workshop(_)));
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("not part of pre-work")
    );
    // A second window gets it read-only.
    let mut second = common::app(&store);
    second.open_prework(&path);
    assert!(second.open.as_ref().unwrap().read_only());
    let before = std::fs::read(&path).unwrap();
    second.dispatch(Action::Answer(Answer::Operating));
    assert!(second.message.as_ref().unwrap().text.contains("Read-only"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_broken_pre_work_file_is_refused_by_name_and_left_alone() {
    let store = MemoryStore::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.prework.ron");
    std::fs::write(&path, "PreworkFile(format_version: 1, prework: Pre").unwrap();
    let mut app = app(&store);
    app.dispatch(Action::OpenPrework);
    assert!(matches!(app.popup(), Some(Popup::OpenPrework(_))));
    type_text(&mut app, &path.display().to_string());
    app.dispatch(Action::Confirm);
    match app.popup() {
        Some(Popup::OpenPrework(state)) => {
            let error = state.error.as_deref().unwrap();
            assert!(error.contains("x.prework.ron"), "{error}");
            assert!(error.contains("left as it is"), "{error}");
        }
        other => panic!("{other:?}"),
    }
    assert!(app.open.is_none());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "PreworkFile(format_version: 1, prework: Pre"
    );
}

#[test]
fn a_following_window_shows_the_facilitators_question_and_changes() {
    let (store, _session) = workshop_store();
    let mut facilitator = opened(&store);
    let mut screen = app(&store);
    screen.follow_session(ID);
    assert!(screen.open.as_ref().unwrap().read_only());
    assert_eq!(cursor(&screen), cursor(&facilitator));
    let id = current_id(&facilitator);
    facilitator.dispatch(Action::Answer(Answer::Implemented));
    facilitator.dispatch(Action::Next);
    screen.dispatch(Action::Tick(Duration::from_millis(250)));
    assert_eq!(
        screen.open.as_ref().unwrap().session.answer(&id),
        Some(Answer::Implemented)
    );
    assert_eq!(current_id(&screen), current_id(&facilitator));
    // Moving on one's own pauses following; F follows again.
    screen.dispatch(Action::Prev);
    facilitator.dispatch(Action::Next);
    screen.dispatch(Action::Tick(Duration::from_millis(250)));
    assert_ne!(current_id(&screen), current_id(&facilitator));
    screen.dispatch(Action::Follow);
    assert_eq!(current_id(&screen), current_id(&facilitator));
    // Changes are refused here.
    screen.dispatch(Action::Answer(Answer::AdHoc));
    assert!(
        screen
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("follows the facilitator")
    );
}

#[test]
fn a_read_only_window_takes_in_saves_but_keeps_its_own_place() {
    let (store, _session) = workshop_store();
    let mut facilitator = opened(&store);
    let mut other = opened(&store);
    assert!(other.open.as_ref().unwrap().read_only());
    other.dispatch(Action::Next);
    other.dispatch(Action::Next);
    let place = cursor(&other);
    let id = current_id(&facilitator);
    facilitator.dispatch(Action::Answer(Answer::Operating));
    other.dispatch(Action::Tick(Duration::from_millis(250)));
    assert_eq!(
        other.open.as_ref().unwrap().session.answer(&id),
        Some(Answer::Operating)
    );
    assert_eq!(cursor(&other), place);
}

#[test]
fn the_report_says_who_did_pre_work_and_what_was_agreed_from_it() {
    let (store, session) = workshop_store();
    let dir = tempfile::tempdir().unwrap();
    let ids = three_files(dir.path(), &session);
    let mut app = opened(&store);
    merge_from_setup(&mut app, dir.path(), false);
    app.dispatch(Action::Confirm);
    app.dispatch(Action::Back);
    app.dispatch(Action::Triage);
    app.dispatch(Action::Consensus);
    app.dispatch(Action::Confirm);
    let saved = store.load(ID).unwrap();
    let bank = aiready::content::builtin().unwrap();
    let render_as = |format, anonymize| {
        let options = aiready::report::Options {
            anonymize,
            generated: t0(),
            ..aiready::report::Options::now()
        };
        aiready::report::render(format, bank, &saved, &options).unwrap()
    };
    let render = |anonymize| render_as(aiready::report::Format::Markdown, anonymize);
    let report = render(false);
    assert!(report.contains("| Ana | ML | 3 of "), "{report}");
    assert!(report.contains("| Chi | legal | 3 of "), "{report}");
    assert!(report.contains("1 agreed level was accepted from unanimous votes"));
    let second = report.find(&format!("**{}**", ids[1])).unwrap();
    assert!(report[second..].contains("(agreed from pre-work)"));
    assert!(report.contains("Ana, pre-work: approved base sets only"));
    // Anonymized, the attribution goes with the names.
    let shared = render(true);
    assert!(
        !shared.contains("Ana") && !shared.contains("Ben"),
        "{shared}"
    );
    assert!(shared.contains("Participant A, pre-work: approved base sets only"));
    // The web page carries the same.
    let page = render_as(aiready::report::Format::Html, false);
    assert!(
        page.contains("<tr><td>Ana</td><td>ML</td><td class=\"num\">3 of "),
        "{page}"
    );
    assert!(page.contains("1 agreed level was accepted from unanimous votes"));
    let second = page.find(&format!("<strong>{}</strong>", ids[1])).unwrap();
    assert!(page[second..].contains("(agreed from pre-work)"));
    assert!(page.contains("<li>Ana, pre-work: approved base sets only</li>"));
    let shared_page = render_as(aiready::report::Format::Html, true);
    assert!(!shared_page.contains("Ana") && !shared_page.contains("Ben"));
    assert!(shared_page.contains("Participant A, pre-work: approved base sets only"));
}
