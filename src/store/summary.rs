//! What the list of sessions shows of one session, kept beside the session file as
//! `.<id>.summary` so that listing reads a few hundred bytes per session instead of parsing and
//! scoring the whole session.
//!
//! A summary file is [`MAGIC`], the format version (four bytes, little-endian) and a record in
//! postcard form, about 400 bytes: read back without parsing text (timestamps are kept as
//! seconds and nanoseconds).
//!
//! A summary is a cache and is never believed on its own word: it records the size, inode,
//! modification and change time of the session file it was made from (taken from the open file
//! itself), a SHA-256 of that file's bytes, the questionnaires it was scored with, the session
//! id and its own format. Listing compares the stamps and the rest with the session file as it
//! is now; any difference, or a summary that is missing, corrupt, cut or made by another
//! version, and the session is read and scored again and the summary rewritten.
//!
//! Equal stamps alone do not prove that the file holds what the summary was made from: time
//! stamps advance in clock ticks of a few milliseconds, and a second change in the tick of the
//! first (by another program, same size, same file) leaves every stamp equal. So a summary is
//! marked settled only when the bytes it was made from were read at least [`SETTLE`] after the
//! file last changed, when any later change shows in the stamps. A summary that is not settled
//! (every summary written with a save) is used only after the session file's bytes are read
//! and found to hash to its digest, which costs a read and a hash but no parsing or scoring;
//! once the session has settled, the summary is rewritten as settled.
//!
//! Summaries follow the rules of every store file: opened without following links, refused
//! when they are not regular files, written readable by the owner only through a temporary
//! file and a rename. They are not synced: a summary lost in a power cut is rebuilt.

use super::nofollow::{self, Access, check_replaceable};
use crate::domain::scoring::Results;
use crate::domain::session::{Mode, Session, Target};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::Metadata;
use std::io::{self, Read, Write};
use std::path::Path;

/// The version of the summary format and of what it is computed from; a summary of another
/// version is rebuilt. Raise it when a field or a scoring rule changes.
pub const SUMMARY_VERSION: u32 = 3;

/// The first bytes of every summary file; the format version follows.
pub const MAGIC: &[u8; 16] = b"aiready summary\n";

/// The largest summary file read; a longer one is not one aiready wrote.
const MAX_SUMMARY_BYTES: u64 = 64 * 1024;

/// What listing shows of a session, with the overall score of the questionnaires it was made
/// with. Nothing more: every field is decoded for every listed session (the scores of the
/// categories were, until version 3, and cost a quarter of reading a summary).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The session id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The organisation assessed.
    pub organisation: String,
    /// The AI system in scope.
    pub system: String,
    /// Workshop or solo.
    pub mode: Mode,
    /// The SOC 2 report prepared for.
    pub target: Target,
    /// When it was created.
    #[serde(with = "seconds_and_nanos")]
    pub created: Timestamp,
    /// When it last changed.
    #[serde(with = "seconds_and_nanos")]
    pub updated: Timestamp,
    /// Applicable questions answered.
    pub answered: usize,
    /// Questions that apply.
    pub applicable: usize,
    /// The overall score (0-100).
    pub score: Option<f64>,
    /// The overall verdict, as shown.
    pub verdict: String,
}

impl Summary {
    /// The summary of a session scored with some questionnaires.
    pub fn of(session: &Session, results: &Results) -> Summary {
        Summary {
            id: session.id.clone(),
            name: session.name.clone(),
            organisation: session.organisation.clone(),
            system: session.system.clone(),
            mode: session.mode,
            target: session.target,
            created: session.created,
            updated: session.updated,
            answered: results.completion.answered,
            applicable: results.completion.applicable,
            score: results.overall,
            verdict: results.verdict.title().to_string(),
        }
    }
}

/// What identifies one version of a session file: its size, inode and time stamps in
/// nanoseconds. An edit by any program changes the change time at least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    len: u64,
    inode: u64,
    modified: i128,
    changed: i128,
}

impl Stamp {
    /// The stamp of a file's metadata.
    pub fn of(meta: &Metadata) -> Stamp {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let nanos =
                |secs: i64, nsecs: i64| i128::from(secs) * 1_000_000_000 + i128::from(nsecs);
            Stamp {
                len: meta.len(),
                inode: meta.ino(),
                modified: nanos(meta.mtime(), meta.mtime_nsec()),
                changed: nanos(meta.ctime(), meta.ctime_nsec()),
            }
        }
        #[cfg(not(unix))]
        {
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i128);
            Stamp {
                len: meta.len(),
                inode: 0,
                modified,
                changed: modified,
            }
        }
    }
}

