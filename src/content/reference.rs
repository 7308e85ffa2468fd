//! The framework identifier lists shipped in `assets/reference/`.

use crate::domain::framework::{Reference, ReferenceCatalog};
use std::sync::OnceLock;

const TSC: &str = include_str!("../../assets/reference/tsc_ids.txt");
const NIST: &str = include_str!("../../assets/reference/nist_ai_rmf_ids.txt");
const ISO: &str = include_str!("../../assets/reference/iso42001_ids.txt");
const OWASP: &str = include_str!("../../assets/reference/owasp_llm_2025_ids.txt");

/// The catalog of every SOC 2 criterion, NIST AI RMF subcategory, ISO 42001 control and OWASP
/// Top 10 for LLM Applications entry.
pub fn catalog() -> &'static ReferenceCatalog {
    static CATALOG: OnceLock<ReferenceCatalog> = OnceLock::new();
    CATALOG.get_or_init(|| ReferenceCatalog::new(parse(TSC), parse(NIST), parse(ISO), parse(OWASP)))
}

/// Reads tab-separated rows: identifier, short title, group.
fn parse(text: &str) -> Vec<Reference> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let mut cols = line.split('\t');
            let id = cols.next().unwrap_or("").trim().to_string();
            let title = cols.next().unwrap_or("").trim().to_string();
            Reference {
                family: family_of(&id),
                id,
                title,
            }
        })
        .collect()
}

/// The family an identifier belongs to: `CC6.1` -> `CC6`, `P4.2` -> `P4`, `MEASURE 2.11` ->
/// `MEASURE`, `A.6.2.4` -> `A.6`, `LLM01` -> `LLM`.
fn family_of(id: &str) -> String {
    if let Some((function, _)) = id.split_once(' ') {
        return function.to_string();
    }
    if let Some(rest) = id.strip_prefix("A.") {
        let control = rest.split('.').next().unwrap_or("");
        return format!("A.{control}");
    }
    match id.split_once('.') {
        Some((family, _)) => family.to_string(),
        // A numbered list without dots, such as the OWASP entries: one family.
        None => id
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::framework::Framework;

    #[test]
    fn shipped_lists_have_every_identifier() {
        let catalog = catalog();
        assert_eq!(catalog.all(Framework::Tsc).len(), 61);
        assert_eq!(catalog.all(Framework::NistAiRmf).len(), 72);
        assert_eq!(catalog.all(Framework::Iso42001).len(), 38);
        assert_eq!(catalog.all(Framework::OwaspLlm).len(), 10);
        assert!(catalog.contains(Framework::OwaspLlm, "LLM10"));
        assert!(!catalog.contains(Framework::OwaspLlm, "LLM11"));
        assert!(!catalog.contains(Framework::OwaspLlm, "LLM1"));
        assert!(catalog.contains(Framework::Tsc, "PI1.5"));
        assert!(!catalog.contains(Framework::Tsc, "PI1.6"));
        assert!(catalog.contains(Framework::NistAiRmf, "MEASURE 2.11"));
        assert!(!catalog.contains(Framework::NistAiRmf, "GOVERN 1.8"));
        assert!(!catalog.contains(Framework::Iso42001, "A.6.2.9"));
    }

    #[test]
    fn families_group_identifiers() {
        assert_eq!(family_of("CC6.1"), "CC6");
        assert_eq!(family_of("P4.2"), "P4");
        assert_eq!(family_of("MEASURE 2.11"), "MEASURE");
        assert_eq!(family_of("A.6.2.4"), "A.6");
        assert_eq!(family_of("A1.2"), "A1");
        assert_eq!(family_of("LLM07"), "LLM");
    }
}
