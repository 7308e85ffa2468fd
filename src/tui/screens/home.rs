//! The list of saved sessions: open, create, delete, export.

use crate::domain::scoring::Results;
use crate::domain::session::Session;
use crate::store::Summary;
use crate::tui::action::Action;
use crate::tui::keymap::{Command, Context};
use crate::tui::layer::{Effect, ExportSource, Outcome};
use crate::tui::screens::Screen;
use crate::tui::screens::setup::{Draft, SetupState};
use crate::tui::view::View;
use crate::tui::widgets;
use jiff::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

/// The titles of the list's columns.
const HEADER: [&str; 6] = [
    "Name",
    "Organisation",
    "Mode",
    "Progress",
    "Score",
    "Last change",
];

/// The widths of the columns after the name and the organisation, which share the rest.
const FIXED: [u16; 4] = [9, 9, 6, 17];

/// The list's columns at one width: where each starts and how wide it is, one space apart.
/// Worked out by hand rather than by a `Table`, whose layout solver cost more than the rest
/// of the first frame: the name and organisation share what the fixed columns leave, 3 to 2.
struct Columns {
    /// The start and width of each column.
    spans: [(u16, u16); 6],
}

impl Columns {
    /// The columns across `area`.
    fn at(area: Rect) -> Columns {
        let fixed: u16 = FIXED.iter().sum::<u16>() + 5;
        let shared = area.width.saturating_sub(fixed);
        let name = shared * 3 / 5;
        let widths = [name, shared - name, FIXED[0], FIXED[1], FIXED[2], FIXED[3]];
        let mut spans = [(0, 0); 6];
        let mut x = area.x;
        for (span, width) in spans.iter_mut().zip(widths) {
            let width = width.min(area.right().saturating_sub(x));
            *span = (x, width);
            x = x.saturating_add(width).saturating_add(1).min(area.right());
        }
        Columns { spans }
    }

    /// Draws one row: the style across the whole row, each cell in its column. The name and
    /// organisation are cut with "…" when too long; the fixed columns hold short values.
    fn draw(&self, cells: [String; 6], style: Style, row: Rect, buf: &mut Buffer) {
        widgets::fill_style(buf, row, style);
        for (column, (text, (x, width))) in cells.iter().zip(self.spans).enumerate() {
            let cut;
            let text = if column < 2 {
                cut = widgets::truncate(text, usize::from(width));
                &cut
            } else {
                text
            };
            if !text.is_empty() {
                widgets::put_text(buf, x, row.y, text, usize::from(width));
            }
        }
    }
}

/// One session in the list.
#[derive(Debug, Clone, PartialEq)]
pub struct HomeEntry {
    /// Session id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Organisation.
    pub organisation: String,
    /// Workshop or solo.
    pub mode: String,
    /// Questions answered.
    pub answered: usize,
    /// Questions that apply.
    pub applicable: usize,
    /// Overall score.
    pub score: Option<f64>,
    /// Last change.
    pub updated: Option<Timestamp>,
    /// Why it cannot be opened, if it cannot.
    pub error: Option<String>,
}

impl HomeEntry {
    /// The entry of a readable session.
    pub fn from_session(session: &Session, results: &Results) -> HomeEntry {
        HomeEntry::from_summary(Summary::of(session, results))
    }

    /// The entry of a session as its summary tells it.
    pub fn from_summary(summary: Summary) -> HomeEntry {
        HomeEntry {
            id: summary.id,
            name: summary.name,
            organisation: summary.organisation,
            mode: summary.mode.title().to_string(),
            answered: summary.answered,
            applicable: summary.applicable,
            score: summary.score,
            updated: Some(summary.updated),
            error: None,
        }
    }

    /// The entry of a file that could not be read.
    pub fn unreadable(id: String, error: String) -> HomeEntry {
        HomeEntry {
            name: id.clone(),
            id,
            organisation: String::new(),
            mode: String::new(),
            answered: 0,
            applicable: 0,
            score: None,
            updated: None,
            error: Some(error),
        }
    }
}

/// The list screen's state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HomeState {
    /// Sessions, most recent first.
    pub entries: Vec<HomeEntry>,
    /// The selected row.
    pub selected: usize,
    /// The row whose deletion waits for confirmation.
    pub confirm_delete: Option<usize>,
}

