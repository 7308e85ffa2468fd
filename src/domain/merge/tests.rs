//! The merge rules, one case each, and properties over generated sessions and pre-work:
//! idempotent, order-independent, never losing a vote or a note, conflicts listed and not
//! overwritten.

use super::*;
use crate::domain::framework::{Category, Stage};
use crate::domain::session::tests::{bank, question};
use proptest::prelude::*;

fn t(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_767_225_600 + seconds).unwrap()
}

fn people(names: &[&str]) -> Vec<Participant> {
    names
        .iter()
        .map(|n| Participant {
            name: (*n).into(),
            role: format!("role of {n}"),
        })
        .collect()
}

fn setup() -> (QuestionBank, Session) {
    let b = bank(vec![
        question("q1", Category::Security, Stage::Storage),
        question("q2", Category::Security, Stage::Storage),
        question("q3", Category::Privacy, Stage::Collection),
    ]);
    let mut s = Session::new("s1".into(), "Acme".into(), &b, t(0));
    s.participants = people(&["Maya", "Ben", "Chi"]);
    (b, s)
}

fn answer(a: Option<Answer>, notes: &str) -> PreworkAnswer {
    PreworkAnswer {
        answer: a,
        notes: notes.into(),
    }
}

fn file(who: &str, at: i64, answers: &[(&str, Option<Answer>, &str)]) -> Contribution {
    Contribution {
        label: format!("{who}.prework.ron"),
        origin: Origin::Prework {
            session: "s1".into(),
        },
        participant: Participant {
            name: who.into(),
            role: "from the file".into(),
        },
        updated: t(at),
        content_hash: "abc123".into(),
        assigned: 3,
        answers: answers
            .iter()
            .map(|(id, a, n)| ((*id).to_string(), answer(*a, n)))
            .collect(),
    }
}

fn run(s: &Session, b: &QuestionBank, files: &[Contribution], options: MergeOptions) -> Merged {
    merge(s, b, files, options, t(1000)).unwrap()
}

#[test]
fn answers_become_votes_and_notes_stay_attributed() {
    let (b, s) = setup();
    let maya = file(
        "Maya",
        10,
        &[
            ("q1", Some(Answer::Implemented), "approved base sets only"),
            ("q2", Some(Answer::Unknown), ""),
            ("q3", Some(Answer::NotApplicable), "no personal data"),
        ],
    );
    let m = run(&s, &b, &[maya], MergeOptions::default());
    assert!(m.changed);
    assert_eq!(m.session.updated, t(1000));
    let q1 = m.session.record("q1").unwrap();
    assert_eq!(q1.votes.get("Maya"), Some(&Answer::Implemented));
    assert_eq!(q1.answer, None, "pre-work never sets the agreed level");
    assert_eq!(
        q1.prework_notes.get("Maya").map(String::as_str),
        Some("approved base sets only")
    );
    assert_eq!(q1.notes, "", "the room's notes are left alone");
    let q3 = m.session.record("q3").unwrap();
    assert_eq!(q3.votes.get("Maya"), Some(&Answer::NotApplicable));
    assert_eq!(
        q3.prework_notes.get("Maya").map(String::as_str),
        Some("no personal data")
    );
    let summary = &m.summary.inputs[0];
    assert_eq!(summary.participant, "Maya");
    assert_eq!(
        (summary.new_votes, summary.notes, summary.unknown),
        (3, 2, 1)
    );
    assert_eq!(summary.not_applicable, 1);
    assert_eq!(
        m.summary.lines(),
        ["Maya  3 of 3 answered: 3 new votes, 2 notes, 1 Unknown  [Maya.prework.ron]"]
    );
    let receipt = m.session.prework.get("Maya").unwrap();
    assert_eq!((receipt.assigned, receipt.answered), (3, 3));
    assert_eq!(receipt.updated, t(10));
}

