//! The events API: `GET /api/v1/events` (events to come, as a `Page`, by kind and audience),
//! `POST /api/v1/events` (the office adds an event with its sessions and ticket types) and
//! `POST /api/v1/events/{id}/bookings` (the office books on someone's behalf: confirmed at
//! once, any payment due later). A full event, closed bookings or an unknown ticket type is
//! 409 naming the field; a value not of its documented shape is 422.
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use tutti_domain::Pence;
use tutti_domain::events::{EventAudience, EventKind, TicketRequest};
use tutti_store::events::bookings::{Booking as StoreBooking, BookingRequest, Channel};
use tutti_store::events::{EventDetail, EventFilter, NewEvent};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::access::{Access, Audience, Routes};
use crate::api_extract::{ApiJson, ApiPath, ApiQuery};
use crate::forms::FormErrors;
use crate::routes::api::caller::Caller;
use crate::routes::api::schemas::{Page, clock, date, iso_date, not_null, paging};
use crate::routes::api::{ApiError, office, ok};

/// Signed in by token or session; adding events and booking are the office's, checked in each
/// handler so that the answer is JSON.
pub fn audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route("/api/v1/events", get(list_events).post(create_event))
            .route("/api/v1/events/{id}/bookings", post(book)),
    )
}

#[derive(OpenApi)]
#[openapi(paths(list_events, create_event, book))]
pub struct EventsDoc;

fn kinds() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(EventKind::WORDS.iter().copied()))
        .build()
}

fn audiences() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(EventAudience::WORDS.iter().copied()))
        .build()
}

fn statuses() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(tutti_domain::events::BookingStatus::WORDS.iter().copied()))
        .build()
}

/// One dated session of an event.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct SessionBody {
    #[schema(value_type = String, format = Date)]
    pub date: String,
    /// When it starts, `HH:MM`.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "14:00")]
    pub start: String,
    /// When it ends, `HH:MM`, after it starts.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "15:30")]
    pub end: String,
}

/// A ticket type and its price.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct TicketTypeBody {
    #[schema(pattern = r"\S", max_length = 60)]
    pub name: String,
    /// The price in pence; 0 for a free ticket.
    #[schema(minimum = 0, maximum = 100000000)]
    pub price_pence: i64,
}

/// An event and its places.
#[derive(Serialize, ToSchema)]
pub struct Event {
    pub id: i64,
    /// Its page is `/events/{slug}`.
    pub slug: String,
    pub title: String,
    #[schema(schema_with = kinds)]
    pub kind: String,
    #[schema(schema_with = audiences)]
    pub audience: String,
    pub venue: String,
    /// Places in all, or for each session when `capacity_per_session`; none: no limit.
    pub capacity: Option<i32>,
    pub capacity_per_session: bool,
    pub places_taken: u32,
    /// None when there is no limit.
    pub places_left: Option<u32>,
    /// published or cancelled.
    pub status: String,
    pub sessions: Vec<SessionBody>,
    pub ticket_types: Vec<TicketTypeBody>,
}

impl From<EventDetail> for Event {
    fn from(d: EventDetail) -> Event {
        Event {
            id: d.event.id,
            slug: d.event.slug.clone(),
            title: d.event.title.clone(),
            kind: d.event.kind.clone(),
            audience: d.event.audience.clone(),
            venue: d.event.venue.clone(),
            capacity: d.event.capacity,
            capacity_per_session: d.event.capacity_per_session,
            places_taken: d.taken,
            places_left: d.left,
            status: d.event.status.clone(),
            sessions: d
                .sessions
                .iter()
                .map(|s| SessionBody {
                    date: iso_date(s.date),
                    start: crate::format::clock(s.start_minute),
                    end: crate::format::clock(s.end_minute),
                })
                .collect(),
            ticket_types: d
                .tickets
                .iter()
                .map(|t| TicketTypeBody {
                    name: t.name.clone(),
                    price_pence: t.price_pence,
                })
                .collect(),
        }
    }
}

/// Which events, and which page.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    #[param(schema_with = kinds)]
    kind: Option<String>,
    #[param(schema_with = audiences)]
    audience: Option<String>,
    /// Page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u64>,
    /// Rows a page, 1 to 200 (50).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u64>,
}

/// Events still to come (a session today or later), soonest first; the office sees cancelled
/// ones too.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(ListParams),
    responses((status = 200, description = "A page of events", body = Page<Event>)))]
