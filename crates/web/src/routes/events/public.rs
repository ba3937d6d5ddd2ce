//! The public side of events: the list with filters, an event's page with its booking form,
//! its `.ics` file and schema.org `Event` JSON-LD, booking by guests and signed-in people, the
//! waiting list, the return from paying, and the ticket with its QR code for the door.
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;
use tutti_domain::Pence;
use tutti_domain::events::{BookingStatus, EventAudience, EventKind, TicketRequest};
use tutti_store::events::bookings::{Booked, BookingRequest, Channel};
use tutti_store::events::waiting::WaitRequest;
use tutti_store::events::{EventDetail, EventFilter};
use tutti_store::platform::audit::Actor;

use super::times;
use crate::acting::Visiting;
use crate::error::{AppError, AppResult, refused_on_its_field};
use crate::format;
use crate::forms::{FormErrors, email_field};
use crate::pages::{MessagePage, render};
use crate::routes::money::payments::checkout::guest_checkout;
use crate::routes::records::Values;
use crate::session::{Visitor, form_token};
use crate::shell::Shell;
use crate::state::AppState;

/// An event as a list or page shows it.
pub(crate) struct EventView {
    pub slug: String,
    pub title: String,
    pub kind: &'static str,
    pub audience: String,
    pub summary: String,
    pub venue: String,
    pub sessions: Vec<(String, String)>,
    pub from_price: String,
    pub places: String,
    pub full: bool,
    pub cancelled: bool,
}

pub(crate) fn view(d: &EventDetail) -> EventView {
    let e = &d.event;
    let lowest = d.tickets.iter().map(|t| t.price_pence).min().unwrap_or(0);
    let from_price = if d.tickets.iter().all(|t| t.price_pence == 0) {
        "Free".to_owned()
    } else if lowest == 0 {
        "Free tickets available".to_owned()
    } else {
        format!("From {}", format::money(Pence(lowest)))
    };
    let audience = if e.audience_detail.is_empty() {
        e.audience().label().to_owned()
    } else {
        format!("{}: {}", e.audience().label(), e.audience_detail)
    };
    EventView {
        slug: e.slug.clone(),
        title: e.title.clone(),
        kind: e.kind().label(),
        audience,
        summary: e.summary.clone(),
        venue: if e.postcode.is_empty() {
            e.venue.clone()
        } else {
            format!("{}, {}", e.venue, e.postcode)
        },
        sessions: d
            .sessions
            .iter()
            .map(|s| (format::long_day(s.date), times(s.start_minute, s.end_minute)))
            .collect(),
        from_price,
        places: match d.left {
            None => String::new(),
            Some(0) => "Full: join the waiting list".to_owned(),
            Some(1) => "1 place left".to_owned(),
            Some(n) => format!("{} places left", format::count(n)),
        },
        full: d.left == Some(0),
        cancelled: e.is_cancelled(),
    }
}

#[derive(Template)]
#[template(path = "events/list.html")]
struct ListPage {
    shell: Shell,
    events: Vec<EventView>,
    kinds: Vec<(&'static str, &'static str)>,
    audiences: Vec<(&'static str, &'static str)>,
    kind: String,
    audience: String,
}

#[derive(Deserialize, Default)]
pub(super) struct ListParams {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    audience: String,
}

pub(super) async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(p): Query<ListParams>,
) -> AppResult<Response> {
    let filter = EventFilter {
        kind: p.kind.parse::<EventKind>().ok(),
        audience: p.audience.parse::<EventAudience>().ok(),
        from: Some(state.store.today()),
        include_cancelled: false,
    };
    let events = state.store.events(&filter).await?;
    render(&ListPage {
        shell: Shell::new(&state, &visitor, "Events and courses", "/events"),
        events: events.iter().map(view).collect(),
        kinds: EventKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        audiences: EventAudience::ALL.iter().map(|a| (a.as_str(), a.label())).collect(),
        kind: filter.kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
        audience: filter.audience.map(|a| a.as_str().to_owned()).unwrap_or_default(),
    })
}

