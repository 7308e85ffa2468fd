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
use std::collections::{BTreeMap, HashMap};
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
pub struct ReportContext {
    /// The program and version that wrote the report.
    pub generator: String,
    /// When the report was generated (UTC, to the minute).
    pub generated: String,
    /// Whether names were replaced by roles.
    pub anonymized: bool,
    /// Session details.
    pub session: SessionDetails,
    /// Categories in scope and scoping answers.
    pub scope: Scope,
    /// Overall and per-category results.
    pub summary: Summary,
    /// The category scores as a chart.
    pub chart: Chart,
    /// The category x stage heatmap.
    pub heatmap: Heatmap,
    /// The most urgent gaps.
    pub top_gaps: Vec<ActionRow>,
    /// Every gap, then other questions with an owner or due date.
    pub actions: Vec<ActionRow>,
    /// Unknown answers and flagged questions.
    pub follow_ups: Vec<FollowUpRow>,
    /// Questions whose votes are far apart.
    pub disagreements: Vec<DisagreementRow>,
    /// SOC 2 criterion -> question -> level -> evidence.
    pub controls: Vec<ControlRow>,
    /// Every question, by category and stage.
    pub appendix: Vec<AppendixCategory>,
    /// Answers to questions the questionnaires no longer have.
    pub orphaned: Vec<OrphanRow>,
    /// Time spent per section against the agenda.
    pub time: Vec<TimeRow>,
    /// Questionnaire versions and content hashes.
    pub content: ContentInfo,
}

/// Who, what and when.
#[derive(Debug, Clone, Serialize)]
pub struct SessionDetails {
    /// Session id.
    pub id: String,
    /// Session name.
    pub name: String,
    /// Organisation assessed.
    pub organisation: String,
    /// AI system in scope.
    pub system: String,
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
    pub facilitator: String,
    /// Who took part.
    pub participants: Vec<Person>,
}

/// A participant.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    /// Name (or the anonymous label).
    pub name: String,
    /// Role.
    pub role: String,
}

/// What is assessed.
#[derive(Debug, Clone, Serialize)]
pub struct Scope {
    /// Every category with whether it is in scope.
    pub categories: Vec<ScopeCategory>,
    /// The scoping profile's questions with the session's answers.
    pub scoping: Vec<ScopingRow>,
    /// Questions that apply.
    pub applicable: usize,
    /// Questions hidden by scoping or out-of-scope categories.
    pub hidden: usize,
}

/// One category's place in scope.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeCategory {
    /// Title.
    pub title: String,
    /// "in scope (always)", "in scope" or "out of scope".
    pub status: String,
    /// Questions in the active questionnaires.
    pub questions: usize,
}

/// One scoping answer.
#[derive(Debug, Clone, Serialize)]
pub struct ScopingRow {
    /// Key.
    pub key: String,
    /// The question.
    pub prompt: String,
    /// "Yes" or "No", with "(default)" when nobody answered.
    pub answer: String,
}

/// Results at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Overall score, or an en dash without any.
    pub overall: String,
    /// Overall verdict.
    pub verdict: String,
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
    pub title: String,
    /// Score, or an en dash.
    pub score: String,
    /// Verdict.
    pub verdict: String,
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
    pub labels: Vec<String>,
    /// Scores rounded to whole points (0 without a score).
    pub values: Vec<u32>,
    /// The same as text bars for readers without Mermaid.
    pub bars: Vec<ChartBar>,
}

/// One bar of the plain-text chart.
#[derive(Debug, Clone, Serialize)]
pub struct ChartBar {
    /// Category title.
    pub label: String,
    /// Score, or an en dash.
    pub score: String,
    /// Twenty characters: `=` per five points, `.` for the rest.
    pub bar: String,
}

/// Section scores, category by stage.
#[derive(Debug, Clone, Serialize)]
pub struct Heatmap {
    /// Stage titles, the columns.
    pub stages: Vec<String>,
    /// One row per category in scope.
    pub rows: Vec<HeatmapRow>,
}

/// One category of the heatmap.
#[derive(Debug, Clone, Serialize)]
pub struct HeatmapRow {
    /// Category title.
    pub category: String,
    /// One cell per stage: a score, "open" or an en dash.
    pub cells: Vec<String>,
    /// The category score.
    pub total: String,
}

/// Shown where there is no value (an en dash, which no Markdown reader takes for a list).
pub const NONE: &str = "\u{2013}";

