//! The `aiready` binary: install error reporting, run the command line, map errors to exit codes.

use std::process::ExitCode;

fn main() -> ExitCode {
    // Panics get a readable report; the TUI restores the terminal before this hook runs.
    if let Err(err) = color_eyre::install() {
        eprintln!("aiready: cannot install the error reporter: {err}");
    }
    match aiready::cli::run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("aiready: {err}");
            ExitCode::FAILURE
        }
    }
}
