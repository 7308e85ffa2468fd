//! The JSON export: the whole session plus its computed results, in a documented, versioned
//! format (docs/json-format.md) with a JSON Schema generated from the types below
//! (docs/report.schema.json), so that `aiready import` can recreate the session exactly and
//! other tools can read it without knowing how aiready is written.
//!
//! Every value reads on its own: an answer is `{"kind": "level", "level": 2}`,
//! `{"kind": "not_applicable"}` or `{"kind": "unknown"}`; a question's status has the same
//! shape (`{"kind": "scored", "level": 2, "unknown": false}`); names of categories, stages,
//! targets and verdicts are snake_case words; scores have two decimals, truncated like every
//! score aiready shows.

use super::{Format, Options, ReportError};
use crate::domain::framework::{Category, Framework, Stage};
use crate::domain::questionnaire::{QuestionBank, QuestionnaireVersion};
use crate::domain::scale::Answer;
use crate::domain::scoring::{
    self, CategoryResult, Completion, Ladder, Pending, QuestionStatus, Results, Verdict,
};
use crate::domain::session::{
    ActionStatus, Carried, FollowUp, Mode, ObservationPeriod, Participant, PreworkReceipt,
    QuestionRecord, Session, StartedFrom, Target, TriagePlan,
};
use jiff::Timestamp;
use jiff::civil::Date;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the JSON export format; raised when a change would mislead an older reader.
/// Version 1 wrote the session in aiready's internal serde form; version 2 had no agreed action
/// (what, status), no resolved flag and no last question. Both are still imported.
pub const FORMAT_VERSION: u32 = 3;

/// An aiready JSON export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "aiready JSON export")]
pub struct Export {
    /// The export format version (3).
    pub format_version: u32,
    /// The program and version that wrote it, e.g. "aiready 0.1.0".
    pub generator: String,
    /// When it was written (RFC 3339, UTC).
    #[schemars(with = "String")]
    pub generated: Timestamp,
    /// Whether names and e-mail addresses were replaced by pseudonyms.
    pub anonymized: bool,
    /// The session as recorded.
    pub session: SessionJson,
    /// What aiready computed from it; import recomputes these and ignores them.
    pub results: ResultsJson,
}

/// The SOC 2 report the team prepares for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetJson {
    /// Controls designed and in place at a point in time.
    Type1,
    /// Controls operating effectively over a period.
    Type2,
}

/// How the session is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModeJson {
    /// A facilitated workshop with participants who vote.
    Workshop,
    /// One person answering alone.
    Solo,
}

/// A category: the five SOC 2 Trust Services Criteria categories and the AI risks.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CategoryJson {
    /// Security (common criteria).
    Security,
    /// Availability.
    Availability,
    /// Processing integrity.
    ProcessingIntegrity,
    /// Confidentiality.
    Confidentiality,
    /// Privacy.
    Privacy,
    /// AI risks SOC 2 does not name.
    AiRisk,
}

/// A stage of the AI data lifecycle.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StageJson {
    /// Policy, roles and risk assessment.
    Governance,
    /// Collection and transfer.
    Collection,
    /// Storage and processing.
    Storage,
    /// Training and model use.
    Training,
    /// Sharing.
    Sharing,
    /// Monitoring.
    Monitoring,
    /// Retention and disposal.
    Disposal,
}

/// An answer on the readiness scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AnswerJson {
    /// A level from 0 (not in place) to 4 (operating).
    Level {
        /// 0 not in place, 1 ad hoc, 2 designed, 3 implemented, 4 operating.
        #[schemars(range(min = 0, max = 4))]
        level: u8,
    },
    /// Does not apply to this system; the record's notes say why.
    NotApplicable,
    /// Nobody present knew; scores as level 0.
    Unknown,
}

/// The intended observation period of a Type 2 examination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodJson {
    /// First day, YYYY-MM-DD.
    #[schemars(with = "String")]
    pub start: Date,
    /// Last day, YYYY-MM-DD.
    #[schemars(with = "String")]
    pub end: Date,
}

/// A person taking part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantJson {
    /// Their name (the key of their votes).
    pub name: String,
    /// Their role.
    #[serde(default)]
    pub role: String,
}

/// A questionnaire's id and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionJson {
    /// Questionnaire id.
    pub id: String,
    /// Its version.
    pub version: String,
}

