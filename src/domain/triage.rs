//! The triage agenda of a workshop: the order in which a meeting takes the questions once
//! pre-work is merged. Disagreements first, then Unknown votes and questions nobody answered
//! beforehand, then critical questions without an agreed level, then the rest. Also the
//! consensus the room can accept in one step, and the pace the agenda needs.

use super::questionnaire::Question;
use super::scale::Answer;
use super::scoring::DISAGREEMENT_SPREAD;
use super::session::{QuestionRecord, Session, TriagePlan};

/// The smallest number of votes a consensus needs unless the facilitator sets another.
pub const DEFAULT_CONSENSUS_VOTES: usize = 2;

/// Why a question is where it is on the agenda; the order of the variants is the agenda's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// The rated votes are 2 or more levels apart.
    Disagreement {
        /// Highest minus lowest rated vote.
        spread: u8,
        /// The lowest rated vote.
        low: u8,
        /// The highest rated vote.
        high: u8,
    },
    /// Someone voted Unknown.
    Unknown {
        /// Who did.
        who: Vec<String>,
    },
    /// Nobody has voted, in pre-work or in the room.
    NotPreAnswered,
    /// A critical question without an agreed level.
    CriticalOpen,
    /// Nothing in particular: the votes roughly agree.
    Rest,
}

impl Reason {
    /// The group of the agenda it belongs to, in the words of the triage view.
    pub fn group(&self) -> &'static str {
        match self {
            Reason::Disagreement { .. } => "disagreement",
            Reason::Unknown { .. } => "unknown",
            Reason::NotPreAnswered => "not pre-answered",
            Reason::CriticalOpen => "critical, open",
            Reason::Rest => "rest",
        }
    }

    /// Why it is on the agenda, in a few words.
    pub fn explain(&self) -> String {
        match self {
            Reason::Disagreement { low, high, .. } => format!("votes from {low} to {high}"),
            Reason::Unknown { who } => format!("Unknown: {}", who.join(", ")),
            Reason::NotPreAnswered => "no votes yet".into(),
            Reason::CriticalOpen => "critical, not agreed".into(),
            Reason::Rest => "votes close".into(),
        }
    }
}

/// One question on the agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItem {
    /// The question's position in the list the agenda was made from.
    pub position: usize,
    /// Why it is where it is.
    pub reason: Reason,
    /// The spread of its rated votes, if it has any.
    pub spread: Option<u8>,
    /// Whether the room has agreed on a level.
    pub agreed: bool,
}

/// The reason a question is on the agenda, from its record.
pub fn reason(question: &Question, record: Option<&QuestionRecord>) -> Reason {
    let levels = || {
        record
            .into_iter()
            .flat_map(|r| r.votes.values().filter_map(|v| v.level()))
    };
    if let (Some(low), Some(high)) = (levels().min(), levels().max())
        && high - low >= DISAGREEMENT_SPREAD
    {
        return Reason::Disagreement {
            spread: high - low,
            low,
            high,
        };
    }
    let votes = record.map(|r| &r.votes);
    let unknown: Vec<String> = votes
        .into_iter()
        .flatten()
        .filter(|(_, v)| **v == Answer::Unknown)
        .map(|(name, _)| name.clone())
        .collect();
    if !unknown.is_empty() {
        return Reason::Unknown { who: unknown };
    }
    if votes.is_none_or(|v| v.is_empty()) {
        return Reason::NotPreAnswered;
    }
    if question.critical && record.and_then(|r| r.answer).is_none() {
        return Reason::CriticalOpen;
    }
    Reason::Rest
}

