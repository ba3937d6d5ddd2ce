//! Events and bookings through the store on both backends: 50 people booking the last 10
//! places at once (exactly 10 succeed, never oversold); a held booking confirmed when paid; a
//! cancellation refunded by the event's notice with its place offered to the waiting list in
//! order; check-in once, and a CPD event's attendance in the staff member's CPD record; a
//! guest cancelling through their confirmation's link, refunded once through the provider in
//! time and not after; an unpaid hold running out, its late payment honoured or refunded.
use std::sync::Mutex;

use time::macros::date;
use tutti_domain::Pence;
use tutti_domain::Refusal;
use tutti_domain::clock::Clock;
use tutti_domain::events::{BookingStatus, EventKind, EventRefusal, TicketRequest};
use tutti_store::events::bookings::{Booked, BookingRequest, Channel};
use tutti_store::events::cancelling::Canceller;
use tutti_store::events::waiting::WaitRequest;
use tutti_store::money::payments::provider::{
    BoxFuture, CheckoutRequest, EventKind as ProviderEventKind, HostedCheckout, PaymentProvider, ProviderError,
    ProviderEvent, ProviderRefund, RefundRequest, WebhookError,
};
use tutti_store::platform::audit::Actor;
use tutti_store::testing::world::{a_teacher, an_event};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, StoreError, on_both_backends};

on_both_backends!(
    fifty_people_booking_the_last_ten_places_never_oversell,
    a_cancelled_place_goes_to_the_waiting_list_in_order,
    check_in_is_once_and_cpd_attendance_is_recorded,
    a_guest_cancels_in_time_refunded_once_and_late_without_refund,
    an_unpaid_hold_runs_out_and_a_late_payment_is_honoured_or_refunded,
    a_run_out_hold_goes_to_the_waiting_list_and_paying_a_cancelled_event_is_refunded,
);

const DAY: time::Date = date!(2026 - 10 - 05);

async fn hub(backend: TestBackend) -> Option<(Store, TestDatabase)> {
    let db = TestDatabase::create(backend).await?;
    let store = Store::connect(&db.url).await.unwrap().with_clock(Clock::on(DAY));
    store.migrate().await.unwrap();
    Some((store, db))
}

fn request(event_id: i64, who: &str, ticket: &str, quantity: u32, channel: Channel) -> BookingRequest {
    BookingRequest {
        event_id,
        session_id: None,
        name: format!("{who} Booker"),
        email: format!("{who}@test.example"),
        tickets: vec![TicketRequest {
            ticket_type: ticket.into(),
            quantity,
        }],
        channel,
        site_url: "http://hub.test".into(),
    }
}

fn refusal(e: StoreError) -> EventRefusal {
    match e {
        StoreError::Refused(Refusal::Events(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn fifty_people_booking_the_last_ten_places_never_oversell(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let event = an_event().capacity(40).create(&store).await;
    // 30 of the 40 places go first.
    for i in 0..3 {
        store
            .book_event(
                &Actor::cli(),
                &request(event, &format!("early{i}"), "Adult", 10, Channel::Guest),
            )
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for i in 0..50 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .book_event(
                    &Actor::cli(),
                    &request(event, &format!("rush{i}"), "Child", 1, Channel::Guest),
                )
                .await
        }));
    }
    let (mut booked, mut full) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => booked += 1,
            Err(e) => {
                assert_eq!(refusal(e), EventRefusal::Full);
                full += 1;
            }
        }
    }
    assert_eq!((booked, full), (10, 40));
    let detail = store.event(event).await.unwrap().unwrap();
    assert_eq!((detail.taken, detail.left), (40, Some(0)));
    let held: u32 = store
        .event_bookings(event)
        .await
        .unwrap()
        .iter()
        .filter(|b| b.status.holds_places())
        .map(|b| b.places)
        .sum();
    assert_eq!(held, 40, "never oversold");
}

