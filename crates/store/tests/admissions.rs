//! Admissions through the store on both backends: the SQL that numbers a waiting list gives
//! the same order as the domain's rule, for every priority setting, page by page; and the
//! demo hub's own waiting lists and offers.
use sea_orm::ConnectionTrait;
use time::OffsetDateTime;
use time::macros::date;
use tutti_domain::admissions::{ApplicationSource, TuitionChoice, WaitingEntry, WaitingPriority, waiting_order};
use tutti_domain::clock::Clock;
use tutti_domain::lessons::LessonType;
use tutti_store::admissions::applications::{ApplicationFilter, NewApplication};
use tutti_store::demo::DemoSize;
use tutti_store::platform::audit::Actor;
use tutti_store::records::pupils::PupilScope;
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

on_both_backends!(
    waiting_list_places_follow_the_domain_rule,
    a_demo_hub_has_waiting_lists_in_priority_order_and_offers
);

async fn waiting_list_places_follow_the_domain_rule(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 16)));
    store.migrate().await.unwrap();
    store.seed_demo(1, DemoSize::SMALL).await.unwrap();
    let pupils: Vec<i64> = store
        .list_pupils(
            &PupilScope::School(1),
            &tutti_store::listing::ListQuery {
                per_page: 200,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .rows
        .iter()
        .map(|p| p.id)
        .collect();
    assert!(pupils.len() >= 14, "enough pupils at school 1");
    let base = OffsetDateTime::now_utc().unix_timestamp() - 100_000;
    let mut ids = Vec::new();
    for (i, pupil) in pupils.iter().enumerate() {
        let applied = store
            .apply(
                &Actor::cli(),
                &PupilScope::All,
                &NewApplication {
                    pupil_id: *pupil,
                    choice: TuitionChoice {
                        instrument: if i % 2 == 0 { "Flute" } else { "flute" }.into(),
                        lesson_type: LessonType::Group,
                        minutes: 30,
                    },
                    source: ApplicationSource::Admin,
                },
            )
            .await;
        // A child already learning the flute cannot apply for it again.
        let Ok(id) = applied else { continue };
        ids.push(id);
        // Flags and times in a scrambled pattern; some times shared, so the id decides.
        let (looked_after, fsm) = (i % 5 == 1, i % 3 == 0);
        let at = base + ((i * 7) % 11) as i64 * 60;
        let stamp = OffsetDateTime::from_unix_timestamp(at).unwrap();
        let sql = format!(
            "UPDATE pupils SET looked_after = {looked_after}, fsm = {fsm} WHERE id = {pupil}; \
             UPDATE applications SET applied_at = '{}' WHERE id = {id}",
            stamp.format(&time::format_description::well_known::Rfc3339).unwrap()
        );
        for one in sql.split("; ") {
            store.conn().execute_unprepared(one).await.unwrap();
        }
    }
    for priority in WaitingPriority::ALL {
        store.set_waiting_priority(&Actor::cli(), *priority).await.unwrap();
        let filter = |page, per_page| ApplicationFilter {
            school_id: Some(1),
            instrument: "FLUTE".into(),
            status: "waiting".into(),
            waiting_order: true,
            page,
            per_page,
            ..Default::default()
        };
        let all = store
            .applications(&PupilScope::All, &filter(1, 200), store.today())
            .await
            .unwrap();
        assert!(ids.len() >= 10);
        assert_eq!(all.total as usize, ids.len());
        let places: Vec<i64> = all.rows.iter().map(|a| a.place.unwrap()).collect();
        assert_eq!(places, (1..=ids.len() as i64).collect::<Vec<_>>());
        let mut expected: Vec<WaitingEntry> = all
            .rows
            .iter()
            .map(|a| WaitingEntry {
                application_id: a.id,
                applied_at: a.applied_at.unix_timestamp(),
                looked_after: a.looked_after,
                free_school_meals: a.fsm,
            })
            .collect();
        waiting_order(&mut expected, *priority);
        let got: Vec<i64> = all.rows.iter().map(|a| a.id).collect();
        let want: Vec<i64> = expected.iter().map(|e| e.application_id).collect();
        assert_eq!(got, want, "{priority}");
        let second = store
            .applications(&PupilScope::All, &filter(2, 5), store.today())
            .await
            .unwrap();
        let got: Vec<i64> = second.rows.iter().map(|a| a.id).collect();
        assert_eq!(got, want[5..10].to_vec(), "page 2 of {priority}");
        assert_eq!(second.rows[0].place, Some(6));
    }
}

/// A hub of 1,500 pupils (the demo's lists start at 1,000; the tests' small hub has none).
async fn a_demo_hub_has_waiting_lists_in_priority_order_and_offers(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 16)));
    store.migrate().await.unwrap();
    let size = DemoSize {
        schools: 40,
        teachers: 12,
        pupils: 1_500,
    };
    store.seed_demo(3, size).await.unwrap();
    let all = |status: &str| ApplicationFilter {
        status: status.into(),
        waiting_order: true,
        per_page: 1_000,
        page: 1,
        ..Default::default()
    };
    let waiting = store
        .applications(&PupilScope::All, &all("waiting"), store.today())
        .await
        .unwrap()
        .rows;
    assert!(waiting.len() >= 40, "{} waiting", waiting.len());
    let lists: std::collections::BTreeSet<(i64, String)> =
        waiting.iter().map(|a| (a.school_id, a.instrument.clone())).collect();
    let schools: std::collections::BTreeSet<i64> = lists.iter().map(|l| l.0).collect();
    assert!(schools.len() >= 6 && schools.contains(&1), "{schools:?}");
    assert!(lists.len() >= 20, "{lists:?}");
    assert!(waiting.iter().any(|a| a.fsm) && waiting.iter().any(|a| a.looked_after));
    assert!(waiting.iter().any(|a| a.source == "school" && a.school_paid));
    // Each list is numbered 1, 2, ... in the domain's order, and somewhere a child with
    // priority is ahead of one who applied earlier: the order is not just by date.
    let mut jumped = false;
    for (school, instrument) in &lists {
        let list: Vec<_> = waiting
            .iter()
            .filter(|a| a.school_id == *school && &a.instrument == instrument)
            .collect();
        let places: Vec<i64> = list.iter().map(|a| a.place.unwrap()).collect();
        assert_eq!(places, (1..=list.len() as i64).collect::<Vec<_>>());
        let mut entries: Vec<WaitingEntry> = list
            .iter()
            .map(|a| WaitingEntry {
                application_id: a.id,
                applied_at: a.applied_at.unix_timestamp(),
                looked_after: a.looked_after,
                free_school_meals: a.fsm,
            })
            .collect();
        waiting_order(&mut entries, WaitingPriority::default());
        assert_eq!(
            entries.iter().map(|e| e.application_id).collect::<Vec<_>>(),
            list.iter().map(|a| a.id).collect::<Vec<_>>()
        );
        jumped |= list.windows(2).any(|w| w[0].applied_at > w[1].applied_at);
    }
    assert!(jumped, "priority puts someone ahead of an earlier application");
    // Offers awaiting an answer, one of them to the demo parent's child.
    let offered = store
        .applications(&PupilScope::All, &all("offered"), store.today())
        .await
        .unwrap()
        .rows;
    assert!(offered.len() >= 3, "{} offers", offered.len());
    assert!(offered.iter().all(|a| a.offer_expires_on.unwrap() > store.today()));
    assert!(offered.iter().any(|a| a.pupil_id == 1));
}
