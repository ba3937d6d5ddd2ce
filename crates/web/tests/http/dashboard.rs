//! The dashboards over HTTP, from an empty hub: the manager's page draws each chart as SVG with
//! its title, and the table beside it holds the store's figures; it is reached from the
//! office's navigation and home. A school's contact sees their own school's page (linked from
//! their home) and no other's; teachers, parents and nobody are kept out.
use reqwest::StatusCode;
use time::macros::date;
use tutti_domain::guarantee::RegisterMark;
use tutti_domain::lessons::LessonType;
use tutti_store::platform::audit::Actor;
use tutti_store::records::schools::School;
use tutti_store::reports::dashboard::Span;
use tutti_store::teaching::lessons::{NoteReader, TimetableOf};
use tutti_store::teaching::registers::MarkScope;
use tutti_store::testing::world::{
    PASSWORD, a_family, a_group, a_manager, a_school, a_school_contact, a_teacher, an_admin, an_enrolment,
};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, location};

on_both_backends!(
    the_manager_sees_the_hub_and_each_charts_table_holds_its_figures,
    a_school_sees_its_own_page_and_others_are_kept_out
);

/// The first day of the autumn term of 2026: lessons are dated from here.
const START: time::Date = date!(2026 - 09 - 07);
/// Monday 2 November 2026, when the pages are read.
const DAY: time::Date = date!(2026 - 11 - 02);

/// North Primary (area North) with Ann on violin and Ben on violin and flute, South Primary
/// (area South) with Cal on cello; Ann's first lesson marked present. Returns North Primary
/// and the teacher's login.
async fn small_hub(app: &TestApp) -> (School, String) {
    let store = &app.store;
    let north = a_school()
        .named("North Primary")
        .in_area("North")
        .at("54.7761", "-1.5733")
        .create(store)
        .await;
    let south = a_school().named("South Primary").in_area("South").create(store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(store).await;
    let tess = teacher.staff.id;
    let ann = a_family(&north)
        .first_child("Ann", date!(2017 - 01 - 10))
        .create(store)
        .await
        .children[0];
    let ben = a_family(&north)
        .first_child("Ben", date!(2017 - 02 - 10))
        .create(store)
        .await
        .children[0];
    let cal = a_family(&south)
        .first_child("Cal", date!(2017 - 03 - 10))
        .create(store)
        .await
        .children[0];
    for (pupil, instrument, minute, school) in [
        (ann, "Violin", 540, north.id),
        (ben, "Violin", 570, north.id),
        (ben, "Flute", 600, north.id),
        (cal, "Cello", 630, south.id),
    ] {
        let id = an_enrolment(pupil)
            .learning(instrument, LessonType::Group, 30)
            .taught_by(tess, 1, minute)
            .starting(START)
            .create(store)
            .await;
        a_group(tess, school)
            .on(1, minute)
            .teaching(instrument, LessonType::Group, 30)
            .with_enrolments(&[id])
            .create(store)
            .await;
    }
    let term = tutti_domain::calendar::TermId::parse("2026-autumn").unwrap();
    store.generate_dated_lessons(&Actor::cli(), term).await.unwrap();
    store.clock().advance(DAY - START);
    let lessons = store
        .timetable(TimetableOf::Teacher(tess), START, DAY, NoteReader::Staff)
        .await
        .unwrap();
    let first = lessons
        .iter()
        .find(|l| l.pupils.iter().any(|p| p.id == ann))
        .expect("Ann's first lesson");
    store
        .mark_pupil(&Actor::cli(), MarkScope::Office, first.id, ann, RegisterMark::Present)
        .await
        .unwrap();
    (north, teacher.staff.email)
}

/// The `<figure>` of the chart with this id.
fn chart<'a>(html: &'a str, id: &str) -> &'a str {
    let from = html
        .find(&format!("<figure class=\"chart\" id=\"{id}\""))
        .unwrap_or_else(|| panic!("no chart {id}: {html}"));
    let rest = &html[from..];
    &rest[..rest.find("</figure>").unwrap()]
}

/// The rows of a chart's table: each row's heading and cells, as the page shows them.
fn table_rows(figure: &str) -> Vec<Vec<String>> {
    let body = &figure[figure.find("<tbody>").unwrap()..figure.find("</tbody>").unwrap()];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split(['<', '>'])
                .collect::<Vec<_>>()
                .windows(2)
                .filter(|w| w[0].starts_with("th ") || w[0].starts_with("td "))
                .map(|w| w[1].trim().to_owned())
                .collect()
        })
        .collect()
}

fn owned(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
        .collect()
}

