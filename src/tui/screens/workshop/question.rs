//! The drawing of the question page: where the room is, the prompt, guidance and mappings,
//! the votes, the readiness scale, notes and the follow-up action.

use super::Use;
use super::WorkshopState;
use super::votes;
use crate::domain::framework::{Category, Framework, Stage};
use crate::domain::questionnaire::Question;
use crate::domain::scale::Answer;
use crate::domain::session::QuestionRecord;
use crate::tui::keymap::{Command, Context};
use crate::tui::session::OpenSession;
use crate::tui::theme::Theme;
use crate::tui::view::View;
use crate::tui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// Label width of the detail rows ("Good looks like  ").
pub const LABEL: usize = 17;

/// A labelled paragraph with a hanging indent, wrapped to `width`.
pub fn labelled(
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

/// Draws the question page: where we are, the prompt, details, votes, scale, notes, action.
pub fn render(
    view: &View,
    open: &OpenSession,
    ws: &WorkshopState,
    question: &Question,
    place: Option<(Category, Stage, Option<String>)>,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = view.theme;
    let session = &open.session;
    let record = session.record(&question.id);
    let width = usize::from(area.width);

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
    // Shared questions are marked here and name their other categories in the details.
    let shared_with: Vec<&str> = question
        .categories()
        .filter(|c| *c != category)
        .map(|c| c.title())
        .collect();
    if !shared_with.is_empty() {
        title.push(Span::styled("  shared", theme.dim));
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
    // Whenever there are participants, solo sessions too: their votes are kept either way.
    let votes = if !session.participants.is_empty() {
        let selected = ws.votes.map(|panel| panel.selected);
        votes::lines(view, open, question, selected, width)
    } else {
        Vec::new()
    };
    let mut scale = scale_lines(view, record.and_then(|r| r.answer), width);
    // An answer carried over from the previous session waits for the room to confirm it.
    if let Some(carried) = record.and_then(|r| r.unconfirmed()) {
        let confirm = view.key(Context::Workshop, Command::ConfirmCarried);
        let next = view.key(Context::Workshop, Command::NextUnconfirmed);
        let text = format!(
            "{}. {confirm} confirms it, a level changes it, {next} goes to the next",
            carried.title()
        );
        for line in textwrap::wrap(&text, width.saturating_sub(LABEL).max(10)) {
            scale.push(Line::from(vec![
                Span::raw(" ".repeat(LABEL)),
                Span::styled(line.to_string(), theme.warn),
            ]));
        }
    }
    let notes_max = match (ws.presenter, area.height) {
        (true, _) => 4,
        (false, h) if h < 30 => 2,
        _ => 3,
    };
    let mut notes = notes_lines(view, record, width, notes_max, ws.usage);
    let action = match ws.usage {
        Use::Prework => Vec::new(),
        Use::Workshop | Use::Viewing => action_lines(view, record, width),
    };
    // The prompt is never cut: the presenter's spacing goes first, then notes shrink to a line.
    let rows = |lines: usize| u16::try_from(lines).unwrap_or(u16::MAX);
    let needed = |gap: u16, notes: usize| {
        3 + 3 * gap
            + prompt_height
            + rows(votes.len())
            + rows(scale.len())
            + rows(notes)
            + rows(action.len())
    };
    let gap = u16::from(ws.presenter && needed(1, notes.len()) <= area.height);
    if needed(gap, notes.len()) > area.height && notes.len() > 1 {
        notes = notes_lines(view, record, width, 1, ws.usage);
    }

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
        Constraint::Length(u16::try_from(action.len()).unwrap_or(1)),
    ]));
    let right_width = u16::try_from(right.chars().count()).unwrap_or(0);
    let [left_area, _, right_area] = title_area.layout(&Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(right_width),
    ]));
    Paragraph::new(widgets::fit(
        Line::from(title),
        usize::from(left_area.width),
    ))
    .render(left_area, buf);
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
        if !shared_with.is_empty() {
            details.extend(labelled(
                "Also counts in",
                &shared_with.join(", "),
                width,
                theme,
                theme.text,
            ));
        }
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
            let fold = view.key(Context::Workshop, Command::ToggleDetails);
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
        let fold = view.key(Context::Workshop, Command::ToggleDetails);
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

