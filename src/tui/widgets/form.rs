//! A small form of one-line text fields, shared by the popups that edit a few values.

use crate::tui::action::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, text_input};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};
use ratatui_textarea::{Input, TextArea};

/// Labelled one-line fields, one of them focused and being edited.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Labels and values.
    pub fields: Vec<(String, String)>,
    /// The focused field.
    pub focus: usize,
    /// The focused field's editor.
    pub editor: TextArea<'static>,
    /// Why the last save was refused.
    pub error: Option<String>,
}

/// What a form's keys asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKey {
    /// Handled inside the form (typing, moving between fields).
    Handled,
    /// Save: the values are committed and should be checked.
    Save,
    /// Close without saving.
    Cancel,
}

impl Fields {
    /// Fields with their labels and values, the first focused.
    pub fn new(fields: Vec<(String, String)>) -> Fields {
        let editor = text_input(fields.first().map(|f| f.1.as_str()).unwrap_or_default());
        Fields {
            fields,
            focus: 0,
            editor,
            error: None,
        }
    }

    /// Writes the editor into the focused field.
    pub fn commit(&mut self) {
        if let Some(field) = self.fields.get_mut(self.focus) {
            field.1 = self.editor.lines().join(" ");
        }
    }

    /// Moves the focus, wrapping around.
    pub fn move_focus(&mut self, delta: isize) {
        self.commit();
        let len = self.fields.len().max(1) as isize;
        self.focus = (self.focus as isize + delta).rem_euclid(len) as usize;
        self.editor = text_input(
            self.fields
                .get(self.focus)
                .map(|f| f.1.as_str())
                .unwrap_or_default(),
        );
    }

    /// Types into the focused field.
    pub fn input(&mut self, input: Input) {
        self.editor.input(input);
        self.error = None;
    }

    /// The value of a field, trimmed.
    pub fn value(&self, i: usize) -> &str {
        self.fields.get(i).map(|f| f.1.trim()).unwrap_or_default()
    }

    /// The keys every form shares.
    pub fn update(&mut self, action: Action) -> FormKey {
        match action {
            Action::Input(input) => self.input(input),
            Action::NextField => self.move_focus(1),
            Action::PrevField => self.move_focus(-1),
            Action::Back => return FormKey::Cancel,
            Action::Confirm => {
                self.commit();
                return FormKey::Save;
            }
            _ => {}
        }
        FormKey::Handled
    }

    /// Draws the form in a box titled `title` over `area`.
    pub fn render(&self, theme: &Theme, title: &str, area: Rect, buf: &mut Buffer) {
        let height = u16::try_from(self.fields.len() * 2 + 3).unwrap_or(10);
        let popup = widgets::centered(area, 70, height);
        let inner = widgets::popup(popup, buf, theme, title);
        let mut lines = Vec::new();
        for (i, (label, value)) in self.fields.iter().enumerate() {
            lines.push(Line::styled(label.clone(), theme.dim));
            if i == self.focus {
                let text = self.editor.lines().join(" ");
                lines.push(Line::styled(format!("> {text}_"), theme.selected));
            } else {
                lines.push(Line::styled(format!("  {value}"), theme.text));
            }
        }
        if let Some(problem) = &self.error {
            lines.push(Line::styled(problem.clone(), theme.error));
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
    }
}
