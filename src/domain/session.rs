//! A readiness session: who took part, what is in scope, and every answer with its notes,
//! evidence, follow-up action and votes. Pure data and rules; the store saves it.

use super::framework::{Category, Stage};
use super::questionnaire::{Question, QuestionBank, QuestionnaireVersion};
use super::scale::Answer;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The longest session name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// The SOC 2 report the team is preparing for.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum Target {
    /// Controls designed and in place at a point in time.
    Type1,
    /// Controls operating effectively over a period.
    #[default]
    Type2,
}

impl Target {
    /// The readiness level every applicable question should reach for this target.
    pub fn level(self) -> u8 {
        match self {
            Target::Type1 => 3,
            Target::Type2 => 4,
        }
    }

    /// The name a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Target::Type1 => "Type 1",
            Target::Type2 => "Type 2",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// How the session is run.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum Mode {
    /// A facilitated workshop with participants who vote.
    #[default]
    Workshop,
    /// One person answering alone.
    Solo,
}

impl Mode {
    /// The name a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Mode::Workshop => "workshop",
            Mode::Solo => "solo",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// The period over which a Type 2 examination is meant to observe the controls operating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservationPeriod {
    /// First day.
    pub start: Date,
    /// Last day.
    pub end: Date,
}

/// Why an observation period cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Only one of the two dates was given.
    #[error("an observation period needs both a start and an end date")]
    Incomplete,
    /// The end is not after the start.
    #[error("the observation period ends ({end}) before or on the day it starts ({start})")]
    EndsBeforeStart {
        /// First day given.
        start: Date,
        /// Last day given.
        end: Date,
    },
}

impl ObservationPeriod {
    /// A period from optional start and end dates: None without either, an error with one.
    pub fn from_dates(
        start: Option<Date>,
        end: Option<Date>,
    ) -> Result<Option<ObservationPeriod>, PeriodError> {
        match (start, end) {
            (None, None) => Ok(None),
            (Some(start), Some(end)) if end > start => Ok(Some(ObservationPeriod { start, end })),
            (Some(start), Some(end)) => Err(PeriodError::EndsBeforeStart { start, end }),
            _ => Err(PeriodError::Incomplete),
        }
    }

    /// Whole days from the first to the last, both counted.
    pub fn days(&self) -> i64 {
        self.start
            .until(self.end)
            .map_or(0, |span| i64::from(span.get_days()) + 1)
    }
}

/// A person taking part in a workshop.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    /// Their name, also the key of their votes.
    pub name: String,
    /// Their role, e.g. "ML engineer", "security", "legal".
    #[serde(default)]
    pub role: String,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// Where a follow-up action stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ActionStatus {
    /// Agreed, not started.
    #[default]
    Open,
    /// Someone is working on it.
    InProgress,
    /// Finished.
    Done,
    /// Decided against, with the reason.
    WontDo(String),
}

impl ActionStatus {
    /// The status as a person reads it.
    pub fn title(&self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in progress",
            ActionStatus::Done => "done",
            ActionStatus::WontDo(_) => "won't do",
        }
    }

    /// Whether work on it is still expected.
    pub fn is_pending(&self) -> bool {
        matches!(self, ActionStatus::Open | ActionStatus::InProgress)
    }

    fn is_open(&self) -> bool {
        *self == ActionStatus::Open
    }
}

/// The follow-up action of a question: what is to be done, by whom and by when, the evidence
/// that will show it, and where it stands (with the day its status last changed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FollowUp {
    /// What is to be done.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub what: String,
    /// Who owns it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub owner: String,
    /// When it is due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<Date>,
    /// References to evidence: ticket ids, document links, file names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// Where it stands.
    #[serde(skip_serializing_if = "ActionStatus::is_open")]
    pub status: ActionStatus,
    /// The day the status last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_date: Option<Date>,
}

impl FollowUp {
    /// Whether nothing has been decided about it.
    pub fn is_empty(&self) -> bool {
        *self == FollowUp::default()
    }

    /// Whether it is past its due date and still expected.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.status.is_pending() && self.due.is_some_and(|due| due < today)
    }

    /// The action with the owner, due date and evidence that records kept side by side before
    /// the action had a structure of its own, where it has none of its own.
    pub fn or_earlier(
        mut self,
        owner: String,
        due: Option<Date>,
        evidence: Vec<String>,
    ) -> FollowUp {
        if self.owner.is_empty() {
            self.owner = owner;
        }
        if self.due.is_none() {
            self.due = due;
        }
        if self.evidence.is_empty() {
            self.evidence = evidence;
        }
        self
    }

    /// Changes the status, noting the day when it really changes.
    pub fn set_status(&mut self, status: ActionStatus, today: Date) {
        if status != self.status {
            self.status = status;
            self.status_date = Some(today);
        }
    }
}

