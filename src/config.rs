//! Where aiready keeps its files: the data directory for sessions and the config directory for
//! user overrides (key bindings, report template).

use std::path::{Path, PathBuf};

/// The environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "AIREADY_DATA_DIR";
/// The environment variable that overrides the config directory.
pub const CONFIG_DIR_ENV: &str = "AIREADY_CONFIG_DIR";

/// Resolved locations for one run of the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// Where sessions are stored.
    pub data_dir: PathBuf,
    /// Where optional user files live (keymap.ron, report.md.j2, config).
    pub config_dir: PathBuf,
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
        Ok(Paths {
            data_dir,
            config_dir,
        })
    }
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
}
