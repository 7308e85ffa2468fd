//! The question screen: where the room is, the question with its guidance, the scale, votes,
//! notes and the follow-up action. Its keys answer and move between questions; the vote panel
//! ([`votes`]) and the drawing of the question page ([`question`]) have modules of their own.
//! Notes, forms, search and the jump lists open as popups over it (see `tui::popups`).

pub mod question;
pub mod votes;

use crate::domain::scale::Answer;
use crate::tui::action::Action;
use crate::tui::edit::Edit;
use crate::tui::keymap::{Command, Context};
use crate::tui::layer::{Effect, ExportSource, Outcome, Reply, Transition};
use crate::tui::popups::Popup;
use crate::tui::popups::action::ActionForm;
use crate::tui::popups::agenda::AgendaForm;
use crate::tui::popups::notes::NotesState;
use crate::tui::popups::parking_lot::ParkingLotState;
use crate::tui::popups::search::SearchState;
use crate::tui::popups::sections::SectionsState;
use crate::tui::screens::Screen;
use crate::tui::screens::results::{ResultsState, Tab};
use crate::tui::screens::setup::{Draft, SetupState};
use crate::tui::screens::triage::TriageState;
use crate::tui::session::{OpenSession, first_unanswered, first_unconfirmed};
use crate::tui::view::View;
use crate::tui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};
use votes::VotePanel;

/// What the question screen is used for, which decides its keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Use {
    /// Running the workshop (or a solo session).
    #[default]
    Workshop,
    /// Answering one's pre-work.
    Prework,
    /// Looking at a session another process has, or following the facilitator.
    Viewing,
}

/// The workshop screen's state.
#[derive(Debug, Clone)]
pub struct WorkshopState {
    /// What the screen is used for.
    pub usage: Use,
    /// Position of the current question in the session's navigation.
    pub cursor: usize,
    /// Whether guidance, evidence and mappings are shown.
    pub details: bool,
    /// The larger, calmer layout for a projector.
    pub presenter: bool,
    /// The vote panel, while votes are being recorded.
    pub votes: Option<VotePanel>,
    /// The triage agenda's order (positions in the navigation) while next and previous
    /// follow it.
    pub agenda: Option<Vec<usize>>,
}

impl WorkshopState {
    /// The screen at a question, details shown.
    pub fn new(cursor: usize) -> WorkshopState {
        WorkshopState::for_use(cursor, Use::Workshop)
    }

    /// The screen at a question, for a use.
    pub fn for_use(cursor: usize, usage: Use) -> WorkshopState {
        WorkshopState {
            usage,
            cursor,
            details: true,
            presenter: false,
            votes: None,
            agenda: None,
        }
    }

    /// Where the current question stands in the agenda (counting from 0) and how long the
    /// agenda is, while next and previous follow it.
    pub fn agenda_place(&self) -> Option<(usize, usize)> {
        let order = self.agenda.as_ref()?;
        let at = order.iter().position(|p| *p == self.cursor)?;
        Some((at, order.len()))
    }

    /// The position after (or before, with `back`) the current question: in the agenda's
    /// order while it is followed, else in the questionnaires'.
    fn step(&self, view: &View, back: bool) -> Option<usize> {
        if let Some(order) = &self.agenda {
            let at = order.iter().position(|p| *p == self.cursor);
            return match (at, back) {
                (Some(at), false) => order.get(at + 1).copied(),
                (Some(at), true) => at.checked_sub(1).and_then(|i| order.get(i).copied()),
                (None, _) => order.first().copied(),
            };
        }
        if back {
            self.cursor.checked_sub(1)
        } else {
            Some(self.cursor + 1).filter(|p| *p < WorkshopState::len(view))
        }
    }

    /// The key context: questions, or votes while the vote panel is open.
    pub fn context(&self) -> (Context, bool) {
        match (self.votes, self.usage) {
            (Some(_), _) => (Context::Vote, false),
            (None, Use::Workshop) => (Context::Workshop, false),
            (None, Use::Prework) => (Context::Prework, false),
            (None, Use::Viewing) => (Context::Viewing, false),
        }
    }

