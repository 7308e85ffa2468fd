//! The session open in the app: the session itself, where it is kept and whether this process
//! may save it ([`Document`]), its questions in the order they are asked ([`Nav`]), its scores
//! and the timers.

use crate::domain::framework::{Category, Stage};
use crate::domain::prework::Prework;
use crate::domain::questionnaire::{Question, QuestionBank};
use crate::domain::scoring::Results;
use crate::domain::scoring::Tally;
use crate::domain::session::Session;
use crate::store::prework::PreworkLock;
use crate::store::{Patch, Revision, SessionWriter};
use crate::tui::history::History;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

/// Shown when a change is attempted on a session held by another process.
pub const READ_ONLY_MESSAGE: &str =
    "Read-only: this session is open in another aiready process. Close it there to make changes.";

/// Shown when a change is attempted in a window that follows the facilitator.
pub const FOLLOW_MESSAGE: &str = "Read-only: this window follows the facilitator. Open the session without --follow to make changes.";

/// Where the open session is kept, and whether this process may save it.
#[derive(Debug)]
pub enum Document {
    /// A session in the store.
    Stored {
        /// What saves it, holding the session's lock; None when shown read-only.
        writer: Option<SessionWriter>,
        /// For a read-only session: the stored state last shown, to notice saves by the
        /// process that holds it.
        watch: Option<Watch>,
    },
    /// A participant's pre-work file, shown as a solo session over their questions.
    Prework {
        /// Everything in the file besides the answers (those live in the session).
        prework: Box<Prework>,
        /// The file.
        path: PathBuf,
        /// The right to save; None when another process has the file open.
        lock: Option<PreworkLock>,
    },
}

/// A read-only window's view of the stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    /// The stored state shown now.
    pub revision: Option<Revision>,
    /// Whether the window moves to the facilitator's question (`--follow`).
    pub follow: bool,
    /// Following stopped because the viewer moved on their own.
    pub paused: bool,
    /// The facilitator's question as last read.
    pub position: Option<String>,
}

/// Where a question sits in the bank, and in which section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavQuestion {
    /// Index of its questionnaire in the bank.
    pub questionnaire: usize,
    /// Index of its section in the questionnaire.
    pub section: usize,
    /// Index of the question in the section.
    pub index: usize,
    /// Index of its entry in [`Nav::sections`].
    pub nav_section: usize,
}

/// A section (category x stage) with at least one applicable question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavSection {
    /// Its category.
    pub category: Category,
    /// Its stage.
    pub stage: Stage,
    /// Position of its first question in [`Nav::questions`].
    pub start: usize,
    /// How many applicable questions it has.
    pub len: usize,
}

/// The applicable questions of a session in the order they are asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Nav {
    /// Every applicable question.
    pub questions: Vec<NavQuestion>,
    /// Every section that has applicable questions.
    pub sections: Vec<NavSection>,
}

impl Nav {
    /// The applicable questions of a session, section by section.
    pub fn build(bank: &QuestionBank, session: &Session) -> Nav {
        let scoping = session.resolved_scoping(bank);
        Nav::build_with(bank, |q, category| {
            session.applies_in(q, category, &scoping)
        })
    }

    /// The questions of a document, section by section: a session's applicable ones, or those
    /// assigned in pre-work.
    pub fn of(bank: &QuestionBank, session: &Session, document: &Document) -> Nav {
        match document {
            Document::Prework { prework, .. } => {
                Nav::build_with(bank, |q, category| prework.assigned_in(q, category))
            }
            Document::Stored { .. } => Nav::build(bank, session),
        }
    }

    /// The questions `keep` accepts in a category, section by section, in category order; a
    /// question shared by several categories comes once in each that keeps it.
    pub fn build_with(bank: &QuestionBank, keep: impl Fn(&Question, Category) -> bool) -> Nav {
        let mut nav = Nav::default();
        for category in Category::ALL {
            for section in bank.category_sections(category) {
                let start = nav.questions.len();
                let nav_section = nav.sections.len();
                for member in &section.members {
                    if keep(member.question, category) {
                        nav.questions.push(NavQuestion {
                            questionnaire: member.at.questionnaire,
                            section: member.at.section,
                            index: member.at.index,
                            nav_section,
                        });
                    }
                }
                let len = nav.questions.len() - start;
                if len > 0 {
                    nav.sections.push(NavSection {
                        category,
                        stage: section.stage,
                        start,
                        len,
                    });
                }
            }
        }
        nav
    }

    /// The position of a question, by id.
    pub fn position_of(&self, bank: &QuestionBank, question_id: &str) -> Option<usize> {
        self.questions
            .iter()
            .position(|at| question_at(bank, *at).is_some_and(|q| q.id == question_id))
    }

    /// The section of the question at a position.
    pub fn section_of(&self, position: usize) -> Option<NavSection> {
        let at = self.questions.get(position)?;
        self.sections.get(at.nav_section).copied()
    }

    /// Each question once (a shared question where it first comes), in order, with its
    /// position.
    pub fn unique<'b>(&self, bank: &'b QuestionBank) -> Vec<(usize, &'b Question)> {
        let mut seen = std::collections::HashSet::new();
        self.questions
            .iter()
            .enumerate()
            .filter_map(|(i, at)| Some((i, question_at(bank, *at)?)))
            .filter(|(_, q)| seen.insert(q.id.as_str()))
            .collect()
    }

    /// Each question once, in order.
    pub fn list<'b>(&self, bank: &'b QuestionBank) -> Vec<&'b Question> {
        self.unique(bank).into_iter().map(|(_, q)| q).collect()
    }
}

