//! The one search index on both backends (decision 0078): every word required, stemmed,
//! ranked with titles first, podcast episodes found, kept in step as content is edited,
//! unpublished and deleted; the office's record search by word starts, archived records only
//! when asked, a school's new name in its pupils' words.
use time::macros::date;
use tutti_domain::clock::Clock;
use tutti_store::content::Kind;
use tutti_store::content::files::Purpose;
use tutti_store::platform::audit::Actor;
use tutti_store::records::search::{Found, RecordSearch};
use tutti_store::testing::world::{a_family, a_page, a_school, an_ensemble, an_event};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

on_both_backends!(
    site_search_finds_every_word_stemmed_and_ranked,
    site_search_keeps_in_step,
    site_search_finds_ensembles_and_events_to_come,
    record_search_by_word_starts
);

async fn store_on(backend: TestBackend) -> Option<(TestDatabase, Store)> {
    let db = TestDatabase::create(backend).await?;
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 01)));
    store.migrate().await.unwrap();
    Some((db, store))
}

async fn titles(store: &Store, q: &str) -> Vec<String> {
    store
        .content_search(q, 1, 50)
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|h| h.title().to_owned())
        .collect()
}

async fn site_search_finds_every_word_stemmed_and_ranked(backend: TestBackend) {
    let Some((_db, store)) = store_on(backend).await else {
        return;
    };
    a_page(Kind::Page, "Quokka violin lesson")
        .saying("A zebrafinch teacher gives each lesson.")
        .create(&store)
        .await;
    a_page(Kind::News, "Quokka concert")
        .saying("Violins and lessons: the quokka orchestra plays.")
        .create(&store)
        .await;
    a_page(Kind::Faq, "Quokka prices")
        .saying("What a quokka pays for a trumpet.")
        .with(|d| d.category = Some("Fees".into()))
        .create(&store)
        .await;
    let audio = store
        .store_content_file(Purpose::Audio, "episode.mp3", b"ID3\x04 an episode")
        .await
        .unwrap();
    a_page(Kind::Podcast, "Singing with quokkas")
        .saying("Episode three: warming up the zebrafinch voice.")
        .with(|d| d.file_id = Some(audio))
        .create(&store)
        .await;

    // Accents are ignored: "cafe" finds the café, and "Café" the cafe.
    a_page(Kind::News, "Quokka café concert")
        .saying("Crème brûlée.")
        .create(&store)
        .await;
    assert_eq!(titles(&store, "cafe creme").await, ["Quokka café concert"]);
    assert_eq!(titles(&store, "CAFÉ brulee").await, ["Quokka café concert"]);
    // Two words: both must be there, in any form ("lessons" finds "lesson").
    let found = titles(&store, "quokka violin lessons").await;
    assert_eq!(found.len(), 2, "{found:?}");
    // The title's words rank above the body's.
    assert_eq!(found[0], "Quokka violin lesson");
    assert_eq!(found[1], "Quokka concert");
    // A word none has finds nothing; a stop word asks nothing.
    assert!(titles(&store, "quokka harp").await.is_empty());
    assert_eq!(titles(&store, "the quokka prices").await, ["Quokka prices"]);
    // Podcast episodes are searched, and "quokkas" is "quokka".
    assert_eq!(titles(&store, "zebrafinch voice").await, ["Singing with quokkas"]);
    assert_eq!(titles(&store, "quokka").await.len(), 5);
    // Query syntax of either database is only words.
    assert_eq!(titles(&store, "\"quokka\" AND (prices* OR").await, ["Quokka prices"]);

    // A snippet with the matched words marked, and pages of results.
    let page = store.content_search("zebrafinch", 1, 1).await.unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.rows.len(), 1);
    let snippet = &page.rows[0].snippet;
    assert!(
        snippet.contains(&format!(
            "{}zebrafinch{}",
            tutti_store::search::MARK_START,
            tutti_store::search::MARK_END
        )),
        "{snippet:?}"
    );
    let second = store.content_search("zebrafinch", 2, 1).await.unwrap();
    assert_eq!(second.rows.len(), 1);
    assert_ne!(second.rows[0].title(), page.rows[0].title());
}

async fn site_search_keeps_in_step(backend: TestBackend) {
    let Some((_db, store)) = store_on(backend).await else {
        return;
    };
    let item = a_page(Kind::News, "Wombat news")
        .saying("The wombat band.")
        .create(&store)
        .await;
    a_page(Kind::News, "Draft wombat").draft().create(&store).await;
    assert_eq!(titles(&store, "wombat").await, ["Wombat news"], "drafts are not found");

    // Edited: the new words are found, the old ones are not.
    let mut draft = tutti_store::content::Draft::from(&item);
    draft.body = "The numbat band.".into();
    store.save_content(Some(item.id), &draft).await.unwrap();
    assert!(titles(&store, "band wombat").await.contains(&"Wombat news".to_owned()));
    assert_eq!(titles(&store, "numbat").await, ["Wombat news"]);
    draft.title = "Numbat news".into();
    store.save_content(Some(item.id), &draft).await.unwrap();
    assert!(titles(&store, "wombat").await.is_empty());

    // Unpublished, published again, deleted.
    draft.published = false;
    store.save_content(Some(item.id), &draft).await.unwrap();
    assert!(titles(&store, "numbat").await.is_empty());
    draft.published = true;
    store.save_content(Some(item.id), &draft).await.unwrap();
    assert_eq!(titles(&store, "numbat").await, ["Numbat news"]);
    store.delete_content(item.id).await.unwrap();
    assert!(titles(&store, "numbat").await.is_empty());
}

