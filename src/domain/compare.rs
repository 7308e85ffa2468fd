//! What moved between two assessments of one system: scores and verdicts before and after,
//! gaps closed, new and regressed, actions done and overdue, and every change of method (other
//! questions, a changed question, another target, answers only carried over) that could be
//! mistaken for progress.
//!
//! Both sessions are scored against the same question bank, so that a difference in score is a
//! difference in answers; which questions each session's own content asked is read from the
//! question digests the sessions keep.

use super::framework::{Category, Stage};
use super::questionnaire::{QuestionBank, QuestionnaireVersion};
use super::reassess::{bank_digests, digests_of};
use super::scale::Answer;
use super::scoring::{self, CategoryResult, Completion, Pending, QuestionStatus, Results, Verdict};
use super::session::{ActionStatus, Carried, FollowUp, QuestionRecord, Session, Target};
use foldhash::HashMap;
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::BTreeMap;

/// One of the two sessions compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// When it was created.
    pub created: Timestamp,
    /// When it last changed.
    pub updated: Timestamp,
    /// Its target.
    pub target: Target,
    /// The questionnaires it was started with.
    pub questionnaires: Vec<QuestionnaireVersion>,
    /// The hash of that content.
    pub content_hash: String,
}

impl Side {
    fn of(session: &Session) -> Side {
        Side {
            id: session.id.clone(),
            name: session.name.clone(),
            created: session.created,
            updated: session.updated,
            target: session.target,
            questionnaires: session.questionnaires.clone(),
            content_hash: session.content_hash.clone(),
        }
    }
}

/// A score with its verdict at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standing {
    /// The score, 0-100; None while nothing is scored.
    pub score: Option<f64>,
    /// The verdict.
    pub verdict: Verdict,
    /// What the open questions leave to decide.
    pub pending: Option<Pending>,
    /// Answered and applicable questions.
    pub completion: Completion,
}

impl Standing {
    fn overall(results: &Results) -> Standing {
        Standing {
            score: results.overall,
            verdict: results.verdict,
            pending: results.pending,
            completion: results.completion,
        }
    }

    fn category(result: &CategoryResult) -> Standing {
        Standing {
            score: result.score,
            verdict: result.verdict,
            pending: result.pending,
            completion: result.completion,
        }
    }

    /// The verdict with what is left to decide.
    pub fn verdict_text(&self) -> String {
        scoring::verdict_text(self.verdict, self.pending.as_ref())
    }
}

/// The whole points between two scores as they are shown (whole points, rounded down), so
/// that a delta always matches the two numbers beside it.
pub fn score_delta(before: Option<f64>, after: Option<f64>) -> Option<i64> {
    let shown = |s: f64| i64::from(scoring::shown_points(s));
    Some(shown(after?) - shown(before?))
}

/// A score and verdict before and after; a side is None where the category was not assessed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreChange {
    /// In the baseline.
    pub before: Option<Standing>,
    /// In the current session.
    pub after: Option<Standing>,
}

impl ScoreChange {
    /// The signed change in shown points, when both sides have a score.
    pub fn delta(&self) -> Option<i64> {
        score_delta(self.before?.score, self.after?.score)
    }

    /// Whether the verdict differs.
    pub fn verdict_changed(&self) -> bool {
        self.before.map(|s| s.verdict) != self.after.map(|s| s.verdict)
    }
}

/// One category before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryChange {
    /// The category.
    pub category: Category,
    /// Score and verdict before and after.
    pub change: ScoreChange,
    /// Some answered question of the category was added, changed or removed between the two
    /// sessions' contents: part of the delta may come from the method, not the answers.
    pub method_changed: bool,
    /// Answers of the category only carried over, not confirmed.
    pub carried: usize,
}

/// One section (category x stage) before and after.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageChange {
    /// The category.
    pub category: Category,
    /// The stage.
    pub stage: Stage,
    /// The score before.
    pub before: Option<f64>,
    /// The score after.
    pub after: Option<f64>,
}

