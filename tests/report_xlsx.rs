//! The Excel workbook read back with a spreadsheet reader (calamine): its sheets, headers and
//! row counts, numbers as numbers, dates as dates, and text people typed as string cells, never
//! formulas; and from the package itself, frozen header rows, filters, the heatmap colours and
//! table cells and columns that wrap text inside a border.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aiready::domain::session::Session;
use aiready::report::{self, Format, Options, xlsx};
use calamine::{Data, Reader, Xlsx};
use common::fixture_session as fixture;
use common::report_cli::{aiready, stderr, with_session};
use std::io::{Cursor, Read};
use std::process::Command;

fn workbook_bytes(session: &Session, options: &Options) -> Vec<u8> {
    report::render_bytes(Format::Xlsx, fixture::bank(), session, options).unwrap()
}

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap()
}

/// The rows of a sheet, as calamine reads them.
fn rows(book: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str) -> Vec<Vec<Data>> {
    book.worksheet_range(sheet)
        .unwrap()
        .rows()
        .map(<[Data]>::to_vec)
        .collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// The part of the package at `name` (e.g. a sheet's XML).
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
    out
}

/// How many rows the CSV export has in its action plan, or with `register`, every applicable
/// question.
fn csv_rows(session: &Session, register: bool) -> usize {
    let mut options = fixture::options();
    options.csv.register = register;
    let csv = report::render(Format::Csv, fixture::bank(), session, &options).unwrap();
    csv::Reader::from_reader(csv.as_bytes()).records().count()
}

#[test]
fn sheets_headers_and_row_counts() {
    let session = fixture::session();
    let bytes = workbook_bytes(&session, &fixture::options());
    let mut book = open(&bytes);
    assert_eq!(book.sheet_names(), xlsx::SHEETS);

    let register = rows(&mut book, "Register");
    let header: Vec<String> = register[0].iter().map(text).collect();
    assert_eq!(header, xlsx::REGISTER_HEADER);
    let applicable = session.applicable_questions(fixture::bank()).len();
    assert_eq!(register.len() - 1, applicable);
    assert_eq!(csv_rows(&session, true), applicable);

    let actions = rows(&mut book, "Action plan");
    let header: Vec<String> = actions[0].iter().map(text).collect();
    assert_eq!(header, xlsx::ACTION_HEADER);
    assert_eq!(actions.len() - 1, csv_rows(&session, false));

    let controls = rows(&mut book, "Control matrix");
    let header: Vec<String> = controls[0].iter().map(text).collect();
    assert_eq!(header, xlsx::CONTROL_HEADER);
    let md = report::render(
        Format::Markdown,
        fixture::bank(),
        &session,
        &fixture::options(),
    )
    .unwrap();
    let soc2 = md
        .split("## SOC 2 control matrix")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let markdown_rows = soc2.lines().filter(|l| l.starts_with("| ")).count() - 1;
    assert_eq!(controls.len() - 1, markdown_rows);

    let evidence = rows(&mut book, "Evidence requests");
    let header: Vec<String> = evidence[0].iter().map(text).collect();
    assert_eq!(header, xlsx::EVIDENCE_HEADER);
    let gaps = actions[1..]
        .iter()
        .filter(|r| !matches!(&r[9], Data::String(s) if s == "not a gap"))
        .count();
    assert_eq!(evidence.len() - 1, gaps);
}

