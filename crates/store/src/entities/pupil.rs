//! The `pupils` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pupils")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub pupil_ref: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: TimeDate,
    pub school_id: i64,
    pub year_group_override: Option<i32>,
    pub fsm: bool,
    pub pupil_premium: bool,
    pub send: bool,
    pub looked_after: bool,
    pub medical_notes: Option<String>,
    pub photo_consent: bool,
    /// Migration m0029: the words of `tutti_domain::characteristics`, NULL when not recorded.
    pub gender: Option<String>,
    pub ethnicity: Option<String>,
    pub archived_at: Option<TimeDateTimeWithTimeZone>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
