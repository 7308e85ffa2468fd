//! Merging pre-work into a workshop session: each participant's pre-work answer becomes their
//! vote on the question (never the agreed level), their notes are kept attributed, and a vote
//! the room recorded is never overwritten unless asked.
//!
//! The rules, per participant and question, with `a` the file's answer, `pa` the pre-work answer
//! merged before (if any) and `v` the current vote:
//!
//! - a vote equal to `pa` (or no vote at all) came from pre-work and follows a changed pre-work
//!   answer; a vote that differs from `pa` was recorded in the room and is kept. When the file
//!   answers differently, that is a conflict, listed (and resolved for the file with
//!   [`MergeOptions::prefer_prework`]);
//! - an unchanged pre-work answer leaves the vote as it is, so a vote the room withdrew stays
//!   withdrawn;
//! - the pre-work answer and note are kept beside the votes (`prework_votes`, `prework_notes`)
//!   and the session remembers, per participant, the last change time and digest of the pre-work
//!   it merged. Pre-work older than that is skipped, so the newest version of a participant's
//!   pre-work wins whatever the order of merging.
//!
//! Merging the same pre-work twice changes nothing, and pre-work of different participants
//! gives the same session in any order.

use super::prework::{Prework, PreworkAnswer};
use super::questionnaire::QuestionBank;
use super::scale::Answer;
use super::session::{Participant, PreworkReceipt, QuestionRecord, Session};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use std::cmp::Ordering;
// foldhash: the merge looks up thousands of short question ids.
use foldhash::HashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Where a contribution comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A pre-work file prepared for the session with this id.
    Prework {
        /// The session the file was prepared for.
        session: String,
    },
    /// A solo session answered by one person, taken as their pre-work.
    Solo {
        /// The solo session's id.
        session: String,
    },
}

/// One participant's answers to merge: from a pre-work file or a solo session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    /// Where it was read from (a file path or a session id), for messages.
    pub label: String,
    /// What it is.
    pub origin: Origin,
    /// Whose answers they are.
    pub participant: Participant,
    /// When the answers last changed.
    pub updated: Timestamp,
    /// The hash of the content it was answered against.
    pub content_hash: String,
    /// Questions assigned to the participant.
    pub assigned: u32,
    /// The answers and notes, keyed by question id.
    pub answers: BTreeMap<String, PreworkAnswer>,
}

impl Contribution {
    /// The contribution of a pre-work file.
    pub fn from_prework(label: impl Into<String>, prework: Prework, bank: &QuestionBank) -> Self {
        let assigned = count(prework.questions(bank).len());
        let mut answers = prework.answers;
        answers.retain(|_, a| !a.is_empty());
        Contribution {
            label: label.into(),
            origin: Origin::Prework {
                session: prework.session,
            },
            participant: prework.participant,
            updated: prework.updated,
            content_hash: prework.content_hash,
            assigned,
            answers,
        }
    }

    /// The answers of a solo session, taken as the pre-work of `participant`.
    pub fn from_solo(
        label: impl Into<String>,
        solo: &Session,
        participant: Participant,
        bank: &QuestionBank,
    ) -> Self {
        Contribution {
            label: label.into(),
            origin: Origin::Solo {
                session: solo.id.clone(),
            },
            participant,
            updated: solo.updated,
            content_hash: solo.content_hash.clone(),
            assigned: count(solo.applicable_questions(bank).len()),
            answers: super::prework::answers_of(solo),
        }
    }

    /// Questions answered (N/A and Unknown included).
    pub fn answered(&self) -> u32 {
        count(self.answers.values().filter(|a| a.answer.is_some()).count())
    }

