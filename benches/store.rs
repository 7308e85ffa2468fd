//! Saving and loading a large session, and re-scoring it: the work done after every answer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

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
    let (_dir, files, lock) = stored(&session);
    bench_save_and_load(c, "save_and_load_5000", &files, &lock, &session);
    c.bench_function("save_5000", |b| {
        b.iter(|| {
            files
                .save(&lock, black_box(&session))
                .expect("the save works")
        })
    });
    c.bench_function("load_5000", |b| {
        b.iter(|| files.load(black_box(&session.id)).expect("the load works"))
    });
    c.bench_function("encode_5000", |b| {
        b.iter(|| aiready::store::encode(black_box(&session)).expect("the session encodes"))
    });
    let text = aiready::store::encode(&session).expect("the session encodes");
    eprintln!(
        "session file: {} bytes, {} records",
        text.len(),
        session.records.len()
    );
    c.bench_function("decode_5000", |b| {
        b.iter(|| aiready::store::decode(black_box(&text)).expect("the session decodes"))
    });
    c.bench_function("rescore_5000", |b| {
        b.iter(|| black_box(scoring::score(black_box(&bank), black_box(&session))))
    });
}

/// A file store in a temporary directory holding `session`, and the session's lock.
fn stored(session: &Session) -> (tempfile::TempDir, FileStore, SessionLock) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files = FileStore::new(dir.path());
    let lock = files.create(session).expect("the session is created");
    (dir, files, lock)
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
            files
                .save(lock, black_box(session))
                .expect("the save works");
            files.load(&session.id).expect("the load works")
        })
    });
}

/// The same save and load with the built-in content, the size of a real session.
fn builtin(c: &mut Criterion) {
    let bank = aiready::content::builtin().expect("the built-in content loads");
    let session = common::answered_session(bank);
    let (_dir, files, lock) = stored(&session);
    bench_save_and_load(c, "save_and_load_builtin", &files, &lock, &session);
    c.bench_function("rescore_builtin", |b| {
        b.iter(|| black_box(scoring::score(black_box(bank), black_box(&session))))
    });
}

criterion_group!(benches, store, builtin);
criterion_main!(benches);
