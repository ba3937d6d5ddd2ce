//! The `pupil_guardians` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pupil_guardians")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pupil_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub guardian_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