impl HomeState {
    /// The list over entries, the row of `select` (an id) selected, else the first.
    pub fn new(entries: Vec<HomeEntry>, select: Option<&str>) -> HomeState {
        let selected = select
            .and_then(|id| entries.iter().position(|e| e.id == id))
            .unwrap_or(0);
        HomeState {
            entries,
            selected,
            confirm_delete: None,
        }
    }

    /// The id of the selected session.
    pub fn selected_id(&self) -> Option<&str> {
        self.entries.get(self.selected).map(|e| e.id.as_str())
    }

    /// The key context: the list, or the question whether to delete.
    pub fn context(&self) -> (Context, bool) {
        if self.confirm_delete.is_some() {
            (Context::Confirm, false)
        } else {
            (Context::Home, false)
        }
    }

    /// Handles an action.
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        if let Some(row) = self.confirm_delete {
            match action {
                Action::Confirm => {
                    self.confirm_delete = None;
                    if let Some(entry) = self.entries.get(row) {
                        return Outcome::stay().and(Effect::Delete {
                            id: entry.id.clone(),
                            name: entry.name.clone(),
                            row,
                        });
                    }
                }
                Action::Back => self.confirm_delete = None,
                _ => {}
            }
            return Outcome::stay();
        }
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down if self.selected + 1 < self.entries.len() => self.selected += 1,
            Action::Open | Action::Confirm => {
                if let Some(entry) = self.entries.get(self.selected) {
                    return match &entry.error {
                        Some(problem) => Outcome::stay().error(problem.clone()),
                        None => Outcome::stay().and(Effect::Open(entry.id.clone())),
                    };
                }
            }
            Action::Reassess => {
                return match self.entries.get(self.selected) {
                    None => Outcome::stay()
                        .info("There is no session to start from yet; set up a first one."),
                    Some(entry) => match &entry.error {
                        Some(problem) => Outcome::stay().error(problem.clone()),
                        None => Outcome::stay().and(Effect::Reassess(entry.id.clone())),
                    },
                };
            }
            Action::New => {
                let setup = SetupState::new(Draft::new(view.bank), true);
                return Outcome::push(Screen::Setup(Box::new(setup)));
            }
            Action::OpenPrework => return Outcome::stay().and(Effect::BeginOpenPrework),
            Action::Delete if self.entries.get(self.selected).is_some() => {
                self.confirm_delete = Some(self.selected);
            }
            Action::Export => {
                return match self.entries.get(self.selected) {
                    None => {
                        let new = view.key(Context::Home, Command::New);
                        Outcome::stay().info(format!(
                            "There is no session to export yet; press {new} to start one."
                        ))
                    }
                    Some(entry) => match &entry.error {
                        Some(problem) => Outcome::stay().error(problem.clone()),
                        None => Outcome::stay()
                            .and(Effect::BeginExport(ExportSource::Stored(entry.id.clone()))),
                    },
                };
            }
            _ => {}
        }
        Outcome::stay()
    }

    /// Draws the list of sessions.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        let state = self;
        let title = Span::styled(" Sessions ", theme.title);
        let inner = widgets::bordered(buf, area, theme.border, &title);
        if state.entries.is_empty() {
            let new = view.key(Context::Home, Command::New);
            let help = view.key(Context::Global, Command::Help);
            let lines = vec![
                Line::default(),
                Line::styled("  No sessions yet.", theme.title),
                Line::default(),
                Line::from(vec![
                    Span::styled("  Press ", theme.text),
                    Span::styled(new, theme.key),
                    Span::styled(
                        " to start one: a workshop with a team, or a self-assessment on your own.",
                        theme.text,
                    ),
                ]),
                Line::from(vec![
                    Span::styled("  Press ", theme.text),
                    Span::styled(help, theme.key),
                    Span::styled(
                        " for every key. Every change is saved as you go.",
                        theme.text,
                    ),
                ]),
            ];
            // The message takes a few rows, and a paragraph styles every cell of its area:
            // given the whole list area, that cost more than drawing the text. A line wider
            // than the area wraps into at most twice the rows its width needs, plus one, as
            // long as its words are shorter than half a row.
            let width = usize::from(inner.width.max(1));
            let rows: usize = lines
                .iter()
                .map(|line| match line.width() {
                    w if w <= width => 1,
                    w => 2 * (w / width) + 1,
                })
                .sum();
            let height = u16::try_from(rows).unwrap_or(u16::MAX);
            let (message, _) = widgets::split_top(inner, height);
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .render(message, buf);
            return;
        }
        let columns = Columns::at(inner);
        let confirm_height = if state.confirm_delete.is_some() { 3 } else { 0 };
        let (table_area, confirm_area) = widgets::split_bottom(inner, confirm_height);
        let (header_area, rows_area) = widgets::split_top(table_area, 1);
        columns.draw(HEADER.map(String::from), theme.title, header_area, buf);
        // Only the rows that fit under the header are built, scrolled so that the selected one
        // is on screen: a long list costs what one screen of it costs.
        let shown = usize::from(rows_area.height).max(1);
        let first = (state.selected + 1).saturating_sub(shown);
        let rows = rows_area.rows();
        for ((i, e), row) in state.entries.iter().enumerate().skip(first).zip(rows) {
            let marker = if i == state.selected { "> " } else { "  " };
            let (cells, style) = match &e.error {
                Some(_) => (
                    [
                        format!("{marker}{}", e.id),
                        "cannot be read: open it for details".to_string(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ],
                    theme.warn,
                ),
                None => (
                    [
                        format!("{marker}{}", e.name),
                        e.organisation.clone(),
                        e.mode.clone(),
                        format!("{}/{}", e.answered, e.applicable),
                        widgets::score_text(e.score),
                        e.updated
                            .map(|t| widgets::minute_text(t, view.time_zone))
                            .unwrap_or_default(),
                    ],
                    theme.text,
                ),
            };
            let style = if i == state.selected {
                theme.selected
            } else {
                style
            };
            columns.draw(cells, style, row, buf);
        }
        if let Some(e) = state.confirm_delete.and_then(|i| state.entries.get(i)) {
            let yes = view.key(Context::Confirm, Command::Confirm);
            let no = view.key(Context::Confirm, Command::Back);
            Paragraph::new(vec![
                Line::styled(
                    format!(" Delete \"{}\" and its backup for good?", e.name),
                    theme.warn,
                ),
                Line::from(vec![
                    Span::styled(format!(" {yes}"), theme.key),
                    Span::styled(" delete   ", theme.text),
                    Span::styled(no, theme.key),
                    Span::styled(" keep it", theme.text),
                ]),
            ])
            .block(
                Block::new()
                    .borders(Borders::TOP)
                    .border_style(theme.border),
            )
            .render(confirm_area, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fill_the_width_one_space_apart_and_never_leave_it() {
        for width in [0, 1, 20, 46, 47, 78, 80, 118, 200, 500] {
            let area = Rect::new(1, 1, width, 3);
            let columns = Columns::at(area);
            let mut end = area.x;
            for (i, (x, w)) in columns.spans.into_iter().enumerate() {
                assert!(x >= end, "column {i} at {width}: {:?}", columns.spans);
                assert!(x + w <= area.right(), "column {i} at {width}");
                end = x + w;
            }
            if width >= 46 {
                // Every column as wide as asked, the name 3 to 2 against the organisation.
                let widths = columns.spans.map(|(_, w)| w);
                assert_eq!(widths[2..], FIXED);
                assert_eq!(widths[0] + widths[1], width - 46, "{widths:?}");
                assert_eq!(widths[0], (width - 46) * 3 / 5, "{widths:?}");
                assert_eq!(end, area.right());
            }
        }
    }

    #[test]
    fn a_long_name_is_cut_with_an_ellipsis_and_a_row_carries_its_style() {
        let area = Rect::new(0, 0, 80, 1);
        let columns = Columns::at(area);
        let mut buf = Buffer::empty(area);
        let style = Style::new().fg(ratatui::style::Color::Black);
        let name = "A very long session name that does not fit".to_string();
        let cells = [
            name,
            "Org".into(),
            "workshop".into(),
            "4/178".into(),
            "37".into(),
            "2026-01-01 00:00".into(),
        ];
        columns.draw(cells, style, area, &mut buf);
        let text: String = (0..80).map(|x| buf[(x, 0)].symbol().to_string()).collect();
        let name_width = usize::from(columns.spans[0].1);
        assert!(text.starts_with("A very long"), "{text}");
        assert_eq!(text.chars().nth(name_width - 1), Some('…'), "{text}");
        assert!(text.contains(" Org "), "{text}");
        assert!(text.trim_end().ends_with("2026-01-01 00:00"), "{text}");
        assert!((0..80).all(|x| buf[(x, 0)].fg == ratatui::style::Color::Black));
    }
}