/// Why a carried-over answer waits for the room: it came from the session this one started
/// from, and nobody has confirmed or changed it yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Carried {
    /// Carried over as it was; the question is asked as before.
    Unconfirmed,
    /// Carried over, but the question's text, weight or critical flag changed since it was
    /// answered.
    QuestionChanged,
}

impl Carried {
    /// What the workshop and the reports say about it.
    pub fn title(self) -> &'static str {
        match self {
            Carried::Unconfirmed => "carried over: confirm",
            Carried::QuestionChanged => "carried over: confirm (question changed since last time)",
        }
    }
}

/// The session a re-assessment started from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartedFrom {
    /// Its id.
    pub id: String,
    /// Its name then.
    pub name: String,
    /// When it was last changed when this one started from it.
    pub updated: Timestamp,
}

/// Everything recorded about one question.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
// Unknown fields are refused rather than silently dropped on the next save; records written
// before the follow-up action had a structure of its own still read.
#[serde(default, deny_unknown_fields, from = "RecordWire")]
pub struct QuestionRecord {
    /// The agreed answer; None while the question is open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
    /// Free-text notes (for N/A, the justification).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// The follow-up action.
    #[serde(skip_serializing_if = "FollowUp::is_empty")]
    pub action: FollowUp,
    /// Flagged to come back to ("parking lot").
    #[serde(skip_serializing_if = "is_false")]
    pub discuss_later: bool,
    /// The flagged question was dealt with (it stays in the parking lot, marked).
    #[serde(skip_serializing_if = "is_false")]
    pub resolved: bool,
    /// Each participant's vote, keyed by participant name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub votes: BTreeMap<String, Answer>,
    /// Carried over from the session this one started from and not yet confirmed or changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carried: Option<Carried>,
    /// What each participant answered in their pre-work, as last merged; kept beside the votes
    /// so that a vote the room changed is told apart from one that came from pre-work.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub prework_votes: BTreeMap<String, Answer>,
    /// Each participant's pre-work note, shown attributed ("Maya, pre-work: ...").
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub prework_notes: BTreeMap<String, String>,
    /// The agreed answer was accepted from unanimous votes ("agreed from pre-work").
    #[serde(skip_serializing_if = "is_false")]
    pub from_prework: bool,
}

/// A record as serde reads it: the current fields, and the follow-up fields records had before
/// the action was a structure of its own (owner, due date and evidence side by side).
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename = "QuestionRecord")]
struct RecordWire {
    answer: Option<Answer>,
    notes: String,
    action: FollowUp,
    evidence: Vec<String>,
    action_owner: String,
    due: Option<Date>,
    discuss_later: bool,
    resolved: bool,
    votes: BTreeMap<String, Answer>,
    carried: Option<Carried>,
    prework_votes: BTreeMap<String, Answer>,
    prework_notes: BTreeMap<String, String>,
    from_prework: bool,
}

impl From<RecordWire> for QuestionRecord {
    fn from(wire: RecordWire) -> QuestionRecord {
        QuestionRecord {
            answer: wire.answer,
            notes: wire.notes,
            action: wire
                .action
                .or_earlier(wire.action_owner, wire.due, wire.evidence),
            discuss_later: wire.discuss_later,
            resolved: wire.resolved,
            votes: wire.votes,
            carried: wire.carried,
            prework_votes: wire.prework_votes,
            prework_notes: wire.prework_notes,
            from_prework: wire.from_prework,
        }
    }
}

impl QuestionRecord {
    /// Whether nothing at all has been recorded.
    pub fn is_empty(&self) -> bool {
        *self == QuestionRecord::default()
    }

    /// Why the answer waits for the room's confirmation: it is carried over from the previous
    /// session and nobody has confirmed or changed it. None for an answer of this session.
    pub fn unconfirmed(&self) -> Option<Carried> {
        self.carried.filter(|_| self.answer.is_some())
    }

