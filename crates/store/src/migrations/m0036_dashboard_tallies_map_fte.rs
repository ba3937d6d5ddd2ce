//! Decision 0096. The guarantee's counted lessons kept as a tally per pupil, teaching group
//! and academic year (`register_tallies`), written by triggers on `register_marks` and
//! `dated_lessons` in the same transaction as the mark, so the dashboard reads ten thousand
//! tallies instead of looking up every lesson's mark; schools' optional coordinates (for the
//! take-up map) and staff's optional full-time equivalent (for the return's workforce).
use super::prelude::*;

pub struct Migration;

/// The marks that count toward the guarantee (`RegisterMark::counts_toward_guarantee`): all
/// but the hub's own misses.
const COUNTS: &str = "NOT IN ('teacher-absent', 'school-closed')";

/// The academic year (its starting calendar year) of a day, per backend.
fn year_of(pg: bool, day: &str) -> String {
    if pg {
        format!("(EXTRACT(YEAR FROM {day})::int - CASE WHEN EXTRACT(MONTH FROM {day}) < 9 THEN 1 ELSE 0 END)")
    } else {
        format!("(CAST(strftime('%Y', {day}) AS INTEGER) - (CAST(strftime('%m', {day}) AS INTEGER) < 9))")
    }
}

/// Adds one to the tallies of the counted marks `marks` (a `FROM … WHERE` over `r`) of the
/// lesson `d`.
fn add(pg: bool, from: &str) -> String {
    let plus = if pg {
        "register_tallies.counted + 1"
    } else {
        "counted + 1"
    };
    format!(
        "INSERT INTO register_tallies (group_id, pupil_id, year_start, counted) \
         SELECT d.group_id, r.pupil_id, {}, 1 {from} \
         ON CONFLICT (group_id, pupil_id, year_start) DO UPDATE SET counted = {plus}",
        year_of(pg, "d.day")
    )
}

/// Takes one from the tally of each counted mark of `from` (over `r` and `d`).
fn take(pg: bool, from: &str) -> String {
    format!(
        "UPDATE register_tallies SET counted = counted - 1 WHERE EXISTS (SELECT 1 {from} \
         AND register_tallies.group_id = d.group_id AND register_tallies.pupil_id = r.pupil_id \
         AND register_tallies.year_start = {})",
        year_of(pg, "d.day")
    )
}

fn sqlite_statements() -> Vec<String> {
    let pg = false;
    let mark = |row: &str| {
        format!(
            "FROM (SELECT {row}.dated_lesson_id AS dated_lesson_id, {row}.pupil_id AS pupil_id) r \
             JOIN dated_lessons d ON d.id = r.dated_lesson_id WHERE {row}.mark {COUNTS}"
        )
    };
    let lesson = |row: &str| {
        format!(
            "FROM register_marks r JOIN (SELECT {row}.group_id AS group_id, {row}.day AS day) d \
             WHERE r.dated_lesson_id = {row}.id AND r.mark {COUNTS}"
        )
    };
    vec![
        format!(
            "CREATE TRIGGER register_tallies_mark_insert AFTER INSERT ON register_marks BEGIN {}; END",
            add(pg, &mark("NEW"))
        ),
        format!(
            "CREATE TRIGGER register_tallies_mark_update AFTER UPDATE OF mark, dated_lesson_id, pupil_id \
             ON register_marks BEGIN {}; {}; END",
            take(pg, &mark("OLD")),
            add(pg, &mark("NEW"))
        ),
        format!(
            "CREATE TRIGGER register_tallies_mark_delete AFTER DELETE ON register_marks BEGIN {}; END",
            take(pg, &mark("OLD"))
        ),
        // A lesson's marks go before it does, while the lesson still says whose they were
        // (a cascade would delete them after it, leaving their tallies unknowable).
        "CREATE TRIGGER register_tallies_lesson_delete BEFORE DELETE ON dated_lessons BEGIN \
         DELETE FROM register_marks WHERE dated_lesson_id = OLD.id; END"
            .to_owned(),
        format!(
            "CREATE TRIGGER register_tallies_lesson_move AFTER UPDATE OF day, group_id ON dated_lessons \
             WHEN OLD.day <> NEW.day OR OLD.group_id <> NEW.group_id BEGIN {}; {}; END",
            take(pg, &lesson("OLD")),
            add(pg, &lesson("NEW"))
        ),
    ]
}

