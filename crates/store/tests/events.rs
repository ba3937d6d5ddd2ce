//! Events and bookings through the store on both backends: 50 people booking the last 10
//! places at once (exactly 10 succeed, never oversold); a held booking confirmed when paid; a
//! cancellation refunded by the event's notice with its place offered to the waiting list in
//! order; check-in once, and a CPD event's attendance in the staff member's CPD record.
use time::macros::date;
use tutti_domain::Pence;
use tutti_domain::Refusal;
use tutti_domain::clock::Clock;
use tutti_domain::events::{BookingStatus, EventKind, EventRefusal, TicketRequest};
use tutti_store::events::bookings::{BookingRequest, Channel};
use tutti_store::events::waiting::WaitRequest;
use tutti_store::platform::audit::Actor;
use tutti_store::testing::world::{a_teacher, an_event};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, StoreError, on_both_backends};

on_both_backends!(
    fifty_people_booking_the_last_ten_places_never_oversell,
    a_cancelled_place_goes_to_the_waiting_list_in_order,
    check_in_is_once_and_cpd_attendance_is_recorded,
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
    store.cancel_booking(&Actor::cli(), first.id, false).await.unwrap();
    let list = store.waiting_list(event).await.unwrap();
    assert_eq!(
        list.iter().map(|w| w.status.as_str()).collect::<Vec<_>>(),
        ["waiting", "waiting"]
    );
    // Bob cancels too: three free, Dee is offered two and Eve one, each told by email.
    store.cancel_booking(&Actor::cli(), free.id, false).await.unwrap();
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
    let err = store.cancel_booking(&Actor::cli(), first.id, false).await.unwrap_err();
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
