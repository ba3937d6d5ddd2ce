//! Progression over HTTP (decision 0095), from an empty hub with its years built by hand: the
//! office's progression report (whole-class pupils of 2025-26 who went on to lessons or an
//! ensemble in 2026-27, by area, school, year group and free school meals, SEND and looked-after
//! status, against hand-counted values and the data return's own continuation figure), its
//! drill-down and CSV; each pupil's path on the office's record and for their own family only;
//! ensemble attendance with members at risk; and auditions: the office's slots, a family's
//! booking (a slot taken by another refused, another family's application 404) and outcomes.
use reqwest::StatusCode;
use time::macros::date;
use tutti_domain::clock::noon_in_london;
use tutti_domain::ensembles::{EnsembleKind, MembershipStatus};
use tutti_domain::guarantee::RegisterMark;
use tutti_domain::lessons::LessonType;
use tutti_store::platform::audit::Actor;
use tutti_store::records::pupils::PupilScope;
use tutti_store::sea_orm::ConnectionTrait;
use tutti_store::teaching::ensembles::members::NewEnsembleApplication;
use tutti_store::teaching::progress::NewExamEntry;
use tutti_store::testing::world::{
    PASSWORD, a_family, a_manager, a_school, a_teacher, an_admin, an_enrolment, an_ensemble,
};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, location};

on_both_backends!(
    the_progression_report_counts_who_went_on_by_area_school_and_need,
    a_pupil_s_path_is_for_the_office_and_their_own_family,
    attendance_names_members_at_risk_by_the_rule,
    a_family_books_an_audition_slot_and_the_office_records_the_outcome
);

/// 1 March 2027: 2026-27 in progress, 2025-26 the year of whole-class teaching.
const DAY: time::Date = date!(2027 - 03 - 01);

fn join(ensemble_id: i64, pupil_id: i64, instrument: &str) -> NewEnsembleApplication {
    NewEnsembleApplication {
        ensemble_id,
        pupil_id,
        instrument: instrument.to_owned(),
        grade: 2,
    }
}

/// The table row whose header cell is `label`, from the section starting at `anchor`.
fn row_of<'a>(html: &'a str, anchor: &str, label: &str) -> &'a str {
    let from = html.find(anchor).unwrap_or_else(|| panic!("{anchor} in {html}"));
    let part = &html[from..];
    let at = part
        .find(&format!(">{label}</th>"))
        .unwrap_or_else(|| panic!("{label} under {anchor}: {part}"));
    let row = &part[at..];
    &row[..row.find("</tr>").unwrap()]
}

