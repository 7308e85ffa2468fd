//! The comparison of two sessions and the history of a chain of sessions, as Markdown (for
//! people: one page management can read) and JSON (for tools).
//!
//! Every change of method (another target, other questions, answers only carried over) is
//! stated beside the numbers it affects, so that it is never read as progress.

use super::escape;
use crate::domain::compare::{
    ActionChange, ActionState, BankChange, Comparison, Movement, QuestionChange, ScoreChange, Side,
    Standing,
};
use crate::domain::scale::Answer;
use crate::domain::scoring::{self, QuestionStatus};
use crate::domain::session::{ActionStatus, Carried};
use crate::domain::trend::{Chain, Trend};
use jiff::Timestamp;
use serde_json::{Value, json};
use std::fmt::Write;

/// The version of the JSON shapes written here; raised when a field changes meaning.
pub const FORMAT: u32 = 1;

/// Shown where a value does not exist (a category not assessed, no score yet).
const NONE: &str = "—";

/// A signed whole-point change: `+5`, `-3`, `0`; the dash when either side has no score.
pub fn signed(delta: Option<i64>) -> String {
    match delta {
        Some(d) if d > 0 => format!("+{d}"),
        Some(d) => d.to_string(),
        None => NONE.to_string(),
    }
}

fn score(s: Option<f64>) -> String {
    scoring::format_score_or(s, NONE)
}

fn day(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

/// What a question's status shows: the answer's level and name, N/A, open or out of scope.
fn status_text(status: QuestionStatus, answer: Option<Answer>) -> String {
    match (status, answer) {
        (QuestionStatus::Hidden, _) => "out of scope".to_string(),
        (QuestionStatus::Open, _) => "open".to_string(),
        (_, Some(a)) => format!("{} {}", a.short(), a.name()),
        (QuestionStatus::NotApplicable, None) => "N/A".to_string(),
        (QuestionStatus::Scored { level, .. }, None) => level.to_string(),
    }
}

/// The flags a question of the comparison carries: carried over, changed or added question.
fn question_flags(q: &QuestionChange) -> Vec<&'static str> {
    let mut flags = Vec::new();
    if q.critical {
        flags.push("critical");
    }
    if let Some(c) = q.carried {
        flags.push(c.title());
    }
    if let Some(b) = q.bank {
        flags.push(b.title());
    }
    flags
}

fn standing_cell(s: Option<&Standing>) -> (String, String) {
    match s {
        Some(s) => (score(s.score), s.verdict.title().to_string()),
        None => ("not assessed".to_string(), NONE.to_string()),
    }
}

fn score_row(out: &mut String, label: &str, change: &ScoreChange, note: &str) {
    let (before, verdict_before) = standing_cell(change.before.as_ref());
    let (after, verdict_after) = standing_cell(change.after.as_ref());
    let _ = writeln!(
        out,
        "| {label} | {before} | {after} | {} | {verdict_before} | {verdict_after} | {note} |",
        signed(change.delta())
    );
}

fn side_line(label: &str, side: &Side) -> String {
    format!(
        "| {label} | {} | `{}` | {} | {} |",
        escape::inline(&side.name),
        side.id,
        day(side.updated),
        side.target.title()
    )
}

/// What differs in the way the two sessions were assessed, one sentence each; empty when
/// nothing does.
fn method_lines(c: &Comparison) -> Vec<String> {
    let m = &c.method;
    let mut lines = Vec::new();
    if let Some((before, after)) = m.target {
        lines.push(format!(
            "The target changed from {} to {}: gaps are measured against each session's own \
             target, so a question at the same level can be a gap now.",
            before.title(),
            after.title()
        ));
    }
    if m.content_changed {
        if m.questions_known {
            lines.push(format!(
                "The questionnaires differ: {} question(s) added, {} changed and {} removed since \
                 the baseline. Scores of categories marked \"method changed\" move partly \
                 because of the questions, not the answers.",
                m.added, m.changed, m.removed
            ));
        } else {
            lines.push(
                "The questionnaires differ, and the baseline does not record how its questions \
                 were worded: part of any movement may come from the questions, not the answers."
                    .to_string(),
            );
        }
    }
    if m.carried > 0 {
        lines.push(format!(
            "{} answer(s) are only carried over from the previous session and not yet confirmed: \
             they repeat the baseline and show no progress.",
            m.carried
        ));
    }
    lines
}

