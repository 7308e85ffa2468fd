//! The CSV export: the action plan, one row per gap (then other questions with a follow-up
//! action), or with `register` every applicable question, for spreadsheets and ticket import.
//!
//! Each row carries the question's framework mappings, the evidence recorded, the session id
//! and the export time. The text starts with a UTF-8 byte order mark unless told otherwise, so
//! that spreadsheets read accents correctly. Cells a spreadsheet would read as formulas are
//! neutralised, and control characters are never written: line breaks become `\n` inside the
//! quoted cell, tabs become spaces and the others are dropped.

use super::{ActionRow, CsvOptions, Format, ReportContext, ReportError, escape};
use std::borrow::Cow;

/// The header row.
pub const HEADER: [&str; 23] = [
    "rank",
    "question_id",
    "question",
    "category",
    "stage",
    "answer",
    "level",
    "target",
    "priority",
    "critical",
    "gap",
    "remediation",
    "owner",
    "due",
    "notes",
    "soc2",
    "nist_ai_rmf",
    "iso_42001",
    "evidence",
    "session_id",
    "exported",
    "action",
    "status",
];

/// The byte order mark written first by default.
pub const BOM: &str = "\u{feff}";

/// The CSV text of the action plan (or the register).
pub fn render(context: &ReportContext, options: CsvOptions) -> Result<String, ReportError> {
    let encode = |reason: String| ReportError::Encode {
        format: Format::Csv,
        reason,
    };
    let mut writer = ::csv::WriterBuilder::new()
        .quote_style(::csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    writer
        .write_record(HEADER)
        .map_err(|e| encode(e.to_string()))?;
    let rows: &[ActionRow] = if options.register {
        &context.register
    } else {
        &context.actions
    };
    for a in rows {
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        let (rank, target, priority) = (
            a.rank.to_string(),
            a.target.to_string(),
            a.priority.to_string(),
        );
        let (soc2, nist, iso, evidence) = (
            a.soc2.join(", "),
            a.nist.join(", "),
            a.iso.join(", "),
            a.evidence.join("; "),
        );
        let row = [
            rank.as_str(),
            a.id,
            a.prompt,
            a.category,
            a.stage,
            a.answer,
            a.level,
            target.as_str(),
            priority.as_str(),
            yes_no(a.critical),
            yes_no(a.gap),
            a.remediation,
            a.owner,
            a.due.as_str(),
            a.notes,
            soc2.as_str(),
            nist.as_str(),
            iso.as_str(),
            evidence.as_str(),
            context.session.id,
            context.generated_at.as_str(),
            a.what,
            a.status.as_str(),
        ];
        writer
            .write_record(
                row.iter()
                    .map(|cell| escape::csv_cell(&without_controls(cell)).into_owned()),
            )
            .map_err(|e| encode(e.to_string()))?;
    }
    let bytes = writer.into_inner().map_err(|e| encode(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| encode(e.to_string()))?;
    Ok(if options.bom {
        format!("{BOM}{text}")
    } else {
        text
    })
}

/// The cell with line breaks as `\n`, tabs as spaces and every other control character
/// (escape, bell, NUL, ...) dropped: a terminal or an importer would act on them.
fn without_controls(cell: &str) -> Cow<'_, str> {
    if !cell
        .chars()
        .any(|c| c.is_control() && c != '\n' || is_separator(c))
    {
        return Cow::Borrowed(cell);
    }
    let mut out = String::with_capacity(cell.len());
    let mut chars = cell.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push('\n');
            }
            '\n' => out.push('\n'),
            c if is_separator(c) || c == '\u{85}' => out.push('\n'),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn is_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_never_written() {
        assert_eq!(
            without_controls("a\u{1b}[31mb\u{7}c\u{0}d\te\r\nf\rg\u{2028}h\u{85}i\u{9b}j"),
            "a[31mbcd e\nf\ng\nh\nij"
        );
        assert!(matches!(without_controls("plain"), Cow::Borrowed(_)));
    }
}
