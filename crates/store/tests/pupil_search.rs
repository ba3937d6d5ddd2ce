//! The office's pupil search on both backends against a plain reading of the rules: every
//! page of every sort, for narrow, broad and dense terms, is exactly the page a full sort
//! of the matches gives, and totals stop at the cap.
use sea_orm::EntityTrait;
use time::macros::date;
use tutti_domain::clock::Clock;
use tutti_store::Store;
use tutti_store::demo::DemoSize;
use tutti_store::entities::pupil;
use tutti_store::listing::{COUNT_CAP, ListQuery};
use tutti_store::on_both_backends;
use tutti_store::platform::audit::Actor;
use tutti_store::records::imports::RecordKind;
use tutti_store::records::pupils::PupilScope;
use tutti_store::testing::{TestBackend, TestDatabase};

on_both_backends!(every_page_is_the_page_a_full_sort_gives);

/// Enough pupils that some alternatives are dense (more than 2,500 matches): every imported
/// child is a Fiona, and six surnames in eight begin with S.
fn pupils_file(n: usize) -> String {
    const SURNAMES: [&str; 8] = [
        "Smith", "Shaw", "Stone", "Brown", "Sanders", "Scott", "O'Brien", "Sykes",
    ];
    let mut text = String::from("pupil_ref,first_name,last_name,date_of_birth,school_urn\n");
    for i in 0..n {
        let first = if i % 7 == 0 { "fiona" } else { "Fiona" };
        text.push_str(&format!(
            "IMP{i:05},{first},{},{:02}/0{}/2016,{}\n",
            SURNAMES[i % 8],
            1 + i % 28,
            1 + i % 9,
            114_000 + i % 12
        ));
    }
    text
}

/// The rule as written: one word begins a surname, first name or reference; two words are
/// first and last name either way round; case does not matter.
fn matches(p: &pupil::Model, term: &str) -> bool {
    let words: Vec<String> = term.split_whitespace().map(str::to_lowercase).take(2).collect();
    let (last, first, reference) = (
        p.last_name.to_lowercase(),
        p.first_name.to_lowercase(),
        p.pupil_ref.to_lowercase(),
    );
    match words.as_slice() {
        [] => true,
        [w] => last.starts_with(w) || first.starts_with(w) || reference.starts_with(w),
        [a, b] => (first.starts_with(a) && last.starts_with(b)) || (last.starts_with(a) && first.starts_with(b)),
        _ => unreachable!(),
    }
}

fn key(p: &pupil::Model, sort: &str) -> (String, String, i64) {
    let (last, first) = (p.last_name.to_lowercase(), p.first_name.to_lowercase());
    match sort {
        "first_name" => (first, last, p.id),
        "ref" => (p.pupil_ref.to_lowercase(), String::new(), p.id),
        _ => (last, first, p.id),
    }
}

async fn every_page_is_the_page_a_full_sort_gives(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 16)));
    store.migrate().await.unwrap();
    store.seed_demo(3, DemoSize::SMALL).await.unwrap();
    let imported = store
        .import_csv(&Actor::cli(), RecordKind::Pupils, &pupils_file(7_000), false)
        .await
        .unwrap();
    assert!(imported.report.is_ok(), "{:?}", imported.report.errors);
    let everyone = pupil::Entity::find().all(store.conn()).await.unwrap();
    assert!(everyone.len() > 7_000);

    let terms = [
        "",
        "fi",
        "FIONA",
        "s",
        "smith",
        "sm fi",
        "fiona o'b",
        "imp0",
        "imp06999",
        "o'b",
        "zz",
        "b",
        "fiona smith",
        // Either word may be the narrower one the counts read.
        "fiona sy",
        "f sykes",
        "sh f",
    ];
    for term in terms {
        for sort in ["name", "first_name", "ref"] {
            for desc in [false, true] {
                let mut expected: Vec<&pupil::Model> = everyone.iter().filter(|p| matches(p, term)).collect();
                expected.sort_by_key(|p| key(p, sort));
                if desc {
                    expected.reverse();
                }
                for page in [1, 3] {
                    let q = ListQuery {
                        q: term.into(),
                        sort: sort.into(),
                        desc,
                        page,
                        per_page: 25,
                        include_archived: false,
                    };
                    let got = store.list_pupils(&PupilScope::All, &q).await.unwrap();
                    let got_ids: Vec<i64> = got.rows.iter().map(|r| r.id).collect();
                    let want_ids: Vec<i64> = expected
                        .iter()
                        .skip(q.offset() as usize)
                        .take(25)
                        .map(|p| p.id)
                        .collect();
                    let label = format!("{backend:?} q={term:?} sort={sort} desc={desc} page={page}");
                    assert_eq!(got_ids, want_ids, "{label}");
                    assert_eq!(got.total, (expected.len() as u64).min(COUNT_CAP), "{label}");
                    assert_eq!(got.capped, expected.len() as u64 > COUNT_CAP, "{label}");
                }
            }
        }
    }

    // A school's own list goes the other way (its pupils, sorted in full) and agrees.
    let school_id = everyone[0].school_id;
    let q = ListQuery {
        q: "fi".into(),
        per_page: 200,
        ..Default::default()
    };
    let got = store.list_pupils(&PupilScope::School(school_id), &q).await.unwrap();
    let mut expected: Vec<&pupil::Model> = everyone
        .iter()
        .filter(|p| p.school_id == school_id && matches(p, "fi"))
        .collect();
    expected.sort_by_key(|p| key(p, "name"));
    let want: Vec<i64> = expected.iter().take(200).map(|p| p.id).collect();
    assert_eq!(got.rows.iter().map(|r| r.id).collect::<Vec<_>>(), want);
}