pub(crate) struct TicketField {
    pub field: String,
    pub name: String,
    pub price: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "events/page.html")]
struct EventPage {
    shell: Shell,
    event: EventView,
    csrf: String,
    errors: FormErrors,
    tickets: Vec<TicketField>,
    sessions: Vec<(i64, String, bool)>,
    per_session: bool,
    name: String,
    email: String,
    places: String,
    json_ld: String,
    open: bool,
}

/// The booking form's fields for each ticket type: `ticket-{id}`.
pub(crate) fn ticket_fields(d: &EventDetail, v: &Values) -> Vec<TicketField> {
    d.tickets
        .iter()
        .map(|t| {
            let field = format!("ticket-{}", t.id);
            TicketField {
                value: v.get(&field).cloned().unwrap_or_default(),
                field,
                name: t.name.clone(),
                price: if t.price_pence == 0 {
                    "Free".to_owned()
                } else {
                    format::money(Pence(t.price_pence))
                },
            }
        })
        .collect()
}

/// The tickets asked for on a booking form; a quantity that is not a number is an error on
/// the tickets.
pub(crate) fn read_tickets(d: &EventDetail, v: &Values, errors: &mut FormErrors) -> Vec<TicketRequest> {
    let mut asked = Vec::new();
    for t in &d.tickets {
        let text = v.get(&format!("ticket-{}", t.id)).map(|s| s.trim()).unwrap_or("");
        if text.is_empty() {
            continue;
        }
        match text.parse::<u32>() {
            Ok(quantity) => asked.push(TicketRequest {
                ticket_type: t.name.clone(),
                quantity,
            }),
            Err(_) => errors.add("tickets", "Enter how many tickets as a whole number, like 2"),
        }
    }
    asked
}

/// schema.org's `Event` for search engines, safe inside a `<script>` element.
fn json_ld(state: &AppState, d: &EventDetail) -> String {
    let e = &d.event;
    let base = state.config.public_url.trim_end_matches('/');
    let url = format!("{base}/events/{}", e.slug);
    let at = |date: time::Date, minute: i32| format!("{}T{}", format::input_date(date), format::clock(minute));
    let first = d.sessions.first();
    let last = d.sessions.last();
    let offers: Vec<serde_json::Value> = d
        .tickets
        .iter()
        .map(|t| {
            serde_json::json!({
                "@type": "Offer",
                "name": t.name,
                "price": format!("{}.{:02}", t.price_pence / 100, t.price_pence % 100),
                "priceCurrency": "GBP",
                "availability": if d.left == Some(0) { "https://schema.org/SoldOut" } else { "https://schema.org/InStock" },
                "url": url,
            })
        })
        .collect();
    let value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": e.title,
        "description": e.summary,
        "url": url,
        "startDate": first.map(|s| at(s.date, s.start_minute)),
        "endDate": last.map(|s| at(s.date, s.end_minute)),
        "eventStatus": if e.is_cancelled() { "https://schema.org/EventCancelled" } else { "https://schema.org/EventScheduled" },
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": {
            "@type": "Place",
            "name": e.venue,
            "address": { "@type": "PostalAddress", "postalCode": e.postcode, "addressCountry": "GB" },
        },
        "organizer": { "@type": "Organization", "name": state.hub_name(), "url": base },
        "offers": offers,
    });
    // "</" would end the script element early.
    value.to_string().replace("</", "<\\/")
}

