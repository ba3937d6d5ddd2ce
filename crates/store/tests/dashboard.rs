//! The manager's and a school's dashboards through the store on both backends, on a small
//! hub built by hand (not the demo): pupils taught (one with two lessons counted once, one
//! awaiting a teacher not counted), lessons by what happened, the guarantee's outlook, income
//! billed, paid and overdue by age, remission read from the lines, waiting lists by
//! instrument and area, take-up by school and area, ensembles' members and attendance, and
//! staff checks due; a school's own take-up, attendance, invoices and agreement.
use time::macros::date;
use time::{Date, Duration};
use tutti_domain::Pence;
use tutti_domain::calendar::{AcademicYear, TermId};
use tutti_domain::charging::{ChargeStep, Eligibility};
use tutti_domain::clock::Clock;
use tutti_domain::ensembles::MembershipStatus;
use tutti_domain::guarantee::{GuaranteePolicy, RegisterMark};
use tutti_domain::lessons::{LessonOutcome, LessonType};
use tutti_domain::money::Percent;
use tutti_domain::staff::CheckStatus;
use tutti_store::money::billing::invoices::InvoiceFilter;
use tutti_store::money::payments::agreements::AgreementInput;
use tutti_store::money::payments::invoices::PaymentInput;
use tutti_store::platform::audit::Actor;
use tutti_store::records::pupils::PupilScope;
use tutti_store::reports::dashboard::Span;
use tutti_store::teaching::cancellations::DayOff;
use tutti_store::teaching::ensembles::members::NewEnsembleApplication;
use tutti_store::teaching::lessons::{NoteReader, TimetableOf};
use tutti_store::teaching::registers::MarkScope;
use tutti_store::testing::world::{
    a_charging_policy, a_family, a_group, a_school, a_teacher, an_application, an_enrolment, an_ensemble,
};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

on_both_backends!(
    the_dashboards_figures_match_the_hand_count,
    the_guarantee_tallies_stay_equal_to_a_recount
);

/// Monday 2 November 2026, after the autumn half term.
const DAY: Date = date!(2026 - 11 - 02);

async fn hub(backend: TestBackend) -> Option<(Store, TestDatabase)> {
    let db = TestDatabase::create(backend).await?;
    // The hub starts on the first day of the autumn term, so lessons are dated from then.
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 07)));
    store.migrate().await.unwrap();
    Some((store, db))
}