/// A session as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionJson {
    /// Stable identifier.
    pub id: String,
    /// The name people gave it.
    pub name: String,
    /// The organisation assessed.
    #[serde(default)]
    pub organisation: String,
    /// The AI system in scope.
    #[serde(default)]
    pub system: String,
    /// The report the team prepares for.
    pub target: TargetJson,
    /// Workshop or solo.
    pub mode: ModeJson,
    /// For a Type 2 target, the intended observation period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observation_period: Option<PeriodJson>,
    /// Who runs the workshop.
    #[serde(default)]
    pub facilitator: String,
    /// Who takes part.
    #[serde(default)]
    pub participants: Vec<ParticipantJson>,
    /// Answers to the scoping questions, by key.
    #[serde(default)]
    pub scoping: BTreeMap<String, bool>,
    /// Categories chosen for assessment (Security and AI risk always count).
    #[serde(default)]
    pub categories: Vec<CategoryJson>,
    /// The questionnaires the session was started with.
    #[serde(default)]
    pub questionnaires: Vec<VersionJson>,
    /// Hash of the content the session was started with.
    #[serde(default)]
    pub content_hash: String,
    /// When the session was created (RFC 3339).
    #[schemars(with = "String")]
    pub created: Timestamp,
    /// When it last changed (RFC 3339).
    #[schemars(with = "String")]
    pub updated: Timestamp,
    /// Everything recorded per question, by question id.
    #[serde(default)]
    pub records: BTreeMap<String, RecordJson>,
    /// Seconds spent per category and stage.
    #[serde(default)]
    pub time_spent: BTreeMap<CategoryJson, BTreeMap<StageJson, u64>>,
    /// Minutes planned per category and stage.
    #[serde(default)]
    pub agenda_minutes: BTreeMap<CategoryJson, BTreeMap<StageJson, u32>>,
    /// The question the session was left on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_question: Option<String>,
    /// The session this one started from (a re-assessment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_from: Option<StartedFromJson>,
    /// Per question id, a digest of the question's text, weight and critical flag as the
    /// session's content asked it (8 hex digits).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub question_digests: BTreeMap<String, String>,
    /// The pre-work merged so far, by participant name; absent without pre-work.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub prework: BTreeMap<String, PreworkReceiptJson>,
    /// The triage agenda's time plan; absent when nothing is planned or recorded.
    #[serde(default, skip_serializing_if = "TriagePlanJson::is_empty")]
    pub triage: TriagePlanJson,
}

/// The session a re-assessment started from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StartedFromJson {
    /// Its id.
    pub id: String,
    /// Its name then.
    pub name: String,
    /// When it had last changed (RFC 3339).
    #[schemars(with = "String")]
    pub updated: Timestamp,
}

/// Why an answer carried over from the previous session waits for confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CarriedJson {
    /// Carried over as it was.
    Unconfirmed,
    /// Carried over; the question's text, weight or critical flag changed since.
    QuestionChanged,
}

impl From<Carried> for CarriedJson {
    fn from(c: Carried) -> CarriedJson {
        match c {
            Carried::Unconfirmed => CarriedJson::Unconfirmed,
            Carried::QuestionChanged => CarriedJson::QuestionChanged,
        }
    }
}

impl From<CarriedJson> for Carried {
    fn from(c: CarriedJson) -> Carried {
        match c {
            CarriedJson::Unconfirmed => Carried::Unconfirmed,
            CarriedJson::QuestionChanged => Carried::QuestionChanged,
        }
    }
}

/// What a session knows of one participant's merged pre-work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreworkReceiptJson {
    /// When the participant last changed the pre-work that was merged (RFC 3339).
    #[schemars(with = "String")]
    pub updated: Timestamp,
    /// A digest of that pre-work's answers, to order two versions with the same time.
    pub digest: String,
    /// Questions assigned to the participant.
    pub assigned: u32,
    /// Questions they answered.
    pub answered: u32,
}

/// The triage agenda's time plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriagePlanJson {
    /// Minutes planned for the whole agenda; null while none are planned.
    #[serde(default)]
    pub minutes: Option<u32>,
    /// Seconds spent with the agenda's order followed.
    #[serde(default)]
    pub spent: u64,
    /// Questions agreed on while the agenda's order was followed.
    #[serde(default)]
    pub decided: u32,
}

impl TriagePlanJson {
    fn is_empty(&self) -> bool {
        *self == TriagePlanJson::default()
    }
}