impl StageChange {
    /// The signed change in shown points, when both sides have a score.
    pub fn delta(&self) -> Option<i64> {
        score_delta(self.before, self.after)
    }
}

/// How one question moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Movement {
    /// Was a gap, now at or above the target.
    Closed,
    /// A gap now, and not a regression: newly answered below the target, newly assessed, or
    /// short of a higher target.
    NewGap,
    /// Its level went down.
    Regressed,
    /// Its level went up (still a gap, or above the target before as well).
    Improved,
    /// Open or not assessed before, answered now at or above the target (or N/A).
    Answered,
    /// Answered before, open now.
    Reopened,
    /// Another change: N/A, or in or out of scope.
    Changed,
    /// The same as before.
    Unchanged,
}

impl Movement {
    /// How people read it.
    pub fn title(self) -> &'static str {
        match self {
            Movement::Closed => "gap closed",
            Movement::NewGap => "new gap",
            Movement::Regressed => "regressed",
            Movement::Improved => "improved",
            Movement::Answered => "answered",
            Movement::Reopened => "open again",
            Movement::Changed => "changed",
            Movement::Unchanged => "unchanged",
        }
    }
}

/// How a question differs between the contents the two sessions were started with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BankChange {
    /// The baseline's content did not have it.
    Added,
    /// Its text, weight or critical flag changed.
    Changed,
}

impl BankChange {
    /// How people read it.
    pub fn title(self) -> &'static str {
        match self {
            BankChange::Added => "question added since the baseline",
            BankChange::Changed => "question changed since the baseline",
        }
    }
}

/// One question of the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionChange<'b> {
    /// Question id.
    pub id: &'b str,
    /// Its category (where the current session lists it).
    pub category: Category,
    /// Its stage.
    pub stage: Stage,
    /// The question.
    pub prompt: &'b str,
    /// Whether it is critical.
    pub critical: bool,
    /// Where it stood in the baseline.
    pub before: QuestionStatus,
    /// Where it stands now.
    pub after: QuestionStatus,
    /// The baseline's answer.
    pub answer_before: Option<Answer>,
    /// The current answer.
    pub answer_after: Option<Answer>,
    /// Is it a gap in the baseline (below its target)?
    pub gap_before: bool,
    /// Is it a gap now?
    pub gap_after: bool,
    /// How it moved.
    pub movement: Movement,
    /// The current answer is only carried over, not confirmed.
    pub carried: Option<Carried>,
    /// How the question differs between the two contents.
    pub bank: Option<BankChange>,
}

/// A question the baseline's content asked and the current session's does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedQuestion {
    /// Its id.
    pub id: String,
    /// The baseline's answer to it.
    pub answer: Option<Answer>,
}

/// Where a follow-up action of the current session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActionState {
    /// Past its due date and still expected.
    Overdue,
    /// Open or in progress, not overdue.
    Open,
    /// Done.
    Done,
    /// Decided against.
    WontDo,
}

impl ActionState {
    /// Where an action stands on a day.
    pub fn of(action: &FollowUp, today: Date) -> ActionState {
        match action.status {
            ActionStatus::Done => ActionState::Done,
            ActionStatus::WontDo(_) => ActionState::WontDo,
            _ if action.is_overdue(today) => ActionState::Overdue,
            _ => ActionState::Open,
        }
    }

    /// How people read it.
    pub fn title(self) -> &'static str {
        match self {
            ActionState::Overdue => "overdue",
            ActionState::Open => "still open",
            ActionState::Done => "done",
            ActionState::WontDo => "won't do",
        }
    }
}

/// A follow-up action of the current session, with its status in the baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionChange {
    /// The question it belongs to.
    pub question: String,
    /// The action now.
    pub action: FollowUp,
    /// Its status in the baseline, if the baseline had an action on the question.
    pub before: Option<ActionStatus>,
    /// Where it stands today.
    pub state: ActionState,
}