async fn the_dashboards_figures_match_the_hand_count(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else { return };
    let actor = Actor::cli();
    let year = AcademicYear::starting(2026);
    let north = a_school().named("North Primary").in_area("North").create(&store).await;
    let south = a_school().named("South Primary").in_area("South").create(&store).await;
    let _idle = a_school().named("Idle Primary").in_area("East").create(&store).await;
    // Checks on 2 November 2026 (renewed every 3 years, warned 60 days before):
    // Tess's DBS falls due on 1 December (due soon), her training is current;
    // Tom has neither recorded; Tia's DBS is on the update service, her training lapsed on
    // 1 October.
    let tess = a_teacher()
        .named("Tess", "Able")
        .dbs_issued(date!(2023 - 12 - 01))
        .safeguarding_trained(date!(2025 - 01 - 01))
        .create(&store)
        .await
        .staff
        .id;
    let tom = a_teacher().named("Tom", "Baker").create(&store).await.staff.id;
    let tia = a_teacher()
        .named("Tia", "Cole")
        .dbs_issued(date!(2020 - 01 - 01))
        .on_update_service()
        .safeguarding_trained(date!(2023 - 10 - 01))
        .create(&store)
        .await
        .staff
        .id;

    // A policy whose only step remits half the fee for free school meals.
    a_charging_policy(year)
        .price(LessonType::Group, 30, 5_000)
        .with(|p| {
            p.steps = vec![ChargeStep::PercentRemission {
                who: Eligibility::FreeSchoolMeals,
                percent: Percent::whole(50),
            }]
        })
        .create(&store)
        .await;
    let autumn = date!(2026 - 09 - 07);
    // Ann (North, free school meals): violin. Ben (North): violin and flute, counted once.
    // Cal (South, looked after): violin. Dan (North): violin paid for by the school.
    // Eve (North): waiting for a teacher, so not taught.
    let ann = a_family(&north)
        .first_child("Ann", date!(2017 - 01 - 10))
        .on_free_school_meals()
        .create(&store)
        .await
        .children[0];
    let bens_family = a_family(&north)
        .first_child("Ben", date!(2017 - 02 - 10))
        .create(&store)
        .await;
    let ben = bens_family.children[0];
    let cal = a_family(&south)
        .first_child("Cal", date!(2017 - 03 - 10))
        .looked_after()
        .create(&store)
        .await
        .children[0];
    let dan = a_family(&north)
        .first_child("Dan", date!(2017 - 04 - 10))
        .create(&store)
        .await
        .children[0];
    let eve = a_family(&north)
        .first_child("Eve", date!(2017 - 05 - 10))
        .create(&store)
        .await
        .children[0];
    // Each taught in a group of their own on Mondays (Dan's paid for by the school).
    for (pupil, instrument, teacher, minute, school) in [
        (ann, "Violin", tess, 540, north.id),
        (ben, "Violin", tess, 570, north.id),
        (ben, "Flute", tom, 540, north.id),
        (cal, "Violin", tia, 540, south.id),
        (dan, "Violin", tess, 600, north.id),
    ] {
        let enrolment = an_enrolment(pupil).learning(instrument, LessonType::Group, 30);
        let enrolment = if pupil == dan {
            enrolment.paid_by_school()
        } else {
            enrolment
        };
        let id = enrolment
            .taught_by(teacher, 1, minute)
            .starting(autumn)
            .create(&store)
            .await;
        a_group(teacher, school)
            .on(1, minute)
            .teaching(instrument, LessonType::Group, 30)
            .with_enrolments(&[id])
            .create(&store)
            .await;
    }
    an_enrolment(eve)
        .learning("Cello", LessonType::Group, 30)
        .starting(autumn)
        .create(&store)
        .await;
    let term = TermId::parse("2026-autumn").unwrap();
    store.generate_dated_lessons(&actor, term).await.unwrap();
    store.clock().advance(DAY - autumn);
    assert_eq!(store.today(), DAY);

    // Tess's register: Ann present at her first lesson and ill at her second. Tia's first
    // lesson the teacher missed.
    let tess_lessons = store
        .timetable(TimetableOf::Teacher(tess), autumn, DAY, NoteReader::Staff)
        .await
        .unwrap();
    let anns: Vec<_> = tess_lessons
        .iter()
        .filter(|l| l.pupils.iter().any(|p| p.id == ann))
        .collect();
    store
        .mark_pupil(&actor, MarkScope::Office, anns[0].id, ann, RegisterMark::Present)
        .await
        .unwrap();
    store
        .mark_pupil(&actor, MarkScope::Office, anns[1].id, ann, RegisterMark::Ill)
        .await
        .unwrap();
    let tias = store
        .timetable(TimetableOf::Teacher(tia), autumn, DAY, NoteReader::Staff)
        .await
        .unwrap();
    store
        .mark_lesson(&actor, MarkScope::Office, tias[0].id, LessonOutcome::TeacherAbsent)
        .await
        .unwrap();
    // Every lesson dated before today, of the four teachers' groups.
    let mut past = 0i64;
    for t in [tess, tom, tia] {
        past += store
            .timetable(
                TimetableOf::Teacher(t),
                autumn,
                DAY - Duration::days(1),
                NoteReader::Staff,
            )
            .await
            .unwrap()
            .len() as i64;
    }

    let span = Span::to_today(DAY);
    let policy = GuaranteePolicy::default();
    let t = store.dashboard_teaching(span, &policy).await.unwrap();
    assert_eq!(t.pupils_taught, 4, "Ann, Ben, Cal and Dan; Eve awaits a teacher");
    assert_eq!(t.lessons_given, 2);
    assert_eq!(t.lessons_missed_by_hub, 1);
    assert_eq!(t.lessons_unmarked, past - 3);
    assert_eq!(t.given_by_month.len(), 3, "September to November");
    assert_eq!(t.given_by_month[0].0, "September");
    assert_eq!(t.given_by_month.iter().map(|m| m.1).sum::<i64>(), 2);
    // Only the autumn is dated: no enrolment can reach 24 lessons, so all five are at risk.
    assert_eq!((t.on_track, t.below_aim, t.at_risk), (0, 0, 5));

    let take_up = store.dashboard_take_up(span).await.unwrap();
    let schools: Vec<(&str, i64)> = take_up.schools.iter().map(|s| (s.name.as_str(), s.pupils)).collect();
    assert_eq!(schools, vec![("North Primary", 3), ("South Primary", 1)]);
    assert_eq!(take_up.schools_without, 1);
    assert_eq!(take_up.by_area, vec![("North".to_owned(), 3), ("South".to_owned(), 1)]);

    // Waiting: Fay (North) applies for cello lessons; the orchestra's one violin place is
    // Ann's, so Ben waits for it (ensembles, the orchestra's area South).
    let fay = a_family(&north)
        .first_child("Fay", date!(2017 - 06 - 10))
        .create(&store)
        .await
        .children[0];
    an_application(fay)
        .for_lessons("Cello", LessonType::Group, 30)
        .create(&store)
        .await;
    let orchestra = an_ensemble("Orchestra")
        .in_area("South")
        .wanting(&[("Violin", 1)])
        .create(&store)
        .await;
    let join = |pupil_id: i64| NewEnsembleApplication {
        ensemble_id: orchestra.id,
        pupil_id,
        instrument: "Violin".into(),
        grade: 2,
    };
    let (_, s) = store
        .apply_to_ensemble(&actor, &PupilScope::All, &join(ann))
        .await
        .unwrap();
    assert_eq!(s, MembershipStatus::Accepted);
    let (_, s) = store
        .apply_to_ensemble(&actor, &PupilScope::All, &join(ben))
        .await
        .unwrap();
    assert_eq!(s, MembershipStatus::Waiting);
    let waiting: Vec<(String, String, i64, i64)> = store
        .dashboard_waiting()
        .await
        .unwrap()
        .into_iter()
        .map(|w| (w.instrument, w.area, w.lessons, w.ensembles))
        .collect();
    assert_eq!(
        waiting,
        vec![
            ("Cello".to_owned(), "North".to_owned(), 1, 0),
            ("Violin".to_owned(), "South".to_owned(), 0, 1)
        ]
    );

    // The autumn is billed today: Ann £25.00 (half remitted, £25.00), Ben £100.00, Cal
    // nothing (looked after), North Primary £50.00 for Dan. Ben pays £30.00.
    store.run_billing(&actor, term, false, &|_| {}).await.unwrap();
    let r = store.dashboard_remission(span).await.unwrap();
    assert_eq!(r.by_group, vec![("free school meals".to_owned(), 1, Pence(2_500))]);
    assert_eq!(r.total, Pence(2_500));
    assert_eq!(r.looked_after_lines, 1);
    let filter = InvoiceFilter {
        guardians: Some(store.guardian_ids_for_email(&bens_family.email).await.unwrap()),
        ..Default::default()
    };
    let bens = store.invoices(&filter, &Default::default()).await.unwrap().rows;
    assert_eq!(bens.len(), 1);
    assert_eq!(bens[0].total_pence, 10_000);
    let bens = &bens[0];
    store
        .record_payment(
            &actor,
            bens.id,
            &PaymentInput {
                method: tutti_domain::payments::PaymentMethod::Cash,
                amount: Pence(3_000),
                reference: "cash".into(),
                received_on: DAY,
            },
        )
        .await
        .unwrap();
    // The data return's own reading of the year's invoices agrees.
    let billed = 2_500 + 10_000 + 5_000;
    let income = store.data_return(year).await.unwrap();
    assert_eq!(income.figure("income").unwrap().value, Some(billed));
    let income = store.dashboard_income(span).await.unwrap();
    assert_eq!(income.billed, Pence(billed));
    assert_eq!(income.paid, Pence(3_000));
    assert_eq!(income.overdue, Pence::ZERO, "nothing is due on the day of issue");
    // Into the summer: every instalment of the autumn has fallen due, over 90 days ago.
    let summer = date!(2027 - 06 - 01);
    store.clock().advance(summer - DAY);
    let later = Span::to_today(summer);
    let income = store.dashboard_income(later).await.unwrap();
    assert_eq!(income.overdue, Pence(billed - 3_000));
    assert_eq!(income.overdue_invoices, 3);
    let bands: Vec<(i64, Pence)> = income.by_age.iter().map(|b| (b.1, b.2)).collect();
    assert_eq!(
        bands,
        vec![
            (0, Pence::ZERO),
            (0, Pence::ZERO),
            (0, Pence::ZERO),
            (3, Pence(billed - 3_000))
        ]
    );

    // The orchestra's first two rehearsals (from 2 November): Ann present, then absent.
    let rehearsals = store.rehearsals(orchestra.id, DAY, summer).await.unwrap();
    store
        .mark_rehearsal(&actor, rehearsals[0].id, ann, RegisterMark::Present)
        .await
        .unwrap();
    store
        .mark_rehearsal(&actor, rehearsals[1].id, ann, RegisterMark::Unauthorised)
        .await
        .unwrap();
    let ensembles = store.dashboard_ensembles(later).await.unwrap();
    assert_eq!(ensembles.len(), 1);
    assert_eq!(
        (ensembles[0].members, ensembles[0].marks, ensembles[0].present),
        (1, 2, 1)
    );
    assert_eq!(ensembles[0].kind, "Orchestra");

    let checks = store.dashboard_checks(DAY).await.unwrap();
    assert_eq!(checks.staff, 3);
    assert_eq!((checks.dbs_missing, checks.dbs_expired, checks.dbs_due_soon), (1, 0, 1));
    assert_eq!(
        (
            checks.safeguarding_missing,
            checks.safeguarding_expired,
            checks.safeguarding_due_soon
        ),
        (1, 1, 0)
    );
    let due: Vec<&str> = checks.due.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        due,
        vec!["Tia Cole", "Tom Baker", "Tess Able"],
        "lapsed, missing, due soon"
    );
    assert_eq!(
        checks.due[2].dbs,
        CheckStatus::DueSoon {
            due: date!(2026 - 12 - 01)
        }
    );

    // North Primary's own page: Ann, Ben and Dan; Ann's two marks; Dan's invoice; its
    // agreement for the year.
    store
        .create_agreement(
            &actor,
            &AgreementInput {
                school_id: north.id,
                year,
                programme: "Whole-class ukulele".into(),
                annual_cost: Pence(120_000),
                sessions: 30,
            },
        )
        .await
        .unwrap();
    let mine = store.school_dashboard(north.id, later).await.unwrap();
    assert_eq!(mine.pupils_taught, 3);
    assert_eq!(
        mine.by_instrument,
        vec![("Violin".to_owned(), 3), ("Flute".to_owned(), 1)]
    );
    assert_eq!(mine.attendance, vec![("present".to_owned(), 1), ("ill".to_owned(), 1)]);
    assert_eq!(mine.invoices.len(), 1);
    assert_eq!(mine.invoices[0].total_pence, 5_000);
    assert_eq!(mine.agreements.len(), 1);
    assert_eq!(mine.agreements[0].annual_pence, 120_000);
    let theirs = store.school_dashboard(south.id, later).await.unwrap();
    assert_eq!(theirs.pupils_taught, 1);
    assert_eq!(theirs.attendance, vec![("teacher-absent".to_owned(), 1)]);
    assert!(theirs.invoices.is_empty() && theirs.agreements.is_empty());
}