/// The readiness scale with every level name, the chosen answer marked with brackets (so it
/// reads without colour) and the chosen style.
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

fn scale_lines(view: &View, chosen: Option<Answer>, width: usize) -> Vec<Line<'static>> {
    let theme = view.theme;
    let na = view.key(Context::Workshop, Command::AnswerNotApplicable);
    let unknown = view.key(Context::Workshop, Command::AnswerUnknown);
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

/// The room's notes, then each participant's pre-work note ("Maya, pre-work: ..."), at most
/// `max` lines.
fn notes_lines(
    view: &View,
    record: Option<&QuestionRecord>,
    width: usize,
    max: usize,
    usage: Use,
) -> Vec<Line<'static>> {
    let theme = view.theme;
    let notes = record.map(|r| r.notes.as_str()).unwrap_or_default();
    let prework: Vec<String> = record
        .map(|r| {
            r.prework_notes
                .iter()
                .map(|(name, note)| format!("{name}, pre-work: {}", note.replace('\n', " / ")))
                .collect()
        })
        .unwrap_or_default();
    if notes.trim().is_empty() && prework.is_empty() {
        let hint = match usage {
            Use::Viewing => "none".to_string(),
            Use::Workshop => format!(
                "none yet ({} to write)",
                view.key(Context::Workshop, Command::EditNotes)
            ),
            Use::Prework => format!(
                "none yet ({} to write)",
                view.key(Context::Prework, Command::EditNotes)
            ),
        };
        return vec![Line::from(vec![
            Span::styled(format!("{:<LABEL$}", "Notes"), theme.dim),
            Span::styled(hint, theme.dim),
        ])];
    }
    let mut lines = Vec::new();
    if !notes.trim().is_empty() {
        lines.extend(labelled(
            "Notes",
            &notes.replace('\n', " / "),
            width,
            theme,
            theme.text,
        ));
    }
    for note in prework {
        let label = if lines.is_empty() { "Notes" } else { "" };
        lines.extend(labelled(label, &note, width, theme, theme.dim));
    }
    if lines.len() > max {
        lines.truncate(max);
        if let Some(last) = lines.last_mut() {
            last.spans.push(Span::styled(" …", theme.dim));
        }
    }
    lines
}

/// The follow-up action: what is to be done, then owner, due date (marked when overdue),
/// status and evidence, each line cut with an ellipsis when it does not fit.
fn action_lines(view: &View, record: Option<&QuestionRecord>, width: usize) -> Vec<Line<'static>> {
    let theme = view.theme;
    let label = Span::styled(format!("{:<LABEL$}", "Action"), theme.dim);
    let Some(action) = record.map(|r| &r.action).filter(|a| !a.is_empty()) else {
        let key = view.key(Context::Workshop, Command::EditAction);
        return vec![Line::from(vec![
            label,
            Span::styled(
                format!("none ({key} says what is to be done, by whom, by when)"),
                theme.dim,
            ),
        ])];
    };
    let mut lines = Vec::new();
    if !action.what.is_empty() {
        lines.push(widgets::fit(
            Line::from(vec![
                label.clone(),
                Span::styled(action.what.clone(), theme.text),
            ]),
            width,
        ));
    }
    let owner = if action.owner.is_empty() {
        "no owner"
    } else {
        action.owner.as_str()
    };
    let mut spans = vec![
        if lines.is_empty() {
            label
        } else {
            Span::raw(" ".repeat(LABEL))
        },
        Span::styled(owner.to_string(), theme.text),
    ];
    if let Some(due) = action.due {
        spans.push(Span::styled(format!(", due {due}"), theme.text));
        if action.is_overdue(view.today) {
            spans.push(Span::styled(" OVERDUE", theme.warn));
        }
    }
    spans.push(Span::styled(
        format!(", {}", action.status.title()),
        theme.text,
    ));
    if !action.evidence.is_empty() {
        spans.push(Span::styled("     Evidence  ", theme.dim));
        spans.push(Span::styled(action.evidence.join(", "), theme.text));
    }
    lines.push(widgets::fit(Line::from(spans), width));
    lines
}
