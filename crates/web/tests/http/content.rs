//! The public site's content over HTTP: managed pages, lists, feeds, caching, the contact
//! form, and the admin editor.
use reqwest::StatusCode;
use time::macros::date;
use tutti_store::content::Kind;
use tutti_store::content::files::Purpose;
use tutti_store::testing::world::{PASSWORD, a_family, a_page, a_school, an_admin};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, csrf_token, declared_only, location};

on_both_backends!(
    demo_site_fills_the_menu,
    public_pages_are_cacheable,
    lists_feeds_and_sitemaps,
    episodes_count_people_not_bots,
    contact_form_reaches_the_outbox_and_keeps_spam_out,
    admin_edits_pages_with_preview_and_redirects,
    uploads_are_checked_and_served,
    the_main_menu_is_the_content_tree,
);

const BROWSER_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Firefox/128.0";

/// A Tuesday in the autumn term, the day these tests happen on.
const DAY: time::Date = date!(2026 - 11 - 10);

/// An MP3 file's first bytes: an ID3 tag and a frame header.
fn mp3() -> Vec<u8> {
    let mut mp3 = b"ID3\x04\x00\x00\x00\x00\x00\x00".to_vec();
    mp3.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
    mp3.extend(std::iter::repeat_n(0u8, 413));
    mp3
}

/// A page under the starter page at `parent` (a hub's first pages: about, learning...).
async fn a_page_under(app: &TestApp, parent: &str, title: &str, body: &str) {
    let parent = app.store.content_at(parent).await.unwrap().unwrap();
    a_page(Kind::Page, title)
        .under(parent.id)
        .saying(body)
        .create(&app.store)
        .await;
}

/// The public site's content the list, feed and search tests read, built on the starter
/// pages a new hub has: pages under About and Learning, resources for two year groups, an
/// open and a closed vacancy, a question and answer, news, a podcast episode with its audio
/// and a policy as a PDF.
async fn a_site(app: &TestApp) {
    let store = &app.store;
    a_page_under(app, "learning", "Prices", "A group lesson is £53.50 a term.").await;
    a_page_under(app, "about", "Trustees", "Our chair is Margaret Hull.").await;
    for (title, year) in [("Rounds: London", "year-3"), ("Sleeping bunnies", "fifteen-minutes")] {
        a_page(Kind::Resource, title)
            .with(|d| d.year_group = Some(year.into()))
            .create(store)
            .await;
    }
    a_page(Kind::Vacancy, "Brass teacher 0.6 FTE")
        .with(|d| d.closes_on = Some(date!(2099 - 01 - 31)))
        .create(store)
        .await;
    a_page(Kind::Vacancy, "Office administrator")
        .with(|d| {
            d.slug = "office-administrator-closed".into();
            d.closes_on = Some(date!(2020 - 01 - 31));
        })
        .create(store)
        .await;
    a_page(Kind::Faq, "What does a group lesson cost?")
        .saying("£37.50 a term for a pupil on free school meals.")
        .with(|d| d.category = Some("Charges".into()))
        .create(store)
        .await;
    a_page(Kind::News, "Ukulele club starts")
        .saying("Every Friday after school.")
        .create(store)
        .await;
    let audio = store
        .store_content_file(Purpose::Audio, "breathing.mp3", &mp3())
        .await
        .unwrap();
    a_page(Kind::Podcast, "Breathing for singers")
        .with(|d| {
            d.episode_number = Some(1);
            d.file_id = Some(audio);
        })
        .create(store)
        .await;
    let pdf = store
        .store_content_file(Purpose::Document, "charging.pdf", b"%PDF-1.4\n%%EOF\n")
        .await
        .unwrap();
    a_page(Kind::Document, "Charging and remissions policy")
        .with(|d| {
            d.category = Some("policy".into());
            d.file_id = Some(pdf);
        })
        .create(store)
        .await;
}

/// An office admin, logged in.
async fn admin(app: &TestApp) -> crate::support::Browser {
    let admin = an_admin().create(&app.store).await;
    app.logged_in(&admin.email).await
}

