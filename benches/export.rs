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
    for format in [Format::Markdown, Format::Xlsx] {
        report_cpu_time(format, &bank, &session, &plain);
    }
}

/// Processor time this process has used, threads that ended included, in milliseconds
/// (Linux: user and system time from /proc/self/stat, in ticks of 10 ms).
fn process_cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name, which is in brackets and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    // utime and stime are the 14th and 15th fields; the state, the 3rd, is fields[0].
    Some((ticks(11)? + ticks(12)?) as f64 * 10.0)
}

/// Twenty more exports timed by the clock and by the processor time the whole process used
/// (the workbook fills and compresses sheets on more than one thread), to tell the work from
/// the waiting on a busy shared host.
fn report_cpu_time(format: Format, bank: &QuestionBank, session: &Session, options: &Options) {
    const RUNS: u32 = 20;
    let (start, start_cpu) = (std::time::Instant::now(), process_cpu_ms());
    for _ in 0..RUNS {
        render(format, bank, session, options);
    }
    let wall = start.elapsed().as_secs_f64() * 1000.0 / f64::from(RUNS);
    if let (Some(before), Some(after)) = (start_cpu, process_cpu_ms()) {
        let cpu = (after - before) / f64::from(RUNS);
        eprintln!(
            "export_5000/{}, {RUNS} runs: {wall:.1} ms wall, {cpu:.1} ms of processor time, per run",
            name(format)
        );
    }
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
