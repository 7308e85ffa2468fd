//! Replaces people's names and e-mail addresses in a session with pseudonyms, so that a report
//! can be shared beyond the room.
//!
//! Every person the session names (the facilitator, participants, voters and action owners)
//! gets a pseudonym: "Facilitator", "Participant A", "Participant B", ... and "Owner 1",
//! "Owner 2", ... for owners who are not in the room. The pseudonyms cannot be read as a
//! framework identifier (as "P2", a SOC 2 privacy criterion, could). Their full names and each
//! part of them are then replaced wherever they stand as whole words, in any letter case, in
//! every free-text field, and every e-mail address (anyone's) is withheld.

use crate::domain::session::{ActionStatus, Session};
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::{BTreeMap, HashMap};

/// What a withheld e-mail address becomes.
pub const EMAIL_WITHHELD: &str = "[e-mail withheld]";

/// What a name part shared by people with different pseudonyms becomes.
pub const NAME_WITHHELD: &str = "[name withheld]";

/// What every role becomes when roles are generalised.
pub const GENERAL_ROLE: &str = "team member";

/// How far to anonymize.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Anonymize {
    /// Names kept.
    #[default]
    Off,
    /// Names replaced; roles kept, which may identify a person in a small team.
    KeepRoles,
    /// Names replaced and every role generalised to "team member".
    GeneraliseRoles,
}

impl Anonymize {
    /// Whether names are replaced.
    pub fn is_on(self) -> bool {
        self != Anonymize::Off
    }
}

/// A copy of the session with every person's name and every e-mail address replaced, in the
/// participant list, votes, action owners and every free-text field.
pub fn anonymize(session: &Session, how: Anonymize) -> Session {
    let people = pseudonyms(session);
    let scrubber = Scrubber::new(&people);
    let label = |name: &str| -> String {
        people
            .get(name.trim())
            .cloned()
            .unwrap_or_else(|| scrubber.scrub(name))
    };

    let mut out = session.clone();
    out.id = scrubber.scrub(&session.id);
    out.name = scrubber.scrub(&session.name);
    out.organisation = scrubber.scrub(&session.organisation);
    out.system = scrubber.scrub(&session.system);
    out.facilitator = if session.facilitator.trim().is_empty() {
        String::new()
    } else {
        label(&session.facilitator)
    };
    for p in &mut out.participants {
        p.name = label(&p.name);
        p.role = match how {
            Anonymize::GeneraliseRoles if !p.role.trim().is_empty() => GENERAL_ROLE.to_string(),
            _ => scrubber.scrub(&p.role),
        };
    }
    for record in out.records.values_mut() {
        let votes: BTreeMap<String, _> = record
            .votes
            .iter()
            .map(|(who, vote)| (label(who), *vote))
            .collect();
        record.votes = votes;
        record.prework_votes = record
            .prework_votes
            .iter()
            .map(|(who, vote)| (label(who), *vote))
            .collect();
        record.prework_notes = record
            .prework_notes
            .iter()
            .map(|(who, note)| (label(who), scrubber.scrub(note)))
            .collect();
        if !record.action.owner.trim().is_empty() {
            record.action.owner = label(&record.action.owner);
        }
        record.notes = scrubber.scrub(&record.notes);
        record.action.what = scrubber.scrub(&record.action.what);
        if let ActionStatus::WontDo(reason) = &mut record.action.status {
            *reason = scrubber.scrub(reason);
        }
        for e in &mut record.action.evidence {
            *e = scrubber.scrub(e);
        }
    }
    out.prework = session
        .prework
        .iter()
        .map(|(who, receipt)| (label(who), receipt.clone()))
        .collect();
    out
}

