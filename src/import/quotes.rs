//! Watches the bytes of a CSV file on their way to the csv reader: where
//! lines end (so a record's line can be named without holding the file) and
//! whether a quote is left open.
//!
//! The csv crate reads an unclosed quote to the end of the file without
//! complaint, so one missing `"` turns the rest of the plan into a single
//! cell. The state machine here mirrors the reader's (RFC 4180 with doubled
//! quotes) to catch that, and the case where a later stray quote closes it.

use super::RowError;
use super::report::SHOWN;
use std::collections::VecDeque;
use std::io::{BufRead, Read};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StartField,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the end of it, or the first of a pair.
    QuoteInQuoted,
}

pub struct LineTracker<R> {
    inner: R,
    /// Bytes handed on so far.
    offset: u64,
    /// Line ends handed on but not yet passed by `line_at`.
    line_ends: VecDeque<(u64, u8)>,
    line_at_line: usize,
    state: State,
    line: usize,
    field: usize,
    opened: (usize, usize),
    /// The first problems, and how many more there were.
    problems: Vec<RowError>,
    more: usize,
    at_end: bool,
}

impl<R: BufRead> LineTracker<R> {
    pub fn new(inner: R) -> Self {
        LineTracker {
            inner,
            offset: 0,
            line_ends: VecDeque::new(),
            line_at_line: 1,
            state: State::StartField,
            line: 1,
            field: 0,
            opened: (1, 0),
            problems: Vec::new(),
            more: 0,
            at_end: false,
        }
    }

    /// The line a byte offset is on, moving forward only. A record may be
    /// said to start on the line end before it, so line ends at the offset
    /// are passed over.
    pub fn line_at(&mut self, mut offset: u64) -> usize {
        while let Some(&(at, byte)) = self.line_ends.front() {
            if at > offset {
                break;
            }
            if at == offset {
                offset += 1;
            }
            if byte == b'\n' {
                self.line_at_line += 1;
            }
            self.line_ends.pop_front();
        }
        self.line_at_line
    }

    /// The problems found, the first few in full and a count of the rest.
    pub fn problems(&self) -> (Vec<RowError>, usize) {
        let mut out = self.problems.clone();
        if self.at_end && self.state == State::Quoted {
            let (line, field) = self.opened;
            out.push(RowError {
                location: format!("line {line}, column {}", field + 1),
                line,
                reason: "this cell opens a quote (\") that is never closed, so the rest of the \
                         file would be read as one cell; add the closing quote"
                    .into(),
            });
        }
        (out, self.more)
    }

    fn watch(&mut self, bytes: &[u8]) {
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || b == b'\r' {
                self.line_ends.push_back((self.offset + i as u64, b));
            }
            self.step(b);
            if b == b'\n' {
                self.line += 1;
            }
        }
        self.offset += bytes.len() as u64;
    }

    fn step(&mut self, b: u8) {
        let end_of_record = b == b'\n' || b == b'\r';
        self.state = match (self.state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::StartField, b'"') => {
                self.opened = (self.line, self.field);
                State::Quoted
            }
            (_, b',') => {
                self.field += 1;
                State::StartField
            }
            _ if end_of_record => {
                self.field = 0;
                State::StartField
            }
            (State::QuoteInQuoted, _) => {
                self.text_after_closing_quote();
                State::Unquoted
            }
            _ => State::Unquoted,
        };
    }

    /// `"…"text` is not CSV: the quote that opened the cell is closed by one
    /// meant to be inside it, or by a stray quote rows later.
    fn text_after_closing_quote(&mut self) {
        let (line, field) = self.opened;
        let reason = if self.line > line {
            format!(
                "the quote (\") that opens this cell is only closed on line {}, with text after \
                 it, so the rows in between were read as one cell; a closing quote is probably missing",
                self.line
            )
        } else {
            "this cell starts with a quote (\") and has text after the closing one; end the \
             cell with a quote, and write a quote inside it as \"\""
                .to_string()
        };
        if self.problems.len() >= SHOWN {
            self.more += 1;
            return;
        }
        self.problems.push(RowError {
            location: format!("line {line}, column {}", field + 1),
            line,
            reason,
        });
    }
}

impl<R: BufRead> Read for LineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            self.at_end = true;
        }
        self.watch(&buf[..n]);
        Ok(n)
    }
}
