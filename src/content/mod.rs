//! Questionnaire content: RON text -> raw structs (unknown fields rejected) -> semantic
//! validation -> domain types. Every problem carries `file:line:column: field path`.

mod builtin;
mod locate;
mod raw;
pub mod reference;
mod validate;

pub use builtin::{
    BUILTIN_FILES, EMBEDDED_BANK_FILE, builtin_sources, compile_builtin, decode_bank, encode_bank,
};
#[cfg(embedded_bank)]
pub use builtin::{Bank, builtin};

use crate::domain::framework::{Category, Framework, Stage};
use crate::domain::questionnaire::{
    AuditGuide, Mappings, Primary, Question, QuestionBank, Questionnaire, ScopingProfile,
    ScopingQuestion, Section,
};
use crate::text;
use locate::{Location, SourceMap};
use raw::{RawCitations, RawQuestion, RawQuestionnaire, RawScopingProfile};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The text of one content file and the name used for it in messages.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name shown in messages: the path as the user gave it, or the built-in file name.
    pub name: String,
    /// The file's text.
    pub text: String,
}

/// One problem in the content, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file's name as shown to the user.
    pub file: String,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
    /// Field path, e.g. `sections[1].questions[3].maps_to.tsc[0]`; empty for the whole file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    /// One line: file names, field paths and messages quote what the files hold, so each is
    /// passed through the terminal sanitiser (a newline in an id cannot forge a second problem).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: ",
            text::line(&self.file),
            self.line,
            self.column
        )?;
        if !self.path.is_empty() {
            write!(f, "{}: ", text::line(&self.path))?;
        }
        f.write_str(&text::line(&self.message))
    }
}

/// Why a set of questionnaires could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path as given.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A folder held no `.ron` files.
    #[error("{path} holds no .ron questionnaire files")]
    NoFiles {
        /// The folder.
        path: PathBuf,
    },
    /// The content has problems: the first ones by file and position, and how many in all.
    #[error("{}", render_problems(.0))]
    Invalid(Problems),
    /// A compiled bank could not be encoded or decoded.
    #[error("the compiled question bank cannot be read ({0}); rebuild aiready")]
    Embedded(String),
}

/// The most problems kept and printed; the rest are counted. A broken file can hold millions,
/// and the first ones are the ones to fix.
pub const SHOWN_PROBLEMS: usize = 200;

/// The problems of a set: the first [`SHOWN_PROBLEMS`] by file, line and column (as a slice),
/// with the number of problems and of files with problems in all. Only those first ones are
/// kept, so that a huge broken file costs time in proportion to its size but little memory.
#[derive(Debug, Clone, Default)]
pub struct Problems {
    /// The first problems: in order once finished, a heap with the last one on top before.
    first: Vec<Problem>,
    /// While collecting: the kept problems, the one furthest into the files on top.
    heap: std::collections::BinaryHeap<Ranked>,
    total: usize,
    files: BTreeSet<String>,
}

/// A problem ordered by file, line, column and then the order it was found in.
#[derive(Debug, Clone)]
struct Ranked {
    problem: Problem,
    seq: usize,
}

impl Ranked {
    fn key(&self) -> (&str, usize, usize, usize) {
        let p = &self.problem;
        (&p.file, p.line, p.column, self.seq)
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Ranked) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Ranked) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Ranked) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialEq for Problems {
    fn eq(&self, other: &Problems) -> bool {
        self.first == other.first && self.total == other.total && self.files == other.files
    }
}

impl Eq for Problems {}

impl Problems {
    /// Adds a problem; it is kept only while it is among the first by position.
    fn push(&mut self, problem: Problem) {
        let ranked = Ranked {
            problem,
            seq: self.total,
        };
        self.total += 1;
        if !self.files.contains(&ranked.problem.file) {
            self.files.insert(ranked.problem.file.clone());
        }
        if self.heap.len() < SHOWN_PROBLEMS {
            self.heap.push(ranked);
        } else if let Some(mut last) = self.heap.peek_mut()
            && ranked < *last
        {
            *last = ranked;
        }
    }

    /// How many problems were found, kept or not.
    pub fn total(&self) -> usize {
        self.total
    }

    /// How many files have at least one problem.
    pub fn files(&self) -> usize {
        self.files.len()
    }

    /// Whether no problem was found.
    pub fn is_none(&self) -> bool {
        self.total == 0
    }

