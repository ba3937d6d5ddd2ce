//! The loans import: `serial, pupil_ref, from`. An instrument appears once in a file; a row
//! whose instrument is already on loan to that pupil from that day is already done.

use time::Date;

use super::import::{CsvColumn, CsvRow, RowReader};
use crate::validate::{format_date_iso, parse_date};

/// One loan: the instrument by serial number, the pupil by reference, the day it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoanRow {
    pub serial: String,
    pub pupil_ref: String,
    pub from: Date,
}

impl CsvRow for LoanRow {
    const RECORDS: &'static str = "loans";
    const COLUMNS: &'static [CsvColumn] = &[
        CsvColumn {
            name: "serial",
            required: true,
        },
        CsvColumn {
            name: "pupil_ref",
            required: true,
        },
        CsvColumn {
            name: "from",
            required: true,
        },
    ];
    const KEY_COLUMN: &'static str = "serial";

    /// An instrument is lent to one pupil at a time.
    fn key(&self) -> String {
        self.serial.clone()
    }

    fn read(row: &mut RowReader<'_>) -> Option<Self> {
        let serial = row.required_text("serial", 60);
        let pupil_ref = row.required_text("pupil_ref", 20);
        let from = row.required("from", parse_date);
        Some(LoanRow {
            serial: serial?,
            pupil_ref: pupil_ref?,
            from: from?,
        })
    }

    fn to_fields(&self) -> Vec<String> {
        vec![self.serial.clone(), self.pupil_ref.clone(), format_date_iso(self.from)]
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::csv::import;

    #[test]
    fn reads_loans_and_names_the_line_and_column_at_fault() {
        let ok = import::<LoanRow>("serial,pupil_ref,from\nVN-001,P0001,2026-09-07\n");
        assert!(ok.errors.is_empty(), "{:?}", ok.errors);
        assert_eq!(
            ok.rows[0].row,
            LoanRow {
                serial: "VN-001".into(),
                pupil_ref: "P0001".into(),
                from: date!(2026 - 09 - 07),
            }
        );
        let bad = import::<LoanRow>(
            "serial,pupil_ref,from\nVN-001,P0001,2026-09-07\nVN-001,P0002,2026-09-07\nVN-002,P0003,someday\n",
        );
        assert!(
            bad.errors
                .iter()
                .any(|e| e.line == 3 && e.column.as_deref() == Some("serial")),
            "{:?}",
            bad.errors
        );
        assert!(
            bad.errors
                .iter()
                .any(|e| e.line == 4 && e.column.as_deref() == Some("from")),
            "{:?}",
            bad.errors
        );
    }
}
