//! The triage agenda: the session's questions in the order a meeting should take them
//! (disagreements, then Unknown votes and questions nobody answered beforehand, then critical
//! questions without an agreed level, then the rest), each with its votes, spread and reason.
//! Enter goes to a question and makes next and previous follow the agenda; the consensus and
//! the agenda's time are planned from here.

use crate::domain::scoring::DISAGREEMENT_SPREAD;
use crate::domain::triage::{self, AgendaItem, DEFAULT_CONSENSUS_VOTES, Pace};
use crate::tui::action::Action;
use crate::tui::keymap::{Command, Context};
use crate::tui::layer::{Outcome, Reply};
use crate::tui::popups::Popup;
use crate::tui::popups::agenda::AgendaForm;
use crate::tui::popups::consensus::ConsensusState;
use crate::tui::session::OpenSession;
use crate::tui::view::View;
use crate::tui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

/// The triage screen's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageState {
    /// The agenda as of the last change to the session.
    pub items: Vec<AgendaItem>,
    /// The selected row.
    pub selected: usize,
}

impl TriageState {
    /// The agenda of the open session, the row of the question at `cursor` selected.
    pub fn new(view: &View, cursor: usize) -> TriageState {
        let items = agenda(view);
        let selected = items.iter().position(|i| i.position == cursor).unwrap_or(0);
        TriageState { items, selected }
    }

    /// Takes in a changed session: the agenda is made again, the same row kept selected.
    pub fn session_changed(&mut self, view: &View) {
        let position = self.items.get(self.selected).map(|i| i.position);
        self.items = agenda(view);
        self.selected = position
            .and_then(|p| self.items.iter().position(|i| i.position == p))
            .unwrap_or(0)
            .min(self.items.len().saturating_sub(1));
    }

