//! Search across the session's questions (id, prompt, guidance) and notes; Enter goes to the
//! selected match.

use crate::tui::action::Action;
use crate::tui::layer::{Outcome, Reply};
use crate::tui::view::View;
use crate::tui::widgets::{self, text_input};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};
use ratatui_textarea::TextArea;

/// The search box and its matches.
#[derive(Debug, Clone)]
pub struct SearchState {
    /// The query being typed.
    pub input: TextArea<'static>,
    /// Positions of matching questions.
    pub matches: Vec<usize>,
    /// The selected match.
    pub selected: usize,
}

impl Default for SearchState {
    fn default() -> Self {
        SearchState::new()
    }
}

impl SearchState {
    /// An empty search.
    pub fn new() -> SearchState {
        SearchState {
            input: text_input(""),
            matches: Vec::new(),
            selected: 0,
        }
    }

    /// The query as typed.
    pub fn query(&self) -> String {
        self.input.lines().join(" ")
    }

    /// Positions of the questions whose id, prompt, guidance or notes hold the query.
    fn find(view: &View, query: &str) -> Vec<usize> {
        let query = query.trim().to_lowercase();
        if query.is_empty() {
            return Vec::new();
        }
        view.positions(|q, record| {
            q.id.to_lowercase().contains(&query)
                || q.prompt.to_lowercase().contains(&query)
                || q.guidance.to_lowercase().contains(&query)
                || record.is_some_and(|r| r.notes.to_lowercase().contains(&query))
        })
    }

    /// Handles an action: typing, moving between matches, going to one.
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        match action {
            Action::Input(input) => {
                widgets::type_into(&mut self.input, input);
                self.matches = SearchState::find(view, &self.query());
                self.selected = 0;
            }
            Action::Down if self.selected + 1 < self.matches.len() => self.selected += 1,
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Confirm => {
                if let Some(&position) = self.matches.get(self.selected) {
                    return Outcome::close_with(Reply::GoTo(position));
                }
            }
            Action::Back => return Outcome::close(),
            _ => {}
        }
        Outcome::stay()
    }

    /// Draws the box and the matches over `area`.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        let Some(open) = view.open else { return };
        let popup = widgets::centered(
            area,
            area.width.saturating_sub(8).min(110),
            area.height.saturating_sub(2),
        );
        let inner = widgets::popup(popup, buf, theme, "Search questions, guidance and notes");
        let mut lines = vec![
            Line::styled(format!("> {}_", self.query()), theme.selected),
            Line::styled(
                match self.matches.len() {
                    0 if self.query().trim().is_empty() => "Type to search.".to_string(),
                    0 => "No question matches.".to_string(),
                    1 => "1 match".to_string(),
                    n => format!("{n} matches"),
                },
                theme.dim,
            ),
        ];
        let room = usize::from(inner.height.saturating_sub(2));
        let start = self.selected.saturating_sub(room.saturating_sub(1));
        for (i, &pos) in self.matches.iter().enumerate().skip(start).take(room) {
            let Some(q) = open
                .nav
                .questions
                .get(pos)
                .and_then(|at| view.question(*at))
            else {
                continue;
            };
            let text = widgets::truncate(
                &format!("{:<12} {}", q.id, q.prompt),
                usize::from(inner.width),
            );
            let style = if i == self.selected {
                theme.selected
            } else {
                theme.text
            };
            lines.push(Line::styled(text, style));
        }
        Paragraph::new(lines).render(inner, buf);
    }
}
