//! The demo hub's ensembles: the county's youth orchestra, wind orchestra, jazz orchestra,
//! choir, brass band and string orchestra, and four groups at each of nine area music
//! centres (42 in all), led by the hub's teachers (two by the demo teacher), with members by
//! instrument, a few waiting for a place, the year's rehearsals dated from the terms and the
//! registers of those already past taken. The demo parent's first child plays in one
//! ensemble; others have places free for them to apply to. Decision 0084.
use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, Value};
use time::{Date, OffsetDateTime, Weekday};
use tutti_domain::Pence;
use tutti_domain::calendar::{AcademicYear, default_term_dates};
use tutti_domain::ensembles::{EnsembleEntry, EnsembleKind, EnsembleLevel, rehearsal_dates};

use super::rng::Rng;
use crate::error::Result;
use crate::platform::audit::Actor;
use crate::query::{Id, all_of, one_of, stmt};
use crate::teaching::ensembles::records::{EnsembleInput, create_in};
use crate::teaching::ensembles::rehearsals::date_in;
use crate::teaching::ensembles::weekday;
use crate::teaching::lessons::insert_rows;

/// The area music centres.
const AREAS: [&str; 9] = [
    "Durham",
    "Darlington",
    "Chester-le-Street",
    "Bishop Auckland",
    "Consett",
    "Newton Aycliffe",
    "Peterlee",
    "Seaham",
    "Stanley",
];

