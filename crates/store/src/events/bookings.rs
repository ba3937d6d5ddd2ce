//! Bookings: places on an event taken in one transaction that never oversells (the event's row
//! locked on PostgreSQL; SQLite's write transaction serialises), priced from its ticket types;
//! held while a card payment is made through the basket, or confirmed at once (free, or booked
//! by the office with payment due later) for `HOLD_MINUTES` at most; the confirmation through
//! the outbox, with the booker's own cancellation link; a payment that comes after its hold
//! ran out, honoured while places remain and refunded otherwise (decision 0093).
use sea_orm::{ConnectionTrait, FromQueryResult};
use time::{Duration, OffsetDateTime};
use tutti_domain::Pence;
use tutti_domain::events::{
    BookingStatus, BookingWindow, Confirmation, EventRefusal, LatePayment, PricedLine, TicketPrice, TicketRequest,
    check_places, held_until, late_payment, late_payment_letter, places, price_lines, session_words, total,
};

use super::{Event, event_in, lock_event, sessions_in, taken_in, tickets_in};
use crate::error::{Result, StoreError, stored};
use crate::platform::audit::{self, Action, Actor};
use crate::platform::outbox;
use crate::query::{Id, all_of, exec, insert_id, one_of};
use crate::{Store, now};

/// Who is booking, which decides how the booking is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Someone with no account: a paid booking is paid by card at once.
    Guest,
    /// A signed-in person: a paid booking goes into their basket.
    Account(i64),
    /// The office on someone's behalf: confirmed at once, any payment due later.
    Office(i64),
}

/// A booking asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRequest {
    pub event_id: i64,
    pub session_id: Option<i64>,
    pub name: String,
    pub email: String,
    pub tickets: Vec<TicketRequest>,
    pub channel: Channel,
    /// The site's address, for the ticket's link in the confirmation.
    pub site_url: String,
}

/// A booking made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booked {
    pub id: i64,
    pub reference: String,
    pub status: BookingStatus,
    pub total: Pence,
    /// The basket line waiting for payment (held bookings only).
    pub basket_item: Option<i64>,
}

/// A booking as the office, the ticket and the API show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub id: i64,
    pub event_id: i64,
    pub event_title: String,
    pub session_id: Option<i64>,
    pub reference: String,
    pub user_id: Option<i64>,
    pub name: String,
    pub email: String,
    pub status: BookingStatus,
    pub places: u32,
    pub total: Pence,
    pub paid: Pence,
    pub refund: Pence,
    pub pay_later: bool,
    pub checked_in_at: Option<OffsetDateTime>,
    pub tickets: Vec<(String, u32, Pence)>,
    /// Until when a held booking keeps its places.
    pub held_until: Option<OffsetDateTime>,
    /// The refund through the provider: "pending" or "refunded"; none when none is owed.
    pub refund_status: Option<String>,
}

#[derive(FromQueryResult)]
struct BookingRow {
    id: i64,
    event_id: i64,
    event_title: String,
    session_id: Option<i64>,
    reference: String,
    user_id: Option<i64>,
    name: String,
    email: String,
    status: String,
    places: i32,
    total_pence: i64,
    paid_pence: i64,
    refund_pence: i64,
    pay_later: bool,
    checked_in_at: Option<OffsetDateTime>,
    held_until: Option<OffsetDateTime>,
    refund_status: Option<String>,
}

const BOOKING_SELECT: &str = "SELECT b.id, b.event_id, e.title AS event_title, b.session_id, b.reference, b.user_id, \
     b.name, b.email, b.status, b.places, b.total_pence, b.paid_pence, b.refund_pence, b.pay_later, b.checked_in_at, \
     b.held_until, r.status AS refund_status \
     FROM bookings b JOIN events e ON e.id = b.event_id LEFT JOIN booking_refunds r ON r.booking_id = b.id";

