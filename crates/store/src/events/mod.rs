//! Events and courses: the catalogue (an event, its dated sessions and ticket types, found by
//! slug, listed by kind, audience and date), bookings and their capacity (`bookings`), the
//! waiting list (`waiting`), check-in at the door and the CPD it records (`attendance`),
//! cancelling by the booker or the office (`cancelling`), refunds through the payment provider
//! (`refunds`) and unpaid holds running out (`holds`).
//! See docs/decisions/0086-events-and-bookings.md and 0093-event-refunds-and-holds.md.
pub mod attendance;
pub mod bookings;
pub mod cancelling;
pub mod holds;
pub mod offers;
pub mod refunds;
pub mod waiting;

use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use time::Date;
use tutti_domain::Pence;
use tutti_domain::events::{EventAudience, EventKind, EventRefusal, check_sessions};

use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, exec, insert_id, one_of, stmt};
use crate::{Store, now};

/// An event as pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Event {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub kind: String,
    pub audience: String,
    pub audience_detail: String,
    pub summary: String,
    pub venue: String,
    pub postcode: String,
    pub capacity: Option<i32>,
    pub capacity_per_session: bool,
    pub booking_opens: Option<Date>,
    pub booking_closes: Option<Date>,
    pub refund_days: i32,
    pub status: String,
    pub first_date: Date,
}

impl Event {
    pub fn kind(&self) -> EventKind {
        self.kind.parse().unwrap_or(EventKind::Concert)
    }
    pub fn audience(&self) -> EventAudience {
        self.audience.parse().unwrap_or(EventAudience::Families)
    }
    pub fn capacity(&self) -> Option<u32> {
        self.capacity.map(|c| c.max(0) as u32)
    }
    pub fn is_cancelled(&self) -> bool {
        self.status == "cancelled"
    }
}

const EVENT_COLUMNS: &str = "id, slug, title, kind, audience, audience_detail, summary, venue, postcode, capacity, \
     capacity_per_session, booking_opens, booking_closes, refund_days, status, first_date";

/// One dated session of an event: minutes of the day for its start and end.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Session {
    pub id: i64,
    pub event_id: i64,
    pub date: Date,
    pub start_minute: i32,
    pub end_minute: i32,
}

/// A ticket type on sale for an event.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct TicketType {
    pub id: i64,
    pub event_id: i64,
    pub name: String,
    pub price_pence: i64,
}

/// An event with its sessions, tickets and places taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDetail {
    pub event: Event,
    pub sessions: Vec<Session>,
    pub tickets: Vec<TicketType>,
    /// Places held by bookings and waiting-list offers: for the whole event, or the busiest
    /// session when capacity is per session.
    pub taken: u32,
    /// Places left: `None` when unlimited.
    pub left: Option<u32>,
}

/// A new event as the office describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub title: String,
    pub kind: EventKind,
    pub audience: EventAudience,
    pub audience_detail: String,
    pub summary: String,
    pub venue: String,
    pub postcode: String,
    pub capacity: Option<u32>,
    pub capacity_per_session: bool,
    pub booking_opens: Option<Date>,
    pub booking_closes: Option<Date>,
    /// Days before the first session a cancellation is still refunded in full.
    pub refund_days: u32,
    /// (date, start minute, end minute)
    pub sessions: Vec<(Date, u16, u16)>,
    /// (name, price)
    pub tickets: Vec<(String, Pence)>,
}

/// Which events a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub kind: Option<EventKind>,
    pub audience: Option<EventAudience>,
    /// Events whose last session is on or after this day (the public list: today).
    pub from: Option<Date>,
    /// Cancelled events too (the office's list).
    pub include_cancelled: bool,
}

/// A slug from a title and the first date, so two "Family concert"s differ by their day.
fn slug_for(title: &str, first: Date) -> String {
    let words = tutti_domain::content::slugify(title);
    let words = if words.is_empty() { "event".to_owned() } else { words };
    format!("{words}-{}", first)
}

pub(crate) async fn event_in(conn: &impl ConnectionTrait, id: i64) -> Result<Option<Event>> {
    one_of::<Event>(
        conn,
        &format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = ?"),
        [id.into()],
    )
    .await
}

/// Locks the event's row for the rest of the transaction on PostgreSQL, so that two bookings
/// for its last places are made one after the other. SQLite's write transaction (`BEGIN
/// IMMEDIATE`) already lets one writer in at a time.
pub(crate) async fn lock_event(conn: &impl ConnectionTrait, event_id: i64) -> Result<()> {
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        conn.execute_raw(stmt(
            sea_orm::DbBackend::Postgres,
            "SELECT id FROM events WHERE id = ? FOR UPDATE",
            [event_id.into()],
        ))
        .await?;
    }
    Ok(())
}

