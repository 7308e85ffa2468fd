//! Re-assessment from the command line: `aiready new --from`, `aiready compare`,
//! `aiready history` and `aiready actions`.

use super::export::deliver;
use super::{Context, NewArgs};
use crate::domain::compare::{ActionState, compare};
use crate::domain::reassess::start_from;
use crate::domain::session::{ActionStatus, validate_name};
use crate::domain::trend;
use crate::error::CliError;
use crate::report::compare as render;
use crate::store::{FileStore, SessionStore, StoreError, new_session_id};
use crate::text;
use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use unicode_width::UnicodeWidthStr;

/// The format of a comparison or a history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ChangeFormat {
    /// For people (default); the history includes a Mermaid chart.
    #[default]
    Markdown,
    /// For tools (the shape is described in docs/json-output.md).
    Json,
}

/// Arguments of `aiready compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The earlier session (id or exact name).
    #[arg(value_name = "BASELINE", add = clap_complete::engine::ArgValueCandidates::new(super::complete::sessions))]
    pub baseline: String,
    /// The later session (id or exact name).
    #[arg(value_name = "CURRENT", add = clap_complete::engine::ArgValueCandidates::new(super::complete::sessions))]
    pub current: String,
    /// Format and destination.
    #[command(flatten)]
    pub out: ChangeOutput,
}

/// Format and destination of a comparison or a history.
#[derive(Debug, clap::Args)]
pub struct ChangeOutput {
    /// The format.
    #[arg(long, short, value_enum, default_value_t)]
    pub format: ChangeFormat,
    /// Write to FILE (atomically; a FIFO or device is written to directly; `-` is standard
    /// output) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `aiready history`.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// Any session of the chain (id or exact name).
    #[arg(value_name = "SESSION", add = clap_complete::engine::ArgValueCandidates::new(super::complete::sessions))]
    pub session: String,
    /// Format and destination.
    #[command(flatten)]
    pub out: ChangeOutput,
}

/// An action status on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusArg {
    /// Not started.
    Open,
    /// Under way.
    InProgress,
    /// Finished.
    Done,
    /// Decided against.
    WontDo,
}

impl StatusArg {
    fn matches(self, status: &ActionStatus) -> bool {
        matches!(
            (self, status),
            (StatusArg::Open, ActionStatus::Open)
                | (StatusArg::InProgress, ActionStatus::InProgress)
                | (StatusArg::Done, ActionStatus::Done)
                | (StatusArg::WontDo, ActionStatus::WontDo(_))
        )
    }
}

/// Arguments of `aiready actions`.
#[derive(Debug, clap::Args)]
pub struct ActionsArgs {
    /// The session (id or exact name).
    #[arg(value_name = "SESSION", add = clap_complete::engine::ArgValueCandidates::new(super::complete::sessions))]
    pub session: String,
    /// Only the actions of this owner (case is ignored).
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,
    /// Only the actions with this status.
    #[arg(long, value_enum)]
    pub status: Option<StatusArg>,
    /// Only the actions past their due date and still open or in progress.
    #[arg(long)]
    pub overdue: bool,
    /// Print JSON instead of a table (the shape is described in docs/json-output.md).
    #[arg(long)]
    pub json: bool,
}

/// Today where the user is: decides which actions are overdue.
fn today() -> Date {
    Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .date()
}

/// `aiready new --from SESSION --name NAME`: a new session that starts from a previous one.
pub fn new_from(context: &Context, args: &NewArgs, from: &str) -> Result<ExitCode, CliError> {
    let bank = context.bank()?;
    let name = validate_name(&args.name).map_err(StoreError::from)?;
    if !args.no_tui {
        // Refuse before creating anything, so that a redirected run leaves no stray session.
        crate::tui::ensure_terminal()?;
    }
    let store = FileStore::new(&context.paths.data_dir);
    store.check()?;
    let previous = store.load(&store.find(from)?)?;
    let now = Timestamp::now();
    let session = start_from(&previous, bank, new_session_id(&name, now), name, now);
    // The previous session is only read.
    let code = super::sessions::store_and_open(context, bank, &session, args.no_tui)?;
    if args.no_tui {
        writeln!(
            std::io::stderr().lock(),
            "Started \"{}\" from \"{}\": {} answer(s) carried over to confirm",
            text::value(&session.name),
            text::value(&previous.name),
            session.unconfirmed_count()
        )?;
    }
    Ok(code)
}

