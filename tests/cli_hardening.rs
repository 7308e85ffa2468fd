//! The command line against hostile text and special files, and its scripting surface: escape
//! sequences in questionnaires and sessions never reach the terminal raw, reports go into FIFOs
//! and devices without replacing them, a closed pipe is not an error, `--json` parses back,
//! participants on `new`, the man page, completion of session ids, and two imports at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use aiready::content;
use aiready::domain::session::{Participant, Session};
use aiready::store::{FileStore, SessionStore};
use jiff::Timestamp;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn command(args: &[&str], home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aiready"));
    cmd.args(args)
        .current_dir(home)
        .env("AIREADY_DATA_DIR", home.join("data"))
        .env("AIREADY_CONFIG_DIR", home.join("config"))
        .env("NO_COLOR", "1")
        .env_remove("COMPLETE")
        .stdin(Stdio::null());
    cmd
}

fn aiready(args: &[&str], home: &Path) -> Output {
    command(args, home).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Characters that must never reach a terminal raw: C0 controls other than the line feed that
/// ends each line, DEL, C1 controls, bidirectional overrides and zero-width characters.
fn assert_printable(what: &str, text: &str) {
    for (i, c) in text.char_indices() {
        let bad = (c.is_control() && c != '\n')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}');
        assert!(
            !bad,
            "{what} holds U+{:04X} at byte {i}:\n{text}",
            u32::from(c)
        );
    }
}

/// A hostile id: a title-setting OSC sequence, a clipboard-setting OSC 52 sequence, a newline
/// forging another problem, a right-to-left override, and 10,000 more characters.
fn hostile_id() -> String {
    format!(
        "q\u{1b}]0;pwned\u{7}\u{1b}]52;c;cHduZWQ=\u{7}\nfixture.ron:1:1: forged\u{202E}{}",
        "x".repeat(10_000)
    )
}

