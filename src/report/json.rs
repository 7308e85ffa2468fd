//! The JSON export: the whole session plus its computed results, with a format version, so that
//! `aiready import` can recreate the session exactly.

use super::{Format, Options, ReportError};
use crate::domain::scoring::Results;
use crate::domain::session::Session;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The version of the JSON export format; raised when a change would mislead an older reader.
/// Version 2 gives each question's follow-up action a structure of its own (`action`: what,
/// owner, due, evidence, status, status_date) and adds `resolved` and `last_question`; version
/// 1 exports still import.
pub const FORMAT_VERSION: u32 = 2;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::framework::{Category, Stage};
    use crate::domain::scale::Answer;
    use crate::domain::session::tests::{bank, question};

    #[test]
    fn a_version_1_export_with_the_old_action_fields_still_imports() {
        let b = bank(vec![question("a", Category::Security, Stage::Storage)]);
        let mut session = Session::new("id".into(), "Acme".into(), &b, Timestamp::UNIX_EPOCH);
        session.set_answer("a", Some(Answer::AdHoc), Timestamp::UNIX_EPOCH);
        let record = session.record_mut("a");
        record.action.owner = "Ben".into();
        record.action.due = Some(jiff::civil::date(2027, 1, 15));
        record.action.evidence = vec!["T-1".into()];
        let mut value = serde_json::json!({ "format_version": 1, "session": session });
        let old = &mut value["session"]["records"]["a"];
        let action = old["action"].take();
        let old = old.as_object_mut().unwrap();
        old.remove("action");
        old.insert("action_owner".into(), action["owner"].clone());
        old.insert("due".into(), action["due"].clone());
        old.insert("evidence".into(), action["evidence"].clone());
        let back = parse("old.json", &value.to_string()).unwrap();
        assert_eq!(back, session);
    }
}
