//! The help screen: every key binding, grouped by where it works, and the readiness scale.

use crate::domain::scale::Answer;
use crate::tui::action::Action;
use crate::tui::keymap::Context;
use crate::tui::layer::Outcome;
use crate::tui::screens::update_scroll;
use crate::tui::view::View;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

/// Every context in the order the help lists them.
const CONTEXTS: [(Context, &str); 13] = [
    (Context::Global, "Everywhere"),
    (Context::Home, "Sessions"),
    (Context::Setup, "Setup"),
    (Context::Workshop, "Questions"),
    (Context::Vote, "Votes"),
    (Context::Editor, "Notes editor"),
    (Context::Form, "Forms"),
    (Context::Search, "Search"),
    (Context::Jump, "Lists"),
    (Context::Results, "Results"),
    (Context::Export, "Export"),
    (Context::Confirm, "Confirmation"),
    (Context::Help, "Help"),
];

/// The help screen's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelpState {
    /// Lines scrolled.
    pub scroll: u16,
    /// The context help was opened from; its keys are listed first.
    pub context: Context,
}

impl HelpState {
    /// Help for the keys of a context, at the top.
    pub fn new(context: Context) -> HelpState {
        HelpState { scroll: 0, context }
    }

    /// Handles an action: scrolling and back.
    pub fn update(&mut self, action: Action) -> Outcome {
        update_scroll(&mut self.scroll, action)
    }

    /// Draws the help screen.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Span::styled(" Help ", theme.title));
        let inner = block.inner(area);
        block.render(area, buf);
        let mut lines: Vec<Line> = Vec::new();
        lines.push(Line::styled(
            " Every change is saved at once (notes a moment after you stop typing). Quit at any time.",
            theme.text,
        ));
        lines.push(Line::default());
        let mut order: Vec<(Context, &str)> = CONTEXTS
            .iter()
            .copied()
            .filter(|(c, _)| *c == self.context)
            .collect();
        order.extend(CONTEXTS.iter().copied().filter(|(c, _)| *c != self.context));
        for (context, title) in order {
            lines.push(Line::styled(format!(" {title}"), theme.title));
            for b in view.keymap.bindings(context) {
                let keys: Vec<String> = if b.key_label().contains('-') && b.keys.len() > 2 {
                    vec![b.key_label()]
                } else {
                    b.keys.iter().map(ToString::to_string).collect()
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("   {:<18}", keys.join(" ")), theme.key),
                    Span::styled(b.description.clone(), theme.text),
                ]));
            }
            lines.push(Line::default());
        }
        lines.push(Line::styled(" The readiness scale", theme.title));
        for answer in Answer::ALL {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("   {:<4}{:<16}", answer.short(), answer.name()),
                    theme.key,
                ),
                Span::styled(answer.meaning(), theme.text),
            ]));
        }
        lines.push(Line::default());
        lines.push(Line::styled(
            format!(
                " Keys can be changed in {} (see assets/keymap.ron for the format). Theme: {} (t switches; NO_COLOR turns colour off).",
                view.keymap_path,
                view.theme.name.title()
            ),
            theme.dim,
        ));
        let max_scroll = u16::try_from(lines.len())
            .unwrap_or(0)
            .saturating_sub(inner.height);
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .scroll((self.scroll.min(max_scroll), 0))
            .render(inner, buf);
    }
}
