//! aiready: a terminal workshop that gets an AI system ready for a SOC 2 audit.
//!
//! - [`domain`]: pure types and rules (questionnaires, the readiness scale, frameworks).
//! - [`config`]: where data and user configuration live.

pub mod config;
pub mod domain;