/// The question at a position of a navigation, in the bank.
pub fn question_at(bank: &QuestionBank, at: NavQuestion) -> Option<&Question> {
    bank.questionnaires
        .get(at.questionnaire)?
        .sections
        .get(at.section)?
        .questions
        .get(at.index)
}

/// The first question at or after `from` (wrapping around) whose record passes `wanted`.
fn first_where(
    nav: &Nav,
    session: &Session,
    bank: &QuestionBank,
    from: usize,
    wanted: impl Fn(Option<&crate::domain::session::QuestionRecord>) -> bool,
) -> Option<usize> {
    let len = nav.questions.len();
    (0..len).map(|i| (from + i) % len).find(|&i| {
        question_at(bank, nav.questions[i]).is_some_and(|q| wanted(session.record(&q.id)))
    })
}

/// The first unanswered question at or after `from`, wrapping around.
pub fn first_unanswered(
    nav: &Nav,
    session: &Session,
    bank: &QuestionBank,
    from: usize,
) -> Option<usize> {
    first_where(nav, session, bank, from, |r| {
        r.and_then(|r| r.answer).is_none()
    })
}

/// The first question at or after `from` (wrapping around) whose answer is carried over from
/// the previous session and not yet confirmed.
pub fn first_unconfirmed(
    nav: &Nav,
    session: &Session,
    bank: &QuestionBank,
    from: usize,
) -> Option<usize> {
    first_where(nav, session, bank, from, |r| {
        r.is_some_and(|r| r.unconfirmed().is_some())
    })
}

/// The parts of the open session changed since it was last handed to its writer: some
/// records, or (after a change that can touch anything, such as the setup) the whole session.
/// Everything else a change can touch (time, position, agenda) goes with every hand-over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unsent {
    records: BTreeSet<String>,
    whole: bool,
}

impl Unsent {
    /// Notes the parts a change touched, given as [`Part`](crate::tui::history::Part) of it.
    pub fn touched(&mut self, part: &crate::tui::history::Part) {
        match part.questions() {
            Some(questions) => {
                self.records
                    .extend(questions.into_iter().map(str::to_string));
            }
            None => self.whole = true,
        }
    }

    /// The patch that brings the writer's copy up to `session`; nothing is unsent afterwards.
    pub fn take(&mut self, session: &Session) -> Patch {
        let unsent = std::mem::take(self);
        if unsent.whole {
            Patch::whole(session)
        } else {
            Patch::parts(session, unsent.records.iter().map(String::as_str))
        }
    }
}

/// The session a re-assessment started from, scored, for the deltas on the results screen.
#[derive(Debug)]
pub struct Baseline<'b> {
    /// The session as stored.
    pub session: Session,
    /// Its scores against the active questions.
    pub results: Results<'b>,
}

/// A session opened in the app.
#[derive(Debug)]
pub struct OpenSession<'b> {
    /// The session as it is now; the store holds the last successful save.
    pub session: Session,
    /// Where it is kept and whether this process may save it.
    pub document: Document,
    /// Its questions, in the order they are asked.
    pub nav: Nav,
    /// Scores, brought up to date after every change.
    pub results: Results<'b>,
    /// What re-scoring only the questions a change touched needs.
    pub tally: Tally<'b>,
    /// What changed since the session was last handed to its writer.
    pub unsent: Unsent,
    /// Time on the current section not yet written to the session.
    pub pending_time: Duration,
    /// Time with the triage agenda's order active, not yet written to the session.
    pub pending_triage: Duration,
    /// The section of the current question: the one the timer runs for.
    pub section: Option<NavSection>,
    /// The changes made since it was opened, for undo and redo.
    pub history: History,
    /// The session it started from, when it is a re-assessment and that session is stored.
    pub baseline: Option<Baseline<'b>>,
}

impl OpenSession<'_> {
    /// Whether changes are refused: another process holds the session (or the pre-work
    /// file), or this window follows the facilitator.
    pub fn read_only(&self) -> bool {
        match &self.document {
            Document::Stored { writer, .. } => writer.is_none(),
            Document::Prework { lock, .. } => lock.is_none(),
        }
    }

    /// Why a change is refused, in words for the status line.
    pub fn read_only_message(&self) -> &'static str {
        match &self.document {
            Document::Stored {
                watch: Some(watch), ..
            } if watch.follow => FOLLOW_MESSAGE,
            Document::Prework { .. } => {
                "Read-only: this pre-work file is open in another aiready process. Close it there to make changes."
            }
            Document::Stored { .. } => READ_ONLY_MESSAGE,
        }
    }

    /// The pre-work being answered, when the open document is a pre-work file.
    pub fn prework(&self) -> Option<&Prework> {
        match &self.document {
            Document::Prework { prework, .. } => Some(prework),
            Document::Stored { .. } => None,
        }
    }

    /// The watch of a read-only window, if this is one.
    pub fn watch(&self) -> Option<&Watch> {
        match &self.document {
            Document::Stored { watch, .. } => watch.as_ref(),
            Document::Prework { .. } => None,
        }
    }

    /// Seconds spent on the current section, including time not yet written.
    pub fn section_seconds(&self) -> u64 {
        match self.section {
            Some(section) => {
                self.session.time_spent_on(section.category, section.stage)
                    + self.pending_time.as_secs()
            }
            None => 0,
        }
    }
}
