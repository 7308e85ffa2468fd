//! Helpers shared by the integration tests: an app over the built-in questions and an in-memory
//! store, with a fixed clock and UTC, so that screens and saved sessions are repeatable; and the
//! report fixture session.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use aiready::content;
use aiready::domain::session::{Participant, Session};
use aiready::store::{MemoryStore, SessionStore};
use aiready::tui::action::Action;
use aiready::tui::app::App;
use aiready::tui::keymap::Keymap;
use aiready::tui::screens::Screen;
use aiready::tui::screens::setup::Field;
use aiready::tui::theme::{Theme, ThemeName};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui_textarea::{Input, Key};

/// 2026-01-01 00:00 UTC.
pub fn t0() -> Timestamp {
    Timestamp::from_second(1_767_225_600).unwrap()
}

/// An app on the list of sessions of `store`.
pub fn app(store: &MemoryStore) -> App<'static> {
    let mut app = App::new(
        &content::Bank::Builtin,
        Box::new(store.clone()),
        Keymap::defaults().unwrap(),
        Theme::new(ThemeName::Dark, false),
        Box::new(t0),
    );
    app.time_zone = TimeZone::UTC;
    app.keymap_path = "<config>/keymap.ron".into();
    // Exports finish before `dispatch` returns, so tests can look at the file at once.
    app.export_patience = std::time::Duration::from_secs(60);
    app
}

/// Stores a session named `name` with an id that does not change between runs.
pub fn seed(store: &MemoryStore, id: &str, name: &str, participants: &[(&str, &str)]) -> Session {
    let bank = content::builtin().unwrap();
    let mut session = Session::new(id.into(), name.into(), bank, t0());
    session.organisation = "Acme".into();
    session.system = "Support bot".into();
    session.facilitator = "Dana".into();
    session.participants = participants
        .iter()
        .map(|(n, r)| Participant {
            name: (*n).into(),
            role: (*r).into(),
        })
        .collect();
    drop(store.create(&session).unwrap());
    session
}

/// Types text into the focused field, one key at a time.
pub fn type_text(app: &mut App<'_>, text: &str) {
    for c in text.chars() {
        let key = if c == '\n' { Key::Enter } else { Key::Char(c) };
        app.dispatch(Action::Input(Input {
            key,
            ..Input::default()
        }));
    }
}

/// The screen as text, one line per row, trailing spaces trimmed.
pub fn screen_text(app: &App<'_>, width: u16, height: u16) -> String {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
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
    out
}

/// Moves the focus of the setup screen on top to the first field `wanted` accepts.
pub fn focus_setup_field(app: &mut App<'_>, wanted: impl Fn(&Field) -> bool) {
    let fields = match app.screen() {
        Screen::Setup(s) => s.fields(app.bank),
        other => panic!("not on the setup screen: {other:?}"),
    };
    let at = fields
        .iter()
        .position(wanted)
        .expect("the setup has the field");
    for _ in 0..at {
        app.dispatch(Action::NextField);
    }
}

/// A session over the built-in questionnaires that uses every feature a report shows.
pub mod fixture_session;
/// The real binary in a pseudo-terminal.
pub mod pty;

/// Running the built binary for the report tests.
pub mod report_cli;
