//! The report context: everything a report shows, computed once from a session and its results
//! and turned into text for reading. User text is kept raw and escaped by the renderer.

use super::matrix::{self, ControlRow, EvidenceGroup};
use super::{DocumentControl, Options, TOP_GAPS};
use crate::domain::framework::{Category, Framework, Stage};
use crate::domain::questionnaire::{Question, QuestionBank, Thresholds};
use crate::domain::scale::Answer;
use crate::domain::scoring::{self, Ladder, QuestionStatus, Results, Verdict};
use crate::domain::session::{
    ActionStatus, FollowUp, Participant, QuestionRecord, Session, Target,
};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::borrow::Cow;
// foldhash (already in the dependency tree through ratatui) hashes the many short question ids of
// a large report several times faster than the standard library's SipHash.
use foldhash::{HashMap, HashMapExt, HashSet};
use std::collections::BTreeMap;

/// Shown where there is no value (an en dash, which no Markdown reader takes for a list).
pub const NONE: &str = "\u{2013}";

/// Everything a report shows, computed once and formatted for reading. Numbers are already
/// turned into text so that templates stay simple; user text is kept raw and escaped by the
/// renderer.
#[derive(Debug, Clone, Serialize)]
pub struct ReportContext<'a> {
    /// The program and version that wrote the report.
    pub generator: String,
    /// When the report was generated (UTC, to the minute).
    pub generated: String,
    /// The same as an RFC 3339 time stamp, for machines.
    pub generated_at: String,
    /// Whether names were replaced by pseudonyms.
    pub anonymized: bool,
    /// The session's participants, for the votes of register rows (the workbook).
    #[serde(skip)]
    pub voters: &'a [Participant],
    /// Title, subtitle, date and author, for the document's metadata block.
    pub meta: Meta<'a>,
    /// Version, classification and distribution of the document.
    pub document: &'a DocumentControl,
    /// Session details.
    pub session: SessionDetails<'a>,
    /// What is assessed and what is not.
    pub scope: Scope<'a>,
    /// How answers become scores and verdicts.
    pub method: Method,
    /// Overall and per-category results.
    pub summary: Summary,
    /// The category scores as a chart.
    pub chart: Chart,
    /// The category x stage heatmap.
    pub heatmap: Heatmap,
    /// The most urgent gaps.
    pub top_gaps: Vec<ActionRow<'a>>,
    /// Every gap, then other questions with an owner or due date.
    pub actions: Vec<ActionRow<'a>>,
    /// Every applicable question, for the CSV register (empty unless asked for).
    pub register: Vec<ActionRow<'a>>,
    /// Unknown answers and flagged questions.
    pub follow_ups: Vec<FollowUpRow<'a>>,
    /// Questions whose votes are far apart.
    pub disagreements: Vec<DisagreementRow<'a>>,
    /// SOC 2 criterion -> questions -> lowest level -> evidence.
    pub controls: Vec<ControlRow<'a>>,
    /// The same for NIST AI RMF subcategories.
    pub nist: Vec<ControlRow<'a>>,
    /// The same for ISO/IEC 42001 Annex A controls.
    pub iso: Vec<ControlRow<'a>>,
    /// Evidence to gather for every gap, by the owner of its action.
    pub evidence_requests: Vec<EvidenceGroup<'a>>,
    /// Every question, by category and stage.
    pub appendix: Vec<AppendixCategory<'a>>,
    /// Answers to questions the questionnaires no longer have.
    pub orphaned: Vec<OrphanRow<'a>>,
    /// Who did pre-work and how much of it.
    pub prework: Vec<PreworkRow>,
    /// Questions whose agreed level was accepted from unanimous votes.
    pub agreed_from_prework: usize,
    /// Time spent per section against the agenda.
    pub time: Vec<TimeRow>,
    /// Questionnaire versions and content hashes.
    pub content: ContentInfo<'a>,
}

/// What a document converter shows as the title block.
#[derive(Debug, Clone, Serialize)]
pub struct Meta<'a> {
    /// "SOC 2 readiness report: <session name>".
    pub title: String,
    /// Organisation and AI system.
    pub subtitle: String,
    /// The report date, YYYY-MM-DD.
    pub date: String,
    /// The facilitator, or empty.
    pub author: &'a str,
}

/// Who, what and when.
#[derive(Debug, Clone, Serialize)]
pub struct SessionDetails<'a> {
    /// Session id.
    pub id: &'a str,
    /// Session name.
    pub name: &'a str,
    /// Organisation assessed.
    pub organisation: &'a str,
    /// AI system in scope.
    pub system: &'a str,
    /// Created (UTC).
    pub created: String,
    /// Last changed (UTC).
    pub updated: String,
    /// Created, as an RFC 3339 time stamp.
    pub created_at: String,
    /// Last changed, as an RFC 3339 time stamp.
    pub updated_at: String,
    /// "Type 1" or "Type 2".
    pub target: String,
    /// Whether the target is Type 2.
    pub type2: bool,
    /// The level gaps are measured against.
    pub target_level: u8,
    /// The intended observation period, e.g. "2026-03-01 to 2026-08-31 (184 days)", or empty.
    pub period: String,
    /// The session this one started from, as "name (id)"; empty for a first assessment.
    pub started_from: String,
    /// Answers carried over from that session and not yet confirmed by the room.
    pub unconfirmed: usize,
    /// "workshop" or "solo".
    pub mode: String,
    /// Who ran it.
    pub facilitator: &'a str,
    /// Who took part.
    pub participants: Vec<Person<'a>>,
}

/// A participant.
#[derive(Debug, Clone, Serialize)]
pub struct Person<'a> {
    /// Name (or the pseudonym).
    pub name: &'a str,
    /// Role.
    pub role: &'a str,
}

