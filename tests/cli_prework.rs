//! `aiready prework` and `aiready merge` through the built binary against a temporary data
//! directory: one file per participant with nothing of anyone else, votes and attributed notes
//! merged once with a backup, and every refusal leaving the files byte-identical.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aiready::domain::framework::Category;
use aiready::domain::prework::PreworkAnswer;
use aiready::domain::scale::Answer;
use aiready::domain::session::{Mode, Participant, Session};
use aiready::store::prework as files;
use aiready::store::{FileStore, SessionStore};
use jiff::Timestamp;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ID: &str = "2026-01-01-acme-000001";

fn aiready(args: &[&str], home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aiready"))
        .args(args)
        .current_dir(home)
        .env("AIREADY_DATA_DIR", home.join("data"))
        .env("AIREADY_CONFIG_DIR", home.join("config"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn t0() -> Timestamp {
    Timestamp::from_second(1_767_225_600).unwrap()
}

fn bank() -> &'static aiready::domain::questionnaire::QuestionBank {
    aiready::content::builtin().unwrap()
}

/// A workshop session with three participants, stored under `home/data`; Ben has voted on the
/// first question in the room.
fn workshop(home: &Path) -> Session {
    let mut session = Session::new(ID.into(), "Acme bot".into(), bank(), t0());
    session.participants = ["Ana", "Ben", "Chi"]
        .iter()
        .map(|n| Participant {
            name: (*n).into(),
            role: format!("{n}'s role"),
        })
        .collect();
    let first = first_ids(&session, 1).remove(0);
    session.record_vote(&first, "Ben", Some(Answer::Operating), t0());
    let store = FileStore::new(home.join("data"));
    drop(store.create(&session).unwrap());
    session
}

fn first_ids(session: &Session, n: usize) -> Vec<String> {
    session
        .applicable_questions(bank())
        .iter()
        .take(n)
        .map(|q| q.id.clone())
        .collect()
}

fn session_file(home: &Path) -> PathBuf {
    home.join("data").join(format!("{ID}.ron"))
}

/// Answers a pre-work file as its participant would.
fn answer(path: &Path, answers: &[(&str, Option<Answer>, &str)]) {
    let (mut prework, lock) = files::open(path).unwrap();
    for (id, answer, notes) in answers {
        prework.answers.insert(
            (*id).to_string(),
            PreworkAnswer {
                answer: *answer,
                notes: (*notes).to_string(),
            },
        );
    }
    prework.updated = prework
        .updated
        .checked_add(jiff::Span::new().seconds(60))
        .unwrap();
    files::save(&lock, &prework).unwrap();
}

#[test]
fn prework_writes_one_small_file_per_participant() {
    let home = tempfile::tempdir().unwrap();
    workshop(home.path());
    let out = aiready(&["prework", "Acme bot", "-o", "pw"], home.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("pw/{ID}--ana.prework.ron  Ana")),
        "{text}"
    );
    let mut names: Vec<String> = std::fs::read_dir(home.path().join("pw"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // Nothing but the pre-work travels: no lock file, no backup yet.
    assert_eq!(
        names,
        [
            format!("{ID}--ana.prework.ron"),
            format!("{ID}--ben.prework.ron"),
            format!("{ID}--chi.prework.ron"),
        ]
    );
    let ana = std::fs::read_to_string(home.path().join("pw").join(&names[0])).unwrap();
    assert!(ana.contains(&format!("session: \"{ID}\"")));
    assert!(ana.contains("name: \"Ana\""));
    // Nothing of the other participants: not their names, not Ben's vote.
    assert!(!ana.contains("Ben") && !ana.contains("Chi"), "{ana}");
    assert!(ana.len() < 4096, "{} bytes", ana.len());
    let prework = files::load(&home.path().join("pw").join(&names[0])).unwrap();
    assert!(prework.answers.is_empty());
    assert_eq!(prework.content_hash, bank().content_hash);
}

#[test]
fn prework_for_some_people_and_some_categories() {
    let home = tempfile::tempdir().unwrap();
    workshop(home.path());
    let out = aiready(
        &[
            "prework",
            ID,
            "-o",
            "pw",
            "--participant",
            "ben",
            "--categories",
            "privacy,ai-risk",
        ],
        home.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let files_written: Vec<_> = std::fs::read_dir(home.path().join("pw")).unwrap().collect();
    assert_eq!(files_written.len(), 1);
    let prework = files::load(
        &home
            .path()
            .join("pw")
            .join(format!("{ID}--ben.prework.ron")),
    )
    .unwrap();
    assert_eq!(prework.participant.name, "Ben");
    assert_eq!(
        prework.categories.iter().copied().collect::<Vec<_>>(),
        [Category::Privacy, Category::AiRisk]
    );
    assert!(
        prework
            .questions(bank())
            .iter()
            .all(|q| q.belongs_to(Category::Privacy) || q.belongs_to(Category::AiRisk))
    );
    let out = aiready(&["prework", ID, "--participant", "Zoe"], home.path());
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("\"Zoe\" is not a participant"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn prework_refuses_to_overwrite_answers_and_sessions_without_people() {
    let home = tempfile::tempdir().unwrap();
    workshop(home.path());
    assert!(
        aiready(&["prework", ID, "-o", "pw"], home.path())
            .status
            .success()
    );
    let path = home
        .path()
        .join("pw")
        .join(format!("{ID}--ana.prework.ron"));
    answer(&path, &[("sec-gov-01", Some(Answer::Designed), "")]);
    let before = std::fs::read(&path).unwrap();
    let out = aiready(&["prework", ID, "-o", "pw"], home.path());
    assert!(!out.status.success());
    assert!(stderr(&out).contains("Pass --force"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // A solo session or one without participants has nobody to send pre-work to.
    let mut solo = Session::new("2026-01-01-solo-000002".into(), "Solo".into(), bank(), t0());
    solo.mode = Mode::Solo;
    drop(
        FileStore::new(home.path().join("data"))
            .create(&solo)
            .unwrap(),
    );
    let out = aiready(&["prework", "Solo"], home.path());
    assert!(
        stderr(&out).contains("is a solo session"),
        "{}",
        stderr(&out)
    );
}

/// Pre-work of the three participants in `home/pw`, answered: Ana and Chi disagree with the
/// room's vote and with each other on the first question, all three agree on the second,
/// Chi does not know the third.
fn answered(home: &Path, session: &Session) -> Vec<String> {
    assert!(aiready(&["prework", ID, "-o", "pw"], home).status.success());
    let ids = first_ids(session, 3);
    let pw = |who: &str| home.join("pw").join(format!("{ID}--{who}.prework.ron"));
    answer(
        &pw("ana"),
        &[
            (
                &ids[0],
                Some(Answer::AdHoc),
                "only the base set is approved",
            ),
            (&ids[1], Some(Answer::Implemented), ""),
        ],
    );
    answer(
        &pw("ben"),
        &[
            (&ids[0], Some(Answer::AdHoc), ""),
            (&ids[1], Some(Answer::Implemented), ""),
        ],
    );
    answer(
        &pw("chi"),
        &[
            (&ids[0], Some(Answer::Operating), ""),
            (&ids[1], Some(Answer::Implemented), ""),
            (&ids[2], Some(Answer::Unknown), "ask the data team"),
        ],
    );
    ids
}

#[test]
fn merge_turns_pre_work_into_votes_once_with_a_backup() {
    let home = tempfile::tempdir().unwrap();
    let session = workshop(home.path());
    let ids = answered(home.path(), &session);
    let before = std::fs::read(session_file(home.path())).unwrap();

    let dry = aiready(&["merge", "Acme bot", "pw", "--dry-run"], home.path());
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(stdout(&dry).contains("Dry run: nothing was written."));
    assert_eq!(std::fs::read(session_file(home.path())).unwrap(), before);

    let out = aiready(&["merge", "Acme bot", "pw"], home.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("  Ana  2 of "), "{text}");
    assert!(
        text.contains(&format!(
            "{}  Ben: room 4, pre-work 1 (room's vote kept)",
            ids[0]
        )),
        "{text}"
    );
    assert!(text.contains("--prefer prework"), "{text}");
    assert!(text.contains(".ron.bak"), "{text}");
    // One save: the backup holds the session as it was.
    let backup = home.path().join("data").join(format!("{ID}.ron.bak"));
    assert_eq!(std::fs::read(&backup).unwrap(), before);
    let store = FileStore::new(home.path().join("data"));
    let merged = store.load(ID).unwrap();
    let first = merged.record(&ids[0]).unwrap();
    assert_eq!(first.votes.get("Ana"), Some(&Answer::AdHoc));
    assert_eq!(
        first.votes.get("Ben"),
        Some(&Answer::Operating),
        "the room's vote stays"
    );
    assert_eq!(first.votes.get("Chi"), Some(&Answer::Operating));
    assert_eq!(first.answer, None);
    assert_eq!(
        first.prework_notes.get("Ana").map(String::as_str),
        Some("only the base set is approved")
    );
    assert_eq!(
        merged.record(&ids[2]).unwrap().votes.get("Chi"),
        Some(&Answer::Unknown)
    );

    // The same folder again changes nothing, not even the file.
    let after = std::fs::read(session_file(home.path())).unwrap();
    let again = aiready(&["merge", ID, "pw"], home.path());
    assert!(again.status.success());
    assert!(stdout(&again).contains("Nothing new"), "{}", stdout(&again));
    assert_eq!(std::fs::read(session_file(home.path())).unwrap(), after);

    // --prefer prework takes Ben's pre-work answer.
    let prefer = aiready(&["merge", ID, "pw", "--prefer", "prework"], home.path());
    assert!(prefer.status.success());
    assert!(
        stdout(&prefer).contains("(pre-work taken)"),
        "{}",
        stdout(&prefer)
    );
    let taken = store.load(ID).unwrap();
    assert_eq!(
        taken.record(&ids[0]).unwrap().votes.get("Ben"),
        Some(&Answer::AdHoc)
    );
}

#[test]
fn merge_refuses_other_sessions_unknown_people_and_broken_files_without_a_change() {
    let home = tempfile::tempdir().unwrap();
    let session = workshop(home.path());
    answered(home.path(), &session);
    let before = std::fs::read(session_file(home.path())).unwrap();
    let unchanged = || assert_eq!(std::fs::read(session_file(home.path())).unwrap(), before);

    // Pre-work of another session.
    let mut other = Session::new(
        "2026-01-02-other-000003".into(),
        "Other".into(),
        bank(),
        t0(),
    );
    other.participants = session.participants.clone();
    drop(
        FileStore::new(home.path().join("data"))
            .create(&other)
            .unwrap(),
    );
    assert!(
        aiready(&["prework", "Other", "-o", "other"], home.path())
            .status
            .success()
    );
    let stray = home
        .path()
        .join("other")
        .join("2026-01-02-other-000003--ana.prework.ron");
    let out = aiready(&["merge", ID, "pw", stray.to_str().unwrap()], home.path());
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("is pre-work for session 2026-01-02-other-000003, not for"),
        "{err}"
    );
    assert!(err.contains("the session is unchanged"), "{err}");
    unchanged();

    // Someone who is not a participant, unless asked to add them.
    let mut zoe = files::load(
        &home
            .path()
            .join("pw")
            .join(format!("{ID}--ana.prework.ron")),
    )
    .unwrap();
    zoe.participant = Participant {
        name: "Zoe".into(),
        role: "finance".into(),
    };
    let zoe_path = home.path().join("zoe.prework.ron");
    files::create(&zoe_path, &zoe, false).unwrap();
    let out = aiready(&["merge", ID, zoe_path.to_str().unwrap()], home.path());
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("Pass --add-participants"),
        "{}",
        stderr(&out)
    );
    unchanged();

    // A corrupt pre-work file and one from a newer aiready: refused by name, left as they are.
    for (name, text) in [
        (
            "broken.prework.ron",
            "PreworkFile(format_version: 1, prew".to_string(),
        ),
        (
            "newer.prework.ron",
            std::fs::read_to_string(&zoe_path)
                .unwrap()
                .replace("format_version: 1", "format_version: 9"),
        ),
    ] {
        let path = home.path().join("bad").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
        let out = aiready(&["merge", ID, "pw", path.to_str().unwrap()], home.path());
        assert!(!out.status.success(), "{name}");
        let err = stderr(&out);
        assert!(err.contains(name) && err.contains("left as it is"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        std::fs::remove_file(&path).unwrap();
        unchanged();
    }

    // While the workshop has the session open, the merge waits for it to close.
    let store = FileStore::new(home.path().join("data"));
    let (_open, lock) = store.open(ID).unwrap();
    let out = aiready(&["merge", ID, "pw"], home.path());
    assert!(
        stderr(&out).contains("open in another aiready process"),
        "{}",
        stderr(&out)
    );
    drop(lock);
    unchanged();

    // With --add-participants Zoe joins, with her role.
    let out = aiready(
        &[
            "merge",
            ID,
            zoe_path.to_str().unwrap(),
            "--add-participants",
        ],
        home.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let merged = store.load(ID).unwrap();
    assert!(merged.participants.contains(&Participant {
        name: "Zoe".into(),
        role: "finance".into()
    }));
}

#[test]
fn a_solo_session_merges_as_someones_votes() {
    let home = tempfile::tempdir().unwrap();
    let session = workshop(home.path());
    let ids = first_ids(&session, 2);
    let mut solo = Session::new(
        "2026-01-03-ana-alone-000004".into(),
        "Ana alone".into(),
        bank(),
        t0(),
    );
    solo.mode = Mode::Solo;
    solo.set_answer(&ids[1], Some(Answer::Designed), t0());
    solo.record_mut(&ids[1]).notes = "from my own review".into();
    let store = FileStore::new(home.path().join("data"));
    drop(store.create(&solo).unwrap());

    let out = aiready(&["merge", ID, "Ana alone"], home.path());
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--as NAME"), "{}", stderr(&out));

    let out = aiready(&["merge", ID, "Ana alone", "--as", "ana"], home.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let merged = store.load(ID).unwrap();
    let record = merged.record(&ids[1]).unwrap();
    assert_eq!(record.votes.get("Ana"), Some(&Answer::Designed));
    assert_eq!(
        record.prework_notes.get("Ana").map(String::as_str),
        Some("from my own review")
    );
    // A session file given by path works the same way; merged again, nothing changes.
    let file = home
        .path()
        .join("data")
        .join("2026-01-03-ana-alone-000004.ron");
    let out = aiready(
        &["merge", ID, file.to_str().unwrap(), "--as", "Ana"],
        home.path(),
    );
    assert!(stdout(&out).contains("Nothing new"), "{}", stdout(&out));
}
