//! Questionnaires, their questions and the scoping profile, once validated.

use super::framework::{Category, Framework, Stage, Theme};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The identifiers a question cites in each framework.
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
}

impl Mappings {
    /// The identifiers cited for one framework.
    pub fn for_framework(&self, framework: Framework) -> &[String] {
        match framework {
            Framework::Tsc => &self.tsc,
            Framework::NistAiRmf => &self.nist,
            Framework::Iso42001 => &self.iso,
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

/// A complete, validated set of questionnaires with its scoping profile.
#[derive(Debug, Clone)]
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
