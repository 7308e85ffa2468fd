//! The frame around every screen: the header (session, section timer), the body (the top
//! screen with the popups opened over it, in order), the status line and the footer of keys.

use crate::domain::triage::Pace;
use crate::tui::app::App;
use crate::tui::keymap::Command;
use crate::tui::layer::Layer;
use crate::tui::popups::Popup;
use crate::tui::screens::Screen;
use crate::tui::session::OpenSession;
use crate::tui::view::View;
use crate::tui::widgets::{self, MIN_HEIGHT, MIN_WIDTH, TooSmall};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

impl Widget for &App<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        widgets::fill_style(buf, area, self.theme.text);
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            (&TooSmall {
                theme: &self.theme,
                unsaved: self.save_error.is_some(),
            })
                .render(area, buf);
            return;
        }
        let view = self.view();
        let mut idle = self
            .layers
            .last()
            .map(|layer| layer.idle_commands(&view))
            .unwrap_or_default();
        // Undo acts on an open session one may change; in a text field it undoes typing
        // instead.
        if self.open.as_ref().is_none_or(|open| open.read_only()) || self.context().1 {
            idle.extend([Command::Undo, Command::Redo]);
        }
        let footer =
            widgets::footer_lines(&self.keymap, &self.theme, self.context(), &idle, area.width);
        let footer_height = u16::try_from(footer.len().min(3)).unwrap_or(1);
        // The popup about unsaved changes gives the whole reason itself.
        let save_error = match self.popup() {
            Some(Popup::Unsaved(_)) => None,
            _ => self.save_error.as_deref(),
        };
        let status_lines =
            widgets::status_lines(&self.theme, save_error, self.message.as_ref(), area.width);
        let status_height = u16::try_from(status_lines.len()).unwrap_or(1);
        let (header, rest) = widgets::split_top(area, 1);
        let (rest, foot) = widgets::split_bottom(rest, footer_height);
        let (body, status) = widgets::split_bottom(rest, status_height);
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
        Paragraph::new(status_lines).render(status, buf);
        Paragraph::new(footer)
            .style(self.theme.dim)
            .render(foot, buf);
    }
}

/// The bar at the top: the program, the session and its target; on the right the progress,
/// the workshop clock against the planned total and, on the question screen, the section clock.
/// The title takes the room the right side leaves, cut with an ellipsis only when it must.
fn render_header(view: &View, screen: &Screen, area: Rect, buf: &mut Buffer) {
    let theme = view.theme;
    buf.set_style(area, theme.bar);
    let width = usize::from(area.width);
    let (title, right) = match (view.open, screen) {
        (_, Screen::Home(_)) => (" aiready - sessions".to_string(), Vec::new()),
        (None, Screen::Setup(_)) => (" aiready - new session".to_string(), Vec::new()),
        (None, _) => (" aiready".to_string(), Vec::new()),
        (Some(open), _) if let Some(prework) = open.prework() => (
            format!(
                " aiready - pre-work for {} as {}",
                prework.session_name, prework.participant.name
            ),
            prework_spans(view),
        ),
        (Some(open), screen) => {
            let s = &open.session;
            let mut title = format!(" aiready - {}", s.name);
            if !s.organisation.is_empty() {
                title.push_str(&format!(" ({})", s.organisation));
            }
            title.push_str(&format!(
                " - {} - target {}",
                s.mode.title(),
                s.target.title()
            ));
            let compact = width < 100;
            // The session's title keeps at least half of the bar.
            let right = match screen {
                Screen::Workshop(ws) if ws.agenda.is_some() => {
                    agenda_spans(view, ws.agenda_place(), width / 2)
                }
                Screen::Triage(_) => agenda_spans(view, None, width / 2),
                Screen::Workshop(_) => {
                    let mut right = progress_spans(view, compact);
                    right.extend(section_spans(view, compact));
                    right
                }
                _ => progress_spans(view, compact),
            };
            (title, right)
        }
    };
    let right = Line::from(right);
    let right_width = right.width().min(width);
    let mut left = Vec::new();
    let badge = view.open.map_or("", badge);
    let room = width.saturating_sub(right_width + badge.len() + 1);
    left.push(Span::styled(widgets::truncate(&title, room), theme.bar));
    if !badge.is_empty() {
        left.push(Span::raw(" "));
        left.push(Span::styled(badge, theme.warn));
    }
    Paragraph::new(Line::from(left)).render(area, buf);
    let right_width = u16::try_from(right_width).unwrap_or(area.width);
    let right_area = Rect {
        x: area.right().saturating_sub(right_width),
        width: right_width.min(area.width),
        ..area
    };
    Paragraph::new(right).render(right_area, buf);
}

