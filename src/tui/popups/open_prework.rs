//! Opening a pre-work file from the list of sessions: a path to type, or one of the pre-work
//! files found in the current folder to pick.

use crate::tui::action::Action;
use crate::tui::keymap::{Command, Context};
use crate::tui::layer::{Effect, Outcome};
use crate::tui::view::View;
use crate::tui::widgets::{self, text_input};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui_textarea::TextArea;
use std::path::PathBuf;

/// The popup's state.
#[derive(Debug, Clone)]
pub struct OpenPreworkState {
    /// The path being typed.
    pub path: TextArea<'static>,
    /// Pre-work files found in the current folder.
    pub found: Vec<PathBuf>,
    /// The file picked from `found`, if one is.
    pub selected: Option<usize>,
    /// Why the last file could not be opened.
    pub error: Option<String>,
}

impl OpenPreworkState {
    /// The popup with the files found, the first one picked.
    pub fn new(found: Vec<PathBuf>) -> OpenPreworkState {
        let mut state = OpenPreworkState {
            path: text_input(""),
            selected: None,
            found,
            error: None,
        };
        state.pick(0);
        state
    }

    fn pick(&mut self, index: usize) {
        if let Some(path) = self.found.get(index) {
            self.selected = Some(index);
            self.path = text_input(&path.display().to_string());
        }
    }

    /// The path as typed or picked.
    pub fn path(&self) -> PathBuf {
        PathBuf::from(self.path.lines().join("").trim())
    }

    /// Shows why the file could not be opened.
    pub fn failed(&mut self, problem: String) {
        self.error = Some(problem);
    }

    /// Handles an action: typing, picking, opening.
    pub fn update(&mut self, action: Action) -> Outcome {
        match action {
            Action::Input(input) => {
                self.path.input(input);
                self.selected = None;
                self.error = None;
            }
            Action::Down => self.pick(self.selected.map_or(0, |i| i + 1)),
            Action::Up => self.pick(self.selected.map_or(0, |i| i.saturating_sub(1))),
            Action::Confirm => {
                let path = self.path();
                if path.as_os_str().is_empty() {
                    self.error = Some("Type the path of a pre-work file first.".into());
                    return Outcome::stay();
                }
                return Outcome::stay().and(Effect::OpenPrework(path));
            }
            Action::Back => return Outcome::close(),
            _ => {}
        }
        Outcome::stay()
    }

    /// Draws the popup over `area`.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        let open = view.key(Context::OpenFile, Command::Confirm);
        let mut lines = vec![
            Line::styled(
                format!(
                    "The file your facilitator sent you; answers are saved into it as you go. {open} opens it."
                ),
                theme.text,
            ),
            Line::default(),
            Line::styled("File", theme.dim),
            Line::styled(format!("> {}_", self.path.lines().join("")), theme.selected),
        ];
        if let Some(problem) = &self.error {
            lines.push(Line::styled(problem.clone(), theme.error));
        }
        lines.push(Line::default());
        if self.found.is_empty() {
            lines.push(Line::styled(
                "No pre-work files (*.prework.ron) in the current folder.",
                theme.dim,
            ));
        } else {
            let up = view.key(Context::OpenFile, Command::Up);
            let down = view.key(Context::OpenFile, Command::Down);
            lines.push(Line::styled(
                format!("In the current folder ({up}/{down} pick one):"),
                theme.dim,
            ));
            for (i, path) in self.found.iter().enumerate() {
                let style = if self.selected == Some(i) {
                    theme.selected
                } else {
                    theme.text
                };
                lines.push(Line::styled(format!("  {}", path.display()), style));
            }
        }
        widgets::text_popup(area, buf, theme, "Answer a pre-work file", 100, lines);
    }
}
