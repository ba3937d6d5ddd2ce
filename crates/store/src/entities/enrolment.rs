//! The `enrolments` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrolments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub pupil_id: i64,
    pub instrument: String,
    pub lesson_type: String,
    pub minutes: i32,
    pub teacher_id: Option<i64>,
    pub school_id: Option<i64>,
    pub weekday: Option<i32>,
    pub start_minute: Option<i32>,
    pub start_date: TimeDate,
    pub end_date: Option<TimeDate>,
    pub status: String,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
