//! The API's contract as a reviewed snapshot: `/api/openapi.json` as served is compared with
//! `snapshots/http__contract__openapi.snap`, so any change to a path, a parameter, an answer
//! or a schema shows in review as a change to that file. After an intended change, run
//! `INSTA_UPDATE=always cargo test -p tutti-web --test http contract` and commit the file.
use serde_json::Value;

use crate::support::{Backend, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_document_is_the_reviewed_one() {
    // The document does not depend on the database; SQLite is enough.
    let Some(app) = TestApp::spawn_empty_on(Backend::Sqlite, time::macros::date!(2026 - 09 - 01)).await else {
        return;
    };
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    insta::assert_json_snapshot!("openapi", doc);
}
