//! The command line: argument definitions (clap derive) and the non-interactive commands.

mod complete;
mod export;
mod prework;
mod questionnaires;
mod reassess;
mod sessions;

pub use complete::complete_if_asked;
pub use export::{ExportArgs, FormatArg, ImportArgs};
pub use prework::{CategoryArg, MergeArgs, Prefer, PreworkArgs};
pub use reassess::{ActionsArgs, ChangeFormat, CompareArgs, HistoryArgs, StatusArg};

use crate::config::Paths;
use crate::content::{self, ContentError};
use crate::domain::questionnaire::QuestionBank;
use crate::error::CliError;
use clap::{CommandFactory, Parser, Subcommand};
use clap_complete::engine::ArgValueCandidates;
use std::path::PathBuf;
use std::process::ExitCode;

/// aiready: get an AI system ready for a SOC 2 audit, in a terminal workshop.
#[derive(Debug, Parser)]
#[command(name = "aiready", version, about, long_about = None)]
pub struct Cli {
    /// Use the questionnaires in DIR instead of the built-in set (validated at start).
    #[arg(long, global = true, value_name = "DIR")]
    pub questionnaires: Option<PathBuf>,

    /// Keep sessions in DIR [env: AIREADY_DATA_DIR; default: the platform data directory].
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// What to do; without a command aiready opens the workshop screens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, validate, export or measure questionnaires.
    #[command(subcommand)]
    Questionnaires(QuestionnairesCommand),
    /// Start a new session and open it (with --no-tui: only print its id).
    New(NewArgs),
    /// Open a session in the workshop screen, or a pre-work file to answer it.
    Open {
        /// A session id or its exact name, or a pre-work file.
        #[arg(add = ArgValueCandidates::new(complete::sessions))]
        session: String,
        /// Read-only, following the facilitator's screen: redraws after each of their saves.
        #[arg(long)]
        follow: bool,
    },
    /// Write one pre-work file per participant of a workshop session, to answer alone.
    Prework(PreworkArgs),
    /// Merge pre-work into a session: each answer becomes that participant's vote.
    Merge(MergeArgs),
    /// List, show or delete sessions.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Write a report of a session: Markdown (default), JSON, CSV, HTML, an Excel workbook,
    /// or OSCAL assessment results or POA&M.
    Export(ExportArgs),
    /// Recreate a session from a JSON export (a new id if its id is taken).
    Import(ImportArgs),
    /// What moved between two sessions: scores, gaps closed, new and regressed, actions.
    Compare(CompareArgs),
    /// The chain of sessions started from one another, with the trend of their scores.
    History(HistoryArgs),
    /// The follow-up actions of a session, filtered by owner, status or overdue.
    Actions(ActionsArgs),
    /// Print a shell completion script (commands, options, session ids and names).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `aiready man | man -l -`; `aiready man export` for the
    /// page of one command.
    Man {
        /// A command (and subcommand) whose page to print, e.g. `export` or `sessions list`.
        #[arg(value_name = "COMMAND")]
        command: Vec<String>,
    },
}

