//! Popups: boxes drawn over the screen below them. Each module owns one popup's state, its
//! keys (`update`) and its drawing (`render`); this file only lists them and forwards to them.
//! A popup that picks a place answers the screen below with a [`Reply`](crate::tui::layer::Reply).

pub mod action;
pub mod agenda;
pub mod changes;
pub mod consensus;
pub mod export;
pub mod merge;
pub mod notes;
pub mod open_prework;
pub mod parking_lot;
pub mod search;
pub mod sections;
pub mod unsaved;

use crate::tui::action::Action;
use crate::tui::keymap::Context;
use crate::tui::layer::Outcome;
use crate::tui::view::View;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// A popup and its state.
#[derive(Debug, Clone)]
pub enum Popup {
    /// The notes editor of a question.
    Notes(notes::NotesState),
    /// The follow-up action of a question.
    Action(action::ActionForm),
    /// The minutes planned for a section.
    Agenda(agenda::AgendaForm),
    /// Search across questions and notes.
    Search(search::SearchState),
    /// The list of sections to jump to.
    Sections(sections::SectionsState),
    /// The questions flagged to discuss later.
    ParkingLot(parking_lot::ParkingLotState),
    /// The changes since the previous session, question by question.
    Changes(changes::ChangesState),
    /// Writing a report.
    Export(export::ExportState),
    /// Leaving with changes a failed save did not write.
    Unsaved(unsaved::UnsavedState),
    /// Accepting the unanimous votes.
    Consensus(consensus::ConsensusState),
    /// Merging pre-work from a folder.
    Merge(merge::MergeState),
    /// Choosing a pre-work file to answer.
    OpenPrework(open_prework::OpenPreworkState),
}

impl Popup {
    /// Handles an action.
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        match self {
            Popup::Notes(state) => state.update(view, action),
            Popup::Action(state) => state.update(view, action),
            Popup::Agenda(state) => state.update(action),
            Popup::Search(state) => state.update(view, action),
            Popup::Sections(state) => state.update(view, action),
            Popup::ParkingLot(state) => state.update(view, action),
            Popup::Changes(state) => state.update(view, action),
            Popup::Export(state) => state.update(view, action),
            Popup::Unsaved(state) => state.update(view, action),
            Popup::Consensus(state) => state.update(view, action),
            Popup::Merge(state) => state.update(action),
            Popup::OpenPrework(state) => state.update(action),
        }
    }

    /// The key context and whether keys type text.
    pub fn context(&self) -> (Context, bool) {
        match self {
            Popup::Notes(_) => (Context::Editor, true),
            Popup::Action(_) | Popup::Agenda(_) => (Context::Form, true),
            Popup::Search(_) => (Context::Search, true),
            Popup::Sections(_) | Popup::ParkingLot(_) | Popup::Changes(_) => (Context::Jump, false),
            Popup::Export(state) => state.context(),
            Popup::Unsaved(state) => state.context(),
            Popup::Consensus(_) => (Context::Consensus, false),
            Popup::Merge(state) => state.context(),
            Popup::OpenPrework(_) => (Context::OpenFile, true),
        }
    }

    /// Draws the popup over `area`, the body of the frame.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        match self {
            Popup::Notes(state) => state.render(view, area, buf),
            Popup::Action(state) => state.render(view, area, buf),
            Popup::Agenda(state) => state.render(view, area, buf),
            Popup::Search(state) => state.render(view, area, buf),
            Popup::Sections(state) => state.render(view, area, buf),
            Popup::ParkingLot(state) => state.render(view, area, buf),
            Popup::Changes(state) => state.render(view, area, buf),
            Popup::Export(state) => state.render(view, area, buf),
            Popup::Unsaved(state) => state.render(view, area, buf),
            Popup::Consensus(state) => state.render(view, area, buf),
            Popup::Merge(state) => state.render(view, area, buf),
            Popup::OpenPrework(state) => state.render(view, area, buf),
        }
    }
}