    /// The difference between the highest and lowest rated vote (N/A and Unknown votes are not
    /// levels and do not count); None with fewer than one rated vote.
    pub fn vote_spread(&self) -> Option<u8> {
        let levels = self.votes.values().filter_map(|a| a.level());
        let (min, max) = levels.fold(None, |acc: Option<(u8, u8)>, l| match acc {
            None => Some((l, l)),
            Some((lo, hi)) => Some((lo.min(l), hi.max(l))),
        })?;
        Some(max - min)
    }

    /// The median of the rated votes, rounding down between two middle levels so the result is
    /// a level someone could defend; None without rated votes.
    pub fn vote_median(&self) -> Option<Answer> {
        // Counting per level avoids sorting (and allocating) on every re-score.
        let mut counts = [0usize; 5];
        for level in self.votes.values().filter_map(|a| a.level()) {
            counts[usize::from(level).min(4)] += 1;
        }
        let total: usize = counts.iter().sum();
        if total == 0 {
            return None;
        }
        let mid = (total - 1) / 2;
        let mut seen = 0;
        for (level, count) in Answer::LEVELS.iter().zip(counts) {
            seen += count;
            if seen > mid {
                return Some(*level);
            }
        }
        None
    }
}

/// What a session knows of one participant's merged pre-work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreworkReceipt {
    /// When the participant last changed the pre-work that was merged.
    pub updated: Timestamp,
    /// The digest of that pre-work's answers, to tell two versions with one time apart.
    pub digest: String,
    /// Questions assigned to the participant.
    pub assigned: u32,
    /// Questions they answered (N/A and Unknown included).
    pub answered: u32,
}

/// The meeting's plan for the triage agenda: how long it may take and how long it has taken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TriagePlan {
    /// Minutes planned for the whole agenda; None while no time is planned.
    pub minutes: Option<u32>,
    /// Seconds spent with the agenda order active.
    pub spent: u64,
    /// Questions the room agreed on with the agenda order active.
    pub decided: u32,
}

impl TriagePlan {
    /// Whether nothing is planned or recorded.
    pub fn is_empty(&self) -> bool {
        *self == TriagePlan::default()
    }
}

/// Why a session name cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Empty or only spaces.
    #[error("a session needs a name")]
    Empty,
    /// Longer than [`MAX_NAME_CHARS`].
    #[error("a session name can have at most {max} characters; this one has {len}")]
    TooLong {
        /// Characters in the name given.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Contains NUL, a line break or another control character.
    #[error(
        "a session name cannot contain control characters (such as NUL, tab or a line break); found U+{code:04X} at character {position}"
    )]
    ControlCharacter {
        /// The code point found.
        code: u32,
        /// Its position, counting from 1.
        position: usize,
    },
}

/// Moves the entries of old names to new names, all at once; true when something moved.
fn rename_keys<V>(map: &mut BTreeMap<String, V>, renames: &[&(String, String)]) -> bool {
    let moved: Vec<(String, V)> = renames
        .iter()
        .filter_map(|(old, new)| map.remove(old).map(|v| (new.clone(), v)))
        .collect();
    let changed = !moved.is_empty();
    map.extend(moved);
    changed
}

/// Checks a session name and returns it trimmed.
pub fn validate_name(name: &str) -> Result<String, NameError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(NameError::Empty);
    }
    if let Some((i, c)) = trimmed.chars().enumerate().find(|(_, c)| c.is_control()) {
        return Err(NameError::ControlCharacter {
            code: u32::from(c),
            position: i + 1,
        });
    }
    let len = trimmed.chars().count();
    if len > MAX_NAME_CHARS {
        return Err(NameError::TooLong {
            len,
            max: MAX_NAME_CHARS,
        });
    }
    Ok(trimmed.to_string())
}

