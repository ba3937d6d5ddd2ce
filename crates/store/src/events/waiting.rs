//! The waiting list: people who want places on a full event, kept in the order they joined;
//! when places come free they are offered in that order, held for those offered and told by
//! email, and taken up when they book with the same address.
use tutti_domain::events::{EventRefusal, check_places};

use super::{event_in, taken_in};
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, insert_id};
use crate::{Store, now};

// The row is the offers' too (they read the queue).
pub use super::offers::Waiting;

/// Someone asking to wait for places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitRequest {
    pub event_id: i64,
    pub session_id: Option<i64>,
    pub name: String,
    pub email: String,
    pub places: u32,
    pub site_url: String,
}

#[tutti_boxed::boxed]
impl Store {
    /// Puts someone on a full event's waiting list; refused while the places they want are free.
    pub async fn join_waiting_list(&self, actor: &Actor, req: &WaitRequest) -> Result<i64> {
        let txn = self.write().await?;
        super::lock_event(&txn, req.event_id).await?;
        let event = event_in(&txn, req.event_id).await?.ok_or(StoreError::NotFound)?;
        if event.is_cancelled() {
            return Err(EventRefusal::EventCancelled.into());
        }
        // Holds that ran out are free places, offered to those already waiting first.
        super::holds::expire_in(&txn, &event, self.now()).await?;
        let session = if event.capacity_per_session {
            req.session_id
        } else {
            None
        };
        let taken = taken_in(&txn, event.id, session, None, self.now()).await?;
        match check_places(event.capacity(), taken, req.places) {
            Ok(()) => return Err(EventRefusal::PlacesFree.into()),
            Err(EventRefusal::NoTickets) => return Err(EventRefusal::NoTickets.into()),
            Err(_) => {}
        }
        let id = insert_id(
            &txn,
            "INSERT INTO event_waiting_list (event_id, session_id, name, email, places, status, site_url, offered_at, \
             created_at) VALUES (?, ?, ?, ?, ?, 'waiting', ?, NULL, ?) RETURNING id",
            vec![
                event.id.into(),
                session.into(),
                req.name.trim().into(),
                crate::platform::accounts::normalise_email(&req.email).into(),
                (req.places as i32).into(),
                req.site_url.trim_end_matches('/').into(),
                now().into(),
            ],
        )
        .await?;
        let summary = format!("{} places wanted on {}", req.places, event.title);
        audit::commit(txn, actor, Action::Create, "waiting list", Some(id), summary).await?;
        Ok(id)
    }

    /// An event's waiting list in order.
    pub async fn waiting_list(&self, event_id: i64) -> Result<Vec<Waiting>> {
        all_of::<Waiting>(
            self.conn(),
            "SELECT id, event_id, session_id, name, email, places, status, offered_at FROM event_waiting_list \
             WHERE event_id = ? ORDER BY id",
            [event_id.into()],
        )
        .await
    }
}
