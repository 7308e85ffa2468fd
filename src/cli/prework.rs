//! `aiready prework` (one pre-work file per participant) and `aiready merge` (pre-work back
//! into the session as votes).

use super::Context;
use crate::domain::framework::Category;
use crate::domain::merge::{self, Contribution, MergeOptions, Refusal};
use crate::domain::prework::Prework;
use crate::domain::questionnaire::QuestionBank;
use crate::domain::session::{Mode, Participant, Session};
use crate::error::CliError;
use crate::store::prework::{self as files, Document};
use crate::store::{FileStore, SessionStore};
use crate::text;
use jiff::Timestamp;
use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `aiready prework ...`
#[derive(Debug, clap::Args)]
pub struct PreworkArgs {
    /// The workshop session (id or exact name).
    pub session: String,
    /// The folder to write the files into, created if missing [default: the current folder].
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Only this participant (repeat for several); every participant by default.
    #[arg(long = "participant", value_name = "NAME")]
    pub participants: Vec<String>,
    /// The categories assigned, comma-separated; every category in scope by default.
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_enum)]
    pub categories: Vec<CategoryArg>,
    /// Replace pre-work files that exist already (the answers in them are lost).
    #[arg(long)]
    pub force: bool,
}

/// A category on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CategoryArg {
    /// Security (the common criteria).
    Security,
    /// Availability.
    Availability,
    /// Processing integrity.
    ProcessingIntegrity,
    /// Confidentiality.
    Confidentiality,
    /// Privacy.
    Privacy,
    /// AI risk themes.
    AiRisk,
}

impl From<CategoryArg> for Category {
    fn from(arg: CategoryArg) -> Category {
        match arg {
            CategoryArg::Security => Category::Security,
            CategoryArg::Availability => Category::Availability,
            CategoryArg::ProcessingIntegrity => Category::ProcessingIntegrity,
            CategoryArg::Confidentiality => Category::Confidentiality,
            CategoryArg::Privacy => Category::Privacy,
            CategoryArg::AiRisk => Category::AiRisk,
        }
    }
}

/// `aiready merge ...`
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The workshop session to merge into (id or exact name).
    pub session: String,
    /// Pre-work files, folders of pre-work files, or solo sessions (a session file, id or
    /// name, with --as).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Whose answers a solo session holds: they become this participant's votes.
    #[arg(long = "as", value_name = "NAME")]
    pub as_name: Option<String>,
    /// Add participants the session does not have instead of refusing their pre-work.
    #[arg(long)]
    pub add_participants: bool,
    /// Whose answer wins when pre-work differs from a vote recorded in the room.
    #[arg(long, value_enum, default_value_t = Prefer::Room)]
    pub prefer: Prefer,
    /// Show what would change without writing anything.
    #[arg(long)]
    pub dry_run: bool,
}

/// Whose answer wins in a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Prefer {
    /// Keep the vote recorded in the room.
    Room,
    /// Take the pre-work answer.
    Prework,
}

