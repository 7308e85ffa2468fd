//! Listing saved sessions at 5, 50 and 500 sessions of the built-in questionnaires, each fully
//! answered: the store's summaries (all current, and all to be rebuilt), and `aiready sessions
//! list` as a whole process next to `aiready --version`, the cost of starting the program at all.
//!
//! With `AIREADY_BENCH_SESSIONS_DIR` set, the data directories are kept there as `5/`, `50/` and
//! `500/` (made once, reused by later runs) so that the start-up script and `/usr/bin/time` can
//! run the program on the same data.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::content::Bank;
use aiready::domain::questionnaire::QuestionBank;
use aiready::store::{FileStore, SessionStore};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const COUNTS: [usize; 3] = [5, 50, 500];

/// A data directory holding `count` answered sessions with their summaries made, kept under
/// `AIREADY_BENCH_SESSIONS_DIR` when that is set, else temporary.
struct Data {
    dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

fn data(bank: &QuestionBank, count: usize) -> Data {
    let (dir, temp) = match std::env::var_os("AIREADY_BENCH_SESSIONS_DIR") {
        Some(root) => (PathBuf::from(root).join(count.to_string()), None),
        None => {
            let temp = tempfile::tempdir().unwrap();
            (temp.path().join("data"), Some(temp))
        }
    };
    let store = FileStore::new(&dir);
    let have = store
        .summaries(&Bank::Loaded(bank))
        .map(|list| list.len())
        .unwrap_or(0);
    if have != count {
        let template = common::answered_session(bank);
        for n in have..count {
            let mut session = template.clone();
            session.id = format!("2026-01-01-workshop-{n:06}");
            session.name = format!("Workshop {n}");
            session.updated += jiff::SignedDuration::from_mins(n as i64);
            drop(store.create(&session).unwrap());
        }
        // Summaries are settled (believed on the files' stamps alone) once the session files
        // have not changed for a second.
        std::thread::sleep(Duration::from_millis(1_100));
        let listed = store.summaries(&Bank::Loaded(bank)).unwrap();
        assert_eq!(listed.len(), count);
        assert!(listed.iter().all(|e| e.summary.is_ok()));
    }
    Data { dir, _temp: temp }
}

/// Removes every summary file, so that the next listing reads and scores every session.
fn drop_summaries(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.file_name().to_string_lossy().ends_with(".summary") {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
}

/// Runs the program with this data directory and waits for it; its output is discarded.
fn run(dir: &Path, args: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_aiready"))
        .args(args)
        .env("AIREADY_DATA_DIR", dir)
        .env("AIREADY_CONFIG_DIR", dir.join("no-config"))
        .env("AIREADY_CACHE_DIR", dir.join("no-cache"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "aiready {args:?} failed");
}

fn listing(c: &mut Criterion) {
    let bank = aiready::content::builtin().unwrap();
    let sets: Vec<(usize, Data)> = COUNTS.iter().map(|&n| (n, data(bank, n))).collect();

    let mut group = c.benchmark_group("summaries");
    for (count, set) in &sets {
        let store = FileStore::new(&set.dir);
        group.bench_with_input(BenchmarkId::new("current", count), count, |b, _| {
            b.iter(|| black_box(store.summaries(&Bank::Loaded(bank)).unwrap().len()))
        });
    }
    for (count, set) in &sets {
        let store = FileStore::new(&set.dir);
        group.bench_with_input(BenchmarkId::new("rebuilt", count), count, |b, _| {
            b.iter_batched(
                || drop_summaries(&set.dir),
                |()| black_box(store.summaries(&Bank::Loaded(bank)).unwrap().len()),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();

    let mut group = c.benchmark_group("process");
    group.sample_size(30);
    let empty = tempfile::tempdir().unwrap();
    group.bench_function("aiready --version", |b| {
        b.iter(|| run(empty.path(), &["--version"]))
    });
    for (count, set) in &sets {
        group.bench_with_input(BenchmarkId::new("sessions list", count), count, |b, _| {
            b.iter(|| run(&set.dir, &["sessions", "list"]))
        });
    }
    group.finish();
}

criterion_group!(benches, listing);
criterion_main!(benches);
