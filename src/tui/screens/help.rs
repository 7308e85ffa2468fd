//! The help screen: every key binding, grouped by where it works, and the readiness scale.

use crate::domain::scale::Answer;
use crate::tui::action::Action;
use crate::tui::keymap::{Command, Context};
use crate::tui::layer::Outcome;
use crate::tui::screens::update_scroll;
use crate::tui::view::View;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

/// Every context in the order the help lists them.
const CONTEXTS: [(Context, &str); 20] = [
    (Context::Global, "Everywhere"),
    (Context::Home, "Sessions"),
    (Context::OpenFile, "Opening a pre-work file"),
    (Context::Setup, "Setup"),
    (Context::Merge, "Merging pre-work"),
    (Context::Workshop, "Questions"),
    (Context::Vote, "Votes"),
    (Context::Prework, "Answering pre-work"),
    (Context::Viewing, "Read-only and following windows"),
    (Context::Triage, "Triage agenda"),
    (Context::Consensus, "Accepting the consensus"),
    (Context::Editor, "Notes editor"),
    (Context::Form, "Forms"),
    (Context::Search, "Search"),
    (Context::Jump, "Lists"),
    (Context::Results, "Results"),
    (Context::Export, "Export"),
    (Context::Confirm, "Confirmation"),
    (Context::Unsaved, "Unsaved changes"),
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
        let width = usize::from(inner.width);
        let mut lines: Vec<Line> = Vec::new();
        lines.extend(hanging(
            " ",
            "Every change is saved at once (notes a moment after you stop typing). Quit at any time.",
            theme.text,
            theme.text,
            width,
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
                let head = format!("   {:<18}", keys.join(" "));
                lines.extend(hanging(&head, &b.description, theme.key, theme.text, width));
            }
            lines.push(Line::default());
        }
        lines.push(Line::styled(" The readiness scale", theme.title));
        for answer in Answer::ALL {
            // The key that gives the answer (`?` is help, so Unknown shows its own key).
            let key = match answer {
                Answer::NotApplicable => view.key(Context::Workshop, Command::AnswerNotApplicable),
                Answer::Unknown => view.key(Context::Workshop, Command::AnswerUnknown),
                level => level.short().to_string(),
            };
            let head = format!("   {key:<4}{:<16}", answer.name());
            lines.extend(hanging(
                &head,
                answer.meaning(),
                theme.key,
                theme.text,
                width,
            ));
        }
        lines.push(Line::default());
        let note = format!(
            "Keys can be changed in {} (see assets/keymap.ron for the format). Theme: {} ({} switches, AIREADY_THEME sets it; NO_COLOR turns colour off).",
            view.keymap_path,
            view.theme.name.title(),
            view.key(Context::Global, Command::CycleTheme)
        );
        lines.extend(hanging(" ", &note, theme.dim, theme.dim, width));
        let max_scroll = u16::try_from(lines.len())
            .unwrap_or(0)
            .saturating_sub(inner.height);
        Paragraph::new(lines)
            .scroll((self.scroll.min(max_scroll), 0))
            .render(inner, buf);
    }
}

/// `head`, then `text` wrapped to the rest of `width` with its later lines indented under it,
/// so that the last lines of the help can be scrolled to.
fn hanging(
    head: &str,
    text: &str,
    head_style: Style,
    style: Style,
    width: usize,
) -> Vec<Line<'static>> {
    let indent = head.chars().count();
    textwrap::wrap(text, width.saturating_sub(indent).max(10))
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let lead = if i == 0 {
                head.to_string()
            } else {
                " ".repeat(indent)
            };
            Line::from(vec![
                Span::styled(lead, head_style),
                Span::styled(part.into_owned(), style),
            ])
        })
        .collect()
}
