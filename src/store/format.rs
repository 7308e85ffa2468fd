//! The session file format: pretty RON with a schema version, and the migration of older
//! versions.
//!
//! ```ron
//! SessionFile(
//!   schema_version: 4,
//!   session: Session(
//!     ...
//!     records: {
//!       "sec-gov-01": QuestionRecord(answer: Implemented, notes: "...", action: FollowUp(what: "...", owner: "Ben", due: "2027-01-15", status: InProgress, status_date: "2026-01-20"), votes: ["Ana: 4", "Ben: 1"]),
//!     },
//!     ...
//!     last_question: "sec-gov-02",
//!   ),
//! )
//! ```
//!
//! Maps are sorted and each question's record sits on one line, so a diff of two saves shows
//! one line per question that changed (and parsing skips little whitespace).
//!
//! Schema 4 adds what pre-work brings: per record the participants' pre-work answers (`prework:
//! ["Maya: 3"]`, written like votes), their notes (`prework_notes: {"Maya": "..."}`) and
//! `from_prework: true` on an answer accepted from unanimous votes; per session the pre-work
//! merged so far (`prework: {"Maya": PreworkReceipt(...)}`) and the triage agenda's time plan
//! (`triage: TriagePlan(...)`). A schema 3 file is the same without them.
//!
//! Schema 3 gives the follow-up action a structure of its own (what is to be done, owner, due
//! date, evidence, status and the day the status changed), marks flagged questions resolved, and
//! keeps the question the session was left on. Its records are otherwise written as in schema 2.
//! A session started from another also says which one (`started_from: StartedFrom(id: ...,
//! name: ..., updated: ...)`), and each answer carried over from it and not yet confirmed is
//! marked (`carried: Unconfirmed`, or `carried: QuestionChanged` when the question's text or
//! weight changed since); every session keeps a short digest of each question as its content
//! asked it (`question_digests: {"sec-gov-01": "3f9a1c2b", ...}`), one line per question, so that
//! a later session can tell which questions changed.
//!
//! Schema 2 writes a record with as few RON values as it can while staying readable, because
//! parsing a large session costs time per value: an answer and a due date without the
//! `Some(...)` around them, and each vote as one `"name: level"` string (the level is `0` to `4`,
//! `N/A` or `Unknown`, after the last `: `, so any name reads back unchanged) instead of a map
//! entry of two values.
//!
//! Schema 2 kept the owner, due date and evidence of the action side by side in the record
//! (`action_owner: "Ben", due: "2027-01-15", evidence: ["T-1"]`). Schema 1 wrote the session's
//! own serde form of the time: `answer: Some(Implemented)`, `due: Some("2027-01-15")`,
//! `votes: {"Ana": Operating}`. Schema 0 kept only the agreed answer and a note per question, in
//! two maps. All of them load into the current model.

use crate::domain::framework::{Category, Stage};
use crate::domain::questionnaire::QuestionnaireVersion;
use crate::domain::scale::Answer;
use crate::domain::session::{
    ActionStatus, Carried, FollowUp, Mode, ObservationPeriod, Participant, PreworkReceipt,
    QuestionRecord, Session, StartedFrom, Target, TriagePlan,
};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::de;
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The format version this build writes; it reads this one and every older one.
pub const SCHEMA_VERSION: u32 = 4;

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

/// Between the name and the answer in a vote.
const VOTE_SEPARATOR: &str = ": ";

/// How a vote names its answer: the level, `N/A` or `Unknown`.
fn vote_code(answer: Answer) -> &'static str {
    match answer {
        Answer::NotInPlace => "0",
        Answer::AdHoc => "1",
        Answer::Designed => "2",
        Answer::Implemented => "3",
        Answer::Operating => "4",
        Answer::NotApplicable => "N/A",
        Answer::Unknown => "Unknown",
    }
}

/// The answer a vote's code names.
fn vote_answer(code: &str) -> Option<Answer> {
    Answer::ALL.into_iter().find(|a| vote_code(*a) == code)
}

