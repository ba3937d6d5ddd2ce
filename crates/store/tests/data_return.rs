//! The annual data return through the store on both backends, on a small year built by hand
//! (not the demo): every figure against hand-counted values, a pupil with several lessons
//! counted once, continuation across years, records lacking a field, ensembles by kind and level
//! with their members (a pupil in two counted once, a leaver counted, a waiting applicant not),
//! the drill-down, and the
//! definition file's import (line-numbered problems, nothing changed on error).
use time::macros::date;
use tutti_domain::calendar::AcademicYear;
use tutti_domain::characteristics::{Ethnicity, Gender};
use tutti_domain::clock::Clock;
use tutti_domain::data_return::{DataReturn, Definition};
use tutti_domain::ensembles::{EnsembleKind, EnsembleLevel, MembershipStatus};
use tutti_domain::lessons::LessonType;
use tutti_domain::staff::Employment;
use tutti_store::platform::audit::Actor;
use tutti_store::records::pupils::PupilScope;
use tutti_store::teaching::ensembles::members::NewEnsembleApplication;
use tutti_store::testing::world::{a_family, a_school, a_teacher, an_enrolment, an_ensemble};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

on_both_backends!(
    every_figure_matches_the_hand_count,
    a_definition_file_is_checked_and_kept_for_its_year,
);

/// 1 March 2027: the year 2026-27 in progress.
const DAY: time::Date = date!(2027 - 03 - 01);

async fn hub(backend: TestBackend) -> Option<(Store, TestDatabase)> {
    let db = TestDatabase::create(backend).await?;
    let store = Store::connect(&db.url).await.unwrap().with_clock(Clock::on(DAY));
    store.migrate().await.unwrap();
    Some((store, db))
}

fn value(r: &DataReturn, key: &str) -> Option<i64> {
    r.figure(key).unwrap_or_else(|| panic!("no figure {key}")).value
}

fn rows(r: &DataReturn, key: &str, by: &str) -> (Vec<(String, i64)>, i64) {
    let b = r
        .figure(key)
        .unwrap()
        .breakdowns
        .iter()
        .find(|b| b.by == by)
        .unwrap_or_else(|| panic!("{key} has no breakdown {by}"));
    (
        b.rows.iter().map(|r| (r.label.clone(), r.value)).collect(),
        b.not_recorded,
    )
}

fn owned(rows: &[(&str, i64)]) -> Vec<(String, i64)> {
    rows.iter().map(|(l, v)| ((*l).to_owned(), *v)).collect()
}

