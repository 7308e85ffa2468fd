//! What the app holds on its stack ([`Layer`]: a screen or a popup over it) and what a layer
//! answers to an action ([`Outcome`]: a [`Transition`] of the stack and [`Effect`]s the app
//! performs). Layers never touch the store or the open session themselves.

use crate::domain::merge::MergeOptions;
use crate::tui::action::Action;
use crate::tui::edit::Edit;
use crate::tui::keymap::{Command, Context};
use crate::tui::popups::Popup;
use crate::tui::popups::export::{ExportJob, PendingWrite};
use crate::tui::popups::unsaved::Leaving;
use crate::tui::screens::Screen;
use crate::tui::screens::setup::Draft;
use crate::tui::view::View;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::path::PathBuf;

/// How a message in the status line should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// Plain information.
    Info,
    /// Something to notice.
    Warn,
    /// Something went wrong.
    Error,
}

/// A message for the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// What it says.
    pub text: String,
    /// How it looks.
    pub kind: MessageKind,
}

/// A screen, or a popup drawn over the screens below it.
#[derive(Debug, Clone)]
pub enum Layer {
    /// A whole screen.
    Screen(Screen),
    /// A popup over the screen below (boxed: editors make popups large).
    Popup(Box<Popup>),
}

impl From<Screen> for Layer {
    fn from(screen: Screen) -> Layer {
        Layer::Screen(screen)
    }
}

impl From<Popup> for Layer {
    fn from(popup: Popup) -> Layer {
        Layer::Popup(Box::new(popup))
    }
}

impl Layer {
    /// The screen, if this layer is one.
    pub fn screen(&self) -> Option<&Screen> {
        match self {
            Layer::Screen(screen) => Some(screen),
            Layer::Popup(_) => None,
        }
    }

    /// The popup, if this layer is one.
    pub fn popup(&self) -> Option<&Popup> {
        match self {
            Layer::Popup(popup) => Some(popup),
            Layer::Screen(_) => None,
        }
    }

    /// The popup, if this layer is one, for changing.
    pub fn popup_mut(&mut self) -> Option<&mut Popup> {
        match self {
            Layer::Popup(popup) => Some(popup),
            Layer::Screen(_) => None,
        }
    }

    /// Handles an action.
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        match self {
            Layer::Screen(screen) => screen.update(view, action),
            Layer::Popup(popup) => popup.update(view, action),
        }
    }

    /// Takes the answer of a popup that closed over this layer.
    pub fn on_reply(&mut self, view: &View, reply: Reply) -> Outcome {
        match self {
            Layer::Screen(screen) => screen.on_reply(view, reply),
            Layer::Popup(_) => Outcome::stay(),
        }
    }

    /// Adjusts to a session whose setup changed (fewer questions, other participants).
    pub fn session_changed(&mut self, view: &View) {
        if let Layer::Screen(screen) = self {
            screen.session_changed(view);
        }
    }

    /// Moves to the question at a position of the navigation, on a screen that shows one.
    pub fn show_question(&mut self, position: usize) {
        if let Layer::Screen(Screen::Workshop(state)) = self {
            state.cursor = position;
        }
    }

    /// Commands whose keys do nothing here now, left out of the footer.
    pub fn idle_commands(&self, view: &View) -> Vec<Command> {
        match self {
            Layer::Screen(Screen::Workshop(state)) => state.idle_commands(view),
            Layer::Popup(popup) if matches!(**popup, Popup::Sections(_)) => vec![Command::Toggle],
            _ => Vec::new(),
        }
    }

    /// The key context and whether keys type text.
    pub fn context(&self) -> (Context, bool) {
        match self {
            Layer::Screen(screen) => screen.context(),
            Layer::Popup(popup) => popup.context(),
        }
    }

    /// Draws the layer into the body of the frame.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        match self {
            Layer::Screen(screen) => screen.render(view, area, buf),
            Layer::Popup(popup) => popup.render(view, area, buf),
        }
    }
}

/// What happens to the stack of layers after an action.
#[derive(Debug, Clone, Default)]
pub enum Transition {
    /// The layer stays on top.
    #[default]
    Stay,
    /// The layer closes; the one below is on top again.
    Close,
    /// The layer closes and hands an answer to the one below.
    CloseWith(Reply),
    /// Another layer opens on top.
    Push(Box<Layer>),
    /// Back to the list of sessions, closing the open session.
    Home,
}