/// `aiready questionnaires ...`
#[derive(Debug, Subcommand)]
pub enum QuestionnairesCommand {
    /// List the active questionnaires: id, title, version, question count.
    List,
    /// Check questionnaire files or folders and report every problem.
    Validate {
        /// Files or folders to check; without any, the active set is checked.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Show which framework identifiers the active set cites (primary and secondary citations
    /// apart), and questions per category and stage.
    Coverage,
    /// Write the built-in set as RON files into DIR, the starting point for a custom set.
    Export {
        /// The folder to write into (created if missing).
        dir: PathBuf,
        /// Overwrite files that already exist.
        #[arg(long)]
        force: bool,
    },
}

/// `aiready new ...`
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The session's name (any text without control characters, up to 200 characters).
    #[arg(long)]
    pub name: String,
    /// Start from a previous session (id or exact name): its setup, answers, notes and
    /// actions carry over, each answer to be confirmed; the previous session is not changed.
    #[arg(long, value_name = "SESSION", add = ArgValueCandidates::new(complete::sessions),
          conflicts_with_all = ["org", "system", "facilitator", "participants", "period_start", "period_end"])]
    pub from: Option<String>,
    /// The organisation assessed.
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
    /// The AI system in scope.
    #[arg(long, value_name = "TEXT")]
    pub system: Option<String>,
    /// The SOC 2 report to prepare for.
    #[arg(long, value_enum, default_value_t = TargetArg::Type2)]
    pub target: TargetArg,
    /// A facilitated workshop with participants, or one person alone.
    #[arg(long, value_enum, default_value_t = ModeArg::Workshop)]
    pub mode: ModeArg,
    /// Who leads the workshop.
    #[arg(long, value_name = "NAME")]
    pub facilitator: Option<String>,
    /// A participant as "Name" or "Name:role" (repeat for each person).
    #[arg(long = "participant", value_name = "NAME:ROLE")]
    pub participants: Vec<String>,
    /// For a Type 2 target: the first day of the intended observation period (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", requires = "period_end")]
    pub period_start: Option<jiff::civil::Date>,
    /// For a Type 2 target: the last day of the intended observation period (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", requires = "period_start")]
    pub period_end: Option<jiff::civil::Date>,
    /// Only create the session and print its id; do not open it.
    #[arg(long)]
    pub no_tui: bool,
}

/// The SOC 2 report type on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetArg {
    /// Controls designed and in place at a point in time.
    Type1,
    /// Controls operating effectively over a period.
    Type2,
}

/// The session mode on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModeArg {
    /// A facilitated workshop with participants who vote.
    Workshop,
    /// One person answering alone.
    Solo,
}

/// `aiready sessions ...`
#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// Every session: name, id, mode, last update, completion, overall score.
    List {
        /// Print JSON instead of a table (the shape is described in docs/json-output.md).
        #[arg(long)]
        json: bool,
    },
    /// Scores and verdicts per category, and the top gaps, as text.
    Show {
        /// A session id or its exact name.
        #[arg(add = ArgValueCandidates::new(complete::sessions))]
        session: String,
        /// Print JSON instead of text (the shape is described in docs/json-output.md).
        #[arg(long)]
        json: bool,
    },
    /// Delete a session and its backup.
    Delete {
        /// A session id or its exact name.
        #[arg(add = ArgValueCandidates::new(complete::sessions))]
        session: String,
        /// Do not ask for confirmation (needed when standard input is not a terminal).
        #[arg(long, short)]
        yes: bool,
    },
}

/// Everything a command may need, resolved once at start.
pub struct Context {
    /// The parsed arguments.
    pub cli: Cli,
    /// Where data and config live.
    pub paths: Paths,
    /// The `--questionnaires` set, loaded and validated before any command runs.
    custom_bank: Option<QuestionBank>,
}

impl Context {
    /// The active question bank: the `--questionnaires` folder, else the built-in set.
    pub fn bank(&self) -> Result<&QuestionBank, ContentError> {
        self.lazy_bank().get()
    }

    /// The active question bank, the built-in set decoded only when first needed: for
    /// commands that may need no more than its content hash (listing sessions).
    pub fn lazy_bank(&self) -> content::Bank<'_> {
        match &self.custom_bank {
            Some(bank) => content::Bank::Loaded(bank),
            None => content::Bank::Builtin,
        }
    }
}

/// Prints the manual page of aiready or of one of its commands.
fn man_page(path: &[String]) -> Result<ExitCode, CliError> {
    let mut command = Cli::command();
    // Building gives subcommands their full names (`aiready-export`), used as page titles.
    command.build();
    for name in path {
        command = command.find_subcommand(name).cloned().ok_or_else(|| {
            CliError::Usage(format!(
                "aiready has no command \"{}\"; `aiready --help` lists them",
                crate::text::value(&path.join(" "))
            ))
        })?;
    }
    let command = command.version(env!("CARGO_PKG_VERSION"));
    clap_mangen::Man::new(command).render(&mut std::io::stdout().lock())?;
    Ok(ExitCode::SUCCESS)
}

