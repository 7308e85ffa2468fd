//! Sessions as files in the data directory: `<id>.ron`, its backup `<id>.ron.bak` and its lock
//! `<id>.lock`; and the machinery every document aiready keeps shares ([`Names`], [`lock`],
//! [`write`]), which pre-work files use too.
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

use super::format::{self, DecodeError};
use super::{
    Held, ListEntry, Position, Revision, SessionLock, SessionStore, StoreError, check_id,
    is_valid_id,
};
use crate::domain::session::{Session, validate_name};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

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
        self.dir.join(format!(".{}.save.tmp", self.stem))
    }

    /// The backup being made, before it replaces the old one.
    fn staged(&self) -> PathBuf {
        self.dir.join(format!(".{}.bak.tmp", self.stem))
    }

    /// The former backup, kept so that the next save can reuse its disk blocks.
    pub(super) fn spare(&self) -> PathBuf {
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

/// How often a lock is tried again after its file was removed under it.
const LOCK_ATTEMPTS: usize = 20;

/// Takes the lock of a document without waiting, and removes temporary files a killed
/// process left behind (no save is in progress while the lock is held).
pub(super) fn lock(names: &Names) -> Result<File, LockFailure> {
    let path = names.lock();
    let mut attempts = 0;
    let mut file = loop {
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path).map_err(LockFailure::Io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                // The holder's note is informative only; an unreadable one is left out.
                let _ = file.read_to_string(&mut holder);
                return Err(LockFailure::Held(holder.trim().to_string()));
            }
            Err(fs::TryLockError::Error(source)) => return Err(LockFailure::Io(source)),
        }
        // A holder that released the lock (see [`release`]) may have removed the file between
        // our open and our lock; a lock on a removed file guards nothing, so open it again.
        if is_same_file(&file, &path) {
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
        // A leftover that cannot be removed does no harm; the next save replaces it.
        let _ = fs::remove_file(temp);
    }
    Ok(file)
}

/// Releases a lock and removes its file while still holding it, so that no lock file is left
/// beside the document; only when the name still points to the locked file.
pub(super) fn release(file: &File, path: &Path) {
    if cfg!(unix) && is_same_file(file, path) {
        // A lock file left behind is harmless: the next lock reuses it.
        let _ = fs::remove_file(path);
    }
}

/// Whether an open file is the one a path names now.
#[cfg(unix)]
fn is_same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn is_same_file(_file: &File, _path: &Path) -> bool {
    true
}

/// Writes a document atomically: the text goes to a temporary file that is synced and renamed
/// over the document, the previous version is kept as the backup, and the directory is synced.
/// On failure nothing half-written is left and the document is untouched. Call it only while
/// holding the document's lock.
pub(super) fn write(names: &Names, text: &[u8]) -> io::Result<()> {
    let temp = names.temp();
    let result = write_temp(names, &temp, text).and_then(|()| {
        keep_backup(names)?;
        fs::rename(&temp, names.path())?;
        sync_dir(&names.dir)
    });
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Writes the text into the temporary file and syncs it: over the spare when there is one,
/// else into a new file readable by its owner only.
fn write_temp(names: &Names, temp: &Path, text: &[u8]) -> io::Result<()> {
    let mut file = match take_spare(names, temp) {
        Some(file) => file,
        None => {
            // Left by a save that failed before this one (a killed process's leftovers are
            // removed when the lock is taken).
            match fs::remove_file(temp) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            options.open(temp)?
        }
    };
    file.write_all(text)?;
    // A reused spare may be longer than the new text.
    file.set_len(text.len() as u64)?;
    file.sync_all()
}

/// Renames the spare to the temporary file and opens it for overwriting, if it exists and no
/// other name points to it (so that overwriting it cannot touch the document or its backup).
#[cfg(unix)]
fn take_spare(names: &Names, temp: &Path) -> Option<File> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    fs::rename(names.spare(), temp).ok()?;
    let file = OpenOptions::new().write(true).open(temp).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.nlink() != 1 {
        return None;
    }
    if meta.permissions().mode() & 0o777 != 0o600 {
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .ok()?;
    }
    Some(file)
}

#[cfg(not(unix))]
fn take_spare(_names: &Names, _temp: &Path) -> Option<File> {
    None
}

