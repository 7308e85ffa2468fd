//! Semantic checks on parsed files: everything the RON grammar cannot say. Every check adds a
//! problem and carries on, so that one run lists all of them.

use super::raw::{RawCitations, RawQuestion, RawQuestionnaire, RawScopingProfile};
use crate::domain::framework::{Category, Framework, ReferenceCatalog};
use crate::domain::questionnaire::{Condition, LATEST_FORMAT};
use crate::text;
use std::collections::BTreeSet;

/// A problem found at a field path of one file; the caller turns the path into a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Field path, e.g. `sections[1].questions[3].weight`.
    pub path: String,
    /// What is wrong, for a person.
    pub message: String,
}

fn finding(path: impl Into<String>, message: impl Into<String>) -> Finding {
    Finding {
        path: path.into(),
        message: message.into(),
    }
}

/// Most evidence examples a question may list before it stops being a quick read.
const MAX_EVIDENCE: usize = 6;

/// Longest reason for a primary identifier: one line in a report.
const MAX_WHY: usize = 200;

/// The content format a file declares: 1 when it has no `format` field. A format this program
/// does not know is reported, and the file is checked as the latest one.
fn format_of(out: &mut Vec<Finding>, declared: Option<u32>) -> u32 {
    match declared {
        None => 1,
        Some(f) if (1..=u32::from(LATEST_FORMAT)).contains(&f) => f,
        Some(f) => {
            out.push(finding(
                "format",
                format!(
                    "format {f} is not known; this version of aiready reads formats 1 to {LATEST_FORMAT}"
                ),
            ));
            u32::from(LATEST_FORMAT)
        }
    }
}

/// Checks one questionnaire on its own; `scoping_keys` are the keys conditions may name. Each
/// finding goes to `report` as soon as its question is checked, so that a huge file with a
/// problem in every question is never held as one list of findings.
pub fn questionnaire(
    q: &RawQuestionnaire,
    catalog: &ReferenceCatalog,
    scoping_keys: &BTreeSet<String>,
    report: &mut dyn FnMut(Finding),
) {
    let mut out = Vec::new();
    let format = format_of(&mut out, q.format);
    check_slug(&mut out, "id", &q.id, '-');
    non_empty(&mut out, "title", &q.title);
    non_empty(&mut out, "version", &q.version);
    non_empty(&mut out, "description", &q.description);
    one_line(&mut out, "title", &q.title);
    one_line(&mut out, "version", &q.version);
    paragraphs(&mut out, "description", &q.description);
    if q.sections.is_empty() {
        out.push(finding(
            "sections",
            "a questionnaire needs at least one section",
        ));
    }
    let mut stages = BTreeSet::new();
    for (s, section) in q.sections.iter().enumerate() {
        let at = format!("sections[{s}]");
        if !stages.insert(section.stage) {
            out.push(finding(
                format!("{at}.stage"),
                format!(
                    "stage {:?} appears twice; put all its questions in one section",
                    section.stage
                ),
            ));
        }
        if section.questions.is_empty() {
            out.push(finding(
                format!("{at}.questions"),
                "a section needs at least one question",
            ));
        }
        for (i, question) in section.questions.iter().enumerate() {
            let place = Place {
                at: format!("{at}.questions[{i}]"),
                format,
                category: q.category,
            };
            check_question(&mut out, &place, question, catalog, scoping_keys);
            out.drain(..).for_each(&mut *report);
        }
    }
    out.into_iter().for_each(report);
}

/// Where a question is checked: its field path, its file's format and its questionnaire's
/// category.
struct Place {
    at: String,
    format: u32,
    category: Category,
}