/// Every person the session names, by their name as written (trimmed), with their pseudonym.
fn pseudonyms(session: &Session) -> HashMap<String, String> {
    let mut labels: HashMap<String, String> = HashMap::new();
    let facilitator = session.facilitator.trim();
    if !facilitator.is_empty() {
        labels.insert(facilitator.to_string(), "Facilitator".to_string());
    }
    let mut next_participant = 0;
    let mut add_participant = |labels: &mut HashMap<String, String>, name: &str| {
        let name = name.trim();
        if !name.is_empty() && !labels.contains_key(name) {
            labels.insert(
                name.to_string(),
                format!("Participant {}", letters(next_participant)),
            );
            next_participant += 1;
        }
    };
    for p in &session.participants {
        add_participant(&mut labels, &p.name);
    }
    for record in session.records.values() {
        let voters = record
            .votes
            .keys()
            .chain(record.prework_votes.keys())
            .chain(record.prework_notes.keys());
        for voter in voters {
            add_participant(&mut labels, voter);
        }
    }
    for who in session.prework.keys() {
        add_participant(&mut labels, who);
    }
    let mut next_owner = 1;
    for record in session.records.values() {
        let owner = record.action.owner.trim();
        if !owner.is_empty() && !labels.contains_key(owner) {
            labels.insert(owner.to_string(), format!("Owner {next_owner}"));
            next_owner += 1;
        }
    }
    labels
}

/// A, B, ..., Z, AA, AB, ...
fn letters(mut n: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(char::from(b'A' + (n % 26) as u8));
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.iter().rev().collect()
}

/// Finds names (full names and their parts) in text, in any letter case, on word boundaries.
struct Scrubber {
    /// Lower-case patterns; None when there is no name to look for.
    matcher: Option<AhoCorasick>,
    /// The replacement of each pattern.
    labels: Vec<String>,
}

impl Scrubber {
    fn new(people: &HashMap<String, String>) -> Scrubber {
        // Lower-case pattern -> label; a part two people with different labels share becomes
        // a neutral mark, since either could be meant.
        let mut patterns: BTreeMap<String, String> = BTreeMap::new();
        let mut add = |pattern: &str, label: &str, full: bool| {
            let key = lower(pattern);
            if key.chars().count() < 2 {
                // Initials are left: one letter would match too many ordinary words.
                return;
            }
            match patterns.get(&key) {
                Some(existing) if existing != label && !full => {
                    patterns.insert(key, NAME_WITHHELD.to_string());
                }
                Some(_) if !full => {}
                _ => {
                    patterns.insert(key, label.to_string());
                }
            }
        };
        // Full names first, so that a full name keeps its own label even if it is also a
        // part of another person's name.
        let mut people: Vec<(&String, &String)> = people.iter().collect();
        people.sort();
        for (name, label) in &people {
            add(name, label, true);
        }
        for (name, label) in &people {
            for part in name_parts(name) {
                if !people.iter().any(|(n, _)| lower(n) == lower(part)) {
                    add(part, label, false);
                }
            }
        }
        let (keys, labels): (Vec<String>, Vec<String>) = patterns.into_iter().unzip();
        let matcher = if keys.is_empty() {
            None
        } else {
            // Standard semantics report every match, so that one failing the word-boundary
            // test does not hide a shorter one at the same place; the leftmost-longest choice
            // is made after that test.
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&keys)
                .ok()
        };
        Scrubber { matcher, labels }
    }

    /// The text with e-mail addresses withheld and names replaced.
    fn scrub(&self, text: &str) -> String {
        let text = withhold_emails(text);
        let Some(matcher) = &self.matcher else {
            return text;
        };
        let folded = Folded::new(&text);
        let mut hits: Vec<(usize, usize, usize)> = matcher
            .find_overlapping_iter(folded.lower.as_str())
            .filter_map(|m| {
                let (start, end) = folded.original(m.start(), m.end())?;
                let before = text[..start].chars().next_back();
                let after = text[end..].chars().next();
                let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
                (boundary(before) && boundary(after)).then(|| (start, end, m.pattern().as_usize()))
            })
            .collect();
        if hits.is_empty() {
            return text;
        }
        // Leftmost first, longest first at the same place; overlapping hits are dropped.
        hits.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end, pattern) in hits {
            if start < at {
                continue;
            }
            out.push_str(&text[at..start]);
            out.push_str(&self.labels[pattern]);
            at = end;
        }
        out.push_str(&text[at..]);
        out
    }
}

/// The parts of a name: words split at spaces and hyphens (a hyphenated part also whole),
/// without surrounding punctuation such as the dot of an initial.
fn name_parts(name: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    for word in name.split_whitespace() {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        if word.is_empty() {
            continue;
        }
        parts.push(word);
        if word.contains(['-', '\u{2010}']) {
            parts.extend(
                word.split(['-', '\u{2010}'])
                    .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
                    .filter(|w| !w.is_empty()),
            );
        }
    }
    parts
}

