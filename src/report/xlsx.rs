//! The Excel workbook: Summary (scores, verdicts and the heatmap as coloured cells with their
//! numbers), Register (every applicable question), Action plan, Control matrix (SOC 2 criterion
//! to questions) and Evidence requests.
//!
//! Every table has a frozen, filtered header row, set column widths and wrapped text. Numbers
//! are number cells and dates date cells; text people typed is always written as a string cell,
//! so a note starting with `=` stays text and is never run as a formula.

use super::{ActionRow, Format, ReportContext, ReportError};
use crate::domain::scale::Answer;
use crate::domain::session::Participant;
use jiff::civil::Date;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format as CellFormat, FormatBorder, Workbook, Worksheet,
    XlsxError,
};
use std::borrow::Cow;

/// The sheets, in order.
pub const SHEETS: [&str; 5] = [
    "Summary",
    "Register",
    "Action plan",
    "Control matrix",
    "Evidence requests",
];

/// The header of the Register sheet.
pub const REGISTER_HEADER: [&str; 19] = [
    "Question id",
    "Category",
    "Stage",
    "Question",
    "Critical",
    "Level",
    "Level name",
    "Result",
    "N/A reason",
    "Votes",
    "Notes",
    "Agreed action",
    "Owner",
    "Due date",
    "Status",
    "Evidence",
    "SOC 2",
    "NIST AI RMF",
    "ISO/IEC 42001",
];

/// The header of the Action plan sheet.
pub const ACTION_HEADER: [&str; 15] = [
    "Rank",
    "Question id",
    "Category",
    "Stage",
    "Question",
    "Critical",
    "Answer",
    "Level",
    "Target",
    "Priority",
    "Remediation",
    "Agreed action",
    "Owner",
    "Due date",
    "Status",
];

/// The header of the Control matrix sheet.
pub const CONTROL_HEADER: [&str; 8] = [
    "SOC 2 criterion",
    "Title",
    "Questions (answer)",
    "Lowest level",
    "Average level",
    "Open",
    "N/A",
    "Evidence",
];

/// The header of the Evidence requests sheet.
pub const EVIDENCE_HEADER: [&str; 11] = [
    "Owner",
    "Question id",
    "Question",
    "Critical",
    "Today",
    "Target",
    "Due date",
    "Requested",
    "On the day (Type 1)",
    "Over the period (Type 2)",
    "Recorded so far",
];

/// The most characters Excel keeps in a cell.
const MAX_CELL_CHARS: usize = 32_767;

/// The cell formats used throughout.
struct Styles {
    title: CellFormat,
    bold: CellFormat,
    header: CellFormat,
    text: CellFormat,
    date: CellFormat,
    number: CellFormat,
    decimal: CellFormat,
    /// Heatmap cells by band: type2, type1, below, none.
    bands: [CellFormat; 4],
}

impl Styles {
    fn new() -> Styles {
        let cell = || {
            CellFormat::new()
                .set_text_wrap()
                .set_border(FormatBorder::Thin)
                .set_border_color(Color::RGB(0xD0D7DE))
                .set_align(rust_xlsxwriter::FormatAlign::Top)
        };
        // The same colours as the HTML report, dark to light, so they also read in grey.
        let band = |fill: u32, ink: u32| {
            cell()
                .set_background_color(Color::RGB(fill))
                .set_font_color(Color::RGB(ink))
                .set_align(rust_xlsxwriter::FormatAlign::Center)
        };
        Styles {
            title: CellFormat::new().set_bold().set_font_size(14),
            bold: CellFormat::new().set_bold(),
            header: cell().set_bold().set_background_color(Color::RGB(0xF0F3F6)),
            text: cell(),
            date: cell().set_num_format("yyyy-mm-dd"),
            number: cell().set_num_format("0"),
            decimal: cell().set_num_format("0.0"),
            bands: [
                band(0x1E6B34, 0xFFFFFF).set_bold(),
                band(0xF6D365, 0x000000),
                band(0xE8837C, 0x000000).set_bold().set_italic(),
                band(0xFFFFFF, 0x57606A),
            ],
        }
    }

    fn band(&self, band: &str) -> &CellFormat {
        match band {
            "type2" => &self.bands[0],
            "type1" => &self.bands[1],
            "below" => &self.bands[2],
            _ => &self.bands[3],
        }
    }
}

