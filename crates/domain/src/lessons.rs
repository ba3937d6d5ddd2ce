//! Lessons: the kinds of lesson a hub teaches and their lengths, a dated lesson's lifecycle
//! and outcomes, and what lessons refuse (groups, registers, notes, cancelled days, make-ups).

mod lifecycle;
mod refusal;

pub use lifecycle::{LessonOutcome, LessonStatus};
pub use refusal::{LessonRefusal, NOTE_MAX_CHARS, check_make_up, check_new_group, check_note, check_pupil_mark};

text_enum! {
    /// How many pupils a lesson is for.
    pub enum LessonType {
        /// One pupil.
        Individual = "individual" | "solo",
        /// Two pupils.
        Paired = "paired" | "pair",
        /// A small group, usually up to 6.
        Group = "group" | "small group",
        /// Whole-class ensemble teaching (first access), paid for by schools, never parents.
        WholeClass = "whole-class" | "wcet" | "whole class ensemble",
    }
}

/// A lesson in words, from its stored type: "individual 30-minute", "whole class 45-minute".
pub fn lesson_words(lesson_type: &str, minutes: i32) -> String {
    format!("{} {minutes}-minute", lesson_type.replace('-', " "))
}

/// The lesson lengths a hub offers, in minutes (DOMAIN.md).
pub const LESSON_MINUTES: [u16; 5] = [15, 20, 30, 45, 60];

/// The usual most pupils in a group lesson.
pub const GROUP_MAX_PUPILS: usize = 6;

impl LessonType {
    /// The most pupils a lesson of this type holds (`None` for a whole class).
    pub fn max_pupils(self) -> Option<usize> {
        match self {
            LessonType::Individual => Some(1),
            LessonType::Paired => Some(2),
            LessonType::Group => Some(GROUP_MAX_PUPILS),
            LessonType::WholeClass => None,
        }
    }
}
