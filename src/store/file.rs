//! Sessions as files in the data directory: `<id>.ron`, its backup `<id>.ron.bak` and its lock
//! `<id>.lock`.
//!
//! A save never leaves a half-written file behind: the new text goes to a temporary file in the
//! same directory, is synced, and replaces the old file by a rename; the directory is synced so
//! the rename itself survives a power cut. Before the rename the old file is kept as the backup.
//!
//! The backup it replaces is not deleted but kept as `.<id>.spare`, and the next save writes its
//! temporary file over that spare instead of creating a new one. A save therefore frees no disk
//! blocks, which matters: on file systems that discard freed blocks (ext4 mounted with
//! `discard`, common on SSDs and virtual disks), freeing blocks makes the syncs of a save wait
//! for the discard, about 4 ms each time on the development machine. The spare is never one of
//! the two files a reader may need, and a save only overwrites it once no other name points to
//! it.
//!
//! No store file is opened through a symbolic link, and a name that holds a link, a folder, a
//! FIFO or a device is refused with its path (see [`super::nofollow`]); the data directory must
//! belong to the user and be writable by no one else.
//!
//! A lock file is removed when its lock is released, by the holder and before it lets go; a
//! process that took a lock checks afterwards that the file it locked still has the lock file's
//! name, and starts again otherwise, so that two processes never both hold a session.
//!
//! The machinery every document aiready keeps shares ([`Names`], [`lock`], [`write`]) serves
//! pre-work files too, wherever they are.

use super::format::{self, DecodeError};
use super::nofollow::{self, Access, check_replaceable};
use super::summary::{self, Stamp, Summary};
use super::{
    Held, ListEntry, Position, Revision, SessionLock, SessionStore, StoreError, SummaryEntry,
    check_id, is_valid_id,
};
use crate::content::Bank;
use crate::domain::scoring;
use crate::domain::session::{Session, validate_name};
use std::fs::{self, File};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The temporary files a save makes, by suffix after `.<id>`: its new text and the staged backup.
const TEMP_SUFFIXES: [&str; 2] = [".save.tmp", ".bak.tmp"];

/// How long creating a session waits for another process that is creating the same id.
const CREATE_WAIT: Duration = Duration::from_secs(5);

/// How often a lock is tried again after its file was removed under it.
const LOCK_ATTEMPTS: usize = 20;

/// The names one document uses in its directory: the file `<stem>.ron` (or any other name),
/// its backup `<file>.bak`, its lock `<stem>.lock`, and the hidden spare `.<stem>.spare` and
/// temporaries `.<stem>.save.tmp` and `.<stem>.bak.tmp`. A session `<id>.ron` has the stem
/// `<id>`; a pre-work file `<name>.prework.ron` has the stem `<name>.prework`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Names {
    dir: PathBuf,
    file: String,
    stem: String,
}

impl Names {
    /// The names of the document `file` in `dir`.
    pub(super) fn new(dir: impl Into<PathBuf>, file: impl Into<String>) -> Names {
        let file = file.into();
        let stem = file.strip_suffix(".ron").unwrap_or(&file).to_string();
        Names {
            dir: dir.into(),
            file,
            stem,
        }
    }

    /// The names of the document at `path`; None when the path has no file name.
    pub(super) fn of_path(path: &Path) -> Option<Names> {
        let file = path.file_name()?.to_str()?;
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Some(Names::new(dir, file))
    }

    /// The document.
    pub(super) fn path(&self) -> PathBuf {
        self.dir.join(&self.file)
    }

    /// The previous save.
    pub(super) fn backup(&self) -> PathBuf {
        self.dir.join(format!("{}.bak", self.file))
    }

    /// The lock file.
    pub(super) fn lock(&self) -> PathBuf {
        self.dir.join(format!("{}.lock", self.stem))
    }

    /// The file a save writes its text into; the previous spare when there is one.
    fn temp(&self) -> PathBuf {
        self.dir.join(format!(".{}{}", self.stem, TEMP_SUFFIXES[0]))
    }

    /// The backup being made, before it replaces the old one.
    fn staged(&self) -> PathBuf {
        self.dir.join(format!(".{}{}", self.stem, TEMP_SUFFIXES[1]))
    }

    /// The former backup, kept so that the next save can reuse its disk blocks.
    fn spare(&self) -> PathBuf {
        self.dir.join(format!(".{}.spare", self.stem))
    }
}