/// The tallies the database keeps of counted marks (decision 0096), each `(group, pupil,
/// academic year, counted)` not zero, and the same recounted here from the marks themselves.
async fn tallies_and_recount(store: &Store) -> (Vec<(i64, i64, i32, i64)>, Vec<(i64, i64, i32, i64)>) {
    use std::collections::BTreeMap;
    use tutti_store::sea_orm::{FromQueryResult, Statement};
    #[derive(FromQueryResult)]
    struct Tally {
        group_id: i64,
        pupil_id: i64,
        year_start: i32,
        counted: i64,
    }
    #[derive(FromQueryResult)]
    struct Mark {
        group_id: i64,
        pupil_id: i64,
        day: Date,
        mark: String,
    }
    let backend = store.conn().get_database_backend();
    let read = |sql: &str| Statement::from_string(backend, sql.to_owned());
    let kept: Vec<(i64, i64, i32, i64)> = Tally::find_by_statement(read(
        "SELECT group_id, pupil_id, year_start, counted FROM register_tallies WHERE counted <> 0 \
         ORDER BY group_id, pupil_id, year_start",
    ))
    .all(store.conn())
    .await
    .unwrap()
    .into_iter()
    .map(|t| (t.group_id, t.pupil_id, t.year_start, t.counted))
    .collect();
    let mut recount: BTreeMap<(i64, i64, i32), i64> = BTreeMap::new();
    for m in Mark::find_by_statement(read(
        "SELECT d.group_id, r.pupil_id, d.day, r.mark FROM register_marks r JOIN dated_lessons d ON d.id = r.dated_lesson_id",
    ))
    .all(store.conn())
    .await
    .unwrap()
    {
        if m.mark.parse::<RegisterMark>().unwrap().counts_toward_guarantee() {
            let year = AcademicYear::containing(m.day).start_year();
            *recount.entry((m.group_id, m.pupil_id, year)).or_default() += 1;
        }
    }
    let recount = recount.into_iter().map(|((g, p, y), n)| (g, p, y, n)).collect();
    (kept, recount)
}

