//! Instrument loans through the store on both backends, on an empty hub with a fixed clock:
//! the lifecycle (lend, return with its condition, move, lost, damaged) with the instrument's
//! status following; the rules that refuse; the agreement accepted by the family; the lists;
//! and the whole path to money: a loan is billed for hire exactly as the charging policy says
//! (its charge per instrument, its remissions), once, and not in the terms after it ends.
use time::macros::date;
use tutti_domain::Pence;
use tutti_domain::Refusal;
use tutti_domain::billing::PayerKey;
use tutti_domain::calendar::{AcademicYear, TermId};
use tutti_domain::charging::{ChargingPolicy, Eligibility};
use tutti_domain::clock::Clock;
use tutti_domain::instruments::{InstrumentCondition, InstrumentStatus};
use tutti_domain::loans::{LoanRefusal, LoanStatus};
use tutti_store::listing::ListQuery;
use tutti_store::money::billing::invoices::{InvoiceFilter, InvoiceLine};
use tutti_store::platform::audit::Actor;
use tutti_store::records::loans::{LoanFilter, LoanQuery, NewLoan};
use tutti_store::records::pupils::PupilScope;
use tutti_store::testing::world::{PASSWORD, a_family, a_school, a_teacher, an_enrolment, an_instrument};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, StoreError, on_both_backends};

on_both_backends!(
    a_loan_goes_out_comes_back_moves_and_is_lost_with_the_instrument_following,
    lending_is_refused_by_the_rules,
    the_family_accepts_the_agreement_and_no_other_family_can,
    hire_is_billed_as_the_policy_says_once_and_stops_after_the_return,
);

/// Early in the autumn term of 2026.
const DAY: time::Date = date!(2026 - 09 - 16);

async fn hub(backend: TestBackend) -> Option<(Store, TestDatabase)> {
    let db = TestDatabase::create(backend).await?;
    let store = Store::connect(&db.url).await.unwrap().with_clock(Clock::on(DAY));
    store.migrate().await.unwrap();
    Some((store, db))
}

fn loan(instrument_id: i64, pupil_id: i64, from: time::Date) -> NewLoan {
    NewLoan {
        instrument_id,
        pupil_id,
        from,
        due: None,
        agreement_on_paper: false,
    }
}

async fn status_of(store: &Store, id: i64) -> String {
    store.instrument(id).await.unwrap().unwrap().status
}

fn refusal(e: StoreError) -> LoanRefusal {
    match e {
        StoreError::Refused(Refusal::Loans(r)) => r,
        other => panic!("expected a loan refusal, got {other:?}"),
    }
}

