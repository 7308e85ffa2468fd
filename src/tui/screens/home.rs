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
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Span::styled(" Sessions ", theme.title));
        let inner = block.inner(area);
        block.render(area, buf);
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
        let columns = [
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Length(6),
            Constraint::Length(17),
        ];
        // The widths the table will give the name and organisation, to mark a cut with "…".
        let widths = Layout::horizontal(columns).spacing(1).split(inner);
        let fit = |text: &str, column: usize| {
            let width = widths.get(column).map_or(0, |r| usize::from(r.width));
            widgets::truncate(text, width)
        };
        let [table_area, confirm_area] = inner.layout(&Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(if state.confirm_delete.is_some() { 3 } else { 0 }),
        ]));
        // Only the rows that fit under the header are built, scrolled so that the selected one
        // is on screen: a long list costs what one screen of it costs.
        let shown = usize::from(table_area.height.saturating_sub(1)).max(1);
        let first = (state.selected + 1).saturating_sub(shown);
        let rows = state
            .entries
            .iter()
            .enumerate()
            .skip(first)
            .take(shown)
            .map(|(i, e)| {
                let style = if i == state.selected {
                    theme.selected
                } else {
                    theme.text
                };
                let marker = if i == state.selected { "> " } else { "  " };
                match &e.error {
                    Some(_) => Row::new(vec![
                        Cell::from(fit(&format!("{marker}{}", e.id), 0)),
                        Cell::from(fit("cannot be read: open it for details", 1)),
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
                        Cell::from(fit(&format!("{marker}{}", e.name), 0)),
                        Cell::from(fit(&e.organisation, 1)),
                        Cell::from(e.mode.clone()),
                        Cell::from(format!("{}/{}", e.answered, e.applicable)),
                        Cell::from(widgets::score_text(e.score)),
                        Cell::from(
                            e.updated
                                .map(|t| {
                                    t.to_zoned_datetime(view.time_zone.clone())
                                        .strftime("%Y-%m-%d %H:%M")
                                        .to_string()
                                })
                                .unwrap_or_default(),
                        ),
                    ])
                    .style(style),
                }
            });
        Table::new(rows, columns)
            .header(header)
            .column_spacing(1)
            .render(table_area, buf);
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
