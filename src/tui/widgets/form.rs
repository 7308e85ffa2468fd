//! A small form of labelled one-line fields, shared by the popups that edit a few values. A
//! field holds text, or one of a few choices (Space or the arrows change it).

use crate::tui::action::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, text_input};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use ratatui_textarea::{Input, Key, TextArea};

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// What it is, shown above it.
    pub label: String,
    /// Its value; for a choice, the chosen option.
    pub value: String,
    /// The options of a choice; empty for text.
    pub choices: Vec<String>,
}

impl Field {
    /// A text field.
    pub fn text(label: impl Into<String>, value: impl Into<String>) -> Field {
        Field {
            label: label.into(),
            value: value.into(),
            choices: Vec::new(),
        }
    }

    /// A choice among `choices`, `value` chosen.
    pub fn choice(label: impl Into<String>, choices: &[&str], value: &str) -> Field {
        Field {
            label: label.into(),
            value: value.to_string(),
            choices: choices.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn is_choice(&self) -> bool {
        !self.choices.is_empty()
    }
}

/// Labelled fields, one of them focused and being edited.
#[derive(Debug, Clone)]
pub struct Fields {
    /// The fields in order.
    pub fields: Vec<Field>,
    /// The focused field.
    pub focus: usize,
    /// The focused text field's editor.
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
    /// Fields in order, the first focused.
    pub fn new(fields: Vec<Field>) -> Fields {
        let editor = text_input(fields.first().map(|f| f.value.as_str()).unwrap_or_default());
        Fields {
            fields,
            focus: 0,
            editor,
            error: None,
        }
    }

    /// Writes the editor into the focused text field.
    pub fn commit(&mut self) {
        if let Some(field) = self.fields.get_mut(self.focus)
            && !field.is_choice()
        {
            field.value = self.editor.lines().join(" ");
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
                .map(|f| f.value.as_str())
                .unwrap_or_default(),
        );
    }

    /// Types into the focused field; on a choice, Space and the arrows change it.
    pub fn input(&mut self, input: Input) {
        self.error = None;
        match self.fields.get_mut(self.focus) {
            Some(field) if field.is_choice() => {
                let step = match input.key {
                    Key::Char(' ') | Key::Right => 1,
                    Key::Left => -1,
                    _ => return,
                };
                let at = field
                    .choices
                    .iter()
                    .position(|c| *c == field.value)
                    .unwrap_or(0) as isize;
                let len = field.choices.len() as isize;
                if let Some(next) = field.choices.get((at + step).rem_euclid(len) as usize) {
                    field.value = next.clone();
                }
            }
            _ => {
                widgets::type_into(&mut self.editor, input);
            }
        }
    }

    /// Replaces the value of the focused text field.
    pub fn set_focused_text(&mut self, text: &str) {
        self.editor = text_input(text);
        self.commit();
    }

    /// The value of a field as it is now (the editor for the focused one), trimmed.
    pub fn value(&self, i: usize) -> String {
        if i == self.focus && self.fields.get(i).is_some_and(|f| !f.is_choice()) {
            return self.editor.lines().join(" ").trim().to_string();
        }
        self.fields
            .get(i)
            .map(|f| f.value.trim().to_string())
            .unwrap_or_default()
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

    /// Draws the form in a box titled `title` over `area`; `notes` go under the fields (hints
    /// and warnings, already styled).
    pub fn render(
        &self,
        theme: &Theme,
        title: &str,
        notes: Vec<Line<'static>>,
        area: Rect,
        buf: &mut Buffer,
    ) {
        let width = area.width.saturating_sub(4).min(76);
        let inner_width = usize::from(width.saturating_sub(2));
        let mut lines = Vec::new();
        for (i, field) in self.fields.iter().enumerate() {
            lines.push(Line::styled(field.label.clone(), theme.dim));
            let focused = i == self.focus;
            if field.is_choice() {
                let mut spans = vec![Span::styled(
                    if focused { "> " } else { "  " },
                    theme.selected,
                )];
                for choice in &field.choices {
                    let chosen = *choice == field.value;
                    let shown = if chosen {
                        format!("[{choice}]")
                    } else {
                        format!(" {choice} ")
                    };
                    let style = match (chosen, focused) {
                        (true, true) => theme.selected,
                        (true, false) => theme.chosen,
                        _ => theme.text,
                    };
                    spans.push(Span::styled(shown, style));
                    spans.push(Span::raw(" "));
                }
                lines.push(Line::from(spans));
            } else if focused {
                let text = self.editor.lines().join(" ");
                lines.push(Line::styled(
                    widgets::tail(&format!("> {text}_"), inner_width),
                    theme.selected,
                ));
            } else {
                lines.push(Line::styled(
                    widgets::truncate(&format!("  {}", field.value), inner_width),
                    theme.text,
                ));
            }
        }
        lines.extend(notes);
        if let Some(problem) = &self.error {
            lines.push(Line::styled(problem.clone(), theme.error));
        }
        let height = widgets::wrapped_height(&lines, inner_width).saturating_add(2);
        let popup = widgets::centered(area, width, height);
        let inner = widgets::popup(popup, buf, theme, title);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
    }
}