    /// A digest of the answers: two versions of one participant's pre-work with the same time
    /// of change are still ordered, the same way every time. (The participant is the key the
    /// digest is kept under, however their name was spelt.)
    pub fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        // Every piece is length-prefixed, so no two different contents hash the same text.
        let mut piece = |bytes: &[u8]| {
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        for (id, answer) in &self.answers {
            piece(id.as_bytes());
            piece(answer.answer.map_or("", |a| a.short()).as_bytes());
            piece(answer.notes.as_bytes());
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// How a merge treats what the room already recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeOptions {
    /// Add participants the session does not have, instead of refusing their pre-work.
    pub add_participants: bool,
    /// In a conflict, take the pre-work answer instead of keeping the room's vote.
    pub prefer_prework: bool,
}

/// Why a contribution cannot be merged. Any refusal stops the whole merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A pre-work file prepared for another session.
    OtherSession {
        /// Where it was read from.
        label: String,
        /// The session it was prepared for.
        found: String,
        /// The session being merged into.
        expected: String,
    },
    /// A participant the session does not have.
    UnknownParticipant {
        /// Where it was read from.
        label: String,
        /// The participant's name.
        name: String,
        /// The session's participants.
        known: Vec<String>,
    },
    /// The session itself given as a solo session.
    SameSession {
        /// Where it was read from.
        label: String,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::OtherSession {
                label,
                found,
                expected,
            } => write!(
                f,
                "{label} is pre-work for session {found}, not for {expected}"
            ),
            Refusal::UnknownParticipant { label, name, known } => {
                let known = if known.is_empty() {
                    "it has none yet".to_string()
                } else {
                    format!("it has {}", known.join(", "))
                };
                write!(
                    f,
                    "{label} is the pre-work of {name:?}, who is not a participant of the session ({known})"
                )
            }
            Refusal::SameSession { label } => {
                write!(f, "{label} is the session being merged into")
            }
        }
    }
}

/// Every reason a merge was refused; nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct MergeRefused(pub Vec<Refusal>);

/// What happened to one contribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Its answers were merged (some may have been merged before).
    Merged,
    /// The session already has newer pre-work of this participant, changed at this time; it
    /// was skipped.
    Superseded {
        /// When the pre-work already merged last changed.
        newer: Timestamp,
    },
}

/// What one contribution brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSummary {
    /// Where it was read from.
    pub label: String,
    /// Whose it is, as named in the session.
    pub participant: String,
    /// Merged or skipped.
    pub status: Status,
    /// Questions assigned.
    pub assigned: u32,
    /// Questions answered.
    pub answered: u32,
    /// Votes added where the participant had none.
    pub new_votes: usize,
    /// Votes from earlier pre-work changed to the new answer.
    pub changed_votes: usize,
    /// Votes from earlier pre-work withdrawn because the answer was cleared.
    pub withdrawn_votes: usize,
    /// Notes added or changed.
    pub notes: usize,
    /// Unknown answers among the answers.
    pub unknown: usize,
    /// N/A answers among the answers.
    pub not_applicable: usize,
    /// Answers that disagree with a vote the room recorded.
    pub conflicts: usize,
    /// Answers to questions outside the session's current scope.
    pub out_of_scope: usize,
    /// Answers to questions the session's bank does not have.
    pub orphans: usize,
    /// The answers were given against other content than the session's.
    pub other_content: bool,
}

/// A pre-work answer that differs from a vote the room recorded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Conflict {
    /// The question.
    pub question: String,
    /// Whose vote.
    pub participant: String,
    /// The vote recorded in the room.
    pub room: Answer,
    /// The pre-work answer.
    pub prework: Answer,
    /// Whether the pre-work answer was taken (`prefer_prework`).
    pub took_prework: bool,
}

/// A pre-work answer to a question the session's bank does not have; kept in the session.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Orphan {
    /// The question id.
    pub question: String,
    /// Whose answer.
    pub participant: String,
    /// The answer, if one was given.
    pub answer: Option<Answer>,
}

/// What a merge did or would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeSummary {
    /// One entry per contribution, in the order given.
    pub inputs: Vec<InputSummary>,
    /// Participants added to the session.
    pub added_participants: Vec<Participant>,
    /// Pre-work answers that differ from votes the room recorded.
    pub conflicts: Vec<Conflict>,
    /// Answers to questions the bank does not have.
    pub orphans: Vec<Orphan>,
}

