//! Accepting the consensus: a preview of every question without an agreed level whose votes
//! all give the same answer (not Unknown, with at least a minimum number of votes), and one key
//! that agrees on all of them, marked "agreed from pre-work".

use crate::domain::scale::Answer;
use crate::domain::triage;
use crate::tui::action::Action;
use crate::tui::edit::Edit;
use crate::tui::keymap::{Command, Context};
use crate::tui::layer::Outcome;
use crate::tui::view::View;
use crate::tui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// The most votes the minimum can ask for.
const MAX_VOTES: usize = 50;

/// The consensus popup's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsensusState {
    /// Questions need at least this many votes.
    pub min_votes: usize,
}

impl ConsensusState {
    /// The preview with a minimum number of votes.
    pub fn new(min_votes: usize) -> ConsensusState {
        ConsensusState { min_votes }
    }

    /// The answers accepting would set, in the order questions are asked.
    pub fn answers(&self, view: &View) -> Vec<(String, Answer)> {
        match view.open {
            Some(open) => {
                triage::consensus(&open.nav.list(view.bank), &open.session, self.min_votes)
            }
            None => Vec::new(),
        }
    }

    /// Handles an action: the minimum up or down, accept, cancel.
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        match action {
            Action::Up => self.min_votes = (self.min_votes + 1).min(MAX_VOTES),
            Action::Down => self.min_votes = self.min_votes.saturating_sub(1).max(1),
            Action::Confirm => {
                let answers = self.answers(view);
                if answers.is_empty() {
                    return Outcome::stay().warn(
                        "No question has unanimous votes to accept; lower the votes needed, or record more votes.",
                    );
                }
                let n = answers.len();
                return Outcome::close()
                    .edit(Edit::AcceptConsensus { answers })
                    .info(format!(
                        "Agreed {n} question{} from pre-work.",
                        if n == 1 { "" } else { "s" }
                    ));
            }
            Action::Back => return Outcome::close(),
            _ => {}
        }
        Outcome::stay()
    }

    /// Draws the preview over `area`.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        let answers = self.answers(view);
        let more = view.key(Context::Consensus, Command::Up);
        let fewer = view.key(Context::Consensus, Command::Down);
        let accept = view.key(Context::Consensus, Command::Confirm);
        let votes = |n: usize| format!("{n} vote{}", if n == 1 { "" } else { "s" });
        let intro = if answers.is_empty() {
            format!(
                "No question without an agreed level has at least {} that all give the same answer. {fewer} asks for fewer votes.",
                votes(self.min_votes)
            )
        } else {
            format!(
                "{} without an agreed level {} at least {}, all the same and not Unknown. {accept} agrees on each at once, marked \"agreed from pre-work\"; undo takes it back. {more} / {fewer} change the votes needed.",
                if answers.len() == 1 {
                    "1 question".to_string()
                } else {
                    format!("{} questions", answers.len())
                },
                if answers.len() == 1 { "has" } else { "have" },
                votes(self.min_votes)
            )
        };
        let mut lines = vec![Line::styled(intro, theme.text), Line::default()];
        // Room for the list: the area less the frame, the intro and the "more" line.
        let room = usize::from(area.height).saturating_sub(10).max(3);
        let width = usize::from(area.width.saturating_sub(10).min(98));
        for (id, answer) in answers.iter().take(room) {
            let prompt = view.bank.question(id).map_or("", |q| q.prompt.as_str());
            let text = format!("{id:<12} {:<14} {prompt}", answer_label(*answer));
            lines.push(Line::styled(widgets::truncate(&text, width), theme.text));
        }
        if answers.len() > room {
            lines.push(Line::styled(
                format!("... and {} more", answers.len() - room),
                theme.dim,
            ));
        }
        widgets::text_popup(area, buf, theme, "Accept the consensus", 100, lines);
    }
}

/// An answer as a short label: `3 Implemented`, `N/A`, `Unknown`.
pub fn answer_label(answer: Answer) -> String {
    match answer.level() {
        Some(_) => format!("{} {}", answer.short(), answer.name()),
        None if answer == Answer::NotApplicable => "N/A".into(),
        None => answer.name().into(),
    }
}
