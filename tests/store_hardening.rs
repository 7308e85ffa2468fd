//! The file store against a hostile data directory: links, FIFOs and folders planted under the
//! names it uses, a directory others can write to, leftovers of killed saves, lock files, and
//! several processes or threads at once.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use aiready::content;
use aiready::domain::session::Session;
use aiready::store::{FileStore, SessionStore, StoreError};
use jiff::Timestamp;
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const ID: &str = "2026-01-01-acme-0a1b2c";

fn session(id: &str) -> Session {
    let bank = content::builtin().unwrap();
    Session::new(
        id.into(),
        "Acme".into(),
        bank,
        Timestamp::from_second(1_767_225_600).unwrap(),
    )
}

/// A data directory inside a fresh temporary folder, and a file outside it that an attacker
/// would like aiready to overwrite.
struct Setup {
    _home: tempfile::TempDir,
    data: PathBuf,
    victim: PathBuf,
}

const VICTIM_TEXT: &str = "precious text that is not a session\n";

impl Setup {
    fn new() -> Setup {
        let home = tempfile::tempdir().unwrap();
        let data = home.path().join("data");
        fs::create_dir(&data).unwrap();
        fs::set_permissions(&data, fs::Permissions::from_mode(0o700)).unwrap();
        let victim = home.path().join("victim.txt");
        fs::write(&victim, VICTIM_TEXT).unwrap();
        fs::set_permissions(&victim, fs::Permissions::from_mode(0o644)).unwrap();
        Setup {
            _home: home,
            data,
            victim,
        }
    }

    fn store(&self) -> FileStore {
        FileStore::new(&self.data)
    }

    /// Replaces `name` in the data directory with a link to the victim.
    fn plant_link(&self, name: &str) -> PathBuf {
        let path = self.data.join(name);
        let _ = fs::remove_file(&path);
        symlink(&self.victim, &path).unwrap();
        path
    }

    fn assert_victim_untouched(&self) {
        assert_eq!(fs::read_to_string(&self.victim).unwrap(), VICTIM_TEXT);
        let mode = fs::metadata(&self.victim).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o644, "the victim's mode changed to {mode:o}");
    }
}

/// A session created and saved twice, so that the backup and the spare exist.
fn saved_three_times(setup: &Setup) -> Session {
    let store = setup.store();
    let mut s = session(ID);
    let lock = store.create(&s).unwrap();
    for notes in ["one", "two"] {
        s.organisation = notes.into();
        store.save(&lock, &s).unwrap();
    }
    s
}

fn assert_names(err: &StoreError, path: &Path, kind: &str) {
    let text = err.to_string();
    assert!(
        text.contains(&path.display().to_string()) && text.contains(kind),
        "the message should name {} as {kind}: {text}",
        path.display()
    );
}

#[test]
fn a_link_in_place_of_the_session_file_is_never_written_through() {
    let setup = Setup::new();
    let s = saved_three_times(&setup);
    let store = setup.store();
    let link = setup.plant_link(&format!("{ID}.ron"));
    // Opening reads the file: refused, naming the link.
    let err = store.open(ID).unwrap_err();
    assert_names(&err, &link, "a symbolic link");
    let listed = store.list().unwrap();
    let entry = listed.iter().find(|e| e.id == ID).unwrap();
    assert_names(
        entry.session.as_ref().unwrap_err(),
        &link,
        "a symbolic link",
    );
    setup.assert_victim_untouched();
    drop(s);
}

#[test]
fn a_save_refuses_links_planted_at_the_session_backup_and_spare() {
    for name in [
        format!("{ID}.ron"),
        format!("{ID}.ron.bak"),
        format!(".{ID}.spare"),
    ] {
        let setup = Setup::new();
        let mut s = saved_three_times(&setup);
        let store = setup.store();
        let (_, lock) = store.open(ID).unwrap();
        let link = setup.plant_link(&name);
        s.organisation = "four".into();
        let err = store.save(&lock, &s).unwrap_err();
        assert_names(&err, &link, "a symbolic link");
        // Twice, in case the first attempt moved something aside.
        let _ = store.save(&lock, &s);
        setup.assert_victim_untouched();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "{name}: the link itself is left for the user to look at"
        );
    }
}

#[test]
fn links_at_the_temporary_names_are_removed_not_followed() {
    for name in [format!(".{ID}.save.tmp"), format!(".{ID}.bak.tmp")] {
        let setup = Setup::new();
        let mut s = saved_three_times(&setup);
        let store = setup.store();
        let (_, lock) = store.open(ID).unwrap();
        setup.plant_link(&name);
        s.organisation = "four".into();
        store.save(&lock, &s).unwrap();
        assert_eq!(store.load(ID).unwrap().organisation, "four");
        setup.assert_victim_untouched();
    }
}

