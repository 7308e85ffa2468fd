//! What can go wrong while keeping sessions, in words for the person at the keyboard.

use super::nofollow::Exposure;
use crate::domain::session::NameError;
use std::io;
use std::path::{Path, PathBuf};

/// Why the store could not do what was asked. Every variant that concerns a file names it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data directory could not be created or read.
    #[error("cannot use the data directory {}: {source}", .path.display())]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The system's reason.
        source: io::Error,
    },
    /// The data directory can be written by other users, or belongs to another user.
    #[error("{}", exposure_message(.path, .exposure))]
    UnsafeDir {
        /// The directory.
        path: PathBuf,
        /// Who else controls it.
        exposure: Exposure,
    },
    /// A session file could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        source: io::Error,
    },
    /// A session could not be saved; the file on disk still holds the previous save.
    #[error(
        "cannot save session {id} to {}: {source}. The previous save is still in place.",
        .path.display()
    )]
    Write {
        /// The session id.
        id: String,
        /// The file.
        path: PathBuf,
        /// The system's reason.
        source: io::Error,
    },
    /// A session file is truncated, garbled or not a session at all. It has not been changed.
    #[error(
        "{} is not a session file aiready can read ({reason}). It has been left as it is.{}",
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
    /// A session file was written by a newer aiready. It has not been changed.
    #[error(
        "{} was written by a newer version of aiready (session format {found}; this version reads formats up to {supported}). Update aiready to open it; the file has been left as it is.{}",
        .path.display(),
        backup_hint(.path, .backup.as_deref())
    )]
    NewerVersion {
        /// The file.
        path: PathBuf,
        /// The format version in the file.
        found: u32,
        /// The newest format this build reads.
        supported: u32,
        /// The backup of the previous save, if there is one.
        backup: Option<PathBuf>,
    },
    /// Another process has the session open for writing.
    #[error(
        "session {}{id} is open in another aiready process{}; close it there and try again. Nothing was changed.",
        name_hint(.name.as_deref()),
        holder_hint(.holder)
    )]
    Locked {
        /// The session id.
        id: String,
        /// The session name, when the file could be read.
        name: Option<String>,
        /// What the lock file says about its holder, if anything.
        holder: String,
    },
    /// The lock could not be taken for a reason other than another holder.
    #[error("cannot lock session {id} ({}): {source}", .path.display())]
    Lock {
        /// The session id.
        id: String,
        /// The lock file.
        path: PathBuf,
        /// The system's reason.
        source: io::Error,
    },
    /// No session has this id or name.
    #[error("no session has the id or name \"{key}\"; `aiready sessions list` shows them all")]
    NotFound {
        /// What was looked for.
        key: String,
    },
    /// Several sessions share this name.
    #[error("several sessions are named \"{name}\"; use one of their ids: {}", .ids.join(", "))]
    Ambiguous {
        /// The name.
        name: String,
        /// Their ids.
        ids: Vec<String>,
    },
    /// Not a session id (ids use a-z, 0-9 and '-').
    #[error(
        "\"{}\" is not a session id (ids use lower-case letters, digits and '-')",
        crate::text::value(.id)
    )]
    InvalidId {
        /// The id given.
        id: String,
    },
    /// A session with this id exists already.
    #[error("a session with the id {id} exists already")]
    AlreadyExists {
        /// The id.
        id: String,
    },
    /// A save was attempted with the lock of another session.
    #[error(
        "cannot save session {id}: it was not opened for writing (the lock held is for {held})"
    )]
    WrongLock {
        /// The session being saved.
        id: String,
        /// The session whose lock was given.
        held: String,
    },
    /// The session's name is not acceptable.
    #[error(transparent)]
    Name(#[from] NameError),
    /// The session could not be turned into RON (a bug, not a user error).
    #[error("cannot write session {id} as RON: {reason}")]
    Encode {
        /// The session id.
        id: String,
        /// The encoder's message.
        reason: String,
    },
}

pub(super) fn backup_hint(path: &Path, backup: Option<&Path>) -> String {
    match backup {
        Some(backup) => format!(
            " The previous save is kept in {}; to go back to it, copy it over {}.",
            backup.display(),
            path.display()
        ),
        None => String::new(),
    }
}

fn exposure_message(path: &Path, exposure: &Exposure) -> String {
    let path = path.display();
    match exposure {
        Exposure::Writable { by } => format!(
            "the data directory {path} can be written by {by}: another user could plant a link there that makes a save overwrite one of your files. aiready uses it only when no one else can write to it; fix it with: chmod go-w {path}"
        ),
        Exposure::Owner { owner, user } => format!(
            "the data directory {path} belongs to another user (user id {owner}; you are {user}), who could plant links in it. Use a directory of your own with --data-dir DIR or AIREADY_DATA_DIR, or take it over with: chown {user} {path} && chmod go-w {path}"
        ),
    }
}

fn name_hint(name: Option<&str>) -> String {
    match name {
        Some(name) => format!("\"{}\" ", crate::text::value(name)),
        None => String::new(),
    }
}

fn holder_hint(holder: &str) -> String {
    if holder.is_empty() {
        String::new()
    } else {
        format!(" ({})", crate::text::value(holder))
    }
}
