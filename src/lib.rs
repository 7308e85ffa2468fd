//! aiready: a terminal workshop that gets an AI system ready for a SOC 2 audit.
//!
//! - [`domain`]: pure types and rules (questionnaires, the readiness scale, frameworks).
//! - [`content`]: loads and validates questionnaires; the built-in set.
//! - [`config`]: where data and user configuration live.
//! - [`store`]: where sessions are kept (files with atomic saves and locks, or memory for tests).
//! - [`report`]: Markdown, HTML, JSON, CSV, Excel and OSCAL exports of a session with its results.
//! - [`tui`]: the terminal interface: home, setup, workshop, results, help.
//! - [`text`]: text from people and files made safe to print on a terminal.
//! - [`cli`]: the command line and its non-interactive commands.
//! - [`error`]: errors of the command line, for people.

pub mod cli;
pub mod config;
pub mod content;
pub mod domain;
pub mod error;
pub mod report;
pub mod store;
pub mod text;
pub mod tui;