/// What the header says about a session this window cannot change: following the
/// facilitator (or paused), read-only, or nothing.
fn badge(open: &OpenSession) -> &'static str {
    match open.watch() {
        Some(watch) if watch.follow && !watch.paused => " FOLLOWING ",
        Some(watch) if watch.follow => " FOLLOWING PAUSED ",
        _ if open.read_only() => " READ-ONLY ",
        _ => "",
    }
}

/// Pre-work's progress: the questions answered of those assigned.
fn prework_spans(view: &View) -> Vec<Span<'static>> {
    let Some(open) = view.open else {
        return Vec::new();
    };
    let questions = open.nav.list(view.bank);
    let answered = questions
        .iter()
        .filter(|q| open.session.answer(&q.id).is_some())
        .count();
    vec![Span::styled(
        format!(" {answered} of {} answered ", questions.len()),
        view.theme.bar,
    )]
}

/// The triage agenda against its planned time: where the question is on it, time left, and
/// the pace needed; marked when the pace would not finish in time. Parts that do not fit in
/// `width` are left out, the least important first.
fn agenda_spans(view: &View, place: Option<(usize, usize)>, width: usize) -> Vec<Span<'static>> {
    let theme = view.theme;
    let Some(open) = view.open else {
        return Vec::new();
    };
    let c = &open.results.completion;
    let left = c.applicable.saturating_sub(c.answered);
    let pace = Pace::of(&open.session.triage, left, open.pending_triage.as_secs());
    let mut parts = vec![match place {
        Some((at, len)) => format!("agenda {}/{len}", at + 1),
        None => "agenda".to_string(),
    }];
    if pace.seconds_left.is_some() {
        parts.extend(widgets::pace_text(&pace).split(" · ").map(str::to_string));
    } else {
        parts.push(format!("{left} to go"));
        parts.push("no time planned".into());
    }
    let mut text = String::new();
    for part in parts {
        let next = if text.is_empty() {
            format!(" {part}")
        } else {
            format!("{text} · {part}")
        };
        if next.chars().count() + 1 > width {
            break;
        }
        text = next;
    }
    text.push(' ');
    vec![Span::styled(
        text,
        if pace.behind() { theme.warn } else { theme.bar },
    )]
}

/// Questions answered of those that apply, and the workshop's time against the planned total.
fn progress_spans(view: &View, compact: bool) -> Vec<Span<'static>> {
    let theme = view.theme;
    let Some(open) = view.open else {
        return Vec::new();
    };
    let done = &open.results.completion;
    let answered = if compact {
        format!(" {}/{} ", done.answered, done.applicable)
    } else {
        format!(" {}/{} answered ", done.answered, done.applicable)
    };
    let spent = open.session.total_time_spent() + open.pending_time.as_secs();
    let total = match open.session.planned_total_minutes() {
        Some(minutes) => {
            let over = spent > u64::from(minutes) * 60;
            let text = format!(
                " total {} / {}{} ",
                widgets::clock(spent),
                widgets::clock(u64::from(minutes) * 60),
                if over { " OVER" } else { "" }
            );
            Span::styled(text, if over { theme.warn } else { theme.bar })
        }
        None => Span::styled(format!(" total {} ", widgets::clock(spent)), theme.bar),
    };
    vec![Span::styled(answered, theme.bar), total]
}

/// The section timer against the agenda: `section 12:31 / 15:00`, marked when over.
fn section_spans(view: &View, compact: bool) -> Vec<Span<'static>> {
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
    let label = if compact { "sect." } else { "section" };
    match planned {
        Some(minutes) => {
            let over = spent > u64::from(minutes) * 60;
            let text = format!(
                " {label} {} / {}{} ",
                widgets::clock(spent),
                widgets::clock(u64::from(minutes) * 60),
                if over { " OVER" } else { "" }
            );
            vec![Span::styled(
                text,
                if over { theme.warn } else { theme.bar },
            )]
        }
        None => vec![Span::styled(
            format!(" {label} {} ", widgets::clock(spent)),
            theme.bar,
        )],
    }
}
