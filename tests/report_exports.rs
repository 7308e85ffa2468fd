//! JSON and CSV exports checked against what they promise: the shipped JSON Schema is the one
//! generated from the types and every export validates against it; values read without
//! knowing Rust; CSV has its columns, byte order mark, register and no control characters;
//! import refuses what it cannot recreate faithfully; reports follow the user's umask.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::scale::Answer;
use aiready::domain::session::Session;
use aiready::report::{self, CsvOptions, Format, Options};
use aiready::store::{FileStore, SessionStore};
use common::fixture_session as fixture;
use common::report_cli::{aiready, stderr, with_session};
use serde_json::Value;
use std::process::Command;

const SCHEMA_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/report.schema.json");

fn render(format: Format, session: &Session, options: &Options) -> String {
    report::render(format, fixture::bank(), session, options).unwrap()
}

#[test]
fn the_shipped_schema_is_the_one_generated_from_the_types() {
    let generated = report::json::schema();
    if std::env::var_os("AIREADY_WRITE_SCHEMA").is_some() {
        std::fs::write(SCHEMA_FILE, &generated).unwrap();
    }
    let shipped = std::fs::read_to_string(SCHEMA_FILE).unwrap_or_default();
    assert!(
        shipped == generated,
        "docs/report.schema.json is out of date; regenerate it with \
         AIREADY_WRITE_SCHEMA=1 cargo test --test report_exports"
    );
}

#[test]
fn every_export_validates_against_the_shipped_schema() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(SCHEMA_FILE).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut anonymized = fixture::options();
    anonymized.anonymize = true;
    let empty = Session::new(
        "2026-01-01-empty-000000".into(),
        "Empty".into(),
        fixture::bank(),
        fixture::fixed_time(),
    );
    let mut period = fixture::session();
    period.observation_period = Some(aiready::domain::session::ObservationPeriod {
        start: jiff::civil::date(2026, 3, 1),
        end: jiff::civil::date(2026, 8, 31),
    });
    let cases = [
        (fixture::session(), fixture::options()),
        (fixture::hostile_session(), fixture::options()),
        (fixture::session(), anonymized),
        (empty, fixture::options()),
        (period, fixture::options()),
    ];
    for (session, options) in cases {
        let value: Value = serde_json::from_str(&render(Format::Json, &session, &options)).unwrap();
        let problems: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(problems.is_empty(), "{}: {problems:?}", session.name);
    }
    // The schema is not vacuous: a version-1 style answer is refused.
    let mut value: Value = serde_json::from_str(&render(
        Format::Json,
        &fixture::session(),
        &fixture::options(),
    ))
    .unwrap();
    let first = value["session"]["records"]
        .as_object()
        .and_then(|m| m.keys().next().cloned())
        .unwrap();
    value["session"]["records"][&first]["answer"] = Value::String("Designed".into());
    assert!(!validator.is_valid(&value));
}