async fn finish(conn: &impl ConnectionTrait, rows: Vec<BookingRow>) -> Result<Vec<Booking>> {
    #[derive(FromQueryResult)]
    struct Line {
        name: String,
        quantity: i32,
        price_pence: i64,
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let lines = all_of::<Line>(
            conn,
            "SELECT name, quantity, price_pence FROM booking_tickets WHERE booking_id = ? ORDER BY id",
            [r.id.into()],
        )
        .await?;
        out.push(Booking {
            id: r.id,
            event_id: r.event_id,
            event_title: r.event_title,
            session_id: r.session_id,
            reference: r.reference,
            user_id: r.user_id,
            name: r.name,
            email: r.email,
            status: stored(&r.status, BookingStatus::parse)?,
            places: r.places.max(0) as u32,
            total: Pence(r.total_pence),
            paid: Pence(r.paid_pence),
            refund: Pence(r.refund_pence),
            pay_later: r.pay_later,
            checked_in_at: r.checked_in_at,
            held_until: r.held_until,
            refund_status: r.refund_status,
            tickets: lines
                .into_iter()
                .map(|l| (l.name, l.quantity.max(0) as u32, Pence(l.price_pence)))
                .collect(),
        });
    }
    Ok(out)
}

pub(crate) async fn booking_where(
    conn: &impl ConnectionTrait,
    condition: &str,
    value: sea_orm::Value,
) -> Result<Option<Booking>> {
    booking_matching(conn, condition, vec![value]).await
}

pub(crate) async fn booking_matching(
    conn: &impl ConnectionTrait,
    condition: &str,
    values: Vec<sea_orm::Value>,
) -> Result<Option<Booking>> {
    let rows = all_of::<BookingRow>(conn, &format!("{BOOKING_SELECT} WHERE {condition}"), values).await?;
    Ok(finish(conn, rows).await?.into_iter().next())
}

/// A new reference: ten characters with no 0/O or 1/I to misread at the door (50 bits, so
/// a ticket's page cannot be found by guessing).
fn new_reference() -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    let code: String = bytes.iter().map(|b| ALPHABET[(b & 31) as usize] as char).collect();
    format!("EV-{code}")
}

/// The one account that card payments by guests are made under: disabled, with no password
/// that can match, so it never logs in. Checkouts and basket lines need an account; a guest
/// has none (decision 0086).
pub(crate) async fn guest_payer(conn: &impl ConnectionTrait) -> Result<i64> {
    const EMAIL: &str = "guest-payments@tutti.invalid";
    let found: Option<Id> = one_of(conn, "SELECT id FROM users WHERE email = ?", [EMAIL.into()]).await?;
    if let Some(f) = found {
        return Ok(f.id);
    }
    let at = now();
    insert_id(
        conn,
        "INSERT INTO users (email, name, password_hash, role, disabled, is_demo, created_at, updated_at, \
         password_changed_at) VALUES (?, 'Guest payments (no login)', '!', 'parent', ?, ?, ?, ?, ?) RETURNING id",
        vec![EMAIL.into(), true.into(), false.into(), at.into(), at.into(), at.into()],
    )
    .await
}

/// The session a booking is for: needed (and must be the event's) when places are counted per
/// session; otherwise none.
async fn session_for(conn: &impl ConnectionTrait, event: &Event, asked: Option<i64>) -> Result<Option<i64>> {
    if !event.capacity_per_session {
        return Ok(None);
    }
    let sessions = sessions_in(conn, event.id).await?;
    match asked {
        Some(s) if sessions.iter().any(|x| x.id == s) => Ok(Some(s)),
        _ => Err(EventRefusal::ChooseSession.into()),
    }
}

