//! Re-scoring after a change to a few questions' records, without scoring the whole session
//! again. A [`Tally`] keeps, for every section of the results, how each of its questions counts
//! there; a change counts that question's sections again, rebuilds their categories from their
//! sections' totals, lists the question again and rebuilds the overall figures from the category
//! results. Everything it adds up is an integer, so the outcome is exactly what a full
//! [`score`](super::score) gives (a property test checks it after any sequence of changes).

use super::{
    Completion, Disagreement, FollowUp, Gap, Results, Totals, listed, listed_completion,
    overall_score, overall_verdict, score_with,
};
use crate::domain::questionnaire::{Question, QuestionBank};
use crate::domain::scale::Answer;
use crate::domain::session::Session;
use foldhash::{HashMap, HashMapExt};
use std::cmp::Reverse;
use std::collections::BTreeMap;

/// Above this many changed questions, scoring everything again is cheaper than re-scoring each.
const MAX_INCREMENTAL: usize = 16;

/// What re-scoring a session after a change to some questions' records needs: how every
/// question counts in each section of the results, and where each question is listed. It
/// stays valid while only records change; a change of scope, scoping answers or target needs
/// a new one ([`Tally::score`]).
#[derive(Debug, Clone)]
pub struct Tally<'b> {
    /// The scoping answers the session was scored with, defaults filled in.
    pub(super) scoping: BTreeMap<String, bool>,
    /// Per category of the results, per section, in the same order.
    pub(super) sections: Vec<Vec<SectionTally<'b>>>,
    /// Per question id: where the question is listed and where it counts.
    places: HashMap<&'b str, Place<'b>>,
}

/// One section's questions as they count there, and their totals.
#[derive(Debug, Clone)]
pub(super) struct SectionTally<'b> {
    pub(super) members: Vec<Counted<'b>>,
    pub(super) totals: Totals,
}

/// A question as it counts in one section.
#[derive(Debug, Clone, Copy)]
pub(super) struct Counted<'b> {
    pub(super) question: &'b Question,
    /// Whether it applies in the section's category.
    pub(super) applies: bool,
    pub(super) answer: Option<Answer>,
}

/// Where a question is listed and where it counts.
#[derive(Debug, Clone)]
struct Place<'b> {
    question: &'b Question,
    /// Its position in [`Results::questions`].
    listed: usize,
    /// Whether it applies in the category whose questionnaire it is written in.
    applies: bool,
    /// The sections it counts in: category (in the results), section and member positions.
    counts: Vec<(usize, usize, usize)>,
}

impl<'b> Tally<'b> {
    /// Scores a session, keeping what re-scoring it needs.
    pub fn score(bank: &'b QuestionBank, session: &Session) -> (Results<'b>, Tally<'b>) {
        let mut tally = Tally {
            scoping: BTreeMap::new(),
            sections: Vec::new(),
            places: HashMap::with_capacity(bank.questions().size_hint().0),
        };
        let results = score_with(bank, session, Some(&mut tally));
        (results, tally)
    }

    /// Notes where a question is listed, and whether it applies where it is written.
    pub(super) fn list(&mut self, question: &'b Question, listed: usize, applies: bool) {
        let place = self.place_of(question);
        place.listed = listed;
        place.applies = applies;
    }

    /// Notes that a question counts in a section: its category's position in the results, the
    /// section's and its own.
    pub(super) fn place(
        &mut self,
        question: &'b Question,
        category: usize,
        section: usize,
        at: usize,
    ) {
        self.place_of(question).counts.push((category, section, at));
    }

