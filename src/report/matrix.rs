//! The framework matrices (SOC 2, NIST AI RMF, ISO/IEC 42001: each identifier cited by an
//! applicable question, with those questions, their lowest level and the evidence) and the
//! evidence request list for the gaps.

use super::context::{NONE, RecordOf, answer_or_open, answer_text};
use crate::content::reference;
use crate::domain::framework::Framework;
use crate::domain::questionnaire::Question;
use crate::domain::scale::Answer;
use crate::domain::scoring::{QuestionStatus, Results};
use foldhash::{HashMap, HashMapExt};
use serde::Serialize;

/// One framework identifier with the applicable questions citing it.
#[derive(Debug, Clone, Serialize)]
pub struct ControlRow<'a> {
    /// Identifier, e.g. CC6.1, MAP 2.3 or A.7.4.
    pub criterion: &'a str,
    /// Its short title.
    pub title: &'a str,
    /// The questions with their answers, e.g. "sec-gov-01 (4), sec-gov-04 (open)".
    pub questions: String,
    /// The lowest level among the answered questions (Unknown counts as 0), with the open
    /// ones counted beside it, e.g. "3", "3, 1 open", "2 open", "N/A".
    pub lowest: String,
    /// Evidence per question, e.g. "sec-gov-01: TICKET-1, policy.pdf; sec-gov-04: ...".
    pub evidence: String,
    /// The lowest level among the answered questions, None before any is scored.
    pub lowest_level: Option<u8>,
    /// The mean level of the answered questions (Unknown counts as 0, N/A not at all).
    pub average_level: Option<f64>,
    /// Questions still open.
    pub open: usize,
    /// Questions answered N/A.
    pub not_applicable: usize,
    /// The ids of the questions citing it.
    #[serde(skip)]
    pub question_ids: Vec<&'a str>,
}

/// An identifier while the matrix is gathered.
struct Gathered<'a> {
    rank: usize,
    title: &'static str,
    ids: Vec<&'a str>,
    lowest: Option<u8>,
    level_sum: u32,
    scored: u32,
    open: usize,
    not_applicable: usize,
}

/// One row per identifier of `framework` cited by an applicable question, in the reference
/// list's order.
pub fn control_matrix<'a>(
    framework: Framework,
    results: &'a Results<'a>,
    questions: &HashMap<&str, &'a Question>,
    record_of: RecordOf<'_, 'a>,
) -> Vec<ControlRow<'a>> {
    let catalog = reference::catalog();
    let order: HashMap<&str, (usize, &'static str)> = catalog
        .all(framework)
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), (i, r.title.as_str())))
        .collect();
    let mut by_id: HashMap<&'a str, Gathered<'a>> = HashMap::new();
    for q in &results.questions {
        if q.status == QuestionStatus::Hidden {
            continue;
        }
        let Some(question) = questions.get(q.id) else {
            continue;
        };
        for id in question.maps_to.for_framework(framework) {
            let entry = by_id.entry(id.as_str()).or_insert_with(|| {
                let (rank, title) = order.get(id.as_str()).copied().unwrap_or((usize::MAX, ""));
                Gathered {
                    rank,
                    title,
                    ids: Vec::new(),
                    lowest: None,
                    level_sum: 0,
                    scored: 0,
                    open: 0,
                    not_applicable: 0,
                }
            });
            entry.ids.push(q.id);
            match q.status {
                QuestionStatus::Scored { level, .. } => {
                    entry.lowest = Some(entry.lowest.map_or(level, |m| m.min(level)));
                    entry.level_sum += u32::from(level);
                    entry.scored += 1;
                }
                QuestionStatus::Open => entry.open += 1,
                QuestionStatus::NotApplicable => entry.not_applicable += 1,
                QuestionStatus::Hidden => {}
            }
        }
    }
    let mut rows: Vec<(usize, ControlRow<'a>)> = by_id
        .into_iter()
        .map(|(criterion, g)| {
            let mut listed = String::new();
            let mut evidence = String::new();
            for id in &g.ids {
                let record = record_of(id);
                if !listed.is_empty() {
                    listed.push_str(", ");
                }
                listed.push_str(id);
                listed.push_str(" (");
                listed.push_str(record.answer.map_or("open", Answer::short));
                listed.push(')');
                if !record.action.evidence.is_empty() {
                    if !evidence.is_empty() {
                        evidence.push_str("; ");
                    }
                    evidence.push_str(id);
                    evidence.push_str(": ");
                    evidence.push_str(&record.action.evidence.join(", "));
                }
            }
            // An open question is not a pass: the lowest level is only known once it is
            // answered, so the open ones are counted beside it.
            let lowest = match (g.lowest, g.open) {
                (Some(level), 0) => level.to_string(),
                (Some(level), open) => format!("{level}, {open} open"),
                (None, 0) if g.not_applicable > 0 => "N/A".to_string(),
                (None, 0) => NONE.to_string(),
                (None, open) => format!("{open} open"),
            };
            let row = ControlRow {
                criterion,
                title: g.title,
                questions: listed,
                lowest,
                evidence,
                lowest_level: g.lowest,
                average_level: (g.scored > 0).then(|| f64::from(g.level_sum) / f64::from(g.scored)),
                open: g.open,
                not_applicable: g.not_applicable,
                question_ids: g.ids,
            };
            (g.rank, row)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.criterion.cmp(b.1.criterion)));
    rows.into_iter().map(|(_, row)| row).collect()
}

