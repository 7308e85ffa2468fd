//! Scores, verdicts, gaps and follow-ups of a session, computed from its answers and the
//! thresholds in the content.
//!
//! A question scores `level x points_per_level` (Unknown counts as level 0); N/A and unanswered
//! questions are left out, and so are questions the scoping profile hides. Sections and
//! categories are weighted means; the overall score is the plain mean of the category scores so
//! that a small category is not drowned by a large one.

use super::framework::{Category, Stage};
use super::questionnaire::{Question, QuestionBank, Thresholds, VerdictRule};
use super::scale::Answer;
use super::session::{QuestionRecord, Session, Target};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

mod tally;

pub use tally::Tally;
use tally::{Counted, SectionTally};

/// The vote spread from which a question counts as a disagreement.
pub const DISAGREEMENT_SPREAD: u8 = 2;

/// How far an auditor would get with a category today, or for a category outside the SOC 2
/// commitments (AI risk, unless the scoping puts it in them) how well its risks are managed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Verdict {
    /// Complete, every critical question at the Type 2 level, score at the Type 2 minimum.
    Type2Ready,
    /// Complete, every critical question at the Type 1 level, score at the Type 1 minimum.
    Type1Ready,
    /// Short of Type 1, and no answer to the open questions can change that.
    NotReady,
    /// Maturity: what Type 1 readiness asks of a SOC 2 category (controls in place with
    /// evidence).
    Managed,
    /// Maturity: controls designed on average and every critical one at least designed.
    PartlyManaged,
    /// Maturity: short of partly managed, and no answer to the open questions can change that.
    NotManaged,
    /// Applicable questions are still open and their answers can still change the verdict.
    Incomplete,
}

impl Verdict {
    /// The name a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Verdict::Type2Ready => "Type 2 ready",
            Verdict::Type1Ready => "Type 1 ready",
            Verdict::NotReady => "Not ready",
            Verdict::Managed => "Managed",
            Verdict::PartlyManaged => "Partly managed",
            Verdict::NotManaged => "Not managed",
            Verdict::Incomplete => "Incomplete",
        }
    }

    /// Rank within its ladder, higher is better; Incomplete ranks lowest.
    pub fn rank(self) -> u8 {
        match self {
            Verdict::Incomplete => 0,
            Verdict::NotReady | Verdict::NotManaged => 1,
            Verdict::Type1Ready | Verdict::PartlyManaged => 2,
            Verdict::Type2Ready | Verdict::Managed => 3,
        }
    }

    /// Whether this verdict meets a target.
    pub fn meets(self, target: Target) -> bool {
        match target {
            Target::Type1 => matches!(self, Verdict::Type1Ready | Verdict::Type2Ready),
            Target::Type2 => self == Verdict::Type2Ready,
        }
    }

    /// Whether the verdict is a good one (ready, or managed).
    pub fn is_positive(self) -> bool {
        self.rank() >= 2
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// Which verdicts a category can get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Ladder {
    /// The SOC 2 readiness verdicts: Type 2 ready, Type 1 ready, Not ready.
    Soc2,
    /// The maturity verdicts of a category outside the SOC 2 commitments: Managed, Partly
    /// managed, Not managed.
    Maturity,
}

impl Ladder {
    /// The two rules of the ladder, best first, with the verdict each gives, then the verdict
    /// below both.
    fn rules(self, t: &Thresholds) -> ([(VerdictRule, Verdict); 2], Verdict) {
        match self {
            Ladder::Soc2 => (
                [
                    (t.type2, Verdict::Type2Ready),
                    (t.type1, Verdict::Type1Ready),
                ],
                Verdict::NotReady,
            ),
            Ladder::Maturity => {
                // "Partly managed" asks for the Designed level on average and for every
                // critical question: the readiness scale's own meaning of level 2.
                let designed = VerdictRule {
                    min_score: u8::try_from((2 * u32::from(t.points_per_level)).min(100))
                        .unwrap_or(100),
                    critical_min_level: 2,
                };
                (
                    [
                        (t.type1, Verdict::Managed),
                        (designed, Verdict::PartlyManaged),
                    ],
                    Verdict::NotManaged,
                )
            }
        }
    }

    /// The rule a verdict of this ladder stands for, if it has one.
    pub fn rule_of(self, thresholds: &Thresholds, verdict: Verdict) -> Option<VerdictRule> {
        let (rules, _) = self.rules(thresholds);
        rules.iter().find(|(_, v)| *v == verdict).map(|(r, _)| *r)
    }

    /// The lowest verdict of the ladder.
    pub fn bottom(self) -> Verdict {
        match self {
            Ladder::Soc2 => Verdict::NotReady,
            Ladder::Maturity => Verdict::NotManaged,
        }
    }

    /// The verdicts of the ladder, best first.
    pub fn verdicts(self) -> [Verdict; 3] {
        match self {
            Ladder::Soc2 => [Verdict::Type2Ready, Verdict::Type1Ready, Verdict::NotReady],
            Ladder::Maturity => [
                Verdict::Managed,
                Verdict::PartlyManaged,
                Verdict::NotManaged,
            ],
        }
    }
}

/// The scoping key that puts AI risk in the SOC 2 service commitments; without a yes, the AI
/// risk category gets a maturity verdict instead of a SOC 2 one.
pub const AI_RISK_IN_COMMITMENTS: &str = "ai_risk_in_commitments";

/// What is left of a category (or of the whole assessment) while questions are open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pending {
    /// Applicable questions without an answer.
    pub open: usize,
    /// How many of them are critical.
    pub open_critical: usize,
    /// The best verdict some answers to the open questions would give.
    pub best: Verdict,
    /// The worst verdict some answers to the open questions would give.
    pub worst: Verdict,
}

impl Pending {
    /// What is left and what can still come of it, e.g. "12 open, 3 critical; at best Type 1
    /// ready, at worst Not ready".
    pub fn describe(&self) -> String {
        let left = format!("{} open, {} critical", self.open, self.open_critical);
        if self.best == self.worst {
            if self.best.is_positive() {
                format!("{left}; {} whatever the answers", self.best.title())
            } else {
                format!("{left}; no answer to them can change the verdict")
            }
        } else {
            format!(
                "{left}; at best {}, at worst {}",
                self.best.title(),
                self.worst.title()
            )
        }
    }
}

/// A verdict with what is left: the title, then in brackets what the open questions leave to
/// decide, e.g. "Incomplete (12 open, 3 critical; at best Type 1 ready, at worst Not ready)".
pub fn verdict_text(verdict: Verdict, pending: Option<&Pending>) -> String {
    match pending {
        Some(p) => format!("{} ({})", verdict.title(), p.describe()),
        None => verdict.title().to_string(),
    }
}

/// A score as people read it, the same in the terminal, on the command line and in every
/// report: whole points, truncated rather than rounded, so that a score is never shown on the
/// other side of a threshold from its verdict (84.87 reads 84, under a Type 2 minimum of 85).
pub fn format_score(score: f64) -> String {
    shown_points(score).to_string()
}

/// [`format_score`], or `none` when nothing is scored.
pub fn format_score_or(score: Option<f64>, none: &str) -> String {
    score.map_or_else(|| none.to_string(), format_score)
}

/// The whole points [`format_score`] shows. Scores are exact ratios of small integers; the
/// tiny allowance only absorbs the float error of a mean such as 85.0 computed as 84.999...
pub fn shown_points(score: f64) -> u32 {
    (score + 1e-9).floor().clamp(0.0, 100.0) as u32
}

/// A score for machine-readable exports: two decimals, truncated for the same reason as
/// [`format_score`].
pub fn score_two_decimals(score: f64) -> f64 {
    ((score * 100.0 + 1e-7).floor() / 100.0).clamp(0.0, 100.0)
}

/// How many applicable questions have an answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Completion {
    /// Applicable questions with an answer (N/A and Unknown included).
    pub answered: usize,
    /// Applicable questions.
    pub applicable: usize,
}

impl Completion {
    /// Whether every applicable question is answered.
    pub fn is_complete(&self) -> bool {
        self.answered >= self.applicable
    }

    /// Share answered, 0-100; 100 when nothing applies.
    pub fn percent(&self) -> f64 {
        if self.applicable == 0 {
            100.0
        } else {
            self.answered as f64 * 100.0 / self.applicable as f64
        }
    }

