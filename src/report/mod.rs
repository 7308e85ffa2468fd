//! Reports of a session: a serialisable [`ReportContext`] built from the session and its
//! computed results, and three renderers: Markdown (from a replaceable template), JSON (complete
//! and re-importable) and CSV (the action plan, one row per gap).
//!
//! The TUI and the command line both call [`render`] and then [`write_file`].

mod anonymize;
pub mod csv;
pub mod escape;
pub mod json;
pub mod markdown;

pub use anonymize::anonymize;

use crate::content::reference;
use crate::domain::framework::{Category, Framework, Stage};
use crate::domain::questionnaire::{Question, QuestionBank};
use crate::domain::scale::Answer;
use crate::domain::scoring::{self, QuestionStatus, Results};
use crate::domain::session::{QuestionRecord, Session};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::borrow::Cow;
// foldhash (already in the dependency tree through ratatui) hashes the many short question ids of
// a large report several times faster than the standard library's SipHash.
use foldhash::{HashMap, HashMapExt, HashSet};
use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How many gaps the "Top gaps" section lists in full; the action plan lists all of them.
pub const TOP_GAPS: usize = 10;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// The readable report, rendered from a template.
    #[default]
    Markdown,
    /// The session and its computed results, re-importable.
    Json,
    /// The action plan, one row per gap.
    Csv,
}

impl Format {
    /// Every format, in the order they are offered.
    pub const ALL: [Format; 3] = [Format::Markdown, Format::Json, Format::Csv];

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }

    /// The name a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Format::Markdown => "Markdown",
            Format::Json => "JSON",
            Format::Csv => "CSV",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// A report template: its text and the name used for it in messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Where it came from, e.g. a file path; shown in template errors.
    pub name: String,
    /// The minijinja source.
    pub source: String,
}

impl Template {
    /// Reads a template file.
    pub fn read(path: &Path) -> Result<Template, ReportError> {
        let source = std::fs::read_to_string(path).map_err(|source| ReportError::ReadTemplate {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Template {
            name: path.display().to_string(),
            source,
        })
    }

    /// The template to use: an explicit file, else `report.md.j2` in the config directory if
    /// it exists, else None for the built-in one.
    pub fn resolve(
        explicit: Option<&Path>,
        config_dir: &Path,
    ) -> Result<Option<Template>, ReportError> {
        if let Some(path) = explicit {
            return Template::read(path).map(Some);
        }
        let user = config_dir.join(markdown::TEMPLATE_FILE);
        if user.is_file() {
            return Template::read(&user).map(Some);
        }
        Ok(None)
    }
}

/// Choices that change what a report contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Replace people's names with their roles or P1, P2, ...
    pub anonymize: bool,
    /// A Markdown template replacing the built-in one.
    pub template: Option<Template>,
    /// The generation time written into the report.
    pub generated: Timestamp,
}

impl Options {
    /// Defaults: names kept, built-in template, generated now.
    pub fn now() -> Options {
        Options {
            anonymize: false,
            template: None,
            generated: Timestamp::now(),
        }
    }
}

/// Why a report could not be produced or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The template has a syntax error or failed while rendering.
    #[error("the report template {name} cannot be used: {message}")]
    Template {
        /// The template's name (a path, or the built-in name).
        name: String,
        /// What went wrong, with line number.
        message: String,
    },
    /// A template file could not be read.
    #[error("cannot read the report template {}: {source}", .path.display())]
    ReadTemplate {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        source: std::io::Error,
    },
    /// The output file exists and overwriting was not allowed.
    #[error(
        "{} exists already; nothing was written. Pass --force to overwrite it, or choose another file with -o.",
        .path.display()
    )]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The output file could not be written.
    #[error("cannot write {}: {source}. Nothing was written.", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        source: std::io::Error,
    },
    /// The CSV or JSON encoder failed (not expected with in-memory output).
    #[error("cannot encode the {format} report: {reason}")]
    Encode {
        /// The format.
        format: Format,
        /// The encoder's message.
        reason: String,
    },
    /// A file given to import is not an aiready JSON export.
    #[error("{name} is not an aiready JSON export ({reason}); nothing was imported")]
    NotAnExport {
        /// The file's name as given.
        name: String,
        /// What is wrong, with line and column where known.
        reason: String,
    },
    /// A JSON export from a newer aiready.
    #[error(
        "{name} was exported by a newer version of aiready (export format {found}; this version reads up to {supported}); nothing was imported"
    )]
    NewerExport {
        /// The file's name as given.
        name: String,
        /// Its format version.
        found: u32,
        /// The newest this build reads.
        supported: u32,
    },
}

