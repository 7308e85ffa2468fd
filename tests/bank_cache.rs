//! The cache of validated custom questionnaire sets: a set is parsed and validated once, then
//! read from its entry while the entry holds exactly that set; a stale, corrupt, cut or foreign
//! entry is never believed but written again, and the cache follows the store's rules for
//! files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aiready::content::{self, BUILTIN_FILES, Source};
use aiready::store::BankCache;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The built-in files written into a folder as a custom set; the second questionnaire's
/// title is changed so that the set is not the built-in one.
fn custom_set(dir: &Path) -> PathBuf {
    let set = dir.join("set");
    std::fs::create_dir_all(&set).unwrap();
    for (name, text) in BUILTIN_FILES {
        let text = if name == "security.ron" {
            text.replacen("title: \"", "title: \"Custom ", 1)
        } else {
            text.to_string()
        };
        std::fs::write(set.join(name), text).unwrap();
    }
    set
}

fn sources(set: &Path) -> Vec<Source> {
    content::read_paths(&[set.to_path_buf()]).unwrap()
}

fn title(bank: &aiready::domain::questionnaire::QuestionBank) -> &str {
    &bank.questionnaires[0].title
}

#[test]
fn a_set_is_validated_once_then_read_from_its_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let set = custom_set(tmp.path());
    let cache = BankCache::new(&tmp.path().join("cache"));
    let sources = sources(&set);
    let hash = content::content_hash(&sources);
    assert!(cache.get(&hash).is_none());
    let first = cache.load(&sources).unwrap();
    assert_eq!(first, content::load_sources(&sources).unwrap());
    let entry = cache.entry_path(&hash);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&entry), 0o600);
        assert_eq!(mode(cache.dir()), 0o700);
    }
    assert_eq!(cache.get(&hash).unwrap(), first);

    // The entry is what `load` reads: one written for this set with another title is used.
    let mut other = first.clone();
    other.questionnaires[0].title = "From the cache".into();
    cache.put(&other).unwrap();
    assert_eq!(title(&cache.load(&sources).unwrap()), "From the cache");
}

#[test]
fn an_edited_set_is_validated_again() {
    let tmp = tempfile::tempdir().unwrap();
    let set = custom_set(tmp.path());
    let cache = BankCache::new(&tmp.path().join("cache"));
    let before = cache.load(&sources(&set)).unwrap();
    let file = set.join("security.ron");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("Custom ", "Edited ", 1)).unwrap();
    let after = cache.load(&sources(&set)).unwrap();
    assert!(title(&after).starts_with("Edited "), "{}", title(&after));
    assert_ne!(after.content_hash, before.content_hash);
    // An edit that breaks the set is reported, whatever the cache holds.
    std::fs::write(&file, text.replacen("weight: 2", "weight: 9", 1)).unwrap();
    let err = cache.load(&sources(&set)).unwrap_err();
    assert!(
        err.to_string().contains("weight 9 is out of range"),
        "{err}"
    );
}

#[test]
fn corrupt_cut_and_foreign_entries_are_rebuilt() {
    let tmp = tempfile::tempdir().unwrap();
    let set = custom_set(tmp.path());
    let cache = BankCache::new(&tmp.path().join("cache"));
    let sources = sources(&set);
    let hash = content::content_hash(&sources);
    let good = cache.load(&sources).unwrap();
    let entry = cache.entry_path(&hash);
    let bytes = std::fs::read(&entry).unwrap();

    let check = |damaged: Vec<u8>, what: &str| {
        std::fs::write(&entry, &damaged).unwrap();
        assert!(cache.get(&hash).is_none(), "{what} believed");
        assert_eq!(cache.load(&sources).unwrap(), good, "{what}");
        assert_eq!(
            std::fs::read(&entry).unwrap(),
            bytes,
            "{what} not rewritten"
        );
    };
    // One byte changed inside a question's text.
    let mut flipped = bytes.clone();
    let at = bytes.len() - 1000;
    flipped[at] ^= 0x20;
    check(flipped, "a changed byte");
    check(bytes[..bytes.len() / 2].to_vec(), "a cut entry");
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"more");
    check(longer, "trailing bytes");
    check(b"not a cache entry".to_vec(), "junk");
    check(Vec::new(), "an empty file");
    let mut header = bytes.clone();
    header[20] ^= 1;
    check(header, "a damaged header");

    // The entry of another set under this set's name.
    let mut other = good.clone();
    other.content_hash = "f".repeat(64);
    cache.put(&other).unwrap();
    std::fs::copy(cache.entry_path(&other.content_hash), &entry).unwrap();
    assert!(cache.get(&hash).is_none());
    assert_eq!(cache.load(&sources).unwrap(), good);
}

