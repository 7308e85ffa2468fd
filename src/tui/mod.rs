//! The terminal user interface: the only module that draws or reads keys.
//!
//! Data flows one way: a key event is looked up in the [`keymap`] for the context of the layer
//! on top and becomes an [`action::Action`]; [`app::App::dispatch`] hands it to that layer,
//! which answers with an [`layer::Outcome`]: a [`layer::Transition`] of the stack (stay, close,
//! open another layer, go home) and [`layer::Effect`]s that only the app performs (change and
//! save the session, open, create, delete, export). Every layer is drawn from a read-only
//! [`view::View`] (bank, open session with its scores, theme, keys), never from the app.
//!
//! Where things live:
//!
//! - `screens/<name>.rs`: one screen each (home, setup, help), with its state, its `update`
//!   (the keys) and its `render`. A larger screen is a folder: `screens/workshop/mod.rs`
//!   (state, keys, layout), `question.rs` (the question page) and `votes.rs` (the vote panel:
//!   whose vote is next, its keys, its drawing); `screens/results/mod.rs` (tabs, keys),
//!   `summary.rs` and `lists.rs` (every gap, follow-up, disagreement and action).
//! - `popups/<name>.rs`: one popup each (notes, action, agenda, search, sections, parking lot,
//!   export, unsaved changes), same shape; a popup that picks a place answers the screen below
//!   with a [`layer::Reply`].
//! - [`app`]: the stack of layers, the open session, the store; routing and effects.
//! - [`session`]: the open session, its navigation (applicable questions in order), the timer.
//! - [`edit`]: changes to the session, as data; [`history`]: their undo and redo.
//! - [`frame`]: header, status line and footer around every screen.
//! - [`action`], [`keymap`] (bindings as data, with user overrides), [`theme`] (colours,
//!   `NO_COLOR`), [`widgets`] (shared drawing pieces).
//!
//! To add a screen: a module in `screens/` with a state struct holding `update(&mut self,
//! &View, Action) -> Outcome`, `context()` and `render(&self, &View, Rect, &mut Buffer)`; a
//! variant in [`screens::Screen`] and one line in each of its forwarding matches; and an
//! action (with a key in `assets/keymap.ron`) whose handler returns `Outcome::push(..)`. A
//! popup is the same in `popups/` and [`popups::Popup`].

pub mod action;
pub mod app;
pub mod edit;
pub mod frame;
pub mod history;
pub mod keymap;
pub mod layer;
pub mod popups;
pub mod screens;
pub mod session;
pub mod theme;
pub mod view;
pub mod widgets;

use crate::config::Paths;
use crate::content::{Bank, ContentError};
use crate::store::SessionStore;
use action::Action;
use app::App;
use keymap::{Keymap, KeymapError};
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event};
use std::io::{BufWriter, IsTerminal, Stdout, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LockResult, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use theme::{Theme, ThemeName};

/// How long to wait for a key before the timer and the notes debounce get a tick.
const TICK: Duration = Duration::from_millis(250);

/// How long to wait for a key while a save is being written, so that its outcome (a failure
/// above all) shows as soon as it is known.
const SAVING_TICK: Duration = Duration::from_millis(10);

/// The environment variable naming the theme (dark, light, high-contrast).
pub const THEME_ENV: &str = "AIREADY_THEME";

/// Why the interface could not run.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    /// Standard input or output is not a terminal.
    #[error(
        "aiready needs a terminal to show the workshop, and this is not one (input or output is redirected). Run it in a terminal window, or use the subcommands (see `aiready --help`)."
    )]
    NoTerminal,
    /// The terminal could not be set up or drawn to.
    #[error("the terminal stopped working: {0}")]
    Terminal(#[from] std::io::Error),
    /// The user's key map is broken.
    #[error(transparent)]
    Keymap(#[from] KeymapError),
    /// The compiled-in questionnaires cannot be read.
    #[error(transparent)]
    Content(#[from] ContentError),
    /// The theme named in the environment is unknown.
    #[error("{THEME_ENV}=\"{0}\" is not a theme; use dark, light or high-contrast")]
    Theme(String),
}

/// What to show first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// The list of sessions.
    Home,
    /// A session, by id.
    Session(String),
    /// A session, by id, read-only, following the facilitator.
    Follow(String),
    /// A participant's pre-work file.
    Prework(std::path::PathBuf),
}

/// The theme chosen by `AIREADY_THEME`, dark by default, with `NO_COLOR` honoured.
pub fn theme_from_env() -> Result<Theme, TuiError> {
    let name = match std::env::var(THEME_ENV) {
        Ok(value) if !value.trim().is_empty() => {
            ThemeName::parse(&value).ok_or(TuiError::Theme(value))?
        }
        _ => ThemeName::default(),
    };
    Ok(Theme::from_env(name))
}

/// Fails with a clear message when input or output is not a terminal, so that a command can
/// refuse before it changes anything.
pub fn ensure_terminal() -> Result<(), TuiError> {
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        Ok(())
    } else {
        Err(TuiError::NoTerminal)
    }
}

