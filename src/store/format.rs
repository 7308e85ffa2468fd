//! The session file format: pretty RON with a schema version, and the migration of older
//! versions.
//!
//! ```ron
//! SessionFile(
//!   schema_version: 1,
//!   session: Session(
//!     ...
//!     records: {
//!       "sec-gov-01": QuestionRecord(answer: Some(Implemented), notes: "..."),
//!     },
//!   ),
//! )
//! ```
//!
//! Maps are sorted and each question's record sits on one line, so a diff of two saves shows
//! one line per question that changed (and parsing skips little whitespace).
//!
//! Schema 0 kept only the agreed answer and a note per question, in two maps; it loads into the
//! current model with every other per-question field empty.

use crate::domain::framework::Category;
use crate::domain::questionnaire::QuestionnaireVersion;
use crate::domain::scale::Answer;
use crate::domain::session::{Mode, QuestionRecord, Session, Target};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The format version this build writes; it reads this one and every older one.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
#[serde(rename = "SessionFile")]
struct FileOut<'a> {
    schema_version: u32,
    session: &'a Session,
}

/// Only the version, read first so that a newer file is refused for the right reason.
#[derive(Deserialize)]
#[serde(rename = "SessionFile")]
struct Envelope {
    schema_version: u32,
}

#[derive(Deserialize)]
#[serde(rename = "SessionFile", deny_unknown_fields)]
struct FileV1 {
    #[allow(dead_code)]
    schema_version: u32,
    session: Session,
}

#[derive(Deserialize)]
#[serde(rename = "SessionFile", deny_unknown_fields)]
struct FileV0 {
    #[allow(dead_code)]
    schema_version: u32,
    session: SessionV0,
}

#[derive(Deserialize)]
#[serde(rename = "Session", deny_unknown_fields)]
struct SessionV0 {
    id: String,
    name: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    system: String,
    #[serde(default)]
    target: Target,
    #[serde(default)]
    mode: Mode,
    #[serde(default)]
    scoping: BTreeMap<String, bool>,
    #[serde(default)]
    categories: BTreeSet<Category>,
    #[serde(default)]
    questionnaires: Vec<QuestionnaireVersion>,
    #[serde(default)]
    content_hash: String,
    created: Timestamp,
    updated: Timestamp,
    #[serde(default)]
    answers: BTreeMap<String, Answer>,
    #[serde(default)]
    notes: BTreeMap<String, String>,
}

impl From<SessionV0> for Session {
    fn from(old: SessionV0) -> Session {
        let mut records: BTreeMap<String, QuestionRecord> = BTreeMap::new();
        for (id, answer) in old.answers {
            records.entry(id).or_default().answer = Some(answer);
        }
        for (id, notes) in old.notes {
            records.entry(id).or_default().notes = notes;
        }
        records.retain(|_, r| !r.is_empty());
        Session {
            id: old.id,
            name: old.name,
            organisation: old.organisation,
            system: old.system,
            target: old.target,
            mode: old.mode,
            facilitator: String::new(),
            participants: Vec::new(),
            scoping: old.scoping,
            categories: old.categories,
            questionnaires: old.questionnaires,
            content_hash: old.content_hash,
            created: old.created,
            updated: old.updated,
            records,
            time_spent: BTreeMap::new(),
            agenda_minutes: BTreeMap::new(),
        }
    }
}

/// Why a session text could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Not valid for any known version; the reason names line and column where known.
    Invalid(String),
    /// Written by a newer format version.
    Newer(u32),
}

/// The text of a session file.
pub fn encode(session: &Session) -> Result<String, ron::Error> {
    let config = ron::ser::PrettyConfig::new()
        .struct_names(true)
        .indentor("  ".to_string())
        // Deeper values (a question's record, a section's time) stay on one line.
        .depth_limit(3);
    let mut text = ron::ser::to_string_pretty(
        &FileOut {
            schema_version: SCHEMA_VERSION,
            session,
        },
        config,
    )?;
    text.push('\n');
    Ok(text)
}

/// The session in a file's text, migrated to the current model.
pub fn decode(text: &str) -> Result<Session, DecodeError> {
    // A current file, the common case, costs a single parse.
    if let Ok(file) = ron::from_str::<FileV1>(text)
        && file.schema_version == SCHEMA_VERSION
    {
        return Ok(file.session);
    }
    let invalid = |e: ron::error::SpannedError| DecodeError::Invalid(e.to_string());
    let envelope: Envelope = ron::from_str(text).map_err(invalid)?;
    match envelope.schema_version {
        0 => ron::from_str::<FileV0>(text)
            .map(|f| f.session.into())
            .map_err(invalid),
        SCHEMA_VERSION => ron::from_str::<FileV1>(text)
            .map(|f| f.session)
            .map_err(invalid),
        newer => Err(DecodeError::Newer(newer)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::framework::Stage;

    fn sample() -> Session {
        let t = Timestamp::from_second(1_767_225_600).unwrap();
        let mut s = Session {
            id: "2026-01-01-acme-000001".into(),
            name: "Acme \"bot\" ../x Сессия".into(),
            organisation: "Acme".into(),
            system: "Support bot".into(),
            target: Target::Type1,
            mode: Mode::Workshop,
            facilitator: "Fay".into(),
            participants: vec![crate::domain::session::Participant {
                name: "Ana".into(),
                role: "ML".into(),
            }],
            scoping: BTreeMap::from([("generative".to_string(), false)]),
            categories: BTreeSet::from([Category::Privacy]),
            questionnaires: vec![QuestionnaireVersion {
                id: "security".into(),
                version: "1.0.0".into(),
            }],
            content_hash: "abc".into(),
            created: t,
            updated: t,
            records: BTreeMap::new(),
            time_spent: BTreeMap::new(),
            agenda_minutes: BTreeMap::new(),
        };
        s.set_answer("sec-1", Some(Answer::Designed), t);
        let r = s.record_mut("sec-1");
        r.notes = "line one\nline two".into();
        r.evidence = vec!["TICKET-1".into()];
        r.action_owner = "Ben".into();
        r.due = Some(jiff::civil::date(2027, 1, 15));
        r.discuss_later = true;
        s.record_vote("sec-1", "Ana", Some(Answer::Operating), t);
        s.add_time(Category::Security, Stage::Storage, 90);
        s.set_planned_minutes(Category::Security, Stage::Storage, Some(15));
        s
    }

    #[test]
    fn round_trips() {
        let s = sample();
        let text = encode(&s).unwrap();
        assert!(
            text.starts_with("SessionFile(\n  schema_version: 1,"),
            "{text}"
        );
        assert_eq!(decode(&text), Ok(s));
    }

    #[test]
    fn one_change_is_a_small_diff() {
        let mut s = sample();
        let before = encode(&s).unwrap();
        s.record_mut("sec-1").notes.push_str(" and three");
        let after = encode(&s).unwrap();
        let changed = before
            .lines()
            .zip(after.lines())
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(changed, 1);
        assert_eq!(before.lines().count(), after.lines().count());
    }

    #[test]
    fn newer_versions_are_refused() {
        let text = encode(&sample())
            .unwrap()
            .replace("schema_version: 1", "schema_version: 7");
        assert_eq!(decode(&text), Err(DecodeError::Newer(7)));
    }

    #[test]
    fn unknown_fields_are_refused_rather_than_dropped() {
        let text = encode(&sample()).unwrap().replace(
            "  session: Session(\n",
            "  session: Session(\n    colour: \"red\",\n",
        );
        assert!(matches!(decode(&text), Err(DecodeError::Invalid(m)) if m.contains("colour")));
    }
}