/// The agenda over `questions` (the session's applicable questions in the order they are
/// asked): grouped by reason, the widest disagreements first, otherwise in the given order.
pub fn agenda(questions: &[&Question], session: &Session) -> Vec<AgendaItem> {
    let mut items: Vec<AgendaItem> = questions
        .iter()
        .enumerate()
        .map(|(position, q)| {
            let record = session.record(&q.id);
            AgendaItem {
                position,
                reason: reason(q, record),
                spread: record.and_then(QuestionRecord::vote_spread),
                agreed: record.is_some_and(|r| r.answer.is_some()),
            }
        })
        .collect();
    // Wider disagreements come first within their group; the sort is stable otherwise.
    items.sort_by(|a, b| {
        let rank = |r: &Reason| match r {
            Reason::Disagreement { spread, .. } => (0, u8::MAX - spread),
            Reason::Unknown { .. } => (1, 0),
            Reason::NotPreAnswered => (2, 0),
            Reason::CriticalOpen => (3, 0),
            Reason::Rest => (4, 0),
        };
        rank(&a.reason).cmp(&rank(&b.reason))
    });
    items
}

/// The agreed answers the room can accept at once: questions without an agreed level whose
/// votes (at least `min_votes` of them) are all the same answer, and that answer is not
/// Unknown.
pub fn consensus(
    questions: &[&Question],
    session: &Session,
    min_votes: usize,
) -> Vec<(String, Answer)> {
    questions
        .iter()
        .filter_map(|q| {
            let record = session.record(&q.id)?;
            if record.answer.is_some() || record.votes.len() < min_votes.max(1) {
                return None;
            }
            let mut votes = record.votes.values();
            let first = *votes.next()?;
            (first != Answer::Unknown && votes.all(|v| *v == first)).then(|| (q.id.clone(), first))
        })
        .collect()
}

/// How the meeting is doing against the agenda's planned time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// Questions on the agenda without an agreed level.
    pub left: usize,
    /// Seconds of the planned time still available (negative when over); None without a plan.
    pub seconds_left: Option<i64>,
    /// Seconds a question may take to finish in time; None without a plan or questions left.
    pub needed: Option<u64>,
    /// Seconds a question has taken so far; None before the first decision.
    pub current: Option<u64>,
    /// Seconds the questions left would take at the current pace.
    pub projected: Option<u64>,
}

impl Pace {
    /// The pace of a plan with `left` questions open and `pending` seconds not yet recorded in
    /// the plan.
    pub fn of(plan: &TriagePlan, left: usize, pending: u64) -> Pace {
        let spent = plan.spent.saturating_add(pending);
        let seconds_left = plan
            .minutes
            .map(|m| i64::from(m) * 60 - i64::try_from(spent).unwrap_or(i64::MAX));
        let left_u64 = u64::try_from(left).unwrap_or(u64::MAX);
        let needed = match seconds_left {
            Some(s) if left > 0 => Some(u64::try_from(s.max(0)).unwrap_or(0) / left_u64),
            _ => None,
        };
        let current = (plan.decided > 0).then(|| spent / u64::from(plan.decided));
        Pace {
            left,
            seconds_left,
            needed,
            current,
            projected: current.map(|c| c.saturating_mul(left_u64)),
        }
    }

