//! The demo hub: a deterministic, believable Durham-sized hub and one account per role.
mod names;
mod rng;

use sea_orm::{ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, Set};
use time::{Date, Duration, Month, OffsetDateTime};

use crate::accounts::{Role, hash_password};
use crate::entities::{enrolment, guardian, pupil, pupil_guardian, school, staff, user};
use crate::error::{Result, StoreError};
use crate::settings::{self, DEMO_MARKER};
use crate::{Backend, Store, now};
use names::*;
use rng::Rng;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-password";

/// One demo account per role, in the order they are printed.
pub const DEMO_ACCOUNTS: [(&str, Role); 6] = [
    ("admin@demo.test", Role::Admin),
    ("manager@demo.test", Role::Manager),
    ("teacher@demo.test", Role::Teacher),
    ("parent@demo.test", Role::Parent),
    ("school@demo.test", Role::School),
    ("pupil@demo.test", Role::Pupil),
];

/// How big a demo hub to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSize {
    pub schools: usize,
    pub teachers: usize,
    pub pupils: usize,
}

impl DemoSize {
    /// Our estimate of a Durham-sized hub (DOMAIN.md).
    pub const DURHAM: DemoSize = DemoSize {
        schools: 350,
        teachers: 150,
        pupils: 10_000,
    };
    /// Small enough for a test to seed in a moment.
    pub const SMALL: DemoSize = DemoSize {
        schools: 12,
        teachers: 6,
        pupils: 240,
    };
}

/// What seeding did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seeded {
    /// The demo hub was created now.
    Created {
        schools: usize,
        teachers: usize,
        pupils: usize,
        guardians: usize,
    },
    /// The database already held the demo hub; nothing was written.
    AlreadyPresent,
}

/// Rows are inserted in batches: SQLite caps the parameters of one statement.
const BATCH: usize = 500;

impl Store {
    /// Seeds the demo hub into an empty database, in one transaction. A database that
    /// already holds the demo is left alone; one that holds real data is refused.
    pub async fn seed_demo(&self, seed: u64, size: DemoSize) -> Result<Seeded> {
        if self.setting(DEMO_MARKER).await?.is_some() {
            self.seed_demo_content().await?;
            return Ok(Seeded::AlreadyPresent);
        }
        let users = user::Entity::find().count(self.conn()).await?;
        let schools = school::Entity::find().count(self.conn()).await?;
        let pupils = pupil::Entity::find().count(self.conn()).await?;
        if users + schools + pupils > 0 {
            return Err(StoreError::Refused(format!(
                "This database holds real data ({users} accounts, {schools} schools, {pupils} pupils) and was not made \
                 by --demo, so the demo hub will not be added to it. Start without --demo, or point --data-dir or \
                 --database-url at a new, empty database."
            )));
        }
        if size.schools == 0 || size.teachers == 0 || size.pupils < 2 {
            return Err(StoreError::Refused(
                "A demo hub needs at least 1 school, 1 teacher and 2 pupils.".into(),
            ));
        }
        // Hashing is deliberately slow, so it happens before the write lock is taken.
        let mut hashes = Vec::new();
        for _ in DEMO_ACCOUNTS {
            hashes.push(hash_password(DEMO_PASSWORD).await?);
        }
        let plan = plan(seed, size, now());
        let txn = self.write().await?;
        write_plan(&txn, &plan, &hashes).await?;
        if self.backend() == Backend::Postgres {
            for table in ["schools", "staff", "pupils", "guardians", "enrolments", "users"] {
                txn.execute_unprepared(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                ))
                .await?;
            }
        }
        settings::put(&txn, DEMO_MARKER, &seed.to_string()).await?;
        crate::content::demo::seed_in(&txn).await?;
        txn.commit().await?;
        Ok(Seeded::Created {
            schools: plan.schools.len(),
            teachers: plan.staff.len(),
            pupils: plan.pupils.len(),
            guardians: plan.guardians.len(),
        })
    }
}