#[test]
fn other_sessions_and_unknown_people_are_refused_all_at_once() {
    let (b, s) = setup();
    let mut other = file("Maya", 10, &[("q1", Some(Answer::Designed), "")]);
    other.origin = Origin::Prework {
        session: "s2".into(),
    };
    let stranger = file("Zoe", 10, &[("q1", Some(Answer::Designed), "")]);
    let err = merge(&s, &b, &[other, stranger], MergeOptions::default(), t(1000)).unwrap_err();
    assert_eq!(err.0.len(), 2);
    let text = err.to_string();
    assert!(
        text.contains("Maya.prework.ron is pre-work for session s2, not for s1"),
        "{text}"
    );
    assert!(text.contains("\"Zoe\", who is not a participant"), "{text}");
    assert!(text.contains("(it has Maya, Ben, Chi)"), "{text}");
}

#[test]
fn unknown_people_join_with_add_participants() {
    let (b, s) = setup();
    let zoe = file("Zoe", 10, &[("q1", Some(Answer::Designed), "")]);
    let options = MergeOptions {
        add_participants: true,
        ..MergeOptions::default()
    };
    let m = run(&s, &b, &[zoe], options);
    assert_eq!(
        m.summary.added_participants,
        vec![Participant {
            name: "Zoe".into(),
            role: "from the file".into()
        }]
    );
    assert_eq!(m.session.participants.len(), 4);
    assert_eq!(
        m.session.record("q1").unwrap().votes.get("Zoe"),
        Some(&Answer::Designed)
    );
}

#[test]
fn names_match_ignoring_case_and_spaces() {
    let (b, s) = setup();
    let m = run(
        &s,
        &b,
        &[file(" maya ", 10, &[("q1", Some(Answer::Designed), "")])],
        MergeOptions::default(),
    );
    assert_eq!(
        m.session.record("q1").unwrap().votes.get("Maya"),
        Some(&Answer::Designed)
    );
}

#[test]
fn a_solo_session_counts_as_pre_work_but_not_the_session_itself() {
    let (b, s) = setup();
    let mut solo = Session::new("solo-1".into(), "Maya alone".into(), &b, t(5));
    solo.set_answer("q2", Some(Answer::Operating), t(6));
    solo.record_mut("q2").notes = "runs every night".into();
    let maya = Participant {
        name: "Maya".into(),
        role: String::new(),
    };
    let c = Contribution::from_solo("solo-1", &solo, maya.clone(), &b);
    assert_eq!(c.assigned, 3);
    let m = run(&s, &b, &[c], MergeOptions::default());
    let q2 = m.session.record("q2").unwrap();
    assert_eq!(q2.votes.get("Maya"), Some(&Answer::Operating));
    assert_eq!(
        q2.prework_notes.get("Maya").map(String::as_str),
        Some("runs every night")
    );
    let itself = Contribution::from_solo("s1", &s, maya, &b);
    let err = merge(&s, &b, &[itself], MergeOptions::default(), t(1000)).unwrap_err();
    assert!(
        err.to_string()
            .contains("s1 is the session being merged into")
    );
}

#[test]
fn a_room_vote_that_differs_is_kept_and_listed() {
    let (b, mut s) = setup();
    s.record_vote("q1", "Ben", Some(Answer::Implemented), t(1));
    let ben = file("Ben", 10, &[("q1", Some(Answer::AdHoc), "")]);
    let m = run(&s, &b, std::slice::from_ref(&ben), MergeOptions::default());
    let q1 = m.session.record("q1").unwrap();
    assert_eq!(q1.votes.get("Ben"), Some(&Answer::Implemented));
    assert_eq!(q1.prework_votes.get("Ben"), Some(&Answer::AdHoc));
    assert_eq!(
        m.summary.lines()[1..],
        [
            "1 conflict with votes recorded in the room:",
            "  q1  Ben: room 3, pre-work 1 (room's vote kept)"
        ]
    );
    assert_eq!(
        m.summary.conflicts,
        vec![Conflict {
            question: "q1".into(),
            participant: "Ben".into(),
            room: Answer::Implemented,
            prework: Answer::AdHoc,
            took_prework: false
        }]
    );
    // Asked again, the conflict is still listed, and --prefer prework takes the file's.
    let again = run(
        &m.session,
        &b,
        std::slice::from_ref(&ben),
        MergeOptions::default(),
    );
    assert!(!again.changed);
    assert_eq!(again.summary.conflicts.len(), 1);
    let prefer = MergeOptions {
        prefer_prework: true,
        ..MergeOptions::default()
    };
    let taken = run(&m.session, &b, std::slice::from_ref(&ben), prefer);
    assert_eq!(
        taken.session.record("q1").unwrap().votes.get("Ben"),
        Some(&Answer::AdHoc)
    );
    assert!(taken.summary.conflicts[0].took_prework);
}

