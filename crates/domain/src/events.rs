//! Events and courses: their kinds and audiences, a booking's lifecycle (held for payment,
//! confirmed, cancelled), the booking window, capacity and what is left of it, the waiting
//! list's offers in order, how long an unpaid booking holds its places, the refund a
//! cancellation earns and the words that say so before it is confirmed, and every refusal of
//! a booking.
use time::{Date, Duration, OffsetDateTime};

use crate::Pence;

text_enum! {
    /// What sort of event it is.
    pub enum EventKind {
        /// Music sessions for under-fives and their grown-ups, often a weekly series.
        EarlyYears = "early-years",
        /// A concert (family concerts among them).
        Concert = "concert",
        /// A course over days in a school holiday.
        HolidayCourse = "holiday-course",
        /// A residential or day summer school.
        SummerSchool = "summer-school",
        /// Training for school staff or the hub's own teachers: attendance becomes their CPD record.
        Cpd = "cpd",
        /// A workshop or come-and-try day.
        Workshop = "workshop",
    }
}

impl EventKind {
    /// The words a page shows.
    pub fn label(self) -> &'static str {
        match self {
            EventKind::EarlyYears => "Early years",
            EventKind::Concert => "Concert",
            EventKind::HolidayCourse => "Holiday course",
            EventKind::SummerSchool => "Summer school",
            EventKind::Cpd => "Training (CPD)",
            EventKind::Workshop => "Workshop",
        }
    }
}

text_enum! {
    /// Who an event is for.
    pub enum EventAudience {
        Families = "families",
        Pupils = "pupils",
        SchoolStaff = "school-staff",
        HubStaff = "hub-staff",
    }
}

impl EventAudience {
    /// The words a page shows.
    pub fn label(self) -> &'static str {
        match self {
            EventAudience::Families => "Families",
            EventAudience::Pupils => "Pupils",
            EventAudience::SchoolStaff => "School staff",
            EventAudience::HubStaff => "The hub's staff",
        }
    }
}

text_enum! {
    /// Where a booking is in its life.
    pub enum BookingStatus {
        /// Places held while the booker pays by card.
        Held = "held",
        /// Booked: paid, free, or booked by the office with payment due later.
        Confirmed = "confirmed",
        /// Cancelled by the booker or the office; its places are free again.
        Cancelled = "cancelled",
        /// Not paid within [`HOLD_MINUTES`]: its places went back for others.
        Expired = "expired",
    }
}
stored_status!(BookingStatus);

impl BookingStatus {
    /// Whether the booking holds places (a held one only until its hold runs out).
    pub fn holds_places(self) -> bool {
        matches!(self, BookingStatus::Held | BookingStatus::Confirmed)
    }

    /// Cancels a booking that holds places; a booking is cancelled once, and one whose hold
    /// ran out unpaid has nothing left to cancel.
    pub fn cancel(self) -> Result<BookingStatus, EventRefusal> {
        match self {
            BookingStatus::Cancelled => Err(EventRefusal::AlreadyCancelled),
            BookingStatus::Expired => Err(EventRefusal::HoldExpired),
            _ => Ok(BookingStatus::Cancelled),
        }
    }

    /// The words a page shows.
    pub fn label(self) -> &'static str {
        match self {
            BookingStatus::Held => "Awaiting payment",
            BookingStatus::Confirmed => "Confirmed",
            BookingStatus::Cancelled => "Cancelled",
            BookingStatus::Expired => "Not paid in time",
        }
    }
}

/// How long a booking awaiting card payment holds its places. After that they count as free
/// for anyone booking, and the sweep marks the booking expired (decision 0093).
pub const HOLD_MINUTES: i64 = 30;

/// Until when a booking held at `at` keeps its places.
pub fn held_until(at: OffsetDateTime) -> OffsetDateTime {
    at + Duration::minutes(HOLD_MINUTES)
}

/// What a payment that arrives after its hold ran out does (decision 0093): it is honoured
/// when the places are still free, and otherwise refunded in full, never left unapplied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LatePayment {
    Honoured,
    Refunded,
}