/// Only the version, read first so that a newer file is refused for the right reason.
#[derive(Deserialize)]
#[serde(rename = "SessionFile")]
struct Envelope {
    schema_version: u32,
}

/// A file of schema 2, 3 or 4: they differ in the record layout and in fields later schemas
/// added (each defaults to empty), and records of any of them are read.
#[derive(Deserialize)]
#[serde(rename = "SessionFile", deny_unknown_fields)]
struct FileIn {
    schema_version: u32,
    session: SessionIn,
}

#[derive(Deserialize)]
#[serde(rename = "Session", deny_unknown_fields)]
struct SessionIn {
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
    observation_period: Option<ObservationPeriod>,
    #[serde(default)]
    facilitator: String,
    #[serde(default)]
    participants: Vec<Participant>,
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
    records: RecordsIn,
    #[serde(default)]
    time_spent: BTreeMap<Category, BTreeMap<Stage, u64>>,
    #[serde(default)]
    agenda_minutes: BTreeMap<Category, BTreeMap<Stage, u32>>,
    #[serde(default, deserialize_with = "present")]
    last_question: Option<String>,
    #[serde(default, deserialize_with = "present")]
    started_from: Option<StartedFrom>,
    #[serde(default)]
    question_digests: BTreeMap<String, String>,
    #[serde(default)]
    prework: BTreeMap<String, PreworkReceipt>,
    #[serde(default)]
    triage: TriagePlan,
}

impl From<SessionIn> for Session {
    fn from(file: SessionIn) -> Session {
        Session {
            id: file.id,
            name: file.name,
            organisation: file.organisation,
            system: file.system,
            target: file.target,
            mode: file.mode,
            observation_period: file.observation_period,
            facilitator: file.facilitator,
            participants: file.participants,
            scoping: file.scoping,
            categories: file.categories,
            questionnaires: file.questionnaires,
            content_hash: file.content_hash,
            created: file.created,
            updated: file.updated,
            records: file.records.0,
            time_spent: file.time_spent,
            agenda_minutes: file.agenda_minutes,
            last_question: file.last_question,
            started_from: file.started_from,
            question_digests: file.question_digests,
            prework: file.prework,
            triage: file.triage,
        }
    }
}

/// The records map, each record read straight into the model.
#[derive(Default)]
struct RecordsIn(BTreeMap<String, QuestionRecord>);

impl<'de> Deserialize<'de> for RecordsIn {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RecordsIn, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = RecordsIn;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map from question id to QuestionRecord")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<RecordsIn, A::Error> {
                let mut records = BTreeMap::new();
                while let Some((id, record)) = map.next_entry::<String, RecordIn>()? {
                    records.insert(id, record.into());
                }
                Ok(RecordsIn(records))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// A record of schema 3 (`action: FollowUp(...)`, `resolved`) or schema 2 (`action_owner`,
/// `due` and `evidence` in the record itself).
#[derive(Deserialize)]
#[serde(rename = "QuestionRecord", default, deny_unknown_fields)]
#[derive(Default)]
struct RecordIn {
    #[serde(deserialize_with = "present")]
    answer: Option<Answer>,
    notes: String,
    action: ActionIn,
    evidence: Vec<String>,
    action_owner: String,
    #[serde(deserialize_with = "present")]
    due: Option<Date>,
    discuss_later: bool,
    resolved: bool,
    votes: VotesIn,
    #[serde(deserialize_with = "present")]
    carried: Option<Carried>,
    prework: VotesIn,
    prework_notes: BTreeMap<String, String>,
    from_prework: bool,
}

impl From<RecordIn> for QuestionRecord {
    fn from(r: RecordIn) -> QuestionRecord {
        let action = FollowUp {
            what: r.action.what,
            owner: r.action.owner,
            due: r.action.due,
            evidence: r.action.evidence,
            status: r.action.status,
            status_date: r.action.status_date,
        }
        .or_earlier(r.action_owner, r.due, r.evidence);
        QuestionRecord {
            answer: r.answer,
            notes: r.notes,
            action,
            discuss_later: r.discuss_later,
            resolved: r.resolved,
            votes: r.votes.0,
            carried: r.carried,
            prework_votes: r.prework.0,
            prework_notes: r.prework_notes,
            from_prework: r.from_prework,
        }
    }
}

/// A follow-up action as schema 3 writes it: only what was decided, dates without `Some`.
#[derive(Deserialize)]
#[serde(rename = "FollowUp", default, deny_unknown_fields)]
#[derive(Default)]
struct ActionIn {
    what: String,
    owner: String,
    #[serde(deserialize_with = "present")]
    due: Option<Date>,
    evidence: Vec<String>,
    status: ActionStatus,
    #[serde(deserialize_with = "present")]
    status_date: Option<Date>,
}

/// A field that is written only when it has a value, so present means Some.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

#[derive(Default)]
struct VotesIn(BTreeMap<String, Answer>);

impl<'de> Deserialize<'de> for VotesIn {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<VotesIn, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = VotesIn;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of votes such as [\"Ana: 4\", \"Ben: N/A\"]")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<VotesIn, A::Error> {
                let mut votes = BTreeMap::new();
                while let Some(Vote(name, answer)) = seq.next_element()? {
                    match votes.entry(name) {
                        Entry::Vacant(slot) => {
                            slot.insert(answer);
                        }
                        // Two votes by one person cannot both be kept.
                        Entry::Occupied(slot) => {
                            return Err(de::Error::custom(format_args!(
                                "{:?} has two votes on one question",
                                slot.key()
                            )));
                        }
                    }
                }
                Ok(VotesIn(votes))
            }
        }
        deserializer.deserialize_seq(Visitor)
    }
}

