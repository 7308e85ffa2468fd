//! OSCAL 1.1.3 exports for compliance tooling: assessment results (`-f oscal-ar`) and a plan of
//! action and milestones (`-f oscal-poam`), both JSON.
//!
//! - Every UUID is a version 5 UUID derived from the session id and what it names (a question,
//!   a criterion, a person's place in the list), so two exports of the same session differ only
//!   in their time stamps and a tool can follow an item from one export to the next.
//! - No assessment plan or system security plan exists as a file: `import-ap` names the session
//!   by a URN, and its remarks say so.
//! - One observation per answered question (EXAMINE when evidence is recorded, INTERVIEW
//!   otherwise), one finding per SOC 2 criterion cited by an applicable question (satisfied when
//!   every question citing it is answered and none is below the target level), one risk per
//!   follow-up action with the remediation; the POA&M lists the open actions as items.
//! - People are parties (facilitator, participants, action owners) unless the report is
//!   anonymized; then only the organisation is one, and owners appear by pseudonym in properties.

use super::{ActionRow, ControlRow, Format, ReportContext, ReportError};
use crate::domain::scale::Answer;
use crate::domain::session::ActionStatus;
use foldhash::{HashMap, HashMapExt};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// The OSCAL version the documents conform to.
pub const OSCAL_VERSION: &str = "1.1.3";

/// The namespace of aiready's own properties.
pub const NS: &str = "urn:aiready:oscal";

/// The OSCAL assessment results of a report.
pub fn assessment_results(context: &ReportContext) -> Result<String, ReportError> {
    let doc = Document::new(context);
    let mut result = Map::new();
    result.insert("uuid".into(), doc.id("result").into());
    result.insert(
        "title".into(),
        format!(
            "SOC 2 readiness workshop: {}",
            one_line(context.session.name)
        )
        .into(),
    );
    result.insert("description".into(), doc.result_description().into());
    result.insert("start".into(), context.session.created_at.as_str().into());
    result.insert("end".into(), context.session.updated_at.as_str().into());
    insert_list(&mut result, "props", doc.result_props());
    result.insert("reviewed-controls".into(), doc.reviewed_controls());
    insert_list(&mut result, "observations", doc.observations(|_| true));
    insert_list(&mut result, "risks", doc.risks(context.actions.iter()));
    insert_list(&mut result, "findings", doc.findings());
    result.insert("remarks".into(), REMARKS.into());

    let root = json!({
        "assessment-results": {
            "uuid": doc.id("assessment-results"),
            "metadata": doc.metadata(format!(
                "SOC 2 readiness assessment results: {}",
                one_line(context.session.name)
            )),
            "import-ap": {
                "href": doc.session_urn(),
                "remarks": "No assessment plan file exists: the plan of this readiness assessment is the aiready workshop session named by this URN (its scope, scoping answers and questionnaires are in the results' properties and in the aiready reports of the session).",
            },
            "results": [Value::Object(result)],
        }
    });
    encode(&root, Format::OscalAr)
}

/// The OSCAL plan of action and milestones of a report: the open follow-up actions.
pub fn poam(context: &ReportContext) -> Result<String, ReportError> {
    let doc = Document::new(context);
    // Open: neither done nor decided against.
    let open: Vec<&ActionRow> = context
        .actions
        .iter()
        .filter(|a| a.record.action.status.is_pending())
        .collect();
    let with_action: std::collections::HashSet<&str> = open.iter().map(|a| a.id).collect();
    let mut plan = Map::new();
    plan.insert("uuid".into(), doc.id("poam").into());
    plan.insert(
        "metadata".into(),
        doc.metadata(format!(
            "SOC 2 readiness plan of action and milestones: {}",
            one_line(context.session.name)
        )),
    );
    plan.insert(
        "system-id".into(),
        json!({ "identifier-type": NS, "id": one_line(context.session.id) }),
    );
    insert_list(
        &mut plan,
        "observations",
        doc.observations(|a| with_action.contains(a.id)),
    );
    insert_list(&mut plan, "risks", doc.risks(open.iter().copied()));
    let mut items: Vec<Value> = open.iter().map(|a| doc.poam_item(a)).collect();
    if items.is_empty() {
        // OSCAL requires at least one item: this one says there is nothing to do yet.
        items.push(json!({
            "uuid": doc.id("poam-item:none"),
            "title": "No open follow-up actions",
            "description": format!(
                "When this plan was exported the session had no gap and no follow-up action; {} of {} applicable questions were answered.",
                context.summary.answered, context.summary.applicable
            ),
        }));
    }
    plan.insert("poam-items".into(), Value::Array(items));
    let root = json!({ "plan-of-action-and-milestones": Value::Object(plan) });
    encode(&root, Format::OscalPoam)
}

