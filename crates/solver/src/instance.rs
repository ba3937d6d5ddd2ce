//! The instance format of TIMETABLING.md (serde types) and its validation.
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The five school days a `days` list may name, in week order.
pub const WEEK_DAYS: [&str; 5] = ["mon", "tue", "wed", "thu", "fri"];

/// Minutes in a day: every time in an instance is within one, and nothing lasts longer.
pub const DAY_MINUTES: i64 = 24 * 60;

/// Intervals `[from, to)` in minutes after midnight, per day name.
pub type DayIntervals = BTreeMap<String, Vec<[i64; 2]>>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub version: u32,
    pub slot_minutes: i64,
    pub days: Vec<String>,
    pub schools: Vec<School>,
    pub travel_minutes: BTreeMap<String, BTreeMap<String, i64>>,
    pub teachers: Vec<Teacher>,
    pub lessons: Vec<Lesson>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct School {
    pub id: String,
    pub rooms: i64,
    pub open: DayIntervals,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Teacher {
    pub id: String,
    pub available: DayIntervals,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lesson {
    pub id: String,
    pub teacher: String,
    pub school: String,
    pub minutes: i64,
    pub pupils: Vec<String>,
    /// Tutti's extension of TIMETABLING.md: a lesson pinned to this day and start. A
    /// solution that places it places it there (the checker's rule 5). Absent in the
    /// shared format, so every instance written by the format's own tools still reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<Fixed>,
    /// Tutti's extension: a lesson taught over a video call. It needs no room and no
    /// school opening hours (the teacher's availability alone), and the teacher does not
    /// travel for it: it is taught from wherever they are, so travel between their schools
    /// is still owed, after it. `school` remains the pupils' school, for the record.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub online: bool,
}

/// Where a pinned lesson stays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fixed {
    pub day: String,
    pub start: i64,
}

/// Everything wrong with an instance, each problem naming the field or record.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid instance: {}", .problems.join("; "))]
pub struct InstanceError {
    pub problems: Vec<String>,
}

/// Past this many problems the rest are summarised: a broken generator can produce
/// thousands of identical complaints, and the first few say enough.
const MAX_PROBLEMS: usize = 20;

struct Problems {
    list: Vec<String>,
    more: usize,
}

impl Problems {
    fn push(&mut self, problem: String) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(problem);
        } else {
            self.more += 1;
        }
    }
}

