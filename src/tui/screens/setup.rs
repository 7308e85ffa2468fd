//! The session setup: names, scope, participants and the scoping profile. Used to start a
//! session and to change it later.

use crate::domain::framework::Category;
use crate::domain::questionnaire::QuestionBank;
use crate::domain::session::{
    Mode, ObservationPeriod, Participant, Session, Target, validate_name,
};
use crate::tui::action::Action;
use crate::tui::edit::Edit;
use crate::tui::keymap::{Command, Context};
use crate::tui::layer::{Effect, Outcome, Reply};
use crate::tui::popups::Popup;
use crate::tui::popups::merge::MergeState;
use crate::tui::view::View;
use crate::tui::widgets::{self, text_input};
use jiff::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};
use ratatui_textarea::{Input, TextArea};
use std::collections::{BTreeMap, BTreeSet};

/// The values being edited, applied to the session on save.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    /// Session name.
    pub name: String,
    /// Organisation.
    pub organisation: String,
    /// AI system in scope.
    pub system: String,
    /// Type 1 or Type 2.
    pub target: Target,
    /// Workshop or solo.
    pub mode: Mode,
    /// First day of the intended Type 2 observation period, YYYY-MM-DD, or empty.
    pub period_start: String,
    /// Last day of that period, or empty.
    pub period_end: String,
    /// Facilitator.
    pub facilitator: String,
    /// Participants with roles.
    pub participants: Vec<Participant>,
    /// For each participant, the name their votes are stored under (None for someone added in
    /// this draft), so that correcting a name keeps that person's votes.
    pub stored_names: Vec<Option<String>>,
    /// The stored names of participants removed in this draft: their votes go on save.
    pub removed: Vec<String>,
    /// Scoping answers by key.
    pub scoping: BTreeMap<String, bool>,
    /// Categories in scope.
    pub categories: BTreeSet<Category>,
}

impl Draft {
    /// A draft for a new session with the content's defaults.
    pub fn new(bank: &QuestionBank) -> Draft {
        let categories = bank.profile.default_categories();
        Draft {
            name: String::new(),
            organisation: String::new(),
            system: String::new(),
            target: Target::default(),
            mode: Mode::default(),
            period_start: String::new(),
            period_end: String::new(),
            facilitator: String::new(),
            participants: Vec::new(),
            stored_names: Vec::new(),
            removed: Vec::new(),
            scoping: bank.profile.default_answers(),
            categories,
        }
    }

    /// A draft holding a session's current setup.
    pub fn from_session(session: &Session, bank: &QuestionBank) -> Draft {
        Draft {
            name: session.name.clone(),
            organisation: session.organisation.clone(),
            system: session.system.clone(),
            target: session.target,
            mode: session.mode,
            period_start: session
                .observation_period
                .map(|p| p.start.to_string())
                .unwrap_or_default(),
            period_end: session
                .observation_period
                .map(|p| p.end.to_string())
                .unwrap_or_default(),
            facilitator: session.facilitator.clone(),
            participants: session.participants.clone(),
            stored_names: session
                .participants
                .iter()
                .map(|p| Some(p.name.clone()))
                .collect(),
            removed: Vec::new(),
            scoping: session.resolved_scoping(bank),
            categories: session.categories.clone(),
        }
    }

