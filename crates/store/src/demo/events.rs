//! The demo hub's events: one of every kind (a family concert, an early-years series with
//! places per session, a half-term course, a summer school not yet open for booking, CPD for
//! school staff and for the hub's own teachers, a come-and-try workshop that is full with a
//! waiting list), bookings made every way (guests, the office on someone's behalf, the demo
//! parent's held in their basket), and donations with and without Gift Aid.
use time::{Date, Duration};
use tutti_domain::Pence;
use tutti_domain::events::{EventAudience, EventKind, TicketRequest};

use crate::error::Result;
use crate::events::NewEvent;
use crate::events::bookings::{BookingRequest, Channel};
use crate::platform::audit::Actor;
use crate::query::exec;
use crate::{Store, now};

/// The address bookings' links point at: the server's default.
const SITE: &str = "http://127.0.0.1:8080";

// The demo's events read best as one call each with every fact in order.
#[allow(clippy::too_many_arguments)]
fn event(
    title: &str,
    kind: EventKind,
    audience: EventAudience,
    detail: &str,
    venue: &str,
    capacity: Option<u32>,
    sessions: Vec<(Date, u16, u16)>,
    tickets: &[(&str, i64)],
) -> NewEvent {
    NewEvent {
        title: title.into(),
        kind,
        audience,
        audience_detail: detail.into(),
        summary: format!("{title}: {}.", kind.label().to_lowercase()),
        venue: venue.into(),
        postcode: "DH1 3LE".into(),
        capacity,
        capacity_per_session: false,
        booking_opens: None,
        booking_closes: None,
        refund_days: 7,
        sessions,
        tickets: tickets.iter().map(|(n, p)| ((*n).to_owned(), Pence(*p))).collect(),
    }
}

fn request(event_id: i64, name: &str, tickets: &[(&str, u32)], channel: Channel) -> BookingRequest {
    BookingRequest {
        event_id,
        session_id: None,
        name: name.into(),
        email: format!("{}@demo.test", name.to_lowercase().replace(' ', ".")),
        tickets: tickets
            .iter()
            .map(|(t, q)| TicketRequest {
                ticket_type: (*t).into(),
                quantity: *q,
            })
            .collect(),
        channel,
        site_url: SITE.into(),
    }
}

