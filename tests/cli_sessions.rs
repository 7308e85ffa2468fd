//! `aiready new` and `aiready sessions ...`, run through the built binary against a temporary
//! data directory.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aiready::domain::scale::Answer;
use aiready::store::{FileStore, SessionStore};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn aiready_with_input(args: &[&str], home: &Path, input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aiready"))
        .args(args)
        .current_dir(home)
        .env("AIREADY_DATA_DIR", home.join("data"))
        .env("AIREADY_CONFIG_DIR", home.join("config"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // A command that never reads its input may have exited already: a closed pipe here is
    // not a failure.
    let written = child.stdin.take().unwrap().write_all(input.as_bytes());
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

fn aiready(args: &[&str], home: &Path) -> Output {
    aiready_with_input(args, home, "")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn new_session(home: &Path, args: &[&str]) -> String {
    let mut all = vec!["new"];
    all.extend_from_slice(args);
    all.push("--no-tui");
    let out = aiready(&all, home);
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().to_string();
    assert!(aiready::store::is_valid_id(&id), "{id}");
    id
}

#[test]
fn new_creates_a_session_and_prints_its_id() {
    let home = tempfile::tempdir().unwrap();
    let id = new_session(
        home.path(),
        &[
            "--name",
            "Acme support bot",
            "--org",
            "Acme",
            "--system",
            "Support chat assistant",
            "--target",
            "type1",
            "--mode",
            "solo",
        ],
    );
    assert!(id.contains("-acme-support-bot-"), "{id}");
    let store = FileStore::new(home.path().join("data"));
    let s = store.load(&id).unwrap();
    assert_eq!(s.name, "Acme support bot");
    assert_eq!(s.organisation, "Acme");
    assert_eq!(s.system, "Support chat assistant");
    assert_eq!(s.target, aiready::domain::session::Target::Type1);
    assert_eq!(s.mode, aiready::domain::session::Mode::Solo);
    assert_eq!(
        s.content_hash,
        aiready::content::builtin().unwrap().content_hash
    );
    // The lock was released: the session can be opened for writing.
    assert!(store.open(&id).is_ok());
}

#[test]
fn bad_names_and_values_are_refused_and_nothing_is_written() {
    let home = tempfile::tempdir().unwrap();
    let long = "x".repeat(300);
    for (name, message) in [
        ("a\u{1}b", "control characters"),
        ("line\nbreak", "control characters"),
        (long.as_str(), "at most 200 characters"),
        ("   ", "needs a name"),
    ] {
        let out = aiready(&["new", "--name", name, "--no-tui"], home.path());
        assert_eq!(out.status.code(), Some(1), "{name:?}");
        assert!(stderr(&out).contains(message), "{name:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty());
    }
    let out = aiready(&["new", "--name", "x", "--target", "type3"], home.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("type3"));
    assert!(!home.path().join("data").exists());
}

#[test]
fn hostile_names_stay_in_the_data_dir() {
    let home = tempfile::tempdir().unwrap();
    for name in ["../x", "/etc/passwd", "Сессия", "日本語", ".."] {
        let id = new_session(home.path(), &["--name", name]);
        let out = aiready(&["sessions", "show", name], home.path());
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert!(stdout(&out).contains(&id));
    }
    let top: Vec<String> = std::fs::read_dir(home.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(top, ["data"]);
    let out = aiready(&["sessions", "show", "../../etc/passwd"], home.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no session has the id or name"));
}

#[test]
fn list_shows_every_session() {
    let home = tempfile::tempdir().unwrap();
    let out = aiready(&["sessions", "list"], home.path());
    assert!(out.status.success());
    assert!(stdout(&out).contains("No sessions in"), "{}", stdout(&out));

    let a = new_session(home.path(), &["--name", "Alpha"]);
    let b = new_session(home.path(), &["--name", "Beta", "--mode", "solo"]);
    let out = aiready(&["sessions", "list"], home.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let header = text.lines().next().unwrap();
    for column in ["NAME", "ID", "MODE", "UPDATED", "DONE", "SCORE"] {
        assert!(header.contains(column), "{header}");
    }
    let alpha = text.lines().find(|l| l.starts_with("Alpha")).unwrap();
    assert!(alpha.contains(&a) && alpha.contains("workshop") && alpha.contains("0%"));
    let beta = text.lines().find(|l| l.starts_with("Beta")).unwrap();
    assert!(beta.contains(&b) && beta.contains("solo"));
    assert!(stderr(&out).is_empty());
}

#[test]
fn show_prints_scores_verdicts_and_gaps() {
    let home = tempfile::tempdir().unwrap();
    let id = new_session(home.path(), &["--name", "Scored", "--target", "type2"]);
    let store = FileStore::new(home.path().join("data"));
    let bank = aiready::content::builtin().unwrap();
    let (mut s, lock) = store.open(&id).unwrap();
    s.categories.clear(); // only Security and AI risk
    for q in bank.questions() {
        // Questions shared with Security count there too, so they get Security's answer.
        let level = if q.belongs_to(aiready::domain::framework::Category::Security) {
            Answer::Operating
        } else {
            Answer::Designed
        };
        s.set_answer(&q.id, Some(level), s.updated);
    }
    s.set_answer("retired-question", Some(Answer::AdHoc), s.updated);
    store.save(&lock, &s).unwrap();
    drop(lock);

    for key in [id.as_str(), "Scored"] {
        let out = aiready(&["sessions", "show", key], home.path());
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        let security = text.lines().find(|l| l.starts_with("Security")).unwrap();
        assert!(
            security.contains("100") && security.contains("Type 2 ready"),
            "{security}"
        );
        let ai = text.lines().find(|l| l.starts_with("AI risk")).unwrap();
        // AI risk is outside the SOC 2 commitments: a maturity verdict. 40 questions of weight
        // 91 at 50 points, and 2 shared with Security (weight 5) at 100:
        // (91 x 50 + 5 x 100) / 96 = 52.6.
        assert!(ai.contains(" 52 ") && ai.contains("Partly managed"), "{ai}");
        assert!(!text.contains("Privacy"), "{text}");
        // The overall SOC 2 verdict is Security's; the score is the mean of both categories.
        assert!(text.contains("overall       76   Type 2 ready"), "{text}");
        assert!(
            text.contains("the plain mean of 2 category scores, counting answered questions only"),
            "{text}"
        );
        assert!(
            text.contains("Top gaps against Type 2 (level 4), 10 of"),
            "{text}"
        );
        assert!(text.contains("Next: "), "{text}");
        assert!(text.contains("retired-question"), "{text}");
    }
}

#[test]
fn delete_without_a_terminal_needs_yes() {
    let home = tempfile::tempdir().unwrap();
    let id = new_session(home.path(), &["--name", "Doomed"]);
    let store = FileStore::new(home.path().join("data"));

    // Standard input is a pipe: nobody can answer, so the command stops at once, even with a
    // "y" waiting in the pipe.
    for input in ["n\n", "", "y\n"] {
        let out = aiready_with_input(&["sessions", "delete", "Doomed"], home.path(), input);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("--yes (-y)"), "{}", stderr(&out));
        assert!(store.load(&id).is_ok());
    }

    let out = aiready(&["sessions", "delete", &id, "-y"], home.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Deleted session \"Doomed\""));
    assert!(store.load(&id).is_err());

    let id = new_session(home.path(), &["--name", "Doomed too"]);
    let out = aiready(&["sessions", "delete", "Doomed too", "--yes"], home.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(store.load(&id).is_err());

    let out = aiready(&["sessions", "delete", "Doomed too", "--yes"], home.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no session has the id or name \"Doomed too\""));
}

#[test]
fn a_session_open_elsewhere_is_not_deleted() {
    let home = tempfile::tempdir().unwrap();
    let id = new_session(home.path(), &["--name", "Busy"]);
    let store = FileStore::new(home.path().join("data"));
    let (_s, lock) = store.open(&id).unwrap();
    let out = aiready(&["sessions", "delete", &id, "--yes"], home.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("is open in another aiready process"), "{err}");
    assert!(err.contains("\"Busy\""), "{err}");
    assert!(store.load(&id).is_ok());
    drop(lock);
}

#[test]
fn corrupt_sessions_are_reported_and_left_alone() {
    let home = tempfile::tempdir().unwrap();
    let good = new_session(home.path(), &["--name", "Good"]);
    let bad = new_session(home.path(), &["--name", "Bad"]);
    let store = FileStore::new(home.path().join("data"));
    let path = store.path(&bad);
    let text = std::fs::read(&path).unwrap();
    let truncated = &text[..text.len() / 2];
    std::fs::write(&path, truncated).unwrap();

    let out = aiready(&["sessions", "list"], home.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains(&good));
    assert!(
        stderr(&out).contains(&path.display().to_string()),
        "{}",
        stderr(&out)
    );

    let out = aiready(&["sessions", "show", &bad], home.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("is not a session file aiready can read"),
        "{err}"
    );
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), truncated);

    let newer = String::from_utf8(text).unwrap().replace(
        &format!("schema_version: {}", aiready::store::SCHEMA_VERSION),
        "schema_version: 9",
    );
    std::fs::write(&path, &newer).unwrap();
    let out = aiready(&["sessions", "show", &bad], home.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("newer version of aiready"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), newer);
}

#[test]
fn new_without_a_terminal_refuses_before_creating_anything() {
    let home = tempfile::tempdir().unwrap();
    let out = aiready(&["new", "--name", "Redirected"], home.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("needs a terminal"),
        "{}",
        stderr(&out)
    );
    let store = FileStore::new(home.path().join("data"));
    let sessions = store.list().expect("the data directory can be listed");
    assert!(sessions.is_empty(), "created: {:?}", sessions[0].id);
}
