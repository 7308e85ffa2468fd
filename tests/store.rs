//! The file store against real directories: round trips, old formats, corrupt files, locks
//! between processes, permissions, hostile names and crash safety under SIGKILL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aiready::domain::questionnaire::QuestionBank;
use aiready::domain::scale::Answer;
use aiready::domain::session::Session;
use aiready::store::{FileStore, SCHEMA_VERSION, SessionStore, StoreError, new_session_id};
use jiff::Timestamp;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const CHILD_DIR: &str = "AIREADY_TEST_CHILD_DIR";
const CHILD_ID: &str = "AIREADY_TEST_CHILD_ID";

fn bank() -> &'static QuestionBank {
    aiready::content::builtin().unwrap()
}

fn now() -> Timestamp {
    Timestamp::from_second(1_767_225_600).unwrap()
}

/// A session with a few answers, created in the store; the lock is released.
fn stored_session(store: &FileStore, name: &str) -> Session {
    let mut s = Session::new(new_session_id(name, now()), name.to_string(), bank(), now());
    let ids: Vec<String> = bank().questions().take(12).map(|q| q.id.clone()).collect();
    for (i, id) in ids.iter().enumerate() {
        s.set_answer(id, Answer::from_level((i % 5) as u8), now());
    }
    s.record_mut(&ids[0]).notes = "Approved by the board, see TICKET-1.".into();
    s.record_mut(&ids[1]).action.evidence = vec!["policy.pdf".into()];
    drop(store.create(&s).unwrap());
    s
}

/// A tiny deterministic generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[test]
fn round_trip_and_backup() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path().join("data"));
    let mut s = stored_session(&store, "Acme support bot");
    assert_eq!(store.load(&s.id).unwrap(), s);
    assert!(!store.backup_path(&s.id).exists());

    let (loaded, lock) = store.open(&s.id).unwrap();
    assert_eq!(loaded, s);
    let first = std::fs::read(store.path(&s.id)).unwrap();
    s.record_mut("sec-gov-01").action.owner = "Ben".into();
    s.record_mut("sec-gov-01").action.due = Some(jiff::civil::date(2027, 1, 15));
    store.save(&lock, &s).unwrap();
    assert_eq!(store.load(&s.id).unwrap(), s);
    assert_eq!(std::fs::read(store.backup_path(&s.id)).unwrap(), first);

    let listed = store.list().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, s.id);
    assert_eq!(listed[0].session.as_ref().unwrap(), &s);
    assert_eq!(store.find("Acme support bot").unwrap(), s.id);
}

#[test]
fn saving_needs_the_lock_of_that_session() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path());
    let a = stored_session(&store, "A");
    let b = stored_session(&store, "B");
    let (_, lock_a) = store.open(&a.id).unwrap();
    let err = store.save(&lock_a, &b).unwrap_err();
    assert!(matches!(err, StoreError::WrongLock { .. }), "{err}");
    // Creating a session that exists is refused for that reason, even while it is open.
    assert!(matches!(
        store.create(&a),
        Err(StoreError::AlreadyExists { .. })
    ));
    drop(lock_a);
    assert!(matches!(
        store.create(&a),
        Err(StoreError::AlreadyExists { .. })
    ));
}

#[test]
fn schema_0_still_loads_and_keeps_every_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path());
    let id = "2025-06-01-legacy-bot-00aa11";
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sessions")
        .join(format!("{id}.ron"));
    std::fs::copy(&fixture, store.path(id)).unwrap();
    let s = store.load(id).unwrap();
    assert_eq!(s.name, "Legacy bot");
    assert_eq!(s.answer("sec-gov-01"), Some(Answer::Implemented));
    assert_eq!(s.answer("sec-gov-02"), Some(Answer::Unknown));
    assert_eq!(
        s.record("sec-gov-01").unwrap().notes,
        "Policy approved in May."
    );
    // An answer to a question the content no longer has is kept and listed.
    assert_eq!(s.answer("sec-retired-99"), Some(Answer::Designed));
    assert_eq!(s.orphaned(bank()), ["sec-retired-99"]);

    // Saving writes the current format; the old file stays as the backup.
    let (s, lock) = store.open(id).unwrap();
    store.save(&lock, &s).unwrap();
    let text = std::fs::read_to_string(store.path(id)).unwrap();
    assert!(text.contains(&format!("schema_version: {SCHEMA_VERSION},")));
    assert_eq!(
        std::fs::read(store.backup_path(id)).unwrap(),
        std::fs::read(&fixture).unwrap()
    );
    assert_eq!(store.load(id).unwrap(), s);
}