/// The demo hub's site, as `--demo` seeds it: this test is about the demo.
async fn demo_site_fills_the_menu(backend: Backend) {
    let Some(app) = TestApp::spawn_on(backend, DAY).await else {
        return;
    };
    let b = app.browser();
    for (path, words) in [
        ("/about", "The trust"),
        ("/about/trustees", "Margaret Hull"),
        ("/service/mission", "Our objectives"),
        // The year's price table from the policy (the demo saves none: "not yet published").
        ("/learning/prices", "Prices for 20"),
        ("/learning/how-lessons-work", "at least 24 lessons"),
        ("/learning/instruments", "euphonium"),
        ("/learning/playing-tips", "Little and often"),
        ("/learning/ensembles", "County Youth Orchestra"),
        ("/learning/progress-map", "Year 6"),
        ("/virtual-music-centre/strands", "Theory Club"),
        ("/early-years/songs-at-home", "Wind the Bobbin Up"),
        ("/service/cpd", "Singing every day"),
        ("/service/schools", "34% in the autumn term"),
        ("/contact", "Send us a message"),
    ] {
        let (status, html) = b.get_text(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains(words), "{path} mentions {words}");
        assert_eq!(html.matches("<h1").count(), 1, "one h1 on {path}");
    }
    let (_, html) = b.get_text("/learning/prices").await;
    assert!(html.contains("aria-label=\"Breadcrumb\"") && html.contains("href=\"/learning\""));
    assert!(html.contains("Published") && html.contains("Last updated") && html.contains("Author"));
    assert!(html.contains("mailto:?subject=") && html.contains("property=\"og:title\""));
    assert!(!html.contains("<script"), "no scripts on content pages");
    // Seeding again adds nothing, and an older demo database without content gets it.
    assert_eq!(
        app.store
            .seed_demo(1, tutti_store::demo::DemoSize::SMALL)
            .await
            .unwrap(),
        tutti_store::demo::Seeded::AlreadyPresent
    );
    let (_, again) = b.get_text("/news").await;
    assert_eq!(again.matches("class=\"entries\"").count(), 1);
}

async fn public_pages_are_cacheable(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let b = app.browser();
    for path in ["/", "/about", "/news", "/resources?year=year-3", "/sitemap.xml"] {
        let r = b.get(path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let cache = r.headers()["cache-control"].to_str().unwrap().to_owned();
        assert!(cache.starts_with("public"), "{path}: {cache}");
        let etag = r.headers()["etag"].to_str().unwrap().to_owned();
        let again = b
            .client
            .get(format!("{}{path}", b.base))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
    }
    // A page already in memory is answered before the session layer, with the same body and
    // every security header still on it.
    let (_, first) = b.get_text("/about").await;
    let hit = b.get("/about").await;
    for h in [
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "etag",
    ] {
        assert!(hit.headers().contains_key(h), "a cached page carries {h}");
    }
    assert!(hit.headers()["cache-control"].to_str().unwrap().starts_with("public"));
    assert_eq!(hit.text().await.unwrap(), first);
    // A signed-in visitor's pages carry their name: never shared.
    let admin = admin(&app).await;
    let r = admin.get("/about").await;
    assert!(r.headers()["cache-control"].to_str().unwrap().starts_with("private"));
    assert!(r.text().await.unwrap().contains("Log out"));
}

async fn lists_feeds_and_sitemaps(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    a_site(&app).await;
    let b = app.browser();
    let (_, year3) = b.get_text("/resources?year=year-3").await;
    assert!(year3.contains("Rounds: London") && !year3.contains("Sleeping bunnies"));
    let (_, all) = b.get_text("/resources").await;
    assert!(all.contains("Sleeping bunnies") && all.contains("15 minutes of music"));
    let (_, vacancies) = b.get_text("/vacancies").await;
    assert!(vacancies.contains("Brass teacher") && !vacancies.contains("Office administrator"));
    let (status, _) = b.get_text("/vacancies/office-administrator-closed").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "closed vacancies disappear");
    let (_, faqs) = b.get_text("/faqs").await;
    assert!(faqs.contains("£37.50") && faqs.contains("Charges"));
    let (_, search) = b.get_text("/search?q=ukulele").await;
    assert!(search.contains("result") && search.contains("/episodes") || search.contains("/news/"));
    let (_, search) = b.get_text("/search?q=brass%20teacher").await;
    assert!(search.contains("/vacancies/brass-teacher-0-6-fte"));
    let (_, search) = b.get_text("/search?q=%25%25%25").await;
    assert!(search.contains("0 results"), "wildcards are literal");

    let r = b.get("/news/feed.atom").await;
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let atom = r.text().await.unwrap();
    assert!(atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">") && atom.contains("<entry>"));
    let rss = b.get("/podcast/feed.xml").await.text().await.unwrap();
    assert!(rss.contains("<enclosure url=\"http://") && rss.contains("type=\"audio/mpeg\""));
    let enclosure = rss
        .split("<enclosure url=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let path = &enclosure[enclosure.find("/files/").unwrap()..];
    let audio = b.get(path).await;
    assert_eq!(audio.status(), StatusCode::OK);
    assert_eq!(audio.headers()["content-type"], "audio/mpeg");
    let sitemap = b.get("/sitemap.xml").await.text().await.unwrap();
    assert!(sitemap.contains("/learning/prices</loc>") && sitemap.contains("/news/"));
    let robots = b.get("/robots.txt").await.text().await.unwrap();
    assert!(robots.contains("Sitemap: http://") && robots.contains("Disallow: /admin"));
    let (_, page) = b.get_text("/sitemap").await;
    assert!(page.contains("href=\"/about/trustees\"") && page.contains("href=\"/vacancies\""));
    let (_, docs) = b.get_text("/reports-and-policies").await;
    assert!(docs.contains("Charging and remissions policy") && docs.contains("(PDF,"));
}

