//! A fresh hub's first run and its identity: setup with the one-time code (refused without
//! it, gone after it), the settings page and `GET`/`PUT /api/v1/hub`, the logo, and a crawl of
//! every public page of a fresh hub finding none of the demo hub's place names.
use std::collections::{BTreeSet, VecDeque};

use reqwest::StatusCode;
use time::macros::date;
use tutti_domain::calendar::AcademicYear;
use tutti_store::platform::audit::AuditFilter;
use tutti_store::testing::world::{PASSWORD, a_family, a_school, a_teacher, an_admin};
use tutti_web::WebConfig;

use crate::on_both_backends;
use crate::support::{Backend, TestApp, csrf_token, location};

on_both_backends!(
    setup_needs_the_code_and_is_gone_once_done,
    the_identity_through_the_api,
    the_settings_page_saves_the_identity,
    a_logo_is_uploaded_checked_and_served,
    no_page_of_a_fresh_hub_names_the_demo_s_places
);

/// A Wednesday in the autumn term of 2026-27.
const DAY: time::Date = date!(2026 - 09 - 16);
const HUB: &str = "Upper Vale Music Hub";

async fn fresh(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_empty_with(backend, WebConfig::default(), DAY).await
}

/// The setup form's fields with `code`, a hub name and a first admin.
fn setup_fields<'a>(code: &'a str, hub: &'a str, password: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("code", code),
        ("hub_name", hub),
        ("name", "Ada Office"),
        ("email", "Ada@Upper-Vale.example"),
        ("password", password),
    ]
}

