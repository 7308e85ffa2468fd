//! The screens. Each module owns one screen's state, its keys (`update`) and its drawing
//! (`render`); this file only lists them and forwards to them.

pub mod help;
pub mod home;
pub mod results;
pub mod setup;
pub mod triage;
pub mod workshop;

use crate::tui::action::Action;
use crate::tui::keymap::Context;
use crate::tui::layer::{Outcome, Reply};
use crate::tui::view::View;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// A screen and its state.
#[derive(Debug, Clone)]
pub enum Screen {
    /// The list of sessions.
    Home(home::HomeState),
    /// Setting up a new session or changing one.
    Setup(Box<setup::SetupState>),
    /// Answering questions.
    Workshop(workshop::WorkshopState),
    /// Scores, verdicts, heatmap and gaps.
    Results(results::ResultsState),
    /// Every key and the readiness scale.
    Help(help::HelpState),
    /// The questions in the order the meeting takes them.
    Triage(triage::TriageState),
}

impl Screen {
    /// Handles an action.
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        match self {
            Screen::Home(state) => state.update(view, action),
            Screen::Setup(state) => state.update(view, action),
            Screen::Workshop(state) => state.update(view, action),
            Screen::Results(state) => state.update(view, action),
            Screen::Help(state) => state.update(action),
            Screen::Triage(state) => state.update(view, action),
        }
    }

    /// Takes the answer of a popup that closed over the screen.
    pub fn on_reply(&mut self, view: &View, reply: Reply) -> Outcome {
        match self {
            Screen::Setup(state) => state.on_reply(reply),
            Screen::Workshop(state) => state.on_reply(view, reply),
            // A question picked in a list over the results is shown in the workshop below.
            Screen::Results(_) => match reply {
                Reply::GoTo(position) => Outcome::close_with(Reply::GoTo(position)),
                _ => Outcome::stay(),
            },
            Screen::Home(_) | Screen::Help(_) | Screen::Triage(_) => Outcome::stay(),
        }
    }

    /// Adjusts to a changed session (fewer questions, other participants, new votes).
    pub fn session_changed(&mut self, view: &View) {
        match self {
            Screen::Workshop(state) => state.session_changed(view),
            Screen::Triage(state) => state.session_changed(view),
            Screen::Setup(state) => state.session_changed(view),
            Screen::Home(_) | Screen::Results(_) | Screen::Help(_) => {}
        }
    }

    /// The key context and whether keys type text.
    pub fn context(&self) -> (Context, bool) {
        match self {
            Screen::Home(state) => state.context(),
            Screen::Setup(state) => state.context(),
            Screen::Workshop(state) => state.context(),
            Screen::Results(_) => (Context::Results, false),
            Screen::Help(_) => (Context::Help, false),
            Screen::Triage(_) => (Context::Triage, false),
        }
    }

    /// Draws the screen into the body of the frame.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        match self {
            Screen::Home(state) => state.render(view, area, buf),
            Screen::Setup(state) => state.render(view, area, buf),
            Screen::Workshop(state) => state.render(view, area, buf),
            Screen::Results(state) => state.render(view, area, buf),
            Screen::Help(state) => state.render(view, area, buf),
            Screen::Triage(state) => state.render(view, area, buf),
        }
    }
}

/// Scrolling shared by the results and help screens.
pub fn update_scroll(scroll: &mut u16, action: Action) -> Outcome {
    match action {
        Action::Down => *scroll = scroll.saturating_add(1),
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::Back => return Outcome::close(),
        _ => {}
    }
    Outcome::stay()
}