/// Writes one pre-work file per participant.
pub fn prework(context: &Context, args: &PreworkArgs) -> Result<ExitCode, CliError> {
    let bank = context.bank()?;
    let store = FileStore::new(&context.paths.data_dir);
    let session = store.load(&store.find(&args.session)?)?;
    let name = text::value(&session.name);
    if session.mode == Mode::Solo {
        return Err(CliError::Usage(format!(
            "\"{name}\" is a solo session; pre-work is for workshops. Change its mode to workshop in the setup (aiready open {}, then s).",
            session.id
        )));
    }
    if session.participants.is_empty() {
        return Err(CliError::Usage(format!(
            "\"{name}\" has no participants yet: add them in the setup (aiready open {}, then s).",
            session.id
        )));
    }
    let people = chosen_participants(&session, &args.participants)?;
    let categories: Option<BTreeSet<Category>> = (!args.categories.is_empty())
        .then(|| args.categories.iter().map(|c| Category::from(*c)).collect());
    let now = Timestamp::now();
    let mut prepared = Vec::new();
    for person in people {
        let prework = Prework::new(&session, bank, person, categories.as_ref(), now)
            .map_err(|e| CliError::Usage(format!("Cannot prepare pre-work: {e}.")))?;
        prepared.push(prework);
    }
    let dir = args.output.clone().unwrap_or_else(|| PathBuf::from("."));
    let paths = file_paths(&dir, &session.id, &prepared);
    if !args.force {
        let existing: Vec<String> = paths
            .iter()
            .filter(|p| p.exists())
            .map(|p| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(CliError::WouldOverwrite(existing));
        }
    }
    std::fs::create_dir_all(&dir).map_err(|source| CliError::Write {
        path: dir.clone(),
        source,
    })?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Pre-work for \"{name}\" ({}), one file per participant:",
        session.id
    )?;
    for (prework, path) in prepared.iter().zip(&paths) {
        files::create(path, prework, args.force)?;
        writeln!(
            out,
            "  {}  {} ({} questions)",
            path.display(),
            text::value(&prework.participant.name),
            prework.questions(bank).len()
        )?;
    }
    writeln!(
        out,
        "Each person answers theirs with `aiready open FILE`; bring them back with `aiready merge {} FOLDER`.",
        session.id
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The participants named on the command line (every participant when none is).
fn chosen_participants<'s>(
    session: &'s Session,
    wanted: &[String],
) -> Result<Vec<&'s Participant>, CliError> {
    if wanted.is_empty() {
        return Ok(session.participants.iter().collect());
    }
    let mut chosen: Vec<&Participant> = Vec::new();
    for name in wanted {
        let folded = name.trim().to_lowercase();
        let found = session
            .participants
            .iter()
            .find(|p| p.name == *name)
            .or_else(|| {
                session
                    .participants
                    .iter()
                    .find(|p| p.name.trim().to_lowercase() == folded)
            });
        match found {
            Some(p) if !chosen.contains(&p) => chosen.push(p),
            Some(_) => {}
            None => {
                let known: Vec<String> = session
                    .participants
                    .iter()
                    .map(|p| text::value(&p.name).into_owned())
                    .collect();
                return Err(CliError::Usage(format!(
                    "\"{}\" is not a participant of \"{}\"; its participants are {}.",
                    text::value(name),
                    text::value(&session.name),
                    known.join(", ")
                )));
            }
        }
    }
    Ok(chosen)
}

/// One file name per pre-work; participants whose names give the same file name get a number.
fn file_paths(dir: &Path, session: &str, prepared: &[Prework]) -> Vec<PathBuf> {
    let mut used = HashSet::new();
    prepared
        .iter()
        .map(|p| {
            let mut name = files::file_name(session, &p.participant.name);
            let mut n = 2;
            while !used.insert(name.clone()) {
                name = files::file_name(session, &format!("{} {n}", p.participant.name));
                n += 1;
            }
            dir.join(name)
        })
        .collect()
}