#[test]
fn json_values_read_without_knowing_rust() {
    let session = fixture::session();
    let value: Value =
        serde_json::from_str(&render(Format::Json, &session, &fixture::options())).unwrap();
    // Answers, written by hand from the fixture: its first applicable question is answered 4.
    let (first_id, first) = session
        .records
        .iter()
        .find(|(_, r)| r.answer == Some(Answer::Operating))
        .unwrap();
    assert_eq!(
        value["session"]["records"][first_id]["answer"],
        serde_json::json!({"kind": "level", "level": 4})
    );
    assert_eq!(first.answer, Some(Answer::Operating));
    let na = session
        .records
        .iter()
        .find(|(_, r)| r.answer == Some(Answer::NotApplicable))
        .map(|(id, _)| id)
        .unwrap();
    assert_eq!(
        value["session"]["records"][na]["answer"],
        serde_json::json!({"kind": "not_applicable"})
    );
    assert_eq!(value["session"]["target"], "type2");
    assert_eq!(value["session"]["categories"][0], "security");
    // One status shape: an object with a kind, for every question.
    let questions = value["results"]["questions"].as_array().unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    for q in questions {
        let kind = q["status"]["kind"].as_str().unwrap();
        kinds.insert(kind.to_string());
        if kind == "scored" {
            assert!(q["status"]["level"].is_u64() && q["status"]["unknown"].is_boolean());
        }
        assert!(q["maps_to"]["soc2"].is_array());
        assert!(q["maps_to"]["nist_ai_rmf"].is_array());
        assert!(q["maps_to"]["iso_42001"].is_array());
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["hidden", "not_applicable", "open", "scored"]
    );
    // The mappings are those of the bank.
    let bank_q = fixture::bank().question(first_id).unwrap();
    let q = questions
        .iter()
        .find(|q| q["id"] == first_id.as_str())
        .unwrap();
    assert_eq!(q["maps_to"]["soc2"], serde_json::json!(bank_q.maps_to.tsc));
    // Scores have at most two decimals.
    let mut scores = vec![value["results"]["overall"]["score"].as_f64().unwrap()];
    for c in value["results"]["categories"].as_array().unwrap() {
        scores.extend(c["score"].as_f64());
        for s in c["sections"].as_array().unwrap() {
            scores.extend(s["score"].as_f64());
        }
    }
    for s in scores {
        assert_eq!(
            s,
            (s * 100.0).round() / 100.0,
            "{s} has more than two decimals"
        );
    }
    assert_eq!(value["results"]["categories"][4]["ladder"], "maturity");
    assert!(
        value["results"]["verdict"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Not ready")
    );
}

#[test]
fn import_refuses_what_it_cannot_recreate_with_the_json_path() {
    let session = fixture::session();
    let text = render(Format::Json, &session, &fixture::options());
    let dir = tempfile::tempdir().unwrap();
    let na = session
        .records
        .iter()
        .find(|(_, r)| r.answer == Some(Answer::NotApplicable))
        .map(|(id, _)| id.clone())
        .unwrap();
    let mut value: Value = serde_json::from_str(&text).unwrap();
    value["session"]["records"][&na]["notes"] = Value::String("  ".into());
    std::fs::write(dir.path().join("na.json"), value.to_string()).unwrap();
    let voted = session
        .records
        .iter()
        .find(|(_, r)| !r.votes.is_empty())
        .map(|(id, _)| id.clone())
        .unwrap();
    let mut value: Value = serde_json::from_str(&text).unwrap();
    value["session"]["records"][&voted]["votes"]["Mallory"] =
        serde_json::json!({"kind": "level", "level": 4});
    std::fs::write(dir.path().join("vote.json"), value.to_string()).unwrap();
    let mut value: Value = serde_json::from_str(&text).unwrap();
    value["session"]["records"][&voted]["answer"] =
        serde_json::json!({"kind": "level", "level": 7});
    std::fs::write(dir.path().join("level.json"), value.to_string()).unwrap();
    for (file, path) in [
        ("na.json", format!("session.records[\"{na}\"].notes")),
        (
            "vote.json",
            format!("session.records[\"{voted}\"].votes[\"Mallory\"]"),
        ),
        (
            "level.json",
            format!("session.records[\"{voted}\"].answer.level"),
        ),
    ] {
        let out = aiready(&["import", file], dir.path());
        assert!(!out.status.success(), "{file}");
        let err = stderr(&out);
        assert!(err.contains(file) && err.contains(&path), "{file}: {err}");
    }
    assert!(
        !dir.path().join("data").exists()
            || std::fs::read_dir(dir.path().join("data"))
                .unwrap()
                .next()
                .is_none()
    );
}

#[test]
fn import_replace_overwrites_and_keeps_the_previous_version() {
    let mut session = fixture::session();
    let dir = with_session(&session);
    let store = FileStore::new(dir.path().join("data"));
    session.name = "Acme support bot, as exported".into();
    std::fs::write(
        dir.path().join("s.json"),
        render(Format::Json, &session, &fixture::options()),
    )
    .unwrap();
    let out = aiready(&["import", "s.json", "--replace"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(store.load(fixture::ID).unwrap(), session);
    let backup = std::fs::read_to_string(store.backup_path(fixture::ID)).unwrap();
    assert!(backup.contains("name: \"Acme support bot\""), "{backup}");
    let out = aiready(&["import", "s.json", "--replace", "--as-new"], dir.path());
    assert!(!out.status.success());
}

#[test]
fn csv_has_mapping_columns_a_byte_order_mark_and_a_register() {
    let session = fixture::session();
    let bank = fixture::bank();
    let text = render(Format::Csv, &session, &fixture::options());
    assert!(text.starts_with("\u{feff}rank,question_id,"));
    let mut options = fixture::options();
    options.csv = CsvOptions {
        bom: false,
        register: true,
    };
    let register = render(Format::Csv, &session, &options);
    assert!(register.starts_with("rank,question_id,"));
    let mut reader = csv::Reader::from_reader(register.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    for column in [
        "soc2",
        "nist_ai_rmf",
        "iso_42001",
        "evidence",
        "session_id",
        "exported",
    ] {
        assert!(
            header.iter().any(|h| h == column),
            "{column} missing: {header:?}"
        );
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // Every applicable question once, counted from the session and bank directly.
    let applicable = session.applicable_questions(bank);
    assert_eq!(rows.len(), applicable.len());
    for q in &applicable {
        let row = rows
            .iter()
            .find(|r| &r[col("question_id")] == q.id.as_str())
            .unwrap();
        assert_eq!(&row[col("soc2")], q.maps_to.tsc.join(", "));
        assert_eq!(&row[col("iso_42001")], q.maps_to.iso.join(", "));
        assert_eq!(&row[col("session_id")], fixture::ID);
        assert_eq!(&row[col("exported")], "2026-02-01T09:00:00Z");
        let evidence = session
            .record(&q.id)
            .map(|r| r.action.evidence.join("; "))
            .unwrap_or_default();
        assert_eq!(&row[col("evidence")], evidence);
    }
}

#[test]
fn csv_never_writes_control_characters_and_still_neutralises_formulas() {
    let mut session = fixture::hostile_session();
    for (i, r) in session.records.values_mut().enumerate().take(20) {
        r.notes = format!("bell\u{7} escape\u{1b}[2J nul\u{0} c1\u{9b} line\u{2028}two {i}");
        r.action.owner = "\u{1b}]0;title\u{7}=cmd".into();
    }
    let text = render(Format::Csv, &session, &fixture::options());
    for c in text.chars() {
        assert!(
            !c.is_control() || c == '\n' || c == '\r',
            "control character U+{:04X} written",
            u32::from(c)
        );
    }
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    for row in reader.records() {
        for cell in row.unwrap().iter() {
            assert!(
                !matches!(cell.chars().next(), Some('=' | '+' | '-' | '@')),
                "formula cell {cell:?}"
            );
        }
    }
    assert!(text.contains("]0;title'") || text.contains("]0;title=cmd"));
}

#[cfg(unix)]
#[test]
fn reports_follow_the_umask_and_sessions_stay_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = with_session(&fixture::session());
    for (umask, expected) in [("022", 0o644), ("027", 0o640), ("077", 0o600)] {
        let out = Command::new("sh")
            .args(["-c", &format!("umask {umask} && exec \"$0\" \"$@\"")])
            .arg(env!("CARGO_BIN_EXE_aiready"))
            .args(["export", fixture::ID, "-o", "r.md", "--force"])
            .current_dir(dir.path())
            .env("AIREADY_DATA_DIR", dir.path().join("data"))
            .env("AIREADY_CONFIG_DIR", dir.path().join("config"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let file = dir.path().join("r.md");
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, expected, "report mode {mode:o} under umask {umask}");
        std::fs::remove_file(file).unwrap();
    }
    let session_mode = std::fs::metadata(FileStore::new(dir.path().join("data")).path(fixture::ID))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(session_mode & 0o077, 0, "session {session_mode:o}");
}

#[test]
fn an_observation_period_from_the_command_line_reaches_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let new = |extra: &[&str]| {
        let mut args = vec!["new", "--name", "Period", "--no-tui"];
        args.extend_from_slice(extra);
        aiready(&args, dir.path())
    };
    let out = new(&["--period-start", "2026-03-01", "--period-end", "2026-02-01"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("ends (2026-02-01) before"),
        "{}",
        stderr(&out)
    );
    let out = new(&[
        "--target",
        "type1",
        "--period-start",
        "2026-03-01",
        "--period-end",
        "2026-08-31",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("Type 2"), "{}", stderr(&out));
    let out = new(&["--period-start", "2026-03-01"]);
    assert!(!out.status.success());
    let out = new(&["--period-start", "2026-03-01", "--period-end", "2026-08-31"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let out = aiready(&["export", &id], dir.path());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains("Intended observation period for the Type 2 examination: 2026-03-01 to 2026-08-31 (184 days)."),
        "{text}"
    );
    let out = aiready(&["sessions", "show", &id], dir.path());
    assert!(String::from_utf8_lossy(&out.stdout).contains("2026-03-01 to 2026-08-31"));
}

#[test]
fn version_1_exports_still_import_and_are_checked_the_same_way() {
    let session = fixture::session();
    let v1 = |s: &Session| {
        serde_json::json!({"format_version": 1, "generator": "aiready 0.1.0", "session": s})
            .to_string()
    };
    assert_eq!(
        report::json::parse("old.json", &v1(&session)).unwrap(),
        session
    );
    let mut bad = session.clone();
    let na = bad
        .records
        .iter()
        .find(|(_, r)| r.answer == Some(Answer::NotApplicable))
        .map(|(id, _)| id.clone())
        .unwrap();
    bad.record_mut(&na).notes.clear();
    let err = report::json::parse("old.json", &v1(&bad))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!("session.records[\"{na}\"].notes")),
        "{err}"
    );
}

#[test]
fn older_exports_without_the_agreed_action_still_import() {
    let session = fixture::session();
    let with_action = session
        .records
        .iter()
        .find(|(_, r)| !r.action.owner.is_empty())
        .map(|(id, _)| id.clone())
        .unwrap();
    let expected = session.record(&with_action).unwrap().action.clone();

    // Version 1 kept the action's owner, due date and evidence in the record itself.
    let mut v1 =
        serde_json::json!({"format_version": 1, "generator": "aiready 0.1.0", "session": session});
    for record in v1["session"]["records"]
        .as_object_mut()
        .unwrap()
        .values_mut()
    {
        let record = record.as_object_mut().unwrap();
        let Some(action) = record.remove("action") else {
            continue;
        };
        record.insert(
            "action_owner".into(),
            action.get("owner").cloned().unwrap_or("".into()),
        );
        record.insert(
            "due".into(),
            action
                .get("due")
                .cloned()
                .unwrap_or(serde_json::Value::Null),
        );
        record.insert(
            "evidence".into(),
            action
                .get("evidence")
                .cloned()
                .unwrap_or(serde_json::json!([])),
        );
    }
    let back = report::json::parse("v1.json", &v1.to_string()).unwrap();
    let action = &back.record(&with_action).unwrap().action;
    assert_eq!(action.owner, expected.owner);
    assert_eq!(action.due, expected.due);
    assert_eq!(action.evidence, expected.evidence);

    // Version 2 had no agreed action, status, resolved flag or last question.
    let current = render(Format::Json, &session, &fixture::options());
    let mut v2: serde_json::Value = serde_json::from_str(&current).unwrap();
    v2["format_version"] = 2.into();
    for record in v2["session"]["records"]
        .as_object_mut()
        .unwrap()
        .values_mut()
    {
        let record = record.as_object_mut().unwrap();
        for field in ["action_what", "action_status", "status_date", "resolved"] {
            record.remove(field);
        }
    }
    let back = report::json::parse("v2.json", &v2.to_string()).unwrap();
    let action = &back.record(&with_action).unwrap().action;
    assert_eq!(action.owner, expected.owner);
    assert_eq!(action.what, "");
    assert_eq!(action.status, aiready::domain::session::ActionStatus::Open);
}

#[test]
fn the_agreed_action_and_its_status_round_trip_through_json() {
    let mut session = fixture::session();
    let id = session.records.keys().next().unwrap().clone();
    let record = session.record_mut(&id);
    record.action.what = "Write the procedure".into();
    record.action.status = aiready::domain::session::ActionStatus::WontDo("risk accepted".into());
    record.action.status_date = Some(jiff::civil::date(2026, 2, 1));
    record.resolved = true;
    session.last_question = Some(id.clone());
    let text = render(Format::Json, &session, &fixture::options());
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        value["session"]["records"][&id]["action_status"],
        serde_json::json!({"kind": "wont_do", "reason": "risk accepted"})
    );
    assert_eq!(report::json::parse("s.json", &text).unwrap(), session);
    // A won't-do without its reason is refused by path.
    let blank = text.replace("\"risk accepted\"", "\"  \"");
    let err = report::json::parse("s.json", &blank)
        .unwrap_err()
        .to_string();
    assert!(err.contains("action_status.reason"), "{err}");
}
