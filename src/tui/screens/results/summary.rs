//! The summary tab of the results: overall score, a bar and verdict per category, the category
//! x stage heatmap with a number in every cell, the most urgent gaps with their first step.

use crate::domain::compare::Movement;
use crate::domain::framework::Stage;
use crate::domain::scale::Answer;
use crate::domain::scoring::{CategoryResult, Gap, Ladder, Verdict};
use crate::report::compare::signed;
use crate::text;
use crate::tui::keymap::{Command, Context};
use crate::tui::theme::Theme;
use crate::tui::view::View;
use crate::tui::widgets::{self, score_text};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// How many gaps the summary shows; the gaps tab has all of them.
const TOP_GAPS: usize = 5;

/// A stage name for a heatmap column of `width` characters: whole when it fits, else short.
fn stage_label(stage: Stage, width: usize) -> &'static str {
    let (long, short) = match stage {
        Stage::Governance => ("Govern", "Gov"),
        Stage::Collection => ("Collect", "Col"),
        Stage::Storage => ("Store", "Sto"),
        Stage::Training => ("Train", "Trn"),
        Stage::Sharing => ("Share", "Shr"),
        Stage::Monitoring => ("Monitor", "Mon"),
        Stage::Disposal => ("Dispose", "Dis"),
    };
    if long.len() < width { long } else { short }
}

/// The style of a verdict.
pub fn verdict_style(theme: &Theme, verdict: Verdict) -> Style {
    match verdict {
        Verdict::Type2Ready | Verdict::Type1Ready | Verdict::Managed => theme.ok,
        Verdict::NotReady | Verdict::NotManaged => theme.warn,
        Verdict::PartlyManaged => theme.text,
        Verdict::Incomplete => theme.dim,
    }
}

/// A category's name, marked when its verdict is a maturity verdict rather than a SOC 2 one.
fn category_label(c: &CategoryResult) -> String {
    match c.ladder {
        Ladder::Maturity => format!("{} (maturity)", c.category.title()),
        Ladder::Soc2 => c.category.title().to_string(),
    }
}