async fn the_progression_report_counts_who_went_on_by_area_school_and_need(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let north = a_school().named("North Primary").in_area("Hills").create(store).await;
    let south = a_school().named("South Primary").in_area("Coast").create(store).await;
    let teacher = a_teacher().create(store).await.staff.id;
    // Year 3 in 2025-26.
    let born = date!(2017 - 10 - 01);
    let child = |school, name: &'static str| a_family(school).first_child(name, born);
    let ann = child(&north, "Ann").on_free_school_meals().create(store).await.children[0];
    let ben = child(&north, "Ben").create(store).await.children[0];
    let cat = child(&south, "Cat").looked_after().create(store).await.children[0];
    let dan = child(&south, "Dan").on_free_school_meals().create(store).await.children[0];
    let eve = child(&south, "Eve").create(store).await.children[0];
    let fay = child(&north, "Fay").create(store).await.children[0];
    store
        .conn()
        .execute_unprepared(&format!("UPDATE pupils SET send = TRUE WHERE id = {ben}"))
        .await
        .unwrap();
    // Whole-class recorder through 2025-26 for all but Fay.
    for (pupil, school) in [
        (ann, north.id),
        (ben, north.id),
        (cat, south.id),
        (dan, south.id),
        (eve, south.id),
    ] {
        an_enrolment(pupil)
            .learning("Recorder", LessonType::WholeClass, 45)
            .taught_by(teacher, 3, 540)
            .at_school(school)
            .starting(date!(2025 - 09 - 08))
            .ending(date!(2026 - 07 - 17))
            .create(store)
            .await;
    }
    // 2026-27: Ann and Eve to lessons, Cat and Eve to the choir; Fay has lessons but no
    // whole-class teaching last year, so she is not counted.
    for pupil in [ann, eve, fay] {
        an_enrolment(pupil)
            .learning("Violin", LessonType::Individual, 30)
            .taught_by(teacher, 4, 540)
            .starting(date!(2026 - 09 - 07))
            .create(store)
            .await;
    }
    let choir = an_ensemble("Junior Choir")
        .of_kind(EnsembleKind::Choir)
        .create(store)
        .await;
    for pupil in [cat, eve] {
        let (_, s) = store
            .apply_to_ensemble(&Actor::cli(), &PupilScope::All, &join(choir.id, pupil, "Voice"))
            .await
            .unwrap();
        assert_eq!(s, MembershipStatus::Accepted);
    }
    let office = app.logged_in(&a_manager().create(store).await.email).await;

    // The year chooser starts at the year containing today.
    let (status, html) = office.get_text("/admin/reports/progression").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Progression 2026-27</h1>"), "{html}");
    assert!(html.contains("<option value=\"2026-27\" selected>"), "{html}");
    assert!(
        html.contains("3 of 5 pupils continued (60%): 2 to lessons, 2 to an ensemble"),
        "{html}"
    );
    // All, free school meals, SEND, looked after.
    let total = row_of(&html, "All schools: continued", "All schools");
    for want in ["3 of 5 (60%)", "1 of 2 (50%)", "0 of 1 (0%)", "1 of 1 (100%)"] {
        assert!(total.contains(want), "{want}: {total}");
    }
    let coast = row_of(&html, "id=\"by-area\"", "Coast");
    assert!(
        coast.contains("2 of 3 (67%)") && coast.contains("0 of 1 (0%)"),
        "{coast}"
    );
    let hills = row_of(&html, "id=\"by-area\"", "Hills");
    assert!(hills.contains("1 of 2 (50%)"), "{hills}");
    let school = row_of(&html, "id=\"by-school\"", "South Primary");
    assert!(school.contains("2 of 3 (67%)"), "{school}");
    let year = row_of(&html, "id=\"by-year-group\"", "Year 3");
    assert!(year.contains("3 of 5 (60%)"), "{year}");

    // The same count as the data return's continuation figure.
    let r = store
        .data_return(tutti_domain::calendar::AcademicYear::starting(2026))
        .await
        .unwrap();
    assert_eq!(r.figure("wcet_continuation").unwrap().value, Some(3));

    // Drill-down: the Coast area's free-school-meals pupils are Dan only, who did not go on.
    let (status, html) = office
        .get_text("/admin/reports/progression/pupils?year=2026-27&area=Coast&flag=fsm")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("href=\"/admin/pupils/{dan}\">Dan ")), "{html}");
    assert!(html.contains("Did not continue"), "{html}");
    assert!(!html.contains(&format!("/admin/pupils/{cat}\"")), "{html}");
    let (_, html) = office
        .get_text("/admin/reports/progression/pupils?year=2026-27&continued=no")
        .await;
    for (id, counted) in [(ben, true), (dan, true), (ann, false), (fay, false)] {
        assert_eq!(html.contains(&format!("/admin/pupils/{id}\"")), counted, "{id}: {html}");
    }

    // CSV: the total line and an area's.
    let r = office.get("/admin/reports/progression/download?year=2026-27").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("progression-2026-27.csv")
    );
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("group,line,started,continued,percent,"), "{csv}");
    assert!(
        csv.contains("\ntotal,All schools,5,3,60,2,2,2,1,50,1,0,0,1,1,100\n"),
        "{csv}"
    );
    assert!(csv.contains("\narea,Coast,3,2,67,1,2,1,0,0,0,0,,1,1,100\n"), "{csv}");

    // A year with no whole-class teaching before it says so.
    let (_, html) = office.get_text("/admin/reports/progression?year=2025-26").await;
    assert!(
        html.contains("No pupils were in whole-class ensemble teaching in 2024-25."),
        "{html}"
    );
}