/// Keeps the current document as the backup. The backup is replaced by a rename, so a crash
/// at any moment leaves either the old or the new backup. A hard link costs no copy; where
/// links are not supported the file is copied. The backup being replaced stays as the spare.
fn keep_backup(names: &Names) -> io::Result<()> {
    let current = names.path();
    if !current.exists() {
        return Ok(());
    }
    let staged = names.staged();
    match fs::remove_file(&staged) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    if fs::hard_link(&current, &staged).is_err() {
        fs::copy(&current, &staged)?;
    }
    let backup = names.backup();
    if cfg!(unix) && backup.exists() {
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

    /// The file of a session.
    pub fn path(&self, id: &str) -> PathBuf {
        self.names(id).path()
    }

    /// The backup of a session's previous save.
    pub fn backup_path(&self, id: &str) -> PathBuf {
        self.names(id).backup()
    }

    /// The lock file of a session.
    pub fn lock_path(&self, id: &str) -> PathBuf {
        self.names(id).lock()
    }

    /// Where the facilitator is in a session, for windows that follow it.
    pub fn position_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.position"))
    }

    /// Creates the data directory, readable by its owner only, if it does not exist.
    fn ensure_dir(&self) -> Result<(), StoreError> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&self.dir).map_err(|source| StoreError::Dir {
            path: self.dir.clone(),
            source,
        })
    }

    /// Takes the lock of a session without waiting.
    fn lock(&self, id: &str) -> Result<SessionLock, StoreError> {
        check_id(id)?;
        self.ensure_dir()?;
        match lock(&self.names(id)) {
            Ok(file) => Ok(SessionLock {
                id: id.to_string(),
                held: Held::File(file),
            }),
            Err(LockFailure::Held(holder)) => Err(StoreError::Locked {
                id: id.to_string(),
                name: self.read(id).ok().map(|s| s.name),
                holder,
            }),
            Err(LockFailure::Io(source)) => Err(StoreError::Lock {
                id: id.to_string(),
                path: self.lock_path(id),
                source,
            }),
        }
    }

    fn read(&self, id: &str) -> Result<Session, StoreError> {
        check_id(id)?;
        let path = self.path(id);
        let text = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(StoreError::NotFound {
                    key: id.to_string(),
                });
            }
            Err(source) => return Err(StoreError::Read { path, source }),
        };
        let backup = Some(self.backup_path(id)).filter(|b| b.is_file());
        let text = String::from_utf8(text).map_err(|e| StoreError::Corrupt {
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

    fn write(&self, session: &Session) -> Result<(), StoreError> {
        let id = session.id.as_str();
        let text = format::encode(session).map_err(|e| StoreError::Encode {
            id: id.to_string(),
            reason: e.to_string(),
        })?;
        self.ensure_dir()?;
        write(&self.names(id), text.as_bytes()).map_err(|source| StoreError::Write {
            id: id.to_string(),
            path: self.path(id),
            source,
        })
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
/// file into place), size and change times. Zero when the file is missing.
fn file_revision(path: &Path) -> [u128; 4] {
    let Ok(meta) = fs::metadata(path) else {
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
        let mut ids: Vec<String> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let id = name.strip_suffix(".ron")?;
                is_valid_id(id).then(|| id.to_string())
            })
            .collect();
        ids.sort();
        Ok(ids
            .into_iter()
            .map(|id| ListEntry {
                session: self.read(&id),
                id,
            })
            .collect())
    }

    fn create(&self, session: &Session) -> Result<SessionLock, StoreError> {
        validate_name(&session.name)?;
        let lock = self.lock(&session.id)?;
        if self.path(&session.id).exists() {
            return Err(StoreError::AlreadyExists {
                id: session.id.clone(),
            });
        }
        self.write(session)?;
        Ok(lock)
    }

    fn load(&self, id: &str) -> Result<Session, StoreError> {
        self.read(id)
    }

    fn open(&self, id: &str) -> Result<(Session, SessionLock), StoreError> {
        check_id(id)?;
        if !self.path(id).exists() {
            return Err(StoreError::NotFound {
                key: id.to_string(),
            });
        }
        let lock = self.lock(id)?;
        let session = self.read(id)?;
        Ok((session, lock))
    }

    fn save(&self, lock: &SessionLock, session: &Session) -> Result<(), StoreError> {
        check_id(&session.id)?;
        if lock.id != session.id || !matches!(lock.held, Held::File(_)) {
            return Err(StoreError::WrongLock {
                id: session.id.clone(),
                held: lock.id.clone(),
            });
        }
        self.write(session)
    }

    fn save_position(&self, lock: &SessionLock, position: &Position) -> Result<(), StoreError> {
        let id = lock.id();
        check_id(id)?;
        if !matches!(lock.held, Held::File(_)) {
            return Err(StoreError::WrongLock {
                id: id.to_string(),
                held: id.to_string(),
            });
        }
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
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            options.open(&temp)?.write_all(text.as_bytes())?;
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
        File::open(self.position_path(id))
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
        let path = self.path(id);
        if !path.exists() {
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
        sync_dir(&self.dir).map_err(|source| StoreError::Dir {
            path: self.dir.clone(),
            source,
        })?;
        // The lock file goes last, while still held, so no other process saves in between.
        remove(&self.lock_path(id))?;
        drop(lock);
        Ok(())
    }
}