async fn list_events(
    Caller { state, user, .. }: Caller,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let (page, per_page) = paging(p.page, p.per_page)?;
    let mut errors = FormErrors::default();
    let kind = match p.kind.as_deref() {
        None => None,
        Some(k) => EventKind::ALL.iter().copied().find(|x| x.as_str() == k).or_else(|| {
            errors.add("kind", format!("Choose one of: {}.", EventKind::WORDS.join(", ")));
            None
        }),
    };
    let audience = match p.audience.as_deref() {
        None => None,
        Some(a) => EventAudience::ALL
            .iter()
            .copied()
            .find(|x| x.as_str() == a)
            .or_else(|| {
                errors.add(
                    "audience",
                    format!("Choose one of: {}.", EventAudience::WORDS.join(", ")),
                );
                None
            }),
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let events = state
        .store
        .events(&EventFilter {
            kind,
            audience,
            from: Some(state.store.today()),
            include_cancelled: office(&user).is_ok(),
        })
        .await?;
    ok(
        StatusCode::OK,
        Page::of_all(events.into_iter().map(Event::from).collect(), (page, per_page)),
    )
}

/// An event to add.
#[derive(Deserialize, ToSchema)]
pub struct EventBody {
    #[schema(value_type = String, required = true, pattern = r"\S", max_length = 200)]
    title: Option<String>,
    #[schema(schema_with = kinds, required = true)]
    kind: Option<String>,
    #[schema(schema_with = audiences, required = true)]
    audience: Option<String>,
    /// Ages, grades or roles, in words.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, max_length = 200)]
    audience_detail: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, max_length = 2000)]
    summary: Option<String>,
    #[schema(value_type = String, required = true, pattern = r"\S", max_length = 200)]
    venue: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, max_length = 10)]
    postcode: Option<String>,
    /// Places; left out for no limit.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = u32, minimum = 1, maximum = 100000)]
    capacity: Option<u32>,
    /// The places are for each session, and each booking is for one session.
    capacity_per_session: Option<bool>,
    #[schema(value_type = Vec<SessionBody>, required = true, min_items = 1)]
    sessions: Option<Vec<SessionBody>>,
    #[schema(value_type = Vec<TicketTypeBody>, required = true, min_items = 1)]
    ticket_types: Option<Vec<TicketTypeBody>>,
    /// Days before the first session that a cancellation is refunded in full (7).
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = u32, minimum = 0, maximum = 365)]
    refund_days: Option<u32>,
}

/// Adds an event (the office only); it is published at once at `/events/{slug}`.
#[utoipa::path(post, path = "/api/v1/events", tag = "events", request_body = EventBody,
    responses((status = 201, description = "The new event", body = Event),
              (status = 403, description = "Only the office adds events"),
              (status = 409, description = "Refused by a rule, naming the field: a session ending before it starts, two ticket types with one name")))]
async fn create_event(
    Caller { state, user, actor }: Caller,
    ApiJson(body): ApiJson<EventBody>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let mut errors = FormErrors::default();
    let text = |t: &Option<String>| t.as_deref().map(str::trim).unwrap_or("").to_owned();
    let title = text(&body.title);
    if title.is_empty() || title.chars().count() > 200 {
        errors.add("title", "Give the event's title (up to 200 characters).");
    }
    let venue = text(&body.venue);
    if venue.is_empty() || venue.chars().count() > 200 {
        errors.add("venue", "Give where it is (up to 200 characters).");
    }
    let kind = body
        .kind
        .as_deref()
        .and_then(|k| EventKind::ALL.iter().copied().find(|x| x.as_str() == k));
    if kind.is_none() {
        errors.add("kind", format!("Choose one of: {}.", EventKind::WORDS.join(", ")));
    }
    let audience = body
        .audience
        .as_deref()
        .and_then(|a| EventAudience::ALL.iter().copied().find(|x| x.as_str() == a));
    if audience.is_none() {
        errors.add(
            "audience",
            format!("Choose one of: {}.", EventAudience::WORDS.join(", ")),
        );
    }
    let mut sessions = Vec::new();
    for s in body.sessions.as_deref().unwrap_or_default() {
        match (date(&s.date), clock(&s.start), clock(&s.end)) {
            (Some(d), Some(a), Some(b)) => sessions.push((d, a, b)),
            _ => errors.add(
                "sessions",
                "Give each session's date (YYYY-MM-DD) and its start and end (HH:MM).",
            ),
        }
    }
    if sessions.is_empty() {
        errors.add("sessions", "Give at least one session.");
    }
    let mut tickets = Vec::new();
    for t in body.ticket_types.as_deref().unwrap_or_default() {
        let name = t.name.trim();
        if name.is_empty() || name.chars().count() > 60 || !(0..=100_000_000).contains(&t.price_pence) {
            errors.add(
                "ticket_types",
                "Give each ticket type a name and a price in pence from 0.",
            );
        } else {
            tickets.push((name.to_owned(), Pence(t.price_pence)));
        }
    }
    if tickets.is_empty() {
        errors.add("ticket_types", "Give at least one ticket type.");
    }
    let length = |t: &Option<String>, max: usize| t.as_deref().unwrap_or("").chars().count() > max;
    if length(&body.audience_detail, 200) {
        errors.add("audience_detail", "Up to 200 characters.");
    }
    if length(&body.summary, 2000) {
        errors.add("summary", "Up to 2,000 characters.");
    }
    if length(&body.postcode, 10) {
        errors.add("postcode", "Up to 10 characters.");
    }
    if body.capacity.is_some_and(|c| !(1..=100_000).contains(&c)) {
        errors.add("capacity", "From 1 to 100,000 places, or leave it out for no limit.");
    }
    if body.refund_days.is_some_and(|d| d > 365) {
        errors.add("refund_days", "From 0 to 365 days.");
    }
    let (Some(kind), Some(audience), true) = (kind, audience, errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let new = NewEvent {
        title,
        kind,
        audience,
        audience_detail: text(&body.audience_detail),
        summary: text(&body.summary),
        venue,
        postcode: text(&body.postcode).to_uppercase(),
        capacity: body.capacity,
        capacity_per_session: body.capacity_per_session.unwrap_or(false),
        booking_opens: None,
        booking_closes: None,
        refund_days: body.refund_days.unwrap_or(7),
        sessions,
        tickets,
    };
    let id = state.store.create_event(&actor, &new).await?;
    let d = state.store.event(id).await?.ok_or(ApiError::NotFound)?;
    ok(StatusCode::CREATED, Event::from(d))
}

/// Tickets of one type.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct TicketLine {
    /// A ticket type's name, as the event has it.
    #[serde(rename = "type")]
    #[schema(pattern = r"\S", max_length = 60)]
    pub ticket_type: String,
    #[schema(minimum = 0, maximum = 20)]
    pub quantity: u32,
}

