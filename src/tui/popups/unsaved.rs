//! Leaving a session whose last save failed: says what is not saved and why, and offers to try
//! again, to write a rescue copy elsewhere, or to leave without saving after a second "yes".

use crate::tui::action::Action;
use crate::tui::keymap::{Command, Context};
use crate::tui::layer::{Effect, Outcome};
use crate::tui::view::View;
use crate::tui::widgets::{self, text_input};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use ratatui_textarea::TextArea;
use std::path::PathBuf;

/// How many unsaved changes the popup names before it only counts the rest.
const LISTED: usize = 6;

/// What the person was doing when the popup opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaving {
    /// Quitting the program.
    Quit,
    /// Going back to the list of sessions.
    Home,
}

/// Where the popup is in its questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The choices.
    Ask,
    /// Typing the place of the rescue copy.
    EditPath,
    /// "Really leave without saving?"
    ConfirmDiscard,
}

/// The popup's state.
#[derive(Debug, Clone)]
pub struct UnsavedState {
    /// What happens once the changes are safe (or given up).
    pub leaving: Leaving,
    /// The question being asked.
    pub step: Step,
    /// The file the rescue copy goes to.
    pub path: TextArea<'static>,
    /// Whether the person typed the place (else the current folder, then the temp folder).
    pub path_edited: bool,
    /// The place before editing started, kept for Esc.
    previous_path: String,
    /// Why the last rescue copy could not be written.
    pub error: Option<String>,
}

impl UnsavedState {
    /// The popup, proposing a rescue copy at `default_path`.
    pub fn new(leaving: Leaving, default_path: PathBuf) -> UnsavedState {
        let shown = default_path.display().to_string();
        UnsavedState {
            leaving,
            step: Step::Ask,
            path: text_input(&shown),
            path_edited: false,
            previous_path: shown,
            error: None,
        }
    }

    /// The place of the rescue copy as typed.
    pub fn path_text(&self) -> String {
        self.path.lines().join("")
    }

    /// Shows why the rescue copy could not be written.
    pub fn failed(&mut self, problem: String) {
        self.error = Some(problem);
    }

    /// The key context: the choices, typing the place, or the second "yes".
    pub fn context(&self) -> (Context, bool) {
        match self.step {
            Step::Ask => (Context::Unsaved, false),
            Step::EditPath => (Context::Form, true),
            Step::ConfirmDiscard => (Context::Confirm, false),
        }
    }

