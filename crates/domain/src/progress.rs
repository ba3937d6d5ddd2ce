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
}