/// A SHA-256 of a session file's bytes.
pub type FileDigest = [u8; 32];

/// The digest of a session file's bytes, as a summary records it.
pub fn digest(bytes: &[u8]) -> FileDigest {
    Sha256::digest(bytes).into()
}

/// A summary as written to disk: the summary with what it was made from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The content hash of the questionnaires it was scored with.
    pub bank: String,
    /// The stamp of the session file it was made from.
    pub session: Stamp,
    /// The digest of that file's bytes.
    pub digest: FileDigest,
    /// Whether those bytes were read once the file had settled (see [`settled`]): the stamp
    /// alone then tells whether the file still holds them.
    pub settled: bool,
    /// What listing shows.
    pub summary: Summary,
}

impl Record {
    /// Whether it was made from the session file with this stamp and these bytes.
    pub fn made_from(&self, session: Stamp, digest: &FileDigest) -> bool {
        self.session == session && &self.digest == digest
    }
}

/// Reads a summary file and returns its record if the record names the session `id` and the
/// session file with this stamp; None when it is missing, stale, corrupt, cut, foreign, of
/// another version or not a regular file. A record that is not settled still has to be checked
/// against the session file's bytes ([`Record::made_from`]).
pub fn read(path: &Path, id: &str, session: Stamp) -> Option<Record> {
    let (mut file, meta) = nofollow::open_with_metadata(path, Access::Read).ok()?;
    if meta.len() > MAX_SUMMARY_BYTES {
        return None;
    }
    // The length the open file has: summaries are replaced by renames, never written in place,
    // so one read of it is the whole file (anything else fails to decode).
    let mut bytes = vec![0; usize::try_from(meta.len()).ok()?];
    file.read_exact(&mut bytes).ok()?;
    let record = decode(&bytes)?;
    (record.session == session && record.summary.id == id).then_some(record)
}

/// Decodes a summary file's bytes; None unless they are one whole record of this version.
fn decode(bytes: &[u8]) -> Option<Record> {
    let body = bytes.strip_prefix(MAGIC.as_slice())?;
    let (version, body) = body.split_first_chunk::<4>()?;
    if u32::from_le_bytes(*version) != SUMMARY_VERSION {
        return None;
    }
    let (record, rest) = postcard::take_from_bytes::<Record>(body).ok()?;
    rest.is_empty().then_some(record)
}

/// Encodes a record as a summary file's bytes.
fn encode(record: &Record) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(512);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&SUMMARY_VERSION.to_le_bytes());
    postcard::to_extend(record, bytes).map_err(io::Error::other)
}

/// How long after a session file changed its bytes must be read for a summary made from them
/// to be settled: a file read in the clock tick it changed in may change again in that tick
/// without any stamp showing it, and ticks are a few milliseconds on common file systems.
pub const SETTLE: std::time::Duration = std::time::Duration::from_secs(1);

/// Whether a session file with this stamp changed long enough ago that what was just read of
/// it is what it holds (see [`SETTLE`]).
pub fn settled(session: Stamp) -> bool {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128);
    session.changed + SETTLE.as_nanos() as i128 <= now
}