/// One worksheet being filled, row by row.
struct Sheet<'w> {
    sheet: &'w mut Worksheet,
    styles: &'w Styles,
}

impl Sheet<'_> {
    /// Text people typed (or any text): always a string cell, never a formula; control
    /// characters dropped and the text cut to what a cell holds.
    fn text(&mut self, row: u32, col: u16, value: &str) -> Result<(), XlsxError> {
        self.sheet
            .write_string_with_format(row, col, cell_text(value), &self.styles.text)?;
        Ok(())
    }

    fn number(&mut self, row: u32, col: u16, value: Option<f64>) -> Result<(), XlsxError> {
        match value {
            Some(n) => self
                .sheet
                .write_number_with_format(row, col, n, &self.styles.number)?,
            None => self.sheet.write_blank(row, col, &self.styles.text)?,
        };
        Ok(())
    }

    fn decimal(&mut self, row: u32, col: u16, value: Option<f64>) -> Result<(), XlsxError> {
        match value {
            Some(n) => self
                .sheet
                .write_number_with_format(row, col, n, &self.styles.decimal)?,
            None => self.sheet.write_blank(row, col, &self.styles.text)?,
        };
        Ok(())
    }

    fn date(&mut self, row: u32, col: u16, value: Option<Date>) -> Result<(), XlsxError> {
        match value {
            Some(d) => {
                let date = excel_date(d)?;
                self.sheet
                    .write_date_with_format(row, col, &date, &self.styles.date)?
            }
            None => self.sheet.write_blank(row, col, &self.styles.text)?,
        };
        Ok(())
    }

    fn yes_no(&mut self, row: u32, col: u16, value: bool) -> Result<(), XlsxError> {
        self.text(row, col, if value { "yes" } else { "no" })
    }

    /// A table header at `row` with column widths, frozen above the next row, with filters
    /// over `rows` data rows.
    fn table(
        &mut self,
        row: u32,
        header: &[&str],
        widths: &[f64],
        rows: usize,
    ) -> Result<(), XlsxError> {
        for (col, (title, width)) in header.iter().zip(widths).enumerate() {
            let col = col_index(col);
            self.sheet
                .write_string_with_format(row, col, *title, &self.styles.header)?;
            self.sheet.set_column_width(col, *width)?;
        }
        let last_col = col_index(header.len().saturating_sub(1));
        self.sheet.set_freeze_panes(row + 1, 0)?;
        self.sheet
            .autofilter(row, 0, row + row_index(rows), last_col)?;
        // Printed, the header row repeats on every page.
        self.sheet.set_repeat_rows(row, row)?;
        self.sheet.set_landscape();
        self.sheet.set_print_fit_to_pages(1, 0);
        Ok(())
    }
}

/// A date as Excel counts it.
fn excel_date(date: Date) -> Result<ExcelDateTime, XlsxError> {
    let year =
        u16::try_from(date.year()).map_err(|_| XlsxError::DateTimeRangeError(date.to_string()))?;
    let month = u8::try_from(date.month()).unwrap_or(1);
    let day = u8::try_from(date.day()).unwrap_or(1);
    ExcelDateTime::from_ymd(year, month, day)
}

fn col_index(col: usize) -> u16 {
    u16::try_from(col).unwrap_or(u16::MAX)
}

fn row_index(row: usize) -> u32 {
    u32::try_from(row).unwrap_or(u32::MAX)
}

/// The text as a cell holds it: line breaks kept, tabs as spaces, other control characters
/// dropped, at most 32,767 characters (the end is cut, and says so).
fn cell_text(value: &str) -> Cow<'_, str> {
    let clean = !value
        .chars()
        .any(|c| c.is_control() && c != '\n' || c == '\r');
    let mut text: Cow<'_, str> = if clean {
        Cow::Borrowed(value)
    } else {
        Cow::Owned(
            value
                .replace("\r\n", "\n")
                .chars()
                .filter_map(|c| match c {
                    '\t' => Some(' '),
                    '\r' => Some('\n'),
                    '\n' => Some('\n'),
                    c if c.is_control() => None,
                    c => Some(c),
                })
                .collect(),
        )
    };
    if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
        const CUT: &str = " [cut: a cell holds 32,767 characters]";
        let keep = MAX_CELL_CHARS - CUT.chars().count();
        let mut cut: String = text.chars().take(keep).collect();
        cut.push_str(CUT);
        text = Cow::Owned(cut);
    }
    text
}

