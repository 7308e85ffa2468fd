//! How much of each framework a question bank cites, and how its questions spread over
//! categories and stages.

use super::framework::{Category, Framework, Reference, ReferenceCatalog, Stage};
use super::questionnaire::QuestionBank;
use std::collections::{BTreeMap, BTreeSet};

/// Coverage of one framework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameworkCoverage {
    /// The framework.
    pub framework: Framework,
    /// How many of its identifiers some question cites.
    pub cited: usize,
    /// How many identifiers it has.
    pub total: usize,
    /// The identifiers nobody cites, grouped by family in reference order.
    pub uncited: Vec<(String, Vec<Reference>)>,
}

/// Coverage of a whole bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// One entry per framework, SOC 2 first.
    pub frameworks: Vec<FrameworkCoverage>,
    /// Question counts per category and stage.
    pub questions: BTreeMap<(Category, Stage), usize>,
}

impl Coverage {
    /// Measures a bank against the reference catalog.
    pub fn of(bank: &QuestionBank, catalog: &ReferenceCatalog) -> Coverage {
        let frameworks = Framework::ALL
            .iter()
            .map(|&framework| {
                let cited: BTreeSet<&str> = bank
                    .questions()
                    .flat_map(|q| q.maps_to.for_framework(framework))
                    .map(String::as_str)
                    .collect();
                let all = catalog.all(framework);
                let mut uncited: Vec<(String, Vec<Reference>)> = Vec::new();
                for reference in all.iter().filter(|r| !cited.contains(r.id.as_str())) {
                    match uncited.last_mut() {
                        Some((family, list)) if *family == reference.family => {
                            list.push(reference.clone());
                        }
                        _ => uncited.push((reference.family.clone(), vec![reference.clone()])),
                    }
                }
                FrameworkCoverage {
                    framework,
                    cited: all.iter().filter(|r| cited.contains(r.id.as_str())).count(),
                    total: all.len(),
                    uncited,
                }
            })
            .collect();
        let mut questions = BTreeMap::new();
        for q in bank.questions() {
            *questions.entry((q.category, q.stage)).or_insert(0) += 1;
        }
        Coverage {
            frameworks,
            questions,
        }
    }

    /// The coverage of one framework.
    pub fn framework(&self, framework: Framework) -> Option<&FrameworkCoverage> {
        self.frameworks.iter().find(|f| f.framework == framework)
    }

    /// Questions in one category and stage.
    pub fn count(&self, category: Category, stage: Stage) -> usize {
        self.questions.get(&(category, stage)).copied().unwrap_or(0)
    }
}