/// The evidence to gather for the gaps of one action owner.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceGroup<'a> {
    /// The action owner, or empty for gaps without one.
    pub owner: &'a str,
    /// The gaps, most urgent first.
    pub items: Vec<EvidenceItem<'a>>,
}

/// The evidence requested for one gap.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceItem<'a> {
    /// Question id.
    pub id: &'a str,
    /// The question.
    pub prompt: &'a str,
    /// Whether the question is critical.
    pub critical: bool,
    /// The answer today, e.g. "2 Designed".
    pub answer: &'static str,
    /// The level to reach.
    pub target: u8,
    /// Due date of the action, or empty.
    pub due: String,
    /// The kinds of evidence an auditor would accept, from the question bank, joined with "; ".
    pub requested: String,
    /// What must exist and be inspectable on the day (Type 1); empty for format 1 content.
    pub type1_evidence: &'a str,
    /// The population and sample over the observation period (Type 2); empty for format 1
    /// content.
    pub type2_evidence: &'a str,
    /// Evidence recorded so far, joined with "; ".
    pub recorded: String,
}

/// Every gap with the evidence its question's bank entry suggests, grouped by the owner of
/// its action (owners in alphabetical order, then the gaps without an owner).
pub fn evidence_requests<'a>(
    results: &'a Results<'a>,
    questions: &HashMap<&str, &'a Question>,
    record_of: RecordOf<'_, 'a>,
) -> Vec<EvidenceGroup<'a>> {
    let mut groups: Vec<EvidenceGroup<'a>> = Vec::new();
    for gap in &results.gaps {
        let record = record_of(gap.question_id);
        let owner = record.action.owner.trim();
        let question = questions.get(gap.question_id);
        let audit = question.and_then(|q| q.audit.as_ref());
        let item = EvidenceItem {
            id: gap.question_id,
            prompt: gap.prompt,
            critical: gap.critical,
            answer: if record.answer.is_some() {
                answer_text(gap.answer)
            } else {
                answer_or_open(None)
            },
            target: results.target_level,
            due: super::context::due_text(record.action.due),
            requested: question.map(|q| q.evidence.join("; ")).unwrap_or_default(),
            type1_evidence: audit.map_or("", |a| a.type1_evidence.as_str()),
            type2_evidence: audit.map_or("", |a| a.type2_evidence.as_str()),
            recorded: record.action.evidence.join("; "),
        };
        match groups.iter_mut().find(|g| g.owner == owner) {
            Some(group) => group.items.push(item),
            None => groups.push(EvidenceGroup {
                owner,
                items: vec![item],
            }),
        }
    }
    groups.sort_by(|a, b| {
        a.owner
            .is_empty()
            .cmp(&b.owner.is_empty())
            .then_with(|| a.owner.to_lowercase().cmp(&b.owner.to_lowercase()))
    });
    groups
}
