//! Pre-work files: one participant's pre-work for one workshop session, as pretty, stably
//! ordered RON (`<session-id>--<participant>.prework.ron`). They are saved with the same
//! guarantees as session files (atomic replace, backup of the previous save, a lock against a
//! second writer, refused and left untouched when corrupt or newer) through the same machinery.
//!
//! ```ron
//! PreworkFile(
//!   format_version: 1,
//!   prework: Prework(
//!     session: "2026-01-15-acme-support-bot-3f9a1c",
//!     ...
//!     answers: {
//!       "sec-gov-01": Implemented,
//!     },
//!     notes: {
//!       "sec-gov-01": "approved base sets only",
//!     },
//!   ),
//! )
//! ```
//!
//! The format is described for people in `docs/prework-format.md`.

use super::error::backup_hint;
use super::file::{self, LockFailure, Names};
use super::format;
use super::nofollow::{self, Access};
use crate::domain::framework::Category;
use crate::domain::prework::{Prework, PreworkAnswer};
use crate::domain::questionnaire::QuestionnaireVersion;
use crate::domain::scale::Answer;
use crate::domain::session::{Participant, Session, Target};
use crate::domain::typed_text;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The pre-work format this build writes; it reads this one and every older one.
pub const PREWORK_FORMAT: u32 = 1;

/// How a pre-work file's name ends.
pub const PREWORK_EXTENSION: &str = ".prework.ron";

/// The largest file read as pre-work or as a session to merge; pre-work of the largest
/// question bank is a small fraction of this.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a pre-work file could not be used. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum PreworkFileError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        source: io::Error,
    },
    /// Not a pre-work file this version can read. It has not been changed.
    #[error(
        "{} is not a pre-work file aiready can read ({reason}). It has been left as it is.{}",
        .path.display(),
        backup_hint(.path, .backup.as_deref())
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column where known.
        reason: String,
        /// The backup of the previous save, if there is one.
        backup: Option<PathBuf>,
    },
    /// Written by a newer aiready. It has not been changed.
    #[error(
        "{} was written by a newer version of aiready (pre-work format {found}; this version reads formats up to {supported}). Update aiready to open it; the file has been left as it is.",
        .path.display()
    )]
    Newer {
        /// The file.
        path: PathBuf,
        /// The format version in the file.
        found: u32,
        /// The newest format this build reads.
        supported: u32,
    },
    /// Another process has the file open for writing.
    #[error(
        "{} is open in another aiready process{}; close it there and try again. Nothing was changed.",
        .path.display(),
        if .holder.is_empty() { String::new() } else { format!(" ({})", .holder) }
    )]
    Locked {
        /// The file.
        path: PathBuf,
        /// What the lock file says about its holder.
        holder: String,
    },
    /// The lock could not be taken for another reason.
    #[error("cannot lock {} ({}): {source}", .path.display(), .lock.display())]
    Lock {
        /// The file.
        path: PathBuf,
        /// The lock file.
        lock: PathBuf,
        /// The system's reason.
        source: io::Error,
    },
    /// A save failed; the file still holds the previous save.
    #[error("cannot save {}: {source}. The previous save is still in place.", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        source: io::Error,
    },
    /// A file is in the way of a new one.
    #[error("{} exists already and was not replaced", .path.display())]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// Too large to be pre-work.
    #[error(
        "{} is {size} bytes, more than aiready reads as pre-work ({max} bytes); it was not read",
        .path.display(),
        max = MAX_FILE_BYTES
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
    /// The path names no file.
    #[error("{} is not a file name", .path.display())]
    NoFileName {
        /// The path.
        path: PathBuf,
    },
    /// The pre-work could not be turned into RON (a bug, not a user error).
    #[error("cannot write {} as RON: {reason}", .path.display())]
    Encode {
        /// The file.
        path: PathBuf,
        /// The encoder's message.
        reason: String,
    },
}

/// A pre-work file opened for writing: the right to save it, held until dropped. Its lock file
/// is removed on release, so that none travels with the pre-work.
#[derive(Debug)]
pub struct PreworkLock {
    names: Names,
    file: File,
}

impl Drop for PreworkLock {
    fn drop(&mut self) {
        file::release(&self.file, &self.names.lock());
    }
}

impl PreworkLock {
    /// The pre-work file.
    pub fn path(&self) -> PathBuf {
        self.names.path()
    }
}

