//! The RON files as written, before validation. Unknown fields are rejected so that a typo
//! never silently drops content.

use crate::domain::framework::{Category, Stage, Theme};
use crate::domain::questionnaire::{Condition, Thresholds};
use serde::Deserialize;

/// A questionnaire file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Questionnaire")]
pub struct RawQuestionnaire {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub version: String,
    pub description: String,
    pub sections: Vec<RawSection>,
}

/// One section of a questionnaire file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Section")]
pub struct RawSection {
    pub stage: Stage,
    pub questions: Vec<RawQuestion>,
}

/// One question as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Question")]
pub struct RawQuestion {
    pub id: String,
    pub prompt: String,
    pub guidance: String,
    pub good_looks_like: String,
    pub evidence: Vec<String>,
    pub weight: u8,
    pub critical: bool,
    pub maps_to: RawMappings,
    pub remediation: String,
    #[serde(default)]
    pub applies_if: Condition,
    #[serde(default)]
    pub themes: Vec<Theme>,
}

/// The framework identifiers of a question as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMappings {
    pub tsc: Vec<String>,
    #[serde(default)]
    pub nist: Vec<String>,
    #[serde(default)]
    pub iso: Vec<String>,
}

/// The scoping profile file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "ScopingProfile")]
pub struct RawScopingProfile {
    pub id: String,
    pub version: String,
    pub questions: Vec<RawScopingQuestion>,
    pub optional_categories: Vec<Category>,
    pub thresholds: Thresholds,
}

/// One yes/no scoping question as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "ScopingQuestion")]
pub struct RawScopingQuestion {
    pub key: String,
    pub prompt: String,
    pub help: String,
    pub default: bool,
}
