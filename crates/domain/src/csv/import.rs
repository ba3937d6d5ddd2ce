//! Typed import and export over the CSV reader: header matching, every error by line and column, duplicate keys.

use std::collections::HashMap;
use std::fmt;

use super::{CsvRecord, parse, write};

/// A column of an import file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvColumn {
    /// The column's name as written in the header, lower case with underscores.
    pub name: &'static str,
    /// Whether the header must have it. (Whether a value may be blank is up to the row.)
    pub required: bool,
}

/// A record type that can be imported from and exported to CSV.
pub trait CsvRow: Sized {
    /// What the rows are, plural: "schools".
    const RECORDS: &'static str;
    /// The columns, in the order export writes them.
    const COLUMNS: &'static [CsvColumn];
    /// The column that identifies a record; two rows in one file may not share its value.
    const KEY_COLUMN: &'static str;

    /// The identifying value, normalised so that equal keys compare equal.
    fn key(&self) -> String;

    /// Reads one row. Records every problem on `row` and returns `None` if there was any;
    /// read every column before giving up, so the file's author sees all the errors at once.
    fn read(row: &mut RowReader<'_>) -> Option<Self>;

    /// The row's values for export, in [`CsvRow::COLUMNS`] order, written so that
    /// [`CsvRow::read`] reads them back to the same row.
    fn to_fields(&self) -> Vec<String>;
}

/// A problem found in an import file: where it is and what is wrong, in plain words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportIssue {
    /// The line in the file, counting the header as line 1.
    pub line: usize,
    /// The column, if the problem is in one column.
    pub column: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for ImportIssue {
    /// "Line 4, column postcode: Enter a postcode like SW1A 1AA".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "Line {}, column {}: {}", self.line, column, self.message),
            None => write!(f, "Line {}: {}", self.line, self.message),
        }
    }
}

/// A row read from a file, with the line it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedRow<T> {
    /// The line the row starts on.
    pub line: usize,
    /// The row.
    pub row: T,
}

/// The result of reading an import file. The file may be imported only if `errors` is
/// empty (all or nothing); `rows` holds the rows that read cleanly, for a preview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportOutcome<T> {
    /// Rows that read without error, in file order.
    pub rows: Vec<ImportedRow<T>>,
    /// Every error, in file order. Any error rejects the whole file.
    pub errors: Vec<ImportIssue>,
    /// Things worth telling the user that do not stop the import (unknown columns).
    pub warnings: Vec<ImportIssue>,
}

impl<T> ImportOutcome<T> {
    /// True if the file can be imported.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The rows if there were no errors, else the errors.
    pub fn into_rows(self) -> Result<Vec<ImportedRow<T>>, Vec<ImportIssue>> {
        if self.errors.is_empty() {
            Ok(self.rows)
        } else {
            Err(self.errors)
        }
    }

    fn failed(issue: ImportIssue, warnings: Vec<ImportIssue>) -> Self {
        ImportOutcome {
            rows: Vec::new(),
            errors: vec![issue],
            warnings,
        }
    }
}

/// The values of one data row, by column name, collecting errors as they are found.
pub struct RowReader<'a> {
    line: usize,
    record: &'a CsvRecord,
    positions: &'a HashMap<&'static str, usize>,
    errors: &'a mut Vec<ImportIssue>,
    failed: bool,
}

impl RowReader<'_> {
    /// The line this row starts on.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The trimmed value of a column, or `None` if the file has no such column or the value
    /// is blank.
    pub fn value(&self, column: &str) -> Option<&str> {
        let index = *self.positions.get(column)?;
        let value = super::unescape_formula(self.record.fields.get(index)?.trim());
        (!value.is_empty()).then_some(value)
    }

    /// Records a problem with a column.
    pub fn error(&mut self, column: &str, message: impl Into<String>) {
        self.failed = true;
        self.errors.push(ImportIssue {
            line: self.line,
            column: Some(column.to_string()),
            message: message.into(),
        });
    }

    /// A value that must be present and read by `parse`. `None` means an error was recorded.
    pub fn required<T, E: fmt::Display>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        match self.value(column) {
            None => {
                self.error(column, "This must be filled in");
                None
            }
            Some(text) => match parse(text) {
                Ok(value) => Some(value),
                Err(e) => {
                    self.error(column, e.to_string());
                    None
                }
            },
        }
    }

    /// A value that may be blank. `Some(None)` is blank; `None` means an error was recorded.
    pub fn optional<T, E: fmt::Display>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        match self.value(column) {
            None => Some(None),
            Some(text) => match parse(text) {
                Ok(value) => Some(Some(value)),
                Err(e) => {
                    self.error(column, e.to_string());
                    None
                }
            },
        }
    }

    /// Text that must be present, at most `max_chars` characters.
    pub fn required_text(&mut self, column: &str, max_chars: usize) -> Option<String> {
        self.required(column, |t| text_within(t, max_chars))
    }

    /// Text that may be blank, at most `max_chars` characters.
    pub fn optional_text(&mut self, column: &str, max_chars: usize) -> Option<Option<String>> {
        self.optional(column, |t| text_within(t, max_chars))
    }

    /// A yes/no column; blank is no.
    pub fn flag(&mut self, column: &str) -> Option<bool> {
        self.optional(column, crate::validate::parse_yes_no)
            .map(|v| v.unwrap_or(false))
    }
}