/// The workbook of a report.
pub fn render(context: &ReportContext) -> Result<Vec<u8>, ReportError> {
    build(context).map_err(|e| ReportError::Encode {
        format: Format::Xlsx,
        reason: e.to_string(),
    })
}

fn build(context: &ReportContext) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new();
    let mut workbook = Workbook::new();
    // Compressing the sheets' XML is most of the time of a save; level 2 of the zip crate takes
    // about half the time of the default level 6 for a file about a tenth larger.
    workbook.set_zip_compression_level(2);
    // A fixed creation time (the report's) keeps two exports of the same session identical.
    let created = ExcelDateTime::parse_from_str(context.generated_at.trim_end_matches('Z')).ok();
    let mut properties = DocProperties::new()
        .set_title(cell_text(&context.meta.title).into_owned())
        .set_author(cell_text(context.meta.author).into_owned())
        .set_company(cell_text(context.session.organisation).into_owned())
        .set_comment(context.generator.as_str());
    if let Some(created) = created {
        properties = properties.set_creation_datetime(&created);
    }
    workbook.set_properties(&properties);

    summary(
        &mut Sheet {
            sheet: workbook.add_worksheet().set_name(SHEETS[0])?,
            styles: &styles,
        },
        context,
    )?;
    register(
        &mut Sheet {
            sheet: workbook.add_worksheet().set_name(SHEETS[1])?,
            styles: &styles,
        },
        &context.register,
        context.voters,
    )?;
    action_plan(
        &mut Sheet {
            sheet: workbook.add_worksheet().set_name(SHEETS[2])?,
            styles: &styles,
        },
        &context.actions,
    )?;
    control_matrix(
        &mut Sheet {
            sheet: workbook.add_worksheet().set_name(SHEETS[3])?,
            styles: &styles,
        },
        context,
    )?;
    evidence_requests(
        &mut Sheet {
            sheet: workbook.add_worksheet().set_name(SHEETS[4])?,
            styles: &styles,
        },
        context,
    )?;
    workbook.save_to_buffer()
}

