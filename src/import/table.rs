//! Reading a spreadsheet file into rows of cells, remembering where each came
//! from so errors can point at it. CSV is read one record at a time, so a big
//! file is never held whole.

use super::ImportError;
use super::quotes::LineTracker;
use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use std::io::{BufRead, Cursor};

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

    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Text(t) => t.trim().is_empty(),
            Cell::Date(_) | Cell::Number(_) => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Csv,
    Xlsx,
}

impl Kind {
    /// Which reader a file name calls for.
    pub fn of(file_name: &str) -> Result<Kind, ImportError> {
        let ext = file_name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "csv" => Ok(Kind::Csv),
            "xlsx" | "xlsm" => Ok(Kind::Xlsx),
            _ => Err(ImportError::UnknownFileType(file_name.to_string())),
        }
    }

    /// What a place in the file is called: "line" in a CSV file, "row" in a sheet.
    pub fn line_word(self) -> &'static str {
        match self {
            Kind::Csv => "line",
            Kind::Xlsx => "row",
        }
    }

    /// "line 4, column 7" for CSV, "row 4, column G" for a spreadsheet.
    pub fn locate(self, line: usize, column: usize) -> String {
        match self {
            Kind::Csv => format!("line {line}, column {}", column + 1),
            Kind::Xlsx => format!("row {line}, column {}", column_letters(column)),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Row {
    /// The file's own line (CSV) or row (spreadsheet) number, from 1.
    pub line: usize,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn cell(&self, column: usize) -> Option<&Cell> {
        self.cells.get(column).filter(|c| !c.is_empty())
    }

    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_empty)
    }
}

/// Where the rows of a file come from, one at a time.
pub enum Rows<R> {
    Csv(Box<CsvRows<R>>),
    Xlsx(std::vec::IntoIter<Row>),
}

impl<R: BufRead> Rows<R> {
    pub fn kind(&self) -> Kind {
        match self {
            Rows::Csv(_) => Kind::Csv,
            Rows::Xlsx(_) => Kind::Xlsx,
        }
    }

    /// The next row that is not blank, or `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<Row>, ImportError> {
        loop {
            let row = match self {
                Rows::Csv(csv) => csv.next_row()?,
                Rows::Xlsx(rows) => rows.next(),
            };
            match row {
                Some(r) if r.is_blank() => continue,
                other => return Ok(other),
            }
        }
    }

    /// Quotes that were never closed, found once the file has been read.
    pub fn quote_problems(&self) -> (Vec<super::RowError>, usize) {
        match self {
            Rows::Csv(csv) => csv.reader.get_ref().problems(),
            Rows::Xlsx(_) => (Vec::new(), 0),
        }
    }
}

pub struct CsvRows<R> {
    reader: csv::Reader<LineTracker<R>>,
    record: csv::ByteRecord,
}

impl<R: BufRead> CsvRows<R> {
    pub fn new(mut input: R) -> Result<Self, ImportError> {
        let unreadable = |e: std::io::Error| ImportError::Unreadable(e.to_string());
        if input
            .fill_buf()
            .map_err(unreadable)?
            .starts_with(b"\xEF\xBB\xBF")
        {
            input.consume(3);
        }
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(LineTracker::new(input));
        Ok(CsvRows {
            reader,
            record: csv::ByteRecord::new(),
        })
    }

    fn next_row(&mut self) -> Result<Option<Row>, ImportError> {
        let before = self.reader.position().byte();
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => return Ok(None),
            Ok(true) => {}
            Err(e) => {
                let line = self.reader.get_mut().line_at(before);
                return Err(ImportError::Unreadable(format!("line {line}: {e}")));
            }
        }
        // The reader's own line count lags by one after a CRLF, so lines are
        // counted from each record's byte offset.
        let start = self.record.position().map_or(before, |p| p.byte());
        let line = self.reader.get_mut().line_at(start);
        let mut cells = Vec::with_capacity(self.record.len());
        for field in self.record.iter() {
            let text = std::str::from_utf8(field).map_err(|_| {
                ImportError::Unreadable(format!(
                    "line {line}: the text is not UTF-8; save the sheet as \"CSV UTF-8\""
                ))
            })?;
            cells.push(Cell::Text(text.to_string()));
        }
        Ok(Some(Row { line, cells }))
    }
}

/// Every sheet of a workbook, by name, in the workbook's order.
pub fn read_xlsx_sheets(bytes: &[u8]) -> Result<Vec<(String, Vec<Row>)>, ImportError> {
    let unreadable = |e: &dyn std::fmt::Display| {
        ImportError::Unreadable(format!("not a readable .xlsx workbook: {e}"))
    };
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let names = book.sheet_names();
    if names.is_empty() {
        return Err(ImportError::Empty);
    }
    let mut unsaved = Vec::new();
    let sheets = names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).map_err(|e| unreadable(&e))?;
            let styles = book.worksheet_style(&name).map_err(|e| unreadable(&e))?;
            let formulas = book.worksheet_formula(&name).map_err(|e| unreadable(&e))?;
            unsaved.extend(
                formulas_without_result(&range, &formulas)
                    .map(|(at, formula)| format!("sheet \"{name}\", {at} (={formula})")),
            );
            Ok((name, sheet_rows(&range, &styles)))
        })
        .collect::<Result<Vec<_>, ImportError>>()?;
    if !unsaved.is_empty() {
        return Err(ImportError::UnsavedFormulas(unsaved));
    }
    Ok(sheets)
}

