//! The built-in questionnaires, compiled into the binary so that aiready works offline and
//! from any directory.

use super::raw::RawScopingProfile;
use super::{ContentError, Problems, Source, load_sources};
use crate::domain::questionnaire::QuestionBank;
use std::sync::OnceLock;

/// The built-in files: (file name, text). `questionnaires export` writes exactly these.
pub const BUILTIN_FILES: [(&str, &str); 7] = [
    (
        "scoping.ron",
        include_str!("../../questionnaires/scoping.ron"),
    ),
    (
        "security.ron",
        include_str!("../../questionnaires/security.ron"),
    ),
    (
        "availability.ron",
        include_str!("../../questionnaires/availability.ron"),
    ),
    (
        "processing-integrity.ron",
        include_str!("../../questionnaires/processing-integrity.ron"),
    ),
    (
        "confidentiality.ron",
        include_str!("../../questionnaires/confidentiality.ron"),
    ),
    (
        "privacy.ron",
        include_str!("../../questionnaires/privacy.ron"),
    ),
    (
        "ai-risk.ron",
        include_str!("../../questionnaires/ai-risk.ron"),
    ),
];

/// The built-in files as sources, named by their file names.
pub fn builtin_sources() -> Vec<Source> {
    BUILTIN_FILES
        .iter()
        .map(|(name, text)| Source {
            name: (*name).to_string(),
            text: (*text).to_string(),
        })
        .collect()
}

/// The built-in question bank, loaded once. The shipped files are checked by the test suite, so
/// an error here means a defective build; it is still reported rather than panicking.
pub fn builtin() -> Result<&'static QuestionBank, ContentError> {
    static BANK: OnceLock<Result<QuestionBank, Problems>> = OnceLock::new();
    let loaded = BANK.get_or_init(|| load_sources(&builtin_sources()));
    loaded
        .as_ref()
        .map_err(|problems| ContentError::Invalid(problems.clone()))
}

/// The built-in scoping profile as written, used when a custom set brings none.
pub(super) fn raw_profile() -> Option<RawScopingProfile> {
    super::raw::options()
        .from_str::<RawScopingProfile>(BUILTIN_FILES[0].1)
        .ok()
}