/// Everything recorded about one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordJson {
    /// The agreed answer; null while the question is open.
    #[serde(default)]
    pub answer: Option<AnswerJson>,
    /// Notes; for N/A, the reason.
    #[serde(default)]
    pub notes: String,
    /// Evidence references.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Who owns the follow-up action.
    #[serde(default)]
    pub action_owner: String,
    /// When it is due, YYYY-MM-DD.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub due: Option<Date>,
    /// What is to be done: the agreed follow-up action.
    #[serde(default)]
    pub action_what: String,
    /// Where the follow-up action stands.
    #[serde(default)]
    pub action_status: ActionStatusJson,
    /// The day the action's status last changed, YYYY-MM-DD.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub status_date: Option<Date>,
    /// Flagged to discuss later.
    #[serde(default)]
    pub discuss_later: bool,
    /// The flagged question was dealt with.
    #[serde(default)]
    pub resolved: bool,
    /// Each participant's vote, by name.
    #[serde(default)]
    pub votes: BTreeMap<String, AnswerJson>,
    /// Carried over from the session this one started from and not confirmed yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried: Option<CarriedJson>,
    /// Each participant's pre-work answer, by name; absent without pre-work.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub prework_votes: BTreeMap<String, AnswerJson>,
    /// Each participant's pre-work note, by name; absent without pre-work notes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub prework_notes: BTreeMap<String, String>,
    /// The agreed answer was accepted from unanimous votes; absent when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_prework: bool,
}

/// Where a follow-up action stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ActionStatusJson {
    /// Agreed, not started.
    #[default]
    Open,
    /// Someone is working on it.
    InProgress,
    /// Finished.
    Done,
    /// Decided against.
    WontDo {
        /// Why.
        reason: String,
    },
}

impl From<&ActionStatus> for ActionStatusJson {
    fn from(status: &ActionStatus) -> ActionStatusJson {
        match status {
            ActionStatus::Open => ActionStatusJson::Open,
            ActionStatus::InProgress => ActionStatusJson::InProgress,
            ActionStatus::Done => ActionStatusJson::Done,
            ActionStatus::WontDo(reason) => ActionStatusJson::WontDo {
                reason: reason.clone(),
            },
        }
    }
}

impl From<&ActionStatusJson> for ActionStatus {
    fn from(status: &ActionStatusJson) -> ActionStatus {
        match status {
            ActionStatusJson::Open => ActionStatus::Open,
            ActionStatusJson::InProgress => ActionStatus::InProgress,
            ActionStatusJson::Done => ActionStatus::Done,
            ActionStatusJson::WontDo { reason } => ActionStatus::WontDo(reason.clone()),
        }
    }
}

/// Where a question stands in the scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StatusJson {
    /// Hidden by the scoping answers or in a category out of scope; not scored.
    Hidden,
    /// Applicable and not answered yet; not scored, counts against completion.
    Open,
    /// Answered N/A; not scored.
    NotApplicable,
    /// Answered with a level (Unknown counts as level 0).
    Scored {
        /// The level it counts as, 0-4.
        #[schemars(range(min = 0, max = 4))]
        level: u8,
        /// Whether the answer was Unknown.
        unknown: bool,
    },
}

/// A verdict: the SOC 2 ones, or for a category outside the SOC 2 commitments the maturity
/// ones, or incomplete while open questions can still change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    /// Type 2 ready.
    Type2Ready,
    /// Type 1 ready.
    Type1Ready,
    /// Not ready, whatever the open questions get.
    NotReady,
    /// Managed (maturity).
    Managed,
    /// Partly managed (maturity).
    PartlyManaged,
    /// Not managed (maturity), whatever the open questions get.
    NotManaged,
    /// Open questions can still change the verdict.
    Incomplete,
}

/// A verdict with what is left to decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictJson {
    /// The verdict.
    pub verdict: VerdictKind,
    /// As a person reads it, e.g. "Incomplete (12 open, 3 critical; at best Type 1 ready, at
    /// worst Not ready)".
    pub text: String,
    /// While applicable questions are open: how many and what can still come of them.
    pub pending: Option<PendingJson>,
}

/// Open questions and the verdicts still reachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PendingJson {
    /// Applicable questions without an answer.
    pub open: usize,
    /// How many of them are critical.
    pub open_critical: usize,
    /// The best verdict some answers to them would give.
    pub best: VerdictKind,
    /// The worst verdict some answers to them would give.
    pub worst: VerdictKind,
}

/// Answered and applicable questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletionJson {
    /// Applicable questions with an answer (N/A and Unknown included).
    pub answered: usize,
    /// Applicable questions.
    pub applicable: usize,
}

/// The overall score and what it is made of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverallJson {
    /// The plain mean of the category scores, 0-100 with two decimals; null without any.
    pub score: Option<f64>,
    /// How many category scores it is the mean of.
    pub categories_scored: usize,
    /// The same in words.
    pub basis: String,
}

/// Which verdicts a category can get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LadderJson {
    /// Type 2 ready, Type 1 ready, not ready.
    Soc2,
    /// Managed, partly managed, not managed.
    Maturity,
}

