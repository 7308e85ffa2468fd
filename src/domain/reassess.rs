//! Starting a session from a previous one: the setup, answers, notes and actions carry over,
//! each carried answer waits for the room to confirm it, and a question whose text or weight
//! changed since is marked so.

use super::questionnaire::{Question, QuestionBank};
use super::session::{Carried, QuestionRecord, Session, StartedFrom};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// How many hex digits of the SHA-256 a question digest keeps: enough to notice an edit,
/// short enough that a session file lists every question without bulk.
const DIGEST_HEX: usize = 8;

/// A short digest of what a question asks and how it counts: its text, weight and critical
/// flag. Guidance and mappings may be reworded without changing it.
pub fn question_digest(question: &Question) -> String {
    let mut hasher = Sha256::new();
    hasher.update(question.prompt.as_bytes());
    hasher.update([0, question.weight, u8::from(question.critical)]);
    let hash = hasher.finalize();
    let mut hex = String::with_capacity(DIGEST_HEX);
    for byte in hash.iter().take(DIGEST_HEX / 2) {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// The digest of every question of a bank, by id.
pub fn bank_digests(bank: &QuestionBank) -> BTreeMap<String, String> {
    bank.questions()
        .map(|q| (q.id.clone(), question_digest(q)))
        .collect()
}

/// The question digests a session was answered against: its own, or, for a session written
/// before they were kept, those of `bank` when the session was started with that very content.
/// None when nobody can tell any more.
pub fn digests_of<'a>(
    session: &'a Session,
    bank: &QuestionBank,
    bank_digests: &'a BTreeMap<String, String>,
) -> Option<&'a BTreeMap<String, String>> {
    if !session.question_digests.is_empty() {
        Some(&session.question_digests)
    } else if session.content_hash == bank.content_hash {
        Some(bank_digests)
    } else {
        None
    }
}

/// A new session that starts from `previous`: the same organisation, system, target, mode,
/// facilitator, participants, scope, scoping answers and planned minutes, and every answer,
/// note and follow-up action (with its status) carried over and marked until the room confirms
/// or changes it. Votes, flags and time spent belong to the meeting that recorded them and stay
/// behind; answers to questions the content no longer has are carried as they are, as orphans.
pub fn start_from(
    previous: &Session,
    bank: &QuestionBank,
    id: String,
    name: String,
    now: Timestamp,
) -> Session {
    let mut session = Session::new(id, name, bank, now);
    session.organisation = previous.organisation.clone();
    session.system = previous.system.clone();
    session.target = previous.target;
    session.mode = previous.mode;
    session.facilitator = previous.facilitator.clone();
    session.participants = previous.participants.clone();
    session.scoping = previous.scoping.clone();
    session.categories = previous.categories.clone();
    session.agenda_minutes = previous.agenda_minutes.clone();
    session.started_from = Some(StartedFrom {
        id: previous.id.clone(),
        name: previous.name.clone(),
        updated: previous.updated,
    });
    let now_digests = &session.question_digests;
    let then_digests = digests_of(previous, bank, now_digests);
    let mut records = BTreeMap::new();
    for (question_id, record) in &previous.records {
        let carried = QuestionRecord {
            answer: record.answer,
            notes: record.notes.clone(),
            action: record.action.clone(),
            ..QuestionRecord::default()
        };
        if carried.is_empty() {
            continue;
        }
        let changed = match (now_digests.get(question_id), then_digests) {
            // A question the content no longer has stays an orphan, as it was.
            (None, _) => false,
            (Some(now), Some(then)) => then.get(question_id) != Some(now),
            // Nobody knows how it was asked then, and the content has changed since.
            (Some(_), None) => true,
        };
        records.insert(
            question_id.clone(),
            QuestionRecord {
                carried: Some(if changed {
                    Carried::QuestionChanged
                } else {
                    Carried::Unconfirmed
                }),
                ..carried
            },
        );
    }
    session.records = records;
    session
}