/// Whether a late payment for `wanted` places is honoured, with `taken` of `capacity` held by
/// others now.
pub fn late_payment(capacity: Option<u32>, taken: u32, wanted: u32) -> LatePayment {
    match check_places(capacity, taken, wanted) {
        Ok(()) => LatePayment::Honoured,
        Err(_) => LatePayment::Refunded,
    }
}

/// How many tickets one line of a booking may ask for.
pub const MAX_TICKETS_PER_LINE: u32 = 20;

/// When bookings open and close. Bookings close at the latest the day before the first
/// session; `closes` may close them sooner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BookingWindow {
    pub opens: Option<Date>,
    pub closes: Option<Date>,
    pub first_session: Date,
}

impl BookingWindow {
    /// The last day a booking may be made.
    pub fn last_day(&self) -> Date {
        let eve = self.first_session.previous_day().unwrap_or(self.first_session);
        match self.closes {
            Some(c) if c < eve => c,
            _ => eve,
        }
    }

    /// Whether a booking may be made on `today`.
    pub fn check(&self, today: Date) -> Result<(), EventRefusal> {
        if let Some(opens) = self.opens
            && today < opens
        {
            return Err(EventRefusal::NotYetOpen { opens });
        }
        if today > self.last_day() {
            return Err(EventRefusal::WindowClosed);
        }
        Ok(())
    }
}

/// Places left: `capacity` less those taken (never below nought). No capacity: unlimited.
pub fn places_left(capacity: Option<u32>, taken: u32) -> Option<u32> {
    capacity.map(|c| c.saturating_sub(taken))
}

/// Whether `wanted` places fit in what is left. A request for none is refused first.
pub fn check_places(capacity: Option<u32>, taken: u32, wanted: u32) -> Result<(), EventRefusal> {
    if wanted == 0 {
        return Err(EventRefusal::NoTickets);
    }
    match places_left(capacity, taken) {
        Some(0) => Err(EventRefusal::Full),
        Some(left) if left < wanted => Err(EventRefusal::NotEnoughPlaces { left }),
        _ => Ok(()),
    }
}

/// One line of a booking as asked for: a ticket type's name and how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketRequest {
    pub ticket_type: String,
    pub quantity: u32,
}

/// A ticket type on offer: its name and price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketPrice {
    pub id: i64,
    pub name: String,
    pub price: Pence,
}

/// A priced line of a booking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedLine {
    pub ticket_type_id: i64,
    pub name: String,
    pub quantity: u32,
    pub price: Pence,
}

/// Prices a booking's lines from the event's ticket types: each named type must exist, each
/// quantity be from 1 to [`MAX_TICKETS_PER_LINE`], and at least one ticket be asked for. Lines
/// for the same type are added together.
pub fn price_lines(offered: &[TicketPrice], asked: &[TicketRequest]) -> Result<Vec<PricedLine>, EventRefusal> {
    let mut lines: Vec<PricedLine> = Vec::new();
    for a in asked {
        if a.quantity == 0 {
            continue;
        }
        if a.quantity > MAX_TICKETS_PER_LINE {
            return Err(EventRefusal::TooManyTickets);
        }
        let Some(t) = offered
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(a.ticket_type.trim()))
        else {
            return Err(EventRefusal::NoSuchTicket {
                name: a.ticket_type.clone(),
            });
        };
        match lines.iter_mut().find(|l| l.ticket_type_id == t.id) {
            Some(l) => {
                l.quantity += a.quantity;
                if l.quantity > MAX_TICKETS_PER_LINE {
                    return Err(EventRefusal::TooManyTickets);
                }
            }
            None => lines.push(PricedLine {
                ticket_type_id: t.id,
                name: t.name.clone(),
                quantity: a.quantity,
                price: t.price,
            }),
        }
    }
    if lines.is_empty() {
        return Err(EventRefusal::NoTickets);
    }
    Ok(lines)
}

/// What a priced booking costs.
pub fn total(lines: &[PricedLine]) -> Pence {
    lines.iter().map(|l| Pence(l.price.0 * i64::from(l.quantity))).sum()
}

/// How many places a priced booking takes.
pub fn places(lines: &[PricedLine]) -> u32 {
    lines.iter().map(|l| l.quantity).sum()
}

