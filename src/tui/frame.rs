//! The frame around every screen: the header (session, section timer), the body (the top
//! screen with the popups opened over it, in order), the status line and the footer of keys.

use crate::tui::app::App;
use crate::tui::layer::Layer;
use crate::tui::screens::Screen;
use crate::tui::view::View;
use crate::tui::widgets::{self, MIN_HEIGHT, MIN_WIDTH, TooSmall};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

impl Widget for &App<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        buf.set_style(area, self.theme.text);
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            (&TooSmall { theme: &self.theme }).render(area, buf);
            return;
        }
        let view = self.view();
        let (context, typing) = self.context();
        let footer = widgets::footer_lines(&self.keymap, &self.theme, context, typing, area.width);
        let footer_height = u16::try_from(footer.len().min(3)).unwrap_or(1);
        let [header, body, status, foot] = area.layout(&Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(footer_height),
        ]));
        render_header(&view, self.screen(), header, buf);
        // The top screen, then every popup opened over it.
        let base = self
            .layers
            .iter()
            .rposition(|layer| matches!(layer, Layer::Screen(_)))
            .unwrap_or(0);
        for layer in self.layers.iter().skip(base) {
            layer.render(&view, body, buf);
        }
        Paragraph::new(widgets::status_line(
            &self.theme,
            self.save_error.as_deref(),
            self.message.as_ref(),
        ))
        .render(status, buf);
        Paragraph::new(footer)
            .style(self.theme.dim)
            .render(foot, buf);
    }
}

/// The bar at the top: the program, the session and its target, the section timer.
fn render_header(view: &View, screen: &Screen, area: Rect, buf: &mut Buffer) {
    let theme = view.theme;
    buf.set_style(area, theme.bar);
    let mut left = vec![Span::styled(" aiready", theme.bar)];
    let mut right: Vec<Span> = Vec::new();
    match (view.open, screen) {
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
                right = timer_spans(view);
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
fn timer_spans(view: &View) -> Vec<Span<'static>> {
    let theme = view.theme;
    let Some(open) = view.open else {
        return Vec::new();
    };
    let Some(section) = open.section else {
        return Vec::new();
    };
    let spent = open.section_seconds();
    let planned = open
        .session
        .planned_minutes(section.category, section.stage);
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