fn summary(s: &mut Sheet, context: &ReportContext) -> Result<(), XlsxError> {
    let styles = s.styles;
    s.sheet
        .write_string_with_format(0, 0, cell_text(&context.meta.title), &styles.title)?;
    let facts: [(&str, Cow<'_, str>); 7] = [
        ("Organisation", Cow::Borrowed(context.session.organisation)),
        ("AI system", Cow::Borrowed(context.session.system)),
        (
            "Target",
            Cow::Owned(format!("SOC 2 {}", context.session.target)),
        ),
        (
            "Overall verdict",
            Cow::Borrowed(&context.summary.verdict_text),
        ),
        (
            "Answered",
            Cow::Owned(format!(
                "{} of {} applicable questions ({})",
                context.summary.answered, context.summary.applicable, context.summary.percent
            )),
        ),
        (
            "Generated",
            Cow::Owned(format!("{} by {}", context.generated, context.generator)),
        ),
        (
            "Names",
            Cow::Borrowed(if context.anonymized {
                "replaced by pseudonyms"
            } else {
                "as recorded"
            }),
        ),
    ];
    let mut row = 2;
    for (label, value) in &facts {
        s.sheet
            .write_string_with_format(row, 0, *label, &styles.bold)?;
        s.text(row, 1, value)?;
        row += 1;
    }
    s.sheet
        .write_string_with_format(row, 0, "Overall score", &styles.bold)?;
    s.number(row, 1, context.summary.overall_points.map(f64::from))?;
    row += 2;

    // Category scores and verdicts.
    let header = [
        "Category",
        "Score",
        "Verdict",
        "Answered",
        "Applicable",
        "Critical",
        "Lowest critical level",
        "Gaps",
    ];
    let table_row = row;
    s.table(
        table_row,
        &header,
        &[24.0, 10.0, 44.0, 11.0, 11.0, 10.0, 12.0, 8.0],
        context.summary.categories.len(),
    )?;
    for c in &context.summary.categories {
        row += 1;
        let title = if c.maturity {
            Cow::Owned(format!("{} (maturity)", c.title))
        } else {
            Cow::Borrowed(c.title)
        };
        s.text(row, 0, &title)?;
        match c.points {
            Some(p) => {
                s.sheet
                    .write_number_with_format(row, 1, f64::from(p), styles.band(c.band))?
            }
            None => {
                s.sheet
                    .write_string_with_format(row, 1, c.score.as_str(), styles.band("none"))?
            }
        };
        s.text(row, 2, &c.verdict_text)?;
        s.number(row, 3, Some(c.answered as f64))?;
        s.number(row, 4, Some(c.applicable as f64))?;
        s.number(row, 5, Some(c.critical as f64))?;
        s.number(row, 6, c.critical_min_level.parse::<f64>().ok())?;
        s.number(row, 7, Some(c.gaps as f64))?;
    }

    // The heatmap: a number in every scored cell, coloured by its range.
    row += 2;
    s.sheet.write_string_with_format(
        row,
        0,
        "Heatmap: section scores, category by stage",
        &styles.bold,
    )?;
    row += 1;
    s.sheet
        .write_string_with_format(row, 0, "Category", &styles.header)?;
    for (i, stage) in context.heatmap.stages.iter().enumerate() {
        s.sheet
            .write_string_with_format(row, col_index(i + 1), *stage, &styles.header)?;
    }
    let total_col = col_index(context.heatmap.stages.len() + 1);
    s.sheet
        .write_string_with_format(row, total_col, "Score", &styles.header)?;
    for heat in &context.heatmap.rows {
        row += 1;
        s.text(row, 0, heat.category)?;
        for (i, cell) in heat.cells.iter().enumerate() {
            let col = col_index(i + 1);
            let band = styles.band(heat.bands.get(i).copied().unwrap_or("none"));
            match heat.scores.get(i).copied().flatten() {
                Some(points) => {
                    s.sheet
                        .write_number_with_format(row, col, f64::from(points), band)?
                }
                None => s
                    .sheet
                    .write_string_with_format(row, col, cell.as_str(), band)?,
            };
        }
        match heat.total_points {
            Some(points) => s.sheet.write_number_with_format(
                row,
                total_col,
                f64::from(points),
                styles.band(heat.total_band),
            )?,
            None => s.sheet.write_string_with_format(
                row,
                total_col,
                heat.total.as_str(),
                styles.band("none"),
            )?,
        };
    }
    row += 2;
    s.text(
        row,
        0,
        "Scores from 0 to 100. Dark green: Type 2 range; yellow: Type 1 range; red, bold italic: not ready; white: no score yet. The Register sheet has every question.",
    )?;
    Ok(())
}

/// Where a register row's question stands against the target: what a spreadsheet filters on.
fn result(a: &ActionRow) -> &'static str {
    match a.agreed {
        None => "open",
        Some(Answer::NotApplicable) => "not applicable",
        Some(Answer::Unknown) => "unknown (gap)",
        Some(_) if a.gap => "gap",
        Some(_) => "at target",
    }
}

fn register(s: &mut Sheet, rows: &[ActionRow], voters: &[Participant]) -> Result<(), XlsxError> {
    s.table(
        0,
        &REGISTER_HEADER,
        &[
            14.0, 18.0, 16.0, 50.0, 8.0, 7.0, 14.0, 13.0, 30.0, 22.0, 40.0, 30.0, 16.0, 11.0, 13.0,
            30.0, 14.0, 14.0, 14.0,
        ],
        rows.len(),
    )?;
    for (i, a) in rows.iter().enumerate() {
        let row = row_index(i + 1);
        let na_reason = if a.agreed == Some(Answer::NotApplicable) {
            a.notes
        } else {
            ""
        };
        s.text(row, 0, a.id)?;
        s.text(row, 1, a.category)?;
        s.text(row, 2, a.stage)?;
        s.text(row, 3, a.prompt)?;
        s.yes_no(row, 4, a.critical)?;
        s.number(
            row,
            5,
            a.agreed.and_then(Answer::scored_level).map(f64::from),
        )?;
        s.text(row, 6, a.agreed.map_or("", Answer::name))?;
        s.text(row, 7, result(a))?;
        s.text(row, 8, na_reason)?;
        s.text(row, 9, &super::context::votes_text(a.record, voters))?;
        s.text(row, 10, a.notes)?;
        s.text(row, 11, a.what)?;
        s.text(row, 12, a.owner)?;
        s.date(row, 13, a.due_date)?;
        s.text(row, 14, &a.status)?;
        s.text(row, 15, &a.evidence.join("\n"))?;
        s.text(row, 16, &a.soc2.join(", "))?;
        s.text(row, 17, &a.nist.join(", "))?;
        s.text(row, 18, &a.iso.join(", "))?;
    }
    Ok(())
}

