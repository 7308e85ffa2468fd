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
use serde::{Deserialize, Deserializer};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};

/// The format version this build writes; it reads this one and every older one.
pub const SCHEMA_VERSION: u32 = 4;

/// The encoder as earlier versions wrote files, through `ron`'s serializer: what [`encode`] must
/// write, byte for byte.
#[cfg(test)]
mod through_ron;

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
///
/// Written by hand rather than through `ron`'s serializer, which escapes every string one
/// character at a time and costs more per value than the work itself: the text is exactly the
/// pretty RON the serializer writes (struct names, two-space indent, values deeper than three
/// levels on one line), so files stay byte-identical across versions of the program. The tests
/// hold it to that against the serializer.
///
/// Writing into a string cannot fail; the error is `fmt::Write`'s, kept in the signature so
/// that callers handle an encoder that could.
pub fn encode(session: &Session) -> Result<String, ron::Error> {
    // Room for a typical record per question, so the text is rarely copied while it grows.
    let mut text = String::with_capacity(4096 + session.records.len() * 192);
    write_file(&mut text, session)?;
    Ok(text)
}

/// The indentation of a session's fields, and of the entries of its lists and maps.
const FIELD_INDENT: &str = "    ";
const ENTRY_INDENT: &str = "      ";

fn write_file(out: &mut String, session: &Session) -> fmt::Result {
    // Destructured so that a new session field cannot be left out of the file.
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
    write!(
        out,
        "SessionFile(\n  schema_version: {SCHEMA_VERSION},\n  session: Session(\n"
    )?;
    field(out, "id", |out| push_quoted(out, id))?;
    field(out, "name", |out| push_quoted(out, name))?;
    field(out, "organisation", |out| push_quoted(out, organisation))?;
    field(out, "system", |out| push_quoted(out, system))?;
    field(out, "target", |out| push_plain(out, target_name(*target)))?;
    field(out, "mode", |out| push_plain(out, mode_name(*mode)))?;
    if let Some(ObservationPeriod { start, end }) = observation_period {
        field(out, "observation_period", |out| {
            out.push_str("Some(ObservationPeriod(\n");
            block_field(out, "start", |out| push_display(out, start))?;
            block_field(out, "end", |out| push_display(out, end))?;
            out.push_str(FIELD_INDENT);
            out.push_str("))");
            Ok(())
        })?;
    }
    field(out, "facilitator", |out| push_quoted(out, facilitator))?;
    field(out, "participants", |out| {
        block_list(out, ('[', ']'), participants, |out, person| {
            let Participant { name, role } = person;
            out.push_str("Participant(name: ");
            push_quoted(out, name)?;
            out.push_str(", role: ");
            push_quoted(out, role)?;
            push_plain(out, ")")
        })
    })?;
    field(out, "scoping", |out| {
        block_list(out, ('{', '}'), scoping, |out, (key, on)| {
            push_quoted(out, key)?;
            push_plain(out, if *on { ": true" } else { ": false" })
        })
    })?;
    field(out, "categories", |out| {
        block_list(out, ('[', ']'), categories, |out, category| {
            push_plain(out, category_name(*category))
        })
    })?;
    field(out, "questionnaires", |out| {
        block_list(out, ('[', ']'), questionnaires, |out, questionnaire| {
            let QuestionnaireVersion { id, version } = questionnaire;
            out.push_str("QuestionnaireVersion(id: ");
            push_quoted(out, id)?;
            out.push_str(", version: ");
            push_quoted(out, version)?;
            push_plain(out, ")")
        })
    })?;
    field(out, "content_hash", |out| push_quoted(out, content_hash))?;
    field(out, "created", |out| push_display(out, created))?;
    field(out, "updated", |out| push_display(out, updated))?;
    field(out, "records", |out| {
        block_list(out, ('{', '}'), records, |out, (id, record)| {
            push_quoted(out, id)?;
            out.push_str(": ");
            write_record(out, record)
        })
    })?;
    field(out, "time_spent", |out| write_per_section(out, time_spent))?;
    field(out, "agenda_minutes", |out| {
        write_per_section(out, agenda_minutes)
    })?;
    if let Some(question) = last_question {
        field(out, "last_question", |out| push_quoted(out, question))?;
    }
    if let Some(StartedFrom { id, name, updated }) = started_from {
        field(out, "started_from", |out| {
            out.push_str("StartedFrom(\n");
            block_field(out, "id", |out| push_quoted(out, id))?;
            block_field(out, "name", |out| push_quoted(out, name))?;
            block_field(out, "updated", |out| push_display(out, updated))?;
            out.push_str(FIELD_INDENT);
            push_plain(out, ")")
        })?;
    }
    if !question_digests.is_empty() {
        field(out, "question_digests", |out| {
            block_list(out, ('{', '}'), question_digests, |out, (id, digest)| {
                push_quoted(out, id)?;
                out.push_str(": ");
                push_quoted(out, digest)
            })
        })?;
    }
    if !prework.is_empty() {
        field(out, "prework", |out| {
            block_list(out, ('{', '}'), prework, |out, (person, receipt)| {
                let PreworkReceipt {
                    updated,
                    digest,
                    assigned,
                    answered,
                } = receipt;
                push_quoted(out, person)?;
                out.push_str(": PreworkReceipt(updated: ");
                push_display(out, updated)?;
                out.push_str(", digest: ");
                push_quoted(out, digest)?;
                write!(out, ", assigned: {assigned}, answered: {answered})")
            })
        })?;
    }
    if !triage.is_empty() {
        let TriagePlan {
            minutes,
            spent,
            decided,
        } = triage;
        field(out, "triage", |out| {
            out.push_str("TriagePlan(\n");
            block_field(out, "minutes", |out| match minutes {
                Some(minutes) => write!(out, "Some({minutes})"),
                None => push_plain(out, "None"),
            })?;
            block_field(out, "spent", |out| write!(out, "{spent}"))?;
            block_field(out, "decided", |out| write!(out, "{decided}"))?;
            out.push_str(FIELD_INDENT);
            push_plain(out, ")")
        })?;
    }
    out.push_str("  ),\n)\n");
    Ok(())
}