/// Writes `bytes` as the session file, checks that loading and opening are refused with a
/// message naming the file, and that the file is unchanged afterwards.
fn assert_refused(store: &FileStore, id: &str, bytes: &[u8], what: &str) -> StoreError {
    let path = store.path(id);
    std::fs::write(&path, bytes).unwrap();
    let err = store.load(id).expect_err(what);
    let message = err.to_string();
    assert!(
        message.contains(&path.display().to_string()),
        "{what}: {message}"
    );
    assert!(
        message.contains(&store.backup_path(id).display().to_string()),
        "{what}: the backup is offered: {message}"
    );
    assert!(
        matches!(
            err,
            StoreError::Corrupt { .. } | StoreError::NewerVersion { .. }
        ),
        "{what}: {err:?}"
    );
    assert!(store.open(id).is_err(), "{what}: opened for writing");
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "{what}: file changed");
    err
}

#[test]
fn corrupt_files_are_refused_and_left_as_they_are() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path());
    let s = stored_session(&store, "Acme");
    let (_, lock) = store.open(&s.id).unwrap();
    store.save(&lock, &s).unwrap();
    drop(lock);
    let good = std::fs::read(store.path(&s.id)).unwrap();
    let text = String::from_utf8(good.clone()).unwrap();

    // Truncated anywhere before the closing parenthesis.
    let closing = text.rfind(')').unwrap();
    let mut offsets: Vec<usize> = (0..closing).step_by(7).collect();
    offsets.extend([1, closing - 1, closing]);
    for at in offsets {
        assert_refused(&store, &s.id, &good[..at], &format!("truncated at {at}"));
    }

    // Random bytes of many lengths.
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for len in [1usize, 2, 10, 100, 1000, 5000] {
        for _ in 0..5 {
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            assert_refused(&store, &s.id, &bytes, &format!("{len} random bytes"));
        }
    }

    // Garbage appended, a field renamed, the wrong value types, text that is not UTF-8.
    let version = format!("schema_version: {SCHEMA_VERSION}");
    let mut appended = good.clone();
    appended.extend_from_slice(format!("\nSessionFile({version})").as_bytes());
    assert_refused(&store, &s.id, &appended, "appended");
    for (from, to) in [
        (
            version.clone(),
            format!("schema_version: \"{SCHEMA_VERSION}\""),
        ),
        (version.clone(), "schema_version: -1".to_string()),
        (version.clone(), "schema_version: 1.5".to_string()),
        (format!("{version},"), String::new()),
        ("  session: Session(".into(), "  sesion: Session(".into()),
        ("target: Type2".into(), "target: Type3".into()),
        ("answer: ".into(), "answer: Level5, x: (".into()),
        (
            "created: \"2026-01-01T00:00:00Z\"".into(),
            "created: \"yesterday\"".into(),
        ),
    ] {
        assert!(text.contains(&from), "{from}");
        let changed = text.replacen(&from, &to, 1);
        assert_refused(
            &store,
            &s.id,
            changed.as_bytes(),
            &format!("{from} -> {to}"),
        );
    }
    let mut not_utf8 = good.clone();
    not_utf8[40] = 0xff;
    assert_refused(&store, &s.id, &not_utf8, "not UTF-8");

    // Current content labelled as an older schema.
    let as_v0 = text.replacen(&version, "schema_version: 0", 1);
    assert_refused(&store, &s.id, as_v0.as_bytes(), "wrong version");
    let as_v1 = text.replacen(&version, "schema_version: 1", 1);
    assert_refused(&store, &s.id, as_v1.as_bytes(), "labelled schema 1");

    // Future versions.
    for newer_version in [SCHEMA_VERSION + 1, 99, u32::MAX] {
        let newer = text.replacen(&version, &format!("schema_version: {newer_version}"), 1);
        let err = assert_refused(&store, &s.id, newer.as_bytes(), "newer");
        assert!(matches!(err, StoreError::NewerVersion { found, .. } if found == newer_version));
        assert!(err.to_string().contains("newer version of aiready"));
    }

    // The backup itself is intact and loads once put back.
    std::fs::copy(store.backup_path(&s.id), store.path(&s.id)).unwrap();
    assert_eq!(store.load(&s.id).unwrap(), s);
}

