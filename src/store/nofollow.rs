//! Opening files in the data directory without following symbolic links, and checking that the
//! directory itself is private.
//!
//! Anyone who can plant a symbolic link, a FIFO or a device node under a name the store uses
//! could otherwise make a save overwrite (or a lock truncate) a file elsewhere, or make a read
//! hang for ever. So every store file is opened with `O_NOFOLLOW` and `O_NONBLOCK`, checked to
//! be a regular file on the open descriptor, and every name a save renames over is checked first.

use std::fmt;
use std::fs::{self, File, Metadata};
use std::io;
use std::path::{Path, PathBuf};

/// How a store file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read an existing file.
    Read,
    /// Read and write, creating the file (readable by its owner only) if needed: lock files.
    Lock,
    /// Write a file that must not exist yet, readable by its owner only.
    CreateNew,
    /// Overwrite an existing file.
    Write,
}

/// A name the store uses holds something it must not write through or read from.
#[derive(Debug)]
pub struct NotAFile {
    /// The path.
    pub path: PathBuf,
    /// What it is, e.g. "a symbolic link".
    pub kind: &'static str,
}

impl fmt::Display for NotAFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is {}, not a regular file; aiready does not read or write through it. Move it out of the way",
            self.path.display(),
            self.kind
        )
    }
}

impl std::error::Error for NotAFile {}

/// What kind of file the metadata describes, in words.
pub fn kind_of(meta: &Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_symlink() {
        return "a symbolic link";
    }
    if kind.is_dir() {
        return "a directory";
    }
    if kind.is_file() {
        return "a regular file";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// The error for a path that holds something other than a regular file.
pub fn not_a_file(path: &Path, meta: &Metadata) -> io::Error {
    io::Error::other(NotAFile {
        path: path.to_path_buf(),
        kind: kind_of(meta),
    })
}

/// Fails unless `path` is absent or a regular file (not following a link): checked before a
/// name is renamed over or linked from.
pub fn check_replaceable(path: &Path) -> io::Result<bool> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => Ok(true),
        Ok(meta) => Err(not_a_file(path, &meta)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Opens a store file without following a symbolic link; anything but a regular file is
/// refused with its path and kind.
pub fn open(path: &Path, access: Access) -> io::Result<File> {
    open_with_metadata(path, access).map(|(file, _)| file)
}

/// Opens a store file like [`open`], with the metadata of the open file (read for the check
/// anyway, so a reader needs no second look).
#[cfg(unix)]
pub fn open_with_metadata(path: &Path, access: Access) -> io::Result<(File, Metadata)> {
    use rustix::fs::{Mode, OFlags};
    // NONBLOCK: opening a planted FIFO must fail or return at once, never wait for a writer.
    let mut flags = OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    flags |= match access {
        Access::Read => OFlags::RDONLY,
        Access::Lock => OFlags::RDWR | OFlags::CREATE,
        Access::CreateNew => OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL,
        Access::Write => OFlags::WRONLY,
    };
    match rustix::fs::open(path, flags, Mode::from_bits_truncate(0o600)) {
        Ok(fd) => {
            let file = File::from(fd);
            let meta = file.metadata()?;
            if meta.is_file() {
                Ok((file, meta))
            } else {
                Err(not_a_file(path, &meta))
            }
        }
        Err(errno) => {
            // A link (ELOOP), a directory (EISDIR) or a FIFO without a reader (ENXIO): say what
            // is there rather than the system's terse reason.
            match fs::symlink_metadata(path) {
                Ok(meta) if !meta.is_file() => Err(not_a_file(path, &meta)),
                _ => Err(io::Error::from(errno)),
            }
        }
    }
}

/// Opens a store file, with its metadata; without `O_NOFOLLOW` the file type is checked after
/// opening.
#[cfg(not(unix))]
pub fn open_with_metadata(path: &Path, access: Access) -> io::Result<(File, Metadata)> {
    check_replaceable(path)?;
    let mut options = fs::OpenOptions::new();
    match access {
        Access::Read => options.read(true),
        Access::Lock => options.read(true).write(true).create(true).truncate(false),
        Access::CreateNew => options.write(true).create_new(true),
        Access::Write => options.write(true),
    };
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() {
        Ok((file, meta))
    } else {
        Err(not_a_file(path, &meta))
    }
}

/// Whether the open file is the one `path` names now (not following a link). A lock taken on
/// a lock file that was removed meanwhile guards nothing.
#[cfg(unix)]
pub fn is_same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

/// Whether the open file is the one `path` names now; without inode numbers, whether it exists.
#[cfg(not(unix))]
pub fn is_same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// Why the data directory is not safe to use, with how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exposure {
    /// Its group or everyone may create and rename files in it.
    Writable {
        /// "its group", "every user" or "its group and every user".
        by: &'static str,
    },
    /// It belongs to another user.
    Owner {
        /// The owner's user id.
        owner: u32,
        /// The current user's id.
        user: u32,
    },
}

/// Why a directory is not private to the current user, if it is not: writable by its group or
/// others, or owned by someone else. Another user who can write to the data directory can
/// plant links there; one who owns it can change its permissions at any time.
#[cfg(unix)]
pub fn exposure(meta: &Metadata) -> Option<Exposure> {
    use std::os::unix::fs::MetadataExt;
    let user = rustix::process::geteuid().as_raw();
    if meta.uid() != user {
        return Some(Exposure::Owner {
            owner: meta.uid(),
            user,
        });
    }
    match (meta.mode() & 0o020 != 0, meta.mode() & 0o002 != 0) {
        (false, false) => None,
        (true, false) => Some(Exposure::Writable { by: "its group" }),
        (false, true) => Some(Exposure::Writable { by: "every user" }),
        (true, true) => Some(Exposure::Writable {
            by: "its group and every user",
        }),
    }
}

/// Directories have no Unix owner or mode here; nothing to check.
#[cfg(not(unix))]
pub fn exposure(_meta: &Metadata) -> Option<Exposure> {
    None
}