/// One of the session's fields, on a line of its own.
fn field(
    out: &mut String,
    name: &str,
    value: impl FnOnce(&mut String) -> fmt::Result,
) -> fmt::Result {
    out.push_str(FIELD_INDENT);
    out.push_str(name);
    out.push_str(": ");
    value(out)?;
    push_plain(out, ",\n")
}

/// A field of a structure written over several lines (the observation period, where the
/// session started from, the triage plan).
fn block_field(
    out: &mut String,
    name: &str,
    value: impl FnOnce(&mut String) -> fmt::Result,
) -> fmt::Result {
    out.push_str(ENTRY_INDENT);
    out.push_str(name);
    out.push_str(": ");
    value(out)?;
    push_plain(out, ",\n")
}

/// A list or map that is a session field: one entry a line, or the brackets alone when empty.
fn block_list<I: IntoIterator>(
    out: &mut String,
    (open, close): (char, char),
    entries: I,
    mut entry: impl FnMut(&mut String, I::Item) -> fmt::Result,
) -> fmt::Result {
    out.push(open);
    let mut any = false;
    for item in entries {
        if !any {
            out.push('\n');
            any = true;
        }
        out.push_str(ENTRY_INDENT);
        entry(out, item)?;
        out.push_str(",\n");
    }
    if any {
        out.push_str(FIELD_INDENT);
    }
    out.push(close);
    Ok(())
}

/// The values of a structure written on one line: `name: value` joined by `, `.
struct InlineFields<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> InlineFields<'a> {
    /// Opens `Name(`.
    fn open(out: &'a mut String, name: &str) -> InlineFields<'a> {
        out.push_str(name);
        out.push('(');
        InlineFields { out, first: true }
    }

    /// Starts the next field and gives the text to write its value into.
    fn field(&mut self, name: &str) -> &mut String {
        if !self.first {
            self.out.push_str(", ");
        }
        self.first = false;
        self.out.push_str(name);
        self.out.push_str(": ");
        self.out
    }

    fn close(self) {
        self.out.push(')');
    }
}

/// A question's record on one line, with only what was recorded.
fn write_record(out: &mut String, record: &QuestionRecord) -> fmt::Result {
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
    } = record;
    let mut fields = InlineFields::open(out, "QuestionRecord");
    if let Some(answer) = answer {
        push_plain(fields.field("answer"), answer_name(*answer))?;
    }
    if !notes.is_empty() {
        push_quoted(fields.field("notes"), notes)?;
    }
    if !action.is_empty() {
        write_action(fields.field("action"), action)?;
    }
    if *discuss_later {
        push_plain(fields.field("discuss_later"), "true")?;
    }
    if *resolved {
        push_plain(fields.field("resolved"), "true")?;
    }
    if !votes.is_empty() {
        write_votes(fields.field("votes"), votes)?;
    }
    if let Some(carried) = carried {
        push_plain(fields.field("carried"), carried_name(*carried))?;
    }
    if !prework_votes.is_empty() {
        write_votes(fields.field("prework"), prework_votes)?;
    }
    if !prework_notes.is_empty() {
        let out = fields.field("prework_notes");
        out.push('{');
        for (n, (person, note)) in prework_notes.iter().enumerate() {
            if n > 0 {
                out.push_str(", ");
            }
            push_quoted(out, person)?;
            out.push_str(": ");
            push_quoted(out, note)?;
        }
        out.push('}');
    }
    if *from_prework {
        push_plain(fields.field("from_prework"), "true")?;
    }
    fields.close();
    Ok(())
}