/// Seeds the events, relative to `today`. `parent` is the demo parent's account.
pub(super) async fn seed(store: &Store, today: Date, parent: Option<i64>, office: Option<i64>) -> Result<()> {
    let actor = Actor {
        user_id: None,
        name: "demo seed".into(),
        ip: "local".into(),
    };
    let day = |n: i64| today + Duration::days(n);
    let (afternoon, morning, day_long) = ((14 * 60, 15 * 60 + 30), (10 * 60, 11 * 60), (9 * 60 + 30, 15 * 60 + 30));
    let concert = store
        .create_event(
            &actor,
            &event(
                "Family Christmas concert",
                EventKind::Concert,
                EventAudience::Families,
                "All ages",
                "Durham Town Hall",
                Some(200),
                vec![(day(20), afternoon.0, afternoon.1)],
                &[("Adult", 800), ("Child", 400), ("Under 5", 0)],
            ),
        )
        .await?;
    let mut little = event(
        "Little Notes: music for under-fives",
        EventKind::EarlyYears,
        EventAudience::Families,
        "Ages 0 to 5 with a grown-up",
        "Chester-le-Street Library",
        Some(15),
        (0..6).map(|w| (day(7 + 7 * w), morning.0, morning.1)).collect(),
        &[("Child and grown-up", 500)],
    );
    little.capacity_per_session = true;
    store.create_event(&actor, &little).await?;
    let course = store
        .create_event(
            &actor,
            &event(
                "Half-term strings course",
                EventKind::HolidayCourse,
                EventAudience::Pupils,
                "Grade 1 to grade 5",
                "Durham Music Centre",
                Some(30),
                (0..5).map(|d| (day(30 + d), day_long.0, day_long.1)).collect(),
                &[("Pupil", 6000), ("Free school meals", 0)],
            ),
        )
        .await?;
    let mut summer = event(
        "Summer school",
        EventKind::SummerSchool,
        EventAudience::Pupils,
        "Ages 11 to 18, grade 3 and above",
        "Durham Music Centre",
        Some(80),
        (0..5).map(|d| (day(200 + d), day_long.0, day_long.1)).collect(),
        &[("Pupil", 12000), ("Free school meals", 0)],
    );
    summer.booking_opens = Some(day(60));
    store.create_event(&actor, &summer).await?;
    let cpd = store
        .create_event(
            &actor,
            &event(
                "Singing in the classroom",
                EventKind::Cpd,
                EventAudience::SchoolStaff,
                "Primary teachers and teaching assistants",
                "Durham Music Centre",
                Some(25),
                vec![(day(14), 13 * 60 + 30, 16 * 60)],
                &[("Free", 0)],
            ),
        )
        .await?;
    store
        .create_event(
            &actor,
            &event(
                "Teachers' day: ukulele in whole-class teaching",
                EventKind::Cpd,
                EventAudience::HubStaff,
                "The hub's teachers",
                "Durham Music Centre",
                None,
                vec![(day(21), day_long.0, day_long.1)],
                &[("Free", 0)],
            ),
        )
        .await?;
    let brass = store
        .create_event(
            &actor,
            &event(
                "Come and try brass",
                EventKind::Workshop,
                EventAudience::Pupils,
                "Years 3 to 6",
                "Seaham Academy",
                Some(4),
                vec![(day(10), afternoon.0, afternoon.1)],
                &[("Free", 0)],
            ),
        )
        .await?;

    for (name, tickets) in [
        ("Alex Reed", &[("Adult", 2), ("Child", 2)][..]),
        ("Priya Shah", &[("Adult", 1), ("Child", 1), ("Under 5", 1)][..]),
    ] {
        let channel = office.map(Channel::Office).unwrap_or(Channel::Guest);
        store
            .book_event(&actor, &request(concert, name, tickets, channel))
            .await?;
    }
    if let Some(parent) = parent {
        // Held in the demo parent's basket, waiting for them to pay.
        let mut held = request(
            concert,
            "Demo Parent",
            &[("Adult", 1), ("Child", 1)],
            Channel::Account(parent),
        );
        held.email = "parent@demo.test".into();
        store.book_event(&actor, &held).await?;
    }
    if let Some(office) = office {
        store
            .book_event(
                &actor,
                &request(course, "Jo Marsh", &[("Pupil", 1)], Channel::Office(office)),
            )
            .await?;
    }
    store
        .book_event(
            &actor,
            &request(course, "Sam Kerr", &[("Free school meals", 1)], Channel::Guest),
        )
        .await?;
    store
        .book_event(&actor, &request(cpd, "Helen Ward", &[("Free", 1)], Channel::Guest))
        .await?;
    store
        .book_event(&actor, &request(brass, "Tom Bell", &[("Free", 4)], Channel::Guest))
        .await?;
    store
        .join_waiting_list(
            &actor,
            &crate::events::waiting::WaitRequest {
                event_id: brass,
                session_id: None,
                name: "Ruth Hall".into(),
                email: "ruth.hall@demo.test".into(),
                places: 1,
                site_url: SITE.into(),
            },
        )
        .await?;

    // Donations, paid: with Gift Aid (one over £20, two small ones) and without.
    let txn = store.write().await?;
    let payer = crate::events::bookings::guest_payer(&txn).await?;
    for (pence, gift_aid, name, address) in [
        (5000_i64, true, "Mrs Margaret Hughes", "12 Elvet Bridge, Durham"),
        (1000, true, "Peter Dodds", "Rose Cottage, Mill Lane, Brancepeth"),
        (2000, true, "Dr Ann Lowe", "4 South Street, Durham"),
        (2500, false, "", ""),
    ] {
        exec(
            &txn,
            "INSERT INTO donations (user_id, amount_pence, gift_aid, donor_name, home_address, postcode, declared_at, \
             status, checkout_id, paid_at, created_at, donor_email) VALUES (?, ?, ?, ?, ?, ?, ?, 'paid', NULL, ?, ?, ?)",
            vec![
                payer.into(),
                pence.into(),
                gift_aid.into(),
                name.into(),
                address.into(),
                if gift_aid { "DH1 3LE" } else { "" }.into(),
                gift_aid.then(now).into(),
                now().into(),
                now().into(),
                "donor@demo.test".into(),
            ],
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Services for schools: the catalogue, and an order from the demo school waiting for the office.
pub(super) async fn seed_services(store: &Store, today: Date, school: Option<i64>) -> Result<()> {
    use crate::money::payments::services::NewPackage;
    use tutti_domain::services::PackageKind;
    let actor = Actor {
        user_id: None,
        name: "demo seed".into(),
        ip: "local".into(),
    };
    let mut first = None;
    for (name, kind, pence, sessions, subsidies) in [
        (
            "Whole-class ukulele",
            PackageKind::Wcet,
            300_000,
            33,
            vec![("primary", 50), ("maintained", 20)],
        ),
        (
            "Singing strategy",
            PackageKind::Singing,
            120_000,
            10,
            vec![("primary", 25)],
        ),
        ("Music CPD day", PackageKind::CpdDay, 45_000, 1, vec![]),
        (
            "Class set of instruments",
            PackageKind::InstrumentLoans,
            60_000,
            1,
            vec![("special", 100)],
        ),
        (
            "Curriculum support visit",
            PackageKind::CurriculumSupport,
            30_000,
            3,
            vec![],
        ),
    ] {
        let id = store
            .create_package(
                &actor,
                &NewPackage {
                    name: name.into(),
                    kind,
                    description: String::new(),
                    price: Pence(pence),
                    sessions,
                    subsidies: subsidies.iter().map(|(a, p)| ((*a).to_owned(), *p)).collect(),
                },
            )
            .await?;
        first.get_or_insert(id);
    }
    if let (Some(school), Some(package)) = (school, first) {
        let next = tutti_domain::calendar::AcademicYear::containing(today);
        let next = tutti_domain::calendar::AcademicYear::starting(next.start_year() + 1);
        store.order_package(&actor, school, package, next).await?;
    }
    Ok(())
}
