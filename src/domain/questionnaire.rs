//! Questionnaires, their questions and the scoping profile, once validated.

use super::framework::{Category, Framework, Stage, Theme};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The newest content format this program reads; files without a `format` field are format 1.
pub const LATEST_FORMAT: u8 = 2;

/// The identifiers a question cites in each framework. When the content names a primary
/// identifier for a framework, it comes first in that framework's list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mappings {
    /// SOC 2 Trust Services Criteria; at least one.
    pub tsc: Vec<String>,
    /// NIST AI RMF subcategories.
    #[serde(default)]
    pub nist: Vec<String>,
    /// ISO/IEC 42001 Annex A controls.
    #[serde(default)]
    pub iso: Vec<String>,
    /// OWASP Top 10 for LLM Applications (2025) entries.
    #[serde(default)]
    pub owasp: Vec<String>,
    /// The primary identifier of each framework the question cites, with the reason; format 1
    /// content names none.
    #[serde(default)]
    pub primary: Vec<Primary>,
}

/// The identifier an auditor would test a question under, in one framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Primary {
    /// The framework.
    pub framework: Framework,
    /// The identifier, also first in the framework's list.
    pub id: String,
    /// Why this identifier, in one line.
    pub why: String,
}

impl Mappings {
    /// The identifiers cited for one framework, the primary one first.
    pub fn for_framework(&self, framework: Framework) -> &[String] {
        match framework {
            Framework::Tsc => &self.tsc,
            Framework::NistAiRmf => &self.nist,
            Framework::Iso42001 => &self.iso,
            Framework::OwaspLlm => &self.owasp,
        }
    }

    /// The primary identifier of one framework, if the content names one.
    pub fn primary(&self, framework: Framework) -> Option<&Primary> {
        self.primary.iter().find(|p| p.framework == framework)
    }

    /// The identifiers of one framework other than its primary one.
    pub fn secondary(&self, framework: Framework) -> &[String] {
        let all = self.for_framework(framework);
        match self.primary(framework) {
            Some(_) => all.get(1..).unwrap_or_default(),
            None => all,
        }
    }
}

/// How often a control runs, which sets the population an auditor samples in a Type 2 period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Frequency {
    /// Always on: a configuration or an automated check that runs on every request.
    Continuous,
    /// Each time an event or a change happens (a new hire, a model release, an incident).
    PerEvent,
    /// Once a day.
    Daily,
    /// Once a week.
    Weekly,
    /// Once a month.
    Monthly,
    /// Once a quarter.
    Quarterly,
    /// Once a year.
    Yearly,
}

impl Frequency {
    /// Every frequency, most frequent first.
    pub const ALL: [Frequency; 7] = [
        Frequency::Continuous,
        Frequency::PerEvent,
        Frequency::Daily,
        Frequency::Weekly,
        Frequency::Monthly,
        Frequency::Quarterly,
        Frequency::Yearly,
    ];

    /// The name a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Frequency::Continuous => "continuous",
            Frequency::PerEvent => "per event or change",
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::Yearly => "yearly",
        }
    }
}

/// How an auditor tests a control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TestMethod {
    /// Asking the people who run the control.
    Inquiry,
    /// Reading documents, records, configurations and logs.
    Inspection,
    /// Watching the control being performed.
    Observation,
    /// Running the control again and comparing the result.
    Reperformance,
}

impl TestMethod {
    /// The name a person reads.
    pub fn title(self) -> &'static str {
        match self {
            TestMethod::Inquiry => "inquiry",
            TestMethod::Inspection => "inspection",
            TestMethod::Observation => "observation",
            TestMethod::Reperformance => "re-performance",
        }
    }
}

/// What an auditor looks at to test a question's control; every format 2 question has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditGuide {
    /// What must exist and be inspectable on the day: the design and its implementation.
    pub type1_evidence: String,
    /// The population and the sample an auditor draws over the observation period.
    pub type2_evidence: String,
    /// How often the control runs.
    pub frequency: Frequency,
    /// How an auditor tests it.
    pub tested_by: Vec<TestMethod>,
    /// The exception auditors most often find.
    pub typical_exception: String,
}

impl AuditGuide {
    /// The test methods as one phrase, e.g. "inquiry, inspection and re-performance".
    pub fn tested_by_text(&self) -> String {
        let names: Vec<&str> = self.tested_by.iter().map(|m| m.title()).collect();
        match names.split_last() {
            None => String::new(),
            Some((last, [])) => (*last).to_string(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        }
    }
}

/// When a question applies, in terms of the scoping profile's yes/no answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Condition {
    /// Always applies (the default).
    #[default]
    Always,
    /// Applies when the scoping key was answered yes.
    Yes(String),
    /// Applies when the scoping key was answered no.
    No(String),
    /// Applies when every inner condition holds.
    All(Vec<Condition>),
    /// Applies when at least one inner condition holds.
    Any(Vec<Condition>),
}

