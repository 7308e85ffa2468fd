//! The notes editor of one question: multi-line text, saved a moment after the last keystroke
//! and on closing. Opened for an N/A answer, it asks for the reason.

use crate::tui::action::Action;
use crate::tui::edit::Edit;
use crate::tui::keymap::{Command, Context};
use crate::tui::layer::{Outcome, Reply};
use crate::tui::view::View;
use crate::tui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use ratatui_textarea::{CursorMove, Input, TextArea, WrapMode};
use std::time::Duration;

/// How long after the last keystroke notes are saved.
pub const NOTES_SAVE_DELAY: Duration = Duration::from_millis(1500);

/// The notes editor's state.
#[derive(Debug, Clone)]
pub struct NotesState {
    /// The question the notes belong to.
    pub question_id: String,
    /// The text being edited.
    pub area: TextArea<'static>,
    /// Typed since the last save.
    pub dirty: bool,
    /// Time since the last keystroke.
    pub idle: Duration,
    /// Opened to justify an N/A answer.
    pub justify: bool,
}

impl NotesState {
    /// An editor over the current notes, cursor at the end.
    pub fn new(question_id: String, notes: String, justify: bool) -> NotesState {
        let lines: Vec<String> = if notes.is_empty() {
            vec![String::new()]
        } else {
            notes.lines().map(str::to_string).collect()
        };
        let mut area = TextArea::new(lines);
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        area.set_wrap_mode(WrapMode::WordOrGlyph);
        area.set_cursor_line_style(Style::new());
        NotesState {
            question_id,
            area,
            dirty: false,
            idle: Duration::ZERO,
            justify,
        }
    }

    /// Types a key.
    pub fn input(&mut self, input: Input) {
        if widgets::type_into(&mut self.area, input) {
            self.dirty = true;
        }
        self.idle = Duration::ZERO;
    }

    /// The notes as text, trailing blank lines dropped.
    pub fn text(&self) -> String {
        self.area.lines().join("\n").trim_end().to_string()
    }

    /// The change that writes the text, when something was typed since the last save.
    pub fn pending(&self) -> Option<Edit> {
        self.dirty.then(|| Edit::Notes {
            question: self.question_id.clone(),
            text: self.text(),
        })
    }

    /// Time passed: the text is due for saving once typing paused long enough.
    pub fn tick(&mut self, elapsed: Duration) -> Option<Edit> {
        if !self.dirty {
            return None;
        }
        self.idle += elapsed;
        if self.idle < NOTES_SAVE_DELAY {
            return None;
        }
        let edit = self.pending();
        self.dirty = false;
        edit
    }

    /// Handles an action: typing, and closing (which saves).
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        match action {
            Action::Input(input) => {
                self.input(input);
                Outcome::stay()
            }
            Action::Back => {
                let text = self.text();
                let saved = view
                    .record(&self.question_id)
                    .map(|r| r.notes.as_str())
                    .unwrap_or_default();
                let mut outcome = if text != saved {
                    Outcome::close().edit(Edit::Notes {
                        question: self.question_id.clone(),
                        text: text.clone(),
                    })
                } else {
                    Outcome::close()
                };
                if self.justify && text.trim().is_empty() {
                    outcome = outcome.warn(
                        "N/A needs a note saying why the question does not apply (press e to add it).",
                    );
                } else if self.justify {
                    outcome = outcome.then(Outcome::close_with(Reply::Advance));
                }
                outcome
            }
            _ => Outcome::stay(),
        }
    }

    /// Draws the editor in a box over `area`.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        let popup = widgets::centered(area, area.width.saturating_sub(8).min(100), 12);
        let title = if self.justify {
            "Why does this question not apply? (N/A needs a reason)"
        } else {
            "Notes"
        };
        let inner = widgets::popup(popup, buf, theme, title);
        let [text, hint] = inner.layout(&Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(1),
        ]));
        let mut editor = self.area.clone();
        editor.set_style(theme.text);
        editor.set_cursor_style(theme.selected);
        (&editor).render(text, buf);
        let close = view.key(Context::Editor, Command::Back);
        let (state, style) = if self.dirty {
            (
                format!(
                    "saving {:.0} s after you stop typing",
                    NOTES_SAVE_DELAY.as_secs_f32()
                ),
                theme.dim,
            )
        } else if view.save_error.is_some() {
            // "Saved" only when the last save worked.
            ("NOT SAVED, see below".to_string(), theme.error)
        } else if view.saving {
            // Handed to the writer, not yet known to be on disk.
            ("saving".to_string(), theme.dim)
        } else {
            ("saved".to_string(), theme.dim)
        };
        let keys = format!("Enter: new line   {close}: close   ");
        let room = usize::from(hint.width).saturating_sub(keys.chars().count());
        Paragraph::new(Line::from(vec![
            Span::styled(keys, theme.dim),
            Span::styled(widgets::truncate(&format!("({state})"), room), style),
        ]))
        .render(hint, buf);
    }
}
