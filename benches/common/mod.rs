//! Generated content for benchmarks: a large question bank spread over every category and stage,
//! citing real reference identifiers, and a session that answers all of it.

#![allow(dead_code)]

use aiready::domain::framework::{Category, Stage, Theme};
use aiready::domain::questionnaire::{
    Condition, Mappings, Question, QuestionBank, Questionnaire, ScopingProfile, ScopingQuestion,
    Section, Thresholds,
};
use aiready::domain::scale::Answer;
use aiready::domain::session::{Mode, Participant, Session, Target};
use jiff::Timestamp;

const TSC: &str = include_str!("../../assets/reference/tsc_ids.txt");
const NIST: &str = include_str!("../../assets/reference/nist_ai_rmf_ids.txt");
const ISO: &str = include_str!("../../assets/reference/iso42001_ids.txt");

/// The identifiers of a reference list, optionally only those of one group.
fn ids(list: &str, group: Option<&str>) -> Vec<String> {
    list.lines()
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let id = cols.next()?.trim();
            let g = cols.nth(1).unwrap_or("").trim();
            (!id.is_empty() && group.is_none_or(|want| want == g)).then(|| id.to_string())
        })
        .collect()
}

const SCOPING_KEYS: [&str; 6] = [
    "personal_data",
    "trains_on_customer_data",
    "third_party_models",
    "shares_with_third_parties",
    "decisions_about_people",
    "generative",
];

/// A valid bank of `questions` questions, spread evenly over every category and every stage,
/// with a realistic mix of weights, critical flags, conditions and text lengths.
pub fn large_bank(questions: usize) -> QuestionBank {
    let nist = ids(NIST, None);
    let iso = ids(ISO, None);
    let cells: Vec<(Category, Stage)> = Category::ALL
        .iter()
        .flat_map(|c| Stage::ALL.iter().map(move |s| (*c, *s)))
        .collect();
    let mut per_cell: Vec<Vec<Question>> = vec![Vec::new(); cells.len()];
    for n in 0..questions {
        let cell = n % cells.len();
        let (category, stage) = cells[cell];
        let group = match category {
            Category::Security | Category::AiRisk => "Security",
            Category::Availability => "Availability",
            Category::ProcessingIntegrity => "Processing Integrity",
            Category::Confidentiality => "Confidentiality",
            Category::Privacy => "Privacy",
        };
        let tsc = ids(TSC, Some(group));
        let applies_if = match n % 7 {
            0 => Condition::Yes(SCOPING_KEYS[n % SCOPING_KEYS.len()].to_string()),
            1 => Condition::Any(vec![
                Condition::Yes("generative".into()),
                Condition::Yes("personal_data".into()),
            ]),
            _ => Condition::Always,
        };
        per_cell[cell].push(Question {
            id: format!("gen-{:02}-{n:05}", cell),
            category,
            stage,
            prompt: format!(
                "Question {n}: is the control for {} during {} documented, owned, in place and evidenced, and has it operated over the review period?",
                category.title(),
                stage.description()
            ),
            guidance: "Why it matters: an auditor samples this control and asks for evidence that it ran all period long. ".repeat(2),
            good_looks_like: "A named owner, a written procedure, tickets or logs for every run, and a yearly review.".into(),
            evidence: vec!["Procedure document".into(), "Run log export".into(), "Review minutes".into()],
            weight: (n % 3) as u8 + 1,
            critical: n % 11 == 0,
            maps_to: Mappings {
                tsc: vec![tsc[n % tsc.len()].clone()],
                nist: vec![nist[n % nist.len()].clone()],
                iso: vec![iso[n % iso.len()].clone()],
                ..Mappings::default()
            },
            remediation: "Name an owner, write the procedure down, keep evidence of each run and review it yearly.".into(),
            applies_if,
            themes: if category == Category::AiRisk { vec![Theme::Drift] } else { Vec::new() },
            audit: None,
            also_in: Vec::new(),
            replaces: Vec::new(),
        });
    }
    let mut questionnaires = Vec::new();
    for category in Category::ALL {
        let sections = cells
            .iter()
            .zip(per_cell.iter())
            .filter(|((c, _), qs)| *c == category && !qs.is_empty())
            .map(|((_, stage), qs)| Section {
                stage: *stage,
                questions: qs.clone(),
            })
            .collect::<Vec<_>>();
        if sections.is_empty() {
            continue;
        }
        questionnaires.push(Questionnaire {
            format: 1,
            id: format!("gen-{}", category.key().to_lowercase()),
            title: category.title().to_string(),
            category,
            version: "1.0.0".into(),
            description: format!("Generated questions for {}.", category.title()),
            sections,
        });
    }
    QuestionBank {
        questionnaires,
        profile: ScopingProfile {
            id: "scoping".into(),
            version: "1.0.0".into(),
            questions: SCOPING_KEYS
                .iter()
                .map(|k| ScopingQuestion {
                    key: (*k).to_string(),
                    prompt: format!("Does {k} apply?"),
                    help: String::new(),
                    default: true,
                })
                .collect(),
            optional_categories: vec![
                Category::Availability,
                Category::ProcessingIntegrity,
                Category::Confidentiality,
                Category::Privacy,
            ],
            thresholds: Thresholds::default(),
        },
        content_hash: format!("generated-{questions}"),
    }
}

/// A workshop session on `bank` in which every question has an answer, and most have notes,
/// evidence, votes and an action, as a long real workshop would leave them.
pub fn answered_session(bank: &QuestionBank) -> Session {
    let t = Timestamp::from_second(1_767_225_600).unwrap_or(Timestamp::UNIX_EPOCH);
    let mut s = Session::new(
        "2026-01-01-large-000001".into(),
        "Large workshop".into(),
        bank,
        t,
    );
    s.organisation = "Acme".into();
    s.system = "Support assistant".into();
    s.target = Target::Type2;
    s.mode = Mode::Workshop;
    s.facilitator = "Fay".into();
    let people = ["Ana", "Ben", "Chi", "Dee"];
    s.participants = people
        .iter()
        .map(|p| Participant {
            name: (*p).to_string(),
            role: "engineer".into(),
        })
        .collect();
    let ids: Vec<(String, Category, Stage)> = bank
        .questions()
        .map(|q| (q.id.clone(), q.category, q.stage))
        .collect();
    for (n, (id, category, stage)) in ids.iter().enumerate() {
        let answer = Answer::ALL[n % Answer::ALL.len()];
        s.set_answer(id, Some(answer), t);
        let r = s.record_mut(id);
        if n % 2 == 0 {
            r.notes = format!(
                "Discussed on day {}; the owner will send the review minutes.",
                n % 5
            );
        }
        if n % 3 == 0 {
            r.action.evidence = vec![format!("TICKET-{n}"), "policy.pdf".into()];
        }
        if n % 4 == 0 {
            r.action.owner = "Ben".into();
            r.action.due = Some(jiff::civil::date(2027, 1, 1 + (n % 28) as i8));
        }
        r.discuss_later = n % 13 == 0;
        for (i, p) in people.iter().enumerate() {
            r.votes
                .insert((*p).to_string(), Answer::LEVELS[(n + i) % 5]);
        }
        s.add_time(*category, *stage, 45);
    }
    s
}