pub(crate) async fn book_in(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    req: &BookingRequest,
    at: OffsetDateTime,
) -> Result<Booked> {
    let today = tutti_domain::clock::london_date(at);
    lock_event(conn, req.event_id).await?;
    let event = event_in(conn, req.event_id).await?.ok_or(StoreError::NotFound)?;
    if event.is_cancelled() {
        return Err(EventRefusal::EventCancelled.into());
    }
    // Holds that ran out free their places (for the waiting list first) before they are counted.
    super::holds::expire_in(conn, &event, at).await?;
    if !matches!(req.channel, Channel::Office(_)) {
        BookingWindow {
            opens: event.booking_opens,
            closes: event.booking_closes,
            first_session: event.first_date,
        }
        .check(today)?;
    }
    let session_id = session_for(conn, &event, req.session_id).await?;
    let offered: Vec<TicketPrice> = tickets_in(conn, event.id)
        .await?
        .into_iter()
        .map(|t| TicketPrice {
            id: t.id,
            name: t.name,
            price: Pence(t.price_pence),
        })
        .collect();
    let lines = price_lines(&offered, &req.tickets)?;
    let wanted = places(&lines);
    let email = crate::platform::accounts::normalise_email(&req.email);
    let taken = taken_in(conn, event.id, session_id, Some(&email), at).await?;
    check_places(event.capacity(), taken, wanted)?;
    let cost = total(&lines);
    let (status, pay_later, booked_by, user_id) = match req.channel {
        _ if cost == Pence::ZERO => (BookingStatus::Confirmed, false, None, account(req.channel)),
        Channel::Office(by) => (BookingStatus::Confirmed, true, Some(by), None),
        Channel::Account(u) => (BookingStatus::Held, false, None, Some(u)),
        Channel::Guest => (BookingStatus::Held, false, None, None),
    };
    let reference = new_reference();
    let hold = (status == BookingStatus::Held).then(|| held_until(at));
    let at = now();
    let id = insert_id(
        conn,
        "INSERT INTO bookings (event_id, session_id, reference, site_url, user_id, name, email, status, places, \
         total_pence, paid_pence, refund_pence, pay_later, booked_by, checked_in_at, cancelled_at, created_at, \
         updated_at, held_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, NULL, NULL, ?, ?, ?) RETURNING id",
        vec![
            event.id.into(),
            session_id.into(),
            reference.clone().into(),
            req.site_url.trim_end_matches('/').into(),
            user_id.into(),
            req.name.trim().into(),
            email.clone().into(),
            status.as_str().into(),
            (wanted as i32).into(),
            cost.0.into(),
            pay_later.into(),
            booked_by.into(),
            at.into(),
            at.into(),
            hold.into(),
        ],
    )
    .await?;
    for l in &lines {
        insert_line(conn, id, l).await?;
    }
    // Someone offered a place from the waiting list has now booked it.
    exec(
        conn,
        "UPDATE event_waiting_list SET status = 'booked' WHERE event_id = ? AND email = ? AND status = 'offered'",
        vec![event.id.into(), email.clone().into()],
    )
    .await?;
    let basket_item = if status == BookingStatus::Held {
        let payer = match req.channel {
            Channel::Account(u) => u,
            _ => guest_payer(conn).await?,
        };
        Some(
            insert_id(
                conn,
                "INSERT INTO basket_items (user_id, kind, invoice_id, donation_id, booking_id, description, \
                 amount_pence, checkout_id, created_at) VALUES (?, 'booking', NULL, NULL, ?, ?, ?, NULL, ?) RETURNING id",
                vec![
                    payer.into(),
                    id.into(),
                    format!("{} ({reference})", event.title).into(),
                    cost.0.into(),
                    at.into(),
                ],
            )
            .await?,
        )
    } else {
        send_confirmation(conn, id).await?;
        None
    };
    let what = format!("{reference}: {wanted} places on {} for {cost}", event.title);
    audit::record(conn, actor, Action::Create, "booking", Some(id), what).await?;
    Ok(Booked {
        id,
        reference,
        status,
        total: cost,
        basket_item,
    })
}

fn account(channel: Channel) -> Option<i64> {
    match channel {
        Channel::Account(u) => Some(u),
        _ => None,
    }
}