    /// Handles an action.
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        match action {
            Action::Down if self.selected + 1 < self.items.len() => self.selected += 1,
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Confirm => {
                if let Some(item) = self.items.get(self.selected) {
                    let order = self.items.iter().map(|i| i.position).collect();
                    return Outcome::close_with(Reply::Agenda {
                        order,
                        at: item.position,
                    });
                }
            }
            Action::QuestionnaireOrder => return Outcome::close_with(Reply::LeaveAgenda),
            Action::Consensus => {
                if let Some(open) = view.open.filter(|o| o.read_only()) {
                    return Outcome::stay().warn(open.read_only_message());
                }
                return Outcome::push(Popup::Consensus(ConsensusState::new(
                    DEFAULT_CONSENSUS_VOTES,
                )));
            }
            Action::EditAgenda => {
                return match view.open {
                    Some(open) if open.read_only() => {
                        Outcome::stay().warn(open.read_only_message())
                    }
                    Some(open) => Outcome::push(Popup::Agenda(AgendaForm::triage(
                        open.session.triage.minutes,
                    ))),
                    None => Outcome::stay(),
                };
            }
            Action::Back => return Outcome::close(),
            _ => {}
        }
        Outcome::stay()
    }

    /// Draws the agenda: counts per group, time and consensus, the rows, the selected
    /// question's prompt.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Span::styled(" Triage agenda ", theme.title));
        let inner = block.inner(area).inner(ratatui::layout::Margin::new(1, 0));
        block.render(area, buf);
        let Some(open) = view.open else { return };
        let [summary, rows_area, detail] = inner.layout(&Layout::vertical([
            Constraint::Length(3),
            Constraint::Fill(1),
            Constraint::Length(4),
        ]));
        Paragraph::new(self.summary_lines(view, open))
            .wrap(Wrap { trim: false })
            .render(summary, buf);
        self.render_rows(view, open, rows_area, buf);
        self.render_detail(view, open, detail, buf);
    }

    fn summary_lines(&self, view: &View, open: &OpenSession) -> Vec<Line<'static>> {
        let theme = view.theme;
        let mut groups: Vec<(&str, usize)> = Vec::new();
        for item in &self.items {
            let group = item.reason.group();
            match groups.last_mut() {
                Some((g, n)) if *g == group => *n += 1,
                _ => groups.push((group, 1)),
            }
        }
        let counts: Vec<String> = groups.iter().map(|(g, n)| format!("{n} {g}")).collect();
        let agreed = self.items.iter().filter(|i| i.agreed).count();
        let questions = open.nav.list(view.bank);
        let ready = triage::consensus(&questions, &open.session, DEFAULT_CONSENSUS_VOTES).len();
        let consensus = view.key(Context::Triage, Command::Consensus);
        let plan = view.key(Context::Triage, Command::EditAgenda);
        let pace = Pace::of(
            &open.session.triage,
            self.items.len() - agreed,
            open.pending_triage.as_secs(),
        );
        let time = match pace.seconds_left {
            None => format!("No time planned yet: {plan} plans the agenda's time."),
            Some(_) => format!("Time: {}", widgets::pace_text(&pace)),
        };
        vec![
            Line::styled(
                format!("{} questions: {}", self.items.len(), counts.join(" · ")),
                theme.text,
            ),
            Line::from(vec![
                Span::styled(
                    format!("Agreed {agreed} of {}", self.items.len()),
                    theme.text,
                ),
                Span::styled(
                    format!(" · {ready} with unanimous votes ({consensus} accepts them) · "),
                    theme.dim,
                ),
                Span::styled(time, if pace.behind() { theme.warn } else { theme.dim }),
            ]),
        ]
    }

    fn render_rows(&self, view: &View, open: &OpenSession, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        let width = usize::from(area.width);
        // Fixed columns: marker and number, question id, spread, agreed level.
        let fixed = 2 + 5 + 13 + 8 + 12;
        let rest = width.saturating_sub(fixed);
        let why_width = (rest / 3).clamp(14, 24);
        let votes_width = rest.saturating_sub(why_width + 1).max(8);
        let header = format!(
            "  {:>3}  {:<why_width$} {:<12} {:<votes_width$} {:>6}  {:<10}",
            "#", "Why", "Question", "Votes", "Spread", "Agreed"
        );
        let mut lines = vec![Line::styled(widgets::truncate(&header, width), theme.title)];
        let room = usize::from(area.height).saturating_sub(1);
        // Keep the selected row in view, with a little context above it.
        let start = self.selected.saturating_sub(room.saturating_sub(3));
        let mut last_group = start
            .checked_sub(1)
            .and_then(|i| self.items.get(i))
            .map(|i| i.reason.group());
        for (i, item) in self.items.iter().enumerate().skip(start) {
            if lines.len() > room {
                break;
            }
            let group = item.reason.group();
            if last_group != Some(group) {
                last_group = Some(group);
                if lines.len() > 1 && lines.len() < room {
                    lines.push(Line::styled(format!("  — {group}"), theme.dim));
                }
            }
            let Some(question) = view.question_at(item.position) else {
                continue;
            };
            let record = open.session.record(&question.id);
            let votes: Vec<String> = record
                .map(|r| {
                    r.votes
                        .iter()
                        .map(|(name, v)| format!("{name} {}", v.short()))
                        .collect()
                })
                .unwrap_or_default();
            let votes = if votes.is_empty() {
                "no votes".to_string()
            } else {
                votes.join("  ")
            };
            let spread = match item.spread {
                Some(s) if s >= DISAGREEMENT_SPREAD => format!("{s} !"),
                Some(s) => s.to_string(),
                None => "-".into(),
            };
            let carried = record.is_some_and(|r| r.unconfirmed().is_some());
            let agreed = match record.and_then(|r| r.answer.map(|a| (a, r.from_prework))) {
                // Carried over from the previous session: to be confirmed, not yet agreed.
                Some((answer, _)) if carried => format!("{} confirm?", answer.short()),
                Some((answer, true)) => format!("{} pre-work", answer.short()),
                Some((answer, false)) => answer.short().to_string(),
                None => "-".into(),
            };
            let marker = if i == self.selected { ">" } else { " " };
            let text = format!(
                "{marker} {:>3}  {:<why_width$} {:<12} {:<votes_width$} {:>6}  {:<10}",
                i + 1,
                widgets::truncate(&item.reason.explain(), why_width),
                widgets::truncate(&question.id, 12),
                widgets::truncate(&votes, votes_width),
                spread,
                agreed,
            );
            let style = if i == self.selected {
                theme.selected
            } else if item.agreed {
                theme.dim
            } else if matches!(item.spread, Some(s) if s >= DISAGREEMENT_SPREAD) {
                theme.warn
            } else {
                theme.text
            };
            lines.push(Line::styled(widgets::truncate(&text, width), style));
        }
        if self.items.is_empty() {
            lines.push(Line::styled(
                "No question applies with this scope.",
                theme.dim,
            ));
        }
        Paragraph::new(lines).render(area, buf);
    }

    fn render_detail(&self, view: &View, open: &OpenSession, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        let Some(item) = self.items.get(self.selected) else {
            return;
        };
        let Some(question) = view.question_at(item.position) else {
            return;
        };
        let mut title = vec![Span::styled(
            format!(
                "{}  {} > {}",
                question.id,
                question.category.title(),
                question.stage.title()
            ),
            theme.title,
        )];
        if question.critical {
            title.push(Span::styled("  critical", theme.warn));
        }
        if let Some(carried) = open
            .session
            .record(&question.id)
            .and_then(|r| r.unconfirmed())
        {
            title.push(Span::styled(format!("  {}", carried.title()), theme.warn));
        }
        let notes: Vec<String> = open
            .session
            .record(&question.id)
            .map(|r| {
                r.prework_notes
                    .iter()
                    .map(|(name, note)| format!("{name}, pre-work: {}", note.replace('\n', " / ")))
                    .collect()
            })
            .unwrap_or_default();
        let mut lines = vec![
            Line::from(title),
            Line::styled(question.prompt.clone(), theme.text),
        ];
        if let Some(first) = notes.first() {
            let more = if notes.len() > 1 {
                format!(" (+{} more)", notes.len() - 1)
            } else {
                String::new()
            };
            lines.push(Line::styled(format!("{first}{more}"), theme.dim));
        }
        Paragraph::new(lines)
            .block(
                Block::new()
                    .borders(Borders::TOP)
                    .border_style(theme.border),
            )
            .wrap(Wrap { trim: true })
            .render(area, buf);
    }
}

/// The agenda of the open session over its questions in the order they are asked (a shared
/// question once, where it first comes), each item at its position in the navigation.
fn agenda(view: &View) -> Vec<AgendaItem> {
    let Some(open) = view.open else {
        return Vec::new();
    };
    let unique = open.nav.unique(view.bank);
    let questions: Vec<_> = unique.iter().map(|(_, q)| *q).collect();
    let mut items = triage::agenda(&questions, &open.session);
    for item in &mut items {
        item.position = unique.get(item.position).map_or(0, |(p, _)| *p);
    }
    items
}