    /// Whether the questions left would not fit the time left at the current pace.
    pub fn behind(&self) -> bool {
        match (self.projected, self.seconds_left) {
            (Some(projected), Some(left)) => i64::try_from(projected).unwrap_or(i64::MAX) > left,
            (_, Some(left)) => left < 0,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::framework::{Category, Stage};
    use crate::domain::questionnaire::QuestionBank;
    use crate::domain::session::tests::{bank, question};
    use jiff::Timestamp;

    fn t0() -> Timestamp {
        Timestamp::from_second(1_767_225_600).unwrap()
    }

    fn setup() -> (QuestionBank, Session) {
        let mut critical = question("crit", Category::Security, Stage::Storage);
        critical.critical = true;
        let b = bank(vec![
            question("rest", Category::Security, Stage::Storage),
            critical,
            question("none", Category::Security, Stage::Storage),
            question("unknown", Category::Security, Stage::Storage),
            question("split2", Category::Security, Stage::Storage),
            question("split4", Category::Security, Stage::Storage),
        ]);
        let mut s = Session::new("s".into(), "S".into(), &b, t0());
        let vote = |s: &mut Session, id: &str, who: &str, a: Answer| {
            s.record_vote(id, who, Some(a), t0());
        };
        vote(&mut s, "rest", "Ana", Answer::Designed);
        vote(&mut s, "rest", "Ben", Answer::Implemented);
        vote(&mut s, "crit", "Ana", Answer::Implemented);
        vote(&mut s, "crit", "Ben", Answer::Implemented);
        vote(&mut s, "unknown", "Ana", Answer::Unknown);
        vote(&mut s, "unknown", "Ben", Answer::Designed);
        vote(&mut s, "split2", "Ana", Answer::AdHoc);
        vote(&mut s, "split2", "Ben", Answer::Implemented);
        vote(&mut s, "split4", "Ana", Answer::NotInPlace);
        vote(&mut s, "split4", "Ben", Answer::Operating);
        (b, s)
    }

    #[test]
    fn disagreements_then_unknowns_then_critical_then_the_rest() {
        let (b, s) = setup();
        let questions: Vec<&Question> = b.questions().collect();
        let order: Vec<(&str, &str)> = agenda(&questions, &s)
            .iter()
            .map(|i| (questions[i.position].id.as_str(), i.reason.group()))
            .collect();
        assert_eq!(
            order,
            [
                ("split4", "disagreement"),
                ("split2", "disagreement"),
                ("unknown", "unknown"),
                ("none", "not pre-answered"),
                ("crit", "critical, open"),
                ("rest", "rest"),
            ]
        );
        let items = agenda(&questions, &s);
        assert_eq!(items[0].reason.explain(), "votes from 0 to 4");
        assert_eq!(items[2].reason.explain(), "Unknown: Ana");
    }

    #[test]
    fn an_agreed_critical_question_joins_the_rest() {
        let (b, mut s) = setup();
        s.set_answer("crit", Some(Answer::Implemented), t0());
        let critical = b.question("crit").unwrap();
        assert_eq!(reason(critical, s.record("crit")), Reason::Rest);
    }

    #[test]
    fn consensus_needs_equal_known_votes_enough_of_them_and_no_agreement_yet() {
        let (b, mut s) = setup();
        let questions: Vec<&Question> = b.questions().collect();
        assert_eq!(
            consensus(&questions, &s, 2),
            [("crit".to_string(), Answer::Implemented)]
        );
        assert!(consensus(&questions, &s, 3).is_empty());
        s.record_vote("none", "Chi", Some(Answer::NotApplicable), t0());
        s.record_vote("unknown", "Ben", Some(Answer::Unknown), t0());
        assert_eq!(
            consensus(&questions, &s, 1).len(),
            2,
            "N/A counts, Unknown does not"
        );
        s.set_answer("crit", Some(Answer::Designed), t0());
        assert_eq!(
            consensus(&questions, &s, 1),
            [("none".to_string(), Answer::NotApplicable)]
        );
    }

    #[test]
    fn pace_compares_the_time_left_with_the_current_pace() {
        let plan = TriagePlan {
            minutes: Some(60),
            spent: 1200,
            decided: 5,
        };
        let pace = Pace::of(&plan, 10, 0);
        assert_eq!(pace.seconds_left, Some(2400));
        assert_eq!(pace.needed, Some(240));
        assert_eq!(pace.current, Some(240));
        assert_eq!(pace.projected, Some(2400));
        assert!(!pace.behind());
        assert!(Pace::of(&plan, 10, 60).behind());
        let unplanned = Pace::of(&TriagePlan::default(), 3, 0);
        assert_eq!((unplanned.seconds_left, unplanned.needed), (None, None));
        assert!(!unplanned.behind());
    }
}
