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

/// The most UTF-16 units (characters, emoji counting two) Excel keeps in a cell.
const MAX_CELL_UNITS: usize = 32_767;

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

    /// The format of a column that holds `holds`.
    fn holding(&self, holds: Holds) -> &CellFormat {
        match holds {
            Holds::Text => &self.text,
            Holds::Number => &self.number,
            Holds::Decimal => &self.decimal,
            Holds::Date => &self.date,
        }
    }
}

/// What the cells of a table column hold, which decides their format.
#[derive(Clone, Copy)]
enum Holds {
    Text,
    /// Whole numbers.
    Number,
    /// Numbers with one decimal.
    Decimal,
    Date,
}

/// A table column: its width in characters and what it holds.
#[derive(Clone, Copy)]
struct Column(f64, Holds);

impl Column {
    const fn text(width: f64) -> Column {
        Column(width, Holds::Text)
    }
    const fn number(width: f64) -> Column {
        Column(width, Holds::Number)
    }
    const fn decimal(width: f64) -> Column {
        Column(width, Holds::Decimal)
    }
    const fn date(width: f64) -> Column {
        Column(width, Holds::Date)
    }
}

/// Where a sheet's cell formats are kept.
#[derive(Clone, Copy, PartialEq)]
enum Formats {
    /// On each cell: for a sheet of short, mixed sections (the summary).
    PerCell,
    /// On each table column, cells written bare: for the long tables. Looking a format up is
    /// most of the cost of writing a cell (the writer hashes the whole format each time), and
    /// a column's format also styles the rows a user adds below the table.
    PerColumn,
}

/// One worksheet being filled, row by row.
struct Sheet<'w> {
    sheet: &'w mut Worksheet,
    styles: &'w Styles,
    formats: Formats,
}