    fn add(&mut self, other: Completion) {
        self.answered += other.answered;
        self.applicable += other.applicable;
    }
}

/// Where one question stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum QuestionStatus {
    /// Hidden by the scoping profile or in a category out of scope; excluded.
    Hidden,
    /// Applicable and not answered yet; excluded from scores, counts against completion.
    Open,
    /// Answered N/A; excluded from scores.
    NotApplicable,
    /// Answered with a level; Unknown counts as level 0.
    Scored {
        /// The level it counts as, 0-4.
        level: u8,
        /// The answer was Unknown.
        unknown: bool,
    },
}

/// One question's part in the scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionScore<'b> {
    /// Question id.
    pub id: &'b str,
    /// Its category; for a shared question whose own category is out of scope, the first
    /// category it is shared with that is in scope.
    pub category: Category,
    /// Its stage.
    pub stage: Stage,
    /// Its weight.
    pub weight: u8,
    /// Whether it is critical.
    pub critical: bool,
    /// Where it stands.
    pub status: QuestionStatus,
    /// Points it scores (0-100 by default); None when excluded.
    pub points: Option<u32>,
}

/// A weighted mean kept as integers, so thresholds compare exactly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct WeightedSum {
    points: u64,
    weight: u64,
}

impl WeightedSum {
    fn add(&mut self, points: u32, weight: u8) {
        self.points += u64::from(points) * u64::from(weight);
        self.weight += u64::from(weight);
    }

    fn merge(&mut self, other: WeightedSum) {
        self.points += other.points;
        self.weight += other.weight;
    }

    fn score(self) -> Option<f64> {
        (self.weight > 0).then(|| self.points as f64 / self.weight as f64)
    }

    /// Whether the mean is at least `min`; vacuously true when nothing is scored.
    fn at_least(self, min: u8) -> bool {
        self.points >= u64::from(min) * self.weight
    }
}

/// The score of one section: a category at one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionResult {
    /// The category.
    pub category: Category,
    /// The stage.
    pub stage: Stage,
    /// Weighted mean of the scored questions, 0-100; None when none is scored.
    pub score: Option<f64>,
    /// Answered and applicable questions.
    pub completion: Completion,
}

/// The score and verdict of one category in scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryResult {
    /// The category.
    pub category: Category,
    /// Weighted mean of its scored questions, 0-100; None when none is scored.
    pub score: Option<f64>,
    /// How far an auditor would get (or, on the maturity ladder, how well managed it is).
    pub verdict: Verdict,
    /// Which verdicts the category can get.
    pub ladder: Ladder,
    /// While questions are open: how many, and the best and worst verdict still reachable.
    pub pending: Option<Pending>,
    /// Answered and applicable questions.
    pub completion: Completion,
    /// Applicable critical questions (N/A ones excluded).
    pub critical: usize,
    /// The lowest level among answered applicable critical questions.
    pub critical_min_level: Option<u8>,
    /// Its sections in questionnaire order.
    pub sections: Vec<SectionResult>,
}

/// An applicable question below the session's target level. The action's owner and due date
/// are in the session's record of the question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap<'b> {
    /// Question id.
    pub question_id: &'b str,
    /// Its category, chosen as for [`QuestionScore::category`].
    pub category: Category,
    /// Its stage.
    pub stage: Stage,
    /// The agreed answer.
    pub answer: Answer,
    /// The level it counts as (Unknown is 0).
    pub level: u8,
    /// Levels missing to the target.
    pub shortfall: u8,
    /// The question's weight.
    pub weight: u8,
    /// Whether the question is critical.
    pub critical: bool,
    /// The question as asked.
    pub prompt: &'b str,
    /// First steps to close it.
    pub remediation: &'b str,
}

impl Gap<'_> {
    /// Weight x shortfall: the ranking key after the critical flag.
    pub fn priority(&self) -> u32 {
        u32::from(self.weight) * u32::from(self.shortfall)
    }
}

/// An applicable question that needs someone to come back to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUp<'b> {
    /// Question id.
    pub question_id: &'b str,
    /// Its category.
    pub category: Category,
    /// Its stage.
    pub stage: Stage,
    /// Answered Unknown: somebody has to find out.
    pub unknown: bool,
    /// Flagged "discuss later".
    pub flagged: bool,
}

/// An applicable question on which the votes are far apart; the votes themselves are in the
/// session's record of the question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disagreement<'b> {
    /// Question id.
    pub question_id: &'b str,
    /// Its category.
    pub category: Category,
    /// Its stage.
    pub stage: Stage,
    /// Highest minus lowest rated vote.
    pub spread: u8,
    /// Median of the rated votes.
    pub median: Option<Answer>,
}

/// Everything the results screen and the reports show. Text comes from the question bank it
/// was scored against, which it borrows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results<'b> {
    /// The session's target.
    pub target: Target,
    /// The level gaps are measured against (3 for Type 1, 4 for Type 2).
    pub target_level: u8,
    /// Plain mean of the category scores; None when no category has a score.
    pub overall: Option<f64>,
    /// How many category scores the overall score is the mean of.
    pub overall_basis: usize,
    /// The SOC 2 verdict of the categories on the SOC 2 ladder: Not ready as soon as one of
    /// them is, Incomplete while any has open questions, otherwise the weakest.
    pub verdict: Verdict,
    /// While questions of those categories are open: how many, and the best and worst overall
    /// verdict still reachable.
    pub pending: Option<Pending>,
    /// Answered and applicable questions across all categories in scope.
    pub completion: Completion,
    /// Categories in scope, in the usual order.
    pub categories: Vec<CategoryResult>,
    /// Every question of the bank, in questionnaire order.
    pub questions: Vec<QuestionScore<'b>>,
    /// Gaps, most urgent first.
    pub gaps: Vec<Gap<'b>>,
    /// Unknown answers and flagged questions, in questionnaire order.
    pub follow_ups: Vec<FollowUp<'b>>,
    /// Questions whose votes spread by at least [`DISAGREEMENT_SPREAD`] levels.
    pub disagreements: Vec<Disagreement<'b>>,
    /// Ids of recorded questions the bank no longer has; kept in the session, listed here.
    pub orphaned: Vec<String>,
}

impl CategoryResult {
    /// The verdict with what is left, e.g. "Incomplete (3 open, 1 critical; at best Type 2
    /// ready, at worst Not ready)".
    pub fn verdict_text(&self) -> String {
        verdict_text(self.verdict, self.pending.as_ref())
    }
}

impl Results<'_> {
    /// The overall verdict with what is left.
    pub fn verdict_text(&self) -> String {
        verdict_text(self.verdict, self.pending.as_ref())
    }

    /// What the overall score is made of, e.g. "the plain mean of 5 category scores, counting
    /// answered questions only: 143 of 180 applicable answered; N/A and open questions do not
    /// count".
    pub fn overall_basis_text(&self) -> String {
        let of = match self.overall_basis {
            1 => "the score of 1 category".to_string(),
            n => format!("the plain mean of {n} category scores"),
        };
        format!(
            "{of}, counting answered questions only: {} of {} applicable answered; N/A and open questions do not count",
            self.completion.answered, self.completion.applicable
        )
    }

    /// The result of one category, if it is in scope.
    pub fn category(&self, category: Category) -> Option<&CategoryResult> {
        self.categories.iter().find(|c| c.category == category)
    }

    /// The result of one section, if its category is in scope and has that stage.
    pub fn section(&self, category: Category, stage: Stage) -> Option<&SectionResult> {
        self.category(category)
            .and_then(|c| c.sections.iter().find(|s| s.stage == stage))
    }
}

/// Points for one answer: `level x points_per_level`, capped at 100; None for N/A.
pub fn points(answer: Answer, thresholds: &Thresholds) -> Option<u32> {
    answer
        .scored_level()
        .map(|level| (u32::from(level) * u32::from(thresholds.points_per_level)).min(100))
}

/// The verdict of a complete category from its weighted score and critical questions.
fn judge(
    ladder: Ladder,
    sum: WeightedSum,
    critical_min_level: Option<u8>,
    thresholds: &Thresholds,
) -> Verdict {
    let (rules, bottom) = ladder.rules(thresholds);
    rules
        .iter()
        .find(|(rule, _)| {
            sum.at_least(rule.min_score)
                && critical_min_level.is_none_or(|level| level >= rule.critical_min_level)
        })
        .map_or(bottom, |(_, verdict)| *verdict)
}

