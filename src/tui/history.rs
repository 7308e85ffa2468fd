//! Undo and redo of the changes made to the open session, for as long as it is open. Each
//! change keeps the part of the session it touched, as it was before and after: one question's
//! record (or the records an accepted consensus set), one section's planned minutes, the triage
//! agenda's planned time, or (for the setup and a merge of pre-work, which can touch every vote)
//! the whole session apart from the time spent.

use crate::domain::framework::{Category, Stage};
use crate::domain::session::{QuestionRecord, Session};
use crate::tui::edit::Edit;

/// The part of a session a change touched, as it was at one moment.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// One question's record (None: nothing recorded); boxed, as a record is large next to
    /// the other parts.
    Record(String, Option<Box<QuestionRecord>>),
    /// The records of several questions (None: nothing recorded).
    Records(Vec<(String, Option<QuestionRecord>)>),
    /// One section's planned minutes.
    Agenda(Category, Stage, Option<u32>),
    /// The minutes planned for the triage agenda.
    TriageMinutes(Option<u32>),
    /// Everything but the time spent (on sections and on the triage agenda), which is
    /// measured, not decided.
    Whole(Box<Session>),
}

impl Part {
    /// The part of `session` that `edit` changes, as it is now.
    pub fn of(session: &Session, edit: &Edit) -> Part {
        match edit {
            Edit::Answer { question, .. }
            | Edit::Vote { question, .. }
            | Edit::Notes { question, .. }
            | Edit::Flag { question, .. }
            | Edit::Resolve { question, .. }
            | Edit::Confirm { question }
            | Edit::Action { question, .. } => Part::Record(
                question.clone(),
                session.record(question).cloned().map(Box::new),
            ),
            Edit::Agenda {
                category, stage, ..
            } => Part::Agenda(
                *category,
                *stage,
                session.planned_minutes(*category, *stage),
            ),
            Edit::AcceptConsensus { answers } => Part::Records(
                answers
                    .iter()
                    .map(|(id, _)| (id.clone(), session.record(id).cloned()))
                    .collect(),
            ),
            Edit::TriagePlan { .. } => Part::TriageMinutes(session.triage.minutes),
            Edit::Setup(_) | Edit::Merge { .. } => Part::Whole(Box::new(session.clone())),
        }
    }

    /// Puts the part back into `session`.
    pub fn restore(&self, session: &mut Session) {
        match self {
            Part::Record(question, Some(record)) => {
                session.records.insert(question.clone(), (**record).clone());
            }
            Part::Record(question, None) => {
                session.records.remove(question);
            }
            Part::Records(records) => {
                for (question, record) in records {
                    match record {
                        Some(record) => {
                            session.records.insert(question.clone(), record.clone());
                        }
                        None => {
                            session.records.remove(question);
                        }
                    }
                }
            }
            Part::Agenda(category, stage, minutes) => {
                session.set_planned_minutes(*category, *stage, *minutes);
            }
            Part::TriageMinutes(minutes) => session.triage.minutes = *minutes,
            Part::Whole(before) => {
                let time_spent = std::mem::take(&mut session.time_spent);
                let triage = session.triage;
                *session = (**before).clone();
                session.time_spent = time_spent;
                session.triage.spent = triage.spent;
                session.triage.decided = triage.decided;
            }
        }
    }

    /// The question this part belongs to, if it is one question's record.
    pub fn question(&self) -> Option<&str> {
        match self {
            Part::Record(question, _) => Some(question),
            Part::Records(_) | Part::Agenda(..) | Part::TriageMinutes(_) | Part::Whole(_) => None,
        }
    }

    /// The questions whose records this part is: None for a part that is more than records
    /// (the whole session); empty for one that holds none (planned minutes).
    pub fn questions(&self) -> Option<Vec<&str>> {
        match self {
            Part::Record(question, _) => Some(vec![question.as_str()]),
            Part::Records(records) => Some(records.iter().map(|(q, _)| q.as_str()).collect()),
            Part::Agenda(..) | Part::TriageMinutes(_) => Some(Vec::new()),
            Part::Whole(_) => None,
        }
    }

    /// Whether putting this part back changes which questions apply.
    pub fn changes_scope(&self) -> bool {
        matches!(self, Part::Whole(_))
    }
}

/// One change, undoable.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// What it was, for the status line.
    pub description: String,
    /// The part before the change.
    pub before: Part,
    /// The part after it.
    pub after: Part,
}

/// The changes made since the session was opened, and the ones undone since the last change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    done: Vec<Change>,
    undone: Vec<Change>,
}

