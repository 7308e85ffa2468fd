//! Re-assessment on the command line, run through the built binary: `new --from`, `compare`
//! (Markdown read with a CommonMark + GFM parser, JSON parsed back), `history` and `actions`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::compare::compare;
use aiready::domain::reassess::start_from;
use aiready::domain::scale::Answer;
use aiready::domain::session::{ActionStatus, Carried, Session};
use aiready::store::{FileStore, SessionStore};
use common::fixture_session::{self as fixture};
use common::report_cli::{aiready, stderr, stdout, with_session};
use jiff::Timestamp;
use jiff::civil::Date;
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use serde_json::Value;
use std::path::Path;

fn store(dir: &Path) -> FileStore {
    FileStore::new(dir.join("data"))
}

fn later() -> Timestamp {
    "2026-04-15T10:00:00Z".parse().unwrap()
}

/// What a Markdown document holds as a GFM parser reads it: headings, table rows (cells as
/// plain text) and fenced code blocks with their language.
#[derive(Debug, Default)]
struct Doc {
    headings: Vec<String>,
    rows: Vec<Vec<String>>,
    code: Vec<(String, String)>,
}

fn parse(markdown: &str) -> Doc {
    let mut doc = Doc::default();
    let mut text = String::new();
    let mut row: Vec<String> = Vec::new();
    let mut fence: Option<String> = None;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. }) | Event::Start(Tag::TableCell) => text.clear(),
            Event::End(TagEnd::Heading(_)) => doc.headings.push(text.trim().to_string()),
            Event::End(TagEnd::TableCell) => row.push(text.trim().to_string()),
            Event::End(TagEnd::TableRow) | Event::End(TagEnd::TableHead) => {
                doc.rows.push(std::mem::take(&mut row))
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) => {
                fence = Some(lang.to_string());
                text.clear();
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(lang) = fence.take() {
                    doc.code.push((lang, std::mem::take(&mut text)));
                }
            }
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            _ => {}
        }
    }
    doc
}

impl Doc {
    fn row(&self, first: &str) -> &Vec<String> {
        self.rows
            .iter()
            .find(|r| r.first().is_some_and(|c| c == first))
            .unwrap_or_else(|| panic!("no row starting with {first:?} in {:#?}", self.rows))
    }

    /// The rows of the table under a heading that starts with `title`.
    fn has_heading(&self, title: &str) -> bool {
        self.headings.iter().any(|h| h.starts_with(title))
    }
}

/// Questions of the fixture by how they were answered: (a gap answered Designed, a question
/// answered Operating, another gap answered Ad hoc).
fn picks(s: &Session) -> (String, String, String) {
    let bank = fixture::bank();
    let with = |answer: Answer, skip: usize| -> String {
        s.applicable_questions(bank)
            .iter()
            .filter(|q| s.records.get(&q.id).and_then(|r| r.answer) == Some(answer))
            .nth(skip)
            .map(|q| q.id.clone())
            .unwrap()
    };
    (
        with(Answer::Designed, 0),
        with(Answer::Operating, 1),
        with(Answer::AdHoc, 0),
    )
}

/// A re-assessment of the fixture: one gap closed, one question regressed, one answer
/// confirmed, an action done, the rest carried over.
fn reassessed(baseline: &Session) -> (Session, (String, String, String)) {
    let bank = fixture::bank();
    let mut s = start_from(
        baseline,
        bank,
        "2026-04-15-acme-support-bot-q2-0d0e0f".into(),
        "Acme support bot Q2".into(),
        later(),
    );
    let (closed, regressed, confirmed) = picks(baseline);
    s.set_answer(&closed, Some(Answer::Operating), later());
    s.set_answer(&regressed, Some(Answer::AdHoc), later());
    assert!(s.confirm_carried(&confirmed, later()));
    let with_action = s
        .records
        .iter()
        .find(|(_, r)| r.action.status == ActionStatus::InProgress)
        .map(|(id, _)| id.clone())
        .unwrap();
    s.record_mut(&with_action)
        .action
        .set_status(ActionStatus::Done, Date::new(2026, 4, 1).unwrap());
    // Work done since: what was not in place is now implemented (better, still short of a
    // Type 2 target).
    let not_in_place: Vec<String> = s
        .records
        .iter()
        .filter(|(_, r)| r.answer == Some(Answer::NotInPlace))
        .map(|(id, _)| id.clone())
        .collect();
    for id in &not_in_place {
        s.set_answer(id, Some(Answer::Implemented), later());
    }
    (s, (closed, regressed, confirmed))
}

