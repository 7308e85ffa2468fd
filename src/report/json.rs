//! The JSON export: the whole session plus its computed results, with a format version, so that
//! `aiready import` can recreate the session exactly.

use super::{Format, Options, ReportError};
use crate::domain::scoring::Results;
use crate::domain::session::Session;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The version of the JSON export format; raised when a change would mislead an older reader.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct ExportOut<'a> {
    format_version: u32,
    generator: String,
    generated: Timestamp,
    anonymized: bool,
    session: &'a Session,
    results: &'a Results<'a>,
}

/// Only what import needs; the computed results are recomputed from the session.
#[derive(Deserialize)]
struct ExportIn {
    format_version: u32,
    session: Session,
}

#[derive(Deserialize)]
struct VersionOnly {
    format_version: Option<u32>,
}

/// The JSON text of a session and its results, pretty-printed with a trailing newline.
pub fn render(
    session: &Session,
    results: &Results<'_>,
    options: &Options,
) -> Result<String, ReportError> {
    let out = ExportOut {
        format_version: FORMAT_VERSION,
        generator: format!("aiready {}", env!("CARGO_PKG_VERSION")),
        generated: options.generated,
        anonymized: options.anonymize,
        session,
        results,
    };
    let mut text = serde_json::to_string_pretty(&out).map_err(|e| ReportError::Encode {
        format: Format::Json,
        reason: e.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}

/// The session in a JSON export; `name` is the file name shown in messages.
pub fn parse(name: &str, text: &str) -> Result<Session, ReportError> {
    let not_export = |reason: String| ReportError::NotAnExport {
        name: name.to_string(),
        reason,
    };
    // The version is checked first so that a newer export is refused by name rather than
    // with a confusing field error.
    let version: VersionOnly = serde_json::from_str(text).map_err(|e| not_export(e.to_string()))?;
    match version.format_version {
        None => return Err(not_export("it has no format_version".to_string())),
        Some(found) if found > FORMAT_VERSION => {
            return Err(ReportError::NewerExport {
                name: name.to_string(),
                found,
                supported: FORMAT_VERSION,
            });
        }
        Some(_) => {}
    }
    let export: ExportIn = serde_json::from_str(text).map_err(|e| not_export(e.to_string()))?;
    let _ = export.format_version;
    Ok(export.session)
}
