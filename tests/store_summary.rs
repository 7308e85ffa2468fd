//! Session summaries: listing reads them instead of the sessions while they describe the session
//! files as they are, and never believes one that does not (stale, missing, corrupt, cut,
//! foreign, another version, another question bank, made from other bytes than the file holds
//! in the tick the session changed). They follow the store's rules for files: no link
//! followed, no special file read or written through, readable by the owner only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aiready::content::Bank;
use aiready::domain::questionnaire::QuestionBank;
use aiready::domain::scale::Answer;
use aiready::domain::scoring;
use aiready::domain::session::Session;
use aiready::store::{
    FileStore, SUMMARY_VERSION, SessionStore, StoreError, Summary, new_session_id,
};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn bank() -> &'static QuestionBank {
    aiready::content::builtin().unwrap()
}

fn now() -> Timestamp {
    Timestamp::from_second(1_767_225_600).unwrap()
}

/// A session with `answers` answers, created in the store; the lock is released.
fn stored(store: &FileStore, name: &str, answers: usize) -> Session {
    let mut s = Session::new(new_session_id(name, now()), name.to_string(), bank(), now());
    let ids: Vec<String> = bank()
        .questions()
        .take(answers)
        .map(|q| q.id.clone())
        .collect();
    for (i, id) in ids.iter().enumerate() {
        s.set_answer(id, Answer::from_level((i % 5) as u8), now());
    }
    drop(store.create(&s).unwrap());
    s
}

/// What listing must show: the session read and scored in full.
fn expected(session: &Session, bank: &QuestionBank) -> Summary {
    Summary::of(session, &scoring::score(bank, session))
}

fn listed(store: &FileStore, bank: &QuestionBank) -> Vec<Summary> {
    store
        .summaries(&Bank::Loaded(bank))
        .unwrap()
        .into_iter()
        .map(|e| e.summary.unwrap())
        .collect()
}

fn summary_file(store: &FileStore, id: &str) -> PathBuf {
    store.dir().join(format!(".{id}.summary"))
}

/// Waits until a file changed now is old enough for a summary made from reading it to be kept.
fn settle() {
    std::thread::sleep(Duration::from_millis(1_100));
}

/// The first bytes of a summary file of this version: its magic and version.
fn header() -> Vec<u8> {
    let mut header = b"aiready summary\n".to_vec();
    header.extend_from_slice(&SUMMARY_VERSION.to_le_bytes());
    header
}

/// Replaces `from` by `to` (as long) in a summary file, as a program editing the cache would.
fn tamper(path: &Path, from: &str, to: &str) {
    assert_eq!(from.len(), to.len(), "the record keeps its layout");
    let bytes = std::fs::read(path).unwrap();
    let at = bytes
        .windows(from.len())
        .position(|w| w == from.as_bytes())
        .unwrap_or_else(|| panic!("{from} is not in {}", path.display()));
    let mut changed = bytes;
    changed[at..at + to.len()].copy_from_slice(to.as_bytes());
    std::fs::write(path, changed).unwrap();
}

#[test]
fn listing_shows_what_full_scoring_shows_and_keeps_it_in_summaries() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path().join("data"));
    let a = stored(&store, "Acme", 12);
    let b = stored(&store, "Beta", 0);
    settle();
    let mut want = vec![expected(&a, bank()), expected(&b, bank())];
    want.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(listed(&store, bank()), want);
    for s in [&a, &b] {
        let path = summary_file(&store, &s.id);
        let meta = std::fs::symlink_metadata(&path).unwrap();
        assert!(meta.is_file());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        }
    }
    // Listed again from the summaries alone.
    assert_eq!(listed(&store, bank()), want);
}

#[test]
fn a_summary_that_matches_its_session_is_used_and_any_change_to_the_session_is_noticed() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path().join("data"));
    let a = stored(&store, "Acme", 3);
    settle();
    listed(&store, bank());
    let path = summary_file(&store, &a.id);
    // The summary is what listing reads: a name changed in it shows.
    tamper(&path, "Acme", "Zeta");
    assert_eq!(listed(&store, bank())[0].name, "Zeta");
    assert_eq!(store.find("Zeta").unwrap(), a.id);

    // Another program edits the session in place, same size: read again.
    let file = store.path(&a.id);
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = text.replace("name: \"Acme\"", "name: \"Acmf\"");
    assert_eq!(edited.len(), text.len());
    std::fs::write(&file, &edited).unwrap();
    assert_eq!(listed(&store, bank())[0].name, "Acmf");
    assert_eq!(store.find("Acmf").unwrap(), a.id);
    assert!(matches!(
        store.find("Zeta"),
        Err(StoreError::NotFound { .. })
    ));

    // Replaced by another file (a sync tool, an editor that writes a new file).
    let mut replaced = store.load(&a.id).unwrap();
    replaced.name = "Replaced".into();
    let new_text = aiready::store::encode(&replaced).unwrap();
    let staged = store.dir().join("staged");
    std::fs::write(&staged, new_text).unwrap();
    std::fs::rename(&staged, &file).unwrap();
    assert_eq!(listed(&store, bank())[0].name, "Replaced");
}

