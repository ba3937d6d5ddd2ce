//! Guardians: the adults attached to a pupil, and the links between them. A guardian's
//! parent account is found by email, so no account id is stored here.
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use tutti_domain::validate::{EmailAddress, PhoneNumber};

use crate::entities::{guardian, pupil, pupil_guardian};
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::found;
use crate::{Store, now};

/// A guardian as screens and the API show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Guardian {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
}

impl From<guardian::Model> for Guardian {
    fn from(m: guardian::Model) -> Self {
        Guardian {
            id: m.id,
            name: m.name,
            email: m.email,
            phone: m.phone,
            address: m.address,
        }
    }
}

/// A checked guardian from a form or the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardianInput {
    pub name: String,
    pub email: Option<EmailAddress>,
    pub phone: Option<PhoneNumber>,
    pub address: String,
}

#[tutti_boxed::boxed]
impl Store {
    /// The guardians of a pupil, oldest link first.
    pub async fn guardians_of(&self, pupil_id: i64) -> Result<Vec<Guardian>> {
        let links = pupil_guardian::Entity::find()
            .filter(pupil_guardian::Column::PupilId.eq(pupil_id))
            .all(self.conn())
            .await?;
        let ids: Vec<i64> = links.iter().map(|l| l.guardian_id).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(guardian::Entity::find()
            .filter(guardian::Column::Id.is_in(ids))
            .order_by_asc(guardian::Column::Id)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Guardian::from)
            .collect())
    }

    /// Adds a guardian to a pupil. A guardian with the same email is reused (siblings share
    /// their parents) and their details are brought up to date.
    pub async fn add_guardian(&self, actor: &Actor, pupil_id: i64, input: &GuardianInput) -> Result<Guardian> {
        let txn = self.write().await?;
        found::<pupil::Entity>(&txn, pupil_id).await?;
        let t = now();
        let email = input.email.as_ref().map(|e| e.to_string()).unwrap_or_default();
        let phone = input.phone.as_ref().map(|p| p.national()).unwrap_or_default();
        let existing = if email.is_empty() {
            None
        } else {
            guardian::Entity::find()
                .filter(guardian::Column::Email.eq(&email))
                .one(&txn)
                .await?
        };
        let g = match existing {
            Some(g) => {
                let mut a: guardian::ActiveModel = g.into();
                a.name = Set(input.name.clone());
                a.phone = Set(phone);
                a.address = Set(input.address.clone());
                a.updated_at = Set(t);
                a.update(&txn).await?
            }
            None => {
                guardian::ActiveModel {
                    name: Set(input.name.clone()),
                    email: Set(email),
                    phone: Set(phone),
                    address: Set(input.address.clone()),
                    created_at: Set(t),
                    updated_at: Set(t),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
            }
        };
        let linked = pupil_guardian::Entity::find_by_id((pupil_id, g.id)).one(&txn).await?;
        if linked.is_none() {
            pupil_guardian::ActiveModel {
                pupil_id: Set(pupil_id),
                guardian_id: Set(g.id),
            }
            .insert(&txn)
            .await?;
        }
        let what = format!("guardian {} added", g.id);
        audit::commit(txn, actor, Action::Update, "pupil", Some(pupil_id), what).await?;
        Ok(g.into())
    }

    /// Removes a guardian from a pupil; the guardian's record stays for their other children.
    pub async fn remove_guardian(&self, actor: &Actor, pupil_id: i64, guardian_id: i64) -> Result<()> {
        let txn = self.write().await?;
        let gone = pupil_guardian::Entity::delete_by_id((pupil_id, guardian_id))
            .exec(&txn)
            .await?;
        if gone.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        let summary = format!("guardian {guardian_id} removed");
        audit::commit(txn, actor, Action::Update, "pupil", Some(pupil_id), summary).await?;
        Ok(())
    }
}