#[test]
fn a_file_holding_another_session_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path());
    let a = stored_session(&store, "A");
    let b = stored_session(&store, "B");
    let bytes = std::fs::read(store.path(&b.id)).unwrap();
    std::fs::write(store.path(&a.id), &bytes).unwrap();
    let err = store.load(&a.id).unwrap_err();
    assert!(err.to_string().contains(&b.id), "{err}");
}

#[cfg(unix)]
#[test]
fn files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nested/data");
    let store = FileStore::new(&dir);
    assert!(!dir.exists());
    let s = stored_session(&store, "Private");
    let (_, lock) = store.open(&s.id).unwrap();
    store.save(&lock, &s).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&store.path(&s.id)), 0o600);
    assert_eq!(mode(&store.backup_path(&s.id)), 0o600);
    assert_eq!(mode(&store.lock_path(&s.id)), 0o600);
}

#[test]
fn hostile_names_stay_inside_the_data_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let store = FileStore::new(&dir);
    let long_ok = "n".repeat(200);
    for name in [
        "../x",
        "../../escape",
        "/etc/passwd",
        "C:\\Windows\\system32",
        ".hidden",
        "Сессия по безопасности",
        "日本語のセッション",
        "🙂 emoji",
        long_ok.as_str(),
    ] {
        let s = stored_session(&store, name);
        assert_eq!(store.load(&s.id).unwrap().name, name);
        assert_eq!(store.find(name).unwrap(), s.id);
    }
    for name in ["a\0b", "line\nbreak", "bell\x07", &"n".repeat(300), "   "] {
        let s = Session::new(new_session_id(name, now()), name.to_string(), bank(), now());
        let err = store.create(&s).unwrap_err();
        assert!(matches!(err, StoreError::Name(_)), "{name:?}: {err}");
        assert!(!store.path(&s.id).exists());
    }
    for id in ["../x", "/etc/passwd", "..", "a/b", "x\0"] {
        assert!(matches!(store.load(id), Err(StoreError::InvalidId { .. })));
        assert!(matches!(
            store.delete(id),
            Err(StoreError::InvalidId { .. })
        ));
    }
    // Nothing but the data directory was written in the parent.
    let top: Vec<PathBuf> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(top, std::slice::from_ref(&dir));
    for entry in std::fs::read_dir(&dir).unwrap() {
        let entry = entry.unwrap();
        assert!(entry.file_type().unwrap().is_file());
        let name = entry.file_name().into_string().unwrap();
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'),
            "{name}"
        );
    }
}

