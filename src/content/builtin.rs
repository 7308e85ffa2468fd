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

/// The active questionnaires of a run: a set loaded already, or the built-in set, which is
/// decoded only when first needed. Listing sessions needs no more than the content hash, which
/// the built-in set has without decoding (the build script computed it), so the list of
/// sessions can be shown before the bank is decoded. Dereferences to the bank.
#[cfg(embedded_bank)]
#[derive(Debug, Clone, Copy)]
pub enum Bank<'b> {
    /// The built-in set.
    Builtin,
    /// A set loaded and validated already: a custom set, or one made for a test.
    Loaded(&'b QuestionBank),
}

#[cfg(embedded_bank)]
impl<'b> Bank<'b> {
    /// The content hash of the set, without decoding it.
    pub fn content_hash(&self) -> &'b str {
        match self {
            Bank::Builtin => env!("AIREADY_BUILTIN_HASH"),
            Bank::Loaded(bank) => &bank.content_hash,
        }
    }

    /// The set, decoded now if it was not yet; a defective build is reported here.
    pub fn get(&self) -> Result<&'b QuestionBank, ContentError> {
        match self {
            Bank::Builtin => builtin(),
            Bank::Loaded(bank) => Ok(bank),
        }
    }
}

#[cfg(embedded_bank)]
impl std::ops::Deref for Bank<'_> {
    type Target = QuestionBank;

    /// The set, decoded now if it was not yet. Whoever shows the interface calls
    /// [`Bank::get`] first, right after the first frame, and stops with the error if the
    /// compiled-in set cannot be read; after that this cannot fail. Before it, a failure here
    /// is a build that cannot have passed its own checks.
    fn deref(&self) -> &QuestionBank {
        match self.get() {
            Ok(bank) => bank,
            Err(err) => panic!("{err}"),
        }
    }
}

/// The built-in scoping profile as written, used when a custom set brings none.
pub(super) fn raw_profile() -> Option<RawScopingProfile> {
    super::raw::options()
        .from_str::<RawScopingProfile>(BUILTIN_FILES[0].1)
        .ok()
}

#[cfg(all(test, embedded_bank))]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_handle_knows_the_content_hash_of_the_decoded_bank() {
        let decoded = builtin().unwrap();
        assert_eq!(Bank::Builtin.content_hash(), decoded.content_hash);
        assert!(std::ptr::eq(Bank::Builtin.get().unwrap(), decoded));
        assert!(std::ptr::eq(&*Bank::Builtin, decoded));
        let loaded = Bank::Loaded(decoded);
        assert_eq!(loaded.content_hash(), decoded.content_hash);
    }
}
