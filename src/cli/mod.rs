//! The command line: argument definitions (clap derive) and the non-interactive commands.

mod export;
mod questionnaires;
mod sessions;

pub use export::{ExportArgs, FormatArg, ImportArgs};

use crate::config::Paths;
use crate::content::{self, ContentError};
use crate::domain::questionnaire::QuestionBank;
use crate::error::CliError;
use clap::{CommandFactory, Parser, Subcommand};
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
    /// Open a session in the workshop screen.
    Open {
        /// A session id or its exact name.
        session: String,
    },
    /// List, show or delete sessions.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Write a report of a session: Markdown (default), JSON or CSV.
    Export(ExportArgs),
    /// Recreate a session from a JSON export (a new id if its id is taken).
    Import(ImportArgs),
    /// Print a shell completion script to standard output.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
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
    List,
    /// Scores and verdicts per category, and the top gaps, as text.
    Show {
        /// A session id or its exact name.
        session: String,
    },
    /// Delete a session and its backup.
    Delete {
        /// A session id or its exact name.
        session: String,
        /// Do not ask for confirmation.
        #[arg(long)]
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
        match &self.custom_bank {
            Some(bank) => Ok(bank),
            None => content::builtin(),
        }
    }
}

/// Parses the arguments and runs the command; returns the process exit code.
pub fn run() -> Result<ExitCode, CliError> {
    let cli = Cli::parse();
    let paths = Paths::resolve(cli.data_dir.as_deref())?;
    // A custom set is checked before anything else runs, so that a broken file is reported
    // once, up front, instead of failing half-way through a command.
    let custom_bank = match &cli.questionnaires {
        Some(dir) => Some(content::load_dir(dir)?),
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
            crate::tui::run(
                context.bank()?,
                store,
                &context.paths,
                crate::tui::Start::Home,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Completions { shell }) => {
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "aiready",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Questionnaires(command)) => questionnaires::run(&context, command),
        Some(Command::New(args)) => sessions::new(&context, args),
        Some(Command::Open { session }) => sessions::open(&context, session),
        Some(Command::Sessions(command)) => sessions::run(&context, command),
        Some(Command::Export(args)) => export::export(&context, args),
        Some(Command::Import(args)) => export::import(&context, args),
    }
}