const REMARKS: &str = "A readiness self-assessment made by the team that runs the AI system with aiready: not a SOC 2 examination, an attestation or an auditor's opinion. Levels: 0 Not in place, 1 Ad hoc, 2 Designed, 3 Implemented (Type 1 ready), 4 Operating (Type 2 ready); Unknown counts as 0; N/A is not scored.";

fn encode(root: &Value, format: Format) -> Result<String, ReportError> {
    let mut text = serde_json::to_string_pretty(root).map_err(|e| ReportError::Encode {
        format,
        reason: e.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}

/// Inserts a list only when it has items: OSCAL lists may not be empty.
fn insert_list(map: &mut Map<String, Value>, key: &str, items: Vec<Value>) {
    if !items.is_empty() {
        map.insert(key.into(), Value::Array(items));
    }
}

/// Text on one line, as OSCAL's plain strings require: runs of white space (line breaks
/// included) become one space, control characters are dropped, the ends are trimmed.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Multi-line text with control characters other than line breaks dropped and the ends trimmed.
fn multi_line(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .trim()
        .to_string()
}

/// A property in aiready's namespace; None when the value is empty (OSCAL values may not be).
fn prop(name: &str, value: &str) -> Option<Value> {
    let value = one_line(value);
    (!value.is_empty()).then(|| json!({ "name": name, "ns": NS, "value": value }))
}

/// An identifier as an OSCAL token: a letter or `_` first, then letters, digits, `.`, `-` and
/// `_`; anything else becomes `_`.
fn token(id: &str) -> String {
    let mut out: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// Whether a web address is written only with characters a URI may hold, so that it can be
/// an OSCAL link (others stay in the description).
fn is_uri(address: &str) -> bool {
    address.bytes().all(|b| {
        b.is_ascii_graphic()
            && !matches!(
                b,
                b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
            )
    })
}

/// A due date as an OSCAL date-time: the end of the day, UTC.
fn deadline(a: &ActionRow) -> Option<String> {
    a.due_date.map(|d| format!("{d}T23:59:59Z"))
}

/// What both documents share: the session's UUID namespace, its people and its questions.
struct Document<'c, 'a> {
    context: &'c ReportContext<'a>,
    namespace: Uuid,
    /// Party UUIDs of people by name (empty when anonymized).
    people: HashMap<String, Uuid>,
    /// Every applicable question's row, by id.
    questions: HashMap<&'a str, &'c ActionRow<'a>>,
}

impl<'c, 'a> Document<'c, 'a> {
    fn new(context: &'c ReportContext<'a>) -> Document<'c, 'a> {
        let namespace = Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            format!("urn:aiready:session:{}", context.session.id).as_bytes(),
        );
        let mut doc = Document {
            context,
            namespace,
            people: HashMap::new(),
            questions: context.register.iter().map(|a| (a.id, a)).collect(),
        };
        if !context.anonymized {
            let names = std::iter::once(context.session.facilitator)
                .chain(context.session.participants.iter().map(|p| p.name))
                .chain(context.actions.iter().map(|a| a.owner));
            for name in names {
                let name = one_line(name);
                if !name.is_empty() && !doc.people.contains_key(&name) {
                    let id = Uuid::new_v5(&namespace, format!("party:{name}").as_bytes());
                    doc.people.insert(name, id);
                }
            }
        }
        doc
    }

    /// The UUID of something in this session.
    fn id(&self, what: &str) -> String {
        Uuid::new_v5(&self.namespace, what.as_bytes()).to_string()
    }

    /// The session as a URI: `urn:aiready:session:<id>` (ids are lowercase letters, digits and
    /// dashes; anything else is percent-encoded).
    fn session_urn(&self) -> String {
        let mut out = String::from("urn:aiready:session:");
        for b in self.context.session.id.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_') {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }

    fn party(&self, name: &str) -> Option<&Uuid> {
        self.people.get(&one_line(name))
    }

    fn metadata(&self, title: String) -> Value {
        let c = self.context;
        let mut meta = Map::new();
        meta.insert("title".into(), title.into());
        meta.insert("last-modified".into(), c.generated_at.as_str().into());
        let version = one_line(&c.document.version);
        meta.insert(
            "version".into(),
            if version.is_empty() {
                "1.0".to_string()
            } else {
                version
            }
            .into(),
        );
        meta.insert("oscal-version".into(), OSCAL_VERSION.into());
        let props: Vec<Value> = [
            prop("marking", &c.document.classification),
            prop("generator", &c.generator),
            prop("session-id", c.session.id),
        ]
        .into_iter()
        .flatten()
        .collect();
        insert_list(&mut meta, "props", props);
        meta.insert(
            "roles".into(),
            json!([
                { "id": "assessed-organization", "title": "Organisation assessed" },
                { "id": "facilitator", "title": "Facilitator of the readiness workshop" },
                { "id": "participant", "title": "Workshop participant" },
                { "id": "action-owner", "title": "Owner of a follow-up action" },
            ]),
        );
        let mut parties = Vec::new();
        let mut responsible = Vec::new();
        let organisation = one_line(c.session.organisation);
        if !organisation.is_empty() {
            let id = self.id("party:organisation");
            parties.push(json!({ "uuid": id, "type": "organization", "name": organisation }));
            responsible.push(json!({ "role-id": "assessed-organization", "party-uuids": [id] }));
        }
        let mut listed: Vec<&Uuid> = Vec::new();
        let mut person = |name: &str, parties: &mut Vec<Value>| -> Option<String> {
            let id = self.party(name)?;
            if !listed.contains(&id) {
                listed.push(id);
                parties.push(
                    json!({ "uuid": id.to_string(), "type": "person", "name": one_line(name) }),
                );
            }
            Some(id.to_string())
        };
        if let Some(id) = person(c.session.facilitator, &mut parties) {
            responsible.push(json!({ "role-id": "facilitator", "party-uuids": [id] }));
        }
        let participants: Vec<String> = c
            .session
            .participants
            .iter()
            .filter_map(|p| person(p.name, &mut parties))
            .collect();
        if !participants.is_empty() {
            responsible.push(json!({ "role-id": "participant", "party-uuids": participants }));
        }
        for a in &c.actions {
            person(a.owner, &mut parties);
        }
        insert_list(&mut meta, "parties", parties);
        insert_list(&mut meta, "responsible-parties", responsible);
        meta.insert("remarks".into(), REMARKS.into());
        Value::Object(meta)
    }

    fn result_description(&self) -> String {
        let c = self.context;
        let or = |text: &str, none: &str| {
            let text = one_line(text);
            if text.is_empty() {
                none.to_string()
            } else {
                text
            }
        };
        format!(
            "Readiness of {} ({}) for a SOC 2 {} examination, assessed in an aiready {} session. Overall score {} of 100; overall verdict: {}. {} of {} applicable questions answered; {} gaps ({} critical).",
            or(c.session.organisation, "an organisation not recorded"),
            or(c.session.system, "AI system not recorded"),
            c.session.target,
            c.session.mode,
            c.summary.overall,
            c.summary.verdict_text,
            c.summary.answered,
            c.summary.applicable,
            c.summary.gaps,
            c.summary.critical_gaps,
        )
    }

    fn result_props(&self) -> Vec<Value> {
        let c = self.context;
        let mut props = vec![
            prop("target", &format!("SOC 2 {}", c.session.target)),
            prop("target-level", &c.session.target_level.to_string()),
            prop("overall-score", &c.summary.overall),
            prop("overall-verdict", c.summary.verdict),
            prop("observation-period", &c.session.period),
        ];
        for category in &c.summary.categories {
            props.push(prop(
                "category-result",
                &format!(
                    "{}: {} ({})",
                    category.title, category.score, category.verdict_text
                ),
            ));
        }
        props.into_iter().flatten().collect()
    }

    fn reviewed_controls(&self) -> Value {
        let controls: Vec<Value> = self
            .context
            .controls
            .iter()
            .map(|c| json!({ "control-id": token(c.criterion) }))
            .collect();
        let selection = if controls.is_empty() {
            json!({ "description": "No SOC 2 criterion is cited by an applicable question." })
        } else {
            json!({ "include-controls": controls })
        };
        json!({
            "description": "The SOC 2 Trust Services Criteria (2017, points of focus revised 2022) cited by the questions that apply to this system.",
            "control-selections": [selection],
        })
    }

    fn observation_id(&self, question: &str) -> String {
        self.id(&format!("observation:{question}"))
    }

    fn risk_id(&self, question: &str) -> String {
        self.id(&format!("risk:{question}"))
    }

    /// One observation per answered question that `keep` accepts.
    fn observations(&self, keep: impl Fn(&ActionRow) -> bool) -> Vec<Value> {
        self.context
            .register
            .iter()
            .filter(|a| a.agreed.is_some() && keep(a))
            .map(|a| self.observation(a))
            .collect()
    }

    fn observation(&self, a: &ActionRow) -> Value {
        let mut o = Map::new();
        o.insert("uuid".into(), self.observation_id(a.id).into());
        o.insert(
            "title".into(),
            format!("{}: {}", a.id, one_line(a.prompt)).into(),
        );
        o.insert(
            "description".into(),
            format!(
                "{} ({}, {}). Agreed answer: {}; target level {}.",
                multi_line(a.prompt),
                a.category,
                a.stage,
                a.answer,
                a.target
            )
            .into(),
        );
        let level = a.agreed.and_then(Answer::scored_level);
        let props: Vec<Value> = [
            prop("question-id", a.id),
            prop("category", a.category),
            prop("stage", a.stage),
            prop("answer", a.agreed.map_or("", Answer::name)),
            level.and_then(|l| prop("readiness-level", &l.to_string())),
            prop("critical", if a.critical { "yes" } else { "no" }),
            prop("soc2", &a.soc2.join(" ")),
            prop("nist-ai-rmf", &a.nist.join("; ")),
            prop("iso-42001", &a.iso.join(" ")),
        ]
        .into_iter()
        .flatten()
        .collect();
        insert_list(&mut o, "props", props);
        let method = if a.evidence.iter().any(|e| !one_line(e).is_empty()) {
            "EXAMINE"
        } else {
            "INTERVIEW"
        };
        o.insert("methods".into(), json!([method]));
        let evidence: Vec<Value> = a
            .evidence
            .iter()
            .map(|e| one_line(e))
            .filter(|e| !e.is_empty())
            .map(|e| {
                let web = super::escape::web_addresses(&e);
                match web.first() {
                    Some(r) if r.start == 0 && r.end == e.len() && is_uri(&e) => {
                        json!({ "href": e, "description": e })
                    }
                    _ => json!({ "description": e }),
                }
            })
            .collect();
        insert_list(&mut o, "relevant-evidence", evidence);
        o.insert(
            "collected".into(),
            self.context.session.updated_at.as_str().into(),
        );
        let notes = multi_line(a.notes);
        if !notes.is_empty() {
            o.insert("remarks".into(), notes.into());
        }
        Value::Object(o)
    }

    /// One risk per follow-up action, with its remediation.
    fn risks<'r>(&self, actions: impl Iterator<Item = &'r ActionRow<'r>>) -> Vec<Value>
    where
        'a: 'r,
    {
        actions.map(|a| self.risk(a)).collect()
    }

    fn risk(&self, a: &ActionRow) -> Value {
        let mut r = Map::new();
        r.insert("uuid".into(), self.risk_id(a.id).into());
        r.insert(
            "title".into(),
            format!("{}: {}", a.id, one_line(a.prompt)).into(),
        );
        r.insert(
            "description".into(),
            format!(
                "{} ({}, {}{}).",
                multi_line(a.prompt),
                a.category,
                a.stage,
                if a.critical { ", critical" } else { "" }
            )
            .into(),
        );
        let statement = if a.gap {
            format!(
                "Below the target: answered {} against target level {}; priority {} (weight x levels missing).",
                a.answer, a.target, a.priority
            )
        } else {
            format!(
                "A follow-up action is recorded although the answer ({}) is not a gap.",
                a.answer
            )
        };
        r.insert("statement".into(), statement.into());
        let props: Vec<Value> = [
            prop("question-id", a.id),
            prop("priority", &a.priority.to_string()),
            prop("gap", if a.gap { "yes" } else { "no" }),
            prop("action-owner", a.owner),
            prop("due-date", &a.due),
            prop("action-status", &a.status),
        ]
        .into_iter()
        .flatten()
        .collect();
        insert_list(&mut r, "props", props);
        r.insert("status".into(), risk_status(&a.record.action.status).into());
        if let Some(deadline) = deadline(a) {
            r.insert("deadline".into(), deadline.into());
        }
        let mut remediation = Map::new();
        remediation.insert(
            "uuid".into(),
            self.id(&format!("remediation:{}", a.id)).into(),
        );
        let planned =
            !a.owner.trim().is_empty() || a.due_date.is_some() || !a.what.trim().is_empty();
        let lifecycle = match a.record.action.status {
            ActionStatus::Done => "completed",
            _ if planned => "planned",
            _ => "recommendation",
        };
        remediation.insert("lifecycle".into(), lifecycle.into());
        remediation.insert("title".into(), format!("Remediation of {}", a.id).into());
        remediation.insert("description".into(), remediation_text(a).into());
        if planned {
            let mut task = Map::new();
            task.insert("uuid".into(), self.id(&format!("task:{}", a.id)).into());
            task.insert("type".into(), "milestone".into());
            let owner = one_line(a.owner);
            task.insert(
                "title".into(),
                match (owner.is_empty(), a.due.is_empty()) {
                    (false, false) => format!("{owner}, due {}", a.due),
                    (false, true) => format!("{owner}, no due date"),
                    _ => format!("Unassigned, due {}", a.due),
                }
                .into(),
            );
            if let Some(deadline) = deadline(a) {
                task.insert("timing".into(), json!({ "on-date": { "date": deadline } }));
            }
            if let Some(owner) = self.party(a.owner) {
                task.insert(
                    "responsible-roles".into(),
                    json!([{ "role-id": "action-owner", "party-uuids": [owner.to_string()] }]),
                );
            }
            remediation.insert("tasks".into(), json!([Value::Object(task)]));
        }
        r.insert("remediations".into(), json!([Value::Object(remediation)]));
        if a.agreed.is_some() {
            r.insert(
                "related-observations".into(),
                json!([{ "observation-uuid": self.observation_id(a.id) }]),
            );
        }
        Value::Object(r)
    }

    /// One finding per SOC 2 criterion cited by an applicable question.
    fn findings(&self) -> Vec<Value> {
        let with_risk: std::collections::HashSet<&str> =
            self.context.actions.iter().map(|a| a.id).collect();
        self.context
            .controls
            .iter()
            .map(|c| self.finding(c, &with_risk))
            .collect()
    }

    fn finding(&self, c: &ControlRow, with_risk: &std::collections::HashSet<&str>) -> Value {
        let target = self.context.session.target_level;
        let below = c.lowest_level.is_some_and(|l| l < target);
        let satisfied = c.open == 0 && !below;
        let why = match (satisfied, c.lowest_level) {
            (true, Some(level)) => format!(
                "Every question citing it is answered; the lowest level is {level}, at or above the target level {target}."
            ),
            (true, None) => "Every question citing it is answered N/A.".to_string(),
            (false, _) if below && c.open > 0 => format!(
                "A question is below the target level {target} and {} still open.",
                plural(c.open, "question is", "questions are")
            ),
            (false, _) if below => format!("A question is below the target level {target}."),
            (false, _) => format!(
                "Not yet shown: {} citing it still open.",
                plural(c.open, "question is", "questions are")
            ),
        };
        let mut f = Map::new();
        f.insert(
            "uuid".into(),
            self.id(&format!("finding:{}", c.criterion)).into(),
        );
        f.insert(
            "title".into(),
            format!("SOC 2 {}: {}", c.criterion, one_line(c.title)).into(),
        );
        f.insert(
            "description".into(),
            format!(
                "Questions citing it (answer): {}. Lowest level: {}. {}",
                c.questions, c.lowest, why
            )
            .into(),
        );
        f.insert(
            "target".into(),
            json!({
                "type": "objective-id",
                "target-id": token(c.criterion),
                "status": {
                    "state": if satisfied { "satisfied" } else { "not-satisfied" },
                    "remarks": why,
                },
            }),
        );
        let answered: Vec<Value> = c
            .question_ids
            .iter()
            .filter(|id| self.questions.get(*id).is_some_and(|a| a.agreed.is_some()))
            .map(|id| json!({ "observation-uuid": self.observation_id(id) }))
            .collect();
        insert_list(&mut f, "related-observations", answered);
        let risks: Vec<Value> = c
            .question_ids
            .iter()
            .filter(|id| with_risk.contains(*id))
            .map(|id| json!({ "risk-uuid": self.risk_id(id) }))
            .collect();
        insert_list(&mut f, "related-risks", risks);
        Value::Object(f)
    }

    fn poam_item(&self, a: &ActionRow) -> Value {
        let mut item = Map::new();
        item.insert(
            "uuid".into(),
            self.id(&format!("poam-item:{}", a.id)).into(),
        );
        item.insert(
            "title".into(),
            format!("{}: {}", a.id, one_line(a.prompt)).into(),
        );
        item.insert("description".into(), remediation_text(a).into());
        let owner = if a.owner.trim().is_empty() {
            "unassigned"
        } else {
            a.owner
        };
        let props: Vec<Value> = [
            prop("question-id", a.id),
            prop("action-owner", owner),
            prop("due-date", &a.due),
            prop("action-status", &a.status),
            prop("priority", &a.priority.to_string()),
            prop("critical", if a.critical { "yes" } else { "no" }),
            prop("soc2", &a.soc2.join(" ")),
        ]
        .into_iter()
        .flatten()
        .collect();
        insert_list(&mut item, "props", props);
        if let Some(party) = self.party(a.owner) {
            item.insert(
                "origins".into(),
                json!([{ "actors": [{ "type": "party", "actor-uuid": party.to_string(), "role-id": "action-owner" }] }]),
            );
        }
        if a.agreed.is_some() {
            item.insert(
                "related-observations".into(),
                json!([{ "observation-uuid": self.observation_id(a.id) }]),
            );
        }
        item.insert(
            "related-risks".into(),
            json!([{ "risk-uuid": self.risk_id(a.id) }]),
        );
        let notes = multi_line(a.notes);
        if !notes.is_empty() {
            item.insert("remarks".into(), notes.into());
        }
        Value::Object(item)
    }
}

/// The OSCAL risk status of an action's status.
fn risk_status(status: &ActionStatus) -> &'static str {
    match status {
        ActionStatus::Open => "open",
        ActionStatus::InProgress => "remediating",
        ActionStatus::Done => "closed",
        // The team decided against it; nobody outside has approved that.
        ActionStatus::WontDo(_) => "deviation-requested",
    }
}

/// The question's remediation, with the action the team agreed on when there is one.
fn remediation_text(a: &ActionRow) -> String {
    let suggested = multi_line(a.remediation);
    let agreed = multi_line(a.what);
    if agreed.is_empty() {
        suggested
    } else {
        format!("Agreed action: {agreed}\n\nSuggested remediation: {suggested}")
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_strings_are_one_trimmed_line_and_tokens_are_tokens() {
        assert_eq!(one_line("  a\n\tb \u{1b} c\r\n"), "a b c");
        assert_eq!(one_line(" \n "), "");
        assert!(prop("x", " \n").is_none());
        assert_eq!(token("CC6.1"), "CC6.1");
        assert_eq!(token("MAP 2.3"), "MAP_2.3");
        assert_eq!(token("1.2"), "_1.2");
    }
}
