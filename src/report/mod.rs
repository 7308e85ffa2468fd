//! Reports of a session: a serialisable [`ReportContext`] built from the session and its
//! computed results, and its renderers: Markdown and HTML (from replaceable templates), JSON
//! (complete and re-importable), CSV (the action plan, one row per gap), an Excel workbook, and
//! OSCAL assessment results and plan of action and milestones.
//!
//! The TUI and the command line both call [`render_bytes`] and then [`write_file`].

mod anonymize;
pub mod compare;
mod context;
pub mod csv;
pub mod escape;
pub mod html;
pub mod json;
pub mod markdown;
mod matrix;
pub mod oscal;
mod output;
pub mod xlsx;

pub use anonymize::{Anonymize, anonymize};
pub use context::*;
pub use matrix::{ControlRow, EvidenceGroup, EvidenceItem};
pub use output::{Written, write as write_output};

use crate::domain::questionnaire::QuestionBank;
use crate::domain::scoring;
use crate::domain::session::Session;
use jiff::Timestamp;
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// How many gaps the "Top gaps" section lists in full; the action plan lists all of them.
pub const TOP_GAPS: usize = 10;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// The readable report, rendered from a template.
    #[default]
    Markdown,
    /// The session and its computed results, re-importable.
    Json,
    /// The action plan, one row per gap.
    Csv,
    /// The readable report as one self-contained, printable web page, from a template.
    Html,
    /// An Excel workbook: summary, register, action plan, control matrix, evidence requests.
    Xlsx,
    /// OSCAL 1.1.3 assessment results (JSON).
    OscalAr,
    /// OSCAL 1.1.3 plan of action and milestones (JSON).
    OscalPoam,
}

impl Format {
    /// Every format, in the order they are offered.
    pub const ALL: [Format; 7] = [
        Format::Markdown,
        Format::Json,
        Format::Csv,
        Format::Html,
        Format::Xlsx,
        Format::OscalAr,
        Format::OscalPoam,
    ];

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Json | Format::OscalAr | Format::OscalPoam => "json",
            Format::Csv => "csv",
            Format::Html => "html",
            Format::Xlsx => "xlsx",
        }
    }

    /// The end of the default file name: what the file is and its extension.
    fn file_suffix(self) -> &'static str {
        match self {
            Format::Markdown => "report.md",
            Format::Json => "report.json",
            Format::Csv => "report.csv",
            Format::Html => "report.html",
            Format::Xlsx => "report.xlsx",
            Format::OscalAr => "oscal-ar.json",
            Format::OscalPoam => "oscal-poam.json",
        }
    }

    /// The name a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Format::Markdown => "Markdown",
            Format::Json => "JSON",
            Format::Csv => "CSV",
            Format::Html => "HTML",
            Format::Xlsx => "Excel",
            Format::OscalAr => "OSCAL AR",
            Format::OscalPoam => "OSCAL POA&M",
        }
    }

    /// Whether the report is bytes that are not text (the workbook), which a terminal must
    /// not be sent.
    pub fn is_binary(self) -> bool {
        self == Format::Xlsx
    }

    /// The file name of a user's template for this format in the config directory, for the
    /// formats rendered from a template.
    pub fn template_file(self) -> Option<&'static str> {
        match self {
            Format::Markdown => Some(markdown::TEMPLATE_FILE),
            Format::Html => Some(html::TEMPLATE_FILE),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// A report template: its text and the name used for it in messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Where it came from, e.g. a file path; shown in template errors.
    pub name: String,
    /// The minijinja source.
    pub source: String,
}

