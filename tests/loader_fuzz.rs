//! Arbitrary bytes and mutated valid files never make the loader panic: they give either a
//! question bank or problems that each carry a location.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aiready::content::{self, BUILTIN_FILES, Source};
use proptest::prelude::*;

fn check(name: &str, text: String) {
    let source = Source {
        name: name.to_string(),
        text,
    };
    match content::load_sources(std::slice::from_ref(&source)) {
        Ok(bank) => assert!(!bank.questionnaires.is_empty()),
        Err(problems) => {
            assert!(!problems.is_empty(), "an error without problems");
            for p in problems {
                assert_eq!(p.file, name);
                assert!(p.line >= 1 && p.column >= 1, "{p}");
                let lines = source.text.lines().count().max(1);
                assert!(p.line <= lines + 1, "line {} beyond the text: {p}", p.line);
                assert!(!p.message.is_empty());
            }
        }
    }
}

/// A mutation of a valid file: cut a range, repeat a range, or insert a short string.
#[derive(Debug, Clone)]
enum Mutation {
    Cut(usize, usize),
    Repeat(usize, usize),
    Insert(usize, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(at, len)| Mutation::Cut(at, len)),
        (any::<usize>(), 0usize..80).prop_map(|(at, len)| Mutation::Repeat(at, len)),
        (
            any::<usize>(),
            prop::sample::select(vec![
                "(",
                ")",
                "[",
                "]",
                ",",
                ":",
                "\"",
                "//",
                "/*",
                "r#\"",
                "Some(",
                "é",
                "\u{0}",
                "weight: 9,",
                "x: 1,",
                "-1",
                "99999999999999999999",
                "Yes(\"nope\")",
            ])
            .prop_map(str::to_string)
        )
            .prop_map(|(at, s)| Mutation::Insert(at, s)),
    ]
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for m in mutations {
        let len = chars.len().max(1);
        match m {
            Mutation::Cut(at, n) => {
                let start = at % len;
                let end = (start + n).min(chars.len());
                chars.drain(start.min(chars.len())..end);
            }
            Mutation::Repeat(at, n) => {
                let start = (at % len).min(chars.len());
                let end = (start + n).min(chars.len());
                let copy: Vec<char> = chars[start..end].to_vec();
                chars.splice(start..start, copy);
            }
            Mutation::Insert(at, s) => {
                let start = (at % len).min(chars.len());
                chars.splice(start..start, s.chars());
            }
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check("random.ron", String::from_utf8_lossy(&bytes).into_owned());
    }

    #[test]
    fn ron_like_text_never_panics(text in "[A-Za-z(){}\\[\\],:\" 0-9\n./#*-]{0,300}") {
        check("ronish.ron", text);
    }

    #[test]
    fn mutated_shipped_files_never_panic(
        file in 0usize..BUILTIN_FILES.len(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let (name, text) = BUILTIN_FILES[file];
        check(name, apply(text, &mutations));
    }
}