async fn the_manager_sees_the_hub_and_each_charts_table_holds_its_figures(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, START).await else {
        return;
    };
    small_hub(&app).await;
    let manager = a_manager().create(&app.store).await.email;
    let office = app.logged_in(&manager).await;

    let (status, home) = office.get_text("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("href=\"/admin/dashboard\""), "the office home links it");

    let (status, html) = office.get_text("/admin/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Dashboard</h1>"));
    assert!(html.contains("The year 2026-27 so far, to"), "{html}");
    assert!(
        html.contains("aria-current=\"page\"") && html.contains(">Dashboard</a>"),
        "in the office's navigation under Reports"
    );
    // The store's own figures, which the tables must repeat.
    let span = Span::to_today(DAY);
    let take_up = app.store.dashboard_take_up(span).await.unwrap();
    assert_eq!(take_up.schools.len(), 2);

    let schools = chart(&html, "chart-take-up-schools");
    assert!(schools.contains("<svg "), "drawn as SVG");
    assert!(schools.contains("<title id=\"chart-take-up-schools-title\">Schools with the most pupils taught</title>"));
    assert!(schools.contains("<caption>Schools with the most pupils taught: the figures drawn</caption>"));
    assert_eq!(
        table_rows(schools),
        take_up
            .schools
            .iter()
            .map(|s| vec![s.name.clone(), s.area.clone(), s.pupils.to_string()])
            .collect::<Vec<_>>()
    );
    assert_eq!(
        table_rows(schools),
        owned(&[&["North Primary", "North", "2"], &["South Primary", "South", "1"]])
    );
    assert!(
        schools.contains("data-label=\"Pupils\" class=\"num\">2</td>"),
        "cells named for a phone"
    );
    assert_eq!(
        table_rows(chart(&html, "chart-take-up-areas")),
        owned(&[&["North", "2"], &["South", "1"]])
    );
    let months = table_rows(chart(&html, "chart-lessons-by-month"));
    assert_eq!(
        months,
        owned(&[&["September", "1"], &["October", "0"], &["November", "0"]])
    );
    let guarantee = table_rows(chart(&html, "chart-guarantee"));
    assert_eq!(guarantee.len(), 3);
    assert_eq!(
        guarantee[2],
        vec!["At risk of fewer than 24 lessons".to_owned(), "4".to_owned()]
    );
    // The map: North Primary, whose location is recorded, is a point named by its title and a
    // row of the table; South Primary, with none, is listed as not on the map.
    let map = chart(&html, "chart-take-up-map");
    assert_eq!(map.matches("<circle").count(), 1);
    assert!(map.contains("<title>North Primary: 2 pupils</title>"), "{map}");
    assert_eq!(
        table_rows(map),
        owned(&[&["North Primary", "North", "2", "54.7761", "-1.5733"]])
    );
    assert!(html.contains("Not on the map (no location recorded): South Primary."));
    // The teacher has no checks recorded: listed to act on, linked to their record.
    assert!(html.contains("Not recorded"), "{html}");

    // An admin sees it too.
    let admin = an_admin().create(&app.store).await.email;
    let (status, _) = app.logged_in(&admin).await.get_text("/admin/dashboard").await;
    assert_eq!(status, StatusCode::OK);
}

async fn a_school_sees_its_own_page_and_others_are_kept_out(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, START).await else {
        return;
    };
    let (school, teacher) = small_hub(&app).await;
    let contact = a_school_contact(&school).create(&app.store).await.email;
    let browser = app.logged_in(&contact).await;
    let (status, home) = browser.get_text("/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains("href=\"/school/dashboard\""),
        "the school's home links it"
    );

    let (status, html) = browser.get_text("/school/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("North Primary: the year 2026-27 so far"), "{html}");
    assert_eq!(
        table_rows(chart(&html, "chart-instruments")),
        owned(&[&["Violin", "2"], &["Flute", "1"]])
    );
    assert_eq!(
        table_rows(chart(&html, "chart-attendance")),
        owned(&[&["Present", "1"]])
    );
    assert!(html.contains("No invoices to your school this year."));
    assert!(!html.contains("Cello"), "another school's pupils are not shown");

    // Teachers and parents are refused; nobody is sent to log in.
    let (status, _) = app.logged_in(&teacher).await.get_text("/school/dashboard").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.logged_in(&teacher).await.get_text("/admin/dashboard").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let parent = a_family(&school).with_login(PASSWORD).create(&app.store).await.email;
    let (status, _) = app.logged_in(&parent).await.get_text("/admin/dashboard").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = browser.get_text("/admin/dashboard").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a school is not the office");
    let r = app.browser().get("/school/dashboard").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/login"));
}