impl Template {
    /// Reads a template file.
    pub fn read(path: &Path) -> Result<Template, ReportError> {
        let source = std::fs::read_to_string(path).map_err(|source| ReportError::ReadTemplate {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Template {
            name: path.display().to_string(),
            source,
        })
    }

    /// The template to use for a format: an explicit file, else the format's template file
    /// (`report.md.j2`, `report.html.j2`) in the config directory if it exists, else None for
    /// the built-in one (and for formats without a template).
    pub fn resolve(
        format: Format,
        explicit: Option<&Path>,
        config_dir: &Path,
    ) -> Result<Option<Template>, ReportError> {
        let Some(file) = format.template_file() else {
            return Ok(None);
        };
        if let Some(path) = explicit {
            return Template::read(path).map(Some);
        }
        let user = config_dir.join(file);
        if user.is_file() {
            return Template::read(&user).map(Some);
        }
        Ok(None)
    }
}

/// Choices that change what a report contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Replace people's names and e-mail addresses with pseudonyms (Participant A, ...).
    pub anonymize: bool,
    /// With `anonymize`, also replace every role with "team member".
    pub generalise_roles: bool,
    /// A Markdown or HTML template replacing the built-in one of the format exported.
    pub template: Option<Template>,
    /// The generation time written into the report.
    pub generated: Timestamp,
    /// Version, classification and distribution of the report document.
    pub document: DocumentControl,
    /// Choices for the CSV export.
    pub csv: CsvOptions,
}

impl Options {
    /// Defaults: names kept, built-in template, generated now.
    pub fn now() -> Options {
        Options {
            anonymize: false,
            generalise_roles: false,
            template: None,
            generated: Timestamp::now(),
            document: DocumentControl::default(),
            csv: CsvOptions::default(),
        }
    }

    fn anonymize_how(&self) -> Anonymize {
        match (self.anonymize, self.generalise_roles) {
            (false, _) => Anonymize::Off,
            (true, false) => Anonymize::KeepRoles,
            (true, true) => Anonymize::GeneraliseRoles,
        }
    }
}

/// The document control block of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentControl {
    /// The document's version, e.g. "1.0".
    pub version: String,
    /// Its classification, "Confidential" unless told otherwise.
    pub classification: String,
    /// Who it is for; empty to fill in by hand.
    pub distribution: String,
}

impl Default for DocumentControl {
    fn default() -> Self {
        DocumentControl {
            version: "1.0".to_string(),
            classification: "Confidential".to_string(),
            distribution: String::new(),
        }
    }
}

/// Choices for the CSV export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvOptions {
    /// Start with a UTF-8 byte order mark, so that spreadsheets read accents correctly.
    pub bom: bool,
    /// Every applicable question (a risk register), not only the action plan.
    pub register: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            bom: true,
            register: false,
        }
    }
}

/// Why a report could not be produced or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The template has a syntax error or failed while rendering.
    #[error("the report template {name} cannot be used: {message}")]
    Template {
        /// The template's name (a path, or the built-in name).
        name: String,
        /// What went wrong, with line number.
        message: String,
    },
    /// A template file could not be read.
    #[error("cannot read the report template {}: {source}", .path.display())]
    ReadTemplate {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        source: std::io::Error,
    },
    /// The output file exists and overwriting was not allowed.
    #[error(
        "{} exists already; nothing was written. Pass --force to overwrite it, or choose another file with -o.",
        .path.display()
    )]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The output names something a report is not written to.
    #[error(
        "{} is {kind}; a report replaces only a regular file (or is written into a FIFO or character device). Nothing was written; choose another file with -o, or -o - for standard output.",
        .path.display()
    )]
    NotAFile {
        /// The path given.
        path: PathBuf,
        /// What it is.
        kind: &'static str,
    },
    /// The output file could not be written.
    #[error("cannot write {}: {source}. Nothing was written.", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        source: std::io::Error,
    },
    /// The CSV or JSON encoder failed (not expected with in-memory output).
    #[error("cannot encode the {format} report: {reason}")]
    Encode {
        /// The format.
        format: Format,
        /// The encoder's message.
        reason: String,
    },
    /// A file given to import is not an aiready JSON export.
    #[error("{name} is not an aiready JSON export ({reason}); nothing was imported")]
    NotAnExport {
        /// The file's name as given.
        name: String,
        /// What is wrong, with line and column where known.
        reason: String,
    },
    /// A JSON export whose content cannot make a valid session.
    #[error("{name} cannot be imported: {reason}; nothing was imported")]
    Invalid {
        /// The file's name as given.
        name: String,
        /// The JSON path of the problem and what is wrong.
        reason: String,
    },
    /// A JSON export from a newer aiready.
    #[error(
        "{name} was exported by a newer version of aiready (export format {found}; this version reads up to {supported}); nothing was imported"
    )]
    NewerExport {
        /// The file's name as given.
        name: String,
        /// Its format version.
        found: u32,
        /// The newest this build reads.
        supported: u32,
    },
}

