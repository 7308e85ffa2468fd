//! JSON and CSV exports, and the `export` and `import` commands run through the built binary.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::scale::Answer;
use aiready::domain::session::ActionStatus;
use aiready::report::{self, Format, escape};
use aiready::store::{FileStore, SessionStore};
use common::fixture_session as fixture;
use common::report_cli::{aiready, stderr, stdout, with_session};

fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = text.strip_prefix(report::csv::BOM).unwrap_or(text);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[test]
fn json_round_trips_through_import_into_an_equal_session() {
    let session = fixture::session();
    let source = with_session(&session);
    let out = aiready(
        &["export", fixture::ID, "--format", "json", "-o", "s.json"],
        source.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json = source.path().join("s.json");

    // Into an empty data directory: the same id.
    let target = tempfile::tempdir().unwrap();
    let out = aiready(&["import", json.to_str().unwrap()], target.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(fixture::ID), "{}", stdout(&out));
    let imported = FileStore::new(target.path().join("data"))
        .load(fixture::ID)
        .unwrap();
    assert_eq!(imported, session);

    // Into the directory that still has it: refused, unless asked for a new session.
    let out = aiready(&["import", "s.json"], source.path());
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains(fixture::ID) && err.contains("--replace") && err.contains("--as-new"),
        "{err}"
    );
    let store = FileStore::new(source.path().join("data"));
    assert_eq!(store.list().unwrap().len(), 1);
    let out = aiready(&["import", "s.json", "--as-new"], source.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let ids: Vec<String> = store.list().unwrap().into_iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    let new_id = ids.iter().find(|id| *id != fixture::ID).unwrap();
    assert!(stdout(&out).contains(new_id.as_str()), "{}", stdout(&out));
    let mut copy = store.load(new_id).unwrap();
    assert_eq!(copy.name, "Acme support bot (imported)");
    copy.id = fixture::ID.to_string();
    copy.name = session.name.clone();
    assert_eq!(copy, session);
}

#[test]
fn import_gives_an_unsafe_id_a_new_one() {
    let session = fixture::session();
    let dir = tempfile::tempdir().unwrap();
    let text =
        report::render(Format::Json, fixture::bank(), &session, &fixture::options()).unwrap();
    let hostile = text.replace(fixture::ID, "../../escaped");
    std::fs::write(dir.path().join("h.json"), hostile).unwrap();
    let out = aiready(&["import", "h.json"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!dir.path().join("escaped.ron").exists());
    let store = FileStore::new(dir.path().join("data"));
    let entries = store.list().unwrap();
    assert_eq!(entries.len(), 1);
    assert!(entries[0].id.starts_with("20"), "{}", entries[0].id);
    let mut back = store.load(&entries[0].id).unwrap();
    back.id = fixture::ID.to_string();
    assert_eq!(back, session);
}

#[test]
fn json_carries_the_session_and_the_computed_results() {
    let session = fixture::session();
    let text =
        report::render(Format::Json, fixture::bank(), &session, &fixture::options()).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["format_version"], report::json::FORMAT_VERSION);
    assert_eq!(value["session"]["id"], fixture::ID);
    assert!(value["results"]["gaps"].as_array().unwrap().len() > 10);
    assert!(value["results"]["overall"]["score"].is_number());
    assert_eq!(value["results"]["orphaned"][0], fixture::ORPHAN);
    // Every note, evidence item and action is in it, because the session comes back equal.
    let back = report::json::parse("s.json", &text).unwrap();
    assert_eq!(back, session);
}

#[test]
fn import_refuses_other_files_by_name_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("newer.json"),
        r#"{"format_version": 99, "session": {}}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("other.json"), r#"{"name": "x"}"#).unwrap();
    std::fs::write(dir.path().join("broken.json"), "{ not json").unwrap();
    for (file, words) in [
        ("newer.json", "newer version of aiready"),
        ("other.json", "not an aiready JSON export"),
        ("broken.json", "not an aiready JSON export"),
        ("missing.json", "cannot read missing.json"),
    ] {
        let out = aiready(&["import", file], dir.path());
        assert!(!out.status.success(), "{file}");
        let err = stderr(&out);
        assert!(err.contains(file) && err.contains(words), "{file}: {err}");
    }
    assert!(
        !dir.path().join("data").exists()
            || std::fs::read_dir(dir.path().join("data"))
                .unwrap()
                .next()
                .is_none()
    );
}

/// The answer and level cells for an answer, written out by hand.
fn answer_cells(answer: Answer) -> (&'static str, u8) {
    match answer {
        Answer::NotInPlace => ("0 Not in place", 0),
        Answer::AdHoc => ("1 Ad hoc", 1),
        Answer::Designed => ("2 Designed", 2),
        Answer::Implemented => ("3 Implemented", 3),
        Answer::Operating => ("4 Operating", 4),
        Answer::Unknown => ("? Unknown", 0),
        Answer::NotApplicable => panic!("an N/A question is in the action plan"),
    }
}