/// What is assessed.
#[derive(Debug, Clone, Serialize)]
pub struct Scope<'a> {
    /// Organisation assessed.
    pub organisation: &'a str,
    /// AI system in scope.
    pub system: &'a str,
    /// Titles of the categories in scope.
    pub in_scope: Vec<&'static str>,
    /// Titles of the categories out of scope.
    pub out_of_scope: Vec<&'static str>,
    /// Every category with whether it is in scope and its applicable questions.
    pub categories: Vec<ScopeCategory>,
    /// The scoping profile's questions with the session's answers.
    pub scoping: Vec<ScopingRow<'a>>,
    /// Questions that apply.
    pub applicable: usize,
    /// Questions hidden by scoping or out-of-scope categories.
    pub hidden: usize,
    /// Whether AI risk is judged on the SOC 2 ladder (it is in the service commitments).
    pub ai_risk_in_commitments: bool,
}

/// One category's place in scope.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeCategory {
    /// Title.
    pub title: &'static str,
    /// "in scope (always)", "in scope" or "out of scope".
    pub status: &'static str,
    /// Questions that apply to this system (0 out of scope).
    pub applicable: usize,
    /// Questions hidden by the scoping answers or because the category is out of scope.
    pub hidden: usize,
}

/// One scoping answer.
#[derive(Debug, Clone, Serialize)]
pub struct ScopingRow<'a> {
    /// Key.
    pub key: &'a str,
    /// The question.
    pub prompt: &'a str,
    /// "Yes" or "No", with "(default)" when nobody answered.
    pub answer: String,
}

/// How answers become scores and verdicts, with the thresholds of the content used.
#[derive(Debug, Clone, Serialize)]
pub struct Method {
    /// Points per level (25 by default).
    pub points_per_level: u8,
    /// Type 1 minimum score.
    pub type1_min: u8,
    /// Type 1 minimum level of critical questions.
    pub type1_critical: u8,
    /// Type 2 minimum score.
    pub type2_min: u8,
    /// Type 2 minimum level of critical questions.
    pub type2_critical: u8,
    /// "Partly managed" minimum score.
    pub partly_min: u8,
    /// "Partly managed" minimum level of critical questions.
    pub partly_critical: u8,
    /// The readiness scale with what each answer means for Type 1 and Type 2.
    pub scale: Vec<ScaleRow>,
    /// Applicable questions per weight, e.g. "1: 40, 2: 60, 3: 12".
    pub weights: String,
    /// Applicable critical questions.
    pub critical: usize,
    /// Applicable critical questions of categories on the SOC 2 ladder.
    pub critical_soc2: usize,
}

/// One answer of the readiness scale.
#[derive(Debug, Clone, Serialize)]
pub struct ScaleRow {
    /// "0" to "4", "N/A" or "?".
    pub level: &'static str,
    /// Its name.
    pub name: &'static str,
    /// What it means.
    pub meaning: &'static str,
    /// What it means for a Type 1 examination.
    pub type1: &'static str,
    /// What it means for a Type 2 examination.
    pub type2: &'static str,
    /// Points it scores, or "not scored".
    pub points: String,
}

/// Results at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Overall score, or an en dash without any.
    pub overall: String,
    /// The same as a number (whole points, rounded down), None without any.
    pub overall_points: Option<u32>,
    /// What the overall score is made of.
    pub overall_basis: String,
    /// Overall verdict.
    pub verdict: &'static str,
    /// Overall verdict with what is left, e.g. "Incomplete (12 open, 3 critical; ...)".
    pub verdict_text: String,
    /// What is left alone, e.g. "12 open, 3 critical; at best ...", or empty when complete.
    pub verdict_detail: String,
    /// Answered questions.
    pub answered: usize,
    /// Applicable questions.
    pub applicable: usize,
    /// Completion percentage.
    pub percent: String,
    /// Per category in scope.
    pub categories: Vec<CategorySummary>,
    /// How many gaps.
    pub gaps: usize,
    /// How many critical gaps.
    pub critical_gaps: usize,
    /// How many follow-ups.
    pub follow_ups: usize,
    /// How many disagreements.
    pub disagreements: usize,
    /// How many orphaned answers.
    pub orphaned: usize,
}

/// One category's result.
#[derive(Debug, Clone, Serialize)]
pub struct CategorySummary {
    /// Title.
    pub title: &'static str,
    /// Score, or an en dash.
    pub score: String,
    /// The same as a number (whole points, rounded down), None without any.
    pub points: Option<u32>,
    /// The score's range: "type2", "type1", "below" or "none" (see [`band`]).
    pub band: &'static str,
    /// Verdict.
    pub verdict: &'static str,
    /// Verdict with what is left.
    pub verdict_text: String,
    /// Whether the verdict is a maturity verdict (the category is outside the SOC 2
    /// commitments).
    pub maturity: bool,
    /// Answered questions.
    pub answered: usize,
    /// Applicable questions.
    pub applicable: usize,
    /// Completion percentage.
    pub percent: String,
    /// Applicable critical questions.
    pub critical: usize,
    /// Lowest level among answered critical questions, or an en dash.
    pub critical_min_level: String,
    /// Gaps in this category.
    pub gaps: usize,
}

/// The category scores as a bar chart; categories without a score are left out.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    /// Category titles.
    pub labels: Vec<&'static str>,
    /// Scores as shown elsewhere (whole points, truncated).
    pub values: Vec<u32>,
    /// The same as text bars for readers without Mermaid.
    pub bars: Vec<ChartBar>,
    /// Titles of the categories in scope that have no score yet.
    pub unscored: Vec<&'static str>,
}

/// One bar of the plain-text chart.
#[derive(Debug, Clone, Serialize)]
pub struct ChartBar {
    /// Category title.
    pub label: &'static str,
    /// Score.
    pub score: String,
    /// Twenty characters: `=` per five points, `.` for the rest.
    pub bar: String,
}

/// Section scores, category by stage.
#[derive(Debug, Clone, Serialize)]
pub struct Heatmap {
    /// Stage titles, the columns.
    pub stages: Vec<&'static str>,
    /// One row per category in scope.
    pub rows: Vec<HeatmapRow>,
}

