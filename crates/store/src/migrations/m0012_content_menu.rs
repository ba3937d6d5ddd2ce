//! The main menu comes from the content: a top-level page with a menu label is in it, in
//! position order (until now the menu was fixed in code).
use super::prelude::*;

pub struct Migration;

/// The menu the code used to fix, carried over as labels on the same pages.
const CARRIED_OVER: &[(&str, &str)] = &[
    ("about", "About"),
    ("service", "Our service"),
    ("remote-learning", "Remote learning"),
    ("learning", "Learning"),
    ("virtual-music-centre", "Virtual Music Centre"),
    ("early-years", "Early Years"),
    ("contact", "Contact"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("content_items")
                .add_column(string_null("menu_title"))
                .to_owned(),
        )
        .await?;
        for (i, (path, label)) in CARRIED_OVER.iter().enumerate() {
            m.exec_stmt(
                Query::update()
                    .table("content_items")
                    .value("menu_title", *label)
                    .value("position", (i as i32 + 1) * 10)
                    .and_where(Expr::col("kind").eq("page"))
                    .and_where(Expr::col("parent_id").is_null())
                    .and_where(Expr::col("path").eq(*path))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
