//! The list of the session's sections with progress and score; Enter jumps to the first
//! question of the selected one.

use crate::tui::action::Action;
use crate::tui::layer::Outcome;
use crate::tui::view::View;
use crate::tui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// The section list's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SectionsState {
    /// The selected row.
    pub selected: usize,
}

impl SectionsState {
    /// Handles an action: moving in the list, jumping.
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        let starts: Vec<usize> = view
            .open
            .map(|o| o.nav.sections.iter().map(|s| s.start).collect())
            .unwrap_or_default();
        widgets::pick(&mut self.selected, &starts, action)
    }

    /// Draws the list over `area`.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let Some(open) = view.open else { return };
        let rows: Vec<String> = open
            .nav
            .sections
            .iter()
            .map(|s| {
                let result = open.results.section(s.category, s.stage);
                let done = result.map_or(0, |r| r.completion.answered);
                format!(
                    "{:<22} {:<12} {:>3}/{:<3} {:>4}",
                    s.category.title(),
                    s.stage.title(),
                    done,
                    s.len,
                    widgets::score_text(result.and_then(|r| r.score))
                )
            })
            .collect();
        widgets::pick_list(
            view.theme,
            "Jump to a section",
            &rows,
            self.selected,
            "",
            area,
            buf,
        );
    }
}