pub(crate) async fn sessions_in(conn: &impl ConnectionTrait, event_id: i64) -> Result<Vec<Session>> {
    all_of::<Session>(
        conn,
        "SELECT id, event_id, date, start_minute, end_minute FROM event_sessions WHERE event_id = ? \
         ORDER BY date, start_minute, id",
        [event_id.into()],
    )
    .await
}

pub(crate) async fn tickets_in(conn: &impl ConnectionTrait, event_id: i64) -> Result<Vec<TicketType>> {
    all_of::<TicketType>(
        conn,
        "SELECT id, event_id, name, price_pence FROM ticket_types WHERE event_id = ? ORDER BY position, id",
        [event_id.into()],
    )
    .await
}

/// Places held on an event (or one of its sessions) at `at`: bookings confirmed or held with
/// time left on their hold (decision 0093), and offers to the waiting list not yet taken up,
/// less any offer made to `except_email` (who is booking the place offered to them).
pub(crate) async fn taken_in(
    conn: &impl ConnectionTrait,
    event_id: i64,
    session_id: Option<i64>,
    except_email: Option<&str>,
    at: time::OffsetDateTime,
) -> Result<u32> {
    #[derive(FromQueryResult)]
    struct N {
        n: Option<i64>,
    }
    let (session_sql, mut values): (&str, Vec<Value>) = match session_id {
        Some(s) => (" AND session_id = ?", vec![event_id.into(), s.into()]),
        None => ("", vec![event_id.into()]),
    };
    let mut booking_values = values.clone();
    booking_values.push(at.into());
    let booked = one_of::<N>(
        conn,
        &format!(
            "SELECT SUM(places) AS n FROM bookings WHERE event_id = ?{session_sql} AND (status = 'confirmed' \
             OR (status = 'held' AND (held_until IS NULL OR held_until > ?)))"
        ),
        booking_values,
    )
    .await?
    .and_then(|n| n.n)
    .unwrap_or(0);
    values.push(except_email.unwrap_or("").into());
    let offered = one_of::<N>(
        conn,
        &format!(
            "SELECT SUM(places) AS n FROM event_waiting_list WHERE event_id = ? AND status = 'offered'{session_sql} \
             AND email <> ?"
        ),
        values,
    )
    .await?
    .and_then(|n| n.n)
    .unwrap_or(0);
    Ok((booked + offered).max(0) as u32)
}

pub(crate) async fn detail_in(
    conn: &impl ConnectionTrait,
    event: Event,
    at: time::OffsetDateTime,
) -> Result<EventDetail> {
    let sessions = sessions_in(conn, event.id).await?;
    let tickets = tickets_in(conn, event.id).await?;
    let taken = if event.capacity_per_session {
        let mut most = 0;
        for s in &sessions {
            most = most.max(taken_in(conn, event.id, Some(s.id), None, at).await?);
        }
        most
    } else {
        taken_in(conn, event.id, None, None, at).await?
    };
    let left = tutti_domain::events::places_left(event.capacity(), taken);
    Ok(EventDetail {
        event,
        sessions,
        tickets,
        taken,
        left,
    })
}

