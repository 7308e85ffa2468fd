//! Small drawing pieces shared by the screens: footer, status line, too-small notice, bars,
//! pick lists; and [`form`], a few one-line text fields.

pub mod form;

use crate::domain::typed_text;
use crate::tui::action::Action;
use crate::tui::keymap::{Command, Context, Keymap};
use crate::tui::layer::{Message, MessageKind, Outcome, Reply};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};
use ratatui_textarea::{Input, Key, TextArea};

/// The smallest terminal the screens are laid out for.
pub const MIN_WIDTH: u16 = 80;
/// The smallest terminal height the screens are laid out for.
pub const MIN_HEIGHT: u16 = 24;

/// Gives every cell of `area` the style `style`, row by row: the cells of a row lie side by side
/// in the buffer, where `Buffer::set_style` finds each cell by its position, which cost more
/// than anything else in drawing a blank screen or a list's rows.
pub fn fill_style(buf: &mut Buffer, area: Rect, style: Style) {
    let area = buf.area.intersection(area);
    if area.is_empty() {
        return;
    }
    for y in area.top()..area.bottom() {
        let start = buf.index_of(area.x, y);
        if let Some(row) = buf.content.get_mut(start..start + usize::from(area.width)) {
            for cell in row {
                cell.set_style(style);
            }
        }
    }
}

/// Writes `text` from (`x`, `y`), at most `width` columns of it, as `Buffer::set_stringn` does
/// with no style. Printable ASCII, one cell a character, goes straight into the row's cells:
/// ratatui's way, splitting the text into graphemes and looking up each one's width, cost most
/// of drawing a row of the list of sessions. Any other text goes ratatui's way.
pub fn put_text(buf: &mut Buffer, x: u16, y: u16, text: &str, width: usize) {
    let area = buf.area;
    let inside = area.contains(ratatui::layout::Position { x, y });
    if !inside || !text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        buf.set_stringn(x, y, text, width, Style::new());
        return;
    }
    let room = usize::from(area.right() - x).min(width);
    let start = buf.index_of(x, y);
    for (cell, byte) in buf.content[start..start + room]
        .iter_mut()
        .zip(text.bytes())
    {
        cell.set_char(char::from(byte));
    }
}

/// Draws what `Block::bordered().border_style(border).title(title)` draws around `area` (plain
/// lines, the title at the top left) and returns the area inside. The block styles every cell
/// of its area first, which cost as much as drawing all the rows of the list of sessions; here
/// only the border and title cells are touched. Areas too small for a border and titles that
/// are not printable ASCII go to the block itself.
pub fn bordered(buf: &mut Buffer, area: Rect, border: Style, title: &Span<'_>) -> Rect {
    let area = area.intersection(buf.area);
    let plain = |b: u8| (b' '..=b'~').contains(&b);
    if area.width < 2 || area.height < 2 || !title.content.bytes().all(plain) {
        let block = Block::bordered().border_style(border).title(title.clone());
        let inner = block.inner(area);
        block.render(area, buf);
        return inner;
    }
    let symbols = ratatui::symbols::border::PLAIN;
    let (left, right) = (area.left(), area.right() - 1);
    let (top, bottom) = (area.top(), area.bottom() - 1);
    let mut put = |x: u16, y: u16, symbol: &str| {
        buf[(x, y)].set_symbol(symbol).set_style(border);
    };
    for x in left + 1..right {
        put(x, top, symbols.horizontal_top);
        put(x, bottom, symbols.horizontal_bottom);
    }
    for y in top + 1..bottom {
        put(left, y, symbols.vertical_left);
        put(right, y, symbols.vertical_right);
    }
    put(left, top, symbols.top_left);
    put(right, top, symbols.top_right);
    put(left, bottom, symbols.bottom_left);
    put(right, bottom, symbols.bottom_right);
    let room = usize::from(area.width - 2);
    for (x, byte) in (left + 1..).zip(title.content.bytes().take(room)) {
        buf[(x, top)]
            .set_char(char::from(byte))
            .set_style(title.style);
    }
    Rect {
        x: left + 1,
        y: top + 1,
        width: area.width - 2,
        height: area.height - 2,
    }
}

