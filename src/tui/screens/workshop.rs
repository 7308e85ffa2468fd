//! The question screen: where the room is, the question with its guidance, the scale, votes,
//! notes and the follow-up action; with the notes editor, forms, search and jump lists on top.

use crate::domain::framework::{Category, Framework, Stage};
use crate::domain::questionnaire::Question;
use crate::domain::scale::Answer;
use crate::domain::scoring::DISAGREEMENT_SPREAD;
use crate::domain::session::{Mode, QuestionRecord};
use crate::tui::app::{App, OpenSession};
use crate::tui::keymap::{Command, Context};
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, text_input};
use jiff::civil::Date;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};
use ratatui_textarea::{Input, TextArea, WrapMode};
use std::time::Duration;

/// What the workshop screen is doing on top of showing the question.
#[derive(Debug, Clone)]
pub enum WorkshopMode {
    /// Showing the question; keys answer and move.
    Browse,
    /// Editing notes.
    Notes(NotesEditor),
    /// Recording votes; the selected participant's vote is set by the next level key.
    Vote {
        /// The participant whose vote comes next.
        selected: usize,
    },
    /// Searching the questions.
    Search(SearchState),
    /// Picking a section or a flagged question.
    Jump(JumpState),
    /// A small form: follow-up action or agenda minutes.
    Form(FormState),
}

/// The workshop screen's state.
#[derive(Debug, Clone)]
pub struct WorkshopState {
    /// Position of the current question in the session's navigation.
    pub cursor: usize,
    /// Whether guidance, evidence and mappings are shown.
    pub details: bool,
    /// The larger, calmer layout for a projector.
    pub presenter: bool,
    /// What is happening on top.
    pub mode: WorkshopMode,
}

impl WorkshopState {
    /// The screen at a question, details shown.
    pub fn new(cursor: usize) -> WorkshopState {
        WorkshopState {
            cursor,
            details: true,
            presenter: false,
            mode: WorkshopMode::Browse,
        }
    }
}

/// The notes editor of one question.
#[derive(Debug, Clone)]
pub struct NotesEditor {
    /// The question the notes belong to.
    pub question_id: String,
    /// The text being edited.
    pub area: TextArea<'static>,
    /// Typed since the last save.
    pub dirty: bool,
    /// Time since the last keystroke.
    pub idle: Duration,
    /// Opened to justify an N/A answer.
    pub justify: bool,
}

impl NotesEditor {
    /// An editor over the current notes, cursor at the end.
    pub fn new(question_id: String, notes: String, justify: bool) -> NotesEditor {
        let lines: Vec<String> = if notes.is_empty() {
            vec![String::new()]
        } else {
            notes.lines().map(str::to_string).collect()
        };
        let mut area = TextArea::new(lines);
        area.move_cursor(ratatui_textarea::CursorMove::Bottom);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        area.set_wrap_mode(WrapMode::WordOrGlyph);
        area.set_cursor_line_style(Style::new());
        NotesEditor {
            question_id,
            area,
            dirty: false,
            idle: Duration::ZERO,
            justify,
        }
    }

    /// Types a key.
    pub fn input(&mut self, input: Input) {
        if self.area.input(input) {
            self.dirty = true;
        }
        self.idle = Duration::ZERO;
    }

    /// The notes as text, trailing blank lines dropped.
    pub fn text(&self) -> String {
        self.area.lines().join("\n").trim_end().to_string()
    }
}

/// The search box and its matches.
#[derive(Debug, Clone)]
pub struct SearchState {
    /// The query being typed.
    pub input: TextArea<'static>,
    /// Positions of matching questions.
    pub matches: Vec<usize>,
    /// The selected match.
    pub selected: usize,
}

impl SearchState {
    /// An empty search.
    pub fn new() -> SearchState {
        SearchState {
            input: text_input(""),
            matches: Vec::new(),
            selected: 0,
        }
    }

    /// The query as typed.
    pub fn query(&self) -> String {
        self.input.lines().join(" ")
    }
}

impl Default for SearchState {
    fn default() -> Self {
        SearchState::new()
    }
}

/// What a jump list lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JumpKind {
    /// Sections of the session.
    Sections,
    /// Questions flagged to discuss later (the parking lot).
    Flagged,
}

/// A list to pick where to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JumpState {
    /// What it lists.
    pub kind: JumpKind,
    /// The selected row.
    pub selected: usize,
}

