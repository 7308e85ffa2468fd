//! The follow-up action of a question: owner, due date and evidence.

use crate::domain::session::QuestionRecord;
use crate::tui::action::Action;
use crate::tui::edit::Edit;
use crate::tui::layer::Outcome;
use crate::tui::view::View;
use crate::tui::widgets::form::{Fields, FormKey};
use jiff::civil::Date;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// The action form's state.
#[derive(Debug, Clone)]
pub struct ActionForm {
    /// The question the action belongs to.
    pub question_id: String,
    /// Owner, due date, evidence.
    pub form: Fields,
}

impl ActionForm {
    /// The form over a question's current action.
    pub fn new(question_id: String, record: Option<&QuestionRecord>) -> ActionForm {
        let (owner, due, evidence) = match record {
            Some(r) => (
                r.action_owner.clone(),
                r.due.map(|d| d.to_string()).unwrap_or_default(),
                r.evidence.join("; "),
            ),
            None => Default::default(),
        };
        ActionForm {
            question_id,
            form: Fields::new(vec![
                ("Action owner".into(), owner),
                ("Due date (YYYY-MM-DD)".into(), due),
                ("Evidence (separate with ;)".into(), evidence),
            ]),
        }
    }

    /// The change the values stand for, or what is wrong with them.
    fn parse(&self) -> Result<Edit, String> {
        let owner = self.form.value(0).to_string();
        let due = match self.form.value(1) {
            "" => None,
            text => Some(text.parse::<Date>().map_err(|_| {
                format!("\"{text}\" is not a date; write it as YYYY-MM-DD, e.g. 2027-01-15.")
            })?),
        };
        let evidence = self
            .form
            .value(2)
            .split(';')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .collect();
        Ok(Edit::Action {
            question: self.question_id.clone(),
            owner,
            due,
            evidence,
        })
    }

    /// Handles an action: typing, fields, save, cancel.
    pub fn update(&mut self, action: Action) -> Outcome {
        match self.form.update(action) {
            FormKey::Handled => Outcome::stay(),
            FormKey::Cancel => Outcome::close(),
            FormKey::Save => match self.parse() {
                Ok(edit) => Outcome::close().edit(edit),
                Err(problem) => {
                    self.form.error = Some(problem);
                    Outcome::stay()
                }
            },
        }
    }

    /// Draws the form over `area`.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        self.form
            .render(view.theme, "Follow-up action and evidence", area, buf);
    }
}