/// One category of the heatmap.
#[derive(Debug, Clone, Serialize)]
pub struct HeatmapRow {
    /// Category title.
    pub category: &'static str,
    /// One cell per stage: a score (with answered/applicable while incomplete), "open (0/n)"
    /// before any answer, or an en dash without applicable questions.
    pub cells: Vec<String>,
    /// The score of each cell as a number (whole points, rounded down), None without one.
    pub scores: Vec<Option<u32>>,
    /// The range of each cell's score (see [`band`]).
    pub bands: Vec<&'static str>,
    /// The category score.
    pub total: String,
    /// The category score as a number, None without one.
    pub total_points: Option<u32>,
    /// The range of the category score.
    pub total_band: &'static str,
}

/// Where a score stands against the content's thresholds: "type2" (at least the Type 2
/// minimum), "type1" (at least the Type 1 minimum), "below", or "none" without a score. The
/// HTML report and the workbook colour heatmap cells by it.
pub fn band(points: Option<u32>, thresholds: &Thresholds) -> &'static str {
    match points {
        None => "none",
        Some(p) if p >= u32::from(thresholds.type2.min_score) => "type2",
        Some(p) if p >= u32::from(thresholds.type1.min_score) => "type1",
        Some(_) => "below",
    }
}

/// A gap or another follow-up action, as listed in the action plan (or a question of the
/// register).
#[derive(Debug, Clone, Serialize)]
pub struct ActionRow<'a> {
    /// Position in the plan, from 1.
    pub rank: usize,
    /// Whether the question is below the target level.
    pub gap: bool,
    /// Question id.
    pub id: &'a str,
    /// Category title.
    pub category: &'static str,
    /// Stage title.
    pub stage: &'static str,
    /// The question.
    pub prompt: &'a str,
    /// The agreed answer, e.g. "1 Ad hoc", or "open".
    pub answer: &'static str,
    /// The same as a value, None while open. This and the other skipped fields are for the
    /// workbook and OSCAL, which work from values rather than text.
    #[serde(skip)]
    pub agreed: Option<Answer>,
    /// The level it counts as, or an en dash.
    pub level: &'static str,
    /// The target level.
    pub target: u8,
    /// Weight x shortfall (0 for actions that are not gaps).
    pub priority: u32,
    /// Whether the question is critical.
    pub critical: bool,
    /// First steps to close the gap.
    pub remediation: &'a str,
    /// What is to be done, as agreed.
    pub what: &'a str,
    /// Who owns the action.
    pub owner: &'a str,
    /// When it is due, or empty.
    pub due: String,
    /// The same as a date.
    #[serde(skip)]
    pub due_date: Option<Date>,
    /// Where the action stands: "open", "in progress", "done", "won't do: reason"; empty when
    /// nothing was decided.
    pub status: String,
    /// Past its due date (on the day the report is generated) and still open or in progress.
    pub overdue: bool,
    /// "carried over: confirm" while the answer is only carried over from the previous
    /// session; empty otherwise.
    pub carried: &'static str,
    /// Notes on the question.
    pub notes: &'a str,
    /// The record behind the row, for the votes.
    #[serde(skip)]
    pub record: &'a QuestionRecord,
    /// SOC 2 criteria it maps to. This and the next three are for the CSV and are not passed
    /// to templates, which find the mappings and evidence in the appendix: a large action plan
    /// would otherwise cost every Markdown export noticeably.
    #[serde(skip)]
    pub soc2: &'a [String],
    /// NIST AI RMF subcategories.
    #[serde(skip)]
    pub nist: &'a [String],
    /// ISO/IEC 42001 controls.
    #[serde(skip)]
    pub iso: &'a [String],
    /// Evidence recorded.
    #[serde(skip)]
    pub evidence: &'a [String],
}

/// An Unknown answer or a flagged question.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUpRow<'a> {
    /// Question id.
    pub id: &'a str,
    /// Category title.
    pub category: &'static str,
    /// Stage title.
    pub stage: &'static str,
    /// The question.
    pub prompt: &'a str,
    /// "Unknown", "Flagged" or both.
    pub reason: &'static str,
    /// Who owns the follow-up.
    pub owner: &'a str,
    /// When it is due.
    pub due: String,
    /// Notes.
    pub notes: &'a str,
}

/// A question with votes far apart.
#[derive(Debug, Clone, Serialize)]
pub struct DisagreementRow<'a> {
    /// Question id.
    pub id: &'a str,
    /// Category title.
    pub category: &'static str,
    /// Stage title.
    pub stage: &'static str,
    /// Highest minus lowest rated vote.
    pub spread: u8,
    /// Median vote, or an en dash.
    pub median: &'static str,
    /// The agreed answer, or "open".
    pub agreed: &'static str,
    /// The votes, e.g. "Ana 3, Ben 1".
    pub votes: String,
}

/// The appendix of one category.
#[derive(Debug, Clone, Serialize)]
pub struct AppendixCategory<'a> {
    /// Category title.
    pub title: &'static str,
    /// Whether it is in scope.
    pub in_scope: bool,
    /// Its stages.
    pub stages: Vec<AppendixStage<'a>>,
}

/// The appendix of one section.
#[derive(Debug, Clone, Serialize)]
pub struct AppendixStage<'a> {
    /// Stage title.
    pub title: &'static str,
    /// Its questions.
    pub questions: Vec<AppendixQuestion<'a>>,
}