/// Why a document could not be locked.
#[derive(Debug)]
pub(super) enum LockFailure {
    /// Another process holds it; what its lock file says about it.
    Held(String),
    /// The lock file could not be opened or written.
    Io(io::Error),
}

/// Takes the lock of a document without waiting (the lock file is never opened through a
/// link), and removes temporary files a killed process left behind: no save is in progress
/// while the lock is held.
pub(super) fn lock(names: &Names) -> Result<File, LockFailure> {
    let path = names.lock();
    let mut attempts = 0;
    let mut file = loop {
        let mut file = nofollow::open(&path, Access::Lock).map_err(LockFailure::Io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                // The holder's note is informative only; an unreadable one is left out, and a
                // long one (not written by aiready) is not read whole.
                let _ = (&mut file).take(200).read_to_string(&mut holder);
                return Err(LockFailure::Held(holder.trim().to_string()));
            }
            Err(fs::TryLockError::Error(source)) => return Err(LockFailure::Io(source)),
        }
        // The holder before us may have removed the file between our open and our lock; a
        // lock on a removed file guards nothing, so open the name again.
        if nofollow::is_same_file(&file, &path) {
            break file;
        }
        attempts += 1;
        if attempts >= LOCK_ATTEMPTS {
            return Err(LockFailure::Io(io::Error::other(
                "the lock file keeps being replaced by another process",
            )));
        }
    };
    // A note for whoever finds the document locked; the lock itself is what counts.
    let note = format!("process {}", std::process::id());
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(note.as_bytes()))
        .map_err(LockFailure::Io)?;
    for temp in [names.temp(), names.staged()] {
        // Removing a name never follows a link; a leftover that cannot be removed does no
        // harm, the next save replaces it.
        let _ = fs::remove_file(temp);
    }
    Ok(file)
}