async fn setup_needs_the_code_and_is_gone_once_done(backend: Backend) {
    let Some(app) = fresh(backend).await else { return };
    let b = app.browser();
    let first = app
        .store
        .issue_setup_code()
        .await
        .unwrap()
        .expect("no admin yet: a code");

    // Without the code, or with a wrong one, a plain refusal that says nothing of admins.
    for path in ["/setup", "/setup?code=", "/setup?code=forged"] {
        let (status, html) = b.get_text(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(html.contains("This setup link is not valid"), "{path}");
        assert!(!html.to_lowercase().contains("admin"), "{path} says nothing of admins");
    }
    // A restart gives a new code; the old one stops working.
    let code = app.store.issue_setup_code().await.unwrap().unwrap();
    assert_ne!(code, first);
    let (status, _) = b.get_text(&format!("/setup?code={first}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the replaced code");
    // A post without the form's token is refused before anything; with it and a wrong code too.
    let r = b
        .post_raw("/setup", &setup_fields(&code, HUB, "a fine passphrase"))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = b
        .submit("/login", "/setup", &setup_fields(&first, HUB, "a fine passphrase"))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(app.store.needs_setup().await.unwrap());

    // The live code shows the form; its fields are checked and named.
    let form = format!("/setup?code={code}");
    let (status, html) = b.get_text(&form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Set up your hub") && html.contains("name=\"hub_name\""));
    let r = b.submit(&form, "/setup", &setup_fields(&code, " ", "password")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"hub_name-error\"") && html.contains("Enter the hub&#39;s name"),
        "{html}"
    );
    assert!(html.contains("id=\"password-error\""));
    assert!(app.store.needs_setup().await.unwrap(), "a refused form makes nothing");

    let r = b
        .submit(&form, "/setup", &setup_fields(&code, HUB, "a fine passphrase"))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let html = r.text().await.unwrap();
    assert!(html.contains(&format!("{HUB} is set up")), "{html}");
    let admin = app
        .store
        .user_by_email("ada@upper-vale.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(admin.role, tutti_store::platform::accounts::Role::Admin);
    assert!(admin.email_verified);
    assert_eq!(app.store.hub_identity().await.unwrap().unwrap().identity.name, HUB);

    // Gone, for everyone, with any code; and no new code is given out.
    for path in [form.as_str(), "/setup", "/setup?code=forged"] {
        assert_eq!(b.get(path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let r = b
        .submit("/login", "/setup", &setup_fields(&code, "Another", "a fine passphrase"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.store.issue_setup_code().await.unwrap(), None);

    // Every page names the hub at once; the admin logs in (and is asked for a second factor).
    let (_, home) = b.get_text("/").await;
    assert!(home.contains(HUB) && home.contains(&format!("Music for every child, with {HUB}")));
    let r = b.login("ada@upper-vale.example", "a fine passphrase").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The year's charging policy: the default figures under the hub's name, to edit.
    let year = AcademicYear::containing(DAY);
    let policy = app.store.charging_policy(year).await.unwrap();
    assert_eq!(policy.revision, 1);
    assert_eq!(policy.policy.name, format!("{HUB} 2026-27"));
    let next = app.store.charging_policy(AcademicYear::starting(2027)).await.unwrap();
    assert_eq!(
        (next.revision, next.policy.name.as_str()),
        (0, "Upper Vale Music Hub 2027-28")
    );

    // Audited.
    let events = app
        .store
        .audit_events(&AuditFilter {
            entity: "hub_identity".into(),
            page: 1,
            per_page: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(events.total, 1);
    assert_eq!(events.rows[0].user_id, Some(admin.id));
}

async fn the_identity_through_the_api(backend: Backend) {
    let Some(app) = fresh(backend).await else { return };
    let admin = an_admin().create(&app.store).await;
    let school = a_school().create(&app.store).await;
    let family = a_family(&school).with_login(PASSWORD).create(&app.store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(&app.store).await;
    let admin_token = app.token(&admin.email).await;
    let parent_token = app.token(&family.email).await;
    let teacher_token = app.token(&teacher.user.unwrap().email).await;
    let c = reqwest::Client::new();
    let url = format!("{}/api/v1/hub", app.base);

    assert_eq!(c.get(&url).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let r = c.get(&url).bearer_auth(&parent_token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let hub: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        hub["name"], "Tutti Music Hub",
        "before it is saved, the configured name"
    );
    assert_eq!(hub["logo_url"], serde_json::Value::Null);

    let body = serde_json::json!({
        "name": HUB,
        "short_name": "Upper Vale",
        "contact_email": "office@upper-vale.example",
        "phone": "01632960000",
        "postal_address": "1 Mill Lane\nUpper Vale\nUV1 1AA",
        "charity_number": "1234567",
        "local_authorities": ["Upper Vale", "Lower Vale"],
        "home_intro": "Music in every school of the Vale."
    });
    for token in [&parent_token, &teacher_token] {
        let r = c.put(&url).bearer_auth(token).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }

    // A value not of its shape: 422, naming each field.
    let mut bad = body.clone();
    bad["name"] = " ".into();
    bad["phone"] = "call the office".into();
    bad["contact_email"] = "office at the hub".into();
    bad["home_heading"] = "x".repeat(121).into();
    let r = c.put(&url).bearer_auth(&admin_token).json(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = r.json().await.unwrap();
    let fields: BTreeSet<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        BTreeSet::from(["name", "phone", "contact_email", "home_heading"]),
        "{problem}"
    );
    // One authority twice, told apart only by case: a rule says no, naming the field.
    let mut twice = body.clone();
    twice["local_authorities"] = serde_json::json!(["Upper Vale", "upper vale"]);
    let r = c.put(&url).bearer_auth(&admin_token).json(&twice).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let problem: serde_json::Value = r.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "local_authorities", "{problem}");
    assert_eq!(app.store.hub_identity().await.unwrap(), None, "nothing was saved");

    // An anonymous visitor's home page is kept in memory; a save must not leave it stale.
    let anonymous = reqwest::Client::new();
    let before = anonymous.get(&app.base).send().await.unwrap().text().await.unwrap();
    assert!(before.contains("Tutti Music Hub"));
    let r = c.put(&url).bearer_auth(&admin_token).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let saved: serde_json::Value = r.json().await.unwrap();
    assert_eq!(saved["name"], HUB);
    assert_eq!(saved["phone"], "01632 960000", "the phone as people read it");
    assert_eq!(
        saved["local_authorities"],
        serde_json::json!(["Upper Vale", "Lower Vale"])
    );
    let after = anonymous.get(&app.base).send().await.unwrap().text().await.unwrap();
    assert!(
        after.contains(HUB) && !after.contains("Tutti Music Hub"),
        "the cached page was replaced"
    );
    assert!(after.contains("Music in every school of the Vale."));
    assert!(after.contains("Registered charity number 1234567") && after.contains("01632 960000"));
    let r = c.get(&url).bearer_auth(&teacher_token).send().await.unwrap();
    let read: serde_json::Value = r.json().await.unwrap();
    assert_eq!(read, saved);
    // Every field but the name may be left out, which clears it.
    let r = c
        .put(&url)
        .bearer_auth(&admin_token)
        .json(&serde_json::json!({ "name": HUB }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cleared: serde_json::Value = r.json().await.unwrap();
    assert_eq!(cleared["phone"], "");
    assert_eq!(
        cleared["short_name"], HUB,
        "the short name is the name when none is given"
    );
}

async fn the_settings_page_saves_the_identity(backend: Backend) {
    let Some(app) = fresh(backend).await else { return };
    let admin = an_admin().create(&app.store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(&app.store).await;
    let t = app.logged_in(&teacher.user.unwrap().email).await;
    assert_eq!(t.get("/admin/settings").await.status(), StatusCode::FORBIDDEN);

    let b = app.logged_in(&admin.email).await;
    let (status, html) = b.get_text("/admin/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Settings</h1>") && html.contains("value=\"Tutti Music Hub\""));
    let fields = |phone: &'static str, authorities: &'static str| {
        vec![
            ("name", HUB),
            ("short_name", ""),
            ("contact_email", "office@upper-vale.example"),
            ("phone", phone),
            ("postal_address", "1 Mill Lane\r\nUpper Vale"),
            ("charity_number", ""),
            ("local_authorities", authorities),
            ("home_heading", "Make music in the Vale"),
            ("home_intro", ""),
        ]
    };
    let r = b
        .submit(
            "/admin/settings",
            "/admin/settings",
            &fields("ring us", "Upper Vale\r\nupper vale"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("There is a problem"));
    assert!(html.contains("href=\"#phone\"") && html.contains("id=\"phone-error\""));
    assert!(html.contains("href=\"#local_authorities\"") && html.contains("Each local authority is listed once"));
    assert!(html.contains("value=\"ring us\""), "what was typed is kept");
    assert_eq!(app.store.hub_identity().await.unwrap(), None);

    let r = b
        .submit(
            "/admin/settings",
            "/admin/settings",
            &fields("0191 498 0000", "Upper Vale\r\n\r\nLower Vale"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/admin/settings");
    let (_, html) = b.get_text("/admin/settings").await;
    assert!(html.contains("The hub&#39;s settings are saved."), "{html}");
    assert!(html.contains(&format!("value=\"{HUB}\"")));
    assert!(html.contains("Upper Vale\nLower Vale"));
    let saved = app.store.hub_identity().await.unwrap().unwrap().identity;
    assert_eq!(saved.local_authorities, vec!["Upper Vale", "Lower Vale"]);
    // The frame of every page, the header and footer, names the hub; the home page says its words.
    let (_, home) = app.browser().get_text("/").await;
    assert!(home.contains(&format!("<title>Home – {HUB}</title>")));
    assert!(home.contains("<h1>Make music in the Vale</h1>"));
    assert!(home.contains("mailto:office@upper-vale.example") && home.contains("1 Mill Lane<br>Upper Vale"));
    // An error page too, drawn with no handler's help.
    let (status, missing) = app.browser().get_text("/no-such-page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(missing.contains(HUB));

    // The contact form writes to the address the hub publishes.
    let visitor = app.browser();
    let (_, html) = visitor.get_text("/contact").await;
    let token = csrf_token(&html).unwrap();
    let started = html
        .split("name=\"started\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    app.store.clock().advance(time::Duration::seconds(4));
    let r = visitor
        .post_raw(
            "/contact",
            &[
                ("csrf_token", token.as_str()),
                ("started", started.as_str()),
                ("name", "Alex Parent"),
                ("email", "alex@example.org"),
                ("topic", "Lessons"),
                ("message", "When does the brass group meet?"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (mail, _) = app.store.outbox_page(None, 1, 50).await.unwrap();
    let contact = mail.iter().find(|m| m.subject.starts_with("Contact form")).unwrap();
    assert_eq!(contact.to_address, "office@upper-vale.example");
}

/// A one-pixel PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

async fn a_logo_is_uploaded_checked_and_served(backend: Backend) {
    let Some(app) = fresh(backend).await else { return };
    let admin = an_admin().create(&app.store).await;
    let b = app.logged_in(&admin.email).await;
    let upload = |bytes: &'static [u8], name: &'static str| {
        let b = &b;
        async move {
            let (_, html) = b.get_text("/admin/settings").await;
            let token = csrf_token(&html).unwrap();
            let form = reqwest::multipart::Form::new()
                .text("csrf_token", token)
                .part("logo", reqwest::multipart::Part::bytes(bytes).file_name(name));
            b.client
                .post(format!("{}/admin/settings/logo", b.base))
                .multipart(form)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(app.browser().get("/hub/logo").await.status(), StatusCode::NOT_FOUND);

    // An SVG that would run a script is refused, beside the field.
    let r = upload(
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        "logo.svg",
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"logo-error\"") && html.contains("contains scripts"));
    let r = upload(b"GIF89a not a logo", "logo.gif").await;
    assert!(r.text().await.unwrap().contains("The logo must be an SVG or PNG image"));

    let svg: &'static [u8] =
        b"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'><circle cx='5' cy='5' r='4'/></svg>";
    let r = upload(svg, "logo.svg").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let anonymous = app.browser();
    let r = anonymous.get("/hub/logo").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("default-src 'none'") && csp.contains("sandbox"), "{csp}");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().as_ref(), svg);
    let (_, home) = anonymous.get_text("/").await;
    assert!(home.contains("<img class=\"brand-logo\" src=\"/hub/logo?v="), "{home}");

    // A PNG replaces it; the address changes with it, so no cache shows the old one.
    let r = upload(PNG, "logo.png").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = anonymous.get("/hub/logo").await;
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
    let (_, again) = anonymous.get_text("/").await;
    let version = |html: &str| html.split("/hub/logo?v=").nth(1).map(|s| s[..16].to_owned());
    assert_ne!(version(&home), version(&again));

    let r = b.submit("/admin/settings", "/admin/settings/logo/remove", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(anonymous.get("/hub/logo").await.status(), StatusCode::NOT_FOUND);
    let (_, home) = anonymous.get_text("/").await;
    assert!(!home.contains("brand-logo"));
}

/// Every page of the site an anonymous visitor reaches from the home page and the sitemap,
/// with the feeds, the forms and the error pages: what each says.
async fn crawl(app: &TestApp) -> Vec<(String, StatusCode, String)> {
    let b = app.browser();
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = [
        "/",
        "/sitemap",
        "/sitemap.xml",
        "/robots.txt",
        "/news/feed.atom",
        "/podcast/feed.xml",
        "/search?q=music",
        "/contact",
        "/login",
        "/signup",
        "/forgot-password",
        "/basket",
        "/no-such-page-anywhere",
        "/files/999/none.pdf",
        "/setup",
        "/setup?code=forged",
        "/reset-password?token=forged",
        "/account",
        "/api/openapi.json",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let mut pages = Vec::new();
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) || seen.len() > 300 {
            continue;
        }
        let (status, body) = b.get_text(&path).await;
        for link in body.split("href=\"").skip(1) {
            let link = &link[..link.find('"').unwrap_or(0)];
            let link = link.strip_prefix(&app.base).unwrap_or(link).replace("&amp;", "&");
            if link.starts_with('/') && !link.starts_with("//") && !link.starts_with("/static/") {
                queue.push_back(link.split('#').next().unwrap_or_default().to_owned());
            }
        }
        pages.push((path, status, body));
    }
    pages
}

fn demo_places_on(pages: &[(String, StatusCode, String)]) -> Vec<String> {
    let places = tutti_store::demo::place_names();
    pages
        .iter()
        .flat_map(|(path, _, body)| {
            places
                .iter()
                .filter(|p| body.contains(*p))
                .map(move |p| format!("{path} says {p}"))
        })
        .collect()
}

async fn no_page_of_a_fresh_hub_names_the_demo_s_places(backend: Backend) {
    let Some(app) = fresh(backend).await else { return };
    let places = tutti_store::demo::place_names();
    assert!(places.contains(&"County Durham") && places.contains(&"Chester-le-Street"));

    // Before setup: the starter site under the configured name.
    let before = crawl(&app).await;
    let paths: BTreeSet<&str> = before.iter().map(|(p, _, _)| p.as_str()).collect();
    for wanted in [
        "/about",
        "/learning",
        "/privacy",
        "/terms",
        "/accessibility",
        "/news",
        "/faqs",
    ] {
        assert!(paths.contains(wanted), "the crawl reached {wanted}: {paths:?}");
    }
    assert!(
        before.iter().any(|(_, s, _)| *s == StatusCode::NOT_FOUND)
            && before.iter().any(|(_, s, _)| *s == StatusCode::FORBIDDEN),
        "error pages were crawled"
    );
    assert_eq!(demo_places_on(&before), Vec::<String>::new());
    let (_, home) = app.browser().get_text("/").await;
    assert!(home.contains("Tutti Music Hub"));

    // After setup: the same site, naming the hub.
    let code = app.store.issue_setup_code().await.unwrap().unwrap();
    let b = app.browser();
    let form = format!("/setup?code={code}");
    let r = b
        .submit(&form, "/setup", &setup_fields(&code, HUB, "a fine passphrase"))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let after = crawl(&app).await;
    assert_eq!(demo_places_on(&after), Vec::<String>::new());
    let (_, home) = app.browser().get_text("/").await;
    assert!(home.contains(HUB));
    for (path, status, body) in &after {
        if status.is_success() && body.contains("<html") {
            assert!(body.contains(HUB), "{path} names the hub");
        }
    }
    // And the charging policy the office finds names the hub, not another.
    let year = AcademicYear::containing(DAY);
    let policy = app.store.charging_policy(year).await.unwrap().policy;
    assert!(!places.iter().any(|p| policy.name.contains(p)), "{}", policy.name);
}
