//! The RON files as written, before validation. Unknown fields are rejected so that a typo
//! never silently drops content. Fields that format 2 added are optional here; validation
//! requires them in format 2 files and refuses them in format 1 files, each at its location.

use crate::domain::framework::{Category, Framework, Stage, Theme};
use crate::domain::questionnaire::{Condition, Frequency, TestMethod, Thresholds};
use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// How content files are read: optional fields are written as plain values, without `Some(...)`.
pub fn options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// A questionnaire file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Questionnaire")]
pub struct RawQuestionnaire {
    /// Content format; files written before formats were numbered have none and are format 1.
    #[serde(default)]
    pub format: Option<u32>,
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
    #[serde(default)]
    pub type1_evidence: Option<String>,
    #[serde(default)]
    pub type2_evidence: Option<String>,
    #[serde(default)]
    pub frequency: Option<Frequency>,
    #[serde(default)]
    pub tested_by: Option<Vec<TestMethod>>,
    #[serde(default)]
    pub typical_exception: Option<String>,
    pub weight: u8,
    pub critical: bool,
    pub maps_to: RawMappings,
    pub remediation: String,
    #[serde(default)]
    pub applies_if: Condition,
    #[serde(default)]
    pub themes: Vec<Theme>,
    #[serde(default)]
    pub also_in: Option<Vec<Category>>,
    #[serde(default)]
    pub replaces: Option<Vec<String>>,
}

/// The framework identifiers of a question as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMappings {
    pub tsc: RawCitations,
    #[serde(default)]
    pub nist: Option<RawCitations>,
    #[serde(default)]
    pub iso: Option<RawCitations>,
    #[serde(default)]
    pub owasp: Option<RawCitations>,
}

impl RawMappings {
    /// The citations of each framework, in framework order; None where a framework is not cited.
    pub fn by_framework(&self) -> [(Framework, Option<&RawCitations>); 4] {
        [
            (Framework::Tsc, Some(&self.tsc)),
            (Framework::NistAiRmf, self.nist.as_ref()),
            (Framework::Iso42001, self.iso.as_ref()),
            (Framework::OwaspLlm, self.owasp.as_ref()),
        ]
    }
}

/// The identifiers of one framework: a plain list (format 1), or a primary identifier with the
/// reason for it and optional secondary ones (format 2).
#[derive(Debug)]
pub enum RawCitations {
    /// `["CC8.1", "PI1.2"]`
    List(Vec<String>),
    /// `(primary: "CC8.1", why: "...", secondary: ["PI1.2"])`
    Cited(RawCitation),
}

/// A primary identifier with its reason, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCitation {
    pub primary: String,
    pub why: String,
    #[serde(default)]
    pub secondary: Vec<String>,
}

impl RawCitations {
    /// Every identifier, the primary one first.
    pub fn ids(&self) -> Vec<&str> {
        match self {
            RawCitations::List(ids) => ids.iter().map(String::as_str).collect(),
            RawCitations::Cited(c) => std::iter::once(c.primary.as_str())
                .chain(c.secondary.iter().map(String::as_str))
                .collect(),
        }
    }
}

/// Either form is read by what the text holds: a list or a parenthesised struct. The struct
/// is read by its derived implementation, so unknown and missing fields keep their messages.
impl<'de> Deserialize<'de> for RawCitations {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> Visitor<'de> for Either {
            type Value = RawCitations;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of identifiers or (primary: \"...\", why: \"...\")")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::<String>::deserialize(SeqAccessDeserializer::new(seq)).map(RawCitations::List)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                RawCitation::deserialize(MapAccessDeserializer::new(map)).map(RawCitations::Cited)
            }
        }
        deserializer.deserialize_any(Either)
    }
}

/// The scoping profile file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "ScopingProfile")]
pub struct RawScopingProfile {
    /// Content format, as in questionnaire files.
    #[serde(default)]
    pub format: Option<u32>,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn mappings(text: &str) -> Result<RawMappings, ron::error::SpannedError> {
        options().from_str::<RawMappings>(text)
    }

    #[test]
    fn citations_read_as_a_list_or_a_primary() {
        let m =
            mappings(r#"(tsc: ["CC8.1", "PI1.2"], nist: (primary: "MAP 2.3", why: "w"))"#).unwrap();
        assert_eq!(m.tsc.ids(), ["CC8.1", "PI1.2"]);
        assert!(matches!(m.tsc, RawCitations::List(_)));
        let Some(RawCitations::Cited(nist)) = &m.nist else {
            panic!("expected a primary citation: {m:?}");
        };
        assert_eq!((nist.primary.as_str(), nist.why.as_str()), ("MAP 2.3", "w"));
        assert!(nist.secondary.is_empty());
        let m = mappings(r#"(tsc: (primary: "CC8.1", why: "w", secondary: ["PI1.2"]))"#).unwrap();
        assert_eq!(m.tsc.ids(), ["CC8.1", "PI1.2"]);
    }

    #[test]
    fn a_citation_keeps_the_messages_of_a_struct() {
        let err = mappings(r#"(tsc: (primary: "CC8.1", because: "w"))"#).unwrap_err();
        assert!(
            matches!(&err.code, ron::Error::NoSuchStructField { found, .. } if found == "because"),
            "{err:?}"
        );
        let err = mappings(r#"(tsc: (primary: "CC8.1"))"#).unwrap_err();
        assert!(
            matches!(&err.code, ron::Error::MissingStructField { field, .. } if *field == "why"),
            "{err:?}"
        );
    }
}
