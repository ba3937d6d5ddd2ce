//! Ensemble fees over HTTP, from an empty hub (decision 0085): a billing run with ensemble
//! fees and remissions (free school meals, looked-after children, the family cap) beside a
//! family's lessons, previewed, run once and seen on the family's invoice; a parent gives
//! notice to leave by the notice rule (another family's child is 404) and the office records
//! notice the same way; a Virtual Music Centre strand is signed up for and paid at once
//! through the basket, and not billed again.
use reqwest::StatusCode;
use time::macros::date;
use tutti_domain::Pence;
use tutti_domain::calendar::AcademicYear;
use tutti_domain::charging::{ChargingPolicy, EnsembleReduction};
use tutti_domain::money::Percent;
use tutti_store::platform::audit::Actor;
use tutti_store::records::pupils::PupilScope;
use tutti_store::teaching::ensembles::members::NewEnsembleApplication;
use tutti_store::testing::world::{PASSWORD, a_family, a_school, a_teacher, an_admin, an_enrolment, an_ensemble};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, csrf_token, location};

on_both_backends!(
    a_billing_run_with_ensemble_fees_and_remissions,
    a_family_gives_notice_by_the_rule_and_the_office_records_it_the_same_way,
    a_strand_is_signed_up_for_and_paid_through_the_basket_once
);

/// A Wednesday early in the autumn term of 2026, when its billing is run.
const DAY: time::Date = date!(2026 - 09 - 23);

async fn join(app: &TestApp, ensemble_id: i64, pupil_id: i64) -> i64 {
    app.store
        .apply_to_ensemble(
            &Actor::cli(),
            &PupilScope::All,
            &NewEnsembleApplication {
                ensemble_id,
                pupil_id,
                instrument: "Violin".into(),
                grade: 3,
            },
        )
        .await
        .unwrap()
        .0
}

/// The invoice links (ids) on a list page under `base`.
fn invoice_ids(html: &str, base: &str) -> Vec<i64> {
    html.match_indices(&format!("href=\"{base}/"))
        .filter_map(|(at, m)| {
            let rest = &html[at + m.len()..];
            rest[..rest.find('"')?].parse().ok()
        })
        .collect()
}