/// A follow-up action with only the parts that were decided.
fn write_action(out: &mut String, action: &FollowUp) -> fmt::Result {
    let FollowUp {
        what,
        owner,
        due,
        evidence,
        status,
        status_date,
    } = action;
    let mut fields = InlineFields::open(out, "FollowUp");
    if !what.is_empty() {
        push_quoted(fields.field("what"), what)?;
    }
    if !owner.is_empty() {
        push_quoted(fields.field("owner"), owner)?;
    }
    if let Some(due) = due {
        push_display(fields.field("due"), due)?;
    }
    if !evidence.is_empty() {
        let out = fields.field("evidence");
        out.push('[');
        for (n, item) in evidence.iter().enumerate() {
            if n > 0 {
                out.push_str(", ");
            }
            push_quoted(out, item)?;
        }
        out.push(']');
    }
    match status {
        ActionStatus::Open => {}
        ActionStatus::InProgress => push_plain(fields.field("status"), "InProgress")?,
        ActionStatus::Done => push_plain(fields.field("status"), "Done")?,
        ActionStatus::WontDo(reason) => {
            let out = fields.field("status");
            out.push_str("WontDo(");
            push_quoted(out, reason)?;
            out.push(')');
        }
    }
    if let Some(day) = status_date {
        push_display(fields.field("status_date"), day)?;
    }
    fields.close();
    Ok(())
}

/// Votes as a list of `"name: level"` strings, in name order.
fn write_votes(out: &mut String, votes: &BTreeMap<String, Answer>) -> fmt::Result {
    out.push('[');
    for (n, (name, answer)) in votes.iter().enumerate() {
        if n > 0 {
            out.push_str(", ");
        }
        // The separator and the codes need no escaping, so the name's escaped text followed
        // by them is the escaped text of the whole vote.
        push_quoted(out, name)?;
        out.pop();
        out.push_str(VOTE_SEPARATOR);
        out.push_str(vote_code(*answer));
        out.push('"');
    }
    out.push(']');
    Ok(())
}

/// Time or minutes per section: `Security: {Storage: 90}`, one category a line.
fn write_per_section<T: fmt::Display>(
    out: &mut String,
    per_section: &BTreeMap<Category, BTreeMap<Stage, T>>,
) -> fmt::Result {
    block_list(out, ('{', '}'), per_section, |out, (category, stages)| {
        out.push_str(category_name(*category));
        out.push_str(": {");
        for (n, (stage, value)) in stages.iter().enumerate() {
            if n > 0 {
                out.push_str(", ");
            }
            write!(out, "{}: {value}", stage_name(*stage))?;
        }
        push_plain(out, "}")
    })
}

fn push_plain(out: &mut String, text: &str) -> fmt::Result {
    out.push_str(text);
    Ok(())
}

/// A date or a time in quotes, as serde writes them (their display form, which never needs
/// escaping).
fn push_display(out: &mut String, value: &impl fmt::Display) -> fmt::Result {
    write!(out, "\"{value}\"")
}

/// A string in quotes, escaped as `ron` escapes it: every character as `char::escape_debug`
/// writes it. Most strings need no escaping and are copied in one piece; in the others, the
/// runs between the characters that do are.
fn push_quoted(out: &mut String, text: &str) -> fmt::Result {
    out.push('"');
    let bytes = text.as_bytes();
    let mut plain_from = 0;
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        if written_as_is(byte) {
            at += 1;
            continue;
        }
        let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        let escaped = c.escape_debug();
        // Most characters beyond ASCII are written as they are, and stay in the run.
        if escaped.len() != 1 {
            out.push_str(text.get(plain_from..at).unwrap_or_default());
            out.extend(escaped);
            plain_from = at + c.len_utf8();
        }
        at += c.len_utf8();
    }
    out.push_str(text.get(plain_from..).unwrap_or_default());
    out.push('"');
    Ok(())
}

/// Whether `char::escape_debug` leaves this byte as it is: printable ASCII but the quotes and
/// the backslash.
fn written_as_is(byte: u8) -> bool {
    matches!(byte, b' '..=b'~') && !matches!(byte, b'"' | b'\'' | b'\\')
}