/// The summary's lines for a pane `width` columns wide.
pub fn lines(view: &View, width: usize) -> Vec<Line<'static>> {
    let theme = view.theme;
    let Some(open) = view.open else {
        return Vec::new();
    };
    let r = &open.results;
    let mut lines: Vec<Line> = Vec::new();
    lines.push(widgets::fit(
        Line::from(vec![
            Span::styled(" Overall ", theme.title),
            Span::styled(
                format!("{:>3}", score_text(r.overall)),
                theme.score(r.overall),
            ),
            Span::styled("   verdict ", theme.dim),
            Span::styled(r.verdict.title(), verdict_style(theme, r.verdict)),
            Span::styled(format!("   target {}", r.target.title()), theme.dim),
            Span::styled(
                format!(
                    "   answered {}/{} ({:.0}%)",
                    r.completion.answered,
                    r.completion.applicable,
                    r.completion.percent().floor()
                ),
                theme.text,
            ),
        ]),
        width,
    ));
    // What is still open, and how the overall score is made.
    if let Some(p) = &r.pending {
        lines.extend(widgets::wrap_styled(
            &format!("   {}", p.describe()),
            theme.dim,
            width,
        ));
    }
    lines.extend(widgets::wrap_styled(
        &format!("   score: {}", r.overall_basis_text()),
        theme.dim,
        width,
    ));
    // A re-assessment: what moved since the session it started from.
    let comparison = view.comparison();
    if let Some(from) = &open.session.started_from {
        let text = match &comparison {
            Some(c) => {
                let changes = view.key(Context::Results, Command::Changes);
                let moved = c
                    .questions
                    .iter()
                    .filter(|q| q.movement != Movement::Unchanged)
                    .count();
                format!(
                    "   since \"{}\": overall {}, {moved} question(s) moved, {} answer(s) carried over to confirm; {changes} lists the changes",
                    text::value(&from.name),
                    signed(c.overall.delta()),
                    open.session.unconfirmed_count()
                )
            }
            None => format!(
                "   started from \"{}\", which is no longer stored: no changes to show",
                text::value(&from.name)
            ),
        };
        lines.extend(widgets::wrap_styled(&text, theme.text, width));
    }
    lines.push(Line::default());

    // A bar per category; the name column narrows on small screens.
    let name_w = if width >= 100 { 22 } else { 16 };
    let name = |title: &str| format!(" {:<name_w$}", widgets::truncate(title, name_w - 1));
    let delta_w = if comparison.is_some() { 6 } else { 0 };
    let bar_w = width.saturating_sub(name_w + 32 + delta_w).clamp(10, 40);
    lines.push(Line::styled(" Categories", theme.title));
    for c in &r.categories {
        // The change since the previous session, beside the score.
        let delta = comparison.as_ref().map(|cmp| {
            let change = cmp.category(c.category);
            let d = change.and_then(|x| x.change.delta());
            let style = match d {
                Some(d) if d > 0 => theme.ok,
                Some(d) if d < 0 => theme.warn,
                _ => theme.dim,
            };
            let flag = if change.is_some_and(|x| x.method_changed) {
                "*"
            } else {
                " "
            };
            Span::styled(format!("{:>4}{flag} ", signed(d)), style)
        });
        lines.push(widgets::fit(
            Line::from(vec![
                Span::styled(name(&category_label(c)), theme.text),
                Span::styled(widgets::bar(c.score, bar_w), theme.score(c.score)),
                Span::styled(format!(" {:>3}", score_text(c.score)), theme.text),
                delta.unwrap_or_else(|| Span::raw("  ")),
                Span::styled(
                    format!("{:<13}", c.verdict.title()),
                    verdict_style(theme, c.verdict),
                ),
                Span::styled(
                    format!(
                        "{:>4}/{:<4}",
                        c.completion.answered, c.completion.applicable
                    ),
                    theme.dim,
                ),
            ]),
            width,
        ));
        if let Some(p) = &c.pending {
            lines.push(Line::styled(
                widgets::truncate(&format!(" {:<name_w$}{}", "", p.describe()), width),
                theme.dim,
            ));
        }
    }
    if let Some(c) = &comparison {
        let mut notes = Vec::new();
        if c.categories.iter().any(|x| x.method_changed) {
            notes.push("* questions changed since: part of the change comes from the method");
        }
        if c.method.carried > 0 {
            notes.push("carried-over answers repeat the previous session until confirmed");
        }
        if c.method.target.is_some() {
            notes.push("the target changed: gaps are measured against each session's own");
        }
        for note in notes {
            lines.extend(widgets::wrap_styled(
                &format!("   {note}"),
                theme.dim,
                width,
            ));
        }
    }
    lines.push(Line::default());

    // The heatmap: a number in every cell; `-` for open sections, `.` where none exists. Every
    // stage keeps its column: the columns narrow, and the headings shorten, to fit.
    lines.extend(widgets::wrap_styled(
        " Heatmap (score per category and stage; - not scored yet, . no questions)",
        theme.title,
        width,
    ));
    let stages = Stage::ALL.len();
    let cell = (width.saturating_sub(name_w + 1) / stages).clamp(4, 9);
    let mut head = vec![Span::styled(format!(" {:<name_w$}", ""), theme.dim)];
    for stage in Stage::ALL {
        head.push(Span::styled(
            format!("{:>w$} ", stage_label(stage, cell), w = cell - 1),
            theme.dim,
        ));
    }
    lines.push(Line::from(head));
    for c in &r.categories {
        let mut row = vec![Span::styled(name(c.category.title()), theme.text)];
        for stage in Stage::ALL {
            let shown = match c.sections.iter().find(|s| s.stage == stage) {
                Some(s) if s.completion.applicable > 0 => Span::styled(
                    format!("{:>w$}", score_text(s.score), w = cell - 1),
                    theme.heat(s.score),
                ),
                _ => Span::styled(format!("{:>w$}", ".", w = cell - 1), theme.dim),
            };
            row.push(shown);
            row.push(Span::raw(" "));
        }
        lines.push(Line::from(row));
    }
    lines.push(Line::default());

    // The most urgent gaps; the gaps tab lists them all.
    lines.extend(widgets::wrap_styled(
        &format!(
            " Most urgent gaps (below level {}; {} in all, every one in the Gaps tab)",
            r.target_level,
            r.gaps.len()
        ),
        theme.title,
        width,
    ));
    if r.gaps.is_empty() {
        lines.push(Line::styled(
            " No gaps among the answered questions.",
            theme.dim,
        ));
    }
    for (i, gap) in r.gaps.iter().take(TOP_GAPS).enumerate() {
        lines.push(gap_line(view, i, gap, r.target_level, width));
        lines.extend(fix_lines(view, gap.remediation, width, 2));
    }
    lines.push(Line::default());
    lines.push(widgets::fit(
        Line::styled(
            format!(
                " Follow-ups: {} (unknown or flagged)   Disagreements: {}",
                r.follow_ups.len(),
                r.disagreements.len()
            ),
            theme.text,
        ),
        width,
    ));
    if !r.orphaned.is_empty() {
        lines.extend(widgets::wrap_styled(
            &format!(
                " Kept answers to questions the current content no longer has: {}",
                r.orphaned.join(", ")
            ),
            theme.warn,
            width,
        ));
    }
    lines
}

/// A gap's line: rank, critical, id, level against the target, the question.
pub fn gap_line(view: &View, i: usize, gap: &Gap, target: u8, width: usize) -> Line<'static> {
    let critical = if gap.critical { "critical " } else { "" };
    let level = if gap.answer == Answer::Unknown {
        "?".to_string()
    } else {
        gap.level.to_string()
    };
    let head = format!(
        " {:>3}. {critical}{} level {level} -> {target}  {}",
        i + 1,
        gap.question_id,
        gap.prompt
    );
    let style = if gap.critical {
        view.theme.warn
    } else {
        view.theme.text
    };
    Line::styled(widgets::truncate(&head, width), style)
}

/// The first step of a remediation, "Fix:" before it, in at most `max` lines; a longer one
/// ends with an ellipsis.
pub fn fix_lines(view: &View, remediation: &str, width: usize, max: usize) -> Vec<Line<'static>> {
    let theme = view.theme;
    let first_step = remediation
        .split_inclusive(". ")
        .next()
        .unwrap_or_default()
        .trim();
    let room = width.saturating_sub(10).max(20);
    let mut parts: Vec<String> = textwrap::wrap(first_step, room)
        .into_iter()
        .map(|p| p.into_owned())
        .collect();
    if parts.len() > max {
        parts.truncate(max);
        if let Some(last) = parts.last_mut() {
            *last = widgets::truncate(&format!("{last} …"), room);
        }
    }
    parts
        .into_iter()
        .enumerate()
        .map(|(j, part)| {
            let lead = if j == 0 { "     Fix: " } else { "          " };
            Line::from(vec![
                Span::styled(lead, theme.dim),
                Span::styled(part, theme.text),
            ])
        })
        .collect()
}