/// The open questions of a category, as far as its verdict is concerned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Open {
    count: usize,
    critical: usize,
    weight: u64,
}

/// The verdict of a category and, while questions are open, the best and worst verdict some
/// answers to them would give.
///
/// Each open question may still get any answer. The best case is one of two completions: every
/// open question at level 4 (the most points and the highest critical level) or every one N/A
/// (left out). Adding questions that all score the same moves a weighted mean one way only, so
/// no mix of the two does better. The worst case is every open question at level 0: the fewest
/// points and the lowest critical level, and it leaves something scored.
fn outlook(
    ladder: Ladder,
    sum: WeightedSum,
    critical_min_level: Option<u8>,
    open: Open,
    thresholds: &Thresholds,
) -> (Verdict, Option<Pending>) {
    if open.count == 0 {
        return (judge(ladder, sum, critical_min_level, thresholds), None);
    }
    let with_open = |level: u8| {
        let points = Answer::from_level(level)
            .and_then(|a| points(a, thresholds))
            .unwrap_or(0);
        let mut filled = sum;
        filled.points += u64::from(points) * open.weight;
        filled.weight += open.weight;
        let critical = if open.critical > 0 {
            Some(critical_min_level.map_or(level, |m| m.min(level)))
        } else {
            critical_min_level
        };
        judge(ladder, filled, critical, thresholds)
    };
    let all_top = with_open(4);
    let all_na = judge(ladder, sum, critical_min_level, thresholds);
    let best = if all_na.rank() > all_top.rank() {
        all_na
    } else {
        all_top
    };
    let worst = with_open(0);
    let verdict = if best == ladder.bottom() {
        best
    } else {
        Verdict::Incomplete
    };
    let pending = Pending {
        open: open.count,
        open_critical: open.critical,
        best,
        worst,
    };
    (verdict, Some(pending))
}

/// Scores a session against a question bank.
pub fn score<'b>(bank: &'b QuestionBank, session: &Session) -> Results<'b> {
    score_with(bank, session, None)
}

/// The totals of one section, or of a category (its sections merged): what scores, completion
/// and verdicts are computed from. All integers, so that totals merged in any order agree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Totals {
    sum: WeightedSum,
    completion: Completion,
    /// Applicable critical questions, N/A ones excluded.
    critical: usize,
    critical_min_level: Option<u8>,
    open: Open,
}

impl Totals {
    /// Counts one question of a section: whether it applies in the section's category, and
    /// its agreed answer.
    fn count(
        &mut self,
        question: &Question,
        applies: bool,
        answer: Option<Answer>,
        thresholds: &Thresholds,
    ) {
        if !applies {
            return;
        }
        self.completion.applicable += 1;
        self.completion.answered += usize::from(answer.is_some());
        match status_of(true, answer) {
            QuestionStatus::Scored { level, .. } => {
                if let Some(p) = answer.and_then(|a| points(a, thresholds)) {
                    self.sum.add(p, question.weight);
                }
                if question.critical {
                    self.critical += 1;
                    self.critical_min_level =
                        Some(self.critical_min_level.map_or(level, |m| m.min(level)));
                }
            }
            QuestionStatus::Open => {
                self.open.count += 1;
                self.open.weight += u64::from(question.weight);
                if question.critical {
                    self.critical += 1;
                    self.open.critical += 1;
                }
            }
            QuestionStatus::NotApplicable | QuestionStatus::Hidden => {}
        }
    }

    fn merge(&mut self, other: Totals) {
        self.sum.merge(other.sum);
        self.completion.add(other.completion);
        self.critical += other.critical;
        self.critical_min_level = match (self.critical_min_level, other.critical_min_level) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.open.count += other.open.count;
        self.open.critical += other.open.critical;
        self.open.weight += other.open.weight;
    }

    /// The section's result.
    fn section(self, category: Category, stage: Stage) -> SectionResult {
        SectionResult {
            category,
            stage,
            score: self.sum.score(),
            completion: self.completion,
        }
    }

    /// The category's result, its totals being these.
    fn category(
        self,
        category: Category,
        ladder: Ladder,
        sections: Vec<SectionResult>,
        thresholds: &Thresholds,
    ) -> CategoryResult {
        let (verdict, pending) = outlook(
            ladder,
            self.sum,
            self.critical_min_level,
            self.open,
            thresholds,
        );
        CategoryResult {
            category,
            score: self.sum.score(),
            verdict,
            ladder,
            pending,
            completion: self.completion,
            critical: self.critical,
            critical_min_level: self.critical_min_level,
            sections,
        }
    }
}

/// What the results list of one question, where it is written: its status and points, and its
/// entry among the gaps, the follow-ups and the disagreements, if it has one.
struct Listed<'b> {
    score: QuestionScore<'b>,
    gap: Option<Gap<'b>>,
    follow_up: Option<FollowUp<'b>>,
    disagreement: Option<Disagreement<'b>>,
}

/// Lists a question: `applies` tells whether it applies in the category whose questionnaire
/// it is written in.
fn listed<'b>(
    question: &'b Question,
    applies: bool,
    record: Option<&QuestionRecord>,
    session: &Session,
    scoping: &BTreeMap<String, bool>,
    thresholds: &Thresholds,
    target_level: u8,
) -> Listed<'b> {
    let answer = record.and_then(|r| r.answer);
    // A question whose own category is out of scope is listed where it is shared, if it
    // applies there.
    let status = if applies {
        status_of(true, answer)
    } else {
        status_of(session.applies(question, scoping), answer)
    };
    let points = match status {
        QuestionStatus::Scored { .. } => answer.and_then(|a| points(a, thresholds)),
        _ => None,
    };
    // Listed under its own category, or the first one it is shared with that is in scope when
    // its own is not.
    let shown = question
        .categories()
        .find(|c| session.in_scope(*c))
        .unwrap_or(question.category);
    let gap = match status {
        QuestionStatus::Scored { level, .. } if level < target_level => {
            Some(gap(question, shown, answer, level, target_level))
        }
        _ => None,
    };
    let mut follow_up = None;
    let mut disagreement = None;
    if let Some(record) = record
        && status != QuestionStatus::Hidden
    {
        let unknown = answer == Some(Answer::Unknown);
        // A flag resolved in the parking lot no longer asks for follow-up.
        let flagged = record.discuss_later && !record.resolved;
        if unknown || flagged {
            follow_up = Some(FollowUp {
                question_id: &question.id,
                category: shown,
                stage: question.stage,
                unknown,
                flagged,
            });
        }
        if let Some(spread) = record.vote_spread()
            && spread >= DISAGREEMENT_SPREAD
        {
            disagreement = Some(Disagreement {
                question_id: &question.id,
                category: shown,
                stage: question.stage,
                spread,
                median: record.vote_median(),
            });
        }
    }
    Listed {
        score: QuestionScore {
            id: &question.id,
            category: shown,
            stage: question.stage,
            weight: question.weight,
            critical: question.critical,
            status,
            points,
        },
        gap,
        follow_up,
        disagreement,
    }
}

/// The ladder of the AI risk category: SOC 2 when the scoping puts AI risk in the service
/// commitments, maturity otherwise.
fn ai_risk_ladder(scoping: &BTreeMap<String, bool>) -> Ladder {
    if scoping
        .get(AI_RISK_IN_COMMITMENTS)
        .copied()
        .unwrap_or(false)
    {
        Ladder::Soc2
    } else {
        Ladder::Maturity
    }
}

