//! The list of saved sessions: open, create, delete.

use crate::domain::scoring::Results;
use crate::domain::session::Session;
use crate::tui::app::App;
use crate::tui::keymap::{Command, Context};
use crate::tui::widgets;
use jiff::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Widget, Wrap};

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
        HomeEntry {
            id: session.id.clone(),
            name: session.name.clone(),
            organisation: session.organisation.clone(),
            mode: session.mode.title().to_string(),
            answered: results.completion.answered,
            applicable: results.completion.applicable,
            score: results.overall,
            updated: Some(session.updated),
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
#[derive(Debug, Clone, PartialEq)]
pub struct HomeState {
    /// Sessions, most recent first.
    pub entries: Vec<HomeEntry>,
    /// The selected row.
    pub selected: usize,
    /// The row whose deletion waits for confirmation.
    pub confirm_delete: Option<usize>,
}

impl HomeState {
    /// The id of the selected session.
    pub fn selected_id(&self) -> Option<&str> {
        self.entries.get(self.selected).map(|e| e.id.as_str())
    }
}

/// Draws the list of sessions.
pub struct HomeView<'a> {
    /// The app.
    pub app: &'a App<'a>,
    /// The screen's state.
    pub state: &'a HomeState,
}

impl Widget for &HomeView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let theme = &app.theme;
        let state = self.state;
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Span::styled(" Sessions ", theme.title));
        let inner = block.inner(area);
        block.render(area, buf);
        if state.entries.is_empty() {
            let new = app.keymap.key_for(Context::Home, Command::New);
            let help = app.keymap.key_for(Context::Global, Command::Help);
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
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .render(inner, buf);
            return;
        }
        let header = Row::new([
            "Name",
            "Organisation",
            "Mode",
            "Progress",
            "Score",
            "Last change",
        ])
        .style(theme.title);
        let rows = state.entries.iter().enumerate().map(|(i, e)| {
            let style = if i == state.selected {
                theme.selected
            } else {
                theme.text
            };
            let marker = if i == state.selected { "> " } else { "  " };
            match &e.error {
                Some(_) => Row::new(vec![
                    Cell::from(format!("{marker}{}", e.id)),
                    Cell::from("cannot be read: open it for details"),
                    Cell::from(""),
                    Cell::from(""),
                    Cell::from(""),
                    Cell::from(""),
                ])
                .style(if i == state.selected {
                    theme.selected
                } else {
                    theme.warn
                }),
                None => Row::new(vec![
                    Cell::from(format!("{marker}{}", e.name)),
                    Cell::from(e.organisation.clone()),
                    Cell::from(e.mode.clone()),
                    Cell::from(format!("{}/{}", e.answered, e.applicable)),
                    Cell::from(widgets::score_text(e.score)),
                    Cell::from(
                        e.updated
                            .map(|t| {
                                t.to_zoned_datetime(app.time_zone.clone())
                                    .strftime("%Y-%m-%d %H:%M")
                                    .to_string()
                            })
                            .unwrap_or_default(),
                    ),
                ])
                .style(style),
            }
        });
        let [table_area, confirm_area] = inner.layout(&Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(if state.confirm_delete.is_some() { 3 } else { 0 }),
        ]));
        Table::new(
            rows,
            [
                Constraint::Fill(3),
                Constraint::Fill(2),
                Constraint::Length(9),
                Constraint::Length(9),
                Constraint::Length(6),
                Constraint::Length(17),
            ],
        )
        .header(header)
        .column_spacing(1)
        .render(table_area, buf);
        if let Some(e) = state.confirm_delete.and_then(|i| state.entries.get(i)) {
            let yes = app.keymap.key_for(Context::Confirm, Command::Confirm);
            let no = app.keymap.key_for(Context::Confirm, Command::Back);
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
