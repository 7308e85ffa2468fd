//! A participant's pre-work: the questions of a workshop session assigned to one person,
//! answered alone before the meeting. It carries what it needs to be answered without the
//! session (scope, scoping answers, the question bank's identity) and nothing about anyone
//! else. Pure data and rules; the store reads and writes the files.

use super::framework::Category;
use super::questionnaire::{Question, QuestionBank, QuestionnaireVersion};
use super::scale::Answer;
use super::session::{Mode, Participant, QuestionRecord, Session, Target};
use jiff::Timestamp;
use std::collections::{BTreeMap, BTreeSet};

/// One pre-work answer: a level, N/A or Unknown, and a note (for N/A, the reason).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreworkAnswer {
    /// The answer; None when only a note was written.
    pub answer: Option<Answer>,
    /// The participant's note.
    pub notes: String,
}

impl PreworkAnswer {
    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.answer.is_none() && self.notes.is_empty()
    }
}

/// Why pre-work cannot be prepared as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreworkError {
    /// A category assigned to the participant is not assessed in the session.
    #[error(
        "{} is not in the scope of this session; the session assesses {}",
        .category.title(),
        .scope.iter().map(|c| c.title()).collect::<Vec<_>>().join(", ")
    )]
    OutOfScope {
        /// The category asked for.
        category: Category,
        /// The categories the session assesses.
        scope: Vec<Category>,
    },
}

/// The pre-work of one participant for one workshop session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prework {
    /// The id of the session it belongs to.
    pub session: String,
    /// The session's name, for the header and messages.
    pub session_name: String,
    /// The organisation assessed.
    pub organisation: String,
    /// The AI system in scope.
    pub system: String,
    /// The report the team prepares for.
    pub target: Target,
    /// Who runs the workshop.
    pub facilitator: String,
    /// Who answers this pre-work.
    pub participant: Participant,
    /// The categories the session assesses.
    pub scope: BTreeSet<Category>,
    /// The session's scoping answers, defaults filled in.
    pub scoping: BTreeMap<String, bool>,
    /// The categories assigned to the participant (a part of the scope).
    pub categories: BTreeSet<Category>,
    /// Ids and versions of the questionnaires the session uses.
    pub questionnaires: Vec<QuestionnaireVersion>,
    /// Hash of the content the session uses.
    pub content_hash: String,
    /// When the pre-work was prepared.
    pub created: Timestamp,
    /// When the participant last changed it.
    pub updated: Timestamp,
    /// The participant's answers, keyed by question id.
    pub answers: BTreeMap<String, PreworkAnswer>,
}

impl Prework {
    /// Empty pre-work for a participant of a session, over the categories given (every
    /// category the session assesses when None).
    pub fn new(
        session: &Session,
        bank: &QuestionBank,
        participant: &Participant,
        categories: Option<&BTreeSet<Category>>,
        now: Timestamp,
    ) -> Result<Prework, PreworkError> {
        let scope: BTreeSet<Category> = Category::ALL
            .into_iter()
            .filter(|c| session.in_scope(*c))
            .collect();
        let categories = match categories {
            None => scope.clone(),
            Some(asked) => {
                if let Some(category) = asked.iter().find(|c| !scope.contains(c)) {
                    return Err(PreworkError::OutOfScope {
                        category: *category,
                        scope: scope.iter().copied().collect(),
                    });
                }
                asked.clone()
            }
        };
        Ok(Prework {
            session: session.id.clone(),
            session_name: session.name.clone(),
            organisation: session.organisation.clone(),
            system: session.system.clone(),
            target: session.target,
            facilitator: session.facilitator.clone(),
            participant: participant.clone(),
            scope,
            scoping: session.resolved_scoping(bank),
            categories,
            questionnaires: session.questionnaires.clone(),
            content_hash: session.content_hash.clone(),
            created: now,
            updated: now,
            answers: BTreeMap::new(),
        })
    }

    /// Whether a question is the participant's to answer in a category: the category is in
    /// scope and assigned, the question belongs to it, and the scoping answers make it apply.
    pub fn assigned_in(&self, question: &Question, category: Category) -> bool {
        self.scope.contains(&category)
            && self.categories.contains(&category)
            && question.belongs_to(category)
            && question.applies_if.holds(&self.scoping)
    }

    /// Whether a question is the participant's to answer in any of its categories.
    pub fn assigned(&self, question: &Question) -> bool {
        question.categories().any(|c| self.assigned_in(question, c))
    }