/// What changed in the way the two sessions were assessed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MethodChange {
    /// The targets, when they differ: gaps are measured against each session's own.
    pub target: Option<(Target, Target)>,
    /// The two sessions were started with different content.
    pub content_changed: bool,
    /// Which questions were added, changed or removed is known (both sessions kept their
    /// question digests, or were started with the content used now).
    pub questions_known: bool,
    /// Questions the current content has and the baseline's did not.
    pub added: usize,
    /// Questions whose text, weight or critical flag changed.
    pub changed: usize,
    /// Questions the baseline's content had and the current one does not.
    pub removed: usize,
    /// Current answers only carried over, not confirmed.
    pub carried: usize,
}

impl MethodChange {
    /// Whether nothing about the method differs.
    pub fn is_none(&self) -> bool {
        self.target.is_none()
            && !self.content_changed
            && self.added + self.changed + self.removed + self.carried == 0
    }
}

/// Everything that moved between a baseline and a current session.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison<'b> {
    /// The earlier session.
    pub baseline: Side,
    /// The later session.
    pub current: Side,
    /// The current session was started from the baseline.
    pub linked: bool,
    /// Overall score and verdict.
    pub overall: ScoreChange,
    /// Every category assessed in either session, in the usual order.
    pub categories: Vec<CategoryChange>,
    /// Every section scored in either session.
    pub stages: Vec<StageChange>,
    /// Every question that moved or carries a flag, in questionnaire order.
    pub questions: Vec<QuestionChange<'b>>,
    /// Questions only the baseline's content had.
    pub removed: Vec<RemovedQuestion>,
    /// The current session's follow-up actions: overdue, open, done, won't do.
    pub actions: Vec<ActionChange>,
    /// What differs in the method.
    pub method: MethodChange,
}

impl<'b> Comparison<'b> {
    /// The questions that moved in one way.
    pub fn moved(&self, movement: Movement) -> impl Iterator<Item = &QuestionChange<'b>> {
        self.questions
            .iter()
            .filter(move |q| q.movement == movement)
    }

    /// The actions in one state.
    pub fn actions_in(&self, state: ActionState) -> impl Iterator<Item = &ActionChange> {
        self.actions.iter().filter(move |a| a.state == state)
    }

    /// The change of one category.
    pub fn category(&self, category: Category) -> Option<&CategoryChange> {
        self.categories.iter().find(|c| c.category == category)
    }

    /// Whether nothing moved: every score, verdict and answer as before.
    pub fn is_unchanged(&self) -> bool {
        let same = |c: &ScoreChange| c.delta().unwrap_or(0) == 0 && !c.verdict_changed();
        same(&self.overall)
            && self.categories.iter().all(|c| same(&c.change))
            && self.stages.iter().all(|s| s.delta().unwrap_or(0) == 0)
            && self
                .questions
                .iter()
                .all(|q| q.movement == Movement::Unchanged)
    }
}

/// Compares two sessions, scoring both against `bank`; `today` decides which actions are
/// overdue.
pub fn compare<'b>(
    bank: &'b QuestionBank,
    baseline: &Session,
    current: &Session,
    today: Date,
) -> Comparison<'b> {
    let before = scoring::score(bank, baseline);
    let after = scoring::score(bank, current);
    compare_scored(bank, (baseline, &before), (current, &after), today)
}

