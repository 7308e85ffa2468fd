//! The real binary in a pseudo-terminal (portable-pty), its output parsed into a screen
//! (vt100) that tests can wait on.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long to wait for a screen before failing.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The binary running in a pseudo-terminal, its output parsed into a screen.
pub struct Pty {
    parser: Arc<Mutex<vt100::Parser>>,
    /// Every byte the program wrote.
    pub raw: Arc<Mutex<Vec<u8>>>,
    /// Disconnected when the reader has taken in the last byte the program wrote.
    output_ended: mpsc::Receiver<()>,
    writer: Box<dyn Write + Send>,
    /// The program.
    pub child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
}

impl Pty {
    /// The binary with `args` in a 120x40 terminal, its data and config under `data`, which is
    /// also its current folder.
    pub fn spawn(args: &[&str], data: &Path, extra_env: &[(&str, &str)]) -> Pty {
        let (rows, cols) = (40, 120);
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_aiready"));
        cmd.args(args);
        // Reports exported without a folder land in the current directory: the temp dir.
        cmd.cwd(data);
        cmd.env("AIREADY_DATA_DIR", data.join("data"));
        cmd.env("AIREADY_CONFIG_DIR", data.join("config"));
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("AIREADY_THEME");
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            rows.try_into().unwrap(),
            cols.try_into().unwrap(),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (Arc::clone(&parser), Arc::clone(&raw));
        let (ended, output_ended) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            // Dropped when the thread ends, after the last read: that is the signal.
            let _ended = ended;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            parser,
            raw,
            output_ended,
            writer,
            child,
            master: pair.master,
        }
    }

    /// Resizes the terminal, as a user dragging the window would.
    pub fn resize(&self, rows: u16, cols: u16) {
        self.parser
            .lock()
            .unwrap()
            .screen_mut()
            .set_size(rows.try_into().unwrap(), cols.try_into().unwrap());
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
    }

    /// The screen as text.
    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until `text` is on the screen.
    pub fn wait_for(&self, text: &str) {
        self.wait_until(&format!("\"{text}\" to appear"), |screen| {
            screen.contains(text)
        });
    }

    /// Waits until `text` is no longer on the screen, e.g. after Esc closed a popup.
    pub fn wait_gone(&self, text: &str) {
        self.wait_until(&format!("\"{text}\" to go"), |screen| {
            !screen.contains(text)
        });
    }

    /// Waits until the screen satisfies `done`.
    pub fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) {
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            if done(&self.screen()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("waited in vain for {what}; the screen:\n{}", self.screen());
    }

    /// Sends keys, then pauses so that an Esc is not read together with the next key.
    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Waits for the program to exit and for the last of its output to be read.
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            if let Some(status) = self.child.try_wait().unwrap() {
                // The reader stops when the terminal's other end is closed, which is after
                // the program's last write.
                match self.output_ended.recv_timeout(PATIENCE) {
                    Err(RecvTimeoutError::Disconnected) => return status,
                    _ => panic!("the output never ended; the screen:\n{}", self.screen()),
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("the program did not exit; the screen:\n{}", self.screen());
    }

    /// Whether the terminal was handed back: main screen, cursor shown, and the alternate
    /// screen left after it was last entered.
    pub fn assert_restored(&self) {
        let parser = self.parser.lock().unwrap();
        assert!(
            !parser.screen().alternate_screen(),
            "still on the alternate screen"
        );
        assert!(!parser.screen().hide_cursor(), "the cursor is still hidden");
        let raw = self.raw.lock().unwrap();
        let text = String::from_utf8_lossy(&raw);
        let entered = text
            .rfind("\x1b[?1049h")
            .expect("the alternate screen was used");
        let left = text
            .rfind("\x1b[?1049l")
            .expect("the alternate screen was left");
        assert!(left > entered);
    }
}

/// Esc.
pub const ESC: &str = "\x1b";
/// The left arrow.
pub const LEFT: &str = "\x1b[D";
/// The right arrow.
pub const RIGHT: &str = "\x1b[C";
/// Ctrl-C.
pub const CTRL_C: &str = "\x03";
/// Ctrl-S.
pub const CTRL_S: &str = "\x13";
/// Ctrl-U.
pub const CTRL_U: &str = "\x15";
