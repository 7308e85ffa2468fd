//! The results dashboard: overall score, a bar and verdict per category, the category x stage
//! heatmap with a number in every cell, the top gaps with their remediation, completion.

use crate::domain::framework::Stage;
use crate::domain::scoring::Verdict;
use crate::tui::action::Action;
use crate::tui::layer::{Effect, ExportSource, Outcome};
use crate::tui::screens::update_scroll;
use crate::tui::theme::Theme;
use crate::tui::view::View;
use crate::tui::widgets::{self, score_text};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

/// How many gaps the dashboard lists.
const TOP_GAPS: usize = 10;

/// The dashboard's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResultsState {
    /// Lines scrolled.
    pub scroll: u16,
}

/// A stage name short enough for a heatmap column.
fn stage_label(stage: Stage) -> &'static str {
    match stage {
        Stage::Governance => "Govern",
        Stage::Collection => "Collect",
        Stage::Storage => "Store",
        Stage::Training => "Train",
        Stage::Sharing => "Share",
        Stage::Monitoring => "Monitor",
        Stage::Disposal => "Dispose",
    }
}

fn verdict_style(theme: &Theme, verdict: Verdict) -> ratatui::style::Style {
    match verdict {
        Verdict::Type2Ready | Verdict::Type1Ready => theme.ok,
        Verdict::NotReady => theme.warn,
        Verdict::Incomplete => theme.dim,
    }
}

impl ResultsState {
    /// Handles an action: scrolling, back, export.
    pub fn update(&mut self, action: Action) -> Outcome {
        match action {
            Action::Export => Outcome::stay().and(Effect::BeginExport(ExportSource::Open)),
            action => update_scroll(&mut self.scroll, action),
        }
    }

    /// Draws the dashboard.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Span::styled(" Results ", theme.title));
        let inner = block.inner(area);
        block.render(area, buf);
        let Some(open) = view.open else { return };
        let r = &open.results;
        let width = usize::from(inner.width.saturating_sub(2));
        let mut lines: Vec<Line> = Vec::new();

        lines.push(Line::from(vec![
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
                    r.completion.percent()
                ),
                theme.text,
            ),
        ]));
        lines.push(Line::default());

        // A bar per category.
        let name_w = 22;
        let bar_w = width.saturating_sub(name_w + 32).clamp(10, 40);
        lines.push(Line::styled(" Categories", theme.title));
        for c in &r.categories {
            lines.push(Line::from(vec![
                Span::styled(format!(" {:<name_w$}", c.category.title()), theme.text),
                Span::styled(widgets::bar(c.score, bar_w), theme.score(c.score)),
                Span::styled(format!(" {:>3}  ", score_text(c.score)), theme.text),
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
            ]));
        }
        lines.push(Line::default());

        // The heatmap: a number in every cell; `-` for open sections, blank where none exists.
        lines.push(Line::styled(
            " Heatmap (score per category and stage; - not scored yet, . no questions)",
            theme.title,
        ));
        let mut head = vec![Span::styled(format!(" {:<name_w$}", ""), theme.dim)];
        for stage in Stage::ALL {
            head.push(Span::styled(
                format!("{:>7}  ", stage_label(stage)),
                theme.dim,
            ));
        }
        lines.push(Line::from(head));
        for c in &r.categories {
            let mut row = vec![Span::styled(
                format!(" {:<name_w$}", c.category.title()),
                theme.text,
            )];
            for stage in Stage::ALL {
                let cell = match c.sections.iter().find(|s| s.stage == stage) {
                    Some(s) if s.completion.applicable > 0 => {
                        Span::styled(format!("{:>7} ", score_text(s.score)), theme.heat(s.score))
                    }
                    _ => Span::styled(format!("{:>7} ", "."), theme.dim),
                };
                row.push(cell);
                row.push(Span::raw(" "));
            }
            lines.push(Line::from(row));
        }
        lines.push(Line::default());

        // The gaps that matter most.
        lines.push(Line::styled(
            format!(
                " Top gaps (below level {}, most urgent first; {} in all)",
                r.target_level,
                r.gaps.len()
            ),
            theme.title,
        ));
        if r.gaps.is_empty() {
            lines.push(Line::styled(
                " No gaps among the answered questions.",
                theme.dim,
            ));
        }
        for (i, gap) in r.gaps.iter().take(TOP_GAPS).enumerate() {
            let critical = if gap.critical { "critical " } else { "" };
            let head = format!(
                " {:>2}. {critical}{} level {} -> {}  {}",
                i + 1,
                gap.question_id,
                if gap.answer == crate::domain::scale::Answer::Unknown {
                    "?".to_string()
                } else {
                    gap.level.to_string()
                },
                r.target_level,
                gap.prompt
            );
            lines.push(Line::styled(
                widgets::truncate(&head, width),
                if gap.critical { theme.warn } else { theme.text },
            ));
            let first_step = gap
                .remediation
                .split_inclusive(". ")
                .next()
                .unwrap_or_default();
            for (j, part) in textwrap::wrap(first_step.trim(), width.saturating_sub(10).max(20))
                .iter()
                .take(2)
                .enumerate()
            {
                let lead = if j == 0 { "     Fix: " } else { "          " };
                lines.push(Line::from(vec![
                    Span::styled(lead, theme.dim),
                    Span::styled(part.to_string(), theme.text),
                ]));
            }
        }
        lines.push(Line::default());
        lines.push(Line::styled(
            format!(
                " Follow-ups: {} (unknown or flagged)   Disagreements: {}",
                r.follow_ups.len(),
                r.disagreements.len()
            ),
            theme.text,
        ));
        if !r.orphaned.is_empty() {
            lines.push(Line::styled(
                format!(
                    " Kept answers to questions the current content no longer has: {}",
                    r.orphaned.join(", ")
                ),
                theme.warn,
            ));
        }
        let max_scroll = u16::try_from(lines.len())
            .unwrap_or(0)
            .saturating_sub(inner.height);
        Paragraph::new(lines)
            .scroll((self.scroll.min(max_scroll), 0))
            .render(inner, buf);
    }
}
