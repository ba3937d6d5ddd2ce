//! A school's contacts: the people at a school the hub writes to (a head, a music lead, a
//! business manager), each with a name, an email and a job title, and whether they can sign
//! in. Each write is audited; removing a contact disables their school login and withdraws
//! their invitations.
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use tutti_domain::invitations::{ContactInput, ContactRefusal};

use crate::entities::{invitation, school, school_contact, user};
use crate::error::{Result, StoreError};
use crate::platform::accounts::{LinkColumn, disable_linked};
use crate::platform::audit::{self, Action, Actor};
use crate::platform::invitations::{LoginState, login_state, withdraw_open_for_contact};
use crate::query::found;
use crate::{Store, now};

/// A school's contact as screens and the API show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchoolContact {
    pub id: i64,
    pub school_id: i64,
    pub name: String,
    pub email: String,
    pub job_title: String,
    pub login: LoginState,
}

async fn email_taken(
    conn: &impl sea_orm::ConnectionTrait,
    school_id: i64,
    email: &str,
    except: Option<i64>,
) -> Result<bool> {
    let mut q = school_contact::Entity::find()
        .filter(school_contact::Column::SchoolId.eq(school_id))
        .filter(school_contact::Column::Email.eq(email));
    if let Some(id) = except {
        q = q.filter(school_contact::Column::Id.ne(id));
    }
    Ok(q.count(conn).await? > 0)
}

/// Contact `id` of school `school_id` (`None` when it is another school's).
async fn contact_of(
    conn: &impl sea_orm::ConnectionTrait,
    school_id: i64,
    id: i64,
) -> Result<Option<school_contact::Model>> {
    Ok(school_contact::Entity::find_by_id(id)
        .filter(school_contact::Column::SchoolId.eq(school_id))
        .one(conn)
        .await?)
}

#[tutti_boxed::boxed]
impl Store {
    async fn contact_with_state(&self, m: school_contact::Model) -> Result<SchoolContact> {
        // A contact's login is the school's login with their email; their invitations are
        // the ones sent to them.
        let logins = Condition::all()
            .add(user::Column::Email.eq(m.email.clone()))
            .add(user::Column::SchoolId.eq(m.school_id));
        let invitations = Condition::all().add(invitation::Column::ContactId.eq(m.id));
        let login = login_state(self.conn(), logins, invitations, self.now()).await?;
        Ok(SchoolContact {
            id: m.id,
            school_id: m.school_id,
            name: m.name,
            email: m.email,
            job_title: m.job_title,
            login,
        })
    }

    /// A school's contacts, by name.
    pub async fn school_contacts(&self, school_id: i64) -> Result<Vec<SchoolContact>> {
        let rows = school_contact::Entity::find()
            .filter(school_contact::Column::SchoolId.eq(school_id))
            .order_by_asc(school_contact::Column::Name)
            .order_by_asc(school_contact::Column::Id)
            .all(self.conn())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for m in rows {
            out.push(self.contact_with_state(m).await?);
        }
        Ok(out)
    }

    /// One contact of a school (`None` when it is another school's).
    pub async fn school_contact(&self, school_id: i64, id: i64) -> Result<Option<SchoolContact>> {
        match contact_of(self.conn(), school_id, id).await? {
            Some(m) => Ok(Some(self.contact_with_state(m).await?)),
            None => Ok(None),
        }
    }

    pub async fn add_school_contact(
        &self,
        actor: &Actor,
        school_id: i64,
        input: &ContactInput,
    ) -> Result<SchoolContact> {
        let txn = self.write().await?;
        let s = found::<school::Entity>(&txn, school_id).await?;
        let email = input.email.to_string();
        if email_taken(&txn, school_id, &email, None).await? {
            return Err(ContactRefusal::EmailTaken { email }.into());
        }
        let t = now();
        let m = school_contact::ActiveModel {
            school_id: Set(school_id),
            name: Set(input.name.clone()),
            email: Set(email),
            job_title: Set(input.job_title.clone()),
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let summary = format!("school {}: contact {} added", s.urn, m.id);
        audit::commit(txn, actor, Action::Update, "school", Some(school_id), summary).await?;
        self.contact_with_state(m).await
    }

    pub async fn update_school_contact(
        &self,
        actor: &Actor,
        school_id: i64,
        id: i64,
        input: &ContactInput,
    ) -> Result<SchoolContact> {
        let txn = self.write().await?;
        let current = contact_of(&txn, school_id, id).await?.ok_or(StoreError::NotFound)?;
        let email = input.email.to_string();
        if email_taken(&txn, school_id, &email, Some(id)).await? {
            return Err(ContactRefusal::EmailTaken { email }.into());
        }
        let mut a: school_contact::ActiveModel = current.into();
        a.name = Set(input.name.clone());
        a.email = Set(email);
        a.job_title = Set(input.job_title.clone());
        a.updated_at = Set(now());
        let m = a.update(&txn).await?;
        // By id: the log never keeps a person's name or address (decision 0088).
        let summary = format!("contact {id} changed");
        audit::commit(txn, actor, Action::Update, "school", Some(school_id), summary).await?;
        self.contact_with_state(m).await
    }

    /// Removes a contact: their school login is disabled and their invitations withdrawn.
    pub async fn remove_school_contact(&self, actor: &Actor, school_id: i64, id: i64) -> Result<()> {
        let txn = self.write().await?;
        let current = contact_of(&txn, school_id, id).await?.ok_or(StoreError::NotFound)?;
        withdraw_open_for_contact(&txn, id, self.now()).await?;
        let disabled = disable_linked(&txn, LinkColumn::School, school_id, Some(&current.email)).await?;
        school_contact::Entity::delete_by_id(id).exec(&txn).await?;
        let summary = format!(
            "contact {} removed{}",
            current.id,
            if disabled.is_empty() {
                ""
            } else {
                "; their login disabled"
            }
        );
        audit::commit(txn, actor, Action::Update, "school", Some(school_id), summary).await?;
        self.session_cache.clear();
        Ok(())
    }
}