/// Renders a report of a session in one format.
pub fn render(
    format: Format,
    bank: &QuestionBank,
    session: &Session,
    options: &Options,
) -> Result<String, ReportError> {
    let anonymized;
    let session = if options.anonymize {
        anonymized = anonymize(session);
        &anonymized
    } else {
        session
    };
    let results = scoring::score(bank, session);
    match format {
        Format::Markdown => {
            let context = ReportContext::build(bank, session, &results, options);
            markdown::render(&context, options.template.as_ref())
        }
        Format::Json => json::render(session, &results, options),
        Format::Csv => {
            let context = ReportContext::build(bank, session, &results, options);
            csv::render(&context)
        }
    }
}

/// Writes a report atomically: the text goes to a temporary file (readable by its owner only)
/// in the same folder, which then takes the file's place. An existing file is replaced only
/// when `overwrite` is true.
pub fn write_file(path: &Path, contents: &str, overwrite: bool) -> Result<(), ReportError> {
    let write_err = |source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    };
    if !overwrite && path.exists() {
        return Err(ReportError::Exists {
            path: path.to_path_buf(),
        });
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(write_err)?;
    temp.write_all(contents.as_bytes()).map_err(write_err)?;
    temp.as_file().sync_all().map_err(write_err)?;
    if overwrite {
        temp.persist(path).map_err(|e| write_err(e.error))?;
    } else {
        // No-clobber even if the file appeared since the check above.
        temp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                ReportError::Exists {
                    path: path.to_path_buf(),
                }
            } else {
                write_err(e.error)
            }
        })?;
    }
    Ok(())
}

/// A file name for a report of this session in the current directory, e.g.
/// `2026-01-15-acme-bot-3f9a1c-report.md`.
pub fn default_file_name(session: &Session, format: Format) -> String {
    format!("{}-report.{}", session.id, format.extension())
}

/// Everything a report shows, computed once and formatted for reading. Numbers are already
/// turned into text so that templates stay simple; user text is kept raw and escaped by the
/// renderer.
#[derive(Debug, Clone, Serialize)]
pub struct ReportContext<'a> {
    /// The program and version that wrote the report.
    pub generator: String,
    /// When the report was generated (UTC, to the minute).
    pub generated: String,
    /// Whether names were replaced by roles.
    pub anonymized: bool,
    /// Session details.
    pub session: SessionDetails<'a>,
    /// Categories in scope and scoping answers.
    pub scope: Scope<'a>,
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
    /// Unknown answers and flagged questions.
    pub follow_ups: Vec<FollowUpRow<'a>>,
    /// Questions whose votes are far apart.
    pub disagreements: Vec<DisagreementRow<'a>>,
    /// SOC 2 criterion -> question -> level -> evidence.
    pub controls: Vec<ControlRow<'a>>,
    /// Every question, by category and stage.
    pub appendix: Vec<AppendixCategory<'a>>,
    /// Answers to questions the questionnaires no longer have.
    pub orphaned: Vec<OrphanRow<'a>>,
    /// Time spent per section against the agenda.
    pub time: Vec<TimeRow>,
    /// Questionnaire versions and content hashes.
    pub content: ContentInfo<'a>,
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
    /// "Type 1" or "Type 2".
    pub target: String,
    /// The level gaps are measured against.
    pub target_level: u8,
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
    /// Name (or the anonymous label).
    pub name: &'a str,
    /// Role.
    pub role: &'a str,
}

/// What is assessed.
#[derive(Debug, Clone, Serialize)]
pub struct Scope<'a> {
    /// Every category with whether it is in scope.
    pub categories: Vec<ScopeCategory>,
    /// The scoping profile's questions with the session's answers.
    pub scoping: Vec<ScopingRow<'a>>,
    /// Questions that apply.
    pub applicable: usize,
    /// Questions hidden by scoping or out-of-scope categories.
    pub hidden: usize,
}

