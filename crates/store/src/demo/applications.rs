//! The demo hub's waiting lists: a few hundred children waiting for lessons at several schools
//! and instruments, some looked-after or on free school meals so that the priority order
//! shows, and a few offers awaiting an answer, one of them to the demo parent's child
//! (docs/decisions/0052).
use std::collections::{BTreeMap, HashSet};

use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, Value};
use time::{Date, Duration, OffsetDateTime, Weekday};
use tutti_domain::admissions::WaitingPriority;

use super::rng::Rng;
use crate::admissions::applications::APPLIED_COLUMNS;
use crate::error::Result;
use crate::query::all_of;
use crate::teaching::lessons::insert_rows;

/// Children waiting per hundred pupils. A hub of fewer than `FROM_PUPILS` pupils (the tests'
/// small hub) gets none, so that a test's waiting list holds only what the test put there.
const PER_HUNDRED: usize = 3;
const FROM_PUPILS: usize = 1_000;
/// The schools with lists: the demo school account's school and the next largest.
const SCHOOLS: usize = 8;
/// The instruments with lists at each of those schools.
const INSTRUMENTS: [&str; 4] = ["Violin", "Guitar", "Drum kit", "Flute"];
/// What children apply for: lesson type and minutes, all in the default offer.
const SHAPES: [(&str, i32); 5] = [
    ("individual", 30),
    ("individual", 20),
    ("paired", 30),
    ("group", 30),
    ("group", 45),
];

#[derive(FromQueryResult)]
struct PupilRow {
    id: i64,
    school_id: i64,
    fsm: bool,
    looked_after: bool,
}

#[derive(FromQueryResult)]
struct Learning {
    pupil_id: i64,
    instrument: String,
}

