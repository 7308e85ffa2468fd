//! A session over the built-in questionnaires that uses every feature a report shows: votes
//! with disagreements, N/A with justifications, Unknown answers, flags, notes, evidence,
//! actions with owners and due dates, hidden questions, an out-of-scope category, an orphaned
//! answer, time per section and an agenda.

use aiready::content;
use aiready::domain::framework::{Category, Stage};
use aiready::domain::questionnaire::QuestionBank;
use aiready::domain::scale::Answer;
use aiready::domain::session::{Mode, Participant, Session, Target};
use aiready::report::Options;
use jiff::Timestamp;
use jiff::civil::Date;

/// The id of the fixture session.
pub const ID: &str = "2026-01-15-acme-support-bot-0a1b2c";

/// The orphaned question id.
pub const ORPHAN: &str = "sec-retired-99";

/// People's names in the fixture; none may survive `--anonymize`.
pub const NAMES: [&str; 4] = [
    "Fiona Fairweather",
    "Ana Alvarez",
    "Ben Okafor",
    "Chi Nakamura",
];

/// The built-in bank.
pub fn bank() -> &'static QuestionBank {
    content::builtin().expect("the built-in content loads")
}

/// A fixed time, so reports do not change between runs.
pub fn fixed_time() -> Timestamp {
    "2026-01-15T10:30:00Z".parse().unwrap()
}

/// Report options with the generation time fixed.
pub fn options() -> Options {
    Options {
        generated: "2026-02-01T09:00:00Z".parse().unwrap(),
        ..Options::now()
    }
}

/// The answers cycled over the applicable questions.
const CYCLE: [Answer; 10] = [
    Answer::Operating,
    Answer::Implemented,
    Answer::Designed,
    Answer::AdHoc,
    Answer::NotInPlace,
    Answer::Operating,
    Answer::Implemented,
    Answer::NotApplicable,
    Answer::Unknown,
    Answer::Operating,
];

