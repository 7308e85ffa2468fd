//! The first frame on a freshly cleared screen: told that the screen is blank in the text style
//! (`tui::assume_blank`), the terminal writes far less and the screen ends up the same, cell for
//! cell, as with a full first frame: text, colours and attributes wherever something shows.
//! A style that shows on blank cells (a painted background) is left alone. The screen is
//! cleared explicitly, since not every terminal clears its alternate screen (or has one).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::store::MemoryStore;
use aiready::tui::app::App;
use aiready::tui::theme::{Theme, ThemeName};
use aiready::tui::{assume_blank, enter_screen};
use common::{app, seed};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::cell::RefCell;
use std::io::Write;
use std::num::NonZeroU16;
use std::rc::Rc;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

/// What the terminal writes, kept for the test to read after the terminal is done with it.
#[derive(Clone, Default)]
struct Recorder(Rc<RefCell<Vec<u8>>>);

impl Write for Recorder {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The bytes of the app's first frame, drawn on a terminal told (or not) that its screen is
/// blank in the app's text style.
fn first_frame(app: &App<'_>, assume: bool) -> Vec<u8> {
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, WIDTH, HEIGHT)),
    };
    let written = Recorder::default();
    let backend = CrosstermBackend::new(written.clone());
    let mut terminal = Terminal::with_options(backend, options).unwrap();
    if assume {
        assume_blank(&mut terminal, app.theme.text);
    }
    terminal
        .draw(|frame| frame.render_widget(app, frame.area()))
        .unwrap();
    drop(terminal);
    written.0.take()
}

/// A cleared screen with the frame's bytes written on it.
fn screen(bytes: &[u8]) -> vt100::Parser {
    let size = |n| NonZeroU16::new(n).unwrap();
    let mut parser = vt100::Parser::new(size(HEIGHT), size(WIDTH), 0);
    parser.process(b"\x1b[2J");
    parser.process(bytes);
    parser
}

/// Compares two screens cell by cell: what shows must be the same everywhere; the foreground
/// colour of a blank cell without background shows nothing and may differ, and a cell never
/// written to looks like one written with a space.
fn assert_same_look(full: &vt100::Parser, assumed: &vt100::Parser) {
    let text = |parser: &vt100::Parser| {
        let contents = parser.screen().contents();
        contents
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(text(full), text(assumed));
    let shown = |cell: &vt100::Cell| match cell.contents() {
        "" => " ".to_string(),
        other => other.to_string(),
    };
    for row in 0..HEIGHT {
        for col in 0..WIDTH {
            let a = full.screen().cell(row, col).unwrap();
            let b = assumed.screen().cell(row, col).unwrap();
            assert_eq!(shown(a), shown(b), "({row}, {col})");
            assert_eq!(a.bgcolor(), b.bgcolor(), "background at ({row}, {col})");
            assert_eq!(a.inverse(), b.inverse(), "({row}, {col})");
            assert_eq!(a.underline(), b.underline(), "({row}, {col})");
            let blank = shown(a).trim().is_empty();
            if !blank {
                assert_eq!(a.fgcolor(), b.fgcolor(), "foreground at ({row}, {col})");
                assert_eq!(a.bold(), b.bold(), "({row}, {col})");
            }
        }
    }
}

#[test]
fn an_assumed_blank_screen_gets_the_same_first_frame_from_far_fewer_bytes() {
    let store = MemoryStore::new();
    seed(&store, "2026-01-01-acme-000001", "Acme support bot", &[]);
    seed(&store, "2026-01-01-second-000002", "Second system", &[]);
    for app in [app(&store), app(&MemoryStore::new())] {
        let full = first_frame(&app, false);
        let assumed = first_frame(&app, true);
        assert!(
            assumed.len() * 2 < full.len(),
            "{} bytes instead of {}",
            assumed.len(),
            full.len()
        );
        assert_same_look(&screen(&full), &screen(&assumed));
    }
}

#[test]
fn a_painted_background_is_written_in_full() {
    let store = MemoryStore::new();
    seed(&store, "2026-01-01-acme-000001", "Acme support bot", &[]);
    for name in [ThemeName::Light, ThemeName::HighContrast] {
        let mut app = app(&store);
        app.theme = Theme::new(name, false);
        assert!(
            app.theme.text.bg.is_some(),
            "{name:?} paints its background"
        );
        assert_eq!(
            first_frame(&app, true),
            first_frame(&app, false),
            "{name:?}"
        );
    }
}

/// A terminal without an alternate screen (the Linux console ignores the request) or with it
/// turned off (tmux's `alternate-screen off`) still shows the shell's text when the program
/// starts; the program clears it, so the first frame looks as it does on a fresh screen.
#[test]
fn a_screen_not_cleared_by_the_terminal_is_cleared_before_the_first_frame() {
    let store = MemoryStore::new();
    seed(&store, "2026-01-01-acme-000001", "Acme support bot", &[]);
    let app = app(&store);
    let mut entering = Vec::new();
    enter_screen(&mut entering).unwrap();
    let switch = b"\x1b[?1049h";
    let at = entering
        .windows(switch.len())
        .position(|w| w == switch)
        .expect("the alternate screen is asked for");
    entering.drain(at..at + switch.len());

    let size = |n| NonZeroU16::new(n).unwrap();
    let mut kept = vt100::Parser::new(size(HEIGHT), size(WIDTH), 0);
    // The shell's text, in colour, on every line.
    for line in 0..HEIGHT {
        kept.process(format!("\x1b[{};1H\x1b[41m$ ls -l {line:=<100}", line + 1).as_bytes());
    }
    kept.process(&entering);
    kept.process(&first_frame(&app, true));
    assert_same_look(&screen(&first_frame(&app, false)), &kept);
}