/// The file name of a participant's pre-work: `<session-id>--<participant-slug>.prework.ron`.
pub fn file_name(session_id: &str, participant: &str) -> String {
    format!(
        "{session_id}--{}{PREWORK_EXTENSION}",
        super::slug(participant)
    )
}

/// Whether a path's name ends like a pre-work file.
pub fn is_prework_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(PREWORK_EXTENSION))
}

fn names(path: &Path) -> Result<Names, PreworkFileError> {
    Names::of_path(path).ok_or_else(|| PreworkFileError::NoFileName {
        path: path.to_path_buf(),
    })
}

fn take_lock(names: &Names) -> Result<PreworkLock, PreworkFileError> {
    match file::lock(names) {
        Ok(file) => Ok(PreworkLock {
            names: names.clone(),
            file,
        }),
        Err(LockFailure::Held(holder)) => Err(PreworkFileError::Locked {
            path: names.path(),
            holder,
        }),
        Err(LockFailure::Io(source)) => Err(PreworkFileError::Lock {
            path: names.path(),
            lock: names.lock(),
            source,
        }),
    }
}

/// Writes new pre-work to `path`; an existing file is refused unless `replace` (and even then
/// while another process has it open).
pub fn create(path: &Path, prework: &Prework, replace: bool) -> Result<(), PreworkFileError> {
    let names = names(path)?;
    let lock = take_lock(&names)?;
    if !replace && path.exists() {
        return Err(PreworkFileError::Exists {
            path: path.to_path_buf(),
        });
    }
    save(&lock, prework)
}

/// Opens a pre-work file for writing: takes its lock, then reads it.
pub fn open(path: &Path) -> Result<(Prework, PreworkLock), PreworkFileError> {
    let names = names(path)?;
    // A missing file is reported as such, not as a lock problem.
    read_text(path)?;
    let lock = take_lock(&names)?;
    let prework = load(path)?;
    Ok((prework, lock))
}

/// Reads a pre-work file without opening it for writing.
pub fn load(path: &Path) -> Result<Prework, PreworkFileError> {
    let text = read_text(path)?;
    decode(&text).map_err(|e| decode_error(path, e))
}

/// Saves pre-work opened for writing with this lock.
pub fn save(lock: &PreworkLock, prework: &Prework) -> Result<(), PreworkFileError> {
    let path = lock.path();
    let text = encode(prework).map_err(|e| PreworkFileError::Encode {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    file::write(&lock.names, text.as_bytes())
        .map(drop)
        .map_err(|source| PreworkFileError::Write { path, source })
}

/// The pre-work files in a folder (by name), sorted.
pub fn list(dir: &Path) -> Result<Vec<PathBuf>, PreworkFileError> {
    let entries = std::fs::read_dir(dir).map_err(|source| PreworkFileError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| is_prework_name(p) && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// What a file given to merge holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Document {
    /// A participant's pre-work.
    Prework(Box<Prework>),
    /// A session file (a solo session taken as someone's pre-work).
    Session(Box<Session>),
}

/// Reads a pre-work file or a session file.
pub fn read_document(path: &Path) -> Result<Document, PreworkFileError> {
    let text = read_text(path)?;
    if text.trim_start().starts_with("SessionFile") {
        let session = format::decode(&text).map_err(|e| match e {
            format::DecodeError::Invalid(reason) => PreworkFileError::Corrupt {
                path: path.to_path_buf(),
                reason: format!("as a session file: {reason}"),
                backup: None,
            },
            format::DecodeError::Newer(found) => PreworkFileError::Newer {
                path: path.to_path_buf(),
                found,
                supported: format::SCHEMA_VERSION,
            },
        })?;
        return Ok(Document::Session(Box::new(session)));
    }
    decode(&text)
        .map(|p| Document::Prework(Box::new(p)))
        .map_err(|e| decode_error(path, e))
}

/// The text of a file, read whole, refused when too large or not UTF-8.
fn read_text(path: &Path) -> Result<String, PreworkFileError> {
    let read_err = |source| PreworkFileError::Read {
        path: path.to_path_buf(),
        source,
    };
    // Not through a link, never a FIFO or a device: the same rules as every store file.
    let file = nofollow::open(path, Access::Read).map_err(read_err)?;
    let meta = file.metadata().map_err(read_err)?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(PreworkFileError::TooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
        });
    }
    let mut bytes = Vec::new();
    // A file that grows while it is read stops at the limit and fails to decode.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    String::from_utf8(bytes).map_err(|e| PreworkFileError::Corrupt {
        path: path.to_path_buf(),
        reason: format!("not UTF-8 text at byte {}", e.utf8_error().valid_up_to()),
        backup: backup_of(path),
    })
}

