//! The data return over HTTP, from an empty hub: the pupil form records gender and ethnicity
//! (optional, with "prefer not to say") and names a wrong one beside its field; the office's
//! screen shows the year's figures (a pupil with two lessons counted once), drills down to the
//! pupils counted, and downloads the same figures as CSV and a spreadsheet.
use reqwest::StatusCode;
use time::macros::date;
use tutti_domain::characteristics::Gender;
use tutti_domain::lessons::LessonType;
use tutti_store::testing::world::{a_family, a_manager, a_school, a_teacher, an_enrolment};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, location};

on_both_backends!(
    the_pupil_form_records_gender_and_ethnicity,
    the_office_sees_checks_and_downloads_the_return
);

/// 1 March 2027: the year 2026-27 in progress.
const DAY: time::Date = date!(2027 - 03 - 01);

async fn the_pupil_form_records_gender_and_ethnicity(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let school = a_school().create(&app.store).await;
    let urn: &'static str = Box::leak(school.urn.to_string().into_boxed_str());
    let manager = a_manager().create(&app.store).await.email;
    let office = app.logged_in(&manager).await;
    let pupil = |gender: &'static str| {
        [
            ("pupil_ref", "P900001"),
            ("first_name", "Amelia"),
            ("last_name", "Brown"),
            ("date_of_birth", "31/08/2016"),
            ("school_urn", urn),
            ("gender", gender),
            ("ethnicity", ""),
        ]
    };
    let (status, html) = office.get_text("/admin/pupils/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<option value=\"prefer-not-to-say\">Prefer not to say</option>"),
        "{html}"
    );

    let r = office
        .submit("/admin/pupils/new", "/admin/pupils/new", &pupil("purple"))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"gender-error\""), "{html}");

    let r = office
        .submit("/admin/pupils/new", "/admin/pupils/new", &pupil("prefer-not-to-say"))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = office.get_text(&location(&r)).await;
    assert!(html.contains("Prefer not to say"), "{html}");
    assert!(html.contains("Not recorded"), "ethnicity was left out: {html}");
}

async fn the_office_sees_checks_and_downloads_the_return(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().named("North Primary").create(store).await;
    let teacher = a_teacher()
        .engaged(tutti_domain::staff::Employment::Employed, "0.6")
        .create(store)
        .await
        .staff
        .id;
    let ann = a_family(&school)
        .first_child("Annabel", date!(2018 - 01 - 10))
        .gender(Gender::Female)
        .create(store)
        .await
        .children[0];
    for (weekday, instrument) in [(1, "Violin"), (2, "Flute")] {
        an_enrolment(ann)
            .learning(instrument, LessonType::Individual, 30)
            .taught_by(teacher, weekday, 540)
            .starting(date!(2026 - 09 - 07))
            .create(store)
            .await;
    }
    let manager = a_manager().create(store).await.email;
    let office = app.logged_in(&manager).await;

    let (status, html) = office.get_text("/admin/reports/data-return?year=2026-27").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Data return 2026-27"), "{html}");
    let row = &html[html.find("<tr id=\"pupils_in_lessons\"").expect("the figure's row")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("<td data-label=\"Value\" class=\"num\">1</td>"),
        "counted once: {row}"
    );
    let row = &html[html.find("<tr id=\"pupils_in_ensembles\"").expect("the ensembles' row")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("<td data-label=\"Value\" class=\"num\">0</td>"),
        "ensembles are counted, none here: {row}"
    );
    let row = &html[html.find("<tr id=\"workforce_fte\"").expect("the FTE's row")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains(">0.6 FTE</td>"), "staff's FTE summed: {row}");

    let (status, html) = office
        .get_text("/admin/reports/data-return/pupils_in_lessons?year=2026-27")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("href=\"/admin/pupils/{ann}\">Annabel ")),
        "{html}"
    );
    let (status, _) = office
        .get_text("/admin/reports/data-return/no_such_figure?year=2026-27")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, csv) = office
        .get_text("/admin/reports/data-return/download?year=2026-27&format=csv")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        csv.starts_with("section,key,figure,breakdown,value,unit,note\n"),
        "{csv}"
    );
    assert!(
        csv.contains("Lessons,pupils_in_lessons,\"Pupils in individual, paired and group lessons\",,1,count,"),
        "{csv}"
    );
    let r = office
        .get("/admin/reports/data-return/download?year=2026-27&format=xlsx")
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.unwrap().starts_with(b"PK\x03\x04"));
}
