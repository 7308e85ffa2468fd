//! The minutes planned for the current section in the workshop agenda, or for the whole
//! triage agenda.

use crate::domain::framework::{Category, Stage};
use crate::tui::action::Action;
use crate::tui::edit::Edit;
use crate::tui::layer::Outcome;
use crate::tui::view::View;
use crate::tui::widgets::form::{Field, Fields, FormKey};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// What the minutes are planned for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Planned {
    /// One section of the questionnaires.
    Section(Category, Stage),
    /// The whole triage agenda.
    Triage,
}

/// The agenda form's state.
#[derive(Debug, Clone)]
pub struct AgendaForm {
    /// What the minutes are for.
    pub planned: Planned,
    /// The minutes.
    pub form: Fields,
}

impl AgendaForm {
    /// The form over a section's planned minutes.
    pub fn new(category: Category, stage: Stage, planned: Option<u32>) -> AgendaForm {
        AgendaForm::over(Planned::Section(category, stage), planned)
    }

    /// The form over the triage agenda's planned minutes.
    pub fn triage(planned: Option<u32>) -> AgendaForm {
        AgendaForm::over(Planned::Triage, planned)
    }

    fn over(planned: Planned, minutes: Option<u32>) -> AgendaForm {
        AgendaForm {
            planned,
            form: Fields::new(vec![Field::text(
                "Minutes planned (empty: none)",
                minutes.map(|m| m.to_string()).unwrap_or_default(),
            )]),
        }
    }

    /// The most minutes that can be planned: a section takes at most a working day's
    /// morning, the agenda at most a day.
    fn max_minutes(&self) -> u32 {
        match self.planned {
            Planned::Section(..) => 600,
            Planned::Triage => 1440,
        }
    }

    /// Planned minutes, None to clear, or what is wrong.
    fn parse(&self) -> Result<Option<u32>, String> {
        let max = self.max_minutes();
        match self.form.value(0).as_str() {
            "" => Ok(None),
            text => match text.parse::<u32>() {
                Ok(m) if (1..=max).contains(&m) => Ok(Some(m)),
                _ => Err(format!(
                    "\"{text}\" is not a number of minutes between 1 and {max}."
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
                Ok(minutes) => Outcome::close().edit(match self.planned {
                    Planned::Section(category, stage) => Edit::Agenda {
                        category,
                        stage,
                        minutes,
                    },
                    Planned::Triage => Edit::TriagePlan { minutes },
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
        let title = match self.planned {
            Planned::Section(category, stage) => {
                format!("Agenda: {} > {}", category.title(), stage.title())
            }
            Planned::Triage => "Time for the whole triage agenda".to_string(),
        };
        self.form.render(view.theme, &title, Vec::new(), area, buf);
    }
}
