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
use super::session::{Session, Target};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;

/// The vote spread from which a question counts as a disagreement.
pub const DISAGREEMENT_SPREAD: u8 = 2;

/// How far an auditor would get with a category today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Verdict {
    /// Complete, every critical question at the Type 2 level, score at the Type 2 minimum.
    Type2Ready,
    /// Complete, every critical question at the Type 1 level, score at the Type 1 minimum.
    Type1Ready,
    /// Complete but short of Type 1.
    NotReady,
    /// Applicable questions are still open.
    Incomplete,
}

impl Verdict {
    /// The name a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Verdict::Type2Ready => "Type 2 ready",
            Verdict::Type1Ready => "Type 1 ready",
            Verdict::NotReady => "Not ready",
            Verdict::Incomplete => "Incomplete",
        }
    }

    /// Rank of a complete verdict, higher is better; Incomplete ranks lowest.
    fn rank(self) -> u8 {
        match self {
            Verdict::Incomplete => 0,
            Verdict::NotReady => 1,
            Verdict::Type1Ready => 2,
            Verdict::Type2Ready => 3,
        }
    }

    /// Whether this verdict meets a target.
    pub fn meets(self, target: Target) -> bool {
        match target {
            Target::Type1 => matches!(self, Verdict::Type1Ready | Verdict::Type2Ready),
            Target::Type2 => self == Verdict::Type2Ready,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
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
    /// How far an auditor would get.
    pub verdict: Verdict,
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
    /// Incomplete if any category is, otherwise the weakest category verdict.
    pub verdict: Verdict,
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

impl Results<'_> {
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

/// The verdict of a category from its completeness, weighted score and critical questions.
fn verdict_of(
    complete: bool,
    sum: WeightedSum,
    critical_min_level: Option<u8>,
    thresholds: &Thresholds,
) -> Verdict {
    if !complete {
        return Verdict::Incomplete;
    }
    let meets = |rule: &VerdictRule| {
        sum.at_least(rule.min_score)
            && critical_min_level.is_none_or(|level| level >= rule.critical_min_level)
    };
    if meets(&thresholds.type2) {
        Verdict::Type2Ready
    } else if meets(&thresholds.type1) {
        Verdict::Type1Ready
    } else {
        Verdict::NotReady
    }
}

/// Scores a session against a question bank.
pub fn score<'b>(bank: &'b QuestionBank, session: &Session) -> Results<'b> {
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
        let mut cat_sum = WeightedSum::default();
        let mut cat_completion = Completion::default();
        let mut critical = 0;
        let mut critical_min_level: Option<u8> = None;
        let mut sections = Vec::new();

        // The category's own questions and those shared with it (see
        // `QuestionBank::category_sections`).
        for section in bank.category_sections(category) {
            let mut sum = WeightedSum::default();
            let mut sec_completion = Completion::default();
            for member in &section.members {
                let question = member.question;
                let record = session.records.get(&question.id);
                let answer = record.and_then(|r| r.answer);
                let applies = session.applies_in(question, category, &scoping);
                let status = status_of(applies, answer);
                let pts = match status {
                    QuestionStatus::Scored { .. } => answer.and_then(|a| points(a, thresholds)),
                    _ => None,
                };
                // A question is listed, ranked as a gap and followed up once, where it is
                // written, even when it counts only in a category it is shared with.
                if !member.shared {
                    matched += usize::from(record.is_some());
                    let status = if applies {
                        status
                    } else {
                        status_of(session.applies(question, &scoping), answer)
                    };
                    let pts = match status {
                        QuestionStatus::Scored { .. } => answer.and_then(|a| points(a, thresholds)),
                        _ => None,
                    };
                    // Listed under its own category, or the first one it is shared with that
                    // is in scope when its own is not.
                    let shown = question
                        .categories()
                        .find(|c| session.in_scope(*c))
                        .unwrap_or(question.category);
                    questions.push(QuestionScore {
                        id: &question.id,
                        category: shown,
                        stage: question.stage,
                        weight: question.weight,
                        critical: question.critical,
                        status,
                        points: pts,
                    });
                    if let QuestionStatus::Scored { level, .. } = status
                        && level < target_level
                    {
                        gaps.push(gap(question, shown, answer, level, target_level));
                    }
                    if let Some(record) = record
                        && status != QuestionStatus::Hidden
                    {
                        let unknown = answer == Some(Answer::Unknown);
                        if unknown || record.discuss_later {
                            follow_ups.push(FollowUp {
                                question_id: &question.id,
                                category: shown,
                                stage: question.stage,
                                unknown,
                                flagged: record.discuss_later,
                            });
                        }
                        if let Some(spread) = record.vote_spread()
                            && spread >= DISAGREEMENT_SPREAD
                        {
                            disagreements.push(Disagreement {
                                question_id: &question.id,
                                category: shown,
                                stage: question.stage,
                                spread,
                                median: record.vote_median(),
                            });
                        }
                    }
                }
                if !applies {
                    continue;
                }
                sec_completion.applicable += 1;
                if answer.is_some() {
                    sec_completion.answered += 1;
                }
                if let Some(p) = pts {
                    sum.add(p, question.weight);
                }
                if let QuestionStatus::Scored { level, .. } = status {
                    if question.critical {
                        critical += 1;
                        critical_min_level =
                            Some(critical_min_level.map_or(level, |m| m.min(level)));
                    }
                } else if question.critical && status == QuestionStatus::Open {
                    critical += 1;
                }
            }
            cat_sum.merge(sum);
            cat_completion.add(sec_completion);
            if in_scope {
                sections.push(SectionResult {
                    category,
                    stage: section.stage,
                    score: sum.score(),
                    completion: sec_completion,
                });
            }
        }

        if !in_scope || bank.questionnaire(category).is_none() {
            continue;
        }
        categories.push(CategoryResult {
            category,
            score: cat_sum.score(),
            verdict: verdict_of(
                cat_completion.is_complete(),
                cat_sum,
                critical_min_level,
                thresholds,
            ),
            completion: cat_completion,
            critical,
            critical_min_level,
            sections,
        });
    }

    // Each applicable question once, however many categories it counts in.
    let mut completion = Completion::default();
    for q in &questions {
        match q.status {
            QuestionStatus::Hidden => {}
            QuestionStatus::Open => completion.applicable += 1,
            _ => completion.add(Completion {
                answered: 1,
                applicable: 1,
            }),
        }
    }
    let scored: Vec<f64> = categories.iter().filter_map(|c| c.score).collect();
    let overall = (!scored.is_empty()).then(|| scored.iter().sum::<f64>() / scored.len() as f64);
    let verdict = categories
        .iter()
        .map(|c| c.verdict)
        .min_by_key(|v| v.rank())
        .unwrap_or(Verdict::Incomplete);

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

    Results {
        target: session.target,
        target_level,
        overall,
        verdict,
        completion,
        categories,
        questions,
        gaps,
        follow_ups,
        disagreements,
        orphaned,
    }
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

        proptest! {
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
                prop_assert!(after.verdict.rank() >= before.verdict.rank());
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
