//! Compiles the built-in questionnaires into the program.
//!
//! The RON files in `questionnaires/` are loaded and validated here by the program's own loader
//! (the modules below are the program's source files, not copies), so a broken built-in file
//! fails the build with the same messages `aiready questionnaires validate` prints. The
//! validated bank, its content hash included, is written to `OUT_DIR` in postcard form, which
//! the program reads at start without parsing RON or validating again.

// The build script uses the loader only; the rest of these modules is for the program.
#[allow(dead_code)]
#[path = "src/text.rs"]
mod text;

#[allow(dead_code)]
#[path = "src/domain"]
mod domain {
    pub mod framework;
    pub mod questionnaire;
    pub mod reassess;
    pub mod scale;
    pub mod session;
    pub mod typed_text;
}

#[allow(dead_code, unused_imports)]
#[path = "src/content/mod.rs"]
mod content;

#[allow(dead_code)]
#[path = "src/tui/keymap/bindings.rs"]
mod keymap;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    // The questionnaires, the key map and every source file above are compiled into this script
    // (`include_str!` and `#[path]`), so a change to any of them rebuilds and reruns it.
    println!("cargo::rerun-if-changed=build.rs");
    let Some(out_dir) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        eprintln!("OUT_DIR is not set; run the build through cargo");
        return ExitCode::FAILURE;
    };
    let sources = content::builtin_sources();
    let keymap_path = std::path::Path::new("assets/keymap.ron");
    let compiled = [
        (
            "the built-in questionnaires are invalid",
            content::EMBEDDED_BANK_FILE,
            content::compile_builtin(&sources).map_err(|e| e.to_string()),
        ),
        (
            "the default key map is invalid",
            keymap::COMPILED_DEFAULTS_FILE,
            keymap::check_defaults(include_str!("assets/keymap.ron"), keymap_path)
                .map_err(|e| e.to_string()),
        ),
    ];
    for (invalid, file, result) in compiled {
        let bytes = match result {
            Ok(bytes) => bytes,
            Err(err) => {
                eprintln!("{invalid}:\n{err}");
                return ExitCode::FAILURE;
            }
        };
        let path = out_dir.join(file);
        if let Err(err) = std::fs::write(&path, bytes) {
            eprintln!("cannot write {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
    }
    println!("cargo::rustc-cfg=embedded_bank");
    // Banks cached from custom sets with no scoping profile of their own hold the built-in one.
    println!(
        "cargo::rustc-env=AIREADY_BUILTIN_HASH={}",
        content::content_hash(&sources)
    );
    ExitCode::SUCCESS
}