#[tutti_boxed::boxed]
impl Store {
    /// Adds an event with its sessions and ticket types, in one transaction.
    pub async fn create_event(&self, actor: &Actor, new: &NewEvent) -> Result<i64> {
        check_sessions(&new.sessions)?;
        if new.tickets.is_empty() {
            return Err(EventRefusal::NoTicketTypes.into());
        }
        for (i, (name, _)) in new.tickets.iter().enumerate() {
            if new.tickets[..i].iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                return Err(EventRefusal::DuplicateTicketType.into());
            }
        }
        let first = new
            .sessions
            .iter()
            .map(|s| s.0)
            .min()
            .ok_or(StoreError::Refused(EventRefusal::NoSessions.into()))?;
        let txn = self.write().await?;
        let base = slug_for(&new.title, first);
        let mut slug = base.clone();
        let mut n = 1;
        while event_id_by_slug(&txn, &slug).await?.is_some() {
            n += 1;
            slug = format!("{base}-{n}");
        }
        let at = now();
        let id = insert_id(
            &txn,
            "INSERT INTO events (slug, title, kind, audience, audience_detail, summary, venue, postcode, capacity, \
             capacity_per_session, booking_opens, booking_closes, refund_days, status, first_date, created_at, \
             updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'published', ?, ?, ?) RETURNING id",
            vec![
                slug.into(),
                new.title.trim().into(),
                new.kind.as_str().into(),
                new.audience.as_str().into(),
                new.audience_detail.trim().into(),
                new.summary.trim().into(),
                new.venue.trim().into(),
                new.postcode.trim().into(),
                new.capacity.map(|c| c as i32).into(),
                new.capacity_per_session.into(),
                new.booking_opens.into(),
                new.booking_closes.into(),
                (new.refund_days as i32).into(),
                first.into(),
                at.into(),
                at.into(),
            ],
        )
        .await?;
        for (date, start, end) in &new.sessions {
            exec(
                &txn,
                "INSERT INTO event_sessions (event_id, date, start_minute, end_minute) VALUES (?, ?, ?, ?)",
                vec![
                    id.into(),
                    (*date).into(),
                    i32::from(*start).into(),
                    i32::from(*end).into(),
                ],
            )
            .await?;
        }
        for (position, (name, price)) in new.tickets.iter().enumerate() {
            exec(
                &txn,
                "INSERT INTO ticket_types (event_id, name, price_pence, position) VALUES (?, ?, ?, ?)",
                vec![id.into(), name.trim().into(), price.0.into(), (position as i32).into()],
            )
            .await?;
        }
        audit::commit(txn, actor, Action::Create, "event", Some(id), new.title.clone()).await?;
        Ok(id)
    }

    /// Cancels an event: its bookings are cancelled and refunded in full, the waiting list
    /// withdrawn, and each booker told.
    pub async fn cancel_event(&self, actor: &Actor, id: i64) -> Result<()> {
        let txn = self.write().await?;
        let event = event_in(&txn, id).await?.ok_or(StoreError::NotFound)?;
        if event.is_cancelled() {
            return Err(EventRefusal::EventCancelled.into());
        }
        exec(
            &txn,
            "UPDATE events SET status = 'cancelled', updated_at = ? WHERE id = ?",
            vec![now().into(), id.into()],
        )
        .await?;
        bookings::cancel_all_in(&txn, &event).await?;
        exec(
            &txn,
            "UPDATE event_waiting_list SET status = 'withdrawn' WHERE event_id = ? AND status IN ('waiting', 'offered')",
            vec![id.into()],
        )
        .await?;
        let what = format!("cancelled {}", event.title);
        audit::commit(txn, actor, Action::Update, "event", Some(id), what).await?;
        Ok(())
    }

    /// An event by its id, with its sessions, tickets and places.
    pub async fn event(&self, id: i64) -> Result<Option<EventDetail>> {
        match event_in(self.conn(), id).await? {
            Some(e) => Ok(Some(detail_in(self.conn(), e, self.now()).await?)),
            None => Ok(None),
        }
    }

    /// A published event by its slug (the public page).
    pub async fn event_by_slug(&self, slug: &str) -> Result<Option<EventDetail>> {
        match event_id_by_slug(self.conn(), slug).await? {
            Some(id) => self.event(id).await,
            None => Ok(None),
        }
    }

    /// Events by filter, soonest first.
    pub async fn events(&self, filter: &EventFilter) -> Result<Vec<EventDetail>> {
        let mut sql = format!("SELECT {EVENT_COLUMNS} FROM events e WHERE 1 = 1");
        let mut values: Vec<Value> = Vec::new();
        if !filter.include_cancelled {
            sql.push_str(" AND status = 'published'");
        }
        if let Some(k) = filter.kind {
            sql.push_str(" AND kind = ?");
            values.push(k.as_str().into());
        }
        if let Some(a) = filter.audience {
            sql.push_str(" AND audience = ?");
            values.push(a.as_str().into());
        }
        if let Some(from) = filter.from {
            sql.push_str(" AND EXISTS (SELECT 1 FROM event_sessions s WHERE s.event_id = e.id AND s.date >= ?)");
            values.push(from.into());
        }
        sql.push_str(" ORDER BY first_date, id LIMIT 500");
        let events = all_of::<Event>(self.conn(), &sql, values).await?;
        let mut out = Vec::with_capacity(events.len());
        for e in events {
            out.push(detail_in(self.conn(), e, self.now()).await?);
        }
        Ok(out)
    }
}

async fn event_id_by_slug(conn: &impl ConnectionTrait, slug: &str) -> Result<Option<i64>> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    Ok(
        one_of::<Id>(conn, "SELECT id FROM events WHERE slug = ?", [slug.into()])
            .await?
            .map(|r| r.id),
    )
}