/// A booking to make on someone's behalf.
#[derive(Deserialize, ToSchema)]
pub struct BookingBody {
    #[schema(value_type = String, required = true, pattern = r"\S", max_length = 120)]
    name: Option<String>,
    #[schema(value_type = String, required = true, format = Email)]
    email: Option<String>,
    #[schema(value_type = Vec<TicketLine>, required = true, min_items = 1)]
    tickets: Option<Vec<TicketLine>>,
    /// The session booked, when places are for each session.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = i64)]
    session_id: Option<i64>,
}

/// A booking.
#[derive(Serialize, ToSchema)]
pub struct Booking {
    pub id: i64,
    pub event_id: i64,
    /// What the ticket, the door and the office go by.
    pub reference: String,
    pub name: String,
    pub email: String,
    #[schema(schema_with = statuses)]
    pub status: String,
    pub places: u32,
    pub total_pence: i64,
    pub paid_pence: i64,
    /// Booked by the office with payment due later.
    pub pay_later: bool,
    pub tickets: Vec<TicketLine>,
}

impl From<StoreBooking> for Booking {
    fn from(b: StoreBooking) -> Booking {
        Booking {
            id: b.id,
            event_id: b.event_id,
            reference: b.reference,
            name: b.name,
            email: b.email,
            status: b.status.as_str().to_owned(),
            places: b.places,
            total_pence: b.total.0,
            paid_pence: b.paid.0,
            pay_later: b.pay_later,
            tickets: b
                .tickets
                .into_iter()
                .map(|(n, q, _)| TicketLine {
                    ticket_type: n,
                    quantity: q,
                })
                .collect(),
        }
    }
}

/// Books places on someone's behalf (the office only): confirmed at once, the confirmation
/// emailed, any payment due later. A full event is 409.
#[utoipa::path(post, path = "/api/v1/events/{id}/bookings", tag = "events",
    params(("id" = i64, Path, description = "The event's id")),
    request_body = BookingBody,
    responses((status = 201, description = "The booking, confirmed", body = Booking),
              (status = 403, description = "Only the office books through the API"),
              (status = 404, description = "No such event"),
              (status = 409, description = "Refused by a rule, naming the field: the event is full or has too few places left, is cancelled, has no such ticket type, or needs a session chosen")))]
async fn book(
    Caller { state, user, actor }: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<BookingBody>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let mut errors = FormErrors::default();
    let name = body.name.as_deref().map(str::trim).unwrap_or("").to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        errors.add("name", "Give the booker's name (up to 120 characters).");
    }
    let email = body
        .email
        .as_deref()
        .and_then(|e| tutti_domain::validate::EmailAddress::parse(e).ok());
    if email.is_none() {
        errors.add("email", "Give the booker's email address.");
    }
    let lines = body.tickets.unwrap_or_default();
    if lines.is_empty() || lines.iter().any(|l| l.quantity > 20 || l.ticket_type.trim().is_empty()) {
        errors.add("tickets", "Give each ticket's type and a quantity from 0 to 20.");
    }
    let (Some(email), true) = (email, errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    state.store.event(id).await?.ok_or(ApiError::NotFound)?;
    let request = BookingRequest {
        event_id: id,
        session_id: body.session_id,
        name,
        email: email.to_string(),
        tickets: lines
            .into_iter()
            .map(|l| TicketRequest {
                ticket_type: l.ticket_type,
                quantity: l.quantity,
            })
            .collect(),
        channel: Channel::Office(user.id),
        site_url: state.config.public_url.clone(),
    };
    let booked = state.store.book_event(&actor, &request).await?;
    let b = state.store.booking(booked.id).await?.ok_or(ApiError::NotFound)?;
    ok(StatusCode::CREATED, Booking::from(b))
}
