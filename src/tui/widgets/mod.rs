//! Small drawing pieces shared by the screens: footer, status line, too-small notice, bars,
//! pick lists; and [`form`], a few one-line text fields.

pub mod form;

use crate::tui::action::Action;
use crate::tui::keymap::{Context, Keymap};
use crate::tui::layer::{Message, MessageKind, Outcome, Reply};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};
use ratatui_textarea::TextArea;

/// The smallest terminal the screens are laid out for.
pub const MIN_WIDTH: u16 = 80;
/// The smallest terminal height the screens are laid out for.
pub const MIN_HEIGHT: u16 = 24;

/// A one-line text editor holding `text`, cursor at the end.
pub fn text_input(text: &str) -> TextArea<'static> {
    let mut area = TextArea::new(vec![text.to_string()]);
    area.move_cursor(ratatui_textarea::CursorMove::End);
    area.set_cursor_line_style(Style::new());
    area
}

/// Cuts text to at most `width` characters, marking the cut with an ellipsis.
pub fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A score as shown in lists: a whole number, or `-` when nothing is scored yet.
pub fn score_text(score: Option<f64>) -> String {
    match score {
        Some(s) => format!("{:.0}", s.round()),
        None => "-".to_string(),
    }
}

/// A horizontal bar of `width` cells for a 0-100 value, in characters that read without colour.
pub fn bar(value: Option<f64>, width: usize) -> String {
    let filled = value.map_or(0, |v| {
        ((v.clamp(0.0, 100.0) / 100.0) * width as f64).round() as usize
    });
    let mut s = "█".repeat(filled);
    s.push_str(&"░".repeat(width.saturating_sub(filled)));
    s
}

/// The message shown when the terminal is below the minimum size.
pub struct TooSmall<'a> {
    /// The theme.
    pub theme: &'a Theme,
}

impl Widget for &TooSmall<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let lines = vec![
            Line::styled("The terminal is too small for aiready.", self.theme.title),
            Line::default(),
            Line::styled(
                format!(
                    "It needs at least {MIN_WIDTH} x {MIN_HEIGHT}; this one is {} x {}.",
                    area.width, area.height
                ),
                self.theme.text,
            ),
            Line::styled(
                "Make the window larger (or the font smaller).",
                self.theme.text,
            ),
            Line::styled("Press q to quit; nothing is lost.", self.theme.dim),
        ];
        let height = u16::try_from(lines.len()).unwrap_or(u16::MAX);
        let [middle] =
            area.layout(&Layout::vertical([Constraint::Length(height)]).flex(Flex::Center));
        Paragraph::new(lines)
            .centered()
            .wrap(Wrap { trim: true })
            .render(middle, buf);
    }
}

/// Footer lines for a context, generated from the key map and fitted to `width`.
pub fn footer_lines(
    keymap: &Keymap,
    theme: &Theme,
    context: Context,
    typing: bool,
    width: u16,
) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0usize;
    let width = usize::from(width);
    for (keys, description) in keymap.footer(context, typing) {
        let len = keys.chars().count() + 1 + description.chars().count();
        let gap = if current.is_empty() { 1 } else { 2 };
        if used + gap + len > width && !current.is_empty() {
            lines.push(Line::from(std::mem::take(&mut current)));
            used = 0;
        }
        let gap = if current.is_empty() { 1 } else { 2 };
        current.push(Span::raw(" ".repeat(gap)));
        current.push(Span::styled(keys, theme.key));
        current.push(Span::styled(format!(" {description}"), theme.text));
        used += gap + len;
    }
    if !current.is_empty() {
        lines.push(Line::from(current));
    }
    lines
}

/// The status line: a failed save first (it must not go unseen), else the latest message.
pub fn status_line(
    theme: &Theme,
    save_error: Option<&str>,
    message: Option<&Message>,
) -> Line<'static> {
    if let Some(problem) = save_error {
        return Line::styled(
            format!(
                " NOT SAVED: {problem} Your changes are kept here; the next change tries again."
            ),
            theme.error,
        );
    }
    match message {
        Some(m) => {
            let style = match m.kind {
                MessageKind::Info => theme.ok,
                MessageKind::Warn => theme.warn,
                MessageKind::Error => theme.error,
            };
            Line::styled(format!(" {}", m.text), style)
        }
        None => Line::default(),
    }
}

/// A centred rectangle of at most `width` x `height` inside `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = area.layout(
        &Layout::vertical([Constraint::Length(height.min(area.height))]).flex(Flex::Center),
    );
    let [cell] = row.layout(
        &Layout::horizontal([Constraint::Length(width.min(area.width))]).flex(Flex::Center),
    );
    cell
}

/// Clears an area and draws a framed popup with a title; returns the inner area.
pub fn popup(area: Rect, buf: &mut Buffer, theme: &Theme, title: &str) -> Rect {
    Clear.render(area, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.title)
        .style(theme.text)
        .title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// The keys of a list to pick a question from: moving, and Enter to go to the question at
/// `targets[selected]` (a position in the navigation).
pub fn pick(selected: &mut usize, targets: &[usize], action: Action) -> Outcome {
    match action {
        Action::Down if *selected + 1 < targets.len() => *selected += 1,
        Action::Up => *selected = selected.saturating_sub(1),
        Action::Confirm => {
            if let Some(&position) = targets.get(*selected) {
                return Outcome::close_with(Reply::GoTo(position));
            }
        }
        Action::Back => return Outcome::close(),
        _ => {}
    }
    Outcome::stay()
}

/// A list in a popup, the selected row highlighted and kept in view; `empty` is shown when
/// there are no rows.
pub fn pick_list(
    theme: &Theme,
    title: &str,
    rows: &[String],
    selected: usize,
    empty: &str,
    area: Rect,
    buf: &mut Buffer,
) {
    let frame = centered(
        area,
        area.width.saturating_sub(8).min(100),
        area.height.saturating_sub(2),
    );
    let inner = popup(frame, buf, theme, title);
    if rows.is_empty() {
        Paragraph::new(Line::styled(empty.to_string(), theme.dim)).render(inner, buf);
        return;
    }
    let room = usize::from(inner.height);
    let start = selected.saturating_sub(room.saturating_sub(1));
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(start)
        .take(room)
        .map(|(i, row)| {
            let text = truncate(row, usize::from(inner.width));
            Line::styled(
                text,
                if i == selected {
                    theme.selected
                } else {
                    theme.text
                },
            )
        })
        .collect();
    Paragraph::new(lines).render(inner, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_and_scores_read_without_colour() {
        assert_eq!(bar(Some(50.0), 10), "█████░░░░░");
        assert_eq!(bar(None, 4), "░░░░");
        assert_eq!(score_text(Some(62.5)), "63");
        assert_eq!(score_text(None), "-");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }
}
