//! The speed benchmark's dashboard drawer (bench/reports/run.sh, decision 0092): draws the
//! manager's dashboard from its own store queries and template, as `/admin/dashboard` does, a
//! number of times, and prints how long each took. No HTTP, session or audit around it: those
//! are the same for every page and measured by bench/lessons. Then each section's query alone,
//! to show where the time goes.
//!
//! Usage: dashboard_page DATABASE_URL OFFICE_EMAIL [RUNS]
use std::time::Instant;

use tutti_store::Store;
use tutti_web::bench::{PageFrame, dashboard_html, dashboard_queries};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (url, email, runs) = match args.as_slice() {
        [url, email] => (url, email, 5),
        [url, email, runs] => (url, email, runs.parse().expect("RUNS is a number")),
        _ => {
            eprintln!("usage: dashboard_page DATABASE_URL OFFICE_EMAIL [RUNS]");
            std::process::exit(2);
        }
    };
    let store = Store::connect(url).await.expect("open the database");
    let user = store
        .user_by_email(email)
        .await
        .expect("read the user")
        .expect("no such user");
    let frame = PageFrame::read(&store).await.expect("read the menu");
    for run in 1..=runs {
        let started = Instant::now();
        let html = dashboard_html(&store, &frame, &user).await.expect("draw the dashboard");
        println!(
            "dashboard run {run}: {} ms ({} bytes)",
            started.elapsed().as_millis(),
            html.len()
        );
    }
    // Where the time goes: each section's query alone, one after another.
    let times = dashboard_queries(&store).await.expect("ask the queries");
    let words: Vec<String> = times.iter().map(|(name, ms)| format!("{name} {ms} ms")).collect();
    println!("dashboard queries one by one: {}", words.join(", "));
}