#[test]
fn a_lock_file_link_is_refused_and_its_target_not_truncated() {
    let setup = Setup::new();
    saved_three_times(&setup);
    let store = setup.store();
    let link = setup.plant_link(&format!("{ID}.lock"));
    assert_names(&store.open(ID).unwrap_err(), &link, "a symbolic link");
    assert_names(&store.delete(ID).unwrap_err(), &link, "a symbolic link");
    let err = store.create(&session(ID)).unwrap_err();
    assert!(
        matches!(err, StoreError::AlreadyExists { .. }) || err.to_string().contains("symbolic"),
        "{err}"
    );
    setup.assert_victim_untouched();
    assert!(store.load(ID).is_ok(), "the session itself is untouched");

    // Through the binary: every command that locks leaves the target alone.
    for args in [
        vec!["sessions", "delete", ID, "--yes"],
        vec!["sessions", "list"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_aiready"))
            .args(&args)
            .env("AIREADY_DATA_DIR", &setup.data)
            .env("AIREADY_CONFIG_DIR", setup.data.join("no-config"))
            .output()
            .unwrap();
        setup.assert_victim_untouched();
        if args[1] == "delete" {
            assert!(!out.status.success());
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("is a symbolic link"), "{err}");
        }
    }
}

#[test]
fn a_fifo_or_folder_in_place_of_a_session_is_reported_without_waiting() {
    let setup = Setup::new();
    saved_three_times(&setup);
    let fifo = setup.data.join("2026-01-01-fifo-000000.ron");
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        &fifo,
        rustix::fs::Mode::from_bits_truncate(0o600),
    )
    .unwrap();
    let folder = setup.data.join("2026-01-01-folder-000000.ron");
    fs::create_dir(&folder).unwrap();
    // Reading a FIFO would wait for a writer for ever; the listing returns at once.
    let entries = setup.store().list().unwrap();
    let problem = |id: &str| {
        entries
            .iter()
            .find(|e| e.id == id)
            .unwrap()
            .session
            .as_ref()
            .unwrap_err()
            .to_string()
    };
    assert!(problem("2026-01-01-fifo-000000").contains("is a FIFO"));
    assert!(problem("2026-01-01-folder-000000").contains("is a directory"));
    assert!(entries.iter().any(|e| e.id == ID && e.session.is_ok()));
}

#[test]
fn a_data_directory_others_can_write_to_is_refused_with_the_fix() {
    for mode in [0o770, 0o777, 0o702, 0o1777] {
        let setup = Setup::new();
        saved_three_times(&setup);
        fs::set_permissions(&setup.data, fs::Permissions::from_mode(mode)).unwrap();
        let store = setup.store();
        for err in [
            store.list().unwrap_err(),
            store.open(ID).unwrap_err(),
            store.load(ID).unwrap_err(),
            store.create(&session("2026-01-01-new-000000")).unwrap_err(),
            store.delete(ID).unwrap_err(),
        ] {
            assert!(
                matches!(err, StoreError::UnsafeDir { .. }),
                "{mode:o}: {err}"
            );
            let text = err.to_string();
            assert!(
                text.contains(&setup.data.display().to_string()) && text.contains("chmod go-w"),
                "{text}"
            );
        }
        assert!(!setup.data.join("2026-01-01-new-000000.ron").exists());
        // The workshop screen and every command refuse it before anything else, with the fix.
        for args in [
            vec![],
            vec!["open", ID],
            vec!["new", "--name", "X", "--no-tui"],
        ] {
            let out = Command::new(env!("CARGO_BIN_EXE_aiready"))
                .args(&args)
                .env("AIREADY_DATA_DIR", &setup.data)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("chmod go-w"), "{args:?}: {err}");
        }
        // Once fixed, everything works again.
        fs::set_permissions(&setup.data, fs::Permissions::from_mode(0o700)).unwrap();
        assert!(store.load(ID).is_ok());
    }
    // 0755 is the owner's alone to write: accepted.
    let setup = Setup::new();
    fs::set_permissions(&setup.data, fs::Permissions::from_mode(0o755)).unwrap();
    assert!(setup.store().list().is_ok());
}