/// Runs the interface until the user quits, and returns the exit status. The terminal is
/// restored on every way out: a normal quit, Ctrl-C (a key in raw mode), a hang-up or a
/// request to terminate (both save first, or write a rescue copy), and a panic (ratatui's hook
/// restores it before the error reporter installed in `main` prints). When changes could not
/// be saved, what became of them is printed on standard error and the status is not zero.
///
/// On the list of sessions the built-in questionnaires are decoded only after the first frame
/// is shown (listing needs their content hash alone); any other start needs them at once.
pub fn run(
    bank: &Bank<'_>,
    store: Box<dyn SessionStore>,
    paths: &Paths,
    start: Start,
) -> Result<ExitCode, TuiError> {
    ensure_terminal()?;
    // A start on one session or pre-work file reads no other session unless it cannot open.
    let listed = matches!(start, Start::Home);
    if !listed {
        bank.get()?;
    }
    let keymap = Keymap::load(&paths.config_dir)?;
    let theme = theme_from_env()?;
    let clock = Box::new(jiff::Timestamp::now);
    let mut app = if listed {
        App::new(bank, store, keymap, theme, clock)
    } else {
        App::unlisted(bank, store, keymap, theme, clock)
    };
    app.keymap_path = paths
        .config_dir
        .join(keymap::USER_KEYMAP_FILE)
        .display()
        .to_string();
    app.export_places = popups::export::ExportPlaces::from_env(&paths.config_dir);
    match start {
        Start::Home => {}
        Start::Session(id) => app.dispatch(Action::OpenSession(id)),
        Start::Follow(id) => app.follow_session(&id),
        Start::Prework(path) => app.open_prework(&path),
    }
    // Nothing could be opened: the list of sessions, not read so far, is shown instead.
    if !listed && app.open.is_none() {
        app.list_sessions();
    }
    let stop = watch_signals()?;
    let mut terminal = init_terminal()?;
    assume_blank(&mut terminal, app.theme.text);
    let result = event_loop(&mut terminal, &mut app, &stop);
    // Whatever happened, what is in flight is written before the terminal is handed back.
    let exit = if app.running() {
        app.terminate()
    } else {
        app.exit.clone()
    };
    if !std::io::stdin().is_terminal() {
        // The terminal hung up (a draw may have failed on it first). It can be neither
        // restored nor written to, and ratatui's clean-up would print its failure and abort:
        // the terminal is left as it is. What was unsaved went to a rescue copy.
        std::mem::forget(terminal);
        return Ok(ExitCode::from(128 + HANG_UP));
    }
    let restored = ratatui::try_restore();
    for panic in later_panics()
        .unwrap_or_else(PoisonError::into_inner)
        .drain(..)
    {
        let _ = writeln!(std::io::stderr(), "a background task stopped: {panic}");
    }
    if let Some(report) = exit.report() {
        let _ = write!(std::io::stderr(), "{report}");
    }
    result?;
    restored?;
    let signal = stop.load(Ordering::SeqCst);
    Ok(if signal != 0 {
        // The shell's convention for "ended by a signal".
        ExitCode::from(u8::try_from(128 + signal).unwrap_or(1))
    } else if exit.saved() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Reports of panics on other threads than the screen's, printed once the terminal is restored.
fn later_panics() -> LockResult<MutexGuard<'static, Vec<String>>> {
    static LATER: Mutex<Vec<String>> = Mutex::new(Vec::new());
    LATER.lock()
}

/// The terminal the interface draws on: each frame is put together in memory and written at
/// once.
type Terminal = ratatui::Terminal<CrosstermBackend<BufWriter<Stdout>>>;

/// Room for a whole frame of a large terminal, so that one is written in one go.
const FRAME_BUFFER: usize = 64 * 1024;

/// Sets the terminal up as `ratatui::try_init` does (raw mode, the alternate screen, and the
/// terminal restored before a panic is reported) but draws through a buffer: ratatui's default
/// terminal writes each cell's text to standard output by itself, taking its lock and looking
/// for a line end every time, which cost a third of the first frame. The backend flushes the
/// buffer at the end of every frame.
fn init_terminal() -> Result<Terminal, TuiError> {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("main") {
            ratatui::restore();
            report(info);
        } else {
            // A save or an export stopped: the screen says so and goes on, so the terminal
            // stays as it is and the report waits until the terminal is handed back.
            later_panics()
                .unwrap_or_else(PoisonError::into_inner)
                .push(info.to_string());
        }
    }));
    ratatui::crossterm::terminal::enable_raw_mode()?;
    enter_screen(&mut std::io::stdout())?;
    let output = BufWriter::with_capacity(FRAME_BUFFER, std::io::stdout());
    Ok(ratatui::Terminal::new(CrosstermBackend::new(output))?)
}