fn check_question(
    out: &mut Vec<Finding>,
    place: &Place,
    q: &RawQuestion,
    catalog: &ReferenceCatalog,
    scoping_keys: &BTreeSet<String>,
) {
    let at = place.at.as_str();
    check_slug(out, &format!("{at}.id"), &q.id, '-');
    non_empty(out, &format!("{at}.prompt"), &q.prompt);
    non_empty(out, &format!("{at}.guidance"), &q.guidance);
    non_empty(out, &format!("{at}.good_looks_like"), &q.good_looks_like);
    non_empty(out, &format!("{at}.remediation"), &q.remediation);
    one_line(out, &format!("{at}.prompt"), &q.prompt);
    paragraphs(out, &format!("{at}.guidance"), &q.guidance);
    paragraphs(out, &format!("{at}.good_looks_like"), &q.good_looks_like);
    paragraphs(out, &format!("{at}.remediation"), &q.remediation);
    if q.evidence.is_empty() {
        out.push(finding(
            format!("{at}.evidence"),
            "list at least one evidence example",
        ));
    } else if q.evidence.len() > MAX_EVIDENCE {
        out.push(finding(
            format!("{at}.evidence"),
            format!(
                "{} evidence examples; keep it to at most {MAX_EVIDENCE}",
                q.evidence.len()
            ),
        ));
    }
    for (e, item) in q.evidence.iter().enumerate() {
        non_empty(out, &format!("{at}.evidence[{e}]"), item);
        one_line(out, &format!("{at}.evidence[{e}]"), item);
    }
    if !(1..=3).contains(&q.weight) {
        out.push(finding(
            format!("{at}.weight"),
            format!("weight {} is out of range; use 1, 2 or 3", q.weight),
        ));
    }
    if q.maps_to.tsc.ids().is_empty() {
        out.push(finding(
            format!("{at}.maps_to.tsc"),
            "a question must map to at least one SOC 2 criterion",
        ));
    }
    for (framework, citations) in q.maps_to.by_framework() {
        if let Some(citations) = citations {
            check_citations(out, place, framework, citations, catalog);
        }
    }
    check_audit_fields(out, place, q);
    check_sharing(out, place, q);
    check_condition(
        out,
        &format!("{at}.applies_if"),
        &q.applies_if,
        scoping_keys,
    );
}

/// The identifiers of one framework: each in the reference list and listed once; in format 2 a
/// primary one with a one-line reason, in format 1 a plain list.
fn check_citations(
    out: &mut Vec<Finding>,
    place: &Place,
    framework: Framework,
    citations: &RawCitations,
    catalog: &ReferenceCatalog,
) {
    let field = framework.field();
    let base = format!("{}.maps_to.{field}", place.at);
    let mut seen = BTreeSet::new();
    let mut check_id = |out: &mut Vec<Finding>, path: String, id: &str| {
        if !catalog.contains(framework, id) {
            out.push(finding(
                path,
                format!(
                    "'{}' is not {}",
                    text::value(id),
                    with_article(framework.noun())
                ),
            ));
        } else if !seen.insert(id.to_string()) {
            out.push(finding(
                path,
                format!("'{}' is listed twice", text::value(id)),
            ));
        }
    };
    match citations {
        RawCitations::List(ids) => {
            // An empty list cites nothing, which format 2 allows (and `tsc` reports itself).
            if place.format >= 2 && !ids.is_empty() {
                out.push(finding(
                    base.clone(),
                    format!(
                        "format 2 names a primary identifier with the reason for it: write \
                         {field}: (primary: \"...\", why: \"...\", secondary: [...])"
                    ),
                ));
            }
            for (k, id) in ids.iter().enumerate() {
                check_id(out, format!("{base}[{k}]"), id);
            }
        }
        RawCitations::Cited(cited) => {
            if place.format < 2 {
                out.push(finding(
                    base.clone(),
                    "a primary identifier needs `format: 2` at the top of the file",
                ));
            }
            check_id(out, format!("{base}.primary"), &cited.primary);
            let why = cited.why.trim();
            if why.is_empty() {
                out.push(finding(format!("{base}.why"), "must not be empty"));
            } else if why.contains('\n') {
                out.push(finding(
                    format!("{base}.why"),
                    "the reason for a primary identifier is one line",
                ));
            } else if why.chars().count() > MAX_WHY {
                out.push(finding(
                    format!("{base}.why"),
                    format!(
                        "{} characters; keep the reason to one line of at most {MAX_WHY}",
                        why.chars().count()
                    ),
                ));
            }
            for (k, id) in cited.secondary.iter().enumerate() {
                check_id(out, format!("{base}.secondary[{k}]"), id);
            }
        }
    }
}

/// "a SOC 2 criterion", "an ISO/IEC 42001 Annex A control".
fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

