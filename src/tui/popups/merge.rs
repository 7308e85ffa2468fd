//! Merging pre-work from a folder, from the setup screen: the folder and two choices (add
//! participants the session lacks; in a conflict, keep the room's vote or take the pre-work),
//! then the summary of what the merge would do (who, how many votes, conflicts), applied only
//! after a yes.

use crate::domain::merge::{Contribution, MergeOptions};
use crate::tui::action::Action;
use crate::tui::edit::Edit;
use crate::tui::keymap::{Command, Context};
use crate::tui::layer::{Effect, Outcome};
use crate::tui::view::View;
use crate::tui::widgets::{self, text_input};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui_textarea::TextArea;
use std::path::PathBuf;

/// The merge popup's fields, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeField {
    /// The folder holding the pre-work files.
    Folder,
    /// Whether participants the session lacks are added.
    AddParticipants,
    /// Whether a conflict takes the pre-work answer.
    PreferPrework,
}

const FIELDS: [MergeField; 3] = [
    MergeField::Folder,
    MergeField::AddParticipants,
    MergeField::PreferPrework,
];

/// A merge worked out by the app, waiting for a yes.
#[derive(Debug, Clone, PartialEq)]
pub struct MergePreview {
    /// The contributions read from the folder, merged again when applied.
    pub contributions: Vec<Contribution>,
    /// The choices it was worked out with.
    pub options: MergeOptions,
    /// The summary, as lines.
    pub lines: Vec<String>,
    /// Whether it would change the session.
    pub changed: bool,
}

/// The merge popup's state.
#[derive(Debug, Clone)]
pub struct MergeState {
    /// The folder being typed.
    pub folder: TextArea<'static>,
    /// The focused field.
    pub focus: MergeField,
    /// Add participants the session lacks.
    pub add_participants: bool,
    /// Take the pre-work answer in a conflict.
    pub prefer_prework: bool,
    /// The summary of the merge, once worked out.
    pub preview: Option<MergePreview>,
    /// Why the folder could not be merged.
    pub error: Option<String>,
}

impl MergeState {
    /// The popup over a folder.
    pub fn new(folder: &str) -> MergeState {
        MergeState {
            folder: text_input(folder),
            focus: MergeField::Folder,
            add_participants: false,
            prefer_prework: false,
            preview: None,
            error: None,
        }
    }

    /// The key context: yes or no over a preview, else the form (typing in the folder).
    pub fn context(&self) -> (Context, bool) {
        match (&self.preview, self.focus) {
            (Some(_), _) => (Context::Confirm, false),
            (None, MergeField::Folder) => (Context::Merge, true),
            (None, _) => (Context::Merge, false),
        }
    }

    /// The folder as typed.
    pub fn folder(&self) -> PathBuf {
        PathBuf::from(self.folder.lines().join("").trim())
    }

    /// The choices as merge options.
    pub fn options(&self) -> MergeOptions {
        MergeOptions {
            add_participants: self.add_participants,
            prefer_prework: self.prefer_prework,
        }
    }

    /// Shows why the folder could not be merged; the form stays as it was.
    pub fn failed(&mut self, problem: String) {
        self.preview = None;
        self.error = Some(problem);
    }

    fn move_focus(&mut self, delta: isize) {
        let at = FIELDS.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        let len = FIELDS.len() as isize;
        self.focus = FIELDS[(at + delta).rem_euclid(len) as usize];
    }

    /// Handles an action.
    pub fn update(&mut self, action: Action) -> Outcome {
        if let Some(preview) = &self.preview {
            return match action {
                Action::Confirm if preview.changed => Outcome::close()
                    .edit(Edit::Merge {
                        contributions: preview.contributions.clone(),
                        options: preview.options,
                    })
                    .info("Pre-work merged: each answer is now that person's vote."),
                Action::Confirm => Outcome::close().info("Nothing new to merge."),
                Action::Back => {
                    self.preview = None;
                    Outcome::stay()
                }
                _ => Outcome::stay(),
            };
        }
        match action {
            Action::Input(input) if self.focus == MergeField::Folder => {
                self.folder.input(input);
                self.error = None;
            }
            Action::NextField => self.move_focus(1),
            Action::PrevField => self.move_focus(-1),
            Action::Toggle => match self.focus {
                MergeField::AddParticipants => self.add_participants = !self.add_participants,
                MergeField::PreferPrework => self.prefer_prework = !self.prefer_prework,
                MergeField::Folder => {}
            },
            Action::Confirm => {
                self.error = None;
                return Outcome::stay().and(Effect::PreviewMerge {
                    folder: self.folder(),
                    options: self.options(),
                });
            }
            Action::Back => return Outcome::close(),
            _ => {}
        }
        Outcome::stay()
    }

    /// Draws the form, or the preview, over `area`.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        let mut lines: Vec<Line> = Vec::new();
        if let Some(preview) = &self.preview {
            lines.push(Line::styled(
                format!("From {}:", self.folder().display()),
                theme.title,
            ));
            for line in &preview.lines {
                lines.push(Line::styled(line.clone(), theme.text));
            }
            lines.push(Line::default());
            let yes = view.key(Context::Confirm, Command::Confirm);
            let no = view.key(Context::Confirm, Command::Back);
            let question = if preview.changed {
                format!(
                    "Merge these into the session? {yes} merges (saved at once, the previous save kept as the backup), {no} goes back."
                )
            } else {
                format!("Nothing new to merge. {yes} closes, {no} goes back.")
            };
            lines.push(Line::styled(question, theme.key));
        } else {
            let preview = view.key(Context::Merge, Command::Confirm);
            lines.push(Line::styled(
                format!(
                    "Every pre-work file (name ending in .prework.ron) in the folder becomes its participant's votes; notes are kept with their names. {preview} shows what would change before anything does."
                ),
                theme.text,
            ));
            lines.push(Line::default());
            let marker = |f: MergeField| if self.focus == f { "> " } else { "  " };
            let style = |f: MergeField| {
                if self.focus == f {
                    theme.selected
                } else {
                    theme.text
                }
            };
            lines.push(Line::styled("Folder", theme.dim));
            let cursor = if self.focus == MergeField::Folder {
                "_"
            } else {
                ""
            };
            lines.push(Line::styled(
                format!(
                    "{}{}{cursor}",
                    marker(MergeField::Folder),
                    self.folder().display()
                ),
                style(MergeField::Folder),
            ));
            lines.push(Line::default());
            let choice = |on: bool, no: &str, yes: &str| {
                if on {
                    format!(" {no}  [{yes}]")
                } else {
                    format!("[{no}]  {yes} ")
                }
            };
            lines.push(Line::from(vec![
                Span::styled(
                    marker(MergeField::AddParticipants),
                    style(MergeField::AddParticipants),
                ),
                Span::styled(
                    choice(self.add_participants, "refuse", "add them"),
                    style(MergeField::AddParticipants),
                ),
                Span::styled("  pre-work of someone not in the session", theme.text),
            ]));
            lines.push(Line::from(vec![
                Span::styled(
                    marker(MergeField::PreferPrework),
                    style(MergeField::PreferPrework),
                ),
                Span::styled(
                    choice(self.prefer_prework, "keep the room's", "take the pre-work"),
                    style(MergeField::PreferPrework),
                ),
                Span::styled(
                    "  when pre-work differs from a vote recorded in the room",
                    theme.text,
                ),
            ]));
            if let Some(problem) = &self.error {
                lines.push(Line::default());
                lines.push(Line::styled(problem.clone(), theme.error));
            }
        }
        widgets::text_popup(area, buf, theme, "Merge pre-work", 110, lines);
    }
}
