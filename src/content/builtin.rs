//! The built-in questionnaires, compiled into the binary so that aiready works offline and
//! from any directory.

use super::raw::RawScopingProfile;
use super::{ContentError, Source, load_sources};
use crate::domain::questionnaire::QuestionBank;

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

/// The name of the compiled bank in the build's `OUT_DIR`.
pub const EMBEDDED_BANK_FILE: &str = "builtin-bank.postcard";

/// Loads and validates a set and encodes the bank for [`builtin`]: what the build script runs
/// on the built-in files, so that a broken built-in file fails the build with its problems.
pub fn compile_builtin(sources: &[Source]) -> Result<Vec<u8>, ContentError> {
    encode_bank(&load_sources(sources).map_err(ContentError::Invalid)?)
}

/// A validated bank in compact binary form (postcard), read back by [`decode_bank`] without
/// parsing or validating: the built-in bank in the binary and custom banks in the cache.
pub fn encode_bank(bank: &QuestionBank) -> Result<Vec<u8>, ContentError> {
    postcard::to_allocvec(bank).map_err(|e| ContentError::Embedded(e.to_string()))
}

/// Decodes a bank encoded by [`encode_bank`].
pub fn decode_bank(bytes: &[u8]) -> Result<QuestionBank, ContentError> {
    postcard::from_bytes(bytes).map_err(|e| ContentError::Embedded(e.to_string()))
}

/// The built-in question bank, decoded once from the form the build script compiled and
/// validated: no RON is parsed at run time. A defective build is still reported rather than
/// panicking.
// The build script compiles this file too, before the bank exists; it sets the cfg for the
// program only.
#[cfg(embedded_bank)]
pub fn builtin() -> Result<&'static QuestionBank, ContentError> {
    use std::sync::OnceLock;
    // The same name as EMBEDDED_BANK_FILE: include_bytes! takes a literal.
    static COMPILED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/builtin-bank.postcard"));
    static BANK: OnceLock<Result<QuestionBank, String>> = OnceLock::new();
    BANK.get_or_init(|| decode_bank(COMPILED).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|message| ContentError::Embedded(message.clone()))
}

/// The built-in scoping profile as written, used when a custom set brings none.
pub(super) fn raw_profile() -> Option<RawScopingProfile> {
    super::raw::options()
        .from_str::<RawScopingProfile>(BUILTIN_FILES[0].1)
        .ok()
}
