//! Exporting a fully answered 5,000-question session: Markdown (target under 50 ms), JSON,
//! CSV, HTML, the Excel workbook and the two OSCAL documents (each under 100 ms), from the
//! session to the finished file's bytes.
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
    report::render_bytes(format, black_box(bank), black_box(session), options)
        .unwrap_or_else(|e| panic!("the {format} export fails: {e}"))
        .len()
}

/// The benchmark's name for a format: its extension, or the OSCAL document it is.
fn name(format: Format) -> &'static str {
    match format {
        Format::OscalAr => "oscal-ar",
        Format::OscalPoam => "oscal-poam",
        other => other.extension(),
    }
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
        let bytes = render(format, &bank, &session, &plain);
        eprintln!("export_5000/{}: {bytes} bytes", name(format));
    }
    let mut group = c.benchmark_group("export_5000");
    for format in Format::ALL {
        group.bench_function(name(format), |b| {
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