#[test]
fn missing_corrupt_foreign_and_other_version_summaries_are_rebuilt() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path().join("data"));
    let a = stored(&store, "Acme", 5);
    let b = stored(&store, "Beta", 9);
    settle();
    let want = listed(&store, bank());
    let (pa, pb) = (summary_file(&store, &a.id), summary_file(&store, &b.id));

    std::fs::remove_file(&pa).unwrap();
    assert_eq!(listed(&store, bank()), want);
    assert!(pa.exists(), "a missing summary is written again");

    // Cut short, as a full disk or a crash could leave it.
    let whole = std::fs::read(&pa).unwrap();
    std::fs::write(&pa, &whole[..whole.len() / 2]).unwrap();
    assert_eq!(listed(&store, bank()), want);
    assert_eq!(std::fs::read(&pa).unwrap(), whole);

    // Garbage after a valid header; and the summary of version 1, which was JSON.
    let mut garbage = header();
    garbage.extend_from_slice(&[0xff; 300]);
    std::fs::write(&pa, garbage).unwrap();
    assert_eq!(listed(&store, bank()), want);
    std::fs::write(&pa, b"{\"version\":1,\"bank\":\"\"}").unwrap();
    assert_eq!(listed(&store, bank()), want);
    assert!(std::fs::read(&pa).unwrap().starts_with(&header()));

    // Another session's summary under this name.
    std::fs::copy(&pb, &pa).unwrap();
    assert_eq!(listed(&store, bank()), want);

    // Another version of the format, whatever it holds.
    let mut other_version = std::fs::read(&pa).unwrap();
    let at = header().len() - 4;
    other_version[at..at + 4].copy_from_slice(&99u32.to_le_bytes());
    std::fs::write(&pa, other_version).unwrap();
    assert_eq!(listed(&store, bank()), want);
    assert!(std::fs::read(&pa).unwrap().starts_with(&header()));

    // A summary far longer than any aiready writes is not read.
    std::fs::write(&pa, vec![b' '; 100_000]).unwrap();
    assert_eq!(listed(&store, bank()), want);
}

#[test]
fn a_summary_scored_with_other_questionnaires_is_scored_again() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path().join("data"));
    let a = stored(&store, "Acme", 20);
    settle();
    listed(&store, bank());
    // The same questions, one of the answered ones made heavier: other scores.
    let mut other = bank().clone();
    other.content_hash = "0".repeat(64);
    let answered = a.records.keys().next().unwrap().clone();
    for q in other
        .questionnaires
        .iter_mut()
        .flat_map(|q| q.sections.iter_mut())
    {
        for question in &mut q.questions {
            if question.id == answered {
                question.weight = 3;
                question.critical = !question.critical;
            }
        }
    }
    let want = expected(&a, &other);
    assert_ne!(want, expected(&a, bank()));
    assert_eq!(listed(&store, &other), vec![want]);
    assert_eq!(listed(&store, bank()), vec![expected(&a, bank())]);
}

#[test]
fn a_summary_saved_with_the_session_is_believed_only_while_the_file_holds_what_was_saved() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path().join("data"));
    let a = stored(&store, "Acme", 2);
    let (mut session, lock) = store.open(&a.id).unwrap();
    session.set_answer(
        &bank().questions().nth(5).unwrap().id,
        Some(Answer::Operating),
        now(),
    );
    let good = expected(&session, bank());
    store
        .save_with_summary(&lock, &session, &bank().content_hash, &good)
        .unwrap();
    let path = summary_file(&store, &a.id);
    assert!(path.exists(), "the save writes the summary");
    assert_eq!(listed(&store, bank()), vec![good.clone()]);
    // Made from the bytes the file holds: what the summary says is shown, nothing is scored.
    tamper(&path, "Acme", "Racy");
    assert_eq!(listed(&store, bank())[0].name, "Racy");
    // A second change in the clock tick of the save leaves every stamp of the session file
    // as it was; only its bytes tell. The summary made from the first bytes is not believed.
    let saved = std::fs::read(store.path(&a.id)).unwrap();
    let digest: [u8; 32] = Sha256::digest(&saved).into();
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes
        .windows(32)
        .position(|w| w == digest)
        .expect("the summary records the digest of the session file");
    bytes[at] ^= 0xff;
    std::fs::write(&path, bytes).unwrap();
    assert_eq!(listed(&store, bank()), vec![good]);
    assert_eq!(listed(&store, bank())[0].name, "Acme");
    drop(lock);
}