/// One application before it is written.
struct Planned {
    pupil: i64,
    school: i64,
    instrument: &'static str,
    shape: (&'static str, i32),
    source: &'static str,
    applied_at: OffsetDateTime,
    band: u8,
    offered: bool,
}

/// The Monday at least a week after `today`: when an offered place starts.
fn start_monday(today: Date) -> Date {
    let mut d = today + Duration::days(7);
    while d.weekday() != Weekday::Monday {
        d += Duration::days(1);
    }
    d
}

/// Seeds the applications inside the demo's transaction, from its own random stream (the
/// records already written do not change).
pub(super) async fn seed(
    txn: &DatabaseTransaction,
    seed: u64,
    pupils: usize,
    today: Date,
    t: OffsetDateTime,
) -> Result<usize> {
    if pupils < FROM_PUPILS {
        return Ok(0);
    }
    let per_list = (pupils * PER_HUNDRED / 100).div_ceil(SCHOOLS * INSTRUMENTS.len());
    let _db = txn.get_database_backend();
    let all = all_of::<PupilRow>(
        txn,
        "SELECT id, school_id, fsm, looked_after FROM pupils ORDER BY id",
        Vec::<Value>::new(),
    )
    .await?;
    let learning: HashSet<(i64, String)> = all_of::<Learning>(
        txn,
        "SELECT pupil_id, LOWER(instrument) AS instrument FROM enrolments",
        Vec::<Value>::new(),
    )
    .await?
    .into_iter()
    .map(|l| (l.pupil_id, l.instrument))
    .collect();
    let mut by_school: BTreeMap<i64, Vec<&PupilRow>> = BTreeMap::new();
    for p in &all {
        by_school.entry(p.school_id).or_default().push(p);
    }
    // School 1 (the demo school account's), then the schools with most looked-after children
    // and pupils, so that lists have children in every priority band.
    let mut schools: Vec<(i64, usize, usize)> = by_school
        .iter()
        .map(|(id, list)| (*id, list.iter().filter(|p| p.looked_after).count(), list.len()))
        .collect();
    schools.sort_by_key(|&(id, lac, n)| (id != 1, std::cmp::Reverse((lac, n)), id));
    let mut rng = Rng::new(seed ^ 0xA991_1CA7_1095);
    let priority = WaitingPriority::default();
    let mut planned: Vec<Planned> = Vec::new();
    for (j, (school, _, _)) in schools.into_iter().take(SCHOOLS).enumerate() {
        let mut candidates = by_school[&school].clone();
        // A fixed shuffle; the demo parent's child (pupil 1) applies separately, below.
        for i in (1..candidates.len()).rev() {
            candidates.swap(i, rng.below(i as u64 + 1) as usize);
        }
        candidates.retain(|p| p.id != 1);
        // Looked-after children are few (under 1 in 100); each list gets one where the school
        // has them, at the head of its share of the shuffle.
        let (looked_after, mut candidates): (Vec<&PupilRow>, Vec<&PupilRow>) =
            candidates.into_iter().partition(|p| p.looked_after);
        for (i, p) in looked_after.into_iter().enumerate() {
            candidates.insert((i * per_list).min(candidates.len()), p);
        }
        let mut used = HashSet::new();
        for (k, instrument) in INSTRUMENTS.iter().enumerate() {
            let key = instrument.to_lowercase();
            let list: Vec<&PupilRow> = candidates
                .iter()
                .filter(|p| !used.contains(&p.id) && !learning.contains(&(p.id, key.clone())))
                .take(per_list)
                .copied()
                .collect();
            let start = planned.len();
            for p in list {
                used.insert(p.id);
                let source = match rng.below(10) {
                    0 => "school",
                    1 => "admin",
                    _ => "parent",
                };
                planned.push(Planned {
                    pupil: p.id,
                    school,
                    instrument,
                    shape: SHAPES[rng.below(SHAPES.len() as u64) as usize],
                    source,
                    // Applied between a week and eight months ago, to the minute.
                    applied_at: t - Duration::minutes(7 * 24 * 60 + rng.below(233 * 24 * 60) as i64),
                    band: priority.band(p.looked_after, p.fsm),
                    offered: false,
                });
            }
            // Every other school's last list has its place 1 offered, awaiting an answer.
            if k + 1 == INSTRUMENTS.len() && j % 2 == 0 && planned.len() - start > 1 {
                let first = (start..planned.len())
                    .min_by_key(|&i| (planned[i].band, planned[i].applied_at, i))
                    .unwrap_or(start);
                planned[first].offered = true;
            }
        }
    }
    // The demo parent's child has an offer to answer (for an instrument they do not learn
    // yet), so the parent's screen shows what a family sees.
    let second = ["Cello", "Trumpet", "Clarinet", "Piano"]
        .into_iter()
        .find(|i| !learning.contains(&(1, i.to_lowercase())));
    if let (Some(p), Some(instrument)) = (all.iter().find(|p| p.id == 1), second) {
        planned.push(Planned {
            pupil: 1,
            school: p.school_id,
            instrument,
            shape: ("individual", 30),
            source: "parent",
            applied_at: t - Duration::days(40),
            band: priority.band(p.looked_after, p.fsm),
            offered: true,
        });
    }
    // Written oldest first, so application numbers follow the dates as they would.
    planned.sort_by_key(|a| (a.applied_at, a.pupil));
    let (starts, expires, offered_at) = (start_monday(today), today + Duration::days(10), t - Duration::days(3));
    let rows: Vec<Vec<Value>> = planned
        .iter()
        .map(|a| {
            let offer = a.offered;
            vec![
                a.pupil.into(),
                a.school.into(),
                a.instrument.into(),
                a.shape.0.into(),
                a.shape.1.into(),
                a.source.into(),
                (a.source == "school").into(),
                Option::<i64>::None.into(),
                a.applied_at.into(),
                if offer { "offered" } else { "waiting" }.into(),
                offer.then_some(starts).into(),
                offer.then_some(expires).into(),
                offer.then_some(offered_at).into(),
                if offer { offered_at } else { a.applied_at }.into(),
            ]
        })
        .collect();
    let n = rows.len();
    insert_rows(
        txn,
        "applications",
        &[
            &APPLIED_COLUMNS[..],
            &["offer_start_date", "offer_expires_on", "offered_at", "updated_at"],
        ]
        .concat(),
        rows,
    )
    .await?;
    Ok(n)
}
