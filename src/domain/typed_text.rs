//! The rule for text people type into a session (organisation, system, facilitator,
//! participants, notes, and the follow-up action: what, owner, evidence, the reason it will not
//! be done): any character but control characters, except
//! line breaks and tabs. Raw escape sequences in a session would reach every terminal and report
//! that shows it.

use super::session::{ActionStatus, Session};

/// A control character found in typed text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "holds a control character (U+{code:04X}) at character {position}; only line breaks and tabs are allowed"
)]
pub struct ControlCharacter {
    /// The code point found.
    pub code: u32,
    /// Its position, counting from 1.
    pub position: usize,
}

/// The rule: whether a character may be stored in text people type.
pub fn allowed(c: char) -> bool {
    !c.is_control() || c == '\n' || c == '\t'
}

/// Checks typed text; the first character the rule refuses is reported.
pub fn check(text: &str) -> Result<(), ControlCharacter> {
    match text.chars().enumerate().find(|(_, c)| !allowed(*c)) {
        Some((i, c)) => Err(ControlCharacter {
            code: u32::from(c),
            position: i + 1,
        }),
        None => Ok(()),
    }
}

/// Typed or pasted text with the characters the rule refuses dropped (a pasted Windows line
/// ending keeps its line break).
pub fn clean(text: &str) -> String {
    text.chars().filter(|c| allowed(*c)).collect()
}

/// The first field of a session whose typed text breaks the rule, named as a path such as
/// `records["sec-1"].notes`, with the problem.
pub fn check_session(session: &Session) -> Result<(), (String, ControlCharacter)> {
    let field = |name: &str, text: &str| check(text).map_err(|e| (name.to_string(), e));
    field("organisation", &session.organisation)?;
    field("system", &session.system)?;
    field("facilitator", &session.facilitator)?;
    for (i, person) in session.participants.iter().enumerate() {
        field(&format!("participants[{i}].name"), &person.name)?;
        field(&format!("participants[{i}].role"), &person.role)?;
    }
    for (id, record) in &session.records {
        let at = |name: &str| format!("records[{id:?}].{name}");
        field(&at("notes"), &record.notes)?;
        for (who, note) in &record.prework_notes {
            field(&at(&format!("prework_notes[{who:?}]")), note)?;
            field(&at("prework_notes"), who)?;
        }
        for who in record.votes.keys().chain(record.prework_votes.keys()) {
            field(&at("votes"), who)?;
        }
        field(&at("action.what"), &record.action.what)?;
        field(&at("action.owner"), &record.action.owner)?;
        for (i, item) in record.action.evidence.iter().enumerate() {
            field(&at(&format!("action.evidence[{i}]")), item)?;
        }
        if let ActionStatus::WontDo(reason) = &record.action.status {
            field(&at("action.status"), reason)?;
        }
        for voter in record.votes.keys() {
            field(&at("votes"), voter)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_tabs_are_allowed_other_controls_are_not() {
        assert!(check("two\nlines\tand a tab").is_ok());
        assert_eq!(
            check("ab\u{1b}]0;x"),
            Err(ControlCharacter {
                code: 0x1b,
                position: 3
            })
        );
        assert!(check("bell\u{7}").is_err());
        assert!(check("c1\u{9b}").is_err());
        assert!(check("del\u{7f}").is_err());
        assert_eq!(clean("a\u{1b}[31mb\r\nc\u{0}"), "a[31mb\nc");
    }
}
