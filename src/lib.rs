//! aiready: a terminal workshop that gets an AI system ready for a SOC 2 audit.
//!
//! - [`domain`]: pure types and rules (questionnaires, the readiness scale, frameworks).
//! - [`config`]: where data and user configuration live.
//! - [`store`]: where sessions are kept (files with atomic saves and locks, or memory for tests).

pub mod config;
pub mod domain;
pub mod store;
