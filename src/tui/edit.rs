//! Changes to the open session, as data. Screens and popups describe a change; the app applies
//! it, stamps the session, re-scores it and saves it before the next frame.

use crate::domain::framework::{Category, Stage};
use crate::domain::scale::Answer;
use crate::domain::session::Session;
use crate::tui::screens::setup::Draft;
use jiff::Timestamp;
use jiff::civil::Date;

/// One change a person made to the open session.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Set or clear the agreed answer.
    Answer {
        /// The question.
        question: String,
        /// The answer; None clears it.
        answer: Option<Answer>,
    },
    /// Record or withdraw one participant's vote.
    Vote {
        /// The question.
        question: String,
        /// Who voted.
        participant: String,
        /// The vote; None withdraws it.
        vote: Option<Answer>,
    },
    /// Replace the notes of a question.
    Notes {
        /// The question.
        question: String,
        /// The whole text.
        text: String,
    },
    /// Flag a question to discuss later, or take the flag away.
    Flag {
        /// The question.
        question: String,
        /// The new state.
        flagged: bool,
    },
    /// Owner, due date and evidence of a question's follow-up action.
    Action {
        /// The question.
        question: String,
        /// Who owns it.
        owner: String,
        /// When it is due.
        due: Option<Date>,
        /// References to evidence.
        evidence: Vec<String>,
    },
    /// The minutes planned for a section.
    Agenda {
        /// Its category.
        category: Category,
        /// Its stage.
        stage: Stage,
        /// The minutes; None removes the section from the agenda.
        minutes: Option<u32>,
    },
    /// The session's setup: names, scope, participants, scoping answers.
    Setup(Box<Draft>),
}

impl Edit {
    /// Applies the change to a session.
    pub fn apply(&self, session: &mut Session, now: Timestamp) {
        match self {
            Edit::Answer { question, answer } => session.set_answer(question, *answer, now),
            Edit::Vote {
                question,
                participant,
                vote,
            } => session.record_vote(question, participant, *vote, now),
            Edit::Notes { question, text } => session.record_mut(question).notes = text.clone(),
            Edit::Flag { question, flagged } => {
                session.record_mut(question).discuss_later = *flagged;
            }
            Edit::Action {
                question,
                owner,
                due,
                evidence,
            } => {
                let record = session.record_mut(question);
                record.action_owner = owner.clone();
                record.due = *due;
                record.evidence = evidence.clone();
            }
            Edit::Agenda {
                category,
                stage,
                minutes,
            } => session.set_planned_minutes(*category, *stage, *minutes),
            Edit::Setup(draft) => draft.apply(session, now),
        }
    }
}
