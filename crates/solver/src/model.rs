//! The solver's compact, indexed view of a validated instance: numbers instead of ids,
//! the windows in which each (teacher, school) pair can teach on each day, and the
//! lessons that share a pupil.
use crate::instance::{DayIntervals, Instance};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy)]
pub struct LessonInfo {
    pub teacher: u32,
    pub school: u32,
    /// Index into `Model::pair_windows` rows: the lesson's (teacher, school) pair.
    pub pair: u32,
    pub minutes: i32,
    /// A pinned lesson's day and start (`Lesson::fixed`), or -1 and 0.
    pub fixed_day: i8,
    pub fixed_start: i32,
}

/// A window `[from, to)` in which a visit may lie; `from` is already a slot multiple.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: i32,
    pub to: i32,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub slot: i32,
    pub days: usize,
    /// The instance's schools and one more, `online`: the place of every online lesson.
    pub schools: usize,
    /// The index of the place online lessons are taught (the last school): no travel to or
    /// from it, rooms without limit, open whenever the teacher is available.
    pub online: u32,
    pub teachers: usize,
    pub lessons: Vec<LessonInfo>,
    pub rooms: Vec<u32>,
    travel: Vec<u16>,
    /// Row `pair * days + day`: the windows, sorted by `from`.
    pair_windows: Vec<Vec<Window>>,
    /// Lessons sharing a pupil with lesson `l`: `conflicts[conflict_start[l]..conflict_start[l+1]]`.
    conflict_start: Vec<u32>,
    conflicts: Vec<u32>,
    pub teacher_lessons: Vec<Vec<u32>>,
    /// Bit `d` set when the lesson fits in some window on day `d`.
    pub lesson_days: Vec<u8>,
    /// Where each lesson is in the starting timetable of a warm start (day or -1, start);
    /// empty for a cold start.
    pub origin: Vec<(i8, i32)>,
    /// Added to the search's objective (never to the reported cost) for each placed
    /// lesson not at its origin: a warm start moves lessons only for a gain.
    pub move_penalty: i64,
}

fn align_up(minute: i32, slot: i32) -> i32 {
    minute.div_euclid(slot) * slot + if minute.rem_euclid(slot) == 0 { 0 } else { slot }
}

fn intervals(map: &DayIntervals, day: &str) -> Vec<(i32, i32)> {
    map.get(day)
        .map(|list| list.iter().map(|&[a, b]| (a as i32, b as i32)).collect())
        .unwrap_or_default()
}

