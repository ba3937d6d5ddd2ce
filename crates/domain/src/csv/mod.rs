//! CSV files: an RFC 4180 reader and writer, and typed import and export of schools, pupils, staff, instruments, term dates and closures.
//!
//! [`parse`] reads text into records that remember their line numbers; [`write()`] writes
//! records back, quoting only where needed. [`import`] turns a whole file into typed rows
//! (such as [`SchoolRow`]), collecting every error by line and column instead of stopping
//! at the first, and [`export`] writes rows with the same columns.

mod enrolments;
mod ensembles;
mod import;
mod loans;
mod rows;
mod terms;

pub use enrolments::{EnrolmentRow, parse_school_weekday};
pub use ensembles::{EnsembleMemberRow, EnsembleRow};
pub use import::{CsvColumn, CsvRow, ImportIssue, ImportOutcome, ImportedRow, RowReader, export, import};
pub use loans::LoanRow;
pub use rows::{InstrumentRow, PupilRow, SchoolRow, StaffRow, UPLIFT_CHOICES};
pub use terms::{ClosureOf, ClosureRow, TermRow};

/// One record of a CSV file: its fields and the line it starts on (1 is the first line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvRecord {
    /// The line the record starts on, counting from 1. A quoted field with line breaks
    /// makes the next record start further down.
    pub line: usize,
    /// The fields, unquoted.
    pub fields: Vec<String>,
}

impl CsvRecord {
    /// True if every field is empty or spaces (a blank line, or ",,," from a spreadsheet).
    pub fn is_blank(&self) -> bool {
        self.fields.iter().all(|f| f.trim().is_empty())
    }
}

/// Why a CSV file could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// A quoted field is never closed.
    #[error("line {line}: a quoted value is never closed (a \" is missing)")]
    UnclosedQuote {
        /// The line the quoted field starts on.
        line: usize,
    },
    /// Text straight after a closing quote, as in `"abc"def`.
    #[error("line {line}: unexpected text after a closing quote")]
    TextAfterQuote {
        /// The line of the closing quote.
        line: usize,
    },
}

impl CsvError {
    /// What is wrong, without the line number.
    pub fn message(&self) -> &'static str {
        match self {
            CsvError::UnclosedQuote { .. } => "A quoted value is never closed (a \" is missing)",
            CsvError::TextAfterQuote { .. } => "Unexpected text after a closing quote",
        }
    }

    /// The line the problem is on.
    pub fn line(&self) -> usize {
        match self {
            CsvError::UnclosedQuote { line } | CsvError::TextAfterQuote { line } => *line,
        }
    }
}

/// Reads CSV text as RFC 4180 describes, a little leniently: fields separated by commas;
/// records ended by CRLF, LF or a lone CR; fields in double quotes may hold commas, line
/// breaks and doubled quotes (`""` for `"`); a byte-order mark at the start is dropped; a
/// quote inside an unquoted field is kept as text. Empty lines are skipped. Records keep the
/// line they start on.
pub fn parse(text: &str) -> Result<Vec<CsvRecord>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut line = 1usize;
    let mut record_line = 1usize;
    let mut chars = text.chars().peekable();
    // Whether the current record has anything in it (so an empty line makes no record).
    let mut record_started = false;

    while let Some(c) = chars.next() {
        match c {
            '"' if field.is_empty() => {
                record_started = true;
                let quote_line = line;
                let mut closed = false;
                while let Some(q) = chars.next() {
                    match q {
                        '"' if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        '"' => {
                            closed = true;
                            break;
                        }
                        '\r' => {
                            // CRLF inside quotes is kept as a single \n.
                            if chars.peek() == Some(&'\n') {
                                chars.next();
                            }
                            field.push('\n');
                            line += 1;
                        }
                        '\n' => {
                            field.push('\n');
                            line += 1;
                        }
                        other => field.push(other),
                    }
                }
                if !closed {
                    return Err(CsvError::UnclosedQuote { line: quote_line });
                }
                match chars.peek() {
                    None | Some(',') | Some('\r') | Some('\n') => {}
                    Some(_) => return Err(CsvError::TextAfterQuote { line }),
                }
            }
            ',' => {
                record_started = true;
                fields.push(std::mem::take(&mut field));
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                if record_started || !field.is_empty() {
                    fields.push(std::mem::take(&mut field));
                    records.push(CsvRecord {
                        line: record_line,
                        fields: std::mem::take(&mut fields),
                    });
                }
                record_started = false;
                line += 1;
                record_line = line;
            }
            other => {
                record_started = true;
                field.push(other);
            }
        }
    }
    if record_started || !field.is_empty() {
        fields.push(field);
        records.push(CsvRecord {
            line: record_line,
            fields,
        });
    }
    Ok(records)
}

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a spreadsheet would run `field` as a formula: it starts with a formula character
/// and is not simply a number (a negative amount like -12.50 is data, and stays as it is).
fn reads_as_formula(field: &str) -> bool {
    field.starts_with(FORMULA_STARTS) && field.parse::<f64>().is_err()
}

/// A field as exported, with a formula made inert by a leading apostrophe (the spreadsheets'
/// own mark for "this is text"), so a name typed as `=HYPERLINK(...)` cannot run in the
/// office's spreadsheet. `unescape_formula` takes it off again on import.
fn inert(field: &str) -> std::borrow::Cow<'_, str> {
    if reads_as_formula(field) || (field.starts_with('\'') && reads_as_formula(&field[1..])) {
        format!("'{field}").into()
    } else {
        field.into()
    }
}

