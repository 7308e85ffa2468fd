//! Validated custom questionnaire sets, kept in the cache directory by content hash so that a
//! large set is parsed and validated once, not by every command.
//!
//! An entry is `<cache>/banks/<key>.bank`, where the key is a SHA-256 over the set's content
//! hash, this program's version and the built-in set (a set without a scoping profile takes the
//! built-in one). It holds a header (format, program version, built-in hash, the set's content
//! hash, and a SHA-256 of the body) and the bank in compact binary form. An entry is used only
//! when every one of those matches; a stale, corrupt, cut or foreign entry is ignored and
//! written again from the set. The cache directory must belong to the user and be writable by no
//! one else, or it is not used at all; entries are opened without following links, refused when
//! not regular files, and written readable by the owner only through a temporary file and a
//! rename.

use super::nofollow::{self, Access, check_replaceable};
use crate::content::{self, ContentError, Source};
use crate::domain::questionnaire::QuestionBank;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The first bytes of every entry.
const MAGIC: &[u8; 16] = b"aiready bank v1\n";

/// The version of the entry layout; an entry of another version is ignored.
const FORMAT: u32 = 1;

/// How many entries are kept; older ones (sets edited since) are removed.
const KEEP: usize = 8;

/// The largest header read.
const MAX_HEADER: u32 = 4096;

/// What an entry says about itself, checked before its body is decoded.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Header {
    format: u32,
    program: String,
    builtin: String,
    content_hash: String,
    body_len: u64,
    body_sha256: [u8; 32],
}

impl Header {
    fn expected(content_hash: &str, body: &[u8]) -> Header {
        Header {
            format: FORMAT,
            program: env!("CARGO_PKG_VERSION").to_string(),
            builtin: env!("AIREADY_BUILTIN_HASH").to_string(),
            content_hash: content_hash.to_string(),
            body_len: body.len() as u64,
            body_sha256: Sha256::digest(body).into(),
        }
    }
}

/// The cache of validated custom sets in one directory.
#[derive(Debug, Clone)]
pub struct BankCache {
    dir: PathBuf,
}

impl BankCache {
    /// The cache under the cache directory; nothing is created until a set is kept.
    pub fn new(cache_dir: &Path) -> BankCache {
        BankCache {
            dir: cache_dir.join("banks"),
        }
    }

    /// The folder holding the entries.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry of a set with this content hash.
    pub fn entry_path(&self, content_hash: &str) -> PathBuf {
        let mut key = Sha256::new();
        for part in [
            content_hash,
            env!("CARGO_PKG_VERSION"),
            env!("AIREADY_BUILTIN_HASH"),
        ] {
            key.update(part.as_bytes());
            key.update([0]);
        }
        let key: String = key.finalize().iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{key}.bank"))
    }

    /// Loads a set: from its entry when there is a good one, else parsed and validated from
    /// the sources and kept for next time. Problems in the set are reported as always.
    pub fn load(&self, sources: &[Source]) -> Result<QuestionBank, ContentError> {
        let content_hash = content::content_hash(sources);
        if let Some(bank) = self.get(&content_hash) {
            return Ok(bank);
        }
        let bank = content::load_sources(sources).map_err(ContentError::Invalid)?;
        // A cache that cannot be written only means parsing again next time.
        let _ = self.put(&bank);
        Ok(bank)
    }

    /// The bank of the set with this content hash, if a good entry holds it.
    pub fn get(&self, content_hash: &str) -> Option<QuestionBank> {
        if !self.private_dir() {
            return None;
        }
        let path = self.entry_path(content_hash);
        let mut file = nofollow::open(&path, Access::Read).ok()?;
        let mut magic = [0u8; MAGIC.len()];
        file.read_exact(&mut magic).ok()?;
        if &magic != MAGIC {
            return None;
        }
        let mut len = [0u8; 4];
        file.read_exact(&mut len).ok()?;
        let len = u32::from_le_bytes(len);
        if len > MAX_HEADER {
            return None;
        }
        let mut header = vec![0u8; len as usize];
        file.read_exact(&mut header).ok()?;
        let header: Header = postcard::from_bytes(&header).ok()?;
        let mut body = Vec::with_capacity(usize::try_from(header.body_len).ok()?);
        file.take(header.body_len + 1).read_to_end(&mut body).ok()?;
        if header != Header::expected(content_hash, &body) {
            return None;
        }
        let bank = content::decode_bank(&body).ok()?;
        (bank.content_hash == content_hash).then_some(bank)
    }

    /// Keeps a validated bank under its content hash.
    pub fn put(&self, bank: &QuestionBank) -> io::Result<()> {
        self.ensure_dir()?;
        let body = content::encode_bank(bank).map_err(io::Error::other)?;
        let header = postcard::to_allocvec(&Header::expected(&bank.content_hash, &body))
            .map_err(io::Error::other)?;
        let path = self.entry_path(&bank.content_hash);
        check_replaceable(&path)?;
        let mut temp = tempfile::Builder::new()
            .prefix(".bank.")
            .suffix(".tmp")
            .tempfile_in(&self.dir)?;
        temp.write_all(MAGIC)?;
        temp.write_all(&(header.len() as u32).to_le_bytes())?;
        temp.write_all(&header)?;
        temp.write_all(&body)?;
        temp.persist(&path).map_err(|e| e.error)?;
        self.trim();
        Ok(())
    }

    /// Creates the folder, readable by its owner only, and checks that no one else controls it.
    fn ensure_dir(&self) -> io::Result<()> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&self.dir)?;
        if self.private_dir() {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "{} is not a directory private to this user",
                self.dir.display()
            )))
        }
    }

    /// Whether the folder is a directory (not a link) that belongs to the user and that no one
    /// else may write to: entries from anywhere else are not believed.
    fn private_dir(&self) -> bool {
        fs::symlink_metadata(&self.dir)
            .is_ok_and(|meta| meta.is_dir() && nofollow::exposure(&meta).is_none())
    }

    /// Removes all but the newest entries, and temporary files of writes that never finished.
    fn trim(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        let mut banks = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let Ok(meta) = entry.metadata() else { continue };
            if name.ends_with(".bank") && meta.is_file() {
                banks.push((meta.modified().ok(), entry.path()));
            } else if name.starts_with(".bank.")
                && name.ends_with(".tmp")
                && meta
                    .modified()
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age.as_secs() > 60)
            {
                let _ = fs::remove_file(entry.path());
            }
        }
        if banks.len() <= KEEP {
            return;
        }
        banks.sort_by_key(|b| std::cmp::Reverse(b.0));
        for (_, path) in banks.into_iter().skip(KEEP) {
            let _ = fs::remove_file(path);
        }
    }
}
