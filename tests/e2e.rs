//! The real binary in a pseudo-terminal: create a session, answer with notes, quit, come back
//! and find everything; export a report from the list; the terminal is restored after quit,
//! Ctrl-C and a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::pty::{CTRL_C, CTRL_S, CTRL_U, ESC, LEFT, Pty, RIGHT};
use std::path::Path;

#[test]
fn answers_and_notes_survive_quit_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = Pty::spawn(&[], dir.path(), &[]);
    app.wait_for("No sessions yet");
    app.send("s");
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

/// `open` with an exact id reads that session only: the others are not listed (no summary is
/// made for them) unless the list of sessions is shown.
#[test]
fn open_by_id_reads_only_that_session() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let new = |name: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_aiready"))
            .args(["new", "--name", name, "--no-tui"])
            .env("AIREADY_DATA_DIR", &data)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let opened = new("Opened");
    let other = new("Other");
    // Summaries are kept only for session files that changed more than a second ago.
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    let summary = data.join(format!(".{other}.summary"));

    let mut app = Pty::spawn(&["open", &opened], dir.path(), &[]);
    app.wait_for("question 1 of");
    app.send("q");
    assert!(app.wait_exit().success());
    assert!(!summary.exists(), "open read the other session");

    // The list of sessions does read it.
    let mut app = Pty::spawn(&[], dir.path(), &[]);
    app.wait_for("Other");
    app.send("q");
    assert!(app.wait_exit().success());
    assert!(summary.exists());
}

/// Keys typed before the first frame, while the built-in questionnaires are not decoded yet,
/// are neither lost nor a cause of a panic: here the session is opened from the list and its
/// first question answered, all typed at once as the program starts.
#[test]
fn keys_typed_before_the_first_frame_are_all_handled() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aiready"))
        .args(["new", "--name", "Typed ahead", "--no-tui"])
        .env("AIREADY_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut app = Pty::spawn(&[], dir.path(), &[]);
    app.send("o3");
    app.wait_for("question 2 of");
    app.wait_for("Typed ahead");
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
    // Esc and q read together would be Alt-q: q goes only once the popup has closed.
    app.wait_gone("Export a report");
    assert_eq!(std::fs::read_to_string(&reports[0]).unwrap(), text);
    app.send("q");
    assert!(app.wait_exit().success());
    app.assert_restored();
}