#[test]
fn new_from_carries_the_previous_session_over_and_leaves_it_unchanged() {
    let baseline = fixture::session();
    let dir = with_session(&baseline);
    let file = store(dir.path()).path(fixture::ID);
    let before = std::fs::read(&file).unwrap();

    let out = aiready(
        &[
            "new",
            "--from",
            "Acme support bot",
            "--name",
            "Acme Q2",
            "--no-tui",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().to_string();
    assert!(
        stderr(&out).contains("carried over to confirm"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the previous session changed"
    );

    let new = store(dir.path()).load(&id).unwrap();
    assert_eq!(new.name, "Acme Q2");
    assert_eq!(new.started_from.as_ref().unwrap().id, fixture::ID);
    assert_eq!(new.organisation, baseline.organisation);
    assert_eq!(new.system, baseline.system);
    assert_eq!(new.target, baseline.target);
    assert_eq!(new.participants, baseline.participants);
    assert_eq!(new.scoping, baseline.scoping);
    assert_eq!(new.categories, baseline.categories);
    let answered = baseline
        .records
        .values()
        .filter(|r| r.answer.is_some())
        .count();
    assert_eq!(new.unconfirmed_count(), answered);
    for (qid, old) in &baseline.records {
        let Some(r) = new.records.get(qid) else {
            assert!(old.answer.is_none() && old.notes.is_empty() && old.action.is_empty());
            continue;
        };
        assert_eq!(r.answer, old.answer, "{qid}");
        assert_eq!(r.notes, old.notes, "{qid}");
        assert_eq!(
            r.action, old.action,
            "{qid}: actions carry over with their status"
        );
        assert!(
            r.votes.is_empty(),
            "votes belong to the meeting that cast them"
        );
        if r.answer.is_some() {
            assert_eq!(r.carried, Some(Carried::Unconfirmed), "{qid}");
        }
    }
    // The orphan stays, as an orphan.
    assert_eq!(new.records[fixture::ORPHAN].answer, Some(Answer::Designed));

    // Setup options belong to a fresh session, not to one that starts from another.
    let clash = aiready(
        &[
            "new",
            "--from",
            fixture::ID,
            "--name",
            "X",
            "--org",
            "Other",
            "--no-tui",
        ],
        dir.path(),
    );
    assert_eq!(clash.status.code(), Some(2), "{}", stderr(&clash));
    // A session that does not exist is named, and nothing is created.
    let missing = aiready(
        &["new", "--from", "nope", "--name", "Y", "--no-tui"],
        dir.path(),
    );
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("\"nope\""),
        "{}",
        stderr(&missing)
    );
    assert_eq!(store(dir.path()).list().unwrap().len(), 2);
}

#[test]
fn compare_as_markdown_shows_deltas_movements_flags_and_actions() {
    let baseline = fixture::session();
    let (current, (closed, regressed, confirmed)) = reassessed(&baseline);
    let dir = with_session(&baseline);
    drop(store(dir.path()).create(&current).unwrap());

    let out = aiready(&["compare", fixture::ID, &current.id], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let doc = parse(&text);

    let expected = compare(
        fixture::bank(),
        &baseline,
        &current,
        Timestamp::now()
            .to_zoned_datetime(jiff::tz::TimeZone::system())
            .date(),
    );
    let overall = doc.row("Overall");
    let delta = expected.overall.delta().unwrap();
    assert_ne!(delta, 0, "the fixture's changes move the overall score");
    let signed = if delta > 0 {
        format!("+{delta}")
    } else {
        delta.to_string()
    };
    assert_eq!(overall[3], signed, "{overall:?}");
    for cat in &expected.categories {
        let row = doc.row(cat.category.title());
        assert_eq!(row.len(), 7, "{row:?}");
    }
    assert!(doc.has_heading("Gaps closed (1)"), "{:?}", doc.headings);
    assert!(doc.has_heading("Regressions (1)"), "{:?}", doc.headings);
    let row_of = |id: &str| {
        doc.rows
            .iter()
            .find(|r| r.first().is_some_and(|c| c.starts_with(id)))
            .unwrap_or_else(|| panic!("{id} is not listed"))
            .clone()
    };
    assert!(
        row_of(&closed)[3].starts_with("4 "),
        "{:?}",
        row_of(&closed)
    );
    assert!(
        row_of(&regressed)[3].starts_with("1 "),
        "{:?}",
        row_of(&regressed)
    );
    // Only carried over: flagged, so it is not read as progress; the confirmed one is not.
    let carried = current
        .records
        .iter()
        .find(|(_, r)| r.unconfirmed().is_some())
        .map(|(id, _)| id.clone())
        .unwrap();
    assert!(row_of(&carried)[4].contains("carried over: confirm"));
    assert!(
        !doc.rows
            .iter()
            .any(|r| r.first().is_some_and(|c| c.starts_with(&confirmed))),
        "a confirmed, unchanged answer is not listed"
    );
    assert!(
        text.contains("carried over from the previous session"),
        "{text}"
    );
    assert!(doc.has_heading("Done (1)"), "{:?}", doc.headings);
    assert!(text.contains("The current session was started from the baseline."));

    // A session compared with itself: nothing moved.
    let same = aiready(&["compare", fixture::ID, fixture::ID], dir.path());
    let same = parse(&stdout(&same));
    assert_eq!(same.row("Overall")[3], "0");
    assert!(!same.has_heading("Gaps closed"));
}

#[test]
fn compare_as_json_reads_back_and_goes_to_a_file_through_the_report_rules() {
    let baseline = fixture::session();
    let (current, (closed, regressed, _)) = reassessed(&baseline);
    let dir = with_session(&baseline);
    drop(store(dir.path()).create(&current).unwrap());
    let file = dir.path().join("moved.json");
    let args = [
        "compare",
        fixture::ID,
        current.id.as_str(),
        "-f",
        "json",
        "-o",
        "moved.json",
    ];
    let out = aiready(&args, dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("moved.json"), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(json["baseline"]["id"], fixture::ID);
    assert_eq!(json["current"]["id"], current.id.as_str());
    assert_eq!(json["linked"], true);
    let movement = |id: &str| {
        json["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["id"] == id)
            .map(|q| q["movement"].as_str().unwrap().to_string())
    };
    assert_eq!(movement(&closed).as_deref(), Some("closed"));
    assert_eq!(movement(&regressed).as_deref(), Some("regressed"));
    // Carried answers to questions in scope are counted (the orphan and the hidden answer
    // are carried too, but are not part of any score).
    let carried_in_scope = current
        .applicable_questions(fixture::bank())
        .iter()
        .filter(|q| {
            current
                .records
                .get(&q.id)
                .is_some_and(|r| r.unconfirmed().is_some())
        })
        .count();
    assert!(carried_in_scope > 100);
    assert_eq!(
        json["method"]["carried"].as_u64().unwrap() as usize,
        carried_in_scope
    );
    let done = json["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["state"] == "done" && a["before"] == "in_progress")
        .count();
    assert_eq!(done, 1);
    let before = json["overall"]["before"]["score"].as_f64().unwrap();
    let after = json["overall"]["after"]["score"].as_f64().unwrap();
    assert_eq!(
        json["overall"]["delta"].as_i64().unwrap(),
        after.floor() as i64 - before.floor() as i64
    );

    // The file exists: not overwritten without --force, and the message names it.
    let again = aiready(&args, dir.path());
    assert!(!again.status.success());
    assert!(stderr(&again).contains("moved.json"), "{}", stderr(&again));
    // A symbolic link is refused, as for every report.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("elsewhere.json", dir.path().join("link.json")).unwrap();
        let link = aiready(
            &[
                "compare",
                fixture::ID,
                fixture::ID,
                "-o",
                "link.json",
                "--force",
            ],
            dir.path(),
        );
        assert!(!link.status.success());
        assert!(stderr(&link).contains("symbolic link"), "{}", stderr(&link));
        assert!(!dir.path().join("elsewhere.json").exists());
    }
}

#[test]
fn history_follows_the_chain_with_a_mermaid_trend() {
    let first = fixture::session();
    let (mut second, _) = reassessed(&first);
    second.updated = later();
    let third_time: Timestamp = "2026-07-15T10:00:00Z".parse().unwrap();
    let mut third = start_from(
        &second,
        fixture::bank(),
        "2026-07-15-acme-support-bot-q3-0a0a0a".into(),
        "Acme support bot Q3".into(),
        third_time,
    );
    let (gap, ..) = picks(&first);
    third.set_answer(&gap, Some(Answer::Implemented), third_time);
    let dir = with_session(&first);
    drop(store(dir.path()).create(&second).unwrap());
    drop(store(dir.path()).create(&third).unwrap());

    // Any session of the chain shows the whole chain, oldest first.
    let out = aiready(&["history", &second.id], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = parse(&stdout(&out));
    let order: Vec<&str> = ["1", "2", "3"]
        .iter()
        .map(|n| doc.row(n)[2].as_str())
        .collect();
    assert_eq!(order, [fixture::ID, second.id.as_str(), third.id.as_str()]);
    let (lang, chart) = doc.code.first().expect("a chart");
    assert_eq!(lang, "mermaid");
    assert!(chart.starts_with("xychart-beta"), "{chart}");
    let lines: Vec<&str> = chart
        .lines()
        .filter(|l| l.trim().starts_with("line ["))
        .collect();
    assert!(lines.len() >= 2, "overall and categories: {chart}");
    // The overall line has one point per session, the shown scores.
    let scores: Vec<String> = ["1", "2", "3"]
        .iter()
        .map(|n| doc.row(n)[5].clone())
        .collect();
    assert_eq!(lines[0].trim(), format!("line [{}]", scores.join(", ")));

    let json = aiready(&["history", fixture::ID, "-f", "json"], dir.path());
    let json: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let ids: Vec<&str> = json["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [fixture::ID, second.id.as_str(), third.id.as_str()]);
    assert_eq!(json["sessions"][1]["started_from"], fixture::ID);
}

#[test]
fn actions_filter_by_owner_status_and_overdue() {
    let mut s = fixture::session();
    let overdue_id = s
        .records
        .iter()
        .find(|(_, r)| r.action.status == ActionStatus::InProgress)
        .map(|(id, _)| id.clone())
        .unwrap();
    s.record_mut(&overdue_id).action.due = Some(Date::new(2020, 1, 31).unwrap());
    let dir = with_session(&s);
    let all = aiready(&["actions", fixture::ID, "--json"], dir.path());
    assert!(all.status.success(), "{}", stderr(&all));
    let all: Value = serde_json::from_str(&stdout(&all)).unwrap();
    let all = all.as_array().unwrap();
    let expected = s.records.values().filter(|r| !r.action.is_empty()).count();
    assert_eq!(all.len(), expected);
    assert_eq!(all[0]["question"], overdue_id.as_str(), "overdue first");
    assert_eq!(all[0]["overdue"], true);

    let json_of = |args: &[&str]| -> Vec<Value> {
        let out = aiready(args, dir.path());
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str::<Value>(&stdout(&out))
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let overdue = json_of(&["actions", fixture::ID, "--overdue", "--json"]);
    assert_eq!(overdue.len(), 1);
    let owner = fixture::NAMES[2];
    let mine = json_of(&[
        "actions",
        fixture::ID,
        "--owner",
        &owner.to_uppercase(),
        "--json",
    ]);
    assert!(!mine.is_empty());
    assert!(mine.iter().all(|a| a["owner"] == owner));
    assert_eq!(
        mine.len(),
        s.records
            .values()
            .filter(|r| r.action.owner == owner)
            .count()
    );
    let wont = json_of(&["actions", fixture::ID, "--status", "wont-do", "--json"]);
    assert!(!wont.is_empty());
    assert!(
        wont.iter()
            .all(|a| a["status"] == "wont_do" && a["reason"] == "accepted risk")
    );

    // The table marks the overdue action and says how many there are.
    let table = aiready(&["actions", fixture::ID, "--overdue"], dir.path());
    let text = stdout(&table);
    assert!(text.starts_with("QUESTION"), "{text}");
    assert!(text.contains(&format!("{overdue_id} ")), "{text}");
    assert!(text.contains("2020-01-31 OVERDUE"), "{text}");
    assert!(text.contains("1 action(s), 1 overdue"), "{text}");
    let none = aiready(&["actions", fixture::ID, "--status", "done"], dir.path());
    assert!(
        stdout(&none).contains("No follow-up actions"),
        "{}",
        stdout(&none)
    );
}

#[test]
fn the_report_marks_carried_answers_and_overdue_actions() {
    let baseline = fixture::session();
    let (mut current, (closed, _, confirmed)) = reassessed(&baseline);
    // An action past its due date on the day the report is generated (2026-02-01), still
    // open; another past due but done, which is not overdue.
    let late = current
        .records
        .iter()
        .find(|(_, r)| r.action.status == ActionStatus::InProgress && r.unconfirmed().is_some())
        .map(|(id, _)| id.clone())
        .unwrap();
    current.record_mut(&late).action.due = Some(Date::new(2026, 1, 20).unwrap());
    let options = fixture::options();
    let md = aiready::report::render(
        aiready::report::Format::Markdown,
        fixture::bank(),
        &current,
        &options,
    )
    .unwrap();
    let doc = parse(&md);
    let plan_row = |id: &str| {
        doc.rows
            .iter()
            .find(|r| r.len() == 8 && r[1].starts_with(id))
            .unwrap_or_else(|| panic!("{id} is not in the action plan"))
            .clone()
    };
    let late_row = plan_row(&late);
    assert!(
        late_row[2].contains("(carried over: confirm)"),
        "{late_row:?}"
    );
    assert!(late_row[6].contains("2026-01-20 (overdue)"), "{late_row:?}");
    assert!(late_row[5].contains("(in progress)"), "{late_row:?}");
    let overdue_rows = doc
        .rows
        .iter()
        .filter(|r| r.len() == 8 && r[6].contains("(overdue)"))
        .count();
    assert_eq!(overdue_rows, 1, "only the late open action is overdue");
    // Answers the room set or confirmed are not marked.
    let appendix_line = |id: &str| {
        // The appendix, at the end, lists every question.
        let at = md.rfind(&format!("- **{id}**")).unwrap();
        md[at..].lines().nth(1).unwrap().to_string()
    };
    assert!(!appendix_line(&confirmed).contains("carried over"));
    assert!(!appendix_line(&closed).contains("carried over"));
    assert!(
        appendix_line(&late).contains("(carried over: confirm)"),
        "{}",
        appendix_line(&late)
    );
    let unconfirmed = current.unconfirmed_count();
    assert!(
        md.contains(&format!(
            "A re-assessment started from Acme support bot ({}). {unconfirmed} answer(s) are carried over",
            fixture::ID
        )),
        "the header says where it started and how much waits"
    );
    // The HTML report says the same.
    let html = aiready::report::render(
        aiready::report::Format::Html,
        fixture::bank(),
        &current,
        &options,
    )
    .unwrap();
    assert!(html.contains("<strong>(overdue)</strong>"));
    assert!(html.contains("<strong>carried over: confirm</strong>"));
    // A first assessment has no such marks.
    let first = aiready::report::render(
        aiready::report::Format::Markdown,
        fixture::bank(),
        &baseline,
        &options,
    )
    .unwrap();
    assert!(!first.contains("carried over: confirm") && !first.contains("(overdue)"));
    assert!(!first.contains("A re-assessment started from"));
}

#[test]
fn hostile_text_in_a_comparison_stays_inside_its_cell() {
    let mut baseline = fixture::session();
    let hostile = "x` | y\n# z <script>";
    baseline.name = hostile.into();
    baseline.set_answer(hostile, Some(Answer::AdHoc), fixture::fixed_time());
    baseline.record_mut(hostile).action.what = "a | b\n- c".into();
    let mut current = start_from(
        &baseline,
        fixture::bank(),
        "2026-04-15-hostile-0d0e0f".into(),
        "Hostile again".into(),
        later(),
    );
    current.record_mut(hostile).action.owner = "`Eve` | <b>".into();
    let cmp = compare(
        fixture::bank(),
        &baseline,
        &current,
        Date::new(2026, 5, 1).unwrap(),
    );
    let md = aiready::report::compare::markdown(&cmp, later());
    let doc = parse(&md);
    assert_eq!(
        doc.headings[0],
        format!("Comparison: {} → Hostile again", "x` | y / # z <script>")
    );
    let row = doc
        .rows
        .iter()
        .find(|r| r.first().is_some_and(|c| c.starts_with("x`")))
        .expect("the orphan's action is listed");
    assert_eq!(row.len(), 6, "{row:?}");
    assert_eq!(row[0], "x` | y / # z <script>");
    assert_eq!(row[1], "a | b / - c");
    assert_eq!(row[2], "`Eve` | <b>");
    assert!(!md.contains("<script>"), "raw HTML is escaped");
}
