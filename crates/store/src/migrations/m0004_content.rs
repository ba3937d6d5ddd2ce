//! The public site's content: pages in a menu tree, news, episodes, resources, podcast
//! episodes, vacancies, FAQs and documents in one table, with files and redirects beside it.
use super::prelude::*;

use super::{fk, index};

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Uploaded files live in the database (docs/decisions/0021-content-files-in-database.md).
        m.create_table(
            Table::create()
                .table("content_files")
                .col(big_pk_auto("id"))
                .col(string("name"))
                .col(string("content_type"))
                .col(big_integer("size"))
                .col(string("sha256"))
                .col(blob("data"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;

        // One table for every kind: they share title, body, status and dates, and one table
        // makes site search and the sitemap a single query.
        m.create_table(
            Table::create()
                .table("content_items")
                .col(big_pk_auto("id"))
                .col(string("kind"))
                .col(big_integer_null("parent_id"))
                .col(integer("position").default(0))
                .col(string("slug"))
                .col(string_uniq("path"))
                .col(string("title"))
                .col(text("summary"))
                .col(text("body"))
                .col(string_null("image_url"))
                .col(string("image_alt").default(""))
                .col(string("author").default(""))
                .col(string("topics").default(""))
                .col(string("status"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(string_null("series"))
                .col(integer_null("episode_number"))
                .col(string_null("day_theme"))
                .col(string_null("video_url"))
                .col(string_null("year_group"))
                .col(string_null("category"))
                .col(date_null("closes_on"))
                .col(big_integer_null("file_id"))
                .col(integer_null("duration_seconds"))
                .col(big_integer("views").default(0))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "content_items",
                    "parent_id",
                    "content_items",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "content_items",
                    "file_id",
                    "content_files",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("content_items", &["kind", "status", "published_at"], false))
            .await?;
        m.create_index(index("content_items", &["parent_id", "position"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("content_redirects")
                .col(string("from_path").primary_key())
                .col(string("to_path"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;

        // Every hub starts with the menu's sections and the legal pages, so their addresses
        // answer before anyone has written content.
        crate::content::starter::seed(m.get_connection()).await
    }
}
