//! Where sessions are kept: a [`SessionStore`] trait, the [`FileStore`] used by the program and
//! the [`MemoryStore`] used by tests.
//!
//! A session is opened for writing through a [`SessionLock`]; only the holder of the lock may
//! save it, so two processes never write the same session. [`prework`] keeps participants'
//! pre-work files with the same guarantees.

mod bank_cache;
mod error;
mod file;
mod format;
mod memory;
mod nofollow;
pub mod prework;
mod summary;
mod writer;

pub use bank_cache::BankCache;
pub use error::StoreError;
pub use file::FileStore;
pub use format::{DecodeError, SCHEMA_VERSION, decode, encode};
pub use memory::{MemoryStore, SaveGate};
pub use nofollow::{Exposure, NotAFile, kind_of as file_kind};
pub use summary::{SUMMARY_VERSION, Summary};
pub use writer::{Outcome as SaveOutcome, Patch, SessionWriter};

use crate::content::Bank;
use crate::domain::scoring;
use crate::domain::session::Session;
use jiff::Timestamp;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};

/// The longest session id accepted.
pub const MAX_ID_LEN: usize = 100;

/// The longest part of an id taken from the session name.
const SLUG_LEN: usize = 40;

/// Where the facilitator is in a session, saved beside it so that other windows can follow.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Position {
    /// The id of the question on the facilitator's screen.
    pub question: String,
}

/// A marker of a session's stored state: it differs after every save of the session or of
/// the facilitator's position. Cheap to read, so that a window can look for changes often.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revision(Vec<u128>);

/// One session found in a store: its id and the session, or why it could not be read.
#[derive(Debug)]
pub struct ListEntry {
    /// The session id (the file name without extension).
    pub id: String,
    /// The session, or the reason it cannot be read.
    pub session: Result<Session, StoreError>,
}

/// One session in a listing: its id and summary, or why it could not be read.
#[derive(Debug)]
pub struct SummaryEntry {
    /// The session id (the file name without extension).
    pub id: String,
    /// What the listing shows of it, or the reason it cannot be read.
    pub summary: Result<Summary, StoreError>,
}

/// The right to save one session, held until dropped.
#[derive(Debug)]
pub struct SessionLock {
    id: String,
    held: Held,
}

#[derive(Debug)]
enum Held {
    /// An OS lock on the `<id>.lock` file; the OS releases it when the file is closed or the
    /// process dies. A clean release also removes the file.
    File {
        /// The open, locked lock file.
        file: std::fs::File,
        /// Its name.
        path: std::path::PathBuf,
    },
    /// An entry in the memory store's set of locked ids.
    Memory(Arc<Mutex<std::collections::BTreeSet<String>>>),
}

impl SessionLock {
    /// The id of the locked session.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl Drop for SessionLock {
    fn drop(&mut self) {
        match &self.held {
            Held::File { file, path } => file::release(file, path),
            Held::Memory(locks) => {
                locks
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .remove(&self.id);
            }
        }
    }
}

/// Keeps sessions. A store is shared with the thread that saves the open session.
pub trait SessionStore: Send + Sync {
    /// Every session in the store, sorted by id; unreadable ones carry their error.
    fn list(&self) -> Result<Vec<ListEntry>, StoreError>;

    /// Stores a new session and opens it for writing; refuses an id already taken.
    fn create(&self, session: &Session) -> Result<SessionLock, StoreError>;

    /// Reads a session without opening it for writing.
    fn load(&self, id: &str) -> Result<Session, StoreError>;

    /// Opens a session for writing: takes its lock, then reads it.
    fn open(&self, id: &str) -> Result<(Session, SessionLock), StoreError>;

    /// Saves a session opened for writing with this lock.
    fn save(&self, lock: &SessionLock, session: &Session) -> Result<(), StoreError>;

    /// Deletes a session and its backup; refused while another process has it open.
    fn delete(&self, id: &str) -> Result<(), StoreError>;

    /// What listing shows of every session, scored with `bank`, sorted by id; unreadable
    /// ones carry their error. Only one session is held in memory at a time. A store that
    /// keeps summaries decodes the bank only when a session has to be scored again.
    fn summaries(&self, bank: &Bank<'_>) -> Result<Vec<SummaryEntry>, StoreError> {
        Ok(self
            .list()?
            .into_iter()
            .map(|entry| SummaryEntry {
                summary: entry
                    .session
                    .map(|s| Summary::of(&s, &scoring::score(bank, &s))),
                id: entry.id,
            })
            .collect())
    }

    /// Saves a session like [`SessionStore::save`] and keeps its summary, scored with the
    /// questionnaires whose content hash is `content_hash`, for listing; stores without
    /// summaries just save.
    fn save_with_summary(
        &self,
        lock: &SessionLock,
        session: &Session,
        content_hash: &str,
        summary: &Summary,
    ) -> Result<(), StoreError> {
        let _ = (content_hash, summary);
        self.save(lock, session)
    }