/// One readiness assessment of one AI system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// Stable identifier, also the file name in the store.
    pub id: String,
    /// The name people gave it.
    pub name: String,
    /// The organisation assessed.
    #[serde(default)]
    pub organisation: String,
    /// The AI system in scope.
    #[serde(default)]
    pub system: String,
    /// The report the team prepares for.
    #[serde(default)]
    pub target: Target,
    /// Workshop or solo.
    #[serde(default)]
    pub mode: Mode,
    /// For a Type 2 target, the period the examination is meant to cover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observation_period: Option<ObservationPeriod>,
    /// Who runs the workshop.
    #[serde(default)]
    pub facilitator: String,
    /// Who takes part, with their roles.
    #[serde(default)]
    pub participants: Vec<Participant>,
    /// Answers to the scoping profile's yes/no questions.
    #[serde(default)]
    pub scoping: BTreeMap<String, bool>,
    /// Categories assessed; Security and AI risk always count, whatever this holds.
    #[serde(default)]
    pub categories: BTreeSet<Category>,
    /// Ids and versions of the questionnaires the session was started with.
    #[serde(default)]
    pub questionnaires: Vec<QuestionnaireVersion>,
    /// Hash of the content the session was started with.
    #[serde(default)]
    pub content_hash: String,
    /// When the session was created.
    pub created: Timestamp,
    /// When anything in it last changed.
    pub updated: Timestamp,
    /// Per question, keyed by question id. Records of questions the content no longer has are
    /// kept here untouched.
    #[serde(default)]
    pub records: BTreeMap<String, QuestionRecord>,
    /// Seconds spent per section.
    #[serde(default)]
    pub time_spent: BTreeMap<Category, BTreeMap<Stage, u64>>,
    /// Minutes planned per section in the workshop agenda.
    #[serde(default)]
    pub agenda_minutes: BTreeMap<Category, BTreeMap<Stage, u32>>,
    /// The question the session was on when it was last left, so it reopens there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_question: Option<String>,
    /// The session this one started from (a re-assessment), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_from: Option<StartedFrom>,
    /// Per question id, a digest of the question as the session's content asked it (text,
    /// weight, critical flag), so that a later session can tell which questions changed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub question_digests: BTreeMap<String, String>,
    /// The pre-work merged so far, per participant.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub prework: BTreeMap<String, PreworkReceipt>,
    /// The triage agenda's time plan.
    #[serde(default, skip_serializing_if = "TriagePlan::is_empty")]
    pub triage: TriagePlan,
}

impl Session {
    /// A new, empty session for this content: records its versions and hash, takes the scoping
    /// profile's default answers and puts every category in scope.
    pub fn new(id: String, name: String, bank: &QuestionBank, now: Timestamp) -> Session {
        let categories = bank.profile.default_categories();
        Session {
            id,
            name,
            organisation: String::new(),
            system: String::new(),
            target: Target::default(),
            mode: Mode::default(),
            observation_period: None,
            facilitator: String::new(),
            participants: Vec::new(),
            scoping: bank.profile.default_answers(),
            categories,
            questionnaires: bank.versions(),
            content_hash: bank.content_hash.clone(),
            created: now,
            updated: now,
            records: BTreeMap::new(),
            time_spent: BTreeMap::new(),
            agenda_minutes: BTreeMap::new(),
            last_question: None,
            started_from: None,
            question_digests: super::reassess::bank_digests(bank),
            prework: BTreeMap::new(),
            triage: TriagePlan::default(),
        }
    }

    /// Whether a category is assessed in this session.
    pub fn in_scope(&self, category: Category) -> bool {
        category.always_in_scope() || self.categories.contains(&category)
    }

    /// The scoping answers with the profile's defaults filled in for keys not answered.
    pub fn resolved_scoping(&self, bank: &QuestionBank) -> BTreeMap<String, bool> {
        let mut answers = bank.profile.default_answers();
        answers.extend(self.scoping.iter().map(|(k, v)| (k.clone(), *v)));
        answers
    }

    /// Whether a question counts in this session, given resolved scoping answers: one of the
    /// categories it belongs to is in scope and its condition holds.
    pub fn applies(&self, question: &Question, scoping: &BTreeMap<String, bool>) -> bool {
        question.categories().any(|c| self.in_scope(c)) && question.applies_if.holds(scoping)
    }

    /// Whether a question counts in one category's score and navigation: the category is in
    /// scope, the question belongs to it and its condition holds.
    pub fn applies_in(
        &self,
        question: &Question,
        category: Category,
        scoping: &BTreeMap<String, bool>,
    ) -> bool {
        self.in_scope(category)
            && question.belongs_to(category)
            && question.applies_if.holds(scoping)
    }

