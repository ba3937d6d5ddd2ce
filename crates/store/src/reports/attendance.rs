//! Attendance patterns (decision 0095): each member's rehearsal marks over a span (an
//! ensemble's, or every ensemble's), and each lesson pupil's marks by teaching group, in date
//! order, for the domain's at-risk rule and the office's attendance page. Members who left are
//! not read; a rehearsal or lesson with no mark for them yet is not a mark.
use sea_orm::{FromQueryResult, Value};
use time::Date;
use tutti_domain::guarantee::RegisterMark;

use crate::Store;
use crate::error::Result;
use crate::query::all_of;

/// One person's marks in one ensemble (or one teaching group), oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceLine {
    /// The ensemble's id, or the teaching group's.
    pub group_id: i64,
    /// The ensemble's name, or the lessons' instrument and teacher.
    pub group: String,
    pub pupil_id: i64,
    pub name: String,
    pub instrument: String,
    pub marks: Vec<RegisterMark>,
}

#[derive(FromQueryResult)]
struct MarkRow {
    group_id: i64,
    group_name: String,
    pupil_id: i64,
    first_name: String,
    last_name: String,
    instrument: String,
    mark: Option<String>,
}

/// Rows in order, one line per group and person.
fn lines(rows: Vec<MarkRow>) -> Vec<AttendanceLine> {
    let mut out: Vec<AttendanceLine> = Vec::new();
    for r in rows {
        let mark = r.mark.as_deref().and_then(|m| m.parse::<RegisterMark>().ok());
        match out.last_mut() {
            Some(l) if l.group_id == r.group_id && l.pupil_id == r.pupil_id => l.marks.extend(mark),
            _ => out.push(AttendanceLine {
                group_id: r.group_id,
                group: r.group_name,
                pupil_id: r.pupil_id,
                name: format!("{} {}", r.first_name, r.last_name),
                instrument: r.instrument,
                marks: mark.into_iter().collect(),
            }),
        }
    }
    out
}

#[tutti_boxed::boxed]
impl Store {
    /// The marks of the current members of one ensemble (`Some`) or of all, at rehearsals from
    /// `from` to `to`: every member is listed, those with no marks yet too.
    pub async fn ensemble_attendance(
        &self,
        ensemble_id: Option<i64>,
        from: Date,
        to: Date,
    ) -> Result<Vec<AttendanceLine>> {
        let mut values: Vec<Value> = vec![from.into(), to.into()];
        let only = match ensemble_id {
            Some(id) => {
                values.push(id.into());
                "AND m.ensemble_id = ?"
            }
            None => "",
        };
        let sql = format!(
            "SELECT m.ensemble_id AS group_id, e.name AS group_name, m.pupil_id, p.first_name, p.last_name, \
             m.instrument, k.mark FROM ensemble_members m JOIN ensembles e ON e.id = m.ensemble_id \
             JOIN pupils p ON p.id = m.pupil_id \
             LEFT JOIN rehearsals r ON r.ensemble_id = m.ensemble_id AND r.day >= ? AND r.day <= ? AND r.day >= m.joined_on \
             LEFT JOIN rehearsal_marks k ON k.rehearsal_id = r.id AND k.pupil_id = m.pupil_id \
             WHERE m.left_on IS NULL AND e.archived_at IS NULL AND p.archived_at IS NULL {only} \
             ORDER BY e.name, m.ensemble_id, p.last_name, p.first_name, m.pupil_id, r.day, r.start_minute"
        );
        let rows = all_of::<MarkRow>(self.conn(), &sql, values).await?;
        Ok(lines(rows))
    }

    /// Every lesson pupil's marks from `from` to `to`, a line per pupil and teaching group
    /// (whole-class teaching is not marked pupil by pupil).
    pub async fn lesson_attendance(&self, from: Date, to: Date) -> Result<Vec<AttendanceLine>> {
        let rows = all_of::<MarkRow>(
            self.conn(),
            "SELECT g.id AS group_id, g.instrument || ' with ' || t.first_name || ' ' || t.last_name AS group_name, \
             r.pupil_id, p.first_name, p.last_name, g.instrument, r.mark FROM register_marks r \
             JOIN dated_lessons d ON d.id = r.dated_lesson_id JOIN teaching_groups g ON g.id = d.group_id \
             JOIN staff t ON t.id = g.teacher_id JOIN pupils p ON p.id = r.pupil_id \
             WHERE d.day >= ? AND d.day <= ? AND g.lesson_type <> 'whole-class' AND p.archived_at IS NULL \
             ORDER BY p.last_name, p.first_name, r.pupil_id, g.id, d.day, d.start_minute",
            [from.into(), to.into()],
        )
        .await?;
        Ok(lines(rows))
    }
}