#[test]
fn numbers_are_numbers_and_dates_are_dates() {
    let session = fixture::session();
    let bytes = workbook_bytes(&session, &fixture::options());
    let mut book = open(&bytes);
    let register = rows(&mut book, "Register");
    let col = |name: &str| {
        xlsx::REGISTER_HEADER
            .iter()
            .position(|h| *h == name)
            .unwrap()
    };
    let (id_col, level_col, due_col, name_col) = (
        col("Question id"),
        col("Level"),
        col("Due date"),
        col("Level name"),
    );
    let mut dates = 0;
    let mut levels = 0;
    for row in &register[1..] {
        let id = text(&row[id_col]);
        let record = session.record(&id).cloned().unwrap_or_default();
        match record.answer.and_then(|a| a.scored_level()) {
            Some(level) => {
                assert_eq!(row[level_col], Data::Float(f64::from(level)), "{id}");
                levels += 1;
            }
            None => assert_eq!(row[level_col], Data::Empty, "{id}"),
        }
        assert_eq!(
            text(&row[name_col]),
            record.answer.map_or("", |a| a.name()),
            "{id}"
        );
        match record.action.due {
            Some(due) => {
                let Data::DateTime(cell) = &row[due_col] else {
                    panic!("{id}: due date is {:?}", row[due_col]);
                };
                // Excel counts days from 1899-12-30.
                let days = (due - jiff::civil::date(1899, 12, 30)).get_days();
                assert_eq!(cell.as_f64(), f64::from(days), "{id}");
                dates += 1;
            }
            None => assert_eq!(row[due_col], Data::Empty, "{id}"),
        }
    }
    assert!(dates > 5 && levels > 50, "{dates} dates, {levels} levels");

    // The summary: the overall score and category scores as numbers, the heatmap with numbers.
    let summary = rows(&mut book, "Summary");
    let overall = summary
        .iter()
        .find(|r| text(&r[0]) == "Overall score")
        .unwrap();
    assert!(matches!(overall[1], Data::Float(s) if (0.0..=100.0).contains(&s)));
    let heat_at = summary
        .iter()
        .position(|r| text(&r[0]).starts_with("Heatmap"))
        .unwrap();
    let heat_numbers = summary[heat_at + 2..]
        .iter()
        .take_while(|r| !text(&r[0]).is_empty())
        .flat_map(|r| r[1..].iter())
        .filter(|c| matches!(c, Data::Float(_)))
        .count();
    assert!(heat_numbers >= 10, "{heat_numbers} scored heatmap cells");
    let ai = summary
        .iter()
        .find(|r| text(&r[0]).starts_with("AI risk"))
        .unwrap();
    assert!(matches!(ai[3], Data::Float(_)), "answered is a number");
}

#[test]
fn text_people_typed_is_never_a_formula() {
    let bytes = workbook_bytes(&fixture::hostile_session(), &fixture::options());
    let mut book = open(&bytes);
    for sheet in xlsx::SHEETS {
        let formulas = book.worksheet_formula(sheet).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{sheet} has a formula"
        );
    }
    let register = rows(&mut book, "Register");
    let notes_col = xlsx::REGISTER_HEADER
        .iter()
        .position(|h| *h == "Notes")
        .unwrap();
    let hostile = register[1..]
        .iter()
        .map(|r| &r[notes_col])
        .find(|c| matches!(c, Data::String(s) if s.starts_with("=HYPERLINK(")))
        .expect("a note starting with =HYPERLINK( is in the register");
    assert!(
        matches!(hostile, Data::String(s) if s.starts_with("=HYPERLINK(\"http://evil\")\nline one\nline two")),
        "{hostile:?}"
    );
    // Written as a string cell, which no spreadsheet evaluates.
    let sheet = part(&bytes, "xl/worksheets/sheet2.xml");
    assert!(!sheet.contains("<f>"), "no formula element");
    let control_chars = register
        .iter()
        .flatten()
        .filter(
            |c| matches!(c, Data::String(s) if s.chars().any(|ch| ch.is_control() && ch != '\n')),
        )
        .count();
    assert_eq!(control_chars, 0);
}