    /// Commands that do nothing on this session: votes need participants.
    pub fn idle_commands(&self, view: &View) -> Vec<Command> {
        match view.open {
            Some(open) if open.session.participants.is_empty() => vec![Command::Votes],
            _ => Vec::new(),
        }
    }

    /// The id of the current question.
    fn current_id(&self, view: &View) -> Option<String> {
        view.question_at(self.cursor).map(|q| q.id.clone())
    }

    /// Handles an action: the vote panel's keys while it is open, else the question's.
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        if let Some(panel) = &mut self.votes {
            let id = view.question_at(self.cursor).map(|q| q.id.as_str());
            let (open, outcome) = panel.update(view, id, action);
            if !open {
                self.votes = None;
            }
            return outcome;
        }
        self.browse(view, action)
    }

    /// Takes the answer of a popup: go to a question, or move on after a justified N/A.
    pub fn on_reply(&mut self, view: &View, reply: Reply) -> Outcome {
        match reply {
            Reply::GoTo(position) => {
                self.go_to(view, position);
                Outcome::stay()
            }
            Reply::Advance => self.advance(view),
            Reply::Refused(problem) => Outcome::stay().error(problem),
            Reply::Agenda { order, at } => {
                self.agenda = Some(order);
                self.go_to(view, at);
                let leave = view.key(Context::Triage, Command::QuestionnaireOrder);
                let agenda = view.key(Context::Workshop, Command::Triage);
                Outcome::stay().info(format!(
                    "Next and previous now follow the triage agenda ({agenda} shows it, {leave} there goes back to questionnaire order)."
                ))
            }
            Reply::LeaveAgenda => {
                self.agenda = None;
                Outcome::stay().info("Next and previous follow the questionnaires again.")
            }
        }
    }

    /// Keeps the cursor on a question after the scope changed; an agenda made for other
    /// questions is left.
    pub fn session_changed(&mut self, view: &View) {
        let len = view.open.map_or(0, |o| o.nav.questions.len());
        self.cursor = self.cursor.min(len.saturating_sub(1));
        if self
            .agenda
            .as_ref()
            .is_some_and(|order| order.iter().any(|p| *p >= len))
        {
            self.agenda = None;
        }
    }

    fn len(view: &View) -> usize {
        view.open.map_or(0, |o| o.nav.questions.len())
    }

    /// Moves to a question, if the session has any.
    fn go_to(&mut self, view: &View, position: usize) {
        let len = WorkshopState::len(view);
        if len > 0 {
            self.cursor = position.min(len - 1);
        }
    }

    /// Moves to the next question after an answer; at the end, says so.
    fn advance(&mut self, view: &View) -> Outcome {
        match self.step(view, false) {
            Some(next) => {
                self.cursor = next;
                Outcome::stay()
            }
            None if self.agenda.is_some() => Outcome::stay().info(
                "That was the last question on the agenda. Press u for any left open, or r for the results.",
            ),
            None => Outcome::stay().info(
                "That was the last question. Press u for any left open, or r for the results.",
            ),
        }
    }

    fn edit_setup(view: &View) -> Outcome {
        match view.open {
            Some(open) => Outcome::push(Screen::Setup(Box::new(SetupState::new(
                Draft::from_session(&open.session, view.bank),
                false,
            )))),
            None => Outcome::stay(),
        }
    }

    /// The keys of the question screen.
    fn browse(&mut self, view: &View, action: Action) -> Outcome {
        let Some(open) = view.open else {
            return Outcome::stay();
        };
        let Some(id) = self.current_id(view) else {
            return match action {
                Action::Back => Outcome::with_transition(Transition::Home),
                Action::EditSetup => WorkshopState::edit_setup(view),
                _ => Outcome::stay()
                    .warn("No question applies with this scope; press s to change the setup."),
            };
        };
        let record = open.session.record(&id);
        let notes = record.map(|r| r.notes.clone()).unwrap_or_default();
        if open.prework().is_some()
            && let Some(what) = not_in_prework(&action)
        {
            return Outcome::stay().info(format!(
                "{what} is not part of pre-work: here you answer alone, with notes; the workshop does the rest."
            ));
        }
        let read_only = open.read_only_message();
        match action {
            Action::Answer(answer) => {
                if view.read_only() {
                    return Outcome::stay().warn(read_only);
                }
                let outcome = Outcome::stay().edit(Edit::Answer {
                    question: id.clone(),
                    answer: Some(answer),
                });
                if answer == Answer::NotApplicable {
                    outcome.then(Outcome::push(Popup::Notes(NotesState::new(
                        id, notes, true,
                    ))))
                } else {
                    outcome.then(self.advance(view))
                }
            }
            Action::ClearAnswer if view.read_only() => Outcome::stay().warn(read_only),
            Action::ClearAnswer => Outcome::stay().edit(Edit::Answer {
                question: id,
                answer: None,
            }),
            Action::Flag => {
                if view.read_only() {
                    return Outcome::stay().warn(read_only);
                }
                let flagged = !record.is_some_and(|r| r.discuss_later);
                Outcome::stay()
                    .edit(Edit::Flag {
                        question: id,
                        flagged,
                    })
                    .info(if flagged {
                        "Flagged to discuss later (L shows the parking lot)."
                    } else {
                        "Flag removed."
                    })
            }
            Action::EditNotes if view.read_only() => Outcome::stay().warn(read_only),
            Action::EditNotes => Outcome::push(Popup::Notes(NotesState::new(id, notes, false))),
            Action::EditAction if view.read_only() => Outcome::stay().warn(read_only),
            Action::EditAction => Outcome::push(Popup::Action(ActionForm::new(id, record))),
            Action::EditAgenda if view.read_only() => Outcome::stay().warn(read_only),
            Action::EditAgenda => match open.nav.section_of(self.cursor) {
                Some(section) => {
                    let planned = open
                        .session
                        .planned_minutes(section.category, section.stage);
                    Outcome::push(Popup::Agenda(AgendaForm::new(
                        section.category,
                        section.stage,
                        planned,
                    )))
                }
                None => Outcome::stay(),
            },
            Action::Votes => {
                if view.read_only() {
                    Outcome::stay().warn(read_only)
                } else if open.session.participants.is_empty() {
                    Outcome::stay().warn("No participants yet: press s to add them in the setup, then v to record their votes.")
                } else {
                    self.votes = Some(VotePanel::default());
                    Outcome::stay()
                }
            }
            Action::Next => match self.step(view, false) {
                Some(next) => {
                    self.cursor = next;
                    Outcome::stay()
                }
                None if self.agenda.is_some() => Outcome::stay()
                    .info("This is the last question on the agenda. Press r for the results."),
                None => Outcome::stay().info("This is the last question. Press r for the results."),
            },
            Action::Prev => {
                if let Some(previous) = self.step(view, true) {
                    self.cursor = previous;
                }
                Outcome::stay()
            }
            Action::NextUnanswered if self.agenda.is_some() => {
                let unanswered = |p: &usize| {
                    view.question_at(*p)
                        .is_some_and(|q| open.session.answer(&q.id).is_none())
                };
                let order = self.agenda.as_deref().unwrap_or_default();
                let at = order.iter().position(|p| *p == self.cursor).unwrap_or(0);
                let next = order[at + 1..]
                    .iter()
                    .chain(&order[..=at])
                    .copied()
                    .find(|p| unanswered(p));
                match next {
                    Some(position) => {
                        self.go_to(view, position);
                        Outcome::stay()
                    }
                    None => Outcome::stay()
                        .info("Every question on the agenda is answered. Press r for the results."),
                }
            }
            Action::NextUnanswered => {
                match first_unanswered(&open.nav, &open.session, view.bank, self.cursor + 1) {
                    Some(position) => {
                        self.go_to(view, position);
                        Outcome::stay()
                    }
                    None => {
                        Outcome::stay().info("Every question is answered. Press r for the results.")
                    }
                }
            }
            Action::ConfirmCarried => {
                if view.read_only() {
                    return Outcome::stay().warn(read_only);
                }
                if record.and_then(|r| r.unconfirmed()).is_none() {
                    return Outcome::stay().info(
                        "This answer is not carried over from the previous session: nothing to confirm.",
                    );
                }
                let outcome = Outcome::stay().edit(Edit::Confirm { question: id });
                // On to the next answer that waits for the room, if any.
                match first_unconfirmed(&open.nav, &open.session, view.bank, self.cursor + 1)
                    .filter(|p| *p != self.cursor)
                {
                    Some(position) => {
                        self.go_to(view, position);
                        outcome.info("Confirmed; this is the next carried-over answer.")
                    }
                    None => outcome.info("Confirmed; every carried-over answer is confirmed now."),
                }
            }
            Action::NextUnconfirmed => {
                match first_unconfirmed(&open.nav, &open.session, view.bank, self.cursor + 1) {
                    Some(position) => {
                        self.go_to(view, position);
                        Outcome::stay()
                    }
                    None => {
                        Outcome::stay().info("No carried-over answer is waiting for confirmation.")
                    }
                }
            }
            Action::NextSection | Action::PrevSection => {
                let target = open.nav.questions.get(self.cursor).and_then(|q| {
                    let next = if action == Action::NextSection {
                        q.nav_section + 1
                    } else {
                        q.nav_section.checked_sub(1)?
                    };
                    open.nav.sections.get(next).map(|s| s.start)
                });
                if let Some(position) = target {
                    self.go_to(view, position);
                }
                Outcome::stay()
            }
            Action::JumpSection => {
                let selected = open
                    .nav
                    .questions
                    .get(self.cursor)
                    .map_or(0, |q| q.nav_section);
                Outcome::push(Popup::Sections(SectionsState { selected }))
            }
            Action::ParkingLot => Outcome::push(Popup::ParkingLot(ParkingLotState::default())),
            Action::Search => Outcome::push(Popup::Search(SearchState::new())),
            Action::ToggleDetails => {
                self.details = !self.details;
                Outcome::stay()
            }
            Action::Presenter => {
                self.presenter = !self.presenter;
                Outcome::stay()
            }
            Action::EditSetup => WorkshopState::edit_setup(view),
            Action::Triage => Outcome::push(Screen::Triage(TriageState::new(view, self.cursor))),
            Action::Results => Outcome::push(Screen::Results(ResultsState::default())),
            Action::Actions => Outcome::push(Screen::Results(ResultsState::on(Tab::Actions))),
            Action::Export => Outcome::stay().and(Effect::BeginExport(ExportSource::Open)),
            Action::Back => Outcome::with_transition(Transition::Home),
            _ => Outcome::stay(),
        }
    }

    /// Draws the screen: the navigation pane (when there is room) and the question.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        let Some(open) = view.open else { return };
        let ws = self;
        // Below 100 columns the navigation pane would squeeze the question; the title line
        // then carries the section's progress instead.
        let show_nav = !ws.presenter && area.width >= 100;
        let main = if ws.presenter {
            let width = area.width.min(100);
            let [_, middle, _] = area.layout(&Layout::horizontal([
                Constraint::Fill(1),
                Constraint::Length(width),
                Constraint::Fill(1),
            ]));
            middle
        } else if show_nav {
            let [nav, main] = area.layout(&Layout::horizontal([
                Constraint::Length(28),
                Constraint::Fill(1),
            ]));
            render_nav(view, open, ws, nav, buf);
            main
        } else {
            area
        };
        let block = Block::new()
            .borders(if ws.presenter {
                Borders::NONE
            } else {
                Borders::ALL
            })
            .border_style(theme.border);
        let inner = block.inner(main);
        block.render(main, buf);
        let inner = if ws.presenter {
            inner.inner(ratatui::layout::Margin::new(2, 1))
        } else {
            inner.inner(ratatui::layout::Margin::new(1, 0))
        };
        match open
            .nav
            .questions
            .get(ws.cursor)
            .and_then(|at| view.question(*at).map(|q| (at, q)))
        {
            Some((at, question)) => {
                let section = open.nav.sections.get(at.nav_section);
                let place = section.map(|s| {
                    let progress = (!show_nav).then(|| {
                        open.results
                            .section(s.category, s.stage)
                            .map(|r| {
                                format!("{}/{}", r.completion.answered, r.completion.applicable)
                            })
                            .unwrap_or_default()
                    });
                    (s.category, s.stage, progress)
                });
                question::render(view, open, ws, question, place, inner, buf);
            }
            None => {
                let setup = view.key(Context::Workshop, Command::EditSetup);
                Paragraph::new(vec![
                    Line::styled("No question applies with the current scope.", theme.title),
                    Line::styled(
                        format!("Press {setup} to change the scoping answers or the categories in scope."),
                        theme.text,
                    ),
                ])
                .render(inner, buf);
            }
        }
    }
}

