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
use serde::Serialize;
use std::borrow::Cow;
use uuid::Uuid;

/// The OSCAL version the documents conform to.
pub const OSCAL_VERSION: &str = "1.1.3";

/// The namespace of aiready's own properties.
pub const NS: &str = "urn:aiready:oscal";

// The documents are written straight from these borrowed structures by serde_json's pretty
// printer: no JSON tree is built and dropped. Fields are in alphabetical order, the order of
// keys in the documents (a stable order two exports share); empty lists and missing values
// are left out, as OSCAL forbids empty lists.

#[derive(Serialize)]
struct AssessmentResultsRoot<'c> {
    #[serde(rename = "assessment-results")]
    model: AssessmentResults<'c>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AssessmentResults<'c> {
    import_ap: ImportAp,
    metadata: Metadata<'c>,
    results: [ResultModel<'c>; 1],
    uuid: String,
}

#[derive(Serialize)]
struct ImportAp {
    href: String,
    remarks: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ResultModel<'c> {
    description: String,
    end: &'c str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    observations: Vec<Observation<'c>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop<'c>>,
    remarks: &'static str,
    reviewed_controls: ReviewedControls,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    risks: Vec<Risk<'c>>,
    start: &'c str,
    title: String,
    uuid: String,
}

#[derive(Serialize)]
struct PoamRoot<'c> {
    #[serde(rename = "plan-of-action-and-milestones")]
    model: Poam<'c>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Poam<'c> {
    metadata: Metadata<'c>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    observations: Vec<Observation<'c>>,
    poam_items: Vec<PoamItem<'c>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    risks: Vec<Risk<'c>>,
    system_id: SystemId<'c>,
    uuid: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct SystemId<'c> {
    id: Cow<'c, str>,
    identifier_type: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Metadata<'c> {
    last_modified: &'c str,
    oscal_version: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    parties: Vec<Party<'c>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop<'c>>,
    remarks: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    responsible_parties: Vec<Responsible>,
    roles: [Role; 4],
    title: String,
    version: Cow<'c, str>,
}

#[derive(Serialize)]
struct Role {
    id: &'static str,
    title: &'static str,
}

#[derive(Serialize)]
struct Party<'c> {
    name: Cow<'c, str>,
    r#type: &'static str,
    uuid: String,
}

/// A role held by parties (metadata's responsible parties, a task's responsible roles).
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Responsible {
    party_uuids: Vec<String>,
    role_id: &'static str,
}

