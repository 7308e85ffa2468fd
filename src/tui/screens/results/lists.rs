//! The lists of the results, one per tab: every gap, the follow-ups, the disagreements and the
//! follow-up actions grouped by owner. Each row belongs to a question the workshop can go to.

use super::summary::{fix_lines, gap_line};
use crate::domain::session::FollowUp;
use crate::tui::view::View;
use crate::tui::widgets;
use ratatui::text::{Line, Span};
use std::ops::Range;

/// One row of a list.
#[derive(Debug, Clone)]
pub struct Row {
    /// The question it is about.
    pub question: String,
    /// A heading drawn above it (the owner of a group of actions), not part of the selection.
    pub heading: Option<Line<'static>>,
    /// Its lines; the first is highlighted when selected.
    pub lines: Vec<Line<'static>>,
}

/// Owner, due date (marked when overdue) and status of an action, for a row.
fn action_spans(view: &View, action: &FollowUp, with_owner: bool) -> Vec<Span<'static>> {
    let theme = view.theme;
    let mut spans = vec![Span::raw("      ")];
    if action.is_empty() {
        spans.push(Span::styled("no follow-up action yet", theme.dim));
        return spans;
    }
    if with_owner {
        let owner = if action.owner.is_empty() {
            "no owner"
        } else {
            action.owner.as_str()
        };
        spans.push(Span::styled(format!("{owner}, "), theme.text));
    }
    match action.due {
        Some(due) => spans.push(Span::styled(format!("due {due}"), theme.text)),
        None => spans.push(Span::styled("no due date", theme.dim)),
    }
    if action.is_overdue(view.today) {
        spans.push(Span::styled(" OVERDUE", theme.warn));
    }
    spans.push(Span::styled(
        format!(", {}", action.status.title()),
        theme.text,
    ));
    spans
}

fn action_of<'a>(view: &'a View, question: &str) -> Option<&'a FollowUp> {
    view.record(question).map(|r| &r.action)
}

/// The gaps at `range` of the list of every gap, most urgent first, with their first step and
/// their action.
pub fn gaps(view: &View, width: usize, range: Range<usize>) -> Vec<Row> {
    let Some(open) = view.open else {
        return Vec::new();
    };
    let r = &open.results;
    r.gaps
        .iter()
        .enumerate()
        .skip(range.start)
        .take(range.len())
        .map(|(i, gap)| {
            let mut lines = vec![gap_line(view, i, gap, r.target_level, width)];
            lines.extend(fix_lines(view, gap.remediation, width, 1));
            let action = action_of(view, gap.question_id)
                .cloned()
                .unwrap_or_default();
            lines.push(widgets::fit(
                Line::from(action_spans(view, &action, true)),
                width,
            ));
            Row {
                question: gap.question_id.to_string(),
                heading: None,
                lines,
            }
        })
        .collect()
}

/// The follow-ups at `range`: Unknown answers and flagged questions, with their actions.
pub fn follow_ups(view: &View, width: usize, range: Range<usize>) -> Vec<Row> {
    let Some(open) = view.open else {
        return Vec::new();
    };
    open.results
        .follow_ups
        .iter()
        .skip(range.start)
        .take(range.len())
        .map(|f| {
            let why = match (f.unknown, f.flagged) {
                (true, true) => "Unknown, flagged",
                (true, false) => "Unknown",
                _ => "flagged",
            };
            let prompt = open
                .nav
                .position_of(view.bank, f.question_id)
                .and_then(|p| view.question_at(p))
                .map_or("", |q| q.prompt.as_str());
            let head = format!(" {} ({why})  {prompt}", f.question_id);
            let action = action_of(view, f.question_id).cloned().unwrap_or_default();
            Row {
                question: f.question_id.to_string(),
                heading: None,
                lines: vec![
                    Line::styled(widgets::truncate(&head, width), view.theme.text),
                    widgets::fit(Line::from(action_spans(view, &action, true)), width),
                ],
            }
        })
        .collect()
}

