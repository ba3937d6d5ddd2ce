//! The office's screens for events: the list, a new event, an event's bookings and waiting
//! list, booking on someone's behalf (confirmed at once, payment due later), cancelling a
//! booking or the whole event, and the door's check-in by reference or QR code.
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::Date;
use tutti_domain::Pence;
use tutti_domain::events::{EventAudience, EventKind};
use tutti_store::events::bookings::{BookingRequest, Channel};
use tutti_store::events::cancelling::Canceller;
use tutti_store::events::{EventDetail, EventFilter, NewEvent};

use super::public::{EventView, TicketField, read_tickets, ticket_fields, view};
use crate::acting::Acting;
use crate::error::{AppError, AppResult, refusal_text, refused_on_its_field};
use crate::format;
use crate::forms::{Fields, FormErrors, email_field};
use crate::pages::{render, render_clearing_flash};
use crate::routes::records::Values;
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

pub(super) struct Row {
    id: i64,
    title: String,
    kind: &'static str,
    first: String,
    places: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "events/office_list.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<Row>,
}

fn places(d: &EventDetail) -> String {
    match d.event.capacity() {
        Some(c) => format!("{} of {}", format::count(d.taken), format::count(c)),
        None => format!("{} (no limit)", format::count(d.taken)),
    }
}

pub(super) async fn list(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let events = state
        .store
        .events(&EventFilter {
            include_cancelled: true,
            ..EventFilter::default()
        })
        .await?;
    let rows = events
        .iter()
        .map(|d| Row {
            id: d.event.id,
            title: d.event.title.clone(),
            kind: d.event.kind().label(),
            first: format::short_day(d.event.first_date),
            places: places(d),
            status: if d.event.is_cancelled() {
                "Cancelled"
            } else {
                "Published"
            },
        })
        .collect();
    render_clearing_flash(
        &state,
        &visitor,
        &ListPage {
            shell: Shell::new(&state, &visitor, "Events", "/admin/events"),
            rows,
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "events/office_new.html")]
struct NewPage {
    shell: Shell,
    errors: FormErrors,
    v: Values,
    kinds: Vec<(&'static str, &'static str)>,
    audiences: Vec<(&'static str, &'static str)>,
}

impl NewPage {
    fn get(&self, k: &str) -> String {
        self.v.get(k).cloned().unwrap_or_default()
    }
}

fn new_page(state: &AppState, visitor: &Visitor, v: Values, errors: FormErrors) -> AppResult<Response> {
    let status = errors.status();
    let page = NewPage {
        shell: Shell::new(state, visitor, "Add an event", "/admin/events/new"),
        errors,
        v,
        kinds: EventKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        audiences: EventAudience::ALL.iter().map(|a| (a.as_str(), a.label())).collect(),
    };
    Ok((status, render(&page)?).into_response())
}

pub(super) async fn new_form(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let mut v = Values::new();
    v.insert("refund_days".into(), "7".into());
    v.insert("tickets".into(), "Adult: 8.00\nChild: 4.00".into());
    new_page(&state, &visitor, v, FormErrors::default())
}

/// One item a line, each read by `read`: the first line it cannot read is named in the error
/// beside `field` (`bad` is the error for a line, before "(not “the line”)"), and no line at
/// all is an error too (`none`).
fn each_line<T>(
    text: &str,
    errors: &mut FormErrors,
    (field, bad, none): (&'static str, &str, &str),
    read: impl Fn(&str) -> Option<T>,
) -> Vec<T> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match read(line) {
            Some(item) => out.push(item),
            None => {
                errors.add(field, format!("{bad} (not “{line}”)"));
                return Vec::new();
            }
        }
    }
    if out.is_empty() && errors.get(field).is_none() {
        errors.add(field, none);
    }
    out
}

/// "12/12/2026 14:00-15:30", one session a line.
fn read_sessions(text: &str, errors: &mut FormErrors) -> Vec<(Date, u16, u16)> {
    let words = (
        "sessions",
        "Write each session as a date and times, like 12/12/2026 14:00-15:30",
        "Enter at least one session, like 12/12/2026 14:00-15:30",
    );
    each_line(text, errors, words, |line| {
        let (day, span) = line.split_once(' ')?;
        let date = tutti_domain::validate::parse_date(day.trim()).ok()?;
        let (a, b) = span.trim().split_once('-')?;
        let minute = |t: &str| -> Option<u16> {
            let (h, m) = t.trim().split_once(':')?;
            Some(h.parse::<u16>().ok()? * 60 + m.parse::<u16>().ok()?)
        };
        Some((date, minute(a)?, minute(b)?))
    })
}