// The names serde gives the variants. Each match lists every variant, so a new one cannot be
// written under a wrong name.

fn target_name(target: Target) -> &'static str {
    match target {
        Target::Type1 => "Type1",
        Target::Type2 => "Type2",
    }
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Workshop => "Workshop",
        Mode::Solo => "Solo",
    }
}

fn category_name(category: Category) -> &'static str {
    match category {
        Category::Security => "Security",
        Category::Availability => "Availability",
        Category::ProcessingIntegrity => "ProcessingIntegrity",
        Category::Confidentiality => "Confidentiality",
        Category::Privacy => "Privacy",
        Category::AiRisk => "AiRisk",
    }
}

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Governance => "Governance",
        Stage::Collection => "Collection",
        Stage::Storage => "Storage",
        Stage::Training => "Training",
        Stage::Sharing => "Sharing",
        Stage::Monitoring => "Monitoring",
        Stage::Disposal => "Disposal",
    }
}

fn answer_name(answer: Answer) -> &'static str {
    match answer {
        Answer::NotInPlace => "NotInPlace",
        Answer::AdHoc => "AdHoc",
        Answer::Designed => "Designed",
        Answer::Implemented => "Implemented",
        Answer::Operating => "Operating",
        Answer::NotApplicable => "NotApplicable",
        Answer::Unknown => "Unknown",
    }
}

fn carried_name(carried: Carried) -> &'static str {
    match carried {
        Carried::Unconfirmed => "Unconfirmed",
        Carried::QuestionChanged => "QuestionChanged",
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
    fn sessions_are_written_as_the_ron_writer_writes_them() {
        let t = Timestamp::from_second(1_767_225_600).unwrap();
        let empty = Session::new(
            String::new(),
            String::new(),
            &crate::domain::session::tests::bank(Vec::new()),
            Timestamp::UNIX_EPOCH,
        );
        let mut everything = reassessment();
        everything.observation_period = Some(ObservationPeriod {
            start: jiff::civil::date(2026, 3, 1),
            end: jiff::civil::date(2026, 8, 31),
        });
        let r = everything.record_mut("sec-1");
        r.notes = "it's the \"owner's\" call\\ Сессия e\u{301} \u{7}".into();
        r.prework_votes.insert("Ana".into(), Answer::Unknown);
        r.prework_notes.insert("Ana".into(), "no idea".into());
        r.prework_notes.insert("Ben".into(), String::new());
        r.from_prework = true;
        r.action.evidence.push("T-2".into());
        everything.record_mut("sec-5");
        everything.prework.insert(
            "Ana".into(),
            PreworkReceipt {
                updated: t,
                digest: "00ff".into(),
                assigned: 40,
                answered: 38,
            },
        );
        everything.triage = TriagePlan {
            minutes: None,
            spent: 610,
            decided: 4,
        };
        everything.time_spent.entry(Category::Privacy).or_default();
        for s in [empty, sample_v2(), sample(), reassessment(), everything] {
            assert_eq!(encode(&s).unwrap(), through_ron::encode(&s).unwrap());
        }
    }

    #[test]
    fn every_character_is_escaped_as_the_ron_writer_escapes_it() {
        let all: Vec<char> = (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .collect();
        for chunk in all.chunks(64) {
            let text: String = chunk.iter().collect();
            let mut quoted = String::new();
            push_quoted(&mut quoted, &text).unwrap();
            assert_eq!(quoted, ron::to_string(&text).unwrap(), "{chunk:?}");
        }
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
                let (last_question, prework, triage) = loop_state;
                // Every field named, so that a field added later must be generated here too
                // and the encoder is compared with the RON writer on it.
                Session {
                    id,
                    name,
                    organisation,
                    system,
                    target,
                    mode,
                    observation_period: period,
                    facilitator,
                    participants: participants
                        .into_iter()
                        .map(|(name, role)| Participant { name, role })
                        .collect(),
                    scoping,
                    categories,
                    questionnaires: questionnaires
                        .into_iter()
                        .map(|(id, version)| QuestionnaireVersion { id, version })
                        .collect(),
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
                }
            })
        }

        proptest! {
            #[test]
            fn encode_then_decode_gives_the_same_session(s in session()) {
                let text = encode(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(decode(&text), Ok(s));
            }

            #[test]
            fn the_text_is_what_the_ron_writer_writes(s in session()) {
                let text = encode(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let expected =
                    through_ron::encode(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(text, expected);
            }
        }
    }
}