/// Renders a report of a session in one of the text formats (every format but the workbook,
/// which [`render_bytes`] gives).
pub fn render(
    format: Format,
    bank: &QuestionBank,
    session: &Session,
    options: &Options,
) -> Result<String, ReportError> {
    let bytes = render_bytes(format, bank, session, options)?;
    String::from_utf8(bytes).map_err(|_| ReportError::Encode {
        format,
        reason: "the format is binary, not text".to_string(),
    })
}

/// Renders a report of a session in one format, as the bytes of the file.
pub fn render_bytes(
    format: Format,
    bank: &QuestionBank,
    session: &Session,
    options: &Options,
) -> Result<Vec<u8>, ReportError> {
    let anonymized;
    let session = if options.anonymize {
        anonymized = anonymize(session, options.anonymize_how());
        &anonymized
    } else {
        session
    };
    let results = scoring::score(bank, session);
    // The workbook and the OSCAL documents list every applicable question: the register.
    let with_register;
    let context_options = if matches!(format, Format::Xlsx | Format::OscalAr | Format::OscalPoam) {
        with_register = Options {
            csv: CsvOptions {
                register: true,
                ..options.csv
            },
            ..options.clone()
        };
        &with_register
    } else {
        options
    };
    let context = || ReportContext::build(bank, session, &results, context_options);
    let template = options.template.as_ref();
    match format {
        Format::Json => json::render(bank, session, &results, options).map(String::into_bytes),
        Format::Markdown => markdown::render(&context(), template).map(String::into_bytes),
        Format::Csv => csv::render(&context(), options.csv).map(String::into_bytes),
        Format::Html => html::render(&context(), template).map(String::into_bytes),
        Format::Xlsx => xlsx::render(&context()),
        Format::OscalAr => oscal::assessment_results(&context()).map(String::into_bytes),
        Format::OscalPoam => oscal::poam(&context()).map(String::into_bytes),
    }
}

/// Writes a report: a new or replaced regular file is written atomically, a FIFO or character
/// device directly; see [`output::write`]. An existing file is replaced only when `overwrite` is
/// true. Unlike session files, a report is meant to be shared: it gets the permissions the
/// user's umask gives new files.
pub fn write_file(
    path: &Path,
    contents: impl AsRef<[u8]>,
    overwrite: bool,
) -> Result<(), ReportError> {
    output::write(path, contents.as_ref(), overwrite).map(|_| ())
}

/// A file name for a report of this session in the current directory, e.g.
/// `2026-01-15-acme-bot-3f9a1c-report.md`.
pub fn default_file_name(session: &Session, format: Format) -> String {
    format!("{}-{}", session.id, format.file_suffix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_file_refuses_to_overwrite_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.md");
        write_file(&path, "one", false).unwrap();
        let err = write_file(&path, "two", false).unwrap_err();
        assert!(matches!(err, ReportError::Exists { .. }), "{err}");
        assert!(err.to_string().contains("--force"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        write_file(&path, "three", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "three");
        // Only the report is left in the folder: no temporary files.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // The permissions follow the umask (tests/report_exports.rs checks them under set
        // umasks in a child process, since a test cannot change its own).
    }

    #[test]
    fn write_file_into_a_missing_folder_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("r.md");
        let err = write_file(&path, "x", false).unwrap_err().to_string();
        assert!(
            err.contains("r.md") && err.contains("Nothing was written"),
            "{err}"
        );
    }

    #[test]
    fn default_file_names_follow_the_format() {
        let bank = crate::domain::session::tests::bank(Vec::new());
        let s = Session::new(
            "2026-01-15-acme-0a1b2c".into(),
            "Acme".into(),
            &bank,
            Timestamp::UNIX_EPOCH,
        );
        assert_eq!(
            default_file_name(&s, Format::Markdown),
            "2026-01-15-acme-0a1b2c-report.md"
        );
        assert_eq!(
            default_file_name(&s, Format::Csv),
            "2026-01-15-acme-0a1b2c-report.csv"
        );
    }
}
