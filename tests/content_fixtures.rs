//! One fixture per kind of broken questionnaire, each pinned to its exact message with file,
//! line, column and field path.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aiready::content::{self, ContentError};
use std::path::Path;

const KEYS: &str = "agents_take_actions, ai_risk_in_commitments, decisions_about_people, \
    generative, multi_tenant, personal_data, retrieval_over_confidential_data, \
    self_hosted_weights, shares_with_third_parties, third_party_models, trains_on_customer_data, \
    trains_or_fine_tunes";

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
          one of: id, prompt, guidance, good_looks_like, evidence, type1_evidence, \
          type2_evidence, frequency, tested_by, typical_exception, weight, critical, maps_to, \
          remediation, applies_if, themes, also_in, replaces"
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

#[test]
fn a_format_1_file_still_loads() {
    let bank = content::load_paths(&[Path::new("tests/fixtures/valid/minimal.ron").to_path_buf()])
        .expect("the format 1 fixture loads");
    let questionnaire = &bank.questionnaires[0];
    assert_eq!(questionnaire.format, 1);
    let question = bank.question("fx-trn-01").unwrap();
    assert!(question.audit.is_none());
    assert!(question.maps_to.primary.is_empty());
    assert_eq!(question.maps_to.tsc, ["CC8.1"]);
    assert!(question.also_in.is_empty() && question.replaces.is_empty());
}

#[test]
fn a_format_2_file_loads_with_every_new_field() {
    use aiready::domain::framework::{Category, Framework};
    use aiready::domain::questionnaire::{Frequency, TestMethod};
    let bank = content::load_paths(&[Path::new("tests/fixtures/valid/format2.ron").to_path_buf()])
        .expect("the format 2 fixture loads");
    assert_eq!(bank.questionnaires[0].format, 2);
    let question = bank.question("fx-trn-02").unwrap();
    let audit = question.audit.as_ref().expect("an audit guide");
    assert_eq!(
        audit.type1_evidence,
        "The register and one approval traced to a training run."
    );
    assert!(
        audit
            .type2_evidence
            .starts_with("Every training run in the period")
    );
    assert_eq!(audit.frequency, Frequency::PerEvent);
    assert_eq!(
        audit.tested_by,
        [TestMethod::Inspection, TestMethod::Reperformance]
    );
    assert_eq!(
        audit.typical_exception,
        "A run on a data set approved only by its author."
    );
    assert_eq!(question.maps_to.tsc, ["CC8.1", "PI1.2"]);
    assert_eq!(question.maps_to.secondary(Framework::Tsc), ["PI1.2"]);
    let primary = question.maps_to.primary(Framework::NistAiRmf).unwrap();
    assert_eq!(
        (primary.id.as_str(), primary.why.as_str()),
        ("MAP 2.3", "Records the data a model was built on.")
    );
    assert_eq!(question.maps_to.owasp, ["LLM04"]);
    assert!(question.maps_to.primary(Framework::Iso42001).is_none());
    assert_eq!(question.also_in, [Category::Privacy]);
    assert_eq!(question.replaces, ["fx-trn-01"]);
}

#[test]
fn format_2_requires_each_audit_field_at_the_question() {
    let at = "security.ron:12:17: sections[0].questions[0]";
    assert_eq!(
        problems("format2-missing-audit-fields"),
        [
            format!("{at}: missing field 'type2_evidence', which format 2 requires"),
            format!("{at}: missing field 'frequency', which format 2 requires"),
            format!("{at}: missing field 'tested_by', which format 2 requires"),
            format!("{at}: missing field 'typical_exception', which format 2 requires"),
        ]
    );
}

#[test]
fn format_2_names_a_primary_identifier() {
    assert_eq!(
        problems("format2-plain-list"),
        [
            "security.ron:26:30: sections[0].questions[0].maps_to.tsc: format 2 names a primary \
             identifier with the reason for it: write tsc: (primary: \"...\", why: \"...\", \
             secondary: [...])"
        ]
    );
}

