//! The results: a summary (scores, verdicts, heatmap, the most urgent gaps) and, one tab each,
//! every gap, the follow-ups, the disagreements and the follow-up actions by owner. Enter on a
//! row goes to its question in the workshop.

pub mod lists;
pub mod summary;

use crate::tui::action::Action;
use crate::tui::keymap::{Command, Context};
use crate::tui::layer::{Effect, ExportSource, Outcome, Reply};
use crate::tui::view::View;
use crate::tui::widgets;
use lists::Row;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};
use std::ops::Range;

/// The tabs of the results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Tab {
    /// Scores, verdicts, heatmap, the most urgent gaps.
    #[default]
    Summary,
    /// Every gap.
    Gaps,
    /// Unknown answers and flagged questions.
    FollowUps,
    /// Votes far apart.
    Disagreements,
    /// Every follow-up action, by owner.
    Actions,
}

impl Tab {
    const ALL: [Tab; 5] = [
        Tab::Summary,
        Tab::Gaps,
        Tab::FollowUps,
        Tab::Disagreements,
        Tab::Actions,
    ];

    fn title(self) -> &'static str {
        match self {
            Tab::Summary => "Summary",
            Tab::Gaps => "Gaps",
            Tab::FollowUps => "Follow-ups",
            Tab::Disagreements => "Disagreements",
            Tab::Actions => "Actions",
        }
    }

    fn step(self, delta: isize) -> Tab {
        let len = Tab::ALL.len() as isize;
        let at = Tab::ALL.iter().position(|t| *t == self).unwrap_or(0) as isize;
        Tab::ALL[(at + delta).rem_euclid(len) as usize]
    }

    /// The rows at `range` of a list tab (none for the summary).
    fn rows(self, view: &View, width: usize, range: Range<usize>) -> Vec<Row> {
        match self {
            Tab::Summary => Vec::new(),
            Tab::Gaps => lists::gaps(view, width, range),
            Tab::FollowUps => lists::follow_ups(view, width, range),
            Tab::Disagreements => lists::disagreements(view, width, range),
            Tab::Actions => lists::actions(view, width, range),
        }
    }

    /// How many rows a tab lists.
    fn len(self, view: &View) -> usize {
        let Some(open) = view.open else { return 0 };
        let r = &open.results;
        match self {
            Tab::Summary => 0,
            Tab::Gaps => r.gaps.len(),
            Tab::FollowUps => r.follow_ups.len(),
            Tab::Disagreements => r.disagreements.len(),
            Tab::Actions => open
                .session
                .records
                .values()
                .filter(|rec| !rec.action.is_empty())
                .count(),
        }
    }

    /// The question of a row.
    fn question(self, view: &View, row: usize) -> Option<String> {
        let r = &view.open?.results;
        match self {
            Tab::Summary => None,
            Tab::Gaps => r.gaps.get(row).map(|g| g.question_id.to_string()),
            Tab::FollowUps => r.follow_ups.get(row).map(|f| f.question_id.to_string()),
            Tab::Disagreements => r.disagreements.get(row).map(|d| d.question_id.to_string()),
            Tab::Actions => lists::action_order(view)
                .get(row)
                .map(|l| l.question.to_string()),
        }
    }
}

/// The results screen's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResultsState {
    /// The tab shown.
    pub tab: Tab,
    /// Lines scrolled in the summary.
    pub scroll: u16,
    /// The selected row of a list.
    pub selected: usize,
}

impl ResultsState {
    /// The results open on a tab.
    pub fn on(tab: Tab) -> ResultsState {
        ResultsState {
            tab,
            ..ResultsState::default()
        }
    }

