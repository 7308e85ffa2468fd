//! aiready: a terminal workshop that gets an AI system ready for a SOC 2 audit.
//!
//! - [`domain`]: pure types and rules (questionnaires, the readiness scale, frameworks).

pub mod domain;
