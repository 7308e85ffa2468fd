//! The history of a system's assessments: the chain of sessions started from one another, and
//! how the overall and category scores moved along it.

use super::framework::Category;
use super::questionnaire::QuestionBank;
use super::scoring::{self, Completion, Verdict};
use super::session::{Session, StartedFrom};
use std::collections::{BTreeMap, BTreeSet};

/// The sessions linked to one session by "started from", oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain<'s> {
    /// The sessions, oldest first.
    pub sessions: Vec<&'s Session>,
    /// The oldest session started from one that is no longer there (deleted or moved).
    pub missing: Option<&'s StartedFrom>,
    /// Sessions also started from a session of the chain but left out of it, because the
    /// chain follows the latest one: (the session they started from, them).
    pub branches: Vec<(&'s str, Vec<&'s Session>)>,
}

/// The chain through `id`: back along "started from" to the first session, then forward to
/// the latest session started from each one. None when no session has that id.
pub fn chain<'s>(sessions: &'s [Session], id: &str) -> Option<Chain<'s>> {
    let by_id: BTreeMap<&str, &Session> = sessions.iter().map(|s| (s.id.as_str(), s)).collect();
    let start = *by_id.get(id)?;
    let mut seen: BTreeSet<&str> = BTreeSet::from([start.id.as_str()]);
    let mut back = vec![start];
    let mut missing = None;
    let mut at = start;
    while let Some(from) = &at.started_from {
        match by_id.get(from.id.as_str()) {
            // A file edited by hand could link in a circle; each session counts once.
            Some(previous) if seen.insert(previous.id.as_str()) => {
                back.push(previous);
                at = previous;
            }
            Some(_) => break,
            None => {
                missing = Some(from);
                break;
            }
        }
    }
    back.reverse();
    let children_of = |parent: &str| -> Vec<&'s Session> {
        let mut children: Vec<&Session> = sessions
            .iter()
            .filter(|s| s.started_from.as_ref().is_some_and(|f| f.id == parent))
            .collect();
        children.sort_by(|a, b| a.created.cmp(&b.created).then(a.id.cmp(&b.id)));
        children
    };
    let mut at = start;
    while let Some(next) = children_of(&at.id)
        .into_iter()
        .rev()
        .find(|s| !seen.contains(s.id.as_str()))
    {
        seen.insert(next.id.as_str());
        back.push(next);
        at = next;
    }
    let branches = back
        .iter()
        .filter_map(|parent| {
            let others: Vec<&Session> = children_of(&parent.id)
                .into_iter()
                .filter(|s| !seen.contains(s.id.as_str()))
                .collect();
            (!others.is_empty()).then_some((parent.id.as_str(), others))
        })
        .collect();
    Some(Chain {
        sessions: back,
        missing,
        branches,
    })
}

/// One session's scores in the trend.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint<'s> {
    /// The session.
    pub session: &'s Session,
    /// The overall score.
    pub overall: Option<f64>,
    /// The overall verdict.
    pub verdict: Verdict,
    /// Answered and applicable questions.
    pub completion: Completion,
    /// Each category's score, for the categories it assessed.
    pub categories: BTreeMap<Category, Option<f64>>,
    /// Answers only carried over and not confirmed.
    pub unconfirmed: usize,
}

/// The scores of a chain of sessions, each scored against the same bank.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend<'s> {
    /// One point per session, oldest first.
    pub points: Vec<TrendPoint<'s>>,
    /// The categories any session assessed, in the usual order.
    pub categories: Vec<Category>,
    /// The sessions were not all started with the same content: part of a movement can come
    /// from the questions, not the answers.
    pub content_changed: bool,
}

