//! The parking lot: the questions flagged to discuss later, each with whether it is answered
//! and whether it was resolved; Space marks one resolved (or open again), Enter goes to it.

use crate::tui::action::Action;
use crate::tui::edit::Edit;
use crate::tui::keymap::{Command, Context};
use crate::tui::layer::Outcome;
use crate::tui::session::READ_ONLY_MESSAGE;
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
    /// Handles an action: moving in the list, marking resolved, going to a question.
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        let targets = flagged(view);
        if action == Action::Toggle {
            let Some(question) = targets
                .get(self.selected)
                .and_then(|&p| view.question_at(p))
            else {
                return Outcome::stay();
            };
            if view.read_only() {
                return Outcome::stay().warn(READ_ONLY_MESSAGE);
            }
            let resolved = !view.record(&question.id).is_some_and(|r| r.resolved);
            return Outcome::stay().edit(Edit::Resolve {
                question: question.id.clone(),
                resolved,
            });
        }
        widgets::pick(&mut self.selected, &targets, action)
    }

    /// Draws the list over `area`: resolved or not, answered or open, id, prompt.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let rows: Vec<String> = flagged(view)
            .into_iter()
            .filter_map(|position| view.question_at(position))
            .map(|q| {
                let record = view.record(&q.id);
                let done = if record.is_some_and(|r| r.resolved) {
                    "[x]"
                } else {
                    "[ ]"
                };
                let answer = match record.and_then(|r| r.answer) {
                    Some(a) => format!("answered {}", a.short()),
                    None => "open".to_string(),
                };
                format!("{done} {:<12} {answer:<12} {}", q.id, q.prompt)
            })
            .collect();
        let flag = view.key(Context::Workshop, Command::Flag);
        let resolve = view.key(Context::Jump, Command::Toggle);
        let title =
            format!("Parking lot: flagged to discuss later ([x] resolved, {resolve} marks)");
        widgets::pick_list(
            view.theme,
            &title,
            &rows,
            self.selected,
            &format!("Nothing flagged yet. Press {flag} on a question to park it here."),
            area,
            buf,
        );
    }
}
