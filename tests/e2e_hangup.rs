//! The terminal goes away under the running program (its window closed, a multiplexer killed,
//! the connection dropped): the program saves what was typed, lets go of the session and
//! exits, whether or not a shell forwards it the SIGHUP.
//!
//! The pseudo-terminal is opened here rather than through `common::pty`, whose reader keeps a
//! second handle on the terminal's other end: closing the one handle held here is the hang-up.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
use rustix::termios::{Winsize, tcsetwinsize};
use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long to wait for a screen, or for the program to exit, before failing.
const PATIENCE: Duration = Duration::from_secs(20);

/// The program in a terminal whose other end only this holds.
struct Terminal {
    master: Option<OwnedFd>,
    screen: vt100::Parser,
    child: Child,
}

impl Terminal {
    /// `aiready args` in a 120x40 terminal, its data and config under `dir`. The program is
    /// not made the terminal's session leader: no SIGHUP comes unless a test sends one.
    fn spawn(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Terminal {
        let master =
            openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).unwrap();
        grantpt(&master).unwrap();
        unlockpt(&master).unwrap();
        let name = ptsname(&master, Vec::new()).unwrap();
        let no_ctty = i32::try_from(rustix::fs::OFlags::NOCTTY.bits()).unwrap();
        let slave = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(no_ctty)
            .open(OsStr::from_bytes(name.as_bytes()))
            .unwrap();
        let size = Winsize {
            ws_row: 40,
            ws_col: 120,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        tcsetwinsize(&slave, size).unwrap();
        let stdio = |file: &File| Stdio::from(file.try_clone().unwrap());
        let child = Command::new(env!("CARGO_BIN_EXE_aiready"))
            .args(args)
            .current_dir(dir)
            .env("AIREADY_DATA_DIR", dir.join("data"))
            .env("AIREADY_CONFIG_DIR", dir.join("config"))
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR")
            .env_remove("AIREADY_THEME")
            .envs(env.iter().copied())
            .stdin(stdio(&slave))
            .stdout(stdio(&slave))
            .stderr(stdio(&slave))
            .spawn()
            .unwrap();
        Terminal {
            master: Some(master),
            screen: vt100::Parser::new(40.try_into().unwrap(), 120.try_into().unwrap(), 0),
            child,
        }
    }

    fn master(&self) -> &OwnedFd {
        self.master.as_ref().expect("the terminal is still there")
    }

    /// Reads what the program draws until `text` is on the screen.
    fn wait_for(&mut self, text: &str) {
        let start = Instant::now();
        let tick = Timespec::try_from(Duration::from_millis(20)).unwrap();
        let mut buf = [0u8; 8192];
        while !self.screen.screen().contents().contains(text) {
            assert!(
                start.elapsed() < PATIENCE,
                "waited in vain for \"{text}\"; the screen:\n{}",
                self.screen.screen().contents()
            );
            let mut fds = [PollFd::new(self.master(), PollFlags::IN)];
            if poll(&mut fds, Some(&tick)).unwrap() > 0 {
                let n = rustix::io::read(self.master(), &mut buf).unwrap();
                self.screen.process(&buf[..n]);
            }
        }
    }

    /// Types `keys`, then pauses so that an Esc is not read together with the next key.
    fn send(&mut self, keys: &str) {
        let written = rustix::io::write(self.master(), keys.as_bytes()).unwrap();
        assert_eq!(written, keys.len());
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Closes the terminal's other end, as a closed window or a dropped connection does.
    fn hang_up(&mut self) {
        drop(self.master.take());
    }

    /// Waits for the program to exit; fails if it is still running after the patience.
    fn wait_exit(&mut self) -> std::process::ExitStatus {
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        panic!("the program was still running {PATIENCE:?} after its terminal went away");
    }
}

/// Everything saved in the data directory's session files.
fn saved_sessions(dir: &Path) -> String {
    std::fs::read_dir(dir.join("data"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// A session with a note typed and not yet saved (the notes editor is still open), the program
/// started with `env`.
fn typing_a_note(dir: &Path, env: &[(&str, &str)]) -> Terminal {
    let mut app = Terminal::spawn(&["new", "--name", "Hung up"], dir, env);
    app.wait_for("question 1 of");
    app.send("e");
    app.wait_for("Enter: new line");
    app.send("typed before the hang-up");
    app.wait_for("typed before the hang-up");
    app
}

/// The program ended as hung up, with the note saved and the session let go of.
fn assert_ended_after_a_save(mut app: Terminal, dir: &Path) {
    let status = app.wait_exit();
    // Reported as a hang-up, by the shell's convention for "ended by a signal".
    assert_eq!(status.code(), Some(128 + 1), "{status:?}");
    assert!(
        saved_sessions(dir).contains("typed before the hang-up"),
        "the note typed before the hang-up was not saved"
    );
    // The session can be opened for writing again: its lock went with the program.
    let out = Command::new(env!("CARGO_BIN_EXE_aiready"))
        .args(["sessions", "delete", "Hung up", "--yes"])
        .env("AIREADY_DATA_DIR", dir.join("data"))
        .env("AIREADY_CONFIG_DIR", dir.join("config"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the session is still held: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_terminal_that_goes_away_without_a_signal_ends_the_program_after_a_save() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = typing_a_note(dir.path(), &[]);
    app.hang_up();
    assert_ended_after_a_save(app, dir.path());
}

/// A hang-up can come after the event loop last looked at the terminal and before crossterm
/// reads it, whose reader then loops for ever. That window is short, so the program is made to
/// leave every hang-up to its watching thread (a debug build's switch), which has to end it
/// just as the loop would.
#[test]
fn a_hang_up_that_comes_while_crossterm_reads_ends_the_program_after_a_save() {
    if !cfg!(debug_assertions) {
        eprintln!(
            "skipped: the switch that leaves hang-ups to the watching thread is in debug builds only"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut app = typing_a_note(dir.path(), &[("AIREADY_TEST_HANG_UP_WATCH_ONLY", "1")]);
    app.hang_up();
    assert_ended_after_a_save(app, dir.path());
}

#[test]
fn a_terminal_that_goes_away_with_the_shells_sighup_ends_the_program_after_a_save() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = typing_a_note(dir.path(), &[]);
    app.hang_up();
    // A shell that loses its terminal forwards SIGHUP to its jobs, just after the hang-up.
    let pid = rustix::process::Pid::from_child(&app.child);
    rustix::process::kill_process(pid, rustix::process::Signal::HUP).unwrap();
    assert_ended_after_a_save(app, dir.path());
}