impl<'w> Sheet<'w> {
    fn new(sheet: &'w mut Worksheet, styles: &'w Styles, formats: Formats) -> Sheet<'w> {
        Sheet {
            sheet,
            styles,
            formats,
        }
    }

    /// The format a cell is written with: `None` where its column carries it.
    fn own(&self, format: &'w CellFormat) -> Option<&'w CellFormat> {
        (self.formats == Formats::PerCell).then_some(format)
    }

    /// A cell with nothing in it: bordered like the others where cells carry their format,
    /// left out where the column does.
    fn blank(&mut self, row: u32, col: u16) -> Result<(), XlsxError> {
        if let Some(format) = self.own(&self.styles.text) {
            self.sheet.write_blank(row, col, format)?;
        }
        Ok(())
    }

    /// Text people typed (or any text): always a string cell, never a formula; control
    /// characters dropped and the text cut to what a cell holds.
    fn text(&mut self, row: u32, col: u16, value: &str) -> Result<(), XlsxError> {
        let value = cell_text(value);
        if value.is_empty() {
            return self.blank(row, col);
        }
        match self.own(&self.styles.text) {
            Some(format) => self
                .sheet
                .write_string_with_format(row, col, value, format)?,
            None => self.sheet.write_string(row, col, value)?,
        };
        Ok(())
    }

    fn number(&mut self, row: u32, col: u16, value: Option<f64>) -> Result<(), XlsxError> {
        self.numeric(row, col, value, &self.styles.number)
    }

    fn decimal(&mut self, row: u32, col: u16, value: Option<f64>) -> Result<(), XlsxError> {
        self.numeric(row, col, value, &self.styles.decimal)
    }

    fn numeric(
        &mut self,
        row: u32,
        col: u16,
        value: Option<f64>,
        format: &'w CellFormat,
    ) -> Result<(), XlsxError> {
        let Some(n) = value else {
            return self.blank(row, col);
        };
        match self.own(format) {
            Some(format) => self.sheet.write_number_with_format(row, col, n, format)?,
            None => self.sheet.write_number(row, col, n)?,
        };
        Ok(())
    }

    fn date(&mut self, row: u32, col: u16, value: Option<Date>) -> Result<(), XlsxError> {
        let Some(date) = value else {
            return self.blank(row, col);
        };
        let date = excel_date(date)?;
        match self.own(&self.styles.date) {
            Some(format) => self.sheet.write_date_with_format(row, col, &date, format)?,
            None => self.sheet.write_datetime(row, col, &date)?,
        };
        Ok(())
    }

    fn yes_no(&mut self, row: u32, col: u16, value: bool) -> Result<(), XlsxError> {
        self.text(row, col, if value { "yes" } else { "no" })
    }

    /// A table header at `row` with column widths (and, on a sheet of tables, the columns'
    /// formats), frozen above the next row, with filters over `rows` data rows.
    fn table<const N: usize>(
        &mut self,
        row: u32,
        header: &[&str; N],
        columns: &[Column; N],
        rows: usize,
    ) -> Result<(), XlsxError> {
        for (col, (title, Column(width, holds))) in header.iter().zip(columns).enumerate() {
            let col = col_index(col);
            self.sheet
                .write_string_with_format(row, col, *title, &self.styles.header)?;
            self.sheet.set_column_width(col, *width)?;
            if self.formats == Formats::PerColumn {
                self.sheet
                    .set_column_format(col, self.styles.holding(*holds))?;
            }
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

/// The columns of the Summary sheet's table of categories.
const SUMMARY_COLUMNS: [Column; 8] = [
    Column::text(24.0),
    Column::number(10.0),
    Column::text(44.0),
    Column::number(11.0),
    Column::number(11.0),
    Column::number(10.0),
    Column::number(12.0),
    Column::number(8.0),
];

/// The columns of the Register sheet, in the order of its header.
const REGISTER_COLUMNS: [Column; 19] = [
    Column::text(14.0),
    Column::text(18.0),
    Column::text(16.0),
    Column::text(50.0),
    Column::text(8.0),
    Column::number(7.0),
    Column::text(14.0),
    Column::text(13.0),
    Column::text(30.0),
    Column::text(22.0),
    Column::text(40.0),
    Column::text(30.0),
    Column::text(16.0),
    Column::date(11.0),
    Column::text(13.0),
    Column::text(30.0),
    Column::text(14.0),
    Column::text(14.0),
    Column::text(14.0),
];

/// The columns of the Action plan sheet, in the order of its header.
const ACTION_COLUMNS: [Column; 15] = [
    Column::number(6.0),
    Column::text(14.0),
    Column::text(18.0),
    Column::text(16.0),
    Column::text(50.0),
    Column::text(8.0),
    Column::text(16.0),
    Column::number(7.0),
    Column::number(7.0),
    Column::number(9.0),
    Column::text(50.0),
    Column::text(30.0),
    Column::text(16.0),
    Column::date(11.0),
    Column::text(13.0),
];

/// The columns of the Control matrix sheet, in the order of its header.
const CONTROL_COLUMNS: [Column; 8] = [
    Column::text(12.0),
    Column::text(36.0),
    Column::text(44.0),
    Column::number(10.0),
    Column::decimal(10.0),
    Column::number(8.0),
    Column::number(8.0),
    Column::text(44.0),
];

/// The columns of the Evidence requests sheet, in the order of its header.
const EVIDENCE_COLUMNS: [Column; 11] = [
    Column::text(16.0),
    Column::text(14.0),
    Column::text(50.0),
    Column::text(8.0),
    Column::text(16.0),
    Column::number(7.0),
    Column::date(11.0),
    Column::text(40.0),
    Column::text(40.0),
    Column::text(40.0),
    Column::text(30.0),
];

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
/// dropped, at most 32,767 UTF-16 units (the end is cut, and says so).
fn cell_text(value: &str) -> Cow<'_, str> {
    // Almost all text passes a branch-free check of its bytes: control characters are bytes
    // below 0x20, 0x7F, or 0xC2 followed by 0x80..=0x9F. A 0xC2 byte also starts printable
    // characters (`£`, `°`), so it only sends the text to the check by character.
    let plain = !value.bytes().fold(false, |seen, b| {
        seen | ((b < 0x20) & (b != b'\n')) | (b == 0x7F) | (b == 0xC2)
    });
    let clean = plain
        || !value
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
    // A character takes no more UTF-16 units than UTF-8 bytes, so short text needs no count.
    if text.len() > MAX_CELL_UNITS && utf16_units(&text) > MAX_CELL_UNITS {
        const CUT: &str = " [cut: a cell holds 32,767 characters]";
        let mut room = MAX_CELL_UNITS - utf16_units(CUT);
        let mut cut = String::with_capacity(MAX_CELL_UNITS * 2);
        for c in text.chars() {
            let Some(left) = room.checked_sub(c.len_utf16()) else {
                break;
            };
            room = left;
            cut.push(c);
        }
        cut.push_str(CUT);
        text = Cow::Owned(cut);
    }
    text
}

/// The length of text as Excel counts it: in UTF-16 units (a character outside the Basic
/// Multilingual Plane, such as an emoji, counts two).
fn utf16_units(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
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

    // The four tables are written in the crate's constant-memory mode: each row goes out as XML
    // (to an unnamed temporary file) as soon as the next one starts, its text inline rather
    // than in the shared string table. That skips keeping every cell in a tree, hashing every
    // string into the table and walking the tree again at save, about a third of the export's
    // processor time, for a file about 15% larger. Rows are written in order, as this mode
    // needs. The summary, small and styled cell by cell, is kept whole.
    // Where no temporary file can be made (no writable temporary folder), a table is kept whole
    // instead, like the summary: slower, the same cells.
    let mut table_sheet = || {
        workbook
            .new_worksheet_with_constant_memory()
            .unwrap_or_else(|_| Worksheet::new())
    };
    let mut sheets = [
        Worksheet::new(),
        table_sheet(),
        table_sheet(),
        table_sheet(),
        table_sheet(),
    ];
    for (sheet, name) in sheets.iter_mut().zip(SHEETS) {
        sheet.set_name(name)?;
    }
    let [
        summary_sheet,
        register_sheet,
        actions_sheet,
        controls_sheet,
        evidence_sheet,
    ] = &mut sheets;
    // The tables' formats are numbered in the workbook here, in this order, not by whichever
    // thread reaches one first, so two exports of the same session are the same bytes.
    for format in [
        &styles.header,
        &styles.text,
        &styles.number,
        &styles.decimal,
        &styles.date,
    ] {
        workbook.register_format(format);
    }
    // Each sheet is filled on its own, so the register, the largest sheet, is filled on a
    // second thread beside the others.
    std::thread::scope(|scope| {
        let register_filled = scope.spawn(|| {
            register(
                &mut Sheet::new(register_sheet, &styles, Formats::PerColumn),
                &context.register,
                context.voters,
            )
        });
        summary(
            &mut Sheet::new(summary_sheet, &styles, Formats::PerCell),
            context,
        )?;
        action_plan(
            &mut Sheet::new(actions_sheet, &styles, Formats::PerColumn),
            &context.actions,
        )?;
        control_matrix(
            &mut Sheet::new(controls_sheet, &styles, Formats::PerColumn),
            context,
        )?;
        evidence_requests(
            &mut Sheet::new(evidence_sheet, &styles, Formats::PerColumn),
            context,
        )?;
        register_filled
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })?;
    for sheet in sheets {
        workbook.push_worksheet(sheet);
    }
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
        &SUMMARY_COLUMNS,
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
    s.table(0, &REGISTER_HEADER, &REGISTER_COLUMNS, rows.len())?;
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
    s.table(0, &ACTION_HEADER, &ACTION_COLUMNS, rows.len())?;
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
    s.table(0, &CONTROL_HEADER, &CONTROL_COLUMNS, rows.len())?;
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
    s.table(0, &EVIDENCE_HEADER, &EVIDENCE_COLUMNS, count)?;
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
        // C1 controls (two bytes from 0xC2) go, printable characters from the same byte stay.
        assert_eq!(cell_text("a\u{85}b\u{9b}c £ ° é"), "abc £ ° é");
        assert!(matches!(cell_text("£20 at 5°"), Cow::Borrowed(_)));
        let long = "é".repeat(40_000);
        let cut = cell_text(&long);
        assert_eq!(cut.chars().count(), MAX_CELL_UNITS);
        assert!(cut.ends_with("32,767 characters]"));
    }

    #[test]
    fn text_is_cut_as_excel_counts_it_so_emoji_never_break_the_workbook() {
        // 20,000 emoji are 40,000 UTF-16 units: over what a cell holds, under 32,767 characters.
        let emoji = "😀".repeat(20_000);
        let cut = cell_text(&emoji);
        assert_eq!(
            utf16_units(&cut),
            MAX_CELL_UNITS - 1,
            "no half emoji at the cut"
        );
        assert!(cut.ends_with("32,767 characters]"));
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, cell_text(&emoji)).unwrap();
        // Without the cut, the writer refuses the cell.
        assert!(sheet.write_string(1, 0, emoji.as_str()).is_err());
        // Exactly what a cell holds is kept whole.
        let full = "😀".repeat(16_383) + "a";
        assert!(matches!(cell_text(&full), Cow::Borrowed(_)));
        sheet.write_string(2, 0, full.as_str()).unwrap();
    }
}