async fn event_page(
    state: &AppState,
    visitor: &Visitor,
    d: &EventDetail,
    v: &Values,
    errors: FormErrors,
) -> AppResult<Response> {
    let (csrf, cookie) = form_token(state, visitor).await?;
    let user = visitor.user();
    let pick = |k: &str, fallback: Option<&str>| {
        v.get(k)
            .cloned()
            .or_else(|| fallback.map(str::to_owned))
            .unwrap_or_default()
    };
    let chosen = v.get("session").and_then(|s| s.parse::<i64>().ok());
    let open = !d.event.is_cancelled()
        && tutti_domain::events::BookingWindow {
            opens: d.event.booking_opens,
            closes: d.event.booking_closes,
            first_session: d.event.first_date,
        }
        .check(state.store.today())
        .is_ok();
    let page = EventPage {
        shell: Shell::new(
            state,
            visitor,
            d.event.title.clone(),
            &format!("/events/{}", d.event.slug),
        ),
        event: view(d),
        csrf,
        tickets: ticket_fields(d, v),
        sessions: d
            .sessions
            .iter()
            .map(|s| {
                (
                    s.id,
                    format!("{}, {}", format::long_day(s.date), times(s.start_minute, s.end_minute)),
                    chosen == Some(s.id),
                )
            })
            .collect(),
        per_session: d.event.capacity_per_session,
        name: pick("name", user.map(|u| u.name.as_str())),
        email: pick("email", user.map(|u| u.email.as_str())),
        places: pick("places", None),
        json_ld: json_ld(state, d),
        open,
        errors,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(crate::session::uncached_form(
        (status, render(&page)?).into_response(),
        cookie,
    ))
}

pub(super) async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    if let Some(slug) = slug.strip_suffix(".ics") {
        let d = state.store.event_by_slug(slug).await?.ok_or(AppError::NotFound)?;
        return Ok(ics(&state, &d));
    }
    let d = state.store.event_by_slug(&slug).await?.ok_or(AppError::NotFound)?;
    event_page(&state, &visitor, &d, &Values::new(), FormErrors::default()).await
}

/// The event's sessions as an iCalendar file (RFC 5545), for a phone's calendar.
fn ics(state: &AppState, d: &EventDetail) -> Response {
    let host = crate::ical::host_of(&state.config.public_url);
    let e = &d.event;
    let venue = view(d).venue;
    let mut cal = crate::ical::Calendar::new("Events", None, &host, OffsetDateTime::now_utc());
    for s in &d.sessions {
        cal.entry(&crate::ical::Entry {
            uid: format!("event-{}-session-{}", e.id, s.id),
            date: s.date,
            start_minute: s.start_minute,
            end_minute: s.end_minute,
            summary: &e.title,
            location: &venue,
            description: &e.summary,
            cancelled: e.is_cancelled(),
        });
    }
    let out = cal.finish();
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.ics\"", e.slug),
            ),
        ],
        out,
    )
        .into_response()
}

/// The booker's name and email from the form.
fn read_booker(v: &Values, errors: &mut FormErrors) -> (String, Option<String>) {
    let name = v.get("name").map(|s| s.trim().to_owned()).unwrap_or_default();
    if name.is_empty() {
        errors.add("name", "Enter your name");
    } else if name.chars().count() > 120 {
        errors.add("name", "Your name must be 120 characters or fewer");
    }
    let email = email_field(errors, "email", v.get("email").map(String::as_str).unwrap_or(""));
    (name, email)
}

fn visitor_actor(visitor: &Visitor, name: &str) -> Actor {
    match visitor.user() {
        Some(u) => crate::session::actor(u, visitor),
        None => Actor {
            user_id: None,
            name: format!("guest ({name})"),
            ip: visitor.ip.clone(),
        },
    }
}

/// A booking or waiting-list form as it arrives: its event, and who asks (their name and
/// email, with what is wrong beside the fields).
async fn booker_form(
    state: &AppState,
    slug: &str,
    v: &Values,
) -> AppResult<(EventDetail, FormErrors, (String, Option<String>))> {
    let d = state.store.event_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let mut errors = FormErrors::default();
    let booker = read_booker(v, &mut errors);
    Ok((d, errors, booker))
}