async fn every_figure_matches_the_hand_count(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else { return };
    let north = a_school().named("North Primary").create(&store).await;
    let south = a_school().named("South Primary").create(&store).await;
    let _idle = a_school().named("Idle Primary").create(&store).await;
    // The workforce: the teacher employed at 0.6, two more (employed full time, sessional at
    // 0.25), and one whose engagement and FTE are not recorded.
    let teacher = a_teacher()
        .engaged(Employment::Employed, "0.6")
        .create(&store)
        .await
        .staff
        .id;
    a_teacher().engaged(Employment::Employed, "1").create(&store).await;
    a_teacher().engaged(Employment::Sessional, "0.25").create(&store).await;
    a_teacher().create(&store).await;
    let autumn = date!(2026 - 09 - 07);
    let last_autumn = date!(2025 - 09 - 08);
    let last_summer_end = date!(2026 - 07 - 20);

    // Ann: Year 4, free school meals, two lessons this year (counted once).
    let ann = a_family(&north)
        .first_child("Ann", date!(2018 - 01 - 10))
        .on_free_school_meals()
        .gender(Gender::Female)
        .ethnicity(Ethnicity::White)
        .create(&store)
        .await
        .children[0];
    an_enrolment(ann)
        .learning("Violin", LessonType::Individual, 30)
        .taught_by(teacher, 1, 540)
        .starting(autumn)
        .create(&store)
        .await;
    an_enrolment(ann)
        .learning("Flute", LessonType::Group, 30)
        .taught_by(teacher, 2, 540)
        .starting(autumn)
        .create(&store)
        .await;
    // Ben: whole-class teaching last year, trumpet lessons this year (he continued). No gender
    // or ethnicity recorded.
    let ben = a_family(&north)
        .first_child("Ben", date!(2019 - 05 - 05))
        .create(&store)
        .await
        .children[0];
    an_enrolment(ben)
        .learning("Recorder", LessonType::WholeClass, 45)
        .taught_by(teacher, 3, 540)
        .starting(last_autumn)
        .ending(last_summer_end)
        .create(&store)
        .await;
    an_enrolment(ben)
        .learning("Trumpet", LessonType::Individual, 20)
        .taught_by(teacher, 4, 540)
        .starting(autumn)
        .create(&store)
        .await;
    // Cal: whole-class ukulele at South this year (autumn and spring so far).
    let cal = a_family(&south)
        .first_child("Cal", date!(2019 - 03 - 03))
        .gender(Gender::Male)
        .create(&store)
        .await
        .children[0];
    an_enrolment(cal)
        .learning("Ukulele", LessonType::WholeClass, 45)
        .taught_by(teacher, 5, 540)
        .starting(autumn)
        .create(&store)
        .await;
    // Dee: whole-class last year only: not reached this year, and not a continuation.
    let dee = a_family(&south)
        .first_child("Dee", date!(2019 - 04 - 04))
        .create(&store)
        .await
        .children[0];
    an_enrolment(dee)
        .learning("Recorder", LessonType::WholeClass, 45)
        .taught_by(teacher, 3, 600)
        .starting(last_autumn)
        .ending(last_summer_end)
        .create(&store)
        .await;
    // Eve: waiting for a teacher, so not taught and not counted.
    let eve = a_family(&north)
        .first_child("Eve", date!(2018 - 02 - 02))
        .create(&store)
        .await
        .children[0];
    an_enrolment(eve)
        .learning("Cello", LessonType::Individual, 30)
        .starting(autumn)
        .create(&store)
        .await;

    // Ensembles: Ann plays violin in the orchestra and flute in the wind band (one pupil);
    // Ben joined the orchestra on trumpet and left (still a member this year); Gus waits for
    // the orchestra's one violin place (not a member); Cal and Fred sing in the choir, and
    // Fred (Year 8) has no lessons at all. The jazz band has no members and is not counted.
    let fred = a_family(&south)
        .first_child("Fred", date!(2014 - 06 - 06))
        .create(&store)
        .await
        .children[0];
    let gus = a_family(&north)
        .first_child("Gus", date!(2018 - 06 - 06))
        .create(&store)
        .await
        .children[0];
    let orchestra = an_ensemble("Orchestra")
        .wanting(&[("Violin", 1), ("Trumpet", 2)])
        .create(&store)
        .await;
    let winds = an_ensemble("Winds")
        .of_kind(EnsembleKind::WindBand)
        .at_level(EnsembleLevel::Advanced)
        .create(&store)
        .await;
    let choir = an_ensemble("Choir")
        .of_kind(EnsembleKind::Choir)
        .at_level(EnsembleLevel::Entry)
        .create(&store)
        .await;
    let _jazz = an_ensemble("Jazz").of_kind(EnsembleKind::Jazz).create(&store).await;
    let cli = Actor::cli();
    let join = |ensemble_id: i64, pupil_id: i64, instrument: &str| NewEnsembleApplication {
        ensemble_id,
        pupil_id,
        instrument: instrument.to_owned(),
        grade: 3,
    };
    for (ensemble, pupil, instrument, status) in [
        (orchestra.id, ann, "Violin", MembershipStatus::Accepted),
        (orchestra.id, gus, "Violin", MembershipStatus::Waiting),
        (winds.id, ann, "Flute", MembershipStatus::Accepted),
        (choir.id, cal, "Voice", MembershipStatus::Accepted),
        (choir.id, fred, "Voice", MembershipStatus::Accepted),
    ] {
        let (_, s) = store
            .apply_to_ensemble(&cli, &PupilScope::All, &join(ensemble, pupil, instrument))
            .await
            .unwrap();
        assert_eq!(s, status);
    }
    let (ben_in_orchestra, _) = store
        .apply_to_ensemble(&cli, &PupilScope::All, &join(orchestra.id, ben, "Trumpet"))
        .await
        .unwrap();
    store
        .leave_ensemble(&cli, orchestra.id, ben_in_orchestra, DAY)
        .await
        .unwrap();

    let r = store.data_return(AcademicYear::starting(2026)).await.unwrap();
    assert!(r.in_progress);
    assert_eq!(r.period.to, DAY);

    assert_eq!(value(&r, "schools_engaged"), Some(2));
    assert_eq!(
        rows(&r, "schools_engaged", "service"),
        (
            owned(&[
                ("Instrumental and vocal lessons", 1),
                ("Whole-class ensemble teaching", 1)
            ]),
            0
        )
    );
    assert_eq!(value(&r, "wcet_pupils"), Some(1));
    assert_eq!(rows(&r, "wcet_pupils", "year_group"), (owned(&[("Year 3", 1)]), 0));
    assert_eq!(rows(&r, "wcet_pupils", "terms"), (owned(&[("2 terms", 1)]), 0));
    assert_eq!(value(&r, "wcet_continuation"), Some(1));
    assert_eq!(value(&r, "pupils_in_lessons"), Some(2));
    assert_eq!(
        rows(&r, "pupils_in_lessons", "instrument_family"),
        (owned(&[("Brass", 1), ("Strings", 1), ("Woodwind", 1)]), 0)
    );
    assert_eq!(
        rows(&r, "pupils_in_lessons", "key_stage"),
        (owned(&[("Key stage 2", 2)]), 0)
    );
    assert_eq!(
        rows(&r, "pupils_in_lessons", "lesson_type"),
        (owned(&[("individual", 2), ("group", 1)]), 0)
    );
    assert_eq!(value(&r, "fsm_pupils_in_lessons"), Some(1));
    assert_eq!(value(&r, "ensembles"), Some(3));
    assert_eq!(
        rows(&r, "ensembles", "ensemble_kind"),
        (owned(&[("Choir", 1), ("Orchestra", 1), ("Wind band", 1)]), 0)
    );
    assert_eq!(
        rows(&r, "ensembles", "ensemble_level"),
        (owned(&[("Advanced", 1), ("Entry", 1), ("Intermediate", 1)]), 0)
    );
    assert_eq!(value(&r, "pupils_in_ensembles"), Some(4));
    assert_eq!(
        rows(&r, "pupils_in_ensembles", "ensemble_kind"),
        (owned(&[("Choir", 2), ("Orchestra", 2), ("Wind band", 1)]), 0)
    );
    assert_eq!(
        rows(&r, "pupils_in_ensembles", "ensemble_level"),
        (owned(&[("Advanced", 1), ("Entry", 2), ("Intermediate", 2)]), 0)
    );
    assert_eq!(
        rows(&r, "pupils_in_ensembles", "instrument_family"),
        (owned(&[("Brass", 1), ("Strings", 1), ("Voice", 2), ("Woodwind", 1)]), 0)
    );
    assert_eq!(
        rows(&r, "pupils_in_ensembles", "key_stage"),
        (owned(&[("Key stage 2", 3), ("Key stage 3", 1)]), 0)
    );
    let (_, players) = store
        .data_return_records(AcademicYear::starting(2026), "pupils_in_ensembles")
        .await
        .unwrap()
        .unwrap();
    let names: Vec<&str> = players.iter().map(|r| r.name.split(' ').next().unwrap()).collect();
    assert_eq!(names, vec!["Ann", "Ben", "Cal", "Fred"]);
    let (_, ensembles) = store
        .data_return_records(AcademicYear::starting(2026), "ensembles")
        .await
        .unwrap()
        .unwrap();
    let mut ids: Vec<i64> = ensembles.iter().map(|e| e.id).collect();
    ids.sort();
    assert_eq!(ids, vec![orchestra.id, winds.id, choir.id]);
    assert_eq!(value(&r, "pupils_reached"), Some(3));
    assert_eq!(
        rows(&r, "pupils_reached", "gender"),
        (owned(&[("Female", 1), ("Male", 1)]), 1)
    );
    assert_eq!(rows(&r, "pupils_reached", "ethnicity"), (owned(&[("White", 1)]), 2));
    assert_eq!(rows(&r, "pupils_reached", "fsm"), (owned(&[("Yes", 1), ("No", 2)]), 0));
    assert_eq!(value(&r, "workforce"), Some(4));
    assert_eq!(
        rows(&r, "workforce", "employment"),
        (owned(&[("employed", 2), ("sessional", 1)]), 1)
    );
    // 0.6 + 1 + 0.25 = 1.85 FTE, in hundredths; the fourth record lacks it.
    assert_eq!(value(&r, "workforce_fte"), Some(185));
    assert_eq!(
        rows(&r, "workforce_fte", "employment"),
        (owned(&[("employed", 160), ("sessional", 25)]), 1)
    );
    let fte = r.figure("workforce_fte").unwrap();
    assert_eq!(fte.unit, "fte_hundredths");
    assert_eq!(fte.counted.len(), 3);
    assert_eq!(
        fte.note.as_deref(),
        Some("1 of 4 staff records hold no FTE and are not counted.")
    );
    assert_eq!(value(&r, "income"), Some(0));

    // The drill-down names the pupils a figure counts: Ann and Ben, once each.
    let (_, records) = store
        .data_return_records(AcademicYear::starting(2026), "pupils_in_lessons")
        .await
        .unwrap()
        .unwrap();
    let names: Vec<&str> = records.iter().map(|r| r.name.split(' ').next().unwrap()).collect();
    assert_eq!(names, vec!["Ann", "Ben"]);
    let (_, schools) = store
        .data_return_records(AcademicYear::starting(2026), "schools_engaged")
        .await
        .unwrap()
        .unwrap();
    let mut names: Vec<&str> = schools.iter().map(|s| s.name.as_str()).collect();
    names.sort();
    assert_eq!(names, vec!["North Primary", "South Primary"]);
    assert!(
        store
            .data_return_records(AcademicYear::starting(2026), "no_such")
            .await
            .unwrap()
            .is_none()
    );

    // Last year, whole: Ben and Dee in whole-class teaching, in Year 2 then.
    let last = store.data_return(AcademicYear::starting(2025)).await.unwrap();
    assert!(!last.in_progress);
    assert_eq!(value(&last, "wcet_pupils"), Some(2));
    assert_eq!(rows(&last, "wcet_pupils", "year_group"), (owned(&[("Year 2", 2)]), 0));
    assert_eq!(rows(&last, "wcet_pupils", "terms"), (owned(&[("3 terms", 2)]), 0));
    assert_eq!(value(&last, "pupils_in_lessons"), Some(0));
    assert_eq!(value(&last, "wcet_continuation"), Some(0));
    // Everyone joined an ensemble this year: none last year.
    assert_eq!(value(&last, "pupils_in_ensembles"), Some(0));
    assert_eq!(value(&last, "ensembles"), Some(0));
}

