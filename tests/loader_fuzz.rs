//! Arbitrary bytes (invalid UTF-8 included) and mutated valid files never make the loader
//! panic: they give either a question bank or problems that each carry a line and column inside
//! the file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aiready::content::{self, BUILTIN_FILES, ContentError};
use proptest::prelude::*;

/// Loads `bytes` as a questionnaire file, the way a user's file is read (from disk, as raw
/// bytes), and checks the outcome: a bank, or problems that each point inside the file.
fn check(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzzed.ron");
    std::fs::write(&path, bytes).unwrap();
    let name = path.display().to_string();
    match content::load_paths(std::slice::from_ref(&path)) {
        Ok(bank) => assert!(!bank.questionnaires.is_empty()),
        Err(ContentError::Invalid(problems)) => {
            assert!(!problems.is_empty(), "an error without problems");
            // Invalid UTF-8 is only ever reported where the valid text ends, so the lines of
            // the lossy text measure the file.
            let text = String::from_utf8_lossy(bytes);
            let lines: Vec<&str> = text.split('\n').collect();
            for p in problems {
                assert_eq!(p.file, name);
                assert!(p.line >= 1 && p.column >= 1, "{p}");
                let line = lines
                    .get(p.line - 1)
                    .unwrap_or_else(|| panic!("line {} beyond the text: {p}", p.line));
                let width = line.chars().count();
                assert!(
                    p.column <= width + 1,
                    "column {} beyond line {} of {width} characters: {p}",
                    p.column,
                    p.line
                );
                assert!(!p.message.is_empty());
            }
        }
        Err(other) => panic!("not a content problem: {other}"),
    }
}

/// A mutation of a valid file, byte by byte (so that a cut or a copy can split a character):
/// cut a range, repeat a range, or insert a few bytes.
#[derive(Debug, Clone)]
enum Mutation {
    Cut(usize, usize),
    Repeat(usize, usize),
    Insert(usize, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(at, len)| Mutation::Cut(at, len)),
        (any::<usize>(), 0usize..80).prop_map(|(at, len)| Mutation::Repeat(at, len)),
        (
            any::<usize>(),
            prop::sample::select(vec![
                &b"("[..],
                b")",
                b"[",
                b"]",
                b",",
                b":",
                b"\"",
                b"//",
                b"/*",
                b"r#\"",
                b"Some(",
                "é".as_bytes(),
                b"\0",
                b"weight: 9,",
                b"x: 1,",
                b"-1",
                b"99999999999999999999",
                b"Yes(\"nope\")",
                // Not UTF-8: a stray byte, a cut-off character, a surrogate, an overlong form.
                b"\xff",
                b"\xc3",
                b"\xe2\x80",
                b"\xed\xa0\x80",
                b"\xc0\xaf",
            ])
            .prop_map(<[u8]>::to_vec)
        )
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
    ]
}

fn apply(text: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Cut(at, n) => {
                let start = (at % len).min(bytes.len());
                let end = (start + n).min(bytes.len());
                bytes.drain(start..end);
            }
            Mutation::Repeat(at, n) => {
                let start = (at % len).min(bytes.len());
                let end = (start + n).min(bytes.len());
                let copy = bytes[start..end].to_vec();
                bytes.splice(start..start, copy);
            }
            Mutation::Insert(at, inserted) => {
                let start = (at % len).min(bytes.len());
                bytes.splice(start..start, inserted.iter().copied());
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check(&bytes);
    }

    #[test]
    fn ron_like_text_never_panics(text in "[A-Za-zé(){}\\[\\],:\" 0-9\n./#*-]{0,300}") {
        check(text.as_bytes());
    }

    #[test]
    fn mutated_shipped_files_never_panic(
        file in 0usize..BUILTIN_FILES.len(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let (_, text) = BUILTIN_FILES[file];
        check(&apply(text, &mutations));
    }
}