/// Writes a document atomically: the text goes to a temporary file that is synced and renamed
/// over the document, the previous version is kept as the backup, and the directory is synced.
/// On failure nothing half-written is left and the document is untouched. Call it only while
/// holding the document's lock. Returns the file written, now under the document's name.
pub(super) fn write(names: &Names, text: &[u8]) -> io::Result<File> {
    let path = names.path();
    let temp = names.temp();
    let result = write_temp(names, &temp, text).and_then(|file| {
        keep_backup(names)?;
        check_replaceable(&path)?;
        fs::rename(&temp, &path)?;
        sync_dir(&names.dir)?;
        Ok(file)
    });
    if result.is_err() {
        // Nothing half-written is left behind; the document itself is untouched.
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Writes the text into the temporary file and syncs it: over the spare when there is one,
/// else into a new file readable by its owner only.
fn write_temp(names: &Names, temp: &Path, text: &[u8]) -> io::Result<File> {
    let mut file = match take_spare(names, temp)? {
        Some(file) => file,
        None => {
            // Left by a save that failed before this one (a killed process's leftovers are
            // removed when the lock is taken).
            match fs::remove_file(temp) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            nofollow::open(temp, Access::CreateNew)?
        }
    };
    file.write_all(text)?;
    // A reused spare may be longer than the new text.
    file.set_len(text.len() as u64)?;
    file.sync_all()?;
    Ok(file)
}

/// Renames the spare to the temporary file and opens it for overwriting, if it exists and no
/// other name points to it (so that overwriting it cannot touch the document or its backup).
/// A spare that is not a regular file is refused, never written through.
#[cfg(unix)]
fn take_spare(names: &Names, temp: &Path) -> io::Result<Option<File>> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let spare = names.spare();
    if !check_replaceable(&spare)? {
        return Ok(None);
    }
    if fs::rename(&spare, temp).is_err() {
        return Ok(None);
    }
    let file = nofollow::open(temp, Access::Write)?;
    let meta = file.metadata()?;
    if meta.nlink() != 1 {
        return Ok(None);
    }
    if meta.permissions().mode() & 0o777 != 0o600 {
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    Ok(Some(file))
}

#[cfg(not(unix))]
fn take_spare(_names: &Names, _temp: &Path) -> io::Result<Option<File>> {
    Ok(None)
}

/// Keeps the current document as the backup. The backup is replaced by a rename, so a crash at
/// any moment leaves either the old or the new backup. A hard link costs no copy; where links
/// are not supported the file is copied. The backup being replaced stays as the spare.
fn keep_backup(names: &Names) -> io::Result<()> {
    let current = names.path();
    if !check_replaceable(&current)? {
        return Ok(());
    }
    let staged = names.staged();
    match fs::remove_file(&staged) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    if fs::hard_link(&current, &staged).is_err() {
        let mut from = nofollow::open(&current, Access::Read)?;
        let mut to = nofollow::open(&staged, Access::CreateNew)?;
        io::copy(&mut from, &mut to)?;
        to.sync_all()?;
    }
    let backup = names.backup();
    if cfg!(unix) && check_replaceable(&backup)? {
        let spare = names.spare();
        // Without the spare the old backup is simply deleted by the rename below.
        let _ = fs::remove_file(&spare);
        let _ = fs::hard_link(&backup, &spare);
    }
    fs::rename(&staged, backup)
}

/// Sessions kept as RON files in one directory.
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    /// A store in this directory; nothing is created until the first write.
    pub fn new(dir: impl Into<PathBuf>) -> FileStore {
        FileStore { dir: dir.into() }
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The names a session's files use.
    fn names(&self, id: &str) -> Names {
        Names::new(&self.dir, format!("{id}.ron"))
    }

    /// The file of a session (what [`Names::path`] gives, without building every other name:
    /// listing asks for it once per session).
    pub fn path(&self, id: &str) -> PathBuf {
        self.file_in_dir(id, &[".ron"])
    }

    /// `first` followed by `rest` in the data directory: what `dir.join(format!(..))` gives,
    /// built in one allocation of the right size (listing builds two names per session, and
    /// formatting and growing them cost as much as reading the summary).
    fn file_in_dir(&self, first: &str, rest: &[&str]) -> PathBuf {
        let len = first.len() + rest.iter().map(|part| part.len()).sum::<usize>();
        let mut path = PathBuf::with_capacity(self.dir.as_os_str().len() + 1 + len);
        path.push(&self.dir);
        path.push(first);
        let name = path.as_mut_os_string();
        for part in rest {
            name.push(part);
        }
        path
    }

    /// The backup of a session's previous save.
    pub fn backup_path(&self, id: &str) -> PathBuf {
        self.names(id).backup()
    }

    /// The summary listing reads instead of the session (see [`super::summary`]).
    pub fn summary_path(&self, id: &str) -> PathBuf {
        self.file_in_dir(".", &[id, ".summary"])
    }

    /// The lock file of a session.
    pub fn lock_path(&self, id: &str) -> PathBuf {
        self.names(id).lock()
    }

    /// Where the facilitator is in a session, for windows that follow it.
    pub fn position_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.position"))
    }

    /// Checks that the data directory, if it exists, is a directory no one else controls; the
    /// same check every operation makes, for a caller that wants to refuse up front.
    pub fn check(&self) -> Result<(), StoreError> {
        self.check_dir().map(|_| ())
    }

    /// Creates the data directory, readable by its owner only, if it does not exist, and
    /// checks that no one else controls it.
    fn ensure_dir(&self) -> Result<(), StoreError> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&self.dir)
            .map_err(|source| StoreError::Dir {
                path: self.dir.clone(),
                source,
            })?;
        self.check_dir().map(|_| ())
    }

    /// Whether the data directory exists; refused when it is not a directory, when another
    /// user owns it or when others may write to it.
    fn check_dir(&self) -> Result<bool, StoreError> {
        let meta = match fs::metadata(&self.dir) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(source) => {
                return Err(StoreError::Dir {
                    path: self.dir.clone(),
                    source,
                });
            }
        };
        if !meta.is_dir() {
            return Err(StoreError::Dir {
                path: self.dir.clone(),
                source: io::Error::other(format!("it is {}", nofollow::kind_of(&meta))),
            });
        }
        match nofollow::exposure(&meta) {
            Some(exposure) => Err(StoreError::UnsafeDir {
                path: self.dir.clone(),
                exposure,
            }),
            None => Ok(true),
        }
    }

    /// Takes the lock of a session without waiting.
    fn lock(&self, id: &str) -> Result<SessionLock, StoreError> {
        check_id(id)?;
        self.ensure_dir()?;
        let names = self.names(id);
        match lock(&names) {
            Ok(file) => Ok(SessionLock {
                id: id.to_string(),
                held: Held::File {
                    file,
                    path: names.lock(),
                },
            }),
            Err(LockFailure::Held(holder)) => Err(StoreError::Locked {
                id: id.to_string(),
                name: self.read(id).ok().map(|s| s.name),
                holder,
            }),
            Err(LockFailure::Io(source)) => Err(StoreError::Lock {
                id: id.to_string(),
                path: names.lock(),
                source,
            }),
        }
    }

    /// Cleans up after killed processes, for every session at once: temporary files of saves
    /// that never finished, and lock files of sessions that no longer exist. Each is removed
    /// only under its session's lock, so a save running in another process is never touched.
    fn tidy(&self, names: &[String]) {
        let sessions: std::collections::HashSet<&str> = names
            .iter()
            .filter_map(|n| n.strip_suffix(".ron"))
            .collect();
        let mut ids = std::collections::BTreeSet::new();
        for name in names {
            // Summaries are only a cache: one without its session, or a temporary file of a
            // write that never finished, is removed without a lock (a write in flight in
            // another process just fails, and its listing rebuilds the summary next time).
            if let Some(id) = summary_of(name)
                && (!sessions.contains(id) || name.ends_with(summary::TEMP_SUFFIX))
            {
                let _ = fs::remove_file(self.dir.join(name));
                continue;
            }
            let temp_id = name.strip_prefix('.').and_then(|rest| {
                TEMP_SUFFIXES
                    .iter()
                    .find_map(|suffix| rest.strip_suffix(suffix))
            });
            let orphan_lock_id = name
                .strip_suffix(".lock")
                .filter(|id| !sessions.contains(id));
            if let Some(id) = temp_id.or(orphan_lock_id)
                && is_valid_id(id)
            {
                ids.insert(id.to_string());
            }
        }
        for id in ids {
            // Taking the lock removes the temporary files; releasing it removes the lock file.
            // A session held by a live process is left alone.
            drop(self.lock(&id));
        }
    }

    /// The ids of the sessions in the data directory, sorted, after tidying what killed
    /// processes left behind.
    fn ids(&self) -> Result<Vec<String>, StoreError> {
        if !self.check_dir()? {
            return Ok(Vec::new());
        }
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(StoreError::Dir {
                    path: self.dir.clone(),
                    source,
                });
            }
        };
        let names: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        self.tidy(&names);
        let mut ids: Vec<String> = names
            .iter()
            .filter_map(|name| {
                let id = name.strip_suffix(".ron")?;
                is_valid_id(id).then(|| id.to_string())
            })
            .collect();
        ids.sort();
        Ok(ids)
    }

    /// The id and name of every session, sorted by id; None for a session that cannot be
    /// read. Names come from the summaries where they still describe their sessions.
    pub fn session_names(&self) -> Result<Vec<(String, Option<String>)>, StoreError> {
        Ok(self
            .ids()?
            .into_iter()
            .map(|id| {
                let name = self.name(&id);
                (id, name)
            })
            .collect())
    }

    /// The stamp of a session file as it is now, if it is a regular file.
    fn session_stamp(&self, id: &str) -> Option<Stamp> {
        fs::symlink_metadata(self.path(id))
            .ok()
            .filter(fs::Metadata::is_file)
            .map(|meta| Stamp::of(&meta))
    }

    /// The summary of a session scored with `bank`: its summary file while that still
    /// describes the session file, else the session read and scored again (and the summary
    /// rewritten).
    fn summary(&self, id: &str, bank: &Bank<'_>) -> Result<Summary, StoreError> {
        let cached = match self.cached_summary(id) {
            Some(record) if record.bank != bank.content_hash() => None,
            Some(record) if record.settled => return Ok(record.summary),
            other => other,
        };
        let (bytes, stamp) = self.read_bytes(id)?;
        let digest = summary::digest(&bytes);
        let settled = summary::settled(stamp);
        let summary = match cached {
            // Made from these very bytes: nothing to parse or score. Once the session has
            // settled the summary is rewritten as settled, so that the next listing reads it
            // alone.
            Some(record) if record.made_from(stamp, &digest) => {
                if !settled {
                    return Ok(record.summary);
                }
                record.summary
            }
            _ => {
                let session = self.decode(id, bytes)?;
                Summary::of(&session, &scoring::score(bank, &session))
            }
        };
        let record = summary::Record {
            bank: bank.content_hash().to_string(),
            session: stamp,
            digest,
            settled,
            summary,
        };
        // A data directory that cannot be written to still lists; the summary is then made
        // again next time.
        let _ = summary::write(&self.summary_path(id), &record);
        Ok(record.summary)
    }

    /// The summary file of a session while its stamps match the session file as it is now,
    /// whatever questionnaires it was scored with.
    fn cached_summary(&self, id: &str) -> Option<summary::Record> {
        let stamp = self.session_stamp(id)?;
        summary::read(&self.summary_path(id), id, stamp)
    }

    /// The name of a session, from its summary while that describes the session file, else
    /// from the session; None when it cannot be read. Names and dates do not depend on the
    /// questionnaires.
    fn name(&self, id: &str) -> Option<String> {
        let cached = match self.cached_summary(id) {
            Some(record) if record.settled => return Some(record.summary.name),
            other => other,
        };
        let (bytes, stamp) = self.read_bytes(id).ok()?;
        match cached {
            Some(record) if record.made_from(stamp, &summary::digest(&bytes)) => {
                Some(record.summary.name)
            }
            _ => self.decode(id, bytes).ok().map(|session| session.name),
        }
    }

    /// Saves a session under the lock that holds it; returns the stamp and text of the file
    /// written.
    fn save_locked(
        &self,
        lock: &SessionLock,
        session: &Session,
    ) -> Result<(Stamp, String), StoreError> {
        check_id(&session.id)?;
        if lock.id != session.id || !matches!(lock.held, Held::File { .. }) {
            return Err(StoreError::WrongLock {
                id: session.id.clone(),
                held: lock.id.clone(),
            });
        }
        self.check_dir()?;
        self.write(session)
    }

    fn read(&self, id: &str) -> Result<Session, StoreError> {
        self.read_stamped(id).map(|(session, _)| session)
    }

    /// Reads a session with the stamp of the very file read (taken from the open file, so an
    /// edit racing the read cannot pass for it).
    fn read_stamped(&self, id: &str) -> Result<(Session, Stamp), StoreError> {
        let (bytes, stamp) = self.read_bytes(id)?;
        Ok((self.decode(id, bytes)?, stamp))
    }

    /// The bytes of a session file, with the stamp of the very file read.
    fn read_bytes(&self, id: &str) -> Result<(Vec<u8>, Stamp), StoreError> {
        check_id(id)?;
        let path = self.path(id);
        match read_file(&path) {
            Ok(read) => Ok(read),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(StoreError::NotFound {
                key: id.to_string(),
            }),
            Err(source) => Err(StoreError::Read { path, source }),
        }
    }

    /// The session in the bytes read from the file of session `id`.
    fn decode(&self, id: &str, bytes: Vec<u8>) -> Result<Session, StoreError> {
        let path = self.path(id);
        let backup = Some(self.backup_path(id))
            .filter(|b| fs::symlink_metadata(b).is_ok_and(|m| m.is_file()));
        let text = String::from_utf8(bytes).map_err(|e| StoreError::Corrupt {
            path: path.clone(),
            reason: format!("not UTF-8 text at byte {}", e.utf8_error().valid_up_to()),
            backup: backup.clone(),
        })?;
        let session = format::decode(&text).map_err(|e| match e {
            DecodeError::Invalid(reason) => StoreError::Corrupt {
                path: path.clone(),
                reason,
                backup: backup.clone(),
            },
            DecodeError::Newer(found) => StoreError::NewerVersion {
                path: path.clone(),
                found,
                supported: format::SCHEMA_VERSION,
                backup: backup.clone(),
            },
        })?;
        if session.id != id {
            return Err(StoreError::Corrupt {
                path,
                reason: format!("it holds session {}, not {id}", session.id),
                backup,
            });
        }
        Ok(session)
    }

    /// Saves a session atomically; returns the stamp and text of the file written.
    fn write(&self, session: &Session) -> Result<(Stamp, String), StoreError> {
        let id = session.id.as_str();
        let text = format::encode(session).map_err(|e| StoreError::Encode {
            id: id.to_string(),
            reason: e.to_string(),
        })?;
        self.ensure_dir()?;
        // The stamp after the rename, which changes the file's change time.
        let stamp = write(&self.names(id), text.as_bytes())
            .and_then(|file| file.metadata())
            .map(|meta| Stamp::of(&meta))
            .map_err(|source| StoreError::Write {
                id: id.to_string(),
                path: self.path(id),
                source,
            })?;
        Ok((stamp, text))
    }
}

