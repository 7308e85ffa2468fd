//! Comparing two fully answered 5,000-question sessions, the second started from the first
//! with a third of its answers changed (target under 20 ms): both sessions scored and every
//! question classified. Also the Markdown of that comparison.

mod common;

use aiready::domain::compare::{compare, compare_scored};
use aiready::domain::reassess::start_from;
use aiready::domain::scale::Answer;
use aiready::report::compare as render;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const QUESTIONS: usize = 5_000;

fn comparison(c: &mut Criterion) {
    let bank = common::large_bank(QUESTIONS);
    let baseline = common::answered_session(&bank);
    let later = jiff::Timestamp::from_second(1_775_000_000).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let mut current = start_from(
        &baseline,
        &bank,
        "2026-04-01-large-000002".into(),
        "Large workshop, again".into(),
        later,
    );
    let ids: Vec<String> = bank.questions().map(|q| q.id.clone()).collect();
    for (n, id) in ids.iter().enumerate() {
        match n % 3 {
            0 => current.set_answer(id, Some(Answer::LEVELS[(n / 3) % 5]), later),
            1 => {
                current.confirm_carried(id, later);
            }
            _ => {}
        }
    }
    let today = jiff::civil::date(2026, 4, 1);
    let mut group = c.benchmark_group("compare_5000");
    group.bench_function("compare", |b| {
        b.iter(|| {
            let cmp = compare(black_box(&bank), black_box(&baseline), &current, today);
            black_box(cmp.questions.len())
        })
    });
    // The results screen has both sessions scored already.
    let before = aiready::domain::scoring::score(&bank, &baseline);
    let after = aiready::domain::scoring::score(&bank, &current);
    group.bench_function("compare_scored", |b| {
        b.iter(|| {
            let cmp = compare_scored(
                black_box(&bank),
                (&baseline, &before),
                (&current, &after),
                today,
            );
            black_box(cmp.questions.len())
        })
    });
    group.bench_function("score_one", |b| {
        b.iter(|| black_box(aiready::domain::scoring::score(black_box(&bank), &current).overall))
    });
    let cmp = compare(&bank, &baseline, &current, today);
    group.bench_function("markdown", |b| {
        b.iter(|| black_box(render::markdown(black_box(&cmp), later).len()))
    });
    group.finish();
}

criterion_group!(benches, comparison);
criterion_main!(benches);