fn lower(text: &str) -> String {
    text.trim().chars().flat_map(char::to_lowercase).collect()
}

/// A text in lower case with, for each byte of it, where the character it came from starts
/// and ends in the original (lower-casing can change a character's length).
struct Folded {
    lower: String,
    spans: Vec<(usize, usize)>,
}

impl Folded {
    fn new(text: &str) -> Folded {
        let mut lower = String::with_capacity(text.len());
        let mut spans = Vec::with_capacity(text.len());
        for (i, c) in text.char_indices() {
            let span = (i, i + c.len_utf8());
            for l in c.to_lowercase() {
                lower.push(l);
                spans.extend(std::iter::repeat_n(span, l.len_utf8()));
            }
        }
        Folded { lower, spans }
    }

    /// The original byte range of a match in the lower-case text, if the match covers whole
    /// original characters.
    fn original(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let first = *self.spans.get(start)?;
        let last = *self.spans.get(end.checked_sub(1)?)?;
        let starts_clean = start == 0 || self.spans.get(start - 1) != Some(&first);
        let ends_clean = self.spans.get(end) != Some(&last);
        (starts_clean && ends_clean).then_some((first.0, last.1))
    }
}

/// The text with every e-mail address replaced by [`EMAIL_WITHHELD`]: a local part of letters,
/// digits and `. _ % + - '`, an `@`, and a domain of letters, digits, hyphens and at least one
/// inner dot.
fn withhold_emails(text: &str) -> String {
    if !text.contains('@') {
        return text.to_string();
    }
    let local = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '\'');
    let domain = |c: char| c.is_alphanumeric() || matches!(c, '.' | '-');
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (i, _) in text.match_indices('@') {
        if i < at {
            continue;
        }
        let start = text[..i]
            .char_indices()
            .rev()
            .take_while(|(_, c)| local(*c))
            .last()
            .map_or(i, |(j, _)| j);
        let start = start.max(at);
        let after = &text[i + 1..];
        let len = after.find(|c: char| !domain(c)).unwrap_or(after.len());
        let host = after[..len].trim_end_matches(['.', '-']);
        let local_part = text[start..i].trim_start_matches(['.', '\'']);
        let start = i - local_part.len();
        let inner_dot = host.trim_start_matches(['.', '-']).contains('.');
        if local_part.is_empty() || !inner_dot {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(EMAIL_WITHHELD);
        at = i + 1 + host.len();
    }
    out.push_str(&text[at..]);
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

    fn person(name: &str, role: &str) -> Participant {
        Participant {
            name: name.into(),
            role: role.into(),
        }
    }

    fn sample() -> Session {
        let b = bank(vec![question("a", Category::Security, Stage::Storage)]);
        let t = Timestamp::UNIX_EPOCH;
        let mut s = Session::new("id".into(), "Acme".into(), &b, t);
        s.facilitator = "Fay Fischer".into();
        s.participants = vec![
            person("Raj Patel", "ML engineer"),
            person("Chloé Dubois-Martin", "security"),
            person("Ben", ""),
        ];
        s
    }

    #[test]
    fn pseudonyms_cannot_be_read_as_framework_ids() {
        let mut s = sample();
        s.record_vote(
            "a",
            "Raj Patel",
            Some(Answer::Designed),
            Timestamp::UNIX_EPOCH,
        );
        s.record_vote("a", "Zed", Some(Answer::AdHoc), Timestamp::UNIX_EPOCH);
        s.record_mut("a").action.owner = "Ben".into();
        s.record_mut("b").action.owner = "Outsider Org".into();
        let a = anonymize(&s, Anonymize::KeepRoles);
        assert_eq!(a.facilitator, "Facilitator");
        let names: Vec<(&str, &str)> = a
            .participants
            .iter()
            .map(|p| (p.name.as_str(), p.role.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("Participant A", "ML engineer"),
                ("Participant B", "security"),
                ("Participant C", "")
            ]
        );
        let votes: Vec<&str> = a.records["a"].votes.keys().map(String::as_str).collect();
        assert_eq!(votes, ["Participant A", "Participant D"]);
        assert_eq!(a.records["a"].action.owner, "Participant C");
        assert_eq!(a.records["b"].action.owner, "Owner 1");
        let general = anonymize(&s, Anonymize::GeneraliseRoles);
        assert_eq!(general.participants[0].role, GENERAL_ROLE);
        assert_eq!(general.participants[2].role, "");
    }

    #[test]
    fn name_parts_any_case_and_any_address_are_replaced() {
        let mut s = sample();
        s.record_mut("a").notes =
            "Ask Raj (raj.patel@acme.example); RAJ PATEL agreed, chloé to review with Dubois. \
             Martin's part: see dubois-martin. Mail ops-team+ai@corp.example.co.uk or Fay."
                .into();
        let a = anonymize(&s, Anonymize::KeepRoles);
        assert_eq!(
            a.records["a"].notes,
            "Ask Participant A ([e-mail withheld]); Participant A agreed, Participant B to review with Participant B. \
             Participant B's part: see Participant B. Mail [e-mail withheld] or Facilitator."
        );
    }

    #[test]
    fn whole_words_only() {
        let mut s = sample();
        s.record_mut("a").notes = "Benchmark by Ben; Rajasthan; Benjamin; Fayette".into();
        let a = anonymize(&s, Anonymize::KeepRoles);
        assert_eq!(
            a.records["a"].notes,
            "Benchmark by Participant C; Rajasthan; Benjamin; Fayette"
        );
    }

    #[test]
    fn a_shared_first_name_is_withheld_rather_than_guessed() {
        let mut s = sample();
        s.participants.push(person("Raj Kumar", "legal"));
        s.record_mut("a").notes = "Raj said; Raj Kumar agreed".into();
        let a = anonymize(&s, Anonymize::KeepRoles);
        assert_eq!(
            a.records["a"].notes,
            format!("{NAME_WITHHELD} said; Participant D agreed")
        );
    }

    #[test]
    fn letters_go_on_past_z() {
        assert_eq!(letters(0), "A");
        assert_eq!(letters(25), "Z");
        assert_eq!(letters(26), "AA");
        assert_eq!(letters(27), "AB");
    }

    #[test]
    fn lower_casing_that_changes_length_keeps_offsets() {
        let mut s = sample();
        s.participants.push(person("İlkay Ömer", "data"));
        s.record_mut("a").notes = "İLKAY and ömer; İlkay".into();
        let a = anonymize(&s, Anonymize::KeepRoles);
        assert_eq!(
            a.records["a"].notes,
            "Participant D and Participant D; Participant D"
        );
    }

    #[test]
    fn e_mail_addresses_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(withhold_emails("a@b"), "a@b");
        assert_eq!(withhold_emails("@handle"), "@handle");
        assert_eq!(
            withhold_emails("x.y@z.example."),
            format!("{EMAIL_WITHHELD}.")
        );
        assert_eq!(
            withhold_emails("<ana@x.io>, ben@y.io"),
            format!("<{EMAIL_WITHHELD}>, {EMAIL_WITHHELD}")
        );
    }

    #[test]
    fn pre_work_answers_notes_and_receipts_lose_their_names_too() {
        let mut s = sample();
        let t = Timestamp::UNIX_EPOCH;
        let r = s.record_mut("a");
        r.prework_votes.insert("Raj Patel".into(), Answer::Designed);
        r.prework_votes.insert("Zed".into(), Answer::AdHoc);
        r.prework_notes
            .insert("Zed".into(), "Raj owns the register".into());
        s.prework.insert(
            "Raj Patel".into(),
            crate::domain::session::PreworkReceipt {
                updated: t,
                digest: String::new(),
                assigned: 3,
                answered: 2,
            },
        );
        let a = anonymize(&s, Anonymize::KeepRoles);
        let record = &a.records["a"];
        let voters: Vec<&str> = record.prework_votes.keys().map(String::as_str).collect();
        assert_eq!(voters, ["Participant A", "Participant D"]);
        assert_eq!(
            record
                .prework_notes
                .get("Participant D")
                .map(String::as_str),
            Some("Participant A owns the register")
        );
        assert!(a.prework.contains_key("Participant A"));
        let text = format!("{:?}", (&a.records, &a.prework));
        assert!(!text.contains("Raj") && !text.contains("Zed"), "{text}");
    }
}