    /// Puts the kept problems in order of file, line and column.
    fn finish(mut self) -> Problems {
        let heap = std::mem::take(&mut self.heap);
        self.first = heap
            .into_sorted_vec()
            .into_iter()
            .map(|r| r.problem)
            .collect();
        self
    }
}

impl std::ops::Deref for Problems {
    type Target = [Problem];

    fn deref(&self) -> &[Problem] {
        &self.first
    }
}

impl IntoIterator for Problems {
    type Item = Problem;
    type IntoIter = std::vec::IntoIter<Problem>;

    fn into_iter(self) -> Self::IntoIter {
        self.first.into_iter()
    }
}

impl<'a> IntoIterator for &'a Problems {
    type Item = &'a Problem;
    type IntoIter = std::slice::Iter<'a, Problem>;

    fn into_iter(self) -> Self::IntoIter {
        self.first.iter()
    }
}

impl From<Problem> for Problems {
    fn from(problem: Problem) -> Problems {
        let mut problems = Problems::default();
        problems.push(problem);
        problems.finish()
    }
}

/// The line after the shown problems saying how many more there are, if any.
pub fn more_problems(count: usize) -> Option<String> {
    let more = count.saturating_sub(SHOWN_PROBLEMS);
    match more {
        0 => None,
        1 => Some(format!(
            "... and 1 more problem (the first {SHOWN_PROBLEMS} are shown)"
        )),
        n => Some(format!(
            "... and {n} more problems (the first {SHOWN_PROBLEMS} are shown)"
        )),
    }
}

fn render_problems(problems: &Problems) -> String {
    let count = problems.total();
    let heading = if count == 1 {
        "1 problem in the questionnaires:".to_string()
    } else {
        format!("{count} problems in the questionnaires:")
    };
    std::iter::once(heading)
        .chain(problems.iter().take(SHOWN_PROBLEMS).map(Problem::to_string))
        .chain(more_problems(count))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads files and folders (every `*.ron` in a folder, not recursing) and loads them as one set.
/// A set without a scoping profile uses the built-in one.
pub fn load_paths(paths: &[PathBuf]) -> Result<QuestionBank, ContentError> {
    load_sources(&read_paths(paths)?).map_err(ContentError::Invalid)
}

/// The texts of files and folders (every `*.ron` in a folder, not recursing), in order.
pub fn read_paths(paths: &[PathBuf]) -> Result<Vec<Source>, ContentError> {
    let mut sources = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|source| ContentError::Io {
                    path: path.clone(),
                    source,
                })?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|ext| ext == "ron") && p.is_file())
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(ContentError::NoFiles { path: path.clone() });
            }
            for file in files {
                sources.push(read_source(&file)?);
            }
        } else {
            sources.push(read_source(path)?);
        }
    }
    Ok(sources)
}

/// Loads every `*.ron` file of one folder as a set.
pub fn load_dir(dir: &Path) -> Result<QuestionBank, ContentError> {
    load_paths(&[dir.to_path_buf()])
}

fn read_source(path: &Path) -> Result<Source, ContentError> {
    let bytes = std::fs::read(path).map_err(|source| ContentError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path.display().to_string();
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source { name, text }),
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let before = String::from_utf8_lossy(&err.as_bytes()[..valid]).into_owned();
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(ContentError::Invalid(Problems::from(Problem {
                file: name,
                line,
                column,
                path: String::new(),
                message: "the file is not valid UTF-8 text".to_string(),
            })))
        }
    }
}

/// What a file holds, told by the name of its top-level struct.
enum Parsed {
    Questionnaire(RawQuestionnaire),
    Profile(RawScopingProfile),
}

struct ParsedFile<'s> {
    source: &'s Source,
    /// Built only when a problem needs a location: valid files, the usual case at start-up,
    /// never pay for a second reading.
    map: OnceLock<SourceMap>,
    parsed: Parsed,
}

impl ParsedFile<'_> {
    fn problem(&self, path: &str, message: impl Into<String>) -> Problem {
        let map = self.map.get_or_init(|| SourceMap::new(&self.source.text));
        let at = map.location_of(&self.source.text, path);
        Problem {
            file: self.source.name.clone(),
            line: at.line,
            column: at.column,
            path: path.to_string(),
            message: message.into(),
        }
    }
}