/// Switches to the alternate screen and clears it, with the attributes reset first so that the
/// cleared cells take the terminal's own background. Most terminals clear the alternate screen
/// when it is entered, but not all do: the Linux console has none and stays on the screen it
/// shows, and a multiplexer with the alternate screen turned off (tmux's `alternate-screen
/// off`) does the same; both would keep the shell's text under a first frame that writes only
/// what is not blank (see [`assume_blank`]). The clear costs eight bytes.
pub fn enter_screen(out: &mut impl Write) -> std::io::Result<()> {
    use ratatui::crossterm::style::{Attribute, SetAttribute};
    use ratatui::crossterm::terminal::{Clear, ClearType, EnterAlternateScreen};
    ratatui::crossterm::execute!(
        out,
        EnterAlternateScreen,
        SetAttribute(Attribute::Reset),
        Clear(ClearType::All)
    )
}

/// Tells the terminal that its screen is blank in the text style `style`, so that the first
/// frame does not write the thousands of blank cells the frame gives that style. The screen is
/// cleared when it is entered ([`enter_screen`]), and a blank cell looks the same whatever its
/// foreground colour; so this holds for a style that shows nothing on a blank cell (no
/// background, no reversed, underlined or crossed-out look), and is skipped for any other. A
/// resize redraws everything, as always.
pub fn assume_blank<B: ratatui::backend::Backend>(
    terminal: &mut ratatui::Terminal<B>,
    style: ratatui::style::Style,
) {
    use ratatui::style::Modifier;
    let shows = Modifier::REVERSED | Modifier::UNDERLINED | Modifier::CROSSED_OUT;
    if style.bg.is_some() || style.add_modifier.intersects(shows) {
        return;
    }
    let blank = terminal.current_buffer_mut();
    let area = blank.area;
    widgets::fill_style(blank, area, style);
    // The blank buffer becomes the one the first frame is compared with.
    terminal.swap_buffers();
}

/// Notes a hang-up, terminate or interrupt signal (its number) for the event loop, which then
/// saves and stops. A second one ends the program at once.
#[cfg(unix)]
fn watch_signals() -> Result<Arc<AtomicUsize>, TuiError> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use std::sync::atomic::AtomicBool;
    let which = Arc::new(AtomicUsize::new(0));
    let stopping = Arc::new(AtomicBool::new(false));
    for signal in [SIGHUP, SIGTERM, SIGINT] {
        signal_hook::flag::register_conditional_shutdown(signal, 1, Arc::clone(&stopping))?;
        signal_hook::flag::register(signal, Arc::clone(&stopping))?;
        let number = usize::try_from(signal).unwrap_or(1);
        signal_hook::flag::register_usize(signal, Arc::clone(&which), number)?;
    }
    Ok(which)
}