fn question_table(out: &mut String, title: &str, questions: &[&QuestionChange]) {
    if questions.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {title} ({})\n", questions.len());
    out.push_str("| Question | Category | Before | After | Flags |\n|---|---|---|---|---|\n");
    for q in questions {
        let _ = writeln!(
            out,
            "| `{}` {} | {} | {} | {} | {} |",
            q.id,
            escape::inline(q.prompt),
            q.category.title(),
            status_text(q.before, q.answer_before),
            status_text(q.after, q.answer_after),
            question_flags(q).join("; ")
        );
    }
    out.push('\n');
}

/// The status of an action as the plan shows it, with the reason when it will not be done.
pub fn action_status_text(status: &ActionStatus) -> String {
    match status {
        ActionStatus::WontDo(reason) if !reason.is_empty() => format!("won't do: {reason}"),
        other => other.title().to_string(),
    }
}

fn action_table(out: &mut String, state: ActionState, actions: &[&ActionChange]) {
    if actions.is_empty() {
        return;
    }
    let mut title = state.title().to_string();
    if let Some(first) = title.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    let _ = writeln!(out, "### {title} ({})\n", actions.len());
    out.push_str(
        "| Question | Action | Owner | Due | Status | In the baseline |\n|---|---|---|---|---|---|\n",
    );
    for a in actions {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            // A record's key may come from a file edited by hand: escaped, not quoted as code.
            escape::inline(&a.question),
            escape::inline(&a.action.what),
            escape::inline(&a.action.owner),
            a.action.due.map(|d| d.to_string()).unwrap_or_default(),
            escape::inline(&action_status_text(&a.action.status)),
            a.before.as_ref().map_or("no action", |s| s.title())
        );
    }
    out.push('\n');
}

/// The comparison as Markdown.
pub fn markdown(c: &Comparison, generated: Timestamp) -> String {
    let mut out = String::with_capacity(4096 + c.questions.len() * 160);
    let _ = writeln!(
        out,
        "# Comparison: {} → {}\n",
        escape::inline(&c.baseline.name),
        escape::inline(&c.current.name)
    );
    let _ = writeln!(
        out,
        "Generated {} by aiready {}.\n",
        generated.strftime("%Y-%m-%d %H:%M UTC"),
        env!("CARGO_PKG_VERSION")
    );
    out.push_str("| | Session | Id | Last changed | Target |\n|---|---|---|---|---|\n");
    let _ = writeln!(out, "{}", side_line("Baseline", &c.baseline));
    let _ = writeln!(out, "{}\n", side_line("Current", &c.current));
    if c.linked {
        out.push_str("The current session was started from the baseline.\n\n");
    }

    out.push_str("## Method\n\n");
    let method = method_lines(c);
    if method.is_empty() {
        out.push_str(
            "Both sessions were assessed with the same questions and target, and no answer is \
             only carried over: every movement below comes from the answers.\n\n",
        );
    } else {
        for line in method {
            let _ = writeln!(out, "- {line}");
        }
        out.push('\n');
    }

    out.push_str("## Scores\n\n");
    out.push_str(
        "| | Before | After | Change | Verdict before | Verdict after | Note |\n|---|---|---|---|---|---|---|\n",
    );
    score_row(&mut out, "**Overall**", &c.overall, "");
    for cat in &c.categories {
        let mut notes = Vec::new();
        if cat.method_changed {
            notes.push("method changed".to_string());
        }
        if cat.carried > 0 {
            notes.push(format!("{} carried over, not confirmed", cat.carried));
        }
        score_row(
            &mut out,
            cat.category.title(),
            &cat.change,
            &notes.join("; "),
        );
    }
    out.push('\n');

    let moved_stages: Vec<_> = c
        .stages
        .iter()
        .filter(|s| match s.delta() {
            Some(d) => d != 0,
            // Scored on one side only.
            None => s.before.is_some() != s.after.is_some(),
        })
        .collect();
    out.push_str("## By stage\n\n");
    if moved_stages.is_empty() {
        out.push_str("No stage score moved.\n\n");
    } else {
        out.push_str("| Category | Stage | Before | After | Change |\n|---|---|---|---|---|\n");
        for s in moved_stages {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                s.category.title(),
                s.stage.title(),
                score(s.before),
                score(s.after),
                signed(s.delta())
            );
        }
        out.push('\n');
    }

    out.push_str("## Questions\n\n");
    let of = |m: Movement| -> Vec<&QuestionChange> { c.moved(m).collect() };
    let closed = of(Movement::Closed);
    let new_gaps = of(Movement::NewGap);
    let regressed = of(Movement::Regressed);
    let other: Vec<&QuestionChange> = c
        .questions
        .iter()
        .filter(|q| {
            matches!(
                q.movement,
                Movement::Improved | Movement::Answered | Movement::Reopened | Movement::Changed
            )
        })
        .collect();
    let flagged_only: Vec<&QuestionChange> = c
        .questions
        .iter()
        .filter(|q| q.movement == Movement::Unchanged)
        .collect();
    if closed.is_empty() && new_gaps.is_empty() && regressed.is_empty() && other.is_empty() {
        out.push_str("No answer moved.\n\n");
    }
    question_table(&mut out, "Gaps closed", &closed);
    question_table(&mut out, "New gaps", &new_gaps);
    question_table(&mut out, "Regressions", &regressed);
    question_table(&mut out, "Other changes", &other);
    question_table(&mut out, "Unchanged but flagged", &flagged_only);
    if !c.removed.is_empty() {
        let _ = writeln!(
            out,
            "### Questions removed since the baseline ({})\n",
            c.removed.len()
        );
        out.push_str("| Question | Baseline answer |\n|---|---|\n");
        for r in &c.removed {
            let _ = writeln!(
                out,
                "| {} | {} |",
                escape::inline(&r.id),
                r.answer
                    .map(|a| format!("{} {}", a.short(), a.name()))
                    .unwrap_or_else(|| "open".to_string())
            );
        }
        out.push('\n');
    }

    out.push_str("## Actions\n\n");
    if c.actions.is_empty() {
        out.push_str("The current session has no follow-up actions.\n\n");
    } else {
        let counts: Vec<String> = [
            ActionState::Done,
            ActionState::Open,
            ActionState::Overdue,
            ActionState::WontDo,
        ]
        .iter()
        .map(|s| format!("{} {}", c.actions_in(*s).count(), s.title()))
        .collect();
        let _ = writeln!(out, "{}.\n", counts.join(", "));
        for state in [
            ActionState::Overdue,
            ActionState::Open,
            ActionState::Done,
            ActionState::WontDo,
        ] {
            let list: Vec<&ActionChange> = c.actions_in(state).collect();
            action_table(&mut out, state, &list);
        }
    }
    out
}

