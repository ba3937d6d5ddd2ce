//! A warm start: the timetable the search begins from when it is given one (a hub's
//! current timetable). Every lesson keeps its exact day and start unless that breaks a
//! hard rule; the lessons that do are left unscheduled for the search to place again.
use std::collections::HashMap;

use crate::check::{UNSCHEDULED_COST, VISIT_COST};
use crate::instance::{DAY_MINUTES, Instance};
use crate::model::Model;
use crate::schedule::{Schedule, room_clash};
use crate::solution::Solution;

/// Each lesson's (day, start) in `start`, or (-1, 0) when it is not placed there (an
/// unknown id, an unknown day, a start outside the day or a second listing is ignored). A pinned lesson is where
/// its pin says, wherever `start` put it.
pub fn origins(model: &Model, instance: &Instance, start: &Solution) -> Vec<(i8, i32)> {
    let index: HashMap<&str, usize> = instance
        .lessons
        .iter()
        .enumerate()
        .map(|(i, l)| (l.id.as_str(), i))
        .collect();
    let mut origin = vec![(-1i8, 0i32); model.lessons.len()];
    let mut seen = vec![false; model.lessons.len()];
    for a in &start.assignments {
        let (Some(&l), Some(d)) = (
            index.get(a.lesson.as_str()),
            instance.days.iter().position(|d| *d == a.day),
        ) else {
            continue;
        };
        if !(0..=DAY_MINUTES).contains(&a.start) {
            continue;
        }
        if !std::mem::replace(&mut seen[l], true) {
            origin[l] = (d as i8, a.start as i32);
        }
    }
    for (l, info) in model.lessons.iter().enumerate() {
        if info.fixed_day >= 0 {
            origin[l] = (info.fixed_day, info.fixed_start);
        }
    }
    origin
}

/// A teacher-day's cost as the checker counts it (span minus teaching, plus visits),
/// for lessons at the given starts in time order, plus the objective's move penalty.
fn day_cost(model: &Model, day: usize, seq: &[u32], starts: &[i32]) -> i64 {
    if seq.is_empty() {
        return 0;
    }
    let visits = model.visits(seq).count() as i64;
    let taught: i64 = seq.iter().map(|&l| model.lessons[l as usize].minutes as i64).sum();
    let last = seq[seq.len() - 1];
    let span = (starts[starts.len() - 1] + model.lessons[last as usize].minutes - starts[0]) as i64;
    span - taught + VISIT_COST * visits + model.moved_penalty(day, seq, starts)
}

/// Installs the lessons at their origins (`model.origin`), teacher-days holding pinned
/// lessons first so that their rooms are theirs. Within a teacher-day, in time order, a
/// lesson is kept when it lies in a window (rule 1), follows the last kept lesson with
/// time to travel (rule 2) and shares no pupil with a lesson already on that day
/// (rule 4); then visits that find no free room (rule 3) are dropped until all fit.
pub fn install(model: &Model) -> Schedule {
    let mut state = Schedule::empty(model);
    let days = model.days;
    let mut rows: Vec<Vec<u32>> = vec![Vec::new(); model.teachers * days];
    for (l, &(d, _)) in model.origin.iter().enumerate() {
        if d >= 0 && (d as usize) < days {
            rows[model.lessons[l].teacher as usize * days + d as usize].push(l as u32);
        }
    }
    let mut order: Vec<usize> = (0..rows.len()).filter(|&r| !rows[r].is_empty()).collect();
    order.sort_by_key(|&r| (!rows[r].iter().any(|&l| model.lessons[l as usize].fixed_day >= 0), r));
    let mut kept: Vec<u32> = Vec::new();
    let mut starts: Vec<i32> = Vec::new();
    for r in order {
        let (teacher, day) = ((r / days) as u32, r % days);
        let mut seq = std::mem::take(&mut rows[r]);
        seq.sort_by_key(|&l| (model.origin[l as usize].1, l));
        kept.clear();
        starts.clear();
        for &l in &seq {
            let info = model.lessons[l as usize];
            let at = model.origin[l as usize].1;
            let end = at + info.minutes;
            let in_window = at.rem_euclid(model.slot) == 0
                && model
                    .windows(info.pair, day)
                    .iter()
                    .any(|w| w.from <= at && end <= w.to);
            let after_last = kept.last().is_none_or(|&k| {
                let previous = model.lessons[k as usize];
                let last_school = kept
                    .iter()
                    .rev()
                    .map(|&k| model.lessons[k as usize].school)
                    .find(|&school| school != model.online);
                at >= starts[starts.len() - 1] + previous.minutes + model.travel_after(last_school, info.school)
            });
            let pupils_free = model
                .conflicts(l)
                .iter()
                .all(|&c| state.day[c as usize] != day as i8 && !kept.contains(&c));
            if in_window && after_last && pupils_free {
                kept.push(l);
                starts.push(at);
            }
        }
        // Dropping a visit can join its neighbours into one longer visit: check again.
        while let Some((a, b)) = clashing_visit(model, &state, teacher, day, &kept, &starts) {
            kept.drain(a..b);
            starts.drain(a..b);
        }
        let cost = day_cost(model, day, &kept, &starts);
        state.set_day(model, teacher, day, &kept, &starts, cost);
        state.unscheduled -= kept.len();
        state.cost -= UNSCHEDULED_COST * kept.len() as i64;
    }
    state
}

/// The first visit (a range of `seq`) for which the school has no free room.
fn clashing_visit(
    model: &Model,
    state: &Schedule,
    teacher: u32,
    day: usize,
    seq: &[u32],
    starts: &[i32],
) -> Option<(usize, usize)> {
    model
        .visits(seq)
        .find(|visit| {
            let (first, last) = (visit.start, visit.end - 1);
            let school = model.lessons[seq[first] as usize].school;
            let to = starts[last] + model.lessons[seq[last] as usize].minutes;
            let held = &state.occupancy[school as usize * model.days + day];
            room_clash(held, model.rooms[school as usize], teacher, starts[first], to).is_some()
        })
        .map(|visit| (visit.start, visit.end))
}
