//! `aiready export` and `aiready import`: reports of a stored session, and sessions recreated
//! from a JSON export.

use super::Context;
use crate::domain::typed_text;
use crate::error::CliError;
use crate::report::{self, CsvOptions, DocumentControl, Format, Options, ReportError, Template};
use crate::store::{FileStore, SessionStore, is_valid_id, new_session_id};
use crate::text;
use clap::ValueEnum;
use jiff::Timestamp;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
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
    /// The readable report as one self-contained web page, printable to PDF.
    Html,
    /// An Excel workbook: summary, register, action plan, control matrix, evidence requests.
    Xlsx,
    /// OSCAL 1.1.3 assessment results (JSON), for GRC platforms and assessors.
    OscalAr,
    /// OSCAL 1.1.3 plan of action and milestones (JSON): the open follow-up actions.
    OscalPoam,
}

impl From<FormatArg> for Format {
    fn from(arg: FormatArg) -> Format {
        match arg {
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Json => Format::Json,
            FormatArg::Csv => Format::Csv,
            FormatArg::Html => Format::Html,
            FormatArg::Xlsx => Format::Xlsx,
            FormatArg::OscalAr => Format::OscalAr,
            FormatArg::OscalPoam => Format::OscalPoam,
        }
    }
}

/// Arguments of `aiready export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The session's id or name.
    #[arg(value_name = "SESSION", add = clap_complete::engine::ArgValueCandidates::new(super::complete::sessions))]
    pub session: String,
    /// The report format.
    #[arg(long, short, value_enum, default_value_t)]
    pub format: FormatArg,
    /// Write to FILE (atomically; a FIFO or device is written to directly; `-` is standard
    /// output) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Render Markdown or HTML with this minijinja template instead of the built-in one (or
    /// report.md.j2 / report.html.j2 in the config directory).
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Replace the names of the facilitator, participants, voters and owners (full names
    /// and each part, in any case, in every field) with Facilitator, Participant A, B, ...
    /// and Owner 1, 2, ..., and withhold every e-mail address. Roles are kept: in a small
    /// team a role can identify a person (see --generalise-roles).
    #[arg(long)]
    pub anonymize: bool,
    /// With --anonymize, also replace every role with "team member".
    #[arg(long, requires = "anonymize")]
    pub generalise_roles: bool,
    /// The document's version in the report's document control (Markdown).
    #[arg(long, value_name = "TEXT", default_value = "1.0")]
    pub doc_version: String,
    /// The document's classification (Markdown).
    #[arg(long, value_name = "TEXT", default_value = "Confidential")]
    pub classification: String,
    /// Who the report is for (Markdown); left blank to fill in by hand when not given.
    #[arg(long, value_name = "TEXT")]
    pub distribution: Option<String>,
    /// CSV: every applicable question (a risk register), not only the action plan.
    #[arg(long)]
    pub register: bool,
    /// CSV: no UTF-8 byte order mark at the start (for tools that do not expect one).
    #[arg(long)]
    pub no_bom: bool,
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
    /// Print what was imported as JSON (the shape is described in docs/json-output.md).
    #[arg(long)]
    pub json: bool,
    /// If a session with the same id exists, overwrite it (its current version is kept as
    /// `<id>.ron.bak`).
    #[arg(long, conflicts_with = "as_new")]
    pub replace: bool,
    /// Import as a new session: a fresh id, and " (imported)" added to the name.
    #[arg(long)]
    pub as_new: bool,
}

fn store(context: &Context) -> FileStore {
    FileStore::new(&context.paths.data_dir)
}

