//! OSCAL exports checked against NIST's JSON Schemas for OSCAL 1.1.3 (copied unchanged under
//! tests/fixtures/oscal/): empty, partly and fully answered sessions, anonymized and hostile
//! text all validate, a document missing a required field does not, UUIDs are stable between
//! exports, and the documents say what the session says.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::scale::Answer;
use aiready::domain::session::Session;
use aiready::report::{self, Format, Options};
use common::fixture_session as fixture;
use common::report_cli::{aiready, stderr, with_session};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/oscal");

fn schema(file: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(format!("{DIR}/{file}")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn ar_schema() -> jsonschema::Validator {
    schema("oscal_assessment-results_schema.json")
}

fn poam_schema() -> jsonschema::Validator {
    schema("oscal_poam_schema.json")
}

/// The problems the validator finds, one line each, for the failure message.
fn problems(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .take(20)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn export(format: Format, session: &Session, options: &Options) -> Value {
    let text = report::render(format, fixture::bank(), session, options).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn empty() -> Session {
    Session::new(
        "2026-01-01-empty-000000".into(),
        "Empty".into(),
        fixture::bank(),
        fixture::fixed_time(),
    )
}

/// The fixture with every applicable question answered.
fn fully_answered() -> Session {
    let mut s = fixture::session();
    let ids: Vec<String> = s
        .applicable_questions(fixture::bank())
        .iter()
        .map(|q| q.id.clone())
        .collect();
    for id in ids {
        if s.answer(&id).is_none() {
            s.set_answer(&id, Some(Answer::Operating), fixture::fixed_time());
        }
    }
    s
}

/// The fixture with evidence that is almost a link, and text with surrounding space.
fn odd_evidence() -> Session {
    let mut s = fixture::session();
    for r in s.records.values_mut().filter(|r| r.answer.is_some()) {
        r.action.evidence = vec![
            "https://wiki.acme.example/a|b{c}".into(),
            "https://exämple.test/ü".into(),
            "https://wiki.acme.example/ok?x=1&y=%20".into(),
            "  \n ".into(),
            " policy v2.pdf \n".into(),
        ];
        r.notes = "\n  indented note  \n".into();
        r.action.owner = " \t ".into();
    }
    s.facilitator = "\n".into();
    s
}

fn anonymized() -> Options {
    Options {
        anonymize: true,
        ..fixture::options()
    }
}

fn cases() -> Vec<(&'static str, Session, Options)> {
    vec![
        ("empty", empty(), fixture::options()),
        ("partly answered", fixture::session(), fixture::options()),
        ("fully answered", fully_answered(), fixture::options()),
        ("anonymized", fixture::session(), anonymized()),
        (
            "hostile text",
            fixture::hostile_session(),
            fixture::options(),
        ),
        ("odd evidence", odd_evidence(), fixture::options()),
    ]
}

#[test]
fn the_schemas_are_nists_files_unchanged() {
    for (file, sha256) in [
        (
            "oscal_assessment-results_schema.json",
            "d9e34757f0c12aff61f52b821f0b8f83ba0ba75b3a149a202b08ba82f82bc4c3",
        ),
        (
            "oscal_poam_schema.json",
            "e404043fef9cc6108c0e895932f513043d54f28457b4eb02e74dc0cff1215e16",
        ),
    ] {
        let bytes = std::fs::read(format!("{DIR}/{file}")).unwrap();
        let digest: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(digest, sha256, "{file} is not the release asset");
    }
    // The README's own check: its example validates, and fails without import-ap.
    let validator = ar_schema();
    let mut example: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{DIR}/example-assessment-results.json")).unwrap(),
    )
    .unwrap();
    assert!(validator.is_valid(&example));
    example["assessment-results"]
        .as_object_mut()
        .unwrap()
        .remove("import-ap");
    assert!(!validator.is_valid(&example));
}

#[test]
fn every_fixture_session_validates_against_nists_schemas() {
    let (ar, poam) = (ar_schema(), poam_schema());
    for (name, session, options) in cases() {
        let doc = export(Format::OscalAr, &session, &options);
        let found = problems(&ar, &doc);
        assert!(
            found.is_empty(),
            "assessment results, {name}:\n{}",
            found.join("\n")
        );
        let doc = export(Format::OscalPoam, &session, &options);
        let found = problems(&poam, &doc);
        assert!(found.is_empty(), "POA&M, {name}:\n{}", found.join("\n"));
    }
}

#[test]
fn a_document_missing_a_required_field_fails_validation() {
    let (ar, poam) = (ar_schema(), poam_schema());
    let doc = export(Format::OscalAr, &fixture::session(), &fixture::options());
    assert!(ar.is_valid(&doc));
    let mut broken = doc.clone();
    broken["assessment-results"]
        .as_object_mut()
        .unwrap()
        .remove("import-ap");
    assert!(!ar.is_valid(&broken));
    let mut broken = doc.clone();
    broken["assessment-results"]["results"][0]["observations"][0]
        .as_object_mut()
        .unwrap()
        .remove("methods");
    assert!(!ar.is_valid(&broken));
    let mut broken = doc.clone();
    broken["assessment-results"]["import-ap"]["href"] = Value::from("not a uri reference");
    assert!(!ar.is_valid(&broken), "formats are checked");
    let mut broken = doc;
    broken["assessment-results"]["metadata"]["oscal-version"] = Value::from(" 1.1.3");
    assert!(
        !ar.is_valid(&broken),
        "a plain string may not start with a space"
    );

    let doc = export(Format::OscalPoam, &fixture::session(), &fixture::options());
    assert!(poam.is_valid(&doc));
    let mut broken = doc.clone();
    broken["plan-of-action-and-milestones"]["poam-items"][0]
        .as_object_mut()
        .unwrap()
        .remove("title");
    assert!(!poam.is_valid(&broken));
    let mut broken = doc;
    broken["plan-of-action-and-milestones"]["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("last-modified");
    assert!(!poam.is_valid(&broken));
}

/// Every `uuid` value in a document, in order.
fn uuids(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if key == "uuid"
                    && let Some(s) = v.as_str()
                {
                    out.push(s.to_string());
                }
                uuids(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| uuids(v, out)),
        _ => {}
    }
}

/// The value of an item's property in aiready's namespace.
fn prop(item: &Value, name: &str) -> Option<String> {
    item["props"].as_array().and_then(|props| {
        props
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["value"].as_str().unwrap().to_string())
    })
}

/// The document with its time stamps of the export blanked.
fn without_export_time(mut doc: Value) -> Value {
    for root in ["assessment-results", "plan-of-action-and-milestones"] {
        if let Some(meta) = doc.get_mut(root).and_then(|r| r.get_mut("metadata")) {
            meta["last-modified"] = Value::Null;
        }
    }
    doc
}

#[test]
fn two_exports_differ_only_in_their_time_stamps_and_uuids_are_version_5() {
    let later = Options {
        generated: "2026-03-01T08:00:00Z".parse().unwrap(),
        ..fixture::options()
    };
    for format in [Format::OscalAr, Format::OscalPoam] {
        let first = export(format, &fixture::session(), &fixture::options());
        let second = export(format, &fixture::session(), &later);
        assert_ne!(first, second, "the time stamp changes");
        assert_eq!(
            without_export_time(first.clone()),
            without_export_time(second)
        );
        let mut ids = Vec::new();
        uuids(&first, &mut ids);
        assert!(ids.len() > 10);
        let unique: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "every uuid names one thing");
        for id in &ids {
            assert_eq!(id.as_bytes()[14], b'5', "{id} is a version 5 uuid");
        }
        // Another session gets other uuids.
        let mut other = fixture::session();
        other.id = "2026-01-15-other-0a1b2d".into();
        let mut other_ids = Vec::new();
        uuids(&export(format, &other, &fixture::options()), &mut other_ids);
        assert!(other_ids.iter().all(|id| !unique.contains(id)));
    }
}

#[test]
fn results_hold_an_observation_per_answer_a_finding_per_criterion_and_a_risk_per_action() {
    let session = fixture::session();
    let bank = fixture::bank();
    let doc = export(Format::OscalAr, &session, &fixture::options());
    let ar = &doc["assessment-results"];
    assert_eq!(ar["metadata"]["oscal-version"], "1.1.3");
    assert!(
        ar["import-ap"]["href"]
            .as_str()
            .unwrap()
            .ends_with(fixture::ID)
    );
    assert!(
        ar["import-ap"]["remarks"]
            .as_str()
            .unwrap()
            .contains("No assessment plan file exists")
    );
    let results = ar["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    let result = &results[0];

    // One observation per answered applicable question, with its level and method.
    let applicable: Vec<&str> = session
        .applicable_questions(bank)
        .iter()
        .map(|q| q.id.as_str())
        .collect();
    let answered: Vec<&str> = applicable
        .iter()
        .copied()
        .filter(|id| session.answer(id).is_some())
        .collect();
    let observations = result["observations"].as_array().unwrap();
    assert_eq!(observations.len(), answered.len());
    let mut observation_of: BTreeMap<String, &Value> = BTreeMap::new();
    for o in observations {
        let id = prop(o, "question-id").unwrap();
        let record = session.record(&id).unwrap();
        let method = o["methods"][0].as_str().unwrap();
        assert_eq!(
            method,
            if record.action.evidence.is_empty() {
                "INTERVIEW"
            } else {
                "EXAMINE"
            },
            "{id}"
        );
        let answer = record.answer.unwrap();
        assert_eq!(prop(o, "answer").as_deref(), Some(answer.name()));
        assert_eq!(
            prop(o, "readiness-level"),
            answer.scored_level().map(|l| l.to_string())
        );
        assert_eq!(
            o["relevant-evidence"].as_array().map_or(0, Vec::len),
            record.action.evidence.len()
        );
        for (e, recorded) in o["relevant-evidence"]
            .as_array()
            .into_iter()
            .flatten()
            .zip(&record.action.evidence)
        {
            assert_eq!(e["description"], recorded.as_str());
            if recorded.starts_with("https://") {
                assert_eq!(e["href"], recorded.as_str());
            }
        }
        if !record.notes.is_empty() {
            assert_eq!(o["remarks"].as_str().unwrap(), record.notes.trim());
        }
        observation_of.insert(id, o);
    }

    // One finding per SOC 2 criterion cited by an applicable question.
    let cited: BTreeSet<String> = applicable
        .iter()
        .flat_map(|id| {
            bank.question(id)
                .unwrap()
                .maps_to
                .for_framework(aiready::domain::framework::Framework::Tsc)
                .to_vec()
        })
        .collect();
    let findings = result["findings"].as_array().unwrap();
    assert_eq!(findings.len(), cited.len());
    let reviewed: BTreeSet<String> =
        result["reviewed-controls"]["control-selections"][0]["include-controls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["control-id"].as_str().unwrap().to_string())
            .collect();
    assert_eq!(reviewed, cited);
    let target = 4; // the fixture's target is Type 2
    let observation_uuids: BTreeSet<&str> = observations
        .iter()
        .map(|o| o["uuid"].as_str().unwrap())
        .collect();
    let mut states = BTreeSet::new();
    for f in findings {
        let criterion = f["target"]["target-id"].as_str().unwrap();
        let citing: Vec<&str> = applicable
            .iter()
            .copied()
            .filter(|id| {
                bank.question(id)
                    .unwrap()
                    .maps_to
                    .for_framework(aiready::domain::framework::Framework::Tsc)
                    .iter()
                    .any(|c| c == criterion)
            })
            .collect();
        let satisfied = citing.iter().all(|id| match session.answer(id) {
            None => false,
            Some(Answer::NotApplicable) => true,
            Some(a) => a.scored_level().unwrap_or(0) >= target,
        });
        let state = f["target"]["status"]["state"].as_str().unwrap();
        assert_eq!(
            state,
            if satisfied {
                "satisfied"
            } else {
                "not-satisfied"
            },
            "{criterion}"
        );
        states.insert(state);
        let related: Vec<&str> = f["related-observations"]
            .as_array()
            .map(|r| {
                r.iter()
                    .map(|o| o["observation-uuid"].as_str().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        let answered_citing = citing
            .iter()
            .filter(|id| session.answer(id).is_some())
            .count();
        assert_eq!(related.len(), answered_citing, "{criterion}");
        assert!(related.iter().all(|u| observation_uuids.contains(u)));
    }
    assert_eq!(
        states.len(),
        2,
        "both states occur in the fixture: {states:?}"
    );

    // A risk per follow-up action, with its remediation, linked from the findings.
    let context_actions = action_count(&session);
    let risks = result["risks"].as_array().unwrap();
    assert_eq!(risks.len(), context_actions);
    let risk_uuids: BTreeSet<&str> = risks.iter().map(|r| r["uuid"].as_str().unwrap()).collect();
    for r in risks {
        assert!(
            !r["remediations"][0]["description"]
                .as_str()
                .unwrap()
                .is_empty()
        );
    }
    for f in findings {
        for r in f["related-risks"].as_array().into_iter().flatten() {
            assert!(risk_uuids.contains(r["risk-uuid"].as_str().unwrap()));
        }
    }
    // People are parties with their roles.
    let parties = ar["metadata"]["parties"].as_array().unwrap();
    let names: BTreeSet<&str> = parties
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in fixture::NAMES {
        assert!(names.contains(name), "{name}");
    }
    assert!(names.contains("Acme Ltd"));
}

/// The rows of the action plan, as the CSV export has them.
fn action_count(session: &Session) -> usize {
    let csv = report::render(Format::Csv, fixture::bank(), session, &fixture::options()).unwrap();
    csv::Reader::from_reader(csv.as_bytes()).records().count()
}

/// The rows of the action plan whose action is neither done nor decided against.
fn open_action_count(session: &Session) -> usize {
    let csv = report::render(Format::Csv, fixture::bank(), session, &fixture::options()).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let status = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "status")
        .unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let closed = rows
        .iter()
        .filter(|r| r[status].starts_with("done") || r[status].starts_with("won't do"))
        .count();
    assert!(closed > 0, "the fixture has closed actions");
    rows.len() - closed
}

#[test]
fn the_poam_lists_open_actions_with_owner_and_due_date() {
    let session = fixture::session();
    let doc = export(Format::OscalPoam, &session, &fixture::options());
    let items = doc["plan-of-action-and-milestones"]["poam-items"]
        .as_array()
        .unwrap();
    assert_eq!(items.len(), open_action_count(&session));
    let mut with_owner = 0;
    for item in items {
        let id = prop(item, "question-id").unwrap();
        let record = session.record(&id).cloned().unwrap_or_default();
        let owner = prop(item, "action-owner").unwrap();
        if record.action.owner.is_empty() {
            assert_eq!(owner, "unassigned");
        } else {
            with_owner += 1;
            assert_eq!(owner, record.action.owner);
            assert_eq!(
                prop(item, "due-date"),
                record.action.due.map(|d| d.to_string()),
                "{id}"
            );
            assert!(item["origins"][0]["actors"][0]["actor-uuid"].is_string());
        }
        assert!(item["related-risks"][0]["risk-uuid"].is_string());
    }
    assert!(with_owner > 0);
    assert!(
        items.len() > with_owner,
        "gaps without an owner are listed too"
    );
    // The deadline of each risk is the due date.
    let risks = doc["plan-of-action-and-milestones"]["risks"]
        .as_array()
        .unwrap();
    assert!(risks.iter().any(|r| {
        r["deadline"]
            .as_str()
            .is_some_and(|d| d.ends_with("T23:59:59Z"))
    }));
}

#[test]
fn a_poam_without_open_actions_says_so_in_its_one_item() {
    let doc = export(Format::OscalPoam, &empty(), &fixture::options());
    let items = doc["plan-of-action-and-milestones"]["poam-items"]
        .as_array()
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["title"], "No open follow-up actions");
    assert!(items[0].get("related-risks").is_none());
    assert!(doc["plan-of-action-and-milestones"].get("risks").is_none());
}

#[test]
fn anonymized_documents_have_no_people_as_parties_and_no_names() {
    for format in [Format::OscalAr, Format::OscalPoam] {
        let text =
            report::render(format, fixture::bank(), &fixture::session(), &anonymized()).unwrap();
        let words: BTreeSet<&str> = text.split(|c: char| !c.is_alphanumeric()).collect();
        for name in fixture::NAMES {
            for part in name.split(' ') {
                assert!(!words.contains(part), "{part} in {format}");
            }
        }
        let doc: Value = serde_json::from_str(&text).unwrap();
        let root = doc.as_object().unwrap().values().next().unwrap();
        let parties = root["metadata"]["parties"].as_array().unwrap();
        assert!(
            parties.iter().all(|p| p["type"] == "organization"),
            "{parties:?}"
        );
        assert!(text.contains("Owner 1") || text.contains("Participant A"));
    }
}

#[test]
fn the_command_line_writes_both_documents() {
    let dir = with_session(&fixture::session());
    for (format, file) in [("oscal-ar", "ar.json"), ("oscal-poam", "poam.json")] {
        let out = aiready(
            &["export", fixture::ID, "-f", format, "-o", file],
            dir.path(),
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join(file)).unwrap()).unwrap();
        let validator = if format == "oscal-ar" {
            ar_schema()
        } else {
            poam_schema()
        };
        assert!(validator.is_valid(&doc), "{format}");
    }
    let out = aiready(
        &[
            "export",
            fixture::ID,
            "-f",
            "oscal-ar",
            "--template",
            "x.j2",
        ],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--template applies to the Markdown and HTML formats only"));
}

#[test]
fn only_a_clean_web_address_becomes_an_evidence_link() {
    let doc = export(Format::OscalAr, &odd_evidence(), &fixture::options());
    let o = &doc["assessment-results"]["results"][0]["observations"][0];
    let evidence = o["relevant-evidence"].as_array().unwrap();
    let links: Vec<&str> = evidence.iter().filter_map(|e| e["href"].as_str()).collect();
    assert_eq!(links, ["https://wiki.acme.example/ok?x=1&y=%20"]);
    let described: Vec<&str> = evidence
        .iter()
        .map(|e| e["description"].as_str().unwrap())
        .collect();
    assert!(described.contains(&"policy v2.pdf"), "{described:?}");
    assert_eq!(described.len(), 4, "blank evidence is left out");
    assert_eq!(o["remarks"], "indented note");
}