/// Loads a set from texts. Returns the validated bank, or the problems found (the first ones
/// and their count).
pub fn load_sources(sources: &[Source]) -> Result<QuestionBank, Problems> {
    let mut problems = Problems::default();
    let mut parsed = Vec::new();
    for source in sources {
        match parse(source) {
            Ok(file) => parsed.push(file),
            Err(problem) => problems.push(problem),
        }
    }

    let profiles: Vec<&ParsedFile> = parsed
        .iter()
        .filter(|f| matches!(f.parsed, Parsed::Profile(_)))
        .collect();
    if let Some(extra) = profiles.get(1) {
        let first = profiles.first().map_or("", |f| f.source.name.as_str());
        problems.push(extra.problem(
            "",
            format!("a set has one scoping profile, but {first} defines one already"),
        ));
    }
    let builtin_profile;
    let profile_raw: &RawScopingProfile = match profiles.first().map(|f| &f.parsed) {
        Some(Parsed::Profile(p)) => p,
        _ => {
            builtin_profile = builtin::raw_profile();
            match &builtin_profile {
                Some(p) => p,
                None => return Err(problems.finish()),
            }
        }
    };
    let scoping_keys: BTreeSet<String> = profile_raw
        .questions
        .iter()
        .map(|q| q.key.clone())
        .collect();

    let catalog = reference::catalog();
    let mut questionnaire_ids: BTreeMap<&str, &str> = BTreeMap::new();
    let mut categories: BTreeMap<Category, &str> = BTreeMap::new();
    // Where each question id was first seen: (file, field path), located only if repeated.
    let mut question_ids: BTreeMap<&str, (&ParsedFile, String)> = BTreeMap::new();
    for file in &parsed {
        match &file.parsed {
            Parsed::Profile(p) => {
                for f in validate::profile(p) {
                    problems.push(file.problem(&f.path, f.message));
                }
            }
            Parsed::Questionnaire(q) => {
                validate::questionnaire(q, catalog, &scoping_keys, &mut |f| {
                    problems.push(file.problem(&f.path, f.message));
                });
                if let Some(first) = questionnaire_ids.insert(&q.id, &file.source.name) {
                    problems.push(file.problem(
                        "id",
                        format!(
                            "questionnaire id '{}' is already used by {first}",
                            text::value(&q.id)
                        ),
                    ));
                }
                if let Some(first) = categories.insert(q.category, &file.source.name) {
                    problems.push(file.problem(
                        "category",
                        format!(
                            "{first} already covers {}; a set has one questionnaire per category",
                            q.category.title()
                        ),
                    ));
                }
                for (s, section) in q.sections.iter().enumerate() {
                    for (i, question) in section.questions.iter().enumerate() {
                        let path = format!("sections[{s}].questions[{i}].id");
                        if let Some((first_file, first_path)) =
                            question_ids.get(question.id.as_str())
                        {
                            let first = first_file.problem(first_path, "");
                            problems.push(file.problem(
                                &path,
                                format!(
                                    "question id '{}' is already used at {}:{}:{}",
                                    text::value(&question.id),
                                    first.file,
                                    first.line,
                                    first.column
                                ),
                            ));
                        } else {
                            question_ids.insert(&question.id, (file, path));
                        }
                    }
                }
            }
        }
    }
    // A retired id must not be in use: its kept answers would be read as answers to the
    // question that now holds it.
    for file in &parsed {
        let Parsed::Questionnaire(q) = &file.parsed else {
            continue;
        };
        for (s, section) in q.sections.iter().enumerate() {
            for (i, question) in section.questions.iter().enumerate() {
                for (k, retired) in question.replaces.iter().flatten().enumerate() {
                    // Replacing itself is reported by the question's own checks.
                    if *retired == question.id {
                        continue;
                    }
                    if let Some((used_file, used_path)) = question_ids.get(retired.as_str()) {
                        let used = used_file.problem(used_path, "");
                        problems.push(file.problem(
                            &format!("sections[{s}].questions[{i}].replaces[{k}]"),
                            format!(
                                "'{retired}' is replaced, but a current question still has that id at {}:{}:{}",
                                used.file, used.line, used.column
                            ),
                        ));
                    }
                }
            }
        }
    }
    if !parsed
        .iter()
        .any(|f| matches!(f.parsed, Parsed::Questionnaire(_)))
        && problems.is_none()
    {
        let file = sources.first().map_or_else(String::new, |s| s.name.clone());
        problems.push(Problem {
            file,
            line: 1,
            column: 1,
            path: String::new(),
            message: "the set has no questionnaire, only a scoping profile".to_string(),
        });
    }
    if !problems.is_none() {
        return Err(problems.finish());
    }

    let mut questionnaires: Vec<Questionnaire> = parsed
        .iter()
        .filter_map(|f| match &f.parsed {
            Parsed::Questionnaire(q) => Some(to_domain(q)),
            Parsed::Profile(_) => None,
        })
        .collect();
    questionnaires.sort_by_key(|q| q.category);
    Ok(QuestionBank {
        questionnaires,
        profile: profile_to_domain(profile_raw),
        content_hash: content_hash(sources),
    })
}