async fn a_cancelled_place_goes_to_the_waiting_list_in_order(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let event = an_event().capacity(3).in_days(30).create(&store).await;
    let first = store
        .book_event(&Actor::cli(), &request(event, "ann", "Adult", 1, Channel::Guest))
        .await
        .unwrap();
    assert_eq!(first.status, BookingStatus::Held);
    assert_eq!(first.total, Pence(800));
    let free = store
        .book_event(&Actor::cli(), &request(event, "bob", "Child", 2, Channel::Guest))
        .await
        .unwrap();
    assert_eq!(free.total, Pence(800));
    let err = store
        .book_event(&Actor::cli(), &request(event, "cat", "Adult", 1, Channel::Guest))
        .await
        .unwrap_err();
    assert_eq!(refusal(err), EventRefusal::Full);

    // Waiting while places are free is refused; when full, two wait in order.
    let wait = |who: &str, places: u32| WaitRequest {
        event_id: event,
        session_id: None,
        name: format!("{who} Waiter"),
        email: format!("{who}@test.example"),
        places,
        site_url: "http://hub.test".into(),
    };
    store.join_waiting_list(&Actor::cli(), &wait("dee", 2)).await.unwrap();
    store.join_waiting_list(&Actor::cli(), &wait("eve", 1)).await.unwrap();

    // Ann cancels a month ahead: refunded what she paid (nothing yet: held), her one place goes
    // to nobody, since Dee (first) wants two and Eve is not passed ahead of her.
    store
        .cancel_booking(&Actor::cli(), first.id, Canceller::Booker, None)
        .await
        .unwrap();
    let list = store.waiting_list(event).await.unwrap();
    assert_eq!(
        list.iter().map(|w| w.status.as_str()).collect::<Vec<_>>(),
        ["waiting", "waiting"]
    );
    // Bob cancels too: three free, Dee is offered two and Eve one, each told by email.
    store
        .cancel_booking(&Actor::cli(), free.id, Canceller::Booker, None)
        .await
        .unwrap();
    let list = store.waiting_list(event).await.unwrap();
    assert_eq!(
        list.iter().map(|w| w.status.as_str()).collect::<Vec<_>>(),
        ["offered", "offered"]
    );
    let (mail, _) = store.outbox_page(Some("dee@test.example"), 1, 10).await.unwrap();
    assert!(mail[0].subject.starts_with("A place has come free"), "{mail:?}");
    assert!(mail[0].body.contains("http://hub.test/events/"));
    // The offered places are held for them: nobody else can book them, Dee can.
    let err = store
        .book_event(&Actor::cli(), &request(event, "fay", "Adult", 1, Channel::Guest))
        .await
        .unwrap_err();
    assert_eq!(refusal(err), EventRefusal::Full);
    store
        .book_event(&Actor::cli(), &request(event, "dee", "Adult", 2, Channel::Guest))
        .await
        .unwrap();
    let list = store.waiting_list(event).await.unwrap();
    assert_eq!(list[0].status, "booked");
    // Cancelling twice is refused.
    let err = store
        .cancel_booking(&Actor::cli(), first.id, Canceller::Booker, None)
        .await
        .unwrap_err();
    assert_eq!(refusal(err), EventRefusal::AlreadyCancelled);
}

async fn check_in_is_once_and_cpd_attendance_is_recorded(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let teacher = a_teacher().create(&store).await;
    let event = an_event()
        .kind(EventKind::Cpd)
        .free()
        .titled("Singing in the classroom")
        .create(&store)
        .await;
    let mut req = request(event, "x", "Free", 1, Channel::Guest);
    req.email = teacher.staff.email.clone();
    let booked = store.book_event(&Actor::cli(), &req).await.unwrap();
    assert_eq!(booked.status, BookingStatus::Confirmed, "free: confirmed at once");
    let (mail, _) = store.outbox_page(Some(&teacher.staff.email), 1, 10).await.unwrap();
    assert!(
        mail.iter().any(|m| m.body.contains(&booked.reference)
            && m.body
                .contains(&format!("http://hub.test/events/tickets/{}", booked.reference))),
        "{mail:?}"
    );
    let other = an_event().create(&store).await;
    assert!(matches!(
        store.check_in(&Actor::cli(), other, &booked.reference).await,
        Err(StoreError::NotFound)
    ));
    let b = store
        .check_in(&Actor::cli(), event, &booked.reference.to_lowercase())
        .await
        .unwrap();
    assert!(b.checked_in_at.is_some());
    let err = store
        .check_in(&Actor::cli(), event, &booked.reference)
        .await
        .unwrap_err();
    assert_eq!(refusal(err), EventRefusal::AlreadyCheckedIn);
    let cpd = store.cpd_records(teacher.staff.id).await.unwrap();
    assert_eq!(cpd.len(), 1);
    assert_eq!(
        (cpd[0].title.as_str(), cpd[0].minutes),
        ("Singing in the classroom", 90)
    );
}

