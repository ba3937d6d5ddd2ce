//! Exams and reports over HTTP: the teacher (or the office) enters graded exams and results;
//! the teacher writes a report, a draft until published, and the parent sees it only then.
//! Another teacher's pupil and another family's child are out of reach.
use reqwest::StatusCode;
use time::macros::date;
use tutti_store::testing::world::{PASSWORD, a_family, a_school, a_teacher, an_admin, an_enrolment};

use crate::on_both_backends;
use crate::support::{Backend, TestApp};

on_both_backends!(teacher_enters_exams_and_publishes_reports);

async fn teacher_enters_exams_and_publishes_reports(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, date!(2026 - 11 - 10)).await else {
        return;
    };
    // A child who learns the violin with a teacher; another family at the school; a teacher
    // who does not teach the child; the office.
    let store = &app.store;
    let school = a_school().create(store).await;
    let family = a_family(&school).with_login(PASSWORD).create(store).await;
    let other_family = a_family(&school).with_login(PASSWORD).create(store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(store).await;
    let stranger = a_teacher().with_login(PASSWORD).create(store).await;
    let admin = an_admin().create(store).await.email;
    let child = family.children[0];
    an_enrolment(child)
        .starting(date!(2026 - 09 - 07))
        .taught_by(teacher.staff.id, 1, 540)
        .create(store)
        .await;
    an_enrolment(other_family.children[0])
        .taught_by(stranger.staff.id, 1, 540)
        .create(store)
        .await;

    let teacher = app.logged_in(&teacher.staff.email).await;
    assert!(teacher.get_text("/account").await.1.contains("/progress/pupils"));
    let (status, html) = teacher.get_text("/progress/pupils").await;
    assert_eq!(status, StatusCode::OK);
    let page = format!("/progress/pupils/{child}");
    let page = page.as_str();
    assert!(html.contains(&format!("href=\"{page}\"")), "{html}");
    let exams = format!("{page}/exams");
    let exams = exams.as_str();
    let entry = |grade: &'static str| {
        [
            ("instrument", "Violin"),
            ("board", "ABRSM"),
            ("grade", grade),
            ("exam_date", "2027-03-15"),
            ("result", ""),
        ]
    };
    let r = teacher.submit(page, exams, &entry("9")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Enter a grade from Initial (0) to 8"));
    let r = teacher.submit(page, exams, &entry("3")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = teacher.get_text(page).await;
    assert!(html.contains("Grade 3") && html.contains("ABRSM") && html.contains("15/03/2027"));

    let parent = app.logged_in(&family.email).await;
    let (status, html) = parent.get_text("/parent/progress").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Grade 3") && html.contains("Not in yet"), "{html}");
    assert_eq!(parent.get(page).await.status(), StatusCode::FORBIDDEN);

    let entry_id = app
        .store
        .exam_entries(&tutti_store::records::pupils::PupilScope::All, child)
        .await
        .unwrap()[0]
        .id;
    let r = teacher
        .submit(
            page,
            &format!("/progress/exams/{entry_id}/result"),
            &[("pupil", &child.to_string()), ("result", "merit")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(parent.get_text("/parent/progress").await.1.contains("Merit"));

    // A draft is the teacher's; publishing shows it to the parent.
    let report = format!("{page}/report");
    let report = report.as_str();
    let r = teacher
        .submit(page, report, &[("body", "   "), ("publish", "no")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = "Steady bowing; scales of D and A major are secure.";
    let r = teacher.submit(page, report, &[("body", text), ("publish", "no")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = teacher.get_text(page).await;
    assert!(html.contains("draft: not yet seen by parents") && html.contains(text));
    assert!(!parent.get_text("/parent/progress").await.1.contains(text));
    let r = teacher
        .submit(page, report, &[("body", text), ("publish", "yes")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(parent.get_text("/parent/progress").await.1.contains(text));
    let other = app.logged_in(&other_family.email).await;
    assert!(!other.get_text("/parent/progress").await.1.contains(text));

    // Another teacher's pupil is out of reach; the office enters exams but writes no reports.
    let stranger = app.logged_in(&stranger.staff.email).await;
    assert_eq!(stranger.get(page).await.status(), StatusCode::NOT_FOUND);
    let r = stranger.submit("/progress/pupils", exams, &entry("4")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = stranger
        .submit("/progress/pupils", report, &[("body", "Not mine"), ("publish", "yes")])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let admin = app.logged_in(&admin).await;
    let r = admin.submit(page, exams, &entry("4")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = admin
        .submit(page, report, &[("body", "Office words"), ("publish", "yes")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.store
            .exam_entries(&tutti_store::records::pupils::PupilScope::All, child)
            .await
            .unwrap()
            .len(),
        2
    );
}