    /// Handles an action: tabs, scrolling and moving in a list, going to a question, export.
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        match action {
            Action::Export => return Outcome::stay().and(Effect::BeginExport(ExportSource::Open)),
            Action::Back => return Outcome::close(),
            Action::NextField | Action::PrevField => {
                let delta = if action == Action::NextField { 1 } else { -1 };
                *self = ResultsState::on(self.tab.step(delta));
            }
            Action::Down if self.tab == Tab::Summary => self.scroll = self.scroll.saturating_add(1),
            Action::Up if self.tab == Tab::Summary => self.scroll = self.scroll.saturating_sub(1),
            Action::Down if self.selected + 1 < self.tab.len(view) => self.selected += 1,
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Confirm => return self.go_to(view),
            Action::Changes => {
                return Outcome::push(crate::tui::popups::Popup::Changes(
                    crate::tui::popups::changes::ChangesState::default(),
                ));
            }
            _ => {}
        }
        Outcome::stay()
    }

    /// Closes the results on the selected row's question.
    fn go_to(&self, view: &View) -> Outcome {
        let Some(question) = self.tab.question(view, self.selected) else {
            return Outcome::stay();
        };
        let position = view
            .open
            .and_then(|o| o.nav.position_of(view.bank, &question));
        match position {
            Some(position) => Outcome::close_with(Reply::GoTo(position)),
            None => Outcome::stay().warn(format!(
                "{question} is not among this session's questions now (out of scope, or gone from the content)."
            )),
        }
    }

    /// Draws the tabs and the one shown.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Span::styled(" Results ", theme.title));
        let inner = block.inner(area);
        block.render(area, buf);
        let Some(open) = view.open else { return };
        let width = usize::from(inner.width.saturating_sub(1));
        let [tabs, body] = inner.layout(&Layout::vertical([
            Constraint::Length(2),
            Constraint::Fill(1),
        ]));

        let r = &open.results;
        let actions = open
            .session
            .records
            .values()
            .filter(|rec| !rec.action.is_empty())
            .count();
        let mut spans = vec![Span::raw(" ")];
        for tab in Tab::ALL {
            let count = match tab {
                Tab::Summary => String::new(),
                Tab::Gaps => format!(" ({})", r.gaps.len()),
                Tab::FollowUps => format!(" ({})", r.follow_ups.len()),
                Tab::Disagreements => format!(" ({})", r.disagreements.len()),
                Tab::Actions => format!(" ({actions})"),
            };
            let text = format!("{}{count}", tab.title());
            if tab == self.tab {
                spans.push(Span::styled(format!("[{text}]"), theme.selected));
            } else {
                spans.push(Span::styled(format!(" {text} "), theme.text));
            }
            spans.push(Span::raw(" "));
        }
        let next = view.key(Context::Results, Command::NextField);
        spans.push(Span::styled(format!(" {next} next"), theme.dim));
        Paragraph::new(widgets::fit(Line::from(spans), usize::from(tabs.width))).render(tabs, buf);

        if self.tab == Tab::Summary {
            let lines = summary::lines(view, width);
            let max_scroll = u16::try_from(lines.len())
                .unwrap_or(0)
                .saturating_sub(body.height);
            Paragraph::new(lines)
                .scroll((self.scroll.min(max_scroll), 0))
                .render(body, buf);
            return;
        }
        // Only the rows that can be on screen are drawn: a list can have thousands.
        let room = usize::from(body.height);
        let first = self.selected.saturating_sub(room);
        let rows = self.tab.rows(view, width, first..self.selected + room);
        let selected_row = self.selected - first;
        if rows.is_empty() {
            let empty = match self.tab {
                Tab::Gaps => " No gaps among the answered questions.",
                Tab::FollowUps => " No Unknown answers and no flagged questions.",
                Tab::Disagreements => " No question has votes two or more levels apart.",
                _ => " No follow-up actions yet: press a on a question to write one.",
            };
            Paragraph::new(Line::styled(empty, theme.dim)).render(body, buf);
            return;
        }
        // Rows after one another, the selected one highlighted and kept in view.
        let mut lines: Vec<Line> = Vec::new();
        let mut selected = (0, 0);
        for (i, row) in rows.into_iter().enumerate() {
            if let Some(heading) = row.heading {
                if i > 0 {
                    lines.push(Line::default());
                }
                lines.push(heading);
            }
            let start = lines.len();
            for (j, line) in row.lines.into_iter().enumerate() {
                if i == selected_row && j == 0 {
                    lines.push(line.style(theme.selected));
                } else {
                    lines.push(line);
                }
            }
            if i == selected_row {
                selected = (start, lines.len());
            }
        }
        let height = usize::from(body.height);
        let offset = selected.1.saturating_sub(height).min(selected.0);
        let go = view.key(Context::Results, Command::Confirm);
        let hint = Line::styled(format!(" {go} goes to the selected question"), theme.dim);
        let [list, foot] = body.layout(&Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(1),
        ]));
        let offset = offset.min(lines.len().saturating_sub(usize::from(list.height)));
        Paragraph::new(lines)
            .scroll((u16::try_from(offset).unwrap_or(0), 0))
            .render(list, buf);
        Paragraph::new(hint).render(foot, buf);
    }
}