/// "Adult: 8.00", one ticket type a line.
fn read_ticket_types(text: &str, errors: &mut FormErrors) -> Vec<(String, Pence)> {
    let words = (
        "ticket_types",
        "Write each ticket type as a name and a price, like Adult: 8.00",
        "Enter at least one ticket type, like Free: 0",
    );
    each_line(text, errors, words, |line| {
        match line
            .rsplit_once(':')
            .map(|(n, p)| (n.trim(), Pence::parse_pounds(p.trim())))
        {
            Some((name, Ok(price))) if !name.is_empty() && price >= Pence::ZERO => Some((name.to_owned(), price)),
            _ => None,
        }
    })
}

fn optional_date(v: &Values, field: &'static str, errors: &mut FormErrors) -> Option<Date> {
    let text = v.get(field).map(|s| s.trim()).unwrap_or("");
    if text.is_empty() {
        return None;
    }
    tutti_domain::validate::parse_date(text)
        .map_err(|_| errors.add(field, "Enter a date like 01/11/2026, or leave it empty"))
        .ok()
}

pub(super) async fn create(a: Acting, Form(v): Form<Values>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let f = Fields(&v);
    let text = |k: &str| f.text(k);
    let title = f.required(&mut errors, "title", "Enter the event's title");
    let kind = f.parsed::<EventKind>(&mut errors, "kind", "Choose the kind of event");
    let audience = f.parsed::<EventAudience>(&mut errors, "audience", "Choose who it is for");
    let venue = f.required(&mut errors, "venue", "Enter where it is");
    let capacity = match text("capacity") {
        c if c.is_empty() => None,
        c => match c.parse::<u32>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                errors.add("capacity", "Enter the number of places, or leave it empty for no limit");
                None
            }
        },
    };
    let refund_days = text("refund_days").parse::<u32>().unwrap_or_else(|_| {
        errors.add("refund_days", "Enter a number of days, like 7");
        0
    });
    let sessions = read_sessions(&text("sessions"), &mut errors);
    let tickets = read_ticket_types(&text("ticket_types"), &mut errors);
    let booking_opens = optional_date(&v, "booking_opens", &mut errors);
    let booking_closes = optional_date(&v, "booking_closes", &mut errors);
    let (Some(kind), Some(audience), true) = (kind, audience, errors.is_empty()) else {
        return new_page(&a.state, &a.visitor, v, errors);
    };
    let new = NewEvent {
        title,
        kind,
        audience,
        audience_detail: text("audience_detail"),
        summary: text("summary"),
        venue,
        postcode: text("postcode").to_uppercase(),
        capacity,
        capacity_per_session: v.get("capacity_per_session").is_some_and(|x| x == "yes"),
        booking_opens,
        booking_closes,
        refund_days,
        sessions,
        tickets,
    };
    match a.state.store.create_event(&a.actor(), &new).await {
        Ok(id) => a.done("Event added.", &format!("/admin/events/{id}")).await,
        Err(e) => {
            refused_on_its_field(e, "title", &mut errors)?;
            new_page(&a.state, &a.visitor, v, errors)
        }
    }
}

pub(super) struct BookingRow {
    id: i64,
    reference: String,
    name: String,
    email: String,
    tickets: String,
    total: String,
    owed: String,
    status: String,
    checked_in: String,
    cancellable: bool,
}

#[derive(Template)]
#[template(path = "events/office_event.html")]
struct EventPage {
    shell: Shell,
    id: i64,
    event: EventView,
    places: String,
    bookings: Vec<BookingRow>,
    waiting: Vec<(String, String, i32, String)>,
    errors: FormErrors,
    tickets: Vec<TicketField>,
    name: String,
    email: String,
    sessions: Vec<(i64, String)>,
    per_session: bool,
    cancelled: bool,
}