/// Writes a summary record: into a new temporary file readable by its owner only, then renamed
/// over the summary. A name that holds anything but a regular file is refused, never written
/// through.
pub fn write(path: &Path, record: &Record) -> io::Result<()> {
    check_replaceable(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(".summary");
    let bytes = encode(record)?;
    // A name of its own for each write, `.<id>.summary.<random>.tmp`: another process may be
    // rebuilding the same summary.
    let mut temp = tempfile::Builder::new()
        .prefix(&format!("{name}."))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    temp.write_all(&bytes)?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// How the temporary files of summary writes end; leftovers of killed processes are removed
/// when the store lists its sessions.
pub const TEMP_SUFFIX: &str = ".tmp";

/// Timestamps as whole seconds and nanoseconds: read back without parsing text.
mod seconds_and_nanos {
    use jiff::Timestamp;
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(time: &Timestamp, to: S) -> Result<S::Ok, S::Error> {
        (time.as_second(), time.subsec_nanosecond()).serialize(to)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<Timestamp, D::Error> {
        let (seconds, nanos) = <(i64, i32)>::deserialize(from)?;
        Timestamp::new(seconds, nanos).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Bank;
    use crate::domain::scoring;
    use crate::store::{FileStore, SessionStore, new_session_id};

    /// A session of the built-in questionnaires created in a store; the lock is released.
    fn stored(store: &FileStore) -> Session {
        let bank = crate::content::builtin().unwrap();
        let now = Timestamp::from_second(1_767_225_600).unwrap();
        let session = Session::new(new_session_id("Acme", now), "Acme".into(), bank, now);
        drop(store.create(&session).unwrap());
        session
    }

    fn listed_name(store: &FileStore) -> String {
        let entries = store.summaries(&Bank::Builtin).unwrap();
        entries[0].summary.as_ref().unwrap().name.clone()
    }

    /// A session changed twice in one clock tick keeps every stamp of the first change: a
    /// summary of the first change then matches on stamps alone. Such a summary (not settled)
    /// is believed only while the file holds the bytes it was made from.
    #[test]
    fn equal_stamps_are_not_enough_until_the_session_has_settled() {
        let tmp = tempfile::tempdir().unwrap();
        let store = FileStore::new(tmp.path().join("data"));
        let session = stored(&store);
        let bank = crate::content::builtin().unwrap();
        let file = store.path(&session.id);
        let path = store.summary_path(&session.id);
        let stamp = Stamp::of(&std::fs::symlink_metadata(&file).unwrap());
        let mut racy = Summary::of(&session, &scoring::score(bank, &session));
        racy.name = "Before the second change".into();
        let record = Record {
            bank: bank.content_hash.clone(),
            session: stamp,
            digest: digest(b"the bytes of the first change"),
            settled: false,
            summary: racy,
        };
        write(&path, &record).unwrap();
        assert_eq!(listed_name(&store), "Acme");
        let rebuilt = read(&path, &session.id, stamp).unwrap();
        assert_eq!(rebuilt.digest, digest(&std::fs::read(&file).unwrap()));
        assert_eq!(rebuilt.summary.name, "Acme");

        // Made from the bytes the file holds: believed without parsing the session.
        let current = Record {
            digest: digest(&std::fs::read(&file).unwrap()),
            ..record.clone()
        };
        write(&path, &current).unwrap();
        assert_eq!(listed_name(&store), "Before the second change");

        // Settled, the stamps alone decide: the file is not read.
        let settled = Record {
            settled: true,
            ..record
        };
        write(&path, &settled).unwrap();
        assert_eq!(listed_name(&store), "Before the second change");
        // Any change the stamps show is read.
        std::fs::write(&file, "not a session").unwrap();
        assert!(store.summaries(&Bank::Builtin).unwrap()[0].summary.is_err());
    }

    #[test]
    fn a_summary_checked_once_the_session_settled_is_rewritten_as_settled() {
        let tmp = tempfile::tempdir().unwrap();
        let store = FileStore::new(tmp.path().join("data"));
        let session = stored(&store);
        let (mut opened, lock) = store.open(&session.id).unwrap();
        opened.name = "Renamed".into();
        let bank = crate::content::builtin().unwrap();
        let summary = Summary::of(&opened, &scoring::score(bank, &opened));
        store
            .save_with_summary(&lock, &opened, &bank.content_hash, &summary)
            .unwrap();
        let path = store.summary_path(&session.id);
        let stamp = Stamp::of(&std::fs::symlink_metadata(store.path(&session.id)).unwrap());
        let saved = read(&path, &session.id, stamp).unwrap();
        assert!(
            !saved.settled,
            "a summary written with its save has not settled"
        );
        assert_eq!(saved.summary, summary);
        std::thread::sleep(SETTLE + std::time::Duration::from_millis(100));
        assert_eq!(listed_name(&store), "Renamed");
        let checked = read(&path, &session.id, stamp).unwrap();
        assert!(checked.settled);
        assert_eq!(checked.summary, summary);
        drop(lock);
    }

    #[test]
    fn records_read_back_whole_and_nothing_else_passes() {
        let bank = crate::content::builtin().unwrap();
        let now = Timestamp::new(1_767_225_600, 123_456_789).unwrap();
        let session = Session::new("acme-1".into(), "Acme".into(), bank, now);
        let record = Record {
            bank: bank.content_hash.clone(),
            session: Stamp {
                len: 40_000,
                inode: 12,
                modified: -5,
                changed: i128::MAX,
            },
            digest: [7; 32],
            settled: true,
            summary: Summary::of(&session, &scoring::score(bank, &session)),
        };
        let bytes = encode(&record).unwrap();
        assert_eq!(decode(&bytes), Some(record.clone()));
        assert!(bytes.len() < 1024, "{} bytes", bytes.len());
        for cut in [0, 10, MAGIC.len() + 4, bytes.len() - 1] {
            assert_eq!(decode(&bytes[..cut]), None, "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer), None);
        let mut other_version = bytes.clone();
        other_version[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&1u32.to_le_bytes());
        assert_eq!(decode(&other_version), None);
        let mut other_magic = bytes;
        other_magic[0] = b'A';
        assert_eq!(decode(&other_magic), None);
    }
}