fn questionnaire_with_id(id: &str) -> String {
    let escaped: String = id
        .chars()
        .map(|c| {
            if c.is_control() || !c.is_ascii() {
                format!("\\u{{{:x}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect();
    format!(
        r#"Questionnaire(
    id: "fixture",
    title: "Fixture",
    category: Security,
    version: "1.0.0",
    description: "A questionnaire with a hostile question id.",
    sections: [
        Section(
            stage: Training,
            questions: [
                Question(
                    id: "{escaped}",
                    prompt: "Is it approved?",
                    guidance: "Guidance.",
                    good_looks_like: "A register.",
                    evidence: ["Register"],
                    weight: 2,
                    critical: false,
                    maps_to: (tsc: ["CC8.1", "{escaped}"]),
                    remediation: "Start one.",
                ),
            ],
        ),
    ],
)
"#
    )
}

#[test]
fn validate_prints_hostile_ids_escaped_one_line_per_problem() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("set");
    fs::create_dir(&dir).unwrap();
    fs::write(
        dir.join("security.ron"),
        questionnaire_with_id(&hostile_id()),
    )
    .unwrap();
    let out = aiready(&["questionnaires", "validate", "set"], home.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_printable("validate", &err);
    let lines: Vec<&str> = err.lines().collect();
    // Two problems (the id, the mapping) and the count.
    assert_eq!(lines.len(), 3, "{err}");
    assert!(lines[2].starts_with("2 problems in 1 file"), "{err}");
    for line in &lines[..2] {
        assert!(line.starts_with("set/security.ron:"), "{line}");
        assert!(line.contains("q\\x1b]0;pwned\\x07\\x1b]52;c;"), "{line}");
        assert!(line.contains("(10052 characters)"), "{line}");
        assert!(line.chars().count() < 400, "{line}");
    }

    // Start-up with the same folder as --questionnaires reports it the same way.
    let out = aiready(
        &["--questionnaires", "set", "questionnaires", "list"],
        home.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_printable("start-up", &err);
    assert_eq!(err.lines().count(), 3, "{err}");
}

#[test]
fn validate_lists_the_first_200_problems_and_counts_the_rest() {
    let home = tempfile::tempdir().unwrap();
    let question = |i: usize| {
        format!(
            r#"Question(id: "dup", prompt: "P{i}", guidance: "G", good_looks_like: "L",
               evidence: ["E"], weight: 2, critical: false, maps_to: (tsc: ["CC8.1"]),
               remediation: "R"),"#
        )
    };
    let questions: String = (0..500).map(question).collect();
    let text = format!(
        r#"Questionnaire(id: "fixture", title: "F", category: Security, version: "1",
           description: "D", sections: [Section(stage: Training, questions: [{questions}])])"#
    );
    fs::write(home.path().join("dups.ron"), text).unwrap();
    let out = aiready(&["questionnaires", "validate", "dups.ron"], home.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 202, "{err}");
    assert_eq!(
        lines[200],
        "... and 299 more problems (the first 200 are shown)"
    );
    assert_eq!(lines[201], "499 problems in 1 file");
    assert!(lines[0].contains("question id 'dup' is already used at dups.ron:"));
}

fn store(home: &Path) -> FileStore {
    FileStore::new(home.join("data"))
}

fn stored_session(home: &Path, id: &str, name: &str) -> Session {
    let bank = content::builtin().unwrap();
    let session = Session::new(
        id.into(),
        name.into(),
        bank,
        Timestamp::from_second(1_767_225_600).unwrap(),
    );
    drop(store(home).create(&session).unwrap());
    session
}

#[test]
fn sessions_list_and_show_escape_text_from_the_session_file() {
    let home = tempfile::tempdir().unwrap();
    let id = "2026-01-01-acme-0a1b2c";
    let mut session = stored_session(home.path(), id, "Acme \u{202E}tob");
    // A hand-edited file: the store keeps what it finds, the terminal must not act on it.
    session.organisation = "Evil\u{1b}]0;title\u{7} Corp\nforged line".into();
    session.system = "bot\u{9b}31m".into();
    let (_, lock) = store(home.path()).open(id).unwrap();
    store(home.path()).save(&lock, &session).unwrap();
    drop(lock);

    let list = aiready(&["sessions", "list"], home.path());
    assert!(list.status.success(), "{}", stderr(&list));
    assert_printable("sessions list", &stdout(&list));
    assert!(stdout(&list).contains("Acme <U+202E>tob"));

    let show = aiready(&["sessions", "show", id], home.path());
    assert!(show.status.success(), "{}", stderr(&show));
    let text = stdout(&show);
    assert_printable("sessions show", &text);
    assert!(
        text.contains("organisation  Evil\\x1b]0;title\\x07 Corp\\nforged line"),
        "{text}"
    );
    assert!(text.contains("system        bot\\u{9b}31m"), "{text}");

    // An error quoting what the user typed is escaped too.
    let missing = aiready(&["sessions", "show", "no\u{1b}[2Jsuch"], home.path());
    assert_eq!(missing.status.code(), Some(1));
    assert_printable("an error", &stderr(&missing));
    assert!(stderr(&missing).contains("no\\x1b[2Jsuch"));
}

#[test]
fn sessions_list_aligns_wide_names_and_tells_same_names_apart() {
    let home = tempfile::tempdir().unwrap();
    stored_session(home.path(), "2026-01-01-acme-0a1b2c", "Acme bot");
    stored_session(home.path(), "2026-01-01-acme-3f9a1c", "Acme bot");
    stored_session(home.path(), "2026-01-01-team-000001", "日本語チーム 🙂");
    let out = aiready(&["sessions", "list"], home.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let column_of_id = |line: &str| {
        let at = line.find("2026-").unwrap();
        unicode_width::UnicodeWidthStr::width(&line[..at])
    };
    let lines: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(lines.len(), 3, "{text}");
    let first = column_of_id(lines[0]);
    assert!(lines.iter().all(|l| column_of_id(l) == first), "{text}");
    assert!(text.contains("Acme bot [0a1b2c]") && text.contains("Acme bot [3f9a1c]"));

    // A non-ASCII name gives a readable id.
    let out = aiready(&["new", "--name", "Ünïcode é", "--no-tui"], home.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("-unicode-e-"), "{}", stdout(&out));
}

#[test]
fn json_output_parses_back() {
    let home = tempfile::tempdir().unwrap();
    let empty = aiready(&["sessions", "list", "--json"], home.path());
    assert!(empty.status.success());
    assert_eq!(stdout(&empty).trim(), "[]");

    let out = aiready(
        &[
            "new",
            "--name",
            "Acme bot",
            "--org",
            "Acme",
            "--facilitator",
            "Dana",
            "--participant",
            "Ana:ML engineer",
            "--participant",
            "Bo",
            "--no-tui",
        ],
        home.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().to_string();

    let list = aiready(&["sessions", "list", "--json"], home.path());
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let entries = list.as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["id"], id.as_str());
    assert_eq!(entries[0]["name"], "Acme bot");
    assert_eq!(entries[0]["organisation"], "Acme");
    assert_eq!(entries[0]["mode"], "workshop");
    assert_eq!(entries[0]["target"], "type2");
    assert_eq!(entries[0]["answered"], 0);
    assert!(entries[0]["applicable"].as_u64().unwrap() > 0);
    assert!(entries[0]["score"].is_null());
    assert_eq!(entries[0]["verdict"], "Incomplete");

    let show = aiready(&["sessions", "show", "Acme bot", "--json"], home.path());
    assert!(show.status.success(), "{}", stderr(&show));
    let show: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(show["id"], id.as_str());
    assert_eq!(show["facilitator"], "Dana");
    assert_eq!(
        show["participants"],
        serde_json::json!([{"name": "Ana", "role": "ML engineer"}, {"name": "Bo", "role": ""}])
    );
    assert!(!show["categories"].as_array().unwrap().is_empty());
    assert!(show["gaps"].as_array().unwrap().is_empty());

    // Scores are whole numbers, as in the text output.
    let bank = content::builtin().unwrap();
    let (mut session, lock) = store(home.path()).open(&id).unwrap();
    let first = session.applicable_questions(bank)[0].id.clone();
    session.set_answer(
        &first,
        Some(aiready::domain::scale::Answer::AdHoc),
        Timestamp::now(),
    );
    store(home.path()).save(&lock, &session).unwrap();
    drop(lock);
    let show = aiready(&["sessions", "show", &id, "--json"], home.path());
    let show: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert!(show["score"].is_u64(), "{}", show["score"]);
    assert_eq!(show["answered"], 1);
    let gaps = show["gaps"].as_array().unwrap();
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0]["question_id"], first.as_str());
    assert_eq!(gaps[0]["answer"], "Ad hoc");
    assert!(
        show["categories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["score"].is_u64())
    );

    let export = aiready(
        &["export", &id, "-f", "json", "-o", "acme.json"],
        home.path(),
    );
    assert!(export.status.success(), "{}", stderr(&export));
    let import = aiready(&["import", "acme.json", "--as-new", "--json"], home.path());
    assert!(import.status.success(), "{}", stderr(&import));
    let import: serde_json::Value = serde_json::from_slice(&import.stdout).unwrap();
    assert_eq!(import["original_id"], id.as_str());
    assert_eq!(import["new_id"], true);
    assert_eq!(import["replaced"], false);
    let new_id = import["id"].as_str().unwrap();
    assert_ne!(new_id, id);
    assert_eq!(
        store(home.path()).load(new_id).unwrap().name,
        "Acme bot (imported)"
    );
    let replace = aiready(&["import", "acme.json", "--replace", "--json"], home.path());
    assert!(replace.status.success(), "{}", stderr(&replace));
    let replace: serde_json::Value = serde_json::from_slice(&replace.stdout).unwrap();
    assert_eq!(replace["id"], id.as_str());
    assert_eq!(replace["replaced"], true);
}

#[test]
fn participants_on_the_command_line_follow_the_rules_for_typed_text() {
    let home = tempfile::tempdir().unwrap();
    let out = aiready(
        &[
            "new",
            "--name",
            "Acme",
            "--no-tui",
            "--participant",
            "Ana:Security: AppSec",
        ],
        home.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let session = store(home.path()).load(stdout(&out).trim()).unwrap();
    assert_eq!(
        session.participants,
        [Participant {
            name: "Ana".into(),
            role: "Security: AppSec".into()
        }]
    );
    for bad in [
        vec!["--participant", "Ana\u{1b}[31m"],
        vec!["--participant", ":role only"],
        vec!["--participant", "Ana", "--participant", "Ana:again"],
        vec!["--org", "Acme\u{7}"],
        vec!["--facilitator", "Dana\u{1}"],
    ] {
        let mut args = vec!["new", "--name", "Refused", "--no-tui"];
        args.extend(bad.iter().copied());
        let out = aiready(&args, home.path());
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", stderr(&out));
        assert_printable("a refusal", &stderr(&out));
    }
    // Line breaks and tabs are text people type.
    let out = aiready(
        &["new", "--name", "Multi", "--no-tui", "--system", "a\tb\nc"],
        home.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(store(home.path()).list().unwrap().len(), 2);
}

#[test]
fn import_refuses_control_characters_in_typed_fields() {
    let home = tempfile::tempdir().unwrap();
    let id = "2026-01-01-acme-0a1b2c";
    stored_session(home.path(), id, "Acme");
    let export = aiready(&["export", id, "-f", "json", "-o", "a.json"], home.path());
    assert!(export.status.success(), "{}", stderr(&export));
    let text = fs::read_to_string(home.path().join("a.json")).unwrap();
    let hostile = text.replacen(
        "\"organisation\": \"\"",
        "\"organisation\": \"Evil\\u001b]0;x\\u0007\"",
        1,
    );
    assert_ne!(hostile, text, "the export has an organisation field");
    fs::write(home.path().join("b.json"), hostile).unwrap();
    store(home.path()).delete(id).unwrap();
    let out = aiready(&["import", "b.json"], home.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("organisation holds a control character (U+001B)"));
    assert!(store(home.path()).list().unwrap().is_empty());
}

#[test]
fn template_only_applies_to_markdown_and_html() {
    let home = tempfile::tempdir().unwrap();
    stored_session(home.path(), "2026-01-01-acme-0a1b2c", "Acme");
    fs::write(home.path().join("t.md.j2"), "x").unwrap();
    for format in ["csv", "json", "xlsx", "oscal-ar", "oscal-poam"] {
        let out = aiready(
            &["export", "Acme", "-f", format, "--template", "t.md.j2"],
            home.path(),
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("--template applies to the Markdown and HTML formats only"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn template_errors_name_the_users_file_line_column_and_what_is_undefined() {
    let home = tempfile::tempdir().unwrap();
    stored_session(home.path(), "2026-01-01-acme-0a1b2c", "Acme");
    fs::write(
        home.path().join("mine.md.j2"),
        "# Report\nName: {{ session.name }}\nOrg:  {{ sesion.organisation }}\n",
    )
    .unwrap();
    let out = aiready(&["export", "Acme", "--template", "mine.md.j2"], home.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim(),
        "aiready: the report template mine.md.j2 cannot be used: line 3, column 10: \
         `sesion.organisation` is undefined; check its spelling against the fields the built-in \
         template uses"
    );

    // A loop of 10^5 x 10^5 is stopped by the work budget, and one that writes by the cap on
    // the report's size; either way nothing is written.
    for (body, reason) in [
        ("{% set k = j %}", "ran out of its work budget"),
        (
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "grew past 64 MB",
        ),
    ] {
        fs::write(
            home.path().join("loop.md.j2"),
            format!(
                "# {{{{ session.name }}}}\n{{% for i in range(100000) %}}{{% for j in \
                 range(100000) %}}{body}{{% endfor %}}{{% endfor %}}\n"
            ),
        )
        .unwrap();
        let out = aiready(
            &["export", "Acme", "--template", "loop.md.j2", "-o", "r.md"],
            home.path(),
        );
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(
            err.contains("the report template loop.md.j2 cannot be used") && err.contains(reason),
            "{err}"
        );
        assert!(!home.path().join("r.md").exists());
    }
}

#[cfg(unix)]
mod special_files {
    use super::*;
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, PermissionsExt, symlink};

    fn setup() -> (tempfile::TempDir, String) {
        let home = tempfile::tempdir().unwrap();
        let id = "2026-01-01-acme-0a1b2c";
        stored_session(home.path(), id, "Acme");
        (home, id.to_string())
    }

    #[test]
    fn export_writes_into_a_fifo_without_replacing_it() {
        let (home, id) = setup();
        let fifo = home.path().join("pipe");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::from_bits_truncate(0o600),
        )
        .unwrap();
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut text = String::new();
                fs::File::open(&fifo)
                    .unwrap()
                    .read_to_string(&mut text)
                    .unwrap();
                text
            })
        };
        let out = aiready(&["export", &id, "-o", "pipe", "--force"], home.path());
        assert!(out.status.success(), "{}", stderr(&out));
        let report = reader.join().unwrap();
        assert!(report.contains("SOC 2 readiness report"), "{report}");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    }

    #[test]
    fn export_never_replaces_a_link_a_folder_or_a_device() {
        let (home, id) = setup();
        let target = home.path().join("target.md");
        fs::write(&target, "keep me").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).unwrap();
        symlink(&target, home.path().join("link.md")).unwrap();
        fs::create_dir(home.path().join("folder.md")).unwrap();
        for (name, kind) in [("link.md", "a symbolic link"), ("folder.md", "a directory")] {
            for force in [false, true] {
                let mut args = vec!["export", id.as_str(), "-o", name];
                if force {
                    args.push("--force");
                }
                let out = aiready(&args, home.path());
                assert_eq!(out.status.code(), Some(1), "{name}");
                assert!(
                    stderr(&out).contains(&format!("{name} is {kind}")),
                    "{}",
                    stderr(&out)
                );
            }
        }
        assert_eq!(fs::read_to_string(&target).unwrap(), "keep me");
        let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
        assert!(
            fs::symlink_metadata(home.path().join("link.md"))
                .unwrap()
                .file_type()
                .is_symlink()
        );

        // A character device is written to, never replaced (as root a rename would replace
        // the device node itself).
        let out = aiready(&["export", &id, "-o", "/dev/null", "--force"], home.path());
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
        // A regular file is replaced only with --force.
        let out = aiready(&["export", &id, "-o", "target.md"], home.path());
        assert_eq!(out.status.code(), Some(1));
        let out = aiready(&["export", &id, "-o", "target.md", "--force"], home.path());
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            fs::read_to_string(&target)
                .unwrap()
                .contains("SOC 2 readiness report")
        );
    }

    #[test]
    fn dash_is_standard_output_and_a_closed_pipe_is_quiet() {
        let (home, id) = setup();
        let out = aiready(&["export", &id, "-o", "-"], home.path());
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("SOC 2 readiness report"));
        assert!(!home.path().join("-").exists());

        // `aiready export S | head -1`, with the pipe's status checked.
        let script = format!(
            "set -o pipefail; '{}' export {id} | head -1",
            env!("CARGO_BIN_EXE_aiready")
        );
        let out = Command::new("bash")
            .args(["-c", &script])
            .env("AIREADY_DATA_DIR", home.path().join("data"))
            .env("AIREADY_CONFIG_DIR", home.path().join("config"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out).lines().count(), 1);
        assert_eq!(stderr(&out), "");
    }
}