async fn event_page(
    state: &AppState,
    visitor: &Visitor,
    id: i64,
    v: &Values,
    errors: FormErrors,
) -> AppResult<Response> {
    let d = state.store.event(id).await?.ok_or(AppError::NotFound)?;
    let bookings = state
        .store
        .event_bookings(id)
        .await?
        .into_iter()
        .map(|b| BookingRow {
            id: b.id,
            tickets: b
                .tickets
                .iter()
                .map(|(n, q, _)| format!("{q} × {n}"))
                .collect::<Vec<_>>()
                .join(", "),
            total: format::money(b.total),
            owed: format::money(Pence((b.total.0 - b.paid.0).max(0))),
            status: match (b.refund.0, b.refund_status.as_deref()) {
                (0, _) => b.status.label().to_owned(),
                (_, Some("refunded")) => {
                    format!("{}: {} refunded to the card", b.status.label(), format::money(b.refund))
                }
                (_, Some(_)) => format!(
                    "{}: {} refund to the card pending",
                    b.status.label(),
                    format::money(b.refund)
                ),
                (_, None) => format!("{}: refund due {}", b.status.label(), format::money(b.refund)),
            },
            checked_in: b.checked_in_at.map(format::when).unwrap_or_default(),
            cancellable: b.status.holds_places(),
            reference: b.reference,
            name: b.name,
            email: b.email,
        })
        .collect();
    let waiting = state
        .store
        .waiting_list(id)
        .await?
        .into_iter()
        .map(|w| (w.name, w.email, w.places, w.status))
        .collect();
    let get = |k: &str| v.get(k).cloned().unwrap_or_default();
    let status = errors.status();
    let page = EventPage {
        shell: Shell::new(state, visitor, d.event.title.clone(), "/admin/events"),
        id,
        event: view(&d),
        places: places(&d),
        bookings,
        waiting,
        errors,
        tickets: ticket_fields(&d, v),
        name: get("name"),
        email: get("email"),
        sessions: d
            .sessions
            .iter()
            .map(|s| {
                (
                    s.id,
                    format!(
                        "{}, {}",
                        format::short_day(s.date),
                        super::times(s.start_minute, s.end_minute)
                    ),
                )
            })
            .collect(),
        per_session: d.event.capacity_per_session,
        cancelled: d.event.is_cancelled(),
    };
    Ok((status, render_clearing_flash(state, visitor, &page).await?).into_response())
}

pub(super) async fn page(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    event_page(&state, &visitor, id, &Values::new(), FormErrors::default()).await
}

