//! Realistic random instances: schools clustered in towns, travel from coordinates,
//! part-time teachers, each teaching at a few schools near each other.
use crate::instance::{DayIntervals, Instance, Lesson, School, Teacher, WEEK_DAYS};
use crate::rng::Rng;
use std::collections::BTreeMap;

const SLOT: i64 = 5;

fn weighted<T: Copy>(rng: &mut Rng, table: &[(T, u32)]) -> T {
    let weights: Vec<u32> = table.iter().map(|&(_, w)| w).collect();
    table[rng.weighted(&weights)].0
}

/// The days (as a bit mask) on which a teacher and a school are both there.
fn shared_days(a: &DayIntervals, b: &DayIntervals) -> u8 {
    let mut mask = 0;
    for (d, day) in WEEK_DAYS.iter().enumerate() {
        if a.contains_key(*day) && b.contains_key(*day) {
            mask |= 1 << d;
        }
    }
    mask
}

/// Generates an instance; the same arguments always give the same instance.
pub fn generate(seed: u64, teachers: usize, schools: usize, lessons: usize) -> Instance {
    let mut rng = Rng::new(seed);
    let schools = schools.max(1);
    let towns = schools.div_ceil(10).max(1);
    // About 9 km between neighbouring towns: 35 towns cover a county like Durham.
    let side = 9.0 * (towns as f64).sqrt();
    let town_sites: Vec<(f64, f64, u32)> = (0..towns)
        .map(|_| (rng.unit() * side, rng.unit() * side, 1 + rng.below(5) as u32))
        .collect();
    let town_weights: Vec<u32> = town_sites.iter().map(|t| t.2).collect();

    let mut places = Vec::with_capacity(schools);
    let mut school_list = Vec::with_capacity(schools);
    for s in 0..schools {
        let town = town_sites[rng.weighted(&town_weights)];
        places.push((town.0 + 1.5 * rng.normal(), town.1 + 1.5 * rng.normal()));
        let rooms = weighted(&mut rng, &[(1, 50), (2, 35), (3, 15)]);
        let lunch = rng.chance(0.1);
        let mut open = BTreeMap::new();
        let closed = if rng.chance(0.25) { Some(rng.below(5)) } else { None };
        for (d, day) in WEEK_DAYS.iter().enumerate() {
            if closed == Some(d) {
                continue;
            }
            let from = 510 + SLOT * rng.range(-3, 3);
            let to = 930 + SLOT * rng.range(-6, 6);
            let intervals = if lunch {
                vec![[from, 720], [765, to]]
            } else {
                vec![[from, to]]
            };
            open.insert(day.to_string(), intervals);
        }
        school_list.push(School {
            id: format!("S{}", s + 1),
            rooms,
            open,
        });
    }

    let mut travel = BTreeMap::new();
    for a in 0..schools {
        let mut row = BTreeMap::new();
        for b in 0..schools {
            let minutes = if a == b {
                0
            } else {
                let (dx, dy) = (places[a].0 - places[b].0, places[a].1 - places[b].1);
                let km = (dx * dx + dy * dy).sqrt();
                // Parking and walking in take 5 minutes; roads average 35 km/h.
                (5.0 + km * 60.0 / 35.0).ceil() as i64
            };
            row.insert(school_list[b].id.clone(), minutes);
        }
        travel.insert(school_list[a].id.clone(), row);
    }

    let mut teacher_list = Vec::with_capacity(teachers);
    let mut teacher_schools: Vec<Vec<usize>> = Vec::with_capacity(teachers);
    for t in 0..teachers {
        let working = weighted(&mut rng, &[(2, 20), (3, 30), (4, 25), (5, 25)]);
        let mut days: Vec<usize> = (0..5).collect();
        rng.shuffle(&mut days);
        days.truncate(working);
        days.sort();
        let mut available = BTreeMap::new();
        for &d in &days {
            let mut from = 480 + SLOT * rng.range(0, 12);
            let mut to = 900 + SLOT * rng.range(0, 30);
            if rng.chance(0.1) {
                // A half day: mornings or afternoons only.
                if rng.chance(0.5) {
                    to = 750;
                } else {
                    from = 720;
                }
            }
            available.insert(WEEK_DAYS[d].to_string(), vec![[from, to]]);
        }
        let teacher = Teacher {
            id: format!("T{}", t + 1),
            available,
        };
        // A handful of schools near an anchor school, open on the teacher's days.
        let wanted = 2 + rng.below(5);
        let mut chosen = Vec::new();
        for _ in 0..20 {
            let anchor = rng.below(schools);
            let mut by_distance: Vec<(i64, usize)> = (0..schools)
                .filter(|&s| shared_days(&teacher.available, &school_list[s].open) != 0)
                .map(|s| (travel[&school_list[anchor].id][&school_list[s].id], s))
                .collect();
            by_distance.sort();
            chosen = by_distance.iter().take(wanted).map(|&(_, s)| s).collect();
            if !chosen.is_empty() {
                break;
            }
        }
        teacher_list.push(teacher);
        teacher_schools.push(chosen);
    }

    // Lessons in proportion to working days, with some spread between teachers.
    let shares: Vec<f64> = teacher_list
        .iter()
        .map(|t| t.available.len() as f64 * (0.7 + 0.6 * rng.unit()))
        .collect();
    let total: f64 = shares.iter().sum();
    let mut counts: Vec<usize> = shares
        .iter()
        .map(|s| ((s / total.max(1e-9)) * lessons as f64).floor() as usize)
        .collect();
    let mut missing = lessons.saturating_sub(counts.iter().sum());
    let mut t = 0;
    while missing > 0 && !counts.is_empty() {
        let n = counts.len();
        counts[t % n] += 1;
        missing -= 1;
        t += 1;
    }

    let mut lesson_list: Vec<Lesson> = Vec::with_capacity(lessons);
    let mut lesson_days: Vec<u8> = Vec::with_capacity(lessons);
    // Per school: lessons whose first pupil might also learn another instrument there.
    let mut pupil_pool: Vec<Vec<usize>> = vec![Vec::new(); schools];
    let mut next_pupil = 1usize;
    for (t, &count) in counts.iter().enumerate() {
        let own = &teacher_schools[t];
        if own.is_empty() {
            continue;
        }
        for _ in 0..count {
            // The first school is the teacher's main one.
            let s = if rng.chance(0.4) {
                own[0]
            } else {
                own[rng.below(own.len())]
            };
            let minutes = weighted(&mut rng, &[(15, 30), (20, 25), (30, 30), (40, 4), (45, 6), (60, 5)]);
            let group = weighted(&mut rng, &[(1, 55), (2, 20), (3, 10), (4, 7), (5, 4), (6, 4)]);
            let days = shared_days(&teacher_list[t].available, &school_list[s].open);
            let mut pupils = Vec::new();
            let mut shared = false;
            if rng.chance(0.1) && !pupil_pool[s].is_empty() {
                let k = rng.below(pupil_pool[s].len());
                let other = pupil_pool[s][k];
                // Two lessons sharing a pupil need two different days.
                let other_days = lesson_days[other];
                let distinct =
                    (0..5).any(|a| days & (1 << a) != 0 && (0..5).any(|b| b != a && other_days & (1 << b) != 0));
                if distinct {
                    pupils.push(lesson_list[other].pupils[0].clone());
                    pupil_pool[s].swap_remove(k);
                    shared = true;
                }
            }
            while pupils.len() < group {
                pupils.push(format!("P{next_pupil}"));
                next_pupil += 1;
            }
            if !shared && (pupils.len() == 1 || rng.chance(0.5)) {
                pupil_pool[s].push(lesson_list.len());
            }
            lesson_days.push(days);
            lesson_list.push(Lesson {
                id: format!("L{}", lesson_list.len() + 1),
                teacher: teacher_list[t].id.clone(),
                school: school_list[s].id.clone(),
                minutes,
                pupils,
                fixed: None,
                online: false,
            });
        }
    }

    Instance {
        version: 1,
        slot_minutes: SLOT,
        days: WEEK_DAYS.iter().map(|d| d.to_string()).collect(),
        schools: school_list,
        travel_minutes: travel,
        teachers: teacher_list,
        lessons: lesson_list,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_instances_are_valid_and_deterministic() {
        let a = generate(3, 5, 15, 100);
        assert_eq!(a.validate(), Ok(()));
        assert_eq!(a.lessons.len(), 100);
        assert_eq!(a, generate(3, 5, 15, 100));
        assert_ne!(a, generate(4, 5, 15, 100));
    }

    #[test]
    fn some_pupils_are_in_two_lessons() {
        let i = generate(1, 20, 40, 400);
        let mut seen = std::collections::HashMap::new();
        for l in &i.lessons {
            for p in &l.pupils {
                *seen.entry(p.clone()).or_insert(0) += 1;
            }
        }
        assert!(seen.values().any(|&n| n == 2));
        assert!(seen.values().all(|&n| n <= 2));
    }
}
