//! Search over HTTP (decision 0078): the public /search page finds every word of a query,
//! stemmed, podcast episodes included, with snippets, pages and help when nothing is found;
//! the office's /admin/search finds records by the starts of words, archived ones only when
//! asked, and no one else reaches it.
use reqwest::StatusCode;
use time::macros::date;
use tutti_store::content::Kind;
use tutti_store::content::files::Purpose;
use tutti_store::platform::audit::Actor;
use tutti_store::testing::world::{
    PASSWORD, a_family, a_page, a_school, a_school_contact, a_teacher, an_admin, an_ensemble, an_event,
};

use crate::on_both_backends;
use crate::support::{Backend, TestApp};

on_both_backends!(
    the_public_search_finds_every_word_and_episodes,
    the_public_search_pages_and_helps,
    the_office_finds_records_as_it_types
);

const DAY: time::Date = date!(2026 - 11 - 10);

async fn the_public_search_finds_every_word_and_episodes(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    a_page(Kind::Page, "Axolotl violin tuition")
        .saying("Every axolotl lesson is taught by a specialist.")
        .create(&app.store)
        .await;
    a_page(Kind::News, "Axolotl orchestra")
        .saying("The axolotl orchestra needs a harpist.")
        .create(&app.store)
        .await;
    let audio = app
        .store
        .store_content_file(Purpose::Audio, "episode.mp3", b"ID3\x04 an episode")
        .await
        .unwrap();
    a_page(Kind::Podcast, "Axolotl singing")
        .saying("We warm up with axolotl breathing <b>exercises</b>.")
        .with(|d| d.file_id = Some(audio))
        .create(&app.store)
        .await;
    let b = app.browser();

    // Two words, one of them in another form: the page that has both, not the one with one.
    let (status, html) = b.get_text("/search?q=axolotl+violin+lessons").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("1 result for"), "{html}");
    assert!(html.contains("Axolotl violin tuition"));
    assert!(!html.contains("Axolotl orchestra"));
    assert!(
        html.contains("<mark>lesson</mark>"),
        "the matched word is marked: {html}"
    );

    // Podcast episodes are searched; their words are escaped, never markup.
    let (_, html) = b.get_text("/search?q=breathing+exercise").await;
    assert!(html.contains("Axolotl singing"), "{html}");
    assert!(html.contains("Podcast episode"));
    assert!(!html.contains("<b>exercises</b>"));

    // Every kind at once, best first: the title's words above the body's.
    let (_, html) = b.get_text("/search?q=axolotl").await;
    assert!(html.contains("3 results for"), "{html}");
    let (_, html) = b.get_text("/search?q=orchestra").await;
    assert!(html.contains("Axolotl orchestra"));

    // Ensembles and events to come are found with the pages, and link to their own pages
    // (decision 0091).
    let ensemble = an_ensemble("Axolotl Youth Strings").create(&app.store).await;
    an_event()
        .titled("Axolotl carol concert")
        .in_days(12)
        .create(&app.store)
        .await;
    let (_, html) = b.get_text("/search?q=axolotl").await;
    assert!(html.contains("5 results for"), "{html}");
    assert!(
        html.contains(&format!("href=\"/ensembles/{}\"", ensemble.slug)),
        "{html}"
    );
    assert!(html.contains("href=\"/events/axolotl-carol-concert"), "{html}");
    assert!(html.contains("Event, Sunday 22 November 2026"), "{html}");
    assert!(html.contains(">Ensemble<"), "{html}");
}

async fn the_public_search_pages_and_helps(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    for n in 0..23 {
        a_page(Kind::News, &format!("Pangolin notice {n}"))
            .saying("A pangolin notice.")
            .create(&app.store)
            .await;
    }
    let b = app.browser();
    let (_, html) = b.get_text("/search?q=pangolin").await;
    assert!(html.contains("23 results for “pangolin”"), "{html}");
    assert!(html.contains("Page 1 of 2"));
    assert!(html.contains("/search?q=pangolin&amp;page=2"));
    let (_, html) = b.get_text("/search?q=pangolin&page=2").await;
    assert!(html.contains("Page 2 of 2"));
    assert_eq!(html.matches("Pangolin notice").count(), 3, "{html}");
    // A page that is not a number is the first.
    let (status, _) = b.get_text("/search?q=pangolin&page=x").await;
    assert_eq!(status, StatusCode::OK);

    // Nothing found: the query echoed, and help.
    let (_, html) = b.get_text("/search?q=pangolin+zeppelin").await;
    assert!(html.contains("0 results for “pangolin zeppelin”"), "{html}");
    assert!(html.contains("Nothing on the site has all of those words"));
    assert!(html.contains("value=\"pangolin zeppelin\""));
}

async fn the_office_finds_records_as_it_types(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let school = a_school().named("Quillfeather Primary").create(&app.store).await;
    let family = a_family(&school)
        .surname("Brownrigg")
        .first_child("Amelia", date!(2017 - 03 - 01))
        .with_login(PASSWORD)
        .create(&app.store)
        .await;
    let gone = a_family(&school)
        .surname("Brownrigg")
        .first_child("Amerie", date!(2018 - 03 - 01))
        .create(&app.store)
        .await;
    let admin = an_admin().create(&app.store).await.email;
    let office = app.logged_in(&admin).await;

    let (status, html) = office.get_text("/admin/search?q=ame+bro").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("2 records for"), "{html}");
    assert!(html.contains(&format!("/admin/pupils/{}", family.children[0])));
    assert!(html.contains("Amerie Brownrigg"));

    // Archived: gone unless asked for, then marked.
    app.store.archive_pupil(&Actor::cli(), gone.children[0]).await.unwrap();
    let (_, html) = office.get_text("/admin/search?q=ame+bro").await;
    assert!(html.contains("1 record for"), "{html}");
    assert!(!html.contains("Amerie"));
    let (_, html) = office.get_text("/admin/search?q=ame+bro&archived=1").await;
    assert!(html.contains("Amerie Brownrigg") && html.contains("Archived"), "{html}");
    // Schools, by kind.
    let (_, html) = office.get_text("/admin/search?q=quill&kind=school").await;
    assert!(
        html.contains("1 record for") && html.contains("Quillfeather Primary"),
        "{html}"
    );

    // A parent, a teacher and a school never reach it.
    let parent = app.logged_in(&family.email).await;
    let teacher = a_teacher().with_login(PASSWORD).create(&app.store).await;
    let teacher = app.logged_in(&teacher.user.unwrap().email).await;
    let contact = a_school_contact(&school).create(&app.store).await;
    let contact = app.logged_in(&contact.email).await;
    for who in [&parent, &teacher, &contact, &app.browser()] {
        let (status, html) = who.get_text("/admin/search?q=ame+bro").await;
        assert!(
            matches!(
                status,
                StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::SEE_OTHER
            ),
            "{status}"
        );
        assert!(!html.contains("Brownrigg"));
    }
}