/// `aiready compare BASELINE CURRENT`.
pub fn compare_sessions(context: &Context, args: &CompareArgs) -> Result<ExitCode, CliError> {
    let bank = context.bank()?;
    let store = FileStore::new(&context.paths.data_dir);
    let baseline = store.load(&store.find(&args.baseline)?)?;
    let current = store.load(&store.find(&args.current)?)?;
    let comparison = compare(bank, &baseline, &current, today());
    let (report, format) = match args.out.format {
        ChangeFormat::Markdown => (
            render::markdown(&comparison, Timestamp::now()),
            "Markdown comparison",
        ),
        ChangeFormat::Json => (render::json(&comparison), "JSON comparison"),
    };
    let what = format!(
        "{format} of \"{}\" with \"{}\"",
        text::value(&current.name),
        text::value(&baseline.name)
    );
    deliver(
        args.out.output.as_deref(),
        report.as_bytes(),
        args.out.force,
        &what,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `aiready history SESSION`.
pub fn history(context: &Context, args: &HistoryArgs) -> Result<ExitCode, CliError> {
    let bank = context.bank()?;
    let store = FileStore::new(&context.paths.data_dir);
    let id = store.find(&args.session)?;
    // Every readable session takes part: the chain is found by the links they record. A file
    // that cannot be read is named, and the chain is drawn without it.
    let mut sessions = Vec::new();
    for entry in store.list()? {
        match entry.session {
            Ok(session) => sessions.push(session),
            Err(err) => writeln!(
                std::io::stderr().lock(),
                "aiready: left out of the history: {}",
                text::lines(&err.to_string())
            )?,
        }
    }
    if !sessions.iter().any(|s| s.id == id) {
        sessions.push(store.load(&id)?);
    }
    let chain = trend::chain(&sessions, &id).ok_or(StoreError::NotFound { key: id.clone() })?;
    let trend = trend::trend(bank, &chain.sessions);
    let report = match args.out.format {
        ChangeFormat::Markdown => render::history_markdown(&chain, &trend, Timestamp::now()),
        ChangeFormat::Json => render::history_json(&chain, &trend),
    };
    let name = chain
        .sessions
        .last()
        .map(|s| text::value(&s.name))
        .unwrap_or_default();
    deliver(
        args.out.output.as_deref(),
        report.as_bytes(),
        args.out.force,
        &format!("history of \"{name}\""),
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `aiready actions SESSION`: the follow-up actions, filtered.
pub fn actions(context: &Context, args: &ActionsArgs) -> Result<ExitCode, CliError> {
    let bank = context.bank()?;
    let store = FileStore::new(&context.paths.data_dir);
    let session = store.load(&store.find(&args.session)?)?;
    let today = today();
    let owner = args.owner.as_deref().map(|o| o.trim().to_lowercase());
    let prompts: std::collections::HashMap<&str, (&str, &str)> = bank
        .questions()
        .map(|q| (q.id.as_str(), (q.prompt.as_str(), q.category.title())))
        .collect();
    let mut rows: Vec<(&String, &crate::domain::session::QuestionRecord)> = session
        .records
        .iter()
        .filter(|(_, r)| !r.action.is_empty())
        .filter(|(_, r)| {
            owner
                .as_ref()
                .is_none_or(|o| r.action.owner.trim().to_lowercase() == *o)
        })
        .filter(|(_, r)| args.status.is_none_or(|s| s.matches(&r.action.status)))
        .filter(|(_, r)| !args.overdue || r.action.is_overdue(today))
        .collect();
    // Overdue first, then still open, done and won't do; by due date within each.
    rows.sort_by_key(|(id, r)| {
        (
            ActionState::of(&r.action, today),
            r.action.due.is_none(),
            r.action.due,
            (*id).clone(),
        )
    });
    let mut out = std::io::stdout().lock();
    if args.json {
        let list: Vec<_> = rows
            .iter()
            .map(|(id, r)| {
                let (prompt, category) = prompts.get(id.as_str()).copied().unwrap_or_default();
                json!({
                    "question": id,
                    "prompt": prompt,
                    "category": category,
                    "what": r.action.what,
                    "owner": r.action.owner,
                    "due": r.action.due.map(|d| d.to_string()),
                    "evidence": r.action.evidence,
                    "status": render::action_status_json(&r.action.status),
                    "reason": match &r.action.status { ActionStatus::WontDo(why) => Some(why.as_str()), _ => None },
                    "status_date": r.action.status_date.map(|d| d.to_string()),
                    "overdue": r.action.is_overdue(today),
                    "carried": r.carried.is_some(),
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &list).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        writeln!(
            out,
            "No follow-up actions in \"{}\" match.",
            text::value(&session.name)
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|(id, r)| {
            let due = match r.action.due {
                Some(d) if r.action.is_overdue(today) => format!("{d} OVERDUE"),
                Some(d) => d.to_string(),
                None => "-".to_string(),
            };
            [
                text::value(id).into_owned(),
                text::value(&render::action_status_text(&r.action.status)).into_owned(),
                due,
                text::value(&r.action.owner).into_owned(),
                text::value(&r.action.what).into_owned(),
            ]
        })
        .collect();
    let header = ["QUESTION", "STATUS", "DUE", "OWNER", "WHAT"];
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            cells
                .iter()
                .map(|c| c[i].width())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |c: [&str; 5]| -> String {
        let mut s = String::new();
        for (i, w) in widths.iter().enumerate() {
            s.push_str(c[i]);
            s.extend(std::iter::repeat_n(' ', w.saturating_sub(c[i].width()) + 2));
        }
        s.push_str(c[4]);
        s
    };
    writeln!(out, "{}", line(header))?;
    for c in &cells {
        writeln!(out, "{}", line([&c[0], &c[1], &c[2], &c[3], &c[4]]))?;
    }
    let overdue = rows
        .iter()
        .filter(|(_, r)| r.action.is_overdue(today))
        .count();
    writeln!(
        out,
        "{} action(s), {overdue} overdue (today is {today})",
        rows.len()
    )?;
    Ok(ExitCode::SUCCESS)
}