/// [`compare`] with both sessions already scored against `bank`.
pub fn compare_scored<'b, 's>(
    bank: &'b QuestionBank,
    (baseline, before): (&'s Session, &Results<'b>),
    (current, after): (&'s Session, &Results<'b>),
    today: Date,
) -> Comparison<'b> {
    // The bank's own digests stand in for a session that kept none but was started with it.
    let fallback = if baseline.question_digests.is_empty() || current.question_digests.is_empty() {
        bank_digests(bank)
    } else {
        BTreeMap::new()
    };
    let digests = digests_of(baseline, bank, &fallback).zip(digests_of(current, bank, &fallback));
    // Hash maps: every question is looked up in each of these once, and string-keyed tree
    // lookups cost most of a large comparison.
    let digest_maps = digests.map(|(then, now)| (hashed(then), hashed(now)));
    let bank_change = |id: &str| -> Option<BankChange> {
        let (then, now) = digest_maps.as_ref()?;
        match (then.get(id), now.get(id)) {
            (None, Some(_)) => Some(BankChange::Added),
            (Some(a), Some(b)) if a != b => Some(BankChange::Changed),
            _ => None,
        }
    };

    // A hash map: large banks look every question up once.
    let prompts: HashMap<&str, &'b str> = bank
        .questions()
        .map(|q| (q.id.as_str(), q.prompt.as_str()))
        .collect();
    let records = |s: &'s Session| -> HashMap<&'s str, &'s QuestionRecord> {
        s.records.iter().map(|(id, r)| (id.as_str(), r)).collect()
    };
    let (records_before, records_after) = (records(baseline), records(current));
    let (target_before, target_after) = (before.target_level, after.target_level);
    let mut questions = Vec::new();
    let mut method_categories: Vec<Category> = Vec::new();
    let mut carried_per_category: BTreeMap<Category, usize> = BTreeMap::new();
    // Scored against one bank, both lists hold the same questions in the same order.
    for (b, a) in before.questions.iter().zip(&after.questions) {
        debug_assert_eq!(b.id, a.id);
        if b.status == QuestionStatus::Hidden && a.status == QuestionStatus::Hidden {
            continue;
        }
        let record_before = records_before.get(b.id).copied();
        let record_after = records_after.get(a.id).copied();
        let answer_before = record_before.and_then(|r| r.answer);
        let answer_after = record_after.and_then(|r| r.answer);
        let carried = record_after.and_then(|r| r.unconfirmed());
        let bank = bank_change(a.id);
        let gap_before = is_gap(b.status, target_before);
        let gap_after = is_gap(a.status, target_after);
        let movement = movement(b.status, a.status, gap_before, gap_after);
        if bank.is_some() && (answer_before.is_some() || answer_after.is_some()) {
            method_categories.push(a.category);
        }
        if carried.is_some() {
            *carried_per_category.entry(a.category).or_default() += 1;
        }
        if movement == Movement::Unchanged && carried.is_none() && bank.is_none() {
            continue;
        }
        questions.push(QuestionChange {
            id: a.id,
            category: a.category,
            stage: a.stage,
            prompt: prompts.get(a.id).copied().unwrap_or_default(),
            critical: a.critical,
            before: b.status,
            after: a.status,
            answer_before,
            answer_after,
            gap_before,
            gap_after,
            movement,
            carried,
            bank,
        });
    }

    let removed: Vec<RemovedQuestion> = match (digests, &digest_maps) {
        (Some((then, _)), Some((_, now))) => then
            .keys()
            .filter(|id| !now.contains_key(id.as_str()))
            .map(|id| RemovedQuestion {
                id: id.clone(),
                answer: records_before.get(id.as_str()).and_then(|r| r.answer),
            })
            .collect(),
        _ => Vec::new(),
    };
    let categories: Vec<CategoryChange> = Category::ALL
        .iter()
        .filter_map(|category| {
            let b = before.category(*category).map(Standing::category);
            let a = after.category(*category).map(Standing::category);
            (b.is_some() || a.is_some()).then(|| CategoryChange {
                category: *category,
                change: ScoreChange {
                    before: b,
                    after: a,
                },
                method_changed: method_categories.contains(category),
                carried: carried_per_category.get(category).copied().unwrap_or(0),
            })
        })
        .collect();
    let mut stages = Vec::new();
    for category in Category::ALL {
        for stage in Stage::ALL {
            let b = before.section(category, stage);
            let a = after.section(category, stage);
            if b.is_some() || a.is_some() {
                stages.push(StageChange {
                    category,
                    stage,
                    before: b.and_then(|s| s.score),
                    after: a.and_then(|s| s.score),
                });
            }
        }
    }

    let mut actions: Vec<ActionChange> = current
        .records
        .iter()
        .filter(|(_, r)| !r.action.is_empty())
        .map(|(id, r)| ActionChange {
            question: id.clone(),
            action: r.action.clone(),
            before: records_before
                .get(id.as_str())
                .filter(|b| !b.action.is_empty())
                .map(|b| b.action.status.clone()),
            state: ActionState::of(&r.action, today),
        })
        .collect();
    actions.sort_by(|x, y| {
        (x.state, x.action.due.is_none(), x.action.due, &x.question).cmp(&(
            y.state,
            y.action.due.is_none(),
            y.action.due,
            &y.question,
        ))
    });

    let method = MethodChange {
        target: (baseline.target != current.target).then_some((baseline.target, current.target)),
        content_changed: baseline.content_hash != current.content_hash,
        questions_known: digests.is_some(),
        added: questions
            .iter()
            .filter(|q| q.bank == Some(BankChange::Added))
            .count(),
        changed: questions
            .iter()
            .filter(|q| q.bank == Some(BankChange::Changed))
            .count(),
        removed: removed.len(),
        carried: questions.iter().filter(|q| q.carried.is_some()).count(),
    };

    Comparison {
        baseline: Side::of(baseline),
        current: Side::of(current),
        linked: current
            .started_from
            .as_ref()
            .is_some_and(|from| from.id == baseline.id),
        overall: ScoreChange {
            before: Some(Standing::overall(before)),
            after: Some(Standing::overall(after)),
        },
        categories,
        stages,
        questions,
        removed,
        actions,
        method,
    }
}