/// One category's place in scope.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeCategory {
    /// Title.
    pub title: &'static str,
    /// "in scope (always)", "in scope" or "out of scope".
    pub status: &'static str,
    /// Questions in the active questionnaires.
    pub questions: usize,
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

/// Results at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Overall score, or an en dash without any.
    pub overall: String,
    /// Overall verdict.
    pub verdict: &'static str,
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
    /// Verdict.
    pub verdict: &'static str,
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

/// The category scores as a bar chart.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    /// Category titles.
    pub labels: Vec<&'static str>,
    /// Scores rounded to whole points (0 without a score).
    pub values: Vec<u32>,
    /// The same as text bars for readers without Mermaid.
    pub bars: Vec<ChartBar>,
}

/// One bar of the plain-text chart.
#[derive(Debug, Clone, Serialize)]
pub struct ChartBar {
    /// Category title.
    pub label: &'static str,
    /// Score, or an en dash.
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
    /// The category score.
    pub total: String,
}

/// Shown where there is no value (an en dash, which no Markdown reader takes for a list).
pub const NONE: &str = "\u{2013}";

/// A gap or another follow-up action, as listed in the action plan.
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
    /// The agreed answer, e.g. "1 Ad hoc".
    pub answer: &'static str,
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
    /// Who owns the action.
    pub owner: &'a str,
    /// When it is due, or empty.
    pub due: String,
    /// Notes on the question.
    pub notes: &'a str,
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

/// One SOC 2 criterion with the applicable questions citing it.
#[derive(Debug, Clone, Serialize)]
pub struct ControlRow<'a> {
    /// Criterion id, e.g. CC6.1.
    pub criterion: &'a str,
    /// Its short title.
    pub title: &'a str,
    /// The questions with their answers, e.g. "sec-gov-01 (4), sec-gov-04 (open)".
    pub questions: String,
    /// The lowest level among the answered questions (Unknown counts as 0), or an en dash.
    pub lowest: &'static str,
    /// Evidence per question, e.g. "sec-gov-01: TICKET-1, policy.pdf; sec-gov-04: ...".
    pub evidence: String,
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

fn stamp(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| NONE.to_string(), |s| format!("{}", s.round()))
}

fn percent_text(answered: usize, applicable: usize) -> String {
    if applicable == 0 {
        return "100%".to_string();
    }
    // Rounded down so that 99.6% never reads as finished.
    format!("{}%", answered * 100 / applicable)
}

fn answer_text(answer: Answer) -> &'static str {
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

fn answer_or_open(answer: Option<Answer>) -> &'static str {
    answer.map_or("open", answer_text)
}

fn level_text(level: Option<u8>) -> &'static str {
    match level {
        Some(0) => "0",
        Some(1) => "1",
        Some(2) => "2",
        Some(3) => "3",
        Some(4) => "4",
        _ => NONE,
    }
}

fn due_text(due: Option<Date>) -> String {
    due.map(|d| d.to_string()).unwrap_or_default()
}

fn votes_text(record: &QuestionRecord) -> String {
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
    }
    out
}

