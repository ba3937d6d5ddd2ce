//! The enrolments import: `pupil_ref, instrument, lesson_type, minutes, start_date,
//! teacher_email, school_urn, weekday, start_time`. Matched on pupil and instrument.

use time::{Date, Weekday};

use super::import::{CsvColumn, CsvRow, RowReader};
use crate::lessons::{LESSON_MINUTES, LessonType};
use crate::rotation::ClockTime;
use crate::validate::{EmailAddress, Urn, format_date_iso, parse_date};

/// One enrolment. Without a teacher, weekday and start time it waits for allocation; the
/// school defaults to the pupil's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrolmentRow {
    pub pupil_ref: String,
    pub instrument: String,
    pub lesson_type: LessonType,
    pub minutes: u16,
    pub start_date: Date,
    pub teacher_email: Option<EmailAddress>,
    pub school_urn: Option<Urn>,
    pub weekday: Option<Weekday>,
    pub start_time: Option<ClockTime>,
}

impl EnrolmentRow {
    /// True when the row places the enrolment: a teacher, a weekday and a start time.
    pub fn is_placed(&self) -> bool {
        self.teacher_email.is_some() && self.weekday.is_some() && self.start_time.is_some()
    }
}

const fn column(name: &'static str, required: bool) -> CsvColumn {
    CsvColumn { name, required }
}

fn parse_minutes(text: &str) -> Result<u16, String> {
    match text.trim().parse::<u16>() {
        Ok(m) if LESSON_MINUTES.contains(&m) => Ok(m),
        _ => Err("Enter the lesson length in minutes: 15, 20, 30, 45 or 60".to_string()),
    }
}

/// Reads Monday to Friday (or Mon to Fri, or 1 to 5).
pub fn parse_school_weekday(text: &str) -> Result<Weekday, String> {
    let t = text.trim().to_lowercase();
    let days = [
        ("monday", Weekday::Monday),
        ("tuesday", Weekday::Tuesday),
        ("wednesday", Weekday::Wednesday),
        ("thursday", Weekday::Thursday),
        ("friday", Weekday::Friday),
    ];
    for (i, (name, day)) in days.iter().enumerate() {
        if t == *name || t == name[..3] || t == (i + 1).to_string() {
            return Ok(*day);
        }
    }
    Err("Enter a school day, Monday to Friday".to_string())
}

fn parse_time(text: &str) -> Result<ClockTime, String> {
    text.parse::<ClockTime>()
        .map_err(|_| "Enter the start time as HH:MM, like 09:30".to_string())
}

impl CsvRow for EnrolmentRow {
    const RECORDS: &'static str = "enrolments";
    const COLUMNS: &'static [CsvColumn] = &[
        column("pupil_ref", true),
        column("instrument", true),
        column("lesson_type", true),
        column("minutes", true),
        column("start_date", true),
        column("teacher_email", false),
        column("school_urn", false),
        column("weekday", false),
        column("start_time", false),
    ];
    const KEY_COLUMN: &'static str = "pupil_ref";

    /// A pupil learns an instrument once at a time: pupil and instrument identify the row.
    fn key(&self) -> String {
        format!("{} {}", self.pupil_ref.to_uppercase(), self.instrument.to_lowercase())
    }

    fn read(row: &mut RowReader<'_>) -> Option<Self> {
        let pupil_ref = row.required_text("pupil_ref", 20);
        let instrument = row.required_text("instrument", 60);
        let lesson_type = row.required("lesson_type", str::parse::<LessonType>);
        let minutes = row.required("minutes", parse_minutes);
        let start_date = row.required("start_date", parse_date);
        let teacher_email = row.optional("teacher_email", str::parse::<EmailAddress>);
        let school_urn = row.optional("school_urn", str::parse::<Urn>);
        let weekday = row.optional("weekday", parse_school_weekday);
        let start_time = row.optional("start_time", parse_time);
        let (weekday, start_time) = (weekday?, start_time?);
        // A day without a time (or a time without a day) places nothing: say so.
        match (weekday, start_time) {
            (Some(_), None) => row.error("start_time", "Give a start time with the weekday, or neither"),
            (None, Some(_)) => row.error("weekday", "Give a weekday with the start time, or neither"),
            _ => {}
        }
        let teacher_email = teacher_email?;
        if teacher_email.is_none() && weekday.is_some() && start_time.is_some() {
            row.error(
                "teacher_email",
                "Give the teacher's email with the weekday and start time",
            );
        }
        Some(EnrolmentRow {
            pupil_ref: pupil_ref?,
            instrument: instrument?,
            lesson_type: lesson_type?,
            minutes: minutes?,
            start_date: start_date?,
            teacher_email,
            school_urn: school_urn?,
            weekday,
            start_time,
        })
    }

    fn to_fields(&self) -> Vec<String> {
        vec![
            self.pupil_ref.clone(),
            self.instrument.clone(),
            self.lesson_type.to_string(),
            self.minutes.to_string(),
            format_date_iso(self.start_date),
            self.teacher_email.as_ref().map(ToString::to_string).unwrap_or_default(),
            self.school_urn.map(|u| u.to_string()).unwrap_or_default(),
            self.weekday.map(|w| w.to_string()).unwrap_or_default(),
            self.start_time.map(|t| t.to_string()).unwrap_or_default(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::super::import;
    use super::*;

    #[test]
    fn rows_read_with_every_error_by_line_and_column() {
        let text = "pupil_ref,instrument,lesson_type,minutes,start_date,teacher_email,school_urn,weekday,start_time\n\
                    P100000,Violin,individual,30,01/09/2026,,,,\n\
                    P100001,Flute,group,25,2026-09-01,t@x.test,114250,Saturday,9.30\n\
                    P100002,Cello,paired,30,2026-09-01,,,Monday,\n\
                    P100000,violin,group,30,2026-09-01,,,,\n";
        let outcome = import::<EnrolmentRow>(text);
        let errors: Vec<String> = outcome.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            vec![
                "Line 3, column minutes: Enter the lesson length in minutes: 15, 20, 30, 45 or 60",
                "Line 3, column weekday: Enter a school day, Monday to Friday",
                "Line 3, column start_time: Enter the start time as HH:MM, like 09:30",
                "Line 4, column start_time: Give a start time with the weekday, or neither",
                "Line 5, column pupil_ref: pupil_ref P100000 violin is on line 2 and again on line 5",
            ]
        );
        assert!(!outcome.rows[0].row.is_placed());
    }

    #[test]
    fn rows_round_trip() {
        let text = "pupil_ref,instrument,lesson_type,minutes,start_date,teacher_email,school_urn,weekday,start_time\n\
                    P100000,Violin,individual,30,2026-09-01,t@x.test,114250,tue,9:30\n";
        let rows = import::<EnrolmentRow>(text).into_rows().unwrap();
        assert!(rows[0].row.is_placed());
        assert_eq!(rows[0].row.weekday, Some(Weekday::Tuesday));
        let again = import::<EnrolmentRow>(&super::super::export(rows.iter().map(|r| &r.row)))
            .into_rows()
            .unwrap();
        assert_eq!(again[0].row, rows[0].row);
    }
}
