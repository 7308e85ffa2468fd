//! The CSV export: the action plan, one row per gap (then other questions with a follow-up
//! action), for spreadsheets and ticket import. Cells a spreadsheet would read as formulas are
//! neutralised.

use super::{Format, ReportContext, ReportError, escape};

/// The header row.
pub const HEADER: [&str; 17] = [
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
    "action",
    "status",
];

/// The CSV text of the action plan.
pub fn render(context: &ReportContext) -> Result<String, ReportError> {
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
    for a in &context.actions {
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        let (rank, target, priority) = (
            a.rank.to_string(),
            a.target.to_string(),
            a.priority.to_string(),
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
            a.what,
            a.status.as_str(),
        ];
        writer
            .write_record(row.iter().map(|cell| escape::csv_cell(cell).into_owned()))
            .map_err(|e| encode(e.to_string()))?;
    }
    let bytes = writer.into_inner().map_err(|e| encode(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| encode(e.to_string()))
}
