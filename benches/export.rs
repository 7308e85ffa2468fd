//! Exporting a fully answered 5,000-question session: Markdown (target under 50 ms), JSON and
//! CSV, from the session to the finished text.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::questionnaire::QuestionBank;
use aiready::domain::session::Session;
use aiready::report::{self, Format, Options};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const QUESTIONS: usize = 5_000;

/// One export, failing the benchmark if the report cannot be produced.
fn render(format: Format, bank: &QuestionBank, session: &Session, options: &Options) -> usize {
    report::render(format, black_box(bank), black_box(session), options)
        .unwrap_or_else(|e| panic!("the {format} export fails: {e}"))
        .len()
}

fn options(anonymize: bool) -> Options {
    Options {
        anonymize,
        generated: jiff::Timestamp::UNIX_EPOCH,
        ..Options::now()
    }
}

fn export(c: &mut Criterion) {
    let bank = common::large_bank(QUESTIONS);
    let session = common::answered_session(&bank);
    let (plain, anonymized) = (options(false), options(true));
    // The size of what is measured, for docs/performance.md.
    for format in Format::ALL {
        let text = report::render(format, &bank, &session, &plain).expect("the export works");
        eprintln!(
            "export_5000/{}: {} bytes, {} lines",
            format.extension(),
            text.len(),
            text.lines().count()
        );
    }
    let mut group = c.benchmark_group("export_5000");
    for format in Format::ALL {
        group.bench_function(format.extension(), |b| {
            b.iter(|| render(format, &bank, &session, &plain))
        });
    }
    group.bench_function("md_anonymized", |b| {
        b.iter(|| render(Format::Markdown, &bank, &session, &anonymized))
    });
    group.finish();
}

/// The same over the built-in content, the size of a real workshop.
fn export_builtin(c: &mut Criterion) {
    let bank = aiready::content::builtin().expect("the built-in content loads");
    let session = common::answered_session(bank);
    let plain = options(false);
    c.bench_function("export_builtin/md", |b| {
        b.iter(|| render(Format::Markdown, bank, &session, &plain))
    });
}

criterion_group!(benches, export, export_builtin);
criterion_main!(benches);
