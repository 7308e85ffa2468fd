//! How much of each framework a question bank cites, and how its questions spread over
//! categories and stages.

use super::framework::{Category, Framework, Reference, ReferenceCatalog, Stage};
use super::questionnaire::QuestionBank;
use std::collections::BTreeMap;

/// How often one identifier is cited, as the primary identifier of a question and otherwise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Citations {
    /// Questions citing it as their primary identifier for the framework.
    pub primary: usize,
    /// Questions citing it as a secondary identifier (or in format 1 content, which names no
    /// primary).
    pub secondary: usize,
}

impl Citations {
    /// Every citation.
    pub fn total(&self) -> usize {
        self.primary + self.secondary
    }
}

/// Coverage of one framework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameworkCoverage {
    /// The framework.
    pub framework: Framework,
    /// How many of its identifiers some question cites.
    pub cited: usize,
    /// How many of its identifiers some question cites as its primary one.
    pub cited_as_primary: usize,
    /// How many identifiers it has.
    pub total: usize,
    /// Primary and secondary citations over every question.
    pub citations: Citations,
    /// Citations per identifier, in reference order; identifiers nobody cites are left out.
    pub by_id: Vec<(Reference, Citations)>,
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
                let mut counts: BTreeMap<&str, Citations> = BTreeMap::new();
                for q in bank.questions() {
                    let primary = q.maps_to.primary(framework).map(|p| p.id.as_str());
                    if let Some(id) = primary {
                        counts.entry(id).or_default().primary += 1;
                    }
                    for id in q.maps_to.secondary(framework) {
                        counts.entry(id.as_str()).or_default().secondary += 1;
                    }
                }
                let all = catalog.all(framework);
                let mut uncited: Vec<(String, Vec<Reference>)> = Vec::new();
                for reference in all.iter().filter(|r| !counts.contains_key(r.id.as_str())) {
                    match uncited.last_mut() {
                        Some((family, list)) if *family == reference.family => {
                            list.push(reference.clone());
                        }
                        _ => uncited.push((reference.family.clone(), vec![reference.clone()])),
                    }
                }
                let by_id: Vec<(Reference, Citations)> = all
                    .iter()
                    .filter_map(|r| counts.get(r.id.as_str()).map(|c| (r.clone(), *c)))
                    .collect();
                FrameworkCoverage {
                    framework,
                    cited: by_id.len(),
                    cited_as_primary: by_id.iter().filter(|(_, c)| c.primary > 0).count(),
                    total: all.len(),
                    citations: Citations {
                        primary: by_id.iter().map(|(_, c)| c.primary).sum(),
                        secondary: by_id.iter().map(|(_, c)| c.secondary).sum(),
                    },
                    by_id,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::questionnaire::{Mappings, Primary};
    use crate::domain::session::tests::{bank, question};

    fn reference(id: &str, family: &str) -> Reference {
        Reference {
            id: id.into(),
            title: format!("title of {id}"),
            family: family.into(),
        }
    }

    #[test]
    fn primary_and_secondary_citations_are_counted_apart() {
        let catalog = ReferenceCatalog::new(
            vec![
                reference("CC6.1", "CC6"),
                reference("CC6.2", "CC6"),
                reference("CC8.1", "CC8"),
            ],
            Vec::new(),
            Vec::new(),
            vec![reference("LLM01", "LLM"), reference("LLM02", "LLM")],
        );
        let mut a = question("a", Category::Security, Stage::Storage);
        a.maps_to = Mappings {
            tsc: vec!["CC6.1".into(), "CC8.1".into()],
            owasp: vec!["LLM01".into()],
            primary: vec![
                Primary {
                    framework: Framework::Tsc,
                    id: "CC6.1".into(),
                    why: "access".into(),
                },
                Primary {
                    framework: Framework::OwaspLlm,
                    id: "LLM01".into(),
                    why: "injection".into(),
                },
            ],
            ..Mappings::default()
        };
        // Format 1 content: no primary, so both citations are secondary.
        let mut b = question("b", Category::Security, Stage::Training);
        b.maps_to.tsc = vec!["CC6.1".into(), "CC8.1".into()];
        let coverage = Coverage::of(&bank(vec![a, b]), &catalog);
        let tsc = coverage.framework(Framework::Tsc).unwrap();
        assert_eq!((tsc.cited, tsc.cited_as_primary, tsc.total), (2, 1, 3));
        assert_eq!(
            tsc.citations,
            Citations {
                primary: 1,
                secondary: 3
            }
        );
        let counts: Vec<(&str, usize, usize)> = tsc
            .by_id
            .iter()
            .map(|(r, c)| (r.id.as_str(), c.primary, c.secondary))
            .collect();
        assert_eq!(counts, [("CC6.1", 1, 1), ("CC8.1", 0, 2)]);
        assert_eq!(
            tsc.uncited,
            [("CC6".to_string(), vec![reference("CC6.2", "CC6")])]
        );
        let owasp = coverage.framework(Framework::OwaspLlm).unwrap();
        assert_eq!(
            (owasp.cited, owasp.cited_as_primary, owasp.total),
            (1, 1, 2)
        );
        assert_eq!(coverage.count(Category::Security, Stage::Training), 1);
    }
}
