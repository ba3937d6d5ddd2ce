//! The search index's speed (decision 0078), run by hand:
//! `cargo test -p tutti-store --test search_bench -- --ignored --nocapture`
//! (with TUTTI_TEST_POSTGRES_URL set for PostgreSQL too). It times the site search over the
//! demo hub's content and the office's record search over 10,000 more pupils, and prints the
//! median and worst of each query's runs.
use std::time::{Duration, Instant};

use tutti_store::Store;
use tutti_store::demo::DemoSize;
use tutti_store::platform::audit::Actor;
use tutti_store::records::imports::RecordKind;
use tutti_store::records::search::RecordSearch;
use tutti_store::testing::{TestBackend, TestDatabase};

const RUNS: usize = 25;

fn pupils_file(n: usize) -> String {
    const FIRST: [&str; 8] = ["Amelia", "Oliver", "Isla", "Jack", "Ava", "Noah", "Freya", "Leo"];
    const LAST: [&str; 8] = ["Brown", "Smith", "Patel", "Jones", "Taylor", "Wilson", "Evans", "Khan"];
    let mut text = String::from("pupil_ref,first_name,last_name,date_of_birth,school_urn\n");
    for i in 0..n {
        text.push_str(&format!(
            "BEN{i:05},{}{},{}{},{:02}/0{}/2016,{}\n",
            FIRST[i % 8],
            if i % 3 == 0 { "" } else { "e" },
            LAST[(i / 8) % 8],
            i % 50,
            1 + i % 28,
            1 + i % 9,
            114_000 + i % 12
        ));
    }
    text
}

fn report(label: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{label:<40} median {:>7.2} ms   worst {:>7.2} ms",
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0
    );
}

async fn bench(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    store.seed_demo(3, DemoSize::SMALL).await.unwrap();
    let imported = store
        .import_csv(&Actor::cli(), RecordKind::Pupils, &pupils_file(10_000), false)
        .await
        .unwrap();
    assert!(imported.report.is_ok());
    println!("{backend:?}:");
    for q in ["violin lessons", "singing", "lesson prices", "ukulele episode"] {
        let mut times = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            store.content_search(q, 1, 20).await.unwrap();
            times.push(t.elapsed());
        }
        report(&format!("  site search {q:?}"), times);
    }
    for q in ["ame bro", "a", "ol sm", "ben00042", "freyae patel"] {
        let mut times = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            store
                .search_records(&RecordSearch {
                    q: q.into(),
                    per_page: 25,
                    ..Default::default()
                })
                .await
                .unwrap();
            times.push(t.elapsed());
        }
        report(&format!("  record search {q:?}"), times);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark, run by hand"]
async fn search_speed() {
    bench(TestBackend::Sqlite).await;
    bench(TestBackend::Postgres).await;
}
