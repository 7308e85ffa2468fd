//! Saving and loading a large session, and re-scoring it: the work done after every answer.
//! Also what the screen's thread pays after an answer at 5,000 questions: re-scoring only the
//! changed question, and handing the change to the writer (against copying the session).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::scale::Answer;
use aiready::domain::scoring::{self, Tally};
use aiready::domain::session::Session;
use aiready::store::{FileStore, Patch, SessionLock, SessionStore, Summary};
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
    after_one_answer(c, &bank, &session);
}

/// One answer changed, then what the screen's thread does with it: re-score that question
/// only (checked against a full scoring first), and hand the change to the writer: the patch
/// and the summary, against a copy of the whole session.
fn after_one_answer(
    c: &mut Criterion,
    bank: &aiready::domain::questionnaire::QuestionBank,
    session: &Session,
) {
    let ids: Vec<String> = bank.questions().map(|q| q.id.clone()).collect();
    let mut session = session.clone();
    let (mut results, mut tally) = Tally::score(bank, &session);
    let answers = [
        Answer::Designed,
        Answer::Operating,
        Answer::NotApplicable,
        Answer::Unknown,
    ];
    let change = |n: usize, session: &mut Session| {
        // Questions spread over every section, each answer in turn.
        let id = &ids[(n * 997) % ids.len()];
        session.set_answer(id, Some(answers[n % answers.len()]), session.updated);
        id.clone()
    };
    for n in 0..50 {
        let id = change(n, &mut session);
        tally.rescore(bank, &session, &mut results, &[id.as_str()]);
    }
    assert_eq!(
        results,
        scoring::score(bank, &session),
        "re-scoring equals a full scoring"
    );
    let mut n = 0;
    c.bench_function("rescore_incremental_5000", |b| {
        b.iter(|| {
            n += 1;
            let id = change(n, &mut session);
            tally.rescore(bank, &session, &mut results, &[id.as_str()]);
        })
    });
    let id = ids[ids.len() / 2].clone();
    c.bench_function("hand_over_patch_5000", |b| {
        b.iter(|| {
            let patch = Patch::parts(black_box(&session), [id.as_str()]);
            black_box((patch, Summary::of(&session, &results)))
        })
    });
    c.bench_function("clone_session_5000", |b| {
        b.iter(|| black_box(session.clone()))
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