/// Saves reuse the blocks of the backup they replace (kept as a hidden spare file), and never
/// write into a file that the session file or its backup still uses.
#[cfg(unix)]
#[test]
fn saves_reuse_the_replaced_backup_safely() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path());
    let mut s = stored_session(&store, "Spare");
    let (_, lock) = store.open(&s.id).unwrap();
    let spare = tmp.path().join(format!(".{}.spare", s.id));
    let mut saved = vec![std::fs::read(store.path(&s.id)).unwrap()];
    for round in 0..4 {
        s.record_mut("sec-gov-01").notes = format!("round {round} ").repeat(round * 40);
        let reused = std::fs::metadata(&spare).ok().map(|m| m.ino());
        store.save(&lock, &s).unwrap();
        if let Some(inode) = reused {
            // The new text went into the spare's file rather than a new one.
            assert_eq!(std::fs::metadata(store.path(&s.id)).unwrap().ino(), inode);
        }
        saved.push(std::fs::read(store.path(&s.id)).unwrap());
        assert_eq!(store.load(&s.id).unwrap(), s, "round {round}");
        let n = saved.len();
        assert_eq!(
            std::fs::read(store.backup_path(&s.id)).unwrap(),
            saved[n - 2],
            "round {round}"
        );
        assert_eq!(reused.is_some(), round > 1, "round {round}");
        if round > 0 {
            // The backup replaced by this save, kept for the next one.
            assert_eq!(
                std::fs::read(&spare).unwrap(),
                saved[n - 3],
                "round {round}"
            );
            let meta = std::fs::metadata(&spare).unwrap();
            assert_eq!(meta.nlink(), 1);
            assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        }
    }

    // A spare that is another name of the backup (as a crash between two steps of a save can
    // leave it) or of the session file is not written into: the backup keeps the previous save.
    for other in [store.backup_path(&s.id), store.path(&s.id)] {
        std::fs::remove_file(&spare).unwrap();
        std::fs::hard_link(&other, &spare).unwrap();
        let previous = std::fs::read(store.path(&s.id)).unwrap();
        s.record_mut("sec-gov-01").notes = format!("spare linked to {}", other.display());
        store.save(&lock, &s).unwrap();
        assert_eq!(store.load(&s.id).unwrap(), s);
        assert_eq!(std::fs::read(store.backup_path(&s.id)).unwrap(), previous);
    }
    // Only the session, its backup, the spare and the lock are left.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 4);
}

#[test]
fn delete_removes_the_session_and_its_backup() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path());
    let s = stored_session(&store, "Gone");
    let (_, lock) = store.open(&s.id).unwrap();
    store.save(&lock, &s).unwrap();
    assert!(matches!(
        store.delete(&s.id),
        Err(StoreError::Locked { .. })
    ));
    drop(lock);
    store.delete(&s.id).unwrap();
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    assert!(matches!(
        store.load(&s.id),
        Err(StoreError::NotFound { .. })
    ));
}

/// Runs one ignored helper test of this binary in a child process.
fn spawn_helper(name: &str, dir: &Path, id: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            name,
            "--nocapture",
            "--test-threads=1",
            "-q",
        ])
        .env(CHILD_DIR, dir)
        .env(CHILD_ID, id)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Forwards the child's stdout lines over a channel.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_for(rx: &mpsc::Receiver<String>, prefix: &str) -> String {
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("waiting for {prefix:?}: {e}"));
        if line.starts_with(prefix) {
            return line;
        }
    }
}

/// The data directory and session id a helper test was started with by its parent test; a
/// helper started any other way (e.g. `cargo test -- --ignored`) has nothing to work on and
/// stops with a panic that says so, rather than passing without testing anything.
fn child_arguments(helper: &str, parent: &str) -> (PathBuf, String) {
    match (std::env::var_os(CHILD_DIR), std::env::var(CHILD_ID)) {
        (Some(dir), Ok(id)) => (PathBuf::from(dir), id),
        _ => panic!(
            "{helper} is a child process of the test {parent} and tests nothing on its own; \
             run {parent} instead ({CHILD_DIR} and {CHILD_ID} are not set)"
        ),
    }
}