    /// The observation period typed, or why it cannot be used.
    pub fn period(&self) -> Result<Option<ObservationPeriod>, String> {
        let date = |text: &str, which: &str| -> Result<Option<jiff::civil::Date>, String> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            text.parse().map(Some).map_err(|_| {
                format!(
                    "The observation period's {which} day \"{text}\" is not a date like 2026-03-01."
                )
            })
        };
        let start = date(&self.period_start, "first")?;
        let end = date(&self.period_end, "last")?;
        ObservationPeriod::from_dates(start, end).map_err(|e| {
            let mut message = e.to_string();
            if let Some(first) = message.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            format!("{message}.")
        })
    }

    /// Problems that block saving, other than the name.
    pub fn check(&self) -> Result<(), String> {
        self.period()?;
        let mut seen = BTreeSet::new();
        for (i, p) in self.participants.iter().enumerate() {
            let name = p.name.trim();
            if name.is_empty() {
                return Err(format!(
                    "Participant {} needs a name (or remove it with Ctrl-d).",
                    i + 1
                ));
            }
            if !seen.insert(name.to_string()) {
                return Err(format!(
                    "Two participants are called \"{name}\"; votes are kept by name, so names must differ."
                ));
            }
        }
        Ok(())
    }

    /// Writes the draft into a session. Removed participants' votes go first, so that nobody's
    /// votes are left behind under a name that no longer takes part.
    pub fn apply(&self, session: &mut Session, now: Timestamp) {
        for name in &self.removed {
            session.remove_votes_of(name, now);
        }
        let renames: Vec<(String, String)> = self
            .participants
            .iter()
            .zip(&self.stored_names)
            .filter_map(|(p, stored)| Some((stored.clone()?, p.name.trim().to_string())))
            .collect();
        session.rename_participants(&renames, now);
        session.name = self.name.trim().to_string();
        session.organisation = self.organisation.trim().to_string();
        session.system = self.system.trim().to_string();
        session.target = self.target;
        session.mode = self.mode;
        // Checked before saving; a period that cannot be read leaves the saved one as it was.
        if let Ok(period) = self.period() {
            session.observation_period = period;
        }
        session.facilitator = self.facilitator.trim().to_string();
        session.participants = self
            .participants
            .iter()
            .map(|p| Participant {
                name: p.name.trim().to_string(),
                role: p.role.trim().to_string(),
            })
            .collect();
        session.scoping = self.scoping.clone();
        session.categories = self.categories.clone();
    }
}

/// One field of the setup form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Session name.
    Name,
    /// Organisation.
    Organisation,
    /// AI system.
    System,
    /// Type 1 / Type 2.
    Target,
    /// Workshop / solo.
    Mode,
    /// First day of the Type 2 observation period.
    PeriodStart,
    /// Last day of the Type 2 observation period.
    PeriodEnd,
    /// Facilitator.
    Facilitator,
    /// A participant's name.
    ParticipantName(usize),
    /// A participant's role.
    ParticipantRole(usize),
    /// A scoping question, by position in the profile.
    Scoping(usize),
    /// An optional category.
    Category(Category),
}

impl Field {
    fn is_text(self) -> bool {
        matches!(
            self,
            Field::Name
                | Field::Organisation
                | Field::System
                | Field::Facilitator
                | Field::PeriodStart
                | Field::PeriodEnd
                | Field::ParticipantName(_)
                | Field::ParticipantRole(_)
        )
    }
}

/// The setup screen's state.
#[derive(Debug, Clone)]
pub struct SetupState {
    /// The values being edited.
    pub draft: Draft,
    /// The focused field, as a position in [`SetupState::fields`].
    pub focus: usize,
    /// The editor of the focused text field.
    pub editor: Option<TextArea<'static>>,
    /// Whether this creates a session (otherwise it edits the open one).
    pub is_new: bool,
    /// Why the last save was refused.
    pub error: Option<String>,
    /// The values as they were when the form opened, to tell whether anything changed.
    pub original: Draft,
    /// A question waiting for yes or no.
    pub asking: Option<Ask>,
}

/// A question the setup asks before it acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// Leave and lose the changes typed?
    Discard,
    /// Remove a participant who has votes, and their votes?
    Remove {
        /// The participant's position.
        index: usize,
        /// How many votes they have.
        votes: usize,
    },
}

impl SetupState {
    /// A setup form over a draft, focused on the name.
    pub fn new(draft: Draft, is_new: bool) -> SetupState {
        let editor = Some(text_input(&draft.name));
        SetupState {
            original: draft.clone(),
            draft,
            focus: 0,
            editor,
            is_new,
            error: None,
            asking: None,
        }
    }

    /// Whether anything was typed or chosen since the form opened.
    pub fn changed(&self, bank: &QuestionBank) -> bool {
        let mut now = self.clone();
        now.commit(bank);
        now.draft != self.original
    }

    /// Every field in order.
    pub fn fields(&self, bank: &QuestionBank) -> Vec<Field> {
        let mut fields = vec![
            Field::Name,
            Field::Organisation,
            Field::System,
            Field::Target,
            Field::Mode,
            Field::Facilitator,
        ];
        if self.draft.target == Target::Type2 {
            // The observation period belongs to a Type 2 examination; it follows the target.
            fields.insert(4, Field::PeriodStart);
            fields.insert(5, Field::PeriodEnd);
        }
        for i in 0..self.draft.participants.len() {
            fields.push(Field::ParticipantName(i));
            fields.push(Field::ParticipantRole(i));
        }
        fields.extend((0..bank.profile.questions.len()).map(Field::Scoping));
        fields.extend(
            bank.profile
                .optional_categories
                .iter()
                .map(|c| Field::Category(*c)),
        );
        fields
    }