/// The bytes of a store file, opened without following a link, and its stamp.
fn read_file(path: &Path) -> io::Result<(Vec<u8>, Stamp)> {
    let (mut file, meta) = nofollow::open_with_metadata(path, Access::Read)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)?;
    Ok((bytes, Stamp::of(&meta)))
}

/// The session id of a summary (`.<id>.summary`) or of a temporary file of a summary write
/// (`.<id>.summary.<random>.tmp`); ids hold no dots.
fn summary_of(name: &str) -> Option<&str> {
    let (id, after) = name.strip_prefix('.')?.split_once(".summary")?;
    let temp = after.starts_with('.') && after.ends_with(summary::TEMP_SUFFIX);
    (after.is_empty() || temp).then_some(id)
}

/// Releases a lock: removes the lock file while the lock is still held, if the name still
/// points to the locked file, so that lock files do not pile up. A process waiting on the same
/// file notices the removal (see [`FileStore::lock`]).
pub(super) fn release(file: &File, path: &Path) {
    if cfg!(unix) && nofollow::is_same_file(file, path) {
        // A lock file left behind is harmless: the next lock reuses it.
        let _ = fs::remove_file(path);
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// What changes when a file is replaced or rewritten: its inode (every save renames a new
/// file into place), size and change times. Zero when the name holds no file; a link is not
/// followed.
fn file_revision(path: &Path) -> [u128; 4] {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return [0; 4];
    };
    let nanos = |t: io::Result<std::time::SystemTime>| {
        t.ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos())
    };
    #[cfg(unix)]
    let (inode, changed) = {
        use std::os::unix::fs::MetadataExt;
        let changed = i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec());
        (u128::from(meta.ino()), changed.unsigned_abs())
    };
    #[cfg(not(unix))]
    let (inode, changed) = (0, 0);
    [
        inode,
        u128::from(meta.len()),
        nanos(meta.modified()),
        changed,
    ]
}