/// A gap or another follow-up action, as listed in the action plan.
#[derive(Debug, Clone, Serialize)]
pub struct ActionRow {
    /// Position in the plan, from 1.
    pub rank: usize,
    /// Whether the question is below the target level.
    pub gap: bool,
    /// Question id.
    pub id: String,
    /// Category title.
    pub category: String,
    /// Stage title.
    pub stage: String,
    /// The question.
    pub prompt: String,
    /// The agreed answer, e.g. "1 Ad hoc".
    pub answer: String,
    /// The level it counts as, or an en dash.
    pub level: String,
    /// The target level.
    pub target: u8,
    /// Weight x shortfall (0 for actions that are not gaps).
    pub priority: u32,
    /// Whether the question is critical.
    pub critical: bool,
    /// First steps to close the gap.
    pub remediation: String,
    /// Who owns the action.
    pub owner: String,
    /// When it is due, or empty.
    pub due: String,
    /// Notes on the question.
    pub notes: String,
}

/// An Unknown answer or a flagged question.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUpRow {
    /// Question id.
    pub id: String,
    /// Category title.
    pub category: String,
    /// Stage title.
    pub stage: String,
    /// The question.
    pub prompt: String,
    /// "Unknown", "Flagged" or both.
    pub reason: String,
    /// Who owns the follow-up.
    pub owner: String,
    /// When it is due.
    pub due: String,
    /// Notes.
    pub notes: String,
}

/// A question with votes far apart.
#[derive(Debug, Clone, Serialize)]
pub struct DisagreementRow {
    /// Question id.
    pub id: String,
    /// Category title.
    pub category: String,
    /// Stage title.
    pub stage: String,
    /// The question.
    pub prompt: String,
    /// Highest minus lowest rated vote.
    pub spread: u8,
    /// Median vote, or an en dash.
    pub median: String,
    /// The agreed answer, or "open".
    pub agreed: String,
    /// The votes, e.g. "Ana 3, Ben 1".
    pub votes: String,
}

/// One SOC 2 criterion and one question citing it.
#[derive(Debug, Clone, Serialize)]
pub struct ControlRow {
    /// Criterion id, e.g. CC6.1.
    pub criterion: String,
    /// Its short title.
    pub title: String,
    /// Question id.
    pub question: String,
    /// The answer, e.g. "3 Implemented", or "open".
    pub level: String,
    /// Evidence references, joined.
    pub evidence: String,
}

/// The appendix of one category.
#[derive(Debug, Clone, Serialize)]
pub struct AppendixCategory {
    /// Category title.
    pub title: String,
    /// Whether it is in scope.
    pub in_scope: bool,
    /// Its stages.
    pub stages: Vec<AppendixStage>,
}

/// The appendix of one section.
#[derive(Debug, Clone, Serialize)]
pub struct AppendixStage {
    /// Stage title.
    pub title: String,
    /// Its questions.
    pub questions: Vec<AppendixQuestion>,
}

/// Everything recorded about one question.
#[derive(Debug, Clone, Serialize)]
pub struct AppendixQuestion {
    /// Question id.
    pub id: String,
    /// The question.
    pub prompt: String,
    /// The answer ("3 Implemented"), "open" or "not in scope".
    pub status: String,
    /// Whether it is critical.
    pub critical: bool,
    /// Its weight.
    pub weight: u8,
    /// Criteria and controls it maps to, joined.
    pub maps_to: String,
    /// Notes (raw text, may span lines).
    pub notes: String,
    /// Evidence references.
    pub evidence: Vec<String>,
    /// Action owner.
    pub owner: String,
    /// Due date.
    pub due: String,
    /// Flagged for discussion.
    pub flagged: bool,
    /// The votes, e.g. "Ana 3, Ben 1".
    pub votes: String,
}

/// An answer kept for a question that no longer exists.
#[derive(Debug, Clone, Serialize)]
pub struct OrphanRow {
    /// The old question id.
    pub id: String,
    /// The answer, or "open".
    pub answer: String,
    /// Notes.
    pub notes: String,
    /// Evidence, joined.
    pub evidence: String,
    /// Owner.
    pub owner: String,
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
    pub category: String,
    /// Stage title.
    pub stage: String,
    /// Minutes and seconds spent, e.g. "12:31".
    pub spent: String,
    /// Minutes planned, e.g. "15:00", or an en dash.
    pub planned: String,
}