impl Condition {
    /// Whether the condition holds for these scoping answers. A key with no answer counts as
    /// the profile default, which the caller resolves before calling.
    pub fn holds(&self, answers: &BTreeMap<String, bool>) -> bool {
        match self {
            Condition::Always => true,
            Condition::Yes(key) => answers.get(key).copied().unwrap_or(true),
            Condition::No(key) => !answers.get(key).copied().unwrap_or(true),
            Condition::All(inner) => inner.iter().all(|c| c.holds(answers)),
            Condition::Any(inner) => inner.iter().any(|c| c.holds(answers)),
        }
    }

    /// Every scoping key the condition names.
    pub fn keys(&self) -> Vec<&str> {
        match self {
            Condition::Always => Vec::new(),
            Condition::Yes(key) | Condition::No(key) => vec![key.as_str()],
            Condition::All(inner) | Condition::Any(inner) => {
                inner.iter().flat_map(|c| c.keys()).collect()
            }
        }
    }
}

/// One rated question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable identifier, unique across the whole set; sessions key answers by it.
    pub id: String,
    /// The category of the questionnaire it belongs to.
    pub category: Category,
    /// The lifecycle stage of its section.
    pub stage: Stage,
    /// What the room is asked, answerable on the readiness scale.
    pub prompt: String,
    /// Why it matters for an AI system.
    pub guidance: String,
    /// What an auditor would accept.
    pub good_looks_like: String,
    /// Examples of evidence.
    pub evidence: Vec<String>,
    /// 1 (normal) to 3 (heavy).
    pub weight: u8,
    /// A gap here would likely lead to a qualified opinion.
    pub critical: bool,
    /// Framework identifiers it maps to.
    pub maps_to: Mappings,
    /// Concrete first steps to close a gap.
    pub remediation: String,
    /// When it applies, per the scoping profile.
    pub applies_if: Condition,
    /// AI risk themes it addresses.
    pub themes: Vec<Theme>,
    /// What an auditor tests; None for format 1 content.
    pub audit: Option<AuditGuide>,
    /// Other categories it belongs to: asked once, counted in each of their scores.
    pub also_in: Vec<Category>,
    /// Ids of retired questions it replaces; answers kept under them are reported with it.
    pub replaces: Vec<String>,
}

impl Question {
    /// Every category it belongs to: its questionnaire's first, then the shared ones.
    pub fn categories(&self) -> impl Iterator<Item = Category> + '_ {
        std::iter::once(self.category).chain(self.also_in.iter().copied())
    }

    /// Whether it belongs to a category, as its own or as a shared question.
    pub fn belongs_to(&self, category: Category) -> bool {
        self.category == category || self.also_in.contains(&category)
    }

    /// Whether it belongs to more than one category.
    pub fn is_shared(&self) -> bool {
        !self.also_in.is_empty()
    }
}

/// The questions of one lifecycle stage within a questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// The stage; each stage appears at most once per questionnaire.
    pub stage: Stage,
    /// Its questions in the order they are asked.
    pub questions: Vec<Question>,
}

/// One questionnaire: all questions of one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Questionnaire {
    /// Content format of its file: 1 (no `format` field) or 2.
    pub format: u8,
    /// Stable identifier, unique across the set.
    pub id: String,
    /// The title shown to people.
    pub title: String,
    /// The category it assesses; one questionnaire per category.
    pub category: Category,
    /// Content version, recorded in sessions.
    pub version: String,
    /// What it covers.
    pub description: String,
    /// Sections in lifecycle order.
    pub sections: Vec<Section>,
}

impl Questionnaire {
    /// Every question, section by section.
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.sections.iter().flat_map(|s| s.questions.iter())
    }

    /// How many questions it has.
    pub fn question_count(&self) -> usize {
        self.sections.iter().map(|s| s.questions.len()).sum()
    }
}

/// One yes/no question of the scoping profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopingQuestion {
    /// The key conditions refer to, e.g. `personal_data`.
    pub key: String,
    /// The question asked at session start.
    pub prompt: String,
    /// What answering yes means, and what answering no hides.
    pub help: String,
    /// The answer assumed until someone answers.
    pub default: bool,
}