/// What a form edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    /// The follow-up action of a question.
    Action {
        /// The question.
        question_id: String,
    },
    /// The planned minutes of a section.
    Agenda {
        /// Its category.
        category: Category,
        /// Its stage.
        stage: Stage,
    },
}

/// A small form of one-line text fields.
#[derive(Debug, Clone)]
pub struct FormState {
    /// What it edits.
    pub kind: FormKind,
    /// Labels and values.
    pub fields: Vec<(String, String)>,
    /// The focused field.
    pub focus: usize,
    /// The focused field's editor.
    pub editor: TextArea<'static>,
    /// Why the last save was refused.
    pub error: Option<String>,
}

impl FormState {
    fn new(kind: FormKind, fields: Vec<(String, String)>) -> FormState {
        let editor = text_input(fields.first().map(|f| f.1.as_str()).unwrap_or_default());
        FormState {
            kind,
            fields,
            focus: 0,
            editor,
            error: None,
        }
    }

    /// The form for a question's owner, due date and evidence.
    pub fn action(question_id: String, record: Option<&QuestionRecord>) -> FormState {
        let (owner, due, evidence) = match record {
            Some(r) => (
                r.action_owner.clone(),
                r.due.map(|d| d.to_string()).unwrap_or_default(),
                r.evidence.join("; "),
            ),
            None => Default::default(),
        };
        FormState::new(
            FormKind::Action { question_id },
            vec![
                ("Action owner".into(), owner),
                ("Due date (YYYY-MM-DD)".into(), due),
                ("Evidence (separate with ;)".into(), evidence),
            ],
        )
    }

    /// The form for a section's planned minutes.
    pub fn agenda(category: Category, stage: Stage, planned: Option<u32>) -> FormState {
        FormState::new(
            FormKind::Agenda { category, stage },
            vec![(
                "Minutes planned (empty: none)".into(),
                planned.map(|m| m.to_string()).unwrap_or_default(),
            )],
        )
    }

    /// Writes the editor into the focused field.
    pub fn commit(&mut self) {
        if let Some(field) = self.fields.get_mut(self.focus) {
            field.1 = self.editor.lines().join(" ");
        }
    }

    /// Moves the focus, wrapping around.
    pub fn move_focus(&mut self, delta: isize) {
        self.commit();
        let len = self.fields.len().max(1) as isize;
        self.focus = (self.focus as isize + delta).rem_euclid(len) as usize;
        self.editor = text_input(
            self.fields
                .get(self.focus)
                .map(|f| f.1.as_str())
                .unwrap_or_default(),
        );
    }

    /// Types into the focused field.
    pub fn input(&mut self, input: Input) {
        self.editor.input(input);
        self.error = None;
    }

    fn value(&self, i: usize) -> &str {
        self.fields.get(i).map(|f| f.1.trim()).unwrap_or_default()
    }

    /// Owner, due date and evidence list, or what is wrong with them.
    pub fn parse_action(&self) -> Result<(String, Option<Date>, Vec<String>), String> {
        let owner = self.value(0).to_string();
        let due = match self.value(1) {
            "" => None,
            text => Some(text.parse::<Date>().map_err(|_| {
                format!("\"{text}\" is not a date; write it as YYYY-MM-DD, e.g. 2027-01-15.")
            })?),
        };
        let evidence = self
            .value(2)
            .split(';')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .collect();
        Ok((owner, due, evidence))
    }

    /// Planned minutes, None to clear, or what is wrong.
    pub fn parse_minutes(&self) -> Result<Option<u32>, String> {
        match self.value(0) {
            "" => Ok(None),
            text => match text.parse::<u32>() {
                Ok(m) if (1..=600).contains(&m) => Ok(Some(m)),
                _ => Err(format!(
                    "\"{text}\" is not a number of minutes between 1 and 600."
                )),
            },
        }
    }
}

/// Draws the workshop screen.
pub struct WorkshopView<'a> {
    /// The app.
    pub app: &'a App<'a>,
    /// The screen's state.
    pub state: &'a WorkshopState,
}

impl Widget for &WorkshopView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let theme = &app.theme;
        let Some(open) = &app.open else { return };
        let ws = self.state;
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
            render_nav(app, open, ws, nav, buf);
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
            .and_then(|at| app.question(*at).map(|q| (at, q)))
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
                render_question(app, open, ws, question, place, inner, buf);
            }
            None => {
                let setup = app.keymap.key_for(Context::Workshop, Command::EditSetup);
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
        crate::tui::popups::render_mode(app, open, ws, area, buf);
    }
}