/// One `"name: Answer"` vote.
struct Vote(String, Answer);

impl<'de> Deserialize<'de> for Vote {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Vote, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Vote;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a vote such as \"Ana: 4\"")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Vote, E> {
                // The code never contains the separator, so the last one ends the name.
                text.rsplit_once(VOTE_SEPARATOR)
                    .and_then(|(name, code)| Some(Vote(name.to_string(), vote_answer(code)?)))
                    .ok_or_else(|| {
                        E::custom(format_args!(
                            "a vote is written \"name: level\" with a level from 0 to 4, N/A or Unknown, not {text:?}"
                        ))
                    })
            }
        }
        deserializer.deserialize_str(Visitor)
    }
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
            observation_period: None,
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
            last_question: None,
            started_from: None,
            question_digests: BTreeMap::new(),
            prework: BTreeMap::new(),
            triage: TriagePlan::default(),
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

/// The session in a file's text, migrated to the current model.
pub fn decode(text: &str) -> Result<Session, DecodeError> {
    // A current file, the common case, costs a single parse.
    if let Ok(file) = ron::from_str::<FileIn>(text)
        && matches!(file.schema_version, 2 | 3 | SCHEMA_VERSION)
    {
        return Ok(file.session.into());
    }
    let invalid = |e: ron::error::SpannedError| DecodeError::Invalid(e.to_string());
    let envelope: Envelope = ron::from_str(text).map_err(invalid)?;
    match envelope.schema_version {
        0 => ron::from_str::<FileV0>(text)
            .map(|f| f.session.into())
            .map_err(invalid),
        1 => ron::from_str::<FileV1>(text)
            .map(|f| f.session)
            .map_err(invalid),
        2 | 3 | SCHEMA_VERSION => ron::from_str::<FileIn>(text)
            .map(|f| f.session.into())
            .map_err(invalid),
        newer => Err(DecodeError::Newer(newer)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::framework::Stage;

    /// A session as schema 2 could hold it: everything but what schema 3 added.
    fn sample_v2() -> Session {
        let t = Timestamp::from_second(1_767_225_600).unwrap();
        let mut s = Session {
            id: "2026-01-01-acme-000001".into(),
            name: "Acme \"bot\" ../x Сессия".into(),
            organisation: "Acme".into(),
            system: "Support bot".into(),
            target: Target::Type1,
            mode: Mode::Workshop,
            observation_period: None,
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
            last_question: None,
            started_from: None,
            question_digests: BTreeMap::new(),
            prework: BTreeMap::new(),
            triage: TriagePlan::default(),
        };
        s.set_answer("sec-1", Some(Answer::Designed), t);
        let r = s.record_mut("sec-1");
        r.notes = "line one\nline two".into();
        r.action.evidence = vec!["TICKET-1".into()];
        r.action.owner = "Ben".into();
        r.action.due = Some(jiff::civil::date(2027, 1, 15));
        r.discuss_later = true;
        s.record_vote("sec-1", "Ana", Some(Answer::Operating), t);
        s.add_time(Category::Security, Stage::Storage, 90);
        s.set_planned_minutes(Category::Security, Stage::Storage, Some(15));
        s
    }

    /// A session using everything schema 3 can hold.
    fn sample() -> Session {
        let mut s = sample_v2();
        let r = s.record_mut("sec-1");
        r.action.what = "Approve the fine-tune sets, one ticket each".into();
        r.action.status = ActionStatus::WontDo("replaced by \"the new process\"".into());
        r.action.status_date = Some(jiff::civil::date(2026, 2, 1));
        r.resolved = true;
        let r = s.record_mut("sec-2");
        r.action.status = ActionStatus::InProgress;
        r.action.owner = "Ana".into();
        s.last_question = Some("sec-2".into());
        s
    }

    /// A re-assessment: started from another session, with answers carried over.
    fn reassessment() -> Session {
        let mut s = sample();
        s.started_from = Some(StartedFrom {
            id: "2025-10-01-acme-0a0b0c".into(),
            name: "Acme \"bot\" Q3".into(),
            updated: Timestamp::from_second(1_759_276_800).unwrap(),
        });
        s.question_digests = BTreeMap::from([
            ("sec-1".to_string(), "3f9a1c2b".to_string()),
            ("sec-2".to_string(), "00ff00ff".to_string()),
        ]);
        let r = s.record_mut("sec-3");
        r.answer = Some(Answer::Implemented);
        r.carried = Some(Carried::Unconfirmed);
        let r = s.record_mut("sec-4");
        r.answer = Some(Answer::AdHoc);
        r.notes = "from last time".into();
        r.carried = Some(Carried::QuestionChanged);
        s
    }

    #[test]
    fn a_reassessment_round_trips_with_its_origin_marks_and_digests() {
        let s = reassessment();
        let text = encode(&s).unwrap();
        assert!(
            text.contains(
                r#"
    started_from: StartedFrom(
      id: "2025-10-01-acme-0a0b0c",
      name: "Acme \"bot\" Q3",
      updated: "2025-10-01T00:00:00Z",
    ),
"#
            ),
            "{text}"
        );
        assert!(text.contains("    \"sec-1\": \"3f9a1c2b\",\n"), "{text}");
        assert!(
            text.contains(r#""sec-3": QuestionRecord(answer: Implemented, carried: Unconfirmed),"#),
            "{text}"
        );
        assert!(
            text.contains(r#""sec-4": QuestionRecord(answer: AdHoc, notes: "from last time", carried: QuestionChanged),"#),
            "{text}"
        );
        assert_eq!(decode(&text), Ok(s));
        // A session that is not a re-assessment writes none of it.
        let plain = encode(&sample()).unwrap();
        assert!(!plain.contains("started_from") && !plain.contains("carried"));
    }

    #[test]
    fn an_observation_period_round_trips_and_is_left_out_when_unset() {
        let mut s = sample();
        assert!(!encode(&s).unwrap().contains("observation_period"));
        s.observation_period = Some(ObservationPeriod {
            start: jiff::civil::date(2026, 3, 1),
            end: jiff::civil::date(2026, 8, 31),
        });
        let text = encode(&s).unwrap();
        assert!(
            text.contains("observation_period: Some(ObservationPeriod(")
                && text.contains("start: \"2026-03-01\"")
                && text.contains("end: \"2026-08-31\""),
            "{text}"
        );
        assert_eq!(decode(&text), Ok(s));
    }

    #[test]
    fn round_trips() {
        let s = sample();
        let text = encode(&s).unwrap();
        assert!(
            text.starts_with(&format!(
                "SessionFile(\n  schema_version: {SCHEMA_VERSION},"
            )),
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
        let text = encode(&sample()).unwrap().replace(
            &format!("schema_version: {SCHEMA_VERSION}"),
            "schema_version: 7",
        );
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

    /// A file as schema 1 wrote it, before records had their own layout.
    const SCHEMA_1: &str = r#"SessionFile(
  schema_version: 1,
  session: Session(
    id: "2026-01-01-acme-000001",
    name: "Acme \"bot\" ../x Сессия",
    organisation: "Acme",
    system: "Support bot",
    target: Type1,
    mode: Workshop,
    facilitator: "Fay",
    participants: [
      Participant(name: "Ana", role: "ML"),
    ],
    scoping: {
      "generative": false,
    },
    categories: [
      Privacy,
    ],
    questionnaires: [
      QuestionnaireVersion(id: "security", version: "1.0.0"),
    ],
    content_hash: "abc",
    created: "2026-01-01T00:00:00Z",
    updated: "2026-01-01T00:00:00Z",
    records: {
      "sec-1": QuestionRecord(answer: Some(Designed), notes: "line one\nline two", evidence: ["TICKET-1"], action_owner: "Ben", due: Some("2027-01-15"), discuss_later: true, votes: {"Ana": Operating}),
    },
    time_spent: {
      Security: {Storage: 90},
    },
    agenda_minutes: {
      Security: {Storage: 15},
    },
  ),
)
"#;

    #[test]
    fn schema_1_still_loads() {
        assert_eq!(decode(SCHEMA_1), Ok(sample_v2()));
        // A file labelled schema 1 must be in the schema 1 layout.
        let mislabelled = encode(&sample()).unwrap().replace(
            &format!("schema_version: {SCHEMA_VERSION}"),
            "schema_version: 1",
        );
        assert!(matches!(decode(&mislabelled), Err(DecodeError::Invalid(_))));
    }

    /// A file as schema 2 wrote it, before the follow-up action had a structure of its own.
    const SCHEMA_2: &str = r#"SessionFile(
  schema_version: 2,
  session: Session(
    id: "2026-01-01-acme-000001",
    name: "Acme \"bot\" ../x Сессия",
    organisation: "Acme",
    system: "Support bot",
    target: Type1,
    mode: Workshop,
    facilitator: "Fay",
    participants: [
      Participant(name: "Ana", role: "ML"),
    ],
    scoping: {
      "generative": false,
    },
    categories: [
      Privacy,
    ],
    questionnaires: [
      QuestionnaireVersion(id: "security", version: "1.0.0"),
    ],
    content_hash: "abc",
    created: "2026-01-01T00:00:00Z",
    updated: "2026-01-01T00:00:00Z",
    records: {
      "sec-1": QuestionRecord(answer: Designed, notes: "line one\nline two", evidence: ["TICKET-1"], action_owner: "Ben", due: "2027-01-15", discuss_later: true, votes: ["Ana: 4"]),
    },
    time_spent: {
      Security: {Storage: 90},
    },
    agenda_minutes: {
      Security: {Storage: 15},
    },
  ),
)
"#;

    #[test]
    fn schema_2_still_loads_and_is_saved_in_the_current_schema() {
        let session = decode(SCHEMA_2).unwrap();
        assert_eq!(session, sample_v2());
        let record = session.record("sec-1").unwrap();
        assert_eq!(record.action.owner, "Ben");
        assert_eq!(record.action.status, ActionStatus::Open);
        let text = encode(&session).unwrap();
        assert!(
            text.contains(&format!("schema_version: {SCHEMA_VERSION}")),
            "{text}"
        );
        assert!(
            text.contains(
                r#"action: FollowUp(owner: "Ben", due: "2027-01-15", evidence: ["TICKET-1"])"#
            ),
            "{text}"
        );
        assert_eq!(decode(&text), Ok(session));
    }

    #[test]
    fn unknown_fields_in_an_action_are_refused() {
        let text = encode(&sample())
            .unwrap()
            .replace("action: FollowUp(", "action: FollowUp(colour: \"red\", ");
        assert!(matches!(decode(&text), Err(DecodeError::Invalid(m)) if m.contains("colour")));
    }

    #[test]
    fn records_are_written_with_few_values() {
        let text = encode(&sample()).unwrap();
        let record = text
            .lines()
            .find(|l| l.trim_start().starts_with("\"sec-1\""))
            .unwrap();
        assert_eq!(
            record.trim(),
            r#""sec-1": QuestionRecord(answer: Designed, notes: "line one\nline two", action: FollowUp(what: "Approve the fine-tune sets, one ticket each", owner: "Ben", due: "2027-01-15", evidence: ["TICKET-1"], status: WontDo("replaced by \"the new process\""), status_date: "2026-02-01"), discuss_later: true, resolved: true, votes: ["Ana: 4"]),"#
        );
    }

    #[test]
    fn every_answer_and_any_name_survive_a_vote() {
        let t = Timestamp::from_second(1_767_225_600).unwrap();
        let mut s = sample();
        let names = [
            "",
            "Ana: 4",
            "B\"o\\b",
            "Chi, Dee",
            "Łukasz: N/A",
            "x:",
            " : ",
        ];
        for (name, answer) in names.iter().zip(Answer::ALL.iter().cycle()) {
            s.record_vote("sec-2", name, Some(*answer), t);
        }
        for answer in Answer::ALL {
            s.record_vote("sec-3", &format!("{answer:?}"), Some(answer), t);
        }
        assert_eq!(decode(&encode(&s).unwrap()), Ok(s));
    }

    #[test]
    fn schema_3_still_loads() {
        // A schema 3 file has the current layout without the pre-work fields.
        let text = encode(&sample()).unwrap().replace(
            &format!("schema_version: {SCHEMA_VERSION}"),
            "schema_version: 3",
        );
        assert_eq!(decode(&text), Ok(sample()));
    }

    #[test]
    fn prework_answers_notes_receipts_and_the_triage_plan_round_trip() {
        let t = Timestamp::from_second(1_767_225_600).unwrap();
        let mut s = sample();
        let r = s.record_mut("sec-1");
        r.prework_votes.insert("Ana".into(), Answer::Unknown);
        r.prework_votes
            .insert("Ben: 2".into(), Answer::NotApplicable);
        r.prework_notes
            .insert("Ana".into(), "no idea\nwho owns this".into());
        r.from_prework = true;
        s.prework.insert(
            "Ana".into(),
            PreworkReceipt {
                updated: t,
                digest: "00ff".into(),
                assigned: 40,
                answered: 38,
            },
        );
        s.triage = TriagePlan {
            minutes: Some(120),
            spent: 610,
            decided: 4,
        };
        let text = encode(&s).unwrap();
        let record = text
            .lines()
            .find(|l| l.trim_start().starts_with("\"sec-1\""))
            .unwrap();
        assert!(
            record.ends_with(
                r#"prework: ["Ana: Unknown", "Ben: 2: N/A"], prework_notes: {"Ana": "no idea\nwho owns this"}, from_prework: true),"#
            ),
            "{record}"
        );
        assert!(text.contains("triage: TriagePlan("), "{text}");
        assert_eq!(decode(&text), Ok(s));
    }

    #[test]
    fn malformed_votes_are_refused() {
        let text = encode(&sample()).unwrap();
        for bad in [
            r#"votes: ["Ana 4"]"#,
            r#"votes: ["Ana: 5"]"#,
            r#"votes: ["Ana: Operating"]"#,
            r#"votes: ["Ana: 4", "Ana: 1"]"#,
            r#"votes: {"Ana": Operating}"#,
        ] {
            let changed = text.replace(r#"votes: ["Ana: 4"]"#, bad);
            assert_ne!(changed, text);
            assert!(
                matches!(decode(&changed), Err(DecodeError::Invalid(_))),
                "{bad}"
            );
        }
    }

    mod properties {
        use super::*;
        use crate::domain::session::tests::bank;
        use crate::domain::session::{ActionStatus, FollowUp, ObservationPeriod};
        use proptest::prelude::*;

        /// Pieces of text that the RON writer must escape or that look like RON or like a
        /// vote, to be strung together into hostile strings.
        const FRAGMENTS: &[&str] = &[
            "\"",
            "\\",
            "\\\"",
            ": ",
            ":",
            "\n",
            "\r\n",
            "\r",
            "\t",
            "\0",
            "\u{1b}[31m",
            "\u{7f}",
            "/*",
            "*/",
            "//",
            "r#\"",
            "\"#",
            "#",
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            ",",
            "Some(",
            "None",
            "N/A",
            "Unknown",
            "4",
            ": 4",
            ": N/A",
            "é",
            "Сессия",
            "\u{202e}",
            "\u{feff}",
            "\u{2028}",
            "\u{85}",
            "\u{10ffff}",
            "🙂",
            " ",
            "a",
            "",
        ];

        /// Any string: arbitrary Unicode, or hostile pieces strung together.
        fn text() -> impl Strategy<Value = String> {
            prop_oneof![
                any::<String>(),
                prop::collection::vec(prop::sample::select(FRAGMENTS), 0..8)
                    .prop_map(|pieces| pieces.concat()),
            ]
        }

        fn timestamp() -> impl Strategy<Value = Timestamp> {
            (
                Timestamp::MIN.as_second() + 1..Timestamp::MAX.as_second(),
                0..1_000_000_000i32,
            )
                .prop_map(|(s, ns)| Timestamp::new(s, ns).unwrap_or(Timestamp::UNIX_EPOCH))
        }

        fn date() -> impl Strategy<Value = Date> {
            (-9999i16..=9999, 1i8..=12, 1i8..=31).prop_map(|(y, m, d)| {
                // Clamped to the month's length, so every generated date exists.
                let first = Date::new(y, m, 1).unwrap_or_default();
                Date::new(y, m, d.min(first.days_in_month())).unwrap_or(first)
            })
        }

        fn answer() -> impl Strategy<Value = Answer> {
            prop::sample::select(Answer::ALL.to_vec())
        }

        fn category() -> impl Strategy<Value = Category> {
            prop::sample::select(Category::ALL.to_vec())
        }

        fn stage() -> impl Strategy<Value = Stage> {
            prop::sample::select(Stage::ALL.to_vec())
        }

        /// A value for some sections, as the time spent and the agenda hold them.
        fn per_section<S: Strategy>(
            value: S,
        ) -> impl Strategy<Value = BTreeMap<Category, BTreeMap<Stage, S::Value>>> {
            prop::collection::btree_map(
                category(),
                prop::collection::btree_map(stage(), value, 0..3),
                0..3,
            )
        }

        fn status() -> impl Strategy<Value = ActionStatus> {
            prop_oneof![
                Just(ActionStatus::Open),
                Just(ActionStatus::InProgress),
                Just(ActionStatus::Done),
                text().prop_map(ActionStatus::WontDo),
            ]
        }

        fn follow_up() -> impl Strategy<Value = FollowUp> {
            (
                text(),
                text(),
                prop::option::of(date()),
                prop::collection::vec(text(), 0..3),
                status(),
                prop::option::of(date()),
            )
                .prop_map(|(what, owner, due, evidence, status, status_date)| {
                    FollowUp {
                        what,
                        owner,
                        due,
                        evidence,
                        status,
                        status_date,
                    }
                })
        }

        fn record() -> impl Strategy<Value = QuestionRecord> {
            (
                prop::option::of(answer()),
                text(),
                follow_up(),
                any::<bool>(),
                any::<bool>(),
                prop::collection::btree_map(text(), answer(), 0..4),
                (
                    prop::collection::btree_map(text(), answer(), 0..3),
                    prop::collection::btree_map(text(), text(), 0..3),
                    any::<bool>(),
                ),
                prop::option::of(prop::sample::select(vec![
                    Carried::Unconfirmed,
                    Carried::QuestionChanged,
                ])),
            )
                .prop_map(
                    |(answer, notes, action, discuss_later, resolved, votes, prework, carried)| {
                        let (prework_votes, prework_notes, from_prework) = prework;
                        QuestionRecord {
                            answer,
                            notes,
                            action,
                            discuss_later,
                            resolved,
                            votes,
                            prework_votes,
                            prework_notes,
                            from_prework,
                            carried,
                        }
                    },
                )
        }

        fn receipt() -> impl Strategy<Value = PreworkReceipt> {
            (timestamp(), text(), any::<u32>(), any::<u32>()).prop_map(
                |(updated, digest, assigned, answered)| PreworkReceipt {
                    updated,
                    digest,
                    assigned,
                    answered,
                },
            )
        }

        fn triage() -> impl Strategy<Value = TriagePlan> {
            (prop::option::of(any::<u32>()), any::<u64>(), any::<u32>()).prop_map(
                |(minutes, spent, decided)| TriagePlan {
                    minutes,
                    spent,
                    decided,
                },
            )
        }

        fn session() -> impl Strategy<Value = Session> {
            let people = (
                text(),
                text(),
                text(),
                text(),
                text(),
                prop::collection::vec((text(), text()), 0..4),
            );
            let scope = (
                (
                    prop::sample::select(vec![Target::Type1, Target::Type2]),
                    prop::option::of(
                        (date(), date()).prop_map(|(start, end)| ObservationPeriod { start, end }),
                    ),
                ),
                prop::sample::select(vec![Mode::Workshop, Mode::Solo]),
                prop::collection::btree_map(text(), any::<bool>(), 0..4),
                prop::collection::btree_set(category(), 0..6),
                prop::collection::vec((text(), text()), 0..3),
                text(),
            );
            let work = (
                timestamp(),
                timestamp(),
                prop::collection::btree_map(text(), record(), 0..6),
                per_section(any::<u64>()),
                per_section(any::<u32>()),
                prop::option::of(
                    (text(), text(), timestamp()).prop_map(|(id, name, updated)| StartedFrom {
                        id,
                        name,
                        updated,
                    }),
                ),
                prop::collection::btree_map(text(), "[0-9a-f]{8}", 0..4),
            );
            let loop_state = (
                prop::option::of(text()),
                prop::collection::btree_map(text(), receipt(), 0..3),
                triage(),
            );
            (people, scope, work, loop_state).prop_map(|(people, scope, work, loop_state)| {
                let (id, name, organisation, system, facilitator, participants) = people;
                let ((target, period), mode, scoping, categories, questionnaires, content_hash) =
                    scope;
                let (
                    created,
                    updated,
                    records,
                    time_spent,
                    agenda_minutes,
                    started_from,
                    question_digests,
                ) = work;
                // Built from a new session, so that a field added later starts from its
                // default here instead of breaking this test.
                let mut s = Session::new(id, name, &bank(Vec::new()), created);
                s.organisation = organisation;
                s.system = system;
                s.target = target;
                s.observation_period = period;
                s.mode = mode;
                s.facilitator = facilitator;
                s.participants = participants
                    .into_iter()
                    .map(|(name, role)| Participant { name, role })
                    .collect();
                s.scoping = scoping;
                s.categories = categories;
                s.questionnaires = questionnaires
                    .into_iter()
                    .map(|(id, version)| QuestionnaireVersion { id, version })
                    .collect();
                s.content_hash = content_hash;
                s.updated = updated;
                s.records = records;
                s.time_spent = time_spent;
                s.agenda_minutes = agenda_minutes;
                s.started_from = started_from;
                s.question_digests = question_digests;
                (s.last_question, s.prework, s.triage) = loop_state;
                s
            })
        }

        proptest! {
            #[test]
            fn encode_then_decode_gives_the_same_session(s in session()) {
                let text = encode(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(decode(&text), Ok(s));
            }
        }
    }
}
