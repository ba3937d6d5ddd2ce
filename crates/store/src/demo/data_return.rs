//! What the demo's data return needs beyond the rest of the seed: pupils' gender and
//! ethnicity (some not recorded, some "prefer not to say"), drawn from the pupil's number.

/// The demo pupil's gender: mostly as their name suggests, one in 40 "prefer not to say",
/// one in 25 not recorded.
pub(crate) fn gender(pupil: usize, girl: bool) -> Option<String> {
    let word = match pupil % 200 {
        n if n % 25 == 7 => return None,
        n if n % 40 == 3 => "prefer-not-to-say",
        n if n % 97 == 11 => "other",
        _ if girl => "female",
        _ => "male",
    };
    Some(word.to_owned())
}

/// The demo pupil's ethnic group, roughly as a northern county's, with one in ten not
/// recorded and one in 30 "prefer not to say".
pub(crate) fn ethnicity(pupil: usize) -> Option<String> {
    let n = (pupil * 37 + 11) % 300;
    let word = match n {
        0..=29 => return None,
        30..=39 => "prefer-not-to-say",
        40..=49 => "asian",
        50..=55 => "black",
        56..=67 => "mixed",
        68..=71 => "other",
        _ => "white",
    };
    Some(word.to_owned())
}

/// Whole-class programmes, so the demo's return has a value in every row it can: one primary
/// pupil in nine has whole-class teaching this year (a class's instrument, from the autumn),
/// and one in nine had it last year (ended in July), most of them with lessons now, so the
/// return's continuation counts them. The programmes have no weekly slot of their own, so the
/// timetables, registers and invoices of the rest of the demo are as they were (whole-class
/// teaching is never billed to parents).
pub(crate) async fn seed(
    txn: &sea_orm::DatabaseTransaction,
    today: time::Date,
    t: time::OffsetDateTime,
) -> crate::error::Result<()> {
    use sea_orm::{ActiveValue::Set, EntityTrait, FromQueryResult};

    use crate::entities::enrolment;
    use crate::query::stmt;

    #[derive(FromQueryResult)]
    struct Primary {
        id: i64,
        school_id: i64,
    }
    const INSTRUMENTS: [&str; 4] = ["Ukulele", "Recorder", "Percussion", "Violin"];
    let year = tutti_domain::calendar::AcademicYear::containing(today);
    let last = tutti_domain::calendar::AcademicYear::starting(year.start_year() - 1);
    let backend = sea_orm::ConnectionTrait::get_database_backend(txn);
    let pupils = Primary::find_by_statement(stmt(
        backend,
        "SELECT p.id, p.school_id FROM pupils p JOIN schools s ON s.id = p.school_id \
         WHERE s.phase = 'primary' ORDER BY p.id",
        [],
    ))
    .all(txn)
    .await?;
    let mut rows = Vec::new();
    for (i, p) in pupils.iter().enumerate() {
        let (start, end, status) = match i % 9 {
            0 => (year.first_day() + time::Duration::days(7), None, "active"),
            4 => (
                last.first_day() + time::Duration::days(7),
                Some(time::Date::from_calendar_date(last.start_year() + 1, time::Month::July, 20).expect("a day")),
                "leaving",
            ),
            _ => continue,
        };
        rows.push(enrolment::ActiveModel {
            pupil_id: Set(p.id),
            instrument: Set(INSTRUMENTS[(p.school_id as usize) % INSTRUMENTS.len()].into()),
            lesson_type: Set("whole-class".into()),
            minutes: Set(45),
            teacher_id: Set(None),
            school_id: Set(Some(p.school_id)),
            weekday: Set(None),
            start_minute: Set(None),
            start_date: Set(start),
            end_date: Set(end),
            status: Set(status.into()),
            created_at: Set(t),
            ..Default::default()
        });
    }
    for chunk in rows.chunks(1_000) {
        enrolment::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}