/// A section's score: one category at one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionJson {
    /// The stage.
    pub stage: StageJson,
    /// Weighted mean of its scored questions, two decimals; null when none is scored.
    pub score: Option<f64>,
    /// Answered and applicable questions.
    pub completion: CompletionJson,
}

/// A category's score and verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryResultJson {
    /// The category.
    pub category: CategoryJson,
    /// Its title.
    pub title: String,
    /// Weighted mean of its scored questions, two decimals; null when none is scored.
    pub score: Option<f64>,
    /// Which verdicts it can get.
    pub ladder: LadderJson,
    /// Its verdict.
    pub verdict: VerdictJson,
    /// Answered and applicable questions.
    pub completion: CompletionJson,
    /// Applicable critical questions (N/A ones excluded).
    pub critical: usize,
    /// The lowest level among answered critical questions.
    pub critical_min_level: Option<u8>,
    /// Its sections.
    pub sections: Vec<SectionJson>,
}

/// The identifiers a question cites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MappingsJson {
    /// SOC 2 Trust Services Criteria.
    pub soc2: Vec<String>,
    /// NIST AI RMF 1.0 subcategories.
    pub nist_ai_rmf: Vec<String>,
    /// ISO/IEC 42001 Annex A controls.
    pub iso_42001: Vec<String>,
}

/// One question's part in the scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionJson {
    /// Question id.
    pub id: String,
    /// Its category.
    pub category: CategoryJson,
    /// Its stage.
    pub stage: StageJson,
    /// Its weight, 1-3.
    pub weight: u8,
    /// Whether it is critical.
    pub critical: bool,
    /// Where it stands.
    pub status: StatusJson,
    /// Points it scores; null when not scored.
    pub points: Option<u32>,
    /// The framework identifiers it maps to.
    pub maps_to: MappingsJson,
}

/// An applicable question below the target level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GapJson {
    /// Question id.
    pub question_id: String,
    /// Its category.
    pub category: CategoryJson,
    /// Its stage.
    pub stage: StageJson,
    /// The agreed answer.
    pub answer: AnswerJson,
    /// The level it counts as.
    pub level: u8,
    /// Levels missing to the target.
    pub shortfall: u8,
    /// Its weight.
    pub weight: u8,
    /// Whether it is critical.
    pub critical: bool,
    /// Weight x shortfall.
    pub priority: u32,
    /// First steps to close it.
    pub remediation: String,
}

/// An Unknown answer or a flagged question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpJson {
    /// Question id.
    pub question_id: String,
    /// Its category.
    pub category: CategoryJson,
    /// Its stage.
    pub stage: StageJson,
    /// Answered Unknown.
    pub unknown: bool,
    /// Flagged to discuss later.
    pub flagged: bool,
}

/// A question whose votes are two or more levels apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DisagreementJson {
    /// Question id.
    pub question_id: String,
    /// Its category.
    pub category: CategoryJson,
    /// Its stage.
    pub stage: StageJson,
    /// Highest minus lowest rated vote.
    pub spread: u8,
    /// Median of the rated votes.
    pub median: Option<AnswerJson>,
}

/// What aiready computed from the session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultsJson {
    /// The session's target.
    pub target: TargetJson,
    /// The level gaps are measured against (3 for Type 1, 4 for Type 2).
    pub target_level: u8,
    /// The overall score and its basis.
    pub overall: OverallJson,
    /// The overall SOC 2 verdict (categories on the SOC 2 ladder).
    pub verdict: VerdictJson,
    /// Answered and applicable questions across all categories in scope.
    pub completion: CompletionJson,
    /// Categories in scope.
    pub categories: Vec<CategoryResultJson>,
    /// Every question of the question bank, with its framework mappings.
    pub questions: Vec<QuestionJson>,
    /// Gaps, most urgent first.
    pub gaps: Vec<GapJson>,
    /// Unknown answers and flagged questions.
    pub follow_ups: Vec<FollowUpJson>,
    /// Questions whose votes are far apart.
    pub disagreements: Vec<DisagreementJson>,
    /// Ids of recorded questions the question bank no longer has.
    pub orphaned: Vec<String>,
}