    fn place_of(&mut self, question: &'b Question) -> &mut Place<'b> {
        self.places.entry(&question.id).or_insert_with(|| Place {
            question,
            listed: usize::MAX,
            applies: false,
            counts: Vec::new(),
        })
    }

    /// Brings `results` (scored with this tally) up to date after the records of `questions`
    /// changed in `session`, and nothing else scoring reads (scope, scoping answers, target).
    /// Many questions, or a record of a question the bank does not have, are scored again in
    /// full.
    pub fn rescore(
        &mut self,
        bank: &'b QuestionBank,
        session: &Session,
        results: &mut Results<'b>,
        questions: &[&str],
    ) {
        let known = questions.iter().all(|id| self.places.contains_key(*id));
        if !known || questions.len() > MAX_INCREMENTAL {
            // Only a full scoring finds which records belong to no question.
            (*results, *self) = Tally::score(bank, session);
            return;
        }
        for id in questions {
            self.rescore_one(bank, session, results, id);
        }
    }

    /// Re-scores one question of the bank whose record changed.
    fn rescore_one(
        &mut self,
        bank: &'b QuestionBank,
        session: &Session,
        results: &mut Results<'b>,
        id: &str,
    ) {
        let Tally {
            scoping,
            sections,
            places,
        } = self;
        let Some(place) = places.get(id) else { return };
        let thresholds = &bank.profile.thresholds;
        let record = session.records.get(id);
        let answer = record.and_then(|r| r.answer);

        // Its sections, counted again, then their categories from their sections' totals.
        let mut categories: Vec<usize> = Vec::with_capacity(2);
        for &(c, s, m) in &place.counts {
            let Some(section) = sections.get_mut(c).and_then(|category| category.get_mut(s)) else {
                continue;
            };
            if let Some(member) = section.members.get_mut(m) {
                member.answer = answer;
            }
            let mut totals = Totals::default();
            for member in &section.members {
                totals.count(member.question, member.applies, member.answer, thresholds);
            }
            section.totals = totals;
            if let Some(result) = results
                .categories
                .get_mut(c)
                .and_then(|category| category.sections.get_mut(s))
            {
                result.score = totals.sum.score();
                result.completion = totals.completion;
            }
            if !categories.contains(&c) {
                categories.push(c);
            }
        }
        for c in categories {
            let (Some(tallied), Some(result)) = (sections.get(c), results.categories.get_mut(c))
            else {
                continue;
            };
            let mut totals = Totals::default();
            for section in tallied {
                totals.merge(section.totals);
            }
            let parts = std::mem::take(&mut result.sections);
            *result = totals.category(result.category, result.ladder, parts, thresholds);
        }

        // Where it is listed, and what the whole session adds up to.
        let listing = listed(
            place.question,
            place.applies,
            record,
            session,
            scoping,
            thresholds,
            results.target_level,
        );
        if let Some(entry) = results.questions.get_mut(place.listed) {
            let before = std::mem::replace(entry, listing.score);
            results.completion.remove(listed_completion(before.status));
            results.completion.add(listed_completion(entry.status));
        }
        (results.overall, results.overall_basis) = overall_score(&results.categories);
        (results.verdict, results.pending) = overall_verdict(&results.categories);

        // Its entries in the lists, taken out and put back where a full scoring puts them:
        // follow-ups and disagreements in listing order, gaps ranked with ties in listing order.
        let order = |question: &str| places.get(question).map_or(usize::MAX, |p| p.listed);
        let question_id = place.question.id.as_str();
        replace(
            &mut results.gaps,
            question_id,
            listing.gap,
            |g: &Gap<'_>| (!g.critical, Reverse(g.priority()), order(g.question_id)),
        );
        replace(
            &mut results.follow_ups,
            question_id,
            listing.follow_up,
            |f: &FollowUp<'_>| order(f.question_id),
        );
        replace(
            &mut results.disagreements,
            question_id,
            listing.disagreement,
            |d: &Disagreement<'_>| order(d.question_id),
        );
    }
}

/// An entry of a list that names its question.
trait Entry {
    fn question_id(&self) -> &str;
}

impl Entry for Gap<'_> {
    fn question_id(&self) -> &str {
        self.question_id
    }
}

impl Entry for FollowUp<'_> {
    fn question_id(&self) -> &str {
        self.question_id
    }
}

impl Entry for Disagreement<'_> {
    fn question_id(&self) -> &str {
        self.question_id
    }
}

/// Takes a question's entry out of a list sorted by `key` and puts its new one, if any, in
/// its place in that order.
fn replace<T: Entry, K: Ord>(
    list: &mut Vec<T>,
    question_id: &str,
    entry: Option<T>,
    key: impl Fn(&T) -> K,
) {
    if let Some(old) = list.iter().position(|e| e.question_id() == question_id) {
        list.remove(old);
    }
    if let Some(entry) = entry {
        let new = key(&entry);
        let at = list.partition_point(|e| key(e) < new);
        list.insert(at, entry);
    }
}