fn parse(source: &Source) -> Result<ParsedFile<'_>, Problem> {
    let options = raw::options();
    let result = if top_level_name(&source.text) == Some("ScopingProfile") {
        options
            .from_str::<RawScopingProfile>(&source.text)
            .map(Parsed::Profile)
    } else {
        options
            .from_str::<RawQuestionnaire>(&source.text)
            .map(Parsed::Questionnaire)
    };
    match result {
        Ok(parsed) => Ok(ParsedFile {
            source,
            map: OnceLock::new(),
            parsed,
        }),
        Err(err) => {
            let mut at = Location {
                line: err.span.start.line.max(1),
                column: err.span.start.col.max(1),
            };
            // Only the text up to the error is read: after it there may be anything at all.
            let map = SourceMap::up_to(&source.text, at);
            let mut path = map.path_at(&source.text, at);
            match &err.code {
                ron::Error::NoSuchStructField { found, .. } => path = join_path(&path, found),
                // ron notices a missing field at the closing parenthesis; the start of the
                // struct is where a person looks for it.
                ron::Error::MissingStructField { .. } => at = map.location_of(&source.text, &path),
                _ => {}
            }
            Err(Problem {
                file: source.name.clone(),
                line: at.line,
                column: at.column,
                path,
                message: describe(&err.code),
            })
        }
    }
}

fn join_path(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// The identifier a file starts with, after comments: `Questionnaire` or `ScopingProfile`.
fn top_level_name(text: &str) -> Option<&str> {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r);
        } else {
            break;
        }
    }
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// ron's messages, reworded for people who edit questionnaires rather than Rust.
fn describe(code: &ron::Error) -> String {
    use ron::Error as E;
    match code {
        E::MissingStructField { field, .. } => format!("missing field '{field}'"),
        E::NoSuchStructField {
            expected, found, ..
        } => format!(
            "unknown field '{found}'; expected one of: {}",
            expected.join(", ")
        ),
        E::DuplicateStructField { field, .. } => format!("field '{field}' is given twice"),
        E::NoSuchEnumVariant {
            expected, found, ..
        } => format!(
            "unknown value '{found}'; expected one of: {}",
            expected.join(", ")
        ),
        E::ExpectedDifferentStructName { expected, found } => {
            format!("expected {expected}( but found {found}(")
        }
        E::Eof => "the file ends too early; a bracket or parenthesis is not closed".to_string(),
        E::IntegerOutOfBounds => "number out of range".to_string(),
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => text,
            }
        }
    }
}

fn to_domain(q: &RawQuestionnaire) -> Questionnaire {
    Questionnaire {
        format: q.format.and_then(|f| u8::try_from(f).ok()).unwrap_or(1),
        id: q.id.clone(),
        title: q.title.clone(),
        category: q.category,
        version: q.version.clone(),
        description: q.description.clone(),
        sections: q
            .sections
            .iter()
            .map(|s| Section {
                stage: s.stage,
                questions: s
                    .questions
                    .iter()
                    .map(|r| question_to_domain(r, q.category, s.stage))
                    .collect(),
            })
            .collect(),
    }
}