/// The trend of the scores along a chain of sessions.
pub fn trend<'s>(bank: &QuestionBank, sessions: &[&'s Session]) -> Trend<'s> {
    let points: Vec<TrendPoint<'s>> = sessions
        .iter()
        .map(|session| {
            let results = scoring::score(bank, session);
            TrendPoint {
                session,
                overall: results.overall,
                verdict: results.verdict,
                completion: results.completion,
                categories: results
                    .categories
                    .iter()
                    .map(|c| (c.category, c.score))
                    .collect(),
                unconfirmed: session.unconfirmed_count(),
            }
        })
        .collect();
    let categories = Category::ALL
        .into_iter()
        .filter(|c| points.iter().any(|p| p.categories.contains_key(c)))
        .collect();
    let content_changed = sessions
        .windows(2)
        .any(|pair| pair[0].content_hash != pair[1].content_hash);
    Trend {
        points,
        categories,
        content_changed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::framework::Stage;
    use crate::domain::reassess::start_from;
    use crate::domain::scale::Answer;
    use crate::domain::session::tests::{bank, question};
    use jiff::Timestamp;

    fn t(days: i64) -> Timestamp {
        Timestamp::from_second(1_767_225_600 + days * 86_400).unwrap()
    }

    #[test]
    fn a_chain_goes_back_to_the_first_and_on_to_the_latest() {
        let b = bank(vec![question("a", Category::Security, Stage::Storage)]);
        let mut first = Session::new("s1".into(), "Q1".into(), &b, t(0));
        first.set_answer("a", Some(Answer::AdHoc), t(1));
        let mut second = start_from(&first, &b, "s2".into(), "Q2".into(), t(90));
        second.set_answer("a", Some(Answer::Implemented), t(91));
        let third = start_from(&second, &b, "s3".into(), "Q3".into(), t(180));
        let abandoned = start_from(&second, &b, "s3x".into(), "Q3 try".into(), t(170));
        let other = Session::new("x".into(), "Other".into(), &b, t(5));
        let all = vec![other, third, first, abandoned, second];
        for from in ["s1", "s2", "s3"] {
            let c = chain(&all, from).unwrap();
            let ids: Vec<&str> = c.sessions.iter().map(|s| s.id.as_str()).collect();
            assert_eq!(ids, ["s1", "s2", "s3"], "from {from}");
            assert!(c.missing.is_none());
            let branches: Vec<(&str, Vec<&str>)> = c
                .branches
                .iter()
                .map(|(at, kids)| (*at, kids.iter().map(|s| s.id.as_str()).collect()))
                .collect();
            assert_eq!(branches, [("s2", vec!["s3x"])]);
        }
        assert!(chain(&all, "nope").is_none());
        let lonely = chain(&all, "x").unwrap();
        assert_eq!(lonely.sessions.len(), 1);

        let c = chain(&all, "s3").unwrap();
        let tr = trend(&b, &c.sessions);
        let overall: Vec<Option<u32>> = tr
            .points
            .iter()
            .map(|p| p.overall.map(scoring::shown_points))
            .collect();
        assert_eq!(overall, [Some(25), Some(75), Some(75)]);
        assert_eq!(tr.points[2].unconfirmed, 1);
        assert!(tr.categories.contains(&Category::Security));
        assert!(!tr.content_changed);
    }

    #[test]
    fn a_deleted_link_is_named_and_a_circle_ends() {
        let b = bank(vec![question("a", Category::Security, Stage::Storage)]);
        let first = Session::new("s1".into(), "Q1".into(), &b, t(0));
        let mut second = start_from(&first, &b, "s2".into(), "Q2".into(), t(90));
        let c = chain(std::slice::from_ref(&second), "s2").unwrap();
        assert_eq!(c.sessions.len(), 1);
        assert_eq!(c.missing.map(|m| m.id.as_str()), Some("s1"));
        // Two sessions each claiming to start from the other.
        let mut first = first;
        first.started_from = Some(StartedFrom {
            id: "s2".into(),
            name: "Q2".into(),
            updated: t(90),
        });
        second.started_from = Some(StartedFrom {
            id: "s1".into(),
            name: "Q1".into(),
            updated: t(0),
        });
        let all = vec![first, second];
        let c = chain(&all, "s2").unwrap();
        assert_eq!(c.sessions.len(), 2);
    }
}
