//! The built-in question bank holds the bar the product promises: enough questions, every
//! category and stage covered, every framework cited widely, every field filled, and scoping
//! that really hides questions. A test here fails the day content drops below the bar.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aiready::content;
use aiready::domain::coverage::Coverage;
use aiready::domain::framework::{Category, Framework, Stage};
use aiready::domain::questionnaire::{QuestionBank, Questionnaire};
use std::collections::{BTreeMap, BTreeSet};

fn bank() -> &'static QuestionBank {
    content::builtin().expect("the built-in questionnaires load")
}

#[test]
fn every_shipped_file_loads_and_validates() {
    let sources = content::builtin_sources();
    let loaded = content::load_sources(&sources).expect("built-in set validates");
    assert_eq!(loaded.questionnaires.len(), 6);
    // The folder on disk and the compiled-in copy are the same set.
    let from_disk = content::load_dir(std::path::Path::new("questionnaires")).unwrap();
    assert_eq!(from_disk.content_hash, loaded.content_hash);
}

#[test]
fn at_least_110_questions() {
    assert!(bank().questions().count() >= 110);
}

fn stages_of(questionnaire: &Questionnaire) -> BTreeSet<Stage> {
    questionnaire
        .sections
        .iter()
        .filter(|s| s.stage != Stage::Governance && !s.questions.is_empty())
        .map(|s| s.stage)
        .collect()
}

#[test]
fn every_category_has_a_questionnaire_covering_its_stages() {
    for category in Category::ALL {
        let questionnaire = bank()
            .questionnaire(category)
            .unwrap_or_else(|| panic!("no questionnaire for {category}"));
        let stages = stages_of(questionnaire);
        let needed = match category {
            Category::Security | Category::Privacy => 6,
            _ => 4,
        };
        assert!(
            stages.len() >= needed,
            "{category} covers {} lifecycle stages, needs {needed}",
            stages.len()
        );
    }
}

#[test]
fn governance_questions_exist() {
    let governance = bank()
        .questions()
        .filter(|q| q.stage == Stage::Governance)
        .count();
    assert!(governance >= 10, "only {governance} governance questions");
}

#[test]
fn coverage_of_each_framework_meets_the_bar() {
    let coverage = Coverage::of(bank(), content::reference::catalog());
    let bar = [
        (Framework::Tsc, 55),
        (Framework::NistAiRmf, 50),
        (Framework::Iso42001, 30),
    ];
    for (framework, minimum) in bar {
        let got = coverage.framework(framework).unwrap();
        assert!(
            got.cited >= minimum,
            "{} cites {} of {}, needs {minimum}",
            framework.title(),
            got.cited,
            got.total
        );
    }
}

#[test]
fn no_two_prompts_are_the_same() {
    let mut seen = BTreeMap::new();
    for q in bank().questions() {
        let key = q.prompt.to_lowercase();
        if let Some(first) = seen.insert(key, q.id.clone()) {
            panic!("{} repeats the prompt of {first}", q.id);
        }
    }
}

#[test]
fn every_question_has_every_field_filled() {
    for q in bank().questions() {
        for (field, text) in [
            ("prompt", &q.prompt),
            ("guidance", &q.guidance),
            ("good_looks_like", &q.good_looks_like),
            ("remediation", &q.remediation),
        ] {
            assert!(text.len() >= 20, "{}: {field} is too thin: {text:?}", q.id);
        }
        assert!(
            q.prompt.ends_with('?'),
            "{}: prompt is not a question",
            q.id
        );
        assert!(
            (2..=4).contains(&q.evidence.len()),
            "{}: {} evidence examples, expected 2 to 4",
            q.id,
            q.evidence.len()
        );
        assert!(!q.maps_to.tsc.is_empty(), "{}: no SOC 2 criterion", q.id);
        assert!((1..=3).contains(&q.weight), "{}: weight", q.id);
    }
}

#[test]
fn critical_flags_are_used_but_not_everywhere() {
    let total = bank().questions().count();
    let critical = bank().questions().filter(|q| q.critical).count();
    assert!(critical * 10 >= total, "{critical} of {total} critical");
    assert!(critical * 10 <= total * 4, "{critical} of {total} critical");
}

#[test]
fn ai_risk_questions_carry_every_theme() {
    let themes: BTreeSet<_> = bank()
        .questionnaire(Category::AiRisk)
        .unwrap()
        .questions()
        .flat_map(|q| q.themes.iter().copied())
        .collect();
    assert_eq!(themes.len(), 5, "themes covered: {themes:?}");
}

#[test]
fn answering_no_to_each_scoping_key_hides_questions() {
    let profile = &bank().profile;
    let all_yes: BTreeMap<String, bool> = profile
        .questions
        .iter()
        .map(|q| (q.key.clone(), true))
        .collect();
    let visible_all = bank()
        .questions()
        .filter(|q| q.applies_if.holds(&all_yes))
        .count();
    assert_eq!(visible_all, bank().questions().count());
    for key in profile.questions.iter().map(|q| &q.key) {
        let mut answers = all_yes.clone();
        answers.insert(key.clone(), false);
        let hidden: Vec<&str> = bank()
            .questions()
            .filter(|q| !q.applies_if.holds(&answers))
            .map(|q| q.id.as_str())
            .collect();
        assert!(!hidden.is_empty(), "answering no to {key} hides nothing");
        for id in &hidden {
            let q = bank().question(id).unwrap();
            assert!(
                q.applies_if.keys().contains(&key.as_str()),
                "{id} is hidden by {key} but does not name it"
            );
        }
    }
}

#[test]
fn the_scoping_profile_asks_the_designed_questions() {
    let keys: BTreeSet<&str> = bank()
        .profile
        .questions
        .iter()
        .map(|q| q.key.as_str())
        .collect();
    for key in [
        "personal_data",
        "trains_on_customer_data",
        "third_party_models",
        "shares_with_third_parties",
        "decisions_about_people",
        "generative",
    ] {
        assert!(keys.contains(key), "scoping profile lacks {key}");
    }
    assert_eq!(
        bank().profile.optional_categories,
        [
            Category::Availability,
            Category::ProcessingIntegrity,
            Category::Confidentiality,
            Category::Privacy
        ]
    );
}