fn side_json(side: &Side) -> Value {
    json!({
        "id": side.id,
        "name": side.name,
        "created": side.created.to_string(),
        "updated": side.updated.to_string(),
        "target": side.target.title(),
        "content_hash": side.content_hash,
        "questionnaires": side.questionnaires.iter()
            .map(|q| json!({"id": q.id, "version": q.version}))
            .collect::<Vec<_>>(),
    })
}

fn standing_json(s: Option<&Standing>) -> Value {
    match s {
        Some(s) => json!({
            "score": s.score.map(scoring::score_two_decimals),
            "verdict": s.verdict.title(),
            "verdict_text": s.verdict_text(),
            "answered": s.completion.answered,
            "applicable": s.completion.applicable,
        }),
        None => Value::Null,
    }
}

fn change_json(c: &ScoreChange) -> Value {
    json!({
        "before": standing_json(c.before.as_ref()),
        "after": standing_json(c.after.as_ref()),
        "delta": c.delta(),
        "verdict_changed": c.verdict_changed(),
    })
}

fn status_json(status: QuestionStatus) -> &'static str {
    match status {
        QuestionStatus::Hidden => "out_of_scope",
        QuestionStatus::Open => "open",
        QuestionStatus::NotApplicable => "not_applicable",
        QuestionStatus::Scored { .. } => "scored",
    }
}

fn movement_json(m: Movement) -> &'static str {
    match m {
        Movement::Closed => "closed",
        Movement::NewGap => "new_gap",
        Movement::Regressed => "regressed",
        Movement::Improved => "improved",
        Movement::Answered => "answered",
        Movement::Reopened => "reopened",
        Movement::Changed => "changed",
        Movement::Unchanged => "unchanged",
    }
}

fn carried_json(c: Option<Carried>) -> Value {
    match c {
        Some(Carried::Unconfirmed) => json!("unconfirmed"),
        Some(Carried::QuestionChanged) => json!("question_changed"),
        None => Value::Null,
    }
}