fn backup_of(path: &Path) -> Option<PathBuf> {
    Names::of_path(path)
        .map(|n| n.backup())
        .filter(|b| b.is_file())
}

fn decode_error(path: &Path, error: DecodeError) -> PreworkFileError {
    match error {
        DecodeError::Invalid(reason) => PreworkFileError::Corrupt {
            path: path.to_path_buf(),
            reason,
            backup: backup_of(path),
        },
        DecodeError::Newer(found) => PreworkFileError::Newer {
            path: path.to_path_buf(),
            found,
            supported: PREWORK_FORMAT,
        },
    }
}

// ----- the text -------------------------------------------------------------------------------

#[derive(Serialize)]
#[serde(rename = "PreworkFile")]
struct FileOut<'a> {
    format_version: u32,
    prework: PreworkOut<'a>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename = "PreworkFile", deny_unknown_fields)]
struct FileIn {
    format_version: u32,
    prework: PreworkIn,
}

/// Only the version, read first so that a newer file is refused for the right reason.
#[derive(Deserialize)]
#[serde(rename = "PreworkFile")]
struct Envelope {
    format_version: u32,
}

#[derive(Serialize)]
#[serde(rename = "Prework")]
struct PreworkOut<'a> {
    session: &'a str,
    session_name: &'a str,
    organisation: &'a str,
    system: &'a str,
    target: Target,
    facilitator: &'a str,
    participant: &'a Participant,
    scope: &'a BTreeSet<Category>,
    scoping: &'a BTreeMap<String, bool>,
    categories: &'a BTreeSet<Category>,
    questionnaires: &'a [QuestionnaireVersion],
    content_hash: &'a str,
    created: Timestamp,
    updated: Timestamp,
    answers: BTreeMap<&'a str, Answer>,
    notes: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename = "Prework", deny_unknown_fields)]
struct PreworkIn {
    session: String,
    #[serde(default)]
    session_name: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    system: String,
    #[serde(default)]
    target: Target,
    #[serde(default)]
    facilitator: String,
    participant: Participant,
    scope: BTreeSet<Category>,
    #[serde(default)]
    scoping: BTreeMap<String, bool>,
    categories: BTreeSet<Category>,
    #[serde(default)]
    questionnaires: Vec<QuestionnaireVersion>,
    #[serde(default)]
    content_hash: String,
    created: Timestamp,
    updated: Timestamp,
    #[serde(default)]
    answers: BTreeMap<String, Answer>,
    #[serde(default)]
    notes: BTreeMap<String, String>,
}

/// The answers and the notes of a file, one entry per question that has either.
fn join_answers(
    answers: BTreeMap<String, Answer>,
    notes: BTreeMap<String, String>,
) -> BTreeMap<String, PreworkAnswer> {
    let mut joined: BTreeMap<String, PreworkAnswer> = answers
        .into_iter()
        .map(|(id, answer)| {
            let answer = PreworkAnswer {
                answer: Some(answer),
                notes: String::new(),
            };
            (id, answer)
        })
        .collect();
    for (id, note) in notes.into_iter().filter(|(_, n)| !n.is_empty()) {
        joined.entry(id).or_default().notes = note;
    }
    joined
}

/// The longest question id a pre-work file may name.
const MAX_QUESTION_ID: usize = 100;

/// Whether text can be a question id: not empty, not too long, no spaces or control
/// characters (ids of questions a bank no longer has are accepted, so this is all that is
/// known of them).
fn is_question_id(id: &str) -> bool {
    !id.is_empty()
        && id.chars().count() <= MAX_QUESTION_ID
        && !id.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// Why a pre-work text could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Not valid pre-work; the reason names line and column where known.
    Invalid(String),
    /// Written by a newer format version.
    Newer(u32),
}

