//! What the list of sessions shows of one session, kept beside the session file as
//! `.<id>.summary` so that listing reads a few hundred bytes per session instead of parsing and
//! scoring the whole session.
//!
//! A summary is a cache and is never believed on its own word: it records the size, inode,
//! modification and change time of the session file it was made from (taken from the open file
//! itself), the questionnaires it was scored with and its own format. Listing compares all of
//! them with the session file as it is now; any difference, a summary that is missing, corrupt
//! or made by another version, or one written in the same clock tick as the session changed
//! (a later change in that tick would leave every time stamp equal), and the session is read
//! and scored again and the summary rewritten.
//!
//! Summaries follow the rules of every store file: opened without following links, refused
//! when they are not regular files, written readable by the owner only through a temporary
//! file and a rename. They are not synced: a summary lost in a power cut is rebuilt.

use super::nofollow::{self, Access, check_replaceable};
use crate::domain::scoring::Results;
use crate::domain::session::{Mode, Session, Target};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::fs::Metadata;
use std::io::{self, Read, Write};
use std::path::Path;

/// The version of the summary format and of what it is computed from; a summary of another
/// version is rebuilt. Raise it when a field or a scoring rule changes.
pub const SUMMARY_VERSION: u32 = 1;

/// The largest summary file read; a longer one is not one aiready wrote.
const MAX_SUMMARY_BYTES: u64 = 64 * 1024;

/// What listing shows of a session, with the scores of the questionnaires it was made with.
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
    pub created: Timestamp,
    /// When it last changed.
    pub updated: Timestamp,
    /// Applicable questions answered.
    pub answered: usize,
    /// Questions that apply.
    pub applicable: usize,
    /// The overall score (0-100).
    pub score: Option<f64>,
    /// The overall verdict, as shown.
    pub verdict: String,
    /// Score and verdict of each category in scope, by category key.
    pub categories: Vec<CategorySummary>,
}

/// The score and verdict of one category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategorySummary {
    /// The category key, e.g. `security`.
    pub category: String,
    /// Its score (0-100).
    pub score: Option<f64>,
    /// Its verdict, as shown.
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
            categories: results
                .categories
                .iter()
                .map(|c| CategorySummary {
                    category: c.category.key().to_string(),
                    score: c.score,
                    verdict: c.verdict.title().to_string(),
                })
                .collect(),
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

/// A summary as written to disk: the summary with what it was made from.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    version: u32,
    /// The content hash of the questionnaires it was scored with.
    bank: String,
    /// The session file it was made from.
    session: Stamp,
    summary: Summary,
}

/// Reads a summary and returns it if it still describes the session file with this stamp,
/// scored with the questionnaires of this content hash; None when it is missing, stale,
/// corrupt, foreign or not a regular file.
pub fn read_fresh(path: &Path, session: Stamp, bank: &str) -> Option<Summary> {
    let record = read_record(path, session)?;
    (record.bank == bank).then_some(record.summary)
}

/// Reads a summary that still describes the session file with this stamp, whatever
/// questionnaires it was scored with: names and dates do not depend on them.
pub fn read_current(path: &Path, session: Stamp) -> Option<Summary> {
    read_record(path, session).map(|record| record.summary)
}

fn read_record(path: &Path, session: Stamp) -> Option<Record> {
    let file = nofollow::open(path, Access::Read).ok()?;
    let meta = file.metadata().ok()?;
    if meta.len() > MAX_SUMMARY_BYTES {
        return None;
    }
    let mut text = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_SUMMARY_BYTES).read_to_end(&mut text).ok()?;
    let record: Record = serde_json::from_slice(&text).ok()?;
    // Written in the tick the session changed: a second change in that tick would carry the
    // same stamps, so the summary cannot tell it apart.
    let written = Stamp::of(&meta).modified;
    let fresh = record.version == SUMMARY_VERSION
        && record.session == session
        && record.session.changed < written;
    fresh.then_some(record)
}

/// How long after a session file changed a summary made from reading it may be kept: a file
/// read in the clock tick it changed in may change again in that tick without any stamp
/// showing it, and ticks are a few milliseconds on common file systems.
const SETTLE: std::time::Duration = std::time::Duration::from_secs(1);

/// Whether a session file with this stamp changed long enough ago that what was just read of
/// it is what it holds (see [`SETTLE`]).
pub fn settled(session: Stamp) -> bool {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128);
    session.changed + SETTLE.as_nanos() as i128 <= now
}

/// Writes a summary of the session file with this stamp, scored with the questionnaires of
/// this content hash: into a new temporary file readable by its owner only, then renamed over
/// the summary. A name that holds anything but a regular file is refused, never written
/// through.
pub fn write(path: &Path, session: Stamp, bank: &str, summary: &Summary) -> io::Result<()> {
    check_replaceable(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(".summary");
    let record = Record {
        version: SUMMARY_VERSION,
        bank: bank.to_string(),
        session,
        summary: summary.clone(),
    };
    let text = serde_json::to_vec(&record).map_err(io::Error::other)?;
    // A name of its own for each write, `.<id>.summary.<random>.tmp`: another process may be
    // rebuilding the same summary.
    let mut temp = tempfile::Builder::new()
        .prefix(&format!("{name}."))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    temp.write_all(&text)?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// How the temporary files of summary writes end; leftovers of killed processes are removed
/// when the store lists its sessions.
pub const TEMP_SUFFIX: &str = ".tmp";
