//! Words and numbers people use (decision 77): prices drawn from the year's charging policy on
//! the prices page, the apply forms and offers; an offer's dates defaulting to days that make
//! sense; and no page, for any role, showing an ISO date or an engine's name for a rule.
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};
use time::macros::date;
use tutti_domain::calendar::{AcademicYear, TermId, default_dates_of};
use tutti_domain::charging::{ChargeStep, Eligibility, StarterRule};
use tutti_domain::lessons::LessonType;
use tutti_domain::money::Rounding;
use tutti_domain::terms::ClosureKind;
use tutti_store::content::Kind;
use tutti_store::money::billing::invoices::InvoiceFilter;
use tutti_store::platform::accounts::Role;
use tutti_store::platform::audit::Actor;
use tutti_store::records::pupils::PupilScope;
use tutti_store::teaching::cancellations::DayOff;
use tutti_store::teaching::progress::NewExamEntry;
use tutti_store::teaching::terms::{NewClosure, Whose};
use tutti_store::testing::world::{
    PASSWORD, a_charging_policy, a_family, a_group, a_loan, a_manager, a_page, a_school, a_school_contact, a_teacher,
    an_admin, an_application, an_instrument,
};
use tutti_web::AccessRule;

use crate::on_both_backends;
use crate::support::{Backend, Browser, TestApp};

on_both_backends!(
    prices_come_from_the_policy_and_change_with_it,
    families_see_prices_where_they_apply_and_on_their_offers,
    an_offer_starts_on_the_next_teaching_day_after_its_answer_date,
    no_page_shows_an_iso_date_or_an_engine_word
);

/// A Wednesday in the autumn term of 2026.
const DAY: time::Date = date!(2026 - 09 - 16);
const YEAR: AcademicYear = AcademicYear::starting(2026);

