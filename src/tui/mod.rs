//! The terminal user interface: the only module that draws or reads keys.
//!
//! Data flows one way: a key event is looked up in the [`keymap`] for the context of the layer
//! on top and becomes an [`action::Action`]; [`app::App::dispatch`] hands it to that layer,
//! which answers with an [`layer::Outcome`]: a [`layer::Transition`] of the stack (stay, close,
//! open another layer, go home) and [`layer::Effect`]s that only the app performs (change and
//! save the session, open, create, delete, export). Every layer is drawn from a read-only
//! [`view::View`] (bank, open session with its scores, theme, keys), never from the app.
//!
//! Where things live:
//!
//! - `screens/<name>.rs`: one screen each (home, setup, results, help), with its state, its
//!   `update` (the keys) and its `render`. The question screen is a folder:
//!   `screens/workshop/mod.rs` (state, keys, layout), `question.rs` (the question page) and
//!   `votes.rs` (the vote panel: whose vote is next, its keys, its drawing).
//! - `popups/<name>.rs`: one popup each (notes, action, agenda, search, sections, parking lot,
//!   export), same shape; a popup that picks a place answers the screen below with a
//!   [`layer::Reply`].
//! - [`app`]: the stack of layers, the open session, the store; routing and effects.
//! - [`session`]: the open session, its navigation (applicable questions in order), the timer.
//! - [`edit`]: changes to the session, as data.
//! - [`frame`]: header, status line and footer around every screen.
//! - [`action`], [`keymap`] (bindings as data, with user overrides), [`theme`] (colours,
//!   `NO_COLOR`), [`widgets`] (shared drawing pieces).
//!
//! To add a screen: a module in `screens/` with a state struct holding `update(&mut self,
//! &View, Action) -> Outcome`, `context()` and `render(&self, &View, Rect, &mut Buffer)`; a
//! variant in [`screens::Screen`] and one line in each of its forwarding matches; and an
//! action (with a key in `assets/keymap.ron`) whose handler returns `Outcome::push(..)`. A
//! popup is the same in `popups/` and [`popups::Popup`].

pub mod action;
pub mod app;
pub mod edit;
pub mod frame;
pub mod keymap;
pub mod layer;
pub mod popups;
pub mod screens;
pub mod session;
pub mod theme;
pub mod view;
pub mod widgets;

use crate::config::Paths;
use crate::domain::questionnaire::QuestionBank;
use crate::store::SessionStore;
use action::Action;
use app::App;
use keymap::{Keymap, KeymapError};
use ratatui::crossterm::event::{self, Event};
use std::io::IsTerminal;
use std::time::{Duration, Instant};
use theme::{Theme, ThemeName};

/// How long to wait for a key before the timer and the notes debounce get a tick.
const TICK: Duration = Duration::from_millis(250);

/// The environment variable naming the theme (dark, light, high-contrast).
pub const THEME_ENV: &str = "AIREADY_THEME";

/// Why the interface could not run.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    /// Standard input or output is not a terminal.
    #[error(
        "aiready needs a terminal to show the workshop, and this is not one (input or output is redirected). Run it in a terminal window, or use the subcommands (see `aiready --help`)."
    )]
    NoTerminal,
    /// The terminal could not be set up or drawn to.
    #[error("the terminal stopped working: {0}")]
    Terminal(#[from] std::io::Error),
    /// The user's key map is broken.
    #[error(transparent)]
    Keymap(#[from] KeymapError),
    /// The theme named in the environment is unknown.
    #[error("{THEME_ENV}=\"{0}\" is not a theme; use dark, light or high-contrast")]
    Theme(String),
}

/// What to show first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// The list of sessions.
    Home,
    /// A session, by id.
    Session(String),
}

/// The theme chosen by `AIREADY_THEME`, dark by default, with `NO_COLOR` honoured.
pub fn theme_from_env() -> Result<Theme, TuiError> {
    let name = match std::env::var(THEME_ENV) {
        Ok(value) if !value.trim().is_empty() => {
            ThemeName::parse(&value).ok_or(TuiError::Theme(value))?
        }
        _ => ThemeName::default(),
    };
    Ok(Theme::from_env(name))
}

/// Fails with a clear message when input or output is not a terminal, so that a command can
/// refuse before it changes anything.
pub fn ensure_terminal() -> Result<(), TuiError> {
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        Ok(())
    } else {
        Err(TuiError::NoTerminal)
    }
}

/// Runs the interface until the user quits. The terminal is restored on every way out: a
/// normal quit, Ctrl-C (a key in raw mode) and a panic (ratatui's hook restores it before the
/// error reporter installed in `main` prints).
pub fn run(
    bank: &QuestionBank,
    store: Box<dyn SessionStore>,
    paths: &Paths,
    start: Start,
) -> Result<(), TuiError> {
    ensure_terminal()?;
    let keymap = Keymap::load(&paths.config_dir)?;
    let theme = theme_from_env()?;
    let clock = Box::new(jiff::Timestamp::now);
    let mut app = match start {
        Start::Home => App::new(bank, store, keymap, theme, clock),
        Start::Session(_) => App::unlisted(bank, store, keymap, theme, clock),
    };
    app.keymap_path = paths
        .config_dir
        .join(keymap::USER_KEYMAP_FILE)
        .display()
        .to_string();
    app.export_places = popups::export::ExportPlaces::from_env(&paths.config_dir);
    if let Start::Session(id) = start {
        app.dispatch(Action::OpenSession(id));
        // The session could not be opened: the list of sessions is shown instead.
        if app.open.is_none() {
            app.list_sessions();
        }
    }
    let mut terminal = ratatui::try_init()?;
    let result = event_loop(&mut terminal, &mut app);
    // Whatever happened, what is in flight is written before the terminal is handed back.
    if app.running() {
        app.dispatch(Action::Quit);
    }
    ratatui::try_restore()?;
    result
}

/// In debug builds, set to make the program panic after its first frame, so that tests can
/// check that a panic leaves the terminal usable.
#[cfg(debug_assertions)]
pub const PANIC_TEST_ENV: &str = "AIREADY_TEST_PANIC";

fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App) -> Result<(), TuiError> {
    let mut last = Instant::now();
    while app.running() {
        terminal.draw(|frame| frame.render_widget(&*app, frame.area()))?;
        #[cfg(debug_assertions)]
        if std::env::var_os(PANIC_TEST_ENV).is_some() {
            panic!("panic requested by {PANIC_TEST_ENV} (a test of terminal restoration)");
        }
        if event::poll(TICK)? {
            match event::read()? {
                Event::Key(key) if keymap::is_press(&key) => {
                    if let Some(action) = app.action_for_key(key) {
                        app.dispatch(action);
                    }
                }
                // A resize needs no action: the next frame is laid out for the new size.
                _ => {}
            }
        }
        let now = Instant::now();
        app.dispatch(Action::Tick(now - last));
        last = now;
    }
    Ok(())
}
