//! Running the built binary for the report tests: a data and a config directory inside the
//! test's own directory, and a session stored there.

use aiready::domain::session::Session;
use aiready::store::{FileStore, SessionStore};
use std::path::Path;
use std::process::{Command, Output};

/// Runs `aiready ARGS` in `dir`, with its data in `dir/data` and its config in `dir/config`.
pub fn aiready(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aiready"))
        .args(args)
        .current_dir(dir)
        .env("AIREADY_DATA_DIR", dir.join("data"))
        .env("AIREADY_CONFIG_DIR", dir.join("config"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

/// What a run printed to standard output.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What a run printed to standard error.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A temporary directory whose data directory holds `session`.
pub fn with_session(session: &Session) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = FileStore::new(dir.path().join("data"));
    drop(store.create(session).expect("the session is stored"));
    dir
}