/// An action status as the JSON exports write it.
pub fn action_status_json(status: &ActionStatus) -> &'static str {
    match status {
        ActionStatus::Open => "open",
        ActionStatus::InProgress => "in_progress",
        ActionStatus::Done => "done",
        ActionStatus::WontDo(_) => "wont_do",
    }
}

fn state_json(s: ActionState) -> &'static str {
    match s {
        ActionState::Overdue => "overdue",
        ActionState::Open => "open",
        ActionState::Done => "done",
        ActionState::WontDo => "wont_do",
    }
}

/// The comparison as JSON (the shape is described in docs/json-output.md).
pub fn json(c: &Comparison) -> String {
    let value = json!({
        "format": FORMAT,
        "baseline": side_json(&c.baseline),
        "current": side_json(&c.current),
        "linked": c.linked,
        "method": {
            "target_changed": c.method.target.map(|(b, a)| json!({"before": b.title(), "after": a.title()})),
            "content_changed": c.method.content_changed,
            "questions_known": c.method.questions_known,
            "added": c.method.added,
            "changed": c.method.changed,
            "removed": c.method.removed,
            "carried": c.method.carried,
        },
        "overall": change_json(&c.overall),
        "categories": c.categories.iter().map(|cat| json!({
            "category": cat.category.key(),
            "title": cat.category.title(),
            "change": change_json(&cat.change),
            "method_changed": cat.method_changed,
            "carried": cat.carried,
        })).collect::<Vec<_>>(),
        "stages": c.stages.iter().map(|s| json!({
            "category": s.category.key(),
            "stage": s.stage.title(),
            "before": s.before.map(scoring::score_two_decimals),
            "after": s.after.map(scoring::score_two_decimals),
            "delta": s.delta(),
        })).collect::<Vec<_>>(),
        "questions": c.questions.iter().map(|q| json!({
            "id": q.id,
            "category": q.category.key(),
            "stage": q.stage.title(),
            "prompt": q.prompt,
            "critical": q.critical,
            "before": status_json(q.before),
            "after": status_json(q.after),
            "answer_before": q.answer_before.map(Answer::name),
            "answer_after": q.answer_after.map(Answer::name),
            "gap_before": q.gap_before,
            "gap_after": q.gap_after,
            "movement": movement_json(q.movement),
            "carried": carried_json(q.carried),
            "bank_change": q.bank.map(|b| match b {
                BankChange::Added => "added",
                BankChange::Changed => "changed",
            }),
        })).collect::<Vec<_>>(),
        "removed": c.removed.iter().map(|r| json!({
            "id": r.id,
            "answer": r.answer.map(Answer::name),
        })).collect::<Vec<_>>(),
        "actions": c.actions.iter().map(|a| json!({
            "question": a.question,
            "what": a.action.what,
            "owner": a.action.owner,
            "due": a.action.due.map(|d| d.to_string()),
            "status": action_status_json(&a.action.status),
            "reason": match &a.action.status { ActionStatus::WontDo(r) => Some(r.as_str()), _ => None },
            "status_date": a.action.status_date.map(|d| d.to_string()),
            "before": a.before.as_ref().map(action_status_json),
            "state": state_json(a.state),
        })).collect::<Vec<_>>(),
    });
    pretty(&value)
}

fn pretty(value: &Value) -> String {
    // Serialising a Value built here cannot fail; an empty object is the safe fallback.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}

/// A label safe inside a Mermaid string: no quotes, brackets or control characters.
fn mermaid_label(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '"' | '[' | ']' | '`' | '<' | '>' | ';' | '#' => ' ',
            c => c,
        })
        .take(40)
        .collect::<String>()
        .trim()
        .to_string()
}

