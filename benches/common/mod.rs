//! A generated question bank of any size, for benchmarks: every category and stage, with
//! prompts and guidance as long as the built-in ones.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use aiready::content;
use aiready::domain::framework::{Category, Stage};
use aiready::domain::questionnaire::{
    Condition, Mappings, Question, QuestionBank, Questionnaire, Section,
};

/// A bank of `total` questions spread evenly over six categories and seven stages.
pub fn generated_bank(total: usize) -> QuestionBank {
    let builtin = content::builtin().unwrap();
    let per_section = total.div_ceil(Category::ALL.len() * Stage::ALL.len());
    let mut made = 0;
    let mut questionnaires = Vec::new();
    for category in Category::ALL {
        let mut sections = Vec::new();
        for stage in Stage::ALL {
            let mut questions = Vec::new();
            for i in 0..per_section {
                if made == total {
                    break;
                }
                made += 1;
                questions.push(Question {
                    id: format!("{}-{}-{i:04}", category.key().to_lowercase(), stage.title().to_lowercase()),
                    category,
                    stage,
                    prompt: format!(
                        "Is control number {i} for {} during {} documented, owned, evidenced and reviewed at least once a year by someone independent of the team that runs it?",
                        category.title(),
                        stage.description()
                    ),
                    guidance: "Auditors look for a control that is written down, has a named owner and leaves evidence each time it runs; without all three a Type 2 period cannot be tested.".repeat(2),
                    good_looks_like: "A versioned procedure with an owner, tickets or logs showing each run during the period, and a yearly review signed off by management.".into(),
                    evidence: vec![
                        "Procedure document with version history".into(),
                        "Tickets or logs of each run".into(),
                        "Minutes of the yearly review".into(),
                    ],
                    weight: 1 + (i % 3) as u8,
                    critical: i % 7 == 0,
                    maps_to: Mappings {
                        tsc: vec!["CC6.1".into(), "CC7.2".into()],
                        nist: vec!["GOVERN 1.2".into()],
                        iso: vec!["A.2.2".into()],
                    },
                    remediation: "Write the procedure, name an owner, and keep the evidence of every run in one place.".into(),
                    applies_if: Condition::Always,
                    themes: Vec::new(),
                });
            }
            if !questions.is_empty() {
                sections.push(Section { stage, questions });
            }
        }
        questionnaires.push(Questionnaire {
            id: category.key().to_lowercase(),
            title: category.title().into(),
            category,
            version: "1.0.0".into(),
            description: String::new(),
            sections,
        });
    }
    QuestionBank {
        questionnaires,
        profile: builtin.profile.clone(),
        content_hash: "generated".into(),
    }
}