/// Watches the terminal on a thread of its own for a hang-up that comes while crossterm is
/// reading: the event loop looks at the terminal before it asks crossterm, but a hang-up just
/// after that look finds crossterm reading, and its reader loops for ever on a hung-up
/// terminal (every read returns at once with nothing). Then the terminal's input is replaced by
/// an empty pipe that never ends, on which crossterm's read finds nothing and returns, and the
/// hang-up is noted for the loop as if SIGHUP had come (unless a signal came first).
#[cfg(unix)]
fn watch_hang_up(stop: &Arc<AtomicUsize>) -> std::io::Result<()> {
    use rustix::event::{PollFd, PollFlags, poll};
    use rustix::pipe::{PipeFlags, pipe_with};
    // Made before the thread starts, so that a failure is reported now.
    let (empty, never_written) = pipe_with(PipeFlags::NONBLOCK | PipeFlags::CLOEXEC)?;
    let stop = Arc::clone(stop);
    std::thread::Builder::new()
        .name("hang-up watch".into())
        .spawn(move || {
            let stdin = std::io::stdin();
            loop {
                // No event is asked for: a poll reports a hang-up or an error in any case.
                let mut fds = [PollFd::new(&stdin, PollFlags::empty())];
                match poll(&mut fds, None) {
                    Ok(_) if fds[0].revents().intersects(gone()) => break,
                    Ok(_) | Err(rustix::io::Errno::INTR) => {}
                    // Nothing to watch with: the event loop's own look still sees a hang-up.
                    Err(_) => return,
                }
            }
            if rustix::stdio::dup2_stdin(&empty).is_ok() {
                let _ = stop.compare_exchange(
                    0,
                    usize::from(HANG_UP),
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                );
            }
            // The pipe's writing end stays open for the program's life: its reading end,
            // now the input, never reaches an end.
            std::mem::forget(never_written);
        })?;
    Ok(())
}

/// Without Unix poll, a hang-up ends the program through crossterm's error.
#[cfg(not(unix))]
fn watch_hang_up(_stop: &Arc<AtomicUsize>) -> std::io::Result<()> {
    Ok(())
}

/// What a poll of the terminal reports once it has gone.
#[cfg(unix)]
fn gone() -> rustix::event::PollFlags {
    use rustix::event::PollFlags;
    PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL
}

/// Without Unix signals, only the keys stop the program.
#[cfg(not(unix))]
fn watch_signals() -> Result<Arc<AtomicUsize>, TuiError> {
    Ok(Arc::new(AtomicUsize::new(0)))
}

/// How many waiting events are handled before the next frame is drawn.
const MAX_QUEUED: usize = 256;

/// Hands a terminal event to the app.
fn handle(app: &mut App, event: Event) {
    match event {
        Event::Key(key) if keymap::is_press(&key) => {
            // The size now, not as last reported: a resize event can arrive after the keys
            // typed into the small window.
            if let Ok((width, height)) = ratatui::crossterm::terminal::size() {
                app.resize(width, height);
            }
            if let Some(action) = app.action_for_key(key) {
                app.dispatch(action);
            }
        }
        // The next frame is laid out for the new size; below the minimum, keys wait.
        Event::Resize(width, height) => app.resize(width, height),
        _ => {}
    }
}

/// The signal number a hang-up is reported with, as if SIGHUP had come (1 on every Unix).
const HANG_UP: u8 = 1;

/// What the terminal's input holds after a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    /// Keys, a resize or a signal may be waiting: crossterm is asked.
    Maybe,
    /// Nothing came before the tick.
    Nothing,
    /// The terminal is gone: its window was closed or the connection dropped.
    HungUp,
}

/// Waits until the terminal has input, a signal arrives or `timeout` passes, reading nothing.
///
/// crossterm's reader loops for ever on a terminal that has hung up (each read returns at once
/// with nothing), and a SIGHUP does not always come (a window closed under a multiplexer whose
/// shell has gone), so the hang-up is seen here before crossterm is asked. A signal ends the
/// wait (poll is never restarted), so a resize is not delayed and a stop request is seen.
#[cfg(unix)]
fn wait_for_input(timeout: Duration) -> std::io::Result<Input> {
    match poll_terminal(timeout) {
        // A signal ended the wait: a resize for crossterm to report, or a request to stop for
        // the loop. The terminal is looked at once more, since a hang-up sends a signal too.
        Err(rustix::io::Errno::INTR) => match poll_terminal(Duration::ZERO) {
            Ok(Input::HungUp) => Ok(Input::HungUp),
            Ok(_) | Err(rustix::io::Errno::INTR) => Ok(Input::Maybe),
            Err(error) => Err(error.into()),
        },
        other => other.map_err(Into::into),
    }
}

/// One poll of the terminal's input (standard input, which crossterm reads).
#[cfg(unix)]
fn poll_terminal(timeout: Duration) -> rustix::io::Result<Input> {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let stdin = std::io::stdin();
    let mut fds = [PollFd::new(&stdin, PollFlags::IN)];
    let timeout = Timespec::try_from(timeout).unwrap_or(Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    });
    Ok(match poll(&mut fds, Some(&timeout))? {
        0 => Input::Nothing,
        _ if fds[0].revents().intersects(gone()) && !hang_up_left_to_the_watch() => Input::HungUp,
        _ => Input::Maybe,
    })
}