/// The history of a chain as Markdown, with a Mermaid line chart of the trend.
pub fn history_markdown(chain: &Chain, trend: &Trend, generated: Timestamp) -> String {
    let mut out = String::with_capacity(2048);
    let latest = trend.points.last().map(|p| p.session.name.as_str());
    let _ = writeln!(
        out,
        "# History: {}\n",
        escape::inline(latest.unwrap_or_default())
    );
    let _ = writeln!(
        out,
        "Generated {} by aiready {}. {} session(s), each started from the one before, oldest first.\n",
        generated.strftime("%Y-%m-%d %H:%M UTC"),
        env!("CARGO_PKG_VERSION"),
        trend.points.len()
    );
    if let Some(missing) = chain.missing {
        let _ = writeln!(
            out,
            "The oldest session here was started from \"{}\" (`{}`), which is no longer stored.\n",
            escape::inline(&missing.name),
            escape::inline(&missing.id)
        );
    }
    if trend.content_changed {
        out.push_str(
            "The sessions were not all assessed with the same questionnaires: part of a movement \
             may come from the questions, not the answers.\n\n",
        );
    }
    out.push_str("| # | Session | Id | Last changed | Answered | Overall | Verdict |");
    for cat in &trend.categories {
        let _ = write!(out, " {} |", cat.title());
    }
    out.push_str(" Unconfirmed |\n|---|---|---|---|---|---|---|");
    for _ in &trend.categories {
        out.push_str("---|");
    }
    out.push_str("---|\n");
    for (i, p) in trend.points.iter().enumerate() {
        let _ = write!(
            out,
            "| {} | {} | `{}` | {} | {}/{} | {} | {} |",
            i + 1,
            escape::inline(&p.session.name),
            p.session.id,
            day(p.session.updated),
            p.completion.answered,
            p.completion.applicable,
            score(p.overall),
            p.verdict.title()
        );
        for cat in &trend.categories {
            let cell = match p.categories.get(cat) {
                Some(s) => score(*s),
                None => "not assessed".to_string(),
            };
            let _ = write!(out, " {cell} |");
        }
        let _ = writeln!(out, " {} |", p.unconfirmed);
    }
    out.push('\n');

    // Only series scored in every session are drawn: a line with a hole would read as zero.
    let overall: Option<Vec<u32>> = trend
        .points
        .iter()
        .map(|p| p.overall.map(scoring::shown_points))
        .collect();
    let series: Vec<(&str, Vec<u32>)> = overall
        .map(|v| ("Overall", v))
        .into_iter()
        .chain(trend.categories.iter().filter_map(|cat| {
            trend
                .points
                .iter()
                .map(|p| p.categories.get(cat).copied().flatten())
                .map(|s| s.map(scoring::shown_points))
                .collect::<Option<Vec<u32>>>()
                .map(|v| (cat.title(), v))
        }))
        .collect();
    out.push_str("## Trend\n\n");
    if series.is_empty() {
        out.push_str("No score to chart yet.\n");
        return out;
    }
    let names: Vec<&str> = series.iter().map(|(n, _)| *n).collect();
    let _ = writeln!(
        out,
        "Lines, in order: {}. A series missing a score in any session is left out.\n",
        names.join(", ")
    );
    out.push_str("```mermaid\nxychart-beta\n    title \"Readiness scores\"\n    x-axis [");
    let labels: Vec<String> = trend
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "\"{} {}\"",
                i + 1,
                mermaid_label(&format!("{} {}", day(p.session.updated), p.session.name))
            )
        })
        .collect();
    out.push_str(&labels.join(", "));
    out.push_str("]\n    y-axis \"Score\" 0 --> 100\n");
    for (_, values) in &series {
        let values: Vec<String> = values.iter().map(u32::to_string).collect();
        let _ = writeln!(out, "    line [{}]", values.join(", "));
    }
    out.push_str("```\n");
    out
}

/// The history of a chain as JSON (the shape is described in docs/json-output.md).
pub fn history_json(chain: &Chain, trend: &Trend) -> String {
    let value = json!({
        "format": FORMAT,
        "missing_start": chain.missing.map(|m| json!({"id": m.id, "name": m.name})),
        "content_changed": trend.content_changed,
        "categories": trend.categories.iter().map(|c| c.key()).collect::<Vec<_>>(),
        "sessions": trend.points.iter().map(|p| json!({
            "id": p.session.id,
            "name": p.session.name,
            "created": p.session.created.to_string(),
            "updated": p.session.updated.to_string(),
            "started_from": p.session.started_from.as_ref().map(|f| f.id.as_str()),
            "answered": p.completion.answered,
            "applicable": p.completion.applicable,
            "score": p.overall.map(scoring::score_two_decimals),
            "verdict": p.verdict.title(),
            "categories": p.categories.iter()
                .map(|(c, s)| (c.key().to_string(), json!(s.map(scoring::score_two_decimals))))
                .collect::<serde_json::Map<String, Value>>(),
            "unconfirmed": p.unconfirmed,
        })).collect::<Vec<_>>(),
        "branches": chain.branches.iter().map(|(parent, others)| json!({
            "from": parent,
            "sessions": others.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    pretty(&value)
}