/// Everything recorded about one question.
#[derive(Debug, Clone, Serialize)]
pub struct AppendixQuestion<'a> {
    /// Question id.
    pub id: &'a str,
    /// The question.
    pub prompt: &'a str,
    /// The answer ("3 Implemented"), "open" or "not in scope".
    pub status: Cow<'static, str>,
    /// "carried over: confirm" while the answer is only carried over from the previous
    /// session; empty otherwise.
    pub carried: &'static str,
    /// Whether it is critical.
    pub critical: bool,
    /// Its weight.
    pub weight: u8,
    /// Criteria and controls it maps to, joined.
    pub maps_to: String,
    /// The primary identifier of each framework with the reason, e.g. "SOC 2 CC8.1: why".
    pub primary: Vec<String>,
    /// Other categories it counts in, joined; empty when it belongs to one.
    pub shared_with: String,
    /// What an auditor inspects on the day (Type 1); empty for format 1 content.
    pub type1_evidence: &'a str,
    /// The population and sample over the period (Type 2); empty for format 1 content.
    pub type2_evidence: &'a str,
    /// How often the control runs and how it is tested, e.g. "quarterly; inquiry and
    /// inspection"; empty for format 1 content.
    pub tested: String,
    /// The exception auditors most often find; empty for format 1 content.
    pub typical_exception: &'a str,
    /// Notes (raw text, may span lines).
    pub notes: &'a str,
    /// Evidence references.
    pub evidence: Vec<&'a str>,
    /// Action owner.
    pub owner: &'a str,
    /// Due date.
    pub due: String,
    /// Owner and due date together, e.g. "Ana, due 2027-01-15"; empty without either.
    pub action: String,
    /// Flagged for discussion.
    pub flagged: bool,
    /// The votes, e.g. "Ana 3, Ben 1".
    pub votes: String,
    /// Participants' pre-work notes, each attributed: "Ana, pre-work: ...".
    pub prework_notes: Vec<String>,
    /// The agreed level was accepted from unanimous votes.
    pub from_prework: bool,
}

/// One participant's pre-work, as merged into the session.
#[derive(Debug, Clone, Serialize)]
pub struct PreworkRow {
    /// The participant.
    pub name: String,
    /// Their role.
    pub role: String,
    /// Questions assigned to them.
    pub assigned: u32,
    /// Questions they answered.
    pub answered: u32,
    /// When they last changed it (UTC).
    pub updated: String,
}

/// An answer kept for a question that no longer exists.
#[derive(Debug, Clone, Serialize)]
pub struct OrphanRow<'a> {
    /// The old question id.
    pub id: &'a str,
    /// The current questions that replace it, joined; an en dash when none does.
    pub replaced_by: String,
    /// The answer, or "open".
    pub answer: &'static str,
    /// Notes.
    pub notes: &'a str,
    /// Evidence, joined.
    pub evidence: String,
    /// Owner.
    pub owner: &'a str,
    /// Due date.
    pub due: String,
    /// Flagged for discussion.
    pub flagged: bool,
    /// Votes.
    pub votes: String,
}

/// Time spent on one section.
#[derive(Debug, Clone, Serialize)]
pub struct TimeRow {
    /// Category title.
    pub category: &'static str,
    /// Stage title.
    pub stage: &'static str,
    /// Minutes and seconds spent, e.g. "12:31".
    pub spent: String,
    /// Minutes planned, e.g. "15:00", or an en dash.
    pub planned: String,
}

/// Which content the session was answered against.
#[derive(Debug, Clone, Serialize)]
pub struct ContentInfo<'a> {
    /// The hash recorded in the session.
    pub session_hash: &'a str,
    /// The hash of the content used for this report.
    pub current_hash: &'a str,
    /// Whether they match.
    pub same: bool,
    /// Questionnaire versions, session and current.
    pub versions: Vec<VersionRow<'a>>,
}

/// One questionnaire's version then and now.
#[derive(Debug, Clone, Serialize)]
pub struct VersionRow<'a> {
    /// Questionnaire id.
    pub id: &'a str,
    /// Version recorded in the session, or an en dash.
    pub session: &'a str,
    /// Version of the content used now, or an en dash.
    pub current: &'a str,
}

/// A time stamp in UTC to the second, e.g. "2026-01-15T10:30:00Z".
fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn stamp(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

pub(super) fn score_text(score: Option<f64>) -> String {
    scoring::format_score_or(score, NONE)
}

fn percent_text(answered: usize, applicable: usize) -> String {
    if applicable == 0 {
        return "100%".to_string();
    }
    // Rounded down so that 99.6% never reads as finished.
    format!("{}%", answered * 100 / applicable)
}

pub(super) fn answer_text(answer: Answer) -> &'static str {
    match answer {
        Answer::NotInPlace => "0 Not in place",
        Answer::AdHoc => "1 Ad hoc",
        Answer::Designed => "2 Designed",
        Answer::Implemented => "3 Implemented",
        Answer::Operating => "4 Operating",
        Answer::NotApplicable => "N/A Not applicable",
        Answer::Unknown => "? Unknown",
    }
}

pub(super) fn answer_or_open(answer: Option<Answer>) -> &'static str {
    answer.map_or("open", answer_text)
}

pub(super) fn level_text(level: Option<u8>) -> &'static str {
    match level {
        Some(0) => "0",
        Some(1) => "1",
        Some(2) => "2",
        Some(3) => "3",
        Some(4) => "4",
        _ => NONE,
    }
}

pub(super) fn due_text(due: Option<Date>) -> String {
    due.map(|d| d.to_string()).unwrap_or_default()
}

/// The votes on a question, e.g. "Ana 3, Ben 1"; a vote by someone who is not (or no longer)
/// a participant says so.
pub(super) fn votes_text(record: &QuestionRecord, participants: &[Participant]) -> String {
    // Sized up front: one allocation per question instead of one per growth step.
    let len: usize = record.votes.keys().map(|who| who.len() + 6).sum();
    let mut out = String::with_capacity(len);
    for (who, a) in &record.votes {
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(who);
        out.push(' ');
        out.push_str(a.short());
        if !participants.iter().any(|p| p.name == *who) {
            out.push_str(" (not a participant)");
        }
    }
    out
}

/// Where an action stands, with the reason when it will not be done; empty without an action.
fn status_text(action: &FollowUp) -> String {
    match &action.status {
        _ if action.is_empty() => String::new(),
        ActionStatus::WontDo(reason) => format!("won't do: {reason}"),
        status => status.title().to_string(),
    }
}

