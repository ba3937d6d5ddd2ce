//! Whole-class programmes to place (decision 0094): a school's confirmed order for a
//! whole-class ensemble teaching package waits on the allocation screen until the office gives
//! it a teacher, weekday and time. It is then a whole-class teaching group (no pupils of its
//! own on record: the class is the school's), checked against the timetable's rules like any
//! placement, its lessons dated from today, and counted by timetable proposals for its year.
use sea_orm::FromQueryResult;
use tutti_domain::allocation::{AllocationRefusal, lesson_label, refuse_problems};
use tutti_domain::lessons::{LessonRefusal, LessonType};

use crate::Store;
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, exec, one_of};
use crate::teaching::allocation::{Slot, placement_problems};
use crate::teaching::lessons::{NewGroup, create_group_in, generate_for_teachers, weekday};

/// A confirmed whole-class programme and whether it is placed.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Programme {
    pub order_id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub programme: String,
    pub academic_year: String,
    pub sessions: i32,
    pub teaching_group_id: Option<i64>,
}

/// Where the office places a programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammePlacement {
    pub teacher_id: i64,
    pub weekday: u8,
    pub start_minute: u16,
    pub minutes: u16,
    pub instrument: String,
}

const PROGRAMME_SELECT: &str = "SELECT o.id AS order_id, o.school_id, s.name AS school_name, p.name AS programme, \
     o.academic_year, p.sessions, o.teaching_group_id FROM service_orders o \
     JOIN service_packages p ON p.id = o.package_id JOIN schools s ON s.id = o.school_id \
     WHERE o.status = 'confirmed' AND p.kind = 'wcet'";

#[tutti_boxed::boxed]
impl Store {
    /// Confirmed whole-class programmes not yet on the timetable, for one school or all.
    pub async fn programmes_to_place(&self, school_id: Option<i64>) -> Result<Vec<Programme>> {
        let (only, values) = match school_id {
            Some(s) => (" AND o.school_id = ?", vec![s.into()]),
            None => ("", Vec::new()),
        };
        all_of::<Programme>(
            self.conn(),
            &format!("{PROGRAMME_SELECT} AND o.teaching_group_id IS NULL{only} ORDER BY s.name, o.id"),
            values,
        )
        .await
    }

    /// A confirmed whole-class programme by its order.
    pub async fn programme(&self, order_id: i64) -> Result<Option<Programme>> {
        one_of::<Programme>(
            self.conn(),
            &format!("{PROGRAMME_SELECT} AND o.id = ?"),
            [order_id.into()],
        )
        .await
    }

    /// Places a programme in one transaction: refused, naming each rule broken, when the
    /// teacher, school or time clash; placed once. Returns its teaching group.
    pub async fn place_programme(&self, actor: &Actor, order_id: i64, at: &ProgrammePlacement) -> Result<i64> {
        if weekday(at.weekday).is_none() {
            return Err(LessonRefusal::Weekday.into());
        }
        let txn = self.write().await?;
        let p = one_of::<Programme>(&txn, &format!("{PROGRAMME_SELECT} AND o.id = ?"), [order_id.into()])
            .await?
            .ok_or(StoreError::NotFound)?;
        if p.teaching_group_id.is_some() {
            return Err(AllocationRefusal::ProgrammePlaced.into());
        }
        let candidate = Slot {
            key: "NEW".into(),
            group_id: -1,
            teacher_id: at.teacher_id,
            school_id: p.school_id,
            weekday: at.weekday,
            start: i64::from(at.start_minute),
            minutes: i64::from(at.minutes),
            pupils: Vec::new(),
            label: lesson_label(&at.instrument, LessonType::WholeClass.as_str()),
            pinned: false,
            online: false,
        };
        refuse_problems(placement_problems(&txn, &candidate, self.today()).await?)?;
        let group = create_group_in(
            &txn,
            actor,
            &NewGroup {
                teacher_id: at.teacher_id,
                school_id: p.school_id,
                weekday: at.weekday,
                start_minute: at.start_minute,
                minutes: at.minutes,
                lesson_type: LessonType::WholeClass,
                instrument: at.instrument.trim().to_owned(),
                enrolment_ids: Vec::new(),
            },
        )
        .await?;
        exec(
            &txn,
            "UPDATE service_orders SET teaching_group_id = ?, placed_on = ? WHERE id = ? AND teaching_group_id IS NULL",
            vec![group.into(), self.today().into(), order_id.into()],
        )
        .await?;
        generate_for_teachers(&txn, &[at.teacher_id], self.today()).await?;
        let summary = format!("{} for {} placed as teaching group {group}", p.programme, p.school_name);
        audit::commit(txn, actor, Action::Update, "service order", Some(order_id), summary).await?;
        Ok(group)
    }
}
