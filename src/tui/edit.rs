//! Changes to the open session, as data. Screens and popups describe a change; the app applies
//! it, stamps the session, re-scores it and saves it before the next frame.

use crate::domain::framework::{Category, Stage};
use crate::domain::merge::{self, Contribution, MergeOptions};
use crate::domain::questionnaire::QuestionBank;
use crate::domain::scale::Answer;
use crate::domain::session::{FollowUp, Session};
use crate::tui::screens::setup::Draft;
use jiff::Timestamp;

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
    /// A question's follow-up action, whole.
    Action {
        /// The question.
        question: String,
        /// The action as it is to be.
        action: FollowUp,
    },
    /// Confirm an answer carried over from the previous session as it stands.
    Confirm {
        /// The question.
        question: String,
    },
    /// Mark a flagged question resolved in the parking lot, or open again.
    Resolve {
        /// The question.
        question: String,
        /// The new state.
        resolved: bool,
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
    /// Agree on unanimous votes, marked as agreed from pre-work.
    AcceptConsensus {
        /// Each question and the answer its votes agree on.
        answers: Vec<(String, Answer)>,
    },
    /// The time planned for the whole triage agenda.
    TriagePlan {
        /// The minutes; None removes the plan.
        minutes: Option<u32>,
    },
    /// Merge pre-work: each answer becomes its participant's vote.
    Merge {
        /// What was read from the files.
        contributions: Vec<Contribution>,
        /// The merge's choices.
        options: MergeOptions,
    },
}

impl Edit {
    /// What the change is, for people: "answer to sec-gov-01: 3 Implemented".
    pub fn describe(&self) -> String {
        let answer = |a: &Option<Answer>| match a {
            Some(a) => format!("{} {}", a.short(), a.name()),
            None => "cleared".to_string(),
        };
        match self {
            Edit::Answer {
                question,
                answer: a,
            } => {
                format!("answer to {question}: {}", answer(a))
            }
            Edit::Vote {
                question,
                participant,
                vote,
            } => match vote {
                Some(_) => format!("{participant}'s vote on {question}: {}", answer(vote)),
                None => format!("{participant}'s vote on {question} withdrawn"),
            },
            Edit::Notes { question, .. } => format!("notes on {question}"),
            Edit::Flag { question, flagged } => {
                if *flagged {
                    format!("{question} flagged to discuss later")
                } else {
                    format!("flag on {question} removed")
                }
            }
            Edit::Action { question, .. } => format!("follow-up action of {question}"),
            Edit::Confirm { question } => format!("carried-over answer to {question} confirmed"),
            Edit::Resolve { question, resolved } => {
                if *resolved {
                    format!("{question} resolved in the parking lot")
                } else {
                    format!("{question} open again in the parking lot")
                }
            }
            Edit::Agenda {
                category, stage, ..
            } => format!(
                "minutes planned for {} > {}",
                category.title(),
                stage.title()
            ),
            Edit::Setup(_) => "session setup".to_string(),
            Edit::AcceptConsensus { answers } => format!(
                "{} agreed from pre-work",
                match answers.len() {
                    1 => "1 question".to_string(),
                    n => format!("{n} questions"),
                }
            ),
            Edit::TriagePlan { .. } => "time planned for the triage agenda".to_string(),
            Edit::Merge { contributions, .. } => format!(
                "merge of pre-work ({})",
                match contributions.len() {
                    1 => "1 file".to_string(),
                    n => format!("{n} files"),
                }
            ),
        }
    }

    /// Applies the change to a session.
    pub fn apply(&self, bank: &QuestionBank, session: &mut Session, now: Timestamp) {
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
            Edit::Action { question, action } => {
                session.record_mut(question).action = action.clone();
            }
            Edit::Resolve { question, resolved } => {
                session.record_mut(question).resolved = *resolved;
            }
            Edit::Confirm { question } => {
                session.confirm_carried(question, now);
            }
            Edit::Agenda {
                category,
                stage,
                minutes,
            } => session.set_planned_minutes(*category, *stage, *minutes),
            Edit::Setup(draft) => draft.apply(session, now),
            Edit::AcceptConsensus { answers } => session.accept_consensus(answers, now),
            Edit::TriagePlan { minutes } => session.triage.minutes = *minutes,
            Edit::Merge {
                contributions,
                options,
            } => {
                // The preview was worked out from this same session; a refusal here cannot
                // happen, and would leave the session as it is.
                if let Ok(merged) = merge::merge(session, bank, contributions, *options, now) {
                    *session = merged.session;
                }
            }
        }
    }
}
