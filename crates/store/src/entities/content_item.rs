//! The `content_items` table: every piece of the public site, told apart by `kind`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "content_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub parent_id: Option<i64>,
    pub position: i32,
    pub slug: String,
    #[sea_orm(unique)]
    pub path: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub image_url: Option<String>,
    pub image_alt: String,
    pub author: String,
    pub topics: String,
    pub status: String,
    pub published_at: Option<TimeDateTimeWithTimeZone>,
    pub series: Option<String>,
    pub episode_number: Option<i32>,
    pub day_theme: Option<String>,
    pub video_url: Option<String>,
    pub year_group: Option<String>,
    pub category: Option<String>,
    pub closes_on: Option<TimeDate>,
    pub file_id: Option<i64>,
    pub duration_seconds: Option<i32>,
    pub views: i64,
    /// The label in the main menu, for a top-level page that is in it.
    pub menu_title: Option<String>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