/// A moment as the minute it falls in, `YYYY-MM-DD HH:MM` in the time zone `zone`: what
/// `strftime("%Y-%m-%d %H:%M")` writes for years 0 to 9999, without building a zoned time
/// and interpreting a format for every row of a list.
pub fn minute_text(moment: jiff::Timestamp, zone: &jiff::tz::TimeZone) -> String {
    let local = zone.to_datetime(moment);
    if !(0..=9999).contains(&local.year()) {
        return moment
            .to_zoned_datetime(zone.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string();
    }
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        local.year(),
        local.month(),
        local.day(),
        local.hour(),
        local.minute()
    )
}

/// Splits `rows` rows off the bottom of `area` (fewer when it has fewer): the rest and the
/// bottom part. Plain arithmetic for the frame's fixed bands: a first frame spent more on the
/// layout solver for them than on drawing its text.
pub fn split_bottom(area: Rect, rows: u16) -> (Rect, Rect) {
    let rows = rows.min(area.height);
    let rest = Rect {
        height: area.height - rows,
        ..area
    };
    let bottom = Rect {
        y: area.y + rest.height,
        height: rows,
        ..area
    };
    (rest, bottom)
}

/// Splits `rows` rows off the top of `area` (fewer when it has fewer): the top part and the
/// rest (see [`split_bottom`]).
pub fn split_top(area: Rect, rows: u16) -> (Rect, Rect) {
    let (top, rest) = split_bottom(area, area.height.saturating_sub(rows));
    (top, rest)
}

/// Types a key into a text field. On top of the editor's own keys: Ctrl-u clears to the start
/// of the line, Ctrl-z undoes typing and Ctrl-y redoes it. A control character that arrives as
/// text (pasted C0 or C1 codes) is dropped, never stored: the session's rule for typed text.
/// Returns whether the text changed.
pub fn type_into(area: &mut TextArea<'static>, input: Input) -> bool {
    match input {
        Input {
            key: Key::Char(c), ..
        } if !typed_text::allowed(c) => false,
        Input {
            key: Key::Char('u'),
            ctrl: true,
            alt: false,
            ..
        } => area.delete_line_by_head(),
        Input {
            key: Key::Char('z'),
            ctrl: true,
            alt: false,
            shift: false,
        } => area.undo(),
        Input {
            key: Key::Char('y' | 'Z'),
            ctrl: true,
            alt: false,
            ..
        } => area.redo(),
        input => area.input(input),
    }
}

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

/// Text wrapped to `width` columns in one style; later lines keep the first line's indent.
pub fn wrap_styled(text: &str, style: Style, width: usize) -> Vec<Line<'static>> {
    let indent = text.len() - text.trim_start().len();
    let options = textwrap::Options::new(width.max(10)).subsequent_indent(&text[..indent]);
    textwrap::wrap(text, options)
        .into_iter()
        .map(|row| Line::styled(row.into_owned(), style))
        .collect()
}

/// A line cut to `width` columns, the cut marked with an ellipsis; styles are kept.
pub fn fit(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let mut room = width.saturating_sub(1);
    let mut spans = Vec::new();
    for span in line.spans {
        let len = span.content.chars().count();
        if len <= room {
            room -= len;
            spans.push(span);
            continue;
        }
        let cut: String = span.content.chars().take(room).collect();
        spans.push(Span::styled(format!("{cut}…"), span.style));
        break;
    }
    Line::from(spans).style(line.style)
}

/// The end of a text in at most `width` characters, the cut marked at the start: the end of a
/// path or of text being typed says the most.
pub fn tail(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        return text.to_string();
    }
    let mut out = String::from("…");
    out.extend(text.chars().skip(count + 1 - width.max(1)));
    out
}

