//! Loading and validating the built-in questionnaires: the bulk of start-up time.

use aiready::content::{builtin_sources, load_sources};
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
}

criterion_group!(benches, load_builtin);
criterion_main!(benches);