async fn records(store: &Store, q: &str, archived: bool) -> Vec<(Found, String)> {
    store
        .search_records(&RecordSearch {
            q: q.into(),
            include_archived: archived,
            per_page: 50,
            ..Default::default()
        })
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|h| (h.kind, h.title))
        .collect()
}

async fn record_search_by_word_starts(backend: TestBackend) {
    let Some((_db, store)) = store_on(backend).await else {
        return;
    };
    let school = a_school()
        .named("Larkspur Primary")
        .in_area("Tillingham")
        .create(&store)
        .await;
    let family = a_family(&school)
        .surname("Brownlow")
        .first_child("Amelia", date!(2017 - 03 - 01))
        .with_child("Anna", date!(2018 - 03 - 01))
        .carer_named("Grace Brownlow")
        .create(&store)
        .await;
    let other = a_family(&school)
        .surname("Ameson")
        .first_child("Bront", date!(2017 - 03 - 01))
        .create(&store)
        .await;

    // Every word the start of a word: "ame bro" is Amelia Brownlow (and Bront Ameson).
    let found = records(&store, "ame bro", false).await;
    assert!(found.contains(&(Found::Pupil, "Amelia Brownlow".into())), "{found:?}");
    assert!(found.contains(&(Found::Pupil, "Bront Ameson".into())), "{found:?}");
    assert_eq!(found.len(), 2, "{found:?}");
    // Accents are ignored, typed or not, on both databases.
    a_family(&school)
        .surname("Ñúñez")
        .first_child("Zoë", date!(2017 - 03 - 01))
        .create(&store)
        .await;
    assert_eq!(
        records(&store, "zoe nunez", false).await,
        [(Found::Pupil, "Zoë Ñúñez".into())]
    );
    assert_eq!(
        records(&store, "ZOË", false).await,
        [(Found::Pupil, "Zoë Ñúñez".into())]
    );
    // A short start that is a stop word still starts names.
    assert_eq!(
        records(&store, "an brownl", false).await,
        [(Found::Pupil, "Anna Brownlow".into())]
    );
    // Schools by name, town and URN; guardians by name.
    assert_eq!(
        records(&store, "larksp", false).await[0],
        (Found::School, "Larkspur Primary".into())
    );
    assert!(
        records(&store, "tilling", false)
            .await
            .contains(&(Found::School, "Larkspur Primary".into()))
    );
    assert!(
        records(&store, &school.urn.to_string(), false)
            .await
            .contains(&(Found::School, "Larkspur Primary".into()))
    );
    assert!(
        records(&store, "grace brown", false)
            .await
            .contains(&(Found::Guardian, "Grace Brownlow".into()))
    );
    // Pupils are found by their school's name, and by its new name once renamed.
    assert_eq!(records(&store, "amelia larkspur", false).await.len(), 1);
    let mut input = store.school_input(school.id).await.unwrap().unwrap();
    input.row.name = "Foxglove Primary".into();
    store.update_school(&Actor::cli(), school.id, &input).await.unwrap();
    assert!(records(&store, "amelia larkspur", false).await.is_empty());
    assert_eq!(
        records(&store, "amelia foxglove", false).await,
        [(Found::Pupil, "Amelia Brownlow".into())]
    );

    // Archived: left out unless asked for.
    store.archive_pupil(&Actor::cli(), other.children[0]).await.unwrap();
    assert_eq!(
        records(&store, "ame bro", false).await,
        [(Found::Pupil, "Amelia Brownlow".into())]
    );
    let with_archived = store
        .search_records(&RecordSearch {
            q: "ame bro".into(),
            include_archived: true,
            kinds: vec![Found::Pupil],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(with_archived.total, 2);
    assert!(
        with_archived
            .rows
            .iter()
            .any(|h| h.archived && h.id == other.children[0])
    );
    // Kinds narrow it; a guardian leads to their child.
    assert!(
        store
            .search_records(&RecordSearch {
                q: "brownlow".into(),
                kinds: vec![Found::Guardian],
                ..Default::default()
            })
            .await
            .unwrap()
            .rows
            .iter()
            .all(|h| h.kind == Found::Guardian && h.pupil_id == Some(family.children[0]))
    );
}

async fn site_search_finds_ensembles_and_events_to_come(backend: TestBackend) {
    let Some((db, store)) = store_on(backend).await else {
        return;
    };
    an_ensemble("Wallaby Strings").create(&store).await;
    an_event()
        .titled("Wallaby winter concert")
        .in_days(10)
        .create(&store)
        .await;
    let cancelled = an_event().titled("Wallaby picnic").in_days(20).create(&store).await;
    a_page(Kind::Page, "Wallaby news").create(&store).await;
    let found = titles(&store, "wallaby").await;
    assert_eq!(found.len(), 4, "{found:?}");
    assert!(found.iter().any(|t| t.starts_with("Wallaby Strings")), "{found:?}");

    let hits = store.content_search("wallaby winter", 1, 10).await.unwrap().rows;
    assert_eq!(hits.len(), 1);
    match &hits[0].found {
        tutti_store::content::Match::Event { slug, first_date, .. } => {
            assert!(slug.starts_with("wallaby-winter-concert"), "{slug}");
            assert_eq!(*first_date, date!(2026 - 09 - 11));
        }
        other => panic!("an event, not {other:?}"),
    }

    // A cancelled event leaves the search at once.
    store.cancel_event(&Actor::cli(), cancelled).await.unwrap();
    assert!(!titles(&store, "wallaby").await.contains(&"Wallaby picnic".to_owned()));

    // An event whose sessions are all past is not offered; the ensemble still is.
    let later = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 15)));
    let found = titles(&later, "wallaby").await;
    assert!(!found.contains(&"Wallaby winter concert".to_owned()), "{found:?}");
    assert_eq!(found.len(), 2, "{found:?}");
}