#[test]
fn csv_parses_back_row_for_row() {
    // Every row is checked against the fixture session and its questions as they were typed,
    // with the rules of the action plan written out here: a gap is an applicable, answered
    // question below the Type 2 target of 4 (Unknown counts as 0); its priority is weight x
    // shortfall; gaps come first, critical ones before the rest, then by priority; then the
    // other applicable questions with an owner or a due date.
    let session = fixture::session();
    let bank = fixture::bank();
    let text = report::render(Format::Csv, bank, &session, &fixture::options()).unwrap();
    let (header, rows) = csv_rows(&text);
    assert_eq!(header, report::csv::HEADER);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let cell = |row: &[String], name: &str| row[col(name)].clone();

    let applicable = session.applicable_questions(bank);
    let mut expected_ids = Vec::new();
    for q in &applicable {
        let r = session.record(&q.id);
        let level = r
            .and_then(|r| r.answer)
            .filter(|a| *a != Answer::NotApplicable)
            .map(|a| answer_cells(a).1);
        let has_action = r.is_some_and(|r| !r.action.owner.is_empty() || r.action.due.is_some());
        if level.is_some_and(|l| l < 4) || has_action {
            expected_ids.push(q.id.as_str());
        }
    }
    let mut found: Vec<&str> = rows
        .iter()
        .map(|r| r[col("question_id")].as_str())
        .collect();
    found.sort_unstable();
    expected_ids.sort_unstable();
    assert_eq!(found, expected_ids);
    assert!(!found.contains(&fixture::ORPHAN));

    let mut last_gap_key = (true, u32::MAX);
    let mut gaps_done = false;
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(cell(row, "rank"), (i + 1).to_string());
        let id = cell(row, "question_id");
        let q = bank.question(&id).unwrap();
        let r = session.record(&id).unwrap();
        assert_eq!(cell(row, "question"), q.prompt, "{id}");
        // A shared question is listed under its own category, or under the first category
        // it is also asked in when its own is out of scope.
        let listed = q.categories().find(|c| session.in_scope(*c)).unwrap();
        assert_eq!(cell(row, "category"), listed.title(), "{id}");
        assert_eq!(cell(row, "stage"), q.stage.title(), "{id}");
        assert_eq!(cell(row, "remediation"), q.remediation, "{id}");
        assert_eq!(cell(row, "target"), "4");
        let (answer, level) = answer_cells(r.answer.unwrap());
        assert_eq!(cell(row, "answer"), answer, "{id}");
        assert_eq!(cell(row, "level"), level.to_string(), "{id}");
        let priority = u32::from(q.weight) * u32::from(4 - level);
        assert_eq!(cell(row, "priority"), priority.to_string(), "{id}");
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        assert_eq!(cell(row, "critical"), yes_no(q.critical), "{id}");
        let gap = level < 4;
        assert_eq!(cell(row, "gap"), yes_no(gap), "{id}");
        assert_eq!(cell(row, "owner"), r.action.owner, "{id}");
        let due = r.action.due.map(|d| d.to_string()).unwrap_or_default();
        assert_eq!(cell(row, "due"), due, "{id}");
        assert_eq!(cell(row, "notes"), r.notes, "{id}");
        assert_eq!(cell(row, "soc2"), q.maps_to.tsc.join(", "), "{id}");
        assert_eq!(cell(row, "nist_ai_rmf"), q.maps_to.nist.join(", "), "{id}");
        assert_eq!(cell(row, "iso_42001"), q.maps_to.iso.join(", "), "{id}");
        assert_eq!(cell(row, "evidence"), r.action.evidence.join("; "), "{id}");
        assert_eq!(cell(row, "session_id"), fixture::ID);
        assert_eq!(cell(row, "exported"), "2026-02-01T09:00:00Z");
        assert_eq!(cell(row, "action"), r.action.what, "{id}");
        let status = match &r.action.status {
            _ if r.action.is_empty() => String::new(),
            ActionStatus::Open => "open".into(),
            ActionStatus::InProgress => "in progress".into(),
            ActionStatus::Done => "done".into(),
            ActionStatus::WontDo(why) => format!("won't do: {why}"),
        };
        assert_eq!(cell(row, "status"), status, "{id}");
        if gap {
            assert!(!gaps_done, "gap {id} after the other actions");
            let key = (q.critical, priority);
            assert!(
                key <= last_gap_key,
                "gap {id} {key:?} ranked after {last_gap_key:?}"
            );
            last_gap_key = key;
        } else {
            gaps_done = true;
        }
    }

    // The first question, written out from the fixture: answered 4, Ana's action, and a note
    // of three lines that the CSV keeps as typed.
    let first = rows
        .iter()
        .find(|r| r[col("question_id")] == applicable[0].id)
        .unwrap();
    assert_eq!(cell(first, "answer"), "4 Operating");
    assert_eq!(cell(first, "gap"), "no");
    assert_eq!(cell(first, "owner"), "Ana Alvarez");
    assert_eq!(cell(first, "due"), "2027-01-01");
    assert_eq!(
        cell(first, "notes"),
        "Reviewed in the workshop.\nSecond line of the note\n- with a dash"
    );
}

