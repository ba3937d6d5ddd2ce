//! A pupil's path (decision 0095): whole-class programmes, lessons, ensembles and graded exams,
//! dated, for the office's 360° record and a parent's view of their child. Read only; one query
//! a kind; a pupil the reader may not see is `None`.
use sea_orm::FromQueryResult;
use time::Date;
use tutti_domain::progression::path::{Step, StepKind, in_order, school_year_words};

use crate::Store;
use crate::error::Result;
use crate::query::{all_of, one_of};
use crate::records::pupils::PupilScope;

#[derive(FromQueryResult)]
struct Who {
    first_name: String,
    last_name: String,
    date_of_birth: Date,
}

#[derive(FromQueryResult)]
struct EnrolmentRow {
    instrument: String,
    lesson_type: String,
    minutes: i32,
    start_date: Date,
    end_date: Option<Date>,
    teacher_name: Option<String>,
    school_name: Option<String>,
}

#[derive(FromQueryResult)]
struct MemberRow {
    ensemble_name: String,
    instrument: String,
    part: String,
    joined_on: Date,
    left_on: Option<Date>,
}

#[derive(FromQueryResult)]
struct ExamRow {
    instrument: String,
    board: String,
    grade: i32,
    exam_date: Date,
    result: Option<String>,
}

/// A pupil's name and their path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PupilPath {
    pub name: String,
    pub steps: Vec<Step>,
}

fn lesson_words(t: &str) -> String {
    t.replace('-', " ")
}

#[tutti_boxed::boxed]
impl Store {
    /// The path of a pupil `scope` may see, in date order; `None` for one it may not.
    pub async fn pupil_path(&self, scope: &PupilScope, pupil_id: i64) -> Result<Option<PupilPath>> {
        let _backend = self.conn().get_database_backend();
        let (condition, mut values) = scope.condition();
        values.insert(0, pupil_id.into());
        let Some(who) = one_of::<Who>(
            self.conn(),
            &format!("SELECT p.first_name, p.last_name, p.date_of_birth FROM pupils p WHERE p.id = ? AND {condition}"),
            values,
        )
        .await?
        else {
            return Ok(None);
        };
        let mut steps = Vec::new();
        // Enrolments taught (not waiting for a teacher), with where and by whom.
        for e in all_of::<EnrolmentRow>(self.conn(), "SELECT e.instrument, e.lesson_type, e.minutes, e.start_date, e.end_date, \
             MAX(t.first_name || ' ' || t.last_name) AS teacher_name, MAX(COALESCE(s.name, ps.name)) AS school_name \
             FROM enrolments e JOIN pupils p ON p.id = e.pupil_id \
             LEFT JOIN group_members gm ON gm.enrolment_id = e.id LEFT JOIN teaching_groups g ON g.id = gm.group_id \
             LEFT JOIN staff t ON t.id = COALESCE(g.teacher_id, e.teacher_id) \
             LEFT JOIN schools s ON s.id = COALESCE(g.school_id, e.school_id) LEFT JOIN schools ps ON ps.id = p.school_id \
             WHERE e.pupil_id = ? AND e.status <> 'awaiting' \
             GROUP BY e.id, e.instrument, e.lesson_type, e.minutes, e.start_date, e.end_date", [pupil_id.into()]).await?
        {
            let school = e.school_name.unwrap_or_default();
            let teacher = e.teacher_name.map(|t| format!("Taught by {t}"));
            if e.lesson_type == "whole-class" {
                let mut detail = vec![school_year_words(e.start_date, who.date_of_birth)];
                detail.extend(teacher);
                steps.push(Step {
                    kind: StepKind::WholeClass,
                    from: e.start_date,
                    to: e.end_date,
                    what: format!("{} at {school}", e.instrument),
                    detail: detail.join(". "),
                });
            } else {
                let mut detail: Vec<String> = teacher.into_iter().collect();
                if !school.is_empty() {
                    detail.push(format!("at {school}"));
                }
                steps.push(Step {
                    kind: StepKind::Lessons,
                    from: e.start_date,
                    to: e.end_date,
                    what: format!("{}, {}, {} minutes", e.instrument, lesson_words(&e.lesson_type), e.minutes),
                    detail: detail.join(" "),
                });
            }
        }
        for m in all_of::<MemberRow>(
            self.conn(),
            "SELECT e.name AS ensemble_name, m.instrument, m.part, m.joined_on, m.left_on \
             FROM ensemble_members m JOIN ensembles e ON e.id = m.ensemble_id WHERE m.pupil_id = ?",
            [pupil_id.into()],
        )
        .await?
        {
            let part = m.part.trim();
            steps.push(Step {
                kind: StepKind::Ensemble,
                from: m.joined_on,
                to: m.left_on,
                what: m.ensemble_name,
                detail: if part.is_empty() {
                    m.instrument
                } else {
                    format!("{}, {part}", m.instrument)
                },
            });
        }
        for x in all_of::<ExamRow>(
            self.conn(),
            "SELECT instrument, board, grade, exam_date, result FROM exam_entries WHERE pupil_id = ?",
            [pupil_id.into()],
        )
        .await?
        {
            steps.push(Step {
                kind: StepKind::Exam,
                from: x.exam_date,
                to: None,
                what: format!("{} grade {}, {}", x.instrument, x.grade, x.board),
                detail: match x.result.as_deref().map(str::trim) {
                    Some(r) if !r.is_empty() => format!("Result: {r}"),
                    _ => "Result not yet recorded".to_owned(),
                },
            });
        }
        Ok(Some(PupilPath {
            name: format!("{} {}", who.first_name, who.last_name),
            steps: in_order(steps),
        }))
    }
}
