//! The audit log: who did what to which record, when and from where, written in the same
//! transaction as the change it records.
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;
use time::OffsetDateTime;

use crate::entities::{audit_event, user};
use crate::error::Result;
use crate::listing::{ListQuery, Page};
use crate::platform::accounts::User;
use crate::platform::audit_chain;
use crate::{Store, now};

/// Who is acting, for the audit log. Jobs and the command line act as "system" or a named
/// operator with no user id.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub ip: String,
}

impl Actor {
    pub fn user(user: &User, ip: &str) -> Actor {
        Actor {
            user_id: Some(user.id),
            name: user.email.clone(),
            ip: ip.to_owned(),
        }
    }

    /// The command line, on this machine.
    pub fn cli() -> Actor {
        let who = std::env::var("USER").unwrap_or_else(|_| "operator".into());
        Actor {
            user_id: None,
            name: format!("command line ({who})"),
            ip: "local".into(),
        }
    }
}

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Archive,
    /// An archived record brought back (decision 75).
    Restore,
    View,
    Import,
    Export,
    /// A record removed for good (term dates, a closure): the event keeps what it was.
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Archive => "archive",
            Action::Restore => "restore",
            Action::View => "view",
            Action::Import => "import",
            Action::Export => "export",
            Action::Delete => "delete",
        }
    }
}

/// An event as the audit screens and API show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub summary: String,
    pub ip: String,
}

impl From<audit_event::Model> for AuditEvent {
    fn from(m: audit_event::Model) -> Self {
        AuditEvent {
            id: m.id,
            at: m.at,
            user_id: m.user_id,
            actor: m.actor,
            action: m.action,
            entity: m.entity,
            entity_id: m.entity_id,
            summary: m.summary,
            ip: m.ip,
        }
    }
}

/// Filters for browsing the log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: String,
    pub entity_id: Option<i64>,
    pub action: String,
    pub actor: String,
    pub page: u64,
    pub per_page: u64,
}

/// Builds an event row; the caller records it with `record_many` inside its own transaction.
/// A person is named by id, never by name or address, so that an erasure leaves the chain
/// intact (decision 0088): a user acting is kept as their id, and named when shown.
pub(crate) fn event(
    actor: &Actor,
    action: Action,
    entity: &str,
    entity_id: Option<i64>,
    summary: impl Into<String>,
) -> audit_event::ActiveModel {
    audit_event::ActiveModel {
        at: Set(now()),
        user_id: Set(actor.user_id),
        actor: Set(stored_actor(actor)),
        action: Set(action.as_str().to_owned()),
        entity: Set(entity.to_owned()),
        entity_id: Set(entity_id),
        summary: Set(summary.into()),
        ip: Set(actor.ip.clone()),
        ..Default::default()
    }
}

/// The actor as the log keeps it: a signed-in user by id only (their address is looked up
/// when the event is shown), the command line or a job by its own name.
fn stored_actor(actor: &Actor) -> String {
    match actor.user_id {
        Some(id) => format!("user {id}"),
        None => actor.name.clone(),
    }
}

/// Seals `events` onto the chain's head, in order.
fn seal_all(mut prev: String, events: &mut [audit_event::ActiveModel]) {
    for e in events.iter_mut() {
        let hash = audit_chain::seal(
            &prev,
            &audit_chain::Canonical {
                at: *e.at.as_ref(),
                user_id: *e.user_id.as_ref(),
                actor: e.actor.as_ref(),
                action: e.action.as_ref(),
                entity: e.entity.as_ref(),
                entity_id: *e.entity_id.as_ref(),
                summary: e.summary.as_ref(),
                ip: e.ip.as_ref(),
            },
        );
        e.prev_hash = Set(Some(prev));
        e.hash = Set(Some(hash.clone()));
        prev = hash;
    }
}

/// Records one event on `conn`, which is normally the transaction making the change.
pub(crate) async fn record(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    action: Action,
    entity: &str,
    entity_id: Option<i64>,
    summary: impl Into<String>,
) -> Result<()> {
    record_many(conn, vec![event(actor, action, entity, entity_id, summary)]).await
}