#[cfg(unix)]
#[test]
fn a_cache_others_control_or_links_and_special_files_are_not_used() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let set = custom_set(tmp.path());
    let cache = BankCache::new(&tmp.path().join("cache"));
    let sources = sources(&set);
    let hash = content::content_hash(&sources);
    let good = cache.load(&sources).unwrap();
    let entry = cache.entry_path(&hash);

    // A folder others may write to: its entries could come from anyone.
    std::fs::set_permissions(cache.dir(), std::fs::Permissions::from_mode(0o777)).unwrap();
    assert!(cache.get(&hash).is_none());
    assert_eq!(cache.load(&sources).unwrap(), good);
    std::fs::set_permissions(cache.dir(), std::fs::Permissions::from_mode(0o700)).unwrap();
    assert!(cache.get(&hash).is_some());

    // A link at the entry's name, to a good entry elsewhere: not followed, not replaced.
    let outside = tmp.path().join("outside.bank");
    std::fs::rename(&entry, &outside).unwrap();
    std::os::unix::fs::symlink(&outside, &entry).unwrap();
    assert!(cache.get(&hash).is_none());
    assert_eq!(cache.load(&sources).unwrap(), good);
    assert!(
        std::fs::symlink_metadata(&entry)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // A FIFO at the entry's name: nothing waits on it.
    std::fs::remove_file(&entry).unwrap();
    rustix::fs::mknodat(
        rustix::fs::CWD,
        &entry,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_bits_truncate(0o600),
        0,
    )
    .unwrap();
    assert_eq!(cache.load(&sources).unwrap(), good);
}

#[test]
fn only_the_newest_entries_are_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let set = custom_set(tmp.path());
    let cache = BankCache::new(&tmp.path().join("cache"));
    let mut bank = cache.load(&sources(&set)).unwrap();
    for i in 0..12 {
        bank.content_hash = format!("{i:064}");
        cache.put(&bank).unwrap();
    }
    let entries = std::fs::read_dir(cache.dir()).unwrap().count();
    assert!(entries <= 8, "{entries} entries");
    assert!(cache.get(&format!("{:064}", 11)).is_some());
}

#[test]
fn the_command_line_caches_the_questionnaires_set() {
    let tmp = tempfile::tempdir().unwrap();
    let set = custom_set(tmp.path());
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_aiready"))
            .args(["--questionnaires"])
            .arg(&set)
            .args(["questionnaires", "list"])
            .env("AIREADY_DATA_DIR", tmp.path().join("data"))
            .env("AIREADY_CONFIG_DIR", tmp.path().join("config"))
            .env("AIREADY_CACHE_DIR", tmp.path().join("cache"))
            .output()
            .unwrap()
    };
    let first = run();
    assert!(first.status.success(), "{first:?}");
    let cache = BankCache::new(&tmp.path().join("cache"));
    let entry = cache.entry_path(&content::content_hash(&sources(&set)));
    assert!(entry.exists());
    let second = run();
    assert_eq!(second.stdout, first.stdout);
    assert!(String::from_utf8_lossy(&first.stdout).contains("Custom "));
}
