//! The `schools` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "schools")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub urn: i32,
    pub name: String,
    pub phase: String,
    pub school_type: String,
    pub local_authority: String,
    pub area: String,
    pub address: String,
    pub postcode: String,
    pub parent_charge_uplift: i32,
    pub billing: String,
    pub rotating: bool,
    /// Rooms for visiting teachers at once (migration m0010).
    pub rooms: i32,
    pub opens_minute: i32,
    pub closes_minute: i32,
    /// Where it is, in millionths of a degree (migration m0036): both or neither.
    pub latitude_micro: Option<i32>,
    pub longitude_micro: Option<i32>,
    pub archived_at: Option<TimeDateTimeWithTimeZone>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
