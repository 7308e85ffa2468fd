//! The `aiready` binary: install error reporting, run the command line, map errors to exit codes.

use std::process::ExitCode;

fn main() -> ExitCode {
    // Shell completion asks the binary itself for candidates (session ids and names); this
    // returns at once unless a completion script called it.
    aiready::cli::complete_if_asked();
    // Panics get a readable report; the TUI restores the terminal before this hook runs.
    if let Err(err) = color_eyre::install() {
        eprintln!("aiready: cannot install the error reporter: {err}");
    }
    match aiready::cli::run() {
        Ok(code) => code,
        // The reader went away (`aiready export S | head -1`): nothing is wrong.
        Err(err) if err.is_closed_pipe() => ExitCode::SUCCESS,
        Err(err) => {
            // Messages quote paths, names and file contents: nothing in them may act on the
            // terminal.
            eprintln!("aiready: {}", aiready::text::lines(&err.to_string()));
            err.exit_code()
        }
    }
}
