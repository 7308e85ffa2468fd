//! Where a report goes: a regular file, created or replaced atomically, or a FIFO or character
//! device, written to directly. Nothing else is replaced: a symbolic link, a folder, a socket or
//! a block device given as the output is refused with what it is.

use super::ReportError;
use crate::store::file_kind;
use std::fs::{self, File, Metadata};
use std::io::{self, Write};
use std::path::Path;

/// How the report reached its destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// A new file was created.
    Created,
    /// An existing regular file was replaced.
    Replaced,
    /// A FIFO or character device (a pipe, a terminal, /dev/null) was written to.
    Streamed,
}

/// What a name holds that a report is not written to, in words; None for what it may be
/// written to (a regular file, a FIFO, a character device).
fn refused_kind(meta: &Metadata) -> Option<&'static str> {
    (!meta.is_file() && !is_stream(meta)).then(|| file_kind(meta))
}

/// Whether the metadata is that of a FIFO or a character device.
fn is_stream(meta: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        meta.file_type().is_fifo() || meta.file_type().is_char_device()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// Writes a report to `path`. A missing file is created and an existing regular file replaced
/// (only when `overwrite`), atomically through a temporary file (with the permissions the umask
/// gives new files). A
/// FIFO or character device, also behind a link such as `/dev/stdout`, is written to directly
/// and never replaced.
pub fn write(path: &Path, contents: &[u8], overwrite: bool) -> Result<Written, ReportError> {
    let write_err = |source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    };
    let refused = |kind: &'static str| ReportError::NotAFile {
        path: path.to_path_buf(),
        kind,
    };
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            write_atomically(path, contents, false)?;
            Ok(Written::Created)
        }
        Err(e) => Err(write_err(e)),
        Ok(meta) if meta.is_file() => {
            if !overwrite {
                return Err(ReportError::Exists {
                    path: path.to_path_buf(),
                });
            }
            write_atomically(path, contents, true)?;
            Ok(Written::Replaced)
        }
        Ok(meta) if meta.file_type().is_symlink() => match fs::metadata(path) {
            Ok(target) if is_stream(&target) => stream(path, contents),
            _ => Err(refused("a symbolic link")),
        },
        Ok(meta) if is_stream(&meta) => stream(path, contents),
        Ok(meta) => Err(refused(refused_kind(&meta).unwrap_or("not a regular file"))),
    }
}

/// A temporary file beside `path`, synced, then renamed into place.
fn write_atomically(path: &Path, contents: &[u8], overwrite: bool) -> Result<(), ReportError> {
    let write_err = |source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Created with mode 0666, which the system reduces by the umask, as for any new file.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(dir).map_err(write_err)?;
    temp.write_all(contents).map_err(write_err)?;
    temp.as_file().sync_all().map_err(write_err)?;
    if overwrite {
        temp.persist(path).map_err(|e| write_err(e.error))?;
    } else {
        // No-clobber even if the file appeared since it was looked at.
        temp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == io::ErrorKind::AlreadyExists {
                ReportError::Exists {
                    path: path.to_path_buf(),
                }
            } else {
                write_err(e.error)
            }
        })?;
    }
    Ok(())
}

/// Writes into a FIFO or character device as it is: no temporary file, no rename, no
/// truncation. Opening a FIFO waits for a reader, as a shell redirection does.
fn stream(path: &Path, contents: &[u8]) -> Result<Written, ReportError> {
    let write_err = |source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut file = open_for_streaming(path).map_err(write_err)?;
    // The name may have been swapped for a regular file since it was looked at; writing into
    // one without truncating it would leave a mix of old and new text.
    let meta = file.metadata().map_err(write_err)?;
    if !is_stream(&meta) {
        return Err(ReportError::NotAFile {
            path: path.to_path_buf(),
            kind: refused_kind(&meta).unwrap_or("a regular file that appeared meanwhile"),
        });
    }
    file.write_all(contents).map_err(write_err)?;
    file.flush().map_err(write_err)?;
    Ok(Written::Streamed)
}

#[cfg(unix)]
fn open_for_streaming(path: &Path) -> io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    // NOCTTY: writing a report to a terminal device must not make it this process's terminal.
    let flags = OFlags::WRONLY | OFlags::NOCTTY | OFlags::CLOEXEC;
    Ok(File::from(rustix::fs::open(path, flags, Mode::empty())?))
}

#[cfg(not(unix))]
fn open_for_streaming(path: &Path) -> io::Result<File> {
    fs::OpenOptions::new().write(true).open(path)
}