/// Everything the demo writes, built in memory first so that the write is one quick pass.
struct Plan {
    schools: Vec<school::ActiveModel>,
    staff: Vec<staff::ActiveModel>,
    pupils: Vec<pupil::ActiveModel>,
    guardians: Vec<guardian::ActiveModel>,
    links: Vec<pupil_guardian::ActiveModel>,
    enrolments: Vec<enrolment::ActiveModel>,
    users: Vec<user::ActiveModel>,
}

/// The Monday on or before 1 September of the current academic year.
fn academic_year_start(today: Date) -> Date {
    let year = if today.month() as u8 >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    Date::from_calendar_date(year, Month::September, 1).expect("1 September exists")
}

fn plan(seed: u64, size: DemoSize, t: OffsetDateTime) -> Plan {
    let mut rng = Rng::new(seed);
    let year_start = academic_year_start(t.date());

    // Schools, spread over the towns; the first is the demo school contact's school.
    let mut schools = Vec::with_capacity(size.schools);
    let mut school_town = Vec::with_capacity(size.schools);
    let mut school_phase = Vec::with_capacity(size.schools);
    for i in 0..size.schools {
        let town_ix = i % TOWNS.len();
        let (town, district, la) = TOWNS[town_ix];
        let stem = SCHOOL_STEMS[(i / TOWNS.len() + town_ix * 7) % SCHOOL_STEMS.len()];
        let roll = rng.below(100);
        let phase = if i == 0 || roll < 78 {
            "primary"
        } else if roll < 93 {
            "secondary"
        } else if roll < 97 {
            "special"
        } else {
            "all-through"
        };
        let kind = if rng.below(100) < 58 { "maintained" } else { "academy" };
        let suffix = match phase {
            "primary" if stem.starts_with("St ") => "RC Primary School",
            "primary" if stem == "Holy Trinity" => "C of E Primary School",
            "primary" => "Primary School",
            "secondary" if kind == "academy" => "Academy",
            "secondary" => "School",
            "special" => "Special School",
            _ => "School",
        };
        // Two schools with one stem in one town get a number to keep names distinct.
        let round = i / (TOWNS.len() * SCHOOL_STEMS.len());
        let name = if round == 0 {
            format!("{stem} {suffix}, {town}")
        } else {
            format!("{stem} {suffix} No. {}, {town}", round + 1)
        };
        let uplift = [0, 0, 0, 15, 15, 50, 50, 100][rng.below(8) as usize];
        schools.push(school::ActiveModel {
            id: Set(i as i64 + 1),
            urn: Set(114_000 + i as i32),
            name: Set(name),
            phase: Set(phase.into()),
            school_type: Set(kind.into()),
            local_authority: Set(la.into()),
            area: Set(town.into()),
            address: Set(format!("{} {}, {town}", 1 + rng.below(120), pick(&mut rng, STREETS))),
            postcode: Set(postcode(&mut rng, district)),
            parent_charge_uplift: Set(uplift),
            billing: Set(if kind == "maintained" {
                "internal_journal"
            } else {
                "invoice"
            }
            .into()),
            rotating: Set(phase != "primary" || rng.below(100) < 20),
            archived_at: Set(None),
            created_at: Set(t),
            updated_at: Set(t),
        });
        school_town.push(town_ix);
        school_phase.push(phase);
    }

    // Teachers: each covers the schools of two or three neighbouring towns.
    let mut staff = Vec::with_capacity(size.teachers);
    let mut teacher_instruments: Vec<Vec<&str>> = Vec::with_capacity(size.teachers);
    for i in 0..size.teachers {
        let first = pick(&mut rng, ADULTS);
        let last = pick(&mut rng, SURNAMES);
        let email = if i == 0 {
            "teacher@demo.test".to_owned()
        } else {
            format!("{}.{}{}@staff.demo.test", first.to_lowercase(), last.to_lowercase(), i)
        };
        let family = i % INSTRUMENTS.len();
        let mut instruments = vec![INSTRUMENTS[family]];
        if rng.below(100) < 60 {
            let other = INSTRUMENTS[(family + 1 + rng.below(3) as usize) % INSTRUMENTS.len()];
            instruments.push(other);
        }
        let employment = match rng.below(100) {
            0..60 => "employed",
            60..85 => "sessional",
            _ => "self_employed",
        };
        let dbs_issued = year_start - Duration::days(rng.below(1000) as i64);
        staff.push(staff::ActiveModel {
            id: Set(i as i64 + 1),
            email: Set(email),
            first_name: Set(first.into()),
            last_name: Set(last.into()),
            role: Set("teacher".into()),
            instruments: Set(instruments.join(";")),
            employment: Set(employment.into()),
            dbs_number: Set(Some(format!("{:012}", 1_000_000_000 + rng.below(8_999_999_999)))),
            dbs_issued: Set(Some(dbs_issued)),
            dbs_update_service: Set(rng.below(100) < 70),
            safeguarding_trained: Set(Some(year_start - Duration::days(rng.below(900) as i64))),
            archived_at: Set(None),
            created_at: Set(t),
            updated_at: Set(t),
        });
        teacher_instruments.push(instruments);
    }
    let teachers_for_town = |town_ix: usize| -> Vec<usize> {
        (0..size.teachers)
            .filter(|ti| (ti % TOWNS.len()).abs_diff(town_ix) <= 1 || ti % TOWNS.len() == (town_ix + 1) % TOWNS.len())
            .collect()
    };
    let town_teachers: Vec<Vec<usize>> = (0..TOWNS.len())
        .map(|town| {
            let list = teachers_for_town(town);
            if list.is_empty() {
                (0..size.teachers).collect()
            } else {
                list
            }
        })
        .collect();

    // Families and pupils: siblings share a surname, a guardian and usually a school.
    let mut pupils = Vec::with_capacity(size.pupils);
    let mut guardians = Vec::new();
    let mut links = Vec::with_capacity(size.pupils);
    let mut enrolments = Vec::with_capacity(size.pupils + size.pupils / 8);
    // The next free lesson start per (teacher, school): lessons are packed from 09:00.
    let mut next_start: std::collections::HashMap<(usize, usize), (i32, i32)> = std::collections::HashMap::new();
    let mut p = 0usize;
    while p < size.pupils {
        let family_ix = guardians.len();
        let surname = pick(&mut rng, SURNAMES);
        let school_ix = if family_ix == 0 {
            0
        } else {
            rng.below(size.schools as u64) as usize
        };
        let (town, district, _) = TOWNS[school_town[school_ix]];
        let guardian_first = pick(&mut rng, ADULTS);
        let email = if family_ix == 0 {
            "parent@demo.test".to_owned()
        } else {
            format!(
                "{}.{}{}@family.demo.test",
                guardian_first.to_lowercase(),
                surname.to_lowercase(),
                family_ix
            )
        };
        guardians.push(guardian::ActiveModel {
            id: Set(family_ix as i64 + 1),
            name: Set(format!("{guardian_first} {surname}")),
            email: Set(email),
            phone: Set(format!("07700 900{:03}", rng.below(1000))),
            address: Set(format!(
                "{} {}, {town}, {}",
                1 + rng.below(200),
                pick(&mut rng, STREETS),
                postcode(&mut rng, district)
            )),
            created_at: Set(t),
            updated_at: Set(t),
        });
        let children = if family_ix == 0 {
            2
        } else {
            [1, 1, 1, 2, 2, 3][rng.below(6) as usize]
        };
        for c in 0..children {
            if p >= size.pupils {
                break;
            }
            let girl = rng.below(2) == 0;
            let first = if girl {
                pick(&mut rng, GIRLS)
            } else {
                pick(&mut rng, BOYS)
            };
            let phase = school_phase[school_ix];
            // Age on 31 August: 7 to 10 in primary, 11 to 17 in secondary.
            let age = match phase {
                "primary" => 7 + rng.below(4) as i32,
                "secondary" => 11 + rng.below(7) as i32,
                _ => 7 + rng.below(10) as i32,
            } + c as i32 % 2;
            let born = Date::from_calendar_date(year_start.year() - age - 1, Month::September, 1).expect("a date")
                + Duration::days(rng.below(365) as i64);
            let fsm = rng.below(100) < 22;
            let pupil_id = p as i64 + 1;
            pupils.push(pupil::ActiveModel {
                id: Set(pupil_id),
                pupil_ref: Set(format!("P{:06}", 100_000 + p)),
                first_name: Set(first.into()),
                last_name: Set(surname.into()),
                date_of_birth: Set(born),
                school_id: Set(school_ix as i64 + 1),
                year_group_override: Set(None),
                fsm: Set(fsm),
                pupil_premium: Set(fsm || rng.below(100) < 6),
                send: Set(rng.below(100) < 13),
                looked_after: Set(rng.below(1000) < 8),
                medical_notes: Set((rng.below(100) < 5).then(|| "Asthma: inhaler kept in class.".to_owned())),
                photo_consent: Set(rng.below(100) < 85),
                archived_at: Set(None),
                created_at: Set(t),
                updated_at: Set(t),
            });
            links.push(pupil_guardian::ActiveModel {
                pupil_id: Set(pupil_id),
                guardian_id: Set(family_ix as i64 + 1),
            });

            // One enrolment each, a second instrument for some; the demo family's first child
            // learns with the demo teacher at the demo school.
            let lessons = if rng.below(100) < 10 { 2 } else { 1 };
            for l in 0..lessons {
                let candidates = &town_teachers[school_town[school_ix]];
                let teacher_ix = if family_ix == 0 && c == 0 && l == 0 {
                    0
                } else {
                    candidates[rng.below(candidates.len() as u64) as usize]
                };
                let instrument =
                    teacher_instruments[teacher_ix][rng.below(teacher_instruments[teacher_ix].len() as u64) as usize];
                let (lesson_type, minutes) = match rng.below(10) {
                    0..2 => ("individual", 20),
                    2..3 => ("paired", 30),
                    _ => ("group", 30),
                };
                let slot = next_start
                    .entry((teacher_ix, school_ix))
                    .or_insert_with(|| ((teacher_ix + school_ix) as i32 % 5, 9 * 60));
                let (weekday, start) = *slot;
                slot.1 += minutes;
                if slot.1 > 15 * 60 {
                    *slot = ((slot.0 + 1) % 5, 9 * 60);
                }
                enrolments.push(enrolment::ActiveModel {
                    id: Set(enrolments.len() as i64 + 1),
                    pupil_id: Set(pupil_id),
                    instrument: Set(instrument.into()),
                    lesson_type: Set(lesson_type.into()),
                    minutes: Set(minutes),
                    teacher_id: Set(Some(teacher_ix as i64 + 1)),
                    school_id: Set(Some(school_ix as i64 + 1)),
                    weekday: Set(Some(weekday + 1)),
                    start_minute: Set(Some(start)),
                    start_date: Set(year_start + Duration::days(7)),
                    end_date: Set(None),
                    status: Set("active".into()),
                    created_at: Set(t),
                });
            }
            p += 1;
        }
    }

    let users = DEMO_ACCOUNTS
        .iter()
        .enumerate()
        .map(|(i, (email, role))| {
            let name = match role {
                Role::Admin => "Demo Admin".to_owned(),
                Role::Manager => "Demo Manager".to_owned(),
                Role::Teacher => {
                    let s = &staff[0];
                    format!("{} {}", s.first_name.clone().unwrap(), s.last_name.clone().unwrap())
                }
                Role::Parent => guardians[0].name.clone().unwrap(),
                Role::School => "Demo School Office".to_owned(),
                Role::Pupil => format!(
                    "{} {}",
                    pupils[0].first_name.clone().unwrap(),
                    pupils[0].last_name.clone().unwrap()
                ),
            };
            user::ActiveModel {
                id: Set(i as i64 + 1),
                email: Set((*email).to_owned()),
                name: Set(name),
                password_hash: Set(String::new()),
                role: Set(role.as_str().into()),
                disabled: Set(false),
                email_verified_at: Set(Some(t)),
                school_id: Set((*role == Role::School).then_some(1)),
                staff_id: Set((*role == Role::Teacher).then_some(1)),
                pupil_id: Set((*role == Role::Pupil).then_some(1)),
                is_demo: Set(true),
                created_at: Set(t),
                updated_at: Set(t),
                password_changed_at: Set(t),
            }
        })
        .collect();

    Plan {
        schools,
        staff,
        pupils,
        guardians,
        links,
        enrolments,
        users,
    }
}