/// The JSON Schema of the export, as shipped in docs/report.schema.json.
pub fn schema() -> String {
    let schema = schemars::schema_for!(Export);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

impl From<Target> for TargetJson {
    fn from(t: Target) -> Self {
        match t {
            Target::Type1 => TargetJson::Type1,
            Target::Type2 => TargetJson::Type2,
        }
    }
}

impl From<TargetJson> for Target {
    fn from(t: TargetJson) -> Self {
        match t {
            TargetJson::Type1 => Target::Type1,
            TargetJson::Type2 => Target::Type2,
        }
    }
}

impl From<Category> for CategoryJson {
    fn from(c: Category) -> Self {
        match c {
            Category::Security => CategoryJson::Security,
            Category::Availability => CategoryJson::Availability,
            Category::ProcessingIntegrity => CategoryJson::ProcessingIntegrity,
            Category::Confidentiality => CategoryJson::Confidentiality,
            Category::Privacy => CategoryJson::Privacy,
            Category::AiRisk => CategoryJson::AiRisk,
        }
    }
}

impl From<CategoryJson> for Category {
    fn from(c: CategoryJson) -> Self {
        match c {
            CategoryJson::Security => Category::Security,
            CategoryJson::Availability => Category::Availability,
            CategoryJson::ProcessingIntegrity => Category::ProcessingIntegrity,
            CategoryJson::Confidentiality => Category::Confidentiality,
            CategoryJson::Privacy => Category::Privacy,
            CategoryJson::AiRisk => Category::AiRisk,
        }
    }
}

impl From<Stage> for StageJson {
    fn from(s: Stage) -> Self {
        match s {
            Stage::Governance => StageJson::Governance,
            Stage::Collection => StageJson::Collection,
            Stage::Storage => StageJson::Storage,
            Stage::Training => StageJson::Training,
            Stage::Sharing => StageJson::Sharing,
            Stage::Monitoring => StageJson::Monitoring,
            Stage::Disposal => StageJson::Disposal,
        }
    }
}

impl From<StageJson> for Stage {
    fn from(s: StageJson) -> Self {
        match s {
            StageJson::Governance => Stage::Governance,
            StageJson::Collection => Stage::Collection,
            StageJson::Storage => Stage::Storage,
            StageJson::Training => Stage::Training,
            StageJson::Sharing => Stage::Sharing,
            StageJson::Monitoring => Stage::Monitoring,
            StageJson::Disposal => Stage::Disposal,
        }
    }
}

impl From<Answer> for AnswerJson {
    fn from(a: Answer) -> Self {
        match (a, a.level()) {
            (Answer::NotApplicable, _) => AnswerJson::NotApplicable,
            (Answer::Unknown, _) => AnswerJson::Unknown,
            (_, level) => AnswerJson::Level {
                level: level.unwrap_or(0),
            },
        }
    }
}

impl AnswerJson {
    /// The answer, or None for a level above 4.
    fn to_answer(self) -> Option<Answer> {
        match self {
            AnswerJson::Level { level } => Answer::from_level(level),
            AnswerJson::NotApplicable => Some(Answer::NotApplicable),
            AnswerJson::Unknown => Some(Answer::Unknown),
        }
    }
}

impl From<Verdict> for VerdictKind {
    fn from(v: Verdict) -> Self {
        match v {
            Verdict::Type2Ready => VerdictKind::Type2Ready,
            Verdict::Type1Ready => VerdictKind::Type1Ready,
            Verdict::NotReady => VerdictKind::NotReady,
            Verdict::Managed => VerdictKind::Managed,
            Verdict::PartlyManaged => VerdictKind::PartlyManaged,
            Verdict::NotManaged => VerdictKind::NotManaged,
            Verdict::Incomplete => VerdictKind::Incomplete,
        }
    }
}

impl From<Completion> for CompletionJson {
    fn from(c: Completion) -> Self {
        CompletionJson {
            answered: c.answered,
            applicable: c.applicable,
        }
    }
}

impl From<QuestionStatus> for StatusJson {
    fn from(s: QuestionStatus) -> Self {
        match s {
            QuestionStatus::Hidden => StatusJson::Hidden,
            QuestionStatus::Open => StatusJson::Open,
            QuestionStatus::NotApplicable => StatusJson::NotApplicable,
            QuestionStatus::Scored { level, unknown } => StatusJson::Scored { level, unknown },
        }
    }
}

fn score_json(score: Option<f64>) -> Option<f64> {
    score.map(scoring::score_two_decimals)
}

fn verdict_json(verdict: Verdict, pending: Option<&Pending>) -> VerdictJson {
    VerdictJson {
        verdict: verdict.into(),
        text: scoring::verdict_text(verdict, pending),
        pending: pending.map(|p| PendingJson {
            open: p.open,
            open_critical: p.open_critical,
            best: p.best.into(),
            worst: p.worst.into(),
        }),
    }
}

impl SessionJson {
    /// The session in export form.
    pub fn from_session(s: &Session) -> SessionJson {
        SessionJson {
            id: s.id.clone(),
            name: s.name.clone(),
            organisation: s.organisation.clone(),
            system: s.system.clone(),
            target: s.target.into(),
            mode: match s.mode {
                Mode::Workshop => ModeJson::Workshop,
                Mode::Solo => ModeJson::Solo,
            },
            observation_period: s.observation_period.map(|p| PeriodJson {
                start: p.start,
                end: p.end,
            }),
            facilitator: s.facilitator.clone(),
            participants: s
                .participants
                .iter()
                .map(|p| ParticipantJson {
                    name: p.name.clone(),
                    role: p.role.clone(),
                })
                .collect(),
            scoping: s.scoping.clone(),
            categories: s.categories.iter().map(|c| (*c).into()).collect(),
            questionnaires: s
                .questionnaires
                .iter()
                .map(|v| VersionJson {
                    id: v.id.clone(),
                    version: v.version.clone(),
                })
                .collect(),
            content_hash: s.content_hash.clone(),
            created: s.created,
            updated: s.updated,
            records: s
                .records
                .iter()
                .map(|(id, r)| {
                    let record = RecordJson {
                        answer: r.answer.map(AnswerJson::from),
                        notes: r.notes.clone(),
                        evidence: r.action.evidence.clone(),
                        action_owner: r.action.owner.clone(),
                        due: r.action.due,
                        action_what: r.action.what.clone(),
                        action_status: (&r.action.status).into(),
                        status_date: r.action.status_date,
                        discuss_later: r.discuss_later,
                        resolved: r.resolved,
                        votes: r
                            .votes
                            .iter()
                            .map(|(who, a)| (who.clone(), (*a).into()))
                            .collect(),
                        carried: r.carried.map(CarriedJson::from),
                        prework_votes: r
                            .prework_votes
                            .iter()
                            .map(|(who, a)| (who.clone(), (*a).into()))
                            .collect(),
                        prework_notes: r.prework_notes.clone(),
                        from_prework: r.from_prework,
                    };
                    (id.clone(), record)
                })
                .collect(),
            time_spent: remap(&s.time_spent),
            agenda_minutes: remap(&s.agenda_minutes),
            last_question: s.last_question.clone(),
            started_from: s.started_from.as_ref().map(|f| StartedFromJson {
                id: f.id.clone(),
                name: f.name.clone(),
                updated: f.updated,
            }),
            question_digests: s.question_digests.clone(),
            prework: s
                .prework
                .iter()
                .map(|(who, r)| {
                    let receipt = PreworkReceiptJson {
                        updated: r.updated,
                        digest: r.digest.clone(),
                        assigned: r.assigned,
                        answered: r.answered,
                    };
                    (who.clone(), receipt)
                })
                .collect(),
            triage: TriagePlanJson {
                minutes: s.triage.minutes,
                spent: s.triage.spent,
                decided: s.triage.decided,
            },
        }
    }

    /// The session this export describes, after the checks an import makes; each problem
    /// names the JSON path of the value at fault.
    pub fn to_session(&self) -> Result<Session, String> {
        let participants: Vec<&str> = self.participants.iter().map(|p| p.name.as_str()).collect();
        let mut records = BTreeMap::new();
        for (id, r) in &self.records {
            let path = format!("session.records[{}]", quoted(id));
            let answer = match r.answer {
                None => None,
                Some(a) => Some(
                    a.to_answer()
                        .ok_or_else(|| format!("{path}.answer.level: a level is 0 to 4"))?,
                ),
            };
            if answer == Some(Answer::NotApplicable) && r.notes.trim().is_empty() {
                return Err(format!(
                    "{path}.notes: an N/A answer needs the reason it does not apply in the notes"
                ));
            }
            let mut votes = BTreeMap::new();
            for (who, vote) in &r.votes {
                let vote_path = format!("{path}.votes[{}]", quoted(who));
                if !participants.contains(&who.as_str()) {
                    return Err(format!(
                        "{vote_path}: a vote from someone who is not a participant (add them to session.participants, or remove the vote)"
                    ));
                }
                let answer = vote
                    .to_answer()
                    .ok_or_else(|| format!("{vote_path}.level: a level is 0 to 4"))?;
                votes.insert(who.clone(), answer);
            }
            if let ActionStatusJson::WontDo { reason } = &r.action_status
                && reason.trim().is_empty()
            {
                return Err(format!(
                    "{path}.action_status.reason: an action that will not be done needs the reason"
                ));
            }
            let mut prework_votes = BTreeMap::new();
            for (who, vote) in &r.prework_votes {
                let answer = vote.to_answer().ok_or_else(|| {
                    format!(
                        "{path}.prework_votes[{}].level: a level is 0 to 4",
                        quoted(who)
                    )
                })?;
                prework_votes.insert(who.clone(), answer);
            }
            let record = QuestionRecord {
                answer,
                notes: r.notes.clone(),
                action: FollowUp {
                    what: r.action_what.clone(),
                    owner: r.action_owner.clone(),
                    due: r.due,
                    evidence: r.evidence.clone(),
                    status: (&r.action_status).into(),
                    status_date: r.status_date,
                },
                discuss_later: r.discuss_later,
                resolved: r.resolved,
                votes,
                carried: r.carried.map(Carried::from),
                prework_votes,
                prework_notes: r.prework_notes.clone(),
                from_prework: r.from_prework && answer.is_some(),
            };
            records.insert(id.clone(), record);
        }
        let observation_period = match self.observation_period {
            None => None,
            Some(p) => ObservationPeriod::from_dates(Some(p.start), Some(p.end))
                .map_err(|e| format!("session.observation_period: {e}"))?,
        };
        Ok(Session {
            id: self.id.clone(),
            name: self.name.clone(),
            organisation: self.organisation.clone(),
            system: self.system.clone(),
            target: self.target.into(),
            mode: match self.mode {
                ModeJson::Workshop => Mode::Workshop,
                ModeJson::Solo => Mode::Solo,
            },
            observation_period,
            facilitator: self.facilitator.clone(),
            participants: self
                .participants
                .iter()
                .map(|p| Participant {
                    name: p.name.clone(),
                    role: p.role.clone(),
                })
                .collect(),
            scoping: self.scoping.clone(),
            categories: self.categories.iter().map(|c| (*c).into()).collect(),
            questionnaires: self
                .questionnaires
                .iter()
                .map(|v| QuestionnaireVersion {
                    id: v.id.clone(),
                    version: v.version.clone(),
                })
                .collect(),
            content_hash: self.content_hash.clone(),
            created: self.created,
            updated: self.updated,
            records,
            time_spent: remap(&self.time_spent),
            agenda_minutes: remap(&self.agenda_minutes),
            last_question: self.last_question.clone(),
            started_from: self.started_from.as_ref().map(|f| StartedFrom {
                id: f.id.clone(),
                name: f.name.clone(),
                updated: f.updated,
            }),
            question_digests: self.question_digests.clone(),
            prework: self
                .prework
                .iter()
                .map(|(who, r)| {
                    let receipt = PreworkReceipt {
                        updated: r.updated,
                        digest: r.digest.clone(),
                        assigned: r.assigned,
                        answered: r.answered,
                    };
                    (who.clone(), receipt)
                })
                .collect(),
            triage: TriagePlan {
                minutes: self.triage.minutes,
                spent: self.triage.spent,
                decided: self.triage.decided,
            },
        })
    }
}

/// A map of category -> stage -> value with the keys converted.
fn remap<C, D, S, T, V>(m: &BTreeMap<C, BTreeMap<S, V>>) -> BTreeMap<D, BTreeMap<T, V>>
where
    C: Copy + Into<D>,
    D: Ord,
    S: Copy + Into<T>,
    T: Ord,
    V: Copy,
{
    m.iter()
        .map(|(c, stages)| {
            let inner = stages.iter().map(|(st, v)| ((*st).into(), *v)).collect();
            ((*c).into(), inner)
        })
        .collect()
}

/// A key as JSON writes it, for a path such as `records["sec-gov-01"]`.
fn quoted(key: &str) -> String {
    serde_json::to_string(key).unwrap_or_else(|_| format!("{key:?}"))
}

impl ResultsJson {
    /// The results in export form, with each question's framework mappings from the bank.
    pub fn from_results(bank: &QuestionBank, r: &Results<'_>) -> ResultsJson {
        let category = |c: &CategoryResult| CategoryResultJson {
            category: c.category.into(),
            title: c.category.title().to_string(),
            score: score_json(c.score),
            ladder: match c.ladder {
                Ladder::Soc2 => LadderJson::Soc2,
                Ladder::Maturity => LadderJson::Maturity,
            },
            verdict: verdict_json(c.verdict, c.pending.as_ref()),
            completion: c.completion.into(),
            critical: c.critical,
            critical_min_level: c.critical_min_level,
            sections: c
                .sections
                .iter()
                .map(|s| SectionJson {
                    stage: s.stage.into(),
                    score: score_json(s.score),
                    completion: s.completion.into(),
                })
                .collect(),
        };
        let mappings: BTreeMap<&str, &crate::domain::questionnaire::Mappings> = bank
            .questions()
            .map(|q| (q.id.as_str(), &q.maps_to))
            .collect();
        let ids = |id: &str, f: Framework| -> Vec<String> {
            mappings
                .get(id)
                .map(|m| m.for_framework(f).to_vec())
                .unwrap_or_default()
        };
        ResultsJson {
            target: r.target.into(),
            target_level: r.target_level,
            overall: OverallJson {
                score: score_json(r.overall),
                categories_scored: r.overall_basis,
                basis: r.overall_basis_text(),
            },
            verdict: verdict_json(r.verdict, r.pending.as_ref()),
            completion: r.completion.into(),
            categories: r.categories.iter().map(category).collect(),
            questions: r
                .questions
                .iter()
                .map(|q| QuestionJson {
                    id: q.id.to_string(),
                    category: q.category.into(),
                    stage: q.stage.into(),
                    weight: q.weight,
                    critical: q.critical,
                    status: q.status.into(),
                    points: q.points,
                    maps_to: MappingsJson {
                        soc2: ids(q.id, Framework::Tsc),
                        nist_ai_rmf: ids(q.id, Framework::NistAiRmf),
                        iso_42001: ids(q.id, Framework::Iso42001),
                    },
                })
                .collect(),
            gaps: r
                .gaps
                .iter()
                .map(|g| GapJson {
                    question_id: g.question_id.to_string(),
                    category: g.category.into(),
                    stage: g.stage.into(),
                    answer: g.answer.into(),
                    level: g.level,
                    shortfall: g.shortfall,
                    weight: g.weight,
                    critical: g.critical,
                    priority: g.priority(),
                    remediation: g.remediation.to_string(),
                })
                .collect(),
            follow_ups: r
                .follow_ups
                .iter()
                .map(|f| FollowUpJson {
                    question_id: f.question_id.to_string(),
                    category: f.category.into(),
                    stage: f.stage.into(),
                    unknown: f.unknown,
                    flagged: f.flagged,
                })
                .collect(),
            disagreements: r
                .disagreements
                .iter()
                .map(|d| DisagreementJson {
                    question_id: d.question_id.to_string(),
                    category: d.category.into(),
                    stage: d.stage.into(),
                    spread: d.spread,
                    median: d.median.map(AnswerJson::from),
                })
                .collect(),
            orphaned: r.orphaned.clone(),
        }
    }
}

/// Version 1 exports: the session in aiready's internal serde form.
#[derive(Deserialize)]
struct ExportV1 {
    session: Session,
}

/// Only what import needs of a current export; the results are recomputed.
#[derive(Deserialize)]
struct ExportIn {
    session: SessionJson,
}

#[derive(Deserialize)]
struct VersionOnly {
    format_version: Option<u32>,
}

/// The JSON text of a session and its results, pretty-printed with a trailing newline.
pub fn render(
    bank: &QuestionBank,
    session: &Session,
    results: &Results<'_>,
    options: &Options,
) -> Result<String, ReportError> {
    let out = Export {
        format_version: FORMAT_VERSION,
        generator: format!("aiready {}", env!("CARGO_PKG_VERSION")),
        generated: options.generated,
        anonymized: options.anonymize,
        session: SessionJson::from_session(session),
        results: ResultsJson::from_results(bank, results),
    };
    let mut text = serde_json::to_string_pretty(&out).map_err(|e| ReportError::Encode {
        format: Format::Json,
        reason: e.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}

/// The session in a JSON export; `name` is the file name shown in messages.
pub fn parse(name: &str, text: &str) -> Result<Session, ReportError> {
    let not_export = |reason: String| ReportError::NotAnExport {
        name: name.to_string(),
        reason,
    };
    // The version is checked first so that a newer export is refused by name rather than
    // with a confusing field error.
    let version: VersionOnly = serde_json::from_str(text).map_err(|e| not_export(e.to_string()))?;
    match version.format_version {
        None => Err(not_export("it has no format_version".to_string())),
        Some(found) if found > FORMAT_VERSION => Err(ReportError::NewerExport {
            name: name.to_string(),
            found,
            supported: FORMAT_VERSION,
        }),
        Some(1) => {
            // Checked like a current export: the paths of the two versions' sessions agree.
            let export: ExportV1 =
                serde_json::from_str(text).map_err(|e| not_export(e.to_string()))?;
            check(name, &SessionJson::from_session(&export.session))
        }
        Some(_) => {
            let export: ExportIn =
                serde_json::from_str(text).map_err(|e| not_export(e.to_string()))?;
            check(name, &export.session)
        }
    }
}

/// The session of an export, or the first problem that keeps it from being imported.
fn check(name: &str, session: &SessionJson) -> Result<Session, ReportError> {
    session.to_session().map_err(|reason| ReportError::Invalid {
        name: name.to_string(),
        reason,
    })
}