/// The name a re-assessment gets when nobody typed one: the previous name and the day, the
/// previous name shortened if the whole would be longer than a name may be.
pub fn reassessment_name(previous: &str, today: jiff::civil::Date) -> String {
    let tail = format!(" (re-assessed {today})");
    let room = super::session::MAX_NAME_CHARS.saturating_sub(tail.chars().count());
    // A name already carrying an earlier day's tail gets the new one instead.
    let base = match previous.rfind(" (re-assessed ") {
        Some(at) if previous.ends_with(')') => &previous[..at],
        _ => previous,
    };
    let base: String = base.trim().chars().take(room).collect();
    format!("{}{tail}", base.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::framework::{Category, Stage};
    use crate::domain::scale::Answer;
    use crate::domain::session::tests::{bank, question};
    use crate::domain::session::{ActionStatus, Participant, Target};

    fn t(second: i64) -> Timestamp {
        Timestamp::from_second(1_767_225_600 + second).unwrap()
    }

    fn previous(b: &QuestionBank) -> Session {
        let mut s = Session::new("prev".into(), "Q1".into(), b, t(0));
        s.organisation = "Acme".into();
        s.system = "Support bot".into();
        s.target = Target::Type1;
        s.facilitator = "Fay".into();
        s.participants = vec![Participant {
            name: "Ana".into(),
            role: "ML".into(),
        }];
        s.scoping.insert("generative".into(), false);
        s.categories.remove(&Category::Privacy);
        s.set_answer("a", Some(Answer::Designed), t(1));
        s.record_mut("a").notes = "approval for the base set only".into();
        s.record_mut("a").action.owner = "Ben".into();
        s.record_mut("a").action.status = ActionStatus::InProgress;
        s.record_vote("a", "Ana", Some(Answer::AdHoc), t(1));
        s.record_mut("a").discuss_later = true;
        s.record_vote("b", "Ana", Some(Answer::Operating), t(1));
        s.set_answer("gone", Some(Answer::AdHoc), t(1));
        s.add_time(Category::Security, Stage::Storage, 60);
        s.set_planned_minutes(Category::Security, Stage::Storage, Some(15));
        s
    }

    #[test]
    fn the_setup_answers_notes_and_actions_carry_over_and_are_marked() {
        let b = bank(vec![
            question("a", Category::Security, Stage::Storage),
            question("b", Category::Security, Stage::Storage),
        ]);
        let prev = previous(&b);
        let before = prev.clone();
        let s = start_from(&prev, &b, "next".into(), "Q2".into(), t(100));
        assert_eq!(prev, before, "the previous session is not changed");
        assert_eq!(
            (s.id.as_str(), s.name.as_str(), s.created),
            ("next", "Q2", t(100))
        );
        assert_eq!(s.organisation, "Acme");
        assert_eq!(s.system, "Support bot");
        assert_eq!(s.target, Target::Type1);
        assert_eq!(s.facilitator, "Fay");
        assert_eq!(s.participants, prev.participants);
        assert_eq!(s.scoping, prev.scoping);
        assert_eq!(s.categories, prev.categories);
        assert_eq!(s.agenda_minutes, prev.agenda_minutes);
        assert!(s.time_spent.is_empty());
        let from = s.started_from.as_ref().unwrap();
        assert_eq!((from.id.as_str(), from.name.as_str()), ("prev", "Q1"));
        assert_eq!(from.updated, prev.updated);
        let a = s.record("a").unwrap();
        assert_eq!(a.answer, Some(Answer::Designed));
        assert_eq!(a.notes, "approval for the base set only");
        assert_eq!(a.action.owner, "Ben");
        assert_eq!(a.action.status, ActionStatus::InProgress);
        assert_eq!(a.unconfirmed(), Some(Carried::Unconfirmed));
        assert!(a.votes.is_empty() && !a.discuss_later);
        // A record with only votes has nothing to carry.
        assert!(s.record("b").is_none());
        // The orphan comes along, still an orphan.
        assert_eq!(s.answer("gone"), Some(Answer::AdHoc));
        assert_eq!(s.orphaned(&b), ["gone"]);
        assert_eq!(s.unconfirmed_count(), 2);
    }

    #[test]
    fn confirming_or_changing_ends_the_carry_over() {
        let b = bank(vec![
            question("a", Category::Security, Stage::Storage),
            question("c", Category::Security, Stage::Storage),
        ]);
        let mut prev = Session::new("prev".into(), "Q1".into(), &b, t(0));
        prev.set_answer("a", Some(Answer::Designed), t(1));
        prev.set_answer("c", Some(Answer::AdHoc), t(1));
        let mut s = start_from(&prev, &b, "next".into(), "Q2".into(), t(100));
        assert!(s.confirm_carried("a", t(101)));
        assert_eq!(s.answer("a"), Some(Answer::Designed));
        assert_eq!(s.record("a").unwrap().carried, None);
        assert_eq!(s.updated, t(101));
        assert!(!s.confirm_carried("a", t(102)), "nothing left to confirm");
        s.set_answer("c", Some(Answer::Operating), t(103));
        assert_eq!(s.record("c").unwrap().carried, None);
        assert_eq!(s.unconfirmed_count(), 0);
    }

    #[test]
    fn a_question_whose_text_or_weight_changed_is_marked() {
        let old = bank(vec![
            question("same", Category::Security, Stage::Storage),
            question("text", Category::Security, Stage::Storage),
            question("weight", Category::Security, Stage::Storage),
        ]);
        let mut prev = Session::new("prev".into(), "Q1".into(), &old, t(0));
        for id in ["same", "text", "weight", "new-since"] {
            prev.set_answer(id, Some(Answer::Implemented), t(1));
        }
        let mut text = question("text", Category::Security, Stage::Storage);
        text.prompt.push_str(" And is it reviewed?");
        let mut weight = question("weight", Category::Security, Stage::Storage);
        weight.weight = 3;
        let mut new = bank(vec![
            question("same", Category::Security, Stage::Storage),
            text,
            weight,
            question("new-since", Category::Security, Stage::Storage),
        ]);
        new.content_hash = "changed".into();
        let s = start_from(&prev, &new, "next".into(), "Q2".into(), t(100));
        let mark = |id: &str| s.record(id).unwrap().unconfirmed();
        assert_eq!(mark("same"), Some(Carried::Unconfirmed));
        assert_eq!(mark("text"), Some(Carried::QuestionChanged));
        assert_eq!(mark("weight"), Some(Carried::QuestionChanged));
        // Answered then under an id the content did not have: not the same question.
        assert_eq!(mark("new-since"), Some(Carried::QuestionChanged));
        assert_eq!(
            s.answer("text"),
            Some(Answer::Implemented),
            "the answer is kept"
        );
    }

    #[test]
    fn a_session_without_digests_is_judged_by_its_content_hash() {
        let b = bank(vec![question("a", Category::Security, Stage::Storage)]);
        let mut prev = Session::new("prev".into(), "Q1".into(), &b, t(0));
        prev.question_digests.clear();
        prev.set_answer("a", Some(Answer::Designed), t(1));
        let same = start_from(&prev, &b, "n1".into(), "Q2".into(), t(100));
        assert_eq!(
            same.record("a").unwrap().unconfirmed(),
            Some(Carried::Unconfirmed)
        );
        prev.content_hash = "older".into();
        let other = start_from(&prev, &b, "n2".into(), "Q2".into(), t(100));
        assert_eq!(
            other.record("a").unwrap().unconfirmed(),
            Some(Carried::QuestionChanged)
        );
    }

    #[test]
    fn a_reassessment_is_named_after_the_previous_session_and_the_day() {
        let day = jiff::civil::date(2026, 4, 15);
        assert_eq!(
            reassessment_name("Acme Q1", day),
            "Acme Q1 (re-assessed 2026-04-15)"
        );
        let again = reassessment_name(
            "Acme Q1 (re-assessed 2026-04-15)",
            jiff::civil::date(2026, 7, 1),
        );
        assert_eq!(again, "Acme Q1 (re-assessed 2026-07-01)");
        let long = "x".repeat(300);
        let name = reassessment_name(&long, day);
        assert!(crate::domain::session::validate_name(&name).is_ok());
        assert!(name.ends_with("(re-assessed 2026-04-15)"));
    }

    #[test]
    fn digests_follow_text_weight_and_critical_only() {
        let q = question("a", Category::Security, Stage::Storage);
        let d = question_digest(&q);
        assert_eq!(d.len(), DIGEST_HEX);
        let mut guidance = q.clone();
        guidance.guidance = "Reworded guidance.".into();
        assert_eq!(question_digest(&guidance), d);
        let mut critical = q.clone();
        critical.critical = true;
        assert_ne!(question_digest(&critical), d);
        let mut weight = q;
        weight.weight = 2;
        assert_ne!(question_digest(&weight), d);
    }
}
