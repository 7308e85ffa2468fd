//! Exporting a fully answered 5,000-question session: Markdown (target under 50 ms), JSON,
//! CSV, HTML, the Excel workbook and the two OSCAL documents (each under 100 ms), from the
//! session to the finished file's bytes.

mod common;

use aiready::report::{self, Format, Options};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const QUESTIONS: usize = 5_000;

fn export(c: &mut Criterion) {
    let bank = common::large_bank(QUESTIONS);
    let session = common::answered_session(&bank);
    let options = Options {
        generated: jiff::Timestamp::UNIX_EPOCH,
        ..Options::now()
    };
    let mut group = c.benchmark_group("export_5000");
    for format in Format::ALL {
        let name = match format {
            Format::OscalAr => "oscal-ar",
            Format::OscalPoam => "oscal-poam",
            other => other.extension(),
        };
        group.bench_function(name, |b| {
            b.iter(|| {
                let bytes =
                    report::render_bytes(format, black_box(&bank), black_box(&session), &options);
                black_box(bytes.map(|t| t.len()).unwrap_or(0))
            })
        });
    }
    let anonymized = Options {
        anonymize: true,
        ..options.clone()
    };
    group.bench_function("md_anonymized", |b| {
        b.iter(|| {
            let text = report::render(Format::Markdown, &bank, black_box(&session), &anonymized);
            black_box(text.map(|t| t.len()).unwrap_or(0))
        })
    });
    group.finish();
}

/// The same over the built-in content (156 questions), the size of a real workshop.
fn export_builtin(c: &mut Criterion) {
    let Ok(bank) = aiready::content::builtin() else {
        eprintln!("the built-in content does not load");
        return;
    };
    let session = common::answered_session(bank);
    let options = Options {
        generated: jiff::Timestamp::UNIX_EPOCH,
        ..Options::now()
    };
    c.bench_function("export_builtin/md", |b| {
        b.iter(|| {
            let text = report::render(Format::Markdown, bank, black_box(&session), &options);
            black_box(text.map(|t| t.len()).unwrap_or(0))
        })
    });
}

criterion_group!(benches, export, export_builtin);
criterion_main!(benches);