/// A card provider for the store's tests: it counts every refund asked of it, so a test sees
/// the store ask once. (The web's test mode is the same trait over HTTP.)
#[derive(Default)]
struct CountingProvider {
    refunds: Mutex<Vec<RefundRequest>>,
}

impl PaymentProvider for CountingProvider {
    fn name(&self) -> &'static str {
        "test"
    }
    fn create_checkout<'a>(&'a self, _: &'a CheckoutRequest) -> BoxFuture<'a, Result<HostedCheckout, ProviderError>> {
        Box::pin(async { Err(ProviderError::Refused("not in these tests".into())) })
    }
    fn refund<'a>(&'a self, request: &'a RefundRequest) -> BoxFuture<'a, Result<ProviderRefund, ProviderError>> {
        Box::pin(async move {
            let mut made = self.refunds.lock().unwrap();
            made.push(request.clone());
            Ok(ProviderRefund {
                id: format!("re_{}", made.len()),
            })
        })
    }
    fn verify_webhook(&self, _: &str, _: &[u8], _: time::OffsetDateTime) -> Result<ProviderEvent, WebhookError> {
        Err(WebhookError::MissingSignature)
    }
}

/// Opens the card checkout of a guest's held booking, as the provider's page would be.
async fn open_checkout(store: &Store, booked: &Booked) -> tutti_store::money::payments::Checkout {
    let c = store
        .open_guest_checkout(booked.basket_item.unwrap(), "test")
        .await
        .unwrap();
    store.set_checkout_session(c.id, &format!("cs_{}", c.id)).await.unwrap();
    c
}

/// The provider says the checkout was paid.
async fn paid(store: &Store, c: &tutti_store::money::payments::Checkout) {
    store
        .apply_provider_event(
            "test",
            &ProviderEvent {
                id: format!("evt_{}", c.id),
                kind: ProviderEventKind::CheckoutCompleted {
                    session_id: format!("cs_{}", c.id),
                    reference: c.reference.clone(),
                    amount: Pence(c.amount_pence),
                },
            },
        )
        .await
        .unwrap();
}