async fn a_pupil_s_path_is_for_the_office_and_their_own_family(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().named("North Primary").create(store).await;
    let teacher = a_teacher().named("Hana", "Tanaka").create(store).await.staff.id;
    let family = a_family(&school)
        .first_child("Ann", date!(2017 - 10 - 01))
        .with_child("Bea", date!(2019 - 01 - 01))
        .with_login(PASSWORD)
        .create(store)
        .await;
    let (ann, bea) = (family.children[0], family.children[1]);
    let other = a_family(&school)
        .first_child("Cal", date!(2017 - 02 - 02))
        .with_login(PASSWORD)
        .create(store)
        .await;
    an_enrolment(ann)
        .learning("Recorder", LessonType::WholeClass, 45)
        .taught_by(teacher, 3, 540)
        .starting(date!(2025 - 09 - 08))
        .ending(date!(2026 - 07 - 17))
        .create(store)
        .await;
    an_enrolment(ann)
        .learning("Violin", LessonType::Individual, 30)
        .taught_by(teacher, 4, 540)
        .starting(date!(2026 - 09 - 07))
        .create(store)
        .await;
    store
        .add_exam_entry(
            &Actor::cli(),
            &PupilScope::All,
            &NewExamEntry {
                pupil_id: ann,
                instrument: "Violin".into(),
                board: "ABRSM".into(),
                grade: "1".parse().unwrap(),
                exam_date: date!(2027 - 02 - 20),
                result: Some("merit".parse().unwrap()),
            },
        )
        .await
        .unwrap();
    let choir = an_ensemble("Junior Choir")
        .of_kind(EnsembleKind::Choir)
        .create(store)
        .await;
    store
        .apply_to_ensemble(&Actor::cli(), &PupilScope::All, &join(choir.id, ann, "Voice"))
        .await
        .unwrap();

    // The parent's page: in date order.
    let parent = app.logged_in(&family.email).await;
    let (status, html) = parent.get_text(&format!("/parent/children/{ann}/path")).await;
    assert_eq!(status, StatusCode::OK);
    let order: Vec<usize> = [
        "Recorder at North Primary",
        "2025-26, Year 3",
        "Violin, individual, 30 minutes",
        "Taught by Hana Tanaka",
        "Violin grade 1, ABRSM",
        "Result: merit",
        "Junior Choir",
    ]
    .iter()
    .map(|w| html.find(w).unwrap_or_else(|| panic!("{w}: {html}")))
    .collect();
    assert!(order[0] < order[2] && order[2] < order[4], "{html}");
    assert!(
        order[6] > order[4],
        "the choir joined on 1 March, after the exam: {html}"
    );
    // An empty path says so; the progress page links each child's path.
    let (_, html) = parent.get_text(&format!("/parent/children/{bea}/path")).await;
    assert!(html.contains("Nothing is recorded yet"), "{html}");
    let (_, html) = parent.get_text("/parent/progress").await;
    assert!(
        html.contains(&format!("href=\"/parent/children/{ann}/path\"")),
        "{html}"
    );
    // Another family's child is not found.
    let (status, _) = parent
        .get_text(&format!("/parent/children/{}/path", other.children[0]))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let stranger = app.logged_in(&other.email).await;
    let (status, _) = stranger.get_text(&format!("/parent/children/{ann}/path")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The office's 360° record has the same path.
    let office = app.logged_in(&an_admin().create(store).await.email).await;
    let (status, html) = office.get_text(&format!("/admin/pupils/{ann}")).await;
    assert_eq!(status, StatusCode::OK);
    let path = &html[html.find("Musical path").expect("the path section")..];
    assert!(
        path.contains("Recorder at North Primary") && path.contains("Junior Choir"),
        "{path}"
    );
    let (_, html) = office.get_text(&format!("/admin/pupils/{bea}")).await;
    assert!(html.contains("No whole-class teaching, lessons, ensembles or exams recorded yet."));
}

async fn attendance_names_members_at_risk_by_the_rule(backend: Backend) {
    // The ensemble starts on the first Wednesday of the autumn term; marks come by 4 November.
    let Some(app) = TestApp::spawn_empty_on(backend, date!(2026 - 09 - 09)).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().create(store).await;
    let family = a_family(&school)
        .first_child("Ann", date!(2014 - 01 - 01))
        .with_child("Ben", date!(2014 - 02 - 02))
        .with_child("Cai", date!(2014 - 03 - 03))
        .create(store)
        .await;
    let (ann, ben, cai) = (family.children[0], family.children[1], family.children[2]);
    let band = an_ensemble("Wind Band").on(3).create(store).await;
    for pupil in [ann, ben, cai] {
        store
            .apply_to_ensemble(&Actor::cli(), &PupilScope::All, &join(band.id, pupil, "Flute"))
            .await
            .unwrap();
    }
    let today = date!(2026 - 11 - 04);
    store.clock().set(noon_in_london(today));
    let rehearsals = store.rehearsals(band.id, date!(2026 - 09 - 09), today).await.unwrap();
    assert!(rehearsals.len() >= 6, "{rehearsals:?}");
    let last_six = &rehearsals[rehearsals.len() - 6..];
    use RegisterMark::{Ill, Present, Unauthorised};
    // Ann came to all; Ben missed three of the last four; Cai missed every other one (50%).
    let marks = [
        (ann, [Present; 6]),
        (ben, [Present, Present, Ill, Unauthorised, Present, Ill]),
        (cai, [Ill, Present, Ill, Present, Ill, Present]),
    ];
    for (pupil, ms) in marks {
        for (r, m) in last_six.iter().zip(ms) {
            store.mark_rehearsal(&Actor::cli(), r.id, pupil, m).await.unwrap();
        }
    }
    let office = app.logged_in(&a_manager().create(store).await.email).await;
    let (status, html) = office.get_text("/admin/reports/attendance").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("missed 3 of their last 4 rehearsals"),
        "the rule in words: {html}"
    );
    let at_risk = &html[html.find("id=\"members-at-risk\"").unwrap()..html.find("id=\"pupils-at-risk\"").unwrap()];
    assert!(at_risk.contains("Missed 3 of the last 4 rehearsals"), "{at_risk}");
    assert!(at_risk.contains("Came to 50% of this term"), "{at_risk}");
    assert!(at_risk.contains(&format!("/admin/pupils/{ben}\"")) && at_risk.contains(&format!("/admin/pupils/{cai}\"")));
    assert!(!at_risk.contains(&format!("/admin/pupils/{ann}\"")), "{at_risk}");
    assert!(html.contains("No lesson pupil is at risk this term."), "{html}");

    let (status, html) = office
        .get_text(&format!("/admin/reports/attendance/ensembles/{}", band.id))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<svg") && html.contains("<title"),
        "a drawn chart: {html}"
    );
    for want in ["6 of 6", "100%", "3 of 6", "50%"] {
        assert!(html.contains(want), "{want}: {html}");
    }
    let (status, _) = office.get_text("/admin/reports/attendance/ensembles/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_family_books_an_audition_slot_and_the_office_records_the_outcome(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, date!(2026 - 09 - 16)).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().create(store).await;
    let mine = a_family(&school)
        .first_child("Zoe", date!(2013 - 01 - 10))
        .with_login(PASSWORD)
        .create(store)
        .await;
    let theirs = a_family(&school)
        .first_child("Yan", date!(2013 - 02 - 10))
        .with_login(PASSWORD)
        .create(store)
        .await;
    let orchestra = an_ensemble("County Youth Orchestra")
        .by_audition()
        .wanting(&[("Oboe", 1)])
        .create(store)
        .await;
    let mut apps = Vec::new();
    for pupil in [mine.children[0], theirs.children[0]] {
        let (id, s) = store
            .apply_to_ensemble(&Actor::cli(), &PupilScope::All, &join(orchestra.id, pupil, "Oboe"))
            .await
            .unwrap();
        assert_eq!(s, MembershipStatus::Applied);
        apps.push(id);
    }
    let office = app.logged_in(&an_admin().create(store).await.email).await;
    let page = format!("/admin/ensembles/{}/auditions", orchestra.id);
    let (status, html) = office.get_text(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No audition slots yet."), "{html}");
    // Bad input names its fields and adds nothing.
    let r = office
        .submit(&page, &page, &[("day", "31/02/2026"), ("start", "7pm"), ("place", "")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for id in ["day-error", "start-error", "place-error"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}: {html}");
    }
    assert!(store.audition_slots(orchestra.id).await.unwrap().is_empty());
    for (day, start) in [("03/10/2026", "10:00"), ("03/10/2026", "10:20")] {
        let r = office
            .submit(
                &page,
                &page,
                &[("day", day), ("start", start), ("place", "Room 4, Music Centre")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let slots = store.audition_slots(orchestra.id).await.unwrap();
    assert_eq!(slots.len(), 2);
    assert_eq!(slots[0].place, "Room 4, Music Centre");

    // The family books from their account, on a phone-sized page of their own.
    let parent = app.logged_in(&mine.email).await;
    let (_, html) = parent.get_text("/parent/ensembles").await;
    let book = format!("/parent/ensembles/applications/{}/audition", apps[0]);
    assert!(html.contains(&format!("href=\"{book}\"")), "{html}");
    let (status, html) = parent.get_text(&book).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Saturday 3 October 2026 at 10:00, Room 4, Music Centre"),
        "{html}"
    );
    let r = parent.submit(&book, &book, &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = parent.submit(&book, &book, &[("slot", &slots[0].id.to_string())]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = parent.get_text(&location(&r)).await;
    assert!(html.contains("Audition booked."), "{html}");
    assert!(
        html.contains("Booked: <strong>Saturday 3 October 2026 at 10:00, Room 4, Music Centre"),
        "{html}"
    );

    // The other family may not have that slot, nor see or book this family's application.
    let other = app.logged_in(&theirs.email).await;
    let their_book = format!("/parent/ensembles/applications/{}/audition", apps[1]);
    let (_, html) = other.get_text(&their_book).await;
    assert!(!html.contains("at 10:00"), "a taken slot is not offered: {html}");
    let r = other
        .submit(&their_book, &their_book, &[("slot", &slots[0].id.to_string())])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains("That audition slot is already booked."), "{html}");
    let (status, _) = other.get_text(&book).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = other.post_raw(&book, &[("slot", &slots[1].id.to_string())]).await;
    assert!(
        matches!(r.status(), StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "{}",
        r.status()
    );
    // Two bookings of the one free slot at once: exactly one stands.
    let cli = Actor::cli();
    let (a, b) = tokio::join!(
        store.book_audition(&cli, &PupilScope::All, apps[1], slots[1].id),
        store.book_audition(&cli, &PupilScope::All, apps[0], slots[1].id),
    );
    assert!(a.is_ok() != b.is_ok(), "{a:?} {b:?}");
    // Changing: the family moves back to their first slot if the second became theirs.
    if b.is_ok() {
        let r = parent.submit(&book, &book, &[("slot", &slots[0].id.to_string())]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let held: Vec<Option<i64>> = store
        .audition_slots(orchestra.id)
        .await
        .unwrap()
        .iter()
        .map(|s| s.application_id)
        .collect();
    assert_eq!(held.iter().filter(|a| **a == Some(apps[0])).count(), 1, "{held:?}");

    // The office records the outcomes: Zoe accepted (the one oboe place), Yan to wait.
    let (_, html) = office.get_text(&page).await;
    assert!(html.contains("Audition booked"), "{html}");
    for (id, outcome, words) in [
        (apps[0], "accept", "Accepted: they are a member."),
        (apps[1], "wait", "On the waiting list"),
    ] {
        let r = office
            .submit(&page, &format!("{page}/outcomes/{id}/{outcome}"), &[])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, html) = office.get_text(&page).await;
        assert!(html.contains(words), "{words}: {html}");
    }
    let a = store
        .ensemble_application(orchestra.id, apps[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.status, MembershipStatus::Accepted);
    let b = store
        .ensemble_application(orchestra.id, apps[1])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b.status, MembershipStatus::Waiting);
    // A decided application's audition can no longer be changed.
    let (_, html) = parent.get_text(&book).await;
    assert!(html.contains("has been decided"), "{html}");
}