/// Runs `aiready export`.
pub fn export(context: &Context, args: &ExportArgs) -> Result<ExitCode, CliError> {
    let format = Format::from(args.format);
    if args.template.is_some() && format.template_file().is_none() {
        return Err(CliError::Usage(format!(
            "--template applies to the Markdown and HTML formats only, not to {format}; drop --template or use -f markdown or -f html"
        )));
    }
    // `-o -` is standard output too.
    let output = args.output.as_deref().filter(|p| *p != Path::new("-"));
    if format.is_binary() && output.is_none() && std::io::stdout().is_terminal() {
        return Err(CliError::Usage(format!(
            "the {format} workbook is a binary file, not text for a terminal; nothing was written. \
             Write it to a file with -o FILE.xlsx, or redirect standard output"
        )));
    }
    if (args.register || args.no_bom) && format != Format::Csv {
        return Err(CliError::Usage(
            "--register and --no-bom apply to the CSV format only".to_string(),
        ));
    }
    let store = store(context);
    let id = store.find(&args.session)?;
    let session = store.load(&id)?;
    let bank = context.bank()?;
    let template = Template::resolve(format, args.template.as_deref(), &context.paths.config_dir)?;
    let options = Options {
        anonymize: args.anonymize,
        generalise_roles: args.generalise_roles,
        template,
        generated: Timestamp::now(),
        document: DocumentControl {
            version: args.doc_version.clone(),
            classification: args.classification.clone(),
            distribution: args.distribution.clone().unwrap_or_default(),
        },
        csv: CsvOptions {
            bom: !args.no_bom,
            register: args.register,
        },
    };
    let bytes = report::render_bytes(format, bank, &session, &options)?;
    let what = format!("{format} report of \"{}\"", text::value(&session.name));
    deliver(output, &bytes, args.force, &what)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes a report to `output` through the report output rules (`-` or none: standard
/// output), and says on standard error where a file went; `what` names the report.
pub(super) fn deliver(
    output: Option<&Path>,
    report: &[u8],
    force: bool,
    what: &str,
) -> Result<(), CliError> {
    match output.filter(|p| *p != Path::new("-")) {
        Some(path) => {
            let written = report::write_output(path, report, force)?;
            let how = match written {
                report::Written::Replaced | report::Written::Created => "",
                report::Written::Streamed => " (written to directly: it is not a regular file)",
            };
            writeln!(
                std::io::stderr().lock(),
                "Wrote the {what} to {}{how}",
                text::escape(&path.display().to_string())
            )?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(report)?;
            out.flush()?;
        }
    }
    Ok(())
}

/// Runs `aiready import`.
pub fn import(context: &Context, args: &ImportArgs) -> Result<ExitCode, CliError> {
    let text = std::fs::read_to_string(&args.file).map_err(|source| CliError::Read {
        path: args.file.clone(),
        source,
    })?;
    let name = args.file.display().to_string();
    let mut session = report::json::parse(&name, &text)?;
    // Text in an export may have been edited by hand: nothing that acts on a terminal is
    // stored.
    if let Err((field, problem)) = typed_text::check_session(&session) {
        return Err(ReportError::NotAnExport {
            name,
            reason: format!("{field} {problem}"),
        }
        .into());
    }
    let store = store(context);
    let original = session.id.clone();
    let usable = is_valid_id(&session.id);
    let exists = usable && store.path(&session.id).exists();
    let mut out = std::io::stdout().lock();
    if exists && args.replace {
        // Opening takes the lock, so a session open in the workshop is not replaced under it;
        // the save keeps the version it replaces as the backup.
        let (_, lock) = store.open(&session.id)?;
        store.save(&lock, &session)?;
        if args.json {
            write_import_json(&mut out, &session, &original, true)?;
        } else {
            writeln!(
                out,
                "Replaced session {} with \"{}\"; its previous version is kept in {}",
                session.id,
                text::value(&session.name),
                text::escape(&store.backup_path(&session.id).display().to_string())
            )?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if exists && !args.as_new {
        let existing = store
            .load(&session.id)
            .map(|s| format!(" (\"{}\")", text::value(&s.name)))
            .unwrap_or_default();
        return Err(CliError::Usage(format!(
            "a session with the id {}{existing} exists already; nothing was imported. \
             Pass --replace to overwrite it (its current version is kept as a backup), \
             or --as-new to import this one as a new session",
            session.id
        )));
    }
    if args.as_new {
        session.name = format!("{} (imported)", session.name);
    }
    if args.as_new || !usable {
        session.id = new_session_id(&session.name, Timestamp::now());
    }
    // The lock is released at the end of this command; the session is on disk.
    let _lock = store.create(&session)?;
    if args.json {
        write_import_json(&mut out, &session, &original, false)?;
    } else if session.id == original {
        writeln!(
            out,
            "Imported \"{}\" as session {}",
            text::value(&session.name),
            session.id
        )?;
    } else {
        let why = if usable {
            "as a new session"
        } else {
            "the id in the file was not usable"
        };
        writeln!(
            out,
            "Imported \"{}\" as session {} ({why}; the file's id was {})",
            text::value(&session.name),
            session.id,
            text::value(&original)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What `import --json` prints (see docs/json-output.md).
fn write_import_json(
    out: &mut impl Write,
    session: &crate::domain::session::Session,
    original: &str,
    replaced: bool,
) -> Result<(), CliError> {
    let shape = serde_json::json!({
        "id": session.id,
        "name": session.name,
        "original_id": original,
        "new_id": session.id != original,
        "replaced": replaced,
    });
    serde_json::to_writer_pretty(&mut *out, &shape).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}