/// What an action is called when pre-work does not offer it; None when it does.
fn not_in_prework(action: &Action) -> Option<&'static str> {
    Some(match action {
        Action::Votes => "Voting",
        Action::EditAction => "A follow-up action",
        Action::Flag => "Flagging",
        Action::EditAgenda => "Planning time",
        Action::EditSetup => "The session setup",
        Action::Results => "Scoring",
        Action::Export => "A report",
        Action::Triage => "The triage agenda",
        _ => return None,
    })
}

/// The left pane: categories with their scores, the current category's stages with progress.
fn render_nav(view: &View, open: &OpenSession, ws: &WorkshopState, area: Rect, buf: &mut Buffer) {
    let theme = view.theme;
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border);
    let inner = block.inner(area);
    block.render(area, buf);
    let current = open.nav.questions.get(ws.cursor).map(|q| q.nav_section);
    let current_category = current
        .and_then(|i| open.nav.sections.get(i))
        .map(|s| s.category);
    let width = usize::from(inner.width);
    let mut lines = Vec::new();
    let mut current_line = 0;
    let mut last_category = None;
    for (i, section) in open.nav.sections.iter().enumerate() {
        if last_category != Some(section.category) {
            last_category = Some(section.category);
            let result = open.results.category(section.category);
            // Pre-work is one person's view, not a score.
            let score = if ws.usage == Use::Prework {
                String::new()
            } else {
                widgets::score_text(result.and_then(|r| r.score))
            };
            let name = widgets::truncate(section.category.title(), width.saturating_sub(5));
            let style = if Some(section.category) == current_category {
                theme.title
            } else {
                theme.text
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{name:<w$}", w = width.saturating_sub(4)), style),
                Span::styled(
                    format!("{score:>3} "),
                    theme.score(result.and_then(|r| r.score)),
                ),
            ]));
        }
        if Some(section.category) != current_category {
            continue;
        }
        let result = open.results.section(section.category, section.stage);
        let done = result.map_or(0, |r| r.completion.answered);
        let total = result.map_or(section.len, |r| r.completion.applicable);
        let score = result
            .and_then(|r| r.score)
            .filter(|_| ws.usage != Use::Prework);
        let here = Some(i) == current;
        let marker = if here { ">" } else { " " };
        let label = widgets::truncate(section.stage.title(), 11);
        let text = format!(" {marker} {label:<11}{:>6}", format!("{done}/{total}"));
        if here {
            current_line = lines.len();
        }
        lines.push(Line::from(vec![
            Span::styled(text, if here { theme.selected } else { theme.text }),
            Span::styled(
                format!("{:>4} ", widgets::score_text(score)),
                theme.score(score),
            ),
        ]));
    }
    let height = usize::from(inner.height);
    let scroll = current_line.saturating_sub(height.saturating_sub(2));
    Paragraph::new(lines)
        .scroll((u16::try_from(scroll).unwrap_or(0), 0))
        .render(inner, buf);
}
