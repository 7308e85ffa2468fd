//! The readiness scale: the answer to every rated question.

use serde::{Deserialize, Serialize};

/// An answer on the readiness scale. Levels 0-4 map to the auditor's two questions: is the
/// control designed (Type 1) and has it operated over a period (Type 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Answer {
    /// 0: nothing exists.
    NotInPlace,
    /// 1: done informally or by some people, not documented.
    AdHoc,
    /// 2: documented with an owner, not yet implemented or evidenced.
    Designed,
    /// 3: in place with evidence an auditor could inspect (Type 1 ready).
    Implemented,
    /// 4: ran consistently over a period, evidence retained (Type 2 ready).
    Operating,
    /// Does not apply to this system; needs a justification note.
    NotApplicable,
    /// Nobody present knows; scores as 0 and becomes a follow-up.
    Unknown,
}

impl Answer {
    /// The five rated levels, lowest first.
    pub const LEVELS: [Answer; 5] = [
        Answer::NotInPlace,
        Answer::AdHoc,
        Answer::Designed,
        Answer::Implemented,
        Answer::Operating,
    ];

    /// Every answer in the order the scale is shown.
    pub const ALL: [Answer; 7] = [
        Answer::NotInPlace,
        Answer::AdHoc,
        Answer::Designed,
        Answer::Implemented,
        Answer::Operating,
        Answer::NotApplicable,
        Answer::Unknown,
    ];

    /// The rated level from 0 to 4, or the level of a level number.
    pub fn from_level(level: u8) -> Option<Answer> {
        Answer::LEVELS.get(usize::from(level)).copied()
    }

    /// The level 0-4 this answer counts as in scoring: Unknown counts as 0, N/A as nothing.
    pub fn scored_level(self) -> Option<u8> {
        match self {
            Answer::NotInPlace | Answer::Unknown => Some(0),
            Answer::AdHoc => Some(1),
            Answer::Designed => Some(2),
            Answer::Implemented => Some(3),
            Answer::Operating => Some(4),
            Answer::NotApplicable => None,
        }
    }

    /// The level 0-4 the room actually chose; None for N/A and Unknown.
    pub fn level(self) -> Option<u8> {
        match self {
            Answer::NotApplicable | Answer::Unknown => None,
            other => other.scored_level(),
        }
    }

    /// The short label shown next to a level: `0`..`4`, `N/A`, `?`.
    pub fn short(self) -> &'static str {
        match self {
            Answer::NotInPlace => "0",
            Answer::AdHoc => "1",
            Answer::Designed => "2",
            Answer::Implemented => "3",
            Answer::Operating => "4",
            Answer::NotApplicable => "N/A",
            Answer::Unknown => "?",
        }
    }

    /// The name of the level.
    pub fn name(self) -> &'static str {
        match self {
            Answer::NotInPlace => "Not in place",
            Answer::AdHoc => "Ad hoc",
            Answer::Designed => "Designed",
            Answer::Implemented => "Implemented",
            Answer::Operating => "Operating",
            Answer::NotApplicable => "Not applicable",
            Answer::Unknown => "Unknown",
        }
    }

    /// What the level means, in one line.
    pub fn meaning(self) -> &'static str {
        match self {
            Answer::NotInPlace => "nothing exists",
            Answer::AdHoc => "done informally or by some people, not documented",
            Answer::Designed => "documented, with an owner, but not yet implemented or evidenced",
            Answer::Implemented => "in place today with evidence an auditor could inspect",
            Answer::Operating => "ran consistently over a period, evidence retained and monitored",
            Answer::NotApplicable => "does not apply to this system (needs a justification note)",
            Answer::Unknown => "nobody present knows; scores as 0 and becomes a follow-up",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_round_trip_through_numbers() {
        for (n, answer) in Answer::LEVELS.iter().enumerate() {
            let level = u8::try_from(n).unwrap_or(u8::MAX);
            assert_eq!(Answer::from_level(level), Some(*answer));
            assert_eq!(answer.level(), Some(level));
        }
        assert_eq!(Answer::from_level(5), None);
    }

    #[test]
    fn unknown_scores_as_zero_and_na_not_at_all() {
        assert_eq!(Answer::Unknown.scored_level(), Some(0));
        assert_eq!(Answer::Unknown.level(), None);
        assert_eq!(Answer::NotApplicable.scored_level(), None);
    }
}
