//! What a screen or popup may read: the question bank, the open session with its scores, the
//! theme and key bindings. Handed to every layer's update and drawing instead of the app.

use crate::content::Bank;
use crate::domain::questionnaire::Question;
use crate::domain::session::QuestionRecord;
use crate::tui::keymap::{Command, Context, Keymap};
use crate::tui::popups::export::ExportPlaces;
use crate::tui::session::{NavQuestion, OpenSession, question_at};
use crate::tui::theme::Theme;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// A read-only view of the app for screens and popups.
#[derive(Clone, Copy)]
pub struct View<'a> {
    /// The active questions.
    pub bank: &'a Bank<'a>,
    /// The session being worked on.
    pub open: Option<&'a OpenSession<'a>>,
    /// The active theme.
    pub theme: &'a Theme,
    /// The active key bindings.
    pub keymap: &'a Keymap,
    /// Time zone for times shown.
    pub time_zone: &'a TimeZone,
    /// Where reports are written.
    pub export_places: &'a ExportPlaces,
    /// Where the user's key map would be, for the help screen.
    pub keymap_path: &'a str,
    /// Why the last save failed, while changes wait to be saved.
    pub save_error: Option<&'a str>,
    /// The changes the last successful save did not include, described for people.
    pub unsaved: &'a [String],
    /// Changes are waiting for a save to include them (being written, or failed).
    pub saving: bool,
    /// Today, where the facilitator is: for due dates.
    pub today: Date,
}

impl<'a> View<'a> {
    /// What moved since the session the open one started from, when it is a re-assessment
    /// and that session is stored.
    pub fn comparison(&self) -> Option<crate::domain::compare::Comparison<'a>> {
        let open = self.open?;
        let baseline = open.baseline.as_ref()?;
        Some(crate::domain::compare::compare_scored(
            self.bank,
            (&baseline.session, &baseline.results),
            (&open.session, &open.results),
            self.today,
        ))
    }

    /// The question at a position of the open session's navigation.
    pub fn question(&self, at: NavQuestion) -> Option<&'a Question> {
        question_at(self.bank, at)
    }

    /// The question at a position of the navigation, by position.
    pub fn question_at(&self, position: usize) -> Option<&'a Question> {
        let at = *self.open?.nav.questions.get(position)?;
        self.question(at)
    }

    /// The record of a question in the open session.
    pub fn record(&self, question_id: &str) -> Option<&'a QuestionRecord> {
        self.open?.session.record(question_id)
    }

    /// Positions in the navigation of the questions that `keep` accepts, given the question
    /// and its record; each question once, at its first position.
    pub fn positions(
        &self,
        keep: impl Fn(&Question, Option<&QuestionRecord>) -> bool,
    ) -> Vec<usize> {
        let Some(open) = self.open else {
            return Vec::new();
        };
        // A question shared by several categories appears once, where it is first asked.
        let mut seen = std::collections::HashSet::new();
        open.nav
            .questions
            .iter()
            .enumerate()
            .filter(|(_, at)| {
                self.question(**at).is_some_and(|q| {
                    seen.insert(q.id.as_str()) && keep(q, open.session.record(&q.id))
                })
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Whether the open session is held by another process.
    pub fn read_only(&self) -> bool {
        self.open.is_some_and(OpenSession::read_only)
    }

    /// The key shown for a command in a context.
    pub fn key(&self, context: Context, command: Command) -> String {
        self.keymap.key_for(context, command)
    }
}