/// The fields that say what an auditor tests: required in format 2, unknown to format 1.
fn check_audit_fields(out: &mut Vec<Finding>, place: &Place, q: &RawQuestion) {
    let at = place.at.as_str();
    let texts = [
        ("type1_evidence", q.type1_evidence.as_deref()),
        ("type2_evidence", q.type2_evidence.as_deref()),
        ("typical_exception", q.typical_exception.as_deref()),
    ];
    let present = [
        ("type1_evidence", q.type1_evidence.is_some()),
        ("type2_evidence", q.type2_evidence.is_some()),
        ("frequency", q.frequency.is_some()),
        ("tested_by", q.tested_by.is_some()),
        ("typical_exception", q.typical_exception.is_some()),
    ];
    if place.format < 2 {
        let later = [
            ("also_in", q.also_in.is_some()),
            ("replaces", q.replaces.is_some()),
        ];
        for (field, given) in present.iter().chain(later.iter()) {
            if *given {
                out.push(finding(
                    format!("{at}.{field}"),
                    format!("'{field}' needs `format: 2` at the top of the file"),
                ));
            }
        }
        return;
    }
    for (field, given) in present {
        if !given {
            out.push(finding(
                at,
                format!("missing field '{field}', which format 2 requires"),
            ));
        }
    }
    for (field, text) in texts {
        if let Some(text) = text {
            non_empty(out, &format!("{at}.{field}"), text);
        }
    }
    if let Some(methods) = &q.tested_by {
        if methods.is_empty() {
            out.push(finding(
                format!("{at}.tested_by"),
                "name at least one way an auditor tests it: Inquiry, Inspection, Observation or Reperformance",
            ));
        }
        let mut seen = BTreeSet::new();
        for (k, method) in methods.iter().enumerate() {
            if !seen.insert(*method) {
                out.push(finding(
                    format!("{at}.tested_by[{k}]"),
                    format!("{method:?} is listed twice"),
                ));
            }
        }
    }
}

/// Other categories a question belongs to, and the retired ids it replaces.
fn check_sharing(out: &mut Vec<Finding>, place: &Place, q: &RawQuestion) {
    let at = place.at.as_str();
    if let Some(categories) = &q.also_in {
        let mut seen = BTreeSet::new();
        for (k, category) in categories.iter().enumerate() {
            let path = format!("{at}.also_in[{k}]");
            if *category == place.category {
                out.push(finding(
                    path,
                    format!(
                        "{} is this questionnaire's own category; list only the other categories the question counts in",
                        category.title()
                    ),
                ));
            } else if !seen.insert(*category) {
                out.push(finding(
                    path,
                    format!("{} is listed twice", category.title()),
                ));
            }
        }
    }
    if let Some(retired) = &q.replaces {
        let mut seen = BTreeSet::new();
        for (k, id) in retired.iter().enumerate() {
            let path = format!("{at}.replaces[{k}]");
            let before = out.len();
            check_slug(out, &path, id, '-');
            if out.len() > before {
                continue;
            }
            if *id == q.id {
                out.push(finding(path, "a question cannot replace itself"));
            } else if !seen.insert(id.as_str()) {
                out.push(finding(path, format!("'{id}' is listed twice")));
            }
        }
    }
}

fn check_condition(
    out: &mut Vec<Finding>,
    at: &str,
    condition: &Condition,
    scoping_keys: &BTreeSet<String>,
) {
    match condition {
        Condition::Always => {}
        Condition::Yes(key) | Condition::No(key) => {
            if !scoping_keys.contains(key) {
                let known: Vec<&str> = scoping_keys.iter().map(String::as_str).collect();
                out.push(finding(
                    at,
                    format!(
                        "'{}' is not a scoping key; the profile defines {}",
                        text::value(key),
                        text::escape(&known.join(", "))
                    ),
                ));
            }
        }
        Condition::All(inner) | Condition::Any(inner) => {
            if inner.is_empty() {
                out.push(finding(
                    at,
                    "an All or Any condition needs at least one condition",
                ));
            }
            for (i, c) in inner.iter().enumerate() {
                check_condition(out, &format!("{at}[{i}]"), c, scoping_keys);
            }
        }
    }
}