#[test]
fn csv_neutralises_formula_cells() {
    let session = fixture::hostile_session();
    let text = report::render(Format::Csv, fixture::bank(), &session, &fixture::options()).unwrap();
    let (_, rows) = csv_rows(&text);
    let mut neutralised = 0;
    for row in &rows {
        for cell in row {
            let first = cell.chars().next();
            assert!(
                !matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')),
                "formula cell {cell:?}"
            );
            if cell.starts_with("'=") || cell.starts_with("'-") {
                neutralised += 1;
            }
        }
    }
    assert!(
        neutralised > 0,
        "the hostile fixture has formula-like cells"
    );
    assert_eq!(escape::csv_cell("=1+1"), "'=1+1");
}

#[test]
fn export_writes_markdown_to_standard_output_by_id_or_name() {
    let dir = with_session(&fixture::session());
    for key in [fixture::ID, "Acme support bot"] {
        let out = aiready(&["export", key], dir.path());
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(
            text.starts_with("---\ntitle: 'SOC 2 readiness report: Acme support bot'\n"),
            "{text}"
        );
        assert!(text.contains("\n# SOC 2 readiness report: Acme support bot\n"));
        assert!(text.contains("## Appendix: every question"));
    }
    let out = aiready(&["export", "no-such-session"], dir.path());
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no-such-session"), "{}", stderr(&out));
}

#[test]
fn export_to_a_file_refuses_to_overwrite_without_force() {
    let dir = with_session(&fixture::session());
    let file = dir.path().join("report.csv");
    let out = aiready(
        &["export", fixture::ID, "-f", "csv", "-o", "report.csv"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("report.csv"), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("\u{feff}rank,question_id,")
    );

    std::fs::write(&file, "keep me").unwrap();
    let out = aiready(&["export", fixture::ID, "-o", "report.csv"], dir.path());
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("report.csv") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");

    let out = aiready(
        &["export", fixture::ID, "-o", "report.csv", "--force"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("---\ntitle: 'SOC 2 readiness report")
    );
    // No temporary files are left next to it.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with(".tmp")), "{names:?}");
}

/// Whether `word` occurs in `text` as a whole word, in any letter case.
fn has_word(text: &str, word: &str) -> bool {
    let (text, word) = (text.to_lowercase(), word.to_lowercase());
    text.match_indices(&word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
    })
}

#[test]
fn anonymize_removes_every_name_in_every_format() {
    let dir = with_session(&fixture::session());
    for format in ["markdown", "json", "csv"] {
        let out = aiready(
            &["export", fixture::ID, "-f", format, "--anonymize"],
            dir.path(),
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        for name in fixture::NAMES {
            for part in name.split(' ').chain([name]) {
                assert!(!has_word(&text, part), "{part} in the {format} export");
            }
        }
        assert!(text.contains("Participant A"), "{format}: no pseudonyms");
        if format == "markdown" {
            assert!(
                text.contains("| Participant A | ML engineer |"),
                "roles kept"
            );
        }
    }
    let out = aiready(&["export", fixture::ID], dir.path());
    assert!(stdout(&out).contains(fixture::NAMES[1]));
    let out = aiready(
        &["export", fixture::ID, "--anonymize", "--generalise-roles"],
        dir.path(),
    );
    let text = stdout(&out);
    assert!(
        !text.contains("| Participant A | ML engineer |")
            && text.contains("| Participant A | team member |")
    );
}

#[test]
fn template_comes_from_the_flag_then_the_config_directory() {
    let dir = with_session(&fixture::session());
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config/report.md.j2"),
        "Config template for {{ session.name }}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("mine.j2"),
        "Flag template: {{ summary.gaps }} gaps\n",
    )
    .unwrap();
    let out = aiready(&["export", fixture::ID], dir.path());
    assert_eq!(stdout(&out), "Config template for Acme support bot\n");
    let out = aiready(
        &["export", fixture::ID, "--template", "mine.j2"],
        dir.path(),
    );
    assert!(
        stdout(&out).starts_with("Flag template: "),
        "{}",
        stderr(&out)
    );
    let out = aiready(
        &["export", fixture::ID, "--template", "mine.j2", "-f", "csv"],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("Markdown"), "{}", stderr(&out));
    let out = aiready(
        &["export", fixture::ID, "--template", "nope.j2"],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("nope.j2"), "{}", stderr(&out));
}