fn text_within(text: &str, max_chars: usize) -> Result<String, String> {
    if text.chars().count() > max_chars {
        Err(format!("This must be {max_chars} characters or fewer"))
    } else {
        Ok(text.to_string())
    }
}

/// How a header cell is matched to a column: case and surrounding spaces ignored, and
/// spaces or hyphens inside taken as underscores ("Date of birth" is `date_of_birth`).
fn header_key(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

/// Reads a whole import file into typed rows, collecting every error.
///
/// - The first non-blank line is the header. Column names match case-insensitively with
///   spaces around trimmed; unknown columns are reported as warnings and ignored; a missing
///   required column or a column named twice is an error.
/// - Blank lines (and rows of only commas) are skipped.
/// - Each row is read by [`CsvRow::read`]; every problem is reported as (line, column,
///   message). A row with fewer values than the header has columns is an error.
/// - Two rows with the same key ([`CsvRow::KEY_COLUMN`]) are an error naming both lines.
pub fn import<T: CsvRow>(text: &str) -> ImportOutcome<T> {
    let records = match parse(text) {
        Ok(records) => records,
        Err(e) => {
            return ImportOutcome::failed(
                ImportIssue {
                    line: e.line(),
                    column: None,
                    message: e.message().to_string(),
                },
                Vec::new(),
            );
        }
    };
    let mut records = records.into_iter().filter(|r| !r.is_blank());
    let Some(header) = records.next() else {
        return ImportOutcome::failed(
            ImportIssue {
                line: 1,
                column: None,
                message: format!(
                    "The file is empty. The first line must name the columns: {}",
                    T::COLUMNS.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
                ),
            },
            Vec::new(),
        );
    };

    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut positions: HashMap<&'static str, usize> = HashMap::new();
    for (index, name) in header.fields.iter().enumerate() {
        let key = header_key(name);
        match T::COLUMNS.iter().find(|c| c.name == key) {
            Some(column) => {
                if let Some(first) = positions.insert(column.name, index) {
                    errors.push(ImportIssue {
                        line: header.line,
                        column: Some(column.name.to_string()),
                        message: format!(
                            "The column {} appears twice (columns {} and {})",
                            column.name,
                            first + 1,
                            index + 1
                        ),
                    });
                }
            }
            None if key.is_empty() => warnings.push(ImportIssue {
                line: header.line,
                column: None,
                message: format!("Column {} has no name and was ignored", index + 1),
            }),
            None => warnings.push(ImportIssue {
                line: header.line,
                column: Some(name.trim().to_string()),
                message: format!("{} is not a column Tutti knows, so it was ignored", name.trim()),
            }),
        }
    }
    for column in T::COLUMNS.iter().filter(|c| c.required) {
        if !positions.contains_key(column.name) {
            errors.push(ImportIssue {
                line: header.line,
                column: Some(column.name.to_string()),
                message: format!("The file needs a column named {}", column.name),
            });
        }
    }
    if !errors.is_empty() {
        return ImportOutcome {
            rows: Vec::new(),
            errors,
            warnings,
        };
    }

    let width = header.fields.len();
    let mut rows = Vec::new();
    let mut first_line_of_key: HashMap<String, usize> = HashMap::new();
    for record in records {
        if record.fields.len() < width {
            errors.push(ImportIssue {
                line: record.line,
                column: None,
                message: format!(
                    "This row has {} values but the header has {} columns",
                    record.fields.len(),
                    width
                ),
            });
            continue;
        }
        if record.fields[width..].iter().any(|f| !f.trim().is_empty()) {
            errors.push(ImportIssue {
                line: record.line,
                column: None,
                message: format!(
                    "This row has {} values but the header has only {} columns",
                    record.fields.len(),
                    width
                ),
            });
            continue;
        }
        let mut reader = RowReader {
            line: record.line,
            record: &record,
            positions: &positions,
            errors: &mut errors,
            failed: false,
        };
        let row = T::read(&mut reader);
        let failed = reader.failed;
        match row {
            Some(row) if !failed => {
                let key = row.key();
                if let Some(first) = first_line_of_key.get(&key) {
                    errors.push(ImportIssue {
                        line: record.line,
                        column: Some(T::KEY_COLUMN.to_string()),
                        message: format!(
                            "{} {} is on line {} and again on line {}",
                            T::KEY_COLUMN,
                            key,
                            first,
                            record.line
                        ),
                    });
                } else {
                    first_line_of_key.insert(key, record.line);
                    rows.push(ImportedRow { line: record.line, row });
                }
            }
            _ => {
                if !failed {
                    // A row that gave up without saying why still must not pass silently.
                    errors.push(ImportIssue {
                        line: record.line,
                        column: None,
                        message: "This row could not be read".to_string(),
                    });
                }
            }
        }
    }
    ImportOutcome { rows, errors, warnings }
}

/// Writes rows as CSV: a header of [`CsvRow::COLUMNS`], then one line a row. The result
/// imports back to the same rows.
pub fn export<'a, T: CsvRow + 'a>(rows: impl IntoIterator<Item = &'a T>) -> String {
    let header: Vec<String> = T::COLUMNS.iter().map(|c| c.name.to_string()).collect();
    write(std::iter::once(header).chain(rows.into_iter().map(CsvRow::to_fields)))
}
