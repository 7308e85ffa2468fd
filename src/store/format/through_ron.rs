//! The session file written through `ron`'s serializer, as every version of the program up to
//! schema 4 wrote it. The hand-written encoder must write exactly this text (files stay
//! byte-identical across versions), so the tests compare the two.

use super::{SCHEMA_VERSION, VOTE_SEPARATOR, vote_code};
use crate::domain::framework::{Category, Stage};
use crate::domain::questionnaire::QuestionnaireVersion;
use crate::domain::scale::Answer;
use crate::domain::session::{
    ActionStatus, FollowUp, Mode, ObservationPeriod, Participant, PreworkReceipt, QuestionRecord,
    Session, StartedFrom, Target, TriagePlan,
};
use jiff::Timestamp;
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

#[derive(Serialize)]
#[serde(rename = "SessionFile")]
struct FileOut<'a> {
    schema_version: u32,
    session: SessionOut<'a>,
}

/// A session as the current schema writes it: the session's own fields in their order, with
/// the records in the file's layout.
#[derive(Serialize)]
#[serde(rename = "Session")]
struct SessionOut<'a> {
    id: &'a str,
    name: &'a str,
    organisation: &'a str,
    system: &'a str,
    target: Target,
    mode: Mode,
    #[serde(skip_serializing_if = "Option::is_none")]
    observation_period: Option<ObservationPeriod>,
    facilitator: &'a str,
    participants: &'a [Participant],
    scoping: &'a BTreeMap<String, bool>,
    categories: &'a BTreeSet<Category>,
    questionnaires: &'a [QuestionnaireVersion],
    content_hash: &'a str,
    created: Timestamp,
    updated: Timestamp,
    records: RecordsOut<'a>,
    time_spent: &'a BTreeMap<Category, BTreeMap<Stage, u64>>,
    agenda_minutes: &'a BTreeMap<Category, BTreeMap<Stage, u32>>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "bare")]
    last_question: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "bare")]
    started_from: Option<&'a StartedFrom>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    question_digests: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    prework: &'a BTreeMap<String, PreworkReceipt>,
    #[serde(skip_serializing_if = "TriagePlan::is_empty")]
    triage: TriagePlan,
}

/// A field written only when it has a value, written without the `Some(...)` around it.
fn bare<S: Serializer, T: Serialize>(value: &Option<T>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => value.serialize(serializer),
        None => serializer.serialize_none(),
    }
}

impl<'a> From<&'a Session> for SessionOut<'a> {
    fn from(session: &'a Session) -> SessionOut<'a> {
        // Destructured so that a new session field cannot be forgotten here.
        let Session {
            id,
            name,
            organisation,
            system,
            target,
            mode,
            observation_period,
            facilitator,
            participants,
            scoping,
            categories,
            questionnaires,
            content_hash,
            created,
            updated,
            records,
            time_spent,
            agenda_minutes,
            last_question,
            started_from,
            question_digests,
            prework,
            triage,
        } = session;
        SessionOut {
            id,
            name,
            organisation,
            system,
            target: *target,
            mode: *mode,
            observation_period: *observation_period,
            facilitator,
            participants,
            scoping,
            categories,
            questionnaires,
            content_hash,
            created: *created,
            updated: *updated,
            records: RecordsOut(records),
            time_spent,
            agenda_minutes,
            last_question: last_question.as_deref(),
            started_from: started_from.as_ref(),
            question_digests,
            prework,
            triage: *triage,
        }
    }
}

struct RecordsOut<'a>(&'a BTreeMap<String, QuestionRecord>);

impl Serialize for RecordsOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(id, r)| (id, RecordOut(r))))
    }
}

struct RecordOut<'a>(&'a QuestionRecord);