    fn focused(&self, bank: &QuestionBank) -> Option<Field> {
        self.fields(bank).get(self.focus).copied()
    }

    fn text_mut(&mut self, field: Field) -> Option<&mut String> {
        let d = &mut self.draft;
        match field {
            Field::Name => Some(&mut d.name),
            Field::Organisation => Some(&mut d.organisation),
            Field::System => Some(&mut d.system),
            Field::Facilitator => Some(&mut d.facilitator),
            Field::PeriodStart => Some(&mut d.period_start),
            Field::PeriodEnd => Some(&mut d.period_end),
            Field::ParticipantName(i) => d.participants.get_mut(i).map(|p| &mut p.name),
            Field::ParticipantRole(i) => d.participants.get_mut(i).map(|p| &mut p.role),
            _ => None,
        }
    }

    /// The text of a text field as it is now (the editor for the focused one).
    pub fn text(&self, field: Field, focused: bool) -> String {
        if focused && let Some(editor) = &self.editor {
            return editor.lines().join(" ");
        }
        let d = &self.draft;
        match field {
            Field::Name => d.name.clone(),
            Field::Organisation => d.organisation.clone(),
            Field::System => d.system.clone(),
            Field::Facilitator => d.facilitator.clone(),
            Field::PeriodStart => d.period_start.clone(),
            Field::PeriodEnd => d.period_end.clone(),
            Field::ParticipantName(i) => d
                .participants
                .get(i)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            Field::ParticipantRole(i) => d
                .participants
                .get(i)
                .map(|p| p.role.clone())
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// Writes the focused editor's text into the draft; call `focus_changed` after.
    pub fn commit_with(&mut self, bank: &QuestionBank) {
        if let (Some(field), Some(editor)) = (self.focused(bank), self.editor.take()) {
            let text = editor.lines().join(" ");
            if let Some(slot) = self.text_mut(field) {
                *slot = text;
            }
        }
    }

    /// Writes the focused editor's text into the draft, keeping the editor open.
    pub fn commit(&mut self, bank: &QuestionBank) {
        let (Some(field), Some(editor)) = (self.focused(bank), &self.editor) else {
            return;
        };
        let text = editor.lines().join(" ");
        if let Some(slot) = self.text_mut(field) {
            *slot = text;
        }
    }

    fn focus_changed(&mut self, bank: &QuestionBank) {
        self.editor = match self.focused(bank) {
            Some(field) if field.is_text() => Some(text_input(&self.text(field, false))),
            _ => None,
        };
    }

    /// Moves the focus by `delta` fields, wrapping around.
    pub fn move_focus(&mut self, bank: &QuestionBank, delta: isize) {
        self.commit_with(bank);
        let len = self.fields(bank).len();
        if len > 0 {
            self.focus = (self.focus as isize + delta).rem_euclid(len as isize) as usize;
        }
        self.focus_changed(bank);
    }

    /// Changes the focused choice.
    pub fn toggle(&mut self, bank: &QuestionBank) {
        match self.focused(bank) {
            Some(Field::Target) => {
                self.draft.target = match self.draft.target {
                    Target::Type1 => Target::Type2,
                    Target::Type2 => Target::Type1,
                }
            }
            Some(Field::Mode) => {
                self.draft.mode = match self.draft.mode {
                    Mode::Workshop => Mode::Solo,
                    Mode::Solo => Mode::Workshop,
                }
            }
            Some(Field::Scoping(i)) => {
                if let Some(q) = bank.profile.questions.get(i) {
                    let value = self.draft.scoping.entry(q.key.clone()).or_insert(q.default);
                    *value = !*value;
                }
            }
            Some(Field::Category(c)) if !self.draft.categories.remove(&c) => {
                self.draft.categories.insert(c);
            }
            _ => {}
        }
    }

    /// Adds a participant and focuses their name.
    pub fn add_participant(&mut self, bank: &QuestionBank) {
        self.commit_with(bank);
        self.draft.participants.push(Participant::default());
        self.draft.stored_names.push(None);
        let i = self.draft.participants.len() - 1;
        self.focus = self
            .fields(bank)
            .iter()
            .position(|f| *f == Field::ParticipantName(i))
            .unwrap_or(0);
        self.focus_changed(bank);
    }

    /// The focused participant's position and how many votes they have in `session`.
    fn focused_participant(&self, view: &View) -> Option<(usize, usize)> {
        let i = match self.focused(view.bank) {
            Some(Field::ParticipantName(i) | Field::ParticipantRole(i)) => i,
            _ => return None,
        };
        let votes = match (self.draft.stored_names.get(i), view.open) {
            (Some(Some(name)), Some(open)) if !self.is_new => open.session.votes_of(name),
            _ => 0,
        };
        Some((i, votes))
    }

    /// Removes the participant at a position; their votes go when the setup is saved.
    pub fn remove_participant(&mut self, bank: &QuestionBank, i: usize) {
        if i >= self.draft.participants.len() {
            return;
        }
        self.editor = None;
        self.draft.participants.remove(i);
        if i < self.draft.stored_names.len()
            && let Some(stored) = self.draft.stored_names.remove(i)
        {
            self.draft.removed.push(stored);
        }
        self.focus = self.focus.min(self.fields(bank).len().saturating_sub(1));
        self.focus_changed(bank);
    }

    /// Types into the focused text field.
    pub fn input(&mut self, input: Input) {
        if let Some(editor) = &mut self.editor {
            widgets::type_into(editor, input);
            self.error = None;
        }
    }

    /// The key context; keys type text while a text field has the focus, and answer yes or
    /// no while a question waits.
    pub fn context(&self) -> (Context, bool) {
        match self.asking {
            Some(_) => (Context::Confirm, false),
            None => (Context::Setup, self.editor.is_some()),
        }
    }

    /// Handles an action.
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        let bank = view.bank;
        if let Some(ask) = self.asking {
            match action {
                Action::Confirm => {
                    self.asking = None;
                    match ask {
                        Ask::Discard => return Outcome::close(),
                        Ask::Remove { index, .. } => self.remove_participant(bank, index),
                    }
                }
                Action::Back => self.asking = None,
                _ => {}
            }
            return Outcome::stay();
        }
        match action {
            Action::NextField => self.move_focus(bank, 1),
            Action::PrevField => self.move_focus(bank, -1),
            Action::Toggle => self.toggle(bank),
            Action::AddItem => self.add_participant(bank),
            Action::RemoveItem => match self.focused_participant(view) {
                Some((index, 0)) => self.remove_participant(bank, index),
                Some((index, votes)) => self.asking = Some(Ask::Remove { index, votes }),
                None => {}
            },
            Action::Input(input) => self.input(input),
            Action::Back if self.changed(bank) => self.asking = Some(Ask::Discard),
            Action::Back => return Outcome::close(),
            Action::Confirm => return self.save(bank),
            Action::MergePrework if self.is_new => {
                let save = view.key(Context::Setup, Command::Confirm);
                return Outcome::stay().info(format!(
                    "Save the new session first ({save}); then pre-work can be prepared and merged into it."
                ));
            }
            Action::MergePrework => match view.open {
                Some(open) if open.read_only() => {
                    return Outcome::stay().warn(open.read_only_message());
                }
                Some(_) => return Outcome::push(Popup::Merge(MergeState::new("."))),
                None => {}
            },
            _ => {}
        }
        Outcome::stay()
    }

    /// Checks the draft; a new session is created, an open one changed.
    fn save(&mut self, bank: &QuestionBank) -> Outcome {
        self.commit(bank);
        let name = match validate_name(&self.draft.name) {
            Ok(name) => name,
            Err(e) => {
                self.error = Some(format!("Name: {e}."));
                return Outcome::stay();
            }
        };
        if let Err(problem) = self.draft.check() {
            self.error = Some(problem);
            return Outcome::stay();
        }
        self.draft.name = name;
        let draft = Box::new(self.draft.clone());
        if self.is_new {
            Outcome::stay().and(Effect::Create(draft))
        } else {
            Outcome::close().edit(Edit::Setup(draft))
        }
    }

    /// Takes in participants the session gained while the setup was open (a merge that added
    /// them), so that saving the setup keeps them.
    pub fn session_changed(&mut self, view: &View) {
        let Some(open) = view.open.filter(|_| !self.is_new) else {
            return;
        };
        for p in &open.session.participants {
            let known = self
                .draft
                .stored_names
                .iter()
                .flatten()
                .any(|n| *n == p.name)
                || self.draft.participants.iter().any(|d| d.name == p.name);
            if !known {
                self.draft.participants.push(p.clone());
                self.draft.stored_names.push(Some(p.name.clone()));
            }
        }
    }

    /// Shows why the session could not be created.
    pub fn on_reply(&mut self, reply: Reply) -> Outcome {
        if let Reply::Refused(problem) = reply {
            self.error = Some(problem);
        }
        Outcome::stay()
    }

    /// Draws the setup screen.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        let state = self;
        let bank = view.bank;
        let title = if state.is_new {
            " New session "
        } else {
            " Session setup "
        };
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Span::styled(title, theme.title));
        let inner = block.inner(area);
        block.render(area, buf);
        let [intro, body, error] = inner.layout(&Layout::vertical([
            Constraint::Length(2),
            Constraint::Fill(1),
            Constraint::Length(if state.asking.is_some() { 3 } else { 1 }),
        ]));
        let save_key = view.key(Context::Setup, Command::Confirm);
        Paragraph::new(Line::from(vec![
            Span::styled(
                "Fill in what you know; everything can be changed later. ",
                theme.text,
            ),
            Span::styled(format!("{save_key} saves."), theme.dim),
        ]))
        .wrap(Wrap { trim: true })
        .render(intro, buf);