fn question_to_domain(r: &RawQuestion, category: Category, stage: Stage) -> Question {
    let trimmed = |text: &Option<String>| text.as_deref().unwrap_or("").trim().to_string();
    // Validation has made sure a format 2 question has every field, and a format 1 none.
    let audit = match (&r.frequency, &r.tested_by) {
        (Some(frequency), Some(tested_by)) => Some(AuditGuide {
            type1_evidence: trimmed(&r.type1_evidence),
            type2_evidence: trimmed(&r.type2_evidence),
            frequency: *frequency,
            tested_by: tested_by.clone(),
            typical_exception: trimmed(&r.typical_exception),
        }),
        _ => None,
    };
    let mut maps_to = Mappings::default();
    for (framework, citations) in r.maps_to.by_framework() {
        let Some(citations) = citations else {
            continue;
        };
        let ids: Vec<String> = citations.ids().into_iter().map(str::to_string).collect();
        if let RawCitations::Cited(c) = citations {
            maps_to.primary.push(Primary {
                framework,
                id: c.primary.clone(),
                why: c.why.trim().to_string(),
            });
        }
        match framework {
            Framework::Tsc => maps_to.tsc = ids,
            Framework::NistAiRmf => maps_to.nist = ids,
            Framework::Iso42001 => maps_to.iso = ids,
            Framework::OwaspLlm => maps_to.owasp = ids,
        }
    }
    Question {
        id: r.id.clone(),
        category,
        stage,
        prompt: r.prompt.trim().to_string(),
        guidance: r.guidance.trim().to_string(),
        good_looks_like: r.good_looks_like.trim().to_string(),
        evidence: r.evidence.iter().map(|e| e.trim().to_string()).collect(),
        weight: r.weight,
        critical: r.critical,
        maps_to,
        remediation: r.remediation.trim().to_string(),
        applies_if: r.applies_if.clone(),
        themes: r.themes.clone(),
        audit,
        also_in: r.also_in.clone().unwrap_or_default(),
        replaces: r.replaces.clone().unwrap_or_default(),
    }
}

fn profile_to_domain(p: &RawScopingProfile) -> ScopingProfile {
    ScopingProfile {
        id: p.id.clone(),
        version: p.version.clone(),
        questions: p
            .questions
            .iter()
            .map(|q| ScopingQuestion {
                key: q.key.clone(),
                prompt: q.prompt.clone(),
                help: q.help.clone(),
                default: q.default,
            })
            .collect(),
        optional_categories: p.optional_categories.clone(),
        thresholds: p.thresholds,
    }
}

/// SHA-256 over every file's name and text, in name order, so that the same set always hashes
/// the same and any edit changes it: the bank's `content_hash`.
pub fn content_hash(sources: &[Source]) -> String {
    let mut ordered: Vec<&Source> = sources.iter().collect();
    ordered.sort_by(|a, b| file_name(&a.name).cmp(file_name(&b.name)));
    let mut hasher = Sha256::new();
    for source in ordered {
        hasher.update(file_name(&source.name).as_bytes());
        hasher.update([0]);
        hasher.update(source.text.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn file_name(name: &str) -> &str {
    Path::new(name)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_set_loads() {
        let bank = builtin().unwrap();
        assert!(!bank.questionnaires.is_empty());
        assert_eq!(bank.content_hash.len(), 64);
    }

    #[test]
    fn only_the_first_problems_by_position_are_kept() {
        let problem = |file: &str, line: usize| Problem {
            file: file.into(),
            line,
            column: 1,
            path: String::new(),
            message: format!("{file}:{line}"),
        };
        let mut problems = Problems::default();
        // Pushed from the end of the files backwards, and a second file before the first.
        for line in (1..=1_000).rev() {
            problems.push(problem("b.ron", line));
        }
        problems.push(problem("a.ron", 500));
        problems.push(problem("a.ron", 500));
        let problems = problems.finish();
        assert_eq!(problems.total(), 1_002);
        assert_eq!(problems.files(), 2);
        assert_eq!(problems.len(), SHOWN_PROBLEMS);
        assert_eq!(problems[0].message, "a.ron:500");
        assert_eq!(problems[1].message, "a.ron:500");
        assert_eq!(problems[2].message, "b.ron:1");
        assert_eq!(
            problems[SHOWN_PROBLEMS - 1].message,
            format!("b.ron:{}", SHOWN_PROBLEMS - 2)
        );
    }

    #[test]
    fn top_level_name_skips_comments() {
        assert_eq!(
            top_level_name("// x\n/* y */ ScopingProfile(id: \"s\")"),
            Some("ScopingProfile")
        );
        assert_eq!(top_level_name("  Questionnaire("), Some("Questionnaire"));
        assert_eq!(top_level_name("("), None);
    }
}