/// Which waiting-list entries (id, places wanted), oldest first, are offered `free` places:
/// strictly in order, so the first in the queue is never passed over for a smaller request
/// behind them.
pub fn waiting_offers(waiting: &[(i64, u32)], free: u32) -> Vec<i64> {
    let mut left = free;
    let mut offered = Vec::new();
    for &(id, wanted) in waiting {
        if wanted > left {
            break;
        }
        left -= wanted;
        offered.push(id);
    }
    offered
}

/// What a booker is refunded on cancelling on `on`: everything paid when at least
/// `refund_days` days before the first session, nothing later. The hub cancelling an event
/// refunds everything (`by_hub`).
pub fn refund_due(paid: Pence, on: Date, first_session: Date, refund_days: u32, by_hub: bool) -> Pence {
    if by_hub || (first_session - on).whole_days() >= i64::from(refund_days) {
        paid
    } else {
        Pence::ZERO
    }
}

/// What cancelling a booking on a day comes to, said to the booker before they confirm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CancelTerms {
    /// What goes back to the card it was paid with.
    pub refund: Pence,
    /// What was paid.
    pub paid: Pence,
    /// The last day a cancellation is refunded in full.
    pub refundable_until: Date,
}

impl CancelTerms {
    /// The terms of cancelling on `on`. The booker may cancel until the day before the first
    /// session; the office (`by_office`) at any time, and `by_hub` refunds everything paid.
    pub fn on(
        paid: Pence,
        on: Date,
        first_session: Date,
        refund_days: u32,
        by_office: bool,
        by_hub: bool,
    ) -> Result<CancelTerms, EventRefusal> {
        if !by_office && on >= first_session {
            return Err(EventRefusal::EventStarted);
        }
        Ok(CancelTerms {
            refund: refund_due(paid, on, first_session, refund_days, by_hub),
            paid,
            refundable_until: first_session - Duration::days(i64::from(refund_days)),
        })
    }

    /// What the booker is told before confirming.
    pub fn words(&self) -> String {
        if self.paid == Pence::ZERO {
            "Nothing has been paid for this booking, so there is nothing to refund. Cancelling frees its places for others."
                .to_owned()
        } else if self.refund == self.paid {
            format!(
                "You will be refunded {} in full, to the card you paid with.",
                self.refund
            )
        } else {
            format!(
                "Cancellations are refunded only until {}. It is later than that, so you will not be refunded the {} you paid; cancelling still frees your places for others.",
                crate::validate::format_day_long(self.refundable_until),
                self.paid
            )
        }
    }
}

/// The letter saying a booking is cancelled and what is refunded.
pub fn cancellation_letter(name: &str, event: &str, reference: &str, refund: Pence) -> (String, String) {
    let money = if refund > Pence::ZERO {
        format!("{refund} is being refunded to the card you paid with; it can take up to ten days to arrive.")
    } else {
        "No refund is due.".to_owned()
    };
    (
        format!("Booking cancelled: {event} ({reference})"),
        format!("Dear {name},\n\nYour booking {reference} for {event} is cancelled. {money}\n"),
    )
}

/// The letter for a payment that came after its hold ran out and the places had gone.
pub fn late_payment_letter(name: &str, event: &str, reference: &str, paid: Pence) -> (String, String) {
    (
        format!("Payment refunded: {event} ({reference})"),
        format!(
            "Dear {name},\n\nYour payment for booking {reference} for {event} arrived after the {HOLD_MINUTES} minutes we hold places for, and the places had been booked by others. {paid} is being refunded in full to the card you paid with. You can join the event's waiting list.\n"
        ),
    )
}

/// The first session's date, which the window and refunds are measured from.
pub fn first_session(dates: &[Date]) -> Option<Date> {
    dates.iter().min().copied()
}

/// A new event's sessions: at least one, each ending after it starts (minutes of the day).
pub fn check_sessions(sessions: &[(Date, u16, u16)]) -> Result<(), EventRefusal> {
    if sessions.is_empty() {
        return Err(EventRefusal::NoSessions);
    }
    if sessions.iter().any(|(_, start, end)| end <= start || *end > 24 * 60) {
        return Err(EventRefusal::SessionEndsBeforeStart);
    }
    Ok(())
}