/// Checks the scoping profile on its own.
pub fn profile(p: &RawScopingProfile) -> Vec<Finding> {
    let mut out = Vec::new();
    format_of(&mut out, p.format);
    check_slug(&mut out, "id", &p.id, '-');
    non_empty(&mut out, "version", &p.version);
    one_line(&mut out, "version", &p.version);
    let mut keys = BTreeSet::new();
    for (i, q) in p.questions.iter().enumerate() {
        let at = format!("questions[{i}]");
        check_slug(&mut out, &format!("{at}.key"), &q.key, '_');
        if !keys.insert(q.key.as_str()) {
            out.push(finding(
                format!("{at}.key"),
                format!("scoping key '{}' is defined twice", text::value(&q.key)),
            ));
        }
        non_empty(&mut out, &format!("{at}.prompt"), &q.prompt);
        non_empty(&mut out, &format!("{at}.help"), &q.help);
        one_line(&mut out, &format!("{at}.prompt"), &q.prompt);
        paragraphs(&mut out, &format!("{at}.help"), &q.help);
    }
    let mut optional = BTreeSet::new();
    for (i, category) in p.optional_categories.iter().enumerate() {
        let at = format!("optional_categories[{i}]");
        if category.always_in_scope() {
            out.push(finding(
                at,
                format!(
                    "{} is always in scope and cannot be optional",
                    category.title()
                ),
            ));
        } else if !optional.insert(*category) {
            out.push(finding(at, format!("{} is listed twice", category.title())));
        }
    }
    let t = &p.thresholds;
    if !(1..=25).contains(&t.points_per_level) {
        out.push(finding(
            "thresholds.points_per_level",
            format!(
                "{} is out of range; use 1 to 25 so that scores stay within 0-100",
                t.points_per_level
            ),
        ));
    }
    for (name, rule) in [("type1", t.type1), ("type2", t.type2)] {
        if rule.min_score > 100 {
            out.push(finding(
                format!("thresholds.{name}.min_score"),
                format!("{} is out of range; use 0 to 100", rule.min_score),
            ));
        }
        if rule.critical_min_level > 4 {
            out.push(finding(
                format!("thresholds.{name}.critical_min_level"),
                format!(
                    "{} is out of range; use a level from 0 to 4",
                    rule.critical_min_level
                ),
            ));
        }
    }
    if t.type2.min_score < t.type1.min_score
        || t.type2.critical_min_level < t.type1.critical_min_level
    {
        out.push(finding(
            "thresholds.type2",
            "Type 2 readiness must be at least as strict as Type 1",
        ));
    }
    out
}

/// Titles, prompts, versions and evidence examples are one line of text: no control character
/// at all, so nothing in them can act on a terminal or break a listing.
fn one_line(out: &mut Vec<Finding>, path: &str, value: &str) {
    if let Some((i, c)) = value.chars().enumerate().find(|(_, c)| c.is_control()) {
        out.push(finding(
            path,
            format!(
                "holds a control character (U+{:04X}) at character {}; this text is one line without control characters",
                u32::from(c),
                i + 1
            ),
        ));
    }
}

/// Guidance and other longer text may break lines and use tabs, but hold no other control
/// character.
fn paragraphs(out: &mut Vec<Finding>, path: &str, value: &str) {
    if let Err(e) = crate::domain::typed_text::check(value) {
        out.push(finding(path, e.to_string()));
    }
}

fn non_empty(out: &mut Vec<Finding>, path: &str, value: &str) {
    if value.trim().is_empty() {
        out.push(finding(path, "must not be empty"));
    }
}

/// Identifiers are lower-case ASCII words joined by `sep`, so they work as file and map keys.
fn check_slug(out: &mut Vec<Finding>, path: &str, value: &str, sep: char) {
    if value.trim().is_empty() {
        out.push(finding(path, "must not be empty"));
        return;
    }
    let ok = value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == sep)
        && !value.starts_with(sep)
        && !value.ends_with(sep);
    if !ok {
        out.push(finding(
            path,
            format!(
                "'{}' is not a valid identifier; use lower-case letters, digits and '{sep}'",
                text::value(value)
            ),
        ));
    }
}
