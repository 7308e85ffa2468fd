//! The `questionnaires` and `completions` commands, run through the built binary.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn aiready(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aiready"))
        .args(args)
        .current_dir(cwd)
        .env("AIREADY_DATA_DIR", cwd.join("data"))
        .env("AIREADY_CONFIG_DIR", cwd.join("config"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn list_shows_every_built_in_questionnaire_from_any_directory() {
    let elsewhere = tempfile::tempdir().unwrap();
    let output = aiready(&["questionnaires", "list"], elsewhere.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    for id in [
        "security",
        "availability",
        "processing-integrity",
        "confidentiality",
        "privacy",
        "ai-risk",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(id)),
            "{id} missing:\n{text}"
        );
    }
    assert!(text.contains("ID") && text.contains("QUESTIONS"));
}

#[test]
fn validate_the_shipped_folder_succeeds_with_a_summary() {
    let output = aiready(&["questionnaires", "validate", "questionnaires/"], repo());
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("valid: 6 questionnaires, "), "{text}");
    assert_eq!(text.lines().count(), 1);
}

#[test]
fn validate_a_broken_folder_fails_with_every_problem_on_stderr() {
    let output = aiready(
        &[
            "questionnaires",
            "validate",
            "tests/fixtures/invalid/many-problems",
            "tests/fixtures/invalid/unknown-stage",
        ],
        repo(),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty());
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 6, "{err}");
    assert!(lines[0].starts_with(
        "tests/fixtures/invalid/many-problems/security.ron:13:29: sections[0].questions[0].prompt:"
    ));
    assert!(lines[4].starts_with(
        "tests/fixtures/invalid/unknown-stage/security.ron:9:20: sections[0].stage: unknown value 'Deployment'"
    ));
    assert_eq!(lines[5], "5 problems in 2 files");
}

#[test]
fn validate_a_missing_path_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = aiready(&["questionnaires", "validate", "nowhere.ron"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("cannot read nowhere.ron"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn export_writes_the_set_and_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("custom");
    let target_arg = target.to_str().unwrap();
    let output = aiready(&["questionnaires", "export", target_arg], dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let security = target.join("security.ron");
    assert_eq!(
        std::fs::read_to_string(&security).unwrap(),
        std::fs::read_to_string(repo().join("questionnaires/security.ron")).unwrap()
    );
    assert!(target.join("scoping.ron").exists());

    // A second export is refused and changes nothing.
    std::fs::write(&security, "edited").unwrap();
    let again = aiready(&["questionnaires", "export", target_arg], dir.path());
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert!(stderr(&again).contains("security.ron"));
    assert_eq!(std::fs::read_to_string(&security).unwrap(), "edited");

    let forced = aiready(
        &["questionnaires", "export", target_arg, "--force"],
        dir.path(),
    );
    assert!(forced.status.success());
    assert_ne!(std::fs::read_to_string(&security).unwrap(), "edited");
}

#[test]
fn a_custom_set_is_used_and_validated_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let custom = dir.path().join("mine");
    std::fs::create_dir(&custom).unwrap();
    std::fs::copy(
        repo().join("questionnaires/availability.ron"),
        custom.join("availability.ron"),
    )
    .unwrap();
    let custom_arg = custom.to_str().unwrap();
    let output = aiready(
        &["--questionnaires", custom_arg, "questionnaires", "list"],
        dir.path(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("availability"));
    assert!(!text.contains("security"), "{text}");

    std::fs::write(custom.join("broken.ron"), "Questionnaire(").unwrap();
    let broken = aiready(
        &["--questionnaires", custom_arg, "questionnaires", "list"],
        dir.path(),
    );
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        stderr(&broken).contains("broken.ron:1:"),
        "{}",
        stderr(&broken)
    );
}

#[test]
fn coverage_reports_frameworks_and_the_category_stage_table() {
    let dir = tempfile::tempdir().unwrap();
    let output = aiready(&["questionnaires", "coverage"], dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("SOC 2 Trust Services Criteria: "), "{text}");
    assert!(text.contains("NIST AI RMF 1.0: "));
    assert!(text.contains("ISO/IEC 42001 Annex A: "));
    assert!(
        text.contains("OWASP Top 10 for LLM Applications 2025: 10 of 10 cited (100%)"),
        "{text}"
    );
    // Primary and secondary citations are counted apart for each framework.
    assert_eq!(text.matches("  primary citations: ").count(), 4, "{text}");
    assert!(
        text.contains("  most cited (primary+secondary): "),
        "{text}"
    );
    assert!(text.contains("Questions per category and stage:"));
    assert!(text.lines().any(|l| l.starts_with("Security ")));
    assert!(text.lines().any(|l| l.starts_with("Total ")));
}

#[test]
fn coverage_lists_uncited_identifiers_by_family() {
    let dir = tempfile::tempdir().unwrap();
    let custom = dir.path().join("small");
    std::fs::create_dir(&custom).unwrap();
    std::fs::copy(
        repo().join("tests/fixtures/valid/minimal.ron"),
        custom.join("minimal.ron"),
    )
    .unwrap();
    let output = aiready(
        &[
            "--questionnaires",
            custom.to_str().unwrap(),
            "questionnaires",
            "coverage",
        ],
        dir.path(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("SOC 2 Trust Services Criteria: 1 of 61 cited (1%)"),
        "{text}"
    );
    assert!(text.contains("  not cited in CC1:\n    CC1.1 "), "{text}");
    // A format 1 file names no primary: its citations are all secondary.
    assert!(
        text.contains("  primary citations: 0 (naming 0 identifiers); secondary citations: 1\n"),
        "{text}"
    );
    assert!(text.contains("  not cited in MEASURE:"), "{text}");
}

#[test]
fn version_help_and_completions() {
    let dir = tempfile::tempdir().unwrap();
    let version = aiready(&["--version"], dir.path());
    assert!(version.status.success());
    assert!(stdout(&version).starts_with("aiready "));

    let help = aiready(&["--help"], dir.path());
    assert!(stdout(&help).contains("--questionnaires <DIR>"));
    assert!(stdout(&help).contains("--data-dir <DIR>"));

    let completions = aiready(&["completions", "bash"], dir.path());
    assert!(completions.status.success());
    assert!(stdout(&completions).contains("-F _clap_complete_aiready aiready"));

    let bad = aiready(&["questionnaires", "frobnicate"], dir.path());
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("frobnicate"));
}