/// The fixture session.
pub fn session() -> Session {
    let bank = bank();
    let t = fixed_time();
    let mut s = Session::new(ID.into(), "Acme support bot".into(), bank, t);
    s.organisation = "Acme Ltd".into();
    s.system = "Support chat assistant".into();
    s.target = Target::Type2;
    s.mode = Mode::Workshop;
    s.facilitator = NAMES[0].into();
    s.participants = vec![
        Participant {
            name: NAMES[1].into(),
            role: "ML engineer".into(),
        },
        Participant {
            name: NAMES[2].into(),
            role: "security".into(),
        },
        Participant {
            name: NAMES[3].into(),
            role: "legal".into(),
        },
    ];
    s.scoping.insert("trains_on_customer_data".into(), false);
    s.categories.remove(&Category::Confidentiality);

    let applicable: Vec<String> = s
        .applicable_questions(bank)
        .iter()
        .map(|q| q.id.clone())
        .collect();
    for (i, id) in applicable.iter().enumerate() {
        if i % 11 == 10 {
            // Left open; every third open question is flagged.
            if i % 3 == 0 {
                s.record_mut(id).discuss_later = true;
            }
            continue;
        }
        let answer = CYCLE[i % CYCLE.len()];
        s.set_answer(id, Some(answer), t);
        let r = s.record_mut(id);
        if answer == Answer::NotApplicable {
            r.notes =
                format!("Justification {id}: this part of the lifecycle is run by the customer");
        } else if i % 3 == 0 {
            r.notes = format!("Note {id}: approval exists for the base data set only");
        }
        if i % 4 == 0 {
            r.action.evidence = vec![
                format!("TICKET-{}", 100 + i),
                format!("Policy register entry {id}"),
            ];
        }
        if i % 5 == 0 || answer == Answer::Unknown {
            r.action.owner = NAMES[1 + i % 3].into();
            r.action.due = Some(Date::new(2027, 1 + (i % 12) as i8, 1 + (i % 28) as i8).unwrap());
            // Some actions say what is to be done and where they stand.
            if i % 4 == 0 {
                r.action.what = format!("Write and approve procedure {i} | with a *pipe*");
                r.action.status = aiready::domain::session::ActionStatus::InProgress;
                r.action.status_date = Some(Date::new(2026, 1, 2).unwrap());
            }
            if i % 10 == 0 {
                r.action.status =
                    aiready::domain::session::ActionStatus::WontDo("accepted risk".into());
            }
        }
        if i % 13 == 0 {
            r.discuss_later = true;
        }
    }
    // A multi-line note with list-like lines.
    if let Some(first) = applicable.first() {
        s.record_mut(first).notes =
            "Reviewed in the workshop.\nSecond line of the note\n- with a dash".into();
    }
    // Votes: agreement on some, disagreement (spread 2 and more) on others.
    let votes: [[Answer; 3]; 4] = [
        [Answer::Implemented, Answer::AdHoc, Answer::Designed],
        [Answer::Operating, Answer::Operating, Answer::Implemented],
        [Answer::Operating, Answer::NotInPlace, Answer::Unknown],
        [Answer::Designed, Answer::Designed, Answer::NotApplicable],
    ];
    for (id, row) in applicable.iter().zip(votes) {
        for (p, vote) in NAMES[1..].iter().zip(row) {
            s.record_vote(id, p, Some(vote), t);
        }
    }
    // An answer to a question hidden by scoping (kept, not scored).
    if let Some(hidden) = bank
        .questions()
        .find(|q| !applicable.contains(&q.id) && q.category == Category::Security)
    {
        s.set_answer(&hidden.id, Some(Answer::AdHoc), t);
        s.record_mut(&hidden.id).notes =
            format!("Hidden note {}: answered before scoping", hidden.id);
    }
    // An answer to a question the questionnaires no longer have.
    s.set_answer(ORPHAN, Some(Answer::Designed), t);
    let orphan = s.record_mut(ORPHAN);
    orphan.notes = "Orphan note: the old key rotation question".into();
    orphan.action.evidence = vec!["KMS-ROTATION-2025".into()];
    orphan.action.owner = NAMES[2].into();
    orphan.action.due = Some(Date::new(2027, 3, 31).unwrap());
    orphan.discuss_later = true;

    s.add_time(Category::Security, Stage::Governance, 751);
    s.add_time(Category::Security, Stage::Storage, 420);
    s.set_planned_minutes(Category::Security, Stage::Governance, Some(15));
    s.set_planned_minutes(Category::Privacy, Stage::Collection, Some(10));
    s.updated = "2026-01-15T12:00:00Z".parse().unwrap();
    s
}

/// Hostile strings a person could type: every one must come out as plain text.
pub const HOSTILE: [&str; 10] = [
    "a | b || c",
    "line one\nline two\r\nline three",
    "`code` and ```fence```",
    "<script>alert('x')</script>",
    "[click](javascript:alert(1))",
    "# not a heading",
    "> not a quote",
    "- not a list",
    "=HYPERLINK(\"http://evil\")",
    "| --- | --- |\n|x|y|",
];

/// The fixture with hostile text in every field a person can type.
pub fn hostile_session() -> Session {
    let mut s = session();
    let h = |i: usize| HOSTILE[i % HOSTILE.len()].to_string();
    s.name = "Acme <b>|</b> # bot".into();
    s.organisation = h(0);
    s.system = h(4);
    s.facilitator = h(5);
    for (i, p) in s.participants.iter_mut().enumerate() {
        p.role = h(i + 6);
    }
    for (i, r) in s.records.values_mut().enumerate() {
        r.notes = format!("{}\n{}", h(i), h(i + 3));
        r.action.evidence = vec![h(i + 1), h(i + 2)];
        if !r.action.owner.is_empty() {
            r.action.owner = h(i + 7);
        }
    }
    s
}