impl SessionStore for FileStore {
    fn list(&self) -> Result<Vec<ListEntry>, StoreError> {
        Ok(self
            .ids()?
            .into_iter()
            .map(|id| ListEntry {
                session: self.read(&id),
                id,
            })
            .collect())
    }

    fn summaries(&self, bank: &Bank<'_>) -> Result<Vec<SummaryEntry>, StoreError> {
        Ok(self
            .ids()?
            .into_iter()
            .map(|id| SummaryEntry {
                summary: self.summary(&id, bank),
                id,
            })
            .collect())
    }

    fn find(&self, id_or_name: &str) -> Result<String, StoreError> {
        self.check_dir()?;
        // An exact id is the session file's name: nothing else is read.
        if is_valid_id(id_or_name) && fs::symlink_metadata(self.path(id_or_name)).is_ok() {
            return Ok(id_or_name.to_string());
        }
        let ids = self
            .ids()?
            .into_iter()
            .filter(|id| self.name(id).is_some_and(|name| name == id_or_name))
            .collect();
        super::match_name(id_or_name, ids)
    }

    fn create(&self, session: &Session) -> Result<SessionLock, StoreError> {
        validate_name(&session.name)?;
        let id = &session.id;
        let exists = || {
            check_replaceable(&self.path(id)).map_err(|source| StoreError::Read {
                path: self.path(id),
                source,
            })
        };
        // Another process may be creating the same id this very moment (two imports of one
        // file): wait for it to finish, then report that the session exists rather than that
        // it is open elsewhere.
        let started = Instant::now();
        let lock = loop {
            match self.lock(id) {
                Ok(lock) => break lock,
                Err(StoreError::Locked { .. }) if exists()? => {
                    return Err(StoreError::AlreadyExists { id: id.clone() });
                }
                Err(StoreError::Locked { .. }) if started.elapsed() < CREATE_WAIT => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(other) => return Err(other),
            }
        };
        if exists()? {
            return Err(StoreError::AlreadyExists { id: id.clone() });
        }
        self.write(session)?;
        Ok(lock)
    }

