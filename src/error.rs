//! Errors of the command line, written for the person at the terminal. Each layer keeps its
//! own error type; this one gathers them for `main`.

use crate::config::PathsError;
use crate::content::ContentError;
use crate::report::ReportError;
use crate::store::StoreError;
use std::path::PathBuf;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The data or config directory could not be found.
    #[error(transparent)]
    Paths(#[from] PathsError),
    /// The questionnaires could not be loaded.
    #[error(transparent)]
    Content(#[from] ContentError),
    /// A session could not be created, read, saved or deleted.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A pre-work file could not be read or written.
    #[error(transparent)]
    Prework(#[from] crate::store::prework::PreworkFileError),
    /// A report could not be rendered or written, or an export not imported.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// Arguments that do not go together.
    #[error("{0}")]
    Usage(String),
    /// A file given on the command line could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Files exist and `--force` was not given.
    #[error("{} already exist{}; nothing was written. Pass --force to overwrite:\n  {}", .0.len(), if .0.len() == 1 { "s" } else { "" }, .0.join("\n  "))]
    WouldOverwrite(Vec<String>),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The terminal interface could not run.
    #[error(transparent)]
    Tui(#[from] crate::tui::TuiError),
    /// Writing to the terminal failed (for example a closed pipe).
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

impl CliError {
    /// Whether the error is only that the reader of the output went away (a closed pipe).
    pub fn is_closed_pipe(&self) -> bool {
        let io = match self {
            CliError::Output(e) => Some(e),
            CliError::Report(ReportError::Write { source, .. }) => Some(source),
            _ => None,
        };
        io.is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// The process exit status: 2 for arguments that do not go together (as for clap's own
    /// usage errors), 1 for everything else.
    pub fn exit_code(&self) -> std::process::ExitCode {
        match self {
            CliError::Usage(_) => std::process::ExitCode::from(2),
            _ => std::process::ExitCode::FAILURE,
        }
    }
}