    /// The questions to answer, in questionnaire order.
    pub fn questions<'b>(&self, bank: &'b QuestionBank) -> Vec<&'b Question> {
        bank.questions().filter(|q| self.assigned(q)).collect()
    }

    /// How many questions have an answer (N/A and Unknown included).
    pub fn answered(&self) -> usize {
        self.answers.values().filter(|a| a.answer.is_some()).count()
    }

    /// The pre-work as a solo session with the same id, so that the question screens can
    /// work on it; [`Prework::take_answers`] brings the answers back.
    pub fn to_session(&self, bank: &QuestionBank) -> Session {
        let mut session = Session::new(
            self.session.clone(),
            self.session_name.clone(),
            bank,
            self.created,
        );
        session.organisation = self.organisation.clone();
        session.system = self.system.clone();
        session.target = self.target;
        session.mode = Mode::Solo;
        session.facilitator = self.facilitator.clone();
        session.scoping = self.scoping.clone();
        session.categories = self.scope.clone();
        session.questionnaires = self.questionnaires.clone();
        session.content_hash = self.content_hash.clone();
        session.updated = self.updated;
        session.records = self
            .answers
            .iter()
            .map(|(id, a)| {
                let record = QuestionRecord {
                    answer: a.answer,
                    notes: a.notes.clone(),
                    ..QuestionRecord::default()
                };
                (id.clone(), record)
            })
            .collect();
        session
    }

    /// Takes the answers and notes of a session made by [`Prework::to_session`], and its
    /// time of last change. Anything else recorded there is not part of pre-work.
    pub fn take_answers(&mut self, session: &Session) {
        self.answers = answers_of(session);
        self.updated = session.updated;
    }
}

/// The agreed answer and the notes of every question of `session` that has either, as
/// pre-work answers.
pub fn answers_of(session: &Session) -> BTreeMap<String, PreworkAnswer> {
    session
        .records
        .iter()
        .map(|(id, r)| {
            let answer = PreworkAnswer {
                answer: r.answer,
                notes: r.notes.clone(),
            };
            (id.clone(), answer)
        })
        .filter(|(_, a)| !a.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::framework::Stage;
    use crate::domain::questionnaire::Condition;
    use crate::domain::session::tests::{bank, question};

    fn t0() -> Timestamp {
        Timestamp::from_second(1_767_225_600).unwrap()
    }

    fn setup() -> (QuestionBank, Session) {
        let mut generative = question("sec-gen", Category::Security, Stage::Training);
        generative.applies_if = Condition::Yes("generative".into());
        let b = bank(vec![
            question("sec-1", Category::Security, Stage::Storage),
            generative,
            question("pri-1", Category::Privacy, Stage::Collection),
            question("ava-1", Category::Availability, Stage::Storage),
        ]);
        let mut s = Session::new("s1".into(), "Acme".into(), &b, t0());
        s.categories.remove(&Category::Availability);
        s.participants = vec![
            Participant {
                name: "Maya".into(),
                role: "ML".into(),
            },
            Participant {
                name: "Ben".into(),
                role: "security".into(),
            },
        ];
        s.record_vote("sec-1", "Ben", Some(Answer::AdHoc), t0());
        (b, s)
    }

    #[test]
    fn holds_the_scope_and_nothing_of_other_participants() {
        let (b, s) = setup();
        let maya = s.participants[0].clone();
        let p = Prework::new(&s, &b, &maya, None, t0()).unwrap();
        assert_eq!(p.session, "s1");
        assert_eq!(p.participant, maya);
        assert!(!p.scope.contains(&Category::Availability));
        assert_eq!(p.categories, p.scope);
        assert!(p.answers.is_empty(), "Ben's vote must not travel");
        let ids: Vec<&str> = p.questions(&b).iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["sec-1", "sec-gen", "pri-1"]);
    }

    #[test]
    fn assigned_categories_narrow_the_questions_and_must_be_in_scope() {
        let (b, mut s) = setup();
        s.scoping.insert("generative".into(), false);
        let maya = s.participants[0].clone();
        let only_security = BTreeSet::from([Category::Security]);
        let p = Prework::new(&s, &b, &maya, Some(&only_security), t0()).unwrap();
        let ids: Vec<&str> = p.questions(&b).iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["sec-1"]);
        let out = BTreeSet::from([Category::Availability]);
        let err = Prework::new(&s, &b, &maya, Some(&out), t0()).unwrap_err();
        assert!(err.to_string().contains("Availability is not in the scope"));
    }

    #[test]
    fn answers_go_through_a_session_and_back() {
        let (b, s) = setup();
        let maya = s.participants[0].clone();
        let mut p = Prework::new(&s, &b, &maya, None, t0()).unwrap();
        let mut solo = p.to_session(&b);
        assert_eq!(solo.mode, Mode::Solo);
        let later = Timestamp::from_second(1_767_300_000).unwrap();
        solo.set_answer("sec-1", Some(Answer::Implemented), later);
        solo.record_mut("pri-1").notes = "only EU users".into();
        solo.set_answer("sec-gen", Some(Answer::Unknown), later);
        p.take_answers(&solo);
        assert_eq!(p.updated, later);
        assert_eq!(p.answered(), 2);
        assert_eq!(
            p.answers.get("pri-1"),
            Some(&PreworkAnswer {
                answer: None,
                notes: "only EU users".into()
            })
        );
        assert_eq!(p.to_session(&b).records, solo.records);
    }
}