/// A score as shown in lists: a whole number, or `-` when nothing is scored yet.
pub fn score_text(score: Option<f64>) -> String {
    crate::domain::scoring::format_score_or(score, "-")
}

/// A duration as a clock: `m:ss`, or `h:mm:ss` from an hour.
pub fn clock(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// The agenda's pace in words: time left (or over), questions to go, the time a question may
/// take, and the time one has taken so far.
pub fn pace_text(pace: &crate::domain::triage::Pace) -> String {
    let mut parts = Vec::new();
    match pace.seconds_left {
        Some(left) if left >= 0 => parts.push(format!("{} left", clock(left.unsigned_abs()))),
        Some(over) => parts.push(format!("{} OVER", clock(over.unsigned_abs()))),
        None => {}
    }
    parts.push(format!("{} to go", pace.left));
    if let Some(needed) = pace.needed {
        parts.push(format!("need {}/q", clock(needed)));
    }
    if let Some(current) = pace.current {
        parts.push(format!("pace {}/q", clock(current)));
    }
    if let (Some(projected), true) = (pace.projected, pace.behind()) {
        parts.push(format!("{} at this pace", clock(projected)));
    }
    parts.join(" · ")
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
    /// Whether changes wait for a save that failed.
    pub unsaved: bool,
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
            if self.unsaved {
                Line::styled(
                    "NOT SAVED: the last save failed. Enlarge the window to see why and choose what to do.",
                    self.theme.error,
                )
            } else {
                Line::styled(
                    "Keys wait until it is larger. q quits; nothing is lost.",
                    self.theme.dim,
                )
            },
        ];
        let height = wrapped_height(&lines, usize::from(area.width)).min(area.height);
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
    (context, typing): (Context, bool),
    idle: &[Command],
    width: u16,
) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0usize;
    let width = usize::from(width);
    for (keys, description) in keymap.footer(context, typing, idle) {
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

/// The most rows the status line takes, so that a long reason does not hide the screen.
const STATUS_ROWS: usize = 5;

/// The status line, wrapped to `width`: a failed save first, whole (it must not go unseen and
/// its cause is often at the end), else the latest message.
pub fn status_lines(
    theme: &Theme,
    save_error: Option<&str>,
    message: Option<&Message>,
    width: u16,
) -> Vec<Line<'static>> {
    let (text, style) = match (save_error, message) {
        (Some(problem), _) => {
            let stop = if problem.ends_with(['.', '!', '?']) {
                ""
            } else {
                "."
            };
            (
                format!(
                    "NOT SAVED: {problem}{stop} Your changes are kept here and the next change tries again; quitting offers a retry and a rescue copy."
                ),
                theme.error,
            )
        }
        (None, Some(m)) => {
            let style = match m.kind {
                MessageKind::Info => theme.ok,
                MessageKind::Warn => theme.warn,
                MessageKind::Error => theme.error,
            };
            (m.text.clone(), style)
        }
        (None, None) => return vec![Line::default()],
    };
    let room = usize::from(width.saturating_sub(2)).max(10);
    let mut rows: Vec<String> = textwrap::wrap(&text, room)
        .into_iter()
        .map(|row| row.into_owned())
        .collect();
    if rows.len() > STATUS_ROWS {
        rows.truncate(STATUS_ROWS);
        if let Some(last) = rows.last_mut() {
            *last = truncate(&format!("{last} …"), room);
            if !last.ends_with('…') {
                last.push_str(" …");
            }
        }
    }
    rows.into_iter()
        .map(|row| Line::styled(format!(" {row}"), style))
        .collect()
}