#[test]
fn header_rows_are_frozen_and_filtered_and_the_heatmap_is_coloured() {
    let bytes = workbook_bytes(&fixture::session(), &fixture::options());
    for n in 2..=5 {
        let sheet = part(&bytes, &format!("xl/worksheets/sheet{n}.xml"));
        assert!(
            sheet.contains(r#"ySplit="1""#) && sheet.contains(r#"state="frozen""#),
            "sheet {n} freezes its header row"
        );
        assert!(sheet.contains("<autoFilter"), "sheet {n} has filters");
        assert!(sheet.contains("<col "), "sheet {n} sets column widths");
    }
    let styles = part(&bytes, "xl/styles.xml");
    for colour in ["FF1E6B34", "FFF6D365", "FFE8837C"] {
        assert!(styles.contains(colour), "{colour}");
    }
    assert!(styles.contains(r#"wrapText="1""#));
    assert!(styles.contains("yyyy-mm-dd"));
}

#[test]
fn two_exports_are_the_same_bytes_and_anonymized_ones_have_no_names() {
    // Sheets are filled on two threads: whichever reaches a cell format first must not decide
    // its number in the workbook, so a few more exports are compared too.
    let a = workbook_bytes(&fixture::session(), &fixture::options());
    for _ in 0..20 {
        let b = workbook_bytes(&fixture::session(), &fixture::options());
        assert!(a == b, "two exports of the same session differ");
    }
    let anonymized = Options {
        anonymize: true,
        ..fixture::options()
    };
    let bytes = workbook_bytes(&fixture::session(), &anonymized);
    let mut book = open(&bytes);
    for sheet in xlsx::SHEETS {
        for cell in rows(&mut book, sheet).iter().flatten() {
            let t = text(cell);
            let words: Vec<&str> = t.split(|c: char| !c.is_alphanumeric()).collect();
            for name in fixture::NAMES {
                for part in name.split(' ') {
                    assert!(!words.contains(&part), "{part} in {sheet}: {t}");
                }
            }
        }
    }
    let core = part(&bytes, "docProps/core.xml");
    assert!(!core.contains("Fiona"), "{core}");
}

#[test]
fn the_command_line_writes_the_workbook_to_a_file_or_a_pipe() {
    let dir = with_session(&fixture::session());
    let out = aiready(
        &["export", fixture::ID, "-f", "xlsx", "-o", "plan.xlsx"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(dir.path().join("plan.xlsx")).unwrap();
    assert_eq!(open(&bytes).sheet_names(), xlsx::SHEETS);
    // Standard output that is not a terminal gets the bytes.
    let out = aiready(&["export", fixture::ID, "-f", "xlsx"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.starts_with(b"PK"));
    assert_eq!(open(&out.stdout).sheet_names(), xlsx::SHEETS);
}

#[test]
fn without_a_writable_temporary_folder_the_workbook_is_still_written() {
    let dir = with_session(&fixture::session());
    let expected = workbook_bytes(&fixture::session(), &fixture::options());
    let out = Command::new(env!("CARGO_BIN_EXE_aiready"))
        .args(["export", fixture::ID, "-f", "xlsx"])
        .current_dir(dir.path())
        .env("AIREADY_DATA_DIR", dir.path().join("data"))
        .env("AIREADY_CONFIG_DIR", dir.path().join("config"))
        .env("TMPDIR", dir.path().join("no such folder"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut book = open(&out.stdout);
    assert_eq!(book.sheet_names(), xlsx::SHEETS);
    for sheet in xlsx::SHEETS {
        assert_eq!(
            rows(&mut book, sheet).len(),
            rows(&mut open(&expected), sheet).len(),
            "{sheet}"
        );
    }
}

/// The attribute `name` of an XML start tag's text, e.g. `s` of `<c r="A2" s="3" t="s">`.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// The start tags named `name` in `xml`, each up to its closing `>`.
fn tags<'x>(xml: &'x str, name: &str) -> Vec<&'x str> {
    let open = format!("<{name} ");
    xml.match_indices(&open)
        .filter_map(|(at, _)| xml[at..].find('>').map(|end| &xml[at..at + end]))
        .collect()
}

#[test]
fn table_cells_and_their_columns_are_wrapped_and_bordered() {
    let bytes = workbook_bytes(&fixture::session(), &fixture::options());
    // The cell formats by index, and which of them wrap text inside a border.
    let styles = part(&bytes, "xl/styles.xml");
    let cell_xfs = styles
        .split_once("<cellXfs")
        .and_then(|(_, rest)| rest.split_once("</cellXfs>"))
        .unwrap()
        .0;
    let boxed: Vec<bool> = cell_xfs
        .split("<xf ")
        .skip(1)
        .map(|xf| {
            xf.contains(r#"wrapText="1""#)
                && attribute(&format!(" {xf}"), "borderId").is_some_and(|b| b != "0")
        })
        .collect();
    let is_boxed = |style: Option<&str>| {
        style
            .and_then(|s| s.parse::<usize>().ok())
            .is_some_and(|s| boxed.get(s) == Some(&true))
    };
    for n in 2..=5 {
        let sheet = part(&bytes, &format!("xl/worksheets/sheet{n}.xml"));
        // Every column of the table carries the format, so a cell left empty looks like the
        // others, and so does a row added below the table.
        let cols = tags(&sheet, "col");
        assert!(!cols.is_empty(), "sheet {n} sets its columns");
        for col in cols {
            assert!(is_boxed(attribute(col, "style")), "sheet {n}: {col}");
        }
        let mut cells = 0;
        for cell in tags(&sheet, "c") {
            assert!(is_boxed(attribute(cell, "s")), "sheet {n}: {cell}");
            cells += 1;
        }
        assert!(cells > 10, "sheet {n} has {cells} cells");
    }
}
