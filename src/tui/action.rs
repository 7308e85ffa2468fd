//! Every user intent, and the few events the run loop feeds in. Key handling only translates
//! keys into these; [`super::app::App::update`] is the only place state changes.

use crate::domain::scale::Answer;
use crate::report::Format;
use ratatui_textarea::Input;
use std::time::Duration;

/// Something the user asked for, or something that happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Quit after saving.
    Quit,
    /// Quit at once (Ctrl-C); everything is saved anyway.
    ForceQuit,
    /// Show the help screen.
    Help,
    /// Switch to the next theme.
    CycleTheme,
    /// Time passed; drives the notes debounce and the section timer.
    Tick(Duration),
    /// Move up in a list.
    Up,
    /// Move down in a list.
    Down,
    /// Open the selected session.
    Open,
    /// Open a session by id.
    OpenSession(String),
    /// Start a new session (setup).
    New,
    /// Delete the selected session (asks first).
    Delete,
    /// Accept: save a form, go to the chosen item, say yes.
    Confirm,
    /// Leave the screen or popup; say no.
    Back,
    /// Next form field.
    NextField,
    /// Previous form field.
    PrevField,
    /// Change the focused choice.
    Toggle,
    /// Add a participant.
    AddItem,
    /// Remove the focused participant.
    RemoveItem,
    /// Text typed into the focused field or editor.
    Input(Input),
    /// Answer the current question (in the vote row: vote for the selected person).
    Answer(Answer),
    /// Clear the answer (or the selected person's vote).
    ClearAnswer,
    /// Open the notes editor.
    EditNotes,
    /// Edit owner, due date and evidence.
    EditAction,
    /// Flag or unflag the question for later.
    Flag,
    /// Open the vote row.
    Votes,
    /// Previous question.
    Prev,
    /// Next question.
    Next,
    /// Next unanswered question.
    NextUnanswered,
    /// Previous section.
    PrevSection,
    /// Next section.
    NextSection,
    /// Pick a section to jump to.
    JumpSection,
    /// Search across questions.
    Search,
    /// Fold or unfold the question details.
    ToggleDetails,
    /// Switch the presenter view.
    Presenter,
    /// Show the flagged questions.
    ParkingLot,
    /// Plan the minutes of the current section.
    EditAgenda,
    /// Edit the session setup.
    EditSetup,
    /// Show the results dashboard.
    Results,
    /// Save the open session now.
    Save,
    /// Ask for a format and a file, then write a report of the session.
    Export,
    /// Choose a report format in the export popup.
    ExportFormat(Format),
    /// Try a failed save again.
    RetrySave,
    /// Write a rescue copy of the session.
    Rescue,
    /// Change where the rescue copy goes.
    EditPath,
    /// Leave without saving (asks again).
    Discard,
    /// Take back the last change to the session.
    Undo,
    /// Make the last undone change again.
    Redo,
    /// Fill in the next suggestion (the next participant as owner).
    Pick,
    /// Open the list of every follow-up action, by owner.
    Actions,
    /// Confirm the answer carried over from the previous session as it stands.
    ConfirmCarried,
    /// Go to the next answer carried over and not yet confirmed.
    NextUnconfirmed,
    /// Start a new session from the selected one (a re-assessment).
    Reassess,
    /// Show the changes since the previous session, question by question.
    Changes,
    /// Show the triage agenda.
    Triage,
    /// Preview and accept the unanimous votes as agreed levels.
    Consensus,
    /// Leave the agenda order: next and previous follow the questionnaires again.
    QuestionnaireOrder,
    /// Follow the facilitator again after moving on one's own.
    Follow,
    /// Open a pre-work file to answer it.
    OpenPrework,
    /// Merge pre-work files from a folder into the session.
    MergePrework,
}
