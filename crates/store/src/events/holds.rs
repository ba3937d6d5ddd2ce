//! Unpaid holds (decision 0093): a booking awaiting card payment holds its places for
//! `HOLD_MINUTES`; then it is marked expired, its unpaid basket line goes, and its places are
//! offered to the waiting list. This runs inside every booking of the event (so a booker
//! never finds places taken by a hold that has run out) and in the app server's sweep.
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use time::OffsetDateTime;

use super::{Event, event_in, lock_event};
use crate::error::Result;
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, exec};
use crate::{Store, now};

/// Marks the event's holds that ran out by `at` expired, frees their places and offers them to
/// the waiting list. Returns how many bookings expired.
pub(crate) async fn expire_in(conn: &impl ConnectionTrait, event: &Event, at: OffsetDateTime) -> Result<u32> {
    #[derive(FromQueryResult)]
    struct Ran {
        id: i64,
        session_id: Option<i64>,
        reference: String,
    }
    let ran = all_of::<Ran>(
        conn,
        "SELECT id, session_id, reference FROM bookings WHERE event_id = ? AND status = 'held' \
         AND held_until IS NOT NULL AND held_until <= ? ORDER BY id",
        [event.id.into(), at.into()],
    )
    .await?;
    if ran.is_empty() {
        return Ok(0);
    }
    let ids = ran.iter().map(|r| r.id.to_string()).collect::<Vec<_>>().join(", ");
    exec(
        conn,
        &format!("UPDATE bookings SET status = 'expired', updated_at = ? WHERE status = 'held' AND id IN ({ids})"),
        vec![now().into()],
    )
    .await?;
    // A line already in a checkout stays with it: if that payment still comes, the booking's
    // late payment is honoured or refunded (`bookings::confirm_paid`).
    exec(
        conn,
        &format!("DELETE FROM basket_items WHERE checkout_id IS NULL AND booking_id IN ({ids})"),
        Vec::<Value>::new(),
    )
    .await?;
    let mut sessions: Vec<Option<i64>> = ran.iter().map(|r| r.session_id).collect();
    sessions.dedup();
    for s in sessions {
        super::offers::offer_freed_in(conn, event, s, at).await?;
    }
    let sweep = Actor {
        user_id: None,
        name: "unpaid holds".into(),
        ip: "sweep".into(),
    };
    for r in &ran {
        let what = format!("{} not paid in time: its places are free again", r.reference);
        audit::record(conn, &sweep, Action::Update, "booking", Some(r.id), what).await?;
    }
    Ok(ran.len() as u32)
}

#[tutti_boxed::boxed]
impl Store {
    /// Expires every hold that has run out, an event at a time, and offers the freed places to
    /// the waiting lists. Running it again changes nothing. Returns how many expired.
    pub async fn expire_holds(&self) -> Result<u32> {
        #[derive(FromQueryResult)]
        struct Id {
            event_id: i64,
        }
        let at = self.now();
        let events = all_of::<Id>(
            self.conn(),
            "SELECT DISTINCT event_id FROM bookings WHERE status = 'held' AND held_until IS NOT NULL \
             AND held_until <= ? ORDER BY event_id",
            [at.into()],
        )
        .await?;
        let mut expired = 0;
        for e in events {
            let txn = self.write().await?;
            lock_event(&txn, e.event_id).await?;
            if let Some(event) = event_in(&txn, e.event_id).await? {
                expired += expire_in(&txn, &event, at).await?;
            }
            txn.commit().await?;
        }
        Ok(expired)
    }
}