fn action_plan(s: &mut Sheet, rows: &[ActionRow]) -> Result<(), XlsxError> {
    s.table(
        0,
        &ACTION_HEADER,
        &[
            6.0, 14.0, 18.0, 16.0, 50.0, 8.0, 16.0, 7.0, 7.0, 9.0, 50.0, 30.0, 16.0, 11.0, 13.0,
        ],
        rows.len(),
    )?;
    for (i, a) in rows.iter().enumerate() {
        let row = row_index(i + 1);
        s.number(row, 0, Some(a.rank as f64))?;
        s.text(row, 1, a.id)?;
        s.text(row, 2, a.category)?;
        s.text(row, 3, a.stage)?;
        s.text(row, 4, a.prompt)?;
        s.yes_no(row, 5, a.critical)?;
        s.text(row, 6, a.answer)?;
        s.number(
            row,
            7,
            a.agreed.and_then(Answer::scored_level).map(f64::from),
        )?;
        s.number(row, 8, Some(f64::from(a.target)))?;
        if a.gap {
            s.number(row, 9, Some(f64::from(a.priority)))?;
        } else {
            s.text(row, 9, "not a gap")?;
        }
        s.text(row, 10, a.remediation)?;
        s.text(row, 11, a.what)?;
        s.text(row, 12, a.owner)?;
        s.date(row, 13, a.due_date)?;
        s.text(row, 14, &a.status)?;
    }
    Ok(())
}

fn control_matrix(s: &mut Sheet, context: &ReportContext) -> Result<(), XlsxError> {
    let rows = &context.controls;
    s.table(
        0,
        &CONTROL_HEADER,
        &[12.0, 36.0, 44.0, 10.0, 10.0, 8.0, 8.0, 44.0],
        rows.len(),
    )?;
    for (i, c) in rows.iter().enumerate() {
        let row = row_index(i + 1);
        s.text(row, 0, c.criterion)?;
        s.text(row, 1, c.title)?;
        s.text(row, 2, &c.questions)?;
        s.number(row, 3, c.lowest_level.map(f64::from))?;
        s.decimal(row, 4, c.average_level)?;
        s.number(row, 5, Some(c.open as f64))?;
        s.number(row, 6, Some(c.not_applicable as f64))?;
        s.text(row, 7, &c.evidence)?;
    }
    Ok(())
}

fn evidence_requests(s: &mut Sheet, context: &ReportContext) -> Result<(), XlsxError> {
    let count = context
        .evidence_requests
        .iter()
        .map(|g| g.items.len())
        .sum();
    s.table(
        0,
        &EVIDENCE_HEADER,
        &[
            16.0, 14.0, 50.0, 8.0, 16.0, 7.0, 11.0, 40.0, 40.0, 40.0, 30.0,
        ],
        count,
    )?;
    let mut row = 0;
    for group in &context.evidence_requests {
        for item in &group.items {
            row += 1;
            s.text(row, 0, group.owner)?;
            s.text(row, 1, item.id)?;
            s.text(row, 2, item.prompt)?;
            s.yes_no(row, 3, item.critical)?;
            s.text(row, 4, item.answer)?;
            s.number(row, 5, Some(f64::from(item.target)))?;
            s.date(row, 6, item.due.parse::<Date>().ok())?;
            s.text(row, 7, &item.requested)?;
            s.text(row, 8, item.type1_evidence)?;
            s.text(row, 9, item.type2_evidence)?;
            s.text(row, 10, &item.recorded)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_drop_controls_and_are_cut_to_what_excel_holds() {
        assert_eq!(cell_text("a\r\nb\u{1b}[1m\tc\u{0}"), "a\nb[1m c");
        assert!(matches!(cell_text("plain\ntext"), Cow::Borrowed(_)));
        let long = "é".repeat(40_000);
        let cut = cell_text(&long);
        assert_eq!(cut.chars().count(), MAX_CELL_CHARS);
        assert!(cut.ends_with("32,767 characters]"));
    }
}