    fn load(&self, id: &str) -> Result<Session, StoreError> {
        self.check_dir()?;
        self.read(id)
    }

    fn open(&self, id: &str) -> Result<(Session, SessionLock), StoreError> {
        check_id(id)?;
        self.check_dir()?;
        if fs::symlink_metadata(self.path(id)).is_err() {
            return Err(StoreError::NotFound {
                key: id.to_string(),
            });
        }
        let lock = self.lock(id)?;
        let session = self.read(id)?;
        Ok((session, lock))
    }

    fn save(&self, lock: &SessionLock, session: &Session) -> Result<(), StoreError> {
        self.save_locked(lock, session).map(|_| ())
    }

    fn save_with_summary(
        &self,
        lock: &SessionLock,
        session: &Session,
        content_hash: &str,
        summary: &Summary,
    ) -> Result<(), StoreError> {
        let (stamp, text) = self.save_locked(lock, session)?;
        // Made in the tick the session changed: listing checks it against the file's bytes
        // until the session has settled (see `summary`).
        let record = summary::Record {
            bank: content_hash.to_string(),
            session: stamp,
            digest: summary::digest(text.as_bytes()),
            settled: false,
            summary: summary.clone(),
        };
        // The session is saved; a summary that cannot be written is only a cache miss, and
        // the one left from before no longer matches the session file.
        let _ = summary::write(&self.summary_path(&session.id), &record);
        Ok(())
    }

