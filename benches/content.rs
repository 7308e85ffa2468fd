//! Loading and validating questionnaires: the built-in set (parsed and validated, as the build
//! script does, and decoded from its compiled form, as start-up does), and
//! `questionnaires validate` on large hostile files, which must stay linear.

use aiready::content::{Source, builtin_sources, decode_bank, encode_bank, load_sources};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn load_builtin(c: &mut Criterion) {
    let sources = builtin_sources();
    c.bench_function("load_builtin_questionnaires", |b| {
        b.iter(|| match load_sources(black_box(&sources)) {
            Ok(bank) => bank.questionnaires.len(),
            Err(problems) => panic!("the built-in questionnaires do not load: {problems:?}"),
        })
    });
    // What start-up does instead: decode the bank the build script validated and compiled in.
    let compiled = match load_sources(&sources).map(|bank| encode_bank(&bank)) {
        Ok(Ok(compiled)) => compiled,
        Ok(Err(err)) => panic!("the bank does not encode: {err}"),
        Err(problems) => panic!("the built-in questionnaires do not load: {problems:?}"),
    };
    c.bench_function("decode_compiled_builtin_questionnaires", |b| {
        b.iter(|| match decode_bank(black_box(&compiled)) {
            Ok(bank) => bank.questionnaires.len(),
            Err(err) => panic!("the compiled bank does not decode: {err}"),
        })
    });
}

/// A 55 MB questionnaire whose 32,000 questions all have the same id (the same file as
/// `scripts/hostile-questionnaires.py` writes as dups.ron).
fn duplicate_ids() -> Source {
    let guidance = "x".repeat(1300);
    let mut text = String::from(
        "Questionnaire(\n    id: \"fixture\",\n    title: \"F\",\n    category: Security,\n    \
         version: \"1\",\n    description: \"d\",\n    sections: [\n        Section(\n            \
         stage: Training,\n            questions: [\n",
    );
    for _ in 0..32_000 {
        text.push_str(&format!(
            "                Question(\n                    id: \"dup-01\",\n                    \
             prompt: \"Is it approved?\",\n                    guidance: \"{guidance}\",\n                    \
             good_looks_like: \"A register.\",\n                    evidence: [\"Register\"],\n                    \
             weight: 2,\n                    critical: false,\n                    \
             maps_to: (tsc: [\"CC8.1\"]),\n                    remediation: \"Start a register.\",\n                ),\n"
        ));
    }
    text.push_str("            ],\n        ),\n    ],\n)\n");
    Source {
        name: "dups.ron".into(),
        text,
    }
}

/// Loads a file that must be refused; the number of problems found.
fn problems_in(sources: &[Source]) -> usize {
    match load_sources(black_box(sources)) {
        Ok(_) => panic!("{} loaded, but it has problems", sources[0].name),
        Err(problems) => problems.total(),
    }
}

fn validate_large(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    group.sample_size(10);
    let dups = [duplicate_ids()];
    group.bench_function("32000_duplicate_ids_55mb", |b| {
        b.iter(|| problems_in(&dups))
    });
    // 48 MB of one long line that parses as far as a deep list: the syntax error at its start
    // must not cost a reading of the whole rest.
    let junk = [Source {
        name: "junk.ron".into(),
        text: format!(
            "Questionnaire({}{}",
            "a: [".repeat(100),
            "x, ".repeat(16_000_000)
        ),
    }];
    group.bench_function("syntax_error_in_48mb_line", |b| {
        b.iter(|| problems_in(&junk))
    });
    group.finish();
}

criterion_group!(benches, load_builtin, validate_large);
criterion_main!(benches);
