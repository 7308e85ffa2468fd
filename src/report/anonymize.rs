//! Replaces people's names in a session with their roles (or P1, P2, ...) so that a report can
//! be shared beyond the room.

use crate::domain::session::Session;
use std::collections::{BTreeMap, HashMap};

/// A copy of the session in which the facilitator's, participants' and action owners' names are
/// replaced everywhere: in the participant list, votes, action owners, notes and evidence.
///
/// A participant becomes their role when no one else has the same role, otherwise `P<n>` (with
/// the role in brackets when there is one). The facilitator becomes "Facilitator" unless they
/// also take part. Voters not in the list continue the P numbering; other action owners become
/// "Owner 1", "Owner 2", ...
pub fn anonymize(session: &Session) -> Session {
    let mut labels: HashMap<String, String> = HashMap::new();
    let mut role_count: HashMap<&str, usize> = HashMap::new();
    for p in &session.participants {
        *role_count.entry(p.role.trim()).or_default() += 1;
    }
    for (i, p) in session.participants.iter().enumerate() {
        let role = p.role.trim();
        let label = if role.is_empty() {
            format!("P{}", i + 1)
        } else if role_count.get(role).copied().unwrap_or(0) == 1 {
            role.to_string()
        } else {
            format!("P{} ({role})", i + 1)
        };
        labels.entry(p.name.clone()).or_insert(label);
    }
    let mut next_p = session.participants.len() + 1;
    for record in session.records.values() {
        for voter in record.votes.keys() {
            if !labels.contains_key(voter) {
                labels.insert(voter.clone(), format!("P{next_p}"));
                next_p += 1;
            }
        }
    }
    if !session.facilitator.trim().is_empty() && !labels.contains_key(&session.facilitator) {
        labels.insert(session.facilitator.clone(), "Facilitator".to_string());
    }
    let mut next_owner = 1;
    for record in session.records.values() {
        let owner = &record.action.owner;
        if !owner.trim().is_empty() && !labels.contains_key(owner) {
            labels.insert(owner.clone(), format!("Owner {next_owner}"));
            next_owner += 1;
        }
    }

    // Longest names first, so that "Ana Lopez" is replaced before "Ana".
    let mut names: Vec<(&String, &String)> = labels
        .iter()
        .filter(|(name, _)| !name.trim().is_empty())
        .collect();
    names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(b.0)));
    let scrub = |text: &str| -> String { replace_words(text, &names) };
    let label = |name: &str| -> String { labels.get(name).cloned().unwrap_or_else(|| scrub(name)) };

    let mut out = session.clone();
    out.facilitator = if session.facilitator.trim().is_empty() {
        String::new()
    } else {
        label(&session.facilitator)
    };
    for p in &mut out.participants {
        p.name = label(&p.name);
    }
    for record in out.records.values_mut() {
        let votes: BTreeMap<String, _> = record
            .votes
            .iter()
            .map(|(who, vote)| (label(who), *vote))
            .collect();
        record.votes = votes;
        if !record.action.owner.trim().is_empty() {
            record.action.owner = label(&record.action.owner);
        }
        record.notes = scrub(&record.notes);
        for e in &mut record.action.evidence {
            *e = scrub(e);
        }
    }
    out
}

/// Replaces each name where it stands as a whole word, in one pass so that a label is never
/// itself rewritten; `names` is ordered longest first.
fn replace_words(text: &str, names: &[(&String, &String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev: Option<char> = None;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let at_boundary = prev.is_none_or(|c| !c.is_alphanumeric());
        let hit = at_boundary
            .then(|| {
                names.iter().find(|(name, _)| {
                    let name = name.trim();
                    !name.is_empty()
                        && rest.starts_with(name)
                        && rest[name.len()..]
                            .chars()
                            .next()
                            .is_none_or(|c| !c.is_alphanumeric())
                })
            })
            .flatten();
        if let Some((name, label)) = hit {
            let name = name.trim();
            out.push_str(label);
            prev = name.chars().next_back();
            i += name.len();
        } else if let Some(c) = rest.chars().next() {
            out.push(c);
            prev = Some(c);
            i += c.len_utf8();
        } else {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::framework::{Category, Stage};
    use crate::domain::scale::Answer;
    use crate::domain::session::Participant;
    use crate::domain::session::tests::{bank, question};
    use jiff::Timestamp;

    #[test]
    fn whole_words_only_and_labels_are_not_rewritten() {
        let (ana, ml) = ("Ana".to_string(), "ML".to_string());
        let (ml_name, sec) = ("ML".to_string(), "security".to_string());
        let names = [(&ana, &ml), (&ml_name, &sec)];
        assert_eq!(
            replace_words("Ana and Anabel", &names[..1]),
            "ML and Anabel"
        );
        assert_eq!(replace_words("(Ana), ML", &names), "(ML), security");
    }

    #[test]
    fn names_become_roles_everywhere() {
        let b = bank(vec![question("a", Category::Security, Stage::Storage)]);
        let t = Timestamp::UNIX_EPOCH;
        let mut s = Session::new("id".into(), "Acme".into(), &b, t);
        s.facilitator = "Fay".into();
        s.participants = vec![
            Participant {
                name: "Ana".into(),
                role: "ML engineer".into(),
            },
            Participant {
                name: "Ben".into(),
                role: "security".into(),
            },
            Participant {
                name: "Cy".into(),
                role: "security".into(),
            },
            Participant {
                name: "Dee".into(),
                role: String::new(),
            },
        ];
        s.record_vote("a", "Ana", Some(Answer::Designed), t);
        s.record_vote("a", "Zed", Some(Answer::AdHoc), t);
        s.record_mut("a").action.owner = "Ben".into();
        s.record_mut("a").notes = "Fay asked Ana; Dee agreed".into();
        s.record_mut("b").action.owner = "Outsider".into();
        let a = anonymize(&s);
        assert_eq!(a.facilitator, "Facilitator");
        let names: Vec<&str> = a.participants.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["ML engineer", "P2 (security)", "P3 (security)", "P4"]
        );
        let votes: Vec<&str> = a.records["a"].votes.keys().map(String::as_str).collect();
        assert_eq!(votes, ["ML engineer", "P5"]);
        assert_eq!(a.records["a"].action.owner, "P2 (security)");
        assert_eq!(
            a.records["a"].notes,
            "Facilitator asked ML engineer; P4 agreed"
        );
        assert_eq!(a.records["b"].action.owner, "Owner 1");
    }
}