#[test]
fn two_imports_of_one_file_at_once_leave_one_whole_session() {
    let home = tempfile::tempdir().unwrap();
    let id = "2026-01-01-acme-0a1b2c";
    stored_session(home.path(), id, "Acme");
    let export = aiready(&["export", id, "-f", "json", "-o", "a.json"], home.path());
    assert!(export.status.success(), "{}", stderr(&export));
    for round in 0..5 {
        store(home.path()).delete(id).unwrap_or(());
        let _ = store(home.path()).delete(id);
        let children: Vec<_> = (0..2)
            .map(|_| {
                command(&["import", "a.json"], home.path())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outputs: Vec<Output> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        for out in &outputs {
            let err = stderr(out);
            assert!(
                out.status.success()
                    || (err.contains(&format!("the id {id}")) && err.contains("exists already")),
                "round {round}: {err}"
            );
            assert!(!err.contains("open in another aiready process"), "{err}");
        }
        assert!(outputs.iter().any(|o| o.status.success()));
        // Every session in the store reads back whole; no temporary file is left.
        let entries = store(home.path()).list().unwrap();
        assert!(entries.iter().all(|e| e.session.is_ok()));
        let leftovers: Vec<PathBuf> = fs::read_dir(home.path().join("data"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        for entry in entries {
            store(home.path()).delete(&entry.id).unwrap();
        }
    }
}

#[test]
fn man_page_and_completion_of_session_ids() {
    let home = tempfile::tempdir().unwrap();
    let man = aiready(&["man"], home.path());
    assert!(man.status.success());
    let page = stdout(&man);
    assert!(
        page.starts_with(".ie") || page.contains(".TH aiready"),
        "{page}"
    );
    assert!(page.contains("sessions") && page.contains("export"));
    let export = aiready(&["man", "export"], home.path());
    assert!(export.status.success());
    let page = stdout(&export);
    assert!(page.contains(".TH aiready-export 1"), "{page}");
    assert!(
        page.contains("\\-\\-force") && page.contains("\\-\\-template"),
        "{page}"
    );
    assert_eq!(
        aiready(&["man", "nope"], home.path()).status.code(),
        Some(2)
    );

    stored_session(home.path(), "2026-01-01-acme-0a1b2c", "Acme");
    stored_session(home.path(), "2026-01-01-beta-000001", "Beta team");
    // What the bash script registered by `aiready completions bash` runs while completing
    // `aiready open <Tab>`.
    let out = command(&["--", "aiready", "open", ""], home.path())
        .env("COMPLETE", "bash")
        .env("_CLAP_IFS", "\n")
        .env("_CLAP_COMPLETE_INDEX", "2")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let candidates: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    for expected in ["2026-01-01-acme-0a1b2c", "2026-01-01-beta-000001", "Acme"] {
        assert!(candidates.iter().any(|c| c == expected), "{candidates:?}");
    }
    // A name the shell would split is offered through its id only.
    assert!(
        !candidates.iter().any(|c| c == "Beta team"),
        "{candidates:?}"
    );
    let script = aiready(&["completions", "zsh"], home.path());
    assert!(script.status.success());
    assert!(
        stdout(&script).contains("COMPLETE=\"zsh\""),
        "{}",
        stdout(&script)
    );
}

/// `sessions delete` in a terminal asks, and only "y" deletes.
#[test]
fn delete_in_a_terminal_asks_first() {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::{Read, Write};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    let home = tempfile::tempdir().unwrap();
    let id = "2026-01-01-acme-0a1b2c";
    stored_session(home.path(), id, "Acme");
    for (answer, deleted) in [("n", false), ("y", true)] {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 100,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_aiready"));
        cmd.args(["sessions", "delete", id]);
        cmd.env("AIREADY_DATA_DIR", home.path().join("data"));
        cmd.env("AIREADY_CONFIG_DIR", home.path().join("config"));
        let mut child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let mut writer = pair.master.take_writer().unwrap();
        let seen = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&seen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let start = Instant::now();
        while !seen.lock().unwrap().contains("[y/N]") {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no question: {}",
                seen.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        writer.write_all(format!("{answer}\r").as_bytes()).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.success(), deleted, "{}", seen.lock().unwrap());
        assert_eq!(store(home.path()).load(id).is_err(), deleted);
    }
}
