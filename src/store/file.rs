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

use super::format::{self, DecodeError};
use super::{Held, ListEntry, SessionLock, SessionStore, StoreError, check_id, is_valid_id};
use crate::domain::session::{Session, validate_name};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

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

    /// The file of a session.
    pub fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.ron"))
    }

    /// The backup of a session's previous save.
    pub fn backup_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.ron.bak"))
    }

    /// The file a save writes its text into; the previous spare when there is one.
    fn temp_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!(".{id}.save.tmp"))
    }

    /// The former backup, kept so that the next save can reuse its disk blocks.
    fn spare_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!(".{id}.spare"))
    }

    /// The lock file of a session.
    pub fn lock_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.lock"))
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
        let path = self.lock_path(id);
        let lock_err = |source| StoreError::Lock {
            id: id.to_string(),
            path: path.clone(),
            source,
        };
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path).map_err(lock_err)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                // The holder's note is informative only; an unreadable one is left out.
                let _ = file.read_to_string(&mut holder);
                return Err(StoreError::Locked {
                    id: id.to_string(),
                    name: self.read(id).ok().map(|s| s.name),
                    holder: holder.trim().to_string(),
                });
            }
            Err(fs::TryLockError::Error(source)) => return Err(lock_err(source)),
        }
        // A note for whoever finds the session locked; the lock itself is what counts.
        let note = format!("process {}", std::process::id());
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(note.as_bytes()))
            .map_err(lock_err)?;
        self.remove_stale_temps(id);
        Ok(SessionLock {
            id: id.to_string(),
            held: Held::File(file),
        })
    }

    /// Removes temporary files a killed process left behind; only called under the lock, so
    /// no save is in progress.
    fn remove_stale_temps(&self, id: &str) {
        let prefix = format!(".{id}.");
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(&prefix) && name.ends_with(".tmp") {
                // A leftover that cannot be removed does no harm.
                let _ = fs::remove_file(entry.path());
            }
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
        let path = self.path(id);
        let write_err = |source| StoreError::Write {
            id: id.to_string(),
            path: path.clone(),
            source,
        };
        let temp = self.temp_path(id);
        let result = self.write_temp(id, &temp, text.as_bytes()).and_then(|()| {
            self.keep_backup(id)?;
            fs::rename(&temp, &path)?;
            sync_dir(&self.dir)
        });
        if result.is_err() {
            // Nothing half-written is left behind; the session file itself is untouched.
            let _ = fs::remove_file(&temp);
        }
        result.map_err(write_err)
    }

    /// Writes the text into the temporary file and syncs it: over the spare when there is
    /// one, else into a new file readable by its owner only.
    fn write_temp(&self, id: &str, temp: &Path, text: &[u8]) -> io::Result<()> {
        let mut file = match self.take_spare(id, temp) {
            Some(file) => file,
            None => {
                // Left by a save that failed before this one (a killed process's leftovers
                // are removed when the lock is taken).
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

    /// Renames the spare to the temporary file and opens it for overwriting, if it exists and
    /// no other name points to it (so that overwriting it cannot touch the session file or its
    /// backup).
    #[cfg(unix)]
    fn take_spare(&self, id: &str, temp: &Path) -> Option<File> {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        fs::rename(self.spare_path(id), temp).ok()?;
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
    fn take_spare(&self, _id: &str, _temp: &Path) -> Option<File> {
        None
    }

    /// Keeps the current file as the backup. The backup is replaced by a rename, so a crash
    /// at any moment leaves either the old or the new backup. A hard link costs no copy; where
    /// links are not supported the file is copied. The backup being replaced stays as the spare.
    fn keep_backup(&self, id: &str) -> io::Result<()> {
        let current = self.path(id);
        if !current.exists() {
            return Ok(());
        }
        let staged = self.dir.join(format!(".{id}.bak.tmp"));
        match fs::remove_file(&staged) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        if fs::hard_link(&current, &staged).is_err() {
            fs::copy(&current, &staged)?;
        }
        let backup = self.backup_path(id);
        if cfg!(unix) && backup.exists() {
            let spare = self.spare_path(id);
            // Without the spare the old backup is simply deleted by the rename below.
            let _ = fs::remove_file(&spare);
            let _ = fs::hard_link(&backup, &spare);
        }
        fs::rename(&staged, backup)
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
        remove(&self.spare_path(id))?;
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
