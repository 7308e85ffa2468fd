//! Pure types and rules of a readiness assessment. Nothing here touches a terminal or a file.

pub mod compare;
pub mod coverage;
pub mod framework;
pub mod merge;
pub mod prework;
pub mod questionnaire;
pub mod reassess;
pub mod scale;
pub mod scoring;
pub mod session;
pub mod trend;
pub mod triage;
pub mod typed_text;