/// The score and critical-question levels a category needs for one verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerdictRule {
    /// Minimum category score, 0-100.
    pub min_score: u8,
    /// Minimum level of every applicable critical question, 0-4.
    pub critical_min_level: u8,
}

/// Scoring thresholds; they live in the content so that a custom set can change them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Points per level: a level-4 answer scores `4 * points_per_level` (100 with the default 25).
    pub points_per_level: u8,
    /// What Type 1 readiness requires.
    pub type1: VerdictRule,
    /// What Type 2 readiness requires.
    pub type2: VerdictRule,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            points_per_level: 25,
            type1: VerdictRule {
                min_score: 70,
                critical_min_level: 3,
            },
            type2: VerdictRule {
                min_score: 85,
                critical_min_level: 4,
            },
        }
    }
}

/// The questions asked at session start that decide which questions apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopingProfile {
    /// Stable identifier.
    pub id: String,
    /// Content version.
    pub version: String,
    /// The yes/no questions.
    pub questions: Vec<ScopingQuestion>,
    /// Categories a session may leave out of scope (Security and AI risk always count).
    pub optional_categories: Vec<Category>,
    /// Scoring thresholds.
    pub thresholds: Thresholds,
}

impl ScopingProfile {
    /// The categories a new session assesses: every optional one plus those always in scope.
    pub fn default_categories(&self) -> BTreeSet<Category> {
        let mut categories: BTreeSet<Category> = self.optional_categories.iter().copied().collect();
        categories.extend(
            Category::ALL
                .iter()
                .copied()
                .filter(|c| c.always_in_scope()),
        );
        categories
    }

    /// The profile's default answers, keyed by scoping key.
    pub fn default_answers(&self) -> BTreeMap<String, bool> {
        self.questions
            .iter()
            .map(|q| (q.key.clone(), q.default))
            .collect()
    }
}

/// The content version of one questionnaire, as recorded in a session.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct QuestionnaireVersion {
    /// Questionnaire id.
    pub id: String,
    /// Its version string.
    pub version: String,
}

/// Where a question is written in a bank: questionnaire, section and position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuestionAt {
    /// Index of its questionnaire in [`QuestionBank::questionnaires`].
    pub questionnaire: usize,
    /// Index of its section in the questionnaire.
    pub section: usize,
    /// Index of the question in the section.
    pub index: usize,
}

/// A question as one category asks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member<'b> {
    /// The question.
    pub question: &'b Question,
    /// Where it is written.
    pub at: QuestionAt,
    /// It is written in another category's questionnaire and shared with this one.
    pub shared: bool,
}

/// The questions one category asks at one stage, its own first, then the shared ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategorySection<'b> {
    /// The stage.
    pub stage: Stage,
    /// Its questions in the order they are asked.
    pub members: Vec<Member<'b>>,
}

/// A complete, validated set of questionnaires with its scoping profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionBank {
    /// Questionnaires in category order.
    pub questionnaires: Vec<Questionnaire>,
    /// The scoping profile.
    pub profile: ScopingProfile,
    /// SHA-256 (hex) of the source files, recorded in sessions to tell content changes apart.
    pub content_hash: String,
}