async fn a_loan_goes_out_comes_back_moves_and_is_lost_with_the_instrument_following(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let actor = Actor::cli();
    let school = a_school().create(&store).await;
    let amy = a_family(&school).create(&store).await.children[0];
    let ben = a_family(&school).create(&store).await.children[0];
    let violin = an_instrument().create(&store).await;

    // Lent from the start of term, due back a year on unless said.
    let first = store
        .lend_instrument(&actor, &loan(violin.id, amy, date!(2026 - 09 - 07)))
        .await
        .unwrap();
    assert_eq!(status_of(&store, violin.id).await, "on-loan");
    let l = store.loan(&PupilScope::All, first).await.unwrap().unwrap();
    assert_eq!(
        (l.status, l.due_date),
        (LoanStatus::OnLoan, Some(date!(2027 - 09 - 07)))
    );
    assert!(!l.overdue && l.agreement_accepted_at.is_none());

    // Back in fair condition: available again, its condition recorded.
    store
        .end_loan(
            &actor,
            first,
            LoanStatus::Returned,
            date!(2026 - 10 - 20),
            Some(InstrumentCondition::Fair),
        )
        .await
        .unwrap();
    let back = store.instrument(violin.id).await.unwrap().unwrap();
    assert_eq!(
        (back.status.as_str(), back.condition.as_deref()),
        ("available", Some("fair"))
    );
    assert_eq!(
        refusal(
            store
                .end_loan(&actor, first, LoanStatus::Lost, date!(2026 - 10 - 21), None)
                .await
                .unwrap_err()
        ),
        LoanRefusal::AlreadyEnded {
            status: LoanStatus::Returned
        },
        "a loan ends once"
    );

    // Lent again on paper, then moved to Ben in one step: Amy's loan returned that day, Ben's
    // starting, due back when Amy's was.
    let second = store
        .lend_instrument(
            &actor,
            &NewLoan {
                due: Some(date!(2027 - 07 - 20)),
                agreement_on_paper: true,
                ..loan(violin.id, amy, date!(2026 - 11 - 02))
            },
        )
        .await
        .unwrap();
    assert!(
        store
            .loan(&PupilScope::All, second)
            .await
            .unwrap()
            .unwrap()
            .agreement_on_paper
    );
    assert_eq!(
        refusal(
            store
                .move_loan(&actor, second, amy, date!(2026 - 11 - 10))
                .await
                .unwrap_err()
        ),
        LoanRefusal::SamePupil
    );
    assert_eq!(
        refusal(
            store
                .move_loan(&actor, second, ben, date!(2026 - 11 - 01))
                .await
                .unwrap_err()
        ),
        LoanRefusal::EndsBeforeStart {
            start: date!(2026 - 11 - 02)
        }
    );
    let third = store
        .move_loan(&actor, second, ben, date!(2026 - 11 - 10))
        .await
        .unwrap();
    let moved = store.loan(&PupilScope::All, second).await.unwrap().unwrap();
    assert_eq!(
        (moved.status, moved.end_date),
        (LoanStatus::Returned, Some(date!(2026 - 11 - 10)))
    );
    let bens = store.loan(&PupilScope::All, third).await.unwrap().unwrap();
    assert_eq!(
        (bens.pupil_id, bens.start_date, bens.due_date, bens.status),
        (
            ben,
            date!(2026 - 11 - 10),
            Some(date!(2027 - 07 - 20)),
            LoanStatus::OnLoan
        )
    );
    assert_eq!(status_of(&store, violin.id).await, "on-loan");

    // Lost: the instrument is lost and cannot be lent.
    store
        .end_loan(&actor, third, LoanStatus::Lost, date!(2026 - 12 - 01), None)
        .await
        .unwrap();
    assert_eq!(status_of(&store, violin.id).await, InstrumentStatus::Lost.as_str());
    assert!(matches!(
        refusal(
            store
                .lend_instrument(&actor, &loan(violin.id, amy, date!(2026 - 12 - 02)))
                .await
                .unwrap_err()
        ),
        LoanRefusal::InstrumentLost { .. }
    ));

    // Damaged: to repair.
    let cello = an_instrument().of_type("cello").create(&store).await;
    let fourth = store
        .lend_instrument(&actor, &loan(cello.id, amy, date!(2026 - 09 - 07)))
        .await
        .unwrap();
    store
        .end_loan(&actor, fourth, LoanStatus::Damaged, date!(2026 - 09 - 14), None)
        .await
        .unwrap();
    assert_eq!(status_of(&store, cello.id).await, "in-repair");

    // The instrument's history, newest first; the pupil's loans; the lists.
    let history = store.loans_of_instrument(violin.id).await.unwrap();
    assert_eq!(
        history.iter().map(|l| (l.id, l.status)).collect::<Vec<_>>(),
        vec![
            (third, LoanStatus::Lost),
            (second, LoanStatus::Returned),
            (first, LoanStatus::Returned)
        ]
    );
    assert_eq!(
        store.loans_of_pupils(&PupilScope::All, Some(amy)).await.unwrap().len(),
        3
    );
    let current = store
        .loans(
            &PupilScope::All,
            &LoanQuery {
                per_page: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(current.total, 0, "nothing is out now");

    // Every step is audited.
    let events = store
        .audit_events(&tutti_store::platform::audit::AuditFilter {
            entity: "instrument_loan".into(),
            per_page: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(events.total >= 8, "{} loan events", events.total);
}

async fn lending_is_refused_by_the_rules(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let actor = Actor::cli();
    let school = a_school().create(&store).await;
    let amy = a_family(&school).create(&store).await.children[0];
    let ben = a_family(&school).create(&store).await.children[0];
    let violin = an_instrument().create(&store).await;
    let first = store
        .lend_instrument(&actor, &loan(violin.id, amy, date!(2026 - 09 - 07)))
        .await
        .unwrap();

    // Already on loan.
    let r = refusal(
        store
            .lend_instrument(&actor, &loan(violin.id, ben, date!(2026 - 09 - 08)))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        r,
        LoanRefusal::InstrumentOnLoan {
            serial: violin.serial.clone()
        }
    );
    assert_eq!(r.field(), Some("instrument_id"));

    // An instrument on loan is not archived: it is taken back first.
    let r = refusal(store.archive_instrument(&actor, violin.id).await.unwrap_err());
    assert_eq!(
        r,
        LoanRefusal::ArchiveOnLoan {
            serial: violin.serial.clone()
        }
    );
    assert!(!store.instrument(violin.id).await.unwrap().unwrap().archived);

    // Returned before it started.
    let r = refusal(
        store
            .end_loan(&actor, first, LoanStatus::Returned, date!(2026 - 09 - 06), None)
            .await
            .unwrap_err(),
    );
    assert_eq!(r.field(), Some("date"));

    // Due back before it starts.
    let flute = an_instrument().of_type("flute").create(&store).await;
    let r = refusal(
        store
            .lend_instrument(
                &actor,
                &NewLoan {
                    due: Some(date!(2026 - 09 - 01)),
                    ..loan(flute.id, ben, date!(2026 - 09 - 07))
                },
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(r.field(), Some("due"));

    // An archived instrument, an archived pupil, an instrument or pupil that does not exist.
    store.archive_instrument(&actor, flute.id).await.unwrap();
    assert!(matches!(
        refusal(
            store
                .lend_instrument(&actor, &loan(flute.id, ben, date!(2026 - 09 - 07)))
                .await
                .unwrap_err()
        ),
        LoanRefusal::InstrumentArchived { .. }
    ));
    let trumpet = an_instrument().of_type("trumpet").create(&store).await;
    store.archive_pupil(&actor, ben).await.unwrap();
    assert!(matches!(
        refusal(
            store
                .lend_instrument(&actor, &loan(trumpet.id, ben, date!(2026 - 09 - 07)))
                .await
                .unwrap_err()
        ),
        LoanRefusal::PupilArchived { .. }
    ));
    assert_eq!(
        refusal(
            store
                .lend_instrument(&actor, &loan(987_654, amy, DAY))
                .await
                .unwrap_err()
        ),
        LoanRefusal::NoInstrument
    );
    assert_eq!(
        refusal(
            store
                .lend_instrument(&actor, &loan(trumpet.id, 987_654, DAY))
                .await
                .unwrap_err()
        ),
        LoanRefusal::NoPupil
    );
    assert!(matches!(
        store.end_loan(&actor, 987_654, LoanStatus::Returned, DAY, None).await,
        Err(StoreError::NotFound)
    ));

    // Nothing refused changed anything: the trumpet is still in store, one loan is out.
    assert_eq!(status_of(&store, trumpet.id).await, "available");
    let out = store
        .loans(
            &PupilScope::All,
            &LoanQuery {
                per_page: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(out.total, 1);
}

async fn the_family_accepts_the_agreement_and_no_other_family_can(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let actor = Actor::cli();
    let school = a_school().create(&store).await;
    let family = a_family(&school).with_login(PASSWORD).create(&store).await;
    let others = a_family(&school).with_login(PASSWORD).create(&store).await;
    let violin = an_instrument().create(&store).await;
    let id = store
        .lend_instrument(
            &actor,
            &NewLoan {
                due: Some(date!(2026 - 09 - 10)),
                ..loan(violin.id, family.children[0], date!(2026 - 09 - 07))
            },
        )
        .await
        .unwrap();
    let parent = family.user.unwrap();
    let other = others.user.unwrap();
    let mine = PupilScope::for_user(&parent);
    let theirs = PupilScope::for_user(&other);

    // Overdue since the 10th: the office's overdue and due-back lists show it.
    for filter in [LoanFilter::Overdue, LoanFilter::DueBack, LoanFilter::Current] {
        let page = store
            .loans(
                &PupilScope::All,
                &LoanQuery {
                    filter,
                    per_page: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(page.rows.len(), 1, "{filter:?}");
        assert!(page.rows[0].overdue);
    }
    let found = store
        .loans(
            &PupilScope::All,
            &LoanQuery {
                q: violin.serial.to_lowercase(),
                per_page: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found.total, 1, "searched by serial");

    // Another family sees nothing of it, and cannot accept for it.
    assert!(store.loan(&theirs, id).await.unwrap().is_none());
    assert!(store.loans_of_pupils(&theirs, None).await.unwrap().is_empty());
    assert!(matches!(
        store
            .accept_loan_agreement(&Actor::user(&other, "127.0.0.1"), &theirs, id)
            .await,
        Err(StoreError::NotFound)
    ));

    // The family accepts: who and when recorded; again changes nothing.
    store
        .accept_loan_agreement(&Actor::user(&parent, "127.0.0.1"), &mine, id)
        .await
        .unwrap();
    let l = store.loan(&mine, id).await.unwrap().unwrap();
    assert_eq!(l.agreement_accepted_name.as_deref(), Some(parent.email.as_str()));
    let when = l.agreement_accepted_at.unwrap();
    assert!(!l.agreement_on_paper);
    store
        .accept_loan_agreement(&Actor::user(&parent, "127.0.0.1"), &mine, id)
        .await
        .unwrap();
    assert_eq!(
        store.loan(&mine, id).await.unwrap().unwrap().agreement_accepted_at,
        Some(when)
    );
}

/// The hire lines of the invoices of `payer` for `term`.
async fn hire_lines(store: &Store, guardian_email: &str, term: &str) -> Vec<InvoiceLine> {
    let guardians = store.guardian_ids_for_email(guardian_email).await.unwrap();
    let page = store
        .invoices(
            &InvoiceFilter {
                guardians: Some(guardians),
                term: Some(term.into()),
                ..Default::default()
            },
            &ListQuery {
                per_page: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut lines = Vec::new();
    for summary in page.rows {
        let invoice = store.invoice(summary.id).await.unwrap();
        lines.extend(invoice.lines.into_iter().filter(|l| l.charge_kind == "instrument_hire"));
    }
    lines
}

async fn hire_is_billed_as_the_policy_says_once_and_stops_after_the_return(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let actor = Actor::cli();
    // The year's policy: £15 a term, £20 for a cello, and free for pupils on free school meals.
    let year = AcademicYear::containing(DAY);
    let mut policy = ChargingPolicy::default();
    policy.hire.per_term = Pence(1_500);
    policy.hire.by_instrument = vec![("cello".into(), Pence(2_000))];
    policy.hire.free_for = vec![Eligibility::FreeSchoolMeals];
    store.save_charging_policy(&actor, year, &policy).await.unwrap();
    assert_eq!(store.hire_charge("Cello", DAY).await.unwrap(), Pence(2_000));

    let school = a_school().create(&store).await;
    let teacher = a_teacher().available(1, 540, 900).create(&store).await;
    let paying = a_family(&school).create(&store).await;
    let remitted = a_family(&school).on_free_school_meals().create(&store).await;
    for (family, instrument) in [(&paying, "cello"), (&remitted, "violin")] {
        let pupil = family.children[0];
        an_enrolment(pupil)
            .starting(date!(2026 - 09 - 07))
            .taught_by(teacher.staff.id, 1, 540)
            .create(&store)
            .await;
        let it = an_instrument().of_type(instrument).create(&store).await;
        store
            .lend_instrument(&actor, &loan(it.id, pupil, date!(2026 - 09 - 07)))
            .await
            .unwrap();
    }

    // The autumn run bills each loan once, at the policy's charge, with its remission.
    let autumn = TermId::parse("2026-autumn").unwrap();
    store.run_billing(&actor, autumn, false, &|_| {}).await.unwrap();
    let lines = hire_lines(&store, &paying.email, "2026-autumn").await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].amount_pence, 2_000);
    assert_eq!(lines[0].pupil_id, paying.children[0]);
    let lines = hire_lines(&store, &remitted.email, "2026-autumn").await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].amount_pence, 0);
    assert!(lines[0].rule.contains("free"), "{}", lines[0].rule);

    // Running it again creates nothing.
    let again = store.run_billing(&actor, autumn, false, &|_| {}).await.unwrap();
    assert_eq!((again.invoice_count, again.line_count), (0, 0));
    assert_eq!(hire_lines(&store, &paying.email, "2026-autumn").await.len(), 1);

    // The cello comes back in October: billed for autumn, not for spring; the violin, still
    // out, is billed for spring too.
    let cello_loan = store
        .loans_of_pupils(&PupilScope::All, Some(paying.children[0]))
        .await
        .unwrap()[0]
        .id;
    store
        .end_loan(&actor, cello_loan, LoanStatus::Returned, date!(2026 - 10 - 20), None)
        .await
        .unwrap();
    store
        .clock()
        .set(tutti_domain::clock::noon_in_london(date!(2026 - 12 - 01)));
    let spring = autumn.next();
    let spring_text = spring.to_string();
    store.run_billing(&actor, spring, false, &|_| {}).await.unwrap();
    assert!(hire_lines(&store, &paying.email, &spring_text).await.is_empty());
    assert_eq!(hire_lines(&store, &remitted.email, &spring_text).await.len(), 1);
    let payer = PayerKey::Parent(store.guardian_ids_for_email(&paying.email).await.unwrap()[0]);
    let spring_invoices = store
        .invoices(
            &InvoiceFilter {
                payer: Some(payer),
                term: Some(spring_text.clone()),
                ..Default::default()
            },
            &ListQuery {
                per_page: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(spring_invoices.total, 1, "the tuition is still billed in spring");
}