/// The office books on someone's behalf: confirmed at once, any payment due later.
pub(super) async fn book(a: Acting, Path(id): Path<i64>, Form(v): Form<Values>) -> AppResult<Response> {
    let d = a.state.store.event(id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FormErrors::default();
    let name = v.get("name").map(|s| s.trim().to_owned()).unwrap_or_default();
    if name.is_empty() {
        errors.add("name", "Enter the name of the person booking");
    }
    let email = email_field(&mut errors, "email", v.get("email").map(String::as_str).unwrap_or(""));
    let tickets = read_tickets(&d, &v, &mut errors);
    let (Some(email), true) = (email, errors.is_empty()) else {
        return event_page(&a.state, &a.visitor, id, &v, errors).await;
    };
    let request = BookingRequest {
        event_id: id,
        session_id: v.get("session").and_then(|s| s.parse().ok()),
        name,
        email,
        tickets,
        channel: Channel::Office(a.user.id),
        site_url: a.state.config.public_url.clone(),
    };
    match a.state.store.book_event(&a.actor(), &request).await {
        Ok(b) => {
            a.done(
                &format!("Booked: reference {}, {} due.", b.reference, format::money(b.total)),
                &format!("/admin/events/{id}"),
            )
            .await
        }
        Err(e) => {
            refused_on_its_field(e, "tickets", &mut errors)?;
            event_page(&a.state, &a.visitor, id, &v, errors).await
        }
    }
}

pub(super) async fn cancel_booking(
    a: Acting,
    Path((id, booking)): Path<(i64, i64)>,
    Form(v): Form<Values>,
) -> AppResult<Response> {
    let b = a
        .state
        .store
        .booking(booking)
        .await?
        .filter(|b| b.event_id == id)
        .ok_or(AppError::NotFound)?;
    let who = Canceller::Office {
        full_refund: v.get("full_refund").is_some_and(|x| x == "yes"),
    };
    let message = match a.state.store.cancel_booking(&a.actor(), b.id, who, None).await {
        Ok(done) => {
            let how = if done.by_card {
                pay_refunds(&a.state, Some(b.id)).await;
                match a.state.store.booking_refund(b.id).await?.map(|r| r.status) {
                    Some(s) if s == "refunded" => " to the card it was paid with",
                    _ => " to the card it was paid with (the provider could not be reached: it will be tried again)",
                }
            } else {
                ""
            };
            format!(
                "Booking {} cancelled. Refund: {}{how}.",
                b.reference,
                format::money(done.refund)
            )
        }
        Err(e) => refusal_text(e)?,
    };
    a.done(&message, &format!("/admin/events/{id}")).await
}

/// Pays the refunds owed through the card provider now; what fails is tried again by the sweep.
async fn pay_refunds(state: &AppState, booking: Option<i64>) {
    if let Some(provider) = state.payments.clone()
        && let Err(e) = state.store.pay_refunds(provider.as_ref(), booking).await
    {
        tracing::warn!(error = %e, "refunds will be tried again");
    }
}

pub(super) async fn cancel_event(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    let message = match a.state.store.cancel_event(&a.actor(), id).await {
        Ok(()) => {
            pay_refunds(&a.state, None).await;
            "Event cancelled; its bookings are cancelled and refunded in full (card payments to the card).".to_owned()
        }
        Err(e) => refusal_text(e)?,
    };
    a.done(&message, &format!("/admin/events/{id}")).await
}

#[derive(Template)]
#[template(path = "events/door.html")]
struct DoorPage {
    shell: Shell,
    id: i64,
    title: String,
    reference: String,
    errors: FormErrors,
    checked: usize,
    expected: usize,
}

#[derive(Deserialize, Default)]
pub(super) struct DoorParams {
    #[serde(rename = "ref", default)]
    reference: String,
}

async fn door_page(
    state: &AppState,
    visitor: &Visitor,
    id: i64,
    reference: String,
    errors: FormErrors,
) -> AppResult<Response> {
    let d = state.store.event(id).await?.ok_or(AppError::NotFound)?;
    let bookings = state.store.event_bookings(id).await?;
    let confirmed: Vec<_> = bookings
        .iter()
        .filter(|b| b.status == tutti_domain::events::BookingStatus::Confirmed)
        .collect();
    let status = errors.status();
    let page = DoorPage {
        shell: Shell::new(state, visitor, format!("Check-in: {}", d.event.title), "/admin/events"),
        id,
        title: d.event.title,
        reference,
        errors,
        checked: confirmed.iter().filter(|b| b.checked_in_at.is_some()).count(),
        expected: confirmed.len(),
    };
    Ok((status, render_clearing_flash(state, visitor, &page).await?).into_response())
}

/// The door: a reference typed, or arrived at from the ticket's QR code (`?ref=`).
pub(super) async fn door(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(p): Query<DoorParams>,
) -> AppResult<Response> {
    door_page(&state, &visitor, id, p.reference, FormErrors::default()).await
}

pub(super) async fn check_in(a: Acting, Path(id): Path<i64>, Form(v): Form<Values>) -> AppResult<Response> {
    let reference = v.get("reference").map(|s| s.trim().to_owned()).unwrap_or_default();
    let mut errors = FormErrors::default();
    if reference.is_empty() {
        errors.add("reference", "Enter the booking's reference, like EV-ABCD234567");
        return door_page(&a.state, &a.visitor, id, reference, errors).await;
    }
    match a.state.store.check_in(&a.actor(), id, &reference).await {
        Ok(b) => {
            let tickets: u32 = b.tickets.iter().map(|t| t.1).sum();
            a.done(
                &format!("Checked in: {} ({}), {} tickets.", b.name, b.reference, tickets),
                &format!("/admin/events/{id}/check-in"),
            )
            .await
        }
        Err(tutti_store::StoreError::NotFound) => {
            errors.add("reference", "No booking for this event has that reference");
            door_page(&a.state, &a.visitor, id, reference, errors).await
        }
        Err(e) => {
            refused_on_its_field(e, "reference", &mut errors)?;
            door_page(&a.state, &a.visitor, id, reference, errors).await
        }
    }
}