/// How many rows lines take when wrapped at word boundaries to `width` columns.
pub fn wrapped_height(lines: &[Line], width: usize) -> u16 {
    let rows: usize = lines
        .iter()
        .map(|line| {
            let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            textwrap::wrap(&text, width.max(1)).len().max(1)
        })
        .sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
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

/// Draws lines in a framed popup centred in `area`, as wide as `max_width` allows and as high
/// as the lines need once wrapped (at most the area).
pub fn text_popup(
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    title: &str,
    max_width: u16,
    lines: Vec<Line<'_>>,
) {
    let width = area.width.saturating_sub(6).min(max_width);
    let inner_width = usize::from(width.saturating_sub(2)).max(1);
    // Word wrapping can take a little more than the width divides into.
    let height: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_width).max(1) + usize::from(l.width() > inner_width))
        .sum();
    let height = u16::try_from(height + 2).unwrap_or(u16::MAX);
    let frame = centered(area, width, height.min(area.height.saturating_sub(2)));
    let inner = popup(frame, buf, theme, title);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
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
    use ratatui::style::{Color, Modifier};

    #[test]
    fn fill_style_styles_what_set_style_styles() {
        let style = Style::new()
            .fg(Color::Gray)
            .bg(Color::Blue)
            .add_modifier(Modifier::BOLD);
        let whole = Rect::new(2, 1, 30, 12);
        for area in [
            whole,
            Rect::new(5, 3, 10, 4),
            Rect::new(0, 0, 8, 5),
            Rect::new(25, 10, 20, 20),
            Rect::new(4, 4, 0, 3),
            Rect::new(100, 100, 5, 5),
        ] {
            let mut want = Buffer::empty(whole);
            want.set_style(area, style);
            let mut got = Buffer::empty(whole);
            fill_style(&mut got, area, style);
            assert_eq!(got, want, "{area:?}");
        }
    }

    #[test]
    fn put_text_writes_what_set_stringn_writes() {
        let area = Rect::new(2, 1, 20, 3);
        let texts = [
            "Workshop 12",
            "",
            "exactly twenty chars",
            "longer than the twenty columns there are",
            "Café ünïcode",
            "wide 漢字 text",
            "tab\there",
            "~!@#$%^&*()_+{}|:<>?",
        ];
        for text in texts {
            for (x, y, width) in [(2, 1, 20), (5, 2, 4), (18, 3, 10), (21, 1, 5), (2, 3, 0)] {
                let mut want = Buffer::empty(area);
                want.set_style(area, Style::new().fg(ratatui::style::Color::Red));
                let mut got = want.clone();
                want.set_stringn(x, y, text, width, Style::new());
                put_text(&mut got, x, y, text, width);
                assert_eq!(got, want, "{text:?} at ({x}, {y}), {width} wide");
            }
        }
    }

    #[test]
    fn bordered_draws_what_a_bordered_block_draws() {
        use ratatui::style::Color;
        let whole = Rect::new(1, 2, 40, 12);
        let under = Style::new().fg(Color::Gray).bg(Color::Black);
        let border = Style::new().fg(Color::Blue);
        let titles = [
            Span::styled(" Sessions ", Style::new().fg(Color::Yellow).bg(Color::Red)),
            Span::raw(""),
            Span::raw(" a title far longer than the forty columns of the area "),
            Span::styled(" Sessíons ", Style::new().add_modifier(Modifier::BOLD)),
        ];
        for title in &titles {
            for area in [
                whole,
                Rect::new(3, 4, 12, 5),
                Rect::new(5, 5, 2, 2),
                Rect::new(5, 5, 1, 4),
                Rect::new(30, 10, 20, 20),
            ] {
                let mut want = Buffer::empty(whole);
                want.set_style(whole, under);
                let mut got = want.clone();
                let block = Block::bordered().border_style(border).title(title.clone());
                let want_inner = block.inner(area.intersection(whole));
                block.render(area, &mut want);
                let inner = bordered(&mut got, area, border, title);
                assert_eq!(got, want, "{title:?} around {area:?}");
                assert_eq!(inner, want_inner, "{title:?} around {area:?}");
            }
        }
    }

    #[test]
    fn minute_text_is_what_strftime_writes() {
        let zones = [
            jiff::tz::TimeZone::UTC,
            jiff::tz::TimeZone::fixed(jiff::tz::offset(-9)),
            jiff::tz::TimeZone::get("Asia/Kolkata").unwrap_or(jiff::tz::TimeZone::UTC),
        ];
        let mut second = -62_000_000_000_i64;
        while second < 253_000_000_000 {
            let moment = jiff::Timestamp::from_second(second).unwrap();
            for zone in &zones {
                let want = moment
                    .to_zoned_datetime(zone.clone())
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string();
                assert_eq!(minute_text(moment, zone), want, "{moment} in {zone:?}");
            }
            second += 987_654_321;
        }
    }

    #[test]
    fn bands_are_cut_as_the_layout_solver_cuts_them() {
        let area = Rect::new(3, 2, 50, 20);
        for (top, bottom) in [(1, 3), (0, 0), (2, 1), (20, 0), (5, 25)] {
            let (head, rest) = split_top(area, top);
            let (body, foot) = split_bottom(rest, bottom);
            let [want_head, want_body, want_foot] = area.layout(&Layout::vertical([
                Constraint::Length(top),
                Constraint::Fill(1),
                Constraint::Length(bottom),
            ]));
            if top + bottom <= area.height {
                assert_eq!((head, body, foot), (want_head, want_body, want_foot));
            }
            // Never more than the area, whatever is asked.
            for part in [head, body, foot] {
                assert_eq!(area.union(part), area, "{part:?}");
            }
            assert_eq!(head.height + body.height + foot.height, area.height);
        }
    }

    #[test]
    fn bars_and_scores_read_without_colour() {
        assert_eq!(bar(Some(50.0), 10), "█████░░░░░");
        assert_eq!(bar(None, 4), "░░░░");
        assert_eq!(score_text(Some(62.5)), "62");
        assert_eq!(score_text(None), "-");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(clock(75), "1:15");
        assert_eq!(clock(3_725), "1:02:05");
    }

    #[test]
    fn pace_reads_as_time_left_and_per_question() {
        use crate::domain::session::TriagePlan;
        use crate::domain::triage::Pace;
        let plan = TriagePlan {
            minutes: Some(30),
            spent: 1200,
            decided: 4,
        };
        assert_eq!(
            pace_text(&Pace::of(&plan, 10, 0)),
            "10:00 left · 10 to go · need 1:00/q · pace 5:00/q · 50:00 at this pace"
        );
        assert_eq!(
            pace_text(&Pace::of(&plan, 1, 700)),
            "1:40 OVER · 1 to go · need 0:00/q · pace 7:55/q · 7:55 at this pace"
        );
    }

    #[test]
    fn control_characters_typed_or_pasted_are_dropped() {
        let mut area = text_input("");
        for c in ['a', '\u{1b}', '\u{7}', '\u{85}', '\u{7f}', 'b'] {
            type_into(
                &mut area,
                Input {
                    key: Key::Char(c),
                    ..Input::default()
                },
            );
        }
        assert_eq!(area.lines().join(""), "ab");
        type_into(
            &mut area,
            Input {
                key: Key::Char('u'),
                ctrl: true,
                ..Input::default()
            },
        );
        assert_eq!(area.lines().join(""), "");
    }

    #[test]
    fn lines_that_do_not_fit_end_with_an_ellipsis() {
        let line = Line::from(vec![Span::raw("Action  "), Span::raw("write the policy")]);
        assert_eq!(
            fit(line.clone(), 40).to_string(),
            "Action  write the policy"
        );
        let cut = fit(line, 14);
        assert_eq!(cut.to_string(), "Action  write…");
        assert_eq!(cut.width(), 14);
    }

    #[test]
    fn long_paths_keep_their_end() {
        assert_eq!(tail("/a/b/report.md", 20), "/a/b/report.md");
        assert_eq!(tail("/a/b/report.md", 10), "…report.md");
        assert_eq!(tail("/a/b/report.md", 10).chars().count(), 10);
    }
}