/// The text of a pre-work file.
pub fn encode(prework: &Prework) -> Result<String, ron::Error> {
    let Prework {
        session,
        session_name,
        organisation,
        system,
        target,
        facilitator,
        participant,
        scope,
        scoping,
        categories,
        questionnaires,
        content_hash,
        created,
        updated,
        answers,
    } = prework;
    let out = FileOut {
        format_version: PREWORK_FORMAT,
        prework: PreworkOut {
            session,
            session_name,
            organisation,
            system,
            target: *target,
            facilitator,
            participant,
            scope,
            scoping,
            categories,
            questionnaires,
            content_hash,
            created: *created,
            updated: *updated,
            // Answers and notes in two maps, each a line per question: cheaper to read than
            // a record per question, and a diff shows which of the two changed.
            answers: answers
                .iter()
                .filter_map(|(id, a)| Some((id.as_str(), a.answer?)))
                .collect(),
            notes: answers
                .iter()
                .filter(|(_, a)| !a.notes.is_empty())
                .map(|(id, a)| (id.as_str(), a.notes.as_str()))
                .collect(),
        },
    };
    let config = ron::ser::PrettyConfig::new()
        .struct_names(true)
        .indentor("  ".to_string())
        // Each answer stays on one line, so a diff shows one line per answer changed.
        .depth_limit(3);
    let mut text = ron::ser::to_string_pretty(&out, config)?;
    text.push('\n');
    Ok(text)
}