fn minutes_text(seconds: u64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// The record of a question that has none.
static EMPTY_RECORD: QuestionRecord = QuestionRecord {
    answer: None,
    notes: String::new(),
    evidence: Vec::new(),
    action_owner: String::new(),
    due: None,
    discuss_later: false,
    votes: BTreeMap::new(),
};

impl<'a> ReportContext<'a> {
    /// Builds the context from a session and its results against a bank.
    pub fn build(
        bank: &'a QuestionBank,
        session: &'a Session,
        results: &'a Results<'a>,
        options: &Options,
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

        let session_details = SessionDetails {
            id: &session.id,
            name: &session.name,
            organisation: &session.organisation,
            system: &session.system,
            created: stamp(session.created),
            updated: stamp(session.updated),
            target: session.target.title().to_string(),
            target_level: results.target_level,
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

        let hidden = results
            .questions
            .iter()
            .filter(|q| q.status == QuestionStatus::Hidden)
            .count();
        let scope = Scope {
            categories: Category::ALL
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
                    questions: bank.questionnaire(*c).map_or(0, |q| q.question_count()),
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
        };

        let gaps_in = |c: Category| results.gaps.iter().filter(|g| g.category == c).count();
        let summary = Summary {
            overall: score_text(results.overall),
            verdict: results.verdict.title(),
            answered: results.completion.answered,
            applicable: results.completion.applicable,
            percent: percent_text(results.completion.answered, results.completion.applicable),
            categories: results
                .categories
                .iter()
                .map(|c| CategorySummary {
                    title: c.category.title(),
                    score: score_text(c.score),
                    verdict: c.verdict.title(),
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

        let chart = Chart {
            labels: results
                .categories
                .iter()
                .map(|c| c.category.title())
                .collect(),
            values: results
                .categories
                .iter()
                .map(|c| c.score.map_or(0, |s| s.round().clamp(0.0, 100.0) as u32))
                .collect(),
            bars: results
                .categories
                .iter()
                .map(|c| {
                    let filled = c
                        .score
                        .map_or(0, |s| (s / 5.0).round().clamp(0.0, 20.0) as usize);
                    ChartBar {
                        label: c.category.title(),
                        score: score_text(c.score),
                        bar: format!("{}{}", "=".repeat(filled), ".".repeat(20 - filled)),
                    }
                })
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
        let heatmap = Heatmap {
            stages: stages.iter().map(|s| s.title()).collect(),
            rows: results
                .categories
                .iter()
                .map(|c| HeatmapRow {
                    category: c.category.title(),
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
                })
                .collect(),
        };

        let mut actions: Vec<ActionRow<'a>> = Vec::with_capacity(results.gaps.len());
        for g in &results.gaps {
            let record = record_of(g.question_id);
            actions.push(ActionRow {
                rank: actions.len() + 1,
                gap: true,
                id: g.question_id,
                category: g.category.title(),
                stage: g.stage.title(),
                prompt: g.prompt,
                answer: answer_text(g.answer),
                level: level_text(Some(g.level)),
                target: results.target_level,
                priority: g.priority(),
                critical: g.critical,
                remediation: g.remediation,
                owner: &record.action_owner,
                due: due_text(record.due),
                notes: &record.notes,
            });
        }
        let gap_ids: HashSet<&str> = results.gaps.iter().map(|g| g.question_id).collect();
        for q in &results.questions {
            if q.status == QuestionStatus::Hidden || gap_ids.contains(q.id) {
                continue;
            }
            let record = record_of(q.id);
            if record.action_owner.is_empty() && record.due.is_none() {
                continue;
            }
            let Some(question) = questions.get(q.id) else {
                continue;
            };
            actions.push(ActionRow {
                rank: actions.len() + 1,
                gap: false,
                id: q.id,
                category: q.category.title(),
                stage: q.stage.title(),
                prompt: &question.prompt,
                answer: answer_or_open(record.answer),
                level: level_text(record.answer.and_then(Answer::scored_level)),
                target: results.target_level,
                priority: 0,
                critical: q.critical,
                remediation: &question.remediation,
                owner: &record.action_owner,
                due: due_text(record.due),
                notes: &record.notes,
            });
        }
        let top_gaps: Vec<ActionRow<'a>> = actions
            .iter()
            .filter(|a| a.gap)
            .take(TOP_GAPS)
            .cloned()
            .collect();

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
                    owner: &record.action_owner,
                    due: due_text(record.due),
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
                    votes: votes_text(record),
                }
            })
            .collect();

        let controls = control_matrix(results, &questions, &record_of);

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
                    evidence: record.evidence.join("; "),
                    owner: &record.action_owner,
                    due: due_text(record.due),
                    flagged: record.discuss_later,
                    votes: votes_text(record),
                }
            })
            .collect();

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
            anonymized: options.anonymize,
            session: session_details,
            scope,
            summary,
            chart,
            heatmap,
            top_gaps,
            actions,
            follow_ups,
            disagreements,
            controls,
            appendix,
            orphaned,
            time,
            content,
        }
    }
}