#[test]
fn deleting_a_session_removes_its_summary_and_orphans_are_cleared() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path().join("data"));
    let a = stored(&store, "Acme", 1);
    let b = stored(&store, "Beta", 1);
    settle();
    listed(&store, bank());
    store.delete(&a.id).unwrap();
    assert!(!summary_file(&store, &a.id).exists());
    // The session file removed by hand: its summary goes at the next listing, and so does a
    // temporary file a killed process left.
    std::fs::remove_file(store.path(&b.id)).unwrap();
    let leftover = store.dir().join(format!(".{}.summary.x1Y2z3.tmp", b.id));
    std::fs::write(&leftover, "{").unwrap();
    assert!(listed(&store, bank()).is_empty());
    assert!(!summary_file(&store, &b.id).exists());
    assert!(!leftover.exists());
}

#[cfg(unix)]
#[test]
fn summaries_are_never_read_or_written_through_links_or_special_files() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path().join("data"));
    let a = stored(&store, "Acme", 4);
    let b = stored(&store, "Beta", 4);
    settle();
    let want = listed(&store, bank());

    // A link to a file elsewhere, holding a summary that would match.
    let outside = tmp.path().join("outside.summary");
    std::fs::copy(summary_file(&store, &a.id), &outside).unwrap();
    tamper(&outside, "Acme", "Link");
    let before = std::fs::read(&outside).unwrap();
    std::fs::remove_file(summary_file(&store, &a.id)).unwrap();
    std::os::unix::fs::symlink(&outside, summary_file(&store, &a.id)).unwrap();

    // A FIFO: reading it must not wait for a writer.
    std::fs::remove_file(summary_file(&store, &b.id)).unwrap();
    rustix::fs::mknodat(
        rustix::fs::CWD,
        summary_file(&store, &b.id),
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_bits_truncate(0o600),
        0,
    )
    .unwrap();

    assert_eq!(listed(&store, bank()), want);
    assert_eq!(std::fs::read(&outside).unwrap(), before);
    let link = std::fs::symlink_metadata(summary_file(&store, &a.id)).unwrap();
    assert!(
        link.file_type().is_symlink(),
        "the link is left, not written through"
    );
    let fifo = std::fs::symlink_metadata(summary_file(&store, &b.id)).unwrap();
    assert!(!fifo.is_file());
}

#[test]
fn an_exact_id_reads_that_session_only() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path().join("data"));
    let a = stored(&store, "Acme", 4);
    let b = stored(&store, "Beta", 4);
    settle();
    assert_eq!(store.find(&a.id).unwrap(), a.id);
    // Nothing was listed: no summary was made for either session.
    assert!(!summary_file(&store, &b.id).exists());
    assert!(!summary_file(&store, &a.id).exists());
    // A name goes through the summaries.
    assert_eq!(store.find("Beta").unwrap(), b.id);
}

/// Tools that copy or restore files (`touch -r`, `rsync -t`, a backup restore) can put the old
/// modification time back on a changed file: the size or the change time still tells.
#[test]
fn a_change_behind_a_restored_modification_time_is_noticed() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path().join("data"));
    let a = stored(&store, "Acme", 3);
    settle();
    assert_eq!(listed(&store, bank())[0].name, "Acme");
    let file = store.path(&a.id);
    let rewrite = |text: &str| {
        let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
        let handle = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&file)
            .unwrap();
        std::io::Write::write_all(&mut &handle, text.as_bytes()).unwrap();
        handle.set_modified(modified).unwrap();
        drop(handle);
        assert_eq!(
            std::fs::metadata(&file).unwrap().modified().unwrap(),
            modified
        );
    };
    let text = std::fs::read_to_string(&file).unwrap();

    // Same size, same inode, same modification time: only the change time moved.
    let same_size = text.replace("name: \"Acme\"", "name: \"Acmf\"");
    assert_eq!(same_size.len(), text.len());
    rewrite(&same_size);
    assert_eq!(listed(&store, bank())[0].name, "Acmf");

    // Another size behind the same modification time.
    settle();
    listed(&store, bank());
    rewrite(&text.replace("name: \"Acme\"", "name: \"Acme Corp\""));
    assert_eq!(listed(&store, bank())[0].name, "Acme Corp");
}

/// A summary that claims this session file's very stamps but names another session (copied
/// over from a hard-linked or restored file) is not believed.
#[test]
fn a_summary_naming_another_session_is_not_believed_even_with_matching_stamps() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::new(tmp.path().join("data"));
    let a = stored(&store, "Acme", 3);
    let b = stored(&store, "Beta", 3);
    assert_eq!(a.id.len(), b.id.len());
    settle();
    let want = listed(&store, bank());
    let path = summary_file(&store, &a.id);
    tamper(&path, "Acme", "Zeta");
    assert_eq!(
        listed(&store, bank())[0].name,
        "Zeta",
        "the summary is read"
    );
    tamper(&path, &a.id, &b.id);
    assert_eq!(listed(&store, bank()), want);
}
