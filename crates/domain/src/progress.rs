//! Progress: graded exam entries (board, grade, date, result) and the termly report a teacher
//! writes for each pupil.

text_enum! {
    /// How a graded exam went; `None` on an entry means the result is not in yet.
    pub enum ExamResult {
        Distinction = "distinction",
        Merit = "merit",
        Pass = "pass",
        NotPassed = "not-passed" | "fail" | "failed",
    }
}

text_enum! {
    /// Where a termly report is: a draft only its teacher and the office see, or published to
    /// the pupil's parents.
    pub enum ReportStatus {
        Draft = "draft",
        Published = "published",
    }
}

/// The exam boards UK hubs enter pupils for; another name is accepted as written.
pub const EXAM_BOARDS: [&str; 4] = [
    "ABRSM",
    "Trinity College London",
    "London College of Music",
    "RSL Awards",
];

/// A grade from Initial (0) to 8.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grade(u8);

impl Grade {
    pub fn get(self) -> u8 {
        self.0
    }
}

impl std::fmt::Display for Grade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0 == 0 {
            f.write_str("Initial")
        } else {
            write!(f, "Grade {}", self.0)
        }
    }
}

impl std::str::FromStr for Grade {
    type Err = String;
    /// Reads "Initial", "0" to "8" or "Grade 5".
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_lowercase();
        if t == "initial" {
            return Ok(Grade(0));
        }
        let n = t.strip_prefix("grade").unwrap_or(&t).trim();
        match n.parse::<u8>() {
            Ok(g) if g <= 8 => Ok(Grade(g)),
            _ => Err("Enter a grade from Initial (0) to 8".to_string()),
        }
    }
}

/// The longest report a teacher writes, in characters.
pub const REPORT_MAX_CHARS: usize = 4_000;

/// The longest exam board name, in characters.
pub const BOARD_MAX_CHARS: usize = 60;

/// Why an exam entry or a report was not saved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProgressRefusal {
    #[error("Give the exam board, such as ABRSM.")]
    Board,
    #[error("Give the instrument the exam is on.")]
    Instrument,
    #[error("Write the report before saving it.")]
    EmptyReport,
    #[error("A report must be {REPORT_MAX_CHARS} characters or fewer.")]
    ReportTooLong,
}

impl ProgressRefusal {
    /// The form field at fault.
    pub fn field(&self) -> Option<&'static str> {
        Some(match self {
            ProgressRefusal::Board => "board",
            ProgressRefusal::Instrument => "instrument",
            ProgressRefusal::EmptyReport | ProgressRefusal::ReportTooLong => "body",
        })
    }
}

/// An exam entry names its board (up to [`BOARD_MAX_CHARS`]) and the instrument.
pub fn check_exam_entry(board: &str, instrument: &str) -> Result<(), ProgressRefusal> {
    let board = board.trim();
    if board.is_empty() || board.chars().count() > BOARD_MAX_CHARS {
        return Err(ProgressRefusal::Board);
    }
    if instrument.trim().is_empty() {
        return Err(ProgressRefusal::Instrument);
    }
    Ok(())
}

/// A report has words, and no more than [`REPORT_MAX_CHARS`] of them (trimmed).
pub fn check_report(body: &str) -> Result<(), ProgressRefusal> {
    let body = body.trim();
    if body.is_empty() {
        return Err(ProgressRefusal::EmptyReport);
    }
    if body.chars().count() > REPORT_MAX_CHARS {
        return Err(ProgressRefusal::ReportTooLong);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_read_and_print() {
        assert_eq!("Initial".parse::<Grade>().unwrap().to_string(), "Initial");
        assert_eq!("grade 5".parse::<Grade>().unwrap().get(), 5);
        assert_eq!("8".parse::<Grade>().unwrap().to_string(), "Grade 8");
        assert!("9".parse::<Grade>().is_err());
        assert_eq!("fail".parse::<ExamResult>().unwrap(), ExamResult::NotPassed);
    }

    #[test]
    fn entries_name_board_and_instrument_and_reports_have_words() {
        assert_eq!(check_exam_entry("ABRSM", "Violin"), Ok(()));
        assert_eq!(check_exam_entry(" ", "Violin"), Err(ProgressRefusal::Board));
        assert_eq!(check_exam_entry(&"B".repeat(61), "Violin"), Err(ProgressRefusal::Board));
        assert_eq!(
            check_exam_entry("ABRSM", "").unwrap_err().to_string(),
            "Give the instrument the exam is on."
        );
        assert_eq!(check_report(" A good term. "), Ok(()));
        assert_eq!(check_report("  "), Err(ProgressRefusal::EmptyReport));
        assert_eq!(
            check_report(&"a".repeat(4_001)).unwrap_err().to_string(),
            "A report must be 4000 characters or fewer."
        );
    }
}