pub(super) async fn book(q: Visiting, Path(slug): Path<String>, Form(v): Form<Values>) -> AppResult<Response> {
    let Visiting { state, visitor } = q;
    let (d, mut errors, (name, email)) = booker_form(&state, &slug, &v).await?;
    let tickets = read_tickets(&d, &v, &mut errors);
    if errors.get("tickets").is_none() && tickets.iter().all(|t| t.quantity == 0) {
        errors.add("tickets", tutti_domain::events::EventRefusal::NoTickets.to_string());
    }
    let priced = tickets
        .iter()
        .any(|t| t.quantity > 0 && d.tickets.iter().any(|x| x.name == t.ticket_type && x.price_pence > 0));
    if priced && state.payments.is_none() {
        errors.add(
            "tickets",
            "Card payments are not available online. Contact the hub office to book paid tickets.",
        );
    }
    let (Some(email), true) = (email, errors.is_empty()) else {
        return event_page(&state, &visitor, &d, &v, errors).await;
    };
    let channel = match visitor.user() {
        Some(u) => Channel::Account(u.id),
        None => Channel::Guest,
    };
    let request = BookingRequest {
        event_id: d.event.id,
        session_id: v.get("session").and_then(|s| s.parse().ok()),
        name: name.clone(),
        email: email.clone(),
        tickets,
        channel,
        site_url: state.config.public_url.clone(),
    };
    let booked = match state.store.book_event(&visitor_actor(&visitor, &name), &request).await {
        Ok(b) => b,
        Err(e) => {
            refused_on_its_field(e, "tickets", &mut errors)?;
            return event_page(&state, &visitor, &d, &v, errors).await;
        }
    };
    after_booking(&state, &visitor, &d, booked, &email).await
}

/// Where a new booking goes next: its ticket when confirmed, the basket for a signed-in
/// person, the provider's page for a guest.
async fn after_booking(
    state: &AppState,
    visitor: &Visitor,
    d: &EventDetail,
    booked: Booked,
    email: &str,
) -> AppResult<Response> {
    let ticket = format!("/events/tickets/{}", booked.reference);
    if booked.status == BookingStatus::Confirmed {
        return Ok(Redirect::to(&ticket).into_response());
    }
    if let Some(session) = visitor.session.as_ref().filter(|s| s.user.is_some()) {
        state
            .store
            .set_flash(
                &session.id_hash,
                Some(&format!(
                    "Your places are held: pay for booking {} from your basket to confirm it.",
                    booked.reference
                )),
            )
            .await?;
        return Ok(Redirect::to("/basket").into_response());
    }
    let provider = state.payments.clone().ok_or(AppError::NotFound)?;
    let item = booked.basket_item.ok_or(AppError::NotFound)?;
    let cancel = format!("/events/{}", d.event.slug);
    guest_checkout(state, provider.as_ref(), item, email, &cancel, "a booking's checkout").await
}

pub(super) async fn wait(q: Visiting, Path(slug): Path<String>, Form(v): Form<Values>) -> AppResult<Response> {
    let Visiting { state, visitor } = q;
    let (d, mut errors, (name, email)) = booker_form(&state, &slug, &v).await?;
    let places = match v.get("places").map(|s| s.trim()).unwrap_or("").parse::<u32>() {
        Ok(n) if (1..=20).contains(&n) => Some(n),
        _ => {
            errors.add("places", "Enter how many places you need, from 1 to 20");
            None
        }
    };
    let (Some(email), Some(places), true) = (email, places, errors.is_empty()) else {
        return event_page(&state, &visitor, &d, &v, errors).await;
    };
    let request = WaitRequest {
        event_id: d.event.id,
        session_id: v.get("session").and_then(|s| s.parse().ok()),
        name: name.clone(),
        email,
        places,
        site_url: state.config.public_url.clone(),
    };
    if let Err(e) = state
        .store
        .join_waiting_list(&visitor_actor(&visitor, &name), &request)
        .await
    {
        refused_on_its_field(e, "places", &mut errors)?;
        return event_page(&state, &visitor, &d, &v, errors).await;
    }
    render(&MessagePage {
        shell: Shell::new(&state, &visitor, "You are on the waiting list", "/events"),
        heading: "You are on the waiting list".into(),
        paragraphs: vec![format!(
            "If places for {} come free, we will email you in the order people joined the list, and keep them for you to book.",
            d.event.title
        )],
        link: Some((format!("/events/{}", d.event.slug), "Back to the event".into())),
    })
}

#[derive(Deserialize)]
pub(super) struct PaidParams {
    #[serde(rename = "ref", default)]
    reference: String,
}