/// Which content the session was answered against.
#[derive(Debug, Clone, Serialize)]
pub struct ContentInfo {
    /// The hash recorded in the session.
    pub session_hash: String,
    /// The hash of the content used for this report.
    pub current_hash: String,
    /// Whether they match.
    pub same: bool,
    /// Questionnaire versions, session and current.
    pub versions: Vec<VersionRow>,
}

/// One questionnaire's version then and now.
#[derive(Debug, Clone, Serialize)]
pub struct VersionRow {
    /// Questionnaire id.
    pub id: String,
    /// Version recorded in the session, or an en dash.
    pub session: String,
    /// Version of the content used now, or an en dash.
    pub current: String,
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

fn answer_text(answer: Answer) -> String {
    match answer {
        Answer::NotApplicable => "N/A Not applicable".to_string(),
        Answer::Unknown => "? Unknown".to_string(),
        a => format!("{} {}", a.short(), a.name()),
    }
}

fn due_text(due: Option<Date>) -> String {
    due.map(|d| d.to_string()).unwrap_or_default()
}

fn votes_text(record: &QuestionRecord) -> String {
    let votes: Vec<String> = record
        .votes
        .iter()
        .map(|(who, a)| format!("{who} {}", a.short()))
        .collect();
    votes.join(", ")
}

fn minutes_text(seconds: u64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

impl ReportContext {
    /// Builds the context from a session and its results against a bank.
    pub fn build(
        bank: &QuestionBank,
        session: &Session,
        results: &Results,
        options: &Options,
    ) -> ReportContext {
        let questions: HashMap<&str, &Question> =
            bank.questions().map(|q| (q.id.as_str(), q)).collect();
        let empty = QuestionRecord::default();
        let record_of = |id: &str| session.records.get(id).unwrap_or(&empty);

        let session_details = SessionDetails {
            id: session.id.clone(),
            name: session.name.clone(),
            organisation: session.organisation.clone(),
            system: session.system.clone(),
            created: stamp(session.created),
            updated: stamp(session.updated),
            target: session.target.title().to_string(),
            target_level: results.target_level,
            mode: session.mode.title().to_string(),
            facilitator: session.facilitator.clone(),
            participants: session
                .participants
                .iter()
                .map(|p| Person {
                    name: p.name.clone(),
                    role: p.role.clone(),
                })
                .collect(),
        };

        let hidden = results
            .questions
            .iter()
            .filter(|q| q.status == QuestionStatus::Hidden)
            .count();
        let scoping_answers = &session.scoping;
        let scope = Scope {
            categories: Category::ALL
                .iter()
                .map(|c| ScopeCategory {
                    title: c.title().to_string(),
                    status: if c.always_in_scope() {
                        "in scope (always)".to_string()
                    } else if session.in_scope(*c) {
                        "in scope".to_string()
                    } else {
                        "out of scope".to_string()
                    },
                    questions: bank.questionnaire(*c).map_or(0, |q| q.question_count()),
                })
                .collect(),
            scoping: bank
                .profile
                .questions
                .iter()
                .map(|q| {
                    let (value, default) = match scoping_answers.get(&q.key) {
                        Some(v) => (*v, false),
                        None => (q.default, true),
                    };
                    let word = if value { "Yes" } else { "No" };
                    ScopingRow {
                        key: q.key.clone(),
                        prompt: q.prompt.clone(),
                        answer: if default {
                            format!("{word} (default)")
                        } else {
                            word.to_string()
                        },
                    }
                })
                .collect(),
            applicable: results.questions.len() - hidden,
            hidden,
        };

        let gaps_in = |c: Category| results.gaps.iter().filter(|g| g.category == c).count();
        let summary = Summary {
            overall: score_text(results.overall),
            verdict: results.verdict.title().to_string(),
            answered: results.completion.answered,
            applicable: results.completion.applicable,
            percent: percent_text(results.completion.answered, results.completion.applicable),
            categories: results
                .categories
                .iter()
                .map(|c| CategorySummary {
                    title: c.category.title().to_string(),
                    score: score_text(c.score),
                    verdict: c.verdict.title().to_string(),
                    answered: c.completion.answered,
                    applicable: c.completion.applicable,
                    percent: percent_text(c.completion.answered, c.completion.applicable),
                    critical: c.critical,
                    critical_min_level: c
                        .critical_min_level
                        .map_or_else(|| NONE.to_string(), |l| l.to_string()),
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
                .map(|c| c.category.title().to_string())
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
                        label: c.category.title().to_string(),
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
            stages: stages.iter().map(|s| s.title().to_string()).collect(),
            rows: results
                .categories
                .iter()
                .map(|c| HeatmapRow {
                    category: c.category.title().to_string(),
                    cells: stages
                        .iter()
                        .map(|s| match c.sections.iter().find(|sec| sec.stage == *s) {
                            None => NONE.to_string(),
                            Some(sec) if sec.completion.applicable == 0 => NONE.to_string(),
                            Some(sec) => match sec.score {
                                None => "open".to_string(),
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

        let mut actions: Vec<ActionRow> = results
            .gaps
            .iter()
            .map(|g| {
                let record = record_of(&g.question_id);
                ActionRow {
                    rank: 0,
                    gap: true,
                    id: g.question_id.clone(),
                    category: g.category.title().to_string(),
                    stage: g.stage.title().to_string(),
                    prompt: g.prompt.clone(),
                    answer: answer_text(g.answer),
                    level: g.level.to_string(),
                    target: results.target_level,
                    priority: g.priority(),
                    critical: g.critical,
                    remediation: g.remediation.clone(),
                    owner: g.action_owner.clone(),
                    due: due_text(g.due),
                    notes: record.notes.clone(),
                }
            })
            .collect();
        let gap_ids: std::collections::HashSet<&str> = results
            .gaps
            .iter()
            .map(|g| g.question_id.as_str())
            .collect();
        for q in &results.questions {
            if q.status == QuestionStatus::Hidden || gap_ids.contains(q.id.as_str()) {
                continue;
            }
            let record = record_of(&q.id);
            if record.action_owner.is_empty() && record.due.is_none() {
                continue;
            }
            let Some(question) = questions.get(q.id.as_str()) else {
                continue;
            };
            actions.push(ActionRow {
                rank: 0,
                gap: false,
                id: q.id.clone(),
                category: q.category.title().to_string(),
                stage: q.stage.title().to_string(),
                prompt: question.prompt.clone(),
                answer: record
                    .answer
                    .map_or_else(|| "open".to_string(), answer_text),
                level: record
                    .answer
                    .and_then(Answer::scored_level)
                    .map_or_else(|| NONE.to_string(), |l| l.to_string()),
                target: results.target_level,
                priority: 0,
                critical: q.critical,
                remediation: question.remediation.clone(),
                owner: record.action_owner.clone(),
                due: due_text(record.due),
                notes: record.notes.clone(),
            });
        }
        for (i, a) in actions.iter_mut().enumerate() {
            a.rank = i + 1;
        }
        let top_gaps: Vec<ActionRow> = actions
            .iter()
            .filter(|a| a.gap)
            .take(TOP_GAPS)
            .cloned()
            .collect();

        let prompt_of = |id: &str| {
            questions
                .get(id)
                .map(|q| q.prompt.clone())
                .unwrap_or_default()
        };
        let follow_ups = results
            .follow_ups
            .iter()
            .map(|f| {
                let record = record_of(&f.question_id);
                let reason = match (f.unknown, f.flagged) {
                    (true, true) => "Unknown, flagged",
                    (true, false) => "Unknown",
                    _ => "Flagged",
                };
                FollowUpRow {
                    id: f.question_id.clone(),
                    category: f.category.title().to_string(),
                    stage: f.stage.title().to_string(),
                    prompt: prompt_of(&f.question_id),
                    reason: reason.to_string(),
                    owner: record.action_owner.clone(),
                    due: due_text(record.due),
                    notes: record.notes.clone(),
                }
            })
            .collect();

        let disagreements = results
            .disagreements
            .iter()
            .map(|d| {
                let record = record_of(&d.question_id);
                DisagreementRow {
                    id: d.question_id.clone(),
                    category: d.category.title().to_string(),
                    stage: d.stage.title().to_string(),
                    prompt: prompt_of(&d.question_id),
                    spread: d.spread,
                    median: d
                        .median
                        .map_or_else(|| NONE.to_string(), |a| a.short().to_string()),
                    agreed: record
                        .answer
                        .map_or_else(|| "open".to_string(), answer_text),
                    votes: votes_text(record),
                }
            })
            .collect();

        let controls = control_matrix(results, &questions, &record_of);

        let statuses: HashMap<&str, QuestionStatus> = results
            .questions
            .iter()
            .map(|q| (q.id.as_str(), q.status))
            .collect();
        let appendix = bank
            .questionnaires
            .iter()
            .map(|qn| AppendixCategory {
                title: qn.category.title().to_string(),
                in_scope: session.in_scope(qn.category),
                stages: qn
                    .sections
                    .iter()
                    .map(|sec| AppendixStage {
                        title: sec.stage.title().to_string(),
                        questions: sec
                            .questions
                            .iter()
                            .map(|q| {
                                let record = record_of(&q.id);
                                let hidden =
                                    statuses.get(q.id.as_str()) == Some(&QuestionStatus::Hidden);
                                let status = match record.answer {
                                    Some(a) => answer_text(a),
                                    None if hidden => "not in scope".to_string(),
                                    None => "open".to_string(),
                                };
                                let status = if hidden && record.answer.is_some() {
                                    format!("{status} (not in scope, not scored)")
                                } else {
                                    status
                                };
                                let maps: Vec<&str> = Framework::ALL
                                    .iter()
                                    .flat_map(|f| q.maps_to.for_framework(*f))
                                    .map(String::as_str)
                                    .collect();
                                AppendixQuestion {
                                    id: q.id.clone(),
                                    prompt: q.prompt.clone(),
                                    status,
                                    critical: q.critical,
                                    weight: q.weight,
                                    maps_to: maps.join(", "),
                                    notes: record.notes.clone(),
                                    evidence: record.evidence.clone(),
                                    owner: record.action_owner.clone(),
                                    due: due_text(record.due),
                                    flagged: record.discuss_later,
                                    votes: votes_text(record),
                                }
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
                    id: id.clone(),
                    answer: record
                        .answer
                        .map_or_else(|| "open".to_string(), answer_text),
                    notes: record.notes.clone(),
                    evidence: record.evidence.join("; "),
                    owner: record.action_owner.clone(),
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
                    category: category.title().to_string(),
                    stage: stage.title().to_string(),
                    spent: minutes_text(spent),
                    planned: planned.map_or_else(|| NONE.to_string(), |m| format!("{m}:00")),
                });
            }
        }

        let current = bank.versions();
        let mut ids: Vec<&str> = session
            .questionnaires
            .iter()
            .chain(current.iter())
            .map(|v| v.id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let version_in = |list: &[crate::domain::questionnaire::QuestionnaireVersion], id: &str| {
            list.iter()
                .find(|v| v.id == id)
                .map_or_else(|| NONE.to_string(), |v| v.version.clone())
        };
        let content = ContentInfo {
            session_hash: session.content_hash.clone(),
            current_hash: bank.content_hash.clone(),
            same: session.content_hash == bank.content_hash,
            versions: ids
                .iter()
                .map(|id| VersionRow {
                    id: (*id).to_string(),
                    session: version_in(&session.questionnaires, id),
                    current: version_in(&current, id),
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

/// One row per (criterion, applicable question citing it), criteria in reference order.
fn control_matrix<'a>(
    results: &Results,
    questions: &HashMap<&str, &Question>,
    record_of: &dyn Fn(&str) -> &'a QuestionRecord,
) -> Vec<ControlRow> {
    let catalog = reference::catalog();
    let order: HashMap<&str, usize> = catalog
        .all(Framework::Tsc)
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut by_criterion: BTreeMap<(usize, String), Vec<&str>> = BTreeMap::new();
    for q in &results.questions {
        if q.status == QuestionStatus::Hidden {
            continue;
        }
        let Some(question) = questions.get(q.id.as_str()) else {
            continue;
        };
        for id in &question.maps_to.tsc {
            let rank = order.get(id.as_str()).copied().unwrap_or(usize::MAX);
            by_criterion
                .entry((rank, id.clone()))
                .or_default()
                .push(q.id.as_str());
        }
    }
    let mut rows = Vec::new();
    for ((_, criterion), ids) in by_criterion {
        let title = catalog
            .get(Framework::Tsc, &criterion)
            .map(|r| r.title.clone())
            .unwrap_or_default();
        for id in ids {
            let record = record_of(id);
            rows.push(ControlRow {
                criterion: criterion.clone(),
                title: title.clone(),
                question: id.to_string(),
                level: record
                    .answer
                    .map_or_else(|| "open".to_string(), answer_text),
                evidence: record.evidence.join("; "),
            });
        }
    }
    rows
}