async fn prices_come_from_the_policy_and_change_with_it(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let visitor = app.browser();
    // No policy saved for the year: no figures anybody decided, and the page says so.
    let (status, html) = visitor.get_text("/prices").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Prices for 2026-27 are not yet published"), "{html}");
    assert!(!html.contains('£'), "{html}");
    // The page about prices in the site's content shows the same table.
    // (Under the starter page every hub has.)
    let learning = app.store.content_at("learning").await.unwrap().unwrap();
    a_page(Kind::Page, "Prices and paying")
        .under(learning.id)
        .with(|d| d.slug = "prices".into())
        .create(&app.store)
        .await;
    let content_page = "/learning/prices";
    assert!(visitor.get_text(content_page).await.1.contains("not yet published"));

    // The office saves the year's policy: every lesson type and length, remission and hire.
    a_charging_policy(YEAR)
        .price(LessonType::Individual, 30, 17_123)
        .price(LessonType::Paired, 45, 12_345)
        .price(LessonType::Group, 60, 123_456)
        .hire(1_650)
        .create(&app.store)
        .await;
    let admin = app.logged_in(&an_admin().create(&app.store).await.email).await;
    // (Saved by the store directly, so the shared copies are let go as a save from a page would.)
    let page = "/admin/billing/policies/2026-27";
    let file: Value = admin.get(&format!("{page}/export")).await.json().await.unwrap();
    let r = admin
        .submit(page, &format!("{page}/import"), &[("document", &file.to_string())])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    for path in ["/prices", content_page] {
        let (status, html) = visitor.get_text(path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Prices for 2026-27"), "{path}: {html}");
        assert!(!html.contains("not yet published"), "{path}");
        for words in [
            "Individual",
            "Paired",
            "Group",
            "15 minutes",
            "60 minutes",
            "£171.23",
            "£123.45",
            "£1,234.56",
            "Pupils eligible for free school meals pay £37.50 a term",
            "Looked-after children are never charged",
            "Hiring one of our instruments costs £16.50 a term",
        ] {
            assert!(html.contains(words), "{path} lacks {words:?}: {html}");
        }
    }

    // A change to the policy shows at once, for visitors served from the shared copy too.
    let mut changed = file.clone();
    changed["policy"]["hire"]["per_term"] = json!(1_900);
    let prices = changed["policy"]["prices"].as_array_mut().unwrap();
    for p in prices.iter_mut() {
        if p["lesson_type"] == "individual" && p["minutes"] == 30 {
            p["per_term"] = json!(18_000);
        }
    }
    changed["policy"]["steps"] = json!([
        {"step": "full_remission", "who": "free_school_meals"},
        {"step": "school_uplift"}
    ]);
    let r = admin
        .submit(page, &format!("{page}/import"), &[("document", &changed.to_string())])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = visitor.get_text("/prices").await;
    assert!(html.contains("£180.00") && !html.contains("£171.23"), "{html}");
    assert!(html.contains("£19.00 a term"));
    assert!(html.contains("Pupils eligible for free school meals have lessons free."));
    assert!(!html.contains("£37.50"));
}

async fn families_see_prices_where_they_apply_and_on_their_offers(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().create(store).await;
    let family = a_family(&school).with_login(PASSWORD).create(store).await;
    let contact = a_school_contact(&school).create(store).await;
    let parent = app.logged_in(&family.email).await;
    let (_, html) = parent.get_text("/parent/applications").await;
    assert!(html.contains("Prices for 2026-27 are not yet published"), "{html}");
    a_charging_policy(YEAR)
        .price(LessonType::Individual, 30, 17_123)
        .create(store)
        .await;

    // The apply form, the parent's and the school's, carries the year's table.
    let (_, html) = parent.get_text("/parent/applications").await;
    assert!(
        html.contains("Prices for 2026-27") && html.contains("£171.23"),
        "{html}"
    );
    let school_user = app.logged_in(&contact.email).await;
    let (_, html) = school_user.get_text("/school/applications").await;
    assert!(html.contains("£171.23"), "{html}");

    // An offer names its lesson's price, on the page and in the letter.
    let id = an_application(family.children[0]).create(store).await;
    store
        .make_offer(
            &Actor::cli(),
            id,
            date!(2026 - 10 - 05),
            date!(2026 - 09 - 30),
            DAY,
            "https://hub.example/parent/applications",
        )
        .await
        .unwrap();
    let (_, html) = parent.get_text("/parent/applications").await;
    assert!(html.contains("Accept the place"), "{html}");
    assert!(html.contains("£171.23 a term"), "{html}");
    assert!(
        html.contains("Offered a place from 05/10/2026: answer by 30/09/2026"),
        "{html}"
    );
    let (mail, _) = store.outbox_page(Some(&family.email), 1, 10).await.unwrap();
    let letter = mail.iter().find(|m| m.subject.starts_with("A place for")).unwrap();
    assert!(
        letter.body.contains("starting on Monday 5 October 2026"),
        "{}",
        letter.body
    );
    assert!(
        letter.body.contains("These lessons cost £171.23 a term"),
        "{}",
        letter.body
    );
    assert!(letter.body.contains("decline by Wednesday 30 September 2026"));
}

async fn an_offer_starts_on_the_next_teaching_day_after_its_answer_date(backend: Backend) {
    // Friday 4 December: answers are due by Friday 18 December, the last day of term, and a
    // start 21 days on would be Christmas Day.
    let Some(app) = TestApp::spawn_empty_on(backend, date!(2026 - 12 - 04)).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().in_local_authority("Upper Vale").create(store).await;
    let family = a_family(&school).create(store).await;
    an_application(family.children[0]).create(store).await;
    let admin = app.logged_in(&an_admin().create(store).await.email).await;
    let (_, html) = admin.get_text("/admin/waiting-lists").await;
    assert!(
        html.contains("name=\"expires_on\" type=\"date\" value=\"2026-12-18\""),
        "{html}"
    );
    assert!(
        html.contains("name=\"start_date\" type=\"date\" value=\"2027-01-04\""),
        "{html}"
    );
    assert!(!html.contains("2026-12-25"));

    // The hub closes on the spring term's first day: lessons start the day after.
    store
        .save_closure(
            &Actor::cli(),
            &NewClosure {
                whose: Whose::Authority("Upper Vale".into()),
                day: date!(2027 - 01 - 04),
                kind: ClosureKind::Inset,
                reason: "Training".into(),
            },
        )
        .await
        .unwrap();
    let (_, html) = admin.get_text("/admin/waiting-lists").await;
    assert!(
        html.contains("name=\"start_date\" type=\"date\" value=\"2027-01-05\""),
        "{html}"
    );
}

/// Debug names of the domain's enums, and developers' references, that no screen may show.
const ENGINE_WORDS: &[&str] = &[
    "HalfUp",
    "HalfEven",
    "HalfTermBoundary",
    "LessonsRemaining",
    "EndOfMonthBeforeInvoice",
    "DaysBeforeTermStart",
    "FreeSchoolMeals",
    "PupilPremium",
    "PupilPremiumOrSend",
    "OutsideScope",
    "WholeClass",
    "FixedFee",
    "SchoolUplift",
    "TIMETABLING.md",
    "DOMAIN.md",
    "Some(",
];

/// What a page shows people: its text without tags (so `value=`, `datetime=` and links may
/// hold ISO dates, which browsers and machines read).
fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The first ISO date (`2026-12-14`) in `text`, with what surrounds it.
fn iso_date_in(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.into_iter().all(|i| b[i].is_ascii_digit());
    (0..b.len().saturating_sub(9)).find_map(|i| {
        let boundary = i == 0 || !b[i - 1].is_ascii_digit();
        let end = i + 10;
        let after = end == b.len() || !b[end].is_ascii_digit();
        (boundary
            && after
            && digits(i..i + 4)
            && b[i + 4] == b'-'
            && digits(i + 5..i + 7)
            && b[i + 7] == b'-'
            && digits(i + 8..end))
        .then(|| {
            let from = text.floor_char_boundary(i.saturating_sub(60));
            let to = text.ceil_char_boundary((end + 20).min(text.len()));
            text[from..to].to_owned()
        })
    })
}

/// Every fault on one page.
async fn faults_of(b: &Browser, who: &str, path: &str, faults: &mut Vec<String>) {
    let r = b.get(path).await;
    let html_page = r
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if r.status() != StatusCode::OK || !html_page {
        return;
    }
    let text = visible_text(&r.text().await.unwrap());
    for name in ["-autumn", "-spring", "-summer"] {
        if let Some(at) = text.find(name) {
            let from = text.floor_char_boundary(at.saturating_sub(40));
            faults.push(format!(
                "{who} {path}: a term's key in «{}»",
                &text[from..at + name.len()]
            ));
        }
    }
    if let Some(at) = iso_date_in(&text) {
        faults.push(format!(
            "{who} {path}: an ISO date in «{}»",
            at.split_whitespace().collect::<Vec<_>>().join(" ")
        ));
    }
    for word in ENGINE_WORDS {
        if text.contains(word) {
            faults.push(format!("{who} {path}: {word}"));
        }
    }
}

async fn no_page_shows_an_iso_date_or_an_engine_word(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    // A hub with something on every page: a policy with every kind of rule, a school, a
    // teacher with lessons, a family with an enrolment, an application, an offer and a loan.
    a_charging_policy(YEAR)
        .with(|p| {
            p.rounding = Rounding::HalfUp;
            p.starter_rule = StarterRule::HalfTermBoundary;
            p.steps.push(ChargeStep::FullRemission {
                who: Eligibility::PupilPremiumOrSend,
            });
        })
        .create(store)
        .await;
    let school = a_school().in_local_authority("Upper Vale").create(store).await;
    let teacher = a_teacher()
        .teaching(&["Violin"])
        .available(3, 540, 900)
        .with_login(PASSWORD)
        .create(store)
        .await;
    let family = a_family(&school)
        .first_child("Ava", date!(2017 - 03 - 04))
        .with_child("Ben", date!(2018 - 05 - 06))
        .with_login(PASSWORD)
        .create(store)
        .await;
    a_group(teacher.staff.id, school.id)
        .on(3, 600)
        .with_pupils(&[family.children[0]])
        .enrolled_from(date!(2026 - 09 - 07))
        .create(store)
        .await;
    let offered = an_application(family.children[1]).create(store).await;
    store
        .make_offer(
            &Actor::cli(),
            offered,
            date!(2026 - 10 - 05),
            date!(2026 - 09 - 30),
            DAY,
            "/parent/applications",
        )
        .await
        .unwrap();
    let violin = an_instrument().create(store).await;
    a_loan(violin.id, family.children[0]).create(store).await;
    // The year's dates, a closure, a day the teacher is away, an exam, and the term billed.
    let actor = Actor::cli();
    let authority = Whose::Authority(school.local_authority.clone());
    store
        .save_term(
            &actor,
            None,
            &authority,
            &default_dates_of(TermId::parse("2027-spring").unwrap()),
        )
        .await
        .unwrap();
    store
        .save_closure(
            &actor,
            &NewClosure {
                whose: authority,
                day: date!(2026 - 10 - 14),
                kind: ClosureKind::Closure,
                reason: "Polling day".into(),
            },
        )
        .await
        .unwrap();
    let autumn = TermId::parse("2026-autumn").unwrap();
    store.generate_dated_lessons(&actor, autumn).await.unwrap();
    store
        .cancel_day(&actor, DayOff::Teacher(teacher.staff.id), date!(2026 - 09 - 23), "Ill")
        .await
        .unwrap();
    store
        .add_exam_entry(
            &actor,
            &PupilScope::All,
            &NewExamEntry {
                pupil_id: family.children[0],
                instrument: "Violin".into(),
                board: "ABRSM".into(),
                grade: "3".parse().unwrap(),
                exam_date: date!(2026 - 11 - 20),
                result: None,
            },
        )
        .await
        .unwrap();
    store.run_billing(&actor, autumn, false, &|_| {}).await.unwrap();
    let invoice = store
        .invoices(&InvoiceFilter::default(), &Default::default())
        .await
        .unwrap()
        .rows
        .first()
        .map(|i| i.id)
        .expect("an invoice");
    let contact = a_school_contact(&school).create(store).await;
    let admin = an_admin().create(store).await;
    let manager = a_manager().create(store).await;

    let browsers = [
        ("nobody", Role::Pupil, app.browser()),
        ("the admin", Role::Admin, app.logged_in(&admin.email).await),
        ("the manager", Role::Manager, app.logged_in(&manager.email).await),
        (
            "the teacher",
            Role::Teacher,
            app.logged_in(&teacher.user.as_ref().unwrap().email).await,
        ),
        ("the parent", Role::Parent, app.logged_in(&family.email).await),
        ("the school", Role::School, app.logged_in(&contact.email).await),
    ];
    // Pages with ids, for the roles that may see them.
    let records = [
        format!("/admin/pupils/{}", family.children[0]),
        format!("/admin/schools/{}", school.id),
        format!("/admin/staff/{}", teacher.staff.id),
        format!("/admin/instruments/{}", violin.id),
        format!("/admin/billing/invoices/{invoice}"),
        format!("/admin/invoices/{invoice}/payments"),
        format!("/progress/pupils/{}", family.children[0]),
        "/admin/billing/policies/2026-27".to_owned(),
        "/admin/terms?year=2026-27".to_owned(),
    ];
    let mut faults = Vec::new();
    for (who, role, b) in &browsers {
        let signed_in = *who != "nobody";
        for route in tutti_web::route_table() {
            let path = route.path;
            let may = match &route.access {
                AccessRule::Public => true,
                AccessRule::SignedIn => signed_in,
                AccessRule::Roles(roles) => signed_in && roles.contains(role),
            };
            let page = !path.contains('{')
                && !path.starts_with("/api")
                && !path.contains("logout")
                && ![".xml", ".atom", ".txt", ".json", "/export", "/logo"]
                    .iter()
                    .any(|end| path.ends_with(end));
            if may && page && path != "/admin/audit" {
                faults_of(b, who, &path, &mut faults).await;
            }
        }
        if matches!(role, Role::Admin | Role::Manager) && signed_in {
            // (The audit log's words are the office's to change: it is left out.)
            for path in &records {
                faults_of(b, who, path, &mut faults).await;
            }
        }
        if *role == Role::Teacher {
            faults_of(b, who, "/teacher/day?date=2026-09-23", &mut faults).await;
            faults_of(b, who, &format!("/progress/pupils/{}", family.children[0]), &mut faults).await;
        }
    }
    assert!(faults.is_empty(), "pages people read show:\n{}", faults.join("\n"));
}