fn postgres_statements() -> Vec<String> {
    let pg = true;
    let mark = |row: &str| {
        format!(
            "FROM (SELECT {row}.dated_lesson_id AS dated_lesson_id, {row}.pupil_id AS pupil_id) r \
             JOIN dated_lessons d ON d.id = r.dated_lesson_id WHERE {row}.mark {COUNTS}"
        )
    };
    let lesson = |row: &str| {
        format!(
            "FROM register_marks r JOIN (SELECT {row}.group_id AS group_id, {row}.day AS day) d ON TRUE \
             WHERE r.dated_lesson_id = {row}.id AND r.mark {COUNTS}"
        )
    };
    vec![
        format!(
            "CREATE FUNCTION register_tallies_mark() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF TG_OP <> 'INSERT' THEN {}; END IF; \
             IF TG_OP <> 'DELETE' THEN {}; END IF; \
             RETURN NULL; END $$",
            take(pg, &mark("OLD")),
            add(pg, &mark("NEW"))
        ),
        "CREATE TRIGGER register_tallies_mark AFTER INSERT OR DELETE OR UPDATE OF mark, dated_lesson_id, pupil_id \
         ON register_marks FOR EACH ROW EXECUTE FUNCTION register_tallies_mark()"
            .to_owned(),
        "CREATE FUNCTION register_tallies_lesson_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
         DELETE FROM register_marks WHERE dated_lesson_id = OLD.id; RETURN OLD; END $$"
            .to_owned(),
        "CREATE TRIGGER register_tallies_lesson_delete BEFORE DELETE ON dated_lessons \
         FOR EACH ROW EXECUTE FUNCTION register_tallies_lesson_delete()"
            .to_owned(),
        format!(
            "CREATE FUNCTION register_tallies_lesson_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             {}; {}; RETURN NULL; END $$",
            take(pg, &lesson("OLD")),
            add(pg, &lesson("NEW"))
        ),
        "CREATE TRIGGER register_tallies_lesson_move AFTER UPDATE OF day, group_id ON dated_lessons \
         FOR EACH ROW WHEN (OLD.day <> NEW.day OR OLD.group_id <> NEW.group_id) \
         EXECUTE FUNCTION register_tallies_lesson_move()"
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let pg = m.get_database_backend() == sea_orm::DbBackend::Postgres;
        m.create_table(
            Table::create()
                .table("register_tallies")
                .col(big_integer("group_id"))
                .col(big_integer("pupil_id"))
                .col(integer("year_start"))
                .col(big_integer("counted"))
                .primary_key(Index::create().col("group_id").col("pupil_id").col("year_start"))
                .to_owned(),
        )
        .await?;
        let conn = m.get_connection();
        conn.execute_unprepared(&format!(
            "INSERT INTO register_tallies (group_id, pupil_id, year_start, counted) \
             SELECT d.group_id, r.pupil_id, {year}, COUNT(*) FROM register_marks r \
             JOIN dated_lessons d ON d.id = r.dated_lesson_id WHERE r.mark {COUNTS} \
             GROUP BY d.group_id, r.pupil_id, {year}",
            year = year_of(pg, "d.day")
        ))
        .await?;
        let statements = if pg { postgres_statements() } else { sqlite_statements() };
        for sql in statements {
            conn.execute_unprepared(&sql).await?;
        }
        // Millionths of a degree (WGS84), so the copy and both backends hold exact integers.
        for column in [integer_null("latitude_micro"), integer_null("longitude_micro")] {
            m.alter_table(Table::alter().table("schools").add_column(column).to_owned())
                .await?;
        }
        // Hundredths of a full-time post, 1 to 100.
        m.alter_table(
            Table::alter()
                .table("staff")
                .add_column(integer_null("fte_hundredths"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
