//! Events and courses over HTTP: the public list and each event's page (with its iCalendar
//! file and schema.org data), booking by anyone (guests pay by card at once; signed-in people
//! through their basket), tickets with a QR code, the waiting list; and the office's screens
//! to add and cancel events, book on someone's behalf and check people in at the door; a
//! booker cancelling their own booking, refunded through the payment provider.
//! See docs/decisions/0086-events-and-bookings.md and 0093-event-refunds-and-holds.md.
mod cancelling;
mod cpd;
mod office;
mod public;

use axum::routing::{get, post};
use tutti_store::platform::accounts::Role;

use crate::access::{Access, Audience, Routes};

/// Anyone, with or without an account.
pub fn public_audience() -> Audience {
    Audience::new(
        Access::Public,
        Routes::new()
            .route("/events", get(public::list))
            .route("/events/paid", get(public::paid))
            .route("/events/tickets/{reference}", get(public::ticket))
            .route(
                "/events/tickets/{reference}/cancel/{token}",
                get(cancelling::guest_form).post(cancelling::guest_cancel),
            )
            .route("/events/{slug}", get(public::page))
            .route("/events/{slug}/book", post(public::book))
            .route("/events/{slug}/wait", post(public::wait)),
    )
}

/// The office: events, bookings on someone's behalf, the door.
pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin, Role::Manager]),
        Routes::new()
            .route("/admin/events", get(office::list))
            .route("/admin/events/new", get(office::new_form).post(office::create))
            .route("/admin/events/{id}", get(office::page))
            .route("/admin/events/{id}/book", post(office::book))
            .route("/admin/events/{id}/cancel", post(office::cancel_event))
            .route(
                "/admin/events/{id}/bookings/{booking}/cancel",
                post(office::cancel_booking),
            )
            .route("/admin/events/{id}/check-in", get(office::door).post(office::check_in)),
    )
}

/// Anyone signed in: their own CPD and its certificates (the office may open any
/// certificate), and cancelling their own bookings.
pub fn staff_audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route(
                "/account/bookings/{id}/cancel",
                get(cancelling::own_form).post(cancelling::own_cancel),
            )
            .route("/account/cpd", get(cpd::list))
            .route("/account/cpd/{file}", get(cpd::certificate)),
    )
}

/// "14:00 to 15:30" from minutes of the day.
pub(crate) fn times(start: i32, end: i32) -> String {
    format!("{} to {}", crate::format::clock(start), crate::format::clock(end))
}