#[test]
#[ignore = "helper: run by lock_is_refused_to_a_second_process"]
fn helper_hold_lock() {
    let (dir, id) = child_arguments("helper_hold_lock", "lock_is_refused_to_a_second_process");
    let store = FileStore::new(dir);
    let (_session, _lock) = store.open(&id).unwrap();
    println!("locked");
    std::io::stdout().flush().unwrap();
    // Hold the lock until the parent closes stdin or kills this process.
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

#[test]
fn lock_is_refused_to_a_second_process() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path());
    let s = stored_session(&store, "Workshop in room 2");
    let before = std::fs::read(store.path(&s.id)).unwrap();

    let mut child = spawn_helper("helper_hold_lock", tmp.path(), &s.id);
    let rx = lines_of(&mut child);
    wait_for(&rx, "locked");

    let err = store.open(&s.id).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, StoreError::Locked { .. }), "{message}");
    assert!(message.contains(&s.id), "{message}");
    assert!(message.contains("Workshop in room 2"), "{message}");
    assert!(
        message.contains(&format!("process {}", child.id())),
        "{message}"
    );
    assert!(matches!(
        store.delete(&s.id),
        Err(StoreError::Locked { .. })
    ));
    // Reading is still allowed, and nothing changed.
    assert_eq!(store.load(&s.id).unwrap(), s);
    assert_eq!(std::fs::read(store.path(&s.id)).unwrap(), before);

    // A process that dies does not leave the session blocked.
    child.kill().unwrap();
    child.wait().unwrap();
    let (loaded, _lock) = store.open(&s.id).unwrap();
    assert_eq!(loaded, s);
}

#[test]
#[ignore = "helper: run by saves_survive_sigkill"]
fn helper_save_in_a_loop() {
    let (dir, id) = child_arguments("helper_save_in_a_loop", "saves_survive_sigkill");
    let store = FileStore::new(dir);
    let (mut session, lock) = store.open(&id).unwrap();
    let mut counter: u64 = session
        .record("counter")
        .map_or(0, |r| r.notes.parse().unwrap());
    let mut out = std::io::stdout();
    loop {
        counter += 1;
        session.record_mut("counter").notes = counter.to_string();
        store.save(&lock, &session).unwrap();
        writeln!(out, "saved {counter}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn saves_survive_sigkill() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path());
    let mut s = stored_session(&store, "Crash test");
    // A few hundred records so that a save takes long enough to be interrupted part-way.
    let ids: Vec<String> = bank().questions().map(|q| q.id.clone()).collect();
    for (i, id) in ids.iter().enumerate() {
        let r = s.record_mut(id);
        r.answer = Answer::from_level((i % 5) as u8);
        r.notes = format!("Note {i}: ").repeat(20);
    }
    let (_, lock) = store.open(&s.id).unwrap();
    store.save(&lock, &s).unwrap();
    drop(lock);

    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut last_seen = 0u64;
    for round in 0..25 {
        let mut child = spawn_helper("helper_save_in_a_loop", tmp.path(), &s.id);
        let rx = lines_of(&mut child);
        let first = wait_for(&rx, "saved ");
        std::thread::sleep(Duration::from_micros(rng.below(20_000)));
        child.kill().unwrap();
        child.wait().unwrap();
        // Every line the child wrote before it died: the highest is the last completed save.
        let acknowledged = std::iter::once(first)
            .chain(rx.iter())
            .filter_map(|l| l.strip_prefix("saved ").map(|n| n.parse::<u64>().unwrap()))
            .max()
            .unwrap();
        let loaded = store
            .load(&s.id)
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        let counter: u64 = loaded.record("counter").unwrap().notes.parse().unwrap();
        assert!(
            counter == acknowledged || counter == acknowledged + 1,
            "round {round}: file holds save {counter}, last acknowledged {acknowledged}"
        );
        assert!(counter >= last_seen);
        last_seen = counter;
        // The backup is a complete earlier save as well.
        let backup = std::fs::read_to_string(store.backup_path(&s.id)).unwrap();
        aiready::store::decode(&backup).unwrap_or_else(|e| panic!("round {round}: {e:?}"));
        // Everything else recorded is intact.
        let mut expected = s.clone();
        expected.record_mut("counter").notes = counter.to_string();
        assert_eq!(loaded, expected, "round {round}");
    }
    assert!(last_seen > 25);
}
