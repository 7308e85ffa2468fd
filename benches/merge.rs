//! Merging pre-work: ten participants' files, each answering every question of a 5,000-question
//! session, read from disk, merged into the stored session and saved, as `aiready merge` does.
//! A failed setup or merge stops the benchmark instead of timing the failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::merge::{self, Contribution, MergeOptions};
use aiready::domain::prework::{Prework, PreworkAnswer};
use aiready::domain::questionnaire::QuestionBank;
use aiready::domain::scale::Answer;
use aiready::domain::session::{Participant, Session};
use aiready::store::prework::{self as files, Document};
use aiready::store::{FileStore, SessionLock, SessionStore};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use std::hint::black_box;
use std::path::{Path, PathBuf};

const QUESTIONS: usize = 5_000;
const PEOPLE: usize = 10;

fn t0() -> Timestamp {
    Timestamp::from_second(1_767_225_600).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A fresh workshop session with ten participants and nothing answered yet.
fn session(bank: &QuestionBank) -> Session {
    let mut s = Session::new(
        "2026-01-01-large-000001".into(),
        "Large workshop".into(),
        bank,
        t0(),
    );
    s.participants = (1..=PEOPLE)
        .map(|n| Participant {
            name: format!("Person {n:02}"),
            role: "engineer".into(),
        })
        .collect();
    s
}

/// Each participant's pre-work, answering every question (all seven answers in turn), with a
/// note on every third, written into `dir`.
fn write_prework(bank: &QuestionBank, session: &Session, dir: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for (i, person) in session.participants.iter().enumerate() {
        let mut prework =
            Prework::new(session, bank, person, None, t0()).expect("the pre-work is made");
        for (n, q) in prework.questions(bank).iter().enumerate() {
            let answer = PreworkAnswer {
                answer: Some(Answer::ALL[(n + i) % Answer::ALL.len()]),
                notes: if n % 3 == 0 {
                    format!("{} checked this on day {}.", person.name, n % 7)
                } else {
                    String::new()
                },
            };
            prework.answers.insert(q.id.clone(), answer);
        }
        let path = dir.join(files::file_name(&session.id, &person.name));
        files::create(&path, &prework, false).expect("the pre-work file is written");
        paths.push(path);
    }
    paths
}

/// What `aiready merge` does between taking the lock and printing: read the session and every
/// file, merge, save once.
fn merge_files(store: &FileStore, lock: &SessionLock, bank: &QuestionBank, paths: &[PathBuf]) {
    let session = store.load(lock.id()).expect("the session loads");
    let contributions: Vec<Contribution> = paths
        .iter()
        .map(|path| match files::read_document(path) {
            Ok(Document::Prework(prework)) => {
                Contribution::from_prework(path.display().to_string(), *prework, bank)
            }
            other => panic!("{} is not pre-work: {other:?}", path.display()),
        })
        .collect();
    let merged = merge::merge(
        &session,
        bank,
        &contributions,
        MergeOptions::default(),
        t0(),
    )
    .expect("the merge works");
    assert!(merged.changed, "the merge changed nothing");
    store.save(lock, &merged.session).expect("the save works");
}

fn bench(c: &mut Criterion) {
    let bank = common::large_bank(QUESTIONS);
    let fresh = session(&bank);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = FileStore::new(dir.path().join("data"));
    let lock = store.create(&fresh).expect("the session is created");
    let paths = write_prework(&bank, &fresh, dir.path());
    let sizes: u64 = paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    eprintln!("{} pre-work files, {sizes} bytes in all", paths.len());
    c.bench_function("merge_10_prework_into_5000", |b| {
        // Every iteration merges into the session as it was before any pre-work; putting it
        // back is not measured.
        b.iter_batched(
            || {
                store
                    .save(&lock, &fresh)
                    .expect("the fresh session is saved")
            },
            |()| merge_files(&store, &lock, &bank, black_box(&paths)),
            BatchSize::PerIteration,
        )
    });
    report_cpu_time(&store, &lock, &bank, &fresh, &paths);
    if let Ok(merged) = store.load(&fresh.id)
        && let Ok(text) = aiready::store::encode(&merged)
    {
        eprintln!("merged session file: {} bytes", text.len());
    }
}

/// Time this thread has run on a processor, in nanoseconds (Linux), to tell the work itself
/// from the waiting on a busy shared host.
fn cpu_nanos() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Ten more merges, timed by the clock and by the processor time they took.
fn report_cpu_time(
    store: &FileStore,
    lock: &SessionLock,
    bank: &QuestionBank,
    fresh: &Session,
    paths: &[PathBuf],
) {
    const RUNS: u32 = 10;
    let (mut wall, mut cpu) = (std::time::Duration::ZERO, 0u64);
    for _ in 0..RUNS {
        store.save(lock, fresh).expect("the fresh session is saved");
        let (start, start_cpu) = (std::time::Instant::now(), cpu_nanos());
        merge_files(store, lock, bank, black_box(paths));
        wall += start.elapsed();
        if let (Some(before), Some(after)) = (start_cpu, cpu_nanos()) {
            cpu += after - before;
        }
    }
    eprintln!(
        "merge_10_prework_into_5000, {RUNS} runs: {:.1} ms wall, {:.1} ms on a processor, per run",
        wall.as_secs_f64() * 1000.0 / f64::from(RUNS),
        cpu as f64 / 1e6 / f64::from(RUNS)
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