async fn episodes_count_people_not_bots(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    // Two episodes, the ninth watched once already.
    for (n, slug) in [(9, "episode-9-singalong"), (10, "episode-10-rhythm-body-percussion")] {
        let item = a_page(Kind::Episode, &format!("Episode {n}"))
            .with(|d| {
                d.slug = slug.into();
                d.episode_number = Some(n);
                d.day_theme = Some("friday".into());
                d.video_url = Some(format!("https://video.hub.example/music-at-home/{n}"));
            })
            .create(&app.store)
            .await;
        if n == 9 {
            app.store.content_count_view(item.id).await.unwrap();
        }
    }
    let b = app.browser();
    let (_, list) = b.get_text("/episodes").await;
    assert!(list.contains("Latest") && list.contains("Most watched"));
    let path = "/episodes/episode-10-rhythm-body-percussion";
    let views = |app: &TestApp| {
        let store = app.store.clone();
        async move { store.content_at(&path[1..]).await.unwrap().unwrap().views }
    };
    let before = views(&app).await;
    let r = b
        .client
        .get(format!("{}{path}", b.base))
        .header("user-agent", BROWSER_UA)
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(
        !html.contains("video.hub.example"),
        "no video link before the visitor asks"
    );
    assert!(html.contains("?play=1"));
    // The page is now in memory; a second person is still counted.
    b.client
        .get(format!("{}{path}", b.base))
        .header("user-agent", BROWSER_UA)
        .send()
        .await
        .unwrap();
    b.client
        .get(format!("{}{path}", b.base))
        .header("user-agent", "Googlebot/2.1")
        .send()
        .await
        .unwrap();
    assert_eq!(views(&app).await, before + 2, "both people counted, the bot not");
    let (_, played) = b.get_text(&format!("{path}?play=1")).await;
    assert!(played.contains("https://video.hub.example/music-at-home/10"));
}