/// Scores a session; with a [`Tally`] to fill, also keeps what re-scoring one question needs.
fn score_with<'b>(
    bank: &'b QuestionBank,
    session: &Session,
    mut tally: Option<&mut Tally<'b>>,
) -> Results<'b> {
    let thresholds = &bank.profile.thresholds;
    let scoping = session.resolved_scoping(bank);
    let target_level = session.target.level();

    let mut categories = Vec::new();
    let mut questions = Vec::with_capacity(bank.questions().size_hint().0);
    let mut gaps = Vec::new();
    let mut follow_ups = Vec::new();
    let mut disagreements = Vec::new();
    let mut matched = 0;

    for category in Category::ALL {
        let in_scope = session.in_scope(category);
        // Where the category's result goes, if it is in scope.
        let at = categories.len();
        let mut totals = Totals::default();
        let mut sections = Vec::new();
        let mut tallied = Vec::new();

        // The category's own questions and those shared with it (see
        // `QuestionBank::category_sections`).
        for section in bank.category_sections(category) {
            let mut section_totals = Totals::default();
            let mut counted = Vec::new();
            for member in &section.members {
                let question = member.question;
                let record = session.records.get(&question.id);
                let answer = record.and_then(|r| r.answer);
                let applies = session.applies_in(question, category, &scoping);
                // A question is listed, ranked as a gap and followed up once, where it is
                // written, even when it counts only in a category it is shared with.
                if !member.shared {
                    matched += usize::from(record.is_some());
                    let listing = listed(
                        question,
                        applies,
                        record,
                        session,
                        &scoping,
                        thresholds,
                        target_level,
                    );
                    if let Some(tally) = tally.as_deref_mut() {
                        tally.list(question, questions.len(), applies);
                    }
                    questions.push(listing.score);
                    gaps.extend(listing.gap);
                    follow_ups.extend(listing.follow_up);
                    disagreements.extend(listing.disagreement);
                }
                section_totals.count(question, applies, answer, thresholds);
                if in_scope && let Some(tally) = tally.as_deref_mut() {
                    tally.place(question, at, sections.len(), counted.len());
                    counted.push(Counted {
                        question,
                        applies,
                        answer,
                    });
                }
            }
            totals.merge(section_totals);
            if in_scope {
                sections.push(section_totals.section(category, section.stage));
                tallied.push(SectionTally {
                    members: counted,
                    totals: section_totals,
                });
            }
        }

        if !in_scope || bank.questionnaire(category).is_none() {
            continue;
        }
        let ladder = if category == Category::AiRisk {
            ai_risk_ladder(&scoping)
        } else {
            Ladder::Soc2
        };
        categories.push(totals.category(category, ladder, sections, thresholds));
        if let Some(tally) = tally.as_deref_mut() {
            tally.sections.push(tallied);
        }
    }

    // Each applicable question once, however many categories it counts in.
    let mut completion = Completion::default();
    for q in &questions {
        completion.add(listed_completion(q.status));
    }
    let (overall, overall_basis) = overall_score(&categories);
    let (verdict, pending) = overall_verdict(&categories);

    rank_gaps(&mut gaps);

    // Usually every record matches a question; only otherwise is it worth looking for which.
    let orphaned = if matched < session.records.len() {
        let known: BTreeSet<&str> = questions.iter().map(|q| q.id).collect();
        session
            .records
            .iter()
            .filter(|(id, record)| !known.contains(id.as_str()) && !record.is_empty())
            .map(|(id, _)| id.clone())
            .collect()
    } else {
        Vec::new()
    };
    if let Some(tally) = tally {
        tally.scoping = scoping;
    }

    Results {
        target: session.target,
        target_level,
        overall,
        overall_basis,
        verdict,
        pending,
        completion,
        categories,
        questions,
        gaps,
        follow_ups,
        disagreements,
        orphaned,
    }
}

/// What one listed question adds to the overall completion.
fn listed_completion(status: QuestionStatus) -> Completion {
    match status {
        QuestionStatus::Hidden => Completion::default(),
        QuestionStatus::Open => Completion {
            answered: 0,
            applicable: 1,
        },
        _ => Completion {
            answered: 1,
            applicable: 1,
        },
    }
}

/// The overall score, the plain mean of the category scores, and how many it is the mean of.
fn overall_score(categories: &[CategoryResult]) -> (Option<f64>, usize) {
    let scored: Vec<f64> = categories.iter().filter_map(|c| c.score).collect();
    let overall = (!scored.is_empty()).then(|| scored.iter().sum::<f64>() / scored.len() as f64);
    (overall, scored.len())
}

/// The overall SOC 2 verdict from the categories on the SOC 2 ladder: the weakest of them,
/// settled as soon as one is Not ready, Incomplete while any has open questions.
fn overall_verdict(categories: &[CategoryResult]) -> (Verdict, Option<Pending>) {
    let soc2: Vec<&CategoryResult> = categories
        .iter()
        .filter(|c| c.ladder == Ladder::Soc2)
        .collect();
    let weakest = |pick: fn(&CategoryResult) -> Verdict| {
        soc2.iter()
            .map(|c| pick(c))
            .min_by_key(|v| v.rank())
            .unwrap_or(Verdict::Incomplete)
    };
    let best = weakest(|c| c.pending.map_or(c.verdict, |p| p.best));
    let worst = weakest(|c| c.pending.map_or(c.verdict, |p| p.worst));
    let (open, open_critical) = soc2
        .iter()
        .filter_map(|c| c.pending)
        .fold((0, 0), |(o, k), p| (o + p.open, k + p.open_critical));
    if open == 0 {
        return (weakest(|c| c.verdict), None);
    }
    let verdict = if best == Verdict::NotReady {
        Verdict::NotReady
    } else {
        Verdict::Incomplete
    };
    let pending = Pending {
        open,
        open_critical,
        best,
        worst,
    };
    (verdict, Some(pending))
}

fn status_of(applies: bool, answer: Option<Answer>) -> QuestionStatus {
    if !applies {
        return QuestionStatus::Hidden;
    }
    match answer {
        None => QuestionStatus::Open,
        Some(Answer::NotApplicable) => QuestionStatus::NotApplicable,
        Some(a) => QuestionStatus::Scored {
            level: a.scored_level().unwrap_or(0),
            unknown: a == Answer::Unknown,
        },
    }
}

fn gap(
    question: &Question,
    category: Category,
    answer: Option<Answer>,
    level: u8,
    target_level: u8,
) -> Gap<'_> {
    Gap {
        question_id: &question.id,
        category,
        stage: question.stage,
        answer: answer.unwrap_or(Answer::NotInPlace),
        level,
        shortfall: target_level.saturating_sub(level),
        weight: question.weight,
        critical: question.critical,
        prompt: &question.prompt,
        remediation: &question.remediation,
    }
}