/// Loads the `--questionnaires` set: from the cache when it holds this very set, validated
/// already; else parsed, validated and kept there.
fn custom_bank(dir: &std::path::Path, paths: &Paths) -> Result<QuestionBank, ContentError> {
    let sources = content::read_paths(&[dir.to_path_buf()])?;
    match &paths.cache_dir {
        Some(cache_dir) => crate::store::BankCache::new(cache_dir).load(&sources),
        None => content::load_sources(&sources).map_err(ContentError::Invalid),
    }
}

/// The command line. Without any argument (the workshop screens, the usual start) there is
/// nothing to parse: building clap's description of every command and option to parse nothing
/// cost a sixth of the instructions before the first frame.
fn arguments() -> Cli {
    if std::env::args_os().len() <= 1 {
        no_arguments()
    } else {
        Cli::parse()
    }
}

/// What clap makes of a command line without arguments.
fn no_arguments() -> Cli {
    Cli {
        questionnaires: None,
        data_dir: None,
        command: None,
    }
}

/// Parses the arguments and runs the command; returns the process exit code.
pub fn run() -> Result<ExitCode, CliError> {
    let cli = arguments();
    let paths = Paths::resolve(cli.data_dir.as_deref())?;
    // A custom set is checked before anything else runs, so that a broken file is reported
    // once, up front, instead of failing half-way through a command.
    let custom_bank = match &cli.questionnaires {
        Some(dir) => Some(custom_bank(dir, &paths)?),
        None => None,
    };
    let context = Context {
        cli,
        paths,
        custom_bank,
    };
    match &context.cli.command {
        None => {
            let store = Box::new(crate::store::FileStore::new(&context.paths.data_dir));
            // A data directory others control is refused before the screen opens, with the
            // whole message on the terminal rather than cut in a status line.
            store.check()?;
            Ok(crate::tui::run(
                &context.lazy_bank(),
                store,
                &context.paths,
                crate::tui::Start::Home,
            )?)
        }
        Some(Command::Completions { shell }) => {
            complete::write_script(*shell, &mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Man { command }) => man_page(command),
        Some(Command::Questionnaires(command)) => questionnaires::run(&context, command),
        Some(Command::New(args)) => match &args.from {
            Some(from) => reassess::new_from(&context, args, from),
            None => sessions::new(&context, args),
        },
        Some(Command::Open { session, follow }) => sessions::open(&context, session, *follow),
        Some(Command::Prework(args)) => prework::prework(&context, args),
        Some(Command::Merge(args)) => prework::merge(&context, args),
        Some(Command::Sessions(command)) => sessions::run(&context, command),
        Some(Command::Export(args)) => export::export(&context, args),
        Some(Command::Import(args)) => export::import(&context, args),
        Some(Command::Compare(args)) => reassess::compare_sessions(&context, args),
        Some(Command::History(args)) => reassess::history(&context, args),
        Some(Command::Actions(args)) => reassess::actions(&context, args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_arguments_are_what_clap_makes_of_none() {
        let parsed = Cli::try_parse_from(["aiready"]).unwrap();
        assert_eq!(format!("{:?}", no_arguments()), format!("{parsed:?}"));
    }

    /// What clap makes of no arguments can depend on the environment (an argument's `env`) or
    /// on a default; a start without arguments skips clap, so no top-level argument may take
    /// either. Environment variables are read by `Paths::resolve` and the interface instead.
    #[test]
    fn no_top_level_argument_takes_a_value_from_the_environment_or_a_default() {
        use clap::CommandFactory;
        let command = Cli::command();
        for arg in command.get_arguments() {
            assert!(
                arg.get_env().is_none(),
                "{} reads the environment",
                arg.get_id()
            );
            assert!(
                arg.get_default_values().is_empty(),
                "{} has a default",
                arg.get_id()
            );
        }
        assert!(!command.is_subcommand_required_set());
        assert!(!command.is_arg_required_else_help_set());
    }
}