async fn contact_form_reaches_the_outbox_and_keeps_spam_out(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let b = app.browser();
    let (_, html) = b.get_text("/contact").await;
    let token = csrf_token(&html).unwrap();
    let started = html
        .split("name=\"started\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let fields = |website: &'static str, message: &'static str| {
        vec![
            ("csrf_token", token.clone()),
            ("started", started.clone()),
            ("name", "Alex Parent".to_owned()),
            ("email", "alex@example.org".to_owned()),
            ("topic", "Lessons".to_owned()),
            ("message", message.to_owned()),
            ("website", website.to_owned()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let b = &b;
        async move {
            b.client
                .post(format!("{}/contact", b.base))
                .form(&f)
                .send()
                .await
                .unwrap()
        }
    };
    // Too fast: a script. Thanked, but nothing is queued.
    let r = post(fields("", "Sent at once")).await;
    assert_eq!(r.status(), StatusCode::OK);
    // Missing fields are explained next to the field.
    let r = post(fields("", "")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Enter your message"));
    // A person takes a few seconds to write: the hub's clock moves on.
    app.store.clock().advance(time::Duration::seconds(4));
    let r = post(fields("http://spam.example", "Honeypot filled")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = post(fields("", "When does the brass group meet?")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("your message has been sent"));
    let (mail, _) = app.store.outbox_page(None, 1, 50).await.unwrap();
    let contact: Vec<_> = mail.iter().filter(|m| m.subject.starts_with("Contact form")).collect();
    assert_eq!(contact.len(), 1, "only the person's message is queued");
    assert!(contact[0].body.contains("When does the brass group meet?"));
    // Without the session's token the form is refused.
    let stranger = app.browser();
    let r = stranger.post_raw("/contact", &[("name", "x"), ("message", "y")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn admin_edits_pages_with_preview_and_redirects(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    a_page_under(&app, "learning", "Prices", "A group lesson is £53.50 a term.").await;
    let school = a_school().create(&app.store).await;
    let family = a_family(&school).with_login(PASSWORD).create(&app.store).await;
    let anon = app.browser();
    let r = anon.get("/admin/content").await;
    assert!(location(&r).starts_with("/login"));
    let parent = app.logged_in(&family.email).await;
    assert_eq!(parent.get("/admin/content").await.status(), StatusCode::FORBIDDEN);

    let admin = admin(&app).await;
    let (status, list) = admin.get_text("/admin/content?kind=page").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("/learning/prices"));
    let about = app.store.content_at("about").await.unwrap().unwrap();
    // Preview renders the Markdown, with raw HTML shown as text.
    let r = admin
        .submit(
            "/admin/content/new?kind=page",
            "/admin/content/new",
            &[
                ("kind", "page"),
                ("title", "Summer school"),
                ("parent_id", &about.id.to_string()),
                ("body", "## Dates\n\n<script>alert(1)</script>"),
                ("published", "yes"),
                ("action", "preview"),
            ],
        )
        .await;
    let html = r.text().await.unwrap();
    assert!(html.contains("<h2>Dates</h2>") && html.contains("&lt;script&gt;") && !html.contains("<script>"));
    let r = admin
        .submit(
            "/admin/content/new?kind=page",
            "/admin/content/new",
            &[
                ("kind", "page"),
                ("title", "Summer school"),
                ("parent_id", &about.id.to_string()),
                ("body", "Join us in August."),
                ("published", "yes"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let edit = location(&r);
    let (status, page) = anon.get_text("/about/summer-school").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Join us in August."));
    // A new slug keeps the old address working.
    let r = admin
        .submit(
            &edit,
            &edit,
            &[
                ("kind", "page"),
                ("title", "Summer school"),
                ("slug", "summer-school-2026"),
                ("parent_id", &about.id.to_string()),
                ("body", "Join us in August."),
                ("published", "yes"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = anon.get("/about/summer-school").await;
    assert_eq!(r.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(location(&r), "/about/summer-school-2026");
    // A reserved or taken address is refused next to the field.
    let r = admin
        .submit(
            "/admin/content/new?kind=page",
            "/admin/content/new",
            &[("kind", "page"), ("title", "News"), ("body", "x"), ("action", "save")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Drafts stay private.
    let r = admin
        .submit(
            "/admin/content/new?kind=news",
            "/admin/content/new",
            &[
                ("kind", "news"),
                ("title", "Secret plans"),
                ("body", "Not yet"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(anon.get("/news/secret-plans").await.status(), StatusCode::NOT_FOUND);
}

async fn uploads_are_checked_and_served(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let admin = admin(&app).await;
    let r = admin
        .submit(
            "/admin/content/new?kind=podcast",
            "/admin/content/new",
            &[
                ("kind", "podcast"),
                ("title", "Breathing for singers"),
                ("episode_number", "4"),
                ("body", "Breathe low."),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "a draft needs no file yet");
    let edit = location(&r);
    let (_, html) = admin.get_text(&edit).await;
    let token = csrf_token(&html).unwrap();
    let upload = |bytes: Vec<u8>, name: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", token.clone())
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
        admin
            .client
            .post(format!("{}{edit}/file", admin.base))
            .multipart(form)
            .send()
    };
    let r = upload(b"<html>not audio</html>".to_vec(), "fake.mp3").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("must be an MP3"));
    let mp3 = mp3();
    // An hour-long episode is far beyond a form's 4 MB and is accepted; a file over the
    // store's limit is refused with the sizes named, and the form around it is not lost.
    let mut long = mp3.clone();
    long.resize(20 * 1024 * 1024, 0x55);
    let r = upload(long, "Long.mp3").await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "a 20 MB episode is accepted");
    let mut huge = mp3.clone();
    huge.resize(tutti_store::content::files::MAX_AUDIO_BYTES + 1, 0x55);
    let r = upload(huge, "Huge.mp3").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("the largest allowed is 60.0 MB"));
    let r = upload(mp3.clone(), "Breathing (take 2).mp3").await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Anywhere else a body declared over the limit is refused before a byte of it is read:
    // the answer comes with only the headers sent.
    {
        let form = [("Content-Type", "application/x-www-form-urlencoded")];
        let answer = declared_only(&admin.base, "/contact", &form, 5 * 1024 * 1024).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        // Sent by someone not logged in, whose limit is smaller still.
        assert!(
            answer.contains("at most 256 KB is accepted here without logging in"),
            "{answer}"
        );
    }
    let id: i64 = edit.rsplit('/').next().unwrap().parse().unwrap();
    let item = app.store.content_item(id).await.unwrap().unwrap();
    let file = item.file_id.unwrap();
    let anon = app.browser();
    // Not served while the episode is a draft.
    assert_eq!(
        anon.get(&format!("/files/{file}/Breathing--take-2-.mp3"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let mut draft = tutti_store::content::Draft::from_item(&item);
    draft.published = true;
    app.store.save_content(Some(id), &draft).await.unwrap();
    let r = anon.get(&format!("/files/{file}/Breathing--take-2-.mp3")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().to_vec(), mp3);
}

/// The links in the main menu of a page, as (address, label).
fn main_menu(html: &str) -> Vec<(String, String)> {
    let start = html.find("aria-label=\"Main\"").expect("a main menu");
    let nav = &html[start..start + html[start..].find("</ul>").unwrap()];
    nav.split("<a href=\"")
        .skip(1)
        .map(|a| {
            let (href, rest) = a.split_once('"').unwrap();
            let label = &rest[rest.find('>').unwrap() + 1..rest.find("</a>").unwrap()];
            (href.to_owned(), label.to_owned())
        })
        .collect()
}

async fn the_main_menu_is_the_content_tree(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let anon = app.browser();
    let (_, home) = anon.get_text("/").await;
    let menu = main_menu(&home);
    assert_eq!(menu.first().map(|m| m.1.as_str()), Some("About"), "{menu:?}");
    assert!(menu.iter().any(|(a, l)| a == "/contact" && l == "Contact"), "{menu:?}");
    assert!(
        menu.iter().all(|(a, _)| a != "/privacy"),
        "legal pages stay out of the menu"
    );

    let admin = admin(&app).await;
    let about = app.store.content_at("about").await.unwrap().unwrap();
    let save = |fields: Vec<(&'static str, String)>| {
        let admin = &admin;
        async move {
            let mut form = vec![
                ("kind", "page".to_owned()),
                ("published", "yes".to_owned()),
                ("action", "save".to_owned()),
            ];
            form.extend(fields);
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            admin
                .submit("/admin/content/new?kind=page", "/admin/content/new", &pairs)
                .await
        }
    };
    // A label on a page under another is refused, naming the field.
    let r = save(vec![
        ("title", "Summer school".into()),
        ("parent_id", about.id.to_string()),
        ("menu_title", "Summer".into()),
    ])
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Only a top-level page can be in the main menu")
    );
    // A new top-level page with a label is in the menu at once, where its position puts it.
    let r = save(vec![
        ("title", "Ensembles and bands".into()),
        ("menu_title", "Ensembles".into()),
        ("position", "15".into()),
    ])
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let edit = location(&r);
    let (_, page) = anon.get_text("/ensembles-and-bands").await;
    let menu = main_menu(&page);
    let at = menu
        .iter()
        .position(|(a, _)| a == "/ensembles-and-bands")
        .expect("in the menu");
    assert_eq!(menu[at].1, "Ensembles");
    assert_eq!(menu[at - 1].1, "About", "position 15 comes after About (10): {menu:?}");
    assert!(page.contains("aria-current=\"page\">Ensembles<"));
    // Clearing the label takes it out again.
    let r = admin
        .submit(
            &edit,
            &edit,
            &[
                ("kind", "page"),
                ("title", "Ensembles and bands"),
                ("position", "15"),
                ("menu_title", ""),
                ("published", "yes"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, home) = anon.get_text("/").await;
    assert!(main_menu(&home).iter().all(|(a, _)| a != "/ensembles-and-bands"));
}