/// Critical gaps first, then by weight x shortfall, largest first; ties keep questionnaire
/// order (the sort is stable).
pub fn rank_gaps(gaps: &mut [Gap<'_>]) {
    gaps.sort_by(|a, b| {
        b.critical
            .cmp(&a.critical)
            .then_with(|| b.priority().cmp(&a.priority()))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::questionnaire::Condition;
    use crate::domain::session::tests::{bank, question};
    use jiff::Timestamp;

    fn session(b: &QuestionBank) -> Session {
        Session::new("s".into(), "S".into(), b, Timestamp::UNIX_EPOCH)
    }

    fn set(s: &mut Session, id: &str, a: Answer) {
        s.set_answer(id, Some(a), Timestamp::UNIX_EPOCH);
    }

    fn critical(id: &str, stage: Stage) -> Question {
        let mut q = question(id, Category::Security, stage);
        q.critical = true;
        q
    }

    fn security_bank() -> QuestionBank {
        bank(vec![
            critical("c1", Stage::Storage),
            question("q1", Category::Security, Stage::Storage),
            question("q2", Category::Security, Stage::Training),
        ])
    }

    fn verdict(s: &Session, b: &QuestionBank) -> Verdict {
        score(b, s)
            .category(Category::Security)
            .map(|c| c.verdict)
            .unwrap_or(Verdict::Incomplete)
    }

    #[test]
    fn open_questions_make_a_category_incomplete() {
        let b = security_bank();
        let mut s = session(&b);
        set(&mut s, "c1", Answer::Operating);
        set(&mut s, "q1", Answer::Operating);
        assert_eq!(verdict(&s, &b), Verdict::Incomplete);
        let r = score(&b, &s);
        assert_eq!(
            r.completion,
            Completion {
                answered: 2,
                applicable: 3
            }
        );
        // Open questions do not count in the score.
        assert_eq!(
            r.category(Category::Security).and_then(|c| c.score),
            Some(100.0)
        );
        set(&mut s, "q2", Answer::Operating);
        assert_eq!(verdict(&s, &b), Verdict::Type2Ready);
    }

    #[test]
    fn type2_needs_critical_at_4_and_score_85() {
        let b = security_bank();
        let mut s = session(&b);
        set(&mut s, "c1", Answer::Operating);
        set(&mut s, "q1", Answer::Operating);
        set(&mut s, "q2", Answer::Implemented);
        // (100 + 100 + 75) / 3 = 91.7
        assert_eq!(verdict(&s, &b), Verdict::Type2Ready);
        set(&mut s, "c1", Answer::Implemented);
        set(&mut s, "q2", Answer::Operating);
        // Score 91.7 but a critical question at 3.
        assert_eq!(verdict(&s, &b), Verdict::Type1Ready);
    }

    #[test]
    fn score_thresholds_are_inclusive_and_exact() {
        let mut a = question("a", Category::Security, Stage::Storage);
        a.weight = 1;
        let mut b_ = question("b", Category::Security, Stage::Storage);
        b_.weight = 3;
        let mut c = question("c", Category::Security, Stage::Storage);
        c.weight = 3;
        let mut d = question("d", Category::Security, Stage::Storage);
        d.weight = 3;
        let b = bank(vec![a, b_, c, d]);
        let mut s = session(&b);
        // 1 x 25 + 3 x 100 + 3 x 100 + 3 x 75 = 850 over weight 10: exactly 85.
        set(&mut s, "a", Answer::AdHoc);
        set(&mut s, "b", Answer::Operating);
        set(&mut s, "c", Answer::Operating);
        set(&mut s, "d", Answer::Implemented);
        assert_eq!(verdict(&s, &b), Verdict::Type2Ready);
        set(&mut s, "a", Answer::NotInPlace);
        // 825 / 10 = 82.5: Type 1.
        assert_eq!(verdict(&s, &b), Verdict::Type1Ready);
    }

    #[test]
    fn low_score_or_critical_below_3_is_not_ready() {
        let b = security_bank();
        let mut s = session(&b);
        set(&mut s, "c1", Answer::Designed);
        set(&mut s, "q1", Answer::Operating);
        set(&mut s, "q2", Answer::Operating);
        // Score 83 but the critical question is at 2.
        assert_eq!(verdict(&s, &b), Verdict::NotReady);
        set(&mut s, "c1", Answer::Operating);
        set(&mut s, "q1", Answer::AdHoc);
        set(&mut s, "q2", Answer::AdHoc);
        // Critical at 4 but score (100 + 25 + 25) / 3 = 50.
        assert_eq!(verdict(&s, &b), Verdict::NotReady);
    }

    #[test]
    fn unknown_scores_zero_and_is_a_follow_up() {
        let b = security_bank();
        let mut s = session(&b);
        set(&mut s, "c1", Answer::Operating);
        set(&mut s, "q1", Answer::Unknown);
        set(&mut s, "q2", Answer::Operating);
        s.record_mut("q2").discuss_later = true;
        let r = score(&b, &s);
        let cat = r.category(Category::Security).cloned();
        assert_eq!(cat.as_ref().and_then(|c| c.score), Some(200.0 / 3.0));
        assert_eq!(cat.map(|c| c.verdict), Some(Verdict::NotReady));
        let ids: Vec<(&str, bool, bool)> = r
            .follow_ups
            .iter()
            .map(|f| (f.question_id, f.unknown, f.flagged))
            .collect();
        assert_eq!(ids, [("q1", true, false), ("q2", false, true)]);
        assert!(r.gaps.iter().any(|g| g.question_id == "q1" && g.level == 0));
        // Resolved in the parking lot: no longer a follow-up.
        s.record_mut("q2").resolved = true;
        let r = score(&b, &s);
        assert_eq!(r.follow_ups.len(), 1);
    }

    #[test]
    fn na_and_hidden_questions_are_excluded() {
        let mut hidden = question("h", Category::Security, Stage::Training);
        hidden.applies_if = Condition::No("generative".into());
        let b = bank(vec![
            question("a", Category::Security, Stage::Storage),
            question("n", Category::Security, Stage::Storage),
            hidden,
        ]);
        let mut s = session(&b);
        set(&mut s, "a", Answer::Operating);
        set(&mut s, "n", Answer::NotApplicable);
        let r = score(&b, &s);
        let cat = r.category(Category::Security).cloned();
        assert_eq!(cat.as_ref().and_then(|c| c.score), Some(100.0));
        assert_eq!(cat.as_ref().map(|c| c.verdict), Some(Verdict::Type2Ready));
        assert_eq!(
            r.completion,
            Completion {
                answered: 2,
                applicable: 2
            }
        );
        assert_eq!(
            r.section(Category::Security, Stage::Training)
                .map(|s| s.score),
            Some(None)
        );
    }

    #[test]
    fn overall_is_the_plain_mean_of_categories() {
        let mut qs: Vec<Question> = (0..9)
            .map(|i| question(&format!("s{i}"), Category::Security, Stage::Storage))
            .collect();
        qs.push(question("p", Category::Privacy, Stage::Collection));
        let b = bank(qs);
        let mut s = session(&b);
        for i in 0..9 {
            set(&mut s, &format!("s{i}"), Answer::Operating);
        }
        set(&mut s, "p", Answer::NotInPlace);
        let r = score(&b, &s);
        assert_eq!(r.overall, Some(50.0));
        assert_eq!(r.verdict, Verdict::NotReady);
        s.categories.remove(&Category::Privacy);
        let r = score(&b, &s);
        assert_eq!(r.overall, Some(100.0));
        assert!(r.category(Category::Privacy).is_none());
    }

    #[test]
    fn gaps_rank_critical_first_then_weight_times_shortfall() {
        let mut heavy = question("heavy", Category::Security, Stage::Storage);
        heavy.weight = 3;
        let mut light = question("light", Category::Security, Stage::Storage);
        light.weight = 1;
        let mut crit = critical("crit", Stage::Training);
        crit.weight = 1;
        let mid = question("mid", Category::Privacy, Stage::Collection);
        let done = question("done", Category::Privacy, Stage::Collection);
        let b = bank(vec![light, heavy, crit, mid, done]);
        let mut s = session(&b);
        s.target = Target::Type1;
        set(&mut s, "light", Answer::NotInPlace); // 1 x 3 = 3
        set(&mut s, "heavy", Answer::Designed); // 3 x 1 = 3
        set(&mut s, "crit", Answer::Designed); // critical, 1 x 1
        set(&mut s, "mid", Answer::AdHoc); // 1 x 2 = 2
        set(&mut s, "done", Answer::Implemented); // at target: no gap
        let r = score(&b, &s);
        let order: Vec<&str> = r.gaps.iter().map(|g| g.question_id).collect();
        assert_eq!(order, ["crit", "light", "heavy", "mid"]);
        assert_eq!(r.gaps[0].remediation, "Fix crit.");
        assert_eq!(r.gaps[1].shortfall, 3);
        // A Type 2 target turns level 3 into a gap too.
        s.target = Target::Type2;
        let r = score(&b, &s);
        assert!(
            r.gaps
                .iter()
                .any(|g| g.question_id == "done" && g.shortfall == 1)
        );
    }

    #[test]
    fn disagreements_and_orphans_are_reported() {
        let b = security_bank();
        let mut s = session(&b);
        s.record_vote("q1", "Ana", Some(Answer::Operating), Timestamp::UNIX_EPOCH);
        s.record_vote("q1", "Ben", Some(Answer::Designed), Timestamp::UNIX_EPOCH);
        s.record_vote("q2", "Ana", Some(Answer::Operating), Timestamp::UNIX_EPOCH);
        s.record_vote(
            "q2",
            "Ben",
            Some(Answer::Implemented),
            Timestamp::UNIX_EPOCH,
        );
        set(&mut s, "retired-01", Answer::Implemented);
        let r = score(&b, &s);
        let ids: Vec<&str> = r.disagreements.iter().map(|d| d.question_id).collect();
        assert_eq!(ids, ["q1"]);
        assert_eq!(r.disagreements[0].spread, 2);
        assert_eq!(r.orphaned, ["retired-01"]);
    }

    #[test]
    fn weights_act_as_stated() {
        // Worked out by hand: Security has a weight-1 question at 4 (100 points) in Storage
        // and a weight-3 question at 0 (0 points) in Training: (1 x 100 + 3 x 0) / 4 = 25.
        // Privacy has a weight-2 question at 2 (50 points) and a weight-1 question at 3 (75
        // points): (2 x 50 + 1 x 75) / 3 = 58.33. Overall: (25 + 58.33) / 2 = 41.67.
        let weighted = |id: &str, category, stage, weight| {
            let mut q = question(id, category, stage);
            q.weight = weight;
            q
        };
        let b = bank(vec![
            weighted("light", Category::Security, Stage::Storage, 1),
            weighted("heavy", Category::Security, Stage::Training, 3),
            weighted("p2", Category::Privacy, Stage::Sharing, 2),
            weighted("p1", Category::Privacy, Stage::Sharing, 1),
        ]);
        let mut s = session(&b);
        set(&mut s, "light", Answer::Operating);
        set(&mut s, "heavy", Answer::NotInPlace);
        set(&mut s, "p2", Answer::Designed);
        set(&mut s, "p1", Answer::Implemented);
        let r = score(&b, &s);
        let category = |c| r.category(c).and_then(|c| c.score);
        assert_eq!(category(Category::Security), Some(25.0));
        assert_eq!(
            r.section(Category::Security, Stage::Storage)
                .and_then(|s| s.score),
            Some(100.0)
        );
        assert_eq!(
            r.section(Category::Security, Stage::Training)
                .and_then(|s| s.score),
            Some(0.0)
        );
        let privacy = category(Category::Privacy).unwrap_or_default();
        assert!((privacy - 175.0 / 3.0).abs() < 1e-9, "{privacy}");
        let overall = r.overall.unwrap_or_default();
        assert!(
            (overall - (25.0 + 175.0 / 3.0) / 2.0).abs() < 1e-9,
            "{overall}"
        );
    }

    #[test]
    fn a_critical_question_at_0_settles_not_ready_while_others_are_open() {
        let b = security_bank();
        let mut s = session(&b);
        set(&mut s, "c1", Answer::NotInPlace);
        let r = score(&b, &s);
        let cat = r.category(Category::Security).cloned().unwrap();
        assert_eq!(cat.verdict, Verdict::NotReady);
        assert_eq!(
            cat.pending,
            Some(Pending {
                open: 2,
                open_critical: 0,
                best: Verdict::NotReady,
                worst: Verdict::NotReady
            })
        );
        assert_eq!(
            cat.verdict_text(),
            "Not ready (2 open, 0 critical; no answer to them can change the verdict)"
        );
        assert_eq!(r.verdict, Verdict::NotReady);
    }

    #[test]
    fn an_incomplete_category_names_what_is_left_and_what_can_come_of_it() {
        let b = security_bank();
        let mut s = session(&b);
        set(&mut s, "q1", Answer::Implemented);
        let cat = score(&b, &s).category(Category::Security).cloned().unwrap();
        assert_eq!(cat.verdict, Verdict::Incomplete);
        assert_eq!(
            cat.verdict_text(),
            "Incomplete (2 open, 1 critical; at best Type 2 ready, at worst Not ready)"
        );
        // With the critical question at 3, Type 2 is out of reach.
        set(&mut s, "c1", Answer::Implemented);
        let cat = score(&b, &s).category(Category::Security).cloned().unwrap();
        assert_eq!(
            cat.pending.map(|p| (p.best, p.worst)),
            Some((Verdict::Type1Ready, Verdict::NotReady))
        );
    }

    #[test]
    fn ai_risk_gets_a_maturity_verdict_unless_it_is_in_the_commitments() {
        let mut crit = question("ai-c", Category::AiRisk, Stage::Monitoring);
        crit.critical = true;
        let b = bank(vec![
            question("sec", Category::Security, Stage::Storage),
            crit,
            question("ai-q", Category::AiRisk, Stage::Monitoring),
        ]);
        let mut s = session(&b);
        set(&mut s, "sec", Answer::Operating);
        set(&mut s, "ai-c", Answer::Designed);
        set(&mut s, "ai-q", Answer::Implemented);
        let r = score(&b, &s);
        let ai = r.category(Category::AiRisk).cloned().unwrap();
        assert_eq!(ai.ladder, Ladder::Maturity);
        // (50 + 75) / 2 = 62.5, critical at 2: designed on average, not yet in place.
        assert_eq!(ai.verdict, Verdict::PartlyManaged);
        // Its critical question does not hold back the SOC 2 verdict.
        assert_eq!(r.verdict, Verdict::Type2Ready);
        set(&mut s, "ai-c", Answer::AdHoc);
        let r = score(&b, &s);
        assert_eq!(
            r.category(Category::AiRisk).map(|c| c.verdict),
            Some(Verdict::NotManaged)
        );
        set(&mut s, "ai-c", Answer::Implemented);
        let r = score(&b, &s);
        assert_eq!(
            r.category(Category::AiRisk).map(|c| c.verdict),
            Some(Verdict::Managed)
        );
        // In the commitments: the SOC 2 ladder, and it counts in the overall verdict.
        s.scoping.insert(AI_RISK_IN_COMMITMENTS.into(), true);
        let r = score(&b, &s);
        let ai = r.category(Category::AiRisk).cloned().unwrap();
        assert_eq!((ai.ladder, ai.verdict), (Ladder::Soc2, Verdict::Type1Ready));
        assert_eq!(r.verdict, Verdict::Type1Ready);
    }

    #[test]
    fn scores_are_truncated_so_they_never_cross_a_threshold() {
        assert_eq!(format_score(84.87), "84");
        assert_eq!(format_score(85.0), "85");
        assert_eq!(format_score(69.999), "69");
        assert_eq!(format_score(100.0), "100");
        assert_eq!(format_score(0.0), "0");
        // A mean that is 85 exactly but comes out a hair below in floating point.
        let mean = (84.7 + 85.3) / 2.0;
        assert_eq!(format_score(mean), "85");
        assert_eq!(format_score_or(None, "-"), "-");
        assert_eq!(score_two_decimals(84.996), 84.99);
        assert_eq!(score_two_decimals(200.0 / 3.0), 66.66);
        assert_eq!(score_two_decimals(85.0), 85.0);
    }

    #[test]
    fn a_shown_score_agrees_with_the_verdict_at_every_threshold() {
        // Every weighted mean a category of up to 12 weight units can have.
        let t = Thresholds::default();
        for weight in 1..=12u64 {
            for points in 0..=(100 * weight) {
                let sum = WeightedSum { points, weight };
                let shown = u64::from(shown_points(sum.score().unwrap_or(0.0)));
                for rule in [t.type1, t.type2] {
                    assert_eq!(
                        shown >= u64::from(rule.min_score),
                        sum.at_least(rule.min_score),
                        "{points}/{weight}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_overall_score_states_its_basis() {
        let b = security_bank();
        let mut s = session(&b);
        set(&mut s, "q1", Answer::Implemented);
        let r = score(&b, &s);
        assert_eq!(
            r.overall_basis_text(),
            "the score of 1 category, counting answered questions only: 1 of 3 applicable answered; N/A and open questions do not count"
        );
    }

    #[test]
    fn a_shared_question_counts_in_each_category_and_is_listed_once() {
        let mut shared = question("shared", Category::Privacy, Stage::Disposal);
        shared.also_in = vec![Category::Security];
        let b = bank(vec![
            question("s", Category::Security, Stage::Disposal),
            shared,
            question("p", Category::Privacy, Stage::Disposal),
        ]);
        let mut s = session(&b);
        set(&mut s, "s", Answer::Operating);
        set(&mut s, "shared", Answer::AdHoc);
        s.record_mut("shared").discuss_later = true;
        let r = score(&b, &s);
        let security = r.category(Category::Security).cloned();
        let privacy = r.category(Category::Privacy).cloned();
        // Security: (100 + 25) / 2; Privacy: 25 with p still open.
        assert_eq!(security.as_ref().and_then(|c| c.score), Some(62.5));
        assert_eq!(
            security.map(|c| c.completion),
            Some(Completion {
                answered: 2,
                applicable: 2
            })
        );
        assert_eq!(privacy.as_ref().and_then(|c| c.score), Some(25.0));
        assert_eq!(
            privacy.map(|c| c.completion),
            Some(Completion {
                answered: 1,
                applicable: 2
            })
        );
        // Overall completion counts the shared question once.
        assert_eq!(
            r.completion,
            Completion {
                answered: 2,
                applicable: 3
            }
        );
        let listed: Vec<&str> = r.questions.iter().map(|q| q.id).collect();
        assert_eq!(listed, ["s", "shared", "p"]);
        let gaps: Vec<&str> = r.gaps.iter().map(|g| g.question_id).collect();
        assert_eq!(gaps, ["shared"]);
        assert_eq!(r.follow_ups.len(), 1);

        // With Privacy out of scope it still counts in Security, where it is shared.
        s.categories.remove(&Category::Privacy);
        let r = score(&b, &s);
        assert!(r.category(Category::Privacy).is_none());
        assert_eq!(
            r.category(Category::Security).and_then(|c| c.score),
            Some(62.5)
        );
        // Listed under the category it counts in, not the one out of scope.
        assert_eq!(r.gaps[0].category, Category::Security);
        assert_eq!(r.follow_ups[0].category, Category::Security);
        let listed = r
            .questions
            .iter()
            .find(|q| q.id == "shared")
            .map(|q| q.category);
        assert_eq!(listed, Some(Category::Security));
        let status = |id: &str| r.questions.iter().find(|q| q.id == id).map(|q| q.status);
        assert_eq!(
            status("shared"),
            Some(QuestionStatus::Scored {
                level: 1,
                unknown: false
            })
        );
        assert_eq!(status("p"), Some(QuestionStatus::Hidden));
        assert_eq!(r.gaps.len(), 1);
        assert_eq!(r.follow_ups.len(), 1);
        assert_eq!(
            r.completion,
            Completion {
                answered: 2,
                applicable: 2
            }
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// The names of the people who vote in generated sessions.
        const VOTERS: [&str; 3] = ["Ana", "Ben", "Chi"];

        /// (category, stage, weight, critical, generative-only) per question, and an answer index
        /// per question: 0..7 for Answer::ALL, 7 for unanswered.
        type Spec = (usize, usize, u8, bool, bool);

        fn case() -> impl Strategy<Value = (Vec<Spec>, Vec<usize>)> {
            prop::collection::vec(
                (
                    0..Category::ALL.len(),
                    0..Stage::ALL.len(),
                    1..=3u8,
                    any::<bool>(),
                    any::<bool>(),
                ),
                1..24,
            )
            .prop_flat_map(|qs| {
                let n = qs.len();
                (Just(qs), prop::collection::vec(0..8usize, n))
            })
        }

        /// A case, one of its questions (made applicable, so that changing it matters) and an
        /// answer for it from `answers` (indexes into Answer::ALL): the precondition of the
        /// properties that change one question, met by every generated case.
        fn case_with_pick(
            answers: &'static [usize],
        ) -> impl Strategy<Value = (Vec<Spec>, Vec<usize>, usize)> {
            (
                case(),
                any::<prop::sample::Index>(),
                prop::sample::select(answers),
            )
                .prop_map(|((mut qs, mut all), pick, answer)| {
                    let i = pick.index(qs.len());
                    qs[i].4 = false;
                    all[i] = answer;
                    (qs, all, i)
                })
        }

        /// Answers that score (the five levels and Unknown), as indexes into Answer::ALL.
        const SCORED: &[usize] = &[0, 1, 2, 3, 4, 6];
        /// Answers that can be raised by one level (Unknown rises to 1).
        const RAISABLE: &[usize] = &[0, 1, 2, 3, 6];

        fn questions(qs: &[Spec]) -> Vec<Question> {
            qs.iter()
                .enumerate()
                .map(|(i, (c, st, w, crit, gen_only))| {
                    let mut q = question(&id(i), Category::ALL[*c], Stage::ALL[*st]);
                    q.weight = *w;
                    q.critical = *crit;
                    if *gen_only {
                        q.applies_if = Condition::Yes("generative".into());
                    }
                    q
                })
                .collect()
        }

        fn id(i: usize) -> String {
            format!("q{i:02}")
        }

        fn build(qs: &[Spec], answers: &[usize]) -> (QuestionBank, Session) {
            let b = bank(questions(qs));
            let mut s = session(&b);
            s.scoping
                .insert("generative".into(), answers.len().is_multiple_of(2));
            s.participants = VOTERS
                .iter()
                .map(|name| crate::domain::session::Participant {
                    name: (*name).into(),
                    role: String::new(),
                })
                .collect();
            for (i, a) in answers.iter().enumerate() {
                if let Some(answer) = Answer::ALL.get(*a) {
                    set(&mut s, &id(i), *answer);
                }
                // Votes that vary with the case: agreeing, spread, N/A, Unknown or missing.
                for (p, voter) in VOTERS.iter().enumerate() {
                    if let Some(vote) = Answer::ALL.get((a + p * (i + 1)) % 8) {
                        s.record_vote(&id(i), voter, Some(*vote), Timestamp::UNIX_EPOCH);
                    }
                }
            }
            (b, s)
        }

        fn all_scores(r: &Results<'_>) -> Vec<Option<f64>> {
            let mut out = vec![r.overall];
            for c in &r.categories {
                out.push(c.score);
                out.extend(c.sections.iter().map(|s| s.score));
            }
            out
        }

        /// Scores keyed by where they belong, so that two results can be compared cell by cell.
        fn scores_by_place(r: &Results<'_>) -> Vec<(Category, Option<Stage>, Option<f64>)> {
            let mut out = Vec::new();
            for c in &r.categories {
                out.push((c.category, None, c.score));
                out.extend(
                    c.sections
                        .iter()
                        .map(|s| (c.category, Some(s.stage), s.score)),
                );
            }
            out
        }

        fn close(x: Option<f64>, y: Option<f64>) -> bool {
            match (x, y) {
                (Some(x), Some(y)) => (x - y).abs() < 1e-9,
                (x, y) => x.is_none() && y.is_none(),
            }
        }

        /// Ids of the applicable open questions.
        fn open_ids(r: &Results<'_>) -> Vec<String> {
            r.questions
                .iter()
                .filter(|q| q.status == QuestionStatus::Open)
                .map(|q| q.id.to_string())
                .collect()
        }

        /// Per category and overall: (verdict, pending) before, and the verdict after some
        /// completion; checks the completion lies between the bounds.
        fn check_within(before: &Results<'_>, after: &Results<'_>) -> Result<(), TestCaseError> {
            prop_assert!(after.completion.is_complete());
            let pairs = before
                .categories
                .iter()
                .map(|c| (c.verdict, c.pending, c.ladder))
                .zip(after.categories.iter().map(|c| c.verdict));
            for ((v, p, ladder), done) in pairs {
                prop_assert!(
                    ladder.verdicts().contains(&done),
                    "{:?} on {:?}",
                    done,
                    ladder
                );
                match p {
                    None => prop_assert_eq!(v, done),
                    Some(p) => {
                        prop_assert!(
                            p.worst.rank() <= done.rank() && done.rank() <= p.best.rank(),
                            "{:?} outside {:?}",
                            done,
                            p
                        );
                        if v != Verdict::Incomplete {
                            prop_assert_eq!(v, done, "a settled verdict changed");
                        }
                    }
                }
            }
            match before.pending {
                None => prop_assert_eq!(before.verdict, after.verdict),
                Some(p) => prop_assert!(
                    p.worst.rank() <= after.verdict.rank() && after.verdict.rank() <= p.best.rank()
                ),
            }
            Ok(())
        }

        proptest! {
            #[test]
            fn best_and_worst_bound_every_completion((qs, answers) in case(), fill in prop::collection::vec(0..7usize, 64)) {
                let (b, s) = build(&qs, &answers);
                let before = score(&b, &s);
                let mut done = s.clone();
                for (id, a) in open_ids(&before).iter().zip(fill.iter().cycle()) {
                    set(&mut done, id, Answer::ALL[*a]);
                }
                check_within(&before, &score(&b, &done))?;
            }

            #[test]
            fn the_bounds_are_reached_and_a_settled_verdict_is_certain((qs, answers) in case()) {
                let (b, mut s) = build(&qs, &answers);
                // At most three open questions, so that every completion can be tried.
                let first = score(&b, &s);
                for id in open_ids(&first).iter().skip(3) {
                    set(&mut s, id, Answer::Designed);
                }
                let before = score(&b, &s);
                let open = open_ids(&before);
                let mut best: Vec<Option<u8>> = vec![None; before.categories.len() + 1];
                let mut worst: Vec<Option<u8>> = vec![None; before.categories.len() + 1];
                let completions = 7usize.pow(u32::try_from(open.len()).unwrap_or(0));
                for n in 0..completions {
                    let mut done = s.clone();
                    let mut k = n;
                    for id in &open {
                        set(&mut done, id, Answer::ALL[k % 7]);
                        k /= 7;
                    }
                    let after = score(&b, &done);
                    check_within(&before, &after)?;
                    let ranks = after.categories.iter().map(|c| c.verdict.rank()).chain([after.verdict.rank()]);
                    for (i, r) in ranks.enumerate() {
                        best[i] = Some(best[i].map_or(r, |x| x.max(r)));
                        worst[i] = Some(worst[i].map_or(r, |x| x.min(r)));
                    }
                }
                let bounds = before
                    .categories
                    .iter()
                    .map(|c| (c.verdict, c.pending))
                    .chain([(before.verdict, before.pending)]);
                for (i, (v, p)) in bounds.enumerate() {
                    let (b_rank, w_rank) = p.map_or((v.rank(), v.rank()), |p| (p.best.rank(), p.worst.rank()));
                    prop_assert_eq!(Some(b_rank), best[i], "best of {}", i);
                    prop_assert_eq!(Some(w_rank), worst[i], "worst of {}", i);
                    // Settled exactly when every completion agrees.
                    let certain = best[i] == worst[i];
                    let settled_low = p.is_some_and(|p| !p.best.is_positive());
                    if p.is_some() {
                        prop_assert_eq!(v != Verdict::Incomplete, settled_low, "{:?} {:?}", v, p);
                        if settled_low {
                            prop_assert!(certain);
                        }
                    }
                }
            }

            #[test]
            fn scores_stay_within_0_and_100((qs, answers) in case()) {
                let (b, s) = build(&qs, &answers);
                let r = score(&b, &s);
                for v in all_scores(&r).into_iter().flatten() {
                    prop_assert!((0.0..=100.0).contains(&v), "score {v}");
                }
                for q in &r.questions {
                    prop_assert!(q.points.is_none_or(|p| p <= 100));
                }
            }

            #[test]
            fn raising_one_level_never_lowers_a_score((qs, answers, i) in case_with_pick(RAISABLE)) {
                let (b, mut s) = build(&qs, &answers);
                let raised = match s.answer(&id(i)) {
                    Some(Answer::Unknown) => Some(Answer::AdHoc),
                    Some(a) => a.level().and_then(|l| Answer::from_level(l + 1)),
                    None => None,
                };
                let Some(raised) = raised else { unreachable!("the picked answer can be raised") };
                let before = score(&b, &s);
                set(&mut s, &id(i), raised);
                let after = score(&b, &s);
                for (x, y) in all_scores(&before).into_iter().zip(all_scores(&after)) {
                    prop_assert_eq!(x.is_some(), y.is_some());
                    if let (Some(x), Some(y)) = (x, y) {
                        prop_assert!(y >= x - 1e-9, "{} fell to {}", x, y);
                    }
                }
                // The verdicts still reachable only move up.
                let bounds = |v: Verdict, p: Option<Pending>| p.map_or((v.rank(), v.rank()), |p| (p.best.rank(), p.worst.rank()));
                let pairs = before.categories.iter().zip(&after.categories).map(|(x, y)| ((x.verdict, x.pending), (y.verdict, y.pending)));
                for ((v0, p0), (v1, p1)) in pairs.chain([((before.verdict, before.pending), (after.verdict, after.pending))]) {
                    let (best0, worst0) = bounds(v0, p0);
                    let (best1, worst1) = bounds(v1, p1);
                    prop_assert!(best1 >= best0 && worst1 >= worst0, "{:?} {:?} -> {:?} {:?}", v0, p0, v1, p1);
                }
            }

            #[test]
            fn na_changes_no_other_contribution((qs, answers, i) in case_with_pick(SCORED)) {
                let (b, mut s) = build(&qs, &answers);
                let before = score(&b, &s);
                set(&mut s, &id(i), Answer::NotApplicable);
                let after = score(&b, &s);
                let mut seen = false;
                for (x, y) in before.questions.iter().zip(&after.questions) {
                    if x.id != id(i) {
                        prop_assert_eq!(x, y);
                    } else {
                        prop_assert!(x.points.is_some(), "the picked question scored before");
                        prop_assert_eq!(y.points, None);
                        seen = true;
                    }
                }
                prop_assert!(seen);
                // And every score is what it would be without the question at all.
                let mut without: Vec<Spec> = qs.clone();
                without.remove(i);
                let mut others = answers.clone();
                others.remove(i);
                let (b_without, _) = build(&without, &others);
                let mut s_without = s.clone();
                s_without.records.remove(&id(i));
                // Questions after the removed one keep their ids in the session: rename them.
                let records = std::mem::take(&mut s_without.records);
                for (old, r) in records {
                    let n: usize = old[1..].parse().unwrap_or_default();
                    let new = if n > i { id(n - 1) } else { old };
                    s_without.records.insert(new, r);
                }
                let r_without = score(&b_without, &s_without);
                for (category, stage, x) in scores_by_place(&after) {
                    let y = scores_by_place(&r_without)
                        .into_iter()
                        .find(|(c, st, _)| (*c, *st) == (category, stage))
                        .and_then(|found| found.2);
                    prop_assert!(close(x, y), "{:?} {:?}: {:?} against {:?}", category, stage, x, y);
                }
                prop_assert!(close(after.overall, r_without.overall));
            }

            #[test]
            fn a_weight_counts_like_that_many_copies_of_the_question((qs, answers) in case()) {
                // Weight 3 must weigh exactly as three weight-1 questions with the same answer:
                // a definition of weighting that does not repeat the scoring formula.
                let (b, s) = build(&qs, &answers);
                let mut copies = Vec::new();
                let mut copied = session(&b);
                copied.scoping = s.scoping.clone();
                for (i, q) in questions(&qs).into_iter().enumerate() {
                    for k in 0..q.weight {
                        let mut one = q.clone();
                        one.id = format!("{}-{k}", q.id);
                        one.weight = 1;
                        if let Some(answer) = s.answer(&q.id) {
                            set(&mut copied, &one.id, answer);
                        }
                        copies.push(one);
                    }
                    prop_assert_eq!(&q.id, &id(i));
                }
                let r = score(&b, &s);
                let copies = bank(copies);
                let r_copies = score(&copies, &copied);
                let (x, y) = (scores_by_place(&r), scores_by_place(&r_copies));
                prop_assert_eq!(x.len(), y.len());
                for (x, y) in x.iter().zip(&y) {
                    prop_assert_eq!((x.0, x.1), (y.0, y.1));
                    prop_assert!(close(x.2, y.2), "{:?} against {:?}", x, y);
                }
                prop_assert!(close(r.overall, r_copies.overall));
            }

            #[test]
            fn heavier_weight_pulls_a_score_towards_the_question(
                (mut qs, answers, i) in case_with_pick(SCORED),
                weight in 1..=2u8,
            ) {
                qs[i].2 = weight;
                let (b, s) = build(&qs, &answers);
                let before = score(&b, &s);
                let q = before.questions.iter().find(|q| q.id == id(i)).cloned();
                let Some(q) = q else { unreachable!("every question is scored") };
                let p = q.points.map(f64::from);
                let Some(p) = p else { unreachable!("the picked question has points") };
                let mut heavier = b.clone();
                for qn in heavier.questionnaires.iter_mut().flat_map(|qn| qn.sections.iter_mut()).flat_map(|s| s.questions.iter_mut()) {
                    if qn.id == q.id {
                        qn.weight += 1;
                    }
                }
                let after = score(&heavier, &s);
                let old = before.category(q.category).and_then(|c| c.score);
                let new = after.category(q.category).and_then(|c| c.score);
                let (Some(old), Some(new)) = (old, new) else {
                    unreachable!("the category has a scored question")
                };
                // The category score moves towards the question's points and never past them.
                prop_assert!((new - p).abs() <= (old - p).abs() + 1e-9);
                prop_assert!((new - old) * (p - old) >= -1e-9);
            }

            #[test]
            fn votes_never_change_a_score((qs, answers) in case()) {
                // Votes are what each person said; only the agreed answer is scored.
                let (b, s) = build(&qs, &answers);
                prop_assert!(s.records.values().any(|r| !r.votes.is_empty()));
                let mut silent = s.clone();
                for r in silent.records.values_mut() {
                    r.votes.clear();
                }
                let (with, without) = (score(&b, &s), score(&b, &silent));
                prop_assert_eq!(all_scores(&with), all_scores(&without));
                prop_assert_eq!(with.verdict, without.verdict);
                prop_assert_eq!(&with.questions, &without.questions);
            }
        }
    }
}
