//! The screens. Each variant owns its state; [`App`] draws the one on top of the stack with a
//! header, a status line and a footer generated from the key map.

pub mod help;
pub mod home;
pub mod results;
pub mod setup;
pub mod workshop;

use crate::tui::app::App;
use crate::tui::keymap::Context;
use crate::tui::widgets::{self, MIN_HEIGHT, MIN_WIDTH, TooSmall};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// A screen and its state.
#[derive(Debug, Clone)]
pub enum Screen {
    /// The list of sessions.
    Home(home::HomeState),
    /// Setting up a new session or changing one.
    Setup(setup::SetupState),
    /// Answering questions.
    Workshop(workshop::WorkshopState),
    /// Scores, verdicts, heatmap and gaps.
    Results(results::ResultsState),
    /// Every key and the readiness scale.
    Help(HelpState),
    /// Nothing (never shown; stands in while the stack is rebuilt).
    Empty,
}

/// The help screen's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelpState {
    /// Lines scrolled.
    pub scroll: u16,
    /// The context help was opened from; its keys are listed first.
    pub context: Context,
}

impl Widget for &App<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        buf.set_style(area, self.theme.text);
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            (&TooSmall { theme: &self.theme }).render(area, buf);
            return;
        }
        let (context, typing) = self.context();
        let footer = widgets::footer_lines(self, context, typing, area.width);
        let footer_height = u16::try_from(footer.len().min(3)).unwrap_or(1);
        let [header, body, status, foot] = area.layout(&Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(footer_height),
        ]));
        self.render_header(header, buf);
        match self.screen() {
            Screen::Home(state) => (&home::HomeView { app: self, state }).render(body, buf),
            Screen::Setup(state) => (&setup::SetupView { app: self, state }).render(body, buf),
            Screen::Workshop(state) => {
                (&workshop::WorkshopView { app: self, state }).render(body, buf)
            }
            Screen::Results(state) => {
                (&results::ResultsView { app: self, state }).render(body, buf)
            }
            Screen::Help(state) => (&help::HelpView { app: self, state }).render(body, buf),
            Screen::Empty => {}
        }
        if let Some(export) = self.active_export() {
            crate::tui::popups::export::render(self, export, body, buf);
        }
        Paragraph::new(widgets::status_line(self)).render(status, buf);
        Paragraph::new(footer)
            .style(self.theme.dim)
            .render(foot, buf);
    }
}

impl App<'_> {
    fn render_header(&self, area: Rect, buf: &mut Buffer) {
        let theme = &self.theme;
        buf.set_style(area, theme.bar);
        let mut left = vec![Span::styled(" aiready", theme.bar)];
        let mut right: Vec<Span> = Vec::new();
        match (&self.open, self.screen()) {
            (_, Screen::Home(_)) => left.push(Span::styled(" - sessions", theme.bar)),
            (None, Screen::Setup(_)) => left.push(Span::styled(" - new session", theme.bar)),
            (Some(open), screen) => {
                let s = &open.session;
                let mut title = format!(" - {}", s.name);
                if !s.organisation.is_empty() {
                    title.push_str(&format!(" ({})", s.organisation));
                }
                title.push_str(&format!(
                    " - {} - target {}",
                    s.mode.title(),
                    s.target.title()
                ));
                left.push(Span::styled(
                    widgets::truncate(&title, usize::from(area.width / 2 + 10)),
                    theme.bar,
                ));
                if open.read_only() {
                    left.push(Span::raw(" "));
                    left.push(Span::styled(" READ-ONLY ", theme.warn));
                }
                if matches!(screen, Screen::Workshop(_)) {
                    right = self.timer_spans();
                }
            }
            _ => {}
        }
        Paragraph::new(Line::from(left)).render(area, buf);
        let line = Line::from(right);
        let width = u16::try_from(line.width()).unwrap_or(0).min(area.width);
        let [_, right_area] = area.layout(&Layout::horizontal([
            Constraint::Fill(1),
            Constraint::Length(width),
        ]));
        Paragraph::new(line).render(right_area, buf);
    }

    /// The section timer against the agenda: `section 12:31 / 15:00`, marked when over.
    fn timer_spans(&self) -> Vec<Span<'static>> {
        let theme = &self.theme;
        let Some(section) = self.current_section() else {
            return Vec::new();
        };
        let spent = self.section_seconds();
        let planned = self
            .open
            .as_ref()
            .and_then(|o| o.session.planned_minutes(section.category, section.stage));
        let clock = |secs: u64| format!("{}:{:02}", secs / 60, secs % 60);
        match planned {
            Some(minutes) => {
                let over = spent > u64::from(minutes) * 60;
                let text = format!(
                    " section {} / {}:00{} ",
                    clock(spent),
                    minutes,
                    if over { " OVER" } else { "" }
                );
                vec![Span::styled(
                    text,
                    if over { theme.warn } else { theme.bar },
                )]
            }
            None => vec![Span::styled(
                format!(" section {} ", clock(spent)),
                theme.bar,
            )],
        }
    }
}
