//! The `content_redirects` table: old addresses of content whose slug changed.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "content_redirects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub from_path: String,
    pub to_path: String,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