async fn insert_line(conn: &impl ConnectionTrait, booking: i64, l: &PricedLine) -> Result<()> {
    exec(
        conn,
        "INSERT INTO booking_tickets (booking_id, ticket_type_id, name, quantity, price_pence) VALUES (?, ?, ?, ?, ?)",
        vec![
            booking.into(),
            l.ticket_type_id.into(),
            l.name.clone().into(),
            (l.quantity as i32).into(),
            l.price.0.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Queues the booking's confirmation: its reference, sessions, tickets and ticket page.
pub(crate) async fn send_confirmation(conn: &impl ConnectionTrait, booking_id: i64) -> Result<()> {
    let b = booking_where(conn, "b.id = ?", booking_id.into())
        .await?
        .ok_or(StoreError::NotFound)?;
    let event = event_in(conn, b.event_id).await?.ok_or(StoreError::NotFound)?;
    #[derive(FromQueryResult)]
    struct Site {
        site_url: String,
    }
    let site = one_of::<Site>(conn, "SELECT site_url FROM bookings WHERE id = ?", [booking_id.into()])
        .await?
        .map(|s| s.site_url)
        .unwrap_or_default();
    let sessions: Vec<String> = sessions_in(conn, event.id)
        .await?
        .into_iter()
        .filter(|s| b.session_id.is_none_or(|id| id == s.id))
        .map(|s| session_words(s.date, s.start_minute, s.end_minute))
        .collect();
    let tickets: Vec<String> = b.tickets.iter().map(|(n, q, _)| format!("{q} × {n}")).collect();
    let venue = if event.postcode.is_empty() {
        event.venue.clone()
    } else {
        format!("{}, {}", event.venue, event.postcode)
    };
    // The booker's own way to cancel: a signed-in booker's account page, or for anyone else a
    // link with a new unguessable token, kept only as its hash (the reference alone, which
    // the ticket and the door show, never cancels).
    let cancel_url = match b.user_id {
        Some(_) => format!("{site}/account/bookings/{}/cancel", b.id),
        None => {
            let token = crate::platform::tokens::random_token();
            exec(
                conn,
                "UPDATE bookings SET cancel_token_hash = ? WHERE id = ?",
                vec![crate::platform::tokens::hash_token(&token).into(), b.id.into()],
            )
            .await?;
            format!("{site}/events/tickets/{}/cancel/{token}", b.reference)
        }
    };
    let refundable_until = event.first_date - Duration::days(i64::from(event.refund_days.max(0)));
    let letter = Confirmation {
        name: &b.name,
        reference: &b.reference,
        event: &event.title,
        venue: &venue,
        sessions: &sessions,
        tickets: &tickets,
        total: b.total,
        paid: b.paid,
        ticket_url: format!("{site}/events/tickets/{}", b.reference),
        cancel: Some((cancel_url, refundable_until)),
    };
    outbox::enqueue(conn, &b.email, &letter.subject(), &letter.body()).await?;
    Ok(())
}

/// A booking's card payment (called as its checkout is applied, inside that transaction).
/// A held booking is confirmed and told. A payment that comes after the hold ran out is
/// honoured while its places are still free, and otherwise refunded in full; so is one for a
/// booking cancelled meanwhile (decision 0093). Money taken is never left unapplied.
pub async fn confirm_paid(
    conn: &impl ConnectionTrait,
    booking_id: i64,
    amount: Pence,
    checkout_id: i64,
    at: OffsetDateTime,
) -> Result<()> {
    let Some(b) = booking_where(conn, "b.id = ?", booking_id.into()).await? else {
        return Ok(());
    };
    lock_event(conn, b.event_id).await?;
    let event = event_in(conn, b.event_id).await?.ok_or(StoreError::NotFound)?;
    super::holds::expire_in(conn, &event, at).await?;
    let status = booking_where(conn, "b.id = ?", booking_id.into())
        .await?
        .map(|b| b.status)
        .unwrap_or(b.status);
    let honour = match status {
        BookingStatus::Confirmed => return Ok(()),
        BookingStatus::Held => true,
        BookingStatus::Expired => {
            let taken = taken_in(conn, event.id, b.session_id, Some(&b.email), at).await?;
            !event.is_cancelled() && late_payment(event.capacity(), taken, b.places) == LatePayment::Honoured
        }
        BookingStatus::Cancelled => false,
    };
    if honour {
        exec(
            conn,
            "UPDATE bookings SET status = 'confirmed', paid_pence = paid_pence + ?, checkout_id = ?, held_until = NULL, \
             updated_at = ? WHERE id = ? AND status IN ('held', 'expired')",
            vec![amount.0.into(), checkout_id.into(), now().into(), booking_id.into()],
        )
        .await?;
        if status == BookingStatus::Expired {
            let what = format!(
                "{} paid after its hold ran out; places still free, so confirmed",
                b.reference
            );
            audit::record(conn, &late_actor(), Action::Update, "booking", Some(booking_id), what).await?;
        }
        return send_confirmation(conn, booking_id).await;
    }
    exec(
        conn,
        "UPDATE bookings SET status = 'cancelled', paid_pence = paid_pence + ?, refund_pence = refund_pence + ?, \
         checkout_id = ?, held_until = NULL, cancelled_at = COALESCE(cancelled_at, ?), updated_at = ? WHERE id = ?",
        vec![
            amount.0.into(),
            amount.0.into(),
            checkout_id.into(),
            now().into(),
            now().into(),
            booking_id.into(),
        ],
    )
    .await?;
    super::refunds::owe_in(conn, booking_id, amount).await?;
    let (subject, body) = late_payment_letter(&b.name, &event.title, &b.reference, amount);
    outbox::enqueue(conn, &b.email, &subject, &body).await?;
    let what = format!(
        "{} paid {amount} after its places had gone: refund owed in full",
        b.reference
    );
    audit::record(conn, &late_actor(), Action::Update, "booking", Some(booking_id), what).await?;
    Ok(())
}

fn late_actor() -> Actor {
    Actor {
        user_id: None,
        name: "late payment".into(),
        ip: "webhook".into(),
    }
}

/// Cancels every booking of a cancelled event, each refunded in full.
pub(crate) async fn cancel_all_in(conn: &impl ConnectionTrait, event: &Event) -> Result<()> {
    #[derive(FromQueryResult)]
    struct Paid {
        id: i64,
        paid_pence: i64,
    }
    let paid = all_of::<Paid>(
        conn,
        "SELECT id, paid_pence FROM bookings WHERE event_id = ? AND status IN ('held', 'confirmed')",
        [event.id.into()],
    )
    .await?;
    exec(
        conn,
        "UPDATE bookings SET status = 'cancelled', refund_pence = paid_pence, cancelled_at = ?, updated_at = ? \
         WHERE event_id = ? AND status IN ('held', 'confirmed')",
        vec![now().into(), now().into(), event.id.into()],
    )
    .await?;
    // Card payments go back through the provider (`refunds`); others the office pays back.
    for p in paid {
        super::refunds::owe_in(conn, p.id, Pence(p.paid_pence)).await?;
    }
    exec(
        conn,
        "DELETE FROM basket_items WHERE booking_id IN (SELECT id FROM bookings WHERE event_id = ?) \
         AND checkout_id IS NULL",
        vec![event.id.into()],
    )
    .await?;
    Ok(())
}

#[tutti_boxed::boxed]
impl Store {
    /// Books places on an event, all or nothing; refused when full, closed or the tickets are
    /// not the event's.
    pub async fn book_event(&self, actor: &Actor, req: &BookingRequest) -> Result<Booked> {
        let txn = self.write().await?;
        let booked = book_in(&txn, actor, req, self.now()).await?;
        txn.commit().await?;
        Ok(booked)
    }

    /// A booking by its reference (the ticket page, the door).
    pub async fn booking_by_reference(&self, reference: &str) -> Result<Option<Booking>> {
        booking_where(self.conn(), "b.reference = ?", reference.trim().to_uppercase().into()).await
    }

    pub async fn booking(&self, id: i64) -> Result<Option<Booking>> {
        booking_where(self.conn(), "b.id = ?", id.into()).await
    }

    /// The bookings paid by one checkout (a guest's return from the provider's page).
    pub async fn bookings_of_checkout(&self, checkout_reference: &str) -> Result<Vec<Booking>> {
        let rows = all_of::<BookingRow>(
            self.conn(),
            &format!(
                "{BOOKING_SELECT} JOIN payment_checkouts c ON c.id = b.checkout_id \
                 WHERE c.reference = ? ORDER BY b.id"
            ),
            [checkout_reference.into()],
        )
        .await?;
        finish(self.conn(), rows).await
    }

    /// An event's bookings, oldest first (the office's list and the door's).
    pub async fn event_bookings(&self, event_id: i64) -> Result<Vec<Booking>> {
        let rows = all_of::<BookingRow>(
            self.conn(),
            &format!("{BOOKING_SELECT} WHERE b.event_id = ? ORDER BY b.id"),
            [event_id.into()],
        )
        .await?;
        finish(self.conn(), rows).await
    }
}
