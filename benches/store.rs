//! Saving and loading a large session, and re-scoring it: the work done after every answer.

mod common;

use aiready::domain::scoring;
use aiready::domain::session::Session;
use aiready::store::{FileStore, SessionLock, SessionStore};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const QUESTIONS: usize = 5_000;

fn store(c: &mut Criterion) {
    let bank = common::large_bank(QUESTIONS);
    let session = common::answered_session(&bank);
    let Some((_dir, files, lock)) = stored(&session) else {
        return;
    };
    bench_save_and_load(c, "save_and_load_5000", &files, &lock, &session);
    c.bench_function("save_5000", |b| {
        b.iter(|| black_box(files.save(&lock, black_box(&session)).is_ok()))
    });
    c.bench_function("load_5000", |b| {
        b.iter(|| black_box(files.load(black_box(&session.id)).is_ok()))
    });
    c.bench_function("encode_5000", |b| {
        b.iter(|| black_box(aiready::store::encode(black_box(&session)).map(|t| t.len())))
    });
    let text = aiready::store::encode(&session).unwrap_or_default();
    eprintln!(
        "session file: {} bytes, {} records",
        text.len(),
        session.records.len()
    );
    c.bench_function("decode_5000", |b| {
        b.iter(|| black_box(aiready::store::decode(black_box(&text)).is_ok()))
    });
    c.bench_function("rescore_5000", |b| {
        b.iter(|| black_box(scoring::score(black_box(&bank), black_box(&session))))
    });
}

/// A file store in a temporary directory holding `session`, and the session's lock.
fn stored(session: &Session) -> Option<(tempfile::TempDir, FileStore, SessionLock)> {
    let Ok(dir) = tempfile::tempdir() else {
        eprintln!("cannot create a temporary directory");
        return None;
    };
    let files = FileStore::new(dir.path());
    let Ok(lock) = files.create(session) else {
        eprintln!("cannot create the session");
        return None;
    };
    Some((dir, files, lock))
}

/// One save followed by one load, the round trip a reopened session pays.
fn bench_save_and_load(
    c: &mut Criterion,
    name: &str,
    files: &FileStore,
    lock: &SessionLock,
    session: &Session,
) {
    c.bench_function(name, |b| {
        b.iter(|| {
            let saved = files.save(lock, black_box(session));
            let loaded = files.load(&session.id);
            black_box((saved.is_ok(), loaded.is_ok()))
        })
    });
}

/// The same save and load with the built-in content, the size of a real session.
fn builtin(c: &mut Criterion) {
    let Ok(bank) = aiready::content::builtin() else {
        eprintln!("the built-in content does not load");
        return;
    };
    let session = common::answered_session(bank);
    let Some((_dir, files, lock)) = stored(&session) else {
        return;
    };
    bench_save_and_load(c, "save_and_load_builtin", &files, &lock, &session);
    c.bench_function("rescore_builtin", |b| {
        b.iter(|| black_box(scoring::score(black_box(bank), black_box(&session))))
    });
}

criterion_group!(benches, store, builtin);
criterion_main!(benches);