/// Records one event and commits the transaction it belongs to: the last step of most
/// changes, so that a change and its audit event are written together or not at all.
pub(crate) async fn commit(
    txn: DatabaseTransaction,
    actor: &Actor,
    action: Action,
    entity: &str,
    entity_id: Option<i64>,
    summary: impl Into<String>,
) -> Result<()> {
    record(&txn, actor, action, entity, entity_id, summary).await?;
    txn.commit().await?;
    Ok(())
}

/// Records many events in batches (an import touches thousands of records), chained in order.
pub(crate) async fn record_many(conn: &impl ConnectionTrait, mut events: Vec<audit_event::ActiveModel>) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let head = audit_chain::head(conn).await?;
    seal_all(head, &mut events);
    for chunk in events.chunks(500) {
        audit_event::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

#[tutti_boxed::boxed]
impl Store {
    /// One page of the audit log, newest first.
    pub async fn audit_events(&self, filter: &AuditFilter) -> Result<Page<AuditEvent>> {
        let list = ListQuery {
            page: filter.page,
            per_page: if filter.per_page == 0 { 50 } else { filter.per_page },
            ..Default::default()
        };
        let mut q = audit_event::Entity::find();
        if !filter.entity.trim().is_empty() {
            q = q.filter(audit_event::Column::Entity.eq(filter.entity.trim()));
        }
        if let Some(id) = filter.entity_id {
            q = q.filter(audit_event::Column::EntityId.eq(id));
        }
        if !filter.action.trim().is_empty() {
            q = q.filter(audit_event::Column::Action.eq(filter.action.trim()));
        }
        if let Some(cond) = crate::records::search::text_search(&["actor"], &filter.actor) {
            // Users are kept by id: a search by address finds their events through `users`.
            let users: Vec<i64> = user::Entity::find()
                .select_only()
                .column(user::Column::Id)
                .filter(crate::records::search::text_search(&["email"], &filter.actor).unwrap_or(cond.clone()))
                .limit(500)
                .into_tuple()
                .all(self.conn())
                .await?;
            q = q.filter(cond.add(audit_event::Column::UserId.is_in(users)));
        }
        let total = q.clone().count(self.conn()).await?;
        let rows = q
            .order_by_desc(audit_event::Column::At)
            .order_by_desc(audit_event::Column::Id)
            .offset(list.offset())
            .limit(list.per_page())
            .all(self.conn())
            .await?;
        let mut rows: Vec<AuditEvent> = rows.into_iter().map(AuditEvent::from).collect();
        self.name_actors(&mut rows).await?;
        Ok(Page::counted(rows, total, list.page(), list.per_page()))
    }

    /// Names each user who acted by their login's address, as it is now (an erased login
    /// shows its placeholder, never what it was).
    async fn name_actors(&self, rows: &mut [AuditEvent]) -> Result<()> {
        let ids: Vec<i64> = rows.iter().filter_map(|e| e.user_id).collect();
        if ids.is_empty() {
            return Ok(());
        }
        let names: std::collections::HashMap<i64, String> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::Email)
            .filter(user::Column::Id.is_in(ids))
            .into_tuple::<(i64, String)>()
            .all(self.conn())
            .await?
            .into_iter()
            .collect();
        for e in rows {
            if let Some(name) = e.user_id.and_then(|id| names.get(&id)) {
                e.actor = name.clone();
            }
        }
        Ok(())
    }

    /// Records an event on its own, for reads (a view of a pupil's record) and exports.
    pub async fn audit(
        &self,
        actor: &Actor,
        action: Action,
        entity: &str,
        entity_id: Option<i64>,
        summary: &str,
    ) -> Result<()> {
        let txn = self.write().await?;
        record(&txn, actor, action, entity, entity_id, summary).await?;
        txn.commit().await?;
        Ok(())
    }
}
