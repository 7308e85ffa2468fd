//! One fixture per kind of broken questionnaire, each pinned to its exact message with file,
//! line, column and field path.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aiready::content::{self, ContentError};
use std::path::Path;

const KEYS: &str = "decisions_about_people, generative, personal_data, \
    shares_with_third_parties, third_party_models, trains_on_customer_data";

/// Loads a fixture folder and returns its problems with the folder prefix removed.
fn problems(case: &str) -> Vec<String> {
    let dir = Path::new("tests/fixtures/invalid").join(case);
    match content::load_dir(&dir) {
        Ok(_) => panic!("fixture {case} loaded without problems"),
        Err(ContentError::Invalid(problems)) => {
            let prefix = format!("{}/", dir.display());
            problems
                .iter()
                .map(|p| p.to_string().replace(&prefix, ""))
                .collect()
        }
        Err(other) => panic!("fixture {case} failed to read: {other}"),
    }
}

#[test]
fn syntax_error_names_line_column_and_enclosing_question() {
    assert_eq!(
        problems("syntax-error"),
        ["security.ron:17:31: sections[0].questions[0]: expected comma"]
    );
}

#[test]
fn unknown_field_is_rejected_with_the_fields_that_exist() {
    assert_eq!(
        problems("unknown-field"),
        [
            "security.ron:21:21: sections[0].questions[0].owner: unknown field 'owner'; expected \
          one of: id, prompt, guidance, good_looks_like, evidence, weight, critical, maps_to, \
          remediation, applies_if, themes"
        ]
    );
}

#[test]
fn missing_field_points_at_the_question() {
    assert_eq!(
        problems("missing-field"),
        ["security.ron:11:17: sections[0].questions[0]: missing field 'guidance'"]
    );
}

#[test]
fn unknown_category_lists_the_categories() {
    assert_eq!(
        problems("unknown-category"),
        [
            "security.ron:4:15: category: unknown value 'Safety'; expected one of: Security, \
          Availability, ProcessingIntegrity, Confidentiality, Privacy, AiRisk"
        ]
    );
}

#[test]
fn unknown_stage_lists_the_stages() {
    assert_eq!(
        problems("unknown-stage"),
        [
            "security.ron:9:20: sections[0].stage: unknown value 'Deployment'; expected one of: \
          Governance, Collection, Storage, Training, Sharing, Monitoring, Disposal"
        ]
    );
}

#[test]
fn weight_out_of_range() {
    assert_eq!(
        problems("weight-out-of-range"),
        [
            "security.ron:17:29: sections[0].questions[0].weight: weight 5 is out of range; use \
          1, 2 or 3"
        ]
    );
}

#[test]
fn empty_text_is_refused() {
    assert_eq!(
        problems("empty-text"),
        ["security.ron:13:29: sections[0].questions[0].prompt: must not be empty"]
    );
}

#[test]
fn mapping_ids_outside_the_reference_lists() {
    assert_eq!(
        problems("unknown-mapping"),
        [
            "security.ron:19:46: sections[0].questions[0].maps_to.tsc[1]: 'PI1.6' is not a SOC \
             2 criterion",
            "security.ron:19:63: sections[0].questions[0].maps_to.nist[0]: 'GOVERN 1.8' is not \
             a NIST AI RMF subcategory",
        ]
    );
}

#[test]
fn a_question_needs_a_soc2_criterion() {
    assert_eq!(
        problems("no-soc2-mapping"),
        [
            "security.ron:19:36: sections[0].questions[0].maps_to.tsc: a question must map to at \
          least one SOC 2 criterion"
        ]
    );
}

#[test]
fn conditions_name_known_scoping_keys() {
    assert_eq!(
        problems("unknown-scoping-key"),
        [format!(
            "security.ron:21:57: sections[0].questions[0].applies_if[1]: 'uses_gpus' is not a \
             scoping key; the profile defines {KEYS}"
        )]
    );
}

#[test]
fn question_ids_are_unique_across_files() {
    assert_eq!(
        problems("duplicate-question-id"),
        [
            "b.ron:12:25: sections[0].questions[0].id: question id 'fx-trn-01' is already used at \
          a.ron:12:25"
        ]
    );
}

#[test]
fn questionnaire_ids_are_unique_across_files() {
    assert_eq!(
        problems("duplicate-file-id"),
        ["b.ron:2:9: id: questionnaire id 'same' is already used by a.ron"]
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    assert_eq!(
        problems("many-problems"),
        [
            "security.ron:13:29: sections[0].questions[0].prompt: must not be empty".to_string(),
            "security.ron:17:29: sections[0].questions[0].weight: weight 0 is out of range; use \
             1, 2 or 3"
                .to_string(),
            "security.ron:19:36: sections[0].questions[0].maps_to.tsc: a question must map to at \
             least one SOC 2 criterion"
                .to_string(),
            format!(
                "security.ron:21:33: sections[0].questions[0].applies_if: 'nope' is not a \
                 scoping key; the profile defines {KEYS}"
            ),
        ]
    );
}

#[test]
fn text_that_is_not_utf8_is_located() {
    assert_eq!(
        problems("not-utf8"),
        ["security.ron:3:17: the file is not valid UTF-8 text"]
    );
}

#[test]
fn a_broken_file_does_not_hide_problems_in_the_others() {
    let dirs = [
        Path::new("tests/fixtures/invalid/syntax-error").to_path_buf(),
        Path::new("tests/fixtures/invalid/weight-out-of-range/security.ron").to_path_buf(),
    ];
    let Err(ContentError::Invalid(problems)) = content::load_paths(&dirs) else {
        panic!("expected problems");
    };
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].message.contains("expected comma"));
    assert!(problems[1].message.contains("weight 5"));
}

#[test]
fn control_characters_in_ids_titles_and_prompts_are_refused() {
    assert_eq!(
        problems("control-characters"),
        [
            "security.ron:3:12: title: holds a control character (U+001B) at character 9; this \
             text is one line without control characters",
            "security.ron:12:25: sections[0].questions[0].id: 'fx-\\x1b]0;pwned\\x07-01' is not a \
             valid identifier; use lower-case letters, digits and '-'",
            "security.ron:13:29: sections[0].questions[0].prompt: holds a control character \
             (U+000A) at character 27; this text is one line without control characters",
            "security.ron:15:38: sections[0].questions[0].good_looks_like: holds a control \
             character (U+009B) at character 42; only line breaks and tabs are allowed",
        ]
    );
}