#[test]
fn a_data_directory_owned_by_someone_else_is_refused() {
    let me = rustix::process::geteuid();
    let (dir, _keep) = if me.is_root() {
        // As root: give a fresh directory to another user.
        let setup = Setup::new();
        rustix::fs::chown(
            &setup.data,
            Some(rustix::process::Uid::from_raw(65534)),
            None,
        )
        .unwrap();
        (setup.data.clone(), Some(setup))
    } else {
        // As anyone else: the root folder belongs to root.
        (PathBuf::from("/"), None)
    };
    let err = FileStore::new(&dir).list().unwrap_err();
    assert!(matches!(err, StoreError::UnsafeDir { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("belongs to another user") && text.contains("--data-dir"),
        "{text}"
    );
    // The command line says the same and stops.
    let out = Command::new(env!("CARGO_BIN_EXE_aiready"))
        .args(["sessions", "list"])
        .env("AIREADY_DATA_DIR", &dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("belongs to another user"));
}

#[test]
fn listing_cleans_every_sessions_leftovers_but_not_a_live_save() {
    let setup = Setup::new();
    let store = setup.store();
    for id in ["2026-01-01-a-000001", "2026-01-01-b-000002", ID] {
        drop(store.create(&session(id)).unwrap());
    }
    // Leftovers of killed saves, including one of a session that never got its file.
    let leftovers = [
        ".2026-01-01-a-000001.save.tmp",
        ".2026-01-01-a-000001.bak.tmp",
        ".2026-01-01-b-000002.save.tmp",
        ".2026-01-01-gone-000003.save.tmp",
        "2026-01-01-gone-000004.lock",
    ];
    for name in leftovers {
        fs::write(setup.data.join(name), "half a save").unwrap();
    }
    // A session open (locked) elsewhere: its temporary file may be a save in progress.
    let (_, live) = store.open(ID).unwrap();
    let in_progress = setup.data.join(format!(".{ID}.save.tmp"));
    fs::write(&in_progress, "a save being written").unwrap();

    let entries = store.list().unwrap();
    assert_eq!(entries.len(), 3);
    for name in leftovers {
        assert!(!setup.data.join(name).exists(), "{name} is still there");
    }
    assert!(in_progress.exists(), "a live save's file was removed");
    // Only the live session's lock remains.
    let locks: Vec<String> = fs::read_dir(&setup.data)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".lock"))
        .collect();
    assert_eq!(locks, vec![format!("{ID}.lock")]);
    drop(live);
}

#[test]
fn lock_files_go_away_after_a_clean_release() {
    let setup = Setup::new();
    let store = setup.store();
    let lock = store.create(&session(ID)).unwrap();
    assert!(setup.data.join(format!("{ID}.lock")).exists());
    drop(lock);
    assert!(!setup.data.join(format!("{ID}.lock")).exists());
    for _ in 0..3 {
        let (_, lock) = store.open(ID).unwrap();
        drop(lock);
    }
    let names: Vec<String> = fs::read_dir(&setup.data)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".lock")), "{names:?}");
    // Through the binary: a command that locks leaves no lock file.
    let out = Command::new(env!("CARGO_BIN_EXE_aiready"))
        .args(["new", "--name", "Quick", "--no-tui"])
        .env("AIREADY_DATA_DIR", &setup.data)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        fs::read_dir(&setup.data).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".lock"))
    );
}

#[test]
fn removing_lock_files_never_lets_two_writers_in() {
    let setup = Setup::new();
    drop(setup.store().create(&session(ID)).unwrap());
    let holders = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let acquired = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let store = setup.store();
            let (holders, most, acquired) = (
                Arc::clone(&holders),
                Arc::clone(&most),
                Arc::clone(&acquired),
            );
            std::thread::spawn(move || {
                for _ in 0..300 {
                    match store.open(ID) {
                        Ok((_, lock)) => {
                            let now = holders.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(now, Ordering::SeqCst);
                            acquired.fetch_add(1, Ordering::SeqCst);
                            std::thread::yield_now();
                            holders.fetch_sub(1, Ordering::SeqCst);
                            drop(lock);
                        }
                        Err(StoreError::Locked { .. }) => {}
                        Err(other) => panic!("{other}"),
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(
        most.load(Ordering::SeqCst),
        1,
        "two writers held the lock at once"
    );
    assert!(acquired.load(Ordering::SeqCst) > 0);
}

#[test]
fn creating_the_same_session_twice_at_once_reports_that_it_exists() {
    for _ in 0..20 {
        let setup = Setup::new();
        let results: Vec<Result<(), String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    let store = setup.store();
                    scope.spawn(move || {
                        store.create(&session(ID)).map(drop).map_err(|e| match e {
                            StoreError::AlreadyExists { .. } => "exists".to_string(),
                            other => other.to_string(),
                        })
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let ok = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, 1, "{results:?}");
        assert!(
            results
                .iter()
                .any(|r| r.as_ref().err().map(String::as_str) == Some("exists")),
            "{results:?}"
        );
        assert!(setup.store().load(ID).is_ok());
    }
}