/// A demo ensemble: name, kind, level, entry, area, day, start, minutes, ages, grade, fee in
/// pence, and its instrumentation.
type Plan = (
    String,
    EnsembleKind,
    EnsembleLevel,
    EnsembleEntry,
    String,
    u8,
    u16,
    u16,
    Option<(u8, u8)>,
    Option<u8>,
    i64,
    Vec<(&'static str, u32)>,
);

fn plans() -> Vec<Plan> {
    use EnsembleEntry::*;
    use EnsembleKind::*;
    use EnsembleLevel::*;
    let orchestra = vec![
        ("Violin", 16),
        ("Viola", 6),
        ("Cello", 6),
        ("Double bass", 2),
        ("Flute", 3),
        ("Oboe", 2),
        ("Clarinet", 3),
        ("Bassoon", 2),
        ("French horn", 4),
        ("Trumpet", 3),
        ("Trombone", 3),
        ("Percussion", 3),
    ];
    let wind = vec![
        ("Flute", 6),
        ("Clarinet", 10),
        ("Saxophone", 6),
        ("Trumpet", 6),
        ("French horn", 4),
        ("Trombone", 4),
        ("Euphonium", 2),
        ("Tuba", 2),
        ("Percussion", 4),
    ];
    let county = |name: &str, kind, day, start, entry, parts: Vec<(&'static str, u32)>| -> Plan {
        (
            format!("County {name}"),
            kind,
            County,
            entry,
            "County".to_owned(),
            day,
            start,
            150,
            Some((11, 18)),
            Some(6),
            6_500,
            parts,
        )
    };
    let mut out = vec![
        county("Youth Orchestra", Orchestra, 6, 600, Audition, orchestra.clone()),
        county("Youth Wind Orchestra", WindBand, 6, 570, Audition, wind.clone()),
        county(
            "Youth Jazz Orchestra",
            Jazz,
            5,
            1080,
            Audition,
            vec![
                ("Saxophone", 5),
                ("Trumpet", 4),
                ("Trombone", 4),
                ("Piano", 1),
                ("Guitar", 1),
                ("Bass guitar", 1),
                ("Drum kit", 1),
            ],
        ),
        county("Youth Choir", Choir, 4, 1080, Audition, Vec::new()),
        county(
            "Youth Brass Band",
            BrassBand,
            3,
            1080,
            Audition,
            vec![
                ("Cornet", 10),
                ("Tenor horn", 3),
                ("Baritone", 2),
                ("Euphonium", 2),
                ("Trombone", 3),
                ("Tuba", 4),
            ],
        ),
        county(
            "Youth String Orchestra",
            Orchestra,
            6,
            780,
            Audition,
            vec![("Violin", 18), ("Viola", 6), ("Cello", 6), ("Double bass", 2)],
        ),
    ];
    for (i, area) in AREAS.iter().enumerate() {
        let day = (i % 5) as u8 + 1;
        let area = (*area).to_owned();
        out.push((
            format!("{area} Junior Strings"),
            Orchestra,
            Entry,
            Open,
            area.clone(),
            day,
            1005,
            60,
            Some((7, 12)),
            None,
            0,
            vec![("Violin", 20), ("Viola", 4), ("Cello", 6), ("Double bass", 2)],
        ));
        out.push((
            format!("{area} Training Band"),
            WindBand,
            Entry,
            Open,
            area.clone(),
            day,
            1080,
            60,
            None,
            None,
            2_500,
            wind.clone(),
        ));
        out.push((
            format!("{area} Area Orchestra"),
            Orchestra,
            Intermediate,
            Open,
            area.clone(),
            6,
            570 + (i as u16 % 3) * 60,
            120,
            Some((10, 18)),
            Some(3),
            4_000,
            orchestra.clone(),
        ));
        let (name, kind, parts) = match i % 4 {
            0 => (
                "Rock and Pop Group",
                RockAndPop,
                vec![
                    ("Guitar", 3),
                    ("Bass guitar", 2),
                    ("Drum kit", 2),
                    ("Keyboard", 2),
                    ("Voice", 3),
                ],
            ),
            1 => ("Steel Pans", SteelPans, vec![("Steel pans", 16)]),
            2 => (
                "Folk Group",
                Folk,
                vec![
                    ("Violin", 6),
                    ("Accordion", 2),
                    ("Guitar", 4),
                    ("Flute", 4),
                    ("Whistle", 4),
                ],
            ),
            _ => ("Children's Choir", Choir, Vec::new()),
        };
        out.push((
            format!("{area} {name}"),
            kind,
            Intermediate,
            Open,
            area,
            (day % 5) + 1,
            1020,
            75,
            Some((9, 16)),
            None,
            2_000,
            parts,
        ));
    }
    out
}

#[derive(FromQueryResult)]
struct PupilRow {
    id: i64,
    date_of_birth: Date,
}

/// Seeds the ensembles, their members and rehearsals, and the registers of the rehearsals
/// before `today`.
pub(super) async fn seed(txn: &DatabaseTransaction, seed: u64, today: Date, t: OffsetDateTime) -> Result<()> {
    let db = txn.get_database_backend();
    let mut rng = Rng::new(seed ^ 0x0e_75e4_b1e5);
    let actor = Actor {
        user_id: None,
        name: "demo seed".into(),
        ip: "local".into(),
    };
    let staff: Vec<i64> = all_of::<Id>(txn, "SELECT id FROM staff ORDER BY id LIMIT 60", [])
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let demo_teacher = one_of::<Id>(
        txn,
        "SELECT staff_id AS id FROM users WHERE email = 'teacher@demo.test' AND staff_id IS NOT NULL",
        [],
    )
    .await?
    .map(|r| r.id);
    let demo_children: BTreeSet<i64> = all_of::<Id>(
        txn,
        "SELECT pg.pupil_id AS id FROM pupil_guardians pg JOIN guardians g ON g.id = pg.guardian_id \
         WHERE g.email = 'parent@demo.test' ORDER BY pg.pupil_id",
        [],
    )
    .await?
    .into_iter()
    .map(|r| r.id)
    .collect();
    let pupils: Vec<PupilRow> =
        all_of::<PupilRow>(txn, "SELECT id, date_of_birth FROM pupils ORDER BY id LIMIT 4000", [])
            .await?
            .into_iter()
            .filter(|p| !demo_children.contains(&p.id))
            .collect();
    let year = AcademicYear::containing(today);
    let terms = default_term_dates(year);
    let age_day = tutti_domain::ensembles::age_day(today);
    let mut taken: BTreeSet<(i64, i64)> = BTreeSet::new();
    let mut applications: Vec<Vec<Value>> = Vec::new();
    let mut first_open_entry: Option<i64> = None;
    for (n, plan) in plans().into_iter().enumerate() {
        let (name, kind, level, entry, area, day, start, minutes, ages, grade, fee, parts) = plan;
        let mut leaders = Vec::new();
        if let Some(t) = demo_teacher.filter(|_| n == 0 || n == 8) {
            leaders.push(t);
        }
        if !staff.is_empty() {
            leaders.push(staff[(rng.below(staff.len() as u64)) as usize]);
        }
        let input = EnsembleInput {
            name: name.clone(),
            kind,
            level,
            entry,
            area: area.clone(),
            venue: if area == "County" {
                "County Music Centre".to_owned()
            } else {
                format!("{area} Music Centre")
            },
            online: false,
            joining_link: None,
            weekday: day,
            start_minute: start,
            end_minute: start + minutes,
            min_age: ages.map(|a| a.0),
            max_age: ages.map(|a| a.1),
            min_grade: grade,
            termly_fee: Pence(fee),
            description: format!("{name} rehearses weekly in term time. {}", kind.label()),
            leaders,
            instrumentation: parts.iter().map(|(i, p)| ((*i).to_owned(), *p)).collect(),
        };
        let id = create_in(txn, &actor, &input).await?;
        let days = weekday(day)
            .map(|w| rehearsal_dates(&terms, &BTreeSet::new(), w))
            .unwrap_or_default();
        date_in(txn, id, &days, year.first_day()).await?;
        if level == EnsembleLevel::Entry && first_open_entry.is_none() {
            first_open_entry = Some(id);
        }
        // Members: most places filled by children of the right age, a few waiting where full.
        let wanted: Vec<(&str, u32)> = if parts.is_empty() {
            vec![("Voice", 24)]
        } else {
            parts.clone()
        };
        for (instrument, places) in wanted {
            // Entry ensembles keep places free for families to apply for.
            let fill = if level == EnsembleLevel::Entry {
                places / 2
            } else {
                places + u32::from(rng.below(3) == 0)
            };
            let mut placed = 0;
            for _ in 0..fill * 6 {
                if placed >= fill || pupils.is_empty() {
                    break;
                }
                let p = &pupils[rng.below(pupils.len() as u64) as usize];
                let age = tutti_domain::ensembles::age_on(p.date_of_birth, age_day);
                if ages.is_some_and(|(lo, hi)| age < i32::from(lo) || age > i32::from(hi)) || !taken.insert((id, p.id))
                {
                    continue;
                }
                let status = if placed < places { "accepted" } else { "waiting" };
                applications.push(vec![
                    id.into(),
                    p.id.into(),
                    instrument.into(),
                    i32::from(grade.unwrap_or(0) + rng.below(2) as u8).into(),
                    status.into(),
                    t.into(),
                    (status == "accepted").then_some(t).into(),
                    t.into(),
                ]);
                placed += 1;
            }
        }
    }
    // A Virtual Music Centre strand (decision 0085): online, paid for at once through the
    // basket; no members yet, so the demo parent can sign a child up.
    let strand = EnsembleInput {
        name: "Virtual Music Centre: Theory and Aural".into(),
        kind: EnsembleKind::Other,
        level: EnsembleLevel::Entry,
        entry: EnsembleEntry::Open,
        area: "County".into(),
        venue: "Online".into(),
        online: true,
        joining_link: Some("https://video.example.org/vmc-theory".into()),
        weekday: 3,
        start_minute: 17 * 60,
        end_minute: 17 * 60 + 45,
        min_age: Some(8),
        max_age: Some(14),
        min_grade: None,
        termly_fee: Pence(2_000),
        description: "An online strand of the Virtual Music Centre: theory and aural practice for grades 1 \
                      to 3, on a video call. Sign up and pay for the term from your account."
            .into(),
        leaders: staff.first().copied().into_iter().collect(),
        instrumentation: Vec::new(),
    };
    let strand_id = create_in(txn, &actor, &strand).await?;
    crate::query::exec(
        txn,
        "UPDATE ensembles SET strand = ? WHERE id = ?",
        vec![true.into(), strand_id.into()],
    )
    .await?;
    let days = weekday(3)
        .map(|w| rehearsal_dates(&terms, &BTreeSet::new(), w))
        .unwrap_or_default();
    date_in(txn, strand_id, &days, year.first_day()).await?;
    // The demo parent's first child plays violin in the first entry-level strings group.
    if let (Some(child), Some(id)) = (demo_children.iter().next(), first_open_entry) {
        applications.push(vec![
            id.into(),
            (*child).into(),
            "Violin".into(),
            1.into(),
            "accepted".into(),
            t.into(),
            Some(t).into(),
            t.into(),
        ]);
    }
    insert_rows(
        txn,
        "ensemble_applications",
        &[
            "ensemble_id",
            "pupil_id",
            "instrument",
            "grade",
            "status",
            "applied_at",
            "decided_at",
            "updated_at",
        ],
        applications,
    )
    .await?;
    #[derive(FromQueryResult)]
    struct Accepted {
        id: i64,
        ensemble_id: i64,
        pupil_id: i64,
        instrument: String,
    }
    let accepted = all_of::<Accepted>(
        txn,
        "SELECT id, ensemble_id, pupil_id, instrument FROM ensemble_applications WHERE status = 'accepted' ORDER BY id",
        [],
    )
    .await?;
    // One member in three has played since the year before, so last year's data return (the
    // one the office makes) counts ensembles too.
    let joined = |application: i64| {
        if application % 3 == 0 {
            AcademicYear::starting(year.start_year() - 1).first_day()
        } else {
            year.first_day()
        }
    };
    let parts = ["1st", "2nd", "3rd"];
    let members: Vec<Vec<Value>> = accepted
        .iter()
        .map(|a| {
            vec![
                a.ensemble_id.into(),
                a.pupil_id.into(),
                a.id.into(),
                a.instrument.clone().into(),
                parts[(a.id % 3) as usize].into(),
                joined(a.id).into(),
                t.into(),
            ]
        })
        .collect();
    insert_rows(
        txn,
        "ensemble_members",
        &[
            "ensemble_id",
            "pupil_id",
            "application_id",
            "instrument",
            "part",
            "joined_on",
            "updated_at",
        ],
        members,
    )
    .await?;
    // The registers of rehearsals already past: most members present, a few absent.
    #[derive(FromQueryResult)]
    struct Past {
        id: i64,
        ensemble_id: i64,
    }
    let past = all_of::<Past>(
        txn,
        "SELECT id, ensemble_id FROM rehearsals WHERE day < ? ORDER BY id",
        [today.into()],
    )
    .await?;
    let marks_of = [
        "present",
        "present",
        "present",
        "present",
        "present",
        "present",
        "present",
        "ill",
        "unauthorised",
    ];
    let mut marks: Vec<Vec<Value>> = Vec::new();
    for r in &past {
        for a in accepted.iter().filter(|a| a.ensemble_id == r.ensemble_id) {
            marks.push(vec![
                r.id.into(),
                a.pupil_id.into(),
                marks_of[rng.below(marks_of.len() as u64) as usize].into(),
                t.into(),
            ]);
        }
    }
    insert_rows(
        txn,
        "rehearsal_marks",
        &["rehearsal_id", "pupil_id", "mark", "marked_at"],
        marks,
    )
    .await?;
    txn.execute_raw(stmt(
        db,
        "UPDATE rehearsals SET status = 'given' WHERE day < ?",
        [today.into()],
    ))
    .await?;
    // One rehearsal moved and one cancelled, as families would be shown.
    if let Some(first) = first_open_entry {
        #[derive(FromQueryResult)]
        struct Next {
            id: i64,
            day: Date,
        }
        let coming = all_of::<Next>(
            txn,
            "SELECT id, day FROM rehearsals WHERE ensemble_id = ? AND day >= ? ORDER BY day LIMIT 2",
            [first.into(), today.into()],
        )
        .await?;
        if let Some(c) = coming.first() {
            txn.execute_raw(stmt(
                db,
                "UPDATE rehearsals SET status = 'cancelled', note = ? WHERE id = ?",
                ["The hall is closed for a concert".into(), c.id.into()],
            ))
            .await?;
        }
        if let Some(m) = coming.get(1) {
            let to = m.day.next_day().unwrap_or(m.day);
            let to = if to.weekday() == Weekday::Saturday { m.day } else { to };
            txn.execute_raw(stmt(
                db,
                "UPDATE rehearsals SET moved_from = ?, day = ?, note = ? WHERE id = ?",
                [
                    m.day.into(),
                    to.into(),
                    "Moved for the music centre's open day".into(),
                    m.id.into(),
                ],
            ))
            .await?;
        }
    }
    Ok(())
}