/// A property in aiready's namespace.
#[derive(Serialize)]
struct Prop<'c> {
    name: &'static str,
    ns: &'static str,
    value: Cow<'c, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ReviewedControls {
    control_selections: [ControlSelection; 1],
    description: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ControlSelection {
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    include_controls: Vec<ControlId>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ControlId {
    control_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Observation<'c> {
    collected: &'c str,
    description: String,
    methods: [&'static str; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop<'c>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    relevant_evidence: Vec<Evidence<'c>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
    title: String,
    uuid: String,
}

#[derive(Serialize)]
struct Evidence<'c> {
    description: Cow<'c, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    href: Option<Cow<'c, str>>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ObservationRef {
    observation_uuid: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct RiskRef {
    risk_uuid: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Risk<'c> {
    #[serde(skip_serializing_if = "Option::is_none")]
    deadline: Option<String>,
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop<'c>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_observations: Vec<ObservationRef>,
    remediations: [Remediation; 1],
    statement: String,
    status: &'static str,
    title: String,
    uuid: String,
}

#[derive(Serialize)]
struct Remediation {
    description: String,
    lifecycle: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tasks: Vec<Task>,
    title: String,
    uuid: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Task {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    responsible_roles: Vec<Responsible>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timing: Option<Timing>,
    title: String,
    r#type: &'static str,
    uuid: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Timing {
    on_date: OnDate,
}

#[derive(Serialize)]
struct OnDate {
    date: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Finding {
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_observations: Vec<ObservationRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_risks: Vec<RiskRef>,
    target: Target,
    title: String,
    uuid: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Target {
    status: TargetStatus,
    target_id: String,
    r#type: &'static str,
}

#[derive(Serialize)]
struct TargetStatus {
    remarks: String,
    state: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct PoamItem<'c> {
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    origins: Vec<Origin>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop<'c>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_observations: Vec<ObservationRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_risks: Vec<RiskRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
    title: String,
    uuid: String,
}

#[derive(Serialize)]
struct Origin {
    actors: [Actor; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Actor {
    actor_uuid: String,
    role_id: &'static str,
    r#type: &'static str,
}

/// The OSCAL assessment results of a report.
pub fn assessment_results(context: &ReportContext) -> Result<String, ReportError> {
    let doc = Document::new(context);
    let result = ResultModel {
        description: doc.result_description(),
        end: &context.session.updated_at,
        findings: doc.findings(),
        observations: doc.observations(|_| true),
        props: doc.result_props(),
        remarks: REMARKS,
        reviewed_controls: doc.reviewed_controls(),
        risks: doc.risks(context.actions.iter()),
        start: &context.session.created_at,
        title: format!(
            "SOC 2 readiness workshop: {}",
            one_line(context.session.name)
        ),
        uuid: doc.id("result"),
    };
    let root = AssessmentResultsRoot {
        model: AssessmentResults {
            import_ap: ImportAp {
                href: doc.session_urn(),
                remarks: "No assessment plan file exists: the plan of this readiness assessment is the aiready workshop session named by this URN (its scope, scoping answers and questionnaires are in the results' properties and in the aiready reports of the session).",
            },
            metadata: doc.metadata(format!(
                "SOC 2 readiness assessment results: {}",
                one_line(context.session.name)
            )),
            results: [result],
            uuid: doc.id("assessment-results"),
        },
    };
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
    let mut items: Vec<PoamItem> = open.iter().map(|a| doc.poam_item(a)).collect();
    if items.is_empty() {
        // OSCAL requires at least one item: this one says there is nothing to do yet.
        items.push(PoamItem {
            description: format!(
                "When this plan was exported the session had no gap and no follow-up action; {} of {} applicable questions were answered.",
                context.summary.answered, context.summary.applicable
            ),
            origins: Vec::new(),
            props: Vec::new(),
            related_observations: Vec::new(),
            related_risks: Vec::new(),
            remarks: None,
            title: "No open follow-up actions".into(),
            uuid: doc.id("poam-item:none"),
        });
    }
    let root = PoamRoot {
        model: Poam {
            metadata: doc.metadata(format!(
                "SOC 2 readiness plan of action and milestones: {}",
                one_line(context.session.name)
            )),
            observations: doc.observations(|a| with_action.contains(a.id)),
            poam_items: items,
            risks: doc.risks(open.iter().copied()),
            system_id: SystemId {
                id: one_line(context.session.id),
                identifier_type: NS,
            },
            uuid: doc.id("poam"),
        },
    };
    encode(&root, Format::OscalPoam)
}

const REMARKS: &str = "A readiness self-assessment made by the team that runs the AI system with aiready: not a SOC 2 examination, an attestation or an auditor's opinion. Levels: 0 Not in place, 1 Ad hoc, 2 Designed, 3 Implemented (Type 1 ready), 4 Operating (Type 2 ready); Unknown counts as 0; N/A is not scored.";

fn encode(root: &impl Serialize, format: Format) -> Result<String, ReportError> {
    let mut text = serde_json::to_string_pretty(root).map_err(|e| ReportError::Encode {
        format,
        reason: e.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}

/// Text on one line, as OSCAL's plain strings require: runs of white space (line breaks
/// included) become one space, control characters are dropped, the ends are trimmed. Text
/// that is already so is borrowed, not copied.
fn one_line(text: &str) -> Cow<'_, str> {
    let separator = |c: char| c.is_whitespace() || c.is_control();
    let mut previous_space = true;
    let already = text.chars().all(|c| {
        let ok = if c == ' ' {
            !previous_space
        } else {
            !separator(c)
        };
        previous_space = c == ' ';
        ok
    }) && !text.ends_with(' ');
    if already {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split(separator) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

/// `one_line` of text the caller owns or borrows, keeping it as it is when it is already one
/// trimmed line.
fn line_of(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(text) => one_line(text),
        Cow::Owned(text) => match one_line(&text) {
            Cow::Borrowed(_) => Cow::Owned(text),
            Cow::Owned(changed) => Cow::Owned(changed),
        },
    }
}

/// Multi-line text with control characters other than line breaks dropped and the ends trimmed.
fn multi_line(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return text.trim().to_string();
    }
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .trim()
        .to_string()
}

/// A property in aiready's namespace; None when the value is empty (OSCAL values may not be).
fn prop<'c>(name: &'static str, value: impl Into<Cow<'c, str>>) -> Option<Prop<'c>> {
    let value = line_of(value.into());
    (!value.is_empty()).then_some(Prop {
        name,
        ns: NS,
        value,
    })
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

impl<'c, 'a: 'c> Document<'c, 'a> {
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
                if !name.is_empty() && !doc.people.contains_key(name.as_ref()) {
                    let id = Uuid::new_v5(&namespace, format!("party:{name}").as_bytes());
                    doc.people.insert(name.into_owned(), id);
                }
            }
        }
        doc
    }

    /// The UUID of something in this session.
    fn id(&self, what: &str) -> String {
        Uuid::new_v5(&self.namespace, what.as_bytes()).to_string()
    }

    /// The UUID of something in this session named by a kind and a key (`kind:key`).
    fn id_of(&self, kind: &str, key: &str) -> String {
        let mut what = String::with_capacity(kind.len() + 1 + key.len());
        what.push_str(kind);
        what.push(':');
        what.push_str(key);
        self.id(&what)
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
        if self.people.is_empty() {
            return None;
        }
        self.people.get(one_line(name).as_ref())
    }

    fn metadata(&self, title: String) -> Metadata<'c> {
        let c = self.context;
        let version = one_line(&c.document.version);
        let mut parties = Vec::new();
        let mut responsible = Vec::new();
        let organisation = one_line(c.session.organisation);
        if !organisation.is_empty() {
            let id = self.id("party:organisation");
            responsible.push(Responsible {
                party_uuids: vec![id.clone()],
                role_id: "assessed-organization",
            });
            parties.push(Party {
                name: organisation,
                r#type: "organization",
                uuid: id,
            });
        }
        let mut listed: Vec<&Uuid> = Vec::new();
        let mut person = |name: &'c str, parties: &mut Vec<Party<'c>>| -> Option<String> {
            let id = self.party(name)?;
            if !listed.contains(&id) {
                listed.push(id);
                parties.push(Party {
                    name: one_line(name),
                    r#type: "person",
                    uuid: id.to_string(),
                });
            }
            Some(id.to_string())
        };
        if let Some(id) = person(c.session.facilitator, &mut parties) {
            responsible.push(Responsible {
                party_uuids: vec![id],
                role_id: "facilitator",
            });
        }
        let participants: Vec<String> = c
            .session
            .participants
            .iter()
            .filter_map(|p| person(p.name, &mut parties))
            .collect();
        if !participants.is_empty() {
            responsible.push(Responsible {
                party_uuids: participants,
                role_id: "participant",
            });
        }
        for a in &c.actions {
            person(a.owner, &mut parties);
        }
        Metadata {
            last_modified: &c.generated_at,
            oscal_version: OSCAL_VERSION,
            parties,
            props: [
                prop("marking", c.document.classification.as_str()),
                prop("generator", c.generator.as_str()),
                prop("session-id", c.session.id),
            ]
            .into_iter()
            .flatten()
            .collect(),
            remarks: REMARKS,
            responsible_parties: responsible,
            roles: [
                Role {
                    id: "assessed-organization",
                    title: "Organisation assessed",
                },
                Role {
                    id: "facilitator",
                    title: "Facilitator of the readiness workshop",
                },
                Role {
                    id: "participant",
                    title: "Workshop participant",
                },
                Role {
                    id: "action-owner",
                    title: "Owner of a follow-up action",
                },
            ],
            title,
            version: if version.is_empty() {
                Cow::Borrowed("1.0")
            } else {
                version
            },
        }
    }

    fn result_description(&self) -> String {
        let c = self.context;
        let or = |text: &'c str, none: &'static str| {
            let text = one_line(text);
            if text.is_empty() {
                Cow::Borrowed(none)
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

    fn result_props(&self) -> Vec<Prop<'c>> {
        let c = self.context;
        let mut props = vec![
            prop("target", format!("SOC 2 {}", c.session.target)),
            prop("target-level", c.session.target_level.to_string()),
            prop("overall-score", c.summary.overall.as_str()),
            prop("overall-verdict", c.summary.verdict),
            prop("observation-period", c.session.period.as_str()),
        ];
        for category in &c.summary.categories {
            props.push(prop(
                "category-result",
                format!(
                    "{}: {} ({})",
                    category.title, category.score, category.verdict_text
                ),
            ));
        }
        props.into_iter().flatten().collect()
    }

    fn reviewed_controls(&self) -> ReviewedControls {
        let controls: Vec<ControlId> = self
            .context
            .controls
            .iter()
            .map(|c| ControlId {
                control_id: token(c.criterion),
            })
            .collect();
        let selection = ControlSelection {
            description: controls
                .is_empty()
                .then_some("No SOC 2 criterion is cited by an applicable question."),
            include_controls: controls,
        };
        ReviewedControls {
            control_selections: [selection],
            description: "The SOC 2 Trust Services Criteria (2017, points of focus revised 2022) cited by the questions that apply to this system.",
        }
    }

    fn observation_ref(&self, question: &str) -> ObservationRef {
        ObservationRef {
            observation_uuid: self.id_of("observation", question),
        }
    }

    /// The observation of the action's question, when it is answered (none otherwise).
    fn own_observation(&self, a: &ActionRow) -> Vec<ObservationRef> {
        a.agreed
            .map(|_| self.observation_ref(a.id))
            .into_iter()
            .collect()
    }

    fn risk_ref(&self, question: &str) -> RiskRef {
        RiskRef {
            risk_uuid: self.id_of("risk", question),
        }
    }

    /// One observation per answered question that `keep` accepts.
    fn observations(&self, keep: impl Fn(&ActionRow) -> bool) -> Vec<Observation<'c>> {
        self.context
            .register
            .iter()
            .filter(|a| a.agreed.is_some() && keep(a))
            .map(|a| self.observation(a))
            .collect()
    }

    fn observation(&self, a: &'c ActionRow<'a>) -> Observation<'c> {
        let level = a.agreed.and_then(Answer::scored_level);
        let props: Vec<Prop> = [
            prop("question-id", a.id),
            prop("category", a.category),
            prop("stage", a.stage),
            prop("answer", a.agreed.map_or("", Answer::name)),
            level.and_then(|l| prop("readiness-level", l.to_string())),
            prop("critical", if a.critical { "yes" } else { "no" }),
            prop("soc2", a.soc2.join(" ")),
            prop("nist-ai-rmf", a.nist.join("; ")),
            prop("iso-42001", a.iso.join(" ")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let evidence: Vec<Evidence> = a
            .evidence
            .iter()
            .map(|e| one_line(e))
            .filter(|e| !e.is_empty())
            .map(|e| {
                let web = super::escape::web_addresses(&e);
                match web.first() {
                    Some(r) if r.start == 0 && r.end == e.len() && is_uri(&e) => Evidence {
                        description: e.clone(),
                        href: Some(e),
                    },
                    _ => Evidence {
                        description: e,
                        href: None,
                    },
                }
            })
            .collect();
        let notes = multi_line(a.notes);
        Observation {
            collected: &self.context.session.updated_at,
            description: format!(
                "{} ({}, {}). Agreed answer: {}; target level {}.",
                multi_line(a.prompt),
                a.category,
                a.stage,
                a.answer,
                a.target
            ),
            methods: [if evidence.is_empty() {
                "INTERVIEW"
            } else {
                "EXAMINE"
            }],
            props,
            relevant_evidence: evidence,
            remarks: (!notes.is_empty()).then_some(notes),
            title: format!("{}: {}", a.id, one_line(a.prompt)),
            uuid: self.id_of("observation", a.id),
        }
    }

    /// One risk per follow-up action, with its remediation.
    fn risks(&self, actions: impl Iterator<Item = &'c ActionRow<'a>>) -> Vec<Risk<'c>> {
        actions.map(|a| self.risk(a)).collect()
    }

    fn risk(&self, a: &'c ActionRow<'a>) -> Risk<'c> {
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
        let props: Vec<Prop> = [
            prop("question-id", a.id),
            prop("priority", a.priority.to_string()),
            prop("gap", if a.gap { "yes" } else { "no" }),
            prop("action-owner", a.owner),
            prop("due-date", a.due.as_str()),
            prop("action-status", a.status.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let planned =
            !a.owner.trim().is_empty() || a.due_date.is_some() || !a.what.trim().is_empty();
        let lifecycle = match a.record.action.status {
            ActionStatus::Done => "completed",
            _ if planned => "planned",
            _ => "recommendation",
        };
        let mut tasks = Vec::new();
        if planned {
            let owner = one_line(a.owner);
            tasks.push(Task {
                responsible_roles: self
                    .party(a.owner)
                    .map(|owner| Responsible {
                        party_uuids: vec![owner.to_string()],
                        role_id: "action-owner",
                    })
                    .into_iter()
                    .collect(),
                timing: deadline(a).map(|date| Timing {
                    on_date: OnDate { date },
                }),
                title: match (owner.is_empty(), a.due.is_empty()) {
                    (false, false) => format!("{owner}, due {}", a.due),
                    (false, true) => format!("{owner}, no due date"),
                    _ => format!("Unassigned, due {}", a.due),
                },
                r#type: "milestone",
                uuid: self.id_of("task", a.id),
            });
        }
        Risk {
            deadline: deadline(a),
            description: format!(
                "{} ({}, {}{}).",
                multi_line(a.prompt),
                a.category,
                a.stage,
                if a.critical { ", critical" } else { "" }
            ),
            props,
            related_observations: self.own_observation(a),
            remediations: [Remediation {
                description: remediation_text(a),
                lifecycle,
                tasks,
                title: format!("Remediation of {}", a.id),
                uuid: self.id_of("remediation", a.id),
            }],
            statement,
            status: risk_status(&a.record.action.status),
            title: format!("{}: {}", a.id, one_line(a.prompt)),
            uuid: self.id_of("risk", a.id),
        }
    }

    /// One finding per SOC 2 criterion cited by an applicable question.
    fn findings(&self) -> Vec<Finding> {
        let with_risk: std::collections::HashSet<&str> =
            self.context.actions.iter().map(|a| a.id).collect();
        self.context
            .controls
            .iter()
            .map(|c| self.finding(c, &with_risk))
            .collect()
    }

    fn finding(&self, c: &ControlRow, with_risk: &std::collections::HashSet<&str>) -> Finding {
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
        Finding {
            description: format!(
                "Questions citing it (answer): {}. Lowest level: {}. {}",
                c.questions, c.lowest, why
            ),
            related_observations: c
                .question_ids
                .iter()
                .filter(|id| self.questions.get(*id).is_some_and(|a| a.agreed.is_some()))
                .map(|id| self.observation_ref(id))
                .collect(),
            related_risks: c
                .question_ids
                .iter()
                .filter(|id| with_risk.contains(*id))
                .map(|id| self.risk_ref(id))
                .collect(),
            target: Target {
                status: TargetStatus {
                    remarks: why,
                    state: if satisfied {
                        "satisfied"
                    } else {
                        "not-satisfied"
                    },
                },
                target_id: token(c.criterion),
                r#type: "objective-id",
            },
            title: format!("SOC 2 {}: {}", c.criterion, one_line(c.title)),
            uuid: self.id_of("finding", c.criterion),
        }
    }

    fn poam_item(&self, a: &'c ActionRow<'a>) -> PoamItem<'c> {
        let owner = if a.owner.trim().is_empty() {
            "unassigned"
        } else {
            a.owner
        };
        let props: Vec<Prop> = [
            prop("question-id", a.id),
            prop("action-owner", owner),
            prop("due-date", a.due.as_str()),
            prop("action-status", a.status.as_str()),
            prop("priority", a.priority.to_string()),
            prop("critical", if a.critical { "yes" } else { "no" }),
            prop("soc2", a.soc2.join(" ")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let notes = multi_line(a.notes);
        PoamItem {
            description: remediation_text(a),
            origins: self
                .party(a.owner)
                .map(|party| Origin {
                    actors: [Actor {
                        actor_uuid: party.to_string(),
                        role_id: "action-owner",
                        r#type: "party",
                    }],
                })
                .into_iter()
                .collect(),
            props,
            related_observations: self.own_observation(a),
            related_risks: vec![self.risk_ref(a.id)],
            remarks: (!notes.is_empty()).then_some(notes),
            title: format!("{}: {}", a.id, one_line(a.prompt)),
            uuid: self.id_of("poam-item", a.id),
        }
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

    #[test]
    fn text_kept_as_it_is_is_what_the_full_clean_up_gives() {
        // The borrowed fast paths must agree with splitting and joining, and with filtering.
        let samples = [
            "",
            " ",
            "a",
            "a b",
            "a  b",
            " a",
            "a ",
            "a\tb",
            "a\nb",
            "a\u{a0}b",
            "a\u{2003}b",
            "a\u{1b}b",
            "\u{85}a",
            "a\r\nb",
            "é ü ß",
            "a \n b",
            "\n a\n",
            "a\u{7f}",
        ];
        for text in samples {
            let full: Vec<&str> = text
                .split(|c: char| c.is_whitespace() || c.is_control())
                .filter(|w| !w.is_empty())
                .collect();
            assert_eq!(one_line(text), full.join(" "), "one_line({text:?})");
            assert_eq!(
                line_of(Cow::Owned(text.to_string())),
                full.join(" "),
                "line_of({text:?})"
            );
            let kept: String = text
                .chars()
                .filter(|c| !c.is_control() || *c == '\n')
                .collect();
            assert_eq!(multi_line(text), kept.trim(), "multi_line({text:?})");
        }
        assert!(matches!(one_line("plain text"), Cow::Borrowed(_)));
    }
}