impl Completion {
    /// Takes out what [`Completion::add`] put in.
    fn remove(&mut self, other: Completion) {
        self.answered = self.answered.saturating_sub(other.answered);
        self.applicable = self.applicable.saturating_sub(other.applicable);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::framework::{Category, Stage};
    use crate::domain::questionnaire::Condition;
    use crate::domain::scoring::{AI_RISK_IN_COMMITMENTS, score};
    use crate::domain::session::tests::{bank, question};
    use crate::domain::session::{QuestionRecord, Target};
    use jiff::Timestamp;
    use proptest::prelude::*;

    const VOTERS: [&str; 3] = ["Ana", "Ben", "Chi"];

    /// A question: category, stage, weight, critical, asked only of generative systems, and
    /// the categories it is shared with (a bit per category of `Category::ALL`).
    type Spec = (usize, usize, u8, bool, bool, u8);

    /// One change to a session, by question number.
    #[derive(Debug, Clone)]
    enum Change {
        /// An agreed answer (an index into `Answer::ALL`), or none.
        Answer(usize, Option<usize>),
        /// A participant's vote, or its withdrawal.
        Vote(usize, usize, Option<usize>),
        /// Flagged to discuss later, or not.
        Flag(usize, bool),
        /// Resolved in the parking lot, or open again.
        Resolve(usize, bool),
        /// Notes written, or cleared (a record may appear or go with them).
        Notes(usize, bool),
        /// A record put back as it was some changes ago, as undo and redo do.
        Restore(usize),
        /// An answer recorded for a question the bank does not have, or taken away.
        Orphan(bool),
    }

    /// Questions, their first answers, the optional categories in scope (a bit each), whether
    /// the system is generative, whether AI risk is in the commitments, the target, and the
    /// changes.
    type Case = (Vec<Spec>, Vec<usize>, u8, bool, bool, bool, Vec<Change>);

    fn id(i: usize) -> String {
        format!("q{i:02}")
    }

    fn change(n: usize) -> impl Strategy<Value = Change> {
        let answer = prop::option::of(0..Answer::ALL.len());
        prop_oneof![
            4 => (0..n, answer.clone()).prop_map(|(q, a)| Change::Answer(q, a)),
            3 => (0..n, 0..VOTERS.len(), answer).prop_map(|(q, v, a)| Change::Vote(q, v, a)),
            1 => (0..n, any::<bool>()).prop_map(|(q, f)| Change::Flag(q, f)),
            1 => (0..n, any::<bool>()).prop_map(|(q, r)| Change::Resolve(q, r)),
            1 => (0..n, any::<bool>()).prop_map(|(q, t)| Change::Notes(q, t)),
            2 => any::<usize>().prop_map(Change::Restore),
            1 => any::<bool>().prop_map(Change::Orphan),
        ]
    }

    fn case() -> impl Strategy<Value = Case> {
        prop::collection::vec(
            (
                0..Category::ALL.len(),
                0..Stage::ALL.len(),
                1..=3u8,
                any::<bool>(),
                any::<bool>(),
                any::<u8>(),
            ),
            1..30,
        )
        .prop_flat_map(|qs| {
            let n = qs.len();
            (
                Just(qs),
                prop::collection::vec(0..=Answer::ALL.len(), n),
                any::<u8>(),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                prop::collection::vec(change(n), 1..40),
            )
        })
    }

    fn build(
        (qs, answers, scope, generative, commitments, type2, _): &Case,
    ) -> (QuestionBank, Session) {
        let questions = qs
            .iter()
            .enumerate()
            .map(|(i, (c, st, w, critical, gen_only, shared))| {
                let category = Category::ALL[*c];
                let mut q = question(&id(i), category, Stage::ALL[*st]);
                q.weight = *w;
                q.critical = *critical;
                if *gen_only {
                    q.applies_if = Condition::Yes("generative".into());
                }
                q.also_in = Category::ALL
                    .into_iter()
                    .enumerate()
                    .filter(|(k, other)| shared & (1 << k) != 0 && *other != category)
                    .map(|(_, other)| other)
                    .collect();
                q
            })
            .collect();
        let b = bank(questions);
        let mut s = Session::new("s".into(), "S".into(), &b, Timestamp::UNIX_EPOCH);
        s.categories = Category::ALL
            .into_iter()
            .enumerate()
            .filter(|(k, c)| c.always_in_scope() || scope & (1 << k) != 0)
            .map(|(_, c)| c)
            .collect();
        s.scoping.insert("generative".into(), *generative);
        s.scoping
            .insert(AI_RISK_IN_COMMITMENTS.into(), *commitments);
        s.target = if *type2 { Target::Type2 } else { Target::Type1 };
        for (i, a) in answers.iter().enumerate() {
            if let Some(answer) = Answer::ALL.get(*a) {
                s.set_answer(&id(i), Some(*answer), Timestamp::UNIX_EPOCH);
            }
        }
        (b, s)
    }

    /// Applies a change, as the app does, and returns the question whose record it touched;
    /// `past` keeps every record as it was before a change, for [`Change::Restore`].
    fn apply(
        s: &mut Session,
        change: &Change,
        past: &mut Vec<(String, Option<QuestionRecord>)>,
    ) -> String {
        let t = Timestamp::UNIX_EPOCH;
        let question = match change {
            Change::Answer(q, _)
            | Change::Vote(q, _, _)
            | Change::Flag(q, _)
            | Change::Resolve(q, _)
            | Change::Notes(q, _) => id(*q),
            Change::Restore(k) if !past.is_empty() => past[k % past.len()].0.clone(),
            Change::Restore(_) | Change::Orphan(_) => "retired-01".to_string(),
        };
        past.push((question.clone(), s.record(&question).cloned()));
        match change {
            Change::Answer(_, a) => {
                s.set_answer(&question, a.and_then(|a| Answer::ALL.get(a).copied()), t);
            }
            Change::Vote(_, voter, a) => {
                let vote = a.and_then(|a| Answer::ALL.get(a).copied());
                s.record_vote(&question, VOTERS[*voter], vote, t);
            }
            Change::Flag(_, flagged) => s.record_mut(&question).discuss_later = *flagged,
            Change::Resolve(_, resolved) => s.record_mut(&question).resolved = *resolved,
            Change::Notes(_, written) => {
                s.record_mut(&question).notes = if *written {
                    "A note.".into()
                } else {
                    String::new()
                };
                if s.record(&question).is_some_and(QuestionRecord::is_empty) {
                    s.records.remove(&question);
                }
            }
            Change::Restore(k) => {
                if let Some((_, record)) = past.get(k % past.len()).cloned() {
                    match record {
                        Some(record) => {
                            s.records.insert(question.clone(), record);
                        }
                        None => {
                            s.records.remove(&question);
                        }
                    }
                }
            }
            Change::Orphan(recorded) => {
                let answer = recorded.then_some(Answer::Implemented);
                s.set_answer(&question, answer, t);
            }
        }
        question
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn rescoring_the_changed_question_equals_scoring_everything(case in case()) {
            let (b, mut s) = build(&case);
            let (mut results, mut tally) = Tally::score(&b, &s);
            prop_assert_eq!(&results, &score(&b, &s));
            let mut past = Vec::new();
            for change in &case.6 {
                let question = apply(&mut s, change, &mut past);
                tally.rescore(&b, &s, &mut results, &[question.as_str()]);
                prop_assert_eq!(&results, &score(&b, &s), "after {:?}", change);
            }
        }
    }

    #[test]
    fn every_category_is_rescored_and_many_changes_are_scored_again_in_full() {
        // Two questions per category at two stages, one of them critical, one shared with the
        // next category; every category in scope, AI risk on the SOC 2 ladder.
        let qs: Vec<Spec> = (0..Category::ALL.len())
            .flat_map(|c| {
                let next = 1 << ((c + 1) % Category::ALL.len());
                [
                    (c, 0, 2, true, false, next),
                    (c, 3, 1, false, c % 2 == 0, 0),
                ]
            })
            .collect();
        let case: Case = (qs, vec![7; 12], 0xff, true, true, true, Vec::new());
        let (b, mut s) = build(&case);
        let (mut results, mut tally) = Tally::score(&b, &s);
        assert_eq!(results.categories.len(), 6);
        let mut past = Vec::new();
        for (i, level) in (0..12).zip([4, 3, 4, 0, 6, 5, 2, 4, 1, 4, 3, 4].into_iter().cycle()) {
            let question = apply(&mut s, &Change::Answer(i, Some(level)), &mut past);
            tally.rescore(&b, &s, &mut results, &[question.as_str()]);
            assert_eq!(results, score(&b, &s), "after q{i:02}");
        }
        // Every category now has a score, each moved by its own answers.
        assert!(results.categories.iter().all(|c| c.score.is_some()));
        // Undo everything at once: more questions than re-scoring one by one is worth.
        let all: Vec<String> = (0..12).map(id).collect();
        for question in &all {
            s.records.remove(question);
        }
        let ids: Vec<&str> = all.iter().map(String::as_str).collect();
        tally.rescore(&b, &s, &mut results, &ids);
        assert_eq!(results, score(&b, &s));
        assert_eq!(results.completion.answered, 0);
    }
}