impl Serialize for RecordOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let QuestionRecord {
            answer,
            notes,
            action,
            discuss_later,
            resolved,
            votes,
            carried,
            prework_votes,
            prework_notes,
            from_prework,
        } = self.0;
        // Only what was recorded is written; everything left out reads back as empty.
        let fields = usize::from(answer.is_some())
            + usize::from(!notes.is_empty())
            + usize::from(!action.is_empty())
            + usize::from(*discuss_later)
            + usize::from(*resolved)
            + usize::from(!votes.is_empty())
            + usize::from(carried.is_some())
            + usize::from(!prework_votes.is_empty())
            + usize::from(!prework_notes.is_empty())
            + usize::from(*from_prework);
        let mut out = serializer.serialize_struct("QuestionRecord", fields)?;
        if let Some(answer) = answer {
            out.serialize_field("answer", answer)?;
        }
        if !notes.is_empty() {
            out.serialize_field("notes", notes)?;
        }
        if !action.is_empty() {
            out.serialize_field("action", &ActionOut(action))?;
        }
        if *discuss_later {
            out.serialize_field("discuss_later", discuss_later)?;
        }
        if *resolved {
            out.serialize_field("resolved", resolved)?;
        }
        if !votes.is_empty() {
            out.serialize_field("votes", &VotesOut(votes))?;
        }
        if let Some(carried) = carried {
            out.serialize_field("carried", carried)?;
        }
        if !prework_votes.is_empty() {
            out.serialize_field("prework", &VotesOut(prework_votes))?;
        }
        if !prework_notes.is_empty() {
            out.serialize_field("prework_notes", prework_notes)?;
        }
        if *from_prework {
            out.serialize_field("from_prework", from_prework)?;
        }
        out.end()
    }
}

/// A follow-up action with only the parts that were decided.
struct ActionOut<'a>(&'a FollowUp);

impl Serialize for ActionOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let FollowUp {
            what,
            owner,
            due,
            evidence,
            status,
            status_date,
        } = self.0;
        let open = *status == ActionStatus::Open;
        let fields = usize::from(!what.is_empty())
            + usize::from(!owner.is_empty())
            + usize::from(due.is_some())
            + usize::from(!evidence.is_empty())
            + usize::from(!open)
            + usize::from(status_date.is_some());
        let mut out = serializer.serialize_struct("FollowUp", fields)?;
        if !what.is_empty() {
            out.serialize_field("what", what)?;
        }
        if !owner.is_empty() {
            out.serialize_field("owner", owner)?;
        }
        if let Some(due) = due {
            out.serialize_field("due", due)?;
        }
        if !evidence.is_empty() {
            out.serialize_field("evidence", evidence)?;
        }
        if !open {
            out.serialize_field("status", status)?;
        }
        if let Some(day) = status_date {
            out.serialize_field("status_date", day)?;
        }
        out.end()
    }
}

/// Votes as a list of `"name: level"` strings, in name order.
struct VotesOut<'a>(&'a BTreeMap<String, Answer>);

impl Serialize for VotesOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        let mut text = String::new();
        for (name, answer) in self.0 {
            text.clear();
            text.push_str(name);
            text.push_str(VOTE_SEPARATOR);
            text.push_str(vote_code(*answer));
            seq.serialize_element(text.as_str())?;
        }
        seq.end()
    }
}

/// The text of a session file as `ron`'s pretty writer lays it out.
pub(super) fn encode(session: &Session) -> Result<String, ron::Error> {
    let config = ron::ser::PrettyConfig::new()
        .struct_names(true)
        .indentor("  ".to_string())
        // Deeper values (a question's record, a section's time) stay on one line.
        .depth_limit(3);
    // Room for a typical record per question, so the text is rarely copied while it grows.
    let mut out = Text(String::with_capacity(4096 + session.records.len() * 192));
    ron::ser::to_writer_pretty(
        &mut out,
        &FileOut {
            schema_version: SCHEMA_VERSION,
            session: SessionOut::from(session),
        },
        config,
    )?;
    let mut text = out.0;
    text.push('\n');
    Ok(text)
}

/// The encoder's output. The RON writer escapes strings one character at a time and writes
/// each one separately; appending a single byte directly is much cheaper than the general copy.
struct Text(String);

impl fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        match s.as_bytes() {
            [byte] => self.0.push(char::from(*byte)),
            _ => self.0.push_str(s),
        }
        Ok(())
    }

    fn write_char(&mut self, c: char) -> fmt::Result {
        self.0.push(c);
        Ok(())
    }
}