/// Merges pre-work into a session and saves it once, atomically, with its backup.
pub fn merge(context: &Context, args: &MergeArgs) -> Result<ExitCode, CliError> {
    let bank = context.bank()?;
    let store = FileStore::new(&context.paths.data_dir);
    let id = store.find(&args.session)?;
    // Opening for writing refuses while the workshop has the session open: the merge would
    // be lost at its next save.
    let (session, lock) = if args.dry_run {
        (store.load(&id)?, None)
    } else {
        let (session, lock) = store.open(&id)?;
        (session, Some(lock))
    };
    let contributions = contributions(&store, bank, &session, args)?;
    let options = MergeOptions {
        add_participants: args.add_participants,
        prefer_prework: args.prefer == Prefer::Prework,
    };
    let merged = merge::merge(&session, bank, &contributions, options, Timestamp::now()).map_err(
        |refused| {
            let reasons: Vec<String> = refused
                .0
                .iter()
                .map(|r| text::line(&r.to_string()).into_owned())
                .collect();
            let hint = if refused
                .0
                .iter()
                .any(|r| matches!(r, Refusal::UnknownParticipant { .. }))
            {
                "\nPass --add-participants to add them to the session."
            } else {
                ""
            };
            CliError::Usage(format!(
                "Nothing was merged, the session is unchanged:\n  {}{hint}",
                reasons.join("\n  ")
            ))
        },
    )?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} pre-work into \"{}\" ({}):",
        if args.dry_run {
            "Would merge"
        } else {
            "Merging"
        },
        text::value(&session.name),
        session.id
    )?;
    for line in merged.summary.lines() {
        writeln!(out, "  {}", text::line(&line))?;
    }
    if merged.summary.conflicts.iter().any(|c| !c.took_prework) {
        writeln!(
            out,
            "The room's votes are kept; merge again with --prefer prework to take the pre-work answers instead."
        )?;
    }
    match lock {
        _ if !merged.changed => {
            writeln!(out, "Nothing new: the session was not changed.")?;
        }
        None => writeln!(out, "Dry run: nothing was written.")?,
        Some(lock) => {
            store.save(&lock, &merged.session)?;
            writeln!(
                out,
                "Saved {} ({} and {}); the previous save is kept as {}.",
                store.path(&id).display(),
                plural(merged.summary.votes(), "vote", "votes"),
                plural(merged.summary.notes(), "note", "notes"),
                store.backup_path(&id).display()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Reads every path given to merge: pre-work files, folders of them, solo sessions.
fn contributions(
    store: &FileStore,
    bank: &QuestionBank,
    session: &Session,
    args: &MergeArgs,
) -> Result<Vec<Contribution>, CliError> {
    let mut seen = HashSet::new();
    let mut contributions = Vec::new();
    for given in &args.paths {
        let path = Path::new(given);
        let files = if path.is_dir() {
            let found = files::list(path)?;
            if found.is_empty() {
                return Err(CliError::Usage(format!(
                    "{} holds no pre-work files (names ending in {}).",
                    path.display(),
                    files::PREWORK_EXTENSION
                )));
            }
            found
        } else if path.exists() {
            vec![path.to_path_buf()]
        } else {
            // Not a file: a solo session in the store, by id or name.
            let id = store.find(given).map_err(|_| {
                CliError::Usage(format!(
                    "{} is neither a file, a folder nor a session.",
                    text::value(given)
                ))
            })?;
            let solo = store.load(&id)?;
            contributions.push(solo_contribution(&solo, &id, bank, args)?);
            continue;
        };
        for file in files {
            // The same file given twice (by itself and in its folder) counts once.
            let key = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if !seen.insert(key) {
                continue;
            }
            let label = file.display().to_string();
            match files::read_document(&file)? {
                Document::Prework(prework) => {
                    contributions.push(Contribution::from_prework(label, *prework, bank));
                }
                Document::Session(solo) => {
                    contributions.push(solo_contribution(&solo, &label, bank, args)?);
                }
            }
        }
    }
    if contributions.iter().all(|c| c.answers.is_empty()) && !contributions.is_empty() {
        // Still merged (it records who has started), but worth saying.
        eprintln!(
            "Note: the pre-work given holds no answers yet for \"{}\".",
            text::value(&session.name)
        );
    }
    Ok(contributions)
}

fn solo_contribution(
    solo: &Session,
    label: &str,
    bank: &QuestionBank,
    args: &MergeArgs,
) -> Result<Contribution, CliError> {
    let Some(name) = args
        .as_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    else {
        return Err(CliError::Usage(format!(
            "{} is a session, not pre-work; to merge its answers as someone's votes, say whose with --as NAME.",
            text::value(label)
        )));
    };
    if name.chars().any(char::is_control) {
        return Err(CliError::Usage(format!(
            "--as {}: a participant's name cannot contain control characters.",
            text::value(name)
        )));
    }
    let participant = Participant {
        name: name.to_string(),
        role: String::new(),
    };
    Ok(Contribution::from_solo(label, solo, participant, bank))
}