impl History {
    /// Records a change; whatever was undone can no longer be redone. Notes saved while
    /// typing on the same question join the change before, so one undo takes back one edit.
    pub fn record(&mut self, change: Change) {
        self.undone.clear();
        if let (Some(last), Part::Record(question, _)) = (self.done.last_mut(), &change.after)
            && last.description == change.description
            && change.description.starts_with("notes on ")
            && last.after.question() == Some(question.as_str())
        {
            last.after = change.after;
            return;
        }
        self.done.push(change);
    }

    /// Takes back the last change: restores its part and returns it.
    pub fn undo(&mut self, session: &mut Session) -> Option<&Change> {
        let change = self.done.pop()?;
        change.before.restore(session);
        self.undone.push(change);
        self.undone.last()
    }

    /// Makes the last undone change again and returns it.
    pub fn redo(&mut self, session: &mut Session) -> Option<&Change> {
        let change = self.undone.pop()?;
        change.after.restore(session);
        self.done.push(change);
        self.done.last()
    }

    /// How many changes can be undone.
    pub fn len(&self) -> usize {
        self.done.len()
    }

    /// Whether nothing can be undone.
    pub fn is_empty(&self) -> bool {
        self.done.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::framework::Category;
    use crate::domain::scale::Answer;
    use crate::domain::session::tests::{bank, question};
    use jiff::Timestamp;

    fn test_bank() -> crate::domain::questionnaire::QuestionBank {
        bank(vec![question("a", Category::Security, Stage::Storage)])
    }

    fn session() -> Session {
        Session::new(
            "id".into(),
            "Acme".into(),
            &test_bank(),
            Timestamp::UNIX_EPOCH,
        )
    }

    fn change(history: &mut History, session: &mut Session, edit: Edit) {
        let before = Part::of(session, &edit);
        edit.apply(&test_bank(), session, Timestamp::UNIX_EPOCH);
        let after = Part::of(session, &edit);
        history.record(Change {
            description: edit.describe(),
            before,
            after,
        });
    }

    #[test]
    fn undo_and_redo_walk_back_and_forth() {
        let mut s = session();
        let original = s.clone();
        let mut h = History::default();
        let answer = |a| Edit::Answer {
            question: "a".into(),
            answer: Some(a),
        };
        change(&mut h, &mut s, answer(Answer::AdHoc));
        change(&mut h, &mut s, answer(Answer::Operating));
        change(
            &mut h,
            &mut s,
            Edit::Agenda {
                category: Category::Security,
                stage: Stage::Storage,
                minutes: Some(10),
            },
        );
        let after = s.clone();
        assert_eq!(h.len(), 3);
        assert!(h.undo(&mut s).is_some());
        assert_eq!(s.planned_minutes(Category::Security, Stage::Storage), None);
        let undone = h.undo(&mut s).unwrap().description.clone();
        assert_eq!(undone, "answer to a: 4 Operating");
        assert_eq!(s.answer("a"), Some(Answer::AdHoc));
        h.undo(&mut s);
        assert_eq!(s.records, original.records);
        assert!(h.undo(&mut s).is_none());
        h.redo(&mut s);
        h.redo(&mut s);
        h.redo(&mut s);
        assert_eq!(s.records, after.records);
        assert_eq!(s.agenda_minutes, after.agenda_minutes);
        assert!(h.redo(&mut s).is_none());
        // A new change forgets what could be redone.
        h.undo(&mut s);
        change(&mut h, &mut s, answer(Answer::NotInPlace));
        assert!(h.redo(&mut s).is_none());
    }

    #[test]
    fn notes_typed_on_one_question_undo_as_one() {
        let mut s = session();
        let mut h = History::default();
        let notes = |t: &str| Edit::Notes {
            question: "a".into(),
            text: t.into(),
        };
        change(&mut h, &mut s, notes("first"));
        change(&mut h, &mut s, notes("first and more"));
        assert_eq!(h.len(), 1);
        h.undo(&mut s);
        assert!(s.record("a").is_none());
        h.redo(&mut s);
        assert_eq!(s.record("a").unwrap().notes, "first and more");
    }

    #[test]
    fn the_time_spent_survives_undoing_the_setup() {
        let mut s = session();
        let mut h = History::default();
        let before = Part::of(&s, &Edit::Setup(Box::default()));
        s.name = "Renamed".into();
        s.add_time(Category::Security, Stage::Storage, 30);
        let after = Part::Whole(Box::new(s.clone()));
        h.record(Change {
            description: "session setup".into(),
            before,
            after,
        });
        h.undo(&mut s);
        assert_eq!(s.name, "Acme");
        assert_eq!(s.time_spent_on(Category::Security, Stage::Storage), 30);
    }
}
