//! Where aiready keeps its files: the data directory for sessions and the config directory for
//! user overrides (key bindings, report template).

use std::path::{Path, PathBuf};

/// The environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "AIREADY_DATA_DIR";
/// The environment variable that overrides the config directory.
pub const CONFIG_DIR_ENV: &str = "AIREADY_CONFIG_DIR";
/// The environment variable that overrides the cache directory.
pub const CACHE_DIR_ENV: &str = "AIREADY_CACHE_DIR";

/// Resolved locations for one run of the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// Where sessions are stored.
    pub data_dir: PathBuf,
    /// Where optional user files live (keymap.ron, report.md.j2, config).
    pub config_dir: PathBuf,
    /// Where validated custom questionnaire sets are kept so that they load without parsing;
    /// None when there is no home directory (nothing is cached then).
    pub cache_dir: Option<PathBuf>,
}

impl Paths {
    /// Resolves the directories: an explicit `--data-dir` wins, then `AIREADY_DATA_DIR`, then the
    /// platform's data directory. Nothing is created here; the store creates on first use.
    pub fn resolve(data_dir_flag: Option<&Path>) -> Result<Paths, PathsError> {
        let project = directories::ProjectDirs::from("", "", "aiready");
        let data_dir = match data_dir_flag {
            Some(dir) => dir.to_path_buf(),
            None => match env_path(DATA_DIR_ENV) {
                Some(dir) => dir,
                None => project
                    .as_ref()
                    .map(|p| p.data_dir().to_path_buf())
                    .ok_or(PathsError::NoHome)?,
            },
        };
        let config_dir = match env_path(CONFIG_DIR_ENV) {
            Some(dir) => dir,
            None => project
                .as_ref()
                .map(|p| p.config_dir().to_path_buf())
                .ok_or(PathsError::NoHome)?,
        };
        let cache_dir = env_path(CACHE_DIR_ENV)
            .or_else(|| project.as_ref().map(|p| p.cache_dir().to_path_buf()));
        Ok(Paths {
            data_dir,
            config_dir,
            cache_dir,
        })
    }
}

/// The local time zone, for times shown on screen. With `TZ` unset it is read straight from
/// `/etc/localtime` and named after the zone its link points to: jiff's own lookup would first
/// walk the whole zone database to match that name, which costs more than the rest of start-up
/// before the first frame. `TZ`, or a system without that file, goes through jiff's lookup.
pub fn local_time_zone() -> jiff::tz::TimeZone {
    #[cfg(unix)]
    if std::env::var_os("TZ").is_none()
        && let Some(zone) = zone_file(Path::new("/etc/localtime"))
    {
        return zone;
    }
    jiff::tz::TimeZone::system()
}

/// The time zone in a TZif file, named after the part of its link target after `zoneinfo/`.
fn zone_file(path: &Path) -> Option<jiff::tz::TimeZone> {
    let data = std::fs::read(path).ok()?;
    let target = std::fs::read_link(path).ok();
    let name = target
        .as_deref()
        .and_then(Path::to_str)
        .and_then(|t| t.rsplit_once("zoneinfo/"))
        .map_or("Local", |(_, name)| name);
    jiff::tz::TimeZone::tzif(name, &data).ok()
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Why the directories could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum PathsError {
    /// No home directory, and no override given.
    #[error(
        "cannot find a home directory for aiready's data; pass --data-dir DIR or set {DATA_DIR_ENV}"
    )]
    NoHome,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_data_dir_wins() {
        let paths = Paths::resolve(Some(Path::new("/tmp/aiready-x"))).unwrap();
        assert_eq!(paths.data_dir, PathBuf::from("/tmp/aiready-x"));
    }

    /// A zone file read directly tells the same offsets as jiff's lookup by name, and carries
    /// the name of the zone its link points to.
    #[cfg(unix)]
    #[test]
    fn a_zone_file_read_directly_is_the_named_zone() {
        let file = Path::new("/usr/share/zoneinfo/Europe/Berlin");
        let Ok(named) = jiff::tz::TimeZone::get("Europe/Berlin") else {
            eprintln!("skipped: no zone database on this system");
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("localtime");
        std::os::unix::fs::symlink(file, &link).unwrap();
        let zone = zone_file(&link).unwrap();
        assert_eq!(zone.iana_name(), Some("Europe/Berlin"));
        for second in [0, 1_700_000_000, 1_720_000_000] {
            let t = jiff::Timestamp::from_second(second).unwrap();
            assert_eq!(zone.to_offset(t), named.to_offset(t));
        }
        // A copy rather than a link has no name to give.
        let copy = dir.path().join("copy");
        std::fs::copy(file, &copy).unwrap();
        assert_eq!(zone_file(&copy).unwrap().iana_name(), Some("Local"));
        assert!(zone_file(&dir.path().join("missing")).is_none());
    }
}