        let fields = state.fields(bank);
        let label_width = 34;
        let mut lines: Vec<Line> = Vec::new();
        let mut focus_line = 0;
        let mut last_group = "";
        for (i, field) in fields.iter().enumerate() {
            let focused = i == state.focus;
            let group = match field {
                Field::ParticipantName(_) | Field::ParticipantRole(_) => "Participants",
                Field::Scoping(_) => "Scope: does the system...",
                Field::Category(_) => "Optional categories in scope",
                _ => "",
            };
            if group != last_group && !group.is_empty() {
                lines.push(Line::default());
                lines.push(Line::styled(group, theme.title));
            }
            last_group = group;
            let (label, value) = field_text(state, bank, *field, focused);
            let marker = if focused { "> " } else { "  " };
            let value_style = if focused { theme.selected } else { theme.text };
            let label_style = if focused { theme.key } else { theme.dim };
            if focused {
                focus_line = lines.len();
            }
            if field.is_text() || matches!(field, Field::Target | Field::Mode) {
                let label = format!("{marker}{label:<w$}", w = label_width - 2);
                lines.push(Line::from(vec![
                    Span::styled(widgets::truncate(&label, label_width), label_style),
                    Span::styled(value, value_style),
                ]));
            } else {
                // Choices come first so that long scoping questions can use the width.
                lines.push(Line::from(vec![
                    Span::styled(marker, label_style),
                    Span::styled(value, value_style),
                    Span::styled(format!("  {label}"), theme.text),
                ]));
            }
            if *field == Field::Facilitator {
                lines.push(Line::default());
                lines.push(Line::styled("Participants", theme.title));
                let add = view.key(Context::Setup, Command::AddItem);
                let remove = view.key(Context::Setup, Command::RemoveItem);
                lines.push(Line::styled(
                    format!("  {add} adds a participant, {remove} removes the focused one"),
                    theme.dim,
                ));
                last_group = "Participants";
            }
        }
        let height = body.height as usize;
        let scroll = focus_line.saturating_sub(height.saturating_sub(3));
        // A long question or value that does not fit ends with an ellipsis.
        let lines: Vec<Line> = lines
            .into_iter()
            .map(|line| widgets::fit(line, usize::from(body.width)))
            .collect();
        Paragraph::new(lines)
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .render(body, buf);
        if let Some(ask) = state.asking {
            let question = match ask {
                Ask::Discard => {
                    "Leave the setup and lose what you changed? (Ctrl-s saves instead: answer n, then press it.)".to_string()
                }
                Ask::Remove { index, votes } => {
                    let name = state
                        .draft
                        .participants
                        .get(index)
                        .map_or("this participant", |p| p.name.as_str());
                    let undo = view.key(Context::Global, Command::Undo);
                    format!(
                        "Remove {name}? Their {votes} vote(s) are removed from the session when the setup is saved ({undo} then undoes it)."
                    )
                }
            };
            let (yes, no) = match ask {
                Ask::Discard => ("yes, lose the changes", "no, keep editing"),
                Ask::Remove { .. } => ("yes, remove them and their votes", "no, keep them"),
            };
            Paragraph::new(vec![
                Line::styled(question, theme.warn),
                Line::from(vec![
                    Span::styled(view.key(Context::Confirm, Command::Confirm), theme.key),
                    Span::styled(format!(" {yes}   "), theme.text),
                    Span::styled(view.key(Context::Confirm, Command::Back), theme.key),
                    Span::styled(format!(" {no}"), theme.text),
                ]),
            ])
            .wrap(Wrap { trim: true })
            .render(error, buf);
        } else if let Some(problem) = &state.error {
            Paragraph::new(Span::styled(problem.as_str(), theme.error)).render(error, buf);
        }
    }
}

