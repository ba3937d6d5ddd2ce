//! Hub-wide settings as key and value, such as the marker of a demo database.
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

use crate::Store;
use crate::entities::hub_setting;
use crate::error::Result;

/// Set when `tutti demo` or `serve --demo` seeded the database; its value is the seed.
pub const DEMO_MARKER: &str = "demo_seed";

pub async fn get(conn: &impl ConnectionTrait, key: &str) -> Result<Option<String>> {
    Ok(hub_setting::Entity::find_by_id(key.to_owned())
        .one(conn)
        .await?
        .map(|m| m.value))
}

pub async fn put(conn: &impl ConnectionTrait, key: &str, value: &str) -> Result<()> {
    match hub_setting::Entity::find_by_id(key.to_owned()).one(conn).await? {
        Some(m) => {
            let mut active: hub_setting::ActiveModel = m.into();
            active.value = Set(value.to_owned());
            active.update(conn).await?;
        }
        None => {
            hub_setting::ActiveModel {
                key: Set(key.to_owned()),
                value: Set(value.to_owned()),
            }
            .insert(conn)
            .await?;
        }
    }
    Ok(())
}

#[tutti_boxed::boxed]
impl Store {
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        get(self.conn(), key).await
    }
}