    /// The questions that count in this session, in questionnaire order.
    pub fn applicable_questions<'b>(&self, bank: &'b QuestionBank) -> Vec<&'b Question> {
        let scoping = self.resolved_scoping(bank);
        bank.questions()
            .filter(|q| self.applies(q, &scoping))
            .collect()
    }

    /// The record of a question, if anything was recorded.
    pub fn record(&self, question_id: &str) -> Option<&QuestionRecord> {
        self.records.get(question_id)
    }

    /// The agreed answer to a question.
    pub fn answer(&self, question_id: &str) -> Option<Answer> {
        self.records.get(question_id).and_then(|r| r.answer)
    }

    /// The record of a question, created empty if needed, for editing.
    pub fn record_mut(&mut self, question_id: &str) -> &mut QuestionRecord {
        self.records.entry(question_id.to_string()).or_default()
    }

    /// Sets (or clears, with None) the agreed answer and stamps the change. An answer the room
    /// sets is its own: no longer one carried over from the previous session, nor one accepted
    /// from pre-work.
    pub fn set_answer(&mut self, question_id: &str, answer: Option<Answer>, now: Timestamp) {
        let record = self.record_mut(question_id);
        record.answer = answer;
        record.carried = None;
        record.from_prework = false;
        self.tidy(question_id);
        self.updated = now;
    }

    /// The room confirms a carried-over answer as it stands; true when there was one to
    /// confirm.
    pub fn confirm_carried(&mut self, question_id: &str, now: Timestamp) -> bool {
        let Some(record) = self.records.get_mut(question_id) else {
            return false;
        };
        if record.carried.take().is_none() {
            return false;
        }
        self.tidy(question_id);
        self.updated = now;
        true
    }

    /// How many answers are carried over and not yet confirmed.
    pub fn unconfirmed_count(&self) -> usize {
        self.records
            .values()
            .filter(|r| r.unconfirmed().is_some())
            .count()
    }

    /// Sets agreed answers accepted from unanimous votes, marked "agreed from pre-work".
    pub fn accept_consensus(&mut self, answers: &[(String, Answer)], now: Timestamp) {
        for (question_id, answer) in answers {
            let record = self.record_mut(question_id);
            record.answer = Some(*answer);
            record.from_prework = true;
        }
        if !answers.is_empty() {
            self.updated = now;
        }
    }

    /// Records (or withdraws, with None) one participant's vote and stamps the change.
    pub fn record_vote(
        &mut self,
        question_id: &str,
        participant: &str,
        vote: Option<Answer>,
        now: Timestamp,
    ) {
        let votes = &mut self.record_mut(question_id).votes;
        match vote {
            Some(v) => {
                votes.insert(participant.to_string(), v);
            }
            None => {
                votes.remove(participant);
            }
        }
        self.tidy(question_id);
        self.updated = now;
    }

    /// Moves votes from old participant names to new ones, e.g. after a name was corrected in
    /// the setup. Renames apply together, so swapping two names swaps their votes.
    /// Pre-work answers, notes and receipts move with the votes.
    pub fn rename_participants(&mut self, renames: &[(String, String)], now: Timestamp) {
        let renames: Vec<&(String, String)> =
            renames.iter().filter(|(old, new)| old != new).collect();
        let mut changed = false;
        for record in self.records.values_mut() {
            changed |= rename_keys(&mut record.votes, &renames);
            changed |= rename_keys(&mut record.prework_votes, &renames);
            changed |= rename_keys(&mut record.prework_notes, &renames);
        }
        changed |= rename_keys(&mut self.prework, &renames);
        if changed {
            self.updated = now;
        }
    }

    /// How many votes a participant has on record.
    pub fn votes_of(&self, participant: &str) -> usize {
        self.records
            .values()
            .filter(|r| r.votes.contains_key(participant))
            .count()
    }

    /// Removes every vote of someone who no longer takes part, with their pre-work; returns
    /// how many votes there were.
    pub fn remove_votes_of(&mut self, participant: &str, now: Timestamp) -> usize {
        let mut removed = 0;
        let mut prework = self.prework.remove(participant).is_some();
        for record in self.records.values_mut() {
            removed += usize::from(record.votes.remove(participant).is_some());
            prework |= record.prework_votes.remove(participant).is_some();
            prework |= record.prework_notes.remove(participant).is_some();
        }
        self.records.retain(|_, r| !r.is_empty());
        if removed > 0 || prework {
            self.updated = now;
        }
        removed
    }

    /// The spread of the votes on a question (highest minus lowest rated level).
    pub fn vote_spread(&self, question_id: &str) -> Option<u8> {
        self.records.get(question_id).and_then(|r| r.vote_spread())
    }

    /// The median of the votes on a question.
    pub fn vote_median(&self, question_id: &str) -> Option<Answer> {
        self.records.get(question_id).and_then(|r| r.vote_median())
    }

    /// Ids of recorded questions that the bank does not contain. They are kept, never dropped,
    /// and reported so that nobody loses an answer when the content changes.
    pub fn orphaned(&self, bank: &QuestionBank) -> Vec<&str> {
        let known: BTreeSet<&str> = bank.questions().map(|q| q.id.as_str()).collect();
        self.records
            .iter()
            .filter(|(id, record)| !known.contains(id.as_str()) && !record.is_empty())
            .map(|(id, _)| id.as_str())
            .collect()
    }

    /// Adds seconds spent on a section.
    pub fn add_time(&mut self, category: Category, stage: Stage, seconds: u64) {
        let spent = self
            .time_spent
            .entry(category)
            .or_default()
            .entry(stage)
            .or_default();
        *spent = spent.saturating_add(seconds);
    }

    /// Seconds spent on a section so far.
    pub fn time_spent_on(&self, category: Category, stage: Stage) -> u64 {
        self.time_spent
            .get(&category)
            .and_then(|m| m.get(&stage))
            .copied()
            .unwrap_or(0)
    }

    /// Seconds spent on the whole session so far.
    pub fn total_time_spent(&self) -> u64 {
        self.time_spent
            .values()
            .flat_map(|stages| stages.values())
            .fold(0, |sum, secs| sum.saturating_add(*secs))
    }

    /// Minutes planned for the whole workshop, when the agenda plans any section.
    pub fn planned_total_minutes(&self) -> Option<u32> {
        let mut minutes = self
            .agenda_minutes
            .values()
            .flat_map(|s| s.values())
            .peekable();
        minutes.peek()?;
        Some(minutes.fold(0, |sum, m| sum.saturating_add(*m)))
    }

    /// Minutes planned for a section, if the agenda has it.
    pub fn planned_minutes(&self, category: Category, stage: Stage) -> Option<u32> {
        self.agenda_minutes
            .get(&category)
            .and_then(|m| m.get(&stage))
            .copied()
    }

    /// Plans minutes for a section; None removes it from the agenda.
    pub fn set_planned_minutes(&mut self, category: Category, stage: Stage, minutes: Option<u32>) {
        match minutes {
            Some(m) => {
                self.agenda_minutes
                    .entry(category)
                    .or_default()
                    .insert(stage, m);
            }
            None => {
                if let Some(stages) = self.agenda_minutes.get_mut(&category) {
                    stages.remove(&stage);
                    if stages.is_empty() {
                        self.agenda_minutes.remove(&category);
                    }
                }
            }
        }
    }

    /// Drops a record that holds nothing, so files list only questions someone touched.
    fn tidy(&mut self, question_id: &str) {
        if self.records.get(question_id).is_some_and(|r| r.is_empty()) {
            self.records.remove(question_id);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::framework::Category;
    use crate::domain::questionnaire::{
        Condition, Mappings, Questionnaire, ScopingProfile, ScopingQuestion, Section, Thresholds,
    };

    pub(crate) fn question(id: &str, category: Category, stage: Stage) -> Question {
        Question {
            id: id.to_string(),
            category,
            stage,
            prompt: format!("Prompt {id}?"),
            guidance: String::new(),
            good_looks_like: String::new(),
            evidence: Vec::new(),
            weight: 1,
            critical: false,
            maps_to: Mappings {
                tsc: vec!["CC6.1".into()],
                ..Mappings::default()
            },
            remediation: format!("Fix {id}."),
            applies_if: Condition::Always,
            themes: Vec::new(),
            audit: None,
            also_in: Vec::new(),
            replaces: Vec::new(),
        }
    }

    /// A bank from questions, grouped by category and stage in the order given.
    pub(crate) fn bank(questions: Vec<Question>) -> QuestionBank {
        let mut questionnaires: Vec<Questionnaire> = Vec::new();
        for category in Category::ALL {
            let mut sections: Vec<Section> = Vec::new();
            for q in questions.iter().filter(|q| q.category == category) {
                match sections.iter_mut().find(|s| s.stage == q.stage) {
                    Some(s) => s.questions.push(q.clone()),
                    None => sections.push(Section {
                        stage: q.stage,
                        questions: vec![q.clone()],
                    }),
                }
            }
            if !sections.is_empty() {
                questionnaires.push(Questionnaire {
                    format: 1,
                    id: category.key().to_lowercase(),
                    title: category.title().to_string(),
                    category,
                    version: "1.0.0".into(),
                    description: String::new(),
                    sections,
                });
            }
        }
        QuestionBank {
            questionnaires,
            profile: ScopingProfile {
                id: "scoping".into(),
                version: "1.0.0".into(),
                questions: vec![ScopingQuestion {
                    key: "generative".into(),
                    prompt: "Generative?".into(),
                    help: String::new(),
                    default: true,
                }],
                optional_categories: vec![
                    Category::Availability,
                    Category::ProcessingIntegrity,
                    Category::Confidentiality,
                    Category::Privacy,
                ],
                thresholds: Thresholds::default(),
            },
            content_hash: "abc123".into(),
        }
    }

    fn t0() -> Timestamp {
        Timestamp::from_second(1_767_225_600).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn new_session_takes_content_and_defaults() {
        let b = bank(vec![question("a", Category::Security, Stage::Storage)]);
        let s = Session::new("id".into(), "Acme".into(), &b, t0());
        assert_eq!(s.content_hash, "abc123");
        assert_eq!(s.questionnaires, b.versions());
        assert_eq!(s.scoping.get("generative"), Some(&true));
        assert!(Category::ALL.iter().all(|c| s.in_scope(*c)));
        assert!(s.records.is_empty());
    }

    #[test]
    fn applicability_follows_scoping_and_categories() {
        let mut gen_only = question("g", Category::Security, Stage::Training);
        gen_only.applies_if = Condition::Yes("generative".into());
        let b = bank(vec![
            question("a", Category::Security, Stage::Storage),
            gen_only,
            question("p", Category::Privacy, Stage::Collection),
        ]);
        let mut s = Session::new("id".into(), "Acme".into(), &b, t0());
        let ids = |s: &Session| -> Vec<String> {
            s.applicable_questions(&b)
                .iter()
                .map(|q| q.id.clone())
                .collect()
        };
        assert_eq!(ids(&s), ["a", "g", "p"]);
        s.scoping.insert("generative".into(), false);
        s.categories.remove(&Category::Privacy);
        assert_eq!(ids(&s), ["a"]);
        // Security cannot be taken out of scope.
        s.categories.remove(&Category::Security);
        assert_eq!(ids(&s), ["a"]);
    }

    #[test]
    fn votes_give_spread_and_median() {
        let b = bank(vec![question("a", Category::Security, Stage::Storage)]);
        let mut s = Session::new("id".into(), "Acme".into(), &b, t0());
        assert_eq!(s.vote_spread("a"), None);
        s.record_vote("a", "Ana", Some(Answer::Implemented), t0());
        s.record_vote("a", "Ben", Some(Answer::AdHoc), t0());
        s.record_vote("a", "Chi", Some(Answer::Designed), t0());
        s.record_vote("a", "Dee", Some(Answer::Unknown), t0());
        assert_eq!(s.vote_spread("a"), Some(2));
        assert_eq!(s.vote_median("a"), Some(Answer::Designed));
        s.record_vote("a", "Chi", None, t0());
        // Two middle levels 1 and 3: the lower one.
        assert_eq!(s.vote_median("a"), Some(Answer::AdHoc));
    }

    #[test]
    fn orphaned_answers_are_kept_and_listed() {
        let b = bank(vec![question("a", Category::Security, Stage::Storage)]);
        let mut s = Session::new("id".into(), "Acme".into(), &b, t0());
        s.set_answer("a", Some(Answer::Operating), t0());
        s.set_answer("gone", Some(Answer::AdHoc), t0());
        assert_eq!(s.orphaned(&b), ["gone"]);
        assert_eq!(s.answer("gone"), Some(Answer::AdHoc));
    }

    #[test]
    fn clearing_everything_removes_the_record() {
        let b = bank(vec![question("a", Category::Security, Stage::Storage)]);
        let mut s = Session::new("id".into(), "Acme".into(), &b, t0());
        s.set_answer("a", Some(Answer::Operating), t0());
        assert!(s.records.contains_key("a"));
        s.set_answer("a", None, t0());
        assert!(!s.records.contains_key("a"));
    }

    #[test]
    fn time_and_agenda_per_section() {
        let b = bank(vec![question("a", Category::Security, Stage::Storage)]);
        let mut s = Session::new("id".into(), "Acme".into(), &b, t0());
        s.add_time(Category::Security, Stage::Storage, 30);
        s.add_time(Category::Security, Stage::Storage, 45);
        assert_eq!(s.time_spent_on(Category::Security, Stage::Storage), 75);
        assert_eq!(s.time_spent_on(Category::Privacy, Stage::Storage), 0);
        s.set_planned_minutes(Category::Security, Stage::Storage, Some(15));
        assert_eq!(
            s.planned_minutes(Category::Security, Stage::Storage),
            Some(15)
        );
        s.add_time(Category::Privacy, Stage::Collection, 5);
        assert_eq!(s.total_time_spent(), 80);
        s.set_planned_minutes(Category::Privacy, Stage::Collection, Some(10));
        assert_eq!(s.planned_total_minutes(), Some(25));
        s.set_planned_minutes(Category::Privacy, Stage::Collection, None);
        s.set_planned_minutes(Category::Security, Stage::Storage, None);
        assert!(s.agenda_minutes.is_empty());
        assert_eq!(s.planned_total_minutes(), None);
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(validate_name("  Acme bot "), Ok("Acme bot".to_string()));
        assert_eq!(validate_name("   "), Err(NameError::Empty));
        assert!(matches!(
            validate_name("a\0b"),
            Err(NameError::ControlCharacter {
                code: 0,
                position: 2
            })
        ));
        assert!(matches!(
            validate_name(&"x".repeat(300)),
            Err(NameError::TooLong { len: 300, .. })
        ));
        assert!(validate_name("Сессия 日本語 ../x").is_ok());
    }

    #[test]
    fn an_action_is_overdue_only_while_work_is_expected() {
        let today = jiff::civil::date(2026, 3, 1);
        let mut action = FollowUp {
            due: Some(jiff::civil::date(2026, 2, 28)),
            ..FollowUp::default()
        };
        assert!(action.is_overdue(today));
        action.set_status(ActionStatus::InProgress, today);
        assert!(action.is_overdue(today));
        assert_eq!(action.status_date, Some(today));
        action.set_status(ActionStatus::Done, jiff::civil::date(2026, 3, 2));
        assert!(!action.is_overdue(today));
        // Setting the same status again keeps the day it changed.
        action.set_status(ActionStatus::Done, jiff::civil::date(2026, 4, 1));
        assert_eq!(action.status_date, Some(jiff::civil::date(2026, 3, 2)));
        assert!(!FollowUp::default().is_overdue(today));
    }

    #[test]
    fn records_written_before_the_action_had_its_own_structure_still_read() {
        let old = r#"QuestionRecord(answer: Some(Designed), evidence: ["T-1"], action_owner: "Ben", due: Some("2027-01-15"))"#;
        let record: QuestionRecord = ron::from_str(old).unwrap();
        assert_eq!(record.action.owner, "Ben");
        assert_eq!(record.action.evidence, ["T-1"]);
        assert_eq!(record.action.due, Some(jiff::civil::date(2027, 1, 15)));
        assert_eq!(record.action.status, ActionStatus::Open);
        assert!(ron::from_str::<QuestionRecord>("QuestionRecord(colour: 1)").is_err());
    }

    #[test]
    fn a_removed_participants_votes_go_and_empty_records_with_them() {
        let b = bank(vec![question("a", Category::Security, Stage::Storage)]);
        let mut s = Session::new("id".into(), "Acme".into(), &b, t0());
        s.record_vote("a", "Ana", Some(Answer::Operating), t0());
        s.record_vote("b", "Ana", Some(Answer::AdHoc), t0());
        s.record_vote("b", "Ben", Some(Answer::AdHoc), t0());
        assert_eq!(s.votes_of("Ana"), 2);
        assert_eq!(s.remove_votes_of("Ana", t0()), 2);
        assert_eq!(s.votes_of("Ana"), 0);
        assert!(s.record("a").is_none(), "nothing else was recorded on a");
        assert_eq!(s.record("b").unwrap().votes.len(), 1);
    }

    #[test]
    fn renaming_participants_moves_their_votes_even_when_names_swap() {
        let b = bank(vec![question("a", Category::Security, Stage::Storage)]);
        let mut s = Session::new("id".into(), "Acme".into(), &b, t0());
        s.record_vote("a", "Ana", Some(Answer::Operating), t0());
        s.record_vote("a", "Ben", Some(Answer::AdHoc), t0());
        let renames = [
            ("Ana".to_string(), "Ben".to_string()),
            ("Ben".to_string(), "Ana".to_string()),
        ];
        s.rename_participants(&renames, t0());
        let votes = &s.record("a").unwrap().votes;
        assert_eq!(votes.get("Ben"), Some(&Answer::Operating));
        assert_eq!(votes.get("Ana"), Some(&Answer::AdHoc));
    }
}