impl Instance {
    pub fn from_json(text: &str) -> Result<Instance, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Checks everything TIMETABLING.md promises about an instance.
    pub fn validate(&self) -> Result<(), InstanceError> {
        let mut p = Problems {
            list: Vec::new(),
            more: 0,
        };
        if self.version != 1 {
            p.push(format!("version is {}, only 1 is known", self.version));
        }
        if self.slot_minutes <= 0 {
            p.push(format!("slot_minutes is {}, it must be positive", self.slot_minutes));
        } else if self.slot_minutes > DAY_MINUTES {
            p.push(format!(
                "slot_minutes is {}, it must be at most a day ({DAY_MINUTES})",
                self.slot_minutes
            ));
        }
        let mut seen_days = HashSet::new();
        for day in &self.days {
            if !WEEK_DAYS.contains(&day.as_str()) {
                p.push(format!("days: unknown day {day:?} (use mon to fri)"));
            }
            if !seen_days.insert(day.as_str()) {
                p.push(format!("days: {day:?} is listed twice"));
            }
        }
        let check_intervals = |p: &mut Problems, what: &str, intervals: &DayIntervals| {
            for (day, list) in intervals {
                if !seen_days.contains(day.as_str()) {
                    p.push(format!("{what}: day {day:?} is not in days"));
                }
                for &[from, to] in list {
                    if from >= to || from < 0 || to > DAY_MINUTES {
                        p.push(format!(
                            "{what}: interval [{from}, {to}) on {day} is empty or outside the day"
                        ));
                    }
                }
            }
        };
        let mut schools = HashSet::new();
        for school in &self.schools {
            if !schools.insert(school.id.as_str()) {
                p.push(format!("schools: id {:?} is used twice", school.id));
            }
            if school.rooms < 1 {
                p.push(format!(
                    "school {}: rooms is {}, it must be at least 1",
                    school.id, school.rooms
                ));
            } else if school.rooms > u32::MAX as i64 {
                p.push(format!(
                    "school {}: rooms is {}, it must be at most {}",
                    school.id,
                    school.rooms,
                    u32::MAX
                ));
            }
            check_intervals(&mut p, &format!("school {} open", school.id), &school.open);
        }
        for (from, row) in &self.travel_minutes {
            if !schools.contains(from.as_str()) {
                p.push(format!("travel_minutes: unknown school {from:?}"));
                continue;
            }
            for (to, &minutes) in row {
                if !schools.contains(to.as_str()) {
                    p.push(format!("travel_minutes[{from}]: unknown school {to:?}"));
                    continue;
                }
                if minutes < 0 {
                    p.push(format!("travel_minutes[{from}][{to}] is negative"));
                } else if minutes > DAY_MINUTES {
                    p.push(format!(
                        "travel_minutes[{from}][{to}] is longer than a day ({DAY_MINUTES} minutes)"
                    ));
                }
                if from == to && minutes != 0 {
                    p.push(format!(
                        "travel_minutes[{from}][{to}] is {minutes}, the diagonal must be 0"
                    ));
                }
                match self.travel_minutes.get(to).and_then(|r| r.get(from)) {
                    Some(&back) if back != minutes => p.push(format!(
                        "travel_minutes is not symmetric: [{from}][{to}] is {minutes} but [{to}][{from}] is {back}"
                    )),
                    _ => {}
                }
            }
        }
        for a in &self.schools {
            for b in &self.schools {
                let present = self
                    .travel_minutes
                    .get(&a.id)
                    .is_some_and(|row| row.contains_key(&b.id));
                if !present {
                    p.push(format!("travel_minutes[{}][{}] is missing", a.id, b.id));
                }
            }
        }
        let mut teachers = HashSet::new();
        for teacher in &self.teachers {
            if !teachers.insert(teacher.id.as_str()) {
                p.push(format!("teachers: id {:?} is used twice", teacher.id));
            }
            check_intervals(&mut p, &format!("teacher {} available", teacher.id), &teacher.available);
        }
        let mut lessons = HashSet::new();
        for lesson in &self.lessons {
            if !lessons.insert(lesson.id.as_str()) {
                p.push(format!("lessons: id {:?} is used twice", lesson.id));
            }
            if !teachers.contains(lesson.teacher.as_str()) {
                p.push(format!("lesson {}: unknown teacher {:?}", lesson.id, lesson.teacher));
            }
            if !schools.contains(lesson.school.as_str()) {
                p.push(format!("lesson {}: unknown school {:?}", lesson.id, lesson.school));
            }
            if lesson.minutes <= 0 {
                p.push(format!(
                    "lesson {}: minutes is {}, it must be positive",
                    lesson.id, lesson.minutes
                ));
            } else if lesson.minutes > DAY_MINUTES {
                p.push(format!(
                    "lesson {}: minutes {} is longer than a day ({DAY_MINUTES})",
                    lesson.id, lesson.minutes
                ));
            } else if self.slot_minutes > 0 && lesson.minutes % self.slot_minutes != 0 {
                p.push(format!(
                    "lesson {}: minutes {} is not a multiple of slot_minutes {}",
                    lesson.id, lesson.minutes, self.slot_minutes
                ));
            }
            if let Some(fixed) = &lesson.fixed {
                if !seen_days.contains(fixed.day.as_str()) {
                    p.push(format!(
                        "lesson {}: fixed day {:?} is not in days",
                        lesson.id, fixed.day
                    ));
                }
                if !(0..DAY_MINUTES).contains(&fixed.start) {
                    p.push(format!(
                        "lesson {}: fixed start {} is outside the day (0 to {DAY_MINUTES})",
                        lesson.id, fixed.start
                    ));
                } else if self.slot_minutes > 0 && fixed.start % self.slot_minutes != 0 {
                    p.push(format!(
                        "lesson {}: fixed start {} is not a multiple of slot_minutes {}",
                        lesson.id, fixed.start, self.slot_minutes
                    ));
                }
            }
        }
        if p.list.is_empty() {
            Ok(())
        } else {
            if p.more > 0 {
                p.list.push(format!("and {} more problems", p.more));
            }
            Err(InstanceError { problems: p.list })
        }
    }