fn appendix_question<'a>(
    q: &'a Question,
    record: &'a QuestionRecord,
    hidden: bool,
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
    let due = due_text(record.due);
    let action = match (record.action_owner.is_empty(), due.is_empty()) {
        (true, true) => String::new(),
        (false, true) => record.action_owner.clone(),
        (true, false) => format!("unassigned, due {due}"),
        (false, false) => format!("{}, due {due}", record.action_owner),
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
        evidence: record.evidence.iter().map(String::as_str).collect(),
        owner: &record.action_owner,
        due,
        action,
        flagged: record.discuss_later,
        votes: votes_text(record),
    }
}

/// A criterion while the matrix is gathered: rank in the reference list, title, the questions
/// citing it in questionnaire order, and their lowest level.
type Criterion<'a> = (usize, &'static str, Vec<&'a str>, Option<u8>);

/// One row per criterion cited by an applicable question, in reference order.
fn control_matrix<'a>(
    results: &'a Results<'a>,
    questions: &HashMap<&str, &'a Question>,
    record_of: &dyn Fn(&str) -> &'a QuestionRecord,
) -> Vec<ControlRow<'a>> {
    let catalog = reference::catalog();
    let order: HashMap<&str, (usize, &'static str)> = catalog
        .all(Framework::Tsc)
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), (i, r.title.as_str())))
        .collect();
    let mut by_criterion: HashMap<&'a str, Criterion<'a>> = HashMap::new();
    for q in &results.questions {
        if q.status == QuestionStatus::Hidden {
            continue;
        }
        let Some(question) = questions.get(q.id) else {
            continue;
        };
        let level = record_of(q.id).answer.and_then(Answer::scored_level);
        for id in &question.maps_to.tsc {
            let entry = by_criterion.entry(id.as_str()).or_insert_with(|| {
                let (rank, title) = order.get(id.as_str()).copied().unwrap_or((usize::MAX, ""));
                (rank, title, Vec::new(), None)
            });
            entry.2.push(q.id);
            if let Some(l) = level {
                entry.3 = Some(entry.3.map_or(l, |m| m.min(l)));
            }
        }
    }
    let mut rows: Vec<(usize, ControlRow<'a>)> = by_criterion
        .into_iter()
        .map(|(criterion, (rank, title, ids, lowest))| {
            let mut listed = String::new();
            let mut evidence = String::new();
            for id in ids {
                let record = record_of(id);
                if !listed.is_empty() {
                    listed.push_str(", ");
                }
                listed.push_str(id);
                listed.push_str(" (");
                listed.push_str(record.answer.map_or("open", Answer::short));
                listed.push(')');
                if !record.evidence.is_empty() {
                    if !evidence.is_empty() {
                        evidence.push_str("; ");
                    }
                    evidence.push_str(id);
                    evidence.push_str(": ");
                    evidence.push_str(&record.evidence.join(", "));
                }
            }
            let row = ControlRow {
                criterion,
                title,
                questions: listed,
                lowest: level_text(lowest),
                evidence,
            };
            (rank, row)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.criterion.cmp(b.1.criterion)));
    rows.into_iter().map(|(_, row)| row).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_file_refuses_to_overwrite_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.md");
        write_file(&path, "one", false).unwrap();
        let err = write_file(&path, "two", false).unwrap_err();
        assert!(matches!(err, ReportError::Exists { .. }), "{err}");
        assert!(err.to_string().contains("--force"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        write_file(&path, "three", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "three");
        // Only the report is left in the folder: no temporary files.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
    }

    #[test]
    fn write_file_into_a_missing_folder_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("r.md");
        let err = write_file(&path, "x", false).unwrap_err().to_string();
        assert!(
            err.contains("r.md") && err.contains("Nothing was written"),
            "{err}"
        );
    }

    #[test]
    fn default_file_names_follow_the_format() {
        let bank = crate::domain::session::tests::bank(Vec::new());
        let s = Session::new(
            "2026-01-15-acme-0a1b2c".into(),
            "Acme".into(),
            &bank,
            Timestamp::UNIX_EPOCH,
        );
        assert_eq!(
            default_file_name(&s, Format::Markdown),
            "2026-01-15-acme-0a1b2c-report.md"
        );
        assert_eq!(
            default_file_name(&s, Format::Csv),
            "2026-01-15-acme-0a1b2c-report.csv"
        );
    }
}