#[test]
fn merging_the_same_file_twice_changes_nothing() {
    let (b, s) = setup();
    let maya = file("Maya", 10, &[("q1", Some(Answer::Designed), "note")]);
    let once = run(&s, &b, std::slice::from_ref(&maya), MergeOptions::default());
    let twice = run(
        &once.session,
        &b,
        std::slice::from_ref(&maya),
        MergeOptions::default(),
    );
    assert!(!twice.changed);
    assert_eq!(twice.session, once.session);
    assert_eq!(twice.summary.votes() + twice.summary.notes(), 0);
    // What the file holds is not said as if it were new.
    let unsure = file("Maya", 10, &[("q2", Some(Answer::Unknown), "")]);
    let once = run(
        &s,
        &b,
        std::slice::from_ref(&unsure),
        MergeOptions::default(),
    );
    let twice = run(&once.session, &b, &[unsure], MergeOptions::default());
    assert_eq!(
        twice.summary.lines(),
        ["Maya  1 of 3 answered: nothing new (it holds 1 Unknown)  [Maya.prework.ron]"]
    );
}

#[test]
fn newer_pre_work_replaces_what_came_from_older_and_older_is_skipped() {
    let (b, s) = setup();
    let v1 = file("Maya", 10, &[("q1", Some(Answer::Designed), "first")]);
    let v2 = file(
        "Maya",
        20,
        &[
            ("q1", Some(Answer::Operating), "second"),
            ("q2", Some(Answer::AdHoc), ""),
        ],
    );
    let forward = run(
        &run(&s, &b, std::slice::from_ref(&v1), MergeOptions::default()).session,
        &b,
        std::slice::from_ref(&v2),
        MergeOptions::default(),
    );
    assert_eq!(forward.summary.inputs[0].changed_votes, 1);
    assert_eq!(forward.summary.inputs[0].new_votes, 1);
    let first_v2 = run(&s, &b, &[v2], MergeOptions::default());
    let backward = run(&first_v2.session, &b, &[v1], MergeOptions::default());
    assert_eq!(
        backward.summary.inputs[0].status,
        Status::Superseded { newer: t(20) }
    );
    assert!(!backward.changed);
    assert_eq!(forward.session, backward.session);
    let q1 = forward.session.record("q1").unwrap();
    assert_eq!(q1.votes.get("Maya"), Some(&Answer::Operating));
    assert_eq!(
        q1.prework_notes.get("Maya").map(String::as_str),
        Some("second")
    );
}

#[test]
fn a_cleared_pre_work_answer_withdraws_its_vote_but_not_a_room_vote() {
    let (b, s) = setup();
    let v1 = file(
        "Maya",
        10,
        &[
            ("q1", Some(Answer::Designed), ""),
            ("q2", Some(Answer::Designed), ""),
        ],
    );
    let mut session = run(&s, &b, &[v1], MergeOptions::default()).session;
    // The room changes Maya's vote on q2.
    session.record_vote("q2", "Maya", Some(Answer::Operating), t(30));
    let v2 = file("Maya", 40, &[]);
    let m = run(&session, &b, &[v2], MergeOptions::default());
    assert_eq!(m.summary.inputs[0].withdrawn_votes, 1);
    assert!(m.session.record("q1").is_none());
    let q2 = m.session.record("q2").unwrap();
    assert_eq!(q2.votes.get("Maya"), Some(&Answer::Operating));
    assert!(q2.prework_votes.is_empty());
}