    /// Handles an action.
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        match self.step {
            Step::Ask => match action {
                Action::RetrySave => {
                    return Outcome::stay().and(Effect::RetrySave(self.leaving));
                }
                Action::Rescue => {
                    let path = self
                        .path_edited
                        .then(|| view.export_places.resolve(&self.path_text()))
                        .flatten();
                    return Outcome::stay().and(Effect::Rescue {
                        path,
                        leaving: self.leaving,
                    });
                }
                Action::EditPath => {
                    self.previous_path = self.path_text();
                    self.step = Step::EditPath;
                }
                Action::Discard => self.step = Step::ConfirmDiscard,
                Action::Back => return Outcome::close(),
                _ => {}
            },
            Step::EditPath => match action {
                Action::Input(input) => {
                    widgets::type_into(&mut self.path, input);
                }
                Action::Confirm if !self.path_text().trim().is_empty() => {
                    self.path_edited = true;
                    self.error = None;
                    self.step = Step::Ask;
                }
                Action::Back => {
                    self.path = text_input(&self.previous_path);
                    self.step = Step::Ask;
                }
                _ => {}
            },
            Step::ConfirmDiscard => match action {
                Action::Confirm => return Outcome::stay().and(Effect::Discard(self.leaving)),
                Action::Back => self.step = Step::Ask,
                _ => {}
            },
        }
        Outcome::stay()
    }

    /// Draws the popup over `area`, listing as many of the changes as there is room for.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        let width = area.width.saturating_sub(6).min(100);
        let inner_width = usize::from(width.saturating_sub(2));
        let changes = view.unsaved;
        let count = match changes.len() {
            0 => "changes".to_string(),
            1 => "this change is".to_string(),
            n => format!("these {n} changes are"),
        };
        let head = vec![Line::styled(
            format!("Saving failed, so {count} only in this window:"),
            theme.title,
        )];

        // The whole reason, wrapped: the cause is often at its end.
        let reason = view.save_error.unwrap_or("the session could not be saved");
        let mut tail = vec![
            Line::from(vec![
                Span::styled("Why: ", theme.dim),
                Span::styled(reason.to_string(), theme.error),
            ]),
            Line::default(),
        ];
        let editing = self.step == Step::EditPath;
        let mut rescue = vec![
            Span::styled("Rescue copy: ", theme.dim),
            Span::styled(
                format!("{}{}", self.path_text(), if editing { "_" } else { "" }),
                if editing { theme.selected } else { theme.text },
            ),
        ];
        if !self.path_edited && !editing {
            rescue.push(Span::styled(
                " (or the system's temporary folder if this one cannot be written)",
                theme.dim,
            ));
        }
        tail.push(Line::from(rescue));
        if let Some(problem) = &self.error {
            tail.push(Line::styled(problem.clone(), theme.error));
        }
        tail.push(Line::default());
        let away = match self.leaving {
            Leaving::Quit => "quit",
            Leaving::Home => "go back to the list of sessions",
        };
        let key = |context, command| view.key(context, command);
        let choice = |command, text: String| {
            [
                Span::styled(key(Context::Unsaved, command), theme.key),
                Span::styled(format!(" {text}   "), theme.text),
            ]
        };
        match self.step {
            Step::Ask => {
                let mut first = Vec::new();
                first.extend(choice(Command::RetrySave, "try to save again".into()));
                first.extend(choice(
                    Command::Rescue,
                    format!("write the rescue copy, then {away}"),
                ));
                first.extend(choice(Command::EditPath, "change its place".into()));
                tail.push(Line::from(first));
                let mut second = Vec::new();
                second.extend(choice(
                    Command::Discard,
                    format!("{away} without saving (asks again)"),
                ));
                second.extend(choice(Command::Back, "back to the session".into()));
                tail.push(Line::from(second));
            }
            Step::EditPath => tail.push(Line::styled(
                format!(
                    "Type a file or folder. {} uses it, {} keeps the one before.",
                    key(Context::Form, Command::Confirm),
                    key(Context::Form, Command::Back)
                ),
                theme.dim,
            )),
            Step::ConfirmDiscard => {
                tail.push(Line::styled(
                    format!("{} and lose these changes for good?", capitalise(away)),
                    theme.warn,
                ));
                tail.push(Line::from(vec![
                    Span::styled(key(Context::Confirm, Command::Confirm), theme.key),
                    Span::styled(" yes, lose them   ", theme.text),
                    Span::styled(key(Context::Confirm, Command::Back), theme.key),
                    Span::styled(" no", theme.text),
                ]));
            }
        }

        // The changes get the rows the rest leaves, at least one.
        let fixed = widgets::wrapped_height(&head, inner_width)
            .saturating_add(widgets::wrapped_height(&tail, inner_width));
        let room =
            usize::from(area.height.saturating_sub(2).saturating_sub(fixed)).clamp(1, LISTED + 1);
        let shown = if changes.len() > room {
            room.saturating_sub(1).max(1)
        } else {
            changes.len()
        };
        let mut lines = head;
        for change in changes.iter().take(shown) {
            lines.push(Line::styled(
                widgets::truncate(&format!("  - {change}"), inner_width),
                theme.text,
            ));
        }
        if changes.len() > shown {
            lines.push(Line::styled(
                format!("  and {} more", changes.len() - shown),
                theme.text,
            ));
        }
        lines.extend(tail);
        let height = widgets::wrapped_height(&lines, inner_width).saturating_add(2);
        let frame = widgets::centered(area, width, height.min(area.height));
        let inner = widgets::popup(frame, buf, theme, "Changes not saved");
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
