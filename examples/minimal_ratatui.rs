//! The start-up baseline: the least a ratatui 0.30 program does before its first frame. It enters
//! raw mode and the alternate screen (`ratatui::try_init`), draws one line, waits for a key and
//! restores the terminal. `scripts/startup-time.py` times aiready against it in the same
//! pseudo-terminal (see docs/performance.md).

use ratatui::crossterm::event::{self, Event};
use ratatui::layout::Rect;
use ratatui::widgets::Paragraph;
use std::process::ExitCode;

/// Drawn on the last row of the first frame; the timing script waits for it.
const MARKER: &str = "minimal-ratatui-ready";

fn main() -> ExitCode {
    let mut terminal = match ratatui::try_init() {
        Ok(terminal) => terminal,
        Err(err) => {
            eprintln!("minimal_ratatui needs a terminal: {err}");
            return ExitCode::FAILURE;
        }
    };
    let drawn = terminal.draw(|frame| {
        let area = frame.area();
        let last_row = Rect {
            y: area.bottom().saturating_sub(1),
            height: area.height.min(1),
            ..area
        };
        frame.render_widget(Paragraph::new(MARKER), last_row);
    });
    // Any key ends it; a resize or another event does not.
    let waited = if drawn.is_ok() {
        loop {
            match event::read() {
                Ok(Event::Key(_)) => break Ok(()),
                Ok(_) => {}
                Err(err) => break Err(err),
            }
        }
    } else {
        Ok(())
    };
    let restored = ratatui::try_restore();
    match (drawn, waited, restored) {
        (Ok(_), Ok(()), Ok(())) => ExitCode::SUCCESS,
        (Err(err), _, _) | (_, Err(err), _) | (_, _, Err(err)) => {
            eprintln!("minimal_ratatui: {err}");
            ExitCode::FAILURE
        }
    }
}