fn field_text(
    state: &SetupState,
    bank: &QuestionBank,
    field: Field,
    focused: bool,
) -> (String, String) {
    let d = &state.draft;
    let text = |f| {
        let mut t = state.text(f, focused);
        if focused {
            t.push('_');
        }
        t
    };
    match field {
        Field::Name => ("Session name".into(), text(field)),
        Field::Organisation => ("Organisation".into(), text(field)),
        Field::System => ("AI system in scope".into(), text(field)),
        Field::Facilitator => ("Facilitator".into(), text(field)),
        Field::PeriodStart => ("Observation from (YYYY-MM-DD)".into(), text(field)),
        Field::PeriodEnd => ("Observation to (YYYY-MM-DD)".into(), text(field)),
        Field::Target => (
            "Target report".into(),
            choice(
                &["Type 1", "Type 2"],
                usize::from(d.target == Target::Type2),
            ),
        ),
        Field::Mode => (
            "Mode".into(),
            choice(&["workshop", "solo"], usize::from(d.mode == Mode::Solo)),
        ),
        Field::ParticipantName(i) => (format!("  {}. name", i + 1), text(field)),
        Field::ParticipantRole(i) => (format!("  {}. role", i + 1), text(field)),
        Field::Scoping(i) => match bank.profile.questions.get(i) {
            Some(q) => {
                let yes = d.scoping.get(&q.key).copied().unwrap_or(q.default);
                (q.prompt.clone(), choice(&["no", "yes"], usize::from(yes)))
            }
            None => (String::new(), String::new()),
        },
        Field::Category(c) => (
            c.title().to_string(),
            choice(&["out", "in"], usize::from(d.categories.contains(&c))),
        ),
    }
}

