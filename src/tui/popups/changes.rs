//! The changes since the session a re-assessment started from, question by question: how each
//! moved (gap closed, new gap, regressed, ...), the answer before and after, and whether it is
//! only carried over or the question itself changed. Enter goes to the question.

use crate::domain::compare::{BankChange, Movement, QuestionChange};
use crate::domain::scale::Answer;
use crate::text;
use crate::tui::action::Action;
use crate::tui::layer::Outcome;
use crate::tui::view::View;
use crate::tui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// The change list's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChangesState {
    /// The selected row.
    pub selected: usize,
}

/// The order the list shows movements in: what management asks about first.
fn rank(movement: Movement) -> u8 {
    match movement {
        Movement::Regressed => 0,
        Movement::NewGap => 1,
        Movement::Closed => 2,
        Movement::Improved => 3,
        Movement::Answered => 4,
        Movement::Reopened => 5,
        Movement::Changed => 6,
        Movement::Unchanged => 7,
    }
}

/// The listed changes with their positions in the navigation; questions no longer among the
/// session's are left out, as there is nowhere to go.
fn listed<'v>(view: &View<'v>) -> Vec<(QuestionChange<'v>, usize)> {
    let (Some(open), Some(comparison)) = (view.open, view.comparison()) else {
        return Vec::new();
    };
    let mut rows: Vec<(QuestionChange, usize)> = comparison
        .questions
        .into_iter()
        .filter_map(|q| {
            let position = open.nav.position_of(view.bank, q.id)?;
            Some((q, position))
        })
        .collect();
    rows.sort_by_key(|(q, position)| (rank(q.movement), *position));
    rows
}

fn answer(a: Option<Answer>) -> &'static str {
    a.map_or("-", Answer::short)
}

impl ChangesState {
    /// Handles an action: moving in the list, going to a question, closing.
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        let targets: Vec<usize> = listed(view).into_iter().map(|(_, p)| p).collect();
        widgets::pick(&mut self.selected, &targets, action)
    }

    /// Draws the list over `area`.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let rows: Vec<String> = listed(view)
            .iter()
            .map(|(q, _)| {
                // The flags come before the prompt, which is cut to the width.
                let mut flags = String::new();
                if q.carried.is_some() {
                    flags.push_str("[to confirm] ");
                }
                match q.bank {
                    Some(BankChange::Added) => flags.push_str("[question added] "),
                    Some(BankChange::Changed) => flags.push_str("[question changed] "),
                    None => {}
                }
                let movement = match q.movement {
                    Movement::Unchanged if q.carried.is_some() => "carried over",
                    other => other.title(),
                };
                format!(
                    "{movement:<12} {:<12} {:>3} -> {:<3} {flags}{}",
                    text::value(q.id),
                    answer(q.answer_before),
                    answer(q.answer_after),
                    text::value(q.prompt)
                )
            })
            .collect();
        let title = match view.open.and_then(|o| o.session.started_from.as_ref()) {
            Some(from) => format!("Changes since \"{}\"", text::value(&from.name)),
            None => "Changes".to_string(),
        };
        let empty = if view.comparison().is_some() {
            "Nothing moved yet: every answer is as it was."
        } else {
            "This session did not start from another that is still stored: nothing to compare."
        };
        widgets::pick_list(view.theme, &title, &rows, self.selected, empty, area, buf);
    }
}