impl MergeSummary {
    /// Votes added, changed or withdrawn, over every contribution.
    pub fn votes(&self) -> usize {
        self.inputs
            .iter()
            .map(|i| i.new_votes + i.changed_votes + i.withdrawn_votes)
            .sum()
    }

    /// Notes added or changed, over every contribution.
    pub fn notes(&self) -> usize {
        self.inputs.iter().map(|i| i.notes).sum()
    }

    /// The summary in plain lines: one per contribution (who, how much they answered, what it
    /// changes), then the conflicts, orphans and added participants.
    pub fn lines(&self) -> Vec<String> {
        let width = self
            .inputs
            .iter()
            .map(|i| i.participant.chars().count())
            .max()
            .unwrap_or(0);
        let mut lines: Vec<String> = self
            .inputs
            .iter()
            .map(|i| format!("{:<width$}  {}", i.participant, i.describe()))
            .collect();
        if !self.added_participants.is_empty() {
            let names: Vec<String> = self
                .added_participants
                .iter()
                .map(|p| {
                    if p.role.is_empty() {
                        p.name.clone()
                    } else {
                        format!("{} ({})", p.name, p.role)
                    }
                })
                .collect();
            lines.push(format!("New participants: {}", names.join(", ")));
        }
        if !self.conflicts.is_empty() {
            lines.push(format!(
                "{} conflict{} with votes recorded in the room:",
                self.conflicts.len(),
                plural(self.conflicts.len())
            ));
            for c in &self.conflicts {
                let kept = if c.took_prework {
                    "pre-work taken"
                } else {
                    "room's vote kept"
                };
                lines.push(format!(
                    "  {}  {}: room {}, pre-work {} ({kept})",
                    c.question,
                    c.participant,
                    c.room.short(),
                    c.prework.short()
                ));
            }
        }
        if !self.orphans.is_empty() {
            lines.push(format!(
                "{} answer{} to questions this question bank does not have (kept in the session, listed in the results):",
                self.orphans.len(),
                plural(self.orphans.len())
            ));
            for o in &self.orphans {
                lines.push(format!(
                    "  {}  {}: {}",
                    o.question,
                    o.participant,
                    o.answer.map_or("note only", |a| a.short())
                ));
            }
        }
        lines
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl InputSummary {
    /// What this contribution brings, in one line (without the participant's name).
    pub fn describe(&self) -> String {
        if let Status::Superseded { newer } = self.status {
            return format!(
                "skipped: newer pre-work (changed {}) is already merged  [{}]",
                newer.strftime("%Y-%m-%d %H:%M UTC"),
                self.label
            );
        }
        let counted = |counts: &[(usize, &str, &str)]| -> Vec<String> {
            counts
                .iter()
                .filter(|(n, _, _)| *n > 0)
                .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
                .collect()
        };
        let changes = counted(&[
            (self.new_votes, "new vote", "new votes"),
            (self.changed_votes, "vote changed", "votes changed"),
            (self.withdrawn_votes, "vote withdrawn", "votes withdrawn"),
            (self.notes, "note", "notes"),
            (self.conflicts, "conflict", "conflicts"),
        ]);
        // What the file holds, said after the changes: with nothing new, a count of Unknown
        // votes alone would read as a change.
        let held = counted(&[
            (self.unknown, "Unknown", "Unknown"),
            (self.out_of_scope, "outside the scope", "outside the scope"),
            (self.orphans, "orphan", "orphans"),
        ]);
        let what = match (changes.is_empty(), held.is_empty()) {
            (false, _) => [changes, held].concat().join(", "),
            (true, true) => "nothing new".to_string(),
            (true, false) => format!("nothing new (it holds {})", held.join(", ")),
        };
        let content = if self.other_content {
            " (answered against other questionnaires)"
        } else {
            ""
        };
        format!(
            "{} of {} answered: {what}{content}  [{}]",
            self.answered, self.assigned, self.label
        )
    }
}

/// The merged session and what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The session with the contributions merged.
    pub session: Session,
    /// What the merge did.
    pub summary: MergeSummary,
    /// Whether the session differs from the one given; when false there is nothing to save.
    pub changed: bool,
}

/// Merges contributions into a session. Refused as a whole, with every reason, when any
/// contribution is for another session or (without `add_participants`) of someone who is not
/// a participant.
pub fn merge(
    session: &Session,
    bank: &QuestionBank,
    contributions: &[Contribution],
    options: MergeOptions,
    now: Timestamp,
) -> Result<Merged, MergeRefused> {
    let mut merged = session.clone();
    let mut refusals = Vec::new();
    let mut added: Vec<Participant> = Vec::new();
    // Each contribution's participant as the session names them.
    let mut names = Vec::with_capacity(contributions.len());
    for c in contributions {
        match &c.origin {
            Origin::Prework { session: found } if *found != session.id => {
                refusals.push(Refusal::OtherSession {
                    label: c.label.clone(),
                    found: found.clone(),
                    expected: session.id.clone(),
                });
            }
            Origin::Solo { session: found } if *found == session.id => {
                refusals.push(Refusal::SameSession {
                    label: c.label.clone(),
                });
            }
            _ => {}
        }
        let wanted = c.participant.name.trim();
        match find_participant(&session.participants, wanted)
            .or_else(|| find_participant(&added, wanted))
        {
            Some(name) => names.push(name.to_string()),
            None if options.add_participants && !wanted.is_empty() => {
                added.push(Participant {
                    name: wanted.to_string(),
                    role: c.participant.role.trim().to_string(),
                });
                names.push(wanted.to_string());
            }
            None => {
                refusals.push(Refusal::UnknownParticipant {
                    label: c.label.clone(),
                    name: c.participant.name.clone(),
                    known: session
                        .participants
                        .iter()
                        .map(|p| p.name.clone())
                        .collect(),
                });
                names.push(wanted.to_string());
            }
        }
    }
    if !refusals.is_empty() {
        return Err(MergeRefused(refusals));
    }
    added.sort();
    merged.participants.extend(added.iter().cloned());

    // Every question id, and whether it applies in the session.
    let scoping = session.resolved_scoping(bank);
    let questions: HashMap<&str, bool> = bank
        .questions()
        .map(|q| (q.id.as_str(), session.applies(q, &scoping)))
        .collect();
    let digests: Vec<String> = contributions.iter().map(Contribution::digest).collect();
    let mut summaries = Vec::with_capacity(contributions.len());
    let mut conflicts = BTreeSet::new();
    let mut orphans = BTreeSet::new();
    // No sorting needed: pre-work older than what was merged for its participant is skipped,
    // so the newest version wins whichever comes first.
    for (i, (c, name)) in contributions.iter().zip(&names).enumerate() {
        let mut summary = InputSummary {
            label: c.label.clone(),
            participant: name.clone(),
            status: Status::Merged,
            assigned: c.assigned,
            answered: c.answered(),
            new_votes: 0,
            changed_votes: 0,
            withdrawn_votes: 0,
            notes: 0,
            unknown: count_answers(c, Answer::Unknown),
            not_applicable: count_answers(c, Answer::NotApplicable),
            conflicts: 0,
            out_of_scope: 0,
            orphans: 0,
            other_content: !c.content_hash.is_empty() && c.content_hash != session.content_hash,
        };
        if let Some(receipt) = merged.prework.get(name)
            && (c.updated, digests[i].as_str()).cmp(&(receipt.updated, receipt.digest.as_str()))
                == Ordering::Less
        {
            summary.status = Status::Superseded {
                newer: receipt.updated,
            };
            summaries.push(summary);
            continue;
        }
        // Questions the participant answered before and cleared since lose their pre-work vote
        // (only someone whose pre-work was merged before can have any).
        let cleared: Vec<String> = if merged.prework.contains_key(name) {
            merged
                .records
                .iter()
                .filter(|(id, r)| {
                    (r.prework_votes.contains_key(name) || r.prework_notes.contains_key(name))
                        && !c.answers.contains_key(*id)
                })
                .map(|(id, _)| id.clone())
                .collect()
        } else {
            Vec::new()
        };
        let empty = PreworkAnswer::default();
        let answers = c
            .answers
            .iter()
            .chain(cleared.iter().map(|id| (id, &empty)));
        for (id, answer) in answers {
            match questions.get(id.as_str()) {
                None => {
                    summary.orphans += 1;
                    orphans.insert(Orphan {
                        question: id.clone(),
                        participant: name.clone(),
                        answer: answer.answer,
                    });
                }
                Some(false) if !answer.is_empty() => summary.out_of_scope += 1,
                Some(_) => {}
            }
            merge_answer(
                &mut merged,
                id,
                name,
                answer,
                options,
                &mut summary,
                &mut conflicts,
            );
        }
        merged.prework.insert(
            name.clone(),
            PreworkReceipt {
                updated: c.updated,
                digest: digests[i].clone(),
                assigned: c.assigned,
                answered: c.answered(),
            },
        );
        summaries.push(summary);
    }
    let changed = merged != *session;
    if changed {
        merged.updated = now;
    }
    Ok(Merged {
        session: merged,
        summary: MergeSummary {
            inputs: summaries,
            added_participants: added,
            conflicts: conflicts.into_iter().collect(),
            orphans: orphans.into_iter().collect(),
        },
        changed,
    })
}

/// The name of the participant called `wanted`: the exact name, else the only one that matches
/// ignoring case and surrounding spaces.
fn find_participant<'p>(participants: &'p [Participant], wanted: &str) -> Option<&'p str> {
    if let Some(p) = participants.iter().find(|p| p.name == wanted) {
        return Some(&p.name);
    }
    let folded = wanted.to_lowercase();
    let mut matches = participants
        .iter()
        .filter(|p| p.name.trim().to_lowercase() == folded);
    match (matches.next(), matches.next()) {
        (Some(p), None) => Some(&p.name),
        _ => None,
    }
}