#[test]
fn a_vote_the_room_withdrew_stays_withdrawn() {
    let (b, s) = setup();
    let maya = file("Maya", 10, &[("q1", Some(Answer::Designed), "")]);
    let mut session = run(&s, &b, std::slice::from_ref(&maya), MergeOptions::default()).session;
    session.record_vote("q1", "Maya", None, t(30));
    let again = run(&session, &b, &[maya], MergeOptions::default());
    assert!(!again.changed);
    assert!(
        !again
            .session
            .record("q1")
            .unwrap()
            .votes
            .contains_key("Maya")
    );
}

#[test]
fn answers_to_unknown_questions_are_kept_as_orphans() {
    let (b, s) = setup();
    let maya = file(
        "Maya",
        10,
        &[
            ("q1", Some(Answer::Designed), ""),
            ("retired-7", Some(Answer::AdHoc), "old question"),
        ],
    );
    let m = run(&s, &b, &[maya], MergeOptions::default());
    assert_eq!(
        m.summary.orphans,
        vec![Orphan {
            question: "retired-7".into(),
            participant: "Maya".into(),
            answer: Some(Answer::AdHoc)
        }]
    );
    assert_eq!(m.session.orphaned(&b), ["retired-7"]);
    assert_eq!(
        m.session.record("retired-7").unwrap().votes.get("Maya"),
        Some(&Answer::AdHoc)
    );
}

#[test]
fn answers_outside_the_scope_and_other_content_are_counted() {
    let (b, mut s) = setup();
    s.categories.remove(&Category::Privacy);
    let mut maya = file("Maya", 10, &[("q3", Some(Answer::Designed), "")]);
    maya.content_hash = "other".into();
    let m = run(&s, &b, &[maya], MergeOptions::default());
    assert_eq!(m.summary.inputs[0].out_of_scope, 1);
    assert!(m.summary.inputs[0].other_content);
}

// ----- properties ----------------------------------------------------------------------------

const IDS: [&str; 5] = ["q1", "q2", "q3", "gone-1", "gone-2"];
const NAMES: [&str; 4] = ["Maya", "Ben", "Chi", "Dee"];

fn any_answer() -> impl Strategy<Value = Option<Answer>> {
    prop_oneof![
        1 => Just(None),
        6 => proptest::sample::select(Answer::ALL.to_vec()).prop_map(Some),
    ]
}

fn any_answers() -> impl Strategy<Value = BTreeMap<String, PreworkAnswer>> {
    proptest::collection::btree_map(
        proptest::sample::select(IDS.to_vec()).prop_map(str::to_string),
        (
            any_answer(),
            prop_oneof![Just(String::new()), "[a-z ]{1,8}"],
        )
            .prop_map(|(answer, notes)| PreworkAnswer { answer, notes }),
        0..IDS.len(),
    )
    .prop_map(|m| m.into_iter().filter(|(_, a)| !a.is_empty()).collect())
}

/// A session whose participants have voted in the room on some questions, with notes.
fn any_session() -> impl Strategy<Value = Session> {
    proptest::collection::vec(
        (
            proptest::sample::select(IDS[..3].to_vec()),
            proptest::sample::select(NAMES.to_vec()),
            proptest::sample::select(Answer::ALL.to_vec()),
        ),
        0..8,
    )
    .prop_map(|votes| {
        let (_, mut s) = setup();
        s.participants = people(&NAMES);
        for (id, name, vote) in votes {
            s.record_vote(id, name, Some(vote), t(1));
            s.record_mut(id).notes = format!("room note on {id}");
        }
        s
    })
}

/// One contribution per participant of a random subset, each with its own time.
fn any_files() -> impl Strategy<Value = Vec<Contribution>> {
    proptest::collection::vec((any_answers(), 0i64..50), NAMES.len()).prop_flat_map(|all| {
        let files: Vec<Contribution> = all
            .into_iter()
            .zip(NAMES)
            .map(|((answers, at), name)| Contribution {
                answers,
                ..file(name, at, &[])
            })
            .collect();
        proptest::sample::subsequence(files, 0..=NAMES.len()).prop_shuffle()
    })
}

