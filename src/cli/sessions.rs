//! `aiready new` and `aiready sessions list | show | delete`.

use super::{Context, ModeArg, NewArgs, SessionsCommand, TargetArg};
use crate::domain::questionnaire::QuestionBank;
use crate::domain::scoring::{self, Results};
use crate::domain::session::{Mode, ObservationPeriod, Session, Target, validate_name};
use crate::error::CliError;
use crate::store::{FileStore, SessionStore, StoreError, new_session_id};
use jiff::Timestamp;
use std::io::{BufRead, Write};
use std::process::ExitCode;

/// How many gaps `sessions show` lists.
const TOP_GAPS: usize = 10;

/// Runs one `sessions` subcommand.
pub fn run(context: &Context, command: &SessionsCommand) -> Result<ExitCode, CliError> {
    let store = FileStore::new(&context.paths.data_dir);
    match command {
        SessionsCommand::List => list(&store, context.bank()?),
        SessionsCommand::Show { session } => show(&store, context.bank()?, session),
        SessionsCommand::Delete { session, yes } => delete(&store, session, *yes),
    }
}

/// Creates a session and prints its id.
pub fn new(context: &Context, args: &NewArgs) -> Result<ExitCode, CliError> {
    let bank = context.bank()?;
    if !args.no_tui {
        // Refuse before creating anything, so that a redirected run leaves no stray session.
        crate::tui::ensure_terminal()?;
    }
    let name = validate_name(&args.name).map_err(StoreError::from)?;
    let now = Timestamp::now();
    let mut session = Session::new(new_session_id(&name, now), name, bank, now);
    session.organisation = args.org.clone().unwrap_or_default().trim().to_string();
    session.system = args.system.clone().unwrap_or_default().trim().to_string();
    session.target = match args.target {
        TargetArg::Type1 => Target::Type1,
        TargetArg::Type2 => Target::Type2,
    };
    session.mode = match args.mode {
        ModeArg::Workshop => Mode::Workshop,
        ModeArg::Solo => Mode::Solo,
    };
    session.observation_period = ObservationPeriod::from_dates(args.period_start, args.period_end)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    if session.observation_period.is_some() && session.target != Target::Type2 {
        return Err(CliError::Usage(
            "an observation period belongs to a Type 2 target; add --target type2 or leave out --period-start and --period-end".to_string(),
        ));
    }
    let store = FileStore::new(&context.paths.data_dir);
    // The lock is released at once; the workshop screen takes it again when it opens.
    drop(store.create(&session)?);
    if args.no_tui {
        writeln!(std::io::stdout().lock(), "{}", session.id)?;
        return Ok(ExitCode::SUCCESS);
    }
    Ok(crate::tui::run(
        bank,
        Box::new(store),
        &context.paths,
        crate::tui::Start::Session(session.id),
    )?)
}

/// `aiready open SESSION`: the workshop screen on a session, found by id or exact name.
pub fn open(context: &Context, session: &str) -> Result<ExitCode, CliError> {
    let bank = context.bank()?;
    let store = FileStore::new(&context.paths.data_dir);
    let id = store.find(session)?;
    Ok(crate::tui::run(
        bank,
        Box::new(store),
        &context.paths,
        crate::tui::Start::Session(id),
    )?)
}

/// Text a user typed, made safe to print: control characters are shown escaped, so a
/// hand-edited file cannot send escape sequences to the terminal.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn score_text(score: Option<f64>) -> String {
    scoring::format_score_or(score, "-")
}

