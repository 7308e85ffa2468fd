//! Popups drawn over the workshop screen: the notes editor, the small forms, search and the
//! jump lists (sections, parking lot); and the [`export`] popup, drawn over any screen it is
//! opened from.

pub mod export;

use crate::tui::app::{App, NOTES_SAVE_DELAY, OpenSession};
use crate::tui::keymap::{Command, Context};
use crate::tui::screens::workshop::{FormKind, JumpKind, WorkshopMode, WorkshopState};
use crate::tui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// Draws the popup of the current mode, if any.
pub fn render_mode(
    app: &App,
    open: &OpenSession,
    ws: &WorkshopState,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &app.theme;
    match &ws.mode {
        WorkshopMode::Browse | WorkshopMode::Vote { .. } => {}
        WorkshopMode::Notes(editor) => {
            let popup = widgets::centered(area, area.width.saturating_sub(8).min(100), 12);
            let title = if editor.justify {
                "Why does this question not apply? (N/A needs a reason)"
            } else {
                "Notes"
            };
            let inner = widgets::popup(popup, buf, theme, title);
            let [text, hint] = inner.layout(&Layout::vertical([
                Constraint::Fill(1),
                Constraint::Length(1),
            ]));
            let mut area = editor.area.clone();
            area.set_style(theme.text);
            area.set_cursor_style(theme.selected);
            (&area).render(text, buf);
            let close = app.keymap.key_for(Context::Editor, Command::Back);
            let state = if editor.dirty {
                format!(
                    "saving {:.0} s after you stop typing",
                    NOTES_SAVE_DELAY.as_secs_f32()
                )
            } else {
                "saved".to_string()
            };
            Paragraph::new(Line::styled(
                format!("Enter: new line   {close}: close   ({state})"),
                theme.dim,
            ))
            .render(hint, buf);
        }
        WorkshopMode::Form(form) => {
            let height = u16::try_from(form.fields.len() * 2 + 3).unwrap_or(10);
            let popup = widgets::centered(area, 70, height);
            let title = match &form.kind {
                FormKind::Action { .. } => "Follow-up action and evidence".to_string(),
                FormKind::Agenda { category, stage } => {
                    format!("Agenda: {} > {}", category.title(), stage.title())
                }
            };
            let inner = widgets::popup(popup, buf, theme, &title);
            let mut lines = Vec::new();
            for (i, (label, value)) in form.fields.iter().enumerate() {
                lines.push(Line::styled(label.clone(), theme.dim));
                if i == form.focus {
                    let text = form.editor.lines().join(" ");
                    lines.push(Line::styled(format!("> {text}_"), theme.selected));
                } else {
                    lines.push(Line::styled(format!("  {value}"), theme.text));
                }
            }
            if let Some(problem) = &form.error {
                lines.push(Line::styled(problem.clone(), theme.error));
            }
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .render(inner, buf);
        }
        WorkshopMode::Search(search) => {
            let popup = widgets::centered(
                area,
                area.width.saturating_sub(8).min(110),
                area.height.saturating_sub(2),
            );
            let inner = widgets::popup(popup, buf, theme, "Search questions, guidance and notes");
            let mut lines = vec![
                Line::styled(format!("> {}_", search.query()), theme.selected),
                Line::styled(
                    match search.matches.len() {
                        0 if search.query().trim().is_empty() => "Type to search.".to_string(),
                        0 => "No question matches.".to_string(),
                        1 => "1 match".to_string(),
                        n => format!("{n} matches"),
                    },
                    theme.dim,
                ),
            ];
            let room = usize::from(inner.height.saturating_sub(2));
            let start = search.selected.saturating_sub(room.saturating_sub(1));
            for (i, &pos) in search.matches.iter().enumerate().skip(start).take(room) {
                let Some(q) = open.nav.questions.get(pos).and_then(|at| app.question(*at)) else {
                    continue;
                };
                let text = widgets::truncate(
                    &format!("{:<12} {}", q.id, q.prompt),
                    usize::from(inner.width),
                );
                let style = if i == search.selected {
                    theme.selected
                } else {
                    theme.text
                };
                lines.push(Line::styled(text, style));
            }
            Paragraph::new(lines).render(inner, buf);
        }
        WorkshopMode::Jump(jump) => {
            let (title, rows): (&str, Vec<String>) = match jump.kind {
                JumpKind::Sections => (
                    "Jump to a section",
                    open.nav
                        .sections
                        .iter()
                        .map(|s| {
                            let result = open.results.section(s.category, s.stage);
                            let done = result.map_or(0, |r| r.completion.answered);
                            format!(
                                "{:<22} {:<12} {:>3}/{:<3} {:>4}",
                                s.category.title(),
                                s.stage.title(),
                                done,
                                s.len,
                                widgets::score_text(result.and_then(|r| r.score))
                            )
                        })
                        .collect(),
                ),
                JumpKind::Flagged => (
                    "Parking lot: questions flagged to discuss later",
                    app.flagged()
                        .iter()
                        .filter_map(|&pos| {
                            open.nav.questions.get(pos).and_then(|at| app.question(*at))
                        })
                        .map(|q| format!("{:<12} {}", q.id, q.prompt))
                        .collect(),
                ),
            };
            let popup = widgets::centered(
                area,
                area.width.saturating_sub(8).min(100),
                area.height.saturating_sub(2),
            );
            let inner = widgets::popup(popup, buf, theme, title);
            if rows.is_empty() {
                let flag = app.keymap.key_for(Context::Workshop, Command::Flag);
                Paragraph::new(Line::styled(
                    format!("Nothing flagged yet. Press {flag} on a question to park it here."),
                    theme.dim,
                ))
                .render(inner, buf);
                return;
            }
            let room = usize::from(inner.height);
            let start = jump.selected.saturating_sub(room.saturating_sub(1));
            let lines: Vec<Line> = rows
                .iter()
                .enumerate()
                .skip(start)
                .take(room)
                .map(|(i, row)| {
                    let text = widgets::truncate(row, usize::from(inner.width));
                    Line::styled(
                        text,
                        if i == jump.selected {
                            theme.selected
                        } else {
                            theme.text
                        },
                    )
                })
                .collect();
            Paragraph::new(lines).render(inner, buf);
        }
    }
}