/// Choices with the chosen one in brackets, so it reads without colour.
fn choice(options: &[&str], chosen: usize) -> String {
    options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            if i == chosen {
                format!("[{o}]")
            } else {
                format!(" {o} ")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::session::tests::bank;

    #[test]
    fn the_observation_period_is_checked_and_saved() {
        let b = bank(Vec::new());
        let mut session = Session::new("s".into(), "S".into(), &b, Timestamp::UNIX_EPOCH);
        let mut draft = Draft::from_session(&session, &b);
        assert_eq!(draft.period(), Ok(None));
        draft.period_start = "2026-03-01".into();
        assert_eq!(
            draft.check(),
            Err("An observation period needs both a start and an end date.".into())
        );
        draft.period_end = "2026-02-30".into();
        assert!(
            draft
                .check()
                .is_err_and(|e| e.contains("\"2026-02-30\" is not a date"))
        );
        draft.period_end = "2026-01-31".into();
        assert!(
            draft
                .check()
                .is_err_and(|e| e.contains("ends (2026-01-31) before"))
        );
        draft.period_end = " 2026-08-31 ".into();
        assert_eq!(draft.check(), Ok(()));
        draft.apply(&mut session, Timestamp::UNIX_EPOCH);
        let period = session.observation_period.unwrap();
        assert_eq!(period.days(), 184);
        // Reopening the setup shows it again; clearing both fields removes it.
        let mut again = Draft::from_session(&session, &b);
        assert_eq!(again.period_start, "2026-03-01");
        again.period_start.clear();
        again.period_end.clear();
        again.apply(&mut session, Timestamp::UNIX_EPOCH);
        assert_eq!(session.observation_period, None);
    }

    #[test]
    fn the_period_fields_follow_a_type_2_target() {
        let b = bank(Vec::new());
        let mut state = SetupState::new(Draft::new(&b), true);
        assert!(state.fields(&b).contains(&Field::PeriodStart));
        state.draft.target = Target::Type1;
        assert!(!state.fields(&b).contains(&Field::PeriodEnd));
    }
}