/// The booking confirmation the booker is sent: the reference, what was booked and when,
/// what is owed, and the ticket page with its QR code for the door.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirmation<'a> {
    pub name: &'a str,
    pub reference: &'a str,
    pub event: &'a str,
    pub venue: &'a str,
    /// Each session as the letter says it ("Saturday 12 December 2026, 14:00 to 15:30").
    pub sessions: &'a [String],
    /// Each ticket line ("2 × Adult").
    pub tickets: &'a [String],
    pub total: Pence,
    pub paid: Pence,
    pub ticket_url: String,
    /// The booker's own cancellation link (a guest's carries its token), and the last day a
    /// cancellation there is refunded in full.
    pub cancel: Option<(String, Date)>,
}

impl Confirmation<'_> {
    pub fn subject(&self) -> String {
        format!("Booking confirmed: {} ({})", self.event, self.reference)
    }

    pub fn body(&self) -> String {
        let mut out = format!(
            "Dear {},\n\nYour booking for {} is confirmed. Your reference is {}.\n\n",
            self.name, self.event, self.reference
        );
        out.push_str(&format!("Where: {}\n", self.venue));
        for s in self.sessions {
            out.push_str(&format!("When: {s}\n"));
        }
        for t in self.tickets {
            out.push_str(&format!("Tickets: {t}\n"));
        }
        let owed = Pence(self.total.0 - self.paid.0);
        if self.total == Pence::ZERO {
            out.push_str("\nThis event is free.\n");
        } else if owed > Pence::ZERO {
            out.push_str(&format!("\nTo pay: {owed}. The office will tell you how to pay.\n"));
        } else {
            out.push_str(&format!("\nPaid: {}. Thank you.\n", self.paid));
        }
        out.push_str(&format!(
            "\nShow your reference or the QR code on your ticket at the door:\n{}\n",
            self.ticket_url
        ));
        if let Some((url, until)) = &self.cancel {
            out.push_str(&format!(
                "\nTo cancel, use this link (keep it private: it is yours alone). Cancellations until {} are refunded in full:\n{url}\n",
                crate::validate::format_day_long(*until)
            ));
        }
        out
    }
}

/// A session as a letter says it: "Saturday 12 December 2026, 14:00 to 15:30".
pub fn session_words(date: Date, start_minute: i32, end_minute: i32) -> String {
    let hm = |m: i32| format!("{:02}:{:02}", m / 60, m % 60);
    format!(
        "{}, {} to {}",
        crate::validate::format_day_long(date),
        hm(start_minute),
        hm(end_minute)
    )
}

/// A place offered from the waiting list: the letter that says so.
pub fn offer_letter(name: &str, event: &str, places: u32, event_url: &str) -> (String, String) {
    let noun = if places == 1 { "place" } else { "places" };
    (
        format!("A place has come free: {event}"),
        format!(
            "Dear {name},\n\n{places} {noun} for {event} are being kept for you. Book them with this email address at:\n{event_url}\n"
        ),
    )
}

/// Why a booking or an event was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EventRefusal {
    #[error("This event is full. You can join the waiting list.")]
    Full,
    #[error("Only {left} places are left.")]
    NotEnoughPlaces { left: u32 },
    #[error("Bookings have closed for this event.")]
    WindowClosed,
    #[error("Bookings open on {opens}.")]
    NotYetOpen { opens: Date },
    #[error("Choose at least one ticket.")]
    NoTickets,
    #[error("Book no more than 20 tickets of one type at a time.")]
    TooManyTickets,
    #[error("This event has no ticket called {name}.")]
    NoSuchTicket { name: String },
    #[error("Choose which session to book.")]
    ChooseSession,
    #[error("This booking is already cancelled.")]
    AlreadyCancelled,
    #[error("This booking is awaiting payment and cannot be checked in yet.")]
    NotPaid,
    #[error("This booking is already checked in.")]
    AlreadyCheckedIn,
    #[error("An event needs at least one session.")]
    NoSessions,
    #[error("A session must end after it starts.")]
    SessionEndsBeforeStart,
    #[error("An event needs at least one ticket type.")]
    NoTicketTypes,
    #[error("Two ticket types have the same name.")]
    DuplicateTicketType,
    #[error("There are places free: book them rather than wait.")]
    PlacesFree,
    #[error("This event is cancelled.")]
    EventCancelled,
    #[error("This booking was not paid within 30 minutes, so its places were released. Book again if places are left.")]
    HoldExpired,
    #[error("This event has already begun, so the booking can no longer be cancelled online. Contact the hub office.")]
    EventStarted,
    #[error(
        "The refund for cancelling is now {refund}, not what you were shown. Check the new terms and confirm again."
    )]
    RefundChanged { refund: Pence },
    #[error("This booking has been checked in at the door, so it can no longer be cancelled.")]
    CheckedIn,
}