async fn write_plan(txn: &DatabaseTransaction, plan: &Plan, hashes: &[String]) -> Result<()> {
    insert_batches::<school::Entity>(txn, &plan.schools).await?;
    insert_batches::<staff::Entity>(txn, &plan.staff).await?;
    insert_batches::<guardian::Entity>(txn, &plan.guardians).await?;
    insert_batches::<pupil::Entity>(txn, &plan.pupils).await?;
    insert_batches::<pupil_guardian::Entity>(txn, &plan.links).await?;
    insert_batches::<enrolment::Entity>(txn, &plan.enrolments).await?;
    let users: Vec<user::ActiveModel> = plan
        .users
        .iter()
        .zip(hashes)
        .map(|(u, h)| {
            let mut u = u.clone();
            u.password_hash = Set(h.clone());
            u
        })
        .collect();
    insert_batches::<user::Entity>(txn, &users).await?;
    Ok(())
}

async fn insert_batches<E>(txn: &DatabaseTransaction, rows: &[E::ActiveModel]) -> Result<()>
where
    E: EntityTrait,
    E::ActiveModel: Clone + Send,
{
    for chunk in rows.chunks(BATCH) {
        E::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
    }
    Ok(())
}

fn pick<'a>(rng: &mut Rng, list: &[&'a str]) -> &'a str {
    list[rng.below(list.len() as u64) as usize]
}