impl QuestionBank {
    /// Every question of every questionnaire, in order.
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.questionnaires.iter().flat_map(|q| q.questions())
    }

    /// The question with this id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions().find(|q| q.id == id)
    }

    /// The questionnaire for a category.
    pub fn questionnaire(&self, category: Category) -> Option<&Questionnaire> {
        self.questionnaires.iter().find(|q| q.category == category)
    }

    /// The questions a category asks, section by section: the sections of its questionnaire in
    /// their order with its own questions first, then the questions other questionnaires share
    /// with it at the same stage; a stage only shared questions have gets its own section, placed
    /// in lifecycle order. A category the bank has no questionnaire for asks nothing, even if
    /// questions name it. Scoring and navigation both read categories through this.
    pub fn category_sections(&self, category: Category) -> Vec<CategorySection<'_>> {
        let mut sections: Vec<CategorySection<'_>> = Vec::new();
        if self.questionnaire(category).is_none() {
            return sections;
        }
        for (qi, questionnaire) in self.questionnaires.iter().enumerate() {
            if questionnaire.category != category {
                continue;
            }
            for (si, section) in questionnaire.sections.iter().enumerate() {
                let members = section.questions.iter().enumerate().map(|(i, question)| {
                    let at = QuestionAt {
                        questionnaire: qi,
                        section: si,
                        index: i,
                    };
                    Member {
                        question,
                        at,
                        shared: false,
                    }
                });
                match sections.iter_mut().find(|s| s.stage == section.stage) {
                    Some(existing) => existing.members.extend(members),
                    None => sections.push(CategorySection {
                        stage: section.stage,
                        members: members.collect(),
                    }),
                }
            }
        }
        for (qi, questionnaire) in self.questionnaires.iter().enumerate() {
            if questionnaire.category == category {
                continue;
            }
            for (si, section) in questionnaire.sections.iter().enumerate() {
                for (i, question) in section.questions.iter().enumerate() {
                    if !question.also_in.contains(&category) {
                        continue;
                    }
                    let member = Member {
                        question,
                        at: QuestionAt {
                            questionnaire: qi,
                            section: si,
                            index: i,
                        },
                        shared: true,
                    };
                    if let Some(existing) = sections.iter_mut().find(|s| s.stage == section.stage) {
                        existing.members.push(member);
                    } else {
                        let place = sections
                            .iter()
                            .position(|s| s.stage > section.stage)
                            .unwrap_or(sections.len());
                        sections.insert(
                            place,
                            CategorySection {
                                stage: section.stage,
                                members: vec![member],
                            },
                        );
                    }
                }
            }
        }
        sections
    }

    /// The questions that replace a retired question id, in bank order.
    pub fn replacements_of(&self, retired_id: &str) -> Vec<&Question> {
        self.questions()
            .filter(|q| q.replaces.iter().any(|r| r == retired_id))
            .collect()
    }

    /// Ids and versions of the questionnaires, for a session to record.
    pub fn versions(&self) -> Vec<QuestionnaireVersion> {
        let mut versions: Vec<QuestionnaireVersion> = self
            .questionnaires
            .iter()
            .map(|q| QuestionnaireVersion {
                id: q.id.clone(),
                version: q.version.clone(),
            })
            .collect();
        versions.push(QuestionnaireVersion {
            id: self.profile.id.clone(),
            version: self.profile.version.clone(),
        });
        versions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(id: &str, category: Category, stage: Stage, also_in: &[Category]) -> Question {
        Question {
            id: id.to_string(),
            category,
            stage,
            prompt: format!("{id}?"),
            guidance: String::new(),
            good_looks_like: String::new(),
            evidence: Vec::new(),
            weight: 1,
            critical: false,
            maps_to: Mappings::default(),
            remediation: String::new(),
            applies_if: Condition::Always,
            themes: Vec::new(),
            audit: None,
            also_in: also_in.to_vec(),
            replaces: Vec::new(),
        }
    }

    fn questionnaire(category: Category, sections: Vec<(Stage, Vec<Question>)>) -> Questionnaire {
        Questionnaire {
            format: 2,
            id: category.key().to_lowercase(),
            title: category.title().into(),
            category,
            version: "1".into(),
            description: String::new(),
            sections: sections
                .into_iter()
                .map(|(stage, questions)| Section { stage, questions })
                .collect(),
        }
    }

    fn shared_bank() -> QuestionBank {
        use Category::{Confidentiality, Privacy, Security};
        QuestionBank {
            questionnaires: vec![
                questionnaire(
                    Security,
                    vec![
                        (
                            Stage::Governance,
                            vec![question("s1", Security, Stage::Governance, &[])],
                        ),
                        (
                            Stage::Disposal,
                            vec![question("s2", Security, Stage::Disposal, &[])],
                        ),
                    ],
                ),
                questionnaire(
                    Confidentiality,
                    vec![(
                        Stage::Disposal,
                        vec![question("c1", Confidentiality, Stage::Disposal, &[])],
                    )],
                ),
                questionnaire(
                    Privacy,
                    vec![
                        (
                            Stage::Storage,
                            vec![question("p1", Privacy, Stage::Storage, &[Security])],
                        ),
                        (
                            Stage::Disposal,
                            vec![
                                question(
                                    "p2",
                                    Privacy,
                                    Stage::Disposal,
                                    &[Security, Confidentiality],
                                ),
                                question("p3", Privacy, Stage::Disposal, &[]),
                            ],
                        ),
                    ],
                ),
            ],
            profile: ScopingProfile {
                id: "scoping".into(),
                version: "1".into(),
                questions: Vec::new(),
                optional_categories: Vec::new(),
                thresholds: Thresholds::default(),
            },
            content_hash: String::new(),
        }
    }

    fn layout(bank: &QuestionBank, category: Category) -> Vec<(Stage, Vec<(&str, bool)>)> {
        bank.category_sections(category)
            .into_iter()
            .map(|s| {
                let ids = s
                    .members
                    .iter()
                    .map(|m| (m.question.id.as_str(), m.shared))
                    .collect();
                (s.stage, ids)
            })
            .collect()
    }

    #[test]
    fn shared_questions_join_each_category_they_belong_to() {
        let bank = shared_bank();
        assert_eq!(
            layout(&bank, Category::Security),
            [
                (Stage::Governance, vec![("s1", false)]),
                (Stage::Storage, vec![("p1", true)]),
                (Stage::Disposal, vec![("s2", false), ("p2", true)]),
            ]
        );
        assert_eq!(
            layout(&bank, Category::Confidentiality),
            [(Stage::Disposal, vec![("c1", false), ("p2", true)])]
        );
        assert_eq!(
            layout(&bank, Category::Privacy),
            [
                (Stage::Storage, vec![("p1", false)]),
                (Stage::Disposal, vec![("p2", false), ("p3", false)]),
            ]
        );
        assert!(layout(&bank, Category::AiRisk).is_empty());
        // Without its questionnaire a category asks nothing, shared questions included.
        let mut without_privacy = bank.clone();
        without_privacy.questionnaires.remove(2);
        assert!(layout(&without_privacy, Category::Privacy).is_empty());
        let mut without_security = bank.clone();
        without_security.questionnaires.remove(0);
        assert!(layout(&without_security, Category::Security).is_empty());
        // Positions point at where each question is written.
        let security = bank.category_sections(Category::Security);
        let p2 = security[2].members[1];
        assert_eq!(
            p2.at,
            QuestionAt {
                questionnaire: 2,
                section: 1,
                index: 0
            }
        );
    }

    #[test]
    fn replacements_are_found_by_retired_id() {
        let mut bank = shared_bank();
        bank.questionnaires[2].sections[1].questions[0].replaces =
            vec!["old-1".into(), "old-2".into()];
        bank.questionnaires[2].sections[1].questions[1].replaces = vec!["old-2".into()];
        let ids = |old: &str| -> Vec<String> {
            bank.replacements_of(old)
                .iter()
                .map(|q| q.id.clone())
                .collect()
        };
        assert_eq!(ids("old-1"), ["p2"]);
        assert_eq!(ids("old-2"), ["p2", "p3"]);
        assert!(ids("s1").is_empty());
    }

    #[test]
    fn primary_comes_first_and_secondaries_follow() {
        let m = Mappings {
            tsc: vec!["CC8.1".into(), "PI1.2".into()],
            nist: vec!["MAP 2.3".into()],
            primary: vec![Primary {
                framework: Framework::Tsc,
                id: "CC8.1".into(),
                why: "change".into(),
            }],
            ..Mappings::default()
        };
        assert_eq!(
            m.primary(Framework::Tsc).map(|p| p.id.as_str()),
            Some("CC8.1")
        );
        assert_eq!(m.secondary(Framework::Tsc), ["PI1.2"]);
        // Without a named primary every identifier is secondary.
        assert_eq!(m.secondary(Framework::NistAiRmf), ["MAP 2.3"]);
        assert!(m.secondary(Framework::OwaspLlm).is_empty());
    }

    #[test]
    fn test_methods_read_as_a_phrase() {
        let mut guide = AuditGuide {
            type1_evidence: String::new(),
            type2_evidence: String::new(),
            frequency: Frequency::Yearly,
            tested_by: vec![TestMethod::Inspection],
            typical_exception: String::new(),
        };
        assert_eq!(guide.tested_by_text(), "inspection");
        guide.tested_by = vec![
            TestMethod::Inquiry,
            TestMethod::Inspection,
            TestMethod::Reperformance,
        ];
        assert_eq!(
            guide.tested_by_text(),
            "inquiry, inspection and re-performance"
        );
    }

    #[test]
    fn conditions_follow_scoping_answers() {
        let mut answers = BTreeMap::new();
        answers.insert("personal_data".to_string(), false);
        answers.insert("generative".to_string(), true);
        assert!(Condition::Always.holds(&answers));
        assert!(!Condition::Yes("personal_data".into()).holds(&answers));
        assert!(Condition::No("personal_data".into()).holds(&answers));
        let any = Condition::Any(vec![
            Condition::Yes("personal_data".into()),
            Condition::Yes("generative".into()),
        ]);
        assert!(any.holds(&answers));
        let all = Condition::All(vec![
            Condition::Yes("personal_data".into()),
            Condition::Yes("generative".into()),
        ]);
        assert!(!all.holds(&answers));
        assert_eq!(all.keys(), vec!["personal_data", "generative"]);
    }
}
