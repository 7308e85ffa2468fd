//! The follow-up action of a question: what is to be done, the owner (typed, or picked from the
//! participants), the due date (a past one is pointed out), the evidence and where it stands.

use crate::domain::session::{ActionStatus, FollowUp, QuestionRecord};
use crate::tui::action::Action;
use crate::tui::edit::Edit;
use crate::tui::keymap::{Command, Context};
use crate::tui::layer::Outcome;
use crate::tui::view::View;
use crate::tui::widgets::form::{Field, Fields, FormKey};
use jiff::civil::Date;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// The form's fields, in order.
const WHAT: usize = 0;
const OWNER: usize = 1;
const DUE: usize = 2;
const EVIDENCE: usize = 3;
const STATUS: usize = 4;
const REASON: usize = 5;

/// The statuses as the form offers them.
const STATUSES: [&str; 4] = ["open", "in progress", "done", "won't do"];

/// The action form's state.
#[derive(Debug, Clone)]
pub struct ActionForm {
    /// The question the action belongs to.
    pub question_id: String,
    /// The action as it was, so that the status date moves only when the status does.
    pub original: FollowUp,
    /// What, owner, due date, evidence, status, reason.
    pub form: Fields,
}

impl ActionForm {
    /// The form over a question's current action.
    pub fn new(question_id: String, record: Option<&QuestionRecord>) -> ActionForm {
        let original = record.map(|r| r.action.clone()).unwrap_or_default();
        let reason = match &original.status {
            ActionStatus::WontDo(reason) => reason.clone(),
            _ => String::new(),
        };
        let form = Fields::new(vec![
            Field::text("What is to be done", original.what.clone()),
            Field::text("Owner", original.owner.clone()),
            Field::text(
                "Due date (YYYY-MM-DD)",
                original.due.map(|d| d.to_string()).unwrap_or_default(),
            ),
            Field::text("Evidence (separate with ;)", original.evidence.join("; ")),
            Field::choice("Status", &STATUSES, original.status.title()),
            Field::text("Why it will not be done (for won't do)", reason),
        ]);
        ActionForm {
            question_id,
            original,
            form,
        }
    }

    /// The due date typed, if it is one.
    fn due(&self) -> Result<Option<Date>, String> {
        match self.form.value(DUE).as_str() {
            "" => Ok(None),
            text => text.parse::<Date>().map(Some).map_err(|_| {
                format!("\"{text}\" is not a date; write it as YYYY-MM-DD, e.g. 2027-01-15.")
            }),
        }
    }

    /// The status chosen.
    fn status(&self) -> Result<ActionStatus, String> {
        Ok(match self.form.value(STATUS).as_str() {
            "in progress" => ActionStatus::InProgress,
            "done" => ActionStatus::Done,
            "won't do" => match self.form.value(REASON) {
                reason if reason.is_empty() => {
                    return Err("Say why it will not be done (the last field).".into());
                }
                reason => ActionStatus::WontDo(reason),
            },
            _ => ActionStatus::Open,
        })
    }

    /// The change the values stand for, or what is wrong with them.
    fn parse(&self, today: Date) -> Result<Edit, String> {
        let mut action = self.original.clone();
        action.what = self.form.value(WHAT);
        action.owner = self.form.value(OWNER);
        action.due = self.due()?;
        action.evidence = self
            .form
            .value(EVIDENCE)
            .split(';')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .collect();
        action.set_status(self.status()?, today);
        Ok(Edit::Action {
            question: self.question_id.clone(),
            action,
        })
    }

    /// Fills the owner with the next participant after the one there.
    fn pick_owner(&mut self, view: &View) {
        let names: Vec<&str> = view
            .open
            .map(|o| {
                o.session
                    .participants
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect()
            })
            .unwrap_or_default();
        if names.is_empty() {
            return;
        }
        let current = self.form.value(OWNER);
        let next = names
            .iter()
            .position(|n| *n == current)
            .map_or(0, |i| (i + 1) % names.len());
        self.form.focus = OWNER;
        self.form.set_focused_text(names[next]);
    }

    /// Handles an action: typing, fields, picking the owner, save, cancel.
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        if action == Action::Pick {
            self.form.commit();
            self.pick_owner(view);
            return Outcome::stay();
        }
        match self.form.update(action) {
            FormKey::Handled => Outcome::stay(),
            FormKey::Cancel => Outcome::close(),
            FormKey::Save => match self.parse(view.today) {
                Ok(edit) => {
                    let past = self.due().ok().flatten().filter(|due| {
                        *due < view.today && self.status().is_ok_and(|s| s.is_pending())
                    });
                    let outcome = Outcome::close().edit(edit);
                    match past {
                        Some(due) => outcome.warn(format!(
                            "Saved; its due date {due} is in the past, so the action shows as overdue."
                        )),
                        None => outcome,
                    }
                }
                Err(problem) => {
                    self.form.error = Some(problem);
                    Outcome::stay()
                }
            },
        }
    }

    /// Draws the form over `area`, with the participants to pick from and a warning for a due
    /// date in the past.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        let mut notes = Vec::new();
        let participants: Vec<String> = view
            .open
            .map(|o| {
                o.session
                    .participants
                    .iter()
                    .map(|p| p.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        if !participants.is_empty() {
            let pick = view.key(Context::Form, Command::Pick);
            notes.push(Line::styled(
                format!("{pick} picks the owner from: {}", participants.join(", ")),
                theme.dim,
            ));
        }
        if let Ok(Some(due)) = self.due()
            && due < view.today
            && self.status().map_or(true, |s| s.is_pending())
        {
            notes.push(Line::styled(
                format!("{due} is in the past: the action will show as overdue."),
                theme.warn,
            ));
        }
        self.form
            .render(theme, "Follow-up action", notes, area, buf);
    }
}
