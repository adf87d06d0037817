//! Reading a spreadsheet file into rows of cells, remembering where each came
//! from so errors can point at it.

use super::ImportError;
use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use std::io::Cursor;

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A real date cell, or a number that can only be one.
    Date(NaiveDate),
    Number(f64),
}

impl Cell {
    /// The text a person sees in the cell.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.trim().to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Number(n) => n.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Csv,
    Xlsx,
}

#[derive(Debug, Clone)]
pub struct Row {
    /// The file's own line (CSV) or row (spreadsheet) number, from 1.
    pub line: usize,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn cell(&self, column: usize) -> Option<&Cell> {
        self.cells.get(column).filter(|c| !c.text().is_empty())
    }

    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.text().is_empty())
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    pub kind: Kind,
    pub rows: Vec<Row>,
}

impl Table {
    /// Reads a file by its extension: `.csv` or `.xlsx` (first sheet).
    pub fn read(file_name: &str, bytes: &[u8]) -> Result<Table, ImportError> {
        let ext = file_name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        let mut table = match ext.as_str() {
            "csv" => read_csv(bytes)?,
            "xlsx" | "xlsm" => read_xlsx(bytes)?,
            _ => return Err(ImportError::UnknownFileType(file_name.to_string())),
        };
        table.rows.retain(|r| !r.is_blank());
        if table.rows.is_empty() {
            return Err(ImportError::Empty);
        }
        Ok(table)
    }

    /// "line 4, column 7" for CSV, "row 4, column G" for a spreadsheet.
    pub fn locate(&self, line: usize, column: usize) -> String {
        match self.kind {
            Kind::Csv => format!("line {line}, column {}", column + 1),
            Kind::Xlsx => format!("row {line}, column {}", column_letters(column)),
        }
    }
}

fn read_csv(bytes: &[u8]) -> Result<Table, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    // The reader's own line count lags by one after a CRLF, so lines are
    // counted here from each record's byte offset.
    let mut lines = LineCounter::new(bytes);
    loop {
        let line = lines.line_at(reader.position().byte() as usize);
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(ImportError::Unreadable(format!("line {line}: {e}"))),
        }
        let line = record
            .position()
            .map_or(line, |p| lines.line_at(p.byte() as usize));
        let mut cells = Vec::with_capacity(record.len());
        for field in record.iter() {
            let text = std::str::from_utf8(field).map_err(|_| {
                ImportError::Unreadable(format!(
                    "line {line}: the text is not UTF-8; save the sheet as \"CSV UTF-8\""
                ))
            })?;
            cells.push(Cell::Text(text.to_string()));
        }
        rows.push(Row { line, cells });
    }
    Ok(Table {
        kind: Kind::Csv,
        rows,
    })
}

/// Finds the line a byte offset is on, moving forward only.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, mut offset: usize) -> usize {
        // A record may be said to start on the line end before it.
        while matches!(self.bytes.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        let offset = offset.min(self.bytes.len());
        if offset > self.offset {
            self.line += self.bytes[self.offset..offset]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.offset = offset;
        }
        self.line
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, ImportError> {
    let unreadable = |e: &dyn std::fmt::Display| {
        ImportError::Unreadable(format!("not a readable .xlsx workbook: {e}"))
    };
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(ImportError::Empty)?
        .map_err(|e| unreadable(&e))?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut row: Vec<Cell> = vec![Cell::Text(String::new()); first_col];
            row.extend(cells.iter().map(xlsx_cell));
            Row {
                line: first_row + i + 1,
                cells: row,
            }
        })
        .collect();
    Ok(Table {
        kind: Kind::Xlsx,
        rows,
    })
}

fn xlsx_cell(data: &Data) -> Cell {
    match data {
        Data::DateTime(dt) => {
            excel_serial_date(dt.as_f64()).map_or_else(|| Cell::Number(dt.as_f64()), Cell::Date)
        }
        Data::DateTimeIso(s) => s
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map_or_else(|| Cell::Text(s.clone()), Cell::Date),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::String(s) => Cell::Text(s.clone()),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
        Data::Empty => Cell::Text(String::new()),
    }
}

/// Excel counts days from 30 December 1899 (which absorbs its 1900 leap-year bug
/// for every date after February 1900).
pub fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?
        .checked_add_days(chrono::Days::new(serial.floor() as u64))
}

fn column_letters(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}