impl Model {
    /// Builds the model of an instance that has passed `Instance::validate`.
    pub fn new(instance: &Instance) -> Model {
        let slot = instance.slot_minutes as i32;
        let days = instance.days.len();
        let school_index: HashMap<&str, u32> = instance
            .schools
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i as u32))
            .collect();
        let teacher_index: HashMap<&str, u32> = instance
            .teachers
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.as_str(), i as u32))
            .collect();
        let online = instance.schools.len() as u32;
        let n_schools = instance.schools.len() + 1;
        // The online place's row and column stay 0: see `Model::travel_after` for why
        // travel is still owed across an online lesson.
        let mut travel = vec![0u16; n_schools * n_schools];
        for (a, from) in instance.schools.iter().enumerate() {
            let row = &instance.travel_minutes[&from.id];
            for (b, to) in instance.schools.iter().enumerate() {
                travel[a * n_schools + b] = row[&to.id].clamp(0, u16::MAX as i64) as u16;
            }
        }

        let mut pair_index: HashMap<(u32, u32), u32> = HashMap::new();
        let mut pair_windows = Vec::new();
        let mut lessons = Vec::with_capacity(instance.lessons.len());
        let mut teacher_lessons = vec![Vec::new(); instance.teachers.len()];
        let mut lesson_days = Vec::with_capacity(instance.lessons.len());
        for (li, lesson) in instance.lessons.iter().enumerate() {
            let teacher = teacher_index[lesson.teacher.as_str()];
            let school = if lesson.online {
                online
            } else {
                school_index[lesson.school.as_str()]
            };
            let pair = match pair_index.get(&(teacher, school)) {
                Some(&pair) => pair,
                None => {
                    let pair = pair_index.len() as u32;
                    pair_index.insert((teacher, school), pair);
                    let t = &instance.teachers[teacher as usize];
                    let always = [(0, crate::instance::DAY_MINUTES as i32)];
                    for day in &instance.days {
                        let open = match instance.schools.get(school as usize) {
                            Some(s) => intervals(&s.open, day),
                            None => always.to_vec(),
                        };
                        // Pairwise intersections, never merged: a lesson must lie inside
                        // one interval of each list, so touching intervals stay apart.
                        let mut windows = Vec::new();
                        for (ta, tb) in intervals(&t.available, day) {
                            for &(sa, sb) in &open {
                                let from = align_up(ta.max(sa), slot);
                                let to = tb.min(sb);
                                if from < to {
                                    windows.push(Window { from, to });
                                }
                            }
                        }
                        windows.sort_by_key(|w| (w.from, w.to));
                        pair_windows.push(windows);
                    }
                    pair
                }
            };
            let minutes = lesson.minutes as i32;
            let fixed = lesson.fixed.as_ref().and_then(|f| {
                let day = instance.days.iter().position(|d| *d == f.day)?;
                Some((day as i8, f.start as i32))
            });
            let mut mask = 0u8;
            for d in 0..days {
                if fixed.is_some_and(|(day, _)| day as usize != d) {
                    continue;
                }
                if pair_windows[pair as usize * days + d]
                    .iter()
                    .any(|w| w.to - w.from >= minutes)
                {
                    mask |= 1 << d;
                }
            }
            lesson_days.push(mask);
            lessons.push(LessonInfo {
                teacher,
                school,
                pair,
                minutes,
                fixed_day: fixed.map_or(-1, |f| f.0),
                fixed_start: fixed.map_or(0, |f| f.1),
            });
            teacher_lessons[teacher as usize].push(li as u32);
        }

        let mut by_pupil: HashMap<&str, Vec<u32>> = HashMap::new();
        for (li, lesson) in instance.lessons.iter().enumerate() {
            for pupil in &lesson.pupils {
                let list = by_pupil.entry(pupil.as_str()).or_default();
                if list.last() != Some(&(li as u32)) {
                    list.push(li as u32);
                }
            }
        }
        let mut adjacency: Vec<Vec<u32>> = vec![Vec::new(); lessons.len()];
        for list in by_pupil.values() {
            for &a in list {
                for &b in list {
                    if a != b {
                        adjacency[a as usize].push(b);
                    }
                }
            }
        }
        let mut conflict_start = Vec::with_capacity(lessons.len() + 1);
        let mut conflicts = Vec::new();
        for mut list in adjacency {
            list.sort_unstable();
            list.dedup();
            conflict_start.push(conflicts.len() as u32);
            conflicts.extend(list);
        }
        conflict_start.push(conflicts.len() as u32);

        Model {
            slot,
            days,
            schools: n_schools,
            online,
            teachers: instance.teachers.len(),
            lessons,
            rooms: instance
                .schools
                .iter()
                .map(|s| s.rooms as u32)
                .chain(std::iter::once(u32::MAX))
                .collect(),
            travel,
            pair_windows,
            conflict_start,
            conflicts,
            teacher_lessons,
            lesson_days,
            origin: Vec::new(),
            move_penalty: 0,
        }
    }

    /// Whether the search starts from a given timetable (`origin` is set).
    #[inline]
    pub fn warm(&self) -> bool {
        !self.origin.is_empty()
    }

    /// The objective's penalty for a teacher-day holding `seq` at `starts` on `day`.
    pub fn moved_penalty(&self, day: usize, seq: &[u32], starts: &[i32]) -> i64 {
        if self.move_penalty == 0 || !self.warm() {
            return 0;
        }
        let moved = seq
            .iter()
            .zip(starts)
            .filter(|&(&l, &at)| self.origin[l as usize] != (day as i8, at))
            .count();
        self.move_penalty * moved as i64
    }

    /// The visits of a teacher-day's `seq`: each a range of consecutive lessons at one
    /// school. Online lessons are no visit, and one between two lessons at a school splits
    /// them into two visits (the checker counts them so).
    pub fn visits<'a>(&'a self, seq: &'a [u32]) -> impl Iterator<Item = std::ops::Range<usize>> + 'a {
        self.runs(seq)
            .filter(|run| self.lessons[seq[run.start] as usize].school != self.online)
    }

    /// The runs of a teacher-day's `seq`: each a range of consecutive lessons at one place
    /// (a school, or online).
    pub fn runs<'a>(&'a self, seq: &'a [u32]) -> impl Iterator<Item = std::ops::Range<usize>> + 'a {
        let mut i = 0;
        std::iter::from_fn(move || {
            if i == seq.len() {
                return None;
            }
            let school = self.lessons[seq[i] as usize].school;
            let start = i;
            while i < seq.len() && self.lessons[seq[i] as usize].school == school {
                i += 1;
            }
            Some(start..i)
        })
    }

    #[inline]
    pub fn travel(&self, a: u32, b: u32) -> i32 {
        self.travel[a as usize * self.schools + b as usize] as i32
    }

    /// The travel owed before a lesson at `school` when the teacher was last at school
    /// `last_school` (`None` when nothing before it today was at a school). An online
    /// lesson is taught from where the teacher is, so it owes nothing, and the journey
    /// between the schools either side of it is owed after it.
    #[inline]
    pub fn travel_after(&self, last_school: Option<u32>, school: u32) -> i32 {
        match last_school {
            Some(last) if school != self.online => self.travel(last, school),
            _ => 0,
        }
    }

    #[inline]
    pub fn windows(&self, pair: u32, day: usize) -> &[Window] {
        &self.pair_windows[pair as usize * self.days + day]
    }

    #[inline]
    pub fn conflicts(&self, lesson: u32) -> &[u32] {
        let l = lesson as usize;
        &self.conflicts[self.conflict_start[l] as usize..self.conflict_start[l + 1] as usize]
    }

    pub fn align_up(&self, minute: i32) -> i32 {
        align_up(minute, self.slot)
    }

    pub fn align_down(&self, minutes: i32) -> i32 {
        minutes.div_euclid(self.slot) * self.slot
    }
}