fn render_nav(app: &App, open: &OpenSession, ws: &WorkshopState, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
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
            let score = widgets::score_text(result.and_then(|r| r.score));
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
        let score = result.and_then(|r| r.score);
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

/// Label width of the detail rows ("Good looks like  ").
const LABEL: usize = 17;

/// A labelled paragraph with a hanging indent, wrapped to `width`.
fn labelled(
    label: &str,
    text: &str,
    width: usize,
    theme: &Theme,
    style: Style,
) -> Vec<Line<'static>> {
    let body_width = width.saturating_sub(LABEL).max(10);
    let wrapped = textwrap::wrap(text, body_width);
    let mut lines = Vec::new();
    for (i, part) in wrapped.iter().enumerate() {
        let head = if i == 0 {
            format!("{label:<LABEL$}")
        } else {
            " ".repeat(LABEL)
        };
        lines.push(Line::from(vec![
            Span::styled(head, theme.dim),
            Span::styled(part.to_string(), style),
        ]));
    }
    if lines.is_empty() {
        lines.push(Line::styled(format!("{label:<LABEL$}"), theme.dim));
    }
    lines
}

fn render_question(
    app: &App,
    open: &OpenSession,
    ws: &WorkshopState,
    question: &Question,
    place: Option<(Category, Stage, Option<String>)>,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &app.theme;
    let session = &open.session;
    let record = session.record(&question.id);
    let width = usize::from(area.width);
    let gap = u16::from(ws.presenter);

    // Where we are.
    let (category, stage, progress) = place.unwrap_or((question.category, question.stage, None));
    let mut title = vec![Span::styled(
        format!("{} > {}", category.title().to_uppercase(), stage.title()),
        theme.title,
    )];
    if let Some(progress) = progress {
        title.push(Span::styled(format!(" {progress}"), theme.dim));
    }
    if question.critical {
        title.push(Span::styled("  critical", theme.warn));
    }
    if question.is_shared() {
        let others: Vec<&str> = question
            .categories()
            .filter(|c| *c != category)
            .map(|c| c.title())
            .collect();
        title.push(Span::styled(
            format!("  shared with {}", others.join(", ")),
            theme.dim,
        ));
    }
    let mut right = format!(
        "question {} of {}   {}",
        ws.cursor + 1,
        open.nav.questions.len(),
        question.id
    );
    if record.is_some_and(|r| r.discuss_later) {
        right.push_str("  [F flagged]");
    }

    // The question itself.
    let prompt_lines: Vec<Line> = textwrap::wrap(&question.prompt, width.max(10))
        .into_iter()
        .map(|l| Line::styled(l.to_string(), theme.title))
        .collect();
    let prompt_height = u16::try_from(prompt_lines.len()).unwrap_or(1);

    // The room's votes.
    let votes = if session.mode == Mode::Workshop && !session.participants.is_empty() {
        vote_lines(app, open, ws, question, width)
    } else {
        Vec::new()
    };
    let scale = scale_lines(app, record.and_then(|r| r.answer), width);
    let notes_max = match (ws.presenter, area.height) {
        (true, _) => 4,
        (false, h) if h < 30 => 2,
        _ => 3,
    };
    let notes = notes_lines(app, record, width, notes_max);
    let action = action_line(app, record);

    let [
        title_area,
        _,
        prompt_area,
        _,
        details_area,
        votes_area,
        scale_area,
        notes_area,
        action_area,
    ] = area.layout(&Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1 + gap),
        Constraint::Length(prompt_height),
        Constraint::Length(1 + gap),
        Constraint::Fill(1),
        Constraint::Length(u16::try_from(votes.len()).unwrap_or(0)),
        Constraint::Length(u16::try_from(scale.len()).unwrap_or(0) + gap),
        Constraint::Length(u16::try_from(notes.len()).unwrap_or(0) + gap),
        Constraint::Length(1),
    ]));
    let right_width = u16::try_from(right.chars().count()).unwrap_or(0);
    let [left_area, _, right_area] = title_area.layout(&Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(right_width),
    ]));
    Paragraph::new(Line::from(title)).render(left_area, buf);
    Paragraph::new(Line::styled(right, theme.dim)).render(right_area, buf);
    Paragraph::new(prompt_lines).render(prompt_area, buf);

    let mut details: Vec<Line> = Vec::new();
    if ws.details {
        details.extend(labelled(
            "Why it matters",
            &question.guidance,
            width,
            theme,
            theme.text,
        ));
        details.extend(labelled(
            "Good looks like",
            &question.good_looks_like,
            width,
            theme,
            theme.text,
        ));
        details.extend(labelled(
            "Evidence",
            &question.evidence.join("; "),
            width,
            theme,
            theme.text,
        ));
        if let Some(audit) = &question.audit {
            for (label, text) in [
                ("Type 1", audit.type1_evidence.clone()),
                ("Type 2", audit.type2_evidence.clone()),
                (
                    "Tested",
                    format!("{}; by {}", audit.frequency.title(), audit.tested_by_text()),
                ),
                ("Exception", audit.typical_exception.clone()),
            ] {
                details.extend(labelled(label, &text, width, theme, theme.text));
            }
        }
        details.extend(labelled(
            "Maps to",
            &maps_to_text(question),
            width,
            theme,
            theme.text,
        ));
        if let Some(answer) = record.and_then(|r| r.answer)
            && answer.level().is_some_and(|l| l < session.target.level())
        {
            details.extend(labelled(
                "To close the gap",
                &question.remediation,
                width,
                theme,
                theme.text,
            ));
        }
        if details_area.height > 0 && usize::from(details_area.height) < details.len() {
            let fold = app
                .keymap
                .key_for(Context::Workshop, Command::ToggleDetails);
            details.truncate(usize::from(details_area.height.saturating_sub(1)));
            details.push(Line::styled(
                format!(
                    "{:LABEL$}(more: enlarge the window, or {fold} folds details away)",
                    ""
                ),
                theme.dim,
            ));
        }
    } else {
        let fold = app
            .keymap
            .key_for(Context::Workshop, Command::ToggleDetails);
        details.push(Line::styled(
            format!("Details folded away; {fold} shows guidance, evidence and mappings."),
            theme.dim,
        ));
    }
    Paragraph::new(details).render(details_area, buf);
    Paragraph::new(votes).render(votes_area, buf);
    Paragraph::new(scale).render(scale_area, buf);
    Paragraph::new(notes).render(notes_area, buf);
    Paragraph::new(action).render(action_area, buf);
}

