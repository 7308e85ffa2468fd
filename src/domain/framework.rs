//! The vocabulary shared by questionnaires, sessions and reports: trust services categories,
//! lifecycle stages, AI risk themes and the frameworks whose identifiers questions cite.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A SOC 2 Trust Services Criteria category, plus the AI risk themes SOC 2 does not name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Category {
    Security,
    Availability,
    ProcessingIntegrity,
    Confidentiality,
    Privacy,
    AiRisk,
}

impl Category {
    /// Every category in the order screens and reports show them.
    pub const ALL: [Category; 6] = [
        Category::Security,
        Category::Availability,
        Category::ProcessingIntegrity,
        Category::Confidentiality,
        Category::Privacy,
        Category::AiRisk,
    ];

    /// The name a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Category::Security => "Security",
            Category::Availability => "Availability",
            Category::ProcessingIntegrity => "Processing integrity",
            Category::Confidentiality => "Confidentiality",
            Category::Privacy => "Privacy",
            Category::AiRisk => "AI risk",
        }
    }

    /// The identifier used in RON files and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Category::Security => "Security",
            Category::Availability => "Availability",
            Category::ProcessingIntegrity => "ProcessingIntegrity",
            Category::Confidentiality => "Confidentiality",
            Category::Privacy => "Privacy",
            Category::AiRisk => "AiRisk",
        }
    }

    /// Security (the common criteria) and the AI risk themes are always assessed; the other
    /// four categories are chosen per engagement.
    pub fn always_in_scope(self) -> bool {
        matches!(self, Category::Security | Category::AiRisk)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// A stage of the AI data lifecycle, plus cross-cutting governance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Stage {
    Governance,
    Collection,
    Storage,
    Training,
    Sharing,
    Monitoring,
    Disposal,
}

impl Stage {
    /// Every stage in lifecycle order.
    pub const ALL: [Stage; 7] = [
        Stage::Governance,
        Stage::Collection,
        Stage::Storage,
        Stage::Training,
        Stage::Sharing,
        Stage::Monitoring,
        Stage::Disposal,
    ];

    /// The six lifecycle stages, without governance.
    pub const LIFECYCLE: [Stage; 6] = [
        Stage::Collection,
        Stage::Storage,
        Stage::Training,
        Stage::Sharing,
        Stage::Monitoring,
        Stage::Disposal,
    ];

    /// The name a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Stage::Governance => "Governance",
            Stage::Collection => "Collection",
            Stage::Storage => "Storage",
            Stage::Training => "Training",
            Stage::Sharing => "Sharing",
            Stage::Monitoring => "Monitoring",
            Stage::Disposal => "Disposal",
        }
    }

    /// A longer description of what the stage covers.
    pub fn description(self) -> &'static str {
        match self {
            Stage::Governance => "policy, roles, risk assessment and incident response",
            Stage::Collection => "collection and transfer of data",
            Stage::Storage => "storage and processing of data, models and logs",
            Stage::Training => "training, fine-tuning and use of models",
            Stage::Sharing => "sharing data and outputs with others",
            Stage::Monitoring => "monitoring models, data and use",
            Stage::Disposal => "retention, archiving and disposal",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// An AI risk theme that SOC 2 alone does not name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Theme {
    Bias,
    Drift,
    Adversarial,
    Regulatory,
    Explainability,
}

impl Theme {
    /// The name a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Theme::Bias => "Bias and fairness",
            Theme::Drift => "Model and data drift",
            Theme::Adversarial => "Adversarial attacks",
            Theme::Regulatory => "Regulatory gaps",
            Theme::Explainability => "Explainability",
        }
    }
}

/// A framework whose identifiers a question can cite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Framework {
    /// SOC 2 Trust Services Criteria (2017, points of focus revised 2022).
    Tsc,
    /// NIST AI Risk Management Framework 1.0 subcategories.
    NistAiRmf,
    /// ISO/IEC 42001:2023 Annex A controls.
    Iso42001,
    /// OWASP Top 10 for Large Language Model Applications, 2025 edition.
    OwaspLlm,
}

impl Framework {
    /// Every framework, SOC 2 first.
    pub const ALL: [Framework; 4] = [
        Framework::Tsc,
        Framework::NistAiRmf,
        Framework::Iso42001,
        Framework::OwaspLlm,
    ];

    /// The name a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Framework::Tsc => "SOC 2 Trust Services Criteria",
            Framework::NistAiRmf => "NIST AI RMF 1.0",
            Framework::Iso42001 => "ISO/IEC 42001 Annex A",
            Framework::OwaspLlm => "OWASP Top 10 for LLM Applications 2025",
        }
    }

    /// A short name for tables and lists.
    pub fn short(self) -> &'static str {
        match self {
            Framework::Tsc => "SOC 2",
            Framework::NistAiRmf => "NIST AI RMF",
            Framework::Iso42001 => "ISO 42001",
            Framework::OwaspLlm => "OWASP",
        }
    }

    /// The field that holds its identifiers in a question's `maps_to`.
    pub fn field(self) -> &'static str {
        match self {
            Framework::Tsc => "tsc",
            Framework::NistAiRmf => "nist",
            Framework::Iso42001 => "iso",
            Framework::OwaspLlm => "owasp",
        }
    }

    /// What one identifier of this framework is called.
    pub fn noun(self) -> &'static str {
        match self {
            Framework::Tsc => "SOC 2 criterion",
            Framework::NistAiRmf => "NIST AI RMF subcategory",
            Framework::Iso42001 => "ISO/IEC 42001 Annex A control",
            Framework::OwaspLlm => "OWASP Top 10 for LLM Applications (2025) entry",
        }
    }
}

/// One identifier of a framework with our short paraphrase of its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The identifier as written in questionnaires, e.g. `CC6.1`, `MEASURE 2.11`, `A.7.4`.
    pub id: String,
    /// A short title in our own words.
    pub title: String,
    /// The family it belongs to, e.g. `CC6`, `MEASURE`, `A.7`.
    pub family: String,
}

/// The identifiers of every framework; a mapping outside these lists is invalid.
#[derive(Debug, Clone, Default)]
pub struct ReferenceCatalog {
    tsc: Vec<Reference>,
    nist: Vec<Reference>,
    iso: Vec<Reference>,
    owasp: Vec<Reference>,
}

impl ReferenceCatalog {
    /// Builds a catalog from the lists of each framework.
    pub fn new(
        tsc: Vec<Reference>,
        nist: Vec<Reference>,
        iso: Vec<Reference>,
        owasp: Vec<Reference>,
    ) -> Self {
        Self {
            tsc,
            nist,
            iso,
            owasp,
        }
    }

    /// Every identifier of one framework, in reference order.
    pub fn all(&self, framework: Framework) -> &[Reference] {
        match framework {
            Framework::Tsc => &self.tsc,
            Framework::NistAiRmf => &self.nist,
            Framework::Iso42001 => &self.iso,
            Framework::OwaspLlm => &self.owasp,
        }
    }

    /// The entry for an identifier, if the framework has it.
    pub fn get(&self, framework: Framework, id: &str) -> Option<&Reference> {
        self.all(framework).iter().find(|r| r.id == id)
    }

    /// Whether the framework has this identifier.
    pub fn contains(&self, framework: Framework, id: &str) -> bool {
        self.get(framework, id).is_some()
    }
}
