//! The parking lot: the questions flagged to discuss later; Enter goes to the selected one.

use crate::tui::action::Action;
use crate::tui::keymap::{Command, Context};
use crate::tui::layer::Outcome;
use crate::tui::view::View;
use crate::tui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// The parking lot's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParkingLotState {
    /// The selected row.
    pub selected: usize,
}

/// Positions of flagged questions in the navigation.
pub fn flagged(view: &View) -> Vec<usize> {
    view.positions(|_, record| record.is_some_and(|r| r.discuss_later))
}

impl ParkingLotState {
    /// Handles an action: moving in the list, going to a question.
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        widgets::pick(&mut self.selected, &flagged(view), action)
    }

    /// Draws the list over `area`.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let rows: Vec<String> = flagged(view)
            .into_iter()
            .filter_map(|position| view.question_at(position))
            .map(|q| format!("{:<12} {}", q.id, q.prompt))
            .collect();
        let flag = view.key(Context::Workshop, Command::Flag);
        widgets::pick_list(
            view.theme,
            "Parking lot: questions flagged to discuss later",
            &rows,
            self.selected,
            &format!("Nothing flagged yet. Press {flag} on a question to park it here."),
            area,
            buf,
        );
    }
}