    fn save_position(&self, lock: &SessionLock, position: &Position) -> Result<(), StoreError> {
        let id = lock.id();
        check_id(id)?;
        if !matches!(lock.held, Held::File { .. }) {
            return Err(StoreError::WrongLock {
                id: id.to_string(),
                held: id.to_string(),
            });
        }
        self.check_dir()?;
        let path = self.position_path(id);
        let text = ron::to_string(position).map_err(|e| StoreError::Encode {
            id: id.to_string(),
            reason: e.to_string(),
        })?;
        // A position is redrawn, not kept: it is replaced atomically but not synced, and has
        // no backup.
        let temp = self.dir.join(format!(".{id}.position.tmp"));
        let result = (|| {
            match fs::remove_file(&temp) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            nofollow::open(&temp, Access::CreateNew)?.write_all(text.as_bytes())?;
            check_replaceable(&path)?;
            fs::rename(&temp, &path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        result.map_err(|source| StoreError::Write {
            id: id.to_string(),
            path,
            source,
        })
    }

    fn position(&self, id: &str) -> Option<Position> {
        check_id(id).ok()?;
        let mut text = String::new();
        nofollow::open(&self.position_path(id), Access::Read)
            .ok()?
            .take(4096)
            .read_to_string(&mut text)
            .ok()?;
        ron::from_str(&text).ok()
    }

    fn revision(&self, id: &str) -> Option<Revision> {
        check_id(id).ok()?;
        let session = file_revision(&self.path(id));
        if session == [0; 4] {
            return None;
        }
        let position = file_revision(&self.position_path(id));
        Some(Revision(session.into_iter().chain(position).collect()))
    }

    fn delete(&self, id: &str) -> Result<(), StoreError> {
        check_id(id)?;
        self.check_dir()?;
        let path = self.path(id);
        if fs::symlink_metadata(&path).is_err() {
            return Err(StoreError::NotFound {
                key: id.to_string(),
            });
        }
        let lock = self.lock(id)?;
        let remove = |p: &Path| match fs::remove_file(p) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(StoreError::Write {
                id: id.to_string(),
                path: p.to_path_buf(),
                source,
            }),
        };
        remove(&path)?;
        remove(&self.backup_path(id))?;
        remove(&self.names(id).spare())?;
        remove(&self.position_path(id))?;
        remove(&self.summary_path(id))?;
        sync_dir(&self.dir).map_err(|source| StoreError::Dir {
            path: self.dir.clone(),
            source,
        })?;
        // The lock file goes last, removed as the lock is released, so no other process saves
        // in between.
        drop(lock);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_built_in_place_are_the_joined_names() {
        let id = "2026-01-01-acme-000001";
        for dir in ["data", "/tmp/aiready/", "", "a/b/../c", "/"] {
            let store = FileStore::new(dir);
            let joined = Path::new(dir).join(format!("{id}.ron"));
            assert_eq!(store.path(id), joined, "{dir:?}");
            assert_eq!(store.path(id), store.names(id).path(), "{dir:?}");
            let summary = Path::new(dir).join(format!(".{id}.summary"));
            assert_eq!(store.summary_path(id), summary, "{dir:?}");
            assert_eq!(
                store.summary_path(id).as_os_str().len(),
                summary.as_os_str().len()
            );
        }
    }
}