/// The pre-work in a file's text.
pub fn decode(text: &str) -> Result<Prework, DecodeError> {
    let invalid = |e: ron::error::SpannedError| DecodeError::Invalid(e.to_string());
    // A current file, the common case, costs a single parse; the version alone is read only
    // to say why a file does not parse.
    let file: FileIn = match ron::from_str::<FileIn>(text) {
        Ok(file) if file.format_version <= PREWORK_FORMAT => file,
        Ok(file) => return Err(DecodeError::Newer(file.format_version)),
        Err(e) => {
            let envelope: Envelope = ron::from_str(text).map_err(invalid)?;
            if envelope.format_version > PREWORK_FORMAT {
                return Err(DecodeError::Newer(envelope.format_version));
            }
            return Err(invalid(e));
        }
    };
    let p = file.prework;
    if !super::is_valid_id(&p.session) {
        return Err(DecodeError::Invalid(format!(
            "{:?} is not a session id",
            p.session
        )));
    }
    if p.participant.name.trim().is_empty() {
        return Err(DecodeError::Invalid("the participant has no name".into()));
    }
    // Names and ids travel into the session and onto screens: no control characters.
    let fields = [
        ("the participant's name", &p.participant.name),
        ("the participant's role", &p.participant.role),
    ];
    for (what, text) in fields {
        if let Some(c) = text.chars().find(|c| c.is_control()) {
            return Err(DecodeError::Invalid(format!(
                "{what} contains the control character U+{:04X}",
                u32::from(c)
            )));
        }
    }
    // Notes follow the rule for text people type: line breaks and tabs, no other control
    // character.
    for (id, note) in &p.notes {
        if let Err(e) = typed_text::check(note) {
            return Err(DecodeError::Invalid(format!(
                "the note on {} {e}",
                crate::text::value(id)
            )));
        }
    }
    if let Some(id) = p
        .answers
        .keys()
        .chain(p.notes.keys())
        .find(|id| !is_question_id(id))
    {
        return Err(DecodeError::Invalid(format!(
            "{:?} is not a question id (at most {MAX_QUESTION_ID} characters, no spaces or control characters)",
            id.escape_debug().to_string()
        )));
    }
    Ok(Prework {
        session: p.session,
        session_name: p.session_name,
        organisation: p.organisation,
        system: p.system,
        target: p.target,
        facilitator: p.facilitator,
        participant: p.participant,
        scope: p.scope,
        scoping: p.scoping,
        categories: p.categories,
        questionnaires: p.questionnaires,
        content_hash: p.content_hash,
        created: p.created,
        updated: p.updated,
        answers: join_answers(p.answers, p.notes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Prework {
        let t = Timestamp::from_second(1_767_225_600).unwrap();
        Prework {
            session: "2026-01-01-acme-000001".into(),
            session_name: "Acme \"bot\"".into(),
            organisation: "Acme".into(),
            system: "Support bot".into(),
            target: Target::Type1,
            facilitator: "Dana".into(),
            participant: Participant {
                name: "Maya".into(),
                role: "ML".into(),
            },
            scope: BTreeSet::from([Category::Security, Category::AiRisk]),
            scoping: BTreeMap::from([("generative".to_string(), true)]),
            categories: BTreeSet::from([Category::Security]),
            questionnaires: vec![QuestionnaireVersion {
                id: "security".into(),
                version: "1.0.0".into(),
            }],
            content_hash: "abc".into(),
            created: t,
            updated: t,
            answers: BTreeMap::from([
                (
                    "sec-1".to_string(),
                    PreworkAnswer {
                        answer: Some(Answer::Implemented),
                        notes: "base sets only\nfine-tunes not yet".into(),
                    },
                ),
                (
                    "sec-2".to_string(),
                    PreworkAnswer {
                        answer: Some(Answer::Unknown),
                        notes: String::new(),
                    },
                ),
                (
                    "sec-3".to_string(),
                    PreworkAnswer {
                        answer: None,
                        notes: "ask Ben".into(),
                    },
                ),
            ]),
        }
    }

    #[test]
    fn round_trips_with_one_line_per_answer_and_per_note() {
        let p = sample();
        let text = encode(&p).unwrap();
        assert!(text.starts_with("PreworkFile(\n  format_version: 1,\n  prework: Prework(\n"));
        assert!(
            text.contains(
                "    answers: {\n      \"sec-1\": Implemented,\n      \"sec-2\": Unknown,\n    },\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "    notes: {\n      \"sec-1\": \"base sets only\\nfine-tunes not yet\",\n      \"sec-3\": \"ask Ben\",\n    },\n"
            ),
            "{text}"
        );
        assert_eq!(decode(&text), Ok(p));
    }

    #[test]
    fn newer_unknown_and_broken_texts_are_refused() {
        let text = encode(&sample()).unwrap();
        let newer = text.replace("format_version: 1", "format_version: 9");
        assert_eq!(decode(&newer), Err(DecodeError::Newer(9)));
        let unknown = text.replace(
            "    session_name:",
            "    colour: \"red\",\n    session_name:",
        );
        assert!(matches!(decode(&unknown), Err(DecodeError::Invalid(m)) if m.contains("colour")));
        let bad_id = text.replace("2026-01-01-acme-000001", "../etc");
        assert!(
            matches!(decode(&bad_id), Err(DecodeError::Invalid(m)) if m.contains("session id"))
        );
        let control = text.replace("name: \"Maya\"", "name: \"Maya\\u{1b}[2J\"");
        assert!(
            matches!(decode(&control), Err(DecodeError::Invalid(m)) if m.contains("U+001B")),
            "{:?}",
            decode(&control)
        );
        let bad_question = text.replace("\"sec-2\": Unknown", "\"sec 2\": Unknown");
        assert!(
            matches!(decode(&bad_question), Err(DecodeError::Invalid(m)) if m.contains("not a question id"))
        );
        let truncated = &text[..text.len() / 2];
        assert!(matches!(decode(truncated), Err(DecodeError::Invalid(_))));
    }

    #[test]
    fn file_names_carry_the_session_and_a_safe_participant_name() {
        assert_eq!(
            file_name("2026-01-01-acme-000001", "Maya O'Neil"),
            "2026-01-01-acme-000001--maya-o-neil.prework.ron"
        );
        assert_eq!(
            file_name("s", "../../etc/passwd"),
            "s--etc-passwd.prework.ron"
        );
    }

    #[test]
    fn saves_are_atomic_with_a_backup_and_a_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(file_name("2026-01-01-acme-000001", "Maya"));
        let mut p = sample();
        create(&path, &p, false).unwrap();
        assert!(matches!(
            create(&path, &p, false),
            Err(PreworkFileError::Exists { .. })
        ));
        let (loaded, lock) = open(&path).unwrap();
        assert_eq!(loaded, p);
        assert!(matches!(open(&path), Err(PreworkFileError::Locked { .. })));
        let first = std::fs::read(&path).unwrap();
        p.answers.clear();
        save(&lock, &p).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join(format!(
                "{}.bak",
                path.file_name().unwrap().to_str().unwrap()
            )))
            .unwrap(),
            first
        );
        drop(lock);
        assert!(
            !dir.path()
                .join("2026-01-01-acme-000001--maya.prework.lock")
                .exists()
        );
        assert_eq!(load(&path).unwrap(), p);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn corrupt_and_newer_files_are_refused_and_left_as_they_are() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            (
                "broken.prework.ron",
                "PreworkFile(format_version: 1, prework: Prew".to_string(),
            ),
            (
                "newer.prework.ron",
                encode(&sample())
                    .unwrap()
                    .replace("format_version: 1", "format_version: 2"),
            ),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, &text).unwrap();
            let err = open(&path).unwrap_err().to_string();
            assert!(err.contains(name), "{err}");
            assert!(err.contains("left as it is"), "{err}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        }
    }
}
