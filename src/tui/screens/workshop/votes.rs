//! The vote panel of the question screen: each participant's vote, the spread and the median
//! the room can agree on. Its state (whose vote comes next), its keys and its drawing.

use super::question::{LABEL, labelled};
use crate::domain::questionnaire::Question;
use crate::domain::scale::Answer;
use crate::domain::scoring::DISAGREEMENT_SPREAD;
use crate::tui::action::Action;
use crate::tui::edit::Edit;
use crate::tui::keymap::{Command, Context};
use crate::tui::layer::Outcome;
use crate::tui::session::OpenSession;
use crate::tui::view::View;
use ratatui::text::{Line, Span};

/// The open vote panel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VotePanel {
    /// The participant whose vote the next level key records.
    pub selected: usize,
}

impl VotePanel {
    /// Handles an action on the question `question`; returns whether the panel stays open.
    pub fn update(
        &mut self,
        view: &View,
        question: Option<&str>,
        action: Action,
    ) -> (bool, Outcome) {
        let (Some(open), Some(id)) = (view.open, question) else {
            return (false, Outcome::stay());
        };
        let participants = &open.session.participants;
        let count = participants.len().max(1);
        let vote = |vote| {
            participants.get(self.selected).map(|p| Edit::Vote {
                question: id.to_string(),
                participant: p.name.clone(),
                vote,
            })
        };
        match action {
            Action::Answer(answer) => {
                if let Some(edit) = vote(Some(answer)) {
                    self.selected = (self.selected + 1) % count;
                    return (true, Outcome::stay().edit(edit));
                }
            }
            Action::ClearAnswer => {
                if let Some(edit) = vote(None) {
                    return (true, Outcome::stay().edit(edit));
                }
            }
            Action::Down => self.selected = (self.selected + 1) % count,
            Action::Up => self.selected = (self.selected + count - 1) % count,
            Action::Confirm => {
                return match open.session.vote_median(id) {
                    Some(answer) => (
                        false,
                        Outcome::stay()
                            .edit(Edit::Answer {
                                question: id.to_string(),
                                answer: Some(answer),
                            })
                            .info(format!(
                                "Agreed: {} {}. Press a digit to agree on another level.",
                                answer.short(),
                                answer.name()
                            )),
                    ),
                    None => (
                        true,
                        Outcome::stay()
                            .warn("No rated votes yet: press 0-4 to record each person's vote."),
                    ),
                };
            }
            Action::Back => return (false, Outcome::stay()),
            _ => {}
        }
        (true, Outcome::stay())
    }
}

/// The votes of the room on a question, wrapped to `width`, the person whose vote comes next
/// highlighted while the panel is open (`selected`), with the spread and, while open, a hint.
pub fn lines(
    view: &View,
    open: &OpenSession,
    question: &Question,
    selected: Option<usize>,
    width: usize,
) -> Vec<Line<'static>> {
    let theme = view.theme;
    let record = open.session.record(&question.id);
    let mut spans: Vec<Span<'static>> =
        vec![Span::styled(format!("{:<LABEL$}", "Votes"), theme.dim)];
    let mut lines = Vec::new();
    let mut used = LABEL;
    for (i, p) in open.session.participants.iter().enumerate() {
        let vote = record.and_then(|r| r.votes.get(&p.name));
        let prework = record.and_then(|r| r.prework_votes.get(&p.name));
        let who = if p.role.is_empty() {
            p.name.clone()
        } else {
            format!("{} ({})", p.name, p.role)
        };
        // A pre-work answer the room's vote overrides stays in sight.
        let text = match (vote, prework) {
            (Some(v), Some(pw)) if v != pw => {
                format!("{who} {} (pre-work {})", vote_label(*v), vote_label(*pw))
            }
            (Some(v), _) => format!("{who} {}", vote_label(*v)),
            (None, _) => format!("{who} _"),
        };
        let len = text.chars().count() + 3;
        if used + len > width && used > LABEL {
            lines.push(Line::from(std::mem::take(&mut spans)));
            spans.push(Span::raw(" ".repeat(LABEL)));
            used = LABEL;
        }
        let style = if selected == Some(i) {
            theme.selected
        } else {
            theme.text
        };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw("   "));
        used += len;
    }
    // Votes that are not levels are named, since the spread and the median leave them out.
    let count =
        |answer: Answer| record.map_or(0, |r| r.votes.values().filter(|v| **v == answer).count());
    let mut left_out = Vec::new();
    for (answer, name) in [(Answer::Unknown, "Unknown"), (Answer::NotApplicable, "N/A")] {
        match count(answer) {
            0 => {}
            n => left_out.push(format!("{n} {name}")),
        }
    }
    let spread = record.and_then(|r| r.vote_spread());
    let mut text = match spread {
        Some(spread) if spread >= DISAGREEMENT_SPREAD => format!("spread {spread} ! discuss"),
        Some(spread) => format!("spread {spread}"),
        None => String::new(),
    };
    if !left_out.is_empty() {
        if !text.is_empty() {
            text.push_str(", ");
        }
        text.push_str(&format!("{} not in the spread", left_out.join(" and ")));
    }
    if !text.is_empty() {
        let style = if spread.is_some_and(|s| s >= DISAGREEMENT_SPREAD) {
            theme.warn
        } else {
            theme.dim
        };
        if used + text.chars().count() > width {
            lines.push(Line::from(std::mem::take(&mut spans)));
            spans.push(Span::raw(" ".repeat(LABEL)));
        }
        spans.push(Span::styled(text, style));
    }
    lines.push(Line::from(spans));
    if selected.is_some() {
        let median = record.and_then(|r| r.vote_median());
        let agree = view.key(Context::Vote, Command::Confirm);
        let na = view.key(Context::Vote, Command::AnswerNotApplicable);
        let unknown = view.key(Context::Vote, Command::AnswerUnknown);
        let record_vote =
            format!("0-4 records the highlighted person's vote ({na} N/A, {unknown} Unknown)");
        let hint = match median {
            Some(m) => format!(
                "{record_vote}; {agree} agrees on the lower median of the rated votes: {} {}",
                m.short(),
                m.name()
            ),
            None => format!("{record_vote}, then the next person is highlighted"),
        };
        lines.extend(labelled("", &hint, width, theme, theme.dim));
    }
    lines
}

/// A vote as shown in the panel: the level, `N/A` or `Unknown` (never `?`, which is help).
fn vote_label(answer: Answer) -> &'static str {
    match answer {
        Answer::Unknown => "Unknown",
        other => other.short(),
    }
}