/// An answer a closing popup gives the screen below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Go to the question at this position of the navigation.
    GoTo(usize),
    /// Move on to the next question (an N/A was justified).
    Advance,
    /// What the layer asked for was refused, for this reason.
    Refused(String),
    /// Go to the question at position `at`; next and previous follow `order` (positions in
    /// the navigation) until the agenda is left.
    Agenda {
        /// The agenda's order.
        order: Vec<usize>,
        /// Where to go.
        at: usize,
    },
    /// Next and previous follow the questionnaires again.
    LeaveAgenda,
}

/// Where the session to export comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportSource {
    /// A stored session, read without taking it over.
    Stored(String),
    /// The open session.
    Open,
}

/// Something only the app can do: change the open session, use the store, write files,
/// show a message.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Change the open session and save it.
    Edit(Edit),
    /// Show a message in the status line.
    Status(Message),
    /// Open a session by id.
    Open(String),
    /// Create a session from a setup and open it.
    Create(Box<Draft>),
    /// Start a new session from a stored one (a re-assessment) and open it.
    Reassess(String),
    /// Delete a stored session.
    Delete {
        /// Its id.
        id: String,
        /// Its name, for the message.
        name: String,
        /// Its row in the list, kept selected afterwards.
        row: usize,
    },
    /// Open the export popup for a session.
    BeginExport(ExportSource),
    /// Render a report and write it, unless the file exists.
    Export(ExportJob),
    /// Replace an existing file with a rendered report.
    Overwrite(PendingWrite),
    /// Stop waiting for the report being written; it is not written.
    CancelExport,
    /// Try the failed save again, then leave if it worked.
    RetrySave(Leaving),
    /// Write the session to a rescue file, then leave.
    Rescue {
        /// The file or folder typed; None for the current folder, then the temp folder.
        path: Option<PathBuf>,
        /// What happens after.
        leaving: Leaving,
    },
    /// Leave without saving (confirmed twice).
    Discard(Leaving),
    /// List the pre-work files in the current folder and offer to open one.
    BeginOpenPrework,
    /// Open a pre-work file to answer it.
    OpenPrework(PathBuf),
    /// Read the pre-work files of a folder and show what merging them would do.
    PreviewMerge {
        /// The folder.
        folder: PathBuf,
        /// The merge's choices.
        options: MergeOptions,
    },
}

/// A layer's answer to an action.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Outcome {
    /// What happens to the stack.
    pub transition: Transition,
    /// What the app does, in order, before the transition.
    pub effects: Vec<Effect>,
}

impl Outcome {
    /// Nothing changes in the stack.
    pub fn stay() -> Outcome {
        Outcome::default()
    }

    /// The layer closes.
    pub fn close() -> Outcome {
        Outcome::with_transition(Transition::Close)
    }

    /// The layer closes with an answer for the one below.
    pub fn close_with(reply: Reply) -> Outcome {
        Outcome::with_transition(Transition::CloseWith(reply))
    }

    /// Another layer opens on top.
    pub fn push(layer: impl Into<Layer>) -> Outcome {
        Outcome::with_transition(Transition::Push(Box::new(layer.into())))
    }

    /// A given transition, without effects.
    pub fn with_transition(transition: Transition) -> Outcome {
        Outcome {
            transition,
            effects: Vec::new(),
        }
    }

    /// Adds an effect.
    pub fn and(mut self, effect: Effect) -> Outcome {
        self.effects.push(effect);
        self
    }

    /// Adds a change to the open session.
    pub fn edit(self, edit: Edit) -> Outcome {
        self.and(Effect::Edit(edit))
    }

    /// Adds a message of a kind.
    pub fn status(self, kind: MessageKind, text: impl Into<String>) -> Outcome {
        self.and(Effect::Status(Message {
            text: text.into(),
            kind,
        }))
    }

    /// Adds a piece of information for the status line.
    pub fn info(self, text: impl Into<String>) -> Outcome {
        self.status(MessageKind::Info, text)
    }

    /// Adds a warning for the status line.
    pub fn warn(self, text: impl Into<String>) -> Outcome {
        self.status(MessageKind::Warn, text)
    }

    /// Adds an error for the status line.
    pub fn error(self, text: impl Into<String>) -> Outcome {
        self.status(MessageKind::Error, text)
    }

    /// Adds the effects of another outcome; its transition wins unless it stays.
    pub fn then(mut self, other: Outcome) -> Outcome {
        self.effects.extend(other.effects);
        if !matches!(other.transition, Transition::Stay) {
            self.transition = other.transition;
        }
        self
    }
}