/// The disagreements at `range`: questions whose votes are far apart, with the votes.
pub fn disagreements(view: &View, width: usize, range: Range<usize>) -> Vec<Row> {
    let Some(open) = view.open else {
        return Vec::new();
    };
    open.results
        .disagreements
        .iter()
        .skip(range.start)
        .take(range.len())
        .map(|d| {
            let agreed = view
                .record(d.question_id)
                .and_then(|r| r.answer)
                .map_or("open".to_string(), |a| {
                    format!("{} {}", a.short(), a.name())
                });
            let median = d
                .median
                .map_or("-".to_string(), |m| format!("{} {}", m.short(), m.name()));
            let head = format!(
                " {}  spread {}  lower median {median}  agreed {agreed}",
                d.question_id, d.spread
            );
            let votes: Vec<String> = view
                .record(d.question_id)
                .map(|r| {
                    r.votes
                        .iter()
                        .map(|(who, a)| format!("{who} {}", a.short()))
                        .collect()
                })
                .unwrap_or_default();
            Row {
                question: d.question_id.to_string(),
                heading: None,
                lines: vec![
                    Line::styled(widgets::truncate(&head, width), view.theme.warn),
                    Line::styled(
                        widgets::truncate(&format!("      votes: {}", votes.join(", ")), width),
                        view.theme.text,
                    ),
                ],
            }
        })
        .collect()
}

/// One follow-up action in the list: its owner group and its question.
pub struct Listed<'a> {
    /// The owner, empty for none.
    pub owner: &'a str,
    /// The question.
    pub question: &'a str,
    /// The action.
    pub action: &'a FollowUp,
}

/// Every follow-up action of the session in list order: by owner (no owner last), soonest due
/// first, then by question.
pub fn action_order<'a>(view: &View<'a>) -> Vec<Listed<'a>> {
    let Some(open) = view.open else {
        return Vec::new();
    };
    let mut listed: Vec<Listed> = open
        .session
        .records
        .iter()
        .filter(|(_, r)| !r.action.is_empty())
        .map(|(id, r)| Listed {
            owner: r.action.owner.trim(),
            question: id,
            action: &r.action,
        })
        .collect();
    listed.sort_by_key(|l| {
        (
            l.owner.is_empty(),
            l.owner,
            l.action.due.is_none(),
            l.action.due,
            l.question,
        )
    });
    listed
}

/// The follow-up actions at `range` of the list by owner, a heading before each owner's first.
pub fn actions(view: &View, width: usize, range: Range<usize>) -> Vec<Row> {
    let theme = view.theme;
    let Some(open) = view.open else {
        return Vec::new();
    };
    let listed = action_order(view);
    let mut rows = Vec::new();
    for i in range {
        let Some(item) = listed.get(i) else { break };
        let first = i == 0
            || listed
                .get(i - 1)
                .is_none_or(|before| before.owner != item.owner);
        let heading = first.then(|| {
            let group: Vec<&Listed> = listed.iter().filter(|l| l.owner == item.owner).collect();
            let overdue = group
                .iter()
                .filter(|l| l.action.is_overdue(view.today))
                .count();
            let who = if item.owner.is_empty() {
                "No owner yet"
            } else {
                item.owner
            };
            let mut text = format!(" {who}: {} action(s)", group.len());
            if overdue > 0 {
                text.push_str(&format!(", {overdue} overdue"));
            }
            Line::styled(text, theme.title)
        });
        let what = if item.action.what.is_empty() {
            open.nav
                .position_of(view.bank, item.question)
                .and_then(|p| view.question_at(p))
                .map_or_else(String::new, |q| format!("({})", q.prompt))
        } else {
            item.action.what.clone()
        };
        rows.push(Row {
            question: item.question.to_string(),
            heading,
            lines: vec![
                Line::styled(
                    widgets::truncate(&format!("   {}  {what}", item.question), width),
                    theme.text,
                ),
                widgets::fit(Line::from(action_spans(view, item.action, false)), width),
            ],
        });
    }
    rows
}