async fn a_billing_run_with_ensemble_fees_and_remissions(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    // The hub's policy: free-school-meals pupils pay half; a family pays at most £60.00 a
    // term for ensembles; looked-after children are free (the default).
    // Saved through the API, with a problem first: a cap of nothing names its field.
    let school = a_school().create(store).await;
    let teacher = a_teacher().create(store).await;
    let admin = an_admin().create(store).await;
    let token = app.token(&admin.email).await;
    let client = reqwest::Client::new();
    let address = format!("{}/api/v1/charging-policies/2026-27", app.base);
    let mut policy = serde_json::to_value(ChargingPolicy::durham()).unwrap();
    policy["ensembles"] = serde_json::json!({
        "free_school_meals": {"rule": "percent_off", "percent": "50%"},
        "looked_after_free": true,
        "family_cap": 0
    });
    let r = client
        .put(&address)
        .bearer_auth(&token)
        .json(&policy)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["errors"][0]["field"]
            .as_str()
            .unwrap()
            .ends_with("ensembles.family_cap"),
        "{body}"
    );
    policy["ensembles"]["family_cap"] = serde_json::json!(6_000);
    let r = client
        .put(&address)
        .bearer_auth(&token)
        .json(&policy)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let saved = store
        .charging_policy(AcademicYear::starting(2026))
        .await
        .unwrap()
        .policy;
    assert_eq!(
        saved.ensembles.free_school_meals,
        Some(EnsembleReduction::PercentOff {
            percent: Percent::whole(50)
        })
    );
    assert_eq!(saved.ensembles.family_cap, Some(Pence(6_000)));
    let r = client.get(&address).bearer_auth(&token).send().await.unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["file"]["policy"]["ensembles"]["family_cap"], 6_000);
    // The prices page says the rules to families.
    let (_, prices) = app.browser().get_text("/prices").await;
    assert!(
        prices.contains("A family never pays more than £60.00 a term for ensembles"),
        "{prices}"
    );
    assert!(prices.contains("Pupils eligible for free school meals pay 50% less for ensembles."));
    assert!(prices.contains("Looked-after children play in ensembles free."));
    let family = a_family(&school)
        .with_child("Second", date!(2016 - 02 - 01))
        .with_login(PASSWORD)
        .create(store)
        .await;
    let fsm = a_family(&school)
        .on_free_school_meals()
        .with_login(PASSWORD)
        .create(store)
        .await;
    let looked_after = a_family(&school).looked_after().create(store).await;
    an_enrolment(family.children[0])
        .starting(date!(2026 - 09 - 07))
        .taught_by(teacher.staff.id, 1, 540)
        .create(store)
        .await;
    let orchestra = an_ensemble("County Orchestra")
        .costing(Pence(4_500))
        .create(store)
        .await;
    let band = an_ensemble("Brass Band").costing(Pence(3_000)).create(store).await;
    let choir = an_ensemble("Community Choir").create(store).await;
    join(&app, orchestra.id, family.children[0]).await;
    join(&app, band.id, family.children[1]).await;
    join(&app, choir.id, family.children[1]).await;
    join(&app, orchestra.id, fsm.children[0]).await;
    join(&app, orchestra.id, looked_after.children[0]).await;

    // The office's preview shows the ensemble lines with their rules.
    let term = "2026-autumn";
    let office = app.logged_in(&admin.email).await;
    let r = office
        .submit("/admin/billing", "/admin/billing/preview", &[("term", term)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let preview = r.text().await.unwrap();
    assert!(
        preview.contains(&format!("{} (ensemble), Autumn 2026", orchestra.name)),
        "{preview}"
    );
    // £45.00 + £30.00 is past the £60.00 cap: the second child's band is £15.00.
    assert!(
        preview.contains("Ensemble fee £30.00 − family cap on ensemble fees (£60.00 a term) £15.00 = £15.00"),
        "{preview}"
    );
    assert!(
        preview.contains("Ensemble fee £45.00 − free school meals remission 50% £22.50 = £22.50"),
        "{preview}"
    );
    assert!(preview.contains("Looked-after children are never charged"), "{preview}");
    assert!(
        !preview.contains(&choir.name),
        "a free ensemble charges nothing: {preview}"
    );

    // The run, then the family's invoice: lessons and ensembles together.
    let token = csrf_token(&preview).unwrap();
    let r = office
        .post_raw("/admin/billing/run", &[("csrf_token", &token), ("term", term)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let parent = app.logged_in(&family.email).await;
    let (_, statement) = parent.get_text("/parent/invoices").await;
    let own = invoice_ids(&statement, "/parent/invoices");
    assert_eq!(own.len(), 1, "{statement}");
    let (status, invoice) = parent.get_text(&format!("/parent/invoices/{}", own[0])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(invoice.contains("Standard group fee £53.50"), "the lesson: {invoice}");
    assert!(invoice.contains("Ensemble fee £45.00"), "{invoice}");
    assert!(invoice.contains("£15.00"), "{invoice}");
    // £53.50 of lessons and £60.00 of ensembles.
    assert!(invoice.contains("£113.50"), "{invoice}");
    // The family on free school meals sees their half fee.
    let (_, statement) = app.logged_in(&fsm.email).await.get_text("/parent/invoices").await;
    assert!(statement.contains("£22.50"), "{statement}");

    // Run twice: nothing new.
    let again = office
        .submit("/admin/billing", "/admin/billing/preview", &[("term", term)])
        .await;
    assert!(again.text().await.unwrap().contains("nothing new to bill"));
}

async fn a_family_gives_notice_by_the_rule_and_the_office_records_it_the_same_way(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().create(store).await;
    let admin = an_admin().create(store).await;
    let family = a_family(&school).with_login(PASSWORD).create(store).await;
    let other = a_family(&school).with_login(PASSWORD).create(store).await;
    let orchestra = an_ensemble("County Orchestra")
        .costing(Pence(4_500))
        .create(store)
        .await;
    let member = join(&app, orchestra.id, family.children[0]).await;
    let others_member = join(&app, orchestra.id, other.children[0]).await;

    let parent = app.logged_in(&family.email).await;
    let (_, list) = parent.get_text("/parent/ensembles").await;
    let page = format!("/parent/ensembles/memberships/{member}/notice");
    assert!(list.contains(&format!("href=\"{page}\"")), "{list}");
    // Another family's child: as if there were none.
    let theirs = format!("/parent/ensembles/memberships/{others_member}/notice");
    assert_eq!(parent.get(&theirs).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(parent.submit(&page, &theirs, &[]).await.status(), StatusCode::NOT_FOUND);
    // 23 September: in time for the spring term, so membership ends with the autumn term.
    let (status, html) = parent.get_text(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("so the spring term 2027 is not charged"), "{html}");
    assert!(html.contains("Friday 18 December 2026"), "{html}");
    let r = parent.submit(&page, &page, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, list) = parent.get_text("/parent/ensembles").await;
    assert!(
        list.contains("Your child stays a member until Friday 18 December 2026."),
        "{list}"
    );
    assert!(
        list.contains("Leaving: a member until Friday 18 December 2026"),
        "{list}"
    );

    // The spring run does not bill them; the autumn one does.
    let spring = app
        .store
        .plan_billing(tutti_domain::calendar::TermId::parse("2027-spring").unwrap(), DAY)
        .await
        .unwrap();
    assert!(
        spring
            .invoices
            .iter()
            .flat_map(|i| &i.lines)
            .all(|l| l.pupil_id != family.children[0]),
        "{spring:?}"
    );

    // The office records the other member's notice by the same rule.
    let office = app.logged_in(&admin.email).await;
    let view = format!("/admin/ensembles/{}", orchestra.id);
    let r = office
        .submit(&view, &format!("{view}/applications/{others_member}/leave"), &[])
        .await;
    assert_eq!(location(&r), view);
    let (_, html) = office.get_text(&view).await;
    assert!(html.contains("is a member until Friday 18 December 2026"), "{html}");
    let left = app
        .store
        .ensemble_application(orchestra.id, others_member)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(left.left_on, Some(date!(2026 - 12 - 19)));
}

async fn a_strand_is_signed_up_for_and_paid_through_the_basket_once(backend: Backend) {
    let config = tutti_web::WebConfig {
        card_payments: tutti_web::config::CardPayments::test_mode(),
        ..tutti_web::WebConfig::default()
    };
    let Some(app) = TestApp::spawn_empty_with(backend, config, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().create(store).await;
    let admin = an_admin().create(store).await;
    let family = a_family(&school).with_login(PASSWORD).create(store).await;
    let other = a_family(&school).with_login(PASSWORD).create(store).await;
    let strand = an_ensemble("Online Theory Strand")
        .online_at("https://meet.example.org/theory")
        .costing(Pence(2_000))
        .create(store)
        .await;

    // The office makes it a strand.
    let office = app.logged_in(&admin.email).await;
    let view = format!("/admin/ensembles/{}", strand.id);
    let (_, html) = office.get_text(&view).await;
    assert!(html.contains(&format!("action=\"{view}/strand\"")), "{html}");
    let r = office
        .submit(&view, &format!("{view}/strand"), &[("strand", "yes")])
        .await;
    assert_eq!(location(&r), view);
    assert!(store.ensemble(strand.id).await.unwrap().unwrap().strand);

    // A parent signs their child up: the term's place goes in the basket.
    let parent = app.logged_in(&family.email).await;
    let form = format!("/parent/ensembles/{}/apply", strand.slug);
    // Another family's child: 404, nothing made.
    let theirs = other.children[0].to_string();
    let r = parent
        .submit(
            &form,
            &form,
            &[("pupil", &theirs), ("instrument", "Voice"), ("grade", "0")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(store.ensemble_applications(strand.id).await.unwrap().is_empty());
    let child = family.children[0].to_string();
    let r = parent
        .submit(
            &form,
            &form,
            &[("pupil", &child), ("instrument", "Voice"), ("grade", "0")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/basket");
    let (_, basket) = parent.get_text("/basket").await;
    assert!(basket.contains("Online Theory Strand"), "{basket}");
    assert!(basket.contains("£20.00"), "{basket}");
    // Paid through the card provider's page.
    let r = parent.submit("/basket", "/basket/checkout", &[]).await;
    let hosted = location(&r);
    let r = parent.submit(&hosted, &format!("{hosted}/pay"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let user = store.user_by_email(&family.email).await.unwrap().unwrap();
    let places = store.strand_places_of(&PupilScope::for_user(&user)).await.unwrap();
    assert_eq!(places.len(), 1);
    assert_eq!((places[0].status.as_str(), places[0].amount_pence), ("paid", 2_000));

    // The term's run does not bill it again.
    let plan = store
        .plan_billing(tutti_domain::calendar::TermId::parse("2026-autumn").unwrap(), DAY)
        .await
        .unwrap();
    assert!(plan.invoices.is_empty(), "{plan:?}");
}
