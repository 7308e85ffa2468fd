//! `aiready new` and `aiready sessions list | show | delete`.

use super::{Context, ModeArg, NewArgs, SessionsCommand, TargetArg};
use crate::content::Bank;
use crate::domain::questionnaire::QuestionBank;
use crate::domain::scoring::{self, Results};
use crate::domain::session::{
    Mode, ObservationPeriod, Participant, Session, Target, validate_name,
};
use crate::domain::typed_text;
use crate::error::CliError;
use crate::store::{FileStore, SessionStore, StoreError, Summary, new_session_id};
use crate::text;
use jiff::Timestamp;
use serde_json::{Value, json};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use unicode_width::UnicodeWidthStr;

/// How many gaps `sessions show` lists.
const TOP_GAPS: usize = 10;

/// The widest the NAME column of `sessions list` grows, in terminal columns.
const NAME_COLUMNS: usize = 40;

/// How many hex digits of an id tell apart two sessions with the same name.
const SHORT_ID: usize = 6;

/// Runs one `sessions` subcommand.
pub fn run(context: &Context, command: &SessionsCommand) -> Result<ExitCode, CliError> {
    let store = FileStore::new(&context.paths.data_dir);
    match command {
        SessionsCommand::List { json } => list(&store, &context.lazy_bank(), *json),
        SessionsCommand::Show { session, json } => show(&store, context.bank()?, session, *json),
        SessionsCommand::Delete { session, yes } => delete(&store, session, *yes),
    }
}

/// Text typed on the command line, checked against the rule for typed text and trimmed.
fn typed(option: &str, value: &str) -> Result<String, CliError> {
    typed_text::check(value)
        .map_err(|e| CliError::Usage(format!("{option} \"{}\" {e}", text::value(value))))?;
    Ok(value.trim().to_string())
}

/// A `--participant` value: `Name` or `Name:role`.
fn participant(value: &str) -> Result<Participant, CliError> {
    let (name, role) = value.split_once(':').unwrap_or((value, ""));
    let name = typed("--participant", name)?;
    if name.is_empty() {
        return Err(CliError::Usage(format!(
            "--participant \"{}\" has no name; write it as \"Name\" or \"Name:role\"",
            text::value(value)
        )));
    }
    Ok(Participant {
        name,
        role: typed("--participant", role)?,
    })
}

/// Creates a session and prints its id.
pub fn new(context: &Context, args: &NewArgs) -> Result<ExitCode, CliError> {
    let bank = context.bank()?;
    let name = validate_name(&args.name).map_err(StoreError::from)?;
    let organisation = typed("--org", args.org.as_deref().unwrap_or_default())?;
    let system = typed("--system", args.system.as_deref().unwrap_or_default())?;
    let facilitator = typed(
        "--facilitator",
        args.facilitator.as_deref().unwrap_or_default(),
    )?;
    let mut participants: Vec<Participant> = Vec::new();
    for value in &args.participants {
        let person = participant(value)?;
        // Votes are kept by name: two people with one name would share a vote.
        if participants.iter().any(|p| p.name == person.name) {
            return Err(CliError::Usage(format!(
                "--participant \"{}\" is given twice; each participant needs a different name",
                text::value(&person.name)
            )));
        }
        participants.push(person);
    }
    if !args.no_tui {
        // Refuse before creating anything, so that a redirected run leaves no stray session.
        crate::tui::ensure_terminal()?;
    }
    FileStore::new(&context.paths.data_dir).check()?;
    let now = Timestamp::now();
    let mut session = Session::new(new_session_id(&name, now), name, bank, now);
    session.organisation = organisation;
    session.system = system;
    session.facilitator = facilitator;
    session.participants = participants;
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
    store_and_open(context, bank, &session, args.no_tui)
}

/// Stores a new session, then opens it in the workshop, or with `no_tui` prints its id.
pub(super) fn store_and_open(
    context: &Context,
    bank: &QuestionBank,
    session: &Session,
    no_tui: bool,
) -> Result<ExitCode, CliError> {
    let store = FileStore::new(&context.paths.data_dir);
    // The lock is released at once; the workshop screen takes it again when it opens.
    drop(store.create(session)?);
    if no_tui {
        writeln!(std::io::stdout().lock(), "{}", session.id)?;
        return Ok(ExitCode::SUCCESS);
    }
    Ok(crate::tui::run(
        &Bank::Loaded(bank),
        Box::new(store),
        &context.paths,
        crate::tui::Start::Session(session.id.clone()),
    )?)
}