/// The return from the provider's page after a guest paid: the bookings that payment was for.
pub(super) async fn paid(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(p): Query<PaidParams>,
) -> AppResult<Response> {
    let bookings = state.store.bookings_of_checkout(&p.reference).await?;
    let checkout = state
        .store
        .checkout_by_reference(&p.reference)
        .await?
        .ok_or(AppError::NotFound)?;
    let (heading, mut paragraphs) = if bookings.is_empty() && checkout.status == "paid" {
        // A guest's donation (or a booking since cancelled): the payment itself.
        (
            "Thank you: payment received".to_owned(),
            vec![format!(
                "We have received {} for {}. Your reference is {}.",
                format::money(Pence(checkout.amount_pence)),
                checkout.description,
                checkout.reference
            )],
        )
    } else if bookings.is_empty() {
        (
            "Waiting for your payment to be confirmed".to_owned(),
            vec![format!(
                "The payment provider has not yet told us about your payment (reference {}). Reload this page in a minute.",
                checkout.reference
            )],
        )
    } else if bookings.iter().any(|b| b.status == BookingStatus::Confirmed) {
        ("Thank you: your booking is confirmed".to_owned(), Vec::new())
    } else {
        ("Your payment is being refunded".to_owned(), Vec::new())
    };
    let mut link = None;
    for b in &bookings {
        if b.status == BookingStatus::Confirmed {
            paragraphs.push(format!(
                "Booking {} for {}: we have emailed your confirmation to {}.",
                b.reference, b.event_title, b.email
            ));
            link = Some((format!("/events/tickets/{}", b.reference), "Your ticket".to_owned()));
        } else {
            // A payment after its hold ran out and the places had gone, or for a booking
            // cancelled meanwhile: refunded in full (decision 0093).
            paragraphs.push(format!(
                "Your payment for booking {} for {} arrived after the {} minutes we hold places for, and the places had gone. {} is being refunded in full to your card, and we have emailed {}.",
                b.reference,
                b.event_title,
                tutti_domain::events::HOLD_MINUTES,
                format::money(b.refund),
                b.email
            ));
        }
    }
    render(&MessagePage {
        shell: Shell::new(&state, &visitor, heading.clone(), "/events"),
        heading,
        paragraphs,
        link,
    })
}

#[derive(Template)]
#[template(path = "events/ticket.html")]
struct TicketPage {
    shell: Shell,
    event: EventView,
    reference: String,
    status: &'static str,
    confirmed: bool,
    tickets: Vec<(String, u32)>,
    qr: String,
    checked_in: bool,
    /// The signed-in booker's own cancellation page (a guest's is in their confirmation).
    cancel: Option<String>,
}

/// A booking's ticket: its reference and QR code (the door's check-in address) and what it
/// is for. It shows nobody's name or email, so knowing a reference reveals no one.
pub(super) async fn ticket(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(reference): Path<String>,
) -> AppResult<Response> {
    let b = state
        .store
        .booking_by_reference(&reference)
        .await?
        .ok_or(AppError::NotFound)?;
    let d = state.store.event(b.event_id).await?.ok_or(AppError::NotFound)?;
    let base = state.config.public_url.trim_end_matches('/');
    let door = format!("{base}/admin/events/{}/check-in?ref={}", b.event_id, b.reference);
    let qr = tutti_auth::qr::svg(&door, &format!("QR code for booking {}", b.reference)).unwrap_or_default();
    let mut response = render(&TicketPage {
        shell: Shell::new(&state, &visitor, format!("Ticket {}", b.reference), "/events"),
        event: view(&d),
        reference: b.reference,
        status: b.status.label(),
        confirmed: b.status == BookingStatus::Confirmed,
        tickets: b.tickets.iter().map(|(n, q, _)| (n.clone(), *q)).collect(),
        qr,
        checked_in: b.checked_in_at.is_some(),
        cancel: (b.status.holds_places() && b.user_id.is_some() && b.user_id == visitor.user().map(|u| u.id))
            .then(|| format!("/account/bookings/{}/cancel", b.id)),
    })?;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