fn when(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

fn list(store: &FileStore, bank: &QuestionBank) -> Result<ExitCode, CliError> {
    let entries = store.list()?;
    let mut out = std::io::stdout().lock();
    if entries.is_empty() {
        writeln!(
            out,
            "No sessions in {}. Start one with: aiready new --name NAME",
            store.dir().display()
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for entry in entries {
        match entry.session {
            Ok(session) => {
                let results = scoring::score(bank, &session);
                rows.push((session, results));
            }
            Err(err) => problems.push(err),
        }
    }
    rows.sort_by(|a, b| b.0.updated.cmp(&a.0.updated).then(a.0.id.cmp(&b.0.id)));
    let names: Vec<String> = rows.iter().map(|(s, _)| clean(&s.name)).collect();
    let name_width = names
        .iter()
        .map(|n| n.chars().count())
        .chain([4])
        .max()
        .unwrap_or(4)
        .min(40);
    let id_width = rows
        .iter()
        .map(|(s, _)| s.id.len())
        .chain([2])
        .max()
        .unwrap_or(2);
    writeln!(
        out,
        "{:name_width$}  {:id_width$}  {:8}  {:20}  {:>5}  {:>5}",
        "NAME", "ID", "MODE", "UPDATED", "DONE", "SCORE"
    )?;
    for ((session, results), name) in rows.iter().zip(names) {
        let name: String = if name.chars().count() > name_width {
            let mut short: String = name.chars().take(name_width - 1).collect();
            short.push('…');
            short
        } else {
            name
        };
        let pad = name_width - name.chars().count();
        writeln!(
            out,
            "{name}{:pad$}  {:id_width$}  {:8}  {:20}  {:>4.0}%  {:>5}",
            "",
            session.id,
            session.mode.title(),
            when(session.updated),
            results.completion.percent().floor(),
            score_text(results.overall),
        )?;
    }
    drop(out);
    if problems.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let mut err = std::io::stderr().lock();
    for problem in &problems {
        writeln!(err, "aiready: {problem}")?;
    }
    Ok(ExitCode::FAILURE)
}

fn show(store: &FileStore, bank: &QuestionBank, key: &str) -> Result<ExitCode, CliError> {
    let id = store.find(key)?;
    let session = store.load(&id)?;
    let results = scoring::score(bank, &session);
    let mut out = std::io::stdout().lock();
    write!(out, "{}", render(&session, bank, &results))?;
    Ok(ExitCode::SUCCESS)
}

/// The plain-text summary `sessions show` prints.
fn render(session: &Session, bank: &QuestionBank, results: &Results) -> String {
    let mut t = String::new();
    let mut line = |s: String| {
        t.push_str(&s);
        t.push('\n');
    };
    line(clean(&session.name));
    line(format!("  id            {}", session.id));
    if !session.organisation.is_empty() {
        line(format!("  organisation  {}", clean(&session.organisation)));
    }
    if !session.system.is_empty() {
        line(format!("  system        {}", clean(&session.system)));
    }
    line(format!(
        "  target        {} ({} mode)",
        session.target, session.mode
    ));
    if let Some(p) = &session.observation_period {
        line(format!(
            "  period        {} to {} (intended Type 2 observation period)",
            p.start, p.end
        ));
    }
    line(format!(
        "  created       {}   updated {}",
        when(session.created),
        when(session.updated)
    ));
    line(format!(
        "  answered      {} of {} applicable questions ({:.0}%)",
        results.completion.answered,
        results.completion.applicable,
        results.completion.percent().floor()
    ));
    line(format!(
        "  overall       {}   {}",
        score_text(results.overall),
        results.verdict_text()
    ));
    line(format!("  score basis   {}", results.overall_basis_text()));
    if session.content_hash != bank.content_hash {
        line(
            "  note          the questionnaires have changed since this session started; scores use the current ones"
                .to_string(),
        );
    }
    line(String::new());
    line(format!(
        "{:22}  {:>5}  {:>9}  VERDICT",
        "CATEGORY", "SCORE", "ANSWERED"
    ));
    for c in &results.categories {
        line(format!(
            "{:22}  {:>5}  {:>9}  {}",
            c.category.title(),
            score_text(c.score),
            format!("{}/{}", c.completion.answered, c.completion.applicable),
            c.verdict_text()
        ));
    }
    line(String::new());
    if results.gaps.is_empty() {
        line(format!(
            "No gaps: every answered question is at level {} or above.",
            results.target_level
        ));
    } else {
        line(format!(
            "Top gaps against {} (level {}), {} of {}:",
            session.target,
            results.target_level,
            results.gaps.len().min(TOP_GAPS),
            results.gaps.len()
        ));
        for (i, gap) in results.gaps.iter().take(TOP_GAPS).enumerate() {
            let critical = if gap.critical { "critical, " } else { "" };
            line(format!(
                "{:>3}. {} ({} > {}): level {} ({}), {critical}weight {}",
                i + 1,
                gap.question_id,
                gap.category.title(),
                gap.stage.title(),
                gap.answer.short(),
                gap.answer.name(),
                gap.weight
            ));
            let wrap = |label: &str, text: &str| {
                let options = textwrap::Options::new(96)
                    .initial_indent(label)
                    .subsequent_indent("     ");
                textwrap::fill(&clean(text), options)
            };
            line(wrap("     ", gap.prompt));
            line(wrap("     Next: ", gap.remediation));
        }
    }
    let unknown = results.follow_ups.iter().filter(|f| f.unknown).count();
    let flagged = results.follow_ups.iter().filter(|f| f.flagged).count();
    if unknown + flagged > 0 {
        line(String::new());
        line(format!(
            "Follow-ups: {unknown} answered Unknown, {flagged} flagged to discuss later."
        ));
    }
    if !results.disagreements.is_empty() {
        line(format!(
            "Disagreements (votes {} or more levels apart): {}",
            scoring::DISAGREEMENT_SPREAD,
            results
                .disagreements
                .iter()
                .map(|d| d.question_id)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !results.orphaned.is_empty() {
        line(String::new());
        line(format!(
            "Kept answers to questions the current questionnaires no longer have: {}",
            results
                .orphaned
                .iter()
                .map(|id| clean(id))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    t
}

fn delete(store: &FileStore, key: &str, yes: bool) -> Result<ExitCode, CliError> {
    let id = store.find(key)?;
    let label = match store.load(&id) {
        Ok(session) => format!("\"{}\" ({id})", clean(&session.name)),
        Err(_) => id.clone(),
    };
    if !yes {
        let mut err = std::io::stderr().lock();
        write!(
            err,
            "Delete session {label} and its backup? This cannot be undone. [y/N] "
        )?;
        err.flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES") {
            writeln!(err, "Nothing was deleted.")?;
            return Ok(ExitCode::FAILURE);
        }
    }
    store.delete(&id)?;
    writeln!(std::io::stdout().lock(), "Deleted session {label}.")?;
    Ok(ExitCode::SUCCESS)
}