/// `aiready open SESSION [--follow]`: the workshop screen on a session, found by id or exact
/// name (read-only and following the facilitator with `--follow`); or `aiready open FILE`: a
/// pre-work file to answer.
pub fn open(context: &Context, session: &str, follow: bool) -> Result<ExitCode, CliError> {
    let bank = context.bank()?;
    let store = FileStore::new(&context.paths.data_dir);
    store.check()?;
    let path = std::path::Path::new(session);
    let start = if path.is_file() {
        if follow {
            return Err(CliError::Usage(
                "--follow follows a session; a pre-work file is answered by one person.".into(),
            ));
        }
        crate::tui::ensure_terminal()?;
        // Refused here, with the file's name, before the screens start.
        drop(crate::store::prework::load(path)?);
        crate::tui::Start::Prework(path.to_path_buf())
    } else {
        let id = store.find(session)?;
        if follow {
            crate::tui::Start::Follow(id)
        } else {
            crate::tui::Start::Session(id)
        }
    };
    Ok(crate::tui::run(
        &Bank::Loaded(bank),
        Box::new(store),
        &context.paths,
        start,
    )?)
}

fn score_text(score: Option<f64>) -> String {
    scoring::format_score_or(score, "-")
}

fn when(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// Text cut to at most `columns` terminal columns, with an ellipsis when it was cut.
fn fit(text: &str, columns: usize) -> String {
    if text.width() <= columns {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > columns {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// `text` followed by spaces up to `columns` terminal columns.
fn pad(text: &str, columns: usize) -> String {
    let fill = columns.saturating_sub(text.width());
    format!("{text}{:fill$}", "")
}

/// The short form of an id: its random tail, which tells apart sessions of the same name.
fn short_id(id: &str) -> &str {
    id.rsplit('-')
        .next()
        .filter(|tail| tail.len() == SHORT_ID)
        .unwrap_or(id)
}

/// A score (0-100) as the whole number the text output shows, rounded down.
fn whole(score: f64) -> u32 {
    // Scores are within 0-100, so the conversion is exact.
    score.floor().clamp(0.0, 100.0) as u32
}

/// The fields `sessions list --json` gives for each session (also part of `sessions show --json`).
fn summary_json(summary: &Summary) -> serde_json::Map<String, Value> {
    let value = json!({
        "id": summary.id,
        "name": summary.name,
        "organisation": summary.organisation,
        "system": summary.system,
        "mode": summary.mode.title(),
        "target": match summary.target { Target::Type1 => "type1", Target::Type2 => "type2" },
        "created": summary.created.to_string(),
        "updated": summary.updated.to_string(),
        "answered": summary.answered,
        "applicable": summary.applicable,
        "score": summary.score.map(whole),
        "verdict": summary.verdict,
    });
    match value {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

/// Lists the sessions from their summaries: a session is only read and scored when its summary
/// is missing or no longer matches it.
fn list(store: &FileStore, bank: &Bank<'_>, as_json: bool) -> Result<ExitCode, CliError> {
    let entries = store.summaries(bank)?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for entry in entries {
        match entry.summary {
            Ok(summary) => rows.push(summary),
            Err(err) => problems.push(err),
        }
    }
    rows.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.id.cmp(&b.id)));
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if as_json {
        let list: Vec<Value> = rows
            .iter()
            .map(|s| Value::Object(summary_json(s)))
            .collect();
        serde_json::to_writer_pretty(&mut out, &list).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else if rows.is_empty() && problems.is_empty() {
        writeln!(
            out,
            "No sessions in {}. Start one with: aiready new --name NAME",
            text::escape(&store.dir().display().to_string())
        )?;
    } else if !rows.is_empty() {
        write_table(&mut out, &rows)?;
    }
    out.flush()?;
    drop(out);
    if problems.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let mut err = std::io::stderr().lock();
    for problem in &problems {
        writeln!(err, "aiready: {}", text::lines(&problem.to_string()))?;
    }
    Ok(ExitCode::FAILURE)
}

/// The table of `sessions list`, columns aligned by display width. Names shared by several
/// sessions carry the short id.
fn write_table(out: &mut impl Write, rows: &[Summary]) -> std::io::Result<()> {
    let mut name_counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for s in rows {
        *name_counts.entry(s.name.as_str()).or_default() += 1;
    }
    let names: Vec<String> = rows
        .iter()
        .map(|s| {
            let name = text::escape(&s.name);
            let shared = name_counts.get(s.name.as_str()).is_some_and(|&n| n > 1);
            if shared {
                let tail = format!(" [{}]", short_id(&s.id));
                format!("{}{tail}", fit(&name, NAME_COLUMNS - tail.width()))
            } else {
                fit(&name, NAME_COLUMNS)
            }
        })
        .collect();
    let name_width = names
        .iter()
        .map(|n| n.width())
        .chain([4])
        .max()
        .unwrap_or(4);
    let id_width = rows
        .iter()
        .map(|s| s.id.len())
        .chain([2])
        .max()
        .unwrap_or(2);
    writeln!(
        out,
        "{}  {:id_width$}  {:8}  {:20}  {:>5}  {:>5}",
        pad("NAME", name_width),
        "ID",
        "MODE",
        "UPDATED",
        "DONE",
        "SCORE"
    )?;
    for (summary, name) in rows.iter().zip(names) {
        let done = scoring::Completion {
            answered: summary.answered,
            applicable: summary.applicable,
        };
        writeln!(
            out,
            "{}  {:id_width$}  {:8}  {:20}  {:>4.0}%  {:>5}",
            pad(&name, name_width),
            summary.id,
            summary.mode.title(),
            when(summary.updated),
            done.percent().floor(),
            score_text(summary.score),
        )?;
    }
    Ok(())
}

fn show(
    store: &FileStore,
    bank: &QuestionBank,
    key: &str,
    as_json: bool,
) -> Result<ExitCode, CliError> {
    let id = store.find(key)?;
    let session = store.load(&id)?;
    let results = scoring::score(bank, &session);
    let mut out = std::io::stdout().lock();
    if as_json {
        serde_json::to_writer_pretty(&mut out, &show_json(&session, bank, &results))
            .map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", render(&session, bank, &results))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What `sessions show --json` prints: the summary of `sessions list --json` and the details.
fn show_json(session: &Session, bank: &QuestionBank, results: &Results) -> Value {
    let mut map = summary_json(&Summary::of(session, results));
    let details = json!({
        "facilitator": session.facilitator,
        "participants": session.participants.iter()
            .map(|p| json!({"name": p.name, "role": p.role}))
            .collect::<Vec<_>>(),
        "questionnaires_changed": session.content_hash != bank.content_hash,
        "target_level": results.target_level,
        "categories": results.categories.iter().map(|c| json!({
            "category": c.category.key(),
            "title": c.category.title(),
            "score": c.score.map(whole),
            "verdict": c.verdict.title(),
            "answered": c.completion.answered,
            "applicable": c.completion.applicable,
        })).collect::<Vec<_>>(),
        "gaps": results.gaps.iter().map(|g| json!({
            "question_id": g.question_id,
            "category": g.category.key(),
            "stage": g.stage.title(),
            "answer": g.answer.name(),
            "level": g.level,
            "weight": g.weight,
            "critical": g.critical,
            "prompt": g.prompt,
            "remediation": g.remediation,
        })).collect::<Vec<_>>(),
        "unknown": results.follow_ups.iter().filter(|f| f.unknown).count(),
        "flagged": results.follow_ups.iter().filter(|f| f.flagged).count(),
        "disagreements": results.disagreements.iter().map(|d| d.question_id).collect::<Vec<_>>(),
        "orphaned": results.orphaned,
    });
    if let Value::Object(details) = details {
        map.extend(details);
    }
    Value::Object(map)
}

/// The plain-text summary `sessions show` prints.
fn render(session: &Session, bank: &QuestionBank, results: &Results) -> String {
    let mut t = String::new();
    let mut line = |s: String| {
        t.push_str(&s);
        t.push('\n');
    };
    line(text::line(&session.name).into_owned());
    line(format!("  id            {}", session.id));
    if !session.organisation.is_empty() {
        line(format!(
            "  organisation  {}",
            text::line(&session.organisation)
        ));
    }
    if !session.system.is_empty() {
        line(format!("  system        {}", text::line(&session.system)));
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
                textwrap::fill(&text::escape(text), options)
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
                .map(|id| text::value(id))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    t
}

fn delete(store: &FileStore, key: &str, yes: bool) -> Result<ExitCode, CliError> {
    if !yes && !std::io::stdin().is_terminal() {
        // Nobody can answer the question: a script must say so explicitly.
        return Err(CliError::Usage(
            "sessions delete asks for confirmation, and standard input is not a terminal; pass --yes (-y) to delete without asking".to_string(),
        ));
    }
    let id = store.find(key)?;
    let label = match store.load(&id) {
        Ok(session) => format!("\"{}\" ({id})", text::value(&session.name)),
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