async fn the_guarantee_tallies_stay_equal_to_a_recount(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else { return };
    let actor = Actor::cli();
    let autumn = date!(2026 - 09 - 07);
    let school = a_school().named("North Primary").create(&store).await;
    let tess = a_teacher().named("Tess", "Able").create(&store).await.staff.id;
    let tom = a_teacher().named("Tom", "Baker").create(&store).await.staff.id;
    // Ann, Ben and Cal in Tess's Monday group; Dan alone with Tom.
    let mut pupils = Vec::new();
    for (name, born) in [
        ("Ann", date!(2017 - 01 - 10)),
        ("Ben", date!(2017 - 02 - 10)),
        ("Cal", date!(2017 - 03 - 10)),
        ("Dan", date!(2017 - 04 - 10)),
    ] {
        pupils.push(a_family(&school).first_child(name, born).create(&store).await.children[0]);
    }
    let (ann, ben, cal, dan) = (pupils[0], pupils[1], pupils[2], pupils[3]);
    let mut trio = Vec::new();
    for pupil in [ann, ben, cal] {
        trio.push(
            an_enrolment(pupil)
                .learning("Violin", LessonType::Group, 30)
                .taught_by(tess, 1, 540)
                .starting(autumn)
                .create(&store)
                .await,
        );
    }
    let tess_group = a_group(tess, school.id)
        .on(1, 540)
        .teaching("Violin", LessonType::Group, 30)
        .with_enrolments(&trio)
        .create(&store)
        .await;
    let dans = an_enrolment(dan)
        .learning("Flute", LessonType::Individual, 30)
        .taught_by(tom, 2, 540)
        .starting(autumn)
        .create(&store)
        .await;
    a_group(tom, school.id)
        .on(2, 540)
        .teaching("Flute", LessonType::Individual, 30)
        .with_enrolments(&[dans])
        .create(&store)
        .await;
    store
        .generate_dated_lessons(&actor, TermId::parse("2026-autumn").unwrap())
        .await
        .unwrap();
    store.clock().advance(DAY - autumn);
    let tess_lessons: Vec<i64> = store
        .timetable(TimetableOf::Teacher(tess), autumn, DAY, NoteReader::Staff)
        .await
        .unwrap()
        .iter()
        .map(|l| l.id)
        .collect();
    let toms: Vec<i64> = store
        .timetable(TimetableOf::Teacher(tom), autumn, DAY, NoteReader::Staff)
        .await
        .unwrap()
        .iter()
        .map(|l| l.id)
        .collect();
    let check = |step: &'static str| {
        let store = &store;
        async move {
            let (kept, recount) = tallies_and_recount(store).await;
            assert_eq!(kept, recount, "after {step}");
            kept
        }
    };
    let mark = |lesson: i64, pupil: i64, mark: RegisterMark| {
        let store = &store;
        let actor = &actor;
        async move {
            store
                .mark_pupil(actor, MarkScope::Office, lesson, pupil, mark)
                .await
                .unwrap()
        }
    };

    // Marks: the trio's first lesson (one ill, which counts) and Dan's first two.
    mark(tess_lessons[0], ann, RegisterMark::Present).await;
    mark(tess_lessons[0], ben, RegisterMark::Present).await;
    mark(tess_lessons[0], cal, RegisterMark::Ill).await;
    mark(toms[0], dan, RegisterMark::Present).await;
    mark(toms[1], dan, RegisterMark::ForgotInstrument).await;
    let kept = check("marking").await;
    assert_eq!(kept.iter().map(|t| t.3).sum::<i64>(), 5);
    // Re-marks: Ann absent without a reason (still counted), Ben's present again (unchanged).
    mark(tess_lessons[0], ann, RegisterMark::Unauthorised).await;
    mark(tess_lessons[0], ben, RegisterMark::Present).await;
    check("re-marking").await;
    // The whole lesson the teacher missed (three marks that no longer count), then given
    // after all (the hub's marks cleared), and marked again.
    store
        .mark_lesson(&actor, MarkScope::Office, tess_lessons[0], LessonOutcome::TeacherAbsent)
        .await
        .unwrap();
    let kept = check("a lesson the teacher missed").await;
    assert_eq!(kept.iter().map(|t| t.3).sum::<i64>(), 2, "Dan's two only");
    store
        .mark_lesson(&actor, MarkScope::Office, tess_lessons[0], LessonOutcome::Given)
        .await
        .unwrap();
    mark(tess_lessons[0], ann, RegisterMark::Present).await;
    check("the lesson given after all").await;
    // Cancellations: Tess is absent on a day after two more of her lessons were marked.
    mark(tess_lessons[1], ann, RegisterMark::Present).await;
    mark(tess_lessons[2], ben, RegisterMark::Present).await;
    let day = store
        .timetable(TimetableOf::Teacher(tess), autumn, DAY, NoteReader::Staff)
        .await
        .unwrap()[3]
        .date;
    store
        .cancel_day(&actor, DayOff::Teacher(tess), day, "ill")
        .await
        .unwrap();
    check("a day cancelled").await;
    // The policy's teaching figures judge from the tallies as the register page does.
    let policy = GuaranteePolicy { minimum: 3, aim: 10 };
    let t = store.dashboard_teaching(Span::to_today(DAY), &policy).await.unwrap();
    let lines = store
        .guarantee(AcademicYear::starting(2026), DAY, None, &policy)
        .await
        .unwrap();
    let judged = |f: fn(&tutti_domain::guarantee::GuaranteeOutlook) -> bool| {
        lines.iter().filter(|l| f(&l.outlook)).count() as i64
    };
    use tutti_domain::guarantee::GuaranteeOutlook as O;
    assert_eq!(
        (t.on_track, t.below_aim, t.at_risk),
        (
            judged(|o| matches!(o, O::OnTrack { .. })),
            judged(|o| matches!(o, O::BelowAim { .. })),
            judged(|o| matches!(o, O::AtRisk { .. }))
        )
    );
    assert_eq!(t.on_track + t.below_aim + t.at_risk, 4);

    // Deletions: a marked lesson deleted (its marks go by cascade), a mark removed as the
    // retention of registers removes them, a lesson moved into next year, and a whole group.
    let sql = |text: String| {
        let store = &store;
        async move {
            use tutti_store::sea_orm::ConnectionTrait;
            store.conn().execute_unprepared(&text).await.unwrap();
        }
    };
    sql(format!("DELETE FROM dated_lessons WHERE id = {}", tess_lessons[1])).await;
    check("a lesson deleted").await;
    sql(format!(
        "DELETE FROM register_marks WHERE dated_lesson_id = {} AND pupil_id = {dan}",
        toms[0]
    ))
    .await;
    check("a mark removed").await;
    sql(format!(
        "UPDATE dated_lessons SET day = '2027-09-06' WHERE id = {}",
        tess_lessons[2]
    ))
    .await;
    let kept = check("a lesson moved into next year").await;
    assert!(kept.iter().any(|t| t.2 == 2027));
    sql(format!("DELETE FROM teaching_groups WHERE id = {tess_group}")).await;
    let kept = check("a group deleted").await;
    assert_eq!(kept.len(), 1, "Dan's alone: {kept:?}");
    assert_eq!(kept[0].3, 1);
}