/// Digests by question id in a hash map.
fn hashed(digests: &BTreeMap<String, String>) -> HashMap<&str, &str> {
    digests
        .iter()
        .map(|(id, d)| (id.as_str(), d.as_str()))
        .collect()
}

/// Whether a question's status is a gap against a target level.
fn is_gap(status: QuestionStatus, target_level: u8) -> bool {
    matches!(status, QuestionStatus::Scored { level, .. } if level < target_level)
}

/// How a question moved from one status to another, given whether each is a gap.
fn movement(
    before: QuestionStatus,
    after: QuestionStatus,
    gap_before: bool,
    gap_after: bool,
) -> Movement {
    let level = |s: QuestionStatus| match s {
        QuestionStatus::Scored { level, .. } => Some(level),
        _ => None,
    };
    match (level(before), level(after)) {
        (Some(b), Some(a)) if a < b => Movement::Regressed,
        (Some(_), Some(_)) if gap_before && !gap_after => Movement::Closed,
        (Some(b), Some(a)) if a > b => Movement::Improved,
        // The same level, short of a higher target now.
        (Some(_), Some(_)) if gap_after && !gap_before => Movement::NewGap,
        (Some(_), Some(_)) if before == after => Movement::Unchanged,
        // The same level, once Unknown and now known (or the reverse).
        (Some(_), Some(_)) => Movement::Changed,
        (None, Some(_)) if gap_after => Movement::NewGap,
        (None, Some(_)) if before == QuestionStatus::Open => Movement::Answered,
        (None, Some(_)) => Movement::Changed,
        (Some(_), None) if after == QuestionStatus::Open => Movement::Reopened,
        (Some(_), None) => Movement::Changed,
        (None, None) => match (before, after) {
            _ if before == after => Movement::Unchanged,
            (QuestionStatus::NotApplicable, QuestionStatus::Open) => Movement::Reopened,
            (QuestionStatus::Open, QuestionStatus::NotApplicable) => Movement::Answered,
            _ => Movement::Changed,
        },
    }
}

#[cfg(test)]
mod tests;
