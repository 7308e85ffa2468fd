//! `aiready export` and `aiready import`: reports of a stored session, and sessions recreated
//! from a JSON export.

use super::Context;
use crate::error::CliError;
use crate::report::{self, Format, Options, Template};
use crate::store::{FileStore, SessionStore, is_valid_id, new_session_id};
use clap::ValueEnum;
use jiff::Timestamp;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// A report format on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum FormatArg {
    /// The readable report (default).
    #[default]
    Markdown,
    /// The whole session and its results, re-importable with `aiready import`.
    Json,
    /// The action plan, one row per gap.
    Csv,
}

impl From<FormatArg> for Format {
    fn from(arg: FormatArg) -> Format {
        match arg {
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Json => Format::Json,
            FormatArg::Csv => Format::Csv,
        }
    }
}

/// Arguments of `aiready export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The session's id or name.
    #[arg(value_name = "SESSION")]
    pub session: String,
    /// The report format.
    #[arg(long, short, value_enum, default_value_t)]
    pub format: FormatArg,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Render Markdown with this minijinja template instead of the built-in one (or
    /// report.md.j2 in the config directory).
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Replace facilitator, participant and owner names with roles or P1, P2, ...
    #[arg(long)]
    pub anonymize: bool,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `aiready import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A JSON file written by `aiready export --format json`.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

fn store(context: &Context) -> FileStore {
    FileStore::new(&context.paths.data_dir)
}

/// Runs `aiready export`.
pub fn export(context: &Context, args: &ExportArgs) -> Result<ExitCode, CliError> {
    let format = Format::from(args.format);
    if args.template.is_some() && format != Format::Markdown {
        return Err(CliError::Usage(
            "--template applies to the Markdown format only".to_string(),
        ));
    }
    let store = store(context);
    let id = store.find(&args.session)?;
    let session = store.load(&id)?;
    let bank = context.bank()?;
    let template = if format == Format::Markdown {
        Template::resolve(args.template.as_deref(), &context.paths.config_dir)?
    } else {
        None
    };
    let options = Options {
        anonymize: args.anonymize,
        template,
        generated: Timestamp::now(),
    };
    let text = report::render(format, bank, &session, &options)?;
    match &args.output {
        Some(path) => {
            report::write_file(path, &text, args.force)?;
            eprintln!(
                "Wrote the {format} report of \"{}\" to {}",
                session.name.escape_debug(),
                path.display()
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `aiready import`.
pub fn import(context: &Context, args: &ImportArgs) -> Result<ExitCode, CliError> {
    let text = std::fs::read_to_string(&args.file).map_err(|source| CliError::Read {
        path: args.file.clone(),
        source,
    })?;
    let name = args.file.display().to_string();
    let mut session = report::json::parse(&name, &text)?;
    let store = store(context);
    let original = session.id.clone();
    if !is_valid_id(&session.id) || store.path(&session.id).exists() {
        session.id = new_session_id(&session.name, Timestamp::now());
    }
    // The lock is released at the end of this command; the session is on disk.
    let _lock = store.create(&session)?;
    let mut out = std::io::stdout().lock();
    if session.id == original {
        writeln!(
            out,
            "Imported \"{}\" as session {}",
            session.name.escape_debug(),
            session.id
        )?;
    } else {
        writeln!(
            out,
            "Imported \"{}\" as session {} (the id {} was taken or not usable)",
            session.name.escape_debug(),
            session.id,
            original.escape_debug()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
