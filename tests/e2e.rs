//! The real binary in a pseudo-terminal: create a session, answer with notes, quit, come back
//! and find everything; export a report from the list; the terminal is restored after quit,
//! Ctrl-C and a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::pty::{CTRL_C, CTRL_S, ESC, LEFT, Pty};

#[test]
fn answers_and_notes_survive_quit_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = Pty::spawn(&[], dir.path(), &[]);
    app.wait_for("No sessions yet");
    app.send("n");
    app.wait_for("New session");
    app.send("Pty check");
    app.send(CTRL_S);
    app.wait_for("question 1 of");
    for (i, level) in ["3", "1", "4"].iter().enumerate() {
        app.wait_for(&format!("question {} of", i + 1));
        app.send("e");
        app.wait_for("Enter: new line");
        app.send(&format!("note number {}", i + 1));
        app.send(ESC);
        app.wait_for(&format!("Notes            note number {}", i + 1));
        app.send(level);
    }
    app.wait_for("question 4 of");
    app.send("q");
    assert!(app.wait_exit().success());
    app.assert_restored();

    // Start again, open the session from the list, walk back over the three answers.
    let mut app = Pty::spawn(&[], dir.path(), &[]);
    app.wait_for("Pty check");
    app.wait_for("3/");
    app.send("\r");
    // It opens on the first unanswered question.
    app.wait_for("question 4 of");
    for (i, name) in ["4 Operating", "1 Ad hoc", "3 Implemented"]
        .iter()
        .enumerate()
    {
        app.send(LEFT);
        let n = 3 - i;
        app.wait_for(&format!("question {n} of"));
        app.wait_for(&format!("[{name}]"));
        app.wait_for(&format!("note number {n}"));
    }
    app.send(CTRL_C);
    assert!(app.wait_exit().success());
    app.assert_restored();
}

#[test]
fn open_by_name_goes_straight_to_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aiready"))
        .args(["new", "--name", "Straight in", "--no-tui"])
        .env("AIREADY_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut app = Pty::spawn(&["open", "Straight in"], dir.path(), &[]);
    app.wait_for("Straight in");
    app.wait_for("question 1 of");
    app.send("q");
    assert!(app.wait_exit().success());
    app.assert_restored();
}

#[test]
fn a_report_is_exported_from_the_list_of_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aiready"))
        .args(["new", "--name", "Export me", "--no-tui"])
        .env("AIREADY_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut app = Pty::spawn(&[], dir.path(), &[]);
    app.wait_for("Export me");
    app.send("x");
    app.wait_for("Export a report");
    app.wait_for("-report.md");
    app.send("\r");
    app.wait_for("Wrote the Markdown report to");
    let reports: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("-report.md"))
        .collect();
    assert_eq!(reports.len(), 1, "{reports:?}");
    let text = std::fs::read_to_string(&reports[0]).unwrap();
    assert!(text.contains("Export me"));
    assert!(text.contains("\n## "));
    // A second export of the same file asks first, and n keeps it.
    app.send("x");
    app.wait_for("Export a report");
    app.send("\r");
    app.wait_for("Overwrite it?");
    app.send("n");
    app.wait_for("Nothing was written");
    app.send(ESC);
    assert_eq!(std::fs::read_to_string(&reports[0]).unwrap(), text);
    app.send("q");
    assert!(app.wait_exit().success());
    app.assert_restored();
}

#[test]
fn a_second_process_gets_the_session_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = Pty::spawn(&["new", "--name", "Shared"], dir.path(), &[]);
    first.wait_for("question 1 of");
    let mut second = Pty::spawn(&["open", "Shared"], dir.path(), &[]);
    second.wait_for("READ-ONLY");
    second.send("3");
    second.wait_for("Read-only");
    second.send("q");
    assert!(second.wait_exit().success());
    first.send("q");
    assert!(first.wait_exit().success());
}

#[test]
fn ctrl_c_on_the_home_screen_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = Pty::spawn(&[], dir.path(), &[]);
    app.wait_for("No sessions yet");
    app.send(CTRL_C);
    assert!(app.wait_exit().success());
    app.assert_restored();
}

#[test]
fn a_panic_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = Pty::spawn(&[], dir.path(), &[("AIREADY_TEST_PANIC", "1")]);
    let status = app.wait_exit();
    assert!(!status.success());
    app.assert_restored();
    // The error report is printed on the restored screen, after the alternate screen was left.
    let raw = String::from_utf8_lossy(&app.raw.lock().unwrap()).to_string();
    let left = raw.rfind("\x1b[?1049l").unwrap();
    assert!(raw[left..].contains("panic requested"), "{}", &raw[left..]);
}

#[test]
fn a_small_terminal_shows_a_message_and_recovers_on_resize() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = Pty::spawn(&[], dir.path(), &[]);
    app.wait_for("No sessions yet");
    app.resize(20, 70);
    app.wait_for("too small");
    app.wait_for("this one is 70 x 20");
    app.resize(24, 80);
    app.wait_for("No sessions yet");
    app.send("q");
    assert!(app.wait_exit().success());
    app.assert_restored();
}

#[test]
fn without_a_terminal_the_error_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aiready"))
        .env("AIREADY_DATA_DIR", dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("needs a terminal"), "{stderr}");
}