/// Framework identifiers, framework by framework: `CC8.1 + PI1.2  MAP 2.3  A.7.4` where a
/// primary identifier is named (it comes first, its secondary ones after a "+"), otherwise each
/// identifier in turn.
fn maps_to_text(question: &Question) -> String {
    let mut groups: Vec<String> = Vec::new();
    for framework in Framework::ALL {
        let ids = question.maps_to.for_framework(framework);
        match (question.maps_to.primary(framework), ids.split_first()) {
            (Some(_), Some((first, rest))) if !rest.is_empty() => {
                groups.push(format!("{first} + {}", rest.join(" ")));
            }
            _ => groups.extend(ids.iter().cloned()),
        }
    }
    groups.join("  ")
}

fn vote_lines(
    app: &App,
    open: &OpenSession,
    ws: &WorkshopState,
    question: &Question,
    width: usize,
) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let record = open.session.record(&question.id);
    let selected = match ws.mode {
        WorkshopMode::Vote { selected } => Some(selected),
        _ => None,
    };
    let mut spans: Vec<Span<'static>> =
        vec![Span::styled(format!("{:<LABEL$}", "Votes"), theme.dim)];
    let mut lines = Vec::new();
    let mut used = LABEL;
    for (i, p) in open.session.participants.iter().enumerate() {
        let vote = record
            .and_then(|r| r.votes.get(&p.name))
            .map_or("_", |a| a.short());
        let who = if p.role.is_empty() {
            p.name.clone()
        } else {
            format!("{} ({})", p.name, p.role)
        };
        let text = format!("{who} {vote}");
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
    if let Some(spread) = record.and_then(|r| r.vote_spread()) {
        let text = if spread >= DISAGREEMENT_SPREAD {
            format!("spread {spread} ! discuss")
        } else {
            format!("spread {spread}")
        };
        let style = if spread >= DISAGREEMENT_SPREAD {
            theme.warn
        } else {
            theme.dim
        };
        if used + text.len() > width {
            lines.push(Line::from(std::mem::take(&mut spans)));
            spans.push(Span::raw(" ".repeat(LABEL)));
        }
        spans.push(Span::styled(text, style));
    }
    lines.push(Line::from(spans));
    if selected.is_some() {
        let median = record.and_then(|r| r.vote_median());
        let agree = app.keymap.key_for(Context::Vote, Command::Confirm);
        let hint = match median {
            Some(m) => format!(
                "0-4 records the highlighted vote; {agree} agrees on the median, {} {}",
                m.short(),
                m.name()
            ),
            None => {
                "0-4 votes for the highlighted person, then the next person is highlighted".into()
            }
        };
        lines.push(Line::from(vec![
            Span::raw(" ".repeat(LABEL)),
            Span::styled(
                widgets::truncate(&hint, width.saturating_sub(LABEL)),
                theme.dim,
            ),
        ]));
    }
    lines
}

