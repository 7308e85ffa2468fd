//! `aiready questionnaires list | validate | export`.

use super::{Context, QuestionnairesCommand};
use crate::content::{self, BUILTIN_FILES, ContentError};
use crate::domain::coverage::Coverage;
use crate::domain::framework::Stage;
use crate::domain::questionnaire::QuestionBank;
use crate::error::CliError;
use crate::text;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Runs one `questionnaires` subcommand.
pub fn run(context: &Context, command: &QuestionnairesCommand) -> Result<ExitCode, CliError> {
    match command {
        QuestionnairesCommand::List => list(context.bank()?),
        QuestionnairesCommand::Validate { paths } => validate(context, paths),
        QuestionnairesCommand::Coverage => coverage(context.bank()?),
        QuestionnairesCommand::Export { dir, force } => export(dir, *force),
    }
}

fn list(bank: &QuestionBank) -> Result<ExitCode, CliError> {
    let mut out = std::io::stdout().lock();
    let id_width = bank
        .questionnaires
        .iter()
        .map(|q| text::value(&q.id).chars().count())
        .chain([2])
        .max()
        .unwrap_or(2);
    let title_width = bank
        .questionnaires
        .iter()
        .map(|q| text::value(&q.title).chars().count())
        .chain([5])
        .max()
        .unwrap_or(5);
    writeln!(
        out,
        "{:id_width$}  {:title_width$}  {:>8}  {:>9}",
        "ID", "TITLE", "VERSION", "QUESTIONS"
    )?;
    for q in &bank.questionnaires {
        writeln!(
            out,
            "{:id_width$}  {:title_width$}  {:>8}  {:>9}",
            text::value(&q.id),
            text::value(&q.title),
            text::value(&q.version),
            q.question_count()
        )?;
    }
    let total: usize = bank.questionnaires.iter().map(|q| q.question_count()).sum();
    writeln!(
        out,
        "{} questionnaires, {total} questions, scoping profile '{}' {}",
        bank.questionnaires.len(),
        text::value(&bank.profile.id),
        text::value(&bank.profile.version)
    )?;
    Ok(ExitCode::SUCCESS)
}

fn validate(context: &Context, paths: &[std::path::PathBuf]) -> Result<ExitCode, CliError> {
    let loaded;
    let result = if paths.is_empty() {
        context.bank()
    } else {
        match content::load_paths(paths) {
            Ok(bank) => {
                loaded = bank;
                Ok(&loaded)
            }
            Err(err) => Err(err),
        }
    };
    match result {
        Ok(bank) => {
            let questions: usize = bank.questionnaires.iter().map(|q| q.question_count()).sum();
            let count = bank.questionnaires.len();
            let keys = bank.profile.questions.len();
            writeln!(
                std::io::stdout().lock(),
                "valid: {count} questionnaire{}, {questions} question{}, {keys} scoping key{}",
                plural(count),
                plural(questions),
                plural(keys)
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(ContentError::Invalid(problems)) => {
            // One buffered write rather than one per line: the list can be long.
            let mut err = std::io::BufWriter::new(std::io::stderr().lock());
            for problem in problems.iter().take(content::SHOWN_PROBLEMS) {
                writeln!(err, "{problem}")?;
            }
            if let Some(more) = content::more_problems(problems.total()) {
                writeln!(err, "{more}")?;
            }
            writeln!(
                err,
                "{} problem{} in {} file{}",
                problems.total(),
                plural(problems.total()),
                problems.files(),
                plural(problems.files())
            )?;
            Ok(ExitCode::FAILURE)
        }
        Err(other) => Err(other.into()),
    }
}

/// How many of the most cited identifiers `coverage` names per framework.
const MOST_CITED: usize = 5;

fn coverage(bank: &QuestionBank) -> Result<ExitCode, CliError> {
    let coverage = Coverage::of(bank, content::reference::catalog());
    let mut out = std::io::stdout().lock();
    for framework in &coverage.frameworks {
        let percent = framework.cited * 100 / framework.total.max(1);
        writeln!(
            out,
            "{}: {} of {} cited ({percent}%)",
            framework.framework.title(),
            framework.cited,
            framework.total
        )?;
        writeln!(
            out,
            "  primary citations: {} (naming {} identifier{}); secondary citations: {}",
            framework.citations.primary,
            framework.cited_as_primary,
            plural(framework.cited_as_primary),
            framework.citations.secondary
        )?;
        let mut most: Vec<_> = framework.by_id.iter().collect();
        most.sort_by_key(|(_, c)| std::cmp::Reverse(c.total()));
        if !most.is_empty() {
            let top: Vec<String> = most
                .iter()
                .take(MOST_CITED)
                .map(|(r, c)| format!("{} {}+{}", r.id, c.primary, c.secondary))
                .collect();
            writeln!(out, "  most cited (primary+secondary): {}", top.join(", "))?;
        }
        if framework.uncited.is_empty() {
            writeln!(out, "  every identifier is cited")?;
        }
        for (family, references) in &framework.uncited {
            writeln!(out, "  not cited in {family}:")?;
            for reference in references {
                writeln!(out, "    {:<14} {}", reference.id, reference.title)?;
            }
        }
        writeln!(out)?;
    }
    writeln!(out, "Questions per category and stage:")?;
    let stages: Vec<Stage> = Stage::ALL.to_vec();
    write!(out, "{:<22}", "")?;
    for stage in &stages {
        write!(out, "{:>11}", stage.title())?;
    }
    writeln!(out, "{:>8}", "Total")?;
    let mut column_totals = vec![0usize; stages.len()];
    for questionnaire in &bank.questionnaires {
        let category = questionnaire.category;
        write!(out, "{:<22}", category.title())?;
        let mut row = 0;
        for (i, stage) in stages.iter().enumerate() {
            let n = coverage.count(category, *stage);
            row += n;
            column_totals[i] += n;
            let cell = if n == 0 {
                "-".to_string()
            } else {
                n.to_string()
            };
            write!(out, "{cell:>11}")?;
        }
        writeln!(out, "{row:>8}")?;
    }
    write!(out, "{:<22}", "Total")?;
    for n in &column_totals {
        write!(out, "{n:>11}")?;
    }
    writeln!(out, "{:>8}", column_totals.iter().sum::<usize>())?;
    Ok(ExitCode::SUCCESS)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn export(dir: &Path, force: bool) -> Result<ExitCode, CliError> {
    // Check every target first so that a refusal writes nothing at all.
    if !force {
        let existing: Vec<String> = BUILTIN_FILES
            .iter()
            .map(|(name, _)| dir.join(name))
            .filter(|path| path.exists())
            .map(|path| path.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(CliError::WouldOverwrite(existing));
        }
    }
    std::fs::create_dir_all(dir).map_err(|source| CliError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    for (name, text) in BUILTIN_FILES {
        let path = dir.join(name);
        write_atomically(&path, text.as_bytes()).map_err(|source| CliError::Write {
            path: path.clone(),
            source,
        })?;
    }
    let dir = text::escape(&dir.display().to_string()).into_owned();
    writeln!(
        std::io::stdout().lock(),
        "wrote {} files to {dir}; use them with: aiready --questionnaires {dir} ...",
        BUILTIN_FILES.len(),
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Writes a temporary file beside `path` and renames it into place, so that a reader never
/// sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}