async fn a_guest_cancels_in_time_refunded_once_and_late_without_refund(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let provider = CountingProvider::default();
    // A month ahead, refunded in full until a week before.
    let event = an_event().capacity(3).in_days(30).create(&store).await;
    let ann = store
        .book_event(&Actor::cli(), &request(event, "ann", "Adult", 2, Channel::Guest))
        .await
        .unwrap();
    let checkout = open_checkout(&store, &ann).await;
    paid(&store, &checkout).await;
    let b = store.booking(ann.id).await.unwrap().unwrap();
    assert_eq!((b.status, b.paid), (BookingStatus::Confirmed, Pence(1600)));

    // The confirmation carries the cancellation link: the reference and a token. The
    // reference alone, or a wrong token, finds nothing.
    let (mail, _) = store.outbox_page(Some("ann@test.example"), 1, 10).await.unwrap();
    let marker = format!("http://hub.test/events/tickets/{}/cancel/", ann.reference);
    let at = mail[0].body.find(&marker).unwrap_or_else(|| panic!("{}", mail[0].body)) + marker.len();
    let token: String = mail[0].body[at..].chars().take_while(|c| !c.is_whitespace()).collect();
    assert!(
        mail[0]
            .body
            .contains("Cancellations until Wednesday 28 October 2026 are refunded in full")
    );
    for wrong in ["", "not-the-token"] {
        assert!(matches!(
            store.booking_by_token(&ann.reference, wrong).await,
            Err(StoreError::NotFound)
        ));
    }
    let found = store.booking_by_token(&ann.reference, &token).await.unwrap();
    assert_eq!(found.id, ann.id);
    let terms = store.cancel_terms(&found, Canceller::Booker).await.unwrap();
    assert_eq!(terms.refund, Pence(1600));

    let done = store
        .cancel_booking(&Actor::cli(), ann.id, Canceller::Booker, Some(Pence(1600)))
        .await
        .unwrap();
    assert_eq!((done.refund, done.by_card), (Pence(1600), true));
    // Paid back once, however often asked; asking to cancel again is refused.
    assert_eq!(store.pay_refunds(&provider, None).await.unwrap().refunded, 1);
    assert_eq!(store.pay_refunds(&provider, None).await.unwrap().refunded, 0);
    let err = store
        .cancel_booking(&Actor::cli(), ann.id, Canceller::Booker, Some(Pence(1600)))
        .await
        .unwrap_err();
    assert_eq!(refusal(err), EventRefusal::AlreadyCancelled);
    assert_eq!(store.pay_refunds(&provider, Some(ann.id)).await.unwrap().refunded, 0);
    {
        let made = provider.refunds.lock().unwrap();
        assert_eq!(made.len(), 1, "one refund through the provider");
        assert_eq!(
            (made[0].amount, made[0].session_id.clone()),
            (Pence(1600), format!("cs_{}", checkout.id))
        );
    }
    let refund = store.booking_refund(ann.id).await.unwrap().unwrap();
    assert_eq!((refund.status.as_str(), refund.amount_pence), ("refunded", 1600));
    let b = store.booking(ann.id).await.unwrap().unwrap();
    assert_eq!(
        (b.status, b.refund, b.refund_status.as_deref()),
        (BookingStatus::Cancelled, Pence(1600), Some("refunded"))
    );
    let (mail, _) = store.outbox_page(Some("ann@test.example"), 1, 10).await.unwrap();
    assert!(
        mail.iter()
            .any(|m| m.subject.starts_with("Booking cancelled") && m.body.contains("£16.00 is being refunded"))
    );

    // Bob books and pays, then cancels five days before: no refund, and he is told so first.
    let bob = store
        .book_event(&Actor::cli(), &request(event, "bob", "Child", 1, Channel::Guest))
        .await
        .unwrap();
    paid(&store, &open_checkout(&store, &bob).await).await;
    store.clock().advance(time::Duration::days(25));
    let b = store.booking(bob.id).await.unwrap().unwrap();
    let terms = store.cancel_terms(&b, Canceller::Booker).await.unwrap();
    assert_eq!(terms.refund, Pence::ZERO);
    assert!(
        terms.words().contains("you will not be refunded the £4.00"),
        "{}",
        terms.words()
    );
    // Shown a refund that is no longer due: refused, nothing changed.
    let err = store
        .cancel_booking(&Actor::cli(), bob.id, Canceller::Booker, Some(Pence(400)))
        .await
        .unwrap_err();
    assert_eq!(refusal(err), EventRefusal::RefundChanged { refund: Pence::ZERO });
    assert_eq!(
        store.booking(bob.id).await.unwrap().unwrap().status,
        BookingStatus::Confirmed
    );
    let done = store
        .cancel_booking(&Actor::cli(), bob.id, Canceller::Booker, Some(Pence::ZERO))
        .await
        .unwrap();
    assert_eq!((done.refund, done.by_card), (Pence::ZERO, false));
    assert!(store.booking_refund(bob.id).await.unwrap().is_none());
    assert_eq!(
        store.event(event).await.unwrap().unwrap().taken,
        0,
        "the places are free"
    );
    assert_eq!(provider.refunds.lock().unwrap().len(), 1);
}