/// A field as imported: the apostrophe `write_field` put before a formula is taken off, so a
/// file exported and imported again holds what it held.
pub fn unescape_formula(field: &str) -> &str {
    match field.strip_prefix('\'') {
        Some(rest) if reads_as_formula(rest) || (rest.starts_with('\'') && reads_as_formula(&rest[1..])) => rest,
        _ => field,
    }
}

/// Writes one field, quoting it if it holds a comma, a quote, a line break, or spaces at
/// either end (which readers may trim), or starts with a byte-order mark (which [`parse`]
/// drops at the start of a file), and making a formula inert.
pub fn write_field(out: &mut String, field: &str) {
    let field: &str = &inert(field);
    let needs_quotes = field.contains([',', '"', '\n', '\r'])
        || field.starts_with(' ')
        || field.ends_with(' ')
        || field.starts_with('\u{feff}');
    if needs_quotes {
        out.push('"');
        for c in field.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// Writes records as CSV with CRLF line ends (RFC 4180), quoting fields only where needed.
pub fn write<R, F>(records: impl IntoIterator<Item = R>) -> String
where
    R: IntoIterator<Item = F>,
    F: AsRef<str>,
{
    let mut out = String::new();
    for record in records {
        let mut count = 0;
        let mut only_field_empty = false;
        for (i, field) in record.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let field = field.as_ref();
            write_field(&mut out, field);
            count += 1;
            only_field_empty = field.is_empty();
        }
        // A record of one empty field would be a blank line, which readers skip.
        if count == 1 && only_field_empty {
            out.push_str("\"\"");
        }
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fields(text: &str) -> Vec<(usize, Vec<String>)> {
        parse(text).unwrap().into_iter().map(|r| (r.line, r.fields)).collect()
    }

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn formulas_are_exported_inert_and_imported_as_typed() {
        for (typed, written) in [
            ("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""),
            ("+44 191 000", "'+44 191 000"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("'=already", "''=already"),
            ("-12.50", "-12.50"),
            ("+5", "+5"),
            ("Smith", "Smith"),
            ("'quoted", "'quoted"),
        ] {
            let mut out = String::new();
            write_field(&mut out, typed);
            assert_eq!(out, written, "{typed}");
            let back = parse(&format!("{out}\r\n")).unwrap();
            assert_eq!(unescape_formula(&back[0].fields[0]), typed, "{typed}");
        }
    }

    #[test]
    fn reads_plain_and_quoted_fields() {
        assert_eq!(
            fields("a,b,c\r\n1,2,3\r\n"),
            vec![(1, v(&["a", "b", "c"])), (2, v(&["1", "2", "3"]))]
        );
        assert_eq!(
            fields("name,address\n\"Smith, Jo\",\"1 High St\nDurham\"\nx,\"say \"\"hi\"\"\"\n"),
            vec![
                (1, v(&["name", "address"])),
                (2, v(&["Smith, Jo", "1 High St\nDurham"])),
                (4, v(&["x", "say \"hi\""])),
            ]
        );
    }

    #[test]
    fn handles_bom_blank_lines_empty_fields_and_no_final_newline() {
        assert_eq!(
            fields("\u{feff}a,b\n\n1,\n,\"\"\n\"\",2"),
            vec![
                (1, v(&["a", "b"])),
                (3, v(&["1", ""])),
                (4, v(&["", ""])),
                (5, v(&["", "2"])),
            ]
        );
        assert_eq!(fields("\"\"\n"), vec![(1, v(&[""]))]);
        assert_eq!(fields(""), vec![]);
        assert_eq!(fields("a\rb\r"), vec![(1, v(&["a"])), (2, v(&["b"]))]);
        assert_eq!(fields("a\"b,c"), vec![(1, v(&["a\"b", "c"]))]);
    }

    #[test]
    fn reports_broken_quotes_with_lines() {
        assert_eq!(parse("a,b\n1,\"open\n2,3\n"), Err(CsvError::UnclosedQuote { line: 2 }));
        assert_eq!(parse("a,b\n\"x\"y,2\n"), Err(CsvError::TextAfterQuote { line: 2 }));
    }

    #[test]
    fn writes_with_quotes_only_where_needed() {
        let text = write([
            vec!["urn", "name"],
            vec!["114250", "St Mary's, Durham"],
            vec!["1", "say \"hi\""],
            vec!["2", " padded"],
            vec!["3", "two\nlines"],
        ]);
        assert_eq!(
            text,
            "urn,name\r\n114250,\"St Mary's, Durham\"\r\n1,\"say \"\"hi\"\"\"\r\n2,\" padded\"\r\n3,\"two\nlines\"\r\n"
        );
    }

    #[test]
    fn a_first_field_starting_with_a_byte_order_mark_reads_back() {
        // Found by fuzz/fuzz_targets/csv_reader.rs: the reader drops a byte-order mark at
        // the start of the file, so a first field that starts with one must be quoted.
        let records = vec![v(&["\u{feff}urn", "name"]), v(&["\u{feff}", "x"])];
        let text = write(records.iter());
        let back: Vec<Vec<String>> = parse(&text).unwrap().into_iter().map(|r| r.fields).collect();
        assert_eq!(back, records);
    }

    proptest! {
        #[test]
        fn written_records_read_back(records in prop::collection::vec(prop::collection::vec("[a-z ,\"\n\r£é]{0,8}", 1..5), 1..6)) {
            // Line breaks inside fields read back as \n.
            let records: Vec<Vec<String>> = records
                .into_iter()
                .map(|r| r.into_iter().map(|f| f.replace("\r\n", "\n").replace('\r', "\n")).collect())
                .collect();
            let text = write(records.iter());
            let back: Vec<Vec<String>> = parse(&text).unwrap().into_iter().map(|r| r.fields).collect();
            prop_assert_eq!(back, records);
        }
    }
}