fn count_answers(c: &Contribution, kind: Answer) -> usize {
    c.answers
        .values()
        .filter(|a| a.answer == Some(kind))
        .count()
}

/// Merges one participant's answer to one question (see the module's rules).
fn merge_answer(
    session: &mut Session,
    id: &str,
    name: &str,
    answer: &PreworkAnswer,
    options: MergeOptions,
    summary: &mut InputSummary,
    conflicts: &mut BTreeSet<Conflict>,
) {
    // Most answers are to questions with a record already: find it without a new key.
    if !session.records.contains_key(id) {
        session
            .records
            .insert(id.to_string(), QuestionRecord::default());
    }
    let Some(record) = session.records.get_mut(id) else {
        return;
    };
    let before = record.prework_votes.get(name).copied();
    let vote = record.votes.get(name).copied();
    let new = answer.answer;
    // A vote that differs from the last pre-work answer was recorded in the room.
    let room_vote = vote.filter(|v| Some(*v) != before);
    match (room_vote, new) {
        (None, _) if new != before && vote != new => {
            match (vote, new) {
                (None, _) => summary.new_votes += 1,
                (Some(_), Some(_)) => summary.changed_votes += 1,
                (Some(_), None) => summary.withdrawn_votes += 1,
            }
            set_or_remove(&mut record.votes, name, new);
        }
        (Some(room), Some(prework)) if room != prework => {
            summary.conflicts += 1;
            conflicts.insert(Conflict {
                question: id.to_string(),
                participant: name.to_string(),
                room,
                prework,
                took_prework: options.prefer_prework,
            });
            if options.prefer_prework {
                record.votes.insert(name.to_string(), prework);
            }
        }
        _ => {}
    }
    if before != new {
        set_or_remove(&mut record.prework_votes, name, new);
    }
    let notes = (!answer.notes.is_empty()).then_some(&answer.notes);
    if record.prework_notes.get(name) != notes {
        if notes.is_some() {
            summary.notes += 1;
        }
        set_or_remove(&mut record.prework_notes, name, notes.cloned());
    }
    if record.is_empty() {
        session.records.remove(id);
    }
}

fn set_or_remove<V>(map: &mut BTreeMap<String, V>, key: &str, value: Option<V>) {
    match value {
        Some(v) => {
            map.insert(key.to_string(), v);
        }
        None => {
            map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests;
