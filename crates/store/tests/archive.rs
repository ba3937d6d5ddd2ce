//! Archiving a pupil is consistent (decision 0078): their enrolments end on the archive day,
//! the registers of later lessons no longer list them while earlier ones keep them, an
//! instrument on loan blocks it, and a billing preview and the run it previews issue the same
//! invoice, line for line, to their family.
use time::macros::date;
use tutti_domain::billing::PayerKey;
use tutti_domain::calendar::TermId;
use tutti_domain::clock::Clock;
use tutti_domain::instruments::InstrumentCondition;
use tutti_domain::lessons::LessonType;
use tutti_domain::loans::LoanStatus;
use tutti_store::listing::ListQuery;
use tutti_store::money::billing::invoices::InvoiceFilter;
use tutti_store::platform::audit::Actor;
use tutti_store::records::pupil_archive::LessonsEnd;
use tutti_store::testing::world::{a_family, a_group, a_loan, a_school, a_teacher, an_instrument};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, StoreError, on_both_backends};

on_both_backends!(an_archived_pupil_leaves_later_registers_and_is_billed_as_previewed);

fn autumn() -> TermId {
    TermId::parse("2026-autumn").unwrap()
}

async fn pupils_on(store: &Store, staff_id: i64, day: time::Date) -> Vec<i64> {
    store
        .teacher_day(staff_id, day)
        .await
        .unwrap()
        .into_iter()
        .flat_map(|l| l.pupils.into_iter().map(|p| p.id))
        .collect()
}

async fn an_archived_pupil_leaves_later_registers_and_is_billed_as_previewed(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 01)));
    store.migrate().await.unwrap();
    let school = a_school().create(&store).await;
    let teacher = a_teacher().available(1, 540, 900).create(&store).await;
    let family = a_family(&school)
        .with_child("Sibling", date!(2016 - 01 - 10))
        .create(&store)
        .await;
    let (pupil, sibling) = (family.children[0], family.children[1]);
    a_group(teacher.staff.id, school.id)
        .on(1, 540)
        .teaching("Violin", LessonType::Group, 30)
        .with_pupils(&[pupil, sibling])
        .enrolled_from(date!(2026 - 09 - 07))
        .create(&store)
        .await;
    store.generate_dated_lessons(&Actor::cli(), autumn()).await.unwrap();
    // Mondays: 14 September before the archive, 12 October after it.
    let (before, after) = (date!(2026 - 09 - 14), date!(2026 - 10 - 12));
    assert!(pupils_on(&store, teacher.staff.id, after).await.contains(&pupil));

    // On 1 October the office looks at what archiving will change: an instrument on loan
    // blocks it until it comes back.
    store.clock().advance(time::Duration::days(30));
    assert_eq!(store.today(), date!(2026 - 10 - 01));
    let instrument = an_instrument().create(&store).await;
    let loan = a_loan(instrument.id, pupil)
        .from(date!(2026 - 09 - 07))
        .create(&store)
        .await;
    let plan = store.pupil_archive_plan(pupil, LessonsEnd::Today).await.unwrap();
    assert_eq!(plan.end_date, date!(2026 - 10 - 01));
    assert_eq!(plan.enrolments.len(), 1);
    assert!(plan.future_lessons > 0);
    assert!(plan.blocked());
    let refused = store
        .archive_pupil_ending(&Actor::cli(), pupil, LessonsEnd::Today)
        .await;
    assert!(matches!(refused, Err(StoreError::Refused(_))), "{refused:?}");
    store
        .end_loan(
            &Actor::cli(),
            loan,
            LoanStatus::Returned,
            date!(2026 - 10 - 01),
            Some(InstrumentCondition::Good),
        )
        .await
        .unwrap();

    // The end of term is offered too: the autumn term's last day.
    let to_term = store.pupil_archive_plan(pupil, LessonsEnd::EndOfTerm).await.unwrap();
    assert!(to_term.end_date > date!(2026 - 12 - 01), "{:?}", to_term.end_date);

    let done = store
        .archive_pupil_ending(&Actor::cli(), pupil, LessonsEnd::Today)
        .await
        .unwrap();
    assert!(!done.blocked());
    // Later registers no longer list them; earlier ones do; their sibling is untouched.
    assert!(!pupils_on(&store, teacher.staff.id, after).await.contains(&pupil));
    assert!(pupils_on(&store, teacher.staff.id, after).await.contains(&sibling));
    assert!(pupils_on(&store, teacher.staff.id, before).await.contains(&pupil));
    let again = store.pupil_archive_plan(pupil, LessonsEnd::Today).await.unwrap();
    assert!(again.already_archived && again.enrolments.is_empty() && again.future_lessons == 0);

    // The preview and the run agree about the family, line for line.
    let preview = store.plan_billing(autumn(), store.today()).await.unwrap();
    let guardian_invoices: Vec<_> = preview
        .invoices
        .iter()
        .filter(|i| i.lines.iter().any(|l| l.pupil_id == pupil || l.pupil_id == sibling))
        .collect();
    assert_eq!(guardian_invoices.len(), 1, "{preview:?}");
    let planned = guardian_invoices[0];
    let PayerKey::Parent(guardian) = planned.payer else {
        panic!("a parent pays: {:?}", planned.payer);
    };
    assert!(
        planned.lines.iter().any(|l| l.pupil_id == pupil),
        "the archived pupil's term is billed as previewed, not dropped"
    );
    store
        .run_billing(&Actor::cli(), autumn(), false, &|_| {})
        .await
        .unwrap();
    let written = store
        .invoices(
            &InvoiceFilter {
                payer: Some(PayerKey::Parent(guardian)),
                ..Default::default()
            },
            &ListQuery {
                per_page: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .rows;
    assert_eq!(written.len(), 1);
    let invoice = store.invoice(written[0].id).await.unwrap();
    assert_eq!(invoice.summary.total_pence, planned.total_pence.0);
    let mut want: Vec<(i64, String, i64)> = planned
        .lines
        .iter()
        .map(|l| (l.pupil_id, l.description.clone(), l.amount_pence.0))
        .collect();
    let mut got: Vec<(i64, String, i64)> = invoice
        .lines
        .iter()
        .map(|l| (l.pupil_id, l.description.clone(), l.amount_pence))
        .collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
}
