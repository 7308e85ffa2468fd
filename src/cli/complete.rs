//! Shell completion: the scripts `aiready completions SHELL` prints call the binary back
//! (`COMPLETE=bash aiready -- ...`) and it answers with the candidates, session ids and names
//! included. Everything is local: the candidates come from the data directory.

use super::Cli;
use crate::config::Paths;
use crate::store::FileStore;
use clap::CommandFactory;
use clap_complete::engine::CompletionCandidate;
use clap_complete::env::{CompleteEnv, Shells};
use std::ffi::OsString;
use std::io::Write;

/// The environment variable a completion script sets when it calls aiready for candidates.
const VAR: &str = "COMPLETE";

/// Answers a completion request and exits, if this run is one; returns at once otherwise.
pub fn complete_if_asked() {
    CompleteEnv::with_factory(Cli::command).var(VAR).complete();
}

/// Writes the script that registers completion for `shell`; it calls this binary (as it was
/// invoked) for candidates.
pub fn write_script(shell: clap_complete::Shell, out: &mut dyn Write) -> std::io::Result<()> {
    let name = shell.to_string();
    let shells = Shells::builtins();
    let Some(completer) = shells.completer(&name) else {
        return Err(std::io::Error::other(format!(
            "no completion support for {name}"
        )));
    };
    let invoked: OsString = std::env::args_os()
        .next()
        .unwrap_or_else(|| OsString::from("aiready"));
    let mut program = std::path::PathBuf::from(invoked);
    // A relative path with a folder stops working once the shell changes directory.
    if program.components().count() > 1
        && let Ok(dir) = std::env::current_dir()
    {
        program = dir.join(program);
    }
    completer.write_registration(VAR, "aiready", "aiready", &program.to_string_lossy(), out)
}

/// Whether every shell reads the text as one word without quotes.
fn is_plain_word(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ',' | '+' | '@' | ':' | '/')
        })
}

/// Session ids (with the name as help) and names, from the data directory given by
/// `AIREADY_DATA_DIR` or the platform default. Nothing is offered when it cannot be read.
pub fn sessions() -> Vec<CompletionCandidate> {
    let Ok(paths) = Paths::resolve(None) else {
        return Vec::new();
    };
    let Ok(entries) = FileStore::new(&paths.data_dir).session_names() else {
        return Vec::new();
    };
    let mut candidates = Vec::new();
    let mut names = Vec::new();
    for (id, name) in entries {
        let Some(name) = name else {
            continue;
        };
        let shown = crate::text::value(&name).into_owned();
        candidates.push(CompletionCandidate::new(&id).help(Some(shown.into())));
        // The engine hands candidates to the shell unquoted: a name is offered only when the
        // shell reads it back as one word. Names with spaces are shown as the ids' help.
        if is_plain_word(&name) {
            names.push(name);
        }
    }
    names.sort();
    names.dedup();
    candidates.extend(names.into_iter().map(CompletionCandidate::new));
    candidates
}