async fn an_unpaid_hold_runs_out_and_a_late_payment_is_honoured_or_refunded(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let provider = CountingProvider::default();
    let event = an_event().capacity(2).create(&store).await;
    // Ann holds both places and goes to pay, but does not finish.
    let ann = store
        .book_event(&Actor::cli(), &request(event, "ann", "Adult", 2, Channel::Guest))
        .await
        .unwrap();
    let ann_checkout = open_checkout(&store, &ann).await;
    let err = store
        .book_event(&Actor::cli(), &request(event, "bob", "Adult", 2, Channel::Guest))
        .await
        .unwrap_err();
    assert_eq!(refusal(err), EventRefusal::Full);
    // 29 minutes on the places are still held; at 30 they are free, and Bob books them.
    store.clock().advance(time::Duration::minutes(29));
    let err = store
        .book_event(&Actor::cli(), &request(event, "bob", "Adult", 2, Channel::Guest))
        .await
        .unwrap_err();
    assert_eq!(refusal(err), EventRefusal::Full);
    store.clock().advance(time::Duration::minutes(1));
    let bob = store
        .book_event(&Actor::cli(), &request(event, "bob", "Adult", 2, Channel::Guest))
        .await
        .unwrap();
    let a = store.booking(ann.id).await.unwrap().unwrap();
    assert_eq!(a.status, BookingStatus::Expired);
    assert_eq!(
        refusal(store.check_in(&Actor::cli(), event, &ann.reference).await.unwrap_err()),
        EventRefusal::HoldExpired
    );
    // Ann's payment arrives late, the places gone: refunded in full, and she is told.
    paid(&store, &ann_checkout).await;
    let a = store.booking(ann.id).await.unwrap().unwrap();
    assert_eq!(
        (a.status, a.paid, a.refund),
        (BookingStatus::Cancelled, Pence(1600), Pence(1600))
    );
    assert_eq!(store.pay_refunds(&provider, None).await.unwrap().refunded, 1);
    let (mail, _) = store.outbox_page(Some("ann@test.example"), 1, 10).await.unwrap();
    assert!(
        mail.iter().any(|m| m.subject.starts_with("Payment refunded")),
        "{mail:?}"
    );
    assert_eq!(
        store.booking(bob.id).await.unwrap().unwrap().status,
        BookingStatus::Held
    );

    // Cat's hold on another event runs out and the sweep frees it; her late payment finds the
    // place still free, so it is honoured.
    let other = an_event().capacity(3).create(&store).await;
    let cat = store
        .book_event(&Actor::cli(), &request(other, "cat", "Child", 1, Channel::Guest))
        .await
        .unwrap();
    let cat_checkout = open_checkout(&store, &cat).await;
    store.clock().advance(time::Duration::minutes(31));
    assert!(store.expire_holds().await.unwrap() >= 1);
    assert_eq!(
        store.expire_holds().await.unwrap(),
        0,
        "the sweep changes nothing twice"
    );
    assert_eq!(
        store.booking(cat.id).await.unwrap().unwrap().status,
        BookingStatus::Expired
    );
    assert_eq!(store.event(other).await.unwrap().unwrap().taken, 0);
    paid(&store, &cat_checkout).await;
    let c = store.booking(cat.id).await.unwrap().unwrap();
    assert_eq!(
        (c.status, c.paid, c.refund),
        (BookingStatus::Confirmed, Pence(400), Pence::ZERO)
    );
    assert_eq!(provider.refunds.lock().unwrap().len(), 1, "only Ann's");
}

async fn a_run_out_hold_goes_to_the_waiting_list_and_paying_a_cancelled_event_is_refunded(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let provider = CountingProvider::default();
    // One place, held by Ann; Bob waits for it and is offered it when her hold runs out.
    let event = an_event().capacity(1).create(&store).await;
    let ann = store
        .book_event(&Actor::cli(), &request(event, "ann", "Adult", 1, Channel::Guest))
        .await
        .unwrap();
    store
        .join_waiting_list(
            &Actor::cli(),
            &WaitRequest {
                event_id: event,
                session_id: None,
                name: "Bob Waiter".into(),
                email: "bob@test.example".into(),
                places: 1,
                site_url: "http://hub.test".into(),
            },
        )
        .await
        .unwrap();
    store.clock().advance(time::Duration::minutes(30));
    assert_eq!(store.expire_holds().await.unwrap(), 1);
    assert_eq!(
        store.booking(ann.id).await.unwrap().unwrap().status,
        BookingStatus::Expired
    );
    assert_eq!(store.waiting_list(event).await.unwrap()[0].status, "offered");
    // The offer holds the place: a newcomer finds it full.
    let err = store
        .book_event(&Actor::cli(), &request(event, "cat", "Adult", 1, Channel::Guest))
        .await
        .unwrap_err();
    assert_eq!(refusal(err), EventRefusal::Full);

    // Dee is paying when the hub cancels the event: her payment is refunded in full.
    let other = an_event().create(&store).await;
    let dee = store
        .book_event(&Actor::cli(), &request(other, "dee", "Adult", 1, Channel::Guest))
        .await
        .unwrap();
    let checkout = open_checkout(&store, &dee).await;
    store.cancel_event(&Actor::cli(), other).await.unwrap();
    paid(&store, &checkout).await;
    let d = store.booking(dee.id).await.unwrap().unwrap();
    assert_eq!(
        (d.status, d.paid, d.refund),
        (BookingStatus::Cancelled, Pence(800), Pence(800))
    );
    assert_eq!(store.pay_refunds(&provider, None).await.unwrap().refunded, 1);
    assert_eq!(store.booking_refund(dee.id).await.unwrap().unwrap().status, "refunded");
}