    /// Whether the open session is best saved on a thread of its own (see
    /// [`SessionWriter`]), so that the screen never waits for the disk.
    fn saves_in_background(&self) -> bool {
        true
    }

    /// Records where the facilitator is in a session opened for writing with this lock.
    fn save_position(&self, lock: &SessionLock, position: &Position) -> Result<(), StoreError>;

    /// Where the facilitator last was in a session, if that was recorded.
    fn position(&self, id: &str) -> Option<Position>;

    /// The session's current [`Revision`]; None when it is not there.
    fn revision(&self, id: &str) -> Option<Revision>;

    /// The id of the session with this id or, failing that, this exact name.
    fn find(&self, id_or_name: &str) -> Result<String, StoreError> {
        let entries = self.list()?;
        if entries.iter().any(|e| e.id == id_or_name) {
            return Ok(id_or_name.to_string());
        }
        let ids: Vec<String> = entries
            .into_iter()
            .filter(|e| e.session.as_ref().is_ok_and(|s| s.name == id_or_name))
            .map(|e| e.id)
            .collect();
        match_name(id_or_name, ids)
    }
}

/// The one id among the sessions with a name, or why there is not exactly one.
fn match_name(name: &str, ids: Vec<String>) -> Result<String, StoreError> {
    match ids.len() {
        0 => Err(StoreError::NotFound {
            key: name.to_string(),
        }),
        1 => Ok(ids.into_iter().next().unwrap_or_default()),
        _ => Err(StoreError::Ambiguous {
            name: name.to_string(),
            ids,
        }),
    }
}

/// Whether a string is a session id: lower-case ASCII letters, digits and '-', starting with a
/// letter or digit, at most [`MAX_ID_LEN`] long. Such an id is always a safe file name.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && id.bytes().next().is_some_and(|b| b != b'-')
}

pub(crate) fn check_id(id: &str) -> Result<(), StoreError> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(StoreError::InvalidId { id: id.to_string() })
    }
}

/// The part of an id taken from a name: the name transliterated to ASCII ("Ünïcode é" reads
/// "Unicode e", "日本語" reads "Ri Ben Yu"), its letters and digits in lower case, everything else
/// folded into single dashes; `session` when nothing is left.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in deunicode::deunicode(name).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= SLUG_LEN {
            break;
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "session".to_string()
    } else {
        trimmed.to_string()
    }
}

/// A fresh session id: the UTC date, the name's slug and six random hex digits, e.g.
/// `2026-01-15-acme-support-bot-3f9a1c`.
pub fn new_session_id(name: &str, now: Timestamp) -> String {
    let date = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    // RandomState is seeded randomly per process and changes with every instance.
    let random = std::collections::hash_map::RandomState::new().hash_one((
        name,
        now.as_nanosecond(),
        std::process::id(),
    ));
    format!("{date}-{}-{:06x}", slug(name), random & 0xff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_safe_file_names() {
        let now = Timestamp::from_second(1_767_225_600).unwrap();
        for name in [
            "Acme support bot",
            "../x",
            "/etc/passwd",
            "a\0b",
            "Сессия 日本語",
            &"long name ".repeat(30),
            "..",
            "-",
        ] {
            let id = new_session_id(name, now);
            assert!(is_valid_id(&id), "{id:?} from {name:?}");
            assert!(id.starts_with("2026-01-01-"), "{id}");
        }
        assert_eq!(slug("../x"), "x");
        assert_eq!(slug("/etc/passwd"), "etc-passwd");
        assert_eq!(slug("Ünïcode é"), "unicode-e");
        assert_eq!(slug("Сессия"), "sessiia");
        assert_eq!(slug("日本語"), "ri-ben-yu");
        assert_eq!(slug("🙂"), "slight-smile");
        assert_eq!(slug("\u{200B}"), "session");
        assert_eq!(slug("Acme -- Support Bot!"), "acme-support-bot");
        assert!(slug(&"ab ".repeat(100)).len() <= SLUG_LEN);
    }

    #[test]
    fn ids_differ_between_calls() {
        let now = Timestamp::from_second(1_767_225_600).unwrap();
        assert_ne!(new_session_id("x", now), new_session_id("x", now));
    }

    #[test]
    fn invalid_ids_are_refused() {
        for id in ["", "../x", "/etc/passwd", "A", "a b", "-a", "a.ron", "a\0"] {
            assert!(!is_valid_id(id), "{id:?}");
        }
        assert!(!is_valid_id(&"a".repeat(MAX_ID_LEN + 1)));
        assert!(is_valid_id("2026-01-01-acme-0a1b2c"));
    }
}