/// The readiness scale with every level name, the chosen answer marked with brackets (so it
/// reads without colour) and the chosen style.
fn scale_lines(app: &App, chosen: Option<Answer>, width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let na = app
        .keymap
        .key_for(Context::Workshop, Command::AnswerNotApplicable);
    let unknown = app
        .keymap
        .key_for(Context::Workshop, Command::AnswerUnknown);
    let items: Vec<(String, Answer)> = Answer::ALL
        .iter()
        .map(|a| {
            let key = match a {
                Answer::NotApplicable => na.clone(),
                Answer::Unknown => unknown.clone(),
                other => other.short().to_string(),
            };
            let name = match a {
                Answer::NotApplicable => "N/A",
                Answer::Unknown => "Unknown",
                other => other.name(),
            };
            (format!("{key} {name}"), *a)
        })
        .collect();
    let label = match chosen {
        Some(_) => "Answer",
        None => "Answer (open)",
    };
    let mut lines = Vec::new();
    let mut spans = vec![Span::styled(format!("{label:<LABEL$}"), theme.dim)];
    let mut used = LABEL;
    for (text, answer) in items {
        let is_chosen = chosen == Some(answer);
        let shown = if is_chosen {
            format!("[{text}]")
        } else {
            format!(" {text} ")
        };
        let len = shown.chars().count() + 1;
        if used + len > width && used > LABEL {
            lines.push(Line::from(std::mem::take(&mut spans)));
            spans.push(Span::raw(" ".repeat(LABEL)));
            used = LABEL;
        }
        spans.push(Span::styled(
            shown,
            if is_chosen { theme.chosen } else { theme.text },
        ));
        spans.push(Span::raw(" "));
        used += len;
    }
    lines.push(Line::from(spans));
    lines
}

fn notes_lines(
    app: &App,
    record: Option<&QuestionRecord>,
    width: usize,
    max: usize,
) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let notes = record.map(|r| r.notes.as_str()).unwrap_or_default();
    if notes.trim().is_empty() {
        let key = app.keymap.key_for(Context::Workshop, Command::EditNotes);
        return vec![Line::from(vec![
            Span::styled(format!("{:<LABEL$}", "Notes"), theme.dim),
            Span::styled(format!("none yet ({key} to write)"), theme.dim),
        ])];
    }
    let mut lines = labelled(
        "Notes",
        &notes.replace('\n', " / "),
        width,
        theme,
        theme.text,
    );
    if lines.len() > max {
        lines.truncate(max);
        if let Some(last) = lines.last_mut() {
            last.spans.push(Span::styled(" …", theme.dim));
        }
    }
    lines
}

fn action_line(app: &App, record: Option<&QuestionRecord>) -> Line<'static> {
    let theme = &app.theme;
    let owner = record.map(|r| r.action_owner.as_str()).unwrap_or_default();
    let due = record.and_then(|r| r.due);
    let evidence = record.map(|r| r.evidence.join(", ")).unwrap_or_default();
    let mut spans = vec![Span::styled(format!("{:<LABEL$}", "Action"), theme.dim)];
    if owner.is_empty() && due.is_none() && evidence.is_empty() {
        let key = app.keymap.key_for(Context::Workshop, Command::EditAction);
        spans.push(Span::styled(
            format!("none ({key} sets owner, due date, evidence)"),
            theme.dim,
        ));
        return Line::from(spans);
    }
    let owner = if owner.is_empty() { "no owner" } else { owner };
    spans.push(Span::styled(owner.to_string(), theme.text));
    if let Some(due) = due {
        spans.push(Span::styled(format!(", due {due}"), theme.text));
    }
    if !evidence.is_empty() {
        spans.push(Span::styled("     Evidence  ", theme.dim));
        spans.push(Span::styled(evidence, theme.text));
    }
    Line::from(spans)
}