/// Without Unix poll, crossterm waits; a hang-up ends the program through its error.
#[cfg(not(unix))]
fn wait_for_input(timeout: Duration) -> std::io::Result<Input> {
    Ok(if event::poll(timeout)? {
        Input::Maybe
    } else {
        Input::Nothing
    })
}

/// In debug builds, set to make the event loop leave hang-ups to the watching thread alone, as
/// when a hang-up comes between the loop's look at the terminal and crossterm's read, so that
/// tests can show that the thread ends such a program.
#[cfg(debug_assertions)]
pub const HANG_UP_WATCH_ONLY_ENV: &str = "AIREADY_TEST_HANG_UP_WATCH_ONLY";

#[cfg(all(unix, debug_assertions))]
fn hang_up_left_to_the_watch() -> bool {
    static LEFT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *LEFT.get_or_init(|| std::env::var_os(HANG_UP_WATCH_ONLY_ENV).is_some())
}

#[cfg(all(unix, not(debug_assertions)))]
fn hang_up_left_to_the_watch() -> bool {
    false
}

/// In debug builds, set to make the program panic after its first frame, so that tests can
/// check that a panic leaves the terminal usable.
#[cfg(debug_assertions)]
pub const PANIC_TEST_ENV: &str = "AIREADY_TEST_PANIC";

/// The value of [`PANIC_TEST_ENV`] that makes a thread other than the screen's panic instead,
/// once, as a failing save or export would.
#[cfg(debug_assertions)]
pub const PANIC_ON_A_THREAD: &str = "thread";

/// Draws one frame and writes it to the terminal. Never inlined: `scripts/startup-time.py
/// --instructions` counts the instructions up to the first return from it (callgrind's
/// `--dump-after`), and ratatui's own draw is inlined into the loop.
#[inline(never)]
fn draw_frame(terminal: &mut Terminal, app: &App) -> std::io::Result<()> {
    terminal.draw(|frame| frame.render_widget(app, frame.area()))?;
    Ok(())
}

fn event_loop(
    terminal: &mut Terminal,
    app: &mut App,
    stop: &Arc<AtomicUsize>,
) -> Result<(), TuiError> {
    let mut last = Instant::now();
    let mut backlog = false;
    let mut watching = false;
    let size = terminal.size()?;
    app.resize(size.width, size.height);
    while app.running() {
        if stop.load(Ordering::SeqCst) != 0 {
            app.terminate();
            break;
        }
        draw_frame(terminal, app)?;
        // Decoded once the first frame is up (nothing at all after that); a build whose
        // compiled-in questionnaires cannot be read stops here with the reason.
        app.bank.get()?;
        if !watching {
            // Started once the first frame is up, which it does not delay.
            watch_hang_up(stop)?;
            watching = true;
            #[cfg(debug_assertions)]
            if std::env::var_os(PANIC_TEST_ENV).is_some_and(|v| v == PANIC_ON_A_THREAD) {
                let _ = std::thread::spawn(|| {
                    panic!("panic requested by {PANIC_TEST_ENV} on a background thread")
                })
                .join();
            }
        }
        #[cfg(debug_assertions)]
        if std::env::var_os(PANIC_TEST_ENV).is_some_and(|v| v != PANIC_ON_A_THREAD) {
            panic!("panic requested by {PANIC_TEST_ENV} (a test of terminal restoration)");
        }
        // After a full batch, events crossterm has read but not handed out yet may wait,
        // which the terminal does not show: the wait is skipped.
        let wait = match (backlog, app.saving()) {
            (true, _) => Duration::ZERO,
            (false, true) => SAVING_TICK,
            (false, false) => TICK,
        };
        let mut input = wait_for_input(wait)?;
        if backlog && input == Input::Nothing {
            input = Input::Maybe;
        }
        let mut handled = 0;
        if input == Input::Maybe {
            // Keys typed (or pasted) faster than frames are drawn are taken together.
            while handled < MAX_QUEUED && app.running() && event::poll(Duration::ZERO)? {
                handle(app, event::read()?);
                handled += 1;
                // Handling a key can take a while (a merge, a retry that waits for the disk);
                // crossterm is not asked again if the terminal hung up meanwhile.
                if wait_for_input(Duration::ZERO)? == Input::HungUp {
                    input = Input::HungUp;
                    break;
                }
            }
        }
        if input == Input::HungUp {
            app.terminate();
            break;
        }
        backlog = handled == MAX_QUEUED;
        let now = Instant::now();
        app.dispatch(Action::Tick(now - last));
        last = now;
    }
    Ok(())
}