/// The cells that hold a formula but no saved result, as a workbook a
/// program wrote (openpyxl, for one) has them: Excel and LibreOffice save
/// each formula's result, and that is all planbot reads. Read as empty, such
/// a cell would clear what is recorded. A formula whose result is empty
/// text is saved as such, and is not one of these.
fn formulas_without_result<'a>(
    values: &'a calamine::Range<Data>,
    formulas: &'a calamine::Range<String>,
) -> impl Iterator<Item = (String, &'a str)> {
    let (top, left) = formulas.start().unwrap_or((0, 0));
    formulas
        .used_cells()
        .filter_map(move |(row, col, formula)| {
            let at = (top + row as u32, left + col as u32);
            let saved = values.get_value(at).is_some_and(|v| *v != Data::Empty);
            (!saved).then(|| {
                let place = Kind::Xlsx.locate(at.0 as usize + 1, at.1 as usize);
                (place, formula.as_str())
            })
        })
}

fn sheet_rows(range: &calamine::Range<Data>, styles: &calamine::StyleRange) -> Vec<Row> {
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut row: Vec<Cell> = vec![Cell::Text(String::new()); first_col];
            row.extend(cells.iter().enumerate().map(|(j, data)| {
                let at = ((first_row + i) as u32, (first_col + j) as u32);
                match data {
                    // A cell Excel shows as "85%" holds 0.85: read what it shows,
                    // as a CSV saved from the sheet would have it.
                    Data::Float(f) if shown_as_percent(styles.get(at), *f) => {
                        Cell::Text(percent(*f))
                    }
                    Data::Int(n) if shown_as_percent(styles.get(at), *n as f64) => {
                        Cell::Text(percent(*n as f64))
                    }
                    _ => xlsx_cell(data),
                }
            }));
            Row {
                line: first_row + i + 1,
                cells: row,
            }
        })
        .collect()
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

/// Whether a cell's number format shows `value` as a percentage: Excel's
/// own "0%" and "0.00%" (ids 9 and 10), or a custom format whose section
/// for the value (positive;negative;zero) has a % sign that is not quoted,
/// escaped, or a spacing or fill character.
fn shown_as_percent(style: Option<&calamine::Style>, value: f64) -> bool {
    style
        .and_then(|s| s.number_format.as_ref())
        .is_some_and(|f| percent_format(f.format_id, &f.format_code, value))
}

fn percent_format(id: Option<u32>, code: &str, value: f64) -> bool {
    if matches!(id, Some(9 | 10)) {
        return true;
    }
    // Outside quotes, \ shows the next character as it is, and _ and *
    // use it only for spacing and fill; ; starts the next section.
    let (mut quoted, mut literal) = (false, false);
    let mut sections = vec![false];
    for c in code.chars() {
        match c {
            _ if literal => literal = false,
            '"' => quoted = !quoted,
            '\\' | '_' | '*' if !quoted => literal = true,
            ';' if !quoted => sections.push(false),
            '%' if !quoted => *sections.last_mut().unwrap_or(&mut false) = true,
            _ => {}
        }
    }
    // A missing section is shown as the first (a missing zero section too).
    let which = match (value < 0.0, value == 0.0) {
        (true, _) if sections.len() > 1 => 1,
        (_, true) if sections.len() > 2 => 2,
        _ => 0,
    };
    sections[which]
}

/// 0.855 as "85.5%", without the float's noise (0.85 * 100 is 85.00000000000001).
fn percent(fraction: f64) -> String {
    // + 0.0 turns the -0 a tiny negative fraction rounds to into 0.
    let shown = (fraction * 100.0 * 1e9).round() / 1e9 + 0.0;
    format!("{shown}%")
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
    letters.into_iter().map(char::from).collect()
}

#[cfg(test)]
mod tests {
    use super::{percent, percent_format};

    #[test]
    fn a_percent_sign_scales_only_where_excel_scales() {
        // In quotes a backslash is only a backslash: the quote ends there.
        for code in [
            "0%",
            "0.0%",
            "0%;[Red]-0%",
            "#,##0.00%",
            "[Blue]0%",
            "\"a\\\"0%",
        ] {
            assert!(percent_format(None, code, 0.5), "{code}");
        }
        assert!(percent_format(Some(9), "General", 0.5));
        for code in ["0", "#,##0.00", "0\\%", "0\"%\"", "0_%", "0*%"] {
            assert!(!percent_format(None, code, 0.5), "{code}");
        }
        // Each sign has its section; a value takes the % of its own only.
        assert!(!percent_format(None, "0;-0%", 28.0));
        assert!(percent_format(None, "0;-0%", -0.28));
        assert!(!percent_format(None, "0%;-0%;\"none\"", 0.0));
        assert!(percent_format(None, "0%;-0", 0.0));
    }

    #[test]
    fn a_fraction_reads_as_the_percentage_excel_shows() {
        assert_eq!(percent(0.85), "85%");
        assert_eq!(percent(0.855), "85.5%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(-1e-13), "0%");
    }
}