#[test]
fn a_reassessment_confirms_one_answer_changes_another_and_shows_both() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aiready"))
        .args(["new", "--name", "Before", "--no-tui"])
        .env("AIREADY_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut app = Pty::spawn(&["open", "Before"], dir.path(), &[]);
    for (i, level) in ["3", "1", "4"].iter().enumerate() {
        app.wait_for(&format!("question {} of", i + 1));
        app.send(level);
    }
    app.wait_for("question 4 of");
    app.send("q");
    assert!(app.wait_exit().success());

    // Re-assess from the list of sessions.
    let mut app = Pty::spawn(&[], dir.path(), &[]);
    app.wait_for("Before");
    app.send("r");
    app.wait_for("3 answer(s) carried over to confirm");
    // The next answer to confirm is the first question; one key confirms it and moves on.
    app.send("C");
    app.wait_for("question 1 of");
    app.wait_for("carried over: confirm.");
    app.send("c");
    app.wait_for("Confirmed; this is the next carried-over answer.");
    app.wait_for("question 2 of");
    app.wait_for("[1 Ad hoc]");
    // The second one the room changes.
    app.send("4");
    app.wait_for("question 3 of");
    app.send("r");
    app.wait_for("since \"Before\": overall +");
    app.wait_for("1 question(s) moved, 1 answer(s) carried over to confirm");
    let security = app
        .screen()
        .lines()
        .find(|l| l.contains("Security") && l.contains('█'))
        .map(str::to_string)
        .unwrap();
    assert!(
        security.contains(" +"),
        "the delta beside the category: {security}"
    );
    // Question by question: the changed one closed its gap, the confirmed one is not listed,
    // the third is still only carried over.
    app.send("c");
    app.wait_for("Changes since \"Before\"");
    let screen = app.screen();
    let rows: Vec<&str> = screen.lines().filter(|l| l.contains(" -> ")).collect();
    assert_eq!(rows.len(), 2, "{screen}");
    assert!(
        rows[0].contains("gap closed") && rows[0].contains("1 -> 4"),
        "{screen}"
    );
    assert!(
        rows[1].contains("carried over") && rows[1].contains("4 -> 4"),
        "{screen}"
    );
    app.send(ESC);
    app.send("q");
    assert!(app.wait_exit().success());
    app.assert_restored();

    // On disk: the new session records where it started, and the previous one is unchanged.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aiready"))
        .args(["sessions", "list", "--json"])
        .env("AIREADY_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let before = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Before")
        .unwrap();
    assert_eq!(before["answered"], 3);
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
    // Only debug builds can be asked to panic (a release build has no such switch).
    if !cfg!(debug_assertions) {
        eprintln!(
            "skipped a_panic_restores_the_terminal: release builds cannot be made to panic on request; run it without --release"
        );
        return;
    }
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
fn a_panic_on_another_thread_leaves_the_screen_working() {
    if !cfg!(debug_assertions) {
        eprintln!(
            "skipped a_panic_on_another_thread_leaves_the_screen_working: release builds cannot be made to panic on request; run it without --release"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut app = Pty::spawn(&[], dir.path(), &[("AIREADY_TEST_PANIC", "thread")]);
    app.wait_for("No sessions yet");
    // The panic comes right after the first frame, before the program waits for a key.
    std::thread::sleep(std::time::Duration::from_millis(500));
    {
        let raw = String::from_utf8_lossy(&app.raw.lock().unwrap()).to_string();
        assert!(
            !raw.contains("\x1b[?1049l"),
            "the alternate screen was left while the program ran"
        );
        assert!(
            !raw.contains("panic requested"),
            "the report was written over the screen"
        );
    }
    app.send("q");
    assert!(app.wait_exit().success());
    app.assert_restored();
    // The report comes once the terminal is handed back.
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

/// Makes the data folder unwritable under the running program: it moves away and a plain
/// file takes its place (chmod would not stop root, who runs CI).
fn break_data_folder(dir: &Path) {
    std::fs::rename(dir.join("data"), dir.join("data-moved")).unwrap();
    std::fs::write(dir.join("data"), "not a folder").unwrap();
}

/// What the program printed after it handed the terminal back.
fn printed_after_restore(app: &Pty) -> String {
    let raw = String::from_utf8_lossy(&app.raw.lock().unwrap()).to_string();
    let left = raw
        .rfind("\x1b[?1049l")
        .expect("the alternate screen was left");
    raw[left..].to_string()
}

/// Rescue copies written into `dir`.
fn rescue_copies(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("-rescue-"))
        .collect()
}

/// A session with one answer saved, then a second answer the broken data folder refuses.
fn session_with_a_failed_save(dir: &Path) -> Pty {
    let mut app = Pty::spawn(&["new", "--name", "Rescue me"], dir, &[]);
    app.wait_for("question 1 of");
    app.send("3");
    app.wait_for("question 2 of");
    break_data_folder(dir);
    app.send("2");
    app.wait_for("NOT SAVED");
    app
}

#[test]
fn quitting_after_a_failed_save_offers_a_retry_and_a_rescue_copy() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = session_with_a_failed_save(dir.path());
    app.send("q");
    app.wait_for("Changes not saved");
    app.wait_for("2 Designed");
    app.send("\r");
    app.wait_for("Tried again: still not saved");
    app.send("w");
    let status = app.wait_exit();
    assert!(
        !status.success(),
        "changes not in the session file: not a clean exit"
    );
    app.assert_restored();
    let copies = rescue_copies(dir.path());
    assert_eq!(copies.len(), 1, "{copies:?}");
    let printed = printed_after_restore(&app);
    let name = copies[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(printed.contains(&name), "{printed}");
    // The rescue copy is a session file with both answers.
    let text = std::fs::read_to_string(&copies[0]).unwrap();
    let session = aiready::store::decode(&text).unwrap();
    let levels: Vec<_> = session.records.values().filter_map(|r| r.answer).collect();
    assert_eq!(levels.len(), 2, "{levels:?}");
}

#[test]
fn quitting_without_saving_asks_twice_and_says_what_was_lost() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = session_with_a_failed_save(dir.path());
    app.send(CTRL_C);
    app.wait_for("Changes not saved");
    app.send("D");
    app.wait_for("lose these changes for good?");
    app.send("y");
    let status = app.wait_exit();
    assert!(!status.success());
    app.assert_restored();
    let printed = printed_after_restore(&app);
    assert!(printed.contains("Discarded"), "{printed}");
    assert!(printed.contains("2 Designed"), "{printed}");
    assert!(rescue_copies(dir.path()).is_empty());
}

/// Sends a signal to the program.
fn signal(app: &Pty, name: &str) {
    let pid = app.child.process_id().expect("the program runs");
    let status = std::process::Command::new("kill")
        .args([format!("-{name}"), pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_terminate_signal_saves_first_and_rescues_what_it_cannot_save() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = Pty::spawn(&["new", "--name", "Signalled"], dir.path(), &[]);
    app.wait_for("question 1 of");
    app.send("e");
    app.wait_for("Enter: new line");
    app.send("typed before the signal");
    app.wait_for("typed before the signal");
    signal(&app, "TERM");
    let status = app.wait_exit();
    assert_eq!(status.exit_code(), 128 + 15);
    app.assert_restored();
    let saved: String = std::fs::read_dir(dir.path().join("data"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(saved.contains("typed before the signal"), "{saved}");

    let mut app = session_with_a_failed_save(dir.path());
    signal(&app, "HUP");
    let status = app.wait_exit();
    assert_eq!(status.exit_code(), 128 + 1);
    app.assert_restored();
    let copies = rescue_copies(dir.path());
    assert_eq!(copies.len(), 1, "{copies:?}");
    let printed = printed_after_restore(&app);
    assert!(printed.contains("rescue copy"), "{printed}");
}

#[test]
fn q_quits_while_a_report_template_runs_for_ever() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config/report.md.j2"),
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    )
    .unwrap();
    let mut app = Pty::spawn(&["new", "--name", "Slow report"], dir.path(), &[]);
    app.wait_for("question 1 of");
    app.send("X");
    app.wait_for("Export a report");
    app.send("\r");
    app.wait_for("Writing the report");
    app.send("q");
    assert!(app.wait_exit().success());
    app.assert_restored();
}

#[cfg(unix)]
#[test]
fn q_quits_while_a_report_waits_for_a_pipe_nobody_reads() {
    let dir = tempfile::tempdir().unwrap();
    let pipe = dir.path().join("pipe.md");
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap();
    assert!(made.success());
    let mut app = Pty::spawn(&["new", "--name", "Piped report"], dir.path(), &[]);
    app.wait_for("question 1 of");
    app.send("X");
    app.wait_for("Export a report");
    // The file name field has the focus while the report is written.
    app.send("\t");
    app.send(CTRL_U);
    app.send(pipe.to_str().unwrap());
    app.wait_for("pipe.md");
    app.send("\r");
    app.wait_for("Writing the report");
    app.send("q");
    assert!(app.wait_exit().success());
    app.assert_restored();
    let kind = std::fs::symlink_metadata(&pipe).unwrap().file_type();
    assert!(
        std::os::unix::fs::FileTypeExt::is_fifo(&kind),
        "the pipe was replaced"
    );
}

#[test]
fn keys_wait_while_the_terminal_is_too_small() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = Pty::spawn(&["new", "--name", "Tiny"], dir.path(), &[]);
    app.wait_for("question 1 of");
    app.resize(20, 70);
    app.wait_for("too small");
    // An answer and text typed now would change what nobody sees: they are ignored.
    app.send("3");
    app.send("e");
    app.send("hidden");
    app.resize(40, 120);
    app.wait_for("question 1 of");
    app.wait_for("Answer (open)");
    assert!(
        !app.screen().contains("Enter: new line"),
        "{}",
        app.screen()
    );
    app.send("3");
    app.wait_for("question 2 of");
    app.send("q");
    assert!(app.wait_exit().success());
    app.assert_restored();
}

#[test]
fn a_session_reopens_at_the_question_it_was_left_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = Pty::spawn(&["new", "--name", "Come back"], dir.path(), &[]);
    app.wait_for("question 1 of");
    app.send("2");
    app.wait_for("question 2 of");
    for n in 3..=6 {
        app.send(RIGHT);
        app.wait_for(&format!("question {n} of"));
    }
    app.send("q");
    assert!(app.wait_exit().success());
    // Question 2 is the first one unanswered, but the session was left on question 6.
    let mut app = Pty::spawn(&["open", "Come back"], dir.path(), &[]);
    app.wait_for("question 6 of");
    app.send(CTRL_C);
    assert!(app.wait_exit().success());
    app.assert_restored();
}
