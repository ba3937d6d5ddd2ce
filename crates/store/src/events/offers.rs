//! Offering places that come free (a cancelled booking, a hold run out) to those on the
//! event's waiting list, in the order they joined, and telling them by email.
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use time::OffsetDateTime;
use tutti_domain::events::{offer_letter, places_left, waiting_offers};

use super::{Event, taken_in};
use crate::error::Result;
use crate::now;
use crate::platform::outbox;
use crate::query::{all_of, exec, one_of};

/// Someone on an event's waiting list.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Waiting {
    pub id: i64,
    pub event_id: i64,
    pub session_id: Option<i64>,
    pub name: String,
    pub email: String,
    pub places: i32,
    /// "waiting", "offered", "booked" or "withdrawn".
    pub status: String,
    pub offered_at: Option<OffsetDateTime>,
}

/// Offers the places free on an event (or one session of it) to those waiting, in order.
pub(crate) async fn offer_freed_in(
    conn: &impl ConnectionTrait,
    event: &Event,
    session_id: Option<i64>,
    at: time::OffsetDateTime,
) -> Result<()> {
    let session = if event.capacity_per_session { session_id } else { None };
    let Some(free) = places_left(event.capacity(), taken_in(conn, event.id, session, None, at).await?) else {
        return Ok(());
    };
    let (session_sql, values): (&str, Vec<Value>) = match session {
        Some(s) => (" AND session_id = ?", vec![event.id.into(), s.into()]),
        None => ("", vec![event.id.into()]),
    };
    let queue = all_of::<Waiting>(
        conn,
        &format!(
            "SELECT id, event_id, session_id, name, email, places, status, offered_at FROM event_waiting_list \
             WHERE event_id = ? AND status = 'waiting'{session_sql} ORDER BY id"
        ),
        values,
    )
    .await?;
    let wanted: Vec<(i64, u32)> = queue.iter().map(|w| (w.id, w.places.max(0) as u32)).collect();
    for id in waiting_offers(&wanted, free) {
        let Some(w) = queue.iter().find(|w| w.id == id) else {
            continue;
        };
        exec(
            conn,
            "UPDATE event_waiting_list SET status = 'offered', offered_at = ? WHERE id = ?",
            vec![now().into(), id.into()],
        )
        .await?;
        #[derive(FromQueryResult)]
        struct Site {
            site_url: String,
        }
        let site = one_of::<Site>(
            conn,
            "SELECT site_url FROM event_waiting_list WHERE id = ?",
            [id.into()],
        )
        .await?
        .map(|s| s.site_url)
        .unwrap_or_default();
        let (subject, body) = offer_letter(
            &w.name,
            &event.title,
            w.places.max(0) as u32,
            &format!("{site}/events/{}", event.slug),
        );
        outbox::enqueue(conn, &w.email, &subject, &body).await?;
    }
    Ok(())
}