fn options() -> impl Strategy<Value = MergeOptions> {
    any::<bool>().prop_map(|prefer_prework| MergeOptions {
        add_participants: false,
        prefer_prework,
    })
}

proptest! {
    #[test]
    fn merging_twice_is_merging_once(s in any_session(), files in any_files(), o in options()) {
        let (b, _) = setup();
        let once = run(&s, &b, &files, o);
        let twice = run(&once.session, &b, &files, o);
        prop_assert!(!twice.changed);
        prop_assert_eq!(twice.session, once.session);
    }

    #[test]
    fn the_order_of_merging_does_not_matter(
        s in any_session(),
        files in any_files(),
        o in options(),
    ) {
        let (b, _) = setup();
        let together = run(&s, &b, &files, o).session;
        let mut reversed = files.clone();
        reversed.reverse();
        prop_assert_eq!(&run(&s, &b, &reversed, o).session, &together);
        // One file at a time, in reverse order, with the same clock.
        let mut one_by_one = s.clone();
        for f in reversed {
            one_by_one = run(&one_by_one, &b, &[f], o).session;
        }
        prop_assert_eq!(one_by_one.records, together.records);
        prop_assert_eq!(one_by_one.prework, together.prework);
    }

    #[test]
    fn versions_of_one_persons_pre_work_merge_to_the_newest_in_any_order(
        versions in proptest::collection::vec((any_answers(), 0i64..5), 1..4),
    ) {
        let (b, s) = setup();
        let files: Vec<Contribution> = versions
            .into_iter()
            .map(|(answers, at)| Contribution { answers, ..file("Maya", at, &[]) })
            .collect();
        let mut forward = s.clone();
        for f in &files {
            forward = run(&forward, &b, std::slice::from_ref(f), MergeOptions::default()).session;
        }
        let mut backward = s.clone();
        for f in files.iter().rev() {
            backward = run(&backward, &b, std::slice::from_ref(f), MergeOptions::default()).session;
        }
        prop_assert_eq!(&forward.records, &backward.records);
        prop_assert_eq!(&forward.prework, &backward.prework);
        prop_assert_eq!(&run(&s, &b, &files, MergeOptions::default()).session.records, &forward.records);
    }

    #[test]
    fn no_vote_or_note_is_lost_and_conflicts_are_listed(
        s in any_session(),
        files in any_files(),
    ) {
        let (b, _) = setup();
        let m = run(&s, &b, &files, MergeOptions::default());
        for (id, before) in &s.records {
            let after = m.session.record(id);
            prop_assert!(after.is_some());
            let after = after.unwrap();
            // The room's notes and votes are all still there.
            prop_assert_eq!(&after.notes, &before.notes);
            prop_assert_eq!(after.answer, before.answer);
            for (name, vote) in &before.votes {
                prop_assert_eq!(after.votes.get(name), Some(vote));
            }
        }
        for f in &files {
            let name = &f.participant.name;
            for (id, a) in &f.answers {
                let record = m.session.record(id);
                prop_assert!(record.is_some(), "the answer to {} was lost", id);
                let record = record.unwrap();
                prop_assert_eq!(record.prework_votes.get(name).copied(), a.answer);
                let notes = record.prework_notes.get(name).cloned().unwrap_or_default();
                prop_assert_eq!(&notes, &a.notes);
                let room = s.record(id).and_then(|r| r.votes.get(name)).copied();
                match (room, a.answer) {
                    (Some(room), Some(prework)) if room != prework => {
                        let listed = Conflict {
                            question: id.clone(),
                            participant: name.clone(),
                            room,
                            prework,
                            took_prework: false,
                        };
                        prop_assert!(m.summary.conflicts.contains(&listed), "{:?}", listed);
                    }
                    (None, Some(prework)) => {
                        prop_assert_eq!(record.votes.get(name), Some(&prework));
                    }
                    _ => {}
                }
            }
        }
    }
}
