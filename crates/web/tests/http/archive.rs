//! Archiving a pupil over HTTP (decision 0078): the office sees what it will change first (the
//! day lessons end, the enrolments, later register lessons, loans that block it), chooses the
//! end of term or today, and confirms; no one else reaches the pages.
use reqwest::StatusCode;
use time::macros::date;
use tutti_domain::lessons::LessonType;
use tutti_store::platform::audit::Actor;
use tutti_store::testing::world::{PASSWORD, a_family, a_group, a_loan, a_school, a_teacher, an_admin, an_instrument};

use crate::on_both_backends;
use crate::support::{Backend, TestApp};

on_both_backends!(the_office_sees_what_archiving_changes_then_confirms);

async fn the_office_sees_what_archiving_changes_then_confirms(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, date!(2026 - 09 - 01)).await else {
        return;
    };
    let school = a_school().create(&app.store).await;
    let teacher = a_teacher().available(1, 540, 900).create(&app.store).await;
    let family = a_family(&school)
        .first_child("Imogen", date!(2017 - 02 - 02))
        .with_login(PASSWORD)
        .create(&app.store)
        .await;
    let pupil = family.children[0];
    a_group(teacher.staff.id, school.id)
        .teaching("Cello", LessonType::Individual, 30)
        .with_pupils(&[pupil])
        .enrolled_from(date!(2026 - 09 - 07))
        .create(&app.store)
        .await;
    app.store
        .generate_dated_lessons(&Actor::cli(), "2026-autumn".parse().unwrap())
        .await
        .unwrap();
    let instrument = an_instrument().create(&app.store).await;
    a_loan(instrument.id, pupil)
        .from(date!(2026 - 09 - 01))
        .create(&app.store)
        .await;
    let admin = an_admin().create(&app.store).await.email;
    let office = app.logged_in(&admin).await;

    let (_, html) = office.get_text(&format!("/admin/pupils/{pupil}")).await;
    assert!(
        html.contains(&format!("/admin/pupils/{pupil}/archive/preview")),
        "{html}"
    );
    let preview = format!("/admin/pupils/{pupil}/archive/preview");
    let (status, html) = office.get_text(&preview).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Lessons end on"), "{html}");
    assert!(html.contains("Cello"));
    assert!(html.contains("later register lessons not yet marked"), "{html}");
    assert!(html.contains("must be returned"), "a loan blocks it: {html}");
    assert!(!html.contains("archive/confirm"), "no confirm while blocked");
    // Confirming anyway is refused, and nothing changes.
    let r = office
        .submit(
            &format!("/admin/pupils/{pupil}/edit"),
            &format!("/admin/pupils/{pupil}/archive/confirm"),
            &[("ends", "today")],
        )
        .await;
    assert!(r.status().is_client_error(), "{}", r.status());
    assert!(r.text().await.unwrap().contains("still on loan"));

    // The loan comes back; the end of term is chosen and shown, then confirmed.
    let loans = app.store.loans_of_instrument(instrument.id).await.unwrap();
    app.store
        .end_loan(
            &Actor::cli(),
            loans[0].id,
            tutti_domain::loans::LoanStatus::Returned,
            date!(2026 - 09 - 01),
            None,
        )
        .await
        .unwrap();
    let (_, html) = office.get_text(&format!("{preview}?ends=term")).await;
    assert!(html.contains("value=\"term\""), "{html}");
    assert!(html.contains("archive/confirm"));
    let r = office
        .submit(
            &format!("{preview}?ends=term"),
            &format!("/admin/pupils/{pupil}/archive/confirm"),
            &[("ends", "term")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = office.get_text(&preview).await;
    assert!(html.contains("archived already"), "{html}");

    // A parent does not reach it.
    let parent = app.logged_in(&family.email).await;
    let (status, _) = parent.get_text(&preview).await;
    assert!(
        matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{status}"
    );
}
