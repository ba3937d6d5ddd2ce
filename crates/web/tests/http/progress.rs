//! Exams and reports over HTTP: the teacher (or the office) enters graded exams and results;
//! the teacher writes a report, a draft until published, and the parent sees it only then.
//! Another teacher's pupil and another family's child are out of reach.
use reqwest::StatusCode;
use tutti_store::platform::accounts::{NewUser, Role};
use tutti_store::sea_orm;
use tutti_store::sea_orm::FromQueryResult;

use crate::admissions::other_parent;
use crate::on_both_backends;
use crate::support::{Backend, DEMO_PASSWORD, TestApp};

on_both_backends!(teacher_enters_exams_and_publishes_reports);

/// A teacher account for a member of staff who does not teach pupil 1.
async fn stranger_teacher(app: &TestApp) -> crate::support::Browser {
    #[derive(FromQueryResult)]
    struct S {
        id: i64,
    }
    let staff = S::find_by_statement(sea_orm::Statement::from_string(
        app.store.conn().get_database_backend(),
        "SELECT id FROM staff WHERE id NOT IN (SELECT teacher_id FROM enrolments WHERE pupil_id = 1 \
         AND teacher_id IS NOT NULL) ORDER BY id",
    ))
    .one(app.store.conn())
    .await
    .unwrap()
    .unwrap();
    app.store
        .create_user(NewUser {
            email: "stranger.teacher@demo.test".into(),
            name: "Stranger Teacher".into(),
            password: DEMO_PASSWORD.into(),
            role: Role::Teacher,
            email_verified: true,
            school_id: None,
            staff_id: Some(staff.id),
            pupil_id: None,
            is_demo: false,
        })
        .await
        .unwrap();
    app.logged_in("stranger.teacher@demo.test").await
}

async fn teacher_enters_exams_and_publishes_reports(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let teacher = app.logged_in("teacher@demo.test").await;
    assert!(teacher.get_text("/account").await.1.contains("/progress/pupils"));
    let (status, html) = teacher.get_text("/progress/pupils").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("href=\"/progress/pupils/1\""), "{html}");
    let page = "/progress/pupils/1";
    let exams = "/progress/pupils/1/exams";
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

    let parent = app.logged_in("parent@demo.test").await;
    let (status, html) = parent.get_text("/parent/progress").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Grade 3") && html.contains("Not in yet"), "{html}");
    assert_eq!(parent.get(page).await.status(), StatusCode::FORBIDDEN);

    let entry_id = app
        .store
        .exam_entries(&tutti_store::records::pupils::PupilScope::All, 1)
        .await
        .unwrap()[0]
        .id;
    let r = teacher
        .submit(
            page,
            &format!("/progress/exams/{entry_id}/result"),
            &[("pupil", "1"), ("result", "merit")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(parent.get_text("/parent/progress").await.1.contains("Merit"));

    // A draft is the teacher's; publishing shows it to the parent.
    let report = "/progress/pupils/1/report";
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
    let other = other_parent(&app).await;
    assert!(!other.get_text("/parent/progress").await.1.contains(text));

    // Another teacher's pupil is out of reach; the office enters exams but writes no reports.
    let stranger = stranger_teacher(&app).await;
    assert_eq!(stranger.get(page).await.status(), StatusCode::NOT_FOUND);
    let r = stranger.submit("/progress/pupils", exams, &entry("4")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = stranger
        .submit("/progress/pupils", report, &[("body", "Not mine"), ("publish", "yes")])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let admin = app.logged_in("admin@demo.test").await;
    let r = admin.submit(page, exams, &entry("4")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = admin
        .submit(page, report, &[("body", "Office words"), ("publish", "yes")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.store
            .exam_entries(&tutti_store::records::pupils::PupilScope::All, 1)
            .await
            .unwrap()
            .len(),
        2
    );
}