fn minutes_text(seconds: u64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// What each answer means for the two examinations, in our own words.
fn scale_rows(points_per_level: u8) -> Vec<ScaleRow> {
    let examinations = |answer: Answer| -> (&'static str, &'static str) {
        match answer {
            Answer::NotInPlace => (
                "No control to describe: a design gap.",
                "Nothing to test over the period.",
            ),
            Answer::AdHoc => (
                "Not designed: nothing documented that an auditor could inspect.",
                "No consistent operation to sample.",
            ),
            Answer::Designed => (
                "Designed on paper, not shown to be in place: short of Type 1.",
                "Short of Type 2.",
            ),
            Answer::Implemented => (
                "Meets Type 1: in place with evidence at a point in time.",
                "Short of Type 2: operation over the period is not yet evidenced.",
            ),
            Answer::Operating => (
                "Meets Type 1.",
                "Meets Type 2: ran through a period with retained evidence.",
            ),
            Answer::NotApplicable => (
                "Left out of the scores; the justification is recorded and may be challenged.",
                "As for Type 1.",
            ),
            Answer::Unknown => (
                "Counts as 0 until someone finds out; listed as a follow-up.",
                "As for Type 1.",
            ),
        }
    };
    Answer::ALL
        .iter()
        .map(|a| {
            let (type1, type2) = examinations(*a);
            ScaleRow {
                level: a.short(),
                name: a.name(),
                meaning: a.meaning(),
                type1,
                type2,
                points: scoring::points(
                    *a,
                    &crate::domain::questionnaire::Thresholds {
                        points_per_level,
                        ..Default::default()
                    },
                )
                .map_or_else(|| "not scored".to_string(), |p| p.to_string()),
            }
        })
        .collect()
}

/// The record of a question that has none.
static EMPTY_RECORD: QuestionRecord = QuestionRecord {
    answer: None,
    notes: String::new(),
    action: FollowUp {
        what: String::new(),
        owner: String::new(),
        due: None,
        evidence: Vec::new(),
        status: ActionStatus::Open,
        status_date: None,
    },
    discuss_later: false,
    resolved: false,
    votes: BTreeMap::new(),
    carried: None,
    prework_votes: BTreeMap::new(),
    prework_notes: BTreeMap::new(),
    from_prework: false,
};

/// Looks a question's record up, the empty one when nothing was recorded.
pub(super) type RecordOf<'f, 'a> = &'f dyn Fn(&str) -> &'a QuestionRecord;

impl<'a> ReportContext<'a> {
    /// Builds the context from a session and its results against a bank.
    pub fn build(
        bank: &'a QuestionBank,
        session: &'a Session,
        results: &'a Results<'a>,
        options: &'a Options,
    ) -> ReportContext<'a> {
        let questions: HashMap<&str, &'a Question> =
            bank.questions().map(|q| (q.id.as_str(), q)).collect();
        // One hash lookup per use instead of a string-comparing tree search: large sessions
        // look each record up several times.
        let records: HashMap<&str, &'a QuestionRecord> = session
            .records
            .iter()
            .map(|(id, r)| (id.as_str(), r))
            .collect();
        let record_of =
            |id: &str| -> &'a QuestionRecord { records.get(id).copied().unwrap_or(&EMPTY_RECORD) };
        let thresholds = &bank.profile.thresholds;
        // Overdue is judged on the day the report is generated, where the user is.
        let today = options
            .generated
            .to_zoned_datetime(jiff::tz::TimeZone::system())
            .date();

        let period = match (session.target, &session.observation_period) {
            (Target::Type2, Some(p)) => format!("{} to {} ({} days)", p.start, p.end, p.days()),
            _ => String::new(),
        };
        let session_details = SessionDetails {
            id: &session.id,
            name: &session.name,
            organisation: &session.organisation,
            system: &session.system,
            created: stamp(session.created),
            updated: stamp(session.updated),
            created_at: rfc3339(session.created),
            updated_at: rfc3339(session.updated),
            target: session.target.title().to_string(),
            type2: session.target == Target::Type2,
            target_level: results.target_level,
            period,
            started_from: session
                .started_from
                .as_ref()
                .map(|f| format!("{} ({})", f.name, f.id))
                .unwrap_or_default(),
            unconfirmed: session.unconfirmed_count(),
            mode: session.mode.title().to_string(),
            facilitator: &session.facilitator,
            participants: session
                .participants
                .iter()
                .map(|p| Person {
                    name: &p.name,
                    role: &p.role,
                })
                .collect(),
        };

        let subtitle = [session.organisation.trim(), session.system.trim()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        let meta = Meta {
            title: format!("SOC 2 readiness report: {}", session.name),
            subtitle,
            date: options.generated.strftime("%Y-%m-%d").to_string(),
            author: &session.facilitator,
        };

        let mut applicable_in: HashMap<Category, usize> = HashMap::new();
        let mut hidden_in: HashMap<Category, usize> = HashMap::new();
        for q in &results.questions {
            let counter = if q.status == QuestionStatus::Hidden {
                &mut hidden_in
            } else {
                &mut applicable_in
            };
            *counter.entry(q.category).or_default() += 1;
        }
        let hidden: usize = hidden_in.values().sum();
        let present: Vec<Category> = Category::ALL
            .iter()
            .copied()
            .filter(|c| bank.questionnaire(*c).is_some())
            .collect();
        let ai_risk_in_commitments = results
            .category(Category::AiRisk)
            .is_some_and(|c| c.ladder == Ladder::Soc2);
        let scope = Scope {
            organisation: &session.organisation,
            system: &session.system,
            in_scope: present
                .iter()
                .filter(|c| session.in_scope(**c))
                .map(|c| c.title())
                .collect(),
            out_of_scope: present
                .iter()
                .filter(|c| !session.in_scope(**c))
                .map(|c| c.title())
                .collect(),
            categories: present
                .iter()
                .map(|c| ScopeCategory {
                    title: c.title(),
                    status: if c.always_in_scope() {
                        "in scope (always)"
                    } else if session.in_scope(*c) {
                        "in scope"
                    } else {
                        "out of scope"
                    },
                    applicable: applicable_in.get(c).copied().unwrap_or(0),
                    hidden: hidden_in.get(c).copied().unwrap_or(0),
                })
                .collect(),
            scoping: bank
                .profile
                .questions
                .iter()
                .map(|q| {
                    let (value, default) = match session.scoping.get(&q.key) {
                        Some(v) => (*v, false),
                        None => (q.default, true),
                    };
                    let answer = match (value, default) {
                        (true, false) => "Yes",
                        (false, false) => "No",
                        (true, true) => "Yes (default)",
                        (false, true) => "No (default)",
                    };
                    ScopingRow {
                        key: &q.key,
                        prompt: &q.prompt,
                        answer: answer.to_string(),
                    }
                })
                .collect(),
            applicable: results.questions.len() - hidden,
            hidden,
            ai_risk_in_commitments,
        };

        let mut weights: BTreeMap<u8, usize> = BTreeMap::new();
        let mut critical = 0;
        let mut critical_soc2 = 0;
        for q in results
            .questions
            .iter()
            .filter(|q| q.status != QuestionStatus::Hidden)
        {
            *weights.entry(q.weight).or_default() += 1;
            if q.critical {
                critical += 1;
                if results
                    .category(q.category)
                    .is_some_and(|c| c.ladder == Ladder::Soc2)
                {
                    critical_soc2 += 1;
                }
            }
        }
        let partly = Ladder::Maturity.rule_of(thresholds, Verdict::PartlyManaged);
        let method = Method {
            points_per_level: thresholds.points_per_level,
            type1_min: thresholds.type1.min_score,
            type1_critical: thresholds.type1.critical_min_level,
            type2_min: thresholds.type2.min_score,
            type2_critical: thresholds.type2.critical_min_level,
            partly_min: partly.map_or(0, |r| r.min_score),
            partly_critical: partly.map_or(0, |r| r.critical_min_level),
            scale: scale_rows(thresholds.points_per_level),
            weights: weights
                .iter()
                .map(|(w, n)| format!("weight {w}: {n}"))
                .collect::<Vec<_>>()
                .join(", "),
            critical,
            critical_soc2,
        };

        let gaps_in = |c: Category| results.gaps.iter().filter(|g| g.category == c).count();
        let summary = Summary {
            overall: score_text(results.overall),
            overall_points: results.overall.map(scoring::shown_points),
            overall_basis: results.overall_basis_text(),
            verdict: results.verdict.title(),
            verdict_text: results.verdict_text(),
            verdict_detail: results.pending.map(|p| p.describe()).unwrap_or_default(),
            answered: results.completion.answered,
            applicable: results.completion.applicable,
            percent: percent_text(results.completion.answered, results.completion.applicable),
            categories: results
                .categories
                .iter()
                .map(|c| CategorySummary {
                    title: c.category.title(),
                    score: score_text(c.score),
                    points: c.score.map(scoring::shown_points),
                    band: band(c.score.map(scoring::shown_points), thresholds),
                    verdict: c.verdict.title(),
                    verdict_text: c.verdict_text(),
                    maturity: c.ladder == Ladder::Maturity,
                    answered: c.completion.answered,
                    applicable: c.completion.applicable,
                    percent: percent_text(c.completion.answered, c.completion.applicable),
                    critical: c.critical,
                    critical_min_level: level_text(c.critical_min_level).to_string(),
                    gaps: gaps_in(c.category),
                })
                .collect(),
            gaps: results.gaps.len(),
            critical_gaps: results.gaps.iter().filter(|g| g.critical).count(),
            follow_ups: results.follow_ups.len(),
            disagreements: results.disagreements.len(),
            orphaned: results.orphaned.len(),
        };

        let scored: Vec<(&'static str, f64)> = results
            .categories
            .iter()
            .filter_map(|c| c.score.map(|s| (c.category.title(), s)))
            .collect();
        let chart = Chart {
            labels: scored.iter().map(|(l, _)| *l).collect(),
            values: scored
                .iter()
                .map(|(_, s)| scoring::shown_points(*s))
                .collect(),
            bars: scored
                .iter()
                .map(|(label, s)| {
                    let filled = (scoring::shown_points(*s) / 5).min(20) as usize;
                    ChartBar {
                        label,
                        score: scoring::format_score(*s),
                        bar: format!("{}{}", "=".repeat(filled), ".".repeat(20 - filled)),
                    }
                })
                .collect(),
            unscored: results
                .categories
                .iter()
                .filter(|c| c.score.is_none())
                .map(|c| c.category.title())
                .collect(),
        };

        let stages: Vec<Stage> = Stage::ALL
            .iter()
            .copied()
            .filter(|s| {
                results
                    .categories
                    .iter()
                    .any(|c| c.sections.iter().any(|sec| sec.stage == *s))
            })
            .collect();
        let points = |score: Option<f64>| score.map(scoring::shown_points);
        let heatmap = Heatmap {
            stages: stages.iter().map(|s| s.title()).collect(),
            rows: results
                .categories
                .iter()
                .map(|c| {
                    let section = |s: &Stage| c.sections.iter().find(|sec| sec.stage == *s);
                    let scores: Vec<Option<u32>> = stages
                        .iter()
                        .map(|s| points(section(s).and_then(|sec| sec.score)))
                        .collect();
                    HeatmapRow {
                        category: c.category.title(),
                        bands: scores.iter().map(|p| band(*p, thresholds)).collect(),
                        scores,
                        total_points: points(c.score),
                        total_band: band(points(c.score), thresholds),
                        cells: stages
                            .iter()
                            .map(|s| match c.sections.iter().find(|sec| sec.stage == *s) {
                                None => NONE.to_string(),
                                Some(sec) if sec.completion.applicable == 0 => NONE.to_string(),
                                Some(sec) => match sec.score {
                                    None if sec.completion.answered == 0 => {
                                        format!("open (0/{})", sec.completion.applicable)
                                    }
                                    // Answered, but only N/A so far: nothing to score.
                                    None if sec.completion.is_complete() => "N/A".to_string(),
                                    None => format!(
                                        "N/A ({}/{})",
                                        sec.completion.answered, sec.completion.applicable
                                    ),
                                    Some(score) if sec.completion.is_complete() => {
                                        score_text(Some(score))
                                    }
                                    Some(score) => format!(
                                        "{} ({}/{})",
                                        score_text(Some(score)),
                                        sec.completion.answered,
                                        sec.completion.applicable
                                    ),
                                },
                            })
                            .collect(),
                        total: score_text(c.score),
                    }
                })
                .collect(),
        };

        let row = |id: &'a str, question: Option<&'a Question>| {
            let record = record_of(id);
            let ids = |f: Framework| question.map_or(&[][..], |q| q.maps_to.for_framework(f));
            (
                record,
                ids(Framework::Tsc),
                ids(Framework::NistAiRmf),
                ids(Framework::Iso42001),
                record.action.evidence.as_slice(),
            )
        };
        let mut actions: Vec<ActionRow<'a>> = Vec::with_capacity(results.gaps.len());
        for g in &results.gaps {
            let question = questions.get(g.question_id).copied();
            let (record, soc2, nist, iso, evidence) = row(g.question_id, question);
            actions.push(ActionRow {
                rank: actions.len() + 1,
                gap: true,
                id: g.question_id,
                category: g.category.title(),
                stage: g.stage.title(),
                prompt: g.prompt,
                answer: answer_text(g.answer),
                agreed: record.answer,
                level: level_text(Some(g.level)),
                target: results.target_level,
                priority: g.priority(),
                critical: g.critical,
                remediation: g.remediation,
                what: &record.action.what,
                owner: &record.action.owner,
                due: due_text(record.action.due),
                status: status_text(&record.action),
                overdue: record.action.is_overdue(today),
                carried: carried_text(record),
                due_date: record.action.due,
                notes: &record.notes,
                record,
                soc2,
                nist,
                iso,
                evidence,
            });
        }
        let other_row = |q: &scoring::QuestionScore<'a>, rank: usize| -> Option<ActionRow<'a>> {
            let question = questions.get(q.id).copied()?;
            let (record, soc2, nist, iso, evidence) = row(q.id, Some(question));
            Some(ActionRow {
                rank,
                gap: false,
                id: q.id,
                category: q.category.title(),
                stage: q.stage.title(),
                prompt: &question.prompt,
                answer: answer_or_open(record.answer),
                agreed: record.answer,
                level: level_text(record.answer.and_then(Answer::scored_level)),
                target: results.target_level,
                priority: 0,
                critical: q.critical,
                remediation: &question.remediation,
                what: &record.action.what,
                owner: &record.action.owner,
                due: due_text(record.action.due),
                status: status_text(&record.action),
                overdue: record.action.is_overdue(today),
                carried: carried_text(record),
                due_date: record.action.due,
                notes: &record.notes,
                record,
                soc2,
                nist,
                iso,
                evidence,
            })
        };
        let gap_ids: HashSet<&str> = results.gaps.iter().map(|g| g.question_id).collect();
        for q in &results.questions {
            if q.status == QuestionStatus::Hidden || gap_ids.contains(q.id) {
                continue;
            }
            let record = record_of(q.id);
            if record.action.is_empty() {
                continue;
            }
            if let Some(r) = other_row(q, actions.len() + 1) {
                actions.push(r);
            }
        }
        let top_gaps: Vec<ActionRow<'a>> = actions
            .iter()
            .filter(|a| a.gap)
            .take(TOP_GAPS)
            .cloned()
            .collect();

        // The register: every applicable question, gaps first in plan order, then the rest
        // in questionnaire order.
        let mut register: Vec<ActionRow<'a>> = Vec::new();
        if options.csv.register {
            register.extend(actions.iter().filter(|a| a.gap).cloned());
            for q in &results.questions {
                if q.status == QuestionStatus::Hidden || gap_ids.contains(q.id) {
                    continue;
                }
                if let Some(r) = other_row(q, register.len() + 1) {
                    register.push(r);
                }
            }
        }

        let prompt_of =
            |id: &str| -> &'a str { questions.get(id).map_or("", |q| q.prompt.as_str()) };
        let follow_ups = results
            .follow_ups
            .iter()
            .map(|f| {
                let record = record_of(f.question_id);
                FollowUpRow {
                    id: f.question_id,
                    category: f.category.title(),
                    stage: f.stage.title(),
                    prompt: prompt_of(f.question_id),
                    reason: match (f.unknown, f.flagged) {
                        (true, true) => "Unknown, flagged",
                        (true, false) => "Unknown",
                        _ => "Flagged",
                    },
                    owner: &record.action.owner,
                    due: due_text(record.action.due),
                    notes: &record.notes,
                }
            })
            .collect();

        let disagreements = results
            .disagreements
            .iter()
            .map(|d| {
                let record = record_of(d.question_id);
                DisagreementRow {
                    id: d.question_id,
                    category: d.category.title(),
                    stage: d.stage.title(),
                    spread: d.spread,
                    median: d.median.map_or(NONE, Answer::short),
                    agreed: answer_or_open(record.answer),
                    votes: votes_text(record, &session.participants),
                }
            })
            .collect();

        let controls = matrix::control_matrix(Framework::Tsc, results, &questions, &record_of);
        let nist = matrix::control_matrix(Framework::NistAiRmf, results, &questions, &record_of);
        let iso = matrix::control_matrix(Framework::Iso42001, results, &questions, &record_of);
        let evidence_requests = matrix::evidence_requests(results, &questions, &record_of);

        let hidden_ids: HashSet<&str> = results
            .questions
            .iter()
            .filter(|q| q.status == QuestionStatus::Hidden)
            .map(|q| q.id)
            .collect();
        let appendix = bank
            .questionnaires
            .iter()
            .map(|qn| AppendixCategory {
                title: qn.category.title(),
                in_scope: session.in_scope(qn.category),
                stages: qn
                    .sections
                    .iter()
                    .map(|sec| AppendixStage {
                        title: sec.stage.title(),
                        questions: sec
                            .questions
                            .iter()
                            .map(|q| {
                                appendix_question(
                                    q,
                                    record_of(&q.id),
                                    hidden_ids.contains(q.id.as_str()),
                                    &session.participants,
                                )
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();

        let orphaned = results
            .orphaned
            .iter()
            .map(|id| {
                let record = record_of(id);
                OrphanRow {
                    id,
                    replaced_by: match bank.replacements_of(id).as_slice() {
                        [] => NONE.to_string(),
                        found => found
                            .iter()
                            .map(|q| q.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    },
                    answer: answer_or_open(record.answer),
                    notes: &record.notes,
                    evidence: record.action.evidence.join("; "),
                    owner: &record.action.owner,
                    due: due_text(record.action.due),
                    flagged: record.discuss_later,
                    votes: votes_text(record, &session.participants),
                }
            })
            .collect();

        let prework = session
            .prework
            .iter()
            .map(|(name, receipt)| PreworkRow {
                name: name.clone(),
                role: session
                    .participants
                    .iter()
                    .find(|p| p.name == *name)
                    .map(|p| p.role.clone())
                    .unwrap_or_default(),
                assigned: receipt.assigned,
                answered: receipt.answered,
                updated: stamp(receipt.updated),
            })
            .collect();
        let agreed_from_prework = session
            .records
            .values()
            .filter(|r| r.from_prework && r.answer.is_some())
            .count();

        let mut time = Vec::new();
        for category in Category::ALL {
            for stage in Stage::ALL {
                let spent = session.time_spent_on(category, stage);
                let planned = session.planned_minutes(category, stage);
                if spent == 0 && planned.is_none() {
                    continue;
                }
                time.push(TimeRow {
                    category: category.title(),
                    stage: stage.title(),
                    spent: minutes_text(spent),
                    planned: planned.map_or_else(|| NONE.to_string(), |m| format!("{m}:00")),
                });
            }
        }

        let mut ids: Vec<&str> = Vec::new();
        ids.extend(session.questionnaires.iter().map(|v| v.id.as_str()));
        ids.extend(bank.questionnaires.iter().map(|q| q.id.as_str()));
        ids.push(bank.profile.id.as_str());
        ids.sort_unstable();
        ids.dedup();
        let current_version = |id: &str| -> &'a str {
            if id == bank.profile.id {
                return &bank.profile.version;
            }
            bank.questionnaires
                .iter()
                .find(|q| q.id == id)
                .map_or(NONE, |q| q.version.as_str())
        };
        let content = ContentInfo {
            session_hash: &session.content_hash,
            current_hash: &bank.content_hash,
            same: session.content_hash == bank.content_hash,
            versions: ids
                .iter()
                .map(|id| VersionRow {
                    id,
                    session: session
                        .questionnaires
                        .iter()
                        .find(|v| v.id == *id)
                        .map_or(NONE, |v| v.version.as_str()),
                    current: current_version(id),
                })
                .collect(),
        };

        ReportContext {
            generator: format!("aiready {}", env!("CARGO_PKG_VERSION")),
            generated: stamp(options.generated),
            generated_at: rfc3339(options.generated),
            anonymized: options.anonymize,
            voters: &session.participants,
            meta,
            document: &options.document,
            session: session_details,
            scope,
            method,
            summary,
            chart,
            heatmap,
            top_gaps,
            actions,
            register,
            follow_ups,
            disagreements,
            controls,
            nist,
            iso,
            evidence_requests,
            appendix,
            orphaned,
            prework,
            agreed_from_prework,
            time,
            content,
        }
    }
}

/// What the report says of an answer carried over and not yet confirmed; empty otherwise.
fn carried_text(record: &QuestionRecord) -> &'static str {
    record.unconfirmed().map_or("", |c| c.title())
}

fn appendix_question<'a>(
    q: &'a Question,
    record: &'a QuestionRecord,
    hidden: bool,
    participants: &[Participant],
) -> AppendixQuestion<'a> {
    let status = match (record.answer, hidden) {
        (Some(a), false) => Cow::Borrowed(answer_text(a)),
        (Some(a), true) => Cow::Owned(format!("{} (not in scope, not scored)", answer_text(a))),
        (None, true) => Cow::Borrowed("not in scope"),
        (None, false) => Cow::Borrowed("open"),
    };
    let mut maps_to = String::with_capacity(64);
    for id in Framework::ALL
        .iter()
        .flat_map(|f| q.maps_to.for_framework(*f))
    {
        if !maps_to.is_empty() {
            maps_to.push_str(", ");
        }
        maps_to.push_str(id);
    }
    let due = due_text(record.action.due);
    let action = match (record.action.owner.is_empty(), due.is_empty()) {
        (true, true) => String::new(),
        (false, true) => record.action.owner.clone(),
        (true, false) => format!("unassigned, due {due}"),
        (false, false) => format!("{}, due {due}", record.action.owner),
    };
    let primary = q
        .maps_to
        .primary
        .iter()
        .map(|p| format!("{} {}: {}", p.framework.short(), p.id, p.why))
        .collect();
    let shared_with = q
        .also_in
        .iter()
        .map(|c| c.title())
        .collect::<Vec<_>>()
        .join(", ");
    let audit = q.audit.as_ref();
    AppendixQuestion {
        id: &q.id,
        prompt: &q.prompt,
        status,
        carried: carried_text(record),
        critical: q.critical,
        weight: q.weight,
        maps_to,
        primary,
        shared_with,
        type1_evidence: audit.map_or("", |a| a.type1_evidence.as_str()),
        type2_evidence: audit.map_or("", |a| a.type2_evidence.as_str()),
        tested: audit.map_or_else(String::new, |a| {
            format!("{}; {}", a.frequency.title(), a.tested_by_text())
        }),
        typical_exception: audit.map_or("", |a| a.typical_exception.as_str()),
        notes: &record.notes,
        evidence: record.action.evidence.iter().map(String::as_str).collect(),
        owner: &record.action.owner,
        due,
        action,
        flagged: record.discuss_later,
        votes: votes_text(record, participants),
        prework_notes: record
            .prework_notes
            .iter()
            .map(|(who, note)| format!("{who}, pre-work: {note}"))
            .collect(),
        from_prework: record.from_prework && record.answer.is_some(),
    }
}
