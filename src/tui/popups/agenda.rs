//! The minutes planned for the current section in the workshop agenda.

use crate::domain::framework::{Category, Stage};
use crate::tui::action::Action;
use crate::tui::edit::Edit;
use crate::tui::layer::Outcome;
use crate::tui::view::View;
use crate::tui::widgets::form::{Field, Fields, FormKey};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// The agenda form's state.
#[derive(Debug, Clone)]
pub struct AgendaForm {
    /// The section's category.
    pub category: Category,
    /// The section's stage.
    pub stage: Stage,
    /// The minutes.
    pub form: Fields,
}

impl AgendaForm {
    /// The form over a section's planned minutes.
    pub fn new(category: Category, stage: Stage, planned: Option<u32>) -> AgendaForm {
        AgendaForm {
            category,
            stage,
            form: Fields::new(vec![Field::text(
                "Minutes planned (empty: none)",
                planned.map(|m| m.to_string()).unwrap_or_default(),
            )]),
        }
    }

    /// Planned minutes, None to clear, or what is wrong.
    fn parse(&self) -> Result<Option<u32>, String> {
        match self.form.value(0).as_str() {
            "" => Ok(None),
            text => match text.parse::<u32>() {
                Ok(m) if (1..=600).contains(&m) => Ok(Some(m)),
                _ => Err(format!(
                    "\"{text}\" is not a number of minutes between 1 and 600."
                )),
            },
        }
    }

    /// Handles an action: typing, save, cancel.
    pub fn update(&mut self, action: Action) -> Outcome {
        match self.form.update(action) {
            FormKey::Handled => Outcome::stay(),
            FormKey::Cancel => Outcome::close(),
            FormKey::Save => match self.parse() {
                Ok(minutes) => Outcome::close().edit(Edit::Agenda {
                    category: self.category,
                    stage: self.stage,
                    minutes,
                }),
                Err(problem) => {
                    self.form.error = Some(problem);
                    Outcome::stay()
                }
            },
        }
    }

    /// Draws the form over `area`.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let title = format!("Agenda: {} > {}", self.category.title(), self.stage.title());
        self.form.render(view.theme, &title, Vec::new(), area, buf);
    }
}