/// A postcode in a real district with a made-up unit ("DH1 4QX").
fn postcode(rng: &mut Rng, district: &str) -> String {
    const UNIT: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    let a = UNIT[rng.below(UNIT.len() as u64) as usize] as char;
    let b = UNIT[rng.below(UNIT.len() as u64) as usize] as char;
    format!("{district} {}{a}{b}", 1 + rng.below(9))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_is_the_same_for_the_same_seed() {
        let t = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
        let a = plan(7, DemoSize::SMALL, t);
        let b = plan(7, DemoSize::SMALL, t);
        let names = |p: &Plan| {
            p.pupils
                .iter()
                .map(|m| m.first_name.clone().unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&a), names(&b));
        let c = plan(8, DemoSize::SMALL, t);
        assert_ne!(names(&a), names(&c));
    }

    #[test]
    fn durham_sized_plan_has_the_promised_counts_and_links() {
        let t = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
        let p = plan(1, DemoSize::DURHAM, t);
        assert_eq!(p.schools.len(), 350);
        assert_eq!(p.staff.len(), 150);
        assert_eq!(p.pupils.len(), 10_000);
        assert_eq!(p.links.len(), 10_000);
        assert!(p.guardians.len() > 5_000 && p.guardians.len() < 10_000);
        // The demo parent's first child learns with the demo teacher at the demo school.
        assert_eq!(p.guardians[0].email.clone().unwrap(), "parent@demo.test");
        assert_eq!(p.pupils[0].school_id.clone().unwrap(), 1);
        assert_eq!(p.enrolments[0].teacher_id.clone().unwrap(), Some(1));
        let names: std::collections::HashSet<_> = p.schools.iter().map(|s| s.name.clone().unwrap()).collect();
        assert_eq!(names.len(), 350, "school names are distinct");
    }
}
