//! The workshop loop with the real binary, in pseudo-terminals and a temporary data folder:
//! a session with three participants, `aiready prework`, each file answered in the question
//! screen, `aiready merge` of the folder, the votes and notes in the session, the triage agenda
//! with the disagreement first, the consensus accepted, the Markdown report; and a second window
//! following the facilitator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::scale::Answer;
use aiready::domain::session::{Participant, Session};
use aiready::store::{FileStore, SessionStore};
use common::pty::{ESC, Pty, RIGHT};
use jiff::Timestamp;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const ID: &str = "2026-01-01-acme-bot-000001";

fn aiready(args: &[&str], home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aiready"))
        .args(args)
        .current_dir(home)
        .env("AIREADY_DATA_DIR", home.join("data"))
        .env("AIREADY_CONFIG_DIR", home.join("config"))
        .output()
        .expect("the binary runs")
}

/// A workshop session with Ana, Ben and Chi in `home/data`; the first three questions asked.
fn workshop(home: &Path) -> Vec<String> {
    let bank = aiready::content::builtin().unwrap();
    let t0 = Timestamp::from_second(1_767_225_600).unwrap();
    let mut session = Session::new(ID.into(), "Acme bot".into(), bank, t0);
    session.facilitator = "Dana".into();
    session.participants = [("Ana", "ML"), ("Ben", "security"), ("Chi", "legal")]
        .iter()
        .map(|(name, role)| Participant {
            name: (*name).into(),
            role: (*role).into(),
        })
        .collect();
    drop(FileStore::new(home.join("data")).create(&session).unwrap());
    session
        .applicable_questions(bank)
        .iter()
        .take(3)
        .map(|q| q.id.clone())
        .collect()
}

/// Answers a participant's pre-work file through the question screen: `keys` in order, each
/// after the screen showed the question it is for.
fn answer_prework(home: &Path, who: &str, keys: &[&str]) {
    let file = format!("pw/{ID}--{who}.prework.ron");
    let mut app = Pty::spawn(&["open", &file], home, &[]);
    app.wait_for("pre-work for Acme bot as");
    for (i, key) in keys.iter().enumerate() {
        app.wait_for(&format!("question {} of", i + 1));
        app.send(key);
    }
    app.wait_for(&format!("{} of", keys.len()));
    app.send("q");
    assert!(app.wait_exit().success());
    app.assert_restored();
}

#[test]
fn pre_work_merged_triaged_agreed_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let ids = workshop(home);

    let out = aiready(&["prework", ID, "-o", "pw"], home);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Ana writes a note on the first question, then answers 3, 3 and Unknown.
    let file = format!("pw/{ID}--ana.prework.ron");
    let mut ana = Pty::spawn(&["open", &file], home, &[]);
    ana.wait_for("pre-work for Acme bot as Ana");
    ana.send("e");
    ana.wait_for("Enter: new line");
    ana.send("approved for the base set only");
    ana.send(ESC);
    ana.wait_for("Notes            approved for the base set only");
    for (i, key) in ["3", "3", "k"].iter().enumerate() {
        ana.wait_for(&format!("question {} of", i + 1));
        ana.send(key);
    }
    ana.wait_for("question 4 of");
    ana.send("q");
    assert!(ana.wait_exit().success());
    // Ben answers 1, 3, 2; Chi 2, 3, 2.
    answer_prework(home, "ben", &["1", "3", "2"]);
    answer_prework(home, "chi", &["2", "3", "2"]);

    let out = aiready(&["merge", ID, "pw"], home);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8_lossy(&out.stdout);
    for line in [
        "Ana  3 of ",
        "Ben  3 of ",
        "Chi  3 of ",
        "3 new votes, 1 note, 1 Unknown",
    ] {
        assert!(summary.contains(line), "{line:?} missing from:\n{summary}");
    }

    // The session shows each person's vote and Ana's note.
    let mut app = Pty::spawn(&["open", ID], home, &[]);
    app.wait_for("question 1 of");
    app.wait_for("Ana (ML) 3   Ben (security) 1   Chi (legal) 2   spread 2 ! discuss");
    app.wait_for("Ana, pre-work: approved for the base set only");
    // The triage agenda lists the disagreement first, then the Unknown.
    app.send("T");
    app.wait_for("Triage agenda");
    app.wait_until("the disagreement first", |screen| {
        let first = screen.find("votes from 1 to 3");
        let unknown = screen.find("Unknown: Ana");
        matches!((first, unknown), (Some(a), Some(b)) if a < b)
    });
    assert!(app.screen().contains(&ids[0]));
    // Accepting the consensus agrees on the unanimous question only.
    app.send("c");
    app.wait_for("1 question without an agreed level");
    app.send("y");
    app.wait_for("Agreed 1 question from pre-work.");
    app.wait_for("Agreed 1 of ");
    app.send("q");
    assert!(app.wait_exit().success());
    app.assert_restored();

    let session = FileStore::new(home.join("data")).load(ID).unwrap();
    let agreed = session.record(&ids[1]).unwrap();
    assert_eq!(agreed.answer, Some(Answer::Implemented));
    assert!(agreed.from_prework);
    assert_eq!(session.answer(&ids[0]), None);
    assert_eq!(session.answer(&ids[2]), None);

    // The Markdown report shows the votes, the pre-work notes, who did pre-work, and the
    // level agreed from pre-work.
    let out = aiready(&["export", ID], home);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8_lossy(&out.stdout);
    for text in [
        "Ana 3, Ben 1, Chi 2",
        "Ana, pre-work: approved for the base set only",
        "agreed from pre-work",
        "| Ana | ML | 3 of ",
    ] {
        assert!(report.contains(text), "{text:?} missing from the report");
    }
}

#[test]
fn a_following_window_sees_the_facilitator_move_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    workshop(home);
    let mut facilitator = Pty::spawn(&["open", ID], home, &[]);
    facilitator.wait_for("question 1 of");
    let mut screen = Pty::spawn(&["open", ID, "--follow"], home, &[]);
    screen.wait_for("FOLLOWING");
    screen.wait_for("question 1 of");

    // The facilitator moves on; the following window goes along.
    facilitator.send(RIGHT);
    facilitator.wait_for("question 2 of");
    let moved = Instant::now();
    screen.wait_for("question 2 of");
    // Generous for a busy machine; the window checks for saves four times a second.
    assert!(
        moved.elapsed() < Duration::from_secs(5),
        "{:?}",
        moved.elapsed()
    );

    // An answer shows up too, and the window follows to the next question.
    facilitator.send("4");
    facilitator.wait_for("question 3 of");
    screen.wait_for("question 3 of");
    screen.send("h");
    screen.wait_for("FOLLOWING PAUSED");
    screen.wait_for("[4 Operating]");
    screen.send("F");
    screen.wait_for("question 3 of");

    // Nothing can be changed from the following window.
    screen.send("2");
    screen.wait_for("this window follows the facilitator");

    screen.send("q");
    assert!(screen.wait_exit().success());
    facilitator.send("q");
    assert!(facilitator.wait_exit().success());
    let session = FileStore::new(home.join("data")).load(ID).unwrap();
    assert_eq!(session.records.len(), 1);
}