async fn a_definition_file_is_checked_and_kept_for_its_year(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else { return };
    let year = AcademicYear::starting(2026);
    assert_eq!(store.data_return_definition(year).await.unwrap(), Definition::shipped());

    let bad = "format tutti-data-return 1\nyear 2026-27\nsection Pupils\nfigure reached\n  words Pupils\n  measure pupils harp\n";
    let errors = store
        .import_data_return_definition(&Actor::cli(), bad)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![4, 6]);
    assert_eq!(store.data_return_definition(year).await.unwrap(), Definition::shipped());

    let good = "format tutti-data-return 1\nyear 2026-27\nsection Pupils\nfigure reached\n  words Pupils reached\n  measure pupils individual whole-class\n  breakdown gender\n";
    assert_eq!(
        store
            .import_data_return_definition(&Actor::cli(), good)
            .await
            .unwrap()
            .unwrap(),
        year
    );
    assert_eq!(
        store
            .import_data_return_definition(&Actor::cli(), good)
            .await
            .unwrap()
            .unwrap(),
        year
    );
    let r = store.data_return(year).await.unwrap();
    assert_eq!(r.figures.len(), 1);
    assert_eq!(value(&r, "reached"), Some(0));
    // Other years keep the shipped definition.
    assert_eq!(
        store
            .data_return_definition(AcademicYear::starting(2025))
            .await
            .unwrap(),
        Definition::shipped()
    );
}