impl EventRefusal {
    /// The form or API field at fault.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            EventRefusal::Full
            | EventRefusal::NotEnoughPlaces { .. }
            | EventRefusal::NoTickets
            | EventRefusal::TooManyTickets
            | EventRefusal::NoSuchTicket { .. }
            | EventRefusal::PlacesFree => Some("tickets"),
            EventRefusal::ChooseSession => Some("session"),
            EventRefusal::NoSessions | EventRefusal::SessionEndsBeforeStart => Some("sessions"),
            EventRefusal::NoTicketTypes | EventRefusal::DuplicateTicketType => Some("ticket_types"),
            EventRefusal::WindowClosed
            | EventRefusal::NotYetOpen { .. }
            | EventRefusal::AlreadyCancelled
            | EventRefusal::NotPaid
            | EventRefusal::AlreadyCheckedIn
            | EventRefusal::EventCancelled
            | EventRefusal::HoldExpired
            | EventRefusal::EventStarted
            | EventRefusal::RefundChanged { .. }
            | EventRefusal::CheckedIn => None,
        }
    }

    /// The request clashes with the event's state as it is (full, closed, already done).
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            EventRefusal::Full
                | EventRefusal::NotEnoughPlaces { .. }
                | EventRefusal::WindowClosed
                | EventRefusal::NotYetOpen { .. }
                | EventRefusal::AlreadyCancelled
                | EventRefusal::NotPaid
                | EventRefusal::AlreadyCheckedIn
                | EventRefusal::PlacesFree
                | EventRefusal::EventCancelled
                | EventRefusal::HoldExpired
                | EventRefusal::EventStarted
                | EventRefusal::RefundChanged { .. }
                | EventRefusal::CheckedIn
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn offered() -> Vec<TicketPrice> {
        vec![
            TicketPrice {
                id: 1,
                name: "Adult".into(),
                price: Pence(800),
            },
            TicketPrice {
                id: 2,
                name: "Child".into(),
                price: Pence(400),
            },
        ]
    }

    fn ask(name: &str, quantity: u32) -> TicketRequest {
        TicketRequest {
            ticket_type: name.into(),
            quantity,
        }
    }

    #[test]
    fn a_family_s_tickets_are_priced_and_counted() {
        let lines = price_lines(&offered(), &[ask("adult", 2), ask("Child", 2), ask("Child", 1)]).unwrap();
        assert_eq!(total(&lines), Pence(2 * 800 + 3 * 400));
        assert_eq!(places(&lines), 5);
        assert_eq!(
            price_lines(&offered(), &[ask("Senior", 1)]),
            Err(EventRefusal::NoSuchTicket { name: "Senior".into() })
        );
        assert_eq!(
            price_lines(&offered(), &[ask("Adult", 0)]),
            Err(EventRefusal::NoTickets)
        );
        assert_eq!(
            price_lines(&offered(), &[ask("Adult", 21)]),
            Err(EventRefusal::TooManyTickets)
        );
    }

    #[test]
    fn capacity_refuses_a_full_event_and_names_what_is_left() {
        assert_eq!(check_places(Some(10), 10, 1), Err(EventRefusal::Full));
        assert_eq!(
            check_places(Some(10), 8, 3),
            Err(EventRefusal::NotEnoughPlaces { left: 2 })
        );
        assert_eq!(check_places(Some(10), 8, 2), Ok(()));
        assert_eq!(check_places(None, 1000, 5), Ok(()));
        assert!(EventRefusal::Full.is_conflict());
    }

    #[test]
    fn bookings_close_the_day_before_the_first_session_or_sooner() {
        let w = BookingWindow {
            opens: Some(date!(2026 - 09 - 01)),
            closes: None,
            first_session: date!(2026 - 12 - 12),
        };
        assert_eq!(
            w.check(date!(2026 - 08 - 31)),
            Err(EventRefusal::NotYetOpen {
                opens: date!(2026 - 09 - 01)
            })
        );
        assert_eq!(w.check(date!(2026 - 12 - 11)), Ok(()));
        assert_eq!(w.check(date!(2026 - 12 - 12)), Err(EventRefusal::WindowClosed));
        let sooner = BookingWindow {
            closes: Some(date!(2026 - 12 - 01)),
            ..w
        };
        assert_eq!(sooner.check(date!(2026 - 12 - 02)), Err(EventRefusal::WindowClosed));
    }

    #[test]
    fn the_waiting_list_is_offered_in_order() {
        let queue = [(1, 2), (2, 3), (3, 1)];
        assert_eq!(waiting_offers(&queue, 2), vec![1]);
        assert_eq!(waiting_offers(&queue, 6), vec![1, 2, 3]);
        // The first in the queue wants three; one free place is not given to the third.
        assert_eq!(waiting_offers(&[(2, 3), (3, 1)], 1), Vec::<i64>::new());
    }

    #[test]
    fn refunds_follow_the_event_s_notice() {
        let first = date!(2026 - 12 - 12);
        assert_eq!(
            refund_due(Pence(2400), date!(2026 - 12 - 05), first, 7, false),
            Pence(2400)
        );
        assert_eq!(
            refund_due(Pence(2400), date!(2026 - 12 - 06), first, 7, false),
            Pence::ZERO
        );
        assert_eq!(
            refund_due(Pence(2400), date!(2026 - 12 - 11), first, 7, true),
            Pence(2400)
        );
    }

    #[test]
    fn the_booker_is_told_the_terms_before_cancelling() {
        let first = date!(2026 - 12 - 12);
        let early = CancelTerms::on(Pence(2400), date!(2026 - 12 - 05), first, 7, false, false).unwrap();
        assert_eq!(early.refund, Pence(2400));
        assert_eq!(
            early.words(),
            "You will be refunded £24.00 in full, to the card you paid with."
        );
        let late = CancelTerms::on(Pence(2400), date!(2026 - 12 - 06), first, 7, false, false).unwrap();
        assert_eq!(late.refund, Pence::ZERO);
        assert!(
            late.words()
                .starts_with("Cancellations are refunded only until Saturday 5 December 2026."),
            "{}",
            late.words()
        );
        assert!(late.words().contains("not be refunded the £24.00"));
        assert_eq!(
            CancelTerms::on(Pence(2400), first, first, 7, false, false),
            Err(EventRefusal::EventStarted)
        );
        // The office may cancel on the day; the hub cancelling refunds everything.
        let hub = CancelTerms::on(Pence(2400), first, first, 7, true, true).unwrap();
        assert_eq!(hub.refund, Pence(2400));
    }

    #[test]
    fn a_hold_lasts_thirty_minutes_and_a_late_payment_is_honoured_only_with_room() {
        let at = time::macros::datetime!(2026-10-05 11:00 UTC);
        assert_eq!(held_until(at), time::macros::datetime!(2026-10-05 11:30 UTC));
        assert_eq!(late_payment(Some(10), 8, 2), LatePayment::Honoured);
        assert_eq!(late_payment(Some(10), 9, 2), LatePayment::Refunded);
        assert_eq!(late_payment(None, 900, 2), LatePayment::Honoured);
    }

    #[test]
    fn a_booking_is_cancelled_once() {
        assert_eq!(BookingStatus::Held.cancel(), Ok(BookingStatus::Cancelled));
        assert_eq!(BookingStatus::Cancelled.cancel(), Err(EventRefusal::AlreadyCancelled));
        assert!(!BookingStatus::Cancelled.holds_places());
        assert_eq!(BookingStatus::Expired.cancel(), Err(EventRefusal::HoldExpired));
        assert!(!BookingStatus::Expired.holds_places());
    }
}