#[test]
fn format_1_refuses_the_fields_of_format_2() {
    assert_eq!(
        problems("format1-new-fields"),
        [
            "security.ron:17:32: sections[0].questions[0].frequency: 'frequency' needs `format: \
             2` at the top of the file",
            "security.ron:21:30: sections[0].questions[0].maps_to.tsc: a primary identifier \
             needs `format: 2` at the top of the file",
            "security.ron:24:30: sections[0].questions[0].also_in: 'also_in' needs `format: 2` at \
             the top of the file",
        ]
    );
}

#[test]
fn an_unknown_format_is_named() {
    assert_eq!(
        problems("unknown-format"),
        [
            "security.ron:2:13: format: format 3 is not known; this version of aiready reads \
             formats 1 to 2"
        ]
    );
}

#[test]
fn shared_categories_test_methods_and_retired_ids_are_checked() {
    let at = "security.ron";
    let q = "sections[0].questions[0]";
    assert_eq!(
        problems("bad-sharing"),
        [
            format!("{at}:21:54: {q}.tested_by[2]: Inspection is listed twice"),
            format!(
                "{at}:29:40: {q}.also_in[1]: Security is this questionnaire's own category; list \
                 only the other categories the question counts in"
            ),
            format!("{at}:29:50: {q}.also_in[2]: Privacy is listed twice"),
            format!("{at}:30:32: {q}.replaces[0]: a question cannot replace itself"),
            format!(
                "{at}:30:45: {q}.replaces[1]: 'Old_Id' is not a valid identifier; use lower-case \
                 letters, digits and '-'"
            ),
            format!("{at}:30:68: {q}.replaces[3]: 'fx-old-01' is listed twice"),
        ]
    );
}

#[test]
fn a_retired_id_may_not_be_in_use() {
    assert_eq!(
        problems("retired-id-in-use"),
        [
            "a.ron:29:32: sections[0].questions[0].replaces[0]: 'fx-prv-01' is replaced, but a \
             current question still has that id at b.ron:12:25"
        ]
    );
}

#[test]
fn primary_identifiers_and_their_reasons_are_checked() {
    let at = "security.ron";
    let q = "sections[0].questions[0]";
    assert_eq!(
        problems("bad-primary"),
        [
            format!(
                "{at}:21:32: {q}.tested_by: name at least one way an auditor tests it: Inquiry, \
                 Inspection, Observation or Reperformance"
            ),
            format!("{at}:22:40: {q}.typical_exception: must not be empty"),
            format!("{at}:26:96: {q}.maps_to.tsc.secondary[0]: 'CC8.1' is listed twice"),
            format!(
                "{at}:27:40: {q}.maps_to.iso.primary: 'A.4.9' is not an ISO/IEC 42001 Annex A \
                 control"
            ),
            format!("{at}:27:54: {q}.maps_to.iso.why: must not be empty"),
            format!(
                "{at}:28:42: {q}.maps_to.owasp.primary: 'LLM11' is not an OWASP Top 10 for LLM \
                 Applications (2025) entry"
            ),
            format!(
                "{at}:28:56: {q}.maps_to.owasp.why: the reason for a primary identifier is one line"
            ),
        ]
    );
}

/// The complete example in the format documentation is a valid questionnaire.
#[test]
fn the_documented_example_loads() {
    let doc = std::fs::read_to_string("docs/questionnaire-format.md").unwrap();
    let start = doc
        .find("```ron\n// questionnaires/security.ron\n")
        .expect("the example")
        + "```ron\n".len();
    let end = start + doc[start..].find("```").unwrap();
    let source = content::Source {
        name: "example.ron".into(),
        text: doc[start..end].to_string(),
    };
    let bank = content::load_sources(&[source]).unwrap_or_else(|problems| {
        panic!(
            "{}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    assert_eq!(bank.questionnaires[0].format, 2);
    let question = bank.question("sec-trn-01").unwrap();
    assert!(question.audit.is_some());
    assert_eq!(question.maps_to.owasp, ["LLM04"]);
}