    /// Index of each lesson id (ids are unique in a valid instance).
    pub fn lesson_index(&self) -> HashMap<&str, usize> {
        self.lessons
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id.as_str(), i))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Instance {
        serde_json::from_str(
            r#"{
            "version": 1, "slot_minutes": 5, "days": ["mon", "tue"],
            "schools": [{"id": "S1", "rooms": 1, "open": {"mon": [[540, 900]]}},
                        {"id": "S2", "rooms": 1, "open": {"tue": [[540, 900]]}}],
            "travel_minutes": {"S1": {"S1": 0, "S2": 15}, "S2": {"S1": 15, "S2": 0}},
            "teachers": [{"id": "T1", "available": {"mon": [[510, 960]]}}],
            "lessons": [{"id": "L1", "teacher": "T1", "school": "S1", "minutes": 30, "pupils": ["P1"]}]
        }"#,
        )
        .unwrap()
    }

    #[test]
    fn the_example_is_valid() {
        assert_eq!(tiny().validate(), Ok(()));
    }

    fn problems(instance: &Instance) -> String {
        instance.validate().unwrap_err().to_string()
    }

    /// Found by fuzz/fuzz_targets/timetable_json.rs: the solver holds minutes as `i32` and
    /// rooms as `u32`, so a lesson of 2^32 + 30 minutes was solved as 30 minutes, 2^32 rooms
    /// as none, and the checker overflowed adding a lesson's minutes or travel of i64::MAX.
    #[test]
    fn times_beyond_a_day_and_rooms_beyond_u32_are_refused() {
        let mut i = tiny();
        i.slot_minutes = 1;
        i.lessons[0].minutes = (1 << 32) + 30;
        assert!(problems(&i).contains("lesson L1: minutes 4294967326 is longer than a day"));

        let mut i = tiny();
        i.slot_minutes = 1445;
        assert!(problems(&i).contains("slot_minutes is 1445, it must be at most a day (1440)"));

        let mut i = tiny();
        i.schools[0].rooms = 1 << 32;
        assert!(problems(&i).contains("school S1: rooms is 4294967296, it must be at most 4294967295"));

        let mut i = tiny();
        i.lessons[0].fixed = Some(Fixed {
            day: "mon".into(),
            start: (1 << 32) + 540,
        });
        assert!(problems(&i).contains("lesson L1: fixed start 4294967836 is outside the day"));

        let mut i = tiny();
        *i.travel_minutes.get_mut("S1").unwrap().get_mut("S2").unwrap() = i64::MAX;
        *i.travel_minutes.get_mut("S2").unwrap().get_mut("S1").unwrap() = i64::MAX;
        assert!(problems(&i).contains("travel_minutes[S1][S2] is longer than a day"));

        let mut i = tiny();
        i.slot_minutes = 1;
        i.lessons[0].minutes = 24 * 60;
        *i.travel_minutes.get_mut("S1").unwrap().get_mut("S2").unwrap() = 24 * 60;
        *i.travel_minutes.get_mut("S2").unwrap().get_mut("S1").unwrap() = 24 * 60;
        i.schools[0].rooms = u32::MAX as i64;
        assert_eq!(i.validate(), Ok(()));
    }

    #[test]
    fn names_what_is_wrong() {
        let mut i = tiny();
        i.lessons[0].minutes = 17;
        assert!(problems(&i).contains("lesson L1: minutes 17 is not a multiple of slot_minutes 5"));

        let mut i = tiny();
        i.lessons[0].teacher = "T9".into();
        assert!(problems(&i).contains("lesson L1: unknown teacher \"T9\""));

        let mut i = tiny();
        i.lessons[0].school = "S9".into();
        assert!(problems(&i).contains("lesson L1: unknown school \"S9\""));

        let mut i = tiny();
        *i.travel_minutes.get_mut("S1").unwrap().get_mut("S2").unwrap() = 20;
        assert!(problems(&i).contains("not symmetric"));

        let mut i = tiny();
        i.travel_minutes.get_mut("S2").unwrap().remove("S1");
        assert!(problems(&i).contains("travel_minutes[S2][S1] is missing"));

        let mut i = tiny();
        *i.travel_minutes.get_mut("S1").unwrap().get_mut("S1").unwrap() = 3;
        assert!(problems(&i).contains("diagonal"));

        let mut i = tiny();
        i.teachers[0].available.insert("sat".into(), vec![[500, 600]]);
        assert!(problems(&i).contains("teacher T1 available: day \"sat\" is not in days"));

        let mut i = tiny();
        i.lessons.push(i.lessons[0].clone());
        assert!(problems(&i).contains("lessons: id \"L1\" is used twice"));
    }
}
